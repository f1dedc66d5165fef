//! Agencies and departments.

use crate::{Db, StoreError, StoreResult, db_run};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AgencyRow {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub level: String,
    pub slug: String,
    pub name_zh: String,
    pub name_en: String,
    pub org_code: String,
    pub ogi_office_name: String,
    pub ogi_office_phone: String,
    pub ogi_office_email: String,
    pub ogi_office_address: String,
    pub ogi_office_hours: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DepartmentRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub name_zh: String,
    pub name_en: String,
    pub duties: String,
    pub created_at: OffsetDateTime,
}

const AGENCY_COLUMNS: &str = "id, parent_id, level, slug, name_zh, name_en, org_code, \
    ogi_office_name, ogi_office_phone, ogi_office_email, ogi_office_address, ogi_office_hours, \
    created_at, updated_at";

impl Db {
    pub async fn agency_insert(&self, row: &AgencyRow) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO agencies (id, parent_id, level, slug, name_zh, name_en, org_code, \
             ogi_office_name, ogi_office_phone, ogi_office_email, ogi_office_address, \
             ogi_office_hours, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        )
        .bind(row.id)
        .bind(row.parent_id)
        .bind(&row.level)
        .bind(&row.slug)
        .bind(&row.name_zh)
        .bind(&row.name_en)
        .bind(&row.org_code)
        .bind(&row.ogi_office_name)
        .bind(&row.ogi_office_phone)
        .bind(&row.ogi_office_email)
        .bind(&row.ogi_office_address)
        .bind(&row.ogi_office_hours)
        .bind(row.created_at)
        .bind(row.updated_at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        Ok(())
    }

    /// Updates an agency's particulars. Its parent and level are part of the update because
    /// administrative reorganisations (撤县设区) happen.
    pub async fn agency_update(&self, row: &AgencyRow) -> StoreResult<()> {
        let n = db_run!(self, |p| sqlx::query(
            "UPDATE agencies SET parent_id = $2, level = $3, slug = $4, name_zh = $5, \
             name_en = $6, org_code = $7, ogi_office_name = $8, ogi_office_phone = $9, \
             ogi_office_email = $10, ogi_office_address = $11, ogi_office_hours = $12, \
             updated_at = $13 WHERE id = $1"
        )
        .bind(row.id)
        .bind(row.parent_id)
        .bind(&row.level)
        .bind(&row.slug)
        .bind(&row.name_zh)
        .bind(&row.name_en)
        .bind(&row.org_code)
        .bind(&row.ogi_office_name)
        .bind(&row.ogi_office_phone)
        .bind(&row.ogi_office_email)
        .bind(&row.ogi_office_address)
        .bind(&row.ogi_office_hours)
        .bind(row.updated_at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn agency_get(&self, id: Uuid) -> StoreResult<Option<AgencyRow>> {
        let sql = format!("SELECT {AGENCY_COLUMNS} FROM agencies WHERE id = $1");
        Ok(db_run!(self, |p| sqlx::query_as::<_, AgencyRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(id)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn agency_by_slug(&self, slug: &str) -> StoreResult<Option<AgencyRow>> {
        let sql = format!("SELECT {AGENCY_COLUMNS} FROM agencies WHERE slug = $1");
        Ok(db_run!(self, |p| sqlx::query_as::<_, AgencyRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(slug)
        .fetch_optional(p)
        .await)?)
    }

    /// Every agency, ordered by level and then name, so a tree can be built in one pass.
    pub async fn agency_list(&self) -> StoreResult<Vec<AgencyRow>> {
        let sql = format!(
            "SELECT {AGENCY_COLUMNS} FROM agencies ORDER BY CASE level \
             WHEN 'province' THEN 0 WHEN 'city' THEN 1 WHEN 'county' THEN 2 ELSE 3 END, name_zh"
        );
        Ok(db_run!(self, |p| sqlx::query_as::<_, AgencyRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .fetch_all(p)
        .await)?)
    }

    pub async fn agency_count(&self) -> StoreResult<i64> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM agencies"
        )
        .fetch_one(p)
        .await)?)
    }

    pub async fn department_insert(&self, row: &DepartmentRow) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO departments (id, agency_id, name_zh, name_en, duties, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(row.id)
        .bind(row.agency_id)
        .bind(&row.name_zh)
        .bind(&row.name_en)
        .bind(&row.duties)
        .bind(row.created_at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        Ok(())
    }

    pub async fn department_update(&self, row: &DepartmentRow) -> StoreResult<()> {
        let n = db_run!(self, |p| sqlx::query(
            "UPDATE departments SET name_zh = $3, name_en = $4, duties = $5 \
             WHERE id = $1 AND agency_id = $2"
        )
        .bind(row.id)
        .bind(row.agency_id)
        .bind(&row.name_zh)
        .bind(&row.name_en)
        .bind(&row.duties)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from_write)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn department_get(&self, id: Uuid) -> StoreResult<Option<DepartmentRow>> {
        Ok(db_run!(self, |p| {
            sqlx::query_as::<_, DepartmentRow>(
            "SELECT id, agency_id, name_zh, name_en, duties, created_at FROM departments WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(p)
        .await
        })?)
    }

    pub async fn department_list(&self, agency_id: Uuid) -> StoreResult<Vec<DepartmentRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, DepartmentRow>(
            "SELECT id, agency_id, name_zh, name_en, duties, created_at FROM departments \
             WHERE agency_id = $1 ORDER BY created_at, name_zh"
        )
        .bind(agency_id)
        .fetch_all(p)
        .await)?)
    }
}
