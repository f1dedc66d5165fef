//! Files attached to documents, on both databases: only drafts take them (they pass the
//! confidentiality review of Art. 17 with their version), the type is decided from the
//! content, damaged files are refused with a specific problem, the text extracted from them is
//! searchable once the version is published (a scanned PDF's text through OCR), and the page
//! lists them with download links that serve the exact bytes as a download (Art. 24).

use gongkai_domain::publication::MetadataInput;
use gongkai_service::gongkai_search::{Granularity, SearchRequest};
use gongkai_service::{DEMO_PASSWORD, DraftRequest, RequestOrigin, ServiceError, Services};
use gongkai_testkit::{TestApp, all_databases, docx, external_id_of, services_with_search};

fn notice(title: &str) -> MetadataInput {
    MetadataInput {
        title: title.into(),
        summary: "公布收费标准。".into(),
        issuer: "示范市发展和改革委员会".into(),
        topic: "价格".into(),
        genre: "通知".into(),
        validity: "effective".into(),
        // A notice without numbered articles: search treats it as one unit.
        body: "现将本市公共停车场收费标准公布如下，详见附件。".into(),
        ..MetadataInput::default()
    }
}

async fn actor(s: &Services, email: &str) -> anyhow::Result<gongkai_service::Actor> {
    Ok(s.login(email, DEMO_PASSWORD, &RequestOrigin::default())
        .await?
        .actor)
}

fn search(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.to_string(),
        granularity: Granularity::Articles,
        limit: 10,
        ..SearchRequest::default()
    }
}

#[tokio::test]
async fn attachments_go_with_the_reviewed_version_and_their_text_is_searchable()
-> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services_with_search(&db.db)?;
        s.seed_demo_if_empty().await?;
        let clerk = actor(&s, "clerk@demo.gongkai.cn").await?;
        let secrecy = actor(&s, "secrecy@demo.gongkai.cn").await?;
        let applicant = actor(&s, "applicant@demo.gongkai.cn").await?;
        let city = s.agency_by_slug("demo-city").await?.id;
        let input = notice("示范市公共停车场收费标准");
        let request = DraftRequest {
            agency_id: city,
            existing_external_id: None,
            catalog_code: None,
            formed_on: None,
            input: &input,
            change_note: "",
        };
        let (external_id, version) = s.create_document_draft(&clerk, &request).await?;
        let file = docx(&["收费项目\t标准", "路内泊位首小时免费，超过部分每小时三元。"]);

        // Every problem is specific: an empty upload, a type that is not PDF/DOCX/XLSX, a
        // ZIP that is not a DOCX, and someone who may not publish.
        let problem_of = |result: Result<_, ServiceError>| match result {
            Err(ServiceError::Invalid(problems)) => problems.to_string(),
            other => panic!("expected a form problem, got {other:?}"),
        };
        assert!(
            problem_of(
                s.add_document_attachment(&clerk, &external_id, version, "a.docx", b"")
                    .await
            )
            .contains("required")
        );
        assert!(
            problem_of(
                s.add_document_attachment(&clerk, &external_id, version, "a.exe", b"MZ\x90\x00")
                    .await
            )
            .contains("document_file_type_not_allowed")
        );
        let not_a_docx = gongkai_service::zip_stored(&[("x.txt".to_string(), b"x".to_vec())]);
        assert!(
            problem_of(
                s.add_document_attachment(&clerk, &external_id, version, "坏.docx", &not_a_docx)
                    .await
            )
            .contains("file_unreadable")
        );
        assert!(matches!(
            s.add_document_attachment(&applicant, &external_id, version, "a.docx", &file)
                .await,
            Err(ServiceError::Forbidden)
        ));

        let attached = s
            .add_document_attachment(&clerk, &external_id, version, "../收费标准.docx", &file)
            .await?;
        assert_eq!(attached.filename, "收费标准.docx");
        assert_eq!(attached.text_status, "extracted");
        assert_eq!(attached.size_bytes, file.len() as i64);

        // Staff see the file on the draft; the public sees nothing before the review.
        let staff_view = s.document_view(&external_id, None, Some(&clerk)).await?;
        assert_eq!(staff_view.attachments.len(), 1);
        assert!(matches!(
            s.document_attachment(&external_id, attached.id, None).await,
            Err(ServiceError::NotFound)
        ));

        // Once the version is in review it takes no more files: the reviewer would not
        // have seen them.
        s.submit_document_for_review(&clerk, &external_id, version)
            .await?;
        assert!(matches!(
            s.add_document_attachment(&clerk, &external_id, version, "b.docx", &file)
                .await,
            Err(ServiceError::Conflict {
                code: "version_not_a_draft"
            })
        ));
        s.review_document_version(&secrecy, &external_id, version, true, "不涉密")
            .await?;

        let (row, bytes) = s
            .document_attachment(&external_id, attached.id, None)
            .await?;
        assert_eq!(bytes, file);
        assert_eq!(
            row.content_type,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );

        // The text inside the file finds the document.
        s.sync_search_index().await?;
        let results = s.search_documents(&search("路内泊位每小时三元")).await?;
        assert_eq!(
            results.hits.first().map(|h| h.external_id.as_str()),
            Some(external_id.as_str()),
            "{}: {:?}",
            db.label,
            results.hits
        );

        // A correction keeps the earlier file and takes new ones through its own review.
        let (_, v2) = s
            .create_document_draft(
                &clerk,
                &DraftRequest {
                    existing_external_id: Some(&external_id),
                    change_note: "补充附件",
                    ..request
                },
            )
            .await?;
        let second = docx(&["夜间停车包月每月二百元。"]);
        let added = s
            .add_document_attachment(&clerk, &external_id, v2, "包月.docx", &second)
            .await?;
        let public = s.document_view(&external_id, None, None).await?;
        assert_eq!(
            public.attachments.len(),
            1,
            "the correction is not public yet"
        );
        assert!(matches!(
            s.document_attachment(&external_id, added.id, None).await,
            Err(ServiceError::NotFound)
        ));
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn staff_upload_from_the_document_page_and_the_public_downloads_the_file()
-> anyhow::Result<()> {
    for db in all_databases().await? {
        let mut clerk = TestApp::new(services_with_search(&db.db)?).await?;
        clerk.services.seed_demo_if_empty().await?;
        clerk.login("clerk@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let created = clerk
            .post_form(
                "/staff/documents/new",
                &[
                    ("agency", "demo-city"),
                    ("title", "示范市公共停车场收费标准"),
                    ("issuer", "示范市发展和改革委员会"),
                    ("body", "现将收费标准公布如下，详见附件。"),
                ],
            )
            .await?;
        assert_eq!(created.status, 303, "{}", created.body);
        let location = created.location().unwrap_or_default().to_string();
        let external_id = external_id_of(&location);
        let draft = clerk.get(&location).await?;
        assert!(draft.body.contains("enctype=\"multipart/form-data\""));
        let upload_path = format!(
            "/staff/documents/attachments?{}",
            serde_urlencoded::to_string([("external_id", external_id.as_str()), ("version", "1")])?
        );
        assert!(
            draft
                .body
                .contains(&format!("action=\"{}\"", upload_path.replace('&', "&#38;"))),
            "{}",
            draft.body
        );
        let fields: [(&str, &str); 0] = [];
        // A wrong type and a damaged file come back on the page, naming the field.
        let wrong = clerk
            .post_multipart(&upload_path, &fields, "a.exe", b"MZ\x90")
            .await?;
        assert_eq!(wrong.status, 422, "{}", db.label);
        assert!(wrong.body.contains("href=\"#act-file\""), "{}", wrong.body);
        assert!(wrong.body.contains("只接受 PDF、DOCX 或 XLSX 文件"));
        let damaged = clerk
            .post_multipart(&upload_path, &fields, "坏.docx", b"PK\x03\x04broken")
            .await?;
        assert_eq!(damaged.status, 422);
        assert!(damaged.body.contains("无法读取"));
        // Larger than 20 MB: refused before the service sees it.
        let huge = vec![b'%'; gongkai_service::DOCUMENT_ATTACHMENT_BYTES_MAX + 100 * 1024];
        let too_large = clerk
            .post_multipart(&upload_path, &fields, "big.pdf", &huge)
            .await?;
        assert_eq!(too_large.status, 422, "{}", too_large.body);
        assert!(too_large.body.contains("20MB"));

        let file = docx(&["停车收费标准：首小时免费。"]);
        let uploaded = clerk
            .post_multipart(&upload_path, &fields, "收费 标准.docx", &file)
            .await?;
        assert_eq!(uploaded.status, 303, "{}", uploaded.body);

        let submitted = clerk.document_action(&external_id, 1, "submit", "").await?;
        assert_eq!(submitted.status, 303, "{}", submitted.body);
        let mut reviewer = clerk.fresh_client();
        reviewer
            .login("secrecy@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        let approved = reviewer
            .document_action(&external_id, 1, "approve", "不涉密")
            .await?;
        assert_eq!(approved.status, 303, "{}", approved.body);

        let mut public = clerk.fresh_client();
        let page = public.get(&format!("/documents/{external_id}")).await?;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("收费 标准.docx"), "{}", page.body);
        let href = page
            .body
            .split(&format!("href=\"/documents/{external_id}/attachments/"))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a download link")
            .to_string();
        let download = public
            .get(&format!("/documents/{external_id}/attachments/{href}"))
            .await?;
        assert_eq!(download.status, 200);
        assert_eq!(download.bytes, file);
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
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        let disposition = header("content-disposition");
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(
            disposition.contains("filename*=UTF-8''%E6%94%B6%E8%B4%B9%20%E6%A0%87%E5%87%86.docx"),
            "{disposition}"
        );
        assert_eq!(
            public
                .get(&format!("/documents/{external_id}/attachments/not-an-id"))
                .await?
                .status,
            404
        );
        // The page view and the attachment's download both count towards the document's
        // utilisation on the dashboard (C17).
        let city = clerk.services.agency_by_slug("demo-city").await?.id;
        let usage = clerk
            .services
            .db
            .document_usage_of_agency(
                city,
                time::macros::date!(2026 - 01 - 01),
                time::macros::date!(2026 - 12 - 31),
            )
            .await?;
        let counted = usage
            .iter()
            .find(|row| row.external_id == external_id)
            .map(|row| (row.views, row.downloads));
        assert_eq!(counted, Some((1, 1)), "{}", db.label);
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn a_scanned_pdf_is_read_by_ocr_marked_as_such_and_searchable() -> anyhow::Result<()> {
    let required = std::env::var("GONGKAI_REQUIRE_PDF_TOOLS").is_ok_and(|v| v == "1");
    let renderer = match gongkai_render::Renderer::new(&gongkai_render::RendererConfig::default()) {
        Ok(renderer) => renderer,
        Err(error) if !required => {
            eprintln!("skipped: no CJK font to typeset the fixture ({error})");
            return Ok(());
        }
        Err(error) => anyhow::bail!("GONGKAI_REQUIRE_PDF_TOOLS=1, but: {error}"),
    };
    let letter = renderer.render_letter(&gongkai_render::LetterPdf {
        title: "政府信息公开申请答复书".to_string(),
        recipient: "张三".to_string(),
        body_paragraphs: vec!["经审查，您申请公开的信息属于主动公开范围。".to_string()],
        agency_name: "示范市人民政府办公室".to_string(),
        date_text: "2026年5月12日".to_string(),
        reference: "2026-0001".to_string(),
        seal_text: None,
    })?;
    let Some(scan) = gongkai_testkit::scanned_pdf(&letter)? else {
        return Ok(());
    };
    for db in all_databases().await? {
        let s = services_with_search(&db.db)?;
        s.seed_demo_if_empty().await?;
        let clerk = actor(&s, "clerk@demo.gongkai.cn").await?;
        let secrecy = actor(&s, "secrecy@demo.gongkai.cn").await?;
        let city = s.agency_by_slug("demo-city").await?.id;
        let input = notice("示范市答复书样本");
        let request = DraftRequest {
            agency_id: city,
            existing_external_id: None,
            catalog_code: None,
            formed_on: None,
            input: &input,
            change_note: "",
        };
        let (external_id, version) = s.create_document_draft(&clerk, &request).await?;
        let attached = s
            .add_document_attachment(&clerk, &external_id, version, "扫描件.pdf", &scan)
            .await?;
        if attached.text_status == "tool_missing" && !required {
            eprintln!("skipped: tesseract (chi_sim) is not installed");
            db.finish().await;
            return Ok(());
        }
        // The status tells the page to say that the text may contain OCR errors.
        assert_eq!(attached.text_status, "ocr", "{}", db.label);
        s.submit_document_for_review(&clerk, &external_id, version)
            .await?;
        s.review_document_version(&secrecy, &external_id, version, true, "不涉密")
            .await?;
        s.sync_search_index().await?;
        let results = s
            .search_documents(&search("申请答复书主动公开范围"))
            .await?;
        assert!(
            results.hits.iter().any(|h| h.external_id == external_id),
            "{}: {:?}",
            db.label,
            results.hits
        );
        db.finish().await;
    }
    Ok(())
}
