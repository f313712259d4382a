//! PNG: XMP in an iTXt chunk (`XML:com.adobe.xmp`), EXIF in eXIf, and the "Raw profile type"
//! text chunks ImageMagick and ExifTool use for IPTC, XMP and EXIF. Other chunks (the image
//! data) are skipped by seeking, so a large PNG costs a walk over its chunk headers.

use std::io::{self, Read, Seek, SeekFrom};

use flate2::read::ZlibDecoder;

use super::{iptc, Blocks, MAX_BLOCK};

const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";
const XMP_KEYWORD: &[u8] = b"XML:com.adobe.xmp";

pub(super) fn read<R: Read + Seek>(reader: &mut R) -> io::Result<Blocks> {
    let mut blocks = Blocks::default();
    let mut signature = [0u8; 8];
    reader.read_exact(&mut signature)?;
    if &signature != SIGNATURE {
        return Err(invalid("not a PNG file"));
    }
    loop {
        let mut head = [0u8; 8];
        match reader.read_exact(&mut head) {
            Ok(()) => {}
            // No IEND: what was read still counts.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        }
        let len = u64::from(u32::from_be_bytes([head[0], head[1], head[2], head[3]]));
        let kind = [head[4], head[5], head[6], head[7]];
        if &kind == b"IEND" {
            break;
        }
        let wanted = matches!(&kind, b"iTXt" | b"zTXt" | b"tEXt" | b"eXIf");
        // A text chunk above the cap is not metadata this intake reads; skip it like pixels.
        if !wanted || len > MAX_BLOCK {
            reader.seek(SeekFrom::Current(len as i64 + 4))?;
            continue;
        }
        let mut data = vec![0u8; len as usize];
        reader.read_exact(&mut data)?;
        reader.seek(SeekFrom::Current(4))?; // CRC
        match &kind {
            b"eXIf" => {
                blocks.exif.get_or_insert(data);
            }
            b"iTXt" => international_text(&data, &mut blocks)?,
            _ => latin_text(&kind, &data, &mut blocks)?,
        }
    }
    Ok(blocks)
}

/// iTXt: keyword, NUL, compression flag and method, language, NUL, translated keyword, NUL, text.
fn international_text(data: &[u8], blocks: &mut Blocks) -> io::Result<()> {
    let Some((keyword, rest)) = split_nul(data) else {
        return Ok(());
    };
    if keyword != XMP_KEYWORD || rest.len() < 2 {
        return Ok(());
    }
    let compressed = rest[0] == 1;
    let Some((_, rest)) = split_nul(&rest[2..]) else {
        return Ok(());
    };
    let Some((_, text)) = split_nul(rest) else {
        return Ok(());
    };
    blocks.xmp.push(if compressed {
        inflate(text)?
    } else {
        text.to_vec()
    });
    Ok(())
}

/// tEXt and zTXt carrying a raw profile (hex text after a name and a length line).
fn latin_text(kind: &[u8; 4], data: &[u8], blocks: &mut Blocks) -> io::Result<()> {
    let Some((keyword, rest)) = split_nul(data) else {
        return Ok(());
    };
    let Some(profile) = keyword.strip_prefix(b"Raw profile type ") else {
        return Ok(());
    };
    let text = match kind {
        b"zTXt" if !rest.is_empty() => inflate(&rest[1..])?,
        _ => rest.to_vec(),
    };
    let Some(bytes) = raw_profile(&text) else {
        return Ok(());
    };
    match profile.to_ascii_lowercase().as_slice() {
        b"iptc" | b"8bim" => {
            let iim = if let Some(resources) = bytes.strip_prefix(b"Photoshop 3.0\0") {
                iptc::iptc_in_resources(resources)?
            } else if bytes.starts_with(b"8BIM") {
                iptc::iptc_in_resources(&bytes)?
            } else {
                Some(bytes)
            };
            if blocks.iptc.is_none() {
                blocks.iptc = iim;
            }
        }
        b"xmp" => blocks.xmp.push(bytes),
        b"exif" | b"app1" => {
            let exif = bytes.strip_prefix(b"Exif\0\0").unwrap_or(&bytes).to_vec();
            blocks.exif.get_or_insert(exif);
        }
        _ => {}
    }
    Ok(())
}

/// "\n<name>\n<length>\n<hex lines>" → the bytes.
fn raw_profile(text: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(text).ok()?;
    let mut lines = text.trim_start_matches('\n').splitn(3, '\n');
    let _name = lines.next()?;
    let len: usize = lines.next()?.trim().parse().ok()?;
    let digits: Vec<u8> = lines
        .next()?
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let bytes: Option<Vec<u8>> = digits
        .chunks_exact(2)
        .take(len)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect();
    bytes.filter(|b| b.len() == len)
}

fn inflate(compressed: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    ZlibDecoder::new(compressed)
        .take(MAX_BLOCK + 1)
        .read_to_end(&mut out)?;
    if out.len() as u64 > MAX_BLOCK {
        return Err(invalid(
            "a compressed text chunk inflates past the size read",
        ));
    }
    Ok(out)
}

fn split_nul(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = data.iter().position(|b| *b == 0)?;
    Some((&data[..at], &data[at + 1..]))
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}
