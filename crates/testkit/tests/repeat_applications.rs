//! The repeat-application check of the staff pre-review (Art. 36(6)), on SQLite and
//! PostgreSQL: only the same applicant's earlier applications to the same agency that were
//! already answered, and whose description reads alike, are offered to staff, with the reply
//! they received; and the staff page lists them in the pre-review panel.

use gongkai_domain::application::Command;
use gongkai_domain::reply::ReplyKind;
use gongkai_service::{Actor, ServiceError, Services};
use gongkai_testkit::{TestApp, all_databases, demo_login, sample_application, services};
use time::macros::date;
use uuid::Uuid;

/// The request answered first.
const EARLIER: &str = "申请公开示范市2025年公共停车场建设规划的环境影响评价报告及专家评审意见";

/// The same request asked again in slightly different words.
const NEAR_IDENTICAL: &str =
    "请公开示范市2025年公共停车场建设规划的环境影响评价报告和专家评审意见。";

/// A different request of the same applicant.
const UNRELATED: &str = "申请公开某街道2023年老旧小区改造工程的施工合同及竣工验收记录";

struct Cast {
    applicant: Actor,
    clerk: Actor,
    reviewer: Actor,
    ogi: Actor,
    city: Uuid,
}

async fn cast(s: &Services) -> anyhow::Result<Cast> {
    s.seed_demo_if_empty().await?;
    Ok(Cast {
        applicant: demo_login(s, "applicant@demo.gongkai.cn").await?,
        clerk: demo_login(s, "clerk@demo.gongkai.cn").await?,
        reviewer: demo_login(s, "reviewer@demo.gongkai.cn").await?,
        ogi: demo_login(s, "ogi@demo.gongkai.cn").await?,
        city: s.agency_by_slug("demo-city").await?.id,
    })
}

async fn act(s: &Services, actor: &Actor, id: Uuid, command: Command) -> anyhow::Result<()> {
    let version =
        s.db.application_get(id)
            .await?
            .map(|r| r.version)
            .ok_or_else(|| anyhow::anyhow!("application {id} missing"))?;
    s.act_on_application(actor, id, version, command).await?;
    Ok(())
}

/// Drives an application from submission to an issued reply of `reply_kind`.
async fn answer(s: &Services, c: &Cast, id: Uuid, reply_kind: &str) -> anyhow::Result<()> {
    act(
        s,
        &c.clerk,
        id,
        Command::ConfirmReceipt {
            receipt_date: s.clock.today_in_china(),
        },
    )
    .await?;
    act(
        s,
        &c.clerk,
        id,
        Command::DraftReply {
            reply_kind: reply_kind.into(),
            body: "经审查，您申请的信息予以公开。".into(),
            withholds_information: false,
        },
    )
    .await?;
    act(s, &c.clerk, id, Command::SubmitForReview).await?;
    act(
        s,
        &c.reviewer,
        id,
        Command::ApproveReview {
            comment: "同意".into(),
        },
    )
    .await?;
    act(s, &c.ogi, id, Command::IssueReply).await
}

async fn register_other_applicant(s: &Services) -> anyhow::Result<Actor> {
    Ok(s.register(
        &gongkai_domain::account::RegistrationInput {
            email: "other@example.cn",
            mobile: "",
            display_name: "另一位申请人",
            password: "other password",
            password_confirmation: "other password",
        },
        &gongkai_service::RequestOrigin::default(),
    )
    .await?
    .actor)
}

/// The applications of the scenario, by role.
struct Scenario {
    earlier: Uuid,
    earlier_receipt_number: String,
    unanswered: Uuid,
    unrelated_answered: Uuid,
    others_answered: Uuid,
    new: Uuid,
    new_unrelated: Uuid,
}

/// The demo applicant's answered request, an unanswered and an unrelated answered one;
/// another applicant's identical answered request (with the same identity number, which must
/// not make them the same applicant); then the demo applicant's near-identical and unrelated
/// new requests.
async fn scenario(s: &Services, c: &Cast) -> anyhow::Result<Scenario> {
    let earlier = s
        .submit_application(
            &c.applicant,
            c.city,
            &sample_application(EARLIER),
            "earlier",
        )
        .await?;
    answer(s, c, earlier.id, "disclosed").await?;
    let unanswered = s
        .submit_application(
            &c.applicant,
            c.city,
            &sample_application(EARLIER),
            "unanswered",
        )
        .await?;
    let unrelated_answered = s
        .submit_application(
            &c.applicant,
            c.city,
            &sample_application(UNRELATED),
            "unrelated-answered",
        )
        .await?;
    answer(s, c, unrelated_answered.id, "disclosed").await?;
    let other = register_other_applicant(s).await?;
    let others_answered = s
        .submit_application(&other, c.city, &sample_application(EARLIER), "other")
        .await?;
    answer(s, c, others_answered.id, "disclosed").await?;
    let new = s
        .submit_application(
            &c.applicant,
            c.city,
            &sample_application(NEAR_IDENTICAL),
            "new",
        )
        .await?;
    let new_unrelated = s
        .submit_application(
            &c.applicant,
            c.city,
            &sample_application("请提供本市2024年度城市公园绿地养护经费的预算执行明细表"),
            "new-unrelated",
        )
        .await?;
    Ok(Scenario {
        earlier: earlier.id,
        earlier_receipt_number: earlier.receipt_number,
        unanswered: unanswered.id,
        unrelated_answered: unrelated_answered.id,
        others_answered: others_answered.id,
        new: new.id,
        new_unrelated: new_unrelated.id,
    })
}

#[tokio::test]
async fn only_the_same_applicants_answered_similar_applications_are_offered() -> anyhow::Result<()>
{
    for db in all_databases().await? {
        let s = services(&db.db);
        let c = cast(&s).await?;
        let sc = scenario(&s, &c).await?;
        let candidates = s.earlier_similar_applications(&c.clerk, sc.new).await?;
        let ids: Vec<Uuid> = candidates.iter().map(|c| c.application_id).collect();
        assert_eq!(ids, vec![sc.earlier], "{}", db.label);
        let found = &candidates[0];
        assert_eq!(found.receipt_number, sc.earlier_receipt_number);
        assert!(
            (60..100).contains(&found.similarity_percent),
            "{}",
            found.similarity_percent
        );
        assert_eq!(found.reply_kind_code, "disclosed");
        assert_eq!(found.replied_on, Some(date!(2026 - 03 - 02)));
        for excluded in [sc.unanswered, sc.unrelated_answered, sc.others_answered] {
            assert!(!ids.contains(&excluded), "{}", db.label);
        }
        // An unrelated new request repeats nothing.
        assert!(
            s.earlier_similar_applications(&c.clerk, sc.new_unrelated)
                .await?
                .is_empty(),
            "{}",
            db.label
        );
        // Any staff role of the agency may look; the applicant may not (it is staff work),
        // and to anyone else the application does not exist.
        assert_eq!(
            s.earlier_similar_applications(&c.ogi, sc.new).await?.len(),
            1
        );
        assert!(matches!(
            s.earlier_similar_applications(&c.applicant, sc.new).await,
            Err(ServiceError::Forbidden)
        ));
        let stranger = s
            .register(
                &gongkai_domain::account::RegistrationInput {
                    email: "stranger@example.cn",
                    mobile: "",
                    display_name: "路人",
                    password: "stranger password",
                    password_confirmation: "stranger password",
                },
                &gongkai_service::RequestOrigin::default(),
            )
            .await?
            .actor;
        assert!(matches!(
            s.earlier_similar_applications(&stranger, sc.new).await,
            Err(ServiceError::NotFound)
        ));
        assert!(matches!(
            s.earlier_similar_applications(&c.clerk, Uuid::now_v7())
                .await,
            Err(ServiceError::NotFound)
        ));
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn the_staff_page_lists_the_possible_repeat_in_the_prereview() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut clerk = TestApp::new(services(&db.db)).await?;
        let s = clerk.services.clone();
        let c = cast(&s).await?;
        let sc = scenario(&s, &c).await?;
        clerk
            .login("clerk@demo.gongkai.cn", gongkai_service::DEMO_PASSWORD)
            .await?;
        let page = clerk.get(&format!("/applications/{}", sc.new)).await?;
        assert_eq!(page.status, 200, "{}", db.label);
        assert!(page.body.contains("预审意见"));
        assert!(
            page.body.contains(
                "<h3 id=\"prereview-repeats-title\">可能属于重复申请（第三十六条第六项）</h3>"
            ),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("aria-labelledby=\"prereview-repeats-title\"")
        );
        assert!(page.body.contains(&format!(
            "<a href=\"/applications/{}\">{}</a>",
            sc.earlier, sc.earlier_receipt_number
        )));
        assert!(page.body.contains("由工作人员核实后决定"), "staff decide");
        assert!(page.body.contains(&ReplyKind::Disclosed.label_zh()));
        assert!(page.body.contains("2026-03-02"));
        // The other applications of the scenario are not offered.
        for excluded in [sc.unanswered, sc.unrelated_answered, sc.others_answered] {
            assert!(!page.body.contains(&format!("/applications/{excluded}\"")));
        }
        // In English the same entry reads in English.
        let mut english = clerk.fresh_client();
        english.accept_language = Some("en".to_string());
        english
            .login("clerk@demo.gongkai.cn", gongkai_service::DEMO_PASSWORD)
            .await?;
        let page = english.get(&format!("/applications/{}", sc.new)).await?;
        assert!(
            page.body
                .contains("Possibly a repeat application (Art. 36(6))")
        );
        assert!(page.body.contains(ReplyKind::Disclosed.label_en()));
        // Nothing is listed for an unrelated request, and the applicant never sees the panel.
        let page = clerk
            .get(&format!("/applications/{}", sc.new_unrelated))
            .await?;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("prereview-repeats-title"));
        let mut applicant = clerk.fresh_client();
        applicant
            .login("applicant@demo.gongkai.cn", gongkai_service::DEMO_PASSWORD)
            .await?;
        let page = applicant.get(&format!("/applications/{}", sc.new)).await?;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("可能属于重复申请"));
        db.finish().await;
    }
    Ok(())
}
