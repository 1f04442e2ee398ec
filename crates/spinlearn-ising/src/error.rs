//! The crate's error type.

/// Errors raised by spinlearn-ising.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IsingError {
    /// A parameter is out of range (the message names it).
    #[error(transparent)]
    Core(#[from] spinlearn_core::Error),
    /// A request that the chosen method cannot serve (e.g. Wolff clusters in a nonzero field).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// An iterative solver did not meet its tolerance.
    #[error("{what} did not converge after {iterations} iterations (residual {residual:.3e})")]
    NonConvergence {
        /// Which solver.
        what: String,
        /// Iterations performed.
        iterations: usize,
        /// The last residual or error estimate.
        residual: f64,
    },
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

/// Shorthand for an invalid-parameter error.
pub(crate) fn invalid(name: &str, reason: impl Into<String>) -> IsingError {
    IsingError::Core(spinlearn_core::Error::invalid(name, reason))
}
