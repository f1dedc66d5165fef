//! Data-driven tests of `compute_deadlines`: each row is an application's clock history and the
//! expected summary rendered as text, so that a rule and its answer sit side by side. The dates
//! were checked against an independent day-by-day count over the same holiday data. Further
//! tables cover every refused history, each receipt channel and the derivation texts.

use std::sync::LazyLock;

use gongkai_domain::calendar::{CountingRule, WorkingDayCalendar, format_iso_date, parse_iso_date};
use gongkai_domain::deadline::{
    CLOCK_EVENTS_MAX, ClockEvent, ClockState, DeadlineError, DeadlineKind, DeadlineRules,
    DeadlineStatus, DeadlineSummary, PauseKind, ReceiptChannel, Verification, compute_deadlines,
};
use time::Date;

static CALENDAR: LazyLock<WorkingDayCalendar> = LazyLock::new(WorkingDayCalendar::builtin);

fn date(text: &str) -> Date {
    parse_iso_date(text).expect("test dates are valid")
}

fn received(text: &str) -> ClockEvent {
    ClockEvent::Received {
        date: date(text),
        channel: ReceiptChannel::InPerson,
    }
}

fn correction_requested(text: &str) -> ClockEvent {
    ClockEvent::CorrectionRequested { date: date(text) }
}

fn corrected(text: &str) -> ClockEvent {
    ClockEvent::Corrected { date: date(text) }
}

fn correction_lapsed(text: &str) -> ClockEvent {
    ClockEvent::CorrectionLapsed { date: date(text) }
}

fn extension(text: &str, working_days: u32) -> ClockEvent {
    ClockEvent::ExtensionApproved {
        date: date(text),
        working_days,
    }
}

fn third_party_started(text: &str) -> ClockEvent {
    ClockEvent::ThirdPartyConsultationStarted { date: date(text) }
}

fn third_party_ended(text: &str) -> ClockEvent {
    ClockEvent::ThirdPartyConsultationEnded { date: date(text) }
}

fn other_agency_started(text: &str) -> ClockEvent {
    ClockEvent::OtherAgencyConsultationStarted { date: date(text) }
}

fn other_agency_ended(text: &str) -> ClockEvent {
    ClockEvent::OtherAgencyConsultationEnded { date: date(text) }
}

fn fee_notice(text: &str) -> ClockEvent {
    ClockEvent::FeeNoticeIssued { date: date(text) }
}

fn fee_paid(text: &str) -> ClockEvent {
    ClockEvent::FeePaid { date: date(text) }
}

fn fee_lapsed(text: &str) -> ClockEvent {
    ClockEvent::FeePaymentLapsed { date: date(text) }
}

fn delay(text: &str, reply_due: &str) -> ClockEvent {
    ClockEvent::ExcessiveRequestDelayNotified {
        date: date(text),
        reply_due: date(reply_due),
    }
}

/// One line for the clock and one per deadline: `Kind due status [provisional]`.
fn render(summary: &DeadlineSummary) -> String {
    let iso = |day: Date| format_iso_date(day);
    let clock = match &summary.clock {
        ClockState::Running { since } => format!("clock running since {}", iso(*since)),
        ClockState::Paused { since, pauses } => {
            format!("clock paused since {} {pauses:?}", iso(*since))
        }
        ClockState::AwaitingCorrection { since } => {
            format!("clock awaiting correction since {}", iso(*since))
        }
        ClockState::Abandoned { on, reason } => format!("clock abandoned {} {reason:?}", iso(*on)),
    };
    let mut lines = vec![clock];
    for deadline in &summary.deadlines {
        let status = match deadline.status {
            DeadlineStatus::Open => "open".to_owned(),
            DeadlineStatus::Paused => "paused".to_owned(),
            DeadlineStatus::Done { on, late: false } => format!("done {}", iso(on)),
            DeadlineStatus::Done { on, late: true } => format!("done late {}", iso(on)),
            DeadlineStatus::Lapsed { on } => format!("lapsed {}", iso(on)),
        };
        let provisional = if deadline.due.provisional {
            " provisional"
        } else {
            ""
        };
        lines.push(format!(
            "{:?} {} {status}{provisional}",
            deadline.kind,
            iso(deadline.due.date)
        ));
    }
    lines.join("\n")
}

fn check(events: &[ClockEvent], rules: &DeadlineRules, expected: &str) {
    let summary = compute_deadlines(events, &CALENDAR, rules).expect("a valid history");
    let expected = expected
        .trim()
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(render(&summary), expected, "events: {events:?}");
}

#[test]
fn statutory_histories() {
    let rules = DeadlineRules::statutory();
    let table: Vec<(&str, Vec<ClockEvent>, &str)> = vec![
        (
            "received only: 7 and 20 working days across the Spring Festival (§3.4)",
            vec![received("2026-02-10")],
            "clock running since 2026-02-10
             CorrectionNotice 2026-02-26 open
             Reply 2026-03-16 open",
        ),
        (
            "correction requested: the reply clock stops (Art. 30)",
            vec![received("2026-02-10"), correction_requested("2026-02-12")],
            "clock awaiting correction since 2026-02-12
             CorrectionNotice 2026-02-26 done 2026-02-12",
        ),
        (
            "corrected: 20 working days again from the correction (Art. 30)",
            vec![
                received("2026-02-10"),
                correction_requested("2026-02-12"),
                corrected("2026-03-02"),
            ],
            "clock running since 2026-03-02
             CorrectionNotice 2026-02-26 done 2026-02-12
             Reply 2026-03-30 open",
        ),
        (
            "correction lapsed: deemed abandoned (Art. 30)",
            vec![
                received("2026-02-10"),
                correction_requested("2026-02-12"),
                correction_lapsed("2026-03-20"),
            ],
            "clock abandoned 2026-03-20 CorrectionLapsed
             CorrectionNotice 2026-02-26 done 2026-02-12",
        ),
        (
            "correction notice after 7 working days is late",
            vec![received("2026-02-10"), correction_requested("2026-02-27")],
            "clock awaiting correction since 2026-02-27
             CorrectionNotice 2026-02-26 done late 2026-02-27",
        ),
        (
            "third-party consultation ended in time (Arts. 32, 33 ¶3)",
            vec![
                received("2026-02-10"),
                third_party_started("2026-02-20"),
                third_party_ended("2026-03-05"),
            ],
            "clock running since 2026-02-10
             CorrectionNotice 2026-02-26 open
             ThirdPartyConsultation 2026-03-13 done 2026-03-05
             Reply 2026-03-27 open",
        ),
        (
            "third-party consultation still open: runs to its due date",
            vec![received("2026-02-10"), third_party_started("2026-02-20")],
            "clock paused since 2026-02-20 [ThirdPartyConsultation]
             CorrectionNotice 2026-02-26 open
             ThirdPartyConsultation 2026-03-13 open
             Reply 2026-04-07 paused",
        ),
        (
            "late views do not pause beyond the 15 working days (Art. 32)",
            vec![
                received("2026-02-10"),
                third_party_started("2026-02-20"),
                third_party_ended("2026-03-20"),
            ],
            "clock running since 2026-02-10
             CorrectionNotice 2026-02-26 open
             ThirdPartyConsultation 2026-03-13 done late 2026-03-20
             Reply 2026-04-07 open",
        ),
        (
            "overlapping third-party and other-agency consultations pause once (Arts. 32, 34)",
            vec![
                received("2026-02-10"),
                third_party_started("2026-02-25"),
                other_agency_started("2026-03-02"),
                third_party_ended("2026-03-10"),
                other_agency_ended("2026-03-20"),
            ],
            "clock running since 2026-02-10
             CorrectionNotice 2026-02-26 open
             ThirdPartyConsultation 2026-03-17 done 2026-03-10
             OtherAgencyConsultation 2026-03-23 done 2026-03-20
             Reply 2026-04-10 open",
        ),
        (
            "extension of 10 working days (Art. 33)",
            vec![received("2026-02-10"), extension("2026-03-10", 10)],
            "clock running since 2026-02-10
             CorrectionNotice 2026-02-26 open
             Reply 2026-03-16 open
             ExtendedReply 2026-03-30 open",
        ),
        (
            "maximum extension across the National Day holiday (§3.4: 40 working days)",
            vec![received("2025-09-26"), extension("2025-10-20", 20)],
            "clock running since 2025-09-26
             CorrectionNotice 2025-10-13 open
             Reply 2025-10-30 open
             ExtendedReply 2025-11-27 open",
        ),
        (
            "extension approved on the last day of the period is in time",
            vec![received("2026-02-10"), extension("2026-03-16", 1)],
            "clock running since 2026-02-10
             CorrectionNotice 2026-02-26 open
             Reply 2026-03-16 open
             ExtendedReply 2026-03-17 open",
        ),
        (
            "fee notice paid: the clock waits for payment (109号)",
            vec![
                received("2026-02-10"),
                fee_notice("2026-02-24"),
                fee_paid("2026-03-03"),
            ],
            "clock running since 2026-02-10
             CorrectionNotice 2026-02-26 open
             FeePayment 2026-03-23 done 2026-03-03
             Reply 2026-03-24 open",
        ),
        (
            "fee notice unpaid so far: paused to the end of the payment window",
            vec![received("2026-02-10"), fee_notice("2026-02-24")],
            "clock paused since 2026-02-24 [FeeNotice]
             CorrectionNotice 2026-02-26 open
             FeePayment 2026-03-23 open
             Reply 2026-04-14 paused",
        ),
        (
            "fee paid late and accepted: paused until payment",
            vec![
                received("2026-02-10"),
                fee_notice("2026-02-24"),
                fee_paid("2026-04-15"),
            ],
            "clock running since 2026-02-10
             CorrectionNotice 2026-02-26 open
             FeePayment 2026-03-23 done late 2026-04-15
             Reply 2026-05-09 open",
        ),
        (
            "fee unpaid: no longer handled (report row (六)2)",
            vec![
                received("2026-02-10"),
                fee_notice("2026-02-24"),
                fee_lapsed("2026-03-24"),
            ],
            "clock abandoned 2026-03-24 FeeUnpaid
             CorrectionNotice 2026-02-26 open
             FeePayment 2026-03-23 lapsed 2026-03-24",
        ),
        (
            "Art. 35 delayed reply date",
            vec![received("2026-02-10"), delay("2026-03-05", "2026-04-30")],
            "clock running since 2026-02-10
             CorrectionNotice 2026-02-26 open
             Reply 2026-03-16 open
             DelayedReply 2026-04-30 open",
        ),
        (
            "received on New Year's Eve: the 2026-01-04 Sunday make-up day counts (§3.4)",
            vec![received("2025-12-31")],
            "clock running since 2025-12-31
             CorrectionNotice 2026-01-12 open
             Reply 2026-01-29 open",
        ),
        (
            "late December 2026: provisional until the 2027 notice is loaded",
            vec![received("2026-12-01")],
            "clock running since 2026-12-01
             CorrectionNotice 2026-12-10 open
             Reply 2026-12-29 open provisional",
        ),
        (
            "consultation after a restart by correction",
            vec![
                received("2026-02-10"),
                correction_requested("2026-02-12"),
                corrected("2026-03-02"),
                third_party_started("2026-03-05"),
                third_party_ended("2026-03-12"),
            ],
            "clock running since 2026-03-02
             CorrectionNotice 2026-02-26 done 2026-02-12
             ThirdPartyConsultation 2026-03-26 done 2026-03-12
             Reply 2026-04-07 open",
        ),
        (
            "a consultation begun after the reply was due does not revive the period",
            vec![
                received("2026-02-10"),
                third_party_started("2026-03-20"),
                third_party_ended("2026-03-25"),
            ],
            "clock running since 2026-02-10
             CorrectionNotice 2026-02-26 open
             ThirdPartyConsultation 2026-04-13 done 2026-03-25
             Reply 2026-03-16 open",
        ),
        (
            "extension approved while a consultation keeps the period open",
            vec![
                received("2026-02-10"),
                third_party_started("2026-02-20"),
                extension("2026-04-01", 5),
            ],
            "clock paused since 2026-02-20 [ThirdPartyConsultation]
             CorrectionNotice 2026-02-26 open
             ThirdPartyConsultation 2026-03-13 open
             Reply 2026-04-07 paused
             ExtendedReply 2026-04-14 paused",
        ),
        (
            "two fee notices in turn",
            vec![
                received("2026-02-10"),
                fee_notice("2026-02-24"),
                fee_paid("2026-02-26"),
                fee_notice("2026-03-02"),
                fee_paid("2026-03-04"),
            ],
            "clock running since 2026-02-10
             CorrectionNotice 2026-02-26 open
             FeePayment 2026-03-23 done 2026-02-26
             FeePayment 2026-03-30 done 2026-03-04
             Reply 2026-03-20 open",
        ),
    ];
    for (why, events, expected) in &table {
        println!("case: {why}");
        check(events, &rules, expected);
    }
}

#[test]
fn rules_are_data() {
    let mut counting_start_day = DeadlineRules::statutory();
    counting_start_day.counting = CountingRule::START_DAY_COUNTED;
    check(
        &[received("2026-02-10")],
        &counting_start_day,
        "clock running since 2026-02-10
         CorrectionNotice 2026-02-25 open
         Reply 2026-03-13 open",
    );
    let mut shorter_local_rule = DeadlineRules::statutory();
    shorter_local_rule.reply.working_days = 15;
    shorter_local_rule.extension_max.working_days = 5;
    check(
        &[received("2026-02-10"), extension("2026-03-02", 5)],
        &shorter_local_rule,
        "clock running since 2026-02-10
         CorrectionNotice 2026-02-26 open
         Reply 2026-03-09 open
         ExtendedReply 2026-03-16 open",
    );
    let refused = compute_deadlines(
        &[received("2026-02-10"), extension("2026-03-02", 6)],
        &CALENDAR,
        &shorter_local_rule,
    );
    assert_eq!(
        refused.map(|_| ()),
        Err(DeadlineError::ExtensionLengthInvalid {
            index: 1,
            working_days: 6,
            max_working_days: 5
        })
    );
}

#[test]
fn statutory_rules_match_the_regulation() {
    let rules = DeadlineRules::statutory();
    let table = [
        (
            "correction notice",
            rules.correction_notice.working_days,
            7,
            rules.correction_notice.basis.short_en.as_str(),
            "Art. 30",
        ),
        (
            "reply",
            rules.reply.working_days,
            20,
            rules.reply.basis.short_en.as_str(),
            "Art. 33",
        ),
        (
            "extension",
            rules.extension_max.working_days,
            20,
            rules.extension_max.basis.short_en.as_str(),
            "Art. 33",
        ),
        (
            "third party",
            rules.third_party_consultation.working_days,
            15,
            rules.third_party_consultation.basis.short_en.as_str(),
            "Art. 32",
        ),
        (
            "other agency",
            rules.other_agency_consultation.working_days,
            15,
            rules.other_agency_consultation.basis.short_en.as_str(),
            "Art. 34",
        ),
        (
            "fee payment",
            rules.fee_payment.working_days,
            20,
            rules.fee_payment.basis.short_en.as_str(),
            "GOL [2020] No. 109",
        ),
    ];
    for (name, working_days, expected_working_days, citation, expected_citation) in table {
        assert_eq!(working_days, expected_working_days, "{name}");
        assert_eq!(citation, expected_citation, "{name}");
    }
    assert_eq!(rules.counting, CountingRule::START_DAY_NOT_COUNTED);
    assert_eq!(
        rules.fee_payment.basis.verification,
        Verification::Unverified
    );
    assert_eq!(rules.reply.basis.verification, Verification::Primary);
    assert_eq!(
        rules.consultation_not_counted.citation_zh,
        "《政府信息公开条例》第三十三条第三款"
    );
}

#[test]
fn refused_histories() {
    let rules = DeadlineRules::statutory();
    let r = || received("2026-02-10");
    let table: Vec<(Vec<ClockEvent>, DeadlineError)> = vec![
        (vec![], DeadlineError::NoEvents),
        (
            vec![correction_requested("2026-02-12")],
            DeadlineError::FirstEventNotReceived {
                event: "CorrectionRequested",
            },
        ),
        (vec![r(), r()], DeadlineError::ReceivedTwice { index: 1 }),
        (
            vec![r(), correction_requested("2026-02-09")],
            DeadlineError::OutOfOrder {
                index: 1,
                event: "CorrectionRequested",
            },
        ),
        (
            vec![
                r(),
                correction_requested("2026-02-12"),
                corrected("2026-02-20"),
                correction_requested("2026-02-24"),
            ],
            DeadlineError::CorrectionAlreadyRequested { index: 3 },
        ),
        (
            vec![
                r(),
                third_party_started("2026-02-11"),
                correction_requested("2026-02-12"),
            ],
            DeadlineError::CorrectionWhilePaused { index: 2 },
        ),
        (
            vec![
                r(),
                extension("2026-02-11", 5),
                correction_requested("2026-02-12"),
            ],
            DeadlineError::CorrectionAfterExtensionOrDelay { index: 2 },
        ),
        (
            vec![
                r(),
                delay("2026-02-11", "2026-05-01"),
                correction_requested("2026-02-12"),
            ],
            DeadlineError::CorrectionAfterExtensionOrDelay { index: 2 },
        ),
        (
            vec![r(), corrected("2026-02-12")],
            DeadlineError::CorrectionNotPending {
                index: 1,
                event: "Corrected",
            },
        ),
        (
            vec![r(), correction_lapsed("2026-02-12")],
            DeadlineError::CorrectionNotPending {
                index: 1,
                event: "CorrectionLapsed",
            },
        ),
        (
            vec![
                r(),
                correction_requested("2026-02-12"),
                corrected("2026-02-20"),
                corrected("2026-02-21"),
            ],
            DeadlineError::CorrectionNotPending {
                index: 3,
                event: "Corrected",
            },
        ),
        (
            vec![
                r(),
                correction_requested("2026-02-12"),
                extension("2026-02-13", 5),
            ],
            DeadlineError::AwaitingCorrection {
                index: 2,
                event: "ExtensionApproved",
            },
        ),
        (
            vec![
                r(),
                correction_requested("2026-02-12"),
                fee_notice("2026-02-13"),
            ],
            DeadlineError::AwaitingCorrection {
                index: 2,
                event: "FeeNoticeIssued",
            },
        ),
        (
            vec![
                r(),
                correction_requested("2026-02-12"),
                correction_lapsed("2026-03-01"),
                corrected("2026-03-02"),
            ],
            DeadlineError::ApplicationAbandoned {
                index: 3,
                event: "Corrected",
            },
        ),
        (
            vec![
                r(),
                fee_notice("2026-02-24"),
                fee_lapsed("2026-03-24"),
                third_party_started("2026-03-25"),
            ],
            DeadlineError::ApplicationAbandoned {
                index: 3,
                event: "ThirdPartyConsultationStarted",
            },
        ),
        (
            vec![r(), extension("2026-02-20", 5), extension("2026-02-21", 5)],
            DeadlineError::ExtensionAlreadyApproved { index: 2 },
        ),
        (
            vec![r(), extension("2026-02-20", 0)],
            DeadlineError::ExtensionLengthInvalid {
                index: 1,
                working_days: 0,
                max_working_days: 20,
            },
        ),
        (
            vec![r(), extension("2026-02-20", 21)],
            DeadlineError::ExtensionLengthInvalid {
                index: 1,
                working_days: 21,
                max_working_days: 20,
            },
        ),
        (
            vec![
                r(),
                third_party_started("2026-02-20"),
                third_party_started("2026-02-21"),
            ],
            DeadlineError::PauseAlreadyOpen {
                index: 2,
                kind: PauseKind::ThirdPartyConsultation,
            },
        ),
        (
            vec![
                r(),
                other_agency_started("2026-02-20"),
                other_agency_started("2026-02-21"),
            ],
            DeadlineError::PauseAlreadyOpen {
                index: 2,
                kind: PauseKind::OtherAgencyConsultation,
            },
        ),
        (
            vec![r(), fee_notice("2026-02-20"), fee_notice("2026-02-21")],
            DeadlineError::PauseAlreadyOpen {
                index: 2,
                kind: PauseKind::FeeNotice,
            },
        ),
        (
            vec![r(), third_party_ended("2026-02-20")],
            DeadlineError::PauseNotOpen {
                index: 1,
                kind: PauseKind::ThirdPartyConsultation,
            },
        ),
        (
            vec![r(), other_agency_ended("2026-02-20")],
            DeadlineError::PauseNotOpen {
                index: 1,
                kind: PauseKind::OtherAgencyConsultation,
            },
        ),
        (
            vec![r(), fee_paid("2026-02-20")],
            DeadlineError::PauseNotOpen {
                index: 1,
                kind: PauseKind::FeeNotice,
            },
        ),
        (
            vec![r(), fee_lapsed("2026-02-20")],
            DeadlineError::PauseNotOpen {
                index: 1,
                kind: PauseKind::FeeNotice,
            },
        ),
        (
            vec![
                r(),
                third_party_started("2026-02-20"),
                other_agency_ended("2026-02-21"),
            ],
            DeadlineError::PauseNotOpen {
                index: 2,
                kind: PauseKind::OtherAgencyConsultation,
            },
        ),
        (
            vec![
                r(),
                delay("2026-03-01", "2026-04-30"),
                delay("2026-03-02", "2026-05-30"),
            ],
            DeadlineError::DelayAlreadyNotified { index: 2 },
        ),
        (
            vec![r(), delay("2026-03-05", "2026-03-01")],
            DeadlineError::DelayedReplyBeforeNotice { index: 1 },
        ),
        (
            vec![r(), extension("2026-03-17", 5)],
            DeadlineError::AfterReplyDue {
                event: "ExtensionApproved",
                date: date("2026-03-17"),
                reply_due: date("2026-03-16"),
            },
        ),
        (
            vec![
                r(),
                extension("2026-03-10", 10),
                delay("2026-03-31", "2026-05-29"),
            ],
            DeadlineError::AfterReplyDue {
                event: "ExcessiveRequestDelayNotified",
                date: date("2026-03-31"),
                reply_due: date("2026-03-30"),
            },
        ),
        (
            vec![
                r(),
                correction_requested("2026-02-12"),
                corrected("2026-03-02"),
                extension("2026-03-31", 5),
            ],
            DeadlineError::AfterReplyDue {
                event: "ExtensionApproved",
                date: date("2026-03-31"),
                reply_due: date("2026-03-30"),
            },
        ),
    ];
    for (events, expected) in table {
        let result = compute_deadlines(&events, &CALENDAR, &rules);
        assert_eq!(result.map(|_| ()), Err(expected), "events: {events:?}");
    }
}

#[test]
fn too_many_events_are_refused() {
    let mut events = vec![received("2026-02-10")];
    for _ in 0..CLOCK_EVENTS_MAX / 2 {
        events.push(fee_notice("2026-02-11"));
        events.push(fee_paid("2026-02-11"));
    }
    let result = compute_deadlines(&events, &CALENDAR, &DeadlineRules::statutory());
    assert_eq!(
        result.map(|_| ()),
        Err(DeadlineError::TooManyEvents {
            n_events: CLOCK_EVENTS_MAX + 1,
            max_events: CLOCK_EVENTS_MAX
        })
    );
    events.pop();
    assert!(compute_deadlines(&events, &CALENDAR, &DeadlineRules::statutory()).is_ok());
}

#[test]
fn error_messages_read_as_sentences() {
    let table = [
        (DeadlineError::NoEvents, "the history has no events"),
        (
            DeadlineError::CorrectionAlreadyRequested { index: 3 },
            "event #3: a correction may be requested only once (Art. 30)",
        ),
        (
            DeadlineError::AfterReplyDue {
                event: "ExtensionApproved",
                date: date("2026-03-17"),
                reply_due: date("2026-03-16"),
            },
            "ExtensionApproved on 2026-03-17 came after the reply was due on 2026-03-16",
        ),
    ];
    for (error, expected) in table {
        assert_eq!(error.to_string(), expected);
    }
}

#[test]
fn receipt_day_by_channel() {
    let rules = DeadlineRules::statutory();
    let table = [
        (
            ReceiptChannel::InPerson,
            "the day it was submitted in person",
            "当面提交之日",
        ),
        (
            ReceiptChannel::PostSignedFor,
            "the day the agency signed for the letter",
            "行政机关签收之日",
        ),
        (
            ReceiptChannel::PostWithoutSignature,
            "the day the OGI office confirmed the letter with the applicant",
            "收到信函当日与申请人确认之日",
        ),
        (
            ReceiptChannel::Online,
            "the day the agency's system confirmed it",
            "双方确认之日（机关系统确认）",
        ),
        (
            ReceiptChannel::Fax,
            "the day both sides confirmed the fax",
            "双方确认传真之日",
        ),
        (
            ReceiptChannel::Email,
            "the day both sides confirmed the e-mail",
            "双方确认电子邮件之日",
        ),
    ];
    for (channel, day_en, day_zh) in table {
        let events = [ClockEvent::Received {
            date: date("2026-02-10"),
            channel,
        }];
        let summary = compute_deadlines(&events, &CALENDAR, &rules).expect("valid");
        assert_eq!(summary.receipt_channel, channel);
        assert_eq!(summary.receipt_date, date("2026-02-10"));
        assert_eq!(
            summary.receipt_derivation.en,
            format!(
                "received 2026-02-10: {day_en} (Art. 31); periods count from the next day (Civil Code Art. 201)"
            )
        );
        assert_eq!(
            summary.receipt_derivation.zh,
            format!(
                "收到申请之日2026-02-10：{day_zh}（第三十一条）；期间自次日起算（民法典第二百零一条）"
            )
        );
        assert_eq!(
            summary.effective_reply().map(|reply| reply.due.date),
            Some(date("2026-03-16"))
        );
    }
}

fn derivation_of(events: &[ClockEvent], kind: DeadlineKind) -> (String, String) {
    let summary = compute_deadlines(events, &CALENDAR, &DeadlineRules::statutory()).expect("valid");
    let deadline = summary.deadlines_of(kind).last().expect("deadline present");
    (
        deadline.derivation.en.clone(),
        deadline.derivation.zh.clone(),
    )
}

#[test]
fn derivations_explain_each_date() {
    let consulted = [
        received("2026-02-10"),
        third_party_started("2026-02-20"),
        third_party_ended("2026-03-05"),
    ];
    let open_consultation = [received("2026-02-10"), third_party_started("2026-02-20")];
    let late_views = [
        received("2026-02-10"),
        third_party_started("2026-02-20"),
        third_party_ended("2026-03-20"),
    ];
    let table: Vec<(&str, Vec<ClockEvent>, DeadlineKind, &str, &str)> = vec![
        (
            "the plain reply period names the holidays it skipped",
            vec![received("2026-02-10")],
            DeadlineKind::Reply,
            "20 working days from 2026-02-10 (Art. 33); days off skipped: 春节 2026-02-15 to 2026-02-23; \
             make-up working days counted: 2026-02-14 (春节), 2026-02-28 (春节)",
            "自2026-02-10起20个工作日（第三十三条）；不计休息日：春节（2026-02-15至2026-02-23）；\
             计入调休上班日：2026-02-14（春节）、2026-02-28（春节）",
        ),
        (
            "a consultation pause; days inside it are not listed as skipped or counted",
            consulted.to_vec(),
            DeadlineKind::Reply,
            "20 working days from 2026-02-10 (Art. 33); paused 2026-02-20 to 2026-03-05 for third-party \
             consultation (Art. 32; Art. 33 ¶3); days off skipped: 春节 2026-02-15 to 2026-02-20; make-up \
             working days counted: 2026-02-14 (春节)",
            "自2026-02-10起20个工作日（第三十三条）；2026-02-20至2026-03-05征求第三方意见，期间不计入\
             （第三十二条、第三十三条第三款）；不计休息日：春节（2026-02-15至2026-02-20）；计入调休上班日：\
             2026-02-14（春节）",
        ),
        (
            "an open consultation is projected to its due date",
            open_consultation.to_vec(),
            DeadlineKind::Reply,
            "20 working days from 2026-02-10 (Art. 33); paused 2026-02-20 to 2026-03-13 for third-party \
             consultation (Art. 32; Art. 33 ¶3); third-party consultation still open: assumed to end on its \
             due date 2026-03-13; days off skipped: 春节 2026-02-15 to 2026-02-20, 清明节 2026-04-04 to \
             2026-04-06; make-up working days counted: 2026-02-14 (春节)",
            "自2026-02-10起20个工作日（第三十三条）；2026-02-20至2026-03-13征求第三方意见，期间不计入\
             （第三十二条、第三十三条第三款）；征求第三方意见尚未结束，按其截止日2026-03-13推算；\
             不计休息日：春节（2026-02-15至2026-02-20）、清明节（2026-04-04至2026-04-06）；\
             计入调休上班日：2026-02-14（春节）",
        ),
        (
            "the consultation's own period",
            late_views.to_vec(),
            DeadlineKind::ThirdPartyConsultation,
            "15 working days from 2026-02-20 for third-party consultation (Art. 32); ended 2026-03-20, late: \
             the time after the due date counts towards the reply (Art. 32)",
            "自2026-02-20起15个工作日（征求第三方意见，第三十二条）；2026-03-20方结束，逾期部分计入答复期限（第三十二条）",
        ),
        (
            "the correction notice period",
            vec![received("2026-02-10")],
            DeadlineKind::CorrectionNotice,
            "7 working days from 2026-02-10 to ask once for a correction (Art. 30)",
            "自2026-02-10起7个工作日内一次性告知补正（第三十条）",
        ),
        (
            "a restarted and extended reply",
            vec![
                received("2026-04-01"),
                correction_requested("2026-04-02"),
                corrected("2026-04-08"),
                extension("2026-05-06", 3),
            ],
            DeadlineKind::ExtendedReply,
            "20 working days from 2026-04-08 (Art. 33); counted again from receipt of the corrected application \
             (Art. 30); extended by 3 working days approved on 2026-05-06 (Art. 33); days off skipped: 劳动节 \
             2026-05-01 to 2026-05-05; make-up working days counted: 2026-05-09 (劳动节)",
            "自2026-04-08起20个工作日（第三十三条）；自收到补正申请之日重新计算（第三十条）；2026-05-06批准延长3个\
             工作日（第三十三条）；不计休息日：劳动节（2026-05-01至2026-05-05）；计入调休上班日：2026-05-09（劳动节）",
        ),
        (
            "a fee pause cites the fee measures once",
            vec![
                received("2026-03-02"),
                fee_notice("2026-03-03"),
                fee_paid("2026-03-05"),
            ],
            DeadlineKind::Reply,
            "20 working days from 2026-03-02 (Art. 33); paused 2026-03-03 to 2026-03-05 for payment of the fee \
             notice (GOL [2020] No. 109)",
            "自2026-03-02起20个工作日（第三十三条）；2026-03-03至2026-03-05等待缴纳信息处理费，期间不计入（国办函〔2020〕109号）",
        ),
        (
            "an Art. 35 date",
            vec![received("2026-03-02"), delay("2026-03-05", "2026-04-30")],
            DeadlineKind::DelayedReply,
            "reasonable delayed reply date 2026-04-30 set and notified on 2026-03-05 for an excessive application (Art. 35)",
            "申请数量、频次明显超过合理范围，2026-03-05确定并告知延迟答复期限2026-04-30（第三十五条）",
        ),
        (
            "a provisional date names the missing year",
            vec![received("2026-12-01")],
            DeadlineKind::Reply,
            "20 working days from 2026-12-01 (Art. 33); provisional: the 2027 holiday arrangement is not loaded yet",
            "自2026-12-01起20个工作日（第三十三条）；暂定：2027年节假日安排尚未载入",
        ),
    ];
    for (why, events, kind, expected_en, expected_zh) in table {
        let (en, zh) = derivation_of(&events, kind);
        assert_eq!(en, expected_en, "{why}");
        assert_eq!(zh, expected_zh, "{why}");
    }
}

#[test]
fn effective_reply_prefers_delay_then_extension() {
    let rules = DeadlineRules::statutory();
    let table = [
        (
            vec![received("2026-02-10")],
            Some((DeadlineKind::Reply, "2026-03-16")),
        ),
        (
            vec![received("2026-02-10"), extension("2026-03-10", 10)],
            Some((DeadlineKind::ExtendedReply, "2026-03-30")),
        ),
        (
            vec![
                received("2026-02-10"),
                extension("2026-03-10", 10),
                delay("2026-03-20", "2026-04-30"),
            ],
            Some((DeadlineKind::DelayedReply, "2026-04-30")),
        ),
        (
            vec![received("2026-02-10"), correction_requested("2026-02-11")],
            None,
        ),
    ];
    for (events, expected) in table {
        let summary = compute_deadlines(&events, &CALENDAR, &rules).expect("valid");
        let effective = summary
            .effective_reply()
            .map(|deadline| (deadline.kind, format_iso_date(deadline.due.date)));
        let expected = expected.map(|(kind, text)| (kind, text.to_owned()));
        assert_eq!(effective, expected, "events: {events:?}");
    }
}
