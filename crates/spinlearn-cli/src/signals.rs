//! SIGINT and SIGTERM (what Ctrl-C and Slurm's time limit or `scancel` send): the first one asks
//! the running experiment to stop through its progress observer ([`requested`]); `execute` then
//! marks `run.json` `interrupted` and the process exits with 128 + the signal number (130 for
//! SIGINT, 143 for SIGTERM). A run that does not reach its observer within [`GRACE`] (or a second
//! signal) is marked `interrupted` from the signal thread and the process exits at once. With no
//! run in progress the process exits at once. A local sweep forwards the signal to its workers
//! and waits for them ([`supervise`]).
//!
//! The binary owns the process, so its signal state is process-global here; no library sees it.

use spinlearn_core::record::RunHandle;
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// How long a run has, after the first signal, to stop at its next progress report.
pub const GRACE: Duration = Duration::from_secs(5);

static RECEIVED: AtomicI32 = AtomicI32::new(0);
static ACTIVE: Mutex<Option<RunHandle>> = Mutex::new(None);
static CHILDREN: Mutex<Vec<u32>> = Mutex::new(Vec::new());
/// Extra seconds of grace for a supervising process (0 = not supervising).
static SUPERVISE_SECS: AtomicU32 = AtomicU32::new(0);

/// The run was stopped by a signal; the process exits with 128 + the number.
#[derive(Debug)]
pub struct Interrupted(pub i32);

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "interrupted by {}", name(self.0))
    }
}

impl std::error::Error for Interrupted {}

/// `"SIGINT"`, `"SIGTERM"`, …
pub fn name(sig: i32) -> &'static str {
    match sig {
        signal_hook::consts::SIGINT => "SIGINT",
        signal_hook::consts::SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}

/// The signal received, if any.
pub fn requested() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

fn lock<T>(m: &'static Mutex<T>) -> MutexGuard<'static, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Installs the handler thread (once, at start of `main`).
pub fn install() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        for sig in signals.forever() {
            let first = RECEIVED
                .compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok();
            for &pid in lock(&CHILDREN).iter() {
                forward(pid, sig);
            }
            let supervising = SUPERVISE_SECS.load(Ordering::SeqCst);
            let running = lock(&ACTIVE).is_some();
            if !first || (!running && supervising == 0) {
                force(sig);
            }
            let grace = if supervising > 0 {
                Duration::from_secs(u64::from(supervising))
            } else {
                GRACE
            };
            std::thread::spawn(move || {
                std::thread::sleep(grace);
                force(sig);
            });
        }
    });
}

/// Marks the active run (if any) interrupted and exits with 128 + `sig`.
fn force(sig: i32) -> ! {
    let mut active = lock(&ACTIVE);
    if let Some(h) = active.take() {
        let _ = h.interrupt(name(sig));
        eprintln!(
            "error: interrupted by {}: {} marked interrupted",
            name(sig),
            h.path().join("run.json").display()
        );
    } else {
        eprintln!("error: interrupted by {}", name(sig));
    }
    std::process::exit(128 + sig)
}

#[cfg(unix)]
fn forward(pid: u32, sig: i32) {
    // SAFETY: kill(2) with a pid of our own child and a valid signal number has no memory effects.
    unsafe {
        libc::kill(pid as libc::pid_t, sig);
    }
}

#[cfg(not(unix))]
fn forward(_pid: u32, _sig: i32) {}

/// The run in progress, registered so that a forced exit can mark it interrupted. Drop it (or
/// call [`Active::finish`]) when the run ends.
pub struct Active(());

/// Registers the run in progress.
pub fn activate(handle: RunHandle) -> Active {
    *lock(&ACTIVE) = Some(handle);
    Active(())
}

impl Active {
    /// Unregisters the run and holds the registry until the returned guard drops, so the signal
    /// thread cannot exit the process while the caller writes the run's final record.
    pub fn finish(self) -> MutexGuard<'static, Option<RunHandle>> {
        let mut g = lock(&ACTIVE);
        g.take();
        g
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        if let Ok(mut g) = ACTIVE.try_lock() {
            g.take();
        }
    }
}

/// Makes this process a supervisor of child processes: a signal is forwarded to them and the
/// process waits up to `grace` for them before exiting.
pub fn supervise(grace: Duration) {
    SUPERVISE_SECS.store(grace.as_secs().max(1) as u32, Ordering::SeqCst);
}

/// Adds a child to forward signals to (and sends it the signal at once if one came already).
pub fn add_child(pid: u32) {
    lock(&CHILDREN).push(pid);
    if let Some(sig) = requested() {
        forward(pid, sig);
    }
}

/// Removes a finished child.
pub fn remove_child(pid: u32) {
    lock(&CHILDREN).retain(|&p| p != pid);
}
