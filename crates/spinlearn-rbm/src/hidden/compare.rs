//! The same small RBM trained with each hidden-unit type: exact NLL side by side (the table of the
//! `ising-activation` report section).

use super::HiddenUnits;
use super::train::{HiddenEstimator, HiddenTrainParams, train};
use crate::Result;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};
use spinlearn_core::{NoObserver, ParamGuard, Seed};
use std::collections::HashMap;

/// One trained model of [`compare_hidden_types`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HiddenComparison {
    /// Hidden-unit type name.
    pub hidden: String,
    /// Estimator name (`cd-k`, `pcd-k`).
    pub estimator: String,
    /// Exact mean NLL of the data after training (nats).
    pub exact_nll: f64,
}

/// The data's empirical entropy (nats): the smallest mean NLL any model can reach on it.
pub fn data_entropy(data: ArrayView2<'_, f64>) -> f64 {
    let mut counts: HashMap<Vec<u64>, usize> = HashMap::new();
    for row in data.rows() {
        *counts
            .entry(row.iter().map(|x| x.to_bits()).collect())
            .or_default() += 1;
    }
    let n = data.nrows() as f64;
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.ln()
        })
        .sum()
}

/// Trains `template` (its `hidden` and `estimator` replaced) once for each hidden type and each
/// estimator on `data`, all from `seed`, and returns the exact NLL of each (n_visible <= 24).
pub fn compare_hidden_types(
    template: &HiddenTrainParams,
    hidden: &[HiddenUnits],
    estimators: &[HiddenEstimator],
    data: ArrayView2<'_, f64>,
    seed: Seed,
) -> Result<Vec<HiddenComparison>> {
    let mut rows = Vec::with_capacity(hidden.len() * estimators.len());
    for &h in hidden {
        for &estimator in estimators {
            let params = HiddenTrainParams {
                hidden: h,
                estimator,
                track_exact_nll: false,
                ..template.clone()
            }
            .check()?;
            let (model, _) = train(&params, data, seed, &mut NoObserver)?;
            rows.push(HiddenComparison {
                hidden: h.name(),
                estimator: estimator.name(),
                exact_nll: model.exact_nll(data)?,
            });
        }
    }
    Ok(rows)
}
