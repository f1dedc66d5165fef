//! The application state machine, tested over every stage × command pair, every command ×
//! role pair, and through whole scenarios whose clock events feed the deadline engine.

use gongkai_domain::account::Role;
use gongkai_domain::application::{
    Acting, ApplicationState, Command, CommunicationMethod, CommunicationOutcome,
    ConsultationParty, Event, Rejection, SensitivityFlag, Stage, TierRules, apply, decide,
};
use gongkai_domain::calendar::WorkingDayCalendar;
use gongkai_domain::deadline::{DeadlineKind, DeadlineRules, ReceiptChannel, compute_deadlines};
use time::Date;
use time::macros::date;

const TODAY: Date = date!(2026 - 03 - 20);

fn run(events: &[Event]) -> ApplicationState {
    ApplicationState::replay(ReceiptChannel::Online, events)
}

fn received() -> Vec<Event> {
    vec![
        Event::Submitted {
            on: date!(2026 - 03 - 02),
        },
        Event::ReceiptConfirmed {
            receipt_date: date!(2026 - 03 - 02),
        },
    ]
}

fn with(mut base: Vec<Event>, more: &[Event]) -> Vec<Event> {
    base.extend_from_slice(more);
    base
}

fn assigned() -> Vec<Event> {
    with(
        received(),
        &[
            Event::Accepted {
                on: date!(2026 - 03 - 03),
            },
            Event::Assigned {
                on: date!(2026 - 03 - 03),
                departments: vec!["d1".into()],
                lead: "d1".into(),
            },
            Event::ConsultationStarted {
                on: date!(2026 - 03 - 04),
                id: "c1".into(),
                party: ConsultationParty::Department,
                party_name: "财政局".into(),
                due: date!(2026 - 03 - 11),
            },
        ],
    )
}

fn drafted() -> Vec<Event> {
    with(
        received(),
        &[Event::ReplyDrafted {
            on: date!(2026 - 03 - 05),
            reply_kind: "disclosed".into(),
            body: "正文".into(),
            withholds_information: false,
        }],
    )
}

fn in_review() -> Vec<Event> {
    with(
        drafted(),
        &[Event::SubmittedForReview {
            on: date!(2026 - 03 - 06),
            steps: vec!["department_reviewer".into()],
        }],
    )
}

fn approved() -> Vec<Event> {
    with(
        in_review(),
        &[Event::ReviewApproved {
            on: date!(2026 - 03 - 06),
            step: "department_reviewer".into(),
            comment: String::new(),
        }],
    )
}

fn issued() -> Vec<Event> {
    with(
        approved(),
        &[Event::ReplyIssued {
            on: date!(2026 - 03 - 09),
        }],
    )
}

/// One history per stage.
fn history_for(stage: Stage) -> Vec<Event> {
    match stage {
        Stage::Submitted => vec![Event::Submitted {
            on: date!(2026 - 03 - 02),
        }],
        Stage::Received => received(),
        Stage::CorrectionRequested => with(
            received(),
            &[Event::CorrectionRequested {
                on: date!(2026 - 03 - 03),
                items: vec!["请写明文号".into()],
                due: date!(2026 - 03 - 17),
            }],
        ),
        Stage::Accepted => with(
            received(),
            &[Event::Accepted {
                on: date!(2026 - 03 - 03),
            }],
        ),
        Stage::InHandling => assigned(),
        Stage::ReplyDrafted => drafted(),
        Stage::InReview => in_review(),
        Stage::ReviewApproved => approved(),
        Stage::Issued => issued(),
        Stage::Delivered => with(
            issued(),
            &[Event::Delivered {
                on: date!(2026 - 03 - 10),
                method: "portal".into(),
            }],
        ),
        Stage::Archived => with(
            issued(),
            &[
                Event::Delivered {
                    on: date!(2026 - 03 - 10),
                    method: "portal".into(),
                },
                Event::Archived {
                    on: date!(2026 - 03 - 11),
                },
            ],
        ),
        Stage::Abandoned => with(
            history_for(Stage::CorrectionRequested),
            &[Event::CorrectionLapsed {
                on: date!(2026 - 03 - 18),
            }],
        ),
        Stage::Withdrawn => with(
            received(),
            &[Event::Withdrawn {
                on: date!(2026 - 03 - 04),
                reason: String::new(),
            }],
        ),
    }
}

fn commands() -> Vec<Command> {
    vec![
        Command::ConfirmReceipt {
            receipt_date: date!(2026 - 03 - 02),
        },
        Command::RequestCorrection {
            items: vec!["请写明文号".into()],
            due: date!(2026 - 04 - 10),
        },
        Command::SubmitCorrection {
            text: "文号为示范发〔2025〕3号".into(),
        },
        Command::LapseCorrection,
        Command::Accept,
        Command::Assign {
            departments: vec!["d1".into(), "d2".into()],
            lead: "d1".into(),
        },
        Command::StartConsultation {
            id: "c9".into(),
            party: ConsultationParty::Department,
            party_name: "教育局".into(),
            due: date!(2026 - 03 - 27),
        },
        Command::AnswerConsultation {
            id: "c1".into(),
            answer: "同意公开".into(),
        },
        Command::ApproveExtension {
            working_days: 10,
            reason: "需要调取档案".into(),
        },
        Command::FlagSensitivity {
            flags: vec![SensitivityFlag::MediaInterest],
        },
        Command::DraftReply {
            reply_kind: "disclosed".into(),
            body: "正文".into(),
            withholds_information: false,
        },
        Command::SubmitForReview,
        Command::ApproveReview {
            comment: String::new(),
        },
        Command::RejectReview {
            reason: "理由不充分".into(),
        },
        Command::IssueReply,
        Command::MarkDelivered {
            method: "portal".into(),
        },
        Command::Archive,
        Command::Withdraw {
            reason: String::new(),
        },
        Command::IssueFeeNotice {
            amount_fen: 200_000,
            method: "per_application".into(),
            due: date!(2026 - 04 - 17),
        },
        Command::RecordFeePayment,
        Command::LapseFee,
        Command::RecordCommunication {
            contacted_on: date!(2026 - 03 - 19),
            method: CommunicationMethod::Phone,
            outcome: CommunicationOutcome::NeedClarified,
            summary: "申请人说明需要的是2025年的名单".into(),
        },
    ]
}

/// Which commands each stage accepts from an actor holding every role.
fn allowed(stage: Stage) -> &'static [&'static str] {
    match stage {
        Stage::Submitted => &["confirm_receipt", "withdraw", "record_communication"],
        Stage::Received => &[
            "request_correction",
            "accept",
            "approve_extension",
            "flag_sensitivity",
            "draft_reply",
            "withdraw",
            "record_communication",
        ],
        Stage::CorrectionRequested => &[
            "submit_correction",
            "lapse_correction",
            "withdraw",
            "record_communication",
        ],
        Stage::Accepted => &[
            "assign",
            "issue_fee_notice",
            "approve_extension",
            "flag_sensitivity",
            "draft_reply",
            "withdraw",
            "record_communication",
        ],
        Stage::InHandling => &[
            "assign",
            "issue_fee_notice",
            "start_consultation",
            "answer_consultation",
            "approve_extension",
            "flag_sensitivity",
            "withdraw",
            "record_communication",
        ],
        Stage::ReplyDrafted => &[
            "approve_extension",
            "flag_sensitivity",
            "draft_reply",
            "submit_for_review",
            "withdraw",
            "record_communication",
        ],
        Stage::InReview => &[
            "approve_review",
            "reject_review",
            "approve_extension",
            "flag_sensitivity",
            "withdraw",
            "record_communication",
        ],
        Stage::ReviewApproved => &[
            "issue_reply",
            "approve_extension",
            "flag_sensitivity",
            "withdraw",
            "record_communication",
        ],
        Stage::Issued => &["mark_delivered"],
        Stage::Delivered => &["archive"],
        Stage::Archived => &[],
        Stage::Abandoned => &["archive"],
        Stage::Withdrawn => &["archive"],
    }
}

#[test]
fn every_stage_times_every_command() {
    let tiers = TierRules::default();
    let all_roles: Vec<Role> = Role::STAFF.to_vec();
    let acting = Acting {
        roles: &all_roles,
        is_applicant: true,
        today: TODAY,
        tier_rules: &tiers,
    };
    let mut n_checked = 0;
    for stage in Stage::ALL {
        let state = run(&history_for(stage));
        assert_eq!(state.stage, stage, "history for {stage:?}");
        for command in commands() {
            let result = decide(&state, &command, &acting);
            let expected_ok = allowed(stage).contains(&command.name());
            match (&result, expected_ok) {
                (Ok(events), true) => {
                    assert!(!events.is_empty());
                    // Applying the events never panics and the events round-trip as JSON.
                    let mut next = state.clone();
                    for event in events {
                        assert_eq!(Event::from_json(&event.to_json()).as_ref(), Ok(event));
                        next = apply(next, event);
                    }
                }
                (Err(rejection), false) => {
                    // The only refusals for an all-powerful actor are stage and content rules.
                    assert!(
                        matches!(
                            rejection,
                            Rejection::WrongStage(_)
                                | Rejection::ConsultationsOpen
                                | Rejection::NoFeePending
                        ),
                        "{stage:?} × {}: unexpected {rejection:?}",
                        command.name()
                    );
                }
                (Ok(_), false) => panic!("{stage:?} × {} was accepted", command.name()),
                (Err(e), true) => panic!("{stage:?} × {} was refused: {e:?}", command.name()),
            }
            n_checked += 1;
        }
    }
    assert_eq!(n_checked, 13 * 22);
}

/// Which roles may give each command (in a stage where it is legal).
#[test]
fn every_command_times_every_role() {
    let tiers = TierRules::default();
    let cases: Vec<(Stage, Command, &[Role], bool)> = vec![
        (
            Stage::Submitted,
            Command::ConfirmReceipt {
                receipt_date: date!(2026 - 03 - 02),
            },
            &[Role::OgiOffice, Role::Clerk],
            false,
        ),
        (
            Stage::Received,
            Command::RequestCorrection {
                items: vec!["x".into()],
                due: date!(2026 - 04 - 10),
            },
            &[Role::OgiOffice, Role::Clerk],
            false,
        ),
        (
            Stage::Received,
            Command::Accept,
            &[Role::OgiOffice, Role::Clerk],
            false,
        ),
        (
            Stage::Accepted,
            Command::Assign {
                departments: vec!["d1".into()],
                lead: "d1".into(),
            },
            &[Role::OgiOffice, Role::Clerk],
            false,
        ),
        (
            Stage::InHandling,
            Command::AnswerConsultation {
                id: "c1".into(),
                answer: "同意".into(),
            },
            &[
                Role::OgiOffice,
                Role::Clerk,
                Role::Liaison,
                Role::DepartmentReviewer,
            ],
            false,
        ),
        (
            Stage::Received,
            Command::ApproveExtension {
                working_days: 5,
                reason: "r".into(),
            },
            &[Role::OgiOffice],
            false,
        ),
        (
            Stage::ReplyDrafted,
            Command::SubmitForReview,
            &[Role::OgiOffice, Role::Clerk],
            false,
        ),
        (
            Stage::InReview,
            Command::ApproveReview {
                comment: String::new(),
            },
            &[Role::DepartmentReviewer],
            false,
        ),
        (
            Stage::ReviewApproved,
            Command::IssueReply,
            &[Role::OgiOffice],
            false,
        ),
        (
            Stage::Received,
            Command::Withdraw {
                reason: String::new(),
            },
            &[],
            true,
        ),
        (
            Stage::CorrectionRequested,
            Command::SubmitCorrection {
                text: "补正".into(),
            },
            &[],
            true,
        ),
        (
            Stage::InHandling,
            Command::RecordCommunication {
                contacted_on: TODAY,
                method: CommunicationMethod::Meeting,
                outcome: CommunicationOutcome::RequestNarrowed,
                summary: "面谈后申请人同意只申请2025年的数据".into(),
            },
            &[
                Role::OgiOffice,
                Role::Clerk,
                Role::Liaison,
                Role::DepartmentReviewer,
            ],
            false,
        ),
    ];
    for (stage, command, permitted, applicant_only) in cases {
        let state = run(&history_for(stage));
        for role in Role::STAFF {
            let roles = [role];
            let acting = Acting {
                roles: &roles,
                is_applicant: false,
                today: TODAY,
                tier_rules: &tiers,
            };
            let result = decide(&state, &command, &acting);
            if permitted.contains(&role) {
                assert!(result.is_ok(), "{} by {role:?}: {result:?}", command.name());
            } else {
                assert_eq!(
                    result,
                    Err(Rejection::NotPermitted),
                    "{} by {role:?}",
                    command.name()
                );
            }
        }
        let applicant = Acting {
            roles: &[],
            is_applicant: true,
            today: TODAY,
            tier_rules: &tiers,
        };
        assert_eq!(
            decide(&state, &command, &applicant).is_ok(),
            applicant_only,
            "{} by the applicant",
            command.name()
        );
    }
}

#[test]
fn content_rules_give_precise_refusals() {
    let tiers = TierRules::default();
    let roles = Role::STAFF.to_vec();
    let acting = Acting {
        roles: &roles,
        is_applicant: true,
        today: TODAY,
        tier_rules: &tiers,
    };
    let cases: Vec<(Stage, Command, Rejection)> = vec![
        (
            Stage::Submitted,
            Command::ConfirmReceipt {
                receipt_date: date!(2026 - 03 - 21),
            },
            Rejection::ReceiptDateInFuture,
        ),
        (
            Stage::Received,
            Command::RequestCorrection {
                items: vec!["  ".into()],
                due: TODAY,
            },
            Rejection::CorrectionItemsMissing,
        ),
        (
            Stage::CorrectionRequested,
            Command::SubmitCorrection { text: " ".into() },
            Rejection::CorrectionTextMissing,
        ),
        (
            Stage::Accepted,
            Command::Assign {
                departments: vec![],
                lead: "d1".into(),
            },
            Rejection::DepartmentsMissing,
        ),
        (
            Stage::Accepted,
            Command::Assign {
                departments: vec!["d1".into()],
                lead: "d2".into(),
            },
            Rejection::LeadNotAssigned,
        ),
        (
            Stage::InHandling,
            Command::StartConsultation {
                id: "c1".into(),
                party: ConsultationParty::ThirdParty,
                party_name: "某公司".into(),
                due: TODAY,
            },
            Rejection::ConsultationExists,
        ),
        (
            Stage::InHandling,
            Command::StartConsultation {
                id: "c2".into(),
                party: ConsultationParty::ThirdParty,
                party_name: " ".into(),
                due: TODAY,
            },
            Rejection::PartyNameMissing,
        ),
        (
            Stage::InHandling,
            Command::AnswerConsultation {
                id: "nope".into(),
                answer: "x".into(),
            },
            Rejection::ConsultationUnknown,
        ),
        (
            Stage::InHandling,
            Command::AnswerConsultation {
                id: "c1".into(),
                answer: "".into(),
            },
            Rejection::AnswerMissing,
        ),
        (
            Stage::InHandling,
            Command::DraftReply {
                reply_kind: "disclosed".into(),
                body: "x".into(),
                withholds_information: false,
            },
            Rejection::ConsultationsOpen,
        ),
        (
            Stage::Received,
            Command::ApproveExtension {
                working_days: 21,
                reason: "r".into(),
            },
            Rejection::ExtensionLength,
        ),
        (
            Stage::Received,
            Command::ApproveExtension {
                working_days: 0,
                reason: "r".into(),
            },
            Rejection::ExtensionLength,
        ),
        (
            Stage::Received,
            Command::ApproveExtension {
                working_days: 5,
                reason: "".into(),
            },
            Rejection::ExtensionReasonMissing,
        ),
        (
            Stage::Received,
            Command::DraftReply {
                reply_kind: "".into(),
                body: "x".into(),
                withholds_information: false,
            },
            Rejection::ReplyKindMissing,
        ),
        (
            Stage::Received,
            Command::DraftReply {
                reply_kind: "disclosed".into(),
                body: " ".into(),
                withholds_information: false,
            },
            Rejection::ReplyBodyMissing,
        ),
        (
            Stage::InReview,
            Command::RejectReview { reason: "".into() },
            Rejection::ReasonMissing,
        ),
        (
            Stage::Received,
            Command::FlagSensitivity { flags: vec![] },
            Rejection::FlagsMissing,
        ),
        (
            Stage::Issued,
            Command::MarkDelivered { method: "".into() },
            Rejection::DeliveryMethodMissing,
        ),
        (
            Stage::Received,
            Command::RecordCommunication {
                contacted_on: date!(2026 - 03 - 21),
                method: CommunicationMethod::Phone,
                outcome: CommunicationOutcome::NeedClarified,
                summary: "x".into(),
            },
            Rejection::CommunicationDateInFuture,
        ),
        (
            Stage::Received,
            Command::RecordCommunication {
                contacted_on: date!(2026 - 03 - 01),
                method: CommunicationMethod::Phone,
                outcome: CommunicationOutcome::NeedClarified,
                summary: "x".into(),
            },
            Rejection::CommunicationDateTooEarly,
        ),
        (
            Stage::Accepted,
            Command::RecordCommunication {
                contacted_on: TODAY,
                method: CommunicationMethod::Email,
                outcome: CommunicationOutcome::NoAgreement,
                summary: " \n ".into(),
            },
            Rejection::CommunicationSummaryMissing,
        ),
    ];
    for (stage, command, expected) in cases {
        let state = run(&history_for(stage));
        assert_eq!(
            decide(&state, &command, &acting),
            Err(expected),
            "{stage:?} × {}",
            command.name()
        );
    }
    // The correction may be requested once only, and lapses only after its due date.
    let corrected = run(&with(
        history_for(Stage::CorrectionRequested),
        &[Event::CorrectionSubmitted {
            on: date!(2026 - 03 - 05),
            text: "补正".into(),
        }],
    ));
    assert_eq!(corrected.stage, Stage::Received);
    assert_eq!(
        decide(
            &corrected,
            &Command::RequestCorrection {
                items: vec!["x".into()],
                due: TODAY
            },
            &acting
        ),
        Err(Rejection::CorrectionAlreadyRequested)
    );
    let waiting = run(&history_for(Stage::CorrectionRequested));
    let early = Acting {
        today: date!(2026 - 03 - 17),
        ..acting.clone()
    };
    assert_eq!(
        decide(&waiting, &Command::LapseCorrection, &early),
        Err(Rejection::CorrectionNotYetDue)
    );
    let extended = run(&with(
        received(),
        &[Event::ExtensionApproved {
            on: date!(2026 - 03 - 10),
            working_days: 5,
            reason: "r".into(),
        }],
    ));
    assert_eq!(
        decide(
            &extended,
            &Command::ApproveExtension {
                working_days: 5,
                reason: "r".into()
            },
            &acting
        ),
        Err(Rejection::ExtensionAlreadyApproved)
    );
}

fn step(
    state: ApplicationState,
    command: Command,
    roles: &[Role],
    today: Date,
) -> ApplicationState {
    let tiers = TierRules::default();
    let acting = Acting {
        roles,
        is_applicant: false,
        today,
        tier_rules: &tiers,
    };
    let events =
        decide(&state, &command, &acting).unwrap_or_else(|e| panic!("{}: {e:?}", command.name()));
    events.iter().fold(state, apply)
}

#[test]
fn sensitive_replies_need_three_review_steps_in_order() {
    let state = run(&with(
        received(),
        &[Event::ReplyDrafted {
            on: date!(2026 - 03 - 05),
            reply_kind: "partially_disclosed".into(),
            body: "正文".into(),
            withholds_information: true,
        }],
    ));
    let state = step(state, Command::SubmitForReview, &[Role::Clerk], TODAY);
    assert_eq!(state.next_review_step(), Some(Role::DepartmentReviewer));
    // The leader cannot jump the queue.
    let tiers = TierRules::default();
    let leader = Acting {
        roles: &[Role::Leader],
        is_applicant: false,
        today: TODAY,
        tier_rules: &tiers,
    };
    assert_eq!(
        decide(
            &state,
            &Command::ApproveReview {
                comment: String::new()
            },
            &leader
        ),
        Err(Rejection::NotPermitted)
    );
    let state = step(
        state,
        Command::ApproveReview {
            comment: "同意".into(),
        },
        &[Role::DepartmentReviewer],
        TODAY,
    );
    assert_eq!(
        state.next_review_step(),
        Some(Role::ConfidentialityReviewer)
    );
    let state = step(
        state,
        Command::ApproveReview {
            comment: "无涉密".into(),
        },
        &[Role::ConfidentialityReviewer],
        TODAY,
    );
    assert_eq!(state.stage, Stage::InReview);
    // A rejection sends the draft back and the review starts over.
    let rejected = step(
        state.clone(),
        Command::RejectReview {
            reason: "补充理由".into(),
        },
        &[Role::Leader],
        TODAY,
    );
    assert_eq!(rejected.stage, Stage::ReplyDrafted);
    assert!(rejected.review_steps_done.is_empty());
    let state = step(
        state,
        Command::ApproveReview {
            comment: "签发".into(),
        },
        &[Role::Leader],
        TODAY,
    );
    assert_eq!(state.stage, Stage::ReviewApproved);
    let state = step(state, Command::IssueReply, &[Role::OgiOffice], TODAY);
    assert_eq!(
        state.issued_reply_kind.as_deref(),
        Some("partially_disclosed")
    );
    // A routine reply needs the department reviewer only.
    let routine = step(
        run(&drafted()),
        Command::SubmitForReview,
        &[Role::Clerk],
        TODAY,
    );
    assert_eq!(routine.review_steps, vec![Role::DepartmentReviewer]);
    // A media-interest flag makes a disclosure sensitive too.
    let flagged = run(&with(
        drafted(),
        &[Event::SensitivityFlagged {
            on: TODAY,
            flags: vec![SensitivityFlag::MediaInterest],
        }],
    ));
    let flagged = step(flagged, Command::SubmitForReview, &[Role::Clerk], TODAY);
    assert_eq!(flagged.review_steps.len(), 3);
}

#[test]
fn consultations_pause_the_statutory_clock() {
    let calendar = WorkingDayCalendar::builtin();
    let rules = DeadlineRules::statutory();
    let roles = [Role::OgiOffice];
    let mut state = run(&[Event::Registered {
        channel: "in_person".into(),
        receipt_date: date!(2026 - 02 - 10),
    }]);
    let base = compute_deadlines(&state.clock_events, &calendar, &rules).expect("deadlines");
    assert_eq!(
        base.effective_reply().map(|d| d.due.date),
        Some(date!(2026 - 03 - 16))
    );
    state = step(state, Command::Accept, &roles, date!(2026 - 02 - 11));
    state = step(
        state,
        Command::Assign {
            departments: vec!["d1".into(), "d2".into()],
            lead: "d1".into(),
        },
        &roles,
        date!(2026 - 02 - 11),
    );
    // Two third parties consulted in parallel: the clock pauses from the first start to the
    // last answer; a department consultation alongside does not pause it.
    for (id, party) in [
        ("t1", ConsultationParty::ThirdParty),
        ("t2", ConsultationParty::ThirdParty),
        ("d", ConsultationParty::Department),
    ] {
        state = step(
            state,
            Command::StartConsultation {
                id: id.into(),
                party,
                party_name: "某公司".into(),
                due: date!(2026 - 03 - 13),
            },
            &roles,
            date!(2026 - 02 - 24),
        );
    }
    state = step(
        state,
        Command::AnswerConsultation {
            id: "t1".into(),
            answer: "不同意".into(),
        },
        &roles,
        date!(2026 - 03 - 02),
    );
    state = step(
        state,
        Command::AnswerConsultation {
            id: "d".into(),
            answer: "同意".into(),
        },
        &roles,
        date!(2026 - 03 - 03),
    );
    state = step(
        state,
        Command::AnswerConsultation {
            id: "t2".into(),
            answer: "同意".into(),
        },
        &roles,
        date!(2026 - 03 - 05),
    );
    let paused = compute_deadlines(&state.clock_events, &calendar, &rules).expect("deadlines");
    let reply = paused.effective_reply().expect("reply deadline");
    assert!(
        reply.due.date > date!(2026 - 03 - 16),
        "the pause moves the due date: {:?}",
        reply.due
    );
    assert!(
        reply.derivation.zh.contains("第三十二条") || reply.derivation.en.contains("Art. 32"),
        "{:?}",
        reply.derivation
    );
    assert_eq!(
        paused
            .deadlines_of(DeadlineKind::ThirdPartyConsultation)
            .count(),
        1
    );
}

#[test]
fn a_correction_restarts_the_reply_period() {
    let calendar = WorkingDayCalendar::builtin();
    let rules = DeadlineRules::statutory();
    let roles = [Role::Clerk];
    let state = run(&received());
    let state = step(
        state,
        Command::RequestCorrection {
            items: vec!["请写明文件名称".into()],
            due: date!(2026 - 03 - 20),
        },
        &roles,
        date!(2026 - 03 - 04),
    );
    let tiers = TierRules::default();
    let applicant = Acting {
        roles: &[],
        is_applicant: true,
        today: date!(2026 - 03 - 09),
        tier_rules: &tiers,
    };
    let events = decide(
        &state,
        &Command::SubmitCorrection {
            text: "《示范市公共停车场规划》".into(),
        },
        &applicant,
    )
    .expect("correction");
    let state = events.iter().fold(state, apply);
    assert_eq!(state.stage, Stage::Received);
    let summary = compute_deadlines(&state.clock_events, &calendar, &rules).expect("deadlines");
    // 20 working days from 2026-03-09, not from 2026-03-02.
    assert_eq!(
        summary.effective_reply().map(|d| d.due.date),
        Some(date!(2026 - 04 - 07))
    );
}

#[test]
fn a_fee_notice_pauses_the_clock_and_an_unpaid_fee_ends_the_application() {
    let roles = [Role::OgiOffice];
    let calendar = WorkingDayCalendar::builtin();
    let rules = DeadlineRules::statutory();
    let state = run(&with(
        received(),
        &[Event::Accepted {
            on: date!(2026 - 03 - 03),
        }],
    ));
    let before = compute_deadlines(&state.clock_events, &calendar, &rules)
        .expect("deadlines")
        .effective_reply()
        .map(|d| d.due.date);
    let state = step(
        state,
        Command::IssueFeeNotice {
            amount_fen: 300_000,
            method: "per_application".into(),
            due: date!(2026 - 04 - 01),
        },
        &roles,
        date!(2026 - 03 - 04),
    );
    assert_eq!(state.fee_pending, Some((300_000, date!(2026 - 04 - 01))));
    // Drafting waits for payment; a second notice is refused.
    let tiers = TierRules::default();
    let acting = Acting {
        roles: &roles,
        is_applicant: false,
        today: date!(2026 - 03 - 05),
        tier_rules: &tiers,
    };
    assert_eq!(
        decide(
            &state,
            &Command::DraftReply {
                reply_kind: "disclosed".into(),
                body: "x".into(),
                withholds_information: false
            },
            &acting
        ),
        Err(Rejection::FeePending)
    );
    assert_eq!(
        decide(
            &state,
            &Command::IssueFeeNotice {
                amount_fen: 1,
                method: "per_page".into(),
                due: TODAY
            },
            &acting
        ),
        Err(Rejection::FeeNoticeAlreadyIssued)
    );
    assert_eq!(
        decide(&state, &Command::LapseFee, &acting),
        Err(Rejection::FeeNotYetDue)
    );
    let paid = step(
        state.clone(),
        Command::RecordFeePayment,
        &roles,
        date!(2026 - 03 - 11),
    );
    let after = compute_deadlines(&paid.clock_events, &calendar, &rules)
        .expect("deadlines")
        .effective_reply()
        .map(|d| d.due.date);
    assert!(
        after > before,
        "the wait for payment is not counted: {before:?} -> {after:?}"
    );
    let lapsed = step(state, Command::LapseFee, &roles, date!(2026 - 04 - 02));
    assert_eq!(lapsed.stage, Stage::Abandoned);
    assert_eq!(
        lapsed.issued_reply_kind.as_deref(),
        Some("other_fee_not_paid")
    );
}

/// A pre-reply communication (前置沟通) is recorded in every stage before the reply, keeps the
/// stage, and never moves the statutory clock: the due dates are those of the same history
/// without it.
#[test]
fn a_communication_is_recorded_without_moving_stage_or_clock() {
    let tiers = TierRules::default();
    let roles = [Role::Liaison];
    let acting = Acting {
        roles: &roles,
        is_applicant: false,
        today: TODAY,
        tier_rules: &tiers,
    };
    let command = Command::RecordCommunication {
        contacted_on: date!(2026 - 03 - 04),
        method: CommunicationMethod::Phone,
        outcome: CommunicationOutcome::PointedToPublishedInformation,
        summary: "  告知申请人该名单已在本机关网站公开  ".into(),
    };
    for stage in Stage::ALL {
        let history = history_for(stage);
        let before = run(&history);
        let result = decide(&before, &command, &acting);
        if !allowed(stage).contains(&"record_communication") {
            assert_eq!(result, Err(Rejection::WrongStage(stage)), "{stage:?}");
            continue;
        }
        let events = result.unwrap_or_else(|e| panic!("{stage:?}: {e:?}"));
        assert_eq!(
            events,
            vec![Event::CommunicationRecorded {
                on: date!(2026 - 03 - 04),
                method: CommunicationMethod::Phone,
                outcome: CommunicationOutcome::PointedToPublishedInformation,
                summary: "告知申请人该名单已在本机关网站公开".into(),
            }]
        );
        let after = run(&with(history.clone(), &events));
        assert_eq!(after.stage, before.stage, "{stage:?}");
        assert_eq!(after.clock_events, before.clock_events, "{stage:?}");
        assert_eq!(after.communications.len(), 1);
        assert_eq!(
            after.communications[0].outcome,
            CommunicationOutcome::PointedToPublishedInformation
        );
    }
    // Codes round-trip and every code is distinct.
    for method in CommunicationMethod::ALL {
        assert_eq!(CommunicationMethod::parse(method.code()), Some(method));
    }
    for outcome in CommunicationOutcome::ALL {
        assert_eq!(CommunicationOutcome::parse(outcome.code()), Some(outcome));
    }
    assert_eq!(CommunicationMethod::parse("carrier_pigeon"), None);
}

/// An agency's review tiers (分级审核) are checked as a whole, every problem at once, and the
/// steps always run in the fixed order whatever order the configuration lists them in.
#[test]
fn tier_rules_are_checked_and_ordered() {
    let codes = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let rules = TierRules::from_codes(
        &codes(&["leader", "department_reviewer"]),
        &codes(&["leader", "confidentiality_reviewer", "department_reviewer"]),
    )
    .expect("valid tiers");
    assert_eq!(rules.routine, vec![Role::DepartmentReviewer, Role::Leader]);
    assert_eq!(
        rules.sensitive,
        vec![
            Role::DepartmentReviewer,
            Role::ConfidentialityReviewer,
            Role::Leader
        ]
    );
    assert_eq!(TierRules::from_json(&rules.to_json()), Ok(rules.clone()));
    let default = TierRules::default();
    assert_eq!(TierRules::from_json(&default.to_json()), Ok(default));

    let problems = |routine: &[&str], sensitive: &[&str]| -> Vec<(&'static str, &'static str)> {
        match TierRules::from_codes(&codes(routine), &codes(sensitive)) {
            Ok(_) => Vec::new(),
            Err(p) => p.problems().iter().map(|p| (p.field, p.code)).collect(),
        }
    };
    // No routine step, no confidentiality review, and a role that is no review role: all three.
    assert_eq!(
        problems(&["clerk"], &["leader"]),
        vec![
            ("routine", "role_invalid"),
            ("routine", "required"),
            ("sensitive", "confidentiality_review_required"),
        ]
    );
    // A sensitive reply may not skip a routine step.
    assert_eq!(
        problems(&["leader"], &["confidentiality_reviewer"]),
        vec![("sensitive", "must_include_routine_steps")]
    );
    assert_eq!(
        problems(
            &["department_reviewer"],
            &["confidentiality_reviewer", "nobody"]
        ),
        vec![
            ("sensitive", "role_invalid"),
            ("sensitive", "must_include_routine_steps")
        ]
    );
    assert!(TierRules::from_json("{\"routine\": 3}").is_err());

    // The configured tiers decide the review steps of a routine reply.
    let state = run(&drafted());
    let roles = Role::STAFF.to_vec();
    let acting = Acting {
        roles: &roles,
        is_applicant: false,
        today: TODAY,
        tier_rules: &rules,
    };
    assert_eq!(
        decide(&state, &Command::SubmitForReview, &acting),
        Ok(vec![Event::SubmittedForReview {
            on: TODAY,
            steps: vec!["department_reviewer".into(), "leader".into()],
        }])
    );
}
