//! `--file take.wav`: a WAV played through the same callback, ring and meter thread as a
//! device, at real-time pace. Read by [`crate::wav`], the reader `analyze` uses, so both
//! commands accept the same formats and mark clips alike.

use std::path::Path;

use super::callback::CallbackState;
use super::paced::{PERIOD_FRAMES, PacedSource};
use super::session::CaptureError;
use crate::meter::sample::ConvertedInt;
use crate::wav::{Fill, WavReader};

#[derive(Debug)]
pub struct WavSource {
    reader: WavReader,
    /// One period of interleaved samples, sized once.
    period: Vec<f32>,
    /// The same as integer samples, for integer files: the callback picks the clip rule by
    /// the type it is fed, and converted integers clip at full scale, not the float level.
    ints: Vec<ConvertedInt>,
}

impl WavSource {
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let reader = WavReader::open(path)
            .map_err(|e| CaptureError::Message(format!("cannot read {}: {e}", path.display())))?;
        let period = vec![0.0; PERIOD_FRAMES * reader.channels()];
        let ints = if reader.layout().is_float() {
            Vec::new()
        } else {
            vec![ConvertedInt::default(); period.len()]
        };
        Ok(Self {
            reader,
            period,
            ints,
        })
    }

    pub fn channels(&self) -> usize {
        self.reader.channels()
    }
    pub fn sample_rate(&self) -> u32 {
        self.reader.sample_rate()
    }
    pub fn format_name(&self) -> &'static str {
        self.reader.layout().format_name()
    }
}

impl PacedSource for WavSource {
    /// A read error ends the file like its end does.
    fn feed(&mut self, cb: &mut CallbackState, frames: usize) -> bool {
        let n = (frames * self.channels()).min(self.period.len());
        let (read, fill) = self.reader.fill_interleaved(&mut self.period[..n]);
        let samples = &self.period[..read * self.channels()];
        if self.ints.is_empty() {
            cb.process(samples);
        } else {
            for (int, &x) in self.ints.iter_mut().zip(samples) {
                *int = ConvertedInt(x);
            }
            cb.process(&self.ints[..samples.len()]);
        }
        matches!(fill, Fill::Full)
    }
}
