import numpy as np
import pytest

from spinlearn import ising

TC = 2 / np.log(1 + np.sqrt(2))


def test_onsager_matches_closed_form():
    T = np.linspace(0.5, 4.0, 36)
    ref = np.where(T < TC, np.clip(1 - np.sinh(2 / T) ** -4, 0, None) ** 0.125, 0.0)
    np.testing.assert_allclose(ising.onsager_magnetization(T), ref, atol=1e-12)
    assert ising.onsager_magnetization(1.0) == pytest.approx(ref[T == 1.0][0] if (T == 1.0).any() else (1 - np.sinh(2.0) ** -4) ** 0.125)
    assert ising.onsager_magnetization(3.0) == 0.0


def bisect(f, a, b):
    for _ in range(200):
        c = 0.5 * (a + b)
        if np.sign(f(c)) == np.sign(f(a)):
            a = c
        else:
            b = c
    return 0.5 * (a + b)


@pytest.mark.parametrize("t, h", [(0.5, 0.0), (0.8, 0.0), (1.5, 0.0), (0.7, 0.1), (1.2, -0.3)])
def test_mean_field_solves_curie_weiss(t, h):
    # positive root of m = tanh((m + h) / t) on the side of the field (the equilibrium)
    f = lambda m: m - np.tanh((m + h) / t)
    ref = bisect(f, 1e-12, 1.0) if h >= 0 and (t < 1 or h > 0) else (bisect(f, -1.0, 0.0) if h < 0 else 0.0)
    assert ising.mean_field(t, h) == pytest.approx(ref, abs=1e-10)


def test_mean_field_arrays_and_roots():
    t = np.array([0.5, 2.0])
    m = ising.mean_field(t)
    assert m.shape == (2,) and m[1] == 0.0
    roots = ising.mean_field_solutions(0.5)
    assert len(roots) == 3
    assert [r.stable for r in roots] == [True, False, True]


def test_monte_carlo_magnetization_near_onsager():
    r = ising.mc(16, 1.5, "wolff", sweeps=400, seed=1, therm=100)
    m, err = r.magnetization
    assert abs(m - ising.onsager_magnetization(1.5)) < 0.01
    assert r.m_series.shape == (400,)
    assert r.lattice.shape == (16, 16)
    again = ising.mc(16, 1.5, "wolff", sweeps=400, seed=1, therm=100)
    np.testing.assert_array_equal(r.m_series, again.m_series)
