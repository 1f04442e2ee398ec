//! Shared vocabulary of spinlearn: seeds and portable RNG streams ([`Seed`]), spin (±1) and bit
//! (0/1) encodings ([`Units`]), stable numerics in log space ([`numerics`]), the observer hook that
//! long loops report to ([`Observer`], [`Control`], [`SyncObserver`] for parallel loops), run
//! records ([`record`]), memory limits checked before allocating ([`mem`]), CSV tables ([`table`]), small statistics and fits ([`stats`]), and the
//! parameter contract ([`ParamGuard`], with the checks of [`check`]) and the shared error cases
//! ([`Error`]) that every domain crate wraps once.
//!
//! Owns: the vocabulary every other crate shares. May import: small, general crates only (rand,
//! serde, thiserror, libm, csv, rayon); never another spinlearn crate, ndarray, plotting or linear algebra.
//!
//! Conventions used across the workspace: k_B T = 1 unless a parameter says otherwise; energies carry
//! the sign of the Hamiltonian (lower is more probable); matrices are row-major with shapes written
//! `(rows, cols)`, e.g. data `(n_samples, n_visible)`.
#![warn(missing_docs)]

pub mod check;
pub mod encoding;
pub mod error;
pub mod mem;
pub mod nonfinite;
pub mod numerics;
pub mod observe;
pub mod par;
pub mod params;
pub mod record;
pub mod seed;
pub mod stats;
pub mod table;

pub use encoding::Units;
pub use error::{Error, Result};
pub use observe::{Control, NoObserver, Observer, StepReport, SyncObserver};
pub use params::ParamGuard;
pub use seed::{Seed, SpinRng};
