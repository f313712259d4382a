//! A folder, a quick search or a list of images as a [`Table`]: Image Number and Image Name
//! first, then every other field of the folder's schema in schema order.

use beproduct::{FieldSpec, ImageHeader, SearchQuery, Widget};
use futures::TryStreamExt;
use serde_json::Value;

use super::Table;
use crate::error::{Error, Result};
use crate::{quick, require_guid, typed, ImageLibrary, MAX_IDS_PER_CALL};

/// Which images to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Every image of the folder.
    Folder,
    /// Images whose number or name contains the text (the app's quick search, at most
    /// `QUICK_SEARCH_CAP` per side).
    Search(String),
    /// These images (a selection), in this order.
    Ids(Vec<String>),
}

/// The page size used to read a whole folder.
const READ_PAGE: u32 = 200;

/// The folder's fields in sheet order (number, name, the rest).
pub(crate) fn columns(schema: &[beproduct::SchemaField]) -> Vec<FieldSpec> {
    let mut specs: Vec<FieldSpec> = schema.iter().map(FieldSpec::from_schema).collect();
    let rank = |s: &FieldSpec| match s.field_id.as_str() {
        "header_number" => 0,
        "header_name" => 1,
        _ => 2,
    };
    specs.sort_by_key(rank);
    specs
}

impl ImageLibrary {
    /// The images of `source` in folder `folder_id` as a table, and for each column whether
    /// it holds numbers (for XLSX cells).
    pub async fn export_table(
        &self,
        folder_id: &str,
        source: &Source,
    ) -> Result<(Table, Vec<bool>)> {
        require_guid("folderId", folder_id)?;
        let images = self.images_of(folder_id, source).await?;
        self.table_for(folder_id, &images).await
    }

    /// `images` (of folder `folder_id`) as a table, and for each column whether it holds
    /// numbers (for XLSX cells).
    pub async fn table_for(
        &self,
        folder_id: &str,
        images: &[ImageHeader],
    ) -> Result<(Table, Vec<bool>)> {
        let specs = columns(&self.schema(folder_id).await?);
        let table = Table {
            headers: specs.iter().map(|s| s.label.clone()).collect(),
            rows: images
                .iter()
                .map(|image| {
                    specs
                        .iter()
                        .map(|spec| {
                            let value = image
                                .field(&spec.field_id)
                                .map(|f| f.value.clone())
                                .unwrap_or(Value::Null);
                            match spec.field_id.as_str() {
                                // The header's own keys, in case the fields list omits them.
                                "header_number" if value.is_null() => image.header_number.clone(),
                                "header_name" if value.is_null() => image.header_name.clone(),
                                _ => typed::to_text(spec, &value),
                            }
                        })
                        .collect()
                })
                .collect(),
        };
        let numeric = specs
            .iter()
            .map(|s| {
                matches!(
                    s.widget,
                    Widget::Integer
                        | Widget::Decimal
                        | Widget::Percent
                        | Widget::Currency
                        | Widget::Measure
                        | Widget::Weight
                )
            })
            .collect();
        Ok((table, numeric))
    }

    /// Every image of the folder, read a page at a time.
    pub(crate) async fn folder_images(&self, folder_id: &str) -> Result<Vec<ImageHeader>> {
        let query = SearchQuery {
            folder_id: Some(folder_id.to_owned()),
            filters: Vec::new(),
        };
        Ok(self.client().search(query, READ_PAGE).try_collect().await?)
    }

    /// The images of `source` in folder `folder_id`: a selection query (the app's "select
    /// everything matching", `bp edit --search`) as well as what an export writes.
    pub async fn images_of(&self, folder_id: &str, source: &Source) -> Result<Vec<ImageHeader>> {
        require_guid("folderId", folder_id)?;
        match source {
            Source::Folder => self.folder_images(folder_id).await,
            Source::Search(text) if text.trim().is_empty() => self.folder_images(folder_id).await,
            Source::Search(text) => {
                let key = quick::Key::new(
                    SearchQuery {
                        folder_id: Some(folder_id.to_owned()),
                        filters: Vec::new(),
                    },
                    text.trim(),
                );
                quick::merged(self.client(), &key).await
            }
            Source::Ids(ids) => {
                let mut images = Vec::with_capacity(ids.len());
                for chunk in ids.chunks(MAX_IDS_PER_CALL) {
                    let many = self.get_many(chunk.to_vec()).await?;
                    if let Some((id, e)) = many.failed.first() {
                        return Err(Error::invalid_input(format!(
                            "{} of the selected images could not be read (the first, {id}: {e}); nothing was exported.",
                            many.failed.len()
                        )));
                    }
                    images.extend(many.images);
                }
                Ok(images)
            }
        }
    }
}
