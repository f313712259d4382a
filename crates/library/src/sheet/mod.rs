//! Spreadsheet round trip: export images to CSV (UTF-8 with BOM, so Excel opens it) or XLSX,
//! one column per field with the schema's field names as headers and values as a person types
//! them; import a CSV or XLSX matched by image number as a diff against the folder's schema,
//! whose valid changes are a bulk-edit [`Plan`](crate::bulk::Plan) (same run, journal, undo).

mod diff;
mod export;
mod files;
mod preview;

pub use diff::{CellDiff, RowDiff, SheetDiff, UnknownRow};
pub use export::Source;
pub use files::{export_file_name, read_sheet, today, write_csv, write_file, write_xlsx, Format};
pub use preview::{ImportPreview, PreviewCell, PreviewRow, PreviewUnknown, PREVIEW_ROWS};

/// A sheet in memory: the header row, then one row per image.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}
