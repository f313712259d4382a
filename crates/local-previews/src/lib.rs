//! Previews made on this machine for files the webview cannot show yet (BeProduct is still
//! processing them) or at all: PSD/PSB, TIFF (CMYK too), Illustrator files saved PDF compatible,
//! CMYK JPEGs, and plain JPEG/PNG/WebP/GIF/BMP, each shrunk to a PNG no bigger than asked.
//!
//! Everything here is synchronous and may read hundreds of megabytes: call it off any UI or
//! async thread (in the app, inside `tokio::task::spawn_blocking`). Previews are written only to
//! [`PreviewCache`]'s folder; nothing here sends them anywhere.
//!
//! Memory stays bounded by the preview size, not the file size, for PSD/PSB and TIFF (both are
//! read a few rows at a time); formats decoded whole are refused above [`MAX_WHOLE_PIXELS`].

mod ai;
mod cache;
mod color;
mod error;
mod picture;
mod psd;
mod raster;
mod shrink;
mod sniff;
mod tiff_file;
mod xmp;

use std::path::Path;

pub use cache::PreviewCache;
pub use error::PreviewError;
pub use raster::MAX_WHOLE_PIXELS;
pub use tiff_file::MAX_TIFF_BAND_BYTES;

/// A finished preview: an sRGB PNG whose longest side is at most the `max_side` asked for
/// (smaller when the source itself is smaller, or when only a small embedded thumbnail exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub source: PreviewSource,
}

/// Where a preview's pixels came from, so a caller can say "embedded thumbnail" when it is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PreviewSource {
    /// The flattened (merged) image a PSD/PSB stores after its layers.
    PsdComposite,
    /// The small JPEG thumbnail Photoshop stores among its image resources.
    PsdThumbnail,
    Tiff,
    /// The JPEG thumbnail Illustrator stores in the file's XMP metadata.
    AiThumbnail,
    /// An XMP thumbnail found in a PDF that is not an Illustrator file.
    PdfThumbnail,
    Jpeg,
    Png,
    WebP,
    Gif,
    Bmp,
}

/// Makes a preview of the file at `path`, its longest side at most `max_side` pixels (0 is
/// taken as 1). The format is told by the file's first bytes, not its name.
///
/// Blocking: run it on a blocking thread (`spawn_blocking`), never on a UI or async thread.
pub fn make_preview(path: &Path, max_side: u32) -> Result<Preview, PreviewError> {
    let max_side = max_side.max(1);
    let picture = match sniff::sniff(path)? {
        sniff::Kind::Psd => psd::preview(path, max_side)?,
        sniff::Kind::Tiff => tiff_file::preview(path, max_side)?,
        sniff::Kind::Pdf => ai::preview_pdf(path)?,
        sniff::Kind::PostScript => ai::preview_postscript(path)?,
        sniff::Kind::Raster(format) => raster::preview_file(path, format)?,
        sniff::Kind::Unknown(what) => return Err(PreviewError::Unsupported { what }),
    };
    picture.into_preview(max_side)
}
