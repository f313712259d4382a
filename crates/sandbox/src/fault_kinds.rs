//! The faults a test can inject, and their text form for the command line and the HTTP hook.

/// A fault injected on purpose by a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer 503 without handling the request.
    Status503,
    /// Answer 429; `retry_after_secs` sets the `Retry-After` header, `body_retry_after` the body's `retryAfterSeconds`.
    Status429 {
        retry_after_secs: Option<u64>,
        body_retry_after: Option<u64>,
    },
    /// Close the connection without handling the request or answering.
    DropBeforeHandling,
    /// Handle the request (e.g. create the image), then close the connection without answering.
    DropAfterHandling,
    /// Handle the request, then answer `status` (a 5xx, e.g. 500) instead of the real answer,
    /// like a load balancer that fails after the server acted.
    StatusAfterHandling { status: u16 },
}

/// `Status503`, `Status429[=RETRY_AFTER_SECS]`, `DropBeforeHandling`, `DropAfterHandling` or
/// `StatusAfterHandling[=5xx]` (default 500), case-insensitive.
impl std::str::FromStr for FaultKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, value) = match s.split_once('=') {
            Some((n, v)) => (n, Some(v.trim())),
            None => (s, None),
        };
        let number = |what: &str| -> Result<Option<u64>, String> {
            value
                .map(|v| {
                    v.parse::<u64>()
                        .map_err(|_| format!("{what} must be a whole number; got '{v}'"))
                })
                .transpose()
        };
        let plain = |kind: FaultKind| match value {
            None => Ok(kind),
            Some(_) => Err(format!("the fault kind '{name}' takes no '=' value")),
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "status503" => plain(FaultKind::Status503),
            "dropbeforehandling" => plain(FaultKind::DropBeforeHandling),
            "dropafterhandling" => plain(FaultKind::DropAfterHandling),
            "status429" => Ok(FaultKind::Status429 {
                retry_after_secs: number("the Retry-After seconds")?,
                body_retry_after: None,
            }),
            "statusafterhandling" => match number("the status")?.unwrap_or(500) {
                status @ 500..=599 => Ok(FaultKind::StatusAfterHandling {
                    status: status as u16,
                }),
                other => Err(format!(
                    "StatusAfterHandling takes a 5xx status (500-599); got {other}"
                )),
            },
            other => Err(format!(
                "unknown fault kind '{other}'; use Status503, Status429[=secs], DropBeforeHandling, DropAfterHandling or StatusAfterHandling[=5xx]"
            )),
        }
    }
}

/// The next `n` requests whose path and query contain `path` (case-insensitive) get `kind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    pub n: u32,
    pub path: String,
    pub kind: FaultKind,
}

/// `N:KIND:PATH`, e.g. `2:Status503:/ids/connect/token` or `every:StatusAfterHandling=500:header/create`
/// (`every` = no end).
impl std::str::FromStr for FaultRule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(3, ':');
        let (Some(n), Some(kind), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!(
                "'{s}' is not a fault rule; write N:KIND:PATH, e.g. 2:Status503:/ids/connect/token"
            ));
        };
        let n = match n.trim() {
            "every" => u32::MAX,
            count => count
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    format!("the count in '{s}' must be a number of at least 1 or 'every'")
                })?,
        };
        if path.trim().is_empty() {
            return Err(format!(
                "'{s}' has no path; name a part of the URL, e.g. header/create"
            ));
        }
        Ok(FaultRule {
            n,
            path: path.trim().to_owned(),
            kind: kind.parse()?,
        })
    }
}
