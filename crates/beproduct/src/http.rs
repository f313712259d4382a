//! Request execution: bearer token, one refresh-and-retry on 401, 429 and rate-limit waits,
//! transient-fault retries where repeating cannot duplicate work, and error mapping.

use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures::future::BoxFuture;
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::auth::{describe_reqwest, TokenSource};
use crate::error::{server_message, Error, Result};
use crate::retry::RetryPolicy;

/// Whether a request may be sent again after it possibly reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Reads, searches and idempotent writes: retried on network errors and 502/503/504.
    Safe,
    /// Creates and uploads: only retried when the server provably did not do the work
    /// (connection refused, 401, 429); otherwise `Error::OutcomeUnknown`.
    Unsafe,
}

pub(crate) type FormFactory =
    Arc<dyn Fn() -> BoxFuture<'static, Result<reqwest::multipart::Form>> + Send + Sync>;

pub(crate) enum Body {
    Empty,
    Json(Bytes),
    /// Rebuilt for every attempt, so a retried upload streams from the start again.
    Multipart(FormFactory),
}

pub(crate) struct Call {
    pub method: Method,
    pub url: Url,
    pub body: Body,
    pub repeat: Repeat,
}

impl Call {
    pub(crate) fn get(url: Url) -> Call {
        Call {
            method: Method::GET,
            url,
            body: Body::Empty,
            repeat: Repeat::Safe,
        }
    }

    pub(crate) fn post_json(url: Url, body: &serde_json::Value, repeat: Repeat) -> Call {
        let bytes = Bytes::from(serde_json::to_vec(body).unwrap_or_default());
        Call {
            method: Method::POST,
            url,
            body: Body::Json(bytes),
            repeat,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct RateLimit {
    remaining: i64,
    reset_epoch_secs: u64,
}

pub(crate) struct Http {
    client: reqwest::Client,
    base: Url,
    auth: TokenSource,
    retry: RetryPolicy,
    rate: StdMutex<Option<RateLimit>>,
}

impl Http {
    pub(crate) fn new(
        client: reqwest::Client,
        base: Url,
        auth: TokenSource,
        retry: RetryPolicy,
    ) -> Self {
        Http {
            client,
            base,
            auth,
            retry,
            rate: StdMutex::new(None),
        }
    }

    pub(crate) fn auth(&self) -> &TokenSource {
        &self.auth
    }

    /// `{api}/api/{company}/{path}?{query}`. `path` must contain only validated pieces.
    pub(crate) fn url(&self, path: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self.base.join(path).unwrap_or_else(|_| self.base.clone());
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Sends `call` and decodes the JSON answer.
    pub(crate) async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        let (method, url) = (call.method.clone(), call.url.clone());
        let bytes = self.send(call).await?;
        decode(&bytes, &method, &url)
    }

    /// Sends `call` until it succeeds or fails for good; returns the success body.
    pub(crate) async fn send(&self, call: Call) -> Result<Bytes> {
        let mut throttled = 0usize;
        let mut transient = 0usize;
        let mut reauthorised = false;
        let mut token = self.auth.access_token().await?;
        loop {
            self.wait_for_rate_limit().await;
            let request = self.build(&call, &token).await?;
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) => {
                    // A refused connection never reached the server, so even a create may retry.
                    let never_sent = e.is_connect();
                    if (never_sent || call.repeat == Repeat::Safe)
                        && transient < self.retry.transient_backoff.len()
                    {
                        tracing::debug!(method = %call.method, path = call.url.path(), "network error, retrying");
                        tokio::time::sleep(
                            self.retry.step(&self.retry.transient_backoff, transient),
                        )
                        .await;
                        transient += 1;
                        continue;
                    }
                    return Err(if never_sent || call.repeat == Repeat::Safe {
                        self.transport(&call, describe_reqwest(&e))
                    } else {
                        self.outcome_unknown(&call, describe_reqwest(&e))
                    });
                }
            };
            let status = response.status();
            self.remember_rate_limit(response.headers());
            tracing::debug!(method = %call.method, path = call.url.path(), status = status.as_u16(), "response");

            if status == StatusCode::UNAUTHORIZED {
                if reauthorised {
                    return Err(Error::Auth(
                        "BeProduct rejected a freshly issued access token (401). The account may have lost API access; reconnect the BeProduct account.".into(),
                    ));
                }
                reauthorised = true;
                token = self.auth.refresh_after_rejection(&token).await?;
                continue;
            }
            if status == StatusCode::TOO_MANY_REQUESTS {
                let header_wait = retry_after_header(response.headers());
                let body = response.bytes().await.unwrap_or_default();
                let server_wait = header_wait.or_else(|| retry_after_body(&body));
                let wait = match server_wait {
                    Some(w) => w,
                    None => self.retry.step(&self.retry.throttle_ladder, throttled),
                };
                if throttled >= self.retry.throttle_ladder.len()
                    || wait > self.retry.max_server_wait
                {
                    return Err(Error::Throttled { retry_after: wait });
                }
                tracing::debug!(
                    wait_ms = wait.as_millis() as u64,
                    "throttled (429), waiting"
                );
                tokio::time::sleep(wait).await;
                throttled += 1;
                continue;
            }
            if matches!(status.as_u16(), 502..=504) {
                if call.repeat == Repeat::Unsafe {
                    let body = response.bytes().await.unwrap_or_default();
                    return Err(self.outcome_unknown(
                        &call,
                        format!("HTTP {}: {}", status.as_u16(), server_message(&body)),
                    ));
                }
                if transient < self.retry.transient_backoff.len() {
                    tokio::time::sleep(self.retry.step(&self.retry.transient_backoff, transient))
                        .await;
                    transient += 1;
                    continue;
                }
            }
            let body = match response.bytes().await {
                Ok(b) => b,
                Err(e) if status.is_success() && call.repeat == Repeat::Unsafe => {
                    return Err(self.outcome_unknown(
                        &call,
                        format!("the answer could not be read: {}", describe_reqwest(&e)),
                    ))
                }
                Err(e)
                    if call.repeat == Repeat::Safe
                        && transient < self.retry.transient_backoff.len() =>
                {
                    tracing::debug!(error = %describe_reqwest(&e), "body read failed, retrying");
                    tokio::time::sleep(self.retry.step(&self.retry.transient_backoff, transient))
                        .await;
                    transient += 1;
                    continue;
                }
                Err(e) => return Err(self.transport(&call, describe_reqwest(&e))),
            };
            if status.is_success() {
                return Ok(body);
            }
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                return Err(Error::TooLarge {
                    size: None,
                    message: server_message(&body),
                });
            }
            let mut message = server_message(&body);
            if status == StatusCode::NOT_FOUND && body.is_empty() {
                message.push_str(" (a 404 without a body usually means a wrong company domain)");
            }
            return Err(Error::Api {
                status: status.as_u16(),
                message,
                method: call.method.to_string(),
                url: url_for_errors(&call.url),
            });
        }
    }

    async fn build(&self, call: &Call, token: &crate::Secret) -> Result<reqwest::RequestBuilder> {
        let mut req = self
            .client
            .request(call.method.clone(), call.url.clone())
            .header(AUTHORIZATION, format!("Bearer {}", token.expose()))
            .header(ACCEPT, "application/json");
        req = match &call.body {
            // The SDKs send a JSON content type even on bodyless GETs.
            Body::Empty => req
                .header(CONTENT_TYPE, "application/json")
                .timeout(self.retry.request_timeout),
            Body::Json(bytes) => req
                .header(CONTENT_TYPE, "application/json")
                .timeout(self.retry.request_timeout)
                .body(bytes.clone()),
            // No overall timeout: a large upload takes as long as it takes; read_timeout bounds stalls.
            Body::Multipart(make) => req.multipart(make().await?),
        };
        Ok(req)
    }

    async fn wait_for_rate_limit(&self) {
        let state = *self.rate.lock().unwrap_or_else(|e| e.into_inner());
        let Some(limit) = state else { return };
        if limit.remaining > 0 {
            return;
        }
        let now = now_epoch_secs();
        if limit.reset_epoch_secs <= now {
            return;
        }
        let wait =
            Duration::from_secs(limit.reset_epoch_secs - now).min(self.retry.max_server_wait);
        tracing::debug!(
            wait_s = wait.as_secs(),
            "rate limit exhausted, waiting for the reset"
        );
        tokio::time::sleep(wait).await;
        let mut guard = self.rate.lock().unwrap_or_else(|e| e.into_inner());
        if guard.map(|l| l.reset_epoch_secs) == Some(limit.reset_epoch_secs) {
            *guard = None;
        }
    }

    fn remember_rate_limit(&self, headers: &HeaderMap) {
        if let Some(limit) = parse_rate_limit(headers) {
            *self.rate.lock().unwrap_or_else(|e| e.into_inner()) = Some(limit);
        }
    }

    fn transport(&self, call: &Call, message: String) -> Error {
        Error::Transport {
            method: call.method.to_string(),
            url: url_for_errors(&call.url),
            message,
        }
    }

    fn outcome_unknown(&self, call: &Call, message: String) -> Error {
        Error::OutcomeUnknown {
            method: call.method.to_string(),
            url: url_for_errors(&call.url),
            message,
        }
    }
}

/// Decodes JSON, naming the path that failed (`result[3].headerData.fields`).
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8], method: &Method, url: &Url) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        Error::Decode {
            path,
            message: format!(
                "{} (answer to {method} {})",
                e.into_inner(),
                url_for_errors(url)
            ),
        }
    })
}

/// The URL as shown in errors and logs: query values that could be secrets are masked.
pub(crate) fn url_for_errors(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    if shown.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let harmless = [
                    "folderId",
                    "pageSize",
                    "pageNumber",
                    "preserveVersion",
                    "imageId",
                ]
                .contains(&k.as_ref());
                let v = if harmless {
                    v.into_owned()
                } else {
                    "***".to_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        shown.query_pairs_mut().clear().extend_pairs(pairs);
    }
    shown.to_string()
}

fn parse_rate_limit(headers: &HeaderMap) -> Option<RateLimit> {
    let num = |name: &str| -> Option<f64> {
        headers.get(name)?.to_str().ok()?.trim().parse::<f64>().ok()
    };
    let _limit = num("x-ratelimit-limit")?;
    let remaining = num("x-ratelimit-remaining")? as i64;
    let reset = num("x-ratelimit-reset")?.max(0.0) as u64;
    // Epoch seconds per the TS SDK; small values are read as seconds from now.
    let reset_epoch_secs = if reset < 1_000_000_000 {
        now_epoch_secs() + reset
    } else {
        reset
    };
    Some(RateLimit {
        remaining,
        reset_epoch_secs,
    })
}

fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    let secs: f64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    seconds_to_wait(secs)
}

fn retry_after_body(body: &[u8]) -> Option<Duration> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    let v = json.get("retryAfterSeconds")?;
    let secs = v.as_f64().or_else(|| v.as_str()?.trim().parse().ok())?;
    seconds_to_wait(secs)
}

/// A server-named wait; absurd values ("1e30", "inf") become `Duration::MAX` rather than a
/// panic, so they end up above `max_server_wait` and fail as `Throttled`. NaN and negatives: none.
fn seconds_to_wait(secs: f64) -> Option<Duration> {
    (secs >= 0.0).then(|| Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
}

fn now_epoch_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_from_header_or_body() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after_header(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after_header(&h), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after_body(br#"{"error":"Rate limit exceeded","retryAfterSeconds":2}"#),
            Some(Duration::from_secs(2))
        );
        assert_eq!(retry_after_body(br#"{"error":"x"}"#), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("1e30"));
        assert_eq!(retry_after_header(&h), Some(Duration::MAX));
        h.insert(RETRY_AFTER, HeaderValue::from_static("NaN"));
        assert_eq!(retry_after_header(&h), None);
        assert_eq!(
            retry_after_body(br#"{"retryAfterSeconds":"inf"}"#),
            Some(Duration::MAX)
        );
    }

    #[test]
    fn rate_limit_needs_all_three_headers() {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", HeaderValue::from_static("60"));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        assert!(parse_rate_limit(&h).is_none());
        h.insert("x-ratelimit-reset", HeaderValue::from_static("4102444800"));
        let l = parse_rate_limit(&h).unwrap();
        assert_eq!((l.remaining, l.reset_epoch_secs), (0, 4102444800));
    }

    #[test]
    fn error_urls_mask_unknown_query_values() {
        let url = Url::parse("https://u:p@cdn.example/a.png?sig=SECRET&folderId=f1").unwrap();
        let shown = url_for_errors(&url);
        assert!(
            !shown.contains("SECRET") && !shown.contains("u:p"),
            "{shown}"
        );
        assert!(shown.contains("folderId=f1"), "{shown}");
    }

    #[test]
    fn decode_errors_name_the_json_path() {
        #[derive(serde::Deserialize, Debug)]
        struct P {
            #[allow(dead_code)]
            result: Vec<crate::ImageHeader>,
        }
        let url = Url::parse("http://x/api/c/Image/Headers").unwrap();
        let err =
            decode::<P>(br#"{"result":[{"id":"a"},{"id":5}]}"#, &Method::POST, &url).unwrap_err();
        match err {
            Error::Decode { path, .. } => assert_eq!(path, "result[1].id"),
            other => panic!("{other:?}"),
        }
    }
}
