//! The image library service: what callers (the app's IPC commands, later the `bp` command
//! line) do with a folder's images, on top of the BeProduct client. It owns the caches that
//! save requests: each folder's schema, and the merged list of a quick search so paging it does
//! not search again. No Tauri here: callers adapt it to their own surface.
//!
//! Many images at once: [`bulk`] plans, runs (journaled, resumable) and undoes bulk edits;
//! [`sheet`] exports images to CSV/XLSX and turns an edited sheet into a bulk edit; [`typed`]
//! is the one rule for a field value as a person types it, shared by both.

pub mod bulk;
mod cache;
mod error;
mod input;
mod quick;
pub mod sheet;
pub mod typed;

use std::sync::Arc;
use std::time::Duration;

use beproduct::{
    Client, ErrorKind, FieldType, FieldUpdate, Filter, Folder, ImageHeader, Page, SchemaField,
    SearchQuery,
};
use futures::StreamExt;
use serde_json::Value;

use cache::Expiring;
pub use error::{Error, Result};
pub use input::{
    fields_from_json, filters_from_json, require_guid, PageRequest, DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
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
    quick: Expiring<quick::Key, Vec<ImageHeader>>,
}

impl ImageLibrary {
    pub fn new(client: Client) -> Self {
        Self::with_freshness(client, Freshness::default())
    }

    pub fn with_freshness(client: Client, freshness: Freshness) -> Self {
        ImageLibrary {
            client,
            schemas: Expiring::new(freshness.schema, SCHEMAS_KEPT),
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

    /// One page of a search. With `quick`, images whose number OR name contains it (two
    /// searches merged, since the API's filters only AND), paged over the merged list.
    pub async fn search(
        &self,
        folder_id: Option<&str>,
        filters: Vec<Filter>,
        quick: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<ImageHeader>> {
        let folder_id = folder_id.map(str::trim).filter(|f| !f.is_empty());
        if let Some(id) = folder_id {
            require_guid("folderId", id)?;
        }
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

    pub async fn create(&self, folder_id: &str, fields: Vec<FieldUpdate>) -> Result<ImageHeader> {
        let fields = self.encode_choices(folder_id, fields).await?;
        let created = self.client.create_image(folder_id, &fields, false).await;
        self.after_change(folder_id, &created);
        Ok(created?)
    }

    /// Saves changed fields of an image in `folder_id` (the folder the caller read it from; the
    /// image is not read again). Choice values are checked against the cached schema first.
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
        let fields = self.encode_choices(folder_id, fields).await?;
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

    /// The API answers 200 but silently blanks a DropDown or MultiSelect field whose value is
    /// not one of its choices (or a MultiSelect sent as a bare string), so such values are
    /// checked against the folder's schema and refused, naming field and choices, before
    /// anything is sent. Returns the fields with those values in the form the API keeps.
    async fn encode_choices(
        &self,
        folder_id: &str,
        fields: Vec<FieldUpdate>,
    ) -> Result<Vec<FieldUpdate>> {
        let schema = self.schema(folder_id).await?;
        fields
            .into_iter()
            .map(|mut field| {
                let def = schema
                    .iter()
                    .find(|d| d.field_id.eq_ignore_ascii_case(&field.id))
                    .filter(|d| {
                        matches!(d.field_type, FieldType::DropDown | FieldType::MultiSelect)
                    });
                if let Some(def) = def.filter(|_| !clears(&field.value)) {
                    field.value = def.encode(&field.value)?;
                }
                Ok(field)
            })
            .collect()
    }
}

/// Clearing a field (null, "" or []) is always allowed and sent as it is.
fn clears(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}
