//! The performance dashboard (C17) and privacy in its public statistics (C14), through the
//! services on SQLite and PostgreSQL and over HTTP: figures computed from the applications'
//! events, ratings, remedies and the document usage counters, and small counts suppressed on
//! the public page and in the JSON API.

use gongkai_domain::application::Command;
use gongkai_domain::statistics::{Cell, Fraction, ShownFraction};
use gongkai_service::{Actor, Clock, DEMO_PASSWORD, RemedyDecisionForm, RemedyForm, Services};
use gongkai_testkit::{TestApp, all_databases, demo_login, sample_application, services};
use time::macros::{date, datetime};
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

/// The same services at another moment.
fn at(s: &Services, clock: Clock) -> Services {
    Services::new(s.db.clone(), clock, s.config.clone())
}

/// Drafts, reviews and issues a disclosure reply on the services' date.
async fn reply(
    s: &Services,
    clerk: &Actor,
    reviewer: &Actor,
    ogi: &Actor,
    id: Uuid,
) -> anyhow::Result<()> {
    act(
        s,
        clerk,
        id,
        Command::DraftReply {
            reply_kind: "disclosed".into(),
            body: "经审查，予以公开，全文附后。".into(),
            withholds_information: false,
        },
    )
    .await?;
    act(s, clerk, id, Command::SubmitForReview).await?;
    act(
        s,
        reviewer,
        id,
        Command::ApproveReview {
            comment: String::new(),
        },
    )
    .await?;
    act(s, ogi, id, Command::IssueReply).await
}

struct Scenario {
    department_id: String,
}

/// Three applications received on 2026-03-02: one assigned to a department and answered the
/// same day (then rated 4 and corrected on reconsideration), one asked to correct itself, one
/// answered late on 2026-05-06.
async fn scenario(s: &Services) -> anyhow::Result<Scenario> {
    s.seed_demo_if_empty().await?;
    let applicant = demo_login(s, "applicant@demo.gongkai.cn").await?;
    let clerk = demo_login(s, "clerk@demo.gongkai.cn").await?;
    let reviewer = demo_login(s, "reviewer@demo.gongkai.cn").await?;
    let ogi = demo_login(s, "ogi@demo.gongkai.cn").await?;
    let city = s.agency_by_slug("demo-city").await?.id;
    // The clerk's and reviewer's own department: department staff act only on its
    // applications.
    let department_id = clerk
        .grants
        .iter()
        .find_map(|g| g.department_id)
        .map(|d| d.to_string())
        .ok_or_else(|| anyhow::anyhow!("the demo clerk belongs to no department"))?;
    let today = s.clock.today_in_china();
    let mut ids = Vec::new();
    for (n, description) in [
        "请公开示范市2025年公共停车场建设规划全文及其批复文件",
        "请公开示范市2025年城市道路养护资金的使用明细",
        "请公开示范市2025年老旧小区改造项目的资金安排",
    ]
    .into_iter()
    .enumerate()
    {
        let view = s
            .submit_application(
                &applicant,
                city,
                &sample_application(description),
                &format!("performance-{n}"),
            )
            .await?;
        act(
            s,
            &clerk,
            view.id,
            Command::ConfirmReceipt {
                receipt_date: today,
            },
        )
        .await?;
        ids.push(view.id);
    }
    let (answered, corrected, late) = (ids[0], ids[1], ids[2]);
    act(s, &clerk, answered, Command::Accept).await?;
    act(
        s,
        &clerk,
        answered,
        Command::Assign {
            departments: vec![department_id.clone()],
            lead: department_id.clone(),
        },
    )
    .await?;
    reply(s, &clerk, &reviewer, &ogi, answered).await?;
    s.rate_reply(&applicant, answered, "4", "清楚").await?;
    let remedy = s
        .record_remedy(
            &clerk,
            answered,
            &RemedyForm {
                kind: "reconsideration".into(),
                body_name: "示范省人民政府".into(),
                case_number: "示复〔2026〕9号".into(),
                known_on: "2026-03-02".into(),
                filed_on: "2026-03-02".into(),
                simplified: String::new(),
            },
        )
        .await?;
    s.decide_remedy(
        &clerk,
        remedy,
        &RemedyDecisionForm {
            outcome: "corrected".into(),
            decided_on: "2026-03-02".into(),
            note: String::new(),
        },
    )
    .await?;
    act(
        s,
        &clerk,
        corrected,
        Command::RequestCorrection {
            items: vec!["请说明所需信息的时间范围".into()],
            due: date!(2026 - 03 - 16),
        },
    )
    .await?;
    let later = at(s, Clock::fixed(datetime!(2026-05-06 10:00 +8)));
    reply(&later, &clerk, &reviewer, &ogi, late).await?;
    Ok(Scenario { department_id })
}

#[tokio::test]
async fn the_dashboard_is_computed_from_the_records() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        let scenario = scenario(&s).await?;
        let city = s.agency_by_slug("demo-city").await?.id;
        let calendar = s.working_day_calendar().await?;

        // Document use: three views and a download of a published document, and nothing for
        // a document that does not exist.
        s.seed_demo_documents_if_empty().await?;
        let published =
            s.db.document_usage_of_agency(city, date!(2026 - 01 - 01), date!(2026 - 12 - 31))
                .await?;
        if let Some(document) = published.first() {
            for _ in 0..3 {
                s.count_document_view(&document.external_id).await;
            }
            s.count_document_download(&document.external_id).await;
        }
        s.count_document_view("no-such-document").await;

        let report = s.performance(city, 2026).await?;
        let agency = &report.agency;
        assert_eq!(agency.n_received, 3);
        assert_eq!(agency.correction, Fraction::new(1, 3));
        assert_eq!(agency.n_replies, 2);
        assert_eq!(agency.on_time, Fraction::new(1, 2), "one late reply");
        let late_days = calendar.working_days_between(date!(2026 - 03 - 02), date!(2026 - 05 - 06));
        assert!(late_days > 20);
        assert_eq!(agency.reply_working_days.n, 2);
        // Nearest rank: the median of {0, late} is the lower value, p90 the higher.
        assert_eq!(agency.reply_working_days.median_working_days, Some(0));
        assert_eq!(agency.reply_working_days.p90_working_days, Some(late_days));
        assert_eq!(agency.corrected_on_remedy, Fraction::new(1, 2));
        assert_eq!(agency.satisfaction, Fraction::new(4, 1));

        // The assigned application counts for its department, the others as unassigned.
        let department = report
            .departments
            .iter()
            .find(|d| d.department_id == scenario.department_id)
            .ok_or_else(|| anyhow::anyhow!("department row missing"))?;
        assert_eq!(department.figures.n_received, 1);
        assert_eq!(department.figures.on_time, Fraction::new(1, 1));
        let unassigned = report
            .departments
            .iter()
            .find(|d| d.department_id.is_empty())
            .ok_or_else(|| anyhow::anyhow!("unassigned row missing"))?;
        assert_eq!(unassigned.figures.n_received, 2);
        assert_eq!(unassigned.figures.on_time, Fraction::new(0, 1));
        let received: u64 = report
            .departments
            .iter()
            .map(|d| d.figures.n_received)
            .sum();
        assert_eq!(received, agency.n_received);

        if !published.is_empty() {
            assert_eq!(report.utilisation.views, 3);
            assert_eq!(report.utilisation.downloads, 1);
            assert_eq!(
                report.utilisation.n_published_documents,
                published.len() as u64
            );
        }
        // Another year sees none of it.
        let other = s.performance(city, 2025).await?;
        assert_eq!(other.agency.n_received, 0);
        assert_eq!(other.utilisation.views, 0);

        // In public, with k = 5, every figure about these few people is suppressed.
        let public = s.public_performance(city, 2026).await?;
        assert_eq!(public.k, 5);
        assert_eq!(public.received, Cell::BelowThreshold { k: 5 });
        assert_eq!(public.on_time, ShownFraction::Suppressed { k: 5 });
        assert_eq!(public.correction, ShownFraction::Suppressed { k: 5 });
        assert_eq!(public.satisfaction, ShownFraction::Suppressed { k: 5 });
        assert_eq!(public.reply_working_days, None);
        assert!(
            public
                .received_by_department
                .iter()
                .all(|(_, _, cell)| *cell != Cell::Shown(1) && *cell != Cell::Shown(2))
        );
        // With k = 3 (the least accepted) the three received applications may be shown, but
        // the rates over two replies may not.
        let mut config = s.config.clone();
        config.statistics_small_cell_k = 1;
        let loose = Services::new(s.db.clone(), s.clock.clone(), config);
        assert_eq!(loose.small_cell_threshold().k(), 3);
        let public = loose.public_performance(city, 2026).await?;
        assert_eq!(public.received, Cell::Shown(3));
        assert_eq!(public.on_time, ShownFraction::Suppressed { k: 3 });
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn the_public_page_suppresses_small_counts() -> anyhow::Result<()> {
    let db = gongkai_testkit::sqlite_db().await?;
    let s = services(&db.db);
    scenario(&s).await?;
    let mut app = TestApp::new(s.clone()).await?;

    let agency_page = app.get("/a/demo-city").await?;
    assert!(agency_page.body.contains("/a/demo-city/performance"));

    let page = app.get("/a/demo-city/performance?year=2026").await?;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("<th scope=\"row\">"),
        "accessible headers"
    );
    assert!(
        page.body.contains("<td>&#60;5</td>"),
        "small counts banded: {}",
        page.body
    );
    for leaked in ["1/2", "1/3", "4.00", "50.0%"] {
        assert!(
            !page.body.contains(leaked),
            "{leaked} leaked: {}",
            page.body
        );
    }
    // English second.
    app.accept_language = Some("en".into());
    let english = app.get("/a/demo-city/performance?year=2026").await?;
    assert!(english.body.contains("Replied on time"), "{}", english.body);
    app.accept_language = None;

    for bad in ["abc", "1900", "99999999999"] {
        let response = app
            .get(&format!("/a/demo-city/performance?year={bad}"))
            .await?;
        assert_eq!(response.status, 400, "year={bad}");
        let api = app
            .get(&format!(
                "/api/v1/agencies/demo-city/performance?year={bad}"
            ))
            .await?;
        assert_eq!(api.status, 400, "api year={bad}");
        assert_eq!(api.json()["error"]["code"], "invalid_query");
    }
    assert_eq!(app.get("/a/no-such-agency/performance").await?.status, 404);

    let api = app
        .get("/api/v1/agencies/demo-city/performance?year=2026")
        .await?;
    assert_eq!(api.status, 200, "{}", api.body);
    let json = api.json();
    assert_eq!(json["small_cell_threshold"], 5);
    assert_eq!(
        json["applications"]["received"]["status"],
        "below_threshold"
    );
    assert!(json["applications"]["received"]["value"].is_null());
    assert_eq!(json["applications"]["on_time"]["status"], "suppressed");
    assert!(json["applications"]["on_time"]["fraction"].is_null());
    let openapi = app.get("/api/v1/openapi.json").await?.json();
    assert!(openapi["paths"]["/api/v1/agencies/{key}/performance"]["get"].is_object());

    // Staff see the figures whole.
    app.login("ogi@demo.gongkai.cn", DEMO_PASSWORD).await?;
    let staff = app.get("/staff/performance?year=2026").await?;
    assert_eq!(staff.status, 200, "{}", staff.body);
    assert!(staff.body.contains("50.0%（1/2）"), "{}", staff.body);
    assert_eq!(app.get("/staff/performance?year=abc").await?.status, 400);
    let dashboard = app.get("/staff/dashboard").await?;
    assert!(dashboard.body.contains("/staff/performance"));
    db.finish().await;
    Ok(())
}

#[tokio::test]
async fn document_pages_and_downloads_are_counted() -> anyhow::Result<()> {
    let db = gongkai_testkit::sqlite_db().await?;
    let s = services(&db.db);
    s.seed_demo_if_empty().await?;
    s.seed_demo_documents_if_empty().await?;
    let city = s.agency_by_slug("demo-city").await?.id;
    let year = (date!(2026 - 01 - 01), date!(2026 - 12 - 31));
    let documents = s.db.document_usage_of_agency(city, year.0, year.1).await?;
    let Some(document) = documents.first() else {
        // The demo seed publishes nothing for this agency: nothing to count.
        db.finish().await;
        return Ok(());
    };
    let mut app = TestApp::new(s.clone()).await?;
    let href = format!("/documents/{}", document.external_id);
    assert_eq!(app.get(&href).await?.status, 200);
    assert_eq!(app.get(&href).await?.status, 200);
    let download = app.get(&format!("{href}/versions/1.json")).await?;
    assert_eq!(download.status, 200);
    let after = s.db.document_usage_of_agency(city, year.0, year.1).await?;
    let counted = after
        .iter()
        .find(|d| d.document_id == document.document_id)
        .ok_or_else(|| anyhow::anyhow!("document gone"))?;
    assert_eq!((counted.views, counted.downloads), (2, 1));
    db.finish().await;
    Ok(())
}

/// The whole click-through chain of C17, on both databases: a reader views a document, goes on
/// to its interpretation (政策解读), and from there to the application form through the
/// interpretation's "apply" link, which counts the visit and lands on the prefilled form.
#[tokio::test]
async fn document_interpretation_application_click_through_is_counted() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        s.seed_demo_documents_if_empty().await?;
        let city = s.agency_by_slug("demo-city").await?.id;
        let year = (date!(2026 - 01 - 01), date!(2026 - 12 - 31));
        let published = s.db.document_usage_of_agency(city, year.0, year.1).await?;
        anyhow::ensure!(
            published.len() >= 2,
            "the demo publishes documents for demo-city"
        );
        let document = published[0].external_id.clone();
        let interpretation = published[1].external_id.clone();
        let ogi = demo_login(&s, "ogi@demo.gongkai.cn").await?;
        s.link_interpretation(&ogi, &document, &interpretation)
            .await?;

        let mut reader = TestApp::new(s.clone()).await?;
        assert_eq!(
            reader.get(&format!("/documents/{document}")).await?.status,
            200
        );
        let page = reader.get(&format!("/documents/{interpretation}")).await?;
        assert_eq!(page.status, 200);
        assert!(
            page.body
                .contains(&format!("href=\"/documents/{interpretation}/apply\"")),
            "{}",
            db.label
        );
        assert_eq!(
            reader
                .get(&format!("/documents/{interpretation}"))
                .await?
                .status,
            200
        );
        let onward = reader
            .get(&format!("/documents/{interpretation}/apply"))
            .await?;
        assert_eq!(onward.status, 303);
        assert!(
            onward
                .location()
                .is_some_and(|l| l.starts_with("/a/demo-city/apply?description=")),
            "{:?}",
            onward.location()
        );
        assert_eq!(
            reader
                .get("/documents/no-such-document/apply")
                .await?
                .status,
            404
        );

        let report = s.performance(city, 2026).await?;
        let click = &report.interpretation;
        assert_eq!(click.interpreted_document_views, 1);
        assert_eq!(click.interpretation_views, 2);
        assert_eq!(click.click_through, Fraction::new(2, 1));
        assert_eq!(click.interpretation_onward_to_application, 1);
        assert_eq!(click.onward_rate, Fraction::new(1, 2));
        let row = report
            .utilisation
            .documents
            .iter()
            .find(|d| d.external_id == interpretation)
            .ok_or_else(|| anyhow::anyhow!("interpretation missing"))?;
        assert_eq!((row.views, row.onward_to_application), (2, 1));
        db.finish().await;
    }
    Ok(())
}
