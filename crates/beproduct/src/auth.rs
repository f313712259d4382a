//! Access-token cache and refresh-token grant.
//!
//! One `tokio::sync::Mutex` guards the token state and is held across a refresh, so concurrent
//! callers share a single in-flight refresh instead of each hitting the token endpoint.
//!
//! What the token endpoint's answers mean: 2xx is read with a 64 KiB cap; 429 and 503 are
//! waited out (`Retry-After` honoured up to `max_server_wait`), then end as `Error::Throttled` or
//! a transport error; any other 5xx and a lost answer are transport errors at once (see
//! `post_grant` on why they are not repeated); a 3xx is never followed (nothing is sent to the
//! other host) and, like any 4xx, is `Error::Auth`: the user must reconnect or fix the setup.

use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::Deserialize;
use tokio::sync::Mutex;

use crate::capped::{read_capped, read_prefix, size_text, ReadError, MESSAGE_CAP, TOKEN_CAP};
use crate::error::{Error, Result};
use crate::retry::{server_named_wait, RetryPolicy};
use crate::secret::Secret;

/// Refresh this long before `expires_in` runs out.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// Longest token lifetime believed; a larger `expires_in` would overflow `Instant` arithmetic.
const MAX_EXPIRES_IN_SECS: u64 = 30 * 24 * 3600;

pub(crate) type RotationCallback = Arc<dyn Fn(Secret) + Send + Sync>;

pub(crate) struct TokenSource {
    http: reqwest::Client,
    token_url: reqwest::Url,
    client_id: String,
    client_secret: Secret,
    refresh_token: StdMutex<Secret>,
    on_rotated: StdMutex<Option<RotationCallback>>,
    cached: Mutex<Option<CachedToken>>,
    retry: RetryPolicy,
}

struct CachedToken {
    access_token: Secret,
    refresh_at: Instant,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    refresh_token: Option<String>,
}

impl TokenSource {
    pub(crate) fn new(
        http: reqwest::Client,
        token_url: reqwest::Url,
        client_id: String,
        client_secret: Secret,
        refresh_token: Secret,
        retry: RetryPolicy,
    ) -> Self {
        TokenSource {
            http,
            token_url,
            client_id,
            client_secret,
            refresh_token: StdMutex::new(refresh_token),
            on_rotated: StdMutex::new(None),
            cached: Mutex::new(None),
            retry,
        }
    }

    pub(crate) fn set_rotation_callback(&self, f: RotationCallback) {
        *self.on_rotated.lock().unwrap_or_else(|e| e.into_inner()) = Some(f);
    }

    pub(crate) fn current_refresh_token(&self) -> Secret {
        self.refresh_token
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A valid access token, refreshing it first when it is missing or about to expire.
    pub(crate) async fn access_token(&self) -> Result<Secret> {
        let mut cached = self.cached.lock().await;
        if let Some(t) = cached.as_ref() {
            if Instant::now() < t.refresh_at {
                return Ok(t.access_token.clone());
            }
        }
        let fresh = self.refresh().await?;
        let token = fresh.access_token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// The API rejected `rejected` (401): refresh unless another caller already did.
    pub(crate) async fn refresh_after_rejection(&self, rejected: &Secret) -> Result<Secret> {
        let mut cached = self.cached.lock().await;
        if let Some(t) = cached.as_ref() {
            if &t.access_token != rejected && Instant::now() < t.refresh_at {
                return Ok(t.access_token.clone());
            }
        }
        let fresh = self.refresh().await?;
        let token = fresh.access_token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    async fn refresh(&self) -> Result<CachedToken> {
        let refresh_token = self.current_refresh_token();
        let form = [
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
        ];
        let bytes = self.post_grant(form_urlencode(&form)).await?;
        let parsed = parse_token_response(&bytes)?;
        let access_token = parsed
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Error::decode(
                    "access_token",
                    "the token endpoint answered without an access_token",
                )
            })?;
        let expires_in = parsed
            .expires_in
            .as_ref()
            .and_then(seconds)
            .unwrap_or(3600)
            .min(MAX_EXPIRES_IN_SECS);
        if let Some(new_rt) = parsed.refresh_token.filter(|t| !t.is_empty()) {
            if new_rt != refresh_token.expose() {
                let new_rt = Secret::new(new_rt);
                *self.refresh_token.lock().unwrap_or_else(|e| e.into_inner()) = new_rt.clone();
                let callback = self
                    .on_rotated
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                tracing::debug!("token endpoint rotated the refresh token");
                if let Some(cb) = callback {
                    cb(new_rt);
                }
            }
        }
        tracing::debug!(expires_in, "access token refreshed");
        Ok(CachedToken {
            access_token: Secret::new(access_token),
            refresh_at: Instant::now() + lifetime(Duration::from_secs(expires_in)),
        })
    }

    /// Posts the refresh-token grant until the token endpoint answers 2xx; returns that body.
    ///
    /// A grant is only sent again where the server certainly did not act: a refused connection,
    /// a 429 or a 503. A grant that may have reached it (a lost answer, a timeout, any other 5xx)
    /// may already have rotated the refresh token; resending the old one would then be refused
    /// as `invalid_grant` and wrongly ask the user to reconnect, so it ends as a transport
    /// error (the queue pauses, and the next call tries afresh).
    async fn post_grant(&self, form: String) -> Result<Bytes> {
        let mut throttled = 0usize;
        let mut transient = 0usize;
        loop {
            let sent = self
                .http
                .post(self.token_url.clone())
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .header(reqwest::header::ACCEPT, "application/json")
                .timeout(self.retry.request_timeout)
                .body(form.clone())
                .send()
                .await;
            let mut response = match sent {
                Ok(r) => r,
                Err(e) if e.is_connect() && transient < self.retry.transient_backoff.len() => {
                    self.back_off(None, &mut transient).await;
                    continue;
                }
                Err(e) => return Err(self.unavailable(describe_reqwest(&e))),
            };
            let status = response.status();
            if status.is_success() {
                return read_capped(&mut response, TOKEN_CAP)
                    .await
                    .map_err(|e| match e {
                        ReadError::TooLarge => Error::decode(
                            "$",
                            format!(
                                "the token endpoint's answer is larger than {}, the most the client reads",
                                size_text(TOKEN_CAP)
                            ),
                        ),
                        ReadError::Failed(e) => self.unavailable(describe_reqwest(&e)),
                    });
            }
            let headers = response.headers().clone();
            let body = read_prefix(&mut response, MESSAGE_CAP)
                .await
                .unwrap_or_default();
            let named_wait = server_named_wait(&headers, &body);
            match status.as_u16() {
                429 => {
                    let wait = named_wait.unwrap_or_else(|| {
                        self.retry.step(&self.retry.throttle_ladder, throttled)
                    });
                    if throttled >= self.retry.throttle_ladder.len()
                        || wait > self.retry.max_server_wait
                    {
                        return Err(Error::Throttled { retry_after: wait });
                    }
                    tokio::time::sleep(wait).await;
                    throttled += 1;
                }
                503 if transient < self.retry.transient_backoff.len() => {
                    let wait = named_wait.filter(|w| *w <= self.retry.max_server_wait);
                    self.back_off(wait, &mut transient).await;
                }
                300..=399 => {
                    return Err(Error::Auth(format!(
                        "BeProduct sign-in answered {} with {}. Check the token URL, then reconnect the BeProduct account.",
                        status.as_u16(),
                        crate::http::redirect_refusal(&headers, &self.token_url)
                    )))
                }
                400..=499 => return Err(self.refusal(status.as_u16(), &body)),
                // The body is not quoted: a token endpoint's answer may hold tokens.
                _ => {
                    return Err(self.unavailable(format!(
                        "the sign-in service answered HTTP {}",
                        status.as_u16()
                    )))
                }
            }
        }
    }

    /// Waits `wait` (or the next transient back-off step) before another grant.
    async fn back_off(&self, wait: Option<Duration>, transient: &mut usize) {
        let wait =
            wait.unwrap_or_else(|| self.retry.step(&self.retry.transient_backoff, *transient));
        tokio::time::sleep(wait).await;
        *transient += 1;
    }

    /// The token endpoint could not give a token for now: nothing the user must fix.
    fn unavailable(&self, message: String) -> Error {
        Error::Transport {
            method: "POST".into(),
            url: self.token_url_for_errors(),
            message,
        }
    }

    /// A 4xx from the token endpoint: the credentials were refused (OAuth `invalid_grant`,
    /// `invalid_client`, `unauthorized_client`, or a 401), or the setup is wrong (any other 4xx).
    /// Either way only the user can fix it.
    fn refusal(&self, status: u16, body: &[u8]) -> Error {
        // OAuth errors look like {"error":"invalid_grant","error_description":"..."}.
        let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let code = json
            .as_ref()
            .and_then(|j| j.get("error"))
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let detail = json
            .as_ref()
            .and_then(|j| j.get("error_description"))
            .and_then(|v| v.as_str())
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        let credentials_refused = status == 401
            || matches!(
                code.as_deref(),
                Some("invalid_grant" | "invalid_client" | "unauthorized_client")
            );
        let code = code.unwrap_or_else(|| format!("HTTP {status}"));
        let cause = if credentials_refused {
            "The refresh token or client credentials are no longer valid"
        } else {
            "The token URL or the API client's setup looks wrong"
        };
        Error::Auth(format!(
            "BeProduct sign-in was refused ({code}{detail}). {cause}; reconnect the BeProduct account."
        ))
    }

    fn token_url_for_errors(&self) -> String {
        crate::http::url_for_errors(&self.token_url)
    }
}

/// How long a token is used: `expires_in` minus 5 minutes; short-lived tokens keep half.
fn lifetime(expires_in: Duration) -> Duration {
    if expires_in > REFRESH_MARGIN * 2 {
        expires_in - REFRESH_MARGIN
    } else {
        expires_in / 2
    }
}

fn seconds(v: &serde_json::Value) -> Option<u64> {
    match v {
        serde_json::Value::Number(n) => {
            n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64))
        }
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// JSON, or form-encoded as a fallback (the Python SDK accepts both).
fn parse_token_response(bytes: &[u8]) -> Result<TokenResponse> {
    if let Ok(t) = serde_json::from_slice::<TokenResponse>(bytes) {
        return Ok(t);
    }
    let text = String::from_utf8_lossy(bytes);
    let mut out = TokenResponse {
        access_token: None,
        expires_in: None,
        refresh_token: None,
    };
    for pair in text.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(v);
        match k {
            "access_token" => out.access_token = Some(v),
            "expires_in" => out.expires_in = Some(serde_json::Value::String(v)),
            "refresh_token" => out.refresh_token = Some(v),
            _ => {}
        }
    }
    if out.access_token.is_none() {
        return Err(Error::decode(
            "$",
            "the token endpoint's answer is neither JSON nor form data with an access_token",
        ));
    }
    Ok(out)
}

pub(crate) fn form_urlencode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                // Two hex digits only: from_str_radix alone would also take "+1".
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn describe_reqwest(e: &reqwest::Error) -> String {
    // Drop the URL (reported separately, without its query) and keep the cause chain.
    let mut text = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_escapes_reserved_characters() {
        assert_eq!(
            form_urlencode(&[("a", "b c&d=e"), ("k", "ü")]),
            "a=b+c%26d%3De&k=%C3%BC"
        );
        assert_eq!(percent_decode("b+c%26d%3De"), "b c&d=e");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("a%+1b"), "a% 1b");
    }

    #[test]
    fn token_lifetime_keeps_a_five_minute_margin() {
        assert_eq!(
            lifetime(Duration::from_secs(3600)),
            Duration::from_secs(3300)
        );
        assert_eq!(lifetime(Duration::from_secs(60)), Duration::from_secs(30));
    }

    #[test]
    fn token_response_as_json_or_form() {
        let t = parse_token_response(
            br#"{"access_token":"a","expires_in":"28800","refresh_token":"r"}"#,
        )
        .unwrap();
        assert_eq!(t.access_token.as_deref(), Some("a"));
        assert_eq!(t.expires_in.as_ref().and_then(seconds), Some(28800));
        let t = parse_token_response(b"access_token=a%2Bb&expires_in=60").unwrap();
        assert_eq!(t.access_token.as_deref(), Some("a+b"));
        assert!(parse_token_response(b"<html>").is_err());
    }
}
