//! Image tags: `GET Tag/Image/List`, `POST Tag/Image/Create`, and an image's own tags,
//! `GET Tag/Header/{id}` and `POST Tag/Header/{id}/Add|Remove` with a list of tag **names**
//! (the SDKs send names, not ids). Adding a name no tag has yet creates that tag (the sandbox's
//! choice: no SDK says whether the real API does or refuses it).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{json_body, live_image, ApiResult};
use crate::app::AppState;
use crate::error::{ApiError, SandboxError};
use crate::time_fmt::{iso_ms, now_ms};

/// Longest tag name accepted.
const MAX_NAME: usize = 100;

struct TagRow {
    id: String,
    name: String,
    integration: Option<String>,
    created_at: i64,
}

impl TagRow {
    /// After the TS SDK's `TagSchema`.
    fn to_wire(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "integration": self.integration,
            "tagDate": iso_ms(self.created_at),
            "tagUsers": [],
        })
    }
}

fn tag_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TagRow> {
    Ok(TagRow {
        id: r.get(0)?,
        name: r.get(1)?,
        integration: r.get(2)?,
        created_at: r.get(3)?,
    })
}

fn all_tags(conn: &Connection) -> Result<Vec<TagRow>, SandboxError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, integration, created_at FROM tags ORDER BY name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], tag_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn tags_of(conn: &Connection, image_id: &str) -> Result<Vec<TagRow>, SandboxError> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.name, t.integration, t.created_at FROM tags t \
         JOIN image_tags it ON it.tag_id = t.id WHERE it.image_id = ?1 ORDER BY t.name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([image_id], tag_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn find_by_name(conn: &Connection, name: &str) -> Result<Option<TagRow>, SandboxError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, name, integration, created_at FROM tags WHERE name = ?1 COLLATE NOCASE",
        )?
        .query_row([name], tag_from_row)
        .optional()?)
}

fn insert_tag(
    conn: &Connection,
    name: &str,
    integration: Option<&str>,
) -> Result<TagRow, SandboxError> {
    let tag = TagRow {
        id: uuid::Uuid::new_v4().to_string(),
        name: name.to_owned(),
        integration: integration.map(str::to_owned),
        created_at: now_ms(),
    };
    conn.execute(
        "INSERT INTO tags (id, name, integration, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![tag.id, tag.name, tag.integration, tag.created_at],
    )?;
    Ok(tag)
}

/// Puts the named tags on an image, creating tags that do not exist yet (seeding and `Add`).
pub fn add_to_image(
    conn: &Connection,
    image_id: &str,
    names: &[String],
) -> Result<(), SandboxError> {
    for name in names {
        let tag = match find_by_name(conn, name)? {
            Some(tag) => tag,
            None => insert_tag(conn, name, None)?,
        };
        conn.execute(
            "INSERT OR IGNORE INTO image_tags (image_id, tag_id, added_at) VALUES (?1, ?2, ?3)",
            params![image_id, tag.id, now_ms()],
        )?;
    }
    Ok(())
}

fn remove_from_image(
    conn: &Connection,
    image_id: &str,
    names: &[String],
) -> Result<(), SandboxError> {
    for name in names {
        conn.execute(
            "DELETE FROM image_tags WHERE image_id = ?1 AND tag_id IN \
             (SELECT id FROM tags WHERE name = ?2 COLLATE NOCASE)",
            params![image_id, name],
        )?;
    }
    Ok(())
}

/// The body of Add/Remove: a JSON list of names, trimmed; blank names are refused.
fn names_from(body: &Bytes) -> Result<Vec<String>, ApiError> {
    let names: Vec<String> = serde_json::from_slice::<Vec<String>>(body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body must be a JSON list of tag names such as [\"summer\", \"prints\"]: {e}"
        ))
    })?;
    names.iter().map(|n| checked_name(n)).collect()
}

fn checked_name(raw: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ApiError::invalid_field(
            "name",
            "A tag name cannot be blank",
        ));
    }
    if name.chars().count() > MAX_NAME {
        return Err(ApiError::invalid_field(
            "name",
            format!("A tag name is at most {MAX_NAME} characters; '{name}' is longer"),
        ));
    }
    Ok(name.to_owned())
}

fn wire_list(tags: &[TagRow]) -> Value {
    tags.iter().map(TagRow::to_wire).collect()
}

/// `GET Tag/Image/List`: every Image tag of the company.
pub async fn list(State(app): State<Arc<AppState>>) -> ApiResult {
    let tags = app.store.call(|c| all_tags(c)).await?;
    Ok(Json(wire_list(&tags)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    integration: Option<String>,
}

/// `POST Tag/Image/Create` `{name, integration, shareWith}`: the new tag.
pub async fn create(State(app): State<Arc<AppState>>, body: Bytes) -> ApiResult {
    let body: CreateBody = json_body(&body)?;
    let name = checked_name(body.name.as_deref().unwrap_or(""))?;
    let integration = body.integration.filter(|i| !i.trim().is_empty());
    let tag = app
        .store
        .call(move |c| -> Result<TagRow, ApiError> {
            if find_by_name(c, &name)?.is_some() {
                return Err(ApiError::invalid_field(
                    "name",
                    format!("A tag named '{name}' already exists"),
                ));
            }
            Ok(insert_tag(c, &name, integration.as_deref())?)
        })
        .await?;
    Ok(Json(tag.to_wire()))
}

/// `GET Tag/Header/{id}`: the image's tags.
pub async fn of_image(
    State(app): State<Arc<AppState>>,
    Path((_c, id)): Path<(String, String)>,
) -> ApiResult {
    let image = live_image(&app, &id).await?;
    let tags = app.store.call(move |c| tags_of(c, &image.id)).await?;
    Ok(Json(wire_list(&tags)))
}

/// `POST Tag/Header/{id}/Add` with names: the image's tags afterwards.
pub async fn add(
    State(app): State<Arc<AppState>>,
    Path((_c, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    change(&app, &id, &body, true).await
}

/// `POST Tag/Header/{id}/Remove` with names: the image's tags afterwards. Names the image does
/// not have are ignored (removing is idempotent).
pub async fn remove(
    State(app): State<Arc<AppState>>,
    Path((_c, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    change(&app, &id, &body, false).await
}

async fn change(app: &AppState, id: &str, body: &Bytes, adding: bool) -> ApiResult {
    let names = names_from(body)?;
    let image = live_image(app, id).await?;
    let tags = app
        .store
        .call(move |c| -> Result<Vec<TagRow>, SandboxError> {
            let tx = c.transaction()?;
            if adding {
                add_to_image(&tx, &image.id, &names)?;
            } else {
                remove_from_image(&tx, &image.id, &names)?;
            }
            let tags = tags_of(&tx, &image.id)?;
            tx.commit()?;
            Ok(tags)
        })
        .await?;
    Ok(Json(wire_list(&tags)))
}
