use std::collections::HashSet;

use serde_json::json;

use crate::{both_backends, fixture, helpers::*};

both_backends! {
    routes = fixture::routes;

    async fn pages_cover_every_item_once_newest_first(app) {
        for i in 0..7 {
            let body = json!({"name": format!("w{i}"), "size": i, "dims": {"width": 1}});
            assert_eq!(app.post_json("/test/widgets", &body).await.status(), 201);
        }
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let path = match &cursor {
                Some(c) => format!("/test/widgets?limit=3&cursor={c}"),
                None => "/test/widgets?limit=3".to_owned(),
            };
            let page: serde_json::Value = app.get(&path).await.json().await.unwrap();
            pages += 1;
            for item in page["items"].as_array().unwrap() {
                seen.push(item["name"].as_str().unwrap().to_owned());
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(seen, ["w6", "w5", "w4", "w3", "w2", "w1", "w0"]);
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 7);
    }

    async fn the_default_page_is_20(app) {
        let page: serde_json::Value = app.get("/test/widgets").await.json().await.unwrap();
        assert_eq!(page, json!({"items": [], "next_cursor": null}));
    }

    async fn a_bad_cursor_is_400(app) {
        problem(app.get("/test/widgets?cursor=%%%").await, 400, "invalid_cursor").await;
        problem(app.get("/test/widgets?cursor=bm90LWpzb24").await, 400, "invalid_cursor").await;
        problem(app.get("/test/widgets?cursor=IjEyMyI").await, 400, "invalid_cursor").await;
    }
}
