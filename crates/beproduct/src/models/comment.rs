//! A comment of an image's thread (`GET Comment/Heeader/{id}`). Neither SDK has a schema for
//! it; the TS SDK's revision item (`{id, body, from, createdDate}`, the same API family) is the
//! model, and the Python SDK's `comment` key is read too, so either server form decodes.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::{Extra, UserRef};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    pub id: String,
    /// The text: `body` (TS) or `comment` (Python), or `text`/`message`.
    pub body: String,
    /// The author: `from`, `createdBy` or `author`.
    pub from: Option<UserRef>,
    /// When it was written: `createdDate`, `createdAt` or `date`.
    pub created_date: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

const BODY_KEYS: [&str; 4] = ["body", "comment", "text", "message"];
const AUTHOR_KEYS: [&str; 3] = ["from", "createdBy", "author"];
const DATE_KEYS: [&str; 3] = ["createdDate", "createdAt", "date"];

impl<'de> Deserialize<'de> for Comment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut map = Extra::deserialize(d)?;
        // A known key that is null says nothing; dropping it keeps `extra` free of keys the
        // canonical form writes itself.
        for key in ["id"]
            .iter()
            .chain(&BODY_KEYS)
            .chain(&AUTHOR_KEYS)
            .chain(&DATE_KEYS)
        {
            if map.get(*key).is_some_and(Value::is_null) {
                map.remove(*key);
            }
        }
        // The first key present wins; the others stay in `extra`.
        let mut take = |keys: &[&str]| {
            keys.iter()
                .find(|k| map.contains_key(**k))
                .and_then(|k| map.remove(*k))
        };
        let text = |v: Value| match v {
            Value::String(s) => s,
            other => other.to_string(),
        };
        let id = take(&["id"]).map(text).unwrap_or_default();
        let body = take(&BODY_KEYS).map(text).unwrap_or_default();
        let from = take(&AUTHOR_KEYS).and_then(|v| match v {
            Value::String(name) => Some(UserRef {
                id: None,
                name: Some(name),
                extra: Extra::new(),
            }),
            other => serde_json::from_value(other).ok(),
        });
        let created_date = take(&DATE_KEYS).map(text);
        Ok(Comment {
            id,
            body,
            from,
            created_date,
            extra: map,
        })
    }
}
