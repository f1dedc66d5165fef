//! Test-only helpers for Gongkai: a fresh database per test (a SQLite file, and a new
//! PostgreSQL database when `GONGKAI_TEST_POSTGRES_URL` is set), services on a fixed clock, and
//! an in-process HTTP client that keeps cookies and fills in CSRF tokens like a browser.
//!
//! Nothing here may ever be used by the production binary: the cheap password-hashing cost it
//! sets would be a weakness there.

pub mod smtp_sink;

use anyhow::Context;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gongkai_service::{Clock, Db, PasswordHashing, ServiceConfig, Services};
use gongkai_web::{AppState, WebConfig};
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use std::path::PathBuf;
use tower::ServiceExt;

/// The environment variable naming a PostgreSQL server for tests (a database URL whose user
/// may create databases).
pub const POSTGRES_URL_ENV: &str = "GONGKAI_TEST_POSTGRES_URL";

/// Where test time stands still: a Monday morning in Beijing.
pub fn fixed_clock() -> Clock {
    Clock::fixed(time::macros::datetime!(2026-03-02 09:00 +8))
}

/// A database that exists for one test.
pub struct TestDb {
    pub db: Db,
    pub label: &'static str,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteDir(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// Removes the database. Call it at the end of a test; a failing test leaves its database
    /// behind for inspection (CI drops leftovers named `gongkai_test_%`).
    pub async fn finish(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::SqliteDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(admin) = Db::connect(&admin_url).await {
                    let _ = admin.drop_database_for_tests(&name).await;
                    admin.close().await;
                }
            }
        }
    }
}

/// A fresh SQLite file in its own temporary directory, migrated.
pub async fn sqlite_db() -> anyhow::Result<TestDb> {
    let dir = std::env::temp_dir().join(format!("gongkai-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}", dir.join("test.sqlite").display());
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    Ok(TestDb {
        db,
        label: "sqlite",
        cleanup: Cleanup::SqliteDir(dir),
    })
}

/// A fresh PostgreSQL database on the server named by `GONGKAI_TEST_POSTGRES_URL`, migrated.
pub async fn postgres_db(admin_url: &str) -> anyhow::Result<TestDb> {
    let name = format!("gongkai_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Db::connect(admin_url)
        .await
        .with_context(|| format!("cannot reach {POSTGRES_URL_ENV}"))?;
    admin.create_database_for_tests(&name).await?;
    admin.close().await;
    let url = replace_database_name(admin_url, &name)?;
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    Ok(TestDb {
        db,
        label: "postgres",
        cleanup: Cleanup::Postgres {
            admin_url: admin_url.to_string(),
            name,
        },
    })
}

fn replace_database_name(url: &str, name: &str) -> anyhow::Result<String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").context("database URL without scheme")? + 3;
    let path_start = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..path_start], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    Ok(out)
}

/// Every database a contract test must pass on: SQLite always, PostgreSQL when configured.
pub async fn all_databases() -> anyhow::Result<Vec<TestDb>> {
    let mut dbs = vec![sqlite_db().await?];
    if let Ok(url) = std::env::var(POSTGRES_URL_ENV)
        && !url.trim().is_empty()
    {
        dbs.push(postgres_db(url.trim()).await?);
    }
    Ok(dbs)
}

/// Services on `db` with a fixed clock and a cheap (test-only) password hash.
pub fn services(db: &Db) -> Services {
    let config = ServiceConfig {
        password_hashing: PasswordHashing {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        },
        ..ServiceConfig::default()
    };
    Services::new(db.clone(), fixed_clock(), config)
}

/// `services` with an in-memory lexical search index (each test its own), empty until the
/// first `sync_search_index`.
pub fn services_with_search(db: &Db) -> anyhow::Result<Services> {
    let options = gongkai_service::gongkai_search::IndexOptions::lexical_defaults()?;
    Ok(services(db).with_search(
        gongkai_service::SearchState::in_memory(options).map_err(|e| anyhow::anyhow!("{e}"))?,
    ))
}

/// An in-process client for the whole web application, with a cookie jar.
pub struct TestApp {
    pub services: Services,
    pub router: Router,
    cookies: BTreeMap<String, String>,
    pub accept_language: Option<String>,
}

/// A collected response.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent, for binary responses (PDF, ZIP).
    pub bytes: Vec<u8>,
}

impl TestResponse {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl TestApp {
    /// The application over `services`, with demo content seeded.
    pub async fn new(services: Services) -> anyhow::Result<TestApp> {
        services.seed_demo_if_empty().await?;
        let state = AppState::new(
            services.clone(),
            WebConfig {
                demo: true,
                ..WebConfig::default()
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(TestApp {
            services,
            router: gongkai_web::router(state),
            cookies: BTreeMap::new(),
            accept_language: None,
        })
    }

    /// A second client on the same application, with an empty cookie jar.
    pub fn fresh_client(&self) -> TestApp {
        TestApp {
            services: self.services.clone(),
            router: self.router.clone(),
            cookies: BTreeMap::new(),
            accept_language: None,
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    pub fn forget_cookie(&mut self, name: &str) {
        self.cookies.remove(name);
    }

    pub async fn send(&mut self, mut request: Request<Body>) -> anyhow::Result<TestResponse> {
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request
                .headers_mut()
                .insert(header::COOKIE, cookie.parse()?);
        }
        if let Some(lang) = &self.accept_language {
            request
                .headers_mut()
                .insert(header::ACCEPT_LANGUAGE, lang.parse()?);
        }
        let response = self.router.clone().oneshot(request).await?;
        let status = response.status();
        let headers = response.headers().clone();
        for value in headers.get_all(header::SET_COOKIE) {
            let text = value.to_str()?;
            let pair = text.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                let expired = text.contains("Max-Age=0");
                if expired || value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        let bytes = response.into_body().collect().await?.to_bytes();
        Ok(TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        })
    }

    pub async fn get(&mut self, path: &str) -> anyhow::Result<TestResponse> {
        self.send(Request::get(path).body(Body::empty())?).await
    }

    /// Posts a form exactly as written, without adding a CSRF token.
    pub async fn post_form_raw(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<TestResponse> {
        let body = serde_urlencoded::to_string(fields)?;
        self.send(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))?,
        )
        .await
    }

    /// The CSRF token the pages currently embed for this client.
    pub async fn csrf_token(&mut self) -> anyhow::Result<String> {
        let page = self.get("/login").await?;
        extract_input_value(&page.body, "csrf_token").context("no csrf_token on /login")
    }

    /// Posts a form with a valid CSRF token, like a browser submitting a page's form.
    pub async fn post_form(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<TestResponse> {
        let token = self.csrf_token().await?;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form_raw(path, &all).await
    }

    pub async fn send_json(
        &mut self,
        method: &str,
        path: &str,
        body: &serde_json::Value,
        bearer: Option<&str>,
    ) -> anyhow::Result<TestResponse> {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = bearer {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(builder.body(Body::from(body.to_string()))?).await
    }

    /// Posts a multipart form with text fields and one file field named `file`, with a valid
    /// CSRF token, like a browser uploading from a page.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        filename: &str,
        content: &[u8],
    ) -> anyhow::Result<TestResponse> {
        let token = self.csrf_token().await?;
        let boundary = "----gongkai-test-boundary-7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        for (name, value) in all {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            Request::post(path)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))?,
        )
        .await
    }

    /// Posts one action of the publication workflow (`submit`, `approve`, `reject`, …) for a
    /// version of a document, as the staff panel of its page does.
    pub async fn document_action(
        &mut self,
        external_id: &str,
        version: i64,
        action: &str,
        note: &str,
    ) -> anyhow::Result<TestResponse> {
        let version = version.to_string();
        let mut fields = vec![
            ("external_id", external_id),
            ("version", version.as_str()),
            ("action", action),
        ];
        if !note.is_empty() {
            fields.push(("note", note));
        }
        self.post_form("/staff/documents/act", &fields).await
    }

    /// Signs in through the login form.
    pub async fn login(
        &mut self,
        identifier: &str,
        password: &str,
    ) -> anyhow::Result<TestResponse> {
        self.post_form(
            "/login",
            &[("identifier", identifier), ("password", password)],
        )
        .await
    }
}

/// The text of a PDF as `pdftotext` (poppler-utils) extracts it. `None` when the tool is
/// missing and `GONGKAI_REQUIRE_PDF_TOOLS` is not set (CI sets it, so there it fails instead).
pub fn pdf_text(bytes: &[u8]) -> anyhow::Result<Option<String>> {
    let required = std::env::var("GONGKAI_REQUIRE_PDF_TOOLS").is_ok_and(|v| v == "1");
    let dir = tempfile_dir()?;
    let path = dir.join("document.pdf");
    std::fs::write(&path, bytes)?;
    let output = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match output {
        Ok(output) if output.status.success() => {
            Ok(Some(String::from_utf8_lossy(&output.stdout).into_owned()))
        }
        Ok(output) => anyhow::bail!(
            "pdftotext failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(e) if !required => {
            eprintln!("pdftotext not available ({e}); PDF text not checked");
            Ok(None)
        }
        Err(e) => anyhow::bail!("pdftotext is required (GONGKAI_REQUIRE_PDF_TOOLS=1): {e}"),
    }
}

/// A scan of the first page of a PDF: the page rendered to an 8-bit gray image at 200 dpi by
/// `pdftoppm` and placed, uncompressed, as the only content of a hand-written one-page PDF, so
/// that the result has no text layer and its text can only be had by OCR. `None` when
/// `pdftoppm` is missing and `GONGKAI_REQUIRE_PDF_TOOLS` is not set.
pub fn scanned_pdf(text_pdf: &[u8]) -> anyhow::Result<Option<Vec<u8>>> {
    const DPI: u32 = 200;
    let required = std::env::var("GONGKAI_REQUIRE_PDF_TOOLS").is_ok_and(|v| v == "1");
    let dir = tempfile_dir()?;
    std::fs::write(dir.join("text.pdf"), text_pdf)?;
    let rendered = std::process::Command::new("pdftoppm")
        .args(["-f", "1", "-l", "1", "-gray", "-singlefile"])
        .args(["-r", &DPI.to_string()])
        .arg(dir.join("text.pdf"))
        .arg(dir.join("scan"))
        .status();
    let image = std::fs::read(dir.join("scan.pgm"));
    let _ = std::fs::remove_dir_all(&dir);
    match rendered {
        Ok(status) if status.success() => {}
        Ok(status) => anyhow::bail!("pdftoppm failed: {status}"),
        Err(e) if !required => {
            eprintln!("pdftoppm not available ({e}); no scan made");
            return Ok(None);
        }
        Err(e) => anyhow::bail!("pdftoppm is required (GONGKAI_REQUIRE_PDF_TOOLS=1): {e}"),
    }
    let image = image.context("pdftoppm wrote no page")?;
    // A binary PGM: "P5", width, height, maximum value, one whitespace byte, then the pixels.
    let mut fields = Vec::new();
    let mut position = 0;
    while fields.len() < 4 {
        while image.get(position).is_some_and(u8::is_ascii_whitespace) {
            position += 1;
        }
        let start = position;
        while image
            .get(position)
            .is_some_and(|b| !b.is_ascii_whitespace())
        {
            position += 1;
        }
        anyhow::ensure!(position > start, "truncated PGM header");
        fields.push(String::from_utf8_lossy(&image[start..position]).into_owned());
    }
    anyhow::ensure!(fields[0] == "P5" && fields[3] == "255", "not an 8-bit PGM");
    let width: u32 = fields[1].parse()?;
    let height: u32 = fields[2].parse()?;
    let pixels = image.get(position + 1..).context("no pixels")?;
    anyhow::ensure!(pixels.len() == (width * height) as usize, "PGM size");
    let points = |pixels: u32| f64::from(pixels) * 72.0 / f64::from(DPI);
    let (page_width, page_height) = (points(width), points(height));
    let content = format!("q {page_width:.2} 0 0 {page_height:.2} 0 0 cm /Scan Do Q");
    let objects: [(String, Option<&[u8]>); 5] = [
        ("<< /Type /Catalog /Pages 2 0 R >>".into(), None),
        ("<< /Type /Pages /Kids [5 0 R] /Count 1 >>".into(), None),
        (
            format!(
                "<< /Type /XObject /Subtype /Image /Width {width} /Height {height} \
                 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {} >>",
                pixels.len()
            ),
            Some(pixels),
        ),
        (
            format!("<< /Length {} >>", content.len()),
            Some(content.as_bytes()),
        ),
        (
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_width:.2} {page_height:.2}] \
                 /Resources << /XObject << /Scan 3 0 R >> >> /Contents 4 0 R >>"
            ),
            None,
        ),
    ];
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (number, (head, stream)) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{head}\n", number + 1).as_bytes());
        if let Some(stream) = stream {
            out.extend_from_slice(b"stream\n");
            out.extend_from_slice(stream);
            out.extend_from_slice(b"\nendstream\n");
        }
        out.extend_from_slice(b"endobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for offset in &offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    Ok(Some(out))
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("gongkai-pdf-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Finds `<input … name="NAME" … value="VALUE">` in a page.
pub fn extract_input_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = html.find(&marker)?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let value_at = tag.find("value=\"")? + 7;
    let value_end = value_at + tag[value_at..].find('"')?;
    Some(tag[value_at..value_end].to_string())
}

/// Signs a demo account in through the services (not over HTTP) and returns its actor.
pub async fn demo_login(s: &Services, email: &str) -> anyhow::Result<gongkai_service::Actor> {
    let origin = gongkai_service::RequestOrigin {
        address: "10.9.0.1".into(),
        user_agent: "gongkai-testkit".into(),
    };
    Ok(s.login(email, gongkai_service::DEMO_PASSWORD, &origin)
        .await?
        .actor)
}

/// A valid application of a natural person (the demo applicant's particulars) asking for
/// `description`.
pub fn sample_application(
    description: &str,
) -> gongkai_domain::application_form::ApplicationInput<'_> {
    gongkai_domain::application_form::ApplicationInput {
        applicant_kind: "natural_person",
        name: "张明",
        identity_kind: "resident_id_card",
        identity_number: "11010519491231002X",
        organisation_code: "",
        legal_representative: "",
        contact_phone: "13800138000",
        contact_email: "zhangming@example.cn",
        postal_address: "",
        information_description: description,
        document_number: "",
        purpose: "",
        form_preference: "electronic",
        delivery_preference: "portal_download",
    }
}

/// The external id in a document page's address (`/documents/{id}?version=1` → `id`).
pub fn external_id_of(location: &str) -> String {
    location
        .trim_start_matches("/documents/")
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// A minimal DOCX (stored ZIP entries) whose body holds these paragraphs: enough for the text
/// extractor and the content-type check, as tests of attachments need.
pub fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>"))
        .collect();
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    gongkai_service::zip_stored(&[
        (
            "[Content_Types].xml".to_string(),
            br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_vec(),
        ),
        ("word/document.xml".to_string(), document.into_bytes()),
    ])
}

/// Creates a new draft document of `agency_id` with this metadata (no catalog item, formed
/// today) and returns its external id and version.
pub async fn draft_document(
    s: &Services,
    actor: &gongkai_service::Actor,
    agency_id: uuid::Uuid,
    input: &gongkai_domain::publication::MetadataInput,
) -> anyhow::Result<(String, i64)> {
    Ok(s.create_document_draft(
        actor,
        &gongkai_service::DraftRequest {
            agency_id,
            existing_external_id: None,
            catalog_code: None,
            formed_on: None,
            input,
            change_note: "",
        },
    )
    .await?)
}
