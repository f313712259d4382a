//! Checks a local file before it is queued: readable, not empty, an image by its
//! content (`beproduct::sniff_image`, the client's one rule), a JPEG that reaches its end
//! marker, under the size limit; and records size, mtime and SHA-256.

use crate::jpeg_end::JpegEnd;
use beproduct::{sniff_image, ImageKind, ACCEPTED_IMAGE_FORMATS, SNIFF_LEN};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::UNIX_EPOCH;

/// Default per-file limit: 50 MB (MiB, as the sandbox's `max_upload_mb` counts it).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
const HASH_BUFFER: usize = 64 * 1024;

/// "61.2 MB" (1 MB = 1024 × 1024 bytes, matching the limit's unit).
pub fn format_size(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    let (value, unit) = if b >= KB * KB * KB {
        (b / (KB * KB * KB), "GB")
    } else if b >= KB * KB {
        (b / (KB * KB), "MB")
    } else if b >= KB {
        (b / KB, "KB")
    } else {
        return format!("{bytes} bytes");
    };
    let text = format!("{value:.1}");
    format!("{} {unit}", text.strip_suffix(".0").unwrap_or(&text))
}

/// Size, modification time and content hash of a file, recorded at enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFacts {
    pub size: u64,
    pub mtime_ns: i64,
    pub sha256: String,
    pub kind: ImageKind,
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Size and mtime without reading the file (used to spot changes cheaply).
pub fn stat(path: &Path) -> std::io::Result<(u64, i64)> {
    let meta = std::fs::metadata(path)?;
    Ok((meta.len(), mtime_ns(&meta)))
}

fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// Streams the file through SHA-256 with a 64 KiB buffer (memory stays flat).
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    Ok(hash_and_follow(path, None)?.0)
}

/// One pass over the file: its SHA-256 and, for a JPEG, whether it reaches its end marker.
fn hash_and_follow(path: &Path, mut jpeg: Option<JpegEnd>) -> std::io::Result<(String, bool)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; HASH_BUFFER];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        if let Some(j) = &mut jpeg {
            j.feed(&buf[..n]);
        }
    }
    let complete = jpeg.is_none_or(|j| j.complete());
    Ok((hex::encode(hasher.finalize()), complete))
}

/// Runs every check; the error is a message for the user naming the file and the fix.
pub fn check_file(path: &Path, max_bytes: u64) -> Result<FileFacts, String> {
    let name = display_name(path);
    let meta = std::fs::metadata(path).map_err(|e| {
        format!("{name} cannot be read ({e}). Check that it still exists and that you may open it.")
    })?;
    if meta.is_dir() {
        return Err(format!(
            "{name} is a folder; drop it to add the images inside."
        ));
    }
    if meta.len() == 0 {
        return Err(format!(
            "{name} is empty (0 bytes); nothing to upload. Save or copy the image again."
        ));
    }
    if meta.len() > max_bytes {
        return Err(format!(
            "{name} is {}; the limit is {}. Save a smaller version (lower resolution or stronger compression) and add that.",
            format_size(meta.len()),
            format_size(max_bytes)
        ));
    }
    let mut head = [0u8; SNIFF_LEN];
    let mut file = File::open(path).map_err(|e| {
        format!("{name} cannot be opened ({e}). Check that you have permission to read it.")
    })?;
    let n =
        read_up_to(&mut file, &mut head).map_err(|e| {
        format!("{name} cannot be read ({e}). Check that the disk or share is still there and try again.")
    })?;
    let kind = sniff_image(&head[..n]).ok_or_else(|| {
        format!("{name} is not an image by its content; accepted are {ACCEPTED_IMAGE_FORMATS}. Save it in one of these formats.")
    })?;
    let follow = (kind == ImageKind::Jpeg).then(JpegEnd::default);
    let (sha256, complete) =
        hash_and_follow(path, follow).map_err(|e| {
        format!("{name} cannot be read ({e}). Check that the disk or share is still there and try again.")
    })?;
    if !complete {
        return Err(format!(
            "{name} is cut short: the JPEG ends before its end marker, so part of the picture is missing (an interrupted copy or download?). Copy or export it again."
        ));
    }
    Ok(FileFacts {
        size: meta.len(),
        mtime_ns: mtime_ns(&meta),
        sha256,
        kind,
    })
}

/// Reads the first bytes of a file for sniffing.
pub fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = [0u8; SNIFF_LEN];
    let n = read_up_to(&mut File::open(path)?, &mut head)?;
    Ok(head[..n].to_vec())
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn sizes_read_like_the_limit_message() {
        assert_eq!(format_size(64_172_851), "61.2 MB");
        assert_eq!(format_size(DEFAULT_MAX_FILE_BYTES), "50 MB");
        assert_eq!(format_size(1536), "1.5 KB");
        assert_eq!(format_size(12), "12 bytes");
    }

    #[test]
    fn checks_name_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.png");
        File::create(&empty).unwrap();
        assert_eq!(
            check_file(&empty, 100).unwrap_err(),
            "empty.png is empty (0 bytes); nothing to upload. Save or copy the image again."
        );

        let text = dir.path().join("notes.jpg");
        std::fs::write(&text, "just some text").unwrap();
        assert!(check_file(&text, 100)
            .unwrap_err()
            .contains("notes.jpg is not an image"));

        let big = dir.path().join("poster.tif");
        let mut f = File::create(&big).unwrap();
        f.write_all(b"II*\0").unwrap();
        f.set_len(61 * 1024 * 1024 + 210_000).unwrap();
        assert_eq!(
            check_file(&big, DEFAULT_MAX_FILE_BYTES).unwrap_err(),
            "poster.tif is 61.2 MB; the limit is 50 MB. Save a smaller version (lower resolution or stronger compression) and add that."
        );

        let missing = dir.path().join("gone.png");
        assert!(check_file(&missing, 100)
            .unwrap_err()
            .starts_with("gone.png cannot be read"));

        let png = dir.path().join("ok.png");
        std::fs::write(&png, b"\x89PNG\r\n\x1a\nrest").unwrap();
        let facts = check_file(&png, 100).unwrap();
        assert_eq!(facts.size, 12);
        assert_eq!(facts.kind, ImageKind::Png);
        let expected = hex::encode(Sha256::digest(b"\x89PNG\r\n\x1a\nrest"));
        assert_eq!(facts.sha256, expected);
    }

    #[test]
    fn hashing_streams_files_larger_than_the_buffer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        assert_eq!(
            sha256_file(&path).unwrap(),
            hex::encode(Sha256::digest(&data))
        );
    }
}
