//! Recognising an image by its first bytes: the one rule for "is this an image" shared by the
//! upload queue (files on disk) and uploads from a URL.

/// Image formats recognised by their leading bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageKind {
    Jpeg,
    Png,
    Gif,
    WebP,
    Tiff,
    Bmp,
    /// HEIC/HEIF (ISO-BMFF `ftyp` with a HEIF brand).
    Heif,
    Avif,
    /// Photoshop document (`8BPS`): common in design work; the server renders the preview.
    Psd,
}

/// The formats `sniff_image` recognises, for messages.
pub const ACCEPTED_IMAGE_FORMATS: &str = "JPEG, PNG, GIF, WebP, TIFF, BMP, HEIC/HEIF, AVIF or PSD";

/// How many leading bytes `sniff_image` needs to recognise every kind.
pub const SNIFF_LEN: usize = 32;

/// The image format of a file that starts with `head` (give it `SNIFF_LEN` bytes, or the whole
/// file when it is shorter), or `None` when it is not one of the accepted images.
pub fn sniff_image(head: &[u8]) -> Option<ImageKind> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Some(ImageKind::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some(ImageKind::Png);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some(ImageKind::Gif);
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some(ImageKind::WebP);
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Some(ImageKind::Tiff);
    }
    if starts(b"BM") && head.len() >= 14 {
        return Some(ImageKind::Bmp);
    }
    if starts(b"8BPS") {
        return Some(ImageKind::Psd);
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        if brand == b"avif" || brand == b"avis" {
            return Some(ImageKind::Avif);
        }
        const HEIF_BRANDS: [&[u8]; 8] = [
            b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
        ];
        if HEIF_BRANDS.contains(&brand) {
            return Some(ImageKind::Heif);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_common_formats() {
        assert_eq!(
            sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageKind::Jpeg)
        );
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some(ImageKind::Png));
        assert_eq!(sniff_image(b"GIF89a...."), Some(ImageKind::Gif));
        assert_eq!(
            sniff_image(b"RIFF\x10\0\0\0WEBPVP8 "),
            Some(ImageKind::WebP)
        );
        assert_eq!(sniff_image(b"II*\0...."), Some(ImageKind::Tiff));
        assert_eq!(
            sniff_image(b"BM\0\0\0\0\0\0\0\0\0\0\0\0"),
            Some(ImageKind::Bmp)
        );
        assert_eq!(
            sniff_image(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Some(ImageKind::Heif)
        );
        assert_eq!(
            sniff_image(b"\0\0\0\x1cftypavif\0\0\0\0"),
            Some(ImageKind::Avif)
        );
        assert_eq!(sniff_image(b"8BPS\0\x01"), Some(ImageKind::Psd));
    }

    #[test]
    fn other_content_is_not_an_image() {
        for head in [
            &b""[..],
            b"<html><body>",
            b"%PDF-1.7",
            b"BM",
            b"\0\0\0\x18ftypmp42\0\0\0\0",
            b"RIFF\x10\0\0\0WAVEfmt ",
            b"\xFF\xD8",
        ] {
            assert_eq!(sniff_image(head), None, "{head:?}");
        }
    }
}
