//! The Image endpoints.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::{Body, Call, Repeat};
use crate::ids::validate_guid;
use crate::models::{
    FieldUpdate, Filter, Folder, ImageHeader, Page, ProcessingStatus, SchemaField, SearchQuery,
    UploadResponse,
};
use crate::upload::{self, ProgressFn};

/// Polling interval of `wait_for_processing`: starts fast, doubles up to the maximum.
const POLL_FIRST: Duration = Duration::from_millis(250);
const POLL_MAX: Duration = Duration::from_secs(3);

impl Client {
    pub async fn folders(&self) -> Result<Vec<Folder>> {
        self.http
            .json(Call::get(self.http.url("Image/Folders", &[])))
            .await
    }

    pub async fn folder_schema(&self, folder_id: &str) -> Result<Vec<SchemaField>> {
        let folder_id = validate_guid("folder id", folder_id)?;
        let url = self
            .http
            .url("Image/FolderSchema", &[("folderId", folder_id)]);
        self.http.json(Call::get(url)).await
    }

    /// `GET Image/FolderSearchSchema?folderId=`: the fields a search in this folder can filter
    /// on (the TS SDK types it as schema fields). Filters on other fields are ignored by the
    /// server without an error, so filter pickers should be built from this list.
    pub async fn folder_search_schema(&self, folder_id: &str) -> Result<Vec<SchemaField>> {
        let folder_id = validate_guid("folder id", folder_id)?;
        let url = self
            .http
            .url("Image/FolderSearchSchema", &[("folderId", folder_id)]);
        self.http.json(Call::get(url)).await
    }

    /// One page of `POST Image/Headers` (`page_number` starts at 0).
    pub async fn search_page(
        &self,
        q: &SearchQuery,
        page_size: u32,
        page_number: u32,
    ) -> Result<Page<ImageHeader>> {
        if page_size == 0 {
            return Err(Error::InvalidInput("page size must be at least 1".into()));
        }
        let folder_id = match q.folder_id.as_deref().map(str::trim) {
            None | Some("") => "",
            Some(id) => validate_guid("folder id", id)?,
        };
        let (size, number) = (page_size.to_string(), page_number.to_string());
        let url = self.http.url(
            "Image/Headers",
            &[
                ("folderId", folder_id),
                ("pageSize", &size),
                ("pageNumber", &number),
            ],
        );
        // A search changes nothing on the server, so it is safe to repeat.
        self.http
            .json(Call::post_json(url, &q.body(), Repeat::Safe))
            .await
    }

    pub async fn get_image(&self, id: &str) -> Result<ImageHeader> {
        let id = validate_guid("image id", id)?;
        self.http
            .json(Call::get(self.http.url(&format!("Image/Header/{id}"), &[])))
            .await
    }

    /// The image whose number is `number` in any folder, or `None`.
    pub async fn get_image_by_number(&self, number: &str) -> Result<Option<ImageHeader>> {
        if number.trim().is_empty() {
            return Err(Error::InvalidInput("image number is empty".into()));
        }
        let q = SearchQuery::all().filter(Filter::header_number(number));
        Ok(self.search_page(&q, 1, 0).await?.result.into_iter().next())
    }

    /// Creates an image header. Never retried once it may have reached the server: a lost
    /// answer gives `Error::OutcomeUnknown`, so look it up (e.g. by number) before repeating.
    pub async fn create_image(
        &self,
        folder_id: &str,
        fields: &[FieldUpdate],
        preserve_version: bool,
    ) -> Result<ImageHeader> {
        let folder_id = validate_guid("folder id", folder_id)?;
        let url = self.http.url(
            "Image/Header/Create",
            &[
                ("folderId", folder_id),
                (
                    "preserveVersion",
                    if preserve_version { "true" } else { "false" },
                ),
            ],
        );
        self.http
            .json(Call::post_json(
                url,
                &json!({ "fields": fields }),
                Repeat::Unsafe,
            ))
            .await
    }

    pub async fn update_image(&self, id: &str, fields: &[FieldUpdate]) -> Result<ImageHeader> {
        let id = validate_guid("image id", id)?;
        let url = self.http.url(&format!("Image/Header/{id}/Update"), &[]);
        // Setting the same field values twice gives the same header, so a retry is harmless.
        self.http
            .json(Call::post_json(
                url,
                &json!({ "fields": fields }),
                Repeat::Safe,
            ))
            .await
    }

    /// Deletes an image header (the API's route is a GET). An image that is already gone
    /// (404, or the API's "not found" text) is a success: that is the state asked for. After a
    /// 5xx or a lost answer the server may have deleted it anyway, so the image is looked up:
    /// gone is a success, otherwise the delete's own error is returned.
    pub async fn delete_image(&self, id: &str) -> Result<()> {
        let id = validate_guid("image id", id)?;
        // Deleting twice leaves the same state, so a lost answer may be retried (Safe).
        let call = Call::get(self.http.url(&format!("Image/Header/Delete/{id}"), &[]));
        match self.http.send(call).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) if may_have_acted(&e) => match self.get_image(id).await {
                Err(check) if check.is_not_found() => Ok(()),
                _ => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// Uploads a file as the image's new version, streamed from disk (memory stays flat).
    /// Returns the upload id to poll with `processing_status`.
    pub async fn upload_file(
        &self,
        image_id: &str,
        path: &Path,
        progress: Option<ProgressFn>,
    ) -> Result<String> {
        let image_id = validate_guid("image id", image_id)?;
        upload::check_file(path).await?;
        let form = upload::file_form(path.to_path_buf(), progress, None);
        self.upload(image_id, form).await
    }

    /// Like `upload_file`, for a file whose content was checked earlier (`sha256`, hex): the
    /// bytes are hashed as they stream, and if they no longer match, the upload stops before its
    /// last byte with `Error::FileChanged` (so the server never gets the changed file whole).
    pub async fn upload_file_checked(
        &self,
        image_id: &str,
        path: &Path,
        sha256: &str,
        progress: Option<ProgressFn>,
    ) -> Result<String> {
        let image_id = validate_guid("image id", image_id)?;
        upload::check_file(path).await?;
        let form = upload::file_form(path.to_path_buf(), progress, Some(sha256.to_owned()));
        self.upload(image_id, form).await
    }

    /// Downloads `url` and streams it straight on as the upload. The source must be http(s) at
    /// a public address (a local sandbox may also fetch from itself), at most 5 redirects away,
    /// start with image bytes (`sniff_image`), stay within `Config::source_limits` (size while
    /// streaming: `Error::TooLarge`; deadline: `Error::Io`). A source's HTTP error is
    /// `Error::Io` quoting the status, never the body; a refused address is `InvalidInput`.
    pub async fn upload_from_url(
        &self,
        image_id: &str,
        url: &str,
        progress: Option<ProgressFn>,
    ) -> Result<String> {
        let image_id = validate_guid("image id", image_id)?;
        let source = upload::parse_source_url(&self.source, url)?;
        let form = upload::url_form(self.source.clone(), source, progress);
        self.upload(image_id, form).await
    }

    async fn upload(&self, image_id: &str, form: crate::http::FormFactory) -> Result<String> {
        let url = self
            .http
            .url(&format!("Image/Header/{image_id}/Image/Upload"), &[]);
        let call = Call {
            method: reqwest::Method::POST,
            url,
            body: Body::Multipart(form),
            repeat: Repeat::Unsafe,
        };
        let answer: UploadResponse = self.http.json(call).await?;
        Ok(answer.image_id)
    }

    /// `GET Style/GetImageProcessingStatus/{id}`: the route the official SDK uses for every
    /// master folder, Image included. The id is whatever the upload answered (the SDKs accept
    /// any id, not only GUIDs); it travels as one escaped path segment.
    pub async fn processing_status(&self, upload_id: &str) -> Result<ProcessingStatus> {
        let upload_id = upload_id.trim();
        // "." and ".." would be dropped or resolved as path segments, not sent as ids.
        if upload_id.is_empty() || upload_id.len() > 200 || matches!(upload_id, "." | "..") {
            return Err(Error::InvalidInput(format!(
                "upload id {:?} cannot be checked: it must be the id the upload answered (1 to 200 characters)",
                upload_id.chars().take(60).collect::<String>()
            )));
        }
        let mut url = self.http.url("Style/GetImageProcessingStatus/", &[]);
        url.path_segments_mut()
            .map_err(|_| Error::InvalidInput("the API URL cannot take a path".into()))?
            .pop_if_empty()
            .push(upload_id);
        self.http.json(Call::get(url)).await
    }

    /// Polls until processing finishes (250 ms at first, doubling to 3 s), at most `max_wait`.
    /// Returns the final status (check `error_occured`/`message`), or, when `max_wait` runs
    /// out first, the last status seen with `finished == false`.
    pub async fn wait_for_processing(
        &self,
        upload_id: &str,
        max_wait: Duration,
    ) -> Result<ProcessingStatus> {
        let deadline = Instant::now() + max_wait;
        let mut interval = POLL_FIRST;
        loop {
            let status = self.processing_status(upload_id).await?;
            let now = Instant::now();
            if status.finished || now >= deadline {
                return Ok(status);
            }
            tokio::time::sleep(interval.min(deadline - now)).await;
            interval = (interval * 2).min(POLL_MAX);
        }
    }
}

/// Whether a failed delete may still have deleted: a 5xx, or an answer that never came.
fn may_have_acted(e: &Error) -> bool {
    match e {
        Error::Api { status, .. } => *status >= 500,
        Error::Transport { .. } | Error::OutcomeUnknown { .. } => true,
        _ => false,
    }
}
