//! Reminders of late publication duties (Art. 26) on both databases, delivered through the
//! outbox to a local SMTP sink: the owning department's staff get them (the OGI office when no
//! department is named), at most once per duty per day, and again the next day while the duty
//! is still late.

use gongkai_domain::publication::MetadataInput;
use gongkai_service::{
    Clock, DEMO_PASSWORD, DraftRequest, RequestOrigin, ServiceConfig, Services, SmtpSettings,
};
use gongkai_testkit::smtp_sink::SmtpSink;
use gongkai_testkit::{all_databases, services};
use time::macros::datetime;

fn at(services: &Services, clock: Clock) -> Services {
    let config = ServiceConfig {
        public_base_url: "https://gongkai.example".into(),
        ..services.config.clone()
    };
    Services::new(services.db.clone(), clock, config)
}

async fn actor(s: &Services, email: &str) -> anyhow::Result<gongkai_service::Actor> {
    Ok(s.login(email, DEMO_PASSWORD, &RequestOrigin::default())
        .await?
        .actor)
}

#[tokio::test]
async fn late_publication_duties_are_mailed_to_the_owning_department_once_a_day()
-> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let mailer = gongkai_service::Mailer::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port: sink.port,
        security: "none".into(),
        username: None,
        password: None,
        from: "示范市政务公开办 <gongkai@demo-city.gov.cn>".into(),
    })?;
    for db in all_databases().await? {
        let base = services(&db.db);
        base.seed_demo_if_empty().await?;
        // Monday 2 March 2026; the information below was formed on 5 January, so the 20
        // working days of Art. 26 (across the Spring Festival) have long passed.
        let monday = at(&base, Clock::fixed(datetime!(2026-03-02 09:00 +8)));
        let clerk = actor(&monday, "clerk@demo.gongkai.cn").await?;
        let office = actor(&monday, "ogi@demo.gongkai.cn").await?;
        let city = monday.agency_by_slug("demo-city").await?.id;
        let grants = db.db.role_list_for_account(clerk.account_id).await?;
        let department_id = grants
            .iter()
            .find_map(|g| g.department_id)
            .expect("the demo clerk works in a department");
        let department = db.db.department_get(department_id).await?.expect("exists");

        // The fees item (Art. 20 (8)) belongs to the clerk's department.
        let mut item = monday
            .catalog_view(city)
            .await?
            .into_iter()
            .find(|i| i.row.code == "art20-8")
            .expect("standard item")
            .data;
        item.responsible_department = department.name_zh.clone();
        monday
            .update_catalog_item(&office, city, "art20-8", item, true, "指定责任部门")
            .await?;
        for (title, catalog_code) in [
            ("停车收费标准调整", Some("art20-8")),
            ("无目录项的通知", None),
        ] {
            let input = MetadataInput {
                title: title.into(),
                issuer: "示范市人民政府".into(),
                body: "正文。".into(),
                ..MetadataInput::default()
            };
            monday
                .create_document_draft(
                    &clerk,
                    &DraftRequest {
                        agency_id: city,
                        existing_external_id: None,
                        catalog_code,
                        formed_on: Some("2026-01-05"),
                        input: &input,
                        change_note: "",
                    },
                )
                .await?;
        }
        let late = monday.publication_overdue(city).await?;
        assert_eq!(
            late.iter()
                .filter(|d| d.kind == "unpublished_change")
                .count(),
            2,
            "{late:?}"
        );

        let written = monday.write_publication_overdue_reminders().await?;
        assert!(written >= 2, "{written}");
        // The same day again: nothing more.
        assert_eq!(monday.write_publication_overdue_reminders().await?, 0);
        let before = sink.messages().len();
        while monday.deliver_outbox_batch(&mailer).await?.sent > 0 {}
        let mails: Vec<_> = sink.messages().into_iter().skip(before).collect();
        let to_of = |title: &str| -> Vec<String> {
            let mut to: Vec<String> = mails
                .iter()
                .filter(|m| m.headers().contains("Subject:") && m.body_text().contains(title))
                .flat_map(|m| m.to.clone())
                .collect();
            to.sort();
            to
        };
        let fees = to_of("停车收费标准调整");
        assert!(
            fees.contains(&"<clerk@demo.gongkai.cn>".to_string()),
            "{fees:?}"
        );
        assert!(!fees.contains(&"<ogi@demo.gongkai.cn>".to_string()));
        assert!(!fees.contains(&"<applicant@demo.gongkai.cn>".to_string()));
        // Without a catalog item, nobody but the OGI office answers for it.
        assert_eq!(to_of("无目录项的通知"), ["<ogi@demo.gongkai.cn>"]);
        let mail = mails
            .iter()
            .find(|m| m.body_text().contains("停车收费标准调整"))
            .expect("sent");
        let text = mail.body_text();
        assert!(text.contains("第二十六条"), "{text}");
        assert!(text.contains("2026-01-05"), "{text}");
        assert!(text.contains(&department.name_zh), "{text}");
        assert!(
            text.contains("https://gongkai.example/staff/documents"),
            "{text}"
        );

        // Tuesday: still late, so each duty is reminded once more.
        let tuesday = at(&base, Clock::fixed(datetime!(2026-03-03 09:00 +8)));
        assert_eq!(
            tuesday.write_publication_overdue_reminders().await?,
            written
        );
        assert_eq!(tuesday.write_publication_overdue_reminders().await?, 0);
        db.finish().await;
    }
    Ok(())
}
