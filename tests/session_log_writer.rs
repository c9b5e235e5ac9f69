//! The session log never holds up metering: a disk that stalls (a FIFO nobody reads) or fills
//! (a file-size limit in a child process) costs no audio, the snapshot says the log failed
//! and why, and every entry not written is counted; a line the disk cut short is closed
//! before the next entry. Entries go into the file of their local day, so a session that runs
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

const RATE: u32 = 8_000;
const CHANNELS: usize = 256;
/// Frames per 10 ms period.
const PERIOD: usize = (RATE / 100) as usize;
/// A full-scale sample on every channel this often: just over the 0.5 s that makes clips one
/// burst, so every clip is a burst of its own and a log entry: about 500 entries a second
/// over 256 channels (8 kHz keeps the metering load that of 32 channels at 48 kHz).
const CLIP_EVERY: u64 = 4_100;

fn info() -> SourceInfo {
    SourceInfo {
        host: "test".into(),
        device: "clips".into(),
        device_id: "test:clips".into(),
        sample_rate: RATE,
        channels: CHANNELS,
        buffer_frames: Some(PERIOD as u32),
        sample_format: "f32".into(),
        is_demo: false,
        channel_names: Vec::new(),
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
    let period = PERIOD;
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

/// The file-size limit a full-disk child runs under (KiB), and how it is told it is one.
const FULL_AT_KIB: u64 = 16;
const FULL_DISK_CHILD: &str = "GAINSTAGE_TEST_FULL_DISK_CHILD";

/// Runs the test `name` of this binary again in a child whose files cannot grow past
/// [`FULL_AT_KIB`] (`RLIMIT_FSIZE`, the soft limit only, so the child may raise it again):
/// a disk that fills part-way through a write, with no file system mounted, so it runs for
/// any user. The child ignores SIGXFSZ (inherited through exec) and gets `EFBIG` instead.
/// Returns false in the child, which then runs the test's body.
fn in_full_disk_child(name: &str) -> bool {
    if std::env::var_os(FULL_DISK_CHILD).is_some() {
        return false;
    }
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -S -f {FULL_AT_KIB}; exec \"$0\" \"$1\" --exact --nocapture --test-threads 1"
        ))
        .arg(std::env::current_exe().unwrap())
        .arg(name)
        .env(FULL_DISK_CHILD, "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{text}");
    assert!(out.status.success(), "the child failed: {text}");
    // The filter matched the test: a child that ran nothing proves nothing.
    assert!(text.contains("1 passed"), "{text}");
    true
}

/// A log file that reaches the size limit part-way through a line: the entries before are
/// written, the rest fail with "File too large", every failure is counted (the entries
/// handed to the log are exactly those in the file plus those counted) and metering loses
/// no audio.
#[test]
fn a_full_disk_costs_no_audio_and_every_unwritten_entry_is_counted() {
    if in_full_disk_child("a_full_disk_costs_no_audio_and_every_unwritten_entry_is_counted") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sessions = dir.path().join("sessions");
    let s = run_session(&sessions, 3, |log| log.written + log.failed == log.entries);
    let log = &s.log;
    let file = today_file(&sessions);
    let in_file = read_entries(&sessions, None).unwrap().len() as u64;
    eprintln!("full disk: {in_file} entries in the file, {log:?}");
    assert_eq!(
        std::fs::metadata(&file).unwrap().len(),
        FULL_AT_KIB * 1024,
        "filled to the limit"
    );
    assert!(in_file > 10, "16 KiB holds some entries: {log:?}");
    assert!(log.failed > 100, "the disk was full: {log:?}");
    assert_eq!(log.written, in_file, "{log:?}");
    assert_eq!(log.failed, log.entries - in_file, "{log:?}");
    let why = log.error.as_deref().unwrap();
    assert!(why.contains("File too large"), "{why}");
    assert!(
        log.problem()
            .unwrap()
            .ends_with(&format!(", {} entries not written", log.failed)),
        "{:?}",
        log.problem()
    );
}

/// An entry the full disk took only part of is not glued to the next one: once there is
/// room again, the cut line is closed first (and counted), every later entry is a line of
/// its own, and the file reads as the entries written and one line cut short.
#[cfg(target_os = "linux")]
#[test]
fn a_line_the_full_disk_cut_short_is_closed_before_the_next_entry() {
    if in_full_disk_child("a_line_the_full_disk_cut_short_is_closed_before_the_next_entry") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let writer = LogWriter::spawn(dir.path().to_path_buf(), Calendar::utc_offset(0)).unwrap();
    let at = "2026-11-28T12:00:00.000Z";
    // Every line the same length, which does not divide the limit: the limit falls inside
    // a line.
    let line_len = serde_json::to_string(&entry_at(at, 1000)).unwrap().len() as u64 + 1;
    assert_ne!(FULL_AT_KIB * 1024 % line_len, 0, "{line_len}");
    let fits = FULL_AT_KIB * 1024 / line_len;
    let before = fits + 20;
    for n in 1000..1000 + before {
        writer.submit(entry_at(at, n));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut writer = writer;
    while {
        let h = writer.health();
        h.written + h.failed < before
    } {
        assert!(Instant::now() < deadline, "{:?}", writer.health());
        std::thread::sleep(Duration::from_millis(5));
    }
    let full = writer.health();
    assert_eq!((full.written, full.failed, full.cut_lines), (fits, 20, 0));
    // Room again: the soft limit back to the hard one.
    let hard = rustix::process::getrlimit(rustix::process::Resource::Fsize).maximum;
    rustix::process::setrlimit(
        rustix::process::Resource::Fsize,
        rustix::process::Rlimit {
            current: hard,
            maximum: hard,
        },
    )
    .unwrap();
    for n in 2000..2010 {
        writer.submit(entry_at(at, n));
    }
    let done = writer.finish();
    assert_eq!(
        (done.entries, done.written, done.failed, done.cut_lines),
        (before + 10, fits + 10, 20, 1)
    );
    let text = std::fs::read_to_string(dir.path().join("2026-11-28.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len() as u64, fits + 1 + 10);
    let parsed: Vec<Option<u64>> = lines
        .iter()
        .map(|l| serde_json::from_str::<LogEntry>(l).ok().map(|e| e.count))
        .collect();
    let want: Vec<Option<u64>> = (1000..1000 + fits)
        .map(Some)
        .chain([None])
        .chain((2000..2010).map(Some))
        .collect();
    assert_eq!(parsed, want);
    // The cut line is the next entry's first bytes, up to the limit.
    let cut = lines[fits as usize];
    assert_eq!(cut.len() as u64, FULL_AT_KIB * 1024 - fits * line_len);
    assert!(
        serde_json::to_string(&entry_at(at, 1000 + fits))
            .unwrap()
            .starts_with(cut)
    );
    assert!(text.ends_with('\n'));
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
