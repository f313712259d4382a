//! The last step every format shares: fit the decoded pixels within `max_side` and encode PNG.

use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageEncoder};

use crate::error::PreviewError;
use crate::shrink::fit_within;
use crate::{Preview, PreviewSource};

/// Decoded pixels (8-bit RGB, or RGBA where the source has transparency) and their origin.
pub(crate) struct Picture {
    pub image: DynamicImage,
    pub source: PreviewSource,
}

impl Picture {
    pub fn new(image: DynamicImage, source: PreviewSource) -> Self {
        Picture { image, source }
    }

    pub fn into_preview(self, max_side: u32) -> Result<Preview, PreviewError> {
        let (w, h) = (self.image.width(), self.image.height());
        let (tw, th) = fit_within(w, h, max_side);
        // `thumbnail` averages every source pixel into exactly one target pixel: cheap, and
        // without the aliasing a plain resample would give at large reduction factors.
        let image = if (tw, th) == (w, h) {
            self.image
        } else {
            self.image.thumbnail_exact(tw, th)
        };
        let image = if image.color().has_alpha() {
            DynamicImage::ImageRgba8(image.into_rgba8())
        } else {
            DynamicImage::ImageRgb8(image.into_rgb8())
        };
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(
                image.as_bytes(),
                image.width(),
                image.height(),
                image.color().into(),
            )
            .map_err(|e| PreviewError::corrupt(format!("could not encode the preview: {e}")))?;
        Ok(Preview {
            png,
            width: image.width(),
            height: image.height(),
            source: self.source,
        })
    }
}
