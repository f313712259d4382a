//! The BeProduct connection from the same `BEPRODUCT_*` environment variables the desktop app
//! and `bp-upload` read. Values are never printed; errors name the variables only.

use beproduct::env::client_from_env;
use image_library::ImageLibrary;

use crate::error::CliError;

pub fn library_from_env() -> Result<ImageLibrary, CliError> {
    client_from_env(|name| std::env::var(name).ok())
        .map(ImageLibrary::new)
        .map_err(CliError::Usage)
}
