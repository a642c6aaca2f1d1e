//! The committed `openapi/openapi.json` is what the code generates, and it is well-formed.

#[allow(unused_imports)]
use crate::{both_backends, helpers::*};

const COMMITTED: &str = include_str!("../../../openapi/openapi.json");

#[test]
fn the_committed_spec_matches_the_code() {
    let generated = api::openapi::to_pretty_json();
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json"),
            &generated,
        )
        .unwrap();
        return;
    }
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is stale: regenerate it with \
         `cargo run -p api -- openapi > openapi/openapi.json`"
    );
}

/// Every `$ref` names a schema the document defines (a client generator refuses the document
/// otherwise).
#[test]
fn every_reference_resolves() {
    fn refs<'a>(value: &'a serde_json::Value, found: &mut Vec<&'a str>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v.as_str()) {
                        ("$ref", Some(target)) => found.push(target),
                        _ => refs(v, found),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let mut found = Vec::new();
    refs(&spec, &mut found);
    assert!(found.len() > 100);
    let missing: Vec<&str> = found
        .into_iter()
        .filter(|r| {
            r.strip_prefix("#/components/schemas/")
                .is_none_or(|name| spec["components"]["schemas"][name].is_null())
        })
        .collect();
    assert!(missing.is_empty(), "unresolved references: {missing:?}");
}

#[test]
fn every_error_response_is_a_problem_document() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    let mut operations = 0;
    let mut ids = std::collections::HashSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            assert!(ids.insert(id.clone()), "operationId {id} is not unique");
            assert!(
                op["summary"].is_string() || op["description"].is_string(),
                "{method} {path} is undocumented"
            );
            for (status, response) in op["responses"].as_object().unwrap() {
                if path == "/api/v1/auth/token" && status.starts_with('4') {
                    // OAuth 2.0 token errors have the JSON shape RFC 6749 §5.2 prescribes.
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(schema, "#/components/schemas/OAuthError", "{path} {status}");
                } else if status.starts_with('4') || status.starts_with('5') {
                    let schema = &response["content"]["application/problem+json"]["schema"]["$ref"];
                    assert_eq!(
                        schema, "#/components/schemas/Problem",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
    assert!(operations >= 3);
}

both_backends! {
    async fn the_served_spec_is_the_committed_one(app) {
        let served: serde_json::Value = app.get("/api-docs/openapi.json").await.json().await.unwrap();
        let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
        assert_eq!(served, committed);
    }
}
