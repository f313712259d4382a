//! The image library service: what callers (the app's IPC commands, later the `bp` command
//! line) do with a folder's images, on top of the BeProduct client. It owns the caches that
//! save requests: each folder's schema, and the merged list of a quick search so paging it does
//! not search again. No Tauri here: callers adapt it to their own surface.
//!
//! Many images at once: [`bulk`] plans, runs (journaled, resumable) and undoes bulk edits;
//! [`sheet`] exports images to CSV/XLSX and turns an edited sheet into a bulk edit; [`typed`]
//! is the one rule for a field value as a person types it, shared by both.

mod annotations;
pub mod bulk;
mod cache;
mod download;
mod error;
mod form;
mod input;
pub mod intake;
mod quick;
pub mod sheet;
pub mod typed;
pub mod versions;

use std::sync::Arc;
use std::time::Duration;

use beproduct::{
    ChoicesSource, Client, Directory, ErrorKind, FieldOption, FieldSpec, FieldUpdate, Filter,
    Folder, ImageHeader, Page, SchemaField, SearchQuery,
};
use futures::StreamExt;

use cache::Expiring;
pub use download::{file_stem, NOT_PROCESSED};
pub use error::{Error, Result};
pub use form::{encode_fields, field_specs, form, FormField};
pub use input::{
    fields_from_json, filters_from_json, require_guid, PageRequest, PickedFilter,
    DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE,
};
pub use quick::QUICK_SEARCH_CAP;

/// How long cached answers are trusted.
#[derive(Debug, Clone, Copy)]
pub struct Freshness {
    /// A folder's schema changes only when an admin edits the folder; a save the server refuses
    /// also drops it.
    pub schema: Duration,
    /// A quick search's merged list serves the next pages of the same search; page 0 (a new
    /// search, or the same one again) always asks the server.
    pub quick_search: Duration,
}

impl Default for Freshness {
    fn default() -> Self {
        Freshness {
            schema: Duration::from_secs(300),
            quick_search: Duration::from_secs(120),
        }
    }
}

/// At most this many ids per `get_many` call, and this many requests in flight for it.
pub const MAX_IDS_PER_CALL: usize = 500;
const GET_MANY_IN_FLIGHT: usize = 4;
/// Folders whose schema is kept, and quick searches whose merged list is kept.
const SCHEMAS_KEPT: usize = 32;
const QUICK_SEARCHES_KEPT: usize = 4;

/// Several images by id: those read, in the order asked, and those that failed, by id.
#[derive(Debug)]
pub struct Many {
    pub images: Vec<ImageHeader>,
    pub failed: Vec<(String, Error)>,
}

/// One per client: a new client (another server or account) gets a new library, so nothing
/// cached for one account is served to another.
pub struct ImageLibrary {
    client: Client,
    schemas: Expiring<String, Vec<SchemaField>>,
    search_schemas: Expiring<String, Vec<SchemaField>>,
    quick: Expiring<quick::Key, Vec<ImageHeader>>,
    /// Users, partners and tags in use: the choices of pickers the schema does not list.
    directory: Directory,
}

impl ImageLibrary {
    pub fn new(client: Client) -> Self {
        Self::with_freshness(client, Freshness::default())
    }

    pub fn with_freshness(client: Client, freshness: Freshness) -> Self {
        ImageLibrary {
            directory: Directory::new(client.clone()),
            client,
            schemas: Expiring::new(freshness.schema, SCHEMAS_KEPT),
            search_schemas: Expiring::new(freshness.schema, SCHEMAS_KEPT),
            quick: Expiring::new(freshness.quick_search, QUICK_SEARCHES_KEPT),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub async fn folders(&self) -> Result<Vec<Folder>> {
        Ok(self.client.folders().await?)
    }

    /// The folder's fields, from the cache while it is fresh.
    pub async fn schema(&self, folder_id: &str) -> Result<Arc<Vec<SchemaField>>> {
        require_guid("folderId", folder_id)?;
        let key = folder_id.to_ascii_lowercase();
        if let Some(schema) = self.schemas.get(&key) {
            return Ok(schema);
        }
        let schema = Arc::new(self.client.folder_schema(folder_id).await?);
        self.schemas.put(key, schema.clone());
        Ok(schema)
    }

    /// The folder's fields as forms and filters show them (number and name first).
    pub async fn field_specs(&self, folder_id: &str) -> Result<Vec<FieldSpec>> {
        Ok(form::field_specs(&self.schema(folder_id).await?))
    }

    /// The attribute form of `image` (None: a new image) in `folder_id`.
    pub async fn form(
        &self,
        folder_id: &str,
        image: Option<&ImageHeader>,
    ) -> Result<Vec<FormField>> {
        Ok(form::form(&self.schema(folder_id).await?, image))
    }

    /// The fields a search in `folder_id` can filter by and how: from the folder's search
    /// schema (`FolderSearchSchema`), or its schema where the server has no search schema.
    pub async fn filter_specs(&self, folder_id: &str) -> Result<Vec<FieldSpec>> {
        require_guid("folderId", folder_id)?;
        let key = folder_id.to_ascii_lowercase();
        let schema = match self.search_schemas.get(&key) {
            Some(schema) => schema,
            None => {
                let schema = match self.client.folder_search_schema(folder_id).await {
                    Ok(schema) => Arc::new(schema),
                    Err(e) if e.kind() == ErrorKind::NotFound => self.schema(folder_id).await?,
                    Err(e) => return Err(e.into()),
                };
                self.search_schemas.put(key, schema.clone());
                schema
            }
        };
        Ok(form::field_specs(&schema)
            .into_iter()
            .filter(|spec| spec.filter.is_some())
            .collect())
    }

    /// The choices of pickers filled from the tenant (users, partners, tags in use), cached.
    pub async fn choices(&self, source: ChoicesSource) -> Result<Vec<FieldOption>> {
        Ok(self.directory.options(source).await?)
    }

    /// The API's filters for filters picked in the UI, checked against the folder's search
    /// fields (an unknown field would otherwise be ignored by the server, unfiltered).
    async fn wire_filters(
        &self,
        folder_id: &str,
        picked: Vec<PickedFilter>,
    ) -> Result<Vec<Filter>> {
        let specs = self.filter_specs(folder_id).await?;
        let mut wire = Vec::new();
        for filter in picked {
            let spec = specs
                .iter()
                .find(|s| s.field_id.eq_ignore_ascii_case(filter.field.trim()))
                .ok_or_else(|| {
                    Error::invalid_input(format!(
                        "'{}' is not a field this folder can be searched by; choose another.",
                        filter.field
                    ))
                })?;
            wire.extend(spec.search_filters(
                filter.op,
                &filter.value,
                filter.utc_offset_minutes,
            )?);
        }
        Ok(wire)
    }

    /// One page of a search. With `quick`, images whose number OR name contains it (two
    /// searches merged, since the API's filters only AND), paged over the merged list.
    pub async fn search(
        &self,
        folder_id: Option<&str>,
        filters: Vec<PickedFilter>,
        quick: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<ImageHeader>> {
        let folder_id = folder_id.map(str::trim).filter(|f| !f.is_empty());
        if let Some(id) = folder_id {
            require_guid("folderId", id)?;
        }
        let filters = match folder_id {
            _ if filters.is_empty() => Vec::new(),
            Some(id) => self.wire_filters(id, filters).await?,
            None => {
                return Err(Error::invalid_input(
                    "Filters belong to a folder's fields: choose a folder first.",
                ))
            }
        };
        let query = SearchQuery {
            folder_id: folder_id.map(str::to_owned),
            filters,
        };
        match quick.map(str::trim).filter(|q| !q.is_empty()) {
            None => Ok(self
                .client
                .search_page(&query, page.size, page.number)
                .await?),
            Some(q) => {
                let key = quick::Key::new(query, q);
                let cached = match page.number {
                    0 => None,
                    _ => self.quick.get(&key),
                };
                let merged = match cached {
                    Some(merged) => merged,
                    None => {
                        let merged = Arc::new(quick::merged(&self.client, &key).await?);
                        self.quick.put(key, merged.clone());
                        merged
                    }
                };
                Ok(Page {
                    total: merged.len() as u64,
                    result: merged
                        .iter()
                        .skip(page.offset())
                        .take(page.size as usize)
                        .cloned()
                        .collect(),
                })
            }
        }
    }

    pub async fn get(&self, id: &str) -> Result<ImageHeader> {
        require_guid("id", id)?;
        Ok(self.client.get_image(id).await?)
    }

    /// Several images, a few requests at a time; one failure does not hide the others.
    pub async fn get_many(&self, ids: Vec<String>) -> Result<Many> {
        if ids.len() > MAX_IDS_PER_CALL {
            return Err(Error::invalid_input(format!(
                "Asked for {} images at once; at most {MAX_IDS_PER_CALL} per call.",
                ids.len()
            )));
        }
        for id in &ids {
            require_guid("ids", id)?;
        }
        let results: Vec<(String, beproduct::Result<ImageHeader>)> = futures::stream::iter(ids)
            .map(|id| async move {
                let result = self.client.get_image(&id).await;
                (id, result)
            })
            .buffered(GET_MANY_IN_FLIGHT)
            .collect()
            .await;
        let mut many = Many {
            images: Vec::new(),
            failed: Vec::new(),
        };
        for (id, result) in results {
            match result {
                Ok(image) => many.images.push(image),
                Err(e) => many.failed.push((id, e.into())),
            }
        }
        Ok(many)
    }

    /// Creates an image from widget values (`FormField::value` shapes), checked and encoded by
    /// the folder's field rules before anything is sent.
    pub async fn create(&self, folder_id: &str, fields: Vec<FieldUpdate>) -> Result<ImageHeader> {
        let fields = encode_fields(&self.field_specs(folder_id).await?, fields)?;
        let created = self.client.create_image(folder_id, &fields, false).await;
        self.after_change(folder_id, &created);
        Ok(created?)
    }

    /// Saves changed fields of an image in `folder_id` (the folder the caller read it from; the
    /// image is not read again). The fields are widget values, checked and encoded by the
    /// folder's field rules (cached schema) before anything is sent.
    pub async fn save(
        &self,
        id: &str,
        folder_id: &str,
        fields: Vec<FieldUpdate>,
    ) -> Result<ImageHeader> {
        require_guid("id", id)?;
        if fields.is_empty() {
            return Err(Error::invalid_input(
                "Nothing to save: no field was changed.",
            ));
        }
        let fields = encode_fields(&self.field_specs(folder_id).await?, fields)?;
        let saved = self.client.update_image(id, &fields).await;
        self.after_change(folder_id, &saved);
        Ok(saved?)
    }

    /// Deletes an image; one that is already gone counts as deleted (the client's rule, also
    /// after a lost answer).
    pub async fn delete(&self, id: &str) -> Result<()> {
        require_guid("id", id)?;
        let deleted = self.client.delete_image(id).await;
        self.quick.clear();
        Ok(deleted?)
    }

    /// Cached quick searches may list what changed; a refused write (4xx) may mean the
    /// folder's fields changed since its schema was read. A 5xx says nothing about the schema,
    /// and dropping it then made every later save of a bulk edit read it again, so one
    /// failing server turned into many failed saves.
    fn after_change<T>(&self, folder_id: &str, result: &beproduct::Result<T>) {
        self.quick.clear();
        let refused = |e: &beproduct::Error| {
            e.kind() == ErrorKind::Api && e.status().is_some_and(|s| (400..500).contains(&s))
        };
        if matches!(result, Err(e) if refused(e)) {
            self.schemas.forget(&folder_id.to_ascii_lowercase());
        }
    }
}
