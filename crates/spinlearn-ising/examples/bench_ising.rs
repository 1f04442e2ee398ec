//! Prints the speed figures (`cargo run --release -p spinlearn-ising --example bench_ising`).
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let quick = std::env::args().any(|a| a == "--quick");
    let r = spinlearn_ising::bench::bench(quick)?;
    println!("threads: {}", r.threads);
    print!("{r}");
    Ok(())
}
