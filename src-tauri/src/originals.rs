//! The originals cache behind drag out: `<app data>/originals/<image id>/<version>/<file>`.
//!
//! One folder per version of an image's file (the version is read from its origin URL), so a
//! newer upload never replaces a file another app may still have open, and two images with the
//! same number never meet. A file is handed out only once its folder has a `.ready` marker
//! naming it, written after the download finished; a folder without one holds at most a broken
//! download, which nobody was given, so it is emptied before the next try.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use beproduct::ImageHeader;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

pub const ORIGINALS_DIR: &str = "originals";
/// Names the finished file of a version folder.
const READY_MARKER: &str = ".ready";
/// Versions not dragged for this long are removed at start-up: apps that took a dropped file
/// by reference (rather than copying it) have long since read it.
pub const KEPT_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Debug, Clone)]
pub struct OriginalsCache {
    root: PathBuf,
}

impl OriginalsCache {
    pub fn in_data_dir(data_dir: &Path) -> OriginalsCache {
        OriginalsCache {
            root: data_dir.join(ORIGINALS_DIR),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder for the current version of `image`'s original.
    pub fn folder_for(&self, image: &ImageHeader) -> AppResult<PathBuf> {
        // The id becomes a path segment: only a GUID (no `..`, no separators) is accepted.
        image_library::require_guid("image id", &image.id)?;
        let origin = image.origin_url().ok_or_else(|| no_original(image))?;
        Ok(self
            .root
            .join(image.id.to_ascii_lowercase())
            .join(version_key(origin)))
    }

    /// The finished file of a version folder, if there is one.
    pub fn ready_file(folder: &Path) -> Option<PathBuf> {
        let name = std::fs::read_to_string(folder.join(READY_MARKER)).ok()?;
        let name = name.trim();
        // Only a plain name inside the folder counts (a marker is ours, but read defensively).
        if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) {
            return None;
        }
        let file = folder.join(name);
        file.is_file().then_some(file)
    }

    /// Makes `folder` empty and ready for a download: anything there is a download that broke
    /// off (it has no marker), which was never handed to anyone.
    pub fn prepare(folder: &Path) -> AppResult<()> {
        if folder.exists() {
            std::fs::remove_dir_all(folder).map_err(|e| unwritable(folder, e))?;
        }
        std::fs::create_dir_all(folder).map_err(|e| unwritable(folder, e))
    }

    /// Marks `file` (inside its version folder) as finished, atomically: a marker that exists
    /// names a whole file.
    pub fn mark_ready(file: &Path) -> AppResult<()> {
        let (Some(folder), Some(name)) = (file.parent(), file.file_name()) else {
            return Err(AppError::Internal(format!(
                "a downloaded original has no folder or name: {}",
                file.display()
            )));
        };
        let temp = folder.join(".ready.tmp");
        std::fs::write(&temp, name.to_string_lossy().as_bytes())
            .and_then(|()| std::fs::rename(&temp, folder.join(READY_MARKER)))
            .map_err(|e| unwritable(folder, e))
    }

    /// Whether every path is a file of this cache: a drag out that comes back onto the app's
    /// own window is not an upload.
    pub fn holds_all(&self, paths: &[PathBuf]) -> bool {
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        !paths.is_empty()
            && paths.iter().all(|p| {
                let p = p.canonicalize().unwrap_or_else(|_| p.clone());
                p.starts_with(&root) && p != root
            })
    }

    /// Removes version folders last used more than `kept_for` ago (and image folders left
    /// empty). Returns how many versions went. Errors are logged, never fatal.
    pub fn prune(&self, kept_for: Duration) -> usize {
        let Ok(images) = std::fs::read_dir(&self.root) else {
            return 0;
        };
        let now = SystemTime::now();
        let mut removed = 0;
        for image in images.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
            for version in read_dirs(&image) {
                let old = last_used(&version)
                    .is_ok_and(|t| now.duration_since(t).unwrap_or_default() > kept_for);
                if old {
                    match std::fs::remove_dir_all(&version) {
                        Ok(()) => removed += 1,
                        Err(e) => {
                            tracing::warn!(folder = %version.display(), error = %e, "could not remove an old original")
                        }
                    }
                }
            }
            // Only succeeds when empty.
            let _ = std::fs::remove_dir(&image);
        }
        removed
    }

    /// Marks a finished version as used now (its marker's time), so pruning keeps what was
    /// just dragged.
    pub fn touch(folder: &Path) {
        let marker = std::fs::OpenOptions::new()
            .write(true)
            .open(folder.join(READY_MARKER));
        if let Err(e) = marker.and_then(|f| f.set_modified(SystemTime::now())) {
            tracing::debug!(folder = %folder.display(), error = %e, "could not mark an original as used");
        }
    }
}

/// When a version was last handed out (its marker), or made (a folder without one).
fn last_used(version: &Path) -> std::io::Result<SystemTime> {
    std::fs::metadata(version.join(READY_MARKER))
        .or_else(|_| std::fs::metadata(version))
        .and_then(|m| m.modified())
}

fn read_dirs(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default()
}

/// A short, stable name for one version of a file: its origin URL without the query (signed
/// URLs change on every answer; the path names the stored file).
pub fn version_key(origin_url: &str) -> String {
    let stable = origin_url.split(['?', '#']).next().unwrap_or(origin_url);
    let digest = Sha256::digest(stable.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn no_original(image: &ImageHeader) -> AppError {
    AppError::invalid_input(format!(
        "{} has no original file yet: it is still processing or nothing was uploaded to it. \
         Drag it again when its preview appears.",
        shown_name(image)
    ))
}

/// How an image is named in messages: its number, else its name, else its id.
pub fn shown_name(image: &ImageHeader) -> String {
    [&image.header_number, &image.header_name, &image.id]
        .into_iter()
        .find(|s| !s.trim().is_empty())
        .map(|s| format!("“{}”", s.trim()))
        .unwrap_or_else(|| "The image".into())
}

fn unwritable(folder: &Path, e: std::io::Error) -> AppError {
    AppError::Io {
        message: format!(
            "The original could not be stored in {}. Check that the disk has space and the folder is writable.",
            folder.display()
        ),
        detail: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ID: &str = "0b7d7a4e-3f0e-4c39-9c57-7b1f1a2e4d10";

    fn image(id: &str, number: &str, origin: Option<&str>) -> ImageHeader {
        serde_json::from_value(json!({
            "id": id, "headerNumber": number, "headerName": "Floral",
            "headerData": {"fields": [], "preview": origin.map(|o| json!({"preview": "p", "origin": o}))},
        }))
        .unwrap()
    }

    #[test]
    fn a_version_folder_is_per_image_and_per_stored_file_not_per_signature() {
        let cache = OriginalsCache::in_data_dir(Path::new("/data"));
        let v1 = "http://127.0.0.1:9/media/storage/c/f1/1/IMG-1.png";
        let a = cache
            .folder_for(&image(ID, "IMG-1", Some(&format!("{v1}?st=1&sig=a"))))
            .unwrap();
        let b = cache
            .folder_for(&image(ID, "IMG-1", Some(&format!("{v1}?st=2&sig=b"))))
            .unwrap();
        assert_eq!(a, b, "a new signature is the same file");
        assert!(a.starts_with("/data/originals"));
        assert_eq!(a.parent().unwrap().file_name().unwrap(), ID);
        let v2 = cache
            .folder_for(&image(
                ID,
                "IMG-1",
                Some("http://127.0.0.1:9/media/storage/c/f2/1/IMG-1.png"),
            ))
            .unwrap();
        assert_ne!(a, v2, "a new upload gets its own folder");
        let other = "1c7d7a4e-3f0e-4c39-9c57-7b1f1a2e4d10";
        let same_number = cache.folder_for(&image(other, "IMG-1", Some(v1))).unwrap();
        assert_ne!(
            a, same_number,
            "another image with the same number never meets it"
        );
        assert_eq!(version_key(v1).len(), 16);
    }

    #[test]
    fn an_image_without_an_original_or_a_path_like_id_is_refused() {
        let cache = OriginalsCache::in_data_dir(Path::new("/data"));
        let e = cache.folder_for(&image(ID, "IMG-7", None)).unwrap_err();
        assert_eq!(e.kind(), "invalid_input");
        assert!(
            e.to_string().contains("“IMG-7” has no original file yet"),
            "{e}"
        );
        let e = cache
            .folder_for(&image("../../etc", "IMG-7", Some("http://x/a.png")))
            .unwrap_err();
        assert_eq!(e.kind(), "invalid_input");
    }

    #[test]
    fn only_a_marked_file_is_ready_and_a_broken_download_is_cleared_not_reused() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = tmp.path().join("v");
        OriginalsCache::prepare(&folder).unwrap();
        let file = folder.join("IMG-1.png");
        std::fs::write(&file, b"half").unwrap();
        assert_eq!(
            OriginalsCache::ready_file(&folder),
            None,
            "no marker: not finished"
        );
        // The next try starts from an empty folder, so the downloader never picks a second name.
        OriginalsCache::prepare(&folder).unwrap();
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
        std::fs::write(&file, b"whole").unwrap();
        OriginalsCache::mark_ready(&file).unwrap();
        assert_eq!(OriginalsCache::ready_file(&folder), Some(file.clone()));
        // A marker naming something outside the folder is not followed.
        std::fs::write(folder.join(READY_MARKER), "../../etc/passwd").unwrap();
        assert_eq!(OriginalsCache::ready_file(&folder), None);
        std::fs::write(folder.join(READY_MARKER), "IMG-1.png").unwrap();
        std::fs::remove_file(&file).unwrap();
        assert_eq!(
            OriginalsCache::ready_file(&folder),
            None,
            "a marker without its file"
        );
    }

    #[test]
    fn a_ready_file_is_never_written_over_by_a_new_version() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = OriginalsCache::in_data_dir(tmp.path());
        let old = cache
            .folder_for(&image(
                ID,
                "IMG-1",
                Some("http://h/media/storage/c/f1/1/a.png"),
            ))
            .unwrap();
        OriginalsCache::prepare(&old).unwrap();
        std::fs::write(old.join("IMG-1.png"), b"version one").unwrap();
        OriginalsCache::mark_ready(&old.join("IMG-1.png")).unwrap();
        let new = cache
            .folder_for(&image(
                ID,
                "IMG-1",
                Some("http://h/media/storage/c/f2/1/a.png"),
            ))
            .unwrap();
        OriginalsCache::prepare(&new).unwrap();
        std::fs::write(new.join("IMG-1.png"), b"version two").unwrap();
        assert_eq!(
            std::fs::read(old.join("IMG-1.png")).unwrap(),
            b"version one"
        );
        assert_eq!(
            OriginalsCache::ready_file(&old),
            Some(old.join("IMG-1.png"))
        );
    }

    #[test]
    fn own_files_are_recognised_in_a_drop() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = OriginalsCache::in_data_dir(tmp.path());
        let folder = cache.root().join(ID).join("abc");
        std::fs::create_dir_all(&folder).unwrap();
        let mine = folder.join("IMG-1.png");
        std::fs::write(&mine, b"x").unwrap();
        let elsewhere = tmp.path().join("IMG-1.png");
        std::fs::write(&elsewhere, b"x").unwrap();
        assert!(cache.holds_all(std::slice::from_ref(&mine)));
        assert!(!cache.holds_all(&[mine.clone(), elsewhere.clone()]));
        assert!(!cache.holds_all(&[elsewhere]));
        assert!(!cache.holds_all(&[]));
        assert!(!cache.holds_all(&[cache.root().to_path_buf()]));
        // Through a `..` that leads out of the cache.
        assert!(!cache.holds_all(&[cache.root().join("..").join("IMG-1.png")]));
    }

    #[test]
    fn prune_removes_versions_unused_for_long_and_keeps_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = OriginalsCache::in_data_dir(tmp.path());
        let old = cache.root().join(ID).join("old");
        let fresh = cache.root().join(ID).join("fresh");
        let lone = cache
            .root()
            .join("2c7d7a4e-3f0e-4c39-9c57-7b1f1a2e4d10")
            .join("old");
        for f in [&old, &fresh, &lone] {
            std::fs::create_dir_all(f).unwrap();
            std::fs::write(f.join("a.png"), b"x").unwrap();
            OriginalsCache::mark_ready(&f.join("a.png")).unwrap();
        }
        let long_ago = SystemTime::now() - Duration::from_secs(30 * 24 * 3600);
        let age = |f: &Path| {
            let marker = std::fs::OpenOptions::new()
                .write(true)
                .open(f.join(READY_MARKER));
            marker.unwrap().set_modified(long_ago).unwrap();
        };
        age(&old);
        age(&lone);
        assert_eq!(cache.prune(KEPT_FOR), 2);
        assert!(!old.exists() && fresh.exists());
        assert!(
            !lone.parent().unwrap().exists(),
            "an emptied image folder goes too"
        );
        // Touching marks a version as used now.
        age(&fresh);
        OriginalsCache::touch(&fresh);
        assert_eq!(cache.prune(KEPT_FOR), 0);
        assert!(fresh.exists());
    }
}
