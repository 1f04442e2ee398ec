//! `spinlearn bench <domain>`: benchmarks that print each domain's speed figures beside the
//! machine's measured peak. Each domain library provides the measurement; this only prints it.

use crate::common::Ctx;
use anyhow::Result;
use clap::Subcommand;

/// The benchmark to run.
#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// RBMs (papers 003, 004): one CD-1 and one PCD-1 epoch on the embedded MNIST (784 x 500,
    /// batch 100, f32) with GFLOP/s beside the measured f32 product peak.
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

/// Runs a benchmark and prints its figures.
pub fn run_cmd(cmd: &BenchCmd, ctx: &Ctx) -> Result<()> {
    match cmd {
        BenchCmd::Rbm => {
            let ds = spinlearn_data::mnist::embedded()?;
            let data = ds.data.mapv(|x| if x > 0.5 { 1.0f32 } else { 0.0 });
            let params = spinlearn_rbm::bench::BenchParams {
                seed: ctx.seed,
                ..Default::default()
            };
            println!("{}", spinlearn_rbm::bench::bench(data.view(), &params)?);
            Ok(())
        }
        BenchCmd::Bp => {
            let report = spinlearn_bp::bench::bench(&spinlearn_bp::bench::BenchConfig::default())?;
            println!("{report}");
            Ok(())
        }
        BenchCmd::Ising => {
            let report = spinlearn_ising::bench::bench(false)?;
            println!("spinlearn-ising ({} threads)", report.threads);
            print!("{report}");
            Ok(())
        }
        BenchCmd::Attractor => {
            let r = spinlearn_attractor::bench::bench(30_000, 0.05, 40, ctx.seed)?;
            println!("{r}");
            Ok(())
        }
        BenchCmd::Relevance => {
            let report = spinlearn_relevance::bench::bench(
                &spinlearn_relevance::bench::BenchConfig::default(),
            )?;
            println!("{report}");
            Ok(())
        }
        BenchCmd::Data => {
            let dir =
                std::env::temp_dir().join(format!("spinlearn-bench-data-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let report = spinlearn_data::bench::bench(&dir, 3);
            std::fs::remove_dir_all(&dir).ok();
            print!("{}", report?);
            println!("({} threads available to the process)", ctx.threads);
            Ok(())
        }
    }
}
