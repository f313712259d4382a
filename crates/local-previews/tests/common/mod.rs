//! Sample files made at test time (ImageMagick's `convert`, exiftool, or written here byte by
//! byte where no tool writes the structure), and checks on preview pixels.
#![allow(dead_code)] // Each test binary uses its own share of these helpers.

use std::path::{Path, PathBuf};
use std::process::Command;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, RgbImage};
use local_previews::Preview;

pub const RED: [u8; 3] = [255, 0, 0];
pub const BLUE: [u8; 3] = [0, 0, 255];
pub const GREEN: [u8; 3] = [0, 255, 0];
/// Per channel, at sample points well inside each colour's area.
pub const TOLERANCE: u8 = 12;

pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// Runs ImageMagick's `convert` with `args`; the output file is the last argument.
pub fn convert(args: &[&str]) {
    run("convert", args, "ImageMagick (apt-get install imagemagick)");
}

pub fn run(program: &str, args: &[&str], install_hint: &str) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("could not run {program} ({e}); install {install_hint}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A `w × h` picture, left half red and right half blue, written by `convert` to `path` with
/// the extra `options` (colour space, compression, ...) placed before the output name.
pub fn red_blue(path: &Path, w: u32, h: u32, options: &[&str]) {
    let half = format!("{}x{h}", w / 2);
    let path = path.to_str().unwrap();
    let mut args = vec!["-size", &half, "xc:red", "xc:blue", "+append"];
    args.extend_from_slice(options);
    args.push(path);
    convert(&args);
}

pub fn decode(preview: &Preview) -> RgbImage {
    let image = image::load_from_memory_with_format(&preview.png, image::ImageFormat::Png)
        .expect("the preview is a PNG");
    assert_eq!(
        (image.width(), image.height()),
        (preview.width, preview.height),
        "the PNG's size is the size reported"
    );
    image.into_rgb8()
}

/// Checks the pixel at (`fx`, `fy`), given as fractions of the preview's size.
pub fn assert_colour(image: &RgbImage, fx: f32, fy: f32, expected: [u8; 3]) {
    let x = ((image.width() as f32 * fx) as u32).min(image.width() - 1);
    let y = ((image.height() as f32 * fy) as u32).min(image.height() - 1);
    let actual = image.get_pixel(x, y).0;
    let close = actual
        .iter()
        .zip(expected)
        .all(|(a, e)| a.abs_diff(e) <= TOLERANCE);
    assert!(
        close,
        "pixel ({x}, {y}) is {actual:?}, expected {expected:?} ± {TOLERANCE}"
    );
}

/// Red on the left, blue on the right, at points a quarter in from each side.
pub fn assert_red_blue(preview: &Preview) {
    let image = decode(preview);
    for fy in [0.25, 0.5, 0.75] {
        assert_colour(&image, 0.25, fy, RED);
        assert_colour(&image, 0.75, fy, BLUE);
    }
}

pub fn jpeg_of(colour: [u8; 3], w: u32, h: u32) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(RgbImage::from_pixel(w, h, image::Rgb(colour)));
    let mut jpeg = Vec::new();
    image
        .write_with_encoder(JpegEncoder::new_with_quality(&mut jpeg, 95))
        .unwrap();
    jpeg
}

/// An image resource ("8BIM" block) as Photoshop lays it out.
pub fn psd_resource(id: u16, data: &[u8]) -> Vec<u8> {
    let mut out = b"8BIM".to_vec();
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&[0, 0]); // empty name, padded to even
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
    out
}

/// Photoshop's thumbnail resource (1036): a 28-byte header, then JFIF.
pub fn psd_thumbnail_resource(jpeg: &[u8], w: u32, h: u32) -> Vec<u8> {
    let row_bytes = (w * 24).div_ceil(32) * 4;
    let mut data = Vec::new();
    for v in [1, w, h, row_bytes, row_bytes * h, jpeg.len() as u32] {
        data.extend_from_slice(&v.to_be_bytes());
    }
    data.extend_from_slice(&24u16.to_be_bytes());
    data.extend_from_slice(&1u16.to_be_bytes());
    data.extend_from_slice(jpeg);
    psd_resource(1036, &data)
}

/// Version info (1057) saying whether the merged image is real ("Maximize Compatibility").
pub fn psd_version_info_resource(has_real_merged_data: bool) -> Vec<u8> {
    let mut data = 1u32.to_be_bytes().to_vec();
    data.push(u8::from(has_real_merged_data));
    for name in ["Adobe Photoshop", "Adobe Photoshop 2024"] {
        data.extend_from_slice(&(name.len() as u32).to_be_bytes());
        for unit in name.encode_utf16() {
            data.extend_from_slice(&unit.to_be_bytes());
        }
    }
    data.extend_from_slice(&1u32.to_be_bytes());
    psd_resource(1057, &data)
}

/// Appends resources to a PSD's image resources section (ImageMagick writes no thumbnail).
pub fn add_psd_resources(path: &Path, resources: &[Vec<u8>]) {
    let mut psd = std::fs::read(path).unwrap();
    let be32 = |b: &[u8], at: usize| u32::from_be_bytes(b[at..at + 4].try_into().unwrap()) as usize;
    let mode_len = be32(&psd, 26);
    let res_len_at = 26 + 4 + mode_len;
    let res_len = be32(&psd, res_len_at);
    let extra: Vec<u8> = resources.concat();
    let end = res_len_at + 4 + res_len;
    psd.splice(end..end, extra.iter().copied());
    psd[res_len_at..res_len_at + 4]
        .copy_from_slice(&((res_len + extra.len()) as u32).to_be_bytes());
    std::fs::write(path, psd).unwrap();
}

/// The XMP packet Illustrator writes, its thumbnail base64 wrapped with `&#xA;` as Illustrator
/// does.
pub fn illustrator_xmp(jpeg: &[u8], w: u32, h: u32) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(jpeg);
    let wrapped = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("&#xA;");
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"Adobe XMP Core 9.1-c001\">\n\
 <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
  <rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n\
    xmlns:xmpGImg=\"http://ns.adobe.com/xap/1.0/g/img/\">\n\
   <xmp:CreatorTool>Adobe Illustrator 28.5 (Macintosh)</xmp:CreatorTool>\n\
   <xmp:Thumbnails>\n\
    <rdf:Alt>\n\
     <rdf:li rdf:parseType=\"Resource\">\n\
      <xmpGImg:width>{w}</xmpGImg:width>\n\
      <xmpGImg:height>{h}</xmpGImg:height>\n\
      <xmpGImg:format>JPEG</xmpGImg:format>\n\
      <xmpGImg:image>{wrapped}</xmpGImg:image>\n\
     </rdf:li>\n\
    </rdf:Alt>\n\
   </xmp:Thumbnails>\n\
  </rdf:Description>\n\
 </rdf:RDF>\n\
</x:xmpmeta>\n\
<?xpacket end=\"w\"?>"
    )
}

/// A small, valid one-page PDF (cross-reference table and all, so exiftool can update it),
/// with `metadata` as its XMP stream when given and `page_text` as its page content.
pub fn write_pdf(path: &Path, metadata: Option<&str>, page_text: &str) {
    let content = format!("BT /F1 12 Tf 10 50 Td ({page_text}) Tj ET");
    let mut objects = vec![
        format!(
            "<</Type/Catalog/Pages 2 0 R{}>>",
            if metadata.is_some() {
                "/Metadata 5 0 R"
            } else {
                ""
            }
        ),
        "<</Type/Pages/Kids[3 0 R]/Count 1>>".to_string(),
        "<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]/Contents 4 0 R>>".to_string(),
        format!(
            "<</Length {}>>\nstream\n{content}\nendstream",
            content.len()
        ),
    ];
    if let Some(xmp) = metadata {
        objects.push(format!(
            "<</Type/Metadata/Subtype/XML/Length {}>>\nstream\n{xmp}\nendstream",
            xmp.len()
        ));
    }
    let mut pdf = b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<</Size {}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    std::fs::write(path, pdf).unwrap();
}

pub fn path_in(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}
