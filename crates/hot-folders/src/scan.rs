//! Walking a hot folder (at start, after the watcher lost events, or into a folder that
//! was just moved in): every candidate file with its size and mtime. Links to folders are
//! not followed (the watcher does not follow them either, and they can loop).

use crate::filter::{is_skipped_dir, is_skipped_file};
use std::path::{Path, PathBuf};

/// Deeper folders than this are left out (a guard against odd mounts).
const MAX_DEPTH: usize = 64;

/// A file found by a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub path: PathBuf,
    pub size: u64,
    pub mtime_ns: i64,
}

/// Walks `start` (the hot folder or a folder inside it). Fails only when `start` itself
/// cannot be read; unreadable folders further down are logged and left out.
pub(crate) fn walk(start: &Path) -> std::io::Result<Vec<Found>> {
    let mut found = Vec::new();
    let entries = std::fs::read_dir(start)?;
    visit_entries(entries, 0, &mut found);
    Ok(found)
}

fn visit_entries(entries: std::fs::ReadDir, depth: usize, found: &mut Vec<Found>) {
    for entry in entries.flatten() {
        let name = entry.file_name();
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if is_skipped_dir(&name) || depth + 1 >= MAX_DEPTH {
                continue;
            }
            match std::fs::read_dir(&path) {
                Ok(inner) => visit_entries(inner, depth + 1, found),
                Err(e) => tracing::warn!("hot folder: cannot read {}: {e}", path.display()),
            }
        } else if !is_skipped_file(&name) {
            // A link to a file counts as the file; a link to a folder is left alone.
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => {
                    if let Ok((size, mtime_ns)) = upload_queue::preflight::stat(&path) {
                        found.push(Found {
                            path,
                            size,
                            mtime_ns,
                        });
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_candidates_and_leaves_out_our_folders_and_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["sub/deeper", "_rejected", "_uploaded", ".cache"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        for f in [
            "a.png",
            "sub/b.jpg",
            "sub/deeper/c.png",
            "_rejected/x.png",
            "_uploaded/y.png",
            ".cache/z.png",
            ".hidden.png",
            "~$lock.png",
            "d.png.part",
        ] {
            std::fs::write(root.join(f), b"data").unwrap();
        }
        let mut got: Vec<PathBuf> = walk(root)
            .unwrap()
            .into_iter()
            .map(|f| f.path.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        got.sort();
        assert_eq!(
            got,
            ["a.png", "sub/b.jpg", "sub/deeper/c.png"]
                .map(PathBuf::from)
                .to_vec()
        );
        assert!(walk(&root.join("missing")).is_err());
    }
}
