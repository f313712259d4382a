//! TIFF: the first image's directory holds the EXIF baseline tags themselves
//! (ImageDescription 270, Artist 315), XMP (700), IPTC (33723) and Photoshop's image
//! resources (34377). Read with the `tiff` crate, which seeks to each value, so pixels are
//! never read (kamadak-exif would read the whole TIFF into memory).

use std::io::{Read, Seek};

use ::tiff::decoder::{Decoder, IfdDecoder};
use ::tiff::tags::{Tag, Type};

use super::{iptc, Blocks, Partial, MAX_BLOCK};

const XMP: u16 = 700;
const IPTC: u16 = 33723;
const PHOTOSHOP: u16 = 34377;

pub(super) fn read<R: Read + Seek>(reader: R) -> Result<Blocks, String> {
    let mut decoder = Decoder::new(reader).map_err(|e| e.to_string())?;
    let mut ifd = decoder.image_ifd();
    let mut blocks = Blocks::default();
    if let Some(xmp) = raw(&mut ifd, XMP)? {
        blocks.xmp.push(xmp);
    }
    blocks.iptc = match raw(&mut ifd, IPTC)? {
        Some(iim) => Some(iim),
        None => match raw(&mut ifd, PHOTOSHOP)? {
            Some(resources) => iptc::iptc_in_resources(&resources).map_err(|e| e.to_string())?,
            None => None,
        },
    };
    blocks.exif_tags = Partial {
        description: raw(&mut ifd, Tag::ImageDescription.to_u16())?.map(|b| ascii(&b)),
        creator: raw(&mut ifd, Tag::Artist.to_u16())?
            .map(|b| super::split_artist(&ascii(&b)))
            .unwrap_or_default(),
        ..Partial::default()
    };
    Ok(blocks)
}

/// A tag's value bytes as stored (an IPTC block written as LONGs keeps its byte order).
fn raw(ifd: &mut IfdDecoder<'_>, tag: u16) -> Result<Option<Vec<u8>>, String> {
    let tag = Tag::from_u16_exhaustive(tag);
    let Some(entry) = ifd.find_entry(tag) else {
        return Ok(None);
    };
    let size = entry.count().saturating_mul(type_size(entry.field_type()));
    if size > MAX_BLOCK {
        return Err(format!(
            "TIFF tag {} is {size} bytes, more than the {MAX_BLOCK} read",
            tag.to_u16()
        ));
    }
    let mut buf = vec![0u8; size as usize];
    ifd.find_tag_bytes(tag, &mut buf, 0)
        .map_err(|e| e.to_string())?;
    Ok(Some(buf))
}

fn type_size(kind: Type) -> u64 {
    match kind {
        Type::SHORT | Type::SSHORT => 2,
        Type::LONG | Type::SLONG | Type::FLOAT | Type::IFD => 4,
        Type::RATIONAL
        | Type::SRATIONAL
        | Type::DOUBLE
        | Type::LONG8
        | Type::SLONG8
        | Type::IFD8 => 8,
        _ => 1,
    }
}

/// TIFF ASCII: NUL-terminated; UTF-8 in practice (ExifTool, Photoshop), else Latin-1.
fn ascii(bytes: &[u8]) -> String {
    let text: Vec<u8> = bytes
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(&b' ');
    match String::from_utf8(text) {
        Ok(s) => s,
        Err(e) => e.into_bytes().iter().map(|b| char::from(*b)).collect(),
    }
}
