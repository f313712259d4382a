//! `Directory`: the choices of Users, UsersTags, PartnerDropDown and Tags fields, fetched once
//! and kept for a while, so opening forms does not refetch the user list and the partner
//! directory every time. Each list is fetched by one caller at a time (others wait for it);
//! a failed fetch is not kept.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::client::Client;
use crate::error::Result;
use crate::models::{ChoicesSource, DirectoryCompany, FieldOption, Tag, User};

/// How long lists are kept by default.
pub const DIRECTORY_TTL: Duration = Duration::from_secs(10 * 60);

pub struct Directory {
    client: Client,
    ttl: Duration,
    users: Slot<User>,
    partners: Slot<DirectoryCompany>,
    tags: Slot<Tag>,
}

/// One cached list and when it was fetched.
struct Slot<T>(Mutex<Option<(Instant, Arc<[T]>)>>);

impl<T> Slot<T> {
    fn new() -> Self {
        Slot(Mutex::new(None))
    }

    async fn get<F, Fut>(&self, ttl: Duration, fetch: F) -> Result<Arc<[T]>>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Vec<T>>>,
    {
        let mut slot = self.0.lock().await;
        if let Some((at, list)) = slot.as_ref() {
            if at.elapsed() < ttl {
                return Ok(list.clone());
            }
        }
        let list: Arc<[T]> = fetch().await?.into();
        *slot = Some((Instant::now(), list.clone()));
        Ok(list)
    }

    async fn clear(&self) {
        *self.0.lock().await = None;
    }
}

impl Directory {
    pub fn new(client: Client) -> Directory {
        Directory::with_ttl(client, DIRECTORY_TTL)
    }

    pub fn with_ttl(client: Client, ttl: Duration) -> Directory {
        Directory {
            client,
            ttl,
            users: Slot::new(),
            partners: Slot::new(),
            tags: Slot::new(),
        }
    }

    pub async fn users(&self) -> Result<Arc<[User]>> {
        self.users.get(self.ttl, || self.client.users()).await
    }

    pub async fn partners(&self) -> Result<Arc<[DirectoryCompany]>> {
        self.partners
            .get(self.ttl, || self.client.directory_companies())
            .await
    }

    pub async fn image_tags(&self) -> Result<Arc<[Tag]>> {
        self.tags
            .get(self.ttl, || self.client.image_tag_list())
            .await
    }

    /// The picker entries of a field whose `choices_source` is `source`, sorted by label.
    /// Inactive users are left out.
    pub async fn options(&self, source: ChoicesSource) -> Result<Vec<FieldOption>> {
        let mut options: Vec<FieldOption> = match source {
            ChoicesSource::Users => self
                .users()
                .await?
                .iter()
                .filter(|u| u.active != Some(false))
                .map(User::option)
                .collect(),
            ChoicesSource::Partners => self
                .partners()
                .await?
                .iter()
                .map(DirectoryCompany::option)
                .collect(),
            ChoicesSource::Tags => self
                .image_tags()
                .await?
                .iter()
                .filter(|t| !t.name.trim().is_empty())
                .map(|t| FieldOption::plain(t.name.clone()))
                .collect(),
        };
        options.sort_by_key(|o| o.label.to_lowercase());
        Ok(options)
    }

    /// Forgets every list, e.g. after tags were added (new names) or on reconnecting.
    pub async fn clear(&self) {
        self.users.clear().await;
        self.partners.clear().await;
        self.tags.clear().await;
    }
}
