//! Upload commands: thin wrappers over the upload queue hosted in `crate::uploads`.
//! Progress and state changes reach the UI as `upload://event`, not as return values.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::{AppHandle, Runtime, State};
use upload_queue::{BatchTotals, FieldValue, JobId, JobRequest, JobSummary, Target};

use super::require_guid;
use crate::connection::ConnectionManager;
use crate::error::{AppError, AppResult};
use crate::file_handles::{display_name, FileHandles, HandedFiles};
use crate::uploads::{queue_error, UploadHost};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeftOut {
    /// Relative to what the user dropped or picked (`file_handles::display_name`), never a full path.
    pub name: String,
    pub reason: String,
}

/// `enqueue_uploads`' answer: counts and refusals only; the jobs themselves arrive as
/// `upload://event` (a 1,000-file drop would otherwise travel to the page twice).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DropResult {
    pub batch_id: String,
    pub accepted: usize,
    /// Files the queue refused (unreadable, too large, bad target…).
    pub rejected: Vec<LeftOut>,
    /// Non-image files and folder loops left out while expanding folders.
    pub skipped: Vec<LeftOut>,
}

/// `enqueue_url`'s answer: its one job arrives as `upload://event` like any other.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedUrl {
    pub batch_id: String,
    pub job_id: JobId,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadSnapshot {
    pub jobs: Vec<JobSummary>,
    pub totals: BatchTotals,
    /// Jobs left unfinished by an earlier run, waiting for Resume or Discard.
    pub interrupted: Vec<JobSummary>,
    /// Set when the journal found at start-up could not be read and was moved aside.
    pub journal_notice: Option<JournalNoticeView>,
}

/// `JournalNotice` for the page: where the old journal went, why, and the sentence to show.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalNoticeView {
    pub moved_to: String,
    pub reason: String,
    pub message: String,
}

/// `check_again` / `send_again`'s answer: how many jobs were queued again, and the ones refused
/// (unknown, or no longer "may have landed") with the queue's reason. The jobs' new states
/// arrive as `upload://event`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionResult {
    pub queued: usize,
    pub refused: Vec<RefusedJob>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusedJob {
    pub job_id: JobId,
    pub reason: String,
}

/// Applies one queue decision to each job; a refusal of one job does not stop the others.
fn decide_each(
    job_ids: Vec<JobId>,
    decide: impl Fn(&str) -> upload_queue::Result<JobSummary>,
) -> DecisionResult {
    let mut result = DecisionResult {
        queued: 0,
        refused: Vec::new(),
    };
    for job_id in job_ids {
        match decide(&job_id) {
            Ok(_) => result.queued += 1,
            Err(e) => result.refused.push(RefusedJob {
                reason: queue_error(e).to_string(),
                job_id,
            }),
        }
    }
    result
}

/// Where the page sends files: `{kind: 'version', imageId}` or `{kind: 'newImage', folderId,
/// fields?: [{id, value}]}`, `fields` with widget values (as `image_form` gives them) that each
/// new image is created with.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum UploadTarget {
    Version {
        image_id: String,
    },
    NewImage {
        folder_id: String,
        #[serde(default)]
        fields: Option<Vec<Value>>,
    },
}

/// The queue's target and the field values (encoded by the folder's rules, API values) each
/// new image is created with. Invalid values are refused here, before anything is queued.
pub(crate) async fn resolve_target(
    conn: &ConnectionManager,
    target: UploadTarget,
) -> AppResult<(Target, Vec<FieldValue>)> {
    let (target, raw) = match target {
        UploadTarget::Version { image_id } => (Target::Version { image_id }, None),
        UploadTarget::NewImage { folder_id, fields } => (Target::NewImage { folder_id }, fields),
    };
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        // The queue judges the target itself (a refused web address says why, as before).
        return Ok((target, Vec::new()));
    }
    check_target(&target)?;
    let Target::NewImage { folder_id } = &target else {
        unreachable!("only newImage targets carry fields")
    };
    let fields = image_library::fields_from_json(raw)?;
    let library = conn.library().await?;
    let specs = library.field_specs(folder_id).await?;
    let encoded: Vec<FieldValue> = image_library::encode_fields(&specs, fields)?
        .into_iter()
        .map(|f| FieldValue::new(f.id, f.value))
        .collect();
    if let Some(problem) = upload_queue::fields_problem(&target, &encoded) {
        return Err(AppError::invalid_input(problem));
    }
    Ok((target, encoded))
}

fn check_target(target: &Target) -> AppResult<()> {
    match target {
        Target::Version { image_id } => require_guid("imageId", image_id),
        Target::NewImage { folder_id } => require_guid("folderId", folder_id),
    }
}

const NO_PATHS: &str =
    "The app does not take file paths from the page. Drop the files on the window \
or use \"Add files…\".";
pub(crate) const DROP_AGAIN: &str =
    "These files are no longer available to the app (the drop or file choice \
was already used, or is more than two minutes old). Drop the files again, or choose them again \
with \"Add files…\".";

/// Queues the files behind `handle` (from `app://dropped` or `pick_upload_files`); folders are
/// expanded here. Only a live handle is accepted: `paths` exists only to refuse it clearly.
#[tauri::command]
pub async fn enqueue_uploads(
    host: State<'_, UploadHost>,
    handles: State<'_, FileHandles>,
    conn: State<'_, ConnectionManager>,
    handle: Option<String>,
    paths: Option<serde_json::Value>,
    target: UploadTarget,
) -> AppResult<DropResult> {
    if paths.is_some() {
        return Err(AppError::invalid_input(NO_PATHS));
    }
    // Before the handle is taken: a refused value leaves the drop usable for another try.
    let (target, fields) = resolve_target(&conn, target).await?;
    check_target(&target)?;
    let handle = handle.unwrap_or_default();
    let roots = handles
        .take(&handle)
        .ok_or_else(|| AppError::invalid_input(DROP_AGAIN))?;
    match enqueue_files(&host, roots.clone(), target, fields).await {
        Ok(result) => Ok(result),
        Err(e) => {
            // Nothing was queued: the user may try again with the same drop.
            handles.put_back(handle, roots);
            Err(e)
        }
    }
}

async fn enqueue_files(
    host: &UploadHost,
    roots: Vec<PathBuf>,
    target: Target,
    fields: Vec<FieldValue>,
) -> AppResult<DropResult> {
    let report = host
        .queue()
        .enqueue_paths_with_fields(roots.clone(), target, fields)
        .await
        .map_err(queue_error)?;
    let left_out = |path: &Path, reason: String| LeftOut {
        name: display_name(&roots, path),
        reason,
    };
    Ok(DropResult {
        batch_id: report.batch_id,
        accepted: report.accepted.len(),
        rejected: report
            .rejected
            .into_iter()
            .map(|r| left_out(Path::new(&r.path), r.reason))
            .collect(),
        skipped: report
            .skipped
            .into_iter()
            .map(|s| left_out(&s.path, s.reason))
            .collect(),
    })
}

/// Queues one web address; the queue decides what it accepts (http(s) only, a real target), and
/// a refusal comes back as the error the page shows.
#[tauri::command]
pub async fn enqueue_url(
    host: State<'_, UploadHost>,
    conn: State<'_, ConnectionManager>,
    url: String,
    target: UploadTarget,
) -> AppResult<QueuedUrl> {
    let (target, fields) = resolve_target(&conn, target).await?;
    let report = host
        .queue()
        .enqueue(vec![JobRequest::url(url.trim(), target).with_fields(fields)])
        .await
        .map_err(queue_error)?;
    match (
        report.accepted.into_iter().next(),
        report.rejected.into_iter().next(),
    ) {
        (Some(job), _) => Ok(QueuedUrl {
            batch_id: report.batch_id,
            job_id: job.id,
        }),
        (None, Some(refused)) => Err(AppError::invalid_input(refused.reason)),
        (None, None) => Err(AppError::Internal(
            "the upload queue neither took nor refused the address".into(),
        )),
    }
}

#[tauri::command]
pub async fn upload_jobs(host: State<'_, UploadHost>) -> AppResult<UploadSnapshot> {
    let queue = host.queue();
    Ok(UploadSnapshot {
        jobs: queue.jobs(),
        totals: queue.totals(),
        interrupted: queue.interrupted(),
        // The queue does not export the notice's type by name; its fields are public.
        journal_notice: queue.journal_notice().map(|notice| JournalNoticeView {
            message: notice.to_string(),
            moved_to: notice.moved_to.display().to_string(),
            reason: notice.reason,
        }),
    })
}

/// For jobs that may have landed: look at the image once more (landed → done).
#[tauri::command]
pub async fn check_again(
    host: State<'_, UploadHost>,
    job_ids: Vec<JobId>,
) -> AppResult<DecisionResult> {
    Ok(decide_each(job_ids, |id| host.queue().check_again(id)))
}

/// For jobs that may have landed: the user judged they did not; the files are sent again
/// (this may create a duplicate, so the page asks first).
#[tauri::command]
pub async fn send_again(
    host: State<'_, UploadHost>,
    job_ids: Vec<JobId>,
) -> AppResult<DecisionResult> {
    Ok(decide_each(job_ids, |id| host.queue().send_again(id)))
}

#[tauri::command]
pub async fn cancel_upload(host: State<'_, UploadHost>, id: String) -> AppResult<JobSummary> {
    host.queue().cancel(&id).map_err(queue_error)
}

#[tauri::command]
pub async fn retry_upload(host: State<'_, UploadHost>, id: String) -> AppResult<JobSummary> {
    host.queue().retry(&id).await.map_err(queue_error)
}

/// Returns how many failed jobs were queued again.
#[tauri::command]
pub async fn retry_failed_uploads(host: State<'_, UploadHost>) -> AppResult<usize> {
    host.queue().retry_all_failed().await.map_err(queue_error)
}

/// Returns the ids removed from the list.
#[tauri::command]
pub async fn clear_finished_uploads(host: State<'_, UploadHost>) -> AppResult<Vec<JobId>> {
    host.queue().clear_finished().map_err(queue_error)
}

#[tauri::command]
pub async fn send_upload_anyway(host: State<'_, UploadHost>, id: String) -> AppResult<JobSummary> {
    host.queue().send_anyway(&id).map_err(queue_error)
}

#[tauri::command]
pub async fn resume_interrupted_uploads(host: State<'_, UploadHost>) -> AppResult<Vec<JobSummary>> {
    host.queue().resume_interrupted().await.map_err(queue_error)
}

#[tauri::command]
pub async fn discard_interrupted_uploads(host: State<'_, UploadHost>) -> AppResult<Vec<JobId>> {
    host.queue().discard_interrupted().map_err(queue_error)
}

/// Native "Add files…" dialog. The chosen files are kept under a handle for
/// `enqueue_uploads`, like a drop; None when cancelled.
#[tauri::command]
pub async fn pick_upload_files<R: Runtime>(
    app: AppHandle<R>,
    handles: State<'_, FileHandles>,
) -> AppResult<Option<HandedFiles>> {
    let picked = crate::native_dialogs::pick_images(&app).await;
    Ok(handles.register(picked))
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
        let t: UploadTarget =
            serde_json::from_str(r#"{"kind":"newImage","folderId":"f"}"#).unwrap();
        assert_eq!(
            t,
            UploadTarget::NewImage {
                folder_id: "f".into(),
                fields: None
            }
        );
        let t: UploadTarget = serde_json::from_str(
            r#"{"kind":"newImage","folderId":"f","fields":[{"id":"season","value":"Fall"}]}"#,
        )
        .unwrap();
        assert_eq!(
            t,
            UploadTarget::NewImage {
                folder_id: "f".into(),
                fields: Some(vec![serde_json::json!({"id": "season", "value": "Fall"})])
            }
        );
        let t: UploadTarget = serde_json::from_str(r#"{"kind":"version","imageId":"i"}"#).unwrap();
        assert_eq!(
            t,
            UploadTarget::Version {
                image_id: "i".into()
            }
        );
    }
}
