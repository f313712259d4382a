//! TIFF previews from files ImageMagick writes: CMYK (interleaved, per-channel planes, tiled,
//! LZW/ZIP), JPEG-compressed, 16-bit and 1-bit; palette TIFFs are refused with a reason.

mod common;

use common::*;
use local_previews::{make_preview, PreviewError, PreviewSource};

#[test]
fn cmyk_tiff_in_every_layout_is_converted_to_rgb() {
    let dir = temp_dir();
    let layouts: [(&str, &[&str]); 5] = [
        ("lzw", &["-compress", "LZW"]),
        ("zip", &["-compress", "Zip"]),
        (
            "tiled",
            &["-compress", "LZW", "-define", "tiff:tile-geometry=64x64"],
        ),
        ("raw", &["-compress", "None"]),
        ("packbits", &["-compress", "RLE"]),
    ];
    for (name, options) in layouts {
        let path = path_in(&dir, &format!("{name}.tif"));
        let mut args = vec!["-depth", "8", "-colorspace", "CMYK"];
        args.extend_from_slice(options);
        red_blue(&path, 500, 300, &args);
        let preview = make_preview(&path, 250).unwrap();
        assert_eq!(preview.source, PreviewSource::Tiff, "{name}");
        assert_eq!((preview.width, preview.height), (250, 150), "{name}");
        assert_red_blue(&preview);
    }
}

#[test]
fn rgb_tiffs_planar_jpeg_compressed_ycbcr_and_16_bit() {
    let dir = temp_dir();
    let rgb = ["-depth", "8", "-type", "TrueColor"];

    // ImageMagick writes per-channel planes for RGB only (its CMYK TIFFs stay interleaved).
    let planar = path_in(&dir, "planar.tif");
    red_blue(
        &planar,
        256,
        128,
        &[&rgb[..], &["-interlace", "Plane", "-compress", "LZW"]].concat(),
    );
    assert_eq!(
        tiff_tag(&planar, 284),
        Some(2),
        "PlanarConfiguration: separate planes"
    );
    assert_red_blue(&make_preview(&planar, 128).unwrap());

    let jpeg = path_in(&dir, "jpeg.tif");
    red_blue(
        &jpeg,
        256,
        128,
        &[&rgb[..], &["-compress", "JPEG"]].concat(),
    );
    assert_red_blue(&make_preview(&jpeg, 128).unwrap());

    let ycbcr = path_in(&dir, "ycbcr.tif");
    red_blue(
        &ycbcr,
        256,
        128,
        &["-depth", "8", "-colorspace", "YCbCr", "-compress", "JPEG"],
    );
    assert_eq!(
        tiff_tag(&ycbcr, 262),
        Some(6),
        "PhotometricInterpretation: YCbCr"
    );
    assert_red_blue(&make_preview(&ycbcr, 128).unwrap());

    let deep = path_in(&dir, "deep.tif");
    red_blue(
        &deep,
        256,
        128,
        &["-depth", "16", "-type", "TrueColor", "-compress", "Zip"],
    );
    assert_red_blue(&make_preview(&deep, 128).unwrap());
}

#[test]
fn one_bit_tiff_and_palette_and_lab_tiffs_refused_with_a_reason() {
    let dir = temp_dir();
    let palette = path_in(&dir, "palette.tif");
    red_blue(&palette, 200, 100, &["-depth", "8", "-type", "Palette"]);
    let err = make_preview(&palette, 100).unwrap_err();
    assert!(
        matches!(err, PreviewError::UnsupportedVariant { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("palette"), "{err}");

    let lab = path_in(&dir, "lab.tif");
    red_blue(&lab, 200, 100, &["-depth", "8", "-colorspace", "Lab"]);
    let err = make_preview(&lab, 100).unwrap_err();
    assert!(
        matches!(err, PreviewError::UnsupportedVariant { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("L*a*b*"), "{err}");

    let line_art = path_in(&dir, "line-art.tif");
    convert(&[
        "-size",
        "100x100",
        "xc:black",
        "xc:white",
        "+append",
        "-monochrome",
        "-compress",
        "Group4",
        line_art.to_str().unwrap(),
    ]);
    let image = decode(&make_preview(&line_art, 50).unwrap());
    assert_colour(&image, 0.25, 0.5, [0, 0, 0]);
    assert_colour(&image, 0.75, 0.5, [255, 255, 255]);
}

#[test]
fn a_tiff_stored_as_one_huge_block_is_refused_before_reading_it() {
    let dir = temp_dir();
    let path = path_in(&dir, "one-strip.tif");
    // 20,000 × 20,000 grey in a single uncompressed strip: 400 MB in one piece. Only the
    // header is written; the refusal must come before any pixel is read.
    std::fs::write(&path, single_strip_tiff_header(20_000, 20_000)).unwrap();
    let err = make_preview(&path, 512).unwrap_err();
    assert!(matches!(err, PreviewError::TooLarge { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("20000 × 20000"), "{message}");
    assert!(
        message.contains("BeProduct shows its own preview"),
        "{message}"
    );
}

/// A little-endian TIFF header and IFD for a `w × h` 8-bit grey image in one strip.
fn single_strip_tiff_header(w: u32, h: u32) -> Vec<u8> {
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    let entries: [(u16, u16, u32); 9] = [
        (256, LONG, w),     // ImageWidth
        (257, LONG, h),     // ImageLength
        (258, SHORT, 8),    // BitsPerSample
        (259, SHORT, 1),    // Compression: none
        (262, SHORT, 1),    // PhotometricInterpretation: BlackIsZero
        (273, LONG, 8),     // StripOffsets
        (277, SHORT, 1),    // SamplesPerPixel
        (278, LONG, h),     // RowsPerStrip
        (279, LONG, w * h), // StripByteCounts
    ];
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, value) in entries {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&kind.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        if kind == SHORT {
            tiff.extend_from_slice(&(value as u16).to_le_bytes());
            tiff.extend_from_slice(&[0, 0]);
        } else {
            tiff.extend_from_slice(&value.to_le_bytes());
        }
    }
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    tiff
}

/// A SHORT tag's value from a little-endian TIFF's first IFD (enough to check what ImageMagick
/// wrote).
fn tiff_tag(path: &std::path::Path, tag: u16) -> Option<u16> {
    let b = std::fs::read(path).unwrap();
    assert_eq!(
        &b[..2],
        b"II",
        "ImageMagick writes little-endian TIFFs here"
    );
    let u16_at = |at: usize| u16::from_le_bytes([b[at], b[at + 1]]);
    let ifd = u32::from_le_bytes(b[4..8].try_into().unwrap()) as usize;
    (0..usize::from(u16_at(ifd)))
        .map(|i| ifd + 2 + i * 12)
        .find(|&e| u16_at(e) == tag)
        .map(|e| u16_at(e + 8))
}
