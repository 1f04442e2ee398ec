//! One plot axis as a plotters coordinate: linear or logarithmic, optionally flipped (matrix
//! convention, row 0 at the top), with tick positions at "nice" values.
//!
//! Values handed to plotters are in axis space: the data themselves on a linear axis, `log10` of
//! the data on a log axis. Ticks on a log axis sit on decades (thinned when there are many), on
//! 1-2-5 mantissas when the range spans less than two decades, and on linear nice values when it
//! spans less than that.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use std::ops::Range;

/// An axis over `[lo, hi]` (axis space, `lo < hi`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
    pub flip: bool,
}

impl Axis {
    pub fn linear(lo: f64, hi: f64) -> Self {
        Axis {
            lo,
            hi,
            log: false,
            flip: false,
        }
    }
}

fn within(v: f64, lo: f64, hi: f64) -> bool {
    let eps = 1e-9 * (hi - lo).abs().max(1e-300);
    v >= lo - eps && v <= hi + eps
}

/// Tick positions (in log10 space) for a log axis over `[lo, hi]` (log10 space).
pub(crate) fn log_ticks(lo: f64, hi: f64, n_bold: usize, light: bool) -> Vec<f64> {
    let n_bold = n_bold.max(2);
    let (a, b) = (lo.ceil() as i64, hi.floor() as i64);
    let n_dec = b - a + 1;
    if n_dec >= 3 {
        let step = (n_dec as usize).div_ceil(n_bold).max(1) as i64;
        let mut out: Vec<f64> = (a..=b)
            .filter(|k| k.rem_euclid(step) == 0)
            .map(|k| k as f64)
            .collect();
        if light && step == 1 && n_dec <= 8 {
            for k in (a - 1)..=b {
                for m in 2..10 {
                    let v = k as f64 + f64::from(m).log10();
                    if within(v, lo, hi) {
                        out.push(v);
                    }
                }
            }
        }
        return out;
    }
    let mantissa_ticks = |ms: &[f64]| {
        let mut out = Vec::new();
        for k in (lo.floor() as i64)..=(hi.ceil() as i64) {
            for &m in ms {
                let v = k as f64 + m.log10();
                if within(v, lo, hi) {
                    out.push(v);
                }
            }
        }
        out
    };
    let bold = mantissa_ticks(&[1.0, 2.0, 5.0]);
    if bold.len() >= 3 && bold.len() <= n_bold + 1 {
        return if light {
            mantissa_ticks(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
        } else {
            bold
        };
    }
    // Less than a decade or so: nice linear values in data units.
    let lin = RangedCoordf64::from(10f64.powf(lo)..10f64.powf(hi));
    let pts: Vec<f64> = lin.key_points(if light { n_bold * 4 } else { n_bold });
    pts.into_iter()
        .filter(|v| *v > 0.0)
        .map(f64::log10)
        .collect()
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let t = (v - self.lo) / (self.hi - self.lo);
        let t = if self.flip { 1.0 - t } else { t };
        let px = f64::from(limit.0) + t * f64::from(limit.1 - limit.0);
        px.round().clamp(-1e9, 1e9) as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if self.log {
            let light =
                hint.weight().allow_light_points() && hint.max_num_points() > hint.bold_points();
            let bold = if light {
                hint.bold_points()
            } else {
                hint.max_num_points()
            };
            if bold == 0 {
                return Vec::new();
            }
            log_ticks(self.lo, self.hi, bold, light)
        } else {
            RangedCoordf64::from(self.lo..self.hi).key_points(hint)
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(t: &[f64]) -> Vec<f64> {
        t.iter()
            .map(|v| (10f64.powf(*v) * 1e6).round() / 1e6)
            .collect()
    }

    #[test]
    fn log_ticks_on_decades_and_mantissas() {
        // 1 .. 1e6 with room for 8 labels: every decade.
        assert_eq!(
            data(&log_ticks(0.0, 6.0, 8, false)),
            vec![1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6]
        );
        // 1e-10 .. 1e10 with 8 labels: every third decade at most 8 ticks.
        let t = log_ticks(-10.0, 10.0, 8, false);
        assert!(t.len() <= 8 && t.len() >= 5, "{t:?}");
        assert!(t.iter().all(|v| v.fract() == 0.0));
        // 0.5 .. 3 holds only the mantissas 1, 2: linear ticks on multiples of 0.5.
        let t = data(&log_ticks(0.5f64.log10(), 3f64.log10(), 8, false));
        assert!(t.len() >= 3, "{t:?}");
        assert!(
            t.iter().all(|v| (v * 2.0 - (v * 2.0).round()).abs() < 1e-9),
            "{t:?}"
        );
        // 0.3 .. 30 has only two decades inside: 1-2-5 ticks.
        assert_eq!(
            data(&log_ticks(0.3f64.log10(), 30f64.log10(), 8, false)),
            vec![0.5, 1.0, 2.0, 5.0, 10.0, 20.0]
        );
        // 1.1 .. 1.9: linear nice values.
        let t = data(&log_ticks(1.1f64.log10(), 1.9f64.log10(), 5, false));
        assert!(t.len() >= 2, "{t:?}");
        assert!(
            t.iter()
                .all(|v| (v * 10.0 - (v * 10.0).round()).abs() < 1e-9),
            "{t:?}"
        );
    }

    #[test]
    fn flipped_axis_maps_top_down() {
        let a = Axis {
            lo: 0.0,
            hi: 10.0,
            log: false,
            flip: true,
        };
        assert_eq!(a.map(&0.0, (0, 100)), 100);
        assert_eq!(a.map(&10.0, (0, 100)), 0);
        assert_eq!(Axis::linear(0.0, 10.0).map(&2.5, (0, 100)), 25);
    }
}
