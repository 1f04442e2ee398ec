//! Renders each figure kind and checks the files: PNG size and non-blank text pixels, SVG text,
//! error handling for bad descriptions, HTML escaping and figure references.

use spinlearn_plot::*;
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("spinlearn-plot-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn decode(p: &std::path::Path) -> image::RgbImage {
    image::open(p).unwrap().to_rgb8()
}

#[test]
fn line_plot_with_log_axes_error_bands_and_legend() {
    let d = tmp("line");
    let x: Vec<f64> = (0..20).map(|i| 2f64.powi(i)).collect();
    let y: Vec<f64> = x.iter().map(|v| v.powf(-0.7)).collect();
    let mut p = LinePlot::new("Power law", "k", "m_k")
        .with(
            Series::line("fit", x.clone(), y.clone()).with_err(y.iter().map(|v| v * 0.2).collect()),
        )
        .with(Series::points("data", x.clone(), y.clone()).with_err(vec![0.01; 20]))
        .with(
            Series::line("dashed", x.clone(), y.iter().map(|v| v * 2.0).collect())
                .with_style(SeriesStyle::Dashed),
        )
        // zero, negative and NaN points must be skipped on log axes, not panic
        .with(Series::points(
            "bad",
            vec![0.0, -1.0, f64::NAN, 4.0],
            vec![1.0, 1.0, 1.0, 0.0],
        ));
    p.log_x = true;
    p.log_y = true;
    p.vlines.push((100.0, "T_c".into()));
    p.hlines.push((0.01, "bound".into()));
    let files = p.save(&d.join("pl")).unwrap();
    assert_eq!(files.len(), 2);
    let img = decode(&files[0]);
    assert_eq!(img.dimensions(), p.size);
    let dark = img
        .pixels()
        .filter(|px| px.0.iter().all(|&c| c < 80))
        .count();
    assert!(dark > 500, "no text/axes drawn: {dark} dark pixels");
    let svg = std::fs::read_to_string(&files[1]).unwrap();
    for t in ["Power law", "m_k", "fit", "dashed", "T_c"] {
        assert!(svg.contains(t), "svg lacks {t}");
    }
}

#[test]
fn bad_plots_are_errors() {
    let d = tmp("bad");
    let empty = LinePlot::new("e", "x", "y");
    assert!(matches!(
        empty.save(&d.join("e")),
        Err(PlotError::Invalid(_))
    ));
    let mism = LinePlot::new("m", "x", "y").with(Series::line("s", vec![1.0, 2.0], vec![1.0]));
    let e = mism.save(&d.join("m")).unwrap_err().to_string();
    assert!(e.contains("2 x values but 1 y values"), "{e}");
    let grid = ImageGrid::new(vec![vec![0.0; 5]], (2, 2), 1);
    assert!(grid.save(&d.join("g")).is_err());
}

#[test]
fn image_grid_pixels_are_exact_and_ternary_maps_use_three_levels() {
    let d = tmp("grid");
    let mut g = ImageGrid::ternary(vec![vec![-1.0, 0.0, 1.0, 0.0]; 3], (2, 2), 2);
    g.scale = 4;
    g.captions = Some(vec!["a".into(), "b".into(), "c".into()]);
    g.title = "Feature maps".into();
    let files = g.save(&d.join("t")).unwrap();
    let img = decode(&files[0]);
    let mut levels: Vec<u8> = img.pixels().map(|p| p.0[0]).collect();
    levels.sort_unstable();
    levels.dedup();
    for l in [0u8, 128, 255] {
        assert!(levels.contains(&l), "level {l} missing");
    }
    // Pixel (0,0) of the first image is black, (0,1) gray, (1,0) white: find the first image.
    let (w, h, buf) = g.render().unwrap();
    assert_eq!((w, h), img.dimensions());
    assert_eq!(buf.len(), (w * h * 3) as usize);
    let svg = std::fs::read_to_string(&files[1]).unwrap();
    assert!(svg.contains("data:image/png;base64,") && svg.contains("Feature maps"));
}

#[test]
fn report_escapes_and_references_figures() {
    let d = tmp("report");
    let r = Report {
        title: "R <&>".into(),
        preamble: vec!["seed 1".into()],
        sections: vec![ReportSection {
            id: "s1".into(),
            title: "Section \"one\"".into(),
            text: vec!["a < b".into()],
            figures: vec![Figure {
                path: "s1/fig.png".into(),
                caption: "cap & more".into(),
            }],
            table: vec![TableRow {
                name: "x.y".into(),
                value: "0.5".into(),
                paper: None,
                note: "n".into(),
            }],
            seconds: 1.0,
        }],
    };
    let p = r.write(&d).unwrap();
    let html = std::fs::read_to_string(p).unwrap();
    assert!(html.contains("R &lt;&amp;&gt;"));
    assert!(html.contains("a &lt; b"));
    assert!(html.contains("src=\"s1/fig.png\""));
    assert!(html.contains("cap &amp; more"));
    assert!(html.contains("not quoted"));
    let back: ReportSection =
        serde_json::from_str(&serde_json::to_string(&r.sections[0]).unwrap()).unwrap();
    assert_eq!(back.figures[0].path, "s1/fig.png");
}

#[test]
fn histogram_integrates_to_one() {
    let v: Vec<f64> = (0..1000).map(|i| (i as f64 / 999.0).powi(2)).collect();
    let s = histogram("h", &v, 20);
    let w = s.x[1] - s.x[0];
    let total: f64 = s.y.iter().sum::<f64>() * w;
    assert!((total - 1.0).abs() < 1e-9);
    assert_eq!(format_tick(0.30000000000000004), "0.3");
    assert_eq!(format_tick(1e-5), "1e-5");
}
