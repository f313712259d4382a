//! The subcommands. Each returns whether every image ended as asked (exit 0) or some failed
//! (exit 1); errors (exit 2) mean nothing was sent, or the edit stopped and its journal says
//! where.

use std::io::Write;
use std::path::{Path, PathBuf};

use image_library::bulk::ImageOutcome;
use image_library::sheet::{write_csv, write_file, Format, Source};
use image_library::ImageLibrary;

use crate::error::CliError;
use crate::report;

pub async fn export(
    library: &ImageLibrary,
    folder: &str,
    source: Source,
    format: Option<Format>,
    output: Option<&Path>,
) -> Result<bool, CliError> {
    let format = match (format, output) {
        (Some(f), _) => f,
        (None, Some(path)) => Format::of_path(path).unwrap_or(Format::Csv),
        (None, None) => Format::Csv,
    };
    let (table, numeric) = library.export_table(folder, &source).await?;
    match (format, output) {
        (Format::Csv, None) => {
            let stdout = std::io::stdout();
            write_csv(&table, stdout.lock())
                .map_err(|e| CliError::Usage(format!("cannot write to standard output: {e}")))?;
        }
        (format, Some(path)) => write_file(&table, &numeric, format, path)?,
        (Format::Xlsx, None) => {
            return Err(CliError::Usage(
                "an XLSX workbook cannot go to the terminal; name the file with -o FILE.xlsx"
                    .into(),
            ))
        }
    }
    eprintln!(
        "Exported {} images{}.",
        table.rows.len(),
        output
            .map(|p| format!(" to {}", p.display()))
            .unwrap_or_default()
    );
    Ok(true)
}

pub async fn import(
    library: &ImageLibrary,
    file: &Path,
    folder: &str,
    dry_run: bool,
    journal: Option<PathBuf>,
) -> Result<bool, CliError> {
    let diff = library.diff_sheet_file(folder, file).await?;
    report::print_diff(&diff);
    let refused = diff.problems().count();
    if refused > 0 {
        return Err(CliError::Usage(format!(
            "{refused} cells are not valid for this folder (marked ! above); nothing was sent. \
             Fix or clear them in {} and import again.",
            file.display()
        )));
    }
    if dry_run {
        println!("Dry run: nothing was sent.");
        return Ok(true);
    }
    if diff.plan.changing() == 0 {
        println!("Nothing to change: every matched image already holds the sheet's values.");
        return Ok(true);
    }
    let journal = journal.unwrap_or_else(|| default_journal(file));
    let result = library
        .run_plan(&diff.plan, &journal, Some(&progress(diff.plan.changing())))
        .await?;
    report::print_result(&result);
    Ok(result.counts().failed == 0)
}

pub async fn resume(library: &ImageLibrary, journal: &Path) -> Result<bool, CliError> {
    let loaded = image_library::bulk::load_journal(journal)?;
    let total = loaded.plan.changing();
    let result = library.resume_bulk(journal, Some(&progress(total))).await?;
    report::print_result(&result);
    Ok(result.counts().failed == 0)
}

pub async fn undo(
    library: &ImageLibrary,
    journal: &Path,
    undo_journal: Option<PathBuf>,
) -> Result<bool, CliError> {
    let undo_journal = undo_journal.unwrap_or_else(|| with_suffix(journal, "undo"));
    let loaded = image_library::bulk::load_journal(journal)?;
    let result = library
        .undo_bulk(
            journal,
            &undo_journal,
            Some(&progress(loaded.plan.changing())),
        )
        .await?;
    report::print_result(&result);
    Ok(result.counts().failed == 0)
}

/// Progress on standard error: a line every 10 % (and the last image).
pub fn progress(total: usize) -> impl Fn(&ImageOutcome) + Sync {
    let done = std::sync::atomic::AtomicUsize::new(0);
    let step = (total / 10).max(1);
    move |_| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if n.is_multiple_of(step) || n == total {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{n}/{total} images done");
        }
    }
}

/// `prints.csv` → `prints.csv.20261203-070412.bp-journal.jsonl`, next to the sheet.
fn default_journal(sheet: &Path) -> PathBuf {
    let stamp = stamp();
    let name = sheet
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    sheet.with_file_name(format!("{name}.{stamp}.bp-journal.jsonl"))
}

/// `edit.bp-journal.jsonl` → `edit.bp-journal.undo.jsonl` (a number is added if it exists).
fn with_suffix(journal: &Path, suffix: &str) -> PathBuf {
    let stem = journal
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "journal".into());
    let mut candidate = journal.with_file_name(format!("{stem}.{suffix}.jsonl"));
    let mut n = 2;
    while candidate.exists() {
        candidate = journal.with_file_name(format!("{stem}.{suffix}-{n}.jsonl"));
        n += 1;
    }
    candidate
}

/// The time now (UTC) for file names: `20261203-070412`.
pub fn stamp() -> String {
    chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string()
}
