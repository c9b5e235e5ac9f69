//! Packaging tool: writes gainstage's man pages and shell completions into a directory
//! (`man/`, `completions/`). Not installed in packages; `scripts/package` runs it.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        eprintln!("usage: gainstage-manuals OUT_DIR");
        return ExitCode::from(2);
    };
    match gainstage::cli::manuals::write(&PathBuf::from(dir)) {
        Ok(written) => {
            for path in written.man_pages.iter().chain(&written.completions) {
                println!("{}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gainstage-manuals: {e}");
            ExitCode::FAILURE
        }
    }
}
