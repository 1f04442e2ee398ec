//! Speed figures: checkerboard Metropolis spin flips per second at L = 256 (scalar and
//! multi-spin-coded, the latter with its ratio to the scalar figure measured in the same run) and
//! Wolff cluster updates per second near Tc. Called by `spinlearn bench ising`; never by tests.

use crate::error::Result;
use crate::lattice::{Checkerboard, Lattice, Metropolis, Wolff};
use crate::multispin::{MultiSpinChain, sweep_ensemble};
use crate::onsager::tc_exact;
use serde::Serialize;
use spinlearn_core::Seed;
use std::time::Instant;

/// CPU seconds (user + system) used so far by this process, all threads, from `/proc/self/stat`
/// (Linux; `None` elsewhere). On a shared machine, work / CPU time is the rate the code reaches on
/// cores it has to itself, where wall-clock rates also measure the other tenants' load.
pub fn process_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesized command name; utime and stime are fields 14 and 15.
    let rest = &text[text.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    // USER_HZ is 100 on every Linux configuration in practice.
    Some((utime + stime) / 100.0)
}

/// One measured figure.
#[derive(Debug, Clone, Serialize)]
pub struct BenchFigure {
    /// What was measured.
    pub name: String,
    /// The rate (per wall-clock second).
    pub per_second: f64,
    /// The rate per CPU second of this process (all threads), when measurable.
    pub per_cpu_second: Option<f64>,
    /// Its unit, e.g. `"spin flips/s"`.
    pub unit: String,
    /// Wall seconds of the timed part.
    pub seconds: f64,
    /// Extra context (lattice, temperature, threads).
    pub detail: String,
    /// For a figure that replaces another (multi-spin for scalar Metropolis): its rate over the
    /// replaced path's rate measured in the same run, and that path's name.
    pub vs: Option<(f64, String)>,
}

/// The figures of [`bench`].
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Rayon threads available.
    pub threads: usize,
    /// The figures, in the order measured.
    pub figures: Vec<BenchFigure>,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in &self.figures {
            writeln!(
                f,
                "{:<44} {:>12.4e} {:<18} ({:.2} s wall; {}; per CPU-second {})",
                b.name,
                b.per_second,
                b.unit,
                b.seconds,
                b.detail,
                b.per_cpu_second
                    .map_or("n/a".to_string(), |r| format!("{r:.4e}"))
            )?;
            if let Some((ratio, base)) = &b.vs {
                writeln!(f, "{:<44} {ratio:>12.2}x {base}", "")?;
            }
        }
        Ok(())
    }
}

/// Times `reps` blocks of `block()` (which does `work` spin-flip attempts and returns the accepted
/// flips) after 5 warm-up blocks: (wall rates per block, pooled CPU rate, accepted, wall seconds).
fn time_blocks(
    work: f64,
    reps: usize,
    mut block: impl FnMut() -> u64,
) -> (Vec<f64>, Option<f64>, u64, f64) {
    for _ in 0..5 {
        block();
    }
    let (mut rates, mut cpu_rates) = (Vec::new(), Vec::new());
    let (mut acc, mut total_s) = (0, 0.0);
    for _ in 0..reps.max(1) {
        let cpu0 = process_cpu_seconds();
        let start = Instant::now();
        acc += block();
        let s = start.elapsed().as_secs_f64();
        total_s += s;
        rates.push(work / s);
        if let Some(c) = process_cpu_seconds().zip(cpu0).map(|(a, b)| a - b)
            && c > 0.0
        {
            cpu_rates.push(work / c);
        }
    }
    rates.sort_by(f64::total_cmp);
    let cpu_rate = if cpu_rates.is_empty() {
        None
    } else {
        // CPU time has a 10 ms tick: pool all blocks.
        Some(cpu_rates.len() as f64 / cpu_rates.iter().map(|r| 1.0 / r).sum::<f64>())
    };
    (rates, cpu_rate, acc, total_s)
}

/// A spin-flip figure from [`time_blocks`]: the best block (the least disturbed by other load)
/// as the rate, the median in the detail.
fn flip_figure(
    name: String,
    what: &str,
    work: f64,
    timed: (Vec<f64>, Option<f64>, u64, f64),
) -> BenchFigure {
    let (rates, cpu_rate, acc, total_s) = timed;
    let median = rates[rates.len() / 2];
    BenchFigure {
        name,
        per_second: rates[rates.len() - 1],
        per_cpu_second: cpu_rate,
        unit: "spin flips/s".into(),
        seconds: total_s,
        detail: format!(
            "{what}, best of {} blocks, median {median:.3e}/s, acceptance {:.3}",
            rates.len(),
            acc as f64 / (work * rates.len() as f64)
        ),
        vs: None,
    }
}

/// Checkerboard Metropolis spin-flip attempts per second at side `l`, temperature `t`: `reps`
/// timed blocks of `sweeps` sweeps after 5 warm-up blocks; rows spread over rayon's pool when
/// `parallel`. Reports the best block and the median in the detail.
pub fn metropolis_flips(
    l: usize,
    t: f64,
    sweeps: usize,
    reps: usize,
    parallel: bool,
) -> Result<BenchFigure> {
    let seed = Seed(1);
    let mut cb = Checkerboard::from_lattice(&Lattice::random(l, &mut seed.stream(1 << 40))?)?;
    let mut rngs = seed.streams(l);
    let k = Metropolis::new(t, 0.0)?;
    let work = (sweeps * l * l) as f64;
    let timed = time_blocks(work, reps, || {
        (0..sweeps)
            .map(|_| k.sweep(&mut cb, &mut rngs, parallel))
            .sum()
    });
    Ok(flip_figure(
        format!(
            "metropolis checkerboard L={l} ({})",
            if parallel { "parallel" } else { "1 thread" }
        ),
        &format!("T={t:.3}, blocks of {sweeps} sweeps"),
        work,
        timed,
    ))
}

/// Multi-spin-coded checkerboard Metropolis ([`crate::multispin`]) on one lattice: as
/// [`metropolis_flips`].
pub fn multispin_flips(
    l: usize,
    t: f64,
    sweeps: usize,
    reps: usize,
    parallel: bool,
) -> Result<BenchFigure> {
    let seed = Seed(1);
    let mut chain = MultiSpinChain::new(&Lattice::random(l, &mut seed.stream(1 << 40))?, t, seed)?;
    let work = (sweeps * l * l) as f64;
    let timed = time_blocks(work, reps, || {
        (0..sweeps).map(|_| chain.sweep(parallel)).sum()
    });
    Ok(flip_figure(
        format!(
            "multi-spin metropolis L={l} ({})",
            if parallel {
                "parallel rows"
            } else {
                "1 thread"
            }
        ),
        &format!("T={t:.3}, blocks of {sweeps} sweeps"),
        work,
        timed,
    ))
}

/// Multi-spin Metropolis on an ensemble of `lattices` independent L x L lattices (replicas, each
/// with its own seed), lattices spread over rayon's pool: spin-flip attempts per second of the
/// whole ensemble.
pub fn multispin_ensemble_flips(
    l: usize,
    t: f64,
    lattices: usize,
    sweeps: usize,
    reps: usize,
) -> Result<BenchFigure> {
    let mut chains = (0..lattices as u64)
        .map(|r| {
            let s = Seed(1).derive(r);
            MultiSpinChain::new(&Lattice::random(l, &mut s.stream(1 << 40))?, t, s)
        })
        .collect::<Result<Vec<_>>>()?;
    let work = (lattices * sweeps * l * l) as f64;
    let timed = time_blocks(work, reps, || sweep_ensemble(&mut chains, sweeps));
    Ok(flip_figure(
        format!("multi-spin metropolis {lattices} x L={l} (parallel lattices)"),
        &format!("T={t:.3}, blocks of {sweeps} sweeps of every lattice"),
        work,
        timed,
    ))
}

/// Wolff cluster updates per second at side `l` and temperature `t` over `clusters` clusters
/// (after thermalizing), with the mean cluster size.
pub fn wolff_clusters(l: usize, t: f64, clusters: usize) -> Result<BenchFigure> {
    let mut rng = Seed(2).stream(0);
    let mut lat = Lattice::cold(l)?;
    let mut k = Wolff::new(t)?;
    for _ in 0..200 {
        k.step(&mut lat, &mut rng);
    }
    let cpu0 = process_cpu_seconds();
    let start = Instant::now();
    let mut flipped = 0usize;
    for _ in 0..clusters {
        flipped += k.step(&mut lat, &mut rng);
    }
    let s = start.elapsed().as_secs_f64();
    let cpu = process_cpu_seconds().zip(cpu0).map(|(a, b)| a - b);
    Ok(BenchFigure {
        name: format!("wolff clusters L={l}"),
        per_second: clusters as f64 / s,
        per_cpu_second: cpu.filter(|&c| c > 0.0).map(|c| clusters as f64 / c),
        unit: "clusters/s".into(),
        seconds: s,
        detail: format!(
            "T={t:.4}, mean cluster {:.0} spins, {:.3e} spins flipped/s",
            flipped as f64 / clusters as f64,
            flipped as f64 / s
        ),
        vs: None,
    })
}

/// The benchmark of `spinlearn bench ising`, all at L = 256, T = Tc: scalar Metropolis (1 thread
/// and on the pool), multi-spin Metropolis (1 thread, rows on the pool, and an ensemble of
/// 2 x threads lattices on the pool), each multi-spin figure with its ratio to the scalar figure
/// with the same threads, and Wolff. `quick` shortens every timing about tenfold.
pub fn bench(quick: bool) -> Result<BenchReport> {
    let tc = tc_exact();
    let (sweeps, reps) = if quick { (20, 5) } else { (50, 20) };
    let clusters = if quick { 1_000 } else { 5_000 };
    let threads = rayon::current_num_threads();
    let scalar1 = metropolis_flips(256, tc, sweeps, reps, false)?;
    let scalar_par = metropolis_flips(256, tc, sweeps, reps, true)?;
    // The multi-spin kernel is faster: more sweeps per block keep blocks long enough to time.
    let ms_sweeps = 4 * sweeps;
    let vs = |mut f: BenchFigure, base: &BenchFigure| {
        f.vs = Some((
            f.per_second / base.per_second,
            format!("vs {} (same run)", base.name),
        ));
        f
    };
    let ms1 = vs(multispin_flips(256, tc, ms_sweeps, reps, false)?, &scalar1);
    let ms_par = vs(
        multispin_flips(256, tc, ms_sweeps, reps, true)?,
        &scalar_par,
    );
    let ms_ens = vs(
        multispin_ensemble_flips(256, tc, 2 * threads, ms_sweeps / 2, reps)?,
        &scalar_par,
    );
    let figures = vec![
        scalar1,
        scalar_par,
        ms1,
        ms_par,
        ms_ens,
        wolff_clusters(256, tc, clusters)?,
    ];
    Ok(BenchReport {
        threads: rayon::current_num_threads(),
        figures,
    })
}
