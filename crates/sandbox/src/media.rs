//! Serves originals and previews without auth under unguessable GUID paths, like the real CDN,
//! optionally behind a time-limited signature (see `signing`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use tokio_util::io::ReaderStream;

use crate::app::AppState;
use crate::error::ApiError;
use crate::header::RenderCtx;
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

pub fn origin_url(ctx: &RenderCtx<'_>, file: &FileRow) -> String {
    let name = utf8_percent_encode(&file.file_name, SEGMENT);
    let path = format!("/media/storage/{}/{}/1/{name}", ctx.company, file.id);
    with_signature(ctx, path, None)
}

pub fn preview_url(ctx: &RenderCtx<'_>, file: &FileRow) -> String {
    let ext = extension(&file.preview_path);
    let path = format!("/media/preview/{}/{1}/1/0/{1}.{ext}", ctx.company, file.id);
    with_signature(ctx, path, Some("width=1000"))
}

fn with_signature(ctx: &RenderCtx<'_>, path: String, query: Option<&str>) -> String {
    let signature = ctx.signer.query_for(&path);
    let query: Vec<&str> = query.into_iter().chain(signature.as_deref()).collect();
    match query.is_empty() {
        true => format!("{}{path}", ctx.base_url),
        false => format!("{}{path}?{}", ctx.base_url, query.join("&")),
    }
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

type Signature = Query<HashMap<String, String>>;

/// `GET /media/storage/{company}/{fileId}/{version}/{name}`
pub async fn origin(
    State(app): State<Arc<AppState>>,
    Path((_company, file_id, _version, _name)): Path<(String, String, String, String)>,
    uri: Uri,
    Query(signature): Signature,
) -> Response {
    serve(app, file_id, false, &uri, &signature).await
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
    uri: Uri,
    Query(signature): Signature,
) -> Response {
    serve(app, file_id, true, &uri, &signature).await
}

async fn serve(
    app: Arc<AppState>,
    file_id: String,
    preview: bool,
    uri: &Uri,
    signature: &HashMap<String, String>,
) -> Response {
    let param = |k: &str| signature.get(k).map(String::as_str);
    if let Err(why) = app
        .signer
        .check(uri.path(), param("st"), param("se"), param("sig"))
    {
        return ApiError::new(StatusCode::FORBIDDEN, why).into_response();
    }
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
