//! The `gongkai` binary as an operator uses it: `serve` prints the URL and demo logins,
//! answers `/healthz`, and stops gracefully on SIGTERM; `backup` and `restore` round-trip the
//! SQLite store; the calendar subcommands print plain answers; the config reference matches.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const GONGKAI: &str = env!("CARGO_BIN_EXE_gongkai");

fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "gongkai-bin-{label}-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn free_address() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr")
}

fn http_get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, response))
}

struct Server {
    child: Child,
    addr: SocketAddr,
    banner: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(data_dir: &Path, extra: &[&str]) -> Server {
    let addr = free_address();
    let mut child = Command::new(GONGKAI)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("serve")
        .arg("--listen")
        .arg(addr.to_string())
        .args(extra)
        .env_remove("GONGKAI_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("gongkai starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut banner = Vec::new();
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match lines.next() {
            Some(Ok(line)) => {
                banner.push(line);
                if banner.len() >= 2 && http_get(addr, "/healthz").is_some_and(|(s, _)| s == 200) {
                    break;
                }
            }
            _ => {
                if http_get(addr, "/healthz").is_some_and(|(s, _)| s == 200) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    // Keep draining stdout in the background so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        addr,
        banner,
    }
}

fn run(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(GONGKAI)
        .args(args)
        .env_remove("GONGKAI_DATABASE_URL")
        .output()
        .expect("gongkai runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn serve_prints_demo_logins_and_stops_gracefully_on_sigterm() {
    let dir = temp_dir("serve");
    let mut server = start(&dir, &[]);
    let banner = server.banner.join("\n");
    assert!(
        banner.contains(&format!("http://{}/", server.addr)),
        "{banner}"
    );
    let (status, home) = http_get(server.addr, "/").expect("home answers");
    assert_eq!(status, 200);
    assert!(home.contains("示范市人民政府"));
    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(server.child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let stop_deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < stop_deadline, "no exit 30 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "graceful shutdown exits 0, got {exit}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn no_demo_starts_empty_and_prints_no_logins() {
    let dir = temp_dir("nodemo");
    let server = start(&dir, &["--no-demo"]);
    let (status, home) = http_get(server.addr, "/").expect("home answers");
    assert_eq!(status, 200);
    assert!(!home.contains("示范市人民政府"));
    assert!(!server.banner.join("\n").contains("Demo logins"));
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn backup_and_restore_round_trip() {
    let dir = temp_dir("backup");
    let data = dir.join("data");
    let data_arg = data.to_str().expect("utf-8");
    let server = start(&data, &[]);
    let backup = dir.join("backup.sqlite");
    let backup_arg = backup.to_str().expect("utf-8");
    // An online backup while the server runs.
    let (ok, out, err) = run(&["--data-dir", data_arg, "backup", "--to", backup_arg]);
    assert!(ok, "backup failed: {out} {err}");
    assert!(out.contains("integrity ok"));
    let (again_ok, _, again_err) = run(&["--data-dir", data_arg, "backup", "--to", backup_arg]);
    assert!(
        !again_ok && again_err.contains("exists already"),
        "{again_err}"
    );
    drop(server);
    // Restore into a fresh data directory and serve from it.
    let restored = dir.join("restored");
    let restored_arg = restored.to_str().expect("utf-8");
    let (ok, out, err) = run(&["--data-dir", restored_arg, "restore", "--from", backup_arg]);
    assert!(ok, "restore failed: {out} {err}");
    let server = start(&restored, &["--no-demo"]);
    let (status, home) = http_get(server.addr, "/").expect("home answers");
    assert_eq!(status, 200);
    assert!(home.contains("示范市人民政府"), "restored data is served");
    drop(server);
    // A file that is not a database is refused before anything is replaced.
    let junk = dir.join("junk.sqlite");
    std::fs::write(&junk, b"not a database").expect("write");
    let (ok, _, err) = run(&[
        "--data-dir",
        restored_arg,
        "restore",
        "--from",
        junk.to_str().expect("utf-8"),
    ]);
    assert!(!ok, "junk restored? {err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn calendar_subcommands_print_plain_answers() {
    let dir = temp_dir("calendar");
    let data_arg = dir.join("none");
    let data_arg = data_arg.to_str().expect("utf-8");
    let (ok, out, _) = run(&[
        "--data-dir",
        data_arg,
        "calendar",
        "add-working-days",
        "2025-09-26",
        "20",
    ]);
    assert!(ok);
    assert_eq!(out, "2025-10-30\n");
    let (ok, out, _) = run(&[
        "--data-dir",
        data_arg,
        "calendar",
        "is-working-day",
        "2026-02-14",
    ]);
    assert!(ok);
    assert_eq!(out, "true\n", "a 调休 Saturday is a working day");
    let (ok, _, err) = run(&[
        "--data-dir",
        data_arg,
        "calendar",
        "add-working-days",
        "2025-02-30",
        "3",
    ]);
    assert!(!ok && !err.is_empty());
    assert!(
        !dir.join("none").exists(),
        "date arithmetic creates no database"
    );
    let mut child = Command::new(GONGKAI)
        .args([
            "--data-dir",
            data_arg,
            "calendar",
            "add-working-days",
            "--stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"2026-02-10 7\n2026-02-10 20\n\n2025-12-31 20\n")
        .expect("write");
    let output = child.wait_with_output().expect("output");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "2026-02-26\n2026-03-16\n2026-01-29\n"
    );
    // Importing a year stores it; later arithmetic uses it.
    let file = dir.join("2027.json");
    std::fs::write(
        &file,
        r#"{"year": 2027, "papers": [], "days": [{"name": "春节", "date": "2027-02-08", "isOffDay": true}]}"#,
    )
    .expect("write");
    let data2 = dir.join("with-db");
    let data2 = data2.to_str().expect("utf-8");
    let (ok, out, err) = run(&[
        "--data-dir",
        data2,
        "calendar",
        "import",
        file.to_str().expect("utf-8"),
    ]);
    assert!(ok, "{out} {err}");
    let (_, out, _) = run(&[
        "--data-dir",
        data2,
        "calendar",
        "is-working-day",
        "2027-02-08",
    ]);
    assert_eq!(out, "false\n");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn config_reference_matches_the_committed_document() {
    let (ok, out, _) = run(&["config", "reference"]);
    assert!(ok);
    assert_eq!(out, include_str!("../../../docs/config.md"));
}

#[test]
fn report_annual_prints_the_report_in_four_formats() {
    let dir = temp_dir("report");
    let data_arg = dir.to_str().expect("utf-8").to_string();
    drop(start(&dir, &[]));
    let report = |format: &str, extra: &[&str]| {
        let mut args = vec![
            "--data-dir",
            &data_arg,
            "report",
            "annual",
            "--agency",
            "demo-city",
            "--year",
            "2026",
            "--format",
            format,
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let (ok, out, err) = report("json", &[]);
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    let table3 = &json["sections"]["三、收到和处理政府信息公开申请情况"];
    assert_eq!(table3["一、本年新收政府信息公开申请数量"]["总计"], 0);
    assert_eq!(table3["四、结转下年度继续办理"]["自然人"], 0);
    assert_eq!(table3.as_object().map(|r| r.len()), Some(25));
    assert_eq!(
        json["sections"]["四、政府信息公开行政复议、行政诉讼情况"]["行政诉讼 / 复议后起诉"]["总计"],
        0
    );
    let (ok, html, _) = report("html", &[]);
    assert!(ok && html.contains("<th scope=\"row\""));
    assert!(html.contains("六、其他需要报告的事项"));
    let xlsx_path = dir.join("report.xlsx");
    let xlsx_arg = xlsx_path.to_str().expect("utf-8").to_string();
    let (ok, _, err) = report("xlsx", &["--output", &xlsx_arg]);
    assert!(ok, "{err}");
    assert!(std::fs::read(&xlsx_path).expect("xlsx").starts_with(b"PK"));
    let pdf_path = dir.join("report.pdf");
    let pdf_arg = pdf_path.to_str().expect("utf-8").to_string();
    let (ok, _, err) = report("pdf", &["--output", &pdf_arg]);
    // Without a CJK font the PDF cannot be made, and the command says why.
    if ok {
        assert!(std::fs::read(&pdf_path).expect("pdf").starts_with(b"%PDF"));
    } else {
        assert!(
            std::env::var_os("GONGKAI_REQUIRE_PDF_TOOLS").is_none() && err.contains("font"),
            "{err}"
        );
    }
    let (ok, _, err) = run(&[
        "--data-dir",
        &data_arg,
        "report",
        "annual",
        "--agency",
        "nowhere",
        "--year",
        "2026",
    ]);
    assert!(!ok && err.contains("nowhere"), "{err}");
    let (ok, _, err) = report("doc", &[]);
    assert!(!ok && err.contains("--format"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn redact_prints_the_spans_of_every_line() {
    let dir = temp_dir("redact");
    let input = dir.join("texts.jsonl");
    std::fs::write(
        &input,
        concat!(
            "{\"id\":\"a\",\"text\":\"申请人张伟，身份证号11010519491231002X，电话13800138000。\"}\n",
            "{\"id\":7,\"text\":\"依据国办发〔2024〕12号第十二条，统一社会信用代码91110000100000000X。\"}\n",
        ),
    )
    .expect("input written");
    let (ok, stdout, stderr) = run(&["redact", "--jsonl", input.to_str().expect("utf-8 path")]);
    assert!(ok, "{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "a");
    let categories: Vec<&str> = lines[0]["spans"]
        .as_array()
        .expect("spans")
        .iter()
        .filter_map(|s| s["category"].as_str())
        .collect();
    assert!(categories.contains(&"id_number"), "{stdout}");
    assert!(categories.contains(&"phone"), "{stdout}");
    // Offsets are in characters: the ID number starts after "申请人张伟，身份证号".
    let id_span = lines[0]["spans"]
        .as_array()
        .expect("spans")
        .iter()
        .find(|s| s["category"] == "id_number")
        .cloned()
        .expect("an id span");
    assert_eq!(id_span["start"], 10);
    assert_eq!(id_span["end"], 28);
    // 文号, article numbers and credit codes are public facts, never redacted.
    assert_eq!(lines[1]["id"], 7);
    assert_eq!(lines[1]["spans"], serde_json::json!([]), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn classify_prints_a_kind_and_reasons_per_line() {
    let dir = temp_dir("classify");
    let input = dir.join("applications.jsonl");
    std::fs::write(
        &input,
        concat!(
            "{\"id\":\"c\",\"text\":\"我要举报某公司长期偷排污水，请求环保部门立即查处。\"}\n",
            "{\"id\":\"r\",\"text\":\"请公开2025年本区老旧小区改造项目的招标文件和中标合同。\"}\n",
        ),
    )
    .expect("input written");
    let (ok, stdout, stderr) = run(&["classify", "--jsonl", input.to_str().expect("utf-8 path")]);
    assert!(ok, "{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines[0]["kind"], "petition_complaint", "{stdout}");
    assert_eq!(lines[1]["kind"], "information_request", "{stdout}");
    assert!(
        lines[0]["reasons"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
    let _ = std::fs::remove_dir_all(&dir);
}
