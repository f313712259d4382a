//! The SQLite journal: one row per job, written BEFORE each network step and the
//! moment each server id arrives, so a crash never loses what was sent.
//!
//! WAL mode with `synchronous=FULL`: every commit is on disk before we go on to the
//! network. With NORMAL a power cut could drop the last commits (e.g. "create sent"),
//! and a resend would then make a duplicate image. The cost is one fsync per step, a
//! few per file, which is nothing next to an upload.

mod lock;
mod open;
mod schema;

pub use lock::JournalLock;
pub use open::JournalNotice;

use crate::error::Result;
use crate::job::{FieldValue, JobRequest, JobState, Source, Target};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::path::PathBuf;
use std::sync::Mutex;

/// A job as persisted. The queue keeps one in memory per job and saves it whole.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: String,
    pub seq: i64,
    pub batch_id: String,
    pub source: Source,
    pub target: Target,
    /// For a new image: the field values it is created with (set at enqueue, never changed).
    pub fields: Vec<FieldValue>,
    pub file_name: String,
    pub header_number: Option<String>,
    pub header_name: Option<String>,
    pub size: Option<u64>,
    pub mtime_ns: Option<i64>,
    pub sha256: Option<String>,
    pub state: JobState,
    pub duplicate_of: Option<String>,
    pub send_anyway: bool,
    pub image_id: Option<String>,
    pub create_sent: bool,
    pub pre_upload: Option<String>,
    pub upload_sent: bool,
    pub upload_id: Option<String>,
    /// The upload's last byte was handed to the network (journaled before it went): while
    /// false, an upload whose answer never came cannot have reached the server whole.
    pub body_sent: bool,
    /// A lost upload answer is watched for on the image until then (ms since the epoch).
    pub watch_until_ms: Option<i64>,
    /// The server this job belongs to (`Client::server_key`).
    pub server_key: Option<String>,
    pub attempts: u32,
    pub cleared: bool,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl JobRecord {
    /// A job as first journaled: queued, nothing known about it on the server, nothing sent.
    pub fn queued(
        id: String,
        seq: i64,
        batch_id: String,
        request: JobRequest,
        file_name: String,
        now_ms: i64,
    ) -> JobRecord {
        JobRecord {
            id,
            seq,
            batch_id,
            source: request.source,
            target: request.target,
            fields: request.fields,
            file_name,
            header_number: None,
            header_name: None,
            size: None,
            mtime_ns: None,
            sha256: None,
            state: JobState::Queued,
            duplicate_of: None,
            send_anyway: false,
            image_id: None,
            create_sent: false,
            pre_upload: None,
            upload_sent: false,
            upload_id: None,
            body_sent: false,
            watch_until_ms: None,
            server_key: None,
            attempts: 0,
            cleared: false,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        }
    }
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub struct Journal {
    conn: Mutex<Connection>,
}

fn source_parts(source: &Source) -> (&'static str, String) {
    match source {
        Source::Path { path } => ("path", path.to_string_lossy().into_owned()),
        Source::Url { url } => ("url", url.clone()),
    }
}

pub fn target_parts(target: &Target) -> (&'static str, &str) {
    match target {
        Target::Version { image_id } => ("version", image_id),
        Target::NewImage { folder_id } => ("newImage", folder_id),
    }
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<JobRecord> {
    let source_kind: String = row.get("source_kind")?;
    let source_text: String = row.get("source")?;
    let source = if source_kind == "url" {
        Source::Url { url: source_text }
    } else {
        Source::Path {
            path: PathBuf::from(source_text),
        }
    };
    let target_kind: String = row.get("target_kind")?;
    let target_id: String = row.get("target_id")?;
    let target = if target_kind == "version" {
        Target::Version {
            image_id: target_id,
        }
    } else {
        Target::NewImage {
            folder_id: target_id,
        }
    };
    let state_name: String = row.get("state")?;
    let reason: Option<String> = row.get("reason")?;
    let permanent: bool = row.get("permanent")?;
    let mut state = JobState::from_parts(&state_name, reason, permanent).unwrap_or_else(|| {
        JobState::failed(format!("the journal holds an unknown state '{state_name}'"))
    });
    let fields_text: Option<String> = row.get("fields")?;
    let fields = match fields_text
        .as_deref()
        .map(serde_json::from_str::<Vec<FieldValue>>)
    {
        None => Vec::new(),
        Some(Ok(fields)) => fields,
        // Creating the image without its values would silently drop them: the job stops.
        Some(Err(e)) => {
            if !state.is_finished() {
                state = JobState::refused(format!(
                    "the journal's field values for this file cannot be read ({e}); queue the file again"
                ));
            }
            Vec::new()
        }
    };
    Ok(JobRecord {
        id: row.get("id")?,
        seq: row.get("seq")?,
        batch_id: row.get("batch_id")?,
        source,
        target,
        fields,
        file_name: row.get("file_name")?,
        header_number: row.get("header_number")?,
        header_name: row.get("header_name")?,
        size: row.get::<_, Option<i64>>("size")?.map(|s| s as u64),
        mtime_ns: row.get("mtime_ns")?,
        sha256: row.get("sha256")?,
        state,
        duplicate_of: row.get("duplicate_of")?,
        send_anyway: row.get("send_anyway")?,
        image_id: row.get("image_id")?,
        create_sent: row.get("create_sent")?,
        pre_upload: row.get("pre_upload")?,
        upload_sent: row.get("upload_sent")?,
        upload_id: row.get("upload_id")?,
        body_sent: row.get("body_sent")?,
        watch_until_ms: row.get("watch_until_ms")?,
        server_key: row.get("server_key")?,
        attempts: row.get("attempts")?,
        cleared: row.get("cleared")?,
        created_at_ms: row.get("created_at_ms")?,
        updated_at_ms: row.get("updated_at_ms")?,
    })
}

const UPSERT: &str = "
INSERT INTO jobs (id, seq, batch_id, source_kind, source, target_kind, target_id, file_name,
    header_number, header_name, size, mtime_ns, sha256, state, reason, duplicate_of, send_anyway,
    image_id, create_sent, pre_upload, upload_sent, upload_id, attempts, cleared,
    created_at_ms, updated_at_ms, permanent, body_sent, watch_until_ms, server_key, fields)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
    ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)
ON CONFLICT(id) DO UPDATE SET
    header_number = excluded.header_number, header_name = excluded.header_name,
    size = excluded.size, mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256,
    state = excluded.state, reason = excluded.reason, duplicate_of = excluded.duplicate_of,
    send_anyway = excluded.send_anyway, image_id = excluded.image_id,
    create_sent = excluded.create_sent, pre_upload = excluded.pre_upload,
    upload_sent = excluded.upload_sent, upload_id = excluded.upload_id,
    attempts = excluded.attempts, cleared = excluded.cleared, updated_at_ms = excluded.updated_at_ms,
    permanent = excluded.permanent, body_sent = excluded.body_sent,
    watch_until_ms = excluded.watch_until_ms, server_key = excluded.server_key
";

fn write(conn: &Connection, r: &JobRecord) -> rusqlite::Result<()> {
    let (source_kind, source) = source_parts(&r.source);
    let (target_kind, target_id) = target_parts(&r.target);
    let fields = if r.fields.is_empty() {
        None
    } else {
        // A Vec of plain JSON values always serialises.
        serde_json::to_string(&r.fields).ok()
    };
    conn.prepare_cached(UPSERT)?.execute(params![
        r.id,
        r.seq,
        r.batch_id,
        source_kind,
        source,
        target_kind,
        target_id,
        r.file_name,
        r.header_number,
        r.header_name,
        r.size.map(|s| s as i64),
        r.mtime_ns,
        r.sha256,
        r.state.name(),
        r.state.reason(),
        r.duplicate_of,
        r.send_anyway,
        r.image_id,
        r.create_sent,
        r.pre_upload,
        r.upload_sent,
        r.upload_id,
        r.attempts,
        r.cleared,
        r.created_at_ms,
        r.updated_at_ms,
        r.state.is_permanent_failure(),
        r.body_sent,
        r.watch_until_ms,
        r.server_key,
        fields,
    ])?;
    Ok(())
}

impl Journal {
    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable; keep going.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Saves one job (insert or full update).
    pub fn save(&self, record: &JobRecord) -> Result<()> {
        write(&self.conn(), record)?;
        Ok(())
    }

    /// Saves many jobs in one transaction (a dropped batch, a clear).
    pub fn save_all<'a>(&self, records: impl IntoIterator<Item = &'a JobRecord>) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for r in records {
            write(&tx, r)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Jobs not cleared from the list, in the order they were queued.
    pub fn load_visible(&self) -> Result<Vec<JobRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT * FROM jobs WHERE cleared = 0 ORDER BY seq")?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// A small real write, to learn whether the journal can be written again.
    pub fn probe(&self) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO health (id, probed_at_ms) VALUES (1, ?1)
                 ON CONFLICT(id) DO UPDATE SET probed_at_ms = excluded.probed_at_ms",
            )?
            .execute([now_ms()])?;
        Ok(())
    }

    pub fn next_seq(&self) -> Result<i64> {
        let conn = self.conn();
        Ok(
            conn.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs", [], |r| {
                r.get(0)
            })?,
        )
    }

    /// Another job with the same content for the same target that is done or on its way
    /// (cleared jobs count: clearing the list does not forget what was uploaded).
    pub fn find_same_content(
        &self,
        sha256: &str,
        target: &Target,
        except_id: &str,
    ) -> Result<Option<String>> {
        let (kind, id) = target_parts(target);
        let conn = self.conn();
        let found = conn
            .prepare_cached(
                "SELECT id FROM jobs WHERE sha256 = ?1 AND id <> ?4
                   AND state IN ('queued','checking','creating','uploading','processing','done')
                   AND ((target_kind = ?2 AND target_id = ?3)
                        OR (?2 = 'version' AND image_id = ?3))
                 ORDER BY seq LIMIT 1",
            )?
            .query_row(params![sha256, kind, id, except_id], |r| r.get(0))
            .optional()?;
        Ok(found)
    }

    /// Whether any job (in any folder, ever) has assigned this header number.
    pub fn number_taken(&self, number: &str, except_id: &str) -> Result<bool> {
        let conn = self.conn();
        let found: Option<i64> = conn
            .prepare_cached("SELECT 1 FROM jobs WHERE header_number = ?1 AND id <> ?2 LIMIT 1")?
            .query_row(params![number, except_id], |r| r.get(0))
            .optional()?;
        Ok(found.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn record(id: &str, seq: i64, sha: &str, target: Target) -> JobRecord {
        JobRecord {
            header_number: Some(id.to_uppercase()),
            header_name: Some(id.into()),
            size: Some(10),
            mtime_ns: Some(5),
            sha256: Some(sha.into()),
            server_key: Some("k1".into()),
            ..JobRecord::queued(
                id.into(),
                seq,
                "b1".into(),
                JobRequest::file(format!("/tmp/{id}.png"), target),
                format!("{id}.png"),
                1,
            )
        }
    }

    fn folder(id: &str) -> Target {
        Target::NewImage {
            folder_id: id.into(),
        }
    }

    #[test]
    fn round_trips_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/journal.sqlite");
        let mut a = record("a", 1, "h1", folder("f1"));
        {
            let j = Journal::open(&path).unwrap().journal;
            j.save(&a).unwrap();
            a.create_sent = true;
            a.state = JobState::refused("server said no");
            a.body_sent = true;
            a.watch_until_ms = Some(77);
            j.save(&a).unwrap();
        }
        let j = Journal::open(&path).unwrap().journal;
        assert_eq!(j.load_visible().unwrap(), vec![a]);
        assert_eq!(j.next_seq().unwrap(), 2);
        let mode: String = j
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn finds_same_content_for_the_same_target_only() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(&dir.path().join("j.sqlite")).unwrap().journal;
        let mut done = record("a", 1, "h1", folder("f1"));
        done.state = JobState::Done;
        done.image_id = Some("img-1".into());
        done.cleared = true;
        let mut failed = record("b", 2, "h2", folder("f1"));
        failed.state = JobState::failed("x");
        j.save_all([&done, &failed]).unwrap();

        assert_eq!(
            j.find_same_content("h1", &folder("f1"), "new").unwrap(),
            Some("a".into())
        );
        assert_eq!(
            j.find_same_content("h1", &folder("f2"), "new").unwrap(),
            None
        );
        assert_eq!(
            j.find_same_content("h2", &folder("f1"), "new").unwrap(),
            None
        );
        let version = Target::Version {
            image_id: "img-1".into(),
        };
        assert_eq!(
            j.find_same_content("h1", &version, "new").unwrap(),
            Some("a".into())
        );
        assert_eq!(j.find_same_content("h1", &folder("f1"), "a").unwrap(), None);
        assert!(j.number_taken("A", "new").unwrap());
        assert!(!j.number_taken("A", "a").unwrap());
        assert!(j.load_visible().unwrap().iter().all(|r| r.id == "b"));
    }
}
