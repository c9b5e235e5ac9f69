//! Man pages (one per command) and bash, zsh and fish completions, written from the one CLI
//! definition ([`super::Cli`]) so they never disagree with `--help`. The packaging scripts run
//! this through the `gainstage-manuals` tool.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

/// What [`write`] wrote, by kind.
#[derive(Debug, Default)]
pub struct Written {
    /// `gainstage.1` and `gainstage-<command>.1` for every visible subcommand.
    pub man_pages: Vec<PathBuf>,
    /// One file per shell, named as each shell's completion directory expects.
    pub completions: Vec<PathBuf>,
}

/// The shells completions are written for.
pub const SHELLS: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

/// Writes man pages into `dir/man` and completions into `dir/completions`.
pub fn write(dir: &Path) -> std::io::Result<Written> {
    let man_dir = dir.join("man");
    let completion_dir = dir.join("completions");
    std::fs::create_dir_all(&man_dir)?;
    std::fs::create_dir_all(&completion_dir)?;

    // The pages state the version only: the commit and the hosts `--version` adds describe
    // one binary, not the manual. Built, so each subcommand's page is named `gainstage-X`.
    let mut cmd = super::Cli::command()
        .long_version(None::<&str>)
        .disable_help_subcommand(true);
    cmd.build();
    let mut pages: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    pages.insert(0, cmd);
    let source = format!("gainstage {}", crate::build_info::VERSION);
    let mut man_pages = Vec::new();
    for page in pages {
        let man = clap_mangen::Man::new(page)
            .source(source.clone())
            .manual("gainstage manual");
        man_pages.push(man.generate_to(&man_dir)?);
    }

    let mut completions = Vec::new();
    for shell in SHELLS {
        let mut cmd = super::Cli::command();
        completions.push(clap_complete::generate_to(
            shell,
            &mut cmd,
            "gainstage",
            &completion_dir,
        )?);
    }
    Ok(Written {
        man_pages,
        completions,
    })
}
