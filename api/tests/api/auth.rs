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
        let third: Value = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": r2})).await.json().await.unwrap();
        let r3 = third["refresh_token"].as_str().unwrap();
        // Reusing r1 (its successor already used) is refused and revokes the family: r3 stops too.
        problem(app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": r1})).await, 401, "invalid_refresh_token").await;
        problem(app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": r3})).await, 401, "invalid_refresh_token").await;
        // Another login session is unaffected.
        let other = app.login(ADMIN_PHONE, ADMIN_PASSWORD).await;
        let ok = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": other["refresh_token"]})).await;
        assert_eq!(ok.status(), 200);
        problem(app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": "made-up"})).await, 401, "invalid_refresh_token").await;
    }

    async fn reuse_after_the_grace_revokes_the_family(app) {
        let first = app.login(ADMIN_PHONE, ADMIN_PASSWORD).await;
        let r1 = first["refresh_token"].clone();
        let second: Value = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": r1})).await.json().await.unwrap();
        // Past the grace a second use of r1 is a copy, even though its successor is unused.
        tokio::time::sleep(std::time::Duration::from_secs(11)).await;
        problem(app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": r1})).await, 401, "invalid_refresh_token").await;
        problem(app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": second["refresh_token"]})).await, 401, "invalid_refresh_token").await;
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

    async fn activation_needs_the_code_sent_to_the_phone(app) {
        let w = World::build(&app).await;
        let card = crate::world::id_card(21, (1961, 4, 17), false);
        let new = created(app.post_as(&w.staff_a, "/api/v1/residents", &json!({
            "household_id": w.household_2, "name": "孙阿姨", "phone": "13700000021", "id_card_number": card.expose()
        })).await).await;
        // Phone and the last six ID characters (which staff and leaders can read) open nothing.
        let old_way = json!({"phone": "13700000021", "id_card_last6": card.last6(), "password": "mountain-home-21"});
        problem(app.post_json("/api/v1/auth/activate", &old_way).await, 422, "validation_failed").await;
        let guessed = json!({"phone": "13700000021", "id_card_last6": card.last6(), "code": "123456", "password": "mountain-home-21"});
        problem(app.post_json("/api/v1/auth/activate", &guessed).await, 401, "sms_code_invalid").await;
        // With the code the SMS carried, it works once.
        let code = app.sms_code("13700000021", "activate").await;
        let sms = app.sms.sent().last().cloned().unwrap();
        assert_eq!(sms.template, crate::sms::CODE_TEMPLATE);
        let body = json!({"phone": "13700000021", "code": code, "password": "mountain-home-21"});
        let tokens = created(app.post_json("/api/v1/auth/activate", &body).await).await;
        let me: Value = app.get_as(tokens["access_token"].as_str().unwrap(), "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["resident"]["id"], new["id"]);
        problem(app.post_json("/api/v1/auth/activate", &body).await, 401, "sms_code_invalid").await;
        // An activated resident, an unknown phone: a right code still finds nobody to activate.
        let code = app.sms_code("13711119999", "activate").await;
        let a = problem(app.post_json("/api/v1/auth/activate", &json!({"phone": "13711119999", "code": code, "password": "mountain-home-21"})).await, 401, "activation_failed").await;
        let code = app.sms_code("13700000002", "activate").await;
        let b = problem(app.post_json("/api/v1/auth/activate", &json!({"phone": "13700000002", "code": code, "password": "mountain-home-21"})).await, 401, "activation_failed").await;
        assert_eq!(a["detail"], b["detail"]);
        // A weak password names the rule (before any code is spent).
        let weak = app.post_json("/api/v1/auth/activate", &json!({"phone": "13700000099", "code": "123456", "password": "12345678"})).await;
        let weak = problem(weak, 422, "validation_failed").await;
        assert!(weak["errors"]["password"].as_str().unwrap().contains("common"));
        // Non-ASCII in the ID digits is a clear 422, never a 500.
        let odd = app.post_json("/api/v1/auth/activate", &json!({"phone": "13700000099", "code": "123456", "id_card_last6": "１２３４5ñ", "password": "mountain-home-21"})).await;
        problem(odd, 422, "validation_failed").await;
        // The activated residents of the world log in and see their role.
        let me: Value = app.get_as(&w.resident_1, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["role"], "resident");
        assert_eq!(me["resident"]["household_id"], w.household_1.as_str());
        let me: Value = app.get_as(&w.leader, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["role"], "group_leader");
        assert_eq!(me["led_group_ids"], json!([w.group_1]));
        let tokens = app.login("13700000002", PASSWORD).await;
        assert!(tokens["access_token"].is_string());
    }

    async fn the_sixth_wrong_code_locks_the_challenge(app) {
        let w = World::build(&app).await;
        created(app.post_as(&w.staff_a, "/api/v1/residents", &json!({
            "household_id": w.household_1, "name": "周大哥", "phone": "13700000031",
            "id_card_number": crate::world::id_card(31, (1979, 8, 3), true).expose()
        })).await).await;
        let code = app.sms_code("13700000031", "activate").await;
        let wrong = if code == "000000" { "000001" } else { "000000" };
        let attempt = |code: &str| json!({"phone": "13700000031", "code": code, "password": "mountain-home-31"});
        for _ in 0..5 {
            problem(app.post_json("/api/v1/auth/activate", &attempt(wrong)).await, 401, "sms_code_invalid").await;
        }
        let locked = app.post_json("/api/v1/auth/activate", &attempt(wrong)).await;
        assert!(locked.headers().contains_key("retry-after"));
        problem(locked, 429, "sms_code_locked").await;
        // Locked means locked: the right code no longer works either.
        problem(app.post_json("/api/v1/auth/activate", &attempt(&code)).await, 429, "sms_code_locked").await;
        // Staff can print a code instead; it works with the registered phone only.
        let residents: Value = app.get_as(&w.staff_a, &format!("/api/v1/residents?household_id={}", w.household_1)).await.json().await.unwrap();
        let zhou = residents["items"].as_array().unwrap().iter().find(|r| r["name"] == "周大哥").unwrap()["id"].as_str().unwrap().to_owned();
        problem(app.post_as(&w.leader, &format!("/api/v1/residents/{zhou}/activation-code"), &json!({"reason": "代为激活"})).await, 403, "forbidden").await;
        let printed = crate::world::print_activation_code(&app, &w.staff_a, &zhou).await;
        assert_eq!(printed.len(), 8);
        problem(app.post_json("/api/v1/auth/activate", &json!({"phone": "13700000032", "code": printed, "password": "mountain-home-31"})).await, 401, "sms_code_invalid").await;
        created(app.post_json("/api/v1/auth/activate", &attempt(&printed)).await).await;
        let audit: Value = app.get_as(&w.site_admin_a, "/api/v1/audit-events").await.json().await.unwrap();
        assert_eq!(audit["items"][0]["action"], "resident.print_activation_code");
        assert_eq!(audit["items"][0]["reason"], "老人无智能手机，代为激活");
        problem(app.post_as(&w.staff_a, &format!("/api/v1/residents/{zhou}/activation-code"), &json!({"reason": "再次"})).await, 409, "already_activated").await;
    }

    async fn the_id_digits_pick_the_person_among_family_members_sharing_a_phone(app) {
        let w = World::build(&app).await;
        let (grandma, grandpa) = (crate::world::id_card(61, (1946, 3, 3), false), crate::world::id_card(62, (1944, 4, 4), true));
        for (name, card) in [("王奶奶", &grandma), ("王爷爷", &grandpa)] {
            created(app.post_as(&w.staff_a, "/api/v1/residents", &json!({
                "household_id": w.household_2, "name": name, "phone": "13700000061", "id_card_number": card.expose()
            })).await).await;
        }
        let code = app.sms_code("13700000061", "activate").await;
        let p = problem(app.post_json("/api/v1/auth/activate", &json!({"phone": "13700000061", "code": code, "password": "mountain-home-61"})).await, 422, "validation_failed").await;
        assert!(p["errors"]["id_card_last6"].is_string(), "{p}");
        let tokens = created(app.post_json("/api/v1/auth/activate", &json!({"phone": "13700000061", "code": code, "id_card_last6": grandpa.last6(), "password": "mountain-home-61"})).await).await;
        let me: Value = app.get_as(tokens["access_token"].as_str().unwrap(), "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["resident"]["name"], "王爷爷");
    }

    async fn codes_go_out_within_their_limits_and_say_nothing_of_accounts(app) {
        // The same answer for a phone with an account, a resident's phone and a stranger's.
        let mut answers = Vec::new();
        for phone in [ADMIN_PHONE, "13711110000"] {
            let r = app.post_json("/api/v1/auth/sms-codes", &json!({"phone": phone, "purpose": "login"})).await;
            answers.push((r.status().as_u16(), r.text().await.unwrap()));
        }
        assert_eq!(answers[0], answers[1]);
        assert_eq!(answers[0].0, 202);
        // One a minute per phone (and purpose).
        let again = app.post_json("/api/v1/auth/sms-codes", &json!({"phone": ADMIN_PHONE, "purpose": "login"})).await;
        let retry: u64 = again.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry));
        problem(again, 429, "rate_limited").await;
        problem(app.post_json("/api/v1/auth/sms-codes", &json!({"phone": "12345", "purpose": "login"})).await, 422, "validation_failed").await;
        problem(app.post_json("/api/v1/auth/sms-codes", &json!({"phone": ADMIN_PHONE, "purpose": "everything"})).await, 422, "validation_failed").await;
        assert_eq!(app.sms.sent().len(), 2);
    }

    async fn residents_log_in_with_an_sms_code(app) {
        let w = World::build(&app).await;
        let code = app.sms_code("13700000002", "login").await;
        let tokens: Value = app.post_json("/api/v1/auth/sms-login", &json!({"phone": "13700000002", "code": code})).await.json().await.unwrap();
        let me: Value = app.get_as(tokens["access_token"].as_str().unwrap(), "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["resident"]["id"], w.resident_1_id.as_str());
        problem(app.post_json("/api/v1/auth/sms-login", &json!({"phone": "13700000002", "code": code})).await, 401, "sms_code_invalid").await;
        // Staff and administrators log in with their password only.
        let code = app.sms_code("13900000010", "login").await;
        problem(app.post_json("/api/v1/auth/sms-login", &json!({"phone": "13900000010", "code": code})).await, 401, "invalid_credentials").await;
    }

    async fn a_password_change_or_reset_ends_every_session(app) {
        let w = World::build(&app).await;
        let first = app.login("13700000002", PASSWORD).await;
        let old_access = first["access_token"].as_str().unwrap().to_owned();
        assert_eq!(me_status(&app, &old_access).await, 200);
        // Change with the current password: the old access and refresh tokens stop at once.
        problem(app.post_as(&old_access, "/api/v1/me/password", &json!({"current_password": "not-it-at-all", "password": "new-mountain-home"})).await, 401, "invalid_credentials").await;
        problem(app.post_as(&old_access, "/api/v1/me/password", &json!({"password": "new-mountain-home"})).await, 422, "validation_failed").await;
        let changed: Value = app.post_as(&old_access, "/api/v1/me/password", &json!({"current_password": PASSWORD, "password": "new-mountain-home"})).await.json().await.unwrap();
        problem(app.get_as(&old_access, "/api/v1/me").await, 401, "invalid_token").await;
        problem(app.get_as(&w.resident_1, "/api/v1/me").await, 401, "invalid_token").await;
        problem(app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": first["refresh_token"]})).await, 401, "invalid_refresh_token").await;
        assert_eq!(me_status(&app, changed["access_token"].as_str().unwrap()).await, 200);
        problem(app.post_json("/api/v1/auth/login", &json!({"phone": "13700000002", "password": PASSWORD})).await, 401, "invalid_credentials").await;
        // Reset with a code.
        let code = app.sms_code("13700000002", "reset_password").await;
        let reset = app.post_json("/api/v1/auth/password-reset", &json!({"phone": "13700000002", "code": code, "password": "third-mountain-home"})).await;
        assert_eq!(reset.status(), 204);
        problem(app.get_as(changed["access_token"].as_str().unwrap(), "/api/v1/me").await, 401, "invalid_token").await;
        app.login("13700000002", "third-mountain-home").await;
    }

    async fn a_disabled_account_is_refused_on_its_next_request(app) {
        let w = World::build(&app).await;
        let staff_id = account_id(&app, &w.staff_a).await;
        let leader_id = account_id(&app, &w.leader).await;
        // Staff may not disable; a site administrator of another site does not see the account.
        problem(app.post_as(&w.staff_a, &format!("/api/v1/accounts/{leader_id}/disable"), &json!({"reason": "离职"})).await, 403, "forbidden").await;
        problem(app.post_as(&w.site_admin_a, &format!("/api/v1/accounts/{}/disable", account_id(&app, &w.staff_b).await), &json!({"reason": "离职"})).await, 404, "not_found").await;
        let site_admin_id = account_id(&app, &w.site_admin_a).await;
        problem(app.post_as(&w.site_admin_a, &format!("/api/v1/accounts/{site_admin_id}/disable"), &json!({"reason": "自己"})).await, 409, "cannot_disable_self").await;
        // The site administrator lists its site's accounts and disables one of staff.
        let listed: Value = app.get_as(&w.site_admin_a, "/api/v1/accounts?role=staff").await.json().await.unwrap();
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
        assert_eq!(listed["items"][0]["id"], staff_id.as_str());
        assert_eq!(listed["items"][0]["phone"], "139****0010");
        let disabled: Value = app.post_as(&w.site_admin_a, &format!("/api/v1/accounts/{staff_id}/disable"), &json!({"reason": "离职"})).await.json().await.unwrap();
        assert_eq!(disabled["disabled"], true);
        problem(app.get_as(&w.staff_a, "/api/v1/me").await, 401, "invalid_token").await;
        problem(app.post_json("/api/v1/auth/login", &json!({"phone": "13900000010", "password": PASSWORD})).await, 401, "invalid_credentials").await;
        // Enabled again, it logs in afresh; tokens from before stay dead.
        let enabled: Value = app.post_as(&w.admin, &format!("/api/v1/accounts/{staff_id}/enable"), &json!({"reason": "返岗"})).await.json().await.unwrap();
        assert_eq!(enabled["disabled"], false);
        problem(app.get_as(&w.staff_a, "/api/v1/me").await, 401, "invalid_token").await;
        let fresh = app.login("13900000010", PASSWORD).await;
        assert_eq!(me_status(&app, fresh["access_token"].as_str().unwrap()).await, 200);
        let audit: Value = app.get_as(&w.admin, "/api/v1/audit-events").await.json().await.unwrap();
        assert_eq!(audit["items"][0]["action"], "account.enable");
        assert_eq!(audit["items"][1]["action"], "account.disable");
        assert_eq!(audit["items"][1]["reason"], "离职");
    }

    async fn a_retried_refresh_gets_the_same_successor(app) {
        let first = app.login(ADMIN_PHONE, ADMIN_PASSWORD).await;
        let r1 = first["refresh_token"].clone();
        // Two refreshes of one token at once (a phone retrying): both get the same new token.
        let body = json!({"refresh_token": r1});
        let (a, b) = tokio::join!(
            app.post_json("/api/v1/auth/refresh", &body),
            app.post_json("/api/v1/auth/refresh", &body),
        );
        assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
        let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
        assert_eq!(a["refresh_token"], b["refresh_token"]);
        assert_ne!(a["refresh_token"], r1);
        // The successor works once; the session goes on.
        let c: Value = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": a["refresh_token"]})).await.json().await.unwrap();
        assert!(c["refresh_token"].is_string());
        // The first token again, now that its successor is used: a copy. The session ends.
        problem(app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": r1})).await, 401, "invalid_refresh_token").await;
        problem(app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": c["refresh_token"]})).await, 401, "invalid_refresh_token").await;
    }

    async fn logout_can_unregister_the_device(app) {
        let w = World::build(&app).await;
        let session = app.login("13700000002", PASSWORD).await;
        let token = session["access_token"].as_str().unwrap();
        let device: Value = created(app.post_as(token, "/api/v1/me/devices", &json!({"platform": "android", "provider": "jpush", "token": "device-token-r1"})).await).await;
        let other: Value = created(app.post_as(token, "/api/v1/me/devices", &json!({"platform": "android", "provider": "jpush", "token": "device-token-r1-b"})).await).await;
        // Another resident cannot remove it.
        problem(app.send_as(reqwest::Method::DELETE, &w.resident_2, &format!("/api/v1/me/devices/{}", other["id"].as_str().unwrap()), &json!({})).await, 404, "not_found").await;
        assert_eq!(app.send_as(reqwest::Method::DELETE, token, &format!("/api/v1/me/devices/{}", other["id"].as_str().unwrap()), &json!({})).await.status(), 204);
        assert_eq!(app.post_json("/api/v1/auth/logout", &json!({"refresh_token": session["refresh_token"], "device_id": device["id"]})).await.status(), 204);
        use sea_orm::{EntityTrait, PaginatorTrait};
        assert_eq!(entity::notify::device::Entity::find().count(app.db.conn()).await.unwrap(), 0);
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
