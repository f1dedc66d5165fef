//! The transparency log (区块链存证, done right): every recorded step of an application is
//! appended as a leaf in the same transaction as the step itself, and anyone can fetch the
//! entries, the tree head and inclusion and consistency proofs and check them offline.
//!
//! A leaf holds references and digests only — the receipt number, the event's sequence and
//! kind, the time and the SHA-256 of the stored event — never a name, an identity number or
//! any other personal data.
//!
//! The log's state is published as a checkpoint (C2SP tlog-checkpoint) signed as a C2SP signed
//! note with an Ed25519 key that lives in a file of the data directory, never in the database:
//! whoever can write the database must not also be able to sign for the log. The log is also
//! served as C2SP tlog-tiles so that anyone can mirror it. The key file is read or created
//! here; every process over one database must be given the same file.

use crate::{ServiceError, ServiceResult, Services, sha256_hex};
use gongkai_domain::signed_note::{ED25519_KEY_BYTES, NoteError, NoteSigner};
use gongkai_domain::tlog::{
    self, Checkpoint, Hash, Tile, TileKind, TlogError, document_of_leaf, entry_bundle_bytes,
    hash_tile_bytes, leaf_json, parse_leaf, prove_record, prove_record_read_indexes, prove_tree,
    prove_tree_read_indexes, stored_hash_index, stored_hashes, stored_hashes_read_indexes,
    tree_hash, tree_hash_read_indexes,
};
use gongkai_store::Tx;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn to_hash_map(rows: Vec<(i64, Vec<u8>)>) -> ServiceResult<BTreeMap<u64, Hash>> {
    rows.into_iter()
        .map(|(index, bytes)| {
            let array: [u8; 32] = bytes.try_into().map_err(|_| {
                ServiceError::Unexpected(anyhow::anyhow!("stored hash {index} is not 32 bytes"))
            })?;
            Ok((index as u64, Hash(array)))
        })
        .collect()
}

fn tlog_error(error: TlogError) -> ServiceError {
    ServiceError::Unexpected(anyhow::anyhow!("transparency log: {error}"))
}

/// The leaf recording one application event.
pub(crate) fn application_event_leaf(
    receipt_number: &str,
    seq: i64,
    event_kind: &str,
    event_json: &str,
    now: OffsetDateTime,
) -> ServiceResult<Vec<u8>> {
    let mut extra = serde_json::Map::new();
    extra.insert(
        "event".to_string(),
        serde_json::Value::String(event_kind.to_string()),
    );
    let time = now
        .format(&Rfc3339)
        .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("time: {e}")))?;
    leaf_json(
        "application_event",
        &format!("{receipt_number}#{seq}"),
        &time,
        &sha256_hex(event_json.as_bytes()),
        extra,
    )
    .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("leaf: {e}")))
}

/// Appends one leaf inside `tx` and returns its index.
pub(crate) async fn append_leaf(
    tx: &mut Tx,
    leaf: &[u8],
    now: OffsetDateTime,
) -> ServiceResult<u64> {
    append_leaves(tx, &[leaf], now).await
}

/// Appends leaves in order inside `tx` and returns the index of the first.
///
/// The log's lock is taken once and the size read once; the stored hashes the new leaves need
/// from before the batch are read in one go, the ones the batch itself makes are kept in
/// memory, and entries and hashes are written with multi-row inserts. One leaf costs about
/// five statements alone and a fraction of one in a batch.
pub(crate) async fn append_leaves(
    tx: &mut Tx,
    leaves: &[&[u8]],
    now: OffsetDateTime,
) -> ServiceResult<u64> {
    tx.tlog_lock().await?;
    let first = tx.tlog_size().await? as u64;
    let count = leaves.len() as u64;
    // Every hash the batch writes is stored at or after the first new leaf's hash (hashes are
    // stored in the order appends make them), so anything below it must come from the database.
    let first_new_hash = stored_hash_index(0, first);
    let mut older = std::collections::BTreeSet::new();
    for n in first..first + count {
        for index in stored_hashes_read_indexes(n).map_err(tlog_error)? {
            if index < first_new_hash {
                older.insert(index);
            }
        }
    }
    let older: Vec<u64> = older.into_iter().collect();
    let mut known = to_hash_map(tx.tlog_hashes(&older).await?)?;
    let mut entries = Vec::with_capacity(leaves.len());
    let mut hashes = Vec::with_capacity(leaves.len() * 2);
    for (n, leaf) in (first..).zip(leaves) {
        let new_hashes = stored_hashes(n, leaf, &known).map_err(tlog_error)?;
        let base = stored_hash_index(0, n);
        for (index, hash) in (base..).zip(new_hashes) {
            known.insert(index, hash);
            hashes.push((index as i64, hash.0.to_vec()));
        }
        // The document a record is about is kept beside it, so that a document's history is
        // one indexed read; every leaf written here comes from `leaf_json`, so it parses.
        let document = parse_leaf(leaf)
            .ok()
            .and_then(|fields| document_of_leaf(&fields).map(str::to_owned));
        entries.push(gongkai_store::TlogEntryInsert {
            entry_index: n as i64,
            data: leaf.to_vec(),
            document_external_id: document,
        });
    }
    tx.tlog_insert_many(&entries, &hashes, now).await?;
    Ok(first)
}

/// One log entry about a document, as its page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLogEntry {
    /// The entry's index in the log.
    pub index: u64,
    /// `document_version_published`, `document_version_corrected` or `document_withdrawn`.
    pub kind: String,
    /// `<external id>@v<n>`.
    pub subject: String,
    /// The version the entry is about.
    pub version: i64,
    /// When it was recorded, RFC 3339 in UTC.
    pub time_rfc3339: String,
    /// The logged SHA-256 (see docs/transparency.md for what it is the digest of).
    pub sha256_hex: String,
}

/// A document's complete history as the log records it, with the tree size its inclusion
/// proofs should be asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLogHistory {
    pub tree_size: u64,
    pub entries: Vec<DocumentLogEntry>,
}

/// The log's current size and root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
}

/// The most proof requests' tree size accepted (no log here will reach it).
const TREE_SIZE_MAX: u64 = tlog::TREE_RECORDS_MAX;

impl Services {
    /// Appends `leaves` to the log in one transaction of their own and returns the index of
    /// the first. For `gongkai bench` and tests only: every real record is appended in the
    /// transaction of the change it records, never through this.
    pub async fn append_log_leaves_for_bench(&self, leaves: &[Vec<u8>]) -> ServiceResult<u64> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let slices: Vec<&[u8]> = leaves.iter().map(Vec::as_slice).collect();
        let first = append_leaves(&mut tx, &slices, now).await?;
        tx.commit().await?;
        Ok(first)
    }

    /// The frontier of the stored tree of `size` entries (see [`tlog::TreeFrontier`]), for
    /// `gongkai bench --log-fill-direct`, which appends with hashes computed in its process.
    pub async fn log_frontier_for_bench(&self, size: u64) -> ServiceResult<tlog::TreeFrontier> {
        let hashes = self
            .read_hashes(&tlog::TreeFrontier::read_indexes(size))
            .await?;
        tlog::TreeFrontier::from_stored(size, &hashes).map_err(tlog_error)
    }

    async fn read_hashes(&self, indexes: &[u64]) -> ServiceResult<BTreeMap<u64, Hash>> {
        to_hash_map(self.db.tlog_hashes(indexes).await?)
    }

    /// The root of the tree of the first `size` entries, from the stored hashes.
    pub(crate) async fn stored_tree_hash(&self, size: u64) -> ServiceResult<Hash> {
        let hashes = self
            .read_hashes(&tree_hash_read_indexes(size).map_err(tlog_error)?)
            .await?;
        tree_hash(size, &hashes).map_err(tlog_error)
    }

    pub async fn tree_head(&self) -> ServiceResult<TreeHead> {
        let size = self.db.tlog_size().await? as u64;
        let hashes = self
            .read_hashes(&tree_hash_read_indexes(size).map_err(tlog_error)?)
            .await?;
        Ok(TreeHead {
            size,
            root: tree_hash(size, &hashes).map_err(tlog_error)?,
        })
    }

    /// Every log entry about the document `external_id`, oldest first, read from the log's
    /// own data (not from the document tables), so the page shows what the log proves.
    pub async fn document_log_history(
        &self,
        external_id: &str,
    ) -> ServiceResult<DocumentLogHistory> {
        // The size is read first: every entry read afterwards with a smaller index is in it,
        // and one appended in between is left out rather than shown without a proof.
        let tree_size = self.db.tlog_size().await? as u64;
        let rows = self.db.tlog_entries_of_document(external_id).await?;
        let mut entries = Vec::with_capacity(rows.len());
        for (index, data) in rows {
            let index = index as u64;
            if index >= tree_size {
                continue;
            }
            let fields = parse_leaf(&data)
                .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("log entry {index}: {e}")))?;
            // The lookup column is only a key; the data must agree with it.
            if document_of_leaf(&fields) != Some(external_id) {
                continue;
            }
            let version = fields
                .subject
                .rsplit_once("@v")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or_default();
            entries.push(DocumentLogEntry {
                index,
                kind: fields.kind,
                subject: fields.subject,
                version,
                time_rfc3339: fields.time_rfc3339,
                sha256_hex: fields.sha256_hex,
            });
        }
        Ok(DocumentLogHistory { tree_size, entries })
    }

    pub async fn log_entries(&self, start: i64, limit: i64) -> ServiceResult<Vec<(i64, Vec<u8>)>> {
        Ok(self.db.tlog_entries(start, limit).await?)
    }

    /// The inclusion proof of entry `index` in the tree of `size` entries.
    pub async fn inclusion_proof(&self, index: u64, size: u64) -> ServiceResult<Vec<Hash>> {
        if index >= size || size > TREE_SIZE_MAX {
            return Err(ServiceError::invalid("index", "proof_out_of_range"));
        }
        // The hashes and the current size are read together (one statement); the size is
        // checked before anything read is used.
        let indexes = prove_record_read_indexes(size, index).map_err(tlog_error)?;
        let (current, rows) = self.db.tlog_size_and_hashes(&indexes).await?;
        if size > current as u64 {
            return Err(ServiceError::invalid("index", "proof_out_of_range"));
        }
        let hashes = to_hash_map(rows)?;
        Ok(prove_record(size, index, &hashes).map_err(tlog_error)?.0)
    }

    /// The consistency proof between the trees of `from` and `to` entries.
    pub async fn consistency_proof(&self, from: u64, to: u64) -> ServiceResult<Vec<Hash>> {
        if from > to || from == 0 || to > TREE_SIZE_MAX {
            return Err(ServiceError::invalid("from", "proof_out_of_range"));
        }
        let indexes = prove_tree_read_indexes(to, from).map_err(tlog_error)?;
        let (current, rows) = self.db.tlog_size_and_hashes(&indexes).await?;
        if to > current as u64 {
            return Err(ServiceError::invalid("from", "proof_out_of_range"));
        }
        let hashes = to_hash_map(rows)?;
        Ok(prove_tree(to, from, &hashes).map_err(tlog_error)?.0)
    }
}

impl Services {
    /// The current tree head as a checkpoint (C2SP tlog-checkpoint: origin, size, base64 root)
    /// signed as a C2SP signed note by `signer`, whose name is the origin.
    ///
    /// A fresh signature is made on every call: Ed25519 is deterministic (RFC 8032 §5.1.6), so
    /// every process holding the same key answers the same tree head with the same bytes, and
    /// nothing needs to be stored.
    pub async fn signed_checkpoint(&self, signer: &NoteSigner) -> ServiceResult<String> {
        let head = self.tree_head().await?;
        let checkpoint = Checkpoint::new(signer.name(), head.size, head.root, Vec::new())
            .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("checkpoint: {e}")))?;
        signer
            .sign(&checkpoint.to_text())
            .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("signing the checkpoint: {e}")))
    }

    /// The bytes of a C2SP tlog-tiles tile, or `None` when the log does not hold all of its
    /// elements yet (a partial tile is served only up to the current size).
    pub async fn log_tile(&self, tile: Tile) -> ServiceResult<Option<Vec<u8>>> {
        let size = self.db.tlog_size().await? as u64;
        if !tile.is_within(size) {
            return Ok(None);
        }
        let bytes = match tile.kind() {
            TileKind::Hashes { .. } => {
                let indexes = tile.hash_read_indexes();
                let stored = self.read_hashes(&indexes).await?;
                let hashes = indexes
                    .iter()
                    .map(|index| {
                        stored.get(index).copied().ok_or_else(|| {
                            ServiceError::Unexpected(anyhow::anyhow!(
                                "stored hash {index} is missing from the log"
                            ))
                        })
                    })
                    .collect::<ServiceResult<Vec<Hash>>>()?;
                hash_tile_bytes(&hashes)
            }
            TileKind::Entries => {
                let first = tile.first_position();
                let rows = self
                    .db
                    .tlog_entries(first as i64, i64::from(tile.width()))
                    .await?;
                let consecutive = rows.len() == usize::from(tile.width())
                    && rows
                        .iter()
                        .zip(first..)
                        .all(|((index, _), expected)| *index as u64 == expected);
                if !consecutive {
                    return Err(ServiceError::Unexpected(anyhow::anyhow!(
                        "log entries {first}.. are missing from the log"
                    )));
                }
                entry_bundle_bytes(rows.iter().map(|(_, data)| data.as_slice()))
                    .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("entry bundle: {e}")))?
            }
        };
        Ok(Some(bytes))
    }
}

/// Why the log's signing key cannot be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum LogKeyError {
    #[error("cannot read or write the transparency key file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the transparency key file {path} is readable by others (mode {mode:o}); run `chmod 600` on it"
    )]
    Permissions { path: PathBuf, mode: u32 },
    #[error("the transparency key file {path} is not a signed-note private key: {source}")]
    Malformed {
        path: PathBuf,
        #[source]
        source: NoteError,
    },
    #[error(
        "the transparency key file {path} signs as {in_file:?} but the log name is configured as {configured:?}; a log keeps its name for life"
    )]
    NameMismatch {
        path: PathBuf,
        in_file: String,
        configured: String,
    },
    #[error("the log name {0:?} cannot name a signed-note key: {1}")]
    InvalidName(String, NoteError),
    #[error("the operating system's random source failed: {0}")]
    Random(String),
}

/// Reads the log's signing key from `path`, or creates it there on first start.
///
/// The file holds one line, the key in the text form of Go's `note` package
/// (`PRIVATE+KEY+<name>+<key id>+<base64>`), with mode 0600. A new key is written to a
/// temporary file and linked into place, so two processes starting at once over one database
/// end up with the same key rather than one each. An existing key must carry `name`: the name
/// is the log's origin line, and a log that changed it would be a different log.
pub fn load_or_create_log_signer(path: &Path, name: &str) -> Result<NoteSigner, LogKeyError> {
    gongkai_domain::signed_note::check_key_name(name)
        .map_err(|e| LogKeyError::InvalidName(name.to_owned(), e))?;
    let io = |source| LogKeyError::Io {
        path: path.to_owned(),
        source,
    };
    if !path.exists() {
        create_key_file(path, name).map_err(io)?;
    }
    check_key_file_permissions(path)?;
    let text = std::fs::read_to_string(path).map_err(io)?;
    let signer = NoteSigner::parse(text.trim_end()).map_err(|source| LogKeyError::Malformed {
        path: path.to_owned(),
        source,
    })?;
    if signer.name() != name {
        return Err(LogKeyError::NameMismatch {
            path: path.to_owned(),
            in_file: signer.name().to_owned(),
            configured: name.to_owned(),
        });
    }
    Ok(signer)
}

/// Writes a fresh key to `path` unless another process got there first.
fn create_key_file(path: &Path, name: &str) -> std::io::Result<()> {
    let mut seed = [0u8; ED25519_KEY_BYTES];
    getrandom::fill(&mut seed).map_err(|e| std::io::Error::other(e.to_string()))?;
    let signer = NoteSigner::from_seed(name, seed)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix).map_err(|e| std::io::Error::other(e.to_string()))?;
    let temporary = path.with_extension(format!("tmp-{}", crate::hex(&suffix)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Created private, never widened afterwards: no moment in which others may read it.
        options.mode(0o600);
    }
    let written = (|| {
        let mut file = options.open(&temporary)?;
        file.write_all(format!("{}\n", signer.to_private_text()).as_bytes())?;
        file.sync_all()?;
        // `hard_link` fails if `path` exists, so the first process to finish wins and the
        // others read its key.
        match std::fs::hard_link(&temporary, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(e),
        }
    })();
    // The temporary name is removed whether or not the link succeeded.
    let removed = std::fs::remove_file(&temporary);
    written?;
    removed
}

#[cfg(unix)]
fn check_key_file_permissions(path: &Path) -> Result<(), LogKeyError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|source| LogKeyError::Io {
            path: path.to_owned(),
            source,
        })?
        .permissions()
        .mode();
    // Like ssh with its private keys: a key that others could have read is not trusted.
    if mode & 0o077 != 0 {
        return Err(LogKeyError::Permissions {
            path: path.to_owned(),
            mode: mode & 0o777,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_key_file_permissions(_path: &Path) -> Result<(), LogKeyError> {
    Ok(())
}
