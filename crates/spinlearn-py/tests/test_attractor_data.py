import numpy as np
import pytest

import spinlearn
from spinlearn import attractor, data


def test_bars_and_bas_match_their_definition():
    X = data.bars(3)
    assert X.shape == (6, 9) and X.dtype == np.float64
    for row in X:
        img = row.reshape(3, 3)
        # every column all on or all off, not uniform
        assert all(len(set(img[:, c])) == 1 for c in range(3))
        assert 0 < img.sum() < 9
    assert len(np.unique(X, axis=0)) == 6
    Xb, y = data.bas(3)
    assert Xb.shape == (12, 9) and y.tolist() == [0] * 6 + [1] * 6
    np.testing.assert_array_equal(Xb[:6], X)
    stripes_t = Xb[6:].reshape(-1, 3, 3).transpose(0, 2, 1).reshape(6, 9)
    assert {tuple(r) for r in stripes_t} == {tuple(r) for r in X}
    with pytest.raises(ValueError, match="`n`"):
        data.bars(1)


def test_mnist_subset_filters_and_binarizes():
    X, y = data.mnist()
    assert X.shape == (10_000, 784) and y.shape == (10_000,)
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.bincount(y).tolist() == [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    X01, y01 = data.mnist(digits=[0, 1], binarize=0.5, n=100)
    assert X01.shape == (100, 784) and set(np.unique(y01)) <= {0, 1}
    np.testing.assert_array_equal(X01, (X[np.isin(y, [0, 1])][:100] > 0.5).astype(float))
    with pytest.raises(ValueError, match="digits"):
        data.mnist(digits=[12])


def test_simulate_shapes_and_capacity_definition():
    r = attractor.simulate(n=400, c=0.2, patterns=12, realizations=2, seed=3)
    assert r.m_v.shape == (2, 12) and r.m_u.shape == (2, 12) and r.retrieved.shape == (2, 12)
    np.testing.assert_array_equal(r.retrieved, r.m_v >= 0.5)
    for k in range(2):
        lead = np.argmin(np.append(r.retrieved[k], False))  # ages retrieved before the first miss
        assert r.capacity[k] == max(lead - 1, 0)
        assert r.count[k] == r.retrieved[k].sum()
    np.testing.assert_allclose(r.m_v_mean, r.m_v.mean(axis=0))
    assert r.capacity_mean == pytest.approx(r.capacity.mean())
    # the most recent pattern is retrieved, its overlap with itself is m_u at age 0
    assert r.retrieved[:, 0].all()
    np.testing.assert_allclose(r.m_u[:, 0], r.m_v[:, 0])
    again = attractor.simulate(n=400, c=0.2, patterns=12, realizations=2, seed=3)
    np.testing.assert_array_equal(again.m_v, r.m_v)


def test_theory_overlaps_decay_with_age_and_define_the_capacity():
    t = attractor.theory(n=10_000, c=0.05, r1=0.1, c_well=2.7, max_age=400)
    assert t.age[0] == 1 and len(t.age) == t.capacity + 1 and not t.censored
    assert t.retrieved[:-1].all() and not t.retrieved[-1]
    assert t.m_v[0] > 0.9
    full = attractor.theory(n=10_000, c=0.05, r1=0.1, c_well=2.7, max_age=60, all_ages=True)
    assert len(full.age) == 60
    # the signal (mean weight of a potentiated synapse) decays with age
    assert np.all(np.diff(full.mean_plus) < 0)


def test_capacity_scan_theory_points_equal_single_theory_runs():
    s = attractor.capacity_scan("c", [1.0, 2.7], max_age=300)
    assert s.value.tolist() == [1.0, 2.7] and s.c_well.tolist() == [1.0, 2.7]
    for v, cap in zip(s.value, s.capacity):
        assert cap == attractor.theory(c_well=v, max_age=300).capacity
    assert (s.capacity_std == 0).all()


def test_attractor_errors_name_the_parameter():
    with pytest.raises(ValueError, match="`patterns`"):
        attractor.simulate(n=100, patterns=0)
    with pytest.raises(ValueError, match="`rule`"):
        attractor.simulate(rule="hebb")
    with pytest.raises(ValueError, match="`sweep`"):
        attractor.capacity_scan("z", [1.0])
    with pytest.raises(ValueError, match="`max_age`"):
        attractor.theory(max_age=0)
    with pytest.raises(TypeError):
        attractor.simulate(n="many")


def test_simulate_reports_progress_and_stops_on_callback_error():
    seen = []

    def cb(stage, step, total, metrics):
        seen.append((stage, step, total))
        if step == 2:
            raise StopIteration

    with pytest.raises(StopIteration):
        attractor.simulate(n=300, c=0.2, patterns=5, realizations=10, seed=1, callback=cb)
    assert seen == [("realization", 1, 10), ("realization", 2, 10)]


def test_activation_functions():
    x = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(spinlearn.ising.activation(x, "tanh"), np.tanh(x), atol=1e-15)
    np.testing.assert_allclose(
        spinlearn.ising.activation(x, "ising-tanh:6"), (1 + np.tanh(6 * x)) / 2, atol=1e-12
    )
    np.testing.assert_allclose(
        spinlearn.ising.activation(x, "ising-rate:2"), np.logaddexp(0, 4 * x) / 4, atol=1e-12
    )
    h = 1e-6
    num = (spinlearn.ising.activation(x + h, "softplus") - spinlearn.ising.activation(x - h, "softplus")) / (2 * h)
    np.testing.assert_allclose(spinlearn.ising.activation(x, "softplus", derivative=True), num, atol=1e-8)
    assert spinlearn.ising.activation(1000.0, "ising-rate") == pytest.approx(1000.0)
    with pytest.raises(ValueError, match="activation"):
        spinlearn.ising.activation(x, "swish")


def test_activation_experiment_fits_the_branch():
    r = spinlearn.ising.activation_experiment(n_t=60, n_q=21)
    assert r.branch_t.shape == (60,) and r.q.shape == (21,)
    np.testing.assert_allclose(r.branch_m, spinlearn.ising.mean_field(r.branch_t), atol=1e-9)
    assert 1 < r.fit_a < 20 and r.fit_residual_rms < 0.2
    assert r.max_quadrature_error < 1e-8
