//! Serde models of the API's JSON, tolerant of its looseness: unknown keys are kept in `extra`,
//! nulls where a string or bool is expected become empty/false, field values are any JSON.

mod field_type;
mod filter;
mod folder;
mod header;
mod nullable;
mod schema;
mod status;

pub use field_type::FieldType;
pub use filter::{Filter, FilterValue, Operator, SearchQuery, MULTI_VALUE_SEPARATOR};
pub use folder::Folder;
pub use header::{
    FieldUpdate, FolderRef, HeaderData, HeaderField, ImageHeader, Page, Preview, PreviewUrls,
    UserRef, Variation,
};
pub use schema::{Choice, SchemaField};
pub use status::{ProcessingStatus, UploadResponse};

/// Unknown keys of an object, kept so nothing the server sends is lost.
pub type Extra = serde_json::Map<String, serde_json::Value>;

#[cfg(test)]
mod tests;
