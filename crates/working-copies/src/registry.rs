//! The working copies: which file belongs to which image, what it held when it was downloaded
//! (or last sent), and where it is in the round trip. Kept in `<root>/working-copies.json`,
//! written whole to a temporary file and renamed after every change, so a crash leaves the old
//! state or the new one, never half of one.
//!
//! Round trip of one copy:
//! ```text
//! add ──► Unchanged ──(saved in the editor)──► Edited ──decline──► Declined ──(saved again)──► Edited
//!                                              │  ▲                    │
//!                                  prepare_upload │                    prepare_upload
//!                                              ▼  │ failed/abandoned    ▼
//!                                            Uploading ──upload_done──► Unchanged (or Edited if saved meanwhile)
//! ```
//! An upload sends a snapshot (`<image folder>/.sent/<id>/<name>`), not the copy itself, so
//! the designer can go on saving while it streams and what lands is what the banner showed.
//! A copy whose file disappears is `Missing` until it comes back.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::base::ServerBase;
use crate::error::{Error, Result};
use crate::stamp::{self, FileStamp, Reading};

pub const STATE_FILE: &str = "working-copies.json";
/// Snapshots being uploaded, inside each image's folder.
pub const SENT_DIR: &str = ".sent";
const STATE_VERSION: u32 = 1;

/// The image a copy belongs to, as it was when the copy was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageRef {
    pub id: String,
    pub number: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum CopyState {
    /// The file holds what was downloaded (or last sent).
    Unchanged,
    /// Saved since: it can go up as a new version.
    Edited,
    /// Edited, and the user chose not to upload this content; a later save offers it again.
    Declined,
    /// A snapshot (`stamp`) is queued as a new version; `job_id` once the queue took it.
    Uploading {
        job_id: Option<String>,
        snapshot: PathBuf,
        stamp: FileStamp,
    },
    /// The file is gone from disk.
    Missing,
}

impl CopyState {
    pub fn name(&self) -> &'static str {
        match self {
            CopyState::Unchanged => "unchanged",
            CopyState::Edited => "edited",
            CopyState::Declined => "declined",
            CopyState::Uploading { .. } => "uploading",
            CopyState::Missing => "missing",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkingCopy {
    pub id: String,
    pub image: ImageRef,
    pub path: PathBuf,
    /// The server file the copy started from (or the version it last sent).
    pub base: ServerBase,
    /// The content as downloaded or as last sent.
    pub baseline: FileStamp,
    /// The content as last read from disk.
    pub seen: FileStamp,
    pub state: CopyState,
    /// The content the user declined to upload.
    #[serde(default)]
    pub declined_sha256: Option<String>,
    /// Why the last upload did not land.
    #[serde(default)]
    pub last_error: Option<String>,
    /// New versions this copy has sent.
    #[serde(default)]
    pub versions_sent: u32,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl WorkingCopy {
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The state that `seen` calls for, outside an upload.
    fn settle_state(&mut self) {
        if matches!(self.state, CopyState::Uploading { .. }) {
            return;
        }
        self.state = if self.seen.sha256 == self.baseline.sha256 {
            CopyState::Unchanged
        } else if self.declined_sha256.as_deref() == Some(self.seen.sha256.as_str()) {
            CopyState::Declined
        } else {
            CopyState::Edited
        };
    }
}

/// What `refresh` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// Nothing the user needs to know changed.
    Same,
    /// The copy's state or content changed; here it is now.
    Changed(Box<WorkingCopy>),
    /// The file is still being written: look again shortly.
    Settling,
}

/// A snapshot ready to be queued.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub copy: WorkingCopy,
    pub snapshot: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct StateFile {
    version: u32,
    copies: Vec<WorkingCopy>,
}

pub struct Registry {
    root: PathBuf,
    copies: Mutex<Vec<WorkingCopy>>,
    notice: Option<String>,
}

impl Registry {
    /// Opens (creating) the registry in `root`. A state file that cannot be read is moved
    /// aside (`notice` says where) and the registry starts empty; the files stay on disk.
    pub fn open(root: impl Into<PathBuf>) -> Result<Registry> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(|e| Error::io(&root, e))?;
        let path = root.join(STATE_FILE);
        let (copies, notice) = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<StateFile>(&bytes) {
                Ok(state) => (state.copies, None),
                Err(e) => {
                    let aside = root.join(format!("{STATE_FILE}.unreadable-{}", now_ms()));
                    std::fs::rename(&path, &aside).map_err(|e| Error::io(&path, e))?;
                    let notice = format!(
                        "The list of working copies could not be read ({e}) and was moved to {}; the files themselves are still in {}.",
                        aside.display(),
                        root.display()
                    );
                    tracing::warn!("{notice}");
                    (Vec::new(), Some(notice))
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        Ok(Registry {
            root,
            copies: Mutex::new(copies),
            notice,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Why the registry started empty, when its state file could not be read.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// The folder for `image_id`'s copies (`<root>/<image id>`); only a GUID becomes a path.
    pub fn folder_for(&self, image_id: &str) -> Result<PathBuf> {
        let id = beproduct::validate_guid("image id", image_id)
            .map_err(|e| Error::invalid(e.to_string()))?;
        Ok(self.root.join(id.to_ascii_lowercase()))
    }

    /// Every copy, newest first.
    pub fn list(&self) -> Vec<WorkingCopy> {
        let mut copies = self.lock().clone();
        copies.sort_by_key(|c| std::cmp::Reverse(c.created_at_ms));
        copies
    }

    pub fn get(&self, id: &str) -> Result<WorkingCopy> {
        self.lock()
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .ok_or_else(|| unknown(id))
    }

    /// Registers a freshly downloaded `path` of `image`. Blocking: hashes the file.
    pub fn add(&self, image: ImageRef, path: PathBuf, base: ServerBase) -> Result<WorkingCopy> {
        let stamp = match stamp::read(&path)? {
            Reading::Stamp(stamp) => stamp,
            Reading::Settling => {
                return Err(Error::invalid(format!(
                    "{} changed while it was being registered; open it again",
                    path.display()
                )))
            }
            Reading::Missing => return Err(Error::io(&path, "the downloaded file is gone")),
        };
        let now = now_ms();
        let copy = WorkingCopy {
            id: uuid::Uuid::new_v4().to_string(),
            image,
            path,
            base,
            baseline: stamp.clone(),
            seen: stamp,
            state: CopyState::Unchanged,
            declined_sha256: None,
            last_error: None,
            versions_sent: 0,
            created_at_ms: now,
            updated_at_ms: now,
        };
        let mut copies = self.lock();
        copies.push(copy.clone());
        self.save(&copies)?;
        Ok(copy)
    }

    /// Reads copy `id`'s file again. Blocking: hashes the file when its size or time moved.
    pub fn refresh(&self, id: &str) -> Result<Refresh> {
        let copy = self.get(id)?;
        let now = stamp::stat(&copy.path)?;
        let reading = match now {
            None => Reading::Missing,
            Some(stat) if stat == copy.seen.stat() && copy.state != CopyState::Missing => {
                return Ok(Refresh::Same)
            }
            Some(_) => stamp::read(&copy.path)?,
        };
        let mut copies = self.lock();
        let Some(entry) = copies.iter_mut().find(|c| c.id == id) else {
            return Err(unknown(id));
        };
        let before = (entry.state.clone(), entry.seen.clone());
        match reading {
            Reading::Settling => return Ok(Refresh::Settling),
            Reading::Missing => {
                if !matches!(entry.state, CopyState::Uploading { .. }) {
                    entry.state = CopyState::Missing;
                }
            }
            Reading::Stamp(stamp) => {
                entry.seen = stamp;
                if entry.state == CopyState::Missing {
                    entry.state = CopyState::Unchanged;
                }
                entry.settle_state();
            }
        }
        if (entry.state.clone(), entry.seen.clone()) == before {
            return Ok(Refresh::Same);
        }
        entry.updated_at_ms = now_ms();
        let changed = entry.clone();
        self.save(&copies)?;
        Ok(Refresh::Changed(Box::new(changed)))
    }

    /// `refresh` for every copy; errors are logged and skipped.
    pub fn refresh_all(&self) -> Vec<(String, Refresh)> {
        let ids: Vec<String> = self.lock().iter().map(|c| c.id.clone()).collect();
        ids.into_iter()
            .filter_map(|id| match self.refresh(&id) {
                Ok(found) => Some((id, found)),
                Err(e) => {
                    tracing::warn!(error = %e, "could not check a working copy");
                    None
                }
            })
            .collect()
    }

    /// The copies whose path is `path`.
    pub fn ids_at(&self, path: &Path) -> Vec<String> {
        self.lock()
            .iter()
            .filter(|c| c.path == path)
            .map(|c| c.id.clone())
            .collect()
    }

    /// The user chose not to upload what the copy holds now.
    pub fn decline(&self, id: &str) -> Result<WorkingCopy> {
        self.update(id, |copy| match copy.state {
            CopyState::Edited | CopyState::Declined => {
                copy.declined_sha256 = Some(copy.seen.sha256.clone());
                copy.state = CopyState::Declined;
                Ok(())
            }
            _ => Err(wrong_state(copy, "declined")),
        })
    }

    /// Snapshots an edited copy for a version upload and marks it `Uploading` (no job yet), so
    /// a second accept of the same copy is refused: one accept, one upload. Blocking (copies
    /// the file).
    pub fn prepare_upload(&self, id: &str) -> Result<Prepared> {
        let token = uuid::Uuid::new_v4().to_string();
        let reserved = self.update(id, |copy| match copy.state {
            CopyState::Edited | CopyState::Declined => {
                let dir = copy
                    .path
                    .parent()
                    .unwrap_or(Path::new("."))
                    .join(SENT_DIR)
                    .join(&token);
                copy.state = CopyState::Uploading {
                    job_id: None,
                    snapshot: dir.join(copy.file_name()),
                    stamp: copy.seen.clone(),
                };
                Ok(())
            }
            CopyState::Uploading { .. } => Err(Error::invalid(format!(
                "{} is already being uploaded as a new version; wait for it to finish",
                copy.file_name()
            ))),
            _ => Err(wrong_state(copy, "uploaded")),
        })?;
        let CopyState::Uploading { snapshot, .. } = &reserved.state else {
            unreachable!("just set")
        };
        let snapshot = snapshot.clone();
        let copied = snapshot
            .parent()
            .map_or(Ok(()), |dir| {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
            })
            .and_then(|()| stamp::copy(&reserved.path, &snapshot));
        let why = match copied {
            Ok(Reading::Stamp(stamp)) => {
                let copy = self.update(id, |copy| {
                    if let CopyState::Uploading { stamp: s, .. } = &mut copy.state {
                        *s = stamp.clone();
                    }
                    copy.seen = stamp;
                    Ok(())
                })?;
                return Ok(Prepared { copy, snapshot });
            }
            Ok(Reading::Settling) => Error::invalid(format!(
                "{} is still being saved; try again when the editor has finished saving",
                reserved.file_name()
            )),
            Ok(Reading::Missing) => Error::io(&reserved.path, "the working copy is gone"),
            Err(e) => e,
        };
        self.upload_abandoned(id, &why.to_string())?;
        Err(why)
    }

    /// The queue took the snapshot as job `job_id`.
    pub fn queued(&self, id: &str, job_id: &str) -> Result<WorkingCopy> {
        self.update(id, |copy| match &mut copy.state {
            CopyState::Uploading { job_id: slot, .. } => {
                *slot = Some(job_id.to_owned());
                copy.last_error = None;
                Ok(())
            }
            _ => Err(wrong_state(copy, "queued")),
        })
    }

    /// The snapshot could not be queued (or the upload was given up before the queue took
    /// it): back to edited, with `reason`, and the snapshot removed.
    pub fn upload_abandoned(&self, id: &str, reason: &str) -> Result<WorkingCopy> {
        self.update(id, |copy| {
            end_upload(copy, Some(reason));
            Ok(())
        })
    }

    /// The copy uploading as `job_id`, if any.
    pub fn by_job(&self, job_id: &str) -> Option<WorkingCopy> {
        self.lock()
            .iter()
            .find(
                |c| matches!(&c.state, CopyState::Uploading { job_id: Some(j), .. } if j == job_id),
            )
            .cloned()
    }

    /// Job `job_id` landed: the snapshot is the new baseline, `base` the server's new file.
    pub fn upload_done(&self, job_id: &str, base: ServerBase) -> Result<Option<WorkingCopy>> {
        let Some(copy) = self.by_job(job_id) else {
            return Ok(None);
        };
        self.update(&copy.id, |copy| {
            if let CopyState::Uploading { stamp, .. } = &copy.state {
                copy.baseline = stamp.clone();
            }
            copy.base = base;
            copy.versions_sent += 1;
            copy.declined_sha256 = None;
            end_upload(copy, None);
            Ok(())
        })
        .map(Some)
    }

    /// Job `job_id` ended without landing (failed, cancelled, refused as a duplicate…).
    pub fn upload_failed(&self, job_id: &str, reason: &str) -> Result<Option<WorkingCopy>> {
        let Some(copy) = self.by_job(job_id) else {
            return Ok(None);
        };
        self.upload_abandoned(&copy.id, reason).map(Some)
    }

    /// Job `job_id` stopped and waits for the user in the upload list (a failure Retry may
    /// overcome, a lost answer to check, a duplicate to send anyway): the copy stays
    /// uploading, with the snapshot kept for that decision, and shows `reason`.
    pub fn upload_waits(&self, job_id: &str, reason: &str) -> Result<Option<WorkingCopy>> {
        let Some(copy) = self.by_job(job_id) else {
            return Ok(None);
        };
        self.update(&copy.id, |copy| {
            copy.last_error = Some(reason.to_owned());
            Ok(())
        })
        .map(Some)
    }

    /// Copies with an upload under way (for reconciling with the queue at start-up).
    pub fn uploading(&self) -> Vec<WorkingCopy> {
        self.lock()
            .iter()
            .filter(|c| matches!(c.state, CopyState::Uploading { .. }))
            .cloned()
            .collect()
    }

    /// Deletes copy `id`'s file and forgets it; refused while it uploads.
    pub fn remove(&self, id: &str) -> Result<()> {
        let mut copies = self.lock();
        let at = copies
            .iter()
            .position(|c| c.id == id)
            .ok_or_else(|| unknown(id))?;
        if matches!(copies[at].state, CopyState::Uploading { .. }) {
            return Err(Error::invalid(format!(
                "{} is being uploaded; remove it when the upload has finished",
                copies[at].file_name()
            )));
        }
        let path = copies[at].path.clone();
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
        copies.remove(at);
        self.save(&copies)?;
        // The image's folder goes when nothing else is in it (an error here is harmless).
        if let Some(dir) = path.parent() {
            let _ = std::fs::remove_dir(dir.join(SENT_DIR));
            let _ = std::fs::remove_dir(dir);
        }
        Ok(())
    }

    fn update(
        &self,
        id: &str,
        f: impl FnOnce(&mut WorkingCopy) -> Result<()>,
    ) -> Result<WorkingCopy> {
        let mut copies = self.lock();
        let copy = copies
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or_else(|| unknown(id))?;
        f(copy)?;
        copy.updated_at_ms = now_ms();
        let copy = copy.clone();
        self.save(&copies)?;
        Ok(copy)
    }

    fn lock(&self) -> MutexGuard<'_, Vec<WorkingCopy>> {
        self.copies.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the whole state to a temporary file and renames it over the old one.
    fn save(&self, copies: &[WorkingCopy]) -> Result<()> {
        let path = self.root.join(STATE_FILE);
        let temp = self.root.join(format!(".{STATE_FILE}.tmp"));
        let state = StateFile {
            version: STATE_VERSION,
            copies: copies.to_vec(),
        };
        let bytes = serde_json::to_vec_pretty(&state).map_err(|e| Error::io(&path, e))?;
        std::fs::write(&temp, bytes).map_err(|e| Error::io(&temp, e))?;
        std::fs::rename(&temp, &path).map_err(|e| Error::io(&path, e))
    }
}

/// Leaves `Uploading`: the snapshot goes, the state follows the content again.
fn end_upload(copy: &mut WorkingCopy, reason: Option<&str>) {
    if let CopyState::Uploading { snapshot, .. } = &copy.state {
        if let Some(dir) = snapshot.parent() {
            if let Err(e) = std::fs::remove_dir_all(dir) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(error = %e, "could not remove an upload snapshot");
                }
            }
        }
    }
    copy.last_error = reason.map(str::to_owned);
    copy.state = CopyState::Unchanged;
    copy.settle_state();
    if !copy.path.exists() {
        copy.state = CopyState::Missing;
    }
}

fn unknown(id: &str) -> Error {
    Error::invalid(format!(
        "working copy {id} is not in the list (it may have been removed); reload the list"
    ))
}

fn wrong_state(copy: &WorkingCopy, action: &str) -> Error {
    Error::invalid(format!(
        "{} cannot be {action} now: it is {}",
        copy.file_name(),
        copy.state.name()
    ))
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
