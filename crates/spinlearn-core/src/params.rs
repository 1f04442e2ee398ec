//! The one parameter contract of the workspace (linfa's param guard).
//!
//! A `XParams` struct is plain, public, serializable data: what a user writes in flags or a TOML
//! config. [`ParamGuard::check`] validates it once and returns the valid type (`XValidParams`, whose
//! fields are private and read through accessors); entry points take only the valid type, so an
//! algorithm never sees an unchecked value. Errors are [`crate::Error::InvalidParameter`] naming the
//! parameter as the user spells it (the flag or config key), e.g. `gibbs_steps`, not an internal
//! symbol such as `k`.
//!
//! Seeds are never fields of a params struct: they are passed explicitly to the entry point, so no
//! nested seed can be silently overwritten by an outer one.

use crate::error::Result;

/// Validates a params struct into its checked form.
pub trait ParamGuard {
    /// The validated params type that entry points accept.
    type Checked;

    /// Checks every field and returns the validated params, or the first invalid parameter.
    fn check(&self) -> Result<Self::Checked>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check;

    struct P {
        beta: f64,
    }
    struct ValidP {
        beta: f64,
    }
    impl ParamGuard for P {
        type Checked = ValidP;
        fn check(&self) -> Result<ValidP> {
            Ok(ValidP {
                beta: check::positive("beta", self.beta)?,
            })
        }
    }

    #[test]
    fn guard_names_the_parameter() {
        assert_eq!(P { beta: 2.0 }.check().unwrap().beta, 2.0);
        let e = P { beta: f64::NAN }.check().err().unwrap().to_string();
        assert!(e.contains("`beta`"), "{e}");
    }
}
