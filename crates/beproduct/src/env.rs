//! The `BEPRODUCT_*` environment variables: one set of names and one reading rule for every
//! program of the project (the desktop app's override, `bp-upload`).

use crate::{Client, Config, Credentials, Secret};

pub const ENV_COMPANY_DOMAIN: &str = "BEPRODUCT_COMPANY_DOMAIN";
pub const ENV_CLIENT_ID: &str = "BEPRODUCT_CLIENT_ID";
pub const ENV_CLIENT_SECRET: &str = "BEPRODUCT_CLIENT_SECRET";
pub const ENV_REFRESH_TOKEN: &str = "BEPRODUCT_REFRESH_TOKEN";
pub const ENV_API_URL: &str = "BEPRODUCT_API_URL";
pub const ENV_TOKEN_URL: &str = "BEPRODUCT_TOKEN_URL";

/// The four variables a connection cannot do without, in this order.
pub const REQUIRED: [&str; 4] = [
    ENV_COMPANY_DOMAIN,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_REFRESH_TOKEN,
];

/// What the environment holds: nothing, some required variables (the missing ones are named;
/// values are never part of it), or everything needed (values trimmed; empty counts as unset).
pub enum EnvRead {
    Unset,
    Incomplete { missing: Vec<&'static str> },
    Complete(Credentials),
}

/// Reads the variables through `get` (`std::env::var(..).ok()` in programs, a map in tests).
pub fn read_env(get: impl Fn(&str) -> Option<String>) -> EnvRead {
    let get = |name: &str| {
        get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let values: Vec<Option<String>> = REQUIRED.iter().map(|n| get(n)).collect();
    if values.iter().all(Option::is_none) {
        return EnvRead::Unset;
    }
    let missing: Vec<&'static str> = REQUIRED
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return EnvRead::Incomplete { missing };
    }
    let mut values = values.into_iter().flatten();
    let mut next = || values.next().unwrap_or_default();
    EnvRead::Complete(Credentials {
        company_domain: next(),
        client_id: next(),
        client_secret: Secret::new(next()),
        refresh_token: Secret::new(next()),
        api_url: get(ENV_API_URL),
        token_url: get(ENV_TOKEN_URL),
    })
}

/// The client configuration from the variables, or the sentence a command-line tool prints
/// naming what is missing (never a value).
pub fn config_from_env(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
    let missing = |names: &[&str]| {
        format!(
            "missing credentials: set {} (the same BEPRODUCT_* variables the desktop app reads).",
            names.join(", ")
        )
    };
    match read_env(get) {
        EnvRead::Complete(credentials) => Ok(credentials.to_config()),
        EnvRead::Unset => Err(missing(&REQUIRED)),
        EnvRead::Incomplete { missing: names } => Err(missing(&names)),
    }
}

/// A client from the variables (the command-line tools' connection), or what to fix.
pub fn client_from_env(get: impl Fn(&str) -> Option<String>) -> Result<Client, String> {
    Client::new(config_from_env(get)?)
        .map_err(|e| format!("the BeProduct connection settings are not usable: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn map(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn a_config_names_missing_variables_without_showing_values() {
        let err = config_from_env(map(&[
            (ENV_COMPANY_DOMAIN, "acme"),
            (ENV_CLIENT_SECRET, "very-secret-value"),
        ]))
        .unwrap_err();
        assert!(
            err.contains(ENV_CLIENT_ID) && err.contains(ENV_REFRESH_TOKEN),
            "{err}"
        );
        assert!(!err.contains(ENV_COMPANY_DOMAIN) && !err.contains("very-secret-value"));
        let config = config_from_env(map(&[
            (ENV_COMPANY_DOMAIN, "acme"),
            (ENV_CLIENT_ID, "id"),
            (ENV_CLIENT_SECRET, "s"),
            (ENV_REFRESH_TOKEN, "r"),
            (ENV_API_URL, "http://127.0.0.1:9/"),
        ]))
        .unwrap();
        assert_eq!(config.company_domain, "acme");
        assert_eq!(config.api_url, "http://127.0.0.1:9");
        assert_eq!(config.token_url, crate::DEFAULT_TOKEN_URL);
        let plain_http = client_from_env(map(&[
            (ENV_COMPANY_DOMAIN, "acme"),
            (ENV_CLIENT_ID, "id"),
            (ENV_CLIENT_SECRET, "s"),
            (ENV_REFRESH_TOKEN, "r"),
            (ENV_API_URL, "http://api.example.com"),
        ]))
        .map(|_| ())
        .unwrap_err();
        assert!(plain_http.contains("https://"), "{plain_http}");
    }

    fn read(pairs: &[(&str, &str)]) -> EnvRead {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        read_env(move |k| map.get(k).cloned())
    }

    #[test]
    fn unset_incomplete_or_complete() {
        assert!(matches!(read(&[(ENV_API_URL, "http://x")]), EnvRead::Unset));
        match read(&[(ENV_COMPANY_DOMAIN, "Acme"), (ENV_CLIENT_SECRET, "  ")]) {
            EnvRead::Incomplete { missing } => assert_eq!(
                missing,
                vec![ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_REFRESH_TOKEN]
            ),
            _ => panic!("expected Incomplete"),
        }
        let EnvRead::Complete(c) = read(&[
            (ENV_COMPANY_DOMAIN, " Acme "),
            (ENV_CLIENT_ID, "id"),
            (ENV_CLIENT_SECRET, "s"),
            (ENV_REFRESH_TOKEN, "r"),
            (ENV_TOKEN_URL, "http://127.0.0.1:9/t"),
        ]) else {
            panic!("expected Complete")
        };
        assert_eq!(
            (c.company_domain.as_str(), c.client_id.as_str()),
            ("Acme", "id")
        );
        assert_eq!(
            (c.client_secret.expose(), c.refresh_token.expose()),
            ("s", "r")
        );
        assert_eq!(c.api_url, None);
        assert_eq!(c.token_url.as_deref(), Some("http://127.0.0.1:9/t"));
    }
}
