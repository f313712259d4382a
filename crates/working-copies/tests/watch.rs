//! The folder watch with a real backend: a save written in place and a save written to a
//! temporary file renamed over the copy (how Photoshop and Illustrator save) both reach the
//! callback, and the registry then sees an edit.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use working_copies::{CopyState, FolderWatch, ImageRef, Refresh, Registry, ServerBase};

const PATIENCE: Duration = Duration::from_secs(10);

/// Waits for a batch that names `path`.
fn wait_for(rx: &mpsc::Receiver<Vec<PathBuf>>, path: &std::path::Path) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let batch = rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no event for {} within {PATIENCE:?}", path.display()));
        if batch.iter().any(|p| p == path) {
            return;
        }
    }
}

#[test]
fn in_place_and_rename_over_saves_are_both_seen() {
    let dir = tempfile::tempdir().unwrap();
    // Canonical: inotify reports paths under the real folder (macOS /var → /private/var).
    let root = dir.path().canonicalize().unwrap().join("working");
    let registry = Registry::open(&root).unwrap();
    let folder = registry
        .folder_for("a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe")
        .unwrap();
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("IMG-1.psd");
    std::fs::write(&path, b"downloaded").unwrap();
    let image = ImageRef {
        id: "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe".into(),
        number: "IMG-1".into(),
        name: "x".into(),
    };
    let id = registry
        .add(image, path.clone(), ServerBase::default())
        .unwrap()
        .id;

    let (tx, rx) = mpsc::channel();
    let _watch = FolderWatch::start(&root, Duration::from_millis(100), move |paths| {
        let _ = tx.send(paths);
    })
    .unwrap();

    std::fs::write(&path, b"saved in place").unwrap();
    wait_for(&rx, &path);
    let Refresh::Changed(copy) = registry.refresh(&id).unwrap() else {
        panic!("no change seen")
    };
    assert_eq!(copy.state, CopyState::Edited);

    // Write a temporary file beside it and rename it over the copy.
    let temp = folder.join(".IMG-1.psd~tmp");
    std::fs::write(&temp, b"saved through a rename, longer").unwrap();
    std::fs::rename(&temp, &path).unwrap();
    wait_for(&rx, &path);
    let Refresh::Changed(copy) = registry.refresh(&id).unwrap() else {
        panic!("no change seen after the rename")
    };
    assert_eq!(
        copy.seen.len,
        b"saved through a rename, longer".len() as u64
    );
}
