//! Claim photos: limits, telling the format by content (sniffing), adding one to a claim that
//! awaits verification, reading a claim's photos.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    entity::prelude::*,
    sea_query::{Expr, OnConflict},
};

use crate::{
    DomainError,
    kernel::{Actor, Scope},
};

use super::{ClaimStatus, claim, listing::visible, photo};

/// At most this many photos per claim.
pub const MAX_PHOTOS: usize = 3;
/// At most this many bytes per photo (2 MiB).
pub const MAX_PHOTO_BYTES: usize = 2 * 1024 * 1024;

/// The image formats a claim's photo may have, told by content, never by name or header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoKind {
    /// JPEG (JFIF or Exif).
    Jpeg,
    /// PNG.
    Png,
}

impl PhotoKind {
    /// The format of these bytes, if they are a JPEG (start of image followed by a marker) or a
    /// PNG (signature followed by a well-formed, non-empty `IHDR` chunk).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        const PNG: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        match bytes {
            [0xFF, 0xD8, 0xFF, marker, ..]
                if matches!(marker, 0xC0..=0xCF | 0xDB | 0xDD | 0xE0..=0xEF | 0xFE)
                    && bytes.len() > 4 =>
            {
                Some(Self::Jpeg)
            }
            _ if bytes.len() >= 33 && bytes[..8] == PNG => {
                let len = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
                let width = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
                let height = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
                (len == 13 && &bytes[12..16] == b"IHDR" && width > 0 && height > 0)
                    .then_some(Self::Png)
            }
            _ => None,
        }
    }

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    /// The file extension used in object keys.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }
}

/// A photo already written to the object store, to be recorded with its claim.
#[derive(Debug, Clone)]
pub struct StoredPhoto {
    /// Where it is.
    pub object_key: String,
    /// Its format.
    pub kind: PhotoKind,
    /// Size in bytes.
    pub size_bytes: usize,
    /// SHA-256, hex.
    pub sha256: String,
}

impl StoredPhoto {
    /// Its row as photo `position` of `claim_id`.
    pub(super) fn row(&self, claim_id: Uuid, position: i16, at: DateTime<Utc>) -> photo::Model {
        photo::Model {
            claim_id,
            position,
            object_key: self.object_key.clone(),
            content_type: self.kind.content_type().to_owned(),
            size_bytes: i32::try_from(self.size_bytes).unwrap_or(i32::MAX),
            sha256: self.sha256.clone(),
            created_at: at,
        }
    }
}

/// The refusal of a photo beyond [`MAX_PHOTOS`], named by `field`.
pub(super) fn too_many(field: &str) -> DomainError {
    DomainError::invalid(field, "at most 3 photos per claim")
}

/// Adds one photo, already in the object store, to a claim as its next position: the resident
/// the claim is for, or whoever filed it for them (then with an optional `reason`, audited as
/// `claim.photo`). Only while the claim awaits verification (`applied`; otherwise 409
/// `claim_closed`), and at most [`MAX_PHOTOS`] in all (422 naming `photo`).
///
/// Concurrent uploads cannot both take the last place: the claim's row is locked while its
/// status is still `applied` (a verification waits, or has already closed it), and the photo is
/// inserted only where its (claim, position) is free, by the table's primary key, and `position`
/// between 1 and 3, by its check.
pub async fn add_photo<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    claim_id: Uuid,
    stored: &StoredPhoto,
    reason: Option<String>,
) -> Result<photo::Model, DomainError> {
    let c = claim::Entity::find_by_id(claim_id)
        .filter(visible(&actor.scope))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let for_itself = matches!(&actor.scope, Scope::Own(own) | Scope::Groups { own, .. } if own.resident_id == c.resident_id);
    if !for_itself && c.submitted_by != actor.account_id {
        return Err(DomainError::Forbidden(
            "photos are added by the resident the claim is for, or by whoever filed it for them",
        ));
    }
    let reason = crate::audit::assist_reason(!for_itself, reason)?;
    let closed = || {
        DomainError::conflict(
            "claim_closed",
            "photos are added only while the claim awaits verification",
        )
    };
    if c.status != ClaimStatus::Applied {
        return Err(closed());
    }
    let now = Utc::now();
    let locked = claim::Entity::update_many()
        .col_expr(claim::Column::UpdatedAt, Expr::value(now))
        .filter(claim::Column::Id.eq(claim_id))
        .filter(claim::Column::Status.eq(ClaimStatus::Applied.as_str()))
        .exec(db)
        .await?
        .rows_affected;
    if locked != 1 {
        return Err(closed());
    }
    // Each round either inserts or finds a place taken by an upload that committed meanwhile, so
    // it ends within as many rounds as there are places.
    for _ in 0..MAX_PHOTOS {
        let taken = photo::Entity::find()
            .filter(photo::Column::ClaimId.eq(claim_id))
            .count(db)
            .await?;
        if taken >= MAX_PHOTOS as u64 {
            return Err(too_many("photo"));
        }
        let position = i16::try_from(taken + 1).unwrap_or(i16::MAX);
        let row = stored.row(claim_id, position, now);
        let inserted = photo::Entity::insert(photo::ActiveModel::from(row.clone()))
            .on_conflict(
                OnConflict::columns([photo::Column::ClaimId, photo::Column::Position])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        if inserted == 1 {
            if !for_itself {
                actor
                    .audit(c.site_id, "claim.photo", "claim", claim_id)
                    .on_behalf_of(c.resident_id)
                    .reason(reason)
                    .details(serde_json::json!({ "position": position }))
                    .record(db)
                    .await?;
            }
            return Ok(row);
        }
    }
    Err(too_many("photo"))
}

/// The photos of a claim the caller may see, in order.
pub async fn photos<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    claim_id: Uuid,
) -> Result<Vec<photo::Model>, DomainError> {
    claim::Entity::find_by_id(claim_id)
        .filter(visible(scope))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok(photo::Entity::find()
        .filter(photo::Column::ClaimId.eq(claim_id))
        .order_by_asc(photo::Column::Position)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::PhotoKind;

    #[test]
    fn photos_are_told_by_content() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
        assert_eq!(PhotoKind::sniff(&jpeg), Some(PhotoKind::Jpeg));
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        png.extend_from_slice(b"IHDR");
        png.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
        png.extend_from_slice(&[0; 4]);
        png.extend_from_slice(&[0; 5]);
        assert_eq!(PhotoKind::sniff(&png), Some(PhotoKind::Png));
        // A PNG signature with a zero-width header, a bare JPEG start, text, a GIF: refused.
        let mut empty = png.clone();
        empty[16..20].copy_from_slice(&[0; 4]);
        assert_eq!(PhotoKind::sniff(&empty), None);
        assert_eq!(PhotoKind::sniff(&[0xFF, 0xD8, 0xFF]), None);
        assert_eq!(PhotoKind::sniff(&[0xFF, 0xD8, 0xFF, 0x00, 0x00]), None);
        assert_eq!(
            PhotoKind::sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            None
        );
        assert_eq!(PhotoKind::sniff(b"GIF89a\x01\x00\x01\x00"), None);
        assert_eq!(PhotoKind::sniff(&png[..20]), None);
    }
}
