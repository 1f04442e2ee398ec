//! The error type of spinlearn-reproduce: every domain crate's error, wrapped once.

/// Errors of a reproduction or of the report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReproduceError {
    /// A core case (invalid parameter, I/O, JSON, non-convergence).
    #[error(transparent)]
    Core(#[from] spinlearn_core::Error),
    /// Loading or transforming data.
    #[error(transparent)]
    Data(#[from] spinlearn_data::DataError),
    /// RBM training or evaluation.
    #[error(transparent)]
    Rbm(#[from] spinlearn_rbm::RbmError),
    /// Message passing.
    #[error(transparent)]
    Bp(#[from] spinlearn_bp::BpError),
    /// Attractor networks.
    #[error(transparent)]
    Attractor(#[from] spinlearn_attractor::AttractorError),
    /// Ising mean field and Monte Carlo.
    #[error(transparent)]
    Ising(#[from] spinlearn_ising::IsingError),
    /// Relevance, power laws, DBNs.
    #[error(transparent)]
    Relevance(#[from] spinlearn_relevance::RelevanceError),
    /// Figures and the report page.
    #[error(transparent)]
    Plot(#[from] spinlearn_plot::PlotError),
    /// An unknown section name.
    #[error("invalid parameter `section`: unknown section `{name}` (one of: all, {known})")]
    UnknownSection {
        /// The name given.
        name: String,
        /// The known ids, comma-separated.
        known: String,
    },
    /// One or more sections failed (each named with its error).
    #[error("{count} section(s) failed: {detail}")]
    SectionsFailed {
        /// How many failed.
        count: usize,
        /// `id: error` for each, `; `-separated.
        detail: String,
    },
    /// A run was stopped by its observer before it finished.
    #[error("{0}: stopped before it finished")]
    Stopped(String),
}

/// Result alias with [`ReproduceError`].
pub type Result<T, E = ReproduceError> = std::result::Result<T, E>;

impl ReproduceError {
    /// An invalid parameter (core's [`spinlearn_core::Error::InvalidParameter`]).
    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> Self {
        ReproduceError::Core(spinlearn_core::Error::invalid(name, reason))
    }

    /// An I/O failure on `path`.
    pub fn io(path: impl Into<std::path::PathBuf>, source: std::io::Error) -> Self {
        ReproduceError::Core(spinlearn_core::Error::io(path, source))
    }
}
