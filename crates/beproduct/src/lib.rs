//! Async client for the BeProduct Public API, Image master folder.
//!
//! ```no_run
//! # async fn demo() -> beproduct::Result<()> {
//! use beproduct::{Client, Config};
//! let client = Client::new(Config::new("SampleCompany", "client-id", "client-secret", "refresh-token"))?
//!     .on_refresh_token_rotated(|new_token| { /* store new_token in the keychain */ let _ = new_token; });
//! for folder in client.folders().await? {
//!     println!("{}", folder.name);
//! }
//! # Ok(()) }
//! ```

mod address_guard;
mod auth;
mod body_watch;
mod capped;
mod client;
mod comments;
mod config;
mod credentials;
mod directory;
mod directory_cache;
mod download;
pub mod env;
mod error;
mod http;
mod ids;
mod image_kind;
mod images;
pub mod models;
mod paging;
mod retry;
mod secret;
mod source;
mod tags;
mod upload;

pub use client::{parse_service_url, Client};
pub use config::{Config, SourceLimits, DEFAULT_API_URL, DEFAULT_TOKEN_URL};
pub use credentials::Credentials;
pub use directory::{DIRECTORY_MAX_PAGES, DIRECTORY_PAGE_SIZE};
pub use directory_cache::{Directory, DIRECTORY_TTL};
pub use download::Downloaded;
pub use error::{Error, ErrorKind, FieldError, Result};
pub use ids::{is_guid, validate_guid};
pub use image_kind::{sniff_image, ImageKind, ACCEPTED_IMAGE_FORMATS, SNIFF_LEN};
pub use models::{
    display_text, whole_day_utc, Choice, ChoicesSource, Comment, DirectoryCompany, FieldOption,
    FieldSpec, FieldType, FieldUpdate, Filter, FilterOp, FilterSpec, FilterType, FilterValue,
    FilterValueKind, Folder, FolderRef, HeaderData, HeaderField, ImageHeader, Operator, Page,
    Preview, PreviewUrls, ProcessingStatus, SchemaField, SearchQuery, Tag, User, UserRef,
    Variation, Widget, MULTI_VALUE_SEPARATOR,
};
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use upload::{url_file_name, ProgressFn};
