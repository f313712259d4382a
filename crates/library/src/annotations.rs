//! What designers add around an image: its tags and its comment thread. Each change answers
//! with the image's tags or thread as the server now has them, so the caller shows exactly
//! what is stored (the API's own answers to these writes may be empty).

use beproduct::Comment;

use crate::{require_guid, Error, ImageLibrary, Result};

/// A comment's text, trimmed; the client checks its length.
fn check_text(text: &str) -> Result<&str> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::invalid_input(
            "The comment is empty; write something first.",
        ));
    }
    Ok(text)
}

/// Tag names as the user typed them: trimmed, blanks dropped, each once (case-insensitively).
fn tag_names(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let name = name.trim().to_owned();
        if !name.is_empty() && !out.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            out.push(name);
        }
    }
    out
}

impl ImageLibrary {
    /// The image's tag names, in the server's order.
    pub async fn tags(&self, image_id: &str) -> Result<Vec<String>> {
        require_guid("id", image_id)?;
        let tags = self.client().image_tags(image_id).await?;
        Ok(tags.into_iter().map(|t| t.name).collect())
    }

    /// Adds and removes tags (names), then answers with the image's tags.
    pub async fn change_tags(
        &self,
        image_id: &str,
        add: Vec<String>,
        remove: Vec<String>,
    ) -> Result<Vec<String>> {
        require_guid("id", image_id)?;
        let (add, remove) = (tag_names(add), tag_names(remove));
        if add.is_empty() && remove.is_empty() {
            return Err(Error::invalid_input(
                "No tag to add or remove: type a tag name first.",
            ));
        }
        if !add.is_empty() {
            self.client().add_image_tags(image_id, &add).await?;
        }
        if !remove.is_empty() {
            self.client().remove_image_tags(image_id, &remove).await?;
        }
        // New names join the suggestions (the directory keeps no finer-grained cache).
        self.directory.clear().await;
        self.tags(image_id).await
    }

    /// The image's comments, oldest first.
    pub async fn comments(&self, image_id: &str) -> Result<Vec<Comment>> {
        require_guid("id", image_id)?;
        Ok(self.client().image_comments(image_id).await?)
    }

    pub async fn add_comment(&self, image_id: &str, text: &str) -> Result<Vec<Comment>> {
        require_guid("id", image_id)?;
        self.client()
            .add_image_comment(image_id, check_text(text)?)
            .await?;
        self.comments(image_id).await
    }

    pub async fn edit_comment(
        &self,
        image_id: &str,
        comment_id: &str,
        text: &str,
    ) -> Result<Vec<Comment>> {
        require_guid("id", image_id)?;
        self.client()
            .edit_image_comment(image_id, comment_id, check_text(text)?)
            .await?;
        self.comments(image_id).await
    }

    pub async fn delete_comment(&self, image_id: &str, comment_id: &str) -> Result<Vec<Comment>> {
        require_guid("id", image_id)?;
        self.client()
            .delete_image_comment(image_id, comment_id)
            .await?;
        self.comments(image_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names_are_trimmed_and_unique() {
        let names = tag_names(vec![
            " Floral ".into(),
            "floral".into(),
            "".into(),
            "SS27".into(),
        ]);
        assert_eq!(names, ["Floral", "SS27"]);
        assert!(check_text("  ").is_err());
        assert_eq!(check_text(" ok ").unwrap(), "ok");
    }
}
