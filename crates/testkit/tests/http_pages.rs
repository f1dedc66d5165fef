//! In-process HTTP tests of the pages: language and display switches, the login and
//! registration flows, CSRF, error pages, and every form answering garbage with a 4xx that
//! lists all problems (never a 500).

use gongkai_service::DEMO_PASSWORD;
use gongkai_testkit::{TestApp, all_databases, extract_input_value, services};

async fn apps() -> anyhow::Result<Vec<(gongkai_testkit::TestDb, TestApp)>> {
    let mut out = Vec::new();
    for db in all_databases().await? {
        let app = TestApp::new(services(&db.db)).await?;
        out.push((db, app));
    }
    Ok(out)
}

#[tokio::test]
async fn home_is_chinese_first_and_english_on_request() -> anyhow::Result<()> {
    for (db, mut app) in apps().await? {
        let home = app.get("/").await?;
        assert_eq!(home.status, 200);
        assert!(home.body.contains("<html lang=\"zh-CN\""), "{}", db.label);
        assert!(home.body.contains("示范市人民政府"));
        assert!(home.body.contains("class=\"skip-link\" href=\"#main\""));
        assert!(home.body.contains("<main id=\"main\""));
        assert!(home.headers.get("x-request-id").is_some());
        assert_eq!(
            home.headers
                .get("x-content-type-options")
                .map(|v| v.to_str().unwrap_or("")),
            Some("nosniff")
        );
        // Accept-Language picks English when no cookie says otherwise.
        let mut english = app.fresh_client();
        english.accept_language = Some("en-GB,en;q=0.9,zh;q=0.5".to_string());
        let page = english.get("/").await?;
        assert!(page.body.contains("<html lang=\"en\""));
        assert!(
            page.body.contains("Demo City People"),
            "English names are shown in English"
        );
        // The switch sets a cookie that wins over Accept-Language, and goes back where it was.
        let switch = app
            .get("/preferences/language?to=en&back=%2Fa%2Fdemo-city")
            .await?;
        assert_eq!(switch.status, 303);
        assert_eq!(switch.location(), Some("/a/demo-city"));
        let agency = app.get("/a/demo-city").await?;
        assert!(agency.body.contains("<html lang=\"en\""));
        assert!(agency.body.contains("Disclosure guide"));
        // An off-site "back" is refused (no open redirect).
        let evil = app
            .get("/preferences/language?to=zh&back=%2F%2Fevil.example")
            .await?;
        assert_eq!(evil.location(), Some("/"));
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn large_text_mode_works_without_javascript() -> anyhow::Result<()> {
    for (db, mut app) in apps().await? {
        let switch = app
            .get("/preferences/display?mode=large&back=%2Flogin")
            .await?;
        assert_eq!(switch.status, 303);
        let login = app.get("/login").await?;
        assert!(login.body.contains("class=\"large-text\""));
        assert!(login.body.contains("mode=standard"));
        assert_eq!(app.get("/preferences/display?mode=huge").await?.status, 400);
        assert!(!login.body.contains("<script"), "pages need no JavaScript");
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn demo_applicant_logs_in_and_out() -> anyhow::Result<()> {
    for (db, mut app) in apps().await? {
        let response = app
            .login("applicant@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        assert_eq!(response.status, 303, "{}", response.body);
        let cookie = response
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("gk_session="))
            .unwrap_or_default()
            .to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        let account = app.get("/account").await?;
        assert_eq!(account.status, 200);
        assert!(account.body.contains("applicant@demo.gongkai.cn"));
        assert!(account.body.contains("申请人"));
        let token = extract_input_value(&account.body, "csrf_token").unwrap_or_default();
        let out = app
            .post_form_raw("/logout", &[("csrf_token", &token)])
            .await?;
        assert_eq!(out.status, 303);
        let after = app.get("/account").await?;
        assert_eq!(
            after.status, 303,
            "signed out: the account page redirects to login"
        );
        assert!(after.location().unwrap_or("").starts_with("/login?back="));
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn wrong_password_is_a_clear_401_on_the_form() -> anyhow::Result<()> {
    for (db, mut app) in apps().await? {
        let response = app
            .login("applicant@demo.gongkai.cn", "not the password")
            .await?;
        assert_eq!(response.status, 401);
        assert!(response.body.contains("error-summary"));
        assert!(response.body.contains("账户或密码不正确"));
        assert!(
            response
                .body
                .contains("value=\"applicant@demo.gongkai.cn\""),
            "the identifier is kept"
        );
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_refused() -> anyhow::Result<()> {
    for (db, mut app) in apps().await? {
        let _ = app.get("/").await?;
        let missing = app
            .post_form_raw("/login", &[("identifier", "a@b.cn"), ("password", "x")])
            .await?;
        assert_eq!(missing.status, 403);
        assert!(missing.body.contains("表单已过期") && missing.body.contains("The form expired"));
        let forged = app
            .post_form_raw(
                "/login",
                &[
                    ("csrf_token", "00ff"),
                    ("identifier", "a@b.cn"),
                    ("password", "x"),
                ],
            )
            .await?;
        assert_eq!(forged.status, 403);
        // A token from another visitor's cookie does not work either.
        let mut other = app.fresh_client();
        let other_token = other.csrf_token().await?;
        let stolen = app
            .post_form_raw(
                "/login",
                &[
                    ("csrf_token", &other_token),
                    ("identifier", "a@b.cn"),
                    ("password", "x"),
                ],
            )
            .await?;
        assert_eq!(stolen.status, 403);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn registration_lists_every_problem_and_keeps_the_values() -> anyhow::Result<()> {
    for (db, mut app) in apps().await? {
        let response = app
            .post_form(
                "/register",
                &[
                    ("email", "bad"),
                    ("mobile", "123"),
                    ("display_name", ""),
                    ("password", "x"),
                    ("password_confirmation", "y"),
                ],
            )
            .await?;
        assert_eq!(response.status, 422);
        for fragment in [
            "href=\"#email\"",
            "href=\"#mobile\"",
            "href=\"#display_name\"",
            "href=\"#password\"",
            "href=\"#password_confirmation\"",
            "aria-invalid=\"true\"",
            "value=\"bad\"",
        ] {
            assert!(response.body.contains(fragment), "{fragment} missing");
        }
        let ok = app
            .post_form(
                "/register",
                &[
                    ("email", "new@example.cn"),
                    ("display_name", "新用户"),
                    ("password", "a fine password"),
                    ("password_confirmation", "a fine password"),
                ],
            )
            .await?;
        assert_eq!(ok.status, 303);
        assert!(app.get("/account").await?.body.contains("new@example.cn"));
        db.finish().await;
    }
    Ok(())
}

/// Every form of the shell, posted with missing fields and with garbage, must answer 4xx and
/// never 5xx.
#[tokio::test]
async fn every_form_answers_garbage_with_a_4xx() -> anyhow::Result<()> {
    for (db, mut app) in apps().await? {
        app.login("admin@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let city = app.services.agency_by_slug("demo-city").await?;
        let agency_forms = [
            format!("/admin/agencies/{}/edit", city.id),
            format!("/admin/agencies/{}/departments", city.id),
            format!("/admin/agencies/{}/staff", city.id),
            format!("/admin/agencies/{}/grants", city.id),
        ];
        let mut paths: Vec<String> = vec![
            "/login".into(),
            "/register".into(),
            "/account/password".into(),
            "/account/tokens".into(),
            "/admin/agencies/new".into(),
        ];
        paths.extend(agency_forms);
        let long_name = "长".repeat(5000);
        let garbage: Vec<(&str, &str)> = vec![
            ("email", "\u{0}\u{7}"),
            ("mobile", "☃☃☃"),
            ("level", "galaxy"),
            ("slug", "--"),
            ("org_code", "'; DROP TABLE agencies; --"),
            ("role", "../../etc/passwd"),
            ("department_id", "not-a-uuid"),
            ("account_id", "12"),
            ("parent_id", "zzz"),
            ("name_zh", &long_name),
            ("password", ""),
        ];
        for path in &paths {
            for fields in [&[][..], &garbage[..]] {
                let response = app.post_form(path, fields).await?;
                assert!(
                    (400..500).contains(&response.status.as_u16()),
                    "{} {path} with {} fields answered {}",
                    db.label,
                    fields.len(),
                    response.status
                );
                if response.status == 422 {
                    assert!(
                        response.body.contains("error-summary"),
                        "{path}: no error summary"
                    );
                }
            }
        }
        // Revoke and deactivate endpoints with nonsense ids answer 4xx too.
        for path in [
            "/admin/roles/not-a-uuid/revoke",
            "/admin/staff/00000000-0000-0000-0000-000000000000/active",
            "/admin/agencies/nope/edit",
        ] {
            let response = app.post_form(path, &[("active", "maybe")]).await?;
            assert!(
                (400..500).contains(&response.status.as_u16()),
                "{path}: {}",
                response.status
            );
        }
        // A body that is not a form at all.
        let raw = app
            .send(
                axum::http::Request::post("/login")
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from("{}"))?,
            )
            .await?;
        assert_eq!(raw.status, 415);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn error_pages_are_bilingual() -> anyhow::Result<()> {
    for (db, mut app) in apps().await? {
        let missing = app.get("/no/such/page").await?;
        assert_eq!(missing.status, 404);
        assert!(missing.body.contains("找不到") && missing.body.contains("does not exist"));
        let method = app
            .send(axum::http::Request::delete("/login").body(axum::body::Body::empty())?)
            .await?;
        assert_eq!(method.status, 405);
        assert!(method.body.contains("不支持") && method.body.contains("not allowed"));
        let agency = app.get("/a/no-such-agency").await?;
        assert_eq!(agency.status, 404);
        // Staff pages refuse applicants with a 403, not a 500.
        app.login("applicant@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        assert_eq!(app.get("/admin").await?.status, 403);
        assert_eq!(app.get("/admin/security").await?.status, 403);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn administrator_manages_agencies_departments_and_staff() -> anyhow::Result<()> {
    for (db, mut app) in apps().await? {
        app.login("admin@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let admin = app.get("/admin").await?;
        assert_eq!(admin.status, 200);
        assert!(admin.body.contains("示范县人民政府"));
        // These services were made without the named-entity model: the page says so.
        assert!(admin.body.contains("脱敏建议：仅用规则"), "{}", admin.body);
        let city = app.services.agency_by_slug("demo-city").await?;
        let created = app
            .post_form(
                "/admin/agencies/new",
                &[
                    ("parent_id", &city.id.to_string()),
                    ("name_zh", "新区管委会"),
                    ("slug", "new-district"),
                    ("level", "county"),
                    ("org_code", "91330100MA2B3C4D5N"),
                ],
            )
            .await?;
        assert_eq!(created.status, 303, "{}", created.body);
        let public = app.get("/a/new-district").await?;
        assert_eq!(public.status, 200);
        assert!(public.body.contains("新区管委会"));
        let department = app
            .post_form(
                &format!("/admin/agencies/{}/departments", city.id),
                &[("name_zh", "市统计局"), ("duties", "统计调查")],
            )
            .await?;
        assert_eq!(department.status, 303);
        let duplicate = app
            .post_form(
                &format!("/admin/agencies/{}/departments", city.id),
                &[("name_zh", "市统计局")],
            )
            .await?;
        assert_eq!(duplicate.status, 422);
        assert!(duplicate.body.contains("该名称已存在"));
        assert!(duplicate.body.contains("href=\"#department-name_zh\""));
        let staff = app
            .post_form(
                &format!("/admin/agencies/{}/staff", city.id),
                &[
                    ("email", "tongji@demo.gongkai.cn"),
                    ("display_name", "统计员"),
                    ("initial_password", "statistics 2026"),
                    ("role", "clerk"),
                ],
            )
            .await?;
        assert_eq!(staff.status, 303, "{}", staff.body);
        let page = app.get(&format!("/admin/agencies/{}", city.id)).await?;
        assert!(page.body.contains("tongji@demo.gongkai.cn"));
        let log = app.get("/admin/security").await?;
        assert!(log.body.contains("staff_created") && log.body.contains("agency_created"));
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn healthz_answers_once_the_database_is_reachable() -> anyhow::Result<()> {
    for (db, mut app) in apps().await? {
        assert_eq!(app.get("/healthz").await?.status, 200);
        db.db.close().await;
        assert_eq!(app.get("/healthz").await?.status, 503);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn administrators_import_next_years_holidays_on_a_page() -> anyhow::Result<()> {
    for (db, mut app) in apps().await? {
        app.login("admin@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let page = app.get("/admin/calendar").await?;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("2026"), "the last loaded year is shown");
        let bad = app.post_form("/admin/calendar", &[("arrangement", "{\"year\": 2027, \"days\": [{\"name\": \"春节\", \"date\": \"2027-13-01\", \"isOffDay\": true}]}")]).await?;
        assert_eq!(bad.status, 422);
        assert!(
            bad.body.contains("2027-13-01"),
            "the parser's precise message is shown"
        );
        let good = app
            .post_form("/admin/calendar", &[("arrangement", "{\"year\": 2027, \"papers\": [\"https://www.gov.cn/example\"], \"days\": [{\"name\": \"春节\", \"date\": \"2027-02-08\", \"isOffDay\": true}]}")])
            .await?;
        assert_eq!(good.status, 200, "{}", good.body);
        assert!(good.body.contains("已导入"));
        assert!(
            !app.services
                .working_day_calendar()
                .await?
                .is_working_day(time::macros::date!(2027 - 02 - 08))
        );
        let mut clerk = app.fresh_client();
        clerk.login("clerk@demo.gongkai.cn", DEMO_PASSWORD).await?;
        assert_eq!(clerk.get("/admin/calendar").await?.status, 403);
        db.finish().await;
    }
    Ok(())
}
