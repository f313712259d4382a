//! Intake values as upload jobs: the one way the app's preview, hot folders and
//! `bp upload --rules` turn a planned file into a job for the upload queue.

use std::path::{Path, PathBuf};

use upload_queue::{FieldValue, JobRequest, Naming, Target};

use super::{plan_file, IntakeSettings, IntakeValues};
use crate::ImageLibrary;

impl IntakeValues {
    /// The job for `path`: a new image in `folder_id` with this number, name and values;
    /// `defaults` (an upload preset's API values) fill in the fields these leave out.
    pub fn job(
        self,
        path: impl Into<PathBuf>,
        folder_id: &str,
        defaults: &[FieldValue],
    ) -> JobRequest {
        let mut fields: Vec<FieldValue> = self
            .fields
            .into_iter()
            .map(|f| FieldValue::new(f.id, f.value))
            .collect();
        for default in defaults {
            if !fields
                .iter()
                .any(|f| f.id.eq_ignore_ascii_case(&default.id))
            {
                fields.push(default.clone());
            }
        }
        JobRequest::file(
            path,
            Target::NewImage {
                folder_id: folder_id.to_owned(),
            },
        )
        .with_fields(fields)
        .with_naming(Naming {
            number: self.number,
            name: self.name,
        })
    }
}

impl ImageLibrary {
    /// `path` as a job for a new image in `folder_id`, planned with `settings` (inactive
    /// settings: numbered after the file name, as a plain drop). `Err` says why the file
    /// cannot go as it is (each problem of its row), for the caller to report or reject it.
    pub async fn intake_job(
        &self,
        folder_id: &str,
        settings: &IntakeSettings,
        path: &Path,
    ) -> Result<JobRequest, String> {
        let target = Target::NewImage {
            folder_id: folder_id.to_owned(),
        };
        if !settings.is_active() {
            return Ok(JobRequest::file(path, target));
        }
        let fields = self
            .intake_fields(folder_id)
            .await
            .map_err(|e| e.to_string())?;
        let (settings, owned) = (settings.clone(), path.to_path_buf());
        let row = tokio::task::spawn_blocking(move || {
            let row = plan_file(&fields, &settings, &owned);
            (row.values(&fields), row)
        })
        .await
        .map_err(|e| format!("reading the file stopped: {e}"))?;
        match row {
            (Ok(values), _) => Ok(values.job(path, folder_id, &[])),
            (Err(problems), _) => Err(problems.join("; ")),
        }
    }
}
