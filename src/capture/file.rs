//! `--file take.wav`: a WAV played through the same callback, ring and meter thread as a
//! device, at real-time pace, in its own sample format (so clip marking is the format's).

use std::io::{BufReader, Read};
use std::path::Path;

use dasp_sample::I24;
use hound::{SampleFormat, WavReader};

use super::callback::CallbackState;
use super::paced::PacedSource;
use super::session::CaptureError;
use crate::meter::sample::ToMeterSample;

/// Where the WAV bytes come from: a file, or any reader (tests, fuzzing).
type Bytes = Box<dyn Read + Send>;

pub struct WavSource {
    reader: WavReader<Bytes>,
    channels: usize,
    rate: u32,
    format: Format,
}

impl std::fmt::Debug for WavSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavSource")
            .field("channels", &self.channels)
            .field("rate", &self.rate)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    I8,
    I16,
    I24,
    I32,
    F32,
}

impl WavSource {
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let file = std::fs::File::open(path)
            .map_err(|e| CaptureError::Message(format!("cannot read {}: {e}", path.display())))?;
        Self::from_reader(BufReader::new(file), &path.display().to_string())
    }

    /// Reads WAV bytes from `reader`; `name` says where they come from in messages.
    pub fn from_reader(
        reader: impl Read + Send + 'static,
        name: &str,
    ) -> Result<Self, CaptureError> {
        let reader = WavReader::new(Box::new(reader) as Bytes).map_err(|e| {
            CaptureError::Message(format!(
                "cannot read {name}: {e}; give a PCM or float WAV file"
            ))
        })?;
        let spec = reader.spec();
        let format = match (spec.sample_format, spec.bits_per_sample) {
            (SampleFormat::Int, 8) => Format::I8,
            (SampleFormat::Int, 16) => Format::I16,
            (SampleFormat::Int, 24) => Format::I24,
            (SampleFormat::Int, 32) => Format::I32,
            (SampleFormat::Float, 32) => Format::F32,
            (f, b) => {
                return Err(CaptureError::Message(format!(
                    "{name}: {b}-bit {f:?} WAV is not supported; convert it to 16/24/32-bit or float"
                )));
            }
        };
        Ok(Self {
            channels: usize::from(spec.channels.max(1)),
            rate: spec.sample_rate,
            reader,
            format,
        })
    }

    pub fn channels(&self) -> usize {
        self.channels
    }
    pub fn sample_rate(&self) -> u32 {
        self.rate
    }
    pub fn format_name(&self) -> &'static str {
        match self.format {
            Format::I8 => "i8",
            Format::I16 => "i16",
            Format::I24 => "i24",
            Format::I32 => "i32",
            Format::F32 => "f32",
        }
    }
}

/// Reads up to `n` samples as `S`, converts each with `map`, and hands them to the callback.
/// A read error ends the file like its end does.
fn feed_as<S: hound::Sample, T: ToMeterSample>(
    reader: &mut WavReader<Bytes>,
    n: usize,
    cb: &mut CallbackState,
    map: impl Fn(S) -> T,
) -> bool {
    let block: Vec<T> = reader
        .samples::<S>()
        .take(n)
        .map_while(Result::ok)
        .map(map)
        .collect();
    cb.process(&block);
    block.len() == n
}

impl PacedSource for WavSource {
    fn feed(&mut self, cb: &mut CallbackState, frames: usize) -> bool {
        let n = frames * self.channels;
        let r = &mut self.reader;
        match self.format {
            Format::I8 => feed_as::<i8, i8>(r, n, cb, |x| x),
            Format::I16 => feed_as::<i16, i16>(r, n, cb, |x| x),
            Format::I24 => feed_as::<i32, I24>(r, n, cb, I24::new_unchecked),
            Format::I32 => feed_as::<i32, i32>(r, n, cb, |x| x),
            Format::F32 => feed_as::<f32, f32>(r, n, cb, |x| x),
        }
    }
}
