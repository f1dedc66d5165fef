//! The generic import of an agency's existing documents (docs/import.md), on both databases:
//! every problem of every row is reported at once with its line and field and nothing is
//! written; `skip_invalid` imports the valid rows; JSONL and CSV (English or Chinese headers)
//! carry every metadata field, bodies in files and attachments; re-running changes nothing,
//! and changed content or a new file becomes a new version.

use gongkai_service::{DocumentImportOptions, DocumentImportReport, Services};
use gongkai_testkit::{all_databases, docx, services};
use std::path::{Path, PathBuf};

/// A fresh folder with the import's files in it.
fn folder(files: &[(&str, Vec<u8>)]) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("gongkai-import-{}", uuid::Uuid::now_v7()));
    for (name, bytes) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
    }
    Ok(dir)
}

fn jsonl(rows: &[serde_json::Value]) -> Vec<u8> {
    rows.iter()
        .map(|r| r.to_string() + "\n")
        .collect::<String>()
        .into_bytes()
}

async fn import(
    s: &Services,
    file: &Path,
    skip_invalid: bool,
) -> anyhow::Result<DocumentImportReport> {
    Ok(
        s.import_documents_file("demo-city", file, DocumentImportOptions { skip_invalid })
            .await?,
    )
}

fn found(report: &DocumentImportReport) -> Vec<(u64, &str, &str)> {
    report
        .problems
        .iter()
        .map(|p| (p.line, p.field.as_str(), p.code.as_str()))
        .collect()
}

fn good_row(id: &str, body: &str) -> serde_json::Value {
    serde_json::json!({
        "external_id": id,
        "title": "示范市公共停车场收费管理办法",
        "short_title": "停车收费办法",
        "summary": "规定公共停车场收费标准。",
        "issuer": "示范市发展和改革委员会",
        "written_date": "2025-03-01",
        "published_date": "2025-03-05",
        "document_number": "示发改发[2025]7号",
        "topic": "价格",
        "genre": "办法",
        "validity": "有效",
        "valid_from": "2025-04-01",
        "keywords": ["停车", "收费"],
        "catalog_code": "art20-1",
        "formed_on": "2025-03-01",
        "body": body,
        "attachments": ["files/收费标准.docx"],
    })
}

#[tokio::test]
async fn every_problem_of_every_row_is_reported_and_nothing_is_imported() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let dir = folder(&[
            ("files/收费标准.docx", docx(&["路内泊位首小时免费。"])),
            ("files/notes.txt", b"plain text".to_vec()),
        ])?;
        let bad = serde_json::json!({
            "external_id": "bad id!",
            "title": " ",
            "issuer": "示范市人民政府",
            "published_date": "2025-02-30",
            "document_number": "无效文号",
            "validity": "偶尔",
            "catalog_code": "no-such-item",
            "formed_on": "yesterday",
            "keywords": "a",
            "body": "正文。",
            "attachments": ["../secret.pdf", "files/missing.pdf", "files/notes.txt"],
        });
        let mut duplicate = good_row("import-001", "第一条 重复。");
        duplicate["titel"] = serde_json::json!("typo");
        duplicate["summary"] = serde_json::json!(42);
        let file = dir.join("documents.jsonl");
        let mut bytes = jsonl(&[good_row("import-001", "第一条 为了规范停车收费。"), bad]);
        bytes.extend_from_slice(b"\n{not json\n");
        bytes.extend(jsonl(&[
            duplicate,
            serde_json::json!({"external_id": "import-002", "issuer": "x", "body_file": "files/none.txt"}),
        ]));
        std::fs::write(&file, bytes)?;
        let documents_before = db.db.document_count().await?;
        let log_before = s.tree_head().await?.size;

        let report = import(&s, &file, false).await?;
        let mut problems = found(&report);
        problems.sort();
        let mut expected = vec![
            (2, "external_id", "invalid_external_id"),
            (2, "title", "required"),
            (2, "published_date", "date_invalid"),
            (2, "document_number", "invalid_document_number"),
            (2, "validity", "invalid_choice"),
            (2, "catalog_code", "unknown_catalog_item"),
            (2, "formed_on", "date_invalid"),
            (2, "attachments", "path_not_relative"),
            (2, "attachments", "file_not_found"),
            (2, "attachments", "document_file_type_not_allowed"),
            (4, "row", "not_json_object"),
            (5, "row", "unknown_field"),
            (5, "summary", "not_text"),
            (5, "external_id", "duplicate_in_file"),
            (6, "title", "required"),
            (6, "published_date", "required"),
            (6, "body_file", "file_not_found"),
            (6, "body_file", "required"),
        ];
        expected.sort();
        assert_eq!(problems, expected, "{:#?}", report.problems);
        assert!(!report.committed);
        assert_eq!((report.rows, report.skipped, report.imported), (4, 4, 0));
        assert_eq!(db.db.document_count().await?, documents_before);
        assert_eq!(s.tree_head().await?.size, log_before);
        // The details name what to look for, the reasons say what is wrong in both languages.
        let traversal = report
            .problems
            .iter()
            .find(|p| p.code == "path_not_relative")
            .expect("reported");
        assert_eq!(traversal.detail, "../secret.pdf");
        assert_eq!(traversal.field_zh(), "附件");
        assert!(traversal.reason().contains("relative"));

        // With skip_invalid the one valid row is imported and the others are still reported.
        let report = import(&s, &file, true).await?;
        assert!(report.committed);
        assert_eq!((report.imported, report.skipped), (1, 3));
        assert_eq!(report.problems.len(), expected.len());
        assert_eq!(db.db.document_count().await?, documents_before + 1);

        // A file that is not JSONL or CSV, and an empty file, are refused as files.
        let other = dir.join("documents.xlsx");
        std::fs::write(&other, b"x")?;
        assert_eq!(
            found(&import(&s, &other, false).await?),
            [(0, "file", "unknown_file_format")]
        );
        let empty = dir.join("empty.csv");
        std::fs::write(&empty, b"")?;
        assert_eq!(
            found(&import(&s, &empty, false).await?),
            [(0, "file", "empty_file")]
        );
        std::fs::remove_dir_all(&dir)?;
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn documents_import_with_all_metadata_and_files_and_re_runs_are_idempotent()
-> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let dir = folder(&[
            ("files/收费标准.docx", docx(&["路内泊位首小时免费。"])),
            ("files/附表.docx", docx(&["夜间停车每晚十元。"])),
            (
                "bodies/plan.txt",
                "一、总体要求\n二、主要任务".as_bytes().to_vec(),
            ),
        ])?;
        let file = dir.join("documents.jsonl");
        std::fs::write(
            &file,
            jsonl(&[good_row(
                "import-001",
                "第一条 为了规范停车收费。\n第二条 本办法自发布之日起施行。",
            )]),
        )?;
        let log_before = s.tree_head().await?.size;
        let report = import(&s, &file, false).await?;
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(
            (report.imported, report.attachments_added, report.committed),
            (1, 1, true)
        );
        assert_eq!(s.tree_head().await?.size, log_before + 1);
        let view = s.document_view("import-001", None, None).await?;
        let m = &view.version.metadata;
        assert_eq!(m.title, "示范市公共停车场收费管理办法");
        assert_eq!(m.short_title, "停车收费办法");
        assert_eq!(m.summary, "规定公共停车场收费标准。");
        assert_eq!(m.issuer, "示范市发展和改革委员会");
        assert_eq!(m.document_number.as_deref(), Some("示发改发〔2025〕7号"));
        assert_eq!(
            m.written_date.map(|d| d.to_string()).as_deref(),
            Some("2025-03-01")
        );
        assert_eq!(
            m.published_date.map(|d| d.to_string()).as_deref(),
            Some("2025-03-05")
        );
        assert_eq!(
            m.valid_from.map(|d| d.to_string()).as_deref(),
            Some("2025-04-01")
        );
        assert_eq!((m.topic.as_str(), m.genre.as_str()), ("价格", "办法"));
        assert_eq!(m.validity.code(), "effective");
        assert_eq!(m.keywords, ["停车", "收费"]);
        assert_eq!(view.document.catalog_code.as_deref(), Some("art20-1"));
        assert_eq!(view.document.status, "published");
        assert_eq!(view.attachments.len(), 1);
        assert_eq!(view.attachments[0].filename, "收费标准.docx");
        assert_eq!(view.attachments[0].text_status, "extracted");
        let texts = db.db.document_attachment_texts(view.document.id, 1).await?;
        assert!(texts[0].1.contains("首小时免费"), "{texts:?}");

        // The same file again changes nothing, and writes nothing to the log.
        let again = import(&s, &file, false).await?;
        assert_eq!(
            (again.imported, again.corrected, again.unchanged),
            (0, 0, 1)
        );
        assert_eq!(again.attachments_added, 0);
        assert_eq!(s.tree_head().await?.size, log_before + 1);

        // Changed content and an added file become version 2; the first file stays with it.
        let mut changed = good_row("import-001", "第一条 为了规范停车收费，方便群众。");
        changed["attachments"] = serde_json::json!(["files/收费标准.docx", "files/附表.docx"]);
        std::fs::write(&file, jsonl(&[changed]))?;
        let report = import(&s, &file, false).await?;
        assert_eq!((report.corrected, report.attachments_added), (1, 1));
        let view = s.document_view("import-001", None, None).await?;
        assert_eq!(view.document.current_version, 2);
        assert!(view.version.metadata.body.contains("方便群众"));
        let names: Vec<&str> = view
            .attachments
            .iter()
            .map(|a| a.filename.as_str())
            .collect();
        assert_eq!(names, ["收费标准.docx", "附表.docx"]);
        let old = s.document_view("import-001", Some(1), None).await?;
        assert_eq!(old.version.row.state, "superseded");
        assert_eq!(old.attachments.len(), 1);

        // CSV with the Chinese column names of agencies' spreadsheets (a byte order mark as
        // Excel writes it), a quoted body across lines, a body file and two attachments; the
        // problem of the row after the multi-line body names the line where that row starts.
        let csv = "\u{feff}外部编号,名称,发布机构,成文日期,发布日期,文号,主题分类,体裁,有效性,失效日期,关键词,目录项,正文,正文文件,附件\n\
            import-101,示范市停车场建设规划,示范市人民政府,2024-01-02,2024-01-10,示政发〔2024〕1号,城乡建设,规划,废止,2025-12-31,停车；规划,art20-1,\"第一条 规划范围。\n第二条 规划期限。\",,files/收费标准.docx;files/附表.docx\n\
            import-102,示范市停车工作要点,示范市人民政府办公室,,2024-02-01,,城乡建设,计划,失效,,,,,bodies/plan.txt,\n\
            import-103,坏日期,示范市人民政府,,2024-13-01,,,,,,,,正文。,,\n";
        let csv_file = dir.join("documents.csv");
        std::fs::write(&csv_file, csv)?;
        let report = import(&s, &csv_file, false).await?;
        assert_eq!(found(&report), [(5, "published_date", "date_invalid")]);
        assert!(!report.committed);
        let report = import(&s, &csv_file, true).await?;
        assert_eq!(
            (report.imported, report.skipped, report.attachments_added),
            (2, 1, 2)
        );
        let plan = s.document_view("import-101", None, None).await?;
        let m = &plan.version.metadata;
        assert_eq!(m.validity.code(), "repealed");
        assert_eq!(
            m.invalid_from.map(|d| d.to_string()).as_deref(),
            Some("2025-12-31")
        );
        assert_eq!(m.keywords, ["停车", "规划"]);
        assert_eq!(m.body, "第一条 规划范围。\n第二条 规划期限。");
        assert_eq!(m.document_number.as_deref(), Some("示政发〔2024〕1号"));
        assert_eq!(plan.attachments.len(), 2);
        let points = s.document_view("import-102", None, None).await?;
        assert_eq!(points.version.metadata.body, "一、总体要求\n二、主要任务");
        assert_eq!(points.version.metadata.validity.code(), "expired");
        // Without a 内容概述 the summary is taken from the body.
        assert_eq!(points.version.metadata.summary, "一、总体要求");
        assert!(points.document.index_number.contains("/2024-"));

        // Every imported version's leaf lists the files it published, version 2 of import-001
        // both files (the first stays with it), and the audit finds everything as logged.
        let size = s.tree_head().await?.size as i64;
        let leaves: Vec<gongkai_domain::tlog::LeafFields> = s
            .log_entries(0, size)
            .await?
            .into_iter()
            .filter_map(|(_, data)| gongkai_domain::tlog::parse_leaf(&data).ok())
            .collect();
        let logged_files = |subject: &str| {
            leaves
                .iter()
                .find(|leaf| leaf.subject == subject)
                .and_then(|leaf| leaf.extra.get("attachments"))
                .and_then(|files| files.as_array())
                .map_or(0, Vec::len)
        };
        assert_eq!(logged_files("import-001@v1"), 1);
        assert_eq!(logged_files("import-001@v2"), 2);
        assert_eq!(logged_files("import-101@v1"), 2);
        assert_eq!(logged_files("import-102@v1"), 0);
        let audit = s.audit().await?;
        assert!(
            audit.findings.is_empty(),
            "{}: {:?}",
            db.label,
            audit.findings
        );
        std::fs::remove_dir_all(&dir)?;
        db.finish().await;
    }
    Ok(())
}

/// The sample files of docs/import.md import as documented, without a problem.
#[tokio::test]
async fn the_documented_examples_import_cleanly() -> anyhow::Result<()> {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        for (name, imported, attachments) in [("documents.jsonl", 2, 1), ("documents.csv", 2, 1)] {
            let report = import(&s, &examples.join(name), false).await?;
            assert!(report.problems.is_empty(), "{name}: {:?}", report.problems);
            assert_eq!(
                (report.imported, report.attachments_added),
                (imported, attachments),
                "{name}"
            );
        }
        let repealed = s.document_view("demo-city-2019-gov-12", None, None).await?;
        assert_eq!(repealed.version.metadata.validity.code(), "repealed");
        let plan = s
            .document_view("demo-city-2025-gov-plan-3", None, None)
            .await?;
        assert!(plan.version.metadata.body.contains("错时向社会开放"));
        assert_eq!(plan.document.catalog_code.as_deref(), Some("art20-3"));
        db.finish().await;
    }
    Ok(())
}
