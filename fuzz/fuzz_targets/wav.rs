//! The WAV reader on arbitrary bytes, as `analyze` reads blocks and as `monitor --file`'s source
//! plays them through the real callback state into a ring. Neither panics; the reader never
//! hands out more frames than a block holds or the data chunk declares; every clip the source
//! counts is a sample it delivered. The reader opens paths, so each input is written to a
//! file of this process's own first.
#![no_main]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use gainstage::capture::SessionConfig;
use gainstage::capture::callback::{CallbackState, ring};
use gainstage::capture::file::WavSource;
use gainstage::capture::paced::{PERIOD_FRAMES, PacedSource};
use gainstage::capture::shared::Shared;
use gainstage::wav::{Block, Fill, WavReader};
use libfuzzer_sys::fuzz_target;

/// Frames per decoder block: small, so a short input still spans several blocks.
const BLOCK_FRAMES: usize = 64;

/// This process's input file (in the temporary directory, named by the pid).
fn input_path() -> PathBuf {
    std::env::temp_dir().join(format!("gainstage-fuzz-wav-{}.wav", std::process::id()))
}

fuzz_target!(|data: &[u8]| {
    let path = input_path();
    if std::fs::write(&path, data).is_err() {
        return;
    }
    decode(&path);
    play(&path, data.len());
});

fn decode(path: &std::path::Path) {
    let Ok(mut decoder) = WavReader::open(path) else {
        return;
    };
    let channels = decoder.channels();
    let declared = decoder.declared_frames();
    let mut block = Block::new(channels, BLOCK_FRAMES);
    let mut frames = 0u64;
    loop {
        let fill = decoder.fill(&mut block);
        assert!(block.frames() <= BLOCK_FRAMES);
        frames += block.frames() as u64;
        assert!(frames <= declared, "{frames} frames of {declared} declared");
        for c in 0..channels {
            assert_eq!(block.channel(c).len(), block.frames());
        }
        match fill {
            Fill::Full => assert_eq!(block.frames(), BLOCK_FRAMES),
            Fill::End | Fill::Broken(_) => break,
        }
    }
}

fn play(path: &std::path::Path, len: usize) {
    let Ok(mut source) = WavSource::open(path) else {
        return;
    };
    let channels = source.channels();
    let shared = Arc::new(Shared::new(channels));
    let (producer, _consumer) = ring(channels, 4 * PERIOD_FRAMES);
    // The float clip level a session resolves by default.
    let float_clip_level = SessionConfig::default().clip_rule("f32").threshold();
    let mut cb = CallbackState::new(channels, 1, float_clip_level, producer, Arc::clone(&shared));
    // A period that delivers anything takes at least one byte, so this ends.
    for _ in 0..=len {
        if !source.feed(&mut cb, PERIOD_FRAMES) {
            break;
        }
    }
    let frames = shared.frames_in.load(Ordering::Relaxed);
    let clipped: u64 = shared
        .channels
        .iter()
        .map(|c| c.clipped.load(Ordering::Relaxed))
        .sum();
    assert!(clipped <= frames * channels as u64);
}
