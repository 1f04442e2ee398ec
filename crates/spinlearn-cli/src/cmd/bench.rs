//! `spinlearn bench <domain>`: benchmarks that print each domain's speed figures beside the
//! machine's measured peak. Each domain library provides the measurement; this only prints it.

use crate::common::{Ctx, VERSION};
use anyhow::Result;
use clap::Subcommand;
use spinlearn_core::record::RunDir;

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

/// Runs a benchmark and prints its figures; with `--out DIR` it also writes a run directory
/// (run.json, and summary.json holding every measured figure) once the benchmark has finished.
pub fn run_cmd(cmd: &BenchCmd, ctx: &Ctx) -> Result<()> {
    let (kind, summary) = match cmd {
        BenchCmd::Rbm => {
            let ds = spinlearn_data::mnist::embedded()?;
            let data = ds.data.mapv(|x| if x > 0.5 { 1.0f32 } else { 0.0 });
            let params =
                spinlearn_core::ParamGuard::check(&spinlearn_rbm::bench::BenchParams::default())?;
            let r = spinlearn_rbm::bench::bench(data.view(), &params, ctx.seed)?;
            println!("{r}");
            ("bench rbm", serde_json::to_value(&r)?)
        }
        BenchCmd::Bp => {
            let r = spinlearn_bp::bench::bench(&spinlearn_bp::bench::BenchConfig::default())?;
            println!("{r}");
            ("bench bp", serde_json::to_value(&r)?)
        }
        BenchCmd::Ising => {
            let r = spinlearn_ising::bench::bench(false)?;
            println!("spinlearn-ising ({} threads)", r.threads);
            print!("{r}");
            ("bench ising", serde_json::to_value(&r)?)
        }
        BenchCmd::Attractor => {
            let r = spinlearn_attractor::bench::bench(30_000, 0.05, 40, ctx.seed)?;
            println!("{r}");
            ("bench attractor", serde_json::to_value(&r)?)
        }
        BenchCmd::Relevance => {
            let r = spinlearn_relevance::bench::bench(
                &spinlearn_relevance::bench::BenchConfig::default(),
            )?;
            println!("{r}");
            ("bench relevance", serde_json::to_value(&r)?)
        }
        BenchCmd::Data => {
            let dir =
                std::env::temp_dir().join(format!("spinlearn-bench-data-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let report = spinlearn_data::bench::bench(&dir, 3);
            std::fs::remove_dir_all(&dir).ok();
            let r = report?;
            print!("{r}");
            println!("({} threads available to the process)", ctx.threads);
            ("bench data", serde_json::to_value(&r)?)
        }
    };
    if let Some(out) = &ctx.out {
        let dir = RunDir::create(
            out,
            kind,
            ctx.command.clone(),
            serde_json::json!({}),
            ctx.seed.value(),
            ctx.threads,
            VERSION,
        )?;
        let path = dir.complete(&summary)?;
        if !ctx.quiet {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}
