//! Connection settings from the same `BEPRODUCT_*` environment variables the desktop app
//! reads. Values are never printed; errors name the variables only.

use beproduct::{Client, Config};

const COMPANY_DOMAIN: &str = "BEPRODUCT_COMPANY_DOMAIN";
const CLIENT_ID: &str = "BEPRODUCT_CLIENT_ID";
const CLIENT_SECRET: &str = "BEPRODUCT_CLIENT_SECRET";
const REFRESH_TOKEN: &str = "BEPRODUCT_REFRESH_TOKEN";
const API_URL: &str = "BEPRODUCT_API_URL";
const TOKEN_URL: &str = "BEPRODUCT_TOKEN_URL";

/// Builds the configuration from `get` (the environment in `main`, a map in tests).
pub fn config_from(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
    let get = |name: &str| {
        get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let required = [COMPANY_DOMAIN, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN];
    let values: Vec<Option<String>> = required.iter().map(|n| get(n)).collect();
    let missing: Vec<&str> = required
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "missing credentials: set {} (the same BEPRODUCT_* variables the desktop app reads).",
            missing.join(", ")
        ));
    }
    let mut values = values.into_iter().flatten();
    let mut next = || values.next().unwrap_or_default();
    let (company, client_id, secret, refresh) = (next(), next(), next(), next());
    let mut config = Config::new(company, client_id, secret, refresh);
    if let Some(url) = get(API_URL) {
        config = config.with_api_url(url);
    }
    if let Some(url) = get(TOKEN_URL) {
        config = config.with_token_url(url);
    }
    Ok(config)
}

pub fn client_from_env() -> Result<Client, String> {
    let config = config_from(|name| std::env::var(name).ok())?;
    Client::new(config)
        .map_err(|e| format!("the BeProduct connection settings are not usable: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn names_missing_variables_without_showing_values() {
        let env: HashMap<&str, &str> = [
            (COMPANY_DOMAIN, "acme"),
            (CLIENT_SECRET, "very-secret-value"),
        ]
        .into();
        let err = config_from(|n| env.get(n).map(|v| v.to_string())).unwrap_err();
        assert!(
            err.contains(CLIENT_ID) && err.contains(REFRESH_TOKEN),
            "{err}"
        );
        assert!(!err.contains(COMPANY_DOMAIN) && !err.contains("very-secret-value"));
    }

    #[test]
    fn reads_urls_when_given() {
        let env: HashMap<&str, &str> = [
            (COMPANY_DOMAIN, "acme"),
            (CLIENT_ID, "id"),
            (CLIENT_SECRET, "s"),
            (REFRESH_TOKEN, "r"),
            (API_URL, "http://127.0.0.1:9/"),
        ]
        .into();
        let config = config_from(|n| env.get(n).map(|v| v.to_string())).unwrap();
        assert_eq!(config.company_domain, "acme");
        assert_eq!(config.api_url, "http://127.0.0.1:9");
        assert_eq!(config.token_url, beproduct::DEFAULT_TOKEN_URL);
    }
}
