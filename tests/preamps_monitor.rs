//! `monitor --soundcheck SECS --apply` and `gainstage preamps` against the X32 simulator: a file
//! source's level cannot follow the preamp, so the closed loop must say the change did not
//! reach the input; every change is in the session log; a take refuses changes; a console
//! that does not answer is reported and metering goes on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/console_sim.rs"]
mod console_sim;
#[path = "support/sines.rs"]
mod sines;

use console_sim::{ConsoleSim, Dialect};
use serde_json::Value;
use sines::write_sines;

fn soundcheck_apply(
    home: &std::path::Path,
    wav: &std::path::Path,
    preamp: &str,
    extra: &[&str],
) -> (Vec<Value>, String) {
    let mut args = vec![
        "monitor",
        "--file",
        wav.to_str().unwrap(),
        "--soundcheck",
        "1",
        "--apply",
        "--preamp",
        preamp,
        "--json",
        "--interval",
        "100",
    ];
    args.extend(extra);
    let out = cli::gainstage(home).args(&args).output().unwrap();
    cli::assert_success(&out);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    (cli::json_lines(&stdout), stderr)
}

#[test]
fn a_file_cannot_follow_the_preamp_and_the_closed_loop_says_so() {
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("check.wav");
    // Input 1 hot (-3 dBFS: 9 dB down to the -12 dBTP target), input 2 quiet (-40: 28 up).
    write_sines(&wav, &[-3.0, -40.0], 4);
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 30.0);
    let (lines, stderr) = soundcheck_apply(home.path(), &wav, &console.spec("x32"), &[]);
    let last = lines.last().unwrap();
    let applied = last["applied"]
        .as_array()
        .unwrap_or_else(|| panic!("{last}\n{stderr}"));
    assert_eq!(applied.len(), 2, "{last}");

    let hot = &applied[0];
    assert_eq!(hot["input"], 1);
    assert_eq!(
        (hot["from_db"].as_f64(), hot["to_db"].as_f64()),
        (Some(30.0), Some(21.0))
    );
    assert_eq!(hot["verdict"], "did_not_reach", "{hot}");
    assert!(hot["measured_db"].as_f64().unwrap().abs() < 0.1, "{hot}");
    assert_eq!(
        hot["message"],
        "Input 1: preamp moved -9.0 dB, level did not change: is headamp 1 routed to input 1?"
    );

    // +28 dB asked; 12 dB made, 16 dB held back for the engineer to confirm.
    let quiet = &applied[1];
    assert_eq!(
        (quiet["from_db"].as_f64(), quiet["to_db"].as_f64()),
        (Some(30.0), Some(42.0))
    );
    assert_eq!(quiet["held_back_db"], 16.0);
    assert_eq!(quiet["verdict"], "did_not_reach");

    // The console holds what was set, on its 0.5 dB grid; nothing else was sent.
    assert_eq!(
        (console.gain_db(1), console.gain_db(2), console.gain_db(3)),
        (21.0, 42.0, 30.0)
    );
    assert!(console.errors().is_empty(), "{:?}", console.errors());
    // The usual soundcheck advice is still there.
    assert_eq!(last["soundcheck"][0]["status"], "turn_down");

    // Each change is a `gain` entry of the session log: input, from, to, why, who.
    let log = cli::stdout_of(cli::gainstage(home.path()).args(["log", "--json"]));
    let gains: Vec<Value> = cli::json_lines(&log)
        .into_iter()
        .filter(|e| e["event"] == "gain")
        .collect();
    assert_eq!(gains.len(), 2, "{log}");
    assert_eq!(gains[0]["channel"], 1);
    assert_eq!(gains[0]["from_db"], 30.0);
    assert_eq!(gains[0]["to_db"], 21.0);
    assert_eq!(gains[0]["who"], "soundcheck");
    assert!(
        gains[0]["why"].as_str().unwrap().contains("Input 1"),
        "{}",
        gains[0]
    );
}

#[test]
fn nothing_is_changed_during_a_take() {
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("check.wav");
    write_sines(&wav, &[-3.0], 3);
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 30.0);
    let (lines, _) = soundcheck_apply(
        home.path(),
        &wav,
        &console.spec("x32"),
        &["--take", "0.0-2.9"],
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
    assert!(console.received().is_empty(), "{:?}", console.received());
    assert_eq!(console.gain_db(1), 30.0);
}

#[test]
fn an_unreachable_console_is_reported_and_metering_goes_on() {
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("check.wav");
    write_sines(&wav, &[-3.0], 3);
    // A port nothing listens on.
    let port = std::net::UdpSocket::bind("127.0.0.3:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (lines, stderr) =
        soundcheck_apply(home.path(), &wav, &format!("x32:127.0.0.3:{port}"), &[]);
    let last = lines.last().unwrap();
    let applied = &last["applied"][0];
    assert_eq!(applied["verdict"], "not_set");
    assert!(
        applied["message"].as_str().unwrap().contains("unreachable"),
        "{applied}"
    );
    assert!(stderr.contains("unreachable"), "{stderr}");
    // The meter lines kept coming: a second of listening at 100 ms a line.
    let metered = lines.iter().filter(|l| l.get("channels").is_some()).count();
    assert!(metered >= 8, "{metered} lines");
}

#[test]
fn preamps_lists_each_input_with_its_gain_range_and_step() {
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("two.wav");
    write_sines(&wav, &[-10.0, -20.0], 1);
    let console = ConsoleSim::start(Dialect::XAir, "127.0.0.2", 30.0);
    console.set_gain_db(2, 12.5);
    let out = cli::stdout_of(cli::gainstage(home.path()).args([
        "preamps",
        "--file",
        wav.to_str().unwrap(),
        "--preamp",
        &console.spec("xair"),
        "--json",
    ]));
    let listed: Value = serde_json::from_str(out.trim()).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2, "{out}");
    assert_eq!(listed[0]["through"], "xair");
    assert_eq!(listed[0]["preamp"], "headamp 1");
    assert_eq!(listed[0]["gain_db"], 30.0);
    assert_eq!(listed[1]["gain_db"], 12.5);
    assert_eq!(listed[1]["range"]["min_db"], -12.0);
    assert_eq!(listed[1]["range"]["max_db"], 60.0);
    assert_eq!(listed[1]["range"]["step_db"], 0.5);
    assert_eq!(listed[1]["hardware"], true);
    // Listing only asks.
    assert!(console.received().iter().all(|m| m.args.is_empty()));
}

/// The preamps are set on their own thread: a console that takes 300 ms to answer each of the
/// apply's four queries (about 1.2 s in all) holds up no meter line. The lines' stream times
/// keep the 100 ms cadence across the apply; a main loop that waited on the console would
/// leave a gap of the whole apply between two lines.
#[test]
fn lines_keep_their_cadence_while_a_slow_console_is_set() {
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("check.wav");
    write_sines(&wav, &[-3.0, -40.0], 8);
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 30.0);
    let answer = std::time::Duration::from_millis(300);
    console.answer_after(answer);
    let (lines, stderr) = soundcheck_apply(home.path(), &wav, &console.spec("x32"), &[]);
    // The apply was made, and waited on every answer: query and read back on two inputs.
    assert_eq!(
        (console.gain_db(1), console.gain_db(2)),
        (21.0, 42.0),
        "{stderr}"
    );
    let queries = console
        .received()
        .iter()
        .filter(|m| m.args.is_empty())
        .count();
    assert_eq!(queries, 4);
    let applied = lines.last().unwrap()["applied"].as_array().unwrap();
    assert_eq!(applied.len(), 2);
    let times: Vec<f64> = lines
        .iter()
        .filter(|l| l.get("channels").is_some())
        .map(|l| l["t_s"].as_f64().unwrap())
        .collect();
    // Both listens (1 s each) and the apply between them.
    assert!(times.last().unwrap() - times[0] > 2.0, "{times:?}");
    let widest = times
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(0.0_f64, f64::max);
    let apply_s = 4.0 * answer.as_secs_f64();
    assert!(
        widest < apply_s / 2.0,
        "a {widest:.3} s gap between lines: {times:?}"
    );
}
