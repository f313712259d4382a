//! A folder's intake settings (its naming rule and which embedded metadata fills which field),
//! checked against the folder's fields when saved and kept one JSON file per folder, replaced
//! atomically (written aside, synced, renamed over) like the bulk-edit presets.

use std::path::{Path, PathBuf};

use beproduct::FieldSpec;
use serde::{Deserialize, Serialize};

use super::rules::NamingRule;
use super::{find_spec, NAME, NUMBER};
use crate::error::{Error, Result};
use crate::{require_guid, typed, ImageLibrary};

const VERSION: u32 = 1;

/// Which field each piece of embedded metadata fills (field ids; `None`: not used).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataMapping {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub keywords: Option<String>,
    #[serde(default)]
    pub creator: Option<String>,
}

impl MetadataMapping {
    /// (what is read, the field it fills), for the mapped ones.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("title", &self.title),
            ("description", &self.description),
            ("keywords", &self.keywords),
            ("creator", &self.creator),
        ]
        .into_iter()
        .filter_map(|(what, field)| Some((what, field.as_deref()?)))
    }

    pub fn is_empty(&self) -> bool {
        self.entries().next().is_none()
    }

    /// Blank field ids mean "not used"; others are trimmed.
    fn normalized(self) -> MetadataMapping {
        let clean = |f: Option<String>| f.map(|f| f.trim().to_owned()).filter(|f| !f.is_empty());
        MetadataMapping {
            title: clean(self.title),
            description: clean(self.description),
            keywords: clean(self.keywords),
            creator: clean(self.creator),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntakeSettings {
    #[serde(default)]
    pub rule: Option<NamingRule>,
    #[serde(default)]
    pub metadata: MetadataMapping,
}

impl IntakeSettings {
    /// Whether intake does anything beyond numbering and naming files after their names.
    pub fn is_active(&self) -> bool {
        self.rule.is_some() || !self.metadata.is_empty()
    }

    /// Refuses what could not work in this folder: a rule that does not compile, a field the
    /// folder does not have or that cannot take typed text, metadata aimed at the image number
    /// or name, two pieces of metadata aimed at one field.
    pub fn validate(&self, specs: &[FieldSpec]) -> Result<()> {
        if let Some(rule) = &self.rule {
            let compiled = rule.compile().map_err(|why| {
                Error::invalid_input(format!("The naming rule cannot be used: {why}."))
            })?;
            for id in compiled.field_ids() {
                let spec = find_spec(specs, id).ok_or_else(|| {
                    Error::invalid_input(format!(
                        "The naming rule names {{{id}}}, which is not a field of this folder; \
                         use one of: {}.",
                        typed_field_ids(specs)
                    ))
                })?;
                takes_text(spec).map_err(|why| {
                    Error::invalid_input(format!(
                        "The naming rule's {{{id}}}: {why}; take it out of the rule."
                    ))
                })?;
            }
        }
        let mut targets: Vec<(&str, &FieldSpec)> = Vec::new();
        for (what, id) in self.metadata.entries() {
            let spec = find_spec(specs, id).ok_or_else(|| {
                Error::invalid_input(format!(
                    "The metadata {what} is mapped to {id:?}, which is not a field of this \
                     folder; use one of: {}.",
                    typed_field_ids(specs)
                ))
            })?;
            if spec.field_id == NUMBER || spec.field_id == NAME {
                return Err(Error::invalid_input(format!(
                    "The metadata {what} cannot fill {}: the image number and name come from \
                     the naming rule or the file name; map it to another field.",
                    spec.label
                )));
            }
            takes_text(spec).map_err(|why| {
                Error::invalid_input(format!("{why}; map the metadata {what} to another field."))
            })?;
            if let Some((other, _)) = targets.iter().find(|(_, s)| s.field_id == spec.field_id) {
                return Err(Error::invalid_input(format!(
                    "Both the metadata {other} and {what} fill {} ({}); map each to its own field.",
                    spec.label, spec.field_id
                )));
            }
            targets.push((what, spec));
        }
        Ok(())
    }
}

/// `Err`: why the field cannot be filled from text (naming the field).
fn takes_text(spec: &FieldSpec) -> std::result::Result<(), String> {
    if !spec.editable {
        return Err(format!(
            "{} ({}) is read-only: BeProduct fills it in",
            spec.label, spec.field_id
        ));
    }
    typed::from_text(spec, "")
        .map(|_| ())
        .map_err(|why| format!("{} ({}) {why}", spec.label, spec.field_id))
}

/// The ids of fields that can be filled from text, for an error message (cut short).
fn typed_field_ids(specs: &[FieldSpec]) -> String {
    const SHOWN: usize = 20;
    let ids: Vec<&str> = specs
        .iter()
        .filter(|s| takes_text(s).is_ok())
        .map(|s| s.field_id.as_str())
        .collect();
    let mut text = ids
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN {
        text.push_str(&format!(" and {} more", ids.len() - SHOWN));
    }
    text
}

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    settings: IntakeSettings,
}

/// Every folder's intake settings, one file per folder in `dir`.
pub struct IntakeStore {
    dir: PathBuf,
}

impl IntakeStore {
    pub fn new(dir: impl Into<PathBuf>) -> IntakeStore {
        IntakeStore { dir: dir.into() }
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

    /// The folder's settings; the inactive default when none were saved.
    pub fn load(&self, folder_id: &str) -> Result<IntakeSettings> {
        let path = self.path(folder_id)?;
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(IntakeSettings::default())
            }
            Err(e) => {
                return Err(Error::file(
                    &path,
                    format!("cannot read the intake settings: {e}"),
                ))
            }
        };
        let file: File = serde_json::from_str(&text).map_err(|e| {
            Error::file(
                &path,
                format!("is not an intake settings file ({e}); move it aside to start over"),
            )
        })?;
        if file.version != VERSION {
            return Err(Error::file(
                &path,
                format!(
                    "intake settings version {} is not supported (this build reads {VERSION})",
                    file.version
                ),
            ));
        }
        Ok(file.settings)
    }

    /// Checks `settings` against the folder's fields, then stores them; inactive settings
    /// remove the folder's file. Returns what was stored (blank field ids dropped).
    pub fn save(
        &self,
        folder_id: &str,
        specs: &[FieldSpec],
        settings: IntakeSettings,
    ) -> Result<IntakeSettings> {
        let path = self.path(folder_id)?;
        let settings = IntakeSettings {
            rule: settings.rule,
            metadata: settings.metadata.normalized(),
        };
        settings.validate(specs)?;
        if !settings.is_active() {
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::file(
                    &path,
                    format!("cannot remove the intake settings: {e}"),
                )),
                _ => Ok(settings),
            };
        }
        let file = File {
            version: VERSION,
            settings,
        };
        write(&self.dir, &path, &file)?;
        Ok(file.settings)
    }
}

/// Written next to the file, synced, then renamed over it, so a crash never leaves half a file.
fn write(dir: &Path, path: &Path, file: &File) -> Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::file(
            dir,
            format!("cannot create the intake settings folder: {e}"),
        )
    })?;
    let text = serde_json::to_string_pretty(file)
        .map_err(|e| Error::file(path, format!("cannot encode the intake settings: {e}")))?;
    let aside = path.with_extension(format!("json.{}.tmp", uuid::Uuid::new_v4().simple()));
    let written = std::fs::File::create(&aside)
        .and_then(|mut f| {
            f.write_all(text.as_bytes())?;
            f.sync_all()
        })
        .and_then(|_| std::fs::rename(&aside, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&aside);
        return Err(Error::file(
            path,
            format!("cannot write the intake settings: {e}"),
        ));
    }
    Ok(())
}

impl ImageLibrary {
    /// Saves the folder's intake settings after checking them against its fields.
    pub async fn save_intake_settings(
        &self,
        store: &IntakeStore,
        folder_id: &str,
        settings: IntakeSettings,
    ) -> Result<IntakeSettings> {
        let specs = self.field_specs(folder_id).await?;
        store.save(folder_id, &specs, settings)
    }
}

/// Intake settings from a file a person points to (`bp upload --rules FILE`, `bp watch
/// --rules FILE`): either the settings object itself (`{"rule": …, "metadata": …}`) or a
/// folder's file as the app saves it (`{"version": 1, "settings": …}`).
pub fn read_settings_file(path: &Path) -> Result<IntakeSettings> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::file(path, format!("cannot read the intake settings: {e}")))?;
    if let Ok(file) = serde_json::from_str::<File>(&text) {
        return Ok(file.settings);
    }
    serde_json::from_str::<IntakeSettings>(&text).map_err(|e| {
        Error::file(
            path,
            format!(
                "is not an intake settings file ({e}); write {{\"rule\": {{\"kind\": \"pattern\", \"pattern\": \"…\"}}, \"metadata\": {{…}}}}"
            ),
        )
    })
}
