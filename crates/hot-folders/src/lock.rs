//! One process per state folder: two would both take every file. An exclusive lock on a
//! file in it, held while the hot folders are open; the OS lets go when the process ends.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

#[derive(Debug)]
pub(crate) struct StateLock {
    _file: File,
}

impl StateLock {
    pub fn acquire(state_dir: &Path) -> Result<StateLock> {
        let path = state_dir.join("hot-folders.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::StatePath {
                path: state_dir.to_path_buf(),
                message: format!("cannot create its lock file: {e}"),
            })?;
        match file.try_lock() {
            Ok(()) => Ok(StateLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::InUse {
                path: state_dir.to_path_buf(),
            }),
            Err(TryLockError::Error(e)) => Err(Error::StatePath {
                path: state_dir.to_path_buf(),
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
        let first = StateLock::acquire(dir.path()).unwrap();
        let second = StateLock::acquire(dir.path()).unwrap_err();
        assert!(second
            .to_string()
            .contains("already run by another process"));
        drop(first);
        StateLock::acquire(dir.path()).unwrap();
    }
}
