//! Rendering of [`LinePlot`] to PNG and SVG with plotters.
//!
//! Log axes are drawn by plotting log10 of the data on a linear axis and labelling ticks with the
//! original values; points that are non-positive on a log axis, or non-finite, are skipped.

use crate::{LinePlot, PlotError, Result, Series, SeriesStyle, font};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Colour-blind-friendly palette (Okabe-Ito, black last).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
    RGBColor(0, 0, 0),
];

/// Formats a tick value compactly: no `1.0000000001`, scientific notation for extremes.
pub fn format_tick(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        let s = format!("{v:.1e}");
        return s.replace(".0e", "e");
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

fn tf(v: f64, log: bool) -> Option<f64> {
    if !v.is_finite() {
        return None;
    }
    if log {
        if v > 0.0 { Some(v.log10()) } else { None }
    } else {
        Some(v)
    }
}

fn check(plot: &LinePlot) -> Result<()> {
    if plot.series.is_empty() {
        return Err(PlotError::Invalid(format!(
            "plot '{}' has no series",
            plot.title
        )));
    }
    for s in &plot.series {
        if s.x.len() != s.y.len() {
            return Err(PlotError::Invalid(format!(
                "series '{}': {} x values but {} y values",
                s.label,
                s.x.len(),
                s.y.len()
            )));
        }
        if let Some(e) = &s.y_err
            && e.len() != s.y.len()
        {
            return Err(PlotError::Invalid(format!(
                "series '{}': {} error values for {} points",
                s.label,
                e.len(),
                s.y.len()
            )));
        }
    }
    Ok(())
}

/// Transformed points `(x, y, lo, hi)` of a series, skipping unusable ones.
fn points(s: &Series, lx: bool, ly: bool) -> Vec<(f64, f64, f64, f64)> {
    let mut out = Vec::with_capacity(s.x.len());
    for i in 0..s.x.len() {
        let (Some(x), Some(y)) = (tf(s.x[i], lx), tf(s.y[i], ly)) else {
            continue;
        };
        let e = s
            .y_err
            .as_ref()
            .map(|e| e[i])
            .filter(|e| e.is_finite())
            .unwrap_or(0.0)
            .abs();
        let lo = tf(s.y[i] - e, ly).unwrap_or(y);
        let hi = tf(s.y[i] + e, ly).unwrap_or(y);
        out.push((x, y, lo, hi));
    }
    out
}

fn range(vals: impl Iterator<Item = f64>, fixed: Option<(f64, f64)>, log: bool) -> (f64, f64) {
    if let Some((a, b)) = fixed
        && let (Some(a), Some(b)) = (tf(a, log), tf(b, log))
        && b > a
    {
        return (a, b);
    }
    let (mut lo, mut hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 * (1.0 + lo.abs()) {
        lo -= 0.5;
        hi += 0.5;
    }
    let m = 0.05 * (hi - lo);
    (lo - m, hi + m)
}

impl LinePlot {
    /// Writes `stem.png` and `stem.svg`; returns their paths.
    pub fn save(&self, stem: &Path) -> Result<Vec<PathBuf>> {
        check(self)?;
        font::ensure();
        let png = stem.with_extension("png");
        let svg = stem.with_extension("svg");
        {
            let root = BitMapBackend::new(&png, self.size).into_drawing_area();
            draw(self, root).map_err(|reason| PlotError::Draw {
                path: png.clone(),
                reason,
            })?;
        }
        {
            let root = SVGBackend::new(&svg, self.size).into_drawing_area();
            draw(self, root).map_err(|reason| PlotError::Draw {
                path: svg.clone(),
                reason,
            })?;
        }
        Ok(vec![png, svg])
    }
}

fn draw<DB: DrawingBackend>(
    p: &LinePlot,
    root: DrawingArea<DB, Shift>,
) -> std::result::Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (lx, ly) = (p.log_x, p.log_y);
    let pts: Vec<Vec<(f64, f64, f64, f64)>> = p.series.iter().map(|s| points(s, lx, ly)).collect();
    let xr = range(
        pts.iter()
            .flatten()
            .map(|q| q.0)
            .chain(p.vlines.iter().filter_map(|v| tf(v.0, lx))),
        p.x_range,
        lx,
    );
    let yr = range(
        pts.iter()
            .flatten()
            .flat_map(|q| [q.2, q.3])
            .chain(p.hlines.iter().filter_map(|v| tf(v.0, ly))),
        p.y_range,
        ly,
    );
    let mut builder = ChartBuilder::on(&root);
    builder
        .margin(18)
        .x_label_area_size(52)
        .y_label_area_size(72);
    if !p.title.is_empty() {
        builder.caption(&p.title, (font::FAMILY, 22));
    }
    let mut chart = builder
        .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)
        .map_err(e)?;
    let fx = move |v: &f64| format_tick(if lx { 10f64.powf(*v) } else { *v });
    let fy = move |v: &f64| format_tick(if ly { 10f64.powf(*v) } else { *v });
    chart
        .configure_mesh()
        .x_desc(&p.x_label)
        .y_desc(&p.y_label)
        .x_labels(8)
        .y_labels(8)
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .label_style((font::FAMILY, 15))
        .axis_desc_style((font::FAMILY, 17))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(e)?;

    let mut legend = false;
    for (k, (s, pts)) in p.series.iter().zip(&pts).enumerate() {
        if pts.is_empty() {
            continue;
        }
        let color = PALETTE[s.color.unwrap_or(k) % PALETTE.len()];
        let has_err = s.y_err.is_some();
        let line = matches!(
            s.style,
            SeriesStyle::Line | SeriesStyle::Dashed | SeriesStyle::LinePoints
        );
        let marks = matches!(s.style, SeriesStyle::Points | SeriesStyle::LinePoints);
        if has_err && line && !marks {
            let mut poly: Vec<(f64, f64)> = pts.iter().map(|q| (q.0, q.3)).collect();
            poly.extend(pts.iter().rev().map(|q| (q.0, q.2)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    color.mix(0.18).filled(),
                )))
                .map_err(e)?;
        }
        if has_err && marks {
            chart
                .draw_series(
                    pts.iter().map(|q| {
                        ErrorBar::new_vertical(q.0, q.2, q.1, q.3, color.stroke_width(1), 6)
                    }),
                )
                .map_err(e)?;
        }
        let style = color.stroke_width(2);
        let anno = match s.style {
            SeriesStyle::Dashed => chart
                .draw_series(DashedLineSeries::new(
                    pts.iter().map(|q| (q.0, q.1)),
                    8,
                    5,
                    style,
                ))
                .map_err(e)?,
            SeriesStyle::Line => chart
                .draw_series(LineSeries::new(pts.iter().map(|q| (q.0, q.1)), style))
                .map_err(e)?,
            SeriesStyle::Points => chart
                .draw_series(
                    pts.iter()
                        .map(|q| Circle::new((q.0, q.1), 4, color.filled())),
                )
                .map_err(e)?,
            SeriesStyle::LinePoints => {
                chart
                    .draw_series(LineSeries::new(pts.iter().map(|q| (q.0, q.1)), style))
                    .map_err(e)?;
                chart
                    .draw_series(
                        pts.iter()
                            .map(|q| Circle::new((q.0, q.1), 4, color.filled())),
                    )
                    .map_err(e)?
            }
        };
        if !s.label.is_empty() {
            legend = true;
            let st = s.style;
            anno.label(s.label.clone()).legend(
                move |(x, y)| -> DynElement<'static, DB, (i32, i32)> {
                    match st {
                        SeriesStyle::Points => {
                            Circle::new((x + 10, y), 4, color.filled()).into_dyn()
                        }
                        SeriesStyle::Dashed => {
                            PathElement::new(vec![(x, y), (x + 8, y)], color.stroke_width(2))
                                .into_dyn()
                        }
                        _ => PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                            .into_dyn(),
                    }
                },
            );
        }
    }
    let grey = RGBColor(90, 90, 90);
    for (v, label) in &p.vlines {
        if let Some(x) = tf(*v, lx) {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x, yr.0), (x, yr.1)],
                    6,
                    4,
                    grey.stroke_width(1),
                ))
                .map_err(e)?;
            if !label.is_empty() {
                chart
                    .draw_series(std::iter::once(Text::new(
                        label.clone(),
                        (x, yr.1 - 0.04 * (yr.1 - yr.0)),
                        (font::FAMILY, 14).into_font().color(&grey),
                    )))
                    .map_err(e)?;
            }
        }
    }
    for (v, label) in &p.hlines {
        if let Some(y) = tf(*v, ly) {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(xr.0, y), (xr.1, y)],
                    6,
                    4,
                    grey.stroke_width(1),
                ))
                .map_err(e)?;
            if !label.is_empty() {
                chart
                    .draw_series(std::iter::once(Text::new(
                        label.clone(),
                        (xr.0 + 0.02 * (xr.1 - xr.0), y),
                        (font::FAMILY, 14).into_font().color(&grey),
                    )))
                    .map_err(e)?;
            }
        }
    }
    if legend {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font((font::FAMILY, 15))
            .draw()
            .map_err(e)?;
    }
    root.present().map_err(e)?;
    Ok(())
}
