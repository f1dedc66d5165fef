//! The application workflow through the services, on SQLite and PostgreSQL: submission with a
//! receipt number and idempotency, every path to a reply, two staff acting at the same moment,
//! notices in the outbox and their delivery through a real SMTP conversation.

use gongkai_domain::application::{Command, ConsultationParty, Stage};
use gongkai_domain::application_form::ApplicationInput;
use gongkai_service::{Actor, DEMO_PASSWORD, RequestOrigin, ServiceError, Services};
use gongkai_testkit::smtp_sink::SmtpSink;
use gongkai_testkit::{all_databases, services};
use time::macros::date;
use uuid::Uuid;

fn origin() -> RequestOrigin {
    RequestOrigin {
        address: "10.9.0.1".into(),
        user_agent: "test".into(),
    }
}

fn form<'a>(description: &'a str) -> ApplicationInput<'a> {
    ApplicationInput {
        applicant_kind: "natural_person",
        name: "张明",
        identity_kind: "resident_id_card",
        identity_number: "11010519491231002X",
        organisation_code: "",
        legal_representative: "",
        contact_phone: "13800138000",
        contact_email: "zhangming@example.cn",
        postal_address: "",
        information_description: description,
        document_number: "",
        purpose: "",
        form_preference: "electronic",
        delivery_preference: "portal_download",
    }
}

async fn login(s: &Services, email: &str) -> anyhow::Result<Actor> {
    Ok(s.login(email, DEMO_PASSWORD, &origin()).await?.actor)
}

async fn act(
    s: &Services,
    actor: &Actor,
    id: Uuid,
    command: Command,
) -> Result<gongkai_service::ApplicationView, ServiceError> {
    let version =
        s.db.application_get(id)
            .await
            .map_err(ServiceError::from)?
            .map(|r| r.version)
            .unwrap_or(-1);
    s.act_on_application(actor, id, version, command).await
}

struct Cast {
    applicant: Actor,
    clerk: Actor,
    reviewer: Actor,
    secrecy: Actor,
    leader: Actor,
    ogi: Actor,
    city: Uuid,
}

async fn cast(s: &Services) -> anyhow::Result<Cast> {
    s.seed_demo_if_empty().await?;
    Ok(Cast {
        applicant: login(s, "applicant@demo.gongkai.cn").await?,
        clerk: login(s, "clerk@demo.gongkai.cn").await?,
        reviewer: login(s, "reviewer@demo.gongkai.cn").await?,
        secrecy: login(s, "secrecy@demo.gongkai.cn").await?,
        leader: login(s, "leader@demo.gongkai.cn").await?,
        ogi: login(s, "ogi@demo.gongkai.cn").await?,
        city: s.agency_by_slug("demo-city").await?.id,
    })
}

const DESCRIPTION: &str =
    "请公开《示范市2025年公共停车场建设规划》全文及其批复文件（示范发改〔2025〕12号）";

/// The department a department-scoped demo account (clerk, reviewer, liaison) belongs to.
fn own_department(actor: &gongkai_service::Actor) -> anyhow::Result<String> {
    actor
        .grants
        .iter()
        .find_map(|g| g.department_id)
        .map(|d| d.to_string())
        .ok_or_else(|| anyhow::anyhow!("the account belongs to no department"))
}

#[tokio::test]
async fn submission_is_numbered_idempotent_and_listed() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        let c = cast(&s).await?;
        let first = s
            .submit_application(&c.applicant, c.city, &form(DESCRIPTION), "key-1")
            .await?;
        assert_eq!(first.receipt_number, "demo-city-2026-00001", "{}", db.label);
        assert_eq!(first.stage, "submitted");
        // A double click (same key) finds the same application.
        let again = s
            .submit_application(&c.applicant, c.city, &form(DESCRIPTION), "key-1")
            .await?;
        assert_eq!(again.id, first.id);
        let second = s
            .submit_application(&c.applicant, c.city, &form(DESCRIPTION), "key-2")
            .await?;
        assert_eq!(second.receipt_number, "demo-city-2026-00002");
        assert_eq!(s.my_applications(&c.applicant).await?.len(), 2);
        // Every problem of a bad form at once.
        let mut bad = form("太短");
        bad.identity_number = "110105194912310021";
        bad.contact_phone = "";
        bad.contact_email = "";
        match s
            .submit_application(&c.applicant, c.city, &bad, "key-3")
            .await
        {
            Err(ServiceError::Invalid(p)) => {
                for field in [
                    "identity_number",
                    "contact_phone",
                    "information_description",
                ] {
                    assert!(p.has_field(field), "{field} missing from {p}");
                }
            }
            other => panic!("expected invalid, got {other:?}"),
        }
        // The applicant got a notice; the queue shows both to staff, not to the applicant.
        assert!(
            s.inbox(&c.applicant)
                .await?
                .iter()
                .any(|n| n.kind == "application_received")
        );
        assert_eq!(
            s.application_queue(&c.clerk, Default::default())
                .await?
                .len(),
            2
        );
        assert!(matches!(
            s.application_queue(&c.applicant, Default::default()).await,
            Err(ServiceError::Forbidden)
        ));
        // Another applicant cannot see it.
        let stranger = s
            .register(
                &gongkai_domain::account::RegistrationInput {
                    email: "other@example.cn",
                    mobile: "",
                    display_name: "路人",
                    password: "other password",
                    password_confirmation: "other password",
                },
                &origin(),
            )
            .await?
            .actor;
        assert!(matches!(
            s.application(&stranger, first.id).await,
            Err(ServiceError::NotFound)
        ));
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn full_path_to_a_routine_reply_with_parallel_departments() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        let c = cast(&s).await?;
        // The lead is the clerk's and reviewer's own department: department staff act only
        // on their department's applications.
        let d1 = own_department(&c.clerk)?;
        let d2 = s
            .departments(c.city)
            .await?
            .iter()
            .map(|d| d.id.to_string())
            .find(|d| *d != d1)
            .ok_or_else(|| anyhow::anyhow!("a second department"))?;
        let app = s
            .submit_application(&c.applicant, c.city, &form(DESCRIPTION), "k")
            .await?;
        let today = s.clock.today_in_china();
        let view = act(
            &s,
            &c.clerk,
            app.id,
            Command::ConfirmReceipt {
                receipt_date: today,
            },
        )
        .await?;
        let reply = view
            .deadlines
            .as_ref()
            .and_then(|d| d.effective_reply())
            .expect("reply deadline");
        // Received Monday 2026-03-02: 20 working days later.
        assert_eq!(reply.due.date, date!(2026 - 03 - 30), "{}", db.label);
        assert_eq!(
            s.db.application_get(app.id)
                .await?
                .and_then(|r| r.reply_due_date),
            Some(date!(2026 - 03 - 30))
        );
        act(&s, &c.clerk, app.id, Command::Accept).await?;
        act(
            &s,
            &c.clerk,
            app.id,
            Command::Assign {
                departments: vec![d1.clone(), d2.clone()],
                lead: d1.clone(),
            },
        )
        .await?;
        act(
            &s,
            &c.clerk,
            app.id,
            Command::StartConsultation {
                id: "c1".into(),
                party: ConsultationParty::Department,
                party_name: "市财政局".into(),
                due: date!(2026 - 03 - 09),
            },
        )
        .await?;
        // Drafting waits for the open consultation.
        let early = act(
            &s,
            &c.clerk,
            app.id,
            Command::DraftReply {
                reply_kind: "disclosed".into(),
                body: "正文".into(),
                withholds_information: false,
            },
        )
        .await;
        assert!(
            matches!(
                early,
                Err(ServiceError::Refused {
                    code: "consultations_open"
                })
            ),
            "{early:?}"
        );
        act(
            &s,
            &c.reviewer,
            app.id,
            Command::AnswerConsultation {
                id: "c1".into(),
                answer: "同意公开".into(),
            },
        )
        .await?;
        act(
            &s,
            &c.clerk,
            app.id,
            Command::DraftReply {
                reply_kind: "disclosed".into(),
                body: "经审查，您申请的信息予以公开。".into(),
                withholds_information: false,
            },
        )
        .await?;
        act(&s, &c.clerk, app.id, Command::SubmitForReview).await?;
        // A clerk cannot approve; the department reviewer can.
        assert!(matches!(
            act(
                &s,
                &c.clerk,
                app.id,
                Command::ApproveReview {
                    comment: String::new()
                }
            )
            .await,
            Err(ServiceError::Forbidden)
        ));
        act(
            &s,
            &c.reviewer,
            app.id,
            Command::ApproveReview {
                comment: "同意".into(),
            },
        )
        .await?;
        let issued = act(&s, &c.ogi, app.id, Command::IssueReply).await?;
        assert_eq!(issued.stage(), Stage::Issued);
        act(
            &s,
            &c.clerk,
            app.id,
            Command::MarkDelivered {
                method: "网上获取".into(),
            },
        )
        .await?;
        let archived = act(&s, &c.clerk, app.id, Command::Archive).await?;
        assert_eq!(archived.stage(), Stage::Archived);
        assert_eq!(archived.events.len(), 12);
        let row = s.db.application_get(app.id).await?.expect("row");
        assert_eq!(row.reply_kind.as_deref(), Some("disclosed"));
        assert_eq!(
            row.reply_due_date, None,
            "a closed application has no open due date"
        );
        assert!(
            s.inbox(&c.applicant)
                .await?
                .iter()
                .any(|n| n.kind == "reply_issued")
        );
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn sensitive_reply_third_party_pause_extension_and_correction() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        let c = cast(&s).await?;
        let d1 = own_department(&c.clerk)?;
        let app = s
            .submit_application(&c.applicant, c.city, &form("请公开某公司环评报告全文"), "k")
            .await?;
        act(
            &s,
            &c.clerk,
            app.id,
            Command::ConfirmReceipt {
                receipt_date: s.clock.today_in_china(),
            },
        )
        .await?;
        // One correction notice; the applicant answers; the clock restarts.
        act(
            &s,
            &c.clerk,
            app.id,
            Command::RequestCorrection {
                items: vec!["请写明公司名称和项目名称".into()],
                due: date!(2026 - 03 - 16),
            },
        )
        .await?;
        let twice = act(&s, &c.clerk, app.id, Command::Accept).await;
        assert!(
            matches!(
                twice,
                Err(ServiceError::Conflict {
                    code: "wrong_stage"
                })
            ),
            "{twice:?}"
        );
        s.clock.advance(time::Duration::days(3));
        let corrected = act(
            &s,
            &c.applicant,
            app.id,
            Command::SubmitCorrection {
                text: "示范化工有限公司年产5万吨项目".into(),
            },
        )
        .await?;
        assert_eq!(corrected.stage(), Stage::Received);
        let due = corrected
            .deadlines
            .as_ref()
            .and_then(|d| d.effective_reply())
            .map(|d| d.due.date);
        assert_eq!(
            due,
            Some(date!(2026 - 04 - 02)),
            "20 working days from the correction on 2026-03-05"
        );
        act(&s, &c.clerk, app.id, Command::Accept).await?;
        act(
            &s,
            &c.clerk,
            app.id,
            Command::Assign {
                departments: vec![d1.clone()],
                lead: d1.clone(),
            },
        )
        .await?;
        act(
            &s,
            &c.clerk,
            app.id,
            Command::StartConsultation {
                id: "t1".into(),
                party: ConsultationParty::ThirdParty,
                party_name: "示范化工有限公司".into(),
                due: date!(2026 - 03 - 26),
            },
        )
        .await?;
        s.clock.advance(time::Duration::days(7));
        let answered = act(
            &s,
            &c.clerk,
            app.id,
            Command::AnswerConsultation {
                id: "t1".into(),
                answer: "涉及商业秘密，不同意公开工艺参数".into(),
            },
        )
        .await?;
        let paused_due = answered
            .deadlines
            .as_ref()
            .and_then(|d| d.effective_reply())
            .map(|d| d.due.date)
            .expect("due");
        assert!(
            paused_due > date!(2026 - 04 - 02),
            "the Art. 32 pause moved the due date to {paused_due}"
        );
        // One extension, approved by the OGI office only, at most 20 working days.
        assert!(matches!(
            act(
                &s,
                &c.leader,
                app.id,
                Command::ApproveExtension {
                    working_days: 10,
                    reason: "需协调".into()
                }
            )
            .await,
            Err(ServiceError::Forbidden)
        ));
        let too_long = act(
            &s,
            &c.ogi,
            app.id,
            Command::ApproveExtension {
                working_days: 25,
                reason: "需协调".into(),
            },
        )
        .await;
        assert!(matches!(
            too_long,
            Err(ServiceError::Refused {
                code: "extension_length"
            })
        ));
        let extended = act(
            &s,
            &c.ogi,
            app.id,
            Command::ApproveExtension {
                working_days: 10,
                reason: "需协调第三方".into(),
            },
        )
        .await?;
        let extended_due = extended
            .deadlines
            .as_ref()
            .and_then(|d| d.effective_reply())
            .map(|d| d.due.date)
            .expect("due");
        assert!(extended_due > paused_due);
        // A partial disclosure is sensitive: three review steps.
        act(
            &s,
            &c.clerk,
            app.id,
            Command::DraftReply {
                reply_kind: "partially_disclosed".into(),
                body: "部分公开".into(),
                withholds_information: true,
            },
        )
        .await?;
        let in_review = act(&s, &c.clerk, app.id, Command::SubmitForReview).await?;
        assert_eq!(in_review.state.review_steps.len(), 3);
        act(
            &s,
            &c.reviewer,
            app.id,
            Command::ApproveReview {
                comment: String::new(),
            },
        )
        .await?;
        act(
            &s,
            &c.secrecy,
            app.id,
            Command::ApproveReview {
                comment: "不涉密".into(),
            },
        )
        .await?;
        act(
            &s,
            &c.leader,
            app.id,
            Command::ApproveReview {
                comment: "同意".into(),
            },
        )
        .await?;
        let issued = act(&s, &c.ogi, app.id, Command::IssueReply).await?;
        assert_eq!(
            issued.state.issued_reply_kind.as_deref(),
            Some("partially_disclosed")
        );
        let kinds: Vec<String> = s
            .inbox(&c.applicant)
            .await?
            .into_iter()
            .map(|n| n.kind)
            .collect();
        for kind in [
            "correction_requested",
            "consultation_started",
            "extension_approved",
            "reply_issued",
        ] {
            assert!(
                kinds.contains(&kind.to_string()),
                "{kind} notice missing: {kinds:?}"
            );
        }
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn abandonment_withdrawal_and_walk_in_registration() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        let c = cast(&s).await?;
        let app = s
            .submit_application(&c.applicant, c.city, &form(DESCRIPTION), "a")
            .await?;
        act(
            &s,
            &c.clerk,
            app.id,
            Command::ConfirmReceipt {
                receipt_date: s.clock.today_in_china(),
            },
        )
        .await?;
        act(
            &s,
            &c.clerk,
            app.id,
            Command::RequestCorrection {
                items: vec!["请写明年份".into()],
                due: date!(2026 - 03 - 09),
            },
        )
        .await?;
        assert!(matches!(
            act(&s, &c.clerk, app.id, Command::LapseCorrection).await,
            Err(ServiceError::Refused {
                code: "correction_not_yet_due"
            })
        ));
        s.clock.advance(time::Duration::days(8));
        let lapsed = act(&s, &c.clerk, app.id, Command::LapseCorrection).await?;
        assert_eq!(lapsed.stage(), Stage::Abandoned);
        // Withdrawal by the applicant only.
        let other = s
            .submit_application(&c.applicant, c.city, &form(DESCRIPTION), "b")
            .await?;
        assert!(matches!(
            act(
                &s,
                &c.clerk,
                other.id,
                Command::Withdraw {
                    reason: String::new()
                }
            )
            .await,
            Err(ServiceError::Forbidden)
        ));
        assert_eq!(
            act(
                &s,
                &c.applicant,
                other.id,
                Command::Withdraw {
                    reason: "已自行查到".into()
                }
            )
            .await?
            .stage(),
            Stage::Withdrawn
        );
        // A walk-in registered by staff starts received, with its legal receipt date.
        let walk_in = s
            .register_application(
                &c.clerk,
                c.city,
                &form(DESCRIPTION),
                "in_person",
                "2026-03-09",
            )
            .await?;
        assert_eq!(walk_in.stage, "received");
        assert_eq!(walk_in.receipt_date, Some(date!(2026 - 03 - 09)));
        assert!(walk_in.reply_due_date.is_some());
        match s
            .register_application(&c.clerk, c.city, &form(DESCRIPTION), "pigeon", "2030-01-01")
            .await
        {
            Err(ServiceError::Invalid(p)) => {
                assert!(p.has_field("channel") && p.has_field("receipt_date"), "{p}")
            }
            other => panic!("expected invalid, got {other:?}"),
        }
        assert!(matches!(
            s.register_application(
                &c.applicant,
                c.city,
                &form(DESCRIPTION),
                "in_person",
                "2026-03-09"
            )
            .await,
            Err(ServiceError::Forbidden)
        ));
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn two_staff_at_the_same_moment_exactly_one_wins() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        let c = cast(&s).await?;
        let app = s
            .submit_application(&c.applicant, c.city, &form(DESCRIPTION), "k")
            .await?;
        let version = s.db.application_get(app.id).await?.expect("row").version;
        let today = s.clock.today_in_china();
        let (a, b) = tokio::join!(
            s.act_on_application(
                &c.clerk,
                app.id,
                version,
                Command::ConfirmReceipt {
                    receipt_date: today
                }
            ),
            s.act_on_application(
                &c.ogi,
                app.id,
                version,
                Command::ConfirmReceipt {
                    receipt_date: today
                }
            ),
        );
        let wins = [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count();
        assert_eq!(wins, 1, "{}: {a:?} / {b:?}", db.label);
        let loser = if a.is_ok() { b } else { a };
        assert!(
            matches!(loser, Err(ServiceError::Conflict { .. })),
            "{loser:?}"
        );
        let events = s.db.application_events(app.id).await?;
        assert_eq!(events.len(), 2, "nothing lost, nothing doubled");
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn notices_are_mailed_through_smtp_with_retries() -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let mailer = gongkai_service::Mailer::new(&gongkai_service::SmtpSettings {
        host: "127.0.0.1".into(),
        port: sink.port,
        security: "none".into(),
        username: None,
        password: None,
        from: "示范市政务公开办 <gongkai@demo-city.gov.cn>".into(),
    })?;
    let databases = all_databases().await?;
    let n_databases = databases.len();
    for db in databases {
        let s = services(&db.db);
        let c = cast(&s).await?;
        sink.set_refusing(true);
        s.submit_application(&c.applicant, c.city, &form(DESCRIPTION), "k")
            .await?;
        let batch = s.deliver_outbox_batch(&mailer).await?;
        assert_eq!((batch.sent, batch.retried), (0, 1), "{}", db.label);
        // Not due again until the backoff passes.
        sink.set_refusing(false);
        assert_eq!(s.deliver_outbox_batch(&mailer).await?.sent, 0);
        s.clock.advance(time::Duration::minutes(2));
        assert_eq!(s.deliver_outbox_batch(&mailer).await?.sent, 1);
        assert_eq!(
            s.deliver_outbox_batch(&mailer).await?.sent,
            0,
            "sent once only"
        );
        db.finish().await;
    }
    let mails = sink.messages();
    assert_eq!(mails.len(), n_databases, "one message per database run");
    assert!(mails[0].to[0].contains("zhangming@example.cn"));
    assert!(
        mails[0].data.contains("Subject: =?utf-8?"),
        "the subject is RFC 2047 encoded"
    );
    Ok(())
}

#[tokio::test]
async fn reminders_ratings_and_the_archive() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        let c = cast(&s).await?;
        let app = s
            .submit_application(&c.applicant, c.city, &form(DESCRIPTION), "k")
            .await?;
        act(
            &s,
            &c.clerk,
            app.id,
            Command::ConfirmReceipt {
                receipt_date: s.clock.today_in_china(),
            },
        )
        .await?;
        // Due 2026-03-30; nothing to remind on 2026-03-02.
        assert_eq!(s.write_due_reminders().await?, 0, "{}", db.label);
        // 2026-03-25 is three working days before: the clerk and the reviewer are reminded once.
        s.clock.advance(time::Duration::days(23));
        let n = s.write_due_reminders().await?;
        assert_eq!(n, 2, "clerk and department reviewer");
        assert_eq!(
            s.write_due_reminders().await?,
            0,
            "never twice for one due date"
        );
        assert!(
            s.inbox(&c.clerk)
                .await?
                .iter()
                .any(|n| n.kind.starts_with("reminder_due_soon"))
        );
        s.clock.advance(time::Duration::days(7));
        assert_eq!(s.write_due_reminders().await?, 2, "overdue reminders");
        // The applicant rates only an answered application.
        assert!(matches!(
            s.rate_reply(&c.applicant, app.id, "5", "").await,
            Err(ServiceError::Conflict { .. })
        ));
        act(
            &s,
            &c.clerk,
            app.id,
            Command::DraftReply {
                reply_kind: "disclosed".into(),
                body: "予以公开。".into(),
                withholds_information: false,
            },
        )
        .await?;
        act(&s, &c.clerk, app.id, Command::SubmitForReview).await?;
        act(
            &s,
            &c.reviewer,
            app.id,
            Command::ApproveReview {
                comment: "内部意见".into(),
            },
        )
        .await?;
        act(&s, &c.ogi, app.id, Command::IssueReply).await?;
        assert!(matches!(
            s.rate_reply(&c.applicant, app.id, "9", "").await,
            Err(ServiceError::Invalid(_))
        ));
        assert!(matches!(
            s.rate_reply(&c.clerk, app.id, "5", "").await,
            Err(ServiceError::Forbidden)
        ));
        s.rate_reply(&c.applicant, app.id, "4", "答复及时").await?;
        assert_eq!(s.db.rating_get(app.id).await?.map(|r| r.rating), Some(4));
        // The archive: a valid ZIP with the form, the history and the reply; the applicant's
        // copy leaves out internal review comments.
        let (name, zip) = s.application_archive(&c.applicant, app.id).await?;
        assert_eq!(name, "demo-city-2026-00001.zip");
        let text = String::from_utf8_lossy(&zip);
        assert!(
            text.contains("application.json")
                && text.contains("history.json")
                && text.contains("reply.txt")
        );
        assert!(
            !text.contains("内部意见"),
            "internal review comments stay internal"
        );
        let (_, staff_zip) = s.application_archive(&c.clerk, app.id).await?;
        assert!(String::from_utf8_lossy(&staff_zip).contains("内部意见"));
        if std::process::Command::new("unzip")
            .arg("-v")
            .output()
            .is_ok()
        {
            let path =
                std::env::temp_dir().join(format!("gongkai-archive-{}.zip", uuid::Uuid::new_v4()));
            std::fs::write(&path, &zip)?;
            let check = std::process::Command::new("unzip")
                .arg("-t")
                .arg(&path)
                .output()?;
            let _ = std::fs::remove_file(&path);
            assert!(
                check.status.success(),
                "unzip -t: {}",
                String::from_utf8_lossy(&check.stdout)
            );
        }
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn fee_notice_pauses_and_an_unpaid_fee_ends_as_report_row_six_two() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        let c = cast(&s).await?;
        let app = s
            .submit_application(&c.applicant, c.city, &form(DESCRIPTION), "k")
            .await?;
        act(
            &s,
            &c.clerk,
            app.id,
            Command::ConfirmReceipt {
                receipt_date: s.clock.today_in_china(),
            },
        )
        .await?;
        act(&s, &c.clerk, app.id, Command::Accept).await?;
        // The 35th application of the month costs 200 元 (国办函〔2020〕109号 per-application tiers).
        let amount_fen = gongkai_domain::fees::fee_for_applications_fen(34, 1);
        assert_eq!(amount_fen, 20_000);
        act(
            &s,
            &c.clerk,
            app.id,
            Command::IssueFeeNotice {
                amount_fen,
                method: "per_application".into(),
                due: date!(2026 - 03 - 31),
            },
        )
        .await?;
        assert!(
            s.inbox(&c.applicant)
                .await?
                .iter()
                .any(|n| n.kind == "fee_notice_issued" && n.body.contains("200"))
        );
        s.clock.advance(time::Duration::days(30));
        let lapsed = act(&s, &c.clerk, app.id, Command::LapseFee).await?;
        assert_eq!(lapsed.stage(), Stage::Abandoned, "{}", db.label);
        assert_eq!(
            s.db.application_get(app.id)
                .await?
                .and_then(|r| r.reply_kind)
                .as_deref(),
            Some("other_fee_not_paid")
        );
        db.finish().await;
    }
    Ok(())
}

/// Every reply kind of Art. 36 (and the report rows it maps to) can be drafted, reviewed at
/// its tier and issued, and the issued kind is what the annual report will count.
#[tokio::test]
async fn every_reply_kind_can_be_issued_at_its_review_tier() -> anyhow::Result<()> {
    use gongkai_domain::reply::ReplyKind;
    let db = gongkai_testkit::sqlite_db().await?;
    let s = services(&db.db);
    let c = cast(&s).await?;
    for (i, kind) in ReplyKind::ALL.iter().enumerate() {
        let app = s
            .submit_application(
                &c.applicant,
                c.city,
                &form(DESCRIPTION),
                &format!("kind-{i}"),
            )
            .await?;
        act(
            &s,
            &c.clerk,
            app.id,
            Command::ConfirmReceipt {
                receipt_date: s.clock.today_in_china(),
            },
        )
        .await?;
        act(
            &s,
            &c.clerk,
            app.id,
            Command::DraftReply {
                reply_kind: kind.row_code().into(),
                body: kind.template_zh().into(),
                withholds_information: kind.withholds_information(),
            },
        )
        .await?;
        let review = act(&s, &c.clerk, app.id, Command::SubmitForReview).await?;
        let expected_steps = if kind.withholds_information() { 3 } else { 1 };
        assert_eq!(
            review.state.review_steps.len(),
            expected_steps,
            "{}",
            kind.row_code()
        );
        for reviewer in [&c.reviewer, &c.secrecy, &c.leader]
            .into_iter()
            .take(expected_steps)
        {
            act(
                &s,
                reviewer,
                app.id,
                Command::ApproveReview {
                    comment: String::new(),
                },
            )
            .await?;
        }
        act(&s, &c.ogi, app.id, Command::IssueReply).await?;
        let row = s.db.application_get(app.id).await?.expect("row");
        assert_eq!(row.reply_kind.as_deref(), Some(kind.row_code()));
        assert_eq!(row.stage, "issued");
    }
    db.finish().await;
    Ok(())
}

#[tokio::test]
async fn a_reply_asked_for_by_e_mail_is_mailed_in_full() -> anyhow::Result<()> {
    let db = gongkai_testkit::sqlite_db().await?;
    let s = services(&db.db);
    let c = cast(&s).await?;
    let mut by_mail = form(DESCRIPTION);
    by_mail.delivery_preference = "email";
    let app = s
        .submit_application(&c.applicant, c.city, &by_mail, "mail")
        .await?;
    act(
        &s,
        &c.clerk,
        app.id,
        Command::ConfirmReceipt {
            receipt_date: s.clock.today_in_china(),
        },
    )
    .await?;
    act(
        &s,
        &c.clerk,
        app.id,
        Command::DraftReply {
            reply_kind: "disclosed".into(),
            body: "经审查，予以公开，全文附后。".into(),
            withholds_information: false,
        },
    )
    .await?;
    act(&s, &c.clerk, app.id, Command::SubmitForReview).await?;
    act(
        &s,
        &c.reviewer,
        app.id,
        Command::ApproveReview {
            comment: String::new(),
        },
    )
    .await?;
    act(&s, &c.ogi, app.id, Command::IssueReply).await?;
    let notice = s
        .inbox(&c.applicant)
        .await?
        .into_iter()
        .find(|n| n.kind == "reply_issued")
        .expect("notice");
    assert!(
        notice.body.contains("经审查，予以公开，全文附后。"),
        "{}",
        notice.body
    );
    assert_eq!(notice.status, "pending", "it goes out by e-mail");
    db.finish().await;
    Ok(())
}
