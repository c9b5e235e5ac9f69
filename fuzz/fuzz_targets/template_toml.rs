//! Session templates on arbitrary text: parsing never panics, a template that parses can be
//! saved and loads back the same, and asking it for channels never panics.
#![no_main]

use std::path::Path;

use gainstage::advisor::{ChannelPlan, SessionTemplate, SourcePreset};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(template) = SessionTemplate::from_toml(text, Path::new("fuzz.toml")) else {
        return;
    };
    let saved = template.to_toml().expect("a loaded template can be saved");
    let again =
        SessionTemplate::from_toml(&saved, Path::new("fuzz.toml")).expect("a saved template loads");
    // Compared as text: NaN never equals itself.
    assert_eq!(again.to_toml().expect("saved again"), saved);
    let plan = ChannelPlan {
        template,
        fallback: SourcePreset::Generic,
    };
    assert_eq!(plan.names_for(64).len(), 64);
    assert_eq!(plan.presets_for(64).len(), 64);
    assert_eq!(plan.template.params_for(64).len(), 64);
});
