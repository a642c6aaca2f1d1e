//! Signing a resident up: a seat while there is one, else a waiting-list ticket.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    entity::prelude::*,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;

use crate::{
    DomainError,
    crypto::random_bytes,
    kernel::{Actor, Role, Scope},
    registry::resident,
};

use super::{SignupStatus, activity, audience, listing::get, signup, waiting_list::ticket_and_row};

/// What a sign-up came to.
#[derive(Debug, Clone)]
pub struct SignupOutcome {
    /// The sign-up.
    pub signup: signup::Model,
    /// Its place on the waiting list (1 is next), when waitlisted.
    pub position: Option<u64>,
}

/// Where a resident lives, as far as sign-ups care.
pub(super) struct Target {
    pub(super) site_id: Uuid,
    pub(super) on_behalf: bool,
}

/// Finds the resident within the actor's reach (the caller itself needs no query: its token's
/// principal already holds its site and group) and checks it is in the activity's audience.
pub(super) async fn resident_for<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    a: &activity::Model,
    resident_id: Uuid,
) -> Result<Target, DomainError> {
    let own = match &actor.scope {
        Scope::Own(own) | Scope::Groups { own, .. } if own.resident_id == resident_id => Some(*own),
        _ => None,
    };
    let (site_id, group_id, on_behalf) = match (own, actor.role) {
        (Some(own), _) => (own.site_id, own.group_id, false),
        (None, Role::GroupLeader | Role::Staff | Role::SiteAdmin | Role::PlatformAdmin) => {
            let (site, group): (Uuid, Uuid) = resident::Entity::find_by_id(resident_id)
                .select_only()
                .column(resident::Column::SiteId)
                .column(resident::Column::GroupId)
                .filter(actor.scope.residents())
                .into_tuple()
                .one(db)
                .await?
                .ok_or(DomainError::NotFound)?;
            (site, group, true)
        }
        (None, Role::Resident) => return Err(DomainError::NotFound),
        _ => {
            return Err(DomainError::Forbidden(
                "this role does not sign residents up",
            ));
        }
    };
    let in_audience = site_id == a.site_id
        && (a.whole_site
            || audience::Entity::find_by_id((a.id, group_id))
                .one(db)
                .await?
                .is_some());
    if !in_audience {
        return Err(DomainError::NotFound);
    }
    Ok(Target { site_id, on_behalf })
}

fn check_in_code() -> Result<String, crate::crypto::RandomUnavailable> {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<12>()?))
}

/// Signs a resident up: a seat while there is one, else a waiting-list ticket (when the list is
/// on). A second sign-up is 409 `already_signed_up`; outside the window 409 `signup_closed`;
/// outside the audience 404; full without a waiting list 409 `activity_full`. Leaders and staff
/// acting for a resident may give a `reason`, audited with the sign-up.
pub async fn sign_up<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    activity_id: Uuid,
    resident_id: Uuid,
    reason: Option<String>,
) -> Result<SignupOutcome, DomainError> {
    let a = get(db, &actor.scope, activity_id).await?;
    let Target { site_id, on_behalf } = resident_for(db, actor, &a, resident_id).await?;
    let reason = crate::audit::assist_reason(on_behalf, reason)?;
    let now = Utc::now();
    if now < a.signup_opens_at || now > a.signup_closes_at || a.finished {
        return Err(DomainError::conflict(
            "signup_closed",
            "sign-up for this activity is not open",
        ));
    }
    // The guarded seat: a row only when one is free. A full activity then hands out a ticket
    // under the same row lock, re-checking that it is still full (a cancellation may have freed a
    // seat meanwhile: then the loop takes the seat).
    let mut ticket = None;
    // When the activity already looked full, go straight for a ticket (the ticket statement
    // re-checks fullness under the lock, and a freed seat sends us back to the seat): during a
    // burst that saves most sign-ups a statement.
    let mut try_seat = a.confirmed < a.capacity || !a.waitlist_enabled;
    let mut seated = false;
    let mut written: Option<Uuid> = None;
    let code = check_in_code()?;
    for _ in 0..3 {
        if try_seat {
            let seat = activity::Entity::update_many()
                .col_expr(
                    activity::Column::Confirmed,
                    Expr::col(activity::Column::Confirmed).add(1),
                )
                .filter(activity::Column::Id.eq(activity_id))
                .filter(
                    Expr::col(activity::Column::Confirmed)
                        .lt(Expr::col(activity::Column::Capacity)),
                )
                .exec(db)
                .await?;
            if seat.rows_affected == 1 {
                seated = true;
                break;
            }
        }
        try_seat = true;
        if !a.waitlist_enabled {
            return Err(DomainError::conflict(
                "activity_full",
                "no seats are left and this activity keeps no waiting list",
            ));
        }
        // Under the row lock taken by this statement, every ticket below ours has either left
        // (counted in `waitlist_left`) or is still waiting ahead of us: our place needs no count.
        let mut queue = sea_orm::sea_query::Query::update();
        queue
            .table(activity::Entity)
            .value(
                activity::Column::WaitlistNext,
                Expr::col(activity::Column::WaitlistNext).add(1),
            )
            .and_where(activity::Column::Id.eq(activity_id))
            .and_where(
                Expr::col(activity::Column::Confirmed).gte(Expr::col(activity::Column::Capacity)),
            )
            .returning(sea_orm::sea_query::Query::returning().columns([
                activity::Column::WaitlistNext,
                activity::Column::WaitlistLeft,
            ]));
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            // On PostgreSQL the ticket and the sign-up row go in one statement, so the row lock
            // is held for one round trip (and the commit) instead of two.
            if let Some((next, left, id)) = ticket_and_row(
                db,
                activity_id,
                resident_id,
                site_id,
                actor,
                on_behalf,
                &code,
                now,
            )
            .await?
            {
                let id = id.ok_or_else(already_signed_up)?;
                ticket = Some((next, u64::try_from(next - left).unwrap_or(1)));
                written = Some(id);
                break;
            }
            continue;
        }
        if let Some(row) = db.query_one(&queue).await? {
            let next: i32 = row.try_get("", "waitlist_next")?;
            let left: i32 = row.try_get("", "waitlist_left")?;
            ticket = Some((next, u64::try_from(next - left).unwrap_or(1)));
            break;
        }
    }
    if !seated && ticket.is_none() {
        // Seats freed and taken again between our statements three times over: rare enough to
        // leave to the client's retry.
        return Err(DomainError::conflict(
            "concurrent_change",
            "seats changed while signing up; retry",
        ));
    }
    let (ticket, place) = (ticket.map(|(t, _)| t), ticket.map(|(_, p)| p));
    let status = if ticket.is_some() {
        SignupStatus::Waitlisted
    } else {
        SignupStatus::Confirmed
    };
    let mut model = signup::Model {
        id: Uuid::now_v7(),
        activity_id,
        resident_id,
        site_id,
        status,
        waitlist_ticket: ticket,
        code,
        signed_up_by: actor.account_id,
        on_behalf,
        promoted_at: None,
        checked_in_at: None,
        checked_in_by: None,
        cancelled_at: None,
        created_at: now,
        updated_at: now,
    };
    model.id = match written {
        Some(id) => id,
        None => write_row(db, &model).await?,
    };
    if on_behalf {
        actor
            .audit(a.site_id, "activity.signup", "activity", activity_id)
            .on_behalf_of(resident_id)
            .reason(reason)
            .details(json!({ "status": status.as_str() }))
            .record(db)
            .await?;
    }
    Ok(SignupOutcome {
        signup: model,
        position: place,
    })
}

/// What a cancelled sign-up taken up again gets anew (everything but who, what and where); the
/// insert writes these after the id, the activity, the resident and the site.
const TAKEN_UP_AGAIN: [signup::Column; 11] = [
    signup::Column::Status,
    signup::Column::WaitlistTicket,
    signup::Column::Code,
    signup::Column::SignedUpBy,
    signup::Column::OnBehalf,
    signup::Column::PromotedAt,
    signup::Column::CheckedInAt,
    signup::Column::CheckedInBy,
    signup::Column::CancelledAt,
    signup::Column::CreatedAt,
    signup::Column::UpdatedAt,
];

/// Writes a sign-up row; returns its id.
async fn write_row<C: ConnectionTrait>(db: &C, model: &signup::Model) -> Result<Uuid, DomainError> {
    // One statement: a new sign-up, or a cancelled one taken up again (same row); a live one
    // already there returns nothing, and this transaction, seat or ticket included, is dropped.
    let mut insert = sea_orm::sea_query::Query::insert();
    insert
        .into_table(signup::Entity)
        .columns(
            [
                signup::Column::Id,
                signup::Column::ActivityId,
                signup::Column::ResidentId,
                signup::Column::SiteId,
            ]
            .into_iter()
            .chain(TAKEN_UP_AGAIN),
        )
        .values([
            model.id.into(),
            model.activity_id.into(),
            model.resident_id.into(),
            model.site_id.into(),
            model.status.into(),
            model.waitlist_ticket.into(),
            model.code.clone().into(),
            model.signed_up_by.into(),
            model.on_behalf.into(),
            Option::<DateTime<Utc>>::None.into(),
            Option::<DateTime<Utc>>::None.into(),
            Option::<Uuid>::None.into(),
            Option::<DateTime<Utc>>::None.into(),
            model.created_at.into(),
            model.updated_at.into(),
        ])
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                signup::Column::ActivityId,
                signup::Column::ResidentId,
            ])
            .update_columns(TAKEN_UP_AGAIN)
            .action_and_where(
                Expr::col((signup::Entity, signup::Column::Status))
                    .eq(SignupStatus::Cancelled.as_str()),
            )
            .to_owned(),
        )
        .returning(sea_orm::sea_query::Query::returning().column(signup::Column::Id));
    let row = db.query_one(&insert).await?.ok_or_else(already_signed_up)?;
    Ok(row.try_get("", "id")?)
}

fn already_signed_up() -> DomainError {
    DomainError::conflict("already_signed_up", "this resident is already signed up")
}
