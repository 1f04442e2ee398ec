//! The 2D square-lattice Ising model with periodic boundaries: spin storage, energy and
//! magnetization, exact enumeration of small lattices, and the two Monte Carlo kernels
//! (checkerboard Metropolis, Wolff clusters).
//!
//! Conventions: spins s = ±1 stored as `i8`; H = -J Σ_<ij> s_i s_j - h Σ_i s_i with J = 1 and the
//! sum over the 2N nearest-neighbour bonds (right and down of every site, so on a 2x2 lattice each
//! pair is counted twice, as the periodic 4-neighbour rule implies); k_B = 1, β = 1 / T.

use crate::error::{Result, invalid};
use rand::{Rng, RngExt};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use spinlearn_core::SpinRng;

/// An L x L lattice of ±1 spins in row-major order (site (i, j) at `i * L + j`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lattice {
    l: usize,
    spins: Vec<i8>,
}

impl Lattice {
    /// All spins +1 (cold start). L >= 2.
    pub fn cold(l: usize) -> Result<Lattice> {
        check_l(l)?;
        Ok(Lattice {
            l,
            spins: vec![1; l * l],
        })
    }

    /// Independent random spins (hot start).
    pub fn random<R: Rng + ?Sized>(l: usize, rng: &mut R) -> Result<Lattice> {
        check_l(l)?;
        let spins = (0..l * l)
            .map(|_| if rng.random::<bool>() { 1 } else { -1 })
            .collect();
        Ok(Lattice { l, spins })
    }

    /// From a row-major slice of ±1 values of length L^2.
    pub fn from_spins(l: usize, spins: &[i8]) -> Result<Lattice> {
        check_l(l)?;
        if spins.len() != l * l || spins.iter().any(|&s| s != 1 && s != -1) {
            return Err(invalid("spins", format!("need {} values of ±1", l * l)));
        }
        Ok(Lattice {
            l,
            spins: spins.to_vec(),
        })
    }

    /// Spin configuration number `code` of an L x L lattice: bit k of `code` set means site k is +1.
    pub fn from_code(l: usize, code: u64) -> Result<Lattice> {
        check_l(l)?;
        if l * l > 64 {
            return Err(invalid("l", "codes cover at most 64 sites"));
        }
        let spins = (0..l * l)
            .map(|k| if (code >> k) & 1 == 1 { 1 } else { -1 })
            .collect();
        Ok(Lattice { l, spins })
    }

    /// The configuration's code (inverse of [`Lattice::from_code`]); L^2 <= 64.
    pub fn code(&self) -> u64 {
        self.spins
            .iter()
            .enumerate()
            .filter(|(_, s)| **s > 0)
            .fold(0u64, |c, (k, _)| c | (1u64 << k))
    }

    /// Side length L.
    pub fn l(&self) -> usize {
        self.l
    }

    /// Number of sites N = L^2.
    pub fn n(&self) -> usize {
        self.l * self.l
    }

    /// The spins, row-major `(L, L)`.
    pub fn spins(&self) -> &[i8] {
        &self.spins
    }

    /// Σ_i s_i.
    pub fn magnetization_sum(&self) -> i64 {
        self.spins.iter().map(|&s| i64::from(s)).sum()
    }

    /// Σ_<ij> s_i s_j over the 2N bonds (right and down neighbours).
    pub fn bond_sum(&self) -> i64 {
        let l = self.l;
        let mut b = 0i64;
        for i in 0..l {
            let down = (i + 1) % l;
            for j in 0..l {
                let s = i64::from(self.spins[i * l + j]);
                let r = i64::from(self.spins[i * l + (j + 1) % l]);
                let d = i64::from(self.spins[down * l + j]);
                b += s * (r + d);
            }
        }
        b
    }

    /// H = -Σ_<ij> s_i s_j - h Σ_i s_i (J = 1), total, not per spin.
    pub fn energy(&self, h: f64) -> f64 {
        -(self.bond_sum() as f64) - h * self.magnetization_sum() as f64
    }
}

fn check_l(l: usize) -> Result<()> {
    if l < 2 {
        return Err(invalid("l", format!("must be at least 2, got {l}")));
    }
    if l > 1 << 15 {
        return Err(invalid("l", format!("must be at most 32768, got {l}")));
    }
    Ok(())
}

/// The lattice split into its two sublattices for checkerboard updates (L even). Sublattice c holds
/// the sites (i, j) with (i + j) % 2 == c as an `(L, L/2)` row-major array: site (i, j) is entry
/// `i * L/2 + j / 2` of sublattice `(i + j) % 2`. Every neighbour of a site is on the other
/// sublattice, so a whole sublattice can be updated at once, row by row in parallel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkerboard {
    l: usize,
    colors: [Vec<i8>; 2],
}

impl Checkerboard {
    /// Splits a lattice; L must be even.
    pub fn from_lattice(lat: &Lattice) -> Result<Checkerboard> {
        let l = lat.l;
        if !l.is_multiple_of(2) {
            return Err(invalid(
                "l",
                format!("checkerboard updates need an even L, got {l}"),
            ));
        }
        let half = l / 2;
        let mut colors = [vec![0i8; l * half], vec![0i8; l * half]];
        for i in 0..l {
            for j in 0..l {
                colors[(i + j) & 1][i * half + j / 2] = lat.spins[i * l + j];
            }
        }
        Ok(Checkerboard { l, colors })
    }

    /// Joins the sublattices back into a row-major lattice.
    pub fn to_lattice(&self) -> Lattice {
        let l = self.l;
        let half = l / 2;
        let mut spins = vec![0i8; l * l];
        for i in 0..l {
            for j in 0..l {
                spins[i * l + j] = self.colors[(i + j) & 1][i * half + j / 2];
            }
        }
        Lattice { l, spins }
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
        self.colors
            .iter()
            .flat_map(|c| c.iter())
            .map(|&s| i64::from(s))
            .sum()
    }

    /// Σ_<ij> s_i s_j over the 2N bonds: every bond joins a sublattice-0 site to a sublattice-1 site.
    pub fn bond_sum(&self) -> i64 {
        let (l, half) = (self.l, self.l / 2);
        let (c0, c1) = (&self.colors[0], &self.colors[1]);
        let mut b = 0i64;
        for i in 0..l {
            let up = &c1[((i + l - 1) % l) * half..][..half];
            let down = &c1[((i + 1) % l) * half..][..half];
            let mid = &c1[i * half..][..half];
            let odd = i & 1 == 1;
            let row = &c0[i * half..][..half];
            let mut acc = 0i32;
            for k in 0..half {
                let side = side_index(k, half, odd);
                let nb = i32::from(up[k])
                    + i32::from(down[k])
                    + i32::from(mid[k])
                    + i32::from(mid[side]);
                acc += i32::from(row[k]) * nb;
            }
            b += i64::from(acc);
        }
        b
    }
}

/// The second horizontal neighbour (on the other sublattice) of entry k in a row whose sites sit at
/// odd columns (`odd`) or even columns: the first is always entry k.
#[inline(always)]
fn side_index(k: usize, half: usize, odd: bool) -> usize {
    if odd {
        if k + 1 == half { 0 } else { k + 1 }
    } else if k == 0 {
        half - 1
    } else {
        k - 1
    }
}

/// Metropolis acceptance for single-spin flips at temperature T in field h, as a table of u32
/// thresholds: a flip of spin s with neighbour sum σ ∈ {-4, -2, 0, 2, 4} costs
/// ΔE = 2 s (σ + h) and is accepted when a uniform 32-bit draw r satisfies r < a(ΔE) 2^32, with
/// a(ΔE) = min(1, exp(-ΔE / T)) for ΔE != 0 and a(0) = 1/2 (see [`Metropolis::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metropolis {
    t: f64,
    h: f64,
    thresholds: [u64; 10],
    /// Zero field only: u32 thresholds for s σ = 0, 2, 4 (a = 1/2, e^{-4/T}, e^{-8/T}).
    zero_field: Option<[u32; 3]>,
}

impl Metropolis {
    /// The kernel for temperature `t` > 0 and field `h`.
    pub fn new(t: f64, h: f64) -> Result<Metropolis> {
        spinlearn_core::check::positive("t", t)?;
        spinlearn_core::check::finite("h", h)?;
        let mut thresholds = [0u64; 10];
        for (si, s) in [-1.0f64, 1.0].into_iter().enumerate() {
            for (k, sigma) in [-4.0f64, -2.0, 0.0, 2.0, 4.0].into_iter().enumerate() {
                let de = 2.0 * s * (sigma + h);
                // A zero-cost flip is taken with probability 1/2, not 1: with 1, a whole sublattice
                // of zero-cost flips turns stripe states into each other forever (a closed 2-cycle,
                // certain on 2x2 lattices). Any a(ΔE) with a(ΔE) / a(-ΔE) = e^{-ΔE/T} keeps
                // detailed balance, and a(0) = 1/2 satisfies it.
                let p = if de == 0.0 {
                    0.5
                } else {
                    (-de / t).exp().min(1.0)
                };
                thresholds[si * 5 + k] = (p * 4_294_967_296.0).round() as u64;
            }
        }
        let zero_field = (h == 0.0).then(|| {
            let c = |x: u64| x.min(u64::from(u32::MAX)) as u32;
            // thresholds index (σ + 4)/2 + 5 for s = +1: s σ = 0, 2, 4 at 7, 8, 9.
            [c(thresholds[7]), c(thresholds[8]), c(thresholds[9])]
        });
        Ok(Metropolis {
            t,
            h,
            thresholds,
            zero_field,
        })
    }

    /// Temperature.
    pub fn t(&self) -> f64 {
        self.t
    }

    /// Field.
    pub fn h(&self) -> f64 {
        self.h
    }

    /// One sweep: sublattice 0 then sublattice 1, every site offered one flip. Row i of either
    /// sublattice draws from `rngs[i]` (`rngs.len()` == L), so the result does not depend on how
    /// rows are spread over threads. Rows run in parallel on rayon's pool when `parallel`.
    /// Returns the number of accepted flips.
    pub fn sweep(&self, cb: &mut Checkerboard, rngs: &mut [SpinRng], parallel: bool) -> u64 {
        assert_eq!(rngs.len(), cb.l, "one RNG stream per row");
        let mut acc = 0;
        for c in 0..2 {
            acc += self.half_sweep(cb, c, rngs, parallel);
        }
        acc
    }

    fn half_sweep(
        &self,
        cb: &mut Checkerboard,
        c: usize,
        rngs: &mut [SpinRng],
        parallel: bool,
    ) -> u64 {
        let (l, half) = (cb.l, cb.l / 2);
        let [c0, c1] = &mut cb.colors;
        let (mine, other): (&mut Vec<i8>, &Vec<i8>) = if c == 0 { (c0, c1) } else { (c1, c0) };
        let thr = &self.thresholds;
        let zf = self.zero_field;
        let work = |(i, (row, rng)): (usize, (&mut [i8], &mut SpinRng))| -> u64 {
            let up = &other[((i + l - 1) % l) * half..][..half];
            let down = &other[((i + 1) % l) * half..][..half];
            let mid = &other[i * half..][..half];
            let odd = (i + c) & 1 == 1;
            match zf {
                Some(z) if half >= 2 => update_row_zero_field(row, up, down, mid, odd, &z, rng),
                _ => update_row(row, up, down, mid, odd, thr, rng),
            }
        };
        if parallel {
            mine.par_chunks_mut(half)
                .zip(rngs.par_iter_mut())
                .enumerate()
                .with_min_len(4)
                .map(work)
                .sum()
        } else {
            mine.chunks_mut(half)
                .zip(rngs.iter_mut())
                .enumerate()
                .map(work)
                .sum()
        }
    }
}

/// Updates one row of a sublattice. `odd`: the row's sites sit at odd columns, so the second
/// horizontal neighbour of entry k is k + 1 (else k - 1), wrapping at the ends. One 64-bit draw
/// serves two sites (its low and high 32 bits).
#[inline]
fn update_row(
    row: &mut [i8],
    up: &[i8],
    down: &[i8],
    mid: &[i8],
    odd: bool,
    thr: &[u64; 10],
    rng: &mut SpinRng,
) -> u64 {
    let half = row.len();
    let (up, down, mid) = (&up[..half], &down[..half], &mid[..half]);
    let mut accepted = 0u64;
    let mut site = |k: usize, side: usize, r: u64| {
        let sigma = up[k] + down[k] + mid[k] + mid[side];
        let s = row[k];
        let idx = ((sigma + 4) >> 1) as usize + if s > 0 { 5 } else { 0 };
        let flip = r < thr[idx];
        row[k] = if flip { -s } else { s };
        accepted += u64::from(flip);
    };
    let mut k = 0;
    while k + 1 < half {
        let bits = rng.next_u64();
        let (r0, r1) = (bits & 0xFFFF_FFFF, bits >> 32);
        if odd {
            site(k, k + 1, r0);
            site(k + 1, if k + 2 == half { 0 } else { k + 2 }, r1);
        } else {
            site(k, if k == 0 { half - 1 } else { k - 1 }, r0);
            site(k + 1, k, r1);
        }
        k += 2;
    }
    if k < half {
        let r = rng.next_u64() & 0xFFFF_FFFF;
        site(k, side_index(k, half, odd), r);
    }
    accepted
}

/// [`update_row`] for h = 0, written so the compiler can vectorize it: random numbers are drawn
/// into a buffer first (two 32-bit draws per 64-bit output, in site order), the horizontal
/// neighbour is a shifted slice, and the acceptance is a select on s σ instead of a table lookup.
/// Needs half >= 2.
#[inline]
fn update_row_zero_field(
    row: &mut [i8],
    up: &[i8],
    down: &[i8],
    mid: &[i8],
    odd: bool,
    thr: &[u32; 3],
    rng: &mut SpinRng,
) -> u64 {
    const CHUNK: usize = 128;
    let half = row.len();
    let (up, down, mid) = (&up[..half], &down[..half], &mid[..half]);
    let [t0, t2, t4] = *thr;
    let mut accepted = 0u32;
    let mut buf = [0u32; CHUNK];
    // Interior sites [lo, hi) have their second horizontal neighbour at k + 1 (odd) or k - 1.
    let (lo, hi, boundary, boundary_side) = if odd {
        (0, half - 1, half - 1, 0)
    } else {
        (1, half, 0, half - 1)
    };
    let mut a = lo;
    while a < hi {
        let b = (a + CHUNK).min(hi);
        let n = b - a;
        for pair in buf[..n].chunks_mut(2) {
            let bits = rng.next_u64();
            pair[0] = bits as u32;
            if let Some(x) = pair.get_mut(1) {
                *x = (bits >> 32) as u32;
            }
        }
        let side = if odd {
            &mid[a + 1..b + 1]
        } else {
            &mid[a - 1..b - 1]
        };
        for (((((s, &u), &d), &m), &sd), &r) in row[a..b]
            .iter_mut()
            .zip(&up[a..b])
            .zip(&down[a..b])
            .zip(&mid[a..b])
            .zip(side)
            .zip(&buf[..n])
        {
            let ss = *s * (u + d + m + sd);
            let t = if ss >= 4 {
                t4
            } else if ss >= 2 {
                t2
            } else {
                t0
            };
            let flip = ss < 0 || r < t;
            *s = if flip { -*s } else { *s };
            accepted += u32::from(flip);
        }
        a = b;
    }
    let r = rng.next_u64() as u32;
    let k = boundary;
    let s = row[k];
    let ss = s * (up[k] + down[k] + mid[k] + mid[boundary_side]);
    let t = if ss >= 4 {
        t4
    } else if ss >= 2 {
        t2
    } else {
        t0
    };
    if ss < 0 || r < t {
        row[k] = -s;
        accepted += 1;
    }
    u64::from(accepted)
}

/// The Wolff single-cluster kernel (zero field): grow a cluster of aligned spins from a random seed
/// site, adding each aligned neighbour with probability p = 1 - exp(-2 / T), then flip it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Wolff {
    t: f64,
    threshold: u64,
    #[serde(skip)]
    stack: Vec<u32>,
}

impl Wolff {
    /// The kernel for temperature `t` > 0 (the field must be zero for Wolff updates).
    pub fn new(t: f64) -> Result<Wolff> {
        spinlearn_core::check::positive("t", t)?;
        let p = -(-2.0 / t).exp_m1();
        let threshold = if p >= 1.0 {
            u64::MAX
        } else {
            (p * 18_446_744_073_709_551_616.0) as u64
        };
        Ok(Wolff {
            t,
            threshold,
            stack: Vec::new(),
        })
    }

    /// Temperature.
    pub fn t(&self) -> f64 {
        self.t
    }

    /// Grows and flips one cluster; returns its size.
    pub fn step<R: Rng + ?Sized>(&mut self, lat: &mut Lattice, rng: &mut R) -> usize {
        let l = lat.l;
        let n = l * l;
        let seed = rng.random_range(0..n);
        let s0 = lat.spins[seed];
        // A flipped spin no longer equals s0, so flipping on insertion doubles as the visited mark.
        lat.spins[seed] = -s0;
        self.stack.clear();
        self.stack.push(seed as u32);
        let mut size = 1;
        while let Some(x) = self.stack.pop() {
            let x = x as usize;
            let (i, j) = (x / l, x % l);
            let nbrs = [
                if i == 0 { x + n - l } else { x - l },
                if i + 1 == l { x + l - n } else { x + l },
                if j == 0 { x + l - 1 } else { x - 1 },
                if j + 1 == l { x + 1 - l } else { x + 1 },
            ];
            for y in nbrs {
                if lat.spins[y] == s0 && rng.next_u64() < self.threshold {
                    lat.spins[y] = -s0;
                    self.stack.push(y as u32);
                    size += 1;
                }
            }
        }
        size
    }
}

/// Thermodynamics of a small lattice by exact enumeration of all 2^N states.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ExactThermo {
    /// Side length.
    pub l: usize,
    /// Temperature.
    pub t: f64,
    /// Field.
    pub h: f64,
    /// ln Z.
    pub log_z: f64,
    /// ⟨E⟩ / N.
    pub energy: f64,
    /// ⟨|M|⟩ / N.
    pub abs_magnetization: f64,
    /// ⟨(M/N)^2⟩.
    pub m2: f64,
    /// ⟨(M/N)^4⟩.
    pub m4: f64,
    /// Specific heat per spin, (⟨E^2⟩ - ⟨E⟩^2) / (N T^2).
    pub specific_heat: f64,
    /// N (⟨m^2⟩ - ⟨|m|⟩^2) / T, the finite-lattice susceptibility from |m|.
    pub susceptibility: f64,
    /// Binder cumulant 1 - ⟨m^4⟩ / (3 ⟨m^2⟩^2).
    pub binder: f64,
}

/// Boltzmann probabilities of all 2^N configurations of an L x L lattice, indexed by
/// [`Lattice::code`]. N = L^2 <= 20.
pub fn exact_distribution(l: usize, t: f64, h: f64) -> Result<Vec<f64>> {
    let (energies, _) = enumerate(l, h)?;
    spinlearn_core::check::positive("t", t)?;
    let logw: Vec<f64> = energies.iter().map(|e| -e / t).collect();
    let log_z = spinlearn_core::numerics::log_sum_exp(&logw);
    Ok(logw.iter().map(|w| (w - log_z).exp()).collect())
}

/// Energies and magnetization sums of all configurations (by code).
fn enumerate(l: usize, h: f64) -> Result<(Vec<f64>, Vec<i64>)> {
    check_l(l)?;
    if l * l > 20 {
        return Err(invalid(
            "l",
            format!("exact enumeration needs L^2 <= 20, got L = {l}"),
        ));
    }
    let mut es = Vec::with_capacity(1 << (l * l));
    let mut ms = Vec::with_capacity(1 << (l * l));
    for code in 0..(1u64 << (l * l)) {
        let lat = Lattice::from_code(l, code)?;
        es.push(lat.energy(h));
        ms.push(lat.magnetization_sum());
    }
    Ok((es, ms))
}

/// Exact thermodynamics of an L x L periodic lattice (N = L^2 <= 20) by enumeration, in log space.
pub fn exact_thermo(l: usize, t: f64, h: f64) -> Result<ExactThermo> {
    spinlearn_core::check::positive("t", t)?;
    spinlearn_core::check::finite("h", h)?;
    let (es, ms) = enumerate(l, h)?;
    let n = (l * l) as f64;
    let logw: Vec<f64> = es.iter().map(|e| -e / t).collect();
    let log_z = spinlearn_core::numerics::log_sum_exp(&logw);
    let (mut e1, mut e2, mut am, mut m2, mut m4) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for ((w, e), m) in logw.iter().zip(&es).zip(&ms) {
        let p = (w - log_z).exp();
        let mm = *m as f64 / n;
        e1 += p * e;
        e2 += p * e * e;
        am += p * mm.abs();
        m2 += p * mm * mm;
        m4 += p * mm.powi(4);
    }
    Ok(ExactThermo {
        l,
        t,
        h,
        log_z,
        energy: e1 / n,
        abs_magnetization: am,
        m2,
        m4,
        specific_heat: (e2 - e1 * e1) / (n * t * t),
        susceptibility: n * (m2 - am * am) / t,
        binder: 1.0 - m4 / (3.0 * m2 * m2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use spinlearn_core::Seed;

    #[test]
    fn checkerboard_round_trip_and_sums_agree() {
        let mut rng = Seed(3).stream(0);
        for l in [2, 4, 6, 10] {
            let lat = Lattice::random(l, &mut rng).unwrap();
            let cb = Checkerboard::from_lattice(&lat).unwrap();
            assert_eq!(cb.to_lattice(), lat);
            assert_eq!(cb.bond_sum(), lat.bond_sum(), "L = {l}");
            assert_eq!(cb.magnetization_sum(), lat.magnetization_sum());
        }
        assert!(Checkerboard::from_lattice(&Lattice::cold(3).unwrap()).is_err());
        assert_eq!(Lattice::cold(4).unwrap().energy(0.0), -32.0);
    }

    #[test]
    fn codes_round_trip() {
        let lat = Lattice::from_code(3, 0b101_100_011).unwrap();
        assert_eq!(lat.code(), 0b101_100_011);
        assert_eq!(lat.spins()[0], 1);
        assert_eq!(lat.spins()[2], -1);
    }

    #[test]
    fn two_by_two_partition_function_closed_form() {
        // 2x2 periodic, 8 bond terms: all aligned E = -8 (2 states), one spin or one row/column
        // flipped E = 0 (8 + 4 states), checkerboard E = +8 (2 states).
        let t: f64 = 1.7;
        let b = 1.0 / t;
        let z = 2.0 * (8.0 * b).exp() + 12.0 + 2.0 * (-8.0 * b).exp();
        let ex = exact_thermo(2, t, 0.0).unwrap();
        assert!((ex.log_z - z.ln()).abs() < 1e-12);
    }

    #[test]
    fn parallel_and_serial_sweeps_agree() {
        let lat = Lattice::random(16, &mut Seed(1).stream(99)).unwrap();
        let k = Metropolis::new(2.3, 0.0).unwrap();
        let mut a = Checkerboard::from_lattice(&lat).unwrap();
        let mut b = a.clone();
        let mut ra = Seed(5).streams(16);
        let mut rb = Seed(5).streams(16);
        for _ in 0..5 {
            k.sweep(&mut a, &mut ra, true);
            k.sweep(&mut b, &mut rb, false);
        }
        assert_eq!(a, b);
    }
}
