//! spinlearn-bp: a one-bit RBM with ternary synapses `xi_i in {-1, 0, +1}` learned by message
//! passing (paper 000, "Zero synapses in unsupervised feature learning", eqs. (1)-(4)).
//!
//! - [`bp`]: the message passing of eqs. (3)-(4), full marginals, the MPM feature, sparsity `rho`,
//!   message strength `m_cav` and the small-`m_cav` asymptote of `rho`;
//! - [`exact`]: exact marginals by enumerating `3^N` configurations (the cross-check);
//! - [`spins`]: a [`spinlearn_data::Dataset`] of ±1 samples as the learner's matrix, spike
//!   rasters, random subsets, a synthetic retina stand-in;
//! - [`experiments`]: the paper's drivers (one run on a random sample, the sweeps over `M` and
//!   `beta` of Figs. 1-4) with params structs, returning plain structs;
//! - [`bench`]: the speed benchmark of one message-passing sweep.
//!
//! What this crate owns: the science of paper 000 (learner, exact reference, sweeps). It may
//! import `spinlearn-core` and `spinlearn-data` only; never plotting, the report crate or the CLI
//! (figures of these results live in `spinlearn_reproduce::zero_synapses`).
//!
//! Conventions: samples are selected as a `Dataset` with spin values
//! ([`spins::spin_values`]); the learner works on `(M, N)` = `(n_samples, n_features)` f64 spins
//! ±1; marginals are `(N, 3)` with columns `P(-1)`, `P(0)`, `P(+1)`. Parameters are checked once
//! (`XParams` -> [`spinlearn_core::ParamGuard::check`] -> `ValidXParams`), every run takes an
//! explicit seed and reports progress to a `&mut dyn Observer`.
#![warn(missing_docs)]

pub mod bench;
pub mod bp;
pub mod error;
pub mod exact;
pub mod experiments;
pub mod spins;

pub use bp::{BpParams, BpResult, BpState, Learner, Marginals, ValidBpParams, learn, learn_from};
pub use error::{BpError, Result};
pub use experiments::{
    BetaSweepParams, SizeSweepParams, ValidBetaSweepParams, ValidSizeSweepParams, beta_sweep,
    learn_sample, size_sweep,
};
