//! PSD/PSB previews from files ImageMagick writes: each colour mode and compression, the
//! embedded thumbnail, and files saved without "Maximize Compatibility".

mod common;

use common::*;
use local_previews::{make_preview, PreviewError, PreviewSource};

#[test]
fn rgb_psd_rle_and_raw_give_red_left_and_blue_right() {
    let dir = temp_dir();
    for compression in ["RLE", "None"] {
        let path = path_in(&dir, &format!("art-{compression}.psd"));
        red_blue(
            &path,
            400,
            200,
            &[
                "-depth",
                "8",
                "-type",
                "TrueColor",
                "-compress",
                compression,
            ],
        );
        let preview = make_preview(&path, 100).unwrap();
        assert_eq!(preview.source, PreviewSource::PsdComposite, "{compression}");
        assert_eq!((preview.width, preview.height), (100, 50), "{compression}");
        assert_red_blue(&preview);
    }
}

/// ImageMagick (like Photoshop) writes the merged image as RLE or raw; the PSD format also
/// allows ZIP, with or without prediction, so those are made here from a raw one.
#[test]
fn zip_compressed_merged_images() {
    let dir = temp_dir();
    let raw = path_in(&dir, "raw.psd");
    red_blue(
        &raw,
        300,
        100,
        &["-depth", "8", "-type", "TrueColor", "-compress", "None"],
    );
    let bytes = std::fs::read(&raw).unwrap();
    let planes_len = 300 * 100 * 3;
    let (head, tail) = bytes.split_at(bytes.len() - planes_len - 2);
    assert_eq!(&tail[..2], &[0, 0], "raw merged image data");
    let planes = &tail[2..];
    for predicted in [false, true] {
        let mut data = planes.to_vec();
        if predicted {
            for row in data.chunks_exact_mut(300) {
                for x in (1..row.len()).rev() {
                    row[x] = row[x].wrapping_sub(row[x - 1]);
                }
            }
        }
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut zlib, &data).unwrap();
        let mut psd = head.to_vec();
        psd.extend_from_slice(&(2 + u16::from(predicted)).to_be_bytes());
        psd.extend_from_slice(&zlib.finish().unwrap());
        let path = path_in(&dir, &format!("zip-{predicted}.psd"));
        std::fs::write(&path, psd).unwrap();
        let preview = make_preview(&path, 300).unwrap();
        assert_eq!((preview.width, preview.height), (300, 100));
        assert_red_blue(&preview);
    }
}

#[test]
fn cmyk_psd_is_converted_to_rgb() {
    let dir = temp_dir();
    let path = path_in(&dir, "print.psd");
    red_blue(
        &path,
        300,
        100,
        &["-depth", "8", "-colorspace", "CMYK", "-compress", "RLE"],
    );
    let preview = make_preview(&path, 150).unwrap();
    assert_eq!(preview.source, PreviewSource::PsdComposite);
    assert_eq!((preview.width, preview.height), (150, 50));
    assert_red_blue(&preview);
}

#[test]
fn grayscale_16_bit_indexed_and_bitmap_psds() {
    let dir = temp_dir();

    let grey = path_in(&dir, "grey.psd");
    convert(&[
        "-size",
        "100x100",
        "xc:black",
        "xc:white",
        "+append",
        "-depth",
        "8",
        "-colorspace",
        "Gray",
        grey.to_str().unwrap(),
    ]);
    let image = decode(&make_preview(&grey, 64).unwrap());
    assert_colour(&image, 0.25, 0.5, [0, 0, 0]);
    assert_colour(&image, 0.75, 0.5, [255, 255, 255]);

    let deep = path_in(&dir, "deep.psd");
    red_blue(
        &deep,
        200,
        100,
        &["-depth", "16", "-type", "TrueColor", "-compress", "RLE"],
    );
    assert_red_blue(&make_preview(&deep, 64).unwrap());

    let indexed = path_in(&dir, "indexed.psd");
    red_blue(&indexed, 200, 100, &["-depth", "8", "-type", "Palette"]);
    assert_eq!(
        std::fs::read(&indexed).unwrap()[25],
        2,
        "colour mode is Indexed"
    );
    assert_red_blue(&make_preview(&indexed, 64).unwrap());

    let bitmap = path_in(&dir, "line-art.psd");
    convert(&[
        "-size",
        "100x100",
        "xc:black",
        "xc:white",
        "+append",
        "-monochrome",
        "-depth",
        "1",
        bitmap.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(&bitmap).unwrap()[25],
        0,
        "colour mode is Bitmap"
    );
    let image = decode(&make_preview(&bitmap, 64).unwrap());
    assert_colour(&image, 0.25, 0.5, [0, 0, 0]);
    assert_colour(&image, 0.75, 0.5, [255, 255, 255]);
}

#[test]
fn psb_large_document_format() {
    let dir = temp_dir();
    let path = path_in(&dir, "poster.psb");
    red_blue(
        &path,
        400,
        200,
        &["-depth", "8", "-type", "TrueColor", "-compress", "RLE"],
    );
    assert_eq!(
        &std::fs::read(&path).unwrap()[4..6],
        &[0, 2],
        "version 2 is PSB"
    );
    let preview = make_preview(&path, 200).unwrap();
    assert_eq!((preview.width, preview.height), (200, 100));
    assert_red_blue(&preview);
}

#[test]
fn a_big_enough_thumbnail_is_used_and_a_small_one_is_not() {
    let dir = temp_dir();
    let path = path_in(&dir, "with-thumb.psd");
    red_blue(
        &path,
        1600,
        800,
        &["-depth", "8", "-type", "TrueColor", "-compress", "RLE"],
    );
    // A green thumbnail, so which one was used shows in the pixels.
    add_psd_resources(
        &path,
        &[psd_thumbnail_resource(&jpeg_of(GREEN, 160, 80), 160, 80)],
    );

    let small = make_preview(&path, 128).unwrap();
    assert_eq!(small.source, PreviewSource::PsdThumbnail);
    assert_eq!((small.width, small.height), (128, 64));
    assert_colour(&decode(&small), 0.5, 0.5, GREEN);

    let large = make_preview(&path, 512).unwrap();
    assert_eq!(large.source, PreviewSource::PsdComposite);
    assert_eq!((large.width, large.height), (512, 256));
    assert_red_blue(&large);
}

#[test]
fn without_maximize_compatibility_the_thumbnail_or_a_clear_error() {
    let dir = temp_dir();

    let bare = path_in(&dir, "no-compat.psd");
    red_blue(
        &bare,
        400,
        200,
        &["-depth", "8", "-type", "TrueColor", "-compress", "RLE"],
    );
    add_psd_resources(&bare, &[psd_version_info_resource(false)]);
    let err = make_preview(&bare, 512).unwrap_err();
    assert!(matches!(err, PreviewError::PsdWithoutComposite), "{err:?}");
    assert!(err.to_string().contains("Maximize"), "{err}");

    let with_thumb = path_in(&dir, "no-compat-thumb.psd");
    red_blue(
        &with_thumb,
        400,
        200,
        &["-depth", "8", "-type", "TrueColor", "-compress", "RLE"],
    );
    add_psd_resources(
        &with_thumb,
        &[
            psd_version_info_resource(false),
            psd_thumbnail_resource(&jpeg_of(GREEN, 160, 80), 160, 80),
        ],
    );
    let preview = make_preview(&with_thumb, 512).unwrap();
    assert_eq!(preview.source, PreviewSource::PsdThumbnail);
    assert_eq!((preview.width, preview.height), (160, 80), "never enlarged");
    assert_colour(&decode(&preview), 0.5, 0.5, GREEN);
}

#[test]
fn a_cut_short_psd_says_it_is_damaged() {
    let dir = temp_dir();
    let path = path_in(&dir, "cut.psd");
    red_blue(
        &path,
        400,
        200,
        &["-depth", "8", "-type", "TrueColor", "-compress", "None"],
    );
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 20_000]).unwrap();
    let err = make_preview(&path, 100).unwrap_err();
    assert!(matches!(err, PreviewError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("damaged or incomplete"), "{err}");
}
