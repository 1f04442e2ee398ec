import itertools
import json
import os
import subprocess

import numpy as np
import pytest


def states(n, units):
    """All 2^n configurations of n units, (2^n, n), in 0/1 or ±1."""
    s = np.array(list(itertools.product([0.0, 1.0], repeat=n)))
    return s if units == "bit" else 2.0 * s - 1.0


def brute_log_z(W, a, b, vis_units, hid_units):
    """log Z by summing exp(-E) over every (v, h), E = -v^T W h - a^T v - b^T h."""
    V = states(W.shape[0], vis_units)
    H = states(W.shape[1], hid_units)
    neg_e = V @ W @ H.T + (V @ a)[:, None] + (H @ b)[None, :]
    m = neg_e.max()
    return m + np.log(np.exp(neg_e - m).sum())


def brute_log_p(X, W, a, b, vis_units, hid_units):
    """log P(v) for each row of X, by summing over every h."""
    H = states(W.shape[1], hid_units)
    neg_e = X @ W @ H.T + (X @ a)[:, None] + (H @ b)[None, :]
    m = neg_e.max(axis=1, keepdims=True)
    log_unnorm = (m + np.log(np.exp(neg_e - m).sum(axis=1, keepdims=True)))[:, 0]
    return log_unnorm - brute_log_z(W, a, b, vis_units, hid_units)


def bars(side):
    """Every image of horizontal bars or of vertical bars on a side x side grid, 0/1, flattened."""
    rows = []
    for mask in itertools.product([0, 1], repeat=side):
        img = np.repeat(np.array(mask, float)[:, None], side, axis=1)
        rows.append(img.ravel())
        rows.append(img.T.ravel())
    return np.unique(np.array(rows), axis=0)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def cli():
    """Runs the `spinlearn` binary named by $SPINLEARN_BIN (``.ci/run`` sets it to the debug
    build that ``cargo test`` made): ``cli(out_dir, *args)`` runs ``spinlearn -q --out OUT
    ARGS`` and returns its summary.json as a dict; ``cli.fail(*args)`` runs a command that must
    fail and returns its stderr. A missing variable is a test failure, never a skip."""
    path = os.environ.get("SPINLEARN_BIN")
    if not path:
        pytest.fail(
            "SPINLEARN_BIN is not set: build the CLI (cargo build -p spinlearn-cli) and set "
            "SPINLEARN_BIN=target/debug/spinlearn (.ci/run does this)"
        )
    if not os.path.isfile(path):
        pytest.fail(f"SPINLEARN_BIN={path} is not a file")

    class Cli:
        def __call__(self, out, *args):
            p = subprocess.run(
                [path, "-q", "--out", str(out), *map(str, args)], capture_output=True, text=True
            )
            assert p.returncode == 0, f"spinlearn {' '.join(map(str, args))}: {p.stderr}"
            with open(os.path.join(out, "summary.json")) as f:
                return json.load(f)

        def fail(self, out, *args):
            p = subprocess.run(
                [path, "-q", "--out", str(out), *map(str, args)], capture_output=True, text=True
            )
            assert p.returncode == 2, p.stderr
            return p.stderr.strip()

    return Cli()
