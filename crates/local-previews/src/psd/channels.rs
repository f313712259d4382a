//! Row-by-row readers over the merged image data's channel planes.
//!
//! The merged data stores each channel whole, one after another (all red rows, then all
//! green, ...), so one RGB row needs bytes from far-apart places. Each channel gets its own
//! file handle positioned at its plane and reads forward; memory is a row per channel (plus
//! the RLE row-length table of the channels used), whatever the image's size.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use flate2::read::ZlibDecoder;

use super::header::{io, read_u16, Header, Layout};
use crate::error::{read_error, PreviewError};

const RAW: u16 = 0;
const RLE: u16 = 1;
const ZIP: u16 = 2;
const ZIP_PREDICTED: u16 = 3;
const READ_BUFFER: usize = 64 * 1024;

enum Source {
    Raw(BufReader<File>),
    Rle {
        reader: BufReader<File>,
        /// Packed byte count of each of this channel's rows.
        counts: Vec<u32>,
        next: usize,
        packed: Vec<u8>,
    },
    Zip {
        inflater: Box<ZlibDecoder<BufReader<File>>>,
        predicted: bool,
    },
}

pub(crate) struct ChannelRows {
    source: Source,
    depth: u16,
    row: Vec<u8>,
}

impl ChannelRows {
    /// The next row of this channel, unpacked (`Header::row_bytes` bytes).
    pub fn next_row(&mut self) -> Result<&[u8], PreviewError> {
        match &mut self.source {
            Source::Raw(reader) => reader.read_exact(&mut self.row).map_err(io)?,
            Source::Rle {
                reader,
                counts,
                next,
                packed,
            } => {
                let count = *counts
                    .get(*next)
                    .ok_or_else(|| PreviewError::corrupt("more rows read than stored"))?;
                *next += 1;
                packed.resize(count as usize, 0);
                reader.read_exact(packed).map_err(io)?;
                unpack_bits(packed, &mut self.row)?;
            }
            Source::Zip {
                inflater,
                predicted,
            } => {
                inflater.read_exact(&mut self.row).map_err(io)?;
                if *predicted {
                    undo_prediction(&mut self.row, self.depth);
                }
            }
        }
        Ok(&self.row)
    }
}

/// Opens readers for the first `count` channels of the merged image data.
pub(crate) fn open(
    path: &Path,
    layout: &Layout,
    count: usize,
) -> Result<Vec<ChannelRows>, PreviewError> {
    let header = &layout.header;
    let mut file = File::open(path).map_err(|e| read_error(path, e))?;
    file.seek(SeekFrom::Start(layout.image_data)).map_err(io)?;
    let compression = read_u16(&mut file)?;
    let data = layout.image_data + 2;
    let row_bytes = header.row_bytes() as u64;
    let plane = row_bytes * u64::from(header.height);
    let make = |source| ChannelRows {
        source,
        depth: header.depth,
        row: vec![0; row_bytes as usize],
    };
    match compression {
        RAW => {
            if data + plane * count as u64 > layout.file_len {
                return Err(PreviewError::corrupt("the image data is cut short"));
            }
            (0..count as u64)
                .map(|c| Ok(make(Source::Raw(reader_at(path, data + c * plane)?))))
                .collect()
        }
        RLE => open_rle(path, layout, count, data, file)
            .map(|sources| sources.into_iter().map(make).collect()),
        ZIP | ZIP_PREDICTED => {
            if compression == ZIP_PREDICTED && header.depth == 32 {
                return Err(PreviewError::variant(
                    "Photoshop",
                    "32-bit ZIP-predicted image data",
                ));
            }
            (0..count as u64)
                .map(|c| {
                    let mut inflater = Box::new(ZlibDecoder::new(reader_at(path, data)?));
                    // One zlib stream holds every plane: inflate and drop the planes before.
                    let skipped = io::copy(&mut (&mut *inflater).take(c * plane), &mut io::sink())
                        .map_err(io)?;
                    if skipped != c * plane {
                        return Err(PreviewError::corrupt("the image data is cut short"));
                    }
                    Ok(make(Source::Zip {
                        inflater,
                        predicted: compression == ZIP_PREDICTED,
                    }))
                })
                .collect()
        }
        other => Err(PreviewError::corrupt(format!(
            "unknown image compression {other}"
        ))),
    }
}

/// RLE data starts with every row's packed length (all channels' rows), then the rows.
fn open_rle(
    path: &Path,
    layout: &Layout,
    count: usize,
    data: u64,
    file: File,
) -> Result<Vec<Source>, PreviewError> {
    let header: &Header = &layout.header;
    let height = header.height as usize;
    let entry = if header.is_psb { 4 } else { 2 };
    let table_len = (usize::from(header.channels) * height * entry) as u64;
    // PackBits never grows a row by more than one byte in 128, plus one.
    let max_packed = (header.row_bytes() + header.row_bytes() / 128 + 2) as u32;

    let mut table = BufReader::with_capacity(READ_BUFFER, file);
    let mut start = data + table_len;
    let mut sources = Vec::with_capacity(count);
    for _ in 0..count {
        let mut counts = Vec::with_capacity(height);
        let mut plane_len = 0u64;
        for _ in 0..height {
            let n = if header.is_psb {
                super::header::read_u32(&mut table)?
            } else {
                u32::from(read_u16(&mut table)?)
            };
            if n > max_packed {
                return Err(PreviewError::corrupt("an impossible compressed row length"));
            }
            plane_len += u64::from(n);
            counts.push(n);
        }
        if start + plane_len > layout.file_len {
            return Err(PreviewError::corrupt("the image data is cut short"));
        }
        sources.push(Source::Rle {
            reader: reader_at(path, start)?,
            counts,
            next: 0,
            packed: Vec::with_capacity(max_packed as usize),
        });
        start += plane_len;
    }
    Ok(sources)
}

fn reader_at(path: &Path, offset: u64) -> Result<BufReader<File>, PreviewError> {
    let mut file = File::open(path).map_err(|e| read_error(path, e))?;
    file.seek(SeekFrom::Start(offset)).map_err(io)?;
    Ok(BufReader::with_capacity(READ_BUFFER, file))
}

/// PackBits (Apple's RLE, used by PSD): a header byte n, then n+1 literal bytes (n ≥ 0) or one
/// byte repeated 1−n times (n < 0; −128 is a no-op).
fn unpack_bits(src: &[u8], dst: &mut [u8]) -> Result<(), PreviewError> {
    let short = || PreviewError::corrupt("a compressed row is cut short");
    let (mut i, mut o) = (0usize, 0usize);
    while o < dst.len() {
        let n = *src.get(i).ok_or_else(short)? as i8;
        i += 1;
        if n >= 0 {
            let len = (n as usize + 1).min(dst.len() - o);
            let literal = src.get(i..i + len).ok_or_else(short)?;
            dst[o..o + len].copy_from_slice(literal);
            i += n as usize + 1;
            o += len;
        } else if n != -128 {
            let len = (1 - n as isize) as usize;
            let len = len.min(dst.len() - o);
            let value = *src.get(i).ok_or_else(short)?;
            dst[o..o + len].fill(value);
            i += 1;
            o += len;
        }
    }
    Ok(())
}

/// ZIP-with-prediction stores each sample as the difference from the one to its left.
fn undo_prediction(row: &mut [u8], depth: u16) {
    match depth {
        16 => {
            let mut prev = 0u16;
            for pair in row.chunks_exact_mut(2) {
                let v = u16::from_be_bytes([pair[0], pair[1]]).wrapping_add(prev);
                pair.copy_from_slice(&v.to_be_bytes());
                prev = v;
            }
        }
        _ => {
            for i in 1..row.len() {
                row[i] = row[i].wrapping_add(row[i - 1]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacks_literals_and_runs() {
        // 3 literals, a run of 4 × 0xAA, a no-op, 1 literal.
        let src = [2, 1, 2, 3, (-3i8) as u8, 0xAA, 0x80, 0, 9];
        let mut dst = [0u8; 8];
        unpack_bits(&src, &mut dst).unwrap();
        assert_eq!(dst, [1, 2, 3, 0xAA, 0xAA, 0xAA, 0xAA, 9]);
    }

    #[test]
    fn a_short_packed_row_is_corrupt() {
        let mut dst = [0u8; 8];
        assert!(matches!(
            unpack_bits(&[5, 1, 2], &mut dst),
            Err(PreviewError::Corrupt { .. })
        ));
    }

    #[test]
    fn undoes_8_and_16_bit_prediction() {
        let mut row = [10, 1, 1, 0xFF];
        undo_prediction(&mut row, 8);
        assert_eq!(row, [10, 11, 12, 11]);
        let mut row = [0x01, 0x00, 0x00, 0x01];
        undo_prediction(&mut row, 16);
        assert_eq!(row, [0x01, 0x00, 0x01, 0x01]);
    }
}
