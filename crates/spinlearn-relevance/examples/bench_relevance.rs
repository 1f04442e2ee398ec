//! Prints the relevance benchmark: `cargo run --release -p spinlearn-relevance --example bench_relevance`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let r = spinlearn_relevance::bench::bench(
        &spinlearn_relevance::bench::BenchConfig::default(),
        spinlearn_core::Seed(1),
    )?;
    println!("{r}");
    Ok(())
}
