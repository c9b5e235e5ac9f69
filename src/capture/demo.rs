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
    /// The kit at each frame of the chunk being generated, shared by every drum channel.
    kit: Vec<Kit>,
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
            kit: Vec::with_capacity(super::paced::PERIOD_FRAMES),
        }
    }

    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Fills `out` (interleaved, whole frames) with the next frames.
    ///
    /// Channel by channel over a period, not frame by frame: one channel's role is then the
    /// same for every sample of the inner loop, and the kit, shared by the drum channels, is
    /// worked out once per frame. Each channel draws its own noise in frame order, so the
    /// output is the same either way.
    pub fn generate(&mut self, out: &mut [f32]) {
        let ch = self.channels;
        let period = self.kit.capacity().max(1);
        for chunk in out.chunks_mut(period * ch) {
            let frames = chunk.len() / ch;
            let start = self.frame;
            let rate = self.rate;
            let time = |k: usize| (start + k as u64) as f64 / rate;
            self.kit.clear();
            self.kit.extend((0..frames).map(|k| Kit::at(time(k))));
            for (c, noise) in self.noise.iter_mut().enumerate() {
                let (role, variant) = (role(c), c / DEMO_CHANNELS);
                for (k, shared) in self.kit.iter().enumerate() {
                    let v = sample(role, time(k), shared, white(noise), variant);
                    // Converters saturate at full scale: that is exactly what a clip is.
                    chunk[k * ch + c] = v.clamp(-1.0, 1.0) as f32;
                }
            }
            self.frame += frames as u64;
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
    f64::from(x) * (2.0 / f64::from(u32::MAX)) - 1.0
}

/// `sin(2π·turns)`. The demo computes a few sines per sample on every channel; the library
/// `sin` was most of the demo's cost. Accurate to about 1e-7, far below anything a meter
/// shows.
fn sin_turns(turns: f64) -> f64 {
    // Truncation is one instruction; `floor` and `round` are library calls on baseline x86-64.
    let mut r = turns - (turns as i64) as f64;
    if r > 0.5 {
        r -= 1.0;
    } else if r < -0.5 {
        r += 1.0;
    }
    // sin(π - x) = sin(x): fold onto [-1/4, 1/4] turn, where the series converges fast.
    if r > 0.25 {
        r = 0.5 - r;
    } else if r < -0.25 {
        r = -0.5 - r;
    }
    let x = TAU * r;
    let x2 = x * x;
    // Taylor series to x^11: the first term left out is below 6e-8 at x = π/2.
    x * (1.0
        + x2 * (-1.0 / 6.0
            + x2 * (1.0 / 120.0
                + x2 * (-1.0 / 5040.0 + x2 * (1.0 / 362_880.0 + x2 * (-1.0 / 39_916_800.0))))))
}

/// Time since the latest hit of a pattern repeating every `period` s, offset by `offset` s.
fn since(t: f64, period: f64, offset: f64) -> f64 {
    wrap(t - offset, period)
}

/// `x.rem_euclid(period)` for the demo's times, without the library `fmod` call that cost more
/// than the rest of the arithmetic.
#[inline]
fn wrap(x: f64, period: f64) -> f64 {
    // Periods are constants: inlined, `1 / period` folds and no division is left. The product
    // may round across a multiple, hence the fix-up on both sides.
    let r = x - (x * (1.0 / period)) as i64 as f64 * period;
    if r < 0.0 {
        r + period
    } else if r >= period {
        r - period
    } else {
        r
    }
}

#[inline]
fn decay(age: f64, tau: f64) -> f64 {
    exp_neg(age * (1.0 / tau))
}

/// `exp(-x)` for `x >= 0`, to about 1e-7 (relative): the demo's envelopes take several a
/// frame, and the library `exp` was a tenth of the demo's cost.
#[inline]
fn exp_neg(x: f64) -> f64 {
    // e^-x = 2^-(x·log2 e) = 2^-i · 2^-f with i whole and f in [0, 1).
    let y = x * std::f64::consts::LOG2_E;
    if y.is_nan() || y >= 1000.0 {
        return 0.0;
    }
    let i = y as i64;
    let f = y - i as f64;
    // 2^-f = e^(-f·ln 2), Taylor series to the 9th power: the first term left out is below
    // 1e-8 at f = 1.
    let z = -f * std::f64::consts::LN_2;
    let p = 1.0
        + z * (1.0
            + z * (1.0 / 2.0
                + z * (1.0 / 6.0
                    + z * (1.0 / 24.0
                        + z * (1.0 / 120.0
                            + z * (1.0 / 720.0
                                + z * (1.0 / 5040.0
                                    + z * (1.0 / 40_320.0 + z * (1.0 / 362_880.0)))))))));
    // 2^-i from the exponent bits; i < 1000 keeps it a normal number.
    p * f64::from_bits(((1023 - i) as u64) << 52)
}

/// The slow movement of a voice at one instant: syllables and vibrato.
#[derive(Debug)]
struct Modulation {
    syllable: f64,
    vibrato: f64,
}

impl Modulation {
    fn at(t: f64) -> Self {
        Self {
            syllable: 0.55 + 0.45 * sin_turns(3.3 * t).abs(),
            vibrato: 1.0 + 0.012 * sin_turns(5.5 * t),
        }
    }
}

/// A sung or spoken line: phrases with breaths, syllables, vibrato and a few harmonics.
fn voice(t: f64, m: &Modulation, f0: f64, phrase_s: f64, gap_s: f64, level: f64) -> f64 {
    let pos = wrap(t, phrase_s + gap_s);
    if pos > phrase_s {
        return 0.0;
    }
    let edge = (pos / 0.05).min(1.0) * ((phrase_s - pos) / 0.1).min(1.0);
    let f = f0 * m.vibrato;
    // The harmonics from the fundamental's sine and cosine by the multiple-angle formulas:
    // two sines a sample instead of four.
    let (s, c) = (sin_turns(f * t), sin_turns(f * t + 0.25));
    let s2 = s * s;
    let tone = s
        + 0.5 * (2.0 * s * c)
        + 0.35 * s * (3.0 - 4.0 * s2)
        + 0.2 * s * (5.0 - s2 * (20.0 - 16.0 * s2));
    level * m.syllable * edge * tone / 2.05
}

/// What several channels share at one instant: the kit (on the kick and snare channels, the
/// room mic, and their repeats past 16), the beat's envelopes and the voices' movement. Worked
/// out once per frame, not once per channel.
#[derive(Debug)]
struct Kit {
    kick: f64,
    snare_envelope: f64,
    snare_tone: f64,
    hihat_envelope: f64,
    /// The bass's pluck on every beat.
    bass_envelope: f64,
    /// The too-quiet acoustic guitar's strum on every beat.
    quiet_envelope: f64,
    /// The rumbling mic stand's handling thump.
    thump: f64,
    /// The lead voices' movement, and the backing vocal's, 0.7 s behind.
    lead: Modulation,
    backing: Modulation,
}

impl Kit {
    fn at(t: f64) -> Self {
        let kick_age = since(t, 2.0 * BEAT_S, 0.0).min(since(t, 4.0 * BEAT_S, 2.5 * BEAT_S));
        let f = 50.0 + 110.0 * decay(kick_age, 0.03);
        let snare_age = since(t, 2.0 * BEAT_S, BEAT_S);
        let beat_age = since(t, BEAT_S, 0.0);
        Self {
            kick: 0.75 * decay(kick_age, 0.07) * sin_turns(f * kick_age),
            snare_envelope: decay(snare_age, 0.1),
            snare_tone: 0.25 * sin_turns(185.0 * snare_age),
            hihat_envelope: 0.22 * decay(since(t, BEAT_S / 2.0, 0.0), 0.025),
            bass_envelope: 0.6 + 0.4 * decay(beat_age, 0.15),
            quiet_envelope: decay(beat_age, 0.4),
            thump: decay(since(t, 5.3, 1.0), 0.08) * sin_turns(9.0 * t),
            lead: Modulation::at(t),
            backing: Modulation::at(t - 0.7),
        }
    }

    fn snare(&self, n: f64) -> f64 {
        self.snare_envelope * (0.4 * n + self.snare_tone)
    }

    fn hihat(&self, n: f64) -> f64 {
        self.hihat_envelope * n
    }
}

fn sample(role: Role, t: f64, kit: &Kit, n: f64, variant: usize) -> f64 {
    let v = 1.0 + 0.07 * variant as f64;
    match role {
        Role::Kick => kit.kick,
        Role::Snare => kit.snare(n),
        Role::HiHat => kit.hihat(n),
        Role::Toms => {
            // A fill in the last bar of every four.
            // Times here are never negative: truncation is the floor, without a library call.
            let bar = (t * (1.0 / (4.0 * BEAT_S))) as i64;
            if bar % 4 != 3 {
                return 0.0005 * n;
            }
            let age = since(t, BEAT_S / 2.0, 0.0);
            let step = (since(t, 4.0 * BEAT_S, 0.0) * (2.0 / BEAT_S)) as i64 as f64;
            let f = 150.0 - 12.0 * step;
            0.6 * decay(age, 0.2) * sin_turns(f * age)
        }
        Role::Bass => {
            const NOTES: [f64; 4] = [41.2, 55.0, 49.0, 36.7];
            let note = NOTES[((t / (4.0 * BEAT_S)) as usize) % 4] * v;
            0.4 * kit.bass_envelope * (sin_turns(note * t) + 0.3 * sin_turns(2.0 * note * t))
        }
        Role::Vocal => voice(t, &kit.lead, 220.0 * v, 2.5, 1.0, 0.45),
        Role::BackingVocal => voice(t - 0.7, &kit.backing, 330.0 * v, 1.6, 2.2, 0.25),
        Role::Guitar => {
            let f = 110.0 * v;
            let age = since(t, BEAT_S, 0.0);
            let saw = |f: f64| 2.0 * (f * t - (f * t) as i64 as f64) - 1.0;
            0.18 * (0.5 + 0.5 * decay(age, 0.3)) * (saw(f) + saw(f * 1.5) + saw(f * 2.0)) / 3.0
        }
        Role::Keys => {
            let chord =
                sin_turns(261.6 * v * t) + sin_turns(329.6 * v * t) + sin_turns(392.0 * v * t);
            0.2 * chord / 3.0
        }
        Role::ClippingLead => {
            // Every 7 s, half a second of an accent that drives 1.6 dB past full scale.
            let accent = if wrap(t, 7.0) > 6.5 { 2.4 } else { 1.0 };
            0.5 * accent * sin_turns(440.0 * v * t)
        }
        Role::TooQuiet => 0.003 * kit.quiet_envelope * sin_turns(196.0 * t) + 0.00002 * n,
        Role::Dead => 0.0,
        Role::DcOffset => 0.08 + 0.2 * sin_turns(174.6 * v * t) * (0.6 + 0.4 * sin_turns(0.5 * t)),
        Role::Rumble => {
            voice(t, &kit.lead, 196.0 * v, 2.0, 1.5, 0.3)
                + 0.25 * sin_turns(15.0 * t)
                + 0.3 * kit.thump
        }
        Role::Room => 0.3 * (kit.kick + kit.snare(n)) + 0.1 * kit.hihat(n) + 0.003 * n,
        Role::Talkback => voice(t, &kit.lead, 120.0, 1.2, 6.0, 0.3) + 0.02 * n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sin_turns_matches_the_library_sine() {
        let mut worst: f64 = 0.0;
        for k in -200_000..200_000 {
            // Phases like the demo's: frequencies times hours of seconds, both signs.
            let turns = f64::from(k) * 0.013_7 + f64::from(k).signum() * 1.0e6;
            worst = worst.max((sin_turns(turns) - (TAU * turns).sin()).abs());
        }
        assert!(worst < 2e-7, "worst error {worst}");
        assert!(sin_turns(0.25) > 0.999_999 && sin_turns(0.25) <= 1.0);
        assert!(sin_turns(-0.25) < -0.999_999 && sin_turns(-0.25) >= -1.0);
    }

    #[test]
    fn exp_neg_matches_the_library_exp() {
        let mut worst: f64 = 0.0;
        for k in 0..400_000 {
            let x = f64::from(k) * 0.000_173;
            let want = (-x).exp();
            worst = worst.max(((exp_neg(x) - want) / want).abs());
        }
        assert!(worst < 1e-7, "worst relative error {worst}");
        assert_eq!(exp_neg(0.0), 1.0);
        assert_eq!(exp_neg(1.0e6), 0.0);
        assert_eq!(exp_neg(f64::INFINITY), 0.0);
    }

    #[test]
    fn wrap_matches_rem_euclid() {
        for k in -5000..5000 {
            let x = f64::from(k) * 0.0137;
            for period in [0.25, 1.0, 3.5, 7.0] {
                assert!(
                    (wrap(x, period) - x.rem_euclid(period)).abs() < 1e-9,
                    "{x} {period}"
                );
            }
        }
    }
}
