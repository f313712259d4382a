//! Deciding what already happened on the server when a create or upload may have
//! reached it (a lost answer, a crash), so nothing is sent twice; and spotting files
//! that changed on disk after they were queued.
//!
//! Rules:
//! * Create: every NewImage job records the header number it assigns before the create
//!   is sent. An image with that number in the job's folder is the job's image.
//! * Upload: right before every send the job takes a fresh fingerprint of the image
//!   (version field, number of files, the PATH of the original's URL) and journals it.
//!   The upload landed when any of these changed afterwards. The URL's query is left out:
//!   real servers sign media URLs anew on every answer (`?se=…&sig=…`), which says nothing
//!   about a new file. Servers apply an upload to the header only once it is processed,
//!   so after a lost answer the image is watched until the server must have finished
//!   (`processing_timeout`); if the file never shows, the user decides (may have landed).
//!   (Other people's uploads to the same image in that window would be taken for ours;
//!   the queue itself never runs two uploads to one image at a time.)

use crate::job::Source;
use crate::journal::JobRecord;
use crate::preflight;
use beproduct::{Client, ImageHeader};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFingerprint {
    pub version: Option<String>,
    pub file_count: usize,
    /// The original's URL without query or fragment (older journals hold the whole URL;
    /// comparisons strip it again).
    pub preview_origin: Option<String>,
}

/// The part of a media URL that names the file: scheme, host and path, without the query
/// (a signature that changes on every answer) or fragment.
pub fn origin_path(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        // Not absolute (a relative path some servers send): cut at the first '?' or '#'.
        Err(_) => url.split(['?', '#']).next().unwrap_or_default().to_owned(),
    }
}

impl ImageFingerprint {
    pub fn of(header: &ImageHeader) -> Self {
        let version = header.field("version").map(|f| match &f.value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        ImageFingerprint {
            version,
            file_count: header.files.as_ref().map_or(0, |f| f.len()),
            preview_origin: header.origin_url().map(origin_path),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    /// The image shows a new upload since `self` was taken.
    pub fn changed_in(&self, now: &ImageFingerprint) -> bool {
        let path = |f: &ImageFingerprint| f.preview_origin.as_deref().map(origin_path);
        now.file_count > self.file_count
            || now.version != self.version
            || (now.preview_origin.is_some() && path(now) != path(self))
    }
}

/// Result of asking the server about a create whose answer was lost.
pub enum CreateCheck {
    Created { image_id: String },
    NotCreated,
}

pub async fn check_create(
    client: &Client,
    number: &str,
    folder_id: &str,
) -> Result<CreateCheck, beproduct::Error> {
    match client.get_image_by_number(number).await? {
        Some(h)
            if h.header_number == number
                && h.folder
                    .as_ref()
                    .is_none_or(|f| f.id.eq_ignore_ascii_case(folder_id)) =>
        {
            Ok(CreateCheck::Created { image_id: h.id })
        }
        _ => Ok(CreateCheck::NotCreated),
    }
}

/// Result of one look at an image after an upload whose answer was lost.
pub enum UploadCheck {
    /// The file shows on the image (the header as it is now).
    Landed(Box<ImageHeader>),
    NotYet,
}

pub async fn check_upload(
    client: &Client,
    image_id: &str,
    before: &ImageFingerprint,
) -> Result<UploadCheck, beproduct::Error> {
    let header = client.get_image(image_id).await?;
    Ok(if before.changed_in(&ImageFingerprint::of(&header)) {
        UploadCheck::Landed(Box::new(header))
    } else {
        UploadCheck::NotYet
    })
}

/// What changed about a local file since it was queued, if anything.
pub fn file_change(rec: &JobRecord, full: bool) -> Option<String> {
    let Source::Path { path } = &rec.source else {
        return None;
    };
    let name = &rec.file_name;
    let (size, mtime) = match preflight::stat(path) {
        Ok(s) => s,
        Err(e) => return Some(format!("{name} can no longer be read ({e}).")),
    };
    if Some(size) != rec.size {
        return Some(format!(
            "{name} changed on disk after it was queued (size {} → {}).",
            preflight::format_size(rec.size.unwrap_or(0)),
            preflight::format_size(size)
        ));
    }
    if Some(mtime) != rec.mtime_ns {
        return Some(format!(
            "{name} changed on disk after it was queued (modified again)."
        ));
    }
    if full {
        match preflight::sha256_file(path) {
            Ok(sha) if Some(&sha) != rec.sha256.as_ref() => {
                return Some(format!(
                    "{name} changed on disk after it was queued (content differs)."
                ))
            }
            Err(e) => return Some(format!("{name} can no longer be read ({e}).")),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(version: &str, files: usize, origin: Option<&str>) -> ImageFingerprint {
        ImageFingerprint {
            version: Some(version.into()),
            file_count: files,
            preview_origin: origin.map(Into::into),
        }
    }

    #[test]
    fn an_upload_shows_as_any_change() {
        let before = fp("1", 0, None);
        assert!(!before.changed_in(&fp("1", 0, None)));
        assert!(before.changed_in(&fp("2", 0, None)));
        assert!(before.changed_in(&fp("1", 1, None)));
        assert!(before.changed_in(&fp("1", 0, Some("http://x/a.png"))));
        let round = ImageFingerprint::from_json(&before.to_json()).unwrap();
        assert_eq!(round, before);
    }

    #[test]
    fn a_new_signature_on_the_same_file_is_not_an_upload() {
        let signed = |sig: &str| {
            format!("https://media.example/acme/files/f1/front%20print.png?se=2030&sig={sig}#x")
        };
        assert_eq!(
            origin_path(&signed("abc")),
            "https://media.example/acme/files/f1/front%20print.png"
        );
        // A fingerprint as an older journal stored it (whole URL) against a fresh one.
        let before = fp("1", 1, Some(&signed("abc")));
        let same_file = fp("1", 1, Some(&origin_path(&signed("xyz"))));
        assert!(!before.changed_in(&same_file));
        assert!(!before.changed_in(&fp("1", 1, Some(&signed("xyz")))));
        let other_file = fp(
            "1",
            1,
            Some("https://media.example/acme/files/f2/front%20print.png?sig=1"),
        );
        assert!(before.changed_in(&other_file));
        assert_eq!(origin_path("/files/f1/a.png?sig=1"), "/files/f1/a.png");
    }
}
