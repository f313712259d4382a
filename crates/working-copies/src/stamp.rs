//! What a working copy's content is: size, modification time and SHA-256. Size and time are
//! read first and cheaply; the hash is taken only when they moved, and a file whose size or
//! time changes while it is hashed is still being written ("settling"), not yet an edit.

use std::io::Read;
use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileStamp {
    pub len: u64,
    /// Modification time, milliseconds since the Unix epoch (0 when the system gives none).
    pub modified_ms: i64,
    pub sha256: String,
}

/// Size and modification time only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub len: u64,
    pub modified_ms: i64,
}

impl FileStamp {
    pub fn stat(&self) -> Stat {
        Stat {
            len: self.len,
            modified_ms: self.modified_ms,
        }
    }
}

/// What reading a file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    Stamp(FileStamp),
    /// The file changed while it was read: an editor is still writing it.
    Settling,
    Missing,
}

/// Size and time of `path`; `None` when it is gone.
pub fn stat(path: &Path) -> Result<Option<Stat>> {
    match std::fs::metadata(path) {
        Ok(meta) => {
            let modified_ms = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_millis() as i64);
            Ok(Some(Stat {
                len: meta.len(),
                modified_ms,
            }))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Stamps `path`: stat, hash, stat again. Blocking (reads the whole file).
pub fn read(path: &Path) -> Result<Reading> {
    let Some(before) = stat(path)? else {
        return Ok(Reading::Missing);
    };
    let sha256 = match hash(path) {
        Ok(sha) => sha,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Reading::Missing),
        Err(e) => return Err(Error::io(path, e)),
    };
    match stat(path)? {
        None => Ok(Reading::Missing),
        Some(after) if after != before => Ok(Reading::Settling),
        Some(after) => Ok(Reading::Stamp(FileStamp {
            len: after.len,
            modified_ms: after.modified_ms,
            sha256,
        })),
    }
}

/// SHA-256 (lower-case hex) of the file, read in 256 KiB blocks.
pub fn hash(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Copies `from` to `to` (a new file) and returns the copy's stamp, hashed from the bytes
/// written; `Settling` when `from` changed while it was copied.
pub fn copy(from: &Path, to: &Path) -> Result<Reading> {
    let Some(before) = stat(from)? else {
        return Ok(Reading::Missing);
    };
    let mut input = match std::fs::File::open(from) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Reading::Missing),
        Err(e) => return Err(Error::io(from, e)),
    };
    let mut output = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)
        .map_err(|e| Error::io(to, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut len = 0u64;
    loop {
        let n = input.read(&mut buf).map_err(|e| Error::io(from, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        std::io::Write::write_all(&mut output, &buf[..n]).map_err(|e| Error::io(to, e))?;
        len += n as u64;
    }
    output.sync_all().map_err(|e| Error::io(to, e))?;
    if stat(from)? != Some(before) || len != before.len {
        return Ok(Reading::Settling);
    }
    Ok(Reading::Stamp(FileStamp {
        len,
        modified_ms: before.modified_ms,
        sha256: hex::encode(hasher.finalize()),
    }))
}
