//! Hot folders in the app: local folders watched and uploaded into BeProduct folders
//! (`hot_folders`), each file planned with its folder's intake settings by the image library
//! (`ImageLibrary::intake_job`), as `bp watch` does. Status changes reach the page as
//! `hotfolders://changed`; the page shows each folder's name, state and counts.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use hot_folders::{
    Counts, FolderState, HotFolderEvent, HotFolderStatus, HotFolders, Planner, Timing,
};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use upload_queue::Queue;

use crate::connection::ConnectionManager;
use crate::error::{AppError, AppResult};
use crate::intake_host::IntakeHost;

pub const EVENT: &str = "hotfolders://changed";
pub const STATE_DIR: &str = "hot-folders";
/// Tests shorten how long a file must stay unchanged before it is taken (milliseconds).
pub const ENV_SETTLE_MS: &str = "BP_HOT_FOLDER_SETTLE_MS";

/// A hot folder as the page shows it. The page names folders by id only; the path is text to
/// read (the folder's name, and where it is with the home folder as `~`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HotFolderView {
    pub id: String,
    pub name: String,
    pub location: String,
    pub folder_id: String,
    pub move_uploaded: bool,
    pub state: FolderState,
    pub counts: Counts,
}

impl From<HotFolderStatus> for HotFolderView {
    fn from(s: HotFolderStatus) -> Self {
        HotFolderView {
            id: s.id,
            name: s
                .dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| s.dir.display().to_string()),
            location: shown_path(&s.dir),
            folder_id: s.folder_id,
            move_uploaded: s.move_uploaded,
            state: s.state,
            counts: s.counts,
        }
    }
}

/// `~/Designs/Drop` for a folder under the home folder; the full path otherwise.
fn shown_path(dir: &Path) -> String {
    match dirs::home_dir().and_then(|home| dir.strip_prefix(home).ok().map(Path::to_path_buf)) {
        Some(rel) => format!("~/{}", rel.display()),
        None => dir.display().to_string(),
    }
}

/// `hotfolders://changed` payload: one folder's new status, or its removal.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum HotFolderChange {
    Changed { folder: HotFolderView },
    Removed { id: String },
}

/// Tauri state.
pub struct HotFolderHost {
    folders: HotFolders,
}

impl HotFolderHost {
    pub async fn open<R: Runtime>(
        app: &AppHandle<R>,
        data_dir: &Path,
        queue: Queue,
    ) -> AppResult<HotFolderHost> {
        let folders = HotFolders::open(
            data_dir.join(STATE_DIR),
            queue,
            planner(app.clone()),
            timing(),
        )
        .await
        .map_err(hot_error)?;
        Ok(HotFolderHost { folders })
    }

    pub fn folders(&self) -> &HotFolders {
        &self.folders
    }

    pub fn forward_events<R: Runtime>(&self, app: AppHandle<R>) {
        let mut events = self.folders.subscribe();
        tauri::async_runtime::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                let change = match events.recv().await {
                    Ok(HotFolderEvent::Changed { status }) => HotFolderChange::Changed {
                        folder: status.into(),
                    },
                    Ok(HotFolderEvent::Removed { id }) => HotFolderChange::Removed { id },
                    // A missed change is followed by the next; the page can reload the list.
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                };
                if let Err(e) = app.emit(EVENT, change) {
                    tracing::warn!(error = %e, "could not send a hot folder change to the window");
                }
            }
        });
    }

    pub async fn close(&self) {
        self.folders.close().await;
    }
}

fn timing() -> Timing {
    let mut timing = Timing::default();
    if let Some(ms) = std::env::var(ENV_SETTLE_MS)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|ms| *ms > 0)
    {
        timing.settle = Duration::from_millis(ms);
        timing.poll = Duration::from_millis(ms.clamp(50, 500));
    }
    timing
}

/// Each file planned with its BeProduct folder's intake settings, by the connected library.
fn planner<R: Runtime>(app: AppHandle<R>) -> Planner {
    Arc::new(move |folder_id: String, path: PathBuf| {
        let app = app.clone();
        async move {
            let settings = app
                .state::<IntakeHost>()
                .store()
                .load(&folder_id)
                .map_err(|e| e.to_string())?;
            let library = app
                .state::<ConnectionManager>()
                .library()
                .await
                .map_err(|e| e.to_string())?;
            library.intake_job(&folder_id, &settings, &path).await
        }
        .boxed()
    })
}

pub fn hot_error(e: hot_folders::Error) -> AppError {
    use hot_folders::Error as E;
    match e {
        E::Journal(_) | E::StatePath { .. } | E::InUse { .. } | E::TooNew { .. } => AppError::Io {
            message: format!("The hot folders could not be opened: {e}"),
            detail: String::new(),
        },
        E::Queue(e) => crate::uploads::queue_error(e),
        _ => AppError::invalid_input(e.to_string()),
    }
}
