//! Run directories and their records.
//!
//! Every run writes `DIR/run.json` (command line, resolved config, seed, version, start and end
//! time, wall seconds, threads, status) and, only when it completes, `DIR/summary.json` (named
//! headline figures). `run.json` is written with `"status": "running"` at the start and rewritten
//! with `"complete"` or `"failed"` at the end, so an interrupted or failed run never looks complete.
//! Files are written to a temporary name and renamed, so none is ever half-written.

use crate::error::{Error, Result};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Writes `value` as pretty JSON to `path` atomically (temporary file + rename).
pub fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|source| Error::Json {
        path: path.to_path_buf(),
        source,
    })?;
    write_atomic(path, text.as_bytes())
}

/// Writes bytes to `path` atomically (temporary file in the same directory + rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = tmp_path(path);
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// Formats a system time as RFC 3339 UTC with seconds, e.g. `2026-11-23T19:39:13Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// The record written to `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    /// `"running"`, `"complete"` or `"failed"`.
    pub status: String,
    /// The command line as typed (program name first).
    pub command: Vec<String>,
    /// What ran, e.g. `"rbm train"`.
    pub kind: String,
    /// The fully resolved configuration (every default filled in).
    pub config: Value,
    /// The seed every stream of the run derives from.
    pub seed: u64,
    /// Crate version of the tool that ran.
    pub version: String,
    /// Start time, RFC 3339 UTC.
    pub started: String,
    /// End time, RFC 3339 UTC (absent while running).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    /// Wall-clock seconds (absent while running).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wall_seconds: Option<f64>,
    /// Worker threads used.
    pub threads: usize,
    /// The error, for failed runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A run directory being written. Create it with [`RunDir::create`], write outputs into
/// [`RunDir::path`], finish with [`RunDir::complete`] (writes `summary.json`) or [`RunDir::fail`].
#[derive(Debug)]
pub struct RunDir {
    path: PathBuf,
    record: RunRecord,
    start: Instant,
}

impl RunDir {
    /// Creates `path` (and parents) and writes `run.json` with status `"running"`. A stale
    /// `summary.json` from an earlier run in the same directory is removed, so it cannot be mistaken
    /// for this run's.
    pub fn create(
        path: impl Into<PathBuf>,
        kind: &str,
        command: Vec<String>,
        config: Value,
        seed: u64,
        threads: usize,
        version: &str,
    ) -> Result<RunDir> {
        let path = path.into();
        std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        let summary = path.join("summary.json");
        if summary.exists() {
            std::fs::remove_file(&summary).map_err(|e| Error::io(&summary, e))?;
        }
        let record = RunRecord {
            status: "running".into(),
            command,
            kind: kind.into(),
            config,
            seed,
            version: version.into(),
            started: rfc3339(SystemTime::now()),
            finished: None,
            wall_seconds: None,
            threads,
            error: None,
        };
        let dir = RunDir {
            path,
            record,
            start: Instant::now(),
        };
        write_json(&dir.path.join("run.json"), &dir.record)?;
        Ok(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `DIR/name`.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// The record as it stands.
    pub fn record(&self) -> &RunRecord {
        &self.record
    }

    /// Seconds since the run started.
    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Writes `summary.json` and marks the run complete in `run.json`.
    pub fn complete<T: Serialize + ?Sized>(mut self, summary: &T) -> Result<PathBuf> {
        write_json(&self.path.join("summary.json"), summary)?;
        self.finish("complete", None)?;
        Ok(self.path)
    }

    /// Marks the run failed in `run.json` with the error's text; writes no summary.
    pub fn fail(mut self, error: &str) -> Result<()> {
        self.finish("failed", Some(error.to_string()))
    }

    fn finish(&mut self, status: &str, error: Option<String>) -> Result<()> {
        self.record.status = status.into();
        self.record.finished = Some(rfc3339(SystemTime::now()));
        self.record.wall_seconds = Some(self.elapsed());
        self.record.error = error;
        write_json(&self.path.join("run.json"), &self.record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc3339_known_dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_795_462_753);
        assert_eq!(rfc3339(t), "2026-11-23T19:39:13Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn run_dir_lifecycle() {
        let dir = std::env::temp_dir().join(format!("spinlearn-core-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let run =
            RunDir::create(&dir, "test", vec!["x".into()], Value::Null, 5, 2, "0.1.0").unwrap();
        let rec: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
        assert_eq!(rec["status"], "running");
        assert!(!dir.join("summary.json").exists());
        run.complete(&serde_json::json!({"a": 1.5})).unwrap();
        let rec: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
        assert_eq!(rec["status"], "complete");
        assert_eq!(rec["seed"], 5);
        assert!(rec["wall_seconds"].as_f64().unwrap() >= 0.0);
        // A new run in the same directory removes the old summary until it completes.
        let run = RunDir::create(&dir, "test", vec![], Value::Null, 6, 1, "0.1.0").unwrap();
        assert!(!dir.join("summary.json").exists());
        run.fail("boom").unwrap();
        let rec: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
        assert_eq!(rec["status"], "failed");
        assert_eq!(rec["error"], "boom");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
