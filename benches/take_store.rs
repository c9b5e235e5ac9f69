//! Saving a take at its end into a session that already holds many: the store adds it at the
//! end of the files (`append`) against writing the whole session again (`load` + `save`, what
//! every take end cost before). Takes of 3 minutes on 32 inputs: full headroom tracks. And
//! reading one take of such a session back: its own line against the whole file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use gainstage::takes::{BlockReading, TakeReport, TakeSummary, TakeTracker, store};

const CHANNELS: usize = 32;
const RATE: u32 = 48_000;

/// One 3-minute take, metered in 10 ms blocks at a level that wanders.
fn take() -> TakeReport {
    let mut t = TakeTracker::new(CHANNELS, RATE, &[], &[]);
    t.start("Verse", 0);
    let block = u64::from(RATE) / 100;
    for b in 0..18_000u64 {
        for c in 0..CHANNELS {
            let level = 0.05 + 0.4 * ((b as f64 * 0.013 + c as f64).sin() * 0.5 + 0.5);
            let r = BlockReading {
                sample_peak: level,
                true_peak: level * 1.02,
                ..BlockReading::default()
            };
            t.block(c, b * block, block, &r);
        }
    }
    t.stop(18_000 * block);
    t.reports()[0].clone()
}

fn numbered(one: &TakeReport, n: usize) -> TakeReport {
    let mut t = one.clone();
    t.take = n;
    t
}

fn bench(c: &mut Criterion) {
    let one = take();
    let mut group = c.benchmark_group("take_end_save");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for held in [10usize, 50] {
        let base = tempfile::tempdir().unwrap();
        let session: Vec<TakeReport> = (1..=held).map(|n| numbered(&one, n)).collect();
        store::save(base.path(), "s", &session).unwrap();
        let bytes = std::fs::metadata(base.path().join("s.json")).unwrap().len();
        eprintln!("take_store: {held} takes held, {bytes} bytes of JSON");
        let next = numbered(&one, held + 1);
        let fresh = || {
            let dir = tempfile::tempdir().unwrap();
            for ext in ["json", "csv"] {
                let name = format!("s.{ext}");
                std::fs::copy(base.path().join(&name), dir.path().join(&name)).unwrap();
            }
            dir
        };
        group.bench_with_input(BenchmarkId::new("append", held), &held, |b, _| {
            b.iter_batched(
                fresh,
                // The directory is returned, so removing it is not timed.
                |dir| {
                    store::append(dir.path(), "s", std::slice::from_ref(&next)).unwrap();
                    dir
                },
                BatchSize::PerIteration,
            );
        });
        group.bench_with_input(BenchmarkId::new("rewrite", held), &held, |b, _| {
            b.iter_batched(
                fresh,
                |dir| {
                    rewrite(dir.path(), &next);
                    dir
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();

    // Opening one take of a long session (the GUI's take page): its line against the file.
    let mut group = c.benchmark_group("open_one_take");
    group.sample_size(10);
    let dir = tempfile::tempdir().unwrap();
    let session: Vec<TakeReport> = (1..=50).map(|n| numbered(&one, n)).collect();
    store::save(dir.path(), "s", &session).unwrap();
    group.bench_function("load_take/50", |b| {
        b.iter(|| store::load_take(dir.path(), "s", 25).unwrap().unwrap());
    });
    group.bench_function("load_all/50", |b| {
        b.iter(|| {
            store::load(dir.path(), "s")
                .unwrap()
                .into_iter()
                .find(|t| t.take == 25)
                .unwrap()
        });
    });
    group.finish();

    // The GUI's list of earlier takes at start-up: what it shows of every take of a session.
    let mut group = c.benchmark_group("list_takes");
    group.sample_size(10);
    group.bench_function("summaries/50", |b| {
        b.iter(|| store::summaries(dir.path(), "s").unwrap());
    });
    group.bench_function("load/50", |b| {
        b.iter(|| {
            store::load(dir.path(), "s")
                .unwrap()
                .iter()
                .map(TakeSummary::from)
                .collect::<Vec<_>>()
        });
    });
    group.finish();
}

/// The whole session read, the take added, and both files written again.
fn rewrite(dir: &Path, next: &TakeReport) {
    let mut all = store::load(dir, "s").unwrap();
    all.push(next.clone());
    store::save(dir, "s", &all).unwrap();
}

criterion_group!(benches, bench);
criterion_main!(benches);
