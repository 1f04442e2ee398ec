//! The crate's error type: the shared cases (invalid parameter, I/O, non-convergence) are
//! [`spinlearn_core::Error`] wrapped once; only what is particular to this crate is added.

/// Errors raised by spinlearn-ising.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IsingError {
    /// A shared error: an invalid parameter (the message names it as the user spells it), a solver
    /// that did not converge, or I/O.
    #[error(transparent)]
    Core(#[from] spinlearn_core::Error),
    /// A name that does not parse (activation function, algorithm).
    #[error("unknown {what} `{name}` (expected one of: {expected})")]
    UnknownName {
        /// What kind of name.
        what: &'static str,
        /// The name given.
        name: String,
        /// The accepted names.
        expected: &'static str,
    },
}

/// Result alias with [`IsingError`].
pub type Result<T, E = IsingError> = std::result::Result<T, E>;

impl IsingError {
    /// An invalid-parameter error naming the parameter as the user spells it.
    pub fn invalid(name: &str, reason: impl Into<String>) -> IsingError {
        IsingError::Core(spinlearn_core::Error::invalid(name, reason))
    }

    /// A solver that stopped before meeting its tolerance.
    pub fn non_convergence(what: &str, iterations: usize, residual: f64) -> IsingError {
        IsingError::Core(spinlearn_core::Error::NonConvergence {
            what: what.to_string(),
            iterations,
            residual,
        })
    }
}

/// Shorthand for [`IsingError::invalid`].
pub(crate) fn invalid(name: &str, reason: impl Into<String>) -> IsingError {
    IsingError::invalid(name, reason)
}
