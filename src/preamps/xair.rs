//! Behringer X-Air (XR12, XR16, XR18) and Midas MR headamps over OSC (UDP 10024), as the
//! X-Air OSC command list gives them: `/headamp/01/gain` … `/headamp/24/gain`, numbered from
//! 01, the same float 0..1 over -12..+60 dB in 0.5 dB steps as the X32.

use super::osc_link::OscLink;
use super::range::GainRange;
use super::spec::Through;
use super::x32::{RANGE, from_float, to_float};
use super::{Preamp, PreampError};

/// Headamps 01-24 (the XR18 has 16 mic preamps and its aux inputs after them).
pub const HEADAMPS: usize = 24;

#[derive(Debug)]
pub struct XAir {
    link: OscLink,
}

impl XAir {
    pub fn new(host: &str, port: u16) -> Self {
        Self {
            link: OscLink::new("xair", host, port),
        }
    }

    fn address(&self, index: usize) -> Result<String, PreampError> {
        if index >= HEADAMPS {
            return Err(PreampError::NoSuchPreamp(
                self.link.name().to_string(),
                format!("headamp {}", index + 1),
            ));
        }
        Ok(format!("/headamp/{:02}/gain", index + 1))
    }
}

impl Preamp for XAir {
    fn through(&self) -> Through {
        Through::Xair
    }
    fn place(&self) -> String {
        self.link.name().to_string()
    }
    fn count(&mut self) -> Result<usize, PreampError> {
        Ok(HEADAMPS)
    }
    fn label(&self, index: usize) -> String {
        format!("headamp {}", index + 1)
    }
    fn range(&mut self, _index: usize) -> Result<GainRange, PreampError> {
        Ok(RANGE)
    }
    fn read_db(&mut self, index: usize) -> Result<f64, PreampError> {
        let addr = self.address(index)?;
        self.link.query_float(&addr).map(from_float)
    }
    fn write_db(&mut self, index: usize, db: f64) -> Result<(), PreampError> {
        let addr = self.address(index)?;
        self.link.set_float(&addr, to_float(db))
    }
}
