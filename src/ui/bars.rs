//! What a view's bars show: the true-peak bar on the dBFS scale, or a programme meter (VU,
//! PPM, K, digital peak) on its own scale and alignment. Colours keep their one meaning
//! whatever the bar shows: green, amber and red say where the true peak stands.

use crate::meter::{ChannelReadings, MeterKind};
use crate::settings::ViewMeters;

use super::scale::{FLOOR_DB, TICKS_DB, fraction};

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Bars {
    /// True peak with IEC fall-back, the held true peak as marker, dBFS ticks.
    #[default]
    TruePeak,
    /// A programme meter's reading on its scale, 0 (or PPM 4, TEST) at `alignment_dbfs`.
    Programme {
        kind: MeterKind,
        alignment_dbfs: f64,
    },
}

/// Each view's bars.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ViewBars {
    pub bridge: Bars,
    pub wall: Bars,
    pub performer: Bars,
}

impl ViewBars {
    pub fn from_settings(m: &ViewMeters) -> Self {
        let bars = |name: &str| match ViewMeters::kind(name) {
            Some(kind) => Bars::Programme {
                kind,
                alignment_dbfs: kind.alignment_dbfs(m.alignment_dbfs),
            },
            None => Bars::TruePeak,
        };
        Self {
            bridge: bars(&m.bridge),
            wall: bars(&m.wall),
            performer: bars(&m.performer),
        }
    }
}

impl Bars {
    /// The dBFS the scale spans, bottom and top.
    fn span(&self) -> (f32, f32) {
        match *self {
            Bars::TruePeak => (FLOOR_DB, 0.0),
            Bars::Programme {
                kind,
                alignment_dbfs,
            } => {
                let s = kind.scale();
                (
                    (alignment_dbfs + s.bottom_db) as f32,
                    (alignment_dbfs + s.top_db) as f32,
                )
            }
        }
    }

    /// Height fraction from the bottom for a level (dBFS).
    pub fn fraction(&self, dbfs: f32) -> f32 {
        if *self == Bars::TruePeak {
            return fraction(dbfs);
        }
        if dbfs.is_nan() {
            return 0.0;
        }
        let (bottom, top) = self.span();
        ((dbfs - bottom) / (top - bottom)).clamp(0.0, 1.0)
    }

    /// The lowest level that draws a bar (dBFS).
    pub fn floor(&self) -> f32 {
        self.span().0
    }

    /// The scale's marks, top first: where each sits (dBFS) and its label.
    pub fn marks(&self) -> Vec<(f32, String)> {
        match *self {
            Bars::TruePeak => TICKS_DB
                .iter()
                .map(|&db| (db, format!("{}", db.abs())))
                .collect(),
            Bars::Programme {
                kind,
                alignment_dbfs,
            } => kind
                .scale()
                .marks
                .iter()
                .map(|m| ((alignment_dbfs + m.db) as f32, m.label.to_string()))
                .collect(),
        }
    }

    /// The level the bar shows (dBFS).
    pub fn level(&self, r: &ChannelReadings) -> f32 {
        match *self {
            Bars::TruePeak => r.falling_true_peak_dbtp as f32,
            Bars::Programme { kind, .. } => r.programme.of(kind) as f32,
        }
    }

    /// Where the hold marker sits (dBFS), for meters that have one: the held true peak on
    /// the true-peak bar, the held sample peak on the IEC 60268-18 digital peak meter.
    pub fn hold(&self, r: &ChannelReadings) -> Option<f32> {
        match *self {
            Bars::TruePeak => Some(r.true_peak_hold_dbtp as f32),
            Bars::Programme {
                kind: MeterKind::Peak,
                ..
            } => Some(r.peak_hold_dbfs as f32),
            Bars::Programme { .. } => None,
        }
    }

    /// Whether the preset's target zone (a true-peak range) belongs on this scale: on the
    /// dBFS scales only.
    pub fn shows_target(&self) -> bool {
        matches!(
            self,
            Bars::TruePeak
                | Bars::Programme {
                    kind: MeterKind::Peak,
                    ..
                }
        )
    }

    /// Whether the bar's own level picks its colour (the dBFS scales, where the hot level
    /// is on the scale); on the others the colour is the channel's true-peak state.
    pub fn colours_by_level(&self) -> bool {
        self.shows_target()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vu_bar_puts_zero_vu_at_the_alignment() {
        let vu = Bars::Programme {
            kind: MeterKind::Vu,
            alignment_dbfs: -18.0,
        };
        // -20…+3 VU: 0 VU is 20/23 of the way up.
        assert!((vu.fraction(-18.0) - 20.0 / 23.0).abs() < 1e-6);
        assert_eq!(vu.fraction(-10.0), 1.0);
        assert_eq!(vu.fraction(f32::NEG_INFINITY), 0.0);
        assert_eq!(vu.marks()[0], (-15.0, "+3".to_string()));
        assert_eq!(Bars::TruePeak.fraction(-30.0), 0.5);
    }

    #[test]
    fn settings_name_each_views_meter() {
        let m = ViewMeters {
            bridge: "ebu-ppm".into(),
            wall: "true-peak".into(),
            performer: "k12".into(),
            alignment_dbfs: Some(-20.0),
        };
        let v = ViewBars::from_settings(&m);
        assert_eq!(
            v.bridge,
            Bars::Programme {
                kind: MeterKind::EbuPpm,
                alignment_dbfs: -20.0
            }
        );
        assert_eq!(v.wall, Bars::TruePeak);
        assert_eq!(
            v.performer,
            Bars::Programme {
                kind: MeterKind::K12,
                alignment_dbfs: -12.0
            }
        );
        // No alignment set: each meter's own (DIN's 0 dB at -9 dBFS).
        let own = ViewBars::from_settings(&ViewMeters {
            bridge: "din-ppm".into(),
            ..ViewMeters::default()
        });
        assert_eq!(
            own.bridge,
            Bars::Programme {
                kind: MeterKind::DinPpm,
                alignment_dbfs: -9.0
            }
        );
    }
}
