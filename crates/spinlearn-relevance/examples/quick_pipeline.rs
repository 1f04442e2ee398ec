//! Times the quick pipeline on the embedded subset and prints the per-layer table:
//! `cargo run --release -p spinlearn-relevance --example quick_pipeline`.
use spinlearn_core::{Control, Seed, StepReport};
use spinlearn_relevance::experiments::{quick_params, run_pipeline};
fn main() {
    let ds = spinlearn_data::mnist::embedded().unwrap();
    let labels = ds.labels.clone().unwrap();
    let p = quick_params(Seed(1));
    let t0 = std::time::Instant::now();
    let mut last = String::new();
    let mut obs = |r: &StepReport<'_>| {
        if r.stage != last {
            eprintln!("{:7.1}s {}", t0.elapsed().as_secs_f64(), r.stage);
            last = r.stage.to_string();
        }
        Control::Continue
    };
    let r = run_pipeline(ds.data.view(), &labels, ds.image_shape, &p, None, &mut obs).unwrap();
    eprintln!("{:7.1}s done", t0.elapsed().as_secs_f64());
    println!("classifier test error {:.4}", r.classifier_test_error);
    for net in [
        Some(&r.trained),
        Some(&r.epoch0),
        r.shuffled.as_ref(),
        r.contrast.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        println!("{} (train {:.1}s)", net.name, net.train_seconds);
        for l in &net.layers {
            let a = &l.analysis;
            println!(
                "  H{:<2} w{:<4} Hs {:.3} Hk {:.3} beta {:>12} err {:.3} gen {}",
                l.layer,
                a.width,
                a.entropies.h_s_norm,
                a.entropies.h_k_norm,
                a.powerlaw.map_or("-".into(), |f| format!(
                    "{:.2}±{:.2}@{}",
                    f.beta, f.alpha_stderr, f.xmin
                )),
                a.classification_error.unwrap_or(f64::NAN),
                l.generation.as_ref().map_or("-".into(), |g| format!(
                    "{:.2} (kl_qp {:.3})",
                    g.generation_ability, g.kl_qp
                )),
            );
        }
        println!(
            "  best by H sum {:?}, by generation {:?}",
            net.best_by_h_sum(),
            net.best_by_generation()
        );
    }
    for k in &r.kmeans {
        println!(
            "kmeans K {} Hs {:.3} Hk {:.3}",
            k.k, k.analysis.entropies.h_s_norm, k.analysis.entropies.h_k_norm
        );
    }
    let top = r
        .bound
        .iter()
        .max_by(|a, b| a.entropies.h_k.total_cmp(&b.entropies.h_k))
        .unwrap();
    println!(
        "bound max Hk {:.3} at Hs {:.3}, gap {:.1e}",
        top.entropies.h_k_norm,
        top.entropies.h_s_norm,
        r.bound.iter().map(|p| p.gap).fold(0.0, f64::max)
    );
}
