//! The headamps of a Behringer/Midas console over OSC: what the X32 and the X-Air share (the
//! same float over the same range, asked and set through [`OscLink`]); each backend says only
//! how many headamps it has and how it numbers their addresses.

use super::osc_link::OscLink;
use super::range::GainRange;
use super::spec::Through;
use super::x32::{RANGE, from_float, to_float};
use super::{Preamp, PreampError};

/// One console's headamps.
#[derive(Debug)]
pub struct Headamps {
    link: OscLink,
    through: Through,
    count: usize,
    /// The OSC address of headamp `index` (from 0), below `count`.
    address: fn(usize) -> String,
}

impl Headamps {
    pub fn new(
        through: Through,
        link: OscLink,
        count: usize,
        address: fn(usize) -> String,
    ) -> Self {
        Self {
            link,
            through,
            count,
            address,
        }
    }

    fn address(&self, index: usize) -> Result<String, PreampError> {
        if index >= self.count {
            return Err(PreampError::NoSuchPreamp(
                self.link.name().to_string(),
                self.label(index),
            ));
        }
        Ok((self.address)(index))
    }
}

impl Preamp for Headamps {
    fn through(&self) -> Through {
        self.through
    }
    fn place(&self) -> String {
        self.link.name().to_string()
    }
    fn count(&mut self) -> Result<usize, PreampError> {
        Ok(self.count)
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
