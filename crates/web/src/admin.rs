//! The back office for administrators: agencies, departments, staff, roles, the security log.
//!
//! Every action is authorised again in the service layer; these handlers only decide which
//! forms to show.

use crate::AppState;
use crate::ctx::{CsrfForm, Ctx};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::pages::{level_label, render};
use crate::templates::{
    AdminAgencyPage, AdminAgencyRow, AdminIndexPage, AgencyFormPage, AgencyFormValues, Base,
    Choice, DepartmentAdminView, GrantView, Problems, SecurityEventView, SecurityLogPage,
    StaffRowView, TierRoleView,
};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_domain::account::Role;
use gongkai_domain::agency::{AdministrativeLevel, AgencyInput};
use gongkai_service::{AgencyRow, ServiceError, StaffInput};
use serde::Deserialize;
use uuid::Uuid;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(index))
        .route(
            "/admin/agencies/new",
            get(new_agency_page).post(create_agency),
        )
        .route("/admin/agencies/{id}", get(agency_page))
        .route(
            "/admin/agencies/{id}/edit",
            get(edit_agency_page).post(update_agency),
        )
        .route("/admin/agencies/{id}/departments", post(create_department))
        .route("/admin/agencies/{id}/staff", post(create_staff))
        .route("/admin/agencies/{id}/grants", post(grant_role))
        .route("/admin/agencies/{id}/tiers", post(set_tiers))
        .route("/admin/roles/{id}/revoke", post(revoke_role))
        .route("/admin/staff/{id}/active", post(set_active))
        .route("/admin/security", get(security_log))
        .route("/admin/calendar", get(calendar_page).post(calendar_import))
}

fn require_staff(ctx: &Ctx) -> Result<&gongkai_service::Actor, WebError> {
    let actor = ctx.require_actor()?;
    if actor.is_staff {
        Ok(actor)
    } else {
        Err(WebError::Status(StatusCode::FORBIDDEN))
    }
}

fn parse_id(raw: &str) -> Result<Uuid, WebError> {
    Uuid::parse_str(raw).map_err(|_| WebError::Status(StatusCode::NOT_FOUND))
}

fn role_label(lang: Lang, role: Role) -> &'static str {
    match lang {
        Lang::Zh => role.label_zh(),
        Lang::En => role.label_en(),
    }
}

async fn index(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let actor = require_staff(&ctx)?;
    let tree = state.services.agency_tree().await?;
    let visible = state.services.visible_agencies(actor, &tree);
    let base = Base::new(&ctx, "admin.title");
    let agencies = tree
        .depth_first()
        .into_iter()
        .filter(|(_, a)| visible.contains(&a.id))
        .map(|(depth, a)| AdminAgencyRow {
            id: a.id.to_string(),
            depth: depth.min(3),
            name: base.pick(&a.name_zh, &a.name_en).to_string(),
            slug: a.slug.clone(),
            level: level_label(ctx.lang, &a.level),
        })
        .collect();
    render(AdminIndexPage {
        base,
        agencies,
        may_create_top_level: actor.is_installation_administrator()
            || actor.has_role(Role::SystemAdministrator),
        may_view_security_log: actor.is_installation_administrator()
            || actor.has_role(Role::Auditor),
        redaction_model_loaded: state.services.has_entity_tagger(),
    })
}

fn level_choices(lang: Lang, selected: &str) -> Vec<Choice> {
    AdministrativeLevel::ALL
        .into_iter()
        .map(|l| Choice {
            value: l.code().to_string(),
            label: level_label(lang, l.code()).to_string(),
            selected: l.code() == selected,
        })
        .collect()
}

async fn agency_form(
    state: &AppState,
    ctx: &Ctx,
    problems: Problems,
    values: AgencyFormValues,
    existing: Option<Uuid>,
) -> Result<AgencyFormPage, WebError> {
    let actor = require_staff(ctx)?;
    let tree = state.services.agency_tree().await?;
    let base = Base::new(
        ctx,
        if existing.is_some() {
            "admin.edit_agency"
        } else {
            "admin.new_agency"
        },
    );
    let mut parents = Vec::new();
    if actor.is_installation_administrator() {
        parents.push(Choice {
            value: String::new(),
            label: base.t("admin.no_parent").to_string(),
            selected: values.parent_id.is_empty(),
        });
    }
    for (_, a) in tree.depth_first() {
        if state.services.administers(actor, &tree, a.id) {
            parents.push(Choice {
                value: a.id.to_string(),
                label: base.pick(&a.name_zh, &a.name_en).to_string(),
                selected: values.parent_id == a.id.to_string(),
            });
        }
    }
    Ok(AgencyFormPage {
        levels: level_choices(ctx.lang, &values.level),
        base,
        problems,
        action: match existing {
            Some(id) => format!("/admin/agencies/{id}/edit"),
            None => "/admin/agencies/new".to_string(),
        },
        is_new: existing.is_none(),
        values,
        parents,
    })
}

async fn new_agency_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let values = AgencyFormValues {
        level: "county".to_string(),
        ..Default::default()
    };
    render(agency_form(&state, &ctx, Problems::default(), values, None).await?)
}

fn agency_input(v: &AgencyFormValues) -> AgencyInput<'_> {
    AgencyInput {
        name_zh: &v.name_zh,
        name_en: &v.name_en,
        slug: &v.slug,
        level: &v.level,
        org_code: &v.org_code,
        ogi_office_name: &v.ogi_office_name,
        ogi_office_phone: &v.ogi_office_phone,
        ogi_office_email: &v.ogi_office_email,
        ogi_office_address: &v.ogi_office_address,
        ogi_office_hours: &v.ogi_office_hours,
    }
}

async fn create_agency(
    State(state): State<AppState>,
    CsrfForm(ctx, values): CsrfForm<AgencyFormValues>,
) -> Result<Response, WebError> {
    let actor = require_staff(&ctx)?.clone();
    let parent_id = if values.parent_id.trim().is_empty() {
        None
    } else {
        match Uuid::parse_str(values.parent_id.trim()) {
            Ok(id) => Some(id),
            Err(_) => {
                let problems =
                    Problems::from_form(ctx.lang, &single("parent_id", "parent_invalid"));
                let page = agency_form(&state, &ctx, problems, values, None).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
            }
        }
    };
    let result = state
        .services
        .create_agency(&actor, parent_id, &agency_input(&values), &ctx.origin)
        .await;
    match result {
        Ok(row) => Ok(Redirect::to(&format!("/admin/agencies/{}", row.id)).into_response()),
        Err(ServiceError::Invalid(p)) => {
            let page = agency_form(
                &state,
                &ctx,
                Problems::from_form(ctx.lang, &p),
                values,
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(ServiceError::NotFound) if parent_id.is_some() => {
            let problems = Problems::from_form(ctx.lang, &single("parent_id", "parent_invalid"));
            let page = agency_form(&state, &ctx, problems, values, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn single(field: &'static str, code: &'static str) -> gongkai_domain::form::FormProblems {
    let mut p = gongkai_domain::form::FormProblems::new();
    p.add(field, code);
    p
}

fn values_of(a: &AgencyRow) -> AgencyFormValues {
    AgencyFormValues {
        parent_id: a.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        name_zh: a.name_zh.clone(),
        name_en: a.name_en.clone(),
        slug: a.slug.clone(),
        level: a.level.clone(),
        org_code: a.org_code.clone(),
        ogi_office_name: a.ogi_office_name.clone(),
        ogi_office_phone: a.ogi_office_phone.clone(),
        ogi_office_email: a.ogi_office_email.clone(),
        ogi_office_address: a.ogi_office_address.clone(),
        ogi_office_hours: a.ogi_office_hours.clone(),
    }
}

async fn edit_agency_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    require_staff(&ctx)?;
    let agency = state.services.agency(parse_id(&id)?).await?;
    render(
        agency_form(
            &state,
            &ctx,
            Problems::default(),
            values_of(&agency),
            Some(agency.id),
        )
        .await?,
    )
}

async fn update_agency(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, values): CsrfForm<AgencyFormValues>,
) -> Result<Response, WebError> {
    let actor = require_staff(&ctx)?.clone();
    let id = parse_id(&id)?;
    match state
        .services
        .update_agency(&actor, id, &agency_input(&values), &ctx.origin)
        .await
    {
        Ok(row) => Ok(Redirect::to(&format!("/admin/agencies/{}", row.id)).into_response()),
        Err(ServiceError::Invalid(p)) => {
            let page = agency_form(
                &state,
                &ctx,
                Problems::from_form(ctx.lang, &p),
                values,
                Some(id),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// The problems and values of the three forms on the agency page; only one is ever non-empty.
#[derive(Default)]
struct AgencyPageForms {
    department_problems: Problems,
    department_values: (String, String, String),
    staff_problems: Problems,
    staff_values: (String, String, String),
    grant_problems: Problems,
    tier_problems: Problems,
    /// The tiers as submitted, when the submission was refused.
    tiers_submitted: Option<(Vec<String>, Vec<String>)>,
}

async fn agency_view(
    state: &AppState,
    ctx: &Ctx,
    agency_id: Uuid,
    forms: AgencyPageForms,
) -> Result<AdminAgencyPage, WebError> {
    let actor = require_staff(ctx)?;
    let agency = state.services.agency(agency_id).await?;
    let tree = state.services.agency_tree().await?;
    let may_administer = state.services.administers(actor, &tree, agency_id);
    let staff = state.services.staff_of_agency(actor, agency_id).await?;
    let departments = state.services.departments(agency_id).await?;
    let base = Base::titled(ctx, agency.name_zh.clone());
    let (routine_codes, sensitive_codes) = match &forms.tiers_submitted {
        Some(submitted) => submitted.clone(),
        None => {
            let rules = state.services.tier_rules(agency_id).await?;
            let codes = |roles: &[Role]| roles.iter().map(|r| r.code().to_string()).collect();
            (codes(&rules.routine), codes(&rules.sensitive))
        }
    };
    let tiers = gongkai_domain::application::TierRules::REVIEW_ROLES
        .iter()
        .map(|role| TierRoleView {
            code: role.code(),
            label: role_label(ctx.lang, *role),
            routine: routine_codes.iter().any(|c| c == role.code()),
            sensitive: sensitive_codes.iter().any(|c| c == role.code()),
        })
        .collect();
    let department_name = |id: Option<Uuid>| {
        id.and_then(|id| departments.iter().find(|d| d.id == id))
            .map(|d| base.pick(&d.name_zh, &d.name_en).to_string())
            .unwrap_or_default()
    };
    let staff_views: Vec<StaffRowView> = staff
        .iter()
        .map(|m| StaffRowView {
            account_id: m.account.id.to_string(),
            display_name: m.account.display_name.clone(),
            login: m
                .account
                .email
                .clone()
                .or(m.account.mobile.clone())
                .unwrap_or_default(),
            is_active: m.account.is_active,
            grants: m
                .grants
                .iter()
                .map(|g| GrantView {
                    id: g.id.to_string(),
                    role: Role::parse(&g.role)
                        .map(|r| role_label(ctx.lang, r))
                        .unwrap_or(""),
                    department: department_name(g.department_id),
                })
                .collect(),
        })
        .collect();
    let staff_choices = staff_views
        .iter()
        .map(|s| Choice {
            value: s.account_id.clone(),
            label: format!("{}（{}）", s.display_name, s.login),
            selected: false,
        })
        .collect();
    let roles = Role::STAFF
        .into_iter()
        .map(|r| Choice {
            value: r.code().to_string(),
            label: role_label(ctx.lang, r).to_string(),
            selected: false,
        })
        .collect();
    let mut department_choices = vec![Choice {
        value: String::new(),
        label: base.t("common.all_departments").to_string(),
        selected: true,
    }];
    department_choices.extend(departments.iter().map(|d| Choice {
        value: d.id.to_string(),
        label: base.pick(&d.name_zh, &d.name_en).to_string(),
        selected: false,
    }));
    Ok(AdminAgencyPage {
        agency_id: agency.id.to_string(),
        agency_name: base.pick(&agency.name_zh, &agency.name_en).to_string(),
        slug: agency.slug.clone(),
        departments: departments
            .iter()
            .map(|d| DepartmentAdminView {
                name_zh: d.name_zh.clone(),
                name_en: d.name_en.clone(),
                duties: d.duties.clone(),
            })
            .collect(),
        staff: staff_views,
        roles,
        department_choices,
        department_problems: forms.department_problems.prefixed("department-"),
        department_values: forms.department_values,
        staff_problems: forms.staff_problems.prefixed("staff-"),
        staff_values: forms.staff_values,
        grant_problems: forms.grant_problems.prefixed("grant-"),
        staff_choices,
        may_administer,
        tiers,
        tier_problems: forms.tier_problems.prefixed("tiers-"),
        base,
    })
}

/// The tier form: one checkbox per review role and tier, named `routine_<role>` and
/// `sensitive_<role>` (a plain form posts no list).
#[derive(Deserialize, Default)]
struct TierForm {
    #[serde(default)]
    routine_department_reviewer: String,
    #[serde(default)]
    routine_confidentiality_reviewer: String,
    #[serde(default)]
    routine_leader: String,
    #[serde(default)]
    sensitive_department_reviewer: String,
    #[serde(default)]
    sensitive_confidentiality_reviewer: String,
    #[serde(default)]
    sensitive_leader: String,
}

impl TierForm {
    /// The checked role codes of each tier.
    fn codes(&self) -> (Vec<String>, Vec<String>) {
        let checked = |pairs: [(&str, &str); 3]| {
            pairs
                .iter()
                .filter(|(value, _)| !value.is_empty())
                .map(|(_, code)| code.to_string())
                .collect::<Vec<_>>()
        };
        (
            checked([
                (&self.routine_department_reviewer, "department_reviewer"),
                (
                    &self.routine_confidentiality_reviewer,
                    "confidentiality_reviewer",
                ),
                (&self.routine_leader, "leader"),
            ]),
            checked([
                (&self.sensitive_department_reviewer, "department_reviewer"),
                (
                    &self.sensitive_confidentiality_reviewer,
                    "confidentiality_reviewer",
                ),
                (&self.sensitive_leader, "leader"),
            ]),
        )
    }
}

async fn set_tiers(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, form): CsrfForm<TierForm>,
) -> Result<Response, WebError> {
    let actor = require_staff(&ctx)?.clone();
    let agency_id = parse_id(&id)?;
    let (routine, sensitive) = form.codes();
    match state
        .services
        .set_tier_rules(&actor, agency_id, &routine, &sensitive, &ctx.origin)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/agencies/{agency_id}")).into_response()),
        Err(ServiceError::Invalid(p)) => {
            let forms = AgencyPageForms {
                tier_problems: Problems::from_form(ctx.lang, &p),
                tiers_submitted: Some((routine, sensitive)),
                ..Default::default()
            };
            let page = agency_view(&state, &ctx, agency_id, forms).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn agency_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    render(agency_view(&state, &ctx, id, AgencyPageForms::default()).await?)
}

#[derive(Deserialize, Default)]
struct DepartmentForm {
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    duties: String,
}

async fn create_department(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, form): CsrfForm<DepartmentForm>,
) -> Result<Response, WebError> {
    let actor = require_staff(&ctx)?.clone();
    let agency_id = parse_id(&id)?;
    match state
        .services
        .create_department(
            &actor,
            agency_id,
            &form.name_zh,
            &form.name_en,
            &form.duties,
            &ctx.origin,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/agencies/{agency_id}")).into_response()),
        Err(ServiceError::Invalid(p)) => {
            let forms = AgencyPageForms {
                department_problems: Problems::from_form(ctx.lang, &p),
                department_values: (form.name_zh, form.name_en, form.duties),
                ..Default::default()
            };
            let page = agency_view(&state, &ctx, agency_id, forms).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize, Default)]
struct StaffForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    initial_password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    department_id: String,
}

async fn create_staff(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, form): CsrfForm<StaffForm>,
) -> Result<Response, WebError> {
    let actor = require_staff(&ctx)?.clone();
    let agency_id = parse_id(&id)?;
    let input = StaffInput {
        email: &form.email,
        mobile: &form.mobile,
        display_name: &form.display_name,
        initial_password: &form.initial_password,
        role: &form.role,
        department_id: &form.department_id,
    };
    match state
        .services
        .create_staff(&actor, agency_id, &input, &ctx.origin)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/agencies/{agency_id}")).into_response()),
        Err(ServiceError::Invalid(p)) => {
            let forms = AgencyPageForms {
                staff_problems: Problems::from_form(ctx.lang, &p),
                staff_values: (form.email, form.mobile, form.display_name),
                ..Default::default()
            };
            let page = agency_view(&state, &ctx, agency_id, forms).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize, Default)]
struct GrantForm {
    #[serde(default)]
    account_id: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    department_id: String,
}

async fn grant_role(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, form): CsrfForm<GrantForm>,
) -> Result<Response, WebError> {
    let actor = require_staff(&ctx)?.clone();
    let agency_id = parse_id(&id)?;
    let result = match Uuid::parse_str(form.account_id.trim()) {
        Ok(account_id) => {
            state
                .services
                .grant_role(
                    &actor,
                    account_id,
                    agency_id,
                    &form.role,
                    &form.department_id,
                    &ctx.origin,
                )
                .await
        }
        Err(_) => Err(ServiceError::invalid("account_id", "required")),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/admin/agencies/{agency_id}")).into_response()),
        Err(ServiceError::Invalid(p)) => {
            let forms = AgencyPageForms {
                grant_problems: Problems::from_form(ctx.lang, &p),
                ..Default::default()
            };
            let page = agency_view(&state, &ctx, agency_id, forms).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize, Default)]
struct ReturnForm {
    #[serde(default)]
    agency_id: String,
    #[serde(default)]
    active: String,
}

fn back_to_agency(agency_id: &str) -> Response {
    match Uuid::parse_str(agency_id.trim()) {
        Ok(id) => Redirect::to(&format!("/admin/agencies/{id}")).into_response(),
        Err(_) => Redirect::to("/admin").into_response(),
    }
}

async fn revoke_role(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, form): CsrfForm<ReturnForm>,
) -> Result<Response, WebError> {
    let actor = require_staff(&ctx)?.clone();
    state
        .services
        .revoke_role(&actor, parse_id(&id)?, &ctx.origin)
        .await?;
    Ok(back_to_agency(&form.agency_id))
}

async fn set_active(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, form): CsrfForm<ReturnForm>,
) -> Result<Response, WebError> {
    let actor = require_staff(&ctx)?.clone();
    let active = match form.active.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(WebError::Status(StatusCode::BAD_REQUEST)),
    };
    state
        .services
        .set_staff_active(&actor, parse_id(&id)?, active, &ctx.origin)
        .await?;
    Ok(back_to_agency(&form.agency_id))
}

/// The most security events shown on one page.
const SECURITY_LOG_PAGE_EVENTS: i64 = 200;

async fn security_log(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let actor = require_staff(&ctx)?;
    let events = state
        .services
        .security_events(actor, SECURITY_LOG_PAGE_EVENTS)
        .await?
        .into_iter()
        .map(|e| SecurityEventView {
            occurred_at: e.occurred_at.to_string(),
            kind: e.kind,
            account: e.account_id.map(|a| a.to_string()).unwrap_or_default(),
            address: e.address,
            detail: e.detail,
        })
        .collect();
    render(SecurityLogPage {
        base: Base::new(&ctx, "admin.security_log"),
        events,
    })
}

#[derive(Deserialize, Default)]
struct CalendarForm {
    #[serde(default)]
    arrangement: String,
}

async fn calendar_view(
    state: &AppState,
    ctx: &Ctx,
    problems: Problems,
    arrangement: String,
    notice: Option<String>,
) -> Result<crate::templates::CalendarPage, WebError> {
    let actor = require_staff(ctx)?;
    if !(actor.is_installation_administrator() || actor.has_role(Role::SystemAdministrator)) {
        return Err(WebError::Status(StatusCode::FORBIDDEN));
    }
    let calendar = state.services.working_day_calendar().await?;
    let imported: Vec<i64> = state
        .services
        .db
        .calendar_year_list()
        .await
        .map_err(ServiceError::from)?
        .into_iter()
        .map(|(year, _)| year)
        .collect();
    let years = calendar
        .arrangements()
        .map(|a| crate::templates::CalendarYearView {
            year: a.year(),
            n_days_off: a.days().iter().filter(|d| d.is_off_day).count(),
            n_working_weekend_days: a.days().iter().filter(|d| !d.is_off_day).count(),
            published: a.is_published(),
            imported: imported.contains(&i64::from(a.year())),
            source: a.source_urls().first().cloned().unwrap_or_default(),
        })
        .collect();
    Ok(crate::templates::CalendarPage {
        base: Base::new(ctx, "calendar.title").with_notice(notice),
        problems,
        years,
        last_loaded_year: calendar
            .last_loaded_year()
            .map(|y| y.to_string())
            .unwrap_or_default(),
        arrangement,
    })
}

async fn calendar_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    render(calendar_view(&state, &ctx, Problems::default(), String::new(), None).await?)
}

async fn calendar_import(
    State(state): State<AppState>,
    CsrfForm(ctx, form): CsrfForm<CalendarForm>,
) -> Result<Response, WebError> {
    let actor = require_staff(&ctx)?.clone();
    // The parser's own message names the exact problem (a bad date, a duplicate, a weekday
    // declared a working day), so it is shown as it is.
    if let Err(e) = gongkai_domain::calendar::YearArrangement::parse_json(&form.arrangement) {
        let mut problems = Problems::one(ctx.lang, "arrangement", "problem.calendar_invalid");
        if let Some(item) = problems.items.first_mut() {
            item.detail = e.to_string();
        }
        let page = calendar_view(&state, &ctx, problems, form.arrangement, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
    }
    let year = state
        .services
        .import_calendar_year(Some(&actor), &form.arrangement, &ctx.origin)
        .await?;
    let notice = format!("{} {year}", ctx.t("calendar.imported"));
    render(
        calendar_view(
            &state,
            &ctx,
            Problems::default(),
            String::new(),
            Some(notice),
        )
        .await?,
    )
}
