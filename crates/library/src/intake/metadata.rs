//! What a file says about itself: title, description, keywords and creator from its XMP,
//! IPTC and EXIF, as Adobe apps and cameras write them. XMP wins over IPTC, which wins over
//! EXIF (the Metadata Working Group's order: XMP is what current apps edit).
//!
//! The container is told by its first bytes, not its name: JPEG, PNG, TIFF and PSD are read
//! by their structure; anything else (Illustrator's PDF-compatible `.ai`, PDF, EPS) by XMP
//! packet scanning. Only metadata blocks are read, each at most `MAX_BLOCK` bytes, so a
//! 500 MB file is never read whole.

mod iptc;
mod jpeg;
mod png;
mod psd;
mod scan;
mod tiff;
mod xmp;

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The largest metadata block read (an XMP packet with thumbnails and history can reach a few
/// MB; anything larger is not metadata a person typed).
const MAX_BLOCK: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddedMetadata {
    pub title: Option<String>,
    pub description: Option<String>,
    pub keywords: Vec<String>,
    pub creator: Vec<String>,
    /// Blocks the file has but that could not be read (e.g. "XMP: not valid XML"); what the
    /// other blocks say is still given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
}

impl EmbeddedMetadata {
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.keywords.is_empty()
            && self.creator.is_empty()
    }
}

/// The values one source gives, before merging.
#[derive(Debug, Default)]
struct Partial {
    title: Option<String>,
    description: Option<String>,
    keywords: Vec<String>,
    creator: Vec<String>,
}

/// The raw blocks a container holds.
#[derive(Debug, Default)]
struct Blocks {
    /// XMP packets in file order.
    xmp: Vec<Vec<u8>>,
    /// Several packets come from a PDF's incremental updates: the last one is current.
    newest_last: bool,
    /// An IPTC IIM stream.
    iptc: Option<Vec<u8>>,
    /// EXIF as a TIFF structure (what kamadak-exif reads).
    exif: Option<Vec<u8>>,
    /// EXIF values read straight from a TIFF's own first directory.
    exif_tags: Partial,
}

enum Container {
    Jpeg,
    Png,
    Tiff,
    Psd,
    Pdf,
    Other,
}

/// The embedded metadata of the file at `path`. `Err`: the file cannot be opened or its
/// structure is broken; a single unreadable block is listed in `unreadable` instead.
pub fn read_metadata(path: &Path) -> Result<EmbeddedMetadata> {
    let fail =
        |e: &dyn std::fmt::Display| Error::file(path, format!("cannot read its metadata: {e}"));
    let file = File::open(path).map_err(|e| fail(&e))?;
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let container = sniff(&mut reader).map_err(|e| fail(&e))?;
    let blocks = match container {
        Container::Jpeg => jpeg::read(&mut reader).map_err(|e| fail(&e))?,
        Container::Png => png::read(&mut reader).map_err(|e| fail(&e))?,
        Container::Psd => psd::read(&mut reader).map_err(|e| fail(&e))?,
        // A TIFF the `tiff` crate refuses (an exotic layout) may still carry an XMP packet.
        Container::Tiff => match tiff::read(&mut reader) {
            Ok(blocks) => blocks,
            Err(_) => scanned(&mut reader, false).map_err(|e| fail(&e))?,
        },
        Container::Pdf => scanned(&mut reader, true).map_err(|e| fail(&e))?,
        Container::Other => scanned(&mut reader, false).map_err(|e| fail(&e))?,
    };
    Ok(merge(blocks))
}

fn sniff<R: Read + Seek>(reader: &mut R) -> std::io::Result<Container> {
    let mut magic = Vec::with_capacity(8);
    reader.by_ref().take(8).read_to_end(&mut magic)?;
    reader.seek(SeekFrom::Start(0))?;
    Ok(match magic.as_slice() {
        [0xFF, 0xD8, 0xFF, ..] => Container::Jpeg,
        b"\x89PNG\r\n\x1a\n" => Container::Png,
        [b'I', b'I', 42 | 43, 0, ..] | [b'M', b'M', 0, 42 | 43, ..] => Container::Tiff,
        [b'8', b'B', b'P', b'S', ..] => Container::Psd,
        [b'%', b'P', b'D', b'F', ..] => Container::Pdf,
        _ => Container::Other,
    })
}

fn scanned<R: Read + Seek>(reader: &mut R, newest_last: bool) -> std::io::Result<Blocks> {
    Ok(Blocks {
        xmp: scan::packets(reader)?,
        newest_last,
        ..Blocks::default()
    })
}

fn merge(blocks: Blocks) -> EmbeddedMetadata {
    let mut unreadable = Vec::new();
    let xmp = pick_xmp(&blocks, &mut unreadable);
    let iptc = blocks.iptc.as_deref().map(iptc::parse).unwrap_or_default();
    let mut exif = blocks.exif_tags;
    if let Some(raw) = blocks.exif {
        match read_exif(raw) {
            Ok(found) => {
                exif.description = exif.description.or(found.description);
                if exif.creator.is_empty() {
                    exif.creator = found.creator;
                }
            }
            Err(why) => unreadable.push(format!("EXIF: {why}")),
        }
    }
    let sources = [xmp, iptc, exif];
    let text = |pick: fn(&Partial) -> &Option<String>| {
        sources.iter().find_map(|s| clean(pick(s).as_deref()))
    };
    let list = |pick: fn(&Partial) -> &Vec<String>| {
        sources
            .iter()
            .map(|s| distinct(pick(s)))
            .find(|l| !l.is_empty())
            .unwrap_or_default()
    };
    EmbeddedMetadata {
        title: text(|s| &s.title),
        description: text(|s| &s.description),
        keywords: list(|s| &s.keywords),
        creator: list(|s| &s.creator),
        unreadable,
    }
}

/// The packet describing the file itself: packets whose `dc:format` is an image belong to
/// placed images (Illustrator embeds theirs); of the rest the first, or in a PDF the last.
fn pick_xmp(blocks: &Blocks, unreadable: &mut Vec<String>) -> Partial {
    let mut parsed = Vec::new();
    for bytes in &blocks.xmp {
        match xmp::parse(bytes) {
            Ok(packet) => parsed.push(packet),
            Err(why) => unreadable.push(format!("XMP: {why}")),
        }
    }
    let own = |p: &xmp::Packet| {
        !p.format
            .as_deref()
            .is_some_and(|f| f.trim().to_ascii_lowercase().starts_with("image/"))
    };
    let picked = if blocks.newest_last {
        parsed.iter().rposition(own)
    } else {
        parsed.iter().position(own)
    };
    match picked {
        Some(i) => parsed.swap_remove(i).values,
        None => Partial::default(),
    }
}

fn read_exif(mut raw: Vec<u8>) -> std::result::Result<Partial, String> {
    if raw.starts_with(b"Exif\0\0") {
        raw.drain(..6);
    }
    let exif = exif::Reader::new()
        .read_raw(raw)
        .map_err(|e| e.to_string())?;
    let ascii = |tag: exif::Tag| -> Option<String> {
        match &exif.get_field(tag, exif::In::PRIMARY)?.value {
            exif::Value::Ascii(parts) => Some(
                parts
                    .iter()
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => None,
        }
    };
    Ok(Partial {
        description: ascii(exif::Tag::ImageDescription),
        creator: ascii(exif::Tag::Artist)
            .map(|a| split_artist(&a))
            .unwrap_or_default(),
        ..Partial::default()
    })
}

/// EXIF Artist holds several names separated by `;` (Metadata Working Group guidance).
fn split_artist(artist: &str) -> Vec<String> {
    artist.split(';').map(str::to_owned).collect()
}

/// Trimmed (NULs too), or `None` when nothing is left.
fn clean(value: Option<&str>) -> Option<String> {
    let value = value?.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!value.is_empty()).then(|| value.to_owned())
}

/// Trimmed, empties dropped, repeats (in any letter case) dropped, first spelling kept.
fn distinct(values: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    values
        .iter()
        .filter_map(|v| clean(Some(v)))
        .filter(|v| seen.insert(v.to_lowercase()))
        .collect()
}
