//! Interop: our transparency log against an independent RFC 6962 implementation, the ct-merkle
//! crate (issue 6, "Interop"). For random tree sizes and record data, both must compute the same
//! root, byte-for-byte the same inclusion and consistency proofs, and each must accept the
//! other's proofs. Our code is a port of Go's sumdb `tlog` over stored hashes; ct-merkle keeps
//! the whole tree in memory in its own node layout, so agreement is not a tautology.

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use gongkai_domain::tlog::{
    Hash, RecordProof, TreeProof, check_record, check_tree, prove_record, prove_tree, record_hash,
    stored_hashes, tree_hash,
};
use proptest::prelude::*;
use sha2_for_ct_merkle::Sha256;

/// The largest tree built per case: above 2^10, so several levels of partial subtrees occur,
/// and small enough for a few hundred cases in seconds.
const TREE_RECORDS_MAX_IN_TEST: u64 = 1_500;

/// The data of record `n` of the tree made from `seed`: different seeds give different trees.
fn record_data(seed: u64, n: u64) -> Vec<u8> {
    format!("{{\"kind\":\"interop\",\"seed\":{seed},\"n\":{n}}}").into_bytes()
}

struct BothTrees {
    ours: Vec<Hash>,
    theirs: MemoryBackedTree<Sha256, Vec<u8>>,
}

fn build(seed: u64, size: u64) -> BothTrees {
    let mut ours = Vec::new();
    let mut theirs = MemoryBackedTree::new();
    for n in 0..size {
        let data = record_data(seed, n);
        let new_hashes = stored_hashes(n, &data, &ours).expect("append");
        ours.extend(new_hashes);
        theirs.push(data);
    }
    BothTrees { ours, theirs }
}

fn concatenated(hashes: &[Hash]) -> Vec<u8> {
    hashes.iter().flat_map(|hash| hash.0).collect()
}

fn their_root_as_ours(root: &RootHash<Sha256>) -> Hash {
    Hash(root.as_bytes().as_slice().try_into().expect("32 bytes"))
}

fn split_hashes(bytes: &[u8]) -> Vec<Hash> {
    bytes
        .chunks_exact(32)
        .map(|chunk| Hash(chunk.try_into().expect("32 bytes")))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn roots_and_inclusion_proofs_agree_with_ct_merkle(
        seed in any::<u64>(),
        size in 1..=TREE_RECORDS_MAX_IN_TEST,
        index_fraction in 0.0f64..1.0,
    ) {
        let trees = build(seed, size);
        let their_root = trees.theirs.root();
        let our_root = tree_hash(size, &trees.ours).expect("root");
        prop_assert_eq!(their_root_as_ours(&their_root), our_root);
        prop_assert_eq!(their_root.num_leaves(), size);

        let index = ((size as f64 * index_fraction) as u64).min(size - 1);
        let our_proof = prove_record(size, index, &trees.ours).expect("proof");
        let their_proof = trees.theirs.prove_inclusion(index as usize);
        prop_assert_eq!(concatenated(&our_proof.0), their_proof.as_bytes().to_vec());

        // Each side accepts the other's proof.
        let data = record_data(seed, index);
        let their_proof_as_ours = RecordProof(split_hashes(their_proof.as_bytes()));
        prop_assert!(
            check_record(&their_proof_as_ours, size, our_root, index, record_hash(&data)).is_ok()
        );
        let our_proof_as_theirs =
            InclusionProof::<Sha256>::from_bytes(concatenated(&our_proof.0));
        prop_assert!(their_root.verify_inclusion(&data, index, &our_proof_as_theirs).is_ok());
        // And neither accepts it for a different record.
        let other = record_data(seed.wrapping_add(1), index);
        prop_assert!(their_root.verify_inclusion(&other, index, &our_proof_as_theirs).is_err());
    }

    #[test]
    fn consistency_proofs_agree_with_ct_merkle(
        seed in any::<u64>(),
        size in 1..=TREE_RECORDS_MAX_IN_TEST,
        old_fraction in 0.0f64..1.0,
    ) {
        let trees = build(seed, size);
        let old_size = ((size as f64 * old_fraction) as u64).clamp(1, size);
        let additions = size - old_size;
        let our_proof = prove_tree(size, old_size, &trees.ours).expect("proof");
        let their_proof = trees.theirs.prove_consistency(additions as usize);
        prop_assert_eq!(concatenated(&our_proof.0), their_proof.as_bytes().to_vec());

        let our_root = tree_hash(size, &trees.ours).expect("root");
        let our_old_root = tree_hash(old_size, &trees.ours).expect("old root");
        // ct-merkle's old root, from an independent tree of the first `old_size` records.
        let mut their_old_tree = MemoryBackedTree::<Sha256, Vec<u8>>::new();
        for n in 0..old_size {
            their_old_tree.push(record_data(seed, n));
        }
        let their_old_root = their_old_tree.root();
        prop_assert_eq!(their_root_as_ours(&their_old_root), our_old_root);

        let their_proof_as_ours = TreeProof(split_hashes(their_proof.as_bytes()));
        prop_assert!(
            check_tree(&their_proof_as_ours, size, our_root, old_size, our_old_root).is_ok()
        );
        let our_proof_as_theirs = ConsistencyProof::<Sha256>::try_from_bytes(
            concatenated(&our_proof.0),
        )
        .expect("well-formed proof");
        prop_assert!(
            trees
                .theirs
                .root()
                .verify_consistency(&their_old_root, &our_proof_as_theirs)
                .is_ok()
        );
    }
}
