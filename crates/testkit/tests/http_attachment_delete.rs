//! Deleting a file from a draft, on both databases and over HTTP: staff who may publish get a
//! confirmation page (a form, no JavaScript) and the file and its stored bytes go; others are
//! refused; once the version is in the confidentiality review (Art. 17) or published, its
//! files stay, and the page says why.

use gongkai_domain::publication::MetadataInput;
use gongkai_service::{DEMO_PASSWORD, DraftRequest, RequestOrigin, ServiceError, Services};
use gongkai_testkit::{
    TestApp, all_databases, docx, draft_document, extract_input_value, services,
};

async fn actor(s: &Services, email: &str) -> anyhow::Result<gongkai_service::Actor> {
    Ok(s.login(email, DEMO_PASSWORD, &RequestOrigin::default())
        .await?
        .actor)
}

fn confirm_path(external_id: &str, attachment: &str) -> String {
    format!(
        "/staff/documents/attachments/delete?{}",
        serde_urlencoded::to_string([("external_id", external_id), ("attachment", attachment)])
            .expect("encodes")
    )
}

#[tokio::test]
async fn staff_delete_draft_files_after_confirming_and_reviewed_files_stay() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let clerk = actor(&s, "clerk@demo.gongkai.cn").await?;
        let secrecy = actor(&s, "secrecy@demo.gongkai.cn").await?;
        let applicant = actor(&s, "applicant@demo.gongkai.cn").await?;
        let city = s.agency_by_slug("demo-city").await?.id;
        let input = MetadataInput {
            title: "示范市公共停车场收费标准".into(),
            issuer: "示范市发展和改革委员会".into(),
            body: "现将收费标准公布如下，详见附件。".into(),
            ..MetadataInput::default()
        };
        let (external_id, version) = draft_document(&s, &clerk, city, &input).await?;
        let wrong = s
            .add_document_attachment(
                &clerk,
                &external_id,
                version,
                "错的文件.docx",
                &docx(&["内部草稿，不应公开。"]),
            )
            .await?;
        let kept = s
            .add_document_attachment(
                &clerk,
                &external_id,
                version,
                "收费标准.docx",
                &docx(&["首小时免费。"]),
            )
            .await?;

        // Someone who may not publish cannot delete, nor see the confirmation.
        assert!(matches!(
            s.delete_document_attachment(&applicant, &external_id, wrong.id)
                .await,
            Err(ServiceError::Forbidden)
        ));

        let mut app = TestApp::new(s.clone()).await?;
        assert_eq!(
            app.get(&confirm_path(&external_id, &wrong.id.to_string()))
                .await?
                .status,
            303,
            "signing in comes first"
        );
        app.login("clerk@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let page = app
            .get(&format!("/documents/{external_id}?version={version}"))
            .await?;
        let confirm = confirm_path(&external_id, &wrong.id.to_string());
        assert!(
            page.body
                .contains(&format!("href=\"{}\"", confirm.replace('&', "&#38;"))),
            "the draft's page links each file's deletion: {}",
            page.body
                .lines()
                .filter(|l| l.contains("attachments"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let confirmation = app.get(&confirm).await?;
        assert_eq!(confirmation.status, 200);
        assert!(confirmation.body.contains("错的文件.docx"));
        assert_eq!(
            extract_input_value(&confirmation.body, "attachment").as_deref(),
            Some(wrong.id.to_string().as_str())
        );
        // The link alone deletes nothing; a form without its token is refused.
        assert_eq!(
            s.document_view(&external_id, None, Some(&clerk))
                .await?
                .attachments
                .len(),
            2
        );
        let no_token = app
            .post_form_raw(
                "/staff/documents/attachments/delete",
                &[
                    ("external_id", &external_id),
                    ("attachment", &wrong.id.to_string()),
                ],
            )
            .await?;
        assert_eq!(no_token.status, 403);
        let deleted = app
            .post_form(
                "/staff/documents/attachments/delete",
                &[
                    ("external_id", &external_id),
                    ("attachment", &wrong.id.to_string()),
                ],
            )
            .await?;
        assert_eq!(deleted.status, 303);
        assert_eq!(
            deleted.location(),
            Some(format!("/documents/{external_id}?version={version}").as_str())
        );
        let view = s.document_view(&external_id, None, Some(&clerk)).await?;
        let names: Vec<&str> = view
            .attachments
            .iter()
            .map(|a| a.filename.as_str())
            .collect();
        assert_eq!(names, ["收费标准.docx"]);
        // Its bytes are gone too: nothing else used them.
        assert!(db.db.blob_get(&wrong.sha256).await?.is_none());
        assert!(db.db.blob_get(&kept.sha256).await?.is_some());
        // A second deletion of the same file, or of a garbage id, finds nothing.
        let again = app
            .post_form(
                "/staff/documents/attachments/delete",
                &[
                    ("external_id", &external_id),
                    ("attachment", &wrong.id.to_string()),
                ],
            )
            .await?;
        assert_eq!(again.status, 404);
        let garbage = app
            .post_form(
                "/staff/documents/attachments/delete",
                &[("external_id", &external_id), ("attachment", "not-an-id")],
            )
            .await?;
        assert_eq!(garbage.status, 404);

        // Once sent to the confidentiality review the files are what the reviewer sees: the
        // page no longer offers deletion and a stale confirmation explains the refusal.
        let stale = confirm_path(&external_id, &kept.id.to_string());
        s.submit_document_for_review(&clerk, &external_id, version)
            .await?;
        let page = app
            .get(&format!("/documents/{external_id}?version={version}"))
            .await?;
        assert!(!page.body.contains("/staff/documents/attachments/delete"));
        let refused = app.get(&stale).await?;
        assert_eq!(refused.status, 409);
        assert!(refused.body.contains("role=\"alert\""));
        assert!(!refused.body.contains("name=\"attachment\""));
        let refused = app
            .post_form(
                "/staff/documents/attachments/delete",
                &[
                    ("external_id", &external_id),
                    ("attachment", &kept.id.to_string()),
                ],
            )
            .await?;
        assert_eq!(refused.status, 409);

        // Published, and in a correction drafted after it, the reviewed file stays.
        s.review_document_version(&secrecy, &external_id, version, true, "")
            .await?;
        let (_, correction) = s
            .create_document_draft(
                &clerk,
                &DraftRequest {
                    agency_id: city,
                    existing_external_id: Some(&external_id),
                    catalog_code: None,
                    formed_on: None,
                    input: &input,
                    change_note: "更正",
                },
            )
            .await?;
        assert!(matches!(
            s.delete_document_attachment(&clerk, &external_id, kept.id)
                .await,
            Err(ServiceError::Conflict {
                code: "attachment_not_in_a_draft"
            })
        ));
        let page = app
            .get(&format!("/documents/{external_id}?version={correction}"))
            .await?;
        assert!(page.body.contains("收费标准.docx"));
        assert!(!page.body.contains("/staff/documents/attachments/delete"));
        assert_eq!(
            s.document_view(&external_id, None, None)
                .await?
                .attachments
                .len(),
            1
        );
        db.finish().await;
    }
    Ok(())
}
