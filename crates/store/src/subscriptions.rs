//! Storage of e-mail subscriptions and of the List-Unsubscribe address of outgoing mail.

use crate::{Db, StoreError, StoreResult, Tx, db_run, tx_run};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SubscriptionRow {
    pub id: Uuid,
    pub email: String,
    pub account_id: Option<Uuid>,
    /// `all`, `catalog`, `topic` or `issuer`.
    pub filter_kind: String,
    pub filter_value: String,
    /// `daily` or `weekly`.
    pub frequency: String,
    /// `pending` (not yet confirmed), `active` or `unsubscribed`.
    pub status: String,
    pub created_at: OffsetDateTime,
    pub confirmed_at: Option<OffsetDateTime>,
    pub last_sent_at: Option<OffsetDateTime>,
}

const COLUMNS: &str = "id, email, account_id, filter_kind, filter_value, frequency, status, \
    created_at, confirmed_at, last_sent_at";

impl Db {
    pub async fn subscription_insert(&self, row: &SubscriptionRow) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO subscriptions (id, email, account_id, filter_kind, filter_value, \
             frequency, status, created_at, confirmed_at, last_sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )
        .bind(row.id)
        .bind(&row.email)
        .bind(row.account_id)
        .bind(&row.filter_kind)
        .bind(&row.filter_value)
        .bind(&row.frequency)
        .bind(&row.status)
        .bind(row.created_at)
        .bind(row.confirmed_at)
        .bind(row.last_sent_at)
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    pub async fn subscription_get(&self, id: Uuid) -> StoreResult<Option<SubscriptionRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, SubscriptionRow>(
            sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM subscriptions WHERE id = $1"))
        )
        .bind(id)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn subscription_find(
        &self,
        email: &str,
        filter_kind: &str,
        filter_value: &str,
    ) -> StoreResult<Option<SubscriptionRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, SubscriptionRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM subscriptions WHERE email = $1 AND filter_kind = $2 \
                 AND filter_value = $3"
            ))
        )
        .bind(email)
        .bind(filter_kind)
        .bind(filter_value)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn subscription_update(&self, row: &SubscriptionRow) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "UPDATE subscriptions SET frequency = $2, status = $3, confirmed_at = $4, \
             last_sent_at = $5, account_id = $6 WHERE id = $1"
        )
        .bind(row.id)
        .bind(&row.frequency)
        .bind(&row.status)
        .bind(row.confirmed_at)
        .bind(row.last_sent_at)
        .bind(row.account_id)
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    /// The subscriptions of an account: linked to it, or made with its e-mail address.
    pub async fn subscriptions_of(
        &self,
        account_id: Uuid,
        email: &str,
    ) -> StoreResult<Vec<SubscriptionRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, SubscriptionRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM subscriptions WHERE (account_id = $1 OR email = $2) \
                 AND status <> 'unsubscribed' ORDER BY created_at"
            ))
        )
        .bind(account_id)
        .bind(email)
        .fetch_all(p)
        .await)?)
    }

    pub async fn subscriptions_active(&self) -> StoreResult<Vec<SubscriptionRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, SubscriptionRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM subscriptions WHERE status = 'active' ORDER BY id"
            ))
        )
        .fetch_all(p)
        .await)?)
    }

    /// External ids and titles of documents published or corrected in (after, through],
    /// matching one subscription filter, oldest first.
    pub async fn documents_changed_between(
        &self,
        filter_kind: &str,
        filter_value: &str,
        after: OffsetDateTime,
        through: OffsetDateTime,
    ) -> StoreResult<Vec<(String, String, String)>> {
        let condition = match filter_kind {
            "catalog" => " AND catalog_code = $3",
            "topic" => " AND topic = $3",
            "issuer" => " AND issuer = $3",
            _ => " AND $3 = $3",
        };
        let sql = format!(
            "SELECT external_id, title, index_number FROM documents WHERE status = 'published' \
             AND updated_at > $1 AND updated_at <= $2{condition} ORDER BY updated_at, external_id \
             LIMIT 200"
        );
        Ok(db_run!(self, |p| sqlx::query_as::<
            _,
            (String, String, String),
        >(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(after)
        .bind(through)
        .bind(filter_value)
        .fetch_all(p)
        .await)?)
    }

    pub async fn outbox_list_unsubscribe(&self, outbox_id: Uuid) -> StoreResult<Option<String>> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, String>(
            "SELECT url FROM outbox_list_unsubscribe WHERE outbox_id = $1"
        )
        .bind(outbox_id)
        .fetch_optional(p)
        .await)?)
    }
}

impl Tx {
    pub async fn outbox_list_unsubscribe_insert(
        &mut self,
        outbox_id: Uuid,
        url: &str,
    ) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO outbox_list_unsubscribe (outbox_id, url) VALUES ($1, $2)"
        )
        .bind(outbox_id)
        .bind(url)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    pub async fn subscription_mark_sent(
        &mut self,
        id: Uuid,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "UPDATE subscriptions SET last_sent_at = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(at)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }
}
