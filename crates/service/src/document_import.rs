//! The generic import of an agency's existing documents (docs/import.md): one document a row,
//! in JSONL or CSV, with every metadata field of a document, its body inline or in a file, and
//! attachments given as paths relative to the import file.
//!
//! Every row is checked before anything is written and every problem of every row is reported
//! at once (line, field, reason), like a form (the seed's 一次性告知). Without
//! `skip_invalid` one bad row stops the whole import and nothing is written; with it, the
//! valid rows are imported and the others reported. Rows are keyed by their external id, so a
//! second run changes nothing, and a row whose content changed becomes a new version.

use crate::documents::{
    DOCUMENT_ATTACHMENT_BYTES_MAX, DOCUMENT_ATTACHMENTS_MAX, NewDocument, attachment_text_status,
    canonical_version_content, document_status, valid_external_id, version_state,
};
use crate::{ServiceError, ServiceResult, Services, sha256_hex};
use gongkai_domain::publication::{
    DocumentMetadata, MetadataInput, Validity, summary_from_body, validate_metadata,
};
use gongkai_store::{AgencyRow, DocumentAttachmentRow};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::{Component, Path, PathBuf};
use time::Date;
use uuid::Uuid;

/// The fields of an import row: the English key (JSONL keys, CSV headers) and the Chinese
/// name, which CSV headers may use instead (as agencies' spreadsheets name their columns).
pub const DOCUMENT_IMPORT_FIELDS: &[(&str, &str)] = &[
    ("external_id", "外部编号"),
    ("title", "名称"),
    ("short_title", "简称"),
    ("summary", "内容概述"),
    ("issuer", "发布机构"),
    ("written_date", "成文日期"),
    ("published_date", "发布日期"),
    ("document_number", "文号"),
    ("topic", "主题分类"),
    ("genre", "体裁"),
    ("validity", "有效性"),
    ("valid_from", "生效日期"),
    ("invalid_from", "失效日期"),
    ("keywords", "关键词"),
    ("catalog_code", "目录项"),
    ("formed_on", "形成日期"),
    ("body", "正文"),
    ("body_file", "正文文件"),
    ("attachments", "附件"),
];

/// The largest body file read (the body limit of the metadata form).
const BODY_FILE_BYTES_MAX: u64 = gongkai_domain::publication::BODY_MAX_BYTES as u64;

/// How an import treats invalid rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocumentImportOptions {
    /// Import the valid rows and report the others, instead of importing nothing.
    pub skip_invalid: bool,
}

/// One problem of one row. `line` is the line of the file where the row starts (1 is the
/// first line, the CSV header included); line 0 is the file itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentImportProblem {
    pub line: u64,
    /// The field's English key (see [`DOCUMENT_IMPORT_FIELDS`]), or `file` / `row`.
    pub field: String,
    pub code: String,
    /// The value or path concerned, when it helps to find it.
    pub detail: String,
}

impl DocumentImportProblem {
    /// The field's Chinese name, when it is one of the import fields.
    pub fn field_zh(&self) -> &'static str {
        DOCUMENT_IMPORT_FIELDS
            .iter()
            .find(|(key, _)| *key == self.field)
            .map(|(_, zh)| *zh)
            .unwrap_or("")
    }

    /// What the code means, in Chinese and English, for the operator's terminal.
    pub fn reason(&self) -> &'static str {
        document_import_reason(&self.code)
    }
}

/// The reason behind a problem code of the import (or of the metadata form it shares).
pub fn document_import_reason(code: &str) -> &'static str {
    match code {
        "required" => "必填 / required",
        "too_long" => "过长 / too long",
        "too_many" => "数量过多 / too many",
        "date_invalid" => "日期应为 YYYY-MM-DD / not a date YYYY-MM-DD",
        "invalid_document_number" => {
            "文号应为 机关代字〔年份〕序号号 / not a document number like 国办发〔2017〕47号"
        }
        "published_before_written" => "发布日期早于成文日期 / published before it was written",
        "invalid_choice" => {
            "有效性应为 有效、失效 或 废止 / validity must be effective, expired or repealed"
        }
        "required_when_repealed" => {
            "废止的文件须有失效日期 / a repealed document needs the date it stopped applying"
        }
        "before_valid_from" => "失效日期早于生效日期 / ends before it starts",
        "invalid_characters" => "含有 NUL 字符 / contains NUL characters",
        "invalid_external_id" => {
            "外部编号只能含字母、数字、- _ .，至多 80 字符 / only letters, digits, - _ . (80 at most)"
        }
        "duplicate_in_file" => "与文件中前面一行重复 / repeats an earlier row of the file",
        "unknown_field" => "未知字段 / unknown field",
        "not_text" => "应为文本 / must be text",
        "not_a_list_of_text" => "应为文本或文本列表 / must be text or a list of texts",
        "not_json_object" => "不是 JSON 对象 / not a JSON object",
        "not_csv" => "CSV 格式错误 / not readable as CSV",
        "not_utf8" => "不是 UTF-8 编码 / not UTF-8 text",
        "unknown_file_format" => {
            "文件扩展名应为 .jsonl 或 .csv / the file must end in .jsonl or .csv"
        }
        "file_unreadable" => "文件无法读取 / the file cannot be read",
        "empty_file" => "文件中没有文件行 / the file holds no rows",
        "body_and_body_file" => {
            "正文与正文文件只能填一个 / give either body or body_file, not both"
        }
        "path_not_relative" => {
            "路径须相对于导入文件且不含 .. / the path must be relative to the import file, without .."
        }
        "file_not_found" => "文件不存在 / no such file",
        "file_too_large" => "文件过大（至多 20 MB）/ file larger than 20 MB",
        "document_file_type_not_allowed" => {
            "附件只能是 PDF、DOCX 或 XLSX / attachments must be PDF, DOCX or XLSX"
        }
        "too_many_files" => "附件过多 / too many attachments",
        "unknown_catalog_item" => "目录中没有该项 / no such catalog item",
        "belongs_to_another_agency" => {
            "该编号属于另一机关的文件 / the id belongs to another agency's document"
        }
        "document_withdrawn" => {
            "该文件已撤回，不能以导入恢复 / the document was withdrawn; an import cannot bring it back"
        }
        _ => "无效 / invalid",
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocumentImportReport {
    pub rows: u64,
    pub imported: u64,
    pub corrected: u64,
    pub unchanged: u64,
    /// Rows left out because they had problems (with `skip_invalid`, or all rows when the
    /// import was refused).
    pub skipped: u64,
    pub attachments_added: u64,
    /// Whether anything was written.
    pub committed: bool,
    pub problems: Vec<DocumentImportProblem>,
}

/// A row as read, before checking: field values by English key, list values joined.
#[derive(Debug, Default)]
struct RawRow {
    line: u64,
    values: BTreeMap<&'static str, String>,
    attachments: Vec<String>,
}

/// An attachment checked and read once; its bytes are read again when written and must still
/// have the same digest.
#[derive(Debug)]
struct CheckedAttachment {
    path: PathBuf,
    filename: String,
    sha256: String,
    content_type: &'static str,
    size_bytes: i64,
    text_status: String,
    text: String,
}

#[derive(Debug)]
struct CheckedRow {
    line: u64,
    external_id: String,
    metadata: DocumentMetadata,
    catalog_code: Option<String>,
    formed_on: Option<Date>,
    attachments: Vec<CheckedAttachment>,
}

fn problem(line: u64, field: &str, code: &str, detail: impl Into<String>) -> DocumentImportProblem {
    DocumentImportProblem {
        line,
        field: field.to_string(),
        code: code.to_string(),
        detail: detail.into(),
    }
}

/// The English key of a JSONL key or CSV header, English or Chinese.
fn field_key(name: &str) -> Option<&'static str> {
    let name = name.trim();
    DOCUMENT_IMPORT_FIELDS
        .iter()
        .find(|(key, zh)| *key == name || *zh == name)
        .map(|(key, _)| *key)
}

/// Attachments in one CSV cell are separated by semicolons (full-width ones too) or `|`.
fn split_list(text: &str) -> Vec<String> {
    text.split([';', '；', '|'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

fn read_jsonl(text: &str, problems: &mut Vec<DocumentImportProblem>) -> Vec<RawRow> {
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_number = index as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(object)) => object,
            Ok(_) => {
                problems.push(problem(line_number, "row", "not_json_object", ""));
                continue;
            }
            Err(error) => {
                problems.push(problem(
                    line_number,
                    "row",
                    "not_json_object",
                    error.to_string(),
                ));
                continue;
            }
        };
        let mut row = RawRow {
            line: line_number,
            ..RawRow::default()
        };
        for (name, value) in object {
            let Some(key) = field_key(&name) else {
                problems.push(problem(line_number, "row", "unknown_field", name));
                continue;
            };
            match (key, value) {
                (_, Value::Null) => {}
                ("attachments" | "keywords", Value::Array(items)) => {
                    let mut texts = Vec::new();
                    for item in items {
                        match item {
                            Value::String(text) => texts.push(text),
                            _ => {
                                problems.push(problem(line_number, key, "not_a_list_of_text", ""));
                            }
                        }
                    }
                    if key == "attachments" {
                        row.attachments = texts;
                    } else {
                        row.values.insert(key, texts.join(","));
                    }
                }
                ("attachments", Value::String(text)) => row.attachments = split_list(&text),
                (_, Value::String(text)) => {
                    row.values.insert(key, text);
                }
                _ => problems.push(problem(line_number, key, "not_text", "")),
            }
        }
        rows.push(row);
    }
    rows
}

fn read_csv(bytes: &[u8], problems: &mut Vec<DocumentImportProblem>) -> Vec<RawRow> {
    // Spreadsheets saved as "CSV UTF-8" start with a byte order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header: Vec<Option<&'static str>> = match records.next() {
        Some(Ok(record)) => {
            let mut keys = Vec::new();
            for cell in record.iter() {
                match std::str::from_utf8(cell) {
                    Ok(name) => {
                        let key = field_key(name);
                        if key.is_none() && !name.trim().is_empty() {
                            problems.push(problem(1, "row", "unknown_field", name));
                        }
                        keys.push(key);
                    }
                    Err(_) => {
                        problems.push(problem(1, "row", "not_utf8", ""));
                        keys.push(None);
                    }
                }
            }
            keys
        }
        Some(Err(error)) => {
            problems.push(problem(1, "file", "not_csv", error.to_string()));
            return Vec::new();
        }
        None => return Vec::new(),
    };
    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map(|p| p.line()).unwrap_or(0);
                problems.push(problem(line, "file", "not_csv", error.to_string()));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record
            .iter()
            .all(|cell| cell.iter().all(u8::is_ascii_whitespace))
        {
            continue;
        }
        let mut row = RawRow {
            line,
            ..RawRow::default()
        };
        for (index, cell) in record.iter().enumerate() {
            let Some(Some(key)) = header.get(index) else {
                continue;
            };
            let Ok(text) = std::str::from_utf8(cell) else {
                problems.push(problem(line, key, "not_utf8", ""));
                continue;
            };
            if *key == "attachments" {
                row.attachments = split_list(text);
            } else if !text.trim().is_empty() {
                row.values.insert(key, text.to_string());
            }
        }
        rows.push(row);
    }
    rows
}

/// Resolves a path written in the file against the file's folder, refusing absolute paths
/// and `..`, so that an import file can only name files beside or below it.
fn resolve_relative(base: &Path, relative: &str) -> Option<PathBuf> {
    let path = Path::new(relative.trim());
    if relative.trim().is_empty()
        || path
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return None;
    }
    Some(base.join(path))
}

/// Reads a file named in a row, bounded, reporting a problem for the row when it cannot.
fn read_named_file(
    base: &Path,
    relative: &str,
    max_bytes: u64,
    line: u64,
    field: &str,
    problems: &mut Vec<DocumentImportProblem>,
) -> Option<(PathBuf, Vec<u8>)> {
    let Some(path) = resolve_relative(base, relative) else {
        problems.push(problem(line, field, "path_not_relative", relative));
        return None;
    };
    let size = match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() => meta.len(),
        _ => {
            problems.push(problem(line, field, "file_not_found", relative));
            return None;
        }
    };
    if size > max_bytes {
        problems.push(problem(line, field, "file_too_large", relative));
        return None;
    }
    match std::fs::read(&path) {
        Ok(bytes) => Some((path, bytes)),
        Err(error) => {
            problems.push(problem(
                line,
                field,
                "file_unreadable",
                format!("{relative}: {error}"),
            ));
            None
        }
    }
}

fn parse_formed_on(
    text: Option<&String>,
    line: u64,
    problems: &mut Vec<DocumentImportProblem>,
) -> Option<Date> {
    let text = text.map(|t| t.trim()).filter(|t| !t.is_empty())?;
    match gongkai_domain::calendar::parse_iso_date(text) {
        Ok(date) => Some(date),
        Err(_) => {
            problems.push(problem(line, "formed_on", "date_invalid", text));
            None
        }
    }
}

/// 有效性 as agencies write it (有效 / 失效 / 废止) or as the form's codes.
fn validity_code(text: &str) -> String {
    match text.trim() {
        "有效" | "现行有效" => Validity::Effective.code().to_string(),
        "失效" | "已失效" => Validity::Expired.code().to_string(),
        "废止" | "已废止" => Validity::Repealed.code().to_string(),
        other => other.to_string(),
    }
}

impl Services {
    /// Imports an agency's existing documents from a JSONL or CSV file (by its extension);
    /// see docs/import.md. Paths inside the file are relative to the file's folder.
    ///
    /// The documents were published before, elsewhere: they are recorded as published
    /// versions at once, like the laws import, with the change note 导入, a transparency-log
    /// entry each and their attachments. New information goes through the Art. 17 review on
    /// the staff pages instead.
    pub async fn import_documents_file(
        &self,
        agency_slug: &str,
        file: &Path,
        options: DocumentImportOptions,
    ) -> ServiceResult<DocumentImportReport> {
        let agency = self
            .db
            .agency_by_slug(agency_slug)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let mut report = DocumentImportReport::default();
        let extension = file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let bytes = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(error) => {
                report.problems.push(problem(
                    0,
                    "file",
                    "file_unreadable",
                    format!("{}: {error}", file.display()),
                ));
                return Ok(report);
            }
        };
        let raw_rows = match extension.as_deref() {
            Some("jsonl" | "ndjson") => match std::str::from_utf8(&bytes) {
                Ok(text) => read_jsonl(text, &mut report.problems),
                Err(error) => {
                    report
                        .problems
                        .push(problem(0, "file", "not_utf8", error.to_string()));
                    return Ok(report);
                }
            },
            Some("csv") => read_csv(&bytes, &mut report.problems),
            _ => {
                report.problems.push(problem(
                    0,
                    "file",
                    "unknown_file_format",
                    file.display().to_string(),
                ));
                return Ok(report);
            }
        };
        let base = file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        report.rows = raw_rows.len() as u64;
        if raw_rows.is_empty() && report.problems.is_empty() {
            report.problems.push(problem(0, "file", "empty_file", ""));
            return Ok(report);
        }
        let catalog_codes: HashSet<String> = self
            .db
            .catalog_items(agency.id)
            .await?
            .into_iter()
            .map(|item| item.code)
            .collect();
        let mut seen_ids: HashSet<String> = HashSet::new();
        let mut checked = Vec::with_capacity(raw_rows.len());
        let mut bad_lines: HashSet<u64> = report.problems.iter().map(|p| p.line).collect();
        for raw in raw_rows {
            let before = report.problems.len();
            let row = self
                .check_import_row(
                    &agency,
                    &base,
                    raw,
                    &catalog_codes,
                    &mut seen_ids,
                    &mut report.problems,
                )
                .await?;
            match row {
                Some(row) if report.problems.len() == before && !bad_lines.contains(&row.line) => {
                    checked.push(row)
                }
                Some(row) => {
                    bad_lines.insert(row.line);
                }
                None => {}
            }
        }
        report.skipped = report.rows - checked.len() as u64;
        if !report.problems.is_empty() && !options.skip_invalid {
            report.skipped = report.rows;
            return Ok(report);
        }
        self.write_import_rows(&agency, checked, &mut report)
            .await?;
        Ok(report)
    }

    /// Checks one row completely, adding every problem found; the row when it has none.
    async fn check_import_row(
        &self,
        agency: &AgencyRow,
        base: &Path,
        raw: RawRow,
        catalog_codes: &HashSet<String>,
        seen_ids: &mut HashSet<String>,
        problems: &mut Vec<DocumentImportProblem>,
    ) -> ServiceResult<Option<CheckedRow>> {
        let line = raw.line;
        let before = problems.len();
        let value = |key: &str| raw.values.get(key).cloned().unwrap_or_default();
        let external_id = value("external_id").trim().to_string();
        if external_id.is_empty() {
            problems.push(problem(line, "external_id", "required", ""));
        } else if !valid_external_id(&external_id) {
            problems.push(problem(
                line,
                "external_id",
                "invalid_external_id",
                external_id.clone(),
            ));
        } else if !seen_ids.insert(external_id.clone()) {
            problems.push(problem(
                line,
                "external_id",
                "duplicate_in_file",
                external_id.clone(),
            ));
        }
        let mut body = value("body");
        let body_file = value("body_file");
        if !body_file.trim().is_empty() {
            if !body.trim().is_empty() {
                problems.push(problem(line, "body_file", "body_and_body_file", ""));
            } else if let Some((_, bytes)) = read_named_file(
                base,
                &body_file,
                BODY_FILE_BYTES_MAX,
                line,
                "body_file",
                problems,
            ) {
                match String::from_utf8(bytes) {
                    Ok(text) => body = text,
                    Err(_) => {
                        problems.push(problem(line, "body_file", "not_utf8", body_file.clone()))
                    }
                }
            }
        }
        // Imported documents were published before; without the date the record would show
        // the day of the import as the day the public could first read them.
        if value("published_date").trim().is_empty() {
            problems.push(problem(line, "published_date", "required", ""));
        }
        let summary = match value("summary") {
            text if text.trim().is_empty() => summary_from_body(&body, 100),
            text => text,
        };
        let input = MetadataInput {
            title: value("title"),
            short_title: value("short_title"),
            summary,
            issuer: value("issuer"),
            document_number: value("document_number"),
            written_date: value("written_date"),
            published_date: value("published_date"),
            topic: value("topic"),
            genre: value("genre"),
            validity: validity_code(&value("validity")),
            valid_from: value("valid_from"),
            invalid_from: value("invalid_from"),
            keywords: value("keywords"),
            body,
        };
        let metadata = match validate_metadata(&input) {
            Ok(metadata) => Some(metadata),
            Err(found) => {
                for p in found.problems() {
                    // An empty body from a body file is reported on the file's field.
                    let field = if p.field == "body" && !body_file.trim().is_empty() {
                        "body_file"
                    } else {
                        p.field
                    };
                    problems.push(problem(line, field, p.code, ""));
                }
                None
            }
        };
        let catalog_code = Some(value("catalog_code").trim().to_string()).filter(|c| !c.is_empty());
        if let Some(code) = &catalog_code
            && !catalog_codes.contains(code)
        {
            problems.push(problem(
                line,
                "catalog_code",
                "unknown_catalog_item",
                code.clone(),
            ));
        }
        let formed_on = parse_formed_on(raw.values.get("formed_on"), line, problems);
        if valid_external_id(&external_id)
            && let Some(existing) = self.db.document_by_external_id(&external_id).await?
        {
            if existing.agency_id != agency.id {
                problems.push(problem(
                    line,
                    "external_id",
                    "belongs_to_another_agency",
                    external_id.clone(),
                ));
            } else if existing.status == document_status::WITHDRAWN {
                problems.push(problem(
                    line,
                    "external_id",
                    "document_withdrawn",
                    external_id.clone(),
                ));
            }
        }
        if raw.attachments.len() as i64 > DOCUMENT_ATTACHMENTS_MAX {
            problems.push(problem(line, "attachments", "too_many_files", ""));
        }
        let mut attachments = Vec::new();
        for relative in &raw.attachments {
            if let Some(attachment) = check_attachment(base, relative, line, problems).await? {
                attachments.push(attachment);
            }
        }
        let Some(metadata) = metadata.filter(|_| problems.len() == before) else {
            return Ok(None);
        };
        Ok(Some(CheckedRow {
            line,
            external_id,
            metadata,
            catalog_code,
            formed_on,
            attachments,
        }))
    }

    /// Writes the checked rows in one transaction: all of them or, on a failure, none.
    async fn write_import_rows(
        &self,
        agency: &AgencyRow,
        rows: Vec<CheckedRow>,
        report: &mut DocumentImportReport,
    ) -> ServiceResult<()> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        for row in rows {
            let header: Vec<String> = Vec::new();
            let (document_id, publication, present) =
                match tx.document_id_by_external_id(&row.external_id).await? {
                    Some(id) => {
                        let mut existing = tx
                            .document_get_for_update(id)
                            .await?
                            .ok_or(ServiceError::NotFound)?;
                        let present = tx.document_attachment_digests(id).await?;
                        let new_files = row
                            .attachments
                            .iter()
                            .any(|a| !present.iter().any(|(digest, _)| *digest == a.sha256));
                        let current = tx
                            .document_version_get(id, existing.current_version)
                            .await?;
                        let same_content = match current {
                            Some(current) => {
                                let content = canonical_version_content(
                                    &existing.external_id,
                                    &existing.index_number,
                                    current.version,
                                    &row.metadata,
                                    &header,
                                )?;
                                sha256_hex(&content) == current.content_sha256
                            }
                            None => false,
                        };
                        // The catalog item is where the document is listed, not its content:
                        // moving it needs no new version.
                        let recatalogued =
                            row.catalog_code.is_some() && row.catalog_code != existing.catalog_code;
                        if recatalogued {
                            existing.catalog_code = row.catalog_code.clone();
                        }
                        if same_content && !new_files {
                            if recatalogued {
                                existing.updated_at = now;
                                tx.document_update(&existing).await?;
                                tx.document_change_record(id, now).await?;
                            }
                            report.unchanged += 1;
                            continue;
                        }
                        let publication = self
                            .publish_new_version(
                                &mut tx,
                                existing,
                                row.metadata,
                                header,
                                "导入更新".to_string(),
                                None,
                                now,
                            )
                            .await?;
                        report.corrected += 1;
                        (id, publication, present)
                    }
                    None => {
                        let formed_on = row
                            .formed_on
                            .or(row.metadata.written_date)
                            .or(row.metadata.published_date);
                        let (document, publication) = self
                            .insert_document(
                                &mut tx,
                                NewDocument {
                                    agency,
                                    external_id: Some(row.external_id.clone()),
                                    catalog_code: row.catalog_code.clone(),
                                    metadata: row.metadata,
                                    header,
                                    level: String::new(),
                                    formed_on,
                                    change_note: "导入".to_string(),
                                },
                                version_state::PUBLISHED,
                                None,
                                now,
                            )
                            .await?;
                        report.imported += 1;
                        let publication = publication.ok_or_else(|| {
                            ServiceError::Unexpected(anyhow::anyhow!(
                                "an imported document was not published"
                            ))
                        })?;
                        (document.id, publication, Vec::new())
                    }
                };
            let version = publication.version();
            let mut present: HashSet<String> = present.into_iter().map(|(d, _)| d).collect();
            for attachment in row.attachments {
                // The same file named twice, or already attached to an earlier version, is
                // stored once: attachments stay with the later versions.
                if !present.insert(attachment.sha256.clone()) {
                    continue;
                }
                let bytes = std::fs::read(&attachment.path).map_err(|error| {
                    ServiceError::Unexpected(anyhow::anyhow!(
                        "line {}: {} cannot be read any more: {error}",
                        row.line,
                        attachment.path.display()
                    ))
                })?;
                if sha256_hex(&bytes) != attachment.sha256 {
                    return Err(ServiceError::Unexpected(anyhow::anyhow!(
                        "line {}: {} changed during the import; nothing was imported",
                        row.line,
                        attachment.path.display()
                    )));
                }
                tx.blob_insert(&attachment.sha256, &bytes, now).await?;
                tx.document_attachment_insert(
                    &DocumentAttachmentRow {
                        id: Uuid::now_v7(),
                        document_id,
                        version,
                        sha256: attachment.sha256,
                        filename: attachment.filename,
                        content_type: attachment.content_type.to_string(),
                        size_bytes: attachment.size_bytes,
                        text_status: attachment.text_status,
                        uploaded_by: None,
                        created_at: now,
                    },
                    &attachment.text,
                )
                .await?;
                report.attachments_added += 1;
            }
            // The leaf lists the version's files, so it is appended once they are all in.
            self.log_publication(&mut tx, publication, now).await?;
        }
        tx.commit().await?;
        report.committed = true;
        Ok(())
    }
}

/// Reads an attachment, checks its type from its content and extracts its text (off the async
/// workers: PDFs go through a subprocess, DOCX and XLSX through untrusted ZIP and XML).
async fn check_attachment(
    base: &Path,
    relative: &str,
    line: u64,
    problems: &mut Vec<DocumentImportProblem>,
) -> ServiceResult<Option<CheckedAttachment>> {
    let Some((path, bytes)) = read_named_file(
        base,
        relative,
        DOCUMENT_ATTACHMENT_BYTES_MAX as u64,
        line,
        "attachments",
        problems,
    ) else {
        return Ok(None);
    };
    if bytes.is_empty() {
        problems.push(problem(line, "attachments", "required", relative));
        return Ok(None);
    }
    let Some(format) = gongkai_extract::Format::detect(&bytes, relative) else {
        problems.push(problem(
            line,
            "attachments",
            "document_file_type_not_allowed",
            relative,
        ));
        return Ok(None);
    };
    let sha256 = sha256_hex(&bytes);
    let size_bytes = bytes.len() as i64;
    let extracted =
        tokio::task::spawn_blocking(move || gongkai_extract::extract_text(format, &bytes))
            .await
            .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("extraction task: {e}")))?;
    let (text_status, text) = match extracted {
        Ok(extracted) => {
            let (status, text) = attachment_text_status::of(extracted);
            (status.to_string(), text)
        }
        Err(gongkai_extract::ExtractError::Unreadable { .. }) => {
            problems.push(problem(line, "attachments", "file_unreadable", relative));
            return Ok(None);
        }
        // The file is fine but its text is unavailable here (no pdftotext or tesseract, a
        // timeout): it is imported and the page says that its text is not searchable, as for uploads.
        Err(other) => (other.code().to_string(), String::new()),
    };
    Ok(Some(CheckedAttachment {
        filename: crate::clean_filename(
            Path::new(relative)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(relative),
        ),
        path,
        sha256,
        content_type: format.content_type(),
        size_bytes,
        text_status,
        text,
    }))
}
