//! The diluted network of eqs. (1)-(3): N binary neurons, each ordered pair (i ≠ j) connected with
//! probability c, synapses J_ij learned online, parallel threshold dynamics V_i ← Θ(h_i − θ) with
//! h_i = Σ_j c_ij J_ij V_j (eq. 2), and the retrieval overlap of eq. (8).
//!
//! Storage is row-wise (compressed sparse rows): row i holds the presynaptic indices j (u32,
//! increasing) and weights J_ij (f32) of neuron i; 45 million synapses at N = 30,000, c = 0.05 take
//! 360 MB. Row i's connections are drawn from `seed.stream(i)` and the noise of presentation t on
//! row i from a stream of its own, so every result is independent of the number of threads.
//!
//! Learning presents patterns in blocks of up to [`BLOCK`] = 32 ([`DilutedNetwork::present_block`]):
//! each neuron's bits of the block are packed into a u32 and every synapse runs the block's decays
//! and jumps in registers, so one pass over the synapses serves 32 presentations, with results bit
//! for bit those of presenting the patterns one at a time (the gather of η_j, not the arithmetic,
//! bounded the one-pattern pass).
//!
//! Retrieval runs up to eight initial conditions at once: the eight network states are packed as
//! the bits of one byte per neuron, and one pass over the synapses computes all eight local fields.

use rand::{Rng, RngExt};
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::Serialize;
use spinlearn_core::Seed;

use crate::error::{AttractorError, Result};
use crate::params::ValidNetworkParams;

/// Rows per parallel work item.
const ROW_CHUNK: usize = 128;
/// Columns per parallel work item of the transpose (each item scans every row once, so fewer,
/// larger blocks; 4,096 was fastest at N = 30,000 against 256, 1,024 and one block).
const COL_CHUNK: usize = 4096;
/// Independent initial conditions per retrieval pass (bits of a byte).
pub const LANES: usize = 8;

/// A pattern η ∈ {0,1}^N with P(η_i = 1) = f, drawn from stream `t` of `seed` (pattern number t).
pub fn pattern(seed: Seed, t: u64, n: usize, f: f64) -> Vec<u8> {
    let mut rng = seed.stream(t);
    (0..n).map(|_| u8::from(rng.random::<f64>() < f)).collect()
}

/// The overlap m of eq. (8): Σ_i (η_i − f) V_i / (N f (1 − f)); 1 when V = η (for a pattern with
/// exactly fN active units), ≈ 0 for an unrelated state. `pattern` and `state` hold 0/1 bytes.
pub fn overlap(pattern: &[u8], state: &[u8], f: f64) -> f64 {
    let n = pattern.len();
    let mut s = 0.0;
    for (&e, &v) in pattern.iter().zip(state) {
        if v != 0 {
            s += f64::from(e) - f;
        }
    }
    s / (n as f64 * f * (1.0 - f))
}

/// How a retrieval run ended.
#[derive(Debug, Clone, Serialize)]
pub struct RetrievalOutcome {
    /// The final state V (0/1 per neuron), length N.
    pub state: Vec<u8>,
    /// Parallel sweeps performed.
    pub sweeps: usize,
    /// A fixed point was reached.
    pub converged: bool,
    /// The dynamics entered a 2-cycle (state after two sweeps equals the state before).
    pub cycle2: bool,
}

/// Which weights the neuronal dynamics sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub enum WeightView {
    /// The analog weights J_ij.
    #[default]
    Analog,
    /// The binarized weights w_ij = sign(J_ij) of eq. (12) (J ≥ 0 counts as +1).
    Binarized,
}

impl WeightView {
    /// The weight the dynamics sees for an analog weight `w`.
    #[inline]
    pub fn apply(self, w: f32) -> f32 {
        match self {
            WeightView::Analog => w,
            WeightView::Binarized => {
                if w >= 0.0 {
                    1.0
                } else {
                    -1.0
                }
            }
        }
    }
}

/// The network: connectivity, weights and the number of presentations made.
#[derive(Debug, Clone)]
pub struct DilutedNetwork {
    params: ValidNetworkParams,
    row_start: Vec<usize>,
    cols: Vec<u32>,
    weights: Vec<f32>,
    presentations: u64,
}

/// Splits `data` (laid out by rows through `row_start`) into chunks of `ROW_CHUNK` rows.
fn row_chunks<'a, T>(row_start: &[usize], data: &'a mut [T]) -> Vec<(usize, usize, &'a mut [T])> {
    let n = row_start.len() - 1;
    let mut out = Vec::with_capacity(n.div_ceil(ROW_CHUNK));
    let mut rest = data;
    let mut lo = 0;
    while lo < n {
        let hi = (lo + ROW_CHUNK).min(n);
        let len = row_start[hi] - row_start[lo];
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(len);
        out.push((lo, hi, head));
        rest = tail;
        lo = hi;
    }
    out
}

/// `LUT[m][l]` is all ones when bit `l` of `m` is set: masks a weight by a neuron's eight states.
static LUT: [[u32; LANES]; 256] = {
    let mut t = [[0u32; LANES]; 256];
    let mut m = 0;
    while m < 256 {
        let mut l = 0;
        while l < LANES {
            if (m >> l) & 1 == 1 {
                t[m][l] = u32::MAX;
            }
            l += 1;
        }
        m += 1;
    }
    t
};

impl DilutedNetwork {
    /// Draws the connectivity (each ordered pair i ≠ j present with probability c, row i from
    /// `seed.stream(i)`) and sets all weights to 0.
    pub fn new(params: &ValidNetworkParams, seed: Seed) -> Result<Self> {
        let params = *params;
        let n = params.n();
        let expected = (n as f64) * (n as f64 - 1.0) * params.c();
        if expected > 4.0e9 {
            return Err(AttractorError::TooLarge(format!(
                "{expected:.3e} expected synapses"
            )));
        }
        let log_q = (1.0 - params.c()).ln();
        let chunks: Vec<(Vec<usize>, Vec<u32>)> = (0..n.div_ceil(ROW_CHUNK))
            .into_par_iter()
            .map(|ch| {
                let lo = ch * ROW_CHUNK;
                let hi = (lo + ROW_CHUNK).min(n);
                let mut lens = Vec::with_capacity(hi - lo);
                let mut cols = Vec::new();
                for i in lo..hi {
                    let before = cols.len();
                    let mut rng = seed.stream(i as u64);
                    // Candidates p = 0..n-1 map to j = p (p < i) or p + 1 (p ≥ i): no self-loop.
                    let mut p: usize = 0;
                    loop {
                        if params.c() < 1.0 {
                            let u: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
                            let skip = (u.ln() / log_q).floor();
                            if skip >= (n - 1 - p) as f64 {
                                break;
                            }
                            p += skip as usize;
                        }
                        if p >= n - 1 {
                            break;
                        }
                        let j = if p < i { p } else { p + 1 };
                        cols.push(j as u32);
                        p += 1;
                    }
                    lens.push(cols.len() - before);
                }
                (lens, cols)
            })
            .collect();
        let total: usize = chunks.iter().map(|c| c.1.len()).sum();
        let mut row_start = Vec::with_capacity(n + 1);
        let mut cols = Vec::with_capacity(total);
        row_start.push(0);
        for (lens, c) in chunks {
            for l in lens {
                row_start.push(row_start.last().copied().unwrap_or(0) + l);
            }
            cols.extend_from_slice(&c);
        }
        let weights = vec![0.0f32; total];
        Ok(DilutedNetwork {
            params,
            row_start,
            cols,
            weights,
            presentations: 0,
        })
    }

    /// The parameters.
    pub fn params(&self) -> &ValidNetworkParams {
        &self.params
    }

    /// Number of neurons N.
    pub fn n(&self) -> usize {
        self.params.n()
    }

    /// Number of synapses (present connections).
    pub fn n_synapses(&self) -> usize {
        self.cols.len()
    }

    /// Bytes held by connectivity and weights.
    pub fn memory_bytes(&self) -> usize {
        self.cols.len() * 4 + self.weights.len() * 4 + self.row_start.len() * 8
    }

    /// Presentations made so far.
    pub fn presentations(&self) -> u64 {
        self.presentations
    }

    /// Row i: presynaptic indices (increasing) and weights.
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let r = self.row_start[i]..self.row_start[i + 1];
        (&self.cols[r.clone()], &self.weights[r])
    }

    /// All weights, row by row.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Sets every weight to `value` (e.g. ±1 states of Markov synapses are set by the caller).
    pub fn fill_weights(&mut self, value: f32) {
        self.weights.iter_mut().for_each(|w| *w = value);
    }

    /// Presents pattern η (0/1 per neuron, length N): relaxes every synapse over the time unit since
    /// the previous presentation with the exact map of eq. (3)-(4) (skipped at the first
    /// presentation, so learning starts from J = 0), then adds r2 I(η_i, η_j) + r3 ε_ij. The weights
    /// afterwards are those at time u⁺ used by the retrieval test (eq. 33). The noise of this
    /// presentation on row i comes from `noise_seed.derive(t).stream(i)`, t the presentation number.
    ///
    /// Same as [`Self::present_block`] with one pattern.
    pub fn present(&mut self, eta: &[u8], noise_seed: Seed) -> Result<()> {
        self.present_block(&[eta], noise_seed)
    }

    /// Presents the patterns `etas` one after the other (each 0/1 per neuron, length N), with a
    /// result bit-identical to calling [`Self::present`] on each in turn, but in one pass over the
    /// synapses per [`BLOCK`] patterns: each neuron's bits of the block are packed into a u32, and
    /// every synapse applies the block's decays and jumps in registers, in the same order and with
    /// the same f32 operations as the one-pattern path. The noise of presentation t on row i still
    /// comes from `noise_seed.derive(t).stream(i)`, drawn in the same order.
    pub fn present_block<P: AsRef<[u8]>>(&mut self, etas: &[P], noise_seed: Seed) -> Result<()> {
        let n = self.n();
        if let Some(bad) = etas.iter().find(|e| e.as_ref().len() != n) {
            return Err(AttractorError::invalid(
                "pattern",
                format!("length {} != N = {n}", bad.as_ref().len()),
            ));
        }
        for chunk in etas.chunks(BLOCK) {
            self.present_chunk(chunk, noise_seed);
        }
        Ok(())
    }

    /// One pass over the synapses for at most [`BLOCK`] patterns of checked length.
    fn present_chunk<P: AsRef<[u8]>>(&mut self, etas: &[P], noise_seed: Seed) {
        let n = self.n();
        let np = etas.len();
        debug_assert!(np <= BLOCK);
        let p = self.params;
        let s = *p.synapse();
        // Per step: decay factor, well position (the very first presentation has no decay), and
        // the jump table.
        let mut steps = [Step::default(); BLOCK];
        for (t, st) in steps.iter_mut().take(np).enumerate() {
            let first = self.presentations + t as u64 == 0;
            let (e, c_well) = if first {
                (1.0f32, 0.0f32)
            } else {
                (s.decay_factor() as f32, s.c_well() as f32)
            };
            let table: [[f32; 2]; 2] = [false, true].map(|ei| {
                [false, true].map(|ej| (s.r2() * p.rule().value(ei, ej, p.f(), s.c_well())) as f32)
            });
            *st = Step { e, c_well, table };
        }
        let mut bits = vec![0u32; n];
        for (t, eta) in etas.iter().enumerate() {
            for (b, &x) in bits.iter_mut().zip(eta.as_ref()) {
                *b |= u32::from(x != 0) << t;
            }
        }
        let r3 = s.r3() as f32;
        let first_t = self.presentations;
        let cols = &self.cols;
        let row_start = &self.row_start;
        let bits = &bits;
        let steps = &steps[..np];
        row_chunks(row_start, &mut self.weights)
            .into_par_iter()
            .for_each(|(lo, hi, w)| {
                let base = row_start[lo];
                let mut noise: Vec<f32> = Vec::new();
                let mut rows_steps = [RowStep::default(); BLOCK];
                for i in lo..hi {
                    let bi = bits[i];
                    for (t, (rs, st)) in rows_steps.iter_mut().zip(steps).enumerate() {
                        let [a, b] = st.table[((bi >> t) & 1) as usize];
                        *rs = RowStep {
                            e: st.e,
                            c_well: st.c_well,
                            a,
                            d: b - a,
                        };
                    }
                    let r = row_start[i] - base..row_start[i + 1] - base;
                    let cs = &cols[row_start[i]..row_start[i + 1]];
                    let ws = &mut w[r];
                    if r3 > 0.0 {
                        // The noise of step t on row i, in the order of the one-pattern path.
                        let len = ws.len();
                        noise.clear();
                        noise.reserve(len * np);
                        for t in 0..np {
                            let mut rng = noise_seed.derive(first_t + t as u64).stream(i as u64);
                            noise.extend((0..len).map(|_| rng.sample::<f32, _>(StandardNormal)));
                        }
                        learn_row_noisy(ws, cs, bits, &rows_steps[..np], r3, &noise);
                    } else {
                        learn_row(ws, cs, bits, &rows_steps[..np]);
                    }
                }
            });
        self.presentations += np as u64;
    }

    /// Presents pattern η to binary Markov synapses w ∈ {−1, +1} (Fig. 4): under the balanced rule,
    /// a synapse with I = +1 at −1 moves to +1 with probability q, one with I = −1 at +1 moves to
    /// −1 with probability q. Weights must hold ±1 (start with [`Self::fill_weights`] or random
    /// signs by [`Self::randomize_signs`]); randomness of presentation t on row i comes from
    /// `seed.derive(t).stream(i)`.
    pub fn present_markov(&mut self, eta: &[u8], q: f64, seed: Seed) -> Result<()> {
        let n = self.n();
        if eta.len() != n {
            return Err(AttractorError::invalid(
                "pattern",
                format!("length {} != N = {n}", eta.len()),
            ));
        }
        spinlearn_core::check::in_range("q", q, 0.0, 1.0)?;
        let step_seed = seed.derive(self.presentations);
        let threshold = (q * 4_294_967_296.0).min(4_294_967_295.0) as u64;
        let cols = &self.cols;
        let row_start = &self.row_start;
        row_chunks(row_start, &mut self.weights)
            .into_par_iter()
            .for_each(|(lo, hi, w)| {
                let base = row_start[lo];
                for i in lo..hi {
                    let mut rng = step_seed.stream(i as u64);
                    let r = row_start[i] - base..row_start[i + 1] - base;
                    let cs = &cols[row_start[i]..row_start[i + 1]];
                    for (wk, &ck) in w[r].iter_mut().zip(cs) {
                        let target = if eta[i] == eta[ck as usize] {
                            1.0
                        } else {
                            -1.0
                        };
                        let u = u64::from(rng.next_u32());
                        if *wk != target && u < threshold {
                            *wk = target;
                        }
                    }
                }
            });
        self.presentations += 1;
        Ok(())
    }

    /// Sets each weight to +1 or −1 with probability 1/2 (row i from `seed.stream(i)`): the
    /// stationary state of balanced two-state Markov synapses.
    pub fn randomize_signs(&mut self, seed: Seed) {
        let row_start = &self.row_start;
        row_chunks(row_start, &mut self.weights)
            .into_par_iter()
            .for_each(|(lo, hi, w)| {
                let base = row_start[lo];
                for i in lo..hi {
                    let mut rng = seed.stream(i as u64);
                    for wk in &mut w[row_start[i] - base..row_start[i + 1] - base] {
                        *wk = if rng.random::<bool>() { 1.0 } else { -1.0 };
                    }
                }
            });
    }

    /// The local fields h_i = Σ_j c_ij J_ij V_j of eq. (2) for one state (reference path, f64
    /// accumulation).
    pub fn fields(&self, state: &[u8]) -> Vec<f64> {
        (0..self.n())
            .into_par_iter()
            .map(|i| {
                let (c, w) = self.row(i);
                c.iter()
                    .zip(w)
                    .filter(|(j, _)| state[**j as usize] != 0)
                    .map(|(_, &x)| f64::from(x))
                    .sum()
            })
            .collect()
    }

    /// The local fields of up to eight packed states (`packed[j]` bit l = V_j in lane l), f32
    /// accumulation: `out[i][l]` = h_i in lane l.
    fn fields_packed(&self, packed: &[u8], view: WeightView) -> Vec<[f32; LANES]> {
        let cols = &self.cols;
        let weights = &self.weights;
        let row_start = &self.row_start;
        let mut out = vec![[0.0f32; LANES]; self.n()];
        out.par_chunks_mut(ROW_CHUNK)
            .enumerate()
            .for_each(|(ch, o)| {
                let lo = ch * ROW_CHUNK;
                for (k, ok) in o.iter_mut().enumerate() {
                    let r = row_start[lo + k]..row_start[lo + k + 1];
                    *ok = fields8_dispatch(&cols[r.clone()], &weights[r], packed, view);
                }
            });
        out
    }

    /// The transposed connectivity (column j: the rows i with c_ij = 1, increasing, and the weights
    /// as seen by `view`), for incremental field updates.
    ///
    /// Built in parallel over blocks of [`COL_CHUNK`] columns: each block scans the rows in order
    /// and takes the contiguous run of each row's (sorted) indices that falls in the block, so
    /// every column lists its rows in increasing order whatever the number of threads.
    fn transpose(&self, view: WeightView) -> Transposed {
        let n = self.n();
        let mut col_start = vec![0usize; n + 1];
        for &c in &self.cols {
            col_start[c as usize + 1] += 1;
        }
        for j in 0..n {
            col_start[j + 1] += col_start[j];
        }
        let mut rows = vec![0u32; self.cols.len()];
        let mut weights = vec![0.0f32; self.cols.len()];
        // Disjoint output slices, one per block of columns.
        let mut parts = Vec::with_capacity(n.div_ceil(COL_CHUNK));
        {
            let (mut r_rest, mut w_rest) = (&mut rows[..], &mut weights[..]);
            let mut lo = 0;
            while lo < n {
                let hi = (lo + COL_CHUNK).min(n);
                let len = col_start[hi] - col_start[lo];
                let (r_head, r_tail) = std::mem::take(&mut r_rest).split_at_mut(len);
                let (w_head, w_tail) = std::mem::take(&mut w_rest).split_at_mut(len);
                parts.push((lo, hi, r_head, w_head));
                r_rest = r_tail;
                w_rest = w_tail;
                lo = hi;
            }
        }
        // bounds[i·(blocks+1) + b]: offset in row i of its first index ≥ b·COL_CHUNK (one
        // forward pass per row), so each block reads its run of every row without searching.
        let blocks = parts.len();
        let mut bounds = vec![0u32; n * (blocks + 1)];
        bounds
            .par_chunks_mut(blocks + 1)
            .enumerate()
            .for_each(|(i, bd)| {
                let (cs, _) = self.row(i);
                let mut k = 0;
                for (b, slot) in bd.iter_mut().enumerate() {
                    let lim = b * COL_CHUNK;
                    while k < cs.len() && (cs[k] as usize) < lim {
                        k += 1;
                    }
                    *slot = k as u32;
                }
            });
        let col_start_ref = &col_start;
        let bounds = &bounds;
        parts
            .into_par_iter()
            .enumerate()
            .for_each(|(blk, (lo, hi, r_out, w_out))| {
                let base = col_start_ref[lo];
                let mut fill: Vec<usize> =
                    col_start_ref[lo..hi].iter().map(|&x| x - base).collect();
                for i in 0..n {
                    let (cs, ws) = self.row(i);
                    let a = bounds[i * (blocks + 1) + blk] as usize;
                    let b = bounds[i * (blocks + 1) + blk + 1] as usize;
                    for (&c, &w) in cs[a..b].iter().zip(&ws[a..b]) {
                        let slot = &mut fill[c as usize - lo];
                        r_out[*slot] = i as u32;
                        w_out[*slot] = view.apply(w);
                        *slot += 1;
                    }
                }
            });
        Transposed {
            col_start,
            rows,
            weights,
        }
    }

    /// Runs the parallel dynamics of eq. (1), V ← Θ(h − θ) for all neurons at once, from each
    /// initial state in `starts` (0/1 bytes, length N each) until a fixed point, a 2-cycle (reported
    /// in the outcome), or `max_sweeps` sweeps.
    ///
    /// The first local fields come from one pass over the rows (eight starts per pass); afterwards
    /// only the neurons that flipped contribute, through a transposed copy of the weights (f64
    /// fields), so a sweep near a fixed point costs O(flips · cN) instead of O(cN²). Starts run in
    /// parallel, each sequentially, so results do not depend on the thread count.
    pub fn retrieve(
        &self,
        starts: &[Vec<u8>],
        max_sweeps: usize,
        view: WeightView,
    ) -> Result<Vec<RetrievalOutcome>> {
        let n = self.n();
        if let Some(bad) = starts.iter().find(|s| s.len() != n) {
            return Err(AttractorError::invalid(
                "start",
                format!("length {} != N = {n}", bad.len()),
            ));
        }
        let tr = self.transpose(view);
        let theta = self.params.theta();
        let mut out = Vec::with_capacity(starts.len());
        for batch in starts.chunks(LANES) {
            let mut packed = vec![0u8; n];
            for (l, s) in batch.iter().enumerate() {
                for (c, &v) in packed.iter_mut().zip(s) {
                    *c |= u8::from(v != 0) << l;
                }
            }
            let h8 = self.fields_packed(&packed, view);
            let res: Vec<RetrievalOutcome> = batch
                .par_iter()
                .enumerate()
                .map(|(l, s)| {
                    let h: Vec<f64> = h8.iter().map(|x| f64::from(x[l])).collect();
                    run_incremental(&tr, s, h, theta, max_sweeps)
                })
                .collect();
            out.extend(res);
        }
        Ok(out)
    }

    /// One parallel sweep for up to eight packed states (`packed[j]` bit l = V_j in lane l):
    /// writes Θ(h − θ) of every lane into `out`.
    fn sweep_packed(&self, packed: &[u8], out: &mut [u8], view: WeightView) {
        let theta = self.params.theta() as f32;
        let cols = &self.cols;
        let weights = &self.weights;
        let row_start = &self.row_start;
        out.par_chunks_mut(ROW_CHUNK)
            .enumerate()
            .for_each(|(ch, o)| {
                let lo = ch * ROW_CHUNK;
                for (k, ok) in o.iter_mut().enumerate() {
                    let i = lo + k;
                    let r = row_start[i]..row_start[i + 1];
                    let h = fields8_dispatch(&cols[r.clone()], &weights[r], packed, view);
                    let mut bits = 0u8;
                    for (l, &hl) in h.iter().enumerate() {
                        if hl > theta {
                            bits |= 1 << l;
                        }
                    }
                    *ok = bits;
                }
            });
    }

    /// Reference path of [`Self::retrieve`]: recomputes all local fields at every sweep (eight
    /// starts share each pass over the synapses). Same dynamics, same stopping rules.
    #[allow(clippy::needless_range_loop)] // lanes index several per-lane arrays at once
    pub fn retrieve_full(
        &self,
        starts: &[Vec<u8>],
        max_sweeps: usize,
        view: WeightView,
    ) -> Result<Vec<RetrievalOutcome>> {
        let n = self.n();
        let mut out = Vec::with_capacity(starts.len());
        for batch in starts.chunks(LANES) {
            if let Some(bad) = batch.iter().find(|s| s.len() != n) {
                return Err(AttractorError::invalid(
                    "start",
                    format!("length {} != N = {n}", bad.len()),
                ));
            }
            let mut cur = vec![0u8; n];
            for (l, s) in batch.iter().enumerate() {
                for (c, &v) in cur.iter_mut().zip(s) {
                    *c |= u8::from(v != 0) << l;
                }
            }
            let mut prev = cur.clone();
            let mut next = vec![0u8; n];
            let active_all: u8 = if batch.len() == LANES {
                0xFF
            } else {
                (1u8 << batch.len()) - 1
            };
            let mut active = active_all;
            let mut sweeps = [0usize; LANES];
            let mut converged = 0u8;
            let mut cycled = 0u8;
            let mut sweep = 0;
            while active != 0 && sweep < max_sweeps {
                self.sweep_packed(&cur, &mut next, view);
                sweep += 1;
                let (mut changed, mut differs2) = (0u8, 0u8);
                for ((&a, &b), &p) in next.iter().zip(&cur).zip(&prev) {
                    changed |= a ^ b;
                    differs2 |= a ^ p;
                }
                for l in 0..batch.len() {
                    let bit = 1u8 << l;
                    if active & bit == 0 {
                        continue;
                    }
                    sweeps[l] = sweep;
                    if changed & bit == 0 {
                        converged |= bit;
                        active &= !bit;
                    } else if sweep >= 2 && differs2 & bit == 0 {
                        cycled |= bit;
                        active &= !bit;
                    }
                }
                // Frozen lanes keep their state: a fixed point stays fixed; a 2-cycle keeps the
                // state it was found in.
                let keep = !active & active_all & !converged;
                for ((x, &c), p) in next.iter_mut().zip(&cur).zip(prev.iter_mut()) {
                    *x = (*x & !keep) | (c & keep);
                    *p = c;
                }
                std::mem::swap(&mut cur, &mut next);
            }
            for l in 0..batch.len() {
                let bit = 1u8 << l;
                out.push(RetrievalOutcome {
                    state: cur.iter().map(|&x| (x >> l) & 1).collect(),
                    sweeps: sweeps[l],
                    converged: converged & bit != 0,
                    cycle2: cycled & bit != 0,
                });
            }
        }
        Ok(out)
    }
}

/// Patterns per pass over the synapses in [`DilutedNetwork::present_block`] (bits of a u32: eight
/// 32-bit lanes per AVX2 register, where 64-bit lanes would halve the width and lack conversions).
pub const BLOCK: usize = 32;

/// The constants of one presentation.
#[derive(Debug, Clone, Copy, Default)]
struct Step {
    e: f32,
    c_well: f32,
    table: [[f32; 2]; 2],
}

/// One presentation seen from one row (postsynaptic bit fixed): J ← m + (J − m)·e + a + d·η_j.
#[derive(Debug, Clone, Copy, Default)]
struct RowStep {
    e: f32,
    c_well: f32,
    a: f32,
    d: f32,
}

/// One synapse, one presentation: J ← m + (J − m)·e + a + d·η_j with m = ±C the well of J. The
/// operations and their order define the results; every path must use exactly this (no FMA).
#[inline(always)]
fn learn_step(x: f32, st: &RowStep, ej: f32) -> f32 {
    let m = if x >= 0.0 { st.c_well } else { -st.c_well };
    m + (x - m) * st.e + st.a + st.d * ej
}

/// Synapses handled together by the block kernel: four AVX2 registers of f32, so that four
/// independent dependency chains (compare, select, sub, mul, three adds per step) overlap.
const LANE_W: usize = 32;

/// The block learning kernel of one row: every synapse k runs the steps in order on its own
/// register copy, reading η_j of step t as bit t of `bits[cols[k]]`. In the vector part, d·η_j is
/// formed as a select between d and d·0 (the same f32 values, signed zero included), with bit t
/// moved to the sign position.
#[inline(always)]
#[allow(clippy::needless_range_loop)] // lanes index several per-lane arrays at once
fn learn_row_generic(ws: &mut [f32], cs: &[u32], bits: &[u32], steps: &[RowStep]) {
    let mut wch = ws.chunks_exact_mut(LANE_W);
    let mut cch = cs.chunks_exact(LANE_W);
    for (w8, c8) in (&mut wch).zip(&mut cch) {
        let mut x = [0.0f32; LANE_W];
        let mut b = [0u32; LANE_W];
        for l in 0..LANE_W {
            x[l] = w8[l];
            debug_assert!((c8[l] as usize) < bits.len());
            // SAFETY: every column index is < N (by construction in `new`) and
            // `bits.len() == N`, so the gather is in bounds.
            b[l] = unsafe { *bits.get_unchecked(c8[l] as usize) };
        }
        for (t, st) in steps.iter().enumerate() {
            let d1 = st.d; // d·1
            let d0 = st.d * 0.0; // d·0 (±0)
            let sh = 31 - t as u32;
            for l in 0..LANE_W {
                let on = ((b[l] << sh) as i32) < 0;
                let dj = if on { d1 } else { d0 };
                let xl = x[l];
                let m = if xl >= 0.0 { st.c_well } else { -st.c_well };
                x[l] = m + (xl - m) * st.e + st.a + dj;
            }
        }
        w8.copy_from_slice(&x);
    }
    for (wk, &ck) in wch.into_remainder().iter_mut().zip(cch.remainder()) {
        let bk = bits[ck as usize];
        let mut x = *wk;
        for (t, st) in steps.iter().enumerate() {
            x = learn_step(x, st, ((bk >> t) & 1) as f32);
        }
        *wk = x;
    }
}

/// [`learn_row_generic`] with the noise r3 ε added after each step; `noise[t·len + k]` is ε of
/// synapse k at step t (scalar: the cost is in drawing the normals).
fn learn_row_noisy(
    ws: &mut [f32],
    cs: &[u32],
    bits: &[u32],
    steps: &[RowStep],
    r3: f32,
    noise: &[f32],
) {
    let len = ws.len();
    for (k, (wk, &ck)) in ws.iter_mut().zip(cs).enumerate() {
        let bk = bits[ck as usize];
        let mut x = *wk;
        for (t, st) in steps.iter().enumerate() {
            x = learn_step(x, st, ((bk >> t) & 1) as f32);
            x += r3 * noise[t * len + k];
        }
        *wk = x;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn learn_row_avx2(ws: &mut [f32], cs: &[u32], bits: &[u32], steps: &[RowStep]) {
    learn_row_generic(ws, cs, bits, steps)
}

/// Dispatches to an AVX2 build of the same code when the CPU has it (same arithmetic, no FMA
/// contraction, so results are identical on every path).
#[inline]
fn learn_row(ws: &mut [f32], cs: &[u32], bits: &[u32], steps: &[RowStep]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { learn_row_avx2(ws, cs, bits, steps) };
            return;
        }
    }
    learn_row_generic(ws, cs, bits, steps)
}

/// Column-major copy of the connectivity with the weights the dynamics sees.
struct Transposed {
    col_start: Vec<usize>,
    rows: Vec<u32>,
    weights: Vec<f32>,
}

/// The dynamics of one start with incremental fields `h` (the fields of `start`).
fn run_incremental(
    tr: &Transposed,
    start: &[u8],
    mut h: Vec<f64>,
    theta: f64,
    max_sweeps: usize,
) -> RetrievalOutcome {
    let n = start.len();
    let mut cur: Vec<u8> = start.iter().map(|&v| u8::from(v != 0)).collect();
    let mut prev: Vec<u8> = cur.clone();
    let mut next = vec![0u8; n];
    let mut flips: Vec<u32> = Vec::new();
    for sweep in 1..=max_sweeps {
        flips.clear();
        for (i, (x, &hi)) in next.iter_mut().zip(&h).enumerate() {
            *x = u8::from(hi > theta);
            if *x != cur[i] {
                flips.push(i as u32);
            }
        }
        if flips.is_empty() {
            return RetrievalOutcome {
                state: cur,
                sweeps: sweep,
                converged: true,
                cycle2: false,
            };
        }
        if sweep >= 2 && next == prev {
            return RetrievalOutcome {
                state: cur,
                sweeps: sweep,
                converged: false,
                cycle2: true,
            };
        }
        for &j in &flips {
            let j = j as usize;
            let sign = if next[j] == 1 { 1.0 } else { -1.0 };
            let r = tr.col_start[j]..tr.col_start[j + 1];
            for (&i, &w) in tr.rows[r.clone()].iter().zip(&tr.weights[r]) {
                h[i as usize] += sign * f64::from(w);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
        std::mem::swap(&mut cur, &mut next);
    }
    RetrievalOutcome {
        state: cur,
        sweeps: max_sweeps,
        converged: false,
        cycle2: false,
    }
}

/// [`fields8`] for a weight view, through an AVX2 build when the CPU has it (same arithmetic).
#[inline]
fn fields8_dispatch(cols: &[u32], w: &[f32], packed: &[u8], view: WeightView) -> [f32; LANES] {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { fields8_avx2(cols, w, packed, view) };
        }
    }
    fields8_view(cols, w, packed, view)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fields8_avx2(cols: &[u32], w: &[f32], packed: &[u8], view: WeightView) -> [f32; LANES] {
    fields8_view(cols, w, packed, view)
}

#[inline(always)]
fn fields8_view(cols: &[u32], w: &[f32], packed: &[u8], view: WeightView) -> [f32; LANES] {
    match view {
        WeightView::Analog => fields8(cols, w, packed, |x| x),
        WeightView::Binarized => fields8(cols, w, packed, |x| if x >= 0.0 { 1.0 } else { -1.0 }),
    }
}

/// Eight local fields of one row: h_l = Σ_k view(w_k) · bit_l(packed[col_k]).
#[inline(always)]
fn fields8(cols: &[u32], w: &[f32], packed: &[u8], view: impl Fn(f32) -> f32) -> [f32; LANES] {
    let mut h = [0.0f32; LANES];
    for (&c, &wk) in cols.iter().zip(w) {
        let mask = &LUT[usize::from(packed[c as usize])];
        let wb = view(wk).to_bits();
        for l in 0..LANES {
            h[l] += f32::from_bits(wb & mask[l]);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{LearningRule, NetworkParams, SynapseParams};
    use spinlearn_core::ParamGuard;

    fn small(n: usize, c: f64, syn: SynapseParams) -> ValidNetworkParams {
        NetworkParams {
            n,
            c,
            f: 0.5,
            rule: LearningRule::Balanced,
            synapse: syn,
            theta: 0.0,
        }
        .check()
        .unwrap()
    }

    #[test]
    fn connectivity_is_diluted_without_self_loops() {
        let p = small(2000, 0.05, SynapseParams::default());
        let net = DilutedNetwork::new(&p, Seed(3)).unwrap();
        let mean = net.n_synapses() as f64 / 2000.0;
        // Binomial(1999, 0.05) per row: mean 99.95; the average over 2000 rows has sd 0.11.
        assert!((mean - 99.95).abs() < 0.6, "{mean}");
        for i in 0..2000 {
            let (c, _) = net.row(i);
            assert!(c.windows(2).all(|w| w[0] < w[1]));
            assert!(c.iter().all(|&j| j as usize != i && (j as usize) < 2000));
        }
        let full = DilutedNetwork::new(&small(50, 1.0, SynapseParams::default()), Seed(1)).unwrap();
        assert_eq!(full.n_synapses(), 50 * 49);
    }

    #[test]
    fn learning_matches_the_scalar_synapse() {
        // Every weight must equal the scalar recursion of eqs. (3)-(5) applied to its own pair.
        let syn = SynapseParams {
            r1: 0.3,
            r2: 1.0,
            r3: 0.0,
            c_well: 1.5,
        };
        let p = small(300, 0.1, syn);
        let mut net = DilutedNetwork::new(&p, Seed(9)).unwrap();
        let model = crate::DoubleWellSynapses::new(syn.check().unwrap());
        let pats: Vec<Vec<u8>> = (0..7).map(|t| pattern(Seed(5), t, 300, 0.5)).collect();
        for pt in &pats {
            net.present(pt, Seed(0)).unwrap();
        }
        for i in (0..300).step_by(37) {
            let (c, w) = net.row(i);
            for (&j, &wk) in c.iter().zip(w) {
                let mut x = 0.0;
                for (t, pt) in pats.iter().enumerate() {
                    if t > 0 {
                        x = model.decay(x, 1.0);
                    }
                    x = model.jump(
                        x,
                        p.rule().value(pt[i] == 1, pt[j as usize] == 1, 0.5, 1.5),
                        0.0,
                    );
                }
                assert!((f64::from(wk) - x).abs() < 1e-5, "{wk} vs {x}");
            }
        }
    }

    /// The one-pattern learning step as first written (row by row, η_j as f32, noise added after
    /// the decay and jump from `noise_seed.derive(t).stream(i)`), kept as the reference that the
    /// block kernel must reproduce bit for bit.
    fn reference_present(net: &mut DilutedNetwork, eta: &[u8], noise_seed: Seed) {
        let p = net.params;
        let s = *p.synapse();
        let (e, c_well) = if net.presentations == 0 {
            (1.0f32, 0.0f32)
        } else {
            (s.decay_factor() as f32, s.c_well() as f32)
        };
        let table: [[f32; 2]; 2] = [false, true].map(|ei| {
            [false, true].map(|ej| (s.r2() * p.rule().value(ei, ej, p.f(), s.c_well())) as f32)
        });
        let etaf: Vec<f32> = eta.iter().map(|&x| f32::from(x != 0)).collect();
        let step_seed = noise_seed.derive(net.presentations);
        for i in 0..net.n() {
            let [a, b] = table[usize::from(eta[i] != 0)];
            let d = b - a;
            let r = net.row_start[i]..net.row_start[i + 1];
            for k in r.clone() {
                let x = net.weights[k];
                let m = if x >= 0.0 { c_well } else { -c_well };
                let ej = etaf[net.cols[k] as usize];
                net.weights[k] = m + (x - m) * e + a + d * ej;
            }
            if s.r3() > 0.0 {
                let mut rng = step_seed.stream(i as u64);
                for k in r {
                    let z: f32 = rng.sample(StandardNormal);
                    net.weights[k] += s.r3() as f32 * z;
                }
            }
        }
        net.presentations += 1;
    }

    #[test]
    fn block_learning_is_bit_identical_to_sequential_presentations() {
        let cases = [
            (LearningRule::Balanced, 0.5, 0.1, 2.7, 0.0),
            (LearningRule::Balanced, 0.5, 0.05, 1.0, 0.4),
            (LearningRule::Balanced, 0.5, 0.0, 0.0, 0.0),
            (LearningRule::TsodyksFeigelman, 0.1, 0.01, 0.0, 0.0),
            (LearningRule::TsodyksFeigelman, 0.1, 0.2, 0.5, 0.3),
            (LearningRule::AmitFusi, 0.1, 0.5, 1.2, 0.0),
            (LearningRule::AmitFusi, 0.1, 0.5, 1.2, 0.2),
        ];
        let n = 300;
        for &(rule, f, r1, cw, r3) in &cases {
            let params = NetworkParams {
                n,
                c: 0.15,
                f,
                rule,
                synapse: SynapseParams {
                    r1,
                    r2: 1.0,
                    r3,
                    c_well: cw,
                },
                theta: 0.0,
            }
            .check()
            .unwrap();
            let pats: Vec<Vec<u8>> = (0..75).map(|t| pattern(Seed(12), t, n, f)).collect();
            let mut reference = DilutedNetwork::new(&params, Seed(4)).unwrap();
            for pt in &pats {
                reference_present(&mut reference, pt, Seed(6));
            }
            // Blocks of uneven sizes, crossing the BLOCK boundary, starting at presentation 0.
            let mut block = DilutedNetwork::new(&params, Seed(4)).unwrap();
            let mut t = 0;
            for size in [1, 5, 40, 29] {
                block.present_block(&pats[t..t + size], Seed(6)).unwrap();
                t += size;
            }
            assert_eq!(block.presentations(), 75);
            let differ = reference
                .weights()
                .iter()
                .zip(block.weights())
                .filter(|(a, b)| a.to_bits() != b.to_bits())
                .count();
            assert_eq!(differ, 0, "{rule:?} f={f} r1={r1} C={cw} r3={r3}");
            // The weights moved (a test that cannot fail would not be a test).
            assert!(block.weights().iter().any(|&w| w != 0.0));
        }
        let mut net =
            DilutedNetwork::new(&small(50, 0.2, SynapseParams::default()), Seed(1)).unwrap();
        let err = net.present_block(&[vec![0u8; 50], vec![0u8; 49]], Seed(0));
        assert!(err.is_err());
        assert_eq!(net.presentations(), 0);
    }

    /// The transpose as first written (one sequential pass over the rows): the reference.
    fn transpose_seq(net: &DilutedNetwork, view: WeightView) -> Transposed {
        let n = net.n();
        let mut col_start = vec![0usize; n + 1];
        for &c in &net.cols {
            col_start[c as usize + 1] += 1;
        }
        for j in 0..n {
            col_start[j + 1] += col_start[j];
        }
        let mut fill = col_start.clone();
        let mut rows = vec![0u32; net.cols.len()];
        let mut weights = vec![0.0f32; net.cols.len()];
        for i in 0..n {
            let (cs, ws) = net.row(i);
            for (&c, &w) in cs.iter().zip(ws) {
                let slot = &mut fill[c as usize];
                rows[*slot] = i as u32;
                weights[*slot] = view.apply(w);
                *slot += 1;
            }
        }
        Transposed {
            col_start,
            rows,
            weights,
        }
    }

    #[test]
    fn parallel_transpose_matches_the_sequential_one() {
        // Several column blocks (N > COL_CHUNK), both weight views, any thread count.
        let n = 2 * COL_CHUNK + 700;
        let p = small(n, 0.01, SynapseParams::default());
        let mut net = DilutedNetwork::new(&p, Seed(8)).unwrap();
        for t in 0..5 {
            net.present(&pattern(Seed(2), t, n, 0.5), Seed(0)).unwrap();
        }
        for view in [WeightView::Analog, WeightView::Binarized] {
            let a = transpose_seq(&net, view);
            for threads in [1, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let b = pool.install(|| net.transpose(view));
                assert_eq!(a.col_start, b.col_start);
                assert_eq!(a.rows, b.rows);
                assert_eq!(a.weights, b.weights);
            }
        }
    }

    #[test]
    fn packed_dynamics_matches_the_reference_fields() {
        let syn = SynapseParams {
            r1: 0.1,
            r2: 1.0,
            r3: 0.5,
            c_well: 1.0,
        };
        let p = small(400, 0.2, syn);
        let mut net = DilutedNetwork::new(&p, Seed(2)).unwrap();
        for t in 0..20 {
            net.present(&pattern(Seed(4), t, 400, 0.5), Seed(8))
                .unwrap();
        }
        let starts: Vec<Vec<u8>> = (0..11).map(|t| pattern(Seed(4), t, 400, 0.5)).collect();
        let outs = net.retrieve(&starts, 1, WeightView::Analog).unwrap();
        for (s, o) in starts.iter().zip(&outs) {
            let h = net.fields(s);
            let expect: Vec<u8> = h.iter().map(|&x| u8::from(x > 0.0)).collect();
            let mismatches = expect.iter().zip(&o.state).filter(|(a, b)| a != b).count();
            // Only fields within f32 rounding of θ may differ.
            let near = h.iter().filter(|x| x.abs() < 1e-3).count();
            assert!(mismatches <= near, "{mismatches} mismatches");
            assert_eq!(o.sweeps, 1);
        }
    }

    #[test]
    fn incremental_dynamics_matches_full_sweeps() {
        for &(r1, cw, view) in &[
            (0.1, 2.0, WeightView::Analog),
            (0.05, 1.0, WeightView::Binarized),
        ] {
            let syn = SynapseParams {
                r1,
                r2: 1.0,
                r3: 0.0,
                c_well: cw,
            };
            let p = small(600, 0.2, syn);
            let mut net = DilutedNetwork::new(&p, Seed(21)).unwrap();
            for t in 0..60 {
                net.present(&pattern(Seed(6), t, 600, 0.5), Seed(0))
                    .unwrap();
            }
            let starts: Vec<Vec<u8>> = (0..20)
                .map(|t| pattern(Seed(6), 59 - t, 600, 0.5))
                .collect();
            let a = net.retrieve(&starts, 40, view).unwrap();
            let b = net.retrieve_full(&starts, 40, view).unwrap();
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(
                    (x.sweeps, x.converged, x.cycle2),
                    (y.sweeps, y.converged, y.cycle2)
                );
                assert_eq!(x.state, y.state);
            }
            assert!(a.iter().filter(|o| o.converged).count() >= 5);
        }
    }

    #[test]
    fn results_do_not_depend_on_thread_count() {
        let syn = SynapseParams {
            r1: 0.05,
            r2: 1.0,
            r3: 0.3,
            c_well: 2.0,
        };
        let p = small(500, 0.1, syn);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut net = DilutedNetwork::new(&p, Seed(11)).unwrap();
                let pats: Vec<Vec<u8>> = (0..10).map(|t| pattern(Seed(1), t, 500, 0.5)).collect();
                net.present(&pats[0], Seed(2)).unwrap();
                net.present_block(&pats[1..], Seed(2)).unwrap();
                let o = net
                    .retrieve(&[pattern(Seed(1), 9, 500, 0.5)], 50, WeightView::Analog)
                    .unwrap();
                (net.weights().to_vec(), o[0].state.clone())
            })
        };
        assert_eq!(run(1), run(3));
    }

    #[test]
    fn overlap_of_pattern_with_itself() {
        let eta = pattern(Seed(1), 0, 10_000, 0.5);
        let m = overlap(&eta, &eta, 0.5);
        assert!((m - 1.0).abs() < 0.05, "{m}");
        let other = pattern(Seed(1), 1, 10_000, 0.5);
        assert!(overlap(&eta, &other, 0.5).abs() < 0.05);
    }
}
