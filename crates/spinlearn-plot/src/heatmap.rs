//! Rendering of [`Heatmap`]: a 2-D array of values as coloured cells with a colour bar (weight
//! matrices, phase diagrams, overlap matrices).
//!
//! The cells are rasterized at the plot area's pixel size (nearest cell per pixel) and blitted in
//! the PNG; the SVG embeds the same raster as an `<image>` under vector axes, text and colour bar,
//! so a 784 x 500 weight matrix does not become 400,000 SVG rectangles.

use crate::axis::Axis;
use crate::line::axis_tick;
use crate::{PlotError, Result, font};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Colour scale of a [`Heatmap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Colormap {
    /// Perceptually uniform, colour-blind-friendly sequential scale (matplotlib's viridis).
    #[default]
    Viridis,
    /// Blue-white-red diverging scale (matplotlib's RdBu reversed); with no fixed range it is
    /// centred on 0 (`[-max|v|, +max|v|]`), for signed weights and couplings.
    Diverging,
    /// Black (low) to white (high).
    Gray,
}

const VIRIDIS: [[u8; 3]; 9] = [
    [68, 1, 84],
    [71, 44, 122],
    [59, 81, 139],
    [44, 113, 142],
    [33, 144, 141],
    [39, 173, 129],
    [92, 200, 99],
    [170, 220, 50],
    [253, 231, 37],
];
const RDBU_R: [[u8; 3]; 5] = [
    [5, 48, 97],
    [67, 147, 195],
    [247, 247, 247],
    [214, 96, 77],
    [103, 0, 31],
];
/// Colour of non-finite cells.
const MISSING: [u8; 3] = [205, 205, 205];

impl Colormap {
    /// The colour at `t` in `[0, 1]` (clamped); non-finite `t` gives light gray.
    pub fn rgb(self, t: f64) -> [u8; 3] {
        if !t.is_finite() {
            return MISSING;
        }
        let t = t.clamp(0.0, 1.0);
        let anchors: &[[u8; 3]] = match self {
            Colormap::Viridis => &VIRIDIS,
            Colormap::Diverging => &RDBU_R,
            Colormap::Gray => &[[0, 0, 0], [255, 255, 255]],
        };
        let f = t * (anchors.len() - 1) as f64;
        let i = (f.floor() as usize).min(anchors.len() - 2);
        let w = f - i as f64;
        let mut out = [0u8; 3];
        for (c, o) in out.iter_mut().enumerate() {
            let (a, b) = (f64::from(anchors[i][c]), f64::from(anchors[i + 1][c]));
            *o = (a + w * (b - a)).round() as u8;
        }
        out
    }
}

/// A 2-D array drawn as coloured cells with a colour bar.
///
/// `values` is row-major with `shape = (n_rows, n_cols)`. Without extents the axes count cells
/// in matrix convention: column `j` spans `[j, j+1]` left to right and row `i` spans `[i, i+1]`
/// from the top down (a weight matrix `W[i][j]` reads as printed). With `y_extent = (y0, y1)` the
/// rows go upward instead: row 0 is the bottom strip `[y0, y0 + dy]` (phase diagrams, where the
/// row index is a parameter). `x_extent = (x0, x1)` likewise gives the columns data coordinates.
#[derive(Debug, Clone, Serialize)]
pub struct Heatmap {
    /// Title above the plot (may be empty).
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Colour-bar label (the quantity and its units).
    pub value_label: String,
    /// Cell values, row-major, `n_rows * n_cols`; non-finite cells are drawn light gray.
    pub values: Vec<f64>,
    /// `(n_rows, n_cols)`.
    pub shape: (usize, usize),
    /// Data coordinates of the left edge of column 0 and the right edge of the last column.
    pub x_extent: Option<(f64, f64)>,
    /// Data coordinates of the bottom edge of row 0 and the top edge of the last row (rows then
    /// run upward); `None`: row indices, row 0 at the top.
    pub y_extent: Option<(f64, f64)>,
    /// Values mapped to the ends of the colour scale; `None` fits the finite values (symmetric
    /// about 0 for [`Colormap::Diverging`]).
    pub range: Option<(f64, f64)>,
    /// Colour scale.
    pub colormap: Colormap,
    /// Pixel size `(width, height)` of the whole figure, colour bar included.
    pub size: (u32, u32),
}

impl Heatmap {
    /// A matrix heatmap (row 0 at the top, axes in cell indices), viridis, 760x600 pixels.
    pub fn matrix(values: Vec<f64>, shape: (usize, usize)) -> Self {
        Heatmap {
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            value_label: String::new(),
            values,
            shape,
            x_extent: None,
            y_extent: None,
            range: None,
            colormap: Colormap::Viridis,
            size: (760, 600),
        }
    }

    /// A heatmap over a parameter plane: row `i` is the `i`-th value of the y parameter
    /// (bottom to top), column `j` the `j`-th of the x parameter; the extents are the outer cell
    /// edges.
    pub fn grid(
        values: Vec<f64>,
        shape: (usize, usize),
        x_extent: (f64, f64),
        y_extent: (f64, f64),
    ) -> Self {
        Heatmap {
            x_extent: Some(x_extent),
            y_extent: Some(y_extent),
            ..Heatmap::matrix(values, shape)
        }
    }

    /// Sets title and axis labels.
    pub fn with_labels(
        mut self,
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
        value_label: impl Into<String>,
    ) -> Self {
        self.title = title.into();
        self.x_label = x_label.into();
        self.y_label = y_label.into();
        self.value_label = value_label.into();
        self
    }

    /// Changes the colour scale.
    pub fn with_colormap(mut self, colormap: Colormap) -> Self {
        self.colormap = colormap;
        self
    }

    fn check(&self) -> Result<()> {
        let (r, c) = self.shape;
        if r == 0 || c == 0 {
            return Err(PlotError::Invalid(format!(
                "heatmap '{}' is empty (shape {r}x{c})",
                self.title
            )));
        }
        if self.values.len() != r * c {
            return Err(PlotError::Invalid(format!(
                "heatmap '{}': {} values, shape {r}x{c} needs {}",
                self.title,
                self.values.len(),
                r * c
            )));
        }
        for (what, e) in [
            ("x_extent", self.x_extent),
            ("y_extent", self.y_extent),
            ("range", self.range),
        ] {
            if let Some((a, b)) = e
                && !(a.is_finite() && b.is_finite() && b > a)
            {
                return Err(PlotError::Invalid(format!(
                    "heatmap '{}': {what} ({a}, {b}) must be finite and increasing",
                    self.title
                )));
            }
        }
        if self.size.0 < 240 || self.size.1 < 160 {
            return Err(PlotError::Invalid(format!(
                "heatmap '{}': size {}x{} is below the minimum 240x160",
                self.title, self.size.0, self.size.1
            )));
        }
        Ok(())
    }

    /// The value range mapped onto the colour scale.
    pub fn value_range(&self) -> (f64, f64) {
        if let Some(r) = self.range {
            return r;
        }
        let (lo, hi) = self
            .values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                (l.min(v), h.max(v))
            });
        if !lo.is_finite() {
            return (0.0, 1.0);
        }
        let (lo, hi) = if self.colormap == Colormap::Diverging {
            let m = lo.abs().max(hi.abs());
            (-m, m)
        } else {
            (lo, hi)
        };
        if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, hi + 0.5)
        }
    }

    fn axes(&self) -> (Axis, Axis) {
        let (r, c) = self.shape;
        let x = match self.x_extent {
            Some((a, b)) => Axis::linear(a, b),
            None => Axis::linear(0.0, c as f64),
        };
        let y = match self.y_extent {
            Some((a, b)) => Axis::linear(a, b),
            None => Axis {
                flip: true,
                ..Axis::linear(0.0, r as f64)
            },
        };
        (x, y)
    }

    /// Draws everything but the cells; returns the plot area's pixel rectangle
    /// `(x0, y0, width, height)`.
    fn draw_frame<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(i32, i32, u32, u32), String>
    where
        DB::ErrorType: 'static,
    {
        let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
        let area = if self.title.is_empty() {
            root.clone()
        } else {
            root.margin(10, 0, 0, 0)
                .titled(&self.title, (font::FAMILY, 22))
                .map_err(e)?
        };
        let (main, bar) = area.split_horizontally(area.dim_in_pixel().0.saturating_sub(120));
        let (xa, ya) = self.axes();
        let mut chart = ChartBuilder::on(&main)
            .margin(14)
            .x_label_area_size(52)
            .y_label_area_size(68)
            .build_cartesian_2d(xa, ya)
            .map_err(e)?;
        let fx = move |v: &f64| axis_tick(*v, (xa.lo, xa.hi), false);
        let fy = move |v: &f64| axis_tick(*v, (ya.lo, ya.hi), false);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&fx)
            .y_label_formatter(&fy)
            .label_style((font::FAMILY, 15))
            .axis_desc_style((font::FAMILY, 17))
            .draw()
            .map_err(e)?;
        let (px, py) = chart.plotting_area().get_pixel_range();

        // Colour bar: 128 strips and an axis on its right.
        let (lo, hi) = self.value_range();
        let fv = move |v: &f64| axis_tick(*v, (lo, hi), false);
        let mut cb = ChartBuilder::on(&bar)
            .margin_top(14)
            .margin_bottom(14 + 52)
            .margin_left(8)
            // Room for the rotated value label, which plotters puts at the area's outer edge.
            .margin_right(22)
            .right_y_label_area_size(70)
            .build_cartesian_2d(Axis::linear(0.0, 1.0), Axis::linear(lo, hi))
            .map_err(e)?;
        cb.configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_desc(&self.value_label)
            .y_labels(6)
            .set_tick_mark_size(LabelAreaPosition::Right, 6)
            .y_label_formatter(&fv)
            .label_style((font::FAMILY, 14))
            .axis_desc_style((font::FAMILY, 15))
            .draw()
            .map_err(e)?;
        let n = 128;
        cb.draw_series((0..n).map(|k| {
            let (a, b) = (k as f64 / n as f64, (k + 1) as f64 / n as f64);
            let [r, g, bl] = self.colormap.rgb((a + b) / 2.0);
            Rectangle::new(
                [(0.0, lo + a * (hi - lo)), (1.0, lo + b * (hi - lo))],
                RGBColor(r, g, bl).filled(),
            )
        }))
        .map_err(e)?;
        cb.draw_series(std::iter::once(Rectangle::new(
            [(0.0, lo), (1.0, hi)],
            RGBColor(60, 60, 60).stroke_width(1),
        )))
        .map_err(e)?;
        Ok((
            px.start,
            py.start,
            (px.end - px.start).max(1) as u32,
            (py.end - py.start).max(1) as u32,
        ))
    }

    /// The cells rasterized at `(w, h)` pixels, RGB row-major from the top-left corner.
    fn raster(&self, w: u32, h: u32) -> Vec<u8> {
        let (r, c) = self.shape;
        let (lo, hi) = self.value_range();
        let up = self.y_extent.is_some();
        let mut buf = Vec::with_capacity((w * h * 3) as usize);
        for py in 0..h {
            let from_top = ((f64::from(py) + 0.5) / f64::from(h) * r as f64) as usize;
            let from_top = from_top.min(r - 1);
            let row = if up { r - 1 - from_top } else { from_top };
            for px in 0..w {
                let col = (((f64::from(px) + 0.5) / f64::from(w) * c as f64) as usize).min(c - 1);
                let v = self.values[row * c + col];
                buf.extend_from_slice(&self.colormap.rgb((v - lo) / (hi - lo)));
            }
        }
        buf
    }

    /// Writes `stem.png` and `stem.svg`; returns their paths.
    pub fn save(&self, stem: &Path) -> Result<Vec<PathBuf>> {
        self.check()?;
        font::ensure();
        let (png, svg) = crate::output_paths(stem)?;
        let draw_err = |path: &PathBuf| {
            let path = path.clone();
            move |reason: String| PlotError::Draw { path, reason }
        };
        let tmp = crate::partial(&png);
        {
            let root = crate::png_backend(&tmp, self.size).into_drawing_area();
            root.fill(&WHITE)
                .map_err(|e| draw_err(&png)(e.to_string()))?;
            let (x0, y0, w, h) = self.draw_frame(&root).map_err(draw_err(&png))?;
            let cells = BitMapElement::with_owned_buffer((x0, y0), (w, h), self.raster(w, h))
                .ok_or_else(|| draw_err(&png)("raster size mismatch".into()))?;
            root.draw(&cells)
                .and_then(|()| root.present())
                .map_err(|e| draw_err(&png)(e.to_string()))?;
        }
        crate::commit(&tmp, &png)?;
        let mut doc = String::new();
        let (x0, y0, w, h) = {
            let root = SVGBackend::with_string(&mut doc, self.size).into_drawing_area();
            let rect = self.draw_frame(&root).map_err(draw_err(&svg))?;
            root.present().map_err(|e| draw_err(&svg)(e.to_string()))?;
            rect
        };
        let mut bytes = Vec::new();
        {
            use image::ImageEncoder;
            image::codecs::png::PngEncoder::new(&mut bytes)
                .write_image(&self.raster(w, h), w, h, image::ColorType::Rgb8)
                .map_err(|e| draw_err(&svg)(e.to_string()))?;
        }
        // Background and cells go first, under the vector frame.
        let Some(open_end) = doc
            .find("<svg")
            .and_then(|i| doc[i..].find('>').map(|j| i + j + 1))
        else {
            return Err(draw_err(&svg)("svg backend wrote no <svg> element".into()));
        };
        let (fw, fh) = self.size;
        doc.insert_str(
            open_end,
            &format!(
                "\n<rect x=\"0\" y=\"0\" width=\"{fw}\" height=\"{fh}\" fill=\"#FFFFFF\"/>\
                 \n<image x=\"{x0}\" y=\"{y0}\" width=\"{w}\" height=\"{h}\" preserveAspectRatio=\"none\" \
                 style=\"image-rendering:pixelated\" xlink:href=\"data:image/png;base64,{b64}\"/>",
                b64 = crate::base64(&bytes)
            ),
        );
        let doc = doc.replacen(
            "<svg ",
            "<svg xmlns:xlink=\"http://www.w3.org/1999/xlink\" ",
            1,
        );
        crate::write_file(&svg, doc.as_bytes())?;
        Ok(vec![png, svg])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colormap_ends_and_midpoints() {
        assert_eq!(Colormap::Viridis.rgb(0.0), VIRIDIS[0]);
        assert_eq!(Colormap::Viridis.rgb(1.0), VIRIDIS[8]);
        assert_eq!(Colormap::Viridis.rgb(0.5), VIRIDIS[4]);
        assert_eq!(Colormap::Diverging.rgb(0.5), [247, 247, 247]);
        assert_eq!(Colormap::Gray.rgb(0.5), [128, 128, 128]);
        assert_eq!(Colormap::Gray.rgb(-3.0), [0, 0, 0]);
        assert_eq!(Colormap::Gray.rgb(f64::NAN), MISSING);
    }

    #[test]
    fn diverging_range_is_symmetric_and_raster_orientation_follows_convention() {
        let m = Heatmap::matrix(vec![-1.0, 3.0, 0.0, 2.0], (2, 2)).with_colormap(Colormap::Gray);
        assert_eq!(m.value_range(), (-1.0, 3.0));
        let d = m.clone().with_colormap(Colormap::Diverging);
        assert_eq!(d.value_range(), (-3.0, 3.0));
        // Matrix convention: top-left pixel is cell (0,0) = -1 (black).
        let r = m.raster(2, 2);
        assert_eq!(&r[0..3], &[0, 0, 0]);
        assert_eq!(&r[3..6], &[255, 255, 255]);
        // Parameter-plane convention: row 0 at the bottom, so the top-left pixel is cell (1,0).
        let g = Heatmap {
            y_extent: Some((0.0, 1.0)),
            ..m
        };
        let r = g.raster(2, 2);
        assert_eq!(&r[0..3], &[64, 64, 64]);
        assert_eq!(&r[6..9], &[0, 0, 0]);
    }
}
