//! The registry on real files: change detection, the round trip's states, one upload per
//! accept, restarts, and a state file that cannot be read.

use std::path::{Path, PathBuf};

use working_copies::{CopyState, ImageRef, Refresh, Registry, ServerBase, STATE_FILE};

const IMAGE: &str = "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe";

fn image() -> ImageRef {
    ImageRef {
        id: IMAGE.into(),
        number: "IMG-1".into(),
        name: "Front".into(),
    }
}

fn base(version: &str) -> ServerBase {
    ServerBase {
        version: Some(version.into()),
        origin_path: Some(format!("http://127.0.0.1/media/{version}.png")),
        file_count: 1,
        modified_at: None,
    }
}

/// A downloaded copy of IMAGE registered in a fresh registry.
fn with_copy(dir: &Path) -> (Registry, String, PathBuf) {
    let registry = Registry::open(dir.join("working")).unwrap();
    let folder = registry.folder_for(IMAGE).unwrap();
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("IMG-1.png");
    std::fs::write(&path, b"original bytes").unwrap();
    let copy = registry.add(image(), path.clone(), base("1")).unwrap();
    assert_eq!(copy.state, CopyState::Unchanged);
    (registry, copy.id, path)
}

/// Writes new content; the size differs, so the change is seen whatever the clock's resolution.
fn save(path: &Path, content: &str) {
    std::fs::write(path, content).unwrap();
}

fn changed(found: Refresh) -> working_copies::WorkingCopy {
    match found {
        Refresh::Changed(copy) => *copy,
        other => panic!("expected a change, got {other:?}"),
    }
}

#[test]
fn a_save_is_an_edit_and_saving_the_old_content_back_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let (registry, id, path) = with_copy(dir.path());
    assert_eq!(registry.refresh(&id).unwrap(), Refresh::Same);

    save(&path, "edited in the editor");
    let copy = changed(registry.refresh(&id).unwrap());
    assert_eq!(copy.state, CopyState::Edited);
    assert_eq!(registry.refresh(&id).unwrap(), Refresh::Same);

    save(&path, "original bytes");
    assert_eq!(
        changed(registry.refresh(&id).unwrap()).state,
        CopyState::Unchanged
    );
}

#[test]
fn declining_keeps_the_copy_until_the_next_save() {
    let dir = tempfile::tempdir().unwrap();
    let (registry, id, path) = with_copy(dir.path());
    save(&path, "first edit");
    registry.refresh(&id).unwrap();
    assert_eq!(registry.decline(&id).unwrap().state, CopyState::Declined);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "first edit");
    // Looking again changes nothing; a new save offers it again.
    assert_eq!(registry.refresh(&id).unwrap(), Refresh::Same);
    save(&path, "second edit!");
    assert_eq!(
        changed(registry.refresh(&id).unwrap()).state,
        CopyState::Edited
    );
    // An unchanged copy cannot be declined.
    save(&path, "original bytes");
    registry.refresh(&id).unwrap();
    assert_eq!(
        registry.decline(&id).unwrap_err().to_string(),
        "IMG-1.png cannot be declined now: it is unchanged"
    );
}

#[test]
fn one_accept_is_one_upload_of_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let (registry, id, path) = with_copy(dir.path());
    save(&path, "edit to send");
    registry.refresh(&id).unwrap();

    let prepared = registry.prepare_upload(&id).unwrap();
    assert_eq!(
        std::fs::read_to_string(&prepared.snapshot).unwrap(),
        "edit to send"
    );
    assert_eq!(prepared.snapshot.file_name().unwrap(), "IMG-1.png");
    // A second accept (a double click, a second window) is refused.
    let again = registry.prepare_upload(&id).unwrap_err().to_string();
    assert!(again.contains("already being uploaded"), "{again}");
    registry.queued(&id, "job-1").unwrap();

    // The designer saves again while it uploads: the snapshot is unaffected.
    save(&path, "edit after sending");
    let copy = changed(registry.refresh(&id).unwrap());
    assert!(
        matches!(copy.state, CopyState::Uploading { .. }),
        "{:?}",
        copy.state
    );
    assert_eq!(
        std::fs::read_to_string(&prepared.snapshot).unwrap(),
        "edit to send"
    );

    let done = registry.upload_done("job-1", base("2")).unwrap().unwrap();
    assert_eq!(done.versions_sent, 1);
    assert_eq!(done.base.version.as_deref(), Some("2"));
    // The later save is still to be sent; the snapshot is gone.
    assert_eq!(done.state, CopyState::Edited);
    assert!(!prepared.snapshot.exists());
    assert_eq!(registry.upload_done("job-1", base("3")).unwrap(), None);

    // Sent content is the new baseline: saving it back is no edit.
    save(&path, "edit to send");
    assert_eq!(
        changed(registry.refresh(&id).unwrap()).state,
        CopyState::Unchanged
    );
}

#[test]
fn a_failed_upload_returns_to_edited_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (registry, id, path) = with_copy(dir.path());
    save(&path, "edit");
    registry.refresh(&id).unwrap();
    let prepared = registry.prepare_upload(&id).unwrap();
    registry.queued(&id, "job-9").unwrap();
    let copy = registry
        .upload_failed("job-9", "Cancelled")
        .unwrap()
        .unwrap();
    assert_eq!(copy.state, CopyState::Edited);
    assert_eq!(copy.last_error.as_deref(), Some("Cancelled"));
    assert!(!prepared.snapshot.exists());
    assert_eq!(copy.baseline.len, "original bytes".len() as u64);
}

#[test]
fn copies_survive_a_restart_and_a_missing_file_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let (registry, id, path) = with_copy(dir.path());
    save(&path, "edited before quitting");
    registry.refresh(&id).unwrap();
    drop(registry);

    let reopened = Registry::open(dir.path().join("working")).unwrap();
    assert!(reopened.notice().is_none());
    let copy = reopened.get(&id).unwrap();
    assert_eq!(copy.state, CopyState::Edited);
    assert_eq!(copy.path, path);

    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        changed(reopened.refresh(&id).unwrap()).state,
        CopyState::Missing
    );
    save(&path, "edited before quitting");
    assert_eq!(
        changed(reopened.refresh(&id).unwrap()).state,
        CopyState::Edited
    );
}

#[test]
fn an_edit_made_while_the_app_was_closed_is_found_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let (registry, id, path) = with_copy(dir.path());
    drop(registry);
    save(&path, "saved while the app was closed");
    let reopened = Registry::open(dir.path().join("working")).unwrap();
    let found = reopened.refresh_all();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, id);
    assert_eq!(changed(found[0].1.clone()).state, CopyState::Edited);
}

#[test]
fn removing_deletes_the_file_but_never_while_uploading() {
    let dir = tempfile::tempdir().unwrap();
    let (registry, id, path) = with_copy(dir.path());
    save(&path, "edit");
    registry.refresh(&id).unwrap();
    registry.prepare_upload(&id).unwrap();
    let refused = registry.remove(&id).unwrap_err().to_string();
    assert!(refused.contains("being uploaded"), "{refused}");
    registry.upload_abandoned(&id, "queue refused it").unwrap();

    registry.remove(&id).unwrap();
    assert!(!path.exists());
    assert!(
        !path.parent().unwrap().exists(),
        "the empty image folder goes too"
    );
    assert!(registry.list().is_empty());
    assert!(registry.get(&id).is_err());
}

#[test]
fn an_unreadable_state_file_is_moved_aside_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("working");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join(STATE_FILE), b"{ not json").unwrap();
    let registry = Registry::open(&root).unwrap();
    let notice = registry.notice().unwrap();
    assert!(notice.contains("could not be read"), "{notice}");
    assert!(registry.list().is_empty());
    let aside = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().contains(".unreadable-"));
    assert!(aside);
}

#[test]
fn only_guids_become_folders() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::open(dir.path()).unwrap();
    assert!(registry.folder_for("../etc").is_err());
    assert_eq!(
        registry.folder_for(&IMAGE.to_uppercase()).unwrap(),
        dir.path().join(IMAGE)
    );
}
