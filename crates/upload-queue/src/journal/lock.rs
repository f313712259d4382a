//! One process per journal: an exclusive lock on a file next to it, held while the queue
//! is open. The OS releases it when the process ends, however it ends (even `kill -9`).

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct JournalLock {
    _file: File,
}

/// `uploads.sqlite` → `uploads.sqlite.lock`.
pub fn lock_path(journal: &Path) -> PathBuf {
    let mut name = journal.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl JournalLock {
    /// Takes the lock or says who holds it. (`std`'s `File::try_lock`, an `flock` on Unix,
    /// is what `fs4`/`fd-lock` wrap; it is stable since Rust 1.89.)
    pub fn acquire(journal: &Path) -> Result<JournalLock> {
        let path = lock_path(journal);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::JournalPath {
                path: journal.to_path_buf(),
                message: format!("cannot create its folder: {e}"),
            })?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::JournalPath {
                path: path.clone(),
                message: format!("cannot create its lock file: {e}"),
            })?;
        match file.try_lock() {
            Ok(()) => Ok(JournalLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::JournalInUse {
                path: journal.to_path_buf(),
            }),
            Err(TryLockError::Error(e)) => Err(Error::JournalPath {
                path,
                message: format!("cannot lock it: {e}"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("uploads.sqlite");
        let first = JournalLock::acquire(&journal).unwrap();
        let second = JournalLock::acquire(&journal).unwrap_err();
        assert!(matches!(second, Error::JournalInUse { .. }), "{second}");
        assert!(second.to_string().contains("in use"), "{second}");
        drop(first);
        JournalLock::acquire(&journal).unwrap();
    }
}
