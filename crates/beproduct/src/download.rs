//! Downloading media the API handed out (an image's original or preview, a signed CDN URL on
//! real tenants) into a file on disk, streamed: memory stays flat whatever the file's size.
//!
//! Media URLs are not the API: no bearer token goes with them (the signature is in the URL), and
//! they pass the same address rules as upload sources (`address_guard`, through the source
//! fetcher's guarded client: no proxy, redirects followed here and re-checked). A GET may be
//! repeated, so network errors, a body that breaks off or stalls, and 500/502/503/504 are tried
//! again from the start with the transient back-off; a 429 waits like an API call. A 403 usually
//! means the signature expired: the caller reads the image again for a fresh URL.

use std::path::Path;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{StatusCode, Url};
use tokio::io::AsyncWriteExt;

use crate::address_guard::BlockedAddress;
use crate::auth::describe_reqwest;
use crate::capped::{read_prefix, MESSAGE_CAP};
use crate::client::Client;
use crate::error::{server_message, Error, Result};
use crate::http::{seconds_text, url_for_errors};
use crate::retry::{server_named_wait, RetryPolicy};
use crate::source::MAX_REDIRECTS;
use crate::upload::{file_name_from_url, parse_source_url};

/// A finished download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    /// Bytes written to the file.
    pub bytes: u64,
    /// The answer's `Content-Type` (without parameters), if it sent one.
    pub content_type: Option<String>,
    /// The last path segment of the URL that answered (after redirects), percent-decoded.
    pub file_name: String,
}

/// How one attempt ended when it did not succeed.
enum Failed {
    /// Worth another attempt after the transient back-off.
    Transient(Error),
    /// Throttled: wait (the server's named wait, if any) and try again.
    Throttled(Option<Duration>),
    /// Trying again cannot help.
    Final(Error),
}

impl Client {
    /// Streams the media at `url` into `dest` (created or truncated; on a retry written again
    /// from the start). `progress` gets (bytes written, total if the server said). On error
    /// `dest` may hold part of the file: the caller removes it.
    pub async fn download_media(
        &self,
        url: &str,
        dest: &Path,
        progress: &mut (dyn FnMut(u64, Option<u64>) + Send),
    ) -> Result<Downloaded> {
        let url = parse_source_url(&self.source, url)?;
        let retry = self.http.retry();
        let (mut transient, mut throttled) = (0usize, 0usize);
        loop {
            let failure = match self.download_once(&url, dest, retry, progress).await {
                Ok(done) => return Ok(done),
                Err(failure) => failure,
            };
            match failure {
                Failed::Final(e) => return Err(e),
                Failed::Transient(e) => {
                    let Some(&step) = retry.transient_backoff.get(transient) else {
                        return Err(e);
                    };
                    tracing::debug!(error = %e, "download failed, trying again");
                    transient += 1;
                    tokio::time::sleep(crate::retry::with_jitter(step, retry.jitter)).await;
                }
                Failed::Throttled(named) => {
                    let wait =
                        named.unwrap_or_else(|| retry.step(&retry.throttle_ladder, throttled));
                    if throttled >= retry.throttle_ladder.len() || wait > retry.max_server_wait {
                        return Err(Error::Throttled { retry_after: wait });
                    }
                    throttled += 1;
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn download_once(
        &self,
        url: &Url,
        dest: &Path,
        retry: &RetryPolicy,
        progress: &mut (dyn FnMut(u64, Option<u64>) + Send),
    ) -> std::result::Result<Downloaded, Failed> {
        let (mut response, at) = self.open_media(url, retry).await?;
        let shown = url_for_errors(&at);
        let total = response.content_length();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty());
        let write_failed = |e: std::io::Error| {
            Failed::Final(Error::Io {
                path: dest.display().to_string(),
                message: format!(
                    "the download could not be written there ({e}); check the free disk space and that the folder is writable"
                ),
            })
        };
        let mut file = tokio::fs::File::create(dest).await.map_err(write_failed)?;
        let mut written = 0u64;
        progress(0, total);
        loop {
            // No overall deadline (a big original over a slow link takes as long as it takes),
            // but a body that stops moving is given up and tried again.
            let chunk = match tokio::time::timeout(retry.stall_timeout, response.chunk()).await {
                Err(_) => {
                    return Err(Failed::Transient(broke_off(
                        &shown,
                        written,
                        format!("no data for {}", seconds_text(retry.stall_timeout)),
                    )))
                }
                Ok(Err(e)) => {
                    return Err(Failed::Transient(broke_off(
                        &shown,
                        written,
                        describe_reqwest(&e),
                    )))
                }
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => chunk,
            };
            file.write_all(&chunk).await.map_err(write_failed)?;
            written += chunk.len() as u64;
            progress(written, total);
        }
        if total.is_some_and(|total| total != written) {
            return Err(Failed::Transient(broke_off(
                &shown,
                written,
                "the answer was shorter than it said".into(),
            )));
        }
        file.flush().await.map_err(write_failed)?;
        file.sync_all().await.map_err(write_failed)?;
        Ok(Downloaded {
            bytes: written,
            content_type,
            file_name: file_name_from_url(&at),
        })
    }

    /// GETs `url`, following up to `MAX_REDIRECTS` redirects (each checked like the first);
    /// returns the successful answer and the URL that gave it.
    async fn open_media(
        &self,
        url: &Url,
        retry: &RetryPolicy,
    ) -> std::result::Result<(reqwest::Response, Url), Failed> {
        let mut url = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            self.source.check(&url).map_err(Failed::Final)?;
            // The answer's head must come within the request timeout; the body is timed apart.
            let sent = tokio::time::timeout(
                retry.request_timeout,
                self.source.http().get(url.clone()).send(),
            )
            .await;
            let mut response = match sent {
                Err(_) => {
                    return Err(Failed::Transient(transport(
                        &url,
                        format!("no answer within {}", seconds_text(retry.request_timeout)),
                    )))
                }
                Ok(Err(e)) => {
                    return Err(match BlockedAddress::find(&e) {
                        Some(blocked) => Failed::Final(Error::InvalidInput(blocked.to_string())),
                        None => Failed::Transient(transport(&url, describe_reqwest(&e))),
                    })
                }
                Ok(Ok(response)) => response,
            };
            let status = response.status();
            if status.is_success() {
                return Ok((response, url));
            }
            if status.is_redirection() {
                let next = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|location| url.join(location).ok());
                url = next.ok_or_else(|| {
                    Failed::Final(api_error(
                        status,
                        &url,
                        "a redirect without a usable Location".into(),
                    ))
                })?;
                continue;
            }
            let headers = response.headers().clone();
            let body = read_prefix(&mut response, MESSAGE_CAP)
                .await
                .unwrap_or_default();
            if status == StatusCode::TOO_MANY_REQUESTS {
                return Err(Failed::Throttled(server_named_wait(&headers, &body)));
            }
            let error = api_error(status, &url, server_message(&body));
            return Err(match status.as_u16() {
                500 | 502..=504 => Failed::Transient(error),
                _ => Failed::Final(error),
            });
        }
        Err(Failed::Final(Error::InvalidInput(format!(
            "the download led through more than {MAX_REDIRECTS} redirects"
        ))))
    }
}

fn transport(url: &Url, message: String) -> Error {
    Error::Transport {
        method: "GET".into(),
        url: url_for_errors(url),
        message,
    }
}

fn broke_off(shown: &str, written: u64, why: String) -> Error {
    Error::Transport {
        method: "GET".into(),
        url: shown.to_owned(),
        message: format!("the download broke off after {written} bytes ({why})"),
    }
}

fn api_error(status: StatusCode, url: &Url, message: String) -> Error {
    Error::Api {
        status: status.as_u16(),
        message,
        method: "GET".into(),
        url: url_for_errors(url),
        field_errors: Vec::new(),
    }
}
