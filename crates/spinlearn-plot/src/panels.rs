//! Several [`LinePlot`]s side by side in one figure (panels a, b, c of a paper figure).

use crate::line::{check, draw};
use crate::{LinePlot, PlotError, Result, font};
use plotters::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Line plots arranged in a grid, row by row, each panel `panel_size` pixels; each panel keeps its
/// own title, axes and legend.
#[derive(Debug, Clone, Serialize)]
pub struct PlotGrid {
    /// Title above all panels (may be empty).
    pub title: String,
    /// The panels in reading order.
    pub plots: Vec<LinePlot>,
    /// Panels per row.
    pub cols: usize,
    /// Pixel size of one panel `(width, height)`.
    pub panel_size: (u32, u32),
}

impl PlotGrid {
    /// Panels in one row, each 560x420 pixels.
    pub fn row(title: impl Into<String>, plots: Vec<LinePlot>) -> Self {
        let cols = plots.len().max(1);
        PlotGrid {
            title: title.into(),
            plots,
            cols,
            panel_size: (560, 420),
        }
    }

    fn layout(&self) -> Result<(usize, (u32, u32))> {
        if self.plots.is_empty() || self.cols == 0 {
            return Err(PlotError::Invalid(format!(
                "plot grid '{}' has no panels (plots {}, cols {})",
                self.title,
                self.plots.len(),
                self.cols
            )));
        }
        for p in &self.plots {
            check(&LinePlot {
                size: self.panel_size,
                ..p.clone()
            })?;
        }
        let rows = self.plots.len().div_ceil(self.cols);
        let cols = self.cols.min(self.plots.len());
        let title_h = if self.title.is_empty() { 0 } else { 40 };
        let size = (
            cols as u32 * self.panel_size.0,
            rows as u32 * self.panel_size.1 + title_h,
        );
        Ok((rows, size))
    }

    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
        rows: usize,
    ) -> std::result::Result<(), String>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let area = if self.title.is_empty() {
            root.clone()
        } else {
            root.margin(10, 0, 0, 0)
                .titled(&self.title, (font::FAMILY, 24))
                .map_err(|e| e.to_string())?
        };
        let cols = self.cols.min(self.plots.len());
        for (p, cell) in self.plots.iter().zip(area.split_evenly((rows, cols))) {
            draw(p, &cell)?;
        }
        root.present().map_err(|e| e.to_string())
    }

    /// Writes `stem.png` and `stem.svg`; returns their paths.
    pub fn save(&self, stem: &Path) -> Result<Vec<PathBuf>> {
        let (rows, size) = self.layout()?;
        font::ensure();
        let (png, svg) = crate::output_paths(stem)?;
        let tmp = crate::partial(&png);
        self.draw_on(&crate::png_backend(&tmp, size).into_drawing_area(), rows)
            .map_err(|reason| PlotError::Draw {
                path: png.clone(),
                reason,
            })?;
        crate::commit(&tmp, &png)?;
        let mut doc = String::new();
        self.draw_on(
            &SVGBackend::with_string(&mut doc, size).into_drawing_area(),
            rows,
        )
        .map_err(|reason| PlotError::Draw {
            path: svg.clone(),
            reason,
        })?;
        crate::write_file(&svg, doc.as_bytes())?;
        Ok(vec![png, svg])
    }
}
