//! A drawing backend that draws at `k` times the resolution of the coordinates it is given.
//!
//! The figure code draws in logical pixels (the SVG's units); wrapped in [`Scaled`], the same code
//! renders a PNG of `k` times the width and height with every coordinate, stroke width, marker
//! radius and font size multiplied by `k`: text is rasterized at the larger size (sharp, not an
//! enlarged bitmap), and blitted bitmaps are enlarged by pixel repetition. Text is measured in
//! logical units, so the layout is the SVG's.

use plotters::style::{FontDesc, TextStyle};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// `inner` seen as a canvas of `1/k` its size.
pub(crate) struct Scaled<DB> {
    inner: DB,
    k: i32,
}

impl<DB: DrawingBackend> Scaled<DB> {
    /// Wraps `inner`, whose size must be a multiple of `k` in each direction.
    pub(crate) fn new(inner: DB, k: u32) -> Self {
        debug_assert!(k >= 1);
        Scaled {
            inner,
            k: k.max(1) as i32,
        }
    }

    fn pt(&self, (x, y): BackendCoord) -> BackendCoord {
        (x * self.k, y * self.k)
    }
}

/// A stroke or fill style with its width multiplied.
struct Wide {
    color: BackendColor,
    width: u32,
}

impl BackendStyle for Wide {
    fn color(&self) -> BackendColor {
        self.color
    }
    fn stroke_width(&self) -> u32 {
        self.width
    }
}

impl<DB: DrawingBackend> Scaled<DB> {
    fn wide<S: BackendStyle>(&self, s: &S) -> Wide {
        Wide {
            color: s.color(),
            width: s.stroke_width() * self.k as u32,
        }
    }
}

impl<DB: DrawingBackend> DrawingBackend for Scaled<DB> {
    type ErrorType = DB::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        let (w, h) = self.inner.get_size();
        (w / self.k as u32, h / self.k as u32)
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let (x, y) = self.pt(point);
        let k = self.k;
        self.inner.draw_rect((x, y), (x + k, y + k), &color, true)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let (a, b, s) = (self.pt(from), self.pt(to), self.wide(style));
        self.inner.draw_line(a, b, &s)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        // Filled rectangles end before `bottom_right` (plotters' bitmap and SVG backends agree),
        // so scaling both corners covers exactly the enlarged area.
        let (a, b, s) = (self.pt(upper_left), self.pt(bottom_right), self.wide(style));
        self.inner.draw_rect(a, b, &s, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let k = self.k;
        let s = self.wide(style);
        self.inner
            .draw_path(path.into_iter().map(|(x, y)| (x * k, y * k)), &s)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let (c, s) = (self.pt(center), self.wide(style));
        self.inner.draw_circle(c, radius * self.k as u32, &s, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let k = self.k;
        let s = self.wide(style);
        self.inner
            .fill_polygon(vert.into_iter().map(|(x, y)| (x * k, y * k)), &s)
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let font = FontDesc::new(
            style.family(),
            style.size() * f64::from(self.k),
            style.style(),
        )
        .transform(style.transform());
        let big = TextStyle {
            font,
            color: style.color(),
            pos: style.anchor(),
        };
        let p = self.pt(pos);
        self.inner.draw_text(text, &big, p)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (iw, ih): (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let k = self.k as usize;
        let (w, h) = (iw as usize, ih as usize);
        let mut big = vec![0u8; w * k * h * k * 3];
        for y in 0..h * k {
            let row = &src[(y / k) * w * 3..(y / k + 1) * w * 3];
            let out = &mut big[y * w * k * 3..(y + 1) * w * k * 3];
            for (x, px) in out.chunks_exact_mut(3).enumerate() {
                px.copy_from_slice(&row[(x / k) * 3..(x / k) * 3 + 3]);
            }
        }
        let p = self.pt(pos);
        self.inner
            .blit_bitmap(p, (iw * k as u32, ih * k as u32), &big)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;

    /// A filled logical pixel becomes a k x k block; the canvas reports its logical size.
    #[test]
    fn pixels_become_blocks() {
        let (w, h) = (6u32, 4u32);
        let mut buf = vec![255u8; (w * h * 4 * 3) as usize];
        {
            let bm = BitMapBackend::with_buffer(&mut buf, (2 * w, 2 * h));
            let mut s = Scaled::new(bm, 2);
            assert_eq!(s.get_size(), (w, h));
            s.draw_pixel(
                (1, 2),
                BackendColor {
                    alpha: 1.0,
                    rgb: (0, 0, 0),
                },
            )
            .unwrap();
            s.present().unwrap();
        }
        let dark = |x: u32, y: u32| buf[((y * 2 * w + x) * 3) as usize] == 0;
        for (x, y) in [(2, 4), (3, 4), (2, 5), (3, 5)] {
            assert!(dark(x, y), "({x}, {y}) should be drawn");
        }
        for (x, y) in [(1, 4), (4, 4), (2, 3), (2, 6)] {
            assert!(!dark(x, y), "({x}, {y}) should be blank");
        }
    }

    /// A blitted bitmap is enlarged by pixel repetition.
    #[test]
    fn bitmaps_are_repeated() {
        let mut buf = vec![255u8; 4 * 4 * 3];
        {
            let bm = BitMapBackend::with_buffer(&mut buf, (4, 4));
            let mut s = Scaled::new(bm, 2);
            // 2x2 source: black, red / green, blue.
            let src = [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255];
            s.blit_bitmap((0, 0), (2, 2), &src).unwrap();
            s.present().unwrap();
        }
        let px = |x: usize, y: usize| &buf[(y * 4 + x) * 3..(y * 4 + x) * 3 + 3];
        assert_eq!(px(1, 1), [0, 0, 0]);
        assert_eq!(px(3, 0), [255, 0, 0]);
        assert_eq!(px(0, 3), [0, 255, 0]);
        assert_eq!(px(2, 2), [0, 0, 255]);
    }
}
