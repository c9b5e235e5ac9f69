//! The network preamps against simulators written from the public protocol documents: the
//! exact messages (addresses, types, values on the step), a query before every set, the 12 dB
//! raise limit, refusal during a take, and a console that does not answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/console_sim.rs"]
mod console_sim;
#[path = "support/motu_sim.rs"]
mod motu_sim;

use std::collections::BTreeMap;

use console_sim::{ConsoleSim, Dialect, Received};
use gainstage::preamps::{ChangeRequest, PlanLimits, PreampSpec, Rig, Who};
use motu_sim::MotuSim;
use serde_json::json;

fn rig(specs: &[String]) -> Rig {
    let specs: Vec<PreampSpec> = specs.iter().map(|s| s.parse().unwrap()).collect();
    Rig::open(&specs, BTreeMap::new(), PlanLimits::default()).unwrap()
}

fn ask(input: usize, change_db: f64) -> ChangeRequest {
    ChangeRequest {
        input,
        change_db,
        why: format!("test asks {change_db:+.1} dB"),
    }
}

/// The document's map: -12 dB is 0.0, +60 dB is 1.0, linear between.
fn x32_float(db: f64) -> f32 {
    ((db + 12.0) / 72.0) as f32
}

#[test]
fn x32_cut_asks_first_then_sets_the_exact_float_and_reads_it_back() {
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 30.0);
    let mut rig = rig(&[console.spec("x32")]);
    let done = rig.apply(&[ask(3, -9.0)], Who::Soundcheck, false);
    let addr = "/headamp/002/gain";
    assert_eq!(
        console.received(),
        vec![
            Received::query(addr),
            Received::set(addr, x32_float(21.0)),
            Received::query(addr)
        ]
    );
    assert_eq!(x32_float(21.0), 33.0 / 72.0);
    assert_eq!(console.gain_db(3), 21.0);
    // Other headamps untouched.
    assert_eq!(console.gain_db(2), 30.0);
    let change = done[0].change.clone().unwrap();
    assert_eq!((change.from_db, change.to_db), (30.0, 21.0));
    assert_eq!(change.read_back_db, Some(21.0));
    assert_eq!(change.who, Who::Soundcheck);
    assert_eq!(done[0].problem, None);
    assert!(console.errors().is_empty(), "{:?}", console.errors());
}

#[test]
fn x32_changes_land_on_half_db_steps() {
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 30.0);
    let mut rig = rig(&[console.spec("x32")]);
    // 30 - 9.3 = 20.7: the nearest step is 20.5.
    rig.apply(&[ask(1, -9.3)], Who::Gui, false);
    assert_eq!(
        console.received()[1],
        Received::set("/headamp/000/gain", x32_float(20.5))
    );
    assert_eq!(console.gain_db(1), 20.5);
}

#[test]
fn x32_raise_stops_at_twelve_db_and_reports_the_rest() {
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 10.0);
    let mut rig = rig(&[console.spec("x32")]);
    let done = rig.apply(&[ask(2, 20.0)], Who::Soundcheck, false);
    assert_eq!(
        console.received()[1],
        Received::set("/headamp/001/gain", x32_float(22.0))
    );
    assert_eq!(console.gain_db(2), 22.0);
    let change = done[0].change.clone().unwrap();
    assert_eq!(change.held_back_db, 8.0);
    assert!(
        change
            .note
            .unwrap()
            .contains("8.0 dB more needs confirming")
    );

    // With --apply-max-raise 24 the whole raise goes through.
    console.clear();
    console.set_gain_db(2, 10.0);
    let specs = vec![console.spec("x32").parse().unwrap()];
    let mut wide = Rig::open(&specs, BTreeMap::new(), PlanLimits { max_raise_db: 24.0 }).unwrap();
    wide.apply(&[ask(2, 20.0)], Who::Soundcheck, false);
    assert_eq!(console.gain_db(2), 30.0);
}

#[test]
fn nothing_is_sent_while_a_take_runs() {
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 30.0);
    let mut rig = rig(&[console.spec("x32")]);
    let done = rig.apply(&[ask(1, -9.0), ask(2, 6.0)], Who::Remote, true);
    assert!(console.received().is_empty(), "{:?}", console.received());
    for d in &done {
        assert!(d.change.is_none());
        assert!(
            d.problem.as_deref().unwrap().contains("a take is running"),
            "{d:?}"
        );
    }
    assert_eq!(console.gain_db(1), 30.0);
}

#[test]
fn undo_puts_back_the_gains_from_before() {
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 30.0);
    console.set_gain_db(4, 12.5);
    let mut rig = rig(&[console.spec("x32")]);
    rig.apply(&[ask(1, -9.0), ask(4, 6.0)], Who::Gui, false);
    assert_eq!((console.gain_db(1), console.gain_db(4)), (21.0, 18.5));
    let undone = rig.undo(Who::Gui, false);
    assert_eq!(undone.len(), 2);
    assert_eq!((console.gain_db(1), console.gain_db(4)), (30.0, 12.5));
}

#[test]
fn a_console_that_stops_answering_is_unreachable_and_nothing_is_set() {
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 30.0);
    let mut rig = rig(&[console.spec("x32")]);
    console.go_silent();
    let done = rig.apply(&[ask(1, -9.0)], Who::Soundcheck, false);
    let problem = done[0].problem.as_deref().unwrap();
    assert!(problem.contains("unreachable"), "{problem}");
    assert!(done[0].change.is_none());
    // Only queries went out (each try once), never a set.
    let sent = console.received();
    assert!(
        sent.is_empty(),
        "a silent console records nothing: {sent:?}"
    );
    assert_eq!(console.gain_db(1), 30.0);

    // Nothing listening on the port at all.
    let port = std::net::UdpSocket::bind("127.0.0.3:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut gone = rig_for(&format!("x32:127.0.0.3:{port}"));
    let listed = gone.list(2);
    assert_eq!(listed.len(), 2);
    for l in &listed {
        assert_eq!(l.gain_db, None);
        assert!(
            l.problem.as_deref().unwrap().contains("unreachable"),
            "{l:?}"
        );
    }
}

fn rig_for(spec: &str) -> Rig {
    rig(&[spec.to_string()])
}

#[test]
fn xair_uses_two_digit_headamps_from_01() {
    let console = ConsoleSim::start(Dialect::XAir, "127.0.0.2", 40.0);
    let mut rig = rig(&[console.spec("xair")]);
    rig.apply(&[ask(3, -6.0)], Who::Soundcheck, false);
    assert_eq!(
        console.received(),
        vec![
            Received::query("/headamp/03/gain"),
            Received::set("/headamp/03/gain", x32_float(34.0)),
            Received::query("/headamp/03/gain")
        ]
    );
    assert_eq!(console.gain_db(3), 34.0);
    assert!(console.errors().is_empty(), "{:?}", console.errors());
    let listed = rig.list(24);
    assert_eq!(listed.len(), 24);
    assert_eq!(listed[2].gain_db, Some(34.0));
    assert_eq!(listed[0].preamp, "headamp 1");
    assert_eq!(listed[0].range.unwrap().step_db, 0.5);
}

#[test]
fn the_template_mapping_picks_the_headamp() {
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 30.0);
    let specs = vec![console.spec("x32").parse().unwrap()];
    // Input 1 is fed by headamp 9 (preamp number 9: /headamp/008).
    let mapping = BTreeMap::from([(1, 9)]);
    let mut rig = Rig::open(&specs, mapping, PlanLimits::default()).unwrap();
    rig.apply(&[ask(1, -3.0)], Who::Gui, false);
    assert_eq!(console.received()[0], Received::query("/headamp/008/gain"));
    assert_eq!((console.gain_db(9), console.gain_db(1)), (27.0, 30.0));
}

#[test]
fn motu_trim_is_read_then_patched_with_a_whole_db_form_value() {
    let motu = MotuSim::start("127.0.0.2", 4, 30);
    let mut rig = rig(&[motu.spec()]);
    // 30 - 9.5 = 20.5: the trim is whole dB, and halfway goes to the deeper cut: 20.
    let done = rig.apply(&[ask(2, -9.5)], Who::Soundcheck, false);
    assert!(motu.errors().is_empty(), "{:?}", motu.errors());
    let reqs = motu.requests();
    let lines: Vec<(String, String)> = reqs
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    let trim = "/datastore/ext/ibank/0/ch/1/trim";
    assert_eq!(
        lines,
        vec![
            ("GET".to_string(), "/datastore/ext/ibank".to_string()),
            ("GET".to_string(), trim.to_string()),
            ("GET".to_string(), format!("{trim}Range")),
            ("PATCH".to_string(), trim.to_string()),
            ("GET".to_string(), trim.to_string()),
        ]
    );
    assert_eq!(reqs[3].json, Some(json!({"value": 20})));
    assert_eq!(
        reqs[3].content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(motu.value("ext/ibank/0/ch/1/trim"), Some(json!(20)));
    let change = done[0].change.clone().unwrap();
    assert_eq!(
        (change.from_db, change.to_db, change.read_back_db),
        (30.0, 20.0, Some(20.0))
    );
    // Phantom power and pads stayed as they were: only the trim was ever written.
    assert!(
        reqs.iter()
            .filter(|r| r.method != "GET")
            .all(|r| r.path.ends_with("/trim"))
    );
    assert_eq!(motu.value("ext/ibank/0/ch/1/48V"), Some(json!(1)));
}

#[test]
fn motu_raise_is_limited_and_stops_at_the_top_of_the_trim_range() {
    let motu = MotuSim::start("127.0.0.2", 2, 45);
    let mut rig = rig(&[motu.spec()]);
    let done = rig.apply(&[ask(1, 20.0)], Who::Soundcheck, false);
    let change = done[0].change.clone().unwrap();
    // +12 dB is allowed, but trimRange ends at 53.
    assert_eq!(change.to_db, 53.0);
    assert!(change.note.unwrap().contains("top of its range"));
    assert_eq!(motu.value("ext/ibank/0/ch/0/trim"), Some(json!(53)));
    // Inputs 3 and 4 are the line bank's channels (-96..22), after the mics.
    let listed = rig.list(5);
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[2].preamp, "Line In 1");
    let r = listed[2].range.unwrap();
    assert_eq!((r.min_db, r.max_db, r.step_db), (-96.0, 22.0, 1.0));
    assert!(motu.errors().is_empty(), "{:?}", motu.errors());
}

#[test]
fn devices_are_numbered_in_the_order_given() {
    let motu = MotuSim::start("127.0.0.2", 2, 30);
    let console = ConsoleSim::start(Dialect::XAir, "127.0.0.3", 20.0);
    // MOTU's 4 trims are inputs 1-4, the X-Air's headamps from input 5.
    let mut rig = rig(&[motu.spec(), console.spec("xair")]);
    rig.apply(&[ask(5, -2.0)], Who::Gui, false);
    assert_eq!(console.received()[0], Received::query("/headamp/01/gain"));
    assert_eq!(console.gain_db(1), 18.0);
}

#[test]
fn an_input_the_closed_loop_stopped_is_not_changed_again() {
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 30.0);
    let mut rig = rig(&[console.spec("x32")]);
    rig.apply(&[ask(5, 6.0)], Who::Soundcheck, false);
    assert_eq!(console.gain_db(5), 36.0);
    rig.stop(
        5,
        "Input 5: preamp moved +6.0 dB, level did not change: is headamp 5 routed to input 5?"
            .into(),
    );
    console.clear();
    let done = rig.apply(&[ask(5, 6.0), ask(6, -3.0)], Who::Soundcheck, false);
    // Input 5 is left alone, without even a query; input 6 is changed as before.
    assert!(done[0].change.is_none());
    assert!(
        done[0]
            .problem
            .as_deref()
            .unwrap()
            .contains("not changed again"),
        "{:?}",
        done[0]
    );
    assert!(
        console
            .received()
            .iter()
            .all(|m| m.addr == "/headamp/005/gain"),
        "{:?}",
        console.received()
    );
    assert_eq!((console.gain_db(5), console.gain_db(6)), (36.0, 27.0));
}

/// The GUI opened an input with more channels: the preamps' thread reads the gains of all of
/// them from then on, and of fewer when the count shrinks.
#[test]
fn the_preamps_thread_reads_the_inputs_it_is_told_to_watch() {
    use gainstage::preamps::RigConfig;
    use gainstage::preamps::worker::{Board, PreampWorker};
    let console = ConsoleSim::start(Dialect::X32, "127.0.0.2", 30.0);
    console.set_gain_db(2, 24.5);
    console.set_gain_db(4, -3.0);
    let config = RigConfig {
        specs: vec![console.spec("x32").parse().unwrap()],
        ..RigConfig::default()
    };
    let worker = PreampWorker::spawn(config, 1, None, None).unwrap();
    // The thread posts each reading as a new board version; at most a few seconds of them.
    let board_with = |inputs: usize| -> Board {
        let mut seen = 0;
        for _ in 0..500 {
            if let Some(b) = worker.board_since(seen) {
                if b.gains.len() == inputs {
                    return b;
                }
                seen = b.version;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the board never held {inputs} gains");
    };
    let gains =
        |b: &Board| -> Vec<f64> { b.gains.values().map(|g| *g.as_ref().unwrap()).collect() };
    assert_eq!(gains(&board_with(1)), [30.0]);
    worker.watch(4);
    assert_eq!(gains(&board_with(4)), [30.0, 24.5, 30.0, -3.0]);
    worker.watch(2);
    assert_eq!(gains(&board_with(2)), [30.0, 24.5]);
    // Only asked: nothing was set.
    assert!(console.received().iter().all(|m| m.args.is_empty()));
}
