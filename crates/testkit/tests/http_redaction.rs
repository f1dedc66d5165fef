//! The redaction review over HTTP, on SQLite and PostgreSQL (issue 7): the staff page marks
//! every suggestion with its category and ground, offers accept / reject / add by forms, refuses
//! to confirm while a suggestion is undecided and to release anything before confirmation; the
//! released HTML, plain text and PDF are built from the confirmed text only. For every file
//! produced, no accepted span's original text occurs in its bytes nor in the text `pdftotext`
//! extracts (GONGKAI_REQUIRE_PDF_TOOLS=1 turns a missing poppler or font into a failure).

use gongkai_domain::application_form::ApplicationInput;
use gongkai_service::{Actor, DEMO_PASSWORD, RedactionSubject, RequestOrigin, Services};
use gongkai_testkit::{TestApp, all_databases, docx, draft_document, pdf_text, services};
use uuid::Uuid;

const MATERIAL: &str = "关于示范市某某建材有限公司行政处罚情况的说明\n\
    市监罚〔2026〕12号\n\
    当事人：示范市某某建材有限公司，统一社会信用代码91110000100000000A，法定代表人：王建国。\n\
    举报人张明，身份证号码11010519491231002X，联系电话13800138000，于2026年1月5日来信举报。\n\
    该公司投标报价每吨1234元，投标报价每吨1234元经核实。\n\
    \n\
    张明的邮箱zhangming@example.cn。\n";

/// Text that must stay: public facts and the rest of the sentence.
const KEPT: &[&str] = &["王建国", "91110000100000000A", "2026年1月5日", "经核实"];

async fn actor(s: &Services, email: &str) -> anyhow::Result<Actor> {
    let origin = RequestOrigin {
        address: "10.9.0.8".into(),
        user_agent: "test".into(),
    };
    Ok(s.login(email, DEMO_PASSWORD, &origin).await?.actor)
}

fn chars_of(text: &str, start: i64, end: i64) -> String {
    text.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

fn contains_bytes(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn pdf_tools_required() -> bool {
    std::env::var("GONGKAI_REQUIRE_PDF_TOOLS").is_ok_and(|v| v == "1")
}

/// Downloads the three outputs of a confirmed review and checks that none of `removed` is in
/// any of them (bytes, and the PDF's extracted text) while the public facts are.
async fn check_outputs(
    app: &mut TestApp,
    review_id: Uuid,
    removed: &[String],
    label: &str,
) -> anyhow::Result<()> {
    let base = format!("/staff/redaction/reviews/{review_id}");
    let html = app.get(&format!("{base}/redacted.html")).await?;
    assert_eq!(html.status, 200, "{label}");
    assert!(html.body.contains("<html lang=\"zh-CN\">"));
    let text = app.get(&format!("{base}/redacted.txt")).await?;
    assert_eq!(text.status, 200);
    assert!(
        text.headers
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"text/plain"))
    );
    let mut files: Vec<(&str, Vec<u8>, String)> = vec![
        ("html", html.bytes.clone(), html.body.clone()),
        ("txt", text.bytes.clone(), text.body.clone()),
    ];
    let pdf = app.get(&format!("{base}/redacted.pdf")).await?;
    if pdf.status == 503 && !pdf_tools_required() {
        eprintln!("no CJK font: the redacted PDF is not checked");
    } else {
        assert_eq!(pdf.status, 200, "{label}: PDF");
        assert!(pdf.bytes.starts_with(b"%PDF"));
        match pdf_text(&pdf.bytes)? {
            Some(extracted) => files.push(("pdf", pdf.bytes.clone(), extracted)),
            None => {
                // Without pdftotext only the bytes can be checked.
                files.push(("pdf", pdf.bytes.clone(), String::new()));
            }
        }
    }
    for (kind, bytes, readable) in &files {
        for original in removed {
            assert!(
                !contains_bytes(bytes, original),
                "{label}: {original} is in the {kind} file's bytes"
            );
            // pdftotext may break a line anywhere; compare without white space.
            let compact: String = readable.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(
                !compact.contains(original.as_str()),
                "{label}: {original} is in the {kind} file's text"
            );
        }
        if !readable.is_empty() {
            let compact: String = readable.chars().filter(|c| !c.is_whitespace()).collect();
            for kept in KEPT {
                assert!(compact.contains(kept), "{label}: {kept} lost from {kind}");
            }
            assert!(
                compact.contains("第十五条（个人隐私），不予公开"),
                "{label}: no Art. 15 statement in {kind}"
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn staff_review_spans_and_release_only_the_confirmed_text() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let label = db.label.to_string();
        let mut app = TestApp::new(services(&db.db)).await?;
        app.services.seed_demo_if_empty().await?;
        let applicant = actor(&app.services, "applicant@demo.gongkai.cn").await?;
        let clerk = actor(&app.services, "clerk@demo.gongkai.cn").await?;
        let city = app.services.agency_by_slug("demo-city").await?.id;
        let input = ApplicationInput {
            applicant_kind: "natural_person",
            name: "李华",
            identity_kind: "resident_id_card",
            identity_number: "11010519491231002X",
            organisation_code: "",
            legal_representative: "",
            contact_phone: "13900139000",
            contact_email: "lihua@example.cn",
            postal_address: "",
            information_description: "申请公开示范市某某建材有限公司行政处罚决定书及相关材料",
            document_number: "",
            purpose: "",
            form_preference: "electronic",
            delivery_preference: "portal_download",
        };
        let application = app
            .services
            .submit_application(&applicant, city, &input, "http-redaction-1")
            .await?;
        let list_path = format!("/staff/redaction/applications/{}", application.id);

        // Signed out: to the login page.
        assert_eq!(app.get(&list_path).await?.status, 303);
        app.login("clerk@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let application_page = app
            .get(&format!("/applications/{}", application.id))
            .await?;
        assert!(
            application_page
                .body
                .contains(&format!("href=\"{list_path}\"")),
            "the staff application page links to its redaction reviews"
        );
        let list = app.get(&list_path).await?;
        assert_eq!(list.status, 200, "{label}");
        assert!(list.body.contains("<label for=\"text\">"));

        // An empty text with no reply draft is a clear 422, not a 500.
        let empty = app
            .post_form(&list_path, &[("text", ""), ("title", "")])
            .await?;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("此项为必填项"));

        let created = app
            .post_form(&list_path, &[("title", "处罚说明"), ("text", MATERIAL)])
            .await?;
        assert_eq!(created.status, 303, "{label}: {}", created.body);
        let review_path = created.location().expect("a location").to_string();
        let review_id = Uuid::parse_str(review_path.rsplit('/').next().unwrap_or(""))?;

        let page = app.get(&review_path).await?;
        assert_eq!(page.status, 200);
        let body = &page.body;
        assert_eq!(body.matches("<h1").count(), 1);
        assert!(body.contains("<mark id=\"mark-1\">"), "{body}");
        // Each mark announces its category, status and ground to a screen reader.
        assert!(body.contains(
            "身份证号码，待处理建议，《中华人民共和国政府信息公开条例》第十五条（个人隐私）"
        ));
        // What stays visible on purpose is listed with its reason: the legal representative of
        // the sanctioned enterprise and the decision's document number.
        assert!(body.contains("保留未删除的内容及理由"));
        let kept = body
            .split("id=\"kept-title\"")
            .nth(1)
            .and_then(|rest| rest.split("</section>").next())
            .unwrap_or_default();
        assert!(kept.contains("<td>王建国</td>"), "{kept}");
        assert!(kept.contains("企业法定代表人或负责人"), "{kept}");
        assert!(kept.contains("<td>市监罚〔2026〕12号</td>"), "{kept}");
        assert!(kept.contains("发文字号，不属于个人信息"), "{kept}");
        assert!(body.contains("value=\"accept\""));
        assert!(body.contains("value=\"reject\""));
        assert!(body.contains("<label for=\"needle\">"));
        assert!(body.contains("<label for=\"start\">"));
        assert!(body.contains("<th scope=\"col\">"));
        assert!(body.contains("脱敏记录"));

        // Nothing leaves unconfirmed.
        let early = app
            .post_form(
                &format!("{review_path}/confirm"),
                &[("mask_style", "replace")],
            )
            .await?;
        assert_eq!(early.status, 422);
        assert!(early.body.contains("还有未处理的建议"));
        for kind in ["html", "txt", "pdf"] {
            let refused = app.get(&format!("{review_path}/redacted.{kind}")).await?;
            assert_eq!(refused.status, 422, "{kind} before confirmation");
        }

        // Bad offsets and text that is not there: specific messages.
        let length = MATERIAL.chars().count().to_string();
        let out_of_range = app
            .post_form(
                &format!("{review_path}/add"),
                &[
                    ("mode", "offsets"),
                    ("start", "0"),
                    ("end", &format!("{length}0")),
                    ("category", "person"),
                    ("ground", "art15_personal_privacy"),
                ],
            )
            .await?;
        assert_eq!(out_of_range.status, 422);
        assert!(out_of_range.body.contains("结束位置超出了文本的长度"));
        assert!(
            out_of_range
                .body
                .contains("aria-invalid=\"true\" aria-describedby=\"end-error\"")
        );
        let garbage = app
            .post_form(
                &format!("{review_path}/add"),
                &[
                    ("mode", "offsets"),
                    ("start", "x"),
                    ("end", "-1"),
                    ("category", "<script>"),
                    ("ground", ""),
                ],
            )
            .await?;
        assert_eq!(garbage.status, 422);
        assert!(garbage.body.contains("请填写从0开始的字符位置"));
        assert!(garbage.body.contains("请从列表中选择"));
        let control = app
            .post_form(
                &format!("{review_path}/add"),
                &[("mode", "offsets"), ("start", "\u{0}"), ("end", "1")],
            )
            .await?;
        assert!(control.status.is_client_error(), "{}", control.status);
        let missing = app
            .post_form(
                &format!("{review_path}/add"),
                &[
                    ("mode", "text"),
                    ("needle", "没有这段话"),
                    ("category", "other"),
                    ("ground", "art15_trade_secret"),
                ],
            )
            .await?;
        assert_eq!(missing.status, 422);
        assert!(missing.body.contains("文本中没有找到这段文字"));

        // Every occurrence of the price, as a trade secret.
        let added = app
            .post_form(
                &format!("{review_path}/add"),
                &[
                    ("mode", "text"),
                    ("needle", "每吨1234元"),
                    ("category", "other"),
                    ("ground", "art15_trade_secret"),
                ],
            )
            .await?;
        assert_eq!(added.status, 303);
        let after_add = app.get(added.location().expect("location")).await?;
        assert!(after_add.body.contains("已添加2处"));

        // Every identity number at once, then every other suggestion through its own form.
        let bulk = app
            .post_form(
                &format!("{review_path}/bulk"),
                &[("category", "id_number"), ("decision", "accept")],
            )
            .await?;
        assert_eq!(bulk.status, 303);
        let view = app.services.redaction_review(&clerk, review_id).await?;
        assert!(
            view.spans
                .iter()
                .filter(|s| s.category == "id_number")
                .all(|s| s.status == "accepted")
        );
        for span in view.spans.iter().filter(|s| s.status == "suggested") {
            let decided = app
                .post_form(
                    &format!("{review_path}/spans/{}", span.id),
                    &[("decision", "accept")],
                )
                .await?;
            assert_eq!(decided.status, 303);
        }
        let bad_decision = app
            .post_form(
                &format!("{review_path}/spans/{}", view.spans[0].id),
                &[("decision", "maybe")],
            )
            .await?;
        assert_eq!(bad_decision.status, 422);
        let confirmed = app
            .post_form(
                &format!("{review_path}/confirm"),
                &[("mask_style", "replace")],
            )
            .await?;
        assert_eq!(confirmed.status, 303, "{}", confirmed.body);
        let view = app.services.redaction_review(&clerk, review_id).await?;
        let removed: Vec<String> = view
            .spans
            .iter()
            .filter(|s| s.status == "accepted")
            .map(|s| chars_of(MATERIAL, s.start_char, s.end_char))
            .collect();
        for wanted in ["张明", "11010519491231002X", "13800138000", "每吨1234元"] {
            assert!(
                removed.iter().any(|r| r == wanted),
                "{wanted} not removed: {removed:?}"
            );
        }
        let page = app.get(&review_path).await?;
        assert!(page.body.contains("redacted.pdf"));
        // The staff page still shows the original, so the same check does find a leak.
        assert!(removed.iter().all(|r| contains_bytes(&page.bytes, r)));
        assert!(page.body.contains("不予公开2处"), "trade secrets counted");
        check_outputs(&mut app, review_id, &removed, &label).await?;

        // Partial masking (张某, 138****8000) must not leak the originals either.
        let second = app
            .services
            .create_redaction_review(
                &clerk,
                RedactionSubject::Application(application.id),
                "",
                MATERIAL,
            )
            .await?;
        let spans = app.services.redaction_review(&clerk, second).await?.spans;
        for span in &spans {
            app.services
                .decide_redaction_span(&clerk, second, span.id, true)
                .await?;
        }
        app.services
            .confirm_redaction_review(&clerk, second, "partial")
            .await?;
        let removed: Vec<String> = spans
            .iter()
            .map(|s| chars_of(MATERIAL, s.start_char, s.end_char))
            .collect();
        check_outputs(&mut app, second, &removed, &label).await?;
        let partial = app
            .get(&format!("/staff/redaction/reviews/{second}/redacted.txt"))
            .await?;
        assert!(partial.body.contains("张某"), "{}", partial.body);

        // Another agency's staff and the applicant see nothing of it.
        let mut outsider = app.fresh_client();
        outsider
            .login("applicant@demo.gongkai.cn", DEMO_PASSWORD)
            .await?;
        assert_eq!(outsider.get(&review_path).await?.status, 403);
        assert_eq!(
            outsider
                .get(&format!("{review_path}/redacted.txt"))
                .await?
                .status,
            403
        );
        assert_eq!(
            app.get("/staff/redaction/reviews/not-a-uuid").await?.status,
            404
        );
        assert_eq!(
            app.get("/staff/redaction/documents/no-such-document")
                .await?
                .status,
            404
        );
        db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn a_review_starts_from_the_text_of_a_documents_file() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let clerk = actor(&s, "clerk@demo.gongkai.cn").await?;
        let city = s.agency_by_slug("demo-city").await?.id;
        let input = gongkai_domain::publication::MetadataInput {
            title: "示范市信访事项处理情况".into(),
            summary: "处理情况。".into(),
            issuer: "示范市信访局".into(),
            topic: "信访".into(),
            genre: "通知".into(),
            validity: "effective".into(),
            body: "处理情况详见附件。".into(),
            ..Default::default()
        };
        let (external_id, version) = draft_document(&s, &clerk, city, &input).await?;
        let with_text = s
            .add_document_attachment(
                &clerk,
                &external_id,
                version,
                "处理情况表.docx",
                &docx(&["来信人李秀英，联系电话13900139000，反映噪声问题。"]),
            )
            .await?;
        let without_text = s
            .add_document_attachment(&clerk, &external_id, version, "空白.docx", &docx(&[]))
            .await?;
        assert_eq!(without_text.text_status, "empty");

        let mut app = TestApp::new(services(&db.db)).await?;
        app.login("clerk@demo.gongkai.cn", DEMO_PASSWORD).await?;
        let path = format!("/staff/redaction/documents/{external_id}");
        let page = app.get(&path).await?;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("<select id=\"source\" name=\"source\""),
            "{}",
            page.body
        );
        assert!(page.body.contains("附件：处理情况表.docx"));
        assert!(page.body.contains("空白.docx（未提取到文字）"));

        // Every wrong combination is named on the field it concerns.
        let source = format!("attachment:{}", with_text.id);
        let both = app
            .post_form(
                &path,
                &[("source", &source), ("text", "另一段文字"), ("title", "")],
            )
            .await?;
        assert_eq!(both.status, 422);
        assert!(both.body.contains("请二选一"), "{}", both.body);
        let empty_source = format!("attachment:{}", without_text.id);
        let empty = app
            .post_form(
                &path,
                &[("source", &empty_source), ("text", ""), ("title", "")],
            )
            .await?;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("未能从该附件中提取文字"));
        let bogus = app
            .post_form(&path, &[("source", "attachment:not-a-uuid"), ("text", "")])
            .await?;
        assert_eq!(bogus.status, 422);
        assert!(bogus.body.contains("请从列表中选择"));
        let foreign = app
            .post_form(
                &path,
                &[
                    ("source", &format!("attachment:{}", Uuid::now_v7())),
                    ("text", ""),
                ],
            )
            .await?;
        assert_eq!(foreign.status, 404);

        // The file's text is reviewed: the caller's name and phone are suggested.
        let created = app
            .post_form(&path, &[("source", &source), ("text", ""), ("title", "")])
            .await?;
        assert_eq!(created.status, 303, "{}", created.body);
        let review_id: Uuid = created
            .location()
            .and_then(|l| l.rsplit('/').next())
            .expect("review location")
            .parse()?;
        let view = s.redaction_review(&clerk, review_id).await?;
        assert_eq!(view.row.title, "附件 处理情况表.docx");
        assert!(view.row.original_text.contains("反映噪声问题"));
        let suggested: Vec<String> = view
            .spans
            .iter()
            .map(|span| chars_of(&view.row.original_text, span.start_char, span.end_char))
            .collect();
        assert!(
            suggested.contains(&"13900139000".to_string()),
            "{suggested:?}"
        );
        assert!(suggested.contains(&"李秀英".to_string()), "{suggested:?}");
        db.finish().await;
    }
    Ok(())
}
