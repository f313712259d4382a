//! Every Image endpoint against the real sandbox over HTTP on 127.0.0.1.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use beproduct::{FieldUpdate, Filter, ImageHeader, SearchQuery};
use beproduct_sandbox::FaultKind;
use futures::StreamExt;
use serde_json::json;

async fn create(
    env: &common::Env,
    folder_id: &str,
    number: &str,
    extra: Vec<FieldUpdate>,
) -> ImageHeader {
    let mut fields = vec![
        FieldUpdate::new("header_number", number),
        FieldUpdate::new("header_name", format!("Name {number}")),
    ];
    fields.extend(extra);
    env.client
        .create_image(folder_id, &fields, false)
        .await
        .unwrap()
}

#[tokio::test]
async fn folders_schema_crud_and_deleting_a_gone_image_succeeds() {
    let env = common::start(|_| {}).await;
    let folders = env.client.folders().await.unwrap();
    assert!(folders.len() >= 3, "{folders:?}");
    let prints = common::folder(&env.client, "Prints").await;

    let schema = env.client.folder_schema(&prints.id).await.unwrap();
    let colors = schema.iter().find(|f| f.field_id == "colors").unwrap();
    assert_eq!(colors.field_type, beproduct::FieldType::MultiSelect);
    assert!(colors.choices().iter().any(|c| c.value == "Red"));
    assert!(schema
        .iter()
        .find(|f| f.field_id == "created_by")
        .unwrap()
        .is_read_only());

    let created = create(
        &env,
        &prints.id,
        "T-CRUD-1",
        vec![FieldUpdate::new("colors", json!(["Red", "Blue"]))],
    )
    .await;
    assert_eq!(created.header_number, "T-CRUD-1");
    assert_eq!(created.folder.as_ref().unwrap().id, prints.id);
    assert_eq!(
        created.field("colors").unwrap().value,
        json!(["Red", "Blue"])
    );

    let got = env.client.get_image(&created.id).await.unwrap();
    assert_eq!(got.id, created.id);
    let by_number = env
        .client
        .get_image_by_number("T-CRUD-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_number.id, created.id);
    assert!(env
        .client
        .get_image_by_number("NO-SUCH-NUMBER")
        .await
        .unwrap()
        .is_none());

    let updated = env
        .client
        .update_image(&created.id, &[FieldUpdate::new("header_name", "Renamed")])
        .await
        .unwrap();
    assert_eq!(updated.header_name, "Renamed");
    assert_eq!(
        env.client.get_image(&created.id).await.unwrap().header_name,
        "Renamed"
    );

    env.client.delete_image(&created.id).await.unwrap();
    let err = env.client.get_image(&created.id).await.unwrap_err();
    assert_eq!(err.kind(), "not_found", "{err}");
    assert!(err.to_string().contains("not found"), "{err}");
    // Deleting what is already gone leaves the wanted state: success.
    env.client.delete_image(&created.id).await.unwrap();
}

#[tokio::test]
async fn a_delete_whose_answer_is_lost_after_deleting_succeeds() {
    let env = common::start(|c| c.seed = beproduct_sandbox::Seed::Empty).await;
    let prints = common::folder(&env.client, "Prints").await;
    let created = create(&env, &prints.id, "T-DEL-1", vec![]).await;
    env.controls
        .fail_next(1, "header/delete", FaultKind::DropAfterHandling);
    env.client.delete_image(&created.id).await.unwrap();
    assert_eq!(env.controls.count_images(None), 0);
}

#[tokio::test]
async fn invalid_ids_are_refused_without_any_request() {
    let env = common::start(|_| {}).await;
    let before = env.controls.requests_seen("/api/");
    for bad in [
        "../x",
        "a?b",
        "",
        "not-a-guid",
        "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe/../../x",
    ] {
        assert_eq!(
            env.client.get_image(bad).await.unwrap_err().kind(),
            "invalid_input"
        );
        assert_eq!(
            env.client.update_image(bad, &[]).await.unwrap_err().kind(),
            "invalid_input"
        );
        assert_eq!(
            env.client.delete_image(bad).await.unwrap_err().kind(),
            "invalid_input"
        );
        assert_eq!(
            env.client.folder_schema(bad).await.unwrap_err().kind(),
            "invalid_input"
        );
        assert_eq!(
            env.client
                .create_image(bad, &[], false)
                .await
                .unwrap_err()
                .kind(),
            "invalid_input"
        );
        // An empty folder id means "all folders", as on the wire.
        if !bad.is_empty() {
            let err = env
                .client
                .search_page(&SearchQuery::in_folder(bad), 10, 0)
                .await
                .map(|p| p.total);
            assert_eq!(err.unwrap_err().kind(), "invalid_input");
        }
    }
    let id = "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe";
    let err = env
        .client
        .upload_from_url(id, "file:///etc/passwd", None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "invalid_input");
    let err = env
        .client
        .upload_file(id, &env.dir.path().join("missing.png"), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "io");
    assert_eq!(
        env.controls.requests_seen("/api/"),
        before,
        "no request may reach the server"
    );
}

#[tokio::test]
async fn paging_streams_exactly_all_1000_seeded_images() {
    let env = common::start(|c| c.seed = beproduct_sandbox::Seed::Empty).await;
    let prints = common::folder(&env.client, "Prints").await;
    env.controls.seed_images(&prints.id, 1000).unwrap();
    let before = env.controls.requests_seen("image/headers");
    let items: Vec<_> = env
        .client
        .search(SearchQuery::in_folder(prints.id.clone()), 97)
        .collect()
        .await;
    let ids: HashSet<String> = items.into_iter().map(|r| r.unwrap().id).collect();
    assert_eq!(ids.len(), 1000);
    // 1000 / 97 → 11 pages, and no extra request after `total` was reached.
    assert_eq!(env.controls.requests_seen("image/headers") - before, 11);
    let page = env
        .client
        .search_page(&SearchQuery::in_folder(prints.id.clone()), 30, 33)
        .await
        .unwrap();
    assert_eq!((page.result.len(), page.total), (10, 1000));
}

#[tokio::test]
async fn every_filter_operator_including_multi_values() {
    let env = common::start(|c| c.seed = beproduct_sandbox::Seed::Empty).await;
    let prints = common::folder(&env.client, "Prints").await;
    let mut made = Vec::new();
    for (i, (season, width)) in [("Spring", 100), ("Fall", 200), ("Summer", 300)]
        .iter()
        .enumerate()
    {
        let extra = vec![
            FieldUpdate::new("season", *season),
            FieldUpdate::new("width_px", *width),
        ];
        made.push(create(&env, &prints.id, &format!("F-{i}"), extra).await);
    }
    let numbers = |q: SearchQuery| {
        let client = env.client.clone();
        async move {
            let mut n: Vec<String> = client
                .search(q, 10)
                .map(|r| r.unwrap().header_number)
                .collect()
                .await;
            n.sort();
            n
        }
    };
    let q = |f: Filter| SearchQuery::in_folder(prints.id.clone()).filter(f);
    assert_eq!(numbers(q(Filter::eq("season", "Fall"))).await, ["F-1"]);
    assert_eq!(
        numbers(q(Filter::neq("season", "Fall"))).await,
        ["F-0", "F-2"]
    );
    assert_eq!(
        numbers(q(Filter::eq("season", vec!["Fall", "Summer"]))).await,
        ["F-1", "F-2"]
    );
    assert_eq!(
        numbers(q(Filter::gt("width_px", "100"))).await,
        ["F-1", "F-2"]
    );
    assert_eq!(
        numbers(q(Filter::gte("width_px", "200"))).await,
        ["F-1", "F-2"]
    );
    assert_eq!(numbers(q(Filter::lt("width_px", "200"))).await, ["F-0"]);
    assert_eq!(
        numbers(q(Filter::lte("width_px", "200"))).await,
        ["F-0", "F-1"]
    );
    assert_eq!(
        numbers(q(Filter::contains("header_name", "Name F-"))).await,
        ["F-0", "F-1", "F-2"]
    );
    assert_eq!(numbers(q(Filter::header_number("F-2"))).await, ["F-2"]);
    // AND of two filters.
    let both = q(Filter::gte("width_px", "200")).filter(Filter::neq("season", "Summer"));
    assert_eq!(numbers(both).await, ["F-1"]);
    // System date fields.
    let long_ago = chrono::Utc::now() - chrono::Duration::days(1);
    assert_eq!(numbers(q(Filter::modified_after(long_ago))).await.len(), 3);
    assert!(numbers(q(Filter::modified_before(long_ago)))
        .await
        .is_empty());
    assert_eq!(
        numbers(q(Filter::folder_modified_after(long_ago)))
            .await
            .len(),
        3
    );
}

#[tokio::test]
async fn upload_file_with_progress_then_processing_sets_the_preview() {
    let env = common::start(|_| {}).await;
    let prints = common::folder(&env.client, "Prints").await;
    let image = create(&env, &prints.id, "UP-1", vec![]).await;
    let path = env.dir.path().join("front print.png");
    let bytes = common::png(320, 200);
    std::fs::write(&path, &bytes).unwrap();

    let last = Arc::new(AtomicU64::new(0));
    let seen = last.clone();
    let total = bytes.len() as u64;
    let progress: beproduct::ProgressFn = Arc::new(move |sent, of| {
        assert_eq!(of, Some(total));
        seen.store(sent, Ordering::SeqCst);
    });
    let upload_id = env
        .client
        .upload_file(&image.id, &path, Some(progress))
        .await
        .unwrap();
    assert_eq!(last.load(Ordering::SeqCst), total);
    assert!(beproduct::is_guid(&upload_id), "{upload_id}");

    let status = env
        .client
        .wait_for_processing(&upload_id, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(status.succeeded(), "{status:?}");
    let after = env.client.get_image(&image.id).await.unwrap();
    assert!(
        after.origin_url().unwrap().contains("front"),
        "{:?}",
        after.header_data.preview
    );
    assert!(after.preview_url().is_some());
}

#[tokio::test]
async fn a_checked_upload_of_a_changed_file_stops_before_its_last_byte() {
    let env = common::start(|c| c.seed = beproduct_sandbox::Seed::Empty).await;
    let prints = common::folder(&env.client, "Prints").await;
    let image = create(&env, &prints.id, "CHK-1", vec![]).await;
    let path = env.dir.path().join("art.png");
    let bytes = common::png(300, 200);
    std::fs::write(&path, &bytes).unwrap();
    let queued_sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&bytes))
    };
    // The file changes after it was queued (same size, other content).
    let mut changed = bytes.clone();
    *changed.last_mut().unwrap() ^= 0xFF;
    std::fs::write(&path, &changed).unwrap();

    let err = env
        .client
        .upload_file_checked(&image.id, &path, &queued_sha, None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "file_changed", "{err}");
    let after = env.client.get_image(&image.id).await.unwrap();
    assert!(
        after.origin_url().is_none(),
        "nothing was stored: {after:?}"
    );

    // The unchanged content goes through.
    std::fs::write(&path, &bytes).unwrap();
    env.client
        .upload_file_checked(&image.id, &path, &queued_sha, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn corrupt_file_gives_a_processing_error_with_the_server_message() {
    let env = common::start(|_| {}).await;
    let prints = common::folder(&env.client, "Prints").await;
    let image = create(&env, &prints.id, "BAD-1", vec![]).await;
    let path = env.dir.path().join("broken.png");
    std::fs::write(&path, b"\x89PNG\r\n\x1a\nthis is not really a png").unwrap();
    let upload_id = env
        .client
        .upload_file(&image.id, &path, None)
        .await
        .unwrap();
    let status = env
        .client
        .wait_for_processing(&upload_id, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(status.failed(), "{status:?}");
    assert!(
        !status.message.clone().unwrap_or_default().is_empty(),
        "{status:?}"
    );
}

#[tokio::test]
async fn wait_for_processing_returns_unfinished_status_when_time_runs_out() {
    let env = common::start(|c| c.processing_ms = 10_000).await;
    let prints = common::folder(&env.client, "Prints").await;
    let image = create(&env, &prints.id, "SLOW-1", vec![]).await;
    let path = env.dir.path().join("slow.png");
    std::fs::write(&path, common::png(8, 8)).unwrap();
    let upload_id = env
        .client
        .upload_file(&image.id, &path, None)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let status = env
        .client
        .wait_for_processing(&upload_id, Duration::from_millis(900))
        .await
        .unwrap();
    assert!(!status.finished);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // 250 + 500 ms steps, then the deadline: a handful of polls, not a busy loop.
    let polls = env.controls.requests_seen("getimageprocessingstatus");
    assert!((2..=5).contains(&polls), "{polls}");
}

#[tokio::test]
async fn upload_from_url_streams_a_file_from_the_sandboxs_own_media() {
    let env = common::start(|_| {}).await;
    let prints = common::folder(&env.client, "Prints").await;
    let first = create(&env, &prints.id, "URL-1", vec![]).await;
    let path = env.dir.path().join("sun set.png");
    std::fs::write(&path, common::png(64, 48)).unwrap();
    let upload_id = env
        .client
        .upload_file(&first.id, &path, None)
        .await
        .unwrap();
    let status = env
        .client
        .wait_for_processing(&upload_id, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(status.succeeded(), "{status:?}");
    let origin = env
        .client
        .get_image(&first.id)
        .await
        .unwrap()
        .origin_url()
        .unwrap()
        .to_owned();

    // A local sandbox's own media is the one loopback source allowed.
    let second = create(&env, &prints.id, "URL-2", vec![]).await;
    let upload_id = env
        .client
        .upload_from_url(&second.id, &origin, None)
        .await
        .unwrap();
    let status = env
        .client
        .wait_for_processing(&upload_id, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(status.succeeded(), "{status:?}");
    let after = env.client.get_image(&second.id).await.unwrap();
    assert!(
        after.origin_url().unwrap().contains("sun"),
        "{:?}",
        after.header_data.preview
    );

    // Anything else on loopback is refused before it is asked for anything.
    let (elsewhere, seen) =
        common::tiny_server(move |_| common::Reply::ok(common::png(8, 8))).await;
    let uploads_before = env.controls.requests_seen("/image/upload");
    let err = env
        .client
        .upload_from_url(&second.id, &format!("{elsewhere}/x.png"), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "invalid_input", "{err}");
    assert!(seen.lock().unwrap().is_empty());

    // A source that answers 404 is reported by its status, without its query, never sent on.
    let missing = format!(
        "{}/media/storage/sandbox/{}/1/x.png?token=SECRET",
        env.sandbox.public_api_url(),
        second.id
    );
    let err = env
        .client
        .upload_from_url(&second.id, &missing, None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "io", "{err}");
    assert!(err.to_string().contains("404"), "{err}");
    assert!(!err.to_string().contains("SECRET"), "{err}");
    assert_eq!(env.controls.requests_seen("/image/upload"), uploads_before);
}
