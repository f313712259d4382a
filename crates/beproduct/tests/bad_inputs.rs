//! Bad IDs and field values end to end against the sandbox: hostile ids are refused before any
//! request; values the server refuses come back as `kind() == "api"` with its message kept, and
//! nothing else is lost.

mod common;

use beproduct::{FieldUpdate, SearchQuery};
use serde_json::json;

/// Ids that would change which endpoint is called, or what it reads, if they reached a URL.
const HOSTILE_IDS: [&str; 14] = [
    "../x",
    "a?b",
    "a#b",
    "%2e%2e",
    "%2E%2E%2Fsandbox.sqlite",
    "..%2F..%2Fetc%2Fpasswd",
    "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe?x=1",
    "a5ca8dfe-4ff8-4549-b54d-2e1bbce514fe#frag",
    "a5ca8dfe-4ff8-4549-b54d-2e1bbce514f#",
    "a5ca8dfe-4ff8-4549-b54d-2e1bbce514f?",
    "a5ca8dfe-4ff8-4549-b54d-2e1bbce514f\u{0}",
    // Arabic-Indic digit three: a digit, but not an ASCII hex digit.
    "a5ca8dfe-4ff8-4549-b54d-2e1bbce514f\u{663}",
    "a5ca8dfe%2D4ff8-4549-b54d-2e1bbce514fe",
    " a5ca8dfe-4ff8-4549-b54d-2e1bbce514f",
];

fn assert_refused(what: &str, id: &str, err: beproduct::Error) {
    assert_eq!(err.kind(), "invalid_input", "{what} {id:?}: {err}");
    let text = err.to_string();
    assert!(
        text.contains(what) && text.contains("must be a GUID"),
        "the message names the {what} and says what is wrong: {text}"
    );
}

#[tokio::test]
async fn hostile_ids_are_refused_by_every_call_before_any_request() {
    let env = common::start(|c| c.seed = beproduct_sandbox::Seed::Empty).await;
    let file = env.dir.path().join("real.png");
    std::fs::write(&file, common::png(4, 4)).unwrap();
    let before = env.controls.requests_seen("/");
    let c = &env.client;
    let fields = [FieldUpdate::new("header_name", "n")];
    for id in HOSTILE_IDS {
        assert_refused("image id", id, c.get_image(id).await.unwrap_err());
        assert_refused(
            "image id",
            id,
            c.update_image(id, &fields).await.unwrap_err(),
        );
        assert_refused("image id", id, c.delete_image(id).await.unwrap_err());
        assert_refused(
            "image id",
            id,
            c.upload_file(id, &file, None).await.unwrap_err(),
        );
        assert_refused(
            "image id",
            id,
            c.upload_from_url(id, "http://127.0.0.1:9/x.png", None)
                .await
                .unwrap_err(),
        );
        assert_refused("folder id", id, c.folder_schema(id).await.unwrap_err());
        assert_refused(
            "folder id",
            id,
            c.create_image(id, &fields, false).await.unwrap_err(),
        );
        if !id.trim().is_empty() {
            let err = c
                .search_page(&SearchQuery::in_folder(id), 10, 0)
                .await
                .unwrap_err();
            // Surrounding blanks are trimmed first, so that one is reported without them.
            assert_eq!(err.kind(), "invalid_input", "{id:?}: {err}");
        }
    }
    assert_eq!(
        env.controls.requests_seen("/"),
        before,
        "not one request (not even for a token) may reach the server"
    );
}

/// Upload ids are whatever the server answered (the SDKs accept any id), so they are not held to
/// the GUID rule: each one travels as a single escaped path segment of the status endpoint and
/// cannot reach any other route. Only ids that cannot be a segment are refused up front.
#[tokio::test]
async fn any_upload_id_reaches_only_the_status_endpoint() {
    let env = common::start(|c| c.seed = beproduct_sandbox::Seed::Empty).await;
    let c = &env.client;
    for id in HOSTILE_IDS.iter().chain(&["img-1"]) {
        let status_before = env.controls.requests_seen("getimageprocessingstatus/");
        let all_before = env.controls.requests_seen("/api/");
        let err = c.processing_status(id).await.unwrap_err();
        assert_eq!(err.kind(), "not_found", "{id:?}: {err}");
        assert_eq!(
            env.controls.requests_seen("getimageprocessingstatus/"),
            status_before + 1,
            "{id:?} went to the status endpoint"
        );
        assert_eq!(env.controls.requests_seen("/api/"), all_before + 1);
    }
    for id in ["", "  ", ".", ".."] {
        let before = env.controls.requests_seen("/");
        let err = c.processing_status(id).await.unwrap_err();
        assert_eq!(err.kind(), "invalid_input", "{id:?}: {err}");
        assert_eq!(env.controls.requests_seen("/"), before);
    }
}

#[tokio::test]
async fn text_in_number_fields_is_an_api_error_naming_the_field_and_nothing_changes() {
    let env = common::start(|c| c.seed = beproduct_sandbox::Seed::Empty).await;
    let prints = common::folder(&env.client, "Prints").await;
    let c = &env.client;

    let err = c
        .create_image(
            &prints.id,
            &[
                FieldUpdate::new("header_name", "Numbers"),
                FieldUpdate::new("width_px", "wide"),
            ],
            false,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "api", "{err}");
    assert_eq!(err.status(), Some(400));
    let text = err.to_string();
    for part in ["Width (px)", "width_px", "whole number", "wide"] {
        assert!(
            text.contains(part),
            "the server's message is kept ({part}): {text}"
        );
    }
    assert_eq!(
        env.controls.count_images(None),
        0,
        "a refused create makes nothing"
    );

    let made = c
        .create_image(
            &prints.id,
            &[
                FieldUpdate::new("header_name", "Numbers"),
                FieldUpdate::new("width_px", 1200),
            ],
            false,
        )
        .await
        .unwrap();
    for (field, bad, expected) in [
        ("width_px", json!("12 cm"), "whole number"),
        ("width_px", json!([1, 2]), "whole number"),
        ("print_scale", json!("half"), "number"),
        ("due_date", json!("next tuesday"), "date"),
        ("repeat", json!("maybe"), "Yes"),
    ] {
        let err = c
            .update_image(
                &made.id,
                &[
                    FieldUpdate::new("header_name", "Renamed"),
                    FieldUpdate::new(field, bad.clone()),
                ],
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "api", "{field}={bad}: {err}");
        let text = err.to_string();
        assert!(
            text.contains(field) && text.contains(expected),
            "{field}={bad}: {text}"
        );
    }
    let after = c.get_image(&made.id).await.unwrap();
    assert_eq!(
        after.header_name, "Numbers",
        "a refused update changes nothing, not even its valid fields"
    );
    assert_eq!(after.field("width_px").unwrap().value, json!(1200));
}

#[tokio::test]
async fn schema_checks_refuse_bad_values_before_sending_naming_field_and_choices() {
    let env = common::start(|c| c.seed = beproduct_sandbox::Seed::Empty).await;
    let prints = common::folder(&env.client, "Prints").await;
    let schema = env.client.folder_schema(&prints.id).await.unwrap();
    let field = |id: &str| schema.iter().find(|f| f.field_id == id).unwrap().clone();

    let season = field("season");
    let allowed: Vec<String> = season.choices().into_iter().map(|c| c.value).collect();
    assert!(!allowed.is_empty());
    let err = season.encode(&json!("Winterish")).unwrap_err();
    assert_eq!(err.kind(), "invalid_input");
    let text = err.to_string();
    assert!(
        text.contains("Season") && text.contains("season") && text.contains("Winterish"),
        "{text}"
    );
    for value in &allowed {
        assert!(
            text.contains(value.as_str()),
            "the message lists the allowed value {value}: {text}"
        );
    }
    assert_eq!(
        season.encode(&json!(allowed[0])).unwrap(),
        json!(allowed[0])
    );

    let colors = field("colors");
    let err = colors.encode(&json!(["Red", "Mauve"])).unwrap_err();
    assert!(
        err.to_string().contains("Mauve") && err.to_string().contains("Red"),
        "{err}"
    );

    let width = field("width_px");
    let err = width.encode(&json!("wide")).unwrap_err();
    assert_eq!(err.kind(), "invalid_input");
    assert!(
        err.to_string().contains("Width (px)") && err.to_string().contains("whole number"),
        "{err}"
    );
    assert_eq!(width.encode(&json!("1200")).unwrap(), json!(1200));
}
