//! Login attempts (for per-address throttling) and the security audit log.

use crate::{Db, StoreResult, db_run};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SecurityEventRow {
    pub id: Uuid,
    pub occurred_at: OffsetDateTime,
    pub kind: String,
    pub account_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub address: String,
    /// A JSON object with the event's particulars; never a password or a token.
    pub detail: String,
}

/// The most security events one listing returns.
pub const SECURITY_EVENTS_PAGE_MAX: i64 = 500;

impl Db {
    pub async fn login_attempt_insert(
        &self,
        address: &str,
        identifier: &str,
        succeeded: bool,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO login_attempts (id, address, identifier, succeeded, attempted_at) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(Uuid::now_v7())
        .bind(address)
        .bind(identifier)
        .bind(succeeded)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Failed attempts from one address since `since`.
    pub async fn login_failures_since(
        &self,
        address: &str,
        since: OffsetDateTime,
    ) -> StoreResult<i64> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM login_attempts WHERE address = $1 AND attempted_at > $2 \
             AND succeeded = $3"
        )
        .bind(address)
        .bind(since)
        .bind(false)
        .fetch_one(p)
        .await)?)
    }

    /// Forgets attempts older than `before`, so the table stays small.
    pub async fn login_attempts_prune(&self, before: OffsetDateTime) -> StoreResult<u64> {
        Ok(db_run!(self, |p| sqlx::query(
            "DELETE FROM login_attempts WHERE attempted_at < $1"
        )
        .bind(before)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?)
    }

    pub async fn security_event_insert(&self, row: &SecurityEventRow) -> StoreResult<()> {
        db_run!(self, |p| {
            sqlx::query(
            "INSERT INTO security_events (id, occurred_at, kind, account_id, actor_id, address, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(row.id)
        .bind(row.occurred_at)
        .bind(&row.kind)
        .bind(row.account_id)
        .bind(row.actor_id)
        .bind(&row.address)
        .bind(&row.detail)
        .execute(p)
        .await.map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// The newest security events first.
    pub async fn security_event_list(&self, limit: i64) -> StoreResult<Vec<SecurityEventRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, SecurityEventRow>(
            "SELECT id, occurred_at, kind, account_id, actor_id, address, detail \
             FROM security_events ORDER BY occurred_at DESC, id DESC LIMIT $1"
        )
        .bind(limit.clamp(1, SECURITY_EVENTS_PAGE_MAX))
        .fetch_all(p)
        .await)?)
    }
}
