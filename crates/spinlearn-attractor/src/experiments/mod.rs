//! The sweeps behind the paper's figures, as library drivers with params structs: capacity scans
//! over C, N, r1 or r3 ([`scan`]); the optimal C*, the critical r1*, the exponent a of p ∝ N^a
//! (eq. 11) and the robustness R of eq. (15) ([`optimum`]); theory against simulation, overlaps by
//! age at C*, simulated capacities at the theory's C* and binarized weights against Markov
//! synapses ([`compare`]); the sparse-coding optima of Figs. 7-8 ([`sparse`]).
//!
//! Every driver takes its params checked ([`spinlearn_core::ParamGuard`]), an explicit seed where
//! it simulates, and an observer. Seeds: item k of a driver's outermost list uses `seed.derive(k)`,
//! item j of a list nested in it `seed.derive(k).derive(j)`; a simulation then runs realization r
//! with `.derive(r)` of its seed ([`crate::simulate::simulate`]). The simulating drivers also
//! give their simulations as [`crate::simulate::PlannedSim`]s (`*_plan`, `plan`), so that their
//! realizations can run apart, and put the results together as the driver does (`sim_scaling`,
//! [`DilutionTheory::point`], [`OverlapTheory::curve`], [`ValidSparseParams::optimum`]). Progress: each driver is one
//! stage of its observer, with one step per theory point or simulated realization; theory points
//! run in parallel, simulations one after the other (each parallel inside).

pub mod compare;
pub mod optimum;
pub mod scan;
pub mod sparse;

pub use compare::{
    CONVENTIONS, DilutionParams, DilutionPoint, DilutionTheory, MarkovComparison,
    MarkovComparisonParams, OverlapCurve, OverlapTheory, OverlapsParams, SimAtOptimumParams,
    SimScaling, TheoryVsSim, TheoryVsSimParams, ValidDilutionParams, ValidMarkovComparisonParams,
    ValidOverlapsParams, ValidSimAtOptimumParams, ValidTheoryVsSimParams, binarized_vs_markov,
    binarized_vs_markov_plan, dilution_plan, dilution_study, overlap_plan, overlaps_at_optimum,
    sim_at_optimum, sim_at_optimum_plan, sim_scaling, theory_vs_sim_plan, theory_vs_simulation,
};
pub use optimum::{
    OptimalC, OptimalCParams, RefinedScalingParams, Robustness, RobustnessParams, Scaling,
    ValidOptimalCParams, ValidRefinedScalingParams, ValidRobustnessParams, local_exponents,
    optimal_c, r1_critical, refined_optimal_c, robustness_scan, scaling,
};
pub use scan::{
    CapacityPoint, CapacityScanParams, ScanMethod, Sweep, ValidCapacityScanParams, capacity_scan,
};
pub use sparse::{
    PatternCount, SparseGrid, SparseNoiseParams, SparseNoisePoint, SparseOptimum, SparseParams,
    SparseScanParams, ValidSparseNoiseParams, ValidSparseParams, ValidSparseScanParams,
    potentiated_weight, sparse_exponent, sparse_noise_sweep, sparse_optimum, sparse_scan,
};

use crate::error::Result;
use crate::progress::{Steps, par_map};
use crate::theory::{Theory, ValidTheoryParams};

/// Theory capacities of `points` in parallel, in input order, one step each.
fn theory_capacities(
    points: &[ValidTheoryParams],
    max_age: usize,
    steps: &mut Steps<'_>,
) -> Result<Vec<CapacityPoint>> {
    par_map(points, steps, "capacity", |p| {
        let cap = Theory::new(p)?.capacity(max_age).capacity as f64;
        let s = p.synapse();
        Ok((
            CapacityPoint {
                n: p.n(),
                r1: s.r1(),
                c_well: s.c_well(),
                r3: s.r3(),
                capacity: cap,
                capacity_std: 0.0,
            },
            cap,
        ))
    })
}

/// `name` must hold at least one value.
fn non_empty<T>(name: &str, values: &[T]) -> spinlearn_core::Result<()> {
    if values.is_empty() {
        Err(spinlearn_core::Error::invalid(name, "empty list"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{LearningRule, NetworkParams, SynapseParams};
    use crate::simulate::{SimParams, simulate};
    use crate::theory::TheoryParams;
    use spinlearn_core::{NoObserver, ParamGuard, Seed};

    fn theory(n: usize) -> TheoryParams {
        TheoryParams {
            n,
            c: 0.05,
            synapse: SynapseParams::unit_jump(0.1, 0.0, 0.0),
            ..TheoryParams::default()
        }
    }

    fn direct(n: usize, r1: f64, c_well: f64, r3: f64) -> f64 {
        let p = TheoryParams {
            synapse: SynapseParams::unit_jump(r1, c_well, r3),
            ..theory(n)
        };
        Theory::new(&p.check().unwrap())
            .unwrap()
            .capacity(2000)
            .capacity as f64
    }

    #[test]
    fn optimal_c_is_the_best_direct_theory_capacity() {
        let p = OptimalCParams {
            theory: theory(10_000),
            r1: vec![0.05, 0.5],
            n: vec![3_000, 10_000],
            c_grid: vec![0.0, 1.0, 2.0, 3.0],
            max_age: 2000,
        }
        .check()
        .unwrap();
        let optima = optimal_c(&p, &mut NoObserver).unwrap();
        assert_eq!(optima.len(), 4);
        for o in &optima {
            let caps: Vec<f64> = [0.0, 1.0, 2.0, 3.0]
                .iter()
                .map(|&c| direct(o.n, o.r1, c, 0.0))
                .collect();
            let best = caps.iter().cloned().fold(f64::MIN, f64::max);
            let first = caps.iter().position(|&c| c == best).unwrap();
            assert_eq!(o.capacity, best, "{o:?}");
            assert_eq!(o.c_star, first as f64, "{o:?}");
        }
        // r1-major order, and the exponent of each r1 from its two N.
        assert_eq!((optima[0].r1, optima[0].n), (0.05, 3_000));
        assert_eq!((optima[1].r1, optima[1].n), (0.05, 10_000));
        let sc = scaling(&optima);
        assert_eq!(sc.len(), 2);
        let a = (optima[1].capacity / optima[0].capacity).ln() / (10_000f64 / 3_000.0).ln();
        assert!((sc[0].exponent.unwrap() - a).abs() < 1e-12);
        assert_eq!(sc[0].single_well[1], direct(10_000, 0.05, 0.0, 0.0));
    }

    #[test]
    fn refined_optimum_is_the_best_of_the_fine_grid() {
        let p = RefinedScalingParams {
            optimum: OptimalCParams {
                theory: theory(10_000),
                r1: vec![0.1],
                n: vec![10_000],
                c_grid: vec![0.0, 1.0, 2.0, 3.0],
                max_age: 2000,
            },
            fine_step: 0.25,
        }
        .check()
        .unwrap();
        let o = &refined_optimal_c(&p, &mut NoObserver).unwrap()[0];
        let coarse = [0.0, 1.0, 2.0, 3.0]
            .iter()
            .map(|&c| (c, direct(10_000, 0.1, c, 0.0)))
            .fold((0.0, f64::MIN), |b, q| if q.1 > b.1 { q } else { b });
        // Every fine C within one coarse step of the coarse C*, checked directly.
        let mut best = (f64::NAN, f64::MIN);
        for i in 0..=8 {
            let c = coarse.0 - 1.0 + 0.25 * i as f64;
            if c >= 0.0 {
                let p = direct(10_000, 0.1, c, 0.0);
                if p > best.1 {
                    best = (c, p);
                }
            }
        }
        assert_eq!((o.c_star, o.capacity), best, "{o:?}");
        assert!(o.capacity >= coarse.1);
        assert!(o.curve.iter().any(|q| q.c_well == 0.0));
        let bad = RefinedScalingParams {
            optimum: p_optimum(),
            fine_step: 2.0,
        };
        assert!(bad.check().unwrap_err().to_string().contains("`fine_step`"));
        let a = local_exponents(&[10, 100, 1000], &[2.0, 20.0, 0.0]);
        assert!((a[0] - 1.0).abs() < 1e-12 && a[1].is_nan());
    }

    fn p_optimum() -> OptimalCParams {
        OptimalCParams {
            theory: theory(10_000),
            r1: vec![0.1],
            n: vec![10_000],
            c_grid: vec![0.0, 1.0],
            max_age: 100,
        }
    }

    #[test]
    fn robustness_uses_the_capacities_at_c_star() {
        let p = RobustnessParams {
            optimum: OptimalCParams {
                theory: theory(10_000),
                r1: vec![0.2],
                n: vec![10_000],
                c_grid: vec![0.0, 2.0],
                max_age: 2000,
            },
            r3: vec![0.0, 0.3, 0.6],
        }
        .check()
        .unwrap();
        let r = &robustness_scan(&p, &mut NoObserver).unwrap()[0];
        let caps: Vec<f64> = [0.0, 0.3, 0.6]
            .iter()
            .map(|&r3| direct(10_000, 0.2, r.c_star, r3))
            .collect();
        assert_eq!(r.capacity, caps);
        assert_eq!(r.p0, caps[0]);
        // Least-squares slope over three equally spaced levels: (p(0.6) − p(0)) / (0.6/Ω).
        let slope = (caps[2] - caps[0]) / (0.6 / r.omega);
        if slope != 0.0 {
            assert!((r.r.unwrap() - 1.0 / slope.abs()).abs() < 1e-9 * r.r.unwrap());
        }
    }

    #[test]
    fn simulated_scan_points_use_derived_seeds() {
        let network = NetworkParams {
            n: 300,
            c: 0.2,
            synapse: SynapseParams::unit_jump(0.1, 1.0, 0.0),
            ..NetworkParams::default()
        };
        let p = CapacityScanParams {
            network,
            sweep: Sweep::N,
            values: vec![200.0, 300.0],
            method: ScanMethod::Simulation,
            max_age: 12,
            realizations: 1,
        }
        .check()
        .unwrap();
        let pts = capacity_scan(&p, Seed(4), &mut NoObserver).unwrap();
        for (k, (pt, n)) in pts.iter().zip([200, 300]).enumerate() {
            let sim = SimParams {
                network: NetworkParams { n, ..network },
                patterns: 12,
                ..SimParams::default()
            };
            let r = simulate(
                &sim.check().unwrap(),
                Seed(4).derive(k as u64),
                &mut NoObserver,
            );
            assert_eq!(pt.capacity, r.unwrap().capacity_mean);
            assert_eq!(pt.n, n);
        }
    }

    #[test]
    fn params_errors_name_the_user_key() {
        let err = |e: spinlearn_core::Error| e.to_string();
        let scan = CapacityScanParams {
            network: NetworkParams::default(),
            sweep: Sweep::N,
            values: vec![100.5],
            method: ScanMethod::Theory,
            max_age: 10,
            realizations: 1,
        };
        assert!(err(scan.check().unwrap_err()).contains("`values`"));
        let tf = CapacityScanParams {
            network: NetworkParams {
                rule: LearningRule::TsodyksFeigelman,
                ..NetworkParams::default()
            },
            values: vec![1000.0],
            ..scan.clone()
        };
        assert!(err(tf.check().unwrap_err()).contains("`rule`"));
        let zero = CapacityScanParams {
            max_age: 0,
            values: vec![1000.0],
            method: ScanMethod::Simulation,
            ..scan
        };
        assert!(err(zero.check().unwrap_err()).contains("`max_age`"));
        let grid = SparseGrid {
            rule: LearningRule::AmitFusi,
            synapse: SynapseParams::unit_jump(0.5, 0.0, 0.0),
            c_rel: vec![],
            kappa: vec![0.1],
            patterns: PatternCount::Fixed(10),
            realizations: 1,
        };
        let sparse = SparseParams { n: 200, grid };
        assert!(err(sparse.check().unwrap_err()).contains("`c_rel`"));
        let grid = SparseGrid {
            c_rel: vec![1.0],
            patterns: PatternCount::TimesN(0),
            ..sparse.grid
        };
        let sparse = SparseParams { n: 200, grid };
        assert!(err(sparse.check().unwrap_err()).contains("`patterns`"));
        let opt = OptimalCParams {
            theory: theory(1000),
            r1: vec![0.0],
            n: vec![1000],
            c_grid: vec![0.0],
            max_age: 10,
        };
        assert!(err(opt.check().unwrap_err()).contains("`r1`"));
    }

    /// Realizations run one by one from the drivers' plans, put together, give what the drivers
    /// return.
    #[test]
    fn planned_realizations_put_together_equal_the_drivers() {
        use crate::simulate::SimResult;
        let run = |sim: &crate::simulate::PlannedSim| {
            let reals = (0..sim.params.realizations())
                .map(|r| sim.realization(r).unwrap())
                .collect();
            SimResult::from_realizations(&sim.params, reals, false)
        };
        let p = SimAtOptimumParams {
            optimum: OptimalCParams {
                theory: theory(400),
                r1: vec![0.1, 0.5],
                n: vec![300, 400],
                c_grid: vec![0.0, 1.0, 2.0],
                max_age: 200,
            },
            patterns_factor: 1.0,
            extra_patterns: 4,
            realizations: 2,
        }
        .check()
        .unwrap();
        let direct = sim_at_optimum(&p, Seed(7), &mut NoObserver).unwrap();
        let (mut optima, mut sims) = (Vec::new(), Vec::new());
        for i in (0..p.len()).rev() {
            let (o, sim) = sim_at_optimum_plan(&p, i, Seed(7), &mut NoObserver).unwrap();
            optima.insert(0, o);
            sims.insert(0, run(&sim));
        }
        assert_eq!(sim_scaling(&p, &optima, &sims), direct);
        let p = SparseScanParams {
            grid: SparseGrid {
                rule: LearningRule::AmitFusi,
                synapse: SynapseParams::unit_jump(0.5, 0.0, 0.0),
                c_rel: vec![1.0, 1.2],
                kappa: vec![0.15, 0.3],
                patterns: PatternCount::Fixed(20),
                realizations: 2,
            },
            n: vec![100, 120],
        }
        .check()
        .unwrap();
        let direct = sparse_scan(&p, Seed(3), &mut NoObserver).unwrap();
        let parts: Vec<SparseOptimum> = p
            .plan(Seed(3))
            .into_iter()
            .map(|(g, s)| {
                let sims: Vec<SimResult> = g.plan(s).iter().map(run).collect();
                g.optimum(&sims).unwrap()
            })
            .collect();
        assert_eq!(parts, direct);
    }

    #[test]
    fn sparse_optimum_is_the_best_cell_of_its_grid() {
        let p = SparseParams {
            n: 120,
            grid: SparseGrid {
                rule: LearningRule::AmitFusi,
                synapse: SynapseParams::unit_jump(0.5, 0.0, 0.0),
                c_rel: vec![1.0, 1.2],
                kappa: vec![0.15, 0.3],
                patterns: PatternCount::Fixed(20),
                realizations: 1,
            },
        };
        let v = p.check().unwrap();
        let best = sparse_optimum(&v, Seed(2), &mut NoObserver).unwrap();
        let f = NetworkParams::sparse_f(120);
        let mut caps = Vec::new();
        for (g, (rho, kap)) in [(1.0, 0.15), (1.0, 0.3), (1.2, 0.15), (1.2, 0.3)]
            .into_iter()
            .enumerate()
        {
            let c_well = rho * f * (1.0 - f);
            let sim = SimParams {
                network: NetworkParams {
                    n: 120,
                    c: 1.0,
                    f,
                    rule: LearningRule::AmitFusi,
                    synapse: SynapseParams::unit_jump(0.5, c_well, 0.0),
                    theta: kap * c_well * f * 120.0,
                },
                patterns: 20,
                ..SimParams::default()
            };
            let r = simulate(
                &sim.check().unwrap(),
                Seed(2).derive(g as u64),
                &mut NoObserver,
            );
            caps.push(r.unwrap().capacity_mean);
        }
        assert_eq!(best.capacity, caps.iter().cloned().fold(f64::MIN, f64::max));
    }
}
