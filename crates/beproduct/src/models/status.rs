use serde::{Deserialize, Serialize};

use super::{nullable, Extra};

/// `GET Style/GetImageProcessingStatus/{id}`. Note the wire key `errorOccured` (one r).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessingStatus {
    #[serde(default, deserialize_with = "nullable::boolean")]
    pub finished: bool,
    #[serde(
        rename = "errorOccured",
        default,
        deserialize_with = "nullable::boolean"
    )]
    pub error_occured: bool,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl ProcessingStatus {
    pub fn succeeded(&self) -> bool {
        self.finished && !self.error_occured
    }

    pub fn failed(&self) -> bool {
        self.finished && self.error_occured
    }
}

/// The answer to an upload: `{"imageId": "<guid>", ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadResponse {
    pub image_id: String,
    #[serde(flatten)]
    pub extra: Extra,
}
