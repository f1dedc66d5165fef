//! Redaction review through the services, on SQLite and PostgreSQL (issue 7): suggestions from
//! the detectors, accept / reject / add with clear errors for bad offsets and overlaps, nothing
//! confirmed while a suggestion is undecided, the redacted text built from accepted spans only,
//! the log, and the "N items withheld under Art. 15" counts of an application.

use gongkai_domain::application_form::ApplicationInput;
use gongkai_domain::redaction::Ground;
use gongkai_service::{
    Actor, DEMO_PASSWORD, RedactionSubject, RequestOrigin, ServiceError, Services, WithheldCount,
    withheld_statement_zh,
};
use gongkai_testkit::{all_databases, services};

/// A material of a partial disclosure: an applicant's identifiers (to redact), a company's
/// legal representative and its credit code and a document number (public, to keep), and a
/// price that staff withhold as a trade secret.
pub const MATERIAL: &str = "关于示范市某某建材有限公司行政处罚情况的说明\n\
    市监罚〔2026〕12号\n\
    当事人：示范市某某建材有限公司，统一社会信用代码91110000100000000A，法定代表人：王建国。\n\
    举报人张明，身份证号码11010519491231002X，联系电话13800138000，于2026年1月5日来信举报。\n\
    该公司投标报价每吨1234元，投标报价每吨1234元经核实。\n";

fn origin() -> RequestOrigin {
    RequestOrigin {
        address: "10.9.0.7".into(),
        user_agent: "test".into(),
    }
}

async fn login(s: &Services, email: &str) -> anyhow::Result<Actor> {
    Ok(s.login(email, DEMO_PASSWORD, &origin()).await?.actor)
}

fn chars_of(text: &str, start: i64, end: i64) -> String {
    text.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

fn invalid_field(result: Result<impl std::fmt::Debug, ServiceError>, field: &str, code: &str) {
    match result {
        Err(ServiceError::Invalid(problems)) => {
            assert!(
                problems
                    .problems()
                    .iter()
                    .any(|p| p.field == field && p.code == code),
                "expected {field}: {code}, got {problems}"
            );
        }
        other => panic!("expected {field}: {code}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_review_goes_from_suggestions_to_a_confirmed_redacted_text() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let applicant = login(&s, "applicant@demo.gongkai.cn").await?;
        let clerk = login(&s, "clerk@demo.gongkai.cn").await?;
        let auditor = login(&s, "auditor@demo.gongkai.cn").await?;
        let city = s.agency_by_slug("demo-city").await?.id;
        let input = ApplicationInput {
            applicant_kind: "natural_person",
            name: "李华",
            identity_kind: "resident_id_card",
            identity_number: "11010519491231002X",
            organisation_code: "",
            legal_representative: "",
            contact_phone: "13900139000",
            contact_email: "lihua@example.cn",
            postal_address: "",
            information_description: "申请公开示范市某某建材有限公司行政处罚决定书及相关材料",
            document_number: "",
            purpose: "",
            form_preference: "electronic",
            delivery_preference: "portal_download",
        };
        let application = s
            .submit_application(&applicant, city, &input, "redaction-1")
            .await?;
        let subject = RedactionSubject::Application(application.id);

        // Without a text and without a reply draft there is nothing to review.
        invalid_field(
            s.create_redaction_review(&clerk, subject, "", "  ").await,
            "text",
            "required",
        );
        // The applicant is no member of staff.
        assert!(matches!(
            s.create_redaction_review(&applicant, subject, "", MATERIAL)
                .await,
            Err(ServiceError::Forbidden)
        ));

        let review_id = s
            .create_redaction_review(&clerk, subject, "处罚说明", MATERIAL)
            .await?;
        let view = s.redaction_review(&clerk, review_id).await?;
        assert!(view.may_edit);
        let suggested: Vec<(String, String)> = view
            .spans
            .iter()
            .map(|span| {
                (
                    span.category.clone(),
                    chars_of(MATERIAL, span.start_char, span.end_char),
                )
            })
            .collect();
        for wanted in [
            ("id_number", "11010519491231002X"),
            ("phone", "13800138000"),
            ("person", "张明"),
        ] {
            assert!(
                suggested
                    .iter()
                    .any(|(c, t)| c == wanted.0 && t == wanted.1),
                "{wanted:?} not suggested in {suggested:?} ({})",
                db.label
            );
        }
        // Public facts stay: the legal representative, the credit code, the document number.
        for public in ["王建国", "91110000100000000A", "市监罚〔2026〕12号"] {
            assert!(
                !suggested.iter().any(|(_, t)| t.contains(public)),
                "{public} suggested"
            );
        }
        assert!(view.spans.iter().all(|s| s.status == "suggested"));
        assert_eq!(
            view.log.iter().filter(|l| l.action == "suggested").count(),
            view.spans.len()
        );
        // The log never holds the text of a span.
        assert!(view.log.iter().all(|l| !l.category.contains("张明")));

        // Nothing leaves unconfirmed.
        assert!(matches!(
            s.confirm_redaction_review(&clerk, review_id, "replace")
                .await,
            Err(ServiceError::Refused {
                code: "redaction_undecided_spans"
            })
        ));
        assert!(matches!(
            s.redacted_output(&clerk, review_id).await,
            Err(ServiceError::Refused {
                code: "redaction_review_not_confirmed"
            })
        ));
        // An auditor reads but does not decide.
        let auditor_view = s.redaction_review(&auditor, review_id).await?;
        assert!(!auditor_view.may_edit);
        assert!(matches!(
            s.decide_redaction_span(&auditor, review_id, view.spans[0].id, true)
                .await,
            Err(ServiceError::Forbidden)
        ));

        // Bad spans are refused with the reason.
        let length = MATERIAL.chars().count();
        invalid_field(
            s.add_redaction_span_by_offsets(
                &clerk,
                review_id,
                "3",
                &(length + 1).to_string(),
                "person",
                "art15_personal_privacy",
            )
            .await,
            "end",
            "span_out_of_range",
        );
        invalid_field(
            s.add_redaction_span_by_offsets(
                &clerk,
                review_id,
                "5",
                "5",
                "person",
                "art15_personal_privacy",
            )
            .await,
            "end",
            "span_empty",
        );
        invalid_field(
            s.add_redaction_span_by_offsets(&clerk, review_id, "abc", "-1", "nonsense", "art99")
                .await,
            "start",
            "number_invalid",
        );
        let phone = view
            .spans
            .iter()
            .find(|s| s.category == "phone")
            .expect("phone span");
        invalid_field(
            s.add_redaction_span_by_offsets(
                &clerk,
                review_id,
                &(phone.start_char + 2).to_string(),
                &(phone.end_char + 1).to_string(),
                "phone",
                "art15_personal_privacy",
            )
            .await,
            "start",
            "span_overlaps",
        );
        invalid_field(
            s.add_redaction_spans_by_text(
                &clerk,
                review_id,
                "不存在的文字",
                "other",
                "art15_trade_secret",
            )
            .await,
            "needle",
            "text_not_found",
        );

        // Every occurrence of an exact text, as a trade secret.
        let added = s
            .add_redaction_spans_by_text(
                &clerk,
                review_id,
                "每吨1234元",
                "other",
                "art15_trade_secret",
            )
            .await?;
        assert_eq!((added.n_added, added.n_overlapping), (2, 0));
        let again = s
            .add_redaction_spans_by_text(&clerk, review_id, "1234", "other", "art15_trade_secret")
            .await?;
        assert_eq!((again.n_added, again.n_overlapping), (0, 2));

        // Reject the phone, accept the rest; then take the phone back in.
        for span in &view.spans {
            s.decide_redaction_span(&clerk, review_id, span.id, span.id != phone.id)
                .await?;
        }
        s.decide_redaction_span(&clerk, review_id, phone.id, true)
            .await?;
        invalid_field(
            s.confirm_redaction_review(&clerk, review_id, "sideways")
                .await,
            "mask_style",
            "choice_invalid",
        );
        s.confirm_redaction_review(&clerk, review_id, "replace")
            .await?;

        let confirmed = s.redaction_review(&clerk, review_id).await?;
        assert!(confirmed.is_confirmed());
        let accepted: Vec<String> = confirmed
            .spans
            .iter()
            .filter(|s| s.status == "accepted")
            .map(|s| chars_of(MATERIAL, s.start_char, s.end_char))
            .collect();
        assert!(accepted.len() >= 5, "{accepted:?}");
        let output = s.redacted_output(&clerk, review_id).await?;
        for removed in &accepted {
            assert!(
                !output.redacted_text.contains(removed.as_str()),
                "{removed} survived in {}",
                output.redacted_text
            );
        }
        for kept in [
            "王建国",
            "91110000100000000A",
            "市监罚〔2026〕12号",
            "2026年1月5日",
        ] {
            assert!(output.redacted_text.contains(kept), "{kept} lost");
        }
        assert_eq!(output.reference, application.receipt_number);
        let n_privacy = confirmed
            .spans
            .iter()
            .filter(|s| s.status == "accepted" && s.ground == "art15_personal_privacy")
            .count() as u64;
        assert_eq!(
            output.withheld,
            vec![
                WithheldCount {
                    ground: Ground::PersonalPrivacy,
                    n_spans: n_privacy
                },
                WithheldCount {
                    ground: Ground::TradeSecret,
                    n_spans: 2
                }
            ]
        );
        let actions: Vec<&str> = confirmed.log.iter().map(|l| l.action.as_str()).collect();
        assert_eq!(actions.last(), Some(&"confirmed"));
        assert_eq!(actions.iter().filter(|a| **a == "added").count(), 2);
        assert!(
            confirmed
                .log
                .iter()
                .filter(|l| l.action == "rejected")
                .count()
                == 1
        );
        assert!(
            confirmed
                .log
                .iter()
                .filter(|l| l.action != "suggested")
                .all(|l| l.actor_name.is_some())
        );

        // A confirmed review is closed to every change.
        assert!(matches!(
            s.decide_redaction_span(&clerk, review_id, phone.id, false)
                .await,
            Err(ServiceError::Refused {
                code: "redaction_review_confirmed"
            })
        ));
        assert!(matches!(
            s.add_redaction_spans_by_text(&clerk, review_id, "公司", "other", "art15_trade_secret")
                .await,
            Err(ServiceError::Refused {
                code: "redaction_review_confirmed"
            })
        ));

        // The reply of the partial disclosure can state what was withheld.
        let counts = s.withheld_under_article_15(application.id).await?;
        assert_eq!(counts, output.withheld);
        let statement = withheld_statement_zh(&counts).expect("a statement");
        assert!(statement.contains(&format!("第十五条（个人隐私），不予公开{n_privacy}处")));
        assert!(statement.contains("第十五条（商业秘密），不予公开2处"));
        // The standard letter of a partial disclosure (Art. 37) states it in its reasons; the
        // other kinds' letters do not.
        let view = s.application(&clerk, application.id).await?;
        let partial = s
            .standard_reply_letter(&view, gongkai_domain::reply::ReplyKind::PartiallyDisclosed)
            .await?;
        assert!(partial.contains(&statement), "{partial}");
        assert!(!partial.contains("【待填写：reasons】"));
        let full = s
            .standard_reply_letter(&view, gongkai_domain::reply::ReplyKind::Disclosed)
            .await?;
        assert!(!full.contains("第十五条（个人隐私）"));
        // An open review counts nothing yet.
        let open = s
            .create_redaction_review(&clerk, subject, "", MATERIAL)
            .await?;
        // Every undecided identity number at once; other categories stay undecided.
        let n_ids = s
            .redaction_review(&clerk, open)
            .await?
            .spans
            .iter()
            .filter(|s| s.category == "id_number")
            .count();
        assert_eq!(
            s.decide_redaction_suggestions_of_category(&clerk, open, "id_number", true)
                .await?,
            n_ids
        );
        let after = s.redaction_review(&clerk, open).await?;
        assert!(
            after
                .spans
                .iter()
                .all(|s| (s.category == "id_number") == (s.status == "accepted"))
        );
        assert_eq!(
            after.log.iter().filter(|l| l.action == "accepted").count(),
            n_ids
        );
        invalid_field(
            s.decide_redaction_suggestions_of_category(&clerk, open, "nonsense", true)
                .await,
            "category",
            "choice_invalid",
        );
        assert_eq!(s.withheld_under_article_15(application.id).await?, counts);
        assert_eq!(
            s.redaction_reviews_of(&clerk, subject).await?.len(),
            2,
            "{}",
            db.label
        );
        db.finish().await;
    }
    Ok(())
}
