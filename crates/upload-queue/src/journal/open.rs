//! Opening the journal. A journal whose content cannot be used (not a database, corrupt,
//! written by a newer version) is moved aside with a timestamp and a fresh one is started,
//! so the app still starts; the caller is told where the old one went. Problems of the
//! place (no permission, disk full, locked) are reported instead: moving would not help.

use super::{schema, JobRecord, Journal};
use crate::error::{Error, Result};
use rusqlite::{Connection, ErrorCode};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The journal found at open could not be used and was moved aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalNotice {
    pub moved_to: PathBuf,
    /// What was wrong with it.
    pub reason: String,
}

impl std::fmt::Display for JournalNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "The upload journal could not be read ({}). It was moved to {} and a new one was \
             started; uploads listed only in the old one are not resumed. Keep the old file \
             if you need to know what it held.",
            self.reason.trim_end_matches('.'),
            self.moved_to.display()
        )
    }
}

/// An open journal with the rows the list shows.
pub struct Opened {
    pub journal: Journal,
    pub visible: Vec<JobRecord>,
    pub notice: Option<JournalNotice>,
}

impl Journal {
    /// Opens (or creates) the journal at `path`, moving an unusable one aside.
    pub fn open(path: &Path) -> Result<Opened> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::JournalPath {
                path: path.to_path_buf(),
                message: format!("cannot create its folder: {e}"),
            })?;
        }
        match open_checked(path) {
            Ok((journal, visible)) => Ok(Opened {
                journal,
                visible,
                notice: None,
            }),
            Err(e) if content_is_unusable(&e) => {
                let moved_to = move_aside(path)?;
                tracing::warn!(
                    "upload journal {} unusable ({e}); moved to {}",
                    path.display(),
                    moved_to.display()
                );
                let (journal, visible) = open_checked(path)?;
                Ok(Opened {
                    journal,
                    visible,
                    notice: Some(JournalNotice {
                        moved_to,
                        reason: e.to_string(),
                    }),
                })
            }
            Err(e) => Err(e),
        }
    }
}

/// Opens, migrates and reads the visible rows, so a journal that opens is one we can use.
fn open_checked(path: &Path) -> Result<(Journal, Vec<JobRecord>)> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    schema::migrate(&conn)?;
    let journal = Journal {
        conn: Mutex::new(conn),
    };
    let visible = journal.load_visible()?;
    Ok((journal, visible))
}

/// The file's content is the problem (rather than where it lives or what holds it).
fn content_is_unusable(e: &Error) -> bool {
    match e {
        Error::JournalTooNew { .. } => true,
        Error::Journal(rusqlite::Error::SqliteFailure(f, _)) => !matches!(
            f.code,
            ErrorCode::CannotOpen
                | ErrorCode::ReadOnly
                | ErrorCode::DiskFull
                | ErrorCode::SystemIoFailure
                | ErrorCode::PermissionDenied
                | ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::OutOfMemory
                | ErrorCode::FileLockingProtocolFailed
        ),
        // Rows or columns that do not fit this version's reading of them.
        Error::Journal(_) => true,
        _ => false,
    }
}

/// Renames the journal (and its WAL and shared-memory files) to
/// `<name>.unreadable-<UTC timestamp>`; returns the new path of the main file.
fn move_aside(path: &Path) -> Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S%.3f");
    let with_suffix = |p: &Path, suffix: &str| {
        let mut name = p.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let moved_to = with_suffix(path, &format!(".unreadable-{stamp}"));
    for extra in ["", "-wal", "-shm"] {
        let from = with_suffix(path, extra);
        if !from.exists() {
            continue;
        }
        std::fs::rename(&from, with_suffix(&moved_to, extra)).map_err(|e| Error::JournalPath {
            path: from.clone(),
            message: format!("it cannot be read and could not be moved aside: {e}"),
        })?;
    }
    Ok(moved_to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_a_journal_is_moved_aside_and_a_new_one_starts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("uploads.sqlite");
        std::fs::write(&path, b"this is not a database, just some text in the way").unwrap();
        let opened = Journal::open(&path).unwrap();
        let notice = opened.notice.expect("told where the old journal went");
        assert!(opened.visible.is_empty());
        assert_eq!(
            std::fs::read(&notice.moved_to).unwrap(),
            b"this is not a database, just some text in the way"
        );
        let text = notice.to_string();
        assert!(
            text.contains(&notice.moved_to.display().to_string()),
            "{text}"
        );
        assert!(text.contains("not a database"), "{text}");
    }

    #[test]
    fn a_journal_from_a_newer_version_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("uploads.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
                .unwrap();
        }
        let notice = Journal::open(&path).unwrap().notice.unwrap();
        assert!(notice.reason.contains("schema version 99"), "{notice:?}");
        let old = Connection::open(&notice.moved_to).unwrap();
        let v: i64 = old
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 99, "the old journal is kept as it was");
    }

    #[test]
    fn a_version_1_journal_is_migrated_and_its_rows_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("uploads.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(&format!(
                "BEGIN; {} PRAGMA user_version = 1; COMMIT;",
                schema_v1()
            ))
            .unwrap();
            conn.execute(
                "INSERT INTO jobs (id, seq, batch_id, source_kind, source, target_kind, target_id,
                    file_name, state, upload_sent, created_at_ms, updated_at_ms)
                 VALUES ('a', 1, 'b', 'path', '/x.png', 'newImage', 'f', 'x.png', 'uploading', 1, 1, 1)",
                [],
            )
            .unwrap();
        }
        let opened = Journal::open(&path).unwrap();
        assert!(opened.notice.is_none());
        let rows = opened.visible;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].server_key, None, "old rows have no server");
        assert!(rows[0].upload_sent && rows[0].body_sent, "{:?}", rows[0]);
    }

    /// A journal written before field values existed (version 2, no `fields` column) opens,
    /// its jobs read as having no field values, and new ones keep theirs.
    #[test]
    fn a_version_2_journal_without_fields_loads_and_takes_fields_after() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("uploads.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(&format!(
                "BEGIN; {} {} PRAGMA user_version = 2; COMMIT;",
                schema::MIGRATION_1,
                schema::MIGRATION_2
            ))
            .unwrap();
            conn.execute(
                "INSERT INTO jobs (id, seq, batch_id, source_kind, source, target_kind, target_id,
                    file_name, header_number, header_name, state, created_at_ms, updated_at_ms,
                    server_key, body_sent)
                 VALUES ('old', 1, 'b', 'path', '/x.png', 'newImage', 'f', 'x.png', 'x', 'x',
                    'queued', 1, 1, 'k', 0)",
                [],
            )
            .unwrap();
        }
        let opened = Journal::open(&path).unwrap();
        assert!(opened.notice.is_none(), "{:?}", opened.notice);
        assert_eq!(opened.visible.len(), 1);
        let old = opened.visible[0].clone();
        assert_eq!(old.state, crate::job::JobState::Queued);
        assert!(old.fields.is_empty(), "{old:?}");

        let mut new = old.clone();
        new.id = "new".into();
        new.seq = 2;
        new.fields = vec![
            crate::job::FieldValue::new("season", "Fall"),
            crate::job::FieldValue::new("colors", serde_json::json!(["Red", "Blue"])),
        ];
        opened.journal.save(&new).unwrap();
        drop(opened);
        let rows = Journal::open(&path).unwrap().visible;
        assert_eq!(rows, vec![old, new]);
    }

    /// Field values the journal cannot read stop the job rather than create the image
    /// without them.
    #[test]
    fn unreadable_field_values_stop_the_job() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("uploads.sqlite");
        {
            let opened = Journal::open(&path).unwrap();
            let conn = opened.journal.conn();
            conn.execute(
                "INSERT INTO jobs (id, seq, batch_id, source_kind, source, target_kind, target_id,
                    file_name, state, created_at_ms, updated_at_ms, fields)
                 VALUES ('a', 1, 'b', 'path', '/x.png', 'newImage', 'f', 'x.png', 'queued', 1, 1,
                    'not json')",
                [],
            )
            .unwrap();
        }
        let rows = Journal::open(&path).unwrap().visible;
        assert!(rows[0].state.is_permanent_failure(), "{:?}", rows[0].state);
        assert!(rows[0].state.reason().unwrap().contains("field values"));
    }

    fn schema_v1() -> &'static str {
        schema::MIGRATION_1
    }
}
