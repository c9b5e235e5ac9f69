//! Takes end to end: a WAV file with clips at known frames played through `gainstage monitor`
//! with two takes marked by `--take`; the reports (summary line, saved JSON and CSV,
//! `gainstage takes`) list each burst at its time with exact counts and the right verdicts.
//! And the session log: a burst of overs is one entry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

#[path = "support/cli.rs"]
mod cli;

use gainstage::advisor::{SourcePreset, WarningKind};
use gainstage::takes::TakeReport;

const RATE: u32 = 48_000;

fn frame(seconds: f64) -> usize {
    (seconds * f64::from(RATE)).round() as usize
}

/// 16-bit WAV of `channels` (interleaved per frame).
fn write_wav(path: &Path, channels: &[Vec<i16>]) {
    let spec = hound::WavSpec {
        channels: u16::try_from(channels.len()).unwrap(),
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..channels[0].len() {
        for ch in channels {
            w.write_sample(ch[i]).unwrap();
        }
    }
    w.finalize().unwrap();
}

fn sine(seconds: f64, hz: f64, dbfs: f64) -> Vec<i16> {
    let a = 10f64.powf(dbfs / 20.0) * 32767.0;
    (0..frame(seconds))
        .map(|i| {
            (a * (std::f64::consts::TAU * hz * i as f64 / f64::from(RATE)).sin()).round() as i16
        })
        .collect()
}

/// Runs the binary in its own home `home` (data in `home/data`).
fn gainstage(home: &Path, args: &[&str]) -> (String, String) {
    let out = cli::gainstage(home).args(args).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{args:?}: {stderr}");
    (stdout, stderr)
}

/// Minimal RFC 4180 reader: enough for quoted cells with commas and doubled quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            let mut cells = vec![String::new()];
            let mut quoted = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, quoted) {
                    ('"', true) if chars.peek() == Some(&'"') => {
                        chars.next();
                        cells.last_mut().unwrap().push('"');
                    }
                    ('"', _) => quoted = !quoted,
                    (',', false) => cells.push(String::new()),
                    _ => cells.last_mut().unwrap().push(c),
                }
            }
            cells
        })
        .collect()
}

/// K-weighted gated loudness of `samples` (i16), by the ebur128 crate: independent of the
/// meter's own gating.
fn reference_lufs(samples: &[i16]) -> f64 {
    let mut e = ebur128::EbuR128::new(1, RATE, ebur128::Mode::I).unwrap();
    let f: Vec<f32> = samples.iter().map(|&s| f32::from(s) / 32768.0).collect();
    e.add_frames_f32(&f).unwrap();
    e.loudness_global().unwrap()
}

#[test]
fn two_takes_list_each_burst_at_its_time_with_exact_counts_and_verdicts() {
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("takes.wav");
    let hot = SourcePreset::Generic.params().hot_dbtp;
    assert!(
        hot < -1.5,
        "the test's hot passage needs room below full scale: {hot}"
    );
    let len = 4.5;
    // Input 1: -12 dBFS, clipped before take 1 (not its), a burst of three overs in four
    // samples from 0.8 s and one over at 1.75 s (0.65 s later: a burst of its own); clean in
    // take 2.
    let mut in1 = sine(len, 440.0, -12.0);
    in1[frame(0.2)] = i16::MAX;
    for s in [0.8, 0.9, 1.1, 1.75] {
        in1[frame(s)] = i16::MAX;
    }
    in1[frame(0.9) + 1] = i16::MAX;
    // Input 2: -20 dBFS, 1 dB above the hot level from 1.0 to 1.5 s (take 1 is hot, not
    // clipped), five overs at the negative code 3.0..3.4 s (take 2).
    let mut in2 = sine(len, 1000.0, -20.0);
    let loud = sine(len, 1000.0, hot + 1.0);
    in2[frame(1.0)..frame(1.5)].copy_from_slice(&loud[frame(1.0)..frame(1.5)]);
    for k in 0..5 {
        in2[frame(3.0 + 0.1 * f64::from(k))] = i16::MIN;
    }
    // Input 3: -24 dBFS throughout, one clip between the takes.
    let mut in3 = sine(len, 300.0, -24.0);
    in3[frame(2.2)] = i16::MAX;
    write_wav(&wav, &[in1.clone(), in2, in3.clone()]);

    let (out, _) = gainstage(
        home.path(),
        &[
            "monitor",
            "--file",
            wav.to_str().unwrap(),
            "--json",
            "--interval",
            "1000",
            "--take",
            "2.5-4.0",
            "--take",
            "0.5-2.0",
        ],
    );
    let summary: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(summary["summary"], true);
    let takes: Vec<TakeReport> = serde_json::from_value(summary["takes"].clone()).unwrap();
    assert_eq!(takes.len(), 2);

    // While a take runs, each line says which (the spans by start: take 1 is 0.5-2.0 s).
    let mut inside = 0;
    for line in out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
    {
        let Some(t) = line["t_s"].as_f64().filter(|_| line["summary"].is_null()) else {
            continue;
        };
        let running = [(1, 0.5, 2.0), (2, 2.5, 4.0)]
            .into_iter()
            .find(|&(_, a, b)| t > a + 0.05 && t < b - 0.05);
        let clear = [0.5, 2.0, 2.5, 4.0]
            .iter()
            .all(|edge| (t - edge).abs() > 0.05);
        match running {
            Some((number, start, _)) => {
                inside += 1;
                assert_eq!(
                    (
                        &line["take"]["number"],
                        &line["take"]["start_s"],
                        &line["take"]["auto"]
                    ),
                    (
                        &serde_json::json!(number),
                        &serde_json::json!(start),
                        &serde_json::json!(false)
                    ),
                    "{line}"
                );
            }
            None if clear => assert!(line.get("take").is_none(), "{line}"),
            None => {}
        }
    }
    assert!(inside >= 2, "lines while a take ran: {inside}");

    let (t1, t2) = (&takes[0], &takes[1]);
    assert_eq!((t1.take, t1.name.as_str()), (1, "Take 1"));
    assert_eq!((t1.start_s, t1.end_s, t1.cut_short), (0.5, 2.0, false));
    assert_eq!((t2.start_s, t2.end_s, t2.cut_short), (2.5, 4.0, false));
    assert_eq!(t1.verdict, "clipped at 00:00.3");
    assert_eq!(t2.verdict, "clipped at 00:00.5");

    // Take 1, input 1: the bursts at 0.3 s and 1.25 s from the take's start.
    let a = &t1.inputs[0];
    assert_eq!((a.clipped_samples, a.overs), (5, 4));
    assert_eq!(a.bursts.len(), 2, "{:?}", a.bursts);
    let b = a.bursts[0];
    assert!((b.start_s - 0.3).abs() <= 0.001, "{b:?}");
    let span = (frame(1.1) + 1 - frame(0.8)) as f64 / f64::from(RATE);
    assert!((b.duration_s - span).abs() <= 0.001, "{b:?}");
    assert_eq!((b.overs, b.clipped_samples), (3, 4));
    assert_eq!(b.max_level_dbfs, Some(0.0));
    let b = a.bursts[1];
    assert!((b.start_s - 1.25).abs() <= 0.001, "{b:?}");
    assert_eq!((b.overs, b.clipped_samples, b.duration_s), (1, 1, 0.0));
    assert_eq!(a.verdict, "clipped at 00:00.3");
    // Its clip warning went up at 0.2 s, before the take: not this take's.
    assert!(!a.warnings.contains(&WarningKind::Clip), "{:?}", a.warnings);

    // Take 1, input 2: hot, never clipped; its peak is the hot passage's.
    let h = &t1.inputs[1];
    assert_eq!(h.verdict, "hot");
    assert_eq!((h.clipped_samples, h.overs, h.bursts.len()), (0, 0, 0));
    let tp = h.max_true_peak_dbtp.unwrap();
    assert!((tp - (hot + 1.0)).abs() < 0.05, "{tp} vs {}", hot + 1.0);

    // Input 3 never clipped in either take (its clip fell between them).
    for t in [t1, t2] {
        let q = &t.inputs[2];
        assert_eq!(q.verdict, "clean");
        assert_eq!((q.clipped_samples, q.overs, q.bursts.len()), (0, 0, 0));
        assert_eq!(q.bursts_not_listed, 0);
        let tp = q.max_true_peak_dbtp.unwrap();
        assert!((tp - -24.0).abs() < 0.05, "{tp}");
        // A take's integrated loudness against ebur128 over the take's own samples.
        let want = reference_lufs(&in3[frame(t.start_s)..frame(t.end_s)]);
        let got = q.integrated_lufs.unwrap();
        assert!((got - want).abs() < 0.1, "{got} vs {want}");
        // 1.5 s takes hold no 3 s window: no range measured.
        assert_eq!(q.loudness_range_lu, None);
        assert_eq!(q.headroom.bin_s, 0.01);
        assert_eq!(q.headroom.len(), 150);
    }

    // Take 2: input 2's burst of five overs 0.5 s in; input 1 clean.
    let c = &t2.inputs[1];
    assert_eq!((c.clipped_samples, c.overs), (5, 5));
    assert_eq!(c.bursts.len(), 1);
    assert!((c.bursts[0].start_s - 0.5).abs() <= 0.001, "{:?}", c.bursts);
    assert!(
        (c.bursts[0].duration_s - 0.4).abs() <= 0.001,
        "{:?}",
        c.bursts
    );
    assert_eq!(c.bursts[0].overs, 5);
    assert_eq!(c.verdict, "clipped at 00:00.5");
    assert!(c.warnings.contains(&WarningKind::Clip), "{:?}", c.warnings);
    let a2 = &t2.inputs[0];
    assert_eq!(
        (a2.verdict.as_str(), a2.clipped_samples, a2.bursts.len()),
        ("clean", 0, 0)
    );
    assert!(
        !a2.warnings.contains(&WarningKind::Clip),
        "{:?}",
        a2.warnings
    );

    // Saved: the same reports as JSON, and CSV that agrees with them.
    let dir = home.path().join("data/takes");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    let saved: Vec<TakeReport> =
        serde_json::from_str(&std::fs::read_to_string(&files[1]).unwrap()).unwrap();
    assert_eq!(saved, takes);
    let csv_text = std::fs::read_to_string(&files[0]).unwrap();
    let rows = parse_csv(&csv_text);
    assert_eq!(rows.len(), 1 + 2 * 3);
    let head = &rows[0];
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    for row in &rows[1..] {
        assert_eq!(row.len(), head.len());
        let take = &takes[row[col("take")].parse::<usize>().unwrap() - 1];
        let input = &take.inputs[row[col("channel")].parse::<usize>().unwrap() - 1];
        assert_eq!(row[col("verdict")], input.verdict);
        assert_eq!(row[col("take_verdict")], take.verdict);
        assert_eq!(
            row[col("clipped_samples")],
            input.clipped_samples.to_string()
        );
        assert_eq!(row[col("overs")], input.overs.to_string());
        assert_eq!(row[col("bursts")], input.bursts.len().to_string());
        let starts: Vec<f64> = row[col("burst_starts_s")]
            .split(';')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        let want: Vec<f64> = input.bursts.iter().map(|b| b.start_s).collect();
        assert_eq!(starts, want);
        let tp: Option<f64> = Some(&row[col("max_true_peak_dbtp")])
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap());
        assert_eq!(tp, input.max_true_peak_dbtp);
    }

    // `gainstage takes` prints what was saved.
    let (json, _) = gainstage(home.path(), &["takes", "--json"]);
    let printed: Vec<TakeReport> = serde_json::from_str(&json).unwrap();
    assert_eq!(printed, takes);
    let (csv, _) = gainstage(home.path(), &["takes", "--csv"]);
    assert_eq!(csv, csv_text);
    let (table, _) = gainstage(home.path(), &["takes"]);
    assert!(
        table.contains("take 1 \"Take 1\" 0.5-2.0 s: clipped at 00:00.3"),
        "{table}"
    );
    assert!(
        table.contains("take 2 \"Take 2\" 2.5-4.0 s: clipped at 00:00.5"),
        "{table}"
    );
}

#[test]
fn a_burst_of_overs_within_half_a_second_is_one_log_entry() {
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("burst.wav");
    // Seven single-sample overs 60 ms apart from 0.3 s: 0.36 s from first to last.
    let mut ch = sine(1.5, 440.0, -12.0);
    for k in 0..7 {
        ch[frame(0.3 + 0.06 * f64::from(k))] = i16::MAX;
    }
    write_wav(&wav, &[ch]);
    gainstage(
        home.path(),
        &[
            "monitor",
            "--file",
            wav.to_str().unwrap(),
            "--json",
            "--interval",
            "1000",
        ],
    );
    let (json, _) = gainstage(home.path(), &["log", "--json"]);
    let entries: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let clips: Vec<_> = entries.iter().filter(|e| e["event"] == "clip").collect();
    assert_eq!(clips.len(), 1, "{json}");
    let c = clips[0];
    assert_eq!(c["channel"], 1);
    assert_eq!(c["count"], 7);
    assert_eq!(c["clipped_samples"], 7);
    assert!(
        (c["stream_s"].as_f64().unwrap() - 0.3).abs() <= 0.001,
        "{c}"
    );
    let span = (frame(0.66) + 1 - frame(0.3)) as f64 / f64::from(RATE);
    assert!(
        (c["duration_s"].as_f64().unwrap() - span).abs() <= 0.001,
        "{c}"
    );
    assert_eq!(c["max_level_dbfs"], 0.0);
    // The clip warning is still raised once.
    let raised = entries
        .iter()
        .filter(|e| e["event"] == "raised" && e["kind"] == "clip")
        .count();
    assert_eq!(raised, 1, "{json}");

    // CSV: one row per JSON entry, the same events and counts.
    let (csv, _) = gainstage(home.path(), &["log", "--csv"]);
    let rows = parse_csv(&csv);
    assert_eq!(rows.len(), entries.len() + 1, "{csv}");
    let head = &rows[0];
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    for (row, e) in rows[1..].iter().zip(&entries) {
        assert_eq!(row.len(), head.len());
        assert_eq!(row[col("event")], e["event"].as_str().unwrap());
        assert_eq!(
            row[col("count")],
            e["count"].as_u64().unwrap_or(0).to_string()
        );
        assert_eq!(row[col("message")], e["message"].as_str().unwrap());
        assert_eq!(row[col("time")], e["time"].as_str().unwrap());
    }
}

#[test]
fn bad_take_spans_are_refused_and_takes_past_the_end_never_start() {
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("short.wav");
    write_wav(&wav, &[sine(0.2, 440.0, -12.0)]);
    let run = |takes: &[&str]| {
        let mut args = vec!["monitor", "--file", wav.to_str().unwrap(), "--json"];
        for t in takes {
            args.extend(["--take", t]);
        }
        let out = cli::gainstage(home.path()).args(&args).output().unwrap();
        assert!(!out.status.success(), "{takes:?} was accepted");
        String::from_utf8(out.stderr).unwrap()
    };
    assert!(run(&["2-1"]).contains("ends before it starts"));
    assert!(run(&["1.5"]).contains("START-END"));
    assert!(run(&["a-2"]).contains("not a time in seconds"));
    let err = run(&["0-2", "1-3"]);
    assert!(err.contains("overlap"), "{err}");
    assert!(!home.path().join("data/takes").exists(), "nothing saved");

    // A take after the end of the file never starts: said on stderr, nothing saved.
    let (out, err) = gainstage(
        home.path(),
        &[
            "monitor",
            "--file",
            wav.to_str().unwrap(),
            "--json",
            "--take",
            "1-2",
        ],
    );
    assert!(err.contains("1 of 1 takes never started"), "{err}");
    let summary: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert!(summary.get("takes").is_none(), "{summary}");
    // The run held its session's lock there while it ran; it leaves nothing behind.
    let left: Vec<_> = std::fs::read_dir(home.path().join("data/takes"))
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "nothing saved: {left:?}");
}

#[test]
fn a_run_of_more_takes_than_it_keeps_in_memory_reports_and_saves_every_one() {
    // 25 touching takes of 0.1 s over a quiet tone, one full-scale sample at 1.05 s: the run
    // keeps only the latest takes in memory and reads the rest back from what it saved.
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("many.wav");
    let mut tone = sine(2.7, 440.0, -30.0);
    tone[frame(1.05)] = i16::MAX;
    write_wav(&wav, &[tone]);
    let spans: Vec<String> = (0..25)
        .map(|k| format!("{:.1}-{:.1}", 0.1 * f64::from(k), 0.1 * f64::from(k + 1)))
        .collect();
    let mut args = vec!["monitor", "--file", wav.to_str().unwrap(), "--json"];
    for s in &spans {
        args.extend(["--take", s.as_str()]);
    }
    let (out, _) = gainstage(home.path(), &args);
    let summary: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let takes: Vec<TakeReport> = serde_json::from_value(summary["takes"].clone()).unwrap();
    assert_eq!(takes.len(), 25);
    for (k, t) in takes.iter().enumerate() {
        assert_eq!(t.take, k + 1);
        assert!(
            (t.start_s - 0.1 * k as f64).abs() < 1e-9,
            "take {}: {}",
            t.take,
            t.start_s
        );
        assert!(
            (t.end_s - 0.1 * (k + 1) as f64).abs() < 1e-9,
            "take {}: {}",
            t.take,
            t.end_s
        );
        let clipped = t.inputs[0].overs;
        assert_eq!(clipped, u64::from(k == 10), "take {}", t.take);
        assert_eq!(
            t.verdict.starts_with("clipped at 00:00.0"),
            k == 10,
            "{}",
            t.verdict
        );
    }
    let (json, _) = gainstage(home.path(), &["takes", "--json"]);
    let saved: Vec<TakeReport> = serde_json::from_str(&json).unwrap();
    assert_eq!(saved, takes);
}

#[test]
fn a_disk_that_refuses_takes_is_told_once_and_the_summary_still_has_them() {
    // A file where the takes directory should be: the run cannot save its take.
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("data")).unwrap();
    std::fs::write(home.path().join("data/takes"), b"in the way").unwrap();
    let (out, err) = gainstage(
        home.path(),
        &[
            "monitor",
            "--demo",
            "--channels",
            "2",
            "--json",
            "--take",
            "0.1-0.3",
            "--duration",
            "1.5",
            "--interval",
            "50",
        ],
    );
    let told: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("take not saved"))
        .collect();
    assert_eq!(told.len(), 2, "once while running, once at the end:\n{err}");
    assert!(told[0].starts_with("gainstage: 1 take not saved yet (trying again every 2 s): "));
    assert!(told[1].starts_with("gainstage: 1 take not saved: "));
    let summary: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let takes: Vec<TakeReport> = serde_json::from_value(summary["takes"].clone()).unwrap();
    assert_eq!(takes.len(), 1);
    assert!((takes[0].end_s - 0.3).abs() < 1e-9);
}
