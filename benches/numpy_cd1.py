#!/usr/bin/env python3
"""CD-1 in plain NumPy beside `spinlearn bench rbm`, in one run, with the ratio.

Both train a 784 -> 500 RBM with 0/1 units and biases on the 10,000 images of data/mnist10k
binarized at 0.5, batch 100, float32, CD-1, SGD (lr 0.05, momentum 0.5), and report the best of a
few epochs. The NumPy loop does what the tool's dense path does: five products per batch
(v W, h Wᵀ, v' W and the gradient vᵀ p - v'ᵀ p'), logistic, Bernoulli draws.

Usage (from the repository root, after `cargo build --release`):
    python3 benches/numpy_cd1.py [--spinlearn target/release/spinlearn] [--epochs 5]

Needs NumPy only. The machine's load affects both timings; the ratio is what to compare.
"""

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_mnist10k():
    path = os.path.join(ROOT, "data", "mnist10k", "mnist10k-images-idx3-ubyte.gz")
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n, rows, cols = np.frombuffer(raw[:16], dtype=">u4")
    if magic != 2051:
        sys.exit(f"error: {path}: not an IDX image file")
    x = np.frombuffer(raw[16:], dtype=np.uint8).reshape(n, rows * cols)
    return (x.astype(np.float32) / 255.0 > 0.5).astype(np.float32)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_cd1_epochs(data, n_hidden=500, batch=100, lr=0.05, momentum=0.5, epochs=5, seed=0):
    rng = np.random.default_rng(seed)
    n, nv = data.shape
    w = (0.01 * rng.standard_normal((nv, n_hidden))).astype(np.float32)
    a = np.zeros(nv, np.float32)
    b = np.zeros(n_hidden, np.float32)
    mw, ma, mb = np.zeros_like(w), np.zeros_like(a), np.zeros_like(b)
    lr32, mom32 = np.float32(lr), np.float32(momentum)
    best = float("inf")
    for _ in range(epochs):
        order = rng.permutation(n)
        t = time.perf_counter()
        for s in range(0, n, batch):
            v = data[order[s : s + batch]]
            m = v.shape[0]
            ph = sigmoid(v @ w + b)
            h = (rng.random(ph.shape, dtype=np.float32) < ph).astype(np.float32)
            pv = sigmoid(h @ w.T + a)
            v1 = (rng.random(pv.shape, dtype=np.float32) < pv).astype(np.float32)
            ph1 = sigmoid(v1 @ w + b)
            gw = (v.T @ ph - v1.T @ ph1) / np.float32(m)
            ga = (v - v1).mean(axis=0)
            gb = (ph - ph1).mean(axis=0)
            mw = mom32 * mw + lr32 * gw
            ma = mom32 * ma + lr32 * ga
            mb = mom32 * mb + lr32 * gb
            w += mw
            a += ma
            b += mb
        best = min(best, time.perf_counter() - t)
    if not np.all(np.isfinite(w)):
        sys.exit("error: the NumPy CD-1 loop diverged")
    return best


def tool_cd1(binary):
    out = tempfile.mkdtemp(prefix="spinlearn-bench-")
    try:
        r = subprocess.run(
            [binary, "bench", "rbm", "--out", out],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if r.returncode != 0:
        sys.exit(f"error: {binary} bench rbm failed:\n{r.stderr}")
    m = re.search(r"CD-1 epoch\s+([0-9.]+) s .*?\s([0-9.]+) s", r.stdout)
    if not m:
        sys.exit(f"error: no CD-1 line in the output of {binary} bench rbm:\n{r.stdout}")
    return float(m.group(1)), float(m.group(2)), r.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spinlearn", default=os.path.join(ROOT, "target", "release", "spinlearn"),
                    help="the spinlearn binary (default: target/release/spinlearn)")
    ap.add_argument("--epochs", type=int, default=5, help="NumPy epochs; the best one counts")
    args = ap.parse_args()
    if args.epochs < 1:
        sys.exit("error: --epochs must be at least 1")
    binary = args.spinlearn
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        found = shutil.which("spinlearn")
        if found is None:
            sys.exit(f"error: --spinlearn: {binary} is not an executable (build with cargo build --release)")
        binary = found
    data = load_mnist10k()
    t_np = numpy_cd1_epochs(data, epochs=args.epochs)
    t_tool, t_dense, text = tool_cd1(binary)
    print(text.rstrip())
    print()
    print(f"NumPy {np.__version__} CD-1 epoch (10,000 x 784 -> 500, batch 100, f32): {t_np:.3f} s")
    print(f"spinlearn CD-1 epoch, binary kernels: {t_tool:.3f} s  ({t_np / t_tool:.2f}x NumPy)")
    print(f"spinlearn CD-1 epoch, dense products: {t_dense:.3f} s  ({t_np / t_dense:.2f}x NumPy)")


if __name__ == "__main__":
    main()
