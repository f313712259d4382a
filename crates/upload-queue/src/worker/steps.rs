//! The steps of one job: adopting a job that has no server yet, creating its image
//! (after checking whether an earlier create landed) and sending its file (after checking
//! whether an earlier upload landed). Each journals before it sends.

use super::progress::BodyMeter;
use crate::job::{JobState, Source, Target, FILE_NAME_FIELDS};
use crate::journal::{now_ms, JobRecord};
use crate::queue::{suffixed_number, Inner};
use crate::recovery::{self, CreateCheck, ImageFingerprint, UploadCheck};
use beproduct::{Client, FieldUpdate};
use std::sync::Arc;

pub(crate) enum Step {
    Continue,
    Finished,
}

/// The request a server error answered: its marker is cleared only on proof of no effect.
#[derive(Clone, Copy)]
pub(crate) enum Marker {
    /// A check or lookup: no marker of its own.
    None,
    Create,
    Upload,
}

pub(crate) enum StepError {
    Journal(crate::Error),
    Server {
        error: beproduct::Error,
        marker: Marker,
    },
}

impl From<crate::Error> for StepError {
    fn from(e: crate::Error) -> Self {
        StepError::Journal(e)
    }
}

fn server(marker: Marker) -> impl Fn(beproduct::Error) -> StepError {
    move |error| StepError::Server { error, marker }
}

/// A job without a server (journaled before servers were recorded, or queued while no
/// client was set) is taken on by this client only once its folder or image is found on
/// this client's server; otherwise it fails, its markers untouched, until the right
/// account is connected and it is retried.
pub(crate) async fn adopt(
    inner: &Arc<Inner>,
    client: &Client,
    rec: &JobRecord,
) -> Result<Step, StepError> {
    let key = client.server_key().to_owned();
    let (what, target_id) = match &rec.target {
        Target::NewImage { folder_id } => ("folder", folder_id.clone()),
        Target::Version { image_id } => ("image", image_id.clone()),
    };
    let proven = (key.clone(), target_id.to_ascii_lowercase());
    let known = inner
        .adopted
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .contains(&proven);
    if !known {
        inner.set_running_state(&rec.id, JobState::Checking)?;
        let found = match &rec.target {
            Target::NewImage { folder_id } => client
                .folders()
                .await
                .map(|folders| folders.iter().any(|f| f.id.eq_ignore_ascii_case(folder_id))),
            Target::Version { image_id } => match client.get_image(image_id).await {
                Ok(_) => Ok(true),
                Err(e) if e.is_not_found() => Ok(false),
                Err(e) => Err(e),
            },
        }
        .map_err(server(Marker::None))?;
        if !found {
            let reason = format!(
                "the {what} {target_id} is not on the connected BeProduct server ({key}); if it belongs to another account, connect that account and Retry"
            );
            inner.set_running_state(&rec.id, JobState::failed(reason))?;
            return Ok(Step::Finished);
        }
        inner
            .adopted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(proven);
    }
    inner.update_running(&rec.id, |j| j.rec.server_key = Some(key))?;
    Ok(Step::Continue)
}

/// Finds out whether an earlier create landed, else creates the image. The number is
/// journaled (with "create sent") before the create goes out.
pub(crate) async fn create_step(
    inner: &Arc<Inner>,
    client: &Client,
    rec: &JobRecord,
    folder_id: &str,
) -> Result<Step, StepError> {
    let id = &rec.id;
    let number = rec
        .header_number
        .clone()
        .unwrap_or_else(|| suffixed_number("image", id));
    if rec.create_sent {
        inner.set_running_state(id, JobState::Checking)?;
        // A failed check says nothing about the create: the marker stays (Marker::None).
        match recovery::check_create(client, &number, folder_id)
            .await
            .map_err(server(Marker::None))?
        {
            CreateCheck::Created { image_id } => {
                // Unguarded: a server id is journaled even if the job was cancelled meanwhile.
                inner.update(id, |j| {
                    j.rec.image_id = Some(image_id);
                    j.rec.create_sent = false;
                })?;
                return Ok(Step::Continue);
            }
            CreateCheck::NotCreated => {
                inner.update_running(id, |j| j.rec.create_sent = false)?;
            }
        }
    }
    inner.set_running_state(id, JobState::Creating)?;
    // A number already on the server (from before this queue) gets the job's suffix, so a
    // later lookup by number can only find this job's image.
    let mut number = number;
    if client
        .get_image_by_number(&number)
        .await
        .map_err(server(Marker::None))?
        .is_some()
    {
        // The number as asked for (a stem or a naming rule's), without a suffix given at
        // enqueue, so it is suffixed once.
        let suffix = suffixed_number("", id);
        let base = number.strip_suffix(suffix.as_str()).unwrap_or(&number);
        number = suffixed_number(base, id);
    }
    let name = rec.header_name.clone().unwrap_or_else(|| number.clone());
    inner.update_running(id, |j| {
        j.rec.header_number = Some(number.clone());
        j.rec.create_sent = true;
    })?;
    // Number and name from the file name, then the values the job was queued with (which
    // cannot name those two: `job::fields_problem`).
    let fields: Vec<FieldUpdate> = [
        FieldUpdate::new("header_number", number.as_str()),
        FieldUpdate::new("header_name", name.as_str()),
    ]
    .into_iter()
    .chain(
        rec.fields
            .iter()
            .filter(|f| {
                !FILE_NAME_FIELDS
                    .iter()
                    .any(|n| f.id.eq_ignore_ascii_case(n))
            })
            .map(|f| FieldUpdate::new(f.id.clone(), f.value.clone())),
    )
    .collect();
    let header = client
        .create_image(folder_id, &fields, false)
        .await
        .map_err(server(Marker::Create))?;
    // Unguarded: a server id is journaled even if the job was cancelled meanwhile.
    inner.update(id, |j| {
        j.rec.image_id = Some(header.id.clone());
        j.rec.create_sent = false;
    })?;
    Ok(Step::Continue)
}

/// Sends the file (after checking a possibly-landed earlier upload) and hands the job to
/// the poller once the server returned the upload id.
pub(crate) async fn upload_step(
    inner: &Arc<Inner>,
    client: &Client,
    rec: &JobRecord,
) -> Result<Step, StepError> {
    let id = &rec.id;
    let Some(image_id) = rec.image_id.clone().or(match &rec.target {
        Target::Version { image_id } => Some(image_id.clone()),
        Target::NewImage { .. } => None,
    }) else {
        return Ok(Step::Continue);
    };
    if rec.upload_id.is_some() {
        inner.set_running_state(id, JobState::Processing)?;
        inner.poll.notify_one();
        return Ok(Step::Finished);
    }
    if rec.upload_sent {
        if rec.body_sent {
            return check_lost_upload(inner, client, rec, &image_id).await;
        }
        // The journal shows the body's last byte never went out: nothing can have landed.
        inner.update_running(id, |j| j.rec.upload_sent = false)?;
    }
    if let Some(reason) = recovery::file_change(rec, false) {
        tracing::info!("{reason}");
        inner.set_running_state(id, JobState::Changed)?;
        return Ok(Step::Finished);
    }
    // A fresh look at the image right before every send: what a later check compares with.
    let before = ImageFingerprint::of(
        &client
            .get_image(&image_id)
            .await
            .map_err(server(Marker::None))?,
    );
    // A URL's length is unknown until it streams: its body counts as sent from the start.
    let length_unknown = matches!(rec.source, Source::Url { .. });
    inner.update_running(id, |j| {
        j.rec.state = JobState::Uploading;
        j.rec.pre_upload = Some(before.to_json());
        j.rec.upload_sent = true;
        j.rec.body_sent = length_unknown;
        j.rec.watch_until_ms = None;
        j.bytes_sent = 0;
    })?;
    let progress = Some(BodyMeter::new(inner.clone(), id.clone()).callback());
    let sent = match (&rec.source, &rec.sha256) {
        (Source::Path { path }, Some(sha)) => {
            client
                .upload_file_checked(&image_id, path, sha, progress)
                .await
        }
        (Source::Path { path }, None) => client.upload_file(&image_id, path, progress).await,
        (Source::Url { url }, _) => client.upload_from_url(&image_id, url, progress).await,
    };
    let upload_id = sent.map_err(server(Marker::Upload))?;
    // Unguarded: the upload id is journaled even if the job was cancelled meanwhile
    // (a retry then polls instead of uploading again).
    inner.update(id, |j| {
        j.rec.upload_id = Some(upload_id.clone());
        j.rec.upload_sent = false;
        j.cut_offs = 0;
        if j.task.is_some() {
            j.rec.state = JobState::Processing;
            j.bytes_sent = j.rec.size.unwrap_or(j.bytes_sent);
        }
    })?;
    inner.poll.notify_one();
    Ok(Step::Finished)
}

/// An upload whose whole body went out but whose answer never came: one look now; if the
/// file is not there yet, the poller watches the image until the server must have
/// finished processing (`watch_until_ms`), and after that the user decides.
async fn check_lost_upload(
    inner: &Arc<Inner>,
    client: &Client,
    rec: &JobRecord,
    image_id: &str,
) -> Result<Step, StepError> {
    let id = &rec.id;
    inner.set_running_state(id, JobState::Checking)?;
    let Some(before) = rec
        .pre_upload
        .as_deref()
        .and_then(ImageFingerprint::from_json)
    else {
        // Journaled with the marker, so only a damaged row gets here: let the user decide.
        inner.set_running_state(id, JobState::MayHaveLanded)?;
        return Ok(Step::Finished);
    };
    // A failed check says nothing about the upload: the marker stays (Marker::None).
    match recovery::check_upload(client, image_id, &before)
        .await
        .map_err(server(Marker::None))?
    {
        UploadCheck::Landed(header) => {
            inner.transition(
                id,
                |j| j.task.is_some(),
                |j| {
                    j.rec.upload_sent = false;
                    j.rec.state = JobState::Done;
                },
                Some(*header),
            )?;
        }
        UploadCheck::NotYet => {
            let until = rec
                .watch_until_ms
                .unwrap_or_else(|| now_ms() + inner.config.processing_timeout.as_millis() as i64);
            let next = if now_ms() < until {
                JobState::Processing
            } else {
                JobState::MayHaveLanded
            };
            inner.update_running(id, |j| {
                j.rec.watch_until_ms = Some(until);
                j.rec.state = next;
            })?;
            inner.poll.notify_one();
        }
    }
    Ok(Step::Finished)
}
