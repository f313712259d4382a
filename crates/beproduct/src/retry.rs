//! Retry and back-off timings, configurable so tests need not sleep for real seconds.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How the client waits and retries on throttling (429), transient faults and rate-limit headers.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Waits between 429 retries when the server names no wait (`Retry-After` / `retryAfterSeconds`).
    /// Its length is also the number of 429 retries before `Error::Throttled`.
    pub throttle_ladder: Vec<Duration>,
    /// Waits between retries of network errors and 502/503/504 (only where a retry cannot duplicate work).
    pub transient_backoff: Vec<Duration>,
    /// Random extra wait added to each ladder/back-off step, as a fraction of the step (0.0..=1.0).
    pub jitter: f64,
    /// Longest wait the client accepts from the server (429 or `X-RateLimit-Reset`); a longer
    /// `Retry-After` fails at once with `Error::Throttled` instead of hanging the caller.
    pub max_server_wait: Duration,
    /// Timeout for one JSON request or token request, answer included. Uploads have no overall
    /// timeout: a big file over a slow link takes as long as it takes while it keeps moving.
    pub request_timeout: Duration,
    /// An upload stops when the connection takes no body bytes for this long
    /// (`Error::SendInterrupted` with `stalled`).
    pub stall_timeout: Duration,
    /// How long an upload waits for its answer once its last byte went out
    /// (`Error::OutcomeUnknown` after that: the server may have the whole file).
    pub answer_timeout: Duration,
    /// Timeout for establishing a connection.
    pub connect_timeout: Duration,
}

impl Default for RetryPolicy {
    /// The production timings: 429 ladder 1, 3, 5, 15, 30 s; transient back-off 0.5, 1, 2 s;
    /// uploads stop after a 60 s stall and wait 180 s for the answer after their last byte.
    fn default() -> Self {
        RetryPolicy {
            throttle_ladder: [1, 3, 5, 15, 30].map(Duration::from_secs).to_vec(),
            transient_backoff: [500, 1000, 2000].map(Duration::from_millis).to_vec(),
            jitter: 0.25,
            max_server_wait: Duration::from_secs(120),
            request_timeout: Duration::from_secs(60),
            stall_timeout: Duration::from_secs(60),
            answer_timeout: Duration::from_secs(180),
            connect_timeout: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// Same retry counts as the default with millisecond waits; for tests and local sandboxes.
    /// Waits the server asks for (`Retry-After`, rate-limit reset) are still honoured in full.
    pub fn fast() -> Self {
        RetryPolicy {
            throttle_ladder: [10, 20, 30, 40, 50].map(Duration::from_millis).to_vec(),
            transient_backoff: [10, 20, 40].map(Duration::from_millis).to_vec(),
            jitter: 0.1,
            max_server_wait: Duration::from_secs(30),
            request_timeout: Duration::from_secs(30),
            stall_timeout: Duration::from_secs(10),
            answer_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
        }
    }

    /// Step `attempt` of `steps` (the last step repeats) plus jitter.
    pub(crate) fn step(&self, steps: &[Duration], attempt: usize) -> Duration {
        let base = steps
            .get(attempt)
            .or_else(|| steps.last())
            .copied()
            .unwrap_or_default();
        with_jitter(base, self.jitter)
    }
}

/// The wait a 429 (or 503) names: the `Retry-After` header first, then the body's
/// `retryAfterSeconds`.
pub(crate) fn server_named_wait(headers: &HeaderMap, body: &[u8]) -> Option<Duration> {
    retry_after_header(headers).or_else(|| retry_after_body(body))
}

/// The wait a `Retry-After` header names, in seconds.
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

/// The wait a 429 body names (`retryAfterSeconds`, number or numeric text).
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

/// Adds up to `fraction * base` of random extra wait, so many clients do not retry in lockstep.
pub(crate) fn with_jitter(base: Duration, fraction: f64) -> Duration {
    let fraction = fraction.clamp(0.0, 1.0);
    if fraction == 0.0 || base.is_zero() {
        return base;
    }
    let extra = base.mul_f64(fraction * rand::random::<f64>());
    base + extra
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
    fn ladder_steps_stay_within_jitter_bounds() {
        let p = RetryPolicy::default();
        for attempt in 0..7 {
            let base = p
                .throttle_ladder
                .get(attempt)
                .copied()
                .unwrap_or(Duration::from_secs(30));
            let d = p.step(&p.throttle_ladder, attempt);
            assert!(d >= base && d <= base.mul_f64(1.25), "{attempt}: {d:?}");
        }
    }
}
