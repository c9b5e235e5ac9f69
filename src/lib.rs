//! gainstage: a live input monitor for recording sessions.
//!
//! Data flows one way:
//!
//! ```text
//! device (cpal callback) → ring buffer → meter thread → snapshots → GUI / headless / analyze report
//!                                                ↘ advisor (warnings, advice) ↗
//! ```
//!
//! # Module map
//! - [`meter`]: pure DSP, one meter per channel (sample peak, true peak, clips and overs, RMS,
//!   DC, momentary / short-term / integrated loudness, LRA, noise floor, rumble share, headroom
//!   history). No I/O, no threads. Integrated loudness and LRA are gated in `meter::gating`,
//!   true peak is oversampled in `meter::true_peak`, K-weighting is `meter::k_weighting` (four
//!   channels to a filter in a bank), `meter::slices` holds the loudness windows;
//!   `meter::clip` holds the clip rule (full-scale codes, or a level for float sources).
//!   The programme meters an engineer picks (VU, BBC/EBU/DIN/Nordic PPM, K-20/14/12, IEC
//!   digital peak) are `meter::kind` (scales, alignment) and `meter::programme` (the set a
//!   channel runs), built from `meter::vu`, `meter::ppm`, `meter::k_meter` and
//!   `meter::digital_peak`.
//! - [`analyze`]: offline analysis of WAV files with the same meters, into [`file_report`]s;
//!   `analyze::schedule` gives reading and each channel group's metering to any free thread.
//!   `analyze::stems` sums a set of stems sample by sample and meters the sum.
//! - [`file_report`]: what analysing a file found (readings, warnings, programme loudness),
//!   and a stage's report (`StageReport`: files, the stems' sum, the reference, verdicts).
//! - [`report`]: JSON and table rendering of [`file_report`]s; [`stage_report`]: the same for
//!   `analyze --stage stems|mix|master` (JSON, table, CSV, `--list-targets`).
//! - [`overs`]: inter-sample overs of a programme above every level (a histogram on a 0.01 dB
//!   grid), for the mix and master stages.
//! - [`delivery`]: delivery targets (streaming, broadcast, podcast, audiobook) with their
//!   published levels, ceilings and sources, and what each does to a master.
//! - [`commands`]: `gainstage analyze` (and `--stage`), joining `analyze`, `advisor::stage`
//!   and the renderers.
//! - [`wav`]: the WAV reader both `analyze` and `monitor --file` use (every PCM and float
//!   format they accept, converted by `meter::sample`'s clip rule).
//! - [`capture`]: cpal hosts and devices, the real-time callback, the lock-free ring, the meter
//!   thread and the demo and file sources; `gainstage devices`. Inside: `source` (what to
//!   meter: `SourceSpec`), `session` (the `Session` API), `commander` (the bounded command
//!   queue, take commands' rate limit), `callback` (what runs in the audio
//!   callback), `shared` (its atomics), `worker` (the meter thread), `publish` (snapshots to
//!   readers), `device` / `devices` (cpal), `reconnect` (stream generations after a loss),
//!   `realtime` (the callback's priority), `pipewire_names`, `paced` / `demo` / `file`
//!   (sources driven at real-time pace).
//! - [`takes`]: per-take headroom reports: the tracker the meter thread feeds, clip bursts,
//!   the bounded headroom track, automatic takes by level (`takes::auto`), the saved JSON/CSV
//!   (`gainstage takes`), take summaries for lists (`takes::summary`), the thread that saves
//!   a reader's takes (`takes::saver`), a headless run's takes (`takes::run`) and their log
//!   entries; `takes::keeper` builds reports and checkpoints the running take off the meter
//!   thread, `takes::checkpoint` holds those files and recovers them after a crash,
//!   `takes::lock` gives each run a session of its own.
//! - [`snapshot`]: what the meter thread publishes to readers.
//! - [`monitor`]: headless `gainstage monitor` (live table or JSON lines).
//! - [`advisor`]: gain-staging advice. [`advisor::judge_take`] for whole takes,
//!   [`advisor::LiveAdvisor`] for live warnings with hysteresis, [`advisor::Soundcheck`],
//!   the rules after tracking (`advisor::stage`: stems, mix, master),
//!   source presets, session templates (TOML) and the session log (`gainstage log`), written
//!   by its own thread (`advisor::log_writer`); `advisor::words` holds the performer's word, a
//!   strip's zone and its badge, which the GUI and the remote pages share.
//! - [`remote`]: `gainstage serve`: the performer, wall and bridge pages in any browser, a
//!   WebSocket and HTTP feed with `monitor --json`'s keys, OSC out and in, control with a
//!   per-run token. Inside: `server` (runtime, router, token checks), `listen` (accept loop,
//!   connection places and timeouts), `admission` (shares by address, wrong tokens),
//!   `hosts` (the `Host` names served), `ticks` (the frame clock
//!   every WebSocket client shares), `feed` (one WebSocket client), `frames`, `hub` (events,
//!   `/api/log`, soundcheck), `api`, `control`, `osc`, `pages` (HTML/CSS/JS built in),
//!   `serve`.
//! - [`preamps`]: setting the preamps the advice names (X32/M32 and X-Air through one
//!   `preamps::headamps` backend, MOTU AVB, PipeWire node volumes, an ALSA card's capture
//!   volumes on Linux, a WASAPI capture endpoint's volumes on Windows, a CoreAudio device's
//!   input volumes on macOS, checked but never run): the safety rules
//!   (`preamps::plan`), the devices and input mapping (`preamps::rig`), the closed loop
//!   (`preamps::verify`), the one thread a process hands changes to, shared by the GUI and
//!   its remote server (`preamps::worker`), `gainstage preamps`. Network calls: never on the meter thread.
//! - [`listing`]: how `log` and `takes` print (table, JSON, CSV) and the CSV cell rule.
//! - [`platform`]: everything that differs between Linux, Windows and macOS, behind one seam:
//!   audio hosts, real-time priority, file sync, whether a display exists, [`paths`] (config
//!   and data directories), the open-file limit, this machine's name, the Windows console.
//! - [`settings`]: the GUI settings file;
//!   [`atomic_file`]: replacing a settings or template file so a crash never leaves half of it.
//! - [`cli`]: command-line arguments and `cli::run`, which converts them to the library's own
//!   types (no other module imports `cli`); `cli::manuals` writes the man pages and shell
//!   completions from that one definition (the `gainstage-manuals` packaging tool);
//!   [`error`]: the error a command ends with.
//! - [`build_info`]: the version, commit (from `build.rs`), hosts and renderers built in,
//!   for `gainstage --version`.
//! - `ui` (feature `gui`): the iced GUI, the only module that imports iced. `ui::app` (the
//!   shell: session, windows, polling, routing), `ui::nav` (view and panel), `ui::roster`
//!   (names, presets, levels), `ui::layers` (canvas caches), `ui::store` (saving),
//!   `ui::keys`, `ui::top_bar`, `ui::scene` (what views draw from), `ui::bridge` /
//!   `ui::wall` / `ui::performer` (the views), `ui::strips` (every strip's meter in one
//!   canvas), `ui::banks` (a bridge of many channels a bank at a time, and the overview
//!   row), `ui::strip_text` (each strip text's size and form at a strip's width),
//!   `ui::scale` / `ui::scale_labels`, `ui::soundcheck` / `ui::log_panel` /
//!   `ui::settings_panel`, `ui::remote_panel` (the Remote panel: the GUI's session
//!   served by [`remote`], its URLs, QR code and control link), `ui::palette` (colours and
//!   their meaning), `ui::badge`,
//!   `ui::takes_panel` (marking takes, the list of them) / `ui::take_view` (one take's
//!   verdicts and headroom tracks), `ui::renderer` (the GPU where it is real, else
//!   tiny-skia).

pub mod advisor;
pub mod analyze;
pub mod atomic_file;
pub mod build_info;
pub mod capture;
pub mod cli;
pub mod commands;
pub mod delivery;
pub mod error;
pub mod file_report;
pub mod listing;
pub mod meter;
pub mod monitor;
pub mod overs;
pub mod platform;
/// Kept at the crate root for its users: the platform directories.
pub use platform::paths;
pub mod preamps;
pub mod remote;
pub mod report;
// Plain serde and TOML: built without the GUI too, so its parser can be fuzzed without iced.
pub mod settings;
pub mod snapshot;
pub mod stage_report;
pub mod takes;
#[cfg(feature = "gui")]
pub mod ui;
pub mod wav;

pub use error::Error;
