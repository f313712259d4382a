//! Previews kept on disk, keyed by what the file contains (SHA-256) and the size asked for:
//! a renamed or moved file finds its preview, an edited one gets a new one. The folder is
//! trimmed to a byte budget, least recently used first. Previews are only ever written here.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::error::{read_error, PreviewError};
use crate::make_preview;

/// Bumped when previews of the same file would come out differently, so old ones are not used.
const KEY_VERSION: &str = "v1";
const HASH_BUFFER: usize = 256 * 1024;
/// Temporary files older than this were left by a crash, not by a preview being written.
const STALE_TEMP: Duration = Duration::from_secs(3600);

/// What a file looked like when it was hashed: unchanged size and modification time mean the
/// hash can be reused instead of reading a 500 MB file again.
#[derive(Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

/// A folder of cached previews. Safe to share between threads; like [`make_preview`], its
/// methods block, so call them from `spawn_blocking`.
pub struct PreviewCache {
    dir: PathBuf,
    max_bytes: u64,
    hashes: Mutex<HashMap<PathBuf, (Stamp, String)>>,
    temp_counter: AtomicU64,
}

impl PreviewCache {
    /// Uses (and creates) `dir`, keeping at most `max_bytes` of previews in it.
    pub fn new(dir: impl Into<PathBuf>, max_bytes: u64) -> Result<Self, PreviewError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|source| PreviewError::Cache {
            path: dir.clone(),
            source,
        })?;
        Ok(PreviewCache {
            dir,
            max_bytes,
            hashes: Mutex::new(HashMap::new()),
            temp_counter: AtomicU64::new(0),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cached PNG preview of `path` at `max_side`, made (and cached) if there is none.
    pub fn get_or_make(&self, path: &Path, max_side: u32) -> Result<PathBuf, PreviewError> {
        let max_side = max_side.max(1);
        let hash = self.content_hash(path)?;
        let target = self
            .dir
            .join(format!("{KEY_VERSION}-{hash}-{max_side}.png"));
        if target.is_file() {
            // Eviction goes by modification time: a hit makes the preview recently used.
            let _ = File::options()
                .write(true)
                .open(&target)
                .and_then(|f| f.set_modified(SystemTime::now()));
            return Ok(target);
        }
        let preview = make_preview(path, max_side)?;
        self.write_atomically(&target, &preview.png)?;
        self.evict(&target)?;
        Ok(target)
    }

    fn content_hash(&self, path: &Path) -> Result<String, PreviewError> {
        let meta = fs::metadata(path).map_err(|e| read_error(path, e))?;
        let stamp = Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        };
        let memo = self.hashes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seen, hash)) = memo.get(path) {
            if *seen == stamp {
                return Ok(hash.clone());
            }
        }
        drop(memo);
        let hash = hash_file(path).map_err(|e| read_error(path, e))?;
        self.hashes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf(), (stamp, hash.clone()));
        Ok(hash)
    }

    /// Written under a temporary name, then renamed: a reader never sees half a PNG, and two
    /// threads making the same preview both end with a whole one.
    fn write_atomically(&self, target: &Path, png: &[u8]) -> Result<(), PreviewError> {
        let n = self.temp_counter.fetch_add(1, Ordering::Relaxed);
        let temp = self
            .dir
            .join(format!(".preview-{}-{n}.tmp", std::process::id()));
        let cache_error = |source| PreviewError::Cache {
            path: self.dir.clone(),
            source,
        };
        // Stamped with the precise clock: eviction orders by this time, and the file system's
        // own stamp can be a coarse tick shared by previews written in quick succession.
        File::create(&temp)
            .and_then(|mut f| {
                f.write_all(png)?;
                f.set_modified(SystemTime::now())
            })
            .map_err(cache_error)?;
        fs::rename(&temp, target).map_err(|e| {
            let _ = fs::remove_file(&temp);
            cache_error(e)
        })
    }

    /// Deletes the least recently used previews until the folder fits `max_bytes`, never
    /// `keep` (the one just made), and sweeps temporary files a crash left behind.
    fn evict(&self, keep: &Path) -> Result<(), PreviewError> {
        let entries = fs::read_dir(&self.dir).map_err(|source| PreviewError::Cache {
            path: self.dir.clone(),
            source,
        })?;
        let now = SystemTime::now();
        let mut previews = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(meta) = entry.metadata() else { continue };
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            if name.starts_with(".preview-") && name.ends_with(".tmp") {
                if now.duration_since(modified).unwrap_or_default() > STALE_TEMP {
                    let _ = fs::remove_file(entry.path());
                }
            } else if is_preview_name(&name) && meta.is_file() {
                previews.push((modified, meta.len(), entry.path()));
            }
        }
        let mut total: u64 = previews.iter().map(|(_, len, _)| len).sum();
        previews.sort();
        for (_, len, path) in previews {
            if total <= self.max_bytes {
                break;
            }
            if path == keep {
                continue;
            }
            // Another thread may have removed it already; either way it is gone.
            match fs::remove_file(&path) {
                Ok(()) => total -= len,
                Err(e) if e.kind() == io::ErrorKind::NotFound => total -= len,
                Err(_) => {}
            }
        }
        Ok(())
    }
}

/// Only files this cache names are ever deleted, whatever else is in the folder.
fn is_preview_name(name: &str) -> bool {
    name.starts_with("v")
        && name.ends_with(".png")
        && name
            .split('-')
            .nth(1)
            .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// SHA-256 of the file's bytes, read in fixed-size blocks.
fn hash_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; HASH_BUFFER];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_its_own_names_count_as_previews() {
        let hash = "ab".repeat(32);
        assert!(is_preview_name(&format!("v1-{hash}-512.png")));
        assert!(!is_preview_name("holiday.png"));
        assert!(!is_preview_name(&format!("v1-{hash}-512.jpg")));
        assert!(!is_preview_name("v1-nothex-512.png"));
    }
}
