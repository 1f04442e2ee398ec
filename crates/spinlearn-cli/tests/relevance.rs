//! `spinlearn relevance` and `spinlearn dbn`: bad flags are one-line errors naming the flag as
//! typed (snake_case), with exit code 2 and no run directory.

mod common;
use common::*;

fn bad(args: &[&str], flag: &str) {
    let out_dir = tmp(flag).join("run");
    let out = bin()
        .args(args)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .expect("binary runs");
    assert_names(&out, flag);
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
