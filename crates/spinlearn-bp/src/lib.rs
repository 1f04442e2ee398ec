//! spinlearn-bp.
#![warn(missing_docs)]
