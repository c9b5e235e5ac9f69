//! The callback → ring → meter worker → readers path, driven step by step so a stalled meter
//! thread and skipped snapshots can be staged exactly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::mpsc;

use gainstage::capture::MeterCommand;
use gainstage::capture::callback::{CallbackState, ring};
use gainstage::capture::publish::{Board, SnapshotReader};
use gainstage::capture::shared::Shared;
use gainstage::capture::worker::{MeterWorker, WorkerInputs};
use gainstage::meter::MeterConfig;
use gainstage::meter::clip::DEFAULT_FLOAT_CLIP_LEVEL;
use gainstage::snapshot::SourceInfo;

const RATE: u32 = 48_000;

struct Rig {
    cb: CallbackState,
    worker: MeterWorker,
    board: Arc<Board>,
    commands: mpsc::Sender<MeterCommand>,
    _rings: mpsc::Sender<ringbuf::HeapCons<f32>>,
}

fn rig(channels: usize, ring_frames: usize) -> Rig {
    let shared = Arc::new(Shared::new(channels));
    let board = Arc::new(Board::new(channels));
    let (producer, consumer) = ring(channels, ring_frames);
    let (ring_tx, ring_rx) = mpsc::channel();
    let (cmd_tx, cmd_rx) = mpsc::channel();
    let info = SourceInfo {
        host: "test".into(),
        device: "test".into(),
        device_id: "test".into(),
        sample_rate: RATE,
        channels,
        buffer_frames: Some(480),
        sample_format: "f32".into(),
        is_demo: false,
        channel_names: Vec::new(),
        clip_rule: Default::default(),
    };
    let worker = MeterWorker::new(
        info,
        &MeterConfig::default(),
        &[],
        WorkerInputs {
            consumer,
            next_consumer: ring_rx,
            commands: cmd_rx,
        },
        Arc::clone(&shared),
        Arc::clone(&board),
    )
    .unwrap();
    Rig {
        cb: CallbackState::new(channels, 1, DEFAULT_FLOAT_CLIP_LEVEL, producer, shared),
        worker,
        board,
        commands: cmd_tx,
        _rings: ring_tx,
    }
}

fn amp(db: f64) -> f32 {
    10f64.powf(db / 20.0) as f32
}

/// Channel c: a 1 kHz sine at -(c+1) dBFS; frame numbers in `clips[c]` are full scale.
fn period(
    channels: usize,
    start: usize,
    frames: usize,
    clips: &dyn Fn(usize, usize) -> bool,
) -> Vec<f32> {
    let mut v = Vec::with_capacity(channels * frames);
    for i in start..start + frames {
        for c in 0..channels {
            let x = if clips(c, i) {
                1.0
            } else {
                amp(-(c as f64 + 1.0))
                    * (std::f32::consts::TAU * 1000.0 * i as f32 / RATE as f32).sin()
            };
            v.push(x);
        }
    }
    v
}

#[test]
fn stalled_meter_thread_drops_whole_frames_counts_them_and_every_clip() {
    for channels in [6, 10, 18] {
        let ring_frames = 4800;
        let mut r = rig(channels, ring_frames);
        let mut reader = SnapshotReader::new(Arc::clone(&r.board));
        // Channel c clips c+1 times, 997 frames apart, all past what the ring can hold:
        // every clip lands in a frame that gets dropped.
        let clips =
            |c: usize, i: usize| i >= 5000 && i.is_multiple_of(997) && (i - 5000) / 997 <= c;
        let total = 48_000;
        for start in (0..total).step_by(480) {
            r.cb.process(&period(channels, start, 480, &clips));
        }
        // The meter thread stalled for a second: only what the ring held is metered.
        r.worker.step();
        r.worker.publish();
        let s = reader.read().unwrap();
        assert_eq!(
            s.dropped_frames,
            (total - ring_frames) as u64,
            "{channels} ch"
        );
        // One clock: the snapshot's time is the audio metered (what takes are marked in),
        // not the frames that reached the callback.
        assert_eq!(s.t_s, ring_frames as f64 / f64::from(RATE), "{channels} ch");
        for (c, ch) in s.channels.iter().enumerate() {
            assert_eq!(
                ch.readings.clipped_samples,
                c as u64 + 1,
                "{channels} ch, channel {}",
                c + 1
            );
            assert_eq!(ch.readings.overs, c as u64 + 1);
            assert_eq!(ch.readings.frames, ring_frames as u64, "whole frames only");
            // No rotation: each channel still reads its own level (no clip in the metered part).
            let want = -(c as f64 + 1.0);
            assert!(
                (ch.readings.max_sample_peak_dbfs - want).abs() < 0.01,
                "{channels} ch, channel {} read {}",
                c + 1,
                ch.readings.max_sample_peak_dbfs
            );
        }
    }
}

#[test]
fn each_reader_sees_the_max_since_its_own_previous_read() {
    let mut r = rig(2, 48_000);
    let mut often = SnapshotReader::new(Arc::clone(&r.board));
    let mut rarely = often.clone();
    let quiet = |_: usize, _: usize| false;
    let mut frame = 0;
    let mut feed = |r: &mut Rig, spike: Option<f32>| {
        let mut p = period(2, frame, 480, &quiet);
        if let Some(s) = spike {
            p[0] = s;
        }
        frame += 480;
        r.cb.process(&p);
        r.worker.step();
        r.worker.publish();
    };
    feed(&mut r, None);
    let _ = often.read().unwrap();
    let _ = rarely.read().unwrap();
    feed(&mut r, Some(0.9));
    let first = often.read().unwrap();
    assert!((first.channels[0].readings.sample_peak_dbfs - 20.0 * 0.9f64.log10()).abs() < 0.01);
    for _ in 0..5 {
        feed(&mut r, None);
    }
    let later = often.read().unwrap();
    assert!(
        (later.channels[0].readings.sample_peak_dbfs + 1.0).abs() < 0.01,
        "the spike is gone for a reader that already saw it"
    );
    let skipped = rarely.read().unwrap();
    assert!(
        (skipped.channels[0].readings.sample_peak_dbfs - 20.0 * 0.9f64.log10()).abs() < 0.01,
        "a reader that skipped six snapshots still sees the spike"
    );
    assert!(skipped.seq > first.seq);
    assert_eq!(
        skipped.channels[0].history.len(),
        later.channels[0].history.len()
    );
}

#[test]
fn reset_clears_counts_and_presets_are_accepted() {
    let mut r = rig(3, 48_000);
    let mut reader = SnapshotReader::new(Arc::clone(&r.board));
    let clips = |c: usize, i: usize| c == 1 && i.is_multiple_of(100);
    // Before the reset also a run of four (500..=503), so clearing the longest run shows.
    let run = |c: usize, i: usize| clips(c, i) || (c == 1 && (501..504).contains(&i));
    r.cb.process(&period(3, 0, 1000, &run));
    r.worker.step();
    r.worker.publish();
    let before = reader.read().unwrap();
    assert_eq!(before.channels[1].readings.clipped_samples, 13);
    assert_eq!(before.channels[1].readings.longest_clip_run, 4);
    r.commands
        .send(MeterCommand::SetPreset(
            1,
            gainstage::advisor::SourcePreset::Kick,
        ))
        .unwrap();
    r.commands.send(MeterCommand::ResetChannel(1)).unwrap();
    r.worker.step();
    r.cb.process(&period(3, 1000, 1000, &clips));
    r.worker.step();
    r.worker.publish();
    let s = reader.read().unwrap();
    assert_eq!(
        s.channels[1].readings.clipped_samples, 10,
        "only the clips after the reset"
    );
    assert_eq!(s.channels[1].readings.frames, 1000);
    assert_eq!(s.channels[0].readings.frames, 2000);
    // The advisor is wired in: the reset unlatched the clip of the run before it, and the
    // single full-scale samples since are no overs, so no `clip` (but full scale is `hot`).
    assert!(
        !s.channels[1]
            .warnings
            .iter()
            .any(|w| w.kind == gainstage::advisor::WarningKind::Clip),
        "{:?}",
        s.channels[1].warnings
    );
}

#[test]
fn the_advisor_judges_every_50_ms_and_misses_no_peak_between() {
    use gainstage::advisor::WarningKind;
    use std::time::{Duration, Instant};
    let mut r = rig(1, 48_000);
    let mut reader = SnapshotReader::new(Arc::clone(&r.board));
    let block = |start: usize, peak: Option<f64>| -> Vec<f32> {
        let mut v: Vec<f32> = (start..start + 480)
            .map(|i| amp(-30.0) * (std::f32::consts::TAU * 1000.0 * i as f32 / RATE as f32).sin())
            .collect();
        if let Some(db) = peak {
            v[100] = amp(db);
        }
        v
    };
    let hot = |s: &gainstage::snapshot::Snapshot| {
        s.channels[0]
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::Hot)
    };
    let t0 = Instant::now();
    // One 10 ms period at a time, published when due by the period's clock (not the wall's).
    let mut periods = 0u64;
    let mut feed = |r: &mut Rig, peak: Option<f64>| {
        r.cb.process(&block(periods as usize * 480, peak));
        r.worker.step();
        r.worker
            .publish_if_due(t0 + Duration::from_millis(10 * periods));
        periods += 1;
    };
    // A peak at -0.5 dBFS: hot at once; 14 s of quiet later it has left the advisor's 10 s
    // window and the warning has cleared. The since-reset maximum stays at -0.5.
    feed(&mut r, Some(-0.5));
    assert!(hot(&reader.read().unwrap()));
    for _ in 0..1400 {
        feed(&mut r, None);
    }
    assert!(!hot(&reader.read().unwrap()));
    // A lower peak, -1 dBFS, in a period published between two judgements, then quiet.
    feed(&mut r, None);
    feed(&mut r, Some(-1.0));
    let s = reader.read().unwrap();
    // A lone spike's true peak is its sample: the interpolator puts at most 0.9 of it, plus
    // the -30 dBFS sine's share, between its neighbours.
    assert!((s.channels[0].readings.true_peak_dbtp - -1.0).abs() < 1e-4);
    assert!(!hot(&s), "judged at once: {:?}", s.channels[0].warnings);
    for _ in 0..5 {
        feed(&mut r, None);
    }
    // The next judgement, over quiet audio, still saw it.
    let s = reader.read().unwrap();
    assert!(s.channels[0].readings.true_peak_dbtp < -25.0);
    assert!(hot(&s), "{:?}", s.channels[0].warnings);
}
