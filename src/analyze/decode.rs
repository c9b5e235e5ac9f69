//! Streaming WAV decoding into planar `f32` blocks of whole frames, with clip marking.
//!
//! Only one block is in hand at a time, so memory does not grow with the file. Samples are
//! converted by [`crate::meter::sample`], so the full-scale integer codes become exactly ±1.0
//! and the meter's single `|x| >= 1.0` clip rule holds for every format.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use hound::{SampleFormat, WavIntoSamples, WavReader, WavSpec};

use crate::meter::sample::{float_to_f32, signed_to_f32};

/// Read buffer for the file: large enough that `read` calls are not what costs time.
const READ_BUFFER_BYTES: usize = 1 << 20;

type Reader = BufReader<File>;

enum Samples {
    Int {
        iter: WavIntoSamples<Reader, i32>,
        bits: u32,
    },
    Float(WavIntoSamples<Reader, f32>),
}

/// A WAV file being read block by block.
pub struct Decoder {
    spec: WavSpec,
    /// Frames the header announces.
    declared_frames: u64,
    samples: Samples,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("spec", &self.spec)
            .field("declared_frames", &self.declared_frames)
            .finish_non_exhaustive()
    }
}

/// Planar audio of whole frames: channel `c` is `data[c * capacity..c * capacity + frames]`.
#[derive(Debug)]
pub struct Block {
    data: Vec<f32>,
    capacity: usize,
    frames: usize,
}

impl Block {
    pub fn new(channels: usize, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            data: vec![0.0; channels * capacity],
            capacity,
            frames: 0,
        }
    }

    pub fn frames(&self) -> usize {
        self.frames
    }

    pub fn channel(&self, c: usize) -> &[f32] {
        let start = c * self.capacity;
        &self.data[start..start + self.frames]
    }
}

/// How a block read ended short of its capacity.
#[derive(Debug)]
pub enum Fill {
    /// The block is full; more may follow.
    Full,
    /// The data chunk ended (cleanly) inside this block.
    End,
    /// Reading failed inside this block: the file is cut short or damaged. The block holds
    /// the whole frames read before the failure.
    Broken(hound::Error),
}

impl Decoder {
    pub fn open(path: &Path) -> Result<Self, hound::Error> {
        let file = File::open(path)?;
        let reader = WavReader::new(BufReader::with_capacity(READ_BUFFER_BYTES, file))?;
        let spec = reader.spec();
        let declared_frames = u64::from(reader.duration());
        let samples = match spec.sample_format {
            SampleFormat::Int => {
                if !(8..=32).contains(&spec.bits_per_sample) {
                    return Err(hound::Error::Unsupported);
                }
                Samples::Int {
                    bits: u32::from(spec.bits_per_sample),
                    iter: reader.into_samples::<i32>(),
                }
            }
            SampleFormat::Float => {
                if spec.bits_per_sample != 32 {
                    return Err(hound::Error::Unsupported);
                }
                Samples::Float(reader.into_samples::<f32>())
            }
        };
        Ok(Self {
            spec,
            declared_frames,
            samples,
        })
    }

    pub fn spec(&self) -> WavSpec {
        self.spec
    }

    pub fn declared_frames(&self) -> u64 {
        self.declared_frames
    }

    /// Fills `block` with up to its capacity of whole frames.
    pub fn fill(&mut self, block: &mut Block) -> Fill {
        let channels = usize::from(self.spec.channels);
        match &mut self.samples {
            Samples::Int { iter, bits } => {
                let bits = *bits;
                fill_with(iter, block, channels, |s| signed_to_f32(i64::from(s), bits))
            }
            Samples::Float(iter) => {
                fill_with(iter, block, channels, |s| float_to_f32(f64::from(s)))
            }
        }
    }
}

fn fill_with<S>(
    iter: &mut impl Iterator<Item = Result<S, hound::Error>>,
    block: &mut Block,
    channels: usize,
    convert: impl Fn(S) -> f32,
) -> Fill {
    block.frames = 0;
    let cap = block.capacity;
    for frame in 0..cap {
        for c in 0..channels {
            match iter.next() {
                Some(Ok(s)) => block.data[c * cap + frame] = convert(s),
                // A partial last frame is dropped: channels must never shift.
                Some(Err(e)) => return Fill::Broken(e),
                None => return Fill::End,
            }
        }
        block.frames = frame + 1;
    }
    Fill::Full
}
