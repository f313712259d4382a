//! JPEG (CMYK included), PNG, WebP and GIF previews, and the errors for files that are not
//! images, are damaged, or are too big to decode whole.

mod common;

use common::*;
use local_previews::{make_preview, PreviewError, PreviewSource};

#[test]
fn cmyk_jpeg_with_adobe_inverted_values_keeps_its_colours() {
    let dir = temp_dir();
    let path = path_in(&dir, "print.jpg");
    red_blue(
        &path,
        400,
        200,
        &["-depth", "8", "-colorspace", "CMYK", "-quality", "95"],
    );
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.windows(5).any(|w| w == b"Adobe"),
        "ImageMagick marks CMYK JPEGs with Adobe's APP14 (inverted values)"
    );
    let preview = make_preview(&path, 200).unwrap();
    assert_eq!(preview.source, PreviewSource::Jpeg);
    assert_eq!((preview.width, preview.height), (200, 100));
    assert_red_blue(&preview);
}

#[test]
fn rgb_jpeg_png_webp_and_gif_are_shrunk() {
    let dir = temp_dir();
    for (ext, source) in [
        ("jpg", PreviewSource::Jpeg),
        ("png", PreviewSource::Png),
        ("webp", PreviewSource::WebP),
        ("gif", PreviewSource::Gif),
    ] {
        let path = path_in(&dir, &format!("picture.{ext}"));
        red_blue(&path, 600, 300, &["-quality", "95"]);
        let preview = make_preview(&path, 300).unwrap();
        assert_eq!(preview.source, source, "{ext}");
        assert_eq!((preview.width, preview.height), (300, 150), "{ext}");
        assert_red_blue(&preview);
    }
}

#[test]
fn a_small_image_is_not_enlarged() {
    let dir = temp_dir();
    let path = path_in(&dir, "icon.png");
    red_blue(&path, 40, 20, &[]);
    let preview = make_preview(&path, 512).unwrap();
    assert_eq!((preview.width, preview.height), (40, 20));
}

#[test]
fn a_sideways_phone_photo_is_turned_upright() {
    let dir = temp_dir();
    let path = path_in(&dir, "phone.jpg");
    // Stored 200 × 100 with EXIF "rotate 90° clockwise to view": shown 100 × 200, red on top.
    red_blue(&path, 200, 100, &[]);
    run(
        "exiftool",
        &[
            "-q",
            "-overwrite_original",
            "-n",
            "-Orientation=6",
            path.to_str().unwrap(),
        ],
        "exiftool (apt-get install libimage-exiftool-perl)",
    );
    let preview = make_preview(&path, 200).unwrap();
    assert_eq!((preview.width, preview.height), (100, 200));
    let image = decode(&preview);
    assert_colour(&image, 0.5, 0.25, RED);
    assert_colour(&image, 0.5, 0.75, BLUE);
}

#[test]
fn damaged_and_unknown_files_say_so() {
    let dir = temp_dir();

    // Cut inside its headers (a JPEG cut later still shows its top part, as browsers do).
    let cut = path_in(&dir, "cut.jpg");
    red_blue(&cut, 400, 200, &["-quality", "95"]);
    let bytes = std::fs::read(&cut).unwrap();
    std::fs::write(&cut, &bytes[..120]).unwrap();
    let err = make_preview(&cut, 100).unwrap_err();
    assert!(matches!(err, PreviewError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("damaged or incomplete"), "{err}");

    let cut_tiff = path_in(&dir, "cut.tif");
    red_blue(&cut_tiff, 400, 200, &["-compress", "None"]);
    let bytes = std::fs::read(&cut_tiff).unwrap();
    std::fs::write(&cut_tiff, &bytes[..bytes.len() / 2]).unwrap();
    let err = make_preview(&cut_tiff, 100).unwrap_err();
    assert!(matches!(err, PreviewError::Corrupt { .. }), "{err:?}");

    let notes = path_in(&dir, "notes.psd");
    std::fs::write(&notes, "not an image at all, whatever the name says").unwrap();
    let err = make_preview(&notes, 100).unwrap_err();
    assert!(matches!(err, PreviewError::Unsupported { .. }), "{err:?}");
    assert!(err.to_string().contains("No preview can be made"), "{err}");

    let empty = path_in(&dir, "empty.png");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        make_preview(&empty, 100),
        Err(PreviewError::Unsupported { .. })
    ));

    let missing = path_in(&dir, "gone.png");
    assert!(matches!(
        make_preview(&missing, 100),
        Err(PreviewError::Read { .. })
    ));
}

#[test]
fn an_image_too_big_to_decode_whole_is_refused_before_decoding() {
    let dir = temp_dir();
    let path = path_in(&dir, "huge.png");
    // Only the header is needed to refuse it: a PNG claiming 20,000 × 20,000 pixels.
    std::fs::write(&path, png_header(20_000, 20_000)).unwrap();
    let err = make_preview(&path, 512).unwrap_err();
    assert!(matches!(err, PreviewError::TooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("20000 × 20000"), "{err}");
}

/// A PNG signature, IHDR chunk (8-bit RGB) and an empty IDAT: all a decoder reads before it
/// knows the size.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(&b"IHDR"[..], &ihdr[..]), (b"IDAT", &[])] {
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(data);
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        png.extend_from_slice(&chunk);
        png.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
