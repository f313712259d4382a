//! Bulk edits for the app: the plans the page previewed (kept under a plan id), the one edit
//! running in the background (a task that Cancel aborts), its progress as `bulk://progress`
//! (at most ~10 a second, and one at the end) and its end as `bulk://finished`. Every edit is
//! journaled in `<app data>/bulk/<editId>.jsonl` (`image_library::bulk`), so retry, undo and
//! a crash mid-edit all work from the journal; journals found unfinished at start are listed
//! as interrupted until retried or discarded. Presets live in `<app data>/presets/`.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use image_library::bulk::{
    journal_result, load_journal, undo_plan, BulkResult, Counts, ImageOutcome, ImageRef, Plan,
    PlanKind, PresetStore, Status,
};
use image_library::ImageLibrary;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::error::{AppError, AppResult};
use crate::uploads::UploadHost;

pub const PROGRESS_EVENT: &str = "bulk://progress";
pub const FINISHED_EVENT: &str = "bulk://finished";
/// Previewed plans kept for `run_bulk`, newest first.
const PLANS_KEPT: usize = 4;
/// At most one progress event per this long (the last one always goes out).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);
/// Folders inside the app data folder.
pub const JOURNALS_DIR: &str = "bulk";
pub const DISCARDED_DIR: &str = "discarded";
pub const PRESETS_DIR: &str = "presets";
/// Finished (and discarded) journals are removed at start-up once they are this old: Retry and
/// Undo are offered for the edits of the running session, and a month covers any look back.
pub const JOURNALS_KEPT_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkProgress {
    pub edit_id: String,
    pub kind: PlanKind,
    pub total: usize,
    pub done: usize,
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageReason {
    pub image: ImageRef,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkFinished {
    pub edit_id: String,
    pub kind: PlanKind,
    pub cancelled: bool,
    pub counts: Counts,
    pub failed: Vec<ImageReason>,
    pub skipped: Vec<ImageReason>,
    pub can_undo: bool,
    pub can_retry: bool,
    /// Why the edit stopped before its end (the journal could not be written, the folder's
    /// fields could not be read…); null when it ran to its end or was cancelled.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Interrupted {
    pub edit_id: String,
    pub kind: PlanKind,
    /// Images the edit was to change.
    pub total: usize,
    /// Of those, the ones it changed before it stopped.
    pub changed: usize,
    pub started_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Started {
    pub edit_id: String,
    pub total: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct BulkStatus {
    pub running: Option<BulkProgress>,
    pub last: Option<BulkFinished>,
    pub interrupted: Vec<Interrupted>,
}

/// What a background edit does.
pub enum Job {
    /// A previewed plan.
    Run(Box<Plan>),
    /// Finish the journal's edit: failed and not-yet-sent images, each read first.
    Resume,
    /// Revert the edit journaled at `of`.
    Undo { of: PathBuf },
}

struct Running {
    edit_id: String,
    journal: PathBuf,
    kind: PlanKind,
    progress: Arc<Mutex<Tick>>,
    task: Option<tauri::async_runtime::JoinHandle<()>>,
}

struct Tick {
    progress: BulkProgress,
    last_sent: Option<Instant>,
}

#[derive(Default)]
struct State {
    plans: VecDeque<(String, Plan)>,
    running: Option<Running>,
    last: Option<BulkFinished>,
    interrupted: Vec<Interrupted>,
}

/// Tauri state: bulk edits and presets.
pub struct BulkRuns {
    journals: PathBuf,
    presets: PresetStore,
    state: Mutex<State>,
}

fn io(what: &str, path: &Path, e: impl std::fmt::Display) -> AppError {
    AppError::Io {
        message: format!(
            "Could not {what} {}. Check its permissions and free space.",
            path.display()
        ),
        detail: e.to_string(),
    }
}

impl BulkRuns {
    /// Journals in `data_dir/bulk`, presets in `data_dir/presets`; journals an earlier run
    /// left unfinished are listed as interrupted, finished ones older than
    /// [`JOURNALS_KEPT_FOR`] are removed.
    pub fn open(data_dir: &Path) -> AppResult<BulkRuns> {
        let journals = data_dir.join(JOURNALS_DIR);
        std::fs::create_dir_all(&journals)
            .map_err(|e| io("create the bulk-edit folder", &journals, e))?;
        let runs = BulkRuns {
            presets: PresetStore::new(data_dir.join(PRESETS_DIR)),
            state: Mutex::new(State {
                interrupted: scan_journals(&journals),
                ..State::default()
            }),
            journals,
        };
        Ok(runs)
    }

    pub fn presets(&self) -> &PresetStore {
        &self.presets
    }

    pub fn journals_dir(&self) -> &Path {
        &self.journals
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `plan` for `run_bulk`; returns its id. Only the newest few are kept.
    pub fn keep_plan(&self, plan: Plan) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let mut state = self.lock();
        state.plans.push_front((id.clone(), plan));
        state.plans.truncate(PLANS_KEPT);
        id
    }

    fn take_plan(&self, plan_id: &str) -> AppResult<Plan> {
        let mut state = self.lock();
        let at = state
            .plans
            .iter()
            .position(|(id, _)| id == plan_id)
            .ok_or_else(|| {
                AppError::invalid_input(
                    "This preview is no longer available (it was applied already, or newer \
                     previews replaced it). Preview the change again.",
                )
            })?;
        Ok(state.plans.remove(at).expect("found above").1)
    }

    /// The journal of edit `edit_id` (which must exist).
    pub fn journal_of(&self, edit_id: &str) -> AppResult<PathBuf> {
        image_library::require_guid("editId", edit_id)?;
        let path = self
            .journals
            .join(format!("{}.jsonl", edit_id.to_ascii_lowercase()));
        if !path.is_file() {
            return Err(AppError::invalid_input(format!(
                "There is no bulk edit {edit_id} (it was discarded, or is from another computer)."
            )));
        }
        Ok(path)
    }

    fn new_journal(&self) -> (String, PathBuf) {
        let edit_id = uuid::Uuid::new_v4().to_string();
        let path = self.journals.join(format!("{edit_id}.jsonl"));
        (edit_id, path)
    }

    pub fn status(&self) -> BulkStatus {
        let state = self.lock();
        BulkStatus {
            running: state.running.as_ref().map(|r| {
                r.progress
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .progress
                    .clone()
            }),
            last: state.last.clone(),
            interrupted: state.interrupted.clone(),
        }
    }

    /// Runs the previewed plan `plan_id` in the background.
    pub fn run_plan<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        library: Arc<ImageLibrary>,
        plan_id: &str,
    ) -> AppResult<Started> {
        self.refuse_if_running()?;
        let plan = self.take_plan(plan_id)?;
        let (edit_id, journal) = self.new_journal();
        let total = plan.changing();
        let counts = Counts {
            unchanged: plan.unchanged.len(),
            skipped: plan.skipped.len(),
            ..Counts::default()
        };
        let kind = plan.kind;
        self.start(
            app,
            library,
            Job::Run(Box::new(plan)),
            edit_id,
            journal,
            kind,
            total,
            counts,
        )
    }

    /// Finishes edit `edit_id` (failed, not-yet-sent and in-doubt images; each read first).
    pub fn retry<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        library: Arc<ImageLibrary>,
        edit_id: &str,
    ) -> AppResult<Started> {
        self.refuse_if_running()?;
        let journal = self.journal_of(edit_id)?;
        let loaded = load_journal(&journal)?;
        let total = loaded.to_resume();
        if total == 0 {
            return Err(AppError::invalid_input(
                "Every image of this bulk edit has changed already; there is nothing to retry.",
            ));
        }
        let counts = Counts::default();
        let started = self.start(
            app,
            library,
            Job::Resume,
            loaded.edit_id.clone(),
            journal,
            loaded.plan.kind,
            total,
            counts,
        )?;
        self.lock()
            .interrupted
            .retain(|i| !i.edit_id.eq_ignore_ascii_case(edit_id));
        Ok(started)
    }

    /// Reverts edit `edit_id` as a new edit (kind `undo`).
    pub fn undo<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        library: Arc<ImageLibrary>,
        edit_id: &str,
    ) -> AppResult<Started> {
        self.refuse_if_running()?;
        let of = self.journal_of(edit_id)?;
        let loaded = load_journal(&of)?;
        let total = undo_plan(&loaded).changing();
        if total == 0 {
            return Err(AppError::invalid_input(
                "This bulk edit changed no image, so there is nothing to undo.",
            ));
        }
        let (undo_id, journal) = self.new_journal();
        self.start(
            app,
            library,
            Job::Undo { of },
            undo_id,
            journal,
            PlanKind::Undo,
            total,
            Counts::default(),
        )
    }

    fn refuse_if_running(&self) -> AppResult<()> {
        if self.lock().running.is_some() {
            return Err(AppError::invalid_input(
                "A bulk edit is running; wait for it to finish or cancel it first.",
            ));
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn start<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        library: Arc<ImageLibrary>,
        job: Job,
        edit_id: String,
        journal: PathBuf,
        kind: PlanKind,
        total: usize,
        counts: Counts,
    ) -> AppResult<Started> {
        let mut state = self.lock();
        if state.running.is_some() {
            return Err(AppError::invalid_input(
                "A bulk edit is running; wait for it to finish or cancel it first.",
            ));
        }
        let progress = Arc::new(Mutex::new(Tick {
            progress: BulkProgress {
                edit_id: edit_id.clone(),
                kind,
                total,
                done: 0,
                counts,
            },
            last_sent: None,
        }));
        let task = {
            let app = app.clone();
            let progress = progress.clone();
            let edit_id = edit_id.clone();
            let journal = journal.clone();
            tauri::async_runtime::spawn(async move {
                let on_outcome = |outcome: &ImageOutcome| {
                    let mut tick = progress.lock().unwrap_or_else(|p| p.into_inner());
                    tick.progress.done += 1;
                    let counts = &mut tick.progress.counts;
                    match outcome.status {
                        Status::Changed => counts.changed += 1,
                        Status::Unchanged => counts.unchanged += 1,
                        Status::Failed { .. } => counts.failed += 1,
                        Status::Skipped { .. } => counts.skipped += 1,
                    }
                    if tick
                        .last_sent
                        .is_none_or(|at| at.elapsed() >= PROGRESS_EVERY)
                    {
                        tick.last_sent = Some(Instant::now());
                        let _ = app.emit(PROGRESS_EVENT, &tick.progress);
                    }
                };
                let result = match job {
                    Job::Run(plan) => {
                        library
                            .run_plan_as(&edit_id, &plan, &journal, Some(&on_outcome))
                            .await
                    }
                    Job::Resume => library.resume_bulk(&journal, Some(&on_outcome)).await,
                    Job::Undo { of } => {
                        library
                            .undo_bulk_as(&edit_id, &of, &journal, Some(&on_outcome))
                            .await
                    }
                };
                if let Some(runs) = app.try_state::<BulkRuns>() {
                    runs.finish(&app, &edit_id, result.map_err(AppError::from));
                }
            })
        };
        state.running = Some(Running {
            edit_id: edit_id.clone(),
            journal,
            kind,
            progress,
            task: Some(task),
        });
        Ok(Started { edit_id, total })
    }

    /// The background task's end: reported unless Cancel already reported it.
    fn finish<R: Runtime>(&self, app: &AppHandle<R>, edit_id: &str, result: AppResult<BulkResult>) {
        let running = {
            let mut state = self.lock();
            match &state.running {
                Some(r) if r.edit_id == edit_id => state.running.take(),
                _ => None,
            }
        };
        let Some(running) = running else { return };
        let finished = match result {
            Ok(result) => finished_of(&result, false, None),
            Err(e) => {
                tracing::warn!(error = %e, "a bulk edit stopped");
                self.finished_from_journal(&running, false, Some(e.to_string()))
            }
        };
        self.report(app, &running, finished);
    }

    /// Stops the running edit (if any); what it changed is in its journal, `retry` finishes it.
    pub async fn cancel<R: Runtime>(&self, app: &AppHandle<R>) {
        let running = self.lock().running.take();
        let Some(mut running) = running else { return };
        if let Some(task) = running.task.take() {
            task.abort();
            // Wait until the task is dropped, so its journal is closed and complete.
            let _ = task.await;
        }
        let finished = self.finished_from_journal(&running, true, None);
        self.report(app, &running, finished);
    }

    fn finished_from_journal(
        &self,
        running: &Running,
        cancelled: bool,
        error: Option<String>,
    ) -> BulkFinished {
        match journal_result(&running.journal) {
            Ok(result) => finished_of(&result, cancelled, error),
            // Stopped before its journal was written: nothing was sent.
            Err(e) => BulkFinished {
                edit_id: running.edit_id.clone(),
                kind: running.kind,
                cancelled,
                counts: Counts::default(),
                failed: Vec::new(),
                skipped: Vec::new(),
                can_undo: false,
                can_retry: false,
                // Cancelled before it began: nothing to explain.
                error: error.or_else(|| (!cancelled).then(|| e.to_string())),
            },
        }
    }

    fn report<R: Runtime>(&self, app: &AppHandle<R>, running: &Running, finished: BulkFinished) {
        let last_progress = {
            let mut tick = running.progress.lock().unwrap_or_else(|p| p.into_inner());
            tick.progress.counts = finished.counts;
            if !finished.cancelled {
                tick.progress.done = tick.progress.total;
            }
            tick.progress.clone()
        };
        let _ = app.emit(PROGRESS_EVENT, &last_progress);
        self.lock().last = Some(finished.clone());
        if let Err(e) = app.emit(FINISHED_EVENT, &finished) {
            tracing::warn!(error = %e, "could not tell the window a bulk edit finished");
        }
    }

    /// Forgets edit `edit_id`: its journal is moved to `bulk/discarded/` (kept, not deleted).
    pub fn discard(&self, edit_id: &str) -> AppResult<()> {
        let journal = self.journal_of(edit_id)?;
        let mut state = self.lock();
        if state
            .running
            .as_ref()
            .is_some_and(|r| r.edit_id.eq_ignore_ascii_case(edit_id))
        {
            return Err(AppError::invalid_input(
                "This bulk edit is running; cancel it before discarding it.",
            ));
        }
        let aside = self.journals.join(DISCARDED_DIR);
        std::fs::create_dir_all(&aside).map_err(|e| io("create", &aside, e))?;
        let name = journal.file_name().expect("a journal file");
        std::fs::rename(&journal, aside.join(name)).map_err(|e| io("move aside", &journal, e))?;
        state
            .interrupted
            .retain(|i| !i.edit_id.eq_ignore_ascii_case(edit_id));
        if state
            .last
            .as_ref()
            .is_some_and(|l| l.edit_id.eq_ignore_ascii_case(edit_id))
        {
            state.last = None;
        }
        Ok(())
    }
}

/// The page's view of a result.
fn finished_of(result: &BulkResult, cancelled: bool, error: Option<String>) -> BulkFinished {
    let counts = result.counts();
    let reason_of = |o: &ImageOutcome| match &o.status {
        Status::Failed { reason } | Status::Skipped { reason } => Some(ImageReason {
            image: o.image.clone(),
            reason: reason.clone(),
        }),
        _ => None,
    };
    BulkFinished {
        edit_id: result.edit_id.clone(),
        kind: result.kind,
        cancelled,
        counts,
        failed: result
            .outcomes
            .iter()
            .filter(|o| matches!(o.status, Status::Failed { .. }))
            .filter_map(reason_of)
            .collect(),
        skipped: result
            .outcomes
            .iter()
            .filter(|o| matches!(o.status, Status::Skipped { .. }))
            .filter_map(reason_of)
            .collect(),
        can_undo: result.kind != PlanKind::Undo && counts.changed > 0,
        can_retry: counts.failed > 0,
        error,
    }
}

/// Journals in `dir` with images that have no outcome written (a crash, or a cancel before
/// the app closed), newest first. Finished journals, and discarded ones, older than
/// [`JOURNALS_KEPT_FOR`] are removed; unreadable files are skipped with a warning.
fn scan_journals(dir: &Path) -> Vec<Interrupted> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("jsonl") {
            continue;
        }
        match load_journal(&path) {
            Ok(loaded) if loaded.unsettled() > 0 => found.push(Interrupted {
                edit_id: loaded.edit_id.clone(),
                kind: loaded.plan.kind,
                total: loaded.plan.changing(),
                changed: loaded.changed(),
                started_at: loaded.started_at.clone(),
            }),
            Ok(_) => remove_if_old(&path),
            Err(e) => tracing::warn!(error = %e, "skipping a bulk-edit journal"),
        }
    }
    if let Ok(discarded) = std::fs::read_dir(dir.join(DISCARDED_DIR)) {
        for entry in discarded.flatten() {
            remove_if_old(&entry.path());
        }
    }
    found.sort_by(|a, b| b.started_at.cmp(&a.started_at));
    found
}

/// Removes the journal at `path` when it was last written more than [`JOURNALS_KEPT_FOR`] ago.
fn remove_if_old(path: &Path) {
    let age = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    if age.is_some_and(|age| age > JOURNALS_KEPT_FOR) {
        if let Err(e) = std::fs::remove_file(path) {
            tracing::warn!(error = %e, "could not remove an old bulk-edit journal");
        }
    }
}

/// Images the upload queue is still working on (a new version, or a new image being
/// created), by id, with the reason shown when a bulk edit skips them.
pub fn busy_images<R: Runtime>(app: &AppHandle<R>) -> Vec<(String, String)> {
    let Some(uploads) = app.try_state::<UploadHost>() else {
        return Vec::new();
    };
    uploads
        .queue()
        .jobs()
        .into_iter()
        .filter(|job| !job.state.is_finished())
        .filter_map(|job| {
            let id = job.image_id.clone().or(match &job.target {
                upload_queue::Target::Version { image_id } => Some(image_id.clone()),
                upload_queue::Target::NewImage { .. } => None,
            })?;
            Some((
                id,
                format!(
                    "is still processing an upload ({}); edit it when the upload is done",
                    job.file_name
                ),
            ))
        })
        .collect()
}
