//! Search results as a `Stream` that walks the pages (`pageNumber` from 0) until `total`.

use std::collections::VecDeque;

use futures::Stream;

use crate::client::Client;
use crate::error::Result;
use crate::models::{ImageHeader, SearchQuery};

struct Cursor {
    client: Client,
    query: SearchQuery,
    page_size: u32,
    next_page: u32,
    seen: u64,
    buffered: VecDeque<ImageHeader>,
    done: bool,
}

impl Client {
    /// Every match of `q`, fetched `page_size` at a time. Stops once `total` items were
    /// yielded, on an empty page (even before `total`), or after the first error.
    pub fn search(
        &self,
        q: SearchQuery,
        page_size: u32,
    ) -> impl Stream<Item = Result<ImageHeader>> + Send + 'static {
        let cursor = Cursor {
            client: self.clone(),
            query: q,
            page_size,
            next_page: 0,
            seen: 0,
            buffered: VecDeque::new(),
            done: false,
        };
        futures::stream::unfold(cursor, |mut c| async move {
            loop {
                if let Some(item) = c.buffered.pop_front() {
                    return Some((Ok(item), c));
                }
                if c.done {
                    return None;
                }
                match c
                    .client
                    .search_page(&c.query, c.page_size, c.next_page)
                    .await
                {
                    Err(e) => {
                        c.done = true;
                        return Some((Err(e), c));
                    }
                    Ok(page) => {
                        c.next_page += 1;
                        c.seen += page.result.len() as u64;
                        c.done = page.result.is_empty() || c.seen >= page.total;
                        c.buffered.extend(page.result);
                    }
                }
            }
        })
    }
}
