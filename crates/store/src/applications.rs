//! Disclosure applications, their events, receipt numbers, attachments (content-addressed
//! blobs) and the notification outbox.
//!
//! Writes that belong together go through one `Tx`: a new application with its first event
//! and its notification, or a command's events with the refreshed state cache. A stale
//! `version` makes the update touch no row, which the caller reports as a conflict.

use crate::{Db, StoreError, StoreResult, Tx, db_run, tx_run};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub receipt_number: String,
    pub applicant_account_id: Option<Uuid>,
    pub idempotency_key: Option<String>,
    pub channel: String,
    pub applicant_kind: String,
    pub applicant_name: String,
    pub identity_kind: String,
    pub identity_number: String,
    pub organisation_code: String,
    pub legal_representative: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub postal_address: String,
    pub information_description: String,
    pub document_number: String,
    pub purpose: String,
    pub form_preference: String,
    pub delivery_preference: String,
    pub stage: String,
    pub receipt_date: Option<Date>,
    pub reply_due_date: Option<Date>,
    pub reply_due_provisional: bool,
    pub lead_department_id: Option<String>,
    pub reply_kind: Option<String>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApplicationEventRow {
    pub id: Uuid,
    pub application_id: Uuid,
    pub seq: i64,
    pub kind: String,
    pub data: String,
    pub actor_id: Option<Uuid>,
    pub occurred_at: OffsetDateTime,
}

/// The state cache written after every command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationStateCache {
    pub stage: String,
    pub receipt_date: Option<Date>,
    pub reply_due_date: Option<Date>,
    pub reply_due_provisional: bool,
    pub lead_department_id: Option<String>,
    pub reply_kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: Uuid,
    pub created_at: OffsetDateTime,
    pub kind: String,
    pub account_id: Option<Uuid>,
    pub recipient_email: String,
    pub subject: String,
    pub body: String,
    pub application_id: Option<Uuid>,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
    pub last_error: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: Uuid,
    pub application_id: Uuid,
    pub sha256: String,
    pub filename: String,
    pub content_type: String,
    pub purpose: String,
    pub uploaded_by: Option<Uuid>,
    pub created_at: OffsetDateTime,
}

const APPLICATION_COLUMNS: &str = "id, agency_id, receipt_number, applicant_account_id, \
    idempotency_key, channel, applicant_kind, applicant_name, identity_kind, identity_number, \
    organisation_code, legal_representative, contact_phone, contact_email, postal_address, \
    information_description, document_number, purpose, form_preference, delivery_preference, \
    stage, receipt_date, reply_due_date, reply_due_provisional, lead_department_id, reply_kind, \
    version, created_at, updated_at";

/// The most applications one queue page lists.
pub const APPLICATION_PAGE_MAX: i64 = 200;

/// A filter for the staff queue.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub agency_ids: Vec<Uuid>,
    pub stages: Vec<String>,
    pub lead_department_id: Option<String>,
    /// Only applications whose reply is due on or before this date.
    pub due_on_or_before: Option<Date>,
    pub sort: QueueSort,
    pub limit: i64,
    pub offset: i64,
}

/// The orders the staff queue can be sorted in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueSort {
    /// Most urgent first (the default; served from the queue index).
    #[default]
    Due,
    /// Newest application first.
    Newest,
    /// By receipt number.
    ReceiptNumber,
}

impl QueueSort {
    pub fn parse(code: &str) -> Option<QueueSort> {
        match code {
            "" | "due" => Some(QueueSort::Due),
            "newest" => Some(QueueSort::Newest),
            "number" => Some(QueueSort::ReceiptNumber),
            _ => None,
        }
    }

    /// The ORDER BY clause; constants only, never input.
    fn order_by(self) -> &'static str {
        match self {
            QueueSort::Due => "(reply_due_date IS NULL), reply_due_date, created_at",
            QueueSort::Newest => "created_at DESC, id DESC",
            QueueSort::ReceiptNumber => "receipt_number",
        }
    }
}

impl Tx {
    /// The next receipt-number sequence value for an agency and year. The row lock taken by
    /// the upsert serialises concurrent submissions on PostgreSQL; SQLite has one writer.
    pub async fn next_receipt_sequence(&mut self, agency_id: Uuid, year: i32) -> StoreResult<i64> {
        Ok(tx_run!(self, |c| {
            sqlx::query_scalar::<_, i64>(
            "INSERT INTO receipt_counters (agency_id, year, last_value) VALUES ($1, $2, 1) \
             ON CONFLICT (agency_id, year) DO UPDATE SET last_value = receipt_counters.last_value + 1 \
             RETURNING last_value"
        )
        .bind(agency_id)
        .bind(i64::from(year))
        .fetch_one(c)
        .await
        })?)
    }

    pub async fn application_insert(&mut self, row: &ApplicationRow) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO applications (id, agency_id, receipt_number, applicant_account_id, \
             idempotency_key, channel, applicant_kind, applicant_name, identity_kind, identity_number, \
             organisation_code, legal_representative, contact_phone, contact_email, postal_address, \
             information_description, document_number, purpose, form_preference, delivery_preference, \
             stage, receipt_date, reply_due_date, reply_due_provisional, lead_department_id, reply_kind, \
             version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
             $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)"
        )
        .bind(row.id)
        .bind(row.agency_id)
        .bind(&row.receipt_number)
        .bind(row.applicant_account_id)
        .bind(&row.idempotency_key)
        .bind(&row.channel)
        .bind(&row.applicant_kind)
        .bind(&row.applicant_name)
        .bind(&row.identity_kind)
        .bind(&row.identity_number)
        .bind(&row.organisation_code)
        .bind(&row.legal_representative)
        .bind(&row.contact_phone)
        .bind(&row.contact_email)
        .bind(&row.postal_address)
        .bind(&row.information_description)
        .bind(&row.document_number)
        .bind(&row.purpose)
        .bind(&row.form_preference)
        .bind(&row.delivery_preference)
        .bind(&row.stage)
        .bind(row.receipt_date)
        .bind(row.reply_due_date)
        .bind(row.reply_due_provisional)
        .bind(&row.lead_department_id)
        .bind(&row.reply_kind)
        .bind(row.version)
        .bind(row.created_at)
        .bind(row.updated_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        Ok(())
    }

    pub async fn application_event_insert(&mut self, row: &ApplicationEventRow) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO application_events (id, application_id, seq, kind, data, actor_id, occurred_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(row.id)
        .bind(row.application_id)
        .bind(row.seq)
        .bind(&row.kind)
        .bind(&row.data)
        .bind(row.actor_id)
        .bind(row.occurred_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        Ok(())
    }

    /// Rewrites the state cache if nobody changed the application since `expected_version`.
    /// Returns false when the version moved on (a concurrent change won).
    pub async fn application_update_state(
        &mut self,
        id: Uuid,
        expected_version: i64,
        cache: &ApplicationStateCache,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let n = tx_run!(self, |c| sqlx::query(
            "UPDATE applications SET stage = $3, receipt_date = $4, reply_due_date = $5, \
             reply_due_provisional = $6, lead_department_id = $7, reply_kind = $8, \
             version = version + 1, updated_at = $9 WHERE id = $1 AND version = $2"
        )
        .bind(id)
        .bind(expected_version)
        .bind(&cache.stage)
        .bind(cache.receipt_date)
        .bind(cache.reply_due_date)
        .bind(cache.reply_due_provisional)
        .bind(&cache.lead_department_id)
        .bind(&cache.reply_kind)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn outbox_insert(&mut self, row: &OutboxRow) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO outbox (id, created_at, kind, account_id, recipient_email, subject, body, \
             application_id, status, attempts, next_attempt_at, sent_at, last_error) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        )
        .bind(row.id)
        .bind(row.created_at)
        .bind(&row.kind)
        .bind(row.account_id)
        .bind(&row.recipient_email)
        .bind(&row.subject)
        .bind(&row.body)
        .bind(row.application_id)
        .bind(&row.status)
        .bind(row.attempts)
        .bind(row.next_attempt_at)
        .bind(row.sent_at)
        .bind(&row.last_error)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Stores a blob once per content hash.
    pub async fn blob_insert(
        &mut self,
        sha256: &str,
        content: &[u8],
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO blobs (sha256, content, size_bytes, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (sha256) DO NOTHING"
        )
        .bind(sha256)
        .bind(content)
        .bind(content.len() as i64)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn attachment_insert(&mut self, row: &AttachmentRow) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO application_attachments (id, application_id, sha256, filename, content_type, \
             purpose, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(row.id)
        .bind(row.application_id)
        .bind(&row.sha256)
        .bind(&row.filename)
        .bind(&row.content_type)
        .bind(&row.purpose)
        .bind(row.uploaded_by)
        .bind(row.created_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        Ok(())
    }

    pub async fn application_event_count(&mut self, application_id: Uuid) -> StoreResult<i64> {
        Ok(tx_run!(self, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM application_events WHERE application_id = $1"
        )
        .bind(application_id)
        .fetch_one(c)
        .await)?)
    }
}

impl Db {
    pub async fn application_get(&self, id: Uuid) -> StoreResult<Option<ApplicationRow>> {
        let sql = format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE id = $1");
        Ok(db_run!(self, |p| sqlx::query_as::<_, ApplicationRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(id)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn application_by_idempotency_key(
        &self,
        key: &str,
    ) -> StoreResult<Option<ApplicationRow>> {
        let sql =
            format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE idempotency_key = $1");
        Ok(db_run!(self, |p| sqlx::query_as::<_, ApplicationRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(key)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn application_events(
        &self,
        application_id: Uuid,
    ) -> StoreResult<Vec<ApplicationEventRow>> {
        Ok(db_run!(self, |p| {
            sqlx::query_as::<_, ApplicationEventRow>(
                "SELECT id, application_id, seq, kind, data, actor_id, occurred_at \
             FROM application_events WHERE application_id = $1 ORDER BY seq",
            )
            .bind(application_id)
            .fetch_all(p)
            .await
        })?)
    }

    /// An applicant's own applications, newest first.
    pub async fn applications_of_account(
        &self,
        account_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<ApplicationRow>> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE applicant_account_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        Ok(db_run!(self, |p| sqlx::query_as::<_, ApplicationRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(account_id)
        .bind(limit.clamp(1, APPLICATION_PAGE_MAX))
        .fetch_all(p)
        .await)?)
    }

    /// The staff queue: open applications of some agencies, most urgent first.
    pub async fn application_queue(
        &self,
        filter: &QueueFilter,
    ) -> StoreResult<Vec<ApplicationRow>> {
        if filter.agency_ids.is_empty() {
            return Ok(Vec::new());
        }
        // Placeholders are generated, values are always bound: the SQL text holds no input.
        let mut sql =
            format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE agency_id IN (");
        let mut n = 0;
        for i in 0..filter.agency_ids.len() {
            n += 1;
            sql.push_str(&format!("{}${n}", if i > 0 { ", " } else { "" }));
        }
        sql.push(')');
        // "Every open stage" is written as the literal predicate of the partial index
        // `applications_open_queue` (the closed stages are constants of the domain, not
        // input), because a database uses a partial index only when the query's own predicate
        // visibly implies it; bound values would hide that.
        let open_only = is_every_open_stage(&filter.stages);
        if open_only {
            sql.push_str(&format!(" AND stage NOT IN ({})", closed_stage_literals()));
        } else if !filter.stages.is_empty() {
            sql.push_str(" AND stage IN (");
            for i in 0..filter.stages.len() {
                n += 1;
                sql.push_str(&format!("{}${n}", if i > 0 { ", " } else { "" }));
            }
            sql.push(')');
        }
        if filter.lead_department_id.is_some() {
            n += 1;
            sql.push_str(&format!(" AND lead_department_id = ${n}"));
        }
        if filter.due_on_or_before.is_some() {
            n += 1;
            sql.push_str(&format!(" AND reply_due_date <= ${n}"));
        }
        sql.push_str(&format!(
            " ORDER BY {} LIMIT ${} OFFSET ${}",
            filter.sort.order_by(),
            n + 1,
            n + 2
        ));
        macro_rules! bind_all {
            ($q:expr) => {{
                let mut q = $q;
                for id in &filter.agency_ids {
                    q = q.bind(*id);
                }
                if !open_only {
                    for stage in &filter.stages {
                        q = q.bind(stage.clone());
                    }
                }
                if let Some(d) = &filter.lead_department_id {
                    q = q.bind(d.clone());
                }
                if let Some(date) = filter.due_on_or_before {
                    q = q.bind(date);
                }
                q.bind(filter.limit.clamp(1, APPLICATION_PAGE_MAX))
                    .bind(filter.offset.max(0))
            }};
        }
        Ok(db_run!(self, |p| bind_all!(sqlx::query_as::<
            _,
            ApplicationRow,
        >(
            sqlx::AssertSqlSafe(sql.clone())
        ))
        .fetch_all(p)
        .await)?)
    }

    /// Open applications (for recomputing deadlines after a calendar change).
    pub async fn application_open_ids(&self) -> StoreResult<Vec<Uuid>> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, Uuid>(
            "SELECT id FROM applications WHERE stage NOT IN \
             ('issued', 'delivered', 'archived', 'abandoned', 'withdrawn')"
        )
        .fetch_all(p)
        .await)?)
    }

    pub async fn application_count(&self) -> StoreResult<i64> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM applications"
        )
        .fetch_one(p)
        .await)?)
    }

    pub async fn attachments_of(&self, application_id: Uuid) -> StoreResult<Vec<AttachmentRow>> {
        Ok(db_run!(self, |p| {
            sqlx::query_as::<_, AttachmentRow>(
            "SELECT id, application_id, sha256, filename, content_type, purpose, uploaded_by, created_at \
             FROM application_attachments WHERE application_id = $1 ORDER BY created_at"
        )
        .bind(application_id)
        .fetch_all(p)
        .await
        })?)
    }

    pub async fn blob_get(&self, sha256: &str) -> StoreResult<Option<Vec<u8>>> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, Vec<u8>>(
            "SELECT content FROM blobs WHERE sha256 = $1"
        )
        .bind(sha256)
        .fetch_optional(p)
        .await)?)
    }

    /// Claims up to `limit` outbox rows that are due (pending, or claimed by a worker whose
    /// lease ran out), leasing them until `lease_until`. On PostgreSQL the inner SELECT skips
    /// rows another process has locked (SKIP LOCKED), so several processes share the work
    /// without sending a message twice; SQLite has a single writer, so the UPDATE is atomic.
    pub async fn outbox_claim(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<OutboxRow>> {
        const COLUMNS: &str = "id, created_at, kind, account_id, recipient_email, subject, body, \
            application_id, status, attempts, next_attempt_at, sent_at, last_error";
        let lock = match self {
            Db::Sqlite(_) => "",
            Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE outbox SET status = 'sending', next_attempt_at = $2 WHERE id IN (\
             SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at LIMIT $3{lock}) RETURNING {COLUMNS}"
        );
        Ok(db_run!(self, |p| sqlx::query_as::<_, OutboxRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(now)
        .bind(lease_until)
        .bind(limit)
        .fetch_all(p)
        .await)?)
    }

    pub async fn outbox_for_account(
        &self,
        account_id: Uuid,
        limit: i64,
    ) -> StoreResult<Vec<OutboxRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, OutboxRow>(
            "SELECT id, created_at, kind, account_id, recipient_email, subject, body, \
             application_id, status, attempts, next_attempt_at, sent_at, last_error \
             FROM outbox WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(p)
        .await)?)
    }

    pub async fn outbox_mark(
        &self,
        id: Uuid,
        status: &str,
        attempts: i64,
        next_attempt_at: OffsetDateTime,
        sent_at: Option<OffsetDateTime>,
        last_error: &str,
    ) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "UPDATE outbox SET status = $2, attempts = $3, next_attempt_at = $4, sent_at = $5, \
             last_error = $6 WHERE id = $1"
        )
        .bind(id)
        .bind(status)
        .bind(attempts)
        .bind(next_attempt_at)
        .bind(sent_at)
        .bind(last_error)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Rewrites only the due-date cache (after a calendar change).
    pub async fn application_set_due(
        &self,
        id: Uuid,
        reply_due_date: Option<Date>,
        provisional: bool,
    ) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "UPDATE applications SET reply_due_date = $2, reply_due_provisional = $3 WHERE id = $1"
        )
        .bind(id)
        .bind(reply_due_date)
        .bind(provisional)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }
}

/// An applicant's rating of a reply.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RatingRow {
    pub application_id: Uuid,
    pub rating: i64,
    pub comment: String,
    pub rated_at: OffsetDateTime,
}

impl Db {
    /// Records (or replaces) the applicant's rating of a reply.
    pub async fn rating_upsert(&self, row: &RatingRow) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO application_ratings (application_id, rating, comment, rated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (application_id) DO UPDATE SET \
             rating = excluded.rating, comment = excluded.comment, rated_at = excluded.rated_at"
        )
        .bind(row.application_id)
        .bind(row.rating)
        .bind(&row.comment)
        .bind(row.rated_at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn rating_get(&self, application_id: Uuid) -> StoreResult<Option<RatingRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, RatingRow>(
            "SELECT application_id, rating, comment, rated_at FROM application_ratings \
             WHERE application_id = $1"
        )
        .bind(application_id)
        .fetch_optional(p)
        .await)?)
    }

    /// Whether a notice of `kind` about an application already exists (reminders are sent
    /// once per due date, so the kind carries the date).
    pub async fn outbox_exists(&self, application_id: Uuid, kind: &str) -> StoreResult<bool> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM outbox WHERE application_id = $1 AND kind = $2"
        )
        .bind(application_id)
        .bind(kind)
        .fetch_one(p)
        .await)?
            > 0)
    }

    /// Open applications whose reply is due on or before `date`.
    pub async fn applications_due_by(&self, date: Date) -> StoreResult<Vec<ApplicationRow>> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE reply_due_date <= $1 AND stage NOT IN \
             ('issued', 'delivered', 'archived', 'abandoned', 'withdrawn') ORDER BY reply_due_date"
        );
        Ok(db_run!(self, |p| sqlx::query_as::<_, ApplicationRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(date)
        .fetch_all(p)
        .await)?)
    }

    pub async fn outbox_insert(&self, row: &OutboxRow) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        tx.outbox_insert(row).await?;
        tx.commit().await
    }
}

/// One cell group of the department dashboard.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StageStatsRow {
    pub lead_department_id: String,
    pub stage: String,
    pub n_applications: i64,
    pub n_overdue: i64,
    pub n_due_soon: i64,
}

impl Db {
    /// Counts an agency's applications by lead department and stage, with how many are
    /// overdue (due before `today`) and due soon (due on or before `soon`).
    pub async fn application_stats(
        &self,
        agency_id: Uuid,
        today: Date,
        soon: Date,
    ) -> StoreResult<Vec<StageStatsRow>> {
        Ok(db_run!(self, |p| {
            sqlx::query_as::<_, StageStatsRow>(
            "SELECT COALESCE(lead_department_id, '') AS lead_department_id, stage, \
             COUNT(*) AS n_applications, \
             COALESCE(SUM(CASE WHEN reply_due_date < $2 THEN 1 ELSE 0 END), 0) AS n_overdue, \
             COALESCE(SUM(CASE WHEN reply_due_date >= $2 AND reply_due_date <= $3 THEN 1 ELSE 0 END), 0) AS n_due_soon \
             FROM applications WHERE agency_id = $1 GROUP BY COALESCE(lead_department_id, ''), stage \
             ORDER BY 1, 2"
        )
        .bind(agency_id)
        .bind(today)
        .bind(soon)
        .fetch_all(p)
        .await
        })?)
    }
}

impl Db {
    /// Every application of an agency (for the annual report, which must see them all).
    pub async fn applications_of_agency(
        &self,
        agency_id: Uuid,
    ) -> StoreResult<Vec<ApplicationRow>> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE agency_id = $1 ORDER BY created_at, id"
        );
        Ok(db_run!(self, |p| sqlx::query_as::<_, ApplicationRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(agency_id)
        .fetch_all(p)
        .await)?)
    }
}

/// The most answered applications of one applicant at one agency that the repeat check
/// (Art. 36(6)) reads; a bound of our choosing, so that a prolific applicant's history cannot
/// make one staff page slow. The newest are read first, as they are the likeliest repeats.
pub const ANSWERED_APPLICATIONS_OF_APPLICANT_MAX: i64 = 500;

impl Db {
    /// One applicant's applications to one agency that were answered (the reply issued,
    /// delivered or archived), created no later than `created_on_or_before`, other than
    /// `except_id`, newest first. It reads through the `applications_applicant` index and is
    /// bounded to that applicant: the repeat check of Art. 36(6) compares only these.
    pub async fn answered_applications_of_applicant(
        &self,
        applicant_account_id: Uuid,
        agency_id: Uuid,
        except_id: Uuid,
        created_on_or_before: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<ApplicationRow>> {
        use gongkai_domain::application::Stage;
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications \
             WHERE applicant_account_id = $1 AND agency_id = $2 AND id <> $3 \
             AND created_at <= $4 AND stage IN ($5, $6, $7) \
             ORDER BY created_at DESC, id DESC LIMIT $8"
        );
        Ok(db_run!(self, |p| sqlx::query_as::<_, ApplicationRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(applicant_account_id)
        .bind(agency_id)
        .bind(except_id)
        .bind(created_on_or_before)
        .bind(Stage::Issued.code())
        .bind(Stage::Delivered.code())
        .bind(Stage::Archived.code())
        .bind(limit.clamp(1, ANSWERED_APPLICATIONS_OF_APPLICANT_MAX))
        .fetch_all(p)
        .await)?)
    }
}

/// Whether `stages` names exactly the open stages of the domain.
fn is_every_open_stage(stages: &[String]) -> bool {
    use gongkai_domain::application::Stage;
    let mut asked: Vec<&str> = stages.iter().map(String::as_str).collect();
    asked.sort_unstable();
    asked.dedup();
    let mut open: Vec<&str> = Stage::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(Stage::code)
        .collect();
    open.sort_unstable();
    !asked.is_empty() && asked == open
}

/// The closed stages as SQL literals, e.g. `'issued', 'delivered'`. They are the domain's
/// constant codes (lower-case ASCII and underscores), never input.
fn closed_stage_literals() -> String {
    use gongkai_domain::application::Stage;
    Stage::ALL
        .into_iter()
        .filter(|s| !s.is_open())
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod queue_tests {
    use super::*;

    #[test]
    fn the_literal_predicate_matches_the_partial_index() {
        // The migration's WHERE clause must name exactly the closed stages of the domain.
        let migration = include_str!("../migrations/sqlite/0006_queue_order.sql");
        assert!(migration.contains(&format!("stage NOT IN ({})", closed_stage_literals())));
        let open: Vec<String> = gongkai_domain::application::Stage::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(|s| s.code().to_string())
            .collect();
        assert!(is_every_open_stage(&open));
        assert!(!is_every_open_stage(&open[1..]));
        assert!(!is_every_open_stage(&[]));
    }
}
