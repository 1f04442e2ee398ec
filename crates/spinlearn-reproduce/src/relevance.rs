//! Placeholder while the section is ported from the CLI (see relevance_cli_original.rs.txt).

use crate::{Result, SectionCtx, SectionOutput};
use spinlearn_core::Observer;

/// Runs the section.
pub fn run(_s: &SectionCtx, _obs: &mut dyn Observer) -> Result<SectionOutput> {
    Err(crate::ReproduceError::Stopped(
        "relevance (not ported yet)".into(),
    ))
}
