//! Serde helpers that keep non-finite `f64` values through JSON (whose numbers cannot hold them;
//! `serde_json` writes them as `null` and cannot read that back as an `f64`): a finite value is a
//! number, NaN is `"NaN"`, the infinities `"inf"` and `"-inf"`. Reading also takes `null` as NaN.
//! With `#[serde(with = "spinlearn_core::nonfinite")]` on an `f64` field, or
//! `"spinlearn_core::nonfinite::vec"` on a `Vec<f64>`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Serialize)]
#[serde(untagged)]
enum Repr {
    Num(f64),
    Text(&'static str),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Read {
    Num(f64),
    Text(String),
    Null(()),
}

fn to_repr(x: f64) -> Repr {
    if x.is_finite() {
        Repr::Num(x)
    } else if x.is_nan() {
        Repr::Text("NaN")
    } else if x > 0.0 {
        Repr::Text("inf")
    } else {
        Repr::Text("-inf")
    }
}

fn from_repr<E: serde::de::Error>(r: Read) -> Result<f64, E> {
    match r {
        Read::Num(x) => Ok(x),
        Read::Null(()) => Ok(f64::NAN),
        Read::Text(t) if t == "NaN" => Ok(f64::NAN),
        Read::Text(t) if t == "inf" => Ok(f64::INFINITY),
        Read::Text(t) if t == "-inf" => Ok(f64::NEG_INFINITY),
        Read::Text(t) => Err(E::custom(format!(
            "`{t}` is not a number, \"NaN\", \"inf\" or \"-inf\""
        ))),
    }
}

/// Writes `x` (a number, or `"NaN"`, `"inf"`, `"-inf"`).
pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    to_repr(*x).serialize(s)
}

/// Reads a number, `"NaN"`, `"inf"`, `"-inf"` or `null` (NaN).
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    from_repr(Read::deserialize(d)?)
}

/// The same for `Vec<f64>`.
pub mod vec {
    use super::{Read, from_repr, to_repr};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes each value as [`super::serialize`] does.
    pub fn serialize<S: Serializer>(x: &[f64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(x.iter().map(|&v| to_repr(v)))
    }

    /// Reads each value as [`super::deserialize`] does.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        Vec::<Read>::deserialize(d)?
            .into_iter()
            .map(from_repr)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Serialize, Deserialize)]
    struct T {
        #[serde(with = "crate::nonfinite")]
        x: f64,
        #[serde(with = "crate::nonfinite::vec")]
        v: Vec<f64>,
    }

    #[test]
    fn non_finite_values_survive_json() {
        let t = T {
            x: f64::NAN,
            v: vec![0.1, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, -2.5e-300],
        };
        let text = serde_json::to_string(&t).unwrap();
        assert_eq!(
            text,
            r#"{"x":"NaN","v":[0.1,"inf","-inf","NaN",-2.5e-300]}"#
        );
        let back: T = serde_json::from_str(&text).unwrap();
        assert!(back.x.is_nan());
        assert_eq!(back.v[..3], t.v[..3]);
        assert!(back.v[3].is_nan());
        assert_eq!(back.v[4], -2.5e-300);
        let old: T = serde_json::from_str(r#"{"x":null,"v":[null,1]}"#).unwrap();
        assert!(old.x.is_nan() && old.v[0].is_nan() && old.v[1] == 1.0);
        let e = serde_json::from_str::<T>(r#"{"x":"nope","v":[]}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("data did not match") || e.contains("nope"),
            "{e}"
        );
    }
}
