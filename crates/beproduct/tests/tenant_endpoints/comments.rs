//! An image's comment thread: list (`Comment/Heeader`, the SDKs' spelling), add, edit, delete.

use serde_json::json;

use crate::raw::IMAGE_ID;
use crate::{api, Answer, Tenant};

#[tokio::test]
async fn the_thread_is_read_from_the_sdks_route_in_either_form() {
    let tenant = Tenant::start(|_| {
        Answer::Json(
            200,
            json!([
                {"id": "c1", "body": "Spec is final", "from": {"id": "u1", "name": "Ann"}, "createdDate": "2026-05-26T10:00:00Z"},
                {"id": "c2", "comment": "Looks good", "createdBy": {"id": "u2", "name": "Bea"}, "createdAt": "2026-05-27T08:00:00Z"}
            ]),
        )
    })
    .await;
    let thread = tenant.client().image_comments(IMAGE_ID).await.unwrap();
    let read: Vec<(&str, &str, Option<&str>)> = thread
        .iter()
        .map(|c| {
            (
                c.id.as_str(),
                c.body.as_str(),
                c.from.as_ref().and_then(|f| f.name.as_deref()),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            ("c1", "Spec is final", Some("Ann")),
            ("c2", "Looks good", Some("Bea"))
        ]
    );
    let sent = &tenant.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.clone()),
        ("GET", api(&format!("Comment/Heeader/{IMAGE_ID}")))
    );
}

#[tokio::test]
async fn a_comment_is_added_with_the_text_under_both_sdks_keys() {
    let tenant = Tenant::start(|seen| {
        let text = seen.json()["comment"].clone();
        Answer::Json(
            200,
            json!({"id": "c9", "body": text, "from": {"id": "u1", "name": "Ann"}}),
        )
    })
    .await;
    let added = tenant
        .client()
        .add_image_comment(IMAGE_ID, "Colour is off")
        .await
        .unwrap();
    assert_eq!(
        added.map(|c| (c.id, c.body)),
        Some(("c9".to_owned(), "Colour is off".to_owned()))
    );
    let sent = &tenant.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.clone()),
        ("POST", api(&format!("Comment/Header/{IMAGE_ID}/Create")))
    );
    assert_eq!(
        sent.json(),
        json!({"comment": "Colour is off", "body": "Colour is off"})
    );
}

#[tokio::test]
async fn a_comment_whose_answer_is_lost_is_not_added_twice() {
    for answer in [
        || Answer::Drop,
        || Answer::Json(500, json!({"message": "Internal error"})),
    ] {
        let tenant = Tenant::start(move |_| answer()).await;
        let err = tenant
            .client()
            .add_image_comment(IMAGE_ID, "Once")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "outcome_unknown", "{err}");
        assert_eq!(tenant.count("/Create"), 1);
    }
}

#[tokio::test]
async fn a_comment_is_edited_and_deleted_by_its_id() {
    let tenant = Tenant::start(|seen| match seen.method.as_str() {
        "POST" => Answer::Json(200, json!({})),
        _ => Answer::Json(200, json!({"error": false, "message": "Deleted"})),
    })
    .await;
    let client = tenant.client();
    let edited = client
        .edit_image_comment(IMAGE_ID, "c 1", "Colour is fine")
        .await
        .unwrap();
    assert_eq!(edited, None);
    client.delete_image_comment(IMAGE_ID, "c1").await.unwrap();
    let sent = tenant.requests();
    assert_eq!(sent[0].method, "POST");
    assert_eq!(
        sent[0].path,
        api(&format!("Comment/Header/{IMAGE_ID}/Edit?commentId=c+1"))
    );
    assert_eq!(
        sent[0].json(),
        json!({"comment": "Colour is fine", "body": "Colour is fine"})
    );
    assert_eq!(sent[1].method, "DELETE");
    assert_eq!(
        sent[1].path,
        api(&format!("Comment/Header/{IMAGE_ID}/Delete?commentId=c1"))
    );
}

#[tokio::test]
async fn deleting_a_comment_that_is_gone_succeeds_and_other_refusals_do_not() {
    let tenant = Tenant::start(|seen| {
        if seen.path.ends_with("=gone404") {
            Answer::Json(404, json!({}))
        } else if seen.path.ends_with("=gone") {
            Answer::Json(400, json!({"message": "Comment not found"}))
        } else {
            Answer::Json(
                403,
                json!({"message": "Only the author can delete a comment"}),
            )
        }
    })
    .await;
    let client = tenant.client();
    client
        .delete_image_comment(IMAGE_ID, "gone404")
        .await
        .unwrap();
    client.delete_image_comment(IMAGE_ID, "gone").await.unwrap();
    let err = client
        .delete_image_comment(IMAGE_ID, "theirs")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert!(err.to_string().contains("Only the author"), "{err}");
}

#[tokio::test]
async fn empty_comments_and_ids_are_refused_before_any_request() {
    let tenant = Tenant::start(|_| Answer::Empty(200)).await;
    let client = tenant.client();
    let err = client
        .add_image_comment(IMAGE_ID, " \n ")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("the comment is empty"), "{err}");
    let err = client
        .delete_image_comment(IMAGE_ID, " ")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "invalid_input");
    assert_eq!(tenant.server.connections(), 0);
}
