//! A local BeProduct: the Image master folder of the BeProduct Public API, wire-compatible with the
//! official SDKs, backed by SQLite and files in a data folder. See docs/ARCHITECTURE.md.
//!
//! Around the images it serves a demo tenant: every real field type in its folders, users
//! (`Users/List`), a partner directory (`Directory/Companies`), image tags, comment threads, the
//! search schema and ProblemDetails validation answers. Routes, shapes and the demo data are
//! listed in crates/sandbox/README.md.

mod api;
mod app;
mod auth;
mod comments;
mod config;
mod control_routes;
mod controls;
mod error;
mod fault_kinds;
mod faults;
mod fields;
mod formula;
mod header;
mod host_check;
mod json_errors;
mod media;
mod palette;
mod people;
mod people_api;
mod processing;
mod rich_values;
mod schema;
mod search;
mod seed;
mod server;
mod signing;
mod sources;
mod store;
mod stored_names;
mod tags;
mod throttle;
mod time_fmt;
mod upload;

pub use config::{Oversize, SandboxConfig, Seed};
pub use controls::Controls;
pub use error::SandboxError;
pub use fault_kinds::{FaultKind, FaultRule};
pub use search::MULTI_SEPARATOR;
pub use server::Sandbox;
pub use sources::SourceOptions;
