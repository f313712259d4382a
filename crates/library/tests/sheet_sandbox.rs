//! Spreadsheet round trip against a real sandbox: export, edit some cells, import; exactly the
//! edited cells change (checked through the API), invalid cells are refused with nothing sent,
//! unknown numbers are listed, and XLSX reads back what it wrote.

mod common;

use beproduct::{Client, ImageHeader, SearchQuery};
use beproduct_sandbox::{Controls, Sandbox, Seed};
use futures::TryStreamExt;
use image_library::bulk::{BulkEdit, FieldEdit, FieldOp};
use image_library::sheet::{read_sheet, write_csv, write_xlsx, Source, Table};
use image_library::ImageLibrary;
use serde_json::json;

struct Env {
    _sandbox: Sandbox,
    controls: Controls,
    library: ImageLibrary,
    folder: String,
    dir: tempfile::TempDir,
}

/// A folder of `n` images, some of them with values already (so cells are not all empty).
async fn start(n: u64) -> Env {
    let (dir, sandbox) = common::start_sandbox(Seed::Empty).await;
    let controls = sandbox.controls();
    let library = ImageLibrary::new(Client::new(common::client_config(&sandbox)).unwrap());
    let prints = common::prints(&library).await;
    let folder = controls.create_folder("Sheet", Some(&prints)).unwrap();
    controls.seed_images(&folder, n).unwrap();
    let env = Env {
        _sandbox: sandbox,
        controls,
        library,
        folder,
        dir,
    };
    let ids: Vec<String> = images(&env).await.into_iter().map(|i| i.id).collect();
    let plan = env
        .library
        .plan_bulk_edit(&BulkEdit {
            folder_id: env.folder.clone(),
            ids: ids[..n as usize / 2].to_vec(),
            edits: vec![
                FieldEdit::new("season", FieldOp::Set(json!("Summer"))),
                FieldEdit::new("colors", FieldOp::Set(json!(["Green"]))),
                FieldEdit::new("width_px", FieldOp::Set(json!(1200))),
                FieldEdit::new("print_scale", FieldOp::Set(json!(1.25))),
                FieldEdit::new("due_date", FieldOp::Set(json!("2026-06-01"))),
                FieldEdit::new("repeat", FieldOp::Set(json!(true))),
            ],
            busy: vec![],
        })
        .await
        .unwrap();
    let seeded = env
        .library
        .run_plan(&plan, &env.dir.path().join("seed.jsonl"), None)
        .await
        .unwrap();
    assert_eq!(seeded.counts().failed, 0);
    env
}

async fn images(env: &Env) -> Vec<ImageHeader> {
    let query = SearchQuery {
        folder_id: Some(env.folder.clone()),
        filters: Vec::new(),
    };
    env.library
        .client()
        .search(query, 200)
        .try_collect()
        .await
        .unwrap()
}

fn column(table: &Table, label: &str) -> usize {
    table
        .headers
        .iter()
        .position(|h| h == label)
        .unwrap_or_else(|| panic!("no column {label:?} in {:?}", table.headers))
}

/// Every field value of every image, by image id and field id.
fn snapshot(images: &[ImageHeader]) -> Vec<(String, String, serde_json::Value)> {
    let mut all: Vec<_> = images
        .iter()
        .flat_map(|i| {
            i.header_data
                .fields
                .iter()
                .filter(|f| f.id != "modified_by")
                .map(|f| (i.id.clone(), f.id.clone(), f.value.clone()))
        })
        .collect();
    all.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_csv_export_changes_exactly_the_edited_cells() {
    let env = start(20).await;
    let (table, _) = env
        .library
        .export_table(&env.folder, &Source::Folder)
        .await
        .unwrap();
    assert_eq!(table.rows.len(), 20);
    assert_eq!(&table.headers[..2], ["Image Number", "Image Name"]);
    let csv_path = env.dir.path().join("export.csv");
    let mut bytes = Vec::new();
    write_csv(&table, &mut bytes).unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 BOM for Excel"
    );
    std::fs::write(&csv_path, &bytes).unwrap();

    // The export read back unedited changes nothing.
    let unedited = env
        .library
        .diff_sheet(&env.folder, &read_sheet(&csv_path).unwrap())
        .await
        .unwrap();
    assert_eq!(unedited.plan.changing(), 0, "{:?}", unedited.rows);
    assert_eq!(unedited.plan.unchanged.len(), 20);

    // A person edits three cells of two rows (one a multi-value, one text with a comma), and
    // retypes a number in another form that means the same.
    let mut edited = read_sheet(&csv_path).unwrap();
    let (season, colors, notes, width) = (
        column(&edited, "Season"),
        column(&edited, "Colors"),
        column(&edited, "Description"),
        column(&edited, "Width (px)"),
    );
    edited.rows[1][season] = "fall".into();
    edited.rows[4][colors] = "Red; Blue".into();
    edited.rows[4][notes] = "Hand-edited, with a comma and \"quotes\"".into();
    if !edited.rows[0][width].is_empty() {
        edited.rows[0][width] = format!(" {} ", edited.rows[0][width]);
    }
    let mut bytes = Vec::new();
    write_csv(&edited, &mut bytes).unwrap();
    std::fs::write(&csv_path, &bytes).unwrap();

    let before = images(&env).await;
    let diff = env
        .library
        .diff_sheet(&env.folder, &read_sheet(&csv_path).unwrap())
        .await
        .unwrap();
    assert_eq!(diff.problems().count(), 0);
    assert_eq!(diff.changed_cells(), 3, "{:?}", diff.rows);
    assert_eq!(diff.plan.changing(), 2);
    let result = env
        .library
        .run_plan(&diff.plan, &env.dir.path().join("import.jsonl"), None)
        .await
        .unwrap();
    assert_eq!(result.counts().changed, 2);

    let after = images(&env).await;
    let number_of = |id: &str| {
        before
            .iter()
            .find(|i| i.id == id)
            .unwrap()
            .header_number
            .clone()
    };
    let changed: Vec<(String, String)> = snapshot(&before)
        .into_iter()
        .zip(snapshot(&after))
        .filter(|(b, a)| b != a)
        .map(|(b, _)| (number_of(&b.0), b.1))
        .collect();
    let n = |row: usize| edited.rows[row][0].clone();
    let mut expected = vec![
        (n(1), "season".to_owned()),
        (n(4), "colors".to_owned()),
        (n(4), "description".to_owned()),
    ];
    expected.sort();
    let mut changed = changed;
    changed.sort();
    assert_eq!(changed, expected);
    let row4 = after.iter().find(|i| i.header_number == n(4)).unwrap();
    assert_eq!(row4.field("colors").unwrap().value, json!(["Red", "Blue"]));
    let row1 = after.iter().find(|i| i.header_number == n(1)).unwrap();
    assert_eq!(row1.field("season").unwrap().value, json!("Fall"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_cells_are_flagged_and_unknown_numbers_listed_with_nothing_sent() {
    let env = start(6).await;
    let (mut table, _) = env
        .library
        .export_table(&env.folder, &Source::Folder)
        .await
        .unwrap();
    let updates = env.controls.requests_seen("/update");
    let c = column(&table, "Season");
    table.rows[0][c] = "Winter".into();
    let c = column(&table, "Width (px)");
    table.rows[1][c] = "wide".into();
    let c = column(&table, "Modified");
    table.rows[2][c] = "someone".into();
    let c = column(&table, "Image Name");
    table.rows[3][c] = String::new();
    let c = column(&table, "Designer");
    table.rows[4][c] = "Ok Change".into();
    table.rows.push(vec!["NOPE-1".into(), "Ghost".into()]);
    table.headers.push("Notes".into());
    let diff = env.library.diff_sheet(&env.folder, &table).await.unwrap();
    let problems: Vec<String> = diff
        .problems()
        .map(|(_, c)| c.problem.clone().unwrap())
        .collect();
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert!(
        problems[0].contains("allowed values") && problems[0].contains("Winter"),
        "{problems:?}"
    );
    assert!(problems[1].contains("whole number"), "{problems:?}");
    assert!(problems[2].contains("read-only"), "{problems:?}");
    assert!(problems[3].contains("required"), "{problems:?}");
    assert_eq!(diff.unknown.len(), 1);
    assert_eq!(diff.unknown[0].number, "NOPE-1");
    assert_eq!(diff.ignored_columns, vec!["Notes".to_owned()]);
    assert_eq!(diff.plan.changing(), 1, "only the valid cell is planned");
    assert_eq!(
        env.controls.requests_seen("/update"),
        updates,
        "nothing was sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xlsx_reads_back_what_it_wrote_and_imports_an_edit() {
    let env = start(8).await;
    let (table, numeric) = env
        .library
        .export_table(&env.folder, &Source::Folder)
        .await
        .unwrap();
    let path = env.dir.path().join("export.xlsx");
    write_xlsx(&table, &numeric, &path).unwrap();
    let read = read_sheet(&path).unwrap();
    assert_eq!(read.headers, table.headers);
    let unchanged = env.library.diff_sheet(&env.folder, &read).await.unwrap();
    assert_eq!(unchanged.plan.changing(), 0, "{:?}", unchanged.rows);

    let mut edited = read.clone();
    let scale = column(&edited, "Print Scale");
    edited.rows[2][scale] = "2.5".into();
    write_xlsx(&edited, &numeric, &path).unwrap();
    let diff = env
        .library
        .diff_sheet(&env.folder, &read_sheet(&path).unwrap())
        .await
        .unwrap();
    assert_eq!(diff.changed_cells(), 1, "{:?}", diff.rows);
    let result = env
        .library
        .run_plan(&diff.plan, &env.dir.path().join("x.jsonl"), None)
        .await
        .unwrap();
    assert_eq!(result.counts().changed, 1);
    let number = &edited.rows[2][0];
    let image = images(&env)
        .await
        .into_iter()
        .find(|i| &i.header_number == number)
        .unwrap();
    assert_eq!(image.field("print_scale").unwrap().value, json!(2.5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_or_a_selection_exports_only_those_images() {
    let env = start(12).await;
    let all = images(&env).await;
    // Seeded names are "Bulk image 1".."Bulk image 12": "image 1" matches 1, 10, 11 and 12.
    let (found, _) = env
        .library
        .export_table(&env.folder, &Source::Search("image 1".into()))
        .await
        .unwrap();
    let mut names: Vec<&str> = found.rows.iter().map(|r| r[1].as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "Bulk image 1",
            "Bulk image 10",
            "Bulk image 11",
            "Bulk image 12"
        ]
    );
    let picked = vec![all[3].id.clone(), all[0].id.clone()];
    let (selection, _) = env
        .library
        .export_table(&env.folder, &Source::Ids(picked))
        .await
        .unwrap();
    let numbers: Vec<&str> = selection.rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        numbers,
        [all[3].header_number.as_str(), all[0].header_number.as_str()]
    );
}
