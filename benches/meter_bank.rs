//! The meter bank with every reading on, against bare `ebur128` mono meters (M, S, I, LRA and
//! true peak) fed the same audio: the bank's extra readings should cost at most 30 %.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ebur128::{EbuR128, Mode};
use gainstage::meter::{MeterBank, MeterConfig, MeterKind, ProgrammeSet};

const RATE: u32 = 48_000;
/// Frames per call: a typical device period.
const BLOCK: usize = 1024;
/// Audio per iteration: one second.
const FRAMES: usize = RATE as usize;

/// Planar test audio: a different tone plus noise per channel, music-like in level.
fn audio(channels: usize) -> Vec<Vec<f32>> {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    (0..channels)
        .map(|c| {
            let freq = 110.0 * (1.0 + c as f64 * 0.37);
            (0..FRAMES)
                .map(|n| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let noise = (seed >> 40) as f64 / (1u64 << 24) as f64 - 0.5;
                    let t = n as f64 / f64::from(RATE);
                    (0.3 * (2.0 * std::f64::consts::PI * freq * t).sin() + 0.05 * noise) as f32
                })
                .collect()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("meter_bank_1s_48k");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    for channels in [16usize, 64] {
        let data = audio(channels);
        group.throughput(Throughput::Elements((channels * FRAMES) as u64));

        group.bench_with_input(BenchmarkId::new("bank", channels), &data, |b, data| {
            let mut bank = MeterBank::new(channels, RATE, &MeterConfig::default())
                .unwrap_or_else(|e| panic!("{e}"));
            b.iter(|| {
                for start in (0..FRAMES).step_by(BLOCK) {
                    let end = (start + BLOCK).min(FRAMES);
                    let blocks: Vec<&[f32]> = data.iter().map(|ch| &ch[start..end]).collect();
                    bank.process_planar(&blocks);
                }
                black_box(bank.readings(channels - 1));
            });
        });

        // One view's meter: a BBC PPM on every channel.
        group.bench_with_input(
            BenchmarkId::new("bank_bbc_ppm", channels),
            &data,
            |b, data| {
                let config = MeterConfig {
                    programme: ProgrammeSet::of([MeterKind::BbcPpm]),
                    ..MeterConfig::default()
                };
                let mut bank =
                    MeterBank::new(channels, RATE, &config).unwrap_or_else(|e| panic!("{e}"));
                b.iter(|| {
                    for start in (0..FRAMES).step_by(BLOCK) {
                        let end = (start + BLOCK).min(FRAMES);
                        let blocks: Vec<&[f32]> = data.iter().map(|ch| &ch[start..end]).collect();
                        bank.process_planar(&blocks);
                    }
                    black_box(bank.take_programme(channels - 1));
                });
            },
        );

        // Every programme meter on (VU, three PPMs, K, digital peak): the most any set of
        // views can ask for; one view's meter costs a share of this.
        group.bench_with_input(
            BenchmarkId::new("bank_all_programme_meters", channels),
            &data,
            |b, data| {
                let config = MeterConfig {
                    programme: ProgrammeSet::of(MeterKind::ALL),
                    ..MeterConfig::default()
                };
                let mut bank =
                    MeterBank::new(channels, RATE, &config).unwrap_or_else(|e| panic!("{e}"));
                b.iter(|| {
                    for start in (0..FRAMES).step_by(BLOCK) {
                        let end = (start + BLOCK).min(FRAMES);
                        let blocks: Vec<&[f32]> = data.iter().map(|ch| &ch[start..end]).collect();
                        bank.process_planar(&blocks);
                    }
                    black_box(bank.take_programme(channels - 1));
                });
            },
        );

        group.bench_with_input(
            BenchmarkId::new("bare_ebur128", channels),
            &data,
            |b, data| {
                let mode = Mode::M | Mode::S | Mode::I | Mode::LRA | Mode::TRUE_PEAK;
                let mut meters: Vec<EbuR128> = (0..channels)
                    .map(|_| EbuR128::new(1, RATE, mode).unwrap_or_else(|e| panic!("{e}")))
                    .collect();
                b.iter(|| {
                    for start in (0..FRAMES).step_by(BLOCK) {
                        let end = (start + BLOCK).min(FRAMES);
                        for (m, ch) in meters.iter_mut().zip(data) {
                            let _ = m.add_frames_planar_f32(&[&ch[start..end]]);
                        }
                    }
                    black_box(meters[channels - 1].loudness_global().ok());
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
