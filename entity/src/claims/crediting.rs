//! Crediting claims whose publicity window has closed: one claim, or a whole site in set-based SQL (one statement on PostgreSQL, a few on SQLite).

use chrono::Utc;
use sea_orm::{ConnectionTrait, EntityTrait, entity::prelude::*};

use crate::DomainError;

use super::{ClaimStatus, claim, objections::objections_open};

/// The credit task: credits the claim if it is still publicized, its window has closed and no
/// objection is open; otherwise leaves it for staff (a dismissal credits it then).
pub async fn credit_due<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, DomainError> {
    let Some(c) = claim::Entity::find_by_id(id).one(db).await? else {
        return Ok(false);
    };
    let due = c.status == ClaimStatus::Publicized
        && c.publicity_ends_at.is_some_and(|e| e <= Utc::now())
        && objections_open(db, id).await? == 0;
    if due {
        // Everything due at the site goes with it: a campaign's claims, publicized together,
        // are credited in one run, and their own tasks then find nothing left to do.
        credit_due_at_site(db, c.site_id).await?;
    }
    Ok(due)
}

/// Credits every claim of a site whose window has closed with no objection open, in this one
/// transaction and in set-based statements: the claims are marked credited (guarded, so a
/// redelivered task or a second worker credits nothing twice), each household's balance moves
/// once by the sum of its claims, and the entries and steps are generated inside the database
/// from the credited claims (`INSERT … SELECT`), never sent row by row.
/// This is how a whole campaign is credited on time. Returns how many claims were credited.
pub async fn credit_due_at_site<C: ConnectionTrait>(
    db: &C,
    site_id: Uuid,
) -> Result<u64, DomainError> {
    let now = Utc::now();
    let credited = if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        credit_due_at_site_in_one_statement(db, site_id, now).await?
    } else {
        credit_due_at_site_step_by_step(db, site_id, now).await?
    };
    if credited > 0 {
        tell_residents(db, site_id, now).await?;
    }
    Ok(credited)
}

/// Tells the residents whose claims were credited at `at` (one notice per category and amount,
/// so a campaign of thousands is a handful of events): a claim result, which residents marked
/// for calls also hear by phone.
async fn tell_residents<C: ConnectionTrait>(
    db: &C,
    site_id: Uuid,
    at: chrono::DateTime<Utc>,
) -> Result<(), DomainError> {
    use std::collections::BTreeMap;

    use sea_orm::{QueryFilter, QuerySelect};

    use crate::messaging::{
        events::{Audience, Fact, Notice, NoticeKind, NotificationRequested, Urgency},
        outbox,
    };
    let rows: Vec<(Uuid, crate::points::Category, Option<i32>)> = claim::Entity::find()
        .select_only()
        .column(claim::Column::ResidentId)
        .column(claim::Column::Category)
        .column(claim::Column::Points)
        .filter(claim::Column::SiteId.eq(site_id))
        .filter(claim::Column::Status.eq(ClaimStatus::Credited))
        .filter(claim::Column::UpdatedAt.eq(at))
        .into_tuple()
        .all(db)
        .await?;
    let mut groups: BTreeMap<(&'static str, i32), Vec<Uuid>> = BTreeMap::new();
    for (resident, category, points) in rows {
        groups
            .entry((category.title(), points.unwrap_or(0)))
            .or_default()
            .push(resident);
    }
    for ((category, points), mut resident_ids) in groups {
        resident_ids.sort();
        resident_ids.dedup();
        outbox::notify(
            db,
            NotificationRequested {
                site_id,
                category: "points".into(),
                title: "积分到账".into(),
                body: format!("您申报的“{category}”积分 {points} 分已入账，可到积分超市兑换。"),
                audience: Audience::Residents { resident_ids },
                urgency: Urgency::Normal,
                link: Some("points".into()),
                notice: Some(Notice::new(
                    NoticeKind::ClaimResult,
                    [
                        (Fact::Subject, category.to_owned()),
                        (Fact::Amount, points.to_string()),
                        (Fact::Status, "已入账".to_owned()),
                    ],
                )),
            },
        )
        .await?;
    }
    Ok(())
}

/// [`credit_due_at_site`] on SQLite, which has no data-modifying CTEs.
async fn credit_due_at_site_step_by_step<C: ConnectionTrait>(
    db: &C,
    site_id: Uuid,
    now: chrono::DateTime<Utc>,
) -> Result<u64, DomainError> {
    // SQLite (one writer, inside the caller's transaction): the guarded update returns the ids
    // it credited; balances, entries and steps are then generated inside the database from
    // those claims (`INSERT … SELECT`), with the ids passed as one JSON parameter.
    let sql = "UPDATE point_claim SET status = 'credited', updated_at = $1 \
               WHERE site_id = $2 AND status = 'publicized' AND publicity_ends_at <= $1 \
                 AND id NOT IN (SELECT claim_id FROM point_objection \
                                WHERE site_id = $2 AND status IN ('pending', 'upheld')) \
               RETURNING id";
    let rows = db
        .query_all_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            sql,
            [now.into(), site_id.into()],
        ))
        .await?;
    let mut claims: Vec<Uuid> = Vec::with_capacity(rows.len());
    for row in rows {
        claims.push(row.try_get("", "id")?);
    }
    if claims.is_empty() {
        return Ok(0);
    }
    // Claim ids, each with the id of its ledger entry (also the id of its step: the two live in
    // different tables). The entry ids grow (UUIDv7 from one process), and each entry's
    // `balance_after` is computed in their order, so a household's history reads forwards.
    let mut pairs = String::with_capacity(claims.len() * 72 + 2);
    pairs.push('[');
    for (n, claim) in claims.iter().enumerate() {
        if n > 0 {
            pairs.push(',');
        }
        pairs.push_str(&format!(
            "[\"{}\",\"{}\"]",
            claim.simple(),
            Uuid::now_v7().simple()
        ));
    }
    pairs.push(']');
    let statements = [
        "INSERT INTO point_account (household_id, site_id, balance, updated_at) \
         SELECT household_id, $2, SUM(COALESCE(points, 0)), $1 FROM point_claim \
         WHERE id IN (SELECT unhex(json_extract(value, '$[0]')) FROM json_each($3)) \
         GROUP BY household_id \
         ON CONFLICT (household_id) DO UPDATE \
           SET balance = balance + excluded.balance, updated_at = excluded.updated_at",
        "INSERT INTO point_entry (id, household_id, site_id, kind, amount, balance_after, \
           shortfall, reference_type, reference_id, reason, actor_account_id, created_at) \
         SELECT n.entry_id, n.household_id, $2, 'credit', n.points, \
           a.balance - COALESCE(SUM(n.points) OVER (PARTITION BY n.household_id \
             ORDER BY n.entry_id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0), \
           0, 'claim', n.id, n.description, NULL, $1 \
         FROM (SELECT c.id, c.household_id, COALESCE(c.points, 0) AS points, c.description, \
                 unhex(json_extract(j.value, '$[1]')) AS entry_id \
               FROM json_each($3) j \
               JOIN point_claim c ON c.id = unhex(json_extract(j.value, '$[0]'))) n \
         JOIN point_account a ON a.household_id = n.household_id",
        "INSERT INTO point_claim_step (id, claim_id, from_status, to_status, actor_account_id, \
           actor_role, reason, created_at) \
         SELECT unhex(json_extract(value, '$[1]')), unhex(json_extract(value, '$[0]')), \
           'publicized', 'credited', NULL, 'system', NULL, $1 FROM json_each($3)",
    ];
    for sql in statements {
        db.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            sql,
            [now.into(), site_id.into(), pairs.clone().into()],
        ))
        .await?;
    }
    Ok(claims.len() as u64)
}

/// PostgreSQL: the whole credit run as one statement. The guarded update of the due claims feeds,
/// in data-modifying CTEs, the balance upsert (one row per household), the ledger entries and the
/// steps, all generated inside the database instead of sent as rows. Entry ids come from
/// `anju_uuid_v7()`; each entry's `balance_after` is computed in the order of those ids, so a
/// household's history reads forwards whatever order they were drawn in.
async fn credit_due_at_site_in_one_statement<C: ConnectionTrait>(
    db: &C,
    site_id: Uuid,
    now: chrono::DateTime<Utc>,
) -> Result<u64, DomainError> {
    const SQL: &str = "\
        WITH due AS ( \
          UPDATE point_claim SET status = 'credited', updated_at = $1 \
          WHERE site_id = $2 AND status = 'publicized' AND publicity_ends_at <= $1 \
            AND id NOT IN (SELECT claim_id FROM point_objection \
                           WHERE site_id = $2 AND status IN ('pending', 'upheld')) \
          RETURNING id, household_id, COALESCE(points, 0) AS points, description), \
        sums AS (SELECT household_id, SUM(points)::int AS total FROM due GROUP BY household_id), \
        acc AS ( \
          INSERT INTO point_account (household_id, site_id, balance, updated_at) \
          SELECT household_id, $2, total, $1 FROM sums \
          ON CONFLICT (household_id) DO UPDATE \
            SET balance = point_account.balance + excluded.balance, updated_at = excluded.updated_at \
          RETURNING household_id, balance), \
        numbered AS MATERIALIZED ( \
          SELECT due.*, anju_uuid_v7() AS entry_id FROM due), \
        entries AS ( \
          INSERT INTO point_entry (id, household_id, site_id, kind, amount, balance_after, \
            shortfall, reference_type, reference_id, reason, actor_account_id, created_at) \
          SELECT n.entry_id, n.household_id, $2, 'credit', n.points, \
            acc.balance - COALESCE(SUM(n.points) OVER (PARTITION BY n.household_id \
              ORDER BY n.entry_id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0), \
            0, 'claim', n.id, n.description, NULL, $1 \
          FROM numbered n JOIN acc USING (household_id)), \
        steps AS ( \
          INSERT INTO point_claim_step (id, claim_id, from_status, to_status, actor_account_id, \
            actor_role, reason, created_at) \
          SELECT n.entry_id, n.id, 'publicized', 'credited', NULL, 'system', NULL, $1 \
          FROM numbered n) \
        SELECT COUNT(*) AS credited FROM due";
    // The planner cannot estimate the rows of data-modifying CTEs and picks a nested loop for
    // the entries' join with the new balances (quadratic in the households credited); a hash
    // join is what this statement needs, for this statement only.
    db.execute_unprepared("SET LOCAL enable_nestloop = off")
        .await?;
    let row = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            SQL,
            [now.into(), site_id.into()],
        ))
        .await?;
    db.execute_unprepared("SET LOCAL enable_nestloop TO DEFAULT")
        .await?;
    let credited: i64 = match row {
        Some(r) => r.try_get("", "credited")?,
        None => 0,
    };
    Ok(u64::try_from(credited).unwrap_or(0))
}
