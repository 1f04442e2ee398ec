import numpy as np
import pytest

import spinlearn
from spinlearn import bp, relevance


def entropies(labels):
    _, k_s = np.unique(labels, return_counts=True)
    M = k_s.sum()
    H_s = -(k_s / M * np.log(k_s / M)).sum()
    k, m_k = np.unique(k_s, return_counts=True)
    p = k * m_k / M
    H_k = -(p * np.log(p)).sum()
    return H_s, H_k, k, m_k


def test_analyze_hand_made_states():
    # states A x3, B x2, C x2, D x1 (M = 8)
    rows = np.array([[1, 0, 0], [1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0],
                     [0, 0, 1], [0, 0, 1], [1, 1, 1]], float)
    r = relevance.analyze(rows)
    H_s = -(3 / 8 * np.log(3 / 8) + 2 * (2 / 8) * np.log(2 / 8) + 1 / 8 * np.log(1 / 8))
    H_k = -(3 / 8 * np.log(3 / 8) + 4 / 8 * np.log(4 / 8) + 1 / 8 * np.log(1 / 8))
    assert r.H_s == pytest.approx(H_s, abs=1e-12)
    assert r.H_k == pytest.approx(H_k, abs=1e-12)
    assert r.M == 8 and r.n_states == 4
    np.testing.assert_array_equal(r.k, [1, 2, 3])
    np.testing.assert_array_equal(r.m_k, [1, 2, 1])
    assert r.H_s_norm == pytest.approx(H_s / np.log(8))


def test_analyze_labels_and_spin_rows_agree_with_numpy(rng):
    labels = rng.integers(0, 30, size=500)
    H_s, H_k, k, m_k = entropies(labels)
    r = relevance.analyze(labels)
    assert r.H_s == pytest.approx(H_s, abs=1e-12) and r.H_k == pytest.approx(H_k, abs=1e-12)
    np.testing.assert_array_equal(r.m_k, m_k)
    bits = ((labels[:, None] >> np.arange(5)) & 1).astype(float)
    assert relevance.analyze(2 * bits - 1).H_k == pytest.approx(H_k, abs=1e-12)


def test_powerlaw_recovers_exponent(rng):
    x = rng.zipf(2.5, size=20000)
    f = relevance.powerlaw(x, xmin="1")
    assert f.alpha == pytest.approx(2.5, abs=0.05)
    assert f.xmin == 1


def test_bound_lies_above_the_data():
    b = relevance.bound(100, points=20)
    assert b.H_s.shape == b.H_k.shape == b.mu.shape and len(b.mu) >= 20
    assert np.all(b.H_k <= np.log(100) + 1e-9) and np.all(b.H_s <= np.log(100) + 1e-9)


def test_bp_learn_marginals():
    rng = np.random.default_rng(0)
    xi = np.array([1, -1, 0, 1, 0, -1, 1, 0])
    X = np.where(rng.random((200, 8)) < 0.5, 1.0, -1.0)
    X[:100, xi != 0] = xi[xi != 0]  # half the samples carry the feature
    r = bp.learn(X, 0.5, seed=3)
    assert r.marginals.shape == (8, 3)
    np.testing.assert_allclose(r.marginals.sum(axis=1), 1.0, atol=1e-12)
    assert r.rho == pytest.approx(r.marginals[:, 1].mean(), abs=1e-12)
    assert r.feature.shape == (8,) and set(np.unique(r.feature)) <= {-1, 0, 1}
    assert isinstance(r.converged, bool)
    again = bp.learn(X, 0.5, seed=3)
    np.testing.assert_array_equal(r.marginals, again.marginals)
    assert isinstance(r, spinlearn.Result) and r["rho"] == r.rho
