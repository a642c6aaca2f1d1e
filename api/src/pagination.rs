//! The list contract: `?limit=` (1–100, default 20) and `?cursor=` in, `{items, next_cursor}` out.

use std::collections::BTreeMap;

use entity::page::{Page, PageError, PageRequest};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

/// Paging parameters of every list.
///
/// List query structs repeat these two fields rather than `#[serde(flatten)]` them: flattening
/// breaks typed values and unknown-field detection in query strings.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page; omit for the first page.
    pub cursor: Option<String>,
}

impl PageParams {
    /// Paging parameters from a list query's `limit` and `cursor` fields.
    pub fn new(limit: Option<u64>, cursor: Option<String>) -> Self {
        Self { limit, cursor }
    }

    /// Validates the parameters for a list sorted by key `K`.
    pub fn into_request<K: DeserializeOwned>(self) -> Result<PageRequest<K>, ApiError> {
        PageRequest::parse(self.limit, self.cursor.as_deref()).map_err(|e| match e {
            PageError::Limit(e) => {
                ApiError::InvalidQuery(BTreeMap::from([("limit".to_owned(), e.to_string())]))
            }
            PageError::Cursor(_) => ApiError::InvalidCursor,
        })
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T> {
    /// The items, in list order.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> From<Page<T>> for Paginated<T> {
    fn from(page: Page<T>) -> Self {
        Self {
            items: page.items,
            next_cursor: page.next_cursor,
        }
    }
}
