//! Background processing of uploads: decode, thumbnail, then attach to the header in arrival order.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use image::{DynamicImage, ImageError, ImageFormat, ImageReader, Limits};
use tokio::sync::{watch, Semaphore};

use crate::error::SandboxError;
use crate::store::{self, FileRow, Store, UploadRow, UploadState};
use crate::stored_names;
use crate::time_fmt::now_ms;

/// Longest side of a preview picture.
pub const PREVIEW_MAX_PX: u32 = 1000;
/// Decodes running at once; more would starve a 2-core machine.
const MAX_CONCURRENT_DECODES: usize = 2;

#[derive(Clone)]
pub struct Processor {
    inner: Arc<Inner>,
}

/// How long processing takes; changes reach uploads already waiting.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub processing_ms: u64,
    /// Each upload takes up to this much longer, by an amount fixed by its id.
    pub jitter_ms: u64,
    /// Set on shutdown: unfinished uploads stay pending and resume on the next start.
    closed: bool,
}

impl Timing {
    pub fn new(processing_ms: u64, jitter_ms: u64) -> Timing {
        Timing {
            processing_ms,
            jitter_ms,
            closed: false,
        }
    }

    /// When `upload` is due: the same answer on every poll while the timing stays the same.
    fn due_at(&self, upload: &UploadRow) -> i64 {
        let jitter = match self.jitter_ms {
            0 => 0,
            j => uuid::Uuid::parse_str(&upload.id).map_or(0, |u| u.as_u128() % (u128::from(j) + 1))
                as u64,
        };
        let delay = self.processing_ms.saturating_add(jitter);
        upload
            .received_at
            .saturating_add(i64::try_from(delay).unwrap_or(i64::MAX))
    }
}

struct Inner {
    store: Store,
    timing: watch::Sender<Timing>,
    rewrite_file_names: AtomicBool,
    decodes: Semaphore,
    /// Images with a running worker; `true` means "new work arrived, look again before exiting".
    running: Mutex<HashMap<String, bool>>,
}

impl Processor {
    pub fn new(store: Store, timing: Timing, rewrite_file_names: bool) -> Processor {
        Processor {
            inner: Arc::new(Inner {
                store,
                timing: watch::Sender::new(timing),
                rewrite_file_names: AtomicBool::new(rewrite_file_names),
                decodes: Semaphore::new(MAX_CONCURRENT_DECODES),
                running: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// New processing times, also for uploads already waiting.
    pub fn set_timing(&self, processing_ms: u64, jitter_ms: u64) {
        self.inner.timing.send_modify(|t| {
            t.processing_ms = processing_ms;
            t.jitter_ms = jitter_ms;
        });
    }

    /// Whether files stored from now on get the real service's rewritten names.
    pub fn set_rewrite_file_names(&self, on: bool) {
        self.inner.rewrite_file_names.store(on, Ordering::SeqCst);
    }

    /// Stops processing; waiting workers wake up and leave their uploads pending.
    pub fn close(&self) {
        self.inner.timing.send_modify(|t| t.closed = true);
    }

    /// Makes sure a worker processes the pending uploads of `image_id`.
    pub fn wake(&self, image_id: &str) {
        let mut running = self.inner.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(dirty) = running.get_mut(image_id) {
            *dirty = true;
            return;
        }
        running.insert(image_id.to_string(), false);
        tokio::spawn(worker(self.inner.clone(), image_id.to_string()));
    }

    /// Restarts processing of uploads left pending by a previous run.
    pub async fn resume_pending(&self) -> Result<(), SandboxError> {
        let pending = self.inner.store.call(|c| store::pending_uploads(c)).await?;
        for upload in pending {
            self.wake(&upload.image_id);
        }
        Ok(())
    }
}

async fn worker(inner: Arc<Inner>, image_id: String) {
    loop {
        if inner.closed() {
            inner
                .running
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&image_id);
            return;
        }
        let id = image_id.clone();
        let next = inner
            .store
            .call(move |c| store::next_pending_upload(c, &id))
            .await;
        match next {
            Ok(Some(upload)) => {
                if let Err(e) = process(&inner, upload).await {
                    tracing::error!("processing an upload for image {image_id} failed: {e}");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
            Ok(None) | Err(_) => {
                let mut running = inner.running.lock().unwrap_or_else(|p| p.into_inner());
                if running.get(&image_id).copied().unwrap_or(false) {
                    running.insert(image_id.clone(), false);
                    continue;
                }
                running.remove(&image_id);
                return;
            }
        }
    }
}

impl Inner {
    fn closed(&self) -> bool {
        self.timing.borrow().closed
    }

    /// Sleeps until `upload` is due, following timing changes; `false` when closed meanwhile.
    async fn wait_until_due(&self, upload: &UploadRow) -> bool {
        let mut timing = self.timing.subscribe();
        loop {
            let current = *timing.borrow_and_update();
            if current.closed {
                return false;
            }
            let wait = current.due_at(upload) - now_ms();
            if wait <= 0 {
                return true;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(wait as u64)) => {}
                changed = timing.changed() => if changed.is_err() { return false; },
            }
        }
    }
}

async fn process(inner: &Arc<Inner>, upload: UploadRow) -> Result<(), SandboxError> {
    if !inner.wait_until_due(&upload).await {
        return Ok(());
    }
    let outcome = if let Some(verdict) = upload.message.clone() {
        // Decided on receipt (over the size limit); announced once processing is due.
        Err(verdict)
    } else {
        let _permit = inner
            .decodes
            .acquire()
            .await
            .map_err(|_| SandboxError::Internal("the decode pool is closed".into()))?;
        let data_dir = inner.store.data_dir().to_path_buf();
        let job = upload.clone();
        tokio::task::spawn_blocking(move || decode_and_store(&data_dir, &job))
            .await
            .map_err(|e| SandboxError::Internal(format!("decode task failed: {e}")))?
    };
    if inner.closed() {
        return Ok(());
    }
    let rewrite = inner.rewrite_file_names.load(Ordering::SeqCst);
    let upload_id = upload.id.clone();
    let image_id = upload.image_id.clone();
    let data_dir = inner.store.data_dir().to_path_buf();
    inner
        .store
        .call(move |conn| -> Result<(), SandboxError> {
            let tx = conn.transaction()?;
            // Another instance on the same data folder may have finished it already.
            if store::get_upload(&tx, &upload_id)?.is_none_or(|u| u.state != UploadState::Pending) {
                return Ok(());
            }
            match outcome {
                Ok(mut file) => match store::get_image(&tx, &image_id)?.filter(|i| !i.is_deleted) {
                    Some(mut image) => {
                        if rewrite {
                            let taken = store::file_names_of(&tx, &image_id)?;
                            file.file_name = stored_names::rewritten(&file.file_name, &taken);
                        }
                        let now = now_ms();
                        store::insert_file(&tx, &file)?;
                        image.version += 1;
                        image.preview_file = Some(file.id.clone());
                        image.modified_at = now;
                        image.folder_modified_at = now;
                        store::save_image(&tx, &image)?;
                        store::finish_upload(&tx, &upload_id, UploadState::Done, None)?;
                    }
                    None => {
                        let _ = std::fs::remove_dir_all(data_dir.join("files").join(&file.id));
                        let msg = "Image not found: the image was deleted before the upload was processed";
                        store::finish_upload(&tx, &upload_id, UploadState::Failed, Some(msg))?;
                    }
                },
                Err(message) => store::finish_upload(&tx, &upload_id, UploadState::Failed, Some(&message))?,
            }
            tx.commit()?;
            Ok(())
        })
        .await
}

/// Decodes the upload, writes its preview and moves the original into place.
/// `Err` carries the message the status endpoint reports.
fn decode_and_store(data_dir: &Path, upload: &UploadRow) -> Result<FileRow, String> {
    let temp = data_dir.join(&upload.temp_path);
    let name = &upload.file_name;
    let unreadable = |why: String| {
        let _ = std::fs::remove_file(&temp);
        format!("{name} is not an image the server can read ({why})")
    };
    let reader = ImageReader::open(&temp)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| unreadable(format!("the uploaded data could not be read: {e}")))?;
    let Some(format) = reader.format() else {
        return Err(unreadable(
            "it is not a JPEG, PNG, WebP, GIF, TIFF or BMP file".into(),
        ));
    };
    let format_name = format_label(format);
    let mut reader = reader;
    let mut limits = Limits::default();
    limits.max_image_width = Some(30_000);
    limits.max_image_height = Some(30_000);
    limits.max_alloc = Some(1 << 30);
    reader.limits(limits);
    let picture = reader
        .decode()
        .map_err(|e| unreadable(describe(format_name, &e)))?;
    // The JPEG decoder fills in missing data silently; a file without its end marker was cut short.
    if format == ImageFormat::Jpeg && !jpeg_has_end_marker(&temp) {
        return Err(unreadable("JPEG data is truncated".into()));
    }

    let file_id = uuid::Uuid::new_v4().to_string();
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("bin")
        .to_ascii_lowercase();
    let file = FileRow {
        id: file_id.clone(),
        image_id: upload.image_id.clone(),
        file_name: name.clone(),
        original_path: format!("files/{file_id}/original.{ext}"),
        preview_path: format!("files/{file_id}/preview.png"),
        size: upload.size,
        created_at: now_ms(),
    };
    let dir = data_dir.join("files").join(&file_id);
    let save = || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        write_preview(&picture, &data_dir.join(&file.preview_path))?;
        std::fs::rename(&temp, data_dir.join(&file.original_path))
    };
    save().map_err(|e| {
        let _ = std::fs::remove_dir_all(&dir);
        format!("{name} could not be stored by the sandbox ({e}); check free disk space")
    })?;
    Ok(file)
}

/// True when the file ends with the JPEG end-of-image marker (ignoring trailing padding).
fn jpeg_has_end_marker(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let tail_len = len.min(1024);
    let mut tail = vec![0u8; tail_len as usize];
    if file.seek(SeekFrom::Start(len - tail_len)).is_err() || file.read_exact(&mut tail).is_err() {
        return false;
    }
    while tail
        .last()
        .is_some_and(|b| matches!(b, 0x00 | b'\n' | b'\r' | b' '))
    {
        tail.pop();
    }
    tail.ends_with(&[0xFF, 0xD9])
}

/// Writes a PNG no larger than [`PREVIEW_MAX_PX`] on its longest side.
pub fn write_preview(picture: &DynamicImage, path: &Path) -> std::io::Result<()> {
    let small = if picture.width() > PREVIEW_MAX_PX || picture.height() > PREVIEW_MAX_PX {
        picture.thumbnail(PREVIEW_MAX_PX, PREVIEW_MAX_PX)
    } else {
        picture.clone()
    };
    save_png(&DynamicImage::ImageRgba8(small.to_rgba8()), path)
}

/// PNG with fast compression: previews are re-creatable, speed matters more than size.
pub fn save_png(picture: &DynamicImage, path: &Path) -> std::io::Result<()> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let encoder =
        PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive);
    picture
        .write_with_encoder(encoder)
        .map_err(std::io::Error::other)?;
    std::io::Write::flush(&mut out)
}

fn format_label(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Png => "PNG",
        ImageFormat::WebP => "WebP",
        ImageFormat::Gif => "GIF",
        ImageFormat::Tiff => "TIFF",
        ImageFormat::Bmp => "BMP",
        _ => "image",
    }
}

fn describe(format: &str, e: &ImageError) -> String {
    let text = e.to_string();
    let lower = text.to_lowercase();
    match e {
        ImageError::Limits(_) => {
            "the picture is too large to decode (over 30000 px a side or 1 GB of pixels)".into()
        }
        ImageError::Unsupported(_) => {
            format!("this kind of {format} file is not supported: {text}")
        }
        _ if lower.contains("eof")
            || lower.contains("end of")
            || lower.contains("truncat")
            || lower.contains("not enough") =>
        {
            format!("{format} data is truncated")
        }
        // The decoder's own text names internal structures (chunk types, markers): noise to a person.
        _ => format!("{format} data is damaged"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(id: &str) -> UploadRow {
        UploadRow {
            id: id.to_owned(),
            image_id: String::new(),
            file_name: String::new(),
            temp_path: String::new(),
            size: 0,
            received_at: 1_000,
            state: UploadState::Pending,
            message: None,
        }
    }

    #[test]
    fn jitter_is_within_bounds_fixed_per_upload_and_differs_between_uploads() {
        let timing = Timing::new(500, 10_000);
        let ids: Vec<String> = (0..20).map(|_| uuid::Uuid::new_v4().to_string()).collect();
        let due: Vec<i64> = ids.iter().map(|id| timing.due_at(&upload(id))).collect();
        for (id, at) in ids.iter().zip(&due) {
            assert!((1_500..=11_500).contains(at), "{at}");
            assert_eq!(timing.due_at(&upload(id)), *at, "the same on every poll");
        }
        let distinct: std::collections::HashSet<_> = due.iter().collect();
        assert!(distinct.len() > 1, "twenty uploads all got the same jitter");
        assert_eq!(Timing::new(500, 0).due_at(&upload(&ids[0])), 1_500);
    }
}
