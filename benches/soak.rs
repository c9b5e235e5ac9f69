//! Soak: 24 hours (or `GAINSTAGE_SOAK_HOURS`) of 32-channel 48 kHz audio through the whole live
//! path (callback state, ring, meter thread, advisor, session log) as fast as the meter
//! thread takes it, reporting resident memory at the start, after a 10-minute warm-up and at
//! the end. `cargo bench --bench soak`; `tests/soak.rs` runs the same code for one hour.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The only unsafe: pointing the session log at a private directory before any thread starts.
#![allow(unsafe_code)]

#[path = "../tests/support/soak.rs"]
mod soak;

/// Audio before the warm-up memory sample.
const WARMUP_S: f64 = 600.0;

fn main() {
    // `cargo test --benches` runs this too (without `--bench`): a few seconds there.
    let bench = std::env::args().any(|a| a == "--bench");
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let hours: f64 = match std::env::var("GAINSTAGE_SOAK_HOURS") {
        Ok(h) => h
            .parse()
            .expect("GAINSTAGE_SOAK_HOURS is a number of hours"),
        Err(_) if bench => 24.0,
        Err(_) => 0.01,
    };
    let audio_s = hours * 3600.0;
    let warmup_s = WARMUP_S.min(audio_s / 2.0);
    let data = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a temporary directory");
    // SAFETY: no other thread exists yet.
    unsafe { soak::private_data_home(data.path()) };
    let r = soak::run(audio_s, warmup_s, true);
    println!("soak: {}", r.summary());
    let overs: u64 = r.fed.iter().map(|f| f.overs).sum();
    let counted: u64 = r.last.channels.iter().map(|c| c.readings.overs).sum();
    println!(
        "soak: overs fed {overs}, counted {counted}; clipped samples fed {}, counted {}",
        r.fed.iter().map(|f| f.clipped).sum::<u64>(),
        r.last
            .channels
            .iter()
            .map(|c| c.readings.clipped_samples)
            .sum::<u64>()
    );
    let logged: u64 = r
        .log
        .iter()
        .filter(|e| e.event == gainstage::advisor::LogEventKind::Clip)
        .map(|e| e.count)
        .sum();
    println!("soak: overs in the session log {logged}");
    let all_metered = r
        .last
        .channels
        .iter()
        .all(|c| c.readings.frames == r.frames);
    println!("soak: every fed frame metered on every channel: {all_metered}");
    if r.growth_kb() > 1024
        || r.last.dropped_frames > 0
        || overs != counted
        || overs != logged
        || !all_metered
    {
        eprintln!("soak: FAILED");
        std::process::exit(1);
    }
}
