//! `spinlearn relevance` and `spinlearn dbn`: bad flags are one-line errors naming the flag as
//! typed (snake_case), with exit code 2 and no run directory.

use std::process::Command;

fn bad(args: &[&str], flag: &str) {
    let out_dir =
        std::env::temp_dir().join(format!("spinlearn-cli-rel-{}-{}", std::process::id(), flag));
    let out = Command::new(env!("CARGO_BIN_EXE_spinlearn"))
        .args(args)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .expect("binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains(&format!("`{flag}`")), "`{flag}` not in: {err}");
    assert!(!out_dir.exists(), "a failed run left {}", out_dir.display());
}

#[test]
fn bad_flags_name_the_flag() {
    bad(
        &["relevance", "powerlaw", "counts.txt", "--xmin", "0"],
        "xmin",
    );
    bad(
        &["relevance", "analyze", "mnist", "--min-tail", "1"],
        "min_tail",
    );
    bad(&["relevance", "bound", "--m", "1"], "m");
    bad(
        &["relevance", "bound", "--m", "100", "--points", "1"],
        "points",
    );
    bad(&["dbn", "train", "--widths", "8,0"], "widths");
    bad(&["dbn", "train", "--batch-size", "0"], "batch_size");
    bad(
        &["dbn", "analyze", "--classifier-epochs", "0"],
        "classifier_epochs",
    );
    bad(
        &["dbn", "analyze", "--kmeans-restarts", "0"],
        "kmeans_restarts",
    );
    bad(&["dbn", "analyze", "--kmeans-ks", "4,0"], "kmeans_ks");
    bad(
        &["dbn", "analyze", "--contrast-widths", "5,0"],
        "contrast_widths",
    );
    bad(&["dbn", "analyze", "--gibbs-steps", "0"], "gibbs_steps");
    bad(&["dbn", "analyze", "--top-down", "up"], "top_down");
}
