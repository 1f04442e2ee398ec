//! The HTML report: one self-contained page (inline CSS, no scripts, no external resources) with a
//! table of contents, and per section its text, figures and headline table.

use crate::{ClaimRow, PlotError, Report, ReportSection, Result, Verdict};
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

const CSS: &str = "body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;margin:0;color:#222;line-height:1.45}\
.layout{display:grid;grid-template-columns:230px minmax(0,1fr);max-width:1400px;margin:0 auto}\
nav.toc{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto;padding:1em .8em;font-size:.9em;border-right:1px solid #e4e4e4}\
nav.toc ul{list-style:none;padding-left:0;margin:.3em 0}nav.toc li{margin:.25em 0}nav.toc a{color:#0b4f8a;text-decoration:none}\
main{padding:0 1.5em 3em}h1{border-bottom:2px solid #0072b2;padding-bottom:.3em}\
h2{margin-top:2.2em;border-bottom:1px solid #ddd;padding-bottom:.2em}p.cite{color:#555;font-style:italic;margin-top:-.4em}\
.pre{color:#555}figure{display:inline-block;vertical-align:top;margin:.6em;max-width:560px}figure img{max-width:100%;border:1px solid #eee}\
figcaption{font-size:.9em;color:#444}figcaption a{font-size:.85em;color:#0072b2;margin-left:.4em}\
table{border-collapse:collapse;margin:1em 0;font-size:.92em}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
th{background:#f3f6fa}td.v{font-family:monospace}.secs{color:#777;font-size:.85em}\
.v-ok{background:#e3f4e3;color:#14561a}.v-part{background:#fff4d6;color:#6b4d00}.v-no{background:#fbe1e1;color:#7d1212}.v-nc{background:#eceff3;color:#444}.v-un{background:#f7d6f7;color:#5a105a}\
td.verdict{white-space:nowrap;font-weight:600}.dev{border-left:4px solid #d68a00;background:#fff8e8;padding:.4em 1em;margin:1em 0}\
.dev h3{margin:.3em 0;font-size:1em}.counts span{display:inline-block;margin-right:1em;padding:.1em .5em;border-radius:3px}a.top{font-size:.85em;color:#0072b2}";

fn verdict_cell(v: Verdict) -> String {
    format!(
        "<td class=\"verdict {}\">{} {}</td>",
        v.css_class(),
        v.symbol(),
        v.label()
    )
}

impl Report {
    /// Renders the page as a string (figures linked, not embedded).
    pub fn to_html(&self) -> String {
        self.html(None, false)
    }

    /// The page; with `dir`, a figure whose SVG twin exists beside its PNG in `dir` gets a link
    /// to it, and with `embed` every PNG found in `dir` is inlined as a data URI (one file to
    /// share by mail).
    fn html(&self, dir: Option<&Path>, embed: bool) -> String {
        let mut h = String::new();
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body id=\"top\">\n<div class=\"layout\">\n",
            escape(&self.title),
        );
        h.push_str("<nav class=\"toc\" aria-label=\"contents\"><strong>Contents</strong><ul>\n<li><a href=\"#scoreboard\">Scoreboard</a></li>\n");
        for s in &self.sections {
            let _ = writeln!(
                h,
                "<li><a href=\"#{}\">{}</a></li>",
                escape(&s.id),
                escape(&s.title)
            );
        }
        h.push_str("</ul></nav>\n<main>\n");
        let _ = writeln!(h, "<h1>{}</h1>", escape(&self.title));
        for p in &self.preamble {
            let _ = writeln!(h, "<p class=\"pre\">{}</p>", escape(p));
        }
        self.scoreboard(&mut h);
        for s in &self.sections {
            section_html(&mut h, s, dir, embed);
        }
        h.push_str("</main></div>\n</body></html>\n");
        h
    }

    /// Every claim of every section, with verdict and links to the claim and its figure.
    fn scoreboard(&self, h: &mut String) {
        let claims: Vec<(&ReportSection, &ClaimRow)> = self
            .sections
            .iter()
            .flat_map(|s| s.claims.iter().map(move |c| (s, c)))
            .collect();
        h.push_str("<section id=\"scoreboard\"><h2>Scoreboard</h2>\n<p class=\"counts\">");
        for v in [
            Verdict::Reproduced,
            Verdict::Partly,
            Verdict::NotReproduced,
            Verdict::NotComparable,
        ] {
            let n = claims.iter().filter(|(_, c)| c.verdict == v).count();
            let _ = write!(
                h,
                "<span class=\"{}\">{} {}: {n}</span>",
                v.css_class(),
                v.symbol(),
                v.label()
            );
        }
        h.push_str("</p>\n");
        if claims.is_empty() {
            h.push_str("<p>No claims in this report.</p></section>\n");
            return;
        }
        h.push_str("<table id=\"scoreboard-table\"><tr><th>paper</th><th>claim</th><th>this run</th><th>paper</th><th>status</th><th>figure</th></tr>\n");
        for (s, c) in claims {
            let fig = c
                .figure
                .as_ref()
                .map(|f| format!("<a href=\"#{}\">figure</a>", escape(f)))
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<tr data-claim=\"{a}\"><td><a href=\"#{sid}\">{st}</a></td><td><a href=\"#{a}\">{n}</a></td><td class=\"v\">{o}</td><td>{p}</td>{v}<td>{fig}</td></tr>",
                a = escape(&c.anchor),
                sid = escape(&s.id),
                st = escape(&s.id),
                n = escape(&c.name),
                o = escape(&c.ours),
                p = escape(&c.paper),
                v = verdict_cell(c.verdict),
            );
        }
        h.push_str("</table></section>\n");
    }

    /// Writes `dir/index.html` (atomically) and returns its path.
    pub fn write(&self, dir: &Path) -> Result<PathBuf> {
        std::fs::create_dir_all(dir).map_err(|source| PlotError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join("index.html");
        crate::write_file(&path, self.html(Some(dir), false).as_bytes())?;
        Ok(path)
    }

    /// Writes `dir/<name>` as one self-contained page with every PNG inlined (for sharing by mail)
    /// and returns its path.
    pub fn write_embedded(&self, dir: &Path, name: &str) -> Result<PathBuf> {
        let path = dir.join(name);
        crate::write_file(&path, self.html(Some(dir), true).as_bytes())?;
        Ok(path)
    }
}

fn section_html(h: &mut String, s: &ReportSection, dir: Option<&Path>, embed: bool) {
    let _ = writeln!(
        h,
        "<section id=\"{}\"><h2>{}</h2>",
        escape(&s.id),
        escape(&s.title),
    );
    if !s.paper.is_empty() {
        let _ = writeln!(h, "<p class=\"cite\">{}</p>", escape(&s.paper));
    }
    if s.seconds > 0.0 {
        let _ = writeln!(h, "<p class=\"secs\">computed in {:.1} s</p>", s.seconds);
    }
    for t in &s.text {
        let _ = writeln!(h, "<p>{}</p>", escape(t));
    }
    if !s.claims.is_empty() {
        h.push_str("<table class=\"claims\"><tr><th>claim</th><th>this run</th><th>paper</th><th>rule</th><th>status</th><th>why</th></tr>\n");
        for c in &s.claims {
            let name = match &c.figure {
                Some(f) => format!(
                    "{} <a href=\"#{}\">(figure)</a>",
                    escape(&c.name),
                    escape(f)
                ),
                None => escape(&c.name),
            };
            let _ = writeln!(
                h,
                "<tr id=\"{}\"><td>{name}</td><td class=\"v\">{}</td><td>{}</td><td>{}</td>{}<td>{}</td></tr>",
                escape(&c.anchor),
                escape(&c.ours),
                escape(&c.paper),
                escape(&c.rule),
                verdict_cell(c.verdict),
                escape(&c.note)
            );
        }
        h.push_str("</table>\n");
    }
    if !s.deviations.is_empty() {
        h.push_str("<div class=\"dev\"><h3>Deviations from the paper</h3><ul>\n");
        for d in &s.deviations {
            let _ = writeln!(h, "<li>{}</li>", escape(d));
        }
        h.push_str("</ul></div>\n");
    }
    if !s.table.is_empty() {
        h.push_str(
            "<table><tr><th>figure</th><th>this run</th><th>paper</th><th>status</th><th>note</th></tr>\n",
        );
        for r in &s.table {
            let claim = r
                .claim
                .as_ref()
                .and_then(|a| s.claims.iter().find(|c| &c.anchor == a));
            let status = match (claim, &r.paper) {
                (Some(c), _) => verdict_cell(c.verdict).replacen(
                    "</td>",
                    &format!(" <a href=\"#{}\">claim</a></td>", escape(&c.anchor)),
                    1,
                ),
                (None, None) => format!(
                    "<td class=\"verdict {}\" title=\"the paper quotes no value\">{} {}</td>",
                    Verdict::NotComparable.css_class(),
                    Verdict::NotComparable.symbol(),
                    Verdict::NotComparable.label()
                ),
                (None, Some(_)) => "<td class=\"verdict v-un\">unchecked</td>".to_string(),
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"v\">{}</td><td class=\"v\">{}</td>{status}<td>{}</td></tr>",
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
        let mut links = String::new();
        if let Some(svg) = svg {
            let _ = write!(links, " <a class=\"svg\" href=\"{}\">SVG</a>", escape(&svg));
        }
        for d in &f.data {
            let name = d.rsplit('/').next().unwrap_or(d);
            let _ = write!(
                links,
                " <a class=\"data\" href=\"{}\">data: {}</a>",
                escape(d),
                escape(name)
            );
        }
        let src = match (embed, dir) {
            (true, Some(d)) if f.path.ends_with(".png") => std::fs::read(d.join(&f.path))
                .map(|b| format!("data:image/png;base64,{}", crate::base64(&b)))
                .unwrap_or_else(|_| f.path.clone()),
            _ => f.path.clone(),
        };
        // PNGs carry PNG_SCALE device pixels per unit: shown at their logical width.
        let width = dir
            .and_then(|d| png_width(&d.join(&f.path)))
            .map(|w| format!(" width=\"{}\"", w / crate::PNG_SCALE))
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<figure id=\"{a}\"><a href=\"{p}\"><img src=\"{src}\"{width} alt=\"{c}\"></a><figcaption>{c}{links}</figcaption></figure>",
            a = escape(&f.anchor()),
            p = escape(&f.path),
            src = escape(&src),
            c = escape(&f.caption)
        );
    }
    h.push_str("<p><a class=\"top\" href=\"#top\">back to top</a></p></section>\n");
}

/// The pixel width in a PNG file's header, if `path` is a readable PNG.
fn png_width(path: &Path) -> Option<u32> {
    use std::io::Read;
    if path.extension().and_then(|e| e.to_str()) != Some("png") {
        return None;
    }
    let mut head = [0u8; 24];
    std::fs::File::open(path).ok()?.read_exact(&mut head).ok()?;
    (head[..8] == *b"\x89PNG\r\n\x1a\n" && head[12..16] == *b"IHDR")
        .then(|| u32::from_be_bytes([head[16], head[17], head[18], head[19]]))
}
