//! The ALSA preamp backend against real alsa-lib: a simulated USB interface's mixer (an
//! external control plugin with a dB scale, see `support/alsa_sim.rs`) and alsa-plugins' real
//! `pulse` ctl on a private PipeWire server (a capture volume with no dB scale). Checked: the
//! listing (range, step, gain per channel), the exact raw values alsa-lib writes, the raise
//! limit, refusal during a take, and that switches, phantom power and volumes without a dB
//! scale are never written.
// ALSA is Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/alsa_sim.rs"]
mod alsa_sim;
#[path = "support/cli.rs"]
mod cli;
#[path = "support/pipewire.rs"]
mod pipewire;
#[path = "support/sines.rs"]
mod sines;

use alsa_sim::{AlsaSim, Raw, mic_raw};
use serde_json::Value;
use sines::write_sines;

/// Mic at 0 dB and +28 dB, both switches and phantom power on, Aux at raw 50.
fn start_sim() -> AlsaSim {
    AlsaSim::start(Raw {
        mic: [mic_raw(0.0), mic_raw(28.0)],
        switch: [1, 1],
        phantom: 1,
        aux: 50,
    })
}

/// `monitor --file WAV --soundcheck 1 --apply` with `args` added; the JSON lines.
fn soundcheck_apply(home: &std::path::Path, wav: &std::path::Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec![
        "monitor",
        "--file",
        wav.to_str().unwrap(),
        "--soundcheck",
        "1",
        "--apply",
        "--json",
        "--interval",
        "100",
    ];
    all.extend(args);
    cli::json_lines(&cli::stdout_of(cli::gainstage(home).args(&all)))
}

#[test]
fn a_cards_capture_volumes_are_found_for_its_hw_device_and_listed_with_their_db_scale() {
    let sim = start_sim();
    let out = cli::stdout_of(cli::gainstage(sim.dir()).args([
        "preamps",
        "--host",
        "alsa",
        "--device",
        "hw:CARD=Sim,DEV=0",
        "--channels",
        "4",
        "--json",
    ]));
    let listed: Value = serde_json::from_str(out.trim()).unwrap();
    let listed = listed.as_array().unwrap();
    // Three capture volume channels: Mic's two, then Aux; input 4 has none.
    assert_eq!(listed.len(), 3, "{out}");
    for (p, (preamp, gain)) in listed.iter().zip([
        ("Mic ch 1", Some(0.0)),
        ("Mic ch 2", Some(28.0)),
        ("Aux", None),
    ]) {
        assert_eq!(p["through"], "alsa", "{p}");
        assert_eq!(p["device"], "alsa hw:CARD=Sim", "{p}");
        assert_eq!(p["preamp"], preamp, "{p}");
        assert_eq!(p["gain_db"].as_f64(), gain, "{p}");
        assert_eq!(p["hardware"], true, "{p}");
    }
    for p in &listed[..2] {
        assert_eq!(p["range"]["min_db"], -12.0, "{p}");
        assert_eq!(p["range"]["max_db"], 48.0, "{p}");
        assert_eq!(p["range"]["step_db"], 0.5, "{p}");
        assert!(p.get("problem").is_none(), "{p}");
    }
    assert!(listed[2].get("range").is_none(), "{}", listed[2]);
    assert_eq!(
        listed[2]["problem"],
        "Aux on alsa hw:CARD=Sim: no dB scale: not set"
    );
    // Listing only reads.
    assert_eq!(sim.writes(), Vec::<String>::new());
}

#[test]
fn a_cut_lands_on_its_raw_step_a_raise_is_limited_and_nothing_else_is_written() {
    let sim = start_sim();
    let wav = sim.dir().join("check.wav");
    // Input 1 hot (-3 dBFS: 9 dB down to the -12 dBTP target), input 2 quiet (-40: 28 up),
    // input 3 hot on Aux, which has no dB scale.
    write_sines(&wav, &[-3.0, -40.0, -3.0], 4);
    let lines = soundcheck_apply(sim.dir(), &wav, &["--preamp", "alsa:gs_sim"]);
    let last = lines.last().unwrap();
    let applied = last["applied"].as_array().unwrap();
    assert_eq!(applied.len(), 3, "{last}");
    assert_eq!(
        (applied[0]["from_db"].as_f64(), applied[0]["to_db"].as_f64()),
        (Some(0.0), Some(-9.0)),
        "{}",
        applied[0]
    );
    // +28 dB asked: 12 dB made, 16 held back.
    assert_eq!(
        (applied[1]["from_db"].as_f64(), applied[1]["to_db"].as_f64()),
        (Some(28.0), Some(40.0)),
        "{}",
        applied[1]
    );
    assert_eq!(applied[1]["held_back_db"], 16.0);
    assert_eq!(applied[2]["verdict"], "not_set", "{}", applied[2]);
    assert!(
        applied[2]["message"]
            .as_str()
            .unwrap()
            .contains("no dB scale: not set"),
        "{}",
        applied[2]
    );

    // What alsa-lib wrote, exactly: -9 dB is raw 6 and +40 dB raw 104 on the -12 dB + 0.5 dB
    // scale; one write of the Mic element per change, nothing to any other control.
    assert_eq!(mic_raw(-9.0), 6);
    assert_eq!(mic_raw(40.0), 104);
    assert_eq!(
        sim.writes(),
        vec!["Mic Capture Volume 6 80", "Mic Capture Volume 6 104"]
    );
    assert_eq!(
        sim.raw(),
        Raw {
            mic: [6, 104],
            switch: [1, 1],
            phantom: 1,
            aux: 50
        }
    );
}

#[test]
fn nothing_is_written_during_a_take() {
    let sim = start_sim();
    let wav = sim.dir().join("check.wav");
    write_sines(&wav, &[-3.0], 3);
    let lines = soundcheck_apply(
        sim.dir(),
        &wav,
        &["--preamp", "alsa:gs_sim", "--take", "0.0-2.9"],
    );
    let applied = &lines.last().unwrap()["applied"][0];
    assert_eq!(applied["verdict"], "not_set");
    assert!(
        applied["message"]
            .as_str()
            .unwrap()
            .contains("a take is running"),
        "{applied}"
    );
    assert_eq!(sim.writes(), Vec::<String>::new());
    assert_eq!(sim.raw().mic, [mic_raw(0.0), mic_raw(28.0)]);
}

#[test]
fn the_pulse_plugins_capture_volume_has_no_db_scale_and_is_never_set() {
    let server = pipewire::Server::start();
    let home = server.dir.path().join("home");
    let exe = env!("CARGO_BIN_EXE_gainstage");
    let run = |args: &[&str]| {
        let out = server
            .command(exe)
            .args(args)
            .env("GAINSTAGE_CONFIG_DIR", home.join("gainstage-config"))
            .env("GAINSTAGE_DATA_DIR", home.join("gainstage-data"))
            .output()
            .unwrap();
        cli::assert_success(&out);
        String::from_utf8(out.stdout).unwrap()
    };
    // The raw capture volume as alsa-lib reads it through the plugin, and as the server has it.
    let volume = || {
        (
            server.output("amixer", &["-D", "pulse", "cget", "name=Capture Volume"]),
            server.output("pactl", &["get-source-volume", "@DEFAULT_SOURCE@"]),
        )
    };
    let before = volume();
    assert!(before.0.contains("values="), "{before:?}");
    assert!(before.1.contains("Volume:"), "{before:?}");

    let out = run(&[
        "preamps",
        "--preamp",
        "alsa:pulse",
        "--channels",
        "1",
        "--json",
    ]);
    let listed: Value = serde_json::from_str(out.trim()).unwrap();
    let p = &listed[0];
    assert_eq!(p["through"], "alsa", "{out}");
    assert_eq!(p["device"], "alsa pulse", "{out}");
    assert_eq!(p["preamp"], "Capture ch 1", "{out}");
    assert_eq!(p["gain_db"], Value::Null, "{out}");
    assert_eq!(p["hardware"], false, "{out}");
    assert_eq!(
        p["problem"], "Capture ch 1 on alsa pulse: no dB scale: not set",
        "{out}"
    );

    let wav = home.join("check.wav");
    write_sines(&wav, &[-3.0], 3);
    let lines = cli::json_lines(&run(&[
        "monitor",
        "--file",
        wav.to_str().unwrap(),
        "--soundcheck",
        "1",
        "--apply",
        "--preamp",
        "alsa:pulse",
        "--json",
        "--interval",
        "100",
    ]));
    let applied = &lines.last().unwrap()["applied"][0];
    assert_eq!(applied["verdict"], "not_set", "{applied}");
    assert!(
        applied["message"]
            .as_str()
            .unwrap()
            .contains("no dB scale: not set"),
        "{applied}"
    );
    assert_eq!(volume(), before);
}

#[test]
fn a_templates_mapping_sends_each_inputs_change_to_its_own_channel() {
    let sim = start_sim();
    let templates = sim.dir().join("config/templates");
    std::fs::create_dir_all(&templates).unwrap();
    // The interface's channels are crossed: input 1 is on Mic ch 2, input 2 on Mic ch 1.
    std::fs::write(
        templates.join("crossed.toml"),
        "preamps = [\"alsa:gs_sim\"]\n\
         [[preamp_map]]\ninput = 1\npreamp = 2\n\
         [[preamp_map]]\ninput = 2\npreamp = 1\n",
    )
    .unwrap();
    let wav = sim.dir().join("check.wav");
    write_sines(&wav, &[-3.0, -40.0], 4);
    let lines = soundcheck_apply(sim.dir(), &wav, &["--template", "crossed"]);
    let applied = lines.last().unwrap()["applied"].as_array().unwrap();
    // Input 1: +28 → +19 dB on Mic ch 2; input 2: 0 → +12 dB (the raise limit) on Mic ch 1.
    assert_eq!(
        (applied[0]["from_db"].as_f64(), applied[0]["to_db"].as_f64()),
        (Some(28.0), Some(19.0)),
        "{}",
        applied[0]
    );
    assert_eq!(
        (applied[1]["from_db"].as_f64(), applied[1]["to_db"].as_f64()),
        (Some(0.0), Some(12.0)),
        "{}",
        applied[1]
    );
    assert_eq!((mic_raw(19.0), mic_raw(12.0)), (62, 48));
    assert_eq!(
        sim.writes(),
        vec!["Mic Capture Volume 24 62", "Mic Capture Volume 48 62"]
    );
}
