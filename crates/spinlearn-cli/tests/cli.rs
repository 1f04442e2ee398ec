//! End-to-end tests of the `spinlearn` binary: the documented commands work, run directories are
//! complete, and bad input gives a one-line error, exit code 2 and no complete-looking run.

use std::path::Path;

mod common;
use common::*;

#[test]
fn data_show_writes_a_complete_run() {
    let d = tmp("show");
    let out_dir = d.join("digits");
    let out = run(&[
        "--quiet",
        "--seed",
        "3",
        "data",
        "show",
        "--data",
        "mnist",
        "--digits",
        "0,1",
        "--n-samples",
        "64",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["grid.png", "grid.svg", "run.json", "summary.json"] {
        assert!(out_dir.join(f).exists(), "missing {f}");
    }
    let run_json = read_json(&out_dir.join("run.json"));
    assert_eq!(run_json["status"], "complete");
    assert_eq!(run_json["seed"], 3);
    assert_eq!(run_json["kind"], "data show");
    assert!(run_json["wall_seconds"].as_f64().unwrap() >= 0.0);
    let summary = read_json(&out_dir.join("summary.json"));
    assert_eq!(summary["n_shown"], 64);
    let counts = summary["label_counts"].as_object().unwrap();
    let total: u64 = counts.values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(total, 64);
    assert!(counts.keys().all(|k| k == "0" || k == "1"));
    let img = image_size(&out_dir.join("grid.png"));
    assert!(img.0 > 100 && img.1 > 100);
}

fn image_size(p: &Path) -> (u32, u32) {
    let bytes = std::fs::read(p).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let h = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    (w, h)
}

#[test]
fn data_export_opens_as_npy() {
    let d = tmp("export");
    let out = run(&[
        "-q",
        "data",
        "export",
        "--data",
        "bars4",
        "--format",
        "npy",
        "--out",
        d.join("e").to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(d.join("e/data.npy")).unwrap();
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    let header = String::from_utf8_lossy(&bytes[10..100]);
    assert!(header.contains("(14, 16)"), "{header}");
}

#[test]
fn data_list_names_the_datasets() {
    let out = run(&["data", "list"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for name in ["mnist", "bars4", "bas12"] {
        assert!(text.contains(name), "{text}");
    }
}

#[test]
fn unknown_dataset_and_label_and_zero_size() {
    let d = tmp("bad");
    let o = d.join("x");
    let o = o.to_str().unwrap();
    assert_bad(
        &run(&["data", "show", "--data", "cifar", "--out", o]),
        &["cifar"],
    );
    assert!(
        !Path::new(o).exists(),
        "no run directory left for bad input"
    );
    assert_bad(
        &run(&[
            "data", "show", "--data", "mnist", "--digits", "0,12", "--out", o,
        ]),
        &["digits", "12"],
    );
    assert_bad(
        &run(&["data", "show", "--n-samples", "0", "--out", o]),
        &["n_samples"],
    );
    assert_bad(
        &run(&["data", "show", "--n-samples", "-3", "--out", o]),
        &["-3"],
    );
    assert_bad(
        &run(&["data", "export", "--format", "xls", "--out", o]),
        &["format", "xls"],
    );
    assert!(!Path::new(o).exists());
}

#[test]
fn missing_truncated_and_wrong_magic_files() {
    let d = tmp("files");
    let o = d.join("out");
    let o = o.to_str().unwrap();
    let missing = d.join("nope.npy");
    assert_bad(
        &run(&[
            "data",
            "export",
            "--data",
            missing.to_str().unwrap(),
            "--out",
            o,
        ]),
        &["nope.npy"],
    );
    let trunc = d.join("trunc.npy");
    std::fs::write(
        &trunc,
        b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (10, 10), }",
    )
    .unwrap();
    assert_bad(
        &run(&[
            "data",
            "export",
            "--data",
            trunc.to_str().unwrap(),
            "--out",
            o,
        ]),
        &["trunc.npy"],
    );
    // A full MNIST directory whose image file has the label magic number.
    let mn = d.join("mnist");
    std::fs::create_dir_all(&mn).unwrap();
    let idx = |magic: u32, dims: &[u32], n: usize| {
        let mut v = magic.to_be_bytes().to_vec();
        for x in dims {
            v.extend_from_slice(&x.to_be_bytes());
        }
        v.extend(std::iter::repeat_n(0u8, n));
        v
    };
    std::fs::write(
        mn.join("train-images-idx3-ubyte"),
        idx(2049, &[2, 28, 28], 2 * 784),
    )
    .unwrap();
    std::fs::write(mn.join("train-labels-idx1-ubyte"), idx(2049, &[2], 2)).unwrap();
    std::fs::write(
        mn.join("t10k-images-idx3-ubyte"),
        idx(2051, &[2, 28, 28], 2 * 784 - 5),
    )
    .unwrap();
    std::fs::write(mn.join("t10k-labels-idx1-ubyte"), idx(2049, &[2], 2)).unwrap();
    assert_bad(
        &run(&[
            "data",
            "show",
            "--data",
            "mnist",
            "--mnist-dir",
            mn.to_str().unwrap(),
            "--out",
            o,
        ]),
        &["train-images-idx3-ubyte", "magic"],
    );
    std::fs::write(
        mn.join("train-images-idx3-ubyte"),
        idx(2051, &[2, 28, 28], 2 * 784),
    )
    .unwrap();
    assert_bad(
        &run(&[
            "data",
            "show",
            "--data",
            "mnist-test",
            "--mnist-dir",
            mn.to_str().unwrap(),
            "--out",
            o,
        ]),
        &["t10k-images-idx3-ubyte", "truncated"],
    );
    assert!(!Path::new(o).exists());
}

#[test]
fn configs_bad_toml_unknown_kind_and_field() {
    let d = tmp("cfg");
    let bad = d.join("bad.toml");
    std::fs::write(&bad, "kind = \"data show\"\ndata = \n").unwrap();
    assert_bad(
        &run(&["run", bad.to_str().unwrap()]),
        &["bad.toml", "line 2"],
    );
    let unk = d.join("unknown.toml");
    std::fs::write(&unk, "kind = \"data show\"\ndata = \"mnist\"\ncolour = 3\n").unwrap();
    assert_bad(
        &run(&["run", unk.to_str().unwrap()]),
        &["unknown.toml", "colour"],
    );
    let kind = d.join("kind.toml");
    std::fs::write(&kind, "kind = \"data shuffle\"\n").unwrap();
    assert_bad(
        &run(&["run", kind.to_str().unwrap()]),
        &["kind.toml", "data shuffle"],
    );
    assert_bad(
        &run(&["run", d.join("absent.toml").to_str().unwrap()]),
        &["absent.toml"],
    );
}

#[test]
fn config_runs_like_flags() {
    let d = tmp("cfgrun");
    let cfg = d.join("show.toml");
    let out_dir = d.join("o");
    std::fs::write(
        &cfg,
        format!(
            "kind = \"data show\"\nseed = 11\nout = \"{}\"\ndata = \"bars4\"\nn_samples = 14\n",
            out_dir.display()
        ),
    )
    .unwrap();
    let out = run(&["-q", "run", cfg.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rec = read_json(&out_dir.join("run.json"));
    assert_eq!(rec["status"], "complete");
    assert_eq!(rec["seed"], 11);
    assert_eq!(rec["config"]["n_samples"], 14);
    assert_eq!(read_json(&out_dir.join("summary.json"))["n_shown"], 14);
}

/// Every example config in configs/ runs to a complete run directory (from the repository root,
/// which config paths are relative to).
#[test]
fn every_example_config_runs() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = repo.join("configs");
    let d = tmp("examples");
    let mut n = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) != Some("toml") {
            continue;
        }
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        let out_dir = d.join(&name);
        let out = bin()
            .current_dir(&repo)
            .args([
                "-q",
                "--threads",
                "2",
                "--out",
                out_dir.to_str().unwrap(),
                "run",
                p.to_str().unwrap(),
            ])
            .output()
            .expect("binary runs");
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            read_json(&out_dir.join("run.json"))["status"],
            "complete",
            "{name}"
        );
        assert!(out_dir.join("summary.json").exists(), "{name}");
        n += 1;
    }
    assert!(
        n >= 19,
        "only {n} example configs found in {}",
        root.display()
    );
}

#[test]
fn reproduce_data_section_writes_the_report() {
    let d = tmp("repro");
    let out = run(&[
        "-q",
        "--seed",
        "1",
        "reproduce",
        "data",
        "--quick",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(d.join("index.html")).unwrap();
    assert!(html.contains("data/mnist_grid.png"));
    let s = read_json(&d.join("data/summary.json"));
    assert_eq!(s["bars4"]["n_images"], 14);
    assert_eq!(s["bas12"]["n_images"], 8188);
    assert_eq!(read_json(&d.join("run.json"))["status"], "complete");
    assert_bad(
        &run(&["reproduce", "nonsense", "--out", d.to_str().unwrap()]),
        &["nonsense"],
    );
}

#[test]
fn bench_with_out_writes_its_figures() {
    let d = tmp("bench-data");
    let out = d.join("run");
    let o = run(&["bench", "--out", out.to_str().unwrap(), "-q", "data"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(read_json(&out.join("run.json"))["status"], "complete");
    let s = read_json(&out.join("summary.json"));
    let items = s["items"].as_array().expect("items");
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["seconds"].as_f64().unwrap() > 0.0));
}

#[test]
fn without_a_terminal_progress_is_plain_lines() {
    // stderr is a pipe here, as in a batch job: stages and steps come as plain lines, no bar
    // control characters.
    let d = tmp("progress-lines");
    let out = run(&[
        "--seed",
        "1",
        "reproduce",
        "data",
        "--smoke",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[1/1] Data overview (data, Smoke)"), "{err}");
    assert!(err.contains("done in"), "{err}");
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
    // The same report again, replacing the first (a non-empty --out needs --overwrite).
    let q = run(&[
        "-q",
        "--seed",
        "1",
        "reproduce",
        "data",
        "--smoke",
        "--overwrite",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert!(q.status.success());
    assert!(
        q.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&q.stderr)
    );
}

#[test]
fn io_errors_say_their_cause_once() {
    let d = tmp("io-once");
    let missing = d.join("missing.npy");
    let out = run(&[
        "data",
        "export",
        "--data",
        missing.to_str().unwrap(),
        "--out",
        d.join("run").to_str().unwrap(),
    ]);
    assert_bad(&out, &["missing.npy"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
}

#[test]
fn embed_figures_writes_one_self_contained_page() {
    let d = tmp("embed");
    let out = run(&[
        "-q",
        "--seed",
        "1",
        "reproduce",
        "data",
        "--smoke",
        "--embed-figures",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert_ok(&out);
    let html = std::fs::read_to_string(d.join("index.html")).unwrap();
    assert_eq!(html.matches("<img src=\"data:image/png;base64,").count(), 5);
    assert!(
        !html.contains("<img src=\"data/"),
        "a figure is still linked"
    );
}

#[test]
fn threads_are_capped() {
    let d = tmp("threads");
    let out = run(&[
        "--threads",
        "100000",
        "reproduce",
        "data",
        "--smoke",
        "--out",
        d.join("run").to_str().unwrap(),
    ]);
    assert_names(&out, "threads");
    assert!(!d.join("run").exists());
}
