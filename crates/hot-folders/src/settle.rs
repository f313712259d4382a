//! Files seen but not yet complete. Only these are looked at again on each poll (a folder
//! of thousands of finished files costs nothing): a file is ready once its size and mtime
//! stayed the same for the settle interval and no process has it open for writing.

use crate::writers::open_for_writing;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A complete file, as it was when it settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ready {
    pub path: PathBuf,
    pub size: u64,
    pub mtime_ns: i64,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    size: u64,
    mtime_ns: i64,
    stable_since: Instant,
}

pub(crate) struct Tracker {
    settle: Duration,
    pending: HashMap<PathBuf, Pending>,
}

impl Tracker {
    pub fn new(settle: Duration) -> Self {
        Tracker {
            settle,
            pending: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.pending.contains_key(path)
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// The file was seen (an event or a scan) with this size and mtime.
    pub fn touch(&mut self, path: &Path, size: u64, mtime_ns: i64, now: Instant) {
        let entry = self.pending.entry(path.to_path_buf()).or_insert(Pending {
            size,
            mtime_ns,
            stable_since: now,
        });
        if (entry.size, entry.mtime_ns) != (size, mtime_ns) {
            *entry = Pending {
                size,
                mtime_ns,
                stable_since: now,
            };
        }
    }

    /// Looks at every pending file again and hands out those that are complete. A file
    /// that is gone is dropped; an empty one waits for its content (its write brings an
    /// event); one still open for writing waits another interval.
    pub fn poll(&mut self, now: Instant) -> Vec<Ready> {
        let mut stable = Vec::new();
        self.pending.retain(|path, p| {
            let Ok((size, mtime_ns)) = upload_queue::preflight::stat(path) else {
                return false;
            };
            if size == 0 {
                return false;
            }
            if (size, mtime_ns) != (p.size, p.mtime_ns) {
                *p = Pending {
                    size,
                    mtime_ns,
                    stable_since: now,
                };
            } else if now.duration_since(p.stable_since) >= self.settle {
                stable.push(path.clone());
            }
            true
        });
        let writing = open_for_writing(&stable);
        let mut ready = Vec::new();
        for path in stable {
            if writing.contains(&path) {
                if let Some(p) = self.pending.get_mut(&path) {
                    p.stable_since = now;
                }
            } else if let Some(p) = self.pending.remove(&path) {
                ready.push(Ready {
                    path,
                    size: p.size,
                    mtime_ns: p.mtime_ns,
                });
            }
        }
        ready
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn touch_now(t: &mut Tracker, path: &Path, now: Instant) {
        let (size, mtime) = upload_queue::preflight::stat(path).unwrap();
        t.touch(path, size, mtime, now);
    }

    #[test]
    fn a_file_is_ready_once_unchanged_for_the_interval() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.png");
        std::fs::write(&path, b"first").unwrap();
        let mut t = Tracker::new(Duration::from_secs(2));
        let start = Instant::now();
        touch_now(&mut t, &path, start);
        assert!(t.poll(start + Duration::from_secs(1)).is_empty());
        // It grows: the interval starts again.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b" and more")
            .unwrap();
        assert!(t.poll(start + Duration::from_millis(2500)).is_empty());
        assert!(t.poll(start + Duration::from_secs(4)).is_empty());
        let ready = t.poll(start + Duration::from_millis(4600));
        assert_eq!(ready.len(), 1);
        assert_eq!(ready[0].size, 14);
        assert_eq!(t.len(), 0);
    }

    #[test]
    fn gone_and_empty_files_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone.png");
        let empty = dir.path().join("empty.png");
        std::fs::write(&gone, b"x").unwrap();
        std::fs::write(&empty, b"").unwrap();
        let mut t = Tracker::new(Duration::from_millis(1));
        let now = Instant::now();
        touch_now(&mut t, &gone, now);
        touch_now(&mut t, &empty, now);
        std::fs::remove_file(&gone).unwrap();
        assert!(t.poll(now + Duration::from_secs(1)).is_empty());
        assert_eq!(t.len(), 0);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_open_for_writing_waits_even_when_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("held.png");
        let mut writer = std::fs::File::create(&path).unwrap();
        writer.write_all(b"part").unwrap();
        let mut t = Tracker::new(Duration::from_millis(1));
        let now = Instant::now();
        touch_now(&mut t, &path, now);
        assert!(t.poll(now + Duration::from_secs(1)).is_empty());
        assert_eq!(t.len(), 1);
        drop(writer);
        assert_eq!(t.poll(now + Duration::from_secs(2)).len(), 1);
    }
}
