//! Finds the JPEG thumbnail that Adobe applications store in a file's XMP metadata
//! (`xmp:Thumbnails` → `xmpGImg:image`, base64), without reading the file into memory.
//!
//! The file is scanned in fixed-size blocks for `<?xpacket begin=` … `<?xpacket end=`; only a
//! packet (capped at [`MAX_PACKET_BYTES`]) is ever held whole. Illustrator writes its metadata
//! stream uncompressed, as the XMP specification asks, so a plain byte scan finds it.

use std::io::Read;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use memchr::memmem;

const PACKET_BEGIN: &[u8] = b"<?xpacket begin=";
const PACKET_END: &[u8] = b"<?xpacket end=";
/// Larger "packets" are not metadata (Illustrator's are well under 1 MiB, thumbnail included).
pub(crate) const MAX_PACKET_BYTES: usize = 16 * 1024 * 1024;
const BLOCK: usize = 1024 * 1024;

const NS_XMP: &str = "http://ns.adobe.com/xap/1.0/";
const NS_XMP_GIMG: &str = "http://ns.adobe.com/xap/1.0/g/img/";

/// What the scan found: the newest thumbnail, and whether the file says it was saved without
/// PDF content (Illustrator's placeholder page text).
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub thumbnail: Option<Vec<u8>>,
    pub creator_is_illustrator: bool,
    pub saved_without_pdf_content: bool,
}

/// Illustrator's placeholder page in a file saved without PDF compatibility says this.
const NO_PDF_CONTENT_MARK: &[u8] = b"saved without PDF Content";

/// Scans the whole stream once. When several packets carry a thumbnail the last one wins: an
/// incremental PDF update appends its newer metadata after the original.
pub(crate) fn scan(mut input: impl Read) -> std::io::Result<Scan> {
    let mut scan = Scan::default();
    // `window` holds unscanned bytes, plus a marker-sized tail of the previous block so a
    // marker split across two blocks is still found.
    let mut window: Vec<u8> = Vec::with_capacity(BLOCK * 2);
    let mut packet: Option<Vec<u8>> = None;
    let mut block = vec![0u8; BLOCK];
    loop {
        let n = input.read(&mut block)?;
        if n == 0 {
            break;
        }
        window.extend_from_slice(&block[..n]);
        if memmem::find(&window, NO_PDF_CONTENT_MARK).is_some() {
            scan.saved_without_pdf_content = true;
        }
        let keep_from;
        loop {
            match packet.as_mut() {
                None => match memmem::find(&window, PACKET_BEGIN) {
                    Some(at) => {
                        packet = Some(Vec::new());
                        window.drain(..at);
                    }
                    None => {
                        keep_from = window.len().saturating_sub(NO_PDF_CONTENT_MARK.len());
                        break;
                    }
                },
                Some(buf) => match memmem::find(&window, PACKET_END)
                    .map(|at| (at, memmem::find(&window[at..], b"?>")))
                {
                    // Complete through the end marker's closing `?>`.
                    Some((at, Some(close))) => {
                        let end = at + close + 2;
                        buf.extend_from_slice(&window[..end]);
                        window.drain(..end);
                        let text = packet.take().unwrap_or_default();
                        read_packet(&text, &mut scan);
                    }
                    // The end marker's `?>` is in the next block.
                    Some((at, None)) => {
                        buf.extend_from_slice(&window[..at]);
                        window.drain(..at);
                        keep_from = 0;
                        break;
                    }
                    None => {
                        // Keep a marker's length unscanned in case the end marker is split.
                        let safe = window.len().saturating_sub(PACKET_END.len());
                        buf.extend_from_slice(&window[..safe]);
                        window.drain(..safe);
                        if buf.len() > MAX_PACKET_BYTES {
                            packet = None; // Not metadata: drop it, keep scanning.
                        }
                        keep_from = 0;
                        break;
                    }
                },
            }
        }
        window.drain(..keep_from);
    }
    Ok(scan)
}

/// Reads one packet's XML; a packet that does not parse is skipped, not fatal.
fn read_packet(bytes: &[u8], scan: &mut Scan) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    // The packet wrapper is a processing instruction around an `x:xmpmeta` element; anything
    // after the closing `?>` of the end marker is not part of it.
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return;
    };
    let creator = doc.descendants().find(|n| {
        n.has_tag_name((NS_XMP, "CreatorTool")) || n.attribute((NS_XMP, "CreatorTool")).is_some()
    });
    if let Some(node) = creator {
        let tool = node
            .attribute((NS_XMP, "CreatorTool"))
            .or_else(|| node.text())
            .unwrap_or_default();
        if tool.contains("Illustrator") {
            scan.creator_is_illustrator = true;
        }
    }
    let in_thumbnails = |n: &roxmltree::Node| {
        n.ancestors()
            .any(|a| a.has_tag_name((NS_XMP, "Thumbnails")))
    };
    // `xmpGImg:image` as an element, or as an attribute in the shorthand form.
    let encoded = doc.descendants().filter(in_thumbnails).find_map(|n| {
        if n.has_tag_name((NS_XMP_GIMG, "image")) {
            n.text().map(str::to_owned)
        } else {
            n.attribute((NS_XMP_GIMG, "image")).map(str::to_owned)
        }
    });
    if let Some(jpeg) = encoded.as_deref().and_then(decode_base64) {
        scan.thumbnail = Some(jpeg);
    }
}

/// Base64 as Adobe writes it: wrapped (Illustrator breaks lines with `&#xA;`, which the XML
/// parser has already turned into newlines), padding optional.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let engine = GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    engine.decode(compact).ok().filter(|b| !b.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(image_b64: &str) -> String {
        format!(
            r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:xmpGImg="http://ns.adobe.com/xap/1.0/g/img/">
<xmp:CreatorTool>Adobe Illustrator 28.0</xmp:CreatorTool>
<xmp:Thumbnails><rdf:Alt><rdf:li rdf:parseType="Resource">
<xmpGImg:width>256</xmpGImg:width><xmpGImg:format>JPEG</xmpGImg:format>
<xmpGImg:image>{image_b64}</xmpGImg:image>
</rdf:li></rdf:Alt></xmp:Thumbnails>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"#
        )
    }

    #[test]
    fn finds_a_wrapped_thumbnail_and_the_creator() {
        // "hello world!" in base64, broken the way Illustrator breaks it.
        let file = format!(
            "%PDF-1.6\n1 0 obj\nstream\n{}\nendstream",
            packet("aGVsbG8g&#xA;d29ybGQh")
        );
        let scan = scan(file.as_bytes()).unwrap();
        assert_eq!(scan.thumbnail.as_deref(), Some(&b"hello world!"[..]));
        assert!(scan.creator_is_illustrator);
        assert!(!scan.saved_without_pdf_content);
    }

    #[test]
    fn a_packet_split_across_blocks_is_still_found() {
        let mut file = vec![b' '; BLOCK - 7];
        file.extend_from_slice(packet("aGk=").as_bytes());
        file.extend(vec![b' '; BLOCK]);
        let scan = scan(&file[..]).unwrap();
        assert_eq!(scan.thumbnail.as_deref(), Some(&b"hi"[..]));
    }

    #[test]
    fn an_end_marker_split_before_its_closing_is_still_whole() {
        let text = packet("aGk=");
        let split = text.find("end=").unwrap() + 5;
        let mut file = vec![b' '; BLOCK - split];
        file.extend_from_slice(text.as_bytes());
        let scan = scan(&file[..]).unwrap();
        assert_eq!(scan.thumbnail.as_deref(), Some(&b"hi"[..]));
    }

    #[test]
    fn the_last_thumbnail_wins() {
        let file = format!("{}\n{}", packet("Zmlyc3Q="), packet("bGFzdA=="));
        let scan = scan(file.as_bytes()).unwrap();
        assert_eq!(scan.thumbnail.as_deref(), Some(&b"last"[..]));
    }

    #[test]
    fn no_packet_no_thumbnail() {
        let scan = scan(&b"%PDF-1.4\n%%EOF"[..]).unwrap();
        assert!(scan.thumbnail.is_none());
    }
}
