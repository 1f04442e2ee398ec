//! Runs the data benchmark: `cargo run --release -p spinlearn-data --example bench_data`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("spinlearn-data-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let report = spinlearn_data::bench::bench(&dir, 3)?;
    print!("{report}");
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
