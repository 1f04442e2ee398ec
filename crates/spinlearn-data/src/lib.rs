//! Data for spinlearn: loaders (IDX, .npy/.npz, text rasters), generators (bars, bars-and-stripes,
//! uniform random binary data), transforms (label selection, binarization, spins, pixel shuffling,
//! splits) and the embedded MNIST subset.
//!
//! Every dataset is a [`Dataset`]: an `(n_samples, n_features)` f32 matrix, row-major, with
//! optional labels and an optional image shape.
//!
//! The one data path: [`open`] a dataset by name or file, then apply a [`Selection`] (labels,
//! count, binary encoding). Owns: file formats, generators, transforms. May import:
//! spinlearn-core only; never a model, algorithm or plotting crate.
#![warn(missing_docs)]

pub mod bench;
pub mod catalog;
pub mod dataset;
pub mod error;
pub mod generate;
pub mod idx;
pub mod mnist;
pub mod npy;
pub mod select;
pub mod text;
pub mod transform;

pub use dataset::Dataset;
pub use error::{DataError, Result};
pub use select::{Selection, Values, open};
