//! `gongkai audit` (`Services::audit`) finds exactly what was changed behind the log's back,
//! on both databases: an application's milestone edited, a document version whose stored
//! metadata no longer parses, a version deleted, a stored tree hash overwritten. The audit
//! reads the log in pages and the records in batches; these tests pin down that the batching
//! still names each record on its own.

use gongkai_domain::application::Command;
use gongkai_domain::application_form::ApplicationInput;
use gongkai_service::{DEMO_PASSWORD, Db, RequestOrigin, Services};
use gongkai_testkit::{all_databases, demo_login, docx, draft_document, services};

fn form() -> ApplicationInput<'static> {
    ApplicationInput {
        applicant_kind: "natural_person",
        name: "张明",
        identity_kind: "resident_id_card",
        identity_number: "11010519491231002X",
        organisation_code: "",
        legal_representative: "",
        contact_phone: "13800138000",
        contact_email: "zhangming@example.cn",
        postal_address: "",
        information_description: "请公开《示范市2025年公共停车场建设规划》全文",
        document_number: "",
        purpose: "",
        form_preference: "electronic",
        delivery_preference: "portal_download",
    }
}

fn law_line(id: &str, title: &str) -> String {
    serde_json::json!({
        "id": id, "title": title, "issuer": "国务院", "date": "2020-01-01", "valid_from": null,
        "level": "行政法规", "category": "行政法规", "expired": false,
        "header": ["公布日期"], "body": format!("第一条 {title}。"),
    })
    .to_string()
}

async fn execute(db: &Db, sql: &str) -> anyhow::Result<()> {
    match db {
        Db::Sqlite(pool) => {
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(pool)
                .await?;
        }
        Db::Postgres(pool) => {
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(pool)
                .await?;
        }
    }
    Ok(())
}

async fn subjects(s: &Services) -> anyhow::Result<Vec<String>> {
    let report = s.audit().await?;
    let mut subjects: Vec<String> = report.findings.into_iter().map(|f| f.subject).collect();
    subjects.sort();
    Ok(subjects)
}

#[tokio::test]
async fn the_audit_names_each_changed_milestone_version_and_tree_hash() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let origin = RequestOrigin::default();
        let applicant = s
            .login("applicant@demo.gongkai.cn", DEMO_PASSWORD, &origin)
            .await?
            .actor;
        let clerk = s
            .login("clerk@demo.gongkai.cn", DEMO_PASSWORD, &origin)
            .await?
            .actor;
        let city = s.agency_by_slug("demo-city").await?.id;
        let app = s
            .submit_application(&applicant, city, &form(), "audit")
            .await?;
        for command in [
            Command::ConfirmReceipt {
                receipt_date: s.clock.today_in_china(),
            },
            Command::Accept,
        ] {
            let v = s.db.application_get(app.id).await?.expect("row").version;
            s.act_on_application(&clerk, app.id, v, command).await?;
        }
        let lines = [
            law_line("lrb-auditb00001", "审计甲条例"),
            law_line("lrb-auditb00002", "审计乙条例"),
            law_line("lrb-auditb00003", "审计丙条例"),
        ];
        s.import_laws_jsonl("demo-city", lines.into_iter().map(Ok))
            .await?;
        let receipt =
            s.db.application_get(app.id)
                .await?
                .expect("row")
                .receipt_number;

        let clean = s.audit().await?;
        assert!(
            clean.findings.is_empty(),
            "{}: {:?}",
            db.label,
            clean.findings
        );
        assert_eq!(
            clean.entries, 6,
            "{}: three steps, three versions",
            db.label
        );
        assert_eq!(clean.checked_records, 6, "{}", db.label);

        // The acceptance is edited; its leaf names it as `<receipt>#<seq>`.
        let accepted = s
            .log_entries(0, 10)
            .await?
            .into_iter()
            .filter_map(|(_, data)| gongkai_domain::tlog::parse_leaf(&data).ok())
            .find(|leaf| leaf.extra.get("event").and_then(|e| e.as_str()) == Some("accepted"))
            .expect("the acceptance is logged")
            .subject;
        assert!(accepted.starts_with(&format!("{receipt}#")), "{accepted}");
        execute(
            &db.db,
            &format!(
                "UPDATE application_events SET data = data || ' ' WHERE kind = 'accepted' AND \
                 application_id = (SELECT id FROM applications WHERE receipt_number = '{receipt}')"
            ),
        )
        .await?;
        assert_eq!(
            subjects(&s).await?,
            std::slice::from_ref(&accepted),
            "{}: exactly the edited milestone",
            db.label
        );

        // A version's stored metadata is made unreadable: a finding, not an aborted audit.
        execute(
            &db.db,
            "UPDATE document_versions SET metadata = '{' WHERE document_id = \
             (SELECT id FROM documents WHERE external_id = 'lrb-auditb00001')",
        )
        .await?;
        // Another version is deleted outright.
        execute(
            &db.db,
            "DELETE FROM document_versions WHERE document_id = \
             (SELECT id FROM documents WHERE external_id = 'lrb-auditb00003')",
        )
        .await?;
        let report = s.audit().await?;
        let mut named: Vec<(String, String)> = report
            .findings
            .iter()
            .map(|f| (f.subject.clone(), f.problem.clone()))
            .collect();
        named.sort();
        assert_eq!(named.len(), 3, "{}: {named:?}", db.label);
        assert_eq!(named[0].0, accepted);
        assert_eq!(named[1].0, "lrb-auditb00001@v1");
        assert!(named[1].1.contains("unreadable"), "{}", named[1].1);
        assert_eq!(named[2].0, "lrb-auditb00003@v1");
        assert!(named[2].1.contains("no stored record"), "{}", named[2].1);
        assert_eq!(report.checked_records, 5, "{}", db.label);

        // A stored interior or leaf hash overwritten: the root no longer matches the entries.
        execute(
            &db.db,
            "UPDATE tlog_hashes SET hash = (SELECT hash FROM tlog_hashes WHERE hash_index = 1) \
             WHERE hash_index = 0",
        )
        .await?;
        let report = s.audit().await?;
        let tree: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.subject == "tree")
            .map(|f| f.problem.as_str())
            .collect();
        assert!(
            tree.iter()
                .any(|p| p.starts_with("stored hash 0 (level 0, node 0)")),
            "{}: {tree:?}",
            db.label
        );
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn a_published_file_is_in_its_version_leaf_and_changing_it_is_reported() -> anyhow::Result<()>
{
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let clerk = demo_login(&s, "clerk@demo.gongkai.cn").await?;
        let secrecy = demo_login(&s, "secrecy@demo.gongkai.cn").await?;
        let city = s.agency_by_slug("demo-city").await?.id;
        let input = gongkai_domain::publication::MetadataInput {
            title: "示范市公共停车场收费标准".into(),
            summary: "公布收费标准。".into(),
            issuer: "示范市发展和改革委员会".into(),
            topic: "价格".into(),
            genre: "通知".into(),
            validity: "effective".into(),
            body: "现将本市公共停车场收费标准公布如下，详见附件。".into(),
            ..Default::default()
        };
        let (external_id, version) = draft_document(&s, &clerk, city, &input).await?;
        let file = docx(&["路内泊位首小时免费，超过部分每小时三元。"]);
        let digest = gongkai_service::sha256_hex(&file);
        s.add_document_attachment(&clerk, &external_id, version, "收费标准.docx", &file)
            .await?;
        s.submit_document_for_review(&clerk, &external_id, version)
            .await?;
        s.review_document_version(&secrecy, &external_id, version, true, "不涉密")
            .await?;
        let subject = format!("{external_id}@v{version}");

        // The version's leaf lists the file's digest, and the file verifies as published.
        let size = s.tree_head().await?.size as i64;
        let leaf = s
            .log_entries(0, size)
            .await?
            .into_iter()
            .filter_map(|(_, data)| gongkai_domain::tlog::parse_leaf(&data).ok())
            .find(|leaf| leaf.subject == subject)
            .expect("the publication is logged");
        assert_eq!(
            leaf.extra.get("attachments"),
            Some(&serde_json::json!([digest.clone()])),
            "{}",
            db.label
        );
        let verified = s.verify_document_file(&file).await?;
        assert_eq!(verified.len(), 1, "{}: {verified:?}", db.label);
        assert_eq!(verified[0].external_id, external_id);
        assert_eq!(
            verified[0].attachment_filename.as_deref(),
            Some("收费标准.docx")
        );
        let clean = s.audit().await?;
        assert!(
            clean.findings.is_empty(),
            "{}: {:?}",
            db.label,
            clean.findings
        );

        // The file's stored bytes are changed: the version that published it is named.
        let overwrite = match &db.db {
            Db::Sqlite(_) => format!("UPDATE blobs SET content = X'00' WHERE sha256 = '{digest}'"),
            Db::Postgres(_) => {
                format!("UPDATE blobs SET content = '\\x00'::bytea WHERE sha256 = '{digest}'")
            }
        };
        execute(&db.db, &overwrite).await?;
        let report = s.audit().await?;
        assert_eq!(
            report.findings.len(),
            1,
            "{}: {:?}",
            db.label,
            report.findings
        );
        assert_eq!(report.findings[0].subject, subject);
        assert!(
            report.findings[0]
                .problem
                .contains("stored bytes of the file"),
            "{}",
            report.findings[0].problem
        );

        // The file's row is removed: the version no longer holds what the log recorded.
        execute(
            &db.db,
            &format!("DELETE FROM document_attachments WHERE sha256 = '{digest}'"),
        )
        .await?;
        let report = s.audit().await?;
        assert_eq!(
            report.findings.len(),
            1,
            "{}: {:?}",
            db.label,
            report.findings
        );
        assert_eq!(report.findings[0].subject, subject);
        assert!(
            report.findings[0].problem.contains("stored files are []"),
            "{}",
            report.findings[0].problem
        );
        db.finish().await;
    }
    Ok(())
}
