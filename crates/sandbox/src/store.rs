//! SQLite storage: folders, image headers, files, uploads and tokens.
//!
//! One connection behind a mutex; async callers go through [`Store::call`], which runs the
//! closure on the blocking pool so the runtime stays responsive.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::{Map, Value};

use crate::error::SandboxError;
use crate::schema::FieldDef;

const SCHEMA_SQL: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS folders (
    id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL,
    description TEXT NOT NULL, active INTEGER NOT NULL, schema_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS images (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE, folder_id TEXT NOT NULL, header_number TEXT NOT NULL,
    version INTEGER NOT NULL, values_json TEXT NOT NULL, preview_file TEXT,
    created_at INTEGER NOT NULL, modified_at INTEGER NOT NULL, folder_modified_at INTEGER NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS images_by_folder ON images(folder_id, is_deleted);
CREATE INDEX IF NOT EXISTS images_by_number ON images(header_number);
CREATE TABLE IF NOT EXISTS files (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE, image_id TEXT NOT NULL, file_name TEXT NOT NULL,
    original_path TEXT NOT NULL, preview_path TEXT NOT NULL, size INTEGER NOT NULL,
    created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS files_by_image ON files(image_id);
CREATE TABLE IF NOT EXISTS uploads (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE, image_id TEXT NOT NULL, file_name TEXT NOT NULL,
    temp_path TEXT NOT NULL, size INTEGER NOT NULL, received_at INTEGER NOT NULL,
    state TEXT NOT NULL, message TEXT);
CREATE INDEX IF NOT EXISTS uploads_by_image ON uploads(image_id, state);
CREATE TABLE IF NOT EXISTS tags (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE, integration TEXT, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS image_tags (
    image_id TEXT NOT NULL, tag_id TEXT NOT NULL, added_at INTEGER NOT NULL,
    PRIMARY KEY (image_id, tag_id));
CREATE TABLE IF NOT EXISTS comments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, image_id TEXT NOT NULL,
    body TEXT NOT NULL, author_id TEXT NOT NULL, author_name TEXT NOT NULL,
    created_at INTEGER NOT NULL, modified_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS comments_by_image ON comments(image_id);
CREATE TABLE IF NOT EXISTS access_tokens (token TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS refresh_tokens (token TEXT PRIMARY KEY);
";

#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    data_dir: PathBuf,
}

impl Store {
    pub fn open(data_dir: &Path) -> Result<Store, SandboxError> {
        for sub in ["files", "incoming"] {
            let dir = data_dir.join(sub);
            std::fs::create_dir_all(&dir).map_err(|e| SandboxError::DataDir {
                path: dir.display().to_string(),
                message: e.to_string(),
            })?;
        }
        let conn = Connection::open(data_dir.join("sandbox.sqlite3"))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA_SQL)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            data_dir: data_dir.to_path_buf(),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Runs `f` with the connection on the blocking thread pool.
    pub async fn call<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<SandboxError> + Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| E::from(SandboxError::Internal(format!("database task failed: {e}"))))?
    }

    /// Runs `f` on the calling thread (start-up and test hooks only).
    pub fn call_sync<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        let mut guard = self
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }
}

// ---------- folders ----------

#[derive(Debug, Clone)]
pub struct Folder {
    pub id: String,
    pub name: String,
    pub description: String,
    pub active: bool,
    pub fields: Vec<FieldDef>,
}

impl Folder {
    pub fn field(&self, id: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.id.eq_ignore_ascii_case(id))
    }
}

pub fn insert_folder(
    conn: &Connection,
    folder: &Folder,
    position: i64,
) -> Result<(), SandboxError> {
    let schema =
        serde_json::to_string(&folder.fields).map_err(|e| SandboxError::Internal(e.to_string()))?;
    conn.execute(
        "INSERT INTO folders (id, position, name, description, active, schema_json) VALUES (?1,?2,?3,?4,?5,?6)",
        params![folder.id, position, folder.name, folder.description, folder.active, schema],
    )?;
    Ok(())
}

pub fn set_folder_fields(
    conn: &Connection,
    id: &str,
    fields: &[FieldDef],
) -> Result<(), SandboxError> {
    let schema =
        serde_json::to_string(fields).map_err(|e| SandboxError::Internal(e.to_string()))?;
    conn.execute(
        "UPDATE folders SET schema_json = ?2 WHERE id = ?1",
        params![id, schema],
    )?;
    Ok(())
}

pub fn folders(conn: &Connection) -> Result<Vec<Folder>, SandboxError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, description, active, schema_json FROM folders ORDER BY position",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, description, active, schema) = row?;
        let fields = serde_json::from_str(&schema)
            .map_err(|e| SandboxError::Internal(format!("folder {id} has a broken schema: {e}")))?;
        out.push(Folder {
            id,
            name,
            description,
            active,
            fields,
        });
    }
    Ok(out)
}

pub fn folder(conn: &Connection, id: &str) -> Result<Option<Folder>, SandboxError> {
    Ok(folders(conn)?
        .into_iter()
        .find(|f| f.id.eq_ignore_ascii_case(id)))
}

// ---------- images ----------

#[derive(Debug, Clone)]
pub struct ImageRow {
    pub id: String,
    pub folder_id: String,
    pub header_number: String,
    pub version: i64,
    /// Field values by field id (header_number and header_name included).
    pub values: Map<String, Value>,
    pub preview_file: Option<String>,
    pub created_at: i64,
    pub modified_at: i64,
    pub folder_modified_at: i64,
    pub is_deleted: bool,
}

const IMAGE_COLUMNS: &str = "id, folder_id, header_number, version, values_json, preview_file, \
     created_at, modified_at, folder_modified_at, is_deleted";

fn image_from_row(r: &Row<'_>) -> rusqlite::Result<ImageRow> {
    let values_json: String = r.get(4)?;
    let values = serde_json::from_str::<Map<String, Value>>(&values_json).unwrap_or_default();
    Ok(ImageRow {
        id: r.get(0)?,
        folder_id: r.get(1)?,
        header_number: r.get(2)?,
        version: r.get(3)?,
        values,
        preview_file: r.get(5)?,
        created_at: r.get(6)?,
        modified_at: r.get(7)?,
        folder_modified_at: r.get(8)?,
        is_deleted: r.get(9)?,
    })
}

pub fn get_image(conn: &Connection, id: &str) -> Result<Option<ImageRow>, SandboxError> {
    let sql = format!("SELECT {IMAGE_COLUMNS} FROM images WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], image_from_row)
        .optional()?)
}

/// Images newest first; `folder_id = None` means every folder.
pub fn list_images(
    conn: &Connection,
    folder_id: Option<&str>,
    include_deleted: bool,
) -> Result<Vec<ImageRow>, SandboxError> {
    let sql = format!(
        "SELECT {IMAGE_COLUMNS} FROM images WHERE (?1 IS NULL OR folder_id = ?1) \
         AND (?2 OR is_deleted = 0) ORDER BY seq DESC"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![folder_id, include_deleted], image_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn count_images(conn: &Connection, folder_id: Option<&str>) -> Result<u64, SandboxError> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM images WHERE (?1 IS NULL OR folder_id = ?1) AND is_deleted = 0",
        params![folder_id],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

pub fn number_in_use(
    conn: &Connection,
    number: &str,
    except_id: Option<&str>,
) -> Result<bool, SandboxError> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM images WHERE header_number = ?1 COLLATE NOCASE AND is_deleted = 0 \
         AND (?2 IS NULL OR id <> ?2)",
        params![number, except_id],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Next automatic header number, e.g. `IMG-000123`.
pub fn next_header_number(conn: &Connection) -> Result<String, SandboxError> {
    let current: i64 = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'next_number'",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut n = current;
    loop {
        let candidate = format!("IMG-{n:06}");
        n += 1;
        if !number_in_use(conn, &candidate, None)? {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('next_number', ?1) \
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [n.to_string()],
            )?;
            return Ok(candidate);
        }
    }
}

pub fn insert_image(conn: &Connection, image: &ImageRow) -> Result<(), SandboxError> {
    let values = Value::Object(image.values.clone()).to_string();
    conn.prepare_cached(
        "INSERT INTO images (id, folder_id, header_number, version, values_json, preview_file, \
         created_at, modified_at, folder_modified_at, is_deleted) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    )?
    .execute(params![
        image.id,
        image.folder_id,
        image.header_number,
        image.version,
        values,
        image.preview_file,
        image.created_at,
        image.modified_at,
        image.folder_modified_at,
        image.is_deleted
    ])?;
    Ok(())
}

pub fn save_image(conn: &Connection, image: &ImageRow) -> Result<(), SandboxError> {
    let values = Value::Object(image.values.clone()).to_string();
    conn.execute(
        "UPDATE images SET header_number = ?2, version = ?3, values_json = ?4, preview_file = ?5, \
         modified_at = ?6, folder_modified_at = ?7, is_deleted = ?8 WHERE id = ?1",
        params![
            image.id,
            image.header_number,
            image.version,
            values,
            image.preview_file,
            image.modified_at,
            image.folder_modified_at,
            image.is_deleted
        ],
    )?;
    Ok(())
}

// ---------- files ----------

#[derive(Debug, Clone)]
pub struct FileRow {
    pub id: String,
    pub image_id: String,
    pub file_name: String,
    /// Paths relative to the data folder.
    pub original_path: String,
    pub preview_path: String,
    pub size: i64,
    pub created_at: i64,
}

fn file_from_row(r: &Row<'_>) -> rusqlite::Result<FileRow> {
    Ok(FileRow {
        id: r.get(0)?,
        image_id: r.get(1)?,
        file_name: r.get(2)?,
        original_path: r.get(3)?,
        preview_path: r.get(4)?,
        size: r.get(5)?,
        created_at: r.get(6)?,
    })
}

pub fn insert_file(conn: &Connection, file: &FileRow) -> Result<(), SandboxError> {
    conn.prepare_cached(
        "INSERT INTO files (id, image_id, file_name, original_path, preview_path, size, created_at) \
         VALUES (?1,?2,?3,?4,?5,?6,?7)",
    )?
    .execute(params![
        file.id,
        file.image_id,
        file.file_name,
        file.original_path,
        file.preview_path,
        file.size,
        file.created_at
    ])?;
    Ok(())
}

pub fn get_file(conn: &Connection, id: &str) -> Result<Option<FileRow>, SandboxError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, image_id, file_name, original_path, preview_path, size, created_at FROM files WHERE id = ?1",
        )?
        .query_row([id], file_from_row)
        .optional()?)
}

/// Stored names of an image's files.
pub fn file_names_of(conn: &Connection, image_id: &str) -> Result<Vec<String>, SandboxError> {
    let mut stmt = conn.prepare_cached("SELECT file_name FROM files WHERE image_id = ?1")?;
    let names = stmt.query_map([image_id], |r| r.get(0))?;
    Ok(names.collect::<Result<Vec<_>, _>>()?)
}

/// Files of the given images in upload order.
pub fn files_for(
    conn: &Connection,
    image_ids: &[&str],
) -> Result<HashMap<String, Vec<FileRow>>, SandboxError> {
    let mut out: HashMap<String, Vec<FileRow>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT id, image_id, file_name, original_path, preview_path, size, created_at FROM files \
         WHERE image_id = ?1 ORDER BY seq",
    )?;
    for id in image_ids {
        let rows = stmt.query_map([id], file_from_row)?;
        for row in rows {
            let row = row?;
            out.entry(row.image_id.clone()).or_default().push(row);
        }
    }
    Ok(out)
}

// ---------- uploads ----------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadState {
    Pending,
    Done,
    Failed,
}

impl UploadState {
    fn as_str(self) -> &'static str {
        match self {
            UploadState::Pending => "pending",
            UploadState::Done => "done",
            UploadState::Failed => "failed",
        }
    }
    fn parse(s: &str) -> UploadState {
        match s {
            "done" => UploadState::Done,
            "failed" => UploadState::Failed,
            _ => UploadState::Pending,
        }
    }
}

#[derive(Debug, Clone)]
pub struct UploadRow {
    pub id: String,
    pub image_id: String,
    pub file_name: String,
    pub temp_path: String,
    pub size: i64,
    pub received_at: i64,
    pub state: UploadState,
    /// Why it failed; on a pending upload, the failure decided on receipt (over the size
    /// limit), reported once processing is due.
    pub message: Option<String>,
}

fn upload_from_row(r: &Row<'_>) -> rusqlite::Result<UploadRow> {
    Ok(UploadRow {
        id: r.get(0)?,
        image_id: r.get(1)?,
        file_name: r.get(2)?,
        temp_path: r.get(3)?,
        size: r.get(4)?,
        received_at: r.get(5)?,
        state: UploadState::parse(&r.get::<_, String>(6)?),
        message: r.get(7)?,
    })
}

const UPLOAD_COLUMNS: &str =
    "id, image_id, file_name, temp_path, size, received_at, state, message";

pub fn insert_upload(conn: &Connection, upload: &UploadRow) -> Result<(), SandboxError> {
    conn.execute(
        "INSERT INTO uploads (id, image_id, file_name, temp_path, size, received_at, state, message) \
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
        params![
            upload.id,
            upload.image_id,
            upload.file_name,
            upload.temp_path,
            upload.size,
            upload.received_at,
            upload.state.as_str(),
            upload.message
        ],
    )?;
    Ok(())
}

pub fn get_upload(conn: &Connection, id: &str) -> Result<Option<UploadRow>, SandboxError> {
    let sql = format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = ?1");
    Ok(conn.query_row(&sql, [id], upload_from_row).optional()?)
}

pub fn pending_uploads(conn: &Connection) -> Result<Vec<UploadRow>, SandboxError> {
    let sql = format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE state = 'pending' ORDER BY seq");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], upload_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn finish_upload(
    conn: &Connection,
    id: &str,
    state: UploadState,
    message: Option<&str>,
) -> Result<(), SandboxError> {
    conn.execute(
        "UPDATE uploads SET state = ?2, message = ?3 WHERE id = ?1",
        params![id, state.as_str(), message],
    )?;
    Ok(())
}

// ---------- meta ----------

pub fn meta(conn: &Connection, key: &str) -> Result<Option<String>, SandboxError> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

pub fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<(), SandboxError> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

// ---------- tokens ----------

/// Every refresh and access token issued so far stops working.
pub fn forget_tokens(conn: &Connection) -> Result<(), SandboxError> {
    conn.execute_batch("DELETE FROM refresh_tokens; DELETE FROM access_tokens;")?;
    Ok(())
}

pub fn insert_access_token(
    conn: &Connection,
    token: &str,
    expires_at: i64,
) -> Result<(), SandboxError> {
    conn.execute(
        "DELETE FROM access_tokens WHERE expires_at < ?1",
        [chrono::Utc::now().timestamp_millis()],
    )?;
    conn.execute(
        "INSERT INTO access_tokens (token, expires_at) VALUES (?1, ?2)",
        params![token, expires_at],
    )?;
    Ok(())
}

pub fn access_token_expiry(conn: &Connection, token: &str) -> Result<Option<i64>, SandboxError> {
    Ok(conn
        .prepare_cached("SELECT expires_at FROM access_tokens WHERE token = ?1")?
        .query_row([token], |r| r.get(0))
        .optional()?)
}

pub fn revoke_access_tokens(conn: &Connection) -> Result<(), SandboxError> {
    conn.execute("DELETE FROM access_tokens", [])?;
    Ok(())
}

pub fn refresh_token_known(conn: &Connection, token: &str) -> Result<bool, SandboxError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM refresh_tokens WHERE token = ?1",
            [token],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

pub fn refresh_token_count(conn: &Connection) -> Result<i64, SandboxError> {
    Ok(conn.query_row("SELECT COUNT(*) FROM refresh_tokens", [], |r| r.get(0))?)
}

/// Replaces `old` with `new` (rotation: the old refresh token stops working).
pub fn rotate_refresh_token(conn: &Connection, old: &str, new: &str) -> Result<(), SandboxError> {
    conn.execute("DELETE FROM refresh_tokens WHERE token = ?1", [old])?;
    conn.execute(
        "INSERT OR IGNORE INTO refresh_tokens (token) VALUES (?1)",
        [new],
    )?;
    Ok(())
}

pub fn add_refresh_token(conn: &Connection, token: &str) -> Result<(), SandboxError> {
    conn.execute(
        "INSERT OR IGNORE INTO refresh_tokens (token) VALUES (?1)",
        [token],
    )?;
    Ok(())
}

/// The oldest pending upload of an image (uploads apply in arrival order).
pub fn next_pending_upload(
    conn: &Connection,
    image_id: &str,
) -> Result<Option<UploadRow>, SandboxError> {
    let sql = format!(
        "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE image_id = ?1 AND state = 'pending' ORDER BY seq LIMIT 1"
    );
    Ok(conn
        .query_row(&sql, [image_id], upload_from_row)
        .optional()?)
}
