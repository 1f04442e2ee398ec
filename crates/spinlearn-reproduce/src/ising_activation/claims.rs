//! Paper 002's headline claims as measured by the section, and its deviations box: the tanh fit of
//! eq. (2) (a = 6, Fig. 2) under both conventions, the bifurcation of eq. (1) at Tc (Fig. 1), the
//! firing-rate closed forms of section 2.4 and their constant, and the lattice check of "MFT is
//! quantitatively incorrect in two dimensions" (section 2.3): Monte Carlo against Onsager, the
//! Binder-crossing Tc against the exact one, and the mean-field Tc against both.

use super::Preset;
use crate::{Claim, Measured, Mode, Result, Rule};
use spinlearn_ising::experiments::{
    ActivationResult, BinderCrossing, BinderCrossingEstimate, FiringCurves, LatticeSweep,
};
use spinlearn_ising::firing::integrate;
use spinlearn_ising::fit::fit_tanh;
use spinlearn_ising::mean_field::firing_branch;
use spinlearn_ising::onsager;
use std::f64::consts::LN_2;

/// The constant the paper prints in the tanh firing rate, Q + ln2/2 + ln(1 + e^{-2Q})/2 + C.
pub const PAPER_CONSTANT: f64 = LN_2 / 2.0;

/// The paper's a of eq. (2) (Fig. 2 caption), and the tolerance its one digit implies.
const PAPER_A: f64 = super::figures::PAPER_A;
const A_TOL: f64 = 0.5;

/// |m| below this is the m = 0 root.
const M_ZERO: f64 = 1e-9;

/// Monte Carlo points at or below this temperature (J/k_B) are compared with Onsager: the
/// correlation length there is a few sites, so the finite-size shift of <|m|> at L >= 16 is far
/// below the statistical error.
const T_ORDERED: f64 = 2.0;

/// The least-squares a of eq. (2) at b = 1 over T in (0, t_max] for t_max in 1, 1.5, the
/// experiment's range and 3, on the experiment's temperature step: `(t_max, a)` pairs, ascending.
pub fn fit_ranges(act: &ActivationResult) -> Result<Vec<(f64, f64)>> {
    let (tc, step) = (act.params.tc, act.params.t_max / act.params.n_t as f64);
    let mut maxes = vec![1.0 * tc, 1.5 * tc, act.params.t_max, 3.0 * tc];
    maxes.sort_by(f64::total_cmp);
    maxes.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
    let mut out = Vec::new();
    for t_max in maxes {
        let n = (t_max / step).round() as usize;
        let ts: Vec<f64> = (1..=n).map(|i| step * i as f64).collect();
        let ms = ts
            .iter()
            .map(|&t| firing_branch(t, tc))
            .collect::<std::result::Result<Vec<f64>, _>>()?;
        out.push((t_max, fit_tanh(&ts, &ms, tc)?.a));
    }
    Ok(out)
}

/// lim_{Q -> inf} (rate(Q) - Q) of the tanh firing rate ∫_0^Q (1 + tanh(a t))/2 dt, by quadrature
/// at Q = 40/a (where the remainder ln(1 + e^{-80})/(2a) is below 1e-34): -ln2/(2a) exactly.
pub fn asymptotic_constant(f: &FiringCurves) -> f64 {
    let q = 40.0 / f.a;
    integrate(|t| 0.5 * (1.0 + (f.a * t).tanh()), 0.0, q, 1e-12).map_or(f64::NAN, |r| r - q)
}

/// Where the nonzero roots of eq. (1) end on the grid: the midpoint of the last temperature with a
/// root |m| > 0 and the next one with none (NaN when the grid does not bracket the transition).
fn bifurcation_temperature(act: &ActivationResult) -> f64 {
    let ordered = |i: usize| {
        act.bifurcation[i]
            .solutions
            .iter()
            .any(|s| s.m.abs() > M_ZERO)
    };
    let n = act.bifurcation.len();
    match (0..n).rev().find(|&i| ordered(i)) {
        Some(i) if i + 1 < n => 0.5 * (act.bifurcation[i].t + act.bifurcation[i + 1].t),
        _ => f64::NAN,
    }
}

/// Fig. 1's structure per temperature: below Tc a stable pair ±m != 0 and an unstable m = 0; above
/// Tc the stable m = 0 alone. Returns (fraction of temperatures below Tc where it holds, the same
/// above Tc).
fn branch_structure(act: &ActivationResult) -> (f64, f64) {
    let tc = act.params.tc;
    let (mut below, mut n_below, mut above, mut n_above) = (0usize, 0usize, 0usize, 0usize);
    for p in &act.bifurcation {
        let sols = &p.solutions;
        if p.t < tc - 1e-12 {
            n_below += 1;
            let up = sols.iter().any(|s| s.stable && s.m > M_ZERO);
            let down = sols.iter().any(|s| s.stable && s.m < -M_ZERO);
            let zero_unstable = sols
                .iter()
                .filter(|s| s.m.abs() <= M_ZERO)
                .all(|s| !s.stable);
            below += usize::from(up && down && zero_unstable);
        } else if p.t > tc + 1e-12 {
            n_above += 1;
            above += usize::from(sols.iter().all(|s| s.m.abs() <= M_ZERO && s.stable));
        }
    }
    let frac = |k: usize, n: usize| {
        if n == 0 {
            f64::NAN
        } else {
            k as f64 / n as f64
        }
    };
    (frac(below, n_below), frac(above, n_above))
}

/// The section's claims with their verdicts (lattice claims not comparable at smoke size).
pub fn claims(
    mode: Mode,
    act: &ActivationResult,
    sw: &LatticeSweep,
    boot: Option<&BinderCrossingEstimate>,
) -> Result<Vec<Claim>> {
    let f = &act.firing;
    let smoke = mode == Mode::Smoke;
    let smoke_reason = "smoke sizes (L = 4, 8; 256 sweeps per point) cannot decide it.";
    let step = act.params.t_max / act.params.n_t as f64;
    let (below, above) = branch_structure(act);
    let relu_gap = f
        .tanh_rate
        .iter()
        .zip(&f.relu)
        .map(|(r, x)| (r - x).abs())
        .fold(0.0, f64::max);
    let constant = asymptotic_constant(f);

    let mut out = vec![
        Claim::new(
            "fit.a_b1",
            "tanh fit of eq. (2), least squares at b = 1",
            Measured::single(act.fit.a),
            "",
            "a = 6 with Tc = 1 (Fig. 2)",
            Rule::Absolute {
                paper: PAPER_A,
                tol: A_TOL,
            },
        )
        .with_note(format!(
            "A least-squares fit with Tc's multiplier fixed at b = 1 gives a = {:.2} over T in (0, {}]; the paper's a = 6 is reached only with b free (next claim).",
            act.fit.a, act.params.t_max
        ))
        .with_figure("tanh_fit"),
        Claim::new(
            "fit.a_free_b",
            "tanh fit of eq. (2), least squares with b free",
            Measured::single(act.fit_shifted.a),
            "",
            "a = 6; \"a second hyperparameter multiplying the critical temperature can be used to bring the fit even closer\" (Fig. 2)",
            Rule::Absolute {
                paper: PAPER_A,
                tol: A_TOL,
            },
        )
        .with_note(format!("b = {:.3}", act.fit_shifted.b))
        .with_figure("tanh_fit"),
        Claim::new(
            "mf.bifurcation_t",
            "eq. (1) bifurcates at T = Tc",
            Measured::single(bifurcation_temperature(act)),
            "Tc",
            "\"The curve bifurcates at the critical value of T\", Tc = 1 (Fig. 1)",
            Rule::Absolute {
                paper: act.params.tc,
                tol: step,
            },
        )
        .with_note(format!(
            "midpoint of the last grid temperature with a nonzero root and the next; tolerance one grid step ({step})"
        ))
        .with_figure("bifurcation"),
        Claim::new(
            "mf.branches",
            "stable ±m below Tc with m = 0 unstable; m = 0 alone above Tc",
            Measured::single(0.5 * (below + above)),
            "fraction of temperatures",
            "two magnetized states below Tc, the zero solution \"energetically unfavorable\"; m = 0 the only solution above Tc (Fig. 1, section 2.4)",
            Rule::Qualitative {
                holds: below == 1.0 && above == 1.0,
                partly: below == 1.0 || above == 1.0,
            },
        )
        .with_figure("bifurcation"),
        Claim::new(
            "firing.closed_forms",
            "firing-rate closed forms equal the integrals",
            Measured::single(f.max_quadrature_error),
            "",
            "∫_0^Q (1 + tanh T)/2 dT and ∫_0^Q σ(T) dT in closed form (section 2.4); max |closed form - adaptive quadrature|",
            Rule::AtMost { bound: 1e-8 },
        )
        .with_figure("firing_rates"),
        Claim::new(
            "firing.relu_elu",
            "tanh firing rate is ReLU/ELU-like",
            Measured::single(relu_gap),
            "",
            "linear for Q >> 0 (ReLU), bounded below like an ELU, \"differing by no more than α anywhere\" (section 2.4); max |rate - ReLU| against α = ln2/(2a)",
            Rule::AtMost {
                bound: LN_2 / (2.0 * f.a),
            },
        )
        .with_figure("firing_rates"),
        Claim::new(
            "firing.constant",
            "constant of the tanh firing rate, lim rate(Q) - Q",
            Measured::single(constant),
            "",
            "+½ ln 2 = 0.3466 (\"Q + ½ ln 2 + ½ ln(1 + e^(-2Q)) + C\", section 2.4)",
            Rule::Absolute {
                paper: PAPER_CONSTANT,
                tol: 1e-6,
            },
        )
        .with_note(
            "Sign slip in the paper: the definite integral from 0 to Q vanishes at Q = 0, which fixes the constant at -½ ln 2 (the printed form gives ln 2 at Q = 0). We use -½ ln 2.",
        )
        .with_figure("firing_rates"),
    ];

    // The lattice check, on the largest size.
    let l_max = *sw.params.ls.last().unwrap_or(&0);
    let z_max = sw
        .for_size(l_max)
        .iter()
        .filter(|r| r.t <= T_ORDERED)
        .map(|r| {
            (r.magnetization.mean - onsager::magnetization(r.t)).abs()
                / r.magnetization.err.max(1e-12)
        })
        .fold(f64::NAN, f64::max);
    out.push(
        Claim::new(
            "mc.onsager",
            "lattice Monte Carlo <|m|> on Onsager's exact magnetization",
            Measured::single(z_max),
            "standard errors",
            &format!(
                "exact 2D result (Onsager/Yang), the lattice that mean field approximates (section 2.3); max |MC - exact| / error over T <= {T_ORDERED}, L = {l_max}"
            ),
            Rule::AtMost { bound: 3.0 },
        )
        .not_comparable_if(smoke, smoke_reason)
        .with_figure("lattice_magnetization"),
    );
    let tc_exact = sw.tc_exact;
    let (t_b, err_b, n_b, pair) = match boot {
        Some(b) => (
            b.t,
            b.err,
            b.n_crossing,
            format!("L = {}/{}", b.l_small, b.l_large),
        ),
        None => (f64::NAN, f64::NAN, 0, "two largest sizes".into()),
    };
    let unresolved = boot.is_none_or(|b| 2 * b.n_crossing < b.n_boot);
    let measured_b = Measured {
        value: t_b,
        spread: err_b,
        n_runs: n_b,
    };
    out.push(
        Claim::new(
            "mc.tc_binder",
            &format!("Binder-cumulant crossing ({pair}), bootstrap resamples"),
            measured_b,
            "J/k_B",
            &format!("exact Tc = 2/ln(1 + √2) = {tc_exact:.4} (Onsager); tolerance 2 bootstrap errors"),
            Rule::Absolute {
                paper: tc_exact,
                tol: 2.0 * err_b,
            },
        )
        .not_comparable_if(smoke, smoke_reason)
        .not_comparable_if(
            !smoke && unresolved,
            "the two largest sizes do not cross reliably on this grid (fewer than half the bootstrap resamples cross).",
        )
        .with_figure("lattice_binder_zoom"),
    );
    let tc_mf = sw.tc_mean_field;
    out.push(
        Claim::new(
            "mf.tc_2d",
            "mean field overestimates the 2D Tc (mean-field Tc / Monte Carlo Tc)",
            Measured::single(tc_mf / t_b),
            "",
            "\"MFT is quantitatively incorrect in two dimensions\" (section 2.3); mean-field Tc = zJ = 4",
            Rule::Qualitative {
                holds: tc_mf - t_b > 3.0 * err_b,
                partly: tc_mf > t_b,
            },
        )
        .not_comparable_if(smoke, smoke_reason)
        .not_comparable_if(
            !smoke && boot.is_none(),
            "no Binder crossing of the two largest sizes on this grid.",
        )
        .with_figure("lattice_magnetization"),
    );
    Ok(out)
}

/// The deviations box: the two known deviations of paper 002 with their causes, and what this
/// mode's sizes leave open.
pub fn deviations(
    mode: Mode,
    p: &Preset,
    act: &ActivationResult,
    fit_ranges: &[(f64, f64)],
    boot: Option<&BinderCrossingEstimate>,
    crossings: &[BinderCrossing],
) -> Vec<String> {
    let ranges = fit_ranges
        .iter()
        .filter(|(t, _)| (t - act.params.t_max).abs() > 1e-12)
        .map(|(t, a)| format!("{a:.2} for T <= {t}"))
        .collect::<Vec<_>>()
        .join(", ");
    let ls =
        p.ls.iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join(", ");
    let mut out = vec![
        format!(
            "Fig. 2's a = 6 is not the least-squares fit of eq. (2) at b = 1: that fit gives a = {:.2} over T in (0, {}] ({ranges}). Only the fit with Tc's multiplier b free, the paper's \"second hyperparameter\", gives a = {:.2} (b = {:.3}): the paper's a = 6 matches the free-b fit only, and the paper states neither the range nor the convention of its fit.",
            act.fit.a, act.params.t_max, act.fit_shifted.a, act.fit_shifted.b
        ),
        "Section 2.4 prints the firing rate as Q + ½ ln 2 + ½ ln(1 + e^(-2Q)) + C; the definite integral from 0 to Q is Q - ½ ln 2 + ½ ln(1 + e^(-2Q)), which vanishes at Q = 0 where the printed form gives ln 2. The +½ ln 2 is a sign slip; we use -½ ln 2 throughout (the floor for Q -> -inf is then -ln2/2, the ELU-like offset).".to_string(),
    ];
    let crossing = match boot {
        Some(b) => format!(
            "Tc is the crossing of the two largest sizes (L = {}/{}), linearly interpolated on the temperature grid, with a parametric-bootstrap error ({} resamples of the cumulants within their standard errors); that error is statistical only and leaves out the finite-size shift of the crossing and the interpolation.",
            b.l_small, b.l_large, b.n_boot
        ),
        None => "The two largest sizes' Binder cumulants do not cross on this grid.".to_string(),
    };
    let crossing = if crossings.len() >= 2 {
        let list = crossings
            .iter()
            .map(|c| format!("{}/{}: {:.4}", c.l_small, c.l_large, c.t))
            .collect::<Vec<_>>()
            .join(", ");
        let rising = crossings.windows(2).all(|w| w[1].t > w[0].t);
        let tc = onsager::tc_exact();
        let below = crossings.iter().all(|c| c.t < tc);
        let trend = if rising && below {
            format!(
                " They rise toward the exact {:.4} as L grows: the crossing's finite-size shift, not noise, is what separates the largest pair from Tc.",
                tc
            )
        } else {
            String::new()
        };
        format!("{crossing} Consecutive-size crossings: {list}.{trend}")
    } else {
        crossing
    };
    out.push(match mode {
        Mode::Smoke => format!(
            "Smoke run (L = {ls}; {} sweeps per point): the lattice claims are not comparable at this size. {crossing}",
            p.sweeps
        ),
        Mode::Quick => format!(
            "Quick run (L = {ls}; {} Wolff sweeps per point): {crossing} The summary's mc.tc_binder_crossing (the mean of all consecutive-size crossings, without error bar) is kept for comparison.",
            p.sweeps
        ),
        Mode::Full => format!(
            "Full run (L = {ls}; {} Wolff sweeps per point): {crossing}",
            p.sweeps
        ),
    });
    out
}
