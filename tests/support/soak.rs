//! Shared by the soak bench and the soak test (included with `#[path]`): hours of 32-channel
//! audio pushed through the whole live path (the callback state a device would drive, the
//! ring, the meter thread, the live advisor and the session log) as fast as the meter thread
//! takes it, while resident memory is sampled.
//!
//! The source is a fixed two-minute scene cycle per channel, shifted between channels, whose
//! levels raise and clear the advisor's warnings: phrases at a normal level, hot phrases,
//! clip bursts of known length (even channels only, so the odd ones keep raising and clearing
//! `hot`, which a latched clip hides), digital silence, quiet phrases and phrases over a noise
//! bed. Every full-scale sample the source writes is counted here, independently of the meter.

use std::time::{Duration, Instant};

use gainstage::advisor::LogEntry;
use gainstage::advisor::session_log::{read_entries, sessions_dir};
use gainstage::capture::callback::{CallbackState, ring_frames};
use gainstage::capture::{Session, SessionConfig};
use gainstage::meter::MeterConfig;
use gainstage::snapshot::{Snapshot, SourceInfo};

pub const CHANNELS: usize = 32;
pub const RATE: u32 = 48_000;
/// Frames per callback: 20 ms, so scene boundaries (whole seconds) fall on block edges.
const BLOCK: usize = 960;
const BLOCKS_PER_S: u64 = RATE as u64 / BLOCK as u64;
/// The scene cycle, in blocks.
const CYCLE_S: u64 = 120;
/// Consecutive full-scale samples that make one over: bursts of one sample are clips, not overs.
pub const OVER_LEN: u32 = 2;
/// A clip burst every this many blocks inside the clip scene (0.24 s).
const BURST_EVERY: u64 = 12;
/// Frame of its block where a burst starts.
const BURST_AT: usize = 100;
/// Audio between two resident-memory samples.
const RSS_EVERY_S: u64 = 60;

/// What one channel plays at one moment: phrase level, pause level, noise bed (linear peaks),
/// and whether clip bursts are due.
#[derive(Debug, Clone, Copy)]
struct Scene {
    phrase: f64,
    pause: f64,
    bed: f64,
    bursts: bool,
}

/// Scene of `channel` at block `block` (from the stream start).
fn scene(channel: usize, block: u64) -> Scene {
    // 3.46 s between neighbouring channels: events spread over the cycle.
    let t = (block + channel as u64 * 173) % (CYCLE_S * BLOCKS_PER_S);
    let s = t / BLOCKS_PER_S;
    let normal = Scene {
        phrase: 0.15, // -16.5 dBFS: between `low` (-30) and `hot` (-6)
        pause: 1e-4,  // -80 dBFS between phrases: a quiet room
        bed: 0.0,
        bursts: false,
    };
    match s {
        20..35 => Scene {
            phrase: 0.9, // -0.9 dBFS: hot
            ..normal
        },
        35..45 => Scene {
            bursts: channel.is_multiple_of(2),
            ..normal
        },
        60..72 => Scene {
            phrase: 0.0, // digital silence: no signal
            pause: 0.0,
            ..normal
        },
        72..90 => Scene {
            phrase: 0.01, // -40 dBFS: low
            ..normal
        },
        90..105 => Scene {
            bed: 0.01, // a -40 dBFS noise bed under the phrases: noisy
            ..normal
        },
        _ => normal,
    }
}

/// What the source fed one channel, counted as it was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fed {
    pub clipped: u64,
    pub overs: u64,
    pub longest_run: u32,
}

/// The generator: xorshift noise scaled to each scene's levels, as 32-bit integer codes.
struct Source {
    seed: u32,
    block: u64,
    bursts: Vec<u64>,
    fed: Vec<Fed>,
}

impl Source {
    fn new() -> Self {
        Self {
            seed: 0x9E37_79B9,
            block: 0,
            bursts: vec![0; CHANNELS],
            fed: vec![Fed::default(); CHANNELS],
        }
    }

    fn noise(&mut self, amplitude_q31: i64) -> i64 {
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 17;
        self.seed ^= self.seed << 5;
        (i64::from(self.seed as i32) * amplitude_q31) >> 31
    }

    /// Fills one block of interleaved frames.
    fn fill(&mut self, out: &mut [i32]) {
        let q31 = |a: f64| (a * 2f64.powi(31)) as i64;
        // Phrases: 0.76 s of sound, 0.24 s of pause, every second.
        let in_phrase = self.block % BLOCKS_PER_S < 38;
        for c in 0..CHANNELS {
            let sc = scene(c, self.block);
            let level = q31(if in_phrase { sc.phrase } else { sc.pause });
            let bed = q31(sc.bed);
            for f in 0..BLOCK {
                // Peaks stay at or below 0.91 of full scale: no sample but a burst clips.
                let v = self.noise(level) + if bed > 0 { self.noise(bed) } else { 0 };
                out[f * CHANNELS + c] = v as i32;
            }
            if sc.bursts && self.block.is_multiple_of(BURST_EVERY) {
                let n = self.bursts[c];
                self.bursts[c] += 1;
                let run = 1 + (n % 4) as usize;
                let code = if n.is_multiple_of(2) {
                    i32::MAX
                } else {
                    i32::MIN
                };
                for f in BURST_AT..BURST_AT + run {
                    out[f * CHANNELS + c] = code;
                }
                let fed = &mut self.fed[c];
                fed.clipped += run as u64;
                fed.overs += u64::from(run as u32 >= OVER_LEN);
                fed.longest_run = fed.longest_run.max(run as u32);
            }
        }
        self.block += 1;
    }
}

/// Resident memory of this process (kB), from `/proc/self/status`.
pub fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// What a soak run measured.
#[derive(Debug)]
pub struct SoakReport {
    pub audio_s: f64,
    pub warmup_s: f64,
    pub wall: Duration,
    pub frames: u64,
    pub rss_start_kb: u64,
    pub rss_warm_kb: u64,
    /// Highest sample after warm-up.
    pub rss_max_kb: u64,
    pub rss_end_kb: u64,
    /// The final snapshot, after every fed frame was metered.
    pub last: Snapshot,
    /// What the source fed, per channel.
    pub fed: Vec<Fed>,
    /// The session log after the run.
    pub log: Vec<LogEntry>,
    /// Times the feeder found the ring full and waited.
    pub waits: u64,
}

impl SoakReport {
    pub fn speed(&self) -> f64 {
        self.audio_s / self.wall.as_secs_f64()
    }

    /// Resident growth from the end of warm-up to the end (kB; negative when it shrank).
    pub fn growth_kb(&self) -> i64 {
        self.rss_end_kb as i64 - self.rss_warm_kb as i64
    }

    pub fn summary(&self) -> String {
        format!(
            "audio {:.2} h of {CHANNELS} ch @ {RATE} Hz in {:.1} s wall ({:.1}x real time); \
             RSS start {} kB, after {:.0} min warm-up {} kB, max after warm-up {} kB, end {} kB \
             (growth {:+} kB); dropped frames {}; {} log entries; ring full {} times",
            self.audio_s / 3600.0,
            self.wall.as_secs_f64(),
            self.speed(),
            self.rss_start_kb,
            self.warmup_s / 60.0,
            self.rss_warm_kb,
            self.rss_max_kb,
            self.rss_end_kb,
            self.growth_kb(),
            self.last.dropped_frames,
            self.log.len(),
            self.waits,
        )
    }
}

/// Waits until the ring has room for `frames` frames. The meter thread empties it at its own
/// pace; sleeping a millisecond between looks leaves the CPU to it (the ring holds a second
/// of audio, so it never runs dry meanwhile).
fn wait_for_room(cb: &CallbackState, frames: usize, waits: &mut u64) {
    while cb.vacant_frames() < frames {
        *waits += 1;
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Pushes `audio_s` seconds (whole blocks) through a session with the session log on, taking
/// the warm-up memory sample after `warmup_s`. The caller points the data directory at a
/// private place first.
pub fn run(audio_s: f64, warmup_s: f64, progress: bool) -> SoakReport {
    let rss_start_kb = rss_kb();
    let info = SourceInfo {
        host: "soak".into(),
        device: "soak".into(),
        device_id: "soak".into(),
        sample_rate: RATE,
        channels: CHANNELS,
        buffer_frames: Some(BLOCK as u32),
        sample_format: "i32".into(),
        is_demo: false,
        // The clip rule is set by the session from the sample format: integer codes clip at
        // full scale.
        ..SourceInfo::default()
    };
    let config = SessionConfig {
        meter: MeterConfig {
            over_len: OVER_LEN,
            ..MeterConfig::default()
        },
        session_log: true,
        ..SessionConfig::default()
    };
    let (session, mut cb) = Session::start_custom(info, &config).expect("session starts");
    // A reader, as the GUI or the monitor has, read whenever the feeder waits.
    let mut reader = session.reader();
    let mut source = Source::new();
    let mut buf = vec![0i32; BLOCK * CHANNELS];
    let blocks = (audio_s * BLOCKS_PER_S as f64).ceil() as u64;
    let warm_block = (warmup_s * BLOCKS_PER_S as f64).ceil() as u64;
    let mut rss_warm_kb = 0;
    let mut rss_max_kb = 0;
    let mut waits = 0;
    let start = Instant::now();
    for b in 0..blocks {
        source.fill(&mut buf);
        let before = waits;
        wait_for_room(&cb, BLOCK, &mut waits);
        if waits != before {
            let _ = reader.read();
        }
        cb.process(&buf);
        let done = b + 1;
        if done == warm_block {
            rss_warm_kb = rss_kb();
            rss_max_kb = rss_warm_kb;
        } else if done > warm_block && done % (RSS_EVERY_S * BLOCKS_PER_S) == 0 {
            rss_max_kb = rss_max_kb.max(rss_kb());
        }
        if progress && done % (3600 * BLOCKS_PER_S) == 0 {
            eprintln!(
                "soak: {} h of audio in {:.0} s, RSS {} kB",
                done / (3600 * BLOCKS_PER_S),
                start.elapsed().as_secs_f64(),
                rss_kb()
            );
        }
    }
    // Everything fed is metered once the ring is empty again.
    wait_for_room(&cb, ring_frames(RATE), &mut waits);
    let rss_end_kb = rss_kb();
    rss_max_kb = rss_max_kb.max(rss_end_kb);
    let wall = start.elapsed();
    // Stopping publishes (and logs) once more, after the last metered frame.
    session.stop();
    let last = reader.read().expect("a final snapshot");
    let log = read_entries(&sessions_dir().expect("a data dir"), None).expect("the session log");
    SoakReport {
        audio_s: blocks as f64 / BLOCKS_PER_S as f64,
        warmup_s,
        wall,
        frames: blocks * BLOCK as u64,
        rss_start_kb,
        rss_warm_kb,
        rss_max_kb,
        rss_end_kb,
        last,
        fed: source.fed,
        log,
        waits,
    }
}

/// Points the session log at a fresh directory under `base` (as `XDG_DATA_HOME`), so a run
/// writes nothing outside what it created.
///
/// # Safety
/// Call before any other thread may read the environment.
pub unsafe fn private_data_home(base: &std::path::Path) {
    // SAFETY: the caller guarantees no other thread reads the environment meanwhile.
    unsafe {
        std::env::remove_var("GAINSTAGE_DATA_DIR");
        std::env::set_var("XDG_DATA_HOME", base);
    }
}
