//! Later changes of a higher agency's catalog template reach the agency below that adopted it
//! (上下一致), on both databases: the county's OGI office sees each new template revision with
//! its differences, keeps its deviation or accepts the template as a new revision of its own,
//! and every revision stays.

use gongkai_service::{Clock, DEMO_PASSWORD, RequestOrigin, ServiceConfig, ServiceError, Services};
use gongkai_store::RoleAssignmentRow;
use gongkai_testkit::{TestApp, all_databases, services};
use time::macros::datetime;

fn at(services: &Services, clock: Clock) -> Services {
    Services::new(
        services.db.clone(),
        clock,
        ServiceConfig {
            ..services.config.clone()
        },
    )
}

#[tokio::test]
async fn template_changes_are_offered_below_and_accepted_or_kept() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let seeded = services(&db.db);
        seeded.seed_demo_if_empty().await?;
        let city = seeded.agency_by_slug("demo-city").await?.id;
        let county = seeded.agency_by_slug("demo-county").await?.id;
        // The demo OGI office works for the city; here it also answers for the county.
        let city_office = seeded
            .login(
                "ogi@demo.gongkai.cn",
                DEMO_PASSWORD,
                &RequestOrigin::default(),
            )
            .await?
            .actor;
        db.db
            .role_insert(&RoleAssignmentRow {
                id: uuid::Uuid::now_v7(),
                account_id: city_office.account_id,
                role: "ogi_office".into(),
                agency_id: Some(county),
                department_id: None,
                created_at: time::OffsetDateTime::now_utc().replace_nanosecond(0)?,
            })
            .await?;
        let clerk = seeded
            .login(
                "clerk@demo.gongkai.cn",
                DEMO_PASSWORD,
                &RequestOrigin::default(),
            )
            .await?
            .actor;
        assert!(
            seeded
                .catalog_template_update(county, "art20-8")
                .await?
                .is_none(),
            "adopted as it was"
        );

        // An hour later the city changes its item: the county is offered the change.
        let later = at(&seeded, Clock::fixed(datetime!(2026-03-02 10:00 +8)));
        let office = later
            .login(
                "ogi@demo.gongkai.cn",
                DEMO_PASSWORD,
                &RequestOrigin::default(),
            )
            .await?
            .actor;
        let city_item = |s: &Services| {
            let s = s.clone();
            async move {
                anyhow::Ok(
                    s.catalog_view(city)
                        .await?
                        .into_iter()
                        .find(|i| i.row.code == "art20-8")
                        .expect("standard item")
                        .data,
                )
            }
        };
        let mut data = city_item(&later).await?;
        data.elements = "收费项目、收费依据、收费标准".into();
        later
            .update_catalog_item(&office, city, "art20-8", data, true, "补充内容要素")
            .await?;
        let update = later
            .catalog_template_update(county, "art20-8")
            .await?
            .expect("offered");
        assert_eq!(update.template_revision, 2);
        let fields: Vec<&str> = update.differences.iter().map(|d| d.field).collect();
        assert_eq!(fields, ["elements"]);
        assert_eq!(
            update.differences[0].template,
            "收费项目、收费依据、收费标准"
        );

        // Only the county's OGI office decides.
        assert!(matches!(
            later
                .decide_catalog_template_update(&clerk, county, "art20-8", 2, true)
                .await,
            Err(ServiceError::Forbidden)
        ));
        later
            .decide_catalog_template_update(&office, county, "art20-8", 2, false)
            .await?;
        assert!(
            later
                .catalog_template_update(county, "art20-8")
                .await?
                .is_none()
        );
        assert_eq!(db.db.catalog_revisions(county, "art20-8").await?.len(), 1);

        // A second change is offered with everything that now differs; a decision about the
        // older revision is refused.
        let evening = at(&seeded, Clock::fixed(datetime!(2026-03-02 18:00 +8)));
        let mut data = city_item(&evening).await?;
        data.legal_basis = "《政府信息公开条例》第二十条第（八）项；《价格法》".into();
        evening
            .update_catalog_item(&office, city, "art20-8", data.clone(), true, "补充依据")
            .await?;
        let update = evening
            .catalog_template_update(county, "art20-8")
            .await?
            .expect("offered");
        assert_eq!(update.template_revision, 3);
        let fields: Vec<&str> = update.differences.iter().map(|d| d.field).collect();
        assert_eq!(fields, ["elements", "legal_basis"]);
        assert!(matches!(
            evening
                .decide_catalog_template_update(&office, county, "art20-8", 2, true)
                .await,
            Err(ServiceError::Conflict {
                code: "template_changed_again"
            })
        ));

        // Over HTTP, without JavaScript: the page shows the differences; accepting saves the
        // template's content as the county's next revision.
        let mut app = TestApp::new(evening.clone()).await?;
        app.login("ogi@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let page = app.get("/staff/catalog/demo-county/art20-8").await?;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("《价格法》"));
        assert!(
            page.body
                .contains("action=\"/staff/catalog/demo-county/art20-8/template\"")
        );
        let accepted = app
            .post_form(
                "/staff/catalog/demo-county/art20-8/template",
                &[("decision", "accept"), ("template_revision", "3")],
            )
            .await?;
        assert_eq!(accepted.status, 303);
        let again = app
            .post_form(
                "/staff/catalog/demo-county/art20-8/template",
                &[("decision", "accept"), ("template_revision", "3")],
            )
            .await?;
        assert_eq!(again.status, 409, "decided once");
        let garbage = app
            .post_form(
                "/staff/catalog/demo-county/art20-8/template",
                &[("decision", "maybe"), ("template_revision", "x")],
            )
            .await?;
        assert_eq!(garbage.status, 400);
        let item = evening
            .catalog_view(county)
            .await?
            .into_iter()
            .find(|i| i.row.code == "art20-8")
            .expect("item");
        assert_eq!(item.data, data);
        assert!(!item.deviates_from_template);
        let revisions = db.db.catalog_revisions(county, "art20-8").await?;
        assert_eq!(revisions.len(), 2, "every revision kept");
        assert!(
            revisions[0].change_note.contains("采纳"),
            "{}",
            revisions[0].change_note
        );
        let page = app.get("/staff/catalog/demo-county/art20-8").await?;
        assert!(!page.body.contains("/template\""));
        db.finish().await;
    }
    Ok(())
}
