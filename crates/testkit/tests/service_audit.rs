//! `gongkai audit` (`Services::audit`) finds exactly what was changed behind the log's back,
//! on both databases: an application's milestone edited, a document version whose stored
//! metadata no longer parses, a version deleted, a stored tree hash overwritten. The audit
//! reads the log in pages and the records in batches; these tests pin down that the batching
//! still names each record on its own.

use gongkai_domain::application::Command;
use gongkai_domain::application_form::ApplicationInput;
use gongkai_service::{DEMO_PASSWORD, Db, RequestOrigin, Services};
use gongkai_testkit::{all_databases, services};

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
