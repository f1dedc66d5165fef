//! An append-only transparency log (区块链存证 done right): a Merkle tree over records, with
//! proofs that a record is in the log and that a later log extends an earlier one.
//!
//! Hashing is RFC 9162 (Certificate Transparency 2.0) §2.1: a record's leaf hash is
//! SHA-256(0x00 ‖ data) and an interior node's hash is SHA-256(0x01 ‖ left ‖ right), so a leaf can
//! never pass for a node. The algorithms are a faithful port of Go's
//! `golang.org/x/mod/sumdb/tlog` (Russ Cox, the checksum database of Go modules): the hashes of
//! every complete subtree are stored once, in the dense order of [`stored_hash_index`], so that
//! appending record n writes [`stored_hashes`] (two hashes on average) and a tree hash or a proof
//! reads at most a few dozen stored hashes. Storage lives outside this crate, behind
//! [`HashReader`]; because the database is reached asynchronously, every reading function has a
//! `*_read_indexes` twin that names the hashes it will ask for, so the caller can fetch them
//! first and pass a map.
//!
//! One deliberate difference from Go: the hash of the empty tree is SHA-256 of the empty string,
//! as RFC 9162 §2.1.1 defines it (and as C2SP logs publish it), where Go returns 32 zero bytes.
//!
//! A record's data is canonical JSON (RFC 8785, see [`crate::canonical_json`]) built by
//! [`leaf_json`]. The log's signed state is a checkpoint in the C2SP `tlog-checkpoint` format
//! ([`Checkpoint`]), signed as a C2SP signed note by [`crate::signed_note`]. For mirrors and
//! witnesses the log is also laid out as C2SP `tlog-tiles` ([`Tile`]): fixed-size, immutable
//! files of hashes and of entries that a static file server or a CDN can serve.
//!
//! The module is pure and never panics on outside input: sizes beyond [`TREE_RECORDS_MAX`],
//! records outside the tree, a reader that returns the wrong number of hashes and malformed
//! checkpoints are all typed errors.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::canonical_json::{CanonicalJsonError, to_canonical_bytes};

/// A SHA-256 digest is 32 bytes.
pub const HASH_BYTES: usize = 32;

/// The most records a tree may hold: 2^62. Every stored-hash index of such a tree stays below
/// 2^63, so the index arithmetic never overflows; no real log comes near it.
pub const TREE_RECORDS_MAX: u64 = 1 << 62;

/// The hash of the empty tree, SHA-256 of no bytes (RFC 9162 §2.1.1):
/// e3b0c442…7852b855.
pub const EMPTY_TREE_HASH: Hash = Hash([
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);

/// A checkpoint is a few lines; anything longer than this is not one.
pub const CHECKPOINT_TEXT_BYTES_MAX: usize = 16 * 1024;
/// The longest origin line accepted: a schema-less URL such as `gongkai.example.gov.cn/log`.
pub const ORIGIN_BYTES_MAX: usize = 256;
/// The most extension lines a checkpoint may carry after its root hash.
pub const EXTENSION_LINES_MAX: usize = 16;
/// The longest extension line accepted.
pub const EXTENSION_LINE_BYTES_MAX: usize = 1024;

/// The longest record kind, such as `application.submitted`.
pub const LEAF_KIND_BYTES_MAX: usize = 64;
/// The longest record subject, such as an application number or an attachment path.
pub const LEAF_SUBJECT_BYTES_MAX: usize = 1024;
/// The largest canonical record data; a record names a document by its digest and never
/// carries the document itself. It is `u16::MAX` rather than 64 KiB because a C2SP tlog-tiles
/// entry bundle prefixes each entry with its length as a big-endian uint16.
pub const LEAF_DATA_BYTES_MAX: usize = u16::MAX as usize;

/// The member names that [`leaf_json`] writes itself and that `extra` may not repeat.
pub const LEAF_RESERVED_FIELDS: [&str; 4] = ["kind", "subject", "time", "sha256"];

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A SHA-256 hash: a record's leaf hash, an interior node's hash or a tree's root.
///
/// Any 32 bytes are a hash, so the field is public. `Debug` prints lowercase hexadecimal; there
/// is no `Display`, because the log shows hashes in hexadecimal to people and in base64 in
/// checkpoints, and each caller should say which.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; HASH_BYTES]);

/// Why a text is not a hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HashParseError {
    /// Not exactly 64 lowercase hexadecimal digits.
    #[error("a hash is 64 lowercase hexadecimal digits")]
    InvalidHex,
    /// Not canonical base64 (standard alphabet, with padding).
    #[error("a hash in base64 is 44 characters of the standard alphabet with padding")]
    InvalidBase64,
    /// Well-formed, but not 32 bytes long.
    #[error("a hash is {HASH_BYTES} bytes")]
    WrongLength,
}

impl Hash {
    /// The hash as lowercase hexadecimal, 64 characters.
    pub fn to_hex(&self) -> String {
        let mut out = String::with_capacity(2 * HASH_BYTES);
        for byte in self.0 {
            out.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
            out.push(char::from(HEX_DIGITS[usize::from(byte & 0x0f)]));
        }
        out
    }

    /// Parses 64 lowercase hexadecimal digits. Uppercase is refused so that one hash has one
    /// spelling wherever it is stored or compared as text.
    pub fn from_hex(text: &str) -> Result<Self, HashParseError> {
        let bytes = text.as_bytes();
        if bytes.len() != 2 * HASH_BYTES {
            return Err(HashParseError::InvalidHex);
        }
        let mut hash = [0u8; HASH_BYTES];
        for (slot, pair) in hash.iter_mut().zip(bytes.chunks_exact(2)) {
            let high = lower_hex_value(pair[0]).ok_or(HashParseError::InvalidHex)?;
            let low = lower_hex_value(pair[1]).ok_or(HashParseError::InvalidHex)?;
            *slot = (high << 4) | low;
        }
        Ok(Self(hash))
    }

    /// The hash in standard base64 with padding, 44 characters, as checkpoints write it.
    pub fn to_base64(&self) -> String {
        base64_encode(&self.0)
    }

    /// Parses canonical base64 of exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, HashParseError> {
        let bytes = base64_decode(text).map_err(|_| HashParseError::InvalidBase64)?;
        let hash: [u8; HASH_BYTES] = bytes.try_into().map_err(|_| HashParseError::WrongLength)?;
        Ok(Self(hash))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Hash({})", self.to_hex())
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

fn lower_hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

/// The text is not canonical base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not canonical base64 (standard alphabet, padded, unused bits zero)")]
pub struct Base64Error;

/// Encodes bytes in standard base64 with padding (RFC 4648 §4), as signed notes and checkpoints
/// use it. Written here rather than taken from a crate: it is twenty lines.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b0 = chunk[0];
        let b1 = chunk.get(1).copied().unwrap_or(0);
        let b2 = chunk.get(2).copied().unwrap_or(0);
        let sextets = [
            b0 >> 2,
            ((b0 & 0x03) << 4) | (b1 >> 4),
            ((b1 & 0x0f) << 2) | (b2 >> 6),
            b2 & 0x3f,
        ];
        for (position, sextet) in sextets.into_iter().enumerate() {
            if position <= chunk.len() {
                out.push(char::from(BASE64_ALPHABET[usize::from(sextet)]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 with padding, strictly: the length is a multiple of four, padding
/// appears only at the end, and the bits that padding leaves over are zero. Every byte string
/// therefore has exactly one accepted encoding, so a checkpoint cannot be re-spelled.
pub fn base64_decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return Err(Base64Error);
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let quads = bytes.len() / 4;
    for (quad_index, quad) in bytes.chunks_exact(4).enumerate() {
        let is_last = quad_index + 1 == quads;
        let padding = match (quad[2], quad[3]) {
            (b'=', b'=') if is_last => 2,
            (_, b'=') if is_last => 1,
            _ => 0,
        };
        let mut value: u32 = 0;
        for &character in &quad[..4 - padding] {
            let sextet = base64_value(character).ok_or(Base64Error)?;
            value = (value << 6) | u32::from(sextet);
        }
        value <<= 6 * padding;
        let [_, b0, b1, b2] = value.to_be_bytes();
        match padding {
            0 => out.extend_from_slice(&[b0, b1, b2]),
            1 if b2 == 0 => out.extend_from_slice(&[b0, b1]),
            2 if b1 == 0 && b2 == 0 => out.push(b0),
            _ => return Err(Base64Error),
        }
    }
    Ok(out)
}

fn base64_value(character: u8) -> Option<u8> {
    match character {
        b'A'..=b'Z' => Some(character - b'A'),
        b'a'..=b'z' => Some(character - b'a' + 26),
        b'0'..=b'9' => Some(character - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// The leaf hash of a record: SHA-256(0x00 ‖ data) (RFC 9162 §2.1.1; Go's `RecordHash`).
#[doc(alias = "leaf_hash")]
pub fn record_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(data);
    Hash(hasher.finalize().into())
}

/// The hash of an interior node: SHA-256(0x01 ‖ left ‖ right) (RFC 9162 §2.1.1).
pub fn node_hash(left: Hash, right: Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left.0);
    hasher.update(right.0);
    Hash(hasher.finalize().into())
}

/// Why a log operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TlogError {
    /// A record index at or beyond the tree size.
    #[error("record {record} is not in a tree of {tree_size} records")]
    RecordOutOfRange { record: u64, tree_size: u64 },
    /// A consistency proof needs 1 ≤ old size ≤ new size.
    #[error("a tree of {new_size} records cannot extend a tree of {old_size} records")]
    TreeSizesOutOfOrder { old_size: u64, new_size: u64 },
    /// A tree size beyond [`TREE_RECORDS_MAX`].
    #[error("a tree of {tree_size} records exceeds the limit of {TREE_RECORDS_MAX}")]
    TreeTooLarge { tree_size: u64 },
    /// A [`HashReader`] answered with a different number of hashes than it was asked for.
    #[error("asked for {requested} stored hashes, got {returned}")]
    WrongHashCount { requested: usize, returned: usize },
    /// A [`HashReader`] does not hold a stored hash it was asked for.
    #[error("stored hash {index} is missing")]
    HashMissing { index: u64 },
    /// The storage behind a [`HashReader`] failed.
    #[error("reading stored hashes failed")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A proof does not lead to the hash it should.
    #[error("the transparency proof does not verify")]
    ProofFailed,
}

impl TlogError {
    /// A stable code for logs and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::RecordOutOfRange { .. } => "tlog_record_out_of_range",
            Self::TreeSizesOutOfOrder { .. } => "tlog_tree_sizes_out_of_order",
            Self::TreeTooLarge { .. } => "tlog_tree_too_large",
            Self::WrongHashCount { .. } => "tlog_wrong_hash_count",
            Self::HashMissing { .. } => "tlog_hash_missing",
            Self::Storage(_) => "tlog_storage",
            Self::ProofFailed => "tlog_proof_failed",
        }
    }
}

/// Reads stored hashes by their [`stored_hash_index`].
///
/// An implementation returns exactly one hash per index, in the order asked. Each function of
/// this module calls it at most once, with the indexes its `*_read_indexes` twin returns.
pub trait HashReader {
    /// Returns the stored hashes at `indexes`, in the same order.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError>;
}

/// A slice holds the stored hashes of a whole log, position = index: the in-memory log.
impl HashReader for [Hash] {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError> {
        indexes
            .iter()
            .map(|&index| {
                usize::try_from(index)
                    .ok()
                    .and_then(|position| self.get(position))
                    .copied()
                    .ok_or(TlogError::HashMissing { index })
            })
            .collect()
    }
}

impl HashReader for Vec<Hash> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError> {
        self.as_slice().read_hashes(indexes)
    }
}

/// A map holds the hashes fetched beforehand for one operation (see the module documentation).
impl HashReader for BTreeMap<u64, Hash> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError> {
        indexes
            .iter()
            .map(|&index| {
                self.get(&index)
                    .copied()
                    .ok_or(TlogError::HashMissing { index })
            })
            .collect()
    }
}

/// Maps the tree coordinates (level, n) — the n-th hash at height `level`, leaves at level 0 —
/// to the dense position at which the hash is stored (Go's `StoredHashIndex`).
///
/// The hashes are stored in the order they become known while records are appended: record n's
/// leaf hash, then the hashes of the subtrees it completes. Defined for every coordinate of a
/// tree of at most [`TREE_RECORDS_MAX`] records; beyond that it saturates at `u64::MAX`.
pub fn stored_hash_index(level: u32, n: u64) -> u64 {
    // Level L's n-th hash is written right after level L+1's (2n+1)-th hash, so walk down to
    // the last leaf under it, then add back the levels.
    let mut leaf = n;
    for _ in 0..level {
        leaf = leaf.saturating_mul(2).saturating_add(1);
    }
    // Level 0's n-th hash is written at n + n/2 + n/4 + … (until n/2^i reaches zero).
    let mut index: u64 = 0;
    while leaf > 0 {
        index = index.saturating_add(leaf);
        leaf >>= 1;
    }
    index.saturating_add(u64::from(level))
}

/// The inverse of [`stored_hash_index`]: the (level, n) stored at `index` (Go's
/// `SplitStoredHashIndex`).
pub fn split_stored_hash_index(index: u64) -> (u32, u64) {
    // stored_hash_index(0, n) < 2n, so the record that wrote this index lies in
    // [index/2, index/2 + log₂ index].
    let mut record = index / 2;
    let mut record_index = stored_hash_index(0, record);
    loop {
        // Each record n adds 1 + trailing_zeros(n + 1) hashes.
        let added = 1 + u64::from((record + 1).trailing_zeros());
        match record_index.checked_add(added) {
            Some(next) if next <= index => {
                record += 1;
                record_index = next;
            }
            _ => break,
        }
    }
    // The hash was written with record n, so it is one of (0, n), (1, n/2), (2, n/4), …
    let level = u32::try_from(index - record_index).unwrap_or(u32::MAX);
    (level, record.checked_shr(level).unwrap_or(0))
}

/// The number of stored hashes of a tree of `size` records (Go's `StoredHashCount`).
pub fn stored_hash_count(size: u64) -> u64 {
    if size == 0 {
        return 0;
    }
    // The hashes up to the last leaf hash, then those of the subtrees that leaf completes.
    let mut count = stored_hash_index(0, size - 1).saturating_add(1);
    let mut rest = size - 1;
    while rest & 1 != 0 {
        count += 1;
        rest >>= 1;
    }
    count
}

/// The hashes to store when appending record `n` with `data`, to be written from
/// [`stored_hash_index`]`(0, n)` on (Go's `StoredHashes`). At most 1 + log₂ n hashes, just under
/// two on average; reads up to log₂ n earlier hashes to complete subtrees.
pub fn stored_hashes<R: HashReader + ?Sized>(
    n: u64,
    data: &[u8],
    reader: &R,
) -> Result<Vec<Hash>, TlogError> {
    stored_hashes_for_record_hash(n, record_hash(data), reader)
}

/// [`stored_hashes`] for a record whose leaf hash is already known (Go's
/// `StoredHashesForRecordHash`).
pub fn stored_hashes_for_record_hash<R: HashReader + ?Sized>(
    n: u64,
    leaf: Hash,
    reader: &R,
) -> Result<Vec<Hash>, TlogError> {
    let indexes = stored_hashes_read_indexes(n)?;
    let old = read_exactly(reader, &indexes)?;
    // Each trailing 1 bit of n completes a subtree, whose left half was stored earlier.
    let mut hashes = Vec::with_capacity(1 + old.len());
    let mut hash = leaf;
    hashes.push(hash);
    for left in old.iter().rev() {
        hash = node_hash(*left, hash);
        hashes.push(hash);
    }
    Ok(hashes)
}

/// The stored hashes that [`stored_hashes`] reads for record `n`, in the order it reads them.
pub fn stored_hashes_read_indexes(n: u64) -> Result<Vec<u64>, TlogError> {
    if n >= TREE_RECORDS_MAX {
        return Err(TlogError::TreeTooLarge {
            tree_size: n.saturating_add(1),
        });
    }
    let completed = (n + 1).trailing_zeros();
    // Sorted ascending: the largest completed subtree's left half comes first. n >> level is
    // odd for every level below `completed`, so the subtraction never underflows.
    Ok((0..completed)
        .rev()
        .map(|level| stored_hash_index(level, (n >> level) - 1))
        .collect())
}

/// The root hash of the tree of the first `size` records (Go's `TreeHash`), reading at most
/// 1 + log₂ size stored hashes. The empty tree's hash is [`EMPTY_TREE_HASH`].
pub fn tree_hash<R: HashReader + ?Sized>(size: u64, reader: &R) -> Result<Hash, TlogError> {
    if size == 0 {
        return Ok(EMPTY_TREE_HASH);
    }
    let indexes = tree_hash_read_indexes(size)?;
    let hashes = read_exactly(reader, &indexes)?;
    match subtree_hash(0, size, &hashes) {
        Some((hash, [])) => Ok(hash),
        _ => Err(mismatch(&indexes, &hashes)),
    }
}

/// The stored hashes that [`tree_hash`] reads, in order.
pub fn tree_hash_read_indexes(size: u64) -> Result<Vec<u64>, TlogError> {
    check_tree_size(size)?;
    let mut indexes = Vec::new();
    subtree_index(0, size, &mut indexes);
    Ok(indexes)
}

/// The right edge of a log's tree: enough to compute the stored hashes of every later record
/// without reading any stored hash, for whoever walks the whole log in order (`gongkai audit`
/// recomputes every stored hash this way; `gongkai bench --log-fill-direct` fills a log).
///
/// For each level it keeps the hash of the latest complete node with an even index — a left
/// child whose right sibling is not complete yet. Level l holds one exactly when bit l of the
/// size is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFrontier {
    size: u64,
    left_at_level: [Option<Hash>; 64],
}

impl Default for TreeFrontier {
    fn default() -> Self {
        TreeFrontier {
            size: 0,
            left_at_level: [None; 64],
        }
    }
}

impl TreeFrontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of records appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The stored hashes [`TreeFrontier::from_stored`] reads for a tree of `size` records.
    pub fn read_indexes(size: u64) -> Vec<u64> {
        (0..64u32)
            .filter(|level| (size >> level) & 1 == 1)
            .map(|level| stored_hash_index(level, (size >> level) - 1))
            .collect()
    }

    /// The frontier of a stored tree of `size` records.
    pub fn from_stored<R: HashReader + ?Sized>(size: u64, reader: &R) -> Result<Self, TlogError> {
        check_tree_size(size)?;
        let indexes = Self::read_indexes(size);
        let hashes = reader.read_hashes(&indexes)?;
        if hashes.len() != indexes.len() {
            return Err(TlogError::WrongHashCount {
                requested: indexes.len(),
                returned: hashes.len(),
            });
        }
        let mut frontier = TreeFrontier {
            size,
            left_at_level: [None; 64],
        };
        for (index, hash) in indexes.iter().zip(hashes) {
            let (level, _) = split_stored_hash_index(*index);
            frontier.left_at_level[level as usize] = Some(hash);
        }
        Ok(frontier)
    }

    /// Appends record `size()` and returns the hashes it stores, in index order from
    /// `stored_hash_index(0, size())`: exactly what [`stored_hashes`] returns.
    pub fn append(&mut self, data: &[u8]) -> Result<Vec<Hash>, TlogError> {
        let n = self.size;
        let mut hash = record_hash(data);
        let mut hashes = vec![hash];
        let mut level = 0u32;
        let mut position = n;
        // An odd position is a right child: its left sibling waits on the frontier.
        while position & 1 == 1 {
            let left = self.left_at_level[level as usize]
                .take()
                .ok_or(TlogError::HashMissing {
                    index: stored_hash_index(level, position - 1),
                })?;
            hash = node_hash(left, hash);
            hashes.push(hash);
            level += 1;
            position >>= 1;
        }
        self.left_at_level[level as usize] = Some(hash);
        self.size += 1;
        Ok(hashes)
    }
}

/// A proof that a tree contains a record: RFC 9162's inclusion proof (Merkle audit path), the
/// sibling hashes from the leaf up to the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordProof(pub Vec<Hash>);

/// A proof that a tree contains an earlier tree as its prefix: RFC 9162's consistency proof.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeProof(pub Vec<Hash>);

/// The proof that the tree of `tree_size` records contains record `n` (Go's `ProveRecord`).
pub fn prove_record<R: HashReader + ?Sized>(
    tree_size: u64,
    n: u64,
    reader: &R,
) -> Result<RecordProof, TlogError> {
    let indexes = prove_record_read_indexes(tree_size, n)?;
    if indexes.is_empty() {
        return Ok(RecordProof::default());
    }
    let hashes = read_exactly(reader, &indexes)?;
    match leaf_proof(0, tree_size, n, &hashes) {
        Some((proof, [])) => Ok(RecordProof(proof)),
        _ => Err(mismatch(&indexes, &hashes)),
    }
}

/// The stored hashes that [`prove_record`] reads, in order.
pub fn prove_record_read_indexes(tree_size: u64, n: u64) -> Result<Vec<u64>, TlogError> {
    check_record_in_tree(tree_size, n)?;
    let mut indexes = Vec::new();
    leaf_proof_index(0, tree_size, n, &mut indexes);
    Ok(indexes)
}

/// Checks that `proof` shows that the tree of `tree_size` records with root `root` has, as
/// record `n`, the record with leaf hash `leaf` (Go's `CheckRecord`).
pub fn check_record(
    proof: &RecordProof,
    tree_size: u64,
    root: Hash,
    n: u64,
    leaf: Hash,
) -> Result<(), TlogError> {
    check_record_in_tree(tree_size, n)?;
    match run_record_proof(&proof.0, 0, tree_size, n, leaf) {
        Some(computed) if computed == root => Ok(()),
        _ => Err(TlogError::ProofFailed),
    }
}

/// The proof that the tree of `tree_size` records contains the tree of its first `old_size`
/// records as a prefix (Go's `ProveTree`); needs 1 ≤ old_size ≤ tree_size.
pub fn prove_tree<R: HashReader + ?Sized>(
    tree_size: u64,
    old_size: u64,
    reader: &R,
) -> Result<TreeProof, TlogError> {
    let indexes = prove_tree_read_indexes(tree_size, old_size)?;
    if indexes.is_empty() {
        return Ok(TreeProof::default());
    }
    let hashes = read_exactly(reader, &indexes)?;
    match tree_proof(0, tree_size, old_size, &hashes) {
        Some((proof, [])) => Ok(TreeProof(proof)),
        _ => Err(mismatch(&indexes, &hashes)),
    }
}

/// The stored hashes that [`prove_tree`] reads, in order.
pub fn prove_tree_read_indexes(tree_size: u64, old_size: u64) -> Result<Vec<u64>, TlogError> {
    check_tree_sizes(tree_size, old_size)?;
    let mut indexes = Vec::new();
    tree_proof_index(0, tree_size, old_size, &mut indexes);
    Ok(indexes)
}

/// Checks that `proof` shows that the tree of `tree_size` records with root `root` contains as
/// its prefix the tree of `old_size` records with root `old_root` (Go's `CheckTree`).
pub fn check_tree(
    proof: &TreeProof,
    tree_size: u64,
    root: Hash,
    old_size: u64,
    old_root: Hash,
) -> Result<(), TlogError> {
    check_tree_sizes(tree_size, old_size)?;
    match run_tree_proof(&proof.0, 0, tree_size, old_size, old_root) {
        Some((computed_old, computed)) if computed_old == old_root && computed == root => Ok(()),
        _ => Err(TlogError::ProofFailed),
    }
}

fn check_tree_size(tree_size: u64) -> Result<(), TlogError> {
    if tree_size > TREE_RECORDS_MAX {
        return Err(TlogError::TreeTooLarge { tree_size });
    }
    Ok(())
}

fn check_record_in_tree(tree_size: u64, n: u64) -> Result<(), TlogError> {
    check_tree_size(tree_size)?;
    if n >= tree_size {
        return Err(TlogError::RecordOutOfRange {
            record: n,
            tree_size,
        });
    }
    Ok(())
}

fn check_tree_sizes(tree_size: u64, old_size: u64) -> Result<(), TlogError> {
    check_tree_size(tree_size)?;
    if old_size == 0 || old_size > tree_size {
        return Err(TlogError::TreeSizesOutOfOrder {
            old_size,
            new_size: tree_size,
        });
    }
    Ok(())
}

fn read_exactly<R: HashReader + ?Sized>(
    reader: &R,
    indexes: &[u64],
) -> Result<Vec<Hash>, TlogError> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = reader.read_hashes(indexes)?;
    if hashes.len() != indexes.len() {
        return Err(mismatch(indexes, &hashes));
    }
    Ok(hashes)
}

fn mismatch(indexes: &[u64], hashes: &[Hash]) -> TlogError {
    TlogError::WrongHashCount {
        requested: indexes.len(),
        returned: hashes.len(),
    }
}

/// k, the largest power of two smaller than `n`, and log₂ k (Go's `maxpow2`); (1, 0) for n ≤ 2.
fn max_power_of_two_below(n: u64) -> (u64, u32) {
    if n <= 2 {
        return (1, 0);
    }
    let level = 63 - (n - 1).leading_zeros();
    (1 << level, level)
}

/// Appends the stored indexes needed for the hash of the subtree of records [lo, hi)
/// (RFC 9162 §2.1.1): its complete left subtrees, largest first.
fn subtree_index(mut lo: u64, hi: u64, indexes: &mut Vec<u64>) {
    while lo < hi {
        let (k, level) = max_power_of_two_below(hi - lo + 1);
        debug_assert_eq!(
            lo & (k - 1),
            0,
            "a complete subtree starts at a multiple of its size"
        );
        indexes.push(stored_hash_index(level, lo >> level));
        lo += k;
    }
}

/// The hash of the subtree of records [lo, hi) from the hashes that [`subtree_index`] named,
/// and the hashes left over; `None` if too few hashes were given.
fn subtree_hash(mut lo: u64, hi: u64, hashes: &[Hash]) -> Option<(Hash, &[Hash])> {
    // The subtree splits into complete subtrees of decreasing size; its hash folds them from
    // the right.
    let mut tree_count = 0;
    while lo < hi {
        let (k, _) = max_power_of_two_below(hi - lo + 1);
        tree_count += 1;
        lo += k;
    }
    let (used, rest) = hashes.split_at_checked(tree_count)?;
    let (&last, others) = used.split_last()?;
    let hash = others
        .iter()
        .rev()
        .fold(last, |right, &left| node_hash(left, right));
    Some((hash, rest))
}

/// Appends the stored indexes needed for the proof that record n is in [lo, hi).
fn leaf_proof_index(lo: u64, hi: u64, n: u64, indexes: &mut Vec<u64>) {
    if lo + 1 >= hi {
        return;
    }
    let (k, _) = max_power_of_two_below(hi - lo);
    if n < lo + k {
        leaf_proof_index(lo, lo + k, n, indexes);
        subtree_index(lo + k, hi, indexes);
    } else {
        subtree_index(lo, lo + k, indexes);
        leaf_proof_index(lo + k, hi, n, indexes);
    }
}

/// The proof that record n is in [lo, hi) (RFC 9162 §2.1.3.1, PATH), and the hashes left over.
fn leaf_proof(lo: u64, hi: u64, n: u64, hashes: &[Hash]) -> Option<(Vec<Hash>, &[Hash])> {
    if lo + 1 >= hi {
        // The leaf itself: the verifier knows its hash.
        return Some((Vec::new(), hashes));
    }
    // Walk down towards n, recording the hash of the side not taken.
    let (k, _) = max_power_of_two_below(hi - lo);
    let (mut proof, sibling, rest) = if n < lo + k {
        let (proof, rest) = leaf_proof(lo, lo + k, n, hashes)?;
        let (sibling, rest) = subtree_hash(lo + k, hi, rest)?;
        (proof, sibling, rest)
    } else {
        let (sibling, rest) = subtree_hash(lo, lo + k, hashes)?;
        let (proof, rest) = leaf_proof(lo + k, hi, n, rest)?;
        (proof, sibling, rest)
    };
    proof.push(sibling);
    Some((proof, rest))
}

/// The hash of [lo, hi) implied by the proof that record n has leaf hash `leaf`; `None` if the
/// proof has the wrong length.
fn run_record_proof(proof: &[Hash], lo: u64, hi: u64, n: u64, leaf: Hash) -> Option<Hash> {
    if lo + 1 >= hi {
        // The proof may carry no unneeded hashes.
        return proof.is_empty().then_some(leaf);
    }
    let (&sibling, below) = proof.split_last()?;
    let (k, _) = max_power_of_two_below(hi - lo);
    if n < lo + k {
        let left = run_record_proof(below, lo, lo + k, n, leaf)?;
        Some(node_hash(left, sibling))
    } else {
        let right = run_record_proof(below, lo + k, hi, n, leaf)?;
        Some(node_hash(sibling, right))
    }
}

/// Appends the stored indexes needed for the part of a consistency proof inside [lo, hi),
/// where the old tree has `old_size` records.
fn tree_proof_index(lo: u64, hi: u64, old_size: u64, indexes: &mut Vec<u64>) {
    if old_size == hi {
        if lo != 0 {
            subtree_index(lo, hi, indexes);
        }
        return;
    }
    let (k, _) = max_power_of_two_below(hi - lo);
    if old_size <= lo + k {
        tree_proof_index(lo, lo + k, old_size, indexes);
        subtree_index(lo + k, hi, indexes);
    } else {
        subtree_index(lo, lo + k, indexes);
        tree_proof_index(lo + k, hi, old_size, indexes);
    }
}

/// The part of a consistency proof inside [lo, hi) (RFC 9162 §2.1.4.1, SUBPROOF), and the
/// hashes left over.
fn tree_proof(lo: u64, hi: u64, old_size: u64, hashes: &[Hash]) -> Option<(Vec<Hash>, &[Hash])> {
    if old_size == hi {
        if lo == 0 {
            // This subtree is the whole old tree, whose hash the verifier knows.
            return Some((Vec::new(), hashes));
        }
        let (hash, rest) = subtree_hash(lo, hi, hashes)?;
        return Some((vec![hash], rest));
    }
    let (k, _) = max_power_of_two_below(hi - lo);
    let (mut proof, sibling, rest) = if old_size <= lo + k {
        let (proof, rest) = tree_proof(lo, lo + k, old_size, hashes)?;
        let (sibling, rest) = subtree_hash(lo + k, hi, rest)?;
        (proof, sibling, rest)
    } else {
        let (sibling, rest) = subtree_hash(lo, lo + k, hashes)?;
        let (proof, rest) = tree_proof(lo + k, hi, old_size, rest)?;
        (proof, sibling, rest)
    };
    proof.push(sibling);
    Some((proof, rest))
}

/// The hashes of [lo, hi) in the old tree and in the new tree implied by a consistency proof;
/// `None` if the proof has the wrong length.
fn run_tree_proof(
    proof: &[Hash],
    lo: u64,
    hi: u64,
    old_size: u64,
    old_root: Hash,
) -> Option<(Hash, Hash)> {
    if old_size == hi {
        if lo == 0 {
            return proof.is_empty().then_some((old_root, old_root));
        }
        return match proof {
            [hash] => Some((*hash, *hash)),
            _ => None,
        };
    }
    let (&sibling, below) = proof.split_last()?;
    let (k, _) = max_power_of_two_below(hi - lo);
    if old_size <= lo + k {
        let (old, new) = run_tree_proof(below, lo, lo + k, old_size, old_root)?;
        Some((old, node_hash(new, sibling)))
    } else {
        let (old, new) = run_tree_proof(below, lo + k, hi, old_size, old_root)?;
        Some((node_hash(sibling, old), node_hash(sibling, new)))
    }
}

/// The signed state of a log in the C2SP `tlog-checkpoint` format: the body of a signed note.
///
/// ```text
/// gongkai.example.gov.cn/log
/// 15368405
/// mad5UFvLh6Ci0vZtEfrY6LO4rG5eW5WB7GNGYd9cCJk=
/// ```
///
/// The fields are private so that a `Checkpoint` is always one that [`Checkpoint::to_text`] can
/// write and [`Checkpoint::parse`] reads back unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Hash,
    extensions: Vec<String>,
}

/// Why a text is not a checkpoint, or fields cannot make one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("a checkpoint is at most {CHECKPOINT_TEXT_BYTES_MAX} bytes")]
    TextTooLong,
    #[error("a checkpoint ends with a newline")]
    MissingFinalNewline,
    #[error("a checkpoint contains no control character other than newline")]
    ControlCharacter,
    #[error("a checkpoint has an origin, a tree size and a root hash line")]
    MissingLine,
    #[error("the origin line is empty")]
    EmptyOrigin,
    #[error("the origin is at most {ORIGIN_BYTES_MAX} bytes")]
    OriginTooLong,
    #[error("the origin contains no whitespace and no plus sign")]
    OriginHasSpaceOrPlus,
    #[error("the tree size is a decimal number without sign or leading zeros")]
    SizeNotDecimal,
    #[error("the tree size exceeds {TREE_RECORDS_MAX}")]
    SizeTooLarge,
    #[error("the root hash is not canonical base64 of {HASH_BYTES} bytes")]
    InvalidRootHash,
    #[error("an extension line is empty")]
    EmptyExtensionLine,
    #[error("an extension line is at most {EXTENSION_LINE_BYTES_MAX} bytes")]
    ExtensionLineTooLong,
    #[error("a checkpoint has at most {EXTENSION_LINES_MAX} extension lines")]
    TooManyExtensionLines,
}

impl CheckpointError {
    /// A stable code for logs and API errors.
    pub fn code(self) -> &'static str {
        match self {
            Self::TextTooLong => "checkpoint_text_too_long",
            Self::MissingFinalNewline => "checkpoint_missing_final_newline",
            Self::ControlCharacter => "checkpoint_control_character",
            Self::MissingLine => "checkpoint_missing_line",
            Self::EmptyOrigin => "checkpoint_empty_origin",
            Self::OriginTooLong => "checkpoint_origin_too_long",
            Self::OriginHasSpaceOrPlus => "checkpoint_origin_has_space_or_plus",
            Self::SizeNotDecimal => "checkpoint_size_not_decimal",
            Self::SizeTooLarge => "checkpoint_size_too_large",
            Self::InvalidRootHash => "checkpoint_invalid_root_hash",
            Self::EmptyExtensionLine => "checkpoint_empty_extension_line",
            Self::ExtensionLineTooLong => "checkpoint_extension_line_too_long",
            Self::TooManyExtensionLines => "checkpoint_too_many_extension_lines",
        }
    }
}

impl Checkpoint {
    /// A checkpoint from its fields, checked as [`Checkpoint::parse`] checks a text.
    ///
    /// The origin must be non-empty (C2SP tlog-checkpoint) and is also held to the format's
    /// recommendation of no whitespace and no `+`, the characters a note's key name may not
    /// hold, so that the origin can double as the signing key's name.
    pub fn new(
        origin: &str,
        size: u64,
        root: Hash,
        extensions: Vec<String>,
    ) -> Result<Self, CheckpointError> {
        check_origin(origin)?;
        if size > TREE_RECORDS_MAX {
            return Err(CheckpointError::SizeTooLarge);
        }
        if extensions.len() > EXTENSION_LINES_MAX {
            return Err(CheckpointError::TooManyExtensionLines);
        }
        for line in &extensions {
            check_extension_line(line)?;
        }
        let checkpoint = Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        };
        if checkpoint.to_text().len() > CHECKPOINT_TEXT_BYTES_MAX {
            return Err(CheckpointError::TextTooLong);
        }
        Ok(checkpoint)
    }

    /// The log's identity, the first line.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The number of records in the tree.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root hash of the tree of [`Checkpoint::size`] records.
    pub fn root(&self) -> Hash {
        self.root
    }

    /// The optional lines after the root hash, without their newlines.
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// The checkpoint's text, every line ending in a newline: the note text to sign.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64()
        );
        for line in &self.extensions {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// Parses a checkpoint's text strictly: every line ends in a newline, the size is decimal
    /// without leading zeros, the root hash is canonical base64 of 32 bytes, and no line after
    /// it is empty. Exactly the texts that [`Checkpoint::to_text`] writes are accepted.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        if text.len() > CHECKPOINT_TEXT_BYTES_MAX {
            return Err(CheckpointError::TextTooLong);
        }
        // A signed note's text holds no control character but newline (C2SP signed-note).
        if text.chars().any(|c| c != '\n' && c.is_control()) {
            return Err(CheckpointError::ControlCharacter);
        }
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::MissingFinalNewline)?;
        let mut lines = body.split('\n');
        // Each line is checked as it is read, so the error names the first problem.
        let origin = lines.next().ok_or(CheckpointError::MissingLine)?;
        check_origin(origin)?;
        let size = parse_tree_size(lines.next().ok_or(CheckpointError::MissingLine)?)?;
        let root = lines.next().ok_or(CheckpointError::MissingLine)?;
        let root = Hash::from_base64(root).map_err(|_| CheckpointError::InvalidRootHash)?;
        let mut extensions = Vec::new();
        for line in lines {
            if extensions.len() == EXTENSION_LINES_MAX {
                return Err(CheckpointError::TooManyExtensionLines);
            }
            check_extension_line(line)?;
            extensions.push(line.to_owned());
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }
}

fn check_origin(origin: &str) -> Result<(), CheckpointError> {
    if origin.is_empty() {
        return Err(CheckpointError::EmptyOrigin);
    }
    if origin.len() > ORIGIN_BYTES_MAX {
        return Err(CheckpointError::OriginTooLong);
    }
    if origin.chars().any(char::is_control) {
        return Err(CheckpointError::ControlCharacter);
    }
    if origin.chars().any(|c| c.is_whitespace() || c == '+') {
        return Err(CheckpointError::OriginHasSpaceOrPlus);
    }
    Ok(())
}

fn check_extension_line(line: &str) -> Result<(), CheckpointError> {
    if line.is_empty() {
        return Err(CheckpointError::EmptyExtensionLine);
    }
    if line.len() > EXTENSION_LINE_BYTES_MAX {
        return Err(CheckpointError::ExtensionLineTooLong);
    }
    if line.chars().any(char::is_control) {
        return Err(CheckpointError::ControlCharacter);
    }
    Ok(())
}

fn parse_tree_size(text: &str) -> Result<u64, CheckpointError> {
    let is_decimal = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !is_decimal || (text.len() > 1 && text.starts_with('0')) {
        return Err(CheckpointError::SizeNotDecimal);
    }
    // All digits, so the only failure left is overflow.
    let size: u64 = text.parse().map_err(|_| CheckpointError::SizeTooLarge)?;
    if size > TREE_RECORDS_MAX {
        return Err(CheckpointError::SizeTooLarge);
    }
    Ok(size)
}

/// Why record data cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeafDataError {
    #[error("the record kind is empty")]
    EmptyKind,
    #[error("the record kind is at most {LEAF_KIND_BYTES_MAX} bytes")]
    KindTooLong,
    #[error("the record subject is empty")]
    EmptySubject,
    #[error("the record subject is at most {LEAF_SUBJECT_BYTES_MAX} bytes")]
    SubjectTooLong,
    #[error("the record time is not an RFC 3339 date-time")]
    InvalidTime,
    #[error("the record digest is not 64 lowercase hexadecimal digits")]
    InvalidSha256,
    #[error("the extra member {0:?} would replace a field of the record")]
    ReservedField(String),
    #[error("the record data exceeds {LEAF_DATA_BYTES_MAX} bytes")]
    TooLong,
    #[error("the record data is not a JSON object")]
    NotAnObject,
    #[error(transparent)]
    CanonicalJson(#[from] CanonicalJsonError),
}

impl LeafDataError {
    /// A stable code for logs and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::EmptyKind => "leaf_empty_kind",
            Self::KindTooLong => "leaf_kind_too_long",
            Self::EmptySubject => "leaf_empty_subject",
            Self::SubjectTooLong => "leaf_subject_too_long",
            Self::InvalidTime => "leaf_invalid_time",
            Self::InvalidSha256 => "leaf_invalid_sha256",
            Self::ReservedField(_) => "leaf_reserved_field",
            Self::TooLong => "leaf_too_long",
            Self::NotAnObject => "leaf_not_an_object",
            Self::CanonicalJson(error) => error.code(),
        }
    }
}

/// The data of a log record: the JSON object {kind, subject, time, sha256, …extra} in RFC 8785
/// canonical form, as UTF-8 bytes ready for [`record_hash`] and storage.
///
/// `time_rfc3339` must parse as an RFC 3339 date-time and is written as given; `sha256_hex` is
/// the digest of the document the record vouches for, in lowercase hexadecimal. `extra` may add
/// members but not replace the four fields.
pub fn leaf_json(
    kind: &str,
    subject: &str,
    time_rfc3339: &str,
    sha256_hex: &str,
    extra: Map<String, Value>,
) -> Result<Vec<u8>, LeafDataError> {
    if kind.is_empty() {
        return Err(LeafDataError::EmptyKind);
    }
    if kind.len() > LEAF_KIND_BYTES_MAX {
        return Err(LeafDataError::KindTooLong);
    }
    if subject.is_empty() {
        return Err(LeafDataError::EmptySubject);
    }
    if subject.len() > LEAF_SUBJECT_BYTES_MAX {
        return Err(LeafDataError::SubjectTooLong);
    }
    time::OffsetDateTime::parse(time_rfc3339, &time::format_description::well_known::Rfc3339)
        .map_err(|_| LeafDataError::InvalidTime)?;
    Hash::from_hex(sha256_hex).map_err(|_| LeafDataError::InvalidSha256)?;
    if let Some(name) = extra
        .keys()
        .find(|name| LEAF_RESERVED_FIELDS.contains(&name.as_str()))
    {
        return Err(LeafDataError::ReservedField(name.clone()));
    }
    let mut members = extra;
    members.insert("kind".to_owned(), Value::String(kind.to_owned()));
    members.insert("subject".to_owned(), Value::String(subject.to_owned()));
    members.insert("time".to_owned(), Value::String(time_rfc3339.to_owned()));
    members.insert("sha256".to_owned(), Value::String(sha256_hex.to_owned()));
    let bytes = to_canonical_bytes(&Value::Object(members))?;
    if bytes.len() > LEAF_DATA_BYTES_MAX {
        return Err(LeafDataError::TooLong);
    }
    Ok(bytes)
}

/// The four fields every record carries, read back from its data (see [`leaf_json`]), with
/// the extra members left as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafFields {
    pub kind: String,
    pub subject: String,
    pub time_rfc3339: String,
    pub sha256_hex: String,
    pub extra: Map<String, Value>,
}

/// Reads a record's data back into its fields, checking them as [`leaf_json`] checks them when
/// it writes them; the data need not be canonical, since a verifier reads what it was given and
/// binds it to the tree through [`record_hash`] of the same bytes.
pub fn parse_leaf(data: &[u8]) -> Result<LeafFields, LeafDataError> {
    if data.len() > LEAF_DATA_BYTES_MAX {
        return Err(LeafDataError::TooLong);
    }
    let Ok(Value::Object(mut members)) = serde_json::from_slice::<Value>(data) else {
        return Err(LeafDataError::NotAnObject);
    };
    let mut take = |name: &str| match members.remove(name) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    };
    let kind = take("kind").ok_or(LeafDataError::EmptyKind)?;
    let subject = take("subject").ok_or(LeafDataError::EmptySubject)?;
    let time_rfc3339 = take("time").ok_or(LeafDataError::InvalidTime)?;
    let sha256_hex = take("sha256").ok_or(LeafDataError::InvalidSha256)?;
    if kind.is_empty() {
        return Err(LeafDataError::EmptyKind);
    }
    if subject.is_empty() {
        return Err(LeafDataError::EmptySubject);
    }
    time::OffsetDateTime::parse(
        &time_rfc3339,
        &time::format_description::well_known::Rfc3339,
    )
    .map_err(|_| LeafDataError::InvalidTime)?;
    Hash::from_hex(&sha256_hex).map_err(|_| LeafDataError::InvalidSha256)?;
    Ok(LeafFields {
        kind,
        subject,
        time_rfc3339,
        sha256_hex,
        extra: members,
    })
}

/// The record kinds about a document version (see docs/transparency.md, "Leaf schema").
pub const DOCUMENT_LEAF_KINDS: [&str; 3] = [
    "document_version_published",
    "document_version_corrected",
    "document_withdrawn",
];

/// The external id of the document a record is about, for the kinds of
/// [`DOCUMENT_LEAF_KINDS`], whose subject is `<external id>@v<version>`; `None` for any other
/// record. A document's history is the list of its records in log order.
pub fn document_of_leaf(fields: &LeafFields) -> Option<&str> {
    if !DOCUMENT_LEAF_KINDS.contains(&fields.kind.as_str()) {
        return None;
    }
    let (external_id, version) = fields.subject.rsplit_once("@v")?;
    let is_version = !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit());
    (is_version && !external_id.is_empty()).then_some(external_id)
}

/// Why a signed checkpoint cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointOpenError {
    /// The note carries no valid signature by the verifier key (C2SP signed-note).
    #[error("the checkpoint's signature does not verify with the key {key_name}: {source}")]
    Signature {
        key_name: String,
        #[source]
        source: crate::signed_note::NoteError,
    },
    /// The signed text is not a checkpoint (C2SP tlog-checkpoint).
    #[error("the signed text is not a checkpoint: {0}")]
    Malformed(#[from] CheckpointError),
    /// The checkpoint names another log than the key does: a valid signature over another
    /// log's state proves nothing about this one.
    #[error("the checkpoint is of the log {origin:?}, the key signs for {key_name:?}")]
    OriginMismatch { origin: String, key_name: String },
}

/// Opens a signed checkpoint: checks its signature with `verifier` (C2SP signed-note), parses
/// the signed text (C2SP tlog-checkpoint) and requires its origin line to be the key's name,
/// as this log signs with a key named after its origin.
pub fn open_checkpoint(
    verifier: &crate::signed_note::NoteVerifier,
    note: &str,
) -> Result<Checkpoint, CheckpointOpenError> {
    let text = verifier
        .open(note)
        .map_err(|source| CheckpointOpenError::Signature {
            key_name: verifier.name().to_owned(),
            source,
        })?;
    let checkpoint = Checkpoint::parse(text)?;
    if checkpoint.origin() != verifier.name() {
        return Err(CheckpointOpenError::OriginMismatch {
            origin: checkpoint.origin().to_owned(),
            key_name: verifier.name().to_owned(),
        });
    }
    Ok(checkpoint)
}

/// The height of a tile (C2SP tlog-tiles): a tile spans eight levels of the tree, so a tile at
/// tile level L holds hashes of tree level 8·L.
pub const TILE_HEIGHT: u32 = 8;
/// The number of hashes (or entries) in a full tile, 2^[`TILE_HEIGHT`].
pub const TILE_WIDTH: u64 = 1 << TILE_HEIGHT;
/// The highest tile level that can hold a hash: level 8·7 = 56 is the last multiple of eight
/// below the 62 levels of a tree of [`TREE_RECORDS_MAX`] records.
pub const TILE_LEVEL_MAX: u8 = 7;
/// The longest tile path accepted, e.g. `tile/7/x001/x234/x567/x890/123.p/255`.
pub const TILE_PATH_BYTES_MAX: usize = 128;

/// What a tile holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TileKind {
    /// Hashes of tree level 8·`level`, 32 bytes each, concatenated (`tile/<L>/<N>`).
    Hashes { level: u8 },
    /// Record data, each prefixed by its length as a big-endian uint16 (`tile/entries/<N>`).
    Entries,
}

/// One tile of the log in the C2SP tlog-tiles layout: the `width` hashes or entries starting
/// at position `index`·256 of its level. A full tile has width 256; a partial one, the
/// right-most of a level whose count is not a multiple of 256, is named with `.p/<width>`.
///
/// Every tile is immutable: the hashes at a level never change once the tree has grown past
/// them, so the bytes of a tile path are the same forever, and a partial tile of width W is
/// the first W elements of the full tile that will replace it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tile {
    kind: TileKind,
    index: u64,
    width: u16,
}

/// Why a path names no tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    #[error("not a tile path of the form tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]")]
    MalformedPath,
    #[error("a tile level is at most {TILE_LEVEL_MAX}")]
    LevelTooHigh,
    #[error("a tile's width is 1 to {TILE_WIDTH}")]
    InvalidWidth,
    #[error("the tile lies beyond a tree of {TREE_RECORDS_MAX} records")]
    IndexTooLarge,
    #[error("an entry bundle is a sequence of entries each prefixed by a big-endian uint16 length")]
    MalformedBundle,
    #[error("an entry in a bundle is at most {} bytes", u16::MAX)]
    EntryTooLong,
}

impl TileError {
    /// A stable code for logs and API errors.
    pub fn code(self) -> &'static str {
        match self {
            Self::MalformedPath => "tile_malformed_path",
            Self::LevelTooHigh => "tile_level_too_high",
            Self::InvalidWidth => "tile_invalid_width",
            Self::IndexTooLarge => "tile_index_too_large",
            Self::MalformedBundle => "tile_malformed_bundle",
            Self::EntryTooLong => "tile_entry_too_long",
        }
    }
}

impl Tile {
    /// The tile of `kind` at `index` with `width` elements (1 to 256).
    pub fn new(kind: TileKind, index: u64, width: u16) -> Result<Self, TileError> {
        if let TileKind::Hashes { level } = kind
            && level > TILE_LEVEL_MAX
        {
            return Err(TileError::LevelTooHigh);
        }
        if width == 0 || u64::from(width) > TILE_WIDTH {
            return Err(TileError::InvalidWidth);
        }
        // Positions are counted at the tile's level; at level 0 they are records, so keeping
        // the last one below TREE_RECORDS_MAX keeps every later multiplication in range.
        let last = index
            .checked_mul(TILE_WIDTH)
            .and_then(|first| first.checked_add(u64::from(width)))
            .ok_or(TileError::IndexTooLarge)?;
        if last > TREE_RECORDS_MAX {
            return Err(TileError::IndexTooLarge);
        }
        Ok(Self { kind, index, width })
    }

    /// What the tile holds.
    pub fn kind(&self) -> TileKind {
        self.kind
    }

    /// The tile's index N at its level.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The number of hashes or entries in the tile.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Whether the tile has all [`TILE_WIDTH`] elements.
    pub fn is_full(&self) -> bool {
        u64::from(self.width) == TILE_WIDTH
    }

    /// The position of the tile's first element at its level: the first record of an entry
    /// bundle, or the first hash of tree level 8·L.
    pub fn first_position(&self) -> u64 {
        self.index * TILE_WIDTH
    }

    /// Whether a tree of `tree_size` records holds every element of the tile, so that the
    /// tile can be served: a tile never shows a hash or an entry beyond the current tree.
    pub fn is_within(&self, tree_size: u64) -> bool {
        let available = match self.kind {
            TileKind::Entries => tree_size,
            TileKind::Hashes { level } => tree_size
                .checked_shr(TILE_HEIGHT * u32::from(level))
                .unwrap_or(0),
        };
        self.first_position() + u64::from(self.width) <= available
    }

    /// The stored-hash indexes ([`stored_hash_index`]) of a hash tile's hashes, in tile order;
    /// empty for an entry bundle.
    pub fn hash_read_indexes(&self) -> Vec<u64> {
        match self.kind {
            TileKind::Entries => Vec::new(),
            TileKind::Hashes { level } => {
                let tree_level = TILE_HEIGHT * u32::from(level);
                (0..u64::from(self.width))
                    .map(|k| stored_hash_index(tree_level, self.first_position() + k))
                    .collect()
            }
        }
    }

    /// The tile's path relative to the log's prefix (C2SP tlog-tiles), such as
    /// `tile/0/x001/x234/067` or `tile/entries/000.p/3`.
    pub fn to_path(&self) -> String {
        let level = match self.kind {
            TileKind::Hashes { level } => level.to_string(),
            TileKind::Entries => "entries".to_owned(),
        };
        let mut path = format!("tile/{level}/{}", tile_index_path(self.index));
        if !self.is_full() {
            path.push_str(&format!(".p/{}", self.width));
        }
        path
    }

    /// Parses a tile path relative to the log's prefix, strictly: exactly the paths that
    /// [`Tile::to_path`] writes are accepted, so every tile has one name and one cache entry.
    pub fn parse_path(path: &str) -> Result<Self, TileError> {
        if path.len() > TILE_PATH_BYTES_MAX {
            return Err(TileError::MalformedPath);
        }
        let rest = path.strip_prefix("tile/").ok_or(TileError::MalformedPath)?;
        let (level, rest) = rest.split_once('/').ok_or(TileError::MalformedPath)?;
        let kind = if level == "entries" {
            TileKind::Entries
        } else {
            let level = parse_canonical_decimal(level).ok_or(TileError::MalformedPath)?;
            // The format allows levels up to 63; none above TILE_LEVEL_MAX can hold a hash.
            let level = u8::try_from(level).map_err(|_| TileError::LevelTooHigh)?;
            TileKind::Hashes { level }
        };
        let (index_path, width) = match rest.split_once(".p/") {
            Some((index_path, width)) => {
                let width = parse_canonical_decimal(width).ok_or(TileError::MalformedPath)?;
                let width = u16::try_from(width).map_err(|_| TileError::InvalidWidth)?;
                // A partial tile is narrower than a full one; 256 is written without `.p/`.
                if u64::from(width) >= TILE_WIDTH {
                    return Err(TileError::InvalidWidth);
                }
                (index_path, width)
            }
            None => (rest, TILE_WIDTH as u16),
        };
        let index = parse_tile_index_path(index_path)?;
        let tile = Self::new(kind, index, width)?;
        Ok(tile)
    }
}

/// Writes a tile index N as C2SP tlog-tiles does: zero-padded groups of three digits, every
/// group but the last prefixed by `x`, e.g. 1234067 → `x001/x234/067`, 5 → `005`.
pub fn tile_index_path(index: u64) -> String {
    let mut groups = Vec::new();
    let mut rest = index;
    loop {
        groups.push(rest % 1000);
        rest /= 1000;
        if rest == 0 {
            break;
        }
    }
    let last = groups.len() - 1;
    groups
        .iter()
        .rev()
        .enumerate()
        .map(|(position, group)| {
            if position == last {
                format!("{group:03}")
            } else {
                format!("x{group:03}")
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The inverse of [`tile_index_path`]; refuses non-canonical spellings such as `x000/005`.
fn parse_tile_index_path(path: &str) -> Result<u64, TileError> {
    let elements: Vec<&str> = path.split('/').collect();
    // u64::MAX has twenty digits, seven groups of three.
    if elements.is_empty() || elements.len() > 7 {
        return Err(TileError::MalformedPath);
    }
    let last = elements.len() - 1;
    let mut index: u64 = 0;
    for (position, element) in elements.iter().enumerate() {
        let digits = if position == last {
            *element
        } else {
            element.strip_prefix('x').ok_or(TileError::MalformedPath)?
        };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TileError::MalformedPath);
        }
        let group: u64 = digits.parse().map_err(|_| TileError::MalformedPath)?;
        index = index
            .checked_mul(1000)
            .and_then(|value| value.checked_add(group))
            .ok_or(TileError::IndexTooLarge)?;
    }
    if tile_index_path(index) != path {
        return Err(TileError::MalformedPath);
    }
    Ok(index)
}

/// A decimal number without sign or leading zeros, or `None`.
fn parse_canonical_decimal(text: &str) -> Option<u64> {
    let is_decimal = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !is_decimal || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    text.parse().ok()
}

/// The bytes of a hash tile: its hashes concatenated (C2SP tlog-tiles).
pub fn hash_tile_bytes(hashes: &[Hash]) -> Vec<u8> {
    hashes.iter().flat_map(|hash| hash.0).collect()
}

/// Splits the bytes of a hash tile into hashes; `None` if the length is not a multiple of 32.
pub fn parse_hash_tile(bytes: &[u8]) -> Option<Vec<Hash>> {
    if !bytes.len().is_multiple_of(HASH_BYTES) {
        return None;
    }
    bytes
        .chunks_exact(HASH_BYTES)
        .map(|chunk| chunk.try_into().ok().map(Hash))
        .collect()
}

/// The bytes of an entry bundle: each record's data prefixed by its length as a big-endian
/// uint16 (C2SP tlog-tiles, "Log entries").
pub fn entry_bundle_bytes<'a>(
    entries: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<u8>, TileError> {
    let mut out = Vec::new();
    for entry in entries {
        let length = u16::try_from(entry.len()).map_err(|_| TileError::EntryTooLong)?;
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(entry);
    }
    Ok(out)
}

/// Splits an entry bundle into the records' data.
pub fn parse_entry_bundle(bytes: &[u8]) -> Result<Vec<&[u8]>, TileError> {
    let mut entries = Vec::new();
    let mut rest = bytes;
    while let Some((length, after)) = rest.split_first_chunk::<2>() {
        let length = usize::from(u16::from_be_bytes(*length));
        let (entry, after) = after
            .split_at_checked(length)
            .ok_or(TileError::MalformedBundle)?;
        entries.push(entry);
        rest = after;
    }
    if !rest.is_empty() {
        return Err(TileError::MalformedBundle);
    }
    Ok(entries)
}

#[cfg(test)]
mod frontier_tests {
    use super::*;

    #[test]
    fn the_frontier_stores_what_stored_hashes_stores_and_resumes_from_storage() {
        let mut stored: Vec<Hash> = Vec::new();
        let mut frontier = TreeFrontier::new();
        for n in 0..3000u64 {
            let data = format!("record {n}").into_bytes();
            let expected = stored_hashes(n, &data, &stored).expect("hashes");
            assert_eq!(stored.len() as u64, stored_hash_index(0, n));
            assert_eq!(
                frontier.append(&data).expect("append"),
                expected,
                "record {n}"
            );
            stored.extend(expected);
            if n % 97 == 0 {
                let resumed = TreeFrontier::from_stored(n + 1, &stored).expect("resumed");
                assert_eq!(resumed, frontier, "size {}", n + 1);
            }
        }
        assert_eq!(frontier.size(), 3000);
    }

    #[test]
    fn a_frontier_without_its_stored_hashes_is_an_error() {
        let empty: Vec<Hash> = Vec::new();
        assert!(matches!(
            TreeFrontier::from_stored(5, &empty),
            Err(TlogError::HashMissing { .. })
        ));
    }
}

#[cfg(test)]
mod tile_tests {
    use super::*;

    /// The stored hashes of an in-memory log of `size` records whose data is the record's
    /// decimal index.
    fn memory_log(size: u64) -> Vec<Hash> {
        let mut stored = Vec::new();
        for n in 0..size {
            let hashes = stored_hashes(n, n.to_string().as_bytes(), &stored).unwrap();
            stored.extend(hashes);
        }
        stored
    }

    #[test]
    fn tile_index_paths_follow_the_c2sp_examples() {
        for (index, path) in [
            (0, "000"),
            (5, "005"),
            (67, "067"),
            (999, "999"),
            (1000, "x001/000"),
            (1_234_067, "x001/x234/067"),
            (u64::MAX, "x018/x446/x744/x073/x709/x551/615"),
        ] {
            assert_eq!(tile_index_path(index), path);
            assert_eq!(parse_tile_index_path(path), Ok(index), "{path}");
        }
    }

    #[test]
    fn tile_paths_round_trip_and_only_canonical_spellings_parse() {
        for (path, kind, index, width) in [
            ("tile/0/000", TileKind::Hashes { level: 0 }, 0, 256),
            (
                "tile/1/x001/x234/067.p/8",
                TileKind::Hashes { level: 1 },
                1_234_067,
                8,
            ),
            ("tile/entries/000.p/3", TileKind::Entries, 0, 3),
            ("tile/entries/x002/001", TileKind::Entries, 2001, 256),
        ] {
            let tile = Tile::parse_path(path).unwrap();
            assert_eq!(
                (tile.kind(), tile.index(), tile.width()),
                (kind, index, width)
            );
            assert_eq!(tile.to_path(), path);
        }
        for bad in [
            "",
            "tile/0",
            "tile/0/",
            "tile/0/5",
            "tile/0/0005",
            "tile/0/x000/005",
            "tile/00/000",
            "tile/-1/000",
            "tile/x/000",
            "tile/8/000",
            "tile/0/000.p/0",
            "tile/0/000.p/007",
            "tile/0/000.p/256",
            "tile/0/000.p/",
            "tile/0/000.p/1/2",
            "tile/0/x001.p/1/000",
            "tile/entries/",
            "tile/entries/000.p/300",
            "tiles/0/000",
            "tile/0/x018/x446/x744/x073/x709/x551/615",
        ] {
            assert!(Tile::parse_path(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn tiles_hold_the_stored_hashes_and_rebuild_the_root() {
        let size: u64 = 70_000;
        let stored = memory_log(size);
        let root = tree_hash(size, &stored).unwrap();
        // Level 0: 273 full tiles and a partial one of 112 leaves.
        let last_level0 = Tile::new(TileKind::Hashes { level: 0 }, 273, 112).unwrap();
        assert!(last_level0.is_within(size));
        assert!(
            !Tile::new(TileKind::Hashes { level: 0 }, 273, 113)
                .unwrap()
                .is_within(size)
        );
        assert!(
            !Tile::new(TileKind::Hashes { level: 0 }, 273, 256)
                .unwrap()
                .is_within(size)
        );
        // A mirror that holds only the level-0 tiles rebuilds the tree and its root.
        let mut leaves = Vec::new();
        for index in 0..=273 {
            let width = if index < 273 { 256 } else { 112 };
            let tile = Tile::new(TileKind::Hashes { level: 0 }, index, width).unwrap();
            let bytes = hash_tile_bytes(&stored.read_hashes(&tile.hash_read_indexes()).unwrap());
            leaves.extend(parse_hash_tile(&bytes).unwrap());
        }
        assert_eq!(leaves.len() as u64, size);
        let mut rebuilt = Vec::new();
        for (n, leaf) in leaves.iter().enumerate() {
            assert_eq!(*leaf, record_hash(n.to_string().as_bytes()));
            let hashes = stored_hashes_for_record_hash(n as u64, *leaf, &rebuilt).unwrap();
            rebuilt.extend(hashes);
        }
        assert_eq!(rebuilt, stored);
        assert_eq!(tree_hash(size, &rebuilt).unwrap(), root);
        // Level 1 holds the roots of 256-leaf subtrees: 273 of them, a full tile and 17 more.
        let level1 = Tile::new(TileKind::Hashes { level: 1 }, 1, 17).unwrap();
        assert!(level1.is_within(size));
        assert!(
            !Tile::new(TileKind::Hashes { level: 1 }, 1, 18)
                .unwrap()
                .is_within(size)
        );
        let hashes = stored.read_hashes(&level1.hash_read_indexes()).unwrap();
        for (k, hash) in hashes.iter().enumerate() {
            let first = (256 + k as u64) * 256;
            let subtree = memory_log_range(first, 256);
            assert_eq!(*hash, tree_hash(256, &subtree).unwrap(), "level-1 hash {k}");
        }
        // Level 2: one hash, the root of the first 65,536 leaves.
        let level2 = Tile::new(TileKind::Hashes { level: 2 }, 0, 1).unwrap();
        assert!(level2.is_within(size));
        let first_half = stored.read_hashes(&level2.hash_read_indexes()).unwrap();
        assert_eq!(first_half, vec![tree_hash(65_536, &stored).unwrap()]);
        assert!(
            !Tile::new(TileKind::Hashes { level: 3 }, 0, 1)
                .unwrap()
                .is_within(size)
        );
    }

    /// An in-memory log of `count` records with data first, first+1, … (as decimal text).
    fn memory_log_range(first: u64, count: u64) -> Vec<Hash> {
        let mut stored = Vec::new();
        for n in 0..count {
            let data = (first + n).to_string();
            let hashes = stored_hashes(n, data.as_bytes(), &stored).unwrap();
            stored.extend(hashes);
        }
        stored
    }

    #[test]
    fn entry_bundles_are_length_prefixed_and_parse_strictly() {
        let entries: [&[u8]; 3] = [b"{\"a\":1}", b"", b"xyz"];
        let bundle = entry_bundle_bytes(entries).unwrap();
        assert_eq!(&bundle[..2], &[0, 7]);
        assert_eq!(parse_entry_bundle(&bundle).unwrap(), entries.to_vec());
        assert_eq!(
            parse_entry_bundle(&bundle[..bundle.len() - 1]),
            Err(TileError::MalformedBundle)
        );
        assert_eq!(parse_entry_bundle(&[0]), Err(TileError::MalformedBundle));
        let too_long = vec![b'x'; usize::from(u16::MAX) + 1];
        assert_eq!(
            entry_bundle_bytes([too_long.as_slice()]),
            Err(TileError::EntryTooLong)
        );
        // The longest leaf fits a bundle.
        assert_eq!(LEAF_DATA_BYTES_MAX, usize::from(u16::MAX));
    }
}
