//! Delete: an image that is already gone is a success; after a 5xx or a lost answer the
//! client looks the image up, and only an image still there keeps the error.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use beproduct::ErrorKind;
use serde_json::json;

use crate::raw::{RawServer, Request, IMAGE_ID};
use crate::{policy, strategies};

/// How the fake server answers the delete, and whether the image is gone afterwards.
#[derive(Clone, Copy, Debug)]
enum Delete {
    /// 500 after deleting.
    FailsAfterActing,
    /// 500 without deleting.
    FailsWithoutActing,
    /// The connection closes without an answer, after deleting.
    LostAfterActing,
    /// 404: it was gone before.
    AlreadyGone404,
    /// 400 with the API's "Image not found" text.
    AlreadyGoneText,
}

async fn server(kind: Delete) -> RawServer {
    let gone = Arc::new(AtomicBool::new(false));
    RawServer::api(move |mut req: Request| {
        let gone = gone.clone();
        async move {
            req.read_body().await;
            if req.path.contains("/Image/Header/Delete/") {
                match kind {
                    Delete::FailsAfterActing => {
                        gone.store(true, Ordering::SeqCst);
                        req.respond_json(500, json!({"message": "Internal error"}))
                            .await
                    }
                    Delete::FailsWithoutActing => {
                        req.respond_json(500, json!({"message": "Internal error"}))
                            .await
                    }
                    Delete::LostAfterActing => {
                        gone.store(true, Ordering::SeqCst);
                        drop(req.sock)
                    }
                    Delete::AlreadyGone404 => req.respond_json(404, json!({})).await,
                    Delete::AlreadyGoneText => {
                        req.respond_json(400, json!({"message": "Image not found"}))
                            .await
                    }
                }
            } else if req.path.contains("/Image/Header/") {
                if gone.load(Ordering::SeqCst) {
                    req.respond_json(400, json!({"message": "Image not found"}))
                        .await
                } else {
                    req.respond_json(200, strategies::header_sample()).await
                }
            }
        }
    })
    .await
}

#[tokio::test]
async fn deleting_an_image_that_is_gone_succeeds_however_the_server_says_so() {
    for kind in [
        Delete::FailsAfterActing,
        Delete::LostAfterActing,
        Delete::AlreadyGone404,
        Delete::AlreadyGoneText,
    ] {
        let server = server(kind).await;
        let client = server.client(policy(5000, 5000));
        client
            .delete_image(IMAGE_ID)
            .await
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    }
}

#[tokio::test]
async fn a_5xx_on_delete_keeps_its_error_when_the_image_is_still_there() {
    let server = server(Delete::FailsWithoutActing).await;
    let err = server
        .client(policy(5000, 5000))
        .delete_image(IMAGE_ID)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api, "{err}");
    assert_eq!(err.status(), Some(500));
    assert_eq!(server.seen("/Image/Header/Delete/"), 1);
    assert_eq!(
        server.seen(&format!("GET /api/acme/Image/Header/{IMAGE_ID}")),
        1,
        "the image was looked up"
    );
}
