//! The life of a disclosure application (依申请公开) as a state machine: the stages of Art. 45
//! (登记、审核、办理、答复、归档), the one correction notice of Art. 30, parallel handling by
//! several departments, third-party (Art. 32) and other-agency (Art. 34) consultations, the one
//! extension of Art. 33, tiered review (分级审核) and withdrawal.
//!
//! `decide` checks a command against the current state and the actor's roles and returns the
//! events it causes; `apply` folds an event into the state. Events are the stored record of an
//! application: the state is always rebuilt from them, so every figure shown (a stage, a due
//! date) can be reproduced from stored data. This module is pure: dates arrive as arguments.

use crate::account::Role;
use crate::calendar::{format_iso_date, parse_iso_date};
use crate::deadline::{ClockEvent, ReceiptChannel};
use serde::{Deserialize, Serialize};
use time::Date;

/// Dates in events are stored as ISO strings (`2026-03-02`), the form people read.
mod iso_date {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_iso_date(*date))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        parse_iso_date(&text).map_err(serde::de::Error::custom)
    }
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Arrived online; the agency has not yet confirmed receipt (Art. 31(3)).
    Submitted,
    /// Received on its legal receipt date; the form check (审核) is due.
    Received,
    /// The one correction notice was sent; waiting for the applicant (Art. 30).
    CorrectionRequested,
    /// Passed the form check; waiting to be assigned.
    Accepted,
    /// Assigned to one or more departments; consultations may be open.
    InHandling,
    /// A reply is drafted and not yet submitted for review.
    ReplyDrafted,
    /// The draft is going through the review steps its tier requires.
    InReview,
    /// Every review step approved; the reply may be issued.
    ReviewApproved,
    /// The reply was issued; it can no longer change.
    Issued,
    Delivered,
    Archived,
    /// Deemed abandoned: the correction was not made in time (Art. 30).
    Abandoned,
    /// Withdrawn by the applicant.
    Withdrawn,
}

impl Stage {
    pub const ALL: [Stage; 13] = [
        Stage::Submitted,
        Stage::Received,
        Stage::CorrectionRequested,
        Stage::Accepted,
        Stage::InHandling,
        Stage::ReplyDrafted,
        Stage::InReview,
        Stage::ReviewApproved,
        Stage::Issued,
        Stage::Delivered,
        Stage::Archived,
        Stage::Abandoned,
        Stage::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Stage::Submitted => "submitted",
            Stage::Received => "received",
            Stage::CorrectionRequested => "correction_requested",
            Stage::Accepted => "accepted",
            Stage::InHandling => "in_handling",
            Stage::ReplyDrafted => "reply_drafted",
            Stage::InReview => "in_review",
            Stage::ReviewApproved => "review_approved",
            Stage::Issued => "issued",
            Stage::Delivered => "delivered",
            Stage::Archived => "archived",
            Stage::Abandoned => "abandoned",
            Stage::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(code: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Stage::Submitted => "已提交，待确认收到",
            Stage::Received => "已收到，审核中",
            Stage::CorrectionRequested => "待补正",
            Stage::Accepted => "已受理，待分办",
            Stage::InHandling => "办理中",
            Stage::ReplyDrafted => "答复拟稿中",
            Stage::InReview => "答复审核中",
            Stage::ReviewApproved => "审核通过，待出具答复",
            Stage::Issued => "已答复",
            Stage::Delivered => "已送达",
            Stage::Archived => "已归档",
            Stage::Abandoned => "视为放弃申请",
            Stage::Withdrawn => "已撤回",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Stage::Submitted => "Submitted, receipt not yet confirmed",
            Stage::Received => "Received, under form check",
            Stage::CorrectionRequested => "Awaiting correction",
            Stage::Accepted => "Accepted, awaiting assignment",
            Stage::InHandling => "Being handled",
            Stage::ReplyDrafted => "Reply being drafted",
            Stage::InReview => "Reply under review",
            Stage::ReviewApproved => "Reply approved, to be issued",
            Stage::Issued => "Reply issued",
            Stage::Delivered => "Reply delivered",
            Stage::Archived => "Archived",
            Stage::Abandoned => "Deemed abandoned",
            Stage::Withdrawn => "Withdrawn",
        }
    }

    /// Whether the application is still being worked on (its clock matters).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Stage::Issued
                | Stage::Delivered
                | Stage::Archived
                | Stage::Abandoned
                | Stage::Withdrawn
        )
    }
}

/// Who is consulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsultationParty {
    /// Another department of the same agency, in parallel (并联办理); the clock keeps running.
    Department,
    /// A third party whose rights may be harmed (Art. 32); the clock pauses.
    ThirdParty,
    /// Another agency that made the information jointly (Art. 34); silence means consent; the
    /// clock pauses.
    OtherAgency,
}

impl ConsultationParty {
    pub fn code(self) -> &'static str {
        match self {
            ConsultationParty::Department => "department",
            ConsultationParty::ThirdParty => "third_party",
            ConsultationParty::OtherAgency => "other_agency",
        }
    }

    pub fn parse(code: &str) -> Option<ConsultationParty> {
        [
            ConsultationParty::Department,
            ConsultationParty::ThirdParty,
            ConsultationParty::OtherAgency,
        ]
        .into_iter()
        .find(|p| p.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ConsultationParty::Department => "本机关部门会办",
            ConsultationParty::ThirdParty => "征求第三方意见（第三十二条）",
            ConsultationParty::OtherAgency => "征求其他机关意见（第三十四条）",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ConsultationParty::Department => "Department consultation",
            ConsultationParty::ThirdParty => "Third-party consultation (Art. 32)",
            ConsultationParty::OtherAgency => "Other-agency consultation (Art. 34)",
        }
    }
}

/// A flag that makes a reply sensitive, so that it needs the higher review tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SensitivityFlag {
    ThirdPartyRights,
    NonDisclosure,
    MediaInterest,
    PossibleStateSecret,
}

impl SensitivityFlag {
    pub const ALL: [SensitivityFlag; 4] = [
        SensitivityFlag::ThirdPartyRights,
        SensitivityFlag::NonDisclosure,
        SensitivityFlag::MediaInterest,
        SensitivityFlag::PossibleStateSecret,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SensitivityFlag::ThirdPartyRights => "third_party_rights",
            SensitivityFlag::NonDisclosure => "non_disclosure",
            SensitivityFlag::MediaInterest => "media_interest",
            SensitivityFlag::PossibleStateSecret => "possible_state_secret",
        }
    }

    pub fn parse(code: &str) -> Option<SensitivityFlag> {
        SensitivityFlag::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// How staff reached the applicant before replying (前置沟通).
///
/// The Regulation does not prescribe this step; the seed's 异议处理 section asks for it ("在正式答复前，
/// 对复杂或有争议的申请，通过电话、面谈等方式与申请人沟通，了解真实需求"), and it is the lawful way to
/// clarify a request short of a formal correction notice (Art. 30) or to ask for the reasons of
/// an excessive request (Art. 35). It never moves the statutory clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommunicationMethod {
    Phone,
    Meeting,
    Email,
    Letter,
    OnlineMessage,
    Other,
}

impl CommunicationMethod {
    pub const ALL: [CommunicationMethod; 6] = [
        CommunicationMethod::Phone,
        CommunicationMethod::Meeting,
        CommunicationMethod::Email,
        CommunicationMethod::Letter,
        CommunicationMethod::OnlineMessage,
        CommunicationMethod::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CommunicationMethod::Phone => "phone",
            CommunicationMethod::Meeting => "meeting",
            CommunicationMethod::Email => "email",
            CommunicationMethod::Letter => "letter",
            CommunicationMethod::OnlineMessage => "online_message",
            CommunicationMethod::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<CommunicationMethod> {
        CommunicationMethod::ALL
            .into_iter()
            .find(|m| m.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CommunicationMethod::Phone => "电话",
            CommunicationMethod::Meeting => "面谈",
            CommunicationMethod::Email => "电子邮件",
            CommunicationMethod::Letter => "信函",
            CommunicationMethod::OnlineMessage => "网上留言",
            CommunicationMethod::Other => "其他方式",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CommunicationMethod::Phone => "Telephone",
            CommunicationMethod::Meeting => "Meeting",
            CommunicationMethod::Email => "E-mail",
            CommunicationMethod::Letter => "Letter",
            CommunicationMethod::OnlineMessage => "Online message",
            CommunicationMethod::Other => "Other",
        }
    }
}

/// What came of a pre-reply communication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommunicationOutcome {
    /// The applicant explained what they actually need; the request stands as understood.
    NeedClarified,
    /// The applicant agreed to a narrower or differently worded request.
    RequestNarrowed,
    /// The information turned out to be published already and the applicant was shown where.
    PointedToPublishedInformation,
    /// The applicant said they will withdraw (the withdrawal itself is the applicant's act).
    WithdrawalIntended,
    /// Views were exchanged without agreement; the request is handled as filed.
    NoAgreement,
    /// The applicant could not be reached.
    ApplicantUnreachable,
}

impl CommunicationOutcome {
    pub const ALL: [CommunicationOutcome; 6] = [
        CommunicationOutcome::NeedClarified,
        CommunicationOutcome::RequestNarrowed,
        CommunicationOutcome::PointedToPublishedInformation,
        CommunicationOutcome::WithdrawalIntended,
        CommunicationOutcome::NoAgreement,
        CommunicationOutcome::ApplicantUnreachable,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CommunicationOutcome::NeedClarified => "need_clarified",
            CommunicationOutcome::RequestNarrowed => "request_narrowed",
            CommunicationOutcome::PointedToPublishedInformation => {
                "pointed_to_published_information"
            }
            CommunicationOutcome::WithdrawalIntended => "withdrawal_intended",
            CommunicationOutcome::NoAgreement => "no_agreement",
            CommunicationOutcome::ApplicantUnreachable => "applicant_unreachable",
        }
    }

    pub fn parse(code: &str) -> Option<CommunicationOutcome> {
        CommunicationOutcome::ALL
            .into_iter()
            .find(|o| o.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CommunicationOutcome::NeedClarified => "已了解申请人的真实需求",
            CommunicationOutcome::RequestNarrowed => "申请人同意调整或缩小申请内容",
            CommunicationOutcome::PointedToPublishedInformation => "已引导申请人获取已公开的信息",
            CommunicationOutcome::WithdrawalIntended => "申请人表示将撤回申请",
            CommunicationOutcome::NoAgreement => "未达成一致，按原申请办理",
            CommunicationOutcome::ApplicantUnreachable => "未能联系到申请人",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CommunicationOutcome::NeedClarified => "The applicant's actual need is understood",
            CommunicationOutcome::RequestNarrowed => "The applicant agreed to narrow the request",
            CommunicationOutcome::PointedToPublishedInformation => {
                "The applicant was shown the information already published"
            }
            CommunicationOutcome::WithdrawalIntended => "The applicant intends to withdraw",
            CommunicationOutcome::NoAgreement => "No agreement; handled as filed",
            CommunicationOutcome::ApplicantUnreachable => "The applicant could not be reached",
        }
    }
}

/// One recorded pre-reply communication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Communication {
    pub contacted_on: Date,
    pub method: CommunicationMethod,
    pub outcome: CommunicationOutcome,
    pub summary: String,
}

/// Which review steps each tier needs. Configurable per agency; the default follows the seed's
/// 分级审核: routine replies need the department head, sensitive ones add the confidentiality
/// review (Art. 17) and the leader's sign-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierRules {
    pub routine: Vec<Role>,
    pub sensitive: Vec<Role>,
}

impl TierRules {
    /// The roles that can be a review step, in the order the steps run: the department's
    /// reviewer (业务科室审核), the confidentiality review (保密审查, Art. 17), the leader's sign-off
    /// (领导签批). Whatever order a configuration lists them in, steps run in this order.
    pub const REVIEW_ROLES: [Role; 3] = [
        Role::DepartmentReviewer,
        Role::ConfidentialityReviewer,
        Role::Leader,
    ];

    /// Builds an agency's tier rules from role codes (as a form or a stored setting gives them)
    /// and checks them, reporting every problem at once:
    /// - every code names a review role (`routine`/`sensitive`: `role_invalid`);
    /// - a routine reply has at least one review step: Art. 17 requires a review mechanism
    ///   before anything is released (`routine`: `required`);
    /// - a sensitive reply includes the confidentiality review (Art. 17) (`sensitive`:
    ///   `confidentiality_review_required`);
    /// - a sensitive reply is never reviewed less than a routine one (`sensitive`:
    ///   `must_include_routine_steps`).
    pub fn from_codes(
        routine: &[String],
        sensitive: &[String],
    ) -> Result<TierRules, crate::form::FormProblems> {
        let mut problems = crate::form::FormProblems::new();
        let mut parse = |field: &'static str, codes: &[String]| -> Vec<Role> {
            let mut roles = Vec::new();
            for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
                match Role::parse(code).filter(|r| TierRules::REVIEW_ROLES.contains(r)) {
                    Some(role) => roles.push(role),
                    None => problems.add(field, "role_invalid"),
                }
            }
            TierRules::REVIEW_ROLES
                .into_iter()
                .filter(|r| roles.contains(r))
                .collect()
        };
        let routine = parse("routine", routine);
        let sensitive = parse("sensitive", sensitive);
        if routine.is_empty() {
            problems.add("routine", "required");
        }
        if !sensitive.contains(&Role::ConfidentialityReviewer) {
            problems.add("sensitive", "confidentiality_review_required");
        }
        if !routine.iter().all(|r| sensitive.contains(r)) {
            problems.add("sensitive", "must_include_routine_steps");
        }
        if problems.is_empty() {
            Ok(TierRules { routine, sensitive })
        } else {
            Err(problems)
        }
    }

    /// The stored form: `{"routine":["department_reviewer"],"sensitive":[…]}`.
    pub fn to_json(&self) -> String {
        let codes = |roles: &[Role]| roles.iter().map(|r| r.code()).collect::<Vec<_>>();
        serde_json::json!({
            "routine": codes(&self.routine),
            "sensitive": codes(&self.sensitive),
        })
        .to_string()
    }

    /// Reads the stored form back, checking it like `from_codes`.
    pub fn from_json(text: &str) -> Result<TierRules, crate::form::FormProblems> {
        #[derive(Deserialize)]
        struct Stored {
            routine: Vec<String>,
            sensitive: Vec<String>,
        }
        match serde_json::from_str::<Stored>(text) {
            Ok(stored) => TierRules::from_codes(&stored.routine, &stored.sensitive),
            Err(_) => {
                let mut problems = crate::form::FormProblems::new();
                problems.add("tiers", "invalid");
                Err(problems)
            }
        }
    }
}

impl Default for TierRules {
    fn default() -> Self {
        TierRules {
            routine: vec![Role::DepartmentReviewer],
            sensitive: vec![
                Role::DepartmentReviewer,
                Role::ConfidentialityReviewer,
                Role::Leader,
            ],
        }
    }
}

/// The stored record of everything that happened to an application. Tags and field names are
/// the persisted schema: never rename one, add new variants instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// Submitted online by the applicant; receipt awaits the agency's confirmation.
    Submitted {
        #[serde(with = "iso_date")]
        on: Date,
    },
    /// Registered by staff for a walk-in, letter, fax, e-mail or oral application, with the
    /// legal receipt date of Art. 31 for that channel.
    Registered {
        channel: String,
        #[serde(with = "iso_date")]
        receipt_date: Date,
    },
    ReceiptConfirmed {
        #[serde(with = "iso_date")]
        receipt_date: Date,
    },
    CorrectionRequested {
        #[serde(with = "iso_date")]
        on: Date,
        items: Vec<String>,
        #[serde(with = "iso_date")]
        due: Date,
    },
    CorrectionSubmitted {
        #[serde(with = "iso_date")]
        on: Date,
        text: String,
    },
    CorrectionLapsed {
        #[serde(with = "iso_date")]
        on: Date,
    },
    Accepted {
        #[serde(with = "iso_date")]
        on: Date,
    },
    Assigned {
        #[serde(with = "iso_date")]
        on: Date,
        departments: Vec<String>,
        lead: String,
    },
    ConsultationStarted {
        #[serde(with = "iso_date")]
        on: Date,
        id: String,
        party: ConsultationParty,
        party_name: String,
        #[serde(with = "iso_date")]
        due: Date,
    },
    ConsultationAnswered {
        #[serde(with = "iso_date")]
        on: Date,
        id: String,
        answer: String,
    },
    ExtensionApproved {
        #[serde(with = "iso_date")]
        on: Date,
        working_days: u32,
        reason: String,
    },
    SensitivityFlagged {
        #[serde(with = "iso_date")]
        on: Date,
        flags: Vec<SensitivityFlag>,
    },
    ReplyDrafted {
        #[serde(with = "iso_date")]
        on: Date,
        reply_kind: String,
        body: String,
        withholds_information: bool,
    },
    SubmittedForReview {
        #[serde(with = "iso_date")]
        on: Date,
        steps: Vec<String>,
    },
    ReviewApproved {
        #[serde(with = "iso_date")]
        on: Date,
        step: String,
        comment: String,
    },
    ReviewRejected {
        #[serde(with = "iso_date")]
        on: Date,
        step: String,
        reason: String,
    },
    ReplyIssued {
        #[serde(with = "iso_date")]
        on: Date,
    },
    Delivered {
        #[serde(with = "iso_date")]
        on: Date,
        method: String,
    },
    Archived {
        #[serde(with = "iso_date")]
        on: Date,
    },
    Withdrawn {
        #[serde(with = "iso_date")]
        on: Date,
        reason: String,
    },
    /// A file was attached (by the applicant, e.g. an identity document, or by staff). The
    /// bytes are stored once by their SHA-256; the event keeps the digest for the record.
    AttachmentAdded {
        #[serde(with = "iso_date")]
        on: Date,
        sha256: String,
        filename: String,
        size_bytes: u64,
    },
    /// A fee notice (国办函〔2020〕109号) reached the applicant; the clock waits for payment.
    FeeNoticeIssued {
        #[serde(with = "iso_date")]
        on: Date,
        amount_fen: u64,
        method: String,
        #[serde(with = "iso_date")]
        due: Date,
    },
    FeePaid {
        #[serde(with = "iso_date")]
        on: Date,
    },
    /// The fee was not paid in time: the application is no longer handled (report row (六)2).
    FeePaymentLapsed {
        #[serde(with = "iso_date")]
        on: Date,
    },
    /// Staff talked with the applicant before replying (前置沟通): when, how, what came of it
    /// and a short record. `on` is the day of the conversation, which may be before the day it
    /// was recorded.
    CommunicationRecorded {
        #[serde(with = "iso_date")]
        on: Date,
        method: CommunicationMethod,
        outcome: CommunicationOutcome,
        summary: String,
    },
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Submitted { .. } => "submitted",
            Event::Registered { .. } => "registered",
            Event::ReceiptConfirmed { .. } => "receipt_confirmed",
            Event::CorrectionRequested { .. } => "correction_requested",
            Event::CorrectionSubmitted { .. } => "correction_submitted",
            Event::CorrectionLapsed { .. } => "correction_lapsed",
            Event::Accepted { .. } => "accepted",
            Event::Assigned { .. } => "assigned",
            Event::ConsultationStarted { .. } => "consultation_started",
            Event::ConsultationAnswered { .. } => "consultation_answered",
            Event::ExtensionApproved { .. } => "extension_approved",
            Event::SensitivityFlagged { .. } => "sensitivity_flagged",
            Event::ReplyDrafted { .. } => "reply_drafted",
            Event::SubmittedForReview { .. } => "submitted_for_review",
            Event::ReviewApproved { .. } => "review_approved",
            Event::ReviewRejected { .. } => "review_rejected",
            Event::ReplyIssued { .. } => "reply_issued",
            Event::Delivered { .. } => "delivered",
            Event::Archived { .. } => "archived",
            Event::Withdrawn { .. } => "withdrawn",
            Event::AttachmentAdded { .. } => "attachment_added",
            Event::FeeNoticeIssued { .. } => "fee_notice_issued",
            Event::FeePaid { .. } => "fee_paid",
            Event::FeePaymentLapsed { .. } => "fee_payment_lapsed",
            Event::CommunicationRecorded { .. } => "communication_recorded",
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_string())
    }

    pub fn from_json(text: &str) -> Result<Event, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

/// One consultation and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consultation {
    pub id: String,
    pub party: ConsultationParty,
    pub party_name: String,
    pub started_on: Date,
    pub due: Date,
    pub answered_on: Option<Date>,
    pub answer: Option<String>,
}

/// The current draft of the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyDraft {
    pub reply_kind: String,
    pub body: String,
    pub withholds_information: bool,
}

/// An application's state, rebuilt from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationState {
    pub stage: Stage,
    pub channel: ReceiptChannel,
    pub receipt_date: Option<Date>,
    pub correction_requested: bool,
    pub correction_items: Vec<String>,
    pub correction_due: Option<Date>,
    pub extension_approved: bool,
    pub departments: Vec<String>,
    pub lead_department: Option<String>,
    pub consultations: Vec<Consultation>,
    pub flags: Vec<SensitivityFlag>,
    pub draft: Option<ReplyDraft>,
    pub review_steps: Vec<Role>,
    pub review_steps_done: Vec<Role>,
    pub issued_reply_kind: Option<String>,
    /// An unpaid fee notice: (amount in fen, payment due date).
    pub fee_pending: Option<(u64, Date)>,
    pub fee_notice_issued: bool,
    /// The day the application was submitted online or, for a registered one, received: no
    /// conversation about it can be earlier.
    pub earliest_contact_date: Option<Date>,
    /// Pre-reply communications with the applicant (前置沟通), oldest first.
    pub communications: Vec<Communication>,
    /// The events that move the statutory clock, for `deadline::compute_deadlines`.
    pub clock_events: Vec<ClockEvent>,
}

impl ApplicationState {
    /// The state before any event: an online application not yet received.
    pub fn initial(channel: ReceiptChannel) -> ApplicationState {
        ApplicationState {
            stage: Stage::Submitted,
            channel,
            receipt_date: None,
            correction_requested: false,
            correction_items: Vec::new(),
            correction_due: None,
            extension_approved: false,
            departments: Vec::new(),
            lead_department: None,
            consultations: Vec::new(),
            flags: Vec::new(),
            draft: None,
            review_steps: Vec::new(),
            review_steps_done: Vec::new(),
            issued_reply_kind: None,
            fee_pending: None,
            fee_notice_issued: false,
            earliest_contact_date: None,
            communications: Vec::new(),
            clock_events: Vec::new(),
        }
    }

    /// Rebuilds the state from stored events.
    pub fn replay(channel: ReceiptChannel, events: &[Event]) -> ApplicationState {
        events
            .iter()
            .fold(ApplicationState::initial(channel), |state, event| {
                apply(state, event)
            })
    }

    pub fn open_consultations(&self) -> impl Iterator<Item = &Consultation> {
        self.consultations
            .iter()
            .filter(|c| c.answered_on.is_none())
    }

    fn open_consultations_of(&self, party: ConsultationParty) -> usize {
        self.open_consultations()
            .filter(|c| c.party == party)
            .count()
    }

    /// The review step now due, if the draft is in review.
    pub fn next_review_step(&self) -> Option<Role> {
        if self.stage != Stage::InReview {
            return None;
        }
        self.review_steps
            .iter()
            .find(|step| !self.review_steps_done.contains(step))
            .copied()
    }
}

/// What someone asks to do with an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    ConfirmReceipt {
        receipt_date: Date,
    },
    RequestCorrection {
        items: Vec<String>,
        due: Date,
    },
    SubmitCorrection {
        text: String,
    },
    LapseCorrection,
    Accept,
    Assign {
        departments: Vec<String>,
        lead: String,
    },
    StartConsultation {
        id: String,
        party: ConsultationParty,
        party_name: String,
        due: Date,
    },
    AnswerConsultation {
        id: String,
        answer: String,
    },
    ApproveExtension {
        working_days: u32,
        reason: String,
    },
    FlagSensitivity {
        flags: Vec<SensitivityFlag>,
    },
    DraftReply {
        reply_kind: String,
        body: String,
        withholds_information: bool,
    },
    SubmitForReview,
    ApproveReview {
        comment: String,
    },
    RejectReview {
        reason: String,
    },
    IssueReply,
    MarkDelivered {
        method: String,
    },
    Archive,
    Withdraw {
        reason: String,
    },
    IssueFeeNotice {
        amount_fen: u64,
        method: String,
        due: Date,
    },
    RecordFeePayment,
    LapseFee,
    RecordCommunication {
        contacted_on: Date,
        method: CommunicationMethod,
        outcome: CommunicationOutcome,
        summary: String,
    },
}

impl Command {
    /// One representative of every command, for exhaustive tests.
    pub fn name(&self) -> &'static str {
        match self {
            Command::ConfirmReceipt { .. } => "confirm_receipt",
            Command::RequestCorrection { .. } => "request_correction",
            Command::SubmitCorrection { .. } => "submit_correction",
            Command::LapseCorrection => "lapse_correction",
            Command::Accept => "accept",
            Command::Assign { .. } => "assign",
            Command::StartConsultation { .. } => "start_consultation",
            Command::AnswerConsultation { .. } => "answer_consultation",
            Command::ApproveExtension { .. } => "approve_extension",
            Command::FlagSensitivity { .. } => "flag_sensitivity",
            Command::DraftReply { .. } => "draft_reply",
            Command::SubmitForReview => "submit_for_review",
            Command::ApproveReview { .. } => "approve_review",
            Command::RejectReview { .. } => "reject_review",
            Command::IssueReply => "issue_reply",
            Command::MarkDelivered { .. } => "mark_delivered",
            Command::Archive => "archive",
            Command::Withdraw { .. } => "withdraw",
            Command::IssueFeeNotice { .. } => "issue_fee_notice",
            Command::RecordFeePayment => "record_fee_payment",
            Command::LapseFee => "lapse_fee",
            Command::RecordCommunication { .. } => "record_communication",
        }
    }
}

/// Who is acting, as far as the rules care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting<'a> {
    /// The staff roles the actor holds in this application's agency (and department).
    pub roles: &'a [Role],
    /// Whether the actor is the applicant of this application.
    pub is_applicant: bool,
    /// The legal date today (China Standard Time).
    pub today: Date,
    pub tier_rules: &'a TierRules,
}

/// Why a command was refused. Codes are stable; the web layer translates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("not allowed in stage {0:?}")]
    WrongStage(Stage),
    #[error("the actor's roles do not allow this")]
    NotPermitted,
    #[error("a correction may be requested only once (Art. 30)")]
    CorrectionAlreadyRequested,
    #[error("a correction notice must list at least one item")]
    CorrectionItemsMissing,
    #[error("the correction deadline has not passed yet")]
    CorrectionNotYetDue,
    #[error("the correction text is empty")]
    CorrectionTextMissing,
    #[error("the receipt date is in the future")]
    ReceiptDateInFuture,
    #[error("at least one department must be assigned")]
    DepartmentsMissing,
    #[error("the lead department must be one of the assigned departments")]
    LeadNotAssigned,
    #[error("a consultation with this id exists already")]
    ConsultationExists,
    #[error("no open consultation has this id")]
    ConsultationUnknown,
    #[error("the answer is empty")]
    AnswerMissing,
    #[error("the party's name is empty")]
    PartyNameMissing,
    #[error("consultations are still open")]
    ConsultationsOpen,
    #[error("the reply period may be extended only once (Art. 33)")]
    ExtensionAlreadyApproved,
    #[error("an extension is 1 to 20 working days (Art. 33)")]
    ExtensionLength,
    #[error("the extension needs a reason for the applicant's notice")]
    ExtensionReasonMissing,
    #[error("the reply kind is empty")]
    ReplyKindMissing,
    #[error("the reply text is empty")]
    ReplyBodyMissing,
    #[error("the reason is empty")]
    ReasonMissing,
    #[error("no flag given")]
    FlagsMissing,
    #[error("the delivery method is empty")]
    DeliveryMethodMissing,
    #[error("a fee notice may be issued only once per application")]
    FeeNoticeAlreadyIssued,
    #[error("the fee amount must be positive")]
    FeeAmountInvalid,
    #[error("no fee is awaiting payment")]
    NoFeePending,
    #[error("the fee payment period has not ended yet")]
    FeeNotYetDue,
    #[error("the fee must be paid first")]
    FeePending,
    #[error("the communication cannot be dated in the future")]
    CommunicationDateInFuture,
    #[error("the communication cannot be dated before the application was submitted or received")]
    CommunicationDateTooEarly,
    #[error("the communication needs a short record of what was said")]
    CommunicationSummaryMissing,
}

impl Rejection {
    pub fn code(self) -> &'static str {
        match self {
            Rejection::WrongStage(_) => "wrong_stage",
            Rejection::NotPermitted => "not_permitted",
            Rejection::CorrectionAlreadyRequested => "correction_already_requested",
            Rejection::CorrectionItemsMissing => "correction_items_missing",
            Rejection::CorrectionNotYetDue => "correction_not_yet_due",
            Rejection::CorrectionTextMissing => "correction_text_missing",
            Rejection::ReceiptDateInFuture => "receipt_date_in_future",
            Rejection::DepartmentsMissing => "departments_missing",
            Rejection::LeadNotAssigned => "lead_not_assigned",
            Rejection::ConsultationExists => "consultation_exists",
            Rejection::ConsultationUnknown => "consultation_unknown",
            Rejection::AnswerMissing => "answer_missing",
            Rejection::PartyNameMissing => "party_name_missing",
            Rejection::ConsultationsOpen => "consultations_open",
            Rejection::ExtensionAlreadyApproved => "extension_already_approved",
            Rejection::ExtensionLength => "extension_length",
            Rejection::ExtensionReasonMissing => "extension_reason_missing",
            Rejection::ReplyKindMissing => "reply_kind_missing",
            Rejection::ReplyBodyMissing => "reply_body_missing",
            Rejection::ReasonMissing => "reason_missing",
            Rejection::FlagsMissing => "flags_missing",
            Rejection::DeliveryMethodMissing => "delivery_method_missing",
            Rejection::FeeNoticeAlreadyIssued => "fee_notice_already_issued",
            Rejection::FeeAmountInvalid => "fee_amount_invalid",
            Rejection::NoFeePending => "no_fee_pending",
            Rejection::FeeNotYetDue => "fee_not_yet_due",
            Rejection::FeePending => "fee_pending",
            Rejection::CommunicationDateInFuture => "communication_date_in_future",
            Rejection::CommunicationDateTooEarly => "communication_date_too_early",
            Rejection::CommunicationSummaryMissing => "communication_summary_missing",
        }
    }
}

/// The longest extension (Art. 33 ¶2).
pub const EXTENSION_WORKING_DAYS_MAX: u32 = 20;

fn has_any(acting: &Acting<'_>, roles: &[Role]) -> bool {
    acting.roles.iter().any(|r| roles.contains(r))
}

/// Staff who register, check and route applications.
const INTAKE_ROLES: &[Role] = &[Role::OgiOffice, Role::Clerk];
/// Staff who handle and answer consultations.
const HANDLING_ROLES: &[Role] = &[
    Role::OgiOffice,
    Role::Clerk,
    Role::Liaison,
    Role::DepartmentReviewer,
];

fn require(condition: bool, rejection: Rejection) -> Result<(), Rejection> {
    if condition { Ok(()) } else { Err(rejection) }
}

fn require_stage(state: &ApplicationState, allowed: &[Stage]) -> Result<(), Rejection> {
    require(
        allowed.contains(&state.stage),
        Rejection::WrongStage(state.stage),
    )
}

/// Stages in which the applicant may still withdraw.
const WITHDRAWABLE: &[Stage] = &[
    Stage::Submitted,
    Stage::Received,
    Stage::CorrectionRequested,
    Stage::Accepted,
    Stage::InHandling,
    Stage::ReplyDrafted,
    Stage::InReview,
    Stage::ReviewApproved,
];

/// Stages in which the reply period runs and may be extended or flagged.
const RUNNING: &[Stage] = &[
    Stage::Received,
    Stage::Accepted,
    Stage::InHandling,
    Stage::ReplyDrafted,
    Stage::InReview,
    Stage::ReviewApproved,
];

/// Stages before the reply is issued, in which staff may record a pre-reply communication.
const PRE_REPLY: &[Stage] = &[
    Stage::Submitted,
    Stage::Received,
    Stage::CorrectionRequested,
    Stage::Accepted,
    Stage::InHandling,
    Stage::ReplyDrafted,
    Stage::InReview,
    Stage::ReviewApproved,
];

/// Checks `command` and returns the events it causes.
pub fn decide(
    state: &ApplicationState,
    command: &Command,
    acting: &Acting<'_>,
) -> Result<Vec<Event>, Rejection> {
    let today = acting.today;
    let staff = |roles: &[Role]| require(has_any(acting, roles), Rejection::NotPermitted);
    match command {
        Command::ConfirmReceipt { receipt_date } => {
            require_stage(state, &[Stage::Submitted])?;
            staff(INTAKE_ROLES)?;
            require(*receipt_date <= today, Rejection::ReceiptDateInFuture)?;
            Ok(vec![Event::ReceiptConfirmed {
                receipt_date: *receipt_date,
            }])
        }
        Command::RequestCorrection { items, due } => {
            require_stage(state, &[Stage::Received])?;
            staff(INTAKE_ROLES)?;
            require(
                !state.correction_requested,
                Rejection::CorrectionAlreadyRequested,
            )?;
            require(
                items.iter().any(|i| !i.trim().is_empty()),
                Rejection::CorrectionItemsMissing,
            )?;
            Ok(vec![Event::CorrectionRequested {
                on: today,
                items: items
                    .iter()
                    .map(|i| i.trim().to_string())
                    .filter(|i| !i.is_empty())
                    .collect(),
                due: *due,
            }])
        }
        Command::SubmitCorrection { text } => {
            require_stage(state, &[Stage::CorrectionRequested])?;
            require(acting.is_applicant, Rejection::NotPermitted)?;
            require(!text.trim().is_empty(), Rejection::CorrectionTextMissing)?;
            Ok(vec![Event::CorrectionSubmitted {
                on: today,
                text: text.trim().to_string(),
            }])
        }
        Command::LapseCorrection => {
            require_stage(state, &[Stage::CorrectionRequested])?;
            staff(INTAKE_ROLES)?;
            require(
                state.correction_due.is_some_and(|due| today > due),
                Rejection::CorrectionNotYetDue,
            )?;
            Ok(vec![Event::CorrectionLapsed { on: today }])
        }
        Command::Accept => {
            require_stage(state, &[Stage::Received])?;
            staff(INTAKE_ROLES)?;
            Ok(vec![Event::Accepted { on: today }])
        }
        Command::Assign { departments, lead } => {
            require_stage(state, &[Stage::Accepted, Stage::InHandling])?;
            staff(INTAKE_ROLES)?;
            require(!departments.is_empty(), Rejection::DepartmentsMissing)?;
            require(departments.contains(lead), Rejection::LeadNotAssigned)?;
            let mut unique = departments.clone();
            unique.dedup();
            Ok(vec![Event::Assigned {
                on: today,
                departments: unique,
                lead: lead.clone(),
            }])
        }
        Command::StartConsultation {
            id,
            party,
            party_name,
            due,
        } => {
            require_stage(state, &[Stage::InHandling])?;
            staff(HANDLING_ROLES)?;
            require(
                !state.consultations.iter().any(|c| &c.id == id),
                Rejection::ConsultationExists,
            )?;
            require(!party_name.trim().is_empty(), Rejection::PartyNameMissing)?;
            Ok(vec![Event::ConsultationStarted {
                on: today,
                id: id.clone(),
                party: *party,
                party_name: party_name.trim().to_string(),
                due: *due,
            }])
        }
        Command::AnswerConsultation { id, answer } => {
            require_stage(state, &[Stage::InHandling])?;
            staff(HANDLING_ROLES)?;
            require(
                state.open_consultations().any(|c| &c.id == id),
                Rejection::ConsultationUnknown,
            )?;
            require(!answer.trim().is_empty(), Rejection::AnswerMissing)?;
            Ok(vec![Event::ConsultationAnswered {
                on: today,
                id: id.clone(),
                answer: answer.trim().to_string(),
            }])
        }
        Command::ApproveExtension {
            working_days,
            reason,
        } => {
            require_stage(state, RUNNING)?;
            // Art. 33 ¶2: the head of the OGI work organ consents.
            staff(&[Role::OgiOffice])?;
            require(
                !state.extension_approved,
                Rejection::ExtensionAlreadyApproved,
            )?;
            require(
                (1..=EXTENSION_WORKING_DAYS_MAX).contains(working_days),
                Rejection::ExtensionLength,
            )?;
            require(!reason.trim().is_empty(), Rejection::ExtensionReasonMissing)?;
            Ok(vec![Event::ExtensionApproved {
                on: today,
                working_days: *working_days,
                reason: reason.trim().to_string(),
            }])
        }
        Command::FlagSensitivity { flags } => {
            require_stage(state, RUNNING)?;
            staff(HANDLING_ROLES)?;
            require(!flags.is_empty(), Rejection::FlagsMissing)?;
            Ok(vec![Event::SensitivityFlagged {
                on: today,
                flags: flags.clone(),
            }])
        }
        Command::DraftReply {
            reply_kind,
            body,
            withholds_information,
        } => {
            require_stage(
                state,
                &[
                    Stage::Received,
                    Stage::Accepted,
                    Stage::InHandling,
                    Stage::ReplyDrafted,
                ],
            )?;
            staff(&[Role::OgiOffice, Role::Clerk])?;
            require(
                state.open_consultations().next().is_none(),
                Rejection::ConsultationsOpen,
            )?;
            require(state.fee_pending.is_none(), Rejection::FeePending)?;
            require(!reply_kind.trim().is_empty(), Rejection::ReplyKindMissing)?;
            require(!body.trim().is_empty(), Rejection::ReplyBodyMissing)?;
            Ok(vec![Event::ReplyDrafted {
                on: today,
                reply_kind: reply_kind.trim().to_string(),
                body: body.to_string(),
                withholds_information: *withholds_information,
            }])
        }
        Command::SubmitForReview => {
            require_stage(state, &[Stage::ReplyDrafted])?;
            staff(&[Role::OgiOffice, Role::Clerk])?;
            let sensitive = !state.flags.is_empty()
                || state
                    .draft
                    .as_ref()
                    .is_some_and(|d| d.withholds_information);
            let steps = if sensitive {
                &acting.tier_rules.sensitive
            } else {
                &acting.tier_rules.routine
            };
            Ok(vec![Event::SubmittedForReview {
                on: today,
                steps: steps.iter().map(|r| r.code().to_string()).collect(),
            }])
        }
        Command::ApproveReview { comment } => {
            require_stage(state, &[Stage::InReview])?;
            let step = state
                .next_review_step()
                .ok_or(Rejection::WrongStage(state.stage))?;
            require(acting.roles.contains(&step), Rejection::NotPermitted)?;
            Ok(vec![Event::ReviewApproved {
                on: today,
                step: step.code().to_string(),
                comment: comment.trim().to_string(),
            }])
        }
        Command::RejectReview { reason } => {
            require_stage(state, &[Stage::InReview])?;
            let step = state
                .next_review_step()
                .ok_or(Rejection::WrongStage(state.stage))?;
            require(acting.roles.contains(&step), Rejection::NotPermitted)?;
            require(!reason.trim().is_empty(), Rejection::ReasonMissing)?;
            Ok(vec![Event::ReviewRejected {
                on: today,
                step: step.code().to_string(),
                reason: reason.trim().to_string(),
            }])
        }
        Command::IssueReply => {
            require_stage(state, &[Stage::ReviewApproved])?;
            staff(&[Role::OgiOffice])?;
            Ok(vec![Event::ReplyIssued { on: today }])
        }
        Command::MarkDelivered { method } => {
            require_stage(state, &[Stage::Issued])?;
            staff(INTAKE_ROLES)?;
            require(!method.trim().is_empty(), Rejection::DeliveryMethodMissing)?;
            Ok(vec![Event::Delivered {
                on: today,
                method: method.trim().to_string(),
            }])
        }
        Command::Archive => {
            require_stage(
                state,
                &[Stage::Delivered, Stage::Abandoned, Stage::Withdrawn],
            )?;
            staff(INTAKE_ROLES)?;
            Ok(vec![Event::Archived { on: today }])
        }
        Command::IssueFeeNotice {
            amount_fen,
            method,
            due,
        } => {
            require_stage(state, &[Stage::Accepted, Stage::InHandling])?;
            staff(INTAKE_ROLES)?;
            require(!state.fee_notice_issued, Rejection::FeeNoticeAlreadyIssued)?;
            require(*amount_fen > 0, Rejection::FeeAmountInvalid)?;
            Ok(vec![Event::FeeNoticeIssued {
                on: today,
                amount_fen: *amount_fen,
                method: method.clone(),
                due: *due,
            }])
        }
        Command::RecordFeePayment => {
            require_stage(state, &[Stage::Accepted, Stage::InHandling])?;
            staff(INTAKE_ROLES)?;
            require(state.fee_pending.is_some(), Rejection::NoFeePending)?;
            Ok(vec![Event::FeePaid { on: today }])
        }
        Command::LapseFee => {
            require_stage(state, &[Stage::Accepted, Stage::InHandling])?;
            staff(INTAKE_ROLES)?;
            let (_, due) = state.fee_pending.ok_or(Rejection::NoFeePending)?;
            require(today > due, Rejection::FeeNotYetDue)?;
            Ok(vec![Event::FeePaymentLapsed { on: today }])
        }
        Command::RecordCommunication {
            contacted_on,
            method,
            outcome,
            summary,
        } => {
            // Pre-reply communication belongs to the time before the reply is issued; once it is
            // issued, talking to the applicant is a matter for the remedy (Art. 51), not this step.
            require_stage(state, PRE_REPLY)?;
            staff(HANDLING_ROLES)?;
            require(*contacted_on <= today, Rejection::CommunicationDateInFuture)?;
            require(
                state
                    .earliest_contact_date
                    .is_none_or(|earliest| *contacted_on >= earliest),
                Rejection::CommunicationDateTooEarly,
            )?;
            require(
                !summary.trim().is_empty(),
                Rejection::CommunicationSummaryMissing,
            )?;
            Ok(vec![Event::CommunicationRecorded {
                on: *contacted_on,
                method: *method,
                outcome: *outcome,
                summary: summary.trim().to_string(),
            }])
        }
        Command::Withdraw { reason } => {
            require_stage(state, WITHDRAWABLE)?;
            require(acting.is_applicant, Rejection::NotPermitted)?;
            Ok(vec![Event::Withdrawn {
                on: today,
                reason: reason.trim().to_string(),
            }])
        }
    }
}

fn channel_code_to_receipt(code: &str) -> ReceiptChannel {
    match code {
        "in_person" | "oral" => ReceiptChannel::InPerson,
        "post_signed_for" => ReceiptChannel::PostSignedFor,
        "post_without_signature" => ReceiptChannel::PostWithoutSignature,
        "fax" => ReceiptChannel::Fax,
        "email" => ReceiptChannel::Email,
        _ => ReceiptChannel::Online,
    }
}

/// The channels staff may register, with the legal receipt day each implies (Art. 31).
pub const REGISTRATION_CHANNELS: [&str; 6] = [
    "in_person",
    "oral",
    "post_signed_for",
    "post_without_signature",
    "fax",
    "email",
];

pub fn registration_channel(code: &str) -> Option<ReceiptChannel> {
    REGISTRATION_CHANNELS
        .contains(&code)
        .then(|| channel_code_to_receipt(code))
}

fn pause_edge(
    state: &mut ApplicationState,
    party: ConsultationParty,
    opened: bool,
    before: usize,
    on: Date,
) {
    let after = state.open_consultations_of(party);
    let event = match (party, opened, before, after) {
        (ConsultationParty::ThirdParty, true, 0, 1) => {
            Some(ClockEvent::ThirdPartyConsultationStarted { date: on })
        }
        (ConsultationParty::ThirdParty, false, 1, 0) => {
            Some(ClockEvent::ThirdPartyConsultationEnded { date: on })
        }
        (ConsultationParty::OtherAgency, true, 0, 1) => {
            Some(ClockEvent::OtherAgencyConsultationStarted { date: on })
        }
        (ConsultationParty::OtherAgency, false, 1, 0) => {
            Some(ClockEvent::OtherAgencyConsultationEnded { date: on })
        }
        _ => None,
    };
    if let Some(event) = event {
        state.clock_events.push(event);
    }
}

/// Folds one event into the state. Events are facts: applying never fails.
pub fn apply(mut state: ApplicationState, event: &Event) -> ApplicationState {
    match event {
        Event::Submitted { on } => {
            state.stage = Stage::Submitted;
            state.earliest_contact_date = Some(*on);
        }
        Event::Registered {
            channel,
            receipt_date,
        } => {
            state.channel = channel_code_to_receipt(channel);
            state.stage = Stage::Received;
            state.receipt_date = Some(*receipt_date);
            state.earliest_contact_date = Some(*receipt_date);
            state.clock_events.push(ClockEvent::Received {
                date: *receipt_date,
                channel: state.channel,
            });
        }
        Event::ReceiptConfirmed { receipt_date } => {
            state.stage = Stage::Received;
            state.receipt_date = Some(*receipt_date);
            state.clock_events.push(ClockEvent::Received {
                date: *receipt_date,
                channel: state.channel,
            });
        }
        Event::CorrectionRequested { on, items, due } => {
            state.stage = Stage::CorrectionRequested;
            state.correction_requested = true;
            state.correction_items = items.clone();
            state.correction_due = Some(*due);
            state
                .clock_events
                .push(ClockEvent::CorrectionRequested { date: *on });
        }
        Event::CorrectionSubmitted { on, .. } => {
            state.stage = Stage::Received;
            state.clock_events.push(ClockEvent::Corrected { date: *on });
        }
        Event::CorrectionLapsed { on } => {
            state.stage = Stage::Abandoned;
            // Report table 三 row （六）1: no correction in time, no longer handled (Art. 30).
            state.issued_reply_kind = Some("other_correction_not_made".to_string());
            state
                .clock_events
                .push(ClockEvent::CorrectionLapsed { date: *on });
        }
        Event::Accepted { .. } => state.stage = Stage::Accepted,
        Event::Assigned {
            departments, lead, ..
        } => {
            state.stage = Stage::InHandling;
            state.departments = departments.clone();
            state.lead_department = Some(lead.clone());
        }
        Event::ConsultationStarted {
            on,
            id,
            party,
            party_name,
            due,
        } => {
            let before = state.open_consultations_of(*party);
            state.consultations.push(Consultation {
                id: id.clone(),
                party: *party,
                party_name: party_name.clone(),
                started_on: *on,
                due: *due,
                answered_on: None,
                answer: None,
            });
            pause_edge(&mut state, *party, true, before, *on);
        }
        Event::ConsultationAnswered { on, id, answer } => {
            let party = state
                .consultations
                .iter()
                .find(|c| &c.id == id)
                .map(|c| c.party);
            if let Some(party) = party {
                let before = state.open_consultations_of(party);
                if let Some(c) = state.consultations.iter_mut().find(|c| &c.id == id) {
                    c.answered_on = Some(*on);
                    c.answer = Some(answer.clone());
                }
                pause_edge(&mut state, party, false, before, *on);
            }
        }
        Event::ExtensionApproved {
            on, working_days, ..
        } => {
            state.extension_approved = true;
            state.clock_events.push(ClockEvent::ExtensionApproved {
                date: *on,
                working_days: *working_days,
            });
        }
        Event::SensitivityFlagged { flags, .. } => {
            for flag in flags {
                if !state.flags.contains(flag) {
                    state.flags.push(*flag);
                }
            }
        }
        Event::ReplyDrafted {
            reply_kind,
            body,
            withholds_information,
            ..
        } => {
            state.stage = Stage::ReplyDrafted;
            state.draft = Some(ReplyDraft {
                reply_kind: reply_kind.clone(),
                body: body.clone(),
                withholds_information: *withholds_information,
            });
        }
        Event::SubmittedForReview { steps, .. } => {
            state.stage = Stage::InReview;
            state.review_steps = steps.iter().filter_map(|s| Role::parse(s)).collect();
            state.review_steps_done.clear();
            if state.review_steps.is_empty() {
                state.stage = Stage::ReviewApproved;
            }
        }
        Event::ReviewApproved { step, .. } => {
            if let Some(role) = Role::parse(step) {
                state.review_steps_done.push(role);
            }
            if state
                .review_steps
                .iter()
                .all(|s| state.review_steps_done.contains(s))
            {
                state.stage = Stage::ReviewApproved;
            }
        }
        Event::ReviewRejected { .. } => {
            state.stage = Stage::ReplyDrafted;
            state.review_steps_done.clear();
        }
        Event::ReplyIssued { .. } => {
            state.stage = Stage::Issued;
            state.issued_reply_kind = state.draft.as_ref().map(|d| d.reply_kind.clone());
        }
        Event::Delivered { .. } => state.stage = Stage::Delivered,
        Event::Archived { .. } => state.stage = Stage::Archived,
        Event::Withdrawn { .. } => state.stage = Stage::Withdrawn,
        Event::AttachmentAdded { .. } => {}
        // A conversation with the applicant changes neither the stage nor the clock: only a
        // correction notice (Art. 30), a consultation (Art. 32, 34) or a fee notice does.
        Event::CommunicationRecorded {
            on,
            method,
            outcome,
            summary,
        } => state.communications.push(Communication {
            contacted_on: *on,
            method: *method,
            outcome: *outcome,
            summary: summary.clone(),
        }),
        Event::FeeNoticeIssued {
            on,
            amount_fen,
            due,
            ..
        } => {
            state.fee_notice_issued = true;
            state.fee_pending = Some((*amount_fen, *due));
            state
                .clock_events
                .push(ClockEvent::FeeNoticeIssued { date: *on });
        }
        Event::FeePaid { on } => {
            state.fee_pending = None;
            state.clock_events.push(ClockEvent::FeePaid { date: *on });
        }
        Event::FeePaymentLapsed { on } => {
            state.fee_pending = None;
            state.stage = Stage::Abandoned;
            // Report table 三 row （六）2: the fee was not paid, the agency stops handling it.
            state.issued_reply_kind = Some("other_fee_not_paid".to_string());
            state
                .clock_events
                .push(ClockEvent::FeePaymentLapsed { date: *on });
        }
    }
    state
}
