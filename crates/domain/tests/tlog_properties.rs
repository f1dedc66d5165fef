//! Property tests of the transparency log over one shared log of a few thousand records: every
//! inclusion and consistency proof verifies and a tampered leaf, proof or root fails; tree
//! hashes agree with the RFC 9162 definition; and the stored-hash layout obeys its counting
//! laws far beyond any tree built here.

use std::sync::LazyLock;

use gongkai_domain::tlog::{
    EMPTY_TREE_HASH, Hash, TREE_RECORDS_MAX, TlogError, check_record, check_tree, node_hash,
    prove_record, prove_tree, record_hash, split_stored_hash_index, stored_hash_count,
    stored_hash_index, stored_hashes, stored_hashes_for_record_hash, tree_hash,
};
use proptest::prelude::*;

const LOG_RECORDS: u64 = 3_000;

struct Log {
    leaves: Vec<Hash>,
    stored: Vec<Hash>,
}

static LOG: LazyLock<Log> = LazyLock::new(|| {
    let mut leaves = Vec::new();
    let mut stored = Vec::new();
    for n in 0..LOG_RECORDS {
        let data = format!("{{\"kind\":\"test\",\"n\":{n}}}");
        let new_hashes = stored_hashes(n, data.as_bytes(), &stored).expect("append");
        stored.extend(new_hashes);
        leaves.push(record_hash(data.as_bytes()));
    }
    Log { leaves, stored }
});

fn root_of(size: u64) -> Hash {
    tree_hash(size, &LOG.stored).expect("root")
}

fn leaf(n: u64) -> Hash {
    LOG.leaves[usize::try_from(n).expect("small")]
}

/// RFC 9162 §2.1.1, MTH, computed from the leaves without the stored layout.
fn naive_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => EMPTY_TREE_HASH,
        1 => leaves[0],
        n => {
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            node_hash(naive_root(&leaves[..k]), naive_root(&leaves[k..]))
        }
    }
}

fn flip_bit(hash: Hash, bit: usize) -> Hash {
    let mut bytes = hash.0;
    bytes[(bit / 8) % 32] ^= 1 << (bit % 8);
    Hash(bytes)
}

/// A tree size and a record in it.
fn size_and_record() -> impl Strategy<Value = (u64, u64)> {
    (1..=LOG_RECORDS).prop_flat_map(|size| (Just(size), 0..size))
}

/// A tree size and an earlier size, 1 ≤ old ≤ size.
fn size_and_old_size() -> impl Strategy<Value = (u64, u64)> {
    (1..=LOG_RECORDS).prop_flat_map(|size| (Just(size), 1..=size))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_inclusion_proof_verifies((size, n) in size_and_record(), bit in 0usize..256) {
        let root = root_of(size);
        let proof = prove_record(size, n, &LOG.stored).expect("proof");
        prop_assert!(proof.0.len() <= 64 - size.leading_zeros() as usize);
        check_record(&proof, size, root, n, leaf(n)).expect("verifies");

        // A tampered leaf, root or proof hash fails.
        let is_failure = |result: Result<(), TlogError>| matches!(result, Err(TlogError::ProofFailed));
        prop_assert!(is_failure(check_record(&proof, size, root, n, flip_bit(leaf(n), bit))));
        prop_assert!(is_failure(check_record(&proof, size, flip_bit(root, bit), n, leaf(n))));
        if !proof.0.is_empty() {
            let mut tampered = proof.clone();
            let position = bit % tampered.0.len();
            tampered.0[position] = flip_bit(tampered.0[position], bit);
            prop_assert!(is_failure(check_record(&tampered, size, root, n, leaf(n))));
        }
        // Another record's leaf at this position fails too.
        let other = (n + 1) % size;
        if other != n {
            prop_assert!(is_failure(check_record(&proof, size, root, n, leaf(other))));
        }
    }

    #[test]
    fn every_consistency_proof_verifies((size, old_size) in size_and_old_size(), bit in 0usize..256) {
        let root = root_of(size);
        let old_root = root_of(old_size);
        let proof = prove_tree(size, old_size, &LOG.stored).expect("proof");
        check_tree(&proof, size, root, old_size, old_root).expect("verifies");

        let is_failure = |result: Result<(), TlogError>| matches!(result, Err(TlogError::ProofFailed));
        prop_assert!(is_failure(check_tree(&proof, size, flip_bit(root, bit), old_size, old_root)));
        prop_assert!(is_failure(check_tree(&proof, size, root, old_size, flip_bit(old_root, bit))));
        if !proof.0.is_empty() {
            let mut tampered = proof.clone();
            let position = bit % tampered.0.len();
            tampered.0[position] = flip_bit(tampered.0[position], bit);
            prop_assert!(is_failure(check_tree(&tampered, size, root, old_size, old_root)));
            let mut shorter = proof.clone();
            shorter.0.pop();
            prop_assert!(is_failure(check_tree(&shorter, size, root, old_size, old_root)));
        }
        let mut longer = proof.clone();
        longer.0.push(root);
        prop_assert!(is_failure(check_tree(&longer, size, root, old_size, old_root)));
    }

    /// A log that is not an extension of the old one (one record rewritten) cannot be proven
    /// consistent with it.
    #[test]
    fn a_rewritten_history_is_not_consistent((size, old_size) in size_and_old_size(), rewritten in any::<prop::sample::Index>()) {
        prop_assume!(old_size < size);
        let old_root = root_of(old_size);
        let mut leaves = LOG.leaves[..usize::try_from(size).expect("small")].to_vec();
        let position = rewritten.index(usize::try_from(old_size).expect("small"));
        leaves[position] = record_hash(b"rewritten");
        let mut stored = Vec::new();
        for (n, &leaf) in leaves.iter().enumerate() {
            let new_hashes = stored_hashes_for_record_hash(n as u64, leaf, &stored)
                .expect("append");
            stored.extend(new_hashes);
        }
        let forged_root = tree_hash(size, &stored).expect("root");
        let proof = prove_tree(size, old_size, &stored).expect("proof");
        prop_assert!(check_tree(&proof, size, forged_root, old_size, old_root).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The stored layout gives the root that the recursive definition gives.
    #[test]
    fn tree_hash_is_the_merkle_tree_hash(size in 0..=LOG_RECORDS) {
        let leaves = &LOG.leaves[..usize::try_from(size).expect("small")];
        prop_assert_eq!(root_of(size), naive_root(leaves));
    }
}

proptest! {
    /// Appending record n stores 1 + trailing_zeros(n + 1) hashes, starting where the hashes
    /// of records 0..n end.
    #[test]
    fn stored_hash_counts_add_up(n in 0..TREE_RECORDS_MAX) {
        prop_assert_eq!(stored_hash_count(n), stored_hash_index(0, n));
        prop_assert_eq!(
            stored_hash_count(n + 1) - stored_hash_count(n),
            1 + u64::from((n + 1).trailing_zeros())
        );
        // Fewer than two hashes per record, never fewer than one.
        prop_assert!(stored_hash_count(n) <= 2 * n);
        prop_assert!(stored_hash_count(n) >= n);
    }

    /// Every coordinate of the largest tree has its own index, and the index gives it back.
    #[test]
    fn stored_hash_index_inverts(level in 0u32..62, n in any::<u64>()) {
        let n = n % (TREE_RECORDS_MAX >> level);
        let index = stored_hash_index(level, n);
        prop_assert_eq!(split_stored_hash_index(index), (level, n));
        // A parent is stored right after its right child, and after its left child.
        if level < 61 && n < (TREE_RECORDS_MAX >> (level + 1)) {
            prop_assert_eq!(stored_hash_index(level + 1, n), stored_hash_index(level, 2 * n + 1) + 1);
            prop_assert!(stored_hash_index(level, 2 * n) < stored_hash_index(level + 1, n));
        }
        if n > 0 {
            prop_assert!(stored_hash_index(level, n - 1) < index);
        }
    }

    /// No index, however large, makes the inverse panic.
    #[test]
    fn split_never_panics(index in any::<u64>()) {
        let (level, _) = split_stored_hash_index(index);
        prop_assert!(level <= 64);
    }
}
