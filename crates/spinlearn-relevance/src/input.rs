//! Reading states and counts from files: integer lists (one per line, `#` comments allowed) and
//! state matrices (any dataset [`spinlearn_data::open`] reads, one state per row).
//!
//! These parsers live here rather than in `spinlearn-data` because only the relevance analysis
//! reads label lists and count files; the matrix formats are `spinlearn-data`'s.

use crate::states::{PackedStates, ids_of};
use crate::{RelevanceError, Result};
use std::path::Path;

/// The meaningful part of a line: everything before `#`, trimmed.
fn content(line: &str) -> &str {
    line.split('#').next().unwrap_or("").trim()
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| spinlearn_core::Error::io(path, e).into())
}

/// Parses one integer per non-empty line of `text` (`#` starts a comment); `source` names the
/// text in errors (`source:line: ...`). At least one integer is required.
pub fn parse_integers(text: &str, source: &str) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = content(line);
        if t.is_empty() {
            continue;
        }
        let v: i64 = t.parse().map_err(|_| {
            RelevanceError::Input(format!("{source}:{}: `{t}` is not an integer", i + 1))
        })?;
        out.push(v);
    }
    if out.is_empty() {
        return Err(RelevanceError::Input(format!(
            "{source}: no integers found"
        )));
    }
    Ok(out)
}

/// Reads one integer per non-empty line of a text file (see [`parse_integers`]).
pub fn read_integers(path: &Path) -> Result<Vec<i64>> {
    parse_integers(&read_text(path)?, &path.display().to_string())
}

/// Reads counts, one positive integer per line (the input of a power-law fit).
pub fn read_counts(path: &Path) -> Result<Vec<u64>> {
    let raw = read_integers(path)?;
    if let Some(v) = raw.iter().find(|&&v| v < 1) {
        return Err(RelevanceError::Input(format!(
            "{}: counts must be positive integers, found {v}",
            path.display()
        )));
    }
    Ok(raw.into_iter().map(|v| v as u64).collect())
}

/// True when every non-empty, non-comment line of `text` holds exactly one token (separated by
/// white space or commas).
pub fn one_token_per_line(text: &str) -> bool {
    text.lines()
        .map(content)
        .filter(|l| !l.is_empty())
        .all(|l| {
            l.split(|c: char| c.is_whitespace() || c == ',')
                .filter(|t| !t.is_empty())
                .count()
                == 1
        })
}

/// The state id of every sample of `source`: a text file (`.txt`, `.csv`, `.dat` or no
/// extension) with one integer label per line, or else a matrix any [`spinlearn_data::open`]
/// reads (a `.npy`/`.npz`/`.txt` file or a dataset name), one state per row, unit on when
/// `> threshold`. Ids are `0..n_distinct` in order of first appearance.
pub fn read_state_ids(source: &str, threshold: f32) -> Result<Vec<u32>> {
    spinlearn_core::check::finite("threshold", f64::from(threshold))?;
    let path = Path::new(source);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if path.is_file() && matches!(ext.as_str(), "txt" | "csv" | "dat" | "") {
        let text = read_text(path)?;
        if one_token_per_line(&text) {
            return Ok(ids_of(&parse_integers(&text, source)?));
        }
    }
    let ds = spinlearn_data::open(source, None)?;
    Ok(PackedStates::from_rows(ds.data.view(), threshold).ids())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_comments_and_errors() {
        assert_eq!(
            parse_integers("3\n# note\n\n 5 # five\n-1\n", "t").unwrap(),
            vec![3, 5, -1]
        );
        let e = parse_integers("1\nx\n", "f.txt").unwrap_err().to_string();
        assert!(e.contains("f.txt:2"), "{e}");
        assert!(parse_integers("# only\n", "t").is_err());
        assert!(one_token_per_line("1\n2 # c\n"));
        assert!(!one_token_per_line("1 2\n"));
        assert!(!one_token_per_line("1,0\n"));
    }

    #[test]
    fn label_lists_and_matrices_give_state_ids() {
        let dir = std::env::temp_dir().join(format!("spinlearn-rel-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let labels = dir.join("labels.txt");
        std::fs::write(&labels, "7\n3\n7\n# c\n9\n").unwrap();
        let l = labels.to_string_lossy();
        assert_eq!(read_state_ids(&l, 0.5).unwrap(), vec![0, 1, 0, 2]);
        let rows = dir.join("rows.txt");
        std::fs::write(&rows, "1 0 1\n0 0 0\n1 0 1\n").unwrap();
        let r = rows.to_string_lossy();
        assert_eq!(read_state_ids(&r, 0.5).unwrap(), vec![0, 1, 0]);
        let counts = dir.join("counts.txt");
        std::fs::write(&counts, "2\n0\n").unwrap();
        assert!(read_counts(&counts).is_err());
        assert!(read_counts(&dir.join("absent.txt")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
