//! Serde models of the API's JSON, tolerant of its looseness: unknown keys are kept in `extra`,
//! nulls where a string or bool is expected become empty/false, field values are any JSON.

mod comment;
mod field_spec;
mod field_type;
mod field_values;
mod filter;
mod filter_spec;
mod folder;
mod header;
mod nullable;
mod people;
mod schema;
mod status;
mod tag;

pub use comment::Comment;
pub use field_spec::{ChoicesSource, FieldOption, FieldSpec, Widget};
pub use field_type::FieldType;
pub use field_values::display_text;
pub use filter::{Filter, FilterType, FilterValue, Operator, SearchQuery, MULTI_VALUE_SEPARATOR};
pub use filter_spec::{whole_day_utc, FilterOp, FilterSpec, FilterValueKind};
pub use folder::Folder;
pub use header::{
    FieldUpdate, FolderRef, HeaderData, HeaderField, ImageHeader, Page, Preview, PreviewUrls,
    UserRef, Variation,
};
pub use people::{DirectoryCompany, User};
pub use schema::{Choice, SchemaField};
pub use status::{ProcessingStatus, UploadResponse};
pub use tag::Tag;

/// Unknown keys of an object, kept so nothing the server sends is lost.
pub type Extra = serde_json::Map<String, serde_json::Value>;

#[cfg(test)]
mod field_tests;
#[cfg(test)]
mod filter_tests;
#[cfg(test)]
mod tests;
