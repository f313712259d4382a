//! Drag out: images dragged out of the window arrive in another app as their original files.
//!
//! The page names images by id only. Here they are read again (fresh media URLs), their
//! originals made sure of in the cache (`originals`: downloaded once per version, streamed with
//! the client's retry rules), and only then is the OS drag started with those paths (`native`):
//! a drop target asks for the files the moment the drop happens, so they must already exist.

#[cfg(target_os = "linux")]
mod gtk_source;
pub mod native;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use beproduct::ImageHeader;
use futures::{StreamExt, TryStreamExt};
use image_library::ImageLibrary;
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::originals::{shown_name, OriginalsCache};

/// Images one drag may carry: each is a download, and a drop of more is rarely meant.
pub const MAX_DRAG_IMAGES: usize = 100;
/// Originals downloaded at once.
const IN_FLIGHT: usize = 3;

/// Bytes of the originals still to download (cached ones count as done).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub files: usize,
    pub ready: usize,
    pub received: u64,
    /// Known once every download has said its size.
    pub total: Option<u64>,
}

/// The cache and the rule that one drag is prepared at a time (a second press while files
/// download would only race the first for the pointer).
pub struct DragOutHost {
    cache: OriginalsCache,
    preparing: AtomicBool,
}

pub struct Preparing<'a>(&'a AtomicBool);

impl Drop for Preparing<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl DragOutHost {
    pub fn new(cache: OriginalsCache) -> DragOutHost {
        DragOutHost {
            cache,
            preparing: AtomicBool::new(false),
        }
    }

    pub fn cache(&self) -> &OriginalsCache {
        &self.cache
    }

    /// Held while one drag is prepared and started.
    pub fn begin(&self) -> AppResult<Preparing<'_>> {
        if self.preparing.swap(true, Ordering::SeqCst) {
            return Err(AppError::invalid_input(
                "Images are already being prepared for dragging. Wait for them, then drag again.",
            ));
        }
        Ok(Preparing(&self.preparing))
    }
}

/// The originals of the images `ids` (in that order) as files in the cache, downloaded where
/// needed. `report` hears the bytes as they come.
pub async fn prepare(
    library: &ImageLibrary,
    cache: &OriginalsCache,
    ids: Vec<String>,
    report: impl Fn(Progress) + Send + Sync,
) -> AppResult<Vec<PathBuf>> {
    let ids = checked_ids(ids)?;
    let read = library.get_many(ids).await?;
    if let Some((_, e)) = read.failed.into_iter().next() {
        return Err(e.into());
    }
    let slots = Mutex::new(vec![(0u64, None::<u64>); read.images.len()]);
    let ready = Mutex::new(0usize);
    let files = read.images.len();
    let tell = |slot: usize, received: u64, total: Option<u64>, done: bool| {
        let (Ok(mut slots), Ok(mut ready)) = (slots.lock(), ready.lock()) else {
            return;
        };
        slots[slot] = (received, total);
        *ready += usize::from(done);
        report(Progress {
            files,
            ready: *ready,
            received: slots.iter().map(|s| s.0).sum(),
            total: slots.iter().map(|s| s.1).sum(),
        });
    };
    let tell = &tell;
    futures::stream::iter(read.images.into_iter().enumerate())
        .map(|(slot, image)| async move { original(library, cache, &image, slot, tell).await })
        .buffered(IN_FLIGHT)
        .try_collect()
        .await
}

/// One image's original: the cached file, else a fresh download into its version folder.
async fn original(
    library: &ImageLibrary,
    cache: &OriginalsCache,
    image: &ImageHeader,
    slot: usize,
    tell: &(impl Fn(usize, u64, Option<u64>, bool) + Sync),
) -> AppResult<PathBuf> {
    let folder = cache.folder_for(image)?;
    if let Some(file) = OriginalsCache::ready_file(&folder) {
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        OriginalsCache::touch(&folder);
        tell(slot, size, Some(size), true);
        return Ok(file);
    }
    // Emptied first, so the download is named `<number>.<ext>` (never `<number> (2).<ext>`).
    OriginalsCache::prepare(&folder)?;
    let progress = |received: u64, total: Option<u64>| tell(slot, received, total, false);
    let file = library
        .download_original(image, &folder, progress)
        .await
        .map_err(|e| AppError::from(e).context(format!("Downloading {}", shown_name(image))))?;
    OriginalsCache::mark_ready(&file)?;
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    tell(slot, size, Some(size), true);
    Ok(file)
}

/// 1 to `MAX_DRAG_IMAGES` distinct GUIDs, in the page's order.
fn checked_ids(ids: Vec<String>) -> AppResult<Vec<String>> {
    if ids.is_empty() {
        return Err(AppError::invalid_input("No image to drag."));
    }
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<String> = ids
        .into_iter()
        .filter(|id| seen.insert(id.to_ascii_lowercase()))
        .collect();
    if ids.len() > MAX_DRAG_IMAGES {
        return Err(AppError::invalid_input(format!(
            "{} images cannot be dragged at once; select at most {MAX_DRAG_IMAGES} (or export them).",
            ids.len()
        )));
    }
    for id in &ids {
        crate::commands::require_guid("image id", id)?;
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0b7d7a4e-3f0e-4c39-9c57-7b1f1a2e4d10";
    const B: &str = "1b7d7a4e-3f0e-4c39-9c57-7b1f1a2e4d10";

    #[test]
    fn ids_are_guids_without_repeats_and_bounded() {
        assert_eq!(
            checked_ids(vec![A.into(), B.into(), A.to_uppercase()]).unwrap(),
            vec![A.to_string(), B.to_string()]
        );
        assert_eq!(checked_ids(vec![]).unwrap_err().kind(), "invalid_input");
        assert_eq!(
            checked_ids(vec!["../etc".into()]).unwrap_err().kind(),
            "invalid_input"
        );
        let many: Vec<String> = (0..=MAX_DRAG_IMAGES)
            .map(|i| format!("{i:08x}-3f0e-4c39-9c57-7b1f1a2e4d10"))
            .collect();
        let e = checked_ids(many).unwrap_err();
        assert!(e.to_string().contains("at most 100"), "{e}");
    }

    #[test]
    fn one_drag_is_prepared_at_a_time() {
        let host = DragOutHost::new(OriginalsCache::in_data_dir(std::path::Path::new("/x")));
        let first = host.begin().unwrap();
        assert!(host.begin().is_err());
        drop(first);
        assert!(host.begin().is_ok());
    }
}
