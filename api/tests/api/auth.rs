use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::*,
    world::{PASSWORD, World, created},
};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(sub: &str) -> Value {
    json!({
        "iss": "anju", "aud": "anju-api", "sub": sub,
        "iat": now(), "nbf": now(), "exp": now() + 600, "role": "platform_admin"
    })
}

fn sign(header: Header, claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret).unwrap()).unwrap()
}

fn hs256() -> Header {
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some(TEST_JWT_KID.into());
    h
}

async fn me_status(app: &TestApp, token: &str) -> u16 {
    app.get_as(token, "/api/v1/me").await.status().as_u16()
}

async fn account_id(app: &TestApp, token: &str) -> String {
    let me: Value = app.get_as(token, "/api/v1/me").await.json().await.unwrap();
    me["account_id"].as_str().unwrap().to_owned()
}

both_backends! {
    async fn login_gives_tokens_and_me_tells_who_i_am(app) {
        let tokens = app.login(ADMIN_PHONE, ADMIN_PASSWORD).await;
        assert_eq!(tokens["token_type"], "Bearer");
        assert_eq!(tokens["expires_in"], 900);
        let me: Value = app.get_as(tokens["access_token"].as_str().unwrap(), "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["role"], "platform_admin");
        // "+86" and spaces are accepted.
        assert_eq!(app.post_json("/api/v1/auth/login", &json!({"phone": "+86 139 0000 0001", "password": ADMIN_PASSWORD})).await.status(), 200);
    }

    async fn wrong_password_and_unknown_phone_answer_alike(app) {
        let wrong = app.post_json("/api/v1/auth/login", &json!({"phone": ADMIN_PHONE, "password": "not-the-password"})).await;
        let a = problem(wrong, 401, "invalid_credentials").await;
        let unknown = app.post_json("/api/v1/auth/login", &json!({"phone": "13911112222", "password": "not-the-password"})).await;
        let b = problem(unknown, 401, "invalid_credentials").await;
        assert_eq!(a["detail"], b["detail"]);
        problem(app.post_json("/api/v1/auth/login", &json!({"phone": "12345", "password": "x"})).await, 422, "validation_failed").await;
    }

    async fn no_or_malformed_tokens_are_401(app) {
        let r = app.get("/api/v1/me").await;
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        problem(r, 401, "unauthenticated").await;
        let r = app.client.get(app.url("/api/v1/me")).header("authorization", "Basic abc").send().await.unwrap();
        problem(r, 401, "invalid_token").await;
        problem(app.get_as("not.a.jwt", "/api/v1/me").await, 401, "invalid_token").await;
    }

    async fn every_jwt_defect_is_rejected(app) {
        let admin = app.admin_token().await;
        let sub = account_id(&app, &admin).await;
        // The forged token is accepted when it is right, so the rejections below are about the defect.
        assert_eq!(me_status(&app, &sign(hs256(), &claims(&sub), &TEST_JWT_SECRET)).await, 200);

        // alg none: header {"alg":"none"} and an empty signature.
        use base64::Engine;
        let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
        let none = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT", "kid": TEST_JWT_KID})), b64(&claims(&sub)));
        assert_eq!(me_status(&app, &none).await, 401, "alg none");
        // Wrong key.
        assert_eq!(me_status(&app, &sign(hs256(), &claims(&sub), &[7u8; 32])).await, 401, "wrong key");
        // Another algorithm of the same family (HS512) with the right secret: the algorithm is pinned.
        let mut hs512 = Header::new(Algorithm::HS512);
        hs512.kid = Some(TEST_JWT_KID.into());
        assert_eq!(me_status(&app, &sign(hs512, &claims(&sub), &TEST_JWT_SECRET)).await, 401, "HS512");
        // An RS256 header over an HMAC signature (algorithm confusion).
        let rs = format!("{}.{}.{}", b64(&json!({"alg": "RS256", "typ": "JWT", "kid": TEST_JWT_KID})), b64(&claims(&sub)), "c2ln");
        assert_eq!(me_status(&app, &rs).await, 401, "RS256 header");
        // Expired (beyond the leeway) and not yet valid.
        let mut c = claims(&sub);
        c["exp"] = json!(now() - 60);
        assert_eq!(me_status(&app, &sign(hs256(), &c, &TEST_JWT_SECRET)).await, 401, "expired");
        let mut c = claims(&sub);
        c["nbf"] = json!(now() + 120);
        assert_eq!(me_status(&app, &sign(hs256(), &c, &TEST_JWT_SECRET)).await, 401, "not yet valid");
        // Wrong issuer, wrong audience.
        let mut c = claims(&sub);
        c["iss"] = json!("someone-else");
        assert_eq!(me_status(&app, &sign(hs256(), &c, &TEST_JWT_SECRET)).await, 401, "iss");
        let mut c = claims(&sub);
        c["aud"] = json!("another-api");
        assert_eq!(me_status(&app, &sign(hs256(), &c, &TEST_JWT_SECRET)).await, 401, "aud");
        // Missing exp, missing iss, missing aud.
        for claim in ["exp", "iss", "aud", "sub", "nbf"] {
            let mut c = claims(&sub);
            c.as_object_mut().unwrap().remove(claim);
            assert_eq!(me_status(&app, &sign(hs256(), &c, &TEST_JWT_SECRET)).await, 401, "missing {claim}");
        }
        // Unknown kid, and no kid at all.
        let mut h = hs256();
        h.kid = Some("retired-key".into());
        assert_eq!(me_status(&app, &sign(h, &claims(&sub), &TEST_JWT_SECRET)).await, 401, "unknown kid");
        assert_eq!(me_status(&app, &sign(Header::new(Algorithm::HS256), &claims(&sub), &TEST_JWT_SECRET)).await, 401, "no kid");
        // A refresh token is not an access token.
        let refresh = app.login(ADMIN_PHONE, ADMIN_PASSWORD).await["refresh_token"].as_str().unwrap().to_owned();
        problem(app.get_as(&refresh, "/api/v1/me").await, 401, "invalid_token").await;
    }

    async fn refresh_rotates_and_reuse_revokes_the_family(app) {
        let first = app.login(ADMIN_PHONE, ADMIN_PASSWORD).await;
        let r1 = first["refresh_token"].as_str().unwrap();
        let second: Value = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": r1})).await.json().await.unwrap();
        let r2 = second["refresh_token"].as_str().unwrap();
        assert_ne!(r1, r2);
        assert_eq!(me_status(&app, second["access_token"].as_str().unwrap()).await, 200);
        // Reusing r1 is refused and revokes the family: r2 stops working too.
        problem(app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": r1})).await, 401, "invalid_refresh_token").await;
        problem(app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": r2})).await, 401, "invalid_refresh_token").await;
        // Another login session is unaffected.
        let other = app.login(ADMIN_PHONE, ADMIN_PASSWORD).await;
        let ok = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": other["refresh_token"]})).await;
        assert_eq!(ok.status(), 200);
        problem(app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": "made-up"})).await, 401, "invalid_refresh_token").await;
    }

    async fn logout_revokes_the_family(app) {
        let tokens = app.login(ADMIN_PHONE, ADMIN_PASSWORD).await;
        let r = tokens["refresh_token"].clone();
        assert_eq!(app.post_json("/api/v1/auth/logout", &json!({"refresh_token": r})).await.status(), 204);
        problem(app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": r})).await, 401, "invalid_refresh_token").await;
        // Unknown tokens log out quietly too.
        assert_eq!(app.post_json("/api/v1/auth/logout", &json!({"refresh_token": "nope"})).await.status(), 204);
    }

    async fn login_is_rate_limited_per_phone(app) {
        for _ in 0..5 {
            let r = app.post_json("/api/v1/auth/login", &json!({"phone": "13911113333", "password": "guess-guess"})).await;
            assert_eq!(r.status(), 401);
        }
        let r = app.post_json("/api/v1/auth/login", &json!({"phone": "13911113333", "password": "guess-guess"})).await;
        let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry));
        problem(r, 429, "rate_limited").await;
        // Other phones are unaffected.
        assert_eq!(app.post_json("/api/v1/auth/login", &json!({"phone": ADMIN_PHONE, "password": ADMIN_PASSWORD})).await.status(), 200);
    }

    async fn activation_answers_alike_for_every_failure(app) {
        let w = World::build(&app).await;
        // R1 is activated already; wrong digits, an unknown phone and a second activation look the same.
        let a = app.post_json("/api/v1/auth/activate", &json!({"phone": "13700000002", "id_card_last6": "000000", "password": "another-pass-1"})).await;
        let a = problem(a, 401, "activation_failed").await;
        let last6 = &w.resident_1_id_card[12..];
        let b = app.post_json("/api/v1/auth/activate", &json!({"phone": "13700000002", "id_card_last6": last6, "password": "another-pass-1"})).await;
        let b = problem(b, 401, "activation_failed").await;
        let c = app.post_json("/api/v1/auth/activate", &json!({"phone": "13711119999", "id_card_last6": last6, "password": "another-pass-1"})).await;
        let c = problem(c, 401, "activation_failed").await;
        assert!(a["detail"] == b["detail"] && b["detail"] == c["detail"]);
        // A weak password names the rule.
        let weak = app.post_json("/api/v1/auth/activate", &json!({"phone": "13700000099", "id_card_last6": "123456", "password": "12345678"})).await;
        let weak = problem(weak, 422, "validation_failed").await;
        assert!(weak["errors"]["password"].as_str().unwrap().contains("common"));
        let short = app.post_json("/api/v1/auth/activate", &json!({"phone": "13700000099", "id_card_last6": "123456", "password": "abc"})).await;
        let short = problem(short, 422, "validation_failed").await;
        assert!(short["errors"]["password"].as_str().unwrap().contains("at least 8"));
        // The activated residents log in and see their role.
        let me: Value = app.get_as(&w.resident_1, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["role"], "resident");
        assert_eq!(me["resident"]["household_id"], w.household_1.as_str());
        let me: Value = app.get_as(&w.leader, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["role"], "group_leader");
        assert_eq!(me["led_group_ids"], json!([w.group_1]));
        let tokens = app.login("13700000002", PASSWORD).await;
        assert!(tokens["access_token"].is_string());
    }

    async fn accounts_are_created_by_admins_only(app) {
        let w = World::build(&app).await;
        let body = |site: &str| json!({"phone": "13900000099", "password": PASSWORD, "role": "staff", "site_id": site});
        // Staff may not create accounts; a site admin only for its site.
        problem(app.post_as(&w.staff_a, "/api/v1/accounts", &body(&w.site_a)).await, 403, "forbidden").await;
        problem(app.post_as(&w.site_admin_a, "/api/v1/accounts", &body(&w.site_b)).await, 403, "forbidden").await;
        let made = created(app.post_as(&w.site_admin_a, "/api/v1/accounts", &body(&w.site_a)).await).await;
        assert_eq!(made["phone"], "139****0099");
        problem(app.post_as(&w.site_admin_a, "/api/v1/accounts", &body(&w.site_a)).await, 409, "phone_taken").await;
        let admin_body = json!({"phone": "13900000098", "password": PASSWORD, "role": "platform_admin"});
        problem(app.post_as(&w.site_admin_a, "/api/v1/accounts", &admin_body).await, 403, "forbidden").await;
        let weak = json!({"phone": "13900000097", "password": "password", "role": "staff", "site_id": w.site_a});
        problem(app.post_as(&w.admin, "/api/v1/accounts", &weak).await, 422, "validation_failed").await;
        let resident = json!({"phone": "13900000096", "password": PASSWORD, "role": "resident", "site_id": w.site_a});
        problem(app.post_as(&w.admin, "/api/v1/accounts", &resident).await, 422, "validation_failed").await;
    }
}
