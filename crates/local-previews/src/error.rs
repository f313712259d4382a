//! Why there is no preview, worded for the person looking at the file.

use std::io;
use std::path::PathBuf;

/// Every way making a preview can fail. The messages are shown to designers as they are, so
/// each says why there is no preview and, where there is one, what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error(
        "Could not read {}: {source}. Check that the file is still there and that you can open \
         it.",
        path.display()
    )]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "No preview can be made for this kind of file ({what}). Previews are made for PSD, PSB, \
         TIFF, Illustrator (PDF compatible), JPEG, PNG, WebP, GIF and BMP files."
    )]
    Unsupported { what: String },

    #[error(
        "This {format} file uses {feature}, which local previews do not read. BeProduct shows its \
         own preview once it has processed the file; to see one here, save a copy as 8-bit RGB."
    )]
    UnsupportedVariant {
        format: &'static str,
        feature: String,
    },

    #[error(
        "This file is damaged or incomplete, so no preview could be made ({detail}). If it is \
         still being copied, wait for it to finish; otherwise open it in the program that made it \
         and save it again."
    )]
    Corrupt { detail: String },

    #[error(
        "This Illustrator file was saved without PDF compatibility, so it has no preview. Save it \
         again with 'Create PDF Compatible File' on."
    )]
    AiWithoutPdf,

    #[error(
        "This PDF has no embedded preview (no thumbnail is stored inside it), and PDF pages are \
         not drawn locally. If it comes from Illustrator, save it again with 'Create PDF \
         Compatible File' on; BeProduct shows its own preview once it has processed the file."
    )]
    PdfWithoutThumbnail,

    #[error(
        "This Photoshop file was saved without 'Maximize Compatibility' and has no thumbnail, so \
         it holds no flattened image to preview. Save it again with 'Maximize PSD and PSB File \
         Compatibility' set to Always."
    )]
    PsdWithoutComposite,

    #[error(
        "This image is too large to preview here ({detail}). BeProduct shows its own preview \
         once it has processed the file."
    )]
    TooLarge {
        /// Its size and the bound it crossed, e.g. "12000 × 9000 pixels, more than 100 megapixels".
        detail: String,
    },

    #[error(
        "Could not save the preview in {}: {source}. Check that the disk has free space.",
        path.display()
    )]
    Cache {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl PreviewError {
    pub(crate) fn corrupt(detail: impl Into<String>) -> Self {
        PreviewError::Corrupt {
            detail: detail.into(),
        }
    }

    pub(crate) fn variant(format: &'static str, feature: impl Into<String>) -> Self {
        PreviewError::UnsupportedVariant {
            format,
            feature: feature.into(),
        }
    }
}

/// Reads that run past the end mean a cut-short file, not a failing disk.
pub(crate) fn read_error(path: &std::path::Path, err: io::Error) -> PreviewError {
    if err.kind() == io::ErrorKind::UnexpectedEof {
        PreviewError::corrupt("the file ends too early")
    } else {
        PreviewError::Read {
            path: path.to_path_buf(),
            source: err,
        }
    }
}
