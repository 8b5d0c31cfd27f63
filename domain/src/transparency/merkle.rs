//! RFC 6962 (and RFC 9162) Merkle tree hashing, proofs and their verification.

use std::ops::Range;

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// The hash of a leaf: SHA-256(0x00 || entry).
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(entry);
    hasher.finalize().into()
}

fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The largest power of two smaller than `n` (n > 1).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The Merkle tree hash of `leaves` (leaf hashes); of no leaves, SHA-256 of nothing.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The audit path of leaf `index` in the tree of `leaves` (RFC 6962 2.1.1).
pub fn inclusion_proof(index: usize, leaves: &[Hash]) -> Vec<Hash> {
    inclusion_proof_ranges(index, leaves.len())
        .into_iter()
        .map(|range| root(&leaves[range]))
        .collect()
}

/// The leaves whose Merkle tree hashes make up the audit path of leaf `index` in a tree of
/// `size` leaves, in the order of the path (RFC 6962 2.1.1).
pub fn inclusion_proof_ranges(index: usize, size: usize) -> Vec<Range<usize>> {
    assert!(index < size, "leaf {index} is outside a tree of {size}");
    fn path(index: usize, range: Range<usize>, ranges: &mut Vec<Range<usize>>) {
        if range.len() == 1 {
            return;
        }
        let middle = range.start + split(range.len());
        if index < middle {
            path(index, range.start..middle, ranges);
            ranges.push(middle..range.end);
        } else {
            path(index, middle..range.end, ranges);
            ranges.push(range.start..middle);
        }
    }
    let mut ranges = Vec::new();
    path(index, 0..size, &mut ranges);
    ranges
}

/// The proof that the tree of the first `old_size` leaves is a prefix of the tree of
/// `leaves` (RFC 6962 2.1.2); `0 < old_size <= leaves.len()`.
pub fn consistency_proof(old_size: usize, leaves: &[Hash]) -> Vec<Hash> {
    consistency_proof_ranges(old_size, leaves.len())
        .into_iter()
        .map(|range| root(&leaves[range]))
        .collect()
}

/// The leaves whose Merkle tree hashes make up the proof that the tree of the first
/// `old_size` leaves is a prefix of the tree of `size` leaves, in the order of the proof
/// (RFC 6962 2.1.2); `0 < old_size <= size`.
pub fn consistency_proof_ranges(old_size: usize, size: usize) -> Vec<Range<usize>> {
    assert!(
        old_size > 0 && old_size <= size,
        "no consistency proof from {old_size} to {size}"
    );
    fn subproof(
        old_end: usize,
        range: Range<usize>,
        complete: bool,
        ranges: &mut Vec<Range<usize>>,
    ) {
        if old_end == range.end {
            if !complete {
                ranges.push(range);
            }
            return;
        }
        let middle = range.start + split(range.len());
        if old_end <= middle {
            subproof(old_end, range.start..middle, complete, ranges);
            ranges.push(middle..range.end);
        } else {
            subproof(old_end, middle..range.end, false, ranges);
            ranges.push(range.start..middle);
        }
    }
    let mut ranges = Vec::new();
    subproof(old_size, 0..size, true, &mut ranges);
    ranges
}

/// The perfect subtrees (each a power of two of leaves) whose hashes make up the Merkle tree
/// hash of `range`, as the RFC 6962 recursion splits it, left to right: their sizes are the
/// binary digits of the range's length, high to low. For a range of a proof, each starts at
/// a multiple of its size: it is a node of every tree that holds it, and its hash never
/// changes as the log grows.
pub fn perfect_subtrees(range: Range<usize>) -> Vec<Range<usize>> {
    let mut subtrees = Vec::new();
    let (mut start, mut left) = (range.start, range.len());
    while left > 0 {
        let size = 1 << left.ilog2();
        subtrees.push(start..start + size);
        start += size;
        left -= size;
    }
    subtrees
}

/// The Merkle tree hash of a range from the hashes of its [`perfect_subtrees`], in their
/// order.
pub fn root_of_subtrees(hashes: &[Hash]) -> Hash {
    let (last, before) = hashes
        .split_last()
        .expect("a range of a proof holds at least one leaf");
    before
        .iter()
        .rev()
        .fold(*last, |right, left| node_hash(left, &right))
}

/// RFC 9162 2.1.3.2: whether `proof` shows `leaf` at `index` in the tree of `size` with `root`.
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && &r == root
}

/// RFC 9162 2.1.4.2: whether `proof` shows the tree of `old_size` with `old_root` is a
/// prefix of the tree of `new_size` with `new_root`.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old_size == 0 || old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut f_n, mut s_n) = (old_size - 1, new_size - 1);
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let (mut f_r, mut s_r) = (*first, *first);
    for c in rest {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            f_r = node_hash(c, &f_r);
            s_r = node_hash(c, &s_r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            s_r = node_hash(&s_r, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && &f_r == old_root && &s_r == new_root
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The inputs of the RFC 6962 test vectors used by Certificate Transparency
    /// implementations; the expected hashes below were computed with an independent Python
    /// implementation of RFC 6962 section 2.1 and agree with the published vectors.
    fn vector_leaves() -> Vec<Hash> {
        let inputs: [&[u8]; 8] = [
            b"",
            b"\x00",
            b"\x10",
            b"\x20\x21",
            b"\x30\x31",
            b"\x40\x41\x42\x43",
            b"\x50\x51\x52\x53\x54\x55\x56\x57",
            b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
        ];
        inputs.iter().map(|i| leaf_hash(i)).collect()
    }

    fn h(hex_text: &str) -> Hash {
        hex::decode(hex_text).unwrap().try_into().unwrap()
    }

    #[test]
    fn roots_match_the_rfc_6962_vectors() {
        let expected = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        let leaves = vector_leaves();
        for (size, root_hex) in (1..=8).zip(expected) {
            assert_eq!(root(&leaves[..size]), h(root_hex), "size {size}");
        }
        assert_eq!(
            root(&[]),
            h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
    }

    #[test]
    fn inclusion_proofs_match_the_vectors() {
        let leaves = vector_leaves();
        assert_eq!(
            inclusion_proof(0, &leaves),
            [
                h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ]
        );
        assert_eq!(
            inclusion_proof(5, &leaves),
            [
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ]
        );
        assert_eq!(
            inclusion_proof(2, &leaves[..3]),
            [h(
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
            )]
        );
    }

    #[test]
    fn consistency_proofs_match_the_vectors() {
        let leaves = vector_leaves();
        assert_eq!(
            consistency_proof(1, &leaves),
            [
                h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ]
        );
        assert_eq!(
            consistency_proof(6, &leaves),
            [
                h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ]
        );
        assert_eq!(
            consistency_proof(2, &leaves[..5]),
            [
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            ]
        );
    }

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(&(i as u64).to_be_bytes()))
            .collect()
    }

    proptest! {
        #[test]
        fn every_inclusion_proof_verifies_and_fails_when_altered(
            size in 1usize..300, pick in any::<prop::sample::Index>(), flip in any::<prop::sample::Index>(),
        ) {
            let leaves = leaves(size);
            let index = pick.index(size);
            let tree_root = root(&leaves);
            let proof = inclusion_proof(index, &leaves);
            prop_assert!(verify_inclusion(index as u64, size as u64, &leaves[index], &proof, &tree_root));
            let mut bad_leaf = leaves[index];
            bad_leaf[0] ^= 1;
            prop_assert!(!verify_inclusion(index as u64, size as u64, &bad_leaf, &proof, &tree_root));
            if !proof.is_empty() {
                let mut bad = proof.clone();
                bad[flip.index(proof.len())][31] ^= 0x80;
                prop_assert!(!verify_inclusion(index as u64, size as u64, &leaves[index], &bad, &tree_root));
            }
            prop_assert!(!verify_inclusion(size as u64, size as u64, &leaves[index], &proof, &tree_root));
        }

        #[test]
        fn every_consistency_proof_verifies_and_fails_when_altered(
            new_size in 1usize..300, old in any::<prop::sample::Index>(), flip in any::<prop::sample::Index>(),
        ) {
            let leaves = leaves(new_size);
            let old_size = old.index(new_size) + 1;
            let (old_root, new_root) = (root(&leaves[..old_size]), root(&leaves));
            let proof = consistency_proof(old_size, &leaves);
            prop_assert!(verify_consistency(old_size as u64, new_size as u64, &old_root, &new_root, &proof));
            let mut other_root = old_root;
            other_root[5] ^= 1;
            prop_assert!(!verify_consistency(old_size as u64, new_size as u64, &other_root, &new_root, &proof));
            if !proof.is_empty() {
                let mut bad = proof.clone();
                bad[flip.index(proof.len())][0] ^= 1;
                prop_assert!(!verify_consistency(old_size as u64, new_size as u64, &old_root, &new_root, &bad));
            }
        }

        /// What proofs served from stored subtree hashes rely on: every range of a proof is
        /// made of perfect subtrees that start at a multiple of their size (nodes that never
        /// change), and hashing those gives the range's Merkle tree hash.
        #[test]
        fn the_ranges_of_every_proof_hash_alike_from_their_perfect_subtrees(
            size in 1usize..600, pick in any::<prop::sample::Index>(),
        ) {
            let leaves = leaves(size);
            let index = pick.index(size);
            let ranges = [inclusion_proof_ranges(index, size), consistency_proof_ranges(index + 1, size)];
            for range in ranges.into_iter().flatten() {
                let subtrees = perfect_subtrees(range.clone());
                prop_assert_eq!(subtrees.first().map(|s| s.start), Some(range.start));
                prop_assert_eq!(subtrees.last().map(|s| s.end), Some(range.end));
                for subtree in &subtrees {
                    prop_assert!(subtree.len().is_power_of_two());
                    prop_assert_eq!(subtree.start % subtree.len(), 0, "{:?} in {:?}", subtree, range);
                }
                let hashes: Vec<Hash> = subtrees.into_iter().map(|s| root(&leaves[s])).collect();
                prop_assert_eq!(root_of_subtrees(&hashes), root(&leaves[range]));
            }
        }
    }
}
