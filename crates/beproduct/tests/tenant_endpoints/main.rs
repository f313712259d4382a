//! The tenant endpoints beyond images (search schema, users, partner directory, tags,
//! comments) and validation answers, against small servers on 127.0.0.1 that answer with the
//! shapes the official SDKs read. Each test checks the exact route, method and body the client
//! sends. (The sandbox serves none of these yet.)

#[allow(dead_code)]
#[path = "../hostile_servers/raw.rs"]
mod raw;

mod comments;
mod people;
mod search_schema;
mod tags;
mod validation;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use beproduct::{Client, RetryPolicy};
use serde_json::Value;

use raw::{RawServer, Request};

/// One request as the fake tenant saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query, e.g. `/api/acme/Users/List`.
    pub path: String,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// How the fake tenant answers one request.
pub enum Answer {
    Json(u16, Value),
    /// A status with an empty body.
    Empty(u16),
    /// The request is read, then the connection closes without an answer.
    Drop,
}

/// A fake tenant; the token endpoint is answered by `RawServer::api`.
pub struct Tenant {
    pub server: RawServer,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Tenant {
    pub async fn start(answer: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Tenant {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(answer);
        let log = seen.clone();
        let server = RawServer::api(move |mut req: Request| {
            let (answer, log) = (answer.clone(), log.clone());
            async move {
                let body = req.read_body().await.unwrap_or_default();
                let request = Seen {
                    method: req.method.clone(),
                    path: req.path.clone(),
                    body,
                };
                log.lock().unwrap().push(request.clone());
                match answer(&request) {
                    Answer::Json(status, json) => req.respond_json(status, json).await,
                    Answer::Empty(status) => req.respond(status, &[], b"").await,
                    Answer::Drop => drop(req.sock),
                }
            }
        })
        .await;
        Tenant { server, seen }
    }

    pub fn client(&self) -> Client {
        self.server.client(RetryPolicy {
            request_timeout: Duration::from_secs(5),
            ..RetryPolicy::fast()
        })
    }

    /// Every API request so far (the token endpoint's are not recorded).
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// API requests whose path contains `part`.
    pub fn count(&self, part: &str) -> usize {
        self.requests()
            .iter()
            .filter(|s| s.path.contains(part))
            .count()
    }
}

/// The API path for `rest` on the fake tenant (company `acme`).
pub fn api(rest: &str) -> String {
    format!("/api/{}/{rest}", raw::COMPANY)
}
