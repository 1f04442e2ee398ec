//! The observer hook of long loops (training epochs, sweeps, Monte Carlo stages).
//!
//! An algorithm calls [`Observer::observe`] once per step with a [`StepReport`] and stops early when
//! the observer answers [`Control::Stop`]. Progress bars, metric writers and checkpointers are
//! observers (argmin's pattern), so none of them lives inside a training loop.

/// What the observer wants the loop to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Keep going.
    Continue,
    /// Stop after this step (the result so far is returned, marked as stopped early).
    Stop,
}

/// One step's figures.
#[derive(Debug, Clone, Copy)]
pub struct StepReport<'a> {
    /// What is being stepped, e.g. `"epoch"`, `"sweep"`, `"realization"`.
    pub stage: &'a str,
    /// 1-based index of the step just finished.
    pub step: usize,
    /// Total number of steps, when known.
    pub total: Option<usize>,
    /// Named figures measured at this step (e.g. `("nll", 12.3)`).
    pub metrics: &'a [(&'a str, f64)],
}

/// Receives a report after each step. The one progress contract of the workspace: every long
/// loop takes `&mut dyn Observer`; parallel loops share one through [`SyncObserver`].
pub trait Observer {
    /// Called after each step; return [`Control::Stop`] to end the loop early.
    fn observe(&mut self, report: &StepReport<'_>) -> Control;

    /// A free-form line about what the run is doing (a stage starting, a result); progress
    /// displays print it above their bars, logs write it as a line.
    fn note(&mut self, _text: &str) {}
}

/// An observer that watches nothing and never stops a loop.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoObserver;

impl Observer for NoObserver {
    fn observe(&mut self, _report: &StepReport<'_>) -> Control {
        Control::Continue
    }
}

impl<F: FnMut(&StepReport<'_>) -> Control> Observer for F {
    fn observe(&mut self, report: &StepReport<'_>) -> Control {
        self(report)
    }
}

/// A thread-safe adapter: parallel tasks report through `&SyncObserver` (it implements
/// [`Observer`] by reference), one report at a time, to the observer it wraps. Once any report is
/// answered with [`Control::Stop`], every later report is answered `Stop` too, so all tasks wind
/// down.
pub struct SyncObserver<'a> {
    inner: std::sync::Mutex<&'a mut (dyn Observer + Send)>,
    stopped: std::sync::atomic::AtomicBool,
}

impl<'a> SyncObserver<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a mut (dyn Observer + Send)) -> Self {
        SyncObserver {
            inner: std::sync::Mutex::new(inner),
            stopped: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// True once a report was answered with [`Control::Stop`].
    pub fn stopped(&self) -> bool {
        self.stopped.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn with<T>(&self, f: impl FnOnce(&mut (dyn Observer + Send)) -> T) -> T {
        // A panic in another task poisons the lock; the observer itself is still usable.
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut **g)
    }
}

impl Observer for &SyncObserver<'_> {
    fn observe(&mut self, report: &StepReport<'_>) -> Control {
        if self.stopped() {
            return Control::Stop;
        }
        let c = self.with(|o| o.observe(report));
        if c == Control::Stop {
            self.stopped
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        c
    }

    fn note(&mut self, text: &str) {
        self.with(|o| o.note(text));
    }
}

/// Forwards each report to two observers; stops when either asks to.
pub struct Both<'a, 'b>(pub &'a mut dyn Observer, pub &'b mut dyn Observer);

impl Observer for Both<'_, '_> {
    fn observe(&mut self, report: &StepReport<'_>) -> Control {
        let a = self.0.observe(report);
        let b = self.1.observe(report);
        if a == Control::Stop || b == Control::Stop {
            Control::Stop
        } else {
            Control::Continue
        }
    }

    fn note(&mut self, text: &str) {
        self.0.note(text);
        self.1.note(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closures_observe_and_stop() {
        let mut seen = Vec::new();
        let mut obs = |r: &StepReport<'_>| {
            seen.push(r.step);
            if r.step >= 3 {
                Control::Stop
            } else {
                Control::Continue
            }
        };
        let mut n = 0;
        for step in 1..=10 {
            n = step;
            let r = StepReport {
                stage: "epoch",
                step,
                total: Some(10),
                metrics: &[("x", 1.0)],
            };
            if obs.observe(&r) == Control::Stop {
                break;
            }
        }
        assert_eq!(n, 3);
        assert_eq!(seen, vec![1, 2, 3]);
        let mut none = NoObserver;
        let mut stop_at_1 = |_: &StepReport<'_>| Control::Stop;
        let r = StepReport {
            stage: "s",
            step: 1,
            total: None,
            metrics: &[],
        };
        assert_eq!(Both(&mut none, &mut stop_at_1).observe(&r), Control::Stop);
    }

    #[test]
    fn sync_observer_counts_parallel_reports_and_spreads_stop() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let count = AtomicUsize::new(0);
        let mut counter = |_: &StepReport<'_>| {
            count.fetch_add(1, Ordering::Relaxed);
            Control::Continue
        };
        let shared = SyncObserver::new(&mut counter);
        std::thread::scope(|s| {
            for t in 0..4 {
                let shared = &shared;
                s.spawn(move || {
                    let mut o = shared;
                    for step in 1..=25 {
                        let r = StepReport {
                            stage: "task",
                            step: t * 100 + step,
                            total: None,
                            metrics: &[],
                        };
                        assert_eq!(o.observe(&r), Control::Continue);
                    }
                });
            }
        });
        assert!(!shared.stopped());
        assert_eq!(count.load(Ordering::Relaxed), 100);

        // Once one report is answered Stop, later ones are not forwarded and are answered Stop.
        let mut seen = 0;
        let mut stop_at_3 = |r: &StepReport<'_>| {
            seen += 1;
            if r.step == 3 {
                Control::Stop
            } else {
                Control::Continue
            }
        };
        let shared = SyncObserver::new(&mut stop_at_3);
        let mut o = &shared;
        let answers: Vec<Control> = (1..=5)
            .map(|step| {
                o.observe(&StepReport {
                    stage: "s",
                    step,
                    total: None,
                    metrics: &[],
                })
            })
            .collect();
        assert_eq!(answers[1], Control::Continue);
        assert!(answers[2..].iter().all(|&c| c == Control::Stop));
        assert!(shared.stopped());
        assert_eq!(seen, 3);
    }
}
