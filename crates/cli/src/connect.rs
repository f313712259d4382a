//! The BeProduct connection from the same `BEPRODUCT_*` environment variables the desktop app
//! and `bp-upload` read. Values are never printed; errors name the variables only.

use beproduct::env::{read_env, EnvRead, REQUIRED};
use beproduct::{Client, Config};
use image_library::ImageLibrary;

use crate::error::CliError;

/// The configuration from `get` (the environment in `main`, a map in tests).
pub fn config_from(get: impl Fn(&str) -> Option<String>) -> Result<Config, CliError> {
    let env = match read_env(get) {
        EnvRead::Complete(env) => env,
        EnvRead::Unset => return Err(missing(&REQUIRED)),
        EnvRead::Incomplete { missing: names } => return Err(missing(&names)),
    };
    let mut config = Config::new(
        env.company_domain,
        env.client_id,
        env.client_secret,
        env.refresh_token,
    );
    if let Some(url) = env.api_url {
        config = config.with_api_url(url);
    }
    if let Some(url) = env.token_url {
        config = config.with_token_url(url);
    }
    Ok(config)
}

fn missing(names: &[&str]) -> CliError {
    CliError::Usage(format!(
        "missing credentials: set {} (the same BEPRODUCT_* variables the desktop app reads).",
        names.join(", ")
    ))
}

pub fn library_from_env() -> Result<ImageLibrary, CliError> {
    let config = config_from(|name| std::env::var(name).ok())?;
    let client = Client::new(config).map_err(|e| {
        CliError::Usage(format!(
            "the BeProduct connection settings are not usable: {e}"
        ))
    })?;
    Ok(ImageLibrary::new(client))
}

#[cfg(test)]
mod tests {
    use super::*;
    use beproduct::env::{ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_COMPANY_DOMAIN, ENV_REFRESH_TOKEN};
    use std::collections::HashMap;

    #[test]
    fn names_missing_variables_without_showing_values() {
        let env: HashMap<&str, &str> = [
            (ENV_COMPANY_DOMAIN, "acme"),
            (ENV_CLIENT_SECRET, "very-secret-value"),
        ]
        .into();
        let err = config_from(|n| env.get(n).map(|v| v.to_string()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(ENV_CLIENT_ID) && err.contains(ENV_REFRESH_TOKEN),
            "{err}"
        );
        assert!(!err.contains("very-secret-value"), "{err}");
    }
}
