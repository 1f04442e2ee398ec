//! Renders one figure of each kind into a directory, for looking at:
//! `cargo run -p spinlearn-plot --example gallery -- OUT_DIR`.

use spinlearn_plot::*;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "gallery".into()));
    std::fs::create_dir_all(&out)?;

    // Linear axes: a bifurcation m = tanh(m / T) with simulated points and a reference line.
    let t: Vec<f64> = (1..=60).map(|i| f64::from(i) * 0.025).collect();
    let m: Vec<f64> = t
        .iter()
        .map(|&t| {
            let mut m = 1.0f64;
            for _ in 0..2000 {
                m = (m / t).tanh();
            }
            m
        })
        .collect();
    let sim_t: Vec<f64> = t.iter().step_by(4).copied().collect();
    let sim_m: Vec<f64> = m.iter().step_by(4).map(|v| v + 0.02).collect();
    let mut lin = LinePlot::new(
        "Curie-Weiss magnetization",
        "temperature T / T_c",
        "magnetization m",
    )
    .with(Series::line("mean field", t.clone(), m.clone()))
    .with(Series::points("Monte Carlo (N = 400)", sim_t, sim_m).with_err(vec![0.03; 15]))
    .with(
        Series::line(
            "m = sqrt(3 (1 - T))",
            t.clone(),
            t.iter()
                .map(|t| (3.0 * (1.0 - t)).max(0.0).sqrt())
                .collect(),
        )
        .with_style(SeriesStyle::Dashed),
    );
    lin.vlines.push((1.0, "T_c".into()));
    lin.hlines.push((0.0, String::new()));
    lin.save(&out.join("line"))?;

    // Narrow log axis.
    let x: Vec<f64> = (0..30).map(|i| 0.5 + f64::from(i) * 0.1).collect();
    let mut nl = LinePlot::new("Narrow log range", "x", "y").with(
        Series::line("y = x^2", x.clone(), x.iter().map(|v| v * v).collect())
            .with_err(x.iter().map(|v| 0.1 * v).collect()),
    );
    nl.log_x = true;
    nl.log_y = true;
    nl.save(&out.join("narrow_log"))?;
    let mut clipped = nl.clone();
    clipped.title = "Fixed ranges clip".into();
    clipped.x_range = Some((0.8, 2.0));
    clipped.y_range = Some((1.0, 3.0));
    clipped.save(&out.join("clipped"))?;

    // Small size, points with error bars on a linear x / log y axis.
    let mut small = LinePlot::new("Small 420x300", "number of samples M", "sparsity rho").with(
        Series::points(
            "BP",
            vec![10.0, 20.0, 50.0, 100.0, 200.0],
            vec![0.9, 0.5, 0.2, 0.08, 0.03],
        )
        .with_err(vec![0.05, 0.04, 0.03, 0.02, 0.01]),
    );
    small.log_y = true;
    small.size = (420, 300);
    small.save(&out.join("small"))?;

    // Panels.
    PlotGrid::row("Two panels", vec![lin.clone(), nl.clone()]).save(&out.join("panels"))?;

    // Histogram.
    let w: Vec<f64> = (0..5000)
        .map(|i| {
            ((f64::from(i) * 0.618).fract() - 0.5) * 2.0 + ((f64::from(i) * 0.377).fract() - 0.5)
        })
        .collect();
    LinePlot::new("Weight histogram", "w", "density")
        .with(histogram("epoch 10", &w, 40).with_style(SeriesStyle::LinePoints))
        .save(&out.join("hist"))?;

    // Image grid of synthetic digits-like blobs, captions, frames.
    let imgs: Vec<Vec<f32>> = (0..24)
        .map(|k| {
            (0..28 * 28)
                .map(|p| {
                    let (y, x) = ((p / 28) as f32, (p % 28) as f32);
                    let (cy, cx) = (14.0 + (k % 5) as f32, 14.0 - (k % 3) as f32);
                    let r = ((y - cy).powi(2) + (x - cx).powi(2)).sqrt();
                    if (r - 7.0).abs() < 2.0 { 1.0 } else { 0.0 }
                })
                .collect()
        })
        .collect();
    let mut g = ImageGrid::new(imgs, (28, 28), 8);
    g.title = "Samples after 1000 Gibbs steps".into();
    g.captions = Some((0..24).map(|k| format!("sample {k} (train)")).collect());
    g.frames = Some(
        (0..24)
            .map(|k| {
                if k % 3 == 0 {
                    [213, 94, 0]
                } else {
                    [200, 200, 200]
                }
            })
            .collect(),
    );
    g.save(&out.join("grid"))?;

    // Ternary feature maps.
    let feats: Vec<Vec<f32>> = (0..12)
        .map(|k| {
            (0..28 * 28)
                .map(|p| (((p * 7 + k * 13) % 11) as f32 / 5.0 - 1.0).round())
                .collect()
        })
        .collect();
    let mut tg = ImageGrid::ternary(feats, (28, 28), 6);
    tg.title = "MPM feature maps (-1 black, 0 gray, +1 white)".into();
    tg.save(&out.join("ternary"))?;

    // Heatmaps: weight matrix (diverging) and a phase diagram (viridis).
    let (r, c) = (40, 60);
    let wm: Vec<f64> = (0..r * c)
        .map(|k| ((k % c) as f64 / 9.0).sin() * ((k / c) as f64 / 7.0).cos())
        .collect();
    Heatmap::matrix(wm, (r, c))
        .with_labels("Weight matrix W", "visible unit j", "hidden unit i", "W_ij")
        .with_colormap(Colormap::Diverging)
        .save(&out.join("heat_matrix"))?;
    let (nb, na) = (30, 50);
    let pd: Vec<f64> = (0..nb * na)
        .map(|k| {
            let (b, a) = (0.1 + (k / na) as f64 * 0.1, 0.01 + (k % na) as f64 * 0.01);
            if a < 0.14 * b.min(1.0) {
                1.0 - a / 0.14
            } else {
                f64::NAN
            }
        })
        .collect();
    Heatmap::grid(pd, (nb, na), (0.0, 0.5), (0.05, 3.05))
        .with_labels(
            "Retrieval phase diagram",
            "load alpha",
            "inverse temperature beta",
            "overlap m",
        )
        .save(&out.join("heat_phase"))?;

    // A full-size RBM weight matrix (784 visible x 500 hidden) and a 100k-point line plot.
    let t0 = std::time::Instant::now();
    let big: Vec<f64> = (0..500 * 784).map(|k| ((k as f64) * 0.001).sin()).collect();
    Heatmap::matrix(big, (500, 784))
        .with_colormap(Colormap::Diverging)
        .save(&out.join("heat_big"))?;
    let t1 = std::time::Instant::now();
    let xs: Vec<f64> = (0..100_000).map(f64::from).collect();
    let ys: Vec<f64> = xs.iter().map(|x| (x * 1e-3).sin()).collect();
    LinePlot::new("100k points", "step", "value")
        .with(Series::line("sin", xs, ys))
        .save(&out.join("line_big"))?;
    println!(
        "heatmap 500x784: {:.3} s, line 1e5 points: {:.3} s",
        (t1 - t0).as_secs_f64(),
        t1.elapsed().as_secs_f64()
    );

    let rep = Report {
        title: "Gallery".into(),
        preamble: vec!["every figure kind".into()],
        sections: vec![ReportSection {
            id: "all".into(),
            title: "All figures".into(),
            text: vec!["One of each.".into()],
            figures: [
                "line",
                "narrow_log",
                "panels",
                "hist",
                "grid",
                "ternary",
                "heat_matrix",
                "heat_phase",
            ]
            .iter()
            .map(|n| Figure {
                path: format!("{n}.png"),
                caption: (*n).into(),
                ..Default::default()
            })
            .collect(),
            table: vec![TableRow {
                name: "a.b".into(),
                value: "1.0".into(),
                paper: Some("1.1".into()),
                note: "n".into(),
                ..Default::default()
            }],
            seconds: 0.0,
            ..Default::default()
        }],
    };
    rep.write(&out)?;
    println!("wrote {}", out.display());
    Ok(())
}
