//! Shared by the EBU Tech 3341 and 3342 tests (included with `#[path]`): the cases' 1 kHz tone
//! sequences synthesized as the specifications' tables describe them, and the two meters they
//! run on, both fed in odd-sized blocks so no window depends on how audio arrives.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::f64::consts::PI;

use gainstage::meter::{ChannelMeter, MeterConfig, ProgramMeter};

pub const RATE: u32 = 48_000;
/// One channel of an in-phase stereo pair carries half its power: a channel meter (a mono
/// BS.1770 meter) reads the stereo value minus 10·log10(2) LU.
pub const MONO_OFFSET_LU: f64 = 3.0103;
/// Tech 3341 tolerance of momentary, short-term and integrated loudness.
pub const LOUDNESS_TOL: f64 = 0.1;
/// Tech 3342 tolerance of loudness range.
pub const LRA_TOL: f64 = 1.0;
/// Block length the meters are fed in: odd, and shorter than a 100 ms slice, so a value read
/// after every block sees every slice's value.
pub const BLOCK: usize = 1001;

/// Silence, as a segment level.
pub const SILENCE: f64 = f64::NEG_INFINITY;

/// Frames in `secs` seconds.
pub fn frames(secs: f64) -> usize {
    (secs * f64::from(RATE)).round() as usize
}

/// A 1 kHz sine in segments of (seconds, peak dBFS), phase continuous; [`SILENCE`] is silence.
pub fn tone(segments: &[(f64, f64)]) -> Vec<f32> {
    let mut out = Vec::new();
    for &(secs, db) in segments {
        let amp = 10f64.powf(db / 20.0);
        for _ in 0..frames(secs) {
            let t = out.len() as f64 / f64::from(RATE);
            out.push((amp * (2.0 * PI * 1000.0 * t).sin()) as f32);
        }
    }
    out
}

/// One channel meter fed `signal`.
pub fn channel(signal: &[f32]) -> ChannelMeter {
    let mut m = ChannelMeter::new(RATE, &MeterConfig::default()).unwrap();
    for block in signal.chunks(BLOCK) {
        m.process(block);
    }
    m
}

/// A programme meter over `channels` (L, R, C, Ls, Rs order), fed block by block; `each` is
/// called after every block.
pub fn programme_with(channels: &[&[f32]], mut each: impl FnMut(&ProgramMeter)) -> ProgramMeter {
    let mut p = ProgramMeter::new(channels.len(), RATE, 4096)
        .unwrap()
        .unwrap();
    let len = channels[0].len();
    let mut start = 0;
    while start < len {
        let end = (start + BLOCK).min(len);
        let blocks: Vec<&[f32]> = channels.iter().map(|c| &c[start..end]).collect();
        p.process_planar(&blocks);
        each(&p);
        start = end;
    }
    p
}

pub fn programme(channels: &[&[f32]]) -> ProgramMeter {
    programme_with(channels, |_| {})
}

/// The same signal in phase on both channels of a stereo programme.
pub fn stereo(signal: &[f32]) -> ProgramMeter {
    programme(&[signal, signal])
}

pub fn assert_near(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:.3}, want {want:.3} ± {tol}"
    );
}
