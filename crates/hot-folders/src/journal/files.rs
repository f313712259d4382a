//! Rows of files taken by a hot folder, and their moves through the upload queue.

use super::{now_ms, FileKey, Journal, RowState};
use crate::error::Result;
use crate::status::Counts;
use rusqlite::{params, OptionalExtension};

/// Where the upload queue has a taken file's job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JobOutcome {
    /// Queued or running.
    Pending,
    Done,
    /// Finished without landing (or gone from the queue); the reason is for the user.
    Failed(String),
}

/// A row whose state changed because of its job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowChange {
    pub hot_id: String,
    pub key: FileKey,
    /// The change was the one to `uploaded` (it happens once per row).
    pub uploaded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TakenRow {
    pub hot_id: String,
    pub key: FileKey,
    pub state: RowState,
    pub job_id: Option<String>,
    pub moved_to: Option<String>,
    /// When the row last changed (for a `taking` row: when the take began).
    pub updated_at_ms: i64,
}

impl Journal {
    /// The file as it is now was taken already (or judged not an image). A rejected file
    /// that was moved to `_rejected/` and put back is looked at again: someone means it.
    pub fn blocks(&self, hot_id: &str, key: &FileKey) -> Result<bool> {
        let row: Option<(String, Option<String>)> = self
            .conn()
            .query_row(
                "SELECT state, moved_to FROM files WHERE hot_id = ?1 AND rel_path = ?2 AND size = ?3 AND mtime_ns = ?4",
                params![hot_id, key.rel, key.size as i64, key.mtime_ns],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match row {
            None => false,
            Some((state, moved_to)) => {
                !(state == RowState::Rejected.as_str() && moved_to.is_some())
            }
        })
    }

    /// Marks the file as being taken, before the planner or the queue see it.
    pub fn begin_take(&self, hot_id: &str, key: &FileKey) -> Result<()> {
        self.conn().execute(
            "INSERT INTO files (hot_id, rel_path, size, mtime_ns, state, updated_at) VALUES (?1, ?2, ?3, ?4, 'taking', ?5)
             ON CONFLICT (hot_id, rel_path, size, mtime_ns) DO UPDATE SET
               state = 'taking', job_id = NULL, reason = NULL, moved_to = NULL, updated_at = ?5",
            params![hot_id, key.rel, key.size as i64, key.mtime_ns, now_ms()],
        )?;
        Ok(())
    }

    pub fn set_taken(&self, hot_id: &str, key: &FileKey, job_id: &str) -> Result<()> {
        self.update(hot_id, key, RowState::Taken, Some(job_id), None)
    }

    pub fn set_ignored(&self, hot_id: &str, key: &FileKey, reason: &str) -> Result<()> {
        self.update(hot_id, key, RowState::Ignored, None, Some(reason))
    }

    /// `moved_to` is `None` when the file could not be moved (it then stays blocked where
    /// it is, so it is not rejected again and again).
    pub fn set_rejected(
        &self,
        hot_id: &str,
        key: &FileKey,
        reason: &str,
        moved_to: Option<&str>,
    ) -> Result<()> {
        self.update(hot_id, key, RowState::Rejected, None, Some(reason))?;
        if let Some(to) = moved_to {
            self.set_moved(hot_id, key, to)?;
        }
        Ok(())
    }

    pub fn set_moved(&self, hot_id: &str, key: &FileKey, moved_to: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE files SET moved_to = ?5, updated_at = ?6 WHERE hot_id = ?1 AND rel_path = ?2 AND size = ?3 AND mtime_ns = ?4",
            params![hot_id, key.rel, key.size as i64, key.mtime_ns, moved_to, now_ms()],
        )?;
        Ok(())
    }

    /// Drops a row that was being taken when the queue refused the whole batch: the file
    /// is tried again.
    pub fn forget(&self, hot_id: &str, key: &FileKey) -> Result<()> {
        self.conn().execute(
            "DELETE FROM files WHERE hot_id = ?1 AND rel_path = ?2 AND size = ?3 AND mtime_ns = ?4",
            params![hot_id, key.rel, key.size as i64, key.mtime_ns],
        )?;
        Ok(())
    }

    fn update(
        &self,
        hot_id: &str,
        key: &FileKey,
        state: RowState,
        job_id: Option<&str>,
        reason: Option<&str>,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE files SET state = ?5, job_id = ?6, reason = ?7, updated_at = ?8
             WHERE hot_id = ?1 AND rel_path = ?2 AND size = ?3 AND mtime_ns = ?4",
            params![
                hot_id,
                key.rel,
                key.size as i64,
                key.mtime_ns,
                state.as_str(),
                job_id,
                reason,
                now_ms()
            ],
        )?;
        Ok(())
    }

    /// Records where the queue has the job. `uploaded` is final: later news of the job (a
    /// removal from the list) does not change it.
    pub fn apply_job(&self, job_id: &str, outcome: &JobOutcome) -> Result<Option<RowChange>> {
        let conn = self.conn();
        let row: Option<(String, String, i64, i64, String, Option<String>)> = conn
            .query_row(
                "SELECT hot_id, rel_path, size, mtime_ns, state, reason FROM files WHERE job_id = ?1",
                [job_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?;
        let Some((hot_id, rel, size, mtime_ns, state, old_reason)) = row else {
            return Ok(None);
        };
        let (new_state, reason) = match outcome {
            JobOutcome::Pending => (RowState::Taken, None),
            JobOutcome::Done => (RowState::Uploaded, None),
            JobOutcome::Failed(why) => (RowState::Failed, Some(why.as_str())),
        };
        let old = RowState::parse(&state);
        if old == Some(RowState::Uploaded)
            || (old == Some(new_state) && old_reason.as_deref() == reason)
        {
            return Ok(None);
        }
        conn.execute(
            "UPDATE files SET state = ?2, reason = ?3, updated_at = ?4 WHERE job_id = ?1",
            params![job_id, new_state.as_str(), reason, now_ms()],
        )?;
        Ok(Some(RowChange {
            hot_id,
            key: FileKey {
                rel,
                size: size as u64,
                mtime_ns,
            },
            uploaded: new_state == RowState::Uploaded,
        }))
    }

    /// Rows in any of `states`, of every hot folder.
    pub fn rows_in(&self, states: &[RowState]) -> Result<Vec<TakenRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT hot_id, rel_path, size, mtime_ns, state, job_id, moved_to, updated_at FROM files WHERE state = ?1",
        )?;
        let mut out = Vec::new();
        for state in states {
            let rows = stmt.query_map([state.as_str()], |r| {
                Ok(TakenRow {
                    hot_id: r.get(0)?,
                    key: FileKey {
                        rel: r.get(1)?,
                        size: r.get::<_, i64>(2)? as u64,
                        mtime_ns: r.get(3)?,
                    },
                    state: *state,
                    job_id: r.get(5)?,
                    moved_to: r.get(6)?,
                    updated_at_ms: r.get(7)?,
                })
            })?;
            out.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
        }
        Ok(out)
    }

    /// The folder's counts (all but `settling`, which only the watcher knows).
    pub fn counts(&self, hot_id: &str) -> Result<Counts> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT state, COUNT(*) FROM files WHERE hot_id = ?1 GROUP BY state")?;
        let mut counts = Counts::default();
        let rows = stmt.query_map([hot_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (state, n) = row?;
            let n = n as u64;
            match RowState::parse(&state) {
                Some(RowState::Taking | RowState::Taken) => counts.queued += n,
                Some(RowState::Uploaded) => counts.uploaded += n,
                Some(RowState::Rejected) => counts.rejected += n,
                Some(RowState::Failed) => counts.failed += n,
                Some(RowState::Ignored) => counts.ignored += n,
                None => {}
            }
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(rel: &str, size: u64, mtime_ns: i64) -> FileKey {
        FileKey {
            rel: rel.into(),
            size,
            mtime_ns,
        }
    }

    #[test]
    fn a_taken_file_blocks_only_while_it_is_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(&dir.path().join("hot.sqlite")).unwrap();
        let a = key("a.png", 10, 1);
        assert!(!j.blocks("h", &a).unwrap());
        j.begin_take("h", &a).unwrap();
        j.set_taken("h", &a, "job-1").unwrap();
        assert!(j.blocks("h", &a).unwrap());
        assert!(!j.blocks("other", &a).unwrap(), "per hot folder");
        assert!(!j.blocks("h", &key("a.png", 11, 1)).unwrap(), "new size");
        assert!(!j.blocks("h", &key("a.png", 10, 2)).unwrap(), "new mtime");

        let bad = key("bad.png", 5, 1);
        j.begin_take("h", &bad).unwrap();
        j.set_rejected("h", &bad, "no", None).unwrap();
        assert!(j.blocks("h", &bad).unwrap(), "not moved: stays judged");
        j.set_moved("h", &bad, "/x/_rejected/bad.png").unwrap();
        assert!(!j.blocks("h", &bad).unwrap(), "put back after the move");
    }

    #[test]
    fn job_outcomes_move_rows_and_uploaded_is_final() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(&dir.path().join("hot.sqlite")).unwrap();
        let a = key("a.png", 10, 1);
        j.begin_take("h", &a).unwrap();
        j.set_taken("h", &a, "job-1").unwrap();
        assert_eq!(j.apply_job("job-1", &JobOutcome::Pending).unwrap(), None);
        assert_eq!(j.apply_job("nobody", &JobOutcome::Done).unwrap(), None);
        let failed = j
            .apply_job("job-1", &JobOutcome::Failed("server said no".into()))
            .unwrap()
            .unwrap();
        assert!(!failed.uploaded);
        assert_eq!(j.counts("h").unwrap().failed, 1);
        let done = j.apply_job("job-1", &JobOutcome::Done).unwrap().unwrap();
        assert!(done.uploaded);
        assert_eq!(done.key, a);
        assert_eq!(j.apply_job("job-1", &JobOutcome::Done).unwrap(), None);
        assert_eq!(
            j.apply_job("job-1", &JobOutcome::Failed("cleared".into()))
                .unwrap(),
            None
        );
        let c = j.counts("h").unwrap();
        assert_eq!((c.uploaded, c.failed, c.queued), (1, 0, 0));
        assert_eq!(j.rows_in(&[RowState::Uploaded]).unwrap().len(), 1);
    }
}
