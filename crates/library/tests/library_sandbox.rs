//! The image library against a real sandbox on 127.0.0.1: what it caches (counted in the
//! sandbox's own request log), what it refuses, and that it gives the client's answers.

mod common;

use std::time::Duration;

use beproduct::{Client, ErrorKind, FieldUpdate};
use beproduct_sandbox::{Controls, Sandbox, Seed};
use image_library::{Freshness, ImageLibrary, PageRequest};

struct Env {
    _sandbox: Sandbox,
    controls: Controls,
    library: ImageLibrary,
    prints: String,
    _dir: tempfile::TempDir,
}

async fn start(freshness: Freshness) -> Env {
    let (dir, sandbox) = common::start_sandbox(Seed::Demo).await;
    let library = ImageLibrary::with_freshness(
        Client::new(common::client_config(&sandbox)).unwrap(),
        freshness,
    );
    let prints = common::prints(&library).await;
    Env {
        controls: sandbox.controls(),
        _sandbox: sandbox,
        library,
        prints,
        _dir: dir,
    }
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
    .to_uppercase()
}

async fn create(env: &Env, number: &str, name: &str) -> beproduct::ImageHeader {
    env.library
        .create(
            &env.prints,
            vec![
                FieldUpdate::new("header_number", number),
                FieldUpdate::new("header_name", name),
            ],
        )
        .await
        .unwrap()
}

fn page(size: i64, number: i64) -> PageRequest {
    PageRequest::new(Some(size), Some(number)).unwrap()
}

#[tokio::test]
async fn the_schema_is_read_once_while_fresh_and_again_after() {
    let env = start(Freshness {
        schema: Duration::from_millis(300),
        ..Freshness::default()
    })
    .await;
    let before = env.controls.requests_seen("FolderSchema");
    let first = env.library.schema(&env.prints).await.unwrap();
    let second = env
        .library
        .schema(&env.prints.to_uppercase())
        .await
        .unwrap();
    assert_eq!(first, second);
    assert!(first.iter().any(|f| f.field_id == "season"));
    assert_eq!(env.controls.requests_seen("FolderSchema") - before, 1);

    // Expiry is a condition on the clock: poll until the entry is stale, bounded.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while env.controls.requests_seen("FolderSchema") - before < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the schema never expired"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        env.library.schema(&env.prints).await.unwrap();
    }
}

#[tokio::test]
async fn paging_a_quick_search_does_not_search_again() {
    let env = start(Freshness::default()).await;
    let tag = unique("QP");
    for i in 0..5 {
        create(&env, &format!("{tag}-{i}"), "Paged").await;
    }
    let searches = || env.controls.requests_seen("Image/Headers");
    let before = searches();
    let first = env
        .library
        .search(Some(&env.prints), vec![], Some(&tag), page(2, 0))
        .await
        .unwrap();
    let after_first = searches();
    assert!(after_first - before >= 2, "page 0 searches number and name");
    let second = env
        .library
        .search(Some(&env.prints), vec![], Some(&tag), page(2, 1))
        .await
        .unwrap();
    let third = env
        .library
        .search(Some(&env.prints), vec![], Some(&tag), page(2, 2))
        .await
        .unwrap();
    assert_eq!(
        searches(),
        after_first,
        "pages 1 and 2 come from the merged list"
    );
    assert_eq!((first.total, second.total, third.total), (5, 5, 5));
    let mut ids: Vec<String> = [first, second, third]
        .into_iter()
        .flat_map(|p| p.result)
        .map(|i| i.id)
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "the pages cover every match once");

    // A change through the library drops the cached list: the next page asks again and
    // sees the new image.
    create(&env, &format!("{tag}-5"), "Paged").await;
    let again = env
        .library
        .search(Some(&env.prints), vec![], Some(&tag), page(2, 1))
        .await
        .unwrap();
    assert_eq!(again.total, 6);
    assert!(searches() > after_first);
}

#[tokio::test]
async fn save_checks_choices_against_the_cached_schema_without_reading_the_image() {
    let env = start(Freshness::default()).await;
    let image = create(&env, &unique("SV"), "Before").await;
    let schema = env.library.schema(&env.prints).await.unwrap();
    let season = schema.iter().find(|f| f.field_id == "season").unwrap();
    let choice = season.choices()[1].value.clone();
    let schema_reads = env.controls.requests_seen("FolderSchema");
    let image_reads = env
        .controls
        .requests_seen(&format!("Image/Header/{}", image.id));

    let saved = env
        .library
        .save(
            &image.id,
            &env.prints,
            vec![
                FieldUpdate::new("header_name", "After"),
                FieldUpdate::new("season", choice.as_str()),
            ],
        )
        .await
        .unwrap();
    assert_eq!(saved.header_name, "After");
    // The API blanks a choice it does not know; a kept value shows it was sent as it keeps it.
    let kept = &saved.field("season").unwrap().value;
    assert!(kept.as_str().is_some_and(|v| !v.is_empty()), "{kept}");

    let refused = env
        .library
        .save(
            &image.id,
            &env.prints,
            vec![FieldUpdate::new("season", "Monsoon")],
        )
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidInput, "{refused}");
    assert!(
        refused.to_string().contains(&choice),
        "names the choices: {refused}"
    );

    assert_eq!(env.controls.requests_seen("FolderSchema"), schema_reads);
    // Only the one update request touched the image's path.
    assert_eq!(
        env.controls
            .requests_seen(&format!("Image/Header/{}", image.id))
            - image_reads,
        1
    );

    let nothing = env
        .library
        .save(&image.id, &env.prints, vec![])
        .await
        .unwrap_err();
    assert_eq!(nothing.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn get_many_keeps_order_and_reports_each_failure_and_delete_is_idempotent() {
    let env = start(Freshness::default()).await;
    let a = create(&env, &unique("GM"), "A").await;
    let b = create(&env, &unique("GM"), "B").await;
    env.library.delete(&a.id).await.unwrap();
    env.library
        .delete(&a.id)
        .await
        .expect("already gone is deleted");

    let many = env
        .library
        .get_many(vec![b.id.clone(), a.id.clone(), b.id.clone()])
        .await
        .unwrap();
    let ids: Vec<&str> = many.images.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, [b.id.as_str(), b.id.as_str()]);
    assert_eq!(many.failed.len(), 1);
    assert_eq!(many.failed[0].0, a.id);
    assert_eq!(many.failed[0].1.kind(), ErrorKind::NotFound);

    let too_many = env
        .library
        .get_many(vec![b.id.clone(); image_library::MAX_IDS_PER_CALL + 1])
        .await
        .unwrap_err();
    assert_eq!(too_many.kind(), ErrorKind::InvalidInput);
    let bad = env
        .library
        .get_many(vec!["../Folders".into()])
        .await
        .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::InvalidInput);
}
