use serde::{Deserialize, Serialize};

use super::{nullable, Extra};

/// An item of `GET Image/Folders`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Folder {
    #[serde(deserialize_with = "nullable::string")]
    pub id: String,
    #[serde(default, deserialize_with = "nullable::string")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}
