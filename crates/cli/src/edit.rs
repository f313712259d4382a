//! `bp edit`: a bulk edit from the command line. Fields are named by id or by name, values
//! typed as in a sheet cell (`image_library::typed`); the library checks them against the
//! schema before anything is sent.

use std::path::PathBuf;

use beproduct::FieldSpec;
use image_library::bulk::{FieldEdit, FieldOp, Selected, MAX_BULK_IMAGES};
use image_library::sheet::Source;
use image_library::{typed, ImageLibrary};
use serde_json::Value;

use crate::commands::{progress, stamp};
use crate::error::CliError;
use crate::report;

/// One `--set/--clear/--add/--remove` option as given.
pub enum Op {
    Set(String),
    Clear(String),
    Add(String),
    Remove(String),
}

impl Op {
    fn option(&self) -> &'static str {
        match self {
            Op::Set(_) => "--set",
            Op::Clear(_) => "--clear",
            Op::Add(_) => "--add",
            Op::Remove(_) => "--remove",
        }
    }
}

pub async fn edit(
    library: &ImageLibrary,
    folder: &str,
    source: Source,
    ops: Vec<Op>,
    dry_run: bool,
    journal: Option<PathBuf>,
) -> Result<bool, CliError> {
    if ops.is_empty() {
        return Err(CliError::Usage(
            "say what to change: --set FIELD=VALUE, --clear FIELD, --add FIELD=ITEMS or --remove FIELD=ITEMS".into(),
        ));
    }
    let specs: Vec<FieldSpec> = library
        .schema(folder)
        .await?
        .iter()
        .map(FieldSpec::from_schema)
        .collect();
    let edits = ops
        .iter()
        .map(|op| field_edit(&specs, op))
        .collect::<Result<Vec<_>, _>>()?;
    // Refuse bad values before selecting (reading) any image.
    library.check_bulk_edit(folder, &edits).await?;
    let images = library.images_of(folder, &source).await?;
    if images.is_empty() {
        println!("No image matches; nothing to do.");
        return Ok(true);
    }
    if images.len() > MAX_BULK_IMAGES {
        return Err(CliError::Usage(format!(
            "{} images match; one bulk edit takes at most {MAX_BULK_IMAGES}. Narrow the search.",
            images.len()
        )));
    }
    // The headers just read are fresh: the plan is made from them, nothing is read again.
    let selected = Selected {
        images,
        unreadable: Vec::new(),
    };
    let plan = library.plan_selected(folder, selected, &edits, &[]).await?;
    report::print_plan(&plan);
    if dry_run {
        println!("Dry run: nothing was sent.");
        return Ok(true);
    }
    if plan.changing() == 0 {
        println!("Nothing to change: every image already holds these values.");
        return Ok(true);
    }
    let journal = journal.unwrap_or_else(|| PathBuf::from(format!("bp-edit-{}.jsonl", stamp())));
    let result = library
        .run_plan(&plan, &journal, Some(&progress(plan.changing())))
        .await?;
    report::print_result(&result);
    Ok(result.counts().failed == 0)
}

fn field_edit(specs: &[FieldSpec], op: &Op) -> Result<FieldEdit, CliError> {
    let (field, text) = match op {
        Op::Clear(field) => (field.as_str(), None),
        Op::Set(arg) | Op::Add(arg) | Op::Remove(arg) => {
            let (field, text) = arg.split_once('=').ok_or_else(|| {
                CliError::Usage(format!(
                    "{} takes FIELD=VALUE (e.g. {} season=Fall); got {arg:?}",
                    op.option(),
                    op.option()
                ))
            })?;
            (field, Some(text))
        }
    };
    let field = field.trim();
    let spec = specs
        .iter()
        .find(|s| s.field_id.eq_ignore_ascii_case(field) || s.label.eq_ignore_ascii_case(field))
        .ok_or_else(|| {
            CliError::Usage(format!(
                "{field:?} is not a field of this folder; use one of: {}",
                specs
                    .iter()
                    .filter(|s| s.editable)
                    .map(|s| format!("{} ({})", s.field_id, s.label))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let typed_value = |text: &str| {
        typed::from_text(spec, text)
            .map_err(|why| CliError::Usage(format!("{} ({}) {why}", spec.label, spec.field_id)))
    };
    let items = |text: &str| -> Result<Vec<Value>, CliError> {
        Ok(match typed_value(text)? {
            Value::Array(items) => items,
            // A single-value field: the library refuses adding to it, naming the field.
            other => vec![other],
        })
    };
    let op = match (op, text) {
        (Op::Clear(_), _) => FieldOp::Clear,
        (Op::Set(_), Some(text)) => FieldOp::Set(typed_value(text)?),
        (Op::Add(_), Some(text)) => FieldOp::Add(items(text)?),
        (Op::Remove(_), Some(text)) => FieldOp::Remove(items(text)?),
        (_, None) => unreachable!("only --clear has no value"),
    };
    Ok(FieldEdit::new(spec.field_id.clone(), op))
}
