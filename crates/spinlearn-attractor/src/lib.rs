//! spinlearn-attractor.
#![warn(missing_docs)]
