//! A flood of commands costs no audio: a sender hammering the meter thread with take starts
//! and resets (a token holder's script) is refused once the queue is full or the take
//! commands come faster than their rate, never waited on, while a device pushes audio at
//! real-time pace and no frame is dropped. The takes that were let through are the takes
//! reported. And checkpoints go where a command points them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use gainstage::capture::commander::{COMMAND_QUEUE, TAKE_COMMAND_BURST, TAKE_COMMANDS_PER_S};
use gainstage::capture::{MeterCommand, Refused, Session, SessionConfig};
use gainstage::meter::ClipRule;
use gainstage::snapshot::SourceInfo;

const RATE: u32 = 48_000;
const CHANNELS: usize = 8;
const PERIOD: usize = 480;

#[derive(Debug, Default)]
struct Counts {
    takes_ok: u64,
    too_fast: u64,
    resets_ok: u64,
    busy: u64,
}

#[test]
fn a_command_flood_is_refused_and_costs_no_audio() {
    let info = SourceInfo {
        host: "test".into(),
        device: "flood".into(),
        device_id: "test:flood".into(),
        sample_rate: RATE,
        channels: CHANNELS,
        buffer_frames: Some(PERIOD as u32),
        sample_format: "f32".into(),
        is_demo: false,
        channel_names: Vec::new(),
        clip_rule: ClipRule::for_format(true, f64::NAN),
    };
    let (session, mut callback) = Session::start_custom(info, &SessionConfig::default()).unwrap();
    let mut reader = session.reader();
    let commander = session.commander();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let started = Instant::now();
    let flood = std::thread::spawn(move || {
        let mut n = Counts::default();
        while !flag.load(Ordering::Acquire) {
            match commander.send(MeterCommand::StartTake(String::new())) {
                Ok(()) => n.takes_ok += 1,
                Err(Refused::TooFast) => n.too_fast += 1,
                // Let through by the rate, but the resets filled the queue.
                Err(Refused::Busy) => n.busy += 1,
                Err(e) => panic!("take start refused as {e}"),
            }
            for _ in 0..64 {
                match commander.send(MeterCommand::ResetAll) {
                    Ok(()) => n.resets_ok += 1,
                    Err(Refused::Busy) => n.busy += 1,
                    Err(e) => panic!("reset refused as {e}"),
                }
            }
        }
        n
    });
    // Two seconds of a -12 dBFS square on every channel, at the pace of a device.
    let block = vec![0.25f32; PERIOD * CHANNELS];
    let periods = 2 * RATE as usize / PERIOD;
    for k in 0..periods {
        callback.process(&block);
        let due = started + Duration::from_micros(10_000 * (k as u64 + 1));
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        if let Some(s) = reader.read() {
            assert_eq!(s.dropped_frames, 0, "audio lost at {} s", s.t_s);
        }
    }
    stop.store(true, Ordering::Release);
    let n = flood.join().unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!("{n:?} in {elapsed:.2} s");
    // The take commands let through: the burst, then the rate, over the time it ran.
    assert!(n.takes_ok > 0, "{n:?}");
    assert!(
        n.takes_ok as f64 <= TAKE_COMMAND_BURST + TAKE_COMMANDS_PER_S * elapsed,
        "{n:?} in {elapsed} s"
    );
    assert!(
        n.too_fast > 1000,
        "the flood was refused, not queued: {n:?}"
    );
    assert!(n.resets_ok >= COMMAND_QUEUE as u64, "{n:?}");
    drop(session);
    let last = reader.read().unwrap();
    assert_eq!(last.dropped_frames, 0);
    // Every take let through started one (ending the one before); stopping ended the last.
    assert_eq!(last.takes.last().map(|t| t.take as u64), Some(n.takes_ok));
}

/// A reader that claims its take session after the capture started (the GUI) hands the meter
/// thread the place for checkpoints by command: the running take is checkpointed there at
/// 10 s of audio from its start, on that frame, cut short there.
#[test]
fn checkpoints_go_where_a_command_points_them_from_then_on() {
    use gainstage::takes::checkpoint::{self, CHECKPOINT_S, CheckpointTarget};
    use gainstage::takes::lock::SessionLock;
    let dir = tempfile::tempdir().unwrap();
    let (name, lock) = SessionLock::claim_new(dir.path(), "gui").unwrap();
    let info = one_channel("gui");
    let (session, mut callback) = Session::start_custom(info, &SessionConfig::default()).unwrap();
    let mut reader = session.reader();
    let target = CheckpointTarget {
        dir: dir.path().to_path_buf(),
        session: name.clone(),
        lock: Arc::new(lock),
    };
    session.send(MeterCommand::Checkpoints(Some(target)));
    session.send(MeterCommand::StartTake("Verse".into()));
    // Half a second of audio at a time, each metered before the next (no frame dropped), up
    // to 10.5 s: past the take's first checkpoint.
    let half = vec![0.5f32; RATE as usize / 2];
    let deadline = Instant::now() + Duration::from_secs(60);
    let file = checkpoint::path(dir.path(), &name, 1);
    for k in 1..=21u32 {
        callback.process(&half);
        while reader.read().is_none_or(|s| s.t_s < f64::from(k) * 0.5) {
            assert!(Instant::now() < deadline, "the meter thread stalled");
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    while !file.exists() {
        assert!(Instant::now() < deadline, "no checkpoint");
        std::thread::sleep(Duration::from_millis(5));
    }
    let saved: gainstage::takes::TakeReport =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let start = saved.start_s;
    assert_eq!(saved.name, "Verse");
    assert!(saved.cut_short);
    assert!(start < 0.5, "started with the first audio: {start}");
    assert_eq!(saved.end_s - start, CHECKPOINT_S as f64);
    assert_eq!(saved.inputs[0].max_sample_peak_dbfs, Some(-6.02));
    drop(session);
    assert_eq!(reader.read().unwrap().dropped_frames, 0);
}

/// A takes directory that refuses writes (a path under a regular file: root ignores
/// permissions, not that) is reported in the snapshot: every checkpoint due, counted, with the
/// disk's reason, and none claimed written.
#[test]
fn checkpoints_the_disk_refuses_are_counted_in_the_snapshot() {
    use gainstage::takes::checkpoint::{CHECKPOINT_S, CheckpointTarget};
    use gainstage::takes::lock::SessionLock;
    let dir = tempfile::tempdir().unwrap();
    let (name, lock) = SessionLock::claim_new(dir.path(), "refused").unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"").unwrap();
    let info = one_channel("refused");
    let (session, mut callback) = Session::start_custom(info, &SessionConfig::default()).unwrap();
    let mut reader = session.reader();
    session.send(MeterCommand::Checkpoints(Some(CheckpointTarget {
        dir: file.join("takes"),
        session: name,
        lock: Arc::new(lock),
    })));
    session.send(MeterCommand::StartTake("Verse".into()));
    // Two checkpoints fall due (10 s and 20 s into the take) in 25 s of audio, fed half a
    // second at a time, each metered before the next.
    let due = 2u64;
    let fed_s = 25.0;
    assert!(fed_s < (due + 1) as f64 * CHECKPOINT_S as f64);
    let half = vec![0.25f32; RATE as usize / 2];
    let mut snapshot = None;
    for k in 1..=(fed_s * 2.0) as u32 {
        callback.process(&half);
        snapshot = Some(wait_for(&mut reader, f64::from(k) * 0.5));
    }
    // The keeper writes off the meter thread: its last failure shows in a later snapshot.
    // Short periods keep the audio short of the next checkpoint.
    let period = vec![0.25f32; PERIOD];
    let mut t = fed_s;
    let last = loop {
        let s = snapshot.take().unwrap();
        if s.checkpoints.failed >= due || t + 0.1 >= (due + 1) as f64 * CHECKPOINT_S as f64 {
            break s;
        }
        std::thread::sleep(Duration::from_millis(5));
        callback.process(&period);
        t += PERIOD as f64 / f64::from(RATE);
        snapshot = Some(wait_for(&mut reader, t - 1e-6));
    };
    let health = &last.checkpoints;
    assert_eq!(health.failed, due, "{health:?}");
    assert_eq!(health.written, 0);
    let why = health.error.as_deref().unwrap_or("");
    assert!(why.contains("not-a-dir"), "names the place: {why}");
    let shown = health.problem().unwrap();
    assert!(
        shown.starts_with("take checkpoints failed: ") && shown.contains(", 2 not written"),
        "{shown}"
    );
    assert!(!file.join("takes").exists());
    drop(session);
    assert_eq!(reader.read().unwrap().dropped_frames, 0);
}

/// The first snapshot at or past `t_s`, waiting for the meter thread as long as it takes.
fn wait_for(
    reader: &mut gainstage::capture::SnapshotReader,
    t_s: f64,
) -> gainstage::snapshot::Snapshot {
    loop {
        if let Some(s) = reader.read().filter(|s| s.t_s >= t_s) {
            return s;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A one-channel float device named `device`, at this file's rate and period.
fn one_channel(device: &str) -> SourceInfo {
    SourceInfo {
        host: "test".into(),
        device: device.into(),
        device_id: format!("test:{device}"),
        sample_rate: RATE,
        channels: 1,
        buffer_frames: Some(PERIOD as u32),
        sample_format: "f32".into(),
        is_demo: false,
        channel_names: Vec::new(),
        clip_rule: ClipRule::for_format(true, f64::NAN),
    }
}
