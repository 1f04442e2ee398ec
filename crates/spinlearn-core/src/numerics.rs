//! Numerics in log space: log-sum-exp, stable log cosh, logistic and softplus.
//!
//! Every function here is finite for every finite input (no exp overflow decides a result).

use std::f64::consts::LN_2;

/// log(exp(a) + exp(b)) without overflow. `-inf` inputs are allowed.
#[inline]
pub fn log_add_exp(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let m = a.max(b);
    m + (-(a - b).abs()).exp().ln_1p()
}

/// log Σ exp(x_i); `-inf` for an empty slice. NaN in, NaN out.
pub fn log_sum_exp(xs: &[f64]) -> f64 {
    let m = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY || !m.is_finite() {
        return if xs.iter().any(|x| x.is_nan()) {
            f64::NAN
        } else {
            m
        };
    }
    m + xs.iter().map(|&x| (x - m).exp()).sum::<f64>().ln()
}

/// log of the mean of exp(x_i) (the AIS estimator's form).
pub fn log_mean_exp(xs: &[f64]) -> f64 {
    log_sum_exp(xs) - (xs.len() as f64).ln()
}

/// Streaming log-sum-exp accumulator: numerically the same as [`log_sum_exp`] over all pushed values.
#[derive(Debug, Clone, Copy)]
pub struct LogSumExp {
    max: f64,
    sum: f64,
}

impl Default for LogSumExp {
    fn default() -> Self {
        LogSumExp {
            max: f64::NEG_INFINITY,
            sum: 0.0,
        }
    }
}

impl LogSumExp {
    /// An empty accumulator (its value is `-inf`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds exp(x).
    #[inline]
    pub fn push(&mut self, x: f64) {
        if x <= self.max {
            self.sum += (x - self.max).exp();
        } else {
            self.sum = self.sum * (self.max - x).exp() + 1.0;
            self.max = x;
        }
    }

    /// Merges another accumulator.
    pub fn merge(&mut self, other: LogSumExp) {
        if other.max == f64::NEG_INFINITY {
            return;
        }
        if other.max <= self.max {
            self.sum += other.sum * (other.max - self.max).exp();
        } else {
            self.sum = self.sum * (self.max - other.max).exp() + other.sum;
            self.max = other.max;
        }
    }

    /// log Σ exp(x) over everything pushed.
    pub fn value(&self) -> f64 {
        if self.max == f64::NEG_INFINITY {
            f64::NEG_INFINITY
        } else {
            self.max + self.sum.ln()
        }
    }
}

/// log(2 cosh x) = |x| + log1p(exp(-2|x|)), exact to rounding for every finite x.
#[inline]
pub fn log_2cosh(x: f64) -> f64 {
    let a = x.abs();
    a + (-2.0 * a).exp().ln_1p()
}

/// log cosh x, stable for large |x|.
#[inline]
pub fn log_cosh(x: f64) -> f64 {
    log_2cosh(x) - LN_2
}

/// Logistic sigmoid 1 / (1 + exp(-x)), stable on both tails.
#[inline]
pub fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// f32 logistic for training loops.
#[inline]
pub fn logistic_f32(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// softplus(x) = log(1 + exp(x)), stable on both tails.
#[inline]
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// log logistic(x) = -softplus(-x).
#[inline]
pub fn log_logistic(x: f64) -> f64 {
    -softplus(-x)
}

/// atanh(x) clamped so that |x| -> 1 gives a large finite value instead of infinity.
#[inline]
pub fn atanh_clamped(x: f64) -> f64 {
    const LIM: f64 = 1.0 - 1e-15;
    x.clamp(-LIM, LIM).atanh()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn log_sum_exp_matches_naive_and_survives_overflow() {
        let xs = [0.1, -2.0, 3.5];
        let naive = xs.iter().map(|x: &f64| x.exp()).sum::<f64>().ln();
        assert_relative_eq!(log_sum_exp(&xs), naive, epsilon = 1e-14);
        assert_relative_eq!(
            log_sum_exp(&[1000.0, 1000.0]),
            1000.0 + LN_2,
            epsilon = 1e-12
        );
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
        assert!(log_sum_exp(&[f64::NAN, 1.0]).is_nan());
        assert_relative_eq!(log_add_exp(-1e308, 0.0), 0.0);
        assert_relative_eq!(log_mean_exp(&[2.0, 2.0]), 2.0, epsilon = 1e-14);
        let mut acc = LogSumExp::new();
        let mut acc2 = LogSumExp::new();
        for (i, &x) in [5.0, -3.0, 800.0, 2.0].iter().enumerate() {
            if i % 2 == 0 {
                acc.push(x)
            } else {
                acc2.push(x)
            }
        }
        acc.merge(acc2);
        assert_relative_eq!(
            acc.value(),
            log_sum_exp(&[5.0, -3.0, 800.0, 2.0]),
            epsilon = 1e-12
        );
    }

    #[test]
    fn stable_transcendentals() {
        for x in [-30.0f64, -1.0, 0.0, 0.5, 20.0] {
            assert_relative_eq!(log_cosh(x), x.cosh().ln(), epsilon = 1e-12);
            assert_relative_eq!(softplus(x), x.exp().ln_1p(), epsilon = 1e-12);
            assert_relative_eq!(logistic(x), 1.0 / (1.0 + (-x).exp()), epsilon = 1e-15);
            assert_relative_eq!(log_logistic(x), logistic(x).ln(), epsilon = 1e-12);
        }
        assert_relative_eq!(log_2cosh(1e4), 1e4, epsilon = 1e-9);
        assert_relative_eq!(log_cosh(-1e4), 1e4 - LN_2, epsilon = 1e-9);
        assert_relative_eq!(softplus(1e4), 1e4);
        assert!(softplus(-1e4) >= 0.0);
        assert_eq!(logistic(-1e4), 0.0);
        assert!(log_logistic(-1e4).is_finite());
        assert!(atanh_clamped(1.0).is_finite());
        assert_relative_eq!(logistic_f32(0.0), 0.5);
    }
}
