//! `GET Image/FolderSearchSchema` and searches filtered from it.

use beproduct::{FilterOp, SearchQuery, Widget};
use serde_json::json;

use crate::raw::FOLDER_ID;
use crate::{api, Answer, Tenant};

#[tokio::test]
async fn the_search_schema_lists_the_filterable_fields_with_their_filters() {
    let tenant = Tenant::start(|_| {
        Answer::Json(
            200,
            json!([
                {"fieldId": "designer", "fieldName": "DESIGNER", "fieldType": "Users", "required": false, "properties": {}},
                {"fieldId": "due", "fieldName": "DUE", "fieldType": "Date", "properties": null},
                {"fieldId": "later", "fieldName": "LATER", "fieldType": "NotYetInvented", "searchable": true}
            ]),
        )
    })
    .await;
    let fields = tenant
        .client()
        .folder_search_schema(FOLDER_ID)
        .await
        .unwrap();
    let specs: Vec<_> = fields.iter().map(|f| f.spec()).collect();
    assert_eq!(specs[0].widget, Widget::User);
    let ops = |i: usize| specs[i].filter.as_ref().map(|f| f.default_operator);
    assert_eq!(
        (ops(0), ops(1), ops(2)),
        (Some(FilterOp::In), Some(FilterOp::Is), None)
    );
    assert_eq!(fields[2].extra["searchable"], json!(true));
    let sent = tenant.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "GET");
    assert_eq!(
        sent[0].path,
        api(&format!("Image/FolderSearchSchema?folderId={FOLDER_ID}"))
    );

    let err = tenant
        .client()
        .folder_search_schema("not-a-guid")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "invalid_input");
}

#[tokio::test]
async fn a_search_sends_the_filters_built_from_the_schema_with_their_type() {
    let tenant = Tenant::start(|_| Answer::Json(200, json!({"result": [], "total": 0}))).await;
    let schema: Vec<beproduct::SchemaField> = serde_json::from_value(json!([
        {"fieldId": "designer", "fieldName": "DESIGNER", "fieldType": "Users"},
        {"fieldId": "due", "fieldName": "DUE", "fieldType": "Date"}
    ]))
    .unwrap();
    let (designer, due) = (schema[0].spec(), schema[1].spec());
    let mut query = SearchQuery::in_folder(FOLDER_ID);
    let wanted = [
        designer.search_filters(FilterOp::In, &json!(["u1", "u2"]), 0),
        due.search_filters(FilterOp::Is, &json!("2026-05-26"), -300),
    ];
    for filter in wanted.into_iter().flat_map(Result::unwrap) {
        query = query.filter(filter);
    }
    tenant.client().search_page(&query, 50, 0).await.unwrap();

    let sent = &tenant.requests()[0];
    assert_eq!(sent.method, "POST");
    assert!(
        sent.path.starts_with(&api("Image/Headers?folderId=")),
        "{}",
        sent.path
    );
    assert_eq!(
        sent.json()["filters"],
        json!([
            {"field": "designer", "operator": "Eq", "value": "u1■u2"},
            {"field": "due", "operator": "Gte", "value": "2026-05-26T05:00:00.000Z", "type": "Date"},
            {"field": "due", "operator": "Lt", "value": "2026-05-27T05:00:00.000Z", "type": "Date"}
        ])
    );
}
