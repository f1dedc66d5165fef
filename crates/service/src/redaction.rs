//! Redaction review (issue 7): staff review the spans of personal data and trade secrets in a
//! text before any of it leaves the agency, under Art. 15 of the 《政府信息公开条例》 (third
//! parties' personal privacy and trade secrets are not disclosed) and Art. 37 (what can be
//! separated is disclosed, the rest is explained).
//!
//! A review starts from the detectors and the default policy of `gongkai_domain::redaction`,
//! whose suggestions are stored as undecided spans. Staff accept or reject each one, add spans
//! by offsets or by the exact text (every occurrence), and confirm. Nothing leaves unconfirmed:
//! confirmation is refused while a suggestion is undecided, and it writes the redacted text
//! once, from the accepted spans; every output (HTML, plain text, PDF) is built from that text
//! alone, so the removed characters cannot reach it. Offsets are characters (Unicode scalar
//! values), end-exclusive, so no offset can fall inside a character.

use crate::{Actor, ServiceError, ServiceResult, Services};
use gongkai_domain::account::Role;
use gongkai_domain::form::FormProblems;
use gongkai_domain::redaction::{
    Category, Decision, Ground, MaskStyle, RedactionPolicy, RedactionSpan, apply_redactions,
    decide, detect, spans_to_redact_with_entities,
};
use gongkai_store::{
    RedactionLogInsert, RedactionLogRow, RedactionReviewRow, RedactionReviewSummaryRow,
    RedactionSpanRow,
};
use time::OffsetDateTime;
use uuid::Uuid;

/// The longest text one review holds, in characters. A review page shows the whole text with
/// its marks, so a longer document is reviewed in parts.
pub const REDACTION_TEXT_CHARS_MAX: usize = 300_000;
/// The longest title of a review, in characters.
pub const REDACTION_TITLE_CHARS_MAX: usize = 200;
/// The most occurrences one "redact every occurrence of this text" adds at once.
pub const REDACTION_OCCURRENCES_MAX: usize = 1_000;
/// The category code of a span that is not one of the detectors' categories (a trade secret,
/// a figure, a description) and that staff add by hand.
pub const OTHER_CATEGORY_CODE: &str = "other";
/// What replaces a span of another category under partial masking, which has no safe
/// partial form for it; the same marker as the domain's default full replacement.
const REMOVED_MARKER: &str = "[已删除]";

/// What a review is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedactionSubject {
    /// The material of an application's reply (partial disclosure, Art. 37).
    Application(Uuid),
    /// A document draft before publication.
    Document(Uuid),
}

/// Where a span came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanOrigin {
    Suggested,
    Added,
}

impl SpanOrigin {
    pub fn code(self) -> &'static str {
        match self {
            SpanOrigin::Suggested => "suggested",
            SpanOrigin::Added => "added",
        }
    }
}

/// Where a span stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanStatus {
    Suggested,
    Accepted,
    Rejected,
}

impl SpanStatus {
    pub fn code(self) -> &'static str {
        match self {
            SpanStatus::Suggested => "suggested",
            SpanStatus::Accepted => "accepted",
            SpanStatus::Rejected => "rejected",
        }
    }

    pub fn parse(code: &str) -> Option<SpanStatus> {
        [
            SpanStatus::Suggested,
            SpanStatus::Accepted,
            SpanStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// The ground of a stored code; `None` for an unknown code.
pub fn ground_from_code(code: &str) -> Option<Ground> {
    [Ground::PersonalPrivacy, Ground::TradeSecret]
        .into_iter()
        .find(|g| g.code() == code)
}

/// The Chinese label of a stored category code (the detectors' or [`OTHER_CATEGORY_CODE`]).
pub fn category_label_zh(code: &str) -> &'static str {
    match Category::parse(code) {
        Some(category) => category.label_zh(),
        None => "其他内容",
    }
}

/// How confirmed spans are masked, parsed from the form's choice.
pub fn mask_style_from_code(code: &str) -> Option<MaskStyle> {
    match code {
        "replace" => Some(MaskStyle::default()),
        "blocks" => Some(MaskStyle::Blocks),
        "partial" => Some(MaskStyle::Partial),
        _ => None,
    }
}

/// A review with its spans and log, for the review page.
#[derive(Debug, Clone)]
pub struct RedactionReviewView {
    pub row: RedactionReviewRow,
    pub spans: Vec<RedactionSpanRow>,
    pub log: Vec<RedactionLogRow>,
    /// Whether this actor may change the review (an auditor reads only).
    pub may_edit: bool,
    /// What the detectors found and the policy keeps visible on purpose, with the reason, so
    /// that every decision is explained, not only the removals (issue 7: "every span carries
    /// its ground"; the seed's 法定代表人 example).
    pub kept: Vec<KeptSpan>,
}

/// A span the default Art. 15 policy keeps visible, or a public fact never redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptSpan {
    /// Characters, end-exclusive, like the review's spans.
    pub start_char: usize,
    pub end_char: usize,
    /// The personal-data category detected; `None` for a public fact.
    pub category: Option<Category>,
    pub reason_zh: &'static str,
    pub reason_en: &'static str,
}

/// The spans of `text` that the default policy keeps on purpose and its public facts, in text
/// order. Recomputed from the stored original text with the same pure detectors and policy the
/// review was created with, so nothing extra is stored. The named-entity model is not run
/// again for this: what the policy keeps is decided by the cue words (局长, 法定代表人, 签发人)
/// and the public-fact patterns, which the rules find by themselves.
pub fn kept_spans(text: &str) -> Vec<KeptSpan> {
    let findings = detect(text);
    let mut kept: Vec<KeptSpan> = decide(&findings, &RedactionPolicy::default())
        .into_iter()
        .filter_map(|decision| match decision {
            Decision::Keep { detection, reason } => Some(KeptSpan {
                start_char: detection.start,
                end_char: detection.end,
                category: Some(detection.category),
                reason_zh: reason.label_zh(),
                reason_en: reason.label_en(),
            }),
            Decision::Redact(_) => None,
        })
        .chain(findings.public_facts.iter().map(|fact| KeptSpan {
            start_char: fact.start,
            end_char: fact.end,
            category: None,
            reason_zh: fact.kind.label_zh(),
            reason_en: fact.kind.label_en(),
        }))
        .collect();
    kept.sort_by_key(|k| (k.start_char, k.end_char));
    kept
}

impl Services {
    /// The spans the default policy would redact in `text`: the rules, with the named-entity
    /// model's persons, places and organisations when one is loaded. The model costs about a
    /// second per 10,000 characters, so it runs on the blocking pool.
    pub async fn redaction_suggestions(&self, text: String) -> ServiceResult<Vec<RedactionSpan>> {
        let tagger = self.entity_tagger.clone();
        tokio::task::spawn_blocking(move || {
            let entities = tagger
                .map(|tagger| tagger.entities(&text))
                .unwrap_or_default();
            spans_to_redact_with_entities(&text, &entities)
        })
        .await
        .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("redaction detectors: {e}")))
    }
}

impl RedactionReviewView {
    pub fn is_confirmed(&self) -> bool {
        self.row.status == "confirmed"
    }

    pub fn undecided_count(&self) -> usize {
        self.spans
            .iter()
            .filter(|s| s.status == SpanStatus::Suggested.code())
            .count()
    }
}

/// How many accepted spans carry one ground: "N items withheld under Art. 15".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WithheldCount {
    pub ground: Ground,
    pub n_spans: u64,
}

/// The outcome of adding spans by their text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddedSpans {
    pub n_added: usize,
    /// Occurrences left out because they overlap a span already suggested or accepted.
    pub n_overlapping: usize,
}

/// The confirmed output of a review: the redacted text only, never the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactedOutput {
    pub review_id: Uuid,
    pub redacted_text: String,
    pub withheld: Vec<WithheldCount>,
    pub confirmed_at: OffsetDateTime,
    /// The application's receipt number or the document's index number, for the heading;
    /// never the review's own title, which staff may have written with a name in it.
    pub reference: String,
}

/// The sentence a reply or a redacted output states about what was withheld (Art. 37 asks for
/// reasons for the undisclosed part), e.g. 「依据《中华人民共和国政府信息公开条例》第十五条（个人
/// 隐私），不予公开3处。」; `None` when nothing was withheld.
pub fn withheld_statement_zh(counts: &[WithheldCount]) -> Option<String> {
    let parts: Vec<String> = counts
        .iter()
        .filter(|c| c.n_spans > 0)
        .map(|c| format!("依据{}，不予公开{}处", c.ground.citation_zh(), c.n_spans))
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(format!("{}。", parts.join("；")))
    }
}

/// The English of [`withheld_statement_zh`].
pub fn withheld_statement_en(counts: &[WithheldCount]) -> Option<String> {
    let parts: Vec<String> = counts
        .iter()
        .filter(|c| c.n_spans > 0)
        .map(|c| {
            let noun = if c.n_spans == 1 { "item" } else { "items" };
            format!(
                "{} {noun} withheld under {}",
                c.n_spans,
                c.ground.citation_en()
            )
        })
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(format!("{}.", parts.join("; ")))
    }
}

/// Counts accepted spans by ground, in a fixed order (personal privacy, then trade secrets).
fn count_by_ground<'a>(spans: impl Iterator<Item = &'a RedactionSpanRow>) -> Vec<WithheldCount> {
    let mut counts = vec![
        WithheldCount {
            ground: Ground::PersonalPrivacy,
            n_spans: 0,
        },
        WithheldCount {
            ground: Ground::TradeSecret,
            n_spans: 0,
        },
    ];
    for span in spans.filter(|s| s.status == SpanStatus::Accepted.code()) {
        if let Some(count) = counts
            .iter_mut()
            .find(|c| c.ground.code() == span.ground.as_str())
        {
            count.n_spans += 1;
        }
    }
    counts.retain(|c| c.n_spans > 0);
    counts
}

/// The first span among `spans` that is still in force (suggested or accepted) and overlaps
/// `start..end`, other than `except`.
fn overlapping_span(
    spans: &[RedactionSpanRow],
    start: i64,
    end: i64,
    except: Option<Uuid>,
) -> Option<&RedactionSpanRow> {
    spans.iter().find(|s| {
        Some(s.id) != except
            && s.status != SpanStatus::Rejected.code()
            && s.start_char < end
            && start < s.end_char
    })
}

/// Builds the redacted text from the original and the accepted spans. Each span is masked by
/// the domain's masking on its own characters, so the partial masks of enforcement decisions
/// (张某, 138****5678) apply per category; a span of another category is replaced whole.
pub fn build_redacted_text(
    original: &str,
    spans: &[RedactionSpanRow],
    style: &MaskStyle,
) -> ServiceResult<String> {
    let chars: Vec<char> = original.chars().collect();
    let mut accepted: Vec<&RedactionSpanRow> = spans
        .iter()
        .filter(|s| s.status == SpanStatus::Accepted.code())
        .collect();
    accepted.sort_by_key(|s| (s.start_char, s.end_char));
    let mut output = String::with_capacity(original.len());
    let mut position = 0usize;
    for span in accepted {
        let (Ok(start), Ok(end)) = (
            usize::try_from(span.start_char),
            usize::try_from(span.end_char),
        ) else {
            return Err(unexpected("a stored span has a negative offset"));
        };
        // Stored spans were checked on the way in; a violation here is corrupt data, and
        // nothing must be produced from it.
        if start < position || end <= start || end > chars.len() {
            return Err(unexpected("stored spans overlap or leave the text"));
        }
        output.extend(&chars[position..start]);
        let removed: String = chars[start..end].iter().collect();
        let replacement = match (Category::parse(&span.category), style) {
            (Some(category), _) => {
                let ground = ground_from_code(&span.ground).unwrap_or(Ground::PersonalPrivacy);
                let masked = apply_redactions(
                    &removed,
                    &[RedactionSpan {
                        start: 0,
                        end: end - start,
                        category,
                        confidence_percent: 100,
                        reason: String::new(),
                        ground,
                    }],
                    style,
                )
                .map_err(|e| unexpected(&e.to_string()))?;
                masked.text
            }
            // A trade secret or other content has no partial mask that would be safe.
            (None, MaskStyle::Blocks) => "■".repeat(end - start),
            (None, MaskStyle::Replace(marker)) => marker.clone(),
            (None, MaskStyle::Partial) => REMOVED_MARKER.to_string(),
        };
        output.push_str(&replacement);
        position = end;
    }
    output.extend(&chars[position..]);
    Ok(output)
}

fn unexpected(message: &str) -> ServiceError {
    ServiceError::Unexpected(anyhow::anyhow!("redaction: {message}"))
}

/// Every character offset at which `needle` starts in `haystack`, without overlaps.
fn occurrences_chars(haystack: &str, needle: &str) -> Vec<(usize, usize)> {
    let needle_chars = needle.chars().count();
    let mut found = Vec::new();
    let mut byte_from = 0;
    let mut chars_before = 0;
    while let Some(at) = haystack[byte_from..].find(needle) {
        let byte_at = byte_from + at;
        chars_before += haystack[byte_from..byte_at].chars().count();
        found.push((chars_before, chars_before + needle_chars));
        chars_before += needle_chars;
        byte_from = byte_at + needle.len();
    }
    found
}

impl Services {
    /// Who may change a review: the staff who handle replies and publications, and those who
    /// review them. An auditor or a liaison reads only.
    fn may_edit_redaction(&self, actor: &Actor, agency_id: Uuid) -> bool {
        self.roles_in_agency(actor, agency_id).iter().any(|role| {
            matches!(
                role,
                Role::Clerk
                    | Role::DepartmentReviewer
                    | Role::ConfidentialityReviewer
                    | Role::Leader
                    | Role::OgiOffice
            )
        })
    }

    async fn redaction_review_for(
        &self,
        actor: &Actor,
        review_id: Uuid,
    ) -> ServiceResult<RedactionReviewRow> {
        let row = self
            .db
            .redaction_review_get(review_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if self.roles_in_agency(actor, row.agency_id).is_empty() {
            return Err(ServiceError::Forbidden);
        }
        Ok(row)
    }

    /// The agency of a subject and the text a review of it starts from when staff give none:
    /// the application's reply draft, or the document's latest version.
    async fn redaction_subject(
        &self,
        actor: &Actor,
        subject: RedactionSubject,
    ) -> ServiceResult<(Uuid, String, String)> {
        match subject {
            RedactionSubject::Application(id) => {
                let view = self.application(actor, id).await?;
                let draft = view
                    .state
                    .draft
                    .as_ref()
                    .map(|d| d.body.clone())
                    .unwrap_or_default();
                Ok((
                    view.row.agency_id,
                    draft,
                    format!("申请 {} 的公开材料", view.row.receipt_number),
                ))
            }
            RedactionSubject::Document(id) => {
                let document = self
                    .db
                    .document_get(id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let latest = self
                    .db
                    .document_version(id, document.current_version)
                    .await?
                    .map(|v| v.body)
                    .unwrap_or_default();
                Ok((document.agency_id, latest, document.title))
            }
        }
    }

    /// The reviews attached to a subject, newest first, for the staff of its agency.
    pub async fn redaction_reviews_of(
        &self,
        actor: &Actor,
        subject: RedactionSubject,
    ) -> ServiceResult<Vec<RedactionReviewSummaryRow>> {
        let (agency_id, _, _) = self.redaction_subject(actor, subject).await?;
        if self.roles_in_agency(actor, agency_id).is_empty() {
            return Err(ServiceError::Forbidden);
        }
        Ok(match subject {
            RedactionSubject::Application(id) => {
                self.db.redaction_reviews_of_application(id).await?
            }
            RedactionSubject::Document(id) => self.db.redaction_reviews_of_document(id).await?,
        })
    }

    /// The files of a document whose extracted text a review can start from (a document's
    /// attachments go out with it, so their personal data needs the same review); none for an
    /// application, whose uploads keep no extracted text.
    pub async fn redaction_attachment_sources(
        &self,
        actor: &Actor,
        subject: RedactionSubject,
    ) -> ServiceResult<Vec<gongkai_store::DocumentAttachmentRow>> {
        let (agency_id, _, _) = self.redaction_subject(actor, subject).await?;
        if self.roles_in_agency(actor, agency_id).is_empty() {
            return Err(ServiceError::Forbidden);
        }
        Ok(match subject {
            RedactionSubject::Application(_) => Vec::new(),
            RedactionSubject::Document(id) => self.db.document_attachments(id).await?,
        })
    }

    /// Starts a review of the text extracted from one of the document's files (see
    /// [`Services::create_redaction_review`]); the title defaults to the file's name. A file
    /// whose text could not be extracted is refused with `attachment_has_no_text` on `source`:
    /// its personal data must then be reviewed on paper or from a text pasted by hand.
    pub async fn create_redaction_review_of_attachment(
        &self,
        actor: &Actor,
        subject: RedactionSubject,
        title: &str,
        attachment_id: Uuid,
    ) -> ServiceResult<Uuid> {
        let RedactionSubject::Document(document_id) = subject else {
            return Err(ServiceError::NotFound);
        };
        let (agency_id, _, _) = self.redaction_subject(actor, subject).await?;
        if !self.may_edit_redaction(actor, agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let (row, text) = self
            .db
            .document_attachment_with_text(attachment_id)
            .await?
            .filter(|(row, _)| row.document_id == document_id)
            .ok_or(ServiceError::NotFound)?;
        if text.trim().is_empty() {
            let mut problems = FormProblems::new();
            problems.add("source", "attachment_has_no_text");
            return Err(ServiceError::Invalid(problems));
        }
        let title = if title.trim().is_empty() {
            format!("附件 {}", row.filename)
        } else {
            title.to_string()
        };
        self.create_redaction_review(actor, subject, &title, &text)
            .await
    }

    /// Starts a review of `text` (or, when it is blank, of the subject's own text): runs the
    /// detectors and the default policy and stores every span the policy would redact as an
    /// undecided suggestion.
    pub async fn create_redaction_review(
        &self,
        actor: &Actor,
        subject: RedactionSubject,
        title: &str,
        text: &str,
    ) -> ServiceResult<Uuid> {
        let (agency_id, default_text, default_title) =
            self.redaction_subject(actor, subject).await?;
        if !self.may_edit_redaction(actor, agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let text = if text.trim().is_empty() {
            default_text
        } else {
            // Line breaks are kept as the reader sees them; a browser sends CR LF.
            text.replace("\r\n", "\n")
        };
        let title = if title.trim().is_empty() {
            default_title
        } else {
            title.trim().to_string()
        };
        let mut problems = FormProblems::new();
        if text.trim().is_empty() {
            problems.add("text", "required");
        } else if text.chars().count() > REDACTION_TEXT_CHARS_MAX {
            problems.add("text", "too_long");
        }
        if title.chars().count() > REDACTION_TITLE_CHARS_MAX {
            problems.add("title", "too_long");
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let suggestions = self.redaction_suggestions(text.clone()).await?;
        let now = self.clock.now();
        let review_id = Uuid::now_v7();
        let (application_id, document_id) = match subject {
            RedactionSubject::Application(id) => (Some(id), None),
            RedactionSubject::Document(id) => (None, Some(id)),
        };
        let mut tx = self.db.begin().await?;
        tx.redaction_review_insert(&RedactionReviewRow {
            id: review_id,
            agency_id,
            application_id,
            document_id,
            title,
            original_text: text,
            status: "open".to_string(),
            mask_style: None,
            redacted_text: None,
            version: 1,
            created_by: Some(actor.account_id),
            created_at: now,
            confirmed_by: None,
            confirmed_at: None,
        })
        .await?;
        let mut log = Vec::with_capacity(suggestions.len());
        for suggestion in suggestions {
            let span_id = Uuid::now_v7();
            tx.redaction_span_insert(&RedactionSpanRow {
                id: span_id,
                review_id,
                start_char: suggestion.start as i64,
                end_char: suggestion.end as i64,
                category: suggestion.category.code().to_string(),
                ground: suggestion.ground.code().to_string(),
                confidence_percent: i64::from(suggestion.confidence_percent),
                reason: suggestion.reason,
                origin: SpanOrigin::Suggested.code().to_string(),
                status: SpanStatus::Suggested.code().to_string(),
                decided_by: None,
                decided_at: None,
            })
            .await?;
            log.push(RedactionLogInsert {
                review_id,
                span_id: Some(span_id),
                action: "suggested",
                category: suggestion.category.code().to_string(),
                ground: suggestion.ground.code().to_string(),
                actor_id: Some(actor.account_id),
                at: now,
            });
        }
        tx.redaction_log_insert(&log).await?;
        tx.commit().await?;
        Ok(review_id)
    }

    /// A review with its spans and its log.
    pub async fn redaction_review(
        &self,
        actor: &Actor,
        review_id: Uuid,
    ) -> ServiceResult<RedactionReviewView> {
        let row = self.redaction_review_for(actor, review_id).await?;
        let spans = self.db.redaction_spans_of_review(review_id).await?;
        let log = self.db.redaction_log_of_review(review_id).await?;
        let may_edit = self.may_edit_redaction(actor, row.agency_id);
        let kept = kept_spans(&row.original_text);
        Ok(RedactionReviewView {
            row,
            spans,
            log,
            may_edit,
            kept,
        })
    }

    /// Locks an open review for a change by `actor`; a confirmed review refuses every change.
    async fn lock_open_review(
        &self,
        actor: &Actor,
        review_id: Uuid,
    ) -> ServiceResult<(gongkai_store::Tx, RedactionReviewRow)> {
        let row = self.redaction_review_for(actor, review_id).await?;
        if !self.may_edit_redaction(actor, row.agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        match tx.redaction_review_lock_open(review_id).await? {
            Some(row) => Ok((tx, row)),
            None => Err(ServiceError::Refused {
                code: "redaction_review_confirmed",
            }),
        }
    }

    /// Accepts or rejects one span. A rejected span may be accepted again as long as it does
    /// not overlap a span in force.
    pub async fn decide_redaction_span(
        &self,
        actor: &Actor,
        review_id: Uuid,
        span_id: Uuid,
        accept: bool,
    ) -> ServiceResult<()> {
        let (mut tx, _) = self.lock_open_review(actor, review_id).await?;
        let spans = tx.redaction_spans_of(review_id).await?;
        let span = spans
            .iter()
            .find(|s| s.id == span_id)
            .ok_or(ServiceError::NotFound)?;
        if accept
            && overlapping_span(&spans, span.start_char, span.end_char, Some(span_id)).is_some()
        {
            return Err(ServiceError::invalid("span", "span_overlaps"));
        }
        let status = if accept {
            SpanStatus::Accepted
        } else {
            SpanStatus::Rejected
        };
        let now = self.clock.now();
        tx.redaction_span_decide(review_id, span_id, status.code(), actor.account_id, now)
            .await?;
        tx.redaction_log_insert(&[RedactionLogInsert {
            review_id,
            span_id: Some(span_id),
            action: if accept { "accepted" } else { "rejected" },
            category: span.category.clone(),
            ground: span.ground.clone(),
            actor_id: Some(actor.account_id),
            at: now,
        }])
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Accepts or rejects every undecided suggestion of one category at once (say, every
    /// identity number), in one transaction with one log entry per span. No overlap check is
    /// needed: spans in force (suggested or accepted) never overlap, because every way into
    /// that set checks against it, so accepting suggestions cannot create an overlap.
    pub async fn decide_redaction_suggestions_of_category(
        &self,
        actor: &Actor,
        review_id: Uuid,
        category: &str,
        accept: bool,
    ) -> ServiceResult<usize> {
        let category = category.trim();
        if category != OTHER_CATEGORY_CODE && Category::parse(category).is_none() {
            return Err(ServiceError::invalid("category", "choice_invalid"));
        }
        let (mut tx, _) = self.lock_open_review(actor, review_id).await?;
        let spans = tx.redaction_spans_of(review_id).await?;
        let status = if accept {
            SpanStatus::Accepted
        } else {
            SpanStatus::Rejected
        };
        let now = self.clock.now();
        let mut log = Vec::new();
        for span in spans
            .iter()
            .filter(|s| s.category == category && s.status == SpanStatus::Suggested.code())
        {
            tx.redaction_span_decide(review_id, span.id, status.code(), actor.account_id, now)
                .await?;
            log.push(RedactionLogInsert {
                review_id,
                span_id: Some(span.id),
                action: if accept { "accepted" } else { "rejected" },
                category: span.category.clone(),
                ground: span.ground.clone(),
                actor_id: Some(actor.account_id),
                at: now,
            });
        }
        tx.redaction_log_insert(&log).await?;
        tx.commit().await?;
        Ok(log.len())
    }

    /// Checks a category and ground chosen on a form, every problem at once.
    fn check_category_and_ground(
        problems: &mut FormProblems,
        category: &str,
        ground: &str,
    ) -> Option<(String, Ground)> {
        let category = category.trim();
        let category_ok = category == OTHER_CATEGORY_CODE || Category::parse(category).is_some();
        if !category_ok {
            problems.add("category", "choice_invalid");
        }
        let ground = ground_from_code(ground.trim());
        if ground.is_none() {
            problems.add("ground", "choice_invalid");
        }
        match (category_ok, ground) {
            (true, Some(ground)) => Some((category.to_string(), ground)),
            _ => None,
        }
    }

    fn added_span(
        review_id: Uuid,
        start: usize,
        end: usize,
        category: &str,
        ground: Ground,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> RedactionSpanRow {
        RedactionSpanRow {
            id: Uuid::now_v7(),
            review_id,
            start_char: start as i64,
            end_char: end as i64,
            category: category.to_string(),
            ground: ground.code().to_string(),
            confidence_percent: 100,
            reason: String::new(),
            origin: SpanOrigin::Added.code().to_string(),
            // Staff chose it: it is decided the moment it is added.
            status: SpanStatus::Accepted.code().to_string(),
            decided_by: Some(actor.account_id),
            decided_at: Some(now),
        }
    }

    /// Adds a span given by character offsets (first character, one past the last), counted
    /// from 0 in Unicode scalar values as shown on the review page.
    pub async fn add_redaction_span_by_offsets(
        &self,
        actor: &Actor,
        review_id: Uuid,
        start_text: &str,
        end_text: &str,
        category: &str,
        ground: &str,
    ) -> ServiceResult<Uuid> {
        let mut problems = FormProblems::new();
        let start = match start_text.trim().parse::<usize>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.add("start", "number_invalid");
                None
            }
        };
        let end = match end_text.trim().parse::<usize>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.add("end", "number_invalid");
                None
            }
        };
        let chosen = Self::check_category_and_ground(&mut problems, category, ground);
        let (Some(start), Some(end), Some((category, ground))) = (start, end, chosen) else {
            return Err(ServiceError::Invalid(problems));
        };
        let (mut tx, review) = self.lock_open_review(actor, review_id).await?;
        let text_length_chars = review.original_text.chars().count();
        if end <= start {
            problems.add("end", "span_empty");
        } else if end > text_length_chars {
            problems.add("end", "span_out_of_range");
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let spans = tx.redaction_spans_of(review_id).await?;
        if overlapping_span(&spans, start as i64, end as i64, None).is_some() {
            return Err(ServiceError::invalid("start", "span_overlaps"));
        }
        let now = self.clock.now();
        let span = Self::added_span(review_id, start, end, &category, ground, actor, now);
        let span_id = span.id;
        tx.redaction_span_insert(&span).await?;
        tx.redaction_log_insert(&[RedactionLogInsert {
            review_id,
            span_id: Some(span_id),
            action: "added",
            category,
            ground: ground.code().to_string(),
            actor_id: Some(actor.account_id),
            at: now,
        }])
        .await?;
        tx.commit().await?;
        Ok(span_id)
    }

    /// Adds a span at every occurrence of `needle` in the text, except where a span in force
    /// already overlaps (those are counted). Refused when the text does not occur at all.
    pub async fn add_redaction_spans_by_text(
        &self,
        actor: &Actor,
        review_id: Uuid,
        needle: &str,
        category: &str,
        ground: &str,
    ) -> ServiceResult<AddedSpans> {
        let mut problems = FormProblems::new();
        // The exact text is searched, spaces included, so that 张三 does not match 张 三;
        // only a line break a browser turned into CR LF is normalised.
        let needle = needle.replace("\r\n", "\n");
        if needle.trim().is_empty() {
            problems.add("needle", "required");
        }
        let chosen = Self::check_category_and_ground(&mut problems, category, ground);
        let Some((category, ground)) = chosen.filter(|_| problems.is_empty()) else {
            return Err(ServiceError::Invalid(problems));
        };
        let (mut tx, review) = self.lock_open_review(actor, review_id).await?;
        let found = occurrences_chars(&review.original_text, &needle);
        if found.is_empty() {
            return Err(ServiceError::invalid("needle", "text_not_found"));
        }
        if found.len() > REDACTION_OCCURRENCES_MAX {
            return Err(ServiceError::invalid("needle", "too_many_occurrences"));
        }
        let mut spans = tx.redaction_spans_of(review_id).await?;
        let now = self.clock.now();
        let mut outcome = AddedSpans::default();
        let mut log = Vec::new();
        for (start, end) in found {
            if overlapping_span(&spans, start as i64, end as i64, None).is_some() {
                outcome.n_overlapping += 1;
                continue;
            }
            let span = Self::added_span(review_id, start, end, &category, ground, actor, now);
            tx.redaction_span_insert(&span).await?;
            log.push(RedactionLogInsert {
                review_id,
                span_id: Some(span.id),
                action: "added",
                category: category.clone(),
                ground: ground.code().to_string(),
                actor_id: Some(actor.account_id),
                at: now,
            });
            spans.push(span);
            outcome.n_added += 1;
        }
        tx.redaction_log_insert(&log).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Confirms a review: refused while any suggestion is undecided ("nothing leaves
    /// unconfirmed"); otherwise writes the redacted text, once, from the accepted spans.
    pub async fn confirm_redaction_review(
        &self,
        actor: &Actor,
        review_id: Uuid,
        mask_style_code: &str,
    ) -> ServiceResult<()> {
        let Some(style) = mask_style_from_code(mask_style_code.trim()) else {
            return Err(ServiceError::invalid("mask_style", "choice_invalid"));
        };
        let (mut tx, review) = self.lock_open_review(actor, review_id).await?;
        let spans = tx.redaction_spans_of(review_id).await?;
        if spans
            .iter()
            .any(|s| s.status == SpanStatus::Suggested.code())
        {
            return Err(ServiceError::Refused {
                code: "redaction_undecided_spans",
            });
        }
        let redacted = build_redacted_text(&review.original_text, &spans, &style)?;
        let now = self.clock.now();
        tx.redaction_review_confirm(
            review_id,
            mask_style_code.trim(),
            &redacted,
            actor.account_id,
            now,
        )
        .await?;
        tx.redaction_log_insert(&[RedactionLogInsert {
            review_id,
            span_id: None,
            action: "confirmed",
            category: String::new(),
            ground: String::new(),
            actor_id: Some(actor.account_id),
            at: now,
        }])
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The confirmed, redacted text of a review with its counts by ground. Refused while the
    /// review is open: nothing leaves unconfirmed.
    pub async fn redacted_output(
        &self,
        actor: &Actor,
        review_id: Uuid,
    ) -> ServiceResult<RedactedOutput> {
        let row = self.redaction_review_for(actor, review_id).await?;
        let (Some(redacted_text), Some(confirmed_at)) = (row.redacted_text, row.confirmed_at)
        else {
            return Err(ServiceError::Refused {
                code: "redaction_review_not_confirmed",
            });
        };
        let spans = self.db.redaction_spans_of_review(review_id).await?;
        let reference = match (row.application_id, row.document_id) {
            (Some(application_id), _) => self
                .db
                .application_get(application_id)
                .await?
                .map(|a| a.receipt_number)
                .unwrap_or_default(),
            (None, Some(document_id)) => self
                .db
                .document_get(document_id)
                .await?
                .map(|d| d.index_number)
                .unwrap_or_default(),
            (None, None) => String::new(),
        };
        Ok(RedactedOutput {
            review_id,
            redacted_text,
            withheld: count_by_ground(spans.iter()),
            confirmed_at,
            reference,
        })
    }

    /// The accepted spans of an application's confirmed reviews counted by ground, for the
    /// reply of a partial disclosure (Art. 37: the undisclosed part is explained). Counts
    /// only: no text, so the caller needs no further permission than seeing the application.
    pub async fn withheld_under_article_15(
        &self,
        application_id: Uuid,
    ) -> ServiceResult<Vec<WithheldCount>> {
        let rows = self
            .db
            .redaction_withheld_counts_of_application(application_id)
            .await?;
        let mut counts = Vec::new();
        for ground in [Ground::PersonalPrivacy, Ground::TradeSecret] {
            let n_spans: i64 = rows
                .iter()
                .filter(|r| r.ground == ground.code())
                .map(|r| r.n_spans)
                .sum();
            if n_spans > 0 {
                counts.push(WithheldCount {
                    ground,
                    n_spans: n_spans as u64,
                });
            }
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: i64, end: i64, category: &str, status: SpanStatus) -> RedactionSpanRow {
        RedactionSpanRow {
            id: Uuid::now_v7(),
            review_id: Uuid::nil(),
            start_char: start,
            end_char: end,
            category: category.to_string(),
            ground: Ground::PersonalPrivacy.code().to_string(),
            confidence_percent: 90,
            reason: String::new(),
            origin: "suggested".to_string(),
            status: status.code().to_string(),
            decided_by: None,
            decided_at: None,
        }
    }

    #[test]
    fn occurrences_are_counted_in_characters() {
        assert_eq!(
            occurrences_chars("张三说张三", "张三"),
            vec![(0, 2), (3, 5)]
        );
        assert_eq!(occurrences_chars("aaaa", "aa"), vec![(0, 2), (2, 4)]);
        assert!(occurrences_chars("李四", "张三").is_empty());
    }

    #[test]
    fn only_accepted_spans_are_masked_and_the_rest_is_kept() {
        let text = "申请人张三，电话13800138000。";
        let spans = [
            span(3, 5, "person", SpanStatus::Accepted),
            span(8, 19, "phone", SpanStatus::Rejected),
        ];
        let out = build_redacted_text(text, &spans, &MaskStyle::default()).unwrap();
        assert_eq!(out, "申请人[已删除]，电话13800138000。");
        let partial = build_redacted_text(
            text,
            &[
                span(3, 5, "person", SpanStatus::Accepted),
                span(8, 19, "phone", SpanStatus::Accepted),
            ],
            &MaskStyle::Partial,
        )
        .unwrap();
        assert_eq!(partial, "申请人张某，电话138****8000。");
        let other = build_redacted_text(
            "报价为每吨1234元",
            &[span(5, 9, OTHER_CATEGORY_CODE, SpanStatus::Accepted)],
            &MaskStyle::Blocks,
        )
        .unwrap();
        assert_eq!(other, "报价为每吨■■■■元");
    }

    #[test]
    fn corrupt_spans_produce_nothing() {
        let overlapping = [
            span(0, 3, "person", SpanStatus::Accepted),
            span(2, 4, "person", SpanStatus::Accepted),
        ];
        assert!(build_redacted_text("张三李四", &overlapping, &MaskStyle::default()).is_err());
        let outside = [span(2, 9, "person", SpanStatus::Accepted)];
        assert!(build_redacted_text("张三李四", &outside, &MaskStyle::default()).is_err());
    }

    #[test]
    fn rejected_spans_do_not_block_new_ones() {
        let spans = [
            span(0, 2, "person", SpanStatus::Rejected),
            span(5, 8, "person", SpanStatus::Suggested),
        ];
        assert!(overlapping_span(&spans, 0, 2, None).is_none());
        assert!(overlapping_span(&spans, 7, 9, None).is_some());
        assert!(overlapping_span(&spans, 8, 9, None).is_none());
    }

    #[test]
    fn the_withheld_statement_names_article_15_and_the_count() {
        let counts = [
            WithheldCount {
                ground: Ground::PersonalPrivacy,
                n_spans: 3,
            },
            WithheldCount {
                ground: Ground::TradeSecret,
                n_spans: 1,
            },
        ];
        assert_eq!(
            withheld_statement_zh(&counts).unwrap(),
            "依据《中华人民共和国政府信息公开条例》第十五条（个人隐私），不予公开3处；\
             依据《中华人民共和国政府信息公开条例》第十五条（商业秘密），不予公开1处。"
        );
        assert_eq!(
            withheld_statement_en(&counts[..1]).unwrap(),
            "3 items withheld under Art. 15 OGI Regulations (personal privacy)."
        );
        assert_eq!(withheld_statement_zh(&[]), None);
    }
}
