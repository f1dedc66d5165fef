//! Datasets (C12, open data first step): the checked table of a document version with its
//! Table Schema, and the reads that publish them. The table stays with the later versions of
//! its document until another upload replaces it, like an attachment.

use crate::{Db, StoreError, StoreResult, Tx, db_run, tx_run};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

const DATASET_COLUMNS: &str = "document_id, version, schema_json, csv_text, csv_sha256, \
     row_count, uploaded_by, created_at";

/// One stored dataset.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DatasetRow {
    pub document_id: Uuid,
    /// The version it was uploaded to.
    pub version: i64,
    pub schema_json: String,
    /// The CSV as checked, in canonical form (UTF-8, RFC 4180, CRLF).
    pub csv_text: String,
    pub csv_sha256: String,
    pub row_count: i64,
    pub uploaded_by: Option<Uuid>,
    pub created_at: OffsetDateTime,
}

/// A published document's dataset, for the installation-wide catalog.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PublishedDatasetRow {
    pub external_id: String,
    pub title: String,
    pub issuer: String,
    pub agency_slug: String,
    pub agency_name_zh: String,
    pub published_date: Option<Date>,
    pub updated_at: OffsetDateTime,
    pub csv_sha256: String,
    pub row_count: i64,
}

impl Db {
    /// The dataset in force for `version` of a document: the one uploaded to the latest
    /// version up to `version`.
    pub async fn dataset_of_version(
        &self,
        document_id: Uuid,
        version: i64,
    ) -> StoreResult<Option<DatasetRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, DatasetRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {DATASET_COLUMNS} FROM document_datasets \
                 WHERE document_id = $1 AND version <= $2 ORDER BY version DESC LIMIT 1"
            ))
        )
        .bind(document_id)
        .bind(version)
        .fetch_optional(p)
        .await)?)
    }

    /// Every published document that has a dataset in force for its current version, by
    /// external id.
    pub async fn published_datasets(&self) -> StoreResult<Vec<PublishedDatasetRow>> {
        Ok(db_run!(self, |p| {
            sqlx::query_as::<_, PublishedDatasetRow>(
                "SELECT d.external_id, d.title, d.issuer, a.slug AS agency_slug, \
             a.name_zh AS agency_name_zh, d.published_date, d.updated_at, \
             s.csv_sha256, s.row_count \
             FROM documents d JOIN agencies a ON a.id = d.agency_id \
             JOIN document_datasets s ON s.document_id = d.id \
             WHERE d.status = 'published' AND s.version = (\
               SELECT MAX(x.version) FROM document_datasets x \
               WHERE x.document_id = d.id AND x.version <= d.current_version) \
             ORDER BY d.external_id",
            )
            .fetch_all(p)
            .await
        })?)
    }
}

impl Tx {
    /// Stores the dataset of a (draft) version, replacing an earlier upload to the same
    /// version.
    pub async fn dataset_upsert(&mut self, row: &DatasetRow) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO document_datasets ({DATASET_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (document_id, version) DO UPDATE SET \
             schema_json = excluded.schema_json, csv_text = excluded.csv_text, \
             csv_sha256 = excluded.csv_sha256, row_count = excluded.row_count, \
             uploaded_by = excluded.uploaded_by, created_at = excluded.created_at"
        )))
        .bind(row.document_id)
        .bind(row.version)
        .bind(&row.schema_json)
        .bind(&row.csv_text)
        .bind(&row.csv_sha256)
        .bind(row.row_count)
        .bind(row.uploaded_by)
        .bind(row.created_at)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }
}
