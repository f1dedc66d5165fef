//! The raw data of the performance dashboard (C17) that the other tables do not hold: per-day
//! view and download counters of documents (the counters are the data, not a cache), and the
//! bulk reads the dashboard needs (an agency's ratings and interpretation links in one query
//! each, so that a year of 100,000 applications is not 100,000 round trips).

use crate::{Db, RatingRow, StoreError, StoreResult, db_run};
use time::Date;
use uuid::Uuid;

/// Views and downloads of one published document of an agency over a span of days.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DocumentUsageRow {
    pub document_id: Uuid,
    pub external_id: String,
    pub title: String,
    pub views: i64,
    pub downloads: i64,
    /// Visits of the application form through the document page's "apply for related
    /// information" link.
    pub onward_to_application: i64,
}

/// What one counted use adds to a document's counters for a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocumentUsageDelta {
    pub views: i64,
    pub downloads: i64,
    pub onward_to_application: i64,
}

/// A document and the interpretation (政策解读) linked to it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DocumentLinkRow {
    pub document_id: Uuid,
    pub interpretation_id: Uuid,
}

impl Db {
    /// Adds views, downloads and onward visits to a published document's counters for `day`.
    /// A document that does not exist or is not published is not counted (and is not an error:
    /// the page that counts answers on its own).
    pub async fn document_usage_add(
        &self,
        external_id: &str,
        day: Date,
        delta: DocumentUsageDelta,
    ) -> StoreResult<()> {
        // SQLite needs the WHERE clause of INSERT … SELECT before ON CONFLICT to parse it as an
        // upsert; PostgreSQL accepts the same text.
        db_run!(self, |p| sqlx::query(
            "INSERT INTO document_usage (document_id, day, views, downloads, onward_to_application) \
             SELECT id, $2, $3, $4, $5 FROM documents \
             WHERE external_id = $1 AND status = 'published' \
             ON CONFLICT (document_id, day) DO UPDATE SET \
             views = document_usage.views + excluded.views, \
             downloads = document_usage.downloads + excluded.downloads, \
             onward_to_application = \
             document_usage.onward_to_application + excluded.onward_to_application"
        )
        .bind(external_id)
        .bind(day)
        .bind(delta.views)
        .bind(delta.downloads)
        .bind(delta.onward_to_application)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        Ok(())
    }

    /// Every published document of an agency with its views and downloads from `from` through
    /// `through` (zero when never used), ordered by external id.
    pub async fn document_usage_of_agency(
        &self,
        agency_id: Uuid,
        from: Date,
        through: Date,
    ) -> StoreResult<Vec<DocumentUsageRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, DocumentUsageRow>(
            "SELECT d.id AS document_id, d.external_id, d.title, \
             CAST(COALESCE(SUM(u.views), 0) AS BIGINT) AS views, \
             CAST(COALESCE(SUM(u.downloads), 0) AS BIGINT) AS downloads, \
             CAST(COALESCE(SUM(u.onward_to_application), 0) AS BIGINT) AS onward_to_application \
             FROM documents d LEFT JOIN document_usage u \
             ON u.document_id = d.id AND u.day >= $2 AND u.day <= $3 \
             WHERE d.agency_id = $1 AND d.status = 'published' \
             GROUP BY d.id, d.external_id, d.title ORDER BY d.external_id"
        )
        .bind(agency_id)
        .bind(from)
        .bind(through)
        .fetch_all(p)
        .await)?)
    }

    /// The interpretation links whose interpreted document belongs to an agency.
    pub async fn document_links_of_agency(
        &self,
        agency_id: Uuid,
    ) -> StoreResult<Vec<DocumentLinkRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, DocumentLinkRow>(
            "SELECT l.document_id, l.interpretation_id FROM document_links l \
             JOIN documents d ON d.id = l.document_id WHERE d.agency_id = $1 \
             ORDER BY l.document_id, l.interpretation_id"
        )
        .bind(agency_id)
        .fetch_all(p)
        .await)?)
    }

    /// Every rating of a reply of an agency's applications.
    pub async fn ratings_of_agency(&self, agency_id: Uuid) -> StoreResult<Vec<RatingRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, RatingRow>(
            "SELECT r.application_id, r.rating, r.comment, r.rated_at \
             FROM application_ratings r JOIN applications a ON a.id = r.application_id \
             WHERE a.agency_id = $1 ORDER BY r.application_id"
        )
        .bind(agency_id)
        .fetch_all(p)
        .await)?)
    }
}
