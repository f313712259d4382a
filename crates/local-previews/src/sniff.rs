//! Tells a file's format by its first bytes: names lie (an `.ai` is a PDF, a `.tif` may be a
//! JPEG), and a wrong guess would send a file to a decoder that only reports "corrupt".

use std::fs::File;
use std::io::Read;
use std::path::Path;

use image::ImageFormat;

use crate::error::{read_error, PreviewError};

/// How far into a file a PDF header may start (the PDF spec allows junk before it).
const PDF_HEADER_WINDOW: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Psd,
    Tiff,
    Pdf,
    /// PostScript: a legacy Illustrator file (or an EPS) with no PDF inside.
    PostScript,
    Raster(ImageFormat),
    Unknown(String),
}

pub(crate) fn sniff(path: &Path) -> Result<Kind, PreviewError> {
    let mut head = Vec::with_capacity(PDF_HEADER_WINDOW);
    File::open(path)
        .and_then(|f| f.take(PDF_HEADER_WINDOW as u64).read_to_end(&mut head))
        .map_err(|e| read_error(path, e))?;
    Ok(kind_of(&head))
}

fn kind_of(head: &[u8]) -> Kind {
    if head.is_empty() {
        return Kind::Unknown("the file is empty".into());
    }
    if head.starts_with(b"8BPS") {
        return Kind::Psd;
    }
    if [b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"]
        .iter()
        .any(|m| head.starts_with(*m))
    {
        return Kind::Tiff;
    }
    // 0xC5D0D3C6 is a DOS EPS binary header: PostScript with an optional TIFF/WMF preview.
    if head.starts_with(b"%!PS") || head.starts_with(&[0xC5, 0xD0, 0xD3, 0xC6]) {
        return Kind::PostScript;
    }
    // Image signatures sit at offset 0, so they are trusted before searching for a PDF header
    // (which may sit anywhere in the window, and so could appear inside, say, a JPEG's EXIF).
    let guessed = image::guess_format(head);
    if let Ok(
        format @ (ImageFormat::Jpeg
        | ImageFormat::Png
        | ImageFormat::WebP
        | ImageFormat::Gif
        | ImageFormat::Bmp),
    ) = guessed
    {
        return Kind::Raster(format);
    }
    if memchr::memmem::find(head, b"%PDF-").is_some() {
        return Kind::Pdf;
    }
    // HEIC/HEIF (iPhone photos): no maintained pure-Rust decoder exists and libheif would be a
    // system library every bundle must carry, so this build says so instead of "unrecognised".
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        if [
            b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1",
        ]
        .iter()
        .any(|b| brand == *b)
        {
            return Kind::Unknown(
                "a HEIC/HEIF photo: this build has no HEIC decoder, so BeProduct's own preview \
                 shows once it has processed the file"
                    .into(),
            );
        }
    }
    match guessed {
        Ok(other) => Kind::Unknown(format!("{other:?} image")),
        Err(_) => Kind::Unknown("unrecognised contents".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_formats_by_their_first_bytes() {
        assert_eq!(kind_of(b"8BPS\0\x01"), Kind::Psd);
        assert!(
            matches!(kind_of(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"), Kind::Unknown(w) if w.contains("HEIC")),
            "HEIC is named as such"
        );
        assert_eq!(kind_of(b"II*\0\x08\0\0\0"), Kind::Tiff);
        assert_eq!(kind_of(b"MM\0*\0\0\0\x08"), Kind::Tiff);
        assert_eq!(kind_of(b"junk\n%PDF-1.6\n"), Kind::Pdf);
        assert_eq!(kind_of(b"%!PS-Adobe-3.0"), Kind::PostScript);
        assert_eq!(
            kind_of(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Kind::Raster(ImageFormat::Png)
        );
        assert_eq!(
            kind_of(b"\xFF\xD8\xFF\xE0\0\x10JFIF"),
            Kind::Raster(ImageFormat::Jpeg)
        );
        assert!(matches!(kind_of(b"hello world"), Kind::Unknown(_)));
        assert!(matches!(kind_of(b""), Kind::Unknown(_)));
    }
}
