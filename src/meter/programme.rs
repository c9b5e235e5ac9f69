//! One channel's programme meters (digital peak, VU, PPMs, K average): the ones switched on
//! run on every sample the channel meter sees; each reports the highest reading since it was
//! last read, so no peak between two published frames is lost.

use serde::{Deserialize, Serialize};

use super::digital_peak::DigitalPeak;
use super::k_meter::KMeter;
use super::kind::{Ballistics, MeterKind};
use super::ppm::{self, Ppm};
use super::vu::Vu;

/// Which programme meters run: a set of [`Ballistics`], so kinds sharing one (BBC and EBU,
/// the three K scales) cost one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProgrammeSet(u8);

impl ProgrammeSet {
    pub const NONE: ProgrammeSet = ProgrammeSet(0);

    fn bit(b: Ballistics) -> u8 {
        1 << (b as u8)
    }

    /// The set that serves `kinds`.
    pub fn of(kinds: impl IntoIterator<Item = MeterKind>) -> Self {
        ProgrammeSet(
            kinds
                .into_iter()
                .fold(0, |s, k| s | Self::bit(k.ballistics())),
        )
    }

    pub fn contains(self, b: Ballistics) -> bool {
        self.0 & Self::bit(b) != 0
    }
}

/// Each programme meter's highest reading since the previous read (dBFS of a sine's peak;
/// `-inf` for silence or a meter that is off).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProgrammeReadings {
    /// IEC 60268-18 digital peak bar (dBFS).
    pub digital_peak_dbfs: f64,
    /// VU needle (dBFS of a sine's peak).
    pub vu_dbfs: f64,
    /// Type I PPM, 1.7 s return: Nordic (dBFS).
    pub ppm_type_i_dbfs: f64,
    /// Type I PPM, 1.5 s return: DIN (dBFS).
    pub ppm_din_dbfs: f64,
    /// Type II PPM: BBC and EBU (dBFS).
    pub ppm_type_ii_dbfs: f64,
    /// K-system average, sine-calibrated RMS (dBFS).
    pub k_rms_dbfs: f64,
}

impl Default for ProgrammeReadings {
    fn default() -> Self {
        let off = f64::NEG_INFINITY;
        Self {
            digital_peak_dbfs: off,
            vu_dbfs: off,
            ppm_type_i_dbfs: off,
            ppm_din_dbfs: off,
            ppm_type_ii_dbfs: off,
            k_rms_dbfs: off,
        }
    }
}

impl ProgrammeReadings {
    /// The reading `kind` shows (dBFS).
    pub fn of(&self, kind: MeterKind) -> f64 {
        match kind.ballistics() {
            Ballistics::DigitalPeak => self.digital_peak_dbfs,
            Ballistics::Vu => self.vu_dbfs,
            Ballistics::PpmTypeI => self.ppm_type_i_dbfs,
            Ballistics::PpmDin => self.ppm_din_dbfs,
            Ballistics::PpmTypeII => self.ppm_type_ii_dbfs,
            Ballistics::KRms => self.k_rms_dbfs,
        }
    }

    /// The higher of each reading here and in `other`: two intervals folded into one.
    pub fn max(&self, other: &Self) -> Self {
        Self {
            digital_peak_dbfs: self.digital_peak_dbfs.max(other.digital_peak_dbfs),
            vu_dbfs: self.vu_dbfs.max(other.vu_dbfs),
            ppm_type_i_dbfs: self.ppm_type_i_dbfs.max(other.ppm_type_i_dbfs),
            ppm_din_dbfs: self.ppm_din_dbfs.max(other.ppm_din_dbfs),
            ppm_type_ii_dbfs: self.ppm_type_ii_dbfs.max(other.ppm_type_ii_dbfs),
            k_rms_dbfs: self.k_rms_dbfs.max(other.k_rms_dbfs),
        }
    }
}

/// The programme meters of one channel. All are built up front (each is a few numbers, no
/// buffers); only those in `on` run.
#[derive(Debug, Clone)]
pub struct ProgrammeMeters {
    /// Which of them run.
    on: ProgrammeSet,
    digital_peak: DigitalPeak,
    vu: Vu,
    type_i: Ppm,
    din: Ppm,
    type_ii: Ppm,
    k: KMeter,
}

impl ProgrammeMeters {
    pub fn new(sample_rate: u32, on: ProgrammeSet) -> Self {
        Self {
            on,
            digital_peak: DigitalPeak::new(sample_rate),
            vu: Vu::new(sample_rate),
            type_i: Ppm::new(sample_rate, ppm::TYPE_I),
            din: Ppm::new(sample_rate, ppm::DIN),
            type_ii: Ppm::new(sample_rate, ppm::TYPE_II),
            k: KMeter::new(sample_rate),
        }
    }

    pub fn set(&self) -> ProgrammeSet {
        self.on
    }

    /// Switches meters on and off; one switched on starts from rest.
    pub fn switch(&mut self, on: ProgrammeSet) {
        let fresh = ProgrammeSet(on.0 & !self.on.0);
        self.on = on;
        self.reset_in(fresh);
    }

    /// Meters a block of finite samples.
    pub fn process(&mut self, block: &[f32]) {
        let on = self.on;
        if on == ProgrammeSet::NONE {
            return;
        }
        if on.contains(Ballistics::DigitalPeak) {
            self.digital_peak.process(block);
        }
        if on.contains(Ballistics::Vu) {
            self.vu.process(block);
        }
        if on.contains(Ballistics::PpmTypeI) {
            self.type_i.process(block);
        }
        if on.contains(Ballistics::PpmDin) {
            self.din.process(block);
        }
        if on.contains(Ballistics::PpmTypeII) {
            self.type_ii.process(block);
        }
        if on.contains(Ballistics::KRms) {
            self.k.process(block);
        }
    }

    /// Each running meter's highest reading since the previous take; `-inf` for those off.
    pub fn take(&mut self) -> ProgrammeReadings {
        let on = self.on;
        let mut r = ProgrammeReadings::default();
        if on.contains(Ballistics::DigitalPeak) {
            r.digital_peak_dbfs = self.digital_peak.take_max_db();
        }
        if on.contains(Ballistics::Vu) {
            r.vu_dbfs = self.vu.take_max_db();
        }
        if on.contains(Ballistics::PpmTypeI) {
            r.ppm_type_i_dbfs = self.type_i.take_max_db();
        }
        if on.contains(Ballistics::PpmDin) {
            r.ppm_din_dbfs = self.din.take_max_db();
        }
        if on.contains(Ballistics::PpmTypeII) {
            r.ppm_type_ii_dbfs = self.type_ii.take_max_db();
        }
        if on.contains(Ballistics::KRms) {
            r.k_rms_dbfs = self.k.take_max_db();
        }
        r
    }

    /// Each running meter's reading now, without starting a new interval.
    pub fn current(&self) -> ProgrammeReadings {
        let on = self.on;
        let mut r = ProgrammeReadings::default();
        if on.contains(Ballistics::DigitalPeak) {
            r.digital_peak_dbfs = self.digital_peak.current_db();
        }
        if on.contains(Ballistics::Vu) {
            r.vu_dbfs = self.vu.current_db();
        }
        if on.contains(Ballistics::PpmTypeI) {
            r.ppm_type_i_dbfs = self.type_i.current_db();
        }
        if on.contains(Ballistics::PpmDin) {
            r.ppm_din_dbfs = self.din.current_db();
        }
        if on.contains(Ballistics::PpmTypeII) {
            r.ppm_type_ii_dbfs = self.type_ii.current_db();
        }
        if on.contains(Ballistics::KRms) {
            r.k_rms_dbfs = self.k.current_db();
        }
        r
    }

    /// Clears the running meters.
    pub fn reset(&mut self) {
        self.reset_in(self.on);
    }

    fn reset_in(&mut self, on: ProgrammeSet) {
        if on.contains(Ballistics::DigitalPeak) {
            self.digital_peak.reset();
        }
        if on.contains(Ballistics::Vu) {
            self.vu.reset();
        }
        if on.contains(Ballistics::PpmTypeI) {
            self.type_i.reset();
        }
        if on.contains(Ballistics::PpmDin) {
            self.din.reset();
        }
        if on.contains(Ballistics::PpmTypeII) {
            self.type_ii.reset();
        }
        if on.contains(Ballistics::KRms) {
            self.k.reset();
        }
    }
}
