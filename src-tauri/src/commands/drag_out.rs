//! `drag_out`: the page names the images under the pointer by id; their originals are made
//! sure of in the cache (progress over a Channel), then the OS drag starts with their paths,
//! which never pass through the page (docs/SECURITY.md).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{Runtime, State, WebviewWindow};
use tracing::instrument;

use crate::connection::ConnectionManager;
use crate::drag_out::native::{self, DragOutcome};
use crate::drag_out::{self as drag, DragOutHost, Progress};
use crate::error::AppResult;

/// Progress is told at most this often (every message is a script run in the page).
const TELL_EVERY: Duration = Duration::from_millis(100);

/// What the page hears while a drag out is prepared.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "phase", rename_all = "camelCase")]
pub enum DragOutEvent {
    /// Originals being downloaded.
    Downloading(Progress),
    /// Every file is ready and the OS drag is under way.
    #[serde(rename_all = "camelCase")]
    Dragging { files: usize },
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DragOutReply {
    pub outcome: DragOutcome,
    pub files: usize,
}

/// Drags the originals of `ids` out of `window`; answers when the drag is over (or was not
/// started because the button was let go while downloading).
#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn drag_out<R: Runtime>(
    window: WebviewWindow<R>,
    conn: State<'_, ConnectionManager>,
    host: State<'_, DragOutHost>,
    ids: Vec<String>,
    on_progress: Channel<DragOutEvent>,
) -> AppResult<DragOutReply> {
    let preparing = host.begin()?;
    let library = conn.library().await?;
    let last_told = Mutex::new(None::<Instant>);
    let files = drag::prepare(&library, host.cache(), ids, |p| {
        let Ok(mut last) = last_told.lock() else {
            return;
        };
        if p.ready == p.files || last.is_none_or(|t| t.elapsed() >= TELL_EVERY) {
            *last = Some(Instant::now());
            let _ = on_progress.send(DragOutEvent::Downloading(p));
        }
    })
    .await?;
    let count = files.len();
    let started = native::start(&window, files).await?;
    drop(preparing);
    let Some(done) = started else {
        return Ok(DragOutReply {
            outcome: DragOutcome::Released,
            files: count,
        });
    };
    let _ = on_progress.send(DragOutEvent::Dragging { files: count });
    let outcome = done.await.unwrap_or(DragOutcome::Cancelled);
    tracing::debug!(?outcome, files = count, "drag out over");
    Ok(DragOutReply {
        outcome,
        files: count,
    })
}
