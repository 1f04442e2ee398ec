//! Sweep files: parsing, axes, the task plan and the sweep id.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use toml::Value;

/// One axis of the grid: a single parameter, or several zipped ones that vary together.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Parameter names (one, or the members of a zipped group).
    pub names: Vec<String>,
    /// The points: each holds one value per name.
    pub points: Vec<Vec<Value>>,
}

/// Batch resources of each task under Slurm (`[slurm]` table; flags override them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlurmSettings {
    /// `--time` per task, e.g. `"00:10:00"`.
    pub time: Option<String>,
    /// `--mem` per task, e.g. `"2G"`.
    pub mem: Option<String>,
    /// `--cpus-per-task` (also the task's `--threads`).
    pub cpus: Option<usize>,
    /// `--partition`.
    pub partition: Option<String>,
    /// `--account`.
    pub account: Option<String>,
    /// At most this many array tasks at once (`%max`).
    pub max_parallel: Option<usize>,
    /// Extra `#SBATCH` options, e.g. `"--qos=short"`.
    pub extra: Vec<String>,
}

/// A parsed sweep file.
#[derive(Debug, Clone)]
pub struct SweepFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// The experiment (`kind` and its keys), without the `seed`, `out` and sweep tables.
    pub base: toml::Table,
    /// The experiment's `kind`.
    pub kind: String,
    /// The axes, in name order (zipped groups named by their first member).
    pub axes: Vec<Axis>,
    /// The seeds of every grid point (innermost axis); `[seed]` when `seeds` is not given.
    pub seeds: Vec<u64>,
    /// The sweep's directory: every task runs into `out/<task id>/`.
    pub out: PathBuf,
    /// Slurm resources.
    pub slurm: SlurmSettings,
}

/// One task of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Position in the plan (0-based; Slurm's array index).
    pub index: usize,
    /// Stable id, the run directory's name: `t` and the index, zero-padded (`t007`).
    pub id: String,
    /// The swept parameters of this task, axis by axis, then `seed`.
    pub params: Vec<(String, Value)>,
    /// The resolved experiment: the base with the swept values and the seed set.
    pub config: toml::Table,
}

impl Task {
    /// The task's seed.
    pub fn seed(&self) -> u64 {
        self.config
            .get("seed")
            .and_then(Value::as_integer)
            .unwrap_or(0) as u64
    }
}

fn invalid(path: &Path, key: &str, reason: impl Into<String>) -> Error {
    Error::Invalid {
        path: path.to_path_buf(),
        key: key.into(),
        reason: reason.into(),
    }
}

fn num(v: &Value) -> Option<f64> {
    v.as_float()
        .or_else(|| v.as_integer().map(|i| i as f64))
        .filter(|x| x.is_finite())
}

/// Rounds to 12 significant digits, so `0.1 + 2 * 0.05` prints as `0.2`.
fn tidy(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// Most points an axis (or the whole plan) may have.
pub const MAX_TASKS: usize = 1_000_000;

/// Expands one axis value: a list, or a range table `{ from, to, step }` / `{ from, to, num,
/// log }`.
fn expand(path: &Path, key: &str, v: &Value) -> Result<Vec<Value>> {
    match v {
        Value::Array(items) => {
            if items.is_empty() {
                return Err(invalid(path, key, "an empty list"));
            }
            if let Some(bad) = items
                .iter()
                .find(|i| matches!(i, Value::Table(_) | Value::Array(_)))
            {
                return Err(invalid(
                    path,
                    key,
                    format!("list items must be numbers, strings or booleans, got {bad}"),
                ));
            }
            Ok(items.clone())
        }
        Value::Table(t) => {
            for k in t.keys() {
                if !["from", "to", "step", "num", "log"].contains(&k.as_str()) {
                    return Err(invalid(
                        path,
                        key,
                        format!("unknown range key `{k}` (known: from, to, step, num, log)"),
                    ));
                }
            }
            let get = |k: &str| {
                t.get(k).map(|v| {
                    num(v)
                        .ok_or_else(|| invalid(path, key, format!("`{k}` must be a finite number")))
                })
            };
            let from = get("from").ok_or_else(|| invalid(path, key, "a range needs `from`"))??;
            let to = get("to").ok_or_else(|| invalid(path, key, "a range needs `to`"))??;
            let ints = t.get("from").is_some_and(Value::is_integer)
                && t.get("to").is_some_and(Value::is_integer)
                && t.get("step").is_none_or(Value::is_integer);
            let log = match t.get("log") {
                None => false,
                Some(Value::Boolean(b)) => *b,
                Some(_) => return Err(invalid(path, key, "`log` must be true or false")),
            };
            let xs: Vec<f64> = match (get("step").transpose()?, t.get("num")) {
                (Some(_), Some(_)) => {
                    return Err(invalid(path, key, "give `step` or `num`, not both"));
                }
                (Some(step), None) => {
                    if log {
                        return Err(invalid(path, key, "a log range takes `num`, not `step`"));
                    }
                    if step <= 0.0 || to < from {
                        return Err(invalid(path, key, "needs step > 0 and from <= to"));
                    }
                    let n = ((to - from) / step * (1.0 + 1e-12)).floor() + 1.0;
                    if n > MAX_TASKS as f64 {
                        return Err(invalid(path, key, format!("{n} points is too many")));
                    }
                    (0..n as usize).map(|i| from + i as f64 * step).collect()
                }
                (None, Some(n)) => {
                    let n = n
                        .as_integer()
                        .filter(|&n| n >= 1 && n <= MAX_TASKS as i64)
                        .ok_or_else(|| invalid(path, key, "`num` must be an integer >= 1"))?
                        as usize;
                    if log && (from <= 0.0 || to <= 0.0) {
                        return Err(invalid(path, key, "a log range needs from > 0 and to > 0"));
                    }
                    (0..n)
                        .map(|i| {
                            let t = if n == 1 {
                                0.0
                            } else {
                                i as f64 / (n - 1) as f64
                            };
                            if log {
                                (from.ln() + t * (to.ln() - from.ln())).exp()
                            } else {
                                from + t * (to - from)
                            }
                        })
                        .collect()
                }
                (None, None) => return Err(invalid(path, key, "a range needs `step` or `num`")),
            };
            if ints {
                let mut out: Vec<i64> = Vec::new();
                for x in xs {
                    let r = x.round() as i64;
                    if out.last() != Some(&r) {
                        out.push(r);
                    }
                }
                Ok(out.into_iter().map(Value::Integer).collect())
            } else {
                Ok(xs.into_iter().map(|x| Value::Float(tidy(x))).collect())
            }
        }
        _ => Err(invalid(
            path,
            key,
            "an axis is a list or a range table { from, to, step } / { from, to, num, log }",
        )),
    }
}

impl SweepFile {
    /// Reads and checks a sweep file.
    pub fn parse(path: &Path) -> Result<SweepFile> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        SweepFile::from_text(path, &text)
    }

    /// Parses sweep-file text (`path` names it in errors and places the default `out`).
    pub fn from_text(path: &Path, text: &str) -> Result<SweepFile> {
        let mut base: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            invalid(
                path,
                "toml",
                format!(
                    "invalid TOML{}: {}",
                    line.map(|l| format!(" at line {l}")).unwrap_or_default(),
                    e.message().trim().replace('\n', " ")
                ),
            )
        })?;
        let kind = match base.get("kind") {
            Some(Value::String(k)) => k.clone(),
            _ => {
                return Err(invalid(
                    path,
                    "kind",
                    "missing (the experiment, e.g. \"attractor simulate\")",
                ));
            }
        };
        let Some(Value::Table(mut sweep)) = base.remove("sweep") else {
            return Err(invalid(path, "sweep", "missing table [sweep] of axes"));
        };
        let slurm = match base.remove("slurm") {
            None => SlurmSettings::default(),
            Some(Value::Table(t)) => parse_slurm(path, &t)?,
            Some(_) => return Err(invalid(path, "slurm", "must be a table [slurm]")),
        };
        if base.remove("out").is_some() {
            return Err(invalid(
                path,
                "out",
                "set the sweep's directory as `out` in [sweep]",
            ));
        }
        let base_seed = match base.remove("seed") {
            None => 0,
            Some(v) => v
                .as_integer()
                .filter(|s| *s >= 0)
                .ok_or_else(|| invalid(path, "seed", "must be a non-negative integer"))?
                as u64,
        };
        let out = match sweep.remove("out") {
            Some(Value::String(s)) => PathBuf::from(s),
            Some(_) => return Err(invalid(path, "sweep.out", "must be a string")),
            None => {
                let stem = path.file_stem().map(|s| s.to_string_lossy().to_string());
                PathBuf::from("out").join(format!("sweep-{}", stem.unwrap_or_default()))
            }
        };
        let seeds = match sweep.remove("seeds") {
            None => vec![base_seed],
            Some(Value::Integer(n)) if (1..=MAX_TASKS as i64).contains(&n) => {
                (0..n as u64).map(|i| base_seed + i).collect()
            }
            Some(Value::Array(a)) if !a.is_empty() => a
                .iter()
                .map(|v| v.as_integer().filter(|s| *s >= 0).map(|s| s as u64))
                .collect::<Option<Vec<u64>>>()
                .ok_or_else(|| invalid(path, "sweep.seeds", "a list of non-negative integers"))?,
            Some(_) => {
                return Err(invalid(
                    path,
                    "sweep.seeds",
                    "a count N (seeds seed..seed+N-1) or a list of seeds",
                ));
            }
        };
        let mut axes: Vec<Axis> = Vec::new();
        let zips = match sweep.remove("zip") {
            None => Vec::new(),
            Some(Value::Table(t)) => vec![t],
            Some(Value::Array(a)) => a
                .into_iter()
                .map(|v| match v {
                    Value::Table(t) => Ok(t),
                    _ => Err(invalid(path, "sweep.zip", "must be tables [[sweep.zip]]")),
                })
                .collect::<Result<Vec<_>>>()?,
            Some(_) => return Err(invalid(path, "sweep.zip", "must be tables [[sweep.zip]]")),
        };
        for (key, v) in &sweep {
            let values = expand(path, &format!("sweep.{key}"), v)?;
            axes.push(Axis {
                names: vec![key.clone()],
                points: values.into_iter().map(|v| vec![v]).collect(),
            });
        }
        for z in zips {
            let mut names: Vec<String> = Vec::new();
            let mut columns: Vec<Vec<Value>> = Vec::new();
            for (key, v) in &z {
                names.push(key.clone());
                columns.push(expand(path, &format!("sweep.zip.{key}"), v)?);
            }
            let Some(n) = columns.first().map(Vec::len) else {
                return Err(invalid(path, "sweep.zip", "an empty zipped group"));
            };
            if columns.iter().any(|c| c.len() != n) {
                return Err(invalid(
                    path,
                    &format!("sweep.zip.{}", names.join("/")),
                    "zipped axes must have equal lengths",
                ));
            }
            axes.push(Axis {
                names,
                points: (0..n)
                    .map(|i| columns.iter().map(|c| c[i].clone()).collect())
                    .collect(),
            });
        }
        axes.sort_by(|a, b| a.names.cmp(&b.names));
        let mut seen = std::collections::BTreeSet::new();
        for name in axes.iter().flat_map(|a| &a.names) {
            if name == "seed" {
                return Err(invalid(path, "sweep.seed", "sweep seeds with `seeds`"));
            }
            if !seen.insert(name.clone()) {
                return Err(invalid(path, &format!("sweep.{name}"), "swept twice"));
            }
        }
        let count = axes
            .iter()
            .try_fold(seeds.len(), |n, a| n.checked_mul(a.points.len()))
            .filter(|&n| n <= MAX_TASKS);
        if count.is_none() {
            return Err(invalid(
                path,
                "sweep",
                format!("more than {MAX_TASKS} tasks"),
            ));
        }
        Ok(SweepFile {
            path: path.to_path_buf(),
            base,
            kind,
            axes,
            seeds,
            out,
            slurm,
        })
    }

    /// Number of tasks.
    pub fn len(&self) -> usize {
        self.axes
            .iter()
            .fold(self.seeds.len(), |n, a| n * a.points.len())
    }

    /// Whether the plan is empty (never, for a parsed file).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The swept parameter names: every axis member, then `seed`.
    pub fn param_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.axes.iter().flat_map(|a| a.names.clone()).collect();
        v.push("seed".into());
        v
    }

    /// The sweep id: 16 hex digits of FNV-1a over the experiment, the axes and the seeds (not the
    /// output directory or the Slurm resources, which do not change results).
    pub fn id(&self) -> String {
        let mut canon = format!("kind={}\n", self.kind);
        let mut keys: Vec<&String> = self.base.keys().collect();
        keys.sort();
        for k in keys {
            canon.push_str(&format!("base.{k}={}\n", self.base[k]));
        }
        for a in &self.axes {
            let points: Vec<String> = a
                .points
                .iter()
                .map(|p| {
                    p.iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .collect();
            canon.push_str(&format!(
                "axis.{}={}\n",
                a.names.join("|"),
                points.join(";")
            ));
        }
        canon.push_str(&format!("seeds={:?}\n", self.seeds));
        format!("{:016x}", crate::fnv1a(canon.as_bytes()))
    }

    /// Width of the zero-padded index in task ids (at least 3).
    fn id_width(&self) -> usize {
        self.len().saturating_sub(1).to_string().len().max(3)
    }

    /// Task `index` of the plan (the last axis varies fastest, seeds innermost).
    pub fn task(&self, index: usize) -> Option<Task> {
        if index >= self.len() {
            return None;
        }
        let mut rest = index;
        let seed = self.seeds[rest % self.seeds.len()];
        rest /= self.seeds.len();
        let mut picks = vec![0; self.axes.len()];
        for (k, a) in self.axes.iter().enumerate().rev() {
            picks[k] = rest % a.points.len();
            rest /= a.points.len();
        }
        let mut config = self.base.clone();
        let mut params = Vec::new();
        for (a, &p) in self.axes.iter().zip(&picks) {
            for (name, v) in a.names.iter().zip(&a.points[p]) {
                config.insert(name.clone(), v.clone());
                params.push((name.clone(), v.clone()));
            }
        }
        config.insert("seed".into(), Value::Integer(seed as i64));
        params.push(("seed".into(), Value::Integer(seed as i64)));
        Some(Task {
            index,
            id: format!("t{index:0w$}", w = self.id_width()),
            params,
            config,
        })
    }

    /// Every task, in index order.
    pub fn tasks(&self) -> Vec<Task> {
        (0..self.len()).filter_map(|i| self.task(i)).collect()
    }

    /// The run directory of a task.
    pub fn task_dir(&self, task: &Task) -> PathBuf {
        self.out.join(&task.id)
    }

    /// The plan as JSON (`tasks.json`): the sweep id, the file, and per task its index, id,
    /// swept parameters and resolved config.
    pub fn plan_json(&self) -> serde_json::Value {
        let to_json = |v: &Value| serde_json::to_value(v).unwrap_or(serde_json::Value::Null);
        let tasks: Vec<serde_json::Value> = self
            .tasks()
            .iter()
            .map(|t| {
                serde_json::json!({
                    "index": t.index,
                    "id": t.id,
                    "params": t.params.iter().map(|(k, v)| (k.clone(), to_json(v))).collect::<serde_json::Map<_, _>>(),
                    "config": serde_json::to_value(&t.config).unwrap_or(serde_json::Value::Null),
                })
            })
            .collect();
        serde_json::json!({
            "sweep": self.id(),
            "file": self.path.display().to_string(),
            "kind": self.kind,
            "n_tasks": self.len(),
            "params": self.param_names(),
            "tasks": tasks,
        })
    }

    /// Writes `OUT/sweep.json` (id, file, kind, task count) and `OUT/tasks.json` (the plan);
    /// refuses a directory that holds another sweep (a different id).
    pub fn write_plan(&self) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.out).map_err(|source| Error::Io {
            path: self.out.clone(),
            source,
        })?;
        let marker = self.out.join("sweep.json");
        self.check_dir()?;
        spinlearn_core::record::write_json(
            &marker,
            &serde_json::json!({
                "sweep": self.id(),
                "file": self.path.display().to_string(),
                "kind": self.kind,
                "n_tasks": self.len(),
            }),
        )?;
        let plan = self.out.join("tasks.json");
        spinlearn_core::record::write_json(&plan, &self.plan_json())?;
        Ok(plan)
    }

    /// Whether `OUT/sweep.json` names this sweep (`false`: no sweep there yet); an error when the
    /// directory holds another sweep, or files and no sweep.
    pub fn check_dir(&self) -> Result<bool> {
        let marker = self.out.join("sweep.json");
        if let Ok(text) = std::fs::read_to_string(&marker) {
            let old: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            if old["sweep"].as_str() != Some(self.id().as_str()) {
                return Err(invalid(
                    &self.path,
                    "sweep.out",
                    format!(
                        "{} holds sweep {} (another experiment or grid); choose another `out` or delete it",
                        self.out.display(),
                        old["sweep"].as_str().unwrap_or("?")
                    ),
                ));
            }
            return Ok(true);
        }
        if std::fs::read_dir(&self.out).is_ok_and(|mut d| d.next().is_some()) {
            return Err(invalid(
                &self.path,
                "sweep.out",
                format!("{} is not empty and holds no sweep", self.out.display()),
            ));
        }
        Ok(false)
    }
}

fn parse_slurm(path: &Path, t: &toml::Table) -> Result<SlurmSettings> {
    let mut s = SlurmSettings::default();
    for (k, v) in t {
        let key = format!("slurm.{k}");
        let text = || {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| invalid(path, &key, "must be a string"))
        };
        let count = || {
            v.as_integer()
                .filter(|n| *n >= 1)
                .map(|n| n as usize)
                .ok_or_else(|| invalid(path, &key, "must be an integer >= 1"))
        };
        match k.as_str() {
            "time" => s.time = Some(text()?),
            "mem" => s.mem = Some(text()?),
            "partition" => s.partition = Some(text()?),
            "account" => s.account = Some(text()?),
            "cpus" | "cpus_per_task" => s.cpus = Some(count()?),
            "max_parallel" => s.max_parallel = Some(count()?),
            "extra" => {
                s.extra = v
                    .as_array()
                    .and_then(|a| {
                        a.iter()
                            .map(|x| x.as_str().map(str::to_string))
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or_else(|| invalid(path, &key, "must be a list of strings"))?
            }
            _ => {
                return Err(invalid(
                    path,
                    &key,
                    "unknown key (known: time, mem, cpus, partition, account, max_parallel, extra)",
                ));
            }
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SweepFile> {
        SweepFile::from_text(Path::new("s.toml"), text)
    }

    #[test]
    fn grid_order_ids_and_seeds() {
        let s = parse(
            "kind = \"attractor simulate\"\nn = 300\nseed = 10\n[sweep]\nout = \"o\"\nseeds = 2\nc_well = [1.0, 2.0, 3.0]\n",
        )
        .unwrap();
        assert_eq!(s.len(), 6);
        let t = s.tasks();
        let got: Vec<(String, f64, u64)> = t
            .iter()
            .map(|t| {
                (
                    t.id.clone(),
                    t.config["c_well"].as_float().unwrap(),
                    t.seed(),
                )
            })
            .collect();
        assert_eq!(got[0], ("t000".into(), 1.0, 10));
        assert_eq!(got[1], ("t001".into(), 1.0, 11));
        assert_eq!(got[5], ("t005".into(), 3.0, 11));
        assert_eq!(t[3].config["n"].as_integer(), Some(300));
        assert_eq!(s.param_names(), ["c_well", "seed"]);
        assert_eq!(s.task_dir(&t[2]), Path::new("o/t002"));
    }

    #[test]
    fn ranges_zip_and_stable_id() {
        let text = "kind = \"k\"\n[sweep]\nr1 = { from = 0.05, to = 0.2, step = 0.05 }\nm = { from = 10, to = 1000, num = 3, log = true }\n[[sweep.zip]]\nn = [100, 200]\npatterns = [5, 10]\n";
        let s = parse(text).unwrap();
        assert_eq!(s.len(), 4 * 3 * 2);
        let names: Vec<Vec<String>> = s.axes.iter().map(|a| a.names.clone()).collect();
        assert_eq!(names, [vec!["m"], vec!["n", "patterns"], vec!["r1"]]);
        let m: Vec<i64> = s.axes[0]
            .points
            .iter()
            .map(|p| p[0].as_integer().unwrap())
            .collect();
        assert_eq!(m, [10, 100, 1000]);
        let r1: Vec<f64> = s.axes[2]
            .points
            .iter()
            .map(|p| p[0].as_float().unwrap())
            .collect();
        assert_eq!(r1, [0.05, 0.1, 0.15, 0.2]);
        let t = s.task(5).unwrap();
        assert_eq!(t.config["n"].as_integer(), Some(200));
        assert_eq!(t.config["patterns"].as_integer(), Some(10));
        // The id depends on content, not on key order, and changes with any value.
        let reordered = "kind = \"k\"\n[sweep]\nm = { from = 10, to = 1000, num = 3, log = true }\nr1 = { from = 0.05, to = 0.2, step = 0.05 }\n[[sweep.zip]]\npatterns = [5, 10]\nn = [100, 200]\n";
        assert_eq!(parse(reordered).unwrap().id(), s.id());
        let changed = text.replace("[5, 10]", "[5, 11]");
        assert_ne!(parse(&changed).unwrap().id(), s.id());
        // Output directory and resources do not change the id.
        let moved = text.replace(
            "[sweep]\n",
            "[slurm]\ntime = \"1:00\"\n[sweep]\nout = \"x\"\n",
        );
        assert_eq!(parse(&moved).unwrap().id(), s.id());
    }

    #[test]
    fn bad_files_name_the_key() {
        for (text, key) in [
            ("n = 1\n[sweep]\nx = [1]\n", "`kind`"),
            ("kind = \"k\"\n", "`sweep`"),
            ("kind = \"k\"\n[sweep]\nx = []\n", "`sweep.x`"),
            (
                "kind = \"k\"\n[sweep]\nx = { from = 1, to = 0, step = 1 }\n",
                "`sweep.x`",
            ),
            (
                "kind = \"k\"\n[sweep]\nx = { from = 0, to = 1, num = 2, log = true }\n",
                "`sweep.x`",
            ),
            ("kind = \"k\"\n[sweep]\nseeds = 0\n", "`sweep.seeds`"),
            (
                "kind = \"k\"\n[sweep]\n[[sweep.zip]]\na = [1, 2]\nb = [1]\n",
                "`sweep.zip.a/b`",
            ),
            (
                "kind = \"k\"\n[sweep]\nx = [1]\n[slurm]\ntime = 5\n",
                "`slurm.time`",
            ),
            (
                "kind = \"k\"\n[sweep]\nx = [1]\n[slurm]\ngpus = 1\n",
                "`slurm.gpus`",
            ),
            (
                "kind = \"k\"\n[sweep]\nx = { from = 0, to = 1e9, step = 1e-9 }\n",
                "`sweep.x`",
            ),
            (
                "kind = \"k\"\n[sweep]\na = { from = 1, to = 1000, step = 1 }\nb = { from = 1, to = 1000, step = 1 }\nc = { from = 1, to = 1000, step = 1 }\n",
                "`sweep`",
            ),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.starts_with("s.toml: "), "{e}");
            assert!(e.contains(key), "{key} not in {e}");
        }
    }
}
