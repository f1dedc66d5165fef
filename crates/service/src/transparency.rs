//! The transparency log (区块链存证, done right): every recorded step of an application is
//! appended as a leaf in the same transaction as the step itself, and anyone can fetch the
//! entries, the tree head and inclusion and consistency proofs and check them offline.
//!
//! A leaf holds references and digests only — the receipt number, the event's sequence and
//! kind, the time and the SHA-256 of the stored event — never a name, an identity number or
//! any other personal data.

use crate::{ServiceError, ServiceResult, Services, sha256_hex};
use gongkai_domain::tlog::{
    self, Hash, TlogError, leaf_json, prove_record, prove_record_read_indexes, prove_tree,
    prove_tree_read_indexes, stored_hash_index, stored_hashes, stored_hashes_read_indexes,
    tree_hash, tree_hash_read_indexes,
};
use gongkai_store::Tx;
use std::collections::BTreeMap;
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
    tx.tlog_lock().await?;
    let n = tx.tlog_size().await? as u64;
    let indexes = stored_hashes_read_indexes(n).map_err(tlog_error)?;
    let known = to_hash_map(tx.tlog_hashes(&indexes).await?)?;
    let new_hashes = stored_hashes(n, leaf, &known).map_err(tlog_error)?;
    let bytes: Vec<Vec<u8>> = new_hashes.iter().map(|h| h.0.to_vec()).collect();
    tx.tlog_insert(n as i64, leaf, stored_hash_index(0, n) as i64, &bytes, now)
        .await?;
    Ok(n)
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
    async fn read_hashes(&self, indexes: &[u64]) -> ServiceResult<BTreeMap<u64, Hash>> {
        to_hash_map(self.db.tlog_hashes(indexes).await?)
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

    pub async fn log_entries(&self, start: i64, limit: i64) -> ServiceResult<Vec<(i64, Vec<u8>)>> {
        Ok(self.db.tlog_entries(start, limit).await?)
    }

    /// The inclusion proof of entry `index` in the tree of `size` entries.
    pub async fn inclusion_proof(&self, index: u64, size: u64) -> ServiceResult<Vec<Hash>> {
        let current = self.db.tlog_size().await? as u64;
        if index >= size || size > current || size > TREE_SIZE_MAX {
            return Err(ServiceError::invalid("index", "proof_out_of_range"));
        }
        let hashes = self
            .read_hashes(&prove_record_read_indexes(size, index).map_err(tlog_error)?)
            .await?;
        Ok(prove_record(size, index, &hashes).map_err(tlog_error)?.0)
    }

    /// The consistency proof between the trees of `from` and `to` entries.
    pub async fn consistency_proof(&self, from: u64, to: u64) -> ServiceResult<Vec<Hash>> {
        let current = self.db.tlog_size().await? as u64;
        if from > to || to > current || from == 0 {
            return Err(ServiceError::invalid("from", "proof_out_of_range"));
        }
        let hashes = self
            .read_hashes(&prove_tree_read_indexes(to, from).map_err(tlog_error)?)
            .await?;
        Ok(prove_tree(to, from, &hashes).map_err(tlog_error)?.0)
    }
}
