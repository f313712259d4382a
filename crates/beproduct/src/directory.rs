//! Users and the partner directory: the choices of Users, UsersTags and PartnerDropDown fields.

use std::collections::HashSet;

use crate::client::Client;
use crate::error::Result;
use crate::http::Call;
use crate::models::{DirectoryCompany, User};

/// Page size of `Directory/Companies`: the SDKs' default, so the server is known to serve it
/// whole (a short page then really is the last one).
pub const DIRECTORY_PAGE_SIZE: u32 = 20;
/// Most pages read (5,000 partners): a server that never ends the list cannot keep the
/// client paging forever.
pub const DIRECTORY_MAX_PAGES: u32 = 250;

impl Client {
    /// `GET Users/List`: the tenant's users.
    pub async fn users(&self) -> Result<Vec<User>> {
        self.http
            .json(Call::get(self.http.url("Users/List", &[])))
            .await
    }

    /// `GET Directory/Companies?pageNumber=&pageSize=`, every page: a plain list per page
    /// (no total), from page 0 until an empty or short page. Stops early, keeping what it
    /// has, when a page brings no company not seen before (a server that ignores
    /// `pageNumber`) or after `DIRECTORY_MAX_PAGES` pages (logged).
    pub async fn directory_companies(&self) -> Result<Vec<DirectoryCompany>> {
        let size = DIRECTORY_PAGE_SIZE.to_string();
        let mut companies: Vec<DirectoryCompany> = Vec::new();
        let mut seen = HashSet::new();
        let mut previous_names: Vec<String> = Vec::new();
        for page_number in 0..DIRECTORY_MAX_PAGES {
            let number = page_number.to_string();
            let url = self.http.url(
                "Directory/Companies",
                &[("pageNumber", &number), ("pageSize", &size)],
            );
            let page: Vec<DirectoryCompany> = self.http.json(Call::get(url)).await?;
            let full = page.len() >= DIRECTORY_PAGE_SIZE as usize;
            // The TS SDK's tests note that list ids are not stable, so a page served again
            // is recognised by its names as well as by its ids.
            let names: Vec<String> = page.iter().map(|c| c.name.clone()).collect();
            let repeated = names == previous_names;
            let before = companies.len();
            companies.extend(
                page.into_iter()
                    .filter(|c| seen.insert((c.id.clone(), c.name.clone()))),
            );
            if !full || repeated || companies.len() == before {
                if repeated {
                    companies.truncate(before);
                }
                return Ok(companies);
            }
            previous_names = names;
        }
        tracing::warn!(
            pages = DIRECTORY_MAX_PAGES,
            companies = companies.len(),
            "the partner directory did not end within the page limit; using the partners read so far"
        );
        Ok(companies)
    }
}
