//! `--file take.wav`: a WAV played through the same callback, ring and meter thread as a
//! device, at real-time pace. Read by [`crate::wav`], the reader `analyze` uses, so both
//! commands accept the same formats and mark clips alike.

use std::path::Path;

use super::callback::CallbackState;
use super::paced::{PERIOD_FRAMES, PacedSource};
use super::session::CaptureError;
use crate::wav::{Fill, WavReader};

#[derive(Debug)]
pub struct WavSource {
    reader: WavReader,
    /// One period of interleaved samples, sized once.
    period: Vec<f32>,
}

impl WavSource {
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let reader = WavReader::open(path).map_err(|e| {
            CaptureError::Message(format!("cannot read {}: {e}", path.display()))
        })?;
        let period = vec![0.0; PERIOD_FRAMES * reader.channels()];
        Ok(Self { reader, period })
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
        cb.process(&self.period[..read * self.channels()]);
        matches!(fill, Fill::Full)
    }
}
