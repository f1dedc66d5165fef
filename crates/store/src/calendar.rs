//! Imported working-day calendar years.

use crate::{Db, StoreResult, db_run};
use time::OffsetDateTime;
use uuid::Uuid;

impl Db {
    /// Stores (or replaces) one year's arrangement, as the JSON text that was imported.
    pub async fn calendar_year_upsert(
        &self,
        year: i32,
        arrangement_json: &str,
        imported_at: OffsetDateTime,
        imported_by: Option<Uuid>,
    ) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO calendar_years (year, arrangement_json, imported_at, imported_by) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (year) DO UPDATE SET \
             arrangement_json = excluded.arrangement_json, imported_at = excluded.imported_at, \
             imported_by = excluded.imported_by"
        )
        .bind(i64::from(year))
        .bind(arrangement_json)
        .bind(imported_at)
        .bind(imported_by)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Every imported year, oldest first, as (year, JSON text).
    pub async fn calendar_year_list(&self) -> StoreResult<Vec<(i64, String)>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, (i64, String)>(
            "SELECT year, arrangement_json FROM calendar_years ORDER BY year"
        )
        .fetch_all(p)
        .await)?)
    }
}
