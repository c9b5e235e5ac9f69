//! The session log reader and `gainstage log --since` on arbitrary text: never panic; an entry
//! that parses prints and writes back to a line that parses to the same entry.
#![no_main]

use std::time::{Duration, SystemTime};

use gainstage::advisor::log::table;
use gainstage::advisor::session_log::{parse_line, parse_since};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let mut entries = Vec::new();
    for line in text.lines() {
        let _ = parse_since(line, now);
        let _ = parse_since(line, SystemTime::UNIX_EPOCH);
        if let Some(entry) = parse_line(line) {
            let _ = entry.system_time();
            let written = serde_json::to_string(&entry).expect("an entry writes");
            assert_eq!(parse_line(&written).as_ref(), Some(&entry));
            entries.push(entry);
        }
    }
    entries.sort_by_key(|e| e.system_time());
    let _ = table(&entries);
});
