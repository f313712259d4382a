//! Retry and back-off timings, configurable so tests need not sleep for real seconds.

use std::time::Duration;

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
    /// Timeout for one JSON request (uploads are bounded by `read_timeout` instead).
    pub request_timeout: Duration,
    /// Longest silence allowed while sending or receiving any request, uploads included.
    pub read_timeout: Duration,
    /// Timeout for establishing a connection.
    pub connect_timeout: Duration,
}

impl Default for RetryPolicy {
    /// The production timings: 429 ladder 1, 3, 5, 15, 30 s; transient back-off 0.5, 1, 2 s.
    fn default() -> Self {
        RetryPolicy {
            throttle_ladder: [1, 3, 5, 15, 30].map(Duration::from_secs).to_vec(),
            transient_backoff: [500, 1000, 2000].map(Duration::from_millis).to_vec(),
            jitter: 0.25,
            max_server_wait: Duration::from_secs(120),
            request_timeout: Duration::from_secs(60),
            read_timeout: Duration::from_secs(120),
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
            read_timeout: Duration::from_secs(60),
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
