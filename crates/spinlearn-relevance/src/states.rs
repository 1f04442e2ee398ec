//! Counting discrete states: frequencies `k_s` (003 eq. 7), degeneracies `m_k`, resolution
//! `H[s]` (003 eq. 1) and relevance `H[k]` (003 eq. 2), all in nats.
//!
//! States are anything hashable (cluster ids, labels) or rows of a binary matrix. Binary rows are
//! packed into 64-bit words and hashed with a fast multiplicative hash, so 60,000 states of width
//! 500 are counted in milliseconds.

use crate::{RelevanceError, Result};
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A small, fast, non-cryptographic hasher (FxHash's multiply-rotate) for packed states.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(buf));
        }
    }
    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.hash = (self.hash.rotate_left(5) ^ x).wrapping_mul(FX_SEED);
    }
    #[inline]
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
    #[inline]
    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// `HashMap` with [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Binary states packed row by row: `n_words` 64-bit words per state, bit `j` of a row is unit `j`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedStates {
    /// Words, `n_states * n_words` long.
    pub words: Vec<u64>,
    /// Words per state (`ceil(width / 64)`, at least 1).
    pub n_words: usize,
    /// Number of units per state.
    pub width: usize,
}

impl PackedStates {
    /// Packs the rows of `data (n_states, width)`: unit `j` is 1 when `data[[s, j]] > threshold`.
    pub fn from_rows(data: ArrayView2<'_, f32>, threshold: f32) -> PackedStates {
        let (n, width) = data.dim();
        let n_words = width.div_ceil(64).max(1);
        let mut words = vec![0u64; n * n_words];
        let pack = |row: &[f32], out: &mut [u64]| {
            for (chunk, word) in row.chunks(64).zip(out.iter_mut()) {
                let mut w = 0u64;
                for (b, &x) in chunk.iter().enumerate() {
                    w |= u64::from(x > threshold) << b;
                }
                *word = w;
            }
        };
        let mut buf = vec![0f32; width];
        for (row, out) in data.rows().into_iter().zip(words.chunks_mut(n_words)) {
            match row.as_slice() {
                Some(r) => pack(r, out),
                None => {
                    buf.iter_mut().zip(row.iter()).for_each(|(b, &x)| *b = x);
                    pack(&buf, out);
                }
            }
        }
        PackedStates {
            words,
            n_words,
            width,
        }
    }

    /// Number of states.
    pub fn len(&self) -> usize {
        self.words.len() / self.n_words
    }

    /// Whether there are no states.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// State `i` as words.
    pub fn row(&self, i: usize) -> &[u64] {
        &self.words[i * self.n_words..(i + 1) * self.n_words]
    }

    /// The id of each state: ids are `0..n_distinct` in order of first appearance.
    pub fn ids(&self) -> Vec<u32> {
        let mut map: FxHashMap<&[u64], u32> = FxHashMap::default();
        map.reserve(self.len());
        (0..self.len())
            .map(|i| {
                let next = map.len() as u32;
                *map.entry(self.row(i)).or_insert(next)
            })
            .collect()
    }
}

/// The id of each item: ids are `0..n_distinct` in order of first appearance.
pub fn ids_of<T: Hash + Eq>(items: &[T]) -> Vec<u32> {
    let mut map: FxHashMap<&T, u32> = FxHashMap::default();
    items
        .iter()
        .map(|x| {
            let next = map.len() as u32;
            *map.entry(x).or_insert(next)
        })
        .collect()
}

/// Frequencies `k_s` of the distinct ids `0..=max(ids)` (003 eq. 7): `counts[s]` = number of
/// samples in state `s`. Ids must be dense (as returned by [`ids_of`] or [`PackedStates::ids`]).
pub fn counts_of_ids(ids: &[u32]) -> Vec<u64> {
    let n = ids.iter().map(|&i| i as usize + 1).max().unwrap_or(0);
    let mut counts = vec![0u64; n];
    for &i in ids {
        counts[i as usize] += 1;
    }
    counts
}

/// Frequencies `k_s` of the rows of a binary matrix `(n_states, width)` thresholded at `threshold`.
pub fn counts_of_rows(data: ArrayView2<'_, f32>, threshold: f32) -> Vec<u64> {
    counts_of_ids(&PackedStates::from_rows(data, threshold).ids())
}

/// The degeneracies: pairs `(k, m_k)` with `m_k > 0` (number of states seen exactly `k` times),
/// sorted by increasing `k`. Zero counts are ignored.
pub fn degeneracy(counts: &[u64]) -> Vec<(u64, u64)> {
    let mut ks: Vec<u64> = counts.iter().copied().filter(|&k| k > 0).collect();
    ks.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::new();
    for k in ks {
        match out.last_mut() {
            Some((kk, m)) if *kk == k => *m += 1,
            _ => out.push((k, 1)),
        }
    }
    out
}

/// Resolution and relevance of one representation (nats).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Entropies {
    /// Number of samples `M = Σ_s k_s`.
    #[serde(rename = "M")]
    pub m: u64,
    /// Number of distinct states.
    pub n_states: u64,
    /// Resolution `H[s] = -Σ_s (k_s/M) ln(k_s/M)` (003 eq. 1).
    #[serde(rename = "H_s")]
    pub h_s: f64,
    /// Relevance `H[k] = -Σ_k (k m_k/M) ln(k m_k/M)` (003 eq. 2).
    #[serde(rename = "H_k")]
    pub h_k: f64,
    /// `H[s] / ln M` (0 when M = 1).
    #[serde(rename = "H_s_norm")]
    pub h_s_norm: f64,
    /// `H[k] / ln M` (0 when M = 1).
    #[serde(rename = "H_k_norm")]
    pub h_k_norm: f64,
}

/// `H[s]` and `H[k]` from a degeneracy table `(k, m_k)` (see [`degeneracy`]).
pub fn entropies_of_degeneracy(deg: &[(u64, u64)]) -> Result<Entropies> {
    let m: u64 = deg.iter().map(|&(k, mk)| k * mk).sum();
    if m == 0 {
        return Err(RelevanceError::Input("no samples to count".into()));
    }
    let mf = m as f64;
    let ln_m = mf.ln();
    let mut h_s = 0.0;
    let mut h_k = 0.0;
    for &(k, mk) in deg {
        let kf = k as f64;
        let mkf = mk as f64;
        // Σ over the m_k states of frequency k: m_k (k/M) ln(M/k).
        h_s += mkf * kf / mf * (ln_m - kf.ln());
        let p = kf * mkf / mf;
        h_k -= p * p.ln();
    }
    let norm = |h: f64| if m > 1 { h / ln_m } else { 0.0 };
    Ok(Entropies {
        m,
        n_states: deg.iter().map(|&(_, mk)| mk).sum(),
        h_s,
        h_k,
        h_s_norm: norm(h_s),
        h_k_norm: norm(h_k),
    })
}

/// `H[s]` and `H[k]` of a list of frequencies `k_s`.
pub fn entropies(counts: &[u64]) -> Result<Entropies> {
    entropies_of_degeneracy(&degeneracy(counts))
}

/// Everything about one representation: frequencies, degeneracies and entropies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateStats {
    /// `k_s` per distinct state, in order of first appearance.
    pub counts: Vec<u64>,
    /// `(k, m_k)` sorted by `k`.
    pub degeneracy: Vec<(u64, u64)>,
    /// `H[s]`, `H[k]`.
    pub entropies: Entropies,
}

impl StateStats {
    /// From the state id of each sample.
    pub fn from_ids(ids: &[u32]) -> Result<StateStats> {
        let counts = counts_of_ids(ids);
        let degeneracy = degeneracy(&counts);
        let entropies = entropies_of_degeneracy(&degeneracy)?;
        Ok(StateStats {
            counts,
            degeneracy,
            entropies,
        })
    }

    /// From the rows of a binary matrix `(n_samples, width)` (unit on when `> threshold`).
    pub fn from_rows(data: ArrayView2<'_, f32>, threshold: f32) -> Result<StateStats> {
        StateStats::from_ids(&PackedStates::from_rows(data, threshold).ids())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn small_example_by_hand() {
        // States a,a,a,b,b,c,d: k = (3,2,1,1), m_1 = 2, m_2 = 1, m_3 = 1, M = 7.
        let ids = ids_of(&["a", "a", "b", "a", "c", "b", "d"]);
        assert_eq!(ids, vec![0, 0, 1, 0, 2, 1, 3]);
        let s = StateStats::from_ids(&ids).unwrap();
        assert_eq!(s.counts, vec![3, 2, 1, 1]);
        assert_eq!(s.degeneracy, vec![(1, 2), (2, 1), (3, 1)]);
        let h_s: f64 = [3.0f64, 2.0, 1.0, 1.0]
            .iter()
            .map(|k| -(k / 7.0) * (k / 7.0).ln())
            .sum();
        // mass fractions k m_k / M: 2/7 (k=1), 2/7 (k=2), 3/7 (k=3)
        let h_k: f64 = [2.0f64, 2.0, 3.0]
            .iter()
            .map(|f| -(f / 7.0) * (f / 7.0).ln())
            .sum();
        assert!((s.entropies.h_s - h_s).abs() < 1e-14);
        assert!((s.entropies.h_k - h_k).abs() < 1e-14);
        assert!((s.entropies.h_s_norm - h_s / 7f64.ln()).abs() < 1e-14);
        assert_eq!(s.entropies.m, 7);
        assert_eq!(s.entropies.n_states, 4);
    }

    #[test]
    fn extremes() {
        // All distinct: H[s] = ln M, H[k] = 0. All equal: both 0.
        let e = entropies(&[1; 16]).unwrap();
        assert!((e.h_s - 16f64.ln()).abs() < 1e-13 && e.h_k.abs() < 1e-13);
        assert!((e.h_s_norm - 1.0).abs() < 1e-13);
        let e = entropies(&[16]).unwrap();
        assert!(e.h_s.abs() < 1e-13 && e.h_k.abs() < 1e-13);
        assert!(entropies(&[]).is_err());
    }

    #[test]
    fn packed_rows_match_naive_comparison() {
        // Width 130 crosses two word boundaries; rows 0 and 2 equal, row 1 differs in unit 129.
        let mut d = ndarray::Array2::<f32>::zeros((4, 130));
        for j in [0usize, 63, 64, 127, 128] {
            d[[0, j]] = 1.0;
            d[[1, j]] = 1.0;
            d[[2, j]] = 0.9;
        }
        d[[1, 129]] = 1.0;
        let p = PackedStates::from_rows(d.view(), 0.5);
        assert_eq!(p.n_words, 3);
        assert_eq!(p.ids(), vec![0, 1, 0, 2]);
        let x = array![[0.2f32, 0.7], [0.6, 0.1], [0.3, 0.9]];
        assert_eq!(counts_of_rows(x.view(), 0.5), vec![2, 1]);
    }
}
