//! The demo source's cost: one second of 32 channels at 48 kHz, generated in the 480-frame
//! periods the paced source asks for. The GUI's CPU budget is measured on the demo, so the
//! generator's share counts against it.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gainstage::capture::demo::{DEMO_RATE, Demo};

const CHANNELS: usize = 32;
const PERIOD: usize = 480;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("demo_1s_48k");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(6));
    group.throughput(Throughput::Elements(DEMO_RATE as u64));
    let mut demo = Demo::new(CHANNELS, DEMO_RATE);
    let mut out = vec![0.0f32; CHANNELS * PERIOD];
    group.bench_function("32ch", |b| {
        b.iter(|| {
            for _ in 0..DEMO_RATE as usize / PERIOD {
                demo.generate(&mut out);
                black_box(&out);
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
