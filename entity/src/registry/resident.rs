//! A resident. The ID-card number is stored encrypted (AES-256-GCM), with a keyed hash for
//! lookups and duplicate detection and a masked copy for display; it is never stored in clear.

use sea_orm::entity::prelude::*;

use crate::{
    error::stored_json,
    people::{self, Gender},
    registry::types::{EmploymentStatus, JobPreferences},
};

/// A resident.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resident")]
pub struct Model {
    /// Id (UUIDv7).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The site.
    pub site_id: Uuid,
    /// The group (of the household's building).
    pub group_id: Uuid,
    /// The building.
    pub building_id: Uuid,
    /// The household.
    pub household_id: Uuid,
    /// Relation to the head of household (`head`, `spouse`, `child`, `parent`, `other`).
    pub relation: Option<people::Relation>,
    /// Name.
    pub name: String,
    /// Gender.
    pub gender: Gender,
    /// Birth date.
    pub birth_date: Date,
    /// Mobile number (11 digits), if any.
    pub phone: Option<String>,
    /// The ID-card number, encrypted.
    pub id_card_cipher: Vec<u8>,
    /// Keyed hash (HMAC-SHA256, hex) of the ID-card number.
    pub id_card_hash: String,
    /// Keyed hash of the ID number's last four characters (`PiiCipher::tail_hash`), for the
    /// service desk's search; empty only on rows written before it existed, until the api fills it.
    pub id_card_tail_hash: Option<String>,
    /// The masked ID-card number (`4****************X`, see `IdCardNumber::masked`).
    pub id_card_masked: String,
    /// Has a disability: sensitive.
    pub disability: bool,
    /// Disability level 1–4: sensitive.
    pub disability_level: Option<i16>,
    /// Party member.
    pub party_member: bool,
    /// Skills (JSON array of strings).
    pub skills: Json,
    /// Employment status.
    pub employment_status: EmploymentStatus,
    /// Looking for work.
    pub job_seeking: bool,
    /// Job-seeking preferences (JSON object).
    pub job_preferences: Json,
    /// Created at.
    pub created_at: DateTimeUtc,
    /// Last changed at.
    pub updated_at: DateTimeUtc,
}

impl std::fmt::Debug for Model {
    // Sensitive fields stay out of logs and panic messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resident")
            .field("id", &self.id)
            .field("site_id", &self.site_id)
            .field("household_id", &self.household_id)
            .field("id_card_masked", &self.id_card_masked)
            .finish_non_exhaustive()
    }
}

no_relations!();

impl Model {
    /// The skills; a stored value that is not a list of texts is an error that names it.
    pub fn skill_list(&self) -> Result<Vec<String>, DbErr> {
        stored_json(&self.skills, "resident.skills", self.id)
    }

    /// The job-seeking preferences; a stored value that is not one is an error that names it.
    pub fn preferences(&self) -> Result<JobPreferences, DbErr> {
        stored_json(&self.job_preferences, "resident.job_preferences", self.id)
    }

    /// The disability level 1–4; another stored number is an error that names it.
    pub fn level(&self) -> Result<Option<u8>, DbErr> {
        self.disability_level
            .map(|l| match u8::try_from(l) {
                Ok(level @ 1..=4) => Ok(level),
                _ => Err(DbErr::Type(format!(
                    "resident.disability_level of {} is {l}, not 1–4",
                    self.id
                ))),
            })
            .transpose()
    }
}
