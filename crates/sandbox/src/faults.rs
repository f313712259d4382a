//! Operations knobs: request counters, rate limiting, injected faults and latency.
//! Also the gate every request passes (company check and bearer auth for the API).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use rand::Rng;
use serde_json::json;

use crate::app::AppState;
use crate::fault_kinds::{FaultKind, FaultRule};
use crate::{auth, throttle};

/// Marker in response extensions: the server closes the connection instead of answering.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

struct RateWindow {
    start_secs: i64,
    count: u32,
}

struct OpsState {
    fault_rate: f64,
    /// What a random fault is, picked uniformly.
    random_kinds: Vec<FaultKind>,
    rate_limit: Option<u32>,
    latency_ms: u64,
    window: RateWindow,
    rules: Vec<FaultRule>,
    seen: HashMap<String, u64>,
}

pub struct Ops {
    state: Mutex<OpsState>,
}

const WINDOW_SECS: i64 = 60;

enum RateDecision {
    Allowed {
        limit: u32,
        remaining: u32,
        reset: i64,
    },
    Limited {
        limit: u32,
        reset: i64,
        retry_after: u64,
    },
    Unlimited,
}

/// Random faults when no others are chosen: a third each.
fn default_random_kinds() -> Vec<FaultKind> {
    vec![
        FaultKind::Status503,
        FaultKind::DropBeforeHandling,
        FaultKind::DropAfterHandling,
    ]
}

impl Ops {
    pub fn new(fault_rate: f64, rate_limit: Option<u32>, latency_ms: u64) -> Ops {
        Ops {
            state: Mutex::new(OpsState {
                fault_rate,
                random_kinds: default_random_kinds(),
                rate_limit,
                latency_ms,
                window: RateWindow {
                    start_secs: 0,
                    count: 0,
                },
                rules: Vec::new(),
                seen: HashMap::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OpsState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_fault_rate(&self, rate: f64) {
        self.lock().fault_rate = rate.clamp(0.0, 1.0);
    }

    /// The kinds random faults pick from; an empty list restores the default three.
    pub fn set_random_kinds(&self, kinds: Vec<FaultKind>) {
        self.lock().random_kinds = match kinds.is_empty() {
            true => default_random_kinds(),
            false => kinds,
        };
    }

    pub fn set_rate_limit(&self, limit: Option<u32>) {
        let mut s = self.lock();
        s.rate_limit = limit;
        s.window = RateWindow {
            start_secs: 0,
            count: 0,
        };
    }

    pub fn set_latency_ms(&self, ms: u64) {
        self.lock().latency_ms = ms;
    }

    pub fn fail_next(&self, rule: FaultRule) {
        if rule.n > 0 {
            let path = rule.path.to_lowercase();
            self.lock().rules.push(FaultRule { path, ..rule });
        }
    }

    /// Requests whose path (and query) contain `path_substring`, case-insensitive.
    pub fn requests_seen(&self, path_substring: &str) -> u64 {
        let needle = path_substring.to_lowercase();
        self.lock()
            .seen
            .iter()
            .filter(|(p, _)| p.contains(&needle))
            .map(|(_, n)| n)
            .sum()
    }

    fn record(&self, path: &str) {
        *self.lock().seen.entry(path.to_lowercase()).or_insert(0) += 1;
    }

    /// The deterministic fault for this request, else a random one for API requests.
    fn pick_fault(&self, path: &str, is_api: bool) -> Option<FaultKind> {
        let mut s = self.lock();
        let lower = path.to_lowercase();
        if let Some(pos) = s.rules.iter().position(|r| lower.contains(&r.path)) {
            let rule = &mut s.rules[pos];
            let kind = rule.kind.clone();
            rule.n -= 1;
            if rule.n == 0 {
                s.rules.remove(pos);
            }
            return Some(kind);
        }
        if is_api && s.fault_rate > 0.0 {
            let mut rng = rand::thread_rng();
            if rng.gen::<f64>() < s.fault_rate {
                return Some(s.random_kinds[rng.gen_range(0..s.random_kinds.len())].clone());
            }
        }
        None
    }

    fn rate_check(&self) -> RateDecision {
        let mut s = self.lock();
        let Some(limit) = s.rate_limit else {
            return RateDecision::Unlimited;
        };
        let now = chrono::Utc::now().timestamp();
        if now >= s.window.start_secs + WINDOW_SECS {
            s.window = RateWindow {
                start_secs: now,
                count: 0,
            };
        }
        let reset = s.window.start_secs + WINDOW_SECS;
        if s.window.count >= limit {
            return RateDecision::Limited {
                limit,
                reset,
                retry_after: (reset - now).max(1) as u64,
            };
        }
        s.window.count += 1;
        RateDecision::Allowed {
            limit,
            remaining: limit - s.window.count,
            reset,
        }
    }

    fn latency(&self) -> u64 {
        self.lock().latency_ms
    }
}

fn too_many(retry_header: Option<u64>, body_retry: Option<u64>, limit: u32) -> Response {
    let mut body = json!({"error": "Rate limit exceeded", "window": "1 minute", "limit": limit});
    if let Some(secs) = body_retry {
        body["retryAfterSeconds"] = json!(secs);
    }
    let mut resp = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
    if let Some(secs) = retry_header {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

/// Early answers read the request body first (as ASP.NET does), so a client still sending an
/// upload receives the answer instead of a broken pipe.
async fn after_draining(req: Request, resp: Response) -> Response {
    let mut body = req.into_body().into_data_stream();
    while let Some(chunk) = body.next().await {
        if chunk.is_err() {
            break;
        }
    }
    resp
}

/// An answer that makes the server close the connection instead (see `server::serve`).
pub fn dropped() -> Response {
    let mut resp = Response::new(Body::empty());
    resp.extensions_mut().insert(DropConnection);
    resp
}

/// What a fault does to the real answer once the request was handled.
#[derive(Clone, Copy)]
enum AfterHandling {
    Answer,
    Drop,
    Status(u16),
}

impl AfterHandling {
    fn apply(self, resp: Response) -> Response {
        match self {
            AfterHandling::Answer => resp,
            AfterHandling::Drop => dropped(),
            AfterHandling::Status(status) => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let body = json!({"error": true, "message": format!(
                    "{} (sandbox fault injection: the request was carried out before this answer)",
                    status.canonical_reason().unwrap_or("Server error")
                )});
                (status, axum::Json(body)).into_response()
            }
        }
    }
}

fn rate_headers(resp: &mut Response, limit: u32, remaining: u32, reset: i64) {
    let h = resp.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(reset));
}

/// Runs before every route. Order: count, injected faults, rate limit, latency, company, auth.
/// Every request body (but the test controls') crosses the simulated uplink.
pub async fn gate(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    if path.starts_with("/__sandbox") {
        let loopback = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .is_some_and(|ConnectInfo(addr)| addr.ip().is_loopback());
        if !loopback {
            return StatusCode::NOT_FOUND.into_response();
        }
        return next.run(req).await;
    }
    app.ops.record(&path_and_query);
    let req = req.map(|body| throttle::paced(body, app.uplink.clone()));
    let is_api = path.starts_with("/api/");
    let is_token = path == auth::TOKEN_PATH;
    // Media (originals, previews) takes armed rules only: downloads must meet faults too.
    let is_media = path.starts_with("/media/");
    if !is_api && !is_token && !is_media {
        return next.run(req).await;
    }

    let mut after = AfterHandling::Answer;
    match app.ops.pick_fault(&path_and_query, is_api) {
        Some(FaultKind::Status503) => {
            let body = json!({"error": true, "message": "Service temporarily unavailable (sandbox fault injection); retry later"});
            let resp = (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
            return after_draining(req, resp).await;
        }
        Some(FaultKind::Status429 {
            retry_after_secs,
            body_retry_after,
        }) => {
            let limit = app.ops.lock().rate_limit.unwrap_or(60);
            let resp = too_many(retry_after_secs, body_retry_after, limit);
            return after_draining(req, resp).await;
        }
        Some(FaultKind::DropBeforeHandling) => return dropped(),
        Some(FaultKind::DropAfterHandling) => after = AfterHandling::Drop,
        Some(FaultKind::StatusAfterHandling { status }) => after = AfterHandling::Status(status),
        None => {}
    }
    if is_token || is_media {
        return after.apply(next.run(req).await);
    }

    let rate = app.ops.rate_check();
    if let RateDecision::Limited {
        limit,
        reset,
        retry_after,
    } = rate
    {
        let mut resp = too_many(Some(retry_after), Some(retry_after), limit);
        rate_headers(&mut resp, limit, 0, reset);
        return after_draining(req, resp).await;
    }
    let latency = app.ops.latency();
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }

    let (company, bearer) = auth::api_credentials(&req);
    let mut resp = match auth::check_api_request(&app, &company, bearer).await {
        Ok(()) => next.run(req).await,
        Err(resp) => after_draining(req, resp).await,
    };
    if let RateDecision::Allowed {
        limit,
        remaining,
        reset,
    } = rate
    {
        rate_headers(&mut resp, limit, remaining, reset);
    }
    after.apply(resp)
}
