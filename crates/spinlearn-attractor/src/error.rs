//! The error type of spinlearn-attractor.

/// Errors of the attractor crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttractorError {
    /// A parameter check or core helper failed.
    #[error(transparent)]
    Core(#[from] spinlearn_core::Error),
    /// A parameter is out of range (named, with the reason).
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An iterative computation (stationary density, overlap map) did not converge.
    #[error("{what} did not converge after {iterations} iterations (residual {residual:.3e})")]
    NonConvergence {
        /// Which computation.
        what: String,
        /// Iterations performed.
        iterations: usize,
        /// The last residual.
        residual: f64,
    },
    /// The network would not fit in memory (more than u32::MAX neurons or too many synapses).
    #[error("network too large: {0}")]
    TooLarge(String),
}

/// Result alias with [`AttractorError`].
pub type Result<T, E = AttractorError> = std::result::Result<T, E>;

impl AttractorError {
    /// Shorthand for [`AttractorError::InvalidParameter`].
    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> Self {
        AttractorError::InvalidParameter {
            name: name.into(),
            reason: reason.into(),
        }
    }
}
