//! Tags and comments of an image: short adapters over `image_library::ImageLibrary`. Every
//! change answers with the image's tags or thread as the server now has them.

use beproduct::Comment;
use tauri::State;
use tracing::instrument;

use crate::connection::ConnectionManager;
use crate::error::AppResult;

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn image_tags(conn: State<'_, ConnectionManager>, id: String) -> AppResult<Vec<String>> {
    Ok(conn.library().await?.tags(&id).await?)
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn change_tags(
    conn: State<'_, ConnectionManager>,
    id: String,
    add: Vec<String>,
    remove: Vec<String>,
) -> AppResult<Vec<String>> {
    Ok(conn.library().await?.change_tags(&id, add, remove).await?)
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn image_comments(
    conn: State<'_, ConnectionManager>,
    id: String,
) -> AppResult<Vec<Comment>> {
    Ok(conn.library().await?.comments(&id).await?)
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn add_comment(
    conn: State<'_, ConnectionManager>,
    id: String,
    text: String,
) -> AppResult<Vec<Comment>> {
    Ok(conn.library().await?.add_comment(&id, &text).await?)
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn edit_comment(
    conn: State<'_, ConnectionManager>,
    id: String,
    comment_id: String,
    text: String,
) -> AppResult<Vec<Comment>> {
    Ok(conn
        .library()
        .await?
        .edit_comment(&id, &comment_id, &text)
        .await?)
}

#[tauri::command]
#[instrument(skip_all, err(Display, level = "warn"))]
pub async fn delete_comment(
    conn: State<'_, ConnectionManager>,
    id: String,
    comment_id: String,
) -> AppResult<Vec<Comment>> {
    Ok(conn
        .library()
        .await?
        .delete_comment(&id, &comment_id)
        .await?)
}
