//! Names the commit this binary is built from, for `gainstage --version`: `GAINSTAGE_COMMIT`
//! if set (a source tarball's build can pass it), else `git rev-parse` of the checkout, else
//! "unknown" (no git, or not a git checkout). For Windows targets, also gives `gainstage.exe`
//! its icon and version resources (`packaging/windows/gainstage.rc`).

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=GAINSTAGE_COMMIT");
    let commit = match std::env::var("GAINSTAGE_COMMIT") {
        Ok(given) if !given.trim().is_empty() => given.trim().to_owned(),
        _ => git_commit().unwrap_or_else(|| "unknown".to_owned()),
    };
    println!("cargo:rustc-env=GAINSTAGE_COMMIT={commit}");
    windows_resources();
}

/// The exe's icon and version, through the target's resource compiler (MinGW's windres when
/// cross-building, rc.exe with MSVC). `embed_resource` does nothing for other targets. The icon
/// is cosmetic: without a resource compiler the build goes on, and says so.
fn windows_resources() {
    println!("cargo:rerun-if-changed=packaging/windows/gainstage.rc");
    println!("cargo:rerun-if-changed=packaging/windows/gainstage.ico");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let mut parts = version
        .split(['.', '-', '+'])
        .map(|p| p.parse::<u16>().unwrap_or(0));
    let mut next = || parts.next().unwrap_or(0);
    let macros = [
        format!("VERSION_MAJOR={}", next()),
        format!("VERSION_MINOR={}", next()),
        format!("VERSION_PATCH={}", next()),
    ];
    let compiled =
        embed_resource::compile_for("packaging/windows/gainstage.rc", ["gainstage"], &macros);
    if let Err(e) = compiled.manifest_optional() {
        println!("cargo:warning=gainstage.exe is built without its icon: {e}");
    }
}

/// The short hash of HEAD, and a rerun whenever HEAD moves. Only files that exist are
/// watched: cargo reruns a build script on every build while a watched file is missing.
fn git_commit() -> Option<String> {
    let hash = git(&["rev-parse", "--short=12", "HEAD"])?;
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])?];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &branch])?);
    }
    watched.push(git(&["rev-parse", "--git-path", "packed-refs"])?);
    for path in watched {
        if Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    Some(hash)
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!text.is_empty()).then_some(text)
}
