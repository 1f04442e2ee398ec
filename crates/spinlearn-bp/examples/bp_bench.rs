//! Prints the message-passing sweep benchmark (`cargo run --release -p spinlearn-bp --example bp_bench`).
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let report = spinlearn_bp::bench::bench(
        &spinlearn_bp::bench::BenchConfig::default(),
        spinlearn_core::Seed(1),
    )?;
    println!("{report}");
    Ok(())
}
