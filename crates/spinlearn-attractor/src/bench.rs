//! The speed benchmark: present 40 patterns to a network of N = 30,000, c = 0.05 (≈ 45 million
//! synapses) and test the retrieval of each, beside the machine's memory bandwidth.

use std::time::Instant;

use serde::Serialize;
use spinlearn_core::{ParamGuard, Seed};

use crate::error::Result;
use crate::network::{self, DilutedNetwork, WeightView};
use crate::params::{NetworkParams, SynapseParams};

/// What the benchmark measured (seconds, counts, rates).
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Neurons.
    pub n: usize,
    /// Connection probability.
    pub c: f64,
    /// Patterns presented (and tested).
    pub patterns: usize,
    /// Synapses in the network.
    pub synapses: usize,
    /// Bytes of connectivity and weights.
    pub memory_bytes: usize,
    /// Threads in the rayon pool.
    pub threads: usize,
    /// Seconds to draw the connectivity.
    pub build_s: f64,
    /// Seconds for all presentations.
    pub learn_s: f64,
    /// Seconds per presentation.
    pub learn_per_pattern_s: f64,
    /// Synapse updates per second in the learning step: synapses × patterns / learning time.
    pub synapse_updates_per_s: f64,
    /// Seconds for all retrievals.
    pub retrieve_s: f64,
    /// Sweeps of the dynamics, summed over the tested patterns.
    pub sweeps: usize,
    /// Retrievals that ended at a fixed point.
    pub converged: usize,
    /// Total seconds (build + learn + retrieve).
    pub total_s: f64,
    /// Patterns retrieved (m_v ≥ 0.5) among those tested.
    pub retrieved: usize,
    /// Streaming-copy memory bandwidth (bytes read + written per second), all threads.
    pub copy_bandwidth_bytes_per_s: f64,
}

/// Memory bandwidth by a parallel streaming copy of `bytes` bytes (f32 buffers), best of `reps`:
/// (bytes read + bytes written) / time.
pub fn copy_bandwidth(bytes: usize, reps: usize) -> f64 {
    use rayon::prelude::*;
    let n = bytes / 4;
    let src = vec![1.0f32; n];
    let mut dst = vec![0.0f32; n];
    let mut best = f64::INFINITY;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        dst.par_chunks_mut(1 << 16)
            .zip(src.par_chunks(1 << 16))
            .for_each(|(d, s)| d.copy_from_slice(s));
        best = best.min(t.elapsed().as_secs_f64());
    }
    std::hint::black_box(&dst);
    2.0 * (n * 4) as f64 / best
}

/// The benchmark's sizes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BenchParams {
    /// Neurons.
    pub n: usize,
    /// Connectivity.
    pub c: f64,
    /// Patterns learned and retrieved.
    pub patterns: usize,
}

impl Default for BenchParams {
    /// The standard setting: N = 30,000, c = 0.05, 40 patterns.
    fn default() -> Self {
        BenchParams {
            n: 30_000,
            c: 0.05,
            patterns: 40,
        }
    }
}

/// Runs the benchmark with the synapse parameters of Fig. 4 (r1 = 0.1, C = 2.7); connectivity,
/// patterns and noise are drawn from `seed`.
pub fn bench(p: &BenchParams, seed: Seed) -> Result<BenchReport> {
    let (n, c) = (p.n, p.c);
    let patterns = spinlearn_core::check::nonzero("patterns", p.patterns)?;
    let np = NetworkParams {
        n,
        c,
        synapse: SynapseParams {
            r1: 0.1,
            r2: 1.0,
            r3: 0.0,
            c_well: 2.7,
        },
        ..NetworkParams::default()
    }
    .check()?;
    let bandwidth = copy_bandwidth(256 << 20, 5);
    let t0 = Instant::now();
    let mut net = DilutedNetwork::new(&np, seed.named("connectivity"))?;
    let build_s = t0.elapsed().as_secs_f64();
    let pats: Vec<Vec<u8>> = (0..patterns)
        .map(|t| network::pattern(seed.named("patterns"), t as u64, n, np.f()))
        .collect();
    let t1 = Instant::now();
    // One pass over the synapses per block of `network::BLOCK` patterns.
    net.present_block(&pats, seed.named("noise"))?;
    let learn_s = t1.elapsed().as_secs_f64();
    let t2 = Instant::now();
    let outs = net.retrieve(&pats, 100, WeightView::Analog)?;
    let retrieve_s = t2.elapsed().as_secs_f64();
    let retrieved = pats
        .iter()
        .zip(&outs)
        .filter(|(p, o)| network::overlap(p, &o.state, np.f()) >= 0.5)
        .count();
    let sweeps: usize = outs.iter().map(|o| o.sweeps).sum();
    let converged = outs.iter().filter(|o| o.converged).count();
    let learn_per = learn_s / patterns.max(1) as f64;
    Ok(BenchReport {
        n,
        c,
        patterns,
        synapses: net.n_synapses(),
        memory_bytes: net.memory_bytes(),
        threads: rayon::current_num_threads(),
        build_s,
        learn_s,
        learn_per_pattern_s: learn_per,
        synapse_updates_per_s: (net.n_synapses() * patterns) as f64 / learn_s,
        retrieve_s,
        sweeps,
        converged,
        total_s: build_s + learn_s + retrieve_s,
        retrieved,
        copy_bandwidth_bytes_per_s: bandwidth,
    })
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "attractor bench: N = {}, c = {}, {} patterns, {} threads",
            self.n, self.c, self.patterns, self.threads
        )?;
        writeln!(
            f,
            "  synapses            {:.3e} ({:.0} MB)",
            self.synapses as f64,
            self.memory_bytes as f64 / 1e6
        )?;
        writeln!(f, "  build               {:.3} s", self.build_s)?;
        writeln!(
            f,
            "  learning            {:.3} s ({:.1} ms/pattern, {:.2e} synapse updates/s)",
            self.learn_s,
            1e3 * self.learn_per_pattern_s,
            self.synapse_updates_per_s
        )?;
        writeln!(
            f,
            "  retrieval           {:.3} s ({} sweeps, {} fixed points; {}/{} retrieved with m >= 0.5)",
            self.retrieve_s, self.sweeps, self.converged, self.retrieved, self.patterns
        )?;
        writeln!(f, "  total               {:.3} s", self.total_s)?;
        write!(
            f,
            "  memory bandwidth    {:.1} GB/s (streaming copy, read + write)",
            self.copy_bandwidth_bytes_per_s / 1e9
        )
    }
}
