//! The OGI office's catalog editor (Art. 22: agencies fix and keep adding to their proactive
//! content): one item at a time, every save a revision with its note, the history shown.

use crate::AppState;
use crate::ctx::{CsrfForm, Ctx};
use crate::error::WebError;
use crate::pages::render;
use crate::templates::{Base, Problems};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gongkai_domain::catalog::{CHANNELS, FiveDisclosure, UpdateRule};
use gongkai_domain::form::FormProblems;
use gongkai_service::{CatalogItemData, ServiceError};
use std::collections::HashMap;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/catalog/{slug}/{code}",
            get(edit_form).post(edit_submit),
        )
        .route(
            "/staff/catalog/{slug}/{code}/template",
            axum::routing::post(template_decision),
        )
}

/// A newer revision of the higher agency's template, with what it would change.
pub(crate) struct TemplateUpdateView {
    pub agency_name: String,
    pub revision: i64,
    pub action: String,
    pub differences: Vec<(String, String, String)>,
}

pub(crate) struct CheckboxView {
    pub name: String,
    pub label: String,
    pub checked: bool,
}

pub(crate) struct RevisionView {
    pub revision: i64,
    pub changed_at: String,
    pub note: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "staff_catalog_item.html")]
pub(crate) struct CatalogItemPage {
    pub base: Base,
    pub problems: Problems,
    pub action: String,
    pub agency_name: String,
    pub back_href: String,
    pub item_name: String,
    pub elements: String,
    pub responsible_department: String,
    pub legal_basis: String,
    pub rule_code: String,
    pub rule_first: String,
    pub rule_second: String,
    pub active: bool,
    pub channels: Vec<CheckboxView>,
    pub disclosures: Vec<CheckboxView>,
    pub revisions: Vec<RevisionView>,
    pub template_update: Option<TemplateUpdateView>,
}

fn rule_parts(rule: &UpdateRule) -> (String, String, String) {
    match rule {
        UpdateRule::WithinWorkingDaysOfChange { working_days } => (
            "within_working_days".into(),
            working_days.to_string(),
            String::new(),
        ),
        UpdateRule::AnnuallyBy { month, day } => {
            ("annually".into(), month.to_string(), day.to_string())
        }
        UpdateRule::Quarterly {
            working_days_after_quarter,
        } => (
            "quarterly".into(),
            working_days_after_quarter.to_string(),
            String::new(),
        ),
        UpdateRule::OnOccurrence => ("on_occurrence".into(), String::new(), String::new()),
    }
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    code: &str,
    data: &CatalogItemData,
    active: bool,
    problems: Problems,
) -> Result<CatalogItemPage, WebError> {
    let agency = state.services.agency_by_slug(slug).await?;
    let base = Base::titled(
        ctx,
        if ctx.lang == crate::i18n::Lang::En {
            format!("Catalog item {code}")
        } else {
            format!("目录事项 {code}")
        },
    );
    let revisions = state
        .services
        .db
        .catalog_revisions(agency.id, code)
        .await
        .map_err(ServiceError::from)?
        .into_iter()
        .map(|r| RevisionView {
            revision: r.revision,
            changed_at: gongkai_domain::calendar::format_iso_date(r.changed_at.date()),
            note: r.change_note,
            summary: serde_json::from_str::<CatalogItemData>(&r.data)
                .map(|d| format!("{} · {}", d.name, d.update_rule.describe_zh()))
                .unwrap_or_default(),
        })
        .collect();
    let (rule_code, rule_first, rule_second) = rule_parts(&data.update_rule);
    // A new item (not yet saved) has no template to follow.
    let template_update = match state
        .services
        .catalog_template_update(agency.id, code)
        .await
    {
        Ok(update) => update.map(|u| TemplateUpdateView {
            agency_name: base
                .pick(&u.template_agency.name_zh, &u.template_agency.name_en)
                .to_string(),
            revision: u.template_revision,
            action: format!("/staff/catalog/{slug}/{code}/template"),
            differences: u
                .differences
                .into_iter()
                .map(|d| {
                    (
                        base.pick(d.label_zh, d.label_en).to_string(),
                        d.local,
                        d.template,
                    )
                })
                .collect(),
        }),
        Err(ServiceError::NotFound) => None,
        Err(other) => return Err(other.into()),
    };
    Ok(CatalogItemPage {
        template_update,
        problems,
        action: format!("/staff/catalog/{slug}/{code}"),
        agency_name: base.pick(&agency.name_zh, &agency.name_en).to_string(),
        back_href: format!("/a/{slug}/catalog#item-{code}"),
        item_name: data.name.clone(),
        elements: data.elements.clone(),
        responsible_department: data.responsible_department.clone(),
        legal_basis: data.legal_basis.clone(),
        rule_code,
        rule_first,
        rule_second,
        active,
        channels: CHANNELS
            .iter()
            .map(|(code, label)| CheckboxView {
                name: format!("channel_{code}"),
                label: (*label).to_string(),
                checked: data.channels.iter().any(|c| c == code),
            })
            .collect(),
        disclosures: FiveDisclosure::ALL
            .iter()
            .map(|d| CheckboxView {
                name: format!("disclosure_{}", d.code()),
                label: d.label_zh().to_string(),
                checked: data.five_disclosures.contains(d),
            })
            .collect(),
        revisions,
        base,
    })
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
) -> Result<Response, WebError> {
    ctx.require_actor()?;
    let agency = state.services.agency_by_slug(&slug).await?;
    let item = state
        .services
        .catalog_view(agency.id)
        .await?
        .into_iter()
        .find(|i| i.row.code == code);
    let (data, active) = match item {
        Some(item) => (item.data, item.row.active),
        // A new item starts from the Art. 26 rule and the website channel.
        None => (
            CatalogItemData {
                name: String::new(),
                elements: String::new(),
                responsible_department: String::new(),
                channels: vec!["website".to_string()],
                update_rule: UpdateRule::ART26,
                legal_basis: String::new(),
                five_disclosures: Vec::new(),
            },
            true,
        ),
    };
    render(
        page(
            &state,
            &ctx,
            &slug,
            &code,
            &data,
            active,
            Problems::default(),
        )
        .await?,
    )
}

async fn edit_submit(
    State(state): State<AppState>,
    Path((slug, code)): Path<(String, String)>,
    CsrfForm(ctx, form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let agency = state.services.agency_by_slug(&slug).await?;
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let mut problems = FormProblems::new();
    let update_rule = match UpdateRule::from_form(
        &field("rule_code"),
        &field("rule_first"),
        &field("rule_second"),
    ) {
        Some(rule) => rule,
        None => {
            problems.add("rule_code", "invalid_choice");
            UpdateRule::ART26
        }
    };
    let data = CatalogItemData {
        name: field("name").trim().to_string(),
        elements: field("elements").trim().to_string(),
        responsible_department: field("responsible_department").trim().to_string(),
        channels: CHANNELS
            .iter()
            .filter(|(code, _)| form.contains_key(&format!("channel_{code}")))
            .map(|(code, _)| (*code).to_string())
            .collect(),
        update_rule,
        legal_basis: field("legal_basis").trim().to_string(),
        five_disclosures: FiveDisclosure::ALL
            .iter()
            .filter(|d| form.contains_key(&format!("disclosure_{}", d.code())))
            .copied()
            .collect(),
    };
    // The service checks the rest; this keeps every problem in one answer when the time
    // limit is also wrong (the service is not called then).
    if data.name.is_empty() {
        problems.add("name", "required");
    }
    let active = form.contains_key("active");
    let result = if problems.is_empty() {
        state
            .services
            .update_catalog_item(
                actor,
                agency.id,
                &code,
                data.clone(),
                active,
                &field("change_note"),
            )
            .await
            .map(|_| ())
    } else {
        Err(ServiceError::Invalid(problems))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/a/{slug}/catalog#item-{code}")).into_response()),
        Err(ServiceError::Invalid(found)) => {
            let shown = Problems::from_form(ctx.lang, &found);
            let mut response =
                render(page(&state, &ctx, &slug, &code, &data, active, shown).await?)?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct TemplateDecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    template_revision: String,
}

/// The OGI office accepts the higher agency's newer template revision or keeps its own item.
async fn template_decision(
    State(state): State<AppState>,
    Path((slug, code)): Path<(String, String)>,
    CsrfForm(ctx, form): CsrfForm<TemplateDecisionForm>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let agency = state.services.agency_by_slug(&slug).await?;
    let accept = match form.decision.as_str() {
        "accept" => true,
        "keep" => false,
        _ => return Err(WebError::Status(StatusCode::BAD_REQUEST)),
    };
    let revision: i64 = form
        .template_revision
        .trim()
        .parse()
        .map_err(|_| WebError::Status(StatusCode::BAD_REQUEST))?;
    state
        .services
        .decide_catalog_template_update(actor, agency.id, &code, revision, accept)
        .await?;
    Ok(Redirect::to(&format!("/staff/catalog/{slug}/{code}")).into_response())
}
