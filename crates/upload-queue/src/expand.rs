//! Turns what the user dropped (files and folders) into a list of image files,
//! listing everything left out with the reason — nothing is skipped silently.

use crate::preflight::read_head;
use beproduct::{sniff_image, ACCEPTED_IMAGE_FORMATS};
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Deeper folders than this are reported instead of walked (a guard against odd mounts).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Expanded {
    /// Image files in a stable order (sorted within each folder).
    pub files: Vec<PathBuf>,
    pub skipped: Vec<Skipped>,
}

/// Walks dropped paths recursively. Folders reached twice (symlink loops, or the same
/// folder dropped twice) are walked once; the repeat is listed as skipped.
/// Files are kept when their first bytes are an image format; the full checks
/// (size, readability, hash) happen at enqueue.
pub fn expand_paths(paths: &[PathBuf]) -> Expanded {
    let mut walk = Walk::default();
    for path in paths {
        walk.visit(path, 0);
    }
    Expanded {
        files: walk.files,
        skipped: walk.skipped,
    }
}

#[derive(Default)]
struct Walk {
    files: Vec<PathBuf>,
    skipped: Vec<Skipped>,
    seen_dirs: HashSet<PathBuf>,
    seen_files: HashSet<PathBuf>,
}

impl Walk {
    fn skip(&mut self, path: &Path, reason: String) {
        self.skipped.push(Skipped {
            path: path.to_path_buf(),
            reason,
        });
    }

    fn visit(&mut self, path: &Path, depth: usize) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        // `metadata` follows symlinks: a link to a folder is walked like the folder.
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                let (what, fix) = if std::fs::symlink_metadata(path).is_ok() {
                    (
                        "is a link that leads nowhere or in a loop",
                        "Drop the file it should point to instead.",
                    )
                } else {
                    (
                        "cannot be read",
                        "Check that it still exists and that you may open it.",
                    )
                };
                return self.skip(path, format!("{name} {what} ({e}). {fix}"));
            }
        };
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if meta.is_dir() {
            if depth >= MAX_DEPTH {
                return self.skip(
                    path,
                    format!(
                        "{name} is nested more than {MAX_DEPTH} folders deep; drop it directly."
                    ),
                );
            }
            if !self.seen_dirs.insert(canonical.clone()) {
                return self.skip(
                    path,
                    format!(
                        "{name} leads to a folder already included ({}); a symlink loop or a repeat.",
                        canonical.display()
                    ),
                );
            }
            let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
                Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
                Err(e) => {
                    return self.skip(
                        path,
                        format!("folder {name} cannot be read ({e}). Check that you may open it."),
                    )
                }
            };
            entries.sort();
            for entry in entries {
                self.visit(&entry, depth + 1);
            }
        } else if meta.is_file() {
            if !self.seen_files.insert(canonical) {
                return self.skip(path, format!("{name} is already in the list."));
            }
            match read_head(path) {
                Ok(head) if sniff_image(&head).is_some() => self.files.push(path.to_path_buf()),
                Ok(head) if head.is_empty() => {
                    self.skip(path, format!("{name} is empty (0 bytes); nothing to upload. Save or copy the image again."))
                }
                Ok(_) => self.skip(
                    path,
                    format!(
                        "{name} is not an image by its content; accepted are {ACCEPTED_IMAGE_FORMATS}. Save it in one of these formats."
                    ),
                ),
                Err(e) => self.skip(
                    path,
                    format!("{name} cannot be read ({e}). Check that you have permission to open it."),
                ),
            }
        } else {
            self.skip(path, format!("{name} is not a regular file or folder."));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n0000";

    #[test]
    fn walks_folders_and_lists_what_it_leaves_out() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("drop");
        std::fs::create_dir_all(root.join("sub/deeper")).unwrap();
        std::fs::write(root.join("a.png"), PNG).unwrap();
        std::fs::write(root.join("sub/b.png"), PNG).unwrap();
        std::fs::write(root.join("sub/deeper/c.png"), PNG).unwrap();
        std::fs::write(root.join("sub/readme.txt"), "hello").unwrap();
        std::fs::write(root.join("sub/empty.jpg"), "").unwrap();

        let out = expand_paths(&[root.clone(), dir.path().join("missing.png")]);
        assert_eq!(
            out.files,
            vec![
                root.join("a.png"),
                root.join("sub/b.png"),
                root.join("sub/deeper/c.png")
            ]
        );
        let reasons: Vec<&str> = out.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(out.skipped.len(), 3, "{reasons:?}");
        assert!(reasons.iter().any(|r| r.starts_with("empty.jpg is empty")));
        assert!(reasons
            .iter()
            .any(|r| r.starts_with("readme.txt is not an image")));
        assert!(reasons
            .iter()
            .any(|r| r.starts_with("missing.png cannot be read")));
    }

    #[cfg(unix)]
    #[test]
    fn survives_symlink_loops() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("loop");
        std::fs::create_dir_all(root.join("inner")).unwrap();
        std::fs::write(root.join("inner/x.png"), PNG).unwrap();
        std::os::unix::fs::symlink(&root, root.join("inner/back-to-top")).unwrap();
        std::os::unix::fs::symlink(root.join("self"), root.join("self")).unwrap();

        let out = expand_paths(std::slice::from_ref(&root));
        assert_eq!(out.files, vec![root.join("inner/x.png")]);
        assert_eq!(out.skipped.len(), 2, "{:?}", out.skipped);
        assert!(out
            .skipped
            .iter()
            .any(|s| s.reason.contains("symlink loop")));
        assert!(out
            .skipped
            .iter()
            .any(|s| s.reason.starts_with("self is a link")));
    }
}
