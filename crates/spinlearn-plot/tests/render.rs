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
    // The PNG has PNG_SCALE pixels per SVG unit; the SVG keeps the logical size.
    assert_eq!(
        img.dimensions(),
        (p.size.0 * PNG_SCALE, p.size.1 * PNG_SCALE)
    );
    assert_eq!(PNG_SCALE, 2);
    let dark = img
        .pixels()
        .filter(|px| px.0.iter().all(|&c| c < 80))
        .count();
    assert!(dark > 500, "no text/axes drawn: {dark} dark pixels");
    // The title band (top 36 rows) holds nothing but the title: its glyphs must be there, which
    // needs the embedded font (no system font is consulted).
    let title_px = img
        .enumerate_pixels()
        .filter(|(_, y, p)| *y < 36 * PNG_SCALE && p.0.iter().all(|&c| c < 100))
        .count();
    assert!(title_px > 60, "title text missing: {title_px} dark pixels");
    // Each styled series leaves pixels of its palette colour.
    for c in &PALETTE[..3] {
        let n = img.pixels().filter(|p| p.0 == [c.0, c.1, c.2]).count();
        assert!(n > 100, "colour {c:?} has {n} pixels");
    }
    let svg = std::fs::read_to_string(&files[1]).unwrap();
    assert!(svg.contains(&format!("width=\"{}\" height=\"{}\"", p.size.0, p.size.1)));
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
    assert_eq!((w * PNG_SCALE, h * PNG_SCALE), img.dimensions());
    assert_eq!(buf.len(), (w * h * 3) as usize);
    // The PNG is the logical raster with every pixel repeated PNG_SCALE x PNG_SCALE times,
    // except where text is drawn (rasterized at the larger size): compare away from text.
    let (dw, dh, big) = g.render_at(PNG_SCALE).unwrap();
    assert_eq!((dw, dh), img.dimensions());
    assert_eq!(big, img.as_raw().as_slice());
    let k = PNG_SCALE;
    let y = h - 3; // below the last caption row: frames and padding only
    for x in 0..w {
        let small = &buf[((y * w + x) * 3) as usize..((y * w + x) * 3 + 3) as usize];
        for (dx, dy) in [(0, 0), (k - 1, k - 1)] {
            let o = (((y * k + dy) * dw + x * k + dx) * 3) as usize;
            assert_eq!(&big[o..o + 3], small, "pixel ({x}, {y})");
        }
    }
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
                ..Default::default()
            }],
            table: vec![TableRow {
                name: "x.y".into(),
                value: "0.5".into(),
                paper: None,
                note: "n".into(),
                ..Default::default()
            }],
            seconds: 1.0,
            ..Default::default()
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

fn count(img: &image::RgbImage, rgb: [u8; 3]) -> usize {
    img.pixels().filter(|p| p.0 == rgb).count()
}

#[test]
fn heatmap_has_cells_colour_bar_and_labels() {
    let d = tmp("heat");
    let (r, c) = (10, 20);
    let v: Vec<f64> = (0..r * c).map(|k| (k % c) as f64 - 9.5).collect();
    let h = Heatmap::matrix(v, (r, c))
        .with_labels("Weights <W>", "visible j", "hidden i", "W_ij")
        .with_colormap(Colormap::Diverging);
    let files = h.save(&d.join("w")).unwrap();
    let img = decode(&files[0]);
    assert_eq!(
        img.dimensions(),
        (h.size.0 * PNG_SCALE, h.size.1 * PNG_SCALE)
    );
    // The extreme columns (-9.5 and 9.5 on the symmetric range) take the scale's end colours.
    let lo = Colormap::Diverging.rgb(0.0);
    let hi = Colormap::Diverging.rgb(1.0);
    assert!(count(&img, lo) > 500, "low-end cells missing");
    assert!(count(&img, hi) > 500, "high-end cells missing");
    let dark = img.pixels().filter(|p| p.0.iter().all(|&c| c < 60)).count();
    assert!(dark > 300, "no text drawn: {dark}");
    let svg = std::fs::read_to_string(&files[1]).unwrap();
    for t in [
        "Weights &lt;W&gt;",
        "visible j",
        "hidden i",
        "W_ij",
        "<image",
    ] {
        assert!(svg.contains(t), "svg lacks {t}");
    }
    // Bad descriptions are errors.
    let bad = Heatmap::matrix(vec![1.0; 5], (2, 3));
    assert!(
        bad.save(&d.join("bad"))
            .unwrap_err()
            .to_string()
            .contains("needs 6")
    );
    let bad = Heatmap::grid(vec![1.0; 6], (2, 3), (1.0, 0.0), (0.0, 1.0));
    assert!(matches!(
        bad.save(&d.join("bad")),
        Err(PlotError::Invalid(_))
    ));
}

#[test]
fn plot_grid_puts_panels_side_by_side() {
    let d = tmp("panels");
    let a = LinePlot::new("left panel", "x", "y").with(Series::line(
        "a",
        vec![0.0, 1.0],
        vec![0.0, 1.0],
    ));
    let b = LinePlot::new("right panel", "x", "y")
        .with(Series::points("b", vec![0.0, 1.0], vec![1.0, 0.0]).with_color(1));
    let g = PlotGrid::row("Both", vec![a, b]);
    let files = g.save(&d.join("g")).unwrap();
    let img = decode(&files[0]);
    assert_eq!(
        img.dimensions(),
        (2 * 560 * PNG_SCALE, (420 + 40) * PNG_SCALE)
    );
    // Left half holds the first colour, right half the second.
    let (w, _) = img.dimensions();
    let in_half = |rgb: [u8; 3], right: bool| {
        img.enumerate_pixels()
            .filter(|(x, _, p)| (*x >= w / 2) == right && p.0 == rgb)
            .count()
    };
    let c0 = [PALETTE[0].0, PALETTE[0].1, PALETTE[0].2];
    let c1 = [PALETTE[1].0, PALETTE[1].1, PALETTE[1].2];
    assert!(in_half(c0, false) > 50 && in_half(c0, true) == 0);
    assert!(in_half(c1, true) > 20 && in_half(c1, false) == 0);
    let svg = std::fs::read_to_string(&files[1]).unwrap();
    assert!(svg.contains("left panel") && svg.contains("right panel") && svg.contains("Both"));
    assert!(PlotGrid::row("none", vec![]).save(&d.join("n")).is_err());
}

#[test]
fn svg_text_is_escaped_and_stems_keep_dots() {
    let d = tmp("escape");
    let p = LinePlot::new("a < b & c", "x \"q\"", "y").with(Series::line(
        "s<1>",
        vec![1.0, 2.0],
        vec![1.0, 2.0],
    ));
    let files = p.save(&d.join("sub").join("fig.v2")).unwrap();
    assert_eq!(files[0], d.join("sub").join("fig.v2.png"));
    assert_eq!(files[1], d.join("sub").join("fig.v2.svg"));
    let svg = std::fs::read_to_string(&files[1]).unwrap();
    assert!(svg.contains("a &lt; b &amp; c"), "title not escaped");
    assert!(!svg.contains("s<1>"), "legend not escaped");
    // A stem given with .png still writes both files.
    let files = p.save(&d.join("plain.png")).unwrap();
    assert_eq!(files[1], d.join("plain.svg"));
}

#[test]
fn plots_without_drawable_points_render_a_note() {
    let d = tmp("nodraw");
    let mut p =
        LinePlot::new("zeros", "x", "y").with(Series::line("z", vec![1.0, 2.0], vec![0.0, -1.0]));
    p.log_y = true;
    let files = p.save(&d.join("z")).unwrap();
    let svg = std::fs::read_to_string(&files[1]).unwrap();
    assert!(svg.contains("no data to draw"), "no note");
    let nan = LinePlot::new("nan", "x", "y").with(Series::line("n", vec![f64::NAN], vec![1.0]));
    assert!(nan.save(&d.join("n")).is_ok());
    let mut tiny = LinePlot::new("tiny", "x", "y").with(Series::line("t", vec![1.0], vec![1.0]));
    tiny.size = (0, 0);
    assert!(matches!(
        tiny.save(&d.join("t")),
        Err(PlotError::Invalid(_))
    ));
}

#[test]
fn fixed_ranges_clip_instead_of_pinning_to_the_border() {
    let d = tmp("clip");
    // A line that is entirely above the fixed y range must leave no trace in the plot.
    let mut p = LinePlot::new("", "x", "y")
        .with(Series::line("", vec![0.0, 1.0], vec![5.0, 6.0]))
        .with(Series::line("", vec![0.0, 1.0], vec![0.5, 0.5]).with_color(1));
    p.y_range = Some((0.0, 1.0));
    let files = p.save(&d.join("c")).unwrap();
    let img = decode(&files[0]);
    let c0 = [PALETTE[0].0, PALETTE[0].1, PALETTE[0].2];
    let c1 = [PALETTE[1].0, PALETTE[1].1, PALETTE[1].2];
    assert_eq!(count(&img, c0), 0, "out-of-range line drawn");
    assert!(count(&img, c1) > 300, "in-range line missing");
}

#[test]
fn report_lists_every_section_and_figure_and_links_existing_svgs() {
    let d = tmp("report2");
    // One real figure (PNG + SVG written) and one referenced by path only.
    LinePlot::new("f", "x", "y")
        .with(Series::line("s", vec![0.0, 1.0], vec![0.0, 1.0]))
        .save(&d.join("a").join("fig1"))
        .unwrap();
    let section = |id: &str, figs: &[&str]| ReportSection {
        id: id.into(),
        title: format!("Section {id}"),
        figures: figs
            .iter()
            .map(|p| Figure {
                path: (*p).into(),
                caption: format!("caption of {p}"),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    let r = Report {
        title: "T".into(),
        preamble: vec![],
        sections: vec![
            section("a", &["a/fig1.png"]),
            section("b", &["b/x.png", "b/y.svg"]),
        ],
    };
    let html = std::fs::read_to_string(r.write(&d).unwrap()).unwrap();
    for id in ["a", "b"] {
        assert!(html.contains(&format!("href=\"#{id}\"")), "toc lacks {id}");
        assert!(html.contains(&format!("<section id=\"{id}\">")));
    }
    for p in ["a/fig1.png", "b/x.png", "b/y.svg"] {
        assert!(
            html.contains(&format!("<img src=\"{p}\"")),
            "no img for {p}"
        );
        assert!(html.contains(&format!("caption of {p}")));
    }
    assert!(
        html.contains("href=\"a/fig1.svg\""),
        "existing SVG twin not linked"
    );
    assert!(!html.contains("href=\"b/x.svg\""), "missing SVG linked");
    assert!(!html.contains("computed in"), "zero seconds shown");
    // No external resources and no scripts.
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
    assert!(!d.join("index.html.partial").exists());
}

#[test]
fn report_shows_png_figures_at_their_logical_width() {
    let d = tmp("report-width");
    let p = LinePlot::new("t", "x", "y").with(Series::line("a", vec![0.0, 1.0], vec![0.0, 1.0]));
    p.save(&d.join("s1").join("fig")).unwrap();
    let r = Report {
        title: "R".into(),
        preamble: vec![],
        sections: vec![ReportSection {
            id: "s1".into(),
            title: "S".into(),
            figures: vec![Figure {
                path: "s1/fig.png".into(),
                caption: "c".into(),
                ..Default::default()
            }],
            ..Default::default()
        }],
    };
    let html = std::fs::read_to_string(r.write(&d).unwrap()).unwrap();
    assert!(
        html.contains(&format!("src=\"s1/fig.png\" width=\"{}\"", p.size.0)),
        "figure not shown at its logical width"
    );
}
