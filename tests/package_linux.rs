//! The Linux packages `scripts/package` builds, from the binary `cargo test` built (no second
//! build): the .deb is checked by Debian's own tools (dpkg-deb, lintian, desktop-file-validate,
//! appstreamcli), extracted, and its binary run; the tarball holds the same files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::f64::consts::PI;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use clap::CommandFactory;
use gainstage::cli::Cli;

#[path = "support/cli.rs"]
mod cli;

const ID: &str = "org.gainstage.Gainstage";
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("{cmd:?} did not start: {e}"))
}

/// Runs `cmd`; fails the test with its output unless it succeeded; returns stdout.
fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every file under `root`, as paths relative to it.
fn files_under(root: &Path) -> BTreeSet<PathBuf> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeSet<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, found);
            } else {
                found.insert(path.strip_prefix(root).unwrap().to_owned());
            }
        }
    }
    let mut found = BTreeSet::new();
    walk(root, root, &mut found);
    found
}

/// The section names `readelf` lists for an ELF file.
fn elf_sections(path: &Path) -> Vec<String> {
    ok(Command::new("readelf").args(["-S", "-W"]).arg(path))
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let rest = l.strip_prefix('[')?.split_once(']')?.1;
            rest.split_whitespace().next().map(str::to_owned)
        })
        .collect()
}

fn gunzip(path: &Path) -> String {
    ok(Command::new("gzip").arg("-dc").arg(path))
}

#[test]
fn deb_and_tarball_install_a_working_gainstage() {
    let work = tempfile::tempdir().unwrap();
    let dist = work.path().join("dist");
    let binary = Path::new(env!("CARGO_BIN_EXE_gainstage"));
    ok(Command::new(repo().join("scripts/package"))
        .arg("--binary")
        .arg(binary)
        .arg("--manuals")
        .arg(env!("CARGO_BIN_EXE_gainstage-manuals"))
        .arg("--out")
        .arg(&dist)
        .args(["deb", "tar"]));

    let deb = dist.join(format!("gainstage-{VERSION}-linux-amd64.deb"));
    let tarball = dist.join(format!("gainstage-{VERSION}-linux-amd64.tar.gz"));
    let listed: BTreeSet<String> = std::fs::read_dir(&dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let want: BTreeSet<String> = [&deb, &tarball]
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .chain(["SHA256SUMS".to_owned()])
        .collect();
    assert_eq!(listed, want);
    let sums = ok(Command::new("sha256sum")
        .args(["--check", "--strict", "SHA256SUMS"])
        .current_dir(&dist));
    assert_eq!(sums.lines().count(), 2, "{sums}");

    check_control(&deb);
    let lintian = ok(Command::new("lintian")
        .args(["--fail-on", "error", "--no-tag-display-limit"])
        .arg(&deb));
    assert!(!lintian.lines().any(|l| l.starts_with("E:")), "{lintian}");
    eprintln!("lintian (no errors):\n{lintian}");

    let root = work.path().join("root");
    ok(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root));
    let usr = root.join("usr");
    check_binary(binary, &usr.join("bin/gainstage"), work.path());
    check_desktop_entry(&usr);
    check_metainfo(&usr);
    check_icons(&usr);
    check_man_pages(&usr);
    check_completions(&usr);
    check_licences(&usr);

    // The tarball: the same tree under one folder (for `tar -C /usr/local --strip-components=1`),
    // with the licence texts where the .deb has Debian's copyright file and lintian's notes.
    let untarred = work.path().join("tar");
    std::fs::create_dir(&untarred).unwrap();
    ok(Command::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&untarred));
    let tar_root = untarred.join(format!("gainstage-{VERSION}-linux-amd64"));
    let doc = Path::new("share/doc/gainstage");
    let mut from_deb = files_under(&usr);
    from_deb.remove(&doc.join("copyright"));
    from_deb.remove(&doc.join("changelog.Debian.gz"));
    from_deb.remove(Path::new("share/lintian/overrides/gainstage"));
    from_deb.insert(doc.join("LICENSE-MIT"));
    from_deb.insert(doc.join("LICENSE-APACHE"));
    assert_eq!(files_under(&tar_root), from_deb);
    assert_eq!(
        std::fs::read(tar_root.join("bin/gainstage")).unwrap(),
        std::fs::read(usr.join("bin/gainstage")).unwrap()
    );
}

fn check_control(deb: &Path) {
    let field = |name: &str| {
        ok(Command::new("dpkg-deb").arg("--field").arg(deb).arg(name))
            .trim()
            .to_owned()
    };
    assert_eq!(field("Package"), "gainstage");
    assert_eq!(field("Version"), format!("{VERSION}-1"));
    let arch = ok(Command::new("dpkg").arg("--print-architecture"));
    assert_eq!(field("Architecture"), arch.trim());
    let depends = field("Depends");
    // dpkg-shlibdeps' reading of the binary: glibc and ALSA are linked, not opened at run time.
    for lib in ["libc6 (>=", "libasound2 (>="] {
        assert!(depends.contains(lib), "{depends}");
    }
}

/// The packaged binary: stripped, its version line right, and it meters a file.
fn check_binary(built: &Path, packaged: &Path, work: &Path) {
    assert!(
        elf_sections(built).iter().any(|s| s == ".symtab"),
        "the test build has a symbol table for packaging to strip"
    );
    // `.debug_gdb_scripts` only names rustc's pretty-printers for gdb: not debug info.
    let sections = elf_sections(packaged);
    assert!(
        !sections.iter().any(|s| s == ".symtab"
            || s == ".strtab"
            || (s.starts_with(".debug_") && s != ".debug_gdb_scripts")),
        "{sections:?}"
    );

    let version = ok(Command::new(packaged).arg("--version"));
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(repo())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or("unknown".to_owned(), |o| {
            String::from_utf8(o.stdout).unwrap().trim().to_owned()
        });
    let mut hosts = vec!["alsa"];
    if cfg!(feature = "jack") {
        hosts.push("jack");
    }
    if cfg!(feature = "pipewire") {
        hosts.push("pipewire");
    }
    if cfg!(feature = "pulseaudio") {
        hosts.push("pulse");
    }
    let renderers = match (cfg!(feature = "gpu"), cfg!(feature = "gui")) {
        (true, _) => "wgpu, tiny-skia",
        (false, true) => "tiny-skia",
        (false, false) => "none (built without the GUI)",
    };
    assert_eq!(
        version,
        format!(
            "gainstage {VERSION}\ncommit: {commit}\nhosts: {}\nrenderers: {renderers}\n",
            hosts.join(", ")
        )
    );

    // A 1 kHz sine at -6 dBFS, 24-bit: its sample and true peak are its amplitude.
    let wav = work.join("sine.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    let amp = 10f64.powf(-6.0 / 20.0) * f64::from(1 << 23);
    for n in 0..2 * 48_000 {
        let s = (2.0 * PI * 1000.0 * f64::from(n) / 48_000.0).sin();
        w.write_sample((amp * s).round() as i32).unwrap();
    }
    w.finalize().unwrap();
    let home = work.join("home");
    let mut analyze = Command::new(packaged);
    cli::isolate(&mut analyze, &home);
    let json: serde_json::Value =
        serde_json::from_str(&ok(analyze.arg("analyze").arg("--json").arg(&wav))).unwrap();
    let channel = &json[0]["per_channel"][0];
    for key in ["sample_peak_dbfs", "true_peak_dbtp"] {
        let got = channel[key].as_f64().unwrap();
        assert!((got + 6.0).abs() <= 0.01, "{key}: {got}");
    }
}

fn check_desktop_entry(usr: &Path) {
    let entry = usr.join(format!("share/applications/{ID}.desktop"));
    let out = run(Command::new("desktop-file-validate").arg(&entry));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && said.is_empty(), "{said}");
    let text = std::fs::read_to_string(&entry).unwrap();
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("no {key} in {text}"))
            .to_owned()
    };
    // What it starts and shows are in the package, where a desktop looks for them.
    assert!(usr.join("bin").join(value("Exec")).is_file());
    assert_eq!(value("Icon"), ID);
    assert!(
        usr.join(format!("share/icons/hicolor/scalable/apps/{ID}.svg"))
            .is_file()
    );
}

fn check_metainfo(usr: &Path) {
    let metainfo = usr.join(format!("share/metainfo/{ID}.metainfo.xml"));
    ok(Command::new("appstreamcli")
        .args(["validate", "--no-net"])
        .arg(&metainfo));
    let text = std::fs::read_to_string(&metainfo).unwrap();
    // The newest release it announces is the one packaged.
    let newest = text
        .split("<release ")
        .nth(1)
        .and_then(|r| r.split("version=\"").nth(1))
        .and_then(|r| r.split('"').next())
        .unwrap();
    assert_eq!(newest, VERSION);
    assert!(text.contains(&format!("<launchable type=\"desktop-id\">{ID}.desktop<")));
}

/// Each PNG has its directory's size and is the SVG's drawing: transparent outside the
/// rounded square, the lit clip light red.
fn check_icons(usr: &Path) {
    let hicolor = usr.join("share/icons/hicolor");
    let sizes: Vec<u32> = [16, 22, 24, 32, 48, 64, 128, 256, 512].into();
    for size in sizes {
        let path = hicolor.join(format!("{size}x{size}/apps/{ID}.png"));
        let mut decoder =
            png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().unwrap();
        let mut px = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut px).unwrap();
        assert_eq!(
            (info.width, info.height),
            (size, size),
            "{}",
            path.display()
        );
        assert_eq!(info.color_type, png::ColorType::Rgba, "{}", path.display());
        let at = |x: f64, y: f64| {
            let (x, y) = (
                (x / 256.0 * f64::from(size)) as usize,
                (y / 256.0 * f64::from(size)) as usize,
            );
            let k = (y * size as usize + x) * 4;
            [px[k], px[k + 1], px[k + 2], px[k + 3]]
        };
        assert!(at(0.0, 0.0)[3] < 32, "corner of {size}: {:?}", at(0.0, 0.0));
        let [r, g, b, a] = at(153.0, 43.0);
        assert!(
            a == 255 && r > 180 && g < 110 && b < 110,
            "clip light at {size}: {:?}",
            [r, g, b, a]
        );
    }
}

/// A man page for gainstage and every subcommand, each naming every option it has.
fn check_man_pages(usr: &Path) {
    let man1 = usr.join("share/man/man1");
    let cmd = Cli::command();
    let mut want = BTreeSet::from(["gainstage.1.gz".to_owned()]);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("gainstage-{}", sub.get_name());
        want.insert(format!("{name}.1.gz"));
        let page = gunzip(&man1.join(format!("{name}.1.gz")));
        assert!(page.contains(&format!(".TH {name} 1")), "{name}: {page}");
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                let long = long.replace('-', "\\-");
                assert!(
                    page.contains(&format!("\\-\\-{long}")),
                    "{name} lacks --{long}"
                );
            }
        }
    }
    let found: BTreeSet<String> = std::fs::read_dir(&man1)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(found, want);
}

/// The completions load in their shells and complete a subcommand and an option.
fn check_completions(usr: &Path) {
    let bash_file = usr.join("share/bash-completion/completions/gainstage");
    let complete_bash = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let script = format!(
            "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT={}; \
             _gainstage gainstage '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            bash_file.display(),
            words.join(" "),
            words.len() - 1,
            line.len(),
            words[words.len() - 1],
            words[words.len() - 2],
        );
        ok(Command::new("bash").args(["--norc", "-c", &script]))
    };
    assert_eq!(complete_bash("gainstage an").trim(), "analyze");
    assert_eq!(complete_bash("gainstage analyze --js").trim(), "--json");

    let fish_file = usr.join("share/fish/vendor_completions.d/gainstage.fish");
    let complete_fish = |line: &str| {
        let script = format!("source '{}'; complete -C '{line}'", fish_file.display());
        ok(Command::new("fish").args(["--no-config", "-c", &script]))
    };
    let first_word = |text: String| {
        text.lines()
            .next()
            .unwrap_or("")
            .split('\t')
            .next()
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(first_word(complete_fish("gainstage an")), "analyze");
    assert_eq!(
        first_word(complete_fish("gainstage analyze --js")),
        "--json"
    );

    let zsh_file = usr.join("share/zsh/vendor-completions/_gainstage");
    ok(Command::new("zsh").arg("-n").arg(&zsh_file));
    let zsh = std::fs::read_to_string(&zsh_file).unwrap();
    assert!(zsh.starts_with("#compdef gainstage"), "{zsh}");
    for sub in Cli::command().get_subcommands() {
        assert!(
            zsh.contains(&format!("'{}:", sub.get_name())),
            "zsh lacks {}",
            sub.get_name()
        );
    }
}

fn check_licences(usr: &Path) {
    let doc = usr.join("share/doc/gainstage");
    let copyright = std::fs::read_to_string(doc.join("copyright")).unwrap();
    assert!(
        copyright.starts_with(
            "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
        )
    );
    let mit = std::fs::read_to_string(repo().join("LICENSE-MIT")).unwrap();
    assert!(copyright.contains("License: MIT or Apache-2.0"));
    // The MIT text in full, as a DEP-5 paragraph (blank lines written as " .").
    let folded: String = mit
        .lines()
        .map(|l| {
            if l.is_empty() {
                " .\n".to_owned()
            } else {
                format!(" {l}\n")
            }
        })
        .collect();
    assert!(copyright.contains(&folded), "{copyright}");
    assert!(copyright.contains("/usr/share/common-licenses/Apache-2.0"));

    // Every crate linked in, with its licence: spot-check crates this binary surely links.
    let third = gunzip(&doc.join("THIRD-PARTY-LICENSES.gz"));
    let lock = std::fs::read_to_string(repo().join("Cargo.lock")).unwrap();
    for name in ["cpal", "iced", "tokio", "ebur128", "clap"] {
        let version = lock
            .split("[[package]]")
            .find(|p| p.contains(&format!("name = \"{name}\"\n")))
            .and_then(|p| p.split("version = \"").nth(1))
            .and_then(|v| v.split('"').next())
            .unwrap();
        assert!(
            third.contains(&format!("\n{name} {version}: ")),
            "{name} {version} missing from THIRD-PARTY-LICENSES"
        );
    }
    // Dev-dependencies are not in the binary.
    assert!(!third.contains("\ncriterion "));
}
