//! No response rebuilds an ID number. Every principal calls every route that shows a resident
//! (lists, single records, households, creation and its idempotent replay, edits, the caller's
//! own record, printed sheets), and a rebuilder that knows the site's region codes tries to
//! turn what each response shows of a resident (masked number, birth date or age, gender) into
//! the full number. It must always be left with more than one candidate.

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use crate::{
    both_backends,
    world::{World, id_card},
};

/// The region codes of the site (the world's residents are all from 990101), as an attacker
/// would know them.
const REGIONS: [&str; 4] = ["990101", "990102", "411224", "411221"];

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize]
}

fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// What a response shows of one resident.
#[derive(Debug, Default, Clone)]
struct Shown {
    masked: Option<String>,
    birth_date: Option<NaiveDate>,
    age: Option<u32>,
    male: Option<bool>,
}

/// How many ID numbers fit what is shown (stops counting at 2: one is a rebuilt number).
fn candidates(shown: &Shown) -> usize {
    let masked: Vec<u8> = shown
        .masked
        .clone()
        .unwrap_or_else(|| "*".repeat(18))
        .into_bytes();
    assert_eq!(masked.len(), 18, "{shown:?}");
    let fits = |i: usize, c: u8| masked[i] == b'*' || masked[i].eq_ignore_ascii_case(&c);
    let dates: Vec<NaiveDate> = match (shown.birth_date, shown.age) {
        (Some(d), _) => vec![d],
        (None, Some(age)) => {
            let mut out = Vec::new();
            let mut d = NaiveDate::from_ymd_opt(today().year() - age as i32 - 1, 1, 1).unwrap();
            while d <= today() {
                if today().years_since(d) == Some(age) {
                    out.push(d);
                }
                d = d.succ_opt().unwrap();
            }
            out
        }
        (None, None) => {
            let mut out = Vec::new();
            let mut d = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
            while d <= today() {
                out.push(d);
                d = d.succ_opt().unwrap();
            }
            out
        }
    };
    let mut found = 0;
    for region in REGIONS {
        if !region.bytes().enumerate().all(|(i, c)| fits(i, c)) {
            continue;
        }
        for date in &dates {
            let digits = date.format("%Y%m%d").to_string();
            if !digits.bytes().enumerate().all(|(i, c)| fits(6 + i, c)) {
                continue;
            }
            for seq in 0..1000u32 {
                let seq = format!("{seq:03}");
                let male = (seq.as_bytes()[2] - b'0') % 2 == 1;
                if shown.male.is_some_and(|m| m != male) {
                    continue;
                }
                if !seq.bytes().enumerate().all(|(i, c)| fits(14 + i, c)) {
                    continue;
                }
                let first17 = format!("{region}{digits}{seq}");
                if fits(17, check_char(first17.as_bytes())) {
                    found += 1;
                    if found > 1 {
                        return found;
                    }
                }
            }
        }
    }
    found
}

/// Every resident object in `body` (an object with an `id` of a known resident), and what it
/// shows.
fn shown_in(body: &Value, known: &[(String, String)], out: &mut Vec<(String, Shown)>) {
    match body {
        Value::Object(map) => {
            if let Some(id) = map.get("id").and_then(Value::as_str)
                && known.iter().any(|(k, _)| k == id)
            {
                out.push((
                    id.to_owned(),
                    Shown {
                        masked: map
                            .get("id_card_number")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                        birth_date: map
                            .get("birth_date")
                            .and_then(Value::as_str)
                            .and_then(|d| d.parse().ok()),
                        age: map.get("age").and_then(Value::as_u64).map(|a| a as u32),
                        male: map
                            .get("gender")
                            .and_then(Value::as_str)
                            .map(|g| g == "male"),
                    },
                ));
            }
            for v in map.values() {
                shown_in(v, known, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| shown_in(v, known, out)),
        _ => {}
    }
}

/// Checks one response body: it holds no full number, and no resident in it can be rebuilt.
/// Returns how many resident objects it showed.
fn check(who: &str, what: &str, text: &str, known: &[(String, String)], leader: bool) -> usize {
    for (_, number) in known {
        assert!(
            !text.contains(number.as_str()) && !text.contains(&number.to_lowercase()),
            "{who} {what}: the full ID number is in the response"
        );
    }
    let Ok(body) = serde_json::from_str::<Value>(text) else {
        return 0;
    };
    let mut shown = Vec::new();
    shown_in(&body, known, &mut shown);
    for (id, s) in &shown {
        if leader {
            assert!(
                s.birth_date.is_none(),
                "{who} {what}: a group leader sees a birth date"
            );
        }
        assert!(
            candidates(s) > 1,
            "{who} {what}: resident {id} can be rebuilt from {s:?}"
        );
    }
    shown.len()
}

#[test]
fn the_rebuilder_rebuilds_the_old_mask() {
    // The mask before this rule (region, eight stars, last four) with the birth date beside it
    // is exactly one number: the checker above would catch it.
    let card = id_card(12, (1950, 6, 1), false);
    let full = card.expose();
    let old = Shown {
        masked: Some(format!("{}********{}", &full[..6], &full[14..])),
        birth_date: NaiveDate::from_ymd_opt(1950, 6, 1),
        age: None,
        male: Some(false),
    };
    assert_eq!(candidates(&old), 1);
    let new = Shown {
        masked: Some(card.masked()),
        ..old
    };
    assert!(candidates(&new) > 1);
}

both_backends! {
    async fn no_response_lets_anyone_rebuild_an_id_number(app) {
        let w = World::build(&app).await;
        let cards = [
            (w.leader_id.clone(), id_card(11, (1975, 3, 8), true)),
            (w.resident_1_id.clone(), id_card(12, (1950, 6, 1), false)),
            (w.resident_2_id.clone(), id_card(13, (1990, 1, 20), true)),
            (w.resident_b_id.clone(), id_card(14, (1988, 9, 9), false)),
        ];
        let mut known: Vec<(String, String)> = cards.iter().map(|(id, c)| (id.clone(), c.expose().to_owned())).collect();
        // A resident created (and replayed) in the test, to cover POST and its replay.
        let new_card = id_card(41, (1968, 12, 24), true);
        let body = json!({"household_id": w.household_2, "name": "新来的", "id_card_number": new_card.expose(), "phone": "13700000041"});
        let post = |key: &'static str| {
            app.client.post(app.url("/api/v1/residents")).bearer_auth(&w.staff_a).header("idempotency-key", key).json(&body).send()
        };
        let first = post("privacy-1").await.unwrap();
        assert_eq!(first.status(), 201);
        let first = first.text().await.unwrap();
        let replay = post("privacy-1").await.unwrap();
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
        let replay = replay.text().await.unwrap();
        let new_id = serde_json::from_str::<Value>(&first).unwrap()["id"].as_str().unwrap().to_owned();
        known.push((new_id.clone(), new_card.expose().to_owned()));
        assert!(check("staff", "POST /residents", &first, &known, false) == 1);
        assert!(check("staff", "POST /residents (replayed)", &replay, &known, false) == 1);

        let principals = [
            ("platform admin", w.admin.as_str(), false),
            ("staff A", w.staff_a.as_str(), false),
            ("site admin A", w.site_admin_a.as_str(), false),
            ("staff B", w.staff_b.as_str(), false),
            ("group leader", w.leader.as_str(), true),
            ("resident 1", w.resident_1.as_str(), false),
            ("resident 2", w.resident_2.as_str(), false),
            ("resident B", w.resident_b.as_str(), false),
        ];
        let mut paths = vec![
            "/api/v1/me".to_owned(),
            "/api/v1/residents?limit=100".to_owned(),
            format!("/api/v1/residents?group_id={}", w.group_1),
            format!("/api/v1/residents?household_id={}", w.household_2),
            "/api/v1/residents?working_age=true".to_owned(),
            "/api/v1/residents?job_seeking=true".to_owned(),
            format!("/api/v1/reports/points/publicity/{}", w.group_1),
            "/api/v1/reports/employment".to_owned(),
            "/api/v1/audit-events?limit=100".to_owned(),
        ];
        for (id, _) in &known {
            paths.push(format!("/api/v1/residents/{id}"));
        }
        for household in [&w.household_1, &w.household_2, &w.household_b] {
            paths.push(format!("/api/v1/households/{household}"));
        }
        let mut residents_seen = 0;
        for (who, token, leader) in principals {
            for path in &paths {
                let response = app.get_as(token, path).await;
                let status = response.status().as_u16();
                assert!(status < 500, "{who} GET {path}: {status}");
                let text = response.text().await.unwrap();
                residents_seen += check(who, path, &text, &known, leader);
            }
            // An edit answers with the record too.
            let edit = app.send_as(reqwest::Method::PATCH, token, &format!("/api/v1/residents/{}", w.resident_1_id), &json!({"skills": ["保洁"], "reason": "核对"})).await;
            let text = edit.text().await.unwrap();
            residents_seen += check(who, "PATCH /residents/{id}", &text, &known, leader);
        }
        // The matrix did see residents (so the checks above checked something): every
        // principal but the other site's sees some.
        assert!(residents_seen > 40, "{residents_seen}");
        // And a leader's view shows ages.
        let mine: Value = app.get_as(&w.leader, &format!("/api/v1/residents/{}", w.resident_1_id)).await.json().await.unwrap();
        assert!(mine["age"].as_u64().unwrap() >= 75);
        assert!(mine.get("birth_date").is_none());
        let staff: Value = app.get_as(&w.staff_a, &format!("/api/v1/residents/{}", w.resident_1_id)).await.json().await.unwrap();
        assert_eq!(staff["birth_date"], "1950-06-01");
        assert_eq!(staff["id_card_number"], cards[1].1.masked());
    }
}
