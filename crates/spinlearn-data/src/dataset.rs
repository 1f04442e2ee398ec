//! The [`Dataset`] type shared by loaders, generators and transforms.

use ndarray::Array2;

/// A dataset: `data` is `(n_samples, n_features)` f32, row-major. Pixel data is scaled to
/// [0, 1]; binary data holds 0/1 (bits) or ±1 (spins) as its `name` and provenance say.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// A short name, e.g. `"mnist10k"`, `"bars4"`.
    pub name: String,
    /// Samples as rows, `(n_samples, n_features)`.
    pub data: Array2<f32>,
    /// One label per sample (digits 0..9 for MNIST), when the data has labels.
    pub labels: Option<Vec<u8>>,
    /// `(height, width)` when each row is an image stored row-major.
    pub image_shape: Option<(usize, usize)>,
}

impl Dataset {
    /// Number of samples (rows).
    pub fn n_samples(&self) -> usize {
        self.data.nrows()
    }

    /// Number of features (columns), e.g. 784 pixels.
    pub fn n_features(&self) -> usize {
        self.data.ncols()
    }

    /// Sample `i` as a slice of length `n_features`.
    pub fn row(&self, i: usize) -> &[f32] {
        let n = self.n_features();
        &self
            .data
            .as_slice()
            .expect("Dataset data is standard layout")[i * n..(i + 1) * n]
    }

    /// The samples at `indices`, in that order (labels follow).
    pub fn select(&self, indices: &[usize]) -> Dataset {
        let n = self.n_features();
        let mut data = Array2::<f32>::zeros((indices.len(), n));
        for (r, &i) in indices.iter().enumerate() {
            data.row_mut(r).assign(&self.data.row(i));
        }
        Dataset {
            name: self.name.clone(),
            data,
            labels: self
                .labels
                .as_ref()
                .map(|l| indices.iter().map(|&i| l[i]).collect()),
            image_shape: self.image_shape,
        }
    }

    /// The first `n` samples (all of them when `n` exceeds the count).
    pub fn head(&self, n: usize) -> Dataset {
        let idx: Vec<usize> = (0..n.min(self.n_samples())).collect();
        self.select(&idx)
    }
}
