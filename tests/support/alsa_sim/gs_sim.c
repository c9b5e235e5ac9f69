/* A simulated USB interface's mixer as an ALSA external control plugin (snd_ctl_ext), for the
 * tests of the ALSA preamp backend on a machine with no sound card. Loaded through a private
 * HOME/.asoundrc:
 *
 *     ctl.NAME { type gs_sim lib "DIR/libasound_module_ctl_gs_sim.so" state "DIR/state" }
 *
 * Controls, as a USB interface's driver exposes them:
 *   "Mic Capture Volume"  2 channels, raw 0..120, dB scale -12.00 dB + 0.50 dB a step (TLV)
 *   "Capture Switch"      2 channels, boolean
 *   "Phantom Power"       1 channel, boolean
 *   "Aux Capture Volume"  1 channel, raw 0..100, no dB scale
 *
 * The state lives in the file `state` (one line: mic0 mic1 sw0 sw1 phantom aux), read before
 * every read and written after every write, so the test sees exactly what alsa-lib wrote;
 * each write is also appended to `state.writes` as "NAME v0 [v1]". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <alsa/asoundlib.h>
#include <alsa/control_external.h>

#define MIC_MAX 120
#define MIC_MIN_CDB (-1200)
#define MIC_STEP_CDB 50
#define AUX_MAX 100

enum { MIC, SWITCH, PHANTOM, AUX, ELEMS };

static const char *const names[ELEMS] = {
    "Mic Capture Volume", "Capture Switch", "Phantom Power", "Aux Capture Volume",
};
static const int channels[ELEMS] = {2, 2, 1, 1};

typedef struct {
    snd_ctl_ext_t ext;
    char *state;
    long values[6]; /* mic0 mic1 sw0 sw1 phantom aux */
} sim_t;

static int first_value(int elem)
{
    static const int first[ELEMS] = {0, 2, 4, 5};
    return first[elem];
}

static int load(sim_t *sim)
{
    FILE *f = fopen(sim->state, "r");
    if (!f)
        return -errno;
    int n = fscanf(f, "%ld %ld %ld %ld %ld %ld", &sim->values[0], &sim->values[1],
                   &sim->values[2], &sim->values[3], &sim->values[4], &sim->values[5]);
    fclose(f);
    return n == 6 ? 0 : -EIO;
}

static int save(sim_t *sim, int elem)
{
    FILE *f = fopen(sim->state, "w");
    if (!f)
        return -errno;
    long *v = sim->values;
    fprintf(f, "%ld %ld %ld %ld %ld %ld\n", v[0], v[1], v[2], v[3], v[4], v[5]);
    fclose(f);
    char log[4096];
    snprintf(log, sizeof log, "%s.writes", sim->state);
    f = fopen(log, "a");
    if (!f)
        return -errno;
    fprintf(f, "%s", names[elem]);
    for (int c = 0; c < channels[elem]; c++)
        fprintf(f, " %ld", v[first_value(elem) + c]);
    fprintf(f, "\n");
    fclose(f);
    return 0;
}

static void sim_close(snd_ctl_ext_t *ext)
{
    sim_t *sim = ext->private_data;
    free(sim->state);
    free(sim);
}

static int sim_elem_count(snd_ctl_ext_t *ext)
{
    (void)ext;
    return ELEMS;
}

static int sim_elem_list(snd_ctl_ext_t *ext, unsigned int offset, snd_ctl_elem_id_t *id)
{
    (void)ext;
    if (offset >= ELEMS)
        return -EINVAL;
    snd_ctl_elem_id_set_interface(id, SND_CTL_ELEM_IFACE_MIXER);
    snd_ctl_elem_id_set_name(id, names[offset]);
    return 0;
}

static snd_ctl_ext_key_t sim_find_elem(snd_ctl_ext_t *ext, const snd_ctl_elem_id_t *id)
{
    (void)ext;
    unsigned int numid = snd_ctl_elem_id_get_numid(id);
    if (numid > 0 && numid <= ELEMS)
        return numid - 1;
    const char *name = snd_ctl_elem_id_get_name(id);
    for (int i = 0; i < ELEMS; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return SND_CTL_EXT_KEY_NOT_FOUND;
}

static int sim_get_attribute(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, int *type,
                             unsigned int *acc, unsigned int *count)
{
    (void)ext;
    if (key >= ELEMS)
        return -EINVAL;
    *type = (key == MIC || key == AUX) ? SND_CTL_ELEM_TYPE_INTEGER : SND_CTL_ELEM_TYPE_BOOLEAN;
    *acc = SND_CTL_EXT_ACCESS_READWRITE;
    if (key == MIC)
        *acc |= SND_CTL_EXT_ACCESS_TLV_READ | SND_CTL_EXT_ACCESS_TLV_CALLBACK;
    *count = channels[key];
    return 0;
}

static int sim_get_integer_info(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, long *imin,
                                long *imax, long *istep)
{
    (void)ext;
    *imin = 0;
    *istep = 1;
    *imax = key == MIC ? MIC_MAX : key == AUX ? AUX_MAX : 1;
    return 0;
}

static int sim_read_integer(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, long *value)
{
    sim_t *sim = ext->private_data;
    int err = load(sim);
    if (err < 0)
        return err;
    for (int c = 0; c < channels[key]; c++)
        value[c] = sim->values[first_value(key) + c];
    return 0;
}

static int sim_write_integer(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, long *value)
{
    sim_t *sim = ext->private_data;
    int err = load(sim);
    if (err < 0)
        return err;
    int changed = 0;
    for (int c = 0; c < channels[key]; c++) {
        long *v = &sim->values[first_value(key) + c];
        changed |= *v != value[c];
        *v = value[c];
    }
    err = save(sim, key);
    return err < 0 ? err : changed;
}

/* The dB scale of "Mic Capture Volume", as a USB interface's driver gives it. */
static int sim_tlv(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, int op_flag, unsigned int numid,
                   unsigned int *tlv, unsigned int tlv_size)
{
    (void)ext;
    (void)numid;
    if (key != MIC || op_flag != 0)
        return -ENXIO;
    if (tlv_size < 4 * sizeof(unsigned int))
        return -ENOMEM;
    tlv[0] = SND_CTL_TLVT_DB_SCALE;
    tlv[1] = 2 * sizeof(unsigned int);
    tlv[2] = (unsigned int)MIC_MIN_CDB;
    tlv[3] = MIC_STEP_CDB;
    return 0;
}

static int sim_read_event(snd_ctl_ext_t *ext, snd_ctl_elem_id_t *id, unsigned int *event_mask)
{
    (void)ext;
    (void)id;
    (void)event_mask;
    return -EAGAIN;
}

static const snd_ctl_ext_callback_t callbacks = {
    .close = sim_close,
    .elem_count = sim_elem_count,
    .elem_list = sim_elem_list,
    .find_elem = sim_find_elem,
    .get_attribute = sim_get_attribute,
    .get_integer_info = sim_get_integer_info,
    .read_integer = sim_read_integer,
    .write_integer = sim_write_integer,
    .read_event = sim_read_event,
};

SND_CTL_PLUGIN_DEFINE_FUNC(gs_sim)
{
    (void)root;
    const char *state = NULL;
    snd_config_iterator_t i, next;
    snd_config_for_each(i, next, conf)
    {
        snd_config_t *n = snd_config_iterator_entry(i);
        const char *id;
        if (snd_config_get_id(n, &id) < 0)
            continue;
        if (strcmp(id, "comment") == 0 || strcmp(id, "type") == 0 || strcmp(id, "hint") == 0 ||
            strcmp(id, "lib") == 0)
            continue;
        if (strcmp(id, "state") == 0) {
            if (snd_config_get_string(n, &state) < 0)
                return -EINVAL;
            continue;
        }
        SNDERR("Unknown field %s", id);
        return -EINVAL;
    }
    if (!state) {
        SNDERR("gs_sim needs a state file");
        return -EINVAL;
    }
    sim_t *sim = calloc(1, sizeof *sim);
    if (!sim)
        return -ENOMEM;
    sim->state = strdup(state);
    if (!sim->state || load(sim) < 0) {
        free(sim->state);
        free(sim);
        return -ENOENT;
    }
    sim->ext.version = SND_CTL_EXT_VERSION;
    sim->ext.card_idx = 0;
    strcpy(sim->ext.id, "GsSim");
    strcpy(sim->ext.driver, "gs_sim");
    strcpy(sim->ext.name, "gainstage sim");
    strcpy(sim->ext.longname, "gainstage simulated USB interface");
    strcpy(sim->ext.mixername, "gainstage sim");
    sim->ext.poll_fd = -1;
    sim->ext.callback = &callbacks;
    sim->ext.private_data = sim;
    sim->ext.tlv.c = sim_tlv;
    int err = snd_ctl_ext_create(&sim->ext, name, mode);
    if (err < 0) {
        free(sim->state);
        free(sim);
        return err;
    }
    *handlep = sim->ext.handle;
    return 0;
}

SND_CTL_PLUGIN_SYMBOL(gs_sim);
