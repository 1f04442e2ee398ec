//! `cargo run --release -p spinlearn-attractor --example bench_attractor`: the speed benchmark.
fn main() {
    let r = spinlearn_attractor::bench::bench(&Default::default(), spinlearn_core::Seed(1))
        .expect("bench");
    println!("{r}");
}
