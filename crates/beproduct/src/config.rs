//! Connection settings. `Debug` never shows the client secret or the refresh token.

use std::time::Duration;

use crate::retry::RetryPolicy;
use crate::secret::Secret;

pub const DEFAULT_API_URL: &str = "https://developers.beproduct.com";
pub const DEFAULT_TOKEN_URL: &str = "https://id.winks.io/ids/connect/token";

#[derive(Debug, Clone)]
pub struct Config {
    /// Tenant slug from the web UI URL, e.g. `SampleCompany`.
    pub company_domain: String,
    /// Public API root without the `/api/{company}` part; trailing slashes are stripped.
    /// Must be https, unless the host is loopback (a local sandbox).
    pub api_url: String,
    /// OAuth2 token endpoint (refresh-token grant); https unless loopback, like `api_url`.
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub refresh_token: Secret,
    /// Retry and timeout settings; `RetryPolicy::fast()` for tests.
    pub retry: RetryPolicy,
    /// What identifies the server's data across runs (see `Client::server_key`); `None` = the
    /// API base URL with the company. Set it where the URL changes between runs (a local
    /// sandbox on a random port) but the data does not.
    pub server_key: Option<String>,
    /// Limits for `Client::upload_from_url`.
    pub source_limits: SourceLimits,
}

/// Limits for fetching an upload source from a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLimits {
    /// Largest source accepted, enforced while it streams (default 50 MiB): a larger one is
    /// `Error::TooLarge`, cut off before the upload's last byte.
    pub max_bytes: u64,
    /// Longest the whole download may take, redirects included (default 10 minutes).
    pub deadline: Duration,
}

impl Default for SourceLimits {
    fn default() -> Self {
        SourceLimits {
            max_bytes: 50 * 1024 * 1024,
            deadline: Duration::from_secs(600),
        }
    }
}

impl Config {
    pub fn new(
        company_domain: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        refresh_token: impl Into<Secret>,
    ) -> Config {
        Config {
            company_domain: company_domain.into().trim().to_owned(),
            api_url: DEFAULT_API_URL.to_owned(),
            token_url: DEFAULT_TOKEN_URL.to_owned(),
            client_id: client_id.into().trim().to_owned(),
            client_secret: client_secret.into(),
            refresh_token: refresh_token.into(),
            retry: RetryPolicy::default(),
            server_key: None,
            source_limits: SourceLimits::default(),
        }
    }

    pub fn with_api_url(mut self, url: impl Into<String>) -> Config {
        self.api_url = strip_trailing_slashes(&url.into());
        self
    }

    pub fn with_token_url(mut self, url: impl Into<String>) -> Config {
        self.token_url = url.into().trim().to_owned();
        self
    }

    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Config {
        self.retry = retry;
        self
    }

    pub fn with_server_key(mut self, key: impl Into<String>) -> Config {
        self.server_key = Some(key.into());
        self
    }

    pub fn with_source_limits(mut self, limits: SourceLimits) -> Config {
        self.source_limits = limits;
        self
    }
}

pub(crate) fn strip_trailing_slashes(url: &str) -> String {
    url.trim().trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_trailing_slashes() {
        let c = Config::new("Acme", "id", "sec", "rt");
        assert_eq!(c.api_url, DEFAULT_API_URL);
        assert_eq!(c.token_url, DEFAULT_TOKEN_URL);
        let c = c.with_api_url("http://127.0.0.1:8765///");
        assert_eq!(c.api_url, "http://127.0.0.1:8765");
    }

    #[test]
    fn debug_never_shows_secrets() {
        let c = Config::new(
            "Acme",
            "client-1",
            "very-secret-value",
            "refresh-token-value",
        );
        let text = format!("{c:?}");
        assert!(text.contains("client-1"));
        assert!(!text.contains("very-secret-value"), "{text}");
        assert!(!text.contains("refresh-token-value"), "{text}");
    }
}
