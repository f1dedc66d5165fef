//! Search through the service and the page, on both databases: every process's index follows
//! the database's change records (publication, correction, withdrawal), the page shows
//! highlighted article hits with facets and pagination, a zero-result search offers an
//! application with the description filled in, clicks are logged through a local-only
//! redirect, and the OGI office sees the unmet queries.

use gongkai_service::gongkai_search::{Granularity, SearchRequest};
use gongkai_service::{DEMO_PASSWORD, RequestOrigin};
use gongkai_testkit::{TestApp, all_databases, services_with_search};

fn law_line(id: &str, title: &str, body: &str) -> String {
    serde_json::json!({
        "id": id, "title": title, "short_title": title, "issuer": "国务院", "date": "2019-04-03",
        "level": "行政法规", "category": "行政法规", "expired": false, "header": [], "body": body,
    })
    .to_string()
}

const LOAN_BODY: &str = "## 第一章 总则\n\n第一条 为了促进创业就业，制定本办法。\n\n第二条 高校毕业生自主创业的，可以申请创业担保贷款，贷款额度最高不超过二十万元。\n\n第三条 个人申请创业担保贷款，应当向经办银行提出。";
const OGI_BODY: &str = "第一条 为了保障公民依法获取政府信息，制定本条例。\n\n第三十三条 行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复。行政机关不能当场答复的，应当自收到申请之日起20个工作日内予以答复。";

fn request(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.to_string(),
        granularity: Granularity::Articles,
        limit: 10,
        ..SearchRequest::default()
    }
}

#[tokio::test]
async fn each_process_index_follows_the_change_records() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let first = services_with_search(&db.db)?;
        first.seed_demo_if_empty().await?;
        // A second process over the same database, with its own index.
        let second = services_with_search(&db.db)?;
        first
            .import_laws_jsonl(
                "demo-city",
                [
                    law_line("lrb-loan00000001", "创业担保贷款管理办法", LOAN_BODY),
                    law_line(
                        "lrb-ogi000000001",
                        "中华人民共和国政府信息公开条例",
                        OGI_BODY,
                    ),
                ]
                .into_iter()
                .map(Ok),
            )
            .await?;
        assert_eq!(first.sync_search_index().await?, 2);
        assert_eq!(second.sync_search_index().await?, 2);
        assert_eq!(first.sync_search_index().await?, 0, "nothing new");
        for services in [&first, &second] {
            let results = services
                .search_documents(&request("大学生创业能贷多少钱"))
                .await?;
            let ids: Vec<String> = results.hits.iter().take(2).map(|h| h.hit_id()).collect();
            assert!(
                ids.iter().all(|id| id.starts_with("lrb-loan00000001#")),
                "{}: {ids:?}",
                db.label
            );
            assert!(ids.contains(&"lrb-loan00000001#2".to_string()), "{ids:?}");
            assert!(results.hits[0].snippet_html.contains("<mark>"));
        }
        let results = first
            .search_documents(&request("申请政府信息公开多久答复"))
            .await?;
        assert_eq!(
            results.hits.first().map(|h| h.hit_id()).as_deref(),
            Some("lrb-ogi000000001#33")
        );

        // A withdrawal disappears from both indexes after their next sync.
        let ogi = first
            .login(
                "ogi@demo.gongkai.cn",
                DEMO_PASSWORD,
                &RequestOrigin::default(),
            )
            .await?
            .actor;
        first
            .withdraw_document(&ogi, "lrb-loan00000001", "已废止")
            .await?;
        for services in [&first, &second] {
            services.sync_search_index().await?;
            let results = services.search_documents(&request("创业担保贷款")).await?;
            assert!(
                results
                    .hits
                    .iter()
                    .all(|h| h.external_id != "lrb-loan00000001"),
                "withdrawn document still found"
            );
        }
        // A rebuild gives the same answers as following the changes.
        assert_eq!(second.rebuild_search_index().await?, 1);
        let results = second
            .search_documents(&request("政府信息公开 答复期限"))
            .await?;
        assert!(!results.hits.is_empty());
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn the_search_page_finds_articles_and_offers_an_application_when_nothing_is_found()
-> anyhow::Result<()> {
    for db in all_databases().await? {
        let services = services_with_search(&db.db)?;
        let mut app = TestApp::new(services.clone()).await?;
        services
            .import_laws_jsonl(
                "demo-city",
                [
                    law_line("lrb-loan00000001", "创业担保贷款管理办法", LOAN_BODY),
                    law_line(
                        "lrb-ogi000000001",
                        "中华人民共和国政府信息公开条例",
                        OGI_BODY,
                    ),
                ]
                .into_iter()
                .map(Ok),
            )
            .await?;
        services.sync_search_index().await?;
        let page = app
            .get("/search?q=%E5%88%9B%E4%B8%9A%E8%B4%B7%E6%AC%BE")
            .await?;
        assert_eq!(page.status, 200, "{}", db.label);
        assert!(page.body.contains("创业担保贷款管理办法 第二条"));
        assert!(page.body.contains("<mark>"));
        assert!(page.body.contains("/search/click?q="));
        assert!(page.body.contains("行政法规"), "level facet");
        // The click goes through the log to the article's anchor.
        let click = app
            .get("/search/click?q=%E5%88%9B%E4%B8%9A%E8%B4%B7%E6%AC%BE&to=%2Fdocuments%2Flrb-loan00000001%23art-2")
            .await?;
        assert_eq!(click.status, 303);
        assert_eq!(click.location(), Some("/documents/lrb-loan00000001#art-2"));
        for off_site in [
            "/search/click?q=x&to=https%3A%2F%2Fevil.example%2F",
            "/search/click?q=x&to=%2F%2Fevil.example",
            "/search/click?q=x&to=%2Fdocuments%2F..%5C..%5Cx",
        ] {
            assert_eq!(app.get(off_site).await?.status, 400, "{off_site}");
        }
        // Nothing found: the page offers the application with the description filled in.
        let none = app
            .get("/search?q=%E7%81%AB%E6%98%9F%E7%A7%BB%E6%B0%91")
            .await?;
        assert_eq!(none.status, 200);
        assert!(none.body.contains("申请公开这项信息"));
        assert!(
            none.body
                .contains("/apply?description=%E7%81%AB%E6%98%9F%E7%A7%BB%E6%B0%91")
        );
        let choose = app
            .get("/apply?description=%E7%81%AB%E6%98%9F%E7%A7%BB%E6%B0%91")
            .await?;
        assert!(
            choose
                .body
                .contains("/a/demo-city/apply?description=%E7%81%AB%E6%98%9F%E7%A7%BB%E6%B0%91")
        );
        app.login("applicant@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        let form = app
            .get("/a/demo-city/apply?description=%E7%81%AB%E6%98%9F%E7%A7%BB%E6%B0%91")
            .await?;
        assert!(form.body.contains(">火星移民</textarea>"));
        // Odd input never fails.
        for odd in [
            "/search?q=%00",
            "/search?q=&page=-1",
            "/search?q=a&page=999999",
            "/search?q=%E6%B3%95&year=abc&validity=zz",
        ] {
            assert_eq!(app.get(odd).await?.status, 200, "{odd}");
        }
        // The OGI office sees the unmet query.
        let ogi = services
            .login(
                "ogi@demo.gongkai.cn",
                DEMO_PASSWORD,
                &RequestOrigin::default(),
            )
            .await?
            .actor;
        let mut ogi_client = app.fresh_client();
        ogi_client
            .login("ogi@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        let worklist = ogi_client.get("/staff/documents").await?;
        assert!(worklist.body.contains("公众找不到的信息"), "{}", db.label);
        assert!(worklist.body.contains(">火星移民</a>"));
        let gaps = services.search_gaps(&ogi, 30).await?;
        assert!(
            gaps.iter()
                .any(|g| g.query == "火星移民" && g.zero_result_searches == 1)
        );
        assert!(
            !gaps.iter().any(|g| g.query == "创业贷款"),
            "it was clicked"
        );
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn the_json_api_lists_shows_and_searches_documents() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let services = services_with_search(&db.db)?;
        let mut app = TestApp::new(services.clone()).await?;
        services
            .import_laws_jsonl(
                "demo-city",
                [
                    law_line("lrb-loan00000001", "创业担保贷款管理办法", LOAN_BODY),
                    law_line(
                        "lrb-ogi000000001",
                        "中华人民共和国政府信息公开条例",
                        OGI_BODY,
                    ),
                ]
                .into_iter()
                .map(Ok),
            )
            .await?;
        services.sync_search_index().await?;
        let list = app.get("/api/v1/documents?per_page=1&page=2").await?;
        assert_eq!(list.status, 200, "{}", db.label);
        let list = list.json();
        assert_eq!(list["total"], 2);
        assert_eq!(list["documents"].as_array().map(Vec::len), Some(1));
        let shown = app.get("/api/v1/documents/lrb-ogi000000001").await?.json();
        let keys: Vec<&str> = shown["articles"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x["key"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(keys, ["1", "33"]);
        assert_eq!(shown["articles"][1]["anchor"], "art-33");
        let digest = shown["content_sha256"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let download = app
            .get(shown["canonical_content_href"].as_str().unwrap_or_default())
            .await?;
        assert_eq!(
            gongkai_service::sha256_hex(download.body.as_bytes()),
            digest
        );
        let found = app
            .get("/api/v1/search?q=%E5%88%9B%E4%B8%9A%E6%8B%85%E4%BF%9D%E8%B4%B7%E6%AC%BE")
            .await?;
        assert_eq!(found.status, 200);
        let found = found.json();
        assert!(
            found["hits"][0]["hit_id"]
                .as_str()
                .is_some_and(|h| h.starts_with("lrb-loan00000001#"))
        );
        assert_eq!(found["mode"], "lexical");
        assert!(found["facets"]["level"].is_array());
        for (bad, field) in [
            ("/api/v1/search", "q"),
            ("/api/v1/search?q=x&page=0", "page"),
            ("/api/v1/search?q=x&validity=maybe", "validity"),
            ("/api/v1/documents?year=twenty", "year"),
            ("/api/v1/documents?per_page=1000", "per_page"),
        ] {
            let response = app.get(bad).await?;
            assert_eq!(response.status, 400, "{bad}");
            assert!(response.body.contains(field), "{bad}: {}", response.body);
        }
        assert_eq!(app.get("/api/v1/documents/nope").await?.status, 404);
        let catalog = app.get("/api/v1/agencies/demo-city/catalog").await?.json();
        assert_eq!(catalog["items"].as_array().map(Vec::len), Some(23));
        let openapi = app.get("/api/v1/openapi.json").await?.json();
        assert!(openapi["paths"]["/api/v1/search"]["get"].is_object());
        db.finish().await;
    }
    Ok(())
}

/// On PostgreSQL a change record's sequence number is drawn before its transaction commits, so
/// a slow transaction can appear after higher numbers were replayed. Hiding one record during
/// a sync and putting it back afterwards plays that race deterministically.
#[tokio::test]
async fn a_change_that_commits_late_is_still_replayed() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services_with_search(&db.db)?;
        s.seed_demo_if_empty().await?;
        s.import_laws_jsonl(
            "demo-city",
            [
                law_line("lrb-late00000001", "创业担保贷款管理办法", LOAN_BODY),
                law_line(
                    "lrb-late00000002",
                    "中华人民共和国政府信息公开条例",
                    OGI_BODY,
                ),
            ]
            .into_iter()
            .map(Ok),
        )
        .await?;
        s.sync_search_index().await?;
        let ogi = s
            .login(
                "ogi@demo.gongkai.cn",
                DEMO_PASSWORD,
                &RequestOrigin::default(),
            )
            .await?
            .actor;
        s.withdraw_document(&ogi, "lrb-late00000001", "已废止")
            .await?;
        s.import_laws_jsonl(
            "demo-city",
            std::iter::once(Ok(law_line(
                "lrb-late00000003",
                "示范条例",
                "第一条 示范。",
            ))),
        )
        .await?;
        let changes = db.db.document_changes_since(0, 1000).await?;
        let (late_seq, late_document) = changes[changes.len() - 2];
        let hide = "DELETE FROM document_changes WHERE seq = $1";
        let restore =
            "INSERT INTO document_changes (seq, document_id, changed_at) VALUES ($1, $2, $3)";
        let at = s.clock.now();
        match &db.db {
            gongkai_service::Db::Sqlite(pool) => {
                sqlx::query(hide).bind(late_seq).execute(pool).await?;
            }
            gongkai_service::Db::Postgres(pool) => {
                sqlx::query(hide).bind(late_seq).execute(pool).await?;
            }
        }
        s.sync_search_index().await?;
        let found = |results: &gongkai_service::gongkai_search::SearchResults| {
            results
                .hits
                .iter()
                .any(|h| h.external_id == "lrb-late00000001")
        };
        assert!(found(&s.search_documents(&request("创业担保贷款")).await?));
        match &db.db {
            gongkai_service::Db::Sqlite(pool) => {
                sqlx::query(restore)
                    .bind(late_seq)
                    .bind(late_document)
                    .bind(at)
                    .execute(pool)
                    .await?;
            }
            gongkai_service::Db::Postgres(pool) => {
                sqlx::query(restore)
                    .bind(late_seq)
                    .bind(late_document)
                    .bind(at)
                    .execute(pool)
                    .await?;
            }
        }
        assert_eq!(s.sync_search_index().await?, 1, "{}", db.label);
        assert!(!found(&s.search_documents(&request("创业担保贷款")).await?));
        db.finish().await;
    }
    Ok(())
}

/// The popularity prior comes from the click log that every process shares: clicks through
/// the search page are counted per document, outside the window they no longer count, and two
/// processes load the same counts.
#[tokio::test]
async fn the_popularity_prior_is_loaded_from_the_shared_click_log() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let first = services_with_search(&db.db)?;
        first.seed_demo_if_empty().await?;
        let second = services_with_search(&db.db)?;
        assert_eq!(first.refresh_search_popularity().await?, 0, "no clicks yet");
        let mut app = TestApp::new(first.clone()).await?;
        for target in [
            "/documents/lrb-loan00000001%23art-1",
            "/documents/lrb-loan00000001",
            "/documents/lrb-ogi000000001",
        ] {
            let clicked = app
                .get(&format!("/search/click?q=%E8%B4%B7%E6%AC%BE&to={target}"))
                .await?;
            assert_eq!(clicked.status, 303, "{target}");
        }
        let counts = first
            .db
            .search_click_counts(first.clock.now() - time::Duration::days(1))
            .await?;
        assert_eq!(
            counts,
            vec![
                ("lrb-loan00000001".to_string(), 2),
                ("lrb-ogi000000001".to_string(), 1)
            ]
        );
        assert_eq!(first.refresh_search_popularity().await?, 2);
        assert_eq!(second.refresh_search_popularity().await?, 2);
        let later = first.clock.now() + time::Duration::days(400);
        assert!(first.db.search_click_counts(later).await?.is_empty());
        db.finish().await;
    }
    Ok(())
}
