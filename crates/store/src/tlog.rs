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

impl Tx {
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

    /// Reads stored hashes by index, in the order asked; a missing index is an error for the
    /// caller to report (it means the log is damaged).
    pub async fn tlog_hashes(&mut self, indexes: &[u64]) -> StoreResult<Vec<(i64, Vec<u8>)>> {
        let mut out = Vec::with_capacity(indexes.len());
        for index in indexes {
            let hash = tx_run!(self, |c| sqlx::query_scalar::<_, Vec<u8>>(
                "SELECT hash FROM tlog_hashes WHERE hash_index = $1"
            )
            .bind(*index as i64)
            .fetch_optional(c)
            .await)?;
            if let Some(hash) = hash {
                out.push((*index as i64, hash));
            }
        }
        Ok(out)
    }

    pub async fn tlog_insert(
        &mut self,
        entry_index: i64,
        data: &[u8],
        first_hash_index: i64,
        hashes: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO tlog_entries (entry_index, data, recorded_at) VALUES ($1, $2, $3)"
        )
        .bind(entry_index)
        .bind(data)
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

    pub async fn tlog_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<(i64, Vec<u8>)>> {
        let mut out = Vec::with_capacity(indexes.len());
        for index in indexes {
            let hash = db_run!(self, |p| sqlx::query_scalar::<_, Vec<u8>>(
                "SELECT hash FROM tlog_hashes WHERE hash_index = $1"
            )
            .bind(*index as i64)
            .fetch_optional(p)
            .await)?;
            if let Some(hash) = hash {
                out.push((*index as i64, hash));
            }
        }
        Ok(out)
    }
}
