//! The merged (flattened) image: channel rows → RGB rows → shrunk straight into the preview.

use std::path::Path;

use image::DynamicImage;

use super::channels;
use super::header::{ColorMode, Layout};
use crate::color::{cmyk_to_rgb, lab_to_rgb};
use crate::error::PreviewError;
use crate::shrink::RowShrinker;

pub(crate) fn read(
    path: &Path,
    layout: &Layout,
    max_side: u32,
) -> Result<DynamicImage, PreviewError> {
    let header = &layout.header;
    if header.depth == 32 {
        return Err(PreviewError::variant(
            "Photoshop",
            "32 bits per channel (HDR)",
        ));
    }
    if header.depth == 1 && header.mode != ColorMode::Bitmap {
        return Err(PreviewError::corrupt("1-bit data outside Bitmap mode"));
    }
    let needed = match header.mode {
        ColorMode::Bitmap | ColorMode::Grayscale | ColorMode::Duotone | ColorMode::Indexed => 1,
        ColorMode::Rgb | ColorMode::Lab => 3,
        ColorMode::Cmyk => 4,
        ColorMode::Multichannel => {
            return Err(PreviewError::variant("Photoshop", "Multichannel mode"))
        }
    };
    if usize::from(header.channels) < needed {
        return Err(PreviewError::corrupt(
            "fewer channels than its colour mode needs",
        ));
    }
    let palette = match (header.mode, &layout.palette) {
        (ColorMode::Indexed, Some(p)) => Some(p.as_slice()),
        (ColorMode::Indexed, None) => {
            return Err(PreviewError::corrupt("an indexed image without a palette"))
        }
        _ => None,
    };

    let mut readers = channels::open(path, layout, needed)?;
    let mut shrinker = RowShrinker::new(header.width, header.height, max_side);
    let mut rgb = vec![0u8; header.width as usize * 3];
    for _ in 0..header.height {
        let rows = readers
            .iter_mut()
            .map(|r| r.next_row())
            .collect::<Result<Vec<&[u8]>, _>>()?;
        to_rgb(header.mode, header.depth, palette, &rows, &mut rgb);
        shrinker.push_row(&rgb);
    }
    Ok(shrinker.finish())
}

/// One row of each channel → one RGB row. 16-bit samples are big-endian: the first byte of
/// each pair is the high byte, which is all an 8-bit preview needs.
fn to_rgb(mode: ColorMode, depth: u16, palette: Option<&[u8]>, rows: &[&[u8]], rgb: &mut [u8]) {
    let step = usize::from(depth / 8).max(1);
    let sample = |c: usize, x: usize| -> u8 {
        if depth == 1 {
            // Bitmap mode: a set bit is black.
            if rows[c][x / 8] & (0x80 >> (x % 8)) != 0 {
                0
            } else {
                255
            }
        } else {
            rows[c][x * step]
        }
    };
    for (x, px) in rgb.chunks_exact_mut(3).enumerate() {
        let out = match mode {
            ColorMode::Bitmap | ColorMode::Grayscale | ColorMode::Duotone => {
                let v = sample(0, x);
                [v, v, v]
            }
            ColorMode::Indexed => {
                let i = usize::from(sample(0, x));
                let p = palette.unwrap_or(&[0; 768]);
                [p[i], p[256 + i], p[512 + i]]
            }
            ColorMode::Rgb => [sample(0, x), sample(1, x), sample(2, x)],
            // Photoshop stores CMYK inverted: 255 is no ink.
            ColorMode::Cmyk => cmyk_to_rgb(
                255 - sample(0, x),
                255 - sample(1, x),
                255 - sample(2, x),
                255 - sample(3, x),
            ),
            ColorMode::Lab => lab_to_rgb(
                f32::from(sample(0, x)) * 100.0 / 255.0,
                f32::from(sample(1, x)) - 128.0,
                f32::from(sample(2, x)) - 128.0,
            ),
            ColorMode::Multichannel => [0, 0, 0],
        };
        px.copy_from_slice(&out);
    }
}
