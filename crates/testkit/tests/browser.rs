//! One real-browser end-to-end test: the `gongkai` binary, Debian's headless Chromium driven
//! through ChromeDriver (WebDriver, via fantoccini), and axe-core for accessibility.
//!
//! Walk: home → axe; login and registration pages → axe; an empty login form → axe on the error
//! state; sign in as the demo applicant through the form → the header links to /account → axe;
//! switch to English (`<html lang="en">`) → axe; switch to large text (`<html class="large-text">`)
//! → axe on home, login and registration. Any axe violation of impact "serious" or "critical"
//! fails the test (all of them are printed first); lesser ones are printed only.
//!
//! Needs the binary built first (`cargo build -p gongkai-server`; `GONGKAI_BIN` overrides where it
//! is looked for), `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and
//! `chromium-driver`; `GONGKAI_CHROMIUM`, `GONGKAI_CHROMEDRIVER` override) and axe-core's
//! `axe.min.js` (`GONGKAI_AXE_PATH`, else `<repo>/node_modules/axe-core/axe.min.js`, else
//! `/root/.cache/gongkai-npm/node_modules/axe-core/axe.min.js`); `scripts/install-test-tools.sh`
//! installs the last three. Without them the test prints "SKIPPED: …" and passes, unless
//! `GONGKAI_REQUIRE_BROWSER=1`, when it fails.

use anyhow::{Context, Result, bail};
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::env;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const SHARED_AXE: &str = "/root/.cache/gongkai-npm/node_modules/axe-core/axe.min.js";
const DEMO_APPLICANT: &str = "applicant@demo.gongkai.cn";
const DEMO_PASSWORD: &str = "gongkai-demo-2026";
/// How long to wait for an element, a page or a process to be ready.
const WAIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn browser_walk_through_with_accessibility_checks() -> Result<()> {
    let chromium = env_path("GONGKAI_CHROMIUM").unwrap_or_else(|| PathBuf::from(DEFAULT_CHROMIUM));
    let chromedriver =
        env_path("GONGKAI_CHROMEDRIVER").unwrap_or_else(|| PathBuf::from(DEFAULT_CHROMEDRIVER));
    let axe = axe_path();

    let mut missing = Vec::new();
    if !chromium.is_file() {
        missing.push(format!(
            "Chromium at {} (apt-get install chromium)",
            chromium.display()
        ));
    }
    if !chromedriver.is_file() {
        missing.push(format!(
            "ChromeDriver at {} (apt-get install chromium-driver)",
            chromedriver.display()
        ));
    }
    let axe = match axe {
        Ok(p) => Some(p),
        Err(e) => {
            missing.push(format!("{e:#}"));
            None
        }
    };
    if !missing.is_empty() {
        let what = missing.join("; ");
        if env::var("GONGKAI_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            bail!(
                "GONGKAI_REQUIRE_BROWSER=1 but the browser test cannot run: missing {what}. \
                 scripts/install-test-tools.sh installs them."
            );
        }
        println!(
            "SKIPPED: browser test: missing {what}. Run scripts/install-test-tools.sh, \
             or set GONGKAI_REQUIRE_BROWSER=1 to make this a failure."
        );
        return Ok(());
    }
    let axe = axe.context("axe path")?;
    let axe_source =
        fs::read_to_string(&axe).with_context(|| format!("cannot read {}", axe.display()))?;
    let gongkai = gongkai_binary()?;
    warn_if_stale(&gongkai);

    let mut harness = Harness::new()?;
    println!("browser test: work dir {}", harness.dir.display());
    let server_addr = harness.start_server(&gongkai)?;
    let driver_addr = harness.start_driver(&chromedriver)?;
    harness
        .wait_ready("gongkai", 0, server_addr, "/healthz")
        .await?;
    harness
        .wait_ready("chromedriver", 1, driver_addr, "/status")
        .await?;

    let client = connect(&chromium, &harness.dir.join("chrome-profile"), driver_addr).await?;
    let base = format!("http://{server_addr}");
    let outcome = walk(&client, &base, &axe_source).await;
    if outcome.is_err() {
        harness.keep = true;
        let shot = harness.dir.join("failure.png");
        if let Ok(url) = client.current_url().await {
            eprintln!("browser test failed on {url}");
        }
        match client.screenshot().await.map(|png| fs::write(&shot, png)) {
            Ok(Ok(())) => eprintln!("screenshot: {}", shot.display()),
            _ => eprintln!("(no screenshot could be taken)"),
        }
        harness.print_logs();
    }
    // Ends the WebDriver session, which quits Chromium; the harness then stops the processes.
    if let Err(e) = client.close().await {
        eprintln!("closing the WebDriver session failed: {e}");
    }
    drop(harness);
    outcome
}

/// The walk through the site. Collects every axe finding and fails once at the end, so that one
/// run reports all of them.
async fn walk(c: &Client, base: &str, axe_source: &str) -> Result<()> {
    let mut audit = Audit::new(axe_source);

    // Anonymous, Chinese (the default), standard display.
    go(c, &format!("{base}/")).await?;
    wait_css(c, r#"html[lang^="zh"]"#, "the home page in Chinese").await?;
    audit.run(c, "home (zh-CN, standard, signed out)").await?;

    go(c, &format!("{base}/register")).await?;
    wait_css(c, "main form", "the registration form").await?;
    audit
        .run(c, "register (zh-CN, standard, signed out)")
        .await?;

    go(c, &format!("{base}/login")).await?;
    wait_css(c, "#identifier", "the login form").await?;
    audit.run(c, "login (zh-CN, standard, signed out)").await?;

    // An empty submission shows the error summary: its markup is checked too.
    click(c, r#"main form[action="/login"] button[type="submit"]"#).await?;
    wait_css(c, ".error-summary", "the login error summary").await?;
    audit.run(c, "login with errors (zh-CN, standard)").await?;

    // Sign in through the form.
    fill(c, "#identifier", DEMO_APPLICANT).await?;
    fill(c, "#password", DEMO_PASSWORD).await?;
    click(c, r#"main form[action="/login"] button[type="submit"]"#).await?;
    wait_css(
        c,
        r#"header a[href="/account"]"#,
        "the header's account link after signing in",
    )
    .await?;
    let url = c
        .current_url()
        .await
        .context("current URL after signing in")?;
    if url.path() != "/" {
        bail!("signing in should land on /, landed on {url}");
    }
    audit.run(c, "home (zh-CN, standard, signed in)").await?;

    // Language switch: zh-CN → English.
    click(c, r#"header a[href^="/preferences/language"]"#).await?;
    wait_css(
        c,
        r#"html[lang="en"]"#,
        "<html lang=\"en\"> after the language switch",
    )
    .await?;
    wait_css(
        c,
        r#"header a[href="/account"]"#,
        "the account link in English",
    )
    .await?;
    audit.run(c, "home (en, standard, signed in)").await?;

    // Display switch: standard → large text.
    click(c, r#"header a[href^="/preferences/display?mode=large"]"#).await?;
    wait_css(
        c,
        "html.large-text",
        "<html class=\"large-text\"> after the display switch",
    )
    .await?;
    wait_css(
        c,
        r#"html[lang="en"]"#,
        "English kept after the display switch",
    )
    .await?;
    audit.run(c, "home (en, large text, signed in)").await?;

    for (path, ready) in [("/login", "#identifier"), ("/register", "main form")] {
        go(c, &format!("{base}{path}")).await?;
        wait_css(c, ready, path).await?;
        wait_css(
            c,
            r#"html.large-text[lang="en"]"#,
            "English and large text kept",
        )
        .await?;
        audit
            .run(c, &format!("{path} (en, large text, signed in)"))
            .await?;
    }

    // The application form, submitted empty (every problem listed), then filled in; the
    // applicant's application page with its timeline and deadlines; the list of applications.
    go(c, &format!("{base}/a/demo-city/apply")).await?;
    wait_css(c, "#information_description", "the application form").await?;
    audit.run(c, "application form (en, large text)").await?;
    click(c, r#"main form button[type="submit"]"#).await?;
    wait_css(c, ".error-summary", "the application form's error summary").await?;
    audit
        .run(c, "application form with errors (en, large text)")
        .await?;
    fill(c, "#identity_number", "11010519491231002X").await?;
    fill(c, "#contact_phone", "13800138000").await?;
    fill(
        c,
        "#information_description",
        "请公开《示范市2025年公共停车场建设规划》全文",
    )
    .await?;
    click(c, r#"main form button[type="submit"]"#).await?;
    wait_css(c, "#timeline-title", "the application page").await?;
    audit.run(c, "application page (en, large text)").await?;
    go(c, &format!("{base}/my/applications")).await?;
    wait_css(c, "main table", "the list of applications").await?;
    audit.run(c, "my applications (en, large text)").await?;

    // Proactive disclosure: the document list with facets, a regulation with its anchored
    // articles and history, an article-level search, the catalog, subscriptions and the
    // verify-a-file form (the demo library is seeded by `serve`).
    for (path, ready) in [
        ("/documents", "main table.documents"),
        ("/documents/lrb-a232c94b84ab", "#art-33"),
        (
            "/search?q=%E7%94%B3%E8%AF%B7%E6%94%BF%E5%BA%9C%E4%BF%A1%E6%81%AF%E5%85%AC%E5%BC%80%E5%A4%9A%E4%B9%85%E7%AD%94%E5%A4%8D",
            "main .results",
        ),
        ("/a/demo-city/catalog", "main table.catalog"),
        ("/a/demo-city/performance", "#applications-title"),
        ("/a/demo-city/guide", "#guide-remedies"),
        ("/subscriptions", "#email"),
        ("/transparency/verify", "#verify-file"),
        ("/transparency", "main table"),
    ] {
        go(c, &format!("{base}{path}")).await?;
        wait_css(c, ready, path).await?;
        audit.run(c, &format!("{path} (en, large text)")).await?;
    }

    // The OGI office's annual report page: all six sections with the official tables (a
    // three-level header, row groups spanning 22 rows) and the forms that feed it.
    click(c, r#"header form[action="/logout"] button[type="submit"]"#).await?;
    // The logout's own navigation (a redirect home) must finish first, or it can land after
    // the next `go` and replace the login page.
    wait_css(c, r#"header a[href="/login"]"#, "signed out").await?;
    go(c, &format!("{base}/login")).await?;
    wait_css(c, "#identifier", "the login form").await?;
    fill(c, "#identifier", "ogi@demo.gongkai.cn").await?;
    fill(c, "#password", DEMO_PASSWORD).await?;
    click(c, r#"main form[action="/login"] button[type="submit"]"#).await?;
    wait_css(
        c,
        r#"header a[href="/account"]"#,
        "signed in as the OGI office",
    )
    .await?;
    go(c, &format!("{base}/staff/report?year=2026")).await?;
    wait_css(c, "main table.report", "the annual report tables").await?;
    audit.run(c, "/staff/report (en, large text)").await?;
    go(c, &format!("{base}/a/demo-city/annual-reports")).await?;
    wait_css(c, "main h1", "the list of published reports").await?;
    audit
        .run(c, "/a/demo-city/annual-reports (en, large text)")
        .await?;

    // A redaction review (issue 7) of a text attached to a published document: the form that
    // starts it, then the text with its marks, the span table with its accept and reject
    // buttons, the add and confirm forms and the log.
    go(
        c,
        &format!("{base}/staff/redaction/documents/lrb-a232c94b84ab"),
    )
    .await?;
    wait_css(c, "#text", "the form that starts a redaction review").await?;
    audit
        .run(c, "/staff/redaction/documents/{id} (en, large text)")
        .await?;
    fill(
        c,
        "#text",
        "举报人张明，身份证号码11010519491231002X，联系电话13800138000。",
    )
    .await?;
    click(c, r#"main form button[type="submit"]"#).await?;
    wait_css(c, "main mark", "the marked spans of the review").await?;
    audit
        .run(c, "/staff/redaction/reviews/{id} (en, large text)")
        .await?;

    audit.finish()
}

/// axe-core runs and their findings.
struct Audit<'a> {
    source: &'a str,
    blocking: Vec<String>,
    minor: Vec<String>,
    pages: usize,
}

impl<'a> Audit<'a> {
    fn new(source: &'a str) -> Self {
        Self {
            source,
            blocking: Vec::new(),
            minor: Vec::new(),
            pages: 0,
        }
    }

    async fn run(&mut self, c: &Client, label: &str) -> Result<()> {
        let loaded = c
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .context("checking for axe")?;
        if loaded != Value::Bool(true) {
            c.execute(self.source, vec![])
                .await
                .context("injecting axe-core")?;
        }
        let result = c
            .execute_async(
                r#"
                const done = arguments[arguments.length - 1];
                axe.run(document, { resultTypes: ['violations'] })
                  .then(r => done({ ok: true, violations: r.violations.map(v => ({
                      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                      nodes: v.nodes.map(n => ({ target: n.target, html: n.html,
                                                 summary: n.failureSummary })) })) }))
                  .catch(e => done({ ok: false, error: String(e && e.stack || e) }));
                "#,
                vec![],
            )
            .await
            .with_context(|| format!("running axe on {label}"))?;
        if result["ok"] != Value::Bool(true) {
            bail!("axe failed on {label}: {}", result["error"]);
        }
        self.pages += 1;
        let url = c
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let violations = result["violations"].as_array().cloned().unwrap_or_default();
        for v in &violations {
            let impact = v["impact"].as_str().unwrap_or("unknown");
            let mut text = format!(
                "[{impact}] {id} on {label} ({url}): {help} <{help_url}>",
                id = v["id"].as_str().unwrap_or("?"),
                help = v["help"].as_str().unwrap_or(""),
                help_url = v["helpUrl"].as_str().unwrap_or(""),
            );
            for n in v["nodes"].as_array().map(Vec::as_slice).unwrap_or_default() {
                text.push_str(&format!(
                    "\n    target {}\n      html: {}\n      {}",
                    n["target"],
                    n["html"].as_str().unwrap_or(""),
                    n["summary"]
                        .as_str()
                        .unwrap_or("")
                        .replace('\n', "\n      "),
                ));
            }
            if matches!(impact, "serious" | "critical") {
                self.blocking.push(text);
            } else {
                self.minor.push(text);
            }
        }
        println!("axe: {label}: {} violation(s) ({url})", violations.len());
        Ok(())
    }

    fn finish(self) -> Result<()> {
        for m in &self.minor {
            println!("axe (minor/moderate, not failing): {m}");
        }
        if self.blocking.is_empty() {
            println!(
                "axe: {} page states checked, no serious or critical violations",
                self.pages
            );
            return Ok(());
        }
        for b in &self.blocking {
            eprintln!("axe violation: {b}");
        }
        bail!(
            "axe found {} serious or critical violation(s) over {} page states (listed above)",
            self.blocking.len(),
            self.pages
        )
    }
}

async fn go(c: &Client, url: &str) -> Result<()> {
    c.goto(url).await.with_context(|| format!("opening {url}"))
}

async fn wait_css(c: &Client, css: &str, what: &str) -> Result<fantoccini::elements::Element> {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("waiting for {what} ({css})"))
}

async fn click(c: &Client, css: &str) -> Result<()> {
    let element = wait_css(c, css, "an element to click").await?;
    element
        .click()
        .await
        .with_context(|| format!("clicking {css}"))
}

async fn fill(c: &Client, css: &str, text: &str) -> Result<()> {
    let element = wait_css(c, css, "an input").await?;
    element
        .clear()
        .await
        .with_context(|| format!("clearing {css}"))?;
    element
        .send_keys(text)
        .await
        .with_context(|| format!("typing into {css}"))
}

async fn connect(chromium: &Path, profile: &Path, driver: SocketAddr) -> Result<Client> {
    fs::create_dir_all(profile)?;
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,900",
                "--lang=zh-CN",
                format!("--user-data-dir={}", profile.display()),
            ],
            // The site picks its language from Accept-Language before any cookie is set.
            "prefs": { "intl.accept_languages": "zh-CN,zh" },
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://{driver}"))
        .await
        .context("cannot start a WebDriver session in headless Chromium")?;
    client
        .update_timeouts(TimeoutConfiguration::new(
            Some(Duration::from_secs(60)),
            Some(Duration::from_secs(60)),
            Some(Duration::ZERO),
        ))
        .await
        .context("setting WebDriver timeouts")?;
    Ok(client)
}

/// The server and ChromeDriver, and a temporary directory for the database, the browser
/// profile and the logs. Dropping it stops both processes (also when the test fails or panics)
/// and removes the directory unless a failure asked to keep it.
struct Harness {
    dir: PathBuf,
    children: [Option<Child>; 2],
    logs: Vec<(String, PathBuf)>,
    keep: bool,
}

impl Harness {
    fn new() -> Result<Self> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = env::temp_dir().join(format!("gongkai-browser-{}-{nanos}", std::process::id()));
        fs::create_dir_all(dir.join("data"))
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Self {
            dir,
            children: [None, None],
            logs: Vec::new(),
            keep: false,
        })
    }

    fn log_file(&mut self, name: &str) -> Result<(File, File)> {
        let path = self.dir.join(format!("{name}.log"));
        let out =
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let err = out.try_clone()?;
        self.logs.push((name.to_string(), path));
        Ok((out, err))
    }

    fn start_server(&mut self, gongkai: &Path) -> Result<SocketAddr> {
        let addr = free_address()?;
        let (out, err) = self.log_file("gongkai")?;
        let child = Command::new(gongkai)
            .arg("--data-dir")
            .arg(self.dir.join("data"))
            .args(["serve", "--listen", &addr.to_string()])
            .env(
                "RUST_LOG",
                env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("cannot start {}", gongkai.display()))?;
        self.children[0] = Some(child);
        Ok(addr)
    }

    fn start_driver(&mut self, chromedriver: &Path) -> Result<SocketAddr> {
        let addr = free_address()?;
        let (out, err) = self.log_file("chromedriver")?;
        let child = Command::new(chromedriver)
            .arg(format!("--port={}", addr.port()))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            // Its own process group, so that Chromium's processes can be stopped with it.
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start {}", chromedriver.display()))?;
        self.children[1] = Some(child);
        Ok(addr)
    }

    /// Polls `GET path` until it answers 200; fails early if the process exits.
    async fn wait_ready(
        &mut self,
        name: &str,
        which: usize,
        addr: SocketAddr,
        path: &str,
    ) -> Result<()> {
        let start = Instant::now();
        loop {
            if http_status(addr, path) == Some(200) {
                println!("{name} ready on {addr} after {:?}", start.elapsed());
                return Ok(());
            }
            let exited = match self.children[which].as_mut() {
                Some(child) => child.try_wait()?,
                None => bail!("{name} was not started"),
            };
            if let Some(status) = exited {
                self.print_logs();
                bail!("{name} exited before it was ready ({status}); its log is above");
            }
            if start.elapsed() > WAIT {
                self.print_logs();
                bail!("{name} did not answer GET {path} on {addr} within {WAIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn print_logs(&self) {
        for (name, path) in &self.logs {
            let text = fs::read_to_string(path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = &lines[lines.len().saturating_sub(60)..];
            eprintln!(
                "----- {name} log ({}), last {} lines -----",
                path.display(),
                tail.len()
            );
            for line in tail {
                eprintln!("{line}");
            }
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.keep = true;
            self.print_logs();
        }
        // ChromeDriver first, with its whole process group (any Chromium left behind).
        if let Some(mut driver) = self.children[1].take() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", driver.id())])
                .stderr(Stdio::null())
                .status();
            let _ = driver.kill();
            let _ = driver.wait();
        }
        if let Some(mut server) = self.children[0].take() {
            let _ = server.kill();
            let _ = server.wait();
        }
        if self.keep {
            eprintln!("browser test: kept {} for inspection", self.dir.display());
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn free_address() -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot find a free port")?;
    Ok(listener.local_addr()?)
}

/// The status code of `GET path`, or None when nothing answers (yet).
fn http_status(addr: SocketAddr, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 32];
    let n = stream.read(&mut head).ok()?;
    let head = std::str::from_utf8(&head[..n]).ok()?;
    head.split_whitespace().nth(1)?.parse().ok()
}

fn env_path(name: &str) -> Option<PathBuf> {
    env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn repo_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

fn axe_path() -> Result<PathBuf> {
    if let Some(p) = env_path("GONGKAI_AXE_PATH") {
        if p.is_file() {
            return Ok(p);
        }
        bail!(
            "axe-core at GONGKAI_AXE_PATH={} (no such file)",
            p.display()
        );
    }
    let candidates = [
        repo_root().join("node_modules/axe-core/axe.min.js"),
        PathBuf::from(SHARED_AXE),
    ];
    candidates.iter().find(|p| p.is_file()).cloned().with_context(|| {
        format!(
            "axe-core (looked at {} and {}; npm install --prefix /root/.cache/gongkai-npm axe-core@4)",
            candidates[0].display(),
            candidates[1].display()
        )
    })
}

/// The `gongkai` binary: `GONGKAI_BIN`, else beside this test's own target directory
/// (`<target>/debug/deps/browser-*` → `<target>/debug/gongkai`), else `$CARGO_TARGET_DIR/debug`,
/// else `<repo>/target/debug`.
fn gongkai_binary() -> Result<PathBuf> {
    if let Some(p) = env_path("GONGKAI_BIN") {
        if p.is_file() {
            return Ok(p);
        }
        bail!("GONGKAI_BIN={} is not a file", p.display());
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = env::current_exe()
        && let Some(profile_dir) = exe.parent().and_then(Path::parent)
    {
        candidates.push(profile_dir.join("gongkai"));
    }
    if let Some(dir) = env_path("CARGO_TARGET_DIR") {
        candidates.push(dir.join("debug/gongkai"));
    }
    candidates.push(repo_root().join("target/debug/gongkai"));
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
    bail!(
        "the gongkai binary is not built: run `cargo build -p gongkai-server` first \
         (looked at {})",
        looked.join(", ")
    )
}

/// Warns when a source file of the server is newer than the binary under test.
fn warn_if_stale(binary: &Path) {
    let Ok(built) = fs::metadata(binary).and_then(|m| m.modified()) else {
        return;
    };
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    let mut stack: Vec<PathBuf> = ["server", "web", "service", "store", "domain"]
        .iter()
        .map(|c| repo_root().join("crates").join(c))
        .collect();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(path);
            } else if let Ok(modified) = meta.modified()
                && newest.as_ref().is_none_or(|(t, _)| modified > *t)
            {
                newest = Some((modified, path));
            }
        }
    }
    if let Some((time, path)) = newest
        && time > built
    {
        eprintln!(
            "WARNING: {} is newer than {}: the browser test may be running an old build \
                 (run `cargo build -p gongkai-server`)",
            path.display(),
            binary.display()
        );
    }
}
