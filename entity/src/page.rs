//! Keyset pagination: a page request carries the position after which to continue, encoded for
//! clients as an opaque cursor.
//!
//! A cursor is the base64url form of the sort key of the last item served (for example its
//! creation time and id), so the next page is one indexed range scan, however deep the client
//! pages, and rows inserted meanwhile never shift or repeat items.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::{ColumnTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select};
use serde::{Serialize, de::DeserializeOwned};

/// Smallest accepted page size.
pub const MIN_LIMIT: u64 = 1;
/// Largest accepted page size.
pub const MAX_LIMIT: u64 = 100;
/// Page size when the client names none.
pub const DEFAULT_LIMIT: u64 = 20;

/// A cursor that does not decode to the expected position.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the cursor is not one this list issued")]
pub struct InvalidCursor;

/// A page size outside `MIN_LIMIT..=MAX_LIMIT`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("limit must be between {MIN_LIMIT} and {MAX_LIMIT}")]
pub struct InvalidLimit;

/// A validated page request: how many items, and the position (sort key `K`) to continue after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest<K> {
    limit: u64,
    after: Option<K>,
}

impl<K: DeserializeOwned> PageRequest<K> {
    /// Parses a client's `limit` and `cursor`.
    pub fn parse(limit: Option<u64>, cursor: Option<&str>) -> Result<Self, PageError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(n) if (MIN_LIMIT..=MAX_LIMIT).contains(&n) => n,
            Some(_) => return Err(PageError::Limit(InvalidLimit)),
        };
        let after = match cursor {
            None | Some("") => None,
            Some(c) => Some(decode_cursor(c).map_err(PageError::Cursor)?),
        };
        Ok(Self { limit, after })
    }
}

impl<K> PageRequest<K> {
    /// The first page of `limit` items (used by internal callers; clients go through `parse`).
    pub fn first(limit: u64) -> Self {
        Self {
            limit: limit.clamp(MIN_LIMIT, MAX_LIMIT),
            after: None,
        }
    }

    /// How many items the page holds at most.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// How many rows to fetch: one more than the limit, to learn whether another page exists.
    pub fn fetch(&self) -> u64 {
        self.limit + 1
    }

    /// The position to continue after, if any.
    pub fn after(&self) -> Option<&K> {
        self.after.as_ref()
    }
}

impl PageRequest<uuid::Uuid> {
    /// `select` in the order of its UUIDv7 `id` column (`Order::Desc`: newest first), limited to
    /// this page and continuing after its cursor: one indexed range scan however deep.
    pub fn by_id<E: EntityTrait>(
        &self,
        select: Select<E>,
        id: E::Column,
        order: Order,
    ) -> Select<E> {
        let newest_first = matches!(order, Order::Desc);
        let select = select.order_by(id, order).limit(self.fetch());
        match self.after() {
            Some(after) if newest_first => select.filter(id.lt(*after)),
            Some(after) => select.filter(id.gt(*after)),
            None => select,
        }
    }
}

/// Why a page request was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PageError {
    /// The `limit` is out of range.
    #[error(transparent)]
    Limit(InvalidLimit),
    /// The `cursor` is malformed.
    #[error(transparent)]
    Cursor(InvalidCursor),
}

/// One page of items and the cursor for the next page (`None` on the last page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in list order.
    pub items: Vec<T>,
    /// The cursor of the next page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `rows` fetched with [`PageRequest::fetch`]: keeps `limit` of them and, when
    /// there were more, makes the next cursor from the key of the last item kept.
    pub fn from_rows<K: Serialize, R>(
        request: &PageRequest<R>,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> K,
    ) -> Self {
        let limit = usize::try_from(request.limit()).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|last| encode_cursor(&key(last)))
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }

    /// Converts every item, keeping the cursor; the first failure is the answer.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, E>>()?,
            next_cursor: self.next_cursor,
        })
    }

    /// Converts every item, keeping the cursor.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// Encodes a sort key as an opaque cursor.
pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    // Serializing plain keys (strings, numbers, ids, timestamps) to JSON cannot fail.
    let json = serde_json::to_vec(key).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// Decodes an opaque cursor back into a sort key.
pub fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> Result<K, InvalidCursor> {
    if cursor.len() > 512 {
        return Err(InvalidCursor);
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| InvalidCursor)?;
    serde_json::from_slice(&bytes).map_err(|_| InvalidCursor)
}

/// One keyset page of `select`, ordered by id (UUIDv7, so creation order).
pub(crate) async fn page_by_id<E, C>(
    db: &C,
    select: sea_orm::Select<E>,
    id: E::Column,
    request: &PageRequest<uuid::Uuid>,
    key: impl Fn(&E::Model) -> uuid::Uuid,
) -> Result<Page<E::Model>, sea_orm::DbErr>
where
    E: sea_orm::EntityTrait,
    C: sea_orm::ConnectionTrait,
{
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    let mut select = select.order_by_asc(id).limit(request.fetch());
    if let Some(after) = request.after() {
        select = select.filter(id.gt(*after));
    }
    let rows = select.all(db).await?;
    Ok(Page::from_rows(request, rows, key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    type Key = (chrono::DateTime<chrono::Utc>, Uuid);

    #[test]
    fn cursors_round_trip() {
        let key: Key = (chrono::Utc::now(), Uuid::now_v7());
        let cursor = encode_cursor(&key);
        assert_eq!(decode_cursor::<Key>(&cursor), Ok(key));
    }

    #[test]
    fn bad_cursors_and_limits_are_refused() {
        assert_eq!(
            PageRequest::<Key>::parse(None, Some("not-a-cursor!")),
            Err(PageError::Cursor(InvalidCursor))
        );
        let wrong_shape = encode_cursor(&"just a string");
        assert_eq!(
            PageRequest::<Key>::parse(None, Some(&wrong_shape)),
            Err(PageError::Cursor(InvalidCursor))
        );
        assert_eq!(
            PageRequest::<Key>::parse(Some(0), None),
            Err(PageError::Limit(InvalidLimit))
        );
        assert_eq!(
            PageRequest::<Key>::parse(Some(101), None),
            Err(PageError::Limit(InvalidLimit))
        );
        let ok = PageRequest::<Key>::parse(None, None).unwrap();
        assert_eq!((ok.limit(), ok.fetch(), ok.after()), (20, 21, None));
    }

    #[test]
    fn a_page_keeps_limit_items_and_points_after_the_last() {
        let request = PageRequest::<u32>::parse(Some(2), None).unwrap();
        let page = Page::from_rows(&request, vec![1u32, 2, 3], |n| *n);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(
            decode_cursor::<u32>(page.next_cursor.as_deref().unwrap()),
            Ok(2)
        );
        let last = Page::from_rows(&request, vec![1u32, 2], |n| *n);
        assert_eq!(last.next_cursor, None);
    }
}
