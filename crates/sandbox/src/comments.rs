//! An image's comment thread: `GET Comment/Heeader/{id}` (the SDKs' own spelling; the correct
//! `Comment/Header/{id}` answers too), `POST Comment/Header/{id}/Create`,
//! `POST Comment/Header/{id}/Edit?commentId=` and `DELETE Comment/Header/{id}/Delete?commentId=`.
//! Bodies may carry the text as `comment` (Python SDK) or `body` (TS SDK). A comment is
//! served as `{id, body, from: {id, name}, createdDate, modifiedDate}` (the TS SDK's revision
//! item, the same API family), oldest first. Every call runs as the sandbox user, who may edit
//! and delete any comment (no SDK documents who may).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Json;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{json_body, live_image, param, ApiResult, Params};
use crate::app::AppState;
use crate::error::{ApiError, SandboxError};
use crate::header::{USER_ID, USER_NAME};
use crate::time_fmt::{iso_ms, now_ms};

/// Longest comment accepted, in characters.
const MAX_CHARS: usize = 4000;

pub struct CommentRow {
    pub id: String,
    pub image_id: String,
    pub body: String,
    pub author_id: String,
    pub author_name: String,
    pub created_at: i64,
    pub modified_at: i64,
}

impl CommentRow {
    fn to_wire(&self) -> Value {
        json!({
            "id": self.id,
            "body": self.body,
            "from": {"id": self.author_id, "name": self.author_name},
            "createdDate": iso_ms(self.created_at),
            "modifiedDate": iso_ms(self.modified_at),
        })
    }
}

const COLUMNS: &str = "id, image_id, body, author_id, author_name, created_at, modified_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CommentRow> {
    Ok(CommentRow {
        id: r.get(0)?,
        image_id: r.get(1)?,
        body: r.get(2)?,
        author_id: r.get(3)?,
        author_name: r.get(4)?,
        created_at: r.get(5)?,
        modified_at: r.get(6)?,
    })
}

pub fn insert(conn: &Connection, c: &CommentRow) -> Result<(), SandboxError> {
    conn.execute(
        &format!("INSERT INTO comments ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![
            c.id,
            c.image_id,
            c.body,
            c.author_id,
            c.author_name,
            c.created_at,
            c.modified_at
        ],
    )?;
    Ok(())
}

fn thread(conn: &Connection, image_id: &str) -> Result<Vec<CommentRow>, SandboxError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM comments WHERE image_id = ?1 ORDER BY seq"
    ))?;
    let rows = stmt.query_map([image_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn one(conn: &Connection, image_id: &str, id: &str) -> Result<Option<CommentRow>, SandboxError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM comments WHERE image_id = ?1 AND id = ?2 COLLATE NOCASE"
        ))?
        .query_row([image_id, id], from_row)
        .optional()?)
}

#[derive(Debug, Default, Deserialize)]
pub struct CommentBody {
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    body: Option<String>,
}

/// The text of a Create/Edit body: `comment`, else `body`; blank or too long is refused.
fn text_of(body: &Bytes) -> Result<String, ApiError> {
    let body: CommentBody = json_body(body)?;
    let text = body
        .comment
        .filter(|t| !t.trim().is_empty())
        .or(body.body)
        .unwrap_or_default();
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::invalid_field(
            "comment",
            "A comment needs some text: send {\"comment\": \"...\"}",
        ));
    }
    if text.chars().count() > MAX_CHARS {
        return Err(ApiError::invalid_field(
            "comment",
            format!("A comment is at most {MAX_CHARS} characters"),
        ));
    }
    Ok(text.to_owned())
}

fn comment_id(params: &std::collections::HashMap<String, String>) -> Result<String, ApiError> {
    match param(params, "commentId") {
        Some(id) if !id.is_empty() => Ok(id.to_owned()),
        _ => Err(ApiError::bad_request(
            "commentId is required: ...?commentId=<id from the comment list>",
        )),
    }
}

fn comment_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!(
        "Comment not found: this image has no comment with id {id}"
    ))
}

/// `GET Comment/Heeader/{id}`: the thread, oldest first.
pub async fn list(
    State(app): State<Arc<AppState>>,
    Path((_c, id)): Path<(String, String)>,
) -> ApiResult {
    let image = live_image(&app, &id).await?;
    let rows = app.store.call(move |c| thread(c, &image.id)).await?;
    Ok(Json(rows.iter().map(CommentRow::to_wire).collect()))
}

/// `POST Comment/Header/{id}/Create`: the new comment.
pub async fn create(
    State(app): State<Arc<AppState>>,
    Path((_c, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let text = text_of(&body)?;
    let image = live_image(&app, &id).await?;
    let now = now_ms();
    let row = CommentRow {
        id: uuid::Uuid::new_v4().to_string(),
        image_id: image.id,
        body: text,
        author_id: USER_ID.into(),
        author_name: USER_NAME.into(),
        created_at: now,
        modified_at: now,
    };
    let row = app
        .store
        .call(move |c| insert(c, &row).map(|_| row))
        .await?;
    Ok(Json(row.to_wire()))
}

/// `POST Comment/Header/{id}/Edit?commentId=`: the comment with its new text.
pub async fn edit(
    State(app): State<Arc<AppState>>,
    Path((_c, id)): Path<(String, String)>,
    Query(params): Params,
    body: Bytes,
) -> ApiResult {
    let comment = comment_id(&params)?;
    let text = text_of(&body)?;
    let image = live_image(&app, &id).await?;
    let row = app
        .store
        .call(move |c| -> Result<CommentRow, ApiError> {
            let mut row =
                one(c, &image.id, &comment)?.ok_or_else(|| comment_not_found(&comment))?;
            row.body = text;
            row.modified_at = now_ms();
            c.execute(
                "UPDATE comments SET body = ?2, modified_at = ?3 WHERE id = ?1",
                params![row.id, row.body, row.modified_at],
            )?;
            Ok(row)
        })
        .await?;
    Ok(Json(row.to_wire()))
}

/// `DELETE Comment/Header/{id}/Delete?commentId=`: `{"error": false, "message": ...}`.
pub async fn delete(
    State(app): State<Arc<AppState>>,
    Path((_c, id)): Path<(String, String)>,
    Query(params): Params,
) -> ApiResult {
    let comment = comment_id(&params)?;
    let image = live_image(&app, &id).await?;
    app.store
        .call(move |c| -> Result<(), ApiError> {
            let row = one(c, &image.id, &comment)?.ok_or_else(|| comment_not_found(&comment))?;
            c.execute("DELETE FROM comments WHERE id = ?1", [row.id])?;
            Ok(())
        })
        .await?;
    Ok(Json(json!({"error": false, "message": "Comment deleted"})))
}
