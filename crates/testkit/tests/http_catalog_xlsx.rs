//! The paper catalog as a spreadsheet (Art. 25, issue 4 item 7): `/a/{slug}/catalog.xlsx`
//! next to the CSV and the PDF, with the same rows as the CSV, read back cell by cell.

use gongkai_testkit::{TestApp, all_databases, services};

fn law_line(id: &str, title: &str, expired: bool) -> String {
    serde_json::json!({
        "id": id, "title": title, "issuer": "国务院", "date": "2019-04-03", "valid_from": null,
        "level": "行政法规", "category": "行政法规", "expired": expired,
        "header": [], "body": "第一条 示范。",
    })
    .to_string()
}

#[tokio::test]
async fn the_catalog_downloads_as_a_workbook_with_the_csv_rows() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut app = TestApp::new(services(&db.db)).await?;
        app.services.seed_demo_if_empty().await?;
        let report = app
            .services
            .import_laws_jsonl(
                "demo-city",
                [
                    law_line("lrb-xlsx00000001", "中华人民共和国政府信息公开条例", false),
                    // A title Excel would read as a formula if it were written as one.
                    law_line("lrb-xlsx00000002", "=1+1 旧条例", true),
                ]
                .into_iter()
                .map(Ok),
            )
            .await?;
        assert_eq!(report.imported, 2, "{:?}", report.errors);

        let page = app.get("/a/demo-city/catalog").await?;
        assert!(page.body.contains("href=\"/a/demo-city/catalog.xlsx\""));

        let download = app.get("/a/demo-city/catalog.xlsx").await?;
        assert_eq!(download.status, 200, "{}", db.label);
        let header = |name: &str| {
            download
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(
            header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(
            header("content-disposition"),
            "attachment; filename=\"demo-city-catalog.xlsx\""
        );
        let text = gongkai_extract::xlsx_text(&download.bytes)?;
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "政府信息公开目录", "the sheet's name");
        assert_eq!(
            lines[1],
            "目录事项\t索引号\t名称\t发布机构\t发布日期\t有效性"
        );

        // The same rows as the CSV, cell for cell.
        let csv = app.get("/a/demo-city/catalog.csv").await?;
        let csv_rows: Vec<String> = csv
            .body
            .trim_start_matches('\u{feff}')
            .lines()
            .skip(1)
            .map(|line| line.replace(',', "\t").replace('"', ""))
            .collect();
        let xlsx_rows: Vec<String> = lines[2..].iter().map(|l| l.to_string()).collect();
        assert_eq!(xlsx_rows.len(), 2);
        for row in &xlsx_rows {
            // The CSV defuses a leading "=" with a quote; the workbook keeps text as text.
            let defused = row.replace("\t=1+1", "\t'=1+1");
            assert!(
                csv_rows.contains(row) || csv_rows.contains(&defused),
                "{row:?} not in {csv_rows:?}"
            );
        }
        assert!(text.contains("=1+1 旧条例\t国务院"), "kept as text: {text}");
        assert!(text.contains("中华人民共和国政府信息公开条例"));

        assert_eq!(app.get("/a/no-such-agency/catalog.xlsx").await?.status, 404);
        db.finish().await;
    }
    Ok(())
}
