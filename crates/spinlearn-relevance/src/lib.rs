//! spinlearn-relevance.
#![warn(missing_docs)]
