//! The GUI settings file on arbitrary text: parsing never panics, whatever parses is in range,
//! and saving it gives a file that loads back to the same settings.
#![no_main]

use gainstage::settings::{Settings, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(settings) = parse(text) else {
        return;
    };
    check_ranges(&settings);
    let saved = toml::to_string(&settings).expect("loaded settings can be saved");
    let again = parse(&saved).expect("saved settings load");
    // Compared as text: NaN never equals itself.
    assert_eq!(toml::to_string(&again).expect("saved again"), saved);
});

fn check_ranges(s: &Settings) {
    assert!((1..=20).contains(&s.over_len));
    assert!((0.0..=10.0).contains(&s.peak_hold_s));
    assert!((2.0..=120.0).contains(&s.soundcheck_s));
    assert!((400.0..=16_384.0).contains(&s.window.width));
    assert!((300.0..=16_384.0).contains(&s.window.height));
    assert!(gainstage::meter::clip::FLOAT_CLIP_LEVEL_RANGE_DBFS.contains(&s.clip_level_dbfs));
}
