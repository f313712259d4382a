//! Downloading an image's current original to a folder: named after the image, written under a
//! temporary name and renamed when whole, never over an existing file (`IMG-1 (2).psd`).

use std::path::{Path, PathBuf};

use beproduct::{Downloaded, ImageHeader};

use crate::{Error, ImageLibrary, Result};

/// Said when an image has no original yet (just created, or its upload is still processing).
pub const NOT_PROCESSED: &str =
    "BeProduct has not finished processing this image; try again when it shows a preview";

impl ImageLibrary {
    /// Streams `image`'s current original into a new file in `dest_dir` (created if missing) and
    /// returns its path. `progress` gets (bytes, total if known); it starts again from 0 when a
    /// broken download is retried.
    pub async fn download_original(
        &self,
        image: &ImageHeader,
        dest_dir: &Path,
        progress: impl Fn(u64, Option<u64>) + Send,
    ) -> Result<PathBuf> {
        let origin = image
            .origin_url()
            .ok_or_else(|| Error::invalid_input(NOT_PROCESSED))?;
        self.download_file(image, origin, dest_dir, &file_stem(image), progress)
            .await
    }

    /// Streams one of `image`'s files (an entry of its `files` list, or its current original)
    /// into a new file `<stem>.<ext>` in `dest_dir` (`<stem> (2).<ext>` if taken).
    pub async fn download_file(
        &self,
        image: &ImageHeader,
        url: &str,
        dest_dir: &Path,
        stem: &str,
        progress: impl Fn(u64, Option<u64>) + Send,
    ) -> Result<PathBuf> {
        let (temp, done) = self.fetch_into(image, url, dest_dir, progress).await?;
        let placed = place(&temp, dest_dir, stem, extension(&done).as_deref());
        if placed.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        placed
    }

    /// Streams one of `image`'s files to exactly `dest` (a path the user chose in a save
    /// dialog, which already asked before replacing a file): written beside it under a
    /// temporary name, then renamed over it.
    pub async fn save_file_as(
        &self,
        image: &ImageHeader,
        url: &str,
        dest: &Path,
        progress: impl Fn(u64, Option<u64>) + Send,
    ) -> Result<()> {
        let dir = dest
            .parent()
            .ok_or_else(|| Error::file(dest, "is not a file in a folder; choose another place"))?;
        let (temp, _) = self.fetch_into(image, url, dir, progress).await?;
        std::fs::rename(&temp, dest).map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            Error::file(dest, e)
        })
    }

    /// Downloads `url` into a new temporary file in `dir` (created if missing).
    async fn fetch_into(
        &self,
        image: &ImageHeader,
        url: &str,
        dir: &Path,
        progress: impl Fn(u64, Option<u64>) + Send,
    ) -> Result<(PathBuf, Downloaded)> {
        std::fs::create_dir_all(dir).map_err(|e| Error::file(dir, e))?;
        let temp = dir.join(format!(".download-{}.part", uuid::Uuid::new_v4()));
        let mut report = progress;
        match self.fetch(image, url, &temp, &mut report).await {
            Ok(done) => Ok((temp, done)),
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                Err(e)
            }
        }
    }

    /// Downloads `url`; a 403 (a signed URL that expired since the header was read) is tried
    /// once more with the URL of a fresh read of the image.
    async fn fetch(
        &self,
        image: &ImageHeader,
        url: &str,
        temp: &Path,
        progress: &mut (dyn FnMut(u64, Option<u64>) + Send),
    ) -> Result<Downloaded> {
        match self.client().download_media(url, temp, progress).await {
            Err(e) if e.status() == Some(403) => {
                let fresh = self.get(&image.id).await?;
                let again = same_file_in(&fresh, url).ok_or_else(|| {
                    Error::invalid_input(
                        "the image's file is no longer offered by BeProduct (it may have been replaced); reopen the image and try again",
                    )
                })?;
                tracing::debug!("media URL refused (403), retrying with a fresh signature");
                Ok(self.client().download_media(&again, temp, progress).await?)
            }
            other => Ok(other?),
        }
    }
}

/// The URL in `fresh` for the same file as `url`: the same path (signatures differ per answer).
fn same_file_in(fresh: &ImageHeader, url: &str) -> Option<String> {
    let path = url_path(url)?;
    fresh
        .origin_url()
        .into_iter()
        .map(str::to_owned)
        .chain(crate::versions::file_urls(fresh))
        .find(|candidate| url_path(candidate).as_deref() == Some(path.as_str()))
}

fn url_path(url: &str) -> Option<String> {
    let without_query = url.split(['?', '#']).next()?;
    Some(without_query.to_owned())
}

/// The image's number (its name when it has none), made safe as a file name on every system.
pub fn file_stem(image: &ImageHeader) -> String {
    let base = [&image.header_number, &image.header_name]
        .into_iter()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .unwrap_or("image");
    let safe: String = base
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .take(120)
        .collect();
    // Windows refuses names ending in a dot or space; a leading dot hides the file on Unix.
    let safe = safe.trim_end_matches(['.', ' ']).trim_start_matches('.');
    if safe.is_empty() {
        "image".to_owned()
    } else {
        safe.to_owned()
    }
}

/// The extension for a download: the URL's file name first (the server keeps the uploaded
/// type), then the Content-Type.
pub(crate) fn extension(done: &Downloaded) -> Option<String> {
    let from_name = done
        .file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .filter(|ext| {
            (1..=5).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_alphanumeric())
        });
    from_name.or_else(|| {
        let ext = match done.content_type.as_deref()? {
            "image/png" => "png",
            "image/jpeg" => "jpg",
            "image/gif" => "gif",
            "image/webp" => "webp",
            "image/tiff" => "tif",
            "image/bmp" => "bmp",
            "image/heic" => "heic",
            "image/avif" => "avif",
            "image/vnd.adobe.photoshop" => "psd",
            "application/pdf" => "pdf",
            "application/postscript" | "application/illustrator" => "ai",
            "image/svg+xml" => "svg",
            _ => return None,
        };
        Some(ext.to_owned())
    })
}

/// Moves `temp` to `<name>.<ext>` in `dir`, or `<name> (2).<ext>`, … if that exists. The name
/// is claimed with a create-new open first, so two downloads at once never take the same one.
pub(crate) fn place(temp: &Path, dir: &Path, name: &str, ext: Option<&str>) -> Result<PathBuf> {
    for n in 1..=10_000u32 {
        let candidate = dir.join(numbered(name, ext, n));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(_) => {
                std::fs::rename(temp, &candidate).map_err(|e| {
                    let _ = std::fs::remove_file(&candidate);
                    Error::file(&candidate, e)
                })?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::file(&candidate, e)),
        }
    }
    Err(Error::file(
        dir,
        format!("has too many files named {name}; clean the folder up and try again"),
    ))
}

/// `name.ext`, then `name (2).ext`, `name (3).ext`, …
pub(crate) fn numbered(name: &str, ext: Option<&str>, n: u32) -> String {
    let base = if n == 1 {
        name.to_owned()
    } else {
        format!("{name} ({n})")
    };
    match ext {
        Some(ext) => format!("{base}.{ext}"),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(number: &str, name: &str) -> ImageHeader {
        serde_json::from_value(serde_json::json!({
            "id": "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe",
            "headerNumber": number,
            "headerName": name,
        }))
        .unwrap()
    }

    #[test]
    fn file_stems_are_safe_names() {
        assert_eq!(file_stem(&header("IMG-001", "Front")), "IMG-001");
        assert_eq!(file_stem(&header("", "Front: print")), "Front_ print");
        assert_eq!(file_stem(&header(" ", "")), "image");
        assert_eq!(file_stem(&header("../a/b.", "")), "_a_b");
        assert_eq!(file_stem(&header("...", "")), "image");
    }

    #[test]
    fn extensions_come_from_the_name_then_the_type() {
        let d = |name: &str, ct: Option<&str>| Downloaded {
            bytes: 0,
            content_type: ct.map(str::to_owned),
            file_name: name.to_owned(),
        };
        assert_eq!(extension(&d("----.PNG", None)).as_deref(), Some("png"));
        assert_eq!(
            extension(&d("upload", Some("image/jpeg"))).as_deref(),
            Some("jpg")
        );
        assert_eq!(
            extension(&d("a.b c", Some("image/vnd.adobe.photoshop"))).as_deref(),
            Some("psd")
        );
        assert_eq!(extension(&d("upload", Some("text/html"))), None);
    }

    #[test]
    fn placing_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let mut placed = Vec::new();
        for i in 0..3 {
            let temp = dir.path().join(format!(".t{i}"));
            std::fs::write(&temp, format!("file {i}")).unwrap();
            placed.push(place(&temp, dir.path(), "IMG-1", Some("png")).unwrap());
            assert!(!temp.exists());
        }
        let names: Vec<_> = placed
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["IMG-1.png", "IMG-1 (2).png", "IMG-1 (3).png"]);
        for (i, p) in placed.iter().enumerate() {
            assert_eq!(std::fs::read_to_string(p).unwrap(), format!("file {i}"));
        }
        assert_eq!(numbered("x", None, 2), "x (2)");
    }
}
