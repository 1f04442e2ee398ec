//! Rendering of [`LinePlot`] to PNG and SVG with plotters.
//!
//! Log axes are drawn by plotting log10 of the data on a linear axis and labelling ticks with the
//! original values; points that are non-positive on a log axis, or non-finite, are skipped.

use crate::axis::Axis;
use crate::{LinePlot, PlotError, Result, Series, SeriesStyle, font};
use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendCoord, DrawingErrorKind};
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

/// A tick label on an axis spanning `range` (axis space): log ticks show `10^v`, linear ticks
/// within `1e-9` of the span from zero (float noise in tick placement) show `0`. One style per
/// axis: when any value on the axis needs scientific notation, every tick label uses it (no
/// "80000" beside "1e5").
pub(crate) fn axis_tick(v: f64, range: (f64, f64), log: bool) -> String {
    let (value, ends) = if log {
        (
            10f64.powf(v),
            (
                10f64.powf(range.0.min(range.1)),
                10f64.powf(range.0.max(range.1)),
            ),
        )
    } else {
        (v, (range.0.min(range.1), range.0.max(range.1)))
    };
    if !log && v.abs() < 1e-9 * (range.1 - range.0).abs() {
        return "0".into();
    }
    let big = ends.0.abs().max(ends.1.abs());
    let small = if log { ends.0 } else { big };
    let sci = big >= 1e5 || (small > 0.0 && small < 1e-3);
    if sci && value != 0.0 && value.is_finite() {
        let s = format!("{value:.1e}");
        s.replace(".0e", "e")
    } else {
        format_tick(value)
    }
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

pub(crate) fn check(plot: &LinePlot) -> Result<()> {
    if plot.size.0 < 160 || plot.size.1 < 120 {
        return Err(PlotError::Invalid(format!(
            "plot '{}': size {}x{} is below the minimum 160x120",
            plot.title, plot.size.0, plot.size.1
        )));
    }
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
        let (png, svg) = crate::output_paths(stem)?;
        let tmp = crate::partial(&png);
        {
            let root = crate::png_backend(&tmp, self.size).into_drawing_area();
            draw(self, &root)
                .and_then(|()| root.present().map_err(|e| e.to_string()))
                .map_err(|reason| PlotError::Draw {
                    path: png.clone(),
                    reason,
                })?;
        }
        crate::commit(&tmp, &png)?;
        let mut doc = String::new();
        {
            let root = SVGBackend::with_string(&mut doc, self.size).into_drawing_area();
            draw(self, &root)
                .and_then(|()| root.present().map_err(|e| e.to_string()))
                .map_err(|reason| PlotError::Draw {
                    path: svg.clone(),
                    reason,
                })?;
        }
        crate::write_file(&svg, doc.as_bytes())?;
        Ok(vec![png, svg])
    }
}

/// The visible rectangle in axis space; lines, bands and markers are clipped to it (plotters
/// would pin outside points to the border, drawing lines that are not in the data).
#[derive(Debug, Clone, Copy)]
struct Rect {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Rect {
    fn contains(&self, (x, y): (f64, f64)) -> bool {
        let (ex, ey) = (1e-9 * (self.x1 - self.x0), 1e-9 * (self.y1 - self.y0));
        x >= self.x0 - ex && x <= self.x1 + ex && y >= self.y0 - ey && y <= self.y1 + ey
    }

    /// Liang-Barsky clipping of the segment `a`-`b`.
    fn clip_segment(&self, a: (f64, f64), b: (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, a.0 - self.x0),
            (dx, self.x1 - a.0),
            (-dy, a.1 - self.y0),
            (dy, self.y1 - a.1),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return None;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
            }
        }
        (t0 <= t1).then_some((
            (a.0 + t0 * dx, a.1 + t0 * dy),
            (a.0 + t1 * dx, a.1 + t1 * dy),
        ))
    }

    /// The visible pieces of a polyline; a single point inside is kept as a one-point run.
    fn clip_polyline(&self, pts: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
        let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
        if pts.len() == 1 && self.contains(pts[0]) {
            return vec![pts.to_vec()];
        }
        let mut open = false;
        for w in pts.windows(2) {
            match self.clip_segment(w[0], w[1]) {
                Some((a, b)) => {
                    let continues = open && a == w[0];
                    if !continues {
                        runs.push(vec![a]);
                    }
                    if let Some(run) = runs.last_mut() {
                        run.push(b);
                    }
                    open = b == w[1];
                }
                None => open = false,
            }
        }
        runs
    }

    /// Sutherland-Hodgman clipping of a polygon.
    fn clip_polygon(&self, poly: &[(f64, f64)]) -> Vec<(f64, f64)> {
        type Edge = (
            fn(&Rect, (f64, f64)) -> bool,
            fn(&Rect, (f64, f64), (f64, f64)) -> (f64, f64),
        );
        fn at_x(a: (f64, f64), b: (f64, f64), x: f64) -> (f64, f64) {
            (x, a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0))
        }
        fn at_y(a: (f64, f64), b: (f64, f64), y: f64) -> (f64, f64) {
            (a.0 + (b.0 - a.0) * (y - a.1) / (b.1 - a.1), y)
        }
        let edges: [Edge; 4] = [
            (|r, p| p.0 >= r.x0, |r, a, b| at_x(a, b, r.x0)),
            (|r, p| p.0 <= r.x1, |r, a, b| at_x(a, b, r.x1)),
            (|r, p| p.1 >= r.y0, |r, a, b| at_y(a, b, r.y0)),
            (|r, p| p.1 <= r.y1, |r, a, b| at_y(a, b, r.y1)),
        ];
        let mut out = poly.to_vec();
        for (inside, cross) in edges {
            let input = std::mem::take(&mut out);
            for (i, &cur) in input.iter().enumerate() {
                let prev = input[(i + input.len() - 1) % input.len()];
                match (inside(self, prev), inside(self, cur)) {
                    (true, true) => out.push(cur),
                    (true, false) => out.push(cross(self, prev, cur)),
                    (false, true) => {
                        out.push(cross(self, prev, cur));
                        out.push(cur);
                    }
                    (false, false) => {}
                }
            }
        }
        out
    }
}

/// The legend sample of one series: a line, a dashed line, a marker, or a line with a marker.
struct LegendMark {
    at: BackendCoord,
    style: SeriesStyle,
    color: RGBColor,
}

impl<'a> PointCollection<'a, BackendCoord> for &'a LegendMark {
    type Point = &'a BackendCoord;
    type IntoIter = std::iter::Once<&'a BackendCoord>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for LegendMark {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> std::result::Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some((x, y)) = pos.next() else {
            return Ok(());
        };
        let stroke = self.color.stroke_width(2);
        let fill = self.color.filled();
        match self.style {
            SeriesStyle::Line => backend.draw_line((x, y), (x + 20, y), &stroke),
            SeriesStyle::Dashed => {
                backend.draw_line((x, y), (x + 7, y), &stroke)?;
                backend.draw_line((x + 13, y), (x + 20, y), &stroke)
            }
            SeriesStyle::Points => backend.draw_circle((x + 10, y), 4, &fill, true),
            SeriesStyle::LinePoints => {
                backend.draw_line((x, y), (x + 20, y), &stroke)?;
                backend.draw_circle((x + 10, y), 4, &fill, true)
            }
            SeriesStyle::Guide => {
                let grey = RGBColor(110, 110, 110).stroke_width(1);
                for k in 0..5 {
                    backend.draw_line((x + 4 * k, y), (x + 4 * k + 2, y), &grey)?;
                }
                Ok(())
            }
            SeriesStyle::Bars => backend.draw_rect((x + 4, y - 5), (x + 16, y + 5), &fill, true),
        }
    }
}

/// The legend corner (or side) covering the fewest occupied pixels; ties go to the earlier of
/// upper right, upper left, lower right, lower left, middle right, middle left.
fn legend_position(
    occupied: &[(i32, i32)],
    (xs, ys): (std::ops::Range<i32>, std::ops::Range<i32>),
    (bw, bh): (i32, i32),
) -> SeriesLabelPosition {
    use SeriesLabelPosition::*;
    let (w, h) = (xs.end - xs.start, ys.end - ys.start);
    let candidates = [
        (UpperRight, (w - bw - 5, 5)),
        (UpperLeft, (5, 5)),
        (LowerRight, (w - bw - 5, h - bh - 5)),
        (LowerLeft, (5, h - bh - 5)),
        (MiddleRight, (w - bw - 5, (h - bh) / 2)),
        (MiddleLeft, (5, (h - bh) / 2)),
    ];
    let mut best = (usize::MAX, UpperRight);
    for (pos, (x0, y0)) in candidates {
        let (x0, y0) = (xs.start + x0 - 6, ys.start + y0 - 6);
        let n = occupied
            .iter()
            .filter(|(x, y)| *x >= x0 && *x <= x0 + bw + 12 && *y >= y0 && *y <= y0 + bh + 12)
            .count();
        if n < best.0 {
            best = (n, pos);
        }
    }
    best.1
}

/// Draws `p` into `root` (no `present`).
pub(crate) fn draw<DB: DrawingBackend>(
    p: &LinePlot,
    root: &DrawingArea<DB, Shift>,
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
    let bars = p.series.iter().any(|s| s.style == SeriesStyle::Bars) && !ly;
    let yr = range(
        pts.iter()
            .flatten()
            .flat_map(|q| [q.2, q.3])
            .chain(bars.then_some(0.0))
            .chain(p.hlines.iter().filter_map(|v| tf(v.0, ly))),
        p.y_range,
        ly,
    );
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(18)
        .x_label_area_size(52)
        .y_label_area_size(72);
    if !p.title.is_empty() {
        builder.caption(&p.title, (font::FAMILY, 22));
    }
    let ax = |r: (f64, f64), log: bool| Axis {
        lo: r.0,
        hi: r.1,
        log,
        flip: false,
    };
    let mut chart = builder
        .build_cartesian_2d(ax(xr, lx), ax(yr, ly))
        .map_err(e)?;
    let fx = move |v: &f64| axis_tick(*v, xr, lx);
    let fy = move |v: &f64| axis_tick(*v, yr, ly);
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

    if pts.iter().all(Vec::is_empty) {
        // Nothing survives the filters: keep the figure (a pipeline should not fail on one empty
        // curve) but say so on it.
        let why = if lx || ly {
            "no data to draw (all points non-finite or non-positive on a log axis)"
        } else {
            "no data to draw (all points non-finite)"
        };
        chart
            .draw_series(std::iter::once(Text::new(
                why,
                ((xr.0 + xr.1) / 2.0, (yr.0 + yr.1) / 2.0),
                (font::FAMILY, 16)
                    .into_font()
                    .color(&RGBColor(150, 0, 0))
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            )))
            .map_err(e)?;
    }
    let rect = Rect {
        x0: xr.0,
        x1: xr.1,
        y0: yr.0,
        y1: yr.1,
    };
    let mut legend = false;
    for (k, (s, pts)) in p.series.iter().zip(&pts).enumerate() {
        if pts.is_empty() {
            continue;
        }
        let color = if s.style == SeriesStyle::Guide {
            RGBColor(110, 110, 110)
        } else {
            PALETTE[s.color.unwrap_or(k) % PALETTE.len()]
        };
        if s.style == SeriesStyle::Bars {
            let xs: Vec<f64> = pts.iter().map(|q| q.0).collect();
            let gap = xs
                .windows(2)
                .map(|w| (w[1] - w[0]).abs())
                .filter(|d| *d > 0.0)
                .fold(f64::INFINITY, f64::min);
            let half = if gap.is_finite() { 0.4 * gap } else { 0.4 };
            chart
                .draw_series(pts.iter().map(|q| {
                    let lo = 0f64.clamp(rect.y0, rect.y1);
                    Rectangle::new(
                        [(q.0 - half, lo), (q.0 + half, q.1.clamp(rect.y0, rect.y1))],
                        color.mix(0.85).filled(),
                    )
                }))
                .map_err(e)?;
        }
        let has_err = s.y_err.is_some();
        let line = matches!(
            s.style,
            SeriesStyle::Line | SeriesStyle::Dashed | SeriesStyle::LinePoints | SeriesStyle::Guide
        );
        let marks = matches!(s.style, SeriesStyle::Points | SeriesStyle::LinePoints);
        if has_err && line && !marks {
            let mut poly: Vec<(f64, f64)> = pts.iter().map(|q| (q.0, q.3)).collect();
            poly.extend(pts.iter().rev().map(|q| (q.0, q.2)));
            let poly = rect.clip_polygon(&poly);
            if poly.len() >= 3 {
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        poly,
                        color.mix(0.18).filled(),
                    )))
                    .map_err(e)?;
            }
        }
        let inside: Vec<&(f64, f64, f64, f64)> =
            pts.iter().filter(|q| rect.contains((q.0, q.1))).collect();
        if has_err && marks {
            chart
                .draw_series(inside.iter().map(|q| {
                    ErrorBar::new_vertical(
                        q.0,
                        q.2.max(rect.y0),
                        q.1,
                        q.3.min(rect.y1),
                        color.stroke_width(1),
                        6,
                    )
                }))
                .map_err(e)?;
        }
        let style = color.stroke_width(2);
        if line {
            let xy: Vec<(f64, f64)> = pts.iter().map(|q| (q.0, q.1)).collect();
            for run in rect.clip_polyline(&xy) {
                if s.style == SeriesStyle::Guide {
                    chart
                        .draw_series(DashedLineSeries::new(run, 2, 4, color.stroke_width(1)))
                        .map_err(e)?;
                } else if s.style == SeriesStyle::Dashed {
                    chart
                        .draw_series(DashedLineSeries::new(run, 8, 5, style))
                        .map_err(e)?;
                } else {
                    chart.draw_series(LineSeries::new(run, style)).map_err(e)?;
                }
            }
        }
        if marks {
            chart
                .draw_series(
                    inside
                        .iter()
                        .map(|q| Circle::new((q.0, q.1), 4, color.filled())),
                )
                .map_err(e)?;
        }
        if !s.label.is_empty() {
            legend = true;
            let st = s.style;
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .map_err(e)?
                .label(s.label.clone())
                .legend(move |at| LegendMark {
                    at,
                    style: st,
                    color,
                });
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
                    .draw_series(std::iter::once(
                        EmptyElement::at((x, yr.1))
                            + Text::new(
                                label.clone(),
                                (5, 4),
                                (font::FAMILY, 14).into_font().color(&grey),
                            ),
                    ))
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
                    .draw_series(std::iter::once(
                        EmptyElement::at((xr.0, y))
                            + Text::new(
                                label.clone(),
                                (6, -4),
                                (font::FAMILY, 14)
                                    .into_font()
                                    .color(&grey)
                                    .pos(Pos::new(HPos::Left, VPos::Bottom)),
                            ),
                    ))
                    .map_err(e)?;
            }
        }
    }
    if legend {
        // Occupied pixels: data points, points along line segments, and reference-line labels.
        let mut occupied: Vec<(i32, i32)> = Vec::new();
        for (s, pts) in p.series.iter().zip(&pts) {
            let line = !matches!(s.style, SeriesStyle::Points);
            for (i, q) in pts.iter().enumerate() {
                occupied.push(chart.backend_coord(&(q.0, q.1)));
                if line && i > 0 {
                    let (a, b) = (pts[i - 1], q);
                    for t in 1..8 {
                        let t = f64::from(t) / 8.0;
                        occupied.push(
                            chart.backend_coord(&(a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))),
                        );
                    }
                }
            }
        }
        for (v, label) in &p.vlines {
            if let (Some(x), false) = (tf(*v, lx), label.is_empty()) {
                let (px, py) = chart.backend_coord(&(x, yr.1));
                for k in 0..(label.chars().count() as i32 + 1) {
                    occupied.push((px + 5 + 8 * k, py + 10));
                }
            }
        }
        let labels: Vec<&str> = p
            .series
            .iter()
            .zip(&pts)
            .filter(|(s, q)| !s.label.is_empty() && !q.is_empty())
            .map(|(s, _)| s.label.as_str())
            .collect();
        let font: TextStyle = (font::FAMILY, 15).into();
        let text_w = labels
            .iter()
            .map(|l| root.estimate_text_size(l, &font).map_or(0, |d| d.0))
            .max()
            .unwrap_or(0);
        let boxsize = (text_w as i32 + 50, labels.len() as i32 * 22 + 12);
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        let position = legend_position(&occupied, (xs, ys), boxsize);
        chart
            .configure_series_labels()
            .position(position)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font((font::FAMILY, 15))
            .draw()
            .map_err(e)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: Rect = Rect {
        x0: 0.0,
        x1: 1.0,
        y0: 0.0,
        y1: 1.0,
    };

    #[test]
    fn segments_are_clipped_at_the_border() {
        // y = x from -1 to 2 enters at (0,0) and leaves at (1,1).
        let (a, b) = R.clip_segment((-1.0, -1.0), (2.0, 2.0)).unwrap();
        assert!((a.0).abs() < 1e-12 && (a.1).abs() < 1e-12);
        assert!((b.0 - 1.0).abs() < 1e-12 && (b.1 - 1.0).abs() < 1e-12);
        assert!(R.clip_segment((2.0, 0.0), (3.0, 1.0)).is_none());
        // A polyline leaving and re-entering gives two runs.
        let runs = R.clip_polyline(&[(0.1, 0.5), (0.5, 2.0), (0.9, 0.5)]);
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert_eq!(runs[0][0], (0.1, 0.5));
        assert!((runs[0][1].1 - 1.0).abs() < 1e-12);
        assert_eq!(*runs[1].last().unwrap(), (0.9, 0.5));
        // Entirely inside: one run with every point.
        assert_eq!(
            R.clip_polyline(&[(0.1, 0.1), (0.2, 0.2), (0.3, 0.1)]),
            vec![vec![(0.1, 0.1), (0.2, 0.2), (0.3, 0.1)]]
        );
    }

    #[test]
    fn polygon_clipping_preserves_area_of_the_inside_part() {
        // Square [-1, 1]^2 clipped to the unit square is the unit square (area 1).
        let sq = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)];
        let c = R.clip_polygon(&sq);
        let area: f64 = (0..c.len())
            .map(|i| {
                let (a, b) = (c[i], c[(i + 1) % c.len()]);
                a.0 * b.1 - b.0 * a.1
            })
            .sum::<f64>()
            / 2.0;
        assert!((area.abs() - 1.0).abs() < 1e-12, "{c:?}");
        assert!(
            R.clip_polygon(&[(2.0, 2.0), (3.0, 2.0), (3.0, 3.0)])
                .is_empty()
        );
    }

    #[test]
    fn legend_avoids_occupied_corner() {
        let area = (0..400, 0..300);
        let free = legend_position(&[], area.clone(), (100, 40));
        assert!(matches!(free, SeriesLabelPosition::UpperRight));
        // Data filling the upper-right corner: the legend moves to the upper left.
        let pts: Vec<(i32, i32)> = (0..50).map(|i| (300 + 2 * i, 5 + i / 2)).collect();
        assert!(matches!(
            legend_position(&pts, area.clone(), (100, 40)),
            SeriesLabelPosition::UpperLeft
        ));
        // Data along the whole top edge: a lower corner.
        let top: Vec<(i32, i32)> = (0..400).map(|x| (x, 20)).collect();
        assert!(matches!(
            legend_position(&top, area, (100, 40)),
            SeriesLabelPosition::LowerRight
        ));
    }

    #[test]
    fn ticks_format_without_float_noise() {
        assert_eq!(format_tick(0.1 + 0.2), "0.3");
        assert_eq!(format_tick(1.0000000001), "1");
        assert_eq!(format_tick(-2.5), "-2.5");
        assert_eq!(axis_tick(-1.4e-17, (-1.0, 1.0), false), "0");
        assert_eq!(axis_tick(1e-17, (0.0, 1e-15), false), "1e-17");
        assert_eq!(axis_tick(2.0, (0.0, 3.0), true), "100");
        // One style per axis: a linear axis reaching 1e5 labels 80000 as 8e4.
        assert_eq!(axis_tick(8e4, (0.0, 1.2e5), false), "8e4");
        assert_eq!(axis_tick(1e5, (0.0, 1.2e5), false), "1e5");
        assert_eq!(axis_tick(8e4, (0.0, 9e4), false), "80000");
        // A log axis from 1e-16 to 1 labels 1 as 1e0.
        assert_eq!(axis_tick(0.0, (-16.0, 0.0), true), "1e0");
        assert_eq!(format_tick(100.00000000000001), "100");
        assert_eq!(format_tick(2e6), "2e6");
        assert_eq!(format_tick(1.5e-4), "1.5e-4");
    }
}
