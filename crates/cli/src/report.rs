//! What `bp` prints: a sheet's diff and a bulk edit's result, one image per line, reasons in
//! full, and the next command to run (resume, undo) with the journal's path.

use std::path::Path;

use image_library::bulk::{BulkResult, Plan, PlanKind, Status};
use image_library::sheet::SheetDiff;

pub fn print_diff(diff: &SheetDiff) {
    for row in &diff.rows {
        println!("line {:<5} {}", row.line, row.image.display());
        for cell in &row.cells {
            match &cell.problem {
                None => println!("    {}: {:?} -> {:?}", cell.label, cell.before, cell.after),
                Some(why) => println!(
                    "  ! {}: {:?} -> {:?} refused: {why}",
                    cell.label, cell.before, cell.after
                ),
            }
        }
    }
    if !diff.unknown.is_empty() {
        println!("Rows not matched to an image (not imported):");
        for u in &diff.unknown {
            println!("  line {:<5} {:?} {}", u.line, u.number, u.reason);
        }
    }
    if !diff.ignored_columns.is_empty() {
        println!(
            "Columns that are not fields of this folder (ignored): {}",
            diff.ignored_columns
                .iter()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!(
        "Summary: {} images change ({} cells); {} cells refused; {} rows not matched; {} images unchanged.",
        diff.plan.changing(),
        diff.changed_cells(),
        diff.problems().count(),
        diff.unknown.len(),
        diff.plan.unchanged.len()
    );
}

pub fn print_plan(plan: &Plan) {
    for change in &plan.changes {
        println!("{}", change.image.display());
        for f in &change.fields {
            println!("    {}: {:?} -> {:?}", f.label, f.before_text, f.after_text);
        }
    }
    for s in &plan.skipped {
        println!("skipped  {}: {}", s.image.display(), s.reason);
    }
    println!(
        "Summary: {} images change; {} already hold these values; {} skipped.",
        plan.changing(),
        plan.unchanged.len(),
        plan.skipped.len()
    );
}

pub fn print_result(result: &BulkResult) {
    for o in &result.outcomes {
        match &o.status {
            Status::Failed { reason } => println!("failed   {}: {reason}", o.image.display()),
            Status::Skipped { reason } => println!("skipped  {}: {reason}", o.image.display()),
            Status::Changed | Status::Unchanged => {}
        }
    }
    let c = result.counts();
    let what = match result.kind {
        PlanKind::Undo => "Undo",
        PlanKind::Import => "Import",
        PlanKind::Edit => "Bulk edit",
    };
    println!(
        "{what}: {} changed, {} unchanged, {} failed, {} skipped.",
        c.changed, c.unchanged, c.failed, c.skipped
    );
    let journal = quoted(&result.journal);
    println!("Journal: {journal}");
    if c.failed > 0 {
        println!("Try the failed images again with: bp resume {journal}");
    }
    if c.changed > 0 && result.kind != PlanKind::Undo {
        println!("Revert the changed images with: bp undo {journal}");
    }
}

/// A path as a shell argument.
fn quoted(path: &Path) -> String {
    let text = path.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
