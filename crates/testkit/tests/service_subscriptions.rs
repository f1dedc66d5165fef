//! E-mail subscriptions on both databases, through a real SMTP conversation with a local sink:
//! double opt-in, a weekly digest of what was published in the subscribed catalog item, the
//! RFC 2369 / RFC 8058 unsubscribe headers, and nothing more after unsubscribing.

use gongkai_service::{
    Clock, ServiceConfig, ServiceError, Services, SmtpSettings, SubscriptionRequest,
};
use gongkai_testkit::smtp_sink::SmtpSink;
use gongkai_testkit::{all_databases, services};
use time::Duration;
use time::macros::datetime;

fn at(services: &Services, clock: Clock) -> Services {
    let config = ServiceConfig {
        public_base_url: "https://gongkai.example".into(),
        ..services.config.clone()
    };
    Services::new(services.db.clone(), clock, config)
}

fn link_parameters(mail: &str, path: &str) -> Option<(String, String)> {
    let start = mail.find(path)? + path.len();
    let rest = &mail[start..];
    let id = rest.strip_prefix("?id=")?.split('&').next()?.to_string();
    let token = rest
        .split("token=")
        .nth(1)?
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    Some((id, token))
}

fn law_line(id: &str, title: &str) -> String {
    serde_json::json!({
        "id": id, "title": title, "issuer": "国务院", "date": "2026-03-05", "level": "行政法规",
        "category": "行政法规", "expired": false, "header": [], "body": "第一条 施行。",
    })
    .to_string()
}

#[tokio::test]
async fn subscribers_confirm_receive_weekly_digests_and_unsubscribe_in_one_click()
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
    let start = datetime!(2026-03-02 09:00 +8);
    for db in all_databases().await? {
        let base = services(&db.db);
        base.seed_demo_if_empty().await?;
        let now = at(&base, Clock::fixed(start));
        let bad = now
            .subscribe(
                None,
                &SubscriptionRequest {
                    email: "not-an-address".into(),
                    filter_kind: "catalog".into(),
                    filter_value: String::new(),
                    frequency: "hourly".into(),
                },
            )
            .await;
        match bad {
            Err(ServiceError::Invalid(problems)) => {
                for field in ["email", "value", "frequency"] {
                    assert!(problems.has_field(field), "{field}: {problems}");
                }
            }
            other => panic!("expected every problem, got {other:?}"),
        }
        let request = SubscriptionRequest {
            email: "Reader@Example.cn".into(),
            filter_kind: "catalog".into(),
            filter_value: "art20-1".into(),
            frequency: "weekly".into(),
        };
        now.subscribe(None, &request).await?;
        let before = sink.messages().len();
        now.deliver_outbox_batch(&mailer).await?;
        let mails = sink.messages();
        assert_eq!(mails.len(), before + 1, "{}", db.label);
        let confirmation = &mails[before];
        assert_eq!(confirmation.to, ["<reader@example.cn>"]);
        let (id, token) = link_parameters(
            &confirmation.body_text(),
            "https://gongkai.example/subscriptions/confirm",
        )
        .expect("confirmation link");
        let id = uuid::Uuid::parse_str(&id)?;
        assert!(matches!(
            now.confirm_subscription(id, "00").await,
            Err(ServiceError::NotFound)
        ));
        now.confirm_subscription(id, &token).await?;
        assert!(matches!(
            now.subscribe(None, &request).await,
            Err(ServiceError::Conflict { .. })
        ));

        // A document is published an hour later; the weekly digest is due a week later.
        let later = at(&base, Clock::fixed(start + Duration::hours(1)));
        later
            .import_laws_jsonl(
                "demo-city",
                std::iter::once(Ok(law_line("lrb-digest000001", "示范公开条例"))),
            )
            .await?;
        assert_eq!(later.write_due_digests().await?, 0, "not yet a week");
        let week = at(
            &base,
            Clock::fixed(start + Duration::days(7) + Duration::hours(2)),
        );
        assert_eq!(week.write_due_digests().await?, 1);
        assert_eq!(week.write_due_digests().await?, 0, "once per period");
        let before = sink.messages().len();
        week.deliver_outbox_batch(&mailer).await?;
        let mails = sink.messages();
        assert_eq!(mails.len(), before + 1);
        let headers = mails[before].headers().replace("\r\n ", " ");
        assert!(
            headers.contains(
                "List-Unsubscribe: <https://gongkai.example/subscriptions/unsubscribe?id="
            ),
            "{headers}"
        );
        assert!(headers.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        let digest = &mails[before].body_text();
        assert!(digest.contains("示范公开条例"), "{digest}");
        assert!(digest.contains("https://gongkai.example/documents/lrb-digest000001"));
        let (unsubscribe_id, unsubscribe_token) =
            link_parameters(digest, "https://gongkai.example/subscriptions/unsubscribe")
                .expect("unsubscribe link");
        week.unsubscribe(uuid::Uuid::parse_str(&unsubscribe_id)?, &unsubscribe_token)
            .await?;
        let two_weeks = at(&base, Clock::fixed(start + Duration::days(15)));
        two_weeks
            .import_laws_jsonl(
                "demo-city",
                std::iter::once(Ok(law_line("lrb-digest000002", "又一公开条例"))),
            )
            .await?;
        assert_eq!(
            at(&base, Clock::fixed(start + Duration::days(30)))
                .write_due_digests()
                .await?,
            0
        );
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn subscription_pages_work_without_javascript_and_one_click_needs_no_session()
-> anyhow::Result<()> {
    use gongkai_testkit::TestApp;
    for db in all_databases().await? {
        let mut app = TestApp::new(services(&db.db)).await?;
        app.login("applicant@demo.gongkai.cn", gongkai_service::DEMO_PASSWORD)
            .await?;
        let form = app.get("/subscriptions?kind=catalog&value=art20-1").await?;
        assert_eq!(form.status, 200, "{}", db.label);
        assert!(form.body.contains("value=\"applicant@demo.gongkai.cn\""));
        let invalid = app
            .post_form(
                "/subscriptions",
                &[
                    ("email", "x"),
                    ("kind", "topic"),
                    ("value", ""),
                    ("frequency", "weekly"),
                ],
            )
            .await?;
        assert_eq!(invalid.status, 422);
        assert!(
            invalid.body.contains("href=\"#email\"") && invalid.body.contains("href=\"#value\"")
        );
        let sent = app
            .post_form(
                "/subscriptions",
                &[
                    ("email", "applicant@demo.gongkai.cn"),
                    ("kind", "catalog"),
                    ("value", "art20-1"),
                    ("frequency", "daily"),
                ],
            )
            .await?;
        assert_eq!(sent.status, 200);
        assert!(
            sent.body
                .contains("确认链接已发送至 applicant@demo.gongkai.cn")
        );
        let account = app.get("/account").await?;
        assert!(account.body.contains("catalog: art20-1"));
        assert!(account.body.contains("待确认"));
        let actor = app
            .services
            .login(
                "applicant@demo.gongkai.cn",
                gongkai_service::DEMO_PASSWORD,
                &gongkai_service::RequestOrigin::default(),
            )
            .await?
            .actor;
        let subscription = app.services.my_subscriptions(&actor).await?;
        let id = subscription[0].id;
        let link = app.services.unsubscribe_link(id).await?;
        let path = link.trim_start_matches("http://127.0.0.1:8080");
        // A GET (a mail scanner following the link) changes nothing.
        let page = app.fresh_client().get(path).await?;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("确认退订"));
        assert_eq!(app.services.my_subscriptions(&actor).await?.len(), 1);
        // The mail program's one-click POST needs no session and no CSRF token.
        let mut anonymous = app.fresh_client();
        let done = anonymous
            .post_form_raw(path, &[("List-Unsubscribe", "One-Click")])
            .await?;
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(app.services.my_subscriptions(&actor).await?.is_empty());
        let forged = anonymous
            .post_form_raw(
                &format!("/subscriptions/unsubscribe?id={id}&token=abcd"),
                &[],
            )
            .await?;
        assert_eq!(forged.status, 404);
        db.finish().await;
    }
    Ok(())
}
