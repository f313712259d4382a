//! The client handle: construction, configuration checks and shared state.
//!
//! The API and token URLs must be https; plain http is accepted only for a loopback host (a
//! local sandbox), and the refusal comes before any request. The HTTP client follows no
//! redirects, so neither a token request (client secret, refresh token) nor an API call (bearer
//! token, body) can be sent on to another host.

use std::sync::Arc;

use reqwest::Url;

use crate::address_guard::is_loopback_host;
use crate::auth::TokenSource;
use crate::config::{strip_trailing_slashes, Config};
use crate::error::{Error, Result};
use crate::http::{url_for_errors, Http};
use crate::secret::Secret;
use crate::source::SourceFetcher;

const USER_AGENT: &str = concat!("beproduct-images/", env!("CARGO_PKG_VERSION"));

/// A BeProduct Public API client. Cheap to clone; clones share the token cache.
#[derive(Clone)]
pub struct Client {
    pub(crate) http: Arc<Http>,
    /// Downloads upload sources (no BeProduct credentials on it; see `source`).
    pub(crate) source: Arc<SourceFetcher>,
    server_key: Arc<str>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(config: Config) -> Result<Client> {
        let company = config.company_domain.trim();
        if company.is_empty()
            || !company
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            || company.starts_with('.')
        {
            return Err(Error::InvalidInput(format!(
                "company domain {company:?} must be the tenant name from the BeProduct web address (letters, digits, - _ .), e.g. SampleCompany"
            )));
        }
        if config.client_id.trim().is_empty()
            || config.client_secret.is_empty()
            || config.refresh_token.is_empty()
        {
            return Err(Error::InvalidInput(
                "client id, client secret and refresh token are all required".into(),
            ));
        }
        let api = parse_service_url("API URL", &strip_trailing_slashes(&config.api_url))?;
        let base = Url::parse(&format!(
            "{}/api/{company}/",
            api.as_str().trim_end_matches('/')
        ))
        .map_err(|e| Error::InvalidInput(format!("API URL: {e}")))?;
        let token_url = parse_service_url("token URL", &config.token_url)?;

        let retry = config.retry.clone();
        // Per-request timeouts only (JSON and token requests have one; uploads are watched for
        // stalls instead), so a long upload over a slow link is never cut off by a timer.
        let api_http = reqwest::Client::builder()
            .connect_timeout(retry.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| Error::InvalidInput(format!("HTTP client could not be set up: {e}")))?;
        let source = SourceFetcher::new(
            &api,
            config.source_limits.clone(),
            retry.connect_timeout,
            USER_AGENT,
        )?;
        let auth = TokenSource::new(
            api_http.clone(),
            token_url,
            config.client_id.trim().to_owned(),
            config.client_secret.clone(),
            config.refresh_token.clone(),
            retry.clone(),
        );
        let server_key: Arc<str> = match config.server_key.as_deref().map(str::trim) {
            Some(key) if !key.is_empty() => key.into(),
            _ => base.as_str().into(),
        };
        Ok(Client {
            http: Arc::new(Http::new(api_http, base, auth, retry)),
            source: Arc::new(source),
            server_key,
        })
    }

    /// Called with the new refresh token whenever the token endpoint rotates it; persist it.
    pub fn on_refresh_token_rotated(self, f: impl Fn(Secret) + Send + Sync + 'static) -> Client {
        self.http.auth().set_rotation_callback(Arc::new(f));
        self
    }

    /// Names the server and company this client works on (`https://host/api/Company/` unless
    /// the config set another key). Work recorded for one server (e.g. a journaled upload) must
    /// only be carried on, or checked, with a client of the same key.
    pub fn server_key(&self) -> &str {
        &self.server_key
    }

    /// The refresh token in use now (the newest one if it was rotated).
    pub fn current_refresh_token(&self) -> Secret {
        self.http.auth().current_refresh_token()
    }
}

/// The API or token URL: https, or plain http for a loopback host only (a local sandbox), so
/// credentials never cross a network unencrypted. Public so that forms can refuse a URL before
/// anything is saved, with the same rule and message as `Client::new`.
pub fn parse_service_url(what: &str, text: &str) -> Result<Url> {
    let url = Url::parse(text.trim())
        .map_err(|e| Error::InvalidInput(format!("{what} {text:?} is not a valid URL ({e})")))?;
    let secure = match url.scheme() {
        "https" => true,
        "http" => is_loopback_host(&url),
        _ => false,
    };
    if !secure || url.host_str().is_none() {
        return Err(Error::InvalidInput(format!(
            "{what} {} must start with https:// (plain http:// is accepted only for a local sandbox on 127.0.0.1, ::1 or localhost)",
            url_for_errors(&url)
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_configs_are_refused() {
        let ok = Config::new("Acme", "id", "s", "r");
        assert!(Client::new(ok.clone()).is_ok());
        for bad in [
            Config::new("../x", "id", "s", "r"),
            Config::new("", "id", "s", "r"),
            Config::new("Acme", "", "s", "r"),
            Config::new("Acme", "id", "", "r"),
            ok.clone().with_api_url("ftp://x"),
            ok.clone().with_token_url("nope"),
        ] {
            assert_eq!(Client::new(bad).unwrap_err().kind(), "invalid_input");
        }
    }

    #[test]
    fn server_key_names_url_and_company_unless_set() {
        let c = Config::new("Acme", "id", "s", "r").with_api_url("http://127.0.0.1:9/");
        assert_eq!(
            Client::new(c.clone()).unwrap().server_key(),
            "http://127.0.0.1:9/api/Acme/"
        );
        let keyed = c.with_server_key("embedded-sandbox");
        assert_eq!(Client::new(keyed).unwrap().server_key(), "embedded-sandbox");
    }
}
