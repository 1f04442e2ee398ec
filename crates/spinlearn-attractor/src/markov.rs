//! Binary Markov synapses and signal-to-noise ratios (Fig. 4, eqs. 12-14 and 39-41), and the
//! noise robustness of eq. (15).
//!
//! A balanced two-state synapse w ∈ {−1, +1} moves to the state the rule asks for with probability
//! q at each presentation. After a potentiation, P(w = +1) − ½ = q/2 and every later (random)
//! presentation multiplies this excess by (1 − q), so ⟨w^ideal w(t)⟩ = q (1 − q)^t and, with the
//! denominator √(cN) of eq. (39)-(40), SNR(t) = √(cN) q (1 − q)^t (t presentations after it). The
//! double-well SNR is [`crate::theory::Theory::snr`].

/// SNR of the two-state Markov synapse, t = 0..=t_max.
pub fn markov_snr(q: f64, cn: f64, t_max: usize) -> Vec<f64> {
    (0..=t_max)
        .map(|t| cn.sqrt() * q * (1.0 - q).powi(t as i32))
        .collect()
}

/// The envelope of all two-state curves (Lahiri and Ganguli's bound restricted to two states):
/// max over q of √(cN) q (1 − q)^t = √(cN) t^t / (t + 1)^{t+1}, reached at q = 1/(t + 1).
pub fn two_state_envelope(cn: f64, t_max: usize) -> Vec<f64> {
    (0..=t_max)
        .map(|t| {
            let t = t as f64;
            // t ln t − (t + 1) ln(t + 1), with 0 ln 0 = 0.
            let l = if t > 0.0 { t * t.ln() } else { 0.0 } - (t + 1.0) * (t + 1.0).ln();
            cn.sqrt() * l.exp()
        })
        .collect()
}

/// The last t at which `snr` is at or above `critical` among the leading run (the capacity read
/// off an SNR curve, Fig. 4B); `None` if already below at t = 0.
pub fn snr_capacity(snr: &[f64], critical: f64) -> Option<usize> {
    let lead = snr.iter().take_while(|&&s| s >= critical).count();
    lead.checked_sub(1)
}

/// The critical SNR of eq. (13)-(14) for binary weights ±1 (f = 1/2, θ = 0, extremely diluted):
/// a parallel sweep from a state of overlap m with the stored pattern gives fields of mean
/// cN·s·m/2 and variance cN/2 (s = SNR/√(cN)), hence the overlap map m' = erf(SNR·m/2). Its
/// fixed point reaches m* = `threshold` when SNR = 2 erf⁻¹(m*)/m* (1.9077 at m* = 1/2; the
/// fixed point leaves 0 at SNR = √π). `threshold` must lie in (0, 1).
pub fn critical_snr(threshold: f64) -> f64 {
    // erf⁻¹ by bisection on erf (monotone), to machine precision.
    let (mut lo, mut hi) = (0.0f64, 6.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if libm::erf(mid) < threshold {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    2.0 * 0.5 * (lo + hi) / threshold
}

/// The capacity read off an SNR curve as the paper's Fig. 4 does: the number of ages t whose SNR
/// is at or above `critical` (the retrievable patterns, which for a curve that crosses once is the
/// crossing age + 1). Unlike [`snr_capacity`] it does not stop at a first dip, so a curve that
/// starts below the line and rises above it (binarized double-well weights) counts the ages above.
pub fn snr_count(snr: &[f64], critical: f64) -> usize {
    snr.iter().filter(|&&s| s >= critical).count()
}

/// Robustness of eq. (15), R = |dp/dr̃3|⁻¹ with r̃3 = r3/Ω (Ω the RMS of g_∞, eq. 23): the slope is
/// the least-squares slope of p against r̃3 over the given noise levels. `None` with fewer than two
/// points or a zero slope.
pub fn robustness(r3: &[f64], capacity: &[f64], omega: f64) -> Option<f64> {
    let x: Vec<f64> = r3.iter().map(|r| r / omega).collect();
    let slope = spinlearn_core::stats::linear_fit(&x, capacity)?.slope;
    if slope == 0.0 {
        None
    } else {
        Some(1.0 / slope.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markov_snr_matches_enumeration() {
        // Exact enumeration of the two-state chain: p+ after potentiation, then random inputs.
        let q = 0.3;
        let mut p_plus = 0.5 + q * 0.5; // from the stationary 1/2
        let snr = markov_snr(q, 100.0, 6);
        for (t, &s) in snr.iter().enumerate() {
            assert!((s - 10.0 * (2.0 * p_plus - 1.0)).abs() < 1e-12, "t = {t}");
            // Next presentation: potentiation or depression with probability 1/2.
            p_plus = 0.5 * (p_plus + (1.0 - p_plus) * q) + 0.5 * (p_plus * (1.0 - q));
        }
    }

    #[test]
    fn envelope_bounds_every_q() {
        let env = two_state_envelope(1.0, 50);
        for &q in &[0.01, 0.05, 0.1, 0.3, 0.9] {
            for (a, b) in markov_snr(q, 1.0, 50).iter().zip(&env) {
                assert!(a <= &(b + 1e-12));
            }
        }
        assert!((env[9] - markov_snr(0.1, 1.0, 9)[9]).abs() < 1e-12);
        assert_eq!(snr_capacity(&[3.0, 2.0, 1.0], 1.5), Some(1));
        assert_eq!(snr_capacity(&[1.0], 1.5), None);
        let r = robustness(&[0.0, 0.5, 1.0], &[10.0, 8.0, 6.0], 2.0).unwrap();
        // p falls by 4 while r̃3 = r3/Ω rises by 0.5: slope −8, R = 1/8.
        assert!((r - 0.125).abs() < 1e-12);
    }

    #[test]
    fn critical_snr_is_the_threshold_fixed_point() {
        // erf⁻¹(1/2) = 0.4769362762044699 (tables): 2·0.47694/0.5.
        assert!((critical_snr(0.5) - 1.907_745_104_817_879_6).abs() < 1e-12);
        for &m in &[0.2, 0.5, 0.9] {
            let s = critical_snr(m);
            assert!((libm::erf(s * m / 2.0) - m).abs() < 1e-12);
        }
        // The fixed point leaves 0 at √π: the critical SNR tends to it as m* → 0.
        assert!((critical_snr(1e-6) - std::f64::consts::PI.sqrt()).abs() < 1e-6);
        assert_eq!(snr_count(&[1.0, 2.0, 3.0, 1.5, 2.5, 0.5], 2.0), 3);
        assert_eq!(snr_capacity(&[1.0, 2.0, 3.0], 2.0), None);
    }
}
