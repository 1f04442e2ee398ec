//! spinlearn-ising.
#![warn(missing_docs)]
