//! The time limits of an application for disclosure (依申请公开), computed from its history.
//!
//! An application's clock is shaped by a handful of events: receipt (Art. 31), a correction
//! notice and its outcome (Art. 30), an extension (Art. 33), consultations of a third party or of
//! other agencies whose time is not counted (Arts. 32–34), a fee notice that waits for payment
//! (国办函〔2020〕109号) and an Art. 35 delayed deadline. `compute_deadlines` turns that history,
//! a working-day calendar and the rules into every due date with its derivation in Chinese and
//! English, so that an official can check each date by hand. The numbers and citations live in
//! `DeadlineRules` as data, not in the code. The module is pure: it never reads the clock, so it
//! cannot say whether a deadline has passed, only when it falls.

use time::Date;

use crate::calendar::{CountingRule, DaySpan, DueDate, WorkingDayCalendar, format_iso_date};

/// An application's clock history is short; a longer one is a bug or an attack, not a case.
pub const CLOCK_EVENTS_MAX: usize = 200;

/// How firmly a rule is established (the labels of ogi-rules.md), shown next to each citation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Checked against the full text of the instrument.
    Primary,
    /// Checked against a public copy or excerpt.
    Secondary,
    /// Follows from verified text by our reading.
    Derived,
    /// Not found in a source we could check; confirm before relying on it.
    Unverified,
}

/// Where a rule comes from, in a full form for rule tables and a short form for derivations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalBasis {
    pub citation_zh: String,
    pub citation_en: String,
    pub short_zh: String,
    pub short_en: String,
    pub verification: Verification,
}

impl LegalBasis {
    fn new(citation: [&str; 4], verification: Verification) -> Self {
        let [citation_zh, citation_en, short_zh, short_en] = citation.map(str::to_owned);
        Self {
            citation_zh,
            citation_en,
            short_zh,
            short_en,
            verification,
        }
    }
}

/// A period counted in working days and the rule that sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodRule {
    pub working_days: u32,
    pub basis: LegalBasis,
}

/// Every number and citation the deadline computation uses, so that a tenant whose local rules
/// differ changes data rather than code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineRules {
    pub receipt: LegalBasis,
    pub counting: CountingRule,
    pub counting_basis: LegalBasis,
    pub correction_notice: PeriodRule,
    pub correction_restart: LegalBasis,
    pub reply: PeriodRule,
    pub extension_max: PeriodRule,
    pub third_party_consultation: PeriodRule,
    pub other_agency_consultation: PeriodRule,
    pub consultation_not_counted: LegalBasis,
    pub fee_payment: PeriodRule,
    pub fee_notice_pause: LegalBasis,
    pub excessive_request_delay: LegalBasis,
}

impl DeadlineRules {
    /// The national rules: 《政府信息公开条例》 (2019), 民法典 Art. 201 and, for fees, the
    /// 109号 measures read with the Sichuan implementing notice (ogi-rules §1.3, unverified).
    pub fn statutory() -> Self {
        use Verification::{Derived, Primary, Unverified};
        let period = |working_days, citation, verification| PeriodRule {
            working_days,
            basis: LegalBasis::new(citation, verification),
        };
        Self {
            receipt: LegalBasis::new(
                [
                    "《政府信息公开条例》第三十一条",
                    "OGI Regulation Art. 31",
                    "第三十一条",
                    "Art. 31",
                ],
                Primary,
            ),
            counting: CountingRule::START_DAY_NOT_COUNTED,
            counting_basis: LegalBasis::new(
                [
                    "《民法典》第二百零一条第一款",
                    "Civil Code Art. 201 ¶1",
                    "民法典第二百零一条",
                    "Civil Code Art. 201",
                ],
                Derived,
            ),
            correction_notice: period(
                7,
                [
                    "《政府信息公开条例》第三十条",
                    "OGI Regulation Art. 30",
                    "第三十条",
                    "Art. 30",
                ],
                Primary,
            ),
            correction_restart: LegalBasis::new(
                [
                    "《政府信息公开条例》第三十条",
                    "OGI Regulation Art. 30",
                    "第三十条",
                    "Art. 30",
                ],
                Primary,
            ),
            reply: period(
                20,
                [
                    "《政府信息公开条例》第三十三条第二款",
                    "OGI Regulation Art. 33 ¶2",
                    "第三十三条",
                    "Art. 33",
                ],
                Primary,
            ),
            extension_max: period(
                20,
                [
                    "《政府信息公开条例》第三十三条第二款",
                    "OGI Regulation Art. 33 ¶2",
                    "第三十三条",
                    "Art. 33",
                ],
                Primary,
            ),
            third_party_consultation: period(
                15,
                [
                    "《政府信息公开条例》第三十二条",
                    "OGI Regulation Art. 32",
                    "第三十二条",
                    "Art. 32",
                ],
                Primary,
            ),
            other_agency_consultation: period(
                15,
                [
                    "《政府信息公开条例》第三十四条",
                    "OGI Regulation Art. 34",
                    "第三十四条",
                    "Art. 34",
                ],
                Primary,
            ),
            consultation_not_counted: LegalBasis::new(
                [
                    "《政府信息公开条例》第三十三条第三款",
                    "OGI Regulation Art. 33 ¶3",
                    "第三十三条第三款",
                    "Art. 33 ¶3",
                ],
                Primary,
            ),
            fee_payment: period(
                20,
                [
                    "国办函〔2020〕109号；四川省财政厅、发展改革委2021年1月18日通知",
                    "State Council General Office Letter [2020] No. 109; Sichuan notice of 2021-01-18",
                    "国办函〔2020〕109号",
                    "GOL [2020] No. 109",
                ],
                Unverified,
            ),
            fee_notice_pause: LegalBasis::new(
                [
                    "国办函〔2020〕109号《政府信息公开信息处理费管理办法》",
                    "State Council General Office Letter [2020] No. 109 (information-processing fees)",
                    "国办函〔2020〕109号",
                    "GOL [2020] No. 109",
                ],
                Unverified,
            ),
            excessive_request_delay: LegalBasis::new(
                [
                    "《政府信息公开条例》第三十五条",
                    "OGI Regulation Art. 35",
                    "第三十五条",
                    "Art. 35",
                ],
                Primary,
            ),
        }
    }
}

/// How an application arrived; Art. 31 fixes a different receipt day for each channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptChannel {
    InPerson,
    PostSignedFor,
    PostWithoutSignature,
    Online,
    Fax,
    Email,
}

impl ReceiptChannel {
    /// Which day counts as the day of receipt for this channel (Art. 31), in Chinese.
    pub fn receipt_day_zh(self) -> &'static str {
        match self {
            Self::InPerson => "当面提交之日",
            Self::PostSignedFor => "行政机关签收之日",
            Self::PostWithoutSignature => "收到信函当日与申请人确认之日",
            Self::Online => "双方确认之日（机关系统确认）",
            Self::Fax => "双方确认传真之日",
            Self::Email => "双方确认电子邮件之日",
        }
    }

    /// Which day counts as the day of receipt for this channel (Art. 31), in English.
    pub fn receipt_day_en(self) -> &'static str {
        match self {
            Self::InPerson => "the day it was submitted in person",
            Self::PostSignedFor => "the day the agency signed for the letter",
            Self::PostWithoutSignature => {
                "the day the OGI office confirmed the letter with the applicant"
            }
            Self::Online => "the day the agency's system confirmed it",
            Self::Fax => "the day both sides confirmed the fax",
            Self::Email => "the day both sides confirmed the e-mail",
        }
    }
}

/// An event that moves an application's clock. Dates are legal dates, not arrival timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockEvent {
    /// `date` is the Art. 31 receipt day for `channel` (see `ReceiptChannel::receipt_day_en`).
    Received {
        date: Date,
        channel: ReceiptChannel,
    },
    /// The one correction notice of Art. 30; the reply clock stops until the correction arrives.
    CorrectionRequested {
        date: Date,
    },
    /// The corrected application was received; the reply period starts again from `date`.
    Corrected {
        date: Date,
    },
    /// The applicant did not correct in time; the application is deemed abandoned (Art. 30).
    CorrectionLapsed {
        date: Date,
    },
    /// The head of the OGI office approved an extension of `working_days` (Art. 33, at most 20).
    ExtensionApproved {
        date: Date,
        working_days: u32,
    },
    /// `date` is the day the third party received the request for views (Art. 32).
    ThirdPartyConsultationStarted {
        date: Date,
    },
    ThirdPartyConsultationEnded {
        date: Date,
    },
    /// `date` is the day the co-making agency received the request for views (Art. 34).
    OtherAgencyConsultationStarted {
        date: Date,
    },
    OtherAgencyConsultationEnded {
        date: Date,
    },
    /// `date` is the day the fee notice reached the applicant; the clock waits for payment.
    FeeNoticeIssued {
        date: Date,
    },
    FeePaid {
        date: Date,
    },
    /// The fee was not paid in time; the application is no longer handled (report row (六)2).
    FeePaymentLapsed {
        date: Date,
    },
    /// Art. 35: for an excessive application the agency set and notified a later reply date.
    ExcessiveRequestDelayNotified {
        date: Date,
        reply_due: Date,
    },
}

impl ClockEvent {
    pub fn date(&self) -> Date {
        match *self {
            Self::Received { date, .. }
            | Self::CorrectionRequested { date }
            | Self::Corrected { date }
            | Self::CorrectionLapsed { date }
            | Self::ExtensionApproved { date, .. }
            | Self::ThirdPartyConsultationStarted { date }
            | Self::ThirdPartyConsultationEnded { date }
            | Self::OtherAgencyConsultationStarted { date }
            | Self::OtherAgencyConsultationEnded { date }
            | Self::FeeNoticeIssued { date }
            | Self::FeePaid { date }
            | Self::FeePaymentLapsed { date }
            | Self::ExcessiveRequestDelayNotified { date, .. } => date,
        }
    }

    /// A stable name for error messages.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Received { .. } => "Received",
            Self::CorrectionRequested { .. } => "CorrectionRequested",
            Self::Corrected { .. } => "Corrected",
            Self::CorrectionLapsed { .. } => "CorrectionLapsed",
            Self::ExtensionApproved { .. } => "ExtensionApproved",
            Self::ThirdPartyConsultationStarted { .. } => "ThirdPartyConsultationStarted",
            Self::ThirdPartyConsultationEnded { .. } => "ThirdPartyConsultationEnded",
            Self::OtherAgencyConsultationStarted { .. } => "OtherAgencyConsultationStarted",
            Self::OtherAgencyConsultationEnded { .. } => "OtherAgencyConsultationEnded",
            Self::FeeNoticeIssued { .. } => "FeeNoticeIssued",
            Self::FeePaid { .. } => "FeePaid",
            Self::FeePaymentLapsed { .. } => "FeePaymentLapsed",
            Self::ExcessiveRequestDelayNotified { .. } => "ExcessiveRequestDelayNotified",
        }
    }
}

/// A reason the reply clock waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseKind {
    ThirdPartyConsultation,
    OtherAgencyConsultation,
    FeeNotice,
}

impl PauseKind {
    fn describe_zh(self) -> &'static str {
        match self {
            Self::ThirdPartyConsultation => "征求第三方意见",
            Self::OtherAgencyConsultation => "征求其他机关意见",
            Self::FeeNotice => "等待缴纳信息处理费",
        }
    }

    fn describe_en(self) -> &'static str {
        match self {
            Self::ThirdPartyConsultation => "third-party consultation",
            Self::OtherAgencyConsultation => "consultation of other agencies",
            Self::FeeNotice => "payment of the fee notice",
        }
    }

    fn rule(self, rules: &DeadlineRules) -> &PeriodRule {
        match self {
            Self::ThirdPartyConsultation => &rules.third_party_consultation,
            Self::OtherAgencyConsultation => &rules.other_agency_consultation,
            Self::FeeNotice => &rules.fee_payment,
        }
    }

    fn pause_basis(self, rules: &DeadlineRules) -> &LegalBasis {
        match self {
            Self::ThirdPartyConsultation | Self::OtherAgencyConsultation => {
                &rules.consultation_not_counted
            }
            Self::FeeNotice => &rules.fee_notice_pause,
        }
    }

    /// The short citations for leaving this pause out of the reply period: the article that
    /// creates the pause and the one that says its time is not counted, each named once.
    fn pause_citations(self, rules: &DeadlineRules) -> (String, String) {
        let (period, pause) = (&self.rule(rules).basis, self.pause_basis(rules));
        if period.short_en == pause.short_en {
            return (pause.short_zh.clone(), pause.short_en.clone());
        }
        (
            format!("{}、{}", period.short_zh, pause.short_zh),
            format!("{}; {}", period.short_en, pause.short_en),
        )
    }

    fn deadline_kind(self) -> DeadlineKind {
        match self {
            Self::ThirdPartyConsultation => DeadlineKind::ThirdPartyConsultation,
            Self::OtherAgencyConsultation => DeadlineKind::OtherAgencyConsultation,
            Self::FeeNotice => DeadlineKind::FeePayment,
        }
    }
}

/// Why an application left the clock for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbandonReason {
    CorrectionLapsed,
    FeeUnpaid,
}

/// Where the reply clock stands at the end of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockState {
    Running { since: Date },
    Paused { since: Date, pauses: Vec<PauseKind> },
    AwaitingCorrection { since: Date },
    Abandoned { on: Date, reason: AbandonReason },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineKind {
    CorrectionNotice,
    Reply,
    ExtendedReply,
    DelayedReply,
    ThirdPartyConsultation,
    OtherAgencyConsultation,
    FeePayment,
}

/// What the history says about a deadline; without a clock it cannot say "overdue".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineStatus {
    Open,
    /// The reply clock waits on an open pause; the due date assumes the pause runs to its end.
    Paused,
    Done {
        on: Date,
        late: bool,
    },
    Lapsed {
        on: Date,
    },
}

/// A human-readable account of how a date was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derivation {
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub due: DueDate,
    pub status: DeadlineStatus,
    pub derivation: Derivation,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineSummary {
    pub receipt_date: Date,
    pub receipt_channel: ReceiptChannel,
    pub receipt_derivation: Derivation,
    pub clock: ClockState,
    /// Correction notice first, then pauses in the order they started, then the reply dates.
    pub deadlines: Vec<Deadline>,
}

impl DeadlineSummary {
    /// The reply date in force: an Art. 35 date, else the extended date, else the base date.
    pub fn effective_reply(&self) -> Option<&Deadline> {
        [
            DeadlineKind::DelayedReply,
            DeadlineKind::ExtendedReply,
            DeadlineKind::Reply,
        ]
        .into_iter()
        .find_map(|kind| self.deadlines_of(kind).last())
    }

    pub fn deadlines_of(&self, kind: DeadlineKind) -> impl DoubleEndedIterator<Item = &Deadline> {
        self.deadlines
            .iter()
            .filter(move |deadline| deadline.kind == kind)
    }
}

/// A history that cannot have happened under the regulation, or that the computation refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("the history has no events")]
    NoEvents,
    #[error("the history has {n_events} events, at most {max_events} are accepted")]
    TooManyEvents { n_events: usize, max_events: usize },
    #[error("the history must start with Received, not {event}")]
    FirstEventNotReceived { event: &'static str },
    #[error("event #{index}: the application was already received")]
    ReceivedTwice { index: usize },
    #[error("event #{index} ({event}) is dated before the event preceding it")]
    OutOfOrder { index: usize, event: &'static str },
    #[error("event #{index}: a correction may be requested only once (Art. 30)")]
    CorrectionAlreadyRequested { index: usize },
    #[error("event #{index}: a correction cannot be requested while the clock is paused")]
    CorrectionWhilePaused { index: usize },
    #[error("event #{index}: a correction cannot be requested after an extension or delay")]
    CorrectionAfterExtensionOrDelay { index: usize },
    #[error("event #{index} ({event}) needs a pending correction request")]
    CorrectionNotPending { index: usize, event: &'static str },
    #[error("event #{index} ({event}) is not possible while a correction is awaited")]
    AwaitingCorrection { index: usize, event: &'static str },
    #[error("event #{index} ({event}) follows the end of the application")]
    ApplicationAbandoned { index: usize, event: &'static str },
    #[error("event #{index}: the reply period may be extended only once (Art. 33)")]
    ExtensionAlreadyApproved { index: usize },
    #[error(
        "event #{index}: an extension of {working_days} working days is outside 1..={max_working_days}"
    )]
    ExtensionLengthInvalid {
        index: usize,
        working_days: u32,
        max_working_days: u32,
    },
    #[error("event #{index}: {kind:?} is already open")]
    PauseAlreadyOpen { index: usize, kind: PauseKind },
    #[error("event #{index}: {kind:?} is not open")]
    PauseNotOpen { index: usize, kind: PauseKind },
    #[error("event #{index}: an Art. 35 delay was already notified")]
    DelayAlreadyNotified { index: usize },
    #[error("event #{index}: the delayed reply date is before the day it was notified")]
    DelayedReplyBeforeNotice { index: usize },
    #[error("{event} on {} came after the reply was due on {}", format_iso_date(*.date), format_iso_date(*.reply_due))]
    AfterReplyDue {
        event: &'static str,
        date: Date,
        reply_due: Date,
    },
}

/// Computes every due date of an application from its clock history.
///
/// The history must start with `Received` and be in date order. Paused time is left out of the
/// reply period as spans (start, end]: the day a consultation starts still counts for the agency,
/// the day it ends does not. An open consultation is assumed to run to its own due date, because
/// after it the agency decides alone (Art. 32) or the silence is consent (Art. 34).
pub fn compute_deadlines(
    events: &[ClockEvent],
    calendar: &WorkingDayCalendar,
    rules: &DeadlineRules,
) -> Result<DeadlineSummary, DeadlineError> {
    let history = History::read(events, rules)?;
    let mut deadlines = vec![correction_notice_deadline(&history, calendar, rules)];
    let mut paused_spans = Vec::with_capacity(history.pauses.len());
    for pause in &history.pauses {
        let (deadline, span) = pause_deadline(pause, calendar, rules);
        deadlines.push(deadline);
        paused_spans.push(span);
    }
    if history.abandoned.is_none() && !history.is_awaiting_correction() {
        let context = ReplyContext {
            history: &history,
            calendar,
            rules,
            paused_spans: &paused_spans,
        };
        deadlines.extend(context.reply_deadlines()?);
    }
    Ok(DeadlineSummary {
        receipt_date: history.receipt_date,
        receipt_channel: history.receipt_channel,
        receipt_derivation: receipt_derivation(&history, rules),
        clock: history.clock_state(),
        deadlines,
    })
}

#[derive(Debug, Clone, Copy)]
enum CorrectionOutcome {
    Corrected(Date),
    Lapsed,
}

#[derive(Debug, Clone, Copy)]
struct CorrectionRecord {
    requested: Date,
    outcome: Option<CorrectionOutcome>,
}

#[derive(Debug, Clone, Copy)]
enum PauseEnd {
    Ended(Date),
    Lapsed(Date),
}

#[derive(Debug, Clone, Copy)]
struct PauseRecord {
    kind: PauseKind,
    start: Date,
    end: Option<PauseEnd>,
}

/// The validated history: what the events say, once they have been checked against each other.
#[derive(Debug)]
struct History {
    receipt_date: Date,
    receipt_channel: ReceiptChannel,
    correction: Option<CorrectionRecord>,
    pauses: Vec<PauseRecord>,
    extension: Option<(Date, u32)>,
    delay: Option<(Date, Date)>,
    abandoned: Option<(Date, AbandonReason)>,
}

impl History {
    fn read(events: &[ClockEvent], rules: &DeadlineRules) -> Result<Self, DeadlineError> {
        if events.len() > CLOCK_EVENTS_MAX {
            return Err(DeadlineError::TooManyEvents {
                n_events: events.len(),
                max_events: CLOCK_EVENTS_MAX,
            });
        }
        let Some(first) = events.first() else {
            return Err(DeadlineError::NoEvents);
        };
        let ClockEvent::Received { date, channel } = *first else {
            return Err(DeadlineError::FirstEventNotReceived {
                event: first.name(),
            });
        };
        let mut history = Self {
            receipt_date: date,
            receipt_channel: channel,
            correction: None,
            pauses: Vec::new(),
            extension: None,
            delay: None,
            abandoned: None,
        };
        for (index, pair) in events.windows(2).enumerate() {
            let index = index + 1;
            if pair[1].date() < pair[0].date() {
                return Err(DeadlineError::OutOfOrder {
                    index,
                    event: pair[1].name(),
                });
            }
            history.apply(index, &pair[1], rules)?;
        }
        Ok(history)
    }

    fn apply(
        &mut self,
        index: usize,
        event: &ClockEvent,
        rules: &DeadlineRules,
    ) -> Result<(), DeadlineError> {
        let name = event.name();
        if self.abandoned.is_some() {
            return Err(DeadlineError::ApplicationAbandoned { index, event: name });
        }
        let settles_correction = matches!(
            event,
            ClockEvent::Corrected { .. } | ClockEvent::CorrectionLapsed { .. }
        );
        if self.is_awaiting_correction() && !settles_correction {
            return Err(DeadlineError::AwaitingCorrection { index, event: name });
        }
        match *event {
            ClockEvent::Received { .. } => Err(DeadlineError::ReceivedTwice { index }),
            ClockEvent::CorrectionRequested { date } => self.request_correction(index, date),
            ClockEvent::Corrected { date } => {
                self.settle_correction(index, name, CorrectionOutcome::Corrected(date))
            }
            ClockEvent::CorrectionLapsed { date } => {
                self.settle_correction(index, name, CorrectionOutcome::Lapsed)?;
                self.abandoned = Some((date, AbandonReason::CorrectionLapsed));
                Ok(())
            }
            ClockEvent::ExtensionApproved { date, working_days } => {
                self.approve_extension(index, date, working_days, rules)
            }
            ClockEvent::ThirdPartyConsultationStarted { date } => {
                self.start_pause(index, PauseKind::ThirdPartyConsultation, date)
            }
            ClockEvent::ThirdPartyConsultationEnded { date } => self.end_pause(
                index,
                PauseKind::ThirdPartyConsultation,
                PauseEnd::Ended(date),
            ),
            ClockEvent::OtherAgencyConsultationStarted { date } => {
                self.start_pause(index, PauseKind::OtherAgencyConsultation, date)
            }
            ClockEvent::OtherAgencyConsultationEnded { date } => self.end_pause(
                index,
                PauseKind::OtherAgencyConsultation,
                PauseEnd::Ended(date),
            ),
            ClockEvent::FeeNoticeIssued { date } => {
                self.start_pause(index, PauseKind::FeeNotice, date)
            }
            ClockEvent::FeePaid { date } => {
                self.end_pause(index, PauseKind::FeeNotice, PauseEnd::Ended(date))
            }
            ClockEvent::FeePaymentLapsed { date } => {
                self.end_pause(index, PauseKind::FeeNotice, PauseEnd::Lapsed(date))?;
                self.abandoned = Some((date, AbandonReason::FeeUnpaid));
                Ok(())
            }
            ClockEvent::ExcessiveRequestDelayNotified { date, reply_due } => {
                self.notify_delay(index, date, reply_due)
            }
        }
    }

    fn request_correction(&mut self, index: usize, date: Date) -> Result<(), DeadlineError> {
        if self.correction.is_some() {
            return Err(DeadlineError::CorrectionAlreadyRequested { index });
        }
        if !self.open_pause_kinds().is_empty() {
            return Err(DeadlineError::CorrectionWhilePaused { index });
        }
        if self.extension.is_some() || self.delay.is_some() {
            return Err(DeadlineError::CorrectionAfterExtensionOrDelay { index });
        }
        self.correction = Some(CorrectionRecord {
            requested: date,
            outcome: None,
        });
        Ok(())
    }

    fn settle_correction(
        &mut self,
        index: usize,
        event: &'static str,
        outcome: CorrectionOutcome,
    ) -> Result<(), DeadlineError> {
        match &mut self.correction {
            Some(record) if record.outcome.is_none() => {
                record.outcome = Some(outcome);
                Ok(())
            }
            _ => Err(DeadlineError::CorrectionNotPending { index, event }),
        }
    }

    fn approve_extension(
        &mut self,
        index: usize,
        date: Date,
        working_days: u32,
        rules: &DeadlineRules,
    ) -> Result<(), DeadlineError> {
        if self.extension.is_some() {
            return Err(DeadlineError::ExtensionAlreadyApproved { index });
        }
        let max_working_days = rules.extension_max.working_days;
        if working_days == 0 || working_days > max_working_days {
            return Err(DeadlineError::ExtensionLengthInvalid {
                index,
                working_days,
                max_working_days,
            });
        }
        self.extension = Some((date, working_days));
        Ok(())
    }

    fn start_pause(
        &mut self,
        index: usize,
        kind: PauseKind,
        date: Date,
    ) -> Result<(), DeadlineError> {
        if self.open_pause_kinds().contains(&kind) {
            return Err(DeadlineError::PauseAlreadyOpen { index, kind });
        }
        self.pauses.push(PauseRecord {
            kind,
            start: date,
            end: None,
        });
        Ok(())
    }

    fn end_pause(
        &mut self,
        index: usize,
        kind: PauseKind,
        end: PauseEnd,
    ) -> Result<(), DeadlineError> {
        let open_pause = self
            .pauses
            .iter_mut()
            .find(|pause| pause.kind == kind && pause.end.is_none());
        let Some(pause) = open_pause else {
            return Err(DeadlineError::PauseNotOpen { index, kind });
        };
        pause.end = Some(end);
        Ok(())
    }

    fn notify_delay(
        &mut self,
        index: usize,
        date: Date,
        reply_due: Date,
    ) -> Result<(), DeadlineError> {
        if self.delay.is_some() {
            return Err(DeadlineError::DelayAlreadyNotified { index });
        }
        if reply_due < date {
            return Err(DeadlineError::DelayedReplyBeforeNotice { index });
        }
        self.delay = Some((date, reply_due));
        Ok(())
    }

    fn is_awaiting_correction(&self) -> bool {
        self.correction
            .is_some_and(|record| record.outcome.is_none())
    }

    fn open_pause_kinds(&self) -> Vec<PauseKind> {
        self.pauses
            .iter()
            .filter(|pause| pause.end.is_none())
            .map(|pause| pause.kind)
            .collect()
    }

    /// The day the reply period runs from: receipt, or receipt of the correction (Art. 30).
    fn reply_clock_start(&self) -> Date {
        match self.correction.and_then(|record| record.outcome) {
            Some(CorrectionOutcome::Corrected(date)) => date,
            _ => self.receipt_date,
        }
    }

    fn clock_state(&self) -> ClockState {
        if let Some((on, reason)) = self.abandoned {
            return ClockState::Abandoned { on, reason };
        }
        if let Some(record) = self.correction.filter(|record| record.outcome.is_none()) {
            return ClockState::AwaitingCorrection {
                since: record.requested,
            };
        }
        let open_pauses: Vec<&PauseRecord> = self
            .pauses
            .iter()
            .filter(|pause| pause.end.is_none())
            .collect();
        match open_pauses.iter().map(|pause| pause.start).min() {
            Some(since) => ClockState::Paused {
                since,
                pauses: open_pauses.iter().map(|pause| pause.kind).collect(),
            },
            None => ClockState::Running {
                since: self.reply_clock_start(),
            },
        }
    }
}

/// Collects the clauses of a derivation in both languages.
#[derive(Default)]
struct DerivationBuilder {
    zh: Vec<String>,
    en: Vec<String>,
}

impl DerivationBuilder {
    fn clause(&mut self, zh: String, en: String) {
        self.zh.push(zh);
        self.en.push(en);
    }

    fn provisional_note(&mut self, calendar: &WorkingDayCalendar, first: Date, last: Date) {
        if let Some(year) = calendar.first_unknown_year_between(first, last) {
            self.clause(
                format!("暂定：{year}年节假日安排尚未载入"),
                format!("provisional: the {year} holiday arrangement is not loaded yet"),
            );
        }
    }

    fn finish(self) -> Derivation {
        Derivation {
            zh: self.zh.join("；"),
            en: self.en.join("; "),
        }
    }
}

fn iso(date: Date) -> String {
    format_iso_date(date)
}

fn receipt_derivation(history: &History, rules: &DeadlineRules) -> Derivation {
    let date = iso(history.receipt_date);
    let channel = history.receipt_channel;
    let (receipt, counting) = (&rules.receipt, &rules.counting_basis);
    let mut builder = DerivationBuilder::default();
    builder.clause(
        format!(
            "收到申请之日{date}：{}（{}）",
            channel.receipt_day_zh(),
            receipt.short_zh
        ),
        format!(
            "received {date}: {} ({})",
            channel.receipt_day_en(),
            receipt.short_en
        ),
    );
    if rules.counting.count_start_day {
        builder.clause(
            "期间开始之日计入".to_owned(),
            "periods count their first day".to_owned(),
        );
    } else {
        builder.clause(
            format!("期间自次日起算（{}）", counting.short_zh),
            format!("periods count from the next day ({})", counting.short_en),
        );
    }
    builder.finish()
}

fn correction_notice_deadline(
    history: &History,
    calendar: &WorkingDayCalendar,
    rules: &DeadlineRules,
) -> Deadline {
    let rule = &rules.correction_notice;
    let start = history.receipt_date;
    let due = calendar.add_working_days(start, rule.working_days, rules.counting);
    let status = match history.correction {
        Some(record) => DeadlineStatus::Done {
            on: record.requested,
            late: record.requested > due.date,
        },
        None => DeadlineStatus::Open,
    };
    let mut builder = DerivationBuilder::default();
    builder.clause(
        format!(
            "自{}起{}个工作日内一次性告知补正（{}）",
            iso(start),
            rule.working_days,
            rule.basis.short_zh
        ),
        format!(
            "{} working days from {} to ask once for a correction ({})",
            rule.working_days,
            iso(start),
            rule.basis.short_en
        ),
    );
    builder.provisional_note(calendar, start, due.date);
    Deadline {
        kind: DeadlineKind::CorrectionNotice,
        due,
        status,
        derivation: builder.finish(),
    }
}

/// The deadline a pause carries and the span it takes out of the reply period.
fn pause_deadline(
    pause: &PauseRecord,
    calendar: &WorkingDayCalendar,
    rules: &DeadlineRules,
) -> (Deadline, DaySpan) {
    let rule = pause.kind.rule(rules);
    let due = calendar.add_working_days(pause.start, rule.working_days, rules.counting);
    let (status, paused_through) = match pause.end {
        None => (DeadlineStatus::Open, due.date),
        Some(PauseEnd::Lapsed(on)) => (DeadlineStatus::Lapsed { on }, on),
        Some(PauseEnd::Ended(on)) => {
            let late = on > due.date;
            (
                DeadlineStatus::Done { on, late },
                paused_through_date(pause.kind, on, due.date),
            )
        }
    };
    let mut builder = DerivationBuilder::default();
    builder.clause(
        format!(
            "自{}起{}个工作日（{}，{}）",
            iso(pause.start),
            rule.working_days,
            pause.kind.describe_zh(),
            rule.basis.short_zh
        ),
        format!(
            "{} working days from {} for {} ({})",
            rule.working_days,
            iso(pause.start),
            pause.kind.describe_en(),
            rule.basis.short_en
        ),
    );
    if let DeadlineStatus::Done { on, late: true } = status {
        describe_late_end(&mut builder, pause.kind, on, rule);
    }
    builder.provisional_note(calendar, pause.start, due.date);
    let deadline = Deadline {
        kind: pause.kind.deadline_kind(),
        due,
        status,
        derivation: builder.finish(),
    };
    let span = DaySpan {
        after: pause.start,
        through: paused_through,
    };
    (deadline, span)
}

/// The last paused day of a finished pause.
///
/// A consultation pauses the reply clock for at most its statutory period: after it the agency
/// decides alone (Art. 32) or silence is consent (Art. 34), so late views do not buy more time.
/// A fee notice pauses until payment, however late the agency accepted it.
fn paused_through_date(kind: PauseKind, ended: Date, due: Date) -> Date {
    match kind {
        PauseKind::ThirdPartyConsultation | PauseKind::OtherAgencyConsultation => ended.min(due),
        PauseKind::FeeNotice => ended,
    }
}

fn describe_late_end(
    builder: &mut DerivationBuilder,
    kind: PauseKind,
    ended: Date,
    rule: &PeriodRule,
) {
    let ended = iso(ended);
    match kind {
        PauseKind::ThirdPartyConsultation | PauseKind::OtherAgencyConsultation => builder.clause(
            format!(
                "{ended}方结束，逾期部分计入答复期限（{}）",
                rule.basis.short_zh
            ),
            format!(
                "ended {ended}, late: the time after the due date counts towards the reply ({})",
                rule.basis.short_en
            ),
        ),
        PauseKind::FeeNotice => builder.clause(
            format!("{ended}逾期缴费，答复期限暂停至缴费之日"),
            format!("paid late on {ended}: the reply clock waited until payment"),
        ),
    }
}

/// Everything the reply deadlines need, gathered to keep the helpers' argument lists short.
struct ReplyContext<'a> {
    history: &'a History,
    calendar: &'a WorkingDayCalendar,
    rules: &'a DeadlineRules,
    paused_spans: &'a [DaySpan],
}

impl ReplyContext<'_> {
    fn reply_deadlines(&self) -> Result<Vec<Deadline>, DeadlineError> {
        let base = self.counted_reply(DeadlineKind::Reply, self.rules.reply.working_days, None);
        let mut current_due = base.due.date;
        let mut deadlines = vec![base];
        if let Some((approved, working_days)) = self.history.extension {
            check_before_reply_due("ExtensionApproved", approved, current_due)?;
            let total_working_days = self.rules.reply.working_days + working_days;
            let extended = self.counted_reply(
                DeadlineKind::ExtendedReply,
                total_working_days,
                Some((approved, working_days)),
            );
            current_due = extended.due.date;
            deadlines.push(extended);
        }
        if let Some((notified, reply_due)) = self.history.delay {
            check_before_reply_due("ExcessiveRequestDelayNotified", notified, current_due)?;
            deadlines.push(self.delayed_reply(notified, reply_due));
        }
        Ok(deadlines)
    }

    fn counted_reply(
        &self,
        kind: DeadlineKind,
        working_days: u32,
        extension: Option<(Date, u32)>,
    ) -> Deadline {
        let start = self.history.reply_clock_start();
        let due = self.calendar.add_working_days_excluding(
            start,
            working_days,
            self.rules.counting,
            self.paused_spans,
        );
        let mut builder = DerivationBuilder::default();
        self.describe_start(&mut builder, start);
        if let Some((approved, extension_working_days)) = extension {
            let basis = &self.rules.extension_max.basis;
            builder.clause(
                format!(
                    "{}批准延长{}个工作日（{}）",
                    iso(approved),
                    extension_working_days,
                    basis.short_zh
                ),
                format!(
                    "extended by {} working days approved on {} ({})",
                    extension_working_days,
                    iso(approved),
                    basis.short_en
                ),
            );
        }
        self.describe_pauses(&mut builder, start, due.date);
        let counted_span = DaySpan {
            after: start,
            through: due.date,
        };
        describe_declared_days(&mut builder, self.calendar, counted_span, self.paused_spans);
        builder.provisional_note(self.calendar, start, due.date);
        let status = if self.history.open_pause_kinds().is_empty() {
            DeadlineStatus::Open
        } else {
            DeadlineStatus::Paused
        };
        Deadline {
            kind,
            due,
            status,
            derivation: builder.finish(),
        }
    }

    fn describe_start(&self, builder: &mut DerivationBuilder, start: Date) {
        let reply = &self.rules.reply;
        builder.clause(
            format!(
                "自{}起{}个工作日（{}）",
                iso(start),
                reply.working_days,
                reply.basis.short_zh
            ),
            format!(
                "{} working days from {} ({})",
                reply.working_days,
                iso(start),
                reply.basis.short_en
            ),
        );
        if start != self.history.receipt_date {
            let basis = &self.rules.correction_restart;
            builder.clause(
                format!("自收到补正申请之日重新计算（{}）", basis.short_zh),
                format!(
                    "counted again from receipt of the corrected application ({})",
                    basis.short_en
                ),
            );
        }
    }

    fn describe_pauses(&self, builder: &mut DerivationBuilder, start: Date, due: Date) {
        for (pause, span) in self.history.pauses.iter().zip(self.paused_spans) {
            let overlaps = span.after < span.through && span.after < due && span.through > start;
            if !overlaps {
                continue;
            }
            let (citation_zh, citation_en) = pause.kind.pause_citations(self.rules);
            let (after, through) = (iso(span.after), iso(span.through));
            builder.clause(
                format!(
                    "{after}至{through}{}，期间不计入（{citation_zh}）",
                    pause.kind.describe_zh()
                ),
                format!(
                    "paused {after} to {through} for {} ({citation_en})",
                    pause.kind.describe_en()
                ),
            );
            if pause.end.is_none() {
                builder.clause(
                    format!(
                        "{}尚未结束，按其截止日{through}推算",
                        pause.kind.describe_zh()
                    ),
                    format!(
                        "{} still open: assumed to end on its due date {through}",
                        pause.kind.describe_en()
                    ),
                );
            }
        }
    }

    fn delayed_reply(&self, notified: Date, reply_due: Date) -> Deadline {
        let basis = &self.rules.excessive_request_delay;
        let mut builder = DerivationBuilder::default();
        builder.clause(
            format!("申请数量、频次明显超过合理范围，{}确定并告知延迟答复期限{}（{}）", iso(notified), iso(reply_due), basis.short_zh),
            format!("reasonable delayed reply date {} set and notified on {} for an excessive application ({})", iso(reply_due), iso(notified), basis.short_en),
        );
        Deadline {
            kind: DeadlineKind::DelayedReply,
            due: DueDate {
                date: reply_due,
                provisional: false,
            },
            status: DeadlineStatus::Open,
            derivation: builder.finish(),
        }
    }
}

/// An extension or an Art. 35 delay must be decided while the period still runs (Arts. 33, 35).
fn check_before_reply_due(
    event: &'static str,
    date: Date,
    reply_due: Date,
) -> Result<(), DeadlineError> {
    if date > reply_due {
        return Err(DeadlineError::AfterReplyDue {
            event,
            date,
            reply_due,
        });
    }
    Ok(())
}

/// Names the holidays and make-up working days inside a counted period, so that a reader sees
/// why the due date is later than a plain Monday-to-Friday count. Days inside a pause are left
/// out because they did not count either way.
fn describe_declared_days(
    builder: &mut DerivationBuilder,
    calendar: &WorkingDayCalendar,
    span: DaySpan,
    paused_spans: &[DaySpan],
) {
    let mut off_runs: Vec<(&str, Date, Date)> = Vec::new();
    let mut working_days: Vec<(&str, Date)> = Vec::new();
    let declared_days = calendar.declared_days_in(span);
    for day in
        declared_days.filter(|day| !paused_spans.iter().any(|paused| paused.contains(day.date)))
    {
        if !day.is_off_day {
            working_days.push((&day.name, day.date));
            continue;
        }
        match off_runs.last_mut() {
            Some((name, _, last)) if *name == day.name && last.next_day() == Some(day.date) => {
                *last = day.date
            }
            _ => off_runs.push((&day.name, day.date, day.date)),
        }
    }
    if !off_runs.is_empty() {
        let zh: Vec<String> = off_runs
            .iter()
            .map(|(name, first, last)| format!("{name}（{}至{}）", iso(*first), iso(*last)))
            .collect();
        let en: Vec<String> = off_runs
            .iter()
            .map(|(name, first, last)| format!("{name} {} to {}", iso(*first), iso(*last)))
            .collect();
        builder.clause(
            format!("不计休息日：{}", zh.join("、")),
            format!("days off skipped: {}", en.join(", ")),
        );
    }
    if !working_days.is_empty() {
        let zh: Vec<String> = working_days
            .iter()
            .map(|(name, date)| format!("{}（{name}）", iso(*date)))
            .collect();
        let en: Vec<String> = working_days
            .iter()
            .map(|(name, date)| format!("{} ({name})", iso(*date)))
            .collect();
        builder.clause(
            format!("计入调休上班日：{}", zh.join("、")),
            format!("make-up working days counted: {}", en.join(", ")),
        );
    }
}
