//! Issue 10's knobs over real HTTP on 127.0.0.1: a slow uplink, processing that takes minutes,
//! signed media URLs, 5xx after acting, token endpoint faults, over-limit uploads answered 413
//! or reset, rewritten file names, and upload sources served by the sandbox.

mod common;

use std::time::{Duration, Instant};

use beproduct_sandbox::{FaultKind, FaultRule, Oversize, Seed, SourceOptions};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A new image in Prints; returns its id.
async fn new_image(env: &Env, name: &str) -> String {
    let prints = env.folder_id("Prints").await;
    let (status, img) = env
        .create(&prints, json!([{"id": "header_name", "value": name}]))
        .await;
    assert_eq!(status, StatusCode::OK, "{img}");
    img["id"].as_str().unwrap().to_owned()
}

/// Polls `check` every 50 ms until it returns `Some`, for at most `secs` seconds.
async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {secs} s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn noise(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

fn incoming_part_sizes(env: &Env) -> Vec<u64> {
    std::fs::read_dir(env.dir.path().join("incoming"))
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok().map(|m| m.len()))
        .collect()
}

// ---------- 1. a slow uplink ----------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bandwidth_limit_takes_request_bodies_slowly_and_streams_them_to_disk() {
    // 800 kbit/s = 100 kB/s: 400 kB take about 4 s.
    let env = start_with(Seed::Empty, |c| c.upload_kbps = Some(800)).await;
    let id = new_image(&env, "slow").await;
    let size = 400_000;
    let started = Instant::now();
    let upload = env.upload(&id, "slow.bin", noise(size));
    tokio::pin!(upload);
    // While the body is still arriving, part of it is already on disk: nothing waits in memory.
    let mut partial = None;
    let (status, body) = loop {
        tokio::select! {
            answer = &mut upload => break answer,
            _ = tokio::time::sleep(Duration::from_millis(50)) => {
                if let Some(&len) = incoming_part_sizes(&env).iter().find(|&&l| l > 0 && l < size as u64) {
                    partial.get_or_insert(len);
                }
            }
        }
    };
    let took = started.elapsed();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(partial.is_some(), "the file was never seen half-written");
    // A lower bound only: the server cannot have taken the bytes faster than the link.
    assert!(
        took >= Duration::from_millis(3500),
        "400 kB at 100 kB/s took only {took:?}"
    );

    // The runtime hook, over HTTP: lifted, then set again.
    assert_eq!(
        env.control("upload-kbps", &json!({ "kbps": null })).await.0,
        StatusCode::NOT_FOUND,
        "controls are off here"
    );
    env.sandbox.controls().set_upload_kbps(Some(400));
    let started = Instant::now();
    let (status, _) = env.upload(&id, "slower.bin", noise(100_000)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "100 kB at 50 kB/s took {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bandwidth_hook_works_over_http() {
    let env = start_with(Seed::Empty, |c| c.test_controls = true).await;
    let id = new_image(&env, "hook").await;
    assert_eq!(
        env.control("upload-kbps", &json!({"kbps": 400})).await.0,
        StatusCode::OK
    );
    let started = Instant::now();
    let (status, _) = env.upload(&id, "hook.bin", noise(100_000)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "100 kB at 50 kB/s took {:?}",
        started.elapsed()
    );
}

// ---------- 2. processing that takes minutes ----------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processing_can_take_minutes_and_a_hook_changes_it_for_waiting_uploads() {
    let env = start_with(Seed::Empty, |c| c.processing_ms = 10 * 60 * 1000).await;
    let id = new_image(&env, "long").await;
    let (_, up) = env.upload(&id, "long.png", png(40, 30)).await;
    let upload_id = up["imageId"].as_str().unwrap().to_owned();
    let status_path = format!("Style/GetImageProcessingStatus/{upload_id}");
    for _ in 0..20 {
        let (status, body) = env.get(&status_path).await;
        assert_eq!(
            (status, body["finished"].as_bool()),
            (StatusCode::OK, Some(false))
        );
    }
    env.sandbox.controls().set_processing_ms(0, 0);
    let done = env.wait_processed(&upload_id).await;
    assert_eq!(done["errorOccured"], false);
    // A finished upload stays finished whatever the processing time becomes.
    env.sandbox.controls().set_processing_ms(10 * 60 * 1000, 0);
    assert_eq!(env.get(&status_path).await.1["finished"], true);
    let (_, header) = env.get(&format!("Image/Header/{id}")).await;
    assert_eq!(field(&header, "version"), "2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_processing_hook_works_over_http() {
    let env = start_with(Seed::Empty, |c| {
        c.processing_ms = 10 * 60 * 1000;
        c.test_controls = true;
    })
    .await;
    let id = new_image(&env, "long").await;
    let (_, up) = env.upload(&id, "long.png", png(40, 30)).await;
    assert_eq!(
        env.control("processing", &json!({"ms": 100, "jitterMs": 200}))
            .await
            .0,
        StatusCode::OK
    );
    env.wait_processed(up["imageId"].as_str().unwrap()).await;
}

// ---------- 3. signed media URLs ----------

fn split_url(url: &str) -> (&str, &str) {
    url.split_once('?').unwrap_or((url, ""))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_media_urls_change_on_every_answer_and_are_checked() {
    let env = start_with(Seed::Empty, |c| c.signed_url_ttl_secs = Some(3600)).await;
    let id = new_image(&env, "signed").await;
    let original = png(64, 48);
    let (_, up) = env.upload(&id, "front print.png", original.clone()).await;
    env.wait_processed(up["imageId"].as_str().unwrap()).await;

    let (_, first) = env.get(&format!("Image/Header/{id}")).await;
    let (_, second) = env.get(&format!("Image/Header/{id}")).await;
    let a = first["headerData"]["preview"]["origin"].as_str().unwrap();
    let b = second["headerData"]["preview"]["origin"].as_str().unwrap();
    assert_ne!(a, b, "a new signature on every answer");
    assert_eq!(split_url(a).0, split_url(b).0, "the same path");
    assert!(split_url(a).0.ends_with("/front%20print.png"), "{a}");
    for q in ["st=", "se=", "sig="] {
        assert!(split_url(a).1.contains(q), "{a}");
    }
    let preview = first["headerData"]["preview"]["preview"].as_str().unwrap();
    assert!(
        split_url(preview).1.starts_with("width=1000&st="),
        "{preview}"
    );
    assert_eq!(
        first["files"][0].as_str().map(|f| split_url(f).0),
        Some(split_url(a).0)
    );

    for url in [a, b, preview] {
        let resp = env.http.get(url).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{url}");
    }
    assert_eq!(
        env.http
            .get(a)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec(),
        original
    );

    let (path, query) = split_url(a);
    let tampered_sig = {
        let (head, sig) = query.rsplit_once("sig=").unwrap();
        let flipped = if sig.starts_with('0') { "1" } else { "0" };
        format!("{path}?{head}sig={flipped}{}", &sig[1..])
    };
    let preview_sig = format!(
        "{path}?{}",
        split_url(preview).1.trim_start_matches("width=1000&")
    );
    for (url, expected) in [
        (path.to_owned(), "needs its signature"),
        (tampered_sig, "does not match"),
        (preview_sig, "does not match"),
    ] {
        let (status, body) = decode(env.http.get(&url).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{url}");
        assert!(
            body["message"].as_str().unwrap().contains(expected),
            "{url}: {body}"
        );
    }

    // Short-lived links expire; plain links work again once signing is off.
    env.sandbox
        .controls()
        .set_signed_urls(Some(Duration::from_secs(1)));
    let (_, fresh) = env.get(&format!("Image/Header/{id}")).await;
    let short = fresh["headerData"]["preview"]["origin"]
        .as_str()
        .unwrap()
        .to_owned();
    let message = eventually(10, "the 1 s link to expire", || async {
        let (status, body) = decode(env.http.get(&short).send().await.unwrap()).await;
        (status == StatusCode::FORBIDDEN).then(|| body["message"].as_str().unwrap().to_owned())
    })
    .await;
    assert!(message.contains("expired"), "{message}");
    env.sandbox.controls().set_signed_urls(None);
    let (_, plain) = env.get(&format!("Image/Header/{id}")).await;
    let plain = plain["headerData"]["preview"]["origin"].as_str().unwrap();
    assert!(!plain.contains('?'), "{plain}");
    assert_eq!(
        env.http.get(plain).send().await.unwrap().status(),
        StatusCode::OK
    );
}

// ---------- 4. 5xx after acting ----------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_after_acting_carries_out_create_update_upload_and_delete() {
    let env = start_with(Seed::Empty, |c| {
        c.processing_ms = 100;
        // Armed at start, as `bp-sandbox --fail-next 1:StatusAfterHandling:header/create` does.
        c.fault_rules = vec!["1:StatusAfterHandling:header/create".parse().unwrap()];
    })
    .await;
    let controls = env.sandbox.controls();
    let prints = env.folder_id("Prints").await;

    let (status, body) = env
        .create(
            &prints,
            json!([{"id": "header_name", "value": "created anyway"}]),
        )
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert_eq!(
        controls.count_images(Some(&prints)),
        1,
        "the image was created"
    );
    let (_, page) = env.search(&prints, json!([]), 10, 0).await;
    let id = page["result"][0]["id"].as_str().unwrap().to_owned();

    controls.fail_next(1, "/update", FaultKind::StatusAfterHandling { status: 502 });
    let (status, _) = env
        .post(
            &format!("Image/Header/{id}/Update"),
            &json!({"fields": [{"id": "header_name", "value": "renamed anyway"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(
        env.get(&format!("Image/Header/{id}")).await.1["headerName"],
        "renamed anyway"
    );

    controls.fail_next(
        1,
        "image/upload",
        FaultKind::StatusAfterHandling { status: 500 },
    );
    let (status, _) = env.upload(&id, "landed.png", png(20, 20)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    eventually(10, "the upload to land despite its 500", || async {
        let (_, header) = env.get(&format!("Image/Header/{id}")).await;
        (header["files"].as_array().map(Vec::len) == Some(1)).then_some(())
    })
    .await;

    controls.fail_next(
        1,
        "header/delete",
        FaultKind::StatusAfterHandling { status: 503 },
    );
    let (status, _) = env.get(&format!("Image/Header/Delete/{id}")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        env.get(&format!("Image/Header/{id}")).await.0,
        StatusCode::NOT_FOUND,
        "deleted anyway"
    );
    assert_eq!(controls.count_images(None), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_faults_can_be_5xx_after_acting() {
    let env = start_with(Seed::Empty, |c| {
        c.fault_rate = 1.0;
        c.fault_kinds = vec![FaultKind::StatusAfterHandling { status: 500 }];
        c.test_controls = true;
    })
    .await;
    // Folder lookups are API requests too: take the id from the control hook's world instead.
    let prints = env.sandbox.controls().create_folder("Soak", None).unwrap();
    for n in 0..5 {
        let (status, _) = env
            .create(
                &prints,
                json!([{"id": "header_name", "value": format!("soak {n}")}]),
            )
            .await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    }
    assert_eq!(
        env.sandbox.controls().count_images(Some(&prints)),
        5,
        "every create was carried out"
    );

    let (status, body) = env
        .control("fault-rate", &json!({"rate": 1.0, "kinds": ["Teapot"]}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let hook = json!({"rate": 1.0, "kinds": ["Status503"]});
    assert_eq!(env.control("fault-rate", &hook).await.0, StatusCode::OK);
    assert_eq!(
        env.get("Image/Folders").await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_rules_parse_from_the_command_line_form() {
    let rule: FaultRule = "every:StatusAfterHandling=504:Header/Create"
        .parse()
        .unwrap();
    assert_eq!(
        rule,
        FaultRule {
            n: u32::MAX,
            path: "Header/Create".into(),
            kind: FaultKind::StatusAfterHandling { status: 504 }
        }
    );
    let rule: FaultRule = "2:status429=7:/ids/connect/token".parse().unwrap();
    assert_eq!(
        rule.kind,
        FaultKind::Status429 {
            retry_after_secs: Some(7),
            body_retry_after: None
        }
    );
    for bad in [
        "Status503:x",
        "0:Status503:x",
        "1:Status503:",
        "1:Teapot:x",
        "1:StatusAfterHandling=404:x",
        "1:Status503=1:x",
    ] {
        let err = bad.parse::<FaultRule>().unwrap_err();
        assert!(!err.is_empty(), "{bad}");
    }
    // The HTTP hook takes the new kind too.
    let env = start_with(Seed::Empty, |c| c.test_controls = true).await;
    let hook =
        json!({"n": 1, "path": "image/folders", "kind": "StatusAfterHandling", "status": 500});
    assert_eq!(env.control("fail-next", &hook).await.0, StatusCode::OK);
    assert_eq!(
        env.get("Image/Folders").await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let not_5xx = json!({"path": "x", "kind": "StatusAfterHandling", "status": 200});
    assert_eq!(
        env.control("fail-next", &not_5xx).await.0,
        StatusCode::BAD_REQUEST
    );
}

// ---------- 5. token endpoint faults ----------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_endpoint_answers_429_503_drops_and_5xx_after_rotating() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), Seed::Empty);
    cfg.rotate_refresh_tokens = true;
    let sb = beproduct_sandbox::Sandbox::start(cfg).await.unwrap();
    let controls = sb.controls();
    let http = reqwest::Client::new();
    let grant = |refresh: String| {
        http.post(sb.token_url())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!("grant_type=refresh_token&client_id=sandbox-client&client_secret=sandbox-secret&refresh_token={refresh}"))
            .send()
    };
    let configured = || "sandbox-refresh-token".to_owned();
    let token = "/ids/connect/token";
    controls.fail_next(
        1,
        token,
        FaultKind::Status429 {
            retry_after_secs: Some(5),
            body_retry_after: None,
        },
    );
    let resp = grant(configured()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "5");
    controls.fail_next(1, token, FaultKind::Status503);
    assert_eq!(
        grant(configured()).await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    controls.fail_next(1, token, FaultKind::DropBeforeHandling);
    let dropped = grant(configured()).await;
    assert!(dropped.is_err(), "the connection was dropped: {dropped:?}");

    // None of those acted: the configured token still works, and rotates.
    let (status, body) = decode(grant(configured()).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rotated = body["refresh_token"].as_str().unwrap().to_owned();

    // A 500 after acting: the token was rotated, the new one lost with the answer.
    controls.fail_next(1, token, FaultKind::StatusAfterHandling { status: 500 });
    assert_eq!(
        grant(rotated.clone()).await.unwrap().status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let (status, body) = decode(grant(rotated).await.unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    assert_eq!(controls.requests_seen(token), 6);
}

// ---------- 6. over the size limit ----------

/// Sends an upload whose body declares a `declared`-byte file but stops after `sent` of them
/// (the connection stays open), then reads whatever the server answers within 20 s.
async fn send_part_of_an_upload(
    env: &Env,
    image_id: &str,
    declared: usize,
    sent: usize,
) -> Vec<u8> {
    let addr = env.sandbox.addr();
    let part_head =
        "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n";
    let part_tail = "\r\n--XyZ--\r\n";
    let head = format!(
        "POST /api/sandbox/Image/Header/{image_id}/Image/Upload HTTP/1.1\r\nHost: {addr}\r\n\
         Authorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n\
         Content-Length: {}\r\n\r\n{part_head}",
        env.token,
        part_head.len() + declared + part_tail.len()
    );
    let (mut read, mut write) = tokio::net::TcpStream::connect(addr)
        .await
        .unwrap()
        .into_split();
    // The write half is handed back, not dropped: dropping it would end the body early.
    let writer = tokio::spawn(async move {
        let _ = write.write_all(head.as_bytes()).await;
        let chunk = vec![7u8; 64 * 1024];
        let mut written = 0;
        while written < sent {
            let n = chunk.len().min(sent - written);
            if write.write_all(&chunk[..n]).await.is_err() {
                break;
            }
            written += n;
        }
        write
    });
    let mut answer = Vec::new();
    // A reset after the answer is expected; what arrived before it is kept.
    let read = tokio::time::timeout(Duration::from_secs(20), read.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "no answer and no close within 20 s (the server waited for the rest of the body)"
    );
    drop(writer.await);
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_limit_413_answers_early_without_reading_the_rest() {
    let env = start_with(Seed::Empty, |c| {
        c.max_upload_mb = 1;
        c.oversize = Oversize::Status413;
    })
    .await;
    let id = new_image(&env, "big").await;
    // 1.5 MB of a declared 3 MB: the answer must come without the other half.
    let answer = send_part_of_an_upload(&env, &id, 3 << 20, 3 << 19).await;
    let resp = raw_parse(&answer);
    assert_eq!(resp.0, Some(413), "{}", String::from_utf8_lossy(&answer));
    let message = resp.1["message"].as_str().unwrap_or_default().to_owned();
    assert!(
        message.contains("big.bin is larger than the upload limit of 1 MB"),
        "{message}"
    );
    assert!(
        incoming_part_sizes(&env).is_empty(),
        "nothing of it is kept"
    );
    // Within the limit, uploads work as before.
    let (status, _) = env.upload(&id, "small.png", png(10, 10)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_limit_reset_closes_the_connection_mid_body() {
    let env = start(Seed::Empty).await;
    env.sandbox.controls().set_upload_limit(1, Oversize::Reset);
    let id = new_image(&env, "big").await;
    let answer = send_part_of_an_upload(&env, &id, 3 << 20, 3 << 19).await;
    assert!(
        answer.is_empty(),
        "no answer at all: {}",
        String::from_utf8_lossy(&answer)
    );
    assert!(incoming_part_sizes(&env).is_empty());
    let (_, header) = env.get(&format!("Image/Header/{id}")).await;
    assert_eq!(header["files"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upload_limit_hook_works_over_http() {
    let env = start_with(Seed::Empty, |c| c.test_controls = true).await;
    let (status, body) = env
        .control("upload-limit", &json!({"oversize": "sometimes"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("413, reset or fail-processing"),
        "{body}"
    );
    assert_eq!(
        env.control(
            "upload-limit",
            &json!({"maxUploadMb": 1, "oversize": "413"})
        )
        .await
        .0,
        StatusCode::OK
    );
    let id = new_image(&env, "big").await;
    let answer = send_part_of_an_upload(&env, &id, 2 << 20, 3 << 19).await;
    assert_eq!(raw_parse(&answer).0, Some(413));
}

/// Status and JSON body of a raw HTTP/1.1 answer (`None` status when there was none).
fn raw_parse(answer: &[u8]) -> (Option<u16>, Value) {
    let text = String::from_utf8_lossy(answer);
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok());
    let body = text
        .split_once("\r\n\r\n")
        .and_then(|(_, body)| serde_json::from_str(body).ok())
        .unwrap_or(Value::Null);
    (status, body)
}

// ---------- 7. rewritten file names ----------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_file_names_are_rewritten_like_the_real_service_does() {
    let env = start_with(Seed::Empty, |c| {
        c.rewrite_file_names = true;
        c.processing_ms = 50;
    })
    .await;
    let id = new_image(&env, "names").await;
    for name in ["logo.png", "abcd.png", "wxyz.png"] {
        let (_, up) = env.upload(&id, name, png(12, 12)).await;
        env.wait_processed(up["imageId"].as_str().unwrap()).await;
    }
    env.sandbox.controls().set_rewrite_file_names(false);
    let (_, up) = env.upload(&id, "plain name.png", png(12, 12)).await;
    env.wait_processed(up["imageId"].as_str().unwrap()).await;

    let (_, header) = env.get(&format!("Image/Header/{id}")).await;
    let files: Vec<&str> = header["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let names: Vec<&str> = files
        .iter()
        .map(|f| f.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "----.png",
            "----%20-1-.png",
            "----%20-2-.png",
            "plain%20name.png"
        ]
    );
    for url in files {
        assert_eq!(
            env.http.get(url).send().await.unwrap().status(),
            StatusCode::OK,
            "{url}"
        );
    }
}

// ---------- 8. upload sources ----------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_sources_are_served_held_and_throttled_by_the_sandbox() {
    let env = start_with(Seed::Empty, |c| c.test_controls = true).await;
    let base = env.sandbox.public_api_url();
    let controls = env.sandbox.controls();
    let picture = png(32, 32);
    let resp = env
        .http
        .put(format!("{base}/__sandbox/sources/held-1.png?hold=true"))
        .header("Content-Type", "image/png")
        .body(picture.clone())
        .send()
        .await
        .unwrap();
    let (status, body) = decode(resp).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = body["url"].as_str().unwrap().to_owned();
    assert_eq!(url, controls.source_url("held-1.png"));

    let http = env.http.clone();
    let mut fetch = tokio::spawn(async move {
        let resp = http.get(url).send().await.unwrap();
        let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
        (
            resp.status(),
            content_type,
            resp.bytes().await.unwrap().to_vec(),
        )
    });
    assert!(
        tokio::time::timeout(Duration::from_millis(300), &mut fetch)
            .await
            .is_err(),
        "a held source is not served"
    );
    let resp = env
        .http
        .post(format!("{base}/__sandbox/sources/held-1.png/release"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let (status, content_type, bytes) = fetch.await.unwrap();
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "image/png")
    );
    assert_eq!(bytes, picture);

    // 20 kB at 80 kbit/s (10 kB/s) take about 2 s.
    controls
        .put_source(
            "slow.bin",
            noise(20_000),
            SourceOptions {
                kbps: Some(80),
                ..SourceOptions::default()
            },
        )
        .unwrap();
    let started = Instant::now();
    let resp = env
        .http
        .get(controls.source_url("slow.bin"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-length"], "20000");
    assert_eq!(resp.bytes().await.unwrap().len(), 20_000);
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "took only {:?}",
        started.elapsed()
    );

    for (method, path, expected) in [
        ("GET", "nope.png", StatusCode::NOT_FOUND),
        ("POST", "nope.png/release", StatusCode::NOT_FOUND),
        ("PUT", "bad%20name.png", StatusCode::BAD_REQUEST),
        ("PUT", "..%2Fescape.png", StatusCode::BAD_REQUEST),
    ] {
        let req = env.http.request(
            method.parse().unwrap(),
            format!("{base}/__sandbox/sources/{path}"),
        );
        let (status, body) = decode(req.body("x").send().await.unwrap()).await;
        assert_eq!(status, expected, "{method} {path}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{method} {path}: {body}"
        );
    }
}
