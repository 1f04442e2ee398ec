//! Fast paths against the dense reference path: binary gathers and fields through RA patterns
//! ([`Kernels::Auto`]) against dense products through `W` ([`Kernels::Dense`]), and independence
//! of the thread count.

use ndarray::{Array1, Array2};
use rand::RngExt;
use spinlearn_core::{NoObserver, ParamGuard, Seed, Units};
use spinlearn_rbm::UnitsSpec;
use spinlearn_rbm::kernels::Kernels;
use spinlearn_rbm::model::Rbm32;
use spinlearn_rbm::train::{
    Binarize, Estimator, Optimizer, TrainParams, Trainer, WeightsSpec, ra_weights,
};

fn model(nv: usize, nh: usize, units: UnitsSpec, seed: u64) -> Rbm32 {
    let mut rng = Seed(seed).stream(0);
    let mut u =
        |n: usize, s: f32| Array1::from_shape_simple_fn(n, || s * rng.random_range(-1.0f32..1.0));
    let b = units.biases;
    let (a, hb) = (
        u(nv, if b { 0.5 } else { 0.0 }),
        u(nh, if b { 0.5 } else { 0.0 }),
    );
    let mut rng = Seed(seed).stream(1);
    Rbm32 {
        units,
        weights: Array2::from_shape_simple_fn((nv, nh), || rng.random_range(-0.3f32..0.3)),
        visible_bias: a,
        hidden_bias: hb,
    }
}

fn states(n: usize, m: usize, units: Units, p: f64, seed: u64) -> Array2<f32> {
    let mut rng = Seed(seed).stream(2);
    let lo = units.low() as f32;
    Array2::from_shape_simple_fn((n, m), || if rng.random_bool(p) { 1.0 } else { lo })
}

/// `|fast - dense| <= (k + 8) ε32 (Σ_i |x_i t_ij| + |bias_j|)` per entry: both are f32 sums of the
/// same `k` products in different orders (the dense one blocked by faer, the gather in fours, the
/// ±1 gather through the row sum), so each is within `(k + 2) ε32 Σ |terms|` of the exact sum.
fn assert_close(fast: &Array2<f32>, dense: &Array2<f32>, scale: &Array2<f64>, k: usize) {
    for ((ij, &a), &b) in fast.indexed_iter().zip(dense.iter()) {
        let tol = (k as f64 + 8.0) * f64::from(f32::EPSILON) * scale[ij];
        let err = (f64::from(a) - f64::from(b)).abs();
        assert!(err <= tol, "{ij:?}: {a} vs {b}, |diff| {err} > {tol}");
    }
}

/// `Σ_i |x_ri w_ij| + |b_j|`.
fn abs_scale(x: &Array2<f32>, w: &Array2<f32>, b: &Array1<f32>) -> Array2<f64> {
    let x = x.mapv(|v| f64::from(v).abs());
    let w = w.mapv(|v| f64::from(v).abs());
    x.dot(&w) + &b.mapv(|v| f64::from(v).abs())
}

#[test]
fn gathered_fields_equal_dense_fields_within_summation_order() {
    let spins_bias = UnitsSpec {
        visible: Units::Spin,
        hidden: Units::Spin,
        biases: true,
    };
    for units in [
        UnitsSpec::BITS_WITH_BIAS,
        UnitsSpec::SPINS_NO_BIAS,
        spins_bias,
    ] {
        let m = model(97, 61, units, 1);
        // sparse (gather) and dense states, ±1 rows with either sign in the minority
        for p in [0.08, 0.5, 0.93] {
            let v = states(70, 97, units.visible, p, 3);
            let h = states(70, 61, units.hidden, p, 4);
            let (mut xa, mut xd) = (Array2::zeros((70, 61)), Array2::zeros((70, 61)));
            m.fields(Kernels::Auto)
                .hidden_field_into(v.view(), xa.view_mut(), 0.7);
            m.fields(Kernels::Dense)
                .hidden_field_into(v.view(), xd.view_mut(), 0.7);
            assert_close(&xa, &xd, &abs_scale(&v, &m.weights, &m.hidden_bias), 97);
            let (mut ya, mut yd) = (Array2::zeros((70, 97)), Array2::zeros((70, 97)));
            m.fields(Kernels::Auto)
                .visible_field_into(h.view(), ya.view_mut(), 0.7);
            m.fields(Kernels::Dense)
                .visible_field_into(h.view(), yd.view_mut(), 0.7);
            let wt = m.weights.t().to_owned();
            assert_close(&ya, &yd, &abs_scale(&h, &wt, &m.visible_bias), 61);
        }
    }
    // the f64 model's hidden field takes the gather on sparse binary rows
    let m64 = model(97, 61, UnitsSpec::SPINS_NO_BIAS, 5).to_f64();
    let v = states(40, 97, Units::Spin, 0.1, 6).mapv(f64::from);
    let fast = m64.hidden_field(v.view());
    let exact = v.dot(&m64.weights);
    for (a, b) in fast.iter().zip(exact.iter()) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
}

#[test]
fn ra_fields_through_patterns_equal_fields_through_weights() {
    let (nv, nh, k) = (60, 80, 5);
    let mut rng = Seed(7).stream(0);
    let pv = Array2::from_shape_simple_fn((k, nv), || rng.random_range(-1.0f32..1.0));
    let ph = Array2::from_shape_simple_fn((k, nh), || rng.random_range(-1.0f32..1.0));
    let m = Rbm32 {
        units: UnitsSpec::SPINS_NO_BIAS,
        weights: ra_weights(pv.view(), ph.view()),
        visible_bias: Array1::zeros(nv),
        hidden_bias: Array1::zeros(nh),
    };
    let lr = m.fields(Kernels::Auto).with_patterns(pv.view(), ph.view());
    assert!(lr.uses_patterns());
    assert!(
        !m.fields(Kernels::Dense)
            .with_patterns(pv.view(), ph.view())
            .uses_patterns()
    );
    let s = 1.0 / (k as f64).sqrt();
    for p in [0.1, 0.5] {
        let v = states(33, nv, Units::Spin, p, 8);
        let h = states(33, nh, Units::Spin, p, 9);
        let (mut xa, mut xd) = (Array2::zeros((33, nh)), Array2::zeros((33, nh)));
        lr.hidden_field_into(v.view(), xa.view_mut(), 1.0);
        m.fields(Kernels::Dense)
            .hidden_field_into(v.view(), xd.view_mut(), 1.0);
        // both orders sum the products v_i ξ_ki ξ_kj / √K: scale Σ_i Σ_k |v_i ξ_ki ξ_kj| / √K
        let apv = pv.mapv(|x| f64::from(x).abs());
        let aph = ph.mapv(|x| f64::from(x).abs());
        let scale = v.mapv(|x| f64::from(x).abs()).dot(&apv.t()).dot(&aph) * s;
        assert_close(&xa, &xd, &scale, nv + k);
        let (mut ya, mut yd) = (Array2::zeros((33, nv)), Array2::zeros((33, nv)));
        lr.visible_field_into(h.view(), ya.view_mut(), 1.0);
        m.fields(Kernels::Dense)
            .visible_field_into(h.view(), yd.view_mut(), 1.0);
        let scale = h.mapv(|x| f64::from(x).abs()).dot(&aph.t()).dot(&apv) * s;
        assert_close(&ya, &yd, &scale, nh + k);
    }
}

fn train_in_pool(params: &TrainParams, data: &Array2<f32>, threads: usize) -> Rbm32 {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let trainer = Trainer::new(params.check().unwrap(), Seed(11));
        let mut st = trainer.init(data.ncols()).unwrap();
        trainer.run(&mut st, data.view(), &mut NoObserver).unwrap();
        st.model.unwrap()
    })
}

#[test]
fn training_with_the_kernels_does_not_depend_on_the_thread_count() {
    let bits = states(300, 90, Units::Bit, 0.12, 12);
    let spins = bits.mapv(|x| 2.0 * x - 1.0);
    let sgd = Optimizer::Sgd {
        lr: 0.05,
        momentum: 0.5,
        weight_decay: 0.0,
        lr_decay: 1.0,
    };
    let base = TrainParams {
        n_hidden: 70,
        units: UnitsSpec::BITS_WITH_BIAS,
        weights: WeightsSpec::Dense { init_std: 0.1 },
        estimator: Estimator::Cd { gibbs_steps: 1 },
        optimizer: sgd,
        epochs: 2,
        batch_size: 100,
        track_exact_nll: false,
    };
    let pcd = TrainParams {
        estimator: Estimator::Pcd {
            gibbs_steps: 2,
            n_chains: 130,
        },
        ..base.clone()
    };
    let ra = TrainParams {
        n_hidden: 120,
        units: UnitsSpec::SPINS_NO_BIAS,
        weights: WeightsSpec::Ra {
            k: 6,
            binarize: Binarize::Clip { clip: 1.0 },
        },
        estimator: Estimator::PidGibbs { gibbs_steps: 1 },
        ..base.clone()
    };
    for (p, data) in [(&base, &bits), (&pcd, &bits), (&ra, &spins)] {
        let one = train_in_pool(p, data, 1);
        let two = train_in_pool(p, data, 2);
        assert!(
            one.weights
                .iter()
                .zip(two.weights.iter())
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{:?}",
            p.estimator
        );
        assert_eq!(one.hidden_bias, two.hidden_bias);
        assert!(one.weights.iter().all(|x| x.is_finite()));
    }
}
