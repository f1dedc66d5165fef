//! The redaction policy: which detected spans are removed, on which legal ground, and how the
//! redacted text is built.
//!
//! The ground is always Art. 15 of the 《政府信息公开条例》 (2019): 「涉及商业秘密、个人隐私等公开
//! 后可能损害第三方合法权益的政府信息，行政机关不得公开。但是，第三方同意公开或者行政机关认为不公开
//! 会对公共利益造成重大影响的，予以公开。」 What is public stays: a civil servant's name when acting
//! in office is not private (the act is the agency's, Art. 2), and published administrative-penalty
//! decisions name the legal representative or person in charge of the sanctioned enterprise so
//! the public can tell which enterprise it was (《行政处罚法》 Art. 48 and the 2014 opinions on
//! publishing enforcement decisions); organisation names, job titles and signatories stay too.
//!
//! The redacted text is always rebuilt from the original characters with each confirmed span
//! replaced, so the removed characters cannot survive anywhere in the output (no overlay that a
//! copy-paste could lift). This file must never write the removed text into the output, the
//! log or an error message.

use thiserror::Error;

use super::{Category, Detection, Findings, RedactionSpan};
use crate::identity::mask_identity_number;

/// The legal ground for redacting a span. Every ground is a clause of Art. 15.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ground {
    /// Art. 15: personal privacy (个人隐私) of a natural person.
    PersonalPrivacy,
    /// Art. 15: a trade secret (商业秘密) of a third party. No detector proposes it; staff add
    /// such spans by hand during review.
    TradeSecret,
}

impl Ground {
    /// The stable code stored in the redaction log.
    pub fn code(self) -> &'static str {
        match self {
            Ground::PersonalPrivacy => "art15_personal_privacy",
            Ground::TradeSecret => "art15_trade_secret",
        }
    }

    /// The citation printed in a reply ("N items withheld under Art. 15").
    pub fn citation_zh(self) -> &'static str {
        match self {
            Ground::PersonalPrivacy => "《中华人民共和国政府信息公开条例》第十五条（个人隐私）",
            Ground::TradeSecret => "《中华人民共和国政府信息公开条例》第十五条（商业秘密）",
        }
    }

    pub fn citation_en(self) -> &'static str {
        match self {
            Ground::PersonalPrivacy => "Art. 15 OGI Regulations (personal privacy)",
            Ground::TradeSecret => "Art. 15 OGI Regulations (trade secret)",
        }
    }
}

/// Why the policy keeps a detected span visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeepReason {
    /// A public official named with the office held (局长张三): acting in office is not
    /// private life.
    OfficialInOffice,
    /// The legal representative or person in charge of an enterprise (法定代表人：张三), whom
    /// published enforcement decisions name so that the sanctioned enterprise is identifiable.
    LegalRepresentative,
    /// The signatory, drafter or handler of a document (签发人, 承办人): part of the act.
    Signatory,
    /// The detector was not sure enough for this policy; staff may still add the span.
    BelowConfidenceThreshold,
    /// The policy keeps this category as a whole (e.g. plates in a traffic notice).
    CategoryKept,
}

impl KeepReason {
    pub fn code(self) -> &'static str {
        match self {
            KeepReason::OfficialInOffice => "official_in_office",
            KeepReason::LegalRepresentative => "legal_representative",
            KeepReason::Signatory => "signatory",
            KeepReason::BelowConfidenceThreshold => "below_confidence_threshold",
            KeepReason::CategoryKept => "category_kept",
        }
    }

    /// Why the span stays visible, as staff read it next to the text (Art. 15 protects
    /// personal privacy, not a person's acts in office or an enterprise's identity).
    pub fn label_zh(self) -> &'static str {
        match self {
            KeepReason::OfficialInOffice => {
                "公职人员履行职责的信息，不属于个人隐私（条例第十五条）"
            }
            KeepReason::LegalRepresentative => "企业法定代表人或负责人，公开以识别被处理的企业",
            KeepReason::Signatory => "文书的签发人、承办人等，属于行政行为的组成部分",
            KeepReason::BelowConfidenceThreshold => {
                "识别把握不足，未建议删除；如属个人信息请人工添加"
            }
            KeepReason::CategoryKept => "本规则对此类信息整体保留",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            KeepReason::OfficialInOffice => {
                "An official acting in office: not personal privacy (Art. 15)"
            }
            KeepReason::LegalRepresentative => {
                "The legal representative or person in charge, named so that the enterprise is identifiable"
            }
            KeepReason::Signatory => "The signatory or handler of the document: part of the act",
            KeepReason::BelowConfidenceThreshold => {
                "Not sure enough to suggest; add it by hand if it is personal data"
            }
            KeepReason::CategoryKept => "This policy keeps the category as a whole",
        }
    }
}

/// The policy's verdict on one detection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Redact(RedactionSpan),
    Keep {
        detection: Detection,
        reason: KeepReason,
    },
}

/// Roles whose holder is named in published enforcement decisions.
const LEGAL_REPRESENTATIVE_ROLES: &[&str] = &[
    "法定代表人",
    "负责人",
    "主要负责人",
    "经营者",
    "投资人",
    "执行事务合伙人",
    "单位负责人",
    "企业负责人",
];
/// Roles of the people who sign, check or handle a document.
const SIGNATORY_ROLES: &[&str] = &[
    "签发人",
    "审核人",
    "审批人",
    "批准人",
    "核稿人",
    "拟稿人",
    "校对人",
    "承办人",
    "经办人",
    "执法人员",
    "书记员",
    "审判长",
    "审判员",
    "人民陪审员",
];
/// Roles of officials acting in office.
const OFFICIAL_ROLES: &[&str] = &[
    "局长",
    "副局长",
    "处长",
    "副处长",
    "科长",
    "副科长",
    "主任",
    "副主任",
    "厅长",
    "副厅长",
    "部长",
    "副部长",
    "司长",
    "副司长",
    "署长",
    "副署长",
    "省长",
    "副省长",
    "市长",
    "副市长",
    "区长",
    "副区长",
    "县长",
    "副县长",
    "镇长",
    "副镇长",
    "乡长",
    "副乡长",
    "村长",
    "书记",
    "副书记",
    "主席",
    "副主席",
    "委员",
    "秘书长",
    "副秘书长",
    "院长",
    "副院长",
    "庭长",
    "副庭长",
    "检察长",
    "检察官",
    "法官",
    "所长",
    "站长",
    "队长",
    "发言人",
    "新闻发言人",
];

/// A configurable redaction policy. The default follows published practice: natural persons'
/// identifiers go, officials in office, legal representatives and signatories stay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactionPolicy {
    pub keep_officials_in_office: bool,
    pub keep_legal_representatives: bool,
    pub keep_signatories: bool,
    /// Person names below this confidence are suggested to nobody (they stay visible).
    pub person_minimum_confidence_percent: u8,
    /// Addresses below this confidence stay: a bare street number is usually an office.
    pub address_minimum_confidence_percent: u8,
    /// Every other category below this confidence stays.
    pub other_minimum_confidence_percent: u8,
    /// Categories never redacted under this policy.
    pub kept_categories: Vec<Category>,
}

impl Default for RedactionPolicy {
    fn default() -> Self {
        RedactionPolicy {
            keep_officials_in_office: true,
            keep_legal_representatives: true,
            keep_signatories: true,
            person_minimum_confidence_percent: 50,
            address_minimum_confidence_percent: 60,
            other_minimum_confidence_percent: 50,
            kept_categories: Vec::new(),
        }
    }
}

impl RedactionPolicy {
    fn minimum_confidence_percent(&self, category: Category) -> u8 {
        match category {
            Category::Person => self.person_minimum_confidence_percent,
            Category::Address => self.address_minimum_confidence_percent,
            _ => self.other_minimum_confidence_percent,
        }
    }

    fn keep_reason(&self, detection: &Detection) -> Option<KeepReason> {
        if self.kept_categories.contains(&detection.category) {
            return Some(KeepReason::CategoryKept);
        }
        if detection.category == Category::Person
            && let Some(role) = detection.role
        {
            if self.keep_legal_representatives && LEGAL_REPRESENTATIVE_ROLES.contains(&role) {
                return Some(KeepReason::LegalRepresentative);
            }
            if self.keep_signatories && SIGNATORY_ROLES.contains(&role) {
                return Some(KeepReason::Signatory);
            }
            if self.keep_officials_in_office && OFFICIAL_ROLES.contains(&role) {
                return Some(KeepReason::OfficialInOffice);
            }
        }
        if detection.confidence_percent < self.minimum_confidence_percent(detection.category) {
            return Some(KeepReason::BelowConfidenceThreshold);
        }
        None
    }
}

/// Applies `policy` to every detection. Public facts were already excluded by the detectors.
/// The order of `findings.detections` is kept.
pub fn decide(findings: &Findings, policy: &RedactionPolicy) -> Vec<Decision> {
    findings
        .detections
        .iter()
        .map(|detection| match policy.keep_reason(detection) {
            Some(reason) => Decision::Keep {
                detection: detection.clone(),
                reason,
            },
            None => Decision::Redact(RedactionSpan {
                start: detection.start,
                end: detection.end,
                category: detection.category,
                confidence_percent: detection.confidence_percent,
                reason: detection.reason.clone(),
                // Every category the detectors find identifies a natural person.
                ground: Ground::PersonalPrivacy,
            }),
        })
        .collect()
}

/// How a confirmed span is replaced in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaskStyle {
    /// The whole span becomes this marker (e.g. `[已删除]`), whatever its length, so not even
    /// the length of the removed text shows.
    Replace(String),
    /// Each removed character becomes `■`, as on a printed page blacked out by hand.
    Blocks,
    /// Partial masking as in published enforcement decisions: 张某, 110***********1234,
    /// 138****5678. The visible part is chosen per category and never identifies the person
    /// on its own.
    Partial,
}

impl Default for MaskStyle {
    fn default() -> Self {
        MaskStyle::Replace("[已删除]".to_owned())
    }
}

/// What was removed at one place, for the redaction log. It never holds the removed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactionLogEntry {
    /// The span in the original text, in characters.
    pub start: usize,
    pub end: usize,
    /// Where its replacement sits in the redacted text, in characters.
    pub output_start: usize,
    pub output_end: usize,
    pub category: Category,
    pub ground: Ground,
}

/// The redacted text and one log entry per confirmed span, in text order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactedText {
    pub text: String,
    pub log: Vec<RedactionLogEntry>,
}

/// Why a list of confirmed spans cannot be applied. The messages give offsets only, never text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RedactionError {
    #[error("span {start}..{end} is empty or reversed")]
    EmptySpan { start: usize, end: usize },
    #[error("span {start}..{end} ends after the text's {text_length_chars} characters")]
    SpanOutOfRange {
        start: usize,
        end: usize,
        text_length_chars: usize,
    },
    #[error("spans starting at {first_start} and {second_start} overlap")]
    OverlappingSpans {
        first_start: usize,
        second_start: usize,
    },
}

/// Builds the redacted text from `text` with every span in `spans` replaced according to
/// `style`, and logs each replacement. Spans may come in any order but must not overlap; they
/// are usually the spans staff confirmed, starting from [`super::spans_to_redact`].
pub fn apply_redactions(
    text: &str,
    spans: &[RedactionSpan],
    style: &MaskStyle,
) -> Result<RedactedText, RedactionError> {
    let chars: Vec<char> = text.chars().collect();
    let mut ordered: Vec<&RedactionSpan> = spans.iter().collect();
    ordered.sort_by_key(|span| (span.start, span.end));
    for span in &ordered {
        if span.start >= span.end {
            return Err(RedactionError::EmptySpan {
                start: span.start,
                end: span.end,
            });
        }
        if span.end > chars.len() {
            return Err(RedactionError::SpanOutOfRange {
                start: span.start,
                end: span.end,
                text_length_chars: chars.len(),
            });
        }
    }
    for pair in ordered.windows(2) {
        if pair[1].start < pair[0].end {
            return Err(RedactionError::OverlappingSpans {
                first_start: pair[0].start,
                second_start: pair[1].start,
            });
        }
    }
    let mut output = String::with_capacity(text.len());
    let mut output_length_chars = 0;
    let mut log = Vec::with_capacity(ordered.len());
    let mut position = 0;
    for span in ordered {
        for &c in &chars[position..span.start] {
            output.push(c);
        }
        output_length_chars += span.start - position;
        let replacement = replacement_for(&chars[span.start..span.end], span.category, style);
        let replacement_length_chars = replacement.chars().count();
        output.push_str(&replacement);
        log.push(RedactionLogEntry {
            start: span.start,
            end: span.end,
            output_start: output_length_chars,
            output_end: output_length_chars + replacement_length_chars,
            category: span.category,
            ground: span.ground,
        });
        output_length_chars += replacement_length_chars;
        position = span.end;
    }
    for &c in &chars[position..] {
        output.push(c);
    }
    Ok(RedactedText { text: output, log })
}

fn replacement_for(original: &[char], category: Category, style: &MaskStyle) -> String {
    match style {
        MaskStyle::Replace(marker) => marker.clone(),
        MaskStyle::Blocks => "■".repeat(original.len()),
        MaskStyle::Partial => partial_mask(original, category),
    }
}

/// Keeps `front` leading and `back` trailing characters and stars the rest; short values are
/// starred completely, so that the visible part never becomes most of the value.
fn keep_ends(original: &[char], front: usize, back: usize) -> String {
    if original.len() <= front + back {
        return "*".repeat(original.len());
    }
    original
        .iter()
        .enumerate()
        .map(|(index, &c)| {
            if index < front || index >= original.len() - back {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// The masking of published enforcement decisions, per category.
fn partial_mask(original: &[char], category: Category) -> String {
    match category {
        Category::Person => {
            // 张某, 欧阳某: the surname alone identifies no one.
            let surname_length = super::lexicon::surname_length_at(original);
            if surname_length == 0 || surname_length >= original.len() {
                "某某".to_owned()
            } else {
                let mut masked: String = original[..surname_length].iter().collect();
                masked.push('某');
                masked
            }
        }
        Category::IdNumber => {
            let number: String = original.iter().collect();
            mask_identity_number(&number)
        }
        Category::Phone => keep_ends(original, 3, 4),
        Category::BankCard => keep_ends(original, 4, 4),
        Category::Email => {
            let at = original.iter().position(|&c| c == '@' || c == '＠');
            match at {
                Some(at) if at > 0 => {
                    let mut masked = String::new();
                    masked.push(original[0]);
                    masked.push_str("***");
                    masked.extend(&original[at..]);
                    masked
                }
                _ => "*".repeat(original.len()),
            }
        }
        Category::Passport => {
            let quarter = original.len() / 4;
            keep_ends(original, quarter.min(2), quarter.min(3))
        }
        Category::Plate => {
            let mut masked: String = original.iter().take(2).collect();
            masked.push_str("*****");
            masked
        }
        Category::Address => {
            // The administrative divisions (省, 市, 区, 县…) before the street stay; the
            // street, house and room go.
            let first_digit = original
                .iter()
                .position(|c| c.is_ascii_digit())
                .unwrap_or(original.len());
            let division_end = original[..first_digit]
                .iter()
                .rposition(|c| matches!(c, '省' | '市' | '区' | '县' | '旗' | '州' | '盟'))
                .map_or(0, |index| index + 1);
            let mut masked: String = original[..division_end].iter().collect();
            masked.push_str("***");
            masked
        }
    }
}
