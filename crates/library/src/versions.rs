//! An image's files (one per upload) as the header's `files` list gives them. The API documents
//! the entries as URL strings with no date or size (spec §8.3); richer entries, should a tenant
//! send objects, are read for the keys they commonly use.

use beproduct::ImageHeader;
use serde::Serialize;
use serde_json::Value;

/// One file of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageFile {
    /// 1 for the first upload, in the order the API lists them.
    pub number: usize,
    /// Where to download it (signed on real tenants: valid for a while only).
    pub url: String,
    /// The stored file name (from the URL; real tenants rewrite it, e.g. `----.png`).
    pub name: String,
    /// The image's current original (its preview is made from this one).
    pub current: bool,
    /// Bytes, when the entry says.
    pub size: Option<u64>,
    /// When it was uploaded, when the entry says.
    pub created_at: Option<String>,
}

/// The files of `image`, oldest first. An image whose `files` is empty but that has an original
/// lists that one.
pub fn image_files(image: &ImageHeader) -> Vec<ImageFile> {
    let origin = image.origin_url().and_then(path_of);
    let mut files: Vec<ImageFile> = image
        .files
        .iter()
        .flatten()
        .filter_map(entry)
        .enumerate()
        .map(|(i, (url, name, size, created_at))| ImageFile {
            number: i + 1,
            current: origin.is_some() && path_of(&url) == origin,
            name: name.unwrap_or_else(|| beproduct::url_file_name(&url)),
            url,
            size,
            created_at,
        })
        .collect();
    if files.is_empty() {
        if let Some(url) = image.origin_url() {
            files.push(ImageFile {
                number: 1,
                url: url.to_owned(),
                name: beproduct::url_file_name(url),
                current: true,
                size: None,
                created_at: None,
            });
        }
    }
    files
}

/// The URLs of `image`'s `files` entries.
pub(crate) fn file_urls(image: &ImageHeader) -> Vec<String> {
    image
        .files
        .iter()
        .flatten()
        .filter_map(entry)
        .map(|(url, ..)| url)
        .collect()
}

type Entry = (String, Option<String>, Option<u64>, Option<String>);

fn entry(value: &Value) -> Option<Entry> {
    match value {
        Value::String(url) if !url.trim().is_empty() => Some((url.clone(), None, None, None)),
        Value::Object(map) => {
            let text = |keys: &[&str]| {
                keys.iter()
                    .find_map(|k| map.get(*k)?.as_str())
                    .filter(|s| !s.trim().is_empty())
                    .map(str::to_owned)
            };
            let url = text(&["url", "origin", "fileUrl", "uri"])?;
            let size = ["size", "fileSize", "length"]
                .iter()
                .find_map(|k| map.get(*k)?.as_u64());
            Some((
                url,
                text(&["fileName", "name"]),
                size,
                text(&["createdAt", "uploadedAt", "createdDate", "date"]),
            ))
        }
        _ => None,
    }
}

/// The URL without its query: signatures differ between answers for the same file.
fn path_of(url: &str) -> Option<String> {
    url.split(['?', '#']).next().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(files: Value, origin: Option<&str>) -> ImageHeader {
        serde_json::from_value(serde_json::json!({
            "id": "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe",
            "headerData": {"preview": origin.map(|o| serde_json::json!({"preview": "p", "origin": o}))},
            "files": files,
        }))
        .unwrap()
    }

    #[test]
    fn string_entries_are_listed_with_the_current_one_marked() {
        let h = header(
            serde_json::json!([
                "https://cdn/x/1/a%20b.png?sig=1",
                "https://cdn/y/1/c.psd?sig=2"
            ]),
            Some("https://cdn/y/1/c.psd?sig=3"),
        );
        let files = image_files(&h);
        assert_eq!(files.len(), 2);
        assert_eq!(
            (files[0].number, files[0].name.as_str(), files[0].current),
            (1, "a b.png", false)
        );
        assert_eq!(
            (files[1].number, files[1].name.as_str(), files[1].current),
            (2, "c.psd", true)
        );
        assert_eq!(files[1].size, None);
    }

    #[test]
    fn object_entries_give_size_and_date() {
        let h = header(
            serde_json::json!([{"url": "https://cdn/z.tif", "fileName": "art.tif", "size": 42, "createdAt": "2026-01-02T00:00:00Z"}, 7]),
            None,
        );
        let files = image_files(&h);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].name, "art.tif");
        assert_eq!(files[0].size, Some(42));
        assert_eq!(files[0].created_at.as_deref(), Some("2026-01-02T00:00:00Z"));
    }

    #[test]
    fn no_files_but_an_origin_lists_the_origin() {
        let files = image_files(&header(Value::Null, Some("https://cdn/o.jpg")));
        assert_eq!(files.len(), 1);
        assert!(files[0].current);
        assert!(image_files(&header(Value::Null, None)).is_empty());
    }
}
