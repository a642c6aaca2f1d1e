//! A client's `Idempotency-Key` and the response stored for it.

use sea_orm::entity::prelude::*;

/// One key per caller scope; the stored response is replayed for the same request.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    /// Whose key it is: the account id, or the client address for anonymous callers.
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope: String,
    /// The client's key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// SHA-256 (hex) of method, path and body: the same key with another request is refused.
    pub request_hash: String,
    /// `in_progress` or `completed`.
    pub state: String,
    /// The stored response status, once completed.
    pub response_status: Option<i16>,
    /// The stored response content type, once completed.
    pub response_content_type: Option<String>,
    /// The stored response body, once completed.
    pub response_body: Option<Vec<u8>>,
    /// Until when the request that holds the key is presumed alive.
    pub locked_until: DateTimeUtc,
    /// When the key was first used.
    pub created_at: DateTimeUtc,
    /// When the key is forgotten.
    pub expires_at: DateTimeUtc,
}

no_relations!();
