import json

import numpy as np
import pytest

import spinlearn
from spinlearn.relevance import DBN


def test_dbn_layer_states_are_thresholded_hidden_means():
    X = spinlearn.data.bars(4)
    d = DBN([6, 3], epochs=3, batch_size=7, n_chains=7, seed=2).fit(X)
    assert d.widths_ == [16, 6, 3]
    W, b = d.weights_, d.hidden_bias_
    assert W[0].shape == (16, 6) and W[1].shape == (6, 3)
    s = d.layer_states(X)
    h1 = (1 / (1 + np.exp(-(X @ W[0] + b[0]))) > 0.5).astype(float)
    np.testing.assert_array_equal(s[0], h1)
    h2 = (1 / (1 + np.exp(-(h1 @ W[1] + b[1]))) > 0.5).astype(float)
    np.testing.assert_array_equal(s[1], h2)
    g = d.generate(2, 20, gibbs_steps=5, seed=1)
    assert g.shape == (20, 16) and ((g >= 0) & (g <= 1)).all()
    np.testing.assert_array_equal(g, d.generate(2, 20, gibbs_steps=5, seed=1))
    again = DBN([6, 3], epochs=3, batch_size=7, n_chains=7, seed=2).fit(X)
    np.testing.assert_array_equal(again.weights_[1], W[1])


def test_dbn_save_load_and_metadata_string(tmp_path):
    X = spinlearn.data.bars(3)
    d = DBN([4], epochs=2, batch_size=3, n_chains=3).fit(X)
    p = tmp_path / "dbn.npz"
    d.save(p)
    with np.load(p, allow_pickle=False) as f:
        meta = json.loads(str(f["metadata"]))
        assert meta["format"] == "spinlearn-dbn/1" and f["metadata"].dtype.kind == "U"
        np.testing.assert_array_equal(f["weights_1"], d.weights_[0])
    back = DBN.load(p)
    np.testing.assert_array_equal(back.weights_[0], d.weights_[0])
    np.testing.assert_array_equal(back.layer_states(X)[0], d.layer_states(X)[0])


def test_dbn_errors():
    with pytest.raises(ValueError, match="`widths`"):
        DBN([])
    with pytest.raises(ValueError, match="`lr`"):
        DBN([3], lr=-1)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        DBN([3]).fit(np.full((4, 5), 2.0))
    with pytest.raises(ValueError, match="not fitted"):
        DBN([3]).layer_states(np.zeros((2, 5)))
    d = DBN([3], epochs=1, batch_size=2, n_chains=2).fit(np.zeros((4, 5)))
    with pytest.raises(ValueError, match="`layer`"):
        d.generate(2, 5)
    with pytest.raises(ValueError, match="columns"):
        d.layer_states(np.zeros((2, 4)))
    with pytest.raises(OSError):
        DBN.load("/nonexistent/dbn.npz")


def test_reproduce_returns_the_claims(tmp_path):
    r = spinlearn.reproduce("ising-activation", mode="smoke", out=tmp_path / "rep", seed=1)
    assert r.summary["sections"]["ising-activation"]["status"] == "complete"
    assert r.claims and all(k.startswith("ising-activation/") for k in r.claims)
    for c in r.claims.values():
        assert {"name", "ours", "paper", "verdict"} <= set(c)
    on_disk = json.loads((tmp_path / "rep" / "claims.json").read_text())
    assert len(on_disk) == len(r.claims)
    assert (tmp_path / "rep" / "index.html").exists()
    with pytest.raises(ValueError, match="`section`"):
        spinlearn.reproduce("nope", mode="smoke", out=tmp_path / "x")
    with pytest.raises(ValueError, match="`mode`"):
        spinlearn.reproduce("data", mode="huge", out=tmp_path / "y")
