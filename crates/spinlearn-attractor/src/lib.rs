//! Attractor neural networks with double-well synapses (Feng and Brunel, paper 001).
//!
//! What this crate owns: the paper's models (synapses, network, mean-field theory, Markov
//! synapses) and the sweeps a user calls on their own (capacity scans, optimal C, robustness,
//! sparse-coding optima), each with a params struct checked through
//! [`spinlearn_core::ParamGuard`], an explicit [`spinlearn_core::Seed`] and a
//! [`spinlearn_core::Observer`]. What it may not import: plotting, file formats or report code
//! (figures and tables live in `spinlearn-reproduce`), and nothing but `spinlearn-core` from the
//! workspace.
//!
//! - [`synapse`]: the synapse dynamics of eqs. (3)-(4) (exact decay map between presentations) and
//!   the learning rules of eqs. (5)-(7).
//! - [`network`]: the diluted network of eqs. (1)-(2) stored row-wise (u32 column indices, f32
//!   weights), online learning, parallel threshold dynamics and retrieval overlaps, eq. (8).
//! - [`simulate`]: retrieval by pattern age and storage capacity over realizations.
//! - [`theory`]: the mean-field theory of Appendix I-II (weight-density evolution, moments,
//!   self-consistent overlaps of eq. (38), capacity) and eq. (10).
//! - [`markov`]: binarized weights, two-state Markov synapses and the SNR of eqs. (12)-(14),
//!   (39)-(41); robustness of eq. (15).
//! - [`experiments`]: the sweeps behind the figures (capacity against C, N, r1, r3; C*, r1*, the
//!   exponent a, the robustness R; theory against simulation; sparse-coding optima).
//! - [`mod@bench`]: the learning/retrieval benchmark at N = 30,000, c = 0.05.
//!
//! Conventions: neurons are bits V_i ∈ {0, 1}; patterns η ∈ {0, 1} with P(η = 1) = f; the time unit
//! is the interval between two presentations; a pattern's *age* is the number of presentations
//! made after it (the most recent pattern has age 0).
#![warn(missing_docs)]

pub mod bench;
pub mod error;
pub mod experiments;
pub mod markov;
pub mod network;
pub mod params;
mod progress;
pub mod simulate;
pub mod synapse;
pub mod theory;

pub use error::{AttractorError, Result};
pub use params::{
    LearningRule, NetworkParams, SynapseParams, ValidNetworkParams, ValidSynapseParams,
};
pub use synapse::DoubleWellSynapses;
