//! The bulk-edit journal: one JSON object per line, appended as the edit goes. The plan (with
//! every image's previous values) is written and synced before the first update is sent;
//! `sending` is written before each update and `changed`/`failed` after it. A crash therefore
//! leaves at worst images marked `sending` whose outcome is unknown, and resuming reads those
//! again before deciding anything. A torn last line (the process died mid-write) is ignored.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::plan::{ImageChange, ImageRef, Plan, PlanKind, Skipped};
use crate::error::{Error, Result};

/// Format version written in the first line; a journal of another version is refused.
const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "camelCase")]
enum Entry {
    #[serde(rename_all = "camelCase")]
    Begin {
        version: u32,
        edit_id: String,
        kind: PlanKind,
        folder_id: String,
        at: String,
        /// For an undo: the journal of the edit it reverts.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        undo_of: Option<PathBuf>,
    },
    Planned {
        change: ImageChange,
    },
    Unchanged {
        image: ImageRef,
    },
    Skipped {
        skipped: Skipped,
    },
    Sending {
        id: String,
    },
    Changed {
        id: String,
    },
    Failed {
        id: String,
        reason: String,
    },
}

/// Where an image of the plan stands, as far as the journal knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    NotStarted,
    /// Sent (or about to be) with no outcome written: it may or may not have changed.
    InDoubt,
    Changed,
    Failed(String),
}

/// A journal read back: the plan and each planned image's mark.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub edit_id: String,
    pub plan: Plan,
    pub marks: HashMap<String, Mark>,
    pub undo_of: Option<PathBuf>,
    /// When the edit began (RFC 3339, UTC).
    pub started_at: String,
}

impl Loaded {
    pub fn mark(&self, id: &str) -> Mark {
        self.marks.get(id).cloned().unwrap_or(Mark::NotStarted)
    }

    /// Images of the plan with no outcome written: never sent, or sent when the edit stopped.
    /// A journal with any was interrupted (a crash, a cancel) and `resume_bulk` finishes it.
    pub fn unsettled(&self) -> usize {
        self.plan
            .changes
            .iter()
            .filter(|c| matches!(self.mark(&c.image.id), Mark::NotStarted | Mark::InDoubt))
            .count()
    }

    /// Images the edit changed.
    pub fn changed(&self) -> usize {
        self.plan
            .changes
            .iter()
            .filter(|c| self.mark(&c.image.id) == Mark::Changed)
            .count()
    }

    /// Images a resume sends (or checks): all not marked changed.
    pub fn to_resume(&self) -> usize {
        self.plan.changes.len() - self.changed()
    }
}

/// An open journal, appended to by the edit's workers.
pub(crate) struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

impl Journal {
    /// A new journal with the whole plan in it, synced to disk. Refuses to overwrite a file.
    pub(crate) fn create(
        path: &Path,
        edit_id: &str,
        plan: &Plan,
        undo_of: Option<&Path>,
    ) -> Result<Journal> {
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(path)
            .map_err(|e| {
                Error::file(
                    path,
                    format!(
                        "cannot create the journal ({e}); choose a path that does not exist yet"
                    ),
                )
            })?;
        let journal = Journal::locked(path, file)?;
        let mut lines = vec![Entry::Begin {
            version: VERSION,
            edit_id: edit_id.to_owned(),
            kind: plan.kind,
            folder_id: plan.folder_id.clone(),
            at: chrono::Utc::now().to_rfc3339(),
            undo_of: undo_of.map(Path::to_path_buf),
        }];
        lines.extend(
            plan.changes
                .iter()
                .map(|c| Entry::Planned { change: c.clone() }),
        );
        lines.extend(
            plan.unchanged
                .iter()
                .map(|i| Entry::Unchanged { image: i.clone() }),
        );
        lines.extend(
            plan.skipped
                .iter()
                .map(|s| Entry::Skipped { skipped: s.clone() }),
        );
        journal.write(&lines, true)?;
        Ok(journal)
    }

    /// Opens an existing journal to append to.
    pub(crate) fn append(path: &Path) -> Result<Journal> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| Error::file(path, format!("cannot open the journal: {e}")))?;
        Journal::locked(path, file)
    }

    /// One writer per journal: two runs of the same edit (two `bp resume`, or the app and
    /// `bp`) would each send the images the other is sending. The OS drops the lock when the
    /// process ends, however it ends.
    fn locked(path: &Path, file: File) -> Result<Journal> {
        match file.try_lock() {
            Ok(()) => Ok(Journal {
                path: path.to_path_buf(),
                file: Mutex::new(file),
            }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::file(
                path,
                "this edit is running elsewhere (another bp or the app); wait for it to finish",
            )),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(Error::file(path, format!("cannot lock the journal: {e}")))
            }
        }
    }

    pub(crate) fn sending(&self, id: &str) -> Result<()> {
        self.write(&[Entry::Sending { id: id.to_owned() }], false)
    }

    pub(crate) fn changed(&self, id: &str) -> Result<()> {
        self.write(&[Entry::Changed { id: id.to_owned() }], false)
    }

    pub(crate) fn failed(&self, id: &str, reason: &str) -> Result<()> {
        self.write(
            &[Entry::Failed {
                id: id.to_owned(),
                reason: reason.to_owned(),
            }],
            false,
        )
    }

    /// One `write` per call so concurrent workers never interleave within a line. Outcome lines
    /// are not synced one by one: a lost `changed` line only makes a resume read the image
    /// again, which finds it changed.
    fn write(&self, entries: &[Entry], sync: bool) -> Result<()> {
        let mut text = String::new();
        for entry in entries {
            let line = serde_json::to_string(entry)
                .map_err(|e| Error::file(&self.path, format!("cannot encode an entry: {e}")))?;
            text.push_str(&line);
            text.push('\n');
        }
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.write_all(text.as_bytes())
            .and_then(|_| if sync { file.sync_data() } else { Ok(()) })
            .map_err(|e| Error::file(&self.path, format!("cannot write the journal: {e}")))
    }
}

/// Reads a journal back.
pub fn load(path: &Path) -> Result<Loaded> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::file(path, format!("cannot read the journal: {e}")))?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut entries = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str::<Entry>(line) {
            Ok(entry) => entries.push(entry),
            // Only the last line can be torn by a crash; anything else is damage.
            Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => break,
            Err(e) => {
                return Err(Error::file(
                    path,
                    format!(
                        "line {} is not a bulk-edit journal entry ({e}); is this the journal `bp` printed?",
                        i + 1
                    ),
                ))
            }
        }
    }
    let mut entries = entries.into_iter();
    let Some(Entry::Begin {
        version,
        edit_id,
        kind,
        folder_id,
        undo_of,
        at,
    }) = entries.next()
    else {
        return Err(Error::file(
            path,
            "this is not a bulk-edit journal (it does not start with the edit's description)",
        ));
    };
    if version != VERSION {
        return Err(Error::file(
            path,
            format!("journal version {version} is not supported (this build reads {VERSION})"),
        ));
    }
    let mut plan = Plan {
        kind,
        folder_id,
        changes: Vec::new(),
        unchanged: Vec::new(),
        skipped: Vec::new(),
    };
    let mut marks = HashMap::new();
    for entry in entries {
        match entry {
            Entry::Begin { .. } => {
                return Err(Error::file(
                    path,
                    "holds two edits; keep one journal per edit",
                ))
            }
            Entry::Planned { change } => {
                marks.insert(change.image.id.clone(), Mark::NotStarted);
                plan.changes.push(change);
            }
            Entry::Unchanged { image } => plan.unchanged.push(image),
            Entry::Skipped { skipped } => plan.skipped.push(skipped),
            Entry::Sending { id } => {
                marks.insert(id, Mark::InDoubt);
            }
            Entry::Changed { id } => {
                marks.insert(id, Mark::Changed);
            }
            Entry::Failed { id, reason } => {
                marks.insert(id, Mark::Failed(reason));
            }
        }
    }
    Ok(Loaded {
        edit_id,
        plan,
        marks,
        undo_of,
        started_at: at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::FieldChange;
    use serde_json::{json, Value};

    fn plan() -> Plan {
        let change = |id: &str| ImageChange {
            image: ImageRef {
                id: id.into(),
                number: format!("N-{id}"),
                name: String::new(),
            },
            fields: vec![FieldChange {
                field_id: "season".into(),
                label: "Season".into(),
                before: Value::Null,
                after: json!("Fall"),
                before_text: String::new(),
                after_text: "Fall".into(),
            }],
        };
        Plan {
            kind: PlanKind::Edit,
            folder_id: "f".into(),
            changes: vec![change("a"), change("b"), change("c")],
            unchanged: vec![],
            skipped: vec![],
        }
    }

    #[test]
    fn marks_survive_a_torn_last_line_and_damage_elsewhere_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let journal = Journal::create(&path, "e1", &plan(), None).unwrap();
        journal.sending("a").unwrap();
        journal.changed("a").unwrap();
        journal.sending("b").unwrap();
        journal.failed("c", "BeProduct answered 400").unwrap();
        drop(journal);
        // A crash in the middle of writing the next line.
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{\"entry\":\"chan");
        std::fs::write(&path, &text).unwrap();

        let loaded = load(&path).unwrap();
        assert_eq!(loaded.edit_id, "e1");
        assert_eq!(loaded.plan, plan());
        assert_eq!(loaded.mark("a"), Mark::Changed);
        assert_eq!(loaded.mark("b"), Mark::InDoubt);
        assert_eq!(
            loaded.mark("c"),
            Mark::Failed("BeProduct answered 400".into())
        );

        assert!(
            Journal::create(&path, "e2", &plan(), None).is_err(),
            "never overwritten"
        );
        let first = Journal::append(&path).unwrap();
        let err = Journal::append(&path)
            .err()
            .expect("one writer at a time")
            .to_string();
        assert!(err.contains("running elsewhere"), "{err}");
        drop(first);
        Journal::append(&path).unwrap();
        let damaged = text.replacen("\"entry\":\"sending\"", "\"entry\":\"sent?\"", 1) + "\n";
        std::fs::write(&path, damaged).unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("is not a bulk-edit journal entry"), "{err}");
    }
}
