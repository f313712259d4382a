//! XMP packet scanning (XMP Specification Part 3, "Scanning files for XMP packets"): for
//! containers without a reader here — Illustrator's PDF-compatible files, PDF, EPS — the
//! packets are found by their `<?xpacket begin=` … `<?xpacket end=…?>` wrapper.
//!
//! Bounded: the file is read in 1 MB chunks, only its first `HEAD` bytes and its last `TAIL`
//! bytes (PDF incremental updates, as ExifTool writes, append the new packet at the end), and
//! a packet longer than `MAX_BLOCK` is skipped. A 500 MB file costs at most 72 MB of reading
//! and a few MB of memory.

use std::io::{self, Read, Seek, SeekFrom};

use memchr::memmem;

use super::MAX_BLOCK;

const HEAD: u64 = 64 * 1024 * 1024;
const TAIL: u64 = 8 * 1024 * 1024;
const CHUNK: usize = 1024 * 1024;

const BEGIN: &[u8] = b"<?xpacket begin=";
const END: &[u8] = b"<?xpacket end=";

/// The packets found, in file order (each from `<?xpacket begin` to the end's `?>`).
pub(super) fn packets<R: Read + Seek>(reader: &mut R) -> io::Result<Vec<Vec<u8>>> {
    let len = reader.seek(SeekFrom::End(0))?;
    let mut found = Vec::new();
    if len <= HEAD + TAIL {
        scan(reader, 0, len, &mut found)?;
    } else {
        scan(reader, 0, HEAD, &mut found)?;
        scan(reader, len - TAIL, len, &mut found)?;
    }
    Ok(found)
}

/// Scans `[start, end)`; a packet that straddles `end` is not taken.
fn scan<R: Read + Seek>(
    reader: &mut R,
    start: u64,
    end: u64,
    found: &mut Vec<Vec<u8>>,
) -> io::Result<()> {
    reader.seek(SeekFrom::Start(start))?;
    let mut region = reader.take(end - start);
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK * 2);
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = region.read(&mut chunk)?;
        buf.extend_from_slice(&chunk[..n]);
        let keep_from = take_packets(&buf, found);
        buf.drain(..keep_from);
        if n == 0 {
            return Ok(());
        }
    }
}

/// Moves complete packets of `buf` into `found`; returns where the unfinished rest starts
/// (an open packet, or the last bytes that may begin a marker).
fn take_packets(buf: &[u8], found: &mut Vec<Vec<u8>>) -> usize {
    let mut from = 0;
    loop {
        let Some(begin) = memmem::find(&buf[from..], BEGIN).map(|i| from + i) else {
            return buf.len().saturating_sub(BEGIN.len() - 1).max(from);
        };
        let close = memmem::find(&buf[begin..], END)
            .map(|i| begin + i + END.len())
            .and_then(|after| memmem::find(&buf[after..], b"?>").map(|i| after + i + 2));
        match close {
            Some(close) => {
                if (close - begin) as u64 <= MAX_BLOCK {
                    found.push(buf[begin..close].to_vec());
                }
                from = close;
            }
            // Too long to be a packet this reads: look for the next one.
            None if (buf.len() - begin) as u64 > MAX_BLOCK => from = begin + 1,
            None => return begin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_split_across_chunks_are_found() {
        let packet = b"<?xpacket begin='' id='x'?><x:xmpmeta/><?xpacket end='w'?>";
        let mut file = vec![b'.'; CHUNK - 20];
        file.extend_from_slice(packet);
        file.extend(vec![b'.'; 100]);
        file.extend_from_slice(packet);
        let found = packets(&mut io::Cursor::new(file)).unwrap();
        assert_eq!(found, [packet.to_vec(), packet.to_vec()]);
    }
}
