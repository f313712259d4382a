//! The journal's tables and their migrations (`PRAGMA user_version` counts them).

use crate::error::{Error, Result};
use rusqlite::Connection;

pub const SCHEMA_VERSION: i64 = 3;

pub(super) const MIGRATION_1: &str = "
CREATE TABLE jobs (
    id             TEXT PRIMARY KEY,
    seq            INTEGER NOT NULL,
    batch_id       TEXT NOT NULL,
    source_kind    TEXT NOT NULL,          -- 'path' | 'url'
    source         TEXT NOT NULL,
    target_kind    TEXT NOT NULL,          -- 'version' | 'newImage'
    target_id      TEXT NOT NULL,          -- image id or folder id
    file_name      TEXT NOT NULL,
    header_number  TEXT,
    header_name    TEXT,
    size           INTEGER,
    mtime_ns       INTEGER,
    sha256         TEXT,
    state          TEXT NOT NULL,
    reason         TEXT,
    duplicate_of   TEXT,
    send_anyway    INTEGER NOT NULL DEFAULT 0,
    image_id       TEXT,
    create_sent    INTEGER NOT NULL DEFAULT 0, -- a create may be on the server, no image id yet
    pre_upload     TEXT,                       -- the image as it was before our upload (JSON)
    upload_sent    INTEGER NOT NULL DEFAULT 0, -- an upload may be on the server, no upload id yet
    upload_id      TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    cleared        INTEGER NOT NULL DEFAULT 0, -- hidden from the list, kept for duplicate checks
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL
);
CREATE INDEX jobs_by_sha ON jobs(sha256);
CREATE INDEX jobs_by_number ON jobs(header_number);
CREATE INDEX jobs_by_state ON jobs(state, cleared);
";

/// Rows written before version 2 have no server: the first client that proves the job's
/// folder or image is on its server adopts them (see `worker::adopt`). They also predate
/// `body_sent`, so an upload marker from then counts as "the whole body may have gone out".
pub(super) const MIGRATION_2: &str = "
ALTER TABLE jobs ADD COLUMN server_key TEXT;
ALTER TABLE jobs ADD COLUMN body_sent INTEGER NOT NULL DEFAULT 1;
ALTER TABLE jobs ADD COLUMN watch_until_ms INTEGER;
ALTER TABLE jobs ADD COLUMN permanent INTEGER NOT NULL DEFAULT 0;
CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1), probed_at_ms INTEGER NOT NULL);
";

/// The field values a new image is created with (a JSON array of `FieldValue`); NULL on
/// rows written before version 3, which read as "no fields".
const MIGRATION_3: &str = "
ALTER TABLE jobs ADD COLUMN fields TEXT;
";

const MIGRATIONS: [&str; 3] = [MIGRATION_1, MIGRATION_2, MIGRATION_3];

/// Brings the journal to `SCHEMA_VERSION`, one transaction per step.
pub fn migrate(conn: &Connection) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Error::JournalTooNew {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    for (done, migration) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        let next = done + 1;
        conn.execute_batch(&format!(
            "BEGIN; {migration} PRAGMA user_version = {next}; COMMIT;"
        ))?;
    }
    Ok(())
}
