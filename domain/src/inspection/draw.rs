//! The draw of "double random": targets from the population and two inspectors for each,
//! decided by the seed alone, so that anyone holding the plan's public document recomputes
//! it. The algorithm (the README gives it in Python):
//!
//! - a stream of 64-bit words: SHA-256 over the seed's 32 bytes, the plan id's UTF-8 bytes and
//!   a counter (8 bytes, big-endian, from 0), each digest read as four big-endian words, in
//!   order;
//! - `below(n)`: the next word `x` below `(2^64 div n) * n` (words at or above it are skipped),
//!   taken `mod n`: uniform in `0..n`;
//! - `pick(items, k)`: the first `k` steps of a Fisher-Yates shuffle: for `i` in `0..k`, swap
//!   item `i` with item `i + below(len - i)`; the first `k` items, in that order;
//! - the targets are `pick(0..population, sample_size)`; then, for each target in that order,
//!   its inspectors are `pick(eligible, 2)`, `eligible` being the roster's indices, ascending,
//!   without those of the inspectors who handled the target's case.

use sha2::{Digest, Sha256};

use super::{PopulationMember, Target};

/// The words the seed and the plan id make, one after another.
pub struct DrawStream {
    seed: [u8; 32],
    plan_id: String,
    counter: u64,
    words: Vec<u64>,
}

impl DrawStream {
    pub fn new(seed: [u8; 32], plan_id: &str) -> Self {
        Self {
            seed,
            plan_id: plan_id.to_owned(),
            counter: 0,
            words: Vec::new(),
        }
    }

    fn word(&mut self) -> u64 {
        if self.words.is_empty() {
            let mut hash = Sha256::new();
            hash.update(self.seed);
            hash.update(self.plan_id.as_bytes());
            hash.update(self.counter.to_be_bytes());
            let block = hash.finalize();
            self.counter += 1;
            // Popped from the end: kept reversed, so the first word of a block comes first.
            self.words = block
                .chunks_exact(8)
                .rev()
                .map(|bytes| u64::from_be_bytes(bytes.try_into().expect("8 bytes")))
                .collect();
        }
        self.words.pop().expect("a block holds four words")
    }

    /// A number in `0..n`, uniform (rejection sampling); `n` must not be 0.
    pub fn below(&mut self, n: u64) -> u64 {
        let limit = ((1u128 << 64) / u128::from(n)) * u128::from(n);
        loop {
            let word = self.word();
            if u128::from(word) < limit {
                return word % n;
            }
        }
    }

    /// The first `k` of `items` after the first `k` steps of a Fisher-Yates shuffle.
    pub fn pick<T: Clone>(&mut self, mut items: Vec<T>, k: usize) -> Vec<T> {
        let k = k.min(items.len());
        for i in 0..k {
            let j = i + self.below((items.len() - i) as u64) as usize;
            items.swap(i, j);
        }
        items.truncate(k);
        items
    }
}

/// The targets (indices into the population, in draw order) and each one's two inspectors
/// (indices into the roster): `conflicts[t]` are the inspectors who may not inspect `t`.
/// Every target must have two eligible inspectors (the plan's rules see to it).
pub fn draw(
    seed: [u8; 32],
    plan_id: &str,
    sample_size: usize,
    roster_size: usize,
    conflicts: &[Vec<u32>],
) -> Vec<(usize, [u32; 2])> {
    let mut stream = DrawStream::new(seed, plan_id);
    let targets = stream.pick((0..conflicts.len()).collect(), sample_size);
    targets
        .into_iter()
        .map(|target| {
            let eligible: Vec<u32> = (0..roster_size as u32)
                .filter(|r| !conflicts[target].contains(r))
                .collect();
            let pair = stream.pick(eligible, 2);
            (target, [pair[0], pair[1]])
        })
        .collect()
}

/// The plan's targets and their inspectors, drawn with `seed` from `population` (each
/// member's conflicts are the inspectors it may not have) and a roster of `roster_size`.
pub fn targets(
    seed: [u8; 32],
    plan_id: &str,
    sample_size: usize,
    roster_size: usize,
    population: &[PopulationMember],
) -> Vec<Target> {
    let conflicts: Vec<Vec<u32>> = population.iter().map(|m| m.conflicts.clone()).collect();
    draw(seed, plan_id, sample_size, roster_size, &conflicts)
        .into_iter()
        .map(|(target, inspectors)| Target {
            permit_number: population[target].permit_number.clone(),
            inspectors,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_reads_sha256_blocks_as_big_endian_words_in_order() {
        let seed = [7u8; 32];
        let mut stream = DrawStream::new(seed, "plan");
        let mut hash = Sha256::new();
        hash.update(seed);
        hash.update(b"plan");
        hash.update(0u64.to_be_bytes());
        let block = hash.finalize();
        let first = u64::from_be_bytes(block[..8].try_into().unwrap());
        let second = u64::from_be_bytes(block[8..16].try_into().unwrap());
        assert_eq!(stream.word(), first);
        assert_eq!(stream.word(), second);
    }

    #[test]
    fn a_draw_is_the_same_for_the_same_seed_and_changes_with_any_bit_of_it() {
        let conflicts = vec![Vec::new(); 50];
        let seed = [42u8; 32];
        let drawn = draw(seed, "plan-1", 10, 6, &conflicts);
        assert_eq!(drawn, draw(seed, "plan-1", 10, 6, &conflicts));
        assert_eq!(drawn.len(), 10);
        for byte in 0..32 {
            for bit in 0..8 {
                let mut other = seed;
                other[byte] ^= 1 << bit;
                assert_ne!(drawn, draw(other, "plan-1", 10, 6, &conflicts));
            }
        }
        assert_ne!(drawn, draw(seed, "plan-2", 10, 6, &conflicts));
    }

    #[test]
    fn targets_are_distinct_and_inspectors_are_two_without_conflicts() {
        let conflicts: Vec<Vec<u32>> = (0..30).map(|i| vec![i % 4, (i + 1) % 4]).collect();
        for n in 0..20u8 {
            let drawn = draw([n; 32], "p", 30, 5, &conflicts);
            let mut targets: Vec<usize> = drawn.iter().map(|(t, _)| *t).collect();
            targets.sort();
            assert_eq!(
                targets,
                (0..30).collect::<Vec<_>>(),
                "everyone when all are drawn"
            );
            for (target, [a, b]) in drawn {
                assert_ne!(a, b);
                assert!(!conflicts[target].contains(&a) && !conflicts[target].contains(&b));
            }
        }
    }

    #[test]
    fn below_is_uniform_enough_and_never_reaches_n() {
        let mut stream = DrawStream::new([1; 32], "uniform");
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            counts[stream.below(3) as usize] += 1;
        }
        for count in counts {
            assert!((9_500..10_500).contains(&count), "{counts:?}");
        }
    }
}
