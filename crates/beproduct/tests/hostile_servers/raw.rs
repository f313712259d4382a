//! A raw HTTP/1.1 server on 127.0.0.1 whose every connection is handled by the test: it can
//! read slowly, stop reading, cut the connection, answer early or never, redirect, or send
//! bodies of any size. It answers the token endpoint itself unless told to pass it on.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use beproduct::{Client, Config, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

pub const COMPANY: &str = "acme";
pub const TOKEN_PATH: &str = "/ids/connect/token";
pub const SECRET: &str = "client-secret-value";
pub const REFRESH: &str = "refresh-token-value";
pub const IMAGE_ID: &str = "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe";
pub const FOLDER_ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
/// The most a test connection reads in one go; keeps slow readers slow.
const READ_CHUNK: usize = 16 * 1024;

/// One request whose head has been read; the body (if any) is still on the socket, apart from
/// the bytes already read with the head.
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header lines, names lower-cased.
    pub headers: Vec<(String, String)>,
    pub early_body: Vec<u8>,
    pub sock: TcpStream,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn content_length(&self) -> Option<u64> {
        self.header("content-length")?.trim().parse().ok()
    }

    /// Reads the rest of the body (Content-Length or chunked); `None` when the client went away.
    pub async fn read_body(&mut self) -> Option<Vec<u8>> {
        self.read_body_at(None).await
    }

    /// Reads the body at about `bytes_per_sec` (a slow uplink on the server's side).
    pub async fn read_body_slowly(&mut self, bytes_per_sec: u64) -> Option<Vec<u8>> {
        self.read_body_at(Some(bytes_per_sec)).await
    }

    async fn read_body_at(&mut self, rate: Option<u64>) -> Option<Vec<u8>> {
        let mut body = std::mem::take(&mut self.early_body);
        let started = Instant::now();
        let mut tmp = vec![0u8; READ_CHUNK];
        loop {
            let done = match self.content_length() {
                Some(len) => body.len() as u64 >= len,
                None => body.ends_with(b"0\r\n\r\n") || self.header("transfer-encoding").is_none(),
            };
            if done {
                return Some(body);
            }
            if let Some(rate) = rate {
                // Pace reads so the bytes read so far never run ahead of `rate`.
                let due = Duration::from_secs_f64(body.len() as f64 / rate as f64);
                tokio::time::sleep_until((started + due).into()).await;
            }
            let n = self.sock.read(&mut tmp).await.ok()?;
            if n == 0 {
                return None;
            }
            body.extend_from_slice(&tmp[..n]);
        }
    }

    /// Reads about `n` body bytes (fewer if the body is shorter) and returns how many it read.
    pub async fn read_some(&mut self, n: usize) -> usize {
        let mut got = self.early_body.len();
        let mut tmp = vec![0u8; READ_CHUNK];
        while got < n {
            match self.sock.read(&mut tmp).await {
                Ok(0) | Err(_) => break,
                Ok(k) => got += k,
            }
        }
        got
    }

    /// Writes a complete answer with Content-Length and `Connection: close`.
    pub async fn respond(&mut self, status: u16, headers: &[(&str, &str)], body: &[u8]) {
        let mut head = format!(
            "HTTP/1.1 {status} Test\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = self.sock.write_all(head.as_bytes()).await;
        let _ = self.sock.write_all(body).await;
        let _ = self.sock.flush().await;
    }

    pub async fn respond_json(&mut self, status: u16, body: serde_json::Value) {
        self.respond(
            status,
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
        .await;
    }

    /// Keeps the connection open for `limit` without reading another byte.
    pub async fn hold(self, limit: Duration) {
        tokio::time::sleep(limit).await;
        drop(self.sock);
    }

    /// Waits until the client closes the connection (or `limit`), discarding what it sends.
    pub async fn drain_until_closed(mut self, limit: Duration) {
        let mut tmp = vec![0u8; READ_CHUNK];
        let _ = tokio::time::timeout(limit, async {
            while let Ok(n) = self.sock.read(&mut tmp).await {
                if n == 0 {
                    return;
                }
            }
        })
        .await;
    }
}

/// A token answer (no rotation), as the real endpoint sends it.
pub fn token_json() -> serde_json::Value {
    serde_json::json!({"access_token": "at-1", "expires_in": 3600, "token_type": "Bearer"})
}

pub struct RawServer {
    pub base: String,
    pub port: u16,
    /// `METHOD path` of every request whose head arrived, in order.
    seen: Arc<Mutex<Vec<String>>>,
    connections: Arc<AtomicU64>,
}

impl RawServer {
    /// Every request (the token endpoint's too) goes to `handle`.
    pub async fn start<F, Fut>(handle: F) -> RawServer
    where
        F: Fn(Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let socket = TcpSocket::new_v4().unwrap();
        // Small kernel buffers, so a reader that stops reading stops the sender soon.
        socket.set_recv_buffer_size(64 * 1024).unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(64).unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicU64::new(0));
        let handle = Arc::new(handle);
        let (seen2, conns2) = (seen.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                conns2.fetch_add(1, Ordering::SeqCst);
                let (handle, seen) = (handle.clone(), seen2.clone());
                tokio::spawn(async move {
                    if let Some(req) = read_head(sock).await {
                        seen.lock()
                            .unwrap()
                            .push(format!("{} {}", req.method, req.path));
                        handle(req).await;
                    }
                });
            }
        });
        RawServer {
            base: format!("http://{addr}"),
            port: addr.port(),
            seen,
            connections,
        }
    }

    /// Like `start`, with the token endpoint answered here (a valid token, no rotation).
    pub async fn api<F, Fut>(handle: F) -> RawServer
    where
        F: Fn(Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let handle = Arc::new(handle);
        RawServer::start(move |mut req: Request| {
            let handle = handle.clone();
            async move {
                if req.path == TOKEN_PATH {
                    req.read_body().await;
                    req.respond_json(200, token_json()).await;
                } else {
                    handle(req).await;
                }
            }
        })
        .await
    }

    /// Requests seen whose `METHOD path` contains `part`.
    pub fn seen(&self, part: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.contains(part))
            .count()
    }

    /// TCP connections accepted, whether or not a request arrived on them.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn config(&self, retry: RetryPolicy) -> Config {
        Config::new(COMPANY, "client-id", SECRET, REFRESH)
            .with_api_url(&self.base)
            .with_token_url(format!("{}{TOKEN_PATH}", self.base))
            .with_retry_policy(retry)
    }

    pub fn client(&self, retry: RetryPolicy) -> Client {
        Client::new(self.config(retry)).unwrap()
    }
}

async fn read_head(mut sock: TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        let n = tokio::time::timeout(Duration::from_secs(10), sock.read(&mut tmp))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.lines();
    let mut first = lines.next()?.split_whitespace();
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Some(Request {
        method,
        path,
        headers,
        early_body: buf[head_end..].to_vec(),
        sock,
    })
}

/// A file of `len` patterned bytes in `dir`, written in blocks (never whole in memory).
pub fn big_file(dir: &std::path::Path, name: &str, len: u64) -> std::path::PathBuf {
    use std::io::Write;
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let block: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
    let mut left = len;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        f.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
    path
}
