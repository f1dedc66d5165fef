//! The public pages of proactive disclosure through HTTP on both databases: lists with facets
//! and pagination, the document page with anchored articles, versions and diffs, the exact
//! canonical download and its verification, tombstones, the catalog, and Atom feeds read by a
//! real feed parser.

use gongkai_service::{DEMO_PASSWORD, RequestOrigin};
use gongkai_testkit::{TestApp, all_databases, services};

fn law_line(id: &str, title: &str, date: &str, body: &str, expired: bool) -> String {
    serde_json::json!({
        "id": id, "title": title, "issuer": "国务院", "date": date, "valid_from": null,
        "level": "行政法规", "category": "行政法规", "expired": expired,
        "header": ["公布日期"], "body": body,
    })
    .to_string()
}

const OGI_BODY: &str = "## 第一章 总则\n\n第一条 为了保障公民、法人和其他组织依法获取政府信息，制定本条例。\n\n第二条 本条例所称政府信息。\n\n第二条之一 补充。\n\n## 第二章 公开的主体和范围\n\n第十条 行政机关制作的政府信息，由制作该政府信息的行政机关负责公开。";

async fn app_with_documents() -> anyhow::Result<Vec<(gongkai_testkit::TestDb, TestApp)>> {
    let mut out = Vec::new();
    for db in all_databases().await? {
        let app = TestApp::new(services(&db.db)).await?;
        let mut lines = vec![law_line(
            "lrb-ogi000000001",
            "中华人民共和国政府信息公开条例",
            "2019-04-03",
            OGI_BODY,
            false,
        )];
        for n in 0..25 {
            lines.push(law_line(
                &format!("lrb-filler{n:05}"),
                &format!("示范条例第{n}号"),
                "2020-01-01",
                "第一条 示范。",
                n % 5 == 0,
            ));
        }
        let report = app
            .services
            .import_laws_jsonl("demo-city", lines.into_iter().map(Ok))
            .await?;
        assert_eq!(report.imported, 26);
        out.push((db, app));
    }
    Ok(out)
}

#[tokio::test]
async fn document_pages_anchor_every_article_and_offer_the_exact_logged_bytes() -> anyhow::Result<()>
{
    for (db, mut app) in app_with_documents().await? {
        let page = app.get("/documents/lrb-ogi000000001").await?;
        assert_eq!(page.status, 200, "{}", db.label);
        for anchor in ["art-1", "art-2", "art-2-1", "art-10"] {
            assert!(
                page.body.contains(&format!("id=\"{anchor}\"")),
                "{anchor} missing"
            );
            assert!(page.body.contains(&format!("href=\"#{anchor}\"")));
        }
        assert!(page.body.contains("第二条之一"));
        assert!(page.body.contains("<th scope=\"row\">索引号</th>"));
        assert!(page.body.contains("<h2>第一章 总则</h2>"));
        // The canonical bytes are downloadable, hash to what the page shows, and verify.
        let download = app
            .get("/documents/lrb-ogi000000001/versions/1.json")
            .await?;
        assert_eq!(download.status, 200);
        let digest = gongkai_service::sha256_hex(download.body.as_bytes());
        assert!(page.body.contains(&digest));
        let verified = app
            .post_multipart(
                "/transparency/verify",
                &[],
                "v1.json",
                download.body.as_bytes(),
            )
            .await?;
        assert_eq!(verified.status, 200);
        assert!(verified.body.contains("lrb-ogi000000001"));
        let tampered = download.body.replace("依法获取", "依法不获取");
        let refused = app
            .post_multipart("/transparency/verify", &[], "v1.json", tampered.as_bytes())
            .await?;
        assert!(refused.body.contains("不一致"));
        assert!(
            !refused
                .body
                .contains("href=\"/documents/lrb-ogi000000001?version=1\"")
        );
        let empty = app
            .post_multipart("/transparency/verify", &[], "empty.json", b"")
            .await?;
        assert_eq!(empty.status, 422);
        for missing in [
            "/documents/no-such-document",
            "/documents/lrb-ogi000000001?version=7",
            "/documents/lrb-ogi000000001?version=x",
            "/documents/lrb-ogi000000001/versions/9.json",
            "/documents/lrb-ogi000000001/versions/one.json",
        ] {
            assert_eq!(app.get(missing).await?.status, 404, "{missing}");
        }
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn corrections_show_history_and_diff_and_withdrawals_leave_a_tombstone() -> anyhow::Result<()>
{
    for (db, mut app) in app_with_documents().await? {
        let corrected = law_line(
            "lrb-ogi000000001",
            "中华人民共和国政府信息公开条例",
            "2019-04-03",
            &OGI_BODY.replace("负责公开", "负责及时公开"),
            false,
        );
        app.services
            .import_laws_jsonl("demo-city", std::iter::once(Ok(corrected)))
            .await?;
        let page = app.get("/documents/lrb-ogi000000001").await?;
        assert!(
            page.body.contains("?version=2&#38;diff=1")
                || page.body.contains("?version=2&amp;diff=1")
        );
        let diff = app
            .get("/documents/lrb-ogi000000001?version=2&diff=1")
            .await?;
        assert!(diff.body.contains("<ins>"));
        assert!(diff.body.contains("负责及时公开"));
        assert!(diff.body.contains("<del>"));
        let old = app.get("/documents/lrb-ogi000000001?version=1").await?;
        assert!(old.body.contains("现行版本为第 2 版"));

        let ogi = app
            .services
            .login(
                "ogi@demo.gongkai.cn",
                DEMO_PASSWORD,
                &RequestOrigin::default(),
            )
            .await?
            .actor;
        app.services
            .withdraw_document(&ogi, "lrb-ogi000000001", "已被新版本替代")
            .await?;
        let gone = app.get("/documents/lrb-ogi000000001").await?;
        assert_eq!(gone.status, 410);
        assert!(gone.body.contains("已被新版本替代"));
        let list = app.get("/documents").await?;
        assert!(!list.body.contains("lrb-ogi000000001"));
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn lists_filter_facet_and_paginate_and_feeds_parse() -> anyhow::Result<()> {
    for (db, mut app) in app_with_documents().await? {
        let first = app.get("/documents").await?;
        assert_eq!(first.status, 200);
        assert!(first.body.contains("共 26 件"));
        assert!(first.body.contains("第 1 / 2 页"));
        assert!(first.body.contains("rel=\"next\""));
        let second = app.get("/documents?page=2").await?;
        assert!(second.body.contains("rel=\"prev\""));
        let expired = app.get("/documents?validity=expired").await?;
        assert!(expired.body.contains("共 5 件"), "{}", db.label);
        let year = app.get("/documents?year=2019").await?;
        assert!(year.body.contains("共 1 件"));
        assert!(year.body.contains("(1)"));
        for odd in [
            "/documents?page=-3",
            "/documents?page=999999999999",
            "/documents?year=abc",
            "/documents?issuer=%00",
        ] {
            assert_eq!(app.get(odd).await?.status, 200, "{odd}");
        }
        let catalog = app.get("/a/demo-city/catalog").await?;
        assert_eq!(catalog.status, 200);
        assert!(catalog.body.contains("行政法规、规章和规范性文件"));
        assert!(catalog.body.contains("信息形成或者变更之日起20个工作日内"));

        let csv = app.get("/a/demo-city/catalog.csv").await?;
        assert_eq!(csv.status, 200);
        assert!(csv.body.starts_with('\u{feff}'));
        assert_eq!(csv.body.lines().count(), 27, "header and 26 documents");
        assert!(csv.body.contains("中华人民共和国政府信息公开条例"));
        let feed = app.get("/feeds/all.atom").await?;
        assert_eq!(feed.status, 200);
        assert!(
            feed.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/atom+xml"))
        );
        let parsed = atom_syndication::Feed::read_from(feed.body.as_bytes())?;
        assert_eq!(parsed.entries().len(), 26);
        assert!(
            parsed
                .entries()
                .iter()
                .any(|e| e.title().as_str() == "中华人民共和国政府信息公开条例")
        );
        let filtered = app
            .get("/feeds/documents.atom?catalog=art20-1&validity=expired")
            .await?;
        let parsed = atom_syndication::Feed::read_from(filtered.body.as_bytes())?;
        assert_eq!(parsed.entries().len(), 5);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn staff_draft_review_and_publish_through_the_pages_with_art26_overdue_across_spring_festival()
-> anyhow::Result<()> {
    for (db, mut clerk) in app_with_documents().await? {
        clerk.login("clerk@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let form = clerk.get("/staff/documents/new?agency=demo-city").await?;
        assert_eq!(form.status, 200, "{}", db.label);
        assert!(form.body.contains("name=\"catalog_code\""));
        // Every problem at once, the values kept.
        let invalid = clerk
            .post_form(
                "/staff/documents/new",
                &[
                    ("agency", "demo-city"),
                    ("title", ""),
                    ("issuer", "示范市人民政府办公室"),
                    ("document_number", "示政发2026"),
                    ("written_date", "2026-02-30"),
                    ("body", ""),
                ],
            )
            .await?;
        assert_eq!(invalid.status, 422);
        for field in ["#title", "#document_number", "#written_date", "#body"] {
            assert!(invalid.body.contains(field), "{field} not listed");
        }
        assert!(invalid.body.contains("示范市人民政府办公室"));

        // Formed on 2026-01-20: twenty working days run past the Spring Festival holiday
        // (15–23 February 2026), so on Monday 2 March it is overdue; a draft formed on
        // 10 February is not yet due.
        for (title, formed_on) in [
            ("关于春节前形成的信息", "2026-01-20"),
            ("关于节后形成的信息", "2026-02-10"),
        ] {
            let created = clerk
                .post_form(
                    "/staff/documents/new",
                    &[
                        ("agency", "demo-city"),
                        ("title", title),
                        ("issuer", "示范市人民政府办公室"),
                        ("formed_on", formed_on),
                        ("catalog_code", "art20-5"),
                        ("body", "第一条 办理结果。"),
                    ],
                )
                .await?;
            assert_eq!(created.status, 303, "{}", created.body);
        }
        let worklist = clerk.get("/staff/documents").await?;
        assert_eq!(worklist.status, 200);
        let overdue_section = worklist
            .body
            .split("待处理的版本")
            .next()
            .unwrap_or_default()
            .to_string();
        assert!(overdue_section.contains("关于春节前形成的信息"));
        assert!(!overdue_section.contains("关于节后形成的信息"));
        assert!(overdue_section.contains("第二十六条"));

        let location = {
            let created = clerk
                .post_form(
                    "/staff/documents/new",
                    &[
                        ("agency", "demo-city"),
                        ("title", "示范市公共停车场收费标准"),
                        ("issuer", "示范市发展和改革委员会"),
                        ("document_number", "示发改价〔2026〕7号"),
                        ("catalog_code", "art20-8"),
                        ("body", "第一条 收费标准如下。"),
                    ],
                )
                .await?;
            created.location().unwrap_or_default().to_string()
        };
        assert!(location.starts_with("/documents/"), "{location}");
        let draft = clerk.get(&location).await?;
        assert_eq!(draft.status, 200);
        assert!(draft.body.contains("提交保密审查"));
        let external_id = location
            .trim_start_matches("/documents/")
            .split('?')
            .next()
            .unwrap_or_default()
            .to_string();
        let mut public = clerk.fresh_client();
        assert_eq!(public.get(&location).await?.status, 404);
        let submitted = clerk
            .post_form(
                "/staff/documents/act",
                &[
                    ("external_id", external_id.as_str()),
                    ("version", "1"),
                    ("action", "submit"),
                ],
            )
            .await?;
        assert_eq!(submitted.status, 303);

        let mut reviewer = clerk.fresh_client();
        reviewer
            .login("secrecy@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        let refused = reviewer
            .post_form(
                "/staff/documents/act",
                &[
                    ("external_id", external_id.as_str()),
                    ("version", "1"),
                    ("action", "reject"),
                    ("note", ""),
                ],
            )
            .await?;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("href=\"#act-note\""));
        let approved = reviewer
            .post_form(
                "/staff/documents/act",
                &[
                    ("external_id", external_id.as_str()),
                    ("version", "1"),
                    ("action", "approve"),
                    ("note", "不涉密"),
                ],
            )
            .await?;
        assert_eq!(approved.status, 303);
        let page = public.get(&format!("/documents/{external_id}")).await?;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("示发改价〔2026〕7号"));
        assert!(!page.body.contains("staff-panel"));
        let bad_action = clerk
            .post_form(
                "/staff/documents/act",
                &[
                    ("external_id", external_id.as_str()),
                    ("version", "1"),
                    ("action", "explode"),
                ],
            )
            .await?;
        assert_eq!(bad_action.status, 422);
        assert_eq!(public.get("/staff/documents").await?.status, 303);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn the_ogi_office_edits_catalog_items_and_every_save_is_a_revision() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut ogi = TestApp::new(services(&db.db)).await?;
        ogi.login("ogi@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let catalog = ogi.get("/a/demo-city/catalog").await?;
        assert!(catalog.body.contains("/staff/catalog/demo-city/art20-7"));
        let form = ogi.get("/staff/catalog/demo-city/art20-7").await?;
        assert_eq!(form.status, 200, "{}", db.label);
        assert!(form.body.contains("value=\"财政预算、决算信息\""));
        let invalid = ogi
            .post_form(
                "/staff/catalog/demo-city/art20-7",
                &[
                    ("name", ""),
                    ("rule_code", "annually"),
                    ("rule_first", "2"),
                    ("rule_second", "30"),
                ],
            )
            .await?;
        assert_eq!(invalid.status, 422);
        assert!(invalid.body.contains("href=\"#rule_code\""));
        assert!(invalid.body.contains("href=\"#name\""));
        let saved = ogi
            .post_form(
                "/staff/catalog/demo-city/art20-7",
                &[
                    ("name", "财政预算、决算信息"),
                    ("elements", "部门预算、部门决算、“三公”经费"),
                    ("responsible_department", "市财政局"),
                    ("rule_code", "annually"),
                    ("rule_first", "6"),
                    ("rule_second", "30"),
                    ("channel_website", "on"),
                    ("channel_gazette", "on"),
                    ("disclosure_management", "on"),
                    ("active", "on"),
                    ("change_note", "明确公开主体"),
                ],
            )
            .await?;
        assert_eq!(saved.status, 303);
        let page = ogi.get("/a/demo-city/catalog").await?;
        assert!(page.body.contains("市财政局"));
        assert!(page.body.contains("政府公报"));
        let history = ogi.get("/staff/catalog/demo-city/art20-7").await?;
        assert!(history.body.contains("明确公开主体"));
        let mut clerk = ogi.fresh_client();
        clerk.login("clerk@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let refused = clerk
            .post_form(
                "/staff/catalog/demo-city/art20-7",
                &[("name", "x"), ("rule_code", "on_occurrence")],
            )
            .await?;
        assert_eq!(refused.status, 403);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn staff_link_a_policy_interpretation_and_both_pages_show_it() -> anyhow::Result<()> {
    for (db, mut clerk) in app_with_documents().await? {
        clerk.login("clerk@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let unknown = clerk
            .post_form(
                "/staff/documents/act",
                &[
                    ("external_id", "lrb-ogi000000001"),
                    ("version", "1"),
                    ("action", "link_interpretation"),
                    ("note", "no-such-document"),
                ],
            )
            .await?;
        assert_eq!(unknown.status, 422, "{}", db.label);
        assert!(unknown.body.contains("href=\"#act-interpretation\""));
        let linked = clerk
            .post_form(
                "/staff/documents/act",
                &[
                    ("external_id", "lrb-ogi000000001"),
                    ("version", "1"),
                    ("action", "link_interpretation"),
                    ("note", "/documents/lrb-filler00001"),
                ],
            )
            .await?;
        assert_eq!(linked.status, 303);
        let mut public = clerk.fresh_client();
        let document = public.get("/documents/lrb-ogi000000001").await?;
        assert!(document.body.contains("政策解读"));
        assert!(
            document
                .body
                .contains("href=\"/documents/lrb-filler00001\"")
        );
        let interpretation = public.get("/documents/lrb-filler00001").await?;
        assert!(interpretation.body.contains("解读的文件"));
        assert!(
            interpretation
                .body
                .contains("href=\"/documents/lrb-ogi000000001\"")
        );
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn the_log_explorer_lists_the_newest_entries_with_links() -> anyhow::Result<()> {
    for (db, mut app) in app_with_documents().await? {
        let page = app.get("/transparency").await?;
        assert_eq!(page.status, 200, "{}", db.label);
        assert!(
            page.body
                .contains("data-kind=\"document_version_published\"")
        );
        assert!(
            page.body
                .contains("href=\"/documents/lrb-ogi000000001?version=1\"")
        );
        assert!(
            page.body
                .contains("/transparency/proof/inclusion?index=0&amp;size=26")
                || page
                    .body
                    .contains("/transparency/proof/inclusion?index=0&#38;size=26")
        );
        for odd in [
            "/transparency?before=abc",
            "/transparency?before=0",
            "/transparency?before=99999",
        ] {
            assert_eq!(app.get(odd).await?.status, 200, "{odd}");
        }
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn the_ogi_office_sets_the_index_number_template_used_by_new_documents() -> anyhow::Result<()>
{
    for db in all_databases().await? {
        let mut ogi = TestApp::new(services(&db.db)).await?;
        ogi.login("ogi@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let worklist = ogi.get("/staff/documents").await?;
        assert!(
            worklist
                .body
                .contains("value=\"{org_code}/{yyyy}-{seq:05}\""),
            "{}",
            db.label
        );
        let refused = ogi
            .post_form(
                "/staff/documents/index-template",
                &[
                    ("agency", "demo-city"),
                    ("index_number_template", "{org_code}/{yyyy}"),
                ],
            )
            .await?;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("索引号模板"));
        let saved = ogi
            .post_form(
                "/staff/documents/index-template",
                &[
                    ("agency", "demo-city"),
                    ("index_number_template", "SFS-{yyyy}{mm}-{seq:04}"),
                ],
            )
            .await?;
        assert_eq!(saved.status, 303);
        let created = ogi
            .post_form(
                "/staff/documents/new",
                &[
                    ("agency", "demo-city"),
                    ("title", "模板测试"),
                    ("issuer", "示范市人民政府办公室"),
                    ("body", "第一条 测试。"),
                ],
            )
            .await?;
        assert!(
            created
                .location()
                .unwrap_or_default()
                .starts_with("/documents/SFS-202603-0001"),
            "{:?}",
            created.location()
        );
        let mut clerk = ogi.fresh_client();
        clerk.login("clerk@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let forbidden = clerk
            .post_form(
                "/staff/documents/index-template",
                &[("agency", "demo-city"), ("index_number_template", "{seq}")],
            )
            .await?;
        assert_eq!(forbidden.status, 403);
        db.finish().await;
    }
    Ok(())
}
