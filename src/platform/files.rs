//! What a file system is asked beyond std: flushing a directory's entries (a rename made in
//! it) to the disk, and whether a path still names a file that is open.

use std::fs::File;
use std::path::Path;

/// Flushes a directory's entries (a rename just made in it) to the disk.
#[cfg(unix)]
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Windows refuses to open a directory as a file ("Access denied"), so there is no directory
/// fsync to ask for. NTFS journals its metadata: after a crash the name holds the old file or
/// the new one, whole (the file itself was flushed before its rename), never a torn one.
#[cfg(not(unix))]
pub fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// True when `path` still names the file `file` has open.
#[cfg(unix)]
pub fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Windows does not remove a file another handle has open without delete sharing until the
/// last handle closes, and a removal pending makes it unopenable: the path is the file.
#[cfg(not(unix))]
pub fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}
