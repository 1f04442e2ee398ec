//! One module per domain; each defines its clap subcommands and their [`crate::common::Experiment`]
//! implementations: flags -> the library's params (checked by `ParamGuard`) -> one library call ->
//! the library's writers for figures and tables. Science, experiment sizes and figure code stay in
//! the library crates (domain crates and spinlearn-reproduce).
//!
//! Adding a domain `foo` (the pattern is `data.rs`):
//! 1. `cmd/foo.rs` with `#[derive(Subcommand)] pub enum FooCmd { … }` whose variants hold `Args`
//!    structs implementing `Experiment` (data flags: flatten [`crate::common::DataArgs`]), and
//!    `pub fn run_cmd(cmd: &FooCmd, ctx: &Ctx) -> Result<()>` calling `execute(args, ctx)` for each;
//! 2. `pub mod foo;` below;
//! 3. in `main.rs`: a variant `#[command(subcommand)] Foo(cmd::foo::FooCmd)` in `Cmd` (with a doc
//!    comment, it is the help text) and the arm `Cmd::Foo(c) => cmd::foo::run_cmd(c, ctx)` in
//!    `dispatch`;
//! 4. the benchmark: a variant in `BenchDomain` (cmd/bench.rs) whose arm calls the library's bench
//!    function with its default params and the run's seed, and prints its figures;
//! 5. `spinlearn-foo.workspace = true` in crates/spinlearn-cli/Cargo.toml;
//! 6. an example config per experiment in `configs/` (small: each runs in the test suite in a few
//!    seconds; `tests/cli.rs::every_example_config_runs` runs them all).

pub mod attractor;
pub mod bench;
pub mod bp;
pub mod data;
pub mod ising;
pub mod rbm;
pub mod relevance;
pub mod reproduce;
pub mod sweep;
