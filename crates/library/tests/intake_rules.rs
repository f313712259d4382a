//! Naming rules read attributes out of file names, and the intake plan checks each value by
//! the folder's field rules: patterns and regular expressions, Unicode names, separators,
//! names too short for the rule, bad rules; then, against a real sandbox folder, choices by
//! code or label, numbers and dates, edits in place and the saved settings.

mod common;

use beproduct::{Client, FieldUpdate};
use beproduct_sandbox::Seed;
use image_library::intake::{
    plan_name, recheck, CellSource, EmbeddedMetadata, IntakeCell, IntakeFields, IntakeRow,
    IntakeSettings, IntakeStore, MetadataMapping, NamingRule,
};
use image_library::ImageLibrary;
use serde_json::json;

fn extract(rule: &NamingRule, stem: &str) -> Result<Vec<(String, String)>, String> {
    rule.compile().expect("the rule compiles").extract(stem)
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect()
}

#[test]
fn a_pattern_reads_the_parts_of_a_name_and_dashes_read_as_spaces() {
    let rule = NamingRule::pattern("{season}_{header_number}_{header_name}_{artwork_type}");
    assert_eq!(
        extract(&rule, "SS27_PRT-0412_Floral-Ditsy_Embroidery").unwrap(),
        pairs(&[
            ("season", "SS27"),
            ("header_number", "PRT-0412"),
            ("header_name", "Floral Ditsy"),
            ("artwork_type", "Embroidery"),
        ]),
        "the number keeps its dash; the name's dash is a space"
    );
    // Earlier tokens take as little as they can; the last takes the rest.
    let short = NamingRule::pattern("{season}_{header_number}_{header_name}");
    assert_eq!(
        extract(&short, "FA_PRT-1_Floral_Ditsy_v2").unwrap()[2],
        ("header_name".into(), "Floral_Ditsy_v2".into())
    );
    let literal = NamingRule::Pattern {
        pattern: "{header_number}_{header_name}".into(),
        dash_as_space: false,
    };
    assert_eq!(
        extract(&literal, "PRT-7_All-over-print").unwrap()[1].1,
        "All-over-print"
    );
}

/// Pattern, file stem, the (field, text) pairs it gives.
type Case = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

#[test]
fn separators_are_literal_text_and_unicode_names_work() {
    let cases: [Case; 6] = [
        (
            "{header_number} - {header_name}",
            "PRT-0412 - Floral Ditsy",
            &[
                ("header_number", "PRT-0412"),
                ("header_name", "Floral Ditsy"),
            ],
        ),
        (
            "{season}.{header_name}",
            "FA.Résumé-Été",
            &[("season", "FA"), ("header_name", "Résumé Été")],
        ),
        (
            "{header_number}-{header_name}",
            "0042-Grüße aus Köln",
            &[("header_number", "0042"), ("header_name", "Grüße aus Köln")],
        ),
        (
            "{season} {header_name}",
            "HO 花柄-小紋",
            &[("season", "HO"), ("header_name", "花柄 小紋")],
        ),
        (
            "{season}・{header_name}",
            "春・桜の花",
            &[("season", "春"), ("header_name", "桜の花")],
        ),
        (
            "IMG_{header_number}_final",
            "IMG_0042_final",
            &[("header_number", "0042")],
        ),
    ];
    for (pattern, stem, expected) in cases {
        let got = extract(&NamingRule::pattern(pattern), stem).unwrap();
        assert_eq!(got, pairs(expected), "{pattern} on {stem}");
    }
    // Regex metacharacters in the pattern are plain text.
    let dotted = NamingRule::pattern("{season}.{header_number}");
    assert!(
        extract(&dotted, "FAxPRT").is_err(),
        "'.' is not 'any character'"
    );
}

#[test]
fn a_name_that_does_not_follow_the_rule_says_why() {
    let rule = NamingRule::pattern("{season}_{header_number}_{header_name}_{artwork_type}");
    let why = extract(&rule, "SS27_PRT-0412").unwrap_err();
    assert!(
        why.contains("the name has 2 parts separated by '_'; the rule expects 4"),
        "{why}"
    );
    let why = extract(&rule, "Floral").unwrap_err();
    assert!(why.contains("has 1 part separated by '_'"), "{why}");
    let why = extract(&rule, "SS27__Floral_EMB").unwrap_err();
    assert!(
        why.contains("part 2") && why.contains("{header_number}") && why.contains("empty"),
        "{why}"
    );
    let why = extract(&rule, "SS27_PRT-1_Floral_").unwrap_err();
    assert!(
        why.contains("part 4") && why.contains("{artwork_type}"),
        "{why}"
    );

    let mixed = NamingRule::pattern("{season}_{header_number} {header_name}");
    let why = extract(&mixed, "SS27_PRT0412").unwrap_err();
    assert!(
        why.contains("no ' ' after {header_number}") && why.contains("{header_name}"),
        "{why}"
    );
    let prefixed = NamingRule::pattern("IMG_{header_number}");
    let why = extract(&prefixed, "DSC_0042").unwrap_err();
    assert!(why.contains("does not start with 'IMG_'"), "{why}");
    let suffixed = NamingRule::pattern("{header_number}_final");
    let why = extract(&suffixed, "0042_draft").unwrap_err();
    assert!(why.contains("does not end with '_final'"), "{why}");
}

#[test]
fn regex_rules_map_named_groups_to_fields() {
    let by_name = NamingRule::Regex {
        regex: r"^(?P<season>[A-Z]{2}\d{2})-(?P<header_number>\d+)(?:-(?P<header_name>.+))?$"
            .into(),
        groups: Default::default(),
    };
    assert_eq!(
        extract(&by_name, "SS27-0412-Floral Ditsy").unwrap(),
        pairs(&[
            ("season", "SS27"),
            ("header_number", "0412"),
            ("header_name", "Floral Ditsy"),
        ])
    );
    assert_eq!(
        extract(&by_name, "SS27-0412").unwrap().len(),
        2,
        "an optional group that did not match gives no value"
    );
    let why = extract(&by_name, "ss27-0412").unwrap_err();
    assert!(
        why.contains("does not match the regular expression"),
        "{why}"
    );

    let mapped = NamingRule::Regex {
        regex: r"^(?P<s>\p{L}+)_(?P<n>\d+)".into(),
        groups: [
            ("s".to_owned(), "season".to_owned()),
            ("n".to_owned(), "header_number".to_owned()),
        ]
        .into(),
    };
    assert_eq!(
        extract(&mapped, "Été_12_rest").unwrap(),
        pairs(&[("season", "Été"), ("header_number", "12")])
    );
}

#[test]
fn bad_rules_are_refused_with_the_problem_named() {
    for (rule, says) in [
        (
            NamingRule::pattern("{season}{header_number}"),
            "nothing between them",
        ),
        (NamingRule::pattern("{season}_{}"), "empty token {}"),
        (NamingRule::pattern("{season"), "not closed"),
        (NamingRule::pattern("season}_x"), "'}' with no '{'"),
        (NamingRule::pattern("{a{b}}"), "'{' inside it"),
        (NamingRule::pattern("no tokens here"), "no field tokens"),
        (NamingRule::pattern("{season}_{season}"), "appears twice"),
        (NamingRule::pattern("{sea son}_x"), "not a field id"),
        (
            NamingRule::Regex {
                regex: "(?P<season>".into(),
                groups: Default::default(),
            },
            "does not compile",
        ),
        (
            NamingRule::Regex {
                regex: r"(\d+)_(\w+)".into(),
                groups: Default::default(),
            },
            "no named groups",
        ),
        (
            NamingRule::Regex {
                regex: r"(?P<n>\d+)".into(),
                groups: [("m".to_owned(), "season".to_owned())].into(),
            },
            "does not have",
        ),
    ] {
        let why = rule.compile().unwrap_err();
        assert!(why.contains(says), "{rule:?}: {why}");
    }
}

#[test]
fn rules_are_stored_as_tagged_camel_case_json() {
    let json = serde_json::to_value(IntakeSettings {
        rule: Some(NamingRule::pattern("{header_number}")),
        metadata: MetadataMapping {
            title: Some("description".into()),
            ..Default::default()
        },
    })
    .unwrap();
    assert_eq!(
        json,
        json!({
            "rule": {"kind": "pattern", "pattern": "{header_number}", "dashAsSpace": true},
            "metadata": {"title": "description", "description": null, "keywords": null, "creator": null}
        })
    );
    let regex: NamingRule = serde_json::from_value(
        json!({"kind": "regex", "regex": "(?P<n>\\d+)", "groups": {"n": "header_number"}}),
    )
    .unwrap();
    assert!(regex.compile().is_ok());
}

// --- Against a real folder: the sandbox's Prints folder ---------------------------------------

struct Env {
    _dir: tempfile::TempDir,
    _sandbox: beproduct_sandbox::Sandbox,
    library: ImageLibrary,
    prints: String,
    fields: IntakeFields,
}

async fn prints() -> Env {
    let (dir, sandbox) = common::start_sandbox(Seed::Empty).await;
    let library = ImageLibrary::new(Client::new(common::client_config(&sandbox)).unwrap());
    let prints = common::prints(&library).await;
    let fields = library.intake_fields(&prints).await.unwrap();
    Env {
        _dir: dir,
        _sandbox: sandbox,
        library,
        prints,
        fields,
    }
}

fn with_rule(pattern: &str) -> IntakeSettings {
    IntakeSettings {
        rule: Some(NamingRule::pattern(pattern)),
        metadata: MetadataMapping::default(),
    }
}

fn cell<'a>(row: &'a IntakeRow, field_id: &str) -> &'a IntakeCell {
    row.cells
        .iter()
        .find(|c| c.field_id == field_id)
        .unwrap_or_else(|| panic!("no {field_id} cell in {row:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choices_match_by_code_or_label_and_numbers_and_dates_are_parsed() {
    let env = prints().await;
    let fields = &env.fields;
    let settings = with_rule("{season}_{header_number}_{header_name}_{artwork_type}");

    let row = plan_name(fields, &settings, "SP_PRT-0412_Floral-Ditsy_EMB.psd", None);
    assert_eq!(row.problems(), Vec::<String>::new(), "{row:#?}");
    assert_eq!(
        (row.number.text.as_str(), row.number.source),
        ("PRT-0412", CellSource::Rule)
    );
    assert_eq!(row.name.text, "Floral Ditsy");
    assert_eq!(cell(&row, "season").text, "Spring", "code SP");
    assert_eq!(cell(&row, "season").label, "Season");
    assert_eq!(cell(&row, "artwork_type").text, "Embroidery", "code EMB");
    assert_eq!(
        row.cells
            .iter()
            .map(|c| c.field_id.as_str())
            .collect::<Vec<_>>(),
        ["artwork_type", "season"],
        "cells in the folder's field order"
    );

    // Labels and codes in any letter case.
    let row = plan_name(fields, &settings, "fall_PRT-1_Ditsy_pattern.tif", None);
    assert_eq!(cell(&row, "season").text, "Fall");
    assert_eq!(cell(&row, "artwork_type").text, "Pattern");
    let row = plan_name(fields, &settings, "ho_PRT-1_Ditsy_gra.tif", None);
    assert_eq!(cell(&row, "season").text, "Holiday");
    assert_eq!(cell(&row, "artwork_type").text, "Graphic");

    // A value outside the choices: the problem names the field, the choices and what to do.
    let row = plan_name(fields, &settings, "Winter_PRT-1_Ditsy_Print.jpg", None);
    let season = cell(&row, "season");
    assert_eq!(season.text, "Winter", "kept as read");
    let problem = season.problem.as_deref().unwrap();
    for says in [
        "Season (season)",
        "\"Spring\"",
        "\"Winter\"",
        "rename the file",
    ] {
        assert!(problem.contains(says), "{problem}");
    }
    assert!(cell(&row, "artwork_type").problem.is_none());

    // Numbers and dates, dashes of a date kept although dashes read as spaces.
    let numbers = with_rule("{header_number}_{width_px}_{print_scale}_{due_date}");
    let row = plan_name(fields, &numbers, "PRT-9_1200_1.25_2026-05-26.png", None);
    assert_eq!(row.problems(), Vec::<String>::new(), "{row:#?}");
    assert_eq!(cell(&row, "width_px").text, "1200");
    assert_eq!(cell(&row, "print_scale").text, "1.25");
    assert_eq!(cell(&row, "due_date").text, "2026-05-26");
    assert_eq!(
        row.name.text, "PRT-9_1200_1.25_2026-05-26",
        "no name token: the stem"
    );
    assert_eq!(row.name.source, CellSource::FileName);
    let values = row.values(fields).unwrap();
    assert_eq!(values.number, "PRT-9");
    assert!(values.fields.contains(&FieldUpdate::new("width_px", 1200)));
    assert!(values
        .fields
        .contains(&FieldUpdate::new("print_scale", 1.25)));
    let due = values.fields.iter().find(|f| f.id == "due_date").unwrap();
    assert!(
        due.value.as_str().unwrap().starts_with("2026-05-26"),
        "{due:?}"
    );

    let row = plan_name(fields, &numbers, "PRT-9_12x_abc_2026-13-40.png", None);
    let problem = |id: &str| cell(&row, id).problem.clone().unwrap_or_default();
    assert!(
        problem("width_px").contains("whole number"),
        "{}",
        problem("width_px")
    );
    assert!(
        problem("print_scale").contains("takes a number"),
        "{}",
        problem("print_scale")
    );
    assert!(
        problem("due_date").contains("takes a date"),
        "{}",
        problem("due_date")
    );
    let all = row.values(fields).unwrap_err();
    assert_eq!(all.len(), 3, "{all:?}");
    let valid = row.valid_values(fields).expect("number and name are valid");
    assert_eq!(valid.number, "PRT-9");
    assert!(valid.fields.is_empty(), "only the valid cells: {valid:?}");

    // Fields that cannot be typed, fields the folder does not have.
    let odd = with_rule("{header_number}_{tech_designer}_{colour}");
    let row = plan_name(fields, &odd, "PRT-1_jdoe_Red.png", None);
    assert!(cell(&row, "tech_designer")
        .problem
        .as_deref()
        .unwrap()
        .contains("holds users"));
    assert!(cell(&row, "colour")
        .problem
        .as_deref()
        .unwrap()
        .contains("not a field of this folder"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_rule_or_a_name_off_the_rule_falls_back_to_the_file_name() {
    let env = prints().await;
    let fields = &env.fields;
    let row = plan_name(
        fields,
        &IntakeSettings::default(),
        "Floral ditsy.v2.psd",
        None,
    );
    assert_eq!(row.number.text, "Floral ditsy.v2");
    assert_eq!(row.name.text, "Floral ditsy.v2");
    assert_eq!(row.number.source, CellSource::FileName);
    assert!(row.cells.is_empty() && row.note.is_none());

    let settings = with_rule("{season}_{header_number}_{header_name}");
    let row = plan_name(fields, &settings, "Floral.psd", None);
    let note = row.note.as_deref().unwrap();
    assert!(note.contains("does not follow the naming rule"), "{note}");
    assert!(note.contains("1 part separated by '_'"), "{note}");
    assert_eq!(
        (row.number.text.as_str(), row.number.source),
        ("Floral", CellSource::FileName)
    );
    assert!(row.values(fields).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_fills_mapped_fields_and_the_file_name_wins() {
    let env = prints().await;
    let fields = &env.fields;
    let settings = IntakeSettings {
        rule: Some(NamingRule::pattern("{header_number}_{season}")),
        metadata: MetadataMapping {
            title: Some("season".into()),
            description: Some("description".into()),
            keywords: Some("keywords".into()),
            creator: Some("designer".into()),
        },
    };
    let meta = EmbeddedMetadata {
        title: Some("Summer".into()),
        description: Some("A ditsy floral, small scale".into()),
        keywords: vec!["flowers".into(), "ditsy".into()],
        creator: vec!["Zoë Designer".into(), "Ann".into()],
        unreadable: vec![],
    };
    let row = plan_name(fields, &settings, "PRT-3_FA.psd", Some(&meta));
    assert_eq!(row.problems(), Vec::<String>::new(), "{row:#?}");
    let season = cell(&row, "season");
    assert_eq!(
        (season.text.as_str(), season.source),
        ("Fall", CellSource::Rule)
    );
    let description = cell(&row, "description");
    assert_eq!(description.text, "A ditsy floral, small scale");
    assert_eq!(description.source, CellSource::Metadata);
    assert_eq!(cell(&row, "keywords").text, "flowers, ditsy");
    assert_eq!(cell(&row, "designer").text, "Zoë Designer, Ann");
    let values = row.values(fields).unwrap();
    assert!(values
        .fields
        .contains(&FieldUpdate::new("keywords", json!(["flowers", "ditsy"]))));
    assert!(!values.fields.iter().any(|f| f.id.starts_with("header_")));

    // Without a season in the name, the title fills it, checked like any value.
    let row = plan_name(
        fields,
        &with_rule("{header_number}"),
        "PRT-3.psd",
        Some(&meta),
    );
    assert!(row.cells.is_empty(), "no mapping, no metadata cells");
    let settings = IntakeSettings {
        rule: None,
        ..settings
    };
    let row = plan_name(fields, &settings, "PRT-3.psd", Some(&meta));
    assert_eq!(cell(&row, "season").text, "Summer");
    assert_eq!(cell(&row, "season").source, CellSource::Metadata);
    let odd = EmbeddedMetadata {
        title: Some("Monsoon".into()),
        ..meta.clone()
    };
    let row = plan_name(fields, &settings, "PRT-3.psd", Some(&odd));
    let problem = cell(&row, "season").problem.as_deref().unwrap();
    assert!(problem.contains("fix the file's metadata"), "{problem}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cells_edited_in_place_are_checked_again() {
    let env = prints().await;
    let fields = &env.fields;
    let edits = |list: &[(&str, &str)]| pairs(list);
    let row = recheck(
        fields,
        "PRT-5_whatever.tif",
        edits(&[
            ("season", "fa"),
            ("header_name", "  Better name "),
            ("width_px", "12.5"),
            ("colors", "red; BLU"),
        ]),
    );
    assert_eq!(row.number.text, "PRT-5_whatever");
    assert_eq!(row.number.source, CellSource::FileName);
    assert_eq!(
        (row.name.text.as_str(), row.name.source),
        ("Better name", CellSource::Edited)
    );
    assert_eq!(cell(&row, "season").text, "Fall");
    assert_eq!(
        cell(&row, "colors").text,
        "Red, Blue",
        "labels and codes, any case"
    );
    assert!(cell(&row, "width_px")
        .problem
        .as_deref()
        .unwrap()
        .contains("whole number"));
    assert!(row.cells.iter().all(|c| c.source == CellSource::Edited));

    // Editing one cell of a planned row keeps where the others came from.
    let planned = plan_name(
        fields,
        &with_rule("{season}_{header_number}_{header_name}"),
        "SP_PRT-6_Ditsy.psd",
        None,
    );
    let row = planned.with_edits(
        fields,
        edits(&[("header_number", ""), ("due_date", "2026-01-31")]),
    );
    assert_eq!(row.name.source, CellSource::Rule);
    assert_eq!(cell(&row, "season").source, CellSource::Rule);
    assert_eq!(cell(&row, "due_date").source, CellSource::Edited);
    let problem = row.number.problem.as_deref().unwrap();
    assert!(
        problem.contains("Image Number (header_number) is required"),
        "{problem}"
    );
    assert!(
        row.valid_values(fields).is_none(),
        "no image without a number"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_checked_against_the_folder_and_stored_per_folder() {
    let env = prints().await;
    let dir = tempfile::tempdir().unwrap();
    let store = IntakeStore::new(dir.path().join("intake"));
    assert_eq!(store.load(&env.prints).unwrap(), IntakeSettings::default());

    let good = IntakeSettings {
        rule: Some(NamingRule::pattern(
            "{season}_{header_number}_{header_name}",
        )),
        metadata: MetadataMapping {
            title: Some(" description ".into()),
            keywords: Some("keywords".into()),
            creator: Some("".into()),
            ..Default::default()
        },
    };
    let saved = env
        .library
        .save_intake_settings(&store, &env.prints, good)
        .await
        .unwrap();
    assert_eq!(saved.metadata.title.as_deref(), Some("description"));
    assert_eq!(saved.metadata.creator, None, "blank means not used");
    assert_eq!(store.load(&env.prints).unwrap(), saved);
    let files: Vec<_> = std::fs::read_dir(store.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        files,
        [format!("{}.json", env.prints)],
        "nothing left aside"
    );

    let refused = |settings: IntakeSettings| {
        let library = &env.library;
        let (store, prints) = (&store, &env.prints);
        async move {
            library
                .save_intake_settings(store, prints, settings)
                .await
                .unwrap_err()
                .to_string()
        }
    };
    let map = |mapping: MetadataMapping| IntakeSettings {
        rule: None,
        metadata: mapping,
    };
    for (settings, says) in [
        (with_rule("{season}{header_number}"), "nothing between them"),
        (
            with_rule("{colour}_{header_number}"),
            "not a field of this folder",
        ),
        (with_rule("{header_number}_{tech_designer}"), "holds users"),
        (with_rule("{header_number}_{width_cm}"), "read-only"),
        (
            map(MetadataMapping {
                title: Some("header_name".into()),
                ..Default::default()
            }),
            "come from the naming rule or the file name",
        ),
        (
            map(MetadataMapping {
                creator: Some("reviewers".into()),
                ..Default::default()
            }),
            "holds users",
        ),
        (
            map(MetadataMapping {
                title: Some("description".into()),
                description: Some("DESCRIPTION".into()),
                ..Default::default()
            }),
            "map each to its own field",
        ),
        (
            map(MetadataMapping {
                keywords: Some("tags".into()),
                ..Default::default()
            }),
            "not a field of this folder",
        ),
    ] {
        let message = refused(settings.clone()).await;
        assert!(message.contains(says), "{settings:?}: {message}");
    }
    assert_eq!(
        store.load(&env.prints).unwrap(),
        saved,
        "refusals change nothing"
    );

    // Saving inactive settings removes the folder's file.
    store
        .save(&env.prints, &env.fields, IntakeSettings::default())
        .unwrap();
    assert_eq!(std::fs::read_dir(store.dir()).unwrap().count(), 0);
    assert!(store.load("../etc").is_err(), "folder ids are GUIDs");
}
