//! The session log never holds up metering: a disk that stalls (a FIFO nobody reads) or fills
//! (a full tmpfs) costs no audio, the snapshot says the log failed and why, and every entry
//! not written is counted. Entries go into the file of their local day, so a session that runs
//! past midnight moves on to the next day's file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use gainstage::advisor::log_writer::QUEUE_ENTRIES;
use gainstage::advisor::session_log::read_entries;
use gainstage::advisor::{Calendar, LogEntry, LogEvent, LogEventKind, LogHealth, LogWriter};
use gainstage::capture::{Session, SessionConfig};
use gainstage::meter::ClipRule;
use gainstage::snapshot::{Snapshot, SourceInfo};

const RATE: u32 = 48_000;
const CHANNELS: usize = 32;
/// A full-scale sample on every channel this often: every judgement (50 ms) sees new overs on
/// every channel, so the advisor produces about 640 entries a second.
const CLIP_EVERY: u64 = 1200;

fn info() -> SourceInfo {
    SourceInfo {
        host: "test".into(),
        device: "clips".into(),
        device_id: "test:clips".into(),
        sample_rate: RATE,
        channels: CHANNELS,
        buffer_frames: Some(480),
        sample_format: "f32".into(),
        is_demo: false,
        clip_rule: ClipRule::for_format(true, f64::NAN),
    }
}

/// Runs a session logging into `dir`: `seconds` of audio pushed at real-time pace in 10 ms
/// periods, as a device would. Then waits until the advisor has nothing more to say and
/// `settled` holds for the log. Returns the last snapshot; asserts no frame was dropped at
/// any moment.
fn run_session(dir: &Path, seconds: u64, settled: impl Fn(&LogHealth) -> bool) -> Snapshot {
    let config = SessionConfig {
        session_log: true,
        log_dir: Some(dir.to_path_buf()),
        ..SessionConfig::default()
    };
    let (session, mut callback) = Session::start_custom(info(), &config).unwrap();
    let mut reader = session.reader();
    let period = 480usize;
    let mut block = vec![0.0f32; period * CHANNELS];
    let start = Instant::now();
    let mut frame: u64 = 0;
    let check = |reader: &mut gainstage::capture::SnapshotReader| {
        let s = reader.read();
        if let Some(s) = &s {
            assert_eq!(s.dropped_frames, 0, "metering lost audio at t={}", s.t_s);
        }
        s
    };
    for k in 0..seconds * 100 {
        block.fill(0.0);
        for i in 0..period {
            if (frame + i as u64).is_multiple_of(CLIP_EVERY) {
                block[i * CHANNELS..(i + 1) * CHANNELS].fill(1.0);
            }
        }
        callback.process(&block);
        frame += period as u64;
        let due = start + Duration::from_millis(10 * (k + 1));
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        check(&mut reader);
    }
    // The advisor judges 20 times a second; the audio clock has stopped, so after the last
    // judgement of the last audio nothing more happens. Wait for the count to stand still.
    let guard = Instant::now() + Duration::from_secs(60);
    let mut last: Option<Snapshot> = None;
    let mut still = 0;
    loop {
        assert!(Instant::now() < guard, "the session log never settled");
        std::thread::sleep(Duration::from_millis(20));
        let Some(s) = check(&mut reader) else {
            continue;
        };
        if last
            .as_ref()
            .is_some_and(|l| l.log == s.log && settled(&s.log))
        {
            still += 1;
        } else {
            still = 0;
        }
        last = Some(s);
        if still >= 25 {
            break;
        }
    }
    drop(session);
    last.unwrap()
}

fn today_file(dir: &Path) -> PathBuf {
    dir.join(format!(
        "{}.jsonl",
        Calendar::system().day(SystemTime::now())
    ))
}

/// A FIFO nobody reads stalls the writer in its first `open` forever: the queue fills and
/// everything after it is counted, exactly, while metering carries on.
#[test]
fn a_stalled_disk_costs_no_audio_and_every_unwritten_entry_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = today_file(dir.path());
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo (coreutils) must work");
    // Held by the writer: the entry it is trying to write, and a full queue.
    let stuck = QUEUE_ENTRIES as u64 + 1;
    let s = run_session(dir.path(), 4, |log| log.entries > stuck);
    let log = &s.log;
    eprintln!("stalled disk: {log:?}");
    assert!(
        log.entries > stuck + 500,
        "too few entries to fill the queue: {log:?}"
    );
    assert_eq!(log.written, 0);
    assert_eq!(log.failed, log.entries - stuck, "{log:?}");
    let problem = log.problem().unwrap();
    assert_eq!(
        problem,
        format!(
            "session log failed: the disk is not keeping up (writing stalls), {} entries not written",
            log.entries - stuck
        )
    );

    // Someone reads at last: the writer gets its entries out, and no more than those, then
    // ends because the session is gone.
    let text = std::fs::read_to_string(&fifo).unwrap();
    let lines: Vec<LogEntry> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, stuck);
    assert!(
        lines
            .iter()
            .all(|e| e.event == LogEventKind::Clip || e.event == LogEventKind::Raised)
    );
}

/// Unmounts on drop, however the test ends.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A log directory on a small tmpfs with room for a few entries only: the first ones are
/// written, the rest fail with "No space left on device", and every failure is counted: the
/// entries handed to the log are exactly those in the file plus those counted.
#[test]
fn a_full_disk_costs_no_audio_and_every_unwritten_entry_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path().join("small");
    std::fs::create_dir(&mount).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "gainstage-test"])
        .arg(&mount)
        .output();
    let Ok(out) = mounted else {
        eprintln!("SKIPPED: cannot run mount(8); the FIFO test covers a stalled disk");
        return;
    };
    if !out.status.success() {
        eprintln!(
            "SKIPPED: mounting a tmpfs was refused ({}); run as root to test a full disk",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return;
    }
    let _unmount = Mounted(mount.clone());
    let sessions = mount.join("sessions");
    std::fs::create_dir(&sessions).unwrap();
    // Fill the file system, then free one page: room for a dozen or so entries.
    let filler_path = mount.join("filler");
    let mut filler = std::fs::File::create(&filler_path).unwrap();
    let page = vec![0u8; 4096];
    loop {
        use std::io::Write;
        if filler.write_all(&page).is_err() {
            break;
        }
    }
    let len = filler.metadata().unwrap().len();
    filler.set_len(len - len % 4096 - 4096).unwrap();
    drop(filler);

    let s = run_session(&sessions, 3, |log| log.written + log.failed == log.entries);
    let log = &s.log;
    let in_file = read_entries(&sessions, None).unwrap().len() as u64;
    eprintln!("full disk: {in_file} entries in the file, {log:?}");
    assert!(in_file > 0, "one free page holds some entries: {log:?}");
    assert!(log.failed > 100, "the disk was full: {log:?}");
    assert_eq!(log.written, in_file, "{log:?}");
    assert_eq!(log.failed, log.entries - in_file, "{log:?}");
    let why = log.error.as_deref().unwrap();
    assert!(why.contains("No space left on device"), "{why}");
    assert!(
        log.problem()
            .unwrap()
            .ends_with(&format!(", {} entries not written", log.failed)),
        "{:?}",
        log.problem()
    );
}

fn entry_at(rfc3339: &str, n: u64) -> LogEntry {
    let event = LogEvent {
        channel: 1,
        event: LogEventKind::Clip,
        kind: None,
        count: n,
        message: format!("Input 1: {n} new overs"),
        level_dbtp: Some(0.0),
    };
    LogEntry::new(
        humantime::parse_rfc3339(rfc3339).unwrap(),
        "Kick",
        0.0,
        &event,
    )
}

/// Two hours east of UTC, local midnight is 22:00 UTC: entries on either side of it go to
/// the files of their own local days, in the order they came.
#[test]
fn the_log_moves_to_the_next_days_file_at_local_midnight() {
    let dir = tempfile::tempdir().unwrap();
    let writer =
        LogWriter::spawn(dir.path().to_path_buf(), Calendar::utc_offset(2 * 3600)).unwrap();
    writer.submit(entry_at("2026-11-28T21:59:59.500Z", 1));
    writer.submit(entry_at("2026-11-28T21:59:59.999Z", 2));
    writer.submit(entry_at("2026-11-28T22:00:00.000Z", 3));
    writer.submit(entry_at("2026-11-29T05:00:00.000Z", 4));
    let health = writer.finish();
    assert_eq!((health.entries, health.written, health.failed), (4, 4, 0));
    assert_eq!(health.problem(), None);
    let counts = |day: &str| -> Vec<u64> {
        std::fs::read_to_string(dir.path().join(format!("{day}.jsonl")))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<LogEntry>(l).unwrap().count)
            .collect()
    };
    assert_eq!(counts("2026-11-28"), [1, 2]);
    assert_eq!(counts("2026-11-29"), [3, 4]);
    // `gainstage log` reads across the days.
    let all: Vec<u64> = read_entries(dir.path(), None)
        .unwrap()
        .iter()
        .map(|e| e.count)
        .collect();
    assert_eq!(all, [1, 2, 3, 4]);
    // The same moments in UTC stay on one day.
    let utc = tempfile::tempdir().unwrap();
    let writer = LogWriter::spawn(utc.path().to_path_buf(), Calendar::utc_offset(0)).unwrap();
    writer.submit(entry_at("2026-11-28T21:59:59.500Z", 1));
    writer.submit(entry_at("2026-11-28T22:00:00.000Z", 3));
    writer.finish();
    let names: Vec<_> = std::fs::read_dir(utc.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["2026-11-28.jsonl"]);
}
