//! Rendering of [`ImageGrid`]: pixels are written directly (exact, no resampling), text is drawn
//! with the embedded font. The SVG embeds the same PNG, so both files show identical pixels.

use crate::{ImageGrid, PlotError, Result, font};
use plotters::prelude::*;
use std::path::{Path, PathBuf};

const PAD: u32 = 4;
const FRAME: u32 = 2;

impl ImageGrid {
    fn check(&self) -> Result<()> {
        let (h, w) = self.shape;
        if self.images.is_empty() || h == 0 || w == 0 || self.cols == 0 || self.scale == 0 {
            return Err(PlotError::Invalid(format!(
                "image grid '{}' is empty (images {}, shape {h}x{w}, cols {}, scale {})",
                self.title,
                self.images.len(),
                self.cols,
                self.scale
            )));
        }
        if let Some(i) = self.images.iter().position(|im| im.len() != h * w) {
            return Err(PlotError::Invalid(format!(
                "image {i} has {} values, shape {h}x{w} needs {}",
                self.images[i].len(),
                h * w
            )));
        }
        for (what, n) in [
            ("captions", self.captions.as_ref().map(|c| c.len())),
            ("frames", self.frames.as_ref().map(|c| c.len())),
        ] {
            if let Some(n) = n
                && n != self.images.len()
            {
                return Err(PlotError::Invalid(format!(
                    "{n} {what} for {} images",
                    self.images.len()
                )));
            }
        }
        let (lo, hi) = self.range;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(PlotError::Invalid(format!(
                "empty value range {:?}",
                self.range
            )));
        }
        Ok(())
    }

    /// Renders the grid into an RGB buffer; returns `(width, height, pixels)`.
    pub fn render(&self) -> Result<(u32, u32, Vec<u8>)> {
        self.render_at(1)
    }

    /// Renders the grid at `k` device pixels per logical pixel: image cells and frames enlarged
    /// by pixel repetition, text rasterized at `k` times its size. Returns the device
    /// `(width, height, pixels)`.
    pub fn render_at(&self, k: u32) -> Result<(u32, u32, Vec<u8>)> {
        self.check()?;
        let k = k.max(1);
        font::ensure();
        let (h, w) = (self.shape.0 as u32, self.shape.1 as u32);
        let s = self.scale;
        let cols = self.cols.min(self.images.len()) as u32;
        let rows = self.images.len().div_ceil(self.cols) as u32;
        let cap_h = if self.captions.is_some() { 16 } else { 0 };
        let title_h = if self.title.is_empty() { 0 } else { 30 };
        let cell_w = w * s + 2 * FRAME + PAD;
        let cell_h = h * s + 2 * FRAME + PAD + cap_h;
        let text_w = |t: &str, size: u32| {
            (font::FAMILY, size)
                .into_font()
                .box_size(t)
                .map_or(10 * t.chars().count() as u32, |b| b.0)
        };
        let mut width = cols * cell_w + PAD;
        if !self.title.is_empty() {
            width = width.max(text_w(&self.title, 18) + 2 * PAD + 4);
        }
        let height = title_h + rows * cell_h + PAD;
        let mut buf = vec![255u8; (width * height * 3) as usize];
        let (lo, hi) = self.range;
        for (k, im) in self.images.iter().enumerate() {
            let (r, c) = (k as u32 / cols, k as u32 % cols);
            let x0 = PAD + c * cell_w;
            let y0 = title_h + PAD + r * cell_h;
            let frame = self
                .frames
                .as_ref()
                .map(|f| f[k])
                .unwrap_or([200, 200, 200]);
            for y in 0..(h * s + 2 * FRAME) {
                for x in 0..(w * s + 2 * FRAME) {
                    let inside = x >= FRAME && y >= FRAME && x < FRAME + w * s && y < FRAME + h * s;
                    let rgb = if inside {
                        let (py, px) = ((y - FRAME) / s, (x - FRAME) / s);
                        let v = im[(py * w + px) as usize];
                        let t = if v.is_finite() {
                            ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
                        } else {
                            0.0
                        };
                        let g = (t * 255.0).round() as u8;
                        [g, g, g]
                    } else {
                        frame
                    };
                    let o = (((y0 + y) * width + x0 + x) * 3) as usize;
                    buf[o..o + 3].copy_from_slice(&rgb);
                }
            }
        }
        let (width, height, mut buf) = if k == 1 {
            (width, height, buf)
        } else {
            let (bw, bh) = (width * k, height * k);
            let mut big = vec![0u8; (bw * bh * 3) as usize];
            for y in 0..bh {
                for x in 0..bw {
                    let (o, i) = (
                        ((y * bw + x) * 3) as usize,
                        (((y / k) * width + x / k) * 3) as usize,
                    );
                    big[o..o + 3].copy_from_slice(&buf[i..i + 3]);
                }
            }
            (bw, bh, big)
        };
        {
            let root = crate::scaled::Scaled::new(
                BitMapBackend::with_buffer(&mut buf, (width, height)),
                k,
            )
            .into_drawing_area();
            let err =
                |e: DrawingAreaErrorKind<_>| PlotError::Invalid(format!("cannot draw text: {e}"));
            if !self.title.is_empty() {
                root.draw(&Text::new(
                    self.title.clone(),
                    (PAD as i32 + 2, 6),
                    (font::FAMILY, 18).into_font(),
                ))
                .map_err(err)?;
            }
            if let Some(caps) = &self.captions {
                for (k, cap) in caps.iter().enumerate() {
                    let (r, c) = (k as u32 / cols, k as u32 % cols);
                    let x = PAD + c * cell_w + 1;
                    let y = title_h + PAD + r * cell_h + h * s + 2 * FRAME + 1;
                    // Captions wider than a cell are cut so they never run into the next one.
                    let mut cap = cap.clone();
                    while cap.chars().count() > 1 && text_w(&cap, 12) + 8 > cell_w {
                        cap.pop();
                    }
                    root.draw(&Text::new(
                        cap,
                        (x as i32, y as i32),
                        (font::FAMILY, 12).into_font(),
                    ))
                    .map_err(err)?;
                }
            }
            root.present().map_err(err)?;
        }
        Ok((width, height, buf))
    }

    /// Writes `stem.png` and `stem.svg` (the SVG embeds the PNG); returns their paths.
    pub fn save(&self, stem: &Path) -> Result<Vec<PathBuf>> {
        let (dw, dh, buf) = self.render_at(crate::PNG_SCALE)?;
        let (width, height) = (dw / crate::PNG_SCALE, dh / crate::PNG_SCALE);
        let (png, svg) = crate::output_paths(stem)?;
        let mut bytes = Vec::new();
        image::codecs::png::PngEncoder::new(&mut bytes)
            .write_image(&buf, dw, dh, image::ColorType::Rgb8)
            .map_err(|e| PlotError::Draw {
                path: png.clone(),
                reason: e.to_string(),
            })?;
        crate::write_file(&png, &bytes)?;
        let doc = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\
             <title>{}</title><image width=\"{width}\" height=\"{height}\" style=\"image-rendering:pixelated\" xlink:href=\"data:image/png;base64,{b64}\"/></svg>\n",
            crate::report::escape(&self.title),
            b64 = base64(&bytes)
        );
        crate::write_file(&svg, doc.as_bytes())?;
        Ok(vec![png, svg])
    }
}

use image::ImageEncoder;

/// Standard base64 (RFC 4648) with padding.
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_reference_vectors() {
        // RFC 4648 section 10.
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }
}

#[cfg(test)]
mod pixel_tests {
    use super::*;

    #[test]
    fn ternary_levels_land_on_the_right_pixels() {
        // Image [[-1, 0], [1, 0]] at scale 3: black, mid-gray, white blocks.
        let mut g = ImageGrid::ternary(vec![vec![-1.0, 0.0, 1.0, 0.0]], (2, 2), 1);
        g.scale = 3;
        let (w, _, buf) = g.render().unwrap();
        let px = |x: u32, y: u32| {
            let o = ((y * w + x) * 3) as usize;
            [buf[o], buf[o + 1], buf[o + 2]]
        };
        let o = PAD + FRAME;
        assert_eq!(px(o, o), [0, 0, 0]);
        assert_eq!(px(o + 2, o + 2), [0, 0, 0]);
        assert_eq!(px(o + 3, o), [128, 128, 128]);
        assert_eq!(px(o, o + 3), [255, 255, 255]);
        // Frame (default light gray) surrounds the image.
        assert_eq!(px(PAD, PAD), [200, 200, 200]);
    }
}
