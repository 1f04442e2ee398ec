//! The error type of spinlearn-rbm.

/// Errors raised by spinlearn-rbm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RbmError {
    /// A parameter is out of range or inconsistent (the message names it).
    #[error(transparent)]
    Core(#[from] spinlearn_core::Error),
    /// Shapes of arrays do not fit together.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// An exact computation was asked of a model too large to enumerate.
    #[error("cannot enumerate 2^{n} states (at most 2^{max}); use AIS instead")]
    TooLarge {
        /// Size of the smaller layer.
        n: usize,
        /// The largest size enumerated.
        max: usize,
    },
    /// Reading or writing a model file failed.
    #[error(transparent)]
    Data(#[from] spinlearn_data::DataError),
    /// A model file is missing something or holds inconsistent arrays.
    #[error("{path}: {reason}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Training produced NaN or infinite parameters.
    #[error("training diverged at epoch {epoch}: non-finite parameters (lower the learning rate)")]
    Diverged {
        /// 1-based epoch.
        epoch: usize,
    },
    /// A numerical routine (SVD) failed.
    #[error("{0}")]
    Numerical(String),
}

/// Result alias with [`RbmError`].
pub type Result<T, E = RbmError> = std::result::Result<T, E>;

impl RbmError {
    /// An [`RbmError::Core`] invalid-parameter error.
    pub fn invalid(name: &str, reason: impl Into<String>) -> Self {
        RbmError::Core(spinlearn_core::Error::invalid(name, reason))
    }
}
