//! Serves originals and previews without auth under unguessable GUID paths, like the real CDN.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use tokio_util::io::ReaderStream;

use crate::app::AppState;
use crate::store::{self, FileRow};

/// Characters escaped in a file name path segment.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

pub fn origin_url(base: &str, company: &str, file: &FileRow) -> String {
    let name = utf8_percent_encode(&file.file_name, SEGMENT);
    format!("{base}/media/storage/{company}/{}/1/{name}", file.id)
}

pub fn preview_url(base: &str, company: &str, file: &FileRow) -> String {
    let ext = extension(&file.preview_path);
    format!(
        "{base}/media/preview/{company}/{0}/1/0/{0}.{ext}?width=1000",
        file.id
    )
}

fn extension(path: &str) -> &str {
    path.rsplit_once('.').map(|(_, e)| e).unwrap_or("bin")
}

fn content_type(path: &str) -> &'static str {
    match extension(path).to_ascii_lowercase().as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "tif" | "tiff" => "image/tiff",
        "bmp" => "image/bmp",
        _ => "application/octet-stream",
    }
}

/// `GET /media/storage/{company}/{fileId}/{version}/{name}`
pub async fn origin(
    State(app): State<Arc<AppState>>,
    Path((_company, file_id, _version, _name)): Path<(String, String, String, String)>,
) -> Response {
    serve(app, file_id, false).await
}

/// `GET /media/preview/{company}/{fileId}/{version}/{index}/{name}`
pub async fn preview(
    State(app): State<Arc<AppState>>,
    Path((_company, file_id, _version, _index, _name)): Path<(
        String,
        String,
        String,
        String,
        String,
    )>,
) -> Response {
    serve(app, file_id, true).await
}

async fn serve(app: Arc<AppState>, file_id: String, preview: bool) -> Response {
    let lookup = app
        .store
        .call(move |c| store::get_file(c, &file_id.to_ascii_lowercase()))
        .await;
    let file = match lookup {
        Ok(Some(f)) => f,
        Ok(None) => return (StatusCode::NOT_FOUND, "No such file").into_response(),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let rel = if preview {
        &file.preview_path
    } else {
        &file.original_path
    };
    let path = app.store.data_dir().join(rel);
    match tokio::fs::File::open(&path).await {
        Ok(f) => {
            let len = f.metadata().await.map(|m| m.len()).unwrap_or(0);
            Response::builder()
                .header(header::CONTENT_TYPE, content_type(rel))
                .header(header::CONTENT_LENGTH, len)
                .header(header::CACHE_CONTROL, "public, max-age=86400")
                .body(Body::from_stream(ReaderStream::new(f)))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        Err(_) => (
            StatusCode::NOT_FOUND,
            "The file is missing from the sandbox data folder",
        )
            .into_response(),
    }
}
