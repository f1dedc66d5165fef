//! `gongkai verify` as an outside checker uses it, against a running `gongkai serve` and
//! against a log written by `gongkai transparency export`: a published document's download is
//! found and proven in the signed log, a file that was never published is not, a checkpoint
//! saved earlier is proven to be a prefix of today's log, and a tampered checkpoint, a tampered
//! exported entry or a wrong key fail with a message naming the problem.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const GONGKAI: &str = env!("CARGO_BIN_EXE_gongkai");

fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "gongkai-verify-{label}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn free_address() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr")
}

/// GET over HTTP/1.1 with `Connection: close`; the status and the body's exact bytes.
fn http_get(addr: SocketAddr, path: &str) -> Option<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    assert!(
        !head.contains("transfer-encoding: chunked"),
        "this helper reads only bodies with a length: {head}"
    );
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, response[split + 4..].to_vec()))
}

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
    let mut child = Command::new(GONGKAI)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("serve")
        .arg("--listen")
        .arg(addr.to_string())
        .env_remove("GONGKAI_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("gongkai starts");
    let stdout = child.stdout.take().expect("stdout");
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in BufReader::new(stdout).lines() {});
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if http_get(addr, "/healthz").is_some_and(|(status, _)| status == 200) {
            return Server { child, addr };
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("gongkai serve did not answer /healthz within 60 s");
}

fn run(data_dir: &Path, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(GONGKAI)
        .arg("--data-dir")
        .arg(data_dir)
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

fn law_line(id: &str, title: &str) -> String {
    serde_json::json!({
        "id": id, "title": title, "issuer": "国务院", "date": "2020-01-01", "valid_from": null,
        "level": "行政法规", "category": "行政法规", "expired": false,
        "header": ["公布日期"], "body": format!("第一条 {title}。"),
    })
    .to_string()
}

fn import(data_dir: &Path, lines: &[String]) {
    let file = data_dir.join(format!("import-{}.jsonl", lines.len()));
    std::fs::write(&file, lines.join("\n")).expect("jsonl written");
    let file = file.to_str().expect("utf-8 path");
    let (ok, stdout, stderr) = run(data_dir, &["import", "laws-jsonl", file]);
    assert!(ok, "import failed: {stdout}{stderr}");
}

fn path_text(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// One log that grew after a checkpoint was saved, served again, with the key, the saved
/// checkpoint and a published version's download on disk.
struct Fixture {
    data_dir: PathBuf,
    server: Server,
    key: String,
    older_checkpoint: PathBuf,
    published_file: PathBuf,
}

fn fixture(label: &str) -> Fixture {
    let data_dir = temp_dir(label);
    import(
        &data_dir,
        &[
            law_line("lrb-verify00001", "核验示范条例"),
            law_line("lrb-verify00002", "核验示范办法"),
        ],
    );
    let server = start(&data_dir);
    let (status, key) = http_get(server.addr, "/transparency/key").expect("key");
    assert_eq!(status, 200);
    let key = String::from_utf8(key).expect("utf-8").trim().to_owned();
    let (status, checkpoint) = http_get(server.addr, "/transparency/checkpoint").expect("note");
    assert_eq!(status, 200);
    let older_checkpoint = data_dir.join("older-checkpoint");
    std::fs::write(&older_checkpoint, checkpoint).expect("saved");
    let (status, download) =
        http_get(server.addr, "/documents/lrb-verify00001/versions/1.json").expect("download");
    assert_eq!(status, 200);
    let published_file = data_dir.join("downloaded-v1.json");
    std::fs::write(&published_file, download).expect("saved");
    drop(server);
    // The log grows after the checkpoint was saved.
    import(&data_dir, &[law_line("lrb-verify00003", "核验示范规定")]);
    let server = start(&data_dir);
    Fixture {
        data_dir,
        server,
        key,
        older_checkpoint,
        published_file,
    }
}

#[test]
fn verify_against_a_running_server() {
    let f = fixture("server");
    let url = format!("http://{}", f.server.addr);
    let saved = f.data_dir.join("current-checkpoint");

    // A valid file and entry pass, and the older checkpoint is a prefix of today's log.
    let (ok, stdout, stderr) = run(
        &f.data_dir,
        &[
            "verify",
            "--server",
            &url,
            "--key",
            &f.key,
            "--file",
            path_text(&f.published_file),
            "--entry",
            "0",
            "--older",
            path_text(&f.older_checkpoint),
            "--save-checkpoint",
            path_text(&saved),
        ],
    );
    assert!(ok, "verify failed: {stdout}\n{stderr}");
    assert!(
        stdout.contains("ok: checkpoint of gongkai.local/log"),
        "{stdout}"
    );
    assert!(
        stdout.contains("document_version_published lrb-verify00001@v1"),
        "{stdout}"
    );
    assert!(stdout.contains("extends the older checkpoint"), "{stdout}");
    assert!(saved.exists());

    // The key may also be given as a file.
    let key_file = f.data_dir.join("log.vkey");
    std::fs::write(&key_file, format!("{}\n", f.key)).expect("key file");
    let (ok, _, stderr) = run(
        &f.data_dir,
        &["verify", "--server", &url, "--key", path_text(&key_file)],
    );
    assert!(ok, "{stderr}");

    // A file that was never published is not in the log.
    let stranger = f.data_dir.join("stranger.json");
    std::fs::write(&stranger, b"{\"not\":\"published\"}").expect("file");
    let (ok, _, stderr) = run(
        &f.data_dir,
        &[
            "verify",
            "--server",
            &url,
            "--key",
            &f.key,
            "--file",
            path_text(&stranger),
        ],
    );
    assert!(!ok);
    assert!(stderr.contains("is in none of the"), "{stderr}");

    // A downloaded file changed by one byte is not in the log either.
    let mut changed = std::fs::read(&f.published_file).expect("read");
    let last = changed.len() - 2;
    changed[last] ^= 0x01;
    let changed_file = f.data_dir.join("changed.json");
    std::fs::write(&changed_file, changed).expect("file");
    let (ok, _, stderr) = run(
        &f.data_dir,
        &[
            "verify",
            "--server",
            &url,
            "--key",
            &f.key,
            "--file",
            path_text(&changed_file),
        ],
    );
    assert!(!ok, "a changed file passed");
    assert!(stderr.contains("is in none of the"), "{stderr}");

    // A tampered saved checkpoint (a changed tree size) fails its signature.
    let note = std::fs::read_to_string(&f.older_checkpoint).expect("note");
    let mut lines: Vec<&str> = note.split('\n').collect();
    let size: u64 = lines[1].parse().expect("size line");
    let tampered_size = (size + 1).to_string();
    lines[1] = &tampered_size;
    let tampered = f.data_dir.join("tampered-checkpoint");
    std::fs::write(&tampered, lines.join("\n")).expect("file");
    let (ok, _, stderr) = run(
        &f.data_dir,
        &[
            "verify",
            "--server",
            &url,
            "--key",
            &f.key,
            "--older",
            path_text(&tampered),
        ],
    );
    assert!(!ok, "a tampered checkpoint passed");
    assert!(stderr.contains("signature"), "{stderr}");

    // Another log's key does not open the server's checkpoint.
    let other_key = "gongkai.local/log+00000000+AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB";
    let (ok, _, stderr) = run(
        &f.data_dir,
        &["verify", "--server", &url, "--key", other_key],
    );
    assert!(!ok, "a wrong key passed");
    assert!(
        stderr.contains("key") || stderr.contains("signature"),
        "{stderr}"
    );

    // An entry beyond the signed tree is refused.
    let (ok, _, stderr) = run(
        &f.data_dir,
        &[
            "verify", "--server", &url, "--key", &f.key, "--entry", "1000000",
        ],
    );
    assert!(!ok);
    assert!(stderr.contains("not in the signed tree"), "{stderr}");
}

#[test]
fn verify_an_exported_log_and_catch_tampering_in_it() {
    let f = fixture("export");
    let export = f.data_dir.join("exported-log");
    let (ok, stdout, stderr) = run(&f.data_dir, &["transparency", "export", path_text(&export)]);
    assert!(ok, "export failed: {stdout}{stderr}");
    assert!(export.join("checkpoint").exists());
    assert!(
        first_file_below(&export.join("tile/0")).is_some(),
        "no hash tile"
    );

    let verify_dir = |dir: &Path| {
        run(
            &f.data_dir,
            &[
                "verify",
                "--dir",
                path_text(dir),
                "--key",
                &f.key,
                "--file",
                path_text(&f.published_file),
                "--older",
                path_text(&f.older_checkpoint),
            ],
        )
    };
    let (ok, stdout, stderr) = verify_dir(&export);
    assert!(ok, "verify --dir failed: {stdout}\n{stderr}");
    assert!(stdout.contains("entries re-hashed"), "{stdout}");
    assert!(stdout.contains("extends the older checkpoint"), "{stdout}");

    // The exported checkpoint with a changed root fails its signature.
    let note = std::fs::read_to_string(export.join("checkpoint")).expect("note");
    let mut lines: Vec<String> = note.split('\n').map(str::to_owned).collect();
    let mut root = lines[2].clone().into_bytes();
    root[0] = if root[0] == b'A' { b'B' } else { b'A' };
    lines[2] = String::from_utf8(root).expect("ascii");
    std::fs::write(export.join("checkpoint"), lines.join("\n")).expect("tampered");
    let (ok, _, stderr) = verify_dir(&export);
    assert!(!ok, "a tampered checkpoint passed");
    assert!(
        stderr.contains("checkpoint") && stderr.contains("signature"),
        "{stderr}"
    );
    std::fs::write(export.join("checkpoint"), &note).expect("restored");

    // One changed byte in an exported entry no longer hashes to the signed root.
    let bundle_path = first_file_below(&export.join("tile/entries")).expect("an entry bundle");
    let mut bundle = std::fs::read(&bundle_path).expect("bundle");
    let position = bundle.len() - 3;
    bundle[position] ^= 0x01;
    std::fs::write(&bundle_path, bundle).expect("tampered");
    let (ok, _, stderr) = verify_dir(&export);
    assert!(!ok, "a tampered entry passed");
    assert!(stderr.contains("FAILED"), "{stderr}");
}

fn first_file_below(dir: &Path) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_file() {
            return Some(path);
        }
        if let Some(found) = first_file_below(&path) {
            return Some(found);
        }
    }
    None
}

/// The independent verifier (scripts/install-independent-verifier.sh: a Go program whose checks
/// are all made by golang.org/x/mod/sumdb/note and .../tlog), or `None` to skip. CI sets
/// `GONGKAI_REQUIRE_BROWSER=1`, under which a missing verifier is a failure, not a skip.
fn independent_verifier() -> Option<PathBuf> {
    let path = std::env::var_os("GONGKAI_GO_VERIFIER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root/.cache/gongkai-go-verify/gongkai-go-verify"));
    if path.is_file() {
        return Some(path);
    }
    let message = format!(
        "the independent verifier is missing at {}: run scripts/install-independent-verifier.sh",
        path.display()
    );
    if std::env::var("GONGKAI_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("GONGKAI_REQUIRE_BROWSER=1 but {message}");
    }
    eprintln!("skipped: {message}");
    None
}

fn run_independent(verifier: &Path, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(verifier)
        .args(args)
        .output()
        .expect("the verifier runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn an_independent_verifier_checks_the_live_log() {
    let Some(verifier) = independent_verifier() else {
        return;
    };
    let f = fixture("independent");
    let url = format!("http://{}", f.server.addr);

    // Signature, every entry re-hashed into the signed root, an inclusion proof for every
    // entry (also rebuilt from the tiles), consistency from sizes the verifier picks and from
    // the checkpoint saved before the log grew.
    let (ok, stdout, stderr) = run_independent(
        &verifier,
        &[
            "-server",
            &url,
            "-key",
            &f.key,
            "-older",
            path_text(&f.older_checkpoint),
        ],
    );
    assert!(ok, "the independent verifier failed: {stdout}\n{stderr}");
    for expected in [
        "ok: checkpoint of gongkai.local/log signed by the pinned key",
        "re-hashed, give the signed root",
        "inclusion proofs verified against the signed root",
        "consistency proofs verified",
        "extends the older checkpoint",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} missing from {stdout}"
        );
    }

    // Another key of the same name: the signature does not verify.
    let stranger = gongkai_domain::signed_note::NoteSigner::from_seed("gongkai.local/log", [7; 32])
        .expect("signer")
        .verifier()
        .to_vkey();
    let (ok, _, stderr) = run_independent(&verifier, &["-server", &url, "-key", &stranger]);
    assert!(!ok, "a checkpoint passed with a key that did not sign it");
    assert!(
        stderr.contains("does not verify with the pinned key"),
        "{stderr}"
    );

    // A fork: an older checkpoint of the same size with another root, validly signed with the
    // log's own key (as a compromised server could), is not a prefix of the current tree.
    let older = std::fs::read_to_string(&f.older_checkpoint).expect("older checkpoint");
    let older_size: u64 = older
        .lines()
        .nth(1)
        .and_then(|line| line.parse().ok())
        .expect("a size line");
    let key_text = std::fs::read_to_string(f.data_dir.join("transparency-log.key")).expect("key");
    let signer =
        gongkai_domain::signed_note::NoteSigner::parse(key_text.trim_end()).expect("log key");
    let other_root = gongkai_domain::tlog::record_hash(b"another history");
    let forged = gongkai_domain::tlog::Checkpoint::new(
        "gongkai.local/log",
        older_size,
        other_root,
        Vec::new(),
    )
    .expect("checkpoint");
    let forged = signer.sign(&forged.to_text()).expect("signed");
    let forged_file = f.data_dir.join("forged-checkpoint");
    std::fs::write(&forged_file, forged).expect("written");
    let (ok, _, stderr) = run_independent(
        &verifier,
        &[
            "-server",
            &url,
            "-key",
            &f.key,
            "-older",
            path_text(&forged_file),
        ],
    );
    assert!(!ok, "a forked older checkpoint passed");
    assert!(
        stderr.contains("does not extend the older checkpoint"),
        "{stderr}"
    );
}
