//! Upload commands: thin wrappers over the upload queue hosted in `crate::uploads`.
//! Progress and state changes reach the UI as `upload://event`, not as return values.

use std::path::PathBuf;

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use upload_queue::{expand_paths, BatchTotals, JobId, JobRequest, JobSummary, Rejected, Target};

use super::require_guid;
use crate::error::{AppError, AppResult};
use crate::uploads::{queue_error, UploadHost};

/// More paths than this in one call is refused (a folder counts as one path; its files are not capped here).
const MAX_PATHS: usize = 10_000;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnqueueResult {
    pub batch_id: String,
    pub accepted: Vec<JobSummary>,
    pub rejected: Vec<Rejected>,
    /// Non-image files and folder loops left out while expanding folders.
    pub skipped: Vec<SkippedFile>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadSnapshot {
    pub jobs: Vec<JobSummary>,
    pub totals: BatchTotals,
    /// Jobs left unfinished by an earlier run, waiting for Resume or Discard.
    pub interrupted: Vec<JobSummary>,
}

fn check_target(target: &Target) -> AppResult<()> {
    match target {
        Target::Version { image_id } => require_guid("imageId", image_id),
        Target::NewImage { folder_id } => require_guid("folderId", folder_id),
    }
}

#[tauri::command]
pub async fn enqueue_uploads<R: Runtime>(
    _app: AppHandle<R>,
    host: State<'_, UploadHost>,
    paths: Vec<String>,
    target: Target,
) -> AppResult<EnqueueResult> {
    check_target(&target)?;
    if paths.is_empty() {
        return Err(AppError::invalid_input(
            "Choose at least one file or folder to upload.",
        ));
    }
    if paths.len() > MAX_PATHS {
        return Err(AppError::invalid_input(format!(
            "{} paths in one drop is too many (at most {MAX_PATHS}); drop their folder instead.",
            paths.len()
        )));
    }
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    // Walking folders and sniffing file heads touches the disk: keep it off the async workers.
    let expanded = tauri::async_runtime::spawn_blocking(move || expand_paths(&paths))
        .await
        .map_err(|e| AppError::Internal(format!("folder walk failed: {e}")))?;
    let skipped = expanded
        .skipped
        .into_iter()
        .map(|s| SkippedFile {
            path: s.path.display().to_string(),
            reason: s.reason,
        })
        .collect();
    let requests = expanded
        .files
        .into_iter()
        .map(|f| JobRequest::file(f, target.clone()))
        .collect();
    let report = host.queue().enqueue(requests).await.map_err(queue_error)?;
    Ok(EnqueueResult {
        batch_id: report.batch_id,
        accepted: report.accepted,
        rejected: report.rejected,
        skipped,
    })
}

#[tauri::command]
pub async fn enqueue_url<R: Runtime>(
    _app: AppHandle<R>,
    host: State<'_, UploadHost>,
    url: String,
    target: Target,
) -> AppResult<EnqueueResult> {
    check_target(&target)?;
    let url = url.trim().to_string();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(AppError::invalid_input(
            "Enter a web address starting with http:// or https://.",
        ));
    }
    let report = host
        .queue()
        .enqueue(vec![JobRequest::url(url, target)])
        .await
        .map_err(queue_error)?;
    Ok(EnqueueResult {
        batch_id: report.batch_id,
        accepted: report.accepted,
        rejected: report.rejected,
        skipped: Vec::new(),
    })
}

#[tauri::command]
pub async fn upload_jobs<R: Runtime>(
    _app: AppHandle<R>,
    host: State<'_, UploadHost>,
) -> AppResult<UploadSnapshot> {
    let queue = host.queue();
    Ok(UploadSnapshot {
        jobs: queue.jobs(),
        totals: queue.totals(),
        interrupted: queue.interrupted(),
    })
}

#[tauri::command]
pub async fn cancel_upload<R: Runtime>(
    _app: AppHandle<R>,
    host: State<'_, UploadHost>,
    id: String,
) -> AppResult<JobSummary> {
    host.queue().cancel(&id).map_err(queue_error)
}

#[tauri::command]
pub async fn retry_upload<R: Runtime>(
    _app: AppHandle<R>,
    host: State<'_, UploadHost>,
    id: String,
) -> AppResult<JobSummary> {
    host.queue().retry(&id).await.map_err(queue_error)
}

/// Returns how many failed jobs were queued again.
#[tauri::command]
pub async fn retry_failed_uploads<R: Runtime>(
    _app: AppHandle<R>,
    host: State<'_, UploadHost>,
) -> AppResult<usize> {
    host.queue().retry_all_failed().await.map_err(queue_error)
}

/// Returns the ids removed from the list.
#[tauri::command]
pub async fn clear_finished_uploads<R: Runtime>(
    _app: AppHandle<R>,
    host: State<'_, UploadHost>,
) -> AppResult<Vec<JobId>> {
    host.queue().clear_finished().map_err(queue_error)
}

#[tauri::command]
pub async fn send_upload_anyway<R: Runtime>(
    _app: AppHandle<R>,
    host: State<'_, UploadHost>,
    id: String,
) -> AppResult<JobSummary> {
    host.queue().send_anyway(&id).map_err(queue_error)
}

#[tauri::command]
pub async fn resume_interrupted_uploads<R: Runtime>(
    _app: AppHandle<R>,
    host: State<'_, UploadHost>,
) -> AppResult<Vec<JobSummary>> {
    host.queue().resume_interrupted().await.map_err(queue_error)
}

#[tauri::command]
pub async fn discard_interrupted_uploads<R: Runtime>(
    _app: AppHandle<R>,
    host: State<'_, UploadHost>,
) -> AppResult<Vec<JobId>> {
    host.queue().discard_interrupted().map_err(queue_error)
}

/// Native "Add files…" dialog. GTK dialogs must run on the main (GTK) thread, so the
/// blocking rfd dialog is run there and its answer sent back. Empty when cancelled.
#[tauri::command]
pub async fn pick_upload_files<R: Runtime>(app: AppHandle<R>) -> AppResult<Vec<String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let window = app.get_webview_window("main");
    app.run_on_main_thread(move || {
        let mut dialog = rfd::FileDialog::new()
            .set_title("Add images")
            .add_filter(
                "Images",
                &[
                    "jpg", "jpeg", "png", "gif", "webp", "tif", "tiff", "bmp", "heic", "heif",
                    "avif", "psd",
                ],
            )
            .add_filter("All files", &["*"]);
        if let Some(window) = &window {
            dialog = dialog.set_parent(window);
        }
        let picked = dialog.pick_files().unwrap_or_default();
        let _ = tx.send(picked);
    })
    .map_err(|e| AppError::Internal(format!("could not open the file dialog: {e}")))?;
    let picked = rx
        .await
        .map_err(|_| AppError::Internal("the file dialog closed without an answer".into()))?;
    Ok(picked
        .into_iter()
        .map(|p| p.display().to_string())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_need_guids() {
        assert!(check_target(&Target::NewImage {
            folder_id: "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe".into()
        })
        .is_ok());
        let err = check_target(&Target::Version {
            image_id: "../x".into(),
        })
        .unwrap_err();
        assert_eq!(err.kind(), "invalid_input");
    }

    #[test]
    fn target_json_matches_the_ipc_contract() {
        let t: Target = serde_json::from_str(r#"{"kind":"newImage","folderId":"f"}"#).unwrap();
        assert_eq!(
            t,
            Target::NewImage {
                folder_id: "f".into()
            }
        );
        let t: Target = serde_json::from_str(r#"{"kind":"version","imageId":"i"}"#).unwrap();
        assert_eq!(
            t,
            Target::Version {
                image_id: "i".into()
            }
        );
    }
}
