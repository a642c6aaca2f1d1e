//! What the web console and the job kiosk stand on: the pages served from the binary under a
//! strict Content-Security-Policy, the refresh token in an HttpOnly cookie, the service desk's
//! search and its views of one resident, the store counter's list, and the kiosk's public board.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::*,
    world::{PASSWORD, World, create_as, created, id, items_as},
};

/// The `anju_refresh` cookie a response sets: (value, attributes).
fn refresh_cookie(response: &reqwest::Response) -> (String, String) {
    let header = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("anju_refresh="))
        .expect("an anju_refresh cookie");
    let (pair, attributes) = header.split_once(';').unwrap();
    (
        pair["anju_refresh=".len()..].to_owned(),
        attributes.to_owned(),
    )
}

async fn post_with_cookie(
    app: &TestApp,
    path: &str,
    cookie: &str,
    body: &Value,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(path))
        .header("cookie", format!("anju_refresh={cookie}"))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn search(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let path = format!("/api/v1/residents?q={}", urlencode(q));
    let page: Value = app.get_as(token, &path).await.json().await.unwrap();
    let mut names: Vec<String> = page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a page for {q}: {page}"))
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

both_backends! {
    async fn a_browser_session_keeps_its_refresh_token_in_an_http_only_cookie(app) {
        let w = World::build(&app).await;
        let _ = w;
        // Login asks for the cookie: the body carries the access token only.
        let login = app.post_json("/api/v1/auth/login", &json!({"phone": "13900000010", "password": PASSWORD, "refresh_cookie": true})).await;
        assert_eq!(login.status(), 200);
        assert_eq!(login.headers()["cache-control"], "no-store");
        let (first, attributes) = refresh_cookie(&login);
        for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth", "Max-Age=2592000"] {
            assert!(attributes.contains(attribute), "{attribute} in {attributes}");
        }
        let body: Value = login.json().await.unwrap();
        assert!(body.get("refresh_token").is_none(), "no refresh token a script could read: {body}");
        assert_eq!(app.get_as(body["access_token"].as_str().unwrap(), "/api/v1/me").await.status(), 200);

        // A reload: `{}` and the cookie give a new access token and a new cookie.
        let refreshed = post_with_cookie(&app, "/api/v1/auth/refresh", &first, &json!({})).await;
        assert_eq!(refreshed.status(), 200);
        let (second, _) = refresh_cookie(&refreshed);
        assert_ne!(first, second);
        let body: Value = refreshed.json().await.unwrap();
        assert!(body.get("refresh_token").is_none());
        assert_eq!(app.get_as(body["access_token"].as_str().unwrap(), "/api/v1/me").await.status(), 200);

        // No cookie and no token: 401 with the usual code.
        problem(app.post_json("/api/v1/auth/refresh", &json!({})).await, 401, "invalid_refresh_token").await;

        // Logout by the cookie revokes the session and clears the cookie.
        let out = post_with_cookie(&app, "/api/v1/auth/logout", &second, &json!({})).await;
        assert_eq!(out.status(), 204);
        let (cleared, attributes) = refresh_cookie(&out);
        assert_eq!(cleared, "");
        assert!(attributes.contains("Max-Age=0"), "{attributes}");
        problem(post_with_cookie(&app, "/api/v1/auth/refresh", &second, &json!({})).await, 401, "invalid_refresh_token").await;

        // Apps that do not ask keep the token in the body, as before.
        let plain = app.login("13900000010", PASSWORD).await;
        assert!(plain["refresh_token"].is_string());
        // SMS-code login asks the same way.
        let code = app.sms_code("13700000002", "login").await;
        let sms = app.post_json("/api/v1/auth/sms-login", &json!({"phone": "13700000002", "code": code, "refresh_cookie": true})).await;
        assert_eq!(sms.status(), 200);
        let _ = refresh_cookie(&sms);
        assert!(sms.json::<Value>().await.unwrap().get("refresh_token").is_none());
    }

    async fn the_service_desk_finds_a_resident_by_any_one_thing_they_say(app) {
        let w = World::build(&app).await;
        let tail = &w.resident_1_id_card[14..];
        assert_eq!(search(&app, &w.staff_a, tail).await, ["李奶奶"], "last four of the ID");
        assert_eq!(search(&app, &w.staff_a, &tail.to_lowercase()).await, ["李奶奶"], "a lower-case x");
        assert_eq!(search(&app, &w.staff_a, "13700000003").await, ["王小二"], "a whole phone");
        assert_eq!(search(&app, &w.staff_a, "0000002").await, ["李奶奶"], "digits of the phone");
        assert_eq!(search(&app, &w.staff_a, " 奶奶 ").await, ["李奶奶"], "part of the name");
        assert_eq!(search(&app, &w.staff_a, "1-101").await, ["张组长", "李奶奶"], "the household label");
        assert_eq!(search(&app, &w.staff_a, "2号楼").await, ["王小二"], "the building");
        // Another site's resident is not found, even by its exact phone; wildcards are literal.
        assert!(search(&app, &w.staff_a, "13700000004").await.is_empty());
        assert!(search(&app, &w.staff_a, "%").await.is_empty());
        assert!(search(&app, &w.staff_a, "_").await.is_empty());
        // A leader finds only its groups' residents.
        assert!(search(&app, &w.leader, "王小二").await.is_empty());
        assert_eq!(search(&app, &w.leader, "奶奶").await, ["李奶奶"]);
        // Platform administrators narrow to a site.
        let both: Value = app.get_as(&w.admin, &format!("/api/v1/residents?q=1-101&site_id={}", w.site_b)).await.json().await.unwrap();
        assert_eq!(both["items"].as_array().unwrap().len(), 1);
        // Too long is a clear 400.
        let long = "长".repeat(51);
        problem(app.get_as(&w.staff_a, &format!("/api/v1/residents?q={}", urlencode(&long))).await, 400, "invalid_query").await;
    }

    async fn residents_written_before_the_tail_hash_are_found_after_a_restart(app) {
        let w = World::build(&app).await;
        let tail = w.resident_1_id_card[14..].to_owned();
        app.db.writer().execute_unprepared("UPDATE resident SET id_card_tail_hash = NULL").await.unwrap();
        assert!(search(&app, &w.staff_a, &tail).await.is_empty());
        // What the api does at start, with the key from the data directory.
        let pii = test_settings(app.data_dir()).worker.pii_cipher().unwrap();
        let filled = entity::registry::ops::fill_id_card_tails(app.db.writer(), &pii).await.unwrap();
        assert_eq!(filled, 4, "the four residents of both sites");
        assert_eq!(search(&app, &w.staff_a, &tail).await, ["李奶奶"]);
        assert_eq!(entity::registry::ops::fill_id_card_tails(app.db.writer(), &pii).await.unwrap(), 0);
    }

    async fn the_service_desk_sees_what_a_resident_applied_for_signed_up_to_and_was_sent(app) {
        let w = World::build(&app).await;
        let r = &w.resident_1_id;
        for what in ["applications", "signups", "notifications"] {
            let path = format!("/api/v1/residents/{r}/{what}");
            let page: Value = app.get_as(&w.staff_a, &path).await.json().await.unwrap();
            assert!(page["items"].is_array(), "{what}: {page}");
            assert_eq!(app.get_as(&w.leader, &path).await.status(), 200, "{what}: its leader");
            problem(app.get_as(&w.staff_b, &path).await, 404, "not_found").await;
            problem(app.get_as(&w.resident_2, &path).await, 403, "forbidden").await;
        }
        // A broadcast reaches the resident's inbox; the desk sees it.
        let sent = app.post_as(&w.staff_a, &format!("/api/v1/sites/{}/broadcasts", w.site_a), &json!({"title": "停水通知", "body": "明天上午停水。"})).await;
        assert_eq!(sent.status(), 202);
        eventually("the notice in the desk's view", 20, || async {
            items_as(&app, &w.staff_a, &format!("/api/v1/residents/{r}/notifications")).await.iter().any(|n| n["title"] == "停水通知")
        }).await;
    }

    async fn the_kiosk_board_shows_a_site_and_its_coming_activities_without_a_login(app) {
        let w = World::build(&app).await;
        let start = chrono::Utc::now() + chrono::Duration::days(2);
        let activity = |title: &str, whole_site: bool| {
            let mut body = json!({
                "site_id": w.site_a, "title": title, "description": "进社区招聘，现场面试。", "kind": "job_fair",
                "place": "社区服务中心", "starts_at": start, "ends_at": start + chrono::Duration::hours(3),
                "signup_opens_at": chrono::Utc::now(), "signup_closes_at": start, "capacity": 100, "contact": "0398-1234567"
            });
            if !whole_site {
                body["audience"] = json!({"group_ids": [w.group_1]});
            }
            body
        };
        create_as(&app, &w.staff_a, "/api/v1/activities", &activity("招聘会", true)).await;
        create_as(&app, &w.staff_a, "/api/v1/activities", &activity("1组内部会", false)).await;
        let board: Value = app.get(&format!("/api/v1/sites/{}/board", w.site_a)).await.json().await.unwrap();
        assert_eq!(board["site_name"], "兴贤里社区");
        let titles: Vec<&str> = board["activities"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["招聘会"], "only what the whole site may see: {board}");
        assert_eq!(board["activities"][0]["kind"], "job_fair");
        assert_eq!(board["activities"][0]["seats_left"], 100);
        problem(app.get(&format!("/api/v1/sites/{}/board", uuid::Uuid::now_v7())).await, 404, "not_found").await;
    }

    async fn the_store_counter_lists_its_sites_redemptions_to_hand_over(app) {
        let w = World::build(&app).await;
        let path = "/api/v1/store/redemptions?status=pending";
        assert!(items_as(&app, &w.staff_a, path).await.is_empty());
        problem(app.get_as(&w.resident_1, path).await, 403, "forbidden").await;
        problem(app.get_as(&w.staff_a, "/api/v1/store/redemptions?status=lost").await, 400, "invalid_query").await;
        let _ = (id, created);
    }
}

both_backends! {
    async fn the_console_and_the_kiosk_are_served_from_the_binary_under_a_strict_policy(app) {
        let page = app.get("/console/").await;
        assert_eq!(page.status(), 200);
        assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(!csp.contains("unsafe-eval") && !csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(page.headers()["cache-control"], "no-cache");
        let html = page.text().await.unwrap();
        assert!(html.contains("<div id=\"app\">") || html.contains("id=\"app\""), "the console's page");
        assert!(!html.contains("<script>") && !html.contains("<script type=\"module\">"), "no inline script");

        // A deep link is the app (the router takes it from there); /console redirects.
        let deep = app.get("/console/service-desk?x=1").await;
        assert_eq!(deep.status(), 200);
        assert_eq!(deep.text().await.unwrap(), html);
        let bare = app.get("/console").await;
        assert_eq!(bare.status(), 308);
        assert_eq!(bare.headers()["location"], "/console/");

        // Assets: typed, cached for good, gzip when asked; a missing one is 404, not the app.
        let script = html.split("src=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        assert!(script.starts_with("/console/assets/"), "{script}");
        let js = app.get(&script).await;
        assert_eq!(js.status(), 200);
        assert!(js.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
        assert_eq!(js.headers()["cache-control"], "public, max-age=31536000, immutable");
        let plain = js.bytes().await.unwrap();
        let gz = reqwest::Client::new().get(app.url(&script)).header("accept-encoding", "gzip, br").send().await.unwrap();
        assert_eq!(gz.headers()["content-encoding"], "gzip");
        let packed = gz.bytes().await.unwrap();
        assert_eq!(&packed[..2], &[0x1f, 0x8b]);
        assert!(packed.len() < plain.len());
        problem(app.get("/console/assets/no-such-chunk.js").await, 404, "route_not_found").await;

        // The kiosk page, from /kiosk/ with any query.
        let kiosk = app.get("/kiosk/?site=00000000-0000-0000-0000-000000000000").await;
        assert_eq!(kiosk.status(), 200);
        assert!(kiosk.headers().contains_key("content-security-policy"));
        assert!(kiosk.text().await.unwrap().contains("/console/assets/"));
        assert_eq!(app.get("/kiosk").await.headers()["location"], "/kiosk/");
    }
}
