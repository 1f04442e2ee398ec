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

/// Receives a report after each step.
pub trait Observer {
    /// Called after each step; return [`Control::Stop`] to end the loop early.
    fn observe(&mut self, report: &StepReport<'_>) -> Control;
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
}
