import json

import numpy as np
import pytest
from conftest import bars, brute_log_p, brute_log_z, states

from spinlearn.rbm import RBM


def fitted(units="bit", n_visible=6, n_hidden=4, **kw):
    rng = np.random.default_rng(0)
    X = (rng.random((40, n_visible)) < 0.4).astype(float)
    if units == "spin":
        X = 2 * X - 1
    kw.setdefault("epochs", 3)
    kw.setdefault("init_std", 0.5)
    m = RBM(n_hidden=n_hidden, units=units, batch_size=10, lr=0.1, seed=7, **kw)
    return m.fit(X), X


@pytest.mark.parametrize("units", ["bit", "spin"])
def test_exact_log_z_matches_numpy_enumeration(units):
    m, _ = fitted(units)
    ref = brute_log_z(m.weights_, m.visible_bias_, m.hidden_bias_, units, units)
    assert m.log_z("exact") == pytest.approx(ref, abs=1e-9)


def test_mixed_units_log_z():
    m, _ = fitted("bit", hidden_units="spin")
    ref = brute_log_z(m.weights_, m.visible_bias_, m.hidden_bias_, "bit", "spin")
    assert m.log_z() == pytest.approx(ref, abs=1e-9)


@pytest.mark.parametrize("units", ["bit", "spin"])
def test_transform_is_the_hidden_mean_formula(units):
    m, X = fitted(units)
    field = X @ m.weights_ + m.hidden_bias_
    ref = 1 / (1 + np.exp(-field)) if units == "bit" else np.tanh(field)
    out = m.transform(X)
    assert out.shape == (X.shape[0], 4) and out.dtype == np.float64
    np.testing.assert_allclose(out, ref, atol=1e-12)


@pytest.mark.parametrize("units", ["bit", "spin"])
def test_score_samples_is_exact_log_likelihood(units):
    m, X = fitted(units)
    ref = brute_log_p(X, m.weights_, m.visible_bias_, m.hidden_bias_, units, units)
    np.testing.assert_allclose(m.score_samples(X), ref, atol=1e-9)
    assert m.score(X) == pytest.approx(ref.mean(), abs=1e-9)


def test_fit_reduces_exact_nll_on_bars():
    X = bars(3)  # 14 distinct images of 9 pixels
    nll = lambda m: -brute_log_p(X, m.weights_, m.visible_bias_, m.hidden_bias_, "bit", "bit").mean()
    uniform = 9 * np.log(2)  # the NLL of every model with zero parameters
    kw = dict(n_hidden=8, estimator="exact", lr=0.5, init_std=0.1, batch_size=14, seed=3)
    one = RBM(epochs=1, **kw).fit(X)
    many = RBM(epochs=300, **kw).fit(X)
    assert nll(one) > uniform - 0.5
    assert nll(many) < nll(one) - 2.0
    assert nll(many) < uniform - 2.0
    # the data's entropy is the floor: log 14
    assert nll(many) > np.log(len(X)) - 1e-9


def test_partial_fit_continues_training():
    X = bars(3)
    m = RBM(n_hidden=8, estimator="exact", lr=0.5, init_std=0.1, batch_size=14, seed=3)
    m.partial_fit(X)
    first = -m.score(X)
    for _ in range(100):
        m.partial_fit(X)
    assert m.n_epochs_ == 101
    assert -m.score(X) < first - 0.5
    assert len(m.history_) == 101


def test_ground_state_is_the_brute_force_minimum():
    m, _ = fitted("spin", biases=True)
    W, a, b = m.weights_, m.visible_bias_, m.hidden_bias_
    V, H = states(6, "spin"), states(4, "spin")
    e = -(V @ W @ H.T + (V @ a)[:, None] + (H @ b)[None, :])
    g = m.ground_state()
    assert g.energy == pytest.approx(e.min(), abs=1e-9)
    v, h = g.visible, g.hidden
    assert -(v @ W @ h + a @ v + b @ h) == pytest.approx(e.min(), abs=1e-9)


def test_singular_values_match_numpy():
    m, _ = fitted()
    np.testing.assert_allclose(
        m.singular_values(), np.linalg.svd(m.weights_, compute_uv=False), atol=1e-10
    )


def test_sample_shapes_and_values():
    m, _ = fitted("spin")
    s = m.sample(50, steps=5, seed=1)
    assert s.shape == (50, 6)
    assert set(np.unique(s)) <= {-1.0, 1.0}
    np.testing.assert_array_equal(s, m.sample(50, steps=5, seed=1))


def test_ais_close_to_exact():
    m, X = fitted()
    exact = m.log_z("exact")
    assert m.log_z("ais", X, n_chains=50, n_betas=2000, seed=1) == pytest.approx(exact, abs=0.1)
    assert m.log_z("reverse-ais", X, n_chains=40, n_betas=2000, seed=1) == pytest.approx(exact, abs=0.5)


def test_ra_weights_are_pattern_products():
    X = 2 * bars(3) - 1
    m = RBM(n_hidden=5, units="spin", biases=False, weights="ra", k=4, estimator="pid",
            epochs=5, batch_size=7, seed=2).fit(X)
    pv, ph = m.patterns_
    assert pv.shape == (4, 9) and ph.shape == (4, 5)
    np.testing.assert_allclose(m.weights_, pv.T @ ph / 2.0, atol=1e-6)


def test_save_load_round_trip(tmp_path):
    m, X = fitted()
    path = tmp_path / "model.npz"
    m.save(str(path))
    with np.load(path, allow_pickle=False) as f:
        assert f["weights"].shape == (6, 4)
        np.testing.assert_array_equal(f["weights"], m.weights_)
        assert f["metadata"].dtype.kind == "U" and f["metadata"].shape == ()
        meta = json.loads(str(f["metadata"]))
        assert meta["visible"] == "bit" and meta["hidden"] == "bit"
        assert json.loads(str(f["state_json"]))["epoch"] == 3
    back = RBM.load(str(path))
    np.testing.assert_array_equal(back.weights_, m.weights_)
    np.testing.assert_array_equal(back.visible_bias_, m.visible_bias_)
    np.testing.assert_array_equal(back.hidden_bias_, m.hidden_bias_)
    np.testing.assert_array_equal(back.transform(X), m.transform(X))
    assert back.get_params() == m.get_params()
    assert back.log_z() == m.log_z()


def test_same_seed_same_model():
    a, _ = fitted()
    b, _ = fitted()
    np.testing.assert_array_equal(a.weights_, b.weights_)


def test_get_set_params():
    m = RBM(n_hidden=3, lr=0.2)
    p = m.get_params()
    assert p["n_hidden"] == 3 and p["lr"] == 0.2 and p["estimator"] == "cd"
    m.set_params(estimator="pcd", n_chains=10)
    assert m.get_params()["estimator"] == "pcd"


def test_load_a_plain_numpy_archive_and_continue(tmp_path):
    # an archive with weights only: ±1 units, no biases (spinlearn_rbm::io's convention)
    W = np.random.default_rng(1).normal(0, 0.3, (9, 4))
    np.savez(tmp_path / "w.npz", weights=W)
    m = RBM.load(str(tmp_path / "w.npz"))
    np.testing.assert_array_equal(m.weights_, W)
    X = 2 * bars(3) - 1
    np.testing.assert_allclose(m.transform(X), np.tanh(X @ W), atol=1e-12)
    assert m.log_z() == pytest.approx(brute_log_z(W, np.zeros(9), np.zeros(4), "spin", "spin"), abs=1e-9)
    m.set_params(estimator="pcd", n_chains=8, batch_size=7)
    m.partial_fit(X)
    assert m.n_epochs_ == 1 and not np.array_equal(m.weights_, W)
    # saved again and loaded, it trains on
    m2 = RBM.load(str(tmp_path / "w.npz"))
    m2.save(str(tmp_path / "w2.npz"))
    m3 = RBM.load(str(tmp_path / "w2.npz"))
    np.testing.assert_array_equal(m3.weights_, W)
    m3.set_params(estimator="pcd", n_chains=8, batch_size=7)
    m3.partial_fit(X)


def test_old_files_with_uint8_json_metadata_still_load(tmp_path):
    m, X = fitted("spin", hidden_units="bit")
    m.save(tmp_path / "new.npz")
    with np.load(tmp_path / "new.npz", allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    for k in ["metadata", "state_json"]:
        arrays[k] = np.frombuffer(str(arrays[k]).encode(), dtype=np.uint8)
    np.savez(tmp_path / "old.npz", **arrays)
    old = RBM.load(tmp_path / "old.npz")
    np.testing.assert_array_equal(old.weights_, m.weights_)
    assert old.get_params()["units"] == "spin" and old.get_params()["hidden_units"] == "bit"
    assert old.n_epochs_ == 3
