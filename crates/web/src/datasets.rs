//! Datasets (C12, open data first step): the staff page that uploads a Table Schema and a CSV
//! file to a draft and lists every problem of every row, and the public addresses of a
//! published dataset — `/documents/{id}/data.csv`, `data.json` (typed rows) and `schema.json` —
//! with the installation's DCAT-AP catalog at `/data/catalog.jsonld`. Checking and storing are
//! the service's; this module reads forms and serves files.

use crate::AppState;
use crate::ctx::Ctx;
use crate::documents::document_href;
use crate::error::WebError;
use crate::i18n::Lang;
use crate::pages::render;
use crate::templates::{Base, Problems};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gongkai_service::{
    DATASET_CSV_BYTES_MAX, DATASET_SCHEMA_BYTES_MAX, DatasetUpload, ServiceError,
};
use serde::Deserialize;
use serde_json::json;

/// The largest upload request: both files plus the form fields.
const DATASET_UPLOAD_BODY_MAX_BYTES: usize =
    DATASET_CSV_BYTES_MAX + DATASET_SCHEMA_BYTES_MAX + 64 * 1024;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/datasets",
            get(upload_form)
                .post(upload)
                .layer(DefaultBodyLimit::max(DATASET_UPLOAD_BODY_MAX_BYTES)),
        )
        .route("/documents/{external_id}/data.csv", get(data_csv))
        .route("/documents/{external_id}/data.json", get(data_json))
        .route("/documents/{external_id}/schema.json", get(schema_json))
        .route("/data/catalog.jsonld", get(catalog))
}

#[derive(Debug, Default, Deserialize)]
struct UploadTarget {
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    version: String,
}

/// One problem of the data, for the table of problems.
pub(crate) struct DataProblemRow {
    pub line: usize,
    pub field: String,
    pub problem: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "dataset_upload.html")]
pub(crate) struct DatasetUploadPage {
    pub base: Base,
    pub problems: Problems,
    pub back_href: String,
    pub document_title: String,
    pub version: i64,
    pub current: Option<String>,
    pub may_upload: bool,
    pub action: String,
    pub schema_problems: Vec<(String, &'static str)>,
    pub data_problems: Vec<DataProblemRow>,
    pub data_problems_total: usize,
}

/// What a problem code means, in the page's language.
fn problem_text(lang: Lang, code: &str) -> &'static str {
    let (zh, en) = match code {
        "required" => ("必填，不能为空", "is required"),
        "not_integer" => ("须为整数", "must be an integer"),
        "not_number" => ("须为数字", "must be a number"),
        "not_year" => ("须为四位年份", "must be a four-digit year"),
        "not_boolean" => ("须为 true/false（是/否）", "must be true or false"),
        "not_date" => ("须为有效日期 YYYY-MM-DD", "must be a valid date YYYY-MM-DD"),
        "below_minimum" => ("小于允许的最小值", "is below the minimum"),
        "above_maximum" => ("大于允许的最大值", "is above the maximum"),
        "too_short" => ("短于允许的最小长度", "is shorter than allowed"),
        "too_long" => ("超过允许的最大长度", "is longer than allowed"),
        "not_allowed" => ("不是允许的取值之一", "is not one of the allowed values"),
        "unique" => (
            "与前面某行重复，此字段须唯一",
            "repeats an earlier row; must be unique",
        ),
        "primary_key_missing" => ("主键为空", "the primary key is empty"),
        "primary_key_duplicate" => (
            "主键与前面某行重复",
            "the primary key repeats an earlier row",
        ),
        "row_length" => (
            "本行的列数与表结构不符",
            "this row has the wrong number of columns",
        ),
        "too_many_rows" => ("行数超过上限", "too many rows"),
        "header_mismatch" => (
            "首行须依次为表结构中的字段名",
            "the first row must name the schema's fields in order",
        ),
        "csv_unterminated_quote" => ("引号未闭合", "a quoted field never ends"),
        "schema_not_json" => ("不是有效的 JSON", "is not valid JSON"),
        "schema_not_object" => ("须为 JSON 对象", "must be a JSON object"),
        "fields_missing" => ("缺少字段列表 fields", "the fields list is missing"),
        "too_many_fields" => ("字段过多", "too many fields"),
        "field_not_object" => ("字段须为 JSON 对象", "a field must be an object"),
        "name_missing" => ("缺少字段名 name", "the field has no name"),
        "name_duplicate" => ("字段名重复", "the field name repeats"),
        "type_unsupported" => (
            "不支持的类型（可用 string、integer、number、boolean、date、year）",
            "unsupported type (string, integer, number, boolean, date, year)",
        ),
        "constraints_not_object" => (
            "constraints 须为 JSON 对象",
            "constraints must be an object",
        ),
        "not_length" => ("须为非负整数", "must be a non-negative integer"),
        "enum_invalid" => ("enum 须为非空列表", "enum must be a non-empty list"),
        "primary_key_invalid" => (
            "primaryKey 须为字段名或其列表",
            "primaryKey must name fields",
        ),
        "primary_key_unknown_field" => (
            "primaryKey 中有不存在的字段",
            "primaryKey names an unknown field",
        ),
        _ => ("格式不正确", "is not valid"),
    };
    if lang == Lang::En { en } else { zh }
}

fn upload_action(external_id: &str, version: i64) -> String {
    format!(
        "/staff/datasets?{}",
        serde_urlencoded::to_string([
            ("external_id", external_id),
            ("version", &version.to_string()),
        ])
        .unwrap_or_default()
    )
}

async fn upload_page(
    state: &AppState,
    ctx: &Ctx,
    external_id: &str,
    version: i64,
) -> Result<DatasetUploadPage, WebError> {
    let actor = ctx.require_actor()?;
    let view = state
        .services
        .document_view(external_id, Some(version), Some(actor))
        .await?;
    if state
        .services
        .roles_in_agency(actor, view.document.agency_id)
        .is_empty()
    {
        return Err(WebError::Status(StatusCode::FORBIDDEN));
    }
    let current = state
        .services
        .db
        .dataset_of_version(view.document.id, version)
        .await
        .map_err(ServiceError::from)?
        .map(|row| {
            format!(
                "{} {} · SHA-256 {}",
                row.row_count,
                if ctx.lang == Lang::En { "rows" } else { "行" },
                row.csv_sha256
            )
        });
    Ok(DatasetUploadPage {
        base: Base::titled(
            ctx,
            if ctx.lang == Lang::En {
                "Dataset of a document".to_string()
            } else {
                "文件的数据集".to_string()
            },
        ),
        problems: Problems::default(),
        back_href: format!("{}?version={version}", document_href(external_id)),
        document_title: view.version.metadata.title.clone(),
        version,
        current,
        may_upload: view.version.row.state == gongkai_service::version_state::DRAFT,
        action: upload_action(external_id, version),
        schema_problems: Vec::new(),
        data_problems: Vec::new(),
        data_problems_total: 0,
    })
}

fn target_of(
    target: Result<Query<UploadTarget>, QueryRejection>,
) -> Result<(String, i64), WebError> {
    let Query(target) = target.map_err(|_| WebError::Status(StatusCode::BAD_REQUEST))?;
    let version = target
        .version
        .trim()
        .parse::<i64>()
        .map_err(|_| WebError::Status(StatusCode::BAD_REQUEST))?;
    Ok((target.external_id.trim().to_string(), version))
}

async fn upload_form(
    State(state): State<AppState>,
    ctx: Ctx,
    target: Result<Query<UploadTarget>, QueryRejection>,
) -> Result<Response, WebError> {
    let (external_id, version) = target_of(target)?;
    render(upload_page(&state, &ctx, &external_id, version).await?)
}

async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    target: Result<Query<UploadTarget>, QueryRejection>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let (external_id, version) = target_of(target)?;
    let mut csrf = String::new();
    let mut schema = Vec::new();
    let mut csv = Vec::new();
    let mut too_large = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                too_large = true;
                break;
            }
            Err(_) => return Err(WebError::Status(StatusCode::BAD_REQUEST)),
        };
        let name = field.name().unwrap_or("").to_string();
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes.to_vec(),
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                too_large = true;
                break;
            }
            Err(_) => return Err(WebError::Status(StatusCode::BAD_REQUEST)),
        };
        match name.as_str() {
            "schema" => schema = bytes,
            "csv" => csv = bytes,
            "csrf_token" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            _ => {}
        }
    }
    let mut page = upload_page(&state, &ctx, &external_id, version).await?;
    if too_large {
        let mut problems = gongkai_domain::form::FormProblems::new();
        problems.add("csv", "file_too_large");
        page.problems = Problems::from_form(ctx.lang, &problems);
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, render(page)?).into_response());
    }
    ctx.check_csrf(&csrf)?;
    match state
        .services
        .upload_dataset(&actor, &external_id, version, &schema, &csv)
        .await
    {
        Ok(DatasetUpload::Stored { .. }) => Ok(Redirect::to(&format!(
            "{}?version={version}",
            document_href(&external_id)
        ))
        .into_response()),
        Ok(DatasetUpload::SchemaInvalid(problems)) => {
            page.schema_problems = problems
                .iter()
                .map(|p| (p.path.clone(), problem_text(ctx.lang, p.code)))
                .collect();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Ok(DatasetUpload::DataInvalid(problems)) => {
            page.data_problems_total = problems.total;
            page.data_problems = problems
                .listed
                .iter()
                .map(|p| DataProblemRow {
                    line: p.line,
                    field: p.field.clone(),
                    problem: problem_text(ctx.lang, p.code),
                    value: p.value.clone(),
                })
                .collect();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(ServiceError::Invalid(problems)) => {
            page.problems = Problems::from_form(ctx.lang, &problems);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct VersionQuery {
    #[serde(default)]
    version: String,
}

/// The dataset the viewer may see: the current published version's for the public, the
/// version asked for (a draft) for the agency's staff.
async fn dataset_for(
    state: &AppState,
    ctx: &Ctx,
    external_id: &str,
    query: Result<Query<VersionQuery>, QueryRejection>,
) -> Result<gongkai_service::PublishedDataset, WebError> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let version = match query.version.trim() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| WebError::Status(StatusCode::NOT_FOUND))?,
        ),
    };
    state
        .services
        .document_dataset(external_id, version, ctx.actor.as_ref())
        .await?
        .ok_or(WebError::Status(StatusCode::NOT_FOUND))
}

fn open(content_type: &'static str, disposition: Option<String>, body: String) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        body,
    )
        .into_response();
    if let Some(value) = disposition.and_then(|d| HeaderValue::from_str(&d).ok()) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

async fn data_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(external_id): Path<String>,
    query: Result<Query<VersionQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let dataset = dataset_for(&state, &ctx, &external_id, query).await?;
    state.services.count_document_download(&external_id).await;
    // The file name is the document's external id, which is ASCII by construction.
    let name: String = dataset
        .view
        .document
        .external_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(open(
        "text/csv; charset=utf-8",
        Some(format!("attachment; filename=\"{name}.csv\"")),
        dataset.row.csv_text,
    ))
}

async fn data_json(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(external_id): Path<String>,
    query: Result<Query<VersionQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let dataset = dataset_for(&state, &ctx, &external_id, query).await?;
    let typed = dataset.typed_rows()?;
    let href = document_href(&dataset.view.document.external_id);
    let body = json!({
        "external_id": dataset.view.document.external_id,
        "title": dataset.view.version.metadata.title,
        "version": dataset.view.version.row.version,
        "row_count": dataset.row.row_count,
        "csv": { "href": format!("{href}/data.csv"), "sha256": dataset.row.csv_sha256 },
        "schema": dataset.schema.to_json(),
        "rows": typed,
    });
    Ok(open(
        "application/json; charset=utf-8",
        None,
        body.to_string(),
    ))
}

async fn schema_json(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(external_id): Path<String>,
    query: Result<Query<VersionQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let dataset = dataset_for(&state, &ctx, &external_id, query).await?;
    Ok(open(
        "application/json; charset=utf-8",
        None,
        dataset.schema.to_json().to_string(),
    ))
}

async fn catalog(State(state): State<AppState>) -> Result<Response, WebError> {
    let catalog = state.services.datasets_catalog_jsonld().await?;
    Ok(open(
        "application/ld+json; charset=utf-8",
        None,
        catalog.to_string(),
    ))
}
