//! Storage of the transparency log: entries and the Merkle tree's stored hashes.
//!
//! Appends happen inside the caller's transaction. On PostgreSQL an advisory transaction lock
//! serialises appenders across processes, so two processes never compute the same index;
//! SQLite has one writer (`BEGIN IMMEDIATE`), which serialises them already.

use crate::{Db, StoreResult, Tx, db_run, tx_run};
use time::OffsetDateTime;

/// The advisory lock key that serialises log appends on PostgreSQL ("gklog" in ASCII).
const TLOG_APPEND_LOCK_KEY: i64 = 0x0067_6b6c_6f67;

/// The most entries one read returns.
pub const TLOG_ENTRIES_PAGE_MAX: i64 = 1000;

/// One entry for [`Tx::tlog_insert_many`].
#[derive(Debug, Clone)]
pub struct TlogEntryInsert {
    pub entry_index: i64,
    pub data: Vec<u8>,
    /// The document a document record is about (a lookup key, never part of the proof).
    pub document_external_id: Option<String>,
}

/// Rows per multi-row insert: 4 × 200 entry parameters and 2 × 400 hash parameters stay far
/// below both databases' limits.
const TLOG_ENTRY_ROWS_PER_INSERT: usize = 200;
const TLOG_HASH_ROWS_PER_INSERT: usize = 400;

/// `INSERT INTO table (columns) VALUES ($1, …), (…), …` for `rows` rows of `columns.len()`.
fn multi_row_insert(table: &str, columns: &[&str], rows: usize) -> String {
    let width = columns.len();
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let placeholders: Vec<String> = (1..=width)
                .map(|column| format!("${}", row * width + column))
                .collect();
            format!("({})", placeholders.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        values.join(", ")
    )
}

impl Tx {
    /// Inserts entries and stored hashes with multi-row inserts (a batch of appends).
    pub async fn tlog_insert_many(
        &mut self,
        entries: &[TlogEntryInsert],
        hashes: &[(i64, Vec<u8>)],
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        if let Tx::Postgres(t) = self {
            // PostgreSQL takes whole columns as arrays: one statement per table whatever the
            // batch size, instead of one per 200 or 400 rows each parsed with its own long
            // parameter list (2,200 appends/s that way; see docs/benchmarks.md).
            let indexes: Vec<i64> = entries.iter().map(|e| e.entry_index).collect();
            let data: Vec<&[u8]> = entries.iter().map(|e| e.data.as_slice()).collect();
            let documents: Vec<Option<&str>> = entries
                .iter()
                .map(|e| e.document_external_id.as_deref())
                .collect();
            sqlx::query(
                "INSERT INTO tlog_entries (entry_index, data, document_external_id, recorded_at) \
                 SELECT entry_index, data, document_external_id, $4 \
                 FROM UNNEST($1::BIGINT[], $2::BYTEA[], $3::TEXT[]) \
                 AS batch (entry_index, data, document_external_id)",
            )
            .bind(&indexes)
            .bind(&data)
            .bind(&documents)
            .bind(now)
            .execute(&mut **t)
            .await?;
            let hash_indexes: Vec<i64> = hashes.iter().map(|(index, _)| *index).collect();
            let hash_values: Vec<&[u8]> = hashes.iter().map(|(_, hash)| hash.as_slice()).collect();
            sqlx::query(
                "INSERT INTO tlog_hashes (hash_index, hash) \
                 SELECT * FROM UNNEST($1::BIGINT[], $2::BYTEA[])",
            )
            .bind(&hash_indexes)
            .bind(&hash_values)
            .execute(&mut **t)
            .await?;
            return Ok(());
        }
        for chunk in entries.chunks(TLOG_ENTRY_ROWS_PER_INSERT) {
            let sql = multi_row_insert(
                "tlog_entries",
                &["entry_index", "data", "document_external_id", "recorded_at"],
                chunk.len(),
            );
            tx_run!(self, |c| {
                // Only numbered placeholders are formatted into the text; values are bound.
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for entry in chunk {
                    query = query
                        .bind(entry.entry_index)
                        .bind(entry.data.as_slice())
                        .bind(entry.document_external_id.as_deref())
                        .bind(now);
                }
                query.execute(c).await.map(|r| r.rows_affected())
            })?;
        }
        for chunk in hashes.chunks(TLOG_HASH_ROWS_PER_INSERT) {
            let sql = multi_row_insert("tlog_hashes", &["hash_index", "hash"], chunk.len());
            tx_run!(self, |c| {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for (index, hash) in chunk {
                    query = query.bind(*index).bind(hash.as_slice());
                }
                query.execute(c).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }

    /// Takes the log's append lock for the rest of the transaction (PostgreSQL only).
    pub async fn tlog_lock(&mut self) -> StoreResult<()> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(TLOG_APPEND_LOCK_KEY)
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    /// The number of entries in the log. Entries are numbered 0, 1, 2, … without gaps, so the
    /// size is the highest index plus one, read from the primary key instead of counting rows.
    pub async fn tlog_size(&mut self) -> StoreResult<i64> {
        Ok(tx_run!(self, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(entry_index) + 1, 0) FROM tlog_entries"
        )
        .fetch_one(c)
        .await)?)
    }

    /// Reads stored hashes by index, in the order asked; a missing index is left out, for the
    /// caller to report (it means the log is damaged). One query per
    /// [`TLOG_HASHES_PER_QUERY`] indexes: an append reads about two hashes, a proof a few dozen.
    pub async fn tlog_hashes(&mut self, indexes: &[u64]) -> StoreResult<Vec<(i64, Vec<u8>)>> {
        let mut found = std::collections::HashMap::with_capacity(indexes.len());
        for chunk in indexes.chunks(TLOG_HASHES_PER_QUERY) {
            let sql = hashes_query(chunk.len());
            let rows = tx_run!(self, |c| {
                // Only numbered placeholders are formatted into the text; the indexes are bound.
                let mut query =
                    sqlx::query_as::<_, (i64, Vec<u8>)>(sqlx::AssertSqlSafe(sql.clone()));
                for index in chunk {
                    query = query.bind(*index as i64);
                }
                query.fetch_all(c).await
            })?;
            found.extend(rows);
        }
        Ok(in_asked_order(indexes, found))
    }

    /// Inserts entry `entry_index` and the stored hashes it completes. `document_external_id`
    /// names the document a document record is about (a lookup key for the document's history,
    /// never part of what the log proves).
    #[allow(clippy::too_many_arguments)]
    pub async fn tlog_insert(
        &mut self,
        entry_index: i64,
        data: &[u8],
        document_external_id: Option<&str>,
        first_hash_index: i64,
        hashes: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO tlog_entries (entry_index, data, document_external_id, recorded_at) \
             VALUES ($1, $2, $3, $4)"
        )
        .bind(entry_index)
        .bind(data)
        .bind(document_external_id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        for (k, hash) in hashes.iter().enumerate() {
            tx_run!(self, |c| sqlx::query(
                "INSERT INTO tlog_hashes (hash_index, hash) VALUES ($1, $2)"
            )
            .bind(first_hash_index + k as i64)
            .bind(hash)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(())
    }
}

impl Db {
    pub async fn tlog_size(&self) -> StoreResult<i64> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(entry_index) + 1, 0) FROM tlog_entries"
        )
        .fetch_one(p)
        .await)?)
    }

    pub async fn tlog_entries(&self, start: i64, limit: i64) -> StoreResult<Vec<(i64, Vec<u8>)>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, (i64, Vec<u8>)>(
            "SELECT entry_index, data FROM tlog_entries WHERE entry_index >= $1 \
             ORDER BY entry_index LIMIT $2"
        )
        .bind(start.max(0))
        .bind(limit.clamp(1, TLOG_ENTRIES_PAGE_MAX))
        .fetch_all(p)
        .await)?)
    }

    /// The entries about one document (published, corrected, withdrawn versions), oldest
    /// first, at most [`TLOG_ENTRIES_PAGE_MAX`].
    pub async fn tlog_entries_of_document(
        &self,
        external_id: &str,
    ) -> StoreResult<Vec<(i64, Vec<u8>)>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, (i64, Vec<u8>)>(
            "SELECT entry_index, data FROM tlog_entries WHERE document_external_id = $1 \
             ORDER BY entry_index LIMIT $2"
        )
        .bind(external_id)
        .bind(TLOG_ENTRIES_PAGE_MAX)
        .fetch_all(p)
        .await)?)
    }

    /// The log's size and the stored hashes asked for (at most [`TLOG_HASHES_PER_QUERY`]), read
    /// by one statement: a proof needs both, and on PostgreSQL each statement is a round trip
    /// to the server, which was most of a proof's time. The size comes with every row found;
    /// when none is found (nothing asked, or indexes beyond the log) it is read on its own.
    pub async fn tlog_size_and_hashes(
        &self,
        indexes: &[u64],
    ) -> StoreResult<(i64, Vec<(i64, Vec<u8>)>)> {
        if indexes.is_empty() || indexes.len() > TLOG_HASHES_PER_QUERY {
            let size = self.tlog_size().await?;
            return Ok((size, self.tlog_hashes(indexes).await?));
        }
        let placeholders: Vec<String> = (1..=indexes.len()).map(|k| format!("${k}")).collect();
        let sql = format!(
            "SELECT (SELECT COALESCE(MAX(entry_index) + 1, 0) FROM tlog_entries), hash_index, hash \
             FROM tlog_hashes WHERE hash_index IN ({})",
            placeholders.join(", ")
        );
        let rows = db_run!(self, |p| {
            // Only numbered placeholders are formatted into the text; the indexes are bound.
            let mut query = sqlx::query_as::<_, (i64, i64, Vec<u8>)>(sqlx::AssertSqlSafe(sql));
            for index in indexes {
                query = query.bind(*index as i64);
            }
            query.fetch_all(p).await
        })?;
        let Some(&(size, _, _)) = rows.first() else {
            return Ok((self.tlog_size().await?, Vec::new()));
        };
        let found = rows
            .into_iter()
            .map(|(_, index, hash)| (index, hash))
            .collect();
        Ok((size, in_asked_order(indexes, found)))
    }

    /// Reads stored hashes by index, as [`Tx::tlog_hashes`] does, outside a transaction.
    pub async fn tlog_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<(i64, Vec<u8>)>> {
        let mut found = std::collections::HashMap::with_capacity(indexes.len());
        for chunk in indexes.chunks(TLOG_HASHES_PER_QUERY) {
            let sql = hashes_query(chunk.len());
            let rows = db_run!(self, |p| {
                // Only numbered placeholders are formatted into the text; the indexes are bound.
                let mut query =
                    sqlx::query_as::<_, (i64, Vec<u8>)>(sqlx::AssertSqlSafe(sql.clone()));
                for index in chunk {
                    query = query.bind(*index as i64);
                }
                query.fetch_all(p).await
            })?;
            found.extend(rows);
        }
        Ok(in_asked_order(indexes, found))
    }
}

/// The most stored hashes read by one query; both SQLite (32,766 since 3.32) and PostgreSQL
/// (65,535) accept far more bind parameters.
const TLOG_HASHES_PER_QUERY: usize = 500;

/// `SELECT … WHERE hash_index IN ($1, …, $count)`, the same text on both databases.
fn hashes_query(count: usize) -> String {
    let placeholders: Vec<String> = (1..=count).map(|k| format!("${k}")).collect();
    format!(
        "SELECT hash_index, hash FROM tlog_hashes WHERE hash_index IN ({})",
        placeholders.join(", ")
    )
}

fn in_asked_order(
    indexes: &[u64],
    found: std::collections::HashMap<i64, Vec<u8>>,
) -> Vec<(i64, Vec<u8>)> {
    // An index asked twice is answered twice, as the callers' readers expect one answer per
    // question.
    indexes
        .iter()
        .filter_map(|index| {
            let index = *index as i64;
            found.get(&index).cloned().map(|hash| (index, hash))
        })
        .collect()
}

/// A document version as `gongkai audit` needs it to recompute the canonical content a
/// `document_version_*` leaf names (the external id and index number come from `documents`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditDocumentVersionRow {
    pub external_id: String,
    pub index_number: String,
    pub version: i64,
    pub metadata: String,
    pub header: String,
    pub body: String,
}

/// One stored application event, keyed the way an `application_event` leaf names it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditApplicationEventRow {
    pub receipt_number: String,
    pub seq: i64,
    pub data: String,
}

/// One stored catalog revision, keyed the way a `catalog_revision` leaf names it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditCatalogRevisionRow {
    pub agency_slug: String,
    pub code: String,
    pub revision: i64,
    pub data: String,
}

/// The most keys one audit read binds: far below both databases' parameter limits, and large
/// enough that a page of 10,000 entries costs a few dozen statements, not one per entry.
const AUDIT_KEYS_PER_QUERY: usize = 1000;

/// `SELECT … WHERE <column> IN ($1, …, $count)` for the audit reads.
fn audit_query(select: &str, column: &str, count: usize) -> String {
    let placeholders: Vec<String> = (1..=count).map(|k| format!("${k}")).collect();
    format!("{select} WHERE {column} IN ({})", placeholders.join(", "))
}

impl Db {
    /// Brings the log's tables to the state the database's own maintenance reaches after a
    /// bulk load (benchmarks only): on PostgreSQL `VACUUM (ANALYZE)` of both tables and a
    /// `CHECKPOINT`, which autovacuum and the checkpointer would otherwise run in the middle of
    /// the measurement; on SQLite a checkpoint of the write-ahead log.
    pub async fn settle_log_after_bulk_load(&self) -> StoreResult<()> {
        match self {
            Db::Postgres(pool) => {
                for statement in [
                    "VACUUM (ANALYZE) tlog_entries",
                    "VACUUM (ANALYZE) tlog_hashes",
                    "CHECKPOINT",
                ] {
                    sqlx::query(statement).execute(pool).await?;
                }
            }
            Db::Sqlite(pool) => {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// The entries with `start <= index < end`, in index order, without the page limit of
    /// [`Db::tlog_entries`]: `gongkai audit` reads the whole log in large pages.
    pub async fn tlog_entries_between(
        &self,
        start: i64,
        end: i64,
    ) -> StoreResult<Vec<(i64, Vec<u8>)>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, (i64, Vec<u8>)>(
            "SELECT entry_index, data FROM tlog_entries \
             WHERE entry_index >= $1 AND entry_index < $2 ORDER BY entry_index"
        )
        .bind(start.max(0))
        .bind(end)
        .fetch_all(p)
        .await)?)
    }

    /// The stored hashes with `start <= index < end`, in index order (`gongkai audit` compares
    /// each with the hash it recomputes from the entries).
    pub async fn tlog_hashes_between(
        &self,
        start: i64,
        end: i64,
    ) -> StoreResult<Vec<(i64, Vec<u8>)>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, (i64, Vec<u8>)>(
            "SELECT hash_index, hash FROM tlog_hashes \
             WHERE hash_index >= $1 AND hash_index < $2 ORDER BY hash_index"
        )
        .bind(start.max(0))
        .bind(end)
        .fetch_all(p)
        .await)?)
    }

    /// The rows of `select` whose `key_column` is one of `keys`: one statement per
    /// [`AUDIT_KEYS_PER_QUERY`] keys, which the audit reads a page of the log with.
    async fn audit_rows<T>(
        &self,
        select: &str,
        key_column: &str,
        keys: &[&str],
    ) -> StoreResult<Vec<T>>
    where
        T: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let mut rows = Vec::new();
        for chunk in keys.chunks(AUDIT_KEYS_PER_QUERY) {
            let sql = audit_query(select, key_column, chunk.len());
            let found = db_run!(self, |p| {
                // Only numbered placeholders are formatted into the text; the keys are bound.
                let mut query = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql.clone()));
                for key in chunk {
                    query = query.bind(*key);
                }
                query.fetch_all(p).await
            })?;
            rows.extend(found);
        }
        Ok(rows)
    }

    /// Every version of the documents named, with what their canonical content is made of.
    pub async fn audit_document_versions(
        &self,
        external_ids: &[&str],
    ) -> StoreResult<Vec<AuditDocumentVersionRow>> {
        self.audit_rows(
            "SELECT d.external_id, d.index_number, v.version, v.metadata, v.header, v.body \
             FROM documents d JOIN document_versions v ON v.document_id = d.id",
            "d.external_id",
            external_ids,
        )
        .await
    }

    /// Every file attached to the documents named, as `(external id, version it was added
    /// to, SHA-256)`.
    pub async fn audit_document_attachments(
        &self,
        external_ids: &[&str],
    ) -> StoreResult<Vec<(String, i64, String)>> {
        self.audit_rows(
            "SELECT d.external_id, a.version, a.sha256 \
             FROM document_attachments a JOIN documents d ON d.id = a.document_id",
            "d.external_id",
            external_ids,
        )
        .await
    }

    /// Every stored event of the applications named by receipt number.
    pub async fn audit_application_events(
        &self,
        receipt_numbers: &[&str],
    ) -> StoreResult<Vec<AuditApplicationEventRow>> {
        self.audit_rows(
            "SELECT a.receipt_number, e.seq, e.data \
             FROM application_events e JOIN applications a ON a.id = e.application_id",
            "a.receipt_number",
            receipt_numbers,
        )
        .await
    }

    /// Every stored catalog revision of the agencies named by slug (a few hundred each at most).
    pub async fn audit_catalog_revisions(
        &self,
        agency_slugs: &[&str],
    ) -> StoreResult<Vec<AuditCatalogRevisionRow>> {
        self.audit_rows(
            "SELECT a.slug AS agency_slug, r.code, r.revision, r.data \
             FROM catalog_revisions r JOIN agencies a ON a.id = r.agency_id",
            "a.slug",
            agency_slugs,
        )
        .await
    }
}
