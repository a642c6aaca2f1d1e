//! Claim photos: limits, telling the format by content (sniffing), reading a claim's photos.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, entity::prelude::*,
};

use crate::{DomainError, kernel::Scope};

use super::{claim, listing::visible, photo};

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
