//! The transparency log as a mirror or witness sees it over HTTP, on both databases: the signed
//! checkpoint verifies with the published key and names the tree head; the C2SP tlog-tiles
//! reproduce the stored hashes and the entries, and a root rebuilt from tiles alone equals the
//! checkpoint's; and two processes over one database with one key file publish byte-identical
//! checkpoints.

use std::collections::BTreeMap;
use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, header};
use gongkai_domain::signed_note::{NoteSigner, NoteVerifier};
use gongkai_domain::tlog::{
    Checkpoint, Hash, TILE_WIDTH, TreeProof, base64_decode, check_tree, leaf_json,
    parse_entry_bundle, parse_hash_tile, record_hash, stored_hash_count, stored_hash_index,
    stored_hashes, stored_hashes_for_record_hash, stored_hashes_read_indexes, tree_hash,
};
use gongkai_service::{Db, Services, load_or_create_log_signer};
use gongkai_testkit::{TestApp, TestResponse, all_databases, services};
use gongkai_web::{AppState, WebConfig};
use http_body_util::BodyExt;
use tower::ServiceExt;

const LOG_NAME: &str = "gongkai.test/log";

/// A key file in a fresh temporary directory, created as `gongkai serve` creates it.
fn key_file() -> anyhow::Result<(PathBuf, NoteSigner)> {
    let dir = std::env::temp_dir().join(format!(
        "gongkai-tlog-key-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let path = dir.join("transparency-log.key");
    let signer = load_or_create_log_signer(&path, LOG_NAME)?;
    Ok((path, signer))
}

/// The whole application over `services`, signing with `signer`: one `gongkai serve` process.
async fn process(services: Services, signer: NoteSigner) -> anyhow::Result<TestApp> {
    let mut app = TestApp::new(services.clone()).await?;
    let state = AppState::new(
        services,
        WebConfig {
            demo: true,
            ..WebConfig::default()
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?
    .with_log_signer(signer);
    app.router = gongkai_web::router(state);
    Ok(app)
}

/// Appends `count` leaves straight through the store, exactly as the service's `append_leaf`
/// does inside a business transaction, so that the log grows past a full tile quickly.
async fn append_filler_leaves(db: &Db, count: u64) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    tx.tlog_lock().await?;
    let now = time::macros::datetime!(2026-03-02 01:00 UTC);
    for _ in 0..count {
        let n = tx.tlog_size().await? as u64;
        let known: BTreeMap<u64, Hash> = tx
            .tlog_hashes(&stored_hashes_read_indexes(n)?)
            .await?
            .into_iter()
            .map(|(index, bytes)| Ok((index as u64, Hash(bytes.as_slice().try_into()?))))
            .collect::<anyhow::Result<_>>()?;
        let data = leaf_json(
            "test_filler",
            &format!("filler#{n}"),
            "2026-03-02T01:00:00Z",
            &"0".repeat(64),
            serde_json::Map::new(),
        )?;
        let hashes: Vec<Vec<u8>> = stored_hashes(n, &data, &known)?
            .iter()
            .map(|hash| hash.0.to_vec())
            .collect();
        tx.tlog_insert(
            n as i64,
            &data,
            None,
            stored_hash_index(0, n) as i64,
            &hashes,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn header_text<'r>(response: &'r TestResponse, name: &str) -> &'r str {
    response
        .headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
}

/// Fetches the key and the checkpoint and returns the verified checkpoint and its note.
async fn verified_checkpoint(app: &mut TestApp) -> anyhow::Result<(Checkpoint, String)> {
    let key = app.get("/transparency/key").await?;
    assert_eq!(key.status, 200);
    let verifier = NoteVerifier::parse(key.body.trim_end())?;
    let note = app.get("/transparency/checkpoint").await?;
    assert_eq!(note.status, 200);
    assert!(header_text(&note, "content-type").starts_with("text/plain"));
    let text = verifier.open(&note.body)?;
    Ok((Checkpoint::parse(text)?, note.body))
}

/// The bytes of a tile as served over HTTP, or `None` on 404. The body is read as raw bytes
/// (the test client's text bodies would mangle hashes).
async fn tile_bytes(app: &mut TestApp, path: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let request = Request::get(format!("/transparency/{path}")).body(Body::empty())?;
    let response = app.router.clone().oneshot(request).await?;
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let cache_control = response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = response.into_body().collect().await?.to_bytes().to_vec();
    match status.as_u16() {
        404 => Ok(None),
        200 => {
            assert_eq!(content_type, "application/octet-stream", "{path}");
            assert!(
                cache_control.contains("immutable"),
                "{path}: tiles never change"
            );
            Ok(Some(bytes))
        }
        status => anyhow::bail!("{path}: unexpected status {status}"),
    }
}

#[tokio::test]
async fn the_checkpoint_is_signed_and_names_the_tree_head() -> anyhow::Result<()> {
    let (key_path, signer) = key_file()?;
    for db in all_databases().await? {
        let s = services(&db.db);
        append_filler_leaves(&s.db, 5).await?;
        let mut app = process(s.clone(), signer.clone()).await?;
        let key = app.get("/transparency/key").await?;
        assert_eq!(key.body, format!("{}\n", signer.verifier().to_vkey()));
        let (checkpoint, note) = verified_checkpoint(&mut app).await?;
        let head = app.get("/transparency/tree-head").await?.json();
        assert_eq!(checkpoint.origin(), LOG_NAME, "{}", db.label);
        assert_eq!(checkpoint.size(), head["size"].as_u64().unwrap_or(0));
        assert_eq!(
            checkpoint.root().to_base64(),
            head["root"].as_str().unwrap_or("")
        );
        assert_eq!(checkpoint.size(), 5);
        // Any change to the note fails verification with the published key.
        let verifier = signer.verifier();
        for tampered in [
            note.replacen("\n5\n", "\n6\n", 1),
            note.replacen(LOG_NAME, "gongkai.evil/log", 1),
            note.replacen(
                &checkpoint.root().to_base64(),
                &Hash([0; 32]).to_base64(),
                1,
            ),
        ] {
            assert_ne!(tampered, note);
            assert!(verifier.open(&tampered).is_err(), "{tampered}");
        }
        // A process started without a key says so instead of serving an unsigned state.
        let mut unsigned = TestApp::new(s.clone()).await?;
        assert_eq!(unsigned.get("/transparency/checkpoint").await?.status, 503);
        assert_eq!(unsigned.get("/transparency/key").await?.status, 503);
        db.finish().await;
    }
    std::fs::remove_dir_all(key_path.parent().unwrap_or(&key_path)).ok();
    Ok(())
}

#[tokio::test]
async fn tiles_reproduce_the_stored_hashes_and_the_checkpoint_root() -> anyhow::Result<()> {
    let (key_path, signer) = key_file()?;
    for db in all_databases().await? {
        let s = services(&db.db);
        // 300 leaves: one full tile of 256 and a partial one of 44 at level 0, and one hash
        // (the root of the first 256 leaves) at level 1.
        append_filler_leaves(&s.db, 300).await?;
        let mut app = process(s.clone(), signer.clone()).await?;
        let (checkpoint, _) = verified_checkpoint(&mut app).await?;
        let size = checkpoint.size();
        assert_eq!(size, 300, "{}", db.label);

        // A mirror's view: level-0 tiles and entry bundles, nothing else.
        let mut leaves = Vec::new();
        let mut entries = Vec::new();
        for (hashes, bundle) in [
            ("tile/0/000", "tile/entries/000"),
            ("tile/0/001.p/44", "tile/entries/001.p/44"),
        ] {
            let hashes = tile_bytes(&mut app, hashes)
                .await?
                .expect("hash tile served");
            leaves.extend(parse_hash_tile(&hashes).expect("whole hashes"));
            let bundle = tile_bytes(&mut app, bundle).await?.expect("bundle served");
            entries.extend(parse_entry_bundle(&bundle)?.into_iter().map(<[u8]>::to_vec));
        }
        assert_eq!(leaves.len() as u64, size);
        assert_eq!(entries.len() as u64, size);
        // Each leaf hash is the hash of its entry, and the entries are the JSON API's.
        let listed = app
            .get("/transparency/entries?start=0&limit=1000")
            .await?
            .json();
        for (n, (leaf, entry)) in leaves.iter().zip(&entries).enumerate() {
            assert_eq!(*leaf, record_hash(entry), "leaf {n}");
            let data = listed["entries"][n]["data"].as_str().unwrap_or("");
            assert_eq!(&base64_decode(data)?, entry, "entry {n}");
        }
        // Rebuilding the tree from the leaves gives exactly the hashes the database stores …
        let mut rebuilt: Vec<Hash> = Vec::new();
        for (n, leaf) in leaves.iter().enumerate() {
            let hashes = stored_hashes_for_record_hash(n as u64, *leaf, &rebuilt)?;
            rebuilt.extend(hashes);
        }
        let indexes: Vec<u64> = (0..stored_hash_count(size)).collect();
        let stored: Vec<Hash> =
            s.db.tlog_hashes(&indexes)
                .await?
                .into_iter()
                .map(|(_, bytes)| Ok(Hash(bytes.as_slice().try_into()?)))
                .collect::<anyhow::Result<_>>()?;
        assert_eq!(
            rebuilt, stored,
            "{}: tiles reproduce the stored hashes",
            db.label
        );
        // … and the root the checkpoint signs.
        assert_eq!(tree_hash(size, &rebuilt)?, checkpoint.root());
        // The level-1 tile holds the root of the first 256 leaves.
        let level1 = tile_bytes(&mut app, "tile/1/000.p/1")
            .await?
            .expect("level 1");
        assert_eq!(
            parse_hash_tile(&level1).expect("one hash"),
            vec![tree_hash(TILE_WIDTH, &rebuilt)?]
        );
        // Nothing beyond the current size is served, and nothing under a non-canonical name.
        for absent in [
            "tile/0/001",
            "tile/0/001.p/45",
            "tile/entries/001",
            "tile/entries/001.p/45",
            "tile/1/000",
            "tile/1/000.p/2",
            "tile/2/000.p/1",
            "tile/0/1",
            "tile/0/x000/001.p/44",
            "tile/0/000.p/256",
            "tile/9/000",
            "tile/entries/abc",
        ] {
            assert_eq!(tile_bytes(&mut app, absent).await?, None, "{absent}");
        }
        db.finish().await;
    }
    std::fs::remove_dir_all(key_path.parent().unwrap_or(&key_path)).ok();
    Ok(())
}

#[tokio::test]
async fn a_second_process_with_the_same_key_file_serves_the_same_checkpoint() -> anyhow::Result<()>
{
    let (key_path, _) = key_file()?;
    for db in all_databases().await? {
        // Two processes: each its own services, web state and key, read from the one file.
        let first_services = services(&db.db);
        let second_services = services(&db.db);
        let mut first = process(
            first_services.clone(),
            load_or_create_log_signer(&key_path, LOG_NAME)?,
        )
        .await?;
        let mut second = process(
            second_services.clone(),
            load_or_create_log_signer(&key_path, LOG_NAME)?,
        )
        .await?;
        append_filler_leaves(&first_services.db, 3).await?;
        let (old, old_note) = verified_checkpoint(&mut first).await?;
        let (same, same_note) = verified_checkpoint(&mut second).await?;
        assert_eq!(
            old_note, same_note,
            "{}: byte-identical checkpoints",
            db.label
        );
        assert_eq!(old, same);
        // The log grows through the second process; both still agree, and the new tree
        // provably extends the old one.
        append_filler_leaves(&second_services.db, 4).await?;
        let (new, new_note) = verified_checkpoint(&mut first).await?;
        assert_eq!(verified_checkpoint(&mut second).await?.1, new_note);
        assert_eq!(new.size(), old.size() + 4);
        let proof = second
            .get(&format!(
                "/transparency/proof/consistency?from={}&to={}",
                old.size(),
                new.size()
            ))
            .await?
            .json();
        let proof = TreeProof(
            proof["proof"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|hash| {
                    let bytes = base64_decode(hash.as_str().unwrap_or(""))?;
                    Ok(Hash(bytes.as_slice().try_into()?))
                })
                .collect::<anyhow::Result<_>>()?,
        );
        check_tree(&proof, new.size(), new.root(), old.size(), old.root())?;
        db.finish().await;
    }
    std::fs::remove_dir_all(key_path.parent().unwrap_or(&key_path)).ok();
    Ok(())
}

fn history_law_line(id: &str, body: &str) -> String {
    serde_json::json!({
        "id": id, "title": "存证历史示范条例", "issuer": "国务院", "date": "2020-01-01",
        "valid_from": null, "level": "行政法规", "category": "行政法规", "expired": false,
        "header": ["公布日期"], "body": body,
    })
    .to_string()
}

#[tokio::test]
async fn a_documents_page_lists_its_history_read_from_the_log() -> anyhow::Result<()> {
    let (key_path, signer) = key_file()?;
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        // Two documents whose ids share a prefix, and other records in between.
        s.import_laws_jsonl(
            "demo-city",
            [
                history_law_line("lrb-hist0001", "第一条 示范。"),
                history_law_line("lrb-hist00010", "第一条 另一份。"),
            ]
            .into_iter()
            .map(Ok),
        )
        .await?;
        append_filler_leaves(&s.db, 3).await?;
        s.import_laws_jsonl(
            "demo-city",
            std::iter::once(Ok(history_law_line(
                "lrb-hist0001",
                "第一条 示范，已更正。",
            ))),
        )
        .await?;

        let history = s.document_log_history("lrb-hist0001").await?;
        let kinds: Vec<(&str, i64)> = history
            .entries
            .iter()
            .map(|e| (e.kind.as_str(), e.version))
            .collect();
        assert_eq!(
            kinds,
            [
                ("document_version_published", 1),
                ("document_version_corrected", 2)
            ],
            "{}",
            db.label
        );
        assert!(history.entries[1].index > history.entries[0].index + 3);
        assert_eq!(
            s.document_log_history("lrb-hist00010").await?.entries.len(),
            1
        );

        // The page lists both entries, and each proof link proves the entry's leaf.
        let mut app = process(s.clone(), signer.clone()).await?;
        let page = app.get("/documents/lrb-hist0001").await?;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("log-history-title"), "{}", db.label);
        let head = s.tree_head().await?;
        for entry in &history.entries {
            let href = format!(
                "/transparency/proof/inclusion?index={}&size={}",
                entry.index, head.size
            );
            let escaped = href.replace('&', "&#38;");
            assert!(
                page.body.contains(&escaped) || page.body.contains(&href.replace('&', "&amp;")),
                "no proof link {href}"
            );
            assert!(page.body.contains(&entry.sha256_hex));
            let proof = app.get(&href).await?.json();
            let proof = gongkai_domain::tlog::RecordProof(
                proof["proof"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|h| Hash::from_base64(h.as_str().unwrap_or_default()))
                    .collect::<Result<_, _>>()?,
            );
            let data = s.log_entries(entry.index as i64, 1).await?;
            gongkai_domain::tlog::check_record(
                &proof,
                head.size,
                head.root,
                entry.index,
                record_hash(&data[0].1),
            )?;
        }
        db.finish().await;
    }
    std::fs::remove_dir_all(key_path.parent().unwrap_or(&key_path)).ok();
    Ok(())
}
