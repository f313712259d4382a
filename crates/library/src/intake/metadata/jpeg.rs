//! JPEG: the marker segments before the image data (APP1 EXIF and XMP, APP13 Photoshop/IPTC).
//! Each segment is at most 64 KB and the walk stops at the start of the scan, so only the
//! file's head is read.

use std::io::{self, Read, Seek, SeekFrom};

use super::{iptc, Blocks};

const EXIF: &[u8] = b"Exif\0\0";
const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const PHOTOSHOP: &[u8] = b"Photoshop 3.0\0";

pub(super) fn read<R: Read + Seek>(reader: &mut R) -> io::Result<Blocks> {
    let mut blocks = Blocks::default();
    let mut soi = [0u8; 2];
    reader.read_exact(&mut soi)?;
    if soi != [0xFF, 0xD8] {
        return Err(invalid("not a JPEG file"));
    }
    // APP13 may be split over several segments; the resources are their concatenation.
    let mut photoshop = Vec::new();
    loop {
        let marker = match next_marker(reader) {
            Ok(marker) => marker,
            // A file cut short after its metadata still gives what was read.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        };
        match marker {
            // End of image, start of scan: no metadata segment follows.
            0xD9 | 0xDA => break,
            // Markers without a length.
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let mut len = [0u8; 2];
        reader.read_exact(&mut len)?;
        let len = u16::from_be_bytes(len);
        if len < 2 {
            return Err(invalid("a JPEG segment has a length below 2"));
        }
        let payload = u64::from(len - 2);
        if marker != 0xE1 && marker != 0xED {
            reader.seek(SeekFrom::Current(payload as i64))?;
            continue;
        }
        let mut data = vec![0u8; payload as usize];
        reader.read_exact(&mut data)?;
        if let Some(exif) = data.strip_prefix(EXIF) {
            blocks.exif.get_or_insert_with(|| exif.to_vec());
        } else if let Some(xmp) = data.strip_prefix(XMP) {
            blocks.xmp.push(xmp.to_vec());
        } else if let Some(resources) = data.strip_prefix(PHOTOSHOP) {
            photoshop.extend_from_slice(resources);
        }
        // Extended XMP (APP1 "http://ns.adobe.com/xmp/extension/") holds what did not fit,
        // such as thumbnails and history; the Dublin Core properties stay in the main packet.
    }
    if !photoshop.is_empty() {
        blocks.iptc = iptc::iptc_in_resources(&photoshop)?;
    }
    Ok(blocks)
}

/// The next marker code, past any fill bytes (0xFF repeated).
fn next_marker<R: Read>(reader: &mut R) -> io::Result<u8> {
    let mut byte = [0u8; 1];
    reader.read_exact(&mut byte)?;
    if byte[0] != 0xFF {
        return Err(invalid("a JPEG segment does not start with a marker"));
    }
    while byte[0] == 0xFF {
        reader.read_exact(&mut byte)?;
    }
    Ok(byte[0])
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}
