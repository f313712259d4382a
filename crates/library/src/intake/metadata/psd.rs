//! Photoshop PSD/PSB: the image resources section right after the header holds XMP (1060),
//! IPTC (1028) and EXIF (1058). Layers and pixels come after it and are never read.

use std::io::{self, Read, Seek, SeekFrom};

use super::iptc::{self, RESOURCE_EXIF, RESOURCE_IPTC, RESOURCE_XMP};
use super::Blocks;

pub(super) fn read<R: Read + Seek>(reader: &mut R) -> io::Result<Blocks> {
    let mut header = [0u8; 26];
    reader.read_exact(&mut header)?;
    let version = u16::from_be_bytes([header[4], header[5]]);
    if &header[..4] != b"8BPS" || !(version == 1 || version == 2) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a Photoshop file",
        ));
    }
    let color_mode_len = read_u32(reader)?;
    reader.seek(SeekFrom::Current(i64::from(color_mode_len)))?;
    let resources_len = read_u32(reader)?;
    let mut blocks = Blocks::default();
    for (id, data) in iptc::resources(
        reader,
        u64::from(resources_len),
        &[RESOURCE_IPTC, RESOURCE_XMP, RESOURCE_EXIF],
    )? {
        match id {
            RESOURCE_IPTC => blocks.iptc = Some(data),
            RESOURCE_XMP => blocks.xmp.push(data),
            _ => blocks.exif = Some(data),
        }
    }
    Ok(blocks)
}

fn read_u32<R: Read>(reader: &mut R) -> io::Result<u32> {
    let mut bytes = [0u8; 4];
    reader.read_exact(&mut bytes)?;
    Ok(u32::from_be_bytes(bytes))
}
