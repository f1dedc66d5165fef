//! The transparency log's Merkle tree against the Certificate Transparency test vectors and
//! against the definitions of RFC 9162 written out naively (MTH, PATH, PROOF and both
//! verification algorithms of §2.1.3.2 and §2.1.4.2), for every tree of up to 64 records; the
//! stored-hash layout; the readers; and the encodings of a hash.

use std::cell::RefCell;
use std::collections::BTreeMap;

use gongkai_domain::tlog::{
    Base64Error, EMPTY_TREE_HASH, Hash, HashParseError, HashReader, RecordProof, TREE_RECORDS_MAX,
    TlogError, TreeProof, base64_decode, base64_encode, check_record, check_tree, node_hash,
    prove_record, prove_record_read_indexes, prove_tree, prove_tree_read_indexes, record_hash,
    split_stored_hash_index, stored_hash_count, stored_hash_index, stored_hashes,
    stored_hashes_read_indexes, tree_hash, tree_hash_read_indexes,
};

const TREE_SIZE_EXHAUSTIVE_MAX: u64 = 64;

/// The leaves of the Certificate Transparency reference tests (merkle_tree_test.cc), in hex.
const CT_LEAVES_HEX: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// The root hashes of the first 1..=8 of those leaves, from the same tests (and recomputed
/// independently with Python's hashlib).
const CT_ROOTS_HEX: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

fn hex_bytes(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).expect("small test sizes")
}

/// An in-memory log: the records' data and every stored hash, appended with `stored_hashes`.
struct Log {
    data: Vec<Vec<u8>>,
    stored: Vec<Hash>,
}

impl Log {
    fn new() -> Self {
        Self {
            data: Vec::new(),
            stored: Vec::new(),
        }
    }

    fn with_records(count: u64) -> Self {
        let mut log = Self::new();
        for n in 0..count {
            log.append(format!("record {n}").into_bytes());
        }
        log
    }

    fn append(&mut self, data: Vec<u8>) {
        let n = self.data.len() as u64;
        assert_eq!(self.stored.len() as u64, stored_hash_index(0, n));
        let new_hashes = stored_hashes(n, &data, &self.stored).expect("append");
        self.stored.extend(new_hashes);
        self.data.push(data);
        assert_eq!(self.stored.len() as u64, stored_hash_count(n + 1));
    }

    fn leaves(&self) -> Vec<Hash> {
        self.data.iter().map(|data| record_hash(data)).collect()
    }
}

/// RFC 9162 §2.1.1, MTH.
fn naive_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => EMPTY_TREE_HASH,
        1 => leaves[0],
        n => {
            let k = largest_power_of_two_below(n);
            node_hash(naive_root(&leaves[..k]), naive_root(&leaves[k..]))
        }
    }
}

fn largest_power_of_two_below(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 9162 §2.1.3.1, PATH(m, D[n]).
fn naive_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    if leaves.len() <= 1 {
        return Vec::new();
    }
    let k = largest_power_of_two_below(leaves.len());
    let mut path;
    if m < k {
        path = naive_path(m, &leaves[..k]);
        path.push(naive_root(&leaves[k..]));
    } else {
        path = naive_path(m - k, &leaves[k..]);
        path.push(naive_root(&leaves[..k]));
    }
    path
}

/// RFC 9162 §2.1.4.1, SUBPROOF(m, D[n], b).
fn naive_subproof(m: usize, leaves: &[Hash], whole_old_tree: bool) -> Vec<Hash> {
    let n = leaves.len();
    if m == n {
        return if whole_old_tree {
            Vec::new()
        } else {
            vec![naive_root(leaves)]
        };
    }
    let k = largest_power_of_two_below(n);
    let mut proof;
    if m <= k {
        proof = naive_subproof(m, &leaves[..k], whole_old_tree);
        proof.push(naive_root(&leaves[k..]));
    } else {
        proof = naive_subproof(m - k, &leaves[k..], false);
        proof.push(naive_root(&leaves[..k]));
    }
    proof
}

/// RFC 9162 §2.1.3.2: verifying an inclusion proof.
fn rfc_verify_inclusion(
    leaf_index: u64,
    tree_size: u64,
    leaf: Hash,
    path: &[Hash],
    root: Hash,
) -> bool {
    if leaf_index >= tree_size {
        return false;
    }
    let (mut f, mut s) = (leaf_index, tree_size - 1);
    let mut r = leaf;
    for &p in path {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == root
}

/// RFC 9162 §2.1.4.2: verifying a consistency proof, for first < second.
fn rfc_verify_consistency(
    first: u64,
    second: u64,
    first_hash: Hash,
    second_hash: Hash,
    proof: &[Hash],
) -> bool {
    if proof.is_empty() {
        return false;
    }
    let mut path = proof.to_vec();
    if first.is_power_of_two() {
        path.insert(0, first_hash);
    }
    let (mut f, mut s) = (first - 1, second - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for &c in &path[1..] {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, fr);
            sr = node_hash(c, sr);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            sr = node_hash(sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    fr == first_hash && sr == second_hash && s == 0
}

#[test]
fn certificate_transparency_roots() {
    let mut log = Log::new();
    assert_eq!(tree_hash(0, &log.stored).expect("empty"), EMPTY_TREE_HASH);
    assert_eq!(
        EMPTY_TREE_HASH.to_hex(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    for (leaf, root) in CT_LEAVES_HEX.iter().zip(CT_ROOTS_HEX) {
        log.append(hex_bytes(leaf));
        let size = log.data.len() as u64;
        assert_eq!(
            tree_hash(size, &log.stored).expect("root").to_hex(),
            root,
            "size {size}"
        );
    }
    // The leaf hash of the empty record is SHA-256 of the single byte 0x00.
    assert_eq!(record_hash(b"").to_hex(), CT_ROOTS_HEX[0]);
}

#[test]
fn tree_hashes_match_the_definition() {
    let log = Log::with_records(TREE_SIZE_EXHAUSTIVE_MAX);
    let leaves = log.leaves();
    for size in 0..=TREE_SIZE_EXHAUSTIVE_MAX {
        let expected = naive_root(&leaves[..to_usize(size)]);
        assert_eq!(
            tree_hash(size, &log.stored).expect("root"),
            expected,
            "size {size}"
        );
    }
}

#[test]
fn stored_hashes_are_the_complete_subtrees() {
    let log = Log::with_records(TREE_SIZE_EXHAUSTIVE_MAX);
    let leaves = log.leaves();
    for (index, stored) in log.stored.iter().enumerate() {
        let (level, n) = split_stored_hash_index(index as u64);
        let width = 1usize << level;
        let first = to_usize(n) * width;
        assert_eq!(
            *stored,
            naive_root(&leaves[first..first + width]),
            "index {index}"
        );
    }
}

#[test]
fn record_proofs_match_the_definition_and_verify() {
    let log = Log::with_records(TREE_SIZE_EXHAUSTIVE_MAX);
    let leaves = log.leaves();
    for size in 1..=TREE_SIZE_EXHAUSTIVE_MAX {
        let tree = &leaves[..to_usize(size)];
        let root = naive_root(tree);
        for n in 0..size {
            let proof = prove_record(size, n, &log.stored).expect("proof");
            assert_eq!(
                proof.0,
                naive_path(to_usize(n), tree),
                "size {size} record {n}"
            );
            let leaf = tree[to_usize(n)];
            check_record(&proof, size, root, n, leaf).expect("verifies");
            assert!(rfc_verify_inclusion(n, size, leaf, &proof.0, root));
            let other_leaf = record_hash(b"not this record");
            assert!(matches!(
                check_record(&proof, size, root, n, other_leaf),
                Err(TlogError::ProofFailed)
            ));
        }
    }
}

#[test]
fn tree_proofs_match_the_definition_and_verify() {
    let log = Log::with_records(TREE_SIZE_EXHAUSTIVE_MAX);
    let leaves = log.leaves();
    for size in 1..=TREE_SIZE_EXHAUSTIVE_MAX {
        let tree = &leaves[..to_usize(size)];
        let root = naive_root(tree);
        for old_size in 1..=size {
            let old_root = naive_root(&tree[..to_usize(old_size)]);
            let proof = prove_tree(size, old_size, &log.stored).expect("proof");
            assert_eq!(proof.0, naive_subproof(to_usize(old_size), tree, true));
            check_tree(&proof, size, root, old_size, old_root).expect("verifies");
            if old_size < size {
                assert!(rfc_verify_consistency(
                    old_size, size, old_root, root, &proof.0
                ));
                let wrong_old_root = node_hash(old_root, old_root);
                assert!(matches!(
                    check_tree(&proof, size, root, old_size, wrong_old_root),
                    Err(TlogError::ProofFailed)
                ));
            } else {
                assert!(proof.0.is_empty());
            }
        }
    }
}

#[test]
fn stored_hash_index_layout() {
    // Record n's leaf hash comes after every hash of records 0..n: 0, 1 then (1,0), 3, 4 then
    // (1,1) and (2,0), 7, …
    let leaf_indexes: Vec<u64> = (0..8).map(|n| stored_hash_index(0, n)).collect();
    assert_eq!(leaf_indexes, [0, 1, 3, 4, 7, 8, 10, 11]);
    assert_eq!(stored_hash_index(1, 0), 2);
    assert_eq!(stored_hash_index(1, 1), 5);
    assert_eq!(stored_hash_index(2, 0), 6);
    assert_eq!(stored_hash_index(3, 0), 14);
    let counts: Vec<u64> = (0..9).map(stored_hash_count).collect();
    assert_eq!(counts, [0, 1, 3, 4, 7, 8, 10, 11, 15]);
    for index in 0..20_000 {
        let (level, n) = split_stored_hash_index(index);
        assert_eq!(stored_hash_index(level, n), index, "index {index}");
    }
    // The largest tree's last coordinates stay below 2^63, and absurd ones saturate.
    let last = stored_hash_index(0, TREE_RECORDS_MAX - 1);
    assert!(last < 1 << 63);
    assert_eq!(split_stored_hash_index(last), (0, TREE_RECORDS_MAX - 1));
    assert_eq!(
        stored_hash_index(62, 0),
        stored_hash_count(TREE_RECORDS_MAX) - 1
    );
    assert_eq!(stored_hash_index(70, u64::MAX), u64::MAX);
    let _ = split_stored_hash_index(u64::MAX);
}

/// Records every request, answering from a slice.
struct RecordingReader<'a> {
    stored: &'a [Hash],
    requests: RefCell<Vec<Vec<u64>>>,
}

impl HashReader for RecordingReader<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError> {
        self.requests.borrow_mut().push(indexes.to_vec());
        self.stored.read_hashes(indexes)
    }
}

/// Each function reads once, exactly the indexes its `*_read_indexes` twin names, so a caller
/// with asynchronous storage can fetch them into a map first.
#[test]
fn reads_are_announced_and_a_prefetched_map_suffices() {
    let log = Log::with_records(40);
    let fetch = |indexes: &[u64]| -> BTreeMap<u64, Hash> {
        indexes
            .iter()
            .map(|&i| (i, log.stored[to_usize(i)]))
            .collect()
    };
    let expect_single_read = |reader: &RecordingReader<'_>, indexes: &[u64]| {
        let requests = reader.requests.take();
        if indexes.is_empty() {
            assert!(requests.is_empty());
        } else {
            assert_eq!(requests, vec![indexes.to_vec()]);
        }
    };
    let reader = RecordingReader {
        stored: &log.stored,
        requests: RefCell::new(Vec::new()),
    };
    for size in 1..=40u64 {
        let indexes = tree_hash_read_indexes(size).expect("indexes");
        let root = tree_hash(size, &reader).expect("root");
        expect_single_read(&reader, &indexes);
        assert_eq!(tree_hash(size, &fetch(&indexes)).expect("root"), root);

        for n in 0..size {
            let indexes = prove_record_read_indexes(size, n).expect("indexes");
            let proof = prove_record(size, n, &reader).expect("proof");
            expect_single_read(&reader, &indexes);
            assert_eq!(
                prove_record(size, n, &fetch(&indexes)).expect("proof"),
                proof
            );
        }
        for old_size in 1..=size {
            let indexes = prove_tree_read_indexes(size, old_size).expect("indexes");
            let proof = prove_tree(size, old_size, &reader).expect("proof");
            expect_single_read(&reader, &indexes);
            assert_eq!(
                prove_tree(size, old_size, &fetch(&indexes)).expect("proof"),
                proof
            );
        }
        let n = size - 1;
        let indexes = stored_hashes_read_indexes(n).expect("indexes");
        let hashes = stored_hashes(n, &log.data[to_usize(n)], &reader).expect("hashes");
        expect_single_read(&reader, &indexes);
        let first = to_usize(stored_hash_index(0, n));
        assert_eq!(hashes, log.stored[first..first + hashes.len()]);
        assert_eq!(
            stored_hashes(n, &log.data[to_usize(n)], &fetch(&indexes)).expect("hashes"),
            hashes
        );
    }
}

/// A reader that answers with one hash too few.
struct ShortReader;

impl HashReader for ShortReader {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError> {
        Ok(vec![Hash::default(); indexes.len().saturating_sub(1)])
    }
}

/// A reader whose storage fails.
struct FailingReader;

impl HashReader for FailingReader {
    fn read_hashes(&self, _indexes: &[u64]) -> Result<Vec<Hash>, TlogError> {
        Err(TlogError::Storage("database unavailable".into()))
    }
}

#[test]
fn bad_inputs_and_bad_readers_are_errors() {
    let log = Log::with_records(10);
    let stored = &log.stored;
    let any = Hash::default();
    assert!(matches!(
        prove_record(10, 10, stored),
        Err(TlogError::RecordOutOfRange {
            record: 10,
            tree_size: 10
        })
    ));
    assert!(matches!(
        prove_record(0, 0, stored),
        Err(TlogError::RecordOutOfRange { .. })
    ));
    assert!(matches!(
        check_record(&RecordProof::default(), 3, any, 5, any),
        Err(TlogError::RecordOutOfRange { .. })
    ));
    assert!(matches!(
        prove_tree(10, 0, stored),
        Err(TlogError::TreeSizesOutOfOrder { .. })
    ));
    assert!(matches!(
        prove_tree(5, 6, stored),
        Err(TlogError::TreeSizesOutOfOrder { .. })
    ));
    assert!(matches!(
        check_tree(&TreeProof::default(), 5, any, 6, any),
        Err(TlogError::TreeSizesOutOfOrder {
            old_size: 6,
            new_size: 5
        })
    ));
    let too_large = TREE_RECORDS_MAX + 1;
    assert!(matches!(
        tree_hash(too_large, stored),
        Err(TlogError::TreeTooLarge { .. })
    ));
    assert!(matches!(
        prove_record(too_large, 0, stored),
        Err(TlogError::TreeTooLarge { .. })
    ));
    assert!(matches!(
        prove_tree(too_large, 1, stored),
        Err(TlogError::TreeTooLarge { .. })
    ));
    assert!(matches!(
        check_tree(&TreeProof::default(), u64::MAX, any, 1, any),
        Err(TlogError::TreeTooLarge { .. })
    ));
    assert!(matches!(
        stored_hashes(TREE_RECORDS_MAX, b"", stored),
        Err(TlogError::TreeTooLarge { .. })
    ));
    // A tree larger than the storage: the missing hash is named.
    assert!(matches!(
        tree_hash(11, stored),
        Err(TlogError::HashMissing { index: 18 })
    ));
    assert!(matches!(
        BTreeMap::new().read_hashes(&[3]),
        Err(TlogError::HashMissing { index: 3 })
    ));
    assert!(matches!(
        tree_hash(10, &ShortReader),
        Err(TlogError::WrongHashCount {
            requested: 2,
            returned: 1
        })
    ));
    assert!(matches!(
        prove_record(10, 3, &ShortReader),
        Err(TlogError::WrongHashCount { .. })
    ));
    assert!(matches!(
        prove_tree(10, 3, &ShortReader),
        Err(TlogError::WrongHashCount { .. })
    ));
    assert!(matches!(
        stored_hashes(7, b"", &ShortReader),
        Err(TlogError::WrongHashCount { .. })
    ));
    let error = tree_hash(10, &FailingReader).expect_err("storage fails");
    assert_eq!(error.code(), "tlog_storage");
    assert!(std::error::Error::source(&error).is_some());
    // A tree of one record needs no stored hash for its proofs, so no read at all.
    assert_eq!(
        prove_record(1, 0, &FailingReader).expect("empty proof"),
        RecordProof::default()
    );
    assert_eq!(
        prove_tree(1, 1, &FailingReader).expect("empty proof"),
        TreeProof::default()
    );
    assert_eq!(
        stored_hashes(0, b"x", &FailingReader).expect("leaf only"),
        [record_hash(b"x")]
    );
}

#[test]
fn a_record_proof_fails_when_lengthened_or_shortened() {
    let log = Log::with_records(21);
    let root = tree_hash(21, &log.stored).expect("root");
    let leaf = record_hash(&log.data[6]);
    let proof = prove_record(21, 6, &log.stored).expect("proof");
    let mut longer = proof.clone();
    longer.0.push(root);
    let mut shorter = proof.clone();
    shorter.0.pop();
    for bad in [longer, shorter, RecordProof::default()] {
        assert!(matches!(
            check_record(&bad, 21, root, 6, leaf),
            Err(TlogError::ProofFailed)
        ));
    }
    // The same proof does not verify another position of the same leaf.
    assert!(check_record(&proof, 21, root, 7, leaf).is_err());
}

#[test]
fn hashes_print_and_parse_in_hex_and_base64() {
    let hash = record_hash(b"gongkai");
    assert_eq!(Hash::from_hex(&hash.to_hex()), Ok(hash));
    assert_eq!(Hash::from_base64(&hash.to_base64()), Ok(hash));
    assert_eq!(hash.to_base64().len(), 44);
    assert_eq!(
        EMPTY_TREE_HASH.to_base64(),
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    );
    assert!(format!("{hash:?}").contains(&hash.to_hex()));
    let upper = hash.to_hex().to_uppercase();
    assert_eq!(Hash::from_hex(&upper), Err(HashParseError::InvalidHex));
    assert_eq!(Hash::from_hex("abc"), Err(HashParseError::InvalidHex));
    assert_eq!(
        Hash::from_hex(&"g".repeat(64)),
        Err(HashParseError::InvalidHex)
    );
    assert_eq!(
        Hash::from_base64("Zm9vYmFy"),
        Err(HashParseError::WrongLength)
    );
    assert_eq!(
        Hash::from_base64("not base64!"),
        Err(HashParseError::InvalidBase64)
    );
}

/// RFC 4648 §10 test vectors, and the non-canonical spellings a strict decoder refuses.
#[test]
fn base64_vectors() {
    let vectors = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];
    for (plain, encoded) in vectors {
        assert_eq!(base64_encode(plain.as_bytes()), encoded);
        assert_eq!(base64_decode(encoded).as_deref(), Ok(plain.as_bytes()));
    }
    assert_eq!(base64_encode(&[0xfb, 0xff, 0xbf]), "+/+/");
    assert_eq!(
        base64_decode("+/+/").as_deref(),
        Ok(&[0xfb, 0xff, 0xbf][..])
    );
    for bad in [
        "Zg",
        "Zg=",
        "Zh==",
        "Zm9=",
        "Zg==Zg==",
        "Z===",
        "====",
        "Zm9v ",
        "Zm-v",
        "Zm_v",
        "Zg=a",
        "\u{4e2d}\u{6587}",
    ] {
        assert_eq!(base64_decode(bad), Err(Base64Error), "{bad:?}");
    }
}
