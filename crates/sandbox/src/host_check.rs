//! Answers only requests addressed to the sandbox itself. A web page can point a name it owns at
//! 127.0.0.1 (DNS rebinding) and then talk to a local server as if it were its own site; its
//! requests still carry that name in `Host`, so anything but our own loopback address is refused.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The `host:port` spellings that name this server, in lower case.
pub struct AllowedHosts {
    names: Vec<String>,
}

impl AllowedHosts {
    pub fn for_addr(addr: SocketAddr) -> AllowedHosts {
        let port = addr.port();
        let mut names = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ];
        if !addr.ip().is_unspecified() {
            // `SocketAddr` prints IPv6 in brackets, as a Host header writes it.
            names.push(addr.to_string().to_ascii_lowercase());
        }
        names.dedup();
        AllowedHosts { names }
    }

    fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        self.names.contains(&host)
    }

    fn describe(&self) -> String {
        self.names.join(", ")
    }
}

/// Outermost layer: a request is served only when every name it gives (the `Host` header and,
/// in absolute form, the request target's authority) is one of ours, and it gives at least one.
pub async fn require_own_host(
    State(allowed): State<Arc<AllowedHosts>>,
    req: Request,
    next: Next,
) -> Response {
    let header_host = req
        .headers()
        .get(header::HOST)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let target_host = req.uri().authority().map(|a| a.as_str().to_owned());
    let given: Vec<&String> = header_host.iter().chain(target_host.iter()).collect();
    if !given.is_empty() && given.iter().all(|h| allowed.allows(h)) {
        return next.run(req).await;
    }
    let got = given
        .first()
        .map(|h| format!("'{h}'"))
        .unwrap_or_else(|| "no Host header".into());
    let message = format!(
        "Misdirected request: this sandbox answers only requests for {} (got {got}). \
         Use the address it printed at start-up.",
        allowed.describe()
    );
    let body = serde_json::json!({"error": true, "message": message});
    (StatusCode::MISDIRECTED_REQUEST, axum::Json(body)).into_response()
}
