//! The sweep crate's errors.

use std::path::PathBuf;

/// Errors of sweep files, plans and tables.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The sweep file is malformed; `key` names the offending key.
    #[error("{}: `{key}`: {reason}", path.display())]
    Invalid {
        /// The sweep file.
        path: PathBuf,
        /// The key, e.g. `sweep.c_well`.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A table column asked for does not exist.
    #[error("no column `{name}` in the collected table (columns: {known})")]
    NoColumn {
        /// The column asked for.
        name: String,
        /// The columns there are, comma-separated.
        known: String,
    },
    /// A core error (writing records or tables).
    #[error(transparent)]
    Core(#[from] spinlearn_core::Error),
    /// Drawing a figure failed.
    #[error(transparent)]
    Plot(#[from] spinlearn_plot::PlotError),
}

/// Result alias with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
