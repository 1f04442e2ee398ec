//! The error type of spinlearn-attractor.

/// Errors of the attractor crate. Invalid parameters, I/O and non-convergence are core's
/// ([`spinlearn_core::Error`]), wrapped once.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttractorError {
    /// An invalid parameter (named as the user spells it), or an iterative computation (stationary
    /// density) that did not converge.
    #[error(transparent)]
    Core(#[from] spinlearn_core::Error),
    /// The network or the theory's grid would not fit in memory.
    #[error("too large: {0}")]
    TooLarge(String),
    /// A sweep was stopped by its observer before it finished.
    #[error("{0}: stopped before it finished")]
    Stopped(String),
}

/// Result alias with [`AttractorError`].
pub type Result<T, E = AttractorError> = std::result::Result<T, E>;

impl AttractorError {
    /// An invalid parameter: [`spinlearn_core::Error::InvalidParameter`] wrapped.
    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> Self {
        AttractorError::Core(spinlearn_core::Error::invalid(name, reason))
    }
}
