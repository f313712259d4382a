//! Formats the `image` crate decodes whole: JPEG (CMYK included), PNG, WebP, GIF, BMP, and the
//! JPEG thumbnails embedded in PSD and Illustrator files.
//!
//! These decoders have no row-by-row interface, so the whole image is decoded and then
//! shrunk. Memory is bounded by refusing anything above [`MAX_WHOLE_PIXELS`] and by the
//! decoder's allocation limit ([`MAX_WHOLE_ALLOC`]).

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Seek};
use std::path::Path;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use crate::error::{read_error, PreviewError};
use crate::picture::Picture;
use crate::PreviewSource;

/// The most pixels a format that is decoded whole may have: 100 MP, e.g. 10,000 × 10,000.
/// Decoding one takes about 3 bytes a pixel for 8-bit RGB (4 with alpha, 8 at 16 bits), plus
/// the file itself for JPEG (its decoder reads the file into memory first).
pub const MAX_WHOLE_PIXELS: u64 = 100_000_000;

/// The most a whole-image decoder may allocate at once (the `image` crate checks it).
const MAX_WHOLE_ALLOC: u64 = 512 * 1024 * 1024;

pub(crate) fn preview_file(path: &Path, format: ImageFormat) -> Result<Picture, PreviewError> {
    let file = File::open(path).map_err(|e| read_error(path, e))?;
    let image = decode(ImageReader::with_format(BufReader::new(file), format))?;
    Ok(Picture::new(image, source_of(format)))
}

/// Decodes a JPEG held in memory (an embedded thumbnail).
pub(crate) fn decode_jpeg(bytes: &[u8]) -> Result<DynamicImage, PreviewError> {
    decode(ImageReader::with_format(
        Cursor::new(bytes),
        ImageFormat::Jpeg,
    ))
}

fn decode<R: BufRead + Seek>(mut reader: ImageReader<R>) -> Result<DynamicImage, PreviewError> {
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_WHOLE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| from_image_error(e, None))?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_WHOLE_PIXELS {
        return Err(PreviewError::TooLarge {
            detail: format!(
                "{w} × {h} pixels, more than {} megapixels",
                MAX_WHOLE_PIXELS / 1_000_000
            ),
        });
    }
    // Cameras and phones store portrait photos sideways with an EXIF orientation.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image =
        DynamicImage::from_decoder(decoder).map_err(|e| from_image_error(e, Some((w, h))))?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn from_image_error(err: ImageError, size: Option<(u32, u32)>) -> PreviewError {
    match err {
        ImageError::Limits(_) => {
            let (w, h) = size.unwrap_or_default();
            PreviewError::TooLarge {
                detail: format!(
                    "{w} × {h} pixels, more than the {} MiB a preview may decode",
                    MAX_WHOLE_ALLOC >> 20
                ),
            }
        }
        ImageError::Unsupported(e) => PreviewError::variant("image", e.to_string()),
        other => PreviewError::corrupt(other.to_string()),
    }
}

fn source_of(format: ImageFormat) -> PreviewSource {
    match format {
        ImageFormat::Png => PreviewSource::Png,
        ImageFormat::WebP => PreviewSource::WebP,
        ImageFormat::Gif => PreviewSource::Gif,
        ImageFormat::Bmp => PreviewSource::Bmp,
        _ => PreviewSource::Jpeg,
    }
}
