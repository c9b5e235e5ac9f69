//! Automatic takes on synthesized signals metered by the real meters, fed to the tracker block
//! by block as the meter thread feeds it: each take starts on the first frame of the first
//! loud block and ends exactly the quiet time after the last loud block.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;

use gainstage::meter::{MeterBank, MeterConfig};
use gainstage::takes::{AutoTakeConfig, BlockReading, TakeReport, TakeTracker};

const RATE: u32 = 48_000;
/// 10 ms blocks, as the demo's periods.
const BLOCK: usize = 480;

fn frame(s: f64) -> usize {
    (s * f64::from(RATE)).round() as usize
}

/// A 1 kHz sine at `db` dBFS over `from..to` seconds of `signal`.
fn tone(signal: &mut [f32], from: f64, to: f64, db: f64) {
    let a = 10f64.powf(db / 20.0);
    for (k, s) in signal
        .iter_mut()
        .enumerate()
        .take(frame(to))
        .skip(frame(from))
    {
        *s = (a * (2.0 * std::f64::consts::PI * 1000.0 * k as f64 / f64::from(RATE)).sin()) as f32;
    }
}

/// Meters `inputs` (planar, equal lengths) as the meter thread does: blocks of at most
/// `BLOCK`, cut at every boundary the tracker names, the loudest sample peak handed over
/// before each block's channels. Returns the reports and, per block, its start frame.
fn run(inputs: &[Vec<f32>], config: AutoTakeConfig) -> (Vec<TakeReport>, Vec<usize>) {
    let n = inputs[0].len();
    let mut bank = MeterBank::new(inputs.len(), RATE, &MeterConfig::default()).unwrap();
    let mut t = TakeTracker::new(inputs.len(), RATE, &[], &[]);
    t.set_auto(Some(config), 0);
    let mut f = 0;
    let mut starts = Vec::new();
    while f < n {
        let mut len = BLOCK.min(n - f);
        if let Some(b) = t.next_boundary(f as u64) {
            len = len.min(b as usize - f);
        }
        let blocks: Vec<&[f32]> = inputs.iter().map(|i| &i[f..f + len]).collect();
        bank.process_planar(&blocks);
        let loudest = (0..inputs.len())
            .map(|c| bank.meter(c).block_peaks().0)
            .fold(0.0, f64::max);
        t.auto_block(f as u64, len as u64, loudest);
        for c in 0..inputs.len() {
            let m = bank.meter(c);
            let (sample_peak, true_peak) = m.block_peaks();
            let r = BlockReading {
                sample_peak,
                true_peak,
                clips: m.block_clips(),
                gating: m.latest_gating(),
            };
            t.block(c, f as u64, len as u64, &r);
        }
        starts.push(f);
        f += len;
        t.advance_to(f as u64);
    }
    t.finish(n as u64);
    (t.reports().to_vec(), starts)
}

const CONFIG: AutoTakeConfig = AutoTakeConfig {
    level_dbfs: -30.0,
    rise_s: 0.3,
    quiet_s: 1.5,
};

#[test]
fn a_held_note_is_a_take_from_its_first_block_to_the_quiet_time_after_its_last() {
    // Input 1: a 0.1 s blip at 0.5 s (too short), then a note from 2.005 s to 4.0 s with
    // one clipped sample at 3.0 s. Input 2: a note under the level all along, then one over
    // it from 6.0 s to 6.5 s. 10 s in all.
    let mut a = vec![0.0f32; frame(10.0)];
    let mut b = vec![0.0f32; frame(10.0)];
    tone(&mut a, 0.5, 0.6, -12.0);
    tone(&mut a, 2.005, 4.0, -12.0);
    a[frame(3.0)] = 1.0;
    tone(&mut b, 0.0, 6.0, -40.0);
    tone(&mut b, 6.0, 6.5, -20.0);
    let (takes, starts) = run(&[a, b], CONFIG);
    assert_eq!(takes.len(), 2, "{takes:#?}");

    // 2.005 s lies in the block starting at 2.0 s: the take starts there.
    let first = &takes[0];
    let block_of = |s: f64| *starts.iter().rev().find(|&&f| f <= frame(s)).unwrap();
    assert_eq!(block_of(2.005), frame(2.0));
    assert_eq!(first.take, 1, "the dropped blip took no number");
    assert_eq!(first.name, "Take 1");
    assert_eq!(first.start_s, 2.0);
    // The note's last sample is in the block ending at 4.0 s; 1.5 s of quiet after it.
    assert_eq!(first.end_s, 5.5);
    assert!(!first.cut_short);
    assert_eq!(first.inputs[0].overs, 1);
    assert_eq!(first.inputs[0].bursts[0].start_s, 1.0);
    assert_eq!(first.verdict, "clipped at 00:01.0");

    let second = &takes[1];
    assert_eq!((second.take, second.start_s, second.end_s), (2, 6.0, 8.0));
    assert_eq!(second.verdict, "clean");
    assert_eq!(
        second.inputs[1].max_sample_peak_dbfs.map(f64::round),
        Some(-20.0)
    );
}

#[test]
fn a_take_still_sounding_when_the_stream_ends_is_cut_there_and_off_means_none() {
    let mut a = vec![0.0f32; frame(3.0)];
    tone(&mut a, 1.0, 3.0, -6.0);
    let (takes, _) = run(std::slice::from_ref(&a), CONFIG);
    assert_eq!(takes.len(), 1);
    assert_eq!((takes[0].start_s, takes[0].end_s), (1.0, 3.0));

    // A level the note never reaches: no take.
    let high = AutoTakeConfig {
        level_dbfs: -3.0,
        ..CONFIG
    };
    assert!(run(&[a], high).0.is_empty());
}

#[test]
fn a_rise_shorter_than_the_rise_time_by_one_block_is_no_take() {
    // 0.29 s above the level, then quiet: 29 blocks, one short of 0.3 s.
    let mut a = vec![0.0f32; frame(4.0)];
    tone(&mut a, 1.0, 1.29, -12.0);
    assert!(run(std::slice::from_ref(&a), CONFIG).0.is_empty());
    // One block more is enough: the take runs from 1.0 s to 1.3 + 1.5 s.
    tone(&mut a, 1.29, 1.30, -12.0);
    let (takes, _) = run(&[a], CONFIG);
    assert_eq!(takes.len(), 1);
    assert_eq!((takes[0].start_s, takes[0].end_s), (1.0, 2.8));
}

/// End to end: `monitor --file` with automatic takes on a WAV of silence, a note from 1.0 s to
/// 2.5 s and silence to 6 s. The meter thread meters whole 10 ms periods, several at once when
/// it falls behind (at most its 4096-frame block), so the take starts on a period boundary
/// no later than 1.0 s and at most one block earlier, and ends 1.5 s after the block holding
/// the note's last sample.
#[test]
fn monitor_marks_an_automatic_take_around_a_note_in_a_file() {
    let home = tempfile::tempdir().unwrap();
    let wav = home.path().join("note.wav");
    let mut note = vec![0.0f32; frame(6.0)];
    tone(&mut note, 1.0, 2.5, -12.0);
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for s in &note {
        w.write_sample(*s).unwrap();
    }
    w.finalize().unwrap();
    let out = cli::gainstage(home.path())
        .args([
            "monitor",
            "--file",
            wav.to_str().unwrap(),
            "--json",
            "--interval",
            "1000",
        ])
        .args(["--auto-take-level", "-30", "--auto-take-quiet", "1.5"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let takes: Vec<TakeReport> = serde_json::from_value(summary["takes"].clone()).unwrap();
    assert_eq!(takes.len(), 1, "{takes:#?}");
    let t = &takes[0];
    let block = 4096.0 / f64::from(RATE);
    let on_period = |s: f64| ((s * 100.0).round() - s * 100.0).abs() < 1e-6;
    assert!(t.start_s <= 1.0 && t.start_s > 1.0 - block, "{}", t.start_s);
    assert!(on_period(t.start_s), "{}", t.start_s);
    assert!(t.end_s >= 4.0 && t.end_s < 4.0 + block, "{}", t.end_s);
    assert!(on_period(t.end_s), "{}", t.end_s);
    assert!(!t.cut_short);
    assert_eq!(
        t.inputs[0].max_sample_peak_dbfs.map(f64::round),
        Some(-12.0)
    );

    // Out of range: refused before anything runs.
    let bad = cli::gainstage(home.path())
        .args([
            "monitor",
            "--file",
            wav.to_str().unwrap(),
            "--auto-take-level",
            "6",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not between -120 and 0"));
}
