//! What watches the epoch loop: [`EpochObserver`] sees the whole training [`State`] after each
//! epoch besides the epoch's [`StepReport`]. Progress display is any [`Observer`] ([`Reports`]);
//! [`Checkpointer`] writes the state to a model file before passing the report on.

use super::State;
use crate::Result;
use crate::io::save_npz_uncompressed;
use spinlearn_core::{Control, Observer, StepReport};
use std::path::PathBuf;

/// Sees the training state after each epoch (`state.epoch` already advanced) with the epoch's
/// report (stage `"epoch"`). Returning [`Control::Stop`] ends training after this epoch; an error
/// ends it with that error.
pub trait EpochObserver {
    /// Called once per finished epoch.
    fn epoch_done(&mut self, state: &State, report: &StepReport<'_>) -> Result<Control>;
}

/// An [`Observer`] as an [`EpochObserver`]: passes the report on and ignores the state.
pub struct Reports<'a>(pub &'a mut dyn Observer);

impl EpochObserver for Reports<'_> {
    fn epoch_done(&mut self, _state: &State, report: &StepReport<'_>) -> Result<Control> {
        Ok(self.0.observe(report))
    }
}

/// Saves the state after every epoch to one `.npz` model file, uncompressed so that the save
/// stays small next to the epoch (see [`crate::io::save_npz_uncompressed`]; the file resumes
/// training), then passes the report to `progress`.
pub struct Checkpointer<'a> {
    /// The model file, rewritten atomically after each epoch.
    pub path: PathBuf,
    /// Stored under `metadata.extra` (e.g. the training parameters).
    pub extra: Option<serde_json::Value>,
    /// Receives each epoch's report after the save.
    pub progress: &'a mut dyn Observer,
}

impl EpochObserver for Checkpointer<'_> {
    fn epoch_done(&mut self, state: &State, report: &StepReport<'_>) -> Result<Control> {
        save_npz_uncompressed(&self.path, &state.model(), Some(state), self.extra.as_ref())?;
        Ok(self.progress.observe(report))
    }
}
