//! Request execution: bearer token, one refresh-and-retry on 401, 429 and rate-limit waits,
//! transient-fault retries where repeating cannot duplicate work, capped answer bodies, and
//! error mapping. No redirect is ever followed (the reqwest client has none): a 3xx is an
//! error that names where it pointed.
//!
//! What a failed create or upload (`Repeat::Unsafe`) means:
//! - refused connection, 401, 429: the server certainly did not act; retried here;
//! - any other 4xx: it did not act; `Error::Api` (413: `Error::TooLarge`);
//! - an upload body cut off before its last byte (stall, closed connection, or an early 5xx):
//!   the server cannot have the whole file; `Error::SendInterrupted`;
//! - anything else after the request may have been sent (any 5xx, 3xx, lost or late answer):
//!   `Error::OutcomeUnknown`, never retried here; the caller checks before repeating.

use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures::future::BoxFuture;
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::auth::{describe_reqwest, TokenSource};
use crate::body_watch::{BodyWatch, Expired};
use crate::capped::{read_capped, read_prefix, size_text, ReadError, JSON_CAP, MESSAGE_CAP};
use crate::error::{describe_field_errors, problem_field_errors, server_message, Error, Result};
use crate::retry::{server_named_wait, RetryPolicy};

/// Whether a request may be sent again after it possibly reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Reads, searches and idempotent writes: retried on network errors and 502/503/504.
    Safe,
    /// Creates and uploads: only retried when the server provably did not do the work
    /// (connection refused, 401, 429); see the module comment for the rest.
    Unsafe,
}

/// Builds an upload's form for one attempt; the body streams through the attempt's watch.
pub(crate) type FormFactory = Arc<
    dyn Fn(Arc<BodyWatch>) -> BoxFuture<'static, Result<reqwest::multipart::Form>> + Send + Sync,
>;

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

    /// A DELETE; deleting twice leaves the same state, so it may be repeated.
    pub(crate) fn delete(url: Url) -> Call {
        Call {
            method: Method::DELETE,
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

/// An answer: its body as read (whole and capped for a success; for an error only the first
/// bytes, which are wanted for the message).
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: std::result::Result<Bytes, ReadError>,
}

/// What one call has used up so far, and the access token it sends.
struct Tries {
    token: crate::Secret,
    throttled: usize,
    transient: usize,
    reauthorised: bool,
}

/// How one attempt ended.
enum Exchange {
    /// The answer's head arrived.
    Answered(Answer),
    /// No answer: the request failed (before or after it may have reached the server).
    Failed(reqwest::Error),
    /// An upload ran out of time.
    Expired(Expired),
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

    pub(crate) fn retry(&self) -> &RetryPolicy {
        &self.retry
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
        let mut tries = Tries {
            token: self.auth.access_token().await?,
            throttled: 0,
            transient: 0,
            reauthorised: false,
        };
        loop {
            self.wait_for_rate_limit().await;
            // Only an upload's body is watched (stall and answer timeouts, how far it got).
            let watch = BodyWatch::new();
            let upload = matches!(call.body, Body::Multipart(_)).then_some(&*watch);
            let request = self.build(&call, &tries.token, &watch).await?;
            let next = match self.exchange(request, upload).await {
                Exchange::Answered(answer) => {
                    self.remember_rate_limit(&answer.headers);
                    tracing::debug!(method = %call.method, path = call.url.path(), status = answer.status.as_u16(), "response");
                    self.on_answer(&call, upload, answer, &mut tries).await?
                }
                Exchange::Expired(expired) => return Err(self.expired(&call, upload, expired)),
                Exchange::Failed(e) => self.on_failure(&call, upload, e, &mut tries).await?,
            };
            if let Some(body) = next {
                return Ok(body);
            }
        }
    }

    /// No answer came. `Ok(None)`: retry.
    async fn on_failure(
        &self,
        call: &Call,
        upload: Option<&BodyWatch>,
        e: reqwest::Error,
        tries: &mut Tries,
    ) -> Result<Option<Bytes>> {
        // Our own body stopped it (file changed, source failed): say that.
        if let Some(own) = upload.and_then(BodyWatch::take_failure) {
            return Err(own);
        }
        // A refused connection never reached the server, so even a create may retry.
        let may_repeat = e.is_connect() || call.repeat == Repeat::Safe;
        if may_repeat && self.back_off(&mut tries.transient).await {
            tracing::debug!(method = %call.method, path = call.url.path(), "network error, retried");
            return Ok(None);
        }
        let message = describe_reqwest(&e);
        Err(if may_repeat {
            self.transport(call, message)
        } else {
            self.unsafe_failure(call, upload, message)
        })
    }

    /// An answer came. `Ok(Some(body))`: done; `Ok(None)`: retry.
    async fn on_answer(
        &self,
        call: &Call,
        upload: Option<&BodyWatch>,
        answer: Answer,
        tries: &mut Tries,
    ) -> Result<Option<Bytes>> {
        let Answer {
            status,
            headers,
            body,
        } = answer;
        if status == StatusCode::UNAUTHORIZED {
            if tries.reauthorised {
                return Err(Error::Auth(
                    "BeProduct rejected a freshly issued access token (401). The account may have lost API access; reconnect the BeProduct account.".into(),
                ));
            }
            tries.reauthorised = true;
            tries.token = self.auth.refresh_after_rejection(&tries.token).await?;
            return Ok(None);
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            let body = body.unwrap_or_default();
            let wait = server_named_wait(&headers, &body).unwrap_or_else(|| {
                self.retry
                    .step(&self.retry.throttle_ladder, tries.throttled)
            });
            if tries.throttled >= self.retry.throttle_ladder.len()
                || wait > self.retry.max_server_wait
            {
                return Err(Error::Throttled { retry_after: wait });
            }
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "throttled (429), waiting"
            );
            tokio::time::sleep(wait).await;
            tries.throttled += 1;
            return Ok(None);
        }
        if status.is_success() {
            return match body {
                Ok(bytes) => Ok(Some(bytes)),
                Err(ReadError::TooLarge) => Err(Error::decode(
                    "$",
                    format!(
                        "the answer to {} {} is larger than {}, the most the client reads",
                        call.method,
                        url_for_errors(&call.url),
                        size_text(JSON_CAP)
                    ),
                )),
                Err(ReadError::Failed(e)) => {
                    let message = format!("the answer could not be read: {}", describe_reqwest(&e));
                    if call.repeat == Repeat::Unsafe {
                        return Err(self.outcome_unknown(call, message));
                    }
                    if self.back_off(&mut tries.transient).await {
                        return Ok(None);
                    }
                    Err(self.transport(call, message))
                }
            };
        }

        // An error answer: its body only matters for the message.
        let body = body.unwrap_or_default();
        let mut message = server_message(&body);
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return Err(Error::TooLarge {
                size: None,
                message,
            });
        }
        if status.is_redirection() {
            message = redirect_refusal(&headers, &call.url);
        }
        if !status.is_client_error() {
            if call.repeat == Repeat::Unsafe {
                let message = format!("HTTP {}: {message}", status.as_u16());
                return Err(self.unsafe_failure(call, upload, message));
            }
            if matches!(status.as_u16(), 502..=504) && self.back_off(&mut tries.transient).await {
                return Ok(None);
            }
        }
        if status == StatusCode::NOT_FOUND && body.is_empty() {
            message.push_str(" (a 404 without a body usually means a wrong company domain)");
        }
        // A validation answer names the fields it concerns; keep them for the form.
        let field_errors = problem_field_errors(&body);
        if !field_errors.is_empty() {
            message = format!("{message} ({})", describe_field_errors(&field_errors));
        }
        Err(Error::Api {
            status: status.as_u16(),
            message,
            method: call.method.to_string(),
            url: url_for_errors(&call.url),
            field_errors,
        })
    }

    async fn build(
        &self,
        call: &Call,
        token: &crate::Secret,
        watch: &Arc<BodyWatch>,
    ) -> Result<reqwest::RequestBuilder> {
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
            // No overall timeout: the watch bounds stalls and the wait for the answer instead.
            Body::Multipart(make) => req.multipart(make(watch.clone()).await?),
        };
        Ok(req)
    }

    /// Sends one request and reads its answer; an upload (with `watch`) also races its stall
    /// and answer timeouts.
    async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
        watch: Option<&BodyWatch>,
    ) -> Exchange {
        let work = async {
            let mut response = match request.send().await {
                Ok(r) => r,
                Err(e) => return Exchange::Failed(e),
            };
            if let Some(watch) = watch {
                watch.answered();
            }
            let status = response.status();
            let headers = response.headers().clone();
            let body = if status.is_success() {
                read_capped(&mut response, JSON_CAP).await
            } else {
                read_prefix(&mut response, MESSAGE_CAP)
                    .await
                    .map_err(ReadError::Failed)
            };
            Exchange::Answered(Answer {
                status,
                headers,
                body,
            })
        };
        let Some(watch) = watch else {
            return work.await;
        };
        let r = &self.retry;
        let first = r.connect_timeout + r.stall_timeout;
        tokio::select! {
            done = work => done,
            expired = watch.expiry(first, r.stall_timeout, r.answer_timeout) => Exchange::Expired(expired),
        }
    }

    /// Waits the next transient back-off step and counts it; `false` when none is left.
    async fn back_off(&self, transient: &mut usize) -> bool {
        if *transient >= self.retry.transient_backoff.len() {
            return false;
        }
        tokio::time::sleep(self.retry.step(&self.retry.transient_backoff, *transient)).await;
        *transient += 1;
        true
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

    /// A create or upload failed after it may have reached the server. An upload body cut off
    /// before its last byte cannot have been stored whole; anything else may have been acted on.
    fn unsafe_failure(&self, call: &Call, watch: Option<&BodyWatch>, message: String) -> Error {
        match watch.map(BodyWatch::progress) {
            Some(progress) if !progress.complete => Error::SendInterrupted {
                method: call.method.to_string(),
                url: url_for_errors(&call.url),
                message,
                sent: progress.sent,
                stalled: false,
            },
            _ => self.outcome_unknown(call, message),
        }
    }

    fn expired(&self, call: &Call, watch: Option<&BodyWatch>, expired: Expired) -> Error {
        if let Some(own) = watch.and_then(BodyWatch::take_failure) {
            return own;
        }
        match expired {
            Expired::Stalled { sent } => Error::SendInterrupted {
                method: call.method.to_string(),
                url: url_for_errors(&call.url),
                message: format!(
                    "the connection stopped taking data for {}",
                    seconds_text(self.retry.stall_timeout)
                ),
                sent,
                stalled: true,
            },
            Expired::Unanswered => self.outcome_unknown(
                call,
                format!(
                    "no answer within {} after the whole file was sent",
                    seconds_text(self.retry.answer_timeout)
                ),
            ),
        }
    }
}

/// "a redirect to other.example:443; …": where a 3xx pointed, for an error. Nothing is sent
/// there; the client follows no redirects, so secrets and bodies never go to another host.
pub(crate) fn redirect_refusal(headers: &HeaderMap, from: &Url) -> String {
    let target = headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|location| from.join(location).ok());
    let place = match target
        .as_ref()
        .and_then(|t| Some((t.host_str()?, t.port_or_known_default()?)))
    {
        Some((host, port)) => format!("{host}:{port}"),
        None => "another address".to_owned(),
    };
    format!(
        "a redirect to {place}; the client does not follow redirects, so nothing was sent there"
    )
}

/// "60 s", or "250 ms" for less than a second.
pub(crate) fn seconds_text(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
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
