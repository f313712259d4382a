//! Which server file a working copy started from, to tell whether someone uploaded another
//! one since. Only the file counts: an attribute edit changes `modifiedAt` but not the file, so
//! `modifiedAt` is kept for display and not compared.

use beproduct::ImageHeader;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerBase {
    /// The image's `version` field.
    pub version: Option<String>,
    /// The original's URL without its query (signatures change on every answer).
    pub origin_path: Option<String>,
    /// How many files the image had.
    pub file_count: usize,
    pub modified_at: Option<String>,
}

impl ServerBase {
    pub fn of(image: &ImageHeader) -> ServerBase {
        let version = image.field("version").and_then(|f| match &f.value {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        });
        ServerBase {
            version,
            origin_path: image.origin_url().map(without_query),
            file_count: image.files.as_ref().map_or(0, Vec::len),
            modified_at: image.modified_at.clone(),
        }
    }

    /// The image on the server (`now`) holds another file than the one this base names.
    pub fn file_changed_in(&self, now: &ServerBase) -> bool {
        now.version != self.version
            || now.file_count != self.file_count
            || now.origin_path != self.origin_path
    }
}

fn without_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(version: &str, origin: &str, files: usize, modified: &str) -> ImageHeader {
        let files: Vec<String> = (0..files).map(|i| format!("https://cdn/{i}.png")).collect();
        serde_json::from_value(serde_json::json!({
            "id": "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe",
            "headerData": {
                "fields": [{"id": "version", "name": "Version", "value": version, "type": "Text"}],
                "preview": {"preview": "p", "origin": origin},
            },
            "files": files,
            "modifiedAt": modified,
        }))
        .unwrap()
    }

    #[test]
    fn a_new_signature_or_an_attribute_edit_is_not_a_new_file() {
        let base = ServerBase::of(&header("2", "https://cdn/f/1/a.psd?sig=1", 2, "t1"));
        let resigned = ServerBase::of(&header("2", "https://cdn/f/1/a.psd?sig=2", 2, "t2"));
        assert!(!base.file_changed_in(&resigned));
        let uploaded = ServerBase::of(&header("3", "https://cdn/g/1/a.psd?sig=3", 3, "t3"));
        assert!(base.file_changed_in(&uploaded));
        assert_eq!(base.version.as_deref(), Some("2"));
        assert_eq!(base.origin_path.as_deref(), Some("https://cdn/f/1/a.psd"));
    }
}
