//! One-time codes that prove who holds a phone: six digits sent by SMS (valid 5 minutes), or
//! eight digits that staff print for a resident who cannot receive an SMS (valid 7 days, for
//! activation only). A code is bound to its phone and purpose, stored only as a keyed hash with
//! its challenge's id mixed in, used once, and locked after five wrong tries.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::sms_code;
use crate::{
    DomainError, crypto::PiiCipher, kernel::Actor, people::Phone, registry::ops::get_resident,
};

string_enum!(
    /// What a code may be used for: a code asked for one purpose never serves another.
    CodePurpose {
        /// Logging in without a password (短信验证码登录).
        Login => "login",
        /// Activating a registered resident's account.
        Activate => "activate",
        /// Setting a new password without the old one.
        ResetPassword => "reset_password",
        /// Proving the login phone before an employer account is created.
        EmployerSignup => "employer_signup",
        /// An activation code printed by staff (never sent by SMS).
        PrintedActivation => "printed_activation",
        /// Proving the phone when binding WeChat to an account (or activating it by WeChat).
        WechatBind => "wechat_bind",
    }
);

/// Digits of an SMS code.
pub const SMS_CODE_DIGITS: usize = 6;
/// Digits of a printed activation code (it lives longer, so it is longer).
pub const PRINTED_CODE_DIGITS: usize = 8;
/// How long an SMS code is valid.
pub const SMS_CODE_TTL: Duration = Duration::minutes(5);
/// How long a printed activation code is valid.
pub const PRINTED_CODE_TTL: Duration = Duration::days(7);
/// Wrong tries a challenge survives; the next try finds it locked.
pub const MAX_ATTEMPTS: i16 = 5;

/// A code just made: the only time it exists in clear.
pub struct IssuedCode {
    /// The challenge.
    pub id: Uuid,
    /// The digits, to send or print.
    pub code: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for IssuedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCode")
            .field("id", &self.id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Why a code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Wrong, expired, used, or never sent (the caller cannot tell which).
    #[error("the code is wrong or has expired")]
    Invalid,
    /// Too many wrong tries: ask for a new code.
    #[error("too many wrong codes; ask for a new one")]
    Locked,
}

/// The keyed hash under which codes for `phone` are filed (no phone numbers in this table).
pub fn phone_key(cipher: &PiiCipher, phone: &Phone) -> String {
    cipher.lookup_hash(&format!("sms-code phone {}", phone.as_str()))
}

fn code_hash(cipher: &PiiCipher, id: Uuid, code: &str) -> String {
    cipher.lookup_hash(&format!("sms-code {id} {code}"))
}

/// Makes a code for `phone` and `purpose` (the caller sends it). Earlier live codes of the same
/// phone and purpose stay valid until they expire or one of them is used, so a second SMS that
/// arrives first does not strand the first.
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    cipher: &PiiCipher,
    phone: &Phone,
    purpose: CodePurpose,
    now: DateTime<Utc>,
) -> Result<IssuedCode, DbErr> {
    insert(db, cipher, phone, purpose, None, None, now).await
}

/// Makes a printed activation code for `resident_id`, whose registered phone is `phone`, on
/// behalf of the staff account `issued_by`; codes printed for that resident before are void.
pub async fn issue_printed<C: ConnectionTrait>(
    db: &C,
    cipher: &PiiCipher,
    phone: &Phone,
    resident_id: Uuid,
    issued_by: Uuid,
    now: DateTime<Utc>,
) -> Result<IssuedCode, DbErr> {
    sms_code::Entity::update_many()
        .col_expr(sms_code::Column::ConsumedAt, Expr::value(now))
        .filter(sms_code::Column::ResidentId.eq(resident_id))
        .filter(sms_code::Column::Purpose.eq(CodePurpose::PrintedActivation.as_str()))
        .filter(sms_code::Column::ConsumedAt.is_null())
        .exec(db)
        .await?;
    insert(
        db,
        cipher,
        phone,
        CodePurpose::PrintedActivation,
        Some(resident_id),
        Some(issued_by),
        now,
    )
    .await
}

async fn insert<C: ConnectionTrait>(
    db: &C,
    cipher: &PiiCipher,
    phone: &Phone,
    purpose: CodePurpose,
    resident_id: Option<Uuid>,
    issued_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<IssuedCode, DbErr> {
    let printed = purpose == CodePurpose::PrintedActivation;
    let code = crate::crypto::random_digits(if printed {
        PRINTED_CODE_DIGITS
    } else {
        SMS_CODE_DIGITS
    })?;
    let id = Uuid::now_v7();
    let expires_at = now
        + if printed {
            PRINTED_CODE_TTL
        } else {
            SMS_CODE_TTL
        };
    sms_code::Entity::insert(sms_code::ActiveModel {
        id: Set(id),
        phone_hash: Set(phone_key(cipher, phone)),
        purpose: Set(purpose),
        code_hash: Set(code_hash(cipher, id, &code)),
        resident_id: Set(resident_id),
        issued_by: Set(issued_by),
        attempts: Set(0),
        created_at: Set(now),
        expires_at: Set(expires_at),
        consumed_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(IssuedCode {
        id,
        code,
        expires_at,
    })
}

/// Forgets a code that could not be sent.
pub async fn discard<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DbErr> {
    sms_code::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Checks `code` against the live challenges for `phone` and `purpose` (a resent SMS may
/// arrive before the first, and family members sharing a phone may each hold a printed code).
/// A wrong code counts against every live challenge at once, in its own statement so that a
/// failing request cannot roll the count back: a guess is tried against all of them, so each
/// must pay for it. The sixth try on a challenge finds it locked whatever it says. A right code
/// is returned unconsumed: [`consume`] it in the transaction of what it authorises.
pub async fn check<C: ConnectionTrait>(
    db: &C,
    cipher: &PiiCipher,
    phone: &Phone,
    purpose: CodePurpose,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Result<sms_code::Model, CodeError>, DbErr> {
    let live = sms_code::Entity::find()
        .filter(sms_code::Column::PhoneHash.eq(phone_key(cipher, phone)))
        .filter(sms_code::Column::Purpose.eq(purpose.as_str()))
        .filter(sms_code::Column::ConsumedAt.is_null())
        .filter(sms_code::Column::ExpiresAt.gt(now))
        .order_by_desc(sms_code::Column::CreatedAt)
        .limit(16)
        .all(db)
        .await?;
    if live.is_empty() {
        return Ok(Err(CodeError::Invalid));
    }
    let open: Vec<&sms_code::Model> = live.iter().filter(|c| c.attempts < MAX_ATTEMPTS).collect();
    if open.is_empty() {
        return Ok(Err(CodeError::Locked));
    }
    if let Some(found) = open.iter().find(|c| {
        constant_time_eq(
            code_hash(cipher, c.id, code).as_bytes(),
            c.code_hash.as_bytes(),
        )
    }) {
        return Ok(Ok((*found).clone()));
    }
    // Counted under each row's guard, so concurrent wrong tries are all counted and none passes
    // the limit.
    sms_code::Entity::update_many()
        .col_expr(
            sms_code::Column::Attempts,
            Expr::col(sms_code::Column::Attempts).add(1),
        )
        .filter(sms_code::Column::Id.is_in(open.iter().map(|c| c.id)))
        .filter(sms_code::Column::Attempts.lt(MAX_ATTEMPTS))
        .exec(db)
        .await?;
    Ok(Err(CodeError::Invalid))
}

/// Uses a checked challenge up, and with it the other live SMS codes of its phone and purpose
/// (a printed code voids only itself: it belongs to one resident); `false` when a concurrent
/// request used it first (or it locked meanwhile), and then what it authorises must not happen.
pub async fn consume<C: ConnectionTrait>(
    db: &C,
    challenge: &sms_code::Model,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let used = sms_code::Entity::update_many()
        .col_expr(sms_code::Column::ConsumedAt, Expr::value(now))
        .filter(sms_code::Column::Id.eq(challenge.id))
        .filter(sms_code::Column::ConsumedAt.is_null())
        .filter(sms_code::Column::Attempts.lt(MAX_ATTEMPTS))
        .exec(db)
        .await?;
    if used.rows_affected != 1 {
        return Ok(false);
    }
    if challenge.resident_id.is_none() {
        sms_code::Entity::update_many()
            .col_expr(sms_code::Column::ConsumedAt, Expr::value(now))
            .filter(sms_code::Column::PhoneHash.eq(challenge.phone_hash.clone()))
            .filter(sms_code::Column::Purpose.eq(challenge.purpose))
            .filter(sms_code::Column::ConsumedAt.is_null())
            .exec(db)
            .await?;
    }
    Ok(true)
}

/// Forgets challenges expired for more than a day; returns how many went.
pub async fn purge_expired<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(sms_code::Entity::delete_many()
        .filter(sms_code::Column::ExpiresAt.lt(now - Duration::days(1)))
        .exec(db)
        .await?
        .rows_affected)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Prints a one-time activation code for a resident who cannot receive the SMS (staff of its
/// site; audited with the reason). The code activates an account for the resident's registered
/// phone only, within 7 days; a new code voids the ones printed before.
pub async fn print_activation_code<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    cipher: &PiiCipher,
    id: Uuid,
    reason: String,
) -> Result<(IssuedCode, Phone), DomainError> {
    let resident = get_resident(db, &actor.scope, id).await?;
    actor.manage(resident.site_id)?;
    let activated = super::account::Entity::find()
        .filter(super::account::Column::ResidentId.eq(id))
        .one(db)
        .await?
        .is_some();
    if activated {
        return Err(DomainError::conflict(
            "already_activated",
            "this resident already has an account",
        ));
    }
    let phone = resident
        .phone
        .as_deref()
        .and_then(|p| Phone::parse(p).ok())
        .ok_or_else(|| {
            DomainError::conflict(
                "resident_has_no_phone",
                "register the resident's mobile number first: the account is keyed by it",
            )
        })?;
    let code = issue_printed(db, cipher, &phone, id, actor.account_id, Utc::now()).await?;
    actor
        .audit(
            resident.site_id,
            "resident.print_activation_code",
            "resident",
            id,
        )
        .reason(reason)
        .record(db)
        .await?;
    Ok((code, phone))
}
