//! Paper 002's activations as RBM hidden units (issue 16, point 7): the same small RBM trained on
//! bars 3x3 with each hidden type of [`spinlearn_rbm::hidden`], exact NLL side by side.
//!
//! Reads as: [`preset`] -> [`train_type`] for each of [`types`] (one unit of the section each) ->
//! [`report`]: table rows and summary.

use crate::{Mode, Result};
use serde_json::{Value, json};
use spinlearn_core::{Seed, Units};
use spinlearn_plot::TableRow;
use spinlearn_rbm::hidden::HiddenUnits;
use spinlearn_rbm::hidden::compare::{HiddenComparison, compare_hidden_types, data_entropy};
use spinlearn_rbm::hidden::train::{HiddenEstimator, HiddenTrainParams};

/// Training settings (the same for every hidden type): 6 hidden units, SGD lr 0.01, momentum 0.5,
/// full batches of the 6 bars; smoke and quick 600 epochs, full 2000.
pub fn preset(mode: Mode) -> HiddenTrainParams {
    HiddenTrainParams {
        n_hidden: 6,
        visible: Units::Bit,
        lr: 0.01,
        momentum: 0.5,
        epochs: if mode == Mode::Full { 2000 } else { 600 },
        batch_size: 6,
        init_std: 0.1,
        ..HiddenTrainParams::default()
    }
}

/// The hidden types compared: bit, spin, ising-tanh:1, ising-rate:1:4, ising-elu:1:4, relu.
pub fn types() -> Vec<HiddenUnits> {
    vec![
        HiddenUnits::Bit,
        HiddenUnits::Spin,
        HiddenUnits::IsingTanh { a: 1.0 },
        HiddenUnits::IsingRate { a: 1.0, n: 4 },
        HiddenUnits::IsingElu { a: 1.0, n: 4 },
        HiddenUnits::Relu,
    ]
}

/// The estimators each type is trained with: CD-1 and PCD-1 (50 chains).
fn estimators() -> [HiddenEstimator; 2] {
    [
        HiddenEstimator::Cd { gibbs_steps: 1 },
        HiddenEstimator::Pcd {
            gibbs_steps: 1,
            n_chains: 50,
        },
    ]
}

/// Trains hidden type `hidden` with `template`'s settings by each estimator, from `seed` (the same
/// for every type): one unit of the section, its rows of the comparison.
pub fn train_type(
    template: &HiddenTrainParams,
    hidden: HiddenUnits,
    seed: Seed,
) -> Result<Vec<HiddenComparison>> {
    let data = spinlearn_data::generate::bars(3)?.data.mapv(f64::from);
    Ok(compare_hidden_types(
        template,
        &[hidden],
        &estimators(),
        data.view(),
        seed,
    )?)
}

/// The table rows, the summary and the report paragraph of the trainings `rows` (every type of
/// [`types`], each by CD-1 and PCD-1) made with `template`.
pub fn report(
    template: &HiddenTrainParams,
    rows: &[HiddenComparison],
) -> Result<(Vec<TableRow>, Value, String)> {
    let data = spinlearn_data::generate::bars(3)?.data.mapv(f64::from);
    let uniform = data.ncols() as f64 * std::f64::consts::LN_2;
    let entropy = data_entropy(data.view());
    let table = rows
        .iter()
        .map(|r| TableRow {
            name: format!("hidden_units.{}.{}", r.hidden, r.estimator),
            value: format!("{:.4}", r.exact_nll),
            paper: None,
            note: format!(
                "exact NLL, RBM 9x6 on bars 3x3, {} epochs (uniform {uniform:.4}, data entropy {entropy:.4})",
                template.epochs
            ),
            ..Default::default()
        })
        .collect();
    let summary = json!({
        "data": "bars3",
        "params": template,
        "uniform_nll": uniform,
        "data_entropy": entropy,
        "rows": rows,
    });
    let text = format!(
        "The activations as RBM hidden units (spinlearn_rbm::hidden: exact sampling and log partition per type): a 9x6 RBM trained on bars 3x3 by CD-1 and PCD-1 with each type, same settings, exact NLL by enumerating the 512 visible states (uniform model {uniform:.3}, data entropy {entropy:.3} nats): {}. At one learning rate the types move at different speeds (their states and gains differ in scale: a unit of gain g sees an effective rate g² lr), so this compares trainability at equal settings, not the best each type can do.",
        rows.iter()
            .map(|r| format!("{} {} {:.3}", r.hidden, r.estimator, r.exact_nll))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok((table, summary, text))
}
