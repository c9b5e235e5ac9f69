//! Behringer X-Air (XR12, XR16, XR18) and Midas MR headamps over OSC (UDP 10024), as the
//! X-Air OSC command list gives them: `/headamp/01/gain` … `/headamp/24/gain`, numbered from
//! 01, the same float 0..1 over -12..+60 dB in 0.5 dB steps as the X32.

use super::headamps::Headamps;
use super::osc_link::OscLink;
use super::spec::Through;

/// Headamps 01-24 (the XR18 has 16 mic preamps and its aux inputs after them).
pub const HEADAMPS: usize = 24;

/// An X-Air's headamps at `host:port`: `/headamp/01/gain` is headamp 1.
pub fn open(host: &str, port: u16) -> Headamps {
    Headamps::new(
        Through::Xair,
        OscLink::new("xair", host, port),
        HEADAMPS,
        |index| format!("/headamp/{:02}/gain", index + 1),
    )
}
