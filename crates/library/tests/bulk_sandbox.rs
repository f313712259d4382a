//! Bulk edits against a real sandbox on 127.0.0.1: faults injected while 500 images are
//! edited, undo, a run dropped mid-way and resumed, and refusals before anything is sent.
//! Every end state is checked by reading the images back through the API.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use beproduct::{Client, ImageHeader, SearchQuery};
use beproduct_sandbox::{Controls, FaultKind, Sandbox, Seed};
use futures::TryStreamExt;
use image_library::bulk::{BulkEdit, FieldEdit, FieldOp, Mark, Status};
use image_library::ImageLibrary;
use serde_json::{json, Value};

struct Env {
    sandbox: Sandbox,
    controls: Controls,
    library: ImageLibrary,
    folder: String,
    dir: tempfile::TempDir,
}

/// A sandbox with a fresh folder (the Prints schema) holding `n` images.
async fn start(n: u64) -> Env {
    let (dir, sandbox) = common::start_sandbox(Seed::Empty).await;
    let controls = sandbox.controls();
    let library = ImageLibrary::new(Client::new(common::client_config(&sandbox)).unwrap());
    let prints = common::prints(&library).await;
    let folder = controls.create_folder("Bulk", Some(&prints)).unwrap();
    controls.seed_images(&folder, n).unwrap();
    Env {
        sandbox,
        controls,
        library,
        folder,
        dir,
    }
}

async fn all_images(env: &Env) -> Vec<ImageHeader> {
    let query = SearchQuery {
        folder_id: Some(env.folder.clone()),
        filters: Vec::new(),
    };
    env.library
        .client()
        .search(query, 200)
        .try_collect()
        .await
        .unwrap()
}

fn value(image: &ImageHeader, field: &str) -> Value {
    image
        .field(field)
        .map(|f| f.value.clone())
        .unwrap_or(Value::Null)
}

fn edits() -> Vec<FieldEdit> {
    vec![
        FieldEdit::new("season", FieldOp::Set(json!("Fall"))),
        FieldEdit::new("colors", FieldOp::Add(vec![json!("Red"), json!("Blue")])),
        FieldEdit::new("designer", FieldOp::Set(json!("Ana Lima"))),
    ]
}

fn holds_edit(image: &ImageHeader) -> bool {
    value(image, "season") == json!("Fall")
        && value(image, "colors") == json!(["Red", "Blue"])
        && value(image, "designer") == json!("Ana Lima")
}

fn holds_nothing(image: &ImageHeader) -> bool {
    [
        value(image, "season"),
        value(image, "colors"),
        value(image, "designer"),
    ]
    .iter()
    .all(|v| v.is_null() || v == &json!("") || v == &json!([]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_images_with_faults_end_changed_or_listed_and_undo_restores() {
    let env = start(500).await;
    let ids: Vec<String> = all_images(&env).await.into_iter().map(|i| i.id).collect();
    assert_eq!(ids.len(), 500);
    let plan = env
        .library
        .plan_bulk_edit(&BulkEdit {
            folder_id: env.folder.clone(),
            ids: ids.clone(),
            edits: edits(),
            busy: vec![(ids[0].clone(), "processing an upload".into())],
        })
        .await
        .unwrap();
    assert_eq!(plan.changing(), 499);
    assert_eq!(plan.skipped.len(), 1);
    assert_eq!(plan.skipped[0].reason, "processing an upload");

    // Faults on every kind of request from now on: 5xx after acting, drops before and after.
    env.controls.set_fault_kinds(vec![
        FaultKind::StatusAfterHandling { status: 500 },
        FaultKind::DropAfterHandling,
        FaultKind::DropBeforeHandling,
        FaultKind::Status503,
    ]);
    env.controls.set_fault_rate(0.2);
    // And one image whose every update attempt (1 + 3 retries with the fast policy) gets a
    // 503: it must end listed as failed, untouched.
    let doomed = format!("{}/update", ids[1]);
    env.controls.fail_next(4, &doomed, FaultKind::Status503);
    let journal = env.dir.path().join("edit.jsonl");
    let started = Instant::now();
    let result = env.library.run_plan(&plan, &journal, None).await.unwrap();
    let wall = started.elapsed();
    env.controls.set_fault_rate(0.0);
    let counts = result.counts();
    eprintln!(
        "500-image bulk edit with 20 % faults: {wall:?}; {counts:?}; updates sent: {}",
        env.controls.requests_seen("/update")
    );
    for failed in result.failed().take(3) {
        eprintln!("  failed {}: {:?}", failed.image.display(), failed.status);
    }
    assert_eq!(counts.changed + counts.failed, 499, "{counts:?}");
    assert_eq!(counts.skipped, 1);
    assert_eq!(
        env.controls.requests_seen(&doomed),
        4,
        "every planned fault was used"
    );

    // Through the API: each image holds all of the edit or none of it, as its outcome says.
    let outcome: HashMap<String, Status> = result
        .outcomes
        .iter()
        .map(|o| (o.image.id.clone(), o.status.clone()))
        .collect();
    match &outcome[&ids[1]] {
        Status::Failed { reason } => assert!(reason.contains("503"), "{reason}"),
        other => panic!("the image whose updates all failed ended {other:?}"),
    }
    for image in all_images(&env).await {
        match &outcome[&image.id] {
            Status::Changed => assert!(holds_edit(&image), "{image:?}"),
            Status::Failed { reason } => {
                assert!(!reason.is_empty());
                assert!(holds_nothing(&image), "failed but changed: {image:?}")
            }
            Status::Skipped { .. } => assert!(holds_nothing(&image)),
            Status::Unchanged => panic!("nothing held the values before"),
        }
    }

    // Failed ones are retried by resuming; then every planned image is changed.
    let resumed = env.library.resume_bulk(&journal, None).await.unwrap();
    assert_eq!(resumed.counts().changed, 499, "{:?}", resumed.counts());
    assert_eq!(resumed.counts().failed, 0);
    let images = all_images(&env).await;
    assert_eq!(images.iter().filter(|i| holds_edit(i)).count(), 499);

    // Undo, with faults again: every image ends reverted or listed; resuming the undo
    // finishes it, and then every image holds its previous values.
    env.controls.set_fault_rate(0.2);
    let undo_journal = env.dir.path().join("edit.undo.jsonl");
    let started = Instant::now();
    let undone = env
        .library
        .undo_bulk(&journal, &undo_journal, None)
        .await
        .unwrap();
    eprintln!(
        "undo of 499 images with 20 % faults: {:?}; {:?}",
        started.elapsed(),
        undone.counts()
    );
    env.controls.set_fault_rate(0.0);
    assert_eq!(undone.counts().changed + undone.counts().failed, 499);
    let undone = env.library.resume_bulk(&undo_journal, None).await.unwrap();
    assert_eq!(undone.counts().changed, 499);
    let images = all_images(&env).await;
    assert!(
        images.iter().all(holds_nothing),
        "undo restored every image"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_operations_are_refused_before_any_image_is_read_or_sent() {
    let env = start(3).await;
    let ids: Vec<String> = all_images(&env).await.into_iter().map(|i| i.id).collect();
    let before = env.controls.requests_seen("image/header");
    let cases = [
        (
            FieldEdit::new("season", FieldOp::Set(json!("Winter"))),
            "allowed values",
        ),
        (
            FieldEdit::new("modified_by", FieldOp::Set(json!("x"))),
            "read-only",
        ),
        (
            FieldEdit::new("season", FieldOp::Add(vec![json!("Fall")])),
            "holds one value",
        ),
        (FieldEdit::new("header_name", FieldOp::Clear), "required"),
        (
            FieldEdit::new("width_px", FieldOp::Set(json!("wide"))),
            "whole number",
        ),
        (FieldEdit::new("nope", FieldOp::Clear), "not a field"),
        (
            FieldEdit::new("colors", FieldOp::Add(vec![json!("Mauve")])),
            "allowed values",
        ),
    ];
    for (edit, expected) in cases {
        let err = env
            .library
            .plan_bulk_edit(&BulkEdit {
                folder_id: env.folder.clone(),
                ids: ids.clone(),
                edits: vec![FieldEdit::new("designer", FieldOp::Set(json!("ok"))), edit],
                busy: vec![],
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), beproduct::ErrorKind::InvalidInput);
        assert!(err.to_string().contains(expected), "{err}");
    }
    assert_eq!(
        env.controls.requests_seen("image/header") - before,
        0,
        "nothing was read or sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_dropped_mid_way_resumes_from_its_journal() {
    let env = start(120).await;
    let ids: Vec<String> = all_images(&env).await.into_iter().map(|i| i.id).collect();
    let plan = env
        .library
        .plan_bulk_edit(&BulkEdit {
            folder_id: env.folder.clone(),
            ids,
            edits: edits(),
            busy: vec![],
        })
        .await
        .unwrap();
    assert_eq!(plan.changing(), 120);
    // Latency keeps updates in flight when the run is dropped.
    env.controls.set_latency_ms(40);
    let journal = env.dir.path().join("crash.jsonl");
    let done = Arc::new(AtomicUsize::new(0));
    let reached = Arc::new(tokio::sync::Notify::new());
    let progress = {
        let (done, reached) = (done.clone(), reached.clone());
        move |_: &image_library::bulk::ImageOutcome| {
            if done.fetch_add(1, Ordering::SeqCst) + 1 == 40 {
                reached.notify_one();
            }
        }
    };
    tokio::select! {
        _ = env.library.run_plan(&plan, &journal, Some(&progress)) => panic!("the run ended before it was dropped"),
        _ = tokio::time::timeout(Duration::from_secs(60), reached.notified()) => {}
    }
    // The run is dropped here, as a crash would stop it: some updates were in flight.
    let loaded = image_library::bulk::load_journal(&journal).unwrap();
    let changed_before = loaded
        .marks
        .values()
        .filter(|m| **m == Mark::Changed)
        .count();
    let in_doubt = loaded
        .marks
        .values()
        .filter(|m| **m == Mark::InDoubt)
        .count();
    assert!((40..120).contains(&changed_before), "{changed_before}");
    eprintln!("dropped after {changed_before} changed, {in_doubt} in doubt");

    env.controls.set_latency_ms(0);
    let updates_before = env.controls.requests_seen("/update");
    let resumed = env.library.resume_bulk(&journal, None).await.unwrap();
    let updates = env.controls.requests_seen("/update") - updates_before;
    assert_eq!(resumed.counts().changed, 120, "{:?}", resumed.counts());
    assert!(
        updates as usize <= 120 - changed_before,
        "resume sent {updates} updates for {} unfinished images",
        120 - changed_before
    );
    assert!(all_images(&env).await.iter().all(holds_edit));
    // Resuming a finished edit sends nothing.
    let again = env.library.resume_bulk(&journal, None).await.unwrap();
    assert_eq!(again.counts().changed, 120);
    assert_eq!(
        env.controls.requests_seen("/update") - updates_before,
        updates
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_leaves_images_changed_by_someone_else_and_says_so() {
    let env = start(5).await;
    let ids: Vec<String> = all_images(&env).await.into_iter().map(|i| i.id).collect();
    let plan = env
        .library
        .plan_bulk_edit(&BulkEdit {
            folder_id: env.folder.clone(),
            ids: ids.clone(),
            edits: vec![FieldEdit::new("season", FieldOp::Set(json!("Spring")))],
            busy: vec![],
        })
        .await
        .unwrap();
    let journal = env.dir.path().join("e.jsonl");
    let result = env.library.run_plan(&plan, &journal, None).await.unwrap();
    assert_eq!(result.counts().changed, 5);
    // Someone sets another season on one image after the edit.
    env.library
        .save(
            &ids[2],
            &env.folder,
            vec![beproduct::FieldUpdate::new("season", "Holiday")],
        )
        .await
        .unwrap();
    let undone = env
        .library
        .undo_bulk(&journal, &env.dir.path().join("u.jsonl"), None)
        .await
        .unwrap();
    assert_eq!(undone.counts().changed, 4);
    let failed: Vec<_> = undone.failed().collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].image.id, ids[2]);
    let Status::Failed { reason } = &failed[0].status else {
        unreachable!()
    };
    assert!(reason.contains("Holiday"), "{reason}");
    let after = env.library.get(&ids[2]).await.unwrap();
    assert_eq!(value(&after, "season"), json!("Holiday"), "not overwritten");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_selection_minus_some_is_planned_from_its_headers_and_deleted_a_few_at_a_time() {
    use image_library::bulk::{ImageRef, SearchSpec, Selection};
    let env = start(25).await;
    // "image 2" matches Bulk image 2 and 20–25.
    let selection = |except: Vec<String>| Selection::All {
        all: SearchSpec {
            quick: Some("image 2".into()),
            filters: Vec::new(),
        },
        except,
    };
    let matching = env
        .library
        .select(&env.folder, &selection(Vec::new()))
        .await
        .unwrap();
    assert_eq!(matching.images.len(), 7);
    let left_out = matching.images[1].id.clone();
    let reads = env.controls.requests_seen("/Header/");
    let plan = env
        .library
        .plan_bulk_selection(
            &env.folder,
            &selection(vec![left_out.clone()]),
            &edits(),
            &[(matching.images[2].id.clone(), "busy".into())],
        )
        .await
        .unwrap();
    assert_eq!(
        env.controls.requests_seen("/Header/"),
        reads,
        "no image read one by one"
    );
    assert_eq!((plan.changing(), plan.skipped.len()), (5, 1));
    assert_eq!(plan.skipped[0].reason, "busy");
    assert!(plan.changes.iter().all(|c| c.image.id != left_out));
    let preview = plan.preview();
    assert_eq!(preview.fields.len(), 3);
    assert!(preview.fields.iter().all(|f| f.images == 5));

    // Deletes: one already gone counts as deleted.
    let gone = matching.images[0].id.clone();
    env.library.delete(&gone).await.unwrap();
    let refs: Vec<ImageRef> = matching.images.iter().map(ImageRef::of).collect();
    let done = env.library.delete_many(refs).await.unwrap();
    assert_eq!((done.deleted, done.failed.len()), (7, 0));
    assert_eq!(env.controls.count_images(Some(&env.folder)), 18);
}
