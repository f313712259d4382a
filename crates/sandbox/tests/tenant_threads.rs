//! What designers use around an image, over real HTTP: the users list, the partner directory
//! (paged until an empty page), image tags and the comment thread.

mod common;

use std::collections::HashSet;

use beproduct_sandbox::Seed;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_list_and_directory_pages_until_an_empty_page() {
    let env = start(Seed::Empty).await;
    let (status, users) = env.get("Users/List").await;
    assert_eq!(status, StatusCode::OK);
    let users = users.as_array().unwrap();
    assert!(users.len() >= 5);
    for u in users {
        for key in ["id", "email", "username", "firstName", "lastName"] {
            assert!(u[key].is_string(), "{key} in {u}");
        }
        assert!(u["active"].is_boolean());
    }
    assert!(users.iter().any(|u| u["username"] == "sandbox.user"));
    assert!(users.iter().any(|u| u["active"] == false));

    // The Python SDK's walk: pages of 20 until one is empty.
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    for page_number in 0.. {
        let (status, page) = env
            .get(&format!(
                "Directory/Companies?pageNumber={page_number}&pageSize=20"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let page = page.as_array().expect("a plain list").clone();
        sizes.push(page.len());
        if page.is_empty() {
            break;
        }
        seen.extend(page);
    }
    assert_eq!(sizes, [20, 2, 0]);
    let unique: HashSet<&str> = seen.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(unique.len(), 22, "no partner twice");
    let types: HashSet<&str> = seen
        .iter()
        .map(|c| c["partnerType"].as_str().unwrap())
        .collect();
    assert_eq!(types, HashSet::from(["Factory", "Vendor", "Agent"]));
    for c in &seen {
        assert!(c["name"].is_string() && c["country"].is_string(), "{c}");
    }
    // Defaults and refusals.
    let (_, first) = env.get("Directory/Companies").await;
    assert_eq!(first.as_array().unwrap().len(), 20);
    let (status, body) = env.get("Directory/Companies?pageNumber=0&pageSize=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = env.get("Directory/Companies?pageNumber=-1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn any_image(env: &Env, folder: &str) -> String {
    let (status, created) = env
        .create(folder, json!([{"id": "header_name", "value": "Tagged"}]))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

fn tag_names(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a tag list")
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_tags_are_added_and_removed_by_name() {
    let env = start(Seed::Demo).await;
    let (status, all) = env.get("Tag/Image/List").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!tag_names(&all).is_empty(), "the demo seed has tags in use");
    for t in all.as_array().unwrap() {
        assert!(t["id"].is_string() && t["tagDate"].is_string() && t["tagUsers"].is_array());
    }

    let prints = env.folder_id("Prints").await;
    let id = any_image(&env, &prints).await;
    let (status, none) = env.get(&format!("Tag/Header/{id}")).await;
    assert_eq!((status, none), (StatusCode::OK, json!([])));

    let (status, after) = env
        .post(
            &format!("Tag/Header/{id}/Add"),
            &json!(["summer-drop", " Brand New "]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(tag_names(&after), ["Brand New", "summer-drop"]);
    // Names match case-insensitively: adding again changes nothing.
    let (_, again) = env
        .post(&format!("Tag/Header/{id}/Add"), &json!(["SUMMER-DROP"]))
        .await;
    assert_eq!(tag_names(&again), ["Brand New", "summer-drop"]);
    let (_, listed) = env.get(&format!("Tag/Header/{id}")).await;
    assert_eq!(listed, again);
    let (_, all) = env.get("Tag/Image/List").await;
    assert!(
        tag_names(&all).contains(&"Brand New".to_owned()),
        "a new name makes a tag"
    );

    let (status, after) = env
        .post(
            &format!("Tag/Header/{id}/Remove"),
            &json!(["brand new", "not-on-it"]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(tag_names(&after), ["summer-drop"]);

    // Refusals: a body that is not a list of names, a blank name, an unknown image.
    let (status, body) = env
        .post(&format!("Tag/Header/{id}/Add"), &json!({"name": "x"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = env
        .post(&format!("Tag/Header/{id}/Add"), &json!([" "]))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["name"].is_array(), "{body}");
    let gone = "0b5a1e55-0000-4000-8000-000000000000";
    let (status, body) = env
        .post(&format!("Tag/Header/{gone}/Add"), &json!(["x"]))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("Image not found"));

    // Tag/Image/Create makes an unused tag; a taken name is a field error.
    let (status, tag) = env
        .post(
            "Tag/Image/Create",
            &json!({"name": "Licensed art", "integration": null, "shareWith": []}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tag}");
    assert_eq!(tag["name"], "Licensed art");
    let (status, body) = env
        .post("Tag/Image/Create", &json!({"name": "licensed ART"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["name"][0]
        .as_str()
        .unwrap()
        .contains("already exists"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_comment_thread_has_authors_and_times_and_is_edited_and_deleted() {
    let env = start(Seed::Demo).await;
    // Seeded threads are written by the demo users, not the API user.
    let prints = env.folder_id("Prints").await;
    let (_, page) = env.search(&prints, json!([]), 50, 0).await;
    let mut seeded = Vec::new();
    for image in page["result"].as_array().unwrap() {
        let (status, thread) = env
            .get(&format!(
                "Comment/Heeader/{}",
                image["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(status, StatusCode::OK);
        seeded.extend(thread.as_array().unwrap().clone());
    }
    assert!(!seeded.is_empty(), "the demo seed has comments");
    assert!(seeded.iter().all(|c| c["from"]["name"] != "sandbox.user"));

    let id = any_image(&env, &prints).await;
    let (status, first) = env
        .post(
            &format!("Comment/Header/{id}/Create"),
            &json!({"comment": "Colour is off"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["body"], "Colour is off");
    assert_eq!(first["from"]["name"], "sandbox.user");
    assert!(first["from"]["id"].is_string());
    let created = first["createdDate"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 24, "{created}");
    // The TS SDK's key works too.
    let (status, second) = env
        .post(
            &format!("Comment/Header/{id}/Create"),
            &json!({"body": "Second"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{second}");

    let (status, thread) = env.get(&format!("Comment/Heeader/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(thread, json!([first, second]), "oldest first");
    let (_, same) = env.get(&format!("Comment/Header/{id}")).await;
    assert_eq!(same, thread, "the correct spelling answers too");

    let first_id = first["id"].as_str().unwrap();
    let (status, edited) = env
        .post(
            &format!("Comment/Header/{id}/Edit?commentId={first_id}"),
            &json!({"comment": "Colour is fine", "body": "Colour is fine"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["body"], "Colour is fine");
    assert_eq!(edited["createdDate"], first["createdDate"]);
    assert_eq!(edited["id"], first["id"]);

    let (status, body) = env
        .delete(&format!("Comment/Header/{id}/Delete?commentId={first_id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["error"], false);
    let (_, thread) = env.get(&format!("Comment/Heeader/{id}")).await;
    assert_eq!(thread, json!([second]));
    let (status, body) = env
        .delete(&format!("Comment/Header/{id}/Delete?commentId={first_id}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("Comment not found"));

    // Refusals: blank text (a field error), no commentId, a comment of another image.
    let (status, body) = env
        .post(
            &format!("Comment/Header/{id}/Create"),
            &json!({"comment": "  "}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["comment"].is_array(), "{body}");
    let (status, _) = env
        .post(
            &format!("Comment/Header/{id}/Edit"),
            &json!({"comment": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let other = any_image(&env, &prints).await;
    let second_id = second["id"].as_str().unwrap();
    let (status, _) = env
        .post(
            &format!("Comment/Header/{other}/Edit?commentId={second_id}"),
            &json!({"comment": "hijack"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A deleted image has no thread.
    let (status, _) = env.get(&format!("Image/Header/Delete/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = env.get(&format!("Comment/Heeader/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}
