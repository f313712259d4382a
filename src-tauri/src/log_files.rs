//! The app's log file: `<log dir>/beproduct-images.log`, rotated by size. When the file passes
//! `max_bytes` it becomes `.log.1` (the older ones shift to `.log.2` … and the last beyond
//! `keep` is deleted), so at most `keep + 1` files and about `(keep + 1) * max_bytes` bytes
//! stay on disk. Written by the `tracing` setup (`init_logging` in lib.rs), which never logs
//! command arguments, secrets or file contents (`#[instrument(skip_all)]`).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub const LOG_FILE: &str = "beproduct-images.log";
/// 5 MB per file, 5 older files kept: a support request gets the last ~30 MB.
pub const MAX_BYTES: u64 = 5 * 1024 * 1024;
pub const KEEP: usize = 5;

/// A log file that rotates by size; cheap to clone (one file shared by all writers).
#[derive(Clone)]
pub struct RotatingLog {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    dir: PathBuf,
    max_bytes: u64,
    keep: usize,
    file: File,
    written: u64,
}

impl RotatingLog {
    /// Opens (creating the folder) `dir/beproduct-images.log` for appending.
    pub fn open(dir: &Path, max_bytes: u64, keep: usize) -> io::Result<RotatingLog> {
        fs::create_dir_all(dir)?;
        let file = open_append(&dir.join(LOG_FILE))?;
        let written = file.metadata()?.len();
        Ok(RotatingLog {
            inner: Arc::new(Mutex::new(Inner {
                dir: dir.to_path_buf(),
                max_bytes: max_bytes.max(1),
                keep,
                file,
                written,
            })),
        })
    }

    /// The current file and the rotated ones, newest first, as they are on disk.
    pub fn files(dir: &Path) -> Vec<PathBuf> {
        let mut out = vec![dir.join(LOG_FILE)];
        out.extend((1..).map(|n| rotated(dir, n)).take_while(|p| p.exists()));
        out.retain(|p| p.exists());
        out
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

fn rotated(dir: &Path, n: usize) -> PathBuf {
    dir.join(format!("{LOG_FILE}.{n}"))
}

impl Inner {
    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        if self.keep == 0 {
            // Nothing older is kept: start the one file afresh.
            self.file = File::create(self.dir.join(LOG_FILE))?;
        } else {
            let _ = fs::remove_file(rotated(&self.dir, self.keep));
            for n in (1..self.keep).rev() {
                let from = rotated(&self.dir, n);
                if from.exists() {
                    fs::rename(&from, rotated(&self.dir, n + 1))?;
                }
            }
            fs::rename(self.dir.join(LOG_FILE), rotated(&self.dir, 1))?;
            self.file = open_append(&self.dir.join(LOG_FILE))?;
        }
        self.written = 0;
        Ok(())
    }
}

impl Write for RotatingLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        // A record is never split: rotate before one that would not fit (unless the file is empty).
        if inner.written > 0 && inner.written + buf.len() as u64 > inner.max_bytes {
            inner.rotate()?;
        }
        inner.file.write_all(buf)?;
        inner.written += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.file.flush()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RotatingLog {
    type Writer = RotatingLog;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(dir: &Path) -> Vec<u64> {
        RotatingLog::files(dir)
            .iter()
            .map(|p| fs::metadata(p).unwrap().len())
            .collect()
    }

    #[test]
    fn rotates_past_the_size_and_keeps_only_the_newest_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RotatingLog::open(dir.path(), 110, 2).unwrap();
        for i in 0..10 {
            // One write per record, as tracing's fmt layer does.
            let record = format!("record {i:02} {}\n", "x".repeat(40));
            log.write_all(record.as_bytes()).unwrap();
        }
        log.flush().unwrap();
        let files = RotatingLog::files(dir.path());
        assert_eq!(
            files,
            vec![
                dir.path().join(LOG_FILE),
                dir.path().join("beproduct-images.log.1"),
                dir.path().join("beproduct-images.log.2"),
            ]
        );
        assert!(!dir.path().join("beproduct-images.log.3").exists());
        assert!(
            sizes(dir.path()).iter().all(|&s| s <= 110),
            "{:?}",
            sizes(dir.path())
        );
        // Newest records in the current file, the oldest rotated away.
        let current = fs::read_to_string(&files[0]).unwrap();
        assert!(current.contains("record 09"), "{current}");
        let all: String = files
            .iter()
            .map(|p| fs::read_to_string(p).unwrap())
            .collect();
        assert!(!all.contains("record 00"), "{all}");
        assert!(fs::read_to_string(&files[2]).unwrap().contains("record 04"));
    }

    #[test]
    fn appends_to_the_file_of_a_previous_run() {
        let dir = tempfile::tempdir().unwrap();
        writeln!(RotatingLog::open(dir.path(), 1000, 2).unwrap(), "first run").unwrap();
        writeln!(
            RotatingLog::open(dir.path(), 1000, 2).unwrap(),
            "second run"
        )
        .unwrap();
        let text = fs::read_to_string(dir.path().join(LOG_FILE)).unwrap();
        assert_eq!(text, "first run\nsecond run\n");
        // The size of the earlier run counts towards rotation.
        let mut log = RotatingLog::open(dir.path(), 30, 1).unwrap();
        log.write_all(b"third run, long enough\n").unwrap();
        assert_eq!(RotatingLog::files(dir.path()).len(), 2);
    }

    #[test]
    fn keep_zero_means_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RotatingLog::open(dir.path(), 20, 0).unwrap();
        for _ in 0..5 {
            log.write_all(b"0123456789abcdef\n").unwrap();
        }
        assert_eq!(
            RotatingLog::files(dir.path()),
            vec![dir.path().join(LOG_FILE)]
        );
    }
}
