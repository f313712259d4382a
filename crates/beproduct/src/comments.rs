//! An image's comment thread. The list route keeps the SDKs' spelling `Comment/Heeader/{id}`
//! (both SDKs use it; the TS SDK marks it "API typo preserved").
//!
//! The request body key differs between the SDKs: Python sends `{"comment": text}`, TypeScript
//! `{"body": text}`, and neither is confirmed against a real tenant. The client sends BOTH keys
//! with the same text: the server binds the one its model has and ignores the other (ASP.NET's
//! default for unknown members), so the text arrives whichever SDK is right. Answers are read
//! in either form (`Comment`).

use serde_json::{json, Value};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::{Call, Repeat};
use crate::ids::validate_guid;
use crate::models::Comment;

impl Client {
    /// `GET Comment/Heeader/{id}`: the image's comments.
    pub async fn image_comments(&self, image_id: &str) -> Result<Vec<Comment>> {
        let id = validate_guid("image id", image_id)?;
        self.http
            .json(Call::get(
                self.http.url(&format!("Comment/Heeader/{id}"), &[]),
            ))
            .await
    }

    /// `POST Comment/Header/{id}/Create`. Never repeated once it may have reached the server
    /// (a lost answer is `Error::OutcomeUnknown`: read the thread before adding it again).
    /// Returns the comment when the server answers with one.
    pub async fn add_image_comment(&self, image_id: &str, text: &str) -> Result<Option<Comment>> {
        let id = validate_guid("image id", image_id)?;
        let url = self.http.url(&format!("Comment/Header/{id}/Create"), &[]);
        let body = comment_body(text)?;
        let answer = self
            .http
            .send(Call::post_json(url, &body, Repeat::Unsafe))
            .await?;
        Ok(comment_from(&answer))
    }

    /// `POST Comment/Header/{id}/Edit?commentId=`. Setting the same text twice is harmless,
    /// so it may be repeated.
    pub async fn edit_image_comment(
        &self,
        image_id: &str,
        comment_id: &str,
        text: &str,
    ) -> Result<Option<Comment>> {
        let id = validate_guid("image id", image_id)?;
        let comment_id = validate_comment_id(comment_id)?;
        let url = self.http.url(
            &format!("Comment/Header/{id}/Edit"),
            &[("commentId", comment_id)],
        );
        let body = comment_body(text)?;
        let answer = self
            .http
            .send(Call::post_json(url, &body, Repeat::Safe))
            .await?;
        Ok(comment_from(&answer))
    }

    /// `DELETE Comment/Header/{id}/Delete?commentId=`. A comment that is already gone counts
    /// as deleted: that is the state asked for (and what a repeated delete finds).
    pub async fn delete_image_comment(&self, image_id: &str, comment_id: &str) -> Result<()> {
        let id = validate_guid("image id", image_id)?;
        let comment_id = validate_comment_id(comment_id)?;
        let url = self.http.url(
            &format!("Comment/Header/{id}/Delete"),
            &[("commentId", comment_id)],
        );
        match self.http.send(Call::delete(url)).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn comment_body(text: &str) -> Result<Value> {
    if text.trim().is_empty() {
        return Err(Error::InvalidInput(
            "the comment is empty: write some text first".into(),
        ));
    }
    Ok(json!({ "comment": text, "body": text }))
}

/// Comment ids travel in the query; any non-blank id up to 200 characters (not only GUIDs).
fn validate_comment_id(id: &str) -> Result<&str> {
    let id = id.trim();
    if id.is_empty() || id.len() > 200 {
        return Err(Error::InvalidInput(format!(
            "comment id {:?} is not valid: use the id the comment list gave",
            id.chars().take(60).collect::<String>()
        )));
    }
    Ok(id)
}

/// The comment in an answer, if it is one (an object with an id); the answer's shape is not
/// documented.
fn comment_from(answer: &[u8]) -> Option<Comment> {
    serde_json::from_slice::<Comment>(answer)
        .ok()
        .filter(|c| !c.id.is_empty())
}
