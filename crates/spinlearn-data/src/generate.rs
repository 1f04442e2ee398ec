//! Synthetic binary datasets (0/1 values, `image_shape` set): Bars, Bars-and-Stripes (the benchmark
//! sets of paper 004, Sec. V: 14 Bars images for 4 x 4, 8188 BAS images for 12 x 12) and uniform
//! random bits.
//!
//! Images are stored row-major: pixel `(r, c)` of an `n x n` image is feature `r * n + c`.

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use ndarray::Array2;
use rand::Rng;
use spinlearn_core::Seed;

/// Largest side accepted by [`bars`] and [`bars_and_stripes`] (2^16 - 2 images of 256 pixels).
pub const MAX_SIDE: usize = 16;

fn check_side(n: usize) -> Result<()> {
    if n < 2 {
        return Err(DataError::invalid(
            "n",
            format!("image side must be at least 2 (n = {n} has no non-uniform bars), got {n}"),
        ));
    }
    if n > MAX_SIDE {
        return Err(DataError::invalid(
            "n",
            format!("image side must be at most {MAX_SIDE} (2^n images), got {n}"),
        ));
    }
    Ok(())
}

/// Writes the vertical-bars image of column mask `mask` (bit `c` set = column `c` on) into `out`.
fn bars_image(n: usize, mask: u32, out: &mut [f32]) {
    for r in 0..n {
        for c in 0..n {
            out[r * n + c] = ((mask >> c) & 1) as f32;
        }
    }
}

/// Writes the horizontal-stripes image of row mask `mask` (bit `r` set = row `r` on) into `out`.
fn stripes_image(n: usize, mask: u32, out: &mut [f32]) {
    for r in 0..n {
        let v = ((mask >> r) & 1) as f32;
        out[r * n..(r + 1) * n].fill(v);
    }
}

/// Bars `n x n`: every image whose columns are each entirely on (1) or off (0), without the two
/// uniform images, i.e. exactly `2^n - 2` images of `n * n` pixels, ordered by column mask
/// `1 ..= 2^n - 2` (bit `c` of the mask is column `c`). 14 images for `n = 4` (paper 004).
/// `2 <= n <= 16`.
pub fn bars(n: usize) -> Result<Dataset> {
    check_side(n)?;
    let count = (1usize << n) - 2;
    let mut data = Array2::<f32>::zeros((count, n * n));
    for (i, mut row) in data.rows_mut().into_iter().enumerate() {
        bars_image(
            n,
            (i + 1) as u32,
            row.as_slice_mut().expect("standard layout"),
        );
    }
    Ok(Dataset {
        name: format!("bars{n}"),
        data,
        labels: None,
        image_shape: Some((n, n)),
    })
}

/// Bars-and-Stripes `n x n`: the `2^n - 2` non-uniform vertical-bar images (label 0), then the
/// `2^n - 2` non-uniform horizontal-stripe images (label 1, ordered by row mask), `2^(n+1) - 4`
/// distinct images in all (8188 for `n = 12`, paper 004). `2 <= n <= 16`.
pub fn bars_and_stripes(n: usize) -> Result<Dataset> {
    check_side(n)?;
    let half = (1usize << n) - 2;
    let mut data = Array2::<f32>::zeros((2 * half, n * n));
    let mut labels = Vec::with_capacity(2 * half);
    for (i, mut row) in data.rows_mut().into_iter().enumerate() {
        let out = row.as_slice_mut().expect("standard layout");
        if i < half {
            bars_image(n, (i + 1) as u32, out);
            labels.push(0);
        } else {
            stripes_image(n, (i - half + 1) as u32, out);
            labels.push(1);
        }
    }
    Ok(Dataset {
        name: format!("bas{n}"),
        data,
        labels: Some(labels),
        image_shape: Some((n, n)),
    })
}

/// Independent bits: each of the `n_samples x n_features` values is 1 with probability `p`,
/// sample `i` drawn from `seed.stream(i)` (the same seed gives the same data on every machine).
/// `image_shape` is set to `(h, w)` when `n_features = h * w` with `h = w`, else `None`.
pub fn random_bits(n_samples: usize, n_features: usize, p: f64, seed: Seed) -> Result<Dataset> {
    spinlearn_core::check::nonzero("n_samples", n_samples)?;
    spinlearn_core::check::nonzero("n_features", n_features)?;
    spinlearn_core::check::in_range("p", p, 0.0, 1.0)?;
    spinlearn_core::mem::check("n_samples", &[(&[n_samples, n_features], 4)])?;
    let mut data = Array2::<f32>::zeros((n_samples, n_features));
    // Compare 53-bit uniforms with p so that p = 0 and p = 1 are exact.
    for (i, mut row) in data.rows_mut().into_iter().enumerate() {
        let mut rng = seed.stream(i as u64);
        for x in row.iter_mut() {
            let u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
            *x = if u < p { 1.0 } else { 0.0 };
        }
    }
    let side = (n_features as f64).sqrt().round() as usize;
    Ok(Dataset {
        name: format!("random{n_samples}x{n_features}"),
        data,
        labels: None,
        image_shape: (side * side == n_features).then_some((side, side)),
    })
}

/// Uniform random binary data: `n_samples x n_features` fair bits (p = 1/2), see [`random_bits`].
pub fn uniform(n_samples: usize, n_features: usize, seed: Seed) -> Result<Dataset> {
    random_bits(n_samples, n_features, 0.5, seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_2x2_listed() {
        let d = bars(2).unwrap();
        assert_eq!(
            d.data.as_slice().unwrap(),
            &[1., 0., 1., 0., 0., 1., 0., 1.]
        );
    }

    #[test]
    fn sizes_are_checked() {
        for n in [0, 1, 17] {
            let e = bars(n).unwrap_err().to_string();
            assert!(e.starts_with("invalid parameter `n`"), "{e}");
            assert!(bars_and_stripes(n).is_err());
        }
        let e = uniform(0, 3, Seed(0)).unwrap_err().to_string();
        assert!(e.contains("`n_samples`"), "{e}");
        assert!(uniform(3, 0, Seed(0)).is_err());
        assert!(random_bits(3, 3, 1.5, Seed(0)).is_err());
    }

    #[test]
    fn random_bits_extremes_are_exact() {
        let ones = random_bits(4, 5, 1.0, Seed(1)).unwrap();
        assert!(ones.data.iter().all(|&x| x == 1.0));
        let zeros = random_bits(4, 5, 0.0, Seed(1)).unwrap();
        assert!(zeros.data.iter().all(|&x| x == 0.0));
    }
}
