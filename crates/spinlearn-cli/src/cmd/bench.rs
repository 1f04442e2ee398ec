//! `spinlearn bench <domain>`: benchmarks that print each domain's speed figures beside the
//! machine's measured peak. Each domain library provides the measurement; this only prints it.

use crate::common::{Ctx, Experiment};
use anyhow::Result;
use clap::{Args, ValueEnum};
use serde::Serialize;
use serde_json::Value;
use spinlearn_core::record::RunDir;

/// `spinlearn bench <domain>`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct BenchArgs {
    /// The domain to measure.
    #[arg(value_enum)]
    pub domain: BenchDomain,
}

/// The benchmark to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BenchDomain {
    /// RBMs (papers 003, 004): one CD-1 and one PCD-1 epoch on the embedded MNIST (784 x 500,
    /// batch 100, f32) with the binary kernels beside the dense products they replace, GFLOP/s
    /// beside the measured f32 product peak, and an RA-RBM epoch through its patterns beside the
    /// same epoch through the dense weights.
    Rbm,
    /// Data: decode the embedded MNIST subset, npy/npz/text I/O, transforms.
    Data,
    /// Message passing (paper 000): one full sweep at N = 784, M = 1024, f64.
    Bp,
    /// Ising (paper 002): checkerboard Metropolis flips/s at L = 256 and Wolff clusters/s at Tc.
    Ising,
    /// Attractor networks (paper 001): 40 patterns learned and retrieved at N = 30,000, c = 0.05,
    /// synapse updates/s beside the streaming-copy memory bandwidth.
    Attractor,
    /// Relevance (paper 003): counting 60,000 states of width 500, the bound at M = 60,000, k-means,
    /// one DBN epoch.
    Relevance,
}

impl Experiment for BenchArgs {
    const KIND: &'static str = "bench";

    fn print_summary(&self) -> bool {
        false
    }

    /// Prints the figures; summary.json holds every measured figure.
    fn run(&self, ctx: &Ctx, _dir: &RunDir) -> Result<Value> {
        measure(self.domain, ctx)
    }
}

fn measure(domain: BenchDomain, ctx: &Ctx) -> Result<Value> {
    Ok(match domain {
        BenchDomain::Rbm => {
            let ds = spinlearn_data::mnist::embedded()?;
            let data = ds.data.mapv(|x| if x > 0.5 { 1.0f32 } else { 0.0 });
            let params =
                spinlearn_core::ParamGuard::check(&spinlearn_rbm::bench::BenchParams::default())?;
            let r = spinlearn_rbm::bench::bench(data.view(), &params, ctx.seed)?;
            println!("{r}");
            serde_json::to_value(&r)?
        }
        BenchDomain::Bp => {
            let r =
                spinlearn_bp::bench::bench(&spinlearn_bp::bench::BenchConfig::default(), ctx.seed)?;
            println!("{r}");
            serde_json::to_value(&r)?
        }
        BenchDomain::Ising => {
            let r = spinlearn_ising::bench::bench(false)?;
            println!("spinlearn-ising ({} threads)", r.threads);
            print!("{r}");
            serde_json::to_value(&r)?
        }
        BenchDomain::Attractor => {
            let r = spinlearn_attractor::bench::bench(&Default::default(), ctx.seed)?;
            println!("{r}");
            serde_json::to_value(&r)?
        }
        BenchDomain::Relevance => {
            let r = spinlearn_relevance::bench::bench(&Default::default(), ctx.seed)?;
            println!("{r}");
            serde_json::to_value(&r)?
        }
        BenchDomain::Data => {
            let dir =
                std::env::temp_dir().join(format!("spinlearn-bench-data-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let report = spinlearn_data::bench::bench(&dir, 3);
            std::fs::remove_dir_all(&dir).ok();
            let r = report?;
            print!("{r}");
            println!("({} threads available to the process)", ctx.threads);
            serde_json::to_value(&r)?
        }
    })
}
