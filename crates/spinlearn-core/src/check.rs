//! Parameter checks that produce one-line [`Error::InvalidParameter`] messages naming the parameter.
//! Used by the `*Params::check()` guards of every domain crate.

use crate::error::{Error, Result};

/// `value` must be finite (not NaN, not infinite).
pub fn finite(name: &str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::invalid(name, format!("must be finite, got {value}")))
    }
}

/// `value` must be finite and > 0.
pub fn positive(name: &str, value: f64) -> Result<f64> {
    finite(name, value)?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(Error::invalid(name, format!("must be > 0, got {value}")))
    }
}

/// `value` must be finite and >= 0.
pub fn non_negative(name: &str, value: f64) -> Result<f64> {
    finite(name, value)?;
    if value >= 0.0 {
        Ok(value)
    } else {
        Err(Error::invalid(name, format!("must be >= 0, got {value}")))
    }
}

/// `value` must lie in the closed interval `[lo, hi]`.
pub fn in_range(name: &str, value: f64, lo: f64, hi: f64) -> Result<f64> {
    finite(name, value)?;
    if (lo..=hi).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid(
            name,
            format!("must lie in [{lo}, {hi}], got {value}"),
        ))
    }
}

/// A count or size must be at least 1.
pub fn nonzero(name: &str, value: usize) -> Result<usize> {
    if value >= 1 {
        Ok(value)
    } else {
        Err(Error::invalid(name, "must be at least 1, got 0"))
    }
}

/// A count must be at least `min`.
pub fn at_least(name: &str, value: usize, min: usize) -> Result<usize> {
    if value >= min {
        Ok(value)
    } else {
        Err(Error::invalid(
            name,
            format!("must be at least {min}, got {value}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_parameter() {
        let e = positive("beta", -1.0).unwrap_err().to_string();
        assert_eq!(e, "invalid parameter `beta`: must be > 0, got -1");
        assert!(
            finite("lr", f64::NAN)
                .unwrap_err()
                .to_string()
                .contains("`lr`")
        );
        assert!(in_range("p", 1.5, 0.0, 1.0).is_err());
        assert_eq!(in_range("p", 1.0, 0.0, 1.0).unwrap(), 1.0);
        assert!(nonzero("n", 0).is_err());
        assert!(at_least("n", 2, 3).is_err());
        assert!(non_negative("x", 0.0).is_ok());
    }
}
