//! Run directories and their records.
//!
//! Every run writes `DIR/run.json` (command line, resolved config, seed, version, start and end
//! time, wall seconds, threads, process id and host, status) and, only when it completes,
//! `DIR/summary.json` (named headline figures). `run.json` is written with `"status": "running"` at
//! the start and rewritten with `"complete"`, `"failed"` or `"interrupted"` at the end, so an
//! interrupted or failed run never looks complete. Files are written to a temporary name
//! (`NAME.partial`) and renamed, so none is ever half-written; a run that fails removes its
//! `.partial` files.
//!
//! A run holds `DIR/run.lock` (its pid and host) while it runs: a second run into the same
//! directory fails with [`Error::DirInUse`] and touches nothing. A lock whose process is gone (same
//! host, no such pid) is stale and taken over. A directory that already holds files is refused
//! ([`Existing::Refuse`]), cleared when it is a run directory ([`Existing::Replace`]) or continued
//! ([`Existing::Continue`], a run resuming its own checkpoint).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
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
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    /// `"running"`, `"complete"`, `"failed"` or `"interrupted"`.
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    /// Wall-clock seconds (absent while running).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_seconds: Option<f64>,
    /// Worker threads used.
    pub threads: usize,
    /// Process id of the run (to tell a live run from one killed without a word).
    #[serde(default)]
    pub pid: u32,
    /// Host the run ran on.
    #[serde(default)]
    pub host: String,
    /// The error, for failed runs; the signal, for interrupted ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What [`RunDir::create`] does when the directory already holds files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Fail with [`Error::DirNotEmpty`] (the default for every run).
    Refuse,
    /// Delete what the directory holds first, if it is a run directory (has `run.json`);
    /// otherwise fail with [`Error::NotRunDir`].
    Replace,
    /// Keep the files (a run continuing its own checkpoint); only the old `summary.json` and
    /// `.partial` files are removed.
    Continue,
}

/// The lock file's name inside a run directory.
pub const LOCK_FILE: &str = "run.lock";

/// This machine's host name (`/proc/sys/kernel/hostname`, else `/etc/hostname`, else `unknown`).
pub fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// Whether process `pid` is alive on this host: `Some` on Linux (from `/proc`), `None` where it
/// cannot be told.
pub fn pid_alive(pid: u32) -> Option<bool> {
    if !Path::new("/proc/self").exists() {
        return None;
    }
    Some(Path::new(&format!("/proc/{pid}")).exists())
}

/// Whether a record saying `running` belongs to a process that is gone: same host, pid not alive.
/// `false` when it cannot be told (another host, no `/proc`).
pub fn is_stale(record: &RunRecord) -> bool {
    record.status == "running" && record.host == host_name() && pid_alive(record.pid) == Some(false)
}

/// Reads `DIR/run.json`, if there is one that parses.
pub fn read_record(dir: &Path) -> Option<RunRecord> {
    let text = std::fs::read_to_string(dir.join("run.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// Takes `DIR/run.lock` (created exclusively), taking over a stale one.
fn acquire_lock(dir: &Path) -> Result<PathBuf> {
    let path = dir.join(LOCK_FILE);
    let me = format!("{} {}\n", std::process::id(), host_name());
    for _ in 0..2 {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                use std::io::Write;
                f.write_all(me.as_bytes())
                    .map_err(|e| Error::io(&path, e))?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let mut it = text.split_whitespace();
                let pid: u32 = it.next().and_then(|p| p.parse().ok()).unwrap_or(0);
                let host = it.next().unwrap_or("").to_string();
                let stale = host == host_name()
                    && pid != std::process::id()
                    && pid_alive(pid) == Some(false);
                if !stale {
                    return Err(Error::DirInUse {
                        path: dir.to_path_buf(),
                        pid,
                        host,
                    });
                }
                // The process that held it is gone: take it over.
                let _ = std::fs::remove_file(&path);
            }
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    Err(Error::DirInUse {
        path: dir.to_path_buf(),
        pid: 0,
        host: String::new(),
    })
}

/// Whether `path` is a half-written file: `NAME.partial` (this module's temporary names) or
/// `.NAME.partial.EXT` (the figure writers', which keep the extension for their encoders).
pub fn is_partial(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.ends_with(".partial") || (name.starts_with('.') && name.contains(".partial."))
}

/// Removes every half-written file ([`is_partial`]) under `dir` (a failed run's outputs).
pub fn remove_partials(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if is_dir {
            remove_partials(&p);
        } else if is_partial(&p) {
            let _ = std::fs::remove_file(&p);
        }
    }
}

/// What a directory holds, in words, for [`Error::DirNotEmpty`].
fn describe(dir: &Path) -> String {
    match read_record(dir) {
        Some(r) => format!("a {} `{}` run", r.status, r.kind),
        None => "files that are not a run's".into(),
    }
}

/// A run directory being written. Create it with [`RunDir::create`], write outputs into
/// [`RunDir::path`], finish with [`RunDir::complete`] (writes `summary.json`), [`RunDir::fail`] or
/// [`RunDir::interrupt`]. Dropping it unfinished releases the lock and leaves `run.json` as it is.
#[derive(Debug)]
pub struct RunDir {
    path: PathBuf,
    record: RunRecord,
    start: Instant,
    lock: Option<PathBuf>,
}

/// What a watchdog needs to close a run from outside its thread (a signal handler's thread):
/// see [`RunHandle::interrupt`].
#[derive(Debug, Clone)]
pub struct RunHandle {
    path: PathBuf,
    record: RunRecord,
    start: Instant,
}

impl RunHandle {
    /// Marks the run `interrupted` by `signal` in `run.json` (with the time), removes its
    /// `.partial` files and its lock. For a process about to exit on a signal.
    pub fn interrupt(&self, signal: &str) -> Result<()> {
        let mut record = self.record.clone();
        finish_record(
            &self.path,
            &mut record,
            self.start,
            "interrupted",
            Some(format!("interrupted by {signal}")),
        )?;
        let _ = std::fs::remove_file(self.path.join(LOCK_FILE));
        Ok(())
    }

    /// The run directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn finish_record(
    path: &Path,
    record: &mut RunRecord,
    start: Instant,
    status: &str,
    error: Option<String>,
) -> Result<()> {
    if status != "complete" {
        // Frees the space a full disk needs for the record, and leaves no half-written output.
        remove_partials(path);
    }
    record.status = status.into();
    record.finished = Some(rfc3339(SystemTime::now()));
    record.wall_seconds = Some(start.elapsed().as_secs_f64());
    record.error = error;
    let file = path.join("run.json");
    match write_json(&file, record) {
        Ok(()) => Ok(()),
        Err(e) if status == "complete" => Err(e),
        Err(e) => {
            // The disk may be full: the temporary copy failed, rewrite the record in place.
            let _ = std::fs::remove_file(tmp_path(&file));
            let text = serde_json::to_string(record).unwrap_or_default();
            std::fs::write(&file, text.as_bytes()).map_err(|_| e)
        }
    }
}

impl RunDir {
    /// Creates `path` (and parents), takes its lock, applies `existing` to the files already
    /// there, and writes `run.json` with status `"running"`. Errors: [`Error::DirInUse`] when
    /// another live run holds the lock, [`Error::DirNotEmpty`] / [`Error::NotRunDir`] per
    /// `existing`; on any of them nothing in the directory is touched (a directory this call
    /// created is removed).
    #[allow(clippy::too_many_arguments)]
    pub fn create(
        path: impl Into<PathBuf>,
        kind: &str,
        command: Vec<String>,
        config: Value,
        seed: u64,
        threads: usize,
        version: &str,
        existing: Existing,
    ) -> Result<RunDir> {
        let path = path.into();
        let created = !path.exists();
        std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        let lock = match acquire_lock(&path) {
            Ok(l) => l,
            Err(e) => {
                if created {
                    let _ = std::fs::remove_dir(&path);
                }
                return Err(e);
            }
        };
        let release = |e: Error| {
            let _ = std::fs::remove_file(&lock);
            if created {
                let _ = std::fs::remove_dir(&path);
            }
            e
        };
        let others: Vec<PathBuf> = std::fs::read_dir(&path)
            .map_err(|e| Error::io(&path, e))
            .map_err(release)?
            .flatten()
            .filter(|e| e.file_name() != LOCK_FILE)
            .map(|e| e.path())
            .collect();
        if !others.is_empty() {
            match existing {
                Existing::Refuse => {
                    return Err(release(Error::DirNotEmpty {
                        what: describe(&path),
                        path: path.clone(),
                    }));
                }
                Existing::Replace => {
                    if !path.join("run.json").is_file() {
                        return Err(release(Error::NotRunDir { path: path.clone() }));
                    }
                    for p in &others {
                        let r = if p.is_dir() && !p.is_symlink() {
                            std::fs::remove_dir_all(p)
                        } else {
                            std::fs::remove_file(p)
                        };
                        r.map_err(|e| Error::io(p, e)).map_err(release)?;
                    }
                }
                Existing::Continue => {
                    let summary = path.join("summary.json");
                    if summary.exists() {
                        std::fs::remove_file(&summary)
                            .map_err(|e| Error::io(&summary, e))
                            .map_err(release)?;
                    }
                    remove_partials(&path);
                }
            }
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
            pid: std::process::id(),
            host: host_name(),
            error: None,
        };
        let dir = RunDir {
            path,
            record,
            start: Instant::now(),
            lock: Some(lock),
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

    /// A handle that can mark this run interrupted from another thread.
    pub fn handle(&self) -> RunHandle {
        RunHandle {
            path: self.path.clone(),
            record: self.record.clone(),
            start: self.start,
        }
    }

    /// Seconds since the run started.
    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Writes `summary.json` and marks the run complete in `run.json`.
    pub fn complete<T: Serialize + ?Sized>(mut self, summary: &T) -> Result<PathBuf> {
        write_json(&self.path.join("summary.json"), summary)?;
        self.finish("complete", None)?;
        Ok(self.path.clone())
    }

    /// Marks the run failed in `run.json` with the error's text; writes no summary; removes the
    /// run's `.partial` files.
    pub fn fail(mut self, error: &str) -> Result<()> {
        self.finish("failed", Some(error.to_string()))
    }

    /// Marks the run interrupted by `signal` (e.g. `"SIGTERM"`) in `run.json`; writes no summary;
    /// removes the run's `.partial` files.
    pub fn interrupt(mut self, signal: &str) -> Result<()> {
        self.finish("interrupted", Some(format!("interrupted by {signal}")))
    }

    fn finish(&mut self, status: &str, error: Option<String>) -> Result<()> {
        let r = finish_record(&self.path, &mut self.record, self.start, status, error);
        self.release();
        r
    }

    fn release(&mut self) {
        if let Some(lock) = self.lock.take() {
            let _ = std::fs::remove_file(lock);
        }
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        self.release();
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
        let run = RunDir::create(
            &dir,
            "test",
            vec!["x".into()],
            Value::Null,
            5,
            2,
            "0.1.0",
            Existing::Refuse,
        )
        .unwrap();
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
        // A second run into the directory is refused unless it replaces the first.
        let e = RunDir::create(&dir, "t", vec![], Value::Null, 6, 1, "0", Existing::Refuse);
        assert!(matches!(e, Err(Error::DirNotEmpty { .. })), "{e:?}");
        std::fs::write(dir.join("model.npz"), b"old").unwrap();
        let run = RunDir::create(
            &dir,
            "test",
            vec![],
            Value::Null,
            6,
            1,
            "0.1.0",
            Existing::Replace,
        )
        .unwrap();
        assert!(!dir.join("model.npz").exists());
        assert!(!dir.join("summary.json").exists());
        run.fail("boom").unwrap();
        let rec: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
        assert_eq!(rec["status"], "failed");
        assert_eq!(rec["error"], "boom");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("spinlearn-core-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn status(dir: &Path) -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap()
    }

    #[test]
    fn lock_refuses_a_second_run_and_leaves_the_first_untouched() {
        let dir = tmpdir("lock");
        let first =
            RunDir::create(&dir, "a", vec![], Value::Null, 1, 1, "0", Existing::Refuse).unwrap();
        let lock = std::fs::read_to_string(dir.join(LOCK_FILE)).unwrap();
        assert!(lock.starts_with(&std::process::id().to_string()), "{lock}");
        let before = std::fs::read_to_string(dir.join("run.json")).unwrap();
        for how in [Existing::Refuse, Existing::Replace, Existing::Continue] {
            let e = RunDir::create(&dir, "b", vec![], Value::Null, 2, 1, "0", how);
            assert!(matches!(e, Err(Error::DirInUse { .. })), "{how:?}: {e:?}");
            assert!(e.unwrap_err().to_string().contains("directory in use"));
        }
        assert_eq!(
            std::fs::read_to_string(dir.join("run.json")).unwrap(),
            before
        );
        assert!(dir.join(LOCK_FILE).exists());
        first.complete(&serde_json::json!({})).unwrap();
        assert!(!dir.join(LOCK_FILE).exists());
        assert_eq!(status(&dir)["status"], "complete");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn stale_lock_is_taken_over_and_a_refused_new_dir_is_removed() {
        let dir = tmpdir("stale");
        std::fs::create_dir_all(&dir).unwrap();
        // A pid above Linux's pid_max (2^22) is never alive.
        std::fs::write(dir.join(LOCK_FILE), format!("4999999 {}\n", host_name())).unwrap();
        let run = RunDir::create(&dir, "a", vec![], Value::Null, 1, 1, "0", Existing::Refuse);
        if pid_alive(1).is_some() {
            run.unwrap().interrupt("SIGTERM").unwrap();
            let rec = status(&dir);
            assert_eq!(rec["status"], "interrupted");
            assert_eq!(rec["error"], "interrupted by SIGTERM");
            assert!(rec["finished"].is_string());
        }
        // A lock held on another host is never taken over.
        std::fs::write(dir.join(LOCK_FILE), "1 some-other-host\n").unwrap();
        let e = RunDir::create(&dir, "a", vec![], Value::Null, 1, 1, "0", Existing::Replace);
        assert!(matches!(e, Err(Error::DirInUse { .. })), "{e:?}");
        std::fs::remove_dir_all(&dir).unwrap();
        // A refused run leaves no directory behind when it made it.
        let other = tmpdir("other");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("notes.txt"), "mine").unwrap();
        let e = RunDir::create(
            &other,
            "a",
            vec![],
            Value::Null,
            1,
            1,
            "0",
            Existing::Replace,
        );
        assert!(matches!(e, Err(Error::NotRunDir { .. })), "{e:?}");
        assert_eq!(
            std::fs::read_to_string(other.join("notes.txt")).unwrap(),
            "mine"
        );
        assert!(!other.join(LOCK_FILE).exists());
        std::fs::remove_dir_all(&other).unwrap();
    }

    #[test]
    fn continue_keeps_files_but_drops_the_old_summary() {
        let dir = tmpdir("continue");
        let run =
            RunDir::create(&dir, "a", vec![], Value::Null, 1, 1, "0", Existing::Refuse).unwrap();
        std::fs::write(dir.join("model.npz"), b"ckpt").unwrap();
        run.complete(&serde_json::json!({})).unwrap();
        let run = RunDir::create(
            &dir,
            "a",
            vec![],
            Value::Null,
            1,
            1,
            "0",
            Existing::Continue,
        )
        .unwrap();
        assert!(dir.join("model.npz").exists());
        assert!(!dir.join("summary.json").exists());
        drop(run);
        assert!(!dir.join(LOCK_FILE).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn full_disk_ends_failed_and_removes_partials() {
        let dir = tmpdir("full");
        let run =
            RunDir::create(&dir, "a", vec![], Value::Null, 1, 1, "0", Existing::Refuse).unwrap();
        // Writes through this link hit /dev/full: "No space left on device".
        std::os::unix::fs::symlink("/dev/full", dir.join("model.npz.partial")).unwrap();
        let e = write_atomic(&dir.join("model.npz"), &[0u8; 4096]).unwrap_err();
        assert!(e.to_string().contains("No space left"), "{e}");
        run.fail(&e.to_string()).unwrap();
        let rec = status(&dir);
        assert_eq!(rec["status"], "failed");
        assert!(rec["error"].as_str().unwrap().contains("No space left"));
        assert!(!dir.join("model.npz.partial").exists());
        assert!(
            is_partial(Path::new("d/.grid.partial.svg")) && !is_partial(Path::new("partial.csv"))
        );
        assert!(!dir.join("model.npz").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
