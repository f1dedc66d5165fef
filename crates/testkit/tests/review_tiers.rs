//! Issue 3's last two rules, on SQLite and PostgreSQL: an agency's own review tiers (分级审核),
//! set on the administration page with every problem listed at once and then used for every
//! reply submitted for review; and department-scoped acting, where a department's clerk,
//! reviewer or liaison acts only on applications assigned to that department (or not yet
//! assigned), while staff of the whole agency act on all.

use gongkai_domain::account::Role;
use gongkai_domain::application::{Command, CommunicationMethod, CommunicationOutcome, Stage};
use gongkai_service::{Actor, DEMO_PASSWORD, RequestOrigin, ServiceError, Services};
use gongkai_testkit::{TestApp, all_databases, demo_login, sample_application, services};
use uuid::Uuid;

async fn act(s: &Services, actor: &Actor, id: Uuid, command: Command) -> Result<(), ServiceError> {
    let version =
        s.db.application_get(id)
            .await?
            .map(|r| r.version)
            .unwrap_or(-1);
    s.act_on_application(actor, id, version, command).await?;
    Ok(())
}

/// A received and accepted application assigned to `department` alone.
async fn assigned_to(s: &Services, department: &str, key: &str) -> anyhow::Result<Uuid> {
    let applicant = demo_login(s, "applicant@demo.gongkai.cn").await?;
    let ogi = demo_login(s, "ogi@demo.gongkai.cn").await?;
    let city = s.agency_by_slug("demo-city").await?.id;
    let view = s
        .submit_application(
            &applicant,
            city,
            &sample_application("请公开示范市2025年公共停车场建设规划全文"),
            key,
        )
        .await?;
    let today = s.clock.today_in_china();
    act(
        s,
        &ogi,
        view.id,
        Command::ConfirmReceipt {
            receipt_date: today,
        },
    )
    .await?;
    act(s, &ogi, view.id, Command::Accept).await?;
    act(
        s,
        &ogi,
        view.id,
        Command::Assign {
            departments: vec![department.to_string()],
            lead: department.to_string(),
        },
    )
    .await?;
    Ok(view.id)
}

fn draft() -> Command {
    Command::DraftReply {
        reply_kind: "disclosed".into(),
        body: "经审查，您申请的信息予以公开。".into(),
        withholds_information: false,
    }
}

#[tokio::test]
async fn an_agency_sets_its_review_tiers_and_replies_follow_them() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut admin = TestApp::new(services(&db.db)).await?;
        admin.services.seed_demo_if_empty().await?;
        admin.login("admin@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let s = admin.services.clone();
        let city = s.agency_by_slug("demo-city").await?.id;
        let page_path = format!("/admin/agencies/{city}");
        let page = admin.get(&page_path).await?;
        assert_eq!(page.status, 200, "{}", db.label);
        // The default tiers are shown: routine = the department's reviewer only.
        assert!(
            page.body
                .contains("name=\"routine_department_reviewer\" value=\"on\" checked")
        );
        assert!(
            !page
                .body
                .contains("name=\"routine_leader\" value=\"on\" checked")
        );

        // No routine step and a sensitive tier without the confidentiality review: both listed.
        let refused = admin
            .post_form(&format!("{page_path}/tiers"), &[("sensitive_leader", "on")])
            .await?;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body.contains("href=\"#tiers-routine\""));
        assert!(refused.body.contains("href=\"#tiers-sensitive\""));
        assert!(refused.body.contains("须包含保密审查"));
        // The refused choice is shown back as submitted.
        assert!(
            refused
                .body
                .contains("name=\"sensitive_leader\" value=\"on\" checked")
        );
        assert_eq!(
            s.tier_rules(city).await?,
            gongkai_domain::application::TierRules::default()
        );

        let saved = admin
            .post_form(
                &format!("{page_path}/tiers"),
                &[
                    ("routine_department_reviewer", "on"),
                    ("routine_leader", "on"),
                    ("sensitive_department_reviewer", "on"),
                    ("sensitive_confidentiality_reviewer", "on"),
                    ("sensitive_leader", "on"),
                ],
            )
            .await?;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let rules = s.tier_rules(city).await?;
        assert_eq!(rules.routine, vec![Role::DepartmentReviewer, Role::Leader]);

        // Staff who do not administer the agency may not change them.
        let clerk = demo_login(&s, "clerk@demo.gongkai.cn").await?;
        let origin = RequestOrigin::default();
        assert!(matches!(
            s.set_tier_rules(&clerk, city, &[], &[], &origin).await,
            Err(ServiceError::Forbidden)
        ));

        // A routine reply now needs the leader's sign-off after the department's review.
        let department = clerk
            .grants
            .iter()
            .find_map(|g| g.department_id)
            .map(|d| d.to_string())
            .ok_or_else(|| anyhow::anyhow!("the demo clerk belongs to a department"))?;
        let id = assigned_to(&s, &department, "tiers-1").await?;
        let reviewer = demo_login(&s, "reviewer@demo.gongkai.cn").await?;
        let leader = demo_login(&s, "leader@demo.gongkai.cn").await?;
        act(&s, &clerk, id, draft()).await?;
        act(&s, &clerk, id, Command::SubmitForReview).await?;
        let approve = || Command::ApproveReview {
            comment: String::new(),
        };
        act(&s, &reviewer, id, approve()).await?;
        let view = s.application(&leader, id).await?;
        assert_eq!(
            view.state.stage,
            Stage::InReview,
            "the leader's step remains"
        );
        assert_eq!(view.state.next_review_step(), Some(Role::Leader));
        act(&s, &leader, id, approve()).await?;
        let view = s.application(&leader, id).await?;
        assert_eq!(view.state.stage, Stage::ReviewApproved);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn department_staff_act_only_on_their_departments_applications() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let city = s.agency_by_slug("demo-city").await?.id;
        let departments = s.departments(city).await?;
        anyhow::ensure!(departments.len() >= 2, "the demo city has departments");
        // The demo's clerk, reviewer and liaison belong to one department.
        let clerk = demo_login(&s, "clerk@demo.gongkai.cn").await?;
        let own_id = clerk
            .grants
            .iter()
            .find_map(|g| g.department_id)
            .ok_or_else(|| anyhow::anyhow!("the demo clerk belongs to a department"))?;
        let own = own_id.to_string();
        let other = departments
            .iter()
            .find(|d| d.id != own_id)
            .map(|d| d.id.to_string())
            .ok_or_else(|| anyhow::anyhow!("a second department"))?;
        let reviewer = demo_login(&s, "reviewer@demo.gongkai.cn").await?;
        let liaison = demo_login(&s, "liaison@demo.gongkai.cn").await?;
        let ogi = demo_login(&s, "ogi@demo.gongkai.cn").await?;

        let elsewhere = assigned_to(&s, &other, "scoped-elsewhere").await?;
        // Another department's application: the scoped clerk and liaison may look, not act.
        let view = s.application(&clerk, elsewhere).await?;
        assert_eq!(
            s.roles_for_application(&clerk, city, &view.state.departments),
            Vec::<Role>::new()
        );
        assert!(matches!(
            act(&s, &clerk, elsewhere, draft()).await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            act(
                &s,
                &liaison,
                elsewhere,
                Command::RecordCommunication {
                    contacted_on: s.clock.today_in_china(),
                    method: CommunicationMethod::Phone,
                    outcome: CommunicationOutcome::NeedClarified,
                    summary: "电话沟通".into(),
                },
            )
            .await,
            Err(ServiceError::Forbidden)
        ));
        // The OGI office acts on every application; the other department's reviewer step is
        // not the scoped reviewer's to take.
        act(&s, &ogi, elsewhere, draft()).await?;
        act(&s, &ogi, elsewhere, Command::SubmitForReview).await?;
        assert!(matches!(
            act(
                &s,
                &reviewer,
                elsewhere,
                Command::ApproveReview {
                    comment: String::new()
                }
            )
            .await,
            Err(ServiceError::Forbidden)
        ));

        // Their own department's application: they act.
        let at_home = assigned_to(&s, &own, "scoped-at-home").await?;
        act(&s, &clerk, at_home, draft()).await?;
        act(&s, &clerk, at_home, Command::SubmitForReview).await?;
        act(
            &s,
            &reviewer,
            at_home,
            Command::ApproveReview {
                comment: String::new(),
            },
        )
        .await?;
        assert_eq!(
            s.application(&ogi, at_home).await?.state.stage,
            Stage::ReviewApproved
        );

        // The page offers the scoped reviewer no review form on the other department's
        // application, while it still shows it (staff view).
        let mut page = TestApp::new(s.clone()).await?;
        page.login("reviewer@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        let shown = page.get(&format!("/applications/{elsewhere}")).await?;
        assert_eq!(shown.status, 200);
        assert!(shown.body.contains("预审意见"), "a staff view");
        assert!(!shown.body.contains("value=\"approve_review\""));
        db.finish().await;
    }
    Ok(())
}
