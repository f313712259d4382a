use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{nullable, Extra, FieldType};

/// An image header (`GET Image/Header/{id}`, search results, create/update answers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageHeader {
    #[serde(deserialize_with = "nullable::string")]
    pub id: String,
    #[serde(default, deserialize_with = "nullable::string")]
    pub header_number: String,
    #[serde(default, deserialize_with = "nullable::string")]
    pub header_name: String,
    #[serde(default)]
    pub folder: Option<FolderRef>,
    #[serde(default, deserialize_with = "header_data")]
    pub header_data: HeaderData,
    /// `null` or a list (documented as strings; kept as JSON in case of richer entries).
    #[serde(default)]
    pub files: Option<Vec<Value>>,
    #[serde(default)]
    pub created_by: Option<UserRef>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub modified_by: Option<UserRef>,
    #[serde(default)]
    pub modified_at: Option<String>,
    #[serde(default, deserialize_with = "nullable::boolean")]
    pub is_deleted: bool,
    #[serde(flatten)]
    pub extra: Extra,
}

impl ImageHeader {
    /// The field with this id in `headerData.fields`.
    pub fn field(&self, id: &str) -> Option<&HeaderField> {
        self.header_data.fields.iter().find(|f| f.id == id)
    }

    /// The preview image URL, if any (object `preview` or the plain string form).
    pub fn preview_url(&self) -> Option<&str> {
        self.header_data
            .preview
            .as_ref()
            .and_then(Preview::preview_url)
    }

    /// The original file URL, if any.
    pub fn origin_url(&self) -> Option<&str> {
        self.header_data
            .preview
            .as_ref()
            .and_then(Preview::origin_url)
    }
}

fn header_data<'de, D: serde::Deserializer<'de>>(d: D) -> Result<HeaderData, D::Error> {
    Ok(Option::<HeaderData>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeaderData {
    #[serde(default, deserialize_with = "fields")]
    pub fields: Vec<HeaderField>,
    /// An object `{preview, origin}`, a plain URL string, or null/absent.
    #[serde(default)]
    pub preview: Option<Preview>,
    #[serde(default)]
    pub variations: Option<Vec<Variation>>,
    #[serde(flatten)]
    pub extra: Extra,
}

fn fields<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<HeaderField>, D::Error> {
    Ok(Option::<Vec<HeaderField>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeaderField {
    #[serde(deserialize_with = "nullable::string")]
    pub id: String,
    #[serde(default, deserialize_with = "nullable::string")]
    pub name: String,
    /// Any JSON: string, number, bool, array, object or null, depending on the field type.
    #[serde(default)]
    pub value: Value,
    #[serde(rename = "type", default)]
    pub field_type: Option<FieldType>,
    #[serde(default, deserialize_with = "nullable::boolean")]
    pub required: bool,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Preview {
    Object(PreviewUrls),
    Url(String),
}

impl Preview {
    pub fn preview_url(&self) -> Option<&str> {
        let url = match self {
            Preview::Object(p) => p.preview.as_deref(),
            Preview::Url(u) => Some(u.as_str()),
        };
        url.filter(|u| !u.is_empty())
    }

    pub fn origin_url(&self) -> Option<&str> {
        match self {
            Preview::Object(p) => p.origin.as_deref().filter(|u| !u.is_empty()),
            Preview::Url(_) => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PreviewUrls {
    #[serde(default)]
    pub preview: Option<String>,
    #[serde(default)]
    pub origin: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Variation {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub source_file: Option<String>,
    #[serde(default)]
    pub preview: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FolderRef {
    #[serde(default, deserialize_with = "nullable::string")]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRef {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One `{id, value}` entry of a create/update body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldUpdate {
    pub id: String,
    pub value: Value,
}

impl FieldUpdate {
    pub fn new(id: impl Into<String>, value: impl Into<Value>) -> Self {
        FieldUpdate {
            id: id.into(),
            value: value.into(),
        }
    }
}

/// The paging envelope `{"result": [...], "total": N}`; `total` counts all matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub result: Vec<T>,
    #[serde(default)]
    pub total: u64,
}
