//! Property tests of the sandbox's request parsing over real HTTP on 127.0.0.1: generated
//! methods, paths (dot segments, `%00`, `?`, `#`, unicode), query strings, content types and
//! bodies against the token endpoint and every Image endpoint. Each answer must be 2xx, or 4xx
//! with a JSON message; never 5xx, never a dropped connection; the server keeps serving.

mod common;
mod raw;

use std::net::SocketAddr;
use std::time::Duration;

use beproduct_sandbox::Seed;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestCaseError, TestRunner};
use serde_json::{json, Value};

const SECRET: &str = "TOP-SECRET-OUTSIDE-THE-DATA-DIR";

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        "\\PC{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "header_name",
            "header_number",
            "width_px",
            "season",
            "colors",
            "due_date",
            "repeat",
            "version",
            "Eq",
            "Contains",
            "Gt",
            "■",
            "../../x",
            "Yes",
            "1e999",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "fields", "id", "value", "filters", "field", "operator", "type", "x"
                    ]),
                    inner
                ),
                0..5
            )
            .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

/// Something to put where an id goes in a path.
fn path_id(real_image: String) -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(real_image),
        1 => Just(uuid::Uuid::new_v4().to_string()),
        3 => prop::sample::select(vec![
            "..", "../", "../..", "%2e%2e", "%2E%2E%2F", "..%2F..%2Fsandbox.sqlite", "%00",
            "a%00b", "%3F", "%23", "%2F", "a%2Fb", "%FF%FE", "%", "%zz", "~", ".", "-",
            "00000000-0000-0000-0000-000000000000", "{00000000-0000-0000-0000-000000000000}",
            "..%5C..%5Cwindows", "%C0%AE%C0%AE",
        ])
        .prop_map(str::to_owned),
        2 => "\\PC{0,12}".prop_map(|s| raw::encode(&s)),
        1 => "[0-9a-f]{300,400}",
    ]
}

fn query_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{1,25}",
        Just(String::new()),
        Just("1e9".to_owned()),
        Just("0x10".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("%00".to_owned()),
        Just("..%2F..%2Fetc%2Fpasswd".to_owned()),
        Just("true".to_owned()),
        "\\PC{0,10}".prop_map(|s| raw::encode(&s)),
        Just(uuid::Uuid::new_v4().to_string()),
    ]
}

fn query() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "folderId",
        "FOLDERID",
        "pageSize",
        "pageNumber",
        "preserveVersion",
        "imageId",
        "showDeleted",
        "x",
        "",
    ]);
    prop::collection::vec((key, query_value()), 0..5).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop::sample::select(vec![
        Some("application/json"),
        Some("application/json; charset=latin1"),
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
        Some("multipart/form-data; boundary=XyZ"),
        Some("multipart/form-data"),
        Some("image/png"),
        None,
    ])
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => arb_json().prop_map(|v| v.to_string().into_bytes()),
        2 => arb_json().prop_map(|v| json!({"fields": v}).to_string().into_bytes()),
        2 => arb_json().prop_map(|v| json!({"filters": [{"field": "header_name", "operator": "Eq", "value": v}]}).to_string().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..200),
        1 => Just(b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../evil.png\"\r\n\r\nabc\r\n--XyZ--\r\n".to_vec()),
        1 => Just(b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc".to_vec()),
        1 => "[a-z_]{1,10}=[ -~]{0,20}(&[a-z_]{1,10}=[ -~]{0,10}){0,3}".prop_map(String::into_bytes),
        1 => Just(Vec::new()),
    ]
}

#[derive(Debug, Clone)]
struct Req {
    method: &'static str,
    target: String,
    content_type: Option<&'static str>,
    auth: Auth,
    body: Vec<u8>,
}

#[derive(Debug, Clone, Copy)]
enum Auth {
    Valid,
    Missing,
    Garbage,
}

/// Targets: every Image endpoint, the token endpoint and the media routes, with generated ids.
fn target(real_image: String) -> impl Strategy<Value = (&'static str, String)> {
    let templates = vec![
        ("POST", "/ids/connect/token"),
        ("GET", "/api/sandbox/Image/Folders"),
        ("GET", "/api/sandbox/Image/FolderSchema"),
        ("POST", "/api/sandbox/Image/Headers"),
        ("GET", "/api/sandbox/Image/Header/{id}"),
        ("POST", "/api/sandbox/Image/Header/Create"),
        ("POST", "/api/sandbox/Image/Header/{id}/Update"),
        ("GET", "/api/sandbox/Image/Header/Delete/{random}"),
        ("POST", "/api/sandbox/Image/Header/{id}/Image/Upload"),
        ("GET", "/api/sandbox/Style/GetImageProcessingStatus/{id}"),
        ("GET", "/api/sandbox/Image/GetImageProcessingStatus/{id}"),
        ("GET", "/api/sandbox/Image/GetImageProcessingStatus"),
        ("GET", "/api/sandbox/image/header/{id}/{id}"),
        ("GET", "/api/sandbox/{id}"),
        ("GET", "/media/storage/sandbox/{id}/1/{id}"),
        ("GET", "/media/preview/sandbox/{id}/1/0/{id}"),
    ];
    let method = prop_oneof![
        8 => Just(None),
        1 => prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]).prop_map(Some),
    ];
    (
        prop::sample::select(templates),
        method,
        path_id(real_image),
        query(),
        any::<bool>(),
    )
        .prop_map(|((m, template), other_method, id, query, with_query)| {
            // Delete never gets the real image, so it stays for the other cases.
            let random = uuid::Uuid::new_v4().to_string();
            let random = if id.len() == 36 { random } else { id.clone() };
            let mut path = template.replace("{id}", &id).replace("{random}", &random);
            if with_query {
                path.push('?');
                path.push_str(&query);
            }
            (other_method.unwrap_or(m), path)
        })
}

fn req(real_image: String) -> impl Strategy<Value = Req> {
    (
        target(real_image),
        content_type(),
        prop::sample::select(vec![
            Auth::Valid,
            Auth::Valid,
            Auth::Valid,
            Auth::Missing,
            Auth::Garbage,
        ]),
        body(),
    )
        .prop_map(|((method, target), content_type, auth, body)| Req {
            method,
            target,
            content_type,
            auth,
            body,
        })
}

async fn send(addr: SocketAddr, token: &str, r: &Req) -> raw::RawResponse {
    let bearer = format!("Bearer {token}");
    let mut headers: Vec<(&str, &str)> = Vec::new();
    match r.auth {
        Auth::Valid => headers.push(("Authorization", &bearer)),
        Auth::Garbage => headers.push(("Authorization", "Bearer not-a-token")),
        Auth::Missing => {}
    }
    if let Some(ct) = r.content_type {
        headers.push(("Content-Type", ct));
    }
    raw::send(
        addr,
        &raw::request(addr, r.method, &r.target, &headers, &r.body),
    )
    .await
}

fn check(r: &Req, resp: &raw::RawResponse) -> Result<(), TestCaseError> {
    let Some(status) = resp.status else {
        return Err(TestCaseError::fail(format!(
            "connection dropped without an answer to {r:?}"
        )));
    };
    let text = String::from_utf8_lossy(&resp.body);
    prop_assert!(status < 500, "{status} for {r:?}: {text}");
    prop_assert!(
        !text.contains(SECRET),
        "a file outside the data dir was served for {r:?}"
    );
    prop_assert!(
        !resp.body.starts_with(b"SQLite format 3"),
        "the database was served for {r:?}"
    );
    let media = r.target.starts_with("/media/");
    // An unknown company (or a path outside the API) is a bare 404 by design, like the real
    // API; the media routes answer 404 in plain text like a CDN.
    let bare_404 = status == 404 && (resp.body.is_empty() || media);
    if (400..500).contains(&status) && !bare_404 {
        prop_assert!(
            resp.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "{status} without JSON for {r:?}: {text}"
        );
        prop_assert!(
            resp.error_message().is_some(),
            "{status} without a message for {r:?}: {text}"
        );
    }
    if media {
        prop_assert!(status != 200, "media served for a made-up id: {r:?}");
    }
    Ok(())
}

#[test]
fn generated_requests_get_2xx_or_4xx_json_never_5xx_and_the_server_stays_up() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (env, real_image, addr) = rt.block_on(async {
        let env = common::start_with(Seed::Empty, |c| c.data_dir = c.data_dir.join("data")).await;
        std::fs::write(env.dir.path().join("secret.txt"), SECRET).unwrap();
        let prints = env.folder_id("Prints").await;
        let (status, img) = env
            .create(&prints, json!([{"id": "header_name", "value": "target"}]))
            .await;
        assert_eq!(status, 200, "{img}");
        let id = img["id"].as_str().unwrap().to_owned();
        let addr = env.sandbox.addr();
        (env, id, addr)
    });
    let mut runner = TestRunner::new(RunnerConfig {
        cases: 1500,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let token = env.token.clone();
    let result = runner.run(&req(real_image.clone()), |r| {
        let resp = rt.block_on(send(addr, &token, &r));
        check(&r, &resp)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    rt.block_on(async {
        let (status, body) = env.get(&format!("Image/Header/{real_image}")).await;
        assert_eq!(
            status, 200,
            "the server still serves normal requests: {body}"
        );
        assert_eq!(
            env.sandbox.controls().count_images(None),
            1,
            "no generated request created or deleted an image"
        );
        assert!(
            env.sandbox.controls().requests_seen("/") >= 1500,
            "every case reached the server"
        );
    });
    drop(env);
}

#[tokio::test]
async fn malformed_http_gets_400_or_a_closed_connection_and_others_are_still_served() {
    let env = common::start(Seed::Empty).await;
    let addr = env.sandbox.addr();
    let folders = "/api/sandbox/Image/Folders".to_owned();
    let normal = raw::request(
        addr,
        "GET",
        &folders,
        &[("Authorization", &format!("Bearer {}", env.token))],
        b"",
    );
    let huge_header = format!(
        "GET {folders} HTTP/1.1\r\nHost: {addr}\r\nX-Huge: {}\r\n\r\n",
        "a".repeat(1024 * 1024)
    );
    let many_headers = format!(
        "GET {folders} HTTP/1.1\r\nHost: {addr}\r\n{}\r\n",
        (0..500)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect::<String>()
    );
    let bad: Vec<Vec<u8>> = vec![
        b"garbage\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"GET / HTTP/9.9\r\n\r\n".to_vec(),
        b"\x00\x01\x02\xff\xfe\r\n\r\n".to_vec(),
        [
            b"GET /api/sandbox/Image/\xff\xfe HTTP/1.1\r\nHost: ".as_slice(),
            addr.to_string().as_bytes(),
            b"\r\n\r\n",
        ]
        .concat(),
        format!("GET /a b c HTTP/1.1\r\nHost: {addr}\r\n\r\n").into_bytes(),
        format!("POST /ids/connect/token HTTP/1.1\r\nHost: {addr}\r\nContent-Length: -5\r\n\r\n").into_bytes(),
        format!("POST /ids/connect/token HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 99999999999999999999999\r\n\r\n").into_bytes(),
        format!("POST /ids/connect/token HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef").into_bytes(),
        format!("POST /ids/connect/token HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n").into_bytes(),
        b"GET / HTTP/1.1\r\nBad Header Line\r\n\r\n".to_vec(),
        huge_header.into_bytes(),
        many_headers.into_bytes(),
    ];
    for request in &bad {
        let resp = raw::send(addr, request).await;
        if let Some(status) = resp.status {
            assert!(
                (400..500).contains(&status),
                "{status} for {:?}",
                String::from_utf8_lossy(&request[..request.len().min(80)])
            );
        }
        let ok = raw::send(addr, &normal).await;
        assert_eq!(
            ok.status,
            Some(200),
            "a normal request after a malformed one"
        );
    }

    // A truncated body: the connection stays open with fewer bytes than promised. Others are
    // served meanwhile; once the client gives up the server answers 400 or closes.
    for target in [
        "/ids/connect/token".to_owned(),
        "/api/sandbox/Image/Headers".to_owned(),
        format!(
            "/api/sandbox/Image/Header/{}/Image/Upload",
            uuid::Uuid::new_v4()
        ),
    ] {
        let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST {target} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 1000\r\n\r\n--XyZ\r\nContent-Disp",
            env.token
        );
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        sock.write_all(head.as_bytes()).await.unwrap();
        let ok = raw::send(addr, &normal).await;
        assert_eq!(ok.status, Some(200), "served while another body is stalled");
        sock.shutdown().await.unwrap();
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(10), sock.read_to_end(&mut buf)).await;
        assert!(
            read.is_ok(),
            "the server neither answered nor closed after a truncated body"
        );
        let resp = raw::parse(&buf);
        if let Some(status) = resp.status {
            assert!(
                (400..500).contains(&status),
                "{status} for a truncated body to {target}"
            );
        }
    }
    let ok = raw::send(addr, &normal).await;
    assert_eq!(ok.status, Some(200));
}
