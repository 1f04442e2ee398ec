//! A section split into independent units of work (realizations, trainings, parameter points),
//! run as shards in separate processes (a cluster's tasks) and merged into the section's report.
//!
//! A sharded section lists its units for a mode ([`Sharded::units`]); shard `I/N` runs the units
//! whose position `u` in that list has `u mod N == I` ([`run_shard`]) and writes each unit's raw
//! result into `root/<id>/units/`, with `root/<id>/shard.json` naming the section, mode, run seed
//! and units. Every unit draws only from streams derived from the section's seed and the unit's own
//! index, so the results do not depend on how the units are spread over shards. [`merge`] reads the
//! units of any number of shard directories, checks that every unit is there exactly once and that
//! all were made with the same mode, seed and sizes, and renders the section (figures, claims,
//! summary, `index.html`) as [`crate::run_report`] would have. [`sweep_toml`] writes the sweep file
//! (`spinlearn sweep`) whose tasks are the shards.

use crate::{
    Mode, ReportRun, ReproduceError, Result, SectionCtx, SectionOutput, finish_section, write_index,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spinlearn_core::record::write_json;
use spinlearn_core::{Observer, Seed};
use std::path::{Path, PathBuf};

/// Shard `index` of `count`: the units at positions `u` with `u mod count == index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 0-based, below `count`.
    pub index: usize,
    /// How many shards share the units (at least 1).
    pub count: usize,
}

impl Shard {
    /// Every unit in one process.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `I/N` (0 <= I < N); errors name the flag `shard`.
    pub fn parse(text: &str) -> Result<Shard> {
        let bad = || {
            ReproduceError::invalid(
                "shard",
                format!("`{text}` is not I/N with 0 <= I < N (e.g. 0/4)"),
            )
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The positions of this shard's units among `n` units.
    pub fn positions(&self, n: usize) -> Vec<usize> {
        (self.index..n).step_by(self.count).collect()
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The units of a section in one mode, by name, in order.
pub type UnitsFn = fn(Mode) -> Result<Vec<String>>;
/// Runs the units at the given positions into `s.dir/units/`; returns the shard's summary.
pub type ShardFn = fn(&SectionCtx, &[usize], &mut dyn Observer) -> Result<Value>;
/// Renders the section into `s.dir` from the unit files of the given section directories.
pub type MergeFn = fn(&SectionCtx, &[PathBuf], &mut dyn Observer) -> Result<SectionOutput>;

/// A section that runs as shards.
#[derive(Debug, Clone, Copy)]
pub struct Sharded {
    /// The section id.
    pub id: &'static str,
    /// Its units.
    pub units: UnitsFn,
    /// Runs some units.
    pub run: ShardFn,
    /// Merges the units.
    pub merge: MergeFn,
}

/// The sections that run as shards.
pub const SHARDED: &[Sharded] = &[
    Sharded {
        id: "relevance",
        units: crate::relevance::units,
        run: crate::relevance::run_units,
        merge: crate::relevance::merge,
    },
    Sharded {
        id: "ising-activation",
        units: crate::ising_activation::units,
        run: crate::ising_activation::run_units,
        merge: crate::ising_activation::merge,
    },
    Sharded {
        id: "zero-synapses",
        units: crate::zero_synapses::units,
        run: crate::zero_synapses::run_units,
        merge: crate::zero_synapses::merge,
    },
    Sharded {
        id: "double-well",
        units: crate::double_well::units,
        run: crate::double_well::run_units,
        merge: crate::double_well::merge,
    },
    Sharded {
        id: "rapid",
        units: crate::rapid::units,
        run: crate::rapid::run_units,
        merge: crate::rapid::merge,
    },
];

/// The sharded section `id`; an error naming the ones that are, otherwise.
pub fn sharded(id: &str) -> Result<&'static Sharded> {
    SHARDED.iter().find(|s| s.id == id).ok_or_else(|| {
        ReproduceError::invalid(
            "section",
            format!(
                "`{id}` does not run as shards (sections that do: {})",
                SHARDED.iter().map(|s| s.id).collect::<Vec<_>>().join(", ")
            ),
        )
    })
}

/// What a shard leaves in `root/<id>/shard.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardRecord {
    /// The section id.
    pub section: String,
    /// The mode.
    pub mode: Mode,
    /// The run seed (the section's is `Seed(run_seed).named(section)`).
    pub run_seed: u64,
    /// Which shard.
    pub shard: Shard,
    /// The names of the units it ran.
    pub units: Vec<String>,
    /// The section's unit count.
    pub total_units: usize,
}

/// Runs shard `shard` of section `id` in `mode` into `run.root/<id>/` (the unit files and
/// `shard.json`); returns the shard's summary (`{"mode", "section", "shard", "units",
/// "total_units", ...}`).
pub fn run_shard(
    id: &str,
    mode: Mode,
    mnist_dir: Option<PathBuf>,
    shard: Shard,
    run: &ReportRun,
    obs: &mut dyn Observer,
) -> Result<Value> {
    let sec = sharded(id)?;
    let names = (sec.units)(mode)?;
    let positions = shard.positions(names.len());
    let mut s = SectionCtx::new(&run.root, id, mode, run.seed)?;
    s.threads = run.threads;
    s.mnist_dir = mnist_dir;
    let units_dir = s.dir.join("units");
    if units_dir.exists() {
        std::fs::remove_dir_all(&units_dir).map_err(|e| ReproduceError::io(&units_dir, e))?;
    }
    std::fs::create_dir_all(&units_dir).map_err(|e| ReproduceError::io(&units_dir, e))?;
    obs.note(&format!(
        "{id} ({mode:?}), shard {shard}: {} of {} units",
        positions.len(),
        names.len()
    ));
    let mut summary = (sec.run)(&s, &positions, obs)?;
    let record = ShardRecord {
        section: id.to_string(),
        mode,
        run_seed: run.seed.0,
        shard,
        units: positions.iter().map(|&p| names[p].clone()).collect(),
        total_units: names.len(),
    };
    write_json(&s.dir.join("shard.json"), &record)?;
    if let Value::Object(m) = &mut summary {
        m.insert("mode".into(), json!(mode));
        m.insert("section".into(), json!(id));
        m.insert("shard".into(), json!(shard.to_string()));
        m.insert("units".into(), json!(record.units));
        m.insert("total_units".into(), json!(names.len()));
    }
    Ok(summary)
}

fn read_record(path: &Path) -> Result<ShardRecord> {
    read_json(path)
}

/// A JSON file parsed as `T`; errors name the file.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| ReproduceError::io(path, e))?;
    serde_json::from_str(&text).map_err(|source| {
        ReproduceError::Core(spinlearn_core::Error::Json {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// One unit file read by [`read_unit_files`].
#[derive(Debug)]
pub struct UnitRead<U> {
    /// The shard section directory it came from.
    pub dir: PathBuf,
    /// The file.
    pub file: PathBuf,
    /// Its contents.
    pub unit: U,
}

/// The unit files `<dir>/units/*.json` of the shard section directories `dirs`, each parsed as
/// `U`: directory by directory, by file name within one.
pub fn read_unit_files<U: serde::de::DeserializeOwned>(
    dirs: &[PathBuf],
) -> Result<Vec<UnitRead<U>>> {
    let mut out = Vec::new();
    for d in dirs {
        let ud = d.join("units");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&ud)
            .map_err(|e| ReproduceError::io(&ud, e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for f in files {
            out.push(UnitRead {
                dir: d.clone(),
                unit: read_json(&f)?,
                file: f,
            });
        }
    }
    Ok(out)
}

/// The run information (`info` of each unit) that every unit file must share: the first one's,
/// after checking that the others equal it and that its mode and section seed (`mode_seed`) are
/// the merge's `s`. Errors name the file made otherwise, or say that there is no unit file.
pub fn common_info<U, I: PartialEq + Clone>(
    s: &SectionCtx,
    units: &[UnitRead<U>],
    info: impl Fn(&U) -> &I,
    mode_seed: impl Fn(&I) -> (Mode, u64),
) -> Result<I> {
    let first = units
        .first()
        .ok_or_else(|| ReproduceError::invalid("merge", "no unit files found"))?;
    let common = info(&first.unit);
    if let Some(u) = units.iter().find(|u| info(&u.unit) != common) {
        return Err(ReproduceError::invalid(
            "merge",
            format!(
                "{} was made with other sizes, data or seed than the other units",
                u.file.display()
            ),
        ));
    }
    let (mode, seed) = mode_seed(common);
    if mode != s.mode || seed != s.seed.0 {
        return Err(ReproduceError::invalid(
            "merge",
            format!(
                "the units were made in {mode:?} mode with section seed {seed}, the merge is {:?} with {}",
                s.mode, s.seed.0
            ),
        ));
    }
    Ok(common.clone())
}

/// Merges the shards of section `id` found in the run directories `dirs` (each holding
/// `<id>/shard.json` and `<id>/units/`) into `run.root/<id>/` and rewrites `run.root/index.html`:
/// the section as one process would have written it. The mode and the run seed come from the
/// shards (they must agree, and equal `mode` when given; `run.seed` is replaced). Returns the
/// report summary (as [`crate::run_report`]'s) and the mode.
pub fn merge(
    id: &str,
    dirs: &[PathBuf],
    mode: Option<Mode>,
    run: &ReportRun,
    obs: &mut dyn Observer,
) -> Result<(Value, Mode)> {
    let sec = sharded(id)?;
    if dirs.is_empty() {
        return Err(ReproduceError::invalid("merge", "no shard directory given"));
    }
    let mut first: Option<ShardRecord> = None;
    let mut given: Vec<Shard> = Vec::new();
    let mut section_dirs = Vec::new();
    for d in dirs {
        let p = d.join(id).join("shard.json");
        if !p.is_file() {
            return Err(ReproduceError::invalid(
                "merge",
                format!(
                    "{} holds no shard of `{id}` (no {})",
                    d.display(),
                    p.display()
                ),
            ));
        }
        let r = read_record(&p)?;
        if let Some(f) = &first
            && (f.mode != r.mode || f.run_seed != r.run_seed || f.total_units != r.total_units)
        {
            return Err(ReproduceError::invalid(
                "merge",
                format!(
                    "{} is a shard of another run ({:?}, seed {}, {} units; the first: {:?}, seed {}, {} units)",
                    d.display(),
                    r.mode,
                    r.run_seed,
                    r.total_units,
                    f.mode,
                    f.run_seed,
                    f.total_units
                ),
            ));
        }
        given.push(r.shard);
        first.get_or_insert(r);
        section_dirs.push(d.join(id));
    }
    let rec = first.expect("at least one directory");
    if let Some(m) = mode
        && m != rec.mode
    {
        return Err(ReproduceError::invalid(
            "merge",
            format!("the shards were run in {:?} mode, not {m:?}", rec.mode),
        ));
    }
    let mode = rec.mode;
    let names = (sec.units)(mode)?;
    if names.len() != rec.total_units {
        return Err(ReproduceError::invalid(
            "merge",
            format!(
                "the shards were made with {} units of `{id}` in {mode:?} mode, this version has {}",
                rec.total_units,
                names.len()
            ),
        ));
    }
    let run = ReportRun {
        seed: Seed(rec.run_seed),
        ..run.clone()
    };
    let created = !run.root.join(id).exists();
    let mut s = SectionCtx::new(&run.root, id, mode, run.seed)?;
    s.threads = run.threads;
    for stale in ["summary.json", "section.json", "claims.json"] {
        let f = s.dir.join(stale);
        if f.exists() {
            std::fs::remove_file(&f).map_err(|e| ReproduceError::io(&f, e))?;
        }
    }
    let t = std::time::Instant::now();
    let out = match (sec.merge)(&s, &section_dirs, obs) {
        Ok(out) => out,
        Err(e) => {
            // Missing or mismatched units: leave no half-made section behind.
            if created {
                let _ = std::fs::remove_dir_all(&s.dir);
            }
            return Err(name_missing_shards(e, &given));
        }
    };
    let secs = t.elapsed().as_secs_f64();
    let title = crate::SECTIONS
        .iter()
        .find(|x| x.id == id)
        .map_or("", |x| x.title);
    finish_section(&run, id, title, out, secs)?;
    write_index(&run, mode)?;
    let mut status = serde_json::Map::new();
    status.insert(
        id.to_string(),
        json!({"status": "complete", "seconds": secs, "merged_shards": dirs.len()}),
    );
    Ok((json!({"mode": mode, "sections": status}), mode))
}

/// `e` with the shards of an `I/N` split that no directory held named, when every shard given is of
/// the same `N` and some are missing.
fn name_missing_shards(e: ReproduceError, given: &[Shard]) -> ReproduceError {
    let Some(n) = given.first().map(|s| s.count) else {
        return e;
    };
    if given.iter().any(|s| s.count != n) {
        return e;
    }
    let absent: Vec<String> = (0..n)
        .filter(|&i| !given.iter().any(|s| s.index == i))
        .map(|i| format!("{i}/{n}"))
        .collect();
    if absent.is_empty() {
        return e;
    }
    let msg = e.to_string();
    let msg = msg
        .strip_prefix("invalid parameter `merge`: ")
        .unwrap_or(&msg)
        .to_string();
    ReproduceError::invalid(
        "merge",
        format!(
            "{msg} (no directory given holds shard {})",
            absent.join(", ")
        ),
    )
}

/// The sweep file (see `spinlearn sweep`) that runs section `id` in `mode` as `tasks` shards (at
/// most one per unit; `None`: one per unit) with run seed `seed`, into `out/<task>/`; a `reproduce`
/// experiment per task with `shard = "I/N"`. Returns the text and the task count.
pub fn sweep_toml(
    id: &str,
    mode: Mode,
    seed: Seed,
    tasks: Option<usize>,
    out: &Path,
    mnist_dir: Option<&Path>,
    version: &str,
) -> Result<(String, usize)> {
    let sec = sharded(id)?;
    let names = (sec.units)(mode)?;
    if tasks == Some(0) {
        return Err(ReproduceError::invalid("tasks", "must be at least 1"));
    }
    let n = tasks.unwrap_or(names.len()).min(names.len()).max(1);
    let flag = match mode {
        Mode::Smoke => "smoke",
        Mode::Quick => "quick",
        Mode::Full => "full",
    };
    let q = |s: &str| toml_string(s);
    let mut t = String::new();
    t.push_str(&format!(
        "# `spinlearn reproduce {id} --{flag}` as {n} tasks (written by spinlearn {version}): task I runs\n\
         # the units u of the section with u mod {n} == I ({} units: {}).\n\
         # Run:     spinlearn sweep run THIS_FILE --executor local --jobs J   (or --executor slurm)\n\
         # Merge:   spinlearn sweep collect THIS_FILE   (the section's report in {}/report/)\n",
        names.len(),
        unit_list(&names),
        out.display()
    ));
    t.push_str("kind = \"reproduce\"\n");
    t.push_str(&format!(
        "section = {}\n{flag} = true\nseed = {}\n",
        q(id),
        seed.0
    ));
    if let Some(d) = mnist_dir {
        t.push_str(&format!("mnist_dir = {}\n", q(&d.display().to_string())));
    }
    t.push_str(&format!(
        "\n[sweep]\nout = {}\nshard = [{}]\n",
        q(&out.display().to_string()),
        (0..n)
            .map(|i| q(&format!("{i}/{n}")))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    t.push_str(
        "\n# Resources of each task under Slurm (set them for your cluster):\n# [slurm]\n# time = \"24:00:00\"\n# mem = \"8G\"\n# cpus = 4\n",
    );
    Ok((t, n))
}

/// The first unit names, comma-separated, and how many more (a comment line stays readable with
/// hundreds of units).
fn unit_list(names: &[String]) -> String {
    const SHOWN: usize = 16;
    let mut t = names
        .iter()
        .take(SHOWN)
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        t.push_str(&format!(", ... and {} more", names.len() - SHOWN));
    }
    t
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => o.push_str(&format!("\\u{:04X}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_every_unit_once() {
        assert_eq!(Shard::parse("1/3").unwrap(), Shard { index: 1, count: 3 });
        for bad in ["3/3", "1", "a/2", "0/0", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        let mut seen: Vec<usize> = (0..4)
            .flat_map(|i| Shard { index: i, count: 4 }.positions(10))
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
        assert_eq!(Shard { index: 2, count: 4 }.positions(10), vec![2, 6]);
        assert_eq!(Shard::ALL.positions(3), vec![0, 1, 2]);
        assert_eq!(toml_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }

    /// Every sharded section names its units uniquely in every mode, with names that are plain
    /// file names (each unit is a file `units/<name>.json`).
    #[test]
    fn unit_names_are_unique_file_names() {
        for sec in SHARDED {
            for mode in [Mode::Smoke, Mode::Quick, Mode::Full] {
                let names = (sec.units)(mode).unwrap();
                assert!(!names.is_empty(), "{} {mode:?}", sec.id);
                let mut sorted = names.clone();
                sorted.sort();
                sorted.dedup();
                assert_eq!(sorted.len(), names.len(), "{} {mode:?}: {names:?}", sec.id);
                for n in &names {
                    assert!(
                        n.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
                        "{} {mode:?}: unit name `{n}`",
                        sec.id
                    );
                }
            }
        }
    }
}
