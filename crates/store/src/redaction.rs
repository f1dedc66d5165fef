//! Redaction reviews (issue 7): a text under review, its spans with their decisions, and the
//! redaction log. Offsets are characters (Unicode scalar values), end-exclusive, as in
//! `gongkai_domain::redaction`. The meaning of the codes lives there; this file only stores.

use crate::{Db, StoreError, StoreResult, Tx, db_run, tx_run};
use time::OffsetDateTime;
use uuid::Uuid;

/// One review of one text.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RedactionReviewRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub application_id: Option<Uuid>,
    pub document_id: Option<Uuid>,
    pub title: String,
    pub original_text: String,
    /// `open` or `confirmed`.
    pub status: String,
    /// `replace`, `blocks` or `partial`, set at confirmation.
    pub mask_style: Option<String>,
    /// The text with every accepted span masked, written once at confirmation.
    pub redacted_text: Option<String>,
    pub version: i64,
    pub created_by: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub confirmed_by: Option<Uuid>,
    pub confirmed_at: Option<OffsetDateTime>,
}

/// A review without its texts, for lists.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RedactionReviewSummaryRow {
    pub id: Uuid,
    pub title: String,
    pub status: String,
    pub created_at: OffsetDateTime,
    pub confirmed_at: Option<OffsetDateTime>,
}

/// One span of a review.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RedactionSpanRow {
    pub id: Uuid,
    pub review_id: Uuid,
    pub start_char: i64,
    pub end_char: i64,
    pub category: String,
    pub ground: String,
    pub confidence_percent: i64,
    pub reason: String,
    /// `suggested` or `added`.
    pub origin: String,
    /// `suggested`, `accepted` or `rejected`.
    pub status: String,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<OffsetDateTime>,
}

/// One entry of the redaction log, with the name of whoever acted.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RedactionLogRow {
    pub id: Uuid,
    pub review_id: Uuid,
    pub span_id: Option<Uuid>,
    pub action: String,
    pub category: String,
    pub ground: String,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub at: OffsetDateTime,
    /// The span's offsets, when the entry concerns a span.
    pub start_char: Option<i64>,
    pub end_char: Option<i64>,
}

/// A new log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactionLogInsert {
    pub review_id: Uuid,
    pub span_id: Option<Uuid>,
    pub action: &'static str,
    pub category: String,
    pub ground: String,
    pub actor_id: Option<Uuid>,
    pub at: OffsetDateTime,
}

/// How many accepted spans of confirmed reviews carry one ground.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WithheldCountRow {
    pub ground: String,
    pub n_spans: i64,
}

const REVIEW_COLUMNS: &str = "id, agency_id, application_id, document_id, title, original_text, \
     status, mask_style, redacted_text, version, created_by, created_at, confirmed_by, \
     confirmed_at";
const SPAN_COLUMNS: &str = "id, review_id, start_char, end_char, category, ground, \
     confidence_percent, reason, origin, status, decided_by, decided_at";

impl Tx {
    pub async fn redaction_review_insert(&mut self, row: &RedactionReviewRow) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO redaction_reviews (id, agency_id, application_id, document_id, title, \
             original_text, status, mask_style, redacted_text, version, created_by, created_at, \
             confirmed_by, confirmed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        )
        .bind(row.id)
        .bind(row.agency_id)
        .bind(row.application_id)
        .bind(row.document_id)
        .bind(&row.title)
        .bind(&row.original_text)
        .bind(&row.status)
        .bind(&row.mask_style)
        .bind(&row.redacted_text)
        .bind(row.version)
        .bind(row.created_by)
        .bind(row.created_at)
        .bind(row.confirmed_by)
        .bind(row.confirmed_at)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    /// Raises an open review's version and returns the review as it now stands; `None` when
    /// the review does not exist or is already confirmed. The update comes first so that on
    /// PostgreSQL it takes the row lock: a concurrent change to the same review waits for this
    /// transaction, and a change that arrives after confirmation finds the review closed.
    pub async fn redaction_review_lock_open(
        &mut self,
        id: Uuid,
    ) -> StoreResult<Option<RedactionReviewRow>> {
        let affected = tx_run!(self, |c| {
            sqlx::query(
            "UPDATE redaction_reviews SET version = version + 1 WHERE id = $1 AND status = 'open'"
        )
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        if affected == 0 {
            return Ok(None);
        }
        Ok(tx_run!(self, |c| sqlx::query_as::<_, RedactionReviewRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {REVIEW_COLUMNS} FROM redaction_reviews WHERE id = $1"
            ))
        )
        .bind(id)
        .fetch_optional(c)
        .await)?)
    }

    /// The spans of a review inside this transaction, ordered by start.
    pub async fn redaction_spans_of(
        &mut self,
        review_id: Uuid,
    ) -> StoreResult<Vec<RedactionSpanRow>> {
        Ok(tx_run!(self, |c| sqlx::query_as::<_, RedactionSpanRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {SPAN_COLUMNS} FROM redaction_spans WHERE review_id = $1 \
                 ORDER BY start_char, end_char, id"
            ))
        )
        .bind(review_id)
        .fetch_all(c)
        .await)?)
    }

    pub async fn redaction_span_insert(&mut self, row: &RedactionSpanRow) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO redaction_spans (id, review_id, start_char, end_char, category, ground, \
             confidence_percent, reason, origin, status, decided_by, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        )
        .bind(row.id)
        .bind(row.review_id)
        .bind(row.start_char)
        .bind(row.end_char)
        .bind(&row.category)
        .bind(&row.ground)
        .bind(row.confidence_percent)
        .bind(&row.reason)
        .bind(&row.origin)
        .bind(&row.status)
        .bind(row.decided_by)
        .bind(row.decided_at)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    /// Records a decision on one span of a review.
    pub async fn redaction_span_decide(
        &mut self,
        review_id: Uuid,
        span_id: Uuid,
        status: &str,
        decided_by: Uuid,
        decided_at: OffsetDateTime,
    ) -> StoreResult<()> {
        let affected = tx_run!(self, |c| sqlx::query(
            "UPDATE redaction_spans SET status = $3, decided_by = $4, decided_at = $5 \
             WHERE id = $2 AND review_id = $1"
        )
        .bind(review_id)
        .bind(span_id)
        .bind(status)
        .bind(decided_by)
        .bind(decided_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Closes a review with its redacted text. Only an open review is closed.
    pub async fn redaction_review_confirm(
        &mut self,
        review_id: Uuid,
        mask_style: &str,
        redacted_text: &str,
        confirmed_by: Uuid,
        confirmed_at: OffsetDateTime,
    ) -> StoreResult<()> {
        let affected = tx_run!(self, |c| sqlx::query(
            "UPDATE redaction_reviews SET status = 'confirmed', mask_style = $2, \
             redacted_text = $3, confirmed_by = $4, confirmed_at = $5 \
             WHERE id = $1 AND status = 'open'"
        )
        .bind(review_id)
        .bind(mask_style)
        .bind(redacted_text)
        .bind(confirmed_by)
        .bind(confirmed_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if affected == 0 {
            return Err(StoreError::Conflict("review is not open".to_string()));
        }
        Ok(())
    }

    pub async fn redaction_log_insert(
        &mut self,
        entries: &[RedactionLogInsert],
    ) -> StoreResult<()> {
        for entry in entries {
            tx_run!(self, |c| sqlx::query(
                "INSERT INTO redaction_log (id, review_id, span_id, action, category, ground, \
                 actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            )
            .bind(Uuid::now_v7())
            .bind(entry.review_id)
            .bind(entry.span_id)
            .bind(entry.action)
            .bind(&entry.category)
            .bind(&entry.ground)
            .bind(entry.actor_id)
            .bind(entry.at)
            .execute(c)
            .await
            .map(|_| ()))
            .map_err(StoreError::from_write)?;
        }
        Ok(())
    }
}

impl Db {
    pub async fn redaction_review_get(&self, id: Uuid) -> StoreResult<Option<RedactionReviewRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, RedactionReviewRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {REVIEW_COLUMNS} FROM redaction_reviews WHERE id = $1"
            ))
        )
        .bind(id)
        .fetch_optional(p)
        .await)?)
    }

    /// The reviews attached to an application, newest first.
    pub async fn redaction_reviews_of_application(
        &self,
        application_id: Uuid,
    ) -> StoreResult<Vec<RedactionReviewSummaryRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<
            _,
            RedactionReviewSummaryRow,
        >(
            "SELECT id, title, status, created_at, confirmed_at FROM redaction_reviews \
             WHERE application_id = $1 ORDER BY created_at DESC, id DESC"
        )
        .bind(application_id)
        .fetch_all(p)
        .await)?)
    }

    /// The reviews attached to a document, newest first.
    pub async fn redaction_reviews_of_document(
        &self,
        document_id: Uuid,
    ) -> StoreResult<Vec<RedactionReviewSummaryRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<
            _,
            RedactionReviewSummaryRow,
        >(
            "SELECT id, title, status, created_at, confirmed_at FROM redaction_reviews \
             WHERE document_id = $1 ORDER BY created_at DESC, id DESC"
        )
        .bind(document_id)
        .fetch_all(p)
        .await)?)
    }

    pub async fn redaction_spans_of_review(
        &self,
        review_id: Uuid,
    ) -> StoreResult<Vec<RedactionSpanRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, RedactionSpanRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {SPAN_COLUMNS} FROM redaction_spans WHERE review_id = $1 \
                 ORDER BY start_char, end_char, id"
            ))
        )
        .bind(review_id)
        .fetch_all(p)
        .await)?)
    }

    /// The log of a review in the order things happened.
    pub async fn redaction_log_of_review(
        &self,
        review_id: Uuid,
    ) -> StoreResult<Vec<RedactionLogRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, RedactionLogRow>(
            "SELECT l.id, l.review_id, l.span_id, l.action, l.category, l.ground, l.actor_id, \
             a.display_name AS actor_name, l.at, s.start_char, s.end_char \
             FROM redaction_log l \
             LEFT JOIN accounts a ON a.id = l.actor_id \
             LEFT JOIN redaction_spans s ON s.id = l.span_id \
             WHERE l.review_id = $1 ORDER BY l.at, l.id"
        )
        .bind(review_id)
        .fetch_all(p)
        .await)?)
    }

    /// Accepted spans of an application's confirmed reviews, counted by ground: what a reply
    /// reports as withheld under Art. 15.
    pub async fn redaction_withheld_counts_of_application(
        &self,
        application_id: Uuid,
    ) -> StoreResult<Vec<WithheldCountRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, WithheldCountRow>(
            "SELECT s.ground, CAST(COUNT(*) AS BIGINT) AS n_spans \
             FROM redaction_spans s JOIN redaction_reviews r ON r.id = s.review_id \
             WHERE r.application_id = $1 AND r.status = 'confirmed' AND s.status = 'accepted' \
             GROUP BY s.ground ORDER BY s.ground"
        )
        .bind(application_id)
        .fetch_all(p)
        .await)?)
    }
}
