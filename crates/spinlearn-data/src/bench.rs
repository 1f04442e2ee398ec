//! The data-layer benchmark behind `spinlearn bench data`: decoding the embedded MNIST subset,
//! .npy/.npz and text I/O of the 10,000 x 784 f32 matrix, the generators and the transforms. Each
//! figure is the best of `reps` runs (seconds) with the bytes it moved, so throughputs are MB/s.

use crate::error::{DataError, Result};
use crate::{generate, mnist, npy, text, transform};
use serde::Serialize;
use spinlearn_core::Seed;
use std::path::Path;
use std::time::Instant;

/// One measured operation.
#[derive(Debug, Clone, Serialize)]
pub struct BenchItem {
    /// What was timed.
    pub name: String,
    /// Best wall time over the repetitions, seconds.
    pub seconds: f64,
    /// Bytes of array data processed (f32 matrix size), for the throughput.
    pub bytes: usize,
}

impl BenchItem {
    /// Throughput in MB/s (10^6 bytes per second).
    pub fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / self.seconds.max(1e-12) / 1e6
    }
}

/// What [`bench`] measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Repetitions per item (the best is kept).
    pub reps: usize,
    /// The items, in the order run.
    pub items: Vec<BenchItem>,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "data bench (best of {}, single thread)", self.reps)?;
        for it in &self.items {
            writeln!(
                f,
                "  {:<44} {:>9.2} ms {:>9.0} MB/s",
                it.name,
                it.seconds * 1e3,
                it.mb_per_s()
            )?;
        }
        Ok(())
    }
}

fn time<T>(reps: usize, mut f: impl FnMut() -> Result<T>) -> Result<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        std::hint::black_box(f()?);
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok(best)
}

/// Runs the benchmark, writing scratch files into `scratch_dir` (which must exist; the files are
/// removed at the end).
pub fn bench(scratch_dir: &Path, reps: usize) -> Result<BenchReport> {
    if !scratch_dir.is_dir() {
        return Err(DataError::io(
            scratch_dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "scratch directory not found"),
        ));
    }
    let mut items = Vec::new();
    let mut push = |name: &str, seconds: f64, bytes: usize| {
        items.push(BenchItem {
            name: name.into(),
            seconds,
            bytes,
        })
    };
    let m = mnist::embedded()?;
    let mb = m.data.len() * 4;
    push(
        "decode embedded MNIST (gzip IDX -> f32)",
        time(reps, mnist::embedded)?,
        mb,
    );

    let p_npy = scratch_dir.join("bench-mnist.npy");
    push(
        "write .npy (10000 x 784 f32)",
        time(reps, || npy::write_npy(&p_npy, &m.data))?,
        mb,
    );
    push(
        "read .npy as f32",
        time(reps, || npy::read_npy_f32(&p_npy))?,
        mb,
    );
    for compressed in [false, true] {
        let p = scratch_dir.join(format!("bench-mnist-{compressed}.npz"));
        let label = if compressed { "compressed" } else { "stored" };
        push(
            &format!("write .npz ({label})"),
            time(reps, || {
                let mut w = npy::NpzWriter::new(&p, compressed);
                w.add("data", &m.data)?;
                w.finish()
            })?,
            mb,
        );
        push(
            &format!("read .npz ({label})"),
            time(reps, || npy::read_npz(&p))?,
            mb,
        );
        std::fs::remove_file(&p).ok();
    }
    std::fs::remove_file(&p_npy).ok();

    let bin = transform::binarize(&m, 0.5)?;
    let txt = text::format_text(&bin.data, ' ');
    push(
        "format text raster (binarized MNIST)",
        time(reps, || Ok(text::format_text(&bin.data, ' ')))?,
        mb,
    );
    push(
        "parse text raster",
        time(reps, || text::parse_text(&txt, Path::new("mem"), false))?,
        mb,
    );
    push(
        "binarize at 0.5",
        time(reps, || transform::binarize(&m, 0.5))?,
        mb,
    );
    push(
        "stochastic binarization",
        time(reps, || transform::binarize_stochastic(&m, Seed(0)))?,
        mb,
    );
    push(
        "shuffle pixels of every image",
        time(reps, || Ok(transform::shuffle_pixels(&m, Seed(0))))?,
        mb,
    );
    let bas = generate::bars_and_stripes(12)?;
    let bas_mb = bas.data.len() * 4;
    push(
        "generate BAS 12x12 (8188 images)",
        time(reps, || generate::bars_and_stripes(12))?,
        bas_mb,
    );
    push(
        "sign-symmetric split of BAS 12x12",
        time(reps, || transform::sign_symmetric_split(&bas, 0.8, Seed(0)))?,
        bas_mb,
    );
    Ok(BenchReport { reps, items })
}

#[cfg(test)]
mod tests {
    #[test]
    fn missing_scratch_dir_is_an_error() {
        let e = super::bench(std::path::Path::new("/nonexistent/scratch"), 1)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/nonexistent/scratch: "), "{e}");
    }
}
