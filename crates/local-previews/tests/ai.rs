//! Illustrator and PDF files: the XMP thumbnail Illustrator embeds (written here as Illustrator
//! writes it, and by exiftool into a PDF made here), and the errors when there is none.

mod common;

use common::*;
use local_previews::{make_preview, PreviewError, PreviewSource};

/// A red/blue JPEG thumbnail made by ImageMagick, as the artwork's stand-in.
fn thumbnail(dir: &tempfile::TempDir) -> Vec<u8> {
    let path = path_in(dir, "thumb.jpg");
    red_blue(&path, 256, 128, &["-quality", "95"]);
    std::fs::read(path).unwrap()
}

#[test]
fn illustrator_file_shows_its_xmp_thumbnail() {
    let dir = temp_dir();
    let path = path_in(&dir, "logo.ai");
    let xmp = illustrator_xmp(&thumbnail(&dir), 256, 128);
    write_pdf(&path, Some(&xmp), "artwork");
    let preview = make_preview(&path, 128).unwrap();
    assert_eq!(preview.source, PreviewSource::AiThumbnail);
    assert_eq!((preview.width, preview.height), (128, 64));
    assert_red_blue(&preview);
}

#[test]
fn a_thumbnail_written_by_exiftool_is_found_too() {
    let dir = temp_dir();
    let thumb = path_in(&dir, "thumb.jpg");
    std::fs::write(&thumb, thumbnail(&dir)).unwrap();
    let path = path_in(&dir, "brochure.pdf");
    write_pdf(&path, None, "artwork");
    // exiftool appends the metadata as an incremental update, as editing tools do.
    run(
        "exiftool",
        &[
            "-q",
            "-overwrite_original",
            &format!("-XMP-xmp:ThumbnailImage<={}", thumb.display()),
            "-XMP-xmp:ThumbnailFormat=JPEG",
            path.to_str().unwrap(),
        ],
        "exiftool (apt-get install libimage-exiftool-perl)",
    );
    let preview = make_preview(&path, 512).unwrap();
    assert_eq!(preview.source, PreviewSource::PdfThumbnail);
    assert_eq!((preview.width, preview.height), (256, 128));
    assert_red_blue(&preview);
}

#[test]
fn a_pdf_without_a_thumbnail_says_there_is_no_embedded_preview() {
    let dir = temp_dir();
    let path = path_in(&dir, "plain.ai");
    write_pdf(&path, None, "artwork");
    let err = make_preview(&path, 512).unwrap_err();
    assert!(matches!(err, PreviewError::PdfWithoutThumbnail), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("no embedded preview"), "{message}");
    assert!(message.contains("Create PDF Compatible File"), "{message}");
}

#[test]
fn an_illustrator_file_saved_without_pdf_compatibility_says_how_to_fix_it() {
    let dir = temp_dir();

    // Illustrator's placeholder page in such a file, and no thumbnail.
    let placeholder = path_in(&dir, "no-pdf.ai");
    write_pdf(
        &placeholder,
        None,
        "This is an Adobe Illustrator File that was saved without PDF Content.",
    );
    // Illustrator 8 and older, or "save as PostScript": no PDF at all.
    let postscript = path_in(&dir, "legacy.ai");
    std::fs::write(
        &postscript,
        "%!PS-Adobe-3.0\n%%Creator: Adobe Illustrator(R) 8.0\n%%EndComments\n",
    )
    .unwrap();

    for path in [placeholder, postscript] {
        let err = make_preview(&path, 512).unwrap_err();
        assert!(matches!(err, PreviewError::AiWithoutPdf), "{err:?}");
        assert_eq!(
            err.to_string(),
            "This Illustrator file was saved without PDF compatibility, so it has no preview. \
             Save it again with 'Create PDF Compatible File' on."
        );
    }
}

#[test]
fn a_damaged_embedded_thumbnail_is_reported_as_damage() {
    let dir = temp_dir();
    let path = path_in(&dir, "broken-thumb.ai");
    let mut jpeg = thumbnail(&dir);
    jpeg.truncate(200);
    write_pdf(&path, Some(&illustrator_xmp(&jpeg, 256, 128)), "artwork");
    let err = make_preview(&path, 512).unwrap_err();
    assert!(matches!(err, PreviewError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("thumbnail"), "{err}");
}
