//! Proactive disclosure on both databases: the laws import (idempotent, corrections become
//! versions), the draft → confidentiality review → publication workflow with its permissions,
//! withdrawals, the transparency log and file verification, and the standard catalog with
//! templates, deviations and revisions.

use gongkai_domain::catalog::UpdateRule;
use gongkai_domain::publication::MetadataInput;
use gongkai_service::{
    CatalogItemData, DEMO_PASSWORD, DraftRequest, RequestOrigin, ServiceError, Services,
};
use gongkai_store::DocumentListFilter;
use gongkai_testkit::{all_databases, services};

fn law_line(id: &str, title: &str, body: &str, expired: bool) -> String {
    serde_json::json!({
        "id": id,
        "title": title,
        "short_title": title,
        "issuer": "全国人民代表大会常务委员会",
        "date": "2019-04-03",
        "valid_from": "2019-05-15",
        "level": "行政法规",
        "category": "行政法规",
        "expired": expired,
        "header": ["2019年4月3日 国务院令第711号修订"],
        "body": body,
        "source": "test",
    })
    .to_string()
}

async fn actor(s: &Services, email: &str) -> anyhow::Result<gongkai_service::Actor> {
    Ok(s.login(email, DEMO_PASSWORD, &RequestOrigin::default())
        .await?
        .actor)
}

#[tokio::test]
async fn laws_import_is_idempotent_and_corrections_become_versions() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let body = "## 第一章 总则\n\n第一条 为了保障公民依法获取政府信息。\n\n第二条 本条例所称政府信息。\n\n第二条之一 补充规定。";
        let lines = vec![
            law_line("lrb-test000001", "政府信息公开条例", body, false),
            String::new(),
            "{not json".to_string(),
            law_line("bad id!", "坏编号", body, false),
            law_line("lrb-test000002", "旧条例", "第一条 旧的规定。", true),
        ];
        let log_before = s.tree_head().await?.size;
        let report = s
            .import_laws_jsonl("demo-city", lines.clone().into_iter().map(Ok))
            .await?;
        assert_eq!(
            (report.imported, report.corrected, report.unchanged),
            (2, 0, 0)
        );
        let refused: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
        assert_eq!(refused, [3, 4], "{:?}", report.errors);
        assert!(report.errors[1].message.contains("invalid_external_id"));
        assert_eq!(s.tree_head().await?.size, log_before + 2);

        let again = s
            .import_laws_jsonl("demo-city", lines.into_iter().map(Ok))
            .await?;
        assert_eq!(
            (again.imported, again.corrected, again.unchanged),
            (0, 0, 2)
        );

        let view = s.document_view("lrb-test000001", None, None).await?;
        assert_eq!(view.document.current_version, 1);
        assert_eq!(view.version.header, ["2019年4月3日 国务院令第711号修订"]);
        assert!(
            view.document
                .index_number
                .starts_with("11330100002500017H/2019-")
        );
        let expired = s.document_view("lrb-test000002", None, None).await?;
        assert_eq!(expired.document.validity, "expired");

        // A changed body is a correction: version 2 becomes current, version 1 stays viewable
        // and the log gets a "corrected" leaf.
        let v1_bytes = s.document_version_content("lrb-test000001", 1).await?;
        let changed = law_line(
            "lrb-test000001",
            "政府信息公开条例",
            &body.replace("依法获取", "依法及时获取"),
            false,
        );
        let report = s
            .import_laws_jsonl("demo-city", std::iter::once(Ok(changed)))
            .await?;
        assert_eq!(report.corrected, 1);
        let view = s.document_view("lrb-test000001", None, None).await?;
        assert_eq!(view.document.current_version, 2);
        assert!(view.version.metadata.body.contains("依法及时获取"));
        let states: Vec<&str> = view.versions.iter().map(|v| v.state.as_str()).collect();
        assert_eq!(states, ["superseded", "published"]);
        let old = s.document_view("lrb-test000001", Some(1), None).await?;
        assert!(old.version.metadata.body.contains("依法获取"));

        // The bytes downloaded for version 1 are recognised as exactly that version.
        let matches = s.verify_document_file(&v1_bytes).await?;
        assert_eq!(matches.len(), 1);
        assert_eq!(
            (matches[0].external_id.as_str(), matches[0].version),
            ("lrb-test000001", 1)
        );
        assert!(s.verify_document_file(b"something else").await?.is_empty());
        let entries = s.log_entries(0, 1000).await?;
        let last = String::from_utf8(entries.last().expect("entries").1.clone())?;
        assert!(last.contains("document_version_corrected"), "{last}");
        assert!(last.contains("lrb-test000001@v2"), "{last}");

        let (rows, total) = db
            .db
            .documents_list(&DocumentListFilter::default(), 0, 10)
            .await?;
        assert_eq!(total, 2);
        assert_eq!(rows.len(), 2);
        let (_, expired_total) = db
            .db
            .documents_list(
                &DocumentListFilter {
                    validity: Some("expired".into()),
                    ..Default::default()
                },
                0,
                10,
            )
            .await?;
        assert_eq!(expired_total, 1);
        db.finish().await;
    }
    Ok(())
}

fn notice(title: &str) -> MetadataInput {
    MetadataInput {
        title: title.into(),
        summary: "公布年度停车场建设计划。".into(),
        issuer: "示范市人民政府办公室".into(),
        document_number: "示政办发〔2026〕12号".into(),
        written_date: "2026-11-20".into(),
        topic: "城乡建设".into(),
        genre: "通知".into(),
        validity: "effective".into(),
        keywords: "停车场，规划".into(),
        body: "第一条 为了缓解停车难。\n\n第二条 本计划自发布之日起施行。".into(),
        ..MetadataInput::default()
    }
}

#[tokio::test]
async fn drafts_are_published_only_after_the_confidentiality_review() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let clerk = actor(&s, "clerk@demo.gongkai.cn").await?;
        let secrecy = actor(&s, "secrecy@demo.gongkai.cn").await?;
        let ogi = actor(&s, "ogi@demo.gongkai.cn").await?;
        let applicant = actor(&s, "applicant@demo.gongkai.cn").await?;
        let city = s.agency_by_slug("demo-city").await?.id;
        let input = notice("关于2026年公共停车场建设计划的通知");
        let request = DraftRequest {
            agency_id: city,
            existing_external_id: None,
            catalog_code: Some("art21-urban-construction"),
            formed_on: Some("2026-11-20"),
            input: &input,
            change_note: "",
        };
        assert!(matches!(
            s.create_document_draft(&applicant, &request).await,
            Err(ServiceError::Forbidden)
        ));
        let bad = MetadataInput {
            title: String::new(),
            document_number: "乱写".into(),
            ..input.clone()
        };
        let bad_request = DraftRequest {
            input: &bad,
            catalog_code: Some("no-such-item"),
            formed_on: Some("yesterday"),
            ..request
        };
        match s.create_document_draft(&clerk, &bad_request).await {
            Err(ServiceError::Invalid(problems)) => {
                for field in ["title", "document_number", "catalog_code", "formed_on"] {
                    assert!(problems.has_field(field), "{field} missing: {problems}");
                }
            }
            other => panic!("expected all problems at once, got {other:?}"),
        }
        let (external_id, version) = s.create_document_draft(&clerk, &request).await?;
        assert_eq!(version, 1);
        assert!(
            external_id.starts_with("11330100002500017H-2026-"),
            "{external_id}"
        );
        // Nothing is public before the review.
        assert!(matches!(
            s.document_view(&external_id, None, None).await,
            Err(ServiceError::NotFound)
        ));
        let log_before = s.tree_head().await?.size;
        s.submit_document_for_review(&clerk, &external_id, 1)
            .await?;
        assert!(matches!(
            s.review_document_version(&clerk, &external_id, 1, true, "")
                .await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            s.review_document_version(&secrecy, &external_id, 1, false, " ")
                .await,
            Err(ServiceError::Invalid(_))
        ));
        s.review_document_version(&secrecy, &external_id, 1, true, "不涉密")
            .await?;
        assert!(matches!(
            s.review_document_version(&secrecy, &external_id, 1, true, "again")
                .await,
            Err(ServiceError::Conflict { .. })
        ));
        assert_eq!(s.tree_head().await?.size, log_before + 1);
        let view = s.document_view(&external_id, None, None).await?;
        assert_eq!(view.document.status, "published");
        assert_eq!(
            view.version.metadata.document_number.as_deref(),
            Some("示政办发〔2026〕12号")
        );
        assert_eq!(view.catalog_item_name.as_deref(), Some("市政建设"));

        // A correction goes through the same review; the old version stays visible.
        let corrected = notice("关于2026年公共停车场建设计划的通知（更正）");
        let (_, v2) = s
            .create_document_draft(
                &clerk,
                &DraftRequest {
                    existing_external_id: Some(&external_id),
                    input: &corrected,
                    change_note: "更正标题",
                    ..request
                },
            )
            .await?;
        assert_eq!(v2, 2);
        let public = s.document_view(&external_id, None, None).await?;
        assert_eq!(public.versions.len(), 1, "the draft is not public");
        s.submit_document_for_review(&clerk, &external_id, 2)
            .await?;
        s.review_document_version(&ogi, &external_id, 2, true, "")
            .await?;
        let view = s.document_view(&external_id, None, None).await?;
        assert_eq!(view.document.current_version, 2);
        assert!(view.document.title.ends_with("（更正）"));

        // Withdrawal: OGI office only, with a reason; the page becomes a tombstone.
        assert!(matches!(
            s.withdraw_document(&clerk, &external_id, "错误").await,
            Err(ServiceError::Forbidden)
        ));
        assert!(matches!(
            s.withdraw_document(&ogi, &external_id, "").await,
            Err(ServiceError::Invalid(_))
        ));
        s.withdraw_document(&ogi, &external_id, "计划已调整，另行发布")
            .await?;
        let view = s.document_view(&external_id, None, None).await?;
        assert_eq!(view.document.status, "withdrawn");
        assert_eq!(
            view.document.withdrawn_reason.as_deref(),
            Some("计划已调整，另行发布")
        );
        let (_, total) = db
            .db
            .documents_list(&DocumentListFilter::default(), 0, 10)
            .await?;
        assert_eq!(total, 0);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn agencies_start_from_the_standard_catalog_and_keep_every_revision() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let ogi = actor(&s, "ogi@demo.gongkai.cn").await?;
        let clerk = actor(&s, "clerk@demo.gongkai.cn").await?;
        let city = s.agency_by_slug("demo-city").await?.id;
        let county = s.agency_by_slug("demo-county").await?.id;
        let city_catalog = s.catalog_view(city).await?;
        assert_eq!(
            city_catalog.len(),
            23,
            "Art. 20 (15) + annual report + Art. 21 (7)"
        );
        let county_catalog = s.catalog_view(county).await?;
        assert!(
            county_catalog
                .iter()
                .all(|i| i.row.template_agency_id == Some(city) && !i.deviates_from_template)
        );

        let mut data = city_catalog[0].data.clone();
        data.elements = "规范性文件全文、政策解读".into();
        data.update_rule = UpdateRule::WithinWorkingDaysOfChange { working_days: 10 };
        assert!(matches!(
            s.update_catalog_item(&clerk, city, "art20-1", data.clone(), true, "")
                .await,
            Err(ServiceError::Forbidden)
        ));
        let bad = CatalogItemData {
            name: String::new(),
            channels: vec!["carrier_pigeon".into()],
            ..data.clone()
        };
        match s
            .update_catalog_item(&ogi, city, "art20-1", bad, true, "")
            .await
        {
            Err(ServiceError::Invalid(problems)) => {
                assert!(problems.has_field("name") && problems.has_field("channels"));
            }
            other => panic!("expected invalid, got {other:?}"),
        }
        let revision = s
            .update_catalog_item(&ogi, city, "art20-1", data, true, "补充公开要素")
            .await?;
        assert_eq!(revision, 2);
        let revisions = db.db.catalog_revisions(city, "art20-1").await?;
        assert_eq!(revisions.len(), 2);
        assert_eq!(revisions[0].change_note, "补充公开要素");
        // The county's item was adopted from the city's and now differs from it.
        let county_catalog = s.catalog_view(county).await?;
        let adopted = county_catalog
            .iter()
            .find(|i| i.row.code == "art20-1")
            .expect("item");
        assert!(adopted.deviates_from_template);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn the_demo_library_holds_three_hundred_real_documents() -> anyhow::Result<()> {
    let db = gongkai_testkit::sqlite_db().await?;
    let s = services(&db.db);
    s.seed_demo_if_empty().await?;
    assert_eq!(s.seed_demo_documents_if_empty().await?, 300);
    assert_eq!(s.seed_demo_documents_if_empty().await?, 0, "only once");
    let ogi = s.document_view("lrb-a232c94b84ab", None, None).await?;
    assert_eq!(ogi.document.title, "中华人民共和国政府信息公开条例");
    let articles = gongkai_domain::document::articles(&ogi.version.metadata.body);
    assert_eq!(articles.len(), 56);
    db.finish().await;
    Ok(())
}

#[tokio::test]
async fn the_audit_names_exactly_the_record_changed_behind_the_logs_back() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let lines = vec![
            law_line("lrb-audit0000001", "甲条例", "第一条 甲。", false),
            law_line("lrb-audit0000002", "乙条例", "第一条 乙。", false),
        ];
        s.import_laws_jsonl("demo-city", lines.into_iter().map(Ok))
            .await?;
        let clean = s.audit().await?;
        assert!(clean.findings.is_empty(), "{:?}", clean.findings);
        assert_eq!(clean.checked_records, 2, "the two documents' versions");
        // Someone edits a published body directly in the database.
        let sql = "UPDATE document_versions SET body = '第一条 乙（已被改动）。' WHERE document_id = \
                   (SELECT id FROM documents WHERE external_id = 'lrb-audit0000002')";
        match &db.db {
            gongkai_service::Db::Sqlite(pool) => {
                sqlx::query(sql).execute(pool).await?;
            }
            gongkai_service::Db::Postgres(pool) => {
                sqlx::query(sql).execute(pool).await?;
            }
        }
        let report = s.audit().await?;
        let subjects: Vec<&str> = report.findings.iter().map(|f| f.subject.as_str()).collect();
        assert_eq!(subjects, ["lrb-audit0000002@v1"], "{}", db.label);
        db.finish().await;
    }
    Ok(())
}
