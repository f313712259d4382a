//! Presets: named sets of field operations kept per folder, to apply to a selection (a bulk
//! edit with the preset's operations) or to give new uploads. One JSON file per folder in the
//! caller's directory, replaced atomically (written aside, then renamed over), so a crash never
//! leaves half a file. Operations are checked against the folder's schema when saved.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use beproduct::FieldSpec;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ops::FieldOp;
use super::FieldEdit;
use crate::error::{Error, Result};
use crate::{require_guid, typed, ImageLibrary};

/// Longest preset name, in characters.
const MAX_NAME: usize = 80;
/// Most presets one folder keeps.
const MAX_PRESETS: usize = 200;
const VERSION: u32 = 1;

/// One line of a preset's summary: the field's name and what the preset does to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryLine {
    pub label: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preset {
    pub id: String,
    pub name: String,
    pub edits: Vec<FieldEdit>,
    /// Filled in when listed (from the folder's schema); not stored.
    #[serde(default, skip_deserializing)]
    pub summary: Vec<SummaryLine>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    presets: Vec<Preset>,
}

/// The presets of every folder, one file per folder in `dir`.
pub struct PresetStore {
    dir: PathBuf,
    /// One writer at a time within the process (read, change, replace).
    write: Mutex<()>,
}

impl PresetStore {
    pub fn new(dir: impl Into<PathBuf>) -> PresetStore {
        PresetStore {
            dir: dir.into(),
            write: Mutex::new(()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, folder_id: &str) -> Result<PathBuf> {
        require_guid("folderId", folder_id)?;
        Ok(self
            .dir
            .join(format!("{}.json", folder_id.to_ascii_lowercase())))
    }

    /// The folder's presets as stored (no summary), in name order.
    pub fn list(&self, folder_id: &str) -> Result<Vec<Preset>> {
        let path = self.path(folder_id)?;
        Ok(read(&path)?.presets)
    }

    /// Stores `edits` (already checked) under `name`; a preset of the same name (in any
    /// letter case) is replaced and keeps its id.
    pub fn put(&self, folder_id: &str, name: &str, edits: Vec<FieldEdit>) -> Result<Preset> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid_input("Name the preset."));
        }
        if name.chars().count() > MAX_NAME {
            return Err(Error::invalid_input(format!(
                "The preset name is too long; use at most {MAX_NAME} characters."
            )));
        }
        let path = self.path(folder_id)?;
        let _one = self.write.lock().unwrap_or_else(|p| p.into_inner());
        let mut file = read(&path)?;
        let preset = match file
            .presets
            .iter_mut()
            .find(|p| p.name.eq_ignore_ascii_case(name))
        {
            Some(existing) => {
                existing.name = name.to_owned();
                existing.edits = edits;
                existing.clone()
            }
            None => {
                if file.presets.len() >= MAX_PRESETS {
                    return Err(Error::invalid_input(format!(
                        "This folder already has {MAX_PRESETS} presets; delete some first."
                    )));
                }
                let preset = Preset {
                    id: uuid::Uuid::new_v4().to_string(),
                    name: name.to_owned(),
                    edits,
                    summary: Vec::new(),
                };
                file.presets.push(preset.clone());
                preset
            }
        };
        file.presets
            .sort_by_key(|p| (p.name.to_lowercase(), p.name.clone()));
        write(&self.dir, &path, &file)?;
        Ok(preset)
    }

    /// Deletes the preset `preset_id`; refused when the folder has none by that id.
    pub fn delete(&self, folder_id: &str, preset_id: &str) -> Result<()> {
        let path = self.path(folder_id)?;
        let _one = self.write.lock().unwrap_or_else(|p| p.into_inner());
        let mut file = read(&path)?;
        let before = file.presets.len();
        file.presets.retain(|p| p.id != preset_id);
        if file.presets.len() == before {
            return Err(Error::invalid_input(
                "That preset does not exist (any more); reload the list of presets.",
            ));
        }
        write(&self.dir, &path, &file)
    }
}

fn read(path: &Path) -> Result<File> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(File {
                version: VERSION,
                presets: Vec::new(),
            })
        }
        Err(e) => return Err(Error::file(path, format!("cannot read the presets: {e}"))),
    };
    let file: File = serde_json::from_str(&text).map_err(|e| {
        Error::file(
            path,
            format!("is not a presets file ({e}); move it aside to start over"),
        )
    })?;
    if file.version != VERSION {
        return Err(Error::file(
            path,
            format!(
                "presets version {} is not supported (this build reads {VERSION})",
                file.version
            ),
        ));
    }
    Ok(file)
}

/// Written next to the file, synced, then renamed over it.
fn write(dir: &Path, path: &Path, file: &File) -> Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::file(dir, format!("cannot create the presets folder: {e}")))?;
    let text = serde_json::to_string_pretty(file)
        .map_err(|e| Error::file(path, format!("cannot encode the presets: {e}")))?;
    let aside = path.with_extension(format!("json.{}.tmp", uuid::Uuid::new_v4().simple()));
    let written = std::fs::File::create(&aside)
        .and_then(|mut f| {
            f.write_all(text.as_bytes())?;
            f.sync_all()
        })
        .and_then(|_| std::fs::rename(&aside, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&aside);
        return Err(Error::file(path, format!("cannot write the presets: {e}")));
    }
    Ok(())
}

impl ImageLibrary {
    /// The folder's presets, each with its summary (field names and values as typed).
    pub async fn presets(&self, store: &PresetStore, folder_id: &str) -> Result<Vec<Preset>> {
        let mut presets = store.list(folder_id)?;
        if presets.is_empty() {
            return Ok(presets);
        }
        let specs: Vec<FieldSpec> = self
            .schema(folder_id)
            .await?
            .iter()
            .map(FieldSpec::from_schema)
            .collect();
        for preset in &mut presets {
            preset.summary = summary(&specs, &preset.edits);
        }
        Ok(presets)
    }

    /// Saves a preset after checking its operations against the folder's schema (what a bulk
    /// edit refuses is refused here too); the same name replaces.
    pub async fn save_preset(
        &self,
        store: &PresetStore,
        folder_id: &str,
        name: &str,
        edits: Vec<FieldEdit>,
    ) -> Result<Preset> {
        self.check_bulk_edit(folder_id, &edits).await?;
        let mut preset = store.put(folder_id, name, edits)?;
        let specs: Vec<FieldSpec> = self
            .schema(folder_id)
            .await?
            .iter()
            .map(FieldSpec::from_schema)
            .collect();
        preset.summary = summary(&specs, &preset.edits);
        Ok(preset)
    }
}

/// Each operation as `label: what it does`, values as typed text.
fn summary(specs: &[FieldSpec], edits: &[FieldEdit]) -> Vec<SummaryLine> {
    edits
        .iter()
        .map(|edit| {
            let spec = specs
                .iter()
                .find(|s| s.field_id.eq_ignore_ascii_case(&edit.field_id));
            let text_of = |value: &Value| match spec {
                Some(spec) => spec
                    .encode(value)
                    .map(|server| typed::to_text(spec, &server))
                    .unwrap_or_else(|_| beproduct::display_text(value)),
                None => beproduct::display_text(value),
            };
            let text = match &edit.op {
                FieldOp::Set(value) => {
                    let text = text_of(value);
                    if text.is_empty() {
                        "set to empty".to_owned()
                    } else {
                        text
                    }
                }
                FieldOp::Clear => "cleared".to_owned(),
                FieldOp::Add(items) => format!("add {}", text_of(&Value::Array(items.clone()))),
                FieldOp::Remove(items) => {
                    format!("remove {}", text_of(&Value::Array(items.clone())))
                }
            };
            SummaryLine {
                label: spec.map_or_else(|| edit.field_id.clone(), |s| s.label.clone()),
                text,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FOLDER: &str = "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe";

    #[test]
    fn same_name_replaces_keeps_the_id_and_files_are_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = PresetStore::new(dir.path().join("presets"));
        assert!(store.list(FOLDER).unwrap().is_empty());
        let fall = store
            .put(
                FOLDER,
                " Fall drop ",
                vec![FieldEdit::new("season", FieldOp::Set(json!("Fall")))],
            )
            .unwrap();
        assert_eq!(fall.name, "Fall drop");
        store
            .put(
                FOLDER,
                "Basics",
                vec![FieldEdit::new("colors", FieldOp::Clear)],
            )
            .unwrap();
        let again = store
            .put(
                FOLDER,
                "FALL DROP",
                vec![FieldEdit::new("season", FieldOp::Set(json!("Spring")))],
            )
            .unwrap();
        assert_eq!(again.id, fall.id);
        let listed = store.list(FOLDER).unwrap();
        assert_eq!(
            listed.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["Basics", "FALL DROP"]
        );
        assert_eq!(listed[1].edits[0].op, FieldOp::Set(json!("Spring")));
        let files: Vec<_> = std::fs::read_dir(dir.path().join("presets"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(files, [format!("{FOLDER}.json")], "nothing left aside");

        store.delete(FOLDER, &fall.id).unwrap();
        assert_eq!(store.list(FOLDER).unwrap().len(), 1);
        assert!(store.delete(FOLDER, &fall.id).is_err());
        assert!(store.put(FOLDER, "  ", vec![]).is_err());
        assert!(store.list("../etc").is_err(), "folder ids are GUIDs");
    }
}
