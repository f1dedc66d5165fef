//! Nothing acknowledged is ever lost, and nothing is ever stored twice: the real binary is
//! killed with SIGKILL in the middle of a burst of submissions, restarted on the same data
//! directory, and every submission that was answered with its 303 must still be there exactly
//! once, while resubmitting every form (acknowledged or not) with its idempotency key must land
//! on one application per key.
//!
//! Only the kill point is random (printed, and reproducible with `GONGKAI_DURABILITY_SEED`); no
//! assertion depends on timing. The HTTP client is plain HTTP/1.1 over `std::net::TcpStream`,
//! one connection per request, so a response either arrived whole or the submission counts as
//! unacknowledged.

use gongkai_store::Db;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const GONGKAI: &str = env!("CARGO_BIN_EXE_gongkai");
/// Submissions in the burst, and the client threads sending them.
const BURST: usize = 200;
const CLIENT_THREADS: usize = 4;
/// The kill comes after this many acknowledgements plus a random number below the span.
const KILL_AFTER_ACKS_MIN: usize = 20;
const KILL_AFTER_ACKS_SPAN: usize = 140;
/// Generous limits: they only bound a broken run, they never decide a correct one.
const STARTUP_MAX: Duration = Duration::from_secs(90);
const RESPONSE_MAX: Duration = Duration::from_secs(60);
const APPLICANT: &str = "applicant@demo.gongkai.cn";
const PASSWORD: &str = "gongkai-demo-2026";

fn temp_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir =
        std::env::temp_dir().join(format!("gongkai-durability-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn free_address() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr")
}

/// A whole HTTP response.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of a cookie this response sets.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| v.split(';').next()?.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

/// Decodes a `Transfer-Encoding: chunked` body; `None` when it is cut short.
fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&raw[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        if raw.len() < size + 2 {
            return None;
        }
        out.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

/// Sends one request on a fresh connection and reads the whole response. Any error, or a
/// response cut short, is `None`: the request was not acknowledged.
fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    cookie: &str,
    form: Option<&str>,
) -> Option<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    stream.set_read_timeout(Some(RESPONSE_MAX)).ok()?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if !cookie.is_empty() {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    let body = form.unwrap_or("");
    if form.is_some() {
        head.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body.as_bytes()).ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut response = Response {
        status,
        headers,
        body: String::new(),
    };
    let raw_body = &raw[split + 4..];
    let body = if response
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        dechunk(raw_body)?
    } else {
        let length: usize = match response.header("content-length") {
            Some(v) => v.parse().ok()?,
            None => raw_body.len(),
        };
        if raw_body.len() < length {
            return None;
        }
        raw_body[..length].to_vec()
    };
    response.body = String::from_utf8_lossy(&body).into_owned();
    Some(response)
}

/// Finds `<input … name="NAME" … value="VALUE">` in a page.
fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let value_at = tag.find("value=\"")? + 7;
    let value_end = value_at + tag[value_at..].find('"')?;
    Some(tag[value_at..value_end].to_string())
}

/// Percent-encodes a form field (application/x-www-form-urlencoded).
fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The real binary serving a data directory; killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(data_dir: &Path) -> Server {
    let addr = free_address();
    let child = Command::new(GONGKAI)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("serve")
        .arg("--listen")
        .arg(addr.to_string())
        .env_remove("GONGKAI_DATABASE_URL")
        .env_remove("GONGKAI_CONFIG")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gongkai starts");
    let mut server = Server { child, addr };
    let deadline = Instant::now() + STARTUP_MAX;
    loop {
        if send(addr, "GET", "/healthz", "", None).is_some_and(|r| r.status == 200) {
            return server;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("gongkai exited during startup: {status}");
        }
        assert!(Instant::now() < deadline, "gongkai did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Signs the demo applicant in through the login form; returns the cookie header to send.
fn login(addr: SocketAddr) -> (String, String) {
    let page = send(addr, "GET", "/login", "", None).expect("login page");
    let csrf_cookie = page.set_cookie("gk_csrf").expect("a CSRF cookie");
    let token = input_value(&page.body, "csrf_token").expect("a CSRF token");
    let cookie = format!("gk_csrf={csrf_cookie}");
    let body = form_body(&[
        ("csrf_token", &token),
        ("identifier", APPLICANT),
        ("password", PASSWORD),
    ]);
    let signed_in = send(addr, "POST", "/login", &cookie, Some(&body)).expect("login answers");
    assert_eq!(signed_in.status, 303, "login: {}", signed_in.body);
    let session = signed_in
        .set_cookie("gk_session")
        .expect("a session cookie");
    (
        format!("gk_csrf={csrf_cookie}; gk_session={session}"),
        token,
    )
}

/// The application form for one key; the key is also written into the description so that
/// each application page can be matched to the form that created it.
fn application_form(csrf_token: &str, key: &str) -> String {
    let description = format!("请公开《示范市2025年公共停车场建设规划》全文（编号 {key}）");
    form_body(&[
        ("csrf_token", csrf_token),
        ("idempotency_key", key),
        ("applicant_kind", "natural_person"),
        ("name", "张明"),
        ("identity_kind", "resident_id_card"),
        ("identity_number", "11010519491231002X"),
        ("contact_phone", "13800138000"),
        ("contact_email", "zhangming@example.cn"),
        ("information_description", &description),
        ("form_preference", "electronic"),
        ("delivery_preference", "portal_download"),
    ])
}

/// What became of a burst: for each key `Some(location)` when its 303 arrived, and every
/// complete answer that was not a 303 (a bug, not a crash).
struct Burst {
    outcomes: Vec<Option<String>>,
    refused: Vec<Refusal>,
}

struct Refusal {
    index: usize,
    status: u16,
    body: String,
}

/// The refusals, for an assertion message.
fn describe(refused: &[Refusal]) -> String {
    refused
        .iter()
        .map(|r| format!("#{} answered {}: {}", r.index, r.status, r.body))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Submits every key whose index `i % CLIENT_THREADS == t` from thread `t`, one request at a
/// time per thread, counting acknowledgements in `acknowledged` as they arrive.
fn burst(
    addr: SocketAddr,
    cookie: &str,
    csrf_token: &str,
    keys: &[String],
    acknowledged: &AtomicUsize,
) -> Burst {
    let outcomes = Mutex::new(vec![None; keys.len()]);
    let refused = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for t in 0..CLIENT_THREADS {
            let (outcomes, refused) = (&outcomes, &refused);
            scope.spawn(move || {
                for (i, key) in keys.iter().enumerate().skip(t).step_by(CLIENT_THREADS) {
                    let body = application_form(csrf_token, key);
                    match send(addr, "POST", "/a/demo-city/apply", cookie, Some(&body)) {
                        Some(r) if r.status == 303 => {
                            let location = r.header("location").map(str::to_string);
                            assert!(location.is_some(), "a 303 without Location");
                            outcomes.lock().expect("lock")[i] = location;
                            acknowledged.fetch_add(1, Ordering::SeqCst);
                        }
                        Some(r) => refused.lock().expect("lock").push(Refusal {
                            index: i,
                            status: r.status,
                            body: r.body,
                        }),
                        None => {}
                    }
                }
            });
        }
    });
    Burst {
        outcomes: outcomes.into_inner().expect("lock"),
        refused: refused.into_inner().expect("lock"),
    }
}

/// The applications on the applicant's own list (which shows up to 200, enough here).
fn listed_applications(addr: SocketAddr, cookie: &str) -> BTreeSet<String> {
    let page = send(addr, "GET", "/my/applications", cookie, None).expect("my list");
    assert_eq!(page.status, 200);
    page.body
        .split("href=\"/applications/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|id| format!("/applications/{id}"))
        .collect()
}

fn kill_point() -> usize {
    let seed: u64 = match std::env::var("GONGKAI_DURABILITY_SEED") {
        Ok(text) => text
            .trim()
            .parse()
            .expect("GONGKAI_DURABILITY_SEED is a number"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos().into())
            .unwrap_or_default(),
    };
    // A multiplicative hash spreads clock readings that share their low digits.
    let mixed = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
    let point = KILL_AFTER_ACKS_MIN + (mixed % KILL_AFTER_ACKS_SPAN as u64) as usize;
    eprintln!("GONGKAI_DURABILITY_SEED={seed}: SIGKILL after {point} acknowledgements");
    point
}

#[test]
fn acknowledged_submissions_survive_sigkill_exactly_once() {
    let dir = temp_dir();
    let run = std::process::id();
    let keys: Vec<String> = (0..BURST)
        .map(|i| format!("durable-{run}-{i:03}"))
        .collect();

    // The burst, with a SIGKILL once enough submissions have been acknowledged.
    let mut server = start(&dir);
    let (cookie, csrf_token) = login(server.addr);
    let kill_after = kill_point();
    let acknowledged = AtomicUsize::new(0);
    let addr = server.addr;
    let Burst { outcomes, refused } = std::thread::scope(|scope| {
        let sender = scope.spawn(|| burst(addr, &cookie, &csrf_token, &keys, &acknowledged));
        while acknowledged.load(Ordering::SeqCst) < kill_after && !sender.is_finished() {
            std::thread::sleep(Duration::from_millis(1));
        }
        // `Child::kill` is SIGKILL on Unix: no graceful shutdown, no flush, no destructor.
        server.child.kill().expect("SIGKILL");
        server.child.wait().expect("reaped");
        sender.join().expect("the burst threads")
    });
    assert!(
        refused.is_empty(),
        "complete non-303 answers: {}",
        describe(&refused)
    );
    let acked: BTreeMap<usize, String> = outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| Some((i, o.clone()?)))
        .collect();
    eprintln!(
        "{} of {BURST} submissions acknowledged before the kill",
        acked.len()
    );
    assert!(
        acked.len() >= kill_after.min(BURST),
        "submissions failed before the kill"
    );
    let distinct: BTreeSet<&String> = acked.values().collect();
    assert_eq!(distinct.len(), acked.len(), "two keys got one application");
    drop(server);

    // After the restart every acknowledged application is there, with its own form.
    let server = start(&dir);
    for (i, location) in &acked {
        let page = send(server.addr, "GET", location, &cookie, None).expect("page answers");
        assert_eq!(page.status, 200, "acknowledged {location} is gone");
        assert!(
            page.body.contains(&keys[*i]),
            "{location} shows another form"
        );
    }
    let listed_before = listed_applications(server.addr, &cookie);
    assert!(listed_before.len() >= acked.len() && listed_before.len() <= BURST);
    eprintln!(
        "{} stored after the restart ({} committed without their answer arriving)",
        listed_before.len(),
        listed_before.len() - acked.len()
    );

    // Resubmitting every form lands on one application per key, the acknowledged ones on the
    // application they were acknowledged with; a second, concurrent round changes nothing.
    let mut locations = Vec::with_capacity(BURST);
    for (i, key) in keys.iter().enumerate() {
        let body = application_form(&csrf_token, key);
        let again = send(
            server.addr,
            "POST",
            "/a/demo-city/apply",
            &cookie,
            Some(&body),
        )
        .expect("resubmission answers");
        assert_eq!(again.status, 303, "resubmitting {key}: {}", again.body);
        let location = again.header("location").expect("Location").to_string();
        if let Some(first) = acked.get(&i) {
            assert_eq!(&location, first, "{key} moved to another application");
        }
        locations.push(location);
    }
    let unique: BTreeSet<&String> = locations.iter().collect();
    assert_eq!(unique.len(), BURST, "one application per key");
    let second = burst(
        server.addr,
        &cookie,
        &csrf_token,
        &keys,
        &AtomicUsize::new(0),
    );
    assert!(
        second.refused.is_empty(),
        "second round refused: {}",
        describe(&second.refused)
    );
    for (i, location) in second.outcomes.iter().enumerate() {
        assert_eq!(location.as_ref(), Some(&locations[i]), "{}", keys[i]);
    }
    let listed = listed_applications(server.addr, &cookie);
    assert_eq!(listed, unique.into_iter().cloned().collect::<BTreeSet<_>>());
    drop(server);

    // The database itself: exactly one application per key, each with its first event and
    // its leaf in the transparency log.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let url = format!("sqlite://{}", dir.join("gongkai.sqlite").display());
        let db = Db::connect(&url).await.expect("database opens");
        assert_eq!(db.application_count().await.expect("count"), BURST as i64);
        // The transparency log gets its leaf in the same transaction: one per submission (the
        // seeded demo documents and catalogs have leaves of other kinds).
        let size = db.tlog_size().await.expect("log size");
        let mut entries = Vec::new();
        while (entries.len() as i64) < size {
            let page = db
                .tlog_entries(entries.len() as i64, 1000)
                .await
                .expect("log entries");
            if page.is_empty() {
                break;
            }
            entries.extend(page);
        }
        let application_leaves = entries
            .iter()
            .filter(|(_, data)| {
                String::from_utf8_lossy(data).contains("\"kind\":\"application_event\"")
            })
            .count();
        assert_eq!(application_leaves, BURST);
        for location in &locations {
            let id = location
                .rsplit('/')
                .next()
                .and_then(|s| uuid::Uuid::parse_str(s).ok())
                .expect("an application id");
            let events = db.application_events(id).await.expect("events");
            assert_eq!(events.len(), 1, "{location} has its submission event");
        }
        db.close().await;
    });
    let _ = std::fs::remove_dir_all(dir);
}
