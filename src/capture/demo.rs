//! The built-in demo session: a deterministic generator that sounds like a band on 16
//! inputs, with one channel for every problem the advisor warns about (clips, hot, too quiet,
//! dead, DC offset, rumble, noisy). The GUI falls back to it when there is no input device.

use std::f64::consts::TAU;

use super::callback::CallbackState;
use super::paced::PacedSource;

pub const DEMO_CHANNELS: usize = 16;
pub const DEMO_RATE: u32 = 48_000;
/// 120 BPM: a beat every half second, a bar every two.
const BEAT_S: f64 = 0.5;

/// What each input carries; channels past 16 repeat the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Kick,
    Snare,
    HiHat,
    Toms,
    Bass,
    Vocal,
    BackingVocal,
    Guitar,
    Keys,
    /// A hot synth whose accents hit the converter's full scale now and then.
    ClippingLead,
    /// An acoustic guitar about 45 dB too low.
    TooQuiet,
    /// Nothing plugged in: digital silence.
    Dead,
    /// Keys through a preamp with a DC offset.
    DcOffset,
    /// A vocal mic on a stand picking up 15 Hz floor rumble and handling thumps.
    Rumble,
    Room,
    /// A cheap talkback mic with loud hiss: the noisy channel.
    Talkback,
}

const ROLES: [Role; DEMO_CHANNELS] = [
    Role::Kick,
    Role::Snare,
    Role::HiHat,
    Role::Toms,
    Role::Bass,
    Role::Vocal,
    Role::BackingVocal,
    Role::Guitar,
    Role::Keys,
    Role::ClippingLead,
    Role::TooQuiet,
    Role::Dead,
    Role::DcOffset,
    Role::Rumble,
    Role::Room,
    Role::Talkback,
];

pub fn role(channel: usize) -> Role {
    ROLES[channel % DEMO_CHANNELS]
}

/// Deterministic generator state.
#[derive(Debug)]
pub struct Demo {
    channels: usize,
    rate: f64,
    frame: u64,
    noise: Vec<u32>,
    buf: Vec<f32>,
}

impl Demo {
    pub fn new(channels: usize, rate: u32) -> Self {
        let channels = channels.max(1);
        Self {
            channels,
            rate: f64::from(rate.max(1)),
            frame: 0,
            noise: (0..channels)
                .map(|c| 0x9E37_79B9 ^ (c as u32 + 1))
                .collect(),
            buf: vec![0.0; channels * super::paced::PERIOD_FRAMES],
        }
    }

    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Fills `out` (interleaved, whole frames) with the next frames.
    pub fn generate(&mut self, out: &mut [f32]) {
        let ch = self.channels;
        for frame in out.chunks_exact_mut(ch) {
            let t = self.frame as f64 / self.rate;
            for (c, x) in frame.iter_mut().enumerate() {
                let n = white(&mut self.noise[c]);
                let v = sample(role(c), t, n, c / DEMO_CHANNELS);
                // Converters saturate at full scale: that is exactly what a clip is.
                *x = v.clamp(-1.0, 1.0) as f32;
            }
            self.frame += 1;
        }
    }
}

impl PacedSource for Demo {
    fn feed(&mut self, cb: &mut CallbackState, frames: usize) -> bool {
        let mut buf = std::mem::take(&mut self.buf);
        let n = frames.min(buf.len() / self.channels) * self.channels;
        self.generate(&mut buf[..n]);
        cb.process(&buf[..n]);
        self.buf = buf;
        true
    }
}

/// Uniform noise in [-1, 1) from a xorshift generator: same sequence every run.
fn white(state: &mut u32) -> f64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    f64::from(x) / f64::from(u32::MAX) * 2.0 - 1.0
}

/// Time since the latest hit of a pattern repeating every `period` s, offset by `offset` s.
fn since(t: f64, period: f64, offset: f64) -> f64 {
    (t - offset).rem_euclid(period)
}

fn decay(age: f64, tau: f64) -> f64 {
    (-age / tau).exp()
}

/// A sung or spoken line: phrases with breaths, syllables, vibrato and a few harmonics.
fn voice(t: f64, f0: f64, phrase_s: f64, gap_s: f64, level: f64) -> f64 {
    let pos = t.rem_euclid(phrase_s + gap_s);
    if pos > phrase_s {
        return 0.0;
    }
    let syllable = 0.55 + 0.45 * (TAU * 3.3 * t).sin().abs();
    let edge = (pos / 0.05).min(1.0) * ((phrase_s - pos) / 0.1).min(1.0);
    let f = f0 * (1.0 + 0.012 * (TAU * 5.5 * t).sin());
    let tone = (TAU * f * t).sin()
        + 0.5 * (TAU * 2.0 * f * t).sin()
        + 0.35 * (TAU * 3.0 * f * t).sin()
        + 0.2 * (TAU * 5.0 * f * t).sin();
    level * syllable * edge * tone / 2.05
}

fn kick(t: f64) -> f64 {
    let age = since(t, 2.0 * BEAT_S, 0.0).min(since(t, 4.0 * BEAT_S, 2.5 * BEAT_S));
    let f = 50.0 + 110.0 * decay(age, 0.03);
    0.75 * decay(age, 0.07) * (TAU * f * age).sin()
}

fn snare(t: f64, n: f64) -> f64 {
    let age = since(t, 2.0 * BEAT_S, BEAT_S);
    decay(age, 0.1) * (0.4 * n + 0.25 * (TAU * 185.0 * age).sin())
}

fn hihat(t: f64, n: f64) -> f64 {
    let age = since(t, BEAT_S / 2.0, 0.0);
    0.22 * decay(age, 0.025) * n
}

fn sample(role: Role, t: f64, n: f64, variant: usize) -> f64 {
    let v = 1.0 + 0.07 * variant as f64;
    match role {
        Role::Kick => kick(t),
        Role::Snare => snare(t, n),
        Role::HiHat => hihat(t, n),
        Role::Toms => {
            // A fill in the last bar of every four.
            let bar = (t / (4.0 * BEAT_S)).floor() as i64;
            if bar % 4 != 3 {
                return 0.0005 * n;
            }
            let age = since(t, BEAT_S / 2.0, 0.0);
            let step = (since(t, 4.0 * BEAT_S, 0.0) / (BEAT_S / 2.0)).floor();
            let f = 150.0 - 12.0 * step;
            0.6 * decay(age, 0.2) * (TAU * f * age).sin()
        }
        Role::Bass => {
            const NOTES: [f64; 4] = [41.2, 55.0, 49.0, 36.7];
            let note = NOTES[((t / (4.0 * BEAT_S)) as usize) % 4] * v;
            let age = since(t, BEAT_S, 0.0);
            let env = 0.6 + 0.4 * decay(age, 0.15);
            0.4 * env * ((TAU * note * t).sin() + 0.3 * (TAU * 2.0 * note * t).sin())
        }
        Role::Vocal => voice(t, 220.0 * v, 2.5, 1.0, 0.45),
        Role::BackingVocal => voice(t - 0.7, 330.0 * v, 1.6, 2.2, 0.25),
        Role::Guitar => {
            let f = 110.0 * v;
            let age = since(t, BEAT_S, 0.0);
            let saw = |f: f64| 2.0 * (f * t).fract() - 1.0;
            0.18 * (0.5 + 0.5 * decay(age, 0.3)) * (saw(f) + saw(f * 1.5) + saw(f * 2.0)) / 3.0
        }
        Role::Keys => {
            let chord = [261.6, 329.6, 392.0].map(|f| (TAU * f * v * t).sin());
            0.2 * chord.iter().sum::<f64>() / 3.0
        }
        Role::ClippingLead => {
            // Every 7 s, half a second of an accent that drives 1.6 dB past full scale.
            let accent = if t.rem_euclid(7.0) > 6.5 { 2.4 } else { 1.0 };
            0.5 * accent * (TAU * 440.0 * v * t).sin()
        }
        Role::TooQuiet => {
            let age = since(t, BEAT_S, 0.0);
            0.003 * decay(age, 0.4) * (TAU * 196.0 * t).sin() + 0.00002 * n
        }
        Role::Dead => 0.0,
        Role::DcOffset => {
            0.08 + 0.2 * (TAU * 174.6 * v * t).sin() * (0.6 + 0.4 * (TAU * 0.5 * t).sin())
        }
        Role::Rumble => {
            let thump = decay(since(t, 5.3, 1.0), 0.08) * (TAU * 9.0 * t).sin();
            voice(t, 196.0 * v, 2.0, 1.5, 0.3) + 0.25 * (TAU * 15.0 * t).sin() + 0.3 * thump
        }
        Role::Room => 0.3 * (kick(t) + snare(t, n)) + 0.1 * hihat(t, n) + 0.003 * n,
        Role::Talkback => voice(t, 120.0, 1.2, 6.0, 0.3) + 0.02 * n,
    }
}
