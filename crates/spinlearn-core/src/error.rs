//! The error type shared by the core helpers; domain crates wrap it in their own enums.

use std::path::PathBuf;

/// Errors raised by spinlearn-core helpers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter is out of its allowed range, NaN, or otherwise unusable.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter's name as the user spells it.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Writing or reading a JSON record failed.
    #[error("{}: JSON: {source}", path.display())]
    Json {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// A run directory is locked by another run (its `run.lock` names a live process, or one on
    /// another host).
    #[error("{}: directory in use by pid {pid} on host {host} (its run.lock; delete it if that run is gone)", path.display())]
    DirInUse {
        /// The run directory.
        path: PathBuf,
        /// Process id written in the lock.
        pid: u32,
        /// Host name written in the lock.
        host: String,
    },
    /// A run directory already holds files and the caller did not allow replacing them.
    #[error("{}: directory not empty ({what})", path.display())]
    DirNotEmpty {
        /// The run directory.
        path: PathBuf,
        /// What it holds, e.g. "a complete `rbm train` run".
        what: String,
    },
    /// Replacing was asked for a directory that is not a run directory (no `run.json`), which
    /// is never cleared.
    #[error("{}: not a run directory (no run.json), so it is never cleared; choose an empty or new directory", path.display())]
    NotRunDir {
        /// The directory.
        path: PathBuf,
    },
    /// An iterative solver stopped before meeting its tolerance.
    #[error("{what} did not converge after {iterations} iterations (residual {residual:.3e})")]
    NonConvergence {
        /// Which solver.
        what: String,
        /// Iterations performed.
        iterations: usize,
        /// The last residual.
        residual: f64,
    },
}

/// Result alias with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name: name.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
