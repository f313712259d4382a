//! Image tags: the tags in use, an image's tags, adding and removing by name.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::json;

use crate::raw::IMAGE_ID;
use crate::{api, Answer, Tenant};

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn tags_are_listed_for_the_tenant_and_for_one_image() {
    let tenant = Tenant::start(|seen| {
        let tag = |id: &str, name: &str| json!({"id": id, "name": name, "integration": null, "tagDate": "2026-05-01T00:00:00Z", "tagUsers": []});
        if seen.path.ends_with("Tag/Image/List") {
            Answer::Json(200, json!([tag("t1", "summer"), tag("t2", "prints")]))
        } else {
            Answer::Json(200, json!([tag("t1", "summer")]))
        }
    })
    .await;
    let client = tenant.client();
    let all = client.image_tag_list().await.unwrap();
    assert_eq!(
        all.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["summer", "prints"]
    );
    let mine = client.image_tags(IMAGE_ID).await.unwrap();
    assert_eq!(mine[0].id, "t1");
    let paths: Vec<(String, String)> = tenant
        .requests()
        .into_iter()
        .map(|s| (s.method, s.path))
        .collect();
    assert_eq!(
        paths,
        [
            ("GET".to_owned(), api("Tag/Image/List")),
            ("GET".to_owned(), api(&format!("Tag/Header/{IMAGE_ID}")))
        ]
    );
}

#[tokio::test]
async fn tags_are_added_and_removed_by_a_list_of_names() {
    // The answer's shape is undocumented: an empty 200 is a success too.
    let tenant = Tenant::start(|seen| {
        if seen.path.ends_with("/Add") {
            Answer::Empty(200)
        } else {
            Answer::Json(200, json!({"error": false, "message": "ok"}))
        }
    })
    .await;
    let client = tenant.client();
    client
        .add_image_tags(IMAGE_ID, &names(&[" summer ", "prints", "Summer", ""]))
        .await
        .unwrap();
    client
        .remove_image_tags(IMAGE_ID, &names(&["prints"]))
        .await
        .unwrap();
    let sent = tenant.requests();
    assert_eq!(
        (sent[0].method.as_str(), sent[0].path.clone()),
        ("POST", api(&format!("Tag/Header/{IMAGE_ID}/Add")))
    );
    assert_eq!(sent[0].json(), json!(["summer", "prints"]));
    assert_eq!(
        (sent[1].method.as_str(), sent[1].path.clone()),
        ("POST", api(&format!("Tag/Header/{IMAGE_ID}/Remove")))
    );
    assert_eq!(sent[1].json(), json!(["prints"]));
}

#[tokio::test]
async fn adding_tags_is_repeated_after_a_lost_answer() {
    let calls = Arc::new(AtomicUsize::new(0));
    let tenant = Tenant::start(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            Answer::Drop
        } else {
            Answer::Empty(200)
        }
    })
    .await;
    tenant
        .client()
        .add_image_tags(IMAGE_ID, &names(&["summer"]))
        .await
        .unwrap();
    let sent = tenant.requests();
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|s| s.json() == json!(["summer"])));
}

#[tokio::test]
async fn no_tag_names_is_refused_before_any_request() {
    let tenant = Tenant::start(|_| Answer::Empty(200)).await;
    let err = tenant
        .client()
        .add_image_tags(IMAGE_ID, &names(&[" ", ""]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "invalid_input");
    assert!(err.to_string().contains("at least one tag"), "{err}");
    assert_eq!(tenant.server.connections(), 0);
}
