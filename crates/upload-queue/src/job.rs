//! Job types and states shared by the journal, the workers and the public API.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A job id (UUID v4 string). Stable across restarts: it is the journal's primary key.
pub type JobId = String;

/// Where the bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Source {
    /// A local file; streamed from disk by the client.
    Path { path: PathBuf },
    /// An http(s) URL; the client downloads and streams it on.
    Url { url: String },
}

/// Where the file goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Target {
    /// Upload as a new version of an existing image.
    Version { image_id: String },
    /// Create a new image in the folder (number and name from the file name), then upload to it.
    NewImage { folder_id: String },
}

/// One field value a new image is created with, as the API takes it (already encoded by the
/// folder's rules: `image_library::encode_fields`). The queue sends it as it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldValue {
    pub id: String,
    pub value: serde_json::Value,
}

impl FieldValue {
    pub fn new(id: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        FieldValue {
            id: id.into(),
            value: value.into(),
        }
    }
}

/// The fields the queue itself fills in on a new image: its number and name come from the
/// file name, so preset values cannot set them.
pub const FILE_NAME_FIELDS: [&str; 2] = ["header_number", "header_name"];

/// Why `fields` cannot go with `target`, if they cannot: only new images take preset values,
/// and never the number or name (those come from the file name).
pub fn fields_problem(target: &Target, fields: &[FieldValue]) -> Option<String> {
    if fields.is_empty() {
        return None;
    }
    if let Target::Version { .. } = target {
        return Some(
            "field values apply only to new images; a new version keeps its image's fields.".into(),
        );
    }
    if let Some(f) = fields.iter().find(|f| {
        FILE_NAME_FIELDS
            .iter()
            .any(|n| f.id.eq_ignore_ascii_case(n))
    }) {
        return Some(format!(
            "'{}' comes from each file's name when uploading; leave it out of the values for new images.",
            f.id
        ));
    }
    fields.iter().enumerate().find_map(|(i, f)| {
        fields[..i]
            .iter()
            .any(|g| g.id.eq_ignore_ascii_case(&f.id))
            .then(|| format!("'{}' is given twice; give each field one value.", f.id))
    })
}

/// A new image's number and name chosen by the caller (an intake naming rule), instead of the
/// file name's stem. A number already taken still gets the job's suffix, as a stem does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Naming {
    pub number: String,
    pub name: String,
}

/// One file the caller wants uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobRequest {
    pub source: Source,
    pub target: Target,
    /// For `Target::NewImage`: field values the image is created with (besides the number and
    /// name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldValue>,
    /// For `Target::NewImage`: the number and name; `None` takes them from the file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub naming: Option<Naming>,
}

impl JobRequest {
    pub fn file(path: impl Into<PathBuf>, target: Target) -> Self {
        JobRequest {
            source: Source::Path { path: path.into() },
            target,
            fields: Vec::new(),
            naming: None,
        }
    }
    pub fn url(url: impl Into<String>, target: Target) -> Self {
        JobRequest {
            source: Source::Url { url: url.into() },
            target,
            fields: Vec::new(),
            naming: None,
        }
    }
    /// The new image is created with `fields` (see `FieldValue`).
    pub fn with_fields(mut self, fields: Vec<FieldValue>) -> Self {
        self.fields = fields;
        self
    }
    /// The new image gets this number and name instead of the file name's (see `Naming`).
    pub fn with_naming(mut self, naming: Naming) -> Self {
        self.naming = Some(naming);
        self
    }
}

/// Lifecycle: Queued → [Checking] → [Creating] → Uploading → Processing → Done,
/// or one of the end states Failed / Cancelled / Duplicate / Changed / MayHaveLanded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum JobState {
    Queued,
    /// A create or upload may have reached the server; asking the server before sending again.
    Checking,
    Creating,
    Uploading,
    /// The server has the file and is processing it; no upload slot is held.
    Processing,
    Done,
    Failed {
        reason: String,
        /// Sending the same file again cannot help (too large, refused by the server, cannot
        /// be processed); `bp-upload --resume` leaves such jobs alone.
        #[serde(default)]
        permanent: bool,
    },
    Cancelled,
    /// Same content (SHA-256) as another job for the same target; not sent unless `send_anyway`.
    Duplicate,
    /// The file changed on disk after it was queued; not sent.
    Changed,
    /// The upload's answer was lost and the file did not show on the image while the server
    /// could still have been processing it. Not sent again by itself: the user decides with
    /// `Queue::check_again` or `Queue::send_again`.
    MayHaveLanded,
}

impl JobState {
    /// A failure that Retry may overcome (transient trouble, a server not answering).
    pub fn failed(reason: impl Into<String>) -> JobState {
        JobState::Failed {
            reason: reason.into(),
            permanent: false,
        }
    }

    /// A failure that sending the same file again cannot overcome.
    pub fn refused(reason: impl Into<String>) -> JobState {
        JobState::Failed {
            reason: reason.into(),
            permanent: true,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Checking => "checking",
            JobState::Creating => "creating",
            JobState::Uploading => "uploading",
            JobState::Processing => "processing",
            JobState::Done => "done",
            JobState::Failed { .. } => "failed",
            JobState::Cancelled => "cancelled",
            JobState::Duplicate => "duplicate",
            JobState::Changed => "changed",
            JobState::MayHaveLanded => "mayHaveLanded",
        }
    }

    /// Rebuilds a state from its journal columns.
    pub fn from_parts(name: &str, reason: Option<String>, permanent: bool) -> Option<JobState> {
        Some(match name {
            "queued" => JobState::Queued,
            "checking" => JobState::Checking,
            "creating" => JobState::Creating,
            "uploading" => JobState::Uploading,
            "processing" => JobState::Processing,
            "done" => JobState::Done,
            "failed" => JobState::Failed {
                reason: reason.unwrap_or_else(|| "failed (no reason recorded)".into()),
                permanent,
            },
            "cancelled" => JobState::Cancelled,
            "duplicate" => JobState::Duplicate,
            "changed" => JobState::Changed,
            "mayHaveLanded" => JobState::MayHaveLanded,
            _ => return None,
        })
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            JobState::Failed { reason, .. } => Some(reason),
            _ => None,
        }
    }

    pub fn is_permanent_failure(&self) -> bool {
        matches!(
            self,
            JobState::Failed {
                permanent: true,
                ..
            }
        )
    }

    /// Nothing more will happen to the job without a user action.
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            JobState::Done
                | JobState::Failed { .. }
                | JobState::Cancelled
                | JobState::Duplicate
                | JobState::Changed
                | JobState::MayHaveLanded
        )
    }

    /// A worker task is running this job (it holds an upload slot).
    pub fn holds_slot(&self) -> bool {
        matches!(
            self,
            JobState::Checking | JobState::Creating | JobState::Uploading
        )
    }
}

/// What the UI sees of a job (also the `jobs()` snapshot).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    pub id: JobId,
    pub batch_id: String,
    pub source: Source,
    pub target: Target,
    /// For a new image: the field values it is created with (API values); absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldValue>,
    /// File name shown to the user (last URL segment for URLs).
    pub file_name: String,
    /// Header number this job assigns (NewImage only).
    pub header_number: Option<String>,
    pub header_name: Option<String>,
    /// File size in bytes (None for URLs until known).
    pub size: Option<u64>,
    pub sha256: Option<String>,
    pub state: JobState,
    /// The image the file went to (known after create for NewImage).
    pub image_id: Option<String>,
    /// The server's id for the upload (used to poll processing).
    pub upload_id: Option<String>,
    pub bytes_sent: u64,
    pub bytes_per_sec: Option<f64>,
    /// For `Duplicate`: the job whose file has the same content.
    pub duplicate_of: Option<JobId>,
    /// Found unfinished in the journal when the queue was opened; waits for
    /// `resume_interrupted` or `discard_interrupted`.
    pub interrupted: bool,
    /// The server (and company) the job belongs to (`beproduct::Client::server_key`); `None`
    /// until a client first runs it.
    pub server_key: Option<String>,
    /// The job belongs to another server than the current client's: it waits, untouched,
    /// until that server's client is set again.
    pub waiting_for_server: bool,
    pub attempts: u32,
    /// Milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_go_with_new_images_only_and_never_name_the_number_or_name_or_a_field_twice() {
        let folder = Target::NewImage {
            folder_id: "f".into(),
        };
        let season = FieldValue::new("season", "Fall");
        assert_eq!(fields_problem(&folder, &[]), None);
        assert_eq!(fields_problem(&folder, std::slice::from_ref(&season)), None);
        let version = Target::Version {
            image_id: "i".into(),
        };
        assert!(fields_problem(&version, std::slice::from_ref(&season))
            .unwrap()
            .contains("only to new images"));
        assert_eq!(fields_problem(&version, &[]), None);
        let named = FieldValue::new("Header_Name", "x");
        assert!(fields_problem(&folder, &[season.clone(), named])
            .unwrap()
            .contains("'Header_Name' comes from each file's name"));
        let twice = FieldValue::new("SEASON", "Winter");
        assert!(fields_problem(&folder, &[season, twice])
            .unwrap()
            .contains("'SEASON' is given twice"));
    }
}
