//! The crate's error type.

/// Errors raised by spinlearn-relevance.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelevanceError {
    /// A parameter is out of range (wraps the core's one-line message).
    #[error(transparent)]
    Core(#[from] spinlearn_core::Error),
    /// The input data cannot be used (empty, wrong shape, too few distinct values).
    #[error("invalid input: {0}")]
    Input(String),
    /// An iterative solver stopped before meeting its tolerance.
    #[error("{what} did not converge after {iterations} iterations")]
    NonConvergence {
        /// Which solver.
        what: String,
        /// Iterations performed.
        iterations: usize,
    },
    /// The RBM engine failed while training or sampling a layer.
    #[error("RBM layer {layer}: {source}")]
    Rbm {
        /// 1-based index of the hidden layer concerned.
        layer: usize,
        /// The engine's error.
        #[source]
        source: spinlearn_rbm::RbmError,
    },
}

impl RelevanceError {
    /// Shorthand for an invalid parameter.
    pub fn invalid(name: &str, reason: impl Into<String>) -> Self {
        RelevanceError::Core(spinlearn_core::Error::invalid(name, reason))
    }
}

/// Result alias with [`RelevanceError`].
pub type Result<T, E = RelevanceError> = std::result::Result<T, E>;
