//! Spreadsheet round trip: export images to CSV (UTF-8 with BOM, so Excel opens it) or XLSX,
//! one column per field with the schema's field names as headers and values as a person types
//! them; import a CSV or XLSX matched by image number as a diff against the folder's schema,
//! whose valid changes are a bulk-edit [`Plan`](crate::bulk::Plan) (same run, journal, undo).

mod diff;
mod export;
mod files;
mod preview;

pub use diff::{CellDiff, RowDiff, SheetDiff, UnknownRow};
pub use preview::{ImportPreview, PreviewCell, PreviewRow, PreviewUnknown, PREVIEW_ROWS};
pub use export::Source;
pub use files::{read_sheet, write_csv, write_file, write_xlsx, Format};

/// A sheet in memory: the header row, then one row per image.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}
