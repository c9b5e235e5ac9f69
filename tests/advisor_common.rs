#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
//! Synthesised takes for the advisor tests, metered through the real MeterBank.

use std::f64::consts::TAU;

use gainstage::meter::{ChannelReadings, MeterBank, MeterConfig};

pub const RATE: u32 = 48_000;

/// Amplitude for a level in dB.
pub fn amp(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// Deterministic white noise in -1..1 (xorshift), so every run meters the same take.
#[derive(Debug, Clone)]
pub struct Noise(u64);

impl Noise {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    pub fn sample(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// White noise with this RMS (dBFS): uniform noise has RMS amplitude / sqrt(3).
pub fn noise_amp(rms_db: f64) -> f64 {
    amp(rms_db) * 3f64.sqrt()
}

/// A sung-phrase-like take: `freq` tone in 2 s phrases at `peak_db` peak, with 0.6 s pauses
/// holding only white noise at `floor_db` RMS underneath everything.
pub fn phrases(freq: f64, peak_db: f64, floor_db: f64) -> impl FnMut(f64) -> f64 {
    let mut noise = Noise::new(7);
    let a = amp(peak_db);
    let n = noise_amp(floor_db);
    move |t| {
        let in_phrase = t % 2.6 < 2.0;
        let tone = if in_phrase {
            a * (TAU * freq * t).sin()
        } else {
            0.0
        };
        tone + n * noise.sample()
    }
}

/// Meters `secs` seconds of `signal(t)` on one channel and returns the readings.
pub fn meter_take(secs: f64, signal: impl FnMut(f64) -> f64) -> ChannelReadings {
    let mut bank = MeterBank::new(1, RATE, &MeterConfig::default()).unwrap();
    feed(&mut bank, secs, signal, |_, _| {});
    bank.readings(0)
}

/// Feeds a one-channel bank in 100 ms blocks, calling `each(t_end, bank)` after every block.
pub fn feed(
    bank: &mut MeterBank,
    secs: f64,
    mut signal: impl FnMut(f64) -> f64,
    mut each: impl FnMut(f64, &MeterBank),
) {
    feed_multi(bank, secs, |_, t| signal(t), |t, b| each(t, b));
}

/// As [`feed`] for every channel of the bank: `signal(channel, t)`.
pub fn feed_multi(
    bank: &mut MeterBank,
    secs: f64,
    mut signal: impl FnMut(usize, f64) -> f64,
    mut each: impl FnMut(f64, &MeterBank),
) {
    let block = (RATE / 10) as usize;
    let channels = bank.channels();
    let total = (secs * f64::from(RATE)).round() as usize;
    let mut buf = vec![vec![0f32; block]; channels];
    let mut done = 0;
    while done < total {
        let n = block.min(total - done);
        for (c, b) in buf.iter_mut().enumerate() {
            for (i, x) in b[..n].iter_mut().enumerate() {
                let t = (done + i) as f64 / f64::from(RATE);
                *x = signal(c, t).clamp(-1.0, 1.0) as f32;
            }
        }
        let blocks: Vec<&[f32]> = buf.iter().map(|b| &b[..n]).collect();
        bank.process_planar(&blocks);
        done += n;
        each(done as f64 / f64::from(RATE), bank);
    }
}
