//! Tables as CSV files with a header row, written atomically (temporary file + rename), so that a
//! full disk or an interrupted run never leaves a truncated table under its final name. Every
//! table opens with `numpy.loadtxt(path, delimiter=",", skiprows=1)` or `pandas.read_csv(path)`.

use crate::error::{Error, Result};
use crate::record::write_atomic;
use std::path::Path;

/// A cell: a number or a text label.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A number, written with Rust's shortest round-trip formatting (`NaN`, `inf` as such).
    Num(f64),
    /// An integer.
    Int(i64),
    /// A label.
    Text(String),
}

impl From<f64> for Cell {
    fn from(x: f64) -> Cell {
        Cell::Num(x)
    }
}
impl From<usize> for Cell {
    fn from(x: usize) -> Cell {
        Cell::Int(x as i64)
    }
}
impl From<u64> for Cell {
    fn from(x: u64) -> Cell {
        Cell::Int(x as i64)
    }
}
impl From<i64> for Cell {
    fn from(x: i64) -> Cell {
        Cell::Int(x)
    }
}
impl From<&str> for Cell {
    fn from(x: &str) -> Cell {
        Cell::Text(x.to_string())
    }
}
impl From<String> for Cell {
    fn from(x: String) -> Cell {
        Cell::Text(x)
    }
}

impl Cell {
    /// The cell as written in a CSV file.
    pub fn text(&self) -> String {
        match self {
            Cell::Num(x) => x.to_string(),
            Cell::Int(x) => x.to_string(),
            Cell::Text(s) => s.clone(),
        }
    }
}

/// Writes `rows` under `header` as CSV at `path`, atomically. Every row must have the header's
/// length.
pub fn write_csv<R, C>(path: &Path, header: &[&str], rows: R) -> Result<()>
where
    R: IntoIterator<Item = Vec<C>>,
    C: Into<Cell>,
{
    let mut w = csv::Writer::from_writer(Vec::new());
    let bad = |e: csv::Error| Error::io(path, std::io::Error::other(e.to_string()));
    w.write_record(header).map_err(bad)?;
    for (i, row) in rows.into_iter().enumerate() {
        let cells: Vec<String> = row.into_iter().map(|c| c.into().text()).collect();
        if cells.len() != header.len() {
            return Err(Error::invalid(
                "table",
                format!(
                    "{}: row {i} has {} cells for {} columns",
                    path.display(),
                    cells.len(),
                    header.len()
                ),
            ));
        }
        w.write_record(&cells).map_err(bad)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    write_atomic(path, &bytes)
}

/// Writes columns of equal length as a CSV table (one column per header name).
pub fn write_columns(path: &Path, header: &[&str], columns: &[&[f64]]) -> Result<()> {
    let n = columns.first().map_or(0, |c| c.len());
    if columns.len() != header.len() || columns.iter().any(|c| c.len() != n) {
        return Err(Error::invalid(
            "table",
            format!("{}: columns of unequal length or count", path.display()),
        ));
    }
    write_csv(
        path,
        header,
        (0..n).map(|i| columns.iter().map(|c| c[i]).collect::<Vec<f64>>()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_header_and_rows_atomically() {
        let dir = std::env::temp_dir().join(format!("spinlearn-table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.csv");
        write_csv(
            &p,
            &["n", "x", "label"],
            vec![
                vec![Cell::from(1usize), Cell::from(0.5), Cell::from("a,b")],
                vec![Cell::from(2usize), Cell::from(f64::NAN), Cell::from("c")],
            ],
        )
        .unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text, "n,x,label\n1,0.5,\"a,b\"\n2,NaN,c\n");
        assert!(!dir.join("t.csv.partial").exists());
        write_columns(&p, &["a", "b"], &[&[1.0, 2.0], &[3.0, 4.0]]).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "a,b\n1,3\n2,4\n");
        assert!(write_columns(&p, &["a"], &[&[1.0], &[2.0]]).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
