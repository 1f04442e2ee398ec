//! Parallel loops that report progress: [`par_map_observed`] runs independent jobs on rayon's pool
//! while the calling thread, which owns the (not necessarily `Send`) observer, reports each
//! finished job. Results keep the jobs' order whatever the order of completion, so they do not
//! depend on the thread count.

use crate::observe::{Control, Observer, StepReport};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Metrics a finished job reports (names and values), shown with its step.
pub type JobMetrics = Vec<(&'static str, f64)>;

/// Runs `f` over `jobs` on rayon's pool; the calling thread reports each finished job to `obs` as
/// the next step of `stage` (step = jobs finished so far, total = `jobs.len()`), with the metrics
/// the job returned.
///
/// Each job receives an observer that answers [`Control::Stop`] once `obs` asked to stop (pass it
/// to the job's own loop so a long job winds down). After a stop, jobs not yet started are skipped
/// and jobs that finish are discarded: their slots are `None`. The first failing job in job order
/// fails the call (jobs not yet started are then skipped).
///
/// Called from a rayon worker (including a pool of one thread) it runs pending jobs while it waits,
/// so it cannot deadlock the pool.
pub fn par_map_observed<J, R, E>(
    jobs: &[J],
    stage: &str,
    obs: &mut dyn Observer,
    f: impl Fn(&J, &mut dyn Observer) -> Result<(R, JobMetrics), E> + Sync,
) -> Result<Vec<Option<R>>, E>
where
    J: Sync,
    R: Send,
    E: Send,
{
    let stop = AtomicBool::new(false);
    let slots: Vec<Mutex<Option<Result<R, E>>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    let (tx, rx) = std::sync::mpsc::channel::<Option<JobMetrics>>();
    rayon::in_place_scope(|scope| {
        for (job, slot) in jobs.iter().zip(&slots) {
            let (tx, stop, f) = (tx.clone(), &stop, &f);
            scope.spawn(move |_| {
                let mut msg = None;
                if !stop.load(Ordering::Relaxed) {
                    let mut halt = |_: &StepReport<'_>| {
                        if stop.load(Ordering::Relaxed) {
                            Control::Stop
                        } else {
                            Control::Continue
                        }
                    };
                    let r = f(job, &mut halt);
                    if !stop.load(Ordering::Relaxed) {
                        let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
                        match r {
                            Ok((r, metrics)) => {
                                *slot = Some(Ok(r));
                                msg = Some(metrics);
                            }
                            Err(e) => {
                                *slot = Some(Err(e));
                                stop.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                }
                // The receiver lives until every sender is gone.
                let _ = tx.send(msg);
            });
        }
        drop(tx);
        let mut done = 0;
        loop {
            use std::sync::mpsc::{RecvTimeoutError, TryRecvError};
            let msg = match rx.try_recv() {
                Ok(msg) => msg,
                Err(TryRecvError::Disconnected) => break,
                // On a pool thread, run a pending job rather than block the pool (a pool of one
                // thread would otherwise wait forever); elsewhere, wait for the workers.
                Err(TryRecvError::Empty) => {
                    if matches!(rayon::yield_now(), Some(rayon::Yield::Executed)) {
                        continue;
                    }
                    match rx.recv_timeout(std::time::Duration::from_millis(20)) {
                        Ok(msg) => msg,
                        Err(RecvTimeoutError::Timeout) => continue,
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            };
            if let Some(metrics) = msg {
                done += 1;
                let r = StepReport {
                    stage,
                    step: done,
                    total: Some(jobs.len()),
                    metrics: &metrics,
                };
                if obs.observe(&r) == Control::Stop {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        }
    });
    let mut out = Vec::with_capacity(jobs.len());
    for slot in slots {
        match slot.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(Ok(r)) => out.push(Some(r)),
            Some(Err(e)) => return Err(e),
            None => out.push(None),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_job_order_and_every_job_is_reported() {
        let jobs: Vec<u64> = (0..40).collect();
        let mut steps = Vec::new();
        let mut obs = |r: &StepReport<'_>| {
            steps.push((r.step, r.total, r.metrics.len()));
            Control::Continue
        };
        let out: Vec<Option<u64>> = par_map_observed(&jobs, "job", &mut obs, |j, _| {
            Ok::<_, ()>((j * j, vec![("j", *j as f64)]))
        })
        .unwrap();
        assert_eq!(out, jobs.iter().map(|j| Some(j * j)).collect::<Vec<_>>());
        assert_eq!(steps.len(), 40);
        assert_eq!(steps.last(), Some(&(40, Some(40), 1)));
    }

    #[test]
    fn the_first_failure_in_job_order_fails_the_call_and_one_thread_does_not_deadlock() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let jobs: Vec<u32> = (0..10).collect();
        let r = pool.install(|| {
            par_map_observed(&jobs, "job", &mut crate::NoObserver, |j, _| {
                if *j == 3 {
                    Err(format!("job {j}"))
                } else {
                    Ok((*j, Vec::new()))
                }
            })
        });
        assert_eq!(r.unwrap_err(), "job 3");
    }

    #[test]
    fn a_stop_skips_the_rest() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let jobs: Vec<u32> = (0..50).collect();
        let mut stop_at_2 = |r: &StepReport<'_>| {
            if r.step >= 2 {
                Control::Stop
            } else {
                Control::Continue
            }
        };
        let out = pool
            .install(|| {
                par_map_observed(&jobs, "job", &mut stop_at_2, |j, _| {
                    Ok::<_, ()>((*j, Vec::new()))
                })
            })
            .unwrap();
        assert!(out.iter().filter(|o| o.is_some()).count() < 50);
    }
}
