//! Peak memory while previewing 6000 × 6000 files (108 MB as 8-bit RGB), measured by a
//! counting global allocator around each call and by the process's VmHWM. PSD and TIFF are
//! read row by row and must stay small; a JPEG is decoded whole and must stay within the
//! documented bound. One test in this binary, so no other test's allocations are counted.
//! Run with `--nocapture` to see the numbers.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use local_previews::{make_preview, PreviewSource};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
            grew(new_size);
        }
        p
    }
}

fn grew(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::SeqCst) + size;
    PEAK.fetch_max(live, Ordering::SeqCst);
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes allocated at the peak of `f`, above what was live when it started.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst) - base)
}

/// The process's peak resident memory so far (Linux), in MiB.
fn vm_hwm_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

const MIB: usize = 1024 * 1024;
const SIDE: u32 = 6000;
/// Far below the 108 MB a whole 6000 × 6000 RGB image takes.
const STREAMING_LIMIT: usize = 16 * MIB;

#[test]
fn large_files_are_previewed_in_bounded_memory() {
    let dir = temp_dir();
    let psd = path_in(&dir, "large.psd");
    red_blue(
        &psd,
        SIDE,
        SIDE,
        &["-depth", "8", "-type", "TrueColor", "-compress", "RLE"],
    );
    let tiff = path_in(&dir, "large.tif");
    red_blue(
        &tiff,
        SIDE,
        SIDE,
        &["-depth", "8", "-colorspace", "CMYK", "-compress", "LZW"],
    );
    let jpeg = path_in(&dir, "large.jpg");
    red_blue(&jpeg, SIDE, SIDE, &["-quality", "90"]);

    println!("VmHWM before: {:?} MiB", vm_hwm_mib());
    let cases = [
        (&psd, PreviewSource::PsdComposite, STREAMING_LIMIT),
        (&tiff, PreviewSource::Tiff, STREAMING_LIMIT),
        // Decoded whole: 3 bytes a pixel plus the file, as documented for MAX_WHOLE_PIXELS.
        (
            &jpeg,
            PreviewSource::Jpeg,
            3 * 36 * MIB + std::fs::metadata(&jpeg).unwrap().len() as usize + 16 * MIB,
        ),
    ];
    for (path, source, limit) in cases {
        let started = std::time::Instant::now();
        let (preview, peak) = peak_of(|| make_preview(path, 512).unwrap());
        let took = started.elapsed();
        let file_mib = std::fs::metadata(path).unwrap().len() as f64 / MIB as f64;
        println!(
            "{:?}: file {file_mib:.1} MiB, {took:.2?}, peak allocated {:.1} MiB, VmHWM after {:?} MiB",
            source,
            peak as f64 / MIB as f64,
            vm_hwm_mib()
        );
        assert_eq!(preview.source, source);
        assert_eq!((preview.width, preview.height), (512, 512));
        assert_red_blue(&preview);
        assert!(peak < limit, "{source:?}: peak {peak} bytes, limit {limit}");
    }
}
