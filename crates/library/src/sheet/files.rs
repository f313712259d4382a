//! Reading and writing sheet files: CSV through `csv`, XLSX written by `rust_xlsxwriter` and
//! read by `calamine`. Only the first worksheet of a workbook is read.

use std::io::Write;
use std::path::Path;

use calamine::{Data, Reader};

use super::Table;
use crate::error::{Error, Result};

/// Excel reads a CSV as UTF-8 only when it starts with this byte order mark.
const BOM: &str = "\u{feff}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// From a file name's extension (`.csv`, `.xlsx`), case-insensitive.
    pub fn of_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

pub fn write_csv(table: &Table, out: impl Write) -> std::io::Result<()> {
    let mut out = out;
    out.write_all(BOM.as_bytes())?;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(table.headers.iter().map(|h| guard(h)))?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|c| guard(c)))?;
    }
    writer.flush()
}

/// Characters that make Excel read a CSV cell as a formula (CSV injection: a value someone
/// stored in BeProduct would run when the export is opened).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell Excel would run as a formula gets a leading apostrophe, which Excel shows as text;
/// numbers (`-5`) are left alone. `unguard` removes it again on import. A value that already
/// starts with an apostrophe before such a character gets a second one, so it reads back as
/// it was.
fn guard(cell: &str) -> String {
    let risky = |s: &str| s.starts_with(FORMULA_START) && s.trim().parse::<f64>().is_err();
    if risky(cell) || cell.strip_prefix('\'').is_some_and(risky) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

fn unguard(cell: String) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) || rest.starts_with('\'') => rest.to_owned(),
        _ => cell,
    }
}

/// The name an export suggests: `<folder name> YYYY-MM-DD.csv` (characters file systems
/// refuse replaced by `-`).
pub fn export_file_name(folder_name: &str, format: Format, date: chrono::NaiveDate) -> String {
    let safe: String = folder_name
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    let safe = safe.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let stem = if safe.is_empty() { "Images" } else { safe };
    format!("{stem} {}.{}", date.format("%Y-%m-%d"), format.extension())
}

/// Today's date where the user is (for file names).
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// Writes `table` to `path` in `format`: a CSV is written whole then renamed into place, so
/// an existing file is never left half-written.
pub fn write_file(table: &Table, numeric: &[bool], format: Format, path: &Path) -> Result<()> {
    match format {
        Format::Xlsx => write_xlsx(table, numeric, path),
        Format::Csv => {
            let mut bytes = Vec::new();
            write_csv(table, &mut bytes)
                .map_err(|e| Error::file(path, format!("cannot write the CSV: {e}")))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "sheet.csv".into());
            let aside =
                path.with_file_name(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
            let written =
                std::fs::write(&aside, &bytes).and_then(|_| std::fs::rename(&aside, path));
            if let Err(e) = written {
                let _ = std::fs::remove_file(&aside);
                return Err(Error::file(path, format!("cannot write: {e}")));
            }
            Ok(())
        }
    }
}

/// `numeric[c]`: column `c` holds numbers, written as numbers so Excel sums and sorts them.
pub fn write_xlsx(table: &Table, numeric: &[bool], path: &Path) -> Result<()> {
    let fail = |e: rust_xlsxwriter::XlsxError| {
        Error::file(path, format!("cannot write the workbook: {e}"))
    };
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Images").map_err(fail)?;
    for (c, header) in table.headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, header, &bold)
            .map_err(fail)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, text) in row.iter().enumerate() {
            let number = numeric
                .get(c)
                .copied()
                .unwrap_or(false)
                .then(|| text.trim().parse::<f64>().ok())
                .flatten()
                .filter(|n| n.is_finite());
            match number {
                Some(n) => {
                    sheet.write_number(r, c as u16, n).map_err(fail)?;
                }
                None if text.is_empty() => {}
                None => {
                    sheet.write_string(r, c as u16, text).map_err(fail)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    workbook.save(path).map_err(fail)
}

/// Reads a `.csv` or `.xlsx` file; blank rows are dropped.
pub fn read_sheet(path: &Path) -> Result<Table> {
    let mut rows = match Format::of_path(path) {
        Some(Format::Csv) => read_csv(path)?,
        Some(Format::Xlsx) => read_xlsx(path)?,
        None => {
            return Err(Error::file(
                path,
                "is neither .csv nor .xlsx; save the sheet in one of those formats",
            ))
        }
    };
    rows.retain(|r| r.iter().any(|c| !c.trim().is_empty()));
    if rows.is_empty() {
        return Err(Error::file(path, "is empty: it has no header row"));
    }
    let headers = rows.remove(0);
    Ok(Table { headers, rows })
}

fn read_csv(path: &Path) -> Result<Vec<Vec<String>>> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::file(path, format!("cannot read the file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::file(
            path,
            "is not UTF-8 text; in Excel use Save As > \"CSV UTF-8 (Comma delimited)\"",
        )
    })?;
    let text = text.strip_prefix(BOM).unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .enumerate()
        .map(|(i, record)| {
            record
                .map(|r| r.iter().map(|c| unguard(c.to_owned())).collect())
                .map_err(|e| Error::file(path, format!("line {} is not valid CSV: {e}", i + 1)))
        })
        .collect()
}

fn read_xlsx(path: &Path) -> Result<Vec<Vec<String>>> {
    let mut workbook = calamine::open_workbook_auto(path)
        .map_err(|e| Error::file(path, format!("cannot open the workbook: {e}")))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| Error::file(path, "the workbook has no worksheet"))?
        .map_err(|e| Error::file(path, format!("cannot read the first worksheet: {e}")))?;
    // Rows start at the range's first used row; a sheet whose header is not on row 1 still
    // starts with its header.
    Ok(range
        .rows()
        .map(|row| row.iter().map(cell_text).collect())
        .collect())
}

/// A cell as the text a person typed into it.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "Yes" } else { "No" }.to_owned(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(at) if at.time() == chrono::NaiveTime::MIN => at.format("%Y-%m-%d").to_string(),
            Some(at) => at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            None => cell.to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_names_are_safe_file_names() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(
            export_file_name("Prints", Format::Csv, day),
            "Prints 2026-12-03.csv"
        );
        assert_eq!(
            export_file_name("SS27/Tops: \"new\"", Format::Xlsx, day),
            "SS27-Tops- -new- 2026-12-03.xlsx"
        );
        assert_eq!(
            export_file_name(" .. ", Format::Csv, day),
            "Images 2026-12-03.csv"
        );
    }

    #[test]
    fn csv_cells_that_excel_would_run_are_guarded_and_read_back_unchanged() {
        let table = Table {
            headers: vec!["Image Number".into(), "Note".into()],
            rows: vec![
                vec!["A-1".into(), "=HYPERLINK(\"http://x\")".into()],
                vec!["A-2".into(), "-5".into()],
                vec!["A-3".into(), "'=already quoted".into()],
                vec!["A-4".into(), "'plain apostrophe".into()],
                vec!["A-5".into(), "@SUM(1)".into()],
            ],
        };
        let mut bytes = Vec::new();
        write_csv(&table, &mut bytes).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("'=HYPERLINK"), "{text}");
        assert!(text.contains("A-2,-5"), "{text}");
        assert!(text.contains("''=already quoted"), "{text}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(read_sheet(&path).unwrap(), table);
    }
}
