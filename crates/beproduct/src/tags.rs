//! Image tags: the tenant's tags in use and one image's tags. Adding and removing take tag
//! NAMES (both SDKs); doing either twice leaves the same tags, so both may be repeated.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::{Call, Repeat};
use crate::ids::validate_guid;
use crate::models::Tag;

impl Client {
    /// `GET Tag/Image/List`: every Image tag of the tenant (for completion).
    pub async fn image_tag_list(&self) -> Result<Vec<Tag>> {
        self.http
            .json(Call::get(self.http.url("Tag/Image/List", &[])))
            .await
    }

    /// `GET Tag/Header/{id}`: the image's tags.
    pub async fn image_tags(&self, image_id: &str) -> Result<Vec<Tag>> {
        let id = validate_guid("image id", image_id)?;
        self.http
            .json(Call::get(self.http.url(&format!("Tag/Header/{id}"), &[])))
            .await
    }

    /// `POST Tag/Header/{id}/Add` with a list of names.
    pub async fn add_image_tags(&self, image_id: &str, names: &[String]) -> Result<()> {
        self.change_tags(image_id, "Add", names).await
    }

    /// `POST Tag/Header/{id}/Remove` with a list of names.
    pub async fn remove_image_tags(&self, image_id: &str, names: &[String]) -> Result<()> {
        self.change_tags(image_id, "Remove", names).await
    }

    async fn change_tags(&self, image_id: &str, action: &str, names: &[String]) -> Result<()> {
        let id = validate_guid("image id", image_id)?;
        let names = tag_names(names)?;
        let url = self.http.url(&format!("Tag/Header/{id}/{action}"), &[]);
        // The answer's shape is not documented; success is all that matters.
        self.http
            .send(Call::post_json(
                url,
                &serde_json::json!(names),
                Repeat::Safe,
            ))
            .await?;
        Ok(())
    }
}

/// Trimmed, without blanks or repeats (case-insensitive); at least one.
fn tag_names(names: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(name)) {
            out.push(name.to_owned());
        }
    }
    if out.is_empty() {
        return Err(Error::InvalidInput(
            "no tag name given: type the name of at least one tag".into(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names_are_trimmed_and_deduplicated_and_never_empty() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            tag_names(&names(&[" summer ", "Summer", "", "prints"])).unwrap(),
            ["summer", "prints"]
        );
        let err = tag_names(&names(&["  ", ""])).unwrap_err();
        assert_eq!(err.kind(), "invalid_input");
        assert!(tag_names(&[]).is_err());
    }
}
