//! Agencies and departments: the multi-agency hierarchy and who may manage what.
//!
//! A higher agency sees and manages the agencies below it (省 → 市 → 县 → 乡镇); an
//! installation-wide administrator manages all of them. The OGI office of an agency may keep
//! its own particulars (the guide of Art. 12) up to date.

use crate::{Actor, RequestOrigin, ServiceError, ServiceResult, Services};
use gongkai_domain::account::Role;
use gongkai_domain::agency::{
    AdministrativeLevel, AgencyInput, AgencyParticulars, validate_agency, validate_department,
};
pub use gongkai_store::{AgencyRow, DepartmentRow};
use std::collections::HashSet;
use uuid::Uuid;

/// Every agency, with the parent links resolved, for permission checks and the directory.
#[derive(Debug, Clone)]
pub struct AgencyTree {
    pub agencies: Vec<AgencyRow>,
}

impl AgencyTree {
    pub fn get(&self, id: Uuid) -> Option<&AgencyRow> {
        self.agencies.iter().find(|a| a.id == id)
    }

    /// The agency and every agency below it, at any depth.
    pub fn with_descendants(&self, root: Uuid) -> HashSet<Uuid> {
        let mut found: HashSet<Uuid> = HashSet::from([root]);
        // The hierarchy has at most four levels, and each pass adds one; looping until nothing
        // changes also survives a (forbidden, but possible in old data) deeper tree.
        loop {
            let before = found.len();
            for agency in &self.agencies {
                if let Some(parent) = agency.parent_id
                    && found.contains(&parent)
                {
                    found.insert(agency.id);
                }
            }
            if found.len() == before {
                return found;
            }
        }
    }

    pub fn children(&self, parent: Option<Uuid>) -> Vec<&AgencyRow> {
        self.agencies
            .iter()
            .filter(|a| a.parent_id == parent)
            .collect()
    }

    /// The agencies in depth-first order with their depth, for an indented directory.
    pub fn depth_first(&self) -> Vec<(usize, &AgencyRow)> {
        let mut out = Vec::with_capacity(self.agencies.len());
        let known: HashSet<Uuid> = self.agencies.iter().map(|a| a.id).collect();
        let mut stack: Vec<(usize, &AgencyRow)> = self
            .agencies
            .iter()
            .filter(|a| a.parent_id.is_none_or(|p| !known.contains(&p)))
            .rev()
            .map(|a| (0, a))
            .collect();
        while let Some((depth, agency)) = stack.pop() {
            out.push((depth, agency));
            for child in self.children(Some(agency.id)).into_iter().rev() {
                stack.push((depth + 1, child));
            }
        }
        out
    }
}

impl Services {
    pub async fn agency_tree(&self) -> ServiceResult<AgencyTree> {
        Ok(AgencyTree {
            agencies: self.db.agency_list().await?,
        })
    }

    /// Whether `actor` administers `agency_id`: installation-wide, or as system administrator
    /// of that agency or of any agency above it.
    pub fn administers(&self, actor: &Actor, tree: &AgencyTree, agency_id: Uuid) -> bool {
        if actor.is_installation_administrator() {
            return true;
        }
        actor
            .agencies_with_role(Role::SystemAdministrator)
            .into_iter()
            .flatten()
            .any(|root| tree.with_descendants(root).contains(&agency_id))
    }

    /// Agencies the actor may see in the back office: those where it holds any staff role,
    /// with everything below them.
    pub fn visible_agencies(&self, actor: &Actor, tree: &AgencyTree) -> HashSet<Uuid> {
        if actor.is_installation_administrator() {
            return tree.agencies.iter().map(|a| a.id).collect();
        }
        actor
            .grants
            .iter()
            .filter(|g| g.role.is_staff())
            .filter_map(|g| g.agency_id)
            .flat_map(|root| tree.with_descendants(root))
            .collect()
    }

    pub async fn agency_by_slug(&self, slug: &str) -> ServiceResult<AgencyRow> {
        self.db
            .agency_by_slug(slug)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    pub async fn agency(&self, id: Uuid) -> ServiceResult<AgencyRow> {
        self.db.agency_get(id).await?.ok_or(ServiceError::NotFound)
    }

    pub async fn departments(&self, agency_id: Uuid) -> ServiceResult<Vec<DepartmentRow>> {
        Ok(self.db.department_list(agency_id).await?)
    }

    /// Creates an agency below `parent_id` (or at the top, for installation administrators).
    pub async fn create_agency(
        &self,
        actor: &Actor,
        parent_id: Option<Uuid>,
        input: &AgencyInput<'_>,
        origin: &RequestOrigin,
    ) -> ServiceResult<AgencyRow> {
        let tree = self.agency_tree().await?;
        let parent = match parent_id {
            Some(id) => Some(tree.get(id).ok_or(ServiceError::NotFound)?.clone()),
            None => None,
        };
        let allowed = match &parent {
            Some(p) => self.administers(actor, &tree, p.id),
            None => actor.is_installation_administrator(),
        };
        if !allowed {
            return Err(ServiceError::Forbidden);
        }
        let parent_level = parent
            .as_ref()
            .and_then(|p| AdministrativeLevel::parse(&p.level));
        let particulars = validate_agency(input, parent_level)?;
        self.check_agency_unique(&tree, None, &particulars)?;
        let now = self.clock.now();
        let row = agency_row(Uuid::now_v7(), parent_id, &particulars, now, now);
        self.db.agency_insert(&row).await.map_err(unique_to_field)?;
        // Art. 20–21: every agency starts with the standard catalog of its level (adopting
        // its parent's edited items where the parent has them).
        self.ensure_standard_catalog(row.id).await?;
        self.record_security_event(
            "agency_created",
            None,
            Some(actor.account_id),
            origin,
            serde_json::json!({ "agency_id": row.id, "slug": row.slug }),
        )
        .await?;
        Ok(row)
    }

    fn check_agency_unique(
        &self,
        tree: &AgencyTree,
        except: Option<Uuid>,
        particulars: &AgencyParticulars,
    ) -> ServiceResult<()> {
        let mut problems = gongkai_domain::form::FormProblems::new();
        for other in tree.agencies.iter().filter(|a| Some(a.id) != except) {
            if other.slug == particulars.slug {
                problems.add("slug", "slug_taken");
            }
            if other.org_code == particulars.org_code {
                problems.add("org_code", "org_code_taken");
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(problems))
        }
    }

    /// Updates an agency's particulars. Administrators and the agency's own OGI office may.
    pub async fn update_agency(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        input: &AgencyInput<'_>,
        origin: &RequestOrigin,
    ) -> ServiceResult<AgencyRow> {
        let tree = self.agency_tree().await?;
        let existing = tree.get(agency_id).ok_or(ServiceError::NotFound)?.clone();
        let own_ogi_office = actor
            .grants
            .iter()
            .any(|g| g.role == Role::OgiOffice && g.agency_id == Some(agency_id));
        if !self.administers(actor, &tree, agency_id) && !own_ogi_office {
            return Err(ServiceError::Forbidden);
        }
        let parent_level = existing
            .parent_id
            .and_then(|p| tree.get(p))
            .and_then(|p| AdministrativeLevel::parse(&p.level));
        let particulars = validate_agency(input, parent_level)?;
        self.check_agency_unique(&tree, Some(agency_id), &particulars)?;
        let row = agency_row(
            agency_id,
            existing.parent_id,
            &particulars,
            existing.created_at,
            self.clock.now(),
        );
        self.db.agency_update(&row).await.map_err(unique_to_field)?;
        self.record_security_event(
            "agency_updated",
            None,
            Some(actor.account_id),
            origin,
            serde_json::json!({ "agency_id": agency_id }),
        )
        .await?;
        Ok(row)
    }

    pub async fn create_department(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        name_zh: &str,
        name_en: &str,
        duties: &str,
        origin: &RequestOrigin,
    ) -> ServiceResult<DepartmentRow> {
        let tree = self.agency_tree().await?;
        tree.get(agency_id).ok_or(ServiceError::NotFound)?;
        if !self.administers(actor, &tree, agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let particulars = validate_department(name_zh, name_en, duties)?;
        let row = DepartmentRow {
            id: Uuid::now_v7(),
            agency_id,
            name_zh: particulars.name_zh,
            name_en: particulars.name_en,
            duties: particulars.duties,
            created_at: self.clock.now(),
        };
        self.db
            .department_insert(&row)
            .await
            .map_err(|e| match ServiceError::from(e) {
                ServiceError::Conflict { .. } => ServiceError::invalid("name_zh", "name_taken"),
                other => other,
            })?;
        self.record_security_event(
            "department_created",
            None,
            Some(actor.account_id),
            origin,
            serde_json::json!({ "agency_id": agency_id, "department_id": row.id }),
        )
        .await?;
        Ok(row)
    }

    pub async fn update_department(
        &self,
        actor: &Actor,
        department_id: Uuid,
        name_zh: &str,
        name_en: &str,
        duties: &str,
        origin: &RequestOrigin,
    ) -> ServiceResult<DepartmentRow> {
        let existing = self
            .db
            .department_get(department_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let tree = self.agency_tree().await?;
        if !self.administers(actor, &tree, existing.agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let particulars = validate_department(name_zh, name_en, duties)?;
        let row = DepartmentRow {
            name_zh: particulars.name_zh,
            name_en: particulars.name_en,
            duties: particulars.duties,
            ..existing
        };
        self.db
            .department_update(&row)
            .await
            .map_err(|e| match ServiceError::from(e) {
                ServiceError::Conflict { .. } => ServiceError::invalid("name_zh", "name_taken"),
                other => other,
            })?;
        self.record_security_event(
            "department_updated",
            None,
            Some(actor.account_id),
            origin,
            serde_json::json!({ "department_id": department_id }),
        )
        .await?;
        Ok(row)
    }
}

fn unique_to_field(error: gongkai_store::StoreError) -> ServiceError {
    match ServiceError::from(error) {
        ServiceError::Conflict { .. } => ServiceError::invalid("slug", "slug_taken"),
        other => other,
    }
}

fn agency_row(
    id: Uuid,
    parent_id: Option<Uuid>,
    p: &AgencyParticulars,
    created_at: time::OffsetDateTime,
    updated_at: time::OffsetDateTime,
) -> AgencyRow {
    AgencyRow {
        id,
        parent_id,
        level: p.level.code().to_string(),
        slug: p.slug.clone(),
        name_zh: p.name_zh.clone(),
        name_en: p.name_en.clone(),
        org_code: p.org_code.clone(),
        ogi_office_name: p.ogi_office_name.clone(),
        ogi_office_phone: p.ogi_office_phone.clone(),
        ogi_office_email: p.ogi_office_email.clone(),
        ogi_office_address: p.ogi_office_address.clone(),
        ogi_office_hours: p.ogi_office_hours.clone(),
        created_at,
        updated_at,
    }
}
