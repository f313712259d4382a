//! Is some process still writing a file? On Linux this is asked of `/proc`: every
//! `/proc/PID/fd/N` link that leads to the file, and the access mode in the `flags` of
//! `/proc/PID/fdinfo/N`. Only processes we may inspect are seen (our user's, or all as
//! root). Elsewhere there is no cheap equivalent, so the settle interval alone decides:
//! a writer that pauses longer than `Timing::settle` can be taken early there.

use std::collections::HashSet;
use std::path::PathBuf;

/// Of `paths`, those some process has open for writing (`O_WRONLY` or `O_RDWR`).
pub(crate) fn open_for_writing(paths: &[PathBuf]) -> HashSet<PathBuf> {
    if paths.is_empty() {
        return HashSet::new();
    }
    imp::open_for_writing(paths)
}

#[cfg(target_os = "linux")]
mod imp {
    use std::collections::{HashMap, HashSet};
    use std::path::{Path, PathBuf};

    const O_ACCMODE: u32 = 0o3;

    pub fn open_for_writing(paths: &[PathBuf]) -> HashSet<PathBuf> {
        // fd links name the file by its real path.
        let wanted: HashMap<PathBuf, &PathBuf> = paths
            .iter()
            .filter_map(|p| std::fs::canonicalize(p).ok().map(|c| (c, p)))
            .collect();
        let mut found = HashSet::new();
        let Ok(procs) = std::fs::read_dir("/proc") else {
            return found;
        };
        for proc_entry in procs.flatten() {
            let name = proc_entry.file_name();
            if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let pid_dir = proc_entry.path();
            // Processes of other users (and ones that just ended) cannot be read: skip them.
            let Ok(fds) = std::fs::read_dir(pid_dir.join("fd")) else {
                continue;
            };
            for fd in fds.flatten() {
                let Ok(target) = std::fs::read_link(fd.path()) else {
                    continue;
                };
                let Some(original) = wanted.get(&target) else {
                    continue;
                };
                if writes(&pid_dir.join("fdinfo").join(fd.file_name())) {
                    found.insert((*original).clone());
                }
            }
        }
        found
    }

    /// `flags:` in fdinfo is octal; the low two bits are the access mode.
    fn writes(fdinfo: &Path) -> bool {
        let Ok(text) = std::fs::read_to_string(fdinfo) else {
            return false;
        };
        text.lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
            .is_some_and(|flags| matches!(flags & O_ACCMODE, 1 | 2))
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::collections::HashSet;
    use std::path::PathBuf;

    pub fn open_for_writing(_paths: &[PathBuf]) -> HashSet<PathBuf> {
        HashSet::new()
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn sees_a_file_held_open_for_writing_and_not_one_open_for_reading() {
        let dir = tempfile::tempdir().unwrap();
        let written = dir.path().join("written.png");
        let read = dir.path().join("read.png");
        std::fs::write(&read, b"done").unwrap();
        let mut writer = std::fs::File::create(&written).unwrap();
        writer.write_all(b"part").unwrap();
        let _reader = std::fs::File::open(&read).unwrap();
        let both = [written.clone(), read.clone()];
        assert_eq!(open_for_writing(&both), HashSet::from([written.clone()]));
        drop(writer);
        assert!(open_for_writing(&both).is_empty());
    }
}
