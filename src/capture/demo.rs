//! The built-in demo session: a deterministic generator that sounds like a band on 16
//! inputs, with one channel for every problem the advisor warns about (clips, hot, too quiet,
//! dead, DC offset, rumble, noisy). The GUI falls back to it when there is no input device.

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

/// Frames the generator works on at once, at most: a quarter of the paced source's period, so
/// a chunk of every channel's samples stays in the fastest cache while it is interleaved.
const CHUNK: usize = super::paced::PERIOD_FRAMES / 4;

/// Deterministic generator state.
#[derive(Debug)]
pub struct Demo {
    rate: f64,
    frame: u64,
    inputs: Vec<Input>,
    /// Interleaved frames for the paced source.
    buf: Vec<f32>,
    /// What the inputs share over the chunk being generated.
    kit: Kit,
    /// One input's chunk, then its oscillators' phases and sines.
    block: [Vec<f32>; 3],
}

impl Demo {
    pub fn new(channels: usize, rate: u32) -> Self {
        let channels = channels.max(1);
        Self {
            rate: f64::from(rate.max(1)),
            frame: 0,
            inputs: (0..channels).map(Input::new).collect(),
            buf: vec![0.0; channels * super::paced::PERIOD_FRAMES],
            kit: Kit::default(),
            block: [vec![0.0; CHUNK], vec![0.0; CHUNK], vec![0.0; CHUNK]],
        }
    }

    pub fn channels(&self) -> usize {
        self.inputs.len()
    }

    /// Fills `out` (interleaved, whole frames) with the next frames.
    ///
    /// One input at a time over a chunk, each role in its own loops over whole arrays, so the
    /// compiler can work on several samples per instruction: this runs on the same core as
    /// the meters and the GUI, and a demo costing more than the meters would hide their cost.
    pub fn generate(&mut self, out: &mut [f32]) {
        let ch = self.inputs.len();
        let dt = 1.0 / self.rate;
        for chunk in out.chunks_mut(CHUNK * ch) {
            let frames = chunk.len() / ch;
            let t0 = self.frame as f64 * dt;
            self.kit.fill(t0, dt, frames);
            let [block, a, b] = &mut self.block;
            let (block, a, b) = (&mut block[..frames], &mut a[..frames], &mut b[..frames]);
            for (c, input) in self.inputs.iter_mut().enumerate() {
                input.render(&self.kit, t0, dt, block, [&mut *a, &mut *b]);
                for (k, v) in block.iter().enumerate() {
                    // Converters saturate at full scale: that is exactly what a clip is.
                    chunk[k * ch + c] = v.clamp(-1.0, 1.0);
                }
            }
            self.frame += frames as u64;
        }
    }
}

impl PacedSource for Demo {
    fn feed(&mut self, cb: &mut CallbackState, frames: usize) -> bool {
        let mut buf = std::mem::take(&mut self.buf);
        let ch = self.inputs.len();
        let n = frames.min(buf.len() / ch) * ch;
        self.generate(&mut buf[..n]);
        cb.process(&buf[..n]);
        self.buf = buf;
        true
    }
}

/// What one input plays and where its oscillators stand.
#[derive(Debug)]
struct Input {
    role: Role,
    /// Inputs past 16 repeat the list a little higher: 1.0, 1.07, 1.14 ...
    pitch: f64,
    noise: u32,
    /// Oscillator phases in turns, each in [0, 1). Accumulated, so a pitch that moves
    /// (vibrato, the next bass note) bends without a jump: `sin(f(t)·t)` would instead sweep
    /// ever wider as `t` grows, a siren after a minute.
    phase: [f64; 3],
}

impl Input {
    fn new(channel: usize) -> Self {
        Self {
            role: role(channel),
            pitch: 1.0 + 0.07 * (channel / DEMO_CHANNELS) as f64,
            noise: 0x9E37_79B9 ^ (channel as u32 + 1),
            phase: [0.0; 3],
        }
    }

    /// Oscillator `i`'s phase at each frame of the chunk, at `freq` Hz, into `out`.
    fn phases(&mut self, i: usize, freq: f64, dt: f64, out: &mut [f32]) {
        let step = freq * dt;
        let (p0, inc) = (self.phase[i] as f32, step as f32);
        for (k, p) in (0i32..).zip(out.iter_mut()) {
            *p = fract(p0 + k as f32 * inc);
        }
        let end = self.phase[i] + step * out.len() as f64;
        self.phase[i] = end - end as i64 as f64;
    }

    /// The sine of oscillator `i` at `freq` Hz into `out`.
    fn sine_wave(&mut self, i: usize, freq: f64, dt: f64, out: &mut [f32]) {
        self.phases(i, freq, dt, out);
        out.iter_mut().for_each(|p| *p = sine(*p));
    }

    /// Noise into `out`, drawn in frame order.
    fn noise(&mut self, out: &mut [f32]) {
        out.iter_mut().for_each(|n| *n = white(&mut self.noise));
    }

    /// This input's chunk starting at `t0` s, `dt` s a frame, into `out`; `tmp` is scratch of
    /// the same length.
    fn render(&mut self, kit: &Kit, t0: f64, dt: f64, out: &mut [f32], tmp: [&mut [f32]; 2]) {
        let v = self.pitch;
        let [a, b] = tmp;
        match self.role {
            Role::Kick => out.copy_from_slice(&kit.kick),
            Role::Snare => {
                self.noise(out);
                for (x, k) in out.iter_mut().zip(kit.frames()) {
                    *x = kit.snare(k, *x);
                }
            }
            Role::HiHat => {
                self.noise(out);
                for (x, e) in out.iter_mut().zip(&kit.hihat_envelope) {
                    *x *= e;
                }
            }
            Role::Toms => {
                self.noise(out);
                let t_end = t0 + out.len() as f64 * dt;
                if in_fill(t0) || in_fill(t_end) {
                    // The fill: a hit every eighth, each a step lower.
                    cycle_position(t0, dt, BEAT_S / 2.0, a);
                    cycle_position(t0, dt, 4.0 * BEAT_S, b);
                    for (k, ((x, age), pos)) in out.iter_mut().zip(&*a).zip(&*b).enumerate() {
                        *x = if in_fill(t0 + k as f64 * dt) {
                            tom_hit(*age, *pos)
                        } else {
                            TOMS_HISS * *x
                        };
                    }
                } else {
                    // Three bars in four the toms rest: only the mic's hiss.
                    out.iter_mut().for_each(|x| *x *= TOMS_HISS);
                }
            }
            Role::Bass => {
                const NOTES: [f64; 4] = [41.2, 55.0, 49.0, 36.7];
                let note = NOTES[((t0 * (1.0 / (4.0 * BEAT_S))) as usize) % 4] * v;
                self.phases(0, note, dt, a);
                for ((x, p), e) in out.iter_mut().zip(&*a).zip(&kit.bass_envelope) {
                    let (s, c) = (sine(*p), sine(*p + 0.25));
                    // sin 2x = 2 sin x cos x: the octave without a second oscillator.
                    *x = 0.4 * e * (s + 0.3 * 2.0 * s * c);
                }
            }
            Role::Vocal => self.voice(kit, &VOCAL, t0, dt, out, a),
            Role::BackingVocal => self.voice(kit, &BACKING_VOCAL, t0, dt, out, a),
            Role::Guitar => {
                let f = 110.0 * v;
                out.fill(0.0);
                for (i, f) in [f, 1.5 * f, 2.0 * f].into_iter().enumerate() {
                    self.phases(i, f, dt, a);
                    for (x, p) in out.iter_mut().zip(&*a) {
                        *x += 2.0 * p - 1.0;
                    }
                }
                for (x, e) in out.iter_mut().zip(&kit.guitar_envelope) {
                    *x *= 0.18 / 3.0 * e;
                }
            }
            Role::Keys => {
                out.fill(0.0);
                for (i, f) in [261.6, 329.6, 392.0].into_iter().enumerate() {
                    self.sine_wave(i, f * v, dt, a);
                    for (x, s) in out.iter_mut().zip(&*a) {
                        *x += 0.2 / 3.0 * s;
                    }
                }
            }
            Role::ClippingLead => {
                // Every 7 s, half a second of an accent that drives 1.6 dB past full scale.
                self.sine_wave(0, 440.0 * v, dt, out);
                cycle_position(t0, dt, 7.0, a);
                for (x, pos) in out.iter_mut().zip(&*a) {
                    *x *= if *pos > 6.5 { 1.2 } else { 0.5 };
                }
            }
            Role::TooQuiet => {
                self.noise(out);
                self.sine_wave(0, 196.0, dt, a);
                for ((x, s), e) in out.iter_mut().zip(&*a).zip(&kit.quiet_envelope) {
                    *x = 0.003 * e * s + 0.00002 * *x;
                }
            }
            Role::Dead => out.fill(0.0),
            Role::DcOffset => {
                self.sine_wave(0, 174.6 * v, dt, out);
                self.sine_wave(1, 0.5, dt, a);
                for (x, swell) in out.iter_mut().zip(&*a) {
                    *x = 0.08 + 0.2 * *x * (0.6 + 0.4 * swell);
                }
            }
            Role::Rumble => {
                self.voice(kit, &RUMBLE, t0, dt, out, a);
                self.sine_wave(1, 15.0, dt, a);
                for ((x, r), th) in out.iter_mut().zip(&*a).zip(&kit.thump) {
                    *x += 0.25 * r + 0.3 * th;
                }
            }
            Role::Room => {
                self.noise(out);
                for (x, k) in out.iter_mut().zip(kit.frames()) {
                    let n = *x;
                    *x = 0.3 * (kit.kick[k] + kit.snare(k, n))
                        + 0.1 * kit.hihat_envelope[k] * n
                        + 0.003 * n;
                }
            }
            Role::Talkback => {
                self.noise(b);
                self.voice(kit, &TALKBACK, t0, dt, out, a);
                for (x, n) in out.iter_mut().zip(&*b) {
                    *x += 0.02 * n;
                }
            }
        }
    }

    /// A sung or spoken line on oscillator 0 into `out`: phrases with breaths, syllables,
    /// vibrato and a few harmonics. `tmp` is scratch.
    fn voice(
        &mut self,
        kit: &Kit,
        line: &Line,
        t0: f64,
        dt: f64,
        out: &mut [f32],
        tmp: &mut [f32],
    ) {
        let (vibrato, syllable) = if line.backing {
            (kit.backing_vibrato, &kit.backing_syllable)
        } else {
            (kit.lead_vibrato, &kit.lead_syllable)
        };
        let pitch = if line.fixed_pitch { 1.0 } else { self.pitch };
        self.phases(0, line.f0 * pitch * vibrato, dt, tmp);
        let period = line.phrase_s + line.gap_s;
        let delay = if line.backing { BACKING_DELAY_S } else { 0.0 };
        cycle_position(t0 - delay, dt, period, out);
        let (phrase, level) = (line.phrase_s as f32, line.level / 2.05);
        for ((x, p), syl) in out.iter_mut().zip(&*tmp).zip(syllable) {
            let pos = *x;
            let edge = (pos * (1.0 / 0.05)).min(1.0) * ((phrase - pos) * (1.0 / 0.1)).min(1.0);
            let edge = if pos > phrase { 0.0 } else { edge };
            // The harmonics from the fundamental's sine and cosine by the multiple-angle
            // formulas: two sines a sample instead of four.
            let (s, c) = (sine(*p), sine(*p + 0.25));
            let s2 = s * s;
            let tone = s
                + 0.5 * (2.0 * s * c)
                + 0.35 * s * (3.0 - 4.0 * s2)
                + 0.2 * s * (5.0 - s2 * (20.0 - 16.0 * s2));
            *x = level * syl * edge * tone;
        }
    }
}

/// How far the backing vocal sings behind the lead (s).
const BACKING_DELAY_S: f64 = 0.7;

/// A voice's part: its pitch, phrasing and level.
struct Line {
    f0: f64,
    phrase_s: f64,
    gap_s: f64,
    level: f32,
    /// Sings the backing part: [`BACKING_DELAY_S`] behind the lead, in phrasing, syllables
    /// and vibrato.
    backing: bool,
    /// Keeps its pitch on the repeats past 16 (a talkback voice is a voice).
    fixed_pitch: bool,
}

const VOCAL: Line = Line {
    f0: 220.0,
    phrase_s: 2.5,
    gap_s: 1.0,
    level: 0.45,
    backing: false,
    fixed_pitch: false,
};
const BACKING_VOCAL: Line = Line {
    f0: 330.0,
    phrase_s: 1.6,
    gap_s: 2.2,
    level: 0.25,
    backing: true,
    fixed_pitch: false,
};
const RUMBLE: Line = Line {
    f0: 196.0,
    phrase_s: 2.0,
    gap_s: 1.5,
    level: 0.3,
    ..VOCAL
};
// Talks most of the time, with pauses long enough that the hiss shows between phrases: the
// advisor calls a channel noisy only when its floor lies well under its body.
const TALKBACK: Line = Line {
    f0: 120.0,
    phrase_s: 2.5,
    gap_s: 1.5,
    level: 0.3,
    fixed_pitch: true,
    ..VOCAL
};

/// Where each frame of a chunk starting at `t0` s falls in a cycle of `period` s, into
/// `out`. A chunk is far shorter than any cycle, so it wraps at most once.
fn cycle_position(t0: f64, dt: f64, period: f64, out: &mut [f32]) {
    let (p0, step, period) = (t0.rem_euclid(period) as f32, dt as f32, period as f32);
    for (k, pos) in (0i32..).zip(out.iter_mut()) {
        let x = p0 + k as f32 * step;
        *pos = if x >= period { x - period } else { x };
    }
}

/// The toms mic's hiss, as a share of full-scale noise.
const TOMS_HISS: f32 = 0.0005;

/// Whether `t` s falls in the toms' fill: the last bar of every four.
fn in_fill(t: f64) -> bool {
    // Times here are never negative: truncation is the floor, without a library call.
    (t * (1.0 / (4.0 * BEAT_S))) as i64 % 4 == 3
}

/// The fill's sound `age` s after its latest hit, `pos` s into the bar.
fn tom_hit(age: f32, pos: f32) -> f32 {
    // Never negative: truncation is the floor.
    let step = (pos * (2.0 / BEAT_S as f32)) as i32 as f32;
    let f = 150.0 - 12.0 * step;
    // A pitch fixed for each hit, from the hit: `f·age` is the phase, no sweep.
    0.6 * exp_neg(age * (1.0 / 0.2)) * sine(fract(f * age))
}

/// Uniform noise in [-1, 1) from a xorshift generator: same sequence every run.
fn white(state: &mut u32) -> f32 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    // Through f64: a u32 does not fit an f32's mantissa, and the product could round to 1.
    (f64::from(x) * (2.0 / f64::from(u32::MAX)) - 1.0) as f32
}

/// `sin(2π·p)` for a phase `p` in [0, 2): an oscillator's phase, or that plus a quarter turn
/// for its cosine. No range reduction and no branches, so a loop of them runs several
/// samples per instruction (the library `sin` was most of the demo's cost). Accurate to about 1e-6.
#[inline]
fn sine(p: f32) -> f32 {
    let p = if p >= 1.0 { p - 1.0 } else { p };
    // sin(2πp) = -sin(2πr) with r = p - 1/2 in [-1/2, 1/2); sin(2π|r|) is symmetric about
    // a quarter turn, so fold |r| onto [0, 1/4] where the series converges fast.
    let r = p - 0.5;
    let a = r.abs();
    let x = std::f32::consts::TAU * a.min(0.5 - a);
    let x2 = x * x;
    // Taylor series to x^11: the first term left out is below 6e-8 at x = π/2.
    let s = x
        * (1.0
            + x2 * (-1.0 / 6.0
                + x2 * (1.0 / 120.0
                    + x2 * (-1.0 / 5040.0 + x2 * (1.0 / 362_880.0 + x2 * (-1.0 / 39_916_800.0))))));
    -s.copysign(r)
}

/// Adding then subtracting this rounds an f32 below 2^22 in magnitude to the nearest whole
/// number: 1.5·2^23, where the spacing of f32 values is 1.
const ROUND: f32 = 12_582_912.0;

/// The fractional part of `x`, for 0 <= x < 2^22.
#[inline]
fn fract(x: f32) -> f32 {
    // Float adds and a select, so loops of it vectorise: `floor` is a library call on
    // baseline x86-64, and `as i32` saturates, which kept the phase loop scalar.
    let f = x - ((x + ROUND) - ROUND);
    if f < 0.0 { f + 1.0 } else { f }
}

/// `exp(-x)` for `x >= 0`, to about 1e-5 (relative: f32 rounding of `x`), without branches: the demo's envelopes
/// take several a frame, and the library `exp` was a tenth of the demo's cost.
#[inline]
fn exp_neg(x: f32) -> f32 {
    // e^-x = 2^-(x·log2 e) = 2^-i · 2^-f with i whole and f in [0, 1). Past 2^-126 the
    // result is no longer a normal number: hold it there, a level nothing can hear.
    let y = (x * std::f32::consts::LOG2_E).min(126.0);
    // i the nearest whole number, read from the mantissa of the rounding sum, so the loop
    // vectorises (`as i32` saturates); f = y - i in [-1/2, 1/2].
    let rounded = y + ROUND;
    let i = (rounded.to_bits() & 0x7F_FFFF) as i32 - 0x40_0000;
    let f = y - (rounded - ROUND);
    // 2^-f = e^(-f·ln 2), Taylor series to the 7th power: the first term left out is below
    // 2e-8 at |f| = 1/2.
    let z = -f * std::f32::consts::LN_2;
    let p = 1.0
        + z * (1.0
            + z * (1.0 / 2.0
                + z * (1.0 / 6.0
                    + z * (1.0 / 24.0
                        + z * (1.0 / 120.0 + z * (1.0 / 720.0 + z * (1.0 / 5040.0)))))));
    // 2^-i from the exponent bits.
    p * f32::from_bits(((127 - i) as u32) << 23)
}

/// What several inputs share over a chunk, frame by frame: the kit (on the kick and snare
/// channels, the room mic, and their repeats past 16), the beat's envelopes and the voices'
/// movement. Worked out once per frame, not once per input.
#[derive(Debug, Default)]
struct Kit {
    kick: Vec<f32>,
    snare_envelope: Vec<f32>,
    snare_tone: Vec<f32>,
    hihat_envelope: Vec<f32>,
    /// The bass's pluck on every beat.
    bass_envelope: Vec<f32>,
    /// The electric guitar's strum on every beat.
    guitar_envelope: Vec<f32>,
    /// The too-quiet acoustic guitar's strum on every beat.
    quiet_envelope: Vec<f32>,
    /// The rumbling mic stand's handling thump.
    thump: Vec<f32>,
    /// The lead voices' syllables, and the backing vocal's, 0.7 s behind.
    lead_syllable: Vec<f32>,
    backing_syllable: Vec<f32>,
    /// Their vibrato (a pitch factor), one value a chunk: 5.5 Hz moves little in 10 ms.
    lead_vibrato: f64,
    backing_vibrato: f64,
    /// Scratch: times since hits, or positions in a cycle (s).
    ages: [Vec<f32>; 2],
}

impl Kit {
    /// The chunk of `frames` frames from `t0` s, `dt` s apart. Every envelope and sine here is
    /// a loop over whole arrays without branches, like the inputs' own: worked out frame by
    /// frame with the library-grade functions it cost as much as 16 inputs.
    fn fill(&mut self, t0: f64, dt: f64, frames: usize) {
        for v in [
            &mut self.kick,
            &mut self.snare_envelope,
            &mut self.snare_tone,
            &mut self.hihat_envelope,
            &mut self.bass_envelope,
            &mut self.guitar_envelope,
            &mut self.quiet_envelope,
            &mut self.thump,
            &mut self.lead_syllable,
            &mut self.backing_syllable,
        ] {
            v.resize(frames, 0.0);
        }
        let [a, b] = &mut self.ages;
        a.resize(frames, 0.0);
        b.resize(frames, 0.0);
        // The kick on one and three, and on the "and" of two every other bar: the latest hit
        // rings, its pitch falling from 160 Hz to 50 Hz.
        cycle_position(t0, dt, 2.0 * BEAT_S, a);
        cycle_position(t0 - 2.5 * BEAT_S, dt, 4.0 * BEAT_S, b);
        for ((kick, a), b) in self.kick.iter_mut().zip(&*a).zip(&*b) {
            let age = a.min(*b);
            let f = 50.0 + 110.0 * exp_neg(age * (1.0 / 0.03));
            // A pitch fixed for the hit, from the hit: `f·age` is the phase.
            *kick = 0.75 * exp_neg(age * (1.0 / 0.07)) * sine(fract(f * age));
        }
        // The snare on two and four.
        cycle_position(t0 - BEAT_S, dt, 2.0 * BEAT_S, a);
        for ((envelope, tone), age) in self
            .snare_envelope
            .iter_mut()
            .zip(&mut self.snare_tone)
            .zip(&*a)
        {
            *envelope = exp_neg(age * (1.0 / 0.1));
            *tone = 0.25 * sine(fract(185.0 * age));
        }
        cycle_position(t0, dt, BEAT_S / 2.0, a);
        for (envelope, age) in self.hihat_envelope.iter_mut().zip(&*a) {
            *envelope = 0.22 * exp_neg(age * (1.0 / 0.025));
        }
        cycle_position(t0, dt, BEAT_S, a);
        for (k, age) in a.iter().enumerate() {
            self.bass_envelope[k] = 0.6 + 0.4 * exp_neg(age * (1.0 / 0.15));
            self.guitar_envelope[k] = 0.5 + 0.5 * exp_neg(age * (1.0 / 0.3));
            // Each note dies away before the next, so the channel plays well above its floor
            // (the advisor calls quiet only what is played: peaks 20 dB over the floor).
            self.quiet_envelope[k] = exp_neg(age * (1.0 / 0.1));
        }
        cycle_position(t0 - 1.0, dt, 5.3, a);
        cycle_position(t0, dt, 1.0 / 9.0, b);
        for ((thump, age), p) in self.thump.iter_mut().zip(&*a).zip(&*b) {
            *thump = exp_neg(age * (1.0 / 0.08)) * sine(p * 9.0);
        }
        // Syllables, about three a second: the sine's magnitude at 3.3 Hz.
        for (line, delay) in [
            (&mut self.lead_syllable, 0.0),
            (&mut self.backing_syllable, BACKING_DELAY_S),
        ] {
            cycle_position(t0 - delay, dt, 1.0 / 3.3, a);
            for (syllable, p) in line.iter_mut().zip(&*a) {
                *syllable = 0.55 + 0.45 * sine(p * 3.3).abs();
            }
        }
        let middle = t0 + frames as f64 * dt / 2.0;
        self.lead_vibrato = vibrato(middle);
        self.backing_vibrato = vibrato(middle - BACKING_DELAY_S);
    }

    /// The frames of the chunk, as indices.
    fn frames(&self) -> std::ops::Range<usize> {
        0..self.kick.len()
    }

    fn snare(&self, k: usize, n: f32) -> f32 {
        self.snare_envelope[k] * (0.4 * n + self.snare_tone[k])
    }
}

/// A voice's pitch factor at `t` s: ±1.2 % at 5.5 Hz.
fn vibrato(t: f64) -> f64 {
    1.0 + 0.012 * f64::from(sine((5.5 * t).rem_euclid(1.0) as f32))
}

#[cfg(test)]
mod tests {
    use std::f64::consts::TAU;

    use super::*;

    #[test]
    fn sine_matches_the_library_sine_over_two_turns() {
        let mut worst: f64 = 0.0;
        for k in 0..200_000 {
            let p = k as f32 / 100_000.0;
            let want = (TAU * f64::from(p)).sin();
            worst = worst.max((f64::from(sine(p)) - want).abs());
        }
        assert!(worst < 1e-6, "worst error {worst}");
        assert_eq!(sine(0.0), 0.0);
        assert!((sine(0.25) - 1.0).abs() < 1e-6 && (sine(1.75) + 1.0).abs() < 1e-6);
    }

    #[test]
    fn the_vocal_keeps_its_pitch_an_hour_in() {
        // A vibrato applied as sin(f(t)·t) sweeps by f'(t)·t: after an hour, hundreds of kHz
        // of aliasing. Accumulated phase keeps the voice a voice: its steepest step is what a
        // 1.1 kHz top harmonic at this level allows (0.026), however long the demo has run.
        let vocal = (0..DEMO_CHANNELS)
            .find(|&c| role(c) == Role::Vocal)
            .unwrap();
        let mut demo = Demo::new(DEMO_CHANNELS, DEMO_RATE);
        demo.frame = 3600 * u64::from(DEMO_RATE);
        let mut out = vec![0.0f32; DEMO_CHANNELS * DEMO_RATE as usize * 3];
        demo.generate(&mut out);
        let x: Vec<f32> = out
            .iter()
            .skip(vocal)
            .step_by(DEMO_CHANNELS)
            .copied()
            .collect();
        let steepest = x
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        let loudest = x.iter().map(|v| v.abs()).fold(0.0, f32::max);
        assert!(loudest > 0.2, "the line is sung: {loudest}");
        assert!(steepest < 0.03, "steepest step {steepest}");
    }

    #[test]
    fn exp_neg_matches_the_library_exp() {
        let mut worst: f64 = 0.0;
        for k in 0..400_000 {
            let x = k as f32 * 0.000_173;
            let want = (-f64::from(x)).exp();
            worst = worst.max(((f64::from(exp_neg(x)) - want) / want).abs());
        }
        assert!(worst < 1e-5, "worst relative error {worst}");
        assert_eq!(exp_neg(0.0), 1.0);
        assert!(exp_neg(1.0e6) < 1e-37 && exp_neg(f32::INFINITY) < 1e-37);
    }
}
