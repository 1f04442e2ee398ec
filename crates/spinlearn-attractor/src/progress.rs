//! Step counting for the drivers: one stage per public call, one report per unit of work
//! (a realization, a theory point), and a parallel map (over core's `par_map_observed`) whose
//! finished items are reported from the calling thread as steps of the stage.

use spinlearn_core::par::par_map_observed;
use spinlearn_core::{Control, Observer, StepReport};

use crate::error::{AttractorError, Result};

/// Counts the steps of one stage and reports each to the observer.
pub(crate) struct Steps<'a> {
    obs: &'a mut dyn Observer,
    stage: &'static str,
    total: usize,
    done: usize,
    halted: bool,
}

impl<'a> Steps<'a> {
    /// A stage of `total` steps.
    pub(crate) fn new(obs: &'a mut dyn Observer, stage: &'static str, total: usize) -> Self {
        Steps {
            obs,
            stage,
            total,
            done: 0,
            halted: false,
        }
    }

    /// Reports one finished step; the observer's answer.
    pub(crate) fn tick(&mut self, metrics: &[(&str, f64)]) -> Control {
        self.done += 1;
        let c = self.obs.observe(&StepReport {
            stage: self.stage,
            step: self.done,
            total: Some(self.total),
            metrics,
        });
        self.halted |= c == Control::Stop;
        c
    }

    /// Before a unit of work: fails with [`AttractorError::Stopped`] once the observer has
    /// answered Stop.
    pub(crate) fn go_on(&self) -> Result<()> {
        if self.halted {
            Err(self.stopped())
        } else {
            Ok(())
        }
    }

    /// The error of a stage its observer stopped.
    pub(crate) fn stopped(&self) -> AttractorError {
        AttractorError::Stopped(self.stage.to_string())
    }
}

/// Maps `f` over `items` in parallel (core's [`par_map_observed`]), results in input order. Each
/// finished item reports one step of `steps` with the metric `(metric, value)` that `f` returns
/// beside its result. When the observer answers Stop, items not yet started are skipped and the
/// call fails with [`AttractorError::Stopped`].
pub(crate) fn par_map<T, R, F>(
    items: &[T],
    steps: &mut Steps<'_>,
    metric: &'static str,
    f: F,
) -> Result<Vec<R>>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> Result<(R, f64)> + Sync,
{
    steps.go_on()?;
    let stage = steps.stage;
    let mut forward = |r: &StepReport<'_>| steps.tick(r.metrics);
    let out = par_map_observed(items, stage, &mut forward, |x, _| {
        f(x).map(|(r, m)| (r, vec![(metric, m)]))
    })?;
    // A stop answered to the last report still stops the driver, even when every item finished.
    steps.go_on()?;
    out.into_iter()
        .map(|r| r.ok_or_else(|| AttractorError::Stopped(stage.to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn par_map_keeps_order_reports_each_item_and_stops() {
        let items: Vec<u32> = (0..50).collect();
        let mut seen = 0;
        let mut count = |_: &StepReport<'_>| {
            seen += 1;
            Control::Continue
        };
        let mut steps = Steps::new(&mut count, "t", items.len());
        let out = par_map(&items, &mut steps, "x", |&x| Ok((2 * x, f64::from(x)))).unwrap();
        assert_eq!(out, items.iter().map(|x| 2 * x).collect::<Vec<_>>());
        assert_eq!(seen, 50);
        let mut stop = |_: &StepReport<'_>| Control::Stop;
        let mut steps = Steps::new(&mut stop, "t", items.len());
        let e = par_map(&items, &mut steps, "x", |&x| Ok((x, 0.0))).unwrap_err();
        assert!(e.to_string().contains("stopped"), "{e}");
        let mut none = spinlearn_core::NoObserver;
        let mut steps = Steps::new(&mut none, "t", 3);
        let e = par_map(&[1, 2, 3], &mut steps, "x", |&x: &i32| {
            if x == 2 {
                Err(AttractorError::invalid("x", "two"))
            } else {
                Ok((x, 0.0))
            }
        });
        assert!(e.is_err());
    }
}
