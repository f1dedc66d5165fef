//! `gongkai verify` and `gongkai transparency export`: checking the transparency log from the
//! outside, as anyone without access to the database would (issue 6, "Tools").
//!
//! `verify` trusts nothing it reads from the log but the verifier key it is given: it opens the
//! current checkpoint with that key (C2SP signed-note over a C2SP tlog-checkpoint), then checks
//! every claim against the checkpoint's root with RFC 9162 §2.1.3 inclusion proofs and §2.1.4
//! consistency proofs. The proof checking itself is the pure code of `gongkai_domain::tlog`;
//! this module only fetches bytes and reports.
//!
//! The log is read either from a running server (`--server URL`, the public `/transparency`
//! endpoints, over plain HTTP/1.1) or from a directory in the C2SP tlog-tiles layout
//! (`--dir DIR`, as `gongkai transparency export DIR` writes it or any mirror holds it). From a
//! directory the whole tree is rebuilt from the entry bundles, so every entry is re-hashed, the
//! rebuilt root must be the signed one, and every hash tile present must agree with it.

use crate::config::Resolved;
use anyhow::{Context, anyhow, bail};
use gongkai_domain::signed_note::NoteVerifier;
use gongkai_domain::tlog::{
    self, Checkpoint, Hash, HashReader, LeafFields, RecordProof, Tile, TileKind, TreeProof,
    base64_decode, check_record, check_tree, hash_tile_bytes, open_checkpoint, parse_entry_bundle,
    parse_leaf, prove_record, prove_tree, record_hash, stored_hashes, tree_hash,
};
use gongkai_service::{Clock, ServiceConfig, Services};
use http_body_util::BodyExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The options of `gongkai verify`.
#[derive(clap::Args, Debug)]
pub(crate) struct VerifyArgs {
    /// The base URL of a running server, e.g. http://127.0.0.1:8080 (plain HTTP; the log is
    /// read under /transparency).
    #[arg(long, conflicts_with = "dir", required_unless_present = "dir")]
    server: Option<String>,
    /// A log in the C2SP tlog-tiles layout (`checkpoint`, `tile/…`), as written by
    /// `gongkai transparency export`.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// The log's verifier key, `name+keyid+base64`, or a file holding it. Take it from a
    /// source independent of the server (the agency's website, its annual report).
    #[arg(long)]
    key: String,
    /// A file to find in the log by the SHA-256 of its bytes (e.g. a document version's .json
    /// download); repeatable.
    #[arg(long = "file")]
    files: Vec<PathBuf>,
    /// A log entry index whose inclusion to check; repeatable.
    #[arg(long = "entry")]
    entries: Vec<u64>,
    /// A checkpoint saved earlier: checks that the current log is an append-only extension of it.
    #[arg(long)]
    older: Option<PathBuf>,
    /// Write the current checkpoint here once it is verified, to pass as --older next time.
    #[arg(long)]
    save_checkpoint: Option<PathBuf>,
}

/// The most bytes one HTTP answer may have: a page of 1,000 entries of at most 64 KiB each,
/// base64-encoded, stays below it.
const RESPONSE_BYTES_MAX: usize = 96 * 1024 * 1024;
/// How long one HTTP request may take, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Entries asked for per request (the server's page limit).
const ENTRIES_PER_REQUEST: u64 = 1000;

/// Where the log is read from.
enum LogSource {
    Server(HttpLog),
    Directory(TileDirectory),
}

impl LogSource {
    async fn checkpoint_note(&self) -> anyhow::Result<String> {
        match self {
            LogSource::Server(http) => http.get_text("/transparency/checkpoint").await,
            LogSource::Directory(dir) => dir.read_text("checkpoint"),
        }
    }

    /// Entries `start`, `start + 1`, … (at most `limit`), with their indexes.
    async fn entries(&self, start: u64, limit: u64) -> anyhow::Result<Vec<(u64, Vec<u8>)>> {
        match self {
            LogSource::Server(http) => http.entries(start, limit).await,
            LogSource::Directory(dir) => Ok(dir.entries(start, limit)),
        }
    }

    async fn inclusion_proof(&self, index: u64, size: u64) -> anyhow::Result<RecordProof> {
        match self {
            LogSource::Server(http) => {
                let answer: ProofAnswer = http
                    .get_json(&format!(
                        "/transparency/proof/inclusion?index={index}&size={size}"
                    ))
                    .await?;
                Ok(RecordProof(decode_hashes(&answer.proof)?))
            }
            LogSource::Directory(dir) => Ok(prove_record(size, index, &dir.stored)?),
        }
    }

    async fn consistency_proof(&self, from: u64, to: u64) -> anyhow::Result<TreeProof> {
        match self {
            LogSource::Server(http) => {
                let answer: ProofAnswer = http
                    .get_json(&format!(
                        "/transparency/proof/consistency?from={from}&to={to}"
                    ))
                    .await?;
                Ok(TreeProof(decode_hashes(&answer.proof)?))
            }
            LogSource::Directory(dir) => Ok(prove_tree(to, from, &dir.stored)?),
        }
    }
}

#[derive(serde::Deserialize)]
struct ProofAnswer {
    proof: Vec<String>,
}

#[derive(serde::Deserialize)]
struct EntriesAnswer {
    entries: Vec<EntryAnswer>,
}

#[derive(serde::Deserialize)]
struct EntryAnswer {
    index: u64,
    data: String,
}

fn decode_hashes(encoded: &[String]) -> anyhow::Result<Vec<Hash>> {
    encoded
        .iter()
        .map(|text| Hash::from_base64(text).map_err(|e| anyhow!("a proof hash {text:?}: {e}")))
        .collect()
}

/// A running server reached over plain HTTP/1.1, one connection per request.
struct HttpLog {
    /// `host:port`, for the connection and the Host header.
    authority: String,
    /// The path before `/transparency`, without a final slash (usually empty).
    prefix: String,
}

impl HttpLog {
    fn new(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("https://") {
            bail!(
                "--server {url}: only plain http:// is spoken here; verify a TLS site through a \
                 local proxy, or mirror its tiles and use --dir"
            );
        }
        let rest = url
            .strip_prefix("http://")
            .with_context(|| format!("--server {url:?} is not an http:// URL"))?;
        let (authority, path) = match rest.split_once('/') {
            Some((authority, path)) => (authority, format!("/{path}")),
            None => (rest, String::new()),
        };
        if authority.is_empty() || authority.contains('@') {
            bail!("--server {url:?} names no host (user information is not accepted)");
        }
        let authority = if authority.contains(':') {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        Ok(Self {
            authority,
            prefix: path.trim_end_matches('/').to_owned(),
        })
    }

    async fn get(&self, path_and_query: &str) -> anyhow::Result<Vec<u8>> {
        let target = format!("{}{path_and_query}", self.prefix);
        let request = async {
            let stream = tokio::net::TcpStream::connect(&self.authority)
                .await
                .with_context(|| format!("cannot connect to {}", self.authority))?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .context("HTTP handshake")?;
            // The connection is driven in the background until the answer is read.
            let driver = tokio::spawn(connection);
            let request = hyper::Request::get(&target)
                .header(hyper::header::HOST, &self.authority)
                .header(hyper::header::USER_AGENT, "gongkai-verify")
                .body(http_body_util::Empty::<hyper::body::Bytes>::new())
                .with_context(|| format!("cannot build a request for {target}"))?;
            let response = sender.send_request(request).await.context("HTTP request")?;
            let status = response.status();
            let body = http_body_util::Limited::new(response.into_body(), RESPONSE_BYTES_MAX)
                .collect()
                .await
                .map_err(|e| anyhow!("reading the answer: {e}"))?
                .to_bytes()
                .to_vec();
            driver.abort();
            if !status.is_success() {
                let text = String::from_utf8_lossy(&body);
                let snippet: String = text.chars().take(200).collect();
                bail!("the server answered {status}: {snippet}");
            }
            Ok(body)
        };
        tokio::time::timeout(REQUEST_TIMEOUT, request)
            .await
            .map_err(|_| anyhow!("no answer within {} s", REQUEST_TIMEOUT.as_secs()))?
            .with_context(|| format!("GET http://{}{target}", self.authority))
    }

    async fn get_text(&self, path: &str) -> anyhow::Result<String> {
        String::from_utf8(self.get(path).await?).map_err(|_| anyhow!("{path} is not UTF-8"))
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        let body = self.get(path).await?;
        serde_json::from_slice(&body).with_context(|| format!("{path}: unexpected JSON"))
    }

    async fn entries(&self, start: u64, limit: u64) -> anyhow::Result<Vec<(u64, Vec<u8>)>> {
        let answer: EntriesAnswer = self
            .get_json(&format!(
                "/transparency/entries?start={start}&limit={limit}"
            ))
            .await?;
        answer
            .entries
            .into_iter()
            .map(|entry| {
                let data = base64_decode(&entry.data)
                    .map_err(|e| anyhow!("entry {}: data: {e}", entry.index))?;
                Ok((entry.index, data))
            })
            .collect()
    }
}

/// A log in the C2SP tlog-tiles layout on disk, read whole: its entries and the stored hashes
/// rebuilt from them.
struct TileDirectory {
    dir: PathBuf,
    entries: Vec<Vec<u8>>,
    stored: Vec<Hash>,
}

impl TileDirectory {
    fn read_text(&self, name: &str) -> anyhow::Result<String> {
        let path = self.dir.join(name);
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    }

    /// Reads the entry bundles of a tree of `size` entries, rebuilds the tree from them and
    /// checks every hash tile against it. Called once the checkpoint's signature is verified,
    /// so that `size` is the signed one.
    fn load(&mut self, size: u64) -> anyhow::Result<()> {
        for tile in tiles_of_tree(size, TileKind::Entries) {
            let path = self.dir.join(tile.to_path());
            let bytes = std::fs::read(&path)
                .with_context(|| format!("cannot read the entry bundle {}", path.display()))?;
            let entries =
                parse_entry_bundle(&bytes).map_err(|e| anyhow!("{}: {e}", path.display()))?;
            if entries.len() != usize::from(tile.width()) {
                bail!(
                    "{} holds {} entries instead of {}",
                    path.display(),
                    entries.len(),
                    tile.width()
                );
            }
            for data in entries {
                let n = self.entries.len() as u64;
                let new_hashes = stored_hashes(n, data, &self.stored)?;
                self.stored.extend(new_hashes);
                self.entries.push(data.to_vec());
            }
        }
        for level in 0..=tlog::TILE_LEVEL_MAX {
            for tile in tiles_of_tree(size, TileKind::Hashes { level }) {
                let path = self.dir.join(tile.to_path());
                let bytes = std::fs::read(&path)
                    .with_context(|| format!("cannot read the hash tile {}", path.display()))?;
                let expected =
                    hash_tile_bytes(&self.stored.read_hashes(&tile.hash_read_indexes())?);
                if bytes != expected {
                    bail!(
                        "the hash tile {} does not match the entries",
                        path.display()
                    );
                }
            }
        }
        Ok(())
    }

    fn entries(&self, start: u64, limit: u64) -> Vec<(u64, Vec<u8>)> {
        (start..start.saturating_add(limit))
            .map_while(|n| {
                let data = self.entries.get(usize::try_from(n).ok()?)?;
                Some((n, data.clone()))
            })
            .collect()
    }
}

/// The tiles of one kind that a tree of `size` entries fills: the full ones and, when the last
/// is incomplete, the partial one (C2SP tlog-tiles).
fn tiles_of_tree(size: u64, kind: TileKind) -> Vec<Tile> {
    let positions = match kind {
        TileKind::Entries => size,
        TileKind::Hashes { level } => size
            .checked_shr(tlog::TILE_HEIGHT * u32::from(level))
            .unwrap_or(0),
    };
    let full = positions / tlog::TILE_WIDTH;
    let rest = positions % tlog::TILE_WIDTH;
    let mut tiles: Vec<Tile> = (0..full)
        .filter_map(|index| Tile::new(kind, index, tlog::TILE_WIDTH as u16).ok())
        .collect();
    if rest > 0 {
        tiles.extend(Tile::new(kind, full, rest as u16).ok());
    }
    tiles
}

/// The verifier key given as text, or the first line of the file it names.
fn read_verifier(key: &str) -> anyhow::Result<NoteVerifier> {
    let text = match NoteVerifier::parse(key.trim()) {
        Ok(verifier) => return Ok(verifier),
        Err(_) if Path::new(key).is_file() => std::fs::read_to_string(key)
            .with_context(|| format!("cannot read the key file {key}"))?,
        Err(e) => bail!("--key is neither a verifier key (name+keyid+base64) nor a file: {e}"),
    };
    NoteVerifier::parse(text.trim()).map_err(|e| anyhow!("the key file {key}: {e}"))
}

fn describe(index: u64, leaf: &LeafFields) -> String {
    format!(
        "entry {index}: {} {} at {}, sha256 {}",
        leaf.kind, leaf.subject, leaf.time_rfc3339, leaf.sha256_hex
    )
}

/// Checks that `data` is entry `index` of the tree the checkpoint signs.
async fn check_inclusion(
    source: &LogSource,
    checkpoint: &Checkpoint,
    index: u64,
    data: &[u8],
) -> anyhow::Result<()> {
    let proof = source.inclusion_proof(index, checkpoint.size()).await?;
    check_record(
        &proof,
        checkpoint.size(),
        checkpoint.root(),
        index,
        record_hash(data),
    )
    .map_err(|e| anyhow!("entry {index} is not proven in the signed tree: {e}"))
}

/// Runs `gongkai verify`; prints one line per check passed and fails naming every check that
/// did not pass.
pub(crate) async fn run(args: VerifyArgs) -> anyhow::Result<()> {
    let verifier = read_verifier(&args.key)?;
    let source = match (&args.server, &args.dir) {
        (Some(url), _) => LogSource::Server(HttpLog::new(url)?),
        (None, Some(dir)) => LogSource::Directory(TileDirectory {
            dir: dir.clone(),
            entries: Vec::new(),
            stored: Vec::new(),
        }),
        (None, None) => bail!("give --server URL or --dir DIR"),
    };
    let note = source.checkpoint_note().await?;
    // Nothing else can be trusted without a valid signature, so this failure ends the run.
    let checkpoint = open_checkpoint(&verifier, &note)
        .map_err(|e| anyhow!("FAILED: the current checkpoint: {e}"))?;
    println!(
        "ok: checkpoint of {} signed by {}: {} entries, root {}",
        checkpoint.origin(),
        verifier.to_vkey(),
        checkpoint.size(),
        checkpoint.root().to_base64()
    );
    let source = match source {
        LogSource::Directory(mut dir) => {
            dir.load(checkpoint.size())
                .map_err(|e| anyhow!("FAILED: the exported log: {e}"))?;
            let rebuilt = tree_hash(checkpoint.size(), &dir.stored)?;
            if rebuilt != checkpoint.root() {
                bail!(
                    "FAILED: the entries in {} hash to {}, not to the signed root",
                    dir.dir.display(),
                    rebuilt.to_base64()
                );
            }
            println!(
                "ok: all {} entries re-hashed; they and every hash tile give the signed root",
                checkpoint.size()
            );
            LogSource::Directory(dir)
        }
        server => server,
    };

    let mut failures: Vec<String> = Vec::new();
    if let Some(path) = &args.older {
        match check_older(&source, &verifier, &checkpoint, path).await {
            Ok(line) => println!("ok: {line}"),
            Err(e) => failures.push(format!("older checkpoint {}: {e:#}", path.display())),
        }
    }
    for &index in &args.entries {
        match check_entry(&source, &checkpoint, index).await {
            Ok(line) => println!("ok: {line}, included"),
            Err(e) => failures.push(format!("entry {index}: {e:#}")),
        }
    }
    for path in &args.files {
        match check_file(&source, &checkpoint, path).await {
            Ok(lines) => {
                for line in lines {
                    println!("ok: {} is {line}, included", path.display());
                }
            }
            Err(e) => failures.push(format!("file {}: {e:#}", path.display())),
        }
    }
    if failures.is_empty() {
        if let Some(path) = &args.save_checkpoint {
            std::fs::write(path, &note)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!("checkpoint saved to {}", path.display());
        }
        return Ok(());
    }
    for failure in &failures {
        eprintln!("FAILED: {failure}");
    }
    bail!("{} of the checks failed", failures.len())
}

async fn check_older(
    source: &LogSource,
    verifier: &NoteVerifier,
    current: &Checkpoint,
    path: &Path,
) -> anyhow::Result<String> {
    let note = std::fs::read_to_string(path).context("cannot read it")?;
    let older = open_checkpoint(verifier, &note)?;
    let (old_size, new_size) = (older.size(), current.size());
    if old_size > new_size {
        bail!(
            "it signs {old_size} entries but the log now has only {new_size}: the log was \
             rolled back or forked"
        );
    }
    if old_size == new_size {
        if older.root() != current.root() {
            bail!("same size {new_size} but a different root: the log was forked");
        }
        return Ok(format!(
            "older checkpoint of {old_size} entries is the current one"
        ));
    }
    if old_size > 0 {
        // RFC 9162 §2.1.4: the empty tree is a prefix of every tree and needs no proof.
        let proof = source.consistency_proof(old_size, new_size).await?;
        check_tree(&proof, new_size, current.root(), old_size, older.root()).map_err(|e| {
            anyhow!("the log of {new_size} entries does not extend the one of {old_size}: {e}")
        })?;
    }
    Ok(format!(
        "the log of {new_size} entries extends the older checkpoint of {old_size} entries"
    ))
}

async fn check_entry(
    source: &LogSource,
    checkpoint: &Checkpoint,
    index: u64,
) -> anyhow::Result<String> {
    if index >= checkpoint.size() {
        bail!("not in the signed tree of {} entries", checkpoint.size());
    }
    let entries = source.entries(index, 1).await?;
    let Some((_, data)) = entries.into_iter().find(|(n, _)| *n == index) else {
        bail!("the log does not return it");
    };
    check_inclusion(source, checkpoint, index, &data).await?;
    let leaf =
        parse_leaf(&data).map_err(|e| anyhow!("included, but its data is not a record: {e}"))?;
    Ok(describe(index, &leaf))
}

async fn check_file(
    source: &LogSource,
    checkpoint: &Checkpoint,
    path: &Path,
) -> anyhow::Result<Vec<String>> {
    let bytes = std::fs::read(path).context("cannot read it")?;
    let digest = gongkai_service::sha256_hex(&bytes);
    // Every entry of the signed tree is read; the entries that name this digest are then each
    // proven against the signed root, so a source that invents a matching entry is caught.
    let mut found = Vec::new();
    let mut start = 0;
    while start < checkpoint.size() {
        let limit = ENTRIES_PER_REQUEST.min(checkpoint.size() - start);
        let page = source.entries(start, limit).await?;
        let Some(&(last, _)) = page.last() else {
            bail!("the log returns no entries from {start} on");
        };
        for (index, data) in page {
            if index >= checkpoint.size() {
                break;
            }
            if let Ok(leaf) = parse_leaf(&data)
                && leaf.sha256_hex == digest
            {
                found.push((index, data, leaf));
            }
        }
        start = last + 1;
    }
    if found.is_empty() {
        bail!(
            "its sha256 {digest} is in none of the {} entries of the signed log",
            checkpoint.size()
        );
    }
    let mut lines = Vec::new();
    for (index, data, leaf) in found {
        check_inclusion(source, checkpoint, index, &data).await?;
        lines.push(describe(index, &leaf));
    }
    Ok(lines)
}

/// Runs `gongkai transparency export DIR`: the current checkpoint and every tile of the tree it
/// signs (C2SP tlog-tiles), the same bytes the server offers under `/transparency`.
pub(crate) async fn export(resolved: &Resolved, dir: &Path) -> anyhow::Result<()> {
    let (name, key_path) = crate::keys::log_key_settings(resolved);
    if !key_path.exists() {
        // An export signed by a key made up on the spot would be worthless.
        bail!(
            "no transparency key at {}: export from the installation whose `serve` created it",
            key_path.display()
        );
    }
    let signer = gongkai_service::load_or_create_log_signer(&key_path, &name)
        .context("cannot load the transparency log's signing key")?;
    let db = crate::open_database(resolved).await?;
    let services = Services::new(db.clone(), Clock::System, ServiceConfig::default());
    let note = services.signed_checkpoint(&signer).await?;
    // The checkpoint fixes the size; tiles are immutable, so entries appended during the export
    // change nothing in the tiles of this size.
    let size = open_checkpoint(&signer.verifier(), &note)?.size();
    let mut tiles = tiles_of_tree(size, TileKind::Entries);
    for level in 0..=tlog::TILE_LEVEL_MAX {
        tiles.extend(tiles_of_tree(size, TileKind::Hashes { level }));
    }
    for tile in &tiles {
        let bytes = services
            .log_tile(*tile)
            .await?
            .with_context(|| format!("the log does not hold {}", tile.to_path()))?;
        let path = dir.join(tile.to_path());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    db.close().await;
    // The checkpoint is written last, so a directory with a checkpoint holds all its tiles.
    std::fs::write(dir.join("checkpoint"), &note)
        .with_context(|| format!("cannot write {}", dir.join("checkpoint").display()))?;
    println!(
        "exported {size} entries in {} tiles and the checkpoint to {}",
        tiles.len(),
        dir.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_are_split_into_authority_and_prefix() -> anyhow::Result<()> {
        let plain = HttpLog::new("http://127.0.0.1:8080")?;
        assert_eq!(
            (plain.authority.as_str(), plain.prefix.as_str()),
            ("127.0.0.1:8080", "")
        );
        let prefixed = HttpLog::new("http://example.gov.cn/gongkai/")?;
        assert_eq!(
            (prefixed.authority.as_str(), prefixed.prefix.as_str()),
            ("example.gov.cn:80", "/gongkai")
        );
        assert!(HttpLog::new("https://example.gov.cn").is_err());
        assert!(HttpLog::new("ftp://example.gov.cn").is_err());
        assert!(HttpLog::new("http://user@example.gov.cn").is_err());
        Ok(())
    }

    #[test]
    fn a_tree_fills_full_tiles_and_one_partial_per_level() {
        let paths = |size, kind| {
            tiles_of_tree(size, kind)
                .iter()
                .map(Tile::to_path)
                .collect::<Vec<_>>()
        };
        assert!(paths(0, TileKind::Entries).is_empty());
        assert_eq!(paths(3, TileKind::Entries), ["tile/entries/000.p/3"]);
        assert_eq!(
            paths(257, TileKind::Hashes { level: 0 }),
            ["tile/0/000", "tile/0/001.p/1"]
        );
        assert_eq!(
            paths(257, TileKind::Hashes { level: 1 }),
            ["tile/1/000.p/1"]
        );
        assert!(paths(255, TileKind::Hashes { level: 1 }).is_empty());
    }
}
