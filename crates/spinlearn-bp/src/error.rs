//! The error type of spinlearn-bp.

/// Errors from the message-passing learner, its data helpers and experiments. Messages are one
/// line and name the parameter or file concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BpError {
    /// A parameter is out of range, NaN, or otherwise unusable.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter's name as the user spells it.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Data that cannot be learned from (wrong values, empty, shapes that do not fit).
    #[error("invalid data: {0}")]
    Data(String),
    /// Loading data failed.
    #[error(transparent)]
    Load(#[from] spinlearn_data::error::DataError),
    /// A core helper failed (I/O, records).
    #[error(transparent)]
    Core(spinlearn_core::Error),
}

impl From<spinlearn_core::Error> for BpError {
    fn from(e: spinlearn_core::Error) -> Self {
        match e {
            spinlearn_core::Error::InvalidParameter { name, reason } => {
                BpError::InvalidParameter { name, reason }
            }
            other => BpError::Core(other),
        }
    }
}

impl BpError {
    /// Shorthand for [`BpError::InvalidParameter`].
    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> Self {
        BpError::InvalidParameter {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

/// Result alias with [`BpError`].
pub type Result<T, E = BpError> = std::result::Result<T, E>;
