//! One text rule at the edge: control characters are refused with a 4xx naming the field, text is
//! normalised to NFC, and no text anywhere (JSON, query string, form, path, CSV) reaches the
//! database in a form that makes it fail (PostgreSQL refuses NUL in text, which was a 500).
//! Then a property test: the auth routes take arbitrary Unicode and never answer 5xx.

use serde_json::{Value, json};

use crate::{
    both_backends,
    helpers::*,
    world::{World, created},
};

/// Makes a request body from random text.
type BodyMaker = fn(&mut Rng) -> Value;

/// A small deterministic generator (xorshift), so a failure can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A string of awkward text: control characters, NUL, combining marks, full-width and
    /// Chinese characters, emoji, bidi overrides, lone quotes and backslashes, anything in the
    /// Unicode range.
    fn text(&mut self) -> String {
        const SPECIAL: &[char] = &[
            '\u{0}',
            '\u{1}',
            '\u{7}',
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{200b}',
            '\u{202e}',
            '\u{2028}',
            '\u{feff}',
            '\u{fffd}',
            '\u{301}',
            '\u{ff11}',
            '\u{ff38}',
            '"',
            '\\',
            '\'',
            '%',
            '&',
            '<',
            '\n',
            '\t',
            '兴',
            '贤',
            '里',
            'é',
            '😀',
            '\u{10ffff}',
            '𠀀',
        ];
        let len = self.below(24);
        (0..len)
            .map(|_| match self.below(4) {
                0 => SPECIAL[self.below(SPECIAL.len() as u64) as usize],
                1 => char::from(b'0' + self.below(10) as u8),
                2 => char::from_u32(0x4E00 + self.below(0x5000) as u32).unwrap_or('x'),
                _ => loop {
                    if let Some(c) = char::from_u32(self.below(0x11_0000) as u32) {
                        break c;
                    }
                },
            })
            .collect()
    }
}

both_backends! {
    async fn control_characters_are_refused_by_field_and_text_is_normalised(app) {
        let w = World::build(&app).await;
        // NUL in a JSON field: the PostgreSQL 500 found by fuzzing, now a 422 naming the field.
        let campaign = json!({
            "category": "environment", "title": "楼道\u{0}整治", "rules": "每次计 5 分。",
            "period_start": "2026-11-01", "period_end": "2026-12-31"
        });
        let p = problem(app.post_as(&w.staff_a, "/api/v1/points/campaigns", &campaign).await, 422, "validation_failed").await;
        assert!(p["errors"]["title"].as_str().unwrap().contains("control characters"), "{p}");
        // Escape sequences and other C0/C1 controls, nested fields too.
        let p = problem(app.post_as(&w.staff_a, "/api/v1/residents", &json!({
            "household_id": w.household_1, "name": "张\u{1b}[31m三", "id_card_number": "x", "skills": ["ok", "bad\u{85}"]
        })).await, 422, "validation_failed").await;
        assert!(p["errors"]["name"].is_string() && p["errors"]["skills[1]"].is_string(), "{p}");
        // In a query string (400, naming the parameter), a path segment, a form.
        let p = problem(app.get_as(&w.resident_1, "/api/v1/jobs?q=%E7%94%B5%00%E7%84%8A").await, 400, "invalid_query").await;
        assert!(p["errors"]["q"].is_string(), "{p}");
        let r = app.client.post(app.url("/api/v1/auth/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&client_id=a%00b&client_secret=c").send().await.unwrap();
        assert_eq!(r.status(), 400);
        // Decomposed text is stored composed: the name typed on another phone is the same name.
        created(app.post_as(&w.admin, "/api/v1/sites", &json!({"name": "Cafe\u{301}社区", "code": "cafe"})).await).await;
        let sites: Value = app.get_as(&w.admin, "/api/v1/sites?limit=100").await.json().await.unwrap();
        assert!(sites["items"].as_array().unwrap().iter().any(|s| s["name"] == "Caf\u{e9}社区"), "{sites}");
        // CSV cells follow the same rule.
        let csv = "committee,group,building,household,name,gender,birth_date,id_card_number\n\
                   一,1组,1号楼,1-1,张\u{0}三,男,1980-01-01,11010519800101001X\n";
        let r = app.client.post(app.url(&format!("/api/v1/sites/{}/residents/import", w.site_a)))
            .bearer_auth(&w.staff_a).header("content-type", "text/csv").body(csv.as_bytes().to_vec()).send().await.unwrap();
        let p = problem(r, 422, "import_invalid").await;
        assert_eq!(p["rows"][0]["column"], "name", "{p}");
    }

    async fn the_auth_routes_take_any_unicode_without_a_5xx(app) {
        let seed = std::env::var("TEXT_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_2026_u64);
        let mut rng = Rng(seed);
        let routes: [(&str, BodyMaker); 8] = [
            ("/api/v1/auth/login", |r| json!({"phone": r.text(), "password": r.text()})),
            ("/api/v1/auth/sms-codes", |r| json!({"phone": r.text(), "purpose": r.text()})),
            ("/api/v1/auth/sms-login", |r| json!({"phone": r.text(), "code": r.text()})),
            ("/api/v1/auth/activate", |r| json!({"phone": r.text(), "code": r.text(), "id_card_last6": r.text(), "password": r.text()})),
            ("/api/v1/auth/password-reset", |r| json!({"phone": r.text(), "code": r.text(), "password": r.text()})),
            ("/api/v1/auth/refresh", |r| json!({"refresh_token": r.text()})),
            ("/api/v1/auth/logout", |r| json!({"refresh_token": r.text()})),
            ("/api/v1/auth/employers", |r| json!({
                "organisation_name": r.text(), "credit_code": r.text(), "contact_name": r.text(),
                "contact_phone": r.text(), "phone": r.text(), "code": r.text(), "password": r.text()
            })),
        ];
        let mut statuses = std::collections::BTreeMap::new();
        for round in 0..150 {
            for (path, body) in &routes {
                let body = body(&mut rng);
                // Some phones valid, so that the checks behind the phone run too.
                let mut body = body;
                if round % 3 == 0 && body.get("phone").is_some() {
                    body["phone"] = json!(format!("1370000{:04}", rng.below(10_000)));
                }
                let response = app.post_json(path, &body).await;
                let status = response.status().as_u16();
                assert!(status < 500, "seed {seed:#x} round {round}: {path} {body} answered {status}");
                if status >= 400 {
                    assert_eq!(response.headers()["content-type"], "application/problem+json");
                }
                *statuses.entry(status).or_insert(0) += 1;
            }
            // A raw body with arbitrary bytes, too.
            let bytes: Vec<u8> = (0..rng.below(64)).map(|_| rng.below(256) as u8).collect();
            let r = app.client.post(app.url("/api/v1/auth/login")).header("content-type", "application/json").body(bytes).send().await.unwrap();
            assert!(r.status().as_u16() < 500);
        }
        // The rounds reached the checks past parsing (401s and 429s), not just the 400s.
        assert!(statuses.keys().any(|s| *s == 401 || *s == 429), "{statuses:?}");
    }
}
