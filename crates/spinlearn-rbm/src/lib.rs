//! Restricted Boltzmann machines for spinlearn: the engine behind the RAPID reproduction (paper
//! 004, Regularized Axons and Pattern-InDuced correlations) and the deep belief networks of paper
//! 003.
//!
//! What this crate owns: the models, sampling, training (loop, negative phases, optimizers,
//! checkpoints), evaluation, model files, and the paper-004 experiment drivers
//! ([`experiments`]: each a params struct and a function returning plain results). What it may
//! not import: plotting, the reproduce crate, the CLI (figures and report text live in
//! `spinlearn-reproduce`); it depends only on `spinlearn-core`, `spinlearn-data` and, for the
//! activation functions its hidden-unit types reuse, `spinlearn-ising`.
//!
//! Every params struct is plain data validated by [`spinlearn_core::ParamGuard::check`] into a
//! `Valid*` type that the entry points take; seeds are passed to the entry points, never held in
//! params. Long loops report to a `&mut dyn` [`spinlearn_core::Observer`].
//!
//! # Models
//! - [`Rbm`]: dense weights `W (n_visible, n_hidden)`, biases `a (n_visible,)`, `b (n_hidden,)`;
//!   each layer ±1 spins or 0/1 bits ([`UnitsSpec`]); energy `E(v,h) = -vᵀWh - aᵀv - bᵀh`, k_B T = 1.
//! - [`RaRbm`]: Regularized Axons, `W = ξ_vᵀ ξ_h / √K` from K patterns (004 eq. 5).
//! - [`Rbm32`]: the f32 copy used for block Gibbs sampling ([`sample`]) and training.
//!
//! Everything exact or compared in tests is f64 ([`eval`]); training and sampling are f32.
//!
//! # Hidden-unit types
//! [`hidden`]: paper 002's activations as stochastic hidden units ([`hidden::HiddenUnits`]:
//! `bit`, `spin`, the mean-field firing unit `ising-tanh:a`, the counting firing-rate unit
//! `ising-rate:a:n` (softplus-like; Nair-Hinton stepped sigmoid at a = 1/2), its ELU-like shift
//! `ising-elu:a:n`, and the rectified Gaussian `relu`), each with exact sampling, mean, variance
//! and log partition; [`hidden::HiddenRbm`] (f64) with the exact free energy and exact log Z by
//! enumerating the visible layer; [`hidden::train::train`] by CD-k or PCD-k.
//!
//! # Training
//! [`train::Trainer`] runs epochs of mini-batch updates on a serializable [`train::State`] (the
//! checkpoint: parameters, PCD chains, RNG streams, optimizer moments), reporting each epoch to a
//! [`spinlearn_core::Observer`]. The negative phase is the [`train::NegativePhase`] trait; the
//! built-ins are [`train::Estimator`]: `Exact`, `Cd { gibbs_steps }`,
//! `Pcd { gibbs_steps, n_chains }`, `Pid` (004 eq. 6) and `PidGibbs { gibbs_steps }` (004 section
//! V B). [`train::EpochObserver`]s see the state after each epoch: [`train::Checkpointer`] saves
//! it. Optimizers: SGD with momentum, weight decay and a per-epoch learning-rate decay, and Adam.
//!
//! ```
//! use spinlearn_rbm::train::{train, TrainParams, Estimator, WeightsSpec, Binarize};
//! use spinlearn_rbm::{UnitsSpec, eval};
//! use spinlearn_core::{NoObserver, ParamGuard, Seed};
//! let data = ndarray::Array2::from_shape_fn((8, 6), |(r, c)| if (r + c) % 2 == 0 { 1.0f32 } else { -1.0 });
//! let params = TrainParams {
//!     n_hidden: 20,
//!     units: UnitsSpec::SPINS_NO_BIAS,
//!     weights: WeightsSpec::Ra { k: 4, binarize: Binarize::Sign },
//!     estimator: Estimator::Pid { hidden: Default::default() },
//!     epochs: 2,
//!     batch_size: 4,
//!     ..TrainParams::default()
//! };
//! let (model, _state, summary) = train(&params.check()?, data.view(), Seed(1), &mut NoObserver)?;
//! let log_z = eval::exact_log_z(&model.rbm())?;
//! assert!(log_z.is_finite() && summary.epochs.len() == 2);
//! # Ok::<_, spinlearn_rbm::RbmError>(())
//! ```
//!
//! # Evaluation
//! [`eval`]: exact log Z, log-likelihoods, moments and gradients (enumerating the smaller layer, up
//! to 24 units); forward and reverse AIS; ground state; Gibbs and method accessibility; the
//! reconstruction Hamming distance; singular values; pattern overlaps; a linear probe.
//!
//! [`evaluation::evaluate`] runs a list of these on one model and dataset.
//!
//! # Files
//! [`io::save_npz`] / [`io::load_npz`]: `.npz` archives NumPy opens in one line.
//!
//! # Determinism
//! Every chain or batch row draws from its own stream of the run's [`spinlearn_core::Seed`], and
//! matrix products never split their summed index across threads, so results are the same for any
//! number of threads.
#![warn(missing_docs)]

/// Defines a checked-params type (the `Checked` of a [`spinlearn_core::ParamGuard`]): private
/// fields, one accessor per field returning a copy of the value.
macro_rules! valid_params {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        pub struct $name {
            $( $field: $ty ),*
        }

        impl $name {
            $(
                $(#[$fmeta])*
                pub fn $field(&self) -> $ty {
                    <$ty as Clone>::clone(&self.$field)
                }
            )*
        }
    };
}

pub mod bench;
pub mod error;
pub mod eval;
pub mod evaluation;
pub mod experiments;
pub mod hidden;
pub mod io;
pub mod kernels;
pub mod linalg;
pub mod model;
pub mod sample;
pub mod train;

pub use error::{RbmError, Result};
pub use model::{Model, RaRbm, Rbm, Rbm32, UnitsSpec};
