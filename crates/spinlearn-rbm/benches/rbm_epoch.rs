//! `cargo bench -p spinlearn-rbm`: one CD-1 and one PCD-1 epoch on the embedded MNIST subset
//! (10,000 x 784 binarized at 0.5, 500 hidden, batch 100, f32), printed with the product peak.
fn main() {
    let ds = spinlearn_data::mnist::embedded().expect("embedded MNIST");
    let data = ds.data.mapv(|x| if x > 0.5 { 1.0f32 } else { 0.0 });
    let report =
        spinlearn_rbm::bench::bench(data.view(), &spinlearn_rbm::bench::BenchParams::default())
            .expect("bench");
    println!("{report}");
}
