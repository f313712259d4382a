//! Illustrator files and PDFs. No PDF renderer builds here without native libraries (PDFium,
//! MuPDF, Poppler), so pages are not drawn: the preview is the JPEG thumbnail Illustrator
//! stores in the file's XMP metadata, found by a bounded scan (see `xmp`).

use std::fs::File;
use std::path::Path;

use crate::error::{read_error, PreviewError};
use crate::picture::Picture;
use crate::{raster, xmp, PreviewSource};

/// A PDF (modern `.ai` files are PDFs): its XMP thumbnail, or why there is none.
pub(crate) fn preview_pdf(path: &Path) -> Result<Picture, PreviewError> {
    let scan = scan_file(path)?;
    match scan.thumbnail {
        Some(jpeg) => {
            let source = if scan.creator_is_illustrator || has_ai_extension(path) {
                PreviewSource::AiThumbnail
            } else {
                PreviewSource::PdfThumbnail
            };
            Ok(Picture::new(decode_thumbnail(&jpeg)?, source))
        }
        None if scan.saved_without_pdf_content => Err(PreviewError::AiWithoutPdf),
        None => Err(PreviewError::PdfWithoutThumbnail),
    }
}

/// PostScript: Illustrator 8 and older, or an `.ai` saved as plain PostScript, i.e. without
/// PDF compatibility; also EPS. Some carry an XMP thumbnail all the same.
pub(crate) fn preview_postscript(path: &Path) -> Result<Picture, PreviewError> {
    let scan = scan_file(path)?;
    match scan.thumbnail {
        Some(jpeg) => Ok(Picture::new(
            decode_thumbnail(&jpeg)?,
            PreviewSource::AiThumbnail,
        )),
        None if has_ai_extension(path) || scan.creator_is_illustrator => {
            Err(PreviewError::AiWithoutPdf)
        }
        None => Err(PreviewError::Unsupported {
            what: "PostScript or EPS without an embedded thumbnail".into(),
        }),
    }
}

fn scan_file(path: &Path) -> Result<xmp::Scan, PreviewError> {
    let file = File::open(path).map_err(|e| read_error(path, e))?;
    xmp::scan(file).map_err(|e| read_error(path, e))
}

fn decode_thumbnail(jpeg: &[u8]) -> Result<image::DynamicImage, PreviewError> {
    raster::decode_jpeg(jpeg).map_err(|e| match e {
        PreviewError::Corrupt { detail } => {
            PreviewError::corrupt(format!("its embedded thumbnail is damaged: {detail}"))
        }
        other => other,
    })
}

fn has_ai_extension(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ai") || e.eq_ignore_ascii_case("ait"))
}
