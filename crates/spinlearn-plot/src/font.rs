//! The embedded font (DejaVu Sans, see fonts/DejaVu-LICENSE.txt): registered once with plotters'
//! ab_glyph text renderer, so figures render identically on machines without system fonts.

use std::sync::Once;

/// The family name every text style of this crate uses.
pub const FAMILY: &str = "sans-serif";

static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Registers the embedded font with plotters (idempotent, thread-safe).
pub fn ensure() {
    REGISTER.call_once(|| {
        for style in [
            plotters::style::FontStyle::Normal,
            plotters::style::FontStyle::Bold,
            plotters::style::FontStyle::Italic,
            plotters::style::FontStyle::Oblique,
        ] {
            // The font is compiled in and known to parse; a failure would be a build defect.
            plotters::style::register_font(FAMILY, style, FONT)
                .unwrap_or_else(|_| panic!("embedded font failed to parse"));
        }
    });
}
