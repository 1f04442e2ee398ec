//! spinlearn-relevance: resolution and relevance of representations, the maximal-relevance
//! bound, discrete power-law fits, the k-means baseline, a digit classifier and deep belief
//! networks, after "Resolution and relevance trade-offs in deep learning" (paper 003).
//!
//! What this crate owns: the science of paper 003 (state counting, entropies, the bound, power-law
//! fits with their tail CCDF and fitted `m_k`, k-means, the classifier, DBNs and the experiment
//! driver [`experiments::run_pipeline`]) and the readers of count and label files ([`input`]).
//! It may import `spinlearn-core`, `spinlearn-data` (datasets) and `spinlearn-rbm` (the RBM
//! engine of the DBN layers); never plotting, the report crate or the CLI. Experiment sizes
//! (presets) and figures live in `spinlearn-reproduce`.
//!
//! - [`states`]: frequencies `k_s`, degeneracies `m_k`, resolution `H[s]` (eq. 1) and relevance
//!   `H[k]` (eq. 2) of any list of discrete states (hashing binary rows).
//! - [`bound`]: the exact maximal `H[k]` at given `H[s]` over integer `m_k` (eq. 8).
//! - [`powerlaw`]: discrete power-law MLE with the Hurwitz zeta, KS `x_min`, bootstrap p-value,
//!   the tail CCDF and the fitted degeneracies.
//! - [`kmeans`]: seeded k-means++ with restarts.
//! - [`classifier`]: a small MLP digit classifier that labels generated samples (eq. 9).
//! - [`dbn`]: deep belief networks on the `spinlearn-rbm` engine (section S1).
//! - [`experiments`]: the figures' computations; [`bench`](mod@bench): timings; [`input`]: file readers.
//!
//! Parameters follow the workspace contract: `XParams` (plain data, the flag names) checked by
//! [`spinlearn_core::ParamGuard`] into `ValidXParams`; seeds and observers are arguments.
//! Entropies are in nats; `_norm` variants are divided by `ln M`.
#![warn(missing_docs)]

pub mod bench;
pub mod bound;
pub mod classifier;
pub mod dbn;
pub mod error;
pub mod experiments;
pub mod input;
pub mod kmeans;
pub mod powerlaw;
pub mod states;

pub use error::{RelevanceError, Result};
pub use states::{Entropies, StateStats};
