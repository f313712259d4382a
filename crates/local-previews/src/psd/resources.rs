//! The image resources a preview needs: Photoshop's embedded JPEG thumbnail (IDs 1036, and
//! 1033 from Photoshop 4 with red and blue swapped) and whether the merged image is real
//! (ID 1057: false when "Maximize Compatibility" was off). Other resources are skipped by
//! seeking; only the thumbnail's bytes are read.

use std::io::{Read, Seek, SeekFrom};

use super::header::{io, read_u16, read_u32};
use crate::error::PreviewError;

const THUMBNAIL: u16 = 1036;
const THUMBNAIL_PS4: u16 = 1033;
const VERSION_INFO: u16 = 1057;
/// Photoshop's thumbnails are at most 160 px; anything this big is not one.
const MAX_THUMBNAIL_BYTES: u32 = 16 * 1024 * 1024;
/// The thumbnail resource's own header before the JFIF data.
const THUMBNAIL_HEADER: u32 = 28;

#[derive(Debug)]
pub(crate) struct Thumbnail {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Photoshop 4's thumbnail (1033) stores BGR.
    pub bgr: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Resources {
    pub thumbnail: Option<Thumbnail>,
    /// `Some(false)` when Photoshop says the merged image data is not the real composite.
    pub has_real_merged_data: Option<bool>,
}

pub(crate) fn read<R: Read + Seek>(
    file: &mut R,
    start: u64,
    len: u64,
) -> Result<Resources, PreviewError> {
    let end = start + len;
    let mut found = Resources::default();
    let mut pos = start;
    file.seek(SeekFrom::Start(pos)).map_err(io)?;
    // Signature (4) + id (2) + shortest name (2) + size (4).
    while pos + 12 <= end {
        let mut signature = [0u8; 4];
        file.read_exact(&mut signature).map_err(io)?;
        let id = read_u16(file)?;
        let mut name_len = [0u8; 1];
        file.read_exact(&mut name_len).map_err(io)?;
        // A Pascal string padded so that length byte + name is even.
        let name_pad = (1 + u64::from(name_len[0])).next_multiple_of(2) - 1;
        file.seek(SeekFrom::Current(name_pad as i64)).map_err(io)?;
        let size = read_u32(file)?;
        let data = file.stream_position().map_err(io)?;
        if data + u64::from(size) > end {
            // A damaged resource list: keep what was found so far, the image data may be fine.
            break;
        }
        match id {
            THUMBNAIL | THUMBNAIL_PS4
                if (THUMBNAIL_HEADER..=MAX_THUMBNAIL_BYTES).contains(&size)
                    // A Photoshop 5+ thumbnail (not BGR) is never replaced by an older one.
                    && found.thumbnail.as_ref().is_none_or(|t| t.bgr) =>
            {
                if let Some(thumb) = read_thumbnail(file, size, id == THUMBNAIL_PS4)? {
                    found.thumbnail = Some(thumb);
                }
            }
            VERSION_INFO if size >= 5 => {
                let _version = read_u32(file)?;
                let mut flag = [0u8; 1];
                file.read_exact(&mut flag).map_err(io)?;
                found.has_real_merged_data = Some(flag[0] != 0);
            }
            _ => {}
        }
        pos = data + u64::from(size).next_multiple_of(2);
        file.seek(SeekFrom::Start(pos)).map_err(io)?;
    }
    Ok(found)
}

fn read_thumbnail<R: Read>(
    file: &mut R,
    size: u32,
    bgr: bool,
) -> Result<Option<Thumbnail>, PreviewError> {
    let format = read_u32(file)?;
    let width = read_u32(file)?;
    let height = read_u32(file)?;
    let mut rest_of_header = [0u8; (THUMBNAIL_HEADER - 12) as usize];
    file.read_exact(&mut rest_of_header).map_err(io)?;
    let mut jpeg = vec![0u8; (size - THUMBNAIL_HEADER) as usize];
    file.read_exact(&mut jpeg).map_err(io)?;
    // Format 1 is JFIF; 0 (raw RGB) is not written by any Photoshop in use.
    Ok(
        (format == 1 && width > 0 && height > 0).then_some(Thumbnail {
            jpeg,
            width,
            height,
            bgr,
        }),
    )
}
