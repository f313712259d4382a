//! Embedded metadata read from real files made here: ImageMagick draws JPEG, PNG, TIFF and PSD
//! files and ExifTool writes XMP, IPTC and EXIF into them as Adobe apps and cameras do; an
//! Illustrator PDF-compatible file is written by hand (Debian's ImageMagick policy refuses to
//! write PDF) and updated by ExifTool. Then the whole intake against a real sandbox folder:
//! files planned, values created as an image.

mod common;

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use beproduct::{Client, FieldUpdate};
use beproduct_sandbox::Seed;
use image_library::intake::{
    read_metadata, CellSource, EmbeddedMetadata, IntakeSettings, IntakeStore, MetadataMapping,
    NamingRule,
};
use image_library::ImageLibrary;
use serde_json::json;

/// The tools that make the samples; a machine without them fails here, saying what to install.
fn require_tools() {
    for (tool, arg, package) in [
        ("exiftool", "-ver", "libimage-exiftool-perl"),
        ("convert", "-version", "imagemagick"),
    ] {
        match Command::new(tool).arg(arg).output() {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!(
                "`{tool} {arg}` failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => panic!(
                "{tool} is needed to make this test's sample files ({e}); install the Debian \
                 package {package} (scripts/setup.sh does)"
            ),
        }
    }
}

fn run(command: &mut Command) {
    let out = command.output().expect("the tool runs");
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A 16×16 picture in the format the extension names.
fn picture(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    run(Command::new("convert")
        .args(["-size", "16x16", "xc:#cc3366"])
        .arg(&path));
    path
}

fn exiftool(path: &Path, tags: &[&str]) {
    run(Command::new("exiftool")
        .args(["-overwrite_original", "-charset", "iptc=UTF8"])
        .args(tags)
        .arg(path));
}

const XMP_TAGS: &[&str] = &[
    "-XMP-dc:Title=Floral Ditsy é",
    "-XMP-dc:Title-de=Blumen",
    "-XMP-dc:Description=A ditsy floral",
    "-XMP-dc:Subject=flowers",
    "-XMP-dc:Subject=Ditsy",
    "-XMP-dc:Subject= FLOWERS ",
    "-XMP-dc:Creator=Zoë Designer",
];
const IPTC_TAGS: &[&str] = &[
    "-IPTC:CodedCharacterSet=UTF8",
    "-IPTC:ObjectName=IPTC title",
    "-IPTC:Caption-Abstract=Légende IPTC",
    "-IPTC:Keywords=stripe",
    "-IPTC:Keywords=Stripe",
    "-IPTC:Keywords=navy",
    "-IPTC:By-line=Ann Author",
];
const EXIF_TAGS: &[&str] = &[
    "-EXIF:ImageDescription=Exif description",
    "-EXIF:Artist=Ann; Bob",
];

fn xmp_values() -> EmbeddedMetadata {
    EmbeddedMetadata {
        title: Some("Floral Ditsy é".into()),
        description: Some("A ditsy floral".into()),
        keywords: vec!["flowers".into(), "Ditsy".into()],
        creator: vec!["Zoë Designer".into()],
        unreadable: vec![],
    }
}

fn iptc_values() -> EmbeddedMetadata {
    EmbeddedMetadata {
        title: Some("IPTC title".into()),
        description: Some("Légende IPTC".into()),
        keywords: vec!["stripe".into(), "navy".into()],
        creator: vec!["Ann Author".into()],
        unreadable: vec![],
    }
}

const FORMATS: [&str; 4] = ["jpg", "png", "tif", "psd"];

#[test]
fn each_format_gives_xmp_before_iptc_before_exif() {
    require_tools();
    let dir = tempfile::tempdir().unwrap();
    for ext in FORMATS {
        let all = picture(dir.path(), &format!("all.{ext}"));
        exiftool(&all, &[XMP_TAGS, IPTC_TAGS, EXIF_TAGS].concat());
        assert_eq!(
            read_metadata(&all).unwrap(),
            xmp_values(),
            "{ext}: XMP wins"
        );

        let no_xmp = picture(dir.path(), &format!("no-xmp.{ext}"));
        exiftool(&no_xmp, &[IPTC_TAGS, EXIF_TAGS].concat());
        assert_eq!(
            read_metadata(&no_xmp).unwrap(),
            iptc_values(),
            "{ext}: IPTC over EXIF"
        );

        let exif_only = picture(dir.path(), &format!("exif.{ext}"));
        exiftool(&exif_only, EXIF_TAGS);
        assert_eq!(
            read_metadata(&exif_only).unwrap(),
            EmbeddedMetadata {
                description: Some("Exif description".into()),
                creator: vec!["Ann".into(), "Bob".into()],
                ..Default::default()
            },
            "{ext}: EXIF description and artists"
        );

        let bare = picture(dir.path(), &format!("bare.{ext}"));
        assert!(read_metadata(&bare).unwrap().is_empty(), "{ext}");
    }
}

/// A PDF as Illustrator saves one (PDF-compatible): the document's XMP packet, and a placed
/// image with its own packet.
fn illustrator_file(path: &Path) {
    let packet = |format: &str, title: &str| {
        format!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
             <x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF \
             xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
             <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\
             <dc:format>{format}</dc:format><dc:title><rdf:Alt>\
             <rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\
             </rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>"
        )
        .into_bytes()
    };
    let stream = |dict: &str, data: &[u8]| {
        let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        out.extend_from_slice(data);
        out.extend_from_slice(b"\nendstream");
        out
    };
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 16 16] \
          /Resources << /XObject << /Im1 6 0 R >> >> /Contents 4 0 R >>"
            .to_vec(),
        stream("", b"q 16 0 0 16 0 0 cm /Im1 Do Q"),
        stream(
            "/Type /Metadata /Subtype /XML",
            &packet("application/vnd.adobe.illustrator", "Template title"),
        ),
        stream(
            "/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceRGB \
             /BitsPerComponent 8 /Metadata 7 0 R",
            b"\xcc\x33\x66",
        ),
        stream(
            "/Type /Metadata /Subtype /XML",
            &packet("image/jpeg", "Placed photo"),
        ),
    ];
    let mut pdf = b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n", i + 1).into_bytes());
        pdf.extend_from_slice(object);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    std::fs::write(path, pdf).unwrap();
}

#[test]
fn an_illustrator_file_gives_its_own_packet_not_a_placed_image_s() {
    require_tools();
    let dir = tempfile::tempdir().unwrap();
    let ai = dir.path().join("artwork.ai");
    illustrator_file(&ai);
    assert_eq!(
        read_metadata(&ai).unwrap().title.as_deref(),
        Some("Template title"),
        "the placed photo's packet is not the file's"
    );
    // ExifTool appends an incremental update with the new packet, as Acrobat does.
    exiftool(&ai, XMP_TAGS);
    assert_eq!(read_metadata(&ai).unwrap(), xmp_values());
}

#[test]
fn a_large_file_is_scanned_at_its_head_and_tail_only() {
    let packet = |title: &str| {
        format!(
            "<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?><x:xmpmeta xmlns:x='adobe:ns:meta/'>\
             <rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\
             <rdf:Description rdf:about='' xmlns:dc='http://purl.org/dc/elements/1.1/' \
             dc:title='{title}'/></rdf:RDF></x:xmpmeta><?xpacket end='w'?>"
        )
    };
    let dir = tempfile::tempdir().unwrap();
    // 300 MB, sparse: only the packets take disk space.
    let big = |name: &str, packets: &[(u64, &str)]| {
        let path = dir.path().join(name);
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(b"%PDF-1.7\n").unwrap();
        file.set_len(300 * 1024 * 1024).unwrap();
        for (at, title) in packets {
            file.seek(SeekFrom::Start(*at)).unwrap();
            file.write_all(packet(title).as_bytes()).unwrap();
        }
        path
    };
    let mb = 1024 * 1024;
    let both = big(
        "both.ai",
        &[
            (100, "Head"),
            (150 * mb, "Middle"),
            (300 * mb - 4096, "Tail"),
        ],
    );
    assert_eq!(
        read_metadata(&both).unwrap().title.as_deref(),
        Some("Tail"),
        "in a PDF the newest packet is the last"
    );
    let middle = big("middle.ai", &[(150 * mb, "Middle")]);
    assert_eq!(
        read_metadata(&middle).unwrap().title,
        None,
        "the middle of a large file is not read"
    );
}

#[test]
fn a_broken_block_is_reported_and_a_broken_file_refused() {
    require_tools();
    let dir = tempfile::tempdir().unwrap();
    // A JPEG with good IPTC and an XMP segment that is not XML.
    let jpeg = picture(dir.path(), "broken-xmp.jpg");
    exiftool(&jpeg, IPTC_TAGS);
    let bytes = std::fs::read(&jpeg).unwrap();
    let mut xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><rdf:RDF>".to_vec();
    let mut spliced = bytes[..2].to_vec();
    spliced.extend([0xFF, 0xE1]);
    spliced.extend(((xmp.len() + 2) as u16).to_be_bytes());
    spliced.append(&mut xmp);
    spliced.extend_from_slice(&bytes[2..]);
    std::fs::write(&jpeg, spliced).unwrap();
    let meta = read_metadata(&jpeg).unwrap();
    assert_eq!(meta.keywords, ["stripe", "navy"], "IPTC still read");
    assert_eq!(meta.unreadable.len(), 1, "{meta:?}");
    assert!(meta.unreadable[0].starts_with("XMP: "), "{meta:?}");

    let psd = dir.path().join("cut.psd");
    std::fs::write(&psd, b"8BPS\x00\x01\x00\x00").unwrap();
    let err = read_metadata(&psd).unwrap_err().to_string();
    assert!(
        err.contains("cut.psd") && err.contains("cannot read its metadata"),
        "{err}"
    );
    assert!(read_metadata(&dir.path().join("missing.jpg")).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_files_are_planned_and_their_values_create_an_image() {
    require_tools();
    let (dir, sandbox) = common::start_sandbox(Seed::Empty).await;
    let library = ImageLibrary::new(Client::new(common::client_config(&sandbox)).unwrap());
    let prints = common::prints(&library).await;
    let store = IntakeStore::new(dir.path().join("intake"));
    let settings = library
        .save_intake_settings(
            &store,
            &prints,
            IntakeSettings {
                rule: Some(NamingRule::pattern(
                    "{season}_{header_number}_{header_name}_{artwork_type}",
                )),
                metadata: MetadataMapping {
                    title: None,
                    description: Some("description".into()),
                    keywords: Some("keywords".into()),
                    creator: Some("designer".into()),
                },
            },
        )
        .await
        .unwrap();

    let files = dir.path().join("drop");
    std::fs::create_dir(&files).unwrap();
    let ditsy = picture(&files, "SP_PRT-0412_Floral-Ditsy_EMB.jpg");
    exiftool(&ditsy, &[XMP_TAGS, IPTC_TAGS].concat());
    let stripe = picture(&files, "FA_PRT-0413_Navy-Stripe_Print.psd");
    exiftool(&stripe, IPTC_TAGS);
    let winter = picture(&files, "Winter_PRT-0414_Snow_Graphic.tif");
    let cut = files.join("cut.psd");
    std::fs::write(&cut, b"8BPS").unwrap();
    let rows = library
        .intake_plan(&prints, &settings, vec![ditsy.clone(), stripe, winter, cut])
        .await
        .unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r.file_name.as_str())
            .collect::<Vec<_>>(),
        [
            "SP_PRT-0412_Floral-Ditsy_EMB.jpg",
            "FA_PRT-0413_Navy-Stripe_Print.psd",
            "Winter_PRT-0414_Snow_Graphic.tif",
            "cut.psd"
        ],
        "one row per file, in order"
    );
    let text = |row: usize, field: &str| {
        rows[row]
            .cells
            .iter()
            .find(|c| c.field_id == field)
            .map(|c| (c.text.clone(), c.source))
    };
    assert_eq!(rows[0].problems(), Vec::<String>::new(), "{:#?}", rows[0]);
    assert_eq!(text(0, "season"), Some(("Spring".into(), CellSource::Rule)));
    assert_eq!(
        text(0, "keywords"),
        Some(("flowers, Ditsy".into(), CellSource::Metadata)),
        "XMP over IPTC"
    );
    assert_eq!(
        text(0, "designer"),
        Some(("Zoë Designer".into(), CellSource::Metadata))
    );
    assert_eq!(rows[1].name.text, "Navy Stripe");
    assert_eq!(
        text(1, "description"),
        Some(("Légende IPTC".into(), CellSource::Metadata))
    );
    assert_eq!(text(1, "keywords").unwrap().0, "stripe, navy");
    let season = rows[2]
        .cells
        .iter()
        .find(|c| c.field_id == "season")
        .unwrap();
    assert!(season.problem.as_deref().unwrap().contains("\"Winter\""));
    assert_eq!(text(2, "keywords"), None, "no metadata, no cell");
    let note = rows[3].note.as_deref().unwrap();
    assert!(note.contains("does not follow the naming rule"), "{note}");
    assert!(note.contains("metadata could not be read"), "{note}");
    assert_eq!(rows[3].number.text, "cut");

    // The values are what the API takes: the sandbox stores them as planned.
    let specs = library.field_specs(&prints).await.unwrap();
    let values = rows[0].values(&specs).unwrap();
    let mut fields = values.fields.clone();
    fields.push(FieldUpdate::new("header_number", values.number.clone()));
    fields.push(FieldUpdate::new("header_name", values.name.clone()));
    let created = library
        .client()
        .create_image(&prints, &fields, false)
        .await
        .unwrap();
    assert_eq!(created.header_number, "PRT-0412");
    assert_eq!(created.header_name, "Floral Ditsy");
    let stored = |id: &str| created.field(id).map(|f| f.value.clone());
    assert_eq!(stored("season"), Some(json!("Spring")));
    assert_eq!(stored("artwork_type"), Some(json!("Embroidery")));
    assert_eq!(stored("keywords"), Some(json!(["flowers", "Ditsy"])));
    assert_eq!(stored("designer"), Some(json!("Zoë Designer")));
    assert_eq!(stored("description"), Some(json!("A ditsy floral")));

    // Valid values only: the bad season is left out, the rest goes.
    let partial = rows[2].valid_values(&specs).unwrap();
    assert_eq!(partial.number, "PRT-0414");
    assert!(partial.fields.iter().all(|f| f.id != "season"));
    assert!(partial
        .fields
        .contains(&FieldUpdate::new("artwork_type", "Graphic")));
}
