//! `api --demo`: a synthetic community shaped like Xingxianli (same counts: 3 committees, 30
//! groups, 83 buildings, 2,749 households, 11,212 residents) and one demo login for each role,
//! printed at start. Everything is synthetic: ID numbers are in the fake region 9901xx, residents'
//! phones in 19900xxxxxx and the staff logins in 19901xxxxxx. 199 is a real mobile prefix, so the
//! demo must never be connected to a real SMS provider.
//!
//! Beside the registry, [`scenes`] loads what the console's screens show: employers, postings in
//! all six channels, activities, the store, a call for claims with claims at every step.

use anyhow::Context;
use entity::{
    identity::{
        accounts::{self, NewAccount},
        password::Password,
    },
    kernel::Role,
    kernel::{Actor, Scope},
    people::{Phone, synthetic},
    registry::{
        import::import_rows,
        ops::{self, NewSite},
        resident, resident_group, site,
    },
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{routes::residents::today, startup::AppState};

mod scenes;

/// The demo site's code.
pub const SITE_CODE: &str = "xingxianli-demo";
/// The seed of the synthetic community.
pub const SEED: u64 = 2026;
/// The password of every demo account.
pub const PASSWORD: &str = "anju-demo-2026";

/// One demo login.
pub struct DemoLogin {
    /// The role.
    pub role: &'static str,
    /// The phone to log in with.
    pub phone: String,
    /// Who it is.
    pub note: String,
}

/// Loads the community (once) and makes sure every demo account exists.
pub async fn load(state: &AppState) -> anyhow::Result<Vec<DemoLogin>> {
    let admin_phone = Phone::parse("19901000001")?;
    let admin = ensure_account(state, &admin_phone, Role::PlatformAdmin, None, None).await?;
    let actor = Actor {
        account_id: admin,
        role: Role::PlatformAdmin,
        scope: Scope::All,
        household_id: None,
    };
    let site = match site::Entity::find()
        .filter(site::Column::Code.eq(SITE_CODE))
        .one(state.db.conn())
        .await?
    {
        Some(site) => site,
        None => {
            let txn = state.db.begin().await?;
            let site = ops::create_site(
                &txn,
                &actor,
                NewSite {
                    name: "兴贤里社区（演示）".into(),
                    code: SITE_CODE.into(),
                    region: "河南省三门峡市卢氏县".into(),
                },
            )
            .await?;
            let rows = synthetic::generate(SEED, today());
            let started = std::time::Instant::now();
            let report = import_rows(&txn, &actor, &state.pii, site.id, &rows)
                .await
                .map_err(|e| anyhow::anyhow!("importing the synthetic community: {e}"))?;
            txn.commit().await?;
            tracing::info!(
                residents = report.residents_created,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "demo community loaded"
            );
            site
        }
    };

    // The leader of the first group is the head of its first household.
    let group = resident_group::Entity::find()
        .filter(resident_group::Column::SiteId.eq(site.id))
        .order_by_asc(resident_group::Column::Id)
        .one(state.db.conn())
        .await?
        .context("the demo site has no groups")?;
    let adults = resident::Entity::find()
        .filter(resident::Column::GroupId.eq(group.id))
        .filter(resident::Column::Phone.is_not_null())
        .order_by_asc(resident::Column::Id)
        .all(state.db.conn())
        .await?;
    let [leader, member, ..] = adults.as_slice() else {
        anyhow::bail!("the demo group has too few adults with phones");
    };
    if group.leader_resident_id.is_none() {
        let txn = state.db.begin().await?;
        ops::appoint_leader(&txn, &actor, group.id, leader.id).await?;
        txn.commit().await?;
    }
    let leader_account = ensure_account(
        state,
        &Phone::parse(leader.phone.as_deref().unwrap_or_default())?,
        Role::Resident,
        Some(site.id),
        Some(leader.id),
    )
    .await?;
    let has_store = entity::points::item::Entity::find()
        .filter(entity::points::item::Column::SiteId.eq(site.id))
        .one(state.db.conn())
        .await?
        .is_some();
    if !has_store {
        let started = std::time::Instant::now();
        scenes::load(
            state,
            scenes::Cast {
                admin: &actor,
                site_id: site.id,
                group_id: group.id,
                leader,
                leader_account,
            },
        )
        .await
        .context("loading the demo's employers, jobs, activities, store and claims")?;
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "demo scenes loaded"
        );
    }
    let mut logins = vec![DemoLogin {
        role: "platform_admin",
        phone: admin_phone.as_str().into(),
        note: "creates sites and administrators".into(),
    }];
    for (phone, role, note) in [
        (
            "19901000002",
            Role::SiteAdmin,
            "site administrator of the demo site",
        ),
        (
            "19901000003",
            Role::Staff,
            "service-centre staff of the demo site",
        ),
    ] {
        let phone = Phone::parse(phone)?;
        ensure_account(state, &phone, role, Some(site.id), None).await?;
        logins.push(DemoLogin {
            role: role.as_str(),
            phone: phone.as_str().into(),
            note: note.into(),
        });
    }
    for (resident, role, note) in [
        (
            leader,
            "group_leader",
            format!("{} leads {}", leader.name, group.name),
        ),
        (
            member,
            "resident",
            format!("{}, a resident of {}", member.name, group.name),
        ),
    ] {
        let phone = Phone::parse(resident.phone.as_deref().unwrap_or_default())?;
        ensure_account(
            state,
            &phone,
            Role::Resident,
            Some(site.id),
            Some(resident.id),
        )
        .await?;
        logins.push(DemoLogin {
            role,
            phone: phone.as_str().into(),
            note,
        });
    }
    logins.push(DemoLogin {
        role: "employer",
        phone: scenes::EMPLOYER_LOGIN.into(),
        note: "a verified employer with published postings".into(),
    });
    Ok(logins)
}

async fn ensure_account(
    state: &AppState,
    phone: &Phone,
    role: Role,
    site_id: Option<Uuid>,
    resident_id: Option<Uuid>,
) -> anyhow::Result<Uuid> {
    if let Some(existing) = accounts::find_by_phone(state.db.conn(), phone).await? {
        return Ok(existing.id);
    }
    let password_hash = password_hash(state, phone).await?;
    let account = accounts::create(
        state.db.writer(),
        NewAccount {
            phone: phone.clone(),
            password_hash,
            role,
            site_id,
            resident_id,
        },
    )
    .await?;
    Ok(account.id)
}

/// The stored hash of the demo password for `phone`'s account.
async fn password_hash(state: &AppState, phone: &Phone) -> anyhow::Result<String> {
    let password = Password::parse(PASSWORD, Some(phone.as_str()))
        .map_err(|rule| anyhow::anyhow!("demo password {rule}"))?;
    state
        .passwords
        .hash(password)
        .await
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))
}
