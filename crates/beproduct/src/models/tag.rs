use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{nullable, Extra};

/// A tag (`GET Tag/Image/List`, `GET Tag/Header/{id}`), after the TS SDK's `TagSchema`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    #[serde(default, deserialize_with = "nullable::string")]
    pub id: String,
    #[serde(deserialize_with = "nullable::string")]
    pub name: String,
    #[serde(default)]
    pub integration: Option<String>,
    #[serde(default)]
    pub tag_date: Option<String>,
    /// User ids in the TS SDK; kept as sent.
    #[serde(default)]
    pub tag_users: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Extra,
}
