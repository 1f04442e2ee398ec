//! Speed figures: checkerboard Metropolis spin flips per second at L = 256 and Wolff cluster
//! updates per second near Tc. Called by `spinlearn bench ising`; never by tests.

use crate::error::Result;
use crate::lattice::{Checkerboard, Lattice, Metropolis, Wolff};
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
        }
        Ok(())
    }
}

/// Checkerboard Metropolis spin-flip attempts per second at side `l`, temperature `t`: `reps`
/// timed blocks of `sweeps` sweeps after 5 warm-up sweeps; rows spread over rayon's pool when
/// `parallel`. Reports the best block (the least disturbed by other load) and the median in the
/// detail.
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
    for _ in 0..5 {
        k.sweep(&mut cb, &mut rngs, parallel);
    }
    let work = (sweeps * l * l) as f64;
    let (mut rates, mut cpu_rates) = (Vec::new(), Vec::new());
    let (mut acc, mut total_s) = (0, 0.0);
    for _ in 0..reps.max(1) {
        let cpu0 = process_cpu_seconds();
        let start = Instant::now();
        for _ in 0..sweeps {
            acc += k.sweep(&mut cb, &mut rngs, parallel);
        }
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
    let median = rates[rates.len() / 2];
    let best = rates[rates.len() - 1];
    let cpu_rate = if cpu_rates.is_empty() {
        None
    } else {
        // CPU time has a 10 ms tick: pool all blocks.
        Some(cpu_rates.len() as f64 / cpu_rates.iter().map(|r| 1.0 / r).sum::<f64>())
    };
    Ok(BenchFigure {
        name: format!(
            "metropolis checkerboard L={l} ({})",
            if parallel { "parallel" } else { "1 thread" }
        ),
        per_second: best,
        per_cpu_second: cpu_rate,
        unit: "spin flips/s".into(),
        seconds: total_s,
        detail: format!(
            "T={t:.3}, best of {} blocks of {sweeps} sweeps, median {median:.3e}/s, acceptance {:.3}",
            rates.len(),
            acc as f64 / (work * rates.len() as f64)
        ),
    })
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
    })
}

/// The benchmark of `spinlearn bench ising`: Metropolis at L = 256, T = Tc (1 thread and on the
/// pool) and Wolff at L = 256, T = Tc. `quick` shortens every timing about tenfold.
pub fn bench(quick: bool) -> Result<BenchReport> {
    let tc = tc_exact();
    let (sweeps, reps) = if quick { (20, 5) } else { (50, 20) };
    let clusters = if quick { 1_000 } else { 5_000 };
    let figures = vec![
        metropolis_flips(256, tc, sweeps, reps, false)?,
        metropolis_flips(256, tc, sweeps, reps, true)?,
        wolff_clusters(256, tc, clusters)?,
    ];
    Ok(BenchReport {
        threads: rayon::current_num_threads(),
        figures,
    })
}
