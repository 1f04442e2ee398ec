//! The DBN on the RBM engine learns a two-prototype source: its hidden states separate the
//! prototypes and generation from the top layer reproduces both of them.

use ndarray::Array2;
use rand::RngExt;
use spinlearn_core::{NoObserver, ParamGuard, Seed};
use spinlearn_relevance::classifier::MlpParams;
use spinlearn_relevance::dbn::{Dbn, DbnParams, EpochUnit, Readout, train_dbn};
use spinlearn_relevance::experiments::analyze_layer;
use spinlearn_relevance::powerlaw::PowerLawParams;

fn two_prototypes(n: usize, seed: Seed) -> (Array2<f32>, Vec<u8>) {
    let mut rng = seed.stream(0);
    let d = 20;
    let mut x = Array2::<f32>::zeros((n, d));
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let c = (i % 2) as u8;
        labels.push(c);
        for j in 0..d {
            let on = (j < d / 2) == (c == 0);
            let flip = rng.random::<f64>() < 0.05;
            x[[i, j]] = if on != flip { 1.0 } else { 0.0 };
        }
    }
    (x, labels)
}

#[test]
fn trained_dbn_separates_and_generates_prototypes() {
    let (x, labels) = two_prototypes(600, Seed(1));
    let p = DbnParams {
        widths: vec![8, 3],
        // 40 passes over the 600 samples (240 updates of 100).
        epochs: 40,
        epoch_unit: EpochUnit::Pass,
        ..DbnParams::default()
    }
    .check()
    .unwrap();
    let dbn = train_dbn(x.view(), &p, Seed(2), &mut NoObserver).unwrap();
    let states = dbn.forward(x.view(), Readout::Threshold).unwrap();
    let pl = PowerLawParams::default().check().unwrap();
    for (l, st) in states.iter().enumerate() {
        let a = analyze_layer(st.view(), Some(&labels), &pl, Seed(0)).unwrap();
        assert!(
            a.classification_error.unwrap() < 0.05,
            "layer {}: error {:?}",
            l + 1,
            a.classification_error
        );
    }
    // Generated pixel means from the top layer: each sample is close to one of the prototypes
    // (mean absolute difference below 0.25), and both prototypes appear.
    let g = dbn.generate(2, 200, 50, Seed(3)).unwrap();
    let (mut a, mut b) = (0, 0);
    for row in g.rows() {
        let da: f32 = row
            .iter()
            .enumerate()
            .map(|(j, &v)| (v - if j < 10 { 1.0 } else { 0.0 }).abs())
            .sum::<f32>()
            / 20.0;
        let db: f32 = row
            .iter()
            .enumerate()
            .map(|(j, &v)| (v - if j < 10 { 0.0 } else { 1.0 }).abs())
            .sum::<f32>()
            / 20.0;
        if da < 0.25 {
            a += 1;
        } else if db < 0.25 {
            b += 1;
        }
    }
    assert!(a + b >= 180 && a >= 30 && b >= 30, "A {a}, B {b} of 200");
}

#[test]
fn sampled_readout_is_reproducible() {
    let (x, _) = two_prototypes(50, Seed(5));
    let d = Dbn::random(20, &[6], 1.0, Seed(6)).unwrap();
    let r = Readout::Sampled { seed: Seed(7) };
    assert_eq!(
        d.forward(x.view(), r).unwrap(),
        d.forward(x.view(), r).unwrap()
    );
    let e = DbnParams {
        widths: vec![],
        ..DbnParams::default()
    }
    .check()
    .unwrap_err()
    .to_string();
    assert!(e.contains("`widths`"), "{e}");
    let bad = x.mapv(|v| v * 2.0);
    assert!(
        train_dbn(
            bad.view(),
            &DbnParams {
                widths: vec![4],
                epochs: 1,
                ..DbnParams::default()
            }
            .check()
            .unwrap(),
            Seed(0),
            &mut NoObserver
        )
        .is_err()
    );
}

#[test]
fn tiny_pipeline_respects_the_entropy_bounds() {
    use spinlearn_relevance::experiments::{KMeansSweepParams, PipelineParams, run_pipeline};
    let ds = spinlearn_data::mnist::embedded().unwrap().head(300);
    let labels = ds.labels.clone().unwrap();
    let p = PipelineParams {
        dbn: DbnParams {
            widths: vec![32, 16, 8],
            epochs: 1,
            ..DbnParams::default()
        },
        contrast_widths: Some(vec![16, 16, 16]),
        kmeans: KMeansSweepParams {
            ks: vec![4, 8],
            restarts: 2,
            max_iter: 20,
            tol: 1e-4,
        },
        classifier: MlpParams {
            epochs: 2,
            ..MlpParams::default()
        },
        test_fraction: 0.2,
        n_generate: 20,
        gibbs_steps: 2,
        bound_points: 15,
        keep_samples: 16,
        ..PipelineParams::default()
    }
    .check()
    .unwrap();
    let r = run_pipeline(
        ds.data.view(),
        &labels,
        ds.image_shape,
        &p,
        None,
        Seed(8),
        &mut NoObserver,
    )
    .unwrap();
    assert_eq!(r.m, 300);
    let ln_m = 300f64.ln();
    // The maximal relevance over all integer configurations bounds every representation.
    let h_k_max = r.bound.iter().map(|b| b.entropies.h_k).fold(0.0, f64::max);
    let nets = [
        Some(&r.trained),
        Some(&r.epoch0),
        r.shuffled.as_ref(),
        r.contrast.as_ref(),
    ];
    for net in nets.into_iter().flatten() {
        assert_eq!(net.layers.len(), 3);
        for l in &net.layers {
            let e = &l.analysis.entropies;
            assert!(
                e.h_k <= e.h_s + 1e-12,
                "H[k] <= H[s] since k is a function of s"
            );
            assert!(
                e.h_k <= h_k_max + 1e-9,
                "{} layer {}: H[k] {} above the bound {}",
                net.name,
                l.layer,
                e.h_k,
                h_k_max
            );
            assert!(e.h_s <= ln_m + 1e-12);
            let err = l.analysis.classification_error.unwrap();
            assert!((0.0..=0.9).contains(&err));
        }
    }
    // K clusters carry at most ln K of resolution.
    for k in &r.kmeans {
        assert!(k.analysis.entropies.h_s <= (k.k as f64).ln() + 1e-12);
        assert!(k.analysis.entropies.n_states <= k.k as u64);
    }
    assert!(r.trained.layers.iter().all(|l| l.generation.is_some()));
    assert!(r.epoch0.layers.iter().all(|l| l.generation.is_none()));
    assert!((r.p_label.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

#[test]
fn pipeline_errors_name_the_flags() {
    use spinlearn_relevance::experiments::PipelineParams;
    let name = |change: fn(&mut PipelineParams)| {
        let mut p = PipelineParams::default();
        change(&mut p);
        p.check().unwrap_err().to_string()
    };
    assert!(name(|p| p.classifier.epochs = 0).contains("`classifier_epochs`"));
    assert!(name(|p| p.kmeans.restarts = 0).contains("`kmeans_restarts`"));
    assert!(name(|p| p.kmeans.ks = vec![4, 0]).contains("`kmeans_ks`"));
    assert!(name(|p| p.contrast_widths = Some(vec![3, 0])).contains("`contrast_widths`"));
    assert!(name(|p| p.gibbs_steps = 0).contains("`gibbs_steps`"));
    assert!(name(|p| p.dbn.epochs = 0).contains("`epochs`"));
}
