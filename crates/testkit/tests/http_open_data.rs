//! Open data over HTTP on both databases: the Frictionless Data Package of an agency, whose
//! CSV files match their Table Schemas (headers, types, required values, keys), and the
//! DCAT-AP catalog, which describes every published document and nothing else.

use gongkai_domain::publication::MetadataInput;
use gongkai_service::{DEMO_PASSWORD, DraftRequest, RequestOrigin};
use gongkai_testkit::{TestApp, all_databases, services};
use serde_json::Value;
use std::collections::HashSet;

fn law_line(id: &str, title: &str, expired: bool) -> String {
    serde_json::json!({
        "id": id, "title": title, "issuer": "国务院", "date": "2019-04-03", "valid_from": null,
        "level": "行政法规", "category": "行政法规", "expired": expired,
        "header": [], "body": "第一条 示范，含有逗号、\"引号\"和\n换行。",
    })
    .to_string()
}

/// Checks a CSV against its Table Schema and returns its rows as (field name → value) maps.
fn check_against_schema(csv_text: &str, schema: &Value) -> Vec<Vec<(String, String)>> {
    let fields = schema["fields"].as_array().expect("fields");
    let names: Vec<&str> = fields
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header, names, "the CSV header is the schema's field names");
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.expect("a CSV record");
        assert_eq!(record.len(), fields.len());
        let mut row = Vec::new();
        for (field, value) in fields.iter().zip(record.iter()) {
            let name = field["name"].as_str().expect("name");
            let required = field["constraints"]["required"].as_bool() == Some(true);
            assert!(!required || !value.is_empty(), "{name} is required");
            if !value.is_empty() {
                let valid = match field["type"].as_str().expect("type") {
                    "string" => true,
                    "integer" => value.parse::<i64>().is_ok(),
                    "boolean" => matches!(value, "true" | "false"),
                    "date" => time::Date::parse(
                        value,
                        &time::format_description::well_known::Iso8601::DATE,
                    )
                    .is_ok(),
                    "datetime" => time::OffsetDateTime::parse(
                        value,
                        &time::format_description::well_known::Rfc3339,
                    )
                    .is_ok(),
                    other => panic!("unexpected type {other}"),
                };
                assert!(valid, "{name}: {value:?} is not a {}", field["type"]);
            }
            row.push((name.to_string(), value.to_string()));
        }
        rows.push(row);
    }
    let key = schema["primaryKey"].as_str().expect("primary key");
    let keys: HashSet<String> = rows.iter().map(|r| value_of(r, key)).collect();
    assert_eq!(keys.len(), rows.len(), "{key} is unique");
    rows
}

fn value_of(row: &[(String, String)], name: &str) -> String {
    row.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_data_package_and_dcat_catalog_describe_every_published_document() -> anyhow::Result<()>
{
    for db in all_databases().await? {
        let mut app = TestApp::new(services(&db.db)).await?;
        let s = app.services.clone();
        s.seed_demo_if_empty().await?;
        let report = s
            .import_laws_jsonl(
                "demo-city",
                [
                    law_line("lrb-open0000001", "中华人民共和国政府信息公开条例", false),
                    law_line("lrb-open0000002", "旧条例, 已失效", true),
                    law_line("lrb-open0000003", "将被撤回的条例", false),
                ]
                .into_iter()
                .map(Ok),
            )
            .await?;
        assert_eq!(report.imported, 3, "{:?}", report.errors);
        let office = s
            .login(
                "ogi@demo.gongkai.cn",
                DEMO_PASSWORD,
                &RequestOrigin::default(),
            )
            .await?
            .actor;
        s.withdraw_document(&office, "lrb-open0000003", "误发")
            .await?;
        // A draft is not published, so it is not open data either.
        let clerk = s
            .login(
                "clerk@demo.gongkai.cn",
                DEMO_PASSWORD,
                &RequestOrigin::default(),
            )
            .await?
            .actor;
        let city = s.agency_by_slug("demo-city").await?.id;
        let input = MetadataInput {
            title: "未公开的草稿".into(),
            issuer: "示范市人民政府".into(),
            body: "草稿。".into(),
            ..MetadataInput::default()
        };
        let (draft_id, _) = s
            .create_document_draft(
                &clerk,
                &DraftRequest {
                    agency_id: city,
                    existing_external_id: None,
                    catalog_code: None,
                    formed_on: None,
                    input: &input,
                    change_note: "",
                },
            )
            .await?;
        let published: HashSet<String> = db
            .db
            .documents_published_of(city)
            .await?
            .into_iter()
            .map(|d| d.external_id)
            .collect();
        assert_eq!(published.len(), 2);

        let page = app.get("/a/demo-city").await?;
        assert!(page.body.contains("href=\"/a/demo-city/datapackage.json\""));
        assert!(page.body.contains("href=\"/a/demo-city/dcat.jsonld\""));

        let response = app.get("/a/demo-city/datapackage.json").await?;
        assert_eq!(response.status, 200, "{}", db.label);
        let package: Value = serde_json::from_str(&response.body)?;
        assert_eq!(package["profile"], "tabular-data-package");
        assert_eq!(package["name"], "demo-city-proactive-disclosure");
        assert!(package["licenses"][0]["path"].is_string());
        let resources = package["resources"].as_array().expect("resources");
        assert_eq!(resources.len(), 2);
        let mut catalog_codes = HashSet::new();
        let mut document_rows = Vec::new();
        for resource in resources {
            let path = resource["path"].as_str().expect("path");
            let csv = app.get(&format!("/a/demo-city/{path}")).await?;
            assert_eq!(csv.status, 200, "{path}");
            assert_eq!(
                csv.headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok()),
                Some("text/csv; charset=utf-8")
            );
            let rows = check_against_schema(&csv.body, &resource["schema"]);
            match resource["name"].as_str() {
                Some("catalog-items") => {
                    catalog_codes = rows.iter().map(|r| value_of(r, "code")).collect();
                    assert!(catalog_codes.contains("art20-1"));
                    assert!(rows.iter().any(|r| value_of(r, "code") == "art20-1"
                        && value_of(r, "published_count") == "2"));
                }
                Some("documents") => document_rows = rows,
                other => panic!("unexpected resource {other:?}"),
            }
        }
        let listed: HashSet<String> = document_rows
            .iter()
            .map(|r| value_of(r, "external_id"))
            .collect();
        assert_eq!(
            listed, published,
            "every published document, and only those"
        );
        assert!(!listed.contains(&draft_id));
        // The foreign key holds: every catalog code names a row of catalog-items.csv.
        for row in &document_rows {
            let code = value_of(row, "catalog_code");
            assert!(code.is_empty() || catalog_codes.contains(&code), "{code}");
        }
        let expired = document_rows
            .iter()
            .find(|r| value_of(r, "external_id") == "lrb-open0000002")
            .expect("listed");
        assert_eq!(value_of(expired, "title"), "旧条例, 已失效");
        assert_eq!(value_of(expired, "validity"), "expired");
        assert_eq!(value_of(expired, "published_date"), "2019-04-03");
        let view = s.document_view("lrb-open0000002", None, None).await?;
        assert_eq!(
            value_of(expired, "content_sha256"),
            view.version.row.content_sha256
        );

        let response = app.get("/a/demo-city/dcat.jsonld").await?;
        assert_eq!(response.status, 200);
        assert_eq!(
            response
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/ld+json; charset=utf-8")
        );
        let catalog: Value = serde_json::from_str(&response.body)?;
        assert_eq!(catalog["@type"], "dcat:Catalog");
        assert_eq!(catalog["@context"]["dcat"], "http://www.w3.org/ns/dcat#");
        assert!(catalog["dct:license"]["@id"].is_string());
        assert!(catalog["dct:publisher"]["foaf:name"].is_string());
        let datasets = catalog["dcat:dataset"].as_array().expect("datasets");
        for dataset in datasets {
            assert_eq!(dataset["@type"], "dcat:Dataset");
            for property in ["dct:title", "dct:description", "dct:publisher"] {
                assert!(!dataset[property].is_null(), "{property} of {dataset}");
            }
            for distribution in dataset["dcat:distribution"].as_array().expect("some") {
                assert_eq!(distribution["@type"], "dcat:Distribution");
                assert!(distribution["dcat:accessURL"]["@id"].is_string());
                assert!(distribution["dct:license"]["@id"].is_string());
            }
        }
        let described: HashSet<String> = datasets
            .iter()
            .filter_map(|d| d["dct:identifier"].as_str())
            .filter(|id| !id.contains('/'))
            .map(str::to_string)
            .collect();
        assert_eq!(described, published, "one dataset per published document");
        let regulation = datasets
            .iter()
            .find(|d| d["dct:identifier"] == "lrb-open0000001")
            .expect("described");
        assert_eq!(regulation["dct:issued"]["@value"], "2019-04-03");
        // Each distribution of a document answers: its page and its canonical JSON.
        for distribution in regulation["dcat:distribution"].as_array().expect("some") {
            let url = distribution["dcat:accessURL"]["@id"].as_str().expect("url");
            let path = url
                .strip_prefix(s.config.public_base_url.as_str())
                .expect("an address on this site");
            assert_eq!(app.get(path).await?.status, 200, "{path}");
        }

        // The OpenAPI document lists the four files, each of which answers.
        let openapi = app.get("/api/v1/openapi.json").await?.json();
        for path in [
            "/a/{slug}/datapackage.json",
            "/a/{slug}/data/catalog-items.csv",
            "/a/{slug}/data/documents.csv",
            "/a/{slug}/dcat.jsonld",
        ] {
            assert!(
                openapi["paths"][path]["get"].is_object(),
                "{path}: {:?}",
                openapi["paths"].as_object().map(|p| p
                    .keys()
                    .filter(|k| !k.starts_with("/api"))
                    .cloned()
                    .collect::<Vec<_>>())
            );
            let concrete = path.replace("{slug}", "demo-city");
            assert_eq!(app.get(&concrete).await?.status, 200, "{concrete}");
        }
        assert_eq!(app.get("/a/no-such-agency/dcat.jsonld").await?.status, 404);
        assert_eq!(app.get("/a/demo-city/data/secrets.csv").await?.status, 404);
        db.finish().await;
    }
    Ok(())
}
