//! `spinlearn`: the command line tool. Glue only: flags (or a TOML config) -> checked params ->
//! one library call -> run directory ([`common::execute`] is the one way a run directory is made).
//! Progress goes to bars on a terminal and to plain lines otherwise ([`common::Ctx::progress`]).
//!
//! May hold: clap argument structs, their conversion into library params, printing. May not hold:
//! loops over model runs, experiment sizes, figure code or any science; those belong to the domain
//! crates and to spinlearn-reproduce. `anyhow` is used here and nowhere else.

#![cfg_attr(fuzzing, no_main)]

mod cmd;
mod common;
mod config;
mod signals;

use clap::{Parser, Subcommand};
use common::{Ctx, Global};
use std::process::ExitCode;

/// spinlearn: statistical physics of learning in neural networks.
#[derive(Debug, Parser)]
#[command(name = "spinlearn", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Datasets: list, show as images, export to NumPy.
    #[command(subcommand)]
    Data(cmd::data::DataCmd),
    /// Ternary-synapse feature learning by message passing (paper 000).
    #[command(subcommand)]
    Bp(cmd::bp::BpCmd),
    /// Mean-field Ising neurons, activation functions, 2D lattice Monte Carlo (paper 002).
    #[command(subcommand)]
    Ising(cmd::ising::IsingCmd),
    /// Restricted Boltzmann machines: train, evaluate, sample (papers 003, 004).
    #[command(subcommand)]
    Rbm(cmd::rbm::RbmCmd),
    /// Attractor networks with double-well synapses: simulate, theory, capacity scans (paper 001).
    #[command(subcommand)]
    Attractor(cmd::attractor::AttractorCmd),
    /// Resolution and relevance of representations: analyze states, power-law fits, bound (paper 003).
    #[command(subcommand)]
    Relevance(cmd::relevance::RelevanceCmd),
    /// Deep belief networks: train and analyze the relevance of every layer (paper 003).
    #[command(subcommand)]
    Dbn(cmd::relevance::DbnCmd),
    /// Run any experiment from a TOML config whose `kind` names it.
    Run(config::RunArgs),
    /// Sweeps: one experiment over a grid of parameters, run here or as a Slurm job array, then
    /// collected into one table.
    #[command(subcommand)]
    Sweep(cmd::sweep::SweepCmd),
    /// Reproduce the papers' headline results into an HTML report.
    Reproduce(cmd::reproduce::ReproduceArgs),
    /// Benchmarks that print the speed figures of each domain.
    Bench(cmd::bench::BenchArgs),
}

fn dispatch(cli: &Cli, ctx: &Ctx) -> anyhow::Result<()> {
    match &cli.cmd {
        Cmd::Data(c) => cmd::data::run_cmd(c, ctx),
        Cmd::Bp(c) => cmd::bp::run_cmd(c, ctx),
        Cmd::Ising(c) => cmd::ising::run_cmd(c, ctx),
        Cmd::Rbm(c) => cmd::rbm::run_cmd(c, ctx),
        Cmd::Attractor(c) => cmd::attractor::run_cmd(c, ctx),
        Cmd::Relevance(c) => cmd::relevance::run_cmd(c, ctx),
        Cmd::Dbn(c) => cmd::relevance::run_dbn_cmd(c, ctx),
        Cmd::Run(a) => config::run_config(a, &cli.global),
        Cmd::Sweep(c) => cmd::sweep::run_cmd(c, ctx),
        Cmd::Reproduce(a) => cmd::reproduce::run_cmd(a, ctx),
        Cmd::Bench(a) => common::execute(a, ctx),
    }
}

/// Parses `argv` and runs it. Errors are returned, never panicked.
pub(crate) fn run_argv(argv: Vec<String>, inherited: Option<&Global>) -> anyhow::Result<()> {
    let mut cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) => return Err(ClapExit(e).into()),
    };
    if let Some(g) = inherited {
        cli.global.seed = cli.global.seed.or(g.seed);
        cli.global.threads = cli.global.threads.or(g.threads);
        cli.global.out = cli.global.out.clone().or_else(|| g.out.clone());
        cli.global.quiet |= g.quiet;
        cli.global.overwrite |= g.overwrite;
        cli.global.task_id = cli.global.task_id.clone().or_else(|| g.task_id.clone());
        cli.global.max_memory = cli.global.max_memory.or(g.max_memory);
    }
    let ctx = Ctx::new(&cli.global, argv)?;
    dispatch(&cli, &ctx)
}

/// A clap error carried through anyhow so that help/version print as clap intends.
#[derive(Debug)]
struct ClapExit(clap::Error);

impl std::fmt::Display for ClapExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", clap_one_line(&self.0.to_string()))
    }
}

/// clap's message on one line: the error, what it lists (missing arguments, possible values) and
/// its tips ("a similar argument exists"), without the usage line and the pointer to `--help`.
fn clap_one_line(text: &str) -> String {
    let mut out = String::new();
    let mut in_usage = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            in_usage = false;
            continue;
        }
        if line.starts_with("Usage:") {
            in_usage = true;
            continue;
        }
        if in_usage || line.starts_with("For more information") {
            continue;
        }
        let line = line.trim_start_matches("error: ");
        if !out.is_empty() {
            out.push_str(if line.starts_with("tip:") { "; " } else { " " });
        }
        out.push_str(line);
    }
    out
}

impl std::error::Error for ClapExit {}

// `fuzz/` builds this file with `--cfg fuzzing` as the config loader's fuzz target.
#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| config::fuzz_config(data));

#[cfg(not(fuzzing))]
fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    signals::install();
    match run_argv(argv, None) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(signals::Interrupted(sig)) = e.downcast_ref::<signals::Interrupted>() {
                eprintln!("error: {e}; run.json marked interrupted");
                return ExitCode::from((128 + sig) as u8);
            }
            if let Some(ClapExit(ce)) = e.downcast_ref::<ClapExit>() {
                use clap::error::ErrorKind;
                if matches!(
                    ce.kind(),
                    ErrorKind::DisplayHelp
                        | ErrorKind::DisplayVersion
                        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                ) {
                    let _ = ce.print();
                    return if ce.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                        ExitCode::from(2)
                    } else {
                        ExitCode::SUCCESS
                    };
                }
            }
            eprintln!("error: {}", one_line(&error_chain(&e)));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes joined by `: `, leaving out a cause whose text the message before it
/// already ends with (library errors quote their I/O cause in their own message).
pub(crate) fn error_chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

pub(crate) fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
