//! Connection settings from the same `BEPRODUCT_*` environment variables the desktop app
//! reads. Values are never printed; errors name the variables only.

use beproduct::env::{read_env, EnvRead, REQUIRED};
use beproduct::{Client, Config};

/// Builds the configuration from `get` (the environment in `main`, a map in tests).
pub fn config_from(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
    match read_env(get) {
        EnvRead::Complete(credentials) => Ok(credentials.to_config()),
        EnvRead::Unset => Err(missing_message(&REQUIRED)),
        EnvRead::Incomplete { missing } => Err(missing_message(&missing)),
    }
}

fn missing_message(missing: &[&str]) -> String {
    format!(
        "missing credentials: set {} (the same BEPRODUCT_* variables the desktop app reads).",
        missing.join(", ")
    )
}

pub fn client_from_env() -> Result<Client, String> {
    let config = config_from(|name| std::env::var(name).ok())?;
    Client::new(config)
        .map_err(|e| format!("the BeProduct connection settings are not usable: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use beproduct::env::{
        ENV_API_URL, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_COMPANY_DOMAIN, ENV_REFRESH_TOKEN,
    };
    use std::collections::HashMap;

    #[test]
    fn names_missing_variables_without_showing_values() {
        let env: HashMap<&str, &str> = [
            (ENV_COMPANY_DOMAIN, "acme"),
            (ENV_CLIENT_SECRET, "very-secret-value"),
        ]
        .into();
        let err = config_from(|n| env.get(n).map(|v| v.to_string())).unwrap_err();
        assert!(
            err.contains(ENV_CLIENT_ID) && err.contains(ENV_REFRESH_TOKEN),
            "{err}"
        );
        assert!(!err.contains(ENV_COMPANY_DOMAIN) && !err.contains("very-secret-value"));
    }

    #[test]
    fn reads_urls_when_given() {
        let env: HashMap<&str, &str> = [
            (ENV_COMPANY_DOMAIN, "acme"),
            (ENV_CLIENT_ID, "id"),
            (ENV_CLIENT_SECRET, "s"),
            (ENV_REFRESH_TOKEN, "r"),
            (ENV_API_URL, "http://127.0.0.1:9/"),
        ]
        .into();
        let config = config_from(|n| env.get(n).map(|v| v.to_string())).unwrap();
        assert_eq!(config.company_domain, "acme");
        assert_eq!(config.api_url, "http://127.0.0.1:9");
        assert_eq!(config.token_url, beproduct::DEFAULT_TOKEN_URL);
    }
}
