//! The error type of spinlearn-bp.

/// Errors from the message-passing learner, its data helpers and experiments. Messages are one
/// line and name the parameter or file concerned. Invalid parameters, I/O and non-convergence are
/// core's cases, wrapped once in [`BpError::Core`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BpError {
    /// A core case: invalid parameter (named as the user spells it), I/O, records.
    #[error(transparent)]
    Core(#[from] spinlearn_core::Error),
    /// Samples that cannot be learned from (values other than ±1, empty, shapes that do not fit).
    #[error("invalid data: {0}")]
    Data(String),
    /// Loading or selecting data failed.
    #[error(transparent)]
    Load(#[from] spinlearn_data::DataError),
    /// An observer stopped a sweep over runs before it finished (no partial result is returned).
    #[error("{0}: stopped by the observer before it finished")]
    Stopped(String),
}

impl BpError {
    /// An invalid parameter: core's [`spinlearn_core::Error::InvalidParameter`], wrapped.
    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> Self {
        BpError::Core(spinlearn_core::Error::invalid(name, reason))
    }
}

/// Result alias with [`BpError`].
pub type Result<T, E = BpError> = std::result::Result<T, E>;
