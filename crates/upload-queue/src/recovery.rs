//! Deciding what already happened on the server when a create or upload may have
//! reached it (a lost answer, a crash), so nothing is sent twice; and spotting files
//! that changed on disk after they were queued.
//!
//! Rules:
//! * Create: every NewImage job records the header number it assigns before the create
//!   is sent. An image with that number in the job's folder is the job's image.
//! * Upload: before an upload is sent the job records a fingerprint of the image
//!   (version field, number of files, preview origin). The upload landed when any of
//!   these changed afterwards. Servers apply an upload to the header only once it is
//!   processed, so an unchanged header is watched for `upload_settle` before the
//!   upload is judged lost and sent again. (Other people's uploads to the same image
//!   in that window would be taken for ours; the queue itself never runs two uploads
//!   to one image at a time.)

use crate::job::Source;
use crate::journal::JobRecord;
use crate::preflight;
use beproduct::{Client, ImageHeader};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFingerprint {
    pub version: Option<String>,
    pub file_count: usize,
    pub preview_origin: Option<String>,
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
            preview_origin: header.origin_url().map(str::to_owned),
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
        now.file_count > self.file_count
            || now.version != self.version
            || (now.preview_origin.is_some() && now.preview_origin != self.preview_origin)
    }
}

/// Result of asking the server about a create whose answer was lost.
pub enum CreateCheck {
    Created {
        image_id: String,
        fingerprint: ImageFingerprint,
    },
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
            Ok(CreateCheck::Created {
                fingerprint: ImageFingerprint::of(&h),
                image_id: h.id,
            })
        }
        _ => Ok(CreateCheck::NotCreated),
    }
}

pub enum UploadCheck {
    Landed,
    /// Not there after the settle time; carries the image as it is now.
    NotLanded(ImageFingerprint),
}

/// Watches the image for up to `settle` (fast at first, then slower) for the upload to show.
pub async fn check_upload(
    client: &Client,
    image_id: &str,
    before: &ImageFingerprint,
    settle: Duration,
) -> Result<UploadCheck, beproduct::Error> {
    let deadline = Instant::now() + settle;
    let mut interval = Duration::from_millis(200);
    loop {
        let now_fp = ImageFingerprint::of(&client.get_image(image_id).await?);
        if before.changed_in(&now_fp) {
            return Ok(UploadCheck::Landed);
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(UploadCheck::NotLanded(now_fp));
        }
        tokio::time::sleep(interval.min(deadline - now)).await;
        interval = (interval * 2).min(Duration::from_secs(5));
    }
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
}
