//! Storage of remedies (Art. 51) and of the annual report's inputs and published form: the
//! figures departments enter, the section texts, and the JSON of each published report.

use crate::{ApplicationEventRow, Db, StoreError, StoreResult, Tx, db_run, tx_run};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RemedyRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub application_id: Uuid,
    /// `gongkai_domain::remedy::RemedyKind::code`.
    pub kind: String,
    pub body_name: String,
    pub case_number: String,
    pub known_on: Date,
    pub filed_on: Date,
    pub simplified: bool,
    /// `gongkai_domain::remedy::RemedyOutcome::code`.
    pub outcome: String,
    pub decided_on: Option<Date>,
    pub decision_note: String,
    pub created_by: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

const REMEDY_COLUMNS: &str = "id, agency_id, application_id, kind, body_name, case_number, \
    known_on, filed_on, simplified, outcome, decided_on, decision_note, created_by, created_at, \
    updated_at";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportFiguresRow {
    pub agency_id: Uuid,
    pub year: i64,
    /// A department's id as text, or empty for figures entered for the whole agency.
    pub department_key: String,
    pub licensing_decisions: i64,
    pub penalty_decisions: i64,
    pub coercion_decisions: i64,
    pub administrative_fees_fen: i64,
    pub entered_by: Option<Uuid>,
    pub entered_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AnnualReportRow {
    pub agency_id: Uuid,
    pub year: i64,
    pub overview: String,
    pub problems_and_improvements: String,
    pub other_matters: String,
    pub updated_by: Option<Uuid>,
    pub updated_at: OffsetDateTime,
    pub published_json: Option<String>,
    pub published_document: Option<String>,
    pub published_at: Option<OffsetDateTime>,
    pub published_by: Option<Uuid>,
}

/// The columns of an application the annual report reads.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApplicationReportRow {
    pub id: Uuid,
    pub channel: String,
    pub receipt_number: String,
    pub applicant_kind: String,
}

/// A published document's listing facts and current metadata, for table 二.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PublishedDocumentFacts {
    pub external_id: String,
    pub level: String,
    pub published_date: Option<Date>,
    /// The current version's metadata as JSON.
    pub metadata: String,
}

const REPORT_COLUMNS: &str = "agency_id, year, overview, problems_and_improvements, \
    other_matters, updated_by, updated_at, published_json, published_document, published_at, \
    published_by";

impl Db {
    pub async fn remedy_insert(&self, row: &RemedyRow) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO remedies (id, agency_id, application_id, kind, body_name, case_number, \
             known_on, filed_on, simplified, outcome, decided_on, decision_note, created_by, \
             created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        )
        .bind(row.id)
        .bind(row.agency_id)
        .bind(row.application_id)
        .bind(&row.kind)
        .bind(&row.body_name)
        .bind(&row.case_number)
        .bind(row.known_on)
        .bind(row.filed_on)
        .bind(row.simplified)
        .bind(&row.outcome)
        .bind(row.decided_on)
        .bind(&row.decision_note)
        .bind(row.created_by)
        .bind(row.created_at)
        .bind(row.updated_at)
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    /// Records a remedy's decision (or clears it back to pending).
    pub async fn remedy_decide(
        &self,
        id: Uuid,
        outcome: &str,
        decided_on: Option<Date>,
        decision_note: &str,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let affected = db_run!(self, |p| sqlx::query(
            "UPDATE remedies SET outcome = $2, decided_on = $3, decision_note = $4, \
             updated_at = $5 WHERE id = $1"
        )
        .bind(id)
        .bind(outcome)
        .bind(decided_on)
        .bind(decision_note)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        Ok(affected == 1)
    }

    pub async fn remedy_get(&self, id: Uuid) -> StoreResult<Option<RemedyRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, RemedyRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {REMEDY_COLUMNS} FROM remedies WHERE id = $1"
            ))
        )
        .bind(id)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn remedies_of_application(
        &self,
        application_id: Uuid,
    ) -> StoreResult<Vec<RemedyRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, RemedyRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {REMEDY_COLUMNS} FROM remedies WHERE application_id = $1 \
                 ORDER BY filed_on, created_at"
            ))
        )
        .bind(application_id)
        .fetch_all(p)
        .await)?)
    }

    pub async fn remedies_of_agency(&self, agency_id: Uuid) -> StoreResult<Vec<RemedyRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, RemedyRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {REMEDY_COLUMNS} FROM remedies WHERE agency_id = $1 \
                 ORDER BY filed_on, created_at"
            ))
        )
        .bind(agency_id)
        .fetch_all(p)
        .await)?)
    }

    /// Every event of every application of an agency in one query, ordered by application and
    /// sequence (the performance dashboard reads whole rows).
    pub async fn application_events_of_agency(
        &self,
        agency_id: Uuid,
    ) -> StoreResult<Vec<ApplicationEventRow>> {
        Ok(db_run!(self, |p| {
            sqlx::query_as::<_, ApplicationEventRow>(
                "SELECT e.id, e.application_id, e.seq, e.kind, e.data, e.actor_id, e.occurred_at \
             FROM application_events e JOIN applications a ON a.id = e.application_id \
             WHERE a.agency_id = $1 ORDER BY e.application_id, e.seq",
            )
            .bind(agency_id)
            .fetch_all(p)
            .await
        })?)
    }

    /// What the annual report needs of each application of an agency, in one query: only the
    /// four columns it reads, so that 100,000 rows decode quickly.
    pub async fn application_report_rows(
        &self,
        agency_id: Uuid,
    ) -> StoreResult<Vec<ApplicationReportRow>> {
        Ok(db_run!(self, |p| {
            sqlx::query_as::<_, ApplicationReportRow>(
                "SELECT id, channel, receipt_number, applicant_kind FROM applications \
             WHERE agency_id = $1",
            )
            .bind(agency_id)
            .fetch_all(p)
            .await
        })?)
    }

    /// The events of kinds `kinds` of every application of an agency in one query, as
    /// (application, sequence number, JSON); unordered, because the caller groups them by
    /// application anyway and a sort of every event in the database is what made this slow.
    /// `kinds` are fixed event names chosen by the caller, never user input.
    pub async fn application_event_data_of_agency(
        &self,
        agency_id: Uuid,
        kinds: &[&'static str],
    ) -> StoreResult<Vec<(Uuid, i64, String)>> {
        let names = kinds
            .iter()
            .filter(|k| k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
            .map(|k| format!("'{k}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT e.application_id, e.seq, e.data \
             FROM application_events e JOIN applications a ON a.id = e.application_id \
             WHERE a.agency_id = $1 AND e.kind IN ({names})"
        );
        Ok(db_run!(self, |p| {
            sqlx::query_as::<_, (Uuid, i64, String)>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(agency_id)
                .fetch_all(p)
                .await
        })?)
    }

    /// The published documents of an agency with their current version's metadata (JSON),
    /// for table 二 (一).
    pub async fn published_document_facts(
        &self,
        agency_id: Uuid,
    ) -> StoreResult<Vec<PublishedDocumentFacts>> {
        Ok(db_run!(self, |p| sqlx::query_as::<
            _,
            PublishedDocumentFacts,
        >(
            "SELECT d.external_id, d.level, d.published_date, v.metadata \
             FROM documents d JOIN document_versions v \
             ON v.document_id = d.id AND v.version = d.current_version \
             WHERE d.agency_id = $1 AND d.status = 'published' ORDER BY d.external_id"
        )
        .bind(agency_id)
        .fetch_all(p)
        .await)?)
    }

    pub async fn report_figures(
        &self,
        agency_id: Uuid,
        year: i64,
    ) -> StoreResult<Vec<ReportFiguresRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, ReportFiguresRow>(
            "SELECT agency_id, year, department_key, licensing_decisions, penalty_decisions, \
             coercion_decisions, administrative_fees_fen, entered_by, entered_at \
             FROM annual_report_figures WHERE agency_id = $1 AND year = $2 \
             ORDER BY department_key"
        )
        .bind(agency_id)
        .bind(year)
        .fetch_all(p)
        .await)?)
    }

    pub async fn report_figures_set(&self, row: &ReportFiguresRow) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO annual_report_figures (agency_id, year, department_key, \
             licensing_decisions, penalty_decisions, coercion_decisions, \
             administrative_fees_fen, entered_by, entered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (agency_id, year, department_key) DO UPDATE SET \
             licensing_decisions = excluded.licensing_decisions, \
             penalty_decisions = excluded.penalty_decisions, \
             coercion_decisions = excluded.coercion_decisions, \
             administrative_fees_fen = excluded.administrative_fees_fen, \
             entered_by = excluded.entered_by, entered_at = excluded.entered_at"
        )
        .bind(row.agency_id)
        .bind(row.year)
        .bind(&row.department_key)
        .bind(row.licensing_decisions)
        .bind(row.penalty_decisions)
        .bind(row.coercion_decisions)
        .bind(row.administrative_fees_fen)
        .bind(row.entered_by)
        .bind(row.entered_at)
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    pub async fn annual_report_get(
        &self,
        agency_id: Uuid,
        year: i64,
    ) -> StoreResult<Option<AnnualReportRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, AnnualReportRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {REPORT_COLUMNS} FROM annual_reports WHERE agency_id = $1 AND year = $2"
            ))
        )
        .bind(agency_id)
        .bind(year)
        .fetch_optional(p)
        .await)?)
    }

    /// The published reports of an agency, newest year first.
    pub async fn annual_reports_published(
        &self,
        agency_id: Uuid,
    ) -> StoreResult<Vec<AnnualReportRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, AnnualReportRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {REPORT_COLUMNS} FROM annual_reports WHERE agency_id = $1 \
                 AND published_at IS NOT NULL ORDER BY year DESC"
            ))
        )
        .bind(agency_id)
        .fetch_all(p)
        .await)?)
    }

    /// Saves the section texts, keeping any published form.
    pub async fn annual_report_texts_set(&self, row: &AnnualReportRow) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO annual_reports (agency_id, year, overview, problems_and_improvements, \
             other_matters, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (agency_id, year) DO UPDATE SET overview = excluded.overview, \
             problems_and_improvements = excluded.problems_and_improvements, \
             other_matters = excluded.other_matters, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at"
        )
        .bind(row.agency_id)
        .bind(row.year)
        .bind(&row.overview)
        .bind(&row.problems_and_improvements)
        .bind(&row.other_matters)
        .bind(row.updated_by)
        .bind(row.updated_at)
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }
}

impl Tx {
    /// Records the published form of a report inside the transaction that publishes its
    /// document (and appends that to the transparency log).
    pub async fn annual_report_mark_published(&mut self, row: &AnnualReportRow) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO annual_reports (agency_id, year, overview, problems_and_improvements, \
             other_matters, updated_by, updated_at, published_json, published_document, \
             published_at, published_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (agency_id, year) DO UPDATE SET overview = excluded.overview, \
             problems_and_improvements = excluded.problems_and_improvements, \
             other_matters = excluded.other_matters, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at, published_json = excluded.published_json, \
             published_document = excluded.published_document, \
             published_at = excluded.published_at, published_by = excluded.published_by"
        )
        .bind(row.agency_id)
        .bind(row.year)
        .bind(&row.overview)
        .bind(&row.problems_and_improvements)
        .bind(&row.other_matters)
        .bind(row.updated_by)
        .bind(row.updated_at)
        .bind(&row.published_json)
        .bind(&row.published_document)
        .bind(row.published_at)
        .bind(row.published_by)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }
}
