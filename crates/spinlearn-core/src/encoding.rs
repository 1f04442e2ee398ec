//! Spin (±1) and bit (0/1) encodings of binary units and exact conversions between them.
//!
//! A bit b and a spin s of the same unit are related by s = 2b - 1, b = (s + 1) / 2. An energy
//! written in bits, E = -b'Wc - a'b - d'c, becomes in spins (with b = (s+1)/2, c = (t+1)/2)
//! E = -s'(W/4)t - (a/2 + W 1/4)'s - (d/2 + W'1/4)'t + const: [`bits_to_spins_params`] does that.

use serde::{Deserialize, Serialize};

/// The value set of a layer of binary units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Units {
    /// Spins, values in {-1, +1}.
    Spin,
    /// Bits, values in {0, 1}.
    Bit,
}

impl Units {
    /// The two values, low then high: `[-1, 1]` or `[0, 1]`.
    pub fn values(self) -> [f64; 2] {
        match self {
            Units::Spin => [-1.0, 1.0],
            Units::Bit => [0.0, 1.0],
        }
    }

    /// The low value (-1 or 0).
    pub fn low(self) -> f64 {
        self.values()[0]
    }

    /// Encodes a boolean (true = high).
    #[inline]
    pub fn from_bool(self, on: bool) -> f64 {
        match (self, on) {
            (_, true) => 1.0,
            (Units::Spin, false) => -1.0,
            (Units::Bit, false) => 0.0,
        }
    }

    /// Mean of a unit with input field `x` (energy -x·u): tanh(x) for spins, logistic(x) for bits.
    #[inline]
    pub fn mean(self, x: f64) -> f64 {
        match self {
            Units::Spin => x.tanh(),
            Units::Bit => crate::numerics::logistic(x),
        }
    }

    /// log Σ_u exp(x u) over the unit's two values: log(2 cosh x) or softplus(x).
    #[inline]
    pub fn log_partition(self, x: f64) -> f64 {
        match self {
            Units::Spin => crate::numerics::log_2cosh(x),
            Units::Bit => crate::numerics::softplus(x),
        }
    }

    /// Probability that the unit is high given field `x`: logistic(2x) for spins, logistic(x) for bits.
    #[inline]
    pub fn p_high(self, x: f64) -> f64 {
        match self {
            Units::Spin => crate::numerics::logistic(2.0 * x),
            Units::Bit => crate::numerics::logistic(x),
        }
    }

    /// Parses `"spin"`/`"spins"`/`"pm1"` or `"bit"`/`"bits"`/`"01"`.
    pub fn parse(name: &str) -> Option<Units> {
        match name.to_ascii_lowercase().as_str() {
            "spin" | "spins" | "pm1" | "ising" => Some(Units::Spin),
            "bit" | "bits" | "01" | "binary" => Some(Units::Bit),
            _ => None,
        }
    }

    /// The canonical name, `"spin"` or `"bit"`.
    pub fn name(self) -> &'static str {
        match self {
            Units::Spin => "spin",
            Units::Bit => "bit",
        }
    }
}

impl std::fmt::Display for Units {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Bit to spin: s = 2b - 1.
#[inline]
pub fn bit_to_spin(b: f64) -> f64 {
    2.0 * b - 1.0
}

/// Spin to bit: b = (s + 1) / 2.
#[inline]
pub fn spin_to_bit(s: f64) -> f64 {
    0.5 * (s + 1.0)
}

/// Converts the parameters of a bit RBM, E(b, c) = -b'Wc - a'b - d'c with `w` row-major
/// `(n_visible, n_hidden)`, into the spin RBM with the same distribution over configurations,
/// E(s, t) = -s'W_s t - a_s's - d_s't. Returns `(w_s, a_s, d_s, c)` with E_bit = E_spin + c on
/// every configuration, hence log Z_bit = log Z_spin - c.
pub fn bits_to_spins_params(
    w: &[f64],
    a: &[f64],
    d: &[f64],
) -> (Vec<f64>, Vec<f64>, Vec<f64>, f64) {
    let (nv, nh) = (a.len(), d.len());
    assert_eq!(w.len(), nv * nh, "weights must be (n_visible, n_hidden)");
    let ws: Vec<f64> = w.iter().map(|x| x / 4.0).collect();
    let mut a_s: Vec<f64> = a.iter().map(|x| x / 2.0).collect();
    let mut d_s: Vec<f64> = d.iter().map(|x| x / 2.0).collect();
    let mut c = 0.0;
    for i in 0..nv {
        for j in 0..nh {
            let wij = w[i * nh + j];
            a_s[i] += wij / 4.0;
            d_s[j] += wij / 4.0;
            c += wij / 4.0;
        }
    }
    c += a.iter().sum::<f64>() / 2.0 + d.iter().sum::<f64>() / 2.0;
    (ws, a_s, d_s, -c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_are_exact_inverses() {
        for b in [0.0, 1.0] {
            assert_eq!(spin_to_bit(bit_to_spin(b)), b);
        }
        for s in [-1.0, 1.0] {
            assert_eq!(bit_to_spin(spin_to_bit(s)), s);
        }
        assert_eq!(Units::parse("Spins"), Some(Units::Spin));
        assert_eq!(Units::parse("01"), Some(Units::Bit));
        assert_eq!(Units::parse("ternary"), None);
    }

    #[test]
    fn bit_and_spin_energies_agree_on_every_configuration() {
        let (nv, nh) = (3, 2);
        let w = [0.3, -1.2, 0.7, 0.1, -0.4, 2.0];
        let a = [0.5, -0.25, 1.0];
        let d = [-0.3, 0.8];
        let (ws, a_s, d_s, c) = bits_to_spins_params(&w, &a, &d);
        for vb in 0..(1 << nv) {
            for hb in 0..(1 << nh) {
                let b: Vec<f64> = (0..nv).map(|i| ((vb >> i) & 1) as f64).collect();
                let h: Vec<f64> = (0..nh).map(|j| ((hb >> j) & 1) as f64).collect();
                let s: Vec<f64> = b.iter().map(|&x| bit_to_spin(x)).collect();
                let t: Vec<f64> = h.iter().map(|&x| bit_to_spin(x)).collect();
                let mut e_bit = 0.0;
                let mut e_spin = 0.0;
                for i in 0..nv {
                    e_bit -= a[i] * b[i];
                    e_spin -= a_s[i] * s[i];
                    for j in 0..nh {
                        e_bit -= b[i] * w[i * nh + j] * h[j];
                        e_spin -= s[i] * ws[i * nh + j] * t[j];
                    }
                }
                for j in 0..nh {
                    e_bit -= d[j] * h[j];
                    e_spin -= d_s[j] * t[j];
                }
                assert!((e_bit - (e_spin + c)).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn unit_means_match_enumeration() {
        for units in [Units::Spin, Units::Bit] {
            for x in [-3.0, -0.2, 0.0, 1.7] {
                let [lo, hi] = units.values();
                let z = (x * lo).exp() + (x * hi).exp();
                let mean = (lo * (x * lo).exp() + hi * (x * hi).exp()) / z;
                assert!((units.mean(x) - mean).abs() < 1e-12);
                assert!((units.log_partition(x) - z.ln()).abs() < 1e-12);
                assert!((units.p_high(x) - (x * hi).exp() / z).abs() < 1e-12);
            }
        }
    }
}
