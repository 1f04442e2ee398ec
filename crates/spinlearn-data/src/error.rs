//! The error type of spinlearn-data.

use std::path::PathBuf;

/// Errors from loading, generating or transforming data. Messages are one line and name the file
/// or parameter concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A shared case (invalid parameter, I/O, JSON, non-convergence), defined once in core.
    #[error(transparent)]
    Core(#[from] spinlearn_core::Error),
    /// A file's content is not what its format requires (bad magic, truncated, wrong sizes).
    #[error("{}: {reason}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Arrays whose shapes do not fit together.
    #[error("shape mismatch: {0}")]
    Shape(String),
}

/// Result alias with [`DataError`].
pub type Result<T, E = DataError> = std::result::Result<T, E>;

impl DataError {
    /// Shorthand for [`DataError::Format`].
    pub fn format(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        DataError::Format {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// An invalid parameter (core's [`spinlearn_core::Error::InvalidParameter`]).
    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> Self {
        DataError::Core(spinlearn_core::Error::invalid(name, reason))
    }

    /// An I/O failure on `path` (core's [`spinlearn_core::Error::Io`]).
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DataError::Core(spinlearn_core::Error::io(path, source))
    }
}
