//! A reverse proxy in front of the sandbox (real HTTP on 127.0.0.1 both ways) for the parts
//! of a real network the sandbox's own knobs do not play:
//! * a front end that answers 413 over a body limit only after reading the whole body, so
//!   the client always gets the answer (the sandbox answers at the limit and closes, which
//!   a client still sending may see as a reset);
//! * a front end that takes a whole request and loses it: nothing reaches the server and no
//!   answer comes back (the sandbox's drops happen before the body is read, or after acting);
//! * a link that stalls mid-body: the connection stops taking bytes but stays open.
//!
//! Everything else is passed through unchanged.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// What happens to a request instead of being forwarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hold {
    /// Read the body to its end, then close the connection without an answer.
    LoseAfterBody,
    /// Read this many body bytes, then read no more; the connection stays open until the
    /// client gives up (closed after `STALL_HOLD` at the latest).
    StallAfter(u64),
}

/// How long a stalled connection is held open at most (the client's stall timeout in the
/// tests is far shorter).
const STALL_HOLD: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Rules {
    /// (path substring, what to do, how many more).
    holds: Vec<(String, Hold, u32)>,
    /// Upload bodies over this many bytes are read to their end, then answered with 413.
    upload_limit: Option<u64>,
    seen: HashMap<String, u64>,
}

struct Shared {
    upstream: String,
    client: reqwest::Client,
    rules: Mutex<Rules>,
}

pub struct Proxy {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Listens on 127.0.0.1 (a free port) and forwards to `upstream` (e.g. the sandbox's
    /// `public_api_url()`).
    pub async fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            client: reqwest::Client::new(),
            rules: Mutex::new(Rules::default()),
        });
        let accepting = shared.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let shared = accepting.clone();
                tokio::spawn(async move {
                    // Dropping the connection future closes the socket mid-request.
                    let kill = Arc::new(Notify::new());
                    let service = {
                        let kill = kill.clone();
                        service_fn(move |req| handle(req, shared.clone(), kill.clone()))
                    };
                    let connection =
                        http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                    tokio::select! {
                        _ = connection => {}
                        _ = kill.notified() => {}
                    }
                });
            }
        });
        Proxy { addr, shared, task }
    }

    /// The URL to give the client as its API URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn rules(&self) -> std::sync::MutexGuard<'_, Rules> {
        self.shared.rules.lock().unwrap()
    }

    /// Upload bodies over `max_bytes` are read to their end, then answered with 413.
    pub fn answer_413_over(&self, max_bytes: u64) {
        self.rules().upload_limit = Some(max_bytes);
    }

    /// The next `n` requests whose path contains `path_substring` are read to their end,
    /// then the connection closes: the server never sees them and no answer comes back.
    pub fn lose_after_body(&self, n: u32, path_substring: &str) {
        self.hold(n, path_substring, Hold::LoseAfterBody);
    }

    /// The next `n` requests whose path contains `path_substring` stall: after
    /// `after_bytes` of the body the proxy reads no more, so the client's sending stops.
    pub fn stall_after(&self, n: u32, path_substring: &str, after_bytes: u64) {
        self.hold(n, path_substring, Hold::StallAfter(after_bytes));
    }

    fn hold(&self, n: u32, path_substring: &str, hold: Hold) {
        self.rules()
            .holds
            .push((path_substring.to_ascii_lowercase(), hold, n));
    }

    /// Requests seen whose path contains `path_substring` (case-insensitive).
    pub fn seen(&self, path_substring: &str) -> u64 {
        let needle = path_substring.to_ascii_lowercase();
        self.rules()
            .seen
            .iter()
            .filter(|(path, _)| path.contains(&needle))
            .map(|(_, n)| n)
            .sum()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn answer(status: u16, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(body.into()))
        .unwrap()
}

async fn handle(
    req: Request<Incoming>,
    shared: Arc<Shared>,
    kill: Arc<Notify>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    let lower = path.to_ascii_lowercase();
    let (limit, hold) = {
        let mut rules = shared.rules.lock().unwrap();
        *rules.seen.entry(lower.clone()).or_default() += 1;
        let hold = rules
            .holds
            .iter_mut()
            .find(|(needle, _, left)| *left > 0 && lower.contains(needle.as_str()))
            .map(|rule| {
                rule.2 -= 1;
                rule.1
            });
        let limit = rules
            .upload_limit
            .filter(|_| lower.contains("/image/upload"));
        (limit, hold)
    };
    let (parts, mut incoming) = req.into_parts();
    let mut body = Vec::new();
    let mut received = 0u64;
    while let Some(frame) = incoming.frame().await {
        let Ok(frame) = frame else {
            return Ok(answer(400, "{\"message\":\"body not readable\"}"));
        };
        if let Some(data) = frame.data_ref() {
            received += data.len() as u64;
            if limit.is_none_or(|max| received <= max) {
                body.extend_from_slice(data);
            }
        }
        if let Some(Hold::StallAfter(max)) = hold {
            if received >= max {
                tokio::time::sleep(STALL_HOLD).await;
                kill.notify_one();
                std::future::pending::<()>().await;
            }
        }
    }
    if hold == Some(Hold::LoseAfterBody) {
        kill.notify_one();
        std::future::pending::<()>().await;
    }
    if limit.is_some_and(|max| received > max) {
        return Ok(answer(413, "{\"message\":\"Request Entity Too Large\"}"));
    }
    let mut forward = shared
        .client
        .request(parts.method.clone(), format!("{}{path}", shared.upstream))
        .body(body);
    for (name, value) in &parts.headers {
        if !matches!(name.as_str(), "host" | "content-length" | "connection") {
            forward = forward.header(name, value);
        }
    }
    let upstream = match forward.send().await {
        Ok(r) => r,
        Err(e) => return Ok(answer(502, format!("{{\"message\":\"upstream: {e}\"}}"))),
    };
    let status = upstream.status().as_u16();
    let headers = upstream.headers().clone();
    let bytes = upstream.bytes().await.unwrap_or_default();
    let mut response = Response::builder().status(StatusCode::from_u16(status).unwrap());
    for (name, value) in &headers {
        if !matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            response = response.header(name, value);
        }
    }
    Ok(response.body(Full::new(bytes)).unwrap())
}
