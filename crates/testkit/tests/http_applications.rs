//! The application pages through HTTP: applying with the form, the applicant's timeline with
//! the expected completion date, the staff queue, actions through forms, conflicts and garbage.

use gongkai_service::DEMO_PASSWORD;
use gongkai_testkit::{TestApp, all_databases, extract_input_value, services};

const FORM: &[(&str, &str)] = &[
    ("applicant_kind", "natural_person"),
    ("name", "张明"),
    ("identity_kind", "resident_id_card"),
    ("identity_number", "11010519491231002X"),
    ("contact_phone", "13800138000"),
    ("contact_email", "zhangming@example.cn"),
    (
        "information_description",
        "请公开《示范市2025年公共停车场建设规划》全文",
    ),
    ("form_preference", "electronic"),
    ("delivery_preference", "portal_download"),
];

#[tokio::test]
async fn apply_follow_and_handle_through_pages() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut applicant = TestApp::new(services(&db.db)).await?;
        // Applying needs an account.
        assert_eq!(applicant.get("/a/demo-city/apply").await?.status, 303);
        applicant
            .login("applicant@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        let page = applicant.get("/a/demo-city/apply").await?;
        assert_eq!(page.status, 200);
        let key = extract_input_value(&page.body, "idempotency_key").unwrap_or_default();
        assert_eq!(key.len(), 32);
        let mut fields: Vec<(&str, &str)> = FORM.to_vec();
        fields.push(("idempotency_key", &key));
        let submitted = applicant.post_form("/a/demo-city/apply", &fields).await?;
        assert_eq!(submitted.status, 303, "{}", submitted.body);
        let location = submitted.location().unwrap_or_default().to_string();
        // Resubmitting the same form (a retried POST) lands on the same application.
        let again = applicant.post_form("/a/demo-city/apply", &fields).await?;
        assert_eq!(again.location(), Some(location.as_str()));
        let detail = applicant.get(&location).await?;
        assert_eq!(detail.status, 200);
        assert!(detail.body.contains("demo-city-2026-00001"));
        assert!(
            detail.body.contains("110***********002X"),
            "the identity number is masked"
        );
        assert!(
            detail.body.contains("尚未起算"),
            "no due date before receipt is confirmed"
        );
        let list = applicant.get("/my/applications").await?;
        assert!(list.body.contains("demo-city-2026-00001"));
        // Staff: the queue, then confirm receipt through the form.
        let mut clerk = applicant.fresh_client();
        clerk.login("clerk@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let queue = clerk.get("/staff/applications").await?;
        assert_eq!(queue.status, 200);
        assert!(queue.body.contains("demo-city-2026-00001"));
        let staff_view = clerk.get(&location).await?;
        assert!(staff_view.body.contains("value=\"confirm_receipt\""));
        // Staff see the machine's first reading of the request; the applicant does not.
        assert!(staff_view.body.contains("预审意见"));
        assert!(staff_view.body.contains("data-kind=\""));
        assert!(!detail.body.contains("预审意见"));
        let version = extract_input_value(&staff_view.body, "version").unwrap_or_default();
        let act = format!("{location}/act");
        let confirmed = clerk
            .post_form(
                &act,
                &[
                    ("version", &version),
                    ("action", "confirm_receipt"),
                    ("receipt_date", "2026-03-02"),
                ],
            )
            .await?;
        assert_eq!(confirmed.status, 303, "{}", confirmed.body);
        // A second click with the old version is a clear conflict, not a 500.
        let stale = clerk
            .post_form(&act, &[("version", &version), ("action", "accept")])
            .await?;
        assert_eq!(stale.status, 409);
        assert!(stale.body.contains("已被他人更新"));
        // The applicant now sees the expected completion date and how it was computed.
        let detail = applicant.get(&location).await?;
        assert!(
            detail.body.contains("2026-03-30"),
            "expected completion shown"
        );
        assert!(detail.body.contains("第三十三条") || detail.body.contains("Art. 33"));
        // An action refused by a rule names the field.
        let staff_view = clerk.get(&location).await?;
        let version = extract_input_value(&staff_view.body, "version").unwrap_or_default();
        let bad = clerk
            .post_form(
                &act,
                &[
                    ("version", &version),
                    ("action", "request_correction"),
                    ("items", ""),
                    ("due", "not-a-date"),
                ],
            )
            .await?;
        assert_eq!(bad.status, 422);
        assert!(
            bad.body.contains("href=\"#items\"") && bad.body.contains("href=\"#due\""),
            "both problems listed"
        );
        // The standard letter is used when the body is left empty.
        let drafted = clerk
            .post_form(
                &act,
                &[
                    ("version", &version),
                    ("action", "draft_reply"),
                    ("reply_kind", "disclosed"),
                    ("body", ""),
                ],
            )
            .await?;
        assert_eq!(drafted.status, 303, "{}", drafted.body);
        let staff_view = clerk.get(&location).await?;
        assert!(
            staff_view.body.contains("张明"),
            "the template was filled in"
        );
        assert!(
            staff_view.body.contains("行政复议"),
            "the remedy notice is part of the letter"
        );
        // Applicants cannot use staff actions.
        let detail = applicant.get(&location).await?;
        let version = extract_input_value(&detail.body, "version").unwrap_or_default();
        let forbidden = applicant
            .post_form(
                &act,
                &[("version", &version), ("action", "submit_for_review")],
            )
            .await?;
        assert_eq!(forbidden.status, 403);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn application_forms_answer_garbage_with_a_4xx() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut app = TestApp::new(services(&db.db)).await?;
        app.login("clerk@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let garbage: Vec<(&str, &str)> = vec![
            ("applicant_kind", "robot"),
            ("identity_kind", "☃"),
            ("identity_number", "'; DROP TABLE applications; --"),
            ("contact_phone", "\u{0}"),
            ("form_preference", "smoke signals"),
            ("delivery_preference", "carrier pigeon"),
            ("channel", "telepathy"),
            ("receipt_date", "yesterday"),
            ("version", "x"),
            ("action", "explode"),
        ];
        for path in [
            "/a/demo-city/apply",
            "/staff/applications/new",
            "/a/no-such-agency/apply",
        ] {
            for fields in [&[][..], &garbage[..]] {
                let response = app.post_form(path, fields).await?;
                assert!(
                    (400..500).contains(&response.status.as_u16()),
                    "{path}: {}",
                    response.status
                );
            }
        }
        let response = app.post_form("/a/demo-city/apply", &[]).await?;
        assert!(response.body.contains("error-summary"));
        for path in [
            "/applications/not-a-uuid/act",
            "/applications/00000000-0000-0000-0000-000000000000/act",
        ] {
            let response = app.post_form(path, &garbage).await?;
            assert!(
                (400..500).contains(&response.status.as_u16()),
                "{path}: {}",
                response.status
            );
        }
        assert_eq!(
            app.get("/staff/applications?stage=nonsense").await?.status,
            400
        );
        assert_eq!(
            app.get("/applications/00000000-0000-0000-0000-000000000000")
                .await?
                .status,
            404
        );
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn attachments_upload_by_content_type_and_download_never_inline() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut applicant = TestApp::new(services(&db.db)).await?;
        applicant
            .login("applicant@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        let page = applicant.get("/a/demo-city/apply").await?;
        let key = extract_input_value(&page.body, "idempotency_key").unwrap_or_default();
        let mut fields: Vec<(&str, &str)> = FORM.to_vec();
        fields.push(("idempotency_key", &key));
        let location = applicant
            .post_form("/a/demo-city/apply", &fields)
            .await?
            .location()
            .unwrap_or_default()
            .to_string();
        let upload = format!("{location}/attachments");
        let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
        let ok = applicant
            .post_multipart(&upload, &[], "身份证复印件.pdf", pdf)
            .await?;
        assert_eq!(ok.status, 303, "{}", ok.body);
        let html = applicant
            .post_multipart(&upload, &[], "evil.pdf", b"<html><script>alert(1)</script>")
            .await?;
        assert_eq!(html.status, 422);
        assert!(html.body.contains("只接受"));
        let detail = applicant.get(&location).await?;
        assert!(detail.body.contains("身份证复印件.pdf"));
        let href = detail
            .body
            .split("href=\"")
            .find(|p| p.contains("/attachments/"))
            .and_then(|p| p.split('"').next())
            .unwrap_or_default()
            .to_string();
        let download = applicant.get(&href).await?;
        assert_eq!(download.status, 200);
        assert_eq!(
            download
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/octet-stream")
        );
        assert!(
            download
                .headers
                .get("content-disposition")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .starts_with("attachment;")
        );
        assert_eq!(download.body.as_bytes(), pdf);
        // Nobody signed out can fetch it.
        let mut anonymous = applicant.fresh_client();
        assert_eq!(anonymous.get(&href).await?.status, 303);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn leaders_see_the_workload_of_each_department() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut applicant = TestApp::new(services(&db.db)).await?;
        applicant
            .login("applicant@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        for i in 0..2 {
            let key = format!("dashboard-{i}");
            let mut fields: Vec<(&str, &str)> = FORM.to_vec();
            fields.push(("idempotency_key", &key));
            assert_eq!(
                applicant
                    .post_form("/a/demo-city/apply", &fields)
                    .await?
                    .status,
                303
            );
        }
        let mut leader = applicant.fresh_client();
        leader
            .login("leader@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        let page = leader.get("/staff/dashboard").await?;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("尚未分办"));
        assert!(
            page.body.contains("<td>2</td>"),
            "two open, unassigned applications"
        );
        assert_eq!(applicant.get("/staff/dashboard").await?.status, 403);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn applicants_see_milestones_not_internal_steps_and_nul_is_refused() -> anyhow::Result<()> {
    use gongkai_domain::application::{Command, ConsultationParty};
    for db in all_databases().await? {
        let mut applicant = TestApp::new(services(&db.db)).await?;
        applicant
            .login("applicant@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        let mut fields: Vec<(&str, &str)> = FORM.to_vec();
        fields.push(("idempotency_key", "internal-steps"));
        let location = applicant
            .post_form("/a/demo-city/apply", &fields)
            .await?
            .location()
            .unwrap_or_default()
            .to_string();
        let id = uuid::Uuid::parse_str(location.trim_start_matches("/applications/"))?;
        let s = applicant.services.clone();
        let origin = gongkai_service::RequestOrigin::default();
        let clerk = s
            .login("clerk@demo.gongkai.cn", DEMO_PASSWORD, &origin)
            .await?
            .actor;
        // The clerk's own department: department staff act only on its applications.
        let department = clerk
            .grants
            .iter()
            .find_map(|g| g.department_id)
            .map(|d| d.to_string())
            .unwrap_or_default();
        for command in [
            Command::ConfirmReceipt {
                receipt_date: s.clock.today_in_china(),
            },
            Command::Accept,
            Command::Assign {
                departments: vec![department.clone()],
                lead: department.clone(),
            },
            Command::StartConsultation {
                id: "c1".into(),
                party: ConsultationParty::Department,
                party_name: "市财政局".into(),
                due: s.clock.today_in_china(),
            },
            Command::AnswerConsultation {
                id: "c1".into(),
                answer: "内部会办意见：建议不公开".into(),
            },
        ] {
            let version = s.db.application_get(id).await?.expect("row").version;
            s.act_on_application(&clerk, id, version, command).await?;
        }
        let page = applicant.get(&location).await?;
        assert!(page.body.contains("确认收到申请"), "milestones are shown");
        assert!(
            !page.body.contains("内部会办意见"),
            "internal answers are not"
        );
        // NUL in any form field is a clear 400, never a 500 on PostgreSQL.
        let nul = applicant
            .post_form(
                &format!("{location}/act"),
                &[
                    ("version", "1"),
                    ("action", "withdraw"),
                    ("withdraw_reason", "a\u{0}b"),
                ],
            )
            .await?;
        assert_eq!(nul.status, 400, "{}", db.label);
        let mut fields: Vec<(&str, &str)> = FORM.to_vec();
        fields.push(("idempotency_key", "nul\u{0}key"));
        assert_eq!(
            applicant
                .post_form("/a/demo-city/apply", &fields)
                .await?
                .status,
            400
        );
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn the_annual_report_table_is_computed_from_the_applications() -> anyhow::Result<()> {
    use gongkai_domain::application::Command;
    for db in all_databases().await? {
        let mut applicant = TestApp::new(services(&db.db)).await?;
        applicant
            .login("applicant@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        let mut ids = Vec::new();
        for i in 0..3 {
            let key = format!("report-{i}");
            let mut fields: Vec<(&str, &str)> = FORM.to_vec();
            fields.push(("idempotency_key", &key));
            let location = applicant
                .post_form("/a/demo-city/apply", &fields)
                .await?
                .location()
                .unwrap_or_default()
                .to_string();
            ids.push(uuid::Uuid::parse_str(
                location.trim_start_matches("/applications/"),
            )?);
        }
        let s = applicant.services.clone();
        let origin = gongkai_service::RequestOrigin::default();
        let clerk = s
            .login("clerk@demo.gongkai.cn", DEMO_PASSWORD, &origin)
            .await?
            .actor;
        let reviewer = s
            .login("reviewer@demo.gongkai.cn", DEMO_PASSWORD, &origin)
            .await?
            .actor;
        let ogi = s
            .login("ogi@demo.gongkai.cn", DEMO_PASSWORD, &origin)
            .await?
            .actor;
        // Two received; one of them answered; the third never confirmed (not counted).
        for id in &ids[..2] {
            let v = s.db.application_get(*id).await?.expect("row").version;
            s.act_on_application(
                &clerk,
                *id,
                v,
                Command::ConfirmReceipt {
                    receipt_date: s.clock.today_in_china(),
                },
            )
            .await?;
        }
        for (actor, command) in [
            (
                &clerk,
                Command::DraftReply {
                    reply_kind: "disclosed".into(),
                    body: "予以公开".into(),
                    withholds_information: false,
                },
            ),
            (&clerk, Command::SubmitForReview),
            (
                &reviewer,
                Command::ApproveReview {
                    comment: String::new(),
                },
            ),
            (&ogi, Command::IssueReply),
        ] {
            let v = s.db.application_get(ids[0]).await?.expect("row").version;
            s.act_on_application(actor, ids[0], v, command).await?;
        }
        let report = s
            .annual_table3(Some(&ogi), s.agency_by_slug("demo-city").await?.id, 2026)
            .await?;
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let mut staff = applicant.fresh_client();
        staff.login("ogi@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let page = staff.get("/staff/report?year=2026").await?;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("一、本年新收政府信息公开申请数量"));
        assert!(page.body.contains("全部勾稽关系校验通过"));
        assert!(page.body.contains("<th scope=\"row\">"));
        let drill = staff
            .get("/staff/report?year=2026&row=disclosed&column=0")
            .await?;
        assert!(
            drill.body.contains("demo-city-2026-00001"),
            "drill-down lists the application"
        );
        assert_eq!(staff.get("/staff/report?year=abc").await?.status, 400);
        // The issued reply letter prints as a PDF with its Chinese text embedded; a reply not
        // yet issued has no letter.
        let letter = applicant
            .get(&format!("/applications/{}/reply.pdf", ids[0]))
            .await?;
        assert_eq!(letter.status, 200, "{}", db.label);
        assert!(letter.bytes.starts_with(b"%PDF"));
        if let Some(text) = gongkai_testkit::pdf_text(&letter.bytes)? {
            assert!(text.contains("政府信息公开申请答复书"), "{text}");
            assert!(text.contains("予以公开"));
            assert!(text.contains("demo-city-2026-00001"));
        }
        let none = applicant
            .get(&format!("/applications/{}/reply.pdf", ids[1]))
            .await?;
        assert_eq!(none.status, 422);
        let stranger = applicant
            .fresh_client()
            .get(&format!("/applications/{}/reply.pdf", ids[0]))
            .await?;
        assert_ne!(stranger.status, 200);
        let catalog = applicant.get("/a/demo-city/catalog.pdf").await?;
        assert_eq!(catalog.status, 200);
        assert!(catalog.bytes.starts_with(b"%PDF"));
        assert_eq!(applicant.get("/staff/report").await?.status, 403);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn the_staff_queue_sorts_and_filters() -> anyhow::Result<()> {
    let db = gongkai_testkit::sqlite_db().await?;
    let mut applicant = TestApp::new(services(&db.db)).await?;
    applicant
        .login("applicant@demo.gongkai.cn", DEMO_PASSWORD)
        .await?;
    for i in 0..3 {
        let key = format!("sort-{i}");
        let mut fields: Vec<(&str, &str)> = FORM.to_vec();
        fields.push(("idempotency_key", &key));
        assert_eq!(
            applicant
                .post_form("/a/demo-city/apply", &fields)
                .await?
                .status,
            303
        );
    }
    let mut clerk = applicant.fresh_client();
    clerk.login("clerk@demo.gongkai.cn", DEMO_PASSWORD).await?;
    let by_number = clerk.get("/staff/applications?sort=number").await?.body;
    let newest = clerk.get("/staff/applications?sort=newest").await?.body;
    let position = |body: &str, n: &str| {
        body.find(&format!("demo-city-2026-0000{n}"))
            .unwrap_or(usize::MAX)
    };
    assert!(position(&by_number, "1") < position(&by_number, "3"));
    assert!(position(&newest, "3") < position(&newest, "1"));
    assert!(newest.contains("<option value=\"newest\" selected>"));
    assert_eq!(
        clerk.get("/staff/applications?sort=bogus").await?.status,
        400
    );
    db.finish().await;
    Ok(())
}

#[tokio::test]
async fn notices_appear_in_the_site_inbox() -> anyhow::Result<()> {
    let db = gongkai_testkit::sqlite_db().await?;
    let mut applicant = TestApp::new(services(&db.db)).await?;
    applicant
        .login("applicant@demo.gongkai.cn", DEMO_PASSWORD)
        .await?;
    assert!(applicant.get("/my/inbox").await?.body.contains("暂无消息"));
    let mut fields: Vec<(&str, &str)> = FORM.to_vec();
    fields.push(("idempotency_key", "inbox"));
    let location = applicant
        .post_form("/a/demo-city/apply", &fields)
        .await?
        .location()
        .unwrap_or_default()
        .to_string();
    let inbox = applicant.get("/my/inbox").await?;
    assert_eq!(inbox.status, 200);
    assert!(inbox.body.contains("demo-city-2026-00001"));
    assert!(inbox.body.contains(&format!("href=\"{location}\"")));
    db.finish().await;
    Ok(())
}

/// Pre-reply communication (前置沟通) through the application page: the form lists every problem
/// at once, a recorded conversation appears for staff and for the applicant, and applicants
/// are not offered the form.
#[tokio::test]
async fn staff_record_a_pre_reply_communication_on_the_page() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut applicant = TestApp::new(services(&db.db)).await?;
        applicant
            .login("applicant@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        let mut fields: Vec<(&str, &str)> = FORM.to_vec();
        fields.push(("idempotency_key", "communication-page"));
        let location = applicant
            .post_form("/a/demo-city/apply", &fields)
            .await?
            .location()
            .unwrap_or_default()
            .to_string();
        let act = format!("{location}/act");
        let mut clerk = applicant.fresh_client();
        clerk
            .login("liaison@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        let page = clerk.get(&location).await?;
        assert!(
            page.body.contains("value=\"record_communication\""),
            "{}",
            db.label
        );
        let version = extract_input_value(&page.body, "version").unwrap_or_default();
        let bad = clerk
            .post_form(
                &act,
                &[
                    ("version", &version),
                    ("action", "record_communication"),
                    ("contacted_on", "yesterday"),
                    ("communication_method", "pigeon"),
                    ("communication_outcome", "need_clarified"),
                    ("communication_summary", " "),
                ],
            )
            .await?;
        assert_eq!(bad.status, 422, "{}", bad.body);
        for field in [
            "contacted_on",
            "communication_method",
            "communication_summary",
        ] {
            assert!(
                bad.body.contains(&format!("href=\"#{field}\"")),
                "{field} listed: {}",
                bad.body
            );
        }
        let done = clerk
            .post_form(
                &act,
                &[
                    ("version", &version),
                    ("action", "record_communication"),
                    ("contacted_on", "2026-03-02"),
                    ("communication_method", "phone"),
                    ("communication_outcome", "pointed_to_published_information"),
                    (
                        "communication_summary",
                        "告知申请人该规划已在本机关网站公开",
                    ),
                ],
            )
            .await?;
        assert_eq!(done.status, 303, "{}", done.body);
        let staff_view = clerk.get(&location).await?;
        assert!(staff_view.body.contains("答复前沟通记录"));
        assert!(
            staff_view
                .body
                .contains("告知申请人该规划已在本机关网站公开")
        );
        assert!(staff_view.body.contains("已引导申请人获取已公开的信息"));
        let own = applicant.get(&location).await?;
        assert!(own.body.contains("告知申请人该规划已在本机关网站公开"));
        assert!(own.body.contains("答复前与申请人沟通"));
        assert!(!own.body.contains("value=\"record_communication\""));
        db.finish().await;
    }
    Ok(())
}
