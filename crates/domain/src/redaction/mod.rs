//! Redaction of personal data before government information is disclosed or published.
//!
//! Art. 15 of the 《政府信息公开条例》 (2019) forbids disclosing information whose disclosure would
//! harm a third party's lawful rights, in particular **personal privacy and trade secrets**,
//! unless the third party agrees or the public interest requires it; Art. 37 then asks for the
//! rest of the document to be disclosed (partial disclosure). This module finds the spans that
//! Art. 15 protects, decides with a configurable policy which of them to remove, and produces
//! the redacted text with a log entry per span.
//!
//! It has three layers:
//! - **detectors** (`numbers`, `patterns`, `names`, `address`): each finds candidate spans with
//!   a category, a confidence and a reason, and the facts that are public by nature (unified
//!   social credit codes, document numbers such as 国办发〔2024〕12号, dates, article numbers),
//!   which no span may touch;
//! - **policy** (`policy`): which candidates to redact, with the legal ground of each decision,
//!   keeping what is public — officials acting in office, the legal representative of a
//!   sanctioned enterprise, organisation names, job titles, signatories;
//! - **application** ([`apply_redactions`]): builds a new text from the original with every
//!   confirmed span replaced, so nothing of the removed text survives in the output.
//!
//! Offsets are Unicode scalar values (Rust `char`s), end-exclusive, everywhere.
//!
//! This module must never perform I/O or keep state between calls; it never draws boxes over
//! text (output is always rebuilt from the text), and it never writes the removed text into a
//! log or an error. A suggestion is only a suggestion: staff confirm spans before anything is
//! published (issue 7, review step).

mod address;
mod lexicon;
mod names;
mod numbers;
mod patterns;
mod policy;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

pub use policy::{
    Decision, Ground, KeepReason, MaskStyle, RedactedText, RedactionError, RedactionLogEntry,
    RedactionPolicy, apply_redactions, decide,
};

/// The longest text the detectors accept in one call, in bytes. Longer documents are split by
/// the caller (by page or paragraph); the limit keeps one call's memory bounded.
pub const TEXT_LENGTH_MAX_BYTES: usize = 16 * 1024 * 1024;

/// What kind of personal data a span holds. The codes are part of the evaluation interface
/// (`gongkai redact --jsonl`) and of the stored redaction log; they must never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// A natural person's name (or a social-media handle that stands for one).
    Person,
    /// A natural person's address below the district level (street, house, room).
    Address,
    /// A citizen identity number (GB 11643) or a residence permit number of the same shape.
    IdNumber,
    /// A mobile or landline telephone number.
    Phone,
    /// A bank card number (16–19 digits with a valid Luhn check).
    BankCard,
    /// An e-mail address.
    Email,
    /// A passport or a Hong Kong, Macao or Taiwan travel permit.
    Passport,
    /// A motor-vehicle licence plate.
    Plate,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::Person,
        Category::Address,
        Category::IdNumber,
        Category::Phone,
        Category::BankCard,
        Category::Email,
        Category::Passport,
        Category::Plate,
    ];

    /// The stable code used in JSON output and in the redaction log.
    pub fn code(self) -> &'static str {
        match self {
            Category::Person => "person",
            Category::Address => "address",
            Category::IdNumber => "id_number",
            Category::Phone => "phone",
            Category::BankCard => "bank_card",
            Category::Email => "email",
            Category::Passport => "passport",
            Category::Plate => "plate",
        }
    }

    pub fn parse(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Category::Person => "姓名",
            Category::Address => "住址",
            Category::IdNumber => "身份证号码",
            Category::Phone => "电话号码",
            Category::BankCard => "银行卡号",
            Category::Email => "电子邮箱",
            Category::Passport => "护照或通行证号码",
            Category::Plate => "车牌号码",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A candidate span of personal data found by a detector, before the policy decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// First character, counted in Unicode scalar values.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    pub category: Category,
    /// How sure the detector is, 0–100. Checksum-verified numbers score high; a name found
    /// only by its surname and the shape of its given name scores low.
    pub confidence_percent: u8,
    /// Why the detector flagged the span, in words a member of staff can check; it never
    /// quotes the span itself.
    pub reason: String,
    /// For a person name: the role word right before it (申请人, 法定代表人, 局长…), which the
    /// policy needs to tell a private person from an official or a legal representative.
    pub role: Option<&'static str>,
}

/// What a public fact is. These are recognised so that no redaction ever touches them: they
/// identify organisations, documents and dates, not natural persons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublicFactKind {
    /// A unified social credit code (GB 32100-2015): printed on every business licence and
    /// published in the enterprise credit system, so it is public by design.
    UnifiedSocialCreditCode,
    /// A document number (发文字号) such as 国办发〔2024〕12号.
    DocumentNumber,
    /// A calendar date.
    Date,
    /// An article, paragraph or item of a legal text (第十二条, 第二款, 第（三）项).
    ArticleNumber,
}

impl PublicFactKind {
    /// Why the span is never redacted, for staff.
    pub fn label_zh(self) -> &'static str {
        match self {
            PublicFactKind::UnifiedSocialCreditCode => "统一社会信用代码，属于公开的企业信息",
            PublicFactKind::DocumentNumber => "发文字号，不属于个人信息",
            PublicFactKind::Date => "日期，不属于个人信息",
            PublicFactKind::ArticleNumber => "法条序号，不属于个人信息",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PublicFactKind::UnifiedSocialCreditCode => {
                "A unified social credit code: public enterprise information"
            }
            PublicFactKind::DocumentNumber => "A document number: not personal data",
            PublicFactKind::Date => "A date: not personal data",
            PublicFactKind::ArticleNumber => "An article number: not personal data",
        }
    }
}

/// A span that is public by nature and must never be redacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicFact {
    pub start: usize,
    pub end: usize,
    pub kind: PublicFactKind,
}

/// A span the policy decided to redact, with its legal ground. This is what staff confirm and
/// what [`apply_redactions`] consumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactionSpan {
    pub start: usize,
    pub end: usize,
    pub category: Category,
    pub confidence_percent: u8,
    pub reason: String,
    pub ground: Ground,
}

/// Everything the detectors found in a text: candidates of personal data and public facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// Candidates sorted by start; they never overlap each other or a public fact.
    pub detections: Vec<Detection>,
    pub public_facts: Vec<PublicFact>,
}

/// What a statistical tagger says a span of the text is. The tagger (a named-entity model) runs
/// in an adapter, which loads its files; this module only weighs what it says, so that it stays
/// pure and works, with its rules alone, when no model is installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaggedEntityKind {
    Person,
    Place,
    Organisation,
    Time,
}

/// A span of a tagger's best reading of the text, with offsets in Unicode scalar values,
/// end-exclusive, and how probable the tagger finds exactly that span and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaggedEntity {
    pub start: usize,
    pub end: usize,
    pub kind: TaggedEntityKind,
    /// The tagger's posterior probability of this span and kind, 0–100: how sure it is of
    /// this reading, summed over all its readings of the text.
    pub probability_percent: u8,
}

/// Runs every detector over `text`. Candidates that overlap a public fact are dropped, and of
/// overlapping candidates the one with the higher confidence (then the longer one) wins, so the
/// result is a clean list that staff can review span by span.
///
/// Texts longer than [`TEXT_LENGTH_MAX_BYTES`] are examined up to that limit only; callers split
/// long documents first.
pub fn detect(text: &str) -> Findings {
    detect_with_entities(text, &[])
}

/// [`detect`], with the entities a tagger found in the same text: its person names become
/// candidates (through the same filters and role cues as the rules' own), and a rule's guess
/// that the tagger reads as a place, an organisation or a time is dropped. Entities outside
/// the text are ignored.
pub fn detect_with_entities(text: &str, entities: &[TaggedEntity]) -> Findings {
    let text = truncate_to_limit(text);
    let chars: Vec<char> = text.chars().collect();
    let public_facts = numbers::public_facts(&chars);
    let mut candidates = Vec::new();
    numbers::detect_numbers(&chars, &public_facts, &mut candidates);
    patterns::detect_emails(&chars, &mut candidates);
    patterns::detect_documents(&chars, &mut candidates);
    patterns::detect_plates(&chars, &mut candidates);
    address::detect_addresses(&chars, &mut candidates);
    let entities: Vec<TaggedEntity> = entities
        .iter()
        .copied()
        .filter(|entity| entity.start < entity.end && entity.end <= chars.len())
        .collect();
    names::detect_names(text, &chars, &entities, &mut candidates);
    let detections = resolve_overlaps(candidates, &public_facts);
    Findings {
        detections,
        public_facts,
    }
}

/// The evaluation interface of issue 7: the spans the default policy would redact in `text`,
/// sorted by start, non-overlapping, offsets in Unicode scalar values, end-exclusive.
pub fn spans_to_redact(text: &str) -> Vec<RedactionSpan> {
    spans_to_redact_with_entities(text, &[])
}

/// [`spans_to_redact`] with a tagger's entities (see [`detect_with_entities`]).
pub fn spans_to_redact_with_entities(text: &str, entities: &[TaggedEntity]) -> Vec<RedactionSpan> {
    let findings = detect_with_entities(text, entities);
    decide(&findings, &RedactionPolicy::default())
        .into_iter()
        .filter_map(|decision| match decision {
            Decision::Redact(span) => Some(span),
            Decision::Keep { .. } => None,
        })
        .collect()
}

fn truncate_to_limit(text: &str) -> &str {
    if text.len() <= TEXT_LENGTH_MAX_BYTES {
        return text;
    }
    let mut end = TEXT_LENGTH_MAX_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Whether `start..end` overlaps any of `public_facts`, which are sorted by start and never
/// overlap each other.
pub(crate) fn touches_public_fact(start: usize, end: usize, public_facts: &[PublicFact]) -> bool {
    let first_at_or_after_end = public_facts.partition_point(|fact| fact.start < end);
    first_at_or_after_end > 0 && public_facts[first_at_or_after_end - 1].end > start
}

/// Drops candidates that touch a public fact, then keeps the best of overlapping candidates.
fn resolve_overlaps(mut candidates: Vec<Detection>, public_facts: &[PublicFact]) -> Vec<Detection> {
    candidates.retain(|candidate| {
        candidate.start < candidate.end
            && !touches_public_fact(candidate.start, candidate.end, public_facts)
    });
    // Best first: a checksum-verified number beats a name guess over the same characters.
    candidates.sort_by(|a, b| {
        b.confidence_percent
            .cmp(&a.confidence_percent)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    // The chosen spans never overlap each other, so a candidate overlaps one of them exactly
    // when the chosen span with the greatest start before the candidate's end reaches past the
    // candidate's start; a map keyed by start answers that in logarithmic time.
    let mut chosen_ends_by_start: BTreeMap<usize, usize> = BTreeMap::new();
    let mut chosen: Vec<Detection> = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        let blocked = chosen_ends_by_start
            .range(..candidate.end)
            .next_back()
            .is_some_and(|(_, &end)| end > candidate.start);
        if !blocked {
            chosen_ends_by_start.insert(candidate.start, candidate.end);
            chosen.push(candidate);
        }
    }
    chosen.sort_by_key(|d| (d.start, d.end));
    chosen
}
