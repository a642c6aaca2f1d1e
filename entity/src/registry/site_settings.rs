//! What a site's printed papers say about it: the community's name as it signs them, the
//! supervision phone (监督电话) for points and objections, and the text of its seal.

use sea_orm::entity::prelude::*;

/// A site's settings; a site without a row shows the defaults of [`super::sites::site_settings`].
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "site_settings")]
pub struct Model {
    /// The site.
    #[sea_orm(primary_key, auto_increment = false)]
    pub site_id: Uuid,
    /// The community's name as papers are signed, e.g. 兴贤里社区居民委员会.
    pub community_name: String,
    /// The supervision phone printed on publicity sheets.
    pub supervision_phone: String,
    /// The seal's text, printed where the seal is stamped.
    pub seal_text: String,
    /// Who saved them last.
    pub updated_by: Uuid,
    /// When.
    pub updated_at: DateTimeUtc,
}

no_relations!();
