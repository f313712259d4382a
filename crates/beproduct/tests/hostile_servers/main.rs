//! The client against servers that behave like real networks and hostile hosts: slow and
//! stalled links, answers that come early, late or never, 5xx after acting, a throttling token
//! endpoint, redirects, oversized bodies and upload sources that point where they must not.
//! Each server is a raw HTTP/1.1 server on 127.0.0.1 (see `raw`).

mod raw;
#[path = "../strategies/mod.rs"]
mod strategies;

mod capped_bodies;
mod delete;
mod redirects;
mod slow_links;
mod token_endpoint;
mod url_sources;

use std::time::Duration;

use beproduct::{Error, RetryPolicy};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * 1024;

/// Fast retries; the stall and answer timeouts as given (milliseconds).
fn policy(stall_ms: u64, answer_ms: u64) -> RetryPolicy {
    RetryPolicy {
        stall_timeout: Duration::from_millis(stall_ms),
        answer_timeout: Duration::from_millis(answer_ms),
        request_timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(2),
        ..RetryPolicy::fast()
    }
}

/// (bytes taken by the connection, stalled) of a `SendInterrupted` error.
fn interrupted(err: &Error) -> Option<(u64, bool)> {
    match err {
        Error::SendInterrupted { sent, stalled, .. } => Some((*sent, *stalled)),
        _ => None,
    }
}

/// Fails the test if `text` holds a credential.
fn assert_no_secret(text: &str) {
    for secret in [raw::SECRET, raw::REFRESH, "at-1"] {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
}
