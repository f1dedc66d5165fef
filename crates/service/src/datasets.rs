//! Open data, first step (C12): a dataset is a document with a table described by a
//! Frictionless Table Schema. Staff who may publish upload the schema and a CSV file to a draft
//! version; every row is checked against the schema and every problem reported at once; the
//! table goes through the confidentiality review (Art. 17) with its version and, once
//! published, is offered as CSV, as JSON through the API, and in the installation's DCAT-AP
//! catalog (`/data/catalog.jsonld`).

use crate::documents::{DocumentView, version_state};
use crate::{Actor, ServiceError, ServiceResult, Services, sha256_hex};
use gongkai_domain::form::FormProblems;
use gongkai_domain::table_schema::{SchemaProblem, TableProblems, TableSchema, write_csv};
use gongkai_store::{DatasetRow, PublishedDatasetRow};

/// The largest CSV file accepted.
pub const DATASET_CSV_BYTES_MAX: usize = 20 * 1024 * 1024;
/// The largest schema accepted.
pub const DATASET_SCHEMA_BYTES_MAX: usize = 256 * 1024;

/// What an upload came to.
#[derive(Debug, Clone, PartialEq)]
pub enum DatasetUpload {
    /// Stored with the draft: how many rows, and the digest of the canonical CSV.
    Stored { rows: usize, csv_sha256: String },
    /// The schema itself is not a usable Table Schema.
    SchemaInvalid(Vec<SchemaProblem>),
    /// The data does not match the schema: every problem of every row (the first
    /// `PROBLEMS_LISTED_MAX` listed).
    DataInvalid(TableProblems),
}

/// A published dataset with the document it belongs to.
pub struct PublishedDataset {
    pub view: DocumentView,
    pub row: DatasetRow,
    pub schema: TableSchema,
}

impl PublishedDataset {
    /// The rows as JSON objects of typed values (`null` for an empty cell), for `data.json`.
    pub fn typed_rows(&self) -> ServiceResult<Vec<serde_json::Value>> {
        let records =
            gongkai_domain::table_schema::parse_csv(&self.row.csv_text).map_err(|line| {
                ServiceError::Unexpected(anyhow::anyhow!(
                    "stored CSV of {} does not parse at line {line}",
                    self.view.document.external_id
                ))
            })?;
        Ok(records
            .iter()
            .skip(1)
            .filter(|r| !(r.len() == 1 && r[0].is_empty()))
            .map(|r| self.schema.typed_row(r))
            .collect())
    }
}

impl Services {
    /// Checks and stores the dataset of a draft version of a document.
    pub async fn upload_dataset(
        &self,
        actor: &Actor,
        external_id: &str,
        version: i64,
        schema_json: &[u8],
        csv_bytes: &[u8],
    ) -> ServiceResult<DatasetUpload> {
        let document = self
            .db
            .document_by_external_id(external_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !self.may_publish(actor, document.agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let mut problems = FormProblems::new();
        let mut text_of = |field: &'static str, bytes: &[u8], max: usize| -> Option<String> {
            if bytes.is_empty() {
                problems.add(field, "required");
                None
            } else if bytes.len() > max {
                problems.add(field, "file_too_large");
                None
            } else {
                match std::str::from_utf8(bytes) {
                    Ok(text) if !text.contains('\0') => Some(text.to_string()),
                    _ => {
                        problems.add(field, "not_utf8_text");
                        None
                    }
                }
            }
        };
        let schema_text = text_of("schema", schema_json, DATASET_SCHEMA_BYTES_MAX);
        let csv_text = text_of("csv", csv_bytes, DATASET_CSV_BYTES_MAX);
        let (Some(schema_text), Some(csv_text)) = (schema_text, csv_text) else {
            return Err(ServiceError::Invalid(problems));
        };
        let schema = match TableSchema::parse(&schema_text) {
            Ok(schema) => schema,
            Err(problems) => return Ok(DatasetUpload::SchemaInvalid(problems)),
        };
        // Checking a large file parses every cell: off the async workers.
        let checked = {
            let schema = schema.clone();
            tokio::task::spawn_blocking(move || schema.validate_csv(&csv_text))
                .await
                .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("dataset check: {e}")))?
        };
        let table = match checked {
            Ok(table) => table,
            Err(problems) => return Ok(DatasetUpload::DataInvalid(problems)),
        };
        let header: Vec<String> = schema.fields.iter().map(|f| f.name.clone()).collect();
        let canonical = write_csv(&header, &table.rows);
        let csv_sha256 = sha256_hex(canonical.as_bytes());
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        // The version's state is read in the writing transaction: a review that started in the
        // meantime is never handed a table it did not see (Art. 17).
        let state = tx
            .document_version_get(document.id, version)
            .await?
            .ok_or(ServiceError::NotFound)?
            .state;
        if state != version_state::DRAFT {
            return Err(ServiceError::Conflict {
                code: "version_not_a_draft",
            });
        }
        tx.dataset_upsert(&DatasetRow {
            document_id: document.id,
            version,
            schema_json: schema.to_json().to_string(),
            csv_text: canonical,
            csv_sha256: csv_sha256.clone(),
            row_count: table.rows.len() as i64,
            uploaded_by: Some(actor.account_id),
            created_at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(DatasetUpload::Stored {
            rows: table.rows.len(),
            csv_sha256,
        })
    }

    /// The dataset in force for the version of a document the viewer may see (the current
    /// published one for the public; a draft for its agency's staff), if it has one.
    pub async fn document_dataset(
        &self,
        external_id: &str,
        version: Option<i64>,
        actor: Option<&Actor>,
    ) -> ServiceResult<Option<PublishedDataset>> {
        let view = self.document_view(external_id, version, actor).await?;
        if view.document.status == crate::documents::document_status::WITHDRAWN {
            return Err(ServiceError::NotFound);
        }
        let Some(row) = self
            .db
            .dataset_of_version(view.document.id, view.version.row.version)
            .await?
        else {
            return Ok(None);
        };
        let schema = TableSchema::parse(&row.schema_json).map_err(|problems| {
            ServiceError::Unexpected(anyhow::anyhow!(
                "stored schema of {external_id} no longer parses: {problems:?}"
            ))
        })?;
        Ok(Some(PublishedDataset { view, row, schema }))
    }

    /// Every published dataset of the installation, for `/data/catalog.jsonld`.
    pub async fn published_datasets(&self) -> ServiceResult<Vec<PublishedDatasetRow>> {
        Ok(self.db.published_datasets().await?)
    }
}

impl Services {
    /// The installation-wide DCAT-AP catalog (JSON-LD) of the published datasets: each with
    /// its page, its CSV, its JSON and its Table Schema as distributions, the publisher agency
    /// and the digest of the CSV as offered.
    pub async fn datasets_catalog_jsonld(&self) -> ServiceResult<serde_json::Value> {
        use serde_json::json;
        let base_url = self
            .config
            .public_base_url
            .trim_end_matches('/')
            .to_string();
        let rows = self.published_datasets().await?;
        let time_text = |time: time::OffsetDateTime| {
            time.format(&time::format_description::well_known::Rfc3339)
                .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("time: {e}")))
        };
        let mut datasets = Vec::with_capacity(rows.len());
        for row in &rows {
            let page = format!("{base_url}/documents/{}", row.external_id);
            let agency_url = format!("{base_url}/a/{}", row.agency_slug);
            let distribution = |suffix: &str, media_type: &str| {
                let url = format!("{page}/{suffix}");
                json!({
                    "@id": format!("{url}#distribution"),
                    "@type": "dcat:Distribution",
                    "dct:title": suffix,
                    "dcat:accessURL": { "@id": url },
                    "dcat:downloadURL": { "@id": url },
                    "dcat:mediaType": { "@id": format!("https://www.iana.org/assignments/media-types/{media_type}") },
                    "dct:license": { "@id": format!("{agency_url}/guide"), "@type": "dct:LicenseDocument" },
                })
            };
            let mut csv = distribution("data.csv", "text/csv");
            csv["spdx:checksum"] = json!({
                "@type": "spdx:Checksum",
                "spdx:algorithm": { "@id": "spdx:checksumAlgorithm_sha256" },
                "spdx:checksumValue": row.csv_sha256,
            });
            csv["dct:conformsTo"] = json!({ "@id": format!("{page}/schema.json") });
            let mut dataset = json!({
                "@id": page,
                "@type": "dcat:Dataset",
                "dct:identifier": row.external_id,
                "dct:title": { "@value": row.title, "@language": "zh-CN" },
                "dct:publisher": { "@id": agency_url, "@type": "foaf:Agent", "foaf:name": row.agency_name_zh },
                "dct:creator": { "@type": "foaf:Agent", "foaf:name": row.issuer },
                "dct:modified": { "@value": time_text(row.updated_at)?, "@type": "xsd:dateTime" },
                "dcat:landingPage": { "@id": page },
                "dcat:distribution": [
                    csv,
                    distribution("data.json", "application/json"),
                    distribution("schema.json", "application/json"),
                ],
            });
            if let Some(date) = row.published_date {
                dataset["dct:issued"] = json!({
                    "@value": gongkai_domain::calendar::format_iso_date(date),
                    "@type": "xsd:date",
                });
            }
            datasets.push(dataset);
        }
        Ok(json!({
            "@context": {
                "dcat": "http://www.w3.org/ns/dcat#",
                "dct": "http://purl.org/dc/terms/",
                "foaf": "http://xmlns.com/foaf/0.1/",
                "spdx": "http://spdx.org/rdf/terms#",
                "xsd": "http://www.w3.org/2001/XMLSchema#",
            },
            "@id": format!("{base_url}/data/catalog.jsonld"),
            "@type": "dcat:Catalog",
            "dct:title": { "@value": "政府信息公开数据集目录", "@language": "zh-CN" },
            "dct:description": { "@value": "本平台各机关主动公开的数据集（附表结构说明的表格数据）。", "@language": "zh-CN" },
            "dct:language": { "@id": "http://publications.europa.eu/resource/authority/language/ZHO" },
            "foaf:homepage": { "@id": format!("{base_url}/documents") },
            "dcat:dataset": datasets,
        }))
    }
}
