//! Which images a bulk action takes: chosen ids, or everything a search in the folder matches
//! (the app's Ctrl+A) minus the images left out. A search gives fresh headers, so the plan is
//! made from them directly; chosen ids are read (`get_many`).

use std::collections::HashSet;

use beproduct::{ImageHeader, SearchQuery};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::plan::{ImageRef, Skipped};
use super::MAX_BULK_IMAGES;
use crate::error::{Error, Result};
use crate::{filters_from_json, quick, require_guid, ImageLibrary, MAX_IDS_PER_CALL};

/// A search as the grid runs it: the quick text and the filters picked (`PickedFilter` JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchSpec {
    #[serde(default)]
    pub quick: Option<String>,
    #[serde(default)]
    pub filters: Vec<Value>,
}

/// `{ids: [..]}` or `{all: {quick, filters}, except: [..]}` (what the page's `selectionArg()`
/// gives).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Selection {
    Ids {
        ids: Vec<String>,
    },
    All {
        all: SearchSpec,
        #[serde(default)]
        except: Vec<String>,
    },
}

/// A selection resolved: the images (fresh headers) and those that could not be read, with
/// the reason.
#[derive(Debug, Default)]
pub struct Selected {
    pub images: Vec<ImageHeader>,
    pub unreadable: Vec<Skipped>,
}

impl Selected {
    pub fn len(&self) -> usize {
        self.images.len() + self.unreadable.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The page size used to read a search whole.
const READ_PAGE: u32 = 200;

fn too_many(n: usize) -> Error {
    Error::invalid_input(format!(
        "{n} images selected; one bulk action takes at most {MAX_BULK_IMAGES}. \
         Narrow the search or split the selection."
    ))
}

impl ImageLibrary {
    /// The images of `selection` in folder `folder_id`, at most [`MAX_BULK_IMAGES`].
    pub async fn select(&self, folder_id: &str, selection: &Selection) -> Result<Selected> {
        require_guid("folderId", folder_id)?;
        match selection {
            Selection::Ids { ids } => self.read_selected(ids).await,
            Selection::All { all, except } => {
                for id in except {
                    require_guid("except", id)?;
                }
                let except: HashSet<String> =
                    except.iter().map(|id| id.to_ascii_lowercase()).collect();
                let filters = filters_from_json(all.filters.clone())?;
                let filters = if filters.is_empty() {
                    Vec::new()
                } else {
                    self.wire_filters(folder_id, filters).await?
                };
                let query = SearchQuery {
                    folder_id: Some(folder_id.to_owned()),
                    filters,
                };
                let images = match all.quick.as_deref().map(str::trim) {
                    Some(text) if !text.is_empty() => {
                        quick::merged(self.client(), &quick::Key::new(query, text)).await?
                    }
                    _ => {
                        // Refuse a too large search before reading it all.
                        let first = self.client().search_page(&query, 1, 0).await?;
                        let total = first.total as usize;
                        if total.saturating_sub(except.len()) > MAX_BULK_IMAGES {
                            return Err(too_many(total.saturating_sub(except.len())));
                        }
                        self.client().search(query, READ_PAGE).try_collect().await?
                    }
                };
                let images: Vec<ImageHeader> = images
                    .into_iter()
                    .filter(|i| !except.contains(&i.id.to_ascii_lowercase()))
                    .collect();
                if images.len() > MAX_BULK_IMAGES {
                    return Err(too_many(images.len()));
                }
                Ok(Selected {
                    images,
                    unreadable: Vec::new(),
                })
            }
        }
    }

    /// Chosen images by id (each once), read a few at a time; those that cannot be read are
    /// listed with the reason.
    async fn read_selected(&self, ids: &[String]) -> Result<Selected> {
        let mut seen = HashSet::new();
        let ids: Vec<String> = ids
            .iter()
            .filter(|id| seen.insert(id.to_ascii_lowercase()))
            .cloned()
            .collect();
        if ids.len() > MAX_BULK_IMAGES {
            return Err(too_many(ids.len()));
        }
        for id in &ids {
            require_guid("ids", id)?;
        }
        let mut selected = Selected::default();
        for chunk in ids.chunks(MAX_IDS_PER_CALL) {
            let many = self.get_many(chunk.to_vec()).await?;
            for (id, e) in many.failed {
                let reason = if e.kind() == beproduct::ErrorKind::NotFound {
                    "not found: it was deleted or never existed".to_owned()
                } else {
                    format!("could not be read ({e}); select it again to retry")
                };
                selected.unreadable.push(Skipped {
                    image: ImageRef {
                        id,
                        number: String::new(),
                        name: String::new(),
                    },
                    reason,
                });
            }
            selected.images.extend(many.images);
        }
        Ok(selected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selection_json_as_the_page_sends_it() {
        let s: Selection = serde_json::from_value(json!({"ids": ["a", "b"]})).unwrap();
        assert_eq!(
            s,
            Selection::Ids {
                ids: vec!["a".into(), "b".into()]
            }
        );
        let s: Selection =
            serde_json::from_value(json!({"all": {"quick": "fl", "filters": []}, "except": ["c"]}))
                .unwrap();
        assert_eq!(
            s,
            Selection::All {
                all: SearchSpec {
                    quick: Some("fl".into()),
                    filters: vec![]
                },
                except: vec!["c".into()]
            }
        );
        let s: Selection =
            serde_json::from_value(json!({"all": {"quick": null, "filters": []}})).unwrap();
        assert!(matches!(s, Selection::All { except, .. } if except.is_empty()));
        assert!(serde_json::from_value::<Selection>(json!({"some": 1})).is_err());
    }
}
