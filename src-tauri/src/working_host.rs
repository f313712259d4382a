//! Open in editor, the round trip: an image's original is downloaded into
//! `<app data>/working/<image id>/`, opened with the system's default app for its type, and
//! watched. When the designer saves, the page shows a banner (before/after thumbnails) offering
//! to upload the copy as a new version through the upload queue; the books (which copy, what it
//! held, where it is in the round trip) are kept by the `working-copies` crate and survive
//! restarts. The page is told about every change as `working://changed` (the whole list: it is
//! short) and about download progress as `working://progress`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::commands::previews::LocalPreviews;
use beproduct::ImageHeader;
use image_library::ImageLibrary;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::broadcast::error::RecvError;
use upload_queue::{JobRequest, JobState, JobSummary, Queue, QueueEvent, Source, Target};
use working_copies::{
    CopyState, FolderWatch, ImageRef, Refresh, Registry, ServerBase, WorkingCopy, SETTLE,
};

use crate::connection::ConnectionManager;
use crate::error::{AppError, AppResult};
use crate::uploads::queue_error;

pub const WORKING_DIR: &str = "working";
const PREVIEW_SIDE: u32 = 320;
/// The page listens to these.
pub const CHANGED_EVENT: &str = "working://changed";
pub const PROGRESS_EVENT: &str = "working://progress";
/// A file still being written is looked at again this many times, `SETTLE` apart.
const SETTLE_TRIES: u32 = 25;
/// Progress events at most this often per download.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// A working copy as the page sees it: names, never a path.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyView {
    pub id: String,
    pub image_id: String,
    pub image_number: String,
    pub image_name: String,
    pub file_name: String,
    /// unchanged | edited | declined | uploading | missing
    pub state: &'static str,
    pub job_id: Option<String>,
    pub last_error: Option<String>,
    pub versions_sent: u32,
    pub base_version: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl From<&WorkingCopy> for CopyView {
    fn from(c: &WorkingCopy) -> Self {
        let job_id = match &c.state {
            CopyState::Uploading { job_id, .. } => job_id.clone(),
            _ => None,
        };
        CopyView {
            id: c.id.clone(),
            image_id: c.image.id.clone(),
            image_number: c.image.number.clone(),
            image_name: c.image.name.clone(),
            file_name: c.file_name(),
            state: c.state.name(),
            job_id,
            last_error: c.last_error.clone(),
            versions_sent: c.versions_sent,
            base_version: c.base.version.clone(),
            created_at_ms: c.created_at_ms,
            updated_at_ms: c.updated_at_ms,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CopiesList {
    pub copies: Vec<CopyView>,
    /// The list could not be read at start-up and was moved aside (where, and what to do).
    pub notice: Option<String>,
}

/// What the banner of an edited copy shows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Banner {
    pub copy: CopyView,
    /// The server's preview now (a URL the page may load: http(s) from the API).
    pub before: Option<String>,
    /// The edited file, made here (`data:image/png;base64,…`).
    pub after: Option<String>,
    /// Why there is no `after` (e.g. an Illustrator file saved without PDF compatibility).
    pub after_problem: Option<String>,
    /// Someone uploaded another file to the image since the copy was made.
    pub server_changed: bool,
    pub server_version: Option<String>,
    /// Why the server could not be asked (offline…); the banner still offers the upload.
    pub server_problem: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadAnswer {
    /// False when the server's file changed and the upload waits for the user to confirm.
    pub queued: bool,
    pub job_id: Option<String>,
    pub server_changed: bool,
    pub copy: CopyView,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Progress<'a> {
    image_id: &'a str,
    /// open | save | copy | view
    action: &'a str,
    done: u64,
    total: Option<u64>,
}

/// Tauri state: the registry, the folder watch and the previews of working copies.
#[derive(Clone)]
pub struct WorkingHost {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    previews: LocalPreviews,
    watch: Mutex<Option<FolderWatch>>,
}

impl From<working_copies::Error> for AppError {
    fn from(e: working_copies::Error) -> Self {
        match e {
            working_copies::Error::InvalidInput(message) => AppError::InvalidInput(message),
            working_copies::Error::Io { path, message } => AppError::Io {
                message: format!("The working copy {path} could not be used: {message}. Check the disk and the folder's permissions."),
                detail: String::new(),
            },
        }
    }
}

impl WorkingHost {
    /// Opens the registry in `<data_dir>/working`; thumbnails come from the app's one preview
    /// cache.
    pub fn open(data_dir: &Path, previews: LocalPreviews) -> AppResult<WorkingHost> {
        let root = data_dir.join(WORKING_DIR);
        let registry = Registry::open(&root)?;
        Ok(WorkingHost {
            inner: Arc::new(Inner {
                registry,
                previews,
                watch: Mutex::new(None),
            }),
        })
    }

    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// Starts watching the working folder, looks at every copy once (saves made while the app
    /// was closed), settles uploads the queue finished meanwhile, and follows the queue.
    pub fn start<R: Runtime>(&self, app: &AppHandle<R>, queue: Queue) {
        let (host, handle) = (self.clone(), app.clone());
        let watch = FolderWatch::start(self.registry().root(), SETTLE, move |paths| {
            let (host, app) = (host.clone(), handle.clone());
            tauri::async_runtime::spawn(async move { host.look(&app, paths).await });
        });
        match watch {
            Ok(watch) => *self.inner.watch.lock().unwrap_or_else(|e| e.into_inner()) = Some(watch),
            Err(e) => tracing::warn!(error = %e, "saves in working copies will not be noticed"),
        }
        let (host, app) = (self.clone(), app.clone());
        tauri::async_runtime::spawn(async move {
            host.look(&app, Vec::new()).await;
            host.reconcile(&app, &queue).await;
            host.follow_queue(&app, queue).await;
        });
    }

    pub fn list(&self) -> CopiesList {
        CopiesList {
            copies: self.registry().list().iter().map(CopyView::from).collect(),
            notice: self.registry().notice().map(str::to_owned),
        }
    }

    fn changed<R: Runtime>(&self, app: &AppHandle<R>) {
        if let Err(e) = app.emit(CHANGED_EVENT, self.list()) {
            tracing::warn!(error = %e, "could not tell the window about working copies");
        }
    }

    /// Reads again the copies at `paths` (every copy when `paths` names none of them or is
    /// empty); a file still being written is looked at again shortly.
    async fn look<R: Runtime>(&self, app: &AppHandle<R>, paths: Vec<PathBuf>) {
        let mut ids: Vec<String> = paths
            .iter()
            .flat_map(|p| self.registry().ids_at(p))
            .collect();
        if ids.is_empty() {
            ids = self.registry().list().into_iter().map(|c| c.id).collect();
        }
        ids.dedup();
        for _ in 0..SETTLE_TRIES {
            let host = self.clone();
            let asked = ids.clone();
            let found = tauri::async_runtime::spawn_blocking(move || {
                asked
                    .into_iter()
                    .filter_map(|id| match host.registry().refresh(&id) {
                        Ok(found) => Some((id, found)),
                        Err(e) => {
                            tracing::debug!(error = %e, "a working copy could not be read");
                            None
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
            if found.iter().any(|(_, f)| matches!(f, Refresh::Changed(_))) {
                self.changed(app);
            }
            ids = found
                .into_iter()
                .filter(|(_, f)| *f == Refresh::Settling)
                .map(|(id, _)| id)
                .collect();
            if ids.is_empty() {
                return;
            }
            tokio::time::sleep(SETTLE).await;
        }
        tracing::info!("a working copy kept changing; it is looked at again on its next save");
    }

    /// Downloads `image_id`'s current original into its working folder, registers and opens it
    /// with `with` (an app the user chose), or the system's default app for its type.
    pub async fn open_original<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        library: &ImageLibrary,
        image_id: &str,
        with: Option<&Path>,
    ) -> AppResult<CopyView> {
        let folder = self.registry().folder_for(image_id)?;
        // Read now: the header the page holds may carry an expired signature or an old file.
        let image = library.get(image_id).await?;
        let path = library
            .download_original(&image, &folder, progress(app, &image.id, "open"))
            .await?;
        let host = self.clone();
        let (image_ref, base) = (image_ref(&image), ServerBase::of(&image));
        let copy = tauri::async_runtime::spawn_blocking(move || {
            host.registry().add(image_ref, path, base)
        })
        .await
        .map_err(|e| AppError::Internal(format!("registering the working copy stopped: {e}")))??;
        self.changed(app);
        open_in_editor(&copy.path, with)?;
        Ok(CopyView::from(&copy))
    }

    /// Opens an existing copy in its editor again.
    pub fn open_again(&self, copy_id: &str) -> AppResult<()> {
        let copy = self.registry().get(copy_id)?;
        open_in_editor(&copy.path, None)
    }

    pub fn reveal(&self, copy_id: &str) -> AppResult<()> {
        let copy = self.registry().get(copy_id)?;
        let target = if copy.path.exists() {
            copy.path.clone()
        } else {
            copy.path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        };
        tauri_plugin_opener::reveal_item_in_dir(&target).map_err(|e| AppError::Io {
            message: format!(
                "The file manager could not show {} ({e}). The copy is in {}.",
                copy.file_name(),
                target.parent().unwrap_or(&target).display()
            ),
            detail: String::new(),
        })
    }

    pub fn decline<R: Runtime>(&self, app: &AppHandle<R>, copy_id: &str) -> AppResult<CopyView> {
        let copy = self.registry().decline(copy_id)?;
        self.changed(app);
        Ok(CopyView::from(&copy))
    }

    pub fn remove<R: Runtime>(&self, app: &AppHandle<R>, copy_id: &str) -> AppResult<()> {
        self.registry().remove(copy_id)?;
        self.changed(app);
        Ok(())
    }

    /// The banner's content for an edited copy: the server's preview and version now, and a
    /// preview of the edited file.
    pub async fn banner(&self, library: &ImageLibrary, copy_id: &str) -> AppResult<Banner> {
        let copy = self.registry().get(copy_id)?;
        let (before, server_changed, server_version, server_problem) =
            match library.get(&copy.image.id).await {
                Ok(image) => {
                    let now = ServerBase::of(&image);
                    (
                        image.preview_url().map(str::to_owned),
                        copy.base.file_changed_in(&now),
                        now.version,
                        None,
                    )
                }
                Err(e) => (None, false, None, Some(AppError::from(e).to_string())),
            };
        let (after, after_problem) = match self.preview_of(&copy.path).await {
            Ok(url) => (Some(url), None),
            Err(problem) => (None, Some(problem)),
        };
        Ok(Banner {
            copy: CopyView::from(&copy),
            before,
            after,
            after_problem,
            server_changed,
            server_version,
            server_problem,
        })
    }

    /// A PNG preview of the file at `path` as a data URL, made off the async threads.
    async fn preview_of(&self, path: &Path) -> Result<String, String> {
        self.inner
            .previews
            .data_url(path.to_path_buf(), PREVIEW_SIDE)
            .await
    }

    /// A PNG of the picture in `path` (PSD, TIFF, AI, JPEG…: `local_previews`), at most
    /// `max_side` pixels on its longer side, cached by content; the error says why there is none.
    pub async fn preview_png(&self, path: &Path, max_side: u32) -> Result<Vec<u8>, String> {
        self.inner.previews.png(path.to_path_buf(), max_side).await
    }

    /// "Upload as new version": a snapshot of the copy goes through the upload queue. If the
    /// server's file changed since the copy was made and the user has not seen that yet
    /// (`accept_server_change` false), nothing is queued and the answer says so.
    pub async fn upload<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        library: &ImageLibrary,
        queue: &Queue,
        copy_id: &str,
        accept_server_change: bool,
    ) -> AppResult<UploadAnswer> {
        let copy = self.registry().get(copy_id)?;
        if !matches!(copy.state, CopyState::Edited | CopyState::Declined) {
            return Err(AppError::invalid_input(format!(
                "{} has nothing new to upload (it is {}).",
                copy.file_name(),
                copy.state.name()
            )));
        }
        let now = ServerBase::of(&library.get(&copy.image.id).await?);
        let server_changed = copy.base.file_changed_in(&now);
        if server_changed && !accept_server_change {
            return Ok(UploadAnswer {
                queued: false,
                job_id: None,
                server_changed,
                copy: CopyView::from(&copy),
            });
        }
        let host = self.clone();
        let id = copy_id.to_owned();
        let prepared =
            tauri::async_runtime::spawn_blocking(move || host.registry().prepare_upload(&id))
                .await
                .map_err(|e| AppError::Internal(format!("preparing the upload stopped: {e}")))?;
        let prepared = match prepared {
            Ok(prepared) => prepared,
            Err(e) => {
                self.changed(app);
                return Err(e.into());
            }
        };
        let request = JobRequest::file(
            prepared.snapshot.clone(),
            Target::Version {
                image_id: copy.image.id.clone(),
            },
        );
        let refused = match queue.enqueue(vec![request]).await {
            Ok(report) => match report.accepted.first() {
                Some(job) => {
                    let copy = self.registry().queued(copy_id, &job.id)?;
                    // A job that finished before it was recorded is settled here.
                    if let Some(now) = queue.job(&job.id) {
                        self.on_job(app, &now, None).await;
                    }
                    self.changed(app);
                    return Ok(UploadAnswer {
                        queued: true,
                        job_id: Some(job.id.clone()),
                        server_changed,
                        copy: CopyView::from(&copy),
                    });
                }
                None => AppError::invalid_input(
                    report
                        .rejected
                        .first()
                        .map(|r| format!("The upload queue refused the copy: {}", r.reason))
                        .unwrap_or_else(|| "The upload queue took nothing.".into()),
                ),
            },
            Err(e) => queue_error(e),
        };
        self.registry()
            .upload_abandoned(copy_id, &refused.to_string())?;
        self.changed(app);
        Err(refused)
    }

    /// Follows the queue: a copy's upload landing, stopping or leaving the list.
    async fn follow_queue<R: Runtime>(&self, app: &AppHandle<R>, queue: Queue) {
        let mut events = queue.subscribe();
        loop {
            match events.recv().await {
                Ok(QueueEvent::JobChanged { job, image, .. }) => {
                    self.on_job(app, &job, image.as_deref()).await;
                }
                Ok(QueueEvent::JobsRemoved { job_ids, .. }) => {
                    for job_id in job_ids {
                        self.ended(
                            app,
                            self.registry().upload_failed(
                                &job_id,
                                "The upload was removed from the upload list before it landed; upload it again",
                            ),
                        );
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => self.reconcile(app, &queue).await,
                Err(RecvError::Closed) => return,
            }
        }
    }

    /// Settles a copy's upload from its job.
    async fn on_job<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        job: &JobSummary,
        image: Option<&ImageHeader>,
    ) {
        let Some(copy) = self.registry().by_job(&job.id) else {
            return;
        };
        let result = match &job.state {
            JobState::Done => {
                let base = match image {
                    Some(image) => ServerBase::of(image),
                    None => self.server_base(app, &copy).await,
                };
                self.registry().upload_done(&job.id, base)
            }
            JobState::Cancelled => self
                .registry()
                .upload_failed(&job.id, "The upload was cancelled"),
            JobState::Changed => self
                .registry()
                .upload_failed(&job.id, "The snapshot changed before it was sent"),
            JobState::Failed {
                reason,
                permanent: true,
            } => self.registry().upload_failed(&job.id, reason),
            JobState::Failed { reason, .. } => self.registry().upload_waits(
                &job.id,
                &format!("{reason} (Retry in the upload list)"),
            ),
            JobState::Duplicate => self.registry().upload_waits(
                &job.id,
                "This content was uploaded to the image before; Send anyway in the upload list sends it again",
            ),
            JobState::MayHaveLanded => self.registry().upload_waits(
                &job.id,
                "The upload's answer was lost; Check again in the upload list",
            ),
            _ => return,
        };
        self.ended(app, result);
    }

    fn ended<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        result: working_copies::Result<Option<WorkingCopy>>,
    ) {
        match result {
            Ok(Some(_)) => self.changed(app),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not record a working copy's upload"),
        }
    }

    /// The image's file as the server has it now; the copy's old base when it cannot be read.
    async fn server_base<R: Runtime>(&self, app: &AppHandle<R>, copy: &WorkingCopy) -> ServerBase {
        let Some(conn) = app.try_state::<ConnectionManager>() else {
            return copy.base.clone();
        };
        match conn.library().await {
            Ok(library) => match library.get(&copy.image.id).await {
                Ok(image) => ServerBase::of(&image),
                Err(_) => copy.base.clone(),
            },
            Err(_) => copy.base.clone(),
        }
    }

    /// Matches copies marked uploading with the queue's jobs (after a restart, or after
    /// missing events): finished jobs are settled, vanished ones released.
    async fn reconcile<R: Runtime>(&self, app: &AppHandle<R>, queue: &Queue) {
        let jobs = queue.jobs();
        for copy in self.registry().uploading() {
            let CopyState::Uploading {
                job_id, snapshot, ..
            } = &copy.state
            else {
                continue;
            };
            let job_id = match job_id {
                Some(job_id) => Some(job_id.clone()),
                // The app stopped between taking the snapshot and recording the job.
                None => jobs
                    .iter()
                    .find(|j| matches!(&j.source, Source::Path { path } if path == snapshot))
                    .map(|j| j.id.clone()),
            };
            let Some(job_id) = job_id else {
                self.ended(
                    app,
                    self.registry()
                        .upload_abandoned(
                            &copy.id,
                            "The app stopped before the upload was queued; upload it again",
                        )
                        .map(Some),
                );
                continue;
            };
            if let Err(e) = self.registry().queued(&copy.id, &job_id) {
                tracing::warn!(error = %e, "could not record a working copy's job");
                continue;
            }
            match jobs.iter().find(|j| j.id == job_id) {
                Some(job) => self.on_job(app, job, None).await,
                None => self.ended(
                    app,
                    self.registry().upload_failed(
                        &job_id,
                        "The upload is no longer in the upload list; upload it again",
                    ),
                ),
            }
        }
        self.changed(app);
    }
}

fn image_ref(image: &ImageHeader) -> ImageRef {
    ImageRef {
        id: image.id.clone(),
        number: image.header_number.clone(),
        name: image.header_name.clone(),
    }
}

/// Opens `path` with `with` (an app the user chose) or the system's default app for its type
/// (the opener plugin's function; the page cannot call the plugin: nothing is registered for it).
pub fn open_in_editor(path: &Path, with: Option<&Path>) -> AppResult<()> {
    let app = with.map(|w| w.to_string_lossy().into_owned());
    tauri_plugin_opener::open_path(path, app.as_deref()).map_err(|e| AppError::Io {
        message: match with {
            Some(w) => format!(
                "{} could not be opened with {} ({e}). Choose another app, or use Open original for the system's default.",
                path.file_name().unwrap_or_default().to_string_lossy(),
                w.display()
            ),
            None => format!(
                "{} could not be opened with the system's default app ({e}). Use Reveal in the working copies list and open it from your editor.",
                path.file_name().unwrap_or_default().to_string_lossy()
            ),
        },
        detail: String::new(),
    })
}

/// A progress callback for a download of `image_id`'s file, sending `working://progress` at
/// most every `PROGRESS_EVERY` (and at the end).
pub fn progress<R: Runtime>(
    app: &AppHandle<R>,
    image_id: &str,
    action: &'static str,
) -> impl Fn(u64, Option<u64>) + Send + Sync + 'static {
    let (app, image_id) = (app.clone(), image_id.to_owned());
    let last = Mutex::new(None::<Instant>);
    move |done, total| {
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        let finished = total == Some(done);
        if !finished && last.is_some_and(|t| t.elapsed() < PROGRESS_EVERY) {
            return;
        }
        *last = Some(Instant::now());
        let _ = app.emit(
            PROGRESS_EVENT,
            Progress {
                image_id: &image_id,
                action,
                done,
                total,
            },
        );
    }
}
