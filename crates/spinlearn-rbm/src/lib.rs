//! spinlearn-rbm.
#![warn(missing_docs)]
