//! The sandbox over real HTTP on 127.0.0.1: auth, routes, headers, search, paging, uploads,
//! operations knobs and persistence.

mod common;

use std::time::Duration;

use beproduct_sandbox::{FaultKind, Sandbox, Seed};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_grant_bearer_checks_and_unknown_company() {
    let env = start(Seed::Empty).await;
    let sb = &env.sandbox;
    let (status, body) = grant(
        &env.http,
        sb,
        "sandbox-client",
        "sandbox-secret",
        "sandbox-refresh-token",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["refresh_token"], "sandbox-refresh-token");
    let (status, body) = grant(
        &env.http,
        sb,
        "sandbox-client",
        "wrong",
        "sandbox-refresh-token",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_client"))
    );
    let (status, body) = grant(&env.http, sb, "sandbox-client", "sandbox-secret", "nope").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );

    let no_bearer = env.http.get(env.url("Image/Folders")).send().await.unwrap();
    assert_eq!(no_bearer.status(), StatusCode::UNAUTHORIZED);
    let bogus = env
        .http
        .get(env.url("Image/Folders"))
        .bearer_auth("bogus")
        .send()
        .await
        .unwrap();
    assert_eq!(bogus.status(), StatusCode::UNAUTHORIZED);

    let other = format!("{}/api/OtherCo/Image/Folders", sb.public_api_url());
    let resp = env
        .http
        .get(other)
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(
        resp.bytes().await.unwrap().is_empty(),
        "unknown company answers with an empty body"
    );

    // Revoked access tokens fail; refreshing gives a working one.
    assert_eq!(env.get("Image/Folders").await.0, StatusCode::OK);
    sb.controls().revoke_access_tokens();
    assert_eq!(env.get("Image/Folders").await.0, StatusCode::UNAUTHORIZED);
    let (_, fresh) = grant(
        &env.http,
        sb,
        "sandbox-client",
        "sandbox-secret",
        "sandbox-refresh-token",
    )
    .await;
    let resp = env
        .http
        .get(env.url("Image/Folders"))
        .bearer_auth(fresh["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    // Root answers without auth once ready.
    assert_eq!(
        env.http
            .get(sb.public_api_url())
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_refresh_tokens_invalidate_the_old_one() {
    let env = start_with(Seed::Empty, |c| c.rotate_refresh_tokens = true).await;
    let sb = &env.sandbox;
    // `start_with` already used the configured token once, so it has been rotated away.
    let (status, _) = grant(
        &env.http,
        sb,
        "sandbox-client",
        "sandbox-secret",
        "sandbox-refresh-token",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_seed_folders_schema_and_library() {
    let started = std::time::Instant::now();
    let env = start(Seed::Demo).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "demo seeding is quick"
    );
    let (status, folders) = env.get("Image/Folders").await;
    assert_eq!(status, StatusCode::OK);
    let folders = folders.as_array().unwrap().clone();
    assert_eq!(folders.len(), 4);
    assert!(folders
        .iter()
        .any(|f| f["name"] == "Archive" && f["active"] == false));
    assert_eq!(env.sandbox.controls().count_images(None), 40);

    let prints = env.folder_id("Prints").await;
    let (status, schema) = env
        .get(&format!("Image/FolderSchema?folderId={prints}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let schema = schema.as_array().unwrap();
    let by_id = |id: &str| {
        schema
            .iter()
            .find(|f| f["fieldId"] == id)
            .unwrap_or_else(|| panic!("{id} in schema"))
    };
    assert_eq!(by_id("header_number")["required"], true);
    assert_eq!(by_id("header_name")["required"], true);
    assert_eq!(by_id("created_by")["fieldType"], "UserLabel");
    let choice = &by_id("season")["properties"]["Choices"][0];
    assert!(choice["id"].is_string() && choice["code"].is_string() && choice["value"].is_string());
    for t in [
        "Text",
        "Memo",
        "DropDown",
        "MultiSelect",
        "TrueFalse",
        "Date",
        "Number",
        "Decimal",
    ] {
        assert!(
            schema.iter().any(|f| f["fieldType"] == t),
            "Prints schema has a {t} field"
        );
    }

    let (status, page) = env.search("", json!([]), 50, 0).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 40);
    let first = &page["result"][0];
    for key in [
        "id",
        "headerNumber",
        "headerName",
        "folder",
        "headerData",
        "files",
        "createdBy",
        "createdAt",
        "modifiedBy",
        "modifiedAt",
        "isDeleted",
    ] {
        assert!(first.get(key).is_some(), "header has {key}: {first}");
    }
    let f0 = &first["headerData"]["fields"][0];
    for key in ["id", "name", "value", "type", "required"] {
        assert!(f0.get(key).is_some(), "field entry has {key}");
    }
    let created = first["createdAt"].as_str().unwrap();
    assert!(
        created.ends_with('Z') && created.len() == 24,
        "ms-precision Z timestamp: {created}"
    );
    let preview = first["headerData"]["preview"]["preview"]
        .as_str()
        .expect("seeded images have previews");
    let resp = env.http.get(preview).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let picture =
        image::load_from_memory(&resp.bytes().await.unwrap()).expect("preview is a picture");
    assert!(picture.width() > 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_are_case_insensitive_and_accept_json_content_type() {
    let env = start(Seed::Empty).await;
    let prints = env.folder_id("Prints").await;
    let (status, created) = env
        .post(
            &format!("image/header/create?folderId={prints}"),
            &json!({"fields": [{"id": "header_name", "value": "Lower"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        env.get(&format!("IMAGE/HEADER/{id}")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        env.get(&format!("Image/Header/{}", id.to_uppercase()))
            .await
            .0,
        StatusCode::OK
    );
    // A bodyless GET without any content type works too.
    let resp = env
        .http
        .get(env.url("image/folders"))
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_update_delete_and_validation() {
    let env = start(Seed::Empty).await;
    let prints = env.folder_id("Prints").await;
    let (status, img) = env
        .create(
            &prints,
            json!([
                {"id": "header_name", "value": "Front Print"},
                {"id": "season", "value": "Winterish"},
                {"id": "artwork_type", "value": "Pattern"},
                {"id": "colors", "value": ["Red", "Mauve", "Blue"]},
                {"id": "width_px", "value": "1200"},
                {"id": "due_date", "value": "2026-05-26"},
                {"id": "repeat", "value": true}
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{img}");
    let number = img["headerNumber"].as_str().unwrap();
    assert!(
        number.starts_with("IMG-") && number.len() == 10,
        "auto number {number}"
    );
    assert_eq!(
        field(&img, "season"),
        &Value::Null,
        "unknown DropDown values are blanked"
    );
    assert_eq!(field(&img, "artwork_type"), "Pattern");
    assert_eq!(field(&img, "colors"), &json!(["Red", "Blue"]));
    assert_eq!(field(&img, "width_px"), 1200);
    assert_eq!(field(&img, "due_date"), "2026-05-26T00:00:00.000Z");
    assert_eq!(field(&img, "repeat"), "Yes");
    assert_eq!(field(&img, "version"), "1");
    assert!(field(&img, "created_by").as_str().unwrap().contains(" @ "));
    assert_eq!(img["isDeleted"], false);
    assert_eq!(img["headerData"]["preview"], Value::Null);

    let id = img["id"].as_str().unwrap().to_string();
    let (_, fetched) = env.get(&format!("Image/Header/{id}")).await;
    assert_eq!(fetched, img, "create returns the same header a GET does");

    let (status, body) = env
        .create(&prints, json!([{"id": "designer", "value": "x"}]))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("header_name"), "{body}");
    let (status, body) = env
        .create(
            &prints,
            json!([{"id": "header_name", "value": "n"}, {"id": "width_px", "value": "wide"}]),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("Width (px)"),
        "{body}"
    );
    let (status, _) = env.create(&prints, json!([{"id": "header_name", "value": "dup"}, {"id": "header_number", "value": number}])).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "duplicate numbers are refused"
    );

    let (status, updated) = env
        .post(
            &format!("Image/Header/{id}/Update"),
            &json!({"fields": [{"id": "header_name", "value": "Renamed"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["headerName"], "Renamed");
    assert_eq!(
        field(&updated, "artwork_type"),
        "Pattern",
        "update keeps other fields"
    );

    let (status, body) = env.get(&format!("Image/Header/Delete/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.is_object());
    let (status, body) = env.get(&format!("Image/Header/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.to_string().contains("Image not found"));
    assert_eq!(
        env.get(&format!("Image/Header/Delete/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, body) = env.get("Image/Header/not-a-guid").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("not a valid image id"));
    assert_eq!(
        env.get(&format!("Image/Header/{}", uuid::Uuid::new_v4()))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(env.sandbox.controls().count_images(Some(&prints)), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_operators_and_multi_values() {
    let env = start(Seed::Empty).await;
    let prints = env.folder_id("Prints").await;
    let graphics = env.folder_id("Graphics").await;
    let rows = [
        ("Alpha Bloom", "Spring", 100, 1.5, "2026-01-10", vec!["Red"]),
        (
            "Beta Stripe",
            "Summer",
            200,
            2.5,
            "2026-02-10",
            vec!["Blue", "Red"],
        ),
        ("Gamma Wave", "Fall", 300, 3.5, "2026-03-10", vec!["Green"]),
        ("Delta Bloom", "Holiday", 400, 4.5, "2026-04-10", vec![]),
    ];
    for (name, season, width, scale, due, colors) in rows {
        let (status, body) = env
            .create(
                &prints,
                json!([
                    {"id": "header_name", "value": name}, {"id": "season", "value": season},
                    {"id": "width_px", "value": width}, {"id": "print_scale", "value": scale},
                    {"id": "due_date", "value": due}, {"id": "colors", "value": colors}
                ]),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    env.create(
        &graphics,
        json!([{"id": "header_name", "value": "Logo Bloom"}]),
    )
    .await;

    let names = |page: &Value| -> Vec<String> {
        let mut v: Vec<String> = page["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["headerName"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let check = |filters: Value, expected: &[&str]| {
        let filters = filters.clone();
        let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        let env = &env;
        let prints = prints.clone();
        async move {
            let (status, page) = env.search(&prints, filters.clone(), 30, 0).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            assert_eq!(names(&page), expected, "filters {filters}");
            assert_eq!(page["total"], expected.len());
        }
    };
    check(
        json!([{"field": "season", "operator": "Eq", "value": "Summer"}]),
        &["Beta Stripe"],
    )
    .await;
    check(
        json!([{"field": "season", "operator": "Eq", "value": "Spring\u{25A0}Fall"}]),
        &["Alpha Bloom", "Gamma Wave"],
    )
    .await;
    check(
        json!([{"field": "season", "operator": "Neq", "value": "Spring\u{25A0}Fall"}]),
        &["Beta Stripe", "Delta Bloom"],
    )
    .await;
    check(
        json!([{"field": "season", "operator": "Ne", "value": "Holiday"}]),
        &["Alpha Bloom", "Beta Stripe", "Gamma Wave"],
    )
    .await;
    check(
        json!([{"field": "header_name", "operator": "Contains", "value": "bloom"}]),
        &["Alpha Bloom", "Delta Bloom"],
    )
    .await;
    check(
        json!([{"field": "width_px", "operator": "Gt", "value": "200"}]),
        &["Delta Bloom", "Gamma Wave"],
    )
    .await;
    check(json!([{"field": "width_px", "operator": "Gte", "value": "200"}, {"field": "width_px", "operator": "Lt", "value": "400"}]), &["Beta Stripe", "Gamma Wave"]).await;
    check(
        json!([{"field": "print_scale", "operator": "Lte", "value": "2.5"}]),
        &["Alpha Bloom", "Beta Stripe"],
    )
    .await;
    check(json!([{"field": "due_date", "operator": "Gt", "value": "2026-02-15T00:00:00Z", "type": "Date"}]), &["Delta Bloom", "Gamma Wave"]).await;
    check(
        json!([{"field": "due_date", "operator": "Eq", "value": "2026-03-10"}]),
        &["Gamma Wave"],
    )
    .await;
    check(
        json!([{"field": "colors", "operator": "Eq", "value": "Red"}]),
        &["Alpha Bloom", "Beta Stripe"],
    )
    .await;
    check(
        json!([{"field": "colors", "operator": "Eq", "value": "Green\u{25A0}Blue"}]),
        &["Beta Stripe", "Gamma Wave"],
    )
    .await;
    check(
        json!([{"field": "ModifiedAt", "operator": "Gt", "value": "2020-01-01 00:00:00Z"}]),
        &["Alpha Bloom", "Beta Stripe", "Delta Bloom", "Gamma Wave"],
    )
    .await;
    check(
        json!([{"field": "FolderModifiedAt", "operator": "Lt", "value": "2020-01-01T00:00:00Z"}]),
        &[],
    )
    .await;
    check(
        json!([{"field": "no_such_field", "operator": "Eq", "value": "x"}]),
        &["Alpha Bloom", "Beta Stripe", "Delta Bloom", "Gamma Wave"],
    )
    .await;

    // Empty folderId searches every folder; header_number lookups work like the SDK's get_by_number.
    let (_, all) = env
        .search(
            "",
            json!([{"field": "header_name", "operator": "Contains", "value": "Bloom"}]),
            30,
            0,
        )
        .await;
    assert_eq!(all["total"], 3);
    let number = all["result"][0]["headerNumber"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, one) = env
        .search(
            "",
            json!([{"field": "header_number", "operator": "Eq", "value": number}]),
            1,
            0,
        )
        .await;
    assert_eq!(one["total"], 1);
    assert_eq!(one["result"][0]["headerNumber"], number);

    let (status, body) = env
        .search(
            &prints,
            json!([{"field": "season", "operator": "Like", "value": "x"}]),
            30,
            0,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("Like"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_over_a_thousand_images_has_exact_totals() {
    let env = start(Seed::Empty).await;
    let photos = env.folder_id("Photography").await;
    let started = std::time::Instant::now();
    env.sandbox.controls().seed_images(&photos, 1050).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "bulk seeding is one quick transaction"
    );
    assert_eq!(env.sandbox.controls().count_images(Some(&photos)), 1050);

    let mut seen = std::collections::HashSet::new();
    let mut page_number = 0;
    // The SDK's stop rule: stop once processed >= total.
    loop {
        let (status, page) = env.search(&photos, json!([]), 200, page_number).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["total"], 1050);
        for h in page["result"].as_array().unwrap() {
            assert!(
                seen.insert(h["id"].as_str().unwrap().to_string()),
                "no duplicates across pages"
            );
        }
        if seen.len() >= 1050 {
            assert_eq!(
                page["result"].as_array().unwrap().len(),
                50,
                "last page is short"
            );
            break;
        }
        page_number += 1;
        assert!(page_number < 10, "paging terminates");
    }
    let (_, beyond) = env.search(&photos, json!([]), 200, 99).await;
    assert_eq!(
        (
            beyond["total"].as_u64(),
            beyond["result"].as_array().unwrap().len()
        ),
        (Some(1050), 0)
    );
    let (_, other) = env
        .search(&env.folder_id("Prints").await, json!([]), 10, 0)
        .await;
    assert_eq!(other["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_png_processes_into_preview_and_new_version() {
    let env = start_with(Seed::Empty, |c| c.processing_ms = 1000).await;
    let prints = env.folder_id("Prints").await;
    let (_, img) = env
        .create(&prints, json!([{"id": "header_name", "value": "Uploaded"}]))
        .await;
    let id = img["id"].as_str().unwrap();
    let original = png(1600, 900);
    let (status, body) = env.upload(id, "front print.png", original.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let upload_id = body["imageId"].as_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&upload_id).is_ok());
    let (_, early) = env
        .get(&format!("Image/GetImageProcessingStatus/{upload_id}"))
        .await;
    assert_eq!(
        early["finished"], false,
        "not finished before processing-ms passed"
    );
    // A second upload to the same image applies after the first.
    let (_, second) = env.upload(id, "second.jpg", jpeg(300, 200)).await;
    let second_id = second["imageId"].as_str().unwrap().to_string();

    let status = env.wait_processed(&upload_id).await;
    assert_eq!(
        status,
        json!({"finished": true, "errorOccured": false, "message": null})
    );
    let (_, by_query) = env
        .get(&format!(
            "Image/GetImageProcessingStatus?imageId={upload_id}"
        ))
        .await;
    assert_eq!(by_query["finished"], true);
    assert_eq!(env.wait_processed(&second_id).await["errorOccured"], false);

    let (_, header) = env.get(&format!("Image/Header/{id}")).await;
    assert_eq!(field(&header, "version"), "3");
    let files = header["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert!(
        files[0].as_str().unwrap().ends_with("/front%20print.png"),
        "{files:?}"
    );
    let origin = header["headerData"]["preview"]["origin"].as_str().unwrap();
    assert!(
        origin.ends_with("/second.jpg"),
        "latest upload is the preview: {origin}"
    );

    // The first file's original is served byte for byte, its preview is at most 1000 px.
    let served = env
        .http
        .get(files[0].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.bytes().await.unwrap().to_vec(), original);
    let preview_url = header["headerData"]["preview"]["preview"].as_str().unwrap();
    let picture = image::load_from_memory(
        &env.http
            .get(preview_url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!((picture.width(), picture.height()), (300, 200));

    let (_, first_only) = env
        .search(
            &prints,
            json!([{"field": "version", "operator": "Eq", "value": "3"}]),
            5,
            0,
        )
        .await;
    assert_eq!(first_only["total"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_oversize_and_unknown_uploads_report_clear_errors() {
    let env = start_with(Seed::Empty, |c| c.max_upload_mb = 1).await;
    let prints = env.folder_id("Prints").await;
    let (_, img) = env
        .create(&prints, json!([{"id": "header_name", "value": "Broken"}]))
        .await;
    let id = img["id"].as_str().unwrap();

    let mut truncated = jpeg(400, 300);
    truncated.truncate(truncated.len() / 3);
    let (_, a) = env.upload(id, "front.jpg", truncated).await;
    let (_, b) = env
        .upload(id, "notes.txt", b"just some text, not a picture".to_vec())
        .await;
    let big: Vec<u8> = (0..(2 * 1024 * 1024 + 200_000))
        .map(|i| (i % 251) as u8)
        .collect();
    let (status, c) = env.upload(id, "big.tif", big).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an oversize upload still gets an id: {c}"
    );

    let a = env.wait_processed(a["imageId"].as_str().unwrap()).await;
    assert_eq!(a["errorOccured"], true);
    let msg = a["message"].as_str().unwrap();
    assert!(
        msg.starts_with("front.jpg is not an image the server can read (JPEG"),
        "{msg}"
    );
    let b = env.wait_processed(b["imageId"].as_str().unwrap()).await;
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("notes.txt is not an image the server can read"),
        "{b}"
    );
    let c = env.wait_processed(c["imageId"].as_str().unwrap()).await;
    assert_eq!(c["message"], "big.tif is 2.2 MB; the limit is 1 MB");
    let incoming = std::fs::read_dir(env.dir.path().join("incoming"))
        .unwrap()
        .count();
    assert_eq!(incoming, 0, "failed uploads leave no files behind");

    let (_, header) = env.get(&format!("Image/Header/{id}")).await;
    assert_eq!(
        field(&header, "version"),
        "1",
        "failed uploads do not make versions"
    );
    assert_eq!(header["files"], Value::Null);

    let (status, body) = env
        .upload(&uuid::Uuid::new_v4().to_string(), "x.png", png(10, 10))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.to_string().contains("Image not found"));
    let (status, body) = env
        .get(&format!(
            "Style/GetImageProcessingStatus/{}",
            uuid::Uuid::new_v4()
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.to_string().contains("Upload not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_answers_429_with_headers() {
    let env = start_with(Seed::Empty, |c| c.rate_limit_per_min = Some(3)).await;
    for expected_remaining in ["2", "1", "0"] {
        let resp = env
            .http
            .get(env.url("Image/Folders"))
            .bearer_auth(&env.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let h = resp.headers();
        assert_eq!(h["x-ratelimit-limit"], "3");
        assert_eq!(h["x-ratelimit-remaining"], expected_remaining);
        let reset: i64 = h["x-ratelimit-reset"].to_str().unwrap().parse().unwrap();
        assert!(reset > chrono::Utc::now().timestamp() - 1);
    }
    let resp = env
        .http
        .get(env.url("Image/Folders"))
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let (_, body) = decode(resp).await;
    assert_eq!(body["error"], "Rate limit exceeded");
    assert_eq!(body["retryAfterSeconds"], retry);
    assert_eq!(
        (body["window"].as_str(), body["limit"].as_u64()),
        (Some("1 minute"), Some(3))
    );
    assert_eq!(
        env.http
            .get(env.sandbox.public_api_url())
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK,
        "/ is not limited"
    );
    env.sandbox.controls().set_rate_limit(None);
    assert_eq!(env.get("Image/Folders").await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_faults_drop_connections_and_fail_requests() {
    let env = start_with(Seed::Empty, |c| c.test_controls = true).await;
    let controls = env.sandbox.controls();
    let prints = env.folder_id("Prints").await;
    let create = |name: &str| {
        env.http
            .post(env.url(&format!("Image/Header/Create?folderId={prints}")))
            .bearer_auth(&env.token)
            .header("Content-Type", "application/json")
            .body(json!({"fields": [{"id": "header_name", "value": name}]}).to_string())
            .send()
    };

    controls.fail_next(1, "header/create", FaultKind::DropAfterHandling);
    let err = create("after")
        .await
        .expect_err("connection dropped after handling");
    assert!(
        !err.is_status(),
        "a transport error, not an HTTP answer: {err}"
    );
    assert_eq!(
        controls.count_images(Some(&prints)),
        1,
        "the create happened before the drop"
    );

    controls.fail_next(1, "Header/Create", FaultKind::DropBeforeHandling);
    assert!(create("before").await.is_err());
    assert_eq!(
        controls.count_images(Some(&prints)),
        1,
        "nothing happened before the drop"
    );

    controls.fail_next(1, "Image/Folders", FaultKind::Status503);
    assert_eq!(
        env.get("Image/Folders").await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    controls.fail_next(
        1,
        "Image/Folders",
        FaultKind::Status429 {
            retry_after_secs: Some(7),
            body_retry_after: None,
        },
    );
    let resp = env
        .http
        .get(env.url("Image/Folders"))
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            resp.status(),
            resp.headers()["retry-after"].to_str().unwrap()
        ),
        (StatusCode::TOO_MANY_REQUESTS, "7")
    );
    assert_eq!(decode(resp).await.1.get("retryAfterSeconds"), None);
    assert_eq!(
        env.get("Image/Folders").await.0,
        StatusCode::OK,
        "faults are used up"
    );
    assert!(controls.requests_seen("image/folders") >= 4);
    assert_eq!(controls.requests_seen("header/create"), 2);

    // With fault rate 1.0 every API request fails one way or another, the token endpoint never.
    controls.set_fault_rate(1.0);
    for _ in 0..6 {
        let outcome = env
            .http
            .get(env.url("Image/Folders"))
            .bearer_auth(&env.token)
            .send()
            .await;
        assert!(outcome.is_err() || outcome.unwrap().status() == StatusCode::SERVICE_UNAVAILABLE);
    }
    let (status, _) = grant(
        &env.http,
        &env.sandbox,
        "sandbox-client",
        "sandbox-secret",
        "sandbox-refresh-token",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    controls.set_fault_rate(0.0);

    // The same hooks over HTTP.
    let base = env.sandbox.public_api_url();
    let resp = env
        .http
        .post(format!("{base}/__sandbox/fail-next"))
        .header("Content-Type", "application/json")
        .body(json!({"n": 1, "path": "image/folders", "kind": "Status503"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        env.get("Image/Folders").await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let (_, count) = decode(
        env.http
            .get(format!("{base}/__sandbox/count-images"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(count["count"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_survives_a_restart() {
    let env = start(Seed::Empty).await;
    let prints = env.folder_id("Prints").await;
    let (_, img) = env
        .create(
            &prints,
            json!([{"id": "header_name", "value": "Persistent"}]),
        )
        .await;
    let id = img["id"].as_str().unwrap().to_string();
    let (_, up) = env.upload(&id, "keep.png", png(64, 64)).await;
    env.wait_processed(up["imageId"].as_str().unwrap()).await;
    let (_, before) = env.get(&format!("Image/Header/{id}")).await;
    let Env {
        sandbox,
        http,
        dir,
        token,
    } = env;
    sandbox.shutdown().await;

    let restarted = Sandbox::start(config(dir.path(), Seed::Demo))
        .await
        .unwrap();
    let env = Env {
        sandbox: restarted,
        http,
        dir,
        token,
    };
    assert_eq!(
        env.folder_id("Prints").await,
        prints,
        "same folders, the demo seed is not re-applied"
    );
    assert_eq!(env.sandbox.controls().count_images(None), 1);
    let (status, after) = env.get(&format!("Image/Header/{id}")).await;
    assert_eq!(status, StatusCode::OK, "the old access token still works");
    assert_eq!(
        after["headerData"]["fields"],
        before["headerData"]["fields"]
    );
    let preview = after["headerData"]["preview"]["preview"].as_str().unwrap();
    assert_eq!(
        env.http.get(preview).send().await.unwrap().status(),
        StatusCode::OK
    );
}
