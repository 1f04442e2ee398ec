"""The same numbers as the CLI for the same seed, one run per domain, and model files that
each side reads from the other (the CLI binary from $SPINLEARN_BIN, see conftest.cli)."""

import json

import numpy as np
import pytest

import spinlearn
from spinlearn.rbm import RBM
from spinlearn.relevance import DBN


def test_rbm_train_equals_the_cli_and_models_cross_load(tmp_path, cli):
    flags = dict(n_hidden=5, batch_size=7, lr=0.1, init_std=0.1, estimator="pcd", n_chains=7,
                 optimizer="adam")
    args = ["--data", "bars3"]
    for k, v in flags.items():
        args += [f"--{k.replace('_', '-')}", v]
    cli(tmp_path / "train", "--seed", 11, "rbm", "train", *args, "--epochs", 4)
    py = RBM(seed=11, epochs=4, **flags).fit(spinlearn.data.bars(3))
    with np.load(tmp_path / "train" / "model.npz", allow_pickle=False) as f:
        np.testing.assert_array_equal(f["weights"], py.weights_)
        np.testing.assert_array_equal(f["hidden_bias"], py.hidden_bias_)
        assert f["metadata"].dtype.kind == "U" and json.loads(str(f["metadata"]))["visible"] == "bit"
    # the CLI's model in Python, Python's model in the CLI
    from_cli = RBM.load(tmp_path / "train" / "model.npz")
    np.testing.assert_array_equal(from_cli.weights_, py.weights_)
    assert from_cli.get_params()["estimator"] == "pcd" and from_cli.n_epochs_ == 4
    py.save(tmp_path / "py.npz")
    s = cli(tmp_path / "eval", "rbm", "eval", "--model", tmp_path / "py.npz", "--what", "exact",
            "--data", "bars3")
    assert s["exact_log_z"] == pytest.approx(py.log_z("exact"), rel=1e-12)
    # training resumes in the CLI from the state Python saved
    cli(tmp_path / "resume", "--seed", 11, "rbm", "train", *args, "--epochs", 6,
        "--resume", tmp_path / "py.npz")
    py.partial_fit(spinlearn.data.bars(3)).partial_fit(spinlearn.data.bars(3))
    with np.load(tmp_path / "resume" / "model.npz") as f:
        np.testing.assert_array_equal(f["weights"], py.weights_)


def test_bp_learn_equals_the_cli(tmp_path, cli):
    s = cli(tmp_path, "--seed", 4, "bp", "learn", "--data", "bars4", "--beta", 0.8)
    # The CLI draws its M rows in a seeded order (all 14 here); the fixed point does not depend
    # on the row order, the iterates agree to the convergence tolerance (1e-6 per sweep).
    X = 2 * spinlearn.data.bars(4) - 1
    r = spinlearn.bp.learn(X, 0.8, seed=4)
    assert r.converged and s["converged"]
    assert r.rho == pytest.approx(s["rho"], abs=1e-5)
    assert r.m_cav == pytest.approx(s["m_cav"], abs=1e-5)
    m = np.load(tmp_path / "marginals.npy")
    np.testing.assert_allclose(m, r.marginals, atol=1e-5)


def test_ising_mc_equals_the_cli(tmp_path, cli):
    s = cli(tmp_path, "--seed", 9, "ising", "mc", "--l", 8, "--t", 2.2, "--therm", 50,
            "--sweeps", 300, "--algorithm", "metropolis")
    r = spinlearn.ising.mc(8, 2.2, "metropolis", sweeps=300, seed=9, therm=50)
    assert r.magnetization[0] == s["magnetization"]
    assert r.energy[0] == s["energy"]
    assert r.binder[0] == s["binder"]


def test_attractor_simulate_equals_the_cli(tmp_path, cli):
    s = cli(tmp_path, "--seed", 5, "attractor", "simulate", "--n", 300, "--c", 0.2,
            "--patterns", 8, "--realizations", 2)
    r = spinlearn.attractor.simulate(n=300, c=0.2, patterns=8, realizations=2, seed=5)
    reals = json.loads((tmp_path / "realizations.json").read_text())
    np.testing.assert_array_equal(r.m_v, np.array([x["m_v"] for x in reals]))
    np.testing.assert_array_equal(r.capacity, [x["capacity"] for x in reals])
    assert r.capacity_mean == s["capacity"] and r.count_mean == s["capacity_count"]
    assert r.burn_in == s["burn_in"]


def test_dbn_train_equals_the_cli(tmp_path, cli):
    cli(tmp_path, "--seed", 3, "dbn", "train", "--data", "bars4", "--widths", "6,3",
        "--epochs", 3, "--batch-size", 7, "--n-chains", 7)
    d = DBN([6, 3], epochs=3, batch_size=7, n_chains=7, seed=3).fit(spinlearn.data.bars(4))
    c = DBN.load(tmp_path / "model.npz")
    for a, b in zip(c.weights_, d.weights_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(c.layer_states(spinlearn.data.bars(4))[1],
                                  d.layer_states(spinlearn.data.bars(4))[1])


def test_data_equals_the_cli_export(tmp_path, cli):
    cli(tmp_path, "data", "export", "--data", "mnist", "--digits", "3,5", "--n-samples", 40,
        "--threshold", 0.5, "--format", "npz")
    (f,) = tmp_path.glob("*.npz")
    with np.load(f) as z:
        X, y = spinlearn.data.mnist(digits=[3, 5], binarize=0.5, n=40)
        np.testing.assert_array_equal(z["data"], X)
        np.testing.assert_array_equal(z["labels"], y)


def test_error_messages_are_the_cli_lines(tmp_path, cli):
    line = cli.fail(tmp_path / "a", "rbm", "train", "--data", "bars3", "--lr=-1")
    with pytest.raises(ValueError) as e:
        RBM(lr=-1.0)
    assert str(e.value) in line
    line = cli.fail(tmp_path / "b", "attractor", "simulate", "--patterns", "0")
    with pytest.raises(ValueError) as e:
        spinlearn.attractor.simulate(patterns=0)
    assert str(e.value) in line
