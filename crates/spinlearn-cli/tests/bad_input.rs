//! Bad input through the binary (issue 19): every case gives exit code 2 and one line naming the
//! flag, file or key, never a panic (exit 101) or an abort (exit 134); a run that made its
//! directory leaves `run.json` `failed`, not `running`. Sizes far beyond memory are refused before
//! anything is allocated, so each case takes milliseconds.

mod common;

use common::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

const HUGE: &str = "1000000000000";

/// `assert_bad`, plus: when `dir` holds a run.json, its status is `failed`.
fn assert_refused(out: &Output, needles: &[&str], dir: &Path) {
    assert_ne!(out.status.code(), Some(134), "aborted");
    assert_bad(out, needles);
    let record = dir.join("run.json");
    if record.exists() {
        assert_eq!(read_json(&record)["status"], "failed", "{}", dir.display());
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `args` with `--out DIR/<name>` and asserts a refusal naming `needles`.
fn refused(d: &Path, name: &str, args: &[&str], needles: &[&str]) {
    let out_dir = d.join(name);
    let mut all = args.to_vec();
    all.extend_from_slice(&["-q", "--out", s(&out_dir)]);
    assert_refused(&run(&all), needles, &out_dir);
}

fn npy_header(descr: &str, shape: &str) -> Vec<u8> {
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    let mut h = dict.into_bytes();
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(b' ');
    }
    h.push(b'\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    out.extend_from_slice(&h);
    out
}

fn write(p: &Path, bytes: &[u8]) -> PathBuf {
    std::fs::write(p, bytes).unwrap();
    p.to_path_buf()
}

/// A tiny trained checkpoint (bars3, `extra` flags appended).
fn checkpoint(d: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = d.join(name);
    let mut args = vec![
        "-q",
        "--seed",
        "1",
        "rbm",
        "train",
        "--data",
        "bars3",
        "--n-hidden",
        "4",
        "--epochs",
        "2",
        "--batch-size",
        "2",
        "--out",
    ];
    args.push(s(&out));
    args.extend_from_slice(extra);
    assert_ok(&run(&args));
    out.join("model.npz")
}

#[test]
fn sizes_beyond_memory_are_refused_before_allocating() {
    let d = tmp("bad-sizes");
    let counts = write(&d.join("counts.txt"), b"1\n2\n3\n5\n8\n13\n");
    let model = checkpoint(&d, "model", &[]);
    refused(
        &d,
        "a",
        &["data", "export", "--data", "random99999999999x99999999999"],
        &["`data`", "random99999999999x99999999999"],
    );
    refused(
        &d,
        "b",
        &["rbm", "train", "--data", "bars3", "--n-hidden", HUGE],
        &["`n_hidden`", "above the limit"],
    );
    refused(
        &d,
        "c",
        &[
            "rbm",
            "train",
            "--data",
            "bars3",
            "--weights",
            "ra",
            "--k",
            HUGE,
        ],
        &["`k`"],
    );
    refused(
        &d,
        "d",
        &[
            "rbm",
            "train",
            "--data",
            "bars3",
            "--estimator",
            "pcd",
            "--n-chains",
            HUGE,
        ],
        &["`n_chains`"],
    );
    refused(
        &d,
        "e",
        &["attractor", "simulate", "--realizations", HUGE],
        &["`realizations`"],
    );
    refused(
        &d,
        "f",
        &["ising", "mc", "--l", "8", "--t", "2", "--sweeps", HUGE],
        &["`sweeps`"],
    );
    refused(&d, "g", &["ising", "activation", "--n-t", HUGE], &["`n_t`"]);
    refused(&d, "h", &["ising", "activation", "--n-q", HUGE], &["`n_q`"]);
    refused(
        &d,
        "i",
        &["relevance", "powerlaw", s(&counts), "--bootstrap", HUGE],
        &["`bootstrap`"],
    );
    refused(
        &d,
        "j",
        &["relevance", "bound", "--m", "1000", "--points", HUGE],
        &["`points`"],
    );
    refused(
        &d,
        "k",
        &["relevance", "bound", "--m", "4000000000"],
        &["`m`"],
    );
    refused(
        &d,
        "l",
        &["dbn", "train", "--data", "bars3", "--widths", HUGE],
        &["`widths`"],
    );
    refused(
        &d,
        "m",
        &["dbn", "train", "--data", "bars3", "--n-chains", HUGE],
        &["`n_chains`"],
    );
    refused(
        &d,
        "n",
        &["rbm", "sample", "--model", s(&model), "--n", HUGE],
        &["`n`"],
    );
    refused(
        &d,
        "o",
        &[
            "rbm",
            "eval",
            "--model",
            s(&model),
            "--what",
            "ais",
            "--ais-chains",
            HUGE,
        ],
        &["`ais_chains`"],
    );
    refused(
        &d,
        "p",
        &[
            "rbm",
            "eval",
            "--model",
            s(&model),
            "--what",
            "ais",
            "--ais-betas",
            HUGE,
        ],
        &["`ais_betas`"],
    );
    refused(
        &d,
        "q",
        &["dbn", "analyze", "--data", "bars3", "--n-generate", HUGE],
        &["`n_generate`"],
    );
    refused(
        &d,
        "r",
        &[
            "rbm",
            "sample",
            "--model",
            s(&model),
            "--shape",
            "2x9223372036854775816",
        ],
        &["`shape`"],
    );
    // `--max-memory` lowers (or raises) the limit; the config key does the same.
    refused(
        &d,
        "s",
        &[
            "--max-memory",
            "1K",
            "rbm",
            "train",
            "--data",
            "bars3",
            "--n-hidden",
            "100",
        ],
        &["`n_hidden`", "above the limit 1 KiB"],
    );
    refused(
        &d,
        "t",
        &["--max-memory", "lots", "data", "list"],
        &["--max-memory", "lots"],
    );
    let cfg = write(
        &d.join("c.toml"),
        b"kind = \"rbm train\"\nmax_memory = \"1K\"\ndata = \"bars3\"\nn_hidden = 100\n",
    );
    refused(&d, "u", &["run", s(&cfg)], &["`n_hidden`", "1 KiB"]);
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn hostile_files_are_refused_naming_the_file() {
    let d = tmp("bad-files");
    let big = write(&d.join("big.npy"), &npy_header("<f8", "(1099511627776,)"));
    assert!(std::fs::metadata(&big).unwrap().len() <= 138);
    refused(
        &d,
        "a",
        &["data", "export", "--data", s(&big)],
        &["big.npy", "above the limit"],
    );
    let sq = write(
        &d.join("sq.npy"),
        &npy_header("<f4", "(1073741824, 1073741824)"),
    );
    refused(&d, "b", &["data", "export", "--data", s(&sq)], &["sq.npy"]);
    // An .npz member declaring (2^40, 2).
    let npz = {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut buf);
        w.start_file("data.npy", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&npy_header("<f8", "(1099511627776, 2)"))
            .unwrap();
        w.finish().unwrap();
        write(&d.join("m.npz"), buf.get_ref())
    };
    refused(
        &d,
        "c",
        &["data", "export", "--data", s(&npz)],
        &["m.npz[data]"],
    );
    // A gzip IDX whose header declares 17 GiB (inflates to 1 MiB of zeros).
    let mnist = d.join("mnist");
    std::fs::create_dir_all(&mnist).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&[0, 0, 8, 3]).unwrap();
    for dim in [17u32, 1 << 15, 1 << 15] {
        gz.write_all(&dim.to_be_bytes()).unwrap();
    }
    gz.write_all(&vec![0u8; 1 << 20]).unwrap();
    let bomb = gz.finish().unwrap();
    for f in ["train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"] {
        write(&mnist.join(f), &bomb);
    }
    for f in ["train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"] {
        write(&mnist.join(f), &[0, 0, 8, 1, 0, 0, 0, 1, 0]);
    }
    refused(
        &d,
        "d",
        &["data", "export", "--mnist-dir", s(&mnist)],
        &["train-images-idx3-ubyte.gz", "above the limit"],
    );
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn nan_and_infinity_are_refused_everywhere() {
    let d = tmp("bad-nan");
    // A 4 x 9 float32 matrix with NaN at [2, 5].
    let mut npy = npy_header("<f4", "(4, 9)");
    for i in 0..36 {
        let x: f32 = if i == 2 * 9 + 5 {
            f32::NAN
        } else {
            (i % 2) as f32
        };
        npy.extend_from_slice(&x.to_le_bytes());
    }
    let nan = write(&d.join("nan.npy"), &npy);
    let needles = ["nan.npy", "NaN", "[2, 5]"];
    refused(&d, "a", &["data", "export", "--data", s(&nan)], &needles);
    refused(&d, "b", &["relevance", "analyze", s(&nan)], &needles);
    refused(
        &d,
        "c",
        &["rbm", "train", "--data", s(&nan), "--n-hidden", "2"],
        &needles,
    );
    refused(&d, "d", &["bp", "learn", "--data", s(&nan)], &needles);
    refused(
        &d,
        "e",
        &["data", "export", "--data", "bars3", "--threshold", "NaN"],
        &["`threshold`"],
    );
    refused(
        &d,
        "f",
        &["rbm", "train", "--data", "bars3", "--lr", "inf"],
        &["`lr`"],
    );
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn resume_checks_the_checkpoint_against_the_flags() {
    let d = tmp("bad-resume");
    let dense = checkpoint(&d, "dense", &[]);
    let pcd = checkpoint(&d, "pcd", &["--estimator", "pcd", "--n-chains", "5"]);
    let train = [
        "rbm",
        "train",
        "--data",
        "bars3",
        "--batch-size",
        "2",
        "--epochs",
        "3",
    ];
    let with = |extra: &[&str], ckpt: &Path| {
        let mut a = train.to_vec();
        if !extra.contains(&"--n-hidden") {
            a.extend_from_slice(&["--n-hidden", "4"]);
        }
        a.extend_from_slice(extra);
        a.extend_from_slice(&["--resume", s(ckpt)]);
        a.iter().map(|x| x.to_string()).collect::<Vec<_>>()
    };
    let refuse = |name: &str, args: Vec<String>, needles: &[&str]| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(&d, name, &a, needles);
    };
    // A dense checkpoint with --weights ra (this panicked), and the RA patterns' K.
    refuse(
        "a",
        with(&["--weights", "ra"], &dense),
        &["`weights`", "dense"],
    );
    refuse("b", with(&["--n-hidden", "5"], &dense), &["`n_hidden`"]);
    refuse(
        "c",
        with(&["--estimator", "pcd", "--n-chains", "7"], &pcd),
        &["`n_chains`", "5 PCD chains"],
    );
    refuse("d", with(&["--estimator", "pcd"], &dense), &["`estimator`"]);
    refuse(
        "e",
        with(&["--visible", "spin"], &dense),
        &["`resume`", "units"],
    );
    // A checkpoint whose PCD chains are all NaN (kept with the fuzzer's regression inputs).
    let nan = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions/checkpoint/nan-chains.npz");
    refuse(
        "f",
        with(
            &["--n-hidden", "3", "--estimator", "pcd", "--n-chains", "3"],
            &nan,
        ),
        &["nan-chains.npz[state_chains]", "NaN"],
    );
    // A checkpoint already past --epochs: its model is written and the run says so.
    let done = d.join("done");
    let mut a = train.to_vec();
    let last = a.len() - 1;
    a[last] = "1";
    a.extend_from_slice(&["--n-hidden", "4", "--resume", s(&dense), "--out", s(&done)]);
    let out = run(&a);
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 epochs already"));
    let summary = read_json(&done.join("summary.json"));
    assert_eq!(summary["already_trained"], true);
    assert_eq!(summary["epochs_completed"], 2);
    assert!(done.join(summary["model"].as_str().unwrap()).exists());
    assert_eq!(
        read_json(&done.join("epochs.json"))
            .as_array()
            .unwrap()
            .len(),
        2
    );
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn clap_messages_are_whole_and_on_one_line() {
    let one = |args: &[&str], needles: &[&str]| assert_bad(&run(args), needles);
    // A misspelt flag: the suggestion comes with the error.
    one(
        &["rbm", "train", "--n-hiden", "3"],
        &[
            "'--n-hiden'",
            "tip: a similar argument exists: '--n-hidden'",
        ],
    );
    // A bad value: the possible values are listed.
    one(
        &["rbm", "train", "--weights", "sparse"],
        &["'sparse'", "--weights", "[possible values: dense, ra]"],
    );
    // A missing required argument is named.
    one(
        &["rbm", "eval"],
        &["the following required arguments were not provided: --model <FILE>"],
    );
    // Negative numbers are values: a range error names the flag, not an unknown `-0.1` flag.
    one(
        &["rbm", "train", "--data", "bars3", "--lr", "-0.1"],
        &["`lr`", "-0.1"],
    );
    one(
        &["attractor", "simulate", "--theta", "-0.1", "--n", "0"],
        &["`n`"],
    );
    one(
        &["rbm", "train", "--n-hidden", "-5"],
        &["'-5'", "--n-hidden"],
    );
    // An I/O error says its cause once.
    let out = run(&["data", "export", "--data", "/"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for line in err.lines() {
        if let Some(i) = line.find("(os error") {
            assert!(!line[i + 1..].contains("(os error"), "{line}");
        }
    }
}

#[test]
fn failed_run_records_the_error_line_the_terminal_shows() {
    // an existing (empty) run directory keeps its failed record; its `error` is the one line the
    // terminal printed, without the I/O cause repeated
    let d = tmp("error_line");
    std::fs::create_dir_all(d.join("run")).unwrap();
    let missing = d.join("missing.npy");
    let out = run(&[
        "rbm",
        "train",
        "--data",
        s(&missing),
        "--out",
        s(&d.join("run")),
        "-q",
    ]);
    assert_bad(&out, &["missing.npy"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("error: "))
        .expect("an error line");
    let rec = read_json(&d.join("run").join("run.json"));
    assert_eq!(rec["status"], "failed");
    assert_eq!(rec["error"], line);
    assert_eq!(line.matches("os error 2").count(), 1, "{line}");
}
