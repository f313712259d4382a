//! PSD and PSB previews: the embedded thumbnail when it is big enough, else the merged image.
//!
//! Not the `psd` crate: its `Psd::from_bytes` takes the whole file as one slice and decodes
//! every layer, so a 500 MB PSD would need 500 MB plus its layers in memory, and it does not
//! read PSB at all. A preview needs only the header, two image resources and the merged image,
//! which are read here with seeks and streaming reads (memory ≈ one row per channel plus the
//! preview itself; see `channels`).

mod channels;
mod composite;
mod header;
mod resources;

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use image::DynamicImage;

use crate::error::{read_error, PreviewError};
use crate::picture::Picture;
use crate::{raster, PreviewSource};
use resources::Thumbnail;

pub(crate) fn preview(path: &Path, max_side: u32) -> Result<Picture, PreviewError> {
    let file = File::open(path).map_err(|e| read_error(path, e))?;
    let mut file = BufReader::new(file);
    let layout = header::read_layout(&mut file)?;
    let found = resources::read(&mut file, layout.resources_start, layout.resources_len)?;
    drop(file);

    let header = &layout.header;
    // The thumbnail will do when it is at least as big as the preview would be.
    let wanted = max_side.min(header.width.max(header.height));
    let thumbnail = found.thumbnail;
    if let Some(thumb) = thumbnail
        .as_ref()
        .filter(|t| t.width.max(t.height) >= wanted)
    {
        if let Ok(image) = decode_thumbnail(thumb) {
            return Ok(Picture::new(image, PreviewSource::PsdThumbnail));
        }
    }
    let composite = if found.has_real_merged_data == Some(false) {
        Err(PreviewError::PsdWithoutComposite)
    } else {
        composite::read(path, &layout, max_side)
    };
    match composite {
        Ok(image) => Ok(Picture::new(image, PreviewSource::PsdComposite)),
        // A small thumbnail beats no preview when the merged image cannot be read.
        Err(err) => match thumbnail.as_ref().map(decode_thumbnail) {
            Some(Ok(image)) => Ok(Picture::new(image, PreviewSource::PsdThumbnail)),
            _ => Err(err),
        },
    }
}

fn decode_thumbnail(thumb: &Thumbnail) -> Result<DynamicImage, PreviewError> {
    let image = raster::decode_jpeg(&thumb.jpeg)?;
    if !thumb.bgr {
        return Ok(image);
    }
    let mut rgb = image.into_rgb8();
    for px in rgb.pixels_mut() {
        px.0.swap(0, 2);
    }
    Ok(DynamicImage::ImageRgb8(rgb))
}
