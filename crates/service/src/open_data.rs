//! Open data of proactive disclosure: an agency's catalog and the metadata of its published
//! documents as a Frictionless Data Package (two CSV resources, each with a Table Schema) and
//! as a DCAT-AP catalog in JSON-LD, so that data portals can harvest what an agency publishes
//! (Art. 23: disclosure through the channels people use; Art. 24: everything published can be
//! viewed and downloaded).
//!
//! One list of fields per table feeds both the CSV header and the schema, so the two cannot
//! drift apart.

use crate::documents::CatalogItemData;
use crate::{ServiceError, ServiceResult, Services};
use gongkai_domain::calendar::format_iso_date;
use gongkai_domain::publication::DocumentMetadata;
use gongkai_store::AgencyRow;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One column of an open data table: its name (the CSV header), its Table Schema type and
/// what it holds.
#[derive(Debug, Clone, Copy)]
pub struct OpenDataField {
    pub name: &'static str,
    /// A Table Schema type: `string`, `integer`, `boolean`, `date` or `datetime`.
    pub kind: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub required: bool,
}

const fn field(
    name: &'static str,
    kind: &'static str,
    title: &'static str,
    description: &'static str,
    required: bool,
) -> OpenDataField {
    OpenDataField {
        name,
        kind,
        title,
        description,
        required,
    }
}

/// The columns of `catalog-items.csv`, one row per item of the agency's catalog.
pub const CATALOG_ITEM_FIELDS: &[OpenDataField] = &[
    field(
        "code",
        "string",
        "目录项代码",
        "Stable code of the item (art20-1 …), shared with the template it was adopted from.",
        true,
    ),
    field("name", "string", "名称", "Name of the catalog item.", true),
    field(
        "elements",
        "string",
        "内容要素",
        "What the item contains.",
        false,
    ),
    field(
        "responsible_department",
        "string",
        "责任部门",
        "The department that produces and publishes it (谁产生、谁公开).",
        false,
    ),
    field(
        "channels",
        "string",
        "公开渠道",
        "Channels of publication (Art. 23), separated by semicolons.",
        false,
    ),
    field(
        "update_rule",
        "string",
        "更新时限",
        "When it must be updated (Art. 26: within 20 working days of formation or change, unless another rule applies).",
        true,
    ),
    field(
        "legal_basis",
        "string",
        "公开依据",
        "The legal basis of the duty to publish.",
        false,
    ),
    field(
        "five_disclosures",
        "string",
        "五公开",
        "决策、执行、管理、服务、结果公开 tags, separated by semicolons.",
        false,
    ),
    field(
        "active",
        "boolean",
        "启用",
        "Whether the item is in use.",
        true,
    ),
    field(
        "revision",
        "integer",
        "修订版本",
        "The item's revision number; every revision is kept.",
        true,
    ),
    field(
        "template_agency",
        "string",
        "模板机关",
        "The higher agency whose catalog template the item was adopted from.",
        false,
    ),
    field(
        "deviates_from_template",
        "boolean",
        "偏离模板",
        "Whether the item now differs from that template.",
        true,
    ),
    field(
        "published_count",
        "integer",
        "已公开文件数",
        "Published documents in the item.",
        true,
    ),
    field(
        "last_published",
        "date",
        "最近公开日期",
        "Publication date of the item's latest document.",
        false,
    ),
];

/// The columns of `documents.csv`, one row per published document (its current version).
pub const DOCUMENT_FIELDS: &[OpenDataField] = &[
    field(
        "external_id",
        "string",
        "编号",
        "The document's permanent id; its page is /documents/{external_id}.",
        true,
    ),
    field(
        "index_number",
        "string",
        "索引号",
        "Index number from the agency's template.",
        true,
    ),
    field(
        "url",
        "string",
        "网址",
        "Address of the document's page.",
        true,
    ),
    field("title", "string", "名称", "Title.", true),
    field(
        "short_title",
        "string",
        "简称",
        "The name people cite it by.",
        false,
    ),
    field("summary", "string", "内容概述", "Summary.", false),
    field("issuer", "string", "发布机构", "Issuing body.", true),
    field(
        "document_number",
        "string",
        "文号",
        "Document number 机关代字〔年份〕序号号.",
        false,
    ),
    field(
        "written_date",
        "date",
        "成文日期",
        "Date it was written.",
        false,
    ),
    field(
        "published_date",
        "date",
        "发布日期",
        "Date it was published.",
        false,
    ),
    field("topic", "string", "主题分类", "Topic.", false),
    field("genre", "string", "体裁", "Genre (通知, 办法 …).", false),
    field(
        "validity",
        "string",
        "有效性",
        "effective (有效), expired (失效) or repealed (废止).",
        true,
    ),
    field(
        "valid_from",
        "date",
        "生效日期",
        "Date it took effect.",
        false,
    ),
    field(
        "invalid_from",
        "date",
        "失效日期",
        "Date it stopped applying.",
        false,
    ),
    field(
        "keywords",
        "string",
        "关键词",
        "Keywords, separated by semicolons.",
        false,
    ),
    field(
        "catalog_code",
        "string",
        "目录项代码",
        "The catalog item it is published under (catalog-items.csv code).",
        false,
    ),
    field(
        "version",
        "integer",
        "版本",
        "Number of the current version; corrections add versions.",
        true,
    ),
    field(
        "content_sha256",
        "string",
        "内容摘要",
        "SHA-256 of the version's canonical content, as recorded in the transparency log.",
        true,
    ),
    field(
        "updated_at",
        "datetime",
        "更新时间",
        "When the document last changed.",
        true,
    ),
];

/// The open data of one agency, read at once.
#[derive(Debug, Clone)]
pub struct OpenData {
    pub agency: AgencyRow,
    /// Rows of `catalog-items.csv`, in the order of [`CATALOG_ITEM_FIELDS`].
    pub catalog_items: Vec<Vec<String>>,
    /// Rows of `documents.csv`, in the order of [`DOCUMENT_FIELDS`].
    pub documents: Vec<OpenDataDocument>,
    /// The latest change of anything described (None for an empty agency).
    pub modified: Option<OffsetDateTime>,
    pub base_url: String,
}

/// One published document: its CSV row and what DCAT says about it.
#[derive(Debug, Clone)]
pub struct OpenDataDocument {
    pub row: Vec<String>,
    pub external_id: String,
    /// The current version, whose canonical JSON is a distribution.
    pub version: i64,
    pub title: String,
    pub summary: String,
    pub issuer: String,
    pub keywords: Vec<String>,
    pub published_date: Option<time::Date>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

fn unexpected(message: impl std::fmt::Display) -> ServiceError {
    ServiceError::Unexpected(anyhow::anyhow!("{message}"))
}

fn date_cell(date: Option<time::Date>) -> String {
    date.map(format_iso_date).unwrap_or_default()
}

fn time_text(time: OffsetDateTime) -> ServiceResult<String> {
    time.format(&Rfc3339).map_err(unexpected)
}

/// Writes a CSV with a header row of field names (RFC 4180, CRLF, UTF-8 without a byte order
/// mark, as Frictionless tools read by default).
pub fn open_data_csv(fields: &[OpenDataField], rows: &[Vec<String>]) -> ServiceResult<String> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer
        .write_record(fields.iter().map(|f| f.name))
        .map_err(unexpected)?;
    for row in rows {
        writer.write_record(row).map_err(unexpected)?;
    }
    let bytes = writer.into_inner().map_err(unexpected)?;
    String::from_utf8(bytes).map_err(unexpected)
}

fn table_schema(fields: &[OpenDataField], primary_key: &str) -> Value {
    let fields: Vec<Value> = fields
        .iter()
        .map(|f| {
            let mut value = json!({
                "name": f.name,
                "type": f.kind,
                "title": f.title,
                "description": f.description,
            });
            if f.required {
                value["constraints"] = json!({ "required": true });
            }
            value
        })
        .collect();
    json!({ "fields": fields, "primaryKey": primary_key, "missingValues": [""] })
}

impl OpenData {
    fn agency_url(&self) -> String {
        format!("{}/a/{}", self.base_url, self.agency.slug)
    }

    /// The rights statement: the agency's OGI guide, which states how its published
    /// information may be used. No licence is invented here on the agency's behalf.
    fn rights_url(&self) -> String {
        format!("{}/guide", self.agency_url())
    }

    pub fn catalog_items_csv(&self) -> ServiceResult<String> {
        open_data_csv(CATALOG_ITEM_FIELDS, &self.catalog_items)
    }

    pub fn documents_csv(&self) -> ServiceResult<String> {
        let rows: Vec<Vec<String>> = self.documents.iter().map(|d| d.row.clone()).collect();
        open_data_csv(DOCUMENT_FIELDS, &rows)
    }

    /// `datapackage.json` (Frictionless Data Package, tabular profile); resource paths are
    /// relative to it, so the package can also be mirrored as a folder.
    pub fn datapackage(&self) -> ServiceResult<Value> {
        let mut documents_schema = table_schema(DOCUMENT_FIELDS, "external_id");
        documents_schema["foreignKeys"] = json!([{
            "fields": "catalog_code",
            "reference": { "resource": "catalog-items", "fields": "code" },
        }]);
        let resource = |name: &str, title: &str, schema: Value| {
            json!({
                "profile": "tabular-data-resource",
                "name": name,
                "title": title,
                "path": format!("data/{name}.csv"),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": { "delimiter": ",", "header": true, "lineTerminator": "\r\n" },
                "schema": schema,
            })
        };
        let mut package = json!({
            "profile": "tabular-data-package",
            "name": format!("{}-proactive-disclosure", self.agency.slug),
            "title": format!("{}主动公开目录和文件元数据", self.agency.name_zh),
            "description": format!(
                "{}的政府信息主动公开目录（《政府信息公开条例》第二十条、第二十一条）及已公开文件的元数据。The proactive disclosure catalog of {} and the metadata of its published documents.",
                self.agency.name_zh, self.agency.name_zh
            ),
            "homepage": self.agency_url(),
            "licenses": [{
                "path": self.rights_url(),
                "title": "政府信息公开指南：公开信息的获取和使用 / terms of the OGI guide",
            }],
            "sources": [{ "title": self.agency.name_zh, "path": self.agency_url() }],
            "resources": [
                resource("catalog-items", "主动公开目录", table_schema(CATALOG_ITEM_FIELDS, "code")),
                resource("documents", "已公开文件", documents_schema),
            ],
        });
        if let Some(modified) = self.modified {
            package["created"] = Value::String(time_text(modified)?);
        }
        Ok(package)
    }

    /// `dcat.jsonld`: a DCAT-AP catalog with one dataset for the catalog, one for the
    /// document metadata, and one per published document with its HTML page and canonical
    /// JSON as distributions.
    pub fn dcat(&self) -> ServiceResult<Value> {
        let agency_url = self.agency_url();
        let publisher = json!({
            "@id": agency_url,
            "@type": "foaf:Agent",
            "foaf:name": self.agency.name_zh,
        });
        let rights = json!({ "@id": self.rights_url(), "@type": "dct:LicenseDocument" });
        let modified = match self.modified {
            Some(time) => Value::String(time_text(time)?),
            None => Value::Null,
        };
        let typed_time = |time: OffsetDateTime| -> ServiceResult<Value> {
            Ok(json!({ "@value": time_text(time)?, "@type": "xsd:dateTime" }))
        };
        let distribution = |id: String, title: &str, media_type: &str| {
            json!({
                "@id": format!("{id}#distribution"),
                "@type": "dcat:Distribution",
                "dct:title": title,
                "dcat:accessURL": { "@id": id },
                "dcat:downloadURL": { "@id": id },
                "dcat:mediaType": { "@id": format!("https://www.iana.org/assignments/media-types/{media_type}") },
                "dct:license": rights,
            })
        };
        let package_url = format!("{agency_url}/datapackage.json");
        let mut datasets = vec![
            json!({
                "@id": format!("{agency_url}/catalog"),
                "@type": "dcat:Dataset",
                "dct:identifier": format!("{}/catalog", self.agency.slug),
                "dct:title": { "@value": format!("{}主动公开目录", self.agency.name_zh), "@language": "zh-CN" },
                "dct:description": { "@value": "主动公开目录：每一目录项的内容要素、责任部门、公开渠道、更新时限和公开依据。", "@language": "zh-CN" },
                "dct:publisher": publisher,
                "dct:modified": modified,
                "dcat:landingPage": { "@id": format!("{agency_url}/catalog") },
                "dcat:distribution": [
                    distribution(format!("{agency_url}/data/catalog-items.csv"), "catalog-items.csv", "text/csv"),
                    distribution(package_url.clone(), "datapackage.json", "application/json"),
                ],
            }),
            json!({
                "@id": format!("{agency_url}/data/documents"),
                "@type": "dcat:Dataset",
                "dct:identifier": format!("{}/documents", self.agency.slug),
                "dct:title": { "@value": format!("{}已公开文件元数据", self.agency.name_zh), "@language": "zh-CN" },
                "dct:description": { "@value": "已主动公开文件的索引号、名称、发布机构、文号、日期、有效性和目录项。", "@language": "zh-CN" },
                "dct:publisher": publisher,
                "dct:modified": modified,
                "dcat:distribution": [
                    distribution(format!("{agency_url}/data/documents.csv"), "documents.csv", "text/csv"),
                    distribution(package_url, "datapackage.json", "application/json"),
                ],
            }),
        ];
        for document in &self.documents {
            let page = format!("{}/documents/{}", self.base_url, document.external_id);
            let mut dataset = json!({
                "@id": page,
                "@type": "dcat:Dataset",
                "dct:identifier": document.external_id,
                "dct:title": { "@value": document.title, "@language": "zh-CN" },
                "dct:description": { "@value": if document.summary.is_empty() { &document.title } else { &document.summary }, "@language": "zh-CN" },
                "dct:publisher": publisher,
                "dct:creator": { "@type": "foaf:Agent", "foaf:name": document.issuer },
                "dct:modified": typed_time(document.updated_at)?,
                "dcat:keyword": document.keywords,
                "dcat:landingPage": { "@id": page },
                "dcat:distribution": [
                    distribution(page.clone(), "HTML", "text/html"),
                    distribution(format!("{page}/versions/{}.json", document.version), "JSON", "application/json"),
                ],
            });
            dataset["dct:issued"] = match document.published_date {
                Some(date) => json!({ "@value": format_iso_date(date), "@type": "xsd:date" }),
                None => typed_time(document.created_at)?,
            };
            datasets.push(dataset);
        }
        Ok(json!({
            "@context": {
                "dcat": "http://www.w3.org/ns/dcat#",
                "dct": "http://purl.org/dc/terms/",
                "foaf": "http://xmlns.com/foaf/0.1/",
                "xsd": "http://www.w3.org/2001/XMLSchema#",
            },
            "@id": format!("{agency_url}/dcat.jsonld"),
            "@type": "dcat:Catalog",
            "dct:title": { "@value": format!("{}政府信息公开数据目录", self.agency.name_zh), "@language": "zh-CN" },
            "dct:description": { "@value": format!("{}主动公开的目录和文件（《政府信息公开条例》第二十条至第二十四条）。", self.agency.name_zh), "@language": "zh-CN" },
            "dct:publisher": publisher,
            "dct:modified": modified,
            "dct:language": { "@id": "http://publications.europa.eu/resource/authority/language/ZHO" },
            "dct:license": rights,
            "foaf:homepage": { "@id": agency_url },
            "dcat:dataset": datasets,
        }))
    }
}

impl Services {
    /// Everything an agency's open data describe, read in a few queries.
    pub async fn open_data(&self, agency_slug: &str) -> ServiceResult<OpenData> {
        let agency = self
            .db
            .agency_by_slug(agency_slug)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let base_url = self
            .config
            .public_base_url
            .trim_end_matches('/')
            .to_string();
        let mut modified: Option<OffsetDateTime> = None;
        let mut template_slugs: std::collections::HashMap<uuid::Uuid, String> = Default::default();
        let mut catalog_items = Vec::new();
        for item in self.catalog_view(agency.id).await? {
            let CatalogItemData {
                name,
                elements,
                responsible_department,
                channels,
                update_rule,
                legal_basis,
                five_disclosures,
            } = item.data;
            let template_agency = match item.row.template_agency_id {
                Some(id) => {
                    if let std::collections::hash_map::Entry::Vacant(entry) =
                        template_slugs.entry(id)
                    {
                        let slug = self.db.agency_get(id).await?.map(|a| a.slug);
                        entry.insert(slug.unwrap_or_default());
                    }
                    template_slugs.get(&id).cloned().unwrap_or_default()
                }
                None => String::new(),
            };
            modified = modified.max(Some(item.row.updated_at));
            catalog_items.push(vec![
                item.row.code,
                name,
                elements,
                responsible_department,
                channels.join(";"),
                update_rule.describe_zh(),
                legal_basis,
                five_disclosures
                    .iter()
                    .map(|d| d.label_zh())
                    .collect::<Vec<_>>()
                    .join(";"),
                item.row.active.to_string(),
                item.row.revision.to_string(),
                template_agency,
                item.deviates_from_template.to_string(),
                item.published_count.to_string(),
                date_cell(item.last_published),
            ]);
        }
        let mut documents = Vec::new();
        for row in self.db.documents_open_data(agency.id).await? {
            let mut value: Value = serde_json::from_str(&row.metadata).map_err(unexpected)?;
            if let Value::Object(map) = &mut value {
                // The body is not part of the metadata table; the page and the canonical
                // download carry it.
                map.insert("body".to_string(), Value::String(String::new()));
            }
            let metadata: DocumentMetadata = serde_json::from_value(value).map_err(unexpected)?;
            modified = modified.max(Some(row.updated_at));
            let url = format!("{base_url}/documents/{}", row.external_id);
            documents.push(OpenDataDocument {
                row: vec![
                    row.external_id.clone(),
                    row.index_number,
                    url,
                    metadata.title.clone(),
                    metadata.short_title,
                    metadata.summary.clone(),
                    metadata.issuer.clone(),
                    metadata.document_number.unwrap_or_default(),
                    date_cell(metadata.written_date),
                    date_cell(metadata.published_date),
                    metadata.topic,
                    metadata.genre,
                    metadata.validity.code().to_string(),
                    date_cell(metadata.valid_from),
                    date_cell(metadata.invalid_from),
                    metadata.keywords.join(";"),
                    row.catalog_code.unwrap_or_default(),
                    row.current_version.to_string(),
                    row.content_sha256,
                    time_text(row.updated_at)?,
                ],
                external_id: row.external_id,
                version: row.current_version,
                title: metadata.title,
                summary: metadata.summary,
                issuer: metadata.issuer,
                keywords: metadata.keywords,
                published_date: metadata.published_date,
                created_at: row.created_at,
                updated_at: row.updated_at,
            });
        }
        Ok(OpenData {
            agency,
            catalog_items,
            documents,
            modified,
            base_url,
        })
    }
}
