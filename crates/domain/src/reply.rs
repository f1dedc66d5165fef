//! The kinds of reply (答复) to an application, Arts. 35–39 and 42 of the regulation, each
//! mapped to exactly one row of the annual report's table 三 「（三）本年度办理结果」
//! (国办公开办函〔2021〕30号), with its legal basis and a Chinese reply-letter template.
//!
//! Art. 36 lists seven answers; the report counts 21 outcomes (22 rows with the total). The
//! report rows are the finer and the ones every agency must fill in, so `ReplyKind` follows
//! them one to one: a reply issued under a kind is counted in that kind's row and in no other (「区分处理的，只计这一
//! 情形，不计其他情形」). The row labels are the exact strings of ogi-rules.md §2.3
//! (V-secondary). Which article leads to which row is our reading (DERIVED) except where the
//! row label names the situation itself; the doubtful mappings say so next to the code.
//!
//! Every template ends with the remedy notice: administrative reconsideration within 60 days
//! (《行政复议法》 2023, Art. 20) or litigation within 6 months (《行政诉讼法》 Art. 46). For a
//! refusal to disclose, reconsideration must come first (《行政复议法》 Art. 23 ¶1(四)), and
//! Art. 23 ¶2 obliges the agency to say so in the decision, so those templates do.
//!
//! The module is pure text and data; `render` fills the placeholders and refuses to produce
//! a letter with any placeholder left unfilled.

use std::collections::HashMap;

/// The vertical label of the 22 rows in table 三.
pub const REPORT_SECTION_LABEL: &str = "三、本年度办理结果";
/// The row after the 21 outcome rows, their sum; the 22nd row of the section.
pub const REPORT_TOTAL_ROW_LABEL: &str = "（七）总计";

/// The eight grounds of 「（三）不予公开」, in the report's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NonDisclosureGround {
    /// 属于国家秘密 (Art. 14).
    StateSecret,
    /// 其他法律行政法规禁止公开 (Art. 14).
    ProhibitedByLaw,
    /// 危及“三安全一稳定” (Art. 14: national, public and economic security, social stability).
    EndangersSecurityOrStability,
    /// 保护第三方合法权益 (Art. 15).
    ThirdPartyRights,
    /// 属于三类内部事务信息 (Art. 16 ¶1: personnel, logistics, internal procedures).
    InternalAffairs,
    /// 属于四类过程性信息 (Art. 16 ¶2: discussion records, drafts, consultation letters,
    /// requests for instructions and reports).
    ProcessInformation,
    /// 属于行政执法案卷 (Art. 16 ¶2).
    EnforcementFile,
    /// 属于行政查询事项 (Art. 36(七): registers with their own access rules; the mapping is
    /// UNVERIFIED).
    AdministrativeQuery,
}

/// The three rows of 「（四）无法提供」.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CannotProvideReason {
    /// 本机关不掌握相关政府信息 (Art. 36(四); also Art. 36(五), an UNVERIFIED mapping).
    NotHeld,
    /// 没有现成信息需要另行制作 (Art. 38).
    NeedsNewInformation,
    /// 补正后申请内容仍不明确 (Art. 30).
    StillUnclearAfterCorrection,
}

/// The five rows of 「（五）不予处理」.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NotProcessedReason {
    /// 信访举报投诉类申请 (Art. 39 ¶1).
    PetitionComplaintReport,
    /// 重复申请 (Art. 36(六)).
    RepeatApplication,
    /// 要求提供公开出版物 (Art. 39 ¶2).
    PublicPublication,
    /// 无正当理由大量反复申请 (Art. 35).
    ExcessiveWithoutReason,
    /// 要求行政机关确认或重新出具已获取信息 (no article of its own; UNVERIFIED basis).
    ConfirmationOrReissue,
}

/// The three rows of 「（六）其他处理」 (2021 format; the 2019 trial format had one row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OtherHandlingReason {
    /// 申请人无正当理由逾期不补正 (Art. 30).
    CorrectionNotMade,
    /// 申请人逾期未按收费通知要求缴纳费用 (Art. 42, 国办函〔2020〕109号).
    FeeNotPaid,
    /// 其他 (for instance a withdrawn application).
    Other,
}

/// The outcome of an application, one variant per row of table 三 「（三）本年度办理结果」.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReplyKind {
    /// （一）予以公开: Art. 36(一) and (二).
    Disclosed,
    /// （二）部分公开: Art. 37.
    PartiallyDisclosed,
    /// （三）不予公开.
    NotDisclosed(NonDisclosureGround),
    /// （四）无法提供.
    CannotProvide(CannotProvideReason),
    /// （五）不予处理.
    NotProcessed(NotProcessedReason),
    /// （六）其他处理.
    OtherHandling(OtherHandlingReason),
}

/// Where a reply kind sits in table 三: its group row and, for grouped rows, its numbered
/// sub-row. The label printed on the counted row is [`ReportRowLabel::row`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportRowLabel {
    /// e.g. 「（三）不予公开」.
    pub group: &'static str,
    /// e.g. 「1.属于国家秘密」; `None` for （一） and （二）, which have no sub-rows.
    pub item: Option<&'static str>,
}

impl ReportRowLabel {
    /// The label of the row that carries the count.
    pub fn row(&self) -> &'static str {
        self.item.unwrap_or(self.group)
    }
}

const GROUP_DISCLOSED: &str = "（一）予以公开";
const GROUP_PARTIALLY_DISCLOSED: &str = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）";
const GROUP_NOT_DISCLOSED: &str = "（三）不予公开";
const GROUP_CANNOT_PROVIDE: &str = "（四）无法提供";
const GROUP_NOT_PROCESSED: &str = "（五）不予处理";
const GROUP_OTHER_HANDLING: &str = "（六）其他处理";

impl ReplyKind {
    /// All 21 kinds in the official row order of table 三. The section spans 22 rows
    /// (rowspan 22 in the 2021 format): these 21 outcome rows and [`REPORT_TOTAL_ROW_LABEL`],
    /// which is their sum and never the kind of a reply.
    pub const ALL: [ReplyKind; 21] = [
        ReplyKind::Disclosed,
        ReplyKind::PartiallyDisclosed,
        ReplyKind::NotDisclosed(NonDisclosureGround::StateSecret),
        ReplyKind::NotDisclosed(NonDisclosureGround::ProhibitedByLaw),
        ReplyKind::NotDisclosed(NonDisclosureGround::EndangersSecurityOrStability),
        ReplyKind::NotDisclosed(NonDisclosureGround::ThirdPartyRights),
        ReplyKind::NotDisclosed(NonDisclosureGround::InternalAffairs),
        ReplyKind::NotDisclosed(NonDisclosureGround::ProcessInformation),
        ReplyKind::NotDisclosed(NonDisclosureGround::EnforcementFile),
        ReplyKind::NotDisclosed(NonDisclosureGround::AdministrativeQuery),
        ReplyKind::CannotProvide(CannotProvideReason::NotHeld),
        ReplyKind::CannotProvide(CannotProvideReason::NeedsNewInformation),
        ReplyKind::CannotProvide(CannotProvideReason::StillUnclearAfterCorrection),
        ReplyKind::NotProcessed(NotProcessedReason::PetitionComplaintReport),
        ReplyKind::NotProcessed(NotProcessedReason::RepeatApplication),
        ReplyKind::NotProcessed(NotProcessedReason::PublicPublication),
        ReplyKind::NotProcessed(NotProcessedReason::ExcessiveWithoutReason),
        ReplyKind::NotProcessed(NotProcessedReason::ConfirmationOrReissue),
        ReplyKind::OtherHandling(OtherHandlingReason::CorrectionNotMade),
        ReplyKind::OtherHandling(OtherHandlingReason::FeeNotPaid),
        ReplyKind::OtherHandling(OtherHandlingReason::Other),
    ];

    /// The stable code stored with a reply and used in the API; it must never change meaning.
    pub fn row_code(self) -> &'static str {
        use CannotProvideReason as C;
        use NonDisclosureGround as N;
        use NotProcessedReason as P;
        use OtherHandlingReason as O;
        match self {
            ReplyKind::Disclosed => "disclosed",
            ReplyKind::PartiallyDisclosed => "partially_disclosed",
            ReplyKind::NotDisclosed(ground) => match ground {
                N::StateSecret => "not_disclosed_state_secret",
                N::ProhibitedByLaw => "not_disclosed_prohibited_by_law",
                N::EndangersSecurityOrStability => "not_disclosed_security_stability",
                N::ThirdPartyRights => "not_disclosed_third_party_rights",
                N::InternalAffairs => "not_disclosed_internal_affairs",
                N::ProcessInformation => "not_disclosed_process_information",
                N::EnforcementFile => "not_disclosed_enforcement_file",
                N::AdministrativeQuery => "not_disclosed_administrative_query",
            },
            ReplyKind::CannotProvide(reason) => match reason {
                C::NotHeld => "cannot_provide_not_held",
                C::NeedsNewInformation => "cannot_provide_needs_new_information",
                C::StillUnclearAfterCorrection => "cannot_provide_unclear_after_correction",
            },
            ReplyKind::NotProcessed(reason) => match reason {
                P::PetitionComplaintReport => "not_processed_petition_complaint_report",
                P::RepeatApplication => "not_processed_repeat_application",
                P::PublicPublication => "not_processed_public_publication",
                P::ExcessiveWithoutReason => "not_processed_excessive",
                P::ConfirmationOrReissue => "not_processed_confirmation_or_reissue",
            },
            ReplyKind::OtherHandling(reason) => match reason {
                O::CorrectionNotMade => "other_correction_not_made",
                O::FeeNotPaid => "other_fee_not_paid",
                O::Other => "other",
            },
        }
    }

    pub fn parse(code: &str) -> Option<ReplyKind> {
        ReplyKind::ALL.into_iter().find(|k| k.row_code() == code)
    }

    /// Whether the reply withholds some or all of the information, which makes it sensitive
    /// and sends it through the higher review tier (分级审核) and a statement of reasons.
    pub fn withholds_information(self) -> bool {
        matches!(
            self,
            ReplyKind::PartiallyDisclosed | ReplyKind::NotDisclosed(_)
        )
    }

    /// The row label with its group, e.g. 「（三）不予公开 · 1.属于国家秘密」.
    pub fn label_zh(self) -> String {
        let label = self.report_row_label();
        match label.item {
            Some(item) => format!("{} · {}", label.group, item),
            None => label.group.to_string(),
        }
    }

    /// An English name for the kind, for the English interface (the report stays Chinese).
    pub fn label_en(self) -> &'static str {
        use CannotProvideReason as C;
        use NonDisclosureGround as N;
        use NotProcessedReason as P;
        use OtherHandlingReason as O;
        match self {
            ReplyKind::Disclosed => "Disclosed",
            ReplyKind::PartiallyDisclosed => "Partly disclosed",
            ReplyKind::NotDisclosed(ground) => match ground {
                N::StateSecret => "Not disclosed: state secret",
                N::ProhibitedByLaw => "Not disclosed: prohibited by law or regulation",
                N::EndangersSecurityOrStability => {
                    "Not disclosed: would endanger security or stability"
                }
                N::ThirdPartyRights => "Not disclosed: third-party rights",
                N::InternalAffairs => "Not disclosed: internal affairs",
                N::ProcessInformation => "Not disclosed: process information",
                N::EnforcementFile => "Not disclosed: enforcement case file",
                N::AdministrativeQuery => "Not disclosed: administrative query matter",
            },
            ReplyKind::CannotProvide(reason) => match reason {
                C::NotHeld => "Cannot provide: not held by this agency",
                C::NeedsNewInformation => "Cannot provide: would need new information to be made",
                C::StillUnclearAfterCorrection => "Cannot provide: still unclear after correction",
            },
            ReplyKind::NotProcessed(reason) => match reason {
                P::PetitionComplaintReport => "Not processed: petition, complaint or report",
                P::RepeatApplication => "Not processed: repeat application",
                P::PublicPublication => "Not processed: public publication",
                P::ExcessiveWithoutReason => "Not processed: excessive without good reason",
                P::ConfirmationOrReissue => {
                    "Not processed: confirmation or reissue of information held"
                }
            },
            ReplyKind::OtherHandling(reason) => match reason {
                O::CorrectionNotMade => "Other: correction not made in time",
                O::FeeNotPaid => "Other: fee not paid in time",
                O::Other => "Other handling",
            },
        }
    }

    /// The exact labels of the kind's row in table 三 (ogi-rules.md §2.3).
    pub fn report_row_label(self) -> ReportRowLabel {
        use CannotProvideReason as C;
        use NonDisclosureGround as N;
        use NotProcessedReason as P;
        use OtherHandlingReason as O;
        let (group, item) = match self {
            ReplyKind::Disclosed => (GROUP_DISCLOSED, None),
            ReplyKind::PartiallyDisclosed => (GROUP_PARTIALLY_DISCLOSED, None),
            ReplyKind::NotDisclosed(ground) => (
                GROUP_NOT_DISCLOSED,
                Some(match ground {
                    N::StateSecret => "1.属于国家秘密",
                    N::ProhibitedByLaw => "2.其他法律行政法规禁止公开",
                    N::EndangersSecurityOrStability => "3.危及“三安全一稳定”",
                    N::ThirdPartyRights => "4.保护第三方合法权益",
                    N::InternalAffairs => "5.属于三类内部事务信息",
                    N::ProcessInformation => "6.属于四类过程性信息",
                    N::EnforcementFile => "7.属于行政执法案卷",
                    N::AdministrativeQuery => "8.属于行政查询事项",
                }),
            ),
            ReplyKind::CannotProvide(reason) => (
                GROUP_CANNOT_PROVIDE,
                Some(match reason {
                    C::NotHeld => "1.本机关不掌握相关政府信息",
                    C::NeedsNewInformation => "2.没有现成信息需要另行制作",
                    C::StillUnclearAfterCorrection => "3.补正后申请内容仍不明确",
                }),
            ),
            ReplyKind::NotProcessed(reason) => (
                GROUP_NOT_PROCESSED,
                Some(match reason {
                    P::PetitionComplaintReport => "1.信访举报投诉类申请",
                    P::RepeatApplication => "2.重复申请",
                    P::PublicPublication => "3.要求提供公开出版物",
                    P::ExcessiveWithoutReason => "4.无正当理由大量反复申请",
                    P::ConfirmationOrReissue => "5.要求行政机关确认或重新出具已获取信息",
                }),
            ),
            ReplyKind::OtherHandling(reason) => (
                GROUP_OTHER_HANDLING,
                Some(match reason {
                    O::CorrectionNotMade => {
                        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
                    }
                    O::FeeNotPaid => {
                        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
                    }
                    O::Other => "3.其他",
                }),
            ),
        };
        ReportRowLabel { group, item }
    }

    /// The articles the reply rests on, in Chinese citation form.
    pub fn legal_basis(self) -> &'static str {
        use CannotProvideReason as C;
        use NonDisclosureGround as N;
        use NotProcessedReason as P;
        use OtherHandlingReason as O;
        match self {
            ReplyKind::Disclosed => "《政府信息公开条例》第三十六条第（一）项、第（二）项",
            ReplyKind::PartiallyDisclosed => "《政府信息公开条例》第三十七条、第三十六条第（三）项",
            ReplyKind::NotDisclosed(ground) => match ground {
                N::StateSecret | N::ProhibitedByLaw | N::EndangersSecurityOrStability => {
                    "《政府信息公开条例》第十四条、第三十六条第（三）项"
                }
                N::ThirdPartyRights => {
                    "《政府信息公开条例》第十五条、第三十二条、第三十六条第（三）项"
                }
                N::InternalAffairs => "《政府信息公开条例》第十六条第一款、第三十六条第（三）项",
                N::ProcessInformation | N::EnforcementFile => {
                    "《政府信息公开条例》第十六条第二款、第三十六条第（三）项"
                }
                N::AdministrativeQuery => "《政府信息公开条例》第三十六条第（七）项",
            },
            ReplyKind::CannotProvide(reason) => match reason {
                C::NotHeld => "《政府信息公开条例》第三十六条第（四）项、第（五）项",
                C::NeedsNewInformation => "《政府信息公开条例》第三十八条",
                C::StillUnclearAfterCorrection => "《政府信息公开条例》第三十条",
            },
            ReplyKind::NotProcessed(reason) => match reason {
                P::PetitionComplaintReport => "《政府信息公开条例》第三十九条第一款",
                P::RepeatApplication => "《政府信息公开条例》第三十六条第（六）项",
                P::PublicPublication => "《政府信息公开条例》第三十九条第二款",
                P::ExcessiveWithoutReason => "《政府信息公开条例》第三十五条",
                // No article names this case. Such a request asks for no recorded information
                // (Art. 2); the row exists only in the report format.
                P::ConfirmationOrReissue => {
                    "《政府信息公开条例》第二条（无专门条文，依年度报告格式归类）"
                }
            },
            ReplyKind::OtherHandling(reason) => match reason {
                O::CorrectionNotMade => "《政府信息公开条例》第三十条",
                O::FeeNotPaid => {
                    "《政府信息公开条例》第四十二条；《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
                }
                O::Other => "依具体情形",
            },
        }
    }

    /// Whether the decision is a refusal to disclose, for which 《行政复议法》 (2023) Art. 23
    /// ¶1(四) makes reconsideration the first remedy. A partial disclosure refuses part, so it
    /// counts too (DERIVED); so does 属于行政查询事项, because the report counts it as 不予公开
    /// (DERIVED: the cautious reading, since a wrong notice costs the applicant a remedy).
    pub fn requires_reconsideration_first(self) -> bool {
        matches!(
            self,
            ReplyKind::NotDisclosed(_) | ReplyKind::PartiallyDisclosed
        )
    }

    /// The body of the reply letter in Chinese. Placeholders in braces, e.g.
    /// `{applicant_name}`, are filled by [`render`]; [`ReplyKind::placeholders`] lists them.
    /// Every template carries the common ones (`applicant_name`, `receipt_date`,
    /// `information_description`, `agency_name`, `reply_date`, `reconsideration_body`,
    /// `court`) and those of its case (`how_to_obtain`, `reasons`, `correction_notice_date`,
    /// `correction_deadline`, `previous_reply_date`, `fee_notice_date`).
    pub fn template_zh(self) -> &'static str {
        use CannotProvideReason as C;
        use NonDisclosureGround as N;
        use NotProcessedReason as P;
        use OtherHandlingReason as O;
        match self {
            ReplyKind::Disclosed => TEMPLATE_DISCLOSED,
            ReplyKind::PartiallyDisclosed => TEMPLATE_PARTIALLY_DISCLOSED,
            ReplyKind::NotDisclosed(ground) => match ground {
                N::StateSecret => TEMPLATE_STATE_SECRET,
                N::ProhibitedByLaw => TEMPLATE_PROHIBITED_BY_LAW,
                N::EndangersSecurityOrStability => TEMPLATE_SECURITY_STABILITY,
                N::ThirdPartyRights => TEMPLATE_THIRD_PARTY,
                N::InternalAffairs => TEMPLATE_INTERNAL_AFFAIRS,
                N::ProcessInformation => TEMPLATE_PROCESS_INFORMATION,
                N::EnforcementFile => TEMPLATE_ENFORCEMENT_FILE,
                N::AdministrativeQuery => TEMPLATE_ADMINISTRATIVE_QUERY,
            },
            ReplyKind::CannotProvide(reason) => match reason {
                C::NotHeld => TEMPLATE_NOT_HELD,
                C::NeedsNewInformation => TEMPLATE_NEEDS_NEW_INFORMATION,
                C::StillUnclearAfterCorrection => TEMPLATE_STILL_UNCLEAR,
            },
            ReplyKind::NotProcessed(reason) => match reason {
                P::PetitionComplaintReport => TEMPLATE_PETITION,
                P::RepeatApplication => TEMPLATE_REPEAT,
                P::PublicPublication => TEMPLATE_PUBLICATION,
                P::ExcessiveWithoutReason => TEMPLATE_EXCESSIVE,
                P::ConfirmationOrReissue => TEMPLATE_CONFIRMATION,
            },
            ReplyKind::OtherHandling(reason) => match reason {
                O::CorrectionNotMade => TEMPLATE_CORRECTION_NOT_MADE,
                O::FeeNotPaid => TEMPLATE_FEE_NOT_PAID,
                O::Other => TEMPLATE_OTHER,
            },
        }
    }

    /// The placeholders of the kind's template, in order of first appearance.
    pub fn placeholders(self) -> Vec<&'static str> {
        placeholders(self.template_zh())
    }
}

// The letter's parts are macros rather than constants because `concat!` takes only literals.

/// The opening shared by every letter.
macro_rules! opening {
    () => {
        "政府信息公开申请答复书\n\n\
         {applicant_name}：\n\n\
         本机关于{receipt_date}收到您提出的政府信息公开申请，您申请获取的政府信息为：\
         “{information_description}”。经审查，现答复如下：\n\n"
    };
}

/// The ordinary remedy notice: 《行政复议法》 (2023) Art. 20 (60 days from knowing of the act)
/// or 《行政诉讼法》 Art. 46 (6 months from knowing of the act).
macro_rules! remedy {
    () => {
        "\n\n如对本答复不服，您可以自知道或者应当知道本答复之日起六十日内向{reconsideration_body}\
         申请行政复议（《中华人民共和国行政复议法》第二十条），也可以自知道或者应当知道本答复之日起\
         六个月内向{court}提起行政诉讼（《中华人民共和国行政诉讼法》第四十六条）。"
    };
}

/// The remedy notice for a refusal to disclose: reconsideration first (《行政复议法》 (2023)
/// Art. 23 ¶1(四), notice required by Art. 23 ¶2), then litigation within 15 days of the
/// reconsideration decision (《行政诉讼法》 Art. 45).
macro_rules! remedy_reconsideration_first {
    () => {
        "\n\n如对本答复不服，根据《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定，\
         您应当先自知道或者应当知道本答复之日起六十日内向{reconsideration_body}申请行政复议\
         （该法第二十条）；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内向{court}\
         提起行政诉讼（《中华人民共和国行政诉讼法》第四十五条）。"
    };
}

/// The closing shared by every letter.
macro_rules! closing {
    () => {
        "\n\n特此告知。\n\n{agency_name}\n{reply_date}\n"
    };
}

const TEMPLATE_DISCLOSED: &str = concat!(
    opening!(),
    "您申请获取的政府信息属于可以公开的政府信息。根据《中华人民共和国政府信息公开条例》\
     第三十六条第（一）项、第（二）项的规定，本机关予以公开。获取该政府信息的方式、途径和时间如下：\n\
     {how_to_obtain}",
    remedy!(),
    closing!()
);

const TEMPLATE_PARTIALLY_DISCLOSED: &str = concat!(
    opening!(),
    "您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理。根据《中华人民共和国政府信息公开条例》\
     第三十七条的规定，本机关向您提供可以公开的政府信息内容，获取的方式、途径和时间如下：\n\
     {how_to_obtain}\n\
     对不予公开的内容，理由如下：\n\
     {reasons}",
    "\n\n如对本答复中不予公开的部分不服，根据《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定，\
     您应当先自知道或者应当知道本答复之日起六十日内向{reconsideration_body}申请行政复议（该法第二十条）；\
     对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内向{court}提起行政诉讼\
     （《中华人民共和国行政诉讼法》第四十五条）。如对本答复的其他内容不服，您可以自知道或者应当知道\
     本答复之日起六十日内申请行政复议，也可以自知道或者应当知道本答复之日起六个月内提起行政诉讼\
     （《中华人民共和国行政诉讼法》第四十六条）。",
    closing!()
);

const TEMPLATE_STATE_SECRET: &str = concat!(
    opening!(),
    "您申请获取的政府信息属于依法确定为国家秘密的政府信息。根据《中华人民共和国政府信息公开条例》\
     第十四条、第三十六条第（三）项的规定，本机关决定不予公开。理由如下：\n\
     {reasons}",
    remedy_reconsideration_first!(),
    closing!()
);

const TEMPLATE_PROHIBITED_BY_LAW: &str = concat!(
    opening!(),
    "您申请获取的政府信息属于法律、行政法规禁止公开的政府信息。根据《中华人民共和国政府信息公开条例》\
     第十四条、第三十六条第（三）项的规定，本机关决定不予公开。理由及禁止公开的法律、行政法规依据如下：\n\
     {reasons}",
    remedy_reconsideration_first!(),
    closing!()
);

const TEMPLATE_SECURITY_STABILITY: &str = concat!(
    opening!(),
    "您申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定。\
     根据《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项的规定，本机关决定不予公开。\
     理由如下：\n\
     {reasons}",
    remedy_reconsideration_first!(),
    closing!()
);

const TEMPLATE_THIRD_PARTY: &str = concat!(
    opening!(),
    "您申请获取的政府信息涉及商业秘密、个人隐私等公开后会对第三方合法权益造成损害的内容，\
     且不存在第三方同意公开或者本机关认为不公开会对公共利益造成重大影响的情形。\
     根据《中华人民共和国政府信息公开条例》第十五条、第三十六条第（三）项的规定，本机关决定不予公开。\
     理由如下：\n\
     {reasons}",
    remedy_reconsideration_first!(),
    closing!()
);

const TEMPLATE_INTERNAL_AFFAIRS: &str = concat!(
    opening!(),
    "您申请获取的政府信息属于本机关的人事管理、后勤管理、内部工作流程等方面的内部事务信息。\
     根据《中华人民共和国政府信息公开条例》第十六条第一款、第三十六条第（三）项的规定，本机关决定不予公开。\
     理由如下：\n\
     {reasons}",
    remedy_reconsideration_first!(),
    closing!()
);

const TEMPLATE_PROCESS_INFORMATION: &str = concat!(
    opening!(),
    "您申请获取的政府信息属于本机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、\
     请示报告等过程性信息。根据《中华人民共和国政府信息公开条例》第十六条第二款、第三十六条第（三）项的规定，\
     本机关决定不予公开。理由如下：\n\
     {reasons}",
    remedy_reconsideration_first!(),
    closing!()
);

const TEMPLATE_ENFORCEMENT_FILE: &str = concat!(
    opening!(),
    "您申请获取的政府信息属于行政执法案卷信息。根据《中华人民共和国政府信息公开条例》第十六条第二款、\
     第三十六条第（三）项的规定，本机关决定不予公开。理由如下：\n\
     {reasons}",
    remedy_reconsideration_first!(),
    closing!()
);

const TEMPLATE_ADMINISTRATIVE_QUERY: &str = concat!(
    opening!(),
    "您申请获取的信息属于工商、不动产登记资料等信息，有关法律、行政法规对该类信息的获取有特别规定。\
     根据《中华人民共和国政府信息公开条例》第三十六条第（七）项的规定，请您依照有关法律、行政法规的规定办理，\
     具体如下：\n\
     {reasons}",
    remedy_reconsideration_first!(),
    closing!()
);

/// `{reasons}` states either that the agency never made or obtained the information, so that
/// it does not exist (Art. 36(四)), or that it is not this agency's to disclose, why, and, where
/// known, the name and contact details of the agency that is (Art. 36(五)).
const TEMPLATE_NOT_HELD: &str = concat!(
    opening!(),
    "经检索查找，本机关不掌握您申请获取的政府信息。根据《中华人民共和国政府信息公开条例》\
     第三十六条第（四）项、第（五）项的规定，现将具体情况告知如下：\n\
     {reasons}",
    remedy!(),
    closing!()
);

const TEMPLATE_NEEDS_NEW_INFORMATION: &str = concat!(
    opening!(),
    "本机关向申请人提供的信息，应当是已制作或者获取的政府信息。您申请获取的信息，本机关没有现成的政府信息，\
     需要本机关对现有政府信息进行加工、分析或者另行制作。根据《中华人民共和国政府信息公开条例》\
     第三十八条的规定，本机关不予提供。具体说明如下：\n\
     {reasons}",
    remedy!(),
    closing!()
);

const TEMPLATE_STILL_UNCLEAR: &str = concat!(
    opening!(),
    "本机关已于{correction_notice_date}一次性告知您对申请内容作出补正。您补正后的申请内容仍不明确，\
     本机关无法据此确定您所需的政府信息。根据《中华人民共和国政府信息公开条例》第三十条的规定，\
     本机关无法向您提供。具体说明如下：\n\
     {reasons}",
    remedy!(),
    closing!()
);

const TEMPLATE_PETITION: &str = concat!(
    opening!(),
    "您提出的申请属于以政府信息公开申请的形式进行信访、投诉、举报等活动。\
     根据《中华人民共和国政府信息公开条例》第三十九条第一款的规定，本机关不作为政府信息公开申请处理。\
     您可以通过以下渠道提出：\n\
     {reasons}",
    remedy!(),
    closing!()
);

const TEMPLATE_REPEAT: &str = concat!(
    opening!(),
    "您曾就相同的政府信息向本机关提出公开申请，本机关已于{previous_reply_date}依法作出答复。\
     您重复申请公开相同的政府信息，根据《中华人民共和国政府信息公开条例》第三十六条第（六）项的规定，\
     本机关不予重复处理。具体说明如下：\n\
     {reasons}",
    remedy!(),
    closing!()
);

const TEMPLATE_PUBLICATION: &str = concat!(
    opening!(),
    "您申请获取的是政府公报、报刊、书籍等公开出版物。根据《中华人民共和国政府信息公开条例》\
     第三十九条第二款的规定，本机关告知您获取的途径如下：\n\
     {how_to_obtain}",
    remedy!(),
    closing!()
);

const TEMPLATE_EXCESSIVE: &str = concat!(
    opening!(),
    "您申请公开政府信息的数量、频次明显超过合理范围，本机关已要求您说明理由。经审查，本机关认为申请理由\
     不合理。根据《中华人民共和国政府信息公开条例》第三十五条的规定，本机关不予处理。理由如下：\n\
     {reasons}",
    remedy!(),
    closing!()
);

const TEMPLATE_CONFIRMATION: &str = concat!(
    opening!(),
    "您的申请系要求本机关对您已经获取的信息予以确认或者重新出具，不属于申请获取本机关已制作或者获取的\
     政府信息（《中华人民共和国政府信息公开条例》第二条），本机关不作为政府信息公开申请处理。\
     具体说明如下：\n\
     {reasons}",
    remedy!(),
    closing!()
);

const TEMPLATE_CORRECTION_NOT_MADE: &str = concat!(
    opening!(),
    "本机关已于{correction_notice_date}一次性告知您对申请内容作出补正，并给予您至{correction_deadline}的\
     补正期限。您无正当理由逾期未补正。根据《中华人民共和国政府信息公开条例》第三十条的规定，\
     视为您放弃申请，本机关不再处理该政府信息公开申请。",
    remedy!(),
    closing!()
);

const TEMPLATE_FEE_NOT_PAID: &str = concat!(
    opening!(),
    "本机关已于{fee_notice_date}向您发出收取信息处理费的通知。您逾期未按收费通知要求缴纳费用。\
     根据《中华人民共和国政府信息公开条例》第四十二条和《政府信息公开信息处理费管理办法》\
     （国办函〔2020〕109号）的规定，本机关不再处理该政府信息公开申请。",
    remedy!(),
    closing!()
);

const TEMPLATE_OTHER: &str = concat!(
    opening!(),
    "关于您提出的政府信息公开申请，现将办理情况告知如下：\n\
     {reasons}",
    remedy!(),
    closing!()
);

/// The longest placeholder name; a brace followed by anything longer is literal text.
pub const PLACEHOLDER_NAME_LENGTH_MAX_CHARS: usize = 40;

/// Placeholders that a template did not get, or got blank, in order of first appearance.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("missing placeholders: {}", .0.join(", "))]
pub struct MissingPlaceholders(pub Vec<String>);

/// One piece of a template: literal text or a placeholder name.
enum Piece<'t> {
    Text(&'t str),
    Placeholder(&'t str),
}

/// Splits a template into text and `{name}` placeholders, where a name is 1–40 lower-case
/// ASCII letters, digits or underscores starting with a letter. Any other brace is text.
fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let name = after.find('}').map(|close| &after[..close]).filter(|name| {
            name.len() <= PLACEHOLDER_NAME_LENGTH_MAX_CHARS
                && name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        });
        match name {
            Some(name) => {
                pieces.push(Piece::Text(&rest[..open]));
                pieces.push(Piece::Placeholder(name));
                rest = &after[name.len() + 1..];
            }
            None => {
                pieces.push(Piece::Text(&rest[..=open]));
                rest = after;
            }
        }
    }
    pieces.push(Piece::Text(rest));
    pieces
}

/// The distinct placeholders of a template, in order of first appearance.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for piece in pieces(template) {
        if let Piece::Placeholder(name) = piece
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
}

/// Fills every `{name}` of the template from `values`. Values are inserted as they are and
/// never scanned for placeholders themselves. A placeholder without a value, or with a value
/// that is blank, is missing: a reply letter with an empty reason is as defective as one with
/// a brace in it, so nothing is rendered until every one is filled. Extra values are ignored.
pub fn render(
    template: &str,
    values: &HashMap<&str, String>,
) -> Result<String, MissingPlaceholders> {
    let mut out = String::with_capacity(template.len());
    let mut missing: Vec<String> = Vec::new();
    for piece in pieces(template) {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Placeholder(name) => match values.get(name) {
                Some(value) if !value.trim().is_empty() => out.push_str(value),
                _ => {
                    if !missing.iter().any(|m| m == name) {
                        missing.push(name.to_string());
                    }
                }
            },
        }
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(MissingPlaceholders(missing))
    }
}

/// Fills the placeholders that have values and leaves each missing one as a visible blank
/// 「【待填写：name】」, so that staff start a draft from the standard wording and see at once
/// what they must still write. A draft filled this way must pass [`render`] before it is issued.
pub fn fill_with_blanks(template: &str, values: &HashMap<&str, String>) -> String {
    let mut out = String::with_capacity(template.len());
    for piece in pieces(template) {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Placeholder(name) => match values.get(name) {
                Some(value) if !value.trim().is_empty() => out.push_str(value),
                _ => {
                    out.push_str("【待填写：");
                    out.push_str(name);
                    out.push('】');
                }
            },
        }
    }
    out
}
