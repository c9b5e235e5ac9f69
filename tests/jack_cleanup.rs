//! The JACK test helper removes only what its own server left: a user's server (jackdbus from
//! QjackCtl or Ubuntu Studio, which no `pgrep jackd` sees) and its files in `/dev/shm` are
//! never touched, and a server of ours that was killed can start again under its name.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(all(feature = "jack", target_os = "linux"))]

#[path = "jack_support.rs"]
mod jack_support;

use std::path::PathBuf;

use jack_support::{JackServer, is_own_file};

#[test]
fn only_this_servers_files_are_its_own() {
    let name = "gs_levels_12_34";
    assert!(is_own_file("jack_gs_levels_12_34_0_0", name));
    assert!(is_own_file("jack_sem.0_gs_levels_12_34_system", name));
    assert!(is_own_file("jack_sem.1000_gs_levels_12_34_freewheel", name));
    // The registry, shared segments, the default server and servers whose names extend ours.
    for other in [
        "jack-shm-registry",
        "jack-0-0",
        "jack-1000-3",
        "jack_db-0",
        "jack_default_0_0",
        "jack_sem.1000_default_system",
        "jack_gs_levels_12_34_5_0_0",
        "jack_sem.0_gs_levels_12_345_system",
    ] {
        assert!(!is_own_file(other, name), "{other}");
    }
}

/// Files named like another server's, made by this test and removed by it.
struct Decoys(Vec<PathBuf>);

impl Drop for Decoys {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

#[test]
fn a_killed_server_of_ours_is_cleaned_up_and_nobody_elses_files_are_touched() {
    let other = JackServer::unique_name("someone_else");
    let decoys = Decoys(
        [
            format!("jack_{other}_0_0"),
            format!("jack_sem.0_{other}_system"),
        ]
        .iter()
        .map(|n| PathBuf::from("/dev/shm").join(n))
        .collect(),
    );
    for p in &decoys.0 {
        std::fs::write(p, b"").unwrap();
    }
    let mut server = JackServer::start(&JackServer::unique_name("cleanup"));
    let ours = |name: &str| -> Vec<String> {
        std::fs::read_dir("/dev/shm")
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| is_own_file(f, name))
            .collect()
    };
    assert!(
        !ours(&server.name).is_empty(),
        "a running jackd has its socket and semaphores"
    );
    server.kill_hard();
    assert_eq!(ours(&server.name), Vec::<String>::new());
    // The same name starts again (a killed server's socket would say "already active"),
    // which also hands its registry slot back.
    server.restart();
    server.stop_cleanly();
    for p in &decoys.0 {
        assert!(p.exists(), "{} was removed", p.display());
    }
}
