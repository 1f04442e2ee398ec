//! The collected table: one row per complete task (its id, swept parameters, wall seconds and
//! every scalar of its `summary.json`, nested keys joined by `.`), and a plot of one column
//! against another with a band of one standard deviation over the rows that share a point.

use crate::error::{Error, Result};
use crate::file::SweepFile;
use crate::{TaskState, task_state};
use serde_json::Value;
use spinlearn_core::table::Cell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A column of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header.
    pub name: String,
    /// One cell per row (`None`: the task's summary had no such key).
    pub cells: Vec<Option<Cell>>,
}

/// The collected table.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Columns in order: `task`, the swept parameters, `wall_seconds`, then the summary's keys in
    /// order of first appearance.
    pub columns: Vec<Column>,
    /// Number of rows.
    pub rows: usize,
    /// Tasks that are not complete (left out), by state.
    pub missing: BTreeMap<&'static str, usize>,
}

fn cell(v: &Value) -> Option<Cell> {
    match v {
        Value::Number(n) => Some(match n.as_i64() {
            Some(i) => Cell::Int(i),
            None => Cell::Num(n.as_f64().unwrap_or(f64::NAN)),
        }),
        Value::String(s) => Some(Cell::Text(s.clone())),
        Value::Bool(b) => Some(Cell::Text(b.to_string())),
        _ => None,
    }
}

fn toml_cell(v: &toml::Value) -> Cell {
    match v {
        toml::Value::Integer(i) => Cell::Int(*i),
        toml::Value::Float(f) => Cell::Num(*f),
        toml::Value::String(s) => Cell::Text(s.clone()),
        other => Cell::Text(other.to_string()),
    }
}

/// Flattens the scalars of a JSON object (`a.b` for nested keys; arrays are left out).
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Cell)>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Array(_) | Value::Null => {}
        v => {
            if let Some(c) = cell(v) {
                out.push((prefix.to_string(), c));
            }
        }
    }
}

impl Table {
    fn column_mut(&mut self, name: &str) -> &mut Column {
        if let Some(i) = self.columns.iter().position(|c| c.name == name) {
            return &mut self.columns[i];
        }
        self.columns.push(Column {
            name: name.to_string(),
            cells: vec![None; self.rows],
        });
        self.columns.last_mut().expect("just pushed")
    }

    fn push_row(&mut self, cells: Vec<(String, Cell)>) {
        for (name, c) in cells {
            let rows = self.rows;
            let col = self.column_mut(&name);
            col.cells.resize(rows, None);
            col.cells.push(Some(c));
        }
        self.rows += 1;
        for col in &mut self.columns {
            col.cells.resize(self.rows, None);
        }
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Result<&Column> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| Error::NoColumn {
                name: name.into(),
                known: self
                    .columns
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Header names.
    pub fn header(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Writes the table as CSV (an empty cell where a row has no value), atomically.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        let rows = (0..self.rows).map(|r| {
            self.columns
                .iter()
                .map(|c| c.cells[r].clone().unwrap_or(Cell::Text(String::new())))
                .collect::<Vec<Cell>>()
        });
        spinlearn_core::table::write_csv(path, &self.header(), rows)?;
        Ok(())
    }
}

/// Collects every complete task of the sweep into one table (tasks in index order).
pub fn collect(sweep: &SweepFile) -> Result<Table> {
    let mut table = Table::default();
    let params = sweep.param_names();
    for task in sweep.tasks() {
        let dir = sweep.task_dir(&task);
        let state = task_state(&dir);
        if state != TaskState::Complete {
            *table.missing.entry(state.name()).or_insert(0) += 1;
            continue;
        }
        let summary_path = dir.join("summary.json");
        let text = std::fs::read_to_string(&summary_path).map_err(|source| Error::Io {
            path: summary_path.clone(),
            source,
        })?;
        let summary: Value = serde_json::from_str(&text).map_err(|e| Error::Io {
            path: summary_path.clone(),
            source: std::io::Error::other(e),
        })?;
        let mut row = vec![("task".to_string(), Cell::Text(task.id.clone()))];
        for (name, v) in &task.params {
            row.push((name.clone(), toml_cell(v)));
        }
        if let Some(r) = spinlearn_core::record::read_record(&dir) {
            row.push((
                "wall_seconds".into(),
                Cell::Num(r.wall_seconds.unwrap_or(f64::NAN)),
            ));
        }
        let mut flat = Vec::new();
        flatten("", &summary, &mut flat);
        for (k, c) in flat {
            let name = if params.contains(&k) || k == "task" || k == "wall_seconds" {
                format!("summary.{k}")
            } else {
                k
            };
            row.push((name, c));
        }
        table.push_row(row);
    }
    Ok(table)
}

fn as_f64(c: &Option<Cell>) -> Option<f64> {
    match c {
        Some(Cell::Num(x)) => Some(*x),
        Some(Cell::Int(i)) => Some(*i as f64),
        Some(Cell::Text(s)) => s.parse().ok(),
        None => None,
    }
}

fn label(c: &Option<Cell>) -> String {
    c.as_ref().map(|c| c.text()).unwrap_or_default()
}

/// Draws column `y` against column `x` (numbers), one line per value of `hue` (when given), each
/// point the mean over the rows that share it (the seeds, and any axis not named) with a band of
/// one sample standard deviation; writes `stem.png` and `stem.svg` and returns their paths.
pub fn plot(
    table: &Table,
    x: &str,
    y: &str,
    hue: Option<&str>,
    stem: &Path,
) -> Result<Vec<PathBuf>> {
    let xc = table.column(x)?;
    let yc = table.column(y)?;
    let hc = hue.map(|h| table.column(h)).transpose()?;
    // hue label -> x (as bits, for exact grouping) -> y values
    let mut groups: BTreeMap<String, BTreeMap<u64, (f64, Vec<f64>)>> = BTreeMap::new();
    let mut hue_order: Vec<String> = Vec::new();
    for r in 0..table.rows {
        let (Some(xv), Some(yv)) = (as_f64(&xc.cells[r]), as_f64(&yc.cells[r])) else {
            continue;
        };
        let h = hc.map(|c| label(&c.cells[r])).unwrap_or_default();
        if !hue_order.contains(&h) {
            hue_order.push(h.clone());
        }
        groups
            .entry(h)
            .or_default()
            .entry(xv.to_bits())
            .or_insert((xv, Vec::new()))
            .1
            .push(yv);
    }
    let title = match hue {
        Some(h) => format!("{y} against {x}, by {h} (mean ± sd of the tasks at each point)"),
        None => format!("{y} against {x} (mean ± sd of the tasks at each point)"),
    };
    let mut fig = spinlearn_plot::LinePlot::new(title, x, y);
    for h in &hue_order {
        let mut pts: Vec<(f64, Vec<f64>)> = groups[h].values().cloned().collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let xs: Vec<f64> = pts.iter().map(|p| p.0).collect();
        let stats: Vec<(f64, f64)> = pts
            .iter()
            .map(|(_, ys)| {
                let n = ys.len() as f64;
                let mean = ys.iter().sum::<f64>() / n;
                let var = if ys.len() > 1 {
                    ys.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
                } else {
                    0.0
                };
                (mean, var.sqrt())
            })
            .collect();
        let name = match hue {
            Some(hn) => format!("{hn} = {h}"),
            None => String::new(),
        };
        fig = fig.with(
            spinlearn_plot::Series::line(name, xs, stats.iter().map(|s| s.0).collect())
                .with_err(stats.iter().map(|s| s.1).collect()),
        );
    }
    Ok(fig.save(stem)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_take_new_columns_and_flatten_summaries() {
        let mut t = Table::default();
        let mut a = Vec::new();
        flatten(
            "",
            &serde_json::json!({"x": 1, "m": {"v": 0.5}, "list": [1, 2]}),
            &mut a,
        );
        t.push_row(a);
        let mut b = Vec::new();
        flatten("", &serde_json::json!({"x": 2, "y": "s"}), &mut b);
        t.push_row(b);
        assert_eq!(t.header(), ["m.v", "x", "y"], "summary keys come sorted");
        assert_eq!(t.rows, 2);
        assert_eq!(t.column("m.v").unwrap().cells, [Some(Cell::Num(0.5)), None]);
        assert_eq!(
            t.column("y").unwrap().cells[1],
            Some(Cell::Text("s".into()))
        );
        assert!(t.column("z").unwrap_err().to_string().contains("m.v, x, y"));
    }
}
