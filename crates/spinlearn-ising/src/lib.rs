//! spinlearn-ising: the activation function as a mean-field Ising model of neural firing (paper
//! 002, "The activation function as a mean-field Ising model of neural firing"), and the 2D lattice
//! Monte Carlo that shows how far mean-field theory is from the square lattice.
//!
//! What this crate owns: the model, the solvers, the samplers, the error analysis and the paper's
//! computations as functions of checked params ([`spinlearn_core::ParamGuard`]) with explicit seeds
//! and an [`spinlearn_core::Observer`] for long loops. It imports only `spinlearn-core` and numeric
//! crates: never plotting, the report crate or the CLI (figures of these results are drawn in
//! `spinlearn-reproduce`).
//!
//! - [`mean_field`]: Curie-Weiss self-consistency m = tanh((Tc m + h) / T) (eq. (1)), all roots by
//!   bracketing + Newton, stability from the free energy's curvature, susceptibility, Fig. 1.
//! - [`fit`]: least-squares fit of eq. (2), m(T) ≈ 1/2 - 1/2 tanh(a (T - Tc)) (Fig. 2).
//! - [`firing`]: firing rates as integrals of the activation over a quench Q (section 2.4), closed
//!   forms against quadrature.
//! - [`activation`]: activation functions as unit types (value, derivative, stable tails).
//! - [`lattice`], [`mc`], [`stats`], [`onsager`]: square-lattice Ising Monte Carlo (checkerboard
//!   Metropolis, Wolff), exact enumeration, error bars, Onsager's exact results; [`multispin`]:
//!   multi-spin-coded checkerboard Metropolis (64 spins a word) and ensembles of lattices.
//! - [`experiments`]: the paper's experiments as functions returning plain structs (the
//!   activation experiment, the parallel lattice sweep over (L, T) with its Binder crossing);
//!   [`bench`]: speed figures.
//!
//! Conventions: k_B = 1, J = 1 on the lattice, spins ±1, energies with the Hamiltonian's sign.
#![warn(missing_docs)]

pub mod activation;
pub mod bench;
pub mod error;
pub mod experiments;
pub mod firing;
pub mod fit;
pub mod lattice;
pub mod mc;
pub mod mean_field;
pub mod multispin;
pub mod onsager;
pub mod stats;

pub use activation::Activation;
pub use error::{IsingError, Result};
pub use lattice::{Checkerboard, Lattice, Metropolis, Wolff};
pub use mc::{Algorithm, McParams, McResult, McValidParams, Start, simulate, simulate_many};
pub use mean_field::{CurieWeiss, MeanFieldSolution};
pub use multispin::{MultiSpinChain, MultiSpinLattice, MultiSpinMetropolis};
