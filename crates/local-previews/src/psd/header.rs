//! The fixed parts of a PSD/PSB: file header, colour mode data, and where the image
//! resources and the merged image data start. Only lengths are read past the header; the
//! layers (often most of the file) are skipped with a single seek.

use std::io::{Read, Seek, SeekFrom};

use crate::error::PreviewError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColorMode {
    Bitmap,
    Grayscale,
    Indexed,
    Rgb,
    Cmyk,
    Multichannel,
    Duotone,
    Lab,
}

#[derive(Debug, Clone)]
pub(crate) struct Header {
    /// PSB ("large document format") widens some lengths to 64 bits.
    pub is_psb: bool,
    pub channels: u16,
    pub width: u32,
    pub height: u32,
    pub depth: u16,
    pub mode: ColorMode,
}

impl Header {
    /// Bytes in one uncompressed row of one channel.
    pub fn row_bytes(&self) -> usize {
        (self.width as usize * usize::from(self.depth)).div_ceil(8)
    }
}

/// Where things are in the file.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub header: Header,
    /// An indexed-colour file's palette: 256 reds, then 256 greens, then 256 blues.
    pub palette: Option<Vec<u8>>,
    pub resources_start: u64,
    pub resources_len: u64,
    /// Offset of the merged image data's compression field.
    pub image_data: u64,
    pub file_len: u64,
}

pub(crate) fn read_layout<R: Read + Seek>(file: &mut R) -> Result<Layout, PreviewError> {
    let file_len = file.seek(SeekFrom::End(0)).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut head = [0u8; 26];
    file.read_exact(&mut head).map_err(io)?;
    if &head[..4] != b"8BPS" {
        return Err(PreviewError::corrupt("not a Photoshop file"));
    }
    let be16 = |at: usize| u16::from_be_bytes([head[at], head[at + 1]]);
    let be32 = |at: usize| u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let is_psb = match be16(4) {
        1 => false,
        2 => true,
        v => return Err(PreviewError::corrupt(format!("unknown PSD version {v}"))),
    };
    let header = Header {
        is_psb,
        channels: be16(12),
        height: be32(14),
        width: be32(18),
        depth: be16(22),
        mode: match be16(24) {
            0 => ColorMode::Bitmap,
            1 => ColorMode::Grayscale,
            2 => ColorMode::Indexed,
            3 => ColorMode::Rgb,
            4 => ColorMode::Cmyk,
            7 => ColorMode::Multichannel,
            8 => ColorMode::Duotone,
            9 => ColorMode::Lab,
            m => return Err(PreviewError::corrupt(format!("unknown colour mode {m}"))),
        },
    };
    let max_side = if is_psb { 300_000 } else { 30_000 };
    if header.width == 0
        || header.height == 0
        || header.width > max_side
        || header.height > max_side
    {
        return Err(PreviewError::corrupt(format!(
            "impossible size {} × {}",
            header.width, header.height
        )));
    }
    if !(1..=56).contains(&header.channels) || ![1, 8, 16, 32].contains(&header.depth) {
        return Err(PreviewError::corrupt(
            "impossible channel count or bit depth",
        ));
    }

    let mode_len = u64::from(read_u32(file)?);
    let palette = if header.mode == ColorMode::Indexed && mode_len == 768 {
        let mut palette = vec![0u8; 768];
        file.read_exact(&mut palette).map_err(io)?;
        Some(palette)
    } else {
        file.seek(SeekFrom::Current(mode_len as i64)).map_err(io)?;
        None
    };

    let resources_len = u64::from(read_u32(file)?);
    let resources_start = file.stream_position().map_err(io)?;
    file.seek(SeekFrom::Start(resources_start + resources_len))
        .map_err(io)?;

    let layers_len = if is_psb {
        read_u64(file)?
    } else {
        u64::from(read_u32(file)?)
    };
    let image_data = file
        .stream_position()
        .map_err(io)?
        .checked_add(layers_len)
        .ok_or_else(|| PreviewError::corrupt("impossible layer section length"))?;
    if image_data + 2 > file_len {
        return Err(PreviewError::corrupt("the file ends before its image data"));
    }
    Ok(Layout {
        header,
        palette,
        resources_start,
        resources_len,
        image_data,
        file_len,
    })
}

pub(crate) fn read_u16(r: &mut impl Read) -> Result<u16, PreviewError> {
    let mut b = [0u8; 2];
    r.read_exact(&mut b).map_err(io)?;
    Ok(u16::from_be_bytes(b))
}

pub(crate) fn read_u32(r: &mut impl Read) -> Result<u32, PreviewError> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b).map_err(io)?;
    Ok(u32::from_be_bytes(b))
}

fn read_u64(r: &mut impl Read) -> Result<u64, PreviewError> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b).map_err(io)?;
    Ok(u64::from_be_bytes(b))
}

/// Inside a file already opened, any read error is a cut-short or damaged file.
pub(crate) fn io(err: std::io::Error) -> PreviewError {
    if err.kind() == std::io::ErrorKind::UnexpectedEof {
        PreviewError::corrupt("the file ends too early")
    } else {
        PreviewError::corrupt(format!("reading failed: {err}"))
    }
}
