//! Fetching an upload source from a URL, for `Client::upload_from_url`. The source is untrusted:
//! - only allowed addresses are reached (`address_guard`), with no proxy in between;
//! - redirects are followed here, at most `MAX_REDIRECTS`, each re-checked like the first URL;
//! - the first bytes must be an image, before anything is uploaded;
//! - the size limit holds while streaming, whatever `Content-Length` says or leaves out;
//! - the whole download keeps to a deadline;
//! - errors quote the source's status, never its body (nor the URL's query).

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};
use reqwest::header::LOCATION;
use reqwest::Url;
use tokio::time::Instant;

use crate::address_guard::{BlockedAddress, SourcePolicy};
use crate::auth::describe_reqwest;
use crate::body_watch::BodyWatch;
use crate::capped::size_text;
use crate::config::SourceLimits;
use crate::error::{Error, Result};
use crate::http::{seconds_text, url_for_errors};
use crate::image_kind::{sniff_image, ACCEPTED_IMAGE_FORMATS, SNIFF_LEN};

/// Redirects followed for one source; one more is an error.
pub(crate) const MAX_REDIRECTS: usize = 5;

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

pub(crate) struct SourceFetcher {
    http: reqwest::Client,
    policy: SourcePolicy,
    limits: SourceLimits,
}

/// An opened source: its declared length (if any) and its checked body.
pub(crate) struct Source {
    pub len: Option<u64>,
    pub body: Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>,
}

impl SourceFetcher {
    pub(crate) fn new(
        api: &Url,
        limits: SourceLimits,
        connect_timeout: Duration,
        user_agent: &str,
    ) -> Result<SourceFetcher> {
        let policy = SourcePolicy::for_api(api);
        let http = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would connect to the unchecked address on our behalf.
            .no_proxy()
            .dns_resolver(Arc::new(policy.resolver()))
            .user_agent(user_agent)
            .build()
            .map_err(|e| Error::InvalidInput(format!("HTTP client could not be set up: {e}")))?;
        Ok(SourceFetcher {
            http,
            policy,
            limits,
        })
    }

    /// The guarded HTTP client (checked addresses only, no proxy, no redirects, no credentials);
    /// media downloads (`download`) use it too.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Checks `url` before anything is sent (also re-checked for every attempt and redirect).
    pub(crate) fn check(&self, url: &Url) -> Result<()> {
        self.policy.check(url)
    }

    /// Opens `url`: follows redirects, checks the status, the size and that it is an image.
    /// The body stops with the reason recorded in `watch` if the source fails, grows past the
    /// limit or misses the deadline, so the upload it feeds is cut off before its last byte.
    pub(crate) async fn open(&self, url: &Url, watch: &Arc<BodyWatch>) -> Result<Source> {
        let deadline = Instant::now() + self.limits.deadline;
        let shown = url_for_errors(url);
        let late = || late(&shown, self.limits.deadline);
        let response = tokio::time::timeout_at(deadline, self.follow(url.clone()))
            .await
            .map_err(|_| late())??;
        let len = response.content_length();
        let max = self.limits.max_bytes;
        if let Some(len) = len.filter(|len| *len > max) {
            return Err(too_large(&shown, max, Some(len)));
        }
        let mut rest: ByteStream = Box::pin(response.bytes_stream());
        // The first bytes decide whether it is an image, before anything is uploaded.
        let mut head = BytesMut::new();
        while head.len() < SNIFF_LEN {
            let next = tokio::time::timeout_at(deadline, rest.next())
                .await
                .map_err(|_| late())?;
            match next {
                Some(Ok(chunk)) => head.extend_from_slice(&chunk),
                Some(Err(e)) => return Err(broke_off(&shown, &e)),
                None => break,
            }
        }
        if sniff_image(&head).is_none() {
            return Err(Error::InvalidInput(format!(
                "{shown} is not an image (expected {ACCEPTED_IMAGE_FORMATS})"
            )));
        }
        let guard = Guard {
            shown,
            max,
            deadline,
            limit: self.limits.deadline,
            watch: watch.clone(),
        };
        Ok(Source {
            len,
            body: Box::pin(guard.stream(head.freeze(), rest)),
        })
    }

    /// GETs `url`, following up to `MAX_REDIRECTS` checked redirects; returns the first
    /// non-redirect answer if it is a success.
    async fn follow(&self, mut url: Url) -> Result<reqwest::Response> {
        for _ in 0..=MAX_REDIRECTS {
            self.policy.check(&url)?;
            let response = self
                .http
                .get(url.clone())
                .send()
                .await
                .map_err(|e| request_failed(&url, &e))?;
            let status = response.status();
            if status.is_success() {
                return Ok(response);
            }
            let shown = url_for_errors(&url);
            if !status.is_redirection() {
                return Err(Error::Io {
                    path: shown,
                    message: format!("the server answered HTTP {status}"),
                });
            }
            url = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|location| url.join(location).ok())
                .ok_or_else(|| Error::Io {
                    path: shown,
                    message: format!("the server answered HTTP {status} without a usable Location"),
                })?;
        }
        Err(Error::InvalidInput(format!(
            "the source URL led through more than {MAX_REDIRECTS} redirects"
        )))
    }
}

fn too_large(shown: &str, max: u64, size: Option<u64>) -> Error {
    Error::TooLarge {
        size,
        message: format!(
            "the file at {shown} is larger than {}, the most an upload from a URL may be",
            size_text(max)
        ),
    }
}

fn late(shown: &str, limit: Duration) -> Error {
    Error::Io {
        path: shown.to_owned(),
        message: format!("the download did not finish within {}", seconds_text(limit)),
    }
}

fn request_failed(url: &Url, e: &reqwest::Error) -> Error {
    match BlockedAddress::find(e) {
        Some(blocked) => Error::InvalidInput(blocked.to_string()),
        None => Error::Transport {
            method: "GET".into(),
            url: url_for_errors(url),
            message: describe_reqwest(e),
        },
    }
}

fn broke_off(shown: &str, e: &reqwest::Error) -> Error {
    Error::Io {
        path: shown.to_owned(),
        message: format!("the download broke off ({})", describe_reqwest(e)),
    }
}

/// Holds a source body to its limits while it streams into the upload.
struct Guard {
    shown: String,
    max: u64,
    deadline: Instant,
    /// The whole download's time limit (`deadline` is when it runs out).
    limit: Duration,
    watch: Arc<BodyWatch>,
}

impl Guard {
    /// `head` then the rest of the body; ends in an error (recorded in the watch) when the
    /// source breaks off, passes the size limit or misses the deadline.
    fn stream(
        self,
        head: Bytes,
        rest: ByteStream,
    ) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
        struct State {
            guard: Guard,
            head: Option<Bytes>,
            rest: ByteStream,
            seen: u64,
            over: bool,
        }
        let state = State {
            guard: self,
            head: Some(head),
            rest,
            seen: 0,
            over: false,
        };
        futures::stream::unfold(state, |mut st| async move {
            if st.over {
                return None;
            }
            let next = match st.head.take() {
                Some(head) => Some(Ok(head)),
                None => match tokio::time::timeout_at(st.guard.deadline, st.rest.next()).await {
                    Ok(next) => next,
                    Err(_) => {
                        st.over = true;
                        let e = st.guard.fail(late(&st.guard.shown, st.guard.limit));
                        return Some((Err(e), st));
                    }
                },
            };
            let failure = match next {
                Some(Ok(chunk)) => {
                    st.seen += chunk.len() as u64;
                    if st.seen <= st.guard.max {
                        return Some((Ok(chunk), st));
                    }
                    st.guard
                        .fail(too_large(&st.guard.shown, st.guard.max, None))
                }
                // A body shorter than its Content-Length ends in an error here too (hyper).
                Some(Err(e)) => st.guard.fail(broke_off(&st.guard.shown, &e)),
                None => return None,
            };
            st.over = true;
            Some((Err(failure), st))
        })
    }

    fn fail(&self, error: Error) -> std::io::Error {
        self.watch.fail(error)
    }
}
