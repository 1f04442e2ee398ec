//! `cargo bench -p spinlearn-rbm`: one CD-1 and one PCD-1 epoch on the embedded MNIST subset
//! (10,000 x 784 binarized at 0.5, 500 hidden, batch 100, f32), printed with the product peak.
use spinlearn_core::{ParamGuard, Seed};
use spinlearn_rbm::bench::{BenchParams, bench};

fn main() {
    let ds = spinlearn_data::mnist::embedded().expect("embedded MNIST");
    let data = ds.data.mapv(|x| if x > 0.5 { 1.0f32 } else { 0.0 });
    let params = BenchParams::default().check().expect("valid defaults");
    let report = bench(data.view(), &params, Seed(0)).expect("bench");
    println!("{report}");
}
