//! Multi-spin-coded checkerboard Metropolis for the 2D Ising model at zero field: 64 spins of one
//! sublattice row in each `u64` word, neighbour disagreements counted with bitwise adders and the
//! Boltzmann test made for 64 sites at once against a bit-sliced uniform number.
//!
//! Layout: the checkerboard split of [`crate::Checkerboard`] (sublattice c holds the sites (i, j)
//! with (i + j) % 2 == c, entry k of row i is site (i, 2k + (i + c) % 2)), each sublattice row of
//! L/2 entries packed into `ceil(L/2 / 64)` words: bit b of word w is entry 64 w + b, set for spin
//! +1. Padding bits past L/2 in a row's last word stay 0.
//!
//! Acceptance: a site with k of its 4 neighbours anti-aligned has s σ = 4 - 2k and ΔE = 2 s σ; it
//! flips with probability 1 when k >= 3, 1/2 when k = 2 (ΔE = 0, the same choice as the scalar
//! [`crate::Metropolis`], which keeps stripe states from cycling on small lattices), e^{-4/T} when
//! k = 1 and e^{-8/T} when k = 0. The probabilities are the scalar kernel's 32-bit thresholds P, and
//! a site flips when a uniform 32-bit U < P, exactly as there. U is bit-sliced: random word number
//! j of a site's word holds bit 31 - j of the 64 sites' U, and the comparison stops as soon as
//! every site is decided (a site is decided at the first bit where U and P differ, or when P has no
//! 1 left below the current bit), about 7 random words for 64 sites instead of 32 or 64.
//!
//! Streams: row i of either sublattice draws from `rngs[i]` in word order, so a sweep's result does
//! not depend on how rows are spread over threads. The field must be 0 (use the scalar kernel for
//! h != 0).

use crate::error::{Result, invalid};
use crate::lattice::Lattice;
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use spinlearn_core::{Seed, SpinRng};

/// An L x L periodic lattice (L even) in the multi-spin layout of the module doc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiSpinLattice {
    l: usize,
    /// Words per sublattice row, ceil(L/2 / 64).
    words: usize,
    /// Valid bits of a row's last word.
    last_mask: u64,
    /// The two sublattices, each `(L, words)` row-major.
    colors: [Vec<u64>; 2],
}

impl MultiSpinLattice {
    /// Packs a lattice; L must be even.
    pub fn from_lattice(lat: &Lattice) -> Result<MultiSpinLattice> {
        let l = lat.l();
        if !l.is_multiple_of(2) {
            return Err(invalid(
                "l",
                format!("multi-spin checkerboard updates need an even L, got {l}"),
            ));
        }
        let half = l / 2;
        let words = half.div_ceil(64);
        let tail = half - 64 * (words - 1);
        let last_mask = if tail == 64 {
            u64::MAX
        } else {
            (1u64 << tail) - 1
        };
        let mut colors = [vec![0u64; l * words], vec![0u64; l * words]];
        let spins = lat.spins();
        for i in 0..l {
            for j in 0..l {
                if spins[i * l + j] > 0 {
                    let k = j / 2;
                    colors[(i + j) & 1][i * words + k / 64] |= 1u64 << (k % 64);
                }
            }
        }
        Ok(MultiSpinLattice {
            l,
            words,
            last_mask,
            colors,
        })
    }

    /// Unpacks into a row-major lattice.
    pub fn to_lattice(&self) -> Lattice {
        let l = self.l;
        let mut spins = vec![-1i8; l * l];
        for i in 0..l {
            for j in 0..l {
                let k = j / 2;
                let w = self.colors[(i + j) & 1][i * self.words + k / 64];
                if (w >> (k % 64)) & 1 == 1 {
                    spins[i * l + j] = 1;
                }
            }
        }
        Lattice::from_spins(l, &spins).expect("packed spins are ±1")
    }

    /// Side length L.
    pub fn l(&self) -> usize {
        self.l
    }

    /// Number of sites N = L^2.
    pub fn n(&self) -> usize {
        self.l * self.l
    }

    /// Σ_i s_i.
    pub fn magnetization_sum(&self) -> i64 {
        let up: u64 = self
            .colors
            .iter()
            .flat_map(|c| c.iter())
            .map(|w| u64::from(w.count_ones()))
            .sum();
        2 * up as i64 - self.n() as i64
    }

    /// Σ_<ij> s_i s_j over the 2N bonds (as [`Lattice::bond_sum`]): 2N - 2 D with D the number of
    /// anti-aligned bonds, each bond counted once from its sublattice-0 end.
    pub fn bond_sum(&self) -> i64 {
        let (l, nw) = (self.l, self.words);
        let (c0, c1) = (&self.colors[0], &self.colors[1]);
        let mut d = 0u64;
        for i in 0..l {
            let row = &c0[i * nw..][..nw];
            let up = &c1[((i + l - 1) % l) * nw..][..nw];
            let down = &c1[((i + 1) % l) * nw..][..nw];
            let mid = &c1[i * nw..][..nw];
            let odd = i & 1 == 1;
            for w in 0..nw {
                let side = side_word(mid, w, odd, self.last_mask);
                let s = row[w];
                d += u64::from((s ^ up[w]).count_ones())
                    + u64::from((s ^ down[w]).count_ones())
                    + u64::from((s ^ mid[w]).count_ones())
                    + u64::from((s ^ side).count_ones());
            }
        }
        2 * self.n() as i64 - 2 * d as i64
    }
}

/// Word `w` of the row of second horizontal neighbours: entry k's neighbour is entry k + 1 when
/// the row's sites sit at odd columns (`odd`), else k - 1, wrapping at the row's ends. The first
/// horizontal neighbour is entry k itself. Padding bits of the result are 0.
#[inline(always)]
fn side_word(mid: &[u64], w: usize, odd: bool, last_mask: u64) -> u64 {
    let nw = mid.len();
    let last = w + 1 == nw;
    // Highest valid bit of word w.
    let top = if last {
        63 - last_mask.leading_zeros()
    } else {
        63
    };
    if odd {
        let next = if last { mid[0] & 1 } else { mid[w + 1] & 1 };
        (mid[w] >> 1) | (next << top)
    } else {
        let prev = if w == 0 {
            (mid[nw - 1] >> (63 - last_mask.leading_zeros())) & 1
        } else {
            mid[w - 1] >> 63
        };
        let x = (mid[w] << 1) | prev;
        if last { x & last_mask } else { x }
    }
}

/// The zero-field multi-spin Metropolis kernel at temperature T (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MultiSpinMetropolis {
    t: f64,
    /// 32-bit thresholds P for k = 0, 1, 2 anti-aligned neighbours.
    thresholds: [u32; 3],
}

impl MultiSpinMetropolis {
    /// The kernel for temperature `t` > 0 (zero field).
    pub fn new(t: f64) -> Result<MultiSpinMetropolis> {
        spinlearn_core::check::positive("t", t)?;
        let p = |x: f64| ((x * 4_294_967_296.0).round() as u64).min(u64::from(u32::MAX)) as u32;
        Ok(MultiSpinMetropolis {
            t,
            thresholds: [p((-8.0 / t).exp()), p((-4.0 / t).exp()), 1 << 31],
        })
    }

    /// Temperature.
    pub fn t(&self) -> f64 {
        self.t
    }

    /// The acceptance thresholds P (flip when a uniform 32-bit U < P) for k = 0, 1, 2 anti-aligned
    /// neighbours; k >= 3 always flips.
    pub fn thresholds(&self) -> [u32; 3] {
        self.thresholds
    }

    /// One sweep: sublattice 0 then sublattice 1. Row i of either sublattice draws from `rngs[i]`
    /// (`rngs.len()` == L). Rows run on rayon's pool when `parallel`; the result is the same
    /// either way. Returns the number of accepted flips.
    pub fn sweep(&self, lat: &mut MultiSpinLattice, rngs: &mut [SpinRng], parallel: bool) -> u64 {
        assert_eq!(rngs.len(), lat.l, "one RNG stream per row");
        self.half_sweep(lat, 0, rngs, parallel) + self.half_sweep(lat, 1, rngs, parallel)
    }

    fn half_sweep(
        &self,
        lat: &mut MultiSpinLattice,
        c: usize,
        rngs: &mut [SpinRng],
        parallel: bool,
    ) -> u64 {
        let (l, nw, last_mask) = (lat.l, lat.words, lat.last_mask);
        let [c0, c1] = &mut lat.colors;
        let (mine, other): (&mut Vec<u64>, &Vec<u64>) = if c == 0 { (c0, c1) } else { (c1, c0) };
        let thr = &self.thresholds;
        let work = |(i, (row, rng)): (usize, (&mut [u64], &mut SpinRng))| -> u64 {
            let up = &other[((i + l - 1) % l) * nw..][..nw];
            let down = &other[((i + 1) % l) * nw..][..nw];
            let mid = &other[i * nw..][..nw];
            update_row(row, up, down, mid, (i + c) & 1 == 1, last_mask, thr, rng)
        };
        if parallel {
            // One contiguous band of rows per thread: a half-sweep at L = 256 is microseconds of
            // work, so fewer, larger tasks keep the fork-join overhead down.
            let min_len = l.div_ceil(rayon::current_num_threads()).max(4);
            mine.par_chunks_mut(nw)
                .zip(rngs.par_iter_mut())
                .enumerate()
                .with_min_len(min_len)
                .map(work)
                .sum()
        } else {
            mine.chunks_mut(nw)
                .zip(rngs.iter_mut())
                .enumerate()
                .map(work)
                .sum()
        }
    }
}

/// Updates one sublattice row in place; returns the number of flips.
#[allow(clippy::too_many_arguments)]
#[inline]
fn update_row(
    row: &mut [u64],
    up: &[u64],
    down: &[u64],
    mid: &[u64],
    odd: bool,
    last_mask: u64,
    thr: &[u32; 3],
    rng: &mut SpinRng,
) -> u64 {
    let nw = row.len();
    let mut flips = 0u64;
    for w in 0..nw {
        let valid = if w + 1 == nw { last_mask } else { u64::MAX };
        let s = row[w];
        let side = side_word(mid, w, odd, last_mask);
        // Anti-aligned neighbour indicators and their count k = b0 + 2 b1 + 4 b2 (bitwise adder).
        let (a1, a2, a3, a4) = (s ^ up[w], s ^ down[w], s ^ mid[w], s ^ side);
        let (x1, c1) = (a1 ^ a2, a1 & a2);
        let (x2, c2) = (a3 ^ a4, a3 & a4);
        let b0 = x1 ^ x2;
        let d = x1 & x2;
        // At most two of c1, c2, d are set (c1 or c2 excludes d).
        let b1 = c1 ^ c2 ^ d;
        let b2 = c1 & c2;
        let k0 = !(b0 | b1 | b2) & valid;
        let k1 = b0 & !b1 & !b2 & valid;
        let k2 = !b0 & b1 & !b2 & valid;
        let always = ((b0 & b1) | b2) & valid;
        let flip = always | bitsliced_less(k0, k1, k2, thr, rng);
        row[w] = s ^ flip;
        flips += u64::from(flip.count_ones());
    }
    flips
}

/// For the disjoint site masks k0, k1, k2 (threshold classes), the mask of sites whose uniform
/// 32-bit U is below their class's threshold, U's bits drawn most significant first, one random
/// word per bit level, only while some site is undecided. Class 2's threshold is 2^31 (U < 1/2:
/// U's top bit is 0), decided by the first word, which also gives the other classes their top bit.
#[inline(always)]
fn bitsliced_less(k0: u64, k1: u64, k2: u64, thr: &[u32; 3], rng: &mut SpinRng) -> u64 {
    let [p0, p1, p2] = *thr;
    debug_assert_eq!(p2, 1 << 31);
    // All-ones when bit `bit` of p is set.
    let sel = |p: u32, bit: u32| -> u64 { 0u64.wrapping_sub(u64::from((p >> bit) & 1)) };
    // All-ones when p has a 1 at bit `bit` or below (else an undecided site has U >= p).
    let rest = |p: u32, bit: u32| -> u64 {
        0u64.wrapping_sub(u64::from(p & (u32::MAX >> (31 - bit)) != 0))
    };
    let mut active = (k0 & rest(p0, 31)) | (k1 & rest(p1, 31));
    if active | k2 == 0 {
        return 0;
    }
    let r = rng.next_u64();
    let mut less = k2 & !r;
    let mut bit = 31u32;
    let mut r = r;
    loop {
        let tb = (k0 & sel(p0, bit)) | (k1 & sel(p1, bit));
        less |= active & tb & !r;
        active &= !(tb ^ r);
        if bit == 0 {
            break;
        }
        bit -= 1;
        active &= (k0 & rest(p0, bit)) | (k1 & rest(p1, bit));
        if active == 0 {
            break;
        }
        r = rng.next_u64();
    }
    less
}

/// A multi-spin Metropolis chain: a lattice, its kernel and its row streams.
#[derive(Debug, Clone)]
pub struct MultiSpinChain {
    lattice: MultiSpinLattice,
    kernel: MultiSpinMetropolis,
    rngs: Vec<SpinRng>,
}

impl MultiSpinChain {
    /// A chain at temperature `t` from `lattice`, row i drawing from `seed.stream(i)`.
    pub fn new(lattice: &Lattice, t: f64, seed: Seed) -> Result<MultiSpinChain> {
        Ok(MultiSpinChain {
            lattice: MultiSpinLattice::from_lattice(lattice)?,
            kernel: MultiSpinMetropolis::new(t)?,
            rngs: seed.streams(lattice.l()),
        })
    }

    /// One sweep (rows on rayon's pool when `parallel`); returns the accepted flips.
    pub fn sweep(&mut self, parallel: bool) -> u64 {
        self.kernel
            .sweep(&mut self.lattice, &mut self.rngs, parallel)
    }

    /// The current configuration (packed).
    pub fn lattice(&self) -> &MultiSpinLattice {
        &self.lattice
    }

    /// The kernel.
    pub fn kernel(&self) -> &MultiSpinMetropolis {
        &self.kernel
    }
}

/// `sweeps` sweeps of every chain of an ensemble of independent lattices (replicas, seeds or
/// temperatures), chains spread over rayon's pool, each chain's rows in order; returns the
/// accepted flips of all chains. Each chain owns its streams, so the result does not depend on
/// the thread count.
pub fn sweep_ensemble(chains: &mut [MultiSpinChain], sweeps: usize) -> u64 {
    chains
        .par_iter_mut()
        .map(|c| (0..sweeps).map(|_| c.sweep(false)).sum::<u64>())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips_and_sums_agree() {
        let mut rng = Seed(3).stream(0);
        for l in [2, 4, 6, 10, 128, 130, 256, 300] {
            let lat = Lattice::random(l, &mut rng).unwrap();
            let ms = MultiSpinLattice::from_lattice(&lat).unwrap();
            assert_eq!(ms.to_lattice(), lat, "L = {l}");
            assert_eq!(ms.bond_sum(), lat.bond_sum(), "L = {l}");
            assert_eq!(ms.magnetization_sum(), lat.magnetization_sum(), "L = {l}");
        }
        assert!(MultiSpinLattice::from_lattice(&Lattice::cold(5).unwrap()).is_err());
    }

    #[test]
    fn thresholds_equal_the_scalar_kernels() {
        // Same 32-bit thresholds as the scalar zero-field path, so the acceptance law is the same.
        for t in [0.5, 1.0, 2.269, 5.0, 1e6] {
            let m = MultiSpinMetropolis::new(t).unwrap();
            let [p0, p1, p2] = m.thresholds();
            let want = |x: f64| ((x * 4_294_967_296.0).round() as u64).min(u32::MAX as u64);
            assert_eq!(u64::from(p0), want((-8.0 / t).exp()));
            assert_eq!(u64::from(p1), want((-4.0 / t).exp()));
            assert_eq!(p2, 1 << 31);
        }
        assert!(MultiSpinMetropolis::new(0.0).is_err());
    }

    #[test]
    fn bitsliced_comparison_has_the_right_rates() {
        // Per-site acceptance rates of the bit-sliced test against P / 2^32.
        let thr = [123_456_789u32, 3_000_000_000, 1 << 31];
        let mut rng = Seed(8).stream(0);
        let (k0, k1, k2) = (
            0x0000_0000_FFFF_FFFFu64,
            0xFFFF_0000_0000_0000,
            0x0000_FFFF_0000_0000,
        );
        let mut hits = [0u64; 3];
        let n = 20_000u64;
        for _ in 0..n {
            let less = bitsliced_less(k0, k1, k2, &thr, &mut rng);
            hits[0] += u64::from((less & k0).count_ones());
            hits[1] += u64::from((less & k1).count_ones());
            hits[2] += u64::from((less & k2).count_ones());
        }
        for (c, (&h, m)) in hits.iter().zip([k0, k1, k2]).enumerate() {
            let trials = (n * u64::from(m.count_ones())) as f64;
            let p = f64::from(thr[c]) / 4_294_967_296.0;
            let sd = (p * (1.0 - p) / trials).sqrt();
            let rate = h as f64 / trials;
            assert!((rate - p).abs() < 5.0 * sd, "class {c}: {rate} vs {p}");
        }
        // Sites in no class never pass; a zero threshold never passes.
        assert_eq!(bitsliced_less(0, 0, 0, &thr, &mut rng), 0);
        assert_eq!(
            bitsliced_less(u64::MAX, 0, 0, &[0, 0, 1 << 31], &mut rng),
            0
        );
    }

    #[test]
    fn ground_state_is_frozen_at_low_t_and_parallel_equals_serial() {
        let lat = Lattice::cold(8).unwrap();
        let mut c = MultiSpinChain::new(&lat, 0.05, Seed(1)).unwrap();
        for _ in 0..20 {
            assert_eq!(c.sweep(false), 0);
        }
        for l in [6, 16, 130] {
            let lat = Lattice::random(l, &mut Seed(2).stream(7)).unwrap();
            let mut a = MultiSpinChain::new(&lat, 2.3, Seed(5)).unwrap();
            let mut b = a.clone();
            for _ in 0..5 {
                assert_eq!(a.sweep(true), b.sweep(false));
            }
            assert_eq!(a.lattice(), b.lattice(), "L = {l}");
        }
    }

    #[test]
    fn packed_sums_stay_consistent_during_a_run() {
        let lat = Lattice::random(12, &mut Seed(4).stream(0)).unwrap();
        let mut ms = MultiSpinChain::new(&lat, 2.0, Seed(6)).unwrap();
        for _ in 0..10 {
            ms.sweep(false);
            let u = ms.lattice().to_lattice();
            assert_eq!(ms.lattice().bond_sum(), u.bond_sum());
            assert_eq!(ms.lattice().magnetization_sum(), u.magnetization_sum());
        }
    }
}
