//! Photos from phones: a WeChat mini-program uploads one file a request (`wx.uploadFile`:
//! multipart, the file under the name it is given, a bearer header, no cookies) and shows
//! images with `<image src>`, which sends no header: every photo in a response carries a
//! short-lived signed `url`.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::{
    both_backends,
    claims::{jpeg, jpeg_with_gps, png, send_form, stored_objects},
    helpers::*,
    world::{World, created},
};

/// What a mini-program sends: one file part `photo` and any `formData` text fields, each request
/// on its own (reqwest's multipart encoder, its own boundary every time).
async fn upload(
    app: &TestApp,
    token: &str,
    claim: &str,
    photo: &[u8],
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = Form::new().part(
        "photo",
        Part::bytes(photo.to_vec())
            .file_name("wxfile://tmp_3f1c.jpg")
            .mime_str("image/jpeg")
            .unwrap(),
    );
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    app.client
        .post(app.url(&format!("/api/v1/points/claims/{claim}/photos")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// An `<image src>`: a client of its own, no header, no cookie.
async fn open(app: &TestApp, url: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.url(url))
        .send()
        .await
        .unwrap()
}

/// A claim of `token`'s resident (or `resident_id`), without photos; its id.
async fn claim(app: &TestApp, token: &str, extra: Value) -> String {
    let mut body = json!({"category": "environment", "description": "清理3号楼楼道杂物"});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let c = created(app.post_as(token, "/api/v1/points/claims", &body).await).await;
    c["id"].as_str().unwrap().to_owned()
}

async fn photos_of(app: &TestApp, token: &str, claim: &str) -> Vec<Value> {
    let c: Value = app
        .get_as(token, &format!("/api/v1/points/claims/{claim}"))
        .await
        .json()
        .await
        .unwrap();
    c["photos"].as_array().unwrap().clone()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

both_backends! {
    async fn a_phone_adds_photos_one_by_one_and_shows_them_without_a_header(app) {
        let w = World::build(&app).await;
        let id = claim(&app, &w.resident_1, json!({})).await;
        let sent = [jpeg_with_gps(60_000), jpeg(30_000), jpeg_with_gps(90_000)];
        for (i, photo) in sent.iter().enumerate() {
            let p = created(upload(&app, &w.resident_1, &id, photo, &[]).await).await;
            assert_eq!(p["position"], i + 1, "{p}");
            assert_eq!(p["content_type"], "image/jpeg");
            assert!(p["url"].as_str().unwrap().contains("signature="), "{p}");
        }
        // A fourth is refused, by name, and leaves nothing behind.
        let body = problem(upload(&app, &w.resident_1, &id, &jpeg(1000), &[]).await, 422, "validation_failed").await;
        assert!(body["errors"]["photo"].as_str().unwrap().contains("at most 3"), "{body}");
        assert_eq!(stored_objects(&app).len(), 3);

        let photos = photos_of(&app, &w.resident_1, &id).await;
        assert_eq!(photos.len(), 3);
        for (p, sent) in photos.iter().zip(&sent) {
            let url = p["url"].as_str().unwrap();
            assert!(url.starts_with(&format!("{}?expires=", p["href"].as_str().unwrap())), "{url}");
            let expires_at: chrono::DateTime<chrono::Utc> = p["url_expires_at"].as_str().unwrap().parse().unwrap();
            let left = expires_at - chrono::Utc::now();
            assert!(left > chrono::Duration::seconds(590) && left <= chrono::Duration::seconds(600), "{left}");
            let r = open(&app, url).await;
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["content-type"], "image/jpeg");
            assert_eq!(r.headers()["referrer-policy"], "no-referrer");
            assert_eq!(r.headers()["x-content-type-options"], "nosniff");
            let cache = r.headers()["cache-control"].to_str().unwrap().to_owned();
            let age: i64 = cache.strip_prefix("private, max-age=").unwrap().parse().unwrap();
            assert!((590..=600).contains(&age), "{cache}");
            let bytes = r.bytes().await.unwrap();
            // What was sent, stripped of its metadata: the picture's bytes, without the position.
            assert_eq!(p["sha256"], entity::crypto::sha256_hex(&bytes));
            assert_eq!(p["size_bytes"], bytes.len());
            assert!(bytes.ends_with(&sent[sent.len() - 20_000..]));
            assert!(!contains(&bytes, b"GPS 34.0537N"));
            // The same bytes as the bearer route serves.
            let bearer = app.get_as(&w.staff_a, p["href"].as_str().unwrap()).await.bytes().await.unwrap();
            assert_eq!(bytes, bearer);
        }
        assert!(!contains(&std::fs::read(&stored_objects(&app)[0]).unwrap(), b"GPS 34.0537N"));

        // A changed signature, a link moved to another photo or another signer: 401 link_invalid.
        let url = photos[0]["url"].as_str().unwrap().to_owned();
        let last = if url.ends_with('0') { '1' } else { '0' };
        problem(open(&app, &format!("{}{last}", &url[..url.len() - 1])).await, 401, "link_invalid").await;
        problem(open(&app, &url.replace("/photos/1?", "/photos/2?")).await, 401, "link_invalid").await;
        let signer = url.split("by=").nth(1).unwrap().split('&').next().unwrap();
        problem(open(&app, &url.replace(signer, &uuid::Uuid::now_v7().to_string())).await, 401, "link_invalid").await;
        problem(open(&app, &url.replacen("expires=", "expires=9", 1)).await, 401, "link_invalid").await;
        // A sheet's link is no photo's, nor the other way round.
        let sheet: Value = created(app.post_as(&w.resident_1, "/api/v1/sheets/links", &json!({"sheet": "household_points_card", "id": w.household_1})).await).await;
        let sheet_query = sheet["url"].as_str().unwrap().split_once('?').unwrap().1.to_owned();
        problem(open(&app, &format!("{}?{sheet_query}", photos[0]["href"].as_str().unwrap())).await, 401, "link_invalid").await;
        // Without a link or a header: 401, as before; a half link: 400.
        problem(open(&app, photos[0]["href"].as_str().unwrap()).await, 401, "unauthenticated").await;
        problem(open(&app, &format!("{}?signature=00", photos[0]["href"].as_str().unwrap())).await, 400, "invalid_query").await;
        // Whoever sees the claim gets links of their own; the access log never holds a signature.
        for token in [&w.leader, &w.staff_a] {
            let theirs = photos_of(&app, token, &id).await;
            assert_eq!(open(&app, theirs[2]["url"].as_str().unwrap()).await.status(), 200);
        }
        let signature = url.rsplit("signature=").next().unwrap();
        assert!(!captured_logs().contains(signature), "a signature was logged");
    }

    async fn two_uploads_racing_for_the_last_place_one_wins(app) {
        let w = World::build(&app).await;
        let form = json!({"category": "environment", "description": "门前三包"}).to_string();
        let c = created(send_form(&app, &w.resident_2, &[
            ("claim", "application/json", form.as_bytes()),
            ("photo", "image/jpeg", &jpeg(20_000)),
            ("photo", "image/png", &png()),
        ]).await).await;
        let id = c["id"].as_str().unwrap().to_owned();
        let (a, b) = (jpeg(40_000), jpeg(50_000));
        let (first, second) = tokio::join!(
            upload(&app, &w.resident_2, &id, &a, &[]),
            upload(&app, &w.resident_2, &id, &b, &[]),
        );
        let mut statuses = [first.status().as_u16(), second.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 422]);
        let photos = photos_of(&app, &w.resident_2, &id).await;
        let positions: Vec<i64> = photos.iter().map(|p| p["position"].as_i64().unwrap()).collect();
        assert_eq!(positions, [1, 2, 3]);
        // The loser's file is deleted again.
        assert_eq!(stored_objects(&app).len(), 3);

        // Five at once on an empty claim: three places, three winners, each its own place.
        let id = claim(&app, &w.resident_2, json!({})).await;
        let photo = jpeg(10_000);
        let racers = (0..5).map(|_| upload(&app, &w.resident_2, &id, &photo, &[]));
        let outcomes = futures_util::future::join_all(racers).await;
        let mut won = Vec::new();
        for r in outcomes {
            match r.status().as_u16() {
                201 => won.push(r.json::<Value>().await.unwrap()["position"].as_i64().unwrap()),
                _ => { problem(r, 422, "validation_failed").await; }
            }
        }
        won.sort_unstable();
        assert_eq!(won, [1, 2, 3]);
        assert_eq!(photos_of(&app, &w.resident_2, &id).await.len(), 3);
        assert_eq!(stored_objects(&app).len(), 6);
    }

    async fn photos_are_added_by_the_applicant_while_the_claim_awaits_verification(app) {
        let w = World::build(&app).await;
        let photo = jpeg(5_000);
        let id = claim(&app, &w.resident_1, json!({})).await;
        // Another household does not see the claim; its leader and staff see it but did not file it.
        problem(upload(&app, &w.resident_2, &id, &photo, &[]).await, 404, "not_found").await;
        problem(upload(&app, &w.resident_b, &id, &photo, &[]).await, 404, "not_found").await;
        problem(upload(&app, &w.leader, &id, &photo, &[]).await, 403, "forbidden").await;
        problem(upload(&app, &w.staff_a, &id, &photo, &[]).await, 403, "forbidden").await;
        problem(upload(&app, &w.resident_1, "0190b4c8-2f6e-7a1c-9d3e-4b5a6c7d8e9f", &photo, &[]).await, 404, "not_found").await;
        // The applicant gives no reason: it acts for itself.
        let body = problem(upload(&app, &w.resident_1, &id, &photo, &[("reason", "补充照片")]).await, 422, "validation_failed").await;
        assert!(body["errors"]["reason"].is_string(), "{body}");
        assert!(stored_objects(&app).is_empty());

        // Staff who filed a claim for a resident add to it, with a reason (audited); so does the
        // resident.
        let assisted = claim(&app, &w.staff_a, json!({"resident_id": w.resident_2_id, "reason": "居民不会用手机"})).await;
        created(upload(&app, &w.staff_a, &assisted, &photo, &[("reason", "居民送来的照片")]).await).await;
        created(upload(&app, &w.resident_2, &assisted, &photo, &[]).await).await;
        let audit: Value = app.get_as(&w.admin, "/api/v1/audit-events?action=claim.photo&limit=100").await.json().await.unwrap();
        let items = audit["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{audit}");
        assert_eq!(items[0]["target_id"], assisted.as_str());
        assert_eq!(items[0]["reason"], "居民送来的照片");

        // Verified (or rejected): closed to photos, 409 claim_closed.
        let r = app.post_as(&w.staff_a, &format!("/api/v1/points/claims/{id}/verify"), &json!({"points": 5})).await;
        assert_eq!(r.status(), 200);
        problem(upload(&app, &w.resident_1, &id, &photo, &[]).await, 409, "claim_closed").await;
        let r = app.post_as(&w.staff_a, &format!("/api/v1/points/claims/{assisted}/reject"), &json!({"reason": "重复申报"})).await;
        assert_eq!(r.status(), 200);
        problem(upload(&app, &w.resident_2, &assisted, &photo, &[]).await, 409, "claim_closed").await;
        assert_eq!(stored_objects(&app).len(), 2);
    }

    async fn an_upload_is_one_checked_photo(app) {
        let w = World::build(&app).await;
        let id = claim(&app, &w.resident_1, json!({})).await;
        let url = app.url(&format!("/api/v1/points/claims/{id}/photos"));
        let small = jpeg(1000);
        let send = |form: Form| app.client.post(&url).bearer_auth(&w.resident_1).multipart(form).send();
        let bytes = |name: &'static str, data: &[u8]| Part::bytes(data.to_vec()).file_name(name);
        let cases: Vec<(Form, &str)> = vec![
            // Another file field, a second photo, no photo, not an image, too large.
            (Form::new().part("photo", bytes("a.jpg", &small)).part("video", bytes("a.mp4", &small)), "video"),
            (Form::new().part("photo", bytes("a.jpg", &small)).part("photo", bytes("b.jpg", &small)), "photo"),
            (Form::new().text("reason", "x"), "photo"),
            (Form::new().part("photo", bytes("a.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00")), "photo"),
            (Form::new().part("photo", bytes("a.jpg", &jpeg(2 * 1024 * 1024 + 1))), "photo"),
        ];
        for (form, field) in cases {
            let body = problem(send(form).await.unwrap(), 422, "validation_failed").await;
            assert!(body["errors"][field].is_string(), "{field}: {body}");
        }
        let r = app.post_as(&w.resident_1, &format!("/api/v1/points/claims/{id}/photos"), &json!({"photo": "x"})).await;
        problem(r, 415, "unsupported_media_type").await;
        assert!(stored_objects(&app).is_empty());
        // A PNG of the full 2 MiB is taken.
        let p = created(send(Form::new().part("photo", bytes("a.png", &png()))).await.unwrap()).await;
        assert_eq!(p["content_type"], "image/png");
        let full = created(send(Form::new().part("photo", bytes("a.jpg", &jpeg(2 * 1024 * 1024)))).await.unwrap()).await;
        assert_eq!(full["position"], 2);

        // A retried upload (another boundary, the same photo) with its Idempotency-Key replays.
        let retry = |key: &'static str, data: Vec<u8>| {
            app.client
                .post(&url)
                .bearer_auth(&w.resident_1)
                .header("Idempotency-Key", key)
                .multipart(Form::new().part("photo", Part::bytes(data).file_name("c.jpg")))
                .send()
        };
        let first = created(retry("upload-3", small.clone()).await.unwrap()).await;
        let again = retry("upload-3", small.clone()).await.unwrap();
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(created(again).await["position"], first["position"]);
        problem(retry("upload-3", jpeg(1001)).await.unwrap(), 422, "idempotency_key_reused").await;
        assert_eq!(photos_of(&app, &w.resident_1, &id).await.len(), 3);
        assert_eq!(stored_objects(&app).len(), 3);
    }
}

/// A photo's link opens for `image_link_seconds`, then answers 401 `link_expired`.
async fn a_photo_link_expires(backend: Backend) {
    let Some(app) = spawn_app_configured(
        backend,
        |_: &mut actix_web::web::ServiceConfig| {},
        |s| {
            s.image_link_seconds = 1;
        },
    )
    .await
    else {
        return;
    };
    let w = World::build(&app).await;
    let id = claim(&app, &w.resident_1, json!({})).await;
    let added = created(upload(&app, &w.resident_1, &id, &jpeg(5_000), &[]).await).await;
    let url = added["url"].as_str().unwrap().to_owned();
    let r = open(&app, &url).await;
    assert_eq!(r.status(), 200);
    let cache = r.headers()["cache-control"].to_str().unwrap().to_owned();
    assert!(
        ["private, max-age=0", "private, max-age=1"].contains(&cache.as_str()),
        "{cache}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    problem(open(&app, &url).await, 401, "link_expired").await;
    // The claim gives a fresh one; the bearer route is unaffected.
    let fresh = photos_of(&app, &w.resident_1, &id).await;
    assert_eq!(
        open(&app, fresh[0]["url"].as_str().unwrap()).await.status(),
        200
    );
    assert_eq!(
        app.get_as(&w.resident_1, added["href"].as_str().unwrap())
            .await
            .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_link_expires_sqlite() {
    a_photo_link_expires(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_link_expires_postgres() {
    a_photo_link_expires(Backend::Postgres).await;
}
