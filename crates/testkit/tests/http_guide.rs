//! The disclosure guide (政府信息公开指南, Art. 12) over HTTP: generated from the agency's
//! settings (name, OGI office, address, hours, contact), with how to apply, the periods and
//! fees the workflow itself uses, the remedies of Art. 51 naming the next-higher agency, and
//! links to the catalog; in Chinese first and in English on request; linked from the agency
//! page.

use gongkai_testkit::{TestApp, all_databases, services};

#[tokio::test]
async fn the_guide_is_generated_from_the_agency_settings_in_both_languages() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut app = TestApp::new(services(&db.db)).await?;
        app.services.seed_demo_if_empty().await?;

        let agency = app.get("/a/demo-county").await?;
        assert!(agency.body.contains("href=\"/a/demo-county/guide\""));

        let page = app.get("/a/demo-county/guide").await?;
        assert_eq!(page.status, 200, "{}", db.label);
        let body = &page.body;
        assert!(body.contains("<html lang=\"zh-CN\""), "Chinese first");
        // Art. 12: the office's name, address, office hours and contact.
        for wanted in [
            "示范县人民政府政府信息公开指南",
            "示范县人民政府办公室",
            "示范县城关镇政府路8号",
            "工作日 9:00-17:00",
            "href=\"tel:057187654321\"",
            "href=\"mailto:gongkai@demo-county.gov.cn\"",
        ] {
            assert!(body.contains(wanted), "{wanted} missing");
        }
        // How to apply, with the statutory periods (Arts. 29, 30, 33) and the link.
        assert!(body.contains("href=\"/a/demo-county/apply\""));
        assert!(body.contains("7个工作日内一次性告知"));
        assert!(body.contains("20个工作日内答复"));
        assert!(body.contains("第三十三条"));
        // Fees: free, except the 109号 tiers.
        assert!(body.contains("依申请提供政府信息，不收取费用"));
        assert!(body.contains("10件以内（含）免费"));
        assert!(body.contains("30页以内（含）免费"));
        // Remedies (Art. 51) name the next-higher agency and link to its guide.
        assert!(body.contains("可以向示范市人民政府或者政府信息公开工作主管部门投诉"));
        assert!(body.contains("href=\"/a/demo-city/guide\""));
        assert!(body.contains("60日内"));
        // The catalog (Art. 12) in every form.
        for link in [
            "/a/demo-county/catalog\"",
            "/a/demo-county/catalog.pdf\"",
            "/a/demo-county/catalog.csv\"",
        ] {
            assert!(body.contains(link), "{link} missing");
        }
        // Accessible structure: one h1, sections labelled by their headings.
        assert_eq!(body.matches("<h1").count(), 1);
        assert!(body.contains("aria-labelledby=\"guide-remedies\""));

        // The top agency has no parent: the remedy names "the next-higher agency" generically.
        let city = app.get("/a/demo-city/guide").await?;
        assert_eq!(city.status, 200);
        assert!(
            city.body
                .contains("可以向上一级行政机关或者政府信息公开工作主管部门投诉")
        );

        let mut english = app.fresh_client();
        english.accept_language = Some("en".to_string());
        let page = english.get("/a/demo-county/guide").await?;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("within 20 working days of receipt"));
        assert!(
            page.body
                .contains("Information provided on application is free of charge.")
        );

        assert_eq!(app.get("/a/no-such-agency/guide").await?.status, 404);
        db.finish().await;
    }
    Ok(())
}
