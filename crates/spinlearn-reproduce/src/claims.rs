//! Claims: each section's headline statements of its paper, as data, with a verdict computed from
//! our value, the paper's value and a comparison rule, so that a wrong verdict cannot be written by
//! hand. A claim that the run cannot decide (quick sizes, a quantity the paper does not quote as a
//! number) is `not comparable`, always with its reason.

use serde::{Deserialize, Serialize};
pub use spinlearn_plot::Verdict;

/// JSON has no NaN: a value that was not measured (NaN) is written as `null` and read back as NaN.
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f64(*x)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// A measured value: mean, spread (standard deviation over runs, 0 for one run) and number of runs.
/// A value that could not be measured is NaN (`null` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// The value (mean over runs).
    #[serde(with = "nan_as_null")]
    pub value: f64,
    /// Standard deviation over runs (0 for a single run).
    #[serde(with = "nan_as_null")]
    pub spread: f64,
    /// Number of independent runs behind the value.
    pub n_runs: usize,
}

impl Measured {
    /// One run's value.
    pub fn single(value: f64) -> Measured {
        Measured {
            value,
            spread: 0.0,
            n_runs: 1,
        }
    }

    /// Mean and population spread of `values` (non-finite values left out).
    pub fn of_runs(values: &[f64]) -> Measured {
        let f: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let (value, spread) = spinlearn_core::stats::mean_std_population(&f);
        Measured {
            value,
            spread: if f.len() > 1 { spread } else { 0.0 },
            n_runs: f.len(),
        }
    }
}

/// How our value is compared with the paper's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// `|ours - paper| <= tol` is reproduced, `<= 2 tol` partly, else not reproduced (`tol`
    /// absolute).
    Absolute {
        /// The paper's value.
        paper: f64,
        /// Tolerance.
        tol: f64,
    },
    /// `|ours - paper| <= rel |paper|` is reproduced, `<= 2 rel |paper|` partly, else not.
    Relative {
        /// The paper's value.
        paper: f64,
        /// Relative tolerance.
        rel: f64,
    },
    /// `ours >= bound` is reproduced, else not.
    AtLeast {
        /// The bound the paper's statement implies.
        bound: f64,
    },
    /// `ours <= bound` is reproduced, else not.
    AtMost {
        /// The bound the paper's statement implies.
        bound: f64,
    },
    /// Our value should exceed `other` (a second measured quantity, e.g. a baseline): reproduced
    /// when `ours - other` exceeds the combined spread, partly when it is positive but within it,
    /// not reproduced otherwise.
    Greater {
        /// The quantity ours must exceed.
        other: Measured,
    },
    /// A statement checked by the section: `holds` all of it, `partly` some of it.
    Qualitative {
        /// The full statement holds.
        holds: bool,
        /// Part of it holds (ignored when `holds`).
        partly: bool,
    },
}

impl Rule {
    /// The verdict for `ours`. A non-finite value is never reproduced.
    pub fn verdict(&self, ours: &Measured) -> Verdict {
        let v = ours.value;
        if !v.is_finite() && !matches!(self, Rule::Qualitative { .. }) {
            return Verdict::NotReproduced;
        }
        let band = |d: f64, tol: f64| {
            if d <= tol {
                Verdict::Reproduced
            } else if d <= 2.0 * tol {
                Verdict::Partly
            } else {
                Verdict::NotReproduced
            }
        };
        match *self {
            Rule::Absolute { paper, tol } => band((v - paper).abs(), tol),
            Rule::Relative { paper, rel } => band((v - paper).abs(), rel * paper.abs()),
            Rule::AtLeast { bound } => {
                if v >= bound {
                    Verdict::Reproduced
                } else {
                    Verdict::NotReproduced
                }
            }
            Rule::AtMost { bound } => {
                if v <= bound {
                    Verdict::Reproduced
                } else {
                    Verdict::NotReproduced
                }
            }
            Rule::Greater { other } => {
                let d = v - other.value;
                let spread = (ours.spread.powi(2) + other.spread.powi(2)).sqrt();
                if d > spread {
                    Verdict::Reproduced
                } else if d > 0.0 {
                    Verdict::Partly
                } else {
                    Verdict::NotReproduced
                }
            }
            Rule::Qualitative { holds, partly } => {
                if holds {
                    Verdict::Reproduced
                } else if partly {
                    Verdict::Partly
                } else {
                    Verdict::NotReproduced
                }
            }
        }
    }

    /// The rule as a short phrase for the page, e.g. `within 10 % of 0.938`.
    pub fn describe(&self) -> String {
        match self {
            Rule::Absolute { paper, tol } => format!("within ±{tol} of {paper}"),
            Rule::Relative { paper, rel } => format!("within {} % of {paper}", rel * 100.0),
            Rule::AtLeast { bound } => format!("at least {bound}"),
            Rule::AtMost { bound } => format!("at most {bound}"),
            Rule::Greater { other } => format!(
                "above {:.4} ± {:.4} ({} runs)",
                other.value, other.spread, other.n_runs
            ),
            Rule::Qualitative { .. } => "the statement holds".into(),
        }
    }
}

/// One headline claim of a paper and how this run measures up to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// Stable id within its section, e.g. `mnist.probe_test`.
    pub id: String,
    /// The section id (filled in by the report).
    #[serde(default)]
    pub section: String,
    /// What is claimed, in a few words.
    pub name: String,
    /// Our measurement.
    pub ours: Measured,
    /// The unit of `ours` (e.g. `nats per image`, `patterns`), empty for pure numbers.
    pub unit: String,
    /// The paper's value or statement, as the paper gives it (with the figure or equation).
    pub paper: String,
    /// The comparison.
    pub rule: Rule,
    /// Why the run cannot decide the claim (quick sizes, ...); the verdict is then
    /// `not comparable`.
    pub not_comparable: Option<String>,
    /// The verdict, computed by [`Claim::new`] from the above.
    pub verdict: Verdict,
    /// The cause of a deviation (a convention, a limit of the paper's approximation, quick sizes);
    /// shown beside a verdict other than `reproduced`.
    pub note: String,
    /// The figure the claim is read from (its file stem in the section directory), if any.
    pub figure: Option<String>,
}

impl Claim {
    /// A claim with its verdict computed from `ours` and `rule`.
    pub fn new(id: &str, name: &str, ours: Measured, unit: &str, paper: &str, rule: Rule) -> Claim {
        let verdict = rule.verdict(&ours);
        Claim {
            id: id.into(),
            section: String::new(),
            name: name.into(),
            ours,
            unit: unit.into(),
            paper: paper.into(),
            rule,
            not_comparable: None,
            verdict,
            note: String::new(),
            figure: None,
        }
    }

    /// Marks the claim as undecidable by this run, with the reason (e.g. quick sizes).
    pub fn not_comparable(mut self, reason: impl Into<String>) -> Claim {
        self.not_comparable = Some(reason.into());
        self.verdict = Verdict::NotComparable;
        self
    }

    /// Marks it undecidable when `cond` holds (e.g. `mode != Mode::Full`).
    pub fn not_comparable_if(self, cond: bool, reason: impl Into<String>) -> Claim {
        if cond {
            self.not_comparable(reason)
        } else {
            self
        }
    }

    /// Adds the cause of a deviation.
    pub fn with_note(mut self, note: impl Into<String>) -> Claim {
        self.note = note.into();
        self
    }

    /// Links the figure the claim is read from.
    pub fn with_figure(mut self, stem: &str) -> Claim {
        self.figure = Some(stem.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: f64) -> Measured {
        Measured::single(v)
    }

    #[test]
    fn absolute_and_relative_bands() {
        let r = Rule::Absolute {
            paper: 6.0,
            tol: 0.5,
        };
        assert_eq!(r.verdict(&m(6.4)), Verdict::Reproduced);
        assert_eq!(r.verdict(&m(6.9)), Verdict::Partly);
        assert_eq!(r.verdict(&m(4.72)), Verdict::NotReproduced);
        assert_eq!(r.verdict(&m(f64::NAN)), Verdict::NotReproduced);
        let r = Rule::Relative {
            paper: 0.938,
            rel: 0.02,
        };
        assert_eq!(r.verdict(&m(0.93)), Verdict::Reproduced);
        assert_eq!(r.verdict(&m(0.905)), Verdict::Partly);
        assert_eq!(r.verdict(&m(0.8745)), Verdict::NotReproduced);
    }

    #[test]
    fn bounds() {
        assert_eq!(
            Rule::AtLeast { bound: 2.0 }.verdict(&m(2.0)),
            Verdict::Reproduced
        );
        assert_eq!(
            Rule::AtLeast { bound: 2.0 }.verdict(&m(1.9)),
            Verdict::NotReproduced
        );
        assert_eq!(
            Rule::AtMost { bound: 543.0 }.verdict(&m(71_694.0)),
            Verdict::NotReproduced
        );
        assert_eq!(
            Rule::AtMost { bound: 543.0 }.verdict(&m(100.0)),
            Verdict::Reproduced
        );
    }

    #[test]
    fn ordering_uses_the_combined_spread() {
        let other = Measured {
            value: 0.9165,
            spread: 0.003,
            n_runs: 3,
        };
        let r = Rule::Greater { other };
        assert_eq!(r.verdict(&m(0.8745)), Verdict::NotReproduced);
        assert_eq!(r.verdict(&m(0.918)), Verdict::Partly);
        assert_eq!(r.verdict(&m(0.93)), Verdict::Reproduced);
    }

    #[test]
    fn qualitative_and_not_comparable() {
        let q = |holds, partly| Rule::Qualitative { holds, partly }.verdict(&m(f64::NAN));
        assert_eq!(q(true, false), Verdict::Reproduced);
        assert_eq!(q(false, true), Verdict::Partly);
        assert_eq!(q(false, false), Verdict::NotReproduced);
        let c = Claim::new("a", "x", m(1.0), "", "1", Rule::AtLeast { bound: 0.0 })
            .not_comparable_if(true, "quick sizes");
        assert_eq!(c.verdict, Verdict::NotComparable);
        assert_eq!(c.not_comparable.as_deref(), Some("quick sizes"));
        let c = Claim::new("a", "x", m(1.0), "", "1", Rule::AtLeast { bound: 0.0 })
            .not_comparable_if(false, "quick sizes");
        assert_eq!(c.verdict, Verdict::Reproduced);
    }

    #[test]
    fn unmeasured_values_survive_json() {
        let c = Claim::new(
            "a",
            "x",
            Measured::single(f64::NAN),
            "",
            "1",
            Rule::AtLeast { bound: 0.0 },
        );
        let text = serde_json::to_string(&c).unwrap();
        assert!(text.contains("\"value\":null"), "{text}");
        let back: Claim = serde_json::from_str(&text).unwrap();
        assert!(back.ours.value.is_nan());
        assert_eq!(back.verdict, Verdict::NotReproduced);
    }

    #[test]
    fn measured_over_runs() {
        let r = Measured::of_runs(&[1.0, 3.0, f64::NAN]);
        assert_eq!(r.n_runs, 2);
        assert_eq!(r.value, 2.0);
        assert_eq!(r.spread, 1.0);
    }
}
