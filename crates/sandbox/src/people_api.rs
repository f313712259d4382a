//! `GET Users/List` and `GET Directory/Companies?pageNumber=&pageSize=` (the Python SDK's
//! `user.user_list` and `directory.directory_list`).

use axum::extract::Query;
use axum::Json;
use serde_json::Value;

use crate::api::{paging, ApiResult, Params};
use crate::people::{PARTNERS, USERS};

/// The Python SDK's `directory_list` default.
const DEFAULT_PAGE_SIZE: usize = 20;

/// Every user of the company, inactive ones included (they still appear in old values).
pub async fn users() -> ApiResult {
    Ok(Json(USERS.iter().map(|u| u.to_wire()).collect()))
}

/// One page of the partner directory as a plain list; past the end the list is empty, which
/// is how both SDKs know to stop (beproduct-api.md §5).
pub async fn companies(Query(params): Params) -> ApiResult {
    let (page_size, page_number) = paging(&params, DEFAULT_PAGE_SIZE)?;
    let page: Vec<Value> = PARTNERS
        .iter()
        .skip(page_number.saturating_mul(page_size))
        .take(page_size)
        .map(|p| p.to_wire())
        .collect();
    Ok(Json(Value::Array(page)))
}
