//! spinlearn-bp: a one-bit RBM with ternary synapses `xi_i in {-1, 0, +1}` learned by message
//! passing (paper 000, "Zero synapses in unsupervised feature learning", eqs. (1)-(4)).
//!
//! - [`bp`]: the message passing of eqs. (3)-(4), full marginals, the MPM feature, sparsity `rho`,
//!   message strength `m_cav` and the small-`m_cav` asymptote of `rho`;
//! - [`exact`]: exact marginals by enumerating `3^N` configurations (the cross-check);
//! - [`spins`]: data as ±1 spins (MNIST digits, spike rasters, a synthetic retina stand-in);
//! - [`experiments`]: the paper's sweeps (Figs. 1-4) as library functions returning plain structs;
//! - [`bench`]: the speed benchmark of one message-passing sweep.
//!
//! Conventions: data are `(M, N)` = `(n_samples, n_features)` f64 spins ±1; marginals are
//! `(N, 3)` with columns `P(-1)`, `P(0)`, `P(+1)`; every run takes an explicit seed.
#![warn(missing_docs)]

pub mod bench;
pub mod bp;
pub mod error;
pub mod exact;
pub mod experiments;
pub mod spins;

pub use bp::{BpParams, BpResult, BpState, Learner, Marginals, ValidBpParams, learn, learn_from};
pub use error::{BpError, Result};
