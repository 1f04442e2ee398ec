//! Text rasters: numbers separated by whitespace and/or commas, one line per row, for user data such
//! as spike rasters (0/1 per neuron and time bin) or CSV exports. Blank lines and lines starting
//! with `#` are skipped. By default rows are samples; `transpose` reads files whose rows are
//! neurons (units) and columns time bins, so that samples are the columns.
//!
//! Errors give the file, the 1-based line and column, and the problem (a token that is not a
//! number, a row of a different length than the first).

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use ndarray::Array2;
use std::path::Path;

/// Parses text into an `(n_rows, n_cols)` matrix, or `(n_cols, n_rows)` when `transpose`;
/// `path` only names the source in errors.
pub fn parse_text(text: &str, path: &Path, transpose: bool) -> Result<Array2<f32>> {
    let mut values: Vec<f32> = Vec::new();
    let mut n_cols: Option<(usize, usize)> = None; // (columns, line where first seen)
    let mut n_rows = 0usize;
    for (ln, line) in text.lines().enumerate() {
        let ln = ln + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut count = 0usize;
        for (col, token) in tokens(line) {
            let parsed = match token {
                "0" => Ok(0.0),
                "1" => Ok(1.0),
                _ => token.parse::<f32>(),
            };
            let x: f32 = parsed.map_err(|_| {
                let what = if token.is_empty() {
                    "empty field".to_string()
                } else {
                    format!("'{token}' is not a number")
                };
                DataError::format(path, format!("line {ln}, column {col}: {what}"))
            })?;
            if !x.is_finite() {
                return Err(DataError::format(
                    path,
                    format!("line {ln}, column {col}: '{token}' is not a finite number"),
                ));
            }
            values.push(x);
            count += 1;
        }
        match n_cols {
            None => n_cols = Some((count, ln)),
            Some((c, first)) if c != count => {
                return Err(DataError::format(
                    path,
                    format!(
                        "line {ln}: ragged row of {count} values, expected {c} as on line {first}"
                    ),
                ));
            }
            Some(_) => {}
        }
        n_rows += 1;
    }
    let (n_cols, _) =
        n_cols.ok_or_else(|| DataError::format(path, "no data (empty or only comments)"))?;
    let a = Array2::from_shape_vec((n_rows, n_cols), values)
        .map_err(|e| DataError::Shape(e.to_string()))?;
    Ok(if transpose {
        a.t().as_standard_layout().into_owned()
    } else {
        a
    })
}

/// Splits a line at whitespace and commas, yielding `(1-based column, token)`. An empty field
/// between two commas is an error in [`parse_text`] (it yields an empty token).
fn tokens(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    // A line starts like a field after a comma: a leading comma is an empty field.
    let mut after_comma = true;
    for (i, ch) in line.char_indices() {
        let sep = ch == ',' || ch.is_whitespace();
        match (sep, start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                out.push((s + 1, &line[s..i]));
                start = None;
                after_comma = false;
            }
            _ => {}
        }
        if ch == ',' {
            if after_comma {
                out.push((i + 1, ""));
            }
            after_comma = true;
        } else if !ch.is_whitespace() {
            after_comma = false;
        }
    }
    if let Some(s) = start {
        out.push((s + 1, &line[s..]));
    } else if after_comma {
        out.push((line.len() + 1, ""));
    }
    out
}

/// Reads a text raster into a [`Dataset`] named after the file stem (no labels, no image shape).
pub fn read_text(path: &Path, transpose: bool) -> Result<Dataset> {
    let bytes = crate::npy::read_file_within_limit(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| DataError::format(path, format!("not UTF-8 text ({e})")))?;
    let data = parse_text(&text, path, transpose)?;
    Ok(Dataset {
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "text".into()),
        data,
        labels: None,
        image_shape: None,
    })
}

/// Formats a matrix as text, one row per line, values separated by `delimiter` (`','` or `' '`);
/// integral values are written without a decimal point.
pub fn format_text(data: &Array2<f32>, delimiter: char) -> String {
    let mut out = String::with_capacity(data.len() * 2);
    for row in data.rows() {
        for (j, x) in row.iter().enumerate() {
            if j > 0 {
                out.push(delimiter);
            }
            // Binary rasters are the common case; formatting floats is slow.
            match *x {
                0.0 => out.push('0'),
                1.0 => out.push('1'),
                -1.0 => out.push_str("-1"),
                x => out.push_str(&x.to_string()),
            }
        }
        out.push('\n');
    }
    out
}

/// Writes a matrix as a text raster (see [`format_text`]) atomically.
pub fn write_text(path: &Path, data: &Array2<f32>, delimiter: char) -> Result<()> {
    spinlearn_core::record::write_atomic(path, format_text(data, delimiter).as_bytes())
        .map_err(DataError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_columns() {
        assert_eq!(tokens("0 1,  1"), vec![(1, "0"), (3, "1"), (7, "1")]);
        assert_eq!(tokens("1,,0"), vec![(1, "1"), (3, ""), (4, "0")]);
        assert_eq!(tokens("1,0,"), vec![(1, "1"), (3, "0"), (5, "")]);
        assert_eq!(tokens("\t1\t0 "), vec![(2, "1"), (4, "0")]);
        assert_eq!(tokens(",1"), vec![(1, ""), (2, "1")]);
    }
}
