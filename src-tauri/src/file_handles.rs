//! Files the user handed to the app — a native drop on the window or the "Add files…" dialog —
//! kept here under an opaque, single-use, expiring handle. The page only ever sees the handle,
//! the count and the names, and `enqueue_uploads` only takes a handle: a script in the page
//! cannot make the app read a path of its choosing (docs/SECURITY.md, "page ↔ Rust").

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;
use tauri::{AppHandle, Emitter, EventTarget, Manager, PhysicalPosition, Runtime};

/// Sent to the window a drop landed on: `DroppedFiles` (`{handle, count, names, position}`).
pub const DROPPED_EVENT: &str = "app://dropped";
/// A drop is used at once (the page hit-tests it and enqueues); a dialog answer too.
const HANDLE_TTL: Duration = Duration::from_secs(120);
/// Unused handles beyond this are forgotten, oldest first.
const MAX_LIVE_HANDLES: usize = 32;
/// At most this many names travel to the page; `count` has the full number.
const MAX_NAMES: usize = 50;

/// What the page learns about files handed to the app.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandedFiles {
    pub handle: String,
    /// How many files and folders the user dropped or picked (folders count once).
    pub count: usize,
    /// Their names (the last path component), at most `MAX_NAMES`.
    pub names: Vec<String>,
}

/// The `app://dropped` payload: the files and where they were dropped, in PHYSICAL window
/// pixels (the same as Tauri's `tauri://drag-*` events), so the page can hit-test it. `null`
/// when they were handed over without a pointer (a second launch, "Open with"): the page treats
/// that as a drop on the open folder's grid.
#[derive(Debug, Clone, Serialize)]
pub struct DroppedFiles {
    #[serde(flatten)]
    pub files: HandedFiles,
    pub position: Option<PhysicalPosition<f64>>,
}

struct Entry {
    paths: Vec<PathBuf>,
    created: Instant,
}

/// The live handles (Tauri state).
pub struct FileHandles {
    ttl: Duration,
    live: Mutex<HashMap<String, Entry>>,
}

impl Default for FileHandles {
    fn default() -> Self {
        FileHandles::with_ttl(HANDLE_TTL)
    }
}

impl FileHandles {
    pub fn with_ttl(ttl: Duration) -> Self {
        FileHandles {
            ttl,
            live: Mutex::new(HashMap::new()),
        }
    }

    /// Registers paths the backend itself received; None when there are none.
    pub fn register(&self, paths: Vec<PathBuf>) -> Option<HandedFiles> {
        if paths.is_empty() {
            return None;
        }
        let names = paths.iter().take(MAX_NAMES).map(|p| file_name(p)).collect();
        let count = paths.len();
        // 244 random bits: a handle cannot be guessed.
        let handle = format!(
            "files-{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let mut live = self.lock();
        self.forget_expired(&mut live);
        while live.len() >= MAX_LIVE_HANDLES {
            let oldest = live
                .iter()
                .min_by_key(|(_, e)| e.created)
                .map(|(h, _)| h.clone());
            match oldest {
                Some(h) => live.remove(&h),
                None => break,
            };
        }
        live.insert(
            handle.clone(),
            Entry {
                paths,
                created: Instant::now(),
            },
        );
        Some(HandedFiles {
            handle,
            count,
            names,
        })
    }

    /// The paths behind a live handle, which is used up by this call. None for anything else
    /// (unknown, forged, expired or already used).
    pub fn take(&self, handle: &str) -> Option<Vec<PathBuf>> {
        let mut live = self.lock();
        self.forget_expired(&mut live);
        live.remove(handle).map(|e| e.paths)
    }

    /// Gives a handle back after the queue could not take its files (so nothing is lost).
    pub fn put_back(&self, handle: String, paths: Vec<PathBuf>) {
        self.lock().insert(
            handle,
            Entry {
                paths,
                created: Instant::now(),
            },
        );
    }

    fn forget_expired(&self, live: &mut HashMap<String, Entry>) {
        let ttl = self.ttl;
        live.retain(|_, e| e.created.elapsed() < ttl);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A native drop on `window_label`: registers the paths and tells that window's page.
pub fn announce_drop<R: Runtime>(
    app: &AppHandle<R>,
    window_label: &str,
    paths: Vec<PathBuf>,
    position: PhysicalPosition<f64>,
) {
    announce(app, window_label, paths, Some(position));
}

/// Files handed to the app without a pointer (a second launch, "Open with"): announced like a
/// drop with no position, which the page puts in the open folder.
pub fn announce_handover<R: Runtime>(app: &AppHandle<R>, window_label: &str, paths: Vec<PathBuf>) {
    announce(app, window_label, paths, None);
}

fn announce<R: Runtime>(
    app: &AppHandle<R>,
    window_label: &str,
    paths: Vec<PathBuf>,
    position: Option<PhysicalPosition<f64>>,
) {
    let Some(handles) = app.try_state::<FileHandles>() else {
        return;
    };
    let Some(files) = handles.register(paths) else {
        return;
    };
    tracing::info!(
        count = files.count,
        pointer = position.is_some(),
        "files dropped on (or handed to) the window"
    );
    let target = EventTarget::webview_window(window_label);
    if let Err(e) = app.emit_to(target, DROPPED_EVENT, DroppedFiles { files, position }) {
        tracing::warn!(error = %e, "could not tell the window about dropped files");
    }
}

/// How a path is named to the user: relative to the folder that holds the dropped item it lies
/// in ("Shoot/raw/notes.txt" for a file inside the dropped folder "Shoot"), else its file name.
/// Never a full path: the page has no business knowing where the user keeps things.
pub fn display_name(roots: &[PathBuf], path: &Path) -> String {
    roots
        .iter()
        .filter(|root| path.starts_with(root))
        .max_by_key(|root| root.components().count())
        .and_then(|root| path.strip_prefix(root.parent()?).ok())
        .filter(|rel| !rel.as_os_str().is_empty())
        .map(|rel| rel.display().to_string())
        .unwrap_or_else(|| file_name(path))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "(unnamed)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_is_used_once_and_only_as_issued() {
        let handles = FileHandles::default();
        let paths = vec![
            PathBuf::from("/home/u/a.png"),
            PathBuf::from("/home/u/Shoot"),
        ];
        let files = handles.register(paths.clone()).unwrap();
        assert_eq!(files.count, 2);
        assert_eq!(files.names, ["a.png", "Shoot"]);
        assert!(files.handle.len() > 60, "{}", files.handle);
        for forged in [
            "",
            "/etc",
            "files-",
            &files.handle[..files.handle.len() - 1],
        ] {
            assert_eq!(handles.take(forged), None, "{forged:?}");
        }
        assert_eq!(handles.take(&files.handle), Some(paths.clone()));
        assert_eq!(handles.take(&files.handle), None, "single use");
        handles.put_back(files.handle.clone(), paths.clone());
        assert_eq!(handles.take(&files.handle), Some(paths));
        assert_eq!(handles.register(Vec::new()), None);
    }

    #[test]
    fn handles_expire_and_are_bounded() {
        let expired = FileHandles::with_ttl(Duration::ZERO);
        let files = expired.register(vec![PathBuf::from("/a.png")]).unwrap();
        assert_eq!(expired.take(&files.handle), None);

        let handles = FileHandles::default();
        let first = handles.register(vec![PathBuf::from("/first.png")]).unwrap();
        let rest: Vec<HandedFiles> = (0..MAX_LIVE_HANDLES)
            .map(|i| {
                handles
                    .register(vec![PathBuf::from(format!("/{i}.png"))])
                    .unwrap()
            })
            .collect();
        assert_eq!(
            handles.take(&first.handle),
            None,
            "the oldest was forgotten"
        );
        assert!(handles.take(&rest[0].handle).is_some());
    }

    #[test]
    fn many_files_send_a_bounded_list_of_names() {
        let handles = FileHandles::default();
        let paths: Vec<PathBuf> = (0..500)
            .map(|i| PathBuf::from(format!("/d/{i}.png")))
            .collect();
        let files = handles.register(paths).unwrap();
        assert_eq!((files.count, files.names.len()), (500, MAX_NAMES));
    }

    #[test]
    fn names_are_relative_to_what_was_dropped() {
        let roots = vec![
            PathBuf::from("/home/u/Shoot"),
            PathBuf::from("/home/u/one.png"),
        ];
        let name = |p: &str| display_name(&roots, Path::new(p));
        assert_eq!(name("/home/u/Shoot/raw/notes.txt"), "Shoot/raw/notes.txt");
        assert_eq!(name("/home/u/Shoot"), "Shoot");
        assert_eq!(name("/home/u/one.png"), "one.png");
        assert_eq!(name("/elsewhere/x.png"), "x.png", "never a full path");
        assert_eq!(
            display_name(&[PathBuf::from("/")], Path::new("/etc/x")),
            "x"
        );
    }
}
