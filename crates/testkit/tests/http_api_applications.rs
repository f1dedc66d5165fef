//! The application workflow through the JSON API, on SQLite and PostgreSQL: the whole path
//! from submission to an issued reply with bearer tokens, idempotent submission, version
//! conflicts (409), rule refusals (422 with the rule's code), garbage bodies answered with a
//! 4xx that lists every problem, staff registration, the inbox, and an applicant who cannot
//! see another's application.

use axum::body::Body;
use axum::http::Request;
use gongkai_domain::application::{Command, ConsultationParty};
use gongkai_service::DEMO_PASSWORD;
use gongkai_testkit::{TestApp, TestResponse, all_databases, services};
use serde_json::{Value, json};
use time::macros::date;

const DESCRIPTION: &str = "请公开《示范市2025年公共停车场建设规划》全文";

fn form(idempotency_key: &str) -> Value {
    json!({
        "applicant_kind": "natural_person",
        "name": "张明",
        "identity_kind": "resident_id_card",
        "identity_number": "11010519491231002X",
        "contact_phone": "13800138000",
        "contact_email": "zhangming@example.cn",
        "information_description": DESCRIPTION,
        "form_preference": "electronic",
        "delivery_preference": "portal_download",
        "idempotency_key": idempotency_key,
    })
}

/// Signs in through the API with the session cookie and creates a bearer token with the CSRF
/// header, as a script would.
async fn token_for(app: &TestApp, email: &str) -> anyhow::Result<String> {
    let mut client = app.fresh_client();
    let login = client
        .send_json(
            "POST",
            "/api/v1/auth/login",
            &json!({ "identifier": email, "password": DEMO_PASSWORD }),
            None,
        )
        .await?;
    anyhow::ensure!(login.status == 200, "login {email}: {}", login.body);
    let csrf = client.get("/api/v1/csrf").await?.json()["csrf_token"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let created = client
        .send(
            Request::post("/api/v1/me/tokens")
                .header("content-type", "application/json")
                .header("x-csrf-token", &csrf)
                .body(Body::from(json!({ "name": "api test" }).to_string()))?,
        )
        .await?;
    anyhow::ensure!(created.status == 201, "token {email}: {}", created.body);
    Ok(created.json()["token"].as_str().unwrap_or("").to_string())
}

/// The (field, code) pairs of an error answer.
fn problems(response: &TestResponse) -> Vec<(String, String)> {
    response.json()["error"]["problems"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|p| {
                    (
                        p["field"].as_str().unwrap_or("").to_string(),
                        p["code"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn has_problem(response: &TestResponse, field: &str, code: &str) -> bool {
    problems(response)
        .iter()
        .any(|(f, c)| f == field && c == code)
}

/// A client without cookies that authenticates with bearer tokens only.
struct Api {
    client: TestApp,
}

impl Api {
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        body: Value,
        token: &str,
    ) -> anyhow::Result<TestResponse> {
        let token = (!token.is_empty()).then_some(token);
        self.client
            .send_json(method, &format!("/api/v1{path}"), &body, token)
            .await
    }

    async fn get(&mut self, path: &str, token: &str) -> anyhow::Result<TestResponse> {
        self.call("GET", path, json!({}), token).await
    }

    /// Runs a command with the given version; `fields` are merged into the body.
    async fn command(
        &mut self,
        token: &str,
        id: &str,
        version: i64,
        name: &str,
        fields: Value,
    ) -> anyhow::Result<TestResponse> {
        let mut body = json!({ "version": version, "command": name });
        if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
            body.extend(fields.clone());
        }
        self.call("POST", &format!("/applications/{id}/commands"), body, token)
            .await
    }

    /// Runs a command at the current version and requires success; returns the application.
    async fn step(
        &mut self,
        token: &str,
        id: &str,
        name: &str,
        fields: Value,
    ) -> anyhow::Result<Value> {
        let current = self.get(&format!("/applications/{id}"), token).await?;
        anyhow::ensure!(current.status == 200, "{name}: {}", current.body);
        let version = current.json()["version"].as_i64().unwrap_or(-1);
        let done = self.command(token, id, version, name, fields).await?;
        anyhow::ensure!(done.status == 200, "{name}: {} {}", done.status, done.body);
        let value = done.json();
        anyhow::ensure!(value["version"].as_i64() == Some(version + 1), "{name}");
        Ok(value)
    }
}

#[tokio::test]
async fn submit_and_handle_to_an_issued_reply_with_bearer_tokens() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let app = TestApp::new(services(&db.db)).await?;
        let applicant = token_for(&app, "applicant@demo.gongkai.cn").await?;
        let clerk = token_for(&app, "clerk@demo.gongkai.cn").await?;
        let reviewer = token_for(&app, "reviewer@demo.gongkai.cn").await?;
        let ogi = token_for(&app, "ogi@demo.gongkai.cn").await?;
        let mut api = Api {
            client: app.fresh_client(),
        };
        // The form's choices are public.
        let choices = api.get("/agencies/demo-city/application-form", "").await?;
        assert_eq!(choices.status, 200, "{}", db.label);
        let choices = choices.json();
        assert!(choices["applicant_kinds"].as_array().is_some_and(|k| {
            k.iter().any(|k| {
                k["code"] == "natural_person"
                    && k["label_zh"].is_string()
                    && k["label_en"].is_string()
            })
        }));
        for list in [
            "identity_kinds",
            "forms",
            "deliveries",
            "registration_channels",
        ] {
            assert!(
                choices[list].as_array().is_some_and(|l| !l.is_empty()),
                "{list}"
            );
        }
        assert_eq!(
            api.get("/agencies/no-such-agency/application-form", "")
                .await?
                .status,
            404
        );

        // Submitting needs a signed-in caller.
        let anonymous = api
            .call(
                "POST",
                "/agencies/demo-city/applications",
                form("key-1"),
                "",
            )
            .await?;
        assert_eq!(anonymous.status, 401);
        let submitted = api
            .call(
                "POST",
                "/agencies/demo-city/applications",
                form("key-1"),
                &applicant,
            )
            .await?;
        assert_eq!(submitted.status, 201, "{}", submitted.body);
        let application = submitted.json();
        let id = application["id"].as_str().unwrap_or("").to_string();
        assert_eq!(application["receipt_number"], "demo-city-2026-00001");
        assert_eq!(application["stage"]["code"], "submitted");
        assert_eq!(application["version"], 0);
        assert_eq!(
            application["applicant"]["identity_number_masked"],
            "110***********002X"
        );
        assert!(
            !submitted.body.contains("11010519491231002X"),
            "the identity number never leaves unmasked"
        );
        assert!(
            application["reply_due"].is_null(),
            "no clock before receipt"
        );
        assert!(
            application.get("draft").is_none(),
            "no draft for applicants"
        );
        assert!(application.get("precheck_suggestions").is_none());

        // The applicant's list; the staff queue (not for applicants).
        let mine = api.get("/applications", &applicant).await?;
        assert_eq!(mine.json()["applications"][0]["id"], id.as_str());
        assert_eq!(
            api.get("/staff/applications", &applicant).await?.status,
            403
        );
        let queue = api
            .get("/staff/applications?stage=submitted&limit=10", &clerk)
            .await?;
        assert_eq!(queue.status, 200, "{}", queue.body);
        assert_eq!(queue.json()["applications"][0]["id"], id.as_str());
        let staff_view = api.get(&format!("/applications/{id}"), &clerk).await?;
        assert!(staff_view.json()["precheck_suggestions"].is_array());
        assert!(staff_view.json()["draft"].is_null());

        // Confirm receipt: the statutory clock starts, with its derivation in both languages.
        let received = api
            .step(
                &clerk,
                &id,
                "confirm_receipt",
                json!({ "receipt_date": "2026-03-02" }),
            )
            .await?;
        assert_eq!(received["stage"]["code"], "received");
        assert_eq!(received["receipt_date"], "2026-03-02");
        assert_eq!(received["reply_due"]["date"], "2026-03-30");
        let reply_deadline = received["deadlines"]
            .as_array()
            .and_then(|all| all.iter().find(|d| d["kind"] == "reply").cloned())
            .unwrap_or(Value::Null);
        assert_eq!(reply_deadline["due"], "2026-03-30");
        assert_eq!(reply_deadline["status"]["code"], "open");
        assert!(
            reply_deadline["derivation"]["zh"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        );
        assert!(
            reply_deadline["derivation"]["en"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        );
        api.step(&clerk, &id, "accept", json!({})).await?;
        let city = api.get("/agencies/demo-city", "").await?.json();
        // The lead department is the clerk's and reviewer's own: department staff act only on
        // their department's applications.
        let d1 = app
            .services
            .login(
                "clerk@demo.gongkai.cn",
                gongkai_service::DEMO_PASSWORD,
                &gongkai_service::RequestOrigin::default(),
            )
            .await?
            .actor
            .grants
            .iter()
            .find_map(|g| g.department_id)
            .map(|d| d.to_string())
            .unwrap_or_default();
        let d2 = city["departments"]
            .as_array()
            .and_then(|all| {
                all.iter()
                    .filter_map(|d| d["id"].as_str())
                    .find(|id| *id != d1)
            })
            .unwrap_or("")
            .to_string();
        let assigned = api
            .step(
                &clerk,
                &id,
                "assign",
                json!({ "departments": [d1.to_uppercase(), d2], "lead": d1 }),
            )
            .await?;
        assert_eq!(assigned["stage"]["code"], "in_handling");
        assert_eq!(
            assigned["lead_department_id"],
            d1.as_str(),
            "ids are stored in canonical form"
        );
        // A department consultation with the default due date, answered by the reviewer.
        let consulting = api
            .step(
                &clerk,
                &id,
                "start_consultation",
                json!({ "party": "department", "party_name": "市财政局" }),
            )
            .await?;
        assert_eq!(consulting["consultations"][0]["due"], "2026-03-09");
        api.step(
            &reviewer,
            &id,
            "answer_consultation",
            json!({ "consultation_id": "c1", "answer": "同意公开" }),
        )
        .await?;
        // Without a body, the draft starts from the standard letter.
        let drafted = api
            .step(
                &clerk,
                &id,
                "draft_reply",
                json!({ "reply_kind": "disclosed" }),
            )
            .await?;
        assert_eq!(drafted["draft"]["reply_kind"]["code"], "disclosed");
        let body = drafted["draft"]["body"].as_str().unwrap_or("");
        assert!(body.contains("张明") && body.contains("行政复议"), "{body}");
        let in_review = api
            .step(&clerk, &id, "submit_for_review", json!({}))
            .await?;
        assert_eq!(in_review["stage"]["code"], "in_review");
        assert_eq!(in_review["review"]["next"], "department_reviewer");
        // Neither the applicant nor the clerk may approve.
        let version = in_review["version"].as_i64().unwrap_or(-1);
        for token in [&applicant, &clerk] {
            let refused = api
                .command(token, &id, version, "approve_review", json!({}))
                .await?;
            assert_eq!(refused.status, 403, "{}", refused.body);
            assert_eq!(refused.json()["error"]["code"], "forbidden");
        }
        api.step(
            &reviewer,
            &id,
            "approve_review",
            json!({ "comment": "同意" }),
        )
        .await?;
        let issued = api.step(&ogi, &id, "issue_reply", json!({})).await?;
        assert_eq!(issued["stage"]["code"], "issued");
        assert!(
            issued["reply_due"].is_null(),
            "a closed application has no due date"
        );

        // The applicant sees the reply and the milestones, never the internal steps.
        let seen = api.get(&format!("/applications/{id}"), &applicant).await?;
        assert_eq!(seen.status, 200);
        let seen = seen.json();
        assert_eq!(seen["stage"]["code"], "issued");
        assert_eq!(seen["reply"]["kind"]["code"], "disclosed");
        assert!(
            seen["reply"]["body"]
                .as_str()
                .is_some_and(|b| b.contains("张明"))
        );
        assert!(seen.get("draft").is_none());
        assert!(seen.get("review").is_none());
        let kinds: Vec<&str> = seen["timeline"]
            .as_array()
            .map(|t| t.iter().filter_map(|e| e["kind"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            kinds,
            ["submitted", "receipt_confirmed", "accepted", "reply_issued"]
        );
        assert!(
            seen["consultations"]
                .as_array()
                .is_some_and(|c| c.is_empty()),
            "department consultations are internal"
        );
        let staff_kinds = api
            .get(&format!("/applications/{id}"), &clerk)
            .await?
            .json()["timeline"]
            .as_array()
            .map(Vec::len);
        assert_eq!(staff_kinds, Some(10));

        // The inbox holds the notices of the milestones.
        let inbox = api.get("/me/inbox", &applicant).await?;
        assert_eq!(inbox.status, 200);
        let notice_kinds: Vec<String> = inbox.json()["notices"]
            .as_array()
            .map(|n| {
                n.iter()
                    .filter_map(|n| n["kind"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        for kind in ["application_received", "receipt_confirmed", "reply_issued"] {
            assert!(
                notice_kinds.iter().any(|k| k == kind),
                "{kind} in {notice_kinds:?}"
            );
        }
        assert!(
            inbox.json()["notices"]
                .as_array()
                .is_some_and(|n| n.iter().all(|n| n["application_id"] == id.as_str()))
        );
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn submission_is_idempotent_per_account_and_agency() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let app = TestApp::new(services(&db.db)).await?;
        let applicant = token_for(&app, "applicant@demo.gongkai.cn").await?;
        let clerk = token_for(&app, "clerk@demo.gongkai.cn").await?;
        let mut api = Api {
            client: app.fresh_client(),
        };
        let path = "/agencies/demo-city/applications";
        let first = api.call("POST", path, form("retry-me"), &applicant).await?;
        assert_eq!(first.status, 201, "{} {}", db.label, first.body);
        // A retry answers 200 with the same application, even after it moved on.
        let id = first.json()["id"].as_str().unwrap_or("").to_string();
        api.step(&clerk, &id, "confirm_receipt", json!({})).await?;
        let again = api.call("POST", path, form("retry-me"), &applicant).await?;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.json()["id"], id.as_str());
        assert_eq!(again.json()["stage"]["code"], "received");
        // The key is the applicant's own: another account with the same key gets its own.
        let other = api.call("POST", path, form("retry-me"), &clerk).await?;
        assert_eq!(other.status, 201, "{}", other.body);
        assert_ne!(other.json()["id"], id.as_str());
        assert_eq!(other.json()["receipt_number"], "demo-city-2026-00002");
        // The same key for another agency is a client error, not a silent answer.
        let elsewhere = api
            .call(
                "POST",
                "/agencies/demo-county/applications",
                form("retry-me"),
                &applicant,
            )
            .await?;
        assert_eq!(elsewhere.status, 409, "{}", elsewhere.body);
        assert_eq!(elsewhere.json()["error"]["code"], "idempotency_key_reused");
        // A new key is a new application; the key is required.
        let second = api.call("POST", path, form("another"), &applicant).await?;
        assert_eq!(second.status, 201);
        let mut keyless = form("");
        if let Some(object) = keyless.as_object_mut() {
            object.remove("idempotency_key");
        }
        let keyless = api.call("POST", path, keyless, &applicant).await?;
        assert_eq!(keyless.status, 422);
        assert_eq!(
            problems(&keyless),
            [("idempotency_key".into(), "required".into())]
        );
        let mine = api.get("/applications", &applicant).await?;
        assert_eq!(
            mine.json()["applications"].as_array().map(Vec::len),
            Some(2)
        );
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn conflicts_refusals_and_permissions() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let app = TestApp::new(services(&db.db)).await?;
        let applicant = token_for(&app, "applicant@demo.gongkai.cn").await?;
        let clerk = token_for(&app, "clerk@demo.gongkai.cn").await?;
        let ogi = token_for(&app, "ogi@demo.gongkai.cn").await?;
        let mut api = Api {
            client: app.fresh_client(),
        };
        let submitted = api
            .call(
                "POST",
                "/agencies/demo-city/applications",
                form("k"),
                &applicant,
            )
            .await?;
        let id = submitted.json()["id"].as_str().unwrap_or("").to_string();
        let received = api
            .command(&clerk, &id, 0, "confirm_receipt", json!({}))
            .await?;
        assert_eq!(received.status, 200, "{}", received.body);
        assert_eq!(
            received.json()["receipt_date"],
            "2026-03-02",
            "today by default"
        );
        // A second click with the version the caller saw before: 409 with the current state.
        let stale = api.command(&clerk, &id, 0, "accept", json!({})).await?;
        assert_eq!(stale.status, 409, "{} {}", db.label, stale.body);
        let error = &stale.json()["error"];
        assert_eq!(error["code"], "stale_version");
        assert_eq!(error["current_version"], 1);
        assert_eq!(error["current_stage"]["code"], "received");
        assert!(has_problem(&stale, "version", "stale_version"));
        assert!(error["message_zh"].as_str().is_some_and(|m| !m.is_empty()));
        // A command the stage does not allow: 409 wrong_stage.
        let early = api.command(&ogi, &id, 1, "issue_reply", json!({})).await?;
        assert_eq!(early.status, 409, "{}", early.body);
        assert_eq!(early.json()["error"]["code"], "wrong_stage");
        // A rule refusal: 422 with the rule's code as the problem, on its field.
        let too_long = api
            .command(
                &ogi,
                &id,
                1,
                "approve_extension",
                json!({ "working_days": 30, "reason": "需要调取档案" }),
            )
            .await?;
        assert_eq!(too_long.status, 422, "{}", too_long.body);
        assert_eq!(too_long.json()["error"]["code"], "extension_length");
        assert_eq!(
            problems(&too_long),
            [("working_days".into(), "extension_length".into())]
        );
        assert!(
            too_long.json()["error"]["problems"][0]["message_en"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        // The clerk may not approve an extension (Art. 33 needs the OGI office): 403.
        let clerk_extends = api
            .command(
                &clerk,
                &id,
                1,
                "approve_extension",
                json!({ "working_days": 10, "reason": "需要调取档案" }),
            )
            .await?;
        assert_eq!(clerk_extends.status, 403, "{}", clerk_extends.body);
        // Nothing was written by the refused commands.
        let view = api.get(&format!("/applications/{id}"), &clerk).await?;
        assert_eq!(view.json()["version"], 1);
        // An assignment whose lead is not among the departments is refused by the rule.
        api.step(&clerk, &id, "accept", json!({})).await?;
        let city = api.get("/agencies/demo-city", "").await?.json();
        let d1 = city["departments"][0]["id"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let d2 = city["departments"][1]["id"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let wrong_lead = api
            .command(
                &clerk,
                &id,
                2,
                "assign",
                json!({ "departments": [d1], "lead": d2 }),
            )
            .await?;
        assert_eq!(wrong_lead.status, 422, "{}", wrong_lead.body);
        assert_eq!(
            problems(&wrong_lead),
            [("lead".into(), "lead_not_assigned".into())]
        );
        // The applicant may withdraw; then staff archive it.
        let withdrawn = api
            .step(
                &applicant,
                &id,
                "withdraw",
                json!({ "reason": "已通过其他途径获得" }),
            )
            .await?;
        assert_eq!(withdrawn["stage"]["code"], "withdrawn");
        let archived = api.step(&clerk, &id, "archive", json!({})).await?;
        assert_eq!(archived["stage"]["code"], "archived");
        // With the session cookie, a command needs the CSRF header.
        let mut browser = app.fresh_client();
        browser
            .send_json(
                "POST",
                "/api/v1/auth/login",
                &json!({ "identifier": "clerk@demo.gongkai.cn", "password": DEMO_PASSWORD }),
                None,
            )
            .await?;
        let no_csrf = browser
            .send_json(
                "POST",
                &format!("/api/v1/applications/{id}/commands"),
                &json!({ "version": 4, "command": "archive" }),
                None,
            )
            .await?;
        assert_eq!(no_csrf.status, 403);
        assert_eq!(no_csrf.json()["error"]["code"], "csrf");
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn an_applicant_cannot_see_or_touch_another_applicants_application() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let app = TestApp::new(services(&db.db)).await?;
        let applicant = token_for(&app, "applicant@demo.gongkai.cn").await?;
        let mut api = Api {
            client: app.fresh_client(),
        };
        let submitted = api
            .call(
                "POST",
                "/agencies/demo-city/applications",
                form("mine"),
                &applicant,
            )
            .await?;
        let id = submitted.json()["id"].as_str().unwrap_or("").to_string();
        // A stranger registers through the API and makes a token.
        let mut stranger = app.fresh_client();
        let registered = stranger
            .send_json(
                "POST",
                "/api/v1/auth/register",
                &json!({
                    "email": "stranger@example.cn",
                    "display_name": "路人",
                    "password": "stranger password 1",
                    "password_confirmation": "stranger password 1",
                }),
                None,
            )
            .await?;
        assert_eq!(registered.status, 201, "{}", registered.body);
        let csrf = stranger.get("/api/v1/csrf").await?.json()["csrf_token"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let token = stranger
            .send(
                Request::post("/api/v1/me/tokens")
                    .header("content-type", "application/json")
                    .header("x-csrf-token", &csrf)
                    .body(Body::from(json!({ "name": "s" }).to_string()))?,
            )
            .await?
            .json()["token"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let seen = api.get(&format!("/applications/{id}"), &token).await?;
        assert_eq!(seen.status, 404, "{} {}", db.label, seen.body);
        assert_eq!(seen.json()["error"]["code"], "not_found");
        let acted = api
            .command(&token, &id, 0, "withdraw", json!({ "reason": "x" }))
            .await?;
        assert_eq!(acted.status, 404);
        let mine = api.get("/applications", &token).await?;
        assert_eq!(
            mine.json()["applications"].as_array().map(Vec::len),
            Some(0)
        );
        assert_eq!(
            api.get("/me/inbox", &token).await?.json()["notices"]
                .as_array()
                .map(Vec::len),
            Some(0)
        );
        // Still there for its applicant.
        assert_eq!(
            api.get(&format!("/applications/{id}"), &applicant)
                .await?
                .status,
            200
        );
        // Without a token: 401, with a wrong one: 401.
        assert_eq!(api.get("/applications", "").await?.status, 401);
        assert_eq!(api.get("/applications", "gk_nonsense").await?.status, 401);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn staff_register_applications_from_other_channels() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let app = TestApp::new(services(&db.db)).await?;
        let applicant = token_for(&app, "applicant@demo.gongkai.cn").await?;
        let clerk = token_for(&app, "clerk@demo.gongkai.cn").await?;
        let mut api = Api {
            client: app.fresh_client(),
        };
        let mut body = form("");
        if let Some(object) = body.as_object_mut() {
            object.remove("idempotency_key");
            object.insert("channel".into(), json!("post_signed_for"));
            object.insert("receipt_date".into(), json!("2026-02-27"));
            object.insert("delivery_preference".into(), json!("collect_in_person"));
            object.insert("form_preference".into(), json!("paper"));
        }
        let refused = api
            .call("POST", "/staff/applications", body.clone(), &applicant)
            .await?;
        assert_eq!(refused.status, 403, "{}", refused.body);
        let registered = api
            .call("POST", "/staff/applications", body.clone(), &clerk)
            .await?;
        assert_eq!(registered.status, 201, "{} {}", db.label, registered.body);
        let registered = registered.json();
        assert_eq!(registered["stage"]["code"], "received");
        assert_eq!(registered["channel"]["code"], "post_signed_for");
        assert_eq!(registered["receipt_date"], "2026-02-27");
        assert!(registered["reply_due"]["date"].is_string());
        assert_eq!(registered["agency"]["slug"], "demo-city");
        // Naming the agency works too; an unknown one is listed with the other problems.
        if let Some(object) = body.as_object_mut() {
            object.insert("agency".into(), json!("demo-city"));
        }
        let named = api
            .call("POST", "/staff/applications", body.clone(), &clerk)
            .await?;
        assert_eq!(named.status, 201, "{}", named.body);
        let garbage = api
            .call(
                "POST",
                "/staff/applications",
                json!({
                    "agency": "no-such-agency",
                    "channel": "telepathy",
                    "receipt_date": "yesterday",
                    "name": 7,
                }),
                &clerk,
            )
            .await?;
        assert_eq!(garbage.status, 422, "{}", garbage.body);
        for (field, code) in [
            ("agency", "invalid"),
            ("name", "invalid"),
            ("channel", "channel_invalid"),
            ("receipt_date", "date_invalid"),
            ("applicant_kind", "required"),
            ("information_description", "required"),
        ] {
            assert!(
                has_problem(&garbage, field, code),
                "{field} {code} in {:?}",
                problems(&garbage)
            );
        }
        let future = api
            .call(
                "POST",
                "/staff/applications",
                json!({ "channel": "fax", "receipt_date": "2099-01-01" }),
                &clerk,
            )
            .await?;
        assert_eq!(future.status, 422);
        assert!(has_problem(&future, "receipt_date", "date_in_future"));
        assert!(has_problem(&future, "name", "required"));
        db.finish().await;
    }
    Ok(())
}

/// One value of every command, so that a new command fails to compile here until the API
/// maps it (and `API_COMMANDS` documents it).
fn every_command() -> Vec<Command> {
    let day = date!(2026 - 03 - 02);
    let all = vec![
        Command::ConfirmReceipt { receipt_date: day },
        Command::RequestCorrection {
            items: vec![],
            due: day,
        },
        Command::SubmitCorrection {
            text: String::new(),
        },
        Command::LapseCorrection,
        Command::Accept,
        Command::Assign {
            departments: vec![],
            lead: String::new(),
        },
        Command::StartConsultation {
            id: String::new(),
            party: ConsultationParty::Department,
            party_name: String::new(),
            due: day,
        },
        Command::AnswerConsultation {
            id: String::new(),
            answer: String::new(),
        },
        Command::ApproveExtension {
            working_days: 1,
            reason: String::new(),
        },
        Command::FlagSensitivity { flags: vec![] },
        Command::DraftReply {
            reply_kind: String::new(),
            body: String::new(),
            withholds_information: false,
        },
        Command::SubmitForReview,
        Command::ApproveReview {
            comment: String::new(),
        },
        Command::RejectReview {
            reason: String::new(),
        },
        Command::IssueReply,
        Command::MarkDelivered {
            method: String::new(),
        },
        Command::Archive,
        Command::Withdraw {
            reason: String::new(),
        },
        Command::IssueFeeNotice {
            amount_fen: 1,
            method: String::new(),
            due: day,
        },
        Command::RecordFeePayment,
        Command::LapseFee,
        Command::RecordCommunication {
            contacted_on: day,
            method: gongkai_domain::application::CommunicationMethod::Phone,
            outcome: gongkai_domain::application::CommunicationOutcome::NeedClarified,
            summary: String::new(),
        },
    ];
    for command in &all {
        // Exhaustive on purpose: no wildcard.
        match command {
            Command::ConfirmReceipt { .. }
            | Command::RequestCorrection { .. }
            | Command::SubmitCorrection { .. }
            | Command::LapseCorrection
            | Command::Accept
            | Command::Assign { .. }
            | Command::StartConsultation { .. }
            | Command::AnswerConsultation { .. }
            | Command::ApproveExtension { .. }
            | Command::FlagSensitivity { .. }
            | Command::DraftReply { .. }
            | Command::SubmitForReview
            | Command::ApproveReview { .. }
            | Command::RejectReview { .. }
            | Command::IssueReply
            | Command::MarkDelivered { .. }
            | Command::Archive
            | Command::Withdraw { .. }
            | Command::IssueFeeNotice { .. }
            | Command::RecordFeePayment
            | Command::LapseFee
            | Command::RecordCommunication { .. } => {}
        }
    }
    all
}

#[test]
fn every_command_is_documented_in_the_api() {
    let documented: Vec<&str> = gongkai_web::api::API_COMMANDS
        .iter()
        .map(|(name, _)| *name)
        .collect();
    let names: Vec<&str> = every_command().iter().map(Command::name).collect();
    assert_eq!(documented, names);
    let document = gongkai_web::api::openapi_document();
    let schema = &document["paths"]["/api/v1/applications/{id}/commands"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"];
    assert_eq!(
        schema["properties"]["command"]["enum"]
            .as_array()
            .map(Vec::len),
        Some(names.len())
    );
    let queue = &document["paths"]["/api/v1/staff/applications"]["get"]["parameters"];
    assert!(
        queue
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["name"] == "due_before"))
    );
}

#[tokio::test]
async fn garbage_is_answered_with_a_4xx_listing_every_problem() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let app = TestApp::new(services(&db.db)).await?;
        let applicant = token_for(&app, "applicant@demo.gongkai.cn").await?;
        let clerk = token_for(&app, "clerk@demo.gongkai.cn").await?;
        let mut api = Api {
            client: app.fresh_client(),
        };
        let submit = "/agencies/demo-city/applications";
        // Wrong types and missing fields: every one listed at once.
        let typed = api
            .call(
                "POST",
                submit,
                json!({
                    "name": 5,
                    "identity_number": ["x"],
                    "contact_phone": "\u{0}",
                    "form_preference": "smoke signals",
                    "idempotency_key": { "k": 1 },
                }),
                &applicant,
            )
            .await?;
        assert_eq!(typed.status, 422, "{} {}", db.label, typed.body);
        assert_eq!(typed.json()["error"]["code"], "invalid_input");
        for (field, code) in [
            ("name", "invalid"),
            ("identity_number", "invalid"),
            ("idempotency_key", "invalid"),
            ("applicant_kind", "required"),
            ("information_description", "required"),
            ("form_preference", "form_preference_invalid"),
        ] {
            assert!(
                has_problem(&typed, field, code),
                "{field} {code} in {:?}",
                problems(&typed)
            );
        }
        assert!(
            !problems(&typed)
                .iter()
                .any(|(f, c)| f == "name" && c == "required"),
            "no `required` on top of `invalid`"
        );
        let invalid_values = api
            .call(
                "POST",
                submit,
                json!({
                    "applicant_kind": "robot",
                    "identity_kind": "☃",
                    "identity_number": "'; DROP TABLE applications; --",
                    "contact_phone": "\u{0}",
                    "delivery_preference": "carrier pigeon",
                    "idempotency_key": "k\u{0}",
                }),
                &applicant,
            )
            .await?;
        assert_eq!(invalid_values.status, 422, "{}", invalid_values.body);
        assert!(has_problem(
            &invalid_values,
            "idempotency_key",
            "invalid_characters"
        ));
        assert!(has_problem(
            &invalid_values,
            "applicant_kind",
            "applicant_kind_invalid"
        ));
        let long_key = api
            .call("POST", submit, form(&"k".repeat(101)), &applicant)
            .await?;
        assert_eq!(
            problems(&long_key),
            [("idempotency_key".into(), "too_long".into())]
        );
        // Bodies that are not a JSON object.
        for (body, content_type) in [
            ("{oops", "application/json"),
            ("[1, 2]", "application/json"),
            ("\"text\"", "application/json"),
            ("", "application/json"),
            ("name=x", "application/x-www-form-urlencoded"),
        ] {
            let response = api
                .client
                .send(
                    Request::post(format!("/api/v1{submit}"))
                        .header("content-type", content_type)
                        .header("authorization", format!("Bearer {applicant}"))
                        .body(Body::from(body))?,
                )
                .await?;
            assert!(
                (400..500).contains(&response.status.as_u16()),
                "{body}: {}",
                response.status
            );
            assert!(response.json()["error"]["code"].is_string(), "{body}");
        }

        // Commands with garbage.
        let submitted = api.call("POST", submit, form("g"), &applicant).await?;
        let id = submitted.json()["id"].as_str().unwrap_or("").to_string();
        let commands = format!("/applications/{id}/commands");
        let cases: Vec<(Value, Vec<(&str, &str)>)> = vec![
            (
                json!({}),
                vec![("version", "required"), ("command", "required")],
            ),
            (
                json!({ "version": "x", "command": "explode" }),
                vec![("version", "number_invalid"), ("command", "invalid")],
            ),
            (
                json!({ "version": 1e30, "command": 5 }),
                vec![("version", "number_invalid"), ("command", "invalid")],
            ),
            (
                json!({ "version": 0, "command": "request_correction", "items": "", "due": "not-a-date" }),
                vec![("items", "invalid"), ("due", "date_invalid")],
            ),
            (
                json!({ "version": 0, "command": "request_correction", "items": [] }),
                vec![("items", "required"), ("due", "required")],
            ),
            (
                json!({ "version": 0, "command": "assign", "departments": ["nope"], "lead": 7 }),
                vec![("departments", "department_invalid"), ("lead", "invalid")],
            ),
            (
                json!({ "version": 0, "command": "approve_extension", "working_days": -1, "reason": "a\u{0}b" }),
                vec![
                    ("working_days", "number_invalid"),
                    ("reason", "invalid_characters"),
                ],
            ),
            (
                json!({ "version": 0, "command": "start_consultation", "party": "aliens", "due": "soon" }),
                vec![("party", "invalid"), ("due", "date_invalid")],
            ),
            (
                json!({ "version": 0, "command": "flag_sensitivity", "flags": ["boring"] }),
                vec![("flags", "invalid")],
            ),
            (
                json!({ "version": 0, "command": "draft_reply", "reply_kind": "yes", "body": "x".repeat(50_001) }),
                vec![("reply_kind", "invalid"), ("body", "too_long")],
            ),
            (
                json!({ "version": 0, "command": "issue_fee_notice", "method": "barter", "units": 0, "due": "" }),
                vec![
                    ("method", "invalid"),
                    ("units", "number_invalid"),
                    ("due", "required"),
                ],
            ),
            (
                json!({ "version": 0, "command": "confirm_receipt", "receipt_date": "2026-02-30" }),
                vec![("receipt_date", "date_invalid")],
            ),
            (
                json!({ "version": 0, "command": "withdraw", "reason": ["a"] }),
                vec![("reason", "invalid")],
            ),
        ];
        for (body, expected) in cases {
            let response = api.call("POST", &commands, body.clone(), &clerk).await?;
            assert_eq!(response.status, 422, "{body}: {}", response.body);
            let expected: Vec<(String, String)> = expected
                .iter()
                .map(|(f, c)| (f.to_string(), c.to_string()))
                .collect();
            assert_eq!(problems(&response), expected, "{body}");
        }
        // Every command name is known to the API: none is answered `command invalid`, and
        // none with a 5xx, whatever the stage and the caller.
        for command in every_command() {
            for token in [&applicant, &clerk] {
                let response = api
                    .command(token, &id, 0, command.name(), json!({ "junk": [1, {}] }))
                    .await?;
                assert!(
                    (200..500).contains(&response.status.as_u16()),
                    "{}: {}",
                    command.name(),
                    response.body
                );
                assert!(
                    !has_problem(&response, "command", "invalid"),
                    "{} is not mapped",
                    command.name()
                );
            }
        }
        // A method a route does not have: 405, in JSON like every API error.
        for (method, path) in [
            ("DELETE", "/applications".to_string()),
            ("PUT", commands.clone()),
            ("POST", "/agencies/demo-city/application-form".to_string()),
        ] {
            let response = api.call(method, &path, json!({}), &clerk).await?;
            assert_eq!(response.status, 405, "{method} {path}");
            assert!(
                response.json()["error"]["code"].is_string(),
                "{method} {path}: {}",
                response.body
            );
        }
        // Ids that are not applications.
        for path in [
            "/applications/not-a-uuid",
            "/applications/00000000-0000-0000-0000-000000000000",
        ] {
            let response = api.get(path, &clerk).await?;
            assert_eq!(response.status, 404);
            assert_eq!(response.json()["error"]["code"], "not_found");
            let response = api
                .call(
                    "POST",
                    &format!("{path}/commands"),
                    json!({ "version": 0, "command": "accept" }),
                    &clerk,
                )
                .await?;
            assert_eq!(response.status, 404);
        }
        // The queue's parameters, every problem at once.
        let queue = api
            .get(
                "/staff/applications?stage=nonsense&due_before=yesterday&limit=0&offset=-1",
                &clerk,
            )
            .await?;
        assert_eq!(queue.status, 400, "{}", queue.body);
        assert_eq!(
            problems(&queue),
            [
                ("stage".to_string(), "invalid".to_string()),
                ("due_before".to_string(), "date_invalid".to_string()),
                ("limit".to_string(), "number_invalid".to_string()),
                ("offset".to_string(), "number_invalid".to_string()),
            ]
        );
        let duplicated = api
            .get("/staff/applications?limit=1&limit=2", &clerk)
            .await?;
        assert_eq!(duplicated.status, 400);
        let filtered = api
            .get(
                "/staff/applications?stage=all&due_before=2026-03-01&limit=5&offset=0",
                &clerk,
            )
            .await?;
        assert_eq!(filtered.status, 200, "{}", filtered.body);
        assert_eq!(
            filtered.json()["applications"].as_array().map(Vec::len),
            Some(0),
            "nothing is due before receipt"
        );
        db.finish().await;
    }
    Ok(())
}

/// Pre-reply communication (前置沟通) through the API: malformed fields are all reported at once,
/// a rule refusal names its field, a recorded conversation is an application event that the
/// applicant sees too, and it leaves the statutory reply date where it was.
#[tokio::test]
async fn pre_reply_communications_are_application_events() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let app = TestApp::new(services(&db.db)).await?;
        let applicant = token_for(&app, "applicant@demo.gongkai.cn").await?;
        let clerk = token_for(&app, "clerk@demo.gongkai.cn").await?;
        let mut api = Api {
            client: app.fresh_client(),
        };
        let submitted = api
            .call(
                "POST",
                "/agencies/demo-city/applications",
                form("communication"),
                &applicant,
            )
            .await?;
        assert_eq!(submitted.status, 201, "{}", submitted.body);
        let id = submitted.json()["id"].as_str().unwrap_or("").to_string();
        let received = api
            .step(
                &clerk,
                &id,
                "confirm_receipt",
                json!({ "receipt_date": "2026-03-02" }),
            )
            .await?;
        let version = received["version"].as_i64().unwrap_or(-1);
        let due_before = received["reply_due"]["date"].clone();

        // Every malformed field at once.
        let garbage = api
            .command(
                &clerk,
                &id,
                version,
                "record_communication",
                json!({ "contacted_on": "03/05/2026", "method": "pigeon", "summary": "x" }),
            )
            .await?;
        assert_eq!(garbage.status, 422, "{}", garbage.body);
        let found = problems(&garbage);
        assert!(found.iter().any(|(f, _)| f == "contacted_on"), "{found:?}");
        assert!(found.iter().any(|(f, _)| f == "method"), "{found:?}");
        assert!(found.iter().any(|(f, _)| f == "outcome"), "{found:?}");

        // A rule refusal names its field: a conversation cannot predate the application.
        let too_early = api
            .command(
                &clerk,
                &id,
                version,
                "record_communication",
                json!({
                    "contacted_on": "2025-12-31",
                    "method": "phone",
                    "outcome": "need_clarified",
                    "summary": "电话沟通",
                }),
            )
            .await?;
        assert_eq!(too_early.status, 422, "{}", too_early.body);
        assert!(has_problem(
            &too_early,
            "contacted_on",
            "communication_date_too_early"
        ));
        let tomorrow = api
            .command(
                &clerk,
                &id,
                version,
                "record_communication",
                json!({
                    "contacted_on": "2026-03-03",
                    "method": "meeting",
                    "outcome": "no_agreement",
                    "summary": "面谈",
                }),
            )
            .await?;
        assert!(has_problem(
            &tomorrow,
            "contacted_on",
            "communication_date_in_future"
        ));
        let empty = api
            .command(
                &clerk,
                &id,
                version,
                "record_communication",
                json!({ "method": "phone", "outcome": "need_clarified", "summary": "  " }),
            )
            .await?;
        assert_eq!(empty.status, 422, "{}", empty.body);
        assert!(has_problem(
            &empty,
            "summary",
            "communication_summary_missing"
        ));
        // The applicant cannot record one.
        let by_applicant = api
            .command(
                &applicant,
                &id,
                version,
                "record_communication",
                json!({ "method": "phone", "outcome": "need_clarified", "summary": "我来电说明" }),
            )
            .await?;
        assert_eq!(by_applicant.status, 403, "{}", by_applicant.body);

        let recorded = api
            .step(
                &clerk,
                &id,
                "record_communication",
                json!({
                    "contacted_on": "2026-03-02",
                    "method": "phone",
                    "outcome": "request_narrowed",
                    "summary": "申请人同意只申请2025年度的规划文本",
                }),
            )
            .await?;
        assert_eq!(recorded["stage"]["code"], "received");
        assert_eq!(recorded["reply_due"]["date"], due_before);

        let seen = api.get(&format!("/applications/{id}"), &applicant).await?;
        assert_eq!(seen.status, 200);
        let timeline = seen.json()["timeline"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let entry = timeline
            .iter()
            .find(|e| e["kind"] == "communication_recorded")
            .cloned()
            .unwrap_or(Value::Null);
        assert_eq!(entry["date"], "2026-03-02", "{}", seen.body);
        assert_eq!(entry["data"]["method"], "phone");
        assert_eq!(entry["data"]["outcome"], "request_narrowed");
        db.finish().await;
    }
    Ok(())
}
