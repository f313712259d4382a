//! IPTC IIM datasets (object name 2:05, keywords 2:25, by-line 2:80, caption 2:120) and the
//! Photoshop image resources that carry them in JPEG (APP13), PSD and TIFF files.
//!
//! Hand-written: the one IPTC crate reads the whole file into memory and only from JPEG, and
//! both layouts are a few fixed-size headers (IPTC-NAA IIM 4.2; Adobe's PSD file format).

use std::io::{self, Read, Seek, SeekFrom};

use super::{Partial, MAX_BLOCK};

/// Image resource ids (Adobe "Image Resource IDs").
pub(super) const RESOURCE_IPTC: u16 = 0x0404;
pub(super) const RESOURCE_EXIF: u16 = 0x0422;
pub(super) const RESOURCE_XMP: u16 = 0x0424;

/// Signatures an image resource block may start with; anything else ends the section.
const SIGNATURES: [&[u8; 4]; 5] = [b"8BIM", b"MeSa", b"PHUT", b"AgHg", b"DCSR"];

/// The wanted resources among the `len` bytes of image resources at the reader's position.
/// Others are skipped by seeking; one larger than `MAX_BLOCK` is an error.
pub(super) fn resources<R: Read + Seek>(
    reader: &mut R,
    len: u64,
    wanted: &[u16],
) -> io::Result<Vec<(u16, Vec<u8>)>> {
    let mut found = Vec::new();
    let mut left = len;
    while left >= 12 {
        let mut head = [0u8; 7];
        reader.read_exact(&mut head)?;
        if !SIGNATURES.iter().any(|s| head[..4] == s[..]) {
            break;
        }
        let id = u16::from_be_bytes([head[4], head[5]]);
        // A Pascal name, padded so that length byte + name is even.
        let name_len = u64::from(head[6]);
        let name_skip = name_len + (name_len + 1) % 2;
        reader.seek(SeekFrom::Current(name_skip as i64))?;
        let mut size = [0u8; 4];
        reader.read_exact(&mut size)?;
        let size = u64::from(u32::from_be_bytes(size));
        let padded = size + size % 2;
        let used = 7 + name_skip + 4 + padded;
        if used > left {
            return Err(invalid(
                "an image resource runs past the end of its section",
            ));
        }
        left -= used;
        if wanted.contains(&id) {
            if size > MAX_BLOCK {
                return Err(invalid(format!(
                    "image resource {id:#06x} is {size} bytes, more than the {MAX_BLOCK} read"
                )));
            }
            let mut data = vec![0u8; size as usize];
            reader.read_exact(&mut data)?;
            reader.seek(SeekFrom::Current((padded - size) as i64))?;
            found.push((id, data));
        } else {
            reader.seek(SeekFrom::Current(padded as i64))?;
        }
    }
    Ok(found)
}

/// The IPTC stream in an in-memory block of image resources (JPEG APP13, TIFF tag 34377).
pub(super) fn iptc_in_resources(block: &[u8]) -> io::Result<Option<Vec<u8>>> {
    let mut cursor = io::Cursor::new(block);
    Ok(
        resources(&mut cursor, block.len() as u64, &[RESOURCE_IPTC])?
            .into_iter()
            .next()
            .map(|(_, data)| data),
    )
}

/// The datasets this intake reads. Text is UTF-8 when 1:90 says so or when it decodes as
/// UTF-8; otherwise Latin-1, the IIM default in practice.
pub(super) fn parse(data: &[u8]) -> Partial {
    let mut values: Vec<(u8, u8, &[u8])> = Vec::new();
    let mut at = 0;
    while at + 5 <= data.len() && data[at] == 0x1C {
        let (record, dataset) = (data[at + 1], data[at + 2]);
        let size = u16::from_be_bytes([data[at + 3], data[at + 4]]);
        at += 5;
        let size = if size & 0x8000 != 0 {
            // Extended dataset: the low bits say how many bytes hold the length.
            let n = usize::from(size & 0x7FFF);
            if n > 4 || at + n > data.len() {
                break;
            }
            let len = data[at..at + n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            at += n;
            len
        } else {
            usize::from(size)
        };
        let Some(value) = data.get(at..at + size) else {
            break;
        };
        values.push((record, dataset, value));
        at += size;
    }
    let utf8_declared = values
        .iter()
        .any(|(r, d, v)| (*r, *d) == (1, 90) && v.windows(3).any(|w| w == b"\x1b%G"));
    let text = |bytes: &[u8]| -> String {
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_owned(),
            Err(_) if utf8_declared => String::from_utf8_lossy(bytes).into_owned(),
            Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
        }
    };
    let all = |dataset: u8| -> Vec<String> {
        values
            .iter()
            .filter(|(r, d, _)| (*r, *d) == (2, dataset))
            .map(|(_, _, v)| text(v))
            .collect()
    };
    Partial {
        title: all(5).into_iter().next(),
        description: all(120).into_iter().next(),
        keywords: all(25),
        creator: all(80),
    }
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(record: u8, number: u8, value: &[u8]) -> Vec<u8> {
        let mut out = vec![0x1C, record, number];
        out.extend((value.len() as u16).to_be_bytes());
        out.extend(value);
        out
    }

    #[test]
    fn datasets_in_resources_utf8_and_latin1() {
        let mut iim = dataset(1, 90, b"\x1b%G");
        iim.extend(dataset(2, 5, "Titré".as_bytes()));
        iim.extend(dataset(2, 25, b"one"));
        iim.extend(dataset(2, 25, b"two"));
        let mut block = b"8BIM\x04\x04\x00\x00".to_vec();
        block.extend((iim.len() as u32).to_be_bytes());
        block.extend(&iim);
        if iim.len() % 2 == 1 {
            block.push(0);
        }
        let found = iptc_in_resources(&block).unwrap().unwrap();
        let values = parse(&found);
        assert_eq!(values.title.as_deref(), Some("Titré"));
        assert_eq!(values.keywords, ["one", "two"]);
        let latin1 = parse(&dataset(2, 120, b"caf\xe9"));
        assert_eq!(latin1.description.as_deref(), Some("café"));
    }
}
