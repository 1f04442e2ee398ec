//! The `data` section end to end at smoke size.

use spinlearn_core::{NoObserver, Seed};
use spinlearn_reproduce::{Mode, ReportParams, ReportRun, run_report};

#[test]
fn data_section_writes_summary_figures_and_page() {
    let root = std::env::temp_dir().join(format!("spinlearn-repro-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let p = ReportParams {
        sections: vec!["data".into()],
        mode: Mode::Smoke,
        mnist_dir: None,
    };
    let run = ReportRun {
        root: root.clone(),
        seed: Seed(1),
        threads: 1,
        version: "test".into(),
        embed_figures: false,
    };
    let summary = run_report(&p, &run, &mut NoObserver).unwrap();
    assert_eq!(summary["sections"]["data"]["status"], "complete");
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("data/summary.json")).unwrap())
            .unwrap();
    for key in ["mnist", "bars4", "bas12"] {
        assert!(s.get(key).is_some(), "summary lacks `{key}`");
    }
    // Independent counts: Bars n x n has 2^n - 2 images (vertical bars, uniform images excluded);
    // bars-and-stripes n x n has 2 (2^n - 2) (bars or stripes, uniform images excluded).
    assert_eq!(s["bars4"]["n_images"], 2u64.pow(4) - 2);
    assert_eq!(s["bas12"]["n_images"], 2 * 2u64.pow(12) - 4);
    let counts: u64 = s["mnist"]["label_counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(counts, 10_000);
    for fig in [
        "mnist_grid",
        "mnist_binary_grid",
        "label_counts",
        "bars4",
        "bas12",
    ] {
        for ext in ["png", "svg"] {
            let f = root.join("data").join(format!("{fig}.{ext}"));
            assert!(
                f.metadata().map(|m| m.len() > 0).unwrap_or(false),
                "{} missing",
                f.display()
            );
        }
    }
    // Every figure has its data; the label counts' CSV sums to the subset's size.
    for fig in ["mnist_grid", "mnist_binary_grid", "bars4", "bas12"] {
        assert!(
            root.join("data").join(format!("{fig}.npz")).is_file(),
            "{fig}.npz"
        );
    }
    let csv = std::fs::read_to_string(root.join("data/label_counts.csv")).unwrap();
    let total: u64 = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, counts);
    assert!(
        std::fs::read_to_string(root.join("index.html"))
            .unwrap()
            .contains("data/mnist_grid.png")
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn unknown_section_is_named() {
    let p = ReportParams {
        sections: vec!["nonsense".into()],
        mode: Mode::Smoke,
        mnist_dir: None,
    };
    let e = p.resolve().unwrap_err().to_string();
    assert!(e.contains("`section`") && e.contains("nonsense"), "{e}");
}
