//! The programme meters an engineer can choose, their scales and alignment levels.
//!
//! Every meter reads in dBFS of a sine's peak (a steady sine reads its peak level whatever
//! the ballistics); a scale places that reading against the meter's own marks, which sit
//! relative to the alignment level (the dBFS of the meter's reference mark: 0 VU, PPM 4,
//! TEST, K-20's 0).

use serde::{Deserialize, Serialize};

/// Alignment levels a user may set (dBFS): from the hottest practice (-9, DIN) down to
/// generous broadcast headroom.
pub const ALIGNMENT_RANGE_DBFS: std::ops::RangeInclusive<f64> = -30.0..=0.0;

/// The meter a view shows besides the true-peak bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeterKind {
    /// IEC 60268-18 digital peak meter: sample peak, 20 dB return in 1.7 s, 1 s hold.
    Peak,
    /// IEC 60268-17 VU meter.
    Vu,
    /// IEC 60268-10 Type IIa, marks 1–7.
    BbcPpm,
    /// IEC 60268-10 Type IIb (EBU Tech 3205), -12…+12.
    EbuPpm,
    /// IEC 60268-10 Type I as DIN 45406, -50…+5.
    DinPpm,
    /// IEC 60268-10 Type I, Nordic scale -36…+12.
    NordicPpm,
    /// K-system average meters.
    K20,
    K14,
    K12,
}

/// The DSP a kind runs on: kinds that differ only in scale share one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ballistics {
    DigitalPeak,
    Vu,
    PpmTypeI,
    PpmDin,
    PpmTypeII,
    KRms,
}

/// One mark on a meter's scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    /// Where it sits (dB relative to the alignment level).
    pub db: f64,
    /// What is written there.
    pub label: &'static str,
}

const fn mark(db: f64, label: &'static str) -> Mark {
    Mark { db, label }
}

/// A meter's scale: its range and marks, in dB relative to the alignment level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// Bottom and top of the scale (dB re alignment).
    pub bottom_db: f64,
    pub top_db: f64,
    /// Marks, top first.
    pub marks: &'static [Mark],
    /// Unit written with a reading ("VU", "dB", "PPM").
    pub unit: &'static str,
}

const PEAK_MARKS: &[Mark] = &[
    mark(0.0, "0"),
    mark(-3.0, "3"),
    mark(-6.0, "6"),
    mark(-12.0, "12"),
    mark(-18.0, "18"),
    mark(-24.0, "24"),
    mark(-30.0, "30"),
    mark(-40.0, "40"),
    mark(-50.0, "50"),
    mark(-60.0, "60"),
];
const VU_MARKS: &[Mark] = &[
    mark(3.0, "+3"),
    mark(2.0, "+2"),
    mark(1.0, "+1"),
    mark(0.0, "0"),
    mark(-1.0, "-1"),
    mark(-2.0, "-2"),
    mark(-3.0, "-3"),
    mark(-5.0, "-5"),
    mark(-7.0, "-7"),
    mark(-10.0, "-10"),
    mark(-20.0, "-20"),
];
/// BBC: mark n is 4 dB above mark n-1, PPM 4 is alignment.
const BBC_MARKS: &[Mark] = &[
    mark(12.0, "7"),
    mark(8.0, "6"),
    mark(4.0, "5"),
    mark(0.0, "4"),
    mark(-4.0, "3"),
    mark(-8.0, "2"),
    mark(-12.0, "1"),
];
const EBU_MARKS: &[Mark] = &[
    mark(12.0, "+12"),
    mark(8.0, "+8"),
    mark(4.0, "+4"),
    mark(0.0, "TEST"),
    mark(-4.0, "-4"),
    mark(-8.0, "-8"),
    mark(-12.0, "-12"),
];
const DIN_MARKS: &[Mark] = &[
    mark(5.0, "+5"),
    mark(0.0, "0"),
    mark(-5.0, "-5"),
    mark(-10.0, "-10"),
    mark(-20.0, "-20"),
    mark(-30.0, "-30"),
    mark(-40.0, "-40"),
    mark(-50.0, "-50"),
];
const NORDIC_MARKS: &[Mark] = &[
    mark(12.0, "+12"),
    mark(6.0, "+6"),
    mark(0.0, "TEST"),
    mark(-6.0, "-6"),
    mark(-12.0, "-12"),
    mark(-18.0, "-18"),
    mark(-24.0, "-24"),
    mark(-30.0, "-30"),
    mark(-36.0, "-36"),
];
const K20_MARKS: &[Mark] = &[
    mark(20.0, "+20"),
    mark(16.0, "+16"),
    mark(12.0, "+12"),
    mark(8.0, "+8"),
    mark(4.0, "+4"),
    mark(0.0, "0"),
    mark(-4.0, "-4"),
    mark(-8.0, "-8"),
    mark(-12.0, "-12"),
    mark(-20.0, "-20"),
    mark(-30.0, "-30"),
    mark(-40.0, "-40"),
];
const K14_MARKS: &[Mark] = &[
    mark(14.0, "+14"),
    mark(12.0, "+12"),
    mark(8.0, "+8"),
    mark(4.0, "+4"),
    mark(0.0, "0"),
    mark(-4.0, "-4"),
    mark(-8.0, "-8"),
    mark(-12.0, "-12"),
    mark(-20.0, "-20"),
    mark(-30.0, "-30"),
    mark(-40.0, "-40"),
];
const K12_MARKS: &[Mark] = &[
    mark(12.0, "+12"),
    mark(8.0, "+8"),
    mark(4.0, "+4"),
    mark(0.0, "0"),
    mark(-4.0, "-4"),
    mark(-8.0, "-8"),
    mark(-12.0, "-12"),
    mark(-20.0, "-20"),
    mark(-30.0, "-30"),
    mark(-40.0, "-40"),
];

impl MeterKind {
    pub const ALL: [MeterKind; 9] = [
        MeterKind::Peak,
        MeterKind::Vu,
        MeterKind::BbcPpm,
        MeterKind::EbuPpm,
        MeterKind::DinPpm,
        MeterKind::NordicPpm,
        MeterKind::K20,
        MeterKind::K14,
        MeterKind::K12,
    ];

    /// The name on the command line and in settings ("vu", "bbc-ppm", "k20").
    pub fn slug(self) -> &'static str {
        match self {
            MeterKind::Peak => "peak",
            MeterKind::Vu => "vu",
            MeterKind::BbcPpm => "bbc-ppm",
            MeterKind::EbuPpm => "ebu-ppm",
            MeterKind::DinPpm => "din-ppm",
            MeterKind::NordicPpm => "nordic-ppm",
            MeterKind::K20 => "k20",
            MeterKind::K14 => "k14",
            MeterKind::K12 => "k12",
        }
    }

    pub fn from_slug(s: &str) -> Option<MeterKind> {
        MeterKind::ALL.into_iter().find(|k| k.slug() == s)
    }

    /// The name a menu shows.
    pub fn label(self) -> &'static str {
        match self {
            MeterKind::Peak => "Digital peak",
            MeterKind::Vu => "VU",
            MeterKind::BbcPpm => "BBC PPM",
            MeterKind::EbuPpm => "EBU PPM",
            MeterKind::DinPpm => "DIN PPM",
            MeterKind::NordicPpm => "Nordic PPM",
            MeterKind::K20 => "K-20",
            MeterKind::K14 => "K-14",
            MeterKind::K12 => "K-12",
        }
    }

    pub fn ballistics(self) -> Ballistics {
        match self {
            MeterKind::Peak => Ballistics::DigitalPeak,
            MeterKind::Vu => Ballistics::Vu,
            MeterKind::BbcPpm | MeterKind::EbuPpm => Ballistics::PpmTypeII,
            MeterKind::DinPpm => Ballistics::PpmDin,
            MeterKind::NordicPpm => Ballistics::PpmTypeI,
            MeterKind::K20 | MeterKind::K14 | MeterKind::K12 => Ballistics::KRms,
        }
    }

    /// The dBFS of the reference mark when the user sets none: EBU R68's -18 dBFS for the
    /// broadcast meters, DIN's 0 dB at -9 dBFS, the K-system's own, full scale for peak.
    pub fn default_alignment_dbfs(self) -> f64 {
        match self {
            MeterKind::Peak => 0.0,
            MeterKind::Vu | MeterKind::BbcPpm | MeterKind::EbuPpm | MeterKind::NordicPpm => -18.0,
            MeterKind::DinPpm => -9.0,
            MeterKind::K20 => -20.0,
            MeterKind::K14 => -14.0,
            MeterKind::K12 => -12.0,
        }
    }

    /// Whether the user's alignment applies: the K-meters are defined by theirs (K-20's 0
    /// is -20 dBFS) and the digital peak meter's top is full scale.
    pub fn alignable(self) -> bool {
        !matches!(
            self,
            MeterKind::Peak | MeterKind::K20 | MeterKind::K14 | MeterKind::K12
        )
    }

    /// The alignment in force: the user's where it applies, else the kind's own.
    pub fn alignment_dbfs(self, user: Option<f64>) -> f64 {
        match user {
            Some(a) if self.alignable() && ALIGNMENT_RANGE_DBFS.contains(&a) => a,
            _ => self.default_alignment_dbfs(),
        }
    }

    pub fn scale(self) -> Scale {
        let (bottom_db, top_db, marks, unit) = match self {
            MeterKind::Peak => (-60.0, 0.0, PEAK_MARKS, "dBFS"),
            MeterKind::Vu => (-20.0, 3.0, VU_MARKS, "VU"),
            // Below PPM 1 (and -12) the meters' needles rest; a little room shows that.
            MeterKind::BbcPpm => (-16.0, 14.0, BBC_MARKS, "PPM"),
            MeterKind::EbuPpm => (-16.0, 14.0, EBU_MARKS, "dB"),
            MeterKind::DinPpm => (-50.0, 5.0, DIN_MARKS, "dB"),
            MeterKind::NordicPpm => (-36.0, 12.0, NORDIC_MARKS, "dB"),
            MeterKind::K20 => (-40.0, 20.0, K20_MARKS, "dB"),
            MeterKind::K14 => (-40.0, 14.0, K14_MARKS, "dB"),
            MeterKind::K12 => (-40.0, 12.0, K12_MARKS, "dB"),
        };
        Scale {
            bottom_db,
            top_db,
            marks,
            unit,
        }
    }

    /// A reading (dBFS) on this meter's own scale (dB re alignment; for the BBC meter its
    /// mark number, 4 dB a mark, PPM 4 at alignment).
    pub fn on_scale(self, reading_dbfs: f64, alignment_dbfs: f64) -> f64 {
        let rel = reading_dbfs - alignment_dbfs;
        match self {
            MeterKind::BbcPpm => 4.0 + rel / 4.0,
            _ => rel,
        }
    }
}

impl std::fmt::Display for MeterKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_names_itself_back() {
        for k in MeterKind::ALL {
            assert_eq!(MeterKind::from_slug(k.slug()), Some(k));
            let s = k.scale();
            assert!(s.bottom_db < s.top_db);
            assert!(
                s.marks
                    .iter()
                    .all(|m| (s.bottom_db..=s.top_db).contains(&m.db))
            );
        }
        assert_eq!(MeterKind::from_slug("ppm"), None);
    }

    #[test]
    fn bbc_marks_are_four_db_apart_with_four_at_alignment() {
        // An alignment tone reads PPM 4; 8 dB above it PPM 6.
        assert_eq!(MeterKind::BbcPpm.on_scale(-18.0, -18.0), 4.0);
        assert_eq!(MeterKind::BbcPpm.on_scale(-10.0, -18.0), 6.0);
        assert_eq!(MeterKind::Vu.on_scale(-17.0, -20.0), 3.0);
    }

    #[test]
    fn k_meters_keep_their_own_zero_whatever_the_user_sets() {
        assert_eq!(MeterKind::K14.alignment_dbfs(Some(-18.0)), -14.0);
        assert_eq!(MeterKind::Vu.alignment_dbfs(Some(-20.0)), -20.0);
        assert_eq!(MeterKind::Vu.alignment_dbfs(None), -18.0);
        assert_eq!(MeterKind::Vu.alignment_dbfs(Some(f64::NAN)), -18.0);
    }
}
