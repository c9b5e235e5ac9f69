//! A take survives its process: `gainstage monitor` is killed with SIGKILL part-way through a
//! take, past its first checkpoint; the next start recovers the take into its session as cut
//! short at the checkpoint, and `gainstage takes` lists it with the signal's bursts, peaks
//! and headroom track up to there: exactly what a run whose take ended at that frame saved.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

#[path = "support/cli.rs"]
mod cli;

use gainstage::takes::TakeReport;
use gainstage::takes::checkpoint::CHECKPOINT_S;

const RATE: u32 = 48_000;
/// The take: marked from 0.5 s to well past where the run is killed.
const TAKE_START_S: f64 = 0.5;
/// Where input 1 clips: a lone full-scale sample, and three in five samples (one burst).
const CLIP_S: f64 = 3.0;
const BURST_S: f64 = 7.5;
/// A clip after the first checkpoint: not in the recovered take when it ends there.
const LATE_CLIP_S: f64 = 15.0;

fn frame(seconds: f64) -> usize {
    (seconds * f64::from(RATE)).round() as usize
}

fn sine(seconds: f64, hz: f64, dbfs: f64) -> Vec<i16> {
    let a = 10f64.powf(dbfs / 20.0) * 32767.0;
    (0..frame(seconds))
        .map(|i| {
            (a * (std::f64::consts::TAU * hz * i as f64 / f64::from(RATE)).sin()).round() as i16
        })
        .collect()
}

/// `seconds` of the test signal as a 16-bit WAV: input 1 a -12 dBFS 440 Hz sine with the
/// clips above, input 2 a clean -20 dBFS 1 kHz sine.
fn write_wav(path: &Path, seconds: f64) {
    let mut in1 = sine(seconds, 440.0, -12.0);
    for s in [CLIP_S, BURST_S, LATE_CLIP_S] {
        if let Some(x) = in1.get_mut(frame(s)) {
            *x = i16::MAX;
        }
    }
    for k in [2, 4] {
        if let Some(x) = in1.get_mut(frame(BURST_S) + k) {
            *x = i16::MAX;
        }
    }
    let in2 = sine(seconds, 1000.0, -20.0);
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for (a, b) in in1.iter().zip(&in2) {
        w.write_sample(*a).unwrap();
        w.write_sample(*b).unwrap();
    }
    w.finalize().unwrap();
}

/// Files in `dir` whose names end with `suffix`.
fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// The reports of a run whose take 0.5-`end_s` ended normally on the same signal: the file
/// stops at `end_s`, so the run ends by itself.
fn reference_take(end_s: f64) -> TakeReport {
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("reference.wav");
    write_wav(&wav, end_s + 0.1);
    let span = format!("{TAKE_START_S}-{end_s}");
    let out = cli::stdout_of(cli::gainstage(home.path()).args([
        "monitor",
        "--file",
        wav.to_str().unwrap(),
        "--json",
        "--interval",
        "1000",
        "--take",
        &span,
    ]));
    let summary: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let mut takes: Vec<TakeReport> = serde_json::from_value(summary["takes"].clone()).unwrap();
    assert_eq!(takes.len(), 1, "{out}");
    // A run that ends in order leaves its session's files and nothing else: no lock, no
    // checkpoint.
    let left: Vec<String> = files_ending(&home.path().join("data/takes"), "")
        .iter()
        .map(|p| p.extension().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["csv", "json"]);
    takes.remove(0)
}

#[test]
fn a_take_killed_mid_way_is_listed_after_restart_as_cut_short_at_its_checkpoint() {
    let home = tempfile::tempdir().unwrap();
    let takes_dir = home.path().join("data/takes");
    let wav = home.path().join("long.wav");
    write_wav(&wav, 30.0);
    let mut child = cli::gainstage(home.path())
        .args(["monitor", "--file", wav.to_str().unwrap(), "--json"])
        .args(["--interval", "200", "--take", "0.5-29"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Its lines, for the frames it dropped: a dropped stretch is a step in the sines, whose
    // true peak is then no longer the signal's.
    let stdout = child.stdout.take().unwrap();
    let lines = std::thread::spawn(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
            .filter_map(|v| v["dropped_frames"].as_u64())
            .max()
    });
    // The first checkpoint is due 10 s of audio into the take; the file plays in real time.
    let deadline = Instant::now() + Duration::from_secs(60);
    let checkpoint = loop {
        if let Some(c) = files_ending(&takes_dir, ".checkpoint").pop() {
            break c;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "monitor ended before checkpointing"
        );
        assert!(Instant::now() < deadline, "no checkpoint within a minute");
        std::thread::sleep(Duration::from_millis(50));
    };
    // SIGKILL: nothing of the process runs after it, no handler, no flush.
    child.kill().unwrap();
    child.wait().unwrap();
    let dropped = lines.join().unwrap();
    assert_eq!(
        dropped,
        Some(0),
        "the killed run dropped audio (a machine too loaded to meter in real time)"
    );
    let name = checkpoint
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let session = name.strip_suffix(".take-1.checkpoint").unwrap().to_string();
    assert!(
        !takes_dir.join(format!("{session}.json")).exists(),
        "the take was never saved"
    );

    // The next start recovers it, and says so.
    let short = home.path().join("short.wav");
    write_wav(&short, 0.2);
    let again = cli::gainstage(home.path())
        .args(["monitor", "--file", short.to_str().unwrap()])
        .output()
        .unwrap();
    cli::assert_success(&again);
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        said.contains(&format!(
            "take 1 of session {session} recovered from a run that stopped without saving it"
        )),
        "{said}"
    );
    assert_eq!(
        files_ending(&takes_dir, ".checkpoint"),
        Vec::<PathBuf>::new()
    );
    assert_eq!(files_ending(&takes_dir, ".lock"), Vec::<PathBuf>::new());

    let listed = cli::stdout_of(cli::gainstage(home.path()).args([
        "takes",
        "--json",
        "--session",
        &session,
    ]));
    let takes: Vec<TakeReport> = serde_json::from_str(&listed).unwrap();
    assert_eq!(takes.len(), 1, "{listed}");
    let take = &takes[0];
    assert_eq!((take.take, take.name.as_str()), (1, "Take 1"));
    assert!(take.cut_short && !take.auto);
    assert_eq!(take.start_s, TAKE_START_S);
    // Cut at a checkpoint: a whole number of checkpoint intervals into the take, exactly.
    let ran = take.end_s - take.start_s;
    let checkpoints = (ran / CHECKPOINT_S as f64).round();
    assert!(checkpoints >= 1.0, "{ran}");
    assert_eq!(ran, checkpoints * CHECKPOINT_S as f64);

    // The signal up to there: input 1's clips as bursts at their times from the take's
    // start, full scale; input 2 clean at its level.
    let (i1, i2) = (&take.inputs[0], &take.inputs[1]);
    let late = take.end_s > LATE_CLIP_S;
    let bursts: Vec<(f64, u64)> = i1
        .bursts
        .iter()
        .map(|b| (b.start_s, b.clipped_samples))
        .collect();
    let mut want = vec![(CLIP_S - TAKE_START_S, 1), (BURST_S - TAKE_START_S, 3)];
    if late {
        want.push((LATE_CLIP_S - TAKE_START_S, 1));
    }
    assert_eq!(bursts, want);
    assert_eq!(i1.clipped_samples, if late { 5 } else { 4 });
    assert_eq!(i1.max_sample_peak_dbfs, Some(0.0));
    assert_eq!((i2.clipped_samples, i2.verdict.as_str()), (0, "clean"));
    assert!(
        (i2.max_sample_peak_dbfs.unwrap() + 20.0).abs() < 0.01,
        "{i2:?}"
    );
    // The headroom track covers the take up to the checkpoint, and reads the signal: the
    // sines' peaks, and full scale in every bin holding a clip. A block's true peak marks
    // every bin the block spans, and blocks (up to 4096 frames) fall where the meter thread
    // found the ring, so bins within a block of a clip may read either.
    let clips: Vec<f64> = [CLIP_S, BURST_S, LATE_CLIP_S]
        .into_iter()
        .filter(|&c| c < take.end_s)
        .map(|c| c - TAKE_START_S)
        .collect();
    let reach = 4096.0 / f64::from(RATE);
    for (input, level) in [(i1, -12.0), (i2, -20.0)] {
        let track = &input.headroom;
        let covered = track.len() as f64 * track.bin_s;
        assert!(
            (covered - ran).abs() <= track.bin_s,
            "{covered} s of track for {ran} s"
        );
        for (k, point) in track.peaks().enumerate() {
            let (from, to) = (k as f64 * track.bin_s, (k + 1) as f64 * track.bin_s);
            let point = f64::from(point.unwrap());
            let clipped = level == -12.0 && clips.iter().any(|&c| (from..to).contains(&c));
            let near = level == -12.0 && clips.iter().any(|&c| c > from - reach && c < to + reach);
            if clipped {
                assert_eq!(point, 0.0, "bin {k} of input {}", input.channel);
            } else if !near {
                assert!(
                    (point - level).abs() <= 0.1,
                    "bin {k} of input {}: {point}",
                    input.channel
                );
            }
        }
    }

    // And all the rest as a run whose take ended at that frame reports it: peaks, counts,
    // bursts, loudness, range, verdicts. Not the advisor's warnings, which follow each run's
    // wall clock, nor the track's bins next to a clip (above).
    let mut reference = reference_take(take.end_s);
    reference.cut_short = true;
    let mut recovered = take.clone();
    for t in [&mut reference, &mut recovered] {
        for i in &mut t.inputs {
            i.warnings.clear();
            i.headroom = gainstage::takes::TrackReport::from_db(0.01, std::iter::empty());
        }
    }
    if recovered != reference {
        // Where they part, rather than two screens of headroom points.
        let lines = |t: &TakeReport| -> Vec<String> {
            serde_json::to_string_pretty(t)
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect()
        };
        let (a, b) = (lines(&recovered), lines(&reference));
        let at = a.iter().zip(&b).position(|(x, y)| x != y);
        panic!(
            "recovered and reference differ at line {at:?} ({} and {} lines): {:?} vs {:?}",
            a.len(),
            b.len(),
            at.map(|i| &a[i.saturating_sub(3)..=i]),
            at.map(|i| &b[i.saturating_sub(3)..=i])
        );
    }
}
