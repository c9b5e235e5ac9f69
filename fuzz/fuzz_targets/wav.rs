//! Every WAV reader on arbitrary bytes: `analyze`'s block decoder and `monitor --file`'s source
//! (played through the real callback state into a ring). Neither panics; the decoder never
//! hands out more frames than a block holds or the data chunk declares; every clip the source
//! counts is a sample it delivered.
#![no_main]

use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use gainstage::analyze::decode::{Block, Decoder, Fill};
use gainstage::capture::SessionConfig;
use gainstage::capture::callback::{CallbackState, ring};
use gainstage::capture::file::WavSource;
use gainstage::capture::paced::{PERIOD_FRAMES, PacedSource};
use gainstage::capture::shared::Shared;
use libfuzzer_sys::fuzz_target;

/// Frames per decoder block: small, so a short input still spans several blocks.
const BLOCK_FRAMES: usize = 64;

fuzz_target!(|data: &[u8]| {
    decode(data);
    play(data);
});

fn decode(data: &[u8]) {
    let Ok(mut decoder) = Decoder::new(Cursor::new(data)) else {
        return;
    };
    let channels = usize::from(decoder.spec().channels);
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

fn play(data: &[u8]) {
    let Ok(mut source) = WavSource::from_reader(Cursor::new(data.to_vec()), "fuzz") else {
        return;
    };
    let channels = source.channels();
    let shared = Arc::new(Shared::new(channels));
    let (producer, _consumer) = ring(channels, 4 * PERIOD_FRAMES);
    // The float clip level a session resolves by default.
    let float_clip_level = SessionConfig::default().clip_rule("f32").threshold();
    let mut cb = CallbackState::new(channels, 1, float_clip_level, producer, Arc::clone(&shared));
    // A period that delivers anything takes at least one byte, so this ends.
    for _ in 0..=data.len() {
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
