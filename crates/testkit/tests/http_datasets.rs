//! Datasets (C12, open data first step) through HTTP on SQLite and PostgreSQL: staff upload a
//! Table Schema and a CSV file to a draft; every problem of every row comes back at once; the
//! table goes through the confidentiality review with its version; once published it is offered
//! as CSV (whose digest is stated), as typed JSON and with its schema, and is listed in the
//! installation's DCAT-AP catalog. Nothing of a draft is public.

use gongkai_service::DEMO_PASSWORD;
use gongkai_testkit::{TestApp, all_databases, external_id_of, services};

const SCHEMA: &str = r#"{
  "fields": [
    {"name": "code", "title": "编号", "type": "string", "constraints": {"required": true, "unique": true}},
    {"name": "district", "title": "区", "type": "string", "constraints": {"enum": ["东区", "西区"]}},
    {"name": "spaces", "title": "泊位数", "type": "integer", "constraints": {"minimum": 0}},
    {"name": "opened", "title": "开放日期", "type": "date"}
  ],
  "primaryKey": ["code"]
}"#;

const GOOD_CSV: &str =
    "code,district,spaces,opened\r\nP001,东区,120,2025-06-01\r\nP002,西区,0,\r\n";

const BAD_CSV: &str =
    "code,district,spaces,opened\nP001,南区,-3,2025-02-30\nP001,东区,x,2025-01-01\n";

#[tokio::test]
async fn a_dataset_is_checked_reviewed_published_and_catalogued() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut clerk = TestApp::new(services(&db.db)).await?;
        clerk.services.seed_demo_if_empty().await?;
        clerk.login("clerk@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let created = clerk
            .post_form(
                "/staff/documents/new",
                &[
                    ("agency", "demo-city"),
                    ("title", "示范市公共停车场泊位统计"),
                    ("issuer", "示范市交通运输局"),
                    ("body", "本数据集列出示范市公共停车场的泊位数。"),
                ],
            )
            .await?;
        assert_eq!(created.status, 303, "{}", created.body);
        let location = created.location().unwrap_or_default().to_string();
        let external_id = external_id_of(&location);
        let draft = clerk.get(&location).await?;
        let upload_path = format!(
            "/staff/datasets?{}",
            serde_urlencoded::to_string([("external_id", external_id.as_str()), ("version", "1")])?
        );
        assert!(
            draft
                .body
                .contains(&format!("href=\"{}\"", upload_path.replace('&', "&#38;"))),
            "{}",
            draft.body
        );
        assert_eq!(clerk.get(&upload_path).await?.status, 200, "{}", db.label);

        // Every problem of every row at once, with its line, field and value.
        let refused = clerk
            .post_multipart(
                &upload_path,
                &[("schema", SCHEMA), ("csv", BAD_CSV)],
                "unused",
                b"",
            )
            .await?;
        assert_eq!(refused.status, 422, "{}", refused.body);
        for expected in [
            "不是允许的取值之一",
            "小于允许的最小值",
            "须为有效日期 YYYY-MM-DD",
            "与前面某行重复",
            "须为整数",
            "<td>南区</td>",
        ] {
            assert!(
                refused.body.contains(expected),
                "{expected}: {}",
                refused.body
            );
        }
        // A schema that is not one, and a missing file.
        let bad_schema = clerk
            .post_multipart(
                &upload_path,
                &[
                    (
                        "schema",
                        r#"{"fields": [{"name": "a", "type": "geopoint"}]}"#,
                    ),
                    ("csv", GOOD_CSV),
                ],
                "unused",
                b"",
            )
            .await?;
        assert_eq!(bad_schema.status, 422);
        assert!(bad_schema.body.contains("<code>fields[0].type</code>"));
        let missing = clerk
            .post_multipart(&upload_path, &[("schema", SCHEMA)], "unused", b"")
            .await?;
        assert_eq!(missing.status, 422);
        assert!(missing.body.contains("href=\"#csv\""), "{}", missing.body);

        let stored = clerk
            .post_multipart(
                &upload_path,
                &[("schema", SCHEMA), ("csv", GOOD_CSV)],
                "unused",
                b"",
            )
            .await?;
        assert_eq!(stored.status, 303, "{}", stored.body);
        // Nothing of a draft is public.
        let mut public = clerk.fresh_client();
        assert_eq!(
            public
                .get(&format!("/documents/{external_id}/data.csv"))
                .await?
                .status,
            404
        );

        // The confidentiality review (Art. 17) publishes the version with its table.
        let submitted = clerk.document_action(&external_id, 1, "submit", "").await?;
        assert_eq!(submitted.status, 303, "{}", submitted.body);
        // A version in review takes no new table.
        let late = clerk
            .post_multipart(
                &upload_path,
                &[("schema", SCHEMA), ("csv", GOOD_CSV)],
                "unused",
                b"",
            )
            .await?;
        assert_eq!(late.status, 409, "{}", late.body);
        let mut reviewer = clerk.fresh_client();
        reviewer
            .login("secrecy@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        let approved = reviewer
            .document_action(&external_id, 1, "approve", "不涉密")
            .await?;
        assert_eq!(approved.status, 303, "{}", approved.body);

        let page = public.get(&format!("/documents/{external_id}")).await?;
        assert!(page.body.contains("id=\"dataset-title\""), "{}", page.body);
        let csv = public
            .get(&format!("/documents/{external_id}/data.csv"))
            .await?;
        assert_eq!(csv.status, 200);
        assert_eq!(
            csv.body, GOOD_CSV,
            "the canonical form of what was uploaded"
        );
        let digest = gongkai_service::sha256_hex(&csv.bytes);
        assert!(
            page.body.contains(&digest),
            "the page states the CSV's digest"
        );

        let data = public
            .get(&format!("/documents/{external_id}/data.json"))
            .await?;
        assert_eq!(data.status, 200);
        let data = data.json();
        assert_eq!(data["row_count"], 2);
        assert_eq!(data["csv"]["sha256"], digest.as_str());
        assert_eq!(data["rows"][0]["spaces"], 120);
        assert_eq!(data["rows"][1]["opened"], serde_json::Value::Null);
        assert_eq!(data["schema"]["primaryKey"][0], "code");
        let schema = public
            .get(&format!("/documents/{external_id}/schema.json"))
            .await?
            .json();
        assert_eq!(schema["fields"][2]["type"], "integer");

        let catalog = public.get("/data/catalog.jsonld").await?;
        assert_eq!(catalog.status, 200);
        let catalog = catalog.json();
        assert_eq!(catalog["@type"], "dcat:Catalog");
        let datasets = catalog["dcat:dataset"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(datasets.len(), 1, "{catalog}");
        assert_eq!(datasets[0]["dct:identifier"], external_id.as_str());
        assert_eq!(
            datasets[0]["dcat:distribution"][0]["spdx:checksum"]["spdx:checksumValue"],
            digest.as_str()
        );
        // The OpenAPI document lists the dataset addresses.
        let openapi = public.get("/api/v1/openapi.json").await?.json();
        assert!(openapi["paths"]["/data/catalog.jsonld"].is_object());
        assert!(openapi["paths"]["/documents/{external_id}/data.json"].is_object());
        db.finish().await;
    }
    Ok(())
}
