//! Intake previews between a drop and the upload queue. A drop (or "Add files…", or a paste)
//! into a folder with a naming rule or a metadata mapping is planned first: each file's
//! number, name and field values, checked against the folder's fields. The plan is kept here
//! under an id while the user fixes cells in place, then queued with its values (or dropped).
//! Also owns the folder intake settings (`<data>/intake`) and pasted images (`<data>/pasted`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use image_library::intake::{IntakeRow, IntakeStore};
use upload_queue::FieldValue;

use crate::error::{AppError, AppResult};

pub const INTAKE_DIR: &str = "intake";
pub const PASTED_DIR: &str = "pasted";
/// A preview left open this long is forgotten (its files must be dropped again).
const PLAN_KEPT_FOR: Duration = Duration::from_secs(3600);
/// Previews kept at once; the oldest goes first.
const MAX_PLANS: usize = 8;
/// Pasted images are the queue's source files until uploaded; kept this long, then removed
/// at start-up.
const PASTED_KEPT_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

const PLAN_GONE: &str = "This upload preview is no longer open (it was used, cancelled, or is \
more than an hour old). Drop the files again.";

/// One preview waiting for the user's answer.
pub struct Pending {
    pub folder_id: String,
    /// The upload preset's values (API values), given to every file unless a row sets the field.
    pub preset: Vec<FieldValue>,
    /// What the user dropped (for names relative to it) and the files found in it, in row order.
    pub roots: Vec<PathBuf>,
    pub files: Vec<PathBuf>,
    pub rows: Vec<IntakeRow>,
    created: Instant,
}

impl Pending {
    pub fn new(
        folder_id: String,
        preset: Vec<FieldValue>,
        roots: Vec<PathBuf>,
        files: Vec<PathBuf>,
        rows: Vec<IntakeRow>,
    ) -> Pending {
        Pending {
            folder_id,
            preset,
            roots,
            files,
            rows,
            created: Instant::now(),
        }
    }
}

/// Tauri state: the settings store, pending previews and the paste folder.
pub struct IntakeHost {
    store: IntakeStore,
    pasted_dir: PathBuf,
    plans: Mutex<HashMap<String, Pending>>,
}

impl IntakeHost {
    pub fn open(data_dir: &Path) -> IntakeHost {
        let pasted_dir = data_dir.join(PASTED_DIR);
        remove_old_files(&pasted_dir, PASTED_KEPT_FOR);
        IntakeHost {
            store: IntakeStore::new(data_dir.join(INTAKE_DIR)),
            pasted_dir,
            plans: Mutex::new(HashMap::new()),
        }
    }

    pub fn store(&self) -> &IntakeStore {
        &self.store
    }

    pub fn pasted_dir(&self) -> &Path {
        &self.pasted_dir
    }

    /// Keeps `pending` and returns its id.
    pub fn keep(&self, pending: Pending) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        plans.retain(|_, p| p.created.elapsed() < PLAN_KEPT_FOR);
        while plans.len() >= MAX_PLANS {
            let Some(oldest) = plans
                .iter()
                .min_by_key(|(_, p)| p.created)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            plans.remove(&oldest);
        }
        plans.insert(id.clone(), pending);
        id
    }

    /// Runs `f` on the pending preview `id`.
    pub fn with<T>(&self, id: &str, f: impl FnOnce(&mut Pending) -> T) -> AppResult<T> {
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        match plans.get_mut(id) {
            Some(p) if p.created.elapsed() < PLAN_KEPT_FOR => Ok(f(p)),
            _ => Err(AppError::invalid_input(PLAN_GONE)),
        }
    }

    /// Takes the preview out (to queue it); `put_back` returns it when queueing failed.
    pub fn take(&self, id: &str) -> AppResult<Pending> {
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        match plans.remove(id) {
            Some(p) if p.created.elapsed() < PLAN_KEPT_FOR => Ok(p),
            _ => Err(AppError::invalid_input(PLAN_GONE)),
        }
    }

    pub fn put_back(&self, id: String, pending: Pending) {
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        plans.insert(id, pending);
    }

    pub fn forget(&self, id: &str) {
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        plans.remove(id);
    }
}

/// Removes files in `dir` last changed more than `age` ago; a folder that cannot be read is
/// left alone (it is only tidying).
fn remove_old_files(dir: &Path, age: Duration) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|d| d > age);
        if old {
            if let Err(e) = std::fs::remove_file(entry.path()) {
                tracing::warn!(error = %e, "could not remove an old pasted image");
            }
        }
    }
}
