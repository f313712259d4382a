//! The demo tenant's field types over real HTTP: the search schema, seeded values of every
//! kind, setting each kind, ProblemDetails validation answers, and filters on Users and dates.

mod common;

use std::collections::HashSet;

use beproduct_sandbox::{Sandbox, Seed};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const JORDAN: &str = "a3285f15-f752-4959-831d-6402b51cacde";
const MORGAN: &str = "d11a7573-5a64-4aac-9aa7-e78b17ff8cff";
const CASEY_INACTIVE: &str = "ba14e3da-a1eb-4f21-9e92-1db97753b9c9";
const PORTO_FACTORY: &str = "cf68f08e-fbfc-45d8-9ee6-fa9b89e3b15d";
const NORTHWIND_VENDOR: &str = "02262b2c-544f-46f7-a20b-84661d854b5b";

const REAL_TYPES: [&str; 17] = [
    "Users",
    "PartnerDropDown",
    "ComboBox",
    "UsersTags",
    "Tags",
    "Date",
    "DateTime",
    "Decimal",
    "Percent",
    "Currency",
    "Measure",
    "TrueFalse",
    "InvertedTrueFalse",
    "FormulaField",
    "ColorDropDown",
    "CompositeControl",
    "Number",
];

async fn schema(env: &Env, route: &str, folder: &str) -> Vec<Value> {
    let (status, body) = env.get(&format!("Image/{route}?folderId={folder}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().expect("a list").clone()
}

fn ids(list: &[Value], key: &str) -> HashSet<String> {
    list.iter()
        .filter_map(|v| v[key].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prints_has_every_real_field_type_and_the_search_schema_lists_the_filterable_ones() {
    let env = start(Seed::Demo).await;
    let prints = env.folder_id("Prints").await;
    let full = schema(&env, "FolderSchema", &prints).await;
    let types: HashSet<&str> = full
        .iter()
        .filter_map(|f| f["fieldType"].as_str())
        .collect();
    for t in REAL_TYPES {
        assert!(types.contains(t), "Prints has a {t} field: {types:?}");
    }
    let by_id = |id: &str| full.iter().find(|f| f["fieldId"] == id).unwrap().clone();
    // The schema shapes of beproduct-api.md §8.2.
    assert_eq!(
        by_id("content")["properties"]["Choices"],
        "Cotton\nPolyester\nElastane\nLinen\nViscose"
    );
    let factories = by_id("factory")["properties"]["Choices"].clone();
    assert!(factories
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["code"].is_string() && c["value"].is_string() && c.get("id").is_none()));
    assert!(factories
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == PORTO_FACTORY));
    assert_eq!(
        by_id("width_cm")["properties"]["Formula"],
        "[width_px] / 300 * 2.54"
    );
    assert_eq!(by_id("width_cm")["properties"]["ReadOnly"], true);
    assert_eq!(by_id("cost")["properties"]["Currency"], "USD");
    assert_eq!(by_id("repeat_height")["properties"]["Unit"], "cm");
    // The existing text Designer stays text (the app's tests type into it).
    assert_eq!(by_id("designer")["fieldType"], "Text");

    let search = schema(&env, "FolderSearchSchema", &prints).await;
    let searchable = ids(&search, "fieldId");
    for id in [
        "header_number",
        "tech_designer",
        "factory",
        "approved_at",
        "due_date",
        "width_cm",
        "reviewers",
    ] {
        assert!(
            searchable.contains(id),
            "{id} is searchable: {searchable:?}"
        );
    }
    for id in ["content", "main_color"] {
        assert!(!searchable.contains(id), "{id} is not searchable");
    }
    for f in &search {
        assert!(
            f["fieldId"].is_string() && f["fieldType"].is_string() && f["properties"].is_object(),
            "{f}"
        );
    }
    let (status, body) = env
        .get("Image/FolderSearchSchema?folderId=6e0b9a0e-1111-4c2f-9d6e-000000000000")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = env.get("Image/FolderSearchSchema?folderId=nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_images_carry_realistic_values_of_each_kind() {
    let env = start(Seed::Demo).await;
    let prints = env.folder_id("Prints").await;
    let (_, users) = env.get("Users/List").await;
    let user_ids = ids(users.as_array().unwrap(), "id");
    let (_, page) = env.search(&prints, json!([]), 50, 0).await;
    let images = page["result"].as_array().unwrap();
    assert_eq!(images.len(), 14);
    for image in images {
        let user = field(image, "tech_designer").as_str().unwrap();
        assert!(user_ids.contains(user), "{user} is a user");
        let factory = field(image, "factory");
        assert!(
            factory["code"].is_string()
                && factory["value"].is_string()
                && factory["text"] == factory["value"],
            "{factory}"
        );
        for reviewer in field(image, "reviewers").as_array().unwrap() {
            assert!(user_ids.contains(reviewer["code"].as_str().unwrap()));
            assert!(reviewer["value"].is_string());
        }
        assert!(field(image, "keywords").is_array());
        let approved = field(image, "approved_at").as_str().unwrap();
        assert!(
            approved.ends_with('Z') && approved.len() == 24,
            "{approved}"
        );
        for id in ["ink_coverage", "cost", "repeat_height"] {
            assert!(field(image, id).is_number(), "{id}");
        }
        let inverted = field(image, "exclude_from_linesheet");
        assert!(inverted == "Yes" || inverted == "No", "{inverted}");
        let color = field(image, "main_color");
        assert!(
            color["hex"].is_string()
                && color["color_name"].is_string()
                && color["rgb_r"].is_number()
        );
        let parts = field(image, "content").as_array().unwrap().clone();
        let total: f64 = parts.iter().map(|p| p["value"].as_f64().unwrap()).sum();
        assert!((total - 100.0).abs() < 1e-9, "{parts:?}");
        let width = field(image, "width_px").as_f64().unwrap();
        let formula = field(image, "width_cm").as_f64().unwrap();
        assert!(
            (formula - (width / 300.0 * 2.54 * 100.0).round() / 100.0).abs() < 1e-9,
            "{width} px → {formula} cm"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_kind_is_set_by_what_identifies_it_and_stored_in_the_sdk_shape() {
    let env = start(Seed::Empty).await;
    let prints = env.folder_id("Prints").await;
    let (status, created) = env
        .create(
            &prints,
            json!([
                {"id": "header_name", "value": "Rich"},
                {"id": "tech_designer", "value": "jordan.blake"},
                {"id": "factory", "value": {"code": PORTO_FACTORY}},
                {"id": "parent_vendor", "value": "Northwind Sourcing"},
                {"id": "fabric", "value": "poplin"},
                {"id": "reviewers", "value": [{"code": MORGAN}, "Jordan Blake", {"code": MORGAN}]},
                {"id": "keywords", "value": [" eco ", "Eco", "kids", ""]},
                {"id": "approved_at", "value": "2026-05-26T14:30:00+02:00"},
                {"id": "ink_coverage", "value": "35"},
                {"id": "cost", "value": 4.75},
                {"id": "repeat_height", "value": 32.5},
                {"id": "exclude_from_linesheet", "value": true},
                {"id": "width_px", "value": 1200},
                {"id": "width_cm", "value": 999},
                {"id": "main_color", "value": "#0f4c81"},
                {"id": "content", "value": [{"code": "Cotton", "value": 95}, {"code": "EA", "value": "5"}]}
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let (_, fetched) = env
        .get(&format!("Image/Header/{}", created["id"].as_str().unwrap()))
        .await;
    assert_eq!(fetched, created, "Create answers what a later GET answers");
    assert_eq!(field(&created, "tech_designer"), JORDAN);
    assert_eq!(
        field(&created, "factory"),
        &json!({"value": "Porto Malhas", "code": PORTO_FACTORY, "text": "Porto Malhas"})
    );
    assert_eq!(field(&created, "parent_vendor")["code"], NORTHWIND_VENDOR);
    assert_eq!(field(&created, "fabric"), "Poplin");
    assert_eq!(
        field(&created, "reviewers"),
        &json!([{"value": "Morgan Lee", "code": MORGAN}, {"value": "Jordan Blake", "code": JORDAN}])
    );
    assert_eq!(field(&created, "keywords"), &json!(["eco", "kids"]));
    assert_eq!(field(&created, "approved_at"), "2026-05-26T12:30:00.000Z");
    assert_eq!(field(&created, "ink_coverage"), 35.0);
    assert_eq!(field(&created, "cost"), 4.75);
    assert_eq!(field(&created, "exclude_from_linesheet"), "Yes");
    // Computed from width_px; the value sent for it is ignored.
    assert_eq!(field(&created, "width_cm"), 10.16);
    assert_eq!(field(&created, "main_color")["color_name"], "Classic Blue");
    assert_eq!(
        field(&created, "content"),
        &json!([{"code": "Cotton", "value": 95.0}, {"code": "Elastane", "value": 5.0}])
    );

    // A ComboBox takes text that is not among its choices; clearing works for every kind.
    let id = created["id"].as_str().unwrap();
    let (status, updated) = env
        .post(
            &format!("Image/Header/{id}/Update"),
            &json!({"fields": [
                {"id": "fabric", "value": "Bamboo Twill"},
                {"id": "tech_designer", "value": null},
                {"id": "factory", "value": ""},
                {"id": "width_px", "value": null}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(field(&updated, "fabric"), "Bamboo Twill");
    assert!(field(&updated, "tech_designer").is_null());
    assert!(field(&updated, "factory").is_null());
    assert!(
        field(&updated, "width_cm").is_null(),
        "no width, no formula value"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_values_answer_problem_details_naming_each_field_and_change_nothing() {
    let env = start(Seed::Empty).await;
    let prints = env.folder_id("Prints").await;
    let (_, created) = env
        .create(
            &prints,
            json!([{"id": "header_name", "value": "Valid"}, {"id": "width_px", "value": 800}]),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let (status, body) = env
        .post(
            &format!("Image/Header/{id}/Update"),
            &json!({"fields": [
                {"id": "header_name", "value": "Renamed"},
                {"id": "width_px", "value": "wide"},
                {"id": "factory", "value": {"code": NORTHWIND_VENDOR}},
                {"id": "tech_designer", "value": CASEY_INACTIVE},
                {"id": "reviewers", "value": [{"code": "nobody"}]},
                {"id": "content", "value": [{"code": "Cotton", "value": 80}, {"code": "Linen", "value": 30}]},
                {"id": "main_color", "value": "Plaid"}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["title"], "One or more validation errors occurred.");
    assert_eq!(body["status"], 400);
    assert!(body["type"].is_string());
    let errors = body["errors"].as_object().unwrap();
    let fields: HashSet<&str> = errors.keys().map(String::as_str).collect();
    assert_eq!(
        fields,
        HashSet::from([
            "width_px",
            "factory",
            "tech_designer",
            "reviewers",
            "content",
            "main_color"
        ])
    );
    assert!(errors["factory"][0].as_str().unwrap().contains("Factory"));
    assert!(errors["tech_designer"][0]
        .as_str()
        .unwrap()
        .contains("no longer active"));
    // The old `message` stays for clients that read only it.
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("width_px") && message.contains("whole number"),
        "{message}"
    );

    let (_, after) = env.get(&format!("Image/Header/{id}")).await;
    assert_eq!(
        after["headerName"], "Valid",
        "a refused update changes nothing"
    );
    assert_eq!(field(&after, "width_px"), 800);

    // Missing name and a duplicate number are field errors too.
    let (status, body) = env
        .create(&prints, json!([{"id": "header_name", "value": " "}]))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["header_name"].is_array(), "{body}");
    let number = created["headerNumber"].as_str().unwrap();
    let (status, body) = env
        .create(
            &prints,
            json!([{"id": "header_name", "value": "Twin"}, {"id": "header_number", "value": number}]),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["header_number"][0]
        .as_str()
        .unwrap()
        .contains("already used"));
}

async fn found(env: &Env, folder: &str, filters: Value) -> HashSet<String> {
    let (status, page) = env.search(folder, filters, 100, 0).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let result = page["result"].as_array().unwrap();
    assert_eq!(page["total"], result.len());
    ids(result, "headerName")
}

fn names(list: &[&str]) -> HashSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_on_users_partners_and_dates_return_the_right_images() {
    let env = start(Seed::Empty).await;
    let prints = env.folder_id("Prints").await;
    for (name, user, factory, due, approved) in [
        (
            "A",
            Some(JORDAN),
            Some(PORTO_FACTORY),
            "2026-05-25",
            "2026-05-26T08:00:00Z",
        ),
        (
            "B",
            Some(MORGAN),
            None,
            "2026-05-26",
            "2026-05-26T23:30:00Z",
        ),
        ("C", None, None, "2026-05-27", "2026-05-27T00:15:00Z"),
    ] {
        let (status, body) = env
            .create(
                &prints,
                json!([
                    {"id": "header_name", "value": name},
                    {"id": "tech_designer", "value": user},
                    {"id": "factory", "value": factory},
                    {"id": "due_date", "value": due},
                    {"id": "approved_at", "value": approved}
                ]),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let eq = |field: &str, value: &str| json!([{"field": field, "operator": "Eq", "value": value}]);
    assert_eq!(
        found(&env, &prints, eq("tech_designer", JORDAN)).await,
        names(&["A"])
    );
    // The client's "in" filter: ids joined with ■.
    assert_eq!(
        found(
            &env,
            &prints,
            eq("tech_designer", &format!("{JORDAN}■{MORGAN}"))
        )
        .await,
        names(&["A", "B"])
    );
    assert_eq!(
        found(&env, &prints, eq("tech_designer", "morgan lee")).await,
        names(&["B"])
    );
    assert_eq!(
        found(
            &env,
            &prints,
            json!([{"field": "tech_designer", "operator": "Neq", "value": JORDAN}])
        )
        .await,
        names(&["B", "C"])
    );
    assert_eq!(
        found(&env, &prints, eq("tech_designer", "")).await,
        names(&["C"])
    );
    assert_eq!(
        found(&env, &prints, eq("factory", PORTO_FACTORY)).await,
        names(&["A"])
    );
    assert_eq!(
        found(&env, &prints, eq("factory", "Porto Malhas")).await,
        names(&["A"])
    );

    // A whole day in a UTC-5 zone, as the client sends it: [05:00Z, next day 05:00Z).
    let day = |field: &str, from: &str, to: &str| {
        json!([
            {"field": field, "operator": "Gte", "value": from, "type": "Date"},
            {"field": field, "operator": "Lt", "value": to, "type": "Date"}
        ])
    };
    let (from, to) = ("2026-05-26T05:00:00.000Z", "2026-05-27T05:00:00.000Z");
    assert_eq!(
        found(&env, &prints, day("approved_at", from, to)).await,
        names(&["A", "B", "C"])
    );
    // A Date is stored as its day at midnight UTC.
    let (from, to) = ("2026-05-26T00:00:00.000Z", "2026-05-27T00:00:00.000Z");
    assert_eq!(
        found(&env, &prints, day("due_date", from, to)).await,
        names(&["B"])
    );
    // A UTC day on a DateTime, and a date-only Eq (the whole UTC day).
    assert_eq!(
        found(&env, &prints, eq("approved_at", "2026-05-26")).await,
        names(&["A", "B"])
    );
    assert_eq!(
        found(&env, &prints, json!([{"field": "due_date", "operator": "Lte", "value": "2026-05-26T00:00:00Z", "type": "Date"}])).await,
        names(&["A", "B"])
    );
    // Users and dates combine (AND).
    let both = json!([
        {"field": "tech_designer", "operator": "Eq", "value": MORGAN},
        {"field": "approved_at", "operator": "Gt", "value": "2026-05-26T12:00:00Z", "type": "Date"}
    ]);
    assert_eq!(found(&env, &prints, both).await, names(&["B"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_folder_from_an_older_sandbox_gains_the_new_fields_and_keeps_its_images() {
    let env = start(Seed::Demo).await;
    let prints = env.folder_id("Prints").await;
    let (_, before) = env.search(&prints, json!([]), 50, 0).await;
    let Env { sandbox, dir, .. } = env;
    sandbox.shutdown().await;

    // Prints as the sandbox seeded it before the real field types: no tech_designer etc.
    let old_ids = [
        "header_number",
        "header_name",
        "version",
        "active",
        "created_by",
        "modified_by",
        "description",
        "artwork_type",
        "season",
        "colors",
        "repeat",
        "designer",
        "due_date",
        "width_px",
        "print_scale",
    ];
    {
        let db = rusqlite::Connection::open(dir.path().join("sandbox.sqlite3")).unwrap();
        let schema: String = db
            .query_row(
                "SELECT schema_json FROM folders WHERE id = ?1",
                [&prints],
                |r| r.get(0),
            )
            .unwrap();
        let fields: Vec<Value> = serde_json::from_str(&schema).unwrap();
        let old: Vec<Value> = fields
            .into_iter()
            .filter(|f| old_ids.contains(&f["id"].as_str().unwrap()))
            .map(|mut f| {
                f.as_object_mut().unwrap().remove("properties");
                f
            })
            .collect();
        assert_eq!(old.len(), old_ids.len());
        db.execute(
            "UPDATE folders SET schema_json = ?2 WHERE id = ?1",
            [&prints, &serde_json::to_string(&old).unwrap()],
        )
        .unwrap();
    }

    let sandbox = Sandbox::start(config(dir.path(), Seed::Demo))
        .await
        .unwrap();
    let env = Env {
        token: grant(
            &reqwest::Client::new(),
            &sandbox,
            "sandbox-client",
            "sandbox-secret",
            "sandbox-refresh-token",
        )
        .await
        .1["access_token"]
            .as_str()
            .unwrap()
            .to_owned(),
        sandbox,
        http: reqwest::Client::new(),
        dir,
    };
    let fields = schema(&env, "FolderSchema", &prints).await;
    let order: Vec<&str> = fields
        .iter()
        .map(|f| f["fieldId"].as_str().unwrap())
        .collect();
    assert_eq!(
        &order[..old_ids.len()],
        &old_ids,
        "old fields first, as they were"
    );
    for id in ["tech_designer", "factory", "width_cm", "content"] {
        assert!(order.contains(&id), "{id} added");
    }
    let (_, after) = env.search(&prints, json!([]), 50, 0).await;
    assert_eq!(after["total"], before["total"]);
    for (old, new) in before["result"]
        .as_array()
        .unwrap()
        .iter()
        .zip(after["result"].as_array().unwrap())
    {
        assert_eq!(old["id"], new["id"]);
        for id in ["header_name", "designer", "width_px", "season"] {
            assert_eq!(field(old, id), field(new, id), "{id} kept");
        }
    }
}
