//! Moving a file out of the way: into `_rejected/` (with a note giving the reason) or
//! `_uploaded/`, keeping its sub-folder, under a name that is free. Nothing is overwritten:
//! a taken name gets a suffix (`look (2).png`).

use chrono::{DateTime, Local};
use std::ffi::OsString;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// More same-named files than this in one place is not a naming clash but a loop.
const MAX_SUFFIX: u32 = 10_000;

/// Moves `root/rel` to `root/<into>/<rel>`; returns where it went.
pub(crate) fn move_into(root: &Path, rel: &Path, into: &str) -> std::io::Result<PathBuf> {
    move_to_free_name(root, rel, into, false)
}

/// Moves `root/rel` into `root/_rejected/` and writes `<new name>.txt` beside it with the
/// reason and the time; returns where the file went.
pub(crate) fn reject(
    root: &Path,
    rel: &Path,
    reason: &str,
    at: DateTime<Local>,
) -> std::io::Result<PathBuf> {
    let moved = move_to_free_name(root, rel, crate::filter::REJECTED_DIR, true)?;
    let note = format!(
        "{} was not uploaded.\n\nReason: {reason}\n\nRejected at {} by the hot folder {}.\nFix the problem and move the file back into the hot folder to try again.\n",
        rel.display(),
        at.format("%Y-%m-%d %H:%M:%S %:z"),
        root.display(),
    );
    // The name was chosen so that the note's name is free too.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(note_path(&moved))?;
    file.write_all(note.as_bytes())?;
    Ok(moved)
}

/// `look.png` → `look.png.txt`.
pub(crate) fn note_path(file: &Path) -> PathBuf {
    let mut name: OsString = file.as_os_str().to_owned();
    name.push(".txt");
    PathBuf::from(name)
}

fn move_to_free_name(
    root: &Path,
    rel: &Path,
    into: &str,
    with_note: bool,
) -> std::io::Result<PathBuf> {
    let src = root.join(rel);
    let dest_rel = root.join(into).join(rel);
    let dir = dest_rel.parent().unwrap_or(root).to_path_buf();
    std::fs::create_dir_all(&dir)?;
    let name = Path::new(rel.file_name().unwrap_or(rel.as_os_str())).to_path_buf();
    for n in 1..=MAX_SUFFIX {
        let candidate = dir.join(suffixed(&name, n));
        if with_note && exists(&note_path(&candidate)) {
            continue;
        }
        if place(&src, &candidate)? {
            return Ok(candidate);
        }
    }
    Err(std::io::Error::new(
        ErrorKind::AlreadyExists,
        format!(
            "{} already holds {MAX_SUFFIX} files named like {}",
            dir.display(),
            name.display()
        ),
    ))
}

/// `look.png`, then `look (2).png`, `look (3).png`…
fn suffixed(name: &Path, n: u32) -> PathBuf {
    if n == 1 {
        return name.to_path_buf();
    }
    let stem = name.file_stem().unwrap_or_default().to_string_lossy();
    match name.extension() {
        Some(ext) => PathBuf::from(format!("{stem} ({n}).{}", ext.to_string_lossy())),
        None => PathBuf::from(format!("{stem} ({n})")),
    }
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Moves `src` to `dst` unless `dst` exists (then `Ok(false)`). A hard link fails when the
/// name is taken, so no check-then-rename race can overwrite a file; where links are not
/// supported (FAT drives, some shares) the check-then-rename is the fallback.
fn place(src: &Path, dst: &Path) -> std::io::Result<bool> {
    match std::fs::hard_link(src, dst) {
        Ok(()) => {
            if let Err(e) = std::fs::remove_file(src) {
                let _ = std::fs::remove_file(dst);
                return Err(e);
            }
            Ok(true)
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(false),
        Err(e) if e.kind() == ErrorKind::NotFound => Err(e),
        Err(_) => {
            if exists(dst) {
                return Ok(false);
            }
            std::fs::rename(src, dst)?;
            Ok(true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clashing_names_get_a_suffix_and_nothing_is_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::create_dir_all(root.join("_uploaded/sub")).unwrap();
        std::fs::write(root.join("_uploaded/sub/look.png"), b"old").unwrap();
        std::fs::write(root.join("sub/look.png"), b"new").unwrap();
        let moved = move_into(root, Path::new("sub/look.png"), "_uploaded").unwrap();
        assert_eq!(moved, root.join("_uploaded/sub/look (2).png"));
        assert_eq!(std::fs::read(&moved).unwrap(), b"new");
        assert_eq!(
            std::fs::read(root.join("_uploaded/sub/look.png")).unwrap(),
            b"old"
        );
        assert!(!root.join("sub/look.png").exists());
    }

    #[test]
    fn a_rejected_file_gets_a_note_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("_rejected")).unwrap();
        // A note left from an earlier file of the same name keeps its name too.
        std::fs::write(root.join("_rejected/bad.png.txt"), b"earlier").unwrap();
        std::fs::write(root.join("bad.png"), b"img").unwrap();
        let moved = reject(root, Path::new("bad.png"), "no rule matches", Local::now()).unwrap();
        assert_eq!(moved, root.join("_rejected/bad (2).png"));
        let note = std::fs::read_to_string(root.join("_rejected/bad (2).png.txt")).unwrap();
        assert!(note.contains("Reason: no rule matches"), "{note}");
        assert_eq!(
            std::fs::read(root.join("_rejected/bad.png.txt")).unwrap(),
            b"earlier"
        );
        assert_eq!(
            suffixed(Path::new("README"), 3),
            PathBuf::from("README (3)")
        );
    }
}
