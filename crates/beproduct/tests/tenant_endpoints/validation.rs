//! A 400 with a ProblemDetails body keeps its per-field messages, for the form to show them on
//! the fields they concern.

use beproduct::FieldUpdate;
use serde_json::json;

use crate::raw::IMAGE_ID;
use crate::{Answer, Tenant};

#[tokio::test]
async fn a_validation_answer_keeps_each_fields_messages() {
    let tenant = Tenant::start(|_| {
        Answer::Json(
            400,
            json!({
                "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
                "title": "One or more validation errors occurred.",
                "status": 400,
                "errors": {"fields[1].value": ["The value 'Winter' is not valid for SEASON."], "header_name": ["Image Name is required."]}
            }),
        )
    })
    .await;
    let fields = [
        FieldUpdate::new("header_name", ""),
        FieldUpdate::new("season", "Winter"),
    ];
    let err = tenant
        .client()
        .update_image(IMAGE_ID, &fields)
        .await
        .unwrap_err();
    assert_eq!((err.kind().as_str(), err.status()), ("api", Some(400)));
    let text = err.to_string();
    assert!(
        text.contains("One or more validation errors occurred."),
        "{text}"
    );
    assert!(
        text.contains("header_name: Image Name is required."),
        "{text}"
    );
    assert!(
        text.contains("The value 'Winter' is not valid for SEASON."),
        "{text}"
    );

    let on_fields: Vec<(Option<&str>, &str)> = err
        .field_errors()
        .iter()
        .map(|e| {
            let id = e
                .field_index()
                .map(|i| fields[i].id.as_str())
                .or(Some(e.field.as_str()));
            (id, e.message.as_str())
        })
        .collect();
    assert_eq!(on_fields.len(), 2);
    assert!(on_fields.contains(&(
        Some("season"),
        "The value 'Winter' is not valid for SEASON."
    )));
    assert!(on_fields.contains(&(Some("header_name"), "Image Name is required.")));
}

#[tokio::test]
async fn other_refusals_have_no_field_messages() {
    let tenant = Tenant::start(|_| Answer::Json(400, json!({"message": "Bad folder"}))).await;
    let err = tenant
        .client()
        .update_image(IMAGE_ID, &[FieldUpdate::new("x", "y")])
        .await
        .unwrap_err();
    assert!(err.field_errors().is_empty());
    assert!(err.to_string().ends_with(": Bad folder"), "{err}");
}
