//! The JSON API: its OpenAPI document lists every route, errors are JSON with every problem,
//! bearer tokens and cookie sessions both work, and cookie-authenticated changes need the CSRF
//! header.

use gongkai_service::DEMO_PASSWORD;
use gongkai_testkit::{TestApp, all_databases, services};
use serde_json::json;

/// Reads `crates/web/src/api.rs` and returns every (method, path) registered in `routes()`.
fn registered_api_routes() -> Vec<(String, String)> {
    let source = include_str!("../../web/src/api.rs");
    let body = source
        .split("pub fn routes()")
        .nth(1)
        .and_then(|rest| rest.split("\n}\n").next())
        .unwrap_or("");
    let mut routes = Vec::new();
    for line in body.lines() {
        let Some(start) = line.find(".route(\"") else {
            continue;
        };
        let rest = &line[start + 8..];
        let Some(end) = rest.find('"') else { continue };
        let path = rest[..end].to_string();
        for method in ["get", "post", "put", "delete", "patch"] {
            if rest.contains(&format!("{method}(")) {
                routes.push((method.to_string(), path.clone()));
            }
        }
    }
    routes
}

#[test]
fn every_api_route_is_in_the_openapi_document() {
    let routes = registered_api_routes();
    assert!(routes.len() >= 15, "route parsing found only {routes:?}");
    let document = gongkai_web::api::openapi_document();
    for (method, path) in &routes {
        let operation = &document["paths"][format!("/api/v1{path}")][method];
        assert!(
            operation.is_object(),
            "{method} {path} is missing from the OpenAPI document"
        );
    }
    // And nothing documented is missing from the router.
    for (method, path, _, _) in gongkai_web::api::API_ROUTES {
        assert!(
            routes.iter().any(|(m, p)| m == method && p == path),
            "{method} {path} is documented but not routed"
        );
    }
    assert_eq!(document["openapi"], "3.1.0");
}

#[tokio::test]
async fn openapi_is_served_and_unknown_api_paths_are_json_404() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut app = TestApp::new(services(&db.db)).await?;
        let doc = app.get("/api/v1/openapi.json").await?;
        assert_eq!(doc.status, 200);
        assert_eq!(doc.json()["info"]["title"], "Gongkai API");
        let missing = app.get("/api/v1/nothing-here").await?;
        assert_eq!(missing.status, 404);
        assert_eq!(missing.json()["error"]["code"], "not_found");
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn api_register_login_and_tokens() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut app = TestApp::new(services(&db.db)).await?;
        let bad = app
            .send_json(
                "POST",
                "/api/v1/auth/register",
                &json!({ "email": "x", "password": "1" }),
                None,
            )
            .await?;
        assert_eq!(bad.status, 422, "{}", db.label);
        let fields: Vec<String> = bad.json()["error"]["problems"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| p["field"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            fields,
            ["email", "display_name", "password", "password_confirmation"]
        );
        assert!(bad.json()["error"]["problems"][0]["message_zh"].is_string());
        let not_json = app
            .send(
                axum::http::Request::post("/api/v1/auth/login")
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from("{oops"))?,
            )
            .await?;
        assert_eq!(not_json.status, 400);
        assert_eq!(not_json.json()["error"]["code"], "invalid_json");
        let login = app
            .send_json(
                "POST",
                "/api/v1/auth/login",
                &json!({ "identifier": "admin@demo.gongkai.cn", "password": DEMO_PASSWORD }),
                None,
            )
            .await?;
        assert_eq!(login.status, 200);
        assert_eq!(login.json()["account"]["is_staff"], true);
        // With the cookie session, a change without the CSRF header is refused...
        let no_header = app
            .send_json("POST", "/api/v1/me/tokens", &json!({ "name": "ci" }), None)
            .await?;
        assert_eq!(no_header.status, 403);
        assert_eq!(no_header.json()["error"]["code"], "csrf");
        // ...and accepted with it.
        let csrf = app.get("/api/v1/csrf").await?.json()["csrf_token"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let with_header = app
            .send(
                axum::http::Request::post("/api/v1/me/tokens")
                    .header("content-type", "application/json")
                    .header("x-csrf-token", &csrf)
                    .body(axum::body::Body::from(json!({ "name": "ci" }).to_string()))?,
            )
            .await?;
        assert_eq!(with_header.status, 201, "{}", with_header.body);
        let token = with_header.json()["token"]
            .as_str()
            .unwrap_or("")
            .to_string();
        // A fresh client with only the bearer token needs no CSRF header.
        let mut bearer = app.fresh_client();
        let me = bearer
            .send_json("GET", "/api/v1/me", &json!({}), Some(&token))
            .await?;
        assert_eq!(me.json()["account"]["email"], "admin@demo.gongkai.cn");
        let city = bearer
            .send_json("GET", "/api/v1/agencies/demo-city", &json!({}), None)
            .await?;
        assert!(
            city.json()["departments"]
                .as_array()
                .is_some_and(|d| d.len() >= 6)
        );
        let city_id = city.json()["id"].as_str().unwrap_or("").to_string();
        let department = bearer
            .send_json(
                "POST",
                &format!("/api/v1/agencies/{city_id}/departments"),
                &json!({ "name_zh": "市审计局" }),
                Some(&token),
            )
            .await?;
        assert_eq!(department.status, 201, "{}", department.body);
        let staff = bearer
            .send_json(
                "POST",
                "/api/v1/agencies/demo-city/staff",
                &json!({ "email": "api-staff@example.cn", "display_name": "接口人员", "initial_password": "api staff password", "role": "liaison" }),
                Some(&token),
            )
            .await?;
        assert_eq!(staff.status, 201, "{}", staff.body);
        let events = bearer
            .send_json(
                "GET",
                "/api/v1/security-events?limit=5",
                &json!({}),
                Some(&token),
            )
            .await?;
        assert_eq!(events.json()["events"].as_array().map(Vec::len), Some(5));
        let wrong_token = bearer
            .send_json("GET", "/api/v1/me", &json!({}), Some("gk_nonsense"))
            .await?;
        assert_eq!(wrong_token.status, 401);
        let anonymous = app
            .fresh_client()
            .send_json("GET", "/api/v1/me", &json!({}), None)
            .await?;
        assert_eq!(anonymous.status, 401);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn nul_characters_are_refused_on_every_database() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut app = TestApp::new(services(&db.db)).await?;
        let login = app
            .send_json(
                "POST",
                "/api/v1/auth/login",
                &json!({ "identifier": "admin@demo.gongkai.cn", "password": DEMO_PASSWORD }),
                None,
            )
            .await?;
        assert_eq!(login.status, 200);
        let csrf = app.get("/api/v1/csrf").await?.json()["csrf_token"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let token = app
            .send(
                axum::http::Request::post("/api/v1/me/tokens")
                    .header("content-type", "application/json")
                    .header("x-csrf-token", &csrf)
                    .body(axum::body::Body::from(
                        json!({ "name": "a\u{0}b" }).to_string(),
                    ))?,
            )
            .await?;
        assert_eq!(token.status, 422, "{}: {}", db.label, token.body);
        let staff = app
            .send(
                axum::http::Request::post("/api/v1/agencies/demo-city/staff")
                    .header("content-type", "application/json")
                    .header("x-csrf-token", &csrf)
                    .body(axum::body::Body::from(
                        json!({ "email": "nul@example.cn", "display_name": "\u{0}", "initial_password": "long enough password", "role": "clerk" }).to_string(),
                    ))?,
            )
            .await?;
        assert_eq!(staff.status, 422, "{}", staff.body);
        db.finish().await;
    }
    Ok(())
}
