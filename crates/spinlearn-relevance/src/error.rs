//! The crate's error type.

/// Errors raised by spinlearn-relevance.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelevanceError {
    /// A shared case (invalid parameter, I/O, non-convergence), defined once in core.
    #[error(transparent)]
    Core(#[from] spinlearn_core::Error),
    /// Reading a dataset or an array file failed.
    #[error(transparent)]
    Data(#[from] spinlearn_data::DataError),
    /// The input data cannot be used (empty, wrong shape, too few distinct values).
    #[error("invalid input: {0}")]
    Input(String),
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
    /// Shorthand for an invalid parameter (core's [`spinlearn_core::Error::InvalidParameter`]).
    pub fn invalid(name: &str, reason: impl Into<String>) -> Self {
        RelevanceError::Core(spinlearn_core::Error::invalid(name, reason))
    }

    /// Shorthand for a solver that stopped early (core's [`spinlearn_core::Error::NonConvergence`]).
    pub fn non_convergence(what: impl Into<String>, iterations: usize, residual: f64) -> Self {
        RelevanceError::Core(spinlearn_core::Error::NonConvergence {
            what: what.into(),
            iterations,
            residual,
        })
    }
}

/// Renames an invalid parameter with a prefix (`epochs` -> `classifier_epochs`), so that a
/// nested params struct names the flag or config key of its parent.
pub(crate) fn prefixed(
    prefix: &str,
) -> impl Fn(spinlearn_core::Error) -> spinlearn_core::Error + '_ {
    move |e| match e {
        spinlearn_core::Error::InvalidParameter { name, reason } => {
            spinlearn_core::Error::InvalidParameter {
                name: format!("{prefix}{name}"),
                reason,
            }
        }
        other => other,
    }
}

/// Result alias with [`RelevanceError`].
pub type Result<T, E = RelevanceError> = std::result::Result<T, E>;
