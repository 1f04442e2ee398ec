//! Brute-force references shared by the cross-checks.
#![allow(dead_code, clippy::needless_range_loop)]

use ndarray::{Array1, Array2};
use rand::RngExt;
use spinlearn_core::{Seed, Units};
use spinlearn_rbm::{Rbm, UnitsSpec};

/// Energy written out with explicit loops, independent of the library's matrix code.
pub fn energy(rbm: &Rbm, v: &[f64], h: &[f64]) -> f64 {
    let mut e = 0.0;
    for i in 0..v.len() {
        e -= rbm.visible_bias[i] * v[i];
        for j in 0..h.len() {
            e -= v[i] * rbm.weights[[i, j]] * h[j];
        }
    }
    for j in 0..h.len() {
        e -= rbm.hidden_bias[j] * h[j];
    }
    e
}

/// All configurations of `n` units.
pub fn configs(n: usize, units: Units) -> Vec<Vec<f64>> {
    let [lo, hi] = units.values();
    (0..1u64 << n)
        .map(|s| {
            (0..n)
                .map(|i| if (s >> i) & 1 == 1 { hi } else { lo })
                .collect()
        })
        .collect()
}

/// log Z by summing exp(-E) over both layers.
pub fn brute_log_z(rbm: &Rbm) -> f64 {
    let mut terms = Vec::new();
    for v in configs(rbm.n_visible(), rbm.units.visible) {
        for h in configs(rbm.n_hidden(), rbm.units.hidden) {
            terms.push(-energy(rbm, &v, &h));
        }
    }
    spinlearn_core::numerics::log_sum_exp(&terms)
}

/// A random model with Gaussian weights (and biases when asked).
pub fn random_rbm(nv: usize, nh: usize, units: UnitsSpec, std: f64, seed: u64) -> Rbm {
    let mut rng = Seed(seed).stream(0);
    let mut r = Rbm::random(nv, nh, units, std, &mut rng);
    if units.biases {
        r.visible_bias = Array1::from_shape_fn(nv, |_| rng.random_range(-1.0..1.0));
        r.hidden_bias = Array1::from_shape_fn(nh, |_| rng.random_range(-1.0..1.0));
    }
    r
}

/// A few data rows in the visible units' values.
pub fn random_data(n: usize, nv: usize, units: Units, seed: u64) -> Array2<f64> {
    let mut rng = Seed(seed).stream(1);
    let [lo, hi] = units.values();
    Array2::from_shape_fn((n, nv), |_| if rng.random_bool(0.5) { hi } else { lo })
}

/// The 4x4 Bars images (vertical bars, every column pattern except all-off and all-on: 14),
/// in the given units.
pub fn bars4(units: Units) -> Array2<f64> {
    let [lo, hi] = units.values();
    let rows: Vec<u32> = (1..15).collect();
    Array2::from_shape_fn((rows.len(), 16), |(r, p)| {
        let col = p % 4;
        if (rows[r] >> col) & 1 == 1 { hi } else { lo }
    })
}

pub fn all_units() -> Vec<UnitsSpec> {
    let mut out = Vec::new();
    for visible in [Units::Spin, Units::Bit] {
        for hidden in [Units::Spin, Units::Bit] {
            for biases in [false, true] {
                out.push(UnitsSpec {
                    visible,
                    hidden,
                    biases,
                });
            }
        }
    }
    out
}
