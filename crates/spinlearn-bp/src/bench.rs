//! The speed benchmark of message passing: timed full sweeps (all `M N` messages, eqs. (4a)-(4c))
//! on MNIST digits 0 and 1 as spins (the paper's setting), f64.

use crate::bp::{BpParams, BpState, Learner};
use crate::error::{BpError, Result};
use crate::spins::{random_rows, spin_matrix, spin_values};
use serde::Serialize;
use spinlearn_core::{ParamGuard, Seed};
use spinlearn_data::Selection;
use std::time::Instant;

/// Benchmark settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BenchConfig {
    /// Samples `M` (rows drawn from the embedded MNIST digits 0 and 1; at most 2128).
    pub n_samples: usize,
    /// Timed sweeps.
    pub sweeps: usize,
    /// Untimed sweeps first (caches, thread pool).
    pub warmup: usize,
    /// Inverse temperature.
    pub beta: f64,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            n_samples: 1024,
            sweeps: 50,
            warmup: 3,
            beta: 0.5,
        }
    }
}

/// What the benchmark measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    /// `N` (784 for MNIST).
    pub n_features: usize,
    /// `M`.
    pub n_samples: usize,
    /// Timed sweeps.
    pub sweeps: usize,
    /// Rayon worker threads available.
    pub threads: usize,
    /// Mean wall time of one sweep, milliseconds.
    pub ms_per_sweep: f64,
    /// Sweeps per second.
    pub sweeps_per_second: f64,
    /// Message updates `m_{i->a}` per second (`M N` per sweep).
    pub message_updates_per_second: f64,
    /// Sum of all messages after the last sweep: identical for every thread count (printed with all
    /// digits so runs can be compared).
    pub checksum: f64,
    /// The last sweep's residual.
    pub residual: f64,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "bp sweep  N = {}, M = {}, f64, {} threads, {} sweeps",
            self.n_features, self.n_samples, self.threads, self.sweeps
        )?;
        writeln!(f, "  {:.3} ms per sweep", self.ms_per_sweep)?;
        writeln!(f, "  {:.1} sweeps/s", self.sweeps_per_second)?;
        writeln!(
            f,
            "  {:.3e} message updates/s",
            self.message_updates_per_second
        )?;
        write!(
            f,
            "  checksum {:.17e} (residual {:.3e})",
            self.checksum, self.residual
        )
    }
}

/// Runs the benchmark on the current rayon pool.
/// The sample selection and the initial messages are drawn from `seed`.
pub fn bench(cfg: &BenchConfig, seed: Seed) -> Result<BenchReport> {
    spinlearn_core::check::nonzero("sweeps", cfg.sweeps)?;
    let digits = Selection {
        digits: Some(vec![0, 1]),
        n_samples: None,
        values: spin_values(None),
    }
    .load("mnist", None)?;
    let pool = spin_matrix(&digits)?;
    if cfg.n_samples > pool.nrows() {
        return Err(BpError::invalid(
            "n_samples",
            format!(
                "at most {} digits 0/1 are embedded, got {}",
                pool.nrows(),
                cfg.n_samples
            ),
        ));
    }
    let data = random_rows(
        pool.view(),
        cfg.n_samples,
        &mut seed.named("select").stream(0),
    )?;
    let params = BpParams {
        beta: cfg.beta,
        ..Default::default()
    }
    .check()?;
    let (m, n) = data.dim();
    let mut learner = Learner::new(data.view(), &params)?;
    let mut state = BpState::random(m, n, 1.0, &mut seed.named("init").stream(0));
    for _ in 0..cfg.warmup {
        learner.sweep(&mut state);
    }
    let start = Instant::now();
    let mut residual = f64::NAN;
    for _ in 0..cfg.sweeps {
        residual = learner.sweep(&mut state).residual;
    }
    let secs = start.elapsed().as_secs_f64();
    let per = secs / cfg.sweeps as f64;
    Ok(BenchReport {
        n_features: n,
        n_samples: m,
        sweeps: cfg.sweeps,
        threads: rayon::current_num_threads(),
        ms_per_sweep: per * 1e3,
        sweeps_per_second: 1.0 / per,
        message_updates_per_second: (m * n) as f64 / per,
        checksum: state.messages.sum(),
        residual,
    })
}
