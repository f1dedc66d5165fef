//! The annual report through the services, on SQLite and PostgreSQL: remedies recorded and
//! decided with their deadlines, figures and texts entered, every table computed from stored
//! data, publication as a logged catalog document, and publication refused while a
//! consistency rule fails.

use gongkai_domain::application::Command;
use gongkai_domain::publication::MetadataInput;
use gongkai_domain::remedy::RemedyOutcome;
use gongkai_domain::report::Table3Row;
use gongkai_service::{
    Actor, DraftRequest, FiguresForm, RemedyDecisionForm, RemedyForm, ServiceError, Services,
    TextsForm,
};
use gongkai_testkit::{all_databases, demo_login, sample_application, services};
use uuid::Uuid;

async fn act(s: &Services, actor: &Actor, id: Uuid, command: Command) -> anyhow::Result<()> {
    let version =
        s.db.application_get(id)
            .await?
            .map(|r| r.version)
            .unwrap_or(-1);
    s.act_on_application(actor, id, version, command).await?;
    Ok(())
}

/// A normative document (行政规范性文件) of the city, through draft and confidentiality review.
async fn publish_normative_document(
    s: &Services,
    clerk: &Actor,
    secrecy: &Actor,
    city: Uuid,
) -> anyhow::Result<String> {
    let input = MetadataInput {
        title: "示范市公共停车场管理办法".into(),
        summary: "规范公共停车场的建设和管理。".into(),
        issuer: "示范市人民政府办公室".into(),
        document_number: "示政办规〔2026〕1号".into(),
        written_date: "2026-02-10".into(),
        topic: "城乡建设".into(),
        genre: "行政规范性文件".into(),
        validity: "effective".into(),
        keywords: "停车场".into(),
        body: "第一条 为了规范公共停车场管理，制定本办法。\n\n第二条 本办法自发布之日起施行。"
            .into(),
        ..MetadataInput::default()
    };
    let (external_id, version) = s
        .create_document_draft(
            clerk,
            &DraftRequest {
                agency_id: city,
                existing_external_id: None,
                catalog_code: None,
                formed_on: Some("2026-02-10"),
                input: &input,
                change_note: "",
            },
        )
        .await?;
    s.submit_document_for_review(clerk, &external_id, version)
        .await?;
    s.review_document_version(secrecy, &external_id, version, true, "不涉密")
        .await?;
    Ok(external_id)
}

#[tokio::test]
async fn the_report_is_computed_checked_and_published() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let applicant = demo_login(&s, "applicant@demo.gongkai.cn").await?;
        let clerk = demo_login(&s, "clerk@demo.gongkai.cn").await?;
        let reviewer = demo_login(&s, "reviewer@demo.gongkai.cn").await?;
        let secrecy = demo_login(&s, "secrecy@demo.gongkai.cn").await?;
        let ogi = demo_login(&s, "ogi@demo.gongkai.cn").await?;
        let city = s.agency_by_slug("demo-city").await?.id;
        let today = s.clock.today_in_china();

        // Two applications: one answered 予以公开, one still open at the year's end.
        let answered = s
            .submit_application(
                &applicant,
                city,
                &sample_application("请公开示范市2025年公共停车场建设规划全文及其批复文件"),
                "report-1",
            )
            .await?;
        let open = s
            .submit_application(
                &applicant,
                city,
                &sample_application("请公开示范市2025年城市道路养护资金的使用明细"),
                "report-2",
            )
            .await?;
        for id in [answered.id, open.id] {
            act(
                &s,
                &clerk,
                id,
                Command::ConfirmReceipt {
                    receipt_date: today,
                },
            )
            .await?;
        }
        act(
            &s,
            &clerk,
            answered.id,
            Command::DraftReply {
                reply_kind: "disclosed".into(),
                body: "经审查，予以公开，全文附后。".into(),
                withholds_information: false,
            },
        )
        .await?;
        act(&s, &clerk, answered.id, Command::SubmitForReview).await?;
        act(
            &s,
            &reviewer,
            answered.id,
            Command::ApproveReview {
                comment: String::new(),
            },
        )
        .await?;
        act(&s, &ogi, answered.id, Command::IssueReply).await?;

        // A remedy: every problem of a bad form at once, then a real one, decided.
        match s
            .record_remedy(
                &clerk,
                answered.id,
                &RemedyForm {
                    kind: "appeal".into(),
                    known_on: "yesterday".into(),
                    filed_on: "2026-02-01".into(),
                    ..RemedyForm::default()
                },
            )
            .await
        {
            Err(ServiceError::Invalid(problems)) => {
                for field in ["kind", "body_name", "known_on"] {
                    assert!(problems.has_field(field), "{field}: {problems}");
                }
            }
            other => panic!("expected every problem at once, got {other:?}"),
        }
        assert!(matches!(
            s.record_remedy(&applicant, answered.id, &RemedyForm::default())
                .await,
            Err(ServiceError::Forbidden)
        ));
        let remedy = s
            .record_remedy(
                &clerk,
                answered.id,
                &RemedyForm {
                    kind: "reconsideration".into(),
                    body_name: "示范省人民政府".into(),
                    case_number: "示复〔2026〕7号".into(),
                    known_on: "2026-02-26".into(),
                    filed_on: "2026-03-02".into(),
                    simplified: "on".into(),
                },
            )
            .await?;
        let views = s.remedies_of_application(&clerk, answered.id).await?;
        assert_eq!(views.len(), 1);
        let filing = views[0].filing_deadline.clone().expect("filing period");
        // 60 calendar days from 2026-02-26 is 2026-04-27, a Monday.
        assert_eq!(filing.due.to_string(), "2026-04-27", "{}", db.label);
        assert!(filing.derivation.contains("行政复议法 Art. 20"));
        let decision = views[0].decision_deadline.clone().expect("decision period");
        assert_eq!(decision.due.to_string(), "2026-04-01");
        assert!(!views[0].filed_late);
        assert!(matches!(
            s.decide_remedy(
                &clerk,
                remedy,
                &RemedyDecisionForm {
                    outcome: "corrected".into(),
                    decided_on: "2026-01-01".into(),
                    note: String::new(),
                },
            )
            .await,
            Err(ServiceError::Invalid(_))
        ));
        s.decide_remedy(
            &clerk,
            remedy,
            &RemedyDecisionForm {
                outcome: "corrected".into(),
                decided_on: "2026-03-02".into(),
                note: "责令重新答复".into(),
            },
        )
        .await?;
        let views = s.remedies_of_application(&clerk, answered.id).await?;
        assert_eq!(views[0].outcome, RemedyOutcome::Corrected);

        // Figures and texts; bad figures are refused with every problem named.
        match s
            .save_report_figures(
                &ogi,
                city,
                2026,
                &FiguresForm {
                    licensing_decisions: "很多".into(),
                    administrative_fees_yuan: "1.234".into(),
                    ..FiguresForm::default()
                },
            )
            .await
        {
            Err(ServiceError::Invalid(problems)) => {
                assert!(problems.has_field("licensing_decisions"));
                assert!(problems.has_field("administrative_fees_yuan"));
            }
            other => panic!("expected problems, got {other:?}"),
        }
        s.save_report_figures(
            &ogi,
            city,
            2026,
            &FiguresForm {
                department: String::new(),
                licensing_decisions: "120".into(),
                penalty_decisions: "15".into(),
                coercion_decisions: "2".into(),
                administrative_fees_yuan: "12,345.60".into(),
            },
        )
        .await?;
        assert!(matches!(
            s.save_report_texts(&applicant, city, 2026, &TextsForm::default())
                .await,
            Err(ServiceError::Forbidden)
        ));
        s.save_report_texts(
            &ogi,
            city,
            2026,
            &TextsForm {
                overview: "本机关坚持以公开为常态、不公开为例外。".into(),
                problems_and_improvements: "政策解读的形式还比较单一。".into(),
                other_matters: String::new(),
            },
        )
        .await?;
        let normative = publish_normative_document(&s, &clerk, &secrecy, city).await?;

        let view = s.annual_report(Some(&ogi), city, 2026).await?;
        let report = &view.report;
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.table3.cell(Table3Row::NewlyReceived, 0), 2);
        assert_eq!(report.table3.cell(Table3Row::OutcomeTotal, 6), 1);
        assert_eq!(report.table3.cell(Table3Row::CarriedForward, 0), 1);
        // Table 四: the reconsideration, corrected.
        assert_eq!(report.table4.cells[0], [0, 1, 0, 0, 1]);
        // Table 二: the normative document issued and in force; the entered figures.
        assert_eq!(report.table2.documents[1].issued, 1);
        assert_eq!(report.table2.documents[1].in_force, 1);
        assert_eq!(
            report.table2.documents[1].issued_references,
            vec![normative]
        );
        assert_eq!(report.table2.figures.licensing_decisions, 120);
        assert_eq!(report.table2.figures.administrative_fees_fen, 1_234_560);
        let keyed = report.keyed_json();
        assert_eq!(
            keyed["sections"]["二、主动公开政府信息情况"]["第二十条第（八）项"]["行政事业性收费"]["本年收费金额（单位：万元）"],
            "1.23456"
        );
        assert!(report.overview_paragraphs()[0].contains("新收政府信息公开申请2件"));

        // Publishing: only the OGI office; the report becomes a logged catalog document.
        assert!(matches!(
            s.publish_annual_report(&clerk, city, 2026).await,
            Err(ServiceError::Forbidden)
        ));
        let log_before = s.tree_head().await?.size;
        let external_id = s.publish_annual_report(&ogi, city, 2026).await?;
        assert_eq!(external_id, "demo-city-ogi-annual-report-2026");
        assert_eq!(s.tree_head().await?.size, log_before + 1);
        let document = s.document_view(&external_id, None, None).await?;
        assert!(
            document
                .version
                .metadata
                .body
                .contains("三、本年度办理结果 （一）予以公开：1 | 0 | 0 | 0 | 0 | 0 | 1"),
            "{}",
            document.version.metadata.body
        );
        let published = s.published_annual_report(city, 2026).await?;
        assert_eq!(published.layout.sections.len(), 6);
        assert_eq!(s.published_annual_reports(city).await?.len(), 1);
        // Publishing again is a visible correction: a second version.
        s.publish_annual_report(&ogi, city, 2026).await?;
        let document = s.document_view(&external_id, None, None).await?;
        assert_eq!(document.version.row.version, 2);

        // 2027's 上年结转 is checked against what 2026 published: tamper with the published
        // carried-forward figure and publication of 2027 is refused.
        let row =
            s.db.annual_report_get(city, 2026)
                .await?
                .expect("published");
        let mut snapshot: serde_json::Value =
            serde_json::from_str(row.published_json.as_deref().expect("json"))?;
        snapshot["keyed"]["sections"]["三、收到和处理政府信息公开申请情况"]["四、结转下年度继续办理"]
            ["自然人"] = serde_json::json!(5);
        let tampered = snapshot.to_string();
        let sql = "UPDATE annual_reports SET published_json = $1 WHERE year = 2026";
        match &db.db {
            gongkai_service::Db::Sqlite(pool) => {
                sqlx::query(sql).bind(&tampered).execute(pool).await?;
            }
            gongkai_service::Db::Postgres(pool) => {
                sqlx::query(sql).bind(&tampered).execute(pool).await?;
            }
        }
        let next = s.annual_report(Some(&ogi), city, 2027).await?;
        assert!(!next.report.problems.is_empty());
        assert!(matches!(
            s.publish_annual_report(&ogi, city, 2027).await,
            Err(ServiceError::Invalid(_))
        ));
        db.finish().await;
    }
    Ok(())
}
