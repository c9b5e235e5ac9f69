//! `gainstage devices`: a host that cannot be reached is listed, not an error.
// Linux: it names the hosts a Linux build lists (ALSA, JACK).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;

#[test]
fn devices_json_lists_every_host_even_unreachable_ones() {
    let home = tempfile::tempdir().unwrap();
    let stdout = cli::stdout_of(
        cli::gainstage(home.path())
            .args(["devices", "--json"])
            .env("JACK_DEFAULT_SERVER", "gainstage_no_such_server")
            .env("JACK_NO_START_SERVER", "1")
            .env("PULSE_SERVER", "unix:/nonexistent/gainstage"),
    );
    let hosts: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let names: Vec<&str> = hosts
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"ALSA"), "{names:?}");
    #[cfg(feature = "jack")]
    {
        let jack = hosts
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["host"] == "JACK")
            .unwrap();
        assert!(jack["devices"].as_array().unwrap().is_empty());
        assert!(jack["note"].is_string());
    }
    let alsa = hosts
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["host"] == "ALSA")
        .unwrap();
    let null = alsa["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "alsa:null")
        .expect("ALSA's null PCM is always there");
    assert!(null["channels"].as_array().unwrap().iter().any(|c| c == 2));
    assert!(
        null["sample_rates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == 48_000)
    );
    assert!(null["default_config"]["sample_rate"].is_u64());
}
