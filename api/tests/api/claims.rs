use entity::claims;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    both_backends,
    helpers::*,
    world::{World, created},
};

async fn step(
    app: &TestApp,
    token: &str,
    claim: &str,
    action: &str,
    body: Value,
) -> reqwest::Response {
    app.post_as(
        token,
        &format!("/api/v1/points/claims/{claim}/{action}"),
        &body,
    )
    .await
}

/// Moves the clock past a claim's publicity window: the window's end and the credit task's time
/// are set to just now (the scheduler then runs the task as it would three days later).
pub(crate) async fn close_window(app: &TestApp, claim: &str) {
    let past = (chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339();
    let (claim_id, task_run_at) = match app.db.conn().get_database_backend() {
        sea_orm::DbBackend::Postgres => (format!("'{claim}'"), format!("'{past}'")),
        _ => (
            format!("X'{}'", claim.replace('-', "")),
            format!("'{past}'"),
        ),
    };
    app.db
        .writer()
        .execute_unprepared(&format!(
            "UPDATE point_claim SET publicity_ends_at = {task_run_at} WHERE id = {claim_id}"
        ))
        .await
        .unwrap();
    app.db.writer().execute_unprepared(&format!("UPDATE scheduled_task SET run_at = {task_run_at} WHERE kind = 'points.credit' AND state = 'pending'")).await.unwrap();
}

pub(crate) async fn balance(app: &TestApp, token: &str) -> i64 {
    let account: Value = app
        .get_as(token, "/api/v1/me/points")
        .await
        .json()
        .await
        .unwrap();
    account["balance"].as_i64().unwrap()
}

both_backends! {
    async fn seven_steps_from_a_call_to_the_store(app) {
        let w = World::build(&app).await;
        // 1. 通知: staff publish a call for environment claims.
        let campaign = created(app.post_as(&w.staff_a, "/api/v1/points/campaigns", &json!({
            "category": "environment", "title": "楼道环境整治", "rules": "清理楼道杂物、义务打扫，经核实每次计 5 分。",
            "period_start": "2026-11-01", "period_end": "2026-12-31"
        })).await).await;
        problem(app.post_as(&w.resident_2, "/api/v1/points/campaigns", &json!({
            "category": "environment", "title": "x", "rules": "x", "period_start": "2026-11-01", "period_end": "2026-12-31"
        })).await, 403, "forbidden").await;
        eventually("R2 hears of the call", 10, || async {
            let inbox: Value = app.get_as(&w.resident_2, "/api/v1/me/notifications").await.json().await.unwrap();
            inbox["items"].as_array().unwrap().iter().any(|n| n["title"] == "积分申报通知")
        })
        .await;
        // Residents find the call in the list of calls; other sites' staff do not.
        let calls: Value = app.get_as(&w.resident_2, "/api/v1/points/campaigns").await.json().await.unwrap();
        assert_eq!(calls["items"][0]["id"], campaign["id"]);
        let answering = format!("/api/v1/points/claims?campaign_id={}", campaign["id"].as_str().unwrap());
        let elsewhere: Value = app.get_as(&w.staff_b, "/api/v1/points/campaigns").await.json().await.unwrap();
        assert_eq!(elsewhere["items"].as_array().unwrap().len(), 0);
        // 2. 申请: R2 for itself, the leader for R1 (elderly); other sites' staff cannot.
        let body = |resident: Option<&str>| {
            let mut b = json!({"category": "environment", "description": "清理3号楼楼道杂物", "campaign_id": campaign["id"]});
            if let Some(r) = resident { b["resident_id"] = json!(r); }
            b
        };
        let r2 = created(app.post_as(&w.resident_2, "/api/v1/points/claims", &body(None)).await).await;
        let r1 = created(app.post_as(&w.leader, "/api/v1/points/claims", &body(Some(&w.resident_1_id))).await).await;
        assert_eq!(r1["on_behalf"], true);
        problem(app.post_as(&w.staff_b, "/api/v1/points/claims", &body(Some(&w.resident_2_id))).await, 404, "not_found").await;
        problem(app.post_as(&w.resident_2, "/api/v1/points/claims", &body(Some(&w.resident_1_id))).await, 404, "not_found").await;
        let (r1, r2) = (r1["id"].as_str().unwrap().to_owned(), r2["id"].as_str().unwrap().to_owned());
        // The call's claims, by the call; a claim answering no call is not among them.
        created(app.post_as(&w.resident_2, "/api/v1/points/claims", &json!({"category": "civility", "description": "帮邻居搬家"})).await).await;
        let of_call: Value = app.get_as(&w.staff_a, &answering).await.json().await.unwrap();
        let mut ids: Vec<&str> = of_call["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        ids.sort_unstable();
        let mut expected = vec![r1.as_str(), r2.as_str()];
        expected.sort_unstable();
        assert_eq!(ids, expected);
        // 3. 认定: the leader filed R1's claim (and lives in R1's household), so staff verify it,
        // within the range; staff verify R2's.
        problem(step(&app, &w.leader, &r1, "verify", json!({"points": 5})).await, 409, "own_claim").await;
        let p = problem(step(&app, &w.staff_a, &r1, "verify", json!({"points": 50})).await, 422, "validation_failed").await;
        assert!(p["errors"]["points"].as_str().unwrap().contains("1–10"), "{p}");
        assert_eq!(step(&app, &w.staff_a, &r1, "verify", json!({"points": 5})).await.status(), 200);
        problem(step(&app, &w.leader, &r2, "verify", json!({})).await, 404, "not_found").await;
        assert_eq!(step(&app, &w.staff_a, &r2, "verify", json!({"points": 8})).await.status(), 200);
        // 4. 登记 and 5. 公示, by staff only, in order only.
        problem(step(&app, &w.staff_a, &r2, "publicize", json!({})).await, 409, "illegal_transition").await;
        problem(step(&app, &w.leader, &r1, "register", json!({})).await, 403, "forbidden").await;
        for claim in [&r1, &r2] {
            assert_eq!(step(&app, &w.staff_a, claim, "register", json!({})).await.status(), 200);
            let posted: Value = step(&app, &w.staff_a, claim, "publicize", json!({})).await.json().await.unwrap();
            assert!(posted["publicity_ends_at"].is_string());
        }
        problem(step(&app, &w.staff_a, &r1, "credit", json!({})).await, 409, "publicity_open").await;
        // The group's notice board sheet lists what is posted, in Chinese, ready for A4.
        let sheet = app.get_as(&w.leader, &format!("/api/v1/reports/points/publicity/{}", w.group_1)).await;
        assert_eq!(sheet.status(), 200);
        assert!(sheet.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = sheet.text().await.unwrap();
        assert!(html.contains("李奶奶") && html.contains("争当环境爱护者") && html.contains("size: A4"), "{html}");
        assert!(!html.contains("王小二"), "group 2's claim is not on group 1's sheet");
        problem(app.get_as(&w.leader, &format!("/api/v1/reports/points/publicity/{}", w.group_2)).await, 404, "not_found").await;
        problem(app.get_as(&w.resident_2, &format!("/api/v1/reports/points/publicity/{}", w.group_2)).await, 403, "forbidden").await;
        // Any resident of the site may object; staff may not credit while it is pending.
        let objection = created(app.post_as(&w.resident_1, &format!("/api/v1/points/claims/{r2}/objections"), &json!({"reason": "当天打扫的是物业人员"})).await).await;
        problem(app.post_as(&w.resident_b, &format!("/api/v1/points/claims/{r2}/objections"), &json!({"reason": "x"})).await, 404, "not_found").await;
        // Staff find it in the queue, without the objector's name; residents have no queue.
        let queue: Value = app.get_as(&w.staff_a, "/api/v1/points/objections?status=pending").await.json().await.unwrap();
        assert_eq!(queue["items"].as_array().unwrap().len(), 1, "{queue}");
        assert_eq!(queue["items"][0]["claim_id"], r2.as_str());
        assert!(queue["items"][0].get("resident_id").is_none());
        problem(app.get_as(&w.resident_2, "/api/v1/points/objections").await, 403, "forbidden").await;
        problem(app.get_as(&w.staff_a, "/api/v1/points/objections?status=maybe").await, 400, "invalid_query").await;
        // 6. 充值: when the window closes, the scheduler credits R1's household, not R2's.
        close_window(&app, &r1).await;
        close_window(&app, &r2).await;
        eventually("R1's household credited on time", 15, || async { balance(&app, &w.resident_1).await == 5 }).await;
        eventually("R1 hears the points arrived", 15, || async {
            crate::world::inbox(&app, &w.resident_1).await.iter().any(|n| n["title"] == "积分到账" && n["body"].as_str().unwrap_or_default().contains("5 分"))
        })
        .await;
        problem(step(&app, &w.staff_a, &r2, "credit", json!({})).await, 409, "objection_pending").await;
        assert_eq!(balance(&app, &w.resident_2).await, 0);
        // Staff dismiss the objection: R2's claim is credited at once.
        let dismissed: Value = app.post_as(&w.staff_a, &format!("/api/v1/points/objections/{}/dismiss", objection["id"].as_str().unwrap()), &json!({})).await.json().await.unwrap();
        assert_eq!(dismissed["status"], "dismissed");
        let queue: Value = app.get_as(&w.staff_a, "/api/v1/points/objections?status=pending").await.json().await.unwrap();
        assert_eq!(queue["items"].as_array().unwrap().len(), 0);
        assert_eq!(balance(&app, &w.resident_2).await, 8);
        // A redelivered credit changes nothing.
        let again = claims::credit_due(app.db.conn(), Uuid::parse_str(&r2).unwrap()).await.unwrap();
        assert!(!again);
        assert_eq!(balance(&app, &w.resident_2).await, 8);
        // Every step is on record, with its actor.
        let full: Value = app.get_as(&w.resident_2, &format!("/api/v1/points/claims/{r2}")).await.json().await.unwrap();
        let steps: Vec<&str> = full["steps"].as_array().unwrap().iter().map(|s| s["to"].as_str().unwrap()).collect();
        assert_eq!(steps, ["applied", "verified", "registered", "publicized", "credited"]);
        let r1_steps: Value = app.get_as(&w.staff_a, &format!("/api/v1/points/claims/{r1}")).await.json().await.unwrap();
        assert_eq!(r1_steps["steps"][4]["actor_role"], "system");
        problem(app.get_as(&w.resident_2, &format!("/api/v1/points/claims/{r1}")).await, 404, "not_found").await;
        // An objection upheld after crediting reverses the points with a new entry.
        let late = created(app.post_as(&w.resident_2, &format!("/api/v1/points/claims/{r1}/objections"), &json!({"reason": "重复申报"})).await).await;
        let upheld: Value = app.post_as(&w.staff_a, &format!("/api/v1/points/objections/{}/uphold", late["id"].as_str().unwrap()), &json!({})).await.json().await.unwrap();
        assert_eq!(upheld["status"], "upheld");
        assert_eq!(balance(&app, &w.resident_1).await, 0);
        let r1_now: Value = app.get_as(&w.leader, &format!("/api/v1/points/claims/{r1}")).await.json().await.unwrap();
        assert_eq!(r1_now["status"], "rejected");
        assert_eq!(r1_now["status_reason"], "重复申报");
        let account: Value = app.get_as(&w.resident_1, "/api/v1/me/points").await.json().await.unwrap();
        let kinds: Vec<&str> = account["entries"]["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["correction", "credit"]);
        // The report: one of the site's two households has a credited claim.
        let report: Value = app.get_as(&w.staff_a, "/api/v1/reports/points").await.json().await.unwrap();
        assert_eq!(report["households"], 2);
        assert_eq!(report["participating_households"], 1);
        assert_eq!(report["participation_rate"], 0.5);
        let env = report["by_category"].as_array().unwrap().iter().find(|c| c["category"] == "environment").unwrap().clone();
        assert_eq!((env["claims"].as_u64(), env["points"].as_i64()), (Some(1), Some(8)));
        problem(app.get_as(&w.resident_2, "/api/v1/reports/points").await, 403, "forbidden").await;
        // 7. 兑换: R2 spends its points at the store.
        let item = created(app.post_as(&w.staff_a, "/api/v1/store/items", &json!({"name": "毛巾", "price": 8, "stock": 3})).await).await;
        assert_eq!(app.post_as(&w.resident_2, "/api/v1/store/redemptions", &json!({"item_id": item["id"]})).await.status(), 201);
        assert_eq!(balance(&app, &w.resident_2).await, 0);
        // Rejection needs a reason; a credited claim cannot be rejected by a step.
        problem(step(&app, &w.staff_a, &r2, "reject", json!({"reason": "x"})).await, 409, "illegal_transition").await;
    }
}

both_backends! {
    async fn a_campaign_is_credited_in_one_run_with_every_balance_right(app) {
        let w = World::build(&app).await;
        let mut ids = Vec::new();
        for (token, resident, points) in [
            (&w.resident_2, None, 3),
            (&w.resident_2, None, 4),
            (&w.resident_2, None, 5),
            (&w.leader, Some(w.resident_1_id.clone()), 6),
        ] {
            let mut body = json!({"category": "public_welfare", "description": "义务巡逻"});
            if let Some(r) = resident { body["resident_id"] = json!(r); }
            let c = created(app.post_as(token, "/api/v1/points/claims", &body).await).await;
            let id = c["id"].as_str().unwrap().to_owned();
            assert_eq!(step(&app, &w.staff_a, &id, "verify", json!({"points": points})).await.status(), 200);
            assert_eq!(step(&app, &w.staff_a, &id, "register", json!({})).await.status(), 200);
            assert_eq!(step(&app, &w.staff_a, &id, "publicize", json!({})).await.status(), 200);
            ids.push(id);
        }
        for id in &ids {
            close_window(&app, id).await;
        }
        eventually("all four credited", 15, || async {
            balance(&app, &w.resident_2).await == 12 && balance(&app, &w.resident_1).await == 6
        })
        .await;
        // Nothing is credited twice, whichever task or worker comes next.
        let txn = app.db.begin().await.unwrap();
        let again = claims::credit_due_at_site(&txn, Uuid::parse_str(&w.site_a).unwrap()).await.unwrap();
        txn.commit().await.unwrap();
        assert_eq!(again, 0);
        // Each entry's balance_after follows from the one before.
        let account: Value = app.get_as(&w.resident_2, "/api/v1/me/points").await.json().await.unwrap();
        let mut entries: Vec<Value> = account["entries"]["items"].as_array().unwrap().clone();
        entries.reverse();
        let mut running = 0;
        for e in &entries {
            running += e["amount"].as_i64().unwrap();
            assert_eq!(e["balance_after"].as_i64().unwrap(), running, "{entries:?}");
        }
        assert_eq!(running, 12);
    }
}

/// One part of a form: name, declared content type, bytes.
pub(crate) type Part<'a> = (&'a str, &'a str, &'a [u8]);

/// A `multipart/form-data` body as a phone sends it.
pub(crate) fn form(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "----anju-test-7d1c0a";
    let mut body = Vec::new();
    for (i, (name, content_type, bytes)) in parts.iter().enumerate() {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let filename = if *name == "photo" {
            format!("; filename=\"IMG_{i}.jpg\"")
        } else {
            String::new()
        };
        body.extend_from_slice(
            format!("Content-Disposition: form-data; name=\"{name}\"{filename}\r\nContent-Type: {content_type}\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A well-formed JPEG of `len` bytes (JFIF, a quantisation table, a frame, a scan), whose
/// scan data is filler.
pub(crate) fn jpeg(len: usize) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8];
    b.extend_from_slice(&[
        0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ]);
    b.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00]);
    b.extend((0..64).map(|i| (i % 50 + 1) as u8));
    b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 8, 0, 2, 0, 2, 1, 1, 0x11, 0]);
    b.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0]);
    let head = b.len();
    b.extend((0..len.saturating_sub(head + 2)).map(|i| (i % 251) as u8));
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

/// A phone's photo: [`jpeg`] with an EXIF block that holds the orientation and where it was
/// taken (GPS latitude and longitude of Lushi County).
pub(crate) fn jpeg_with_gps(len: usize) -> Vec<u8> {
    let plain = jpeg(len);
    let mut tiff = b"II\x2A\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]); // Orientation = 6
    tiff.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 38, 0, 0, 0]); // GPS directory at 38
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&[0x01, 0, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]); // GPSLatitudeRef
    tiff.extend_from_slice(&[0x03, 0, 2, 0, 2, 0, 0, 0, b'E', 0, 0, 0]); // GPSLongitudeRef
    tiff.extend_from_slice(b"GPS 34.0537N 111.0473E");
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&tiff);
    let mut b = plain[..20].to_vec(); // SOI and JFIF
    b.extend_from_slice(&[0xFF, 0xE1]);
    b.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
    b.extend_from_slice(&exif);
    b.extend_from_slice(&plain[20..]);
    b
}

pub(crate) fn png() -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    b.extend_from_slice(b"IHDR");
    b.extend_from_slice(&[
        0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0, 0x12, 0x34, 0x56, 0x78,
    ]);
    b.extend_from_slice(&[0, 0, 0, 0]);
    b.extend_from_slice(b"IEND");
    b.extend_from_slice(&[0xAE, 0x42, 0x60, 0x82]);
    b
}

pub(crate) async fn send_form(app: &TestApp, token: &str, parts: &[Part<'_>]) -> reqwest::Response {
    let (content_type, body) = form(parts);
    app.client
        .post(app.url("/api/v1/points/claims"))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Every object the store holds, as paths under its directory.
pub(crate) fn stored_objects(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out)
            } else {
                out.push(path)
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.data_dir().join("objects"), &mut out);
    out
}

both_backends! {
    async fn claims_carry_photos_that_only_those_who_see_the_claim_see(app) {
        let w = World::build(&app).await;
        let claim = json!({"category": "environment", "description": "清理3号楼楼道杂物"}).to_string();
        let (photo_1, photo_2) = (jpeg(300_000), png());
        let response = send_form(&app, &w.resident_1, &[
            ("claim", "application/json", claim.as_bytes()),
            // The declared type is ignored: the content decides.
            ("photo", "application/octet-stream", &photo_1),
            ("photo", "image/jpeg", &photo_2),
        ]).await;
        let c = created(response).await;
        let photos = c["photos"].as_array().unwrap();
        assert_eq!(photos.len(), 2);
        assert_eq!(photos[0]["content_type"], "image/jpeg");
        assert_eq!(photos[1]["content_type"], "image/png");
        assert_eq!(photos[0]["size_bytes"], photo_1.len());
        let href = photos[0]["href"].as_str().unwrap().to_owned();
        // The resident, its group leader and staff of the site get the same bytes back.
        for token in [&w.resident_1, &w.leader, &w.staff_a] {
            let r = app.get_as(token, &href).await;
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["content-type"], "image/jpeg");
            assert_eq!(r.headers()["x-content-type-options"], "nosniff");
            assert_eq!(r.bytes().await.unwrap().as_ref(), photo_1.as_slice());
        }
        let second = app.get_as(&w.staff_a, photos[1]["href"].as_str().unwrap()).await;
        assert_eq!(second.bytes().await.unwrap().as_ref(), photo_2.as_slice());
        // Another household and another site's staff cannot: 404, as for the claim itself.
        for token in [&w.resident_2, &w.staff_b, &w.resident_b] {
            problem(app.get_as(token, &href).await, 404, "not_found").await;
        }
        let id = c["id"].as_str().unwrap();
        problem(app.get_as(&w.resident_1, &format!("/api/v1/points/claims/{id}/photos/3")).await, 404, "not_found").await;
        let full: Value = app.get_as(&w.staff_a, &format!("/api/v1/points/claims/{id}")).await.json().await.unwrap();
        assert_eq!(full["photos"].as_array().unwrap().len(), 2);
        assert_eq!(stored_objects(&app).len(), 2);
        // JSON without photos still works.
        let plain = created(app.post_as(&w.resident_2, "/api/v1/points/claims", &json!({"category": "civility", "description": "拾金不昧"})).await).await;
        assert_eq!(plain["photos"].as_array().unwrap().len(), 0);
    }

    async fn nobody_approves_their_own_households_claim(app) {
        let w = World::build(&app).await;
        let body = json!({"category": "environment", "description": "清扫单元门口"});
        // R1 applies for itself; its group leader lives in the same household.
        let r1 = created(app.post_as(&w.resident_1, "/api/v1/points/claims", &body).await).await;
        let r1 = r1["id"].as_str().unwrap().to_owned();
        problem(step(&app, &w.leader, &r1, "verify", json!({"points": 5})).await, 409, "own_household_claim").await;
        // A staff member who lives in household 2 (their account is linked to their record).
        let card = crate::world::id_card(51, (1985, 5, 5), false);
        let me = created(app.post_as(&w.staff_a, "/api/v1/residents", &json!({"household_id": w.household_2, "name": "社工小陈", "id_card_number": card.expose()})).await).await;
        created(app.post_as(&w.admin, "/api/v1/accounts", &json!({"phone": "13900000051", "password": crate::world::PASSWORD, "role": "staff", "site_id": w.site_a, "resident_id": me["id"]})).await).await;
        let neighbour = app.login("13900000051", crate::world::PASSWORD).await["access_token"].as_str().unwrap().to_owned();
        let r2 = created(app.post_as(&w.resident_2, "/api/v1/points/claims", &body).await).await;
        let r2 = r2["id"].as_str().unwrap().to_owned();
        problem(step(&app, &neighbour, &r2, "verify", json!({"points": 5})).await, 409, "own_household_claim").await;
        assert_eq!(step(&app, &w.staff_a, &r2, "verify", json!({"points": 5})).await.status(), 200);
        problem(step(&app, &neighbour, &r2, "register", json!({})).await, 409, "own_household_claim").await;
        assert_eq!(step(&app, &w.staff_a, &r2, "register", json!({})).await.status(), 200);
        // Other households' claims are theirs to handle.
        assert_eq!(step(&app, &neighbour, &r1, "verify", json!({"points": 5})).await.status(), 200);
        // A staff account links only to a resident of its own site.
        problem(app.post_as(&w.admin, "/api/v1/accounts", &json!({"phone": "13900000052", "password": crate::world::PASSWORD, "role": "staff", "site_id": w.site_a, "resident_id": w.resident_b_id})).await, 422, "validation_failed").await;
    }

    async fn a_stored_photo_carries_no_exif(app) {
        let w = World::build(&app).await;
        let claim = json!({"category": "environment", "description": "门前三包"}).to_string();
        let photo = jpeg_with_gps(50_000);
        let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|win| win == needle);
        assert!(contains(&photo, b"GPS 34.0537N"));
        let c = created(send_form(&app, &w.resident_1, &[("claim", "application/json", claim.as_bytes()), ("photo", "image/jpeg", &photo)]).await).await;
        let served = app.get_as(&w.staff_a, c["photos"][0]["href"].as_str().unwrap()).await.bytes().await.unwrap();
        let stored = std::fs::read(&stored_objects(&app)[0]).unwrap();
        for bytes in [served.as_ref(), stored.as_slice()] {
            assert!(!contains(bytes, b"GPS 34.0537N"), "the position is gone");
            assert!(!contains(bytes, &[0x25, 0x88]), "no GPS directory tag");
            // The picture itself is the same bytes, and it still displays upright: a minimal EXIF
            // with the orientation alone.
            assert!(bytes.ends_with(&photo[photo.len() - 40_000..]));
            let exif = bytes.windows(6).position(|win| win == b"Exif\0\0").unwrap();
            assert_eq!(&bytes[exif + 6..exif + 8], b"MM");
            assert_eq!(&bytes[exif + 16..exif + 18], [0x01, 0x12], "the one tag is Orientation");
            assert_eq!(&bytes[exif + 24..exif + 26], [0, 6], "orientation 6 kept");
        }
        assert_eq!(c["photos"][0]["size_bytes"], served.len());
    }

    async fn photos_are_checked_before_anything_is_kept(app) {
        let w = World::build(&app).await;
        let claim = json!({"category": "environment", "description": "清理楼道"}).to_string();
        let claim = claim.as_bytes();
        let gif: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04";
        let html: &[u8] = b"<html><script>alert(1)</script></html>";
        let small = jpeg(1000);
        let cases: Vec<(Vec<Part<'_>>, &str)> = vec![
            (vec![("claim", "application/json", claim), ("photo", "image/jpeg", gif)], "photos[0]"),
            (vec![("claim", "application/json", claim), ("photo", "image/jpeg", &small), ("photo", "image/png", html)], "photos[1]"),
            (vec![("claim", "application/json", claim), ("photo", "image/jpeg", &small), ("photo", "image/jpeg", &small), ("photo", "image/jpeg", &small), ("photo", "image/jpeg", &small)], "photos"),
            (vec![("photo", "image/jpeg", &small)], "claim"),
            (vec![("claim", "application/json", br#"{"category": "gardening", "description": "x"}"#)], "claim.category"),
            (vec![("claim", "application/json", claim), ("video", "video/mp4", &small)], "video"),
        ];
        for (parts, field) in cases {
            let body = problem(send_form(&app, &w.resident_2, &parts).await, 422, "validation_failed").await;
            assert!(body["errors"].get(field).is_some(), "{field}: {body}");
        }
        // One byte over 2 MiB is refused by name; three full photos are accepted.
        let big = jpeg(2 * 1024 * 1024 + 1);
        let body = problem(send_form(&app, &w.resident_2, &[("claim", "application/json", claim), ("photo", "image/jpeg", &big)]).await, 422, "validation_failed").await;
        assert!(body["errors"]["photos[0]"].as_str().unwrap().contains("2 MiB"), "{body}");
        // Photos of a claim that is then refused (a resident out of reach) are not kept.
        let foreign = json!({"category": "environment", "description": "x", "resident_id": w.resident_b_id}).to_string();
        problem(send_form(&app, &w.leader, &[("claim", "application/json", foreign.as_bytes()), ("photo", "image/jpeg", &small)]).await, 404, "not_found").await;
        // Neither JSON nor a form; a form that does not parse.
        let r = app.client.post(app.url("/api/v1/points/claims")).bearer_auth(&w.resident_2).header("content-type", "text/plain").body("hi").send().await.unwrap();
        problem(r, 415, "unsupported_media_type").await;
        let r = app.client.post(app.url("/api/v1/points/claims")).bearer_auth(&w.resident_2).header("content-type", "multipart/form-data; boundary=x").body("not a form").send().await.unwrap();
        problem(r, 400, "malformed_body").await;
        assert!(stored_objects(&app).is_empty(), "{:?}", stored_objects(&app));
        let claims: Value = app.get_as(&w.staff_a, "/api/v1/points/claims").await.json().await.unwrap();
        assert_eq!(claims["items"].as_array().unwrap().len(), 0);
        let full = jpeg(2 * 1024 * 1024);
        let c = created(send_form(&app, &w.resident_2, &[("claim", "application/json", claim), ("photo", "image/jpeg", &full), ("photo", "image/jpeg", &full), ("photo", "image/jpeg", &full)]).await).await;
        assert_eq!(c["photos"].as_array().unwrap().len(), 3);
        assert_eq!(stored_objects(&app).len(), 3);
    }
}

/// A local S3 server (moto, from PyPI), which speaks S3's real protocol; killed on drop.
struct S3Server {
    child: std::process::Child,
    endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn s3_server() -> Option<S3Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(child) = child else {
        let message =
            "moto_server is not installed (pip install 'moto[s3,server]'): the S3 test is SKIPPED";
        assert!(
            std::env::var("ANJU_REQUIRE_SERVICES").as_deref() != Ok("1"),
            "{message}, but ANJU_REQUIRE_SERVICES=1"
        );
        eprintln!("\n!!!!!!!! {message} !!!!!!!!\n");
        return None;
    };
    let server = S3Server {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..100 {
        // Creating the bucket is also the readiness check.
        if let Ok(r) = client
            .put(format!("{}/anju-photos", server.endpoint))
            .send()
            .await
            && r.status().is_success()
        {
            return Some(server);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("moto_server did not answer on {}", server.endpoint);
}

/// Photos go to an S3-compatible store when one is configured, and come back from it.
#[tokio::test]
async fn photos_live_in_an_s3_compatible_store() {
    let Some(s3) = s3_server().await else { return };
    let endpoint = s3.endpoint.clone();
    let app = spawn_app_configured(
        Backend::Sqlite,
        |_| {},
        move |s| {
            s.object_store_url = Some("s3://anju-photos/claims-test".into());
            s.object_store_options = [
                ("endpoint", endpoint.as_str()),
                ("allow_http", "true"),
                ("region", "us-east-1"),
                ("access_key_id", "test"),
                ("secret_access_key", "test"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        },
    )
    .await
    .unwrap();
    let w = World::build(&app).await;
    let claim = json!({"category": "environment", "description": "清理楼道"}).to_string();
    let photo = jpeg(50_000);
    let c = created(
        send_form(
            &app,
            &w.resident_1,
            &[
                ("claim", "application/json", claim.as_bytes()),
                ("photo", "image/jpeg", &photo),
            ],
        )
        .await,
    )
    .await;
    let href = c["photos"][0]["href"].as_str().unwrap();
    let back = app.get_as(&w.staff_a, href).await;
    assert_eq!(back.status(), 200);
    assert_eq!(back.bytes().await.unwrap().as_ref(), photo.as_slice());
    // The object is in the bucket under the configured prefix, not on local disk.
    use object_store::ObjectStore;
    let bucket = object_store::aws::AmazonS3Builder::new()
        .with_bucket_name("anju-photos")
        .with_endpoint(&s3.endpoint)
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_access_key_id("test")
        .with_secret_access_key("test")
        .build()
        .unwrap();
    let key = format!("claims-test/claims/{}/1.jpg", c["id"].as_str().unwrap());
    let raw = bucket
        .get(&object_store::path::Path::from(key))
        .await
        .unwrap();
    assert_eq!(raw.bytes().await.unwrap().as_ref(), photo.as_slice());
    assert!(stored_objects(&app).is_empty());
}
