//! The annual report through HTTP: the OGI office's page with all six sections and accessible
//! tables, texts and figures entered through forms (every problem shown), drill-down into
//! tables 三 and 四, PDF/XLSX/JSON exports, publication and the public pages; remedies recorded
//! from an application's page.

use gongkai_domain::application::Command;
use gongkai_service::{DEMO_PASSWORD, RequestOrigin, Services};
use gongkai_testkit::{TestApp, all_databases, services};
use uuid::Uuid;

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

/// Two applications received today, the first answered 予以公开.
async fn two_applications(applicant: &mut TestApp, s: &Services) -> anyhow::Result<Vec<Uuid>> {
    let mut ids = Vec::new();
    for i in 0..2 {
        let key = format!("annual-{i}");
        let mut fields: Vec<(&str, &str)> = FORM.to_vec();
        fields.push(("idempotency_key", &key));
        let location = applicant
            .post_form("/a/demo-city/apply", &fields)
            .await?
            .location()
            .unwrap_or_default()
            .to_string();
        ids.push(Uuid::parse_str(
            location.trim_start_matches("/applications/"),
        )?);
    }
    let origin = RequestOrigin::default();
    let login = |email: &'static str| {
        let s = s.clone();
        let origin = origin.clone();
        async move {
            s.login(email, DEMO_PASSWORD, &origin)
                .await
                .map(|session| session.actor)
        }
    };
    let clerk = login("clerk@demo.gongkai.cn").await?;
    let reviewer = login("reviewer@demo.gongkai.cn").await?;
    let ogi = login("ogi@demo.gongkai.cn").await?;
    for id in &ids {
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
    Ok(ids)
}

#[tokio::test]
async fn the_annual_report_is_compiled_and_published_through_pages() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut applicant = TestApp::new(services(&db.db)).await?;
        applicant
            .login("applicant@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        let s = applicant.services.clone();
        let ids = two_applications(&mut applicant, &s).await?;
        let mut staff = applicant.fresh_client();
        staff.login("ogi@demo.gongkai.cn", DEMO_PASSWORD).await?;

        // A remedy recorded from the application's page: every problem first, then a real one.
        let page = staff.get(&format!("/applications/{}", ids[0])).await?;
        assert!(page.body.contains("id=\"remedies-title\""), "{}", db.label);
        let bad = staff
            .post_form(
                &format!("/applications/{}/remedies", ids[0]),
                &[("kind", "appeal"), ("known_on", "昨天")],
            )
            .await?;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("请从列表中选择"), "kind problem shown");
        let good = staff
            .post_form(
                &format!("/applications/{}/remedies", ids[0]),
                &[
                    ("kind", "reconsideration"),
                    ("body_name", "示范省人民政府"),
                    ("case_number", "示复〔2026〕7号"),
                    ("known_on", "2026-02-26"),
                    ("filed_on", "2026-03-02"),
                ],
            )
            .await?;
        assert_eq!(good.status, 303, "{}", good.body);
        let page = staff.get(&format!("/applications/{}", ids[0])).await?;
        assert!(page.body.contains("示复〔2026〕7号"));
        assert!(page.body.contains("2026-04-27"), "filing deadline shown");
        assert!(page.body.contains("行政复议法 Art. 20"));
        // The applicant sees no remedy section and cannot record one.
        let own = applicant.get(&format!("/applications/{}", ids[0])).await?;
        assert!(!own.body.contains("id=\"remedies-title\""));
        let refused = applicant
            .post_form(
                &format!("/applications/{}/remedies", ids[0]),
                &[("kind", "complaint"), ("body_name", "x")],
            )
            .await?;
        assert_eq!(refused.status, 403);

        // The working report: six sections, accessible tables, rules checked.
        let report = staff.get("/staff/report?year=2026").await?;
        assert_eq!(report.status, 200);
        for heading in [
            "一、总体情况",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项",
        ] {
            assert!(report.body.contains(heading), "{heading}");
        }
        assert!(
            report
                .body
                .contains("<th scope=\"rowgroup\" rowspan=\"22\">三、本年度办理结果</th>")
        );
        assert!(
            report
                .body
                .contains("<th scope=\"colgroup\" colspan=\"10\">行政诉讼</th>")
        );
        assert!(report.body.contains("全部勾稽关系校验通过"));
        // Drill-down from table 四: the pending reconsideration.
        let drill = staff.get("/staff/report?year=2026&drill=t4/0/3").await?;
        assert!(drill.body.contains("示复〔2026〕7号"), "{}", db.label);
        let drill = staff
            .get("/staff/report?year=2026&drill=disclosed/6")
            .await?;
        assert!(drill.body.contains("demo-city-2026-00001"));

        // Texts and figures; a bad figure shows every problem at once.
        let texts = staff
            .post_form(
                "/staff/report/texts",
                &[
                    ("year", "2026"),
                    ("overview", "本机关坚持以公开为常态、不公开为例外。"),
                    ("problems_and_improvements", "政策解读形式单一。"),
                    ("other_matters", ""),
                ],
            )
            .await?;
        assert_eq!(texts.status, 303);
        let bad = staff
            .post_form(
                "/staff/report/figures",
                &[
                    ("year", "2026"),
                    ("licensing_decisions", "-3"),
                    ("administrative_fees_yuan", "12.345"),
                ],
            )
            .await?;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("应为不小于0的整数"));
        assert!(bad.body.contains("最多两位小数"));
        let good = staff
            .post_form(
                "/staff/report/figures",
                &[
                    ("year", "2026"),
                    ("licensing_decisions", "120"),
                    ("penalty_decisions", "15"),
                    ("coercion_decisions", "2"),
                    ("administrative_fees_yuan", "12345.60"),
                ],
            )
            .await?;
        assert_eq!(good.status, 303);
        let report = staff.get("/staff/report?year=2026").await?;
        assert!(report.body.contains("本机关坚持以公开为常态"));
        assert!(report.body.contains("1.23456"), "fees in 万元");

        // Exports of the working version.
        let json = staff
            .get("/staff/report/export?year=2026&format=json")
            .await?;
        assert_eq!(
            json.json()["sections"]["四、政府信息公开行政复议、行政诉讼情况"]["行政复议"]["尚未审结"],
            1
        );
        let xlsx = staff
            .get("/staff/report/export?year=2026&format=xlsx")
            .await?;
        assert_eq!(xlsx.status, 200);
        assert!(xlsx.bytes.starts_with(b"PK"));
        let pdf = staff
            .get("/staff/report/export?year=2026&format=pdf")
            .await?;
        assert_eq!(pdf.status, 200, "{}", db.label);
        if let Some(text) = gongkai_testkit::pdf_text(&pdf.bytes)? {
            assert!(text.contains("政府信息公开工作年度报告"), "{text}");
            assert!(text.contains("结果维持"));
        }
        assert_eq!(
            staff
                .get("/staff/report/export?year=2026&format=doc")
                .await?
                .status,
            404
        );

        // Publication, then the public pages.
        assert_eq!(
            applicant
                .get("/a/demo-city/annual-reports/2026")
                .await?
                .status,
            404
        );
        let published = staff
            .post_form("/staff/report/publish", &[("year", "2026")])
            .await?;
        assert_eq!(published.status, 303, "{}", published.body);
        assert_eq!(
            published.location(),
            Some("/a/demo-city/annual-reports/2026")
        );
        let public = applicant
            .fresh_client()
            .get("/a/demo-city/annual-reports/2026")
            .await?;
        assert_eq!(public.status, 200);
        assert!(
            public
                .body
                .contains("示范市人民政府2026年政府信息公开工作年度报告")
        );
        assert!(public.body.contains("<th scope=\"col\">结果维持</th>"));
        assert!(
            !public.body.contains("drill="),
            "no drill-down for the public"
        );
        let list = applicant.get("/a/demo-city/annual-reports").await?;
        assert!(list.body.contains("/a/demo-city/annual-reports/2026"));
        let keyed = applicant
            .get("/a/demo-city/annual-reports/2026.json")
            .await?;
        assert_eq!(
            keyed.json()["sections"]["二、主动公开政府信息情况"]["第二十条第（五）项"]["行政许可"]
                ["本年处理决定数量"],
            120
        );
        let public_pdf = applicant
            .get("/a/demo-city/annual-reports/2026.pdf")
            .await?;
        assert!(public_pdf.bytes.starts_with(b"%PDF"));
        let document = applicant
            .get("/documents/demo-city-ogi-annual-report-2026")
            .await?;
        assert_eq!(document.status, 200, "published as a catalog document");
        assert_eq!(
            applicant
                .get("/a/demo-city/annual-reports/20x6")
                .await?
                .status,
            404
        );
        assert_eq!(applicant.get("/staff/report").await?.status, 403);
        db.finish().await;
    }
    Ok(())
}
