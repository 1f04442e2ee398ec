//! The HTML report: one self-contained page (inline CSS, no scripts, no external resources) with a
//! table of contents, and per section its text, figures and headline table.

use crate::{PlotError, Report, Result};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Escapes `& < > " '` for HTML text and attributes.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{border-bottom:2px solid #0072b2;padding-bottom:.3em}h2{margin-top:2.2em;border-bottom:1px solid #ddd;padding-bottom:.2em}\
.pre{color:#555}figure{display:inline-block;vertical-align:top;margin:.6em;max-width:520px}figure img{max-width:100%;border:1px solid #eee}\
figcaption{font-size:.9em;color:#444}table{border-collapse:collapse;margin:1em 0;font-size:.92em}\
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}th{background:#f3f6fa}td.v{font-family:monospace}\
.secs{color:#777;font-size:.85em}nav li{margin:.1em 0}a.svg{font-size:.8em;color:#0072b2}";

impl Report {
    /// Renders the page as a string.
    pub fn to_html(&self) -> String {
        self.html(None)
    }

    /// The page; with `dir`, a figure whose SVG twin exists beside its PNG in `dir` gets a link
    /// to it.
    fn html(&self, dir: Option<&Path>) -> String {
        let mut h = String::new();
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>\n<h1>{}</h1>\n",
            escape(&self.title),
            escape(&self.title)
        );
        for p in &self.preamble {
            let _ = writeln!(h, "<p class=\"pre\">{}</p>", escape(p));
        }
        if !self.sections.is_empty() {
            h.push_str("<nav><ul>\n");
            for s in &self.sections {
                let _ = writeln!(
                    h,
                    "<li><a href=\"#{}\">{}</a></li>",
                    escape(&s.id),
                    escape(&s.title)
                );
            }
            h.push_str("</ul></nav>\n");
        }
        for s in &self.sections {
            let _ = writeln!(
                h,
                "<section id=\"{}\"><h2>{}</h2>",
                escape(&s.id),
                escape(&s.title),
            );
            if s.seconds > 0.0 {
                let _ = writeln!(h, "<p class=\"secs\">computed in {:.1} s</p>", s.seconds);
            }
            for t in &s.text {
                let _ = writeln!(h, "<p>{}</p>", escape(t));
            }
            if !s.table.is_empty() {
                h.push_str(
                    "<table><tr><th>figure</th><th>this run</th><th>paper</th><th>note</th></tr>\n",
                );
                for r in &s.table {
                    let _ = writeln!(
                        h,
                        "<tr><td>{}</td><td class=\"v\">{}</td><td class=\"v\">{}</td><td>{}</td></tr>",
                        escape(&r.name),
                        escape(&r.value),
                        escape(r.paper.as_deref().unwrap_or("not quoted")),
                        escape(&r.note)
                    );
                }
                h.push_str("</table>\n");
            }
            for f in &s.figures {
                let svg = f
                    .path
                    .strip_suffix(".png")
                    .map(|stem| format!("{stem}.svg"))
                    .filter(|svg| dir.is_some_and(|d| d.join(svg).is_file()));
                let svg_link = svg
                    .map(|svg| format!(" <a class=\"svg\" href=\"{}\">SVG</a>", escape(&svg)))
                    .unwrap_or_default();
                let _ = writeln!(
                    h,
                    "<figure><a href=\"{p}\"><img src=\"{p}\" alt=\"{c}\" loading=\"lazy\"></a><figcaption>{c}{svg_link}</figcaption></figure>",
                    p = escape(&f.path),
                    c = escape(&f.caption)
                );
            }
            h.push_str("</section>\n");
        }
        h.push_str("</body></html>\n");
        h
    }

    /// Writes `dir/index.html` (atomically) and returns its path.
    pub fn write(&self, dir: &Path) -> Result<PathBuf> {
        std::fs::create_dir_all(dir).map_err(|source| PlotError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join("index.html");
        crate::write_file(&path, self.html(Some(dir)).as_bytes())?;
        Ok(path)
    }
}
