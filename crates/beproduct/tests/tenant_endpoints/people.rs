//! `GET Users/List`, `GET Directory/Companies` (paged plain lists) and the `Directory` cache.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use beproduct::{ChoicesSource, Directory, DIRECTORY_MAX_PAGES, DIRECTORY_PAGE_SIZE};
use serde_json::{json, Value};

use crate::{api, Answer, Seen, Tenant};

fn users_json() -> Value {
    json!([
        {"id": "u2", "email": "bea@x.test", "firstName": "Bea", "lastName": "Moss", "active": true},
        {"id": "u1", "email": "ann@x.test", "firstName": "Ann", "lastName": "Lee", "registerdOn": "2024-01-01"},
        {"id": "u3", "email": "old@x.test", "username": "old", "active": false}
    ])
}

/// `pageNumber` of a directory request.
fn page_number(seen: &Seen) -> usize {
    let query = seen
        .path
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default();
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("pageNumber="))
        .and_then(|n| n.parse().ok())
        .unwrap()
}

/// A directory of `total` companies served `DIRECTORY_PAGE_SIZE` at a time.
fn directory_of(total: usize) -> impl Fn(&Seen) -> Answer {
    move |seen| {
        let size = DIRECTORY_PAGE_SIZE as usize;
        let first = page_number(seen) * size;
        let page: Vec<Value> = (first..total.min(first + size))
            .map(|i| json!({"id": format!("p{i}"), "name": format!("Partner {i:04}"), "partnerType": "Factory"}))
            .collect();
        Answer::Json(200, Value::Array(page))
    }
}

#[tokio::test]
async fn users_are_listed_with_unknown_keys_kept() {
    let tenant = Tenant::start(|_| Answer::Json(200, users_json())).await;
    let users = tenant.client().users().await.unwrap();
    assert_eq!(users.len(), 3);
    assert_eq!(users[1].display_name(), "Ann Lee");
    assert_eq!(users[1].extra["registerdOn"], json!("2024-01-01"));
    let sent = tenant.requests();
    assert_eq!(
        (sent[0].method.as_str(), sent[0].path.as_str()),
        ("GET", api("Users/List").as_str())
    );
}

#[tokio::test]
async fn the_directory_is_read_page_by_page_until_a_short_or_empty_page() {
    for (total, pages) in [(45, 3), (40, 3), (0, 1), (7, 1)] {
        let tenant = Tenant::start(directory_of(total)).await;
        let companies = tenant.client().directory_companies().await.unwrap();
        assert_eq!(companies.len(), total, "{total} partners");
        assert_eq!(
            companies.last().map(|c| c.name.clone()),
            (total > 0).then(|| format!("Partner {:04}", total - 1))
        );
        let paths: Vec<String> = tenant.requests().into_iter().map(|s| s.path).collect();
        let expected: Vec<String> = (0..pages)
            .map(|n| {
                api(&format!(
                    "Directory/Companies?pageNumber={n}&pageSize={DIRECTORY_PAGE_SIZE}"
                ))
            })
            .collect();
        assert_eq!(paths, expected, "{total} partners");
    }
}

#[tokio::test]
async fn a_server_that_ignores_the_page_number_is_read_once() {
    // The same full page every time, with new ids on every call (the TS SDK's tests say list
    // ids are not stable).
    let calls = Arc::new(AtomicUsize::new(0));
    let tenant = Tenant::start(move |_| {
        let call = calls.fetch_add(1, Ordering::SeqCst);
        let page: Vec<Value> = (0..DIRECTORY_PAGE_SIZE)
            .map(|i| json!({"id": format!("call{call}-{i}"), "name": format!("Partner {i}")}))
            .collect();
        Answer::Json(200, Value::Array(page))
    })
    .await;
    let companies = tenant.client().directory_companies().await.unwrap();
    assert_eq!(companies.len(), DIRECTORY_PAGE_SIZE as usize);
    assert_eq!(tenant.requests().len(), 2);
}

#[tokio::test]
async fn a_directory_that_never_ends_stops_at_the_page_limit() {
    let tenant = Tenant::start(directory_of(usize::MAX)).await;
    let companies = tenant.client().directory_companies().await.unwrap();
    assert_eq!(tenant.requests().len(), DIRECTORY_MAX_PAGES as usize);
    assert_eq!(
        companies.len(),
        (DIRECTORY_MAX_PAGES * DIRECTORY_PAGE_SIZE) as usize
    );
}

#[tokio::test]
async fn the_directory_cache_fetches_each_list_once_until_cleared() {
    let tenant = Tenant::start(|seen| {
        if seen.path.contains("Users/List") {
            Answer::Json(200, users_json())
        } else if seen.path.contains("Tag/Image/List") {
            Answer::Json(
                200,
                json!([{"id": "t1", "name": "summer"}, {"id": "t2", "name": "Autumn"}]),
            )
        } else {
            directory_of(3)(seen)
        }
    })
    .await;
    let directory = Directory::new(tenant.client());

    let (a, b) = tokio::join!(
        directory.options(ChoicesSource::Users),
        directory.options(ChoicesSource::Users)
    );
    let users = a.unwrap();
    assert_eq!(users, b.unwrap());
    // Sorted by name; the inactive user is left out.
    let labels: Vec<&str> = users.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(labels, ["Ann Lee", "Bea Moss"]);
    assert_eq!(
        (users[0].value.as_str(), users[0].detail.as_deref()),
        ("u1", Some("ann@x.test"))
    );
    directory.options(ChoicesSource::Users).await.unwrap();
    assert_eq!(tenant.count("Users/List"), 1);

    let partners = directory.options(ChoicesSource::Partners).await.unwrap();
    assert_eq!(partners[0].value, "p0");
    assert_eq!(partners[0].detail.as_deref(), Some("Factory"));
    let tags = directory.options(ChoicesSource::Tags).await.unwrap();
    assert_eq!(
        tags.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(),
        ["Autumn", "summer"]
    );

    directory.clear().await;
    directory.options(ChoicesSource::Users).await.unwrap();
    assert_eq!(tenant.count("Users/List"), 2);
}

#[tokio::test]
async fn an_expired_or_failed_list_is_fetched_again() {
    let calls = Arc::new(AtomicUsize::new(0));
    let tenant = Tenant::start(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            Answer::Json(500, json!({"message": "Internal error"}))
        } else {
            Answer::Json(200, users_json())
        }
    })
    .await;
    let directory = Directory::with_ttl(tenant.client(), Duration::ZERO);
    let err = directory.users().await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(directory.users().await.unwrap().len(), 3);
    assert_eq!(directory.users().await.unwrap().len(), 3);
    assert_eq!(tenant.count("Users/List"), 3);
}
