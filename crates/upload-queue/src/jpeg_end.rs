//! Tells whether a JPEG reaches its end marker, following the file's structure as its
//! bytes stream past (fed from the same pass that hashes the file, so nothing is read
//! twice). A JPEG cut short (an interrupted copy or download) still starts like an image
//! and many decoders fill the missing part with grey, so only the structure shows it.
//!
//! Segments carry their length and are skipped whole, so an end marker inside them (an
//! EXIF thumbnail's) does not count. In the compressed data after a start-of-scan, `FF` is
//! followed by `00` or a restart marker; anything else there is a marker again. Bytes after
//! the end marker (camera trailers, motion-photo video) are ignored.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// Expecting the start-of-image marker; the number of its two bytes seen.
    Start(u8),
    /// Between segments, expecting `FF`.
    Marker,
    /// After `FF`, expecting a marker code.
    Code,
    LengthHigh(u8),
    LengthLow(u8, u8),
    /// Inside a segment; `scan` when compressed data follows it (start of scan).
    Skip {
        left: u32,
        scan: bool,
    },
    Compressed,
    CompressedFf,
    /// Reached the end marker, or found something no JPEG contains.
    Finished,
}

#[derive(Debug, Clone)]
pub struct JpegEnd {
    at: At,
    complete: bool,
}

impl Default for JpegEnd {
    fn default() -> Self {
        JpegEnd {
            at: At::Start(0),
            complete: false,
        }
    }
}

const SOS: u8 = 0xDA;
const EOI: u8 = 0xD9;

fn standalone(code: u8) -> bool {
    matches!(code, 0x01 | 0xD0..=0xD8)
}

impl JpegEnd {
    /// Whether the end marker was reached.
    pub fn complete(&self) -> bool {
        self.complete
    }

    pub fn feed(&mut self, mut bytes: &[u8]) {
        while let Some((&b, rest)) = bytes.split_first() {
            match self.at {
                At::Finished => return,
                At::Skip { left, scan } => {
                    // Skip as much of the segment as this chunk holds in one step.
                    let n = (left as usize).min(bytes.len());
                    bytes = &bytes[n..];
                    let left = left - n as u32;
                    self.at = match (left, scan) {
                        (0, true) => At::Compressed,
                        (0, false) => At::Marker,
                        _ => At::Skip { left, scan },
                    };
                    continue;
                }
                At::Compressed => {
                    // Jump to the next FF: most compressed bytes are not.
                    match bytes.iter().position(|&x| x == 0xFF) {
                        Some(i) => {
                            bytes = &bytes[i + 1..];
                            self.at = At::CompressedFf;
                        }
                        None => return,
                    }
                    continue;
                }
                _ => {}
            }
            bytes = rest;
            self.at = match (self.at, b) {
                (At::Start(0), 0xFF) => At::Start(1),
                (At::Start(1), 0xD8) => At::Marker,
                (At::Start(_), _) => At::Finished,
                (At::Marker, 0xFF) => At::Code,
                // Stray bytes between segments: decoders skip them, so do we.
                (At::Marker, _) => At::Marker,
                (At::Code | At::CompressedFf, 0xFF) => self.at, // fill bytes
                (At::Code | At::CompressedFf, EOI) => {
                    self.complete = true;
                    At::Finished
                }
                (At::CompressedFf, 0x00 | 0xD0..=0xD7) => At::Compressed,
                (At::Code | At::CompressedFf, code) if standalone(code) => At::Marker,
                (At::Code, 0x00) => At::Marker,
                (At::Code | At::CompressedFf, code) => At::LengthHigh(code),
                (At::LengthHigh(code), high) => At::LengthLow(code, high),
                (At::LengthLow(code, high), low) => {
                    let length = u32::from(high) << 8 | u32::from(low);
                    match length.checked_sub(2) {
                        None => At::Finished, // a length under 2 is corrupt
                        Some(0) if code == SOS => At::Compressed,
                        Some(0) => At::Marker,
                        Some(left) => At::Skip {
                            left,
                            scan: code == SOS,
                        },
                    }
                }
                (At::Finished | At::Skip { .. } | At::Compressed, _) => unreachable!(),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real_jpeg() -> Vec<u8> {
        let img = image::RgbImage::from_fn(64, 48, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 5) as u8, ((x * y) % 256) as u8])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    fn complete(bytes: &[u8], chunk: usize) -> bool {
        let mut end = JpegEnd::default();
        for c in bytes.chunks(chunk) {
            end.feed(c);
        }
        end.complete()
    }

    #[test]
    fn a_whole_jpeg_is_complete_in_any_chunking() {
        let jpeg = real_jpeg();
        for chunk in [1, 2, 3, 7, 64, 1 << 20] {
            assert!(complete(&jpeg, chunk), "chunk {chunk}");
        }
        let mut trailer = jpeg.clone();
        trailer.extend_from_slice(b"....motion photo video....");
        assert!(complete(&trailer, 5));
    }

    #[test]
    fn a_jpeg_cut_short_is_not() {
        let jpeg = real_jpeg();
        for cut in [2, 10, jpeg.len() / 2, jpeg.len() - 2, jpeg.len() - 1] {
            assert!(
                !complete(&jpeg[..cut], 4096),
                "cut at {cut} of {}",
                jpeg.len()
            );
        }
        assert!(!complete(b"not a jpeg at all", 4));
    }

    #[test]
    fn an_end_marker_inside_a_segment_does_not_count() {
        let jpeg = real_jpeg();
        // SOI, then an APP1 segment holding a "thumbnail" with its own end marker, then
        // the rest of the real file cut in half.
        let mut file = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x08, 0xFF, 0xD8, 0xFF, 0xD9];
        file.extend_from_slice(&jpeg[2..jpeg.len() / 2]);
        assert!(!complete(&file, 3));
        file.truncate(10);
        file.extend_from_slice(&jpeg[2..]);
        assert!(complete(&file, 3));
    }
}
