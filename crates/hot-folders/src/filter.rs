//! Which paths under a hot folder are candidates: not inside the folders this crate moves
//! files into, not hidden, not an application's temporary or partial file.

use std::ffi::OsStr;
use std::path::{Component, Path};

/// Rejected files are moved here, each with a `<name>.txt` giving the reason.
pub const REJECTED_DIR: &str = "_rejected";
/// Uploaded files are moved here when the hot folder's `move_uploaded` is set.
pub const UPLOADED_DIR: &str = "_uploaded";

/// Suffixes of files still being written by browsers, editors and copy tools.
const TEMP_SUFFIXES: [&str; 3] = [".tmp", ".part", ".crdownload"];

/// A folder whose contents are never taken: ours (`_rejected`, `_uploaded`) or hidden.
pub(crate) fn is_skipped_dir(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name == REJECTED_DIR || name == UPLOADED_DIR || name.starts_with('.')
}

/// A file name that is hidden or temporary: `.x`, Office's `~$x` lock files, `x.tmp`,
/// `x.part`, `x.crdownload`.
pub(crate) fn is_skipped_file(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.starts_with("~$")
        || TEMP_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// `rel` (relative to the hot folder) may be a file to take: every folder on the way is
/// watched and the name is not a temporary one.
pub(crate) fn is_candidate(rel: &Path) -> bool {
    let mut parts: Vec<&OsStr> = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(p) => parts.push(p),
            // Only plain relative paths come from under the folder.
            _ => return false,
        }
    }
    let Some((name, dirs)) = parts.split_last() else {
        return false;
    };
    !dirs.iter().any(|d| is_skipped_dir(d)) && !is_skipped_file(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_our_folders_hidden_and_temporary_files() {
        for ok in [
            "a.png",
            "sub/b.jpg",
            "deep/er/c.tif",
            "_other/d.png",
            "x.partial.png",
        ] {
            assert!(is_candidate(Path::new(ok)), "{ok}");
        }
        for skipped in [
            "_rejected/a.png",
            "_uploaded/sub/b.png",
            "sub/_uploaded/c.png",
            ".hidden.png",
            ".git/objects/x.png",
            "~$report.png",
            "a.png.tmp",
            "b.PNG.part",
            "photo.jpg.crdownload",
            "",
            "../escape.png",
        ] {
            assert!(!is_candidate(Path::new(skipped)), "{skipped}");
        }
    }
}
