//! SQL persistence for Gongkai over SQLite (the default, one file in the data directory) and
//! PostgreSQL (the production store), chosen by URL.
//!
//! Both dialects share one SQL text wherever they agree (`$N` placeholders, `RETURNING`,
//! `ON CONFLICT`); the few backend-specific statements sit in explicit `match` arms. Row types
//! live here and stay plain; the rules that give them meaning live in `gongkai-domain`. This
//! crate must never know about HTTP, templates or mail, and never read the clock: every time
//! it writes arrives as an argument.

mod accounts;
mod agencies;
mod applications;
mod calendar;
mod datasets;
mod documents;
mod redaction;
mod reports;
mod security;
mod subscriptions;
mod tlog;
mod usage;

pub use accounts::*;
pub use agencies::*;
pub use applications::*;
pub use datasets::*;
pub use documents::*;
pub use redaction::*;
pub use reports::*;
pub use security::*;
pub use subscriptions::*;
pub use tlog::*;
pub use usage::*;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

/// Errors of the storage layer. `Conflict` means a uniqueness or concurrency rule refused the
/// write; callers turn it into a clear message rather than a 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("unsupported database URL: {0}")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Maps a driver error to `Conflict` when it is a uniqueness or foreign-key violation, so
    /// that "this e-mail is already registered" is an expected answer, not an internal error.
    pub(crate) fn from_write(error: sqlx::Error) -> StoreError {
        if let sqlx::Error::Database(db) = &error
            && (db.is_unique_violation() || db.is_foreign_key_violation())
        {
            return StoreError::Conflict(db.message().to_string());
        }
        StoreError::Database(error)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Which database a `Db` talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The connection pool, over one of the two supported databases.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same expression against whichever pool (or connection) a `Db` (or `Tx`) holds.
#[macro_export]
macro_rules! db_run {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($p) => $body,
            $crate::Db::Postgres($p) => $body,
        }
    };
}

/// Runs the same expression against the connection of an open transaction.
#[macro_export]
macro_rules! tx_run {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// An open transaction on either database. Dropping it without `commit` rolls it back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// How long a connection waits for SQLite's single writer before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections per process. SQLite has one writer anyway; readers run in parallel in WAL mode.
const SQLITE_CONNECTIONS_MAX: u32 = 8;
const POSTGRES_CONNECTIONS_MAX: u32 = 16;

impl Db {
    /// Opens the database named by `url`: `sqlite:PATH` / `sqlite://PATH` or
    /// `postgres://…` / `postgresql://…`. SQLite files are created when missing, in WAL mode with
    /// foreign keys on and `synchronous=FULL`, so that an acknowledged write survives a crash
    /// (nothing accepted is ever lost).
    pub async fn connect(url: &str) -> StoreResult<Db> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT);
            let pool = SqlitePoolOptions::new()
                .max_connections(SQLITE_CONNECTIONS_MAX)
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(POSTGRES_CONNECTIONS_MAX)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every pending migration of the matching dialect.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so two writers queue instead of failing half-way with SQLITE_BUSY.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A cheap round trip, for the health check.
    pub async fn ping(&self) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query("SELECT 1")
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        db_run!(self, |p| p.close().await)
    }

    /// Every table and its columns, sorted, as the live database reports them. Used by the
    /// migration parity test and by `gongkai doctor`-style diagnostics.
    pub async fn schema_columns(&self) -> StoreResult<Vec<(String, String)>> {
        let mut columns: Vec<(String, String)> = match self {
            Db::Sqlite(p) => {
                sqlx::query_as(
                    "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx_%'",
                )
                .fetch_all(p)
                .await?
            }
            Db::Postgres(p) => {
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx_%'",
                )
                .fetch_all(p)
                .await?
            }
        };
        columns.sort();
        Ok(columns)
    }

    /// Writes a consistent copy of a SQLite database to `path` while the server keeps running
    /// (`VACUUM INTO` is SQLite's online backup). PostgreSQL is backed up with its own tools
    /// (`pg_dump -Fc`), which the caller is told.
    pub async fn backup_sqlite_to(&self, path: &str) -> StoreResult<()> {
        match self {
            Db::Sqlite(p) => {
                sqlx::query("VACUUM INTO $1").bind(path).execute(p).await?;
                Ok(())
            }
            Db::Postgres(_) => Err(StoreError::UnsupportedUrl(
                "backup of PostgreSQL: use pg_dump -Fc and pg_restore".to_string(),
            )),
        }
    }

    /// Checks a SQLite file's integrity (used on restore before it replaces the live file).
    pub async fn integrity_check(&self) -> StoreResult<String> {
        match self {
            Db::Sqlite(p) => Ok(sqlx::query_scalar::<_, String>("PRAGMA integrity_check")
                .fetch_one(p)
                .await?),
            Db::Postgres(_) => Ok("ok".to_string()),
        }
    }
}

/// Hides the password in a database URL before it is printed or logged.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Key-value settings shared by every process over the database (for example the secret that
/// signs CSRF tokens, which must be the same on every node).
impl Db {
    pub async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, String>(
            "SELECT value FROM settings WHERE key = $1"
        )
        .bind(key)
        .fetch_optional(p)
        .await)?)
    }

    /// Stores `value` under `key` unless a value is already there, and returns the stored
    /// value. Two processes starting at once therefore agree on one value.
    pub async fn setting_insert_if_absent(&self, key: &str, value: &str) -> StoreResult<String> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING"
        )
        .bind(key)
        .bind(value)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        self.setting(key).await?.ok_or(StoreError::NotFound)
    }

    pub async fn setting_set(&self, key: &str, value: &str) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        )
        .bind(key)
        .bind(value)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }
}

/// Test support: creating and dropping whole PostgreSQL databases, so each test runs on its
/// own. The name is checked strictly because it cannot be a bind parameter.
impl Db {
    pub async fn create_database_for_tests(&self, name: &str) -> StoreResult<()> {
        let Db::Postgres(p) = self else {
            return Err(StoreError::UnsupportedUrl("not PostgreSQL".to_string()));
        };
        check_test_database_name(name)?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(p)
            .await?;
        Ok(())
    }

    pub async fn drop_database_for_tests(&self, name: &str) -> StoreResult<()> {
        let Db::Postgres(p) = self else {
            return Err(StoreError::UnsupportedUrl("not PostgreSQL".to_string()));
        };
        check_test_database_name(name)?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(p)
        .await?;
        Ok(())
    }
}

fn check_test_database_name(name: &str) -> StoreResult<()> {
    let ok = name.starts_with("gongkai_test_")
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::UnsupportedUrl(format!(
            "refusing database name {name:?}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite:x.db"), "sqlite:x.db");
    }
}
