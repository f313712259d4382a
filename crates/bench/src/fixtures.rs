//! Test files made once per run: noisy JPEGs (~1 MB each) and one large random file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, RgbImage};
use rand::{Rng, RngCore, SeedableRng};

use crate::error::{BenchError, Result};

// Pure RGB noise at quality 90 costs about 1.87 bytes per pixel, so 800x672 lands near 1 MB.
const JPEG_WIDTH: u32 = 800;
const JPEG_HEIGHT: u32 = 672;
const JPEG_QUALITY: u8 = 90;

/// Writes `n` distinct noisy JPEGs into `dir` (reuses files already there) and returns their paths.
pub fn noisy_jpegs(parent: &Path, n: usize) -> Result<Vec<PathBuf>> {
    let dir = parent.join(format!("jpegs-{n}-{JPEG_WIDTH}x{JPEG_HEIGHT}"));
    let dir = dir.as_path();
    std::fs::create_dir_all(dir).map_err(|e| BenchError::io("creating a folder", dir, e))?;
    let mut paths = Vec::with_capacity(n);
    for i in 0..n {
        let path = dir.join(format!("noise-{i:04}.jpg"));
        if !path.is_file() {
            write_noisy_jpeg(&path, i as u64)?;
        }
        paths.push(path);
    }
    Ok(paths)
}

fn write_noisy_jpeg(path: &Path, seed: u64) -> Result<()> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let picture = RgbImage::from_fn(JPEG_WIDTH, JPEG_HEIGHT, |_, _| image::Rgb(rng.gen()));
    let file = File::create(path).map_err(|e| BenchError::io("creating a JPEG", path, e))?;
    let mut out = BufWriter::new(file);
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode(
            picture.as_raw(),
            JPEG_WIDTH,
            JPEG_HEIGHT,
            ExtendedColorType::Rgb8,
        )
        .map_err(|e| BenchError::io("encoding a JPEG", path, e))?;
    out.flush()
        .map_err(|e| BenchError::io("writing a JPEG", path, e))
}

/// A file of `mb` MiB of random bytes, written 1 MiB at a time (reused when the size matches).
pub fn big_file(path: &Path, mb: u64) -> Result<PathBuf> {
    let want = mb * 1024 * 1024;
    if std::fs::metadata(path).is_ok_and(|m| m.len() == want) {
        return Ok(path.to_path_buf());
    }
    let file = File::create(path).map_err(|e| BenchError::io("creating the big file", path, e))?;
    let mut out = BufWriter::new(file);
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let mut chunk = vec![0u8; 1024 * 1024];
    for _ in 0..mb {
        rng.fill_bytes(&mut chunk);
        out.write_all(&chunk)
            .map_err(|e| BenchError::io("writing the big file", path, e))?;
    }
    out.flush()
        .map_err(|e| BenchError::io("writing the big file", path, e))?;
    Ok(path.to_path_buf())
}

/// Hard links (or copies) `files` into `dir` under `prefix` so each run gets new file names
/// (the queue names new images after the file, and numbers must be unique on the server).
pub fn renamed_copies(files: &[PathBuf], dir: &Path, prefix: &str) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| BenchError::io("creating a folder", dir, e))?;
    files
        .iter()
        .enumerate()
        .map(|(i, src)| {
            let dst = dir.join(format!("{prefix}-{i:04}.jpg"));
            if !dst.exists() && std::fs::hard_link(src, &dst).is_err() {
                std::fs::copy(src, &dst).map_err(|e| BenchError::io("copying a JPEG", &dst, e))?;
            }
            Ok(dst)
        })
        .collect()
}
