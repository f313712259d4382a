//! Hot folders over time, against the sandbox over HTTP on 127.0.0.1 and a real queue:
//! a restart, a paused queue, a folder that goes away and comes back, managing the list.

mod common;

use common::{noise_png, planner, start, wait_for_status, write_png, TIMING};
use hot_folders::{Error, FolderState, HotFolderEvent, HotFolders};
use std::collections::HashMap;
use upload_queue::{JobState, Source};

/// How many jobs the queue lists per file name.
fn jobs_per_file(queue: &upload_queue::Queue) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for job in queue.jobs() {
        assert_eq!(job.state, JobState::Done, "{job:#?}");
        *out.entry(job.file_name).or_default() += 1;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_takes_what_arrived_meanwhile_and_nothing_twice() {
    let env = start().await;
    let dir = env.watched();
    write_png(&dir.join("a.png"), 1);
    write_png(&dir.join("b.png"), 2);

    let queue = env.open_queue(env.client()).await;
    let hot = env.open_hot(&queue).await;
    hot.add(env.config("drop", false)).await.unwrap();
    wait_for_status(&hot, "drop", "the first two uploads", |s| {
        s.counts.uploaded == 2
    })
    .await;
    let again = HotFolders::open(env.state_dir(), queue.clone(), planner(), TIMING).await;
    assert!(
        matches!(again, Err(Error::InUse { .. })),
        "a second runner of the same state folder is refused"
    );
    hot.close().await;
    queue.shutdown().await;

    // While closed: a new file, and b.png replaced with new content.
    write_png(&dir.join("c.png"), 3);
    std::fs::write(dir.join("b.png"), noise_png(40, 2)).unwrap();

    let queue = env.open_queue(env.client()).await;
    let hot = env.open_hot(&queue).await;
    let listed = hot.list();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, "drop");
    write_png(&dir.join("d.png"), 4);
    let status = wait_for_status(&hot, "drop", "the new files' uploads", |s| {
        s.counts.uploaded == 5 && s.counts.queued == 0 && s.counts.settling == 0
    })
    .await;
    assert_eq!(status.state, FolderState::Watching);

    let per_file = jobs_per_file(&queue);
    assert_eq!(
        per_file,
        HashMap::from([
            ("a.png".to_owned(), 1),
            ("b.png".to_owned(), 2),
            ("c.png".to_owned(), 1),
            ("d.png".to_owned(), 1),
        ])
    );
    let b_hashes: Vec<_> = queue
        .jobs()
        .into_iter()
        .filter(|j| j.file_name == "b.png")
        .map(|j| j.sha256)
        .collect();
    assert_ne!(
        b_hashes[0], b_hashes[1],
        "the replaced b.png is the new content"
    );
    let controls = env.sandbox.controls();
    assert_eq!(controls.count_images(Some(&env.folder_id)), 5);
    assert_eq!(controls.requests_seen("/Image/Upload"), 5);
    hot.close().await;
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_wait_in_a_paused_queue_and_go_when_it_resumes() {
    let env = start().await;
    // The sandbox refuses this client's sign-in: the queue pauses at its first job.
    let queue = env.open_queue(env.refused_client()).await;
    let hot = env.open_hot(&queue).await;
    let mut events = hot.subscribe();
    hot.add(env.config("drop", false)).await.unwrap();
    write_png(&env.watched().join("look.png"), 5);

    let status = wait_for_status(&hot, "drop", "the paused state", |s| {
        matches!(s.state, FolderState::Paused { .. }) && s.counts.queued == 1
    })
    .await;
    let FolderState::Paused { reason } = &status.state else {
        unreachable!()
    };
    assert!(!reason.is_empty());
    let mut sent = Vec::new();
    while let Ok(e) = events.try_recv() {
        sent.push(e);
    }
    assert!(
        sent.iter().any(|e| matches!(e,
            HotFolderEvent::Changed { status } if status.state == FolderState::Watching && status.id == "drop")),
        "{sent:#?}"
    );
    assert!(
        sent.iter().any(|e| matches!(e,
            HotFolderEvent::Changed { status } if matches!(status.state, FolderState::Paused { .. }))),
        "the paused status was sent: {sent:#?}"
    );

    queue.set_client(env.client());
    wait_for_status(&hot, "drop", "the upload after the queue resumed", |s| {
        s.state == FolderState::Watching && s.counts.uploaded == 1 && s.counts.queued == 0
    })
    .await;
    assert_eq!(env.sandbox.controls().count_images(Some(&env.folder_id)), 1);
    hot.close().await;
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_that_goes_away_is_an_error_until_it_comes_back() {
    let env = start().await;
    let queue = env.open_queue(env.client()).await;
    let hot = env.open_hot(&queue).await;
    let dir = env.watched();
    let added = hot.add(env.config("drop", false)).await.unwrap();
    write_png(&dir.join("one.png"), 21);
    wait_for_status(&hot, "drop", "the first upload", |s| s.counts.uploaded == 1).await;

    std::fs::remove_dir_all(&dir).unwrap();
    let expected = format!(
        "The hot folder {} no longer exists; reconnect the drive or remove it.",
        added.dir.display()
    );
    wait_for_status(&hot, "drop", "the missing-folder error", |s| {
        s.state
            == FolderState::Error {
                reason: expected.clone(),
            }
    })
    .await;

    // The drive is back, with a new file.
    let dir = env.watched();
    write_png(&dir.join("two.png"), 22);
    wait_for_status(&hot, "drop", "watching again and the new upload", |s| {
        s.state == FolderState::Watching && s.counts.uploaded == 2
    })
    .await;
    let names: Vec<String> = queue
        .jobs()
        .into_iter()
        .map(|j| match j.source {
            Source::Path { path } => path.file_name().unwrap().to_string_lossy().into_owned(),
            Source::Url { url } => url,
        })
        .collect();
    assert_eq!(names, ["one.png", "two.png"]);

    // Replaced at once by a new folder of the same name (no tick sees it missing): the old
    // folder's watch died with it, and the new folder is watched and walked.
    std::fs::remove_dir_all(&dir).unwrap();
    let dir = env.watched();
    write_png(&dir.join("three.png"), 23);
    wait_for_status(&hot, "drop", "the upload from the replaced folder", |s| {
        s.state == FolderState::Watching && s.counts.uploaded == 3
    })
    .await;
    write_png(&dir.join("four.png"), 24);
    wait_for_status(&hot, "drop", "an upload seen by the new watch", |s| {
        s.counts.uploaded == 4
    })
    .await;
    hot.close().await;
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_and_removing_say_what_is_wrong() {
    let env = start().await;
    let queue = env.open_queue(env.client()).await;
    let hot = env.open_hot(&queue).await;
    let mut events = hot.subscribe();

    let mut missing = env.config("missing", false);
    missing.dir = env.dir.path().join("not-there");
    let err = hot.add(missing).await.unwrap_err();
    assert!(matches!(err, Error::NotAFolder { .. }));
    assert!(
        err.to_string().contains("choose a folder that exists"),
        "{err}"
    );

    hot.add(env.config("drop", false)).await.unwrap();
    let err = hot.add(env.config("drop", false)).await.unwrap_err();
    assert!(matches!(err, Error::DuplicateId(_)), "{err}");
    let mut inner = env.config("inner", false);
    inner.dir = env.watched().join("sub");
    std::fs::create_dir_all(&inner.dir).unwrap();
    let err = hot.add(inner).await.unwrap_err();
    assert!(
        err.to_string().contains("overlaps hot folder drop"),
        "{err}"
    );

    hot.remove("drop").await.unwrap();
    assert!(hot.list().is_empty());
    assert!(matches!(
        hot.remove("drop").await,
        Err(Error::UnknownFolder(_))
    ));
    let mut removed = false;
    while let Ok(e) = events.try_recv() {
        removed |= e == HotFolderEvent::Removed { id: "drop".into() };
    }
    assert!(removed);
    hot.close().await;
    assert!(matches!(
        hot.add(env.config("late", false)).await,
        Err(Error::Closed)
    ));
    queue.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_while_taking_neither_repeats_nor_loses_a_file() {
    let env = start().await;
    let dir = env.watched();
    write_png(&dir.join("a.png"), 31);
    let queue = env.open_queue(env.client()).await;
    let hot = env.open_hot(&queue).await;
    hot.add(env.config("drop", false)).await.unwrap();
    wait_for_status(&hot, "drop", "the first upload", |s| s.counts.uploaded == 1).await;
    let a_job = queue.jobs().remove(0);
    hot.close().await;
    queue.shutdown().await;

    // What a crash leaves in the journal: a.png's job was accepted by the queue but its id
    // never written; c.png was journaled as being taken but never reached the queue.
    write_png(&dir.join("c.png"), 32);
    let (c_size, c_mtime) = upload_queue::preflight::stat(&dir.join("c.png")).unwrap();
    let db = rusqlite::Connection::open(env.state_dir().join("hot-folders.sqlite")).unwrap();
    db.execute(
        "UPDATE files SET state = 'taking', job_id = NULL, updated_at = ?1 WHERE rel_path = 'a.png'",
        [a_job.created_at_ms - 1],
    )
    .unwrap();
    db.execute(
        "INSERT INTO files (hot_id, rel_path, size, mtime_ns, state, updated_at) VALUES ('drop', 'c.png', ?1, ?2, 'taking', 0)",
        rusqlite::params![c_size as i64, c_mtime],
    )
    .unwrap();
    drop(db);

    let queue = env.open_queue(env.client()).await;
    let hot = env.open_hot(&queue).await;
    wait_for_status(
        &hot,
        "drop",
        "c.png uploaded and a.png known as uploaded",
        |s| s.counts.uploaded == 2 && s.counts.queued == 0 && s.counts.settling == 0,
    )
    .await;
    assert_eq!(
        jobs_per_file(&queue),
        HashMap::from([("a.png".to_owned(), 1), ("c.png".to_owned(), 1)])
    );
    assert_eq!(env.sandbox.controls().requests_seen("/Image/Upload"), 2);
    hot.close().await;
    queue.shutdown().await;
}
