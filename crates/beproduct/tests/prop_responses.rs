//! Property tests of the client's response handling over real HTTP on 127.0.0.1: a raw TCP
//! server answers each request with a generated status, headers, framing and body (valid,
//! mutated, arbitrary JSON or bytes). Every call must end within a time bound, without a panic,
//! as `Ok` or as an error whose `kind()` fits what the server sent.

mod strategies;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use beproduct::{Client, Config, Error, FieldUpdate, RetryPolicy, SearchQuery};
use futures::StreamExt;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestCaseError, TestRunner};
use serde_json::{json, Value};
use strategies::{arb_bytes, arb_json, byte_mutations, mutate_bytes, mutate_json, sample};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The longest one generated case may take (retries and server-requested waits included).
const CASE_DEADLINE: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------------
// The raw server

#[derive(Default)]
struct Answers {
    token: Vec<u8>,
    api: Vec<u8>,
}

struct RawServer {
    base: String,
    answers: Arc<Mutex<Answers>>,
    api_requests: Arc<AtomicU64>,
}

impl RawServer {
    async fn start() -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let answers = Arc::new(Mutex::new(Answers::default()));
        let api_requests = Arc::new(AtomicU64::new(0));
        let (a, n) = (answers.clone(), api_requests.clone());
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(answer_one(sock, a.clone(), n.clone()));
            }
        });
        RawServer {
            base,
            answers,
            api_requests,
        }
    }

    fn set(&self, token: Vec<u8>, api: Vec<u8>) {
        *self.answers.lock().unwrap() = Answers { token, api };
    }

    fn client(&self) -> Client {
        let retry = RetryPolicy {
            // Server-requested waits above this fail at once, which keeps every case short.
            max_server_wait: Duration::from_millis(300),
            request_timeout: Duration::from_secs(3),
            stall_timeout: Duration::from_secs(3),
            answer_timeout: Duration::from_secs(3),
            connect_timeout: Duration::from_secs(2),
            ..RetryPolicy::fast()
        };
        Client::new(
            Config::new("acme", "client-id", "client-secret", "refresh-token")
                .with_api_url(&self.base)
                .with_token_url(format!("{}/ids/connect/token", self.base))
                .with_retry_policy(retry),
        )
        .unwrap()
    }
}

/// One read with a time limit; `None` on EOF, error or timeout.
async fn read(sock: &mut TcpStream, tmp: &mut [u8]) -> Option<usize> {
    match tokio::time::timeout(Duration::from_secs(5), sock.read(tmp)).await {
        Ok(Ok(n)) if n > 0 => Some(n),
        _ => None,
    }
}

/// Reads one whole request (head and body, so closing never resets it), answers, closes.
async fn answer_one(mut sock: TcpStream, answers: Arc<Mutex<Answers>>, api: Arc<AtomicU64>) {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 16 * 1024];
    let head_end = loop {
        let Some(n) = read(&mut sock, &mut tmp).await else {
            return;
        };
        buf.extend_from_slice(&tmp[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let complete = match length {
            Some(len) => buf.len() >= head_end + len,
            None if chunked => buf.ends_with(b"0\r\n\r\n"),
            None => true,
        };
        if complete {
            break;
        }
        let Some(n) = read(&mut sock, &mut tmp).await else {
            return;
        };
        buf.extend_from_slice(&tmp[..n]);
    }
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let reply = {
        let answers = answers.lock().unwrap();
        if path.starts_with("/ids/") {
            answers.token.clone()
        } else {
            api.fetch_add(1, Ordering::SeqCst);
            answers.api.clone()
        }
    };
    let _ = sock.write_all(&reply).await;
    let _ = sock.shutdown().await;
    // Wait for the client to close its side so the close is orderly.
    let _ = tokio::time::timeout(Duration::from_secs(2), sock.read(&mut tmp)).await;
}

// ---------------------------------------------------------------------------------------------
// Generated answers

#[derive(Debug, Clone, Copy, PartialEq)]
enum Framing {
    /// Correct `Content-Length`.
    Length,
    /// No length; the body ends when the connection closes.
    CloseDelimited,
    /// Valid chunked transfer encoding.
    Chunked,
    /// `Content-Length` 10 bytes longer than the body sent.
    Truncated,
    /// The body bytes are the whole answer: no status line, no headers.
    Raw,
}

#[derive(Debug, Clone)]
enum BodyKind {
    /// The endpoint's valid sample answer, unchanged.
    Valid,
    /// `{"message": m}` or `{"error": m}`.
    ErrorMessage(String),
    Other,
}

#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    kind: BodyKind,
    framing: Framing,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("kind", &self.kind)
            .field("framing", &self.framing)
            .finish()
    }
}

impl Answer {
    fn to_bytes(&self) -> Vec<u8> {
        if self.framing == Framing::Raw {
            return self.body.clone();
        }
        let mut out = format!(
            "HTTP/1.1 {} Generated\r\nConnection: close\r\n",
            self.status
        );
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        match self.framing {
            Framing::Length => out.push_str(&format!("Content-Length: {}\r\n", self.body.len())),
            Framing::Truncated => {
                out.push_str(&format!("Content-Length: {}\r\n", self.body.len() + 10))
            }
            Framing::Chunked => out.push_str("Transfer-Encoding: chunked\r\n"),
            Framing::CloseDelimited | Framing::Raw => {}
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        if self.framing == Framing::Chunked {
            for chunk in self.body.chunks(7) {
                bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                bytes.extend_from_slice(chunk);
                bytes.extend_from_slice(b"\r\n");
            }
            bytes.extend_from_slice(b"0\r\n\r\n");
        } else {
            bytes.extend_from_slice(&self.body);
        }
        bytes
    }

    /// Whether the client cannot read this answer as HTTP. A 204 or 304 has no body whatever
    /// its `Content-Length` says, so a short body does not break it.
    fn is_broken(&self) -> bool {
        match self.framing {
            Framing::Raw => true,
            Framing::Truncated => !matches!(self.status, 204 | 304),
            _ => false,
        }
    }

    /// A readable 404, or a 4xx whose text says "not found" (how the API reports a missing image).
    fn says_not_found(&self) -> bool {
        // A truncated body still comes with a readable status.
        let text = String::from_utf8_lossy(&self.body).to_lowercase();
        self.framing != Framing::Raw
            && (self.status == 404
                || (!self.is_broken()
                    && (400..500).contains(&self.status)
                    && text.contains("not found")))
    }

    /// Status, headers and body a correct server would send for this endpoint.
    fn is_plainly_valid(&self) -> bool {
        matches!(self.kind, BodyKind::Valid)
            && self.status == 200
            && !self.is_broken()
            && self.headers.is_empty()
    }
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        4 => Just(200u16),
        1 => Just(204u16),
        1 => Just(400u16),
        1 => Just(401u16),
        1 => Just(404u16),
        1 => Just(429u16),
        1 => Just(500u16),
        1 => Just(503u16),
        2 => 200u16..600,
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop::sample::select(vec![
        "Content-Type",
        "Retry-After",
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
        "Content-Encoding",
        "X-Junk",
    ]);
    let value = prop_oneof![
        "[0-9]{1,3}",
        "-?[0-9]{0,30}(\\.[0-9]{0,3})?(e[0-9]{1,3})?",
        Just("NaN".to_owned()),
        Just("inf".to_owned()),
        Just("application/json; charset=utf-16".to_owned()),
        "[ -~]{0,24}",
    ];
    prop::collection::vec((name.prop_map(str::to_owned), value), 0..4)
}

fn framing() -> impl Strategy<Value = Framing> {
    prop_oneof![
        6 => Just(Framing::Length),
        1 => Just(Framing::CloseDelimited),
        1 => Just(Framing::Chunked),
        1 => Just(Framing::Truncated),
        1 => Just(Framing::Raw),
    ]
}

/// Bodies built from the valid sample answer `which` (see `strategies::sample`).
fn body(which: usize) -> impl Strategy<Value = (Vec<u8>, BodyKind)> {
    let valid = sample(which);
    let text = valid.to_string().into_bytes();
    let mutated_value = valid.clone();
    prop_oneof![
        3 => Just((text.clone(), BodyKind::Valid)),
        2 => prop::collection::vec((any::<u32>(), arb_json(), 0u8..3), 1..4).prop_map(move |edits| {
            let mut v = mutated_value.clone();
            mutate_json(&mut v, &edits);
            (v.to_string().into_bytes(), BodyKind::Other)
        }),
        2 => byte_mutations().prop_map(move |edits| (mutate_bytes(text.clone(), &edits), BodyKind::Other)),
        1 => arb_json().prop_map(|v| (v.to_string().into_bytes(), BodyKind::Other)),
        1 => arb_bytes().prop_map(|b| (b, BodyKind::Other)),
        2 => ("\\PC{0,40}", any::<bool>()).prop_map(|(m, as_error)| {
            let key = if as_error { "error" } else { "message" };
            (json!({ key: m }).to_string().into_bytes(), BodyKind::ErrorMessage(m))
        }),
    ]
}

fn answer(which: usize) -> impl Strategy<Value = Answer> {
    answer_with(body(which))
}

/// A generated status, headers and framing around bodies from `body`.
fn answer_with(body: impl Strategy<Value = (Vec<u8>, BodyKind)>) -> impl Strategy<Value = Answer> {
    (status(), headers(), body, framing()).prop_map(|(status, headers, (body, kind), framing)| {
        Answer {
            status,
            headers,
            body,
            kind,
            framing,
        }
    })
}

// ---------------------------------------------------------------------------------------------
// The calls under test

#[derive(Debug, Clone, Copy, PartialEq)]
enum Endpoint {
    Folders,
    Schema,
    SearchPage,
    SearchStream,
    GetImage,
    Create,
    Update,
    Delete,
    ProcessingStatus,
    Upload,
}

const ENDPOINTS: [Endpoint; 10] = [
    Endpoint::Folders,
    Endpoint::Schema,
    Endpoint::SearchPage,
    Endpoint::SearchStream,
    Endpoint::GetImage,
    Endpoint::Create,
    Endpoint::Update,
    Endpoint::Delete,
    Endpoint::ProcessingStatus,
    Endpoint::Upload,
];

impl Endpoint {
    /// Which `strategies::sample` is this endpoint's valid answer.
    fn sample(self) -> usize {
        match self {
            Endpoint::Folders => 0,
            Endpoint::Schema => 1,
            Endpoint::GetImage | Endpoint::Create | Endpoint::Update => 2,
            Endpoint::SearchPage | Endpoint::SearchStream => 3,
            Endpoint::ProcessingStatus | Endpoint::Delete => 4,
            Endpoint::Upload => 5,
        }
    }

    /// Creates and uploads may have happened when the answer is lost.
    fn may_duplicate(self) -> bool {
        matches!(self, Endpoint::Create | Endpoint::Upload)
    }

    async fn call(self, client: &Client, file: &Path) -> Result<(), Error> {
        use strategies::{FOLDER_ID, HEADER_ID, UPLOAD_ID};
        let fields = [FieldUpdate::new("header_name", "n")];
        match self {
            Endpoint::Folders => client.folders().await.map(drop),
            Endpoint::Schema => client.folder_schema(FOLDER_ID).await.map(drop),
            Endpoint::SearchPage => client
                .search_page(&SearchQuery::in_folder(FOLDER_ID), 10, 0)
                .await
                .map(drop),
            Endpoint::SearchStream => {
                // The raw server answers every page alike, so bound the walk.
                let items: Vec<_> = client
                    .search(SearchQuery::in_folder(FOLDER_ID), 10)
                    .take(25)
                    .collect()
                    .await;
                items.into_iter().try_for_each(|r| r.map(drop))
            }
            Endpoint::GetImage => client.get_image(HEADER_ID).await.map(drop),
            Endpoint::Create => client
                .create_image(FOLDER_ID, &fields, false)
                .await
                .map(drop),
            Endpoint::Update => client.update_image(HEADER_ID, &fields).await.map(drop),
            Endpoint::Delete => client.delete_image(HEADER_ID).await,
            Endpoint::ProcessingStatus => client.processing_status(UPLOAD_ID).await.map(drop),
            Endpoint::Upload => client.upload_file(HEADER_ID, file, None).await.map(drop),
        }
    }
}

/// The error kinds that fit `answer` to a call of `endpoint`.
fn allowed_kinds(endpoint: Endpoint, answer: &Answer) -> Vec<&'static str> {
    let lost = if endpoint.may_duplicate() {
        "outcome_unknown"
    } else {
        "transport"
    };
    if answer.framing == Framing::Raw {
        return vec![lost, "transport"];
    }
    // The raw server reads every request whole before answering, so an upload's body is
    // always complete: its 3xx and 5xx answers are outcome unknown, never SendInterrupted.
    let mut kinds = match answer.status {
        401 => vec!["auth"],
        429 => vec!["throttled"],
        413 => vec!["too_large"],
        300..=399 | 500..=599 if endpoint.may_duplicate() => vec!["outcome_unknown"],
        200..=299 => vec!["decode"],
        404 => vec!["not_found"],
        _ => vec!["api"],
    };
    if answer.is_broken() {
        kinds.extend([lost, "transport"]);
    }
    kinds
}

fn check(
    endpoint: Endpoint,
    answer: &Answer,
    outcome: Result<(), Error>,
) -> Result<(), TestCaseError> {
    let err = match outcome {
        Ok(()) => {
            // Deleting an image that is already gone is a success.
            let gone = endpoint == Endpoint::Delete && answer.says_not_found();
            prop_assert!(
                ((200..300).contains(&answer.status) && !answer.is_broken()) || gone,
                "{endpoint:?} succeeded on {answer:?}"
            );
            return Ok(());
        }
        Err(e) => e,
    };
    let kind = err.kind().as_str();
    let allowed = allowed_kinds(endpoint, answer);
    prop_assert!(
        allowed.contains(&kind),
        "{endpoint:?}: kind {kind} not in {allowed:?}: {err}"
    );
    prop_assert!(
        !answer.is_plainly_valid(),
        "{endpoint:?} failed on a valid answer: {err}"
    );
    if matches!(kind, "api" | "not_found") {
        prop_assert_eq!(err.status(), Some(answer.status));
        // A redirect's message names where it pointed instead of the body's text.
        let redirect = (300..400).contains(&answer.status);
        if let (BodyKind::ErrorMessage(m), false, false) =
            (&answer.kind, answer.is_broken(), redirect)
        {
            let m = m.trim();
            if !m.is_empty() {
                prop_assert!(
                    err.to_string().contains(m),
                    "server message {m:?} lost: {err}"
                );
            }
        }
    }
    Ok(())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(RunnerConfig {
        cases,
        failure_persistence: None,
        ..RunnerConfig::default()
    })
}

fn token_answer() -> Vec<u8> {
    Answer {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: sample(6).to_string().into_bytes(),
        kind: BodyKind::Valid,
        framing: Framing::Length,
    }
    .to_bytes()
}

#[test]
fn generated_api_answers_give_ok_or_a_fitting_error_never_a_panic_or_hang() {
    let rt = runtime();
    let server = rt.block_on(RawServer::start());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.png");
    std::fs::write(&file, b"\x89PNG\r\n\x1a\nnot really").unwrap();
    let strategy =
        prop::sample::select(&ENDPOINTS[..]).prop_flat_map(|e| (Just(e), answer(e.sample())));
    let result = runner(160).run(&strategy, |(endpoint, answer)| {
        server.set(token_answer(), answer.to_bytes());
        let client = server.client();
        let outcome = rt.block_on(async {
            tokio::time::timeout(CASE_DEADLINE, endpoint.call(&client, &file)).await
        });
        let outcome =
            outcome.map_err(|_| TestCaseError::fail(format!("{endpoint:?} hung on {answer:?}")))?;
        check(endpoint, &answer, outcome)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(server.api_requests.load(Ordering::SeqCst) >= 160);
}

/// `expires_in` as the token endpoint might send it: any number, numeric text or junk.
fn expires_in() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        "[0-9]{1,30}".prop_map(Value::from),
        "\\PC{0,10}".prop_map(Value::from),
        Just(Value::Null),
    ]
}

fn token_body() -> impl Strategy<Value = (Vec<u8>, BodyKind)> {
    prop_oneof![
        3 => expires_in().prop_map(|e| {
            let body = json!({"access_token": "at-1", "expires_in": e, "refresh_token": "refresh-token"});
            (body.to_string().into_bytes(), BodyKind::Valid)
        }),
        1 => "[0-9]{1,25}".prop_map(|e| {
            (format!("access_token=at%2B1&expires_in={e}").into_bytes(), BodyKind::Valid)
        }),
        3 => body(6),
        1 => ("\\PC{0,20}", "\\PC{0,20}").prop_map(|(e, d)| {
            (json!({"error": e, "error_description": d}).to_string().into_bytes(), BodyKind::Other)
        }),
    ]
}

#[test]
fn generated_token_answers_give_ok_or_a_fitting_error_never_a_panic_or_hang() {
    let rt = runtime();
    let server = rt.block_on(RawServer::start());
    let folders = Answer {
        status: 200,
        headers: Vec::new(),
        body: sample(0).to_string().into_bytes(),
        kind: BodyKind::Valid,
        framing: Framing::Length,
    }
    .to_bytes();
    let strategy = answer_with(token_body());
    let result = runner(160).run(&strategy, |answer| {
        server.set(answer.to_bytes(), folders.clone());
        let client = server.client();
        let outcome = rt
            .block_on(async { tokio::time::timeout(CASE_DEADLINE, client.folders()).await })
            .map_err(|_| TestCaseError::fail(format!("hung on token answer {answer:?}")))?;
        match outcome {
            Ok(folders) => {
                prop_assert_eq!(folders.len(), 1);
                prop_assert!((200..300).contains(&answer.status) && !answer.is_broken());
            }
            Err(err) => {
                // 429 and 5xx are transient (throttled / transport); 3xx and 4xx need the user.
                let by_status = match answer.status {
                    200..=299 => "decode",
                    429 => "throttled",
                    500..=599 => "transport",
                    _ => "auth",
                };
                // A truncated error answer still has a readable status; its body is not needed.
                let status_read = !answer.is_broken()
                    || (answer.framing == Framing::Truncated
                        && !(200..300).contains(&answer.status));
                let mut allowed = Vec::new();
                if status_read {
                    allowed.push(by_status);
                }
                if answer.is_broken() {
                    allowed.push("transport");
                }
                prop_assert!(
                    allowed.contains(&err.kind().as_str()),
                    "kind {} not in {:?}: {}",
                    err.kind(),
                    allowed,
                    err
                );
                let valid = matches!(answer.kind, BodyKind::Valid)
                    && answer.status == 200
                    && !answer.is_broken();
                prop_assert!(!valid, "a valid token answer failed: {err}");
                prop_assert!(
                    !err.to_string().contains("client-secret")
                        && !err.to_string().contains("refresh-token"),
                    "a secret in {err}"
                );
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Regressions found by the properties above, kept as plain examples.
#[tokio::test]
async fn extreme_expires_in_and_retry_after_values_do_not_panic() {
    let server = RawServer::start().await;
    for expires in [
        json!(1e20),
        json!(u64::MAX),
        json!("99999999999999999999999"),
    ] {
        let token = Answer {
            status: 200,
            headers: Vec::new(),
            body: json!({"access_token": "at", "expires_in": expires})
                .to_string()
                .into_bytes(),
            kind: BodyKind::Valid,
            framing: Framing::Length,
        };
        server.set(
            token.to_bytes(),
            Answer {
                status: 200,
                headers: Vec::new(),
                body: sample(0).to_string().into_bytes(),
                kind: BodyKind::Valid,
                framing: Framing::Length,
            }
            .to_bytes(),
        );
        let folders = server.client().folders().await.unwrap();
        assert_eq!(folders.len(), 1, "expires_in {expires}");
    }
    for (header, body) in [
        (Some("1e30"), json!({})),
        (Some("inf"), json!({})),
        (None, json!({"retryAfterSeconds": 1e300})),
        (None, json!({"retryAfterSeconds": "1e999"})),
    ] {
        let throttled = Answer {
            status: 429,
            headers: header
                .map(|h| vec![("Retry-After".to_owned(), h.to_owned())])
                .unwrap_or_default(),
            body: body.to_string().into_bytes(),
            kind: BodyKind::Other,
            framing: Framing::Length,
        };
        server.set(token_answer(), throttled.to_bytes());
        let err = tokio::time::timeout(CASE_DEADLINE, server.client().folders())
            .await
            .expect("no hang")
            .unwrap_err();
        assert_eq!(err.kind(), "throttled", "{header:?} {body}: {err}");
    }
}
