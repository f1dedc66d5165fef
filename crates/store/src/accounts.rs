//! Accounts, role assignments, sessions and API tokens.

use crate::{Db, StoreError, StoreResult, db_run};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountRow {
    pub id: Uuid,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub display_name: String,
    pub password_hash: String,
    pub is_staff: bool,
    pub is_active: bool,
    pub failed_login_count: i64,
    pub locked_until: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub password_changed_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RoleAssignmentRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub role: String,
    pub agency_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub token_sha256: String,
    pub account_id: Uuid,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub user_agent: String,
}

const ACCOUNT_COLUMNS: &str = "id, email, mobile, display_name, password_hash, is_staff, \
    is_active, failed_login_count, locked_until, created_at, password_changed_at";

impl Db {
    pub async fn account_insert(&self, row: &AccountRow) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO accounts (id, email, mobile, display_name, password_hash, is_staff, \
             is_active, failed_login_count, locked_until, created_at, password_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        )
        .bind(row.id)
        .bind(&row.email)
        .bind(&row.mobile)
        .bind(&row.display_name)
        .bind(&row.password_hash)
        .bind(row.is_staff)
        .bind(row.is_active)
        .bind(row.failed_login_count)
        .bind(row.locked_until)
        .bind(row.created_at)
        .bind(row.password_changed_at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        Ok(())
    }

    pub async fn account_get(&self, id: Uuid) -> StoreResult<Option<AccountRow>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
        Ok(db_run!(self, |p| sqlx::query_as::<_, AccountRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(id)
        .fetch_optional(p)
        .await)?)
    }

    /// Finds an account by its login identifier: the e-mail address or the mobile number.
    pub async fn account_by_login(&self, identifier: &str) -> StoreResult<Option<AccountRow>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1 OR mobile = $1");
        Ok(db_run!(self, |p| sqlx::query_as::<_, AccountRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(identifier)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn account_list_staff(&self) -> StoreResult<Vec<AccountRow>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE is_staff = $1 ORDER BY display_name"
        );
        Ok(db_run!(self, |p| sqlx::query_as::<_, AccountRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(true)
        .fetch_all(p)
        .await)?)
    }

    pub async fn account_count(&self) -> StoreResult<i64> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM accounts"
        )
        .fetch_one(p)
        .await)?)
    }

    /// Records the outcome of a login attempt on the account's lockout counter.
    pub async fn account_set_login_failures(
        &self,
        id: Uuid,
        failed_login_count: i64,
        locked_until: Option<OffsetDateTime>,
    ) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "UPDATE accounts SET failed_login_count = $2, locked_until = $3 WHERE id = $1"
        )
        .bind(id)
        .bind(failed_login_count)
        .bind(locked_until)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn account_set_password(
        &self,
        id: Uuid,
        password_hash: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "UPDATE accounts SET password_hash = $2, password_changed_at = $3, \
             failed_login_count = 0, locked_until = NULL WHERE id = $1"
        )
        .bind(id)
        .bind(password_hash)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn account_set_active(&self, id: Uuid, is_active: bool) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "UPDATE accounts SET is_active = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(is_active)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn role_insert(&self, row: &RoleAssignmentRow) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO role_assignments (id, account_id, role, agency_id, department_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(row.id)
        .bind(row.account_id)
        .bind(&row.role)
        .bind(row.agency_id)
        .bind(row.department_id)
        .bind(row.created_at)
        .execute(p)
        .await.map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        Ok(())
    }

    pub async fn role_delete(&self, id: Uuid) -> StoreResult<Option<RoleAssignmentRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, RoleAssignmentRow>(
            "DELETE FROM role_assignments WHERE id = $1 \
             RETURNING id, account_id, role, agency_id, department_id, created_at"
        )
        .bind(id)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn role_list_for_account(
        &self,
        account_id: Uuid,
    ) -> StoreResult<Vec<RoleAssignmentRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, RoleAssignmentRow>(
            "SELECT id, account_id, role, agency_id, department_id, created_at \
             FROM role_assignments WHERE account_id = $1 ORDER BY created_at, role"
        )
        .bind(account_id)
        .fetch_all(p)
        .await)?)
    }

    pub async fn session_insert(&self, row: &SessionRow) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO sessions (token_sha256, account_id, created_at, last_seen_at, expires_at, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(&row.token_sha256)
        .bind(row.account_id)
        .bind(row.created_at)
        .bind(row.last_seen_at)
        .bind(row.expires_at)
        .bind(&row.user_agent)
        .execute(p)
        .await.map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        Ok(())
    }

    /// The live session for a token digest, if it has not expired at `now`.
    pub async fn session_get_live(
        &self,
        token_sha256: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<SessionRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, SessionRow>(
            "SELECT token_sha256, account_id, created_at, last_seen_at, expires_at, user_agent \
             FROM sessions WHERE token_sha256 = $1 AND expires_at > $2"
        )
        .bind(token_sha256)
        .bind(now)
        .fetch_optional(p)
        .await)?)
    }

    /// Slides a session's expiry forward on activity.
    pub async fn session_touch(
        &self,
        token_sha256: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_sha256 = $1"
        )
        .bind(token_sha256)
        .bind(now)
        .bind(expires_at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn session_delete(&self, token_sha256: &str) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "DELETE FROM sessions WHERE token_sha256 = $1"
        )
        .bind(token_sha256)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Ends every session of an account except, optionally, one (used after a password change).
    pub async fn session_delete_for_account(
        &self,
        account_id: Uuid,
        keep_token_sha256: Option<&str>,
    ) -> StoreResult<u64> {
        Ok(db_run!(self, |p| sqlx::query(
            "DELETE FROM sessions WHERE account_id = $1 AND token_sha256 <> $2"
        )
        .bind(account_id)
        .bind(keep_token_sha256.unwrap_or(""))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?)
    }

    pub async fn session_delete_expired(&self, now: OffsetDateTime) -> StoreResult<u64> {
        Ok(db_run!(self, |p| sqlx::query(
            "DELETE FROM sessions WHERE expires_at <= $1"
        )
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?)
    }

    pub async fn api_token_insert(
        &self,
        id: Uuid,
        account_id: Uuid,
        token_sha256: &str,
        name: &str,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO api_tokens (id, account_id, token_sha256, name, created_at) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(id)
        .bind(account_id)
        .bind(token_sha256)
        .bind(name)
        .bind(now)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        Ok(())
    }

    /// The account that owns an unrevoked API token.
    pub async fn api_token_account(&self, token_sha256: &str) -> StoreResult<Option<Uuid>> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, Uuid>(
            "SELECT account_id FROM api_tokens WHERE token_sha256 = $1 AND revoked_at IS NULL"
        )
        .bind(token_sha256)
        .fetch_optional(p)
        .await)?)
    }
}

impl Db {
    pub async fn role_list_for_account_by_grant(
        &self,
        grant_id: Uuid,
    ) -> StoreResult<Option<RoleAssignmentRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, RoleAssignmentRow>(
            "SELECT id, account_id, role, agency_id, department_id, created_at \
             FROM role_assignments WHERE id = $1"
        )
        .bind(grant_id)
        .fetch_optional(p)
        .await)?)
    }
}
