//! Restricted Boltzmann machines for spinlearn: the engine behind the RAPID reproduction (paper
//! 004, Regularized Axons and Pattern-InDuced correlations) and the deep belief networks of paper
//! 003.
//!
//! # Models
//! - [`Rbm`]: dense weights `W (n_visible, n_hidden)`, biases `a (n_visible,)`, `b (n_hidden,)`;
//!   each layer ±1 spins or 0/1 bits ([`UnitsSpec`]); energy `E(v,h) = -vᵀWh - aᵀv - bᵀh`, k_B T = 1.
//! - [`RaRbm`]: Regularized Axons, `W = ξ_vᵀ ξ_h / √K` from K patterns (004 eq. 5).
//! - [`sample::Rbm32`]: the f32 copy used for block Gibbs sampling and training.
//!
//! Everything exact or compared in tests is f64 ([`eval`]); training and sampling are f32.
//!
//! # Training
//! [`train::Trainer`] runs epochs of mini-batch updates on a serializable [`train::State`] (the
//! checkpoint: parameters, PCD chains, RNG streams, optimizer moments), reporting each epoch to a
//! [`spinlearn_core::Observer`]. The negative phase is the [`train::NegativePhase`] trait; the
//! built-ins are [`train::Estimator`]: `Exact`, `Cd { k }`, `Pcd { k, n_chains }`, `Pid` (004 eq. 6)
//! and `PidGibbs { k }` (004 section V B). Optimizers: SGD with momentum, weight decay and a
//! per-epoch learning-rate decay, and Adam.
//!
//! ```
//! use spinlearn_rbm::train::{train, TrainParams, Estimator, WeightsSpec, Binarize};
//! use spinlearn_rbm::{UnitsSpec, eval};
//! use spinlearn_core::{NoObserver, Seed};
//! let data = ndarray::Array2::from_shape_fn((8, 6), |(r, c)| if (r + c) % 2 == 0 { 1.0f32 } else { -1.0 });
//! let params = TrainParams {
//!     n_hidden: 20,
//!     units: UnitsSpec::SPINS_NO_BIAS,
//!     weights: WeightsSpec::Ra { k: 4, binarize: Binarize::Sign },
//!     estimator: Estimator::Pid { hidden: Default::default() },
//!     epochs: 2,
//!     batch_size: 4,
//!     seed: Seed(1),
//!     ..TrainParams::default()
//! };
//! let (model, _state, summary) = train(&params, data.view(), &mut NoObserver)?;
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
//! # Files
//! [`io::save_npz`] / [`io::load_npz`]: `.npz` archives NumPy opens in one line.
//!
//! # Determinism
//! Every chain or batch row draws from its own stream of the run's [`spinlearn_core::Seed`], and
//! matrix products never split their summed index across threads, so results are the same for any
//! number of threads.
#![warn(missing_docs)]

pub mod bench;
pub mod error;
pub mod eval;
pub mod experiments;
pub mod io;
pub mod linalg;
pub mod model;
pub mod sample;
pub mod train;

pub use error::{RbmError, Result};
pub use model::{Model, RaRbm, Rbm, UnitsSpec};
pub use sample::Rbm32;
