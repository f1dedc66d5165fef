//! Staff accounts and role assignments, managed by administrators.
//!
//! Every grant and revocation goes to the security log, because "who could do what, when" is
//! what an auditor asks first.

use crate::{Actor, RequestOrigin, ServiceError, ServiceResult, Services};
use gongkai_domain::account::{
    DISPLAY_NAME_LENGTH_MAX_CHARS, Role, check_new_password, parse_email, parse_mobile,
};
use gongkai_domain::form::FormProblems;
use gongkai_store::{AccountRow, RoleAssignmentRow, SecurityEventRow};
use uuid::Uuid;

/// What the staff form carries, before validation.
#[derive(Debug, Clone, Default)]
pub struct StaffInput<'a> {
    pub email: &'a str,
    pub mobile: &'a str,
    pub display_name: &'a str,
    pub initial_password: &'a str,
    pub role: &'a str,
    pub department_id: &'a str,
}

/// A staff member as the back office lists them.
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub account: AccountRow,
    pub grants: Vec<RoleAssignmentRow>,
}

impl Services {
    fn parse_role_scope(
        &self,
        problems: &mut FormProblems,
        role: &str,
        department_id: &str,
        departments: &[gongkai_store::DepartmentRow],
    ) -> (Option<Role>, Option<Uuid>) {
        let role = match Role::parse(role.trim()) {
            Some(r) if r.is_staff() => Some(r),
            Some(_) => {
                problems.add("role", "role_not_staff");
                None
            }
            None => {
                problems.add(
                    "role",
                    if role.trim().is_empty() {
                        "required"
                    } else {
                        "role_invalid"
                    },
                );
                None
            }
        };
        let department = if department_id.trim().is_empty() {
            None
        } else {
            match Uuid::parse_str(department_id.trim()) {
                Ok(id) if departments.iter().any(|d| d.id == id) => Some(id),
                _ => {
                    problems.add("department_id", "department_invalid");
                    None
                }
            }
        };
        if let (Some(role), Some(_)) = (role, department)
            && !role.may_be_department_scoped()
        {
            problems.add("department_id", "role_is_agency_wide");
        }
        (role, department)
    }

    /// Creates a staff account with a first role in `agency_id`.
    pub async fn create_staff(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        input: &StaffInput<'_>,
        origin: &RequestOrigin,
    ) -> ServiceResult<Uuid> {
        let tree = self.agency_tree().await?;
        tree.get(agency_id).ok_or(ServiceError::NotFound)?;
        if !self.administers(actor, &tree, agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let departments = self.db.department_list(agency_id).await?;
        let mut problems = FormProblems::new();
        let email = if input.email.trim().is_empty() {
            None
        } else {
            parse_email(input.email)
                .map_err(|code| problems.add("email", code))
                .ok()
        };
        let mobile = if input.mobile.trim().is_empty() {
            None
        } else {
            parse_mobile(input.mobile)
                .map_err(|code| problems.add("mobile", code))
                .ok()
        };
        if input.email.trim().is_empty() && input.mobile.trim().is_empty() {
            problems.add("email", "email_or_mobile_required");
        }
        let display_name = input.display_name.trim();
        if display_name.is_empty() {
            problems.add("display_name", "required");
        } else if display_name.chars().count() > DISPLAY_NAME_LENGTH_MAX_CHARS {
            problems.add("display_name", "too_long");
        } else if display_name.chars().any(char::is_control) {
            problems.add("display_name", "invalid_characters");
        }
        if let Err(code) = check_new_password(input.initial_password) {
            problems.add("initial_password", code);
        }
        let (role, department_id) =
            self.parse_role_scope(&mut problems, input.role, input.department_id, &departments);
        for (field, value, code) in [
            ("email", email.as_deref(), "email_taken"),
            ("mobile", mobile.as_deref(), "mobile_taken"),
        ] {
            if let Some(v) = value
                && self.db.account_by_login(v).await?.is_some()
            {
                problems.add(field, code);
            }
        }
        let Some(role) = role.filter(|_| problems.is_empty()) else {
            return Err(ServiceError::Invalid(problems));
        };
        let account_id = self
            .create_account(
                email.as_deref(),
                mobile.as_deref(),
                display_name,
                input.initial_password,
                true,
            )
            .await
            .map_err(|e| match e {
                ServiceError::Conflict { .. } => ServiceError::invalid("email", "email_taken"),
                other => other,
            })?;
        self.record_security_event(
            "staff_created",
            Some(account_id),
            Some(actor.account_id),
            origin,
            serde_json::json!({ "agency_id": agency_id }),
        )
        .await?;
        self.insert_grant(
            actor,
            account_id,
            role,
            Some(agency_id),
            department_id,
            origin,
        )
        .await?;
        Ok(account_id)
    }

    async fn insert_grant(
        &self,
        actor: &Actor,
        account_id: Uuid,
        role: Role,
        agency_id: Option<Uuid>,
        department_id: Option<Uuid>,
        origin: &RequestOrigin,
    ) -> ServiceResult<Uuid> {
        let id = Uuid::now_v7();
        self.db
            .role_insert(&RoleAssignmentRow {
                id,
                account_id,
                role: role.code().to_string(),
                agency_id,
                department_id,
                created_at: self.clock.now(),
            })
            .await
            .map_err(|e| match ServiceError::from(e) {
                ServiceError::Conflict { .. } => ServiceError::invalid("role", "role_already_held"),
                other => other,
            })?;
        self.record_security_event(
            "role_granted",
            Some(account_id),
            Some(actor.account_id),
            origin,
            serde_json::json!({
                "role": role.code(),
                "agency_id": agency_id,
                "department_id": department_id,
            }),
        )
        .await?;
        Ok(id)
    }

    /// Grants another role to an existing staff account in `agency_id`.
    pub async fn grant_role(
        &self,
        actor: &Actor,
        account_id: Uuid,
        agency_id: Uuid,
        role: &str,
        department_id: &str,
        origin: &RequestOrigin,
    ) -> ServiceResult<Uuid> {
        let tree = self.agency_tree().await?;
        tree.get(agency_id).ok_or(ServiceError::NotFound)?;
        if !self.administers(actor, &tree, agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let account = self
            .db
            .account_get(account_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !account.is_staff {
            return Err(ServiceError::invalid("account_id", "account_not_staff"));
        }
        let departments = self.db.department_list(agency_id).await?;
        let mut problems = FormProblems::new();
        let (role, department_id) =
            self.parse_role_scope(&mut problems, role, department_id, &departments);
        let Some(role) = role.filter(|_| problems.is_empty()) else {
            return Err(ServiceError::Invalid(problems));
        };
        self.insert_grant(
            actor,
            account_id,
            role,
            Some(agency_id),
            department_id,
            origin,
        )
        .await
    }

    /// Revokes a role. Administrators cannot revoke their own last administrator grant, so an
    /// installation never locks itself out.
    pub async fn revoke_role(
        &self,
        actor: &Actor,
        grant_id: Uuid,
        origin: &RequestOrigin,
    ) -> ServiceResult<()> {
        let Some(grant) = actor.grants.iter().find(|g| g.id == grant_id).cloned() else {
            return self.revoke_other_role(actor, grant_id, origin).await;
        };
        let n_admin_grants = actor
            .grants
            .iter()
            .filter(|g| g.role == Role::SystemAdministrator)
            .count();
        if grant.role == Role::SystemAdministrator && n_admin_grants <= 1 {
            return Err(ServiceError::Conflict {
                code: "cannot_revoke_own_last_admin_role",
            });
        }
        self.revoke_other_role(actor, grant_id, origin).await
    }

    async fn revoke_other_role(
        &self,
        actor: &Actor,
        grant_id: Uuid,
        origin: &RequestOrigin,
    ) -> ServiceResult<()> {
        let tree = self.agency_tree().await?;
        let grants = self.db.role_list_for_account_by_grant(grant_id).await?;
        let Some(grant) = grants else {
            return Err(ServiceError::NotFound);
        };
        let allowed = match grant.agency_id {
            Some(agency_id) => self.administers(actor, &tree, agency_id),
            None => actor.is_installation_administrator(),
        };
        if !allowed {
            return Err(ServiceError::Forbidden);
        }
        self.db.role_delete(grant_id).await?;
        self.record_security_event(
            "role_revoked",
            Some(grant.account_id),
            Some(actor.account_id),
            origin,
            serde_json::json!({ "role": grant.role, "agency_id": grant.agency_id }),
        )
        .await
    }

    /// Staff who hold any role in `agency_id`.
    pub async fn staff_of_agency(
        &self,
        actor: &Actor,
        agency_id: Uuid,
    ) -> ServiceResult<Vec<StaffMember>> {
        let tree = self.agency_tree().await?;
        let visible = self.visible_agencies(actor, &tree);
        if !visible.contains(&agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let mut members = Vec::new();
        for account in self.db.account_list_staff().await? {
            let grants: Vec<RoleAssignmentRow> = self
                .db
                .role_list_for_account(account.id)
                .await?
                .into_iter()
                .filter(|g| g.agency_id == Some(agency_id))
                .collect();
            if !grants.is_empty() {
                members.push(StaffMember { account, grants });
            }
        }
        Ok(members)
    }

    /// Deactivates or reactivates a staff account; its sessions end at once on deactivation.
    pub async fn set_staff_active(
        &self,
        actor: &Actor,
        account_id: Uuid,
        is_active: bool,
        origin: &RequestOrigin,
    ) -> ServiceResult<()> {
        if account_id == actor.account_id {
            return Err(ServiceError::Conflict {
                code: "cannot_deactivate_self",
            });
        }
        let tree = self.agency_tree().await?;
        let grants = self.db.role_list_for_account(account_id).await?;
        let allowed = actor.is_installation_administrator()
            || (!grants.is_empty()
                && grants.iter().all(|g| {
                    g.agency_id
                        .is_some_and(|agency| self.administers(actor, &tree, agency))
                }));
        if !allowed {
            return Err(ServiceError::Forbidden);
        }
        self.db.account_set_active(account_id, is_active).await?;
        if !is_active {
            self.db.session_delete_for_account(account_id, None).await?;
        }
        self.record_security_event(
            if is_active {
                "account_reactivated"
            } else {
                "account_deactivated"
            },
            Some(account_id),
            Some(actor.account_id),
            origin,
            serde_json::json!({}),
        )
        .await
    }

    /// The security log, for administrators and auditors.
    pub async fn security_events(
        &self,
        actor: &Actor,
        limit: i64,
    ) -> ServiceResult<Vec<SecurityEventRow>> {
        if !(actor.is_installation_administrator() || actor.has_role(Role::Auditor)) {
            return Err(ServiceError::Forbidden);
        }
        Ok(self.db.security_event_list(limit).await?)
    }
}
