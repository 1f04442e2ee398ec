//! `spinlearn run CONFIG.toml`: a config is the flags of one subcommand written as TOML. `kind`
//! names the subcommand (`"rbm train"`, `"data show"`, …); every other key is a flag of it, with
//! `snake_case` or `kebab-case` names; positional arguments go by their name. Top-level `seed`,
//! `out`, `threads`, `quiet` and `max_memory` set the global flags (flags on the command line win). Arrays become
//! comma-separated lists. An unknown kind or key is an error naming the file and the key.

use crate::Cli;
use crate::common::Global;
use anyhow::{Context, Result, bail};
use clap::{ArgAction, Args, CommandFactory};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// `spinlearn run CONFIG.toml`.
#[derive(Debug, Clone, Args, Serialize)]
pub struct RunArgs {
    /// The TOML config file.
    pub config: PathBuf,
}

/// The fuzz entry of the config loader (`fuzz/`, target `config`): the text of a config turned
/// into a command line and parsed by clap, without running it. Must never panic.
#[cfg(fuzzing)]
pub fn fuzz_config(data: &[u8]) {
    use clap::Parser;
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok((argv, _)) = config_text_to_argv(text, "fuzz.toml")
        && let Ok(cli) = Cli::try_parse_from(&argv)
    {
        let _ = format!("{cli:?}");
    }
}

/// Reads the config, turns it into a command line and runs it.
pub fn run_config(a: &RunArgs, cli_global: &Global) -> Result<()> {
    let (argv, global) = config_to_argv(&a.config)?;
    let merged = Global {
        seed: cli_global.seed.or(global.seed),
        out: cli_global.out.clone().or(global.out),
        overwrite: cli_global.overwrite || global.overwrite,
        task_id: cli_global.task_id.clone().or(global.task_id),
        threads: cli_global.threads.or(global.threads),
        quiet: cli_global.quiet || global.quiet,
        max_memory: cli_global.max_memory.or(global.max_memory),
    };
    crate::run_argv(argv, Some(&merged))
}

fn toml_error_line(text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {msg}")
        }
        None => msg,
    }
}

/// Every leaf subcommand as a kind string, e.g. `"data show"`.
pub fn all_kinds() -> Vec<String> {
    fn walk(c: &clap::Command, prefix: &str, out: &mut Vec<String>) {
        for s in c.get_subcommands() {
            // `sweep` (top level) runs sweep files, not one experiment.
            if s.get_name() == "help" || (prefix.is_empty() && s.get_name() == "sweep") {
                continue;
            }
            let name = if prefix.is_empty() {
                s.get_name().to_string()
            } else {
                format!("{prefix} {}", s.get_name())
            };
            if s.has_subcommands() {
                walk(s, &name, out);
            } else if name != "run" {
                out.push(name);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), "", &mut out);
    out
}

/// Converts a config file into the argv of the subcommand it names, plus its global settings.
pub fn config_to_argv(path: &Path) -> Result<(Vec<String>, Global)> {
    let shown = path.display();
    let text =
        std::fs::read_to_string(path).with_context(|| format!("{shown}: cannot read config"))?;
    config_text_to_argv(&text, &shown.to_string())
}

/// [`config_to_argv`] on the config's text; `shown` names the file in errors.
pub fn config_text_to_argv(text: &str, shown: &str) -> Result<(Vec<String>, Global)> {
    let table: toml::Table = toml::from_str(text)
        .map_err(|e| anyhow::anyhow!("{shown}: invalid TOML: {}", toml_error_line(text, &e)))?;
    table_to_argv(shown, table)
}

/// Converts a parsed config (named `shown` in errors) into the argv of the subcommand it names,
/// plus its global settings (a sweep task's resolved config takes this path too).
pub fn table_to_argv(shown: &str, mut table: toml::Table) -> Result<(Vec<String>, Global)> {
    let kind = match table.remove("kind") {
        Some(toml::Value::String(k)) => k,
        Some(_) => bail!("{shown}: `kind` must be a string such as \"data show\""),
        None => bail!(
            "{shown}: missing `kind` (one of: {})",
            all_kinds().join(", ")
        ),
    };
    let mut global = Global {
        seed: None,
        out: None,
        overwrite: false,
        task_id: None,
        threads: None,
        quiet: false,
        max_memory: None,
    };
    if let Some(v) = table.remove("seed") {
        global.seed = Some(
            v.as_integer()
                .filter(|s| *s >= 0)
                .with_context(|| format!("{shown}: `seed` must be a non-negative integer"))?
                as u64,
        );
    }
    if let Some(v) = table.remove("out") {
        global.out =
            Some(PathBuf::from(v.as_str().with_context(|| {
                format!("{shown}: `out` must be a string")
            })?));
    }
    if let Some(v) = table.remove("threads") {
        global.threads = Some(
            v.as_integer()
                .filter(|s| *s >= 1)
                .with_context(|| format!("{shown}: `threads` must be a positive integer"))?
                as usize,
        );
    }
    if let Some(v) = table.remove("overwrite") {
        global.overwrite = v
            .as_bool()
            .with_context(|| format!("{shown}: `overwrite` must be true or false"))?;
    }
    if let Some(v) = table.remove("max_memory") {
        let bytes = match &v {
            toml::Value::String(s) => crate::common::parse_max_memory(s).ok(),
            toml::Value::Integer(i) if *i > 0 => Some(*i as u64),
            _ => None,
        };
        global.max_memory = Some(bytes.with_context(|| {
            format!("{shown}: `max_memory` must be a size such as \"32G\" or a number of bytes")
        })?);
    }
    if let Some(v) = table.remove("quiet") {
        global.quiet = v
            .as_bool()
            .with_context(|| format!("{shown}: `quiet` must be true or false"))?;
    }

    let root = Cli::command();
    let words: Vec<&str> = kind.split_whitespace().collect();
    let mut sub = &root;
    for (i, w) in words.iter().enumerate() {
        sub = match sub.find_subcommand(w) {
            Some(s) if *w != "run" && !(i == 0 && *w == "sweep") => s,
            _ => bail!(
                "{shown}: unknown kind `{kind}` (one of: {})",
                all_kinds().join(", ")
            ),
        };
    }
    if sub.has_subcommands() || words.is_empty() {
        bail!(
            "{shown}: unknown kind `{kind}` (one of: {})",
            all_kinds().join(", ")
        );
    }
    let mut argv: Vec<String> = vec!["spinlearn".into()];
    argv.extend(words.iter().map(|w| w.to_string()));
    let mut positionals: Vec<(usize, String)> = Vec::new();
    let mut flags: Vec<String> = Vec::new();
    for (key, value) in &table {
        let id = key.replace('-', "_");
        let long = key.replace('_', "-");
        let arg = sub.get_arguments().find(|a| {
            !a.is_global_set() && (a.get_id().as_str() == id || a.get_long() == Some(long.as_str()))
        });
        let Some(arg) = arg else {
            let known: Vec<String> = sub
                .get_arguments()
                .filter(|a| !a.is_global_set() && a.get_id() != "help" && a.get_id() != "version")
                .map(|a| a.get_id().as_str().to_string())
                .collect();
            bail!(
                "{shown}: unknown field `{key}` for kind `{kind}` (known: {})",
                known.join(", ")
            );
        };
        let text_value = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => {
                if matches!(arg.get_action(), ArgAction::SetTrue) {
                    if *b {
                        flags.push(format!("--{}", arg.get_long().unwrap_or(&long)));
                    }
                    continue;
                }
                b.to_string()
            }
            toml::Value::Array(items) => items
                .iter()
                .map(|v| match v {
                    toml::Value::String(s) => Ok(s.clone()),
                    toml::Value::Integer(i) => Ok(i.to_string()),
                    toml::Value::Float(f) => Ok(f.to_string()),
                    _ => bail!("{shown}: `{key}` must be a list of numbers or strings"),
                })
                .collect::<Result<Vec<_>>>()?
                .join(","),
            _ => bail!("{shown}: `{key}` must be a string, number, boolean or list"),
        };
        if arg.is_positional() {
            positionals.push((arg.get_index().unwrap_or(0), text_value));
        } else {
            match arg.get_long() {
                Some(l) => flags.push(format!("--{l}={text_value}")),
                None => {
                    let s = arg.get_short().unwrap_or('?');
                    flags.push(format!("-{s}"));
                    flags.push(text_value);
                }
            }
        }
    }
    positionals.sort_by_key(|p| p.0);
    // Flags carry their values as `--long=value`; positionals follow `--` so that a value
    // starting with `-` is not read as a flag.
    argv.extend(flags);
    if !positionals.is_empty() {
        argv.push("--".into());
        argv.extend(positionals.into_iter().map(|p| p.1));
    }
    Ok((argv, global))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// The config fuzzer's saved inputs (`fuzz/regressions/config/`): each turns into a command
    /// line that clap parses, or fails with an error naming the file; none panics.
    #[test]
    fn fuzz_regressions_replay() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/config");
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            n += 1;
            match config_text_to_argv(&text, "in.toml") {
                Ok((argv, _)) => {
                    let _ = Cli::try_parse_from(&argv);
                }
                Err(e) => assert!(e.to_string().starts_with("in.toml"), "{e}"),
            }
        }
        assert!(n > 0, "no inputs in {}", dir.display());
    }

    #[test]
    fn positionals_starting_with_a_dash_stay_values() {
        let text = "kind = \"relevance analyze\"\nfile = \"-states.txt\"\n";
        let (argv, _) = config_text_to_argv(text, "c.toml").unwrap();
        let cli = Cli::try_parse_from(&argv).unwrap();
        assert!(format!("{cli:?}").contains("\"-states.txt\""), "{cli:?}");
    }
}
