//! A plan as the page previews it: counts, how many images each field changes, the skipped
//! images with the reason, and the first changes in full (before → after as typed text).

use serde::{Deserialize, Serialize};

use super::plan::{ImageRef, Plan, PlanKind, Skipped};

/// Images whose changes are shown in full.
pub const SAMPLE_SIZE: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldCount {
    pub field_id: String,
    pub label: String,
    /// Images whose value of this field changes.
    pub images: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SampleField {
    pub field_id: String,
    pub label: String,
    pub before_text: String,
    pub after_text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    pub image: ImageRef,
    pub fields: Vec<SampleField>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    pub kind: PlanKind,
    /// Images the edit changes.
    pub changing: usize,
    /// Images that already hold the values.
    pub unchanged: usize,
    pub skipped: Vec<Skipped>,
    /// Fields in the order first met, each with how many images it changes in.
    pub fields: Vec<FieldCount>,
    /// The first [`SAMPLE_SIZE`] changed images.
    pub sample: Vec<Sample>,
}

impl Plan {
    pub fn preview(&self) -> Preview {
        let mut fields: Vec<FieldCount> = Vec::new();
        for change in &self.changes {
            for f in &change.fields {
                match fields.iter_mut().find(|c| c.field_id == f.field_id) {
                    Some(count) => count.images += 1,
                    None => fields.push(FieldCount {
                        field_id: f.field_id.clone(),
                        label: f.label.clone(),
                        images: 1,
                    }),
                }
            }
        }
        Preview {
            kind: self.kind,
            changing: self.changing(),
            unchanged: self.unchanged.len(),
            skipped: self.skipped.clone(),
            fields,
            sample: self
                .changes
                .iter()
                .take(SAMPLE_SIZE)
                .map(|c| Sample {
                    image: c.image.clone(),
                    fields: c
                        .fields
                        .iter()
                        .map(|f| SampleField {
                            field_id: f.field_id.clone(),
                            label: f.label.clone(),
                            before_text: f.before_text.clone(),
                            after_text: f.after_text.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Moves the changes of `busy` images (by id, with the reason) to the skipped ones.
    pub fn skip_busy(&mut self, busy: &[(String, String)]) {
        if busy.is_empty() {
            return;
        }
        let reason_for = |id: &str| {
            busy.iter()
                .find(|(b, _)| b.eq_ignore_ascii_case(id))
                .map(|(_, r)| r.clone())
        };
        let mut kept = Vec::with_capacity(self.changes.len());
        for change in std::mem::take(&mut self.changes) {
            match reason_for(&change.image.id) {
                Some(reason) => self.skipped.push(Skipped {
                    image: change.image,
                    reason,
                }),
                None => kept.push(change),
            }
        }
        self.changes = kept;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::{FieldChange, ImageChange};
    use serde_json::json;

    fn change(id: &str, fields: &[&str]) -> ImageChange {
        ImageChange {
            image: ImageRef {
                id: id.into(),
                number: format!("N-{id}"),
                name: String::new(),
            },
            fields: fields
                .iter()
                .map(|f| FieldChange {
                    field_id: (*f).into(),
                    label: f.to_uppercase(),
                    before: json!(null),
                    after: json!("x"),
                    before_text: String::new(),
                    after_text: "x".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn counts_fields_and_skips_busy_images() {
        let mut plan = Plan {
            kind: PlanKind::Edit,
            folder_id: "f".into(),
            changes: vec![
                change("a", &["season", "designer"]),
                change("b", &["season"]),
                change("c", &["designer"]),
            ],
            unchanged: vec![],
            skipped: vec![],
        };
        plan.skip_busy(&[("C".into(), "processing an upload".into())]);
        let preview = plan.preview();
        assert_eq!(preview.changing, 2);
        assert_eq!(
            preview
                .fields
                .iter()
                .map(|f| (f.field_id.as_str(), f.images))
                .collect::<Vec<_>>(),
            [("season", 2), ("designer", 1)]
        );
        assert_eq!(preview.skipped.len(), 1);
        assert_eq!(preview.skipped[0].reason, "processing an upload");
        assert_eq!(preview.sample[0].fields[1].after_text, "x");
        let json = serde_json::to_value(&preview).unwrap();
        assert!(json["sample"][0]["fields"][0]["beforeText"].is_string());
    }
}
