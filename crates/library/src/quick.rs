//! Quick search: number OR name contains the text. The API's filters only AND, so it is two
//! searches merged here (number matches first), each capped.

use std::collections::HashSet;

use beproduct::{Client, Filter, ImageHeader, SearchQuery};
use futures::{StreamExt, TryStreamExt};

use crate::error::Result;

/// A quick search reads at most this many matches per side (number, name) before merging.
pub const QUICK_SEARCH_CAP: usize = 500;
const FETCH_PAGE: u32 = 200;

/// Identifies a quick search (folder, filters and text) in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Key {
    query: SearchQuery,
    text: String,
}

impl Key {
    pub(crate) fn new(query: SearchQuery, text: &str) -> Key {
        Key {
            query,
            text: text.to_owned(),
        }
    }
}

/// Number matches first, then name matches not already listed.
pub(crate) async fn merged(client: &Client, key: &Key) -> Result<Vec<ImageHeader>> {
    let by_number = key
        .query
        .clone()
        .filter(Filter::contains("header_number", key.text.as_str()));
    let by_name = key
        .query
        .clone()
        .filter(Filter::contains("header_name", key.text.as_str()));
    let (numbers, names) =
        futures::try_join!(collect(client, by_number), collect(client, by_name))?;
    let mut seen = HashSet::new();
    Ok(numbers
        .into_iter()
        .chain(names)
        .filter(|image| seen.insert(image.id.clone()))
        .take(QUICK_SEARCH_CAP)
        .collect())
}

async fn collect(client: &Client, query: SearchQuery) -> Result<Vec<ImageHeader>> {
    Ok(client
        .search(query, FETCH_PAGE)
        .take(QUICK_SEARCH_CAP)
        .try_collect()
        .await?)
}
