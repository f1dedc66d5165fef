//! Staff pages of proactive disclosure: the publication worklist with Art. 26 overdue items,
//! the draft form (new documents and corrections), and the workflow actions (submit for the
//! confidentiality review, approve or refuse it, withdraw).

use crate::AppState;
use crate::ctx::{CsrfForm, Ctx};
use crate::documents::document_href;
use crate::error::WebError;
use crate::pages::render;
use crate::templates::{Base, Choice, Problems};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_domain::account::Role;
use gongkai_domain::calendar::format_iso_date;
use gongkai_domain::form::FormProblems;
use gongkai_domain::publication::{MetadataInput, Validity};
use gongkai_service::{AgencyRow, DraftRequest, ServiceError, version_state};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/documents", get(worklist))
        .route("/staff/documents/new", get(draft_form).post(draft_submit))
        .route("/staff/documents/act", post(act))
        .route("/staff/documents/index-template", post(set_index_template))
        .route(
            "/staff/documents/attachments",
            post(upload_attachment).layer(DefaultBodyLimit::max(ATTACHMENT_UPLOAD_BODY_MAX_BYTES)),
        )
        .route(
            "/staff/documents/attachments/delete",
            get(delete_attachment_confirm).post(delete_attachment),
        )
}

pub(crate) struct PendingEntry {
    pub href: String,
    pub title: String,
    pub version: i64,
    pub state: &'static str,
    pub review_note: String,
    pub due: String,
}

pub(crate) struct OverdueEntry {
    pub kind: &'static str,
    pub subject: String,
    pub href: String,
    pub since: String,
    pub due: String,
    pub working_days_late: u32,
}

pub(crate) struct AgencyWork {
    pub name: String,
    pub slug: String,
    /// The 索引号 template in force, and whether this person may change it (OGI office).
    pub index_number_template: String,
    pub may_configure: bool,
    pub pending: Vec<PendingEntry>,
    pub overdue: Vec<OverdueEntry>,
}

/// A query people ran that found nothing or whose results nobody opened (C20: candidates for
/// proactive disclosure).
pub(crate) struct SearchGapView {
    pub query: String,
    pub searches: i64,
    pub zero_result_searches: i64,
    pub clicks: i64,
}

#[derive(Template)]
#[template(path = "staff_documents.html")]
pub(crate) struct WorklistPage {
    pub base: Base,
    pub agencies: Vec<AgencyWork>,
    /// Only for the OGI office; `None` for other staff.
    pub search_gaps: Option<Vec<SearchGapView>>,
}

fn state_label(lang_en: bool, state: &str) -> &'static str {
    let (zh, en) = match state {
        version_state::DRAFT => ("草稿", "Draft"),
        version_state::IN_REVIEW => ("待保密审查", "Awaiting confidentiality review"),
        version_state::REJECTED => ("审查未通过，待修改", "Refused, to be revised"),
        _ => ("", ""),
    };
    if lang_en { en } else { zh }
}

async fn staff_agencies(state: &AppState, ctx: &Ctx) -> Result<Vec<AgencyRow>, WebError> {
    let actor = ctx.require_actor()?;
    let tree = state.services.agency_tree().await?;
    let agencies: Vec<AgencyRow> = tree
        .agencies
        .iter()
        .filter(|a| !state.services.roles_in_agency(actor, a.id).is_empty())
        .cloned()
        .collect();
    if agencies.is_empty() {
        return Err(WebError::Service(ServiceError::Forbidden));
    }
    Ok(agencies)
}

async fn worklist(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    worklist_page(&state, &ctx, None).await
}

/// The worklist, with a notice on top when a form on it was refused.
async fn worklist_page(
    state: &AppState,
    ctx: &Ctx,
    notice: Option<String>,
) -> Result<Response, WebError> {
    let agencies = staff_agencies(state, ctx).await?;
    let actor = ctx.require_actor()?;
    let base = Base::titled(
        ctx,
        if ctx.lang == crate::i18n::Lang::En {
            "Publications".to_string()
        } else {
            "主动公开工作台".to_string()
        },
    )
    .with_notice(notice);
    let mut work = Vec::new();
    for agency in agencies {
        let pending = state
            .services
            .pending_publications(actor, agency.id)
            .await?
            .into_iter()
            .map(|p| PendingEntry {
                href: format!(
                    "{}?version={}",
                    document_href(&p.document.external_id),
                    p.version
                ),
                title: p.document.title,
                version: p.version,
                state: state_label(base.is_en(), &p.state),
                review_note: p.review_note,
                due: p.due.map(format_iso_date).unwrap_or_default(),
            })
            .collect();
        let overdue = state
            .services
            .publication_overdue(agency.id)
            .await?
            .into_iter()
            .map(|o| OverdueEntry {
                kind: match (o.kind, base.is_en()) {
                    ("unpublished_change", false) => {
                        "形成或变更后未在20个工作日内公开（第二十六条）"
                    }
                    ("unpublished_change", true) => {
                        "Not published within 20 working days (Art. 26)"
                    }
                    (_, false) => "定期更新未按时完成",
                    (_, true) => "Periodic update missed",
                },
                href: if o.kind == "unpublished_change" {
                    document_href(&o.reference)
                } else {
                    format!("/a/{}/catalog#item-{}", agency.slug, o.reference)
                },
                subject: o.subject,
                since: format_iso_date(o.since),
                due: format_iso_date(o.due),
                working_days_late: o.working_days_late,
            })
            .collect();
        work.push(AgencyWork {
            index_number_template: state.services.index_number_template_of(agency.id).await?,
            may_configure: state
                .services
                .roles_in_agency(actor, agency.id)
                .contains(&Role::OgiOffice),
            name: base.pick(&agency.name_zh, &agency.name_en).to_string(),
            slug: agency.slug,
            pending,
            overdue,
        });
    }
    let search_gaps = match state.services.search_gaps(actor, 30).await {
        Ok(rows) => Some(
            rows.into_iter()
                .take(50)
                .map(|g| SearchGapView {
                    query: g.query,
                    searches: g.searches,
                    zero_result_searches: g.zero_result_searches,
                    clicks: g.clicks,
                })
                .collect(),
        ),
        Err(ServiceError::Forbidden) => None,
        Err(other) => return Err(other.into()),
    };
    render(WorklistPage {
        base,
        agencies: work,
        search_gaps,
    })
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DraftQuery {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    correct: String,
}

/// The draft form's values, kept when it is shown again with problems.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct DraftForm {
    #[serde(default)]
    pub agency: String,
    #[serde(default)]
    pub correct: String,
    #[serde(default)]
    pub catalog_code: String,
    #[serde(default)]
    pub formed_on: String,
    #[serde(default)]
    pub change_note: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub short_title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub document_number: String,
    #[serde(default)]
    pub written_date: String,
    #[serde(default)]
    pub published_date: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub genre: String,
    #[serde(default)]
    pub validity: String,
    #[serde(default)]
    pub valid_from: String,
    #[serde(default)]
    pub invalid_from: String,
    #[serde(default)]
    pub keywords: String,
    #[serde(default)]
    pub body: String,
}

impl DraftForm {
    fn metadata_input(&self) -> MetadataInput {
        MetadataInput {
            title: self.title.clone(),
            short_title: self.short_title.clone(),
            summary: self.summary.clone(),
            issuer: self.issuer.clone(),
            document_number: self.document_number.clone(),
            written_date: self.written_date.clone(),
            published_date: self.published_date.clone(),
            topic: self.topic.clone(),
            genre: self.genre.clone(),
            validity: self.validity.clone(),
            valid_from: self.valid_from.clone(),
            invalid_from: self.invalid_from.clone(),
            keywords: self.keywords.clone(),
            body: self.body.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "staff_document_form.html")]
pub(crate) struct DraftPage {
    pub base: Base,
    pub agency_name: String,
    pub problems: Problems,
    pub values: DraftForm,
    pub catalog_choices: Vec<Choice>,
    pub validity_choices: Vec<Choice>,
    pub is_correction: bool,
}

async fn draft_page(
    state: &AppState,
    ctx: &Ctx,
    agency: &AgencyRow,
    values: DraftForm,
    problems: Problems,
) -> Result<DraftPage, WebError> {
    let base = Base::titled(
        ctx,
        if ctx.lang == crate::i18n::Lang::En {
            "New document".to_string()
        } else {
            "起草公开文件".to_string()
        },
    );
    let mut catalog_choices = vec![Choice {
        value: String::new(),
        label: base.pick("（未归入目录）", "(no catalog item)").to_string(),
        selected: values.catalog_code.is_empty(),
    }];
    for item in state.services.catalog_view(agency.id).await? {
        if !item.row.active {
            continue;
        }
        catalog_choices.push(Choice {
            selected: values.catalog_code == item.row.code,
            value: item.row.code,
            label: item.data.name,
        });
    }
    let validity_choices = Validity::ALL
        .iter()
        .map(|v| Choice {
            value: v.code().to_string(),
            label: if base.is_en() {
                v.label_en()
            } else {
                v.label_zh()
            }
            .to_string(),
            selected: values.validity == v.code()
                || (values.validity.is_empty() && *v == Validity::Effective),
        })
        .collect();
    Ok(DraftPage {
        agency_name: base.pick(&agency.name_zh, &agency.name_en).to_string(),
        is_correction: !values.correct.is_empty(),
        base,
        problems,
        values,
        catalog_choices,
        validity_choices,
    })
}

async fn draft_form(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<DraftQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let agencies = staff_agencies(&state, &ctx).await?;
    let mut values = DraftForm::default();
    let agency = if query.correct.trim().is_empty() {
        agencies
            .iter()
            .find(|a| a.slug == query.agency)
            .or(agencies.first())
            .cloned()
            .ok_or(WebError::Status(StatusCode::NOT_FOUND))?
    } else {
        // A correction starts from the current text, so staff change only what is wrong.
        let view = state
            .services
            .document_view(&query.correct, None, ctx.actor.as_ref())
            .await?;
        let m = &view.version.metadata;
        let date = |d: Option<time::Date>| d.map(format_iso_date).unwrap_or_default();
        values = DraftForm {
            agency: view.agency.slug.clone(),
            correct: view.document.external_id.clone(),
            catalog_code: view.document.catalog_code.clone().unwrap_or_default(),
            formed_on: String::new(),
            change_note: String::new(),
            title: m.title.clone(),
            short_title: m.short_title.clone(),
            summary: m.summary.clone(),
            issuer: m.issuer.clone(),
            document_number: m.document_number.clone().unwrap_or_default(),
            written_date: date(m.written_date),
            published_date: String::new(),
            topic: m.topic.clone(),
            genre: m.genre.clone(),
            validity: m.validity.code().to_string(),
            valid_from: date(m.valid_from),
            invalid_from: date(m.invalid_from),
            keywords: m.keywords.join("，"),
            body: m.body.clone(),
        };
        agencies
            .iter()
            .find(|a| a.id == view.agency.id)
            .cloned()
            .ok_or(WebError::Service(ServiceError::Forbidden))?
    };
    if values.agency.is_empty() {
        values.agency = agency.slug.clone();
        values.issuer = agency.name_zh.clone();
    }
    render(draft_page(&state, &ctx, &agency, values, Problems::default()).await?)
}

async fn draft_submit(
    State(state): State<AppState>,
    CsrfForm(ctx, values): CsrfForm<DraftForm>,
) -> Result<Response, WebError> {
    let agencies = staff_agencies(&state, &ctx).await?;
    let actor = ctx.require_actor()?;
    let agency = agencies
        .iter()
        .find(|a| a.slug == values.agency)
        .cloned()
        .ok_or(WebError::Service(ServiceError::Forbidden))?;
    let input = values.metadata_input();
    let correct = values.correct.trim();
    let request = DraftRequest {
        agency_id: agency.id,
        existing_external_id: (!correct.is_empty()).then_some(correct),
        catalog_code: Some(values.catalog_code.as_str()),
        formed_on: Some(values.formed_on.as_str()),
        input: &input,
        change_note: &values.change_note,
    };
    match state.services.create_document_draft(actor, &request).await {
        Ok((external_id, version)) => Ok(Redirect::to(&format!(
            "{}?version={version}",
            document_href(&external_id)
        ))
        .into_response()),
        Err(ServiceError::Invalid(problems)) => {
            let shown = Problems::from_form(ctx.lang, &problems);
            let mut response = render(draft_page(&state, &ctx, &agency, values, shown).await?)?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct TemplateForm {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    index_number_template: String,
}

/// The OGI office sets the agency's 索引号 template (no national standard fixes one).
async fn set_index_template(
    State(state): State<AppState>,
    CsrfForm(ctx, form): CsrfForm<TemplateForm>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let agency = state.services.agency_by_slug(&form.agency).await?;
    match state
        .services
        .set_index_number_template(actor, agency.id, &form.index_number_template)
        .await
    {
        Ok(()) => Ok(Redirect::to("/staff/documents").into_response()),
        Err(ServiceError::Invalid(problems)) => {
            let message = Problems::from_form(ctx.lang, &problems)
                .items
                .iter()
                .map(|p| format!("{}：{}", p.label, p.message))
                .collect::<Vec<_>>()
                .join("；");
            let mut response = worklist_page(&state, &ctx, Some(message)).await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ActForm {
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
}

/// The workflow buttons of the document page. Errors that a person can fix (a missing note
/// or reason) come back as a 422 page naming the field; a stale button (someone else acted
/// first) as a 409.
async fn act(
    State(state): State<AppState>,
    CsrfForm(ctx, form): CsrfForm<ActForm>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let version: i64 = form.version.trim().parse().unwrap_or(0);
    let external_id = form.external_id.trim();
    let services = &state.services;
    let result = match form.action.as_str() {
        "submit" => {
            services
                .submit_document_for_review(actor, external_id, version)
                .await
        }
        "approve" => {
            services
                .review_document_version(actor, external_id, version, true, &form.note)
                .await
        }
        "reject" => {
            services
                .review_document_version(actor, external_id, version, false, &form.note)
                .await
        }
        "withdraw" => {
            services
                .withdraw_document(actor, external_id, &form.note)
                .await
        }
        // 政策解读: the note names the interpretation's external id (or its page address).
        "link_interpretation" => {
            let interpretation = form
                .note
                .trim()
                .trim_start_matches("/documents/")
                .split(['?', '#'])
                .next()
                .unwrap_or_default()
                .to_string();
            match services
                .link_interpretation(actor, external_id, &interpretation)
                .await
            {
                Err(ServiceError::NotFound) => {
                    let mut problems = FormProblems::new();
                    problems.add("interpretation", "unknown_document");
                    Err(ServiceError::Invalid(problems))
                }
                other => other,
            }
        }
        _ => {
            let mut problems = FormProblems::new();
            problems.add("action", "invalid_choice");
            Err(ServiceError::Invalid(problems))
        }
    };
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("{}?version={version}", document_href(external_id)))
                .into_response(),
        ),
        Err(ServiceError::Invalid(problems)) => {
            let problems = Problems::from_form(ctx.lang, &problems).prefixed("act-");
            let mut response = crate::documents::render_document(
                &state,
                &ctx,
                external_id,
                Some(version),
                None,
                problems,
            )
            .await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

/// The document version an upload is for, from the form's address.
#[derive(Debug, Deserialize)]
pub(crate) struct AttachTarget {
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    version: String,
}

/// The largest attachment upload request: one file plus the few form fields.
const ATTACHMENT_UPLOAD_BODY_MAX_BYTES: usize =
    gongkai_service::DOCUMENT_ATTACHMENT_BYTES_MAX + 64 * 1024;

/// Attaches a file to a draft version from the document page's staff panel (a plain multipart
/// form, no JavaScript). Problems a person can fix (no file, wrong type, too large, damaged)
/// come back as a 422 document page naming the field.
async fn upload_attachment(
    State(state): State<AppState>,
    ctx: Ctx,
    target: Result<Query<AttachTarget>, QueryRejection>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let Query(target) = target.map_err(|_| WebError::Status(StatusCode::BAD_REQUEST))?;
    let external_id = target.external_id.trim().to_string();
    let version: i64 = target
        .version
        .trim()
        .parse()
        .map_err(|_| WebError::Status(StatusCode::BAD_REQUEST))?;
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_large = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            // The body limit cut the request (its declared length is checked before any
            // field is read): the file was too large.
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                too_large = true;
                break;
            }
            Err(_) => return Err(WebError::Status(StatusCode::BAD_REQUEST)),
        };
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                let filename = field.file_name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(bytes) => file = Some((filename, bytes.to_vec())),
                    Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        too_large = true;
                        break;
                    }
                    Err(_) => return Err(WebError::Status(StatusCode::BAD_REQUEST)),
                }
            }
            "csrf_token" => {
                csrf = field
                    .text()
                    .await
                    .map_err(|_| WebError::Status(StatusCode::BAD_REQUEST))?;
            }
            _ => {}
        }
    }
    // A request cut off for its size changes nothing, so it is answered with the page and
    // its problem even though its token was never read; everything else needs the token.
    if !too_large {
        ctx.check_csrf(&csrf)?;
    }
    let result = if too_large {
        let mut problems = FormProblems::new();
        problems.add("file", "file_too_large");
        Err(ServiceError::Invalid(problems))
    } else {
        let (filename, bytes) = file.unwrap_or_default();
        state
            .services
            .add_document_attachment(&actor, &external_id, version, &filename, &bytes)
            .await
            .map(|_| ())
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!(
            "{}?version={version}",
            document_href(&external_id)
        ))
        .into_response()),
        Err(ServiceError::Invalid(problems)) => {
            let problems = Problems::from_form(ctx.lang, &problems).prefixed("act-");
            let mut response = crate::documents::render_document(
                &state,
                &ctx,
                &external_id,
                Some(version),
                None,
                problems,
            )
            .await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

/// What the document page offers the signed-in staff member for the version shown.
pub(crate) struct StaffPanel {
    pub external_id: String,
    pub version: i64,
    pub can_submit: bool,
    /// Files can be attached to a draft only (they are reviewed with it, Art. 17).
    pub can_attach: bool,
    /// Where the upload form posts: the document and version are in the address, so that a
    /// request cut off for its size still knows which page to answer with.
    pub attach_action: String,
    pub can_review: bool,
    pub can_withdraw: bool,
    pub can_link: bool,
    pub correct_href: Option<String>,
}

pub(crate) fn staff_panel(
    roles: &[Role],
    external_id: &str,
    version: i64,
    version_state_code: &str,
    document_published: bool,
) -> Option<StaffPanel> {
    if roles.is_empty() {
        return None;
    }
    let publisher = roles.contains(&Role::Clerk) || roles.contains(&Role::OgiOffice);
    let reviewer =
        roles.contains(&Role::ConfidentialityReviewer) || roles.contains(&Role::OgiOffice);
    Some(StaffPanel {
        external_id: external_id.to_string(),
        version,
        can_submit: publisher && version_state_code == version_state::DRAFT,
        can_attach: publisher && version_state_code == version_state::DRAFT,
        attach_action: format!(
            "/staff/documents/attachments?{}",
            serde_urlencoded::to_string([
                ("external_id", external_id.to_string()),
                ("version", version.to_string())
            ])
            .unwrap_or_default()
        ),
        can_review: reviewer && version_state_code == version_state::IN_REVIEW,
        can_link: publisher && document_published,
        can_withdraw: roles.contains(&Role::OgiOffice)
            && document_published
            && version_state_code == version_state::PUBLISHED,
        correct_href: (publisher && document_published).then(|| {
            format!(
                "/staff/documents/new?{}",
                serde_urlencoded::to_string([("correct", external_id)]).unwrap_or_default()
            )
        }),
    })
}

/// Which file of which document a deletion is about (the confirmation page's address, and
/// the fields of its form).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AttachmentDeleteTarget {
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    attachment: String,
}

#[derive(Template)]
#[template(path = "attachment_delete.html")]
struct AttachmentDeletePage {
    base: Base,
    external_id: String,
    attachment: String,
    back_href: String,
    document_title: String,
    version: i64,
    filename: String,
    size: String,
    sha256: String,
    /// Why the file cannot be deleted (its version left the draft state); no form then.
    refusal: Option<&'static str>,
}

fn attachment_delete_title(ctx: &Ctx) -> String {
    match ctx.lang {
        crate::i18n::Lang::En => "Delete a file from the draft".to_string(),
        _ => "从草稿中删除附件".to_string(),
    }
}

/// The refusal shown when the file's version is no longer a draft (Art. 17: the review saw it).
fn attachment_delete_refusal(ctx: &Ctx) -> &'static str {
    match ctx.lang {
        crate::i18n::Lang::En => {
            "This file can no longer be deleted: its version has been sent to the confidentiality review or published (Art. 17), so the file is part of what was reviewed. Replace it through a correction."
        }
        _ => {
            "此附件已不能删除：所属版本已提交保密审查或已公开（条例第十七条），附件属于审查过的内容。如需更换，请通过更正提交新版本。"
        }
    }
}

async fn attachment_delete_page(
    state: &AppState,
    ctx: &Ctx,
    target: &AttachmentDeleteTarget,
    refusal: Option<&'static str>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let external_id = target.external_id.trim();
    let attachment_id = uuid::Uuid::try_parse(target.attachment.trim())
        .map_err(|_| WebError::Status(StatusCode::NOT_FOUND))?;
    let view = state
        .services
        .document_view(external_id, None, Some(actor))
        .await?;
    let row = state
        .services
        .db
        .document_attachments(view.document.id)
        .await
        .map_err(ServiceError::from)?
        .into_iter()
        .find(|a| a.id == attachment_id)
        .ok_or(WebError::Status(StatusCode::NOT_FOUND))?;
    let (row, refusal) = match refusal {
        Some(reason) => (row, Some(reason)),
        None => match state
            .services
            .document_attachment_to_delete(actor, external_id, attachment_id)
            .await
        {
            Ok(row) => (row, None),
            Err(ServiceError::Conflict { .. }) => (row, Some(attachment_delete_refusal(ctx))),
            Err(other) => return Err(other.into()),
        },
    };
    let page = AttachmentDeletePage {
        base: Base::titled(ctx, attachment_delete_title(ctx)),
        external_id: view.document.external_id.clone(),
        attachment: row.id.to_string(),
        back_href: format!("{}?version={}", document_href(external_id), row.version),
        document_title: view.document.title.clone(),
        version: row.version,
        filename: row.filename,
        size: crate::documents::size_label(row.size_bytes),
        sha256: row.sha256,
        refusal,
    };
    let mut response = render(page)?;
    if refusal.is_some() {
        *response.status_mut() = StatusCode::CONFLICT;
    }
    Ok(response)
}

/// The confirmation step before a file is deleted from a draft: a page with one button, so
/// that the deletion needs no JavaScript and never happens from a link alone.
async fn delete_attachment_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    target: Result<Query<AttachmentDeleteTarget>, QueryRejection>,
) -> Result<Response, WebError> {
    let Query(target) = target.map_err(|_| WebError::Status(StatusCode::BAD_REQUEST))?;
    attachment_delete_page(&state, &ctx, &target, None).await
}

/// Deletes the confirmed file and returns to the draft's page.
async fn delete_attachment(
    State(state): State<AppState>,
    CsrfForm(ctx, target): CsrfForm<AttachmentDeleteTarget>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let attachment_id = uuid::Uuid::try_parse(target.attachment.trim())
        .map_err(|_| WebError::Status(StatusCode::NOT_FOUND))?;
    let external_id = target.external_id.trim();
    match state
        .services
        .delete_document_attachment(actor, external_id, attachment_id)
        .await
    {
        Ok(row) => Ok(Redirect::to(&format!(
            "{}?version={}",
            document_href(external_id),
            row.version
        ))
        .into_response()),
        Err(ServiceError::Conflict { .. }) => {
            let refusal = attachment_delete_refusal(&ctx);
            attachment_delete_page(&state, &ctx, &target, Some(refusal)).await
        }
        Err(other) => Err(other.into()),
    }
}
