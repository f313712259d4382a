//! An XMP packet's Dublin Core properties (title, description, subject, creator), in every
//! form RDF allows for them: rdf:Alt/Bag/Seq lists, a plain element, or an attribute of
//! rdf:Description. Namespaces are resolved, so any prefix works.

use roxmltree::{Document, Node};

use super::Partial;

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const DC: &str = "http://purl.org/dc/elements/1.1/";
const XML: &str = "http://www.w3.org/XML/1998/namespace";

/// What one packet says, and what it describes (`dc:format`, e.g. `image/jpeg` for a placed
/// image's packet inside an Illustrator file).
#[derive(Debug, Default)]
pub(super) struct Packet {
    pub values: Partial,
    pub format: Option<String>,
}

pub(super) fn parse(bytes: &[u8]) -> Result<Packet, String> {
    let text = String::from_utf8_lossy(bytes);
    // Writers pad packets with NULs or spaces; neither is XML.
    let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    let doc = Document::parse(text).map_err(|e| format!("the XMP is not valid XML ({e})"))?;
    let mut packet = Packet::default();
    for description in doc
        .descendants()
        .filter(|n| n.has_tag_name((RDF, "Description")))
    {
        for attribute in description.attributes() {
            if attribute.namespace() == Some(DC) {
                let value = attribute.value().to_owned();
                add(&mut packet, attribute.name(), vec![(None, value)]);
            }
        }
        for property in description
            .children()
            .filter(|n| n.is_element() && n.tag_name().namespace() == Some(DC))
        {
            add(&mut packet, property.tag_name().name(), items(property));
        }
    }
    Ok(packet)
}

/// A property's values with their languages: the items of an Alt/Bag/Seq, or its own text.
fn items<'a>(property: Node<'a, '_>) -> Vec<(Option<&'a str>, String)> {
    let container = property.children().find(|n| {
        n.has_tag_name((RDF, "Alt")) || n.has_tag_name((RDF, "Bag")) || n.has_tag_name((RDF, "Seq"))
    });
    match container {
        Some(list) => list
            .children()
            .filter(|n| n.has_tag_name((RDF, "li")))
            .map(|li| (li.attribute((XML, "lang")), text_of(li)))
            .collect(),
        None => vec![(None, text_of(property))],
    }
}

/// An element's text, or its `rdf:value` (an item with qualifiers).
fn text_of(node: Node) -> String {
    match node.children().find(|n| n.has_tag_name((RDF, "value"))) {
        Some(value) => text_of(value),
        None => node
            .children()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect(),
    }
}

/// The first packet property wins (a repeated property in a later rdf:Description is ignored).
fn add(packet: &mut Packet, name: &str, items: Vec<(Option<&str>, String)>) {
    let values = &mut packet.values;
    match name {
        "title" if values.title.is_none() => values.title = alternative(&items),
        "description" if values.description.is_none() => values.description = alternative(&items),
        "format" if packet.format.is_none() => packet.format = alternative(&items),
        "subject" if values.keywords.is_empty() => {
            values.keywords = items.into_iter().map(|(_, t)| t).collect()
        }
        "creator" if values.creator.is_empty() => {
            values.creator = items.into_iter().map(|(_, t)| t).collect()
        }
        _ => {}
    }
}

/// The x-default language first (what XMP readers show), else the first item with text.
fn alternative(items: &[(Option<&str>, String)]) -> Option<String> {
    let filled = || items.iter().filter(|(_, t)| !t.trim().is_empty());
    filled()
        .find(|(lang, _)| lang.is_some_and(|l| l.eq_ignore_ascii_case("x-default")))
        .or_else(|| filled().next())
        .map(|(_, t)| t.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_attributes_and_languages() {
        let packet = parse(
            r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:d="http://purl.org/dc/elements/1.1/" d:format="application/pdf">
  <d:title><rdf:Alt><rdf:li xml:lang="fr-FR">Fleurs</rdf:li><rdf:li xml:lang="x-default">Flowers &amp; more</rdf:li></rdf:Alt></d:title>
  <d:subject><rdf:Bag><rdf:li>a</rdf:li><rdf:li>B</rdf:li></rdf:Bag></d:subject>
 </rdf:Description>
 <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" dc:description="Plain">
  <dc:creator><rdf:Seq><rdf:li>Zoë</rdf:li></rdf:Seq></dc:creator>
  <dc:title>Ignored: the first title wins</dc:title>
 </rdf:Description>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"#
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(packet.values.title.as_deref(), Some("Flowers & more"));
        assert_eq!(packet.values.description.as_deref(), Some("Plain"));
        assert_eq!(packet.values.keywords, ["a", "B"]);
        assert_eq!(packet.values.creator, ["Zoë"]);
        assert_eq!(packet.format.as_deref(), Some("application/pdf"));
        assert!(parse(b"<x:xmpmeta").is_err());
    }
}
