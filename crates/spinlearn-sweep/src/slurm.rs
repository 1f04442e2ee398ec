//! Slurm job arrays: the `--array` spec of a set of task indices, the sbatch script of a sweep, and
//! `squeue` output read back into task states. Running `sbatch` and `squeue` is the binary's job.

use crate::TaskState;
use crate::file::SlurmSettings;
use std::collections::BTreeMap;
use std::path::Path;

/// The `--array` value of a set of indices (sorted, ranges merged), e.g. `0-3,5,7-9`, with
/// `%max` when given.
pub fn array_spec(indices: &[usize], max_parallel: Option<usize>) -> String {
    let mut v = indices.to_vec();
    v.sort_unstable();
    v.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        parts.push(if j == i {
            v[i].to_string()
        } else {
            format!("{}-{}", v[i], v[j])
        });
        i = j + 1;
    }
    let mut s = parts.join(",");
    if let Some(m) = max_parallel {
        s.push_str(&format!("%{m}"));
    }
    s
}

/// Quotes a word for a POSIX shell (single quotes).
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The sbatch script of a job array over the array indices `indices`: each element runs, in
/// `workdir` (where the sweep's relative paths resolve), `exe sweep task FILE --index
/// $((SLURM_ARRAY_TASK_ID + offset)) --threads <cpus>` (by `exec`, so Slurm's SIGTERM reaches the
/// run), with the resources of `s`, its log in `log_dir/%A_%a.log`.
#[allow(clippy::too_many_arguments)]
pub fn script(
    name: &str,
    exe: &Path,
    file: &Path,
    workdir: &Path,
    indices: &[usize],
    offset: usize,
    s: &SlurmSettings,
    log_dir: &Path,
) -> String {
    let mut lines = vec![
        "#!/bin/bash".to_string(),
        format!("#SBATCH --job-name={}", shell_quote(name)),
        format!("#SBATCH --array={}", array_spec(indices, s.max_parallel)),
        format!(
            "#SBATCH --output={}",
            shell_quote(&log_dir.join("%A_%a.log").display().to_string())
        ),
        format!(
            "#SBATCH --chdir={}",
            shell_quote(&workdir.display().to_string())
        ),
        "#SBATCH --ntasks=1".to_string(),
        format!("#SBATCH --cpus-per-task={}", s.cpus.unwrap_or(1)),
    ];
    if let Some(t) = &s.time {
        lines.push(format!("#SBATCH --time={}", shell_quote(t)));
    }
    if let Some(m) = &s.mem {
        lines.push(format!("#SBATCH --mem={}", shell_quote(m)));
    }
    if let Some(p) = &s.partition {
        lines.push(format!("#SBATCH --partition={}", shell_quote(p)));
    }
    if let Some(a) = &s.account {
        lines.push(format!("#SBATCH --account={}", shell_quote(a)));
    }
    for e in &s.extra {
        lines.push(format!("#SBATCH {e}"));
    }
    lines.push(String::new());
    let index = if offset == 0 {
        "\"$SLURM_ARRAY_TASK_ID\"".to_string()
    } else {
        format!("\"$((SLURM_ARRAY_TASK_ID + {offset}))\"")
    };
    lines.push(format!(
        "exec {} sweep task {} --index {index} --threads {}",
        shell_quote(&exe.display().to_string()),
        shell_quote(&file.display().to_string()),
        s.cpus.unwrap_or(1)
    ));
    lines.join("\n") + "\n"
}

/// Slurm's default `MaxArraySize` (array indices must be below it).
pub const DEFAULT_MAX_ARRAY_SIZE: usize = 1001;

/// `MaxArraySize` from the output of `scontrol show config` (`MaxArraySize = 1001`).
pub fn parse_max_array_size(config: &str) -> Option<usize> {
    config.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "MaxArraySize")
            .then(|| v.trim().parse().ok())
            .flatten()
            .filter(|&n: &usize| n > 0)
    })
}

/// The task indices split into job arrays whose indices stay below `max_array_size`: task `i`
/// goes to the array with offset `o = (i / max_array_size) max_array_size` as array index
/// `i - o`. Returns `(offset, array indices)` per array, in order.
pub fn split_arrays(indices: &[usize], max_array_size: usize) -> Vec<(usize, Vec<usize>)> {
    let m = max_array_size.max(1);
    let mut out: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut v = indices.to_vec();
    v.sort_unstable();
    v.dedup();
    for i in v {
        let o = i / m * m;
        match out.last_mut() {
            Some((lo, a)) if *lo == o => a.push(i - o),
            _ => out.push((o, vec![i - o])),
        }
    }
    out
}

/// Reads `squeue -h -r -o "%i %T"` output: array elements `JOB_INDEX STATE` of the jobs in
/// `jobs` (each with the offset its array indices are shifted by, see [`split_arrays`]) become
/// the states of tasks `INDEX + offset` (PENDING -> queued, RUNNING/COMPLETING/CONFIGURING ->
/// running); elements still folded as `JOB_[a-b%m]` are expanded.
pub fn parse_squeue(text: &str, jobs: &[(String, usize)]) -> BTreeMap<usize, TaskState> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let mut it = line.split_whitespace();
        let (Some(id), Some(state)) = (it.next(), it.next()) else {
            continue;
        };
        let Some((job, idx)) = id.split_once('_') else {
            continue;
        };
        let Some(offset) = jobs.iter().find(|j| j.0 == job).map(|j| j.1) else {
            continue;
        };
        let st = match state {
            "PENDING" | "REQUEUED" | "SUSPENDED" => TaskState::Queued,
            "RUNNING" | "COMPLETING" | "CONFIGURING" | "STAGE_OUT" => TaskState::Running,
            _ => continue,
        };
        let idx = idx.trim_start_matches('[').trim_end_matches(']');
        let idx = idx.split('%').next().unwrap_or("");
        for part in idx.split(',') {
            match part.split_once('-') {
                Some((a, b)) => {
                    if let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>()) {
                        for i in a..=b.min(a + crate::file::MAX_TASKS) {
                            out.insert(i + offset, st);
                        }
                    }
                }
                None => {
                    if let Ok(i) = part.parse::<usize>() {
                        out.insert(i + offset, st);
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_specs() {
        assert_eq!(array_spec(&[0, 1, 2, 3, 5, 7, 8, 9], None), "0-3,5,7-9");
        assert_eq!(array_spec(&[4, 2, 3], Some(2)), "2-4%2");
        assert_eq!(array_spec(&[6], None), "6");
    }

    #[test]
    fn squeue_lines() {
        let text = "12_3 RUNNING\n12_[4-6%2] PENDING\n99_1 RUNNING\n12 RUNNING\n";
        let m = parse_squeue(text, &[("12".into(), 0)]);
        assert_eq!(m.len(), 4);
        assert_eq!(m[&3], TaskState::Running);
        assert_eq!(m[&5], TaskState::Queued);
        assert!(!m.contains_key(&1));
        // a second array of the same sweep, its indices shifted by 1000
        let m = parse_squeue(text, &[("12".into(), 0), ("99".into(), 1000)]);
        assert_eq!(m[&1001], TaskState::Running);
        assert!(!m.contains_key(&1));
    }

    #[test]
    fn arrays_stay_below_max_array_size() {
        assert_eq!(
            parse_max_array_size("AuthType = auth/munge\nMaxArraySize            = 4\n"),
            Some(4)
        );
        assert_eq!(parse_max_array_size("MaxJobCount = 10000\n"), None);
        assert_eq!(
            split_arrays(&[5, 0, 1, 2, 3, 4, 9], 4),
            vec![(0, vec![0, 1, 2, 3]), (4, vec![0, 1]), (8, vec![1])]
        );
        assert_eq!(split_arrays(&[3, 7], 1001), vec![(0, vec![3, 7])]);
        // every task once, every array index below the limit
        let all: Vec<usize> = (0..2500).filter(|i| i % 7 != 3).collect();
        let split = split_arrays(&all, 1001);
        assert_eq!(split.len(), 3);
        let mut back: Vec<usize> = split
            .iter()
            .flat_map(|(o, a)| a.iter().map(move |i| i + o))
            .collect();
        back.sort_unstable();
        assert_eq!(back, all);
        assert!(split.iter().all(|(_, a)| a.iter().all(|&i| i < 1001)));
    }

    #[test]
    fn script_has_the_array_and_resources() {
        let s = SlurmSettings {
            time: Some("00:05:00".into()),
            mem: Some("1G".into()),
            cpus: Some(2),
            partition: Some("debug".into()),
            account: None,
            max_parallel: Some(3),
            extra: vec!["--qos=short".into()],
        };
        let text = script(
            "spinlearn-ab",
            Path::new("/opt/bin/spinlearn"),
            Path::new("/home/u/my sweep.toml"),
            Path::new("/home/u"),
            &[0, 1, 2, 4],
            0,
            &s,
            Path::new("/scratch/out/logs"),
        );
        for want in [
            "#SBATCH --array=0-2,4%3",
            "#SBATCH --time=00:05:00",
            "#SBATCH --mem=1G",
            "#SBATCH --cpus-per-task=2",
            "#SBATCH --partition=debug",
            "#SBATCH --qos=short",
            "#SBATCH --output=/scratch/out/logs/%A_%a.log",
            "exec /opt/bin/spinlearn sweep task '/home/u/my sweep.toml' --index \"$SLURM_ARRAY_TASK_ID\" --threads 2",
        ] {
            assert!(text.contains(want), "{want} not in\n{text}");
        }
        let shifted = script(
            "spinlearn-ab",
            Path::new("/opt/bin/spinlearn"),
            Path::new("/home/u/s.toml"),
            Path::new("/home/u"),
            &[0, 1],
            1001,
            &s,
            Path::new("/scratch/out/logs"),
        );
        assert!(
            shifted.contains("#SBATCH --array=0-1%3")
                && shifted.contains("--index \"$((SLURM_ARRAY_TASK_ID + 1001))\""),
            "{shifted}"
        );
    }
}
