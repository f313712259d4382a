//! TIFF previews, read one strip or one row of tiles at a time through the `tiff` crate and
//! shrunk as they arrive. (`image`'s TIFF decoder would decode the whole image first: 4 bytes
//! a pixel for CMYK, 430 MB for a 10,800 × 10,000 print file.)
//!
//! Memory: one band of chunks (a strip, or a row of tiles) decoded, plus that band as RGB,
//! plus the preview. Writers cut images into strips of a few KB to a few MB, so this is small;
//! a file stored as a single huge uncompressed block is refused above [`MAX_TIFF_BAND_BYTES`].
//! The first image (IFD) is used: in a layered Photoshop TIFF that is the flattened image.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use tiff::decoder::{ChunkType, Decoder, DecodingResult, Limits};
use tiff::tags::Tag;
use tiff::{ColorType, TiffError};

use crate::color::{cmyk_to_rgb, lab_to_rgb, ycbcr_to_rgb};
use crate::error::{read_error, PreviewError};
use crate::picture::Picture;
use crate::shrink::RowShrinker;
use crate::PreviewSource;

/// The most one band of chunks (decoded, plus its RGB copy) may take.
pub const MAX_TIFF_BAND_BYTES: u64 = 256 * 1024 * 1024;

/// PhotometricInterpretation values the `tiff` crate (0.11) cannot decode, named for people.
fn unreadable_photometric(value: u16) -> Option<&'static str> {
    match value {
        3 => Some("indexed colour (a palette)"),
        4 => Some("a transparency mask"),
        // 8 is CIELab as Photoshop writes it; only ICC Lab (9) is decoded.
        8 | 10 => Some("CIE L*a*b* colour"),
        _ => None,
    }
}

#[derive(Debug)]
enum Color {
    Gray,
    Rgb,
    Cmyk,
    YCbCr,
    Lab,
}

/// How samples sit in a decoded chunk.
struct Format {
    color: Color,
    bits: u8,
    /// Samples per pixel as stored (extra channels included) in a chunky image.
    samples: usize,
    planar: bool,
}

impl Format {
    fn color_samples(&self) -> usize {
        match self.color {
            Color::Gray => 1,
            Color::Rgb | Color::YCbCr | Color::Lab => 3,
            Color::Cmyk => 4,
        }
    }
}

pub(crate) fn preview(path: &Path, max_side: u32) -> Result<Picture, PreviewError> {
    let file = File::open(path).map_err(|e| read_error(path, e))?;
    let mut limits = Limits::default();
    limits.decoding_buffer_size = MAX_TIFF_BAND_BYTES as usize;
    limits.intermediate_buffer_size = MAX_TIFF_BAND_BYTES as usize;
    let mut dec = Decoder::new(BufReader::new(file))
        .map_err(from_tiff)?
        .with_limits(limits);
    let (width, height) = dec.dimensions().map_err(from_tiff)?;
    let format = read_format(&mut dec)?;

    let (cw, ch) = dec.chunk_dimensions();
    let (cw, ch) = match dec.get_chunk_type() {
        ChunkType::Strip => (width, ch.clamp(1, height)),
        ChunkType::Tile => (cw.max(1), ch.max(1)),
    };
    let across = width.div_ceil(cw);
    let down = height.div_ceil(ch);
    let bytes_per_sample = u64::from(format.bits).div_ceil(8);
    let planes = if format.planar {
        format.color_samples()
    } else {
        1
    };
    let per_plane = if format.planar {
        1
    } else {
        format.samples as u64
    };
    let band_bytes = u64::from(cw) * u64::from(ch) * per_plane * bytes_per_sample * planes as u64
        + u64::from(width) * u64::from(ch) * 3;
    if band_bytes > MAX_TIFF_BAND_BYTES {
        return Err(PreviewError::TooLarge {
            detail: format!(
                "{width} × {height} pixels stored in blocks of {} MiB, more than the {} MiB read \
                 at once",
                band_bytes >> 20,
                MAX_TIFF_BAND_BYTES >> 20
            ),
        });
    }

    let mut shrinker = RowShrinker::new(width, height, max_side);
    let row_len = width as usize * 3;
    for ty in 0..down {
        let band_h = ch.min(height - ty * ch) as usize;
        let mut band = vec![0u8; row_len * band_h];
        for tx in 0..across {
            let dw = cw.min(width - tx * cw) as usize;
            let index = ty * across + tx;
            let chunks = (0..planes as u32)
                .map(|p| {
                    let chunk = dec
                        .read_chunk(index + p * across * down)
                        .map_err(from_tiff)?;
                    let row_samples = if format.planar {
                        dw
                    } else {
                        dw * format.samples
                    };
                    to_bytes(chunk, row_samples, band_h, format.bits)
                })
                .collect::<Result<Vec<_>, _>>()?;
            for r in 0..band_h {
                let out = &mut band[r * row_len + tx as usize * cw as usize * 3..][..dw * 3];
                to_rgb(&format, &chunks, r, dw, out);
            }
        }
        for row in band.chunks_exact(row_len) {
            shrinker.push_row(row);
        }
    }
    Ok(Picture::new(shrinker.finish(), PreviewSource::Tiff))
}

fn read_format(dec: &mut Decoder<BufReader<File>>) -> Result<Format, PreviewError> {
    let photometric = dec
        .find_tag_unsigned::<u16>(Tag::PhotometricInterpretation)
        .map_err(from_tiff)?;
    if let Some(what) = photometric.and_then(unreadable_photometric) {
        return Err(PreviewError::variant("TIFF", what));
    }
    let color_type = dec.colortype().map_err(from_tiff)?;
    let samples = dec
        .find_tag_unsigned::<u16>(Tag::SamplesPerPixel)
        .map_err(from_tiff)?
        .unwrap_or(1);
    let planar = dec
        .find_tag_unsigned::<u16>(Tag::PlanarConfiguration)
        .map_err(from_tiff)?
        == Some(2);
    let bits = color_type.bit_depth();
    if ![1, 2, 4, 8, 16].contains(&bits) {
        return Err(PreviewError::variant("TIFF", format!("{bits}-bit samples")));
    }
    let color = match color_type {
        ColorType::Gray(_) | ColorType::GrayA(_) | ColorType::Multiband { .. } => Color::Gray,
        ColorType::RGB(_) | ColorType::RGBA(_) => Color::Rgb,
        ColorType::CMYK(_) | ColorType::CMYKA(_) => Color::Cmyk,
        ColorType::YCbCr(_) => Color::YCbCr,
        ColorType::Lab(_) => Color::Lab,
        other => return Err(PreviewError::variant("TIFF", format!("{other:?} colour"))),
    };
    let format = Format {
        color,
        bits,
        samples: usize::from(samples),
        planar,
    };
    if format.samples < format.color_samples() {
        return Err(PreviewError::corrupt(
            "fewer samples per pixel than its colours need",
        ));
    }
    Ok(format)
}

/// A decoded chunk as one byte per sample, rows packed `row_samples` apart. 16-bit samples keep
/// their high byte; 1/2/4-bit grey is stretched to 0..=255.
fn to_bytes(
    chunk: DecodingResult,
    row_samples: usize,
    rows: usize,
    bits: u8,
) -> Result<Vec<u8>, PreviewError> {
    let short = || PreviewError::corrupt("a strip or tile holds less data than it should");
    match chunk {
        DecodingResult::U8(v) if bits == 8 => v
            .get(..row_samples * rows)
            .map(<[u8]>::to_vec)
            .ok_or_else(short),
        DecodingResult::U16(v) => v
            .get(..row_samples * rows)
            .map(|s| s.iter().map(|x| (x >> 8) as u8).collect())
            .ok_or_else(short),
        DecodingResult::U8(v) => {
            // Sub-byte samples: each row starts on a byte boundary.
            let row_bytes = (row_samples * usize::from(bits)).div_ceil(8);
            if v.len() < row_bytes * rows {
                return Err(short());
            }
            let max = (1u16 << bits) - 1;
            let mut out = Vec::with_capacity(row_samples * rows);
            for row in v.chunks_exact(row_bytes).take(rows) {
                for k in 0..row_samples {
                    let bit = k * usize::from(bits);
                    let value = u16::from(row[bit / 8] >> (8 - usize::from(bits) - bit % 8)) & max;
                    out.push((value * 255 / max) as u8);
                }
            }
            Ok(out)
        }
        _ => Err(PreviewError::variant(
            "TIFF",
            "floating-point or signed samples",
        )),
    }
}

/// Row `r` of a chunk (or of each plane's chunk) → `dw` RGB pixels.
fn to_rgb(format: &Format, chunks: &[Vec<u8>], r: usize, dw: usize, out: &mut [u8]) {
    let sample = |c: usize, x: usize| -> u8 {
        if format.planar {
            chunks[c][r * dw + x]
        } else {
            chunks[0][(r * dw + x) * format.samples + c]
        }
    };
    for (x, px) in out.chunks_exact_mut(3).enumerate() {
        let rgb = match &format.color {
            Color::Gray => {
                let v = sample(0, x);
                [v, v, v]
            }
            Color::Rgb => [sample(0, x), sample(1, x), sample(2, x)],
            Color::Cmyk => cmyk_to_rgb(sample(0, x), sample(1, x), sample(2, x), sample(3, x)),
            Color::YCbCr => ycbcr_to_rgb(sample(0, x), sample(1, x), sample(2, x)),
            Color::Lab => lab_to_rgb(
                f32::from(sample(0, x)) * 100.0 / 255.0,
                f32::from(sample(1, x)) - 128.0,
                f32::from(sample(2, x)) - 128.0,
            ),
        };
        px.copy_from_slice(&rgb);
    }
}

fn from_tiff(err: TiffError) -> PreviewError {
    match err {
        TiffError::UnsupportedError(e) => PreviewError::variant(
            "TIFF",
            format!("something the TIFF reader cannot decode ({e})"),
        ),
        TiffError::LimitsExceeded => PreviewError::TooLarge {
            detail: format!(
                "one of its strips or tiles is more than {} MiB",
                MAX_TIFF_BAND_BYTES >> 20
            ),
        },
        TiffError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            PreviewError::corrupt("the file ends too early")
        }
        other => PreviewError::corrupt(other.to_string()),
    }
}
