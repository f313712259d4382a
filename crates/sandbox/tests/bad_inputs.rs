//! Hostile ids and file names sent raw to the sandbox: every Image endpoint answers 400 or 404
//! with a JSON message, and nothing outside the data folder is ever read or written.

mod common;
mod raw;

use beproduct_sandbox::Seed;
use serde_json::json;

const SECRET: &str = "TOP-SECRET-OUTSIDE-THE-DATA-DIR";

/// Ids as they would appear in a request target (already percent-encoded where needed).
const HOSTILE_IDS: [&str; 12] = [
    "..",
    "..%2F..%2Fsecret.txt",
    "%2e%2e",
    "%2e%2e%2f%2e%2e%2fsecret.txt",
    "..%5C..%5Csecret.txt",
    "%00",
    "a%00b",
    "%3F",
    "%23",
    "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe%3Fx%3D1",
    "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe%23frag",
    "%FF%FE",
];

async fn env_with_secret() -> common::Env {
    let env = common::start_with(Seed::Empty, |c| c.data_dir = c.data_dir.join("data")).await;
    std::fs::write(env.dir.path().join("secret.txt"), SECRET).unwrap();
    env
}

#[tokio::test]
async fn hostile_ids_get_400_or_404_with_a_message_on_every_image_endpoint() {
    let env = env_with_secret().await;
    let addr = env.sandbox.addr();
    let bearer = format!("Bearer {}", env.token);
    let json_ct = ("Content-Type", "application/json");
    for id in HOSTILE_IDS {
        for (method, target, body) in [
            ("GET", format!("/api/sandbox/Image/Header/{id}"), ""),
            (
                "POST",
                format!("/api/sandbox/Image/Header/{id}/Update"),
                r#"{"fields":[{"id":"header_name","value":"x"}]}"#,
            ),
            ("GET", format!("/api/sandbox/Image/Header/Delete/{id}"), ""),
            (
                "POST",
                format!("/api/sandbox/Image/Header/{id}/Image/Upload"),
                "",
            ),
            (
                "GET",
                format!("/api/sandbox/Style/GetImageProcessingStatus/{id}"),
                "",
            ),
            (
                "GET",
                format!("/api/sandbox/Image/GetImageProcessingStatus?imageId={id}"),
                "",
            ),
            (
                "GET",
                format!("/api/sandbox/Image/FolderSchema?folderId={id}"),
                "",
            ),
            (
                "POST",
                format!("/api/sandbox/Image/Headers?folderId={id}&pageSize=10&pageNumber=0"),
                "{}",
            ),
            (
                "POST",
                format!("/api/sandbox/Image/Header/Create?folderId={id}"),
                r#"{"fields":[{"id":"header_name","value":"x"}]}"#,
            ),
        ] {
            let resp = raw::send(
                addr,
                &raw::request(
                    addr,
                    method,
                    &target,
                    &[("Authorization", &bearer), json_ct],
                    body.as_bytes(),
                ),
            )
            .await;
            let text = String::from_utf8_lossy(&resp.body);
            assert!(
                matches!(resp.status, Some(400 | 404)),
                "{method} {target}: {:?} {text}",
                resp.status
            );
            assert!(
                resp.error_message().is_some(),
                "{method} {target}: no JSON message: {text}"
            );
            assert!(!text.contains(SECRET));
        }
    }
    assert_eq!(env.sandbox.controls().count_images(None), 0);
}

#[tokio::test]
async fn media_routes_serve_only_files_by_id_never_by_path() {
    let env = env_with_secret().await;
    let addr = env.sandbox.addr();
    let prints = env.folder_id("Prints").await;
    let (_, img) = env
        .create(&prints, json!([{"id": "header_name", "value": "media"}]))
        .await;
    let id = img["id"].as_str().unwrap().to_owned();
    let png = common::png(8, 8);
    let (status, up) = env.upload(&id, "../../escape.png", png.clone()).await;
    assert_eq!(status, 200, "{up}");
    env.wait_processed(up["imageId"].as_str().unwrap()).await;
    let (_, img) = env.get(&format!("Image/Header/{id}")).await;
    let origin = img["headerData"]["preview"]["origin"].as_str().unwrap();
    let origin_path = origin.split_once("/media/").unwrap().1;
    assert!(
        origin_path.ends_with("/escape.png"),
        "directories are stripped from uploaded names: {origin}"
    );
    let file_id = origin_path.split('/').nth(2).unwrap().to_owned();

    let served = raw::send(
        addr,
        &raw::request(addr, "GET", &format!("/media/{origin_path}"), &[], b""),
    )
    .await;
    assert_eq!(served.status, Some(200));
    assert_eq!(served.body, png, "the real file is served by its id");
    let preview = img["headerData"]["preview"]["preview"].as_str().unwrap();
    let preview_path = preview.split_once("/media/").unwrap().1;
    let preview = raw::send(
        addr,
        &raw::request(addr, "GET", &format!("/media/{preview_path}"), &[], b""),
    )
    .await;
    assert_eq!(preview.status, Some(200));
    let real_files = [png.clone(), preview.body];

    let escapes = [
        "/media/storage/sandbox/..%2F..%2Fsecret.txt/1/x.png".to_owned(),
        format!("/media/storage/sandbox/{file_id}/1/..%2F..%2F..%2Fsecret.txt"),
        format!("/media/storage/sandbox/{file_id}/../../../secret.txt"),
        "/media/storage/sandbox/%2e%2e/%2e%2e/secret.txt".to_owned(),
        format!("/media/storage/sandbox/{file_id}%2F..%2F..%2Fsecret.txt/1/x"),
        "/media/preview/sandbox/..%2Fsandbox.sqlite/1/0/x.png".to_owned(),
        format!("/media/preview/sandbox/{file_id}/1/0/..%2F..%2Fsandbox.sqlite"),
        format!("/media/preview/sandbox/{file_id}%00/1/0/x.png"),
        "/media/../data/sandbox.sqlite".to_owned(),
        "/media/storage/../../secret.txt".to_owned(),
    ];
    for target in escapes {
        let resp = raw::send(addr, &raw::request(addr, "GET", &target, &[], b"")).await;
        let text = String::from_utf8_lossy(&resp.body);
        assert!(!text.contains(SECRET), "{target} served the secret");
        assert!(
            !resp.body.starts_with(b"SQLite format 3"),
            "{target} served the database"
        );
        let status = resp.status.expect("an answer");
        // Only the real files may come back (the name in the URL is decoration, like a CDN's).
        assert!(
            status == 404 || status == 400 || (status == 200 && real_files.contains(&resp.body)),
            "{target}: {status} {text}"
        );
    }

    let outside: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut sorted = outside.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["data", "secret.txt"],
        "nothing was written outside the data folder"
    );
}

#[tokio::test]
async fn wrong_methods_and_unreadable_paths_get_json_messages() {
    let env = common::start(Seed::Empty).await;
    let addr = env.sandbox.addr();
    let bearer = format!("Bearer {}", env.token);
    for (method, target, expect_status, expect_text) in [
        ("PUT", "/api/sandbox/Image/Folders", 405, "not allowed"),
        ("DELETE", "/ids/connect/token", 405, "not allowed"),
        ("GET", "/api/sandbox/Image/Header/%C3%28", 400, "UTF-8"),
        ("GET", "/media/storage/sandbox/%FF/1/x.png", 400, "UTF-8"),
    ] {
        let resp = raw::send(
            addr,
            &raw::request(addr, method, target, &[("Authorization", &bearer)], b""),
        )
        .await;
        assert_eq!(resp.status, Some(expect_status), "{method} {target}");
        let message = resp.error_message().unwrap_or_default();
        assert!(
            message.contains(expect_text),
            "{method} {target}: {message:?}"
        );
    }
}
