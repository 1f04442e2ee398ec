"""One figure of each paper (000-004), computed through spinlearn's Python API.

    python examples/python/paper_figures.py [--size smoke|quick] [--out DIR]

Each figure's data is written to DIR/figNNN.npz (the arrays a plot needs, named as below); with
matplotlib installed the figure itself is drawn to DIR/figNNN.png as well. ``--size smoke`` runs in
seconds (the test suite runs it); ``--size quick`` takes minutes and gives the curves' shapes.

- 000 (zero synapses): sparsity rho and message strength m_cav of the ternary feature learned by
  message passing against the number M of binarized MNIST digits (the paper's Fig. 2).
- 001 (double-well synapses): retrieval overlap m_v by pattern age, mean-field theory beside
  simulated networks (Fig. 2).
- 002 (activation as a mean-field Ising model): the firing branch m(T) of the Curie-Weiss
  equation and the tanh fit of eq. (2) (Fig. 2).
- 003 (resolution and relevance): relevance H[k] against resolution H[s] of each DBN layer on
  MNIST, under the maximal-relevance bound (Fig. 2).
- 004 (RAPID): exact negative log-likelihood by epoch on Bars 4x4 of a Regularized-Axons RBM
  trained with PID against a dense RBM trained with the exact gradient (the paper's Fig. 3).
"""

import argparse
import os

import numpy as np

import spinlearn
from spinlearn import attractor, bp, data, ising, relevance
from spinlearn.rbm import RBM

SIZES = {
    "smoke": dict(bp_m=[20, 60], bp_beta=1.0, at_n=1000, at_c=0.1, at_patterns=30, at_real=1,
                  n_t=60, dbn_n=500, dbn_widths=[60, 20, 8], dbn_epochs=2, rbm_epochs=15),
    "quick": dict(bp_m=[20, 50, 100, 200, 400], bp_beta=1.0, at_n=5000, at_c=0.05,
                  at_patterns=120, at_real=4, n_t=200, dbn_n=5000,
                  dbn_widths=[500, 250, 120, 60, 30, 25, 20, 15, 10, 5], dbn_epochs=20,
                  rbm_epochs=300),
}


def fig000(s):
    X, _ = data.mnist(binarize=0.5, n=max(s["bp_m"]))
    X = 2 * X - 1  # spins
    rho, m_cav = [], []
    for m in s["bp_m"]:
        r = bp.learn(X[:m], s["bp_beta"], seed=0)
        rho.append(r.rho)
        m_cav.append(r.m_cav)
    return dict(M=np.array(s["bp_m"]), rho=np.array(rho), m_cav=np.array(m_cav))


def fig001(s):
    kw = dict(n=s["at_n"], c=s["at_c"], r1=0.1, c_well=2.7)
    th = attractor.theory(max_age=s["at_patterns"], all_ages=True, **kw)
    sim = attractor.simulate(patterns=s["at_patterns"], realizations=s["at_real"], seed=0, **kw)
    return dict(theory_age=th.age, theory_m_v=th.m_v, sim_age=sim.age, sim_m_v=sim.m_v_mean,
                sim_m_v_std=sim.m_v_std, theory_capacity=th.capacity,
                sim_capacity=sim.capacity_mean)


def fig002(s):
    r = ising.activation_experiment(n_t=s["n_t"])
    # eq. (2): m = (1 + tanh(a (Tc - T))) / 2, the "ising-tanh" activation of x = Tc - T
    fit = ising.activation(1.0 - r.branch_t, f"ising-tanh:{r.fit_a}")
    return dict(t=r.branch_t, m=r.branch_m, a=r.fit_a, residual_rms=r.fit_residual_rms, fit_m=fit)


def fig003(s):
    X, _ = data.mnist(binarize=0.5, n=s["dbn_n"])
    dbn = relevance.DBN(s["dbn_widths"], epochs=s["dbn_epochs"], seed=0).fit(X)
    h_s, h_k = [], []
    for states in dbn.layer_states(X):
        a = relevance.analyze(states)
        h_s.append(a.H_s_norm)
        h_k.append(a.H_k_norm)
    b = relevance.bound(len(X))
    return dict(layer=np.arange(1, len(h_s) + 1), H_s=np.array(h_s), H_k=np.array(h_k),
                bound_H_s=b.H_s_norm, bound_H_k=b.H_k_norm)


def fig004(s):
    X = 2 * data.bars(4) - 1  # ±1 units, no biases (paper 004)
    common = dict(units="spin", biases=False, epochs=s["rbm_epochs"], batch_size=len(X),
                  track_exact_nll=True, seed=0)
    ra = RBM(n_hidden=8, weights="ra", k=4, estimator="pid", lr=0.01, optimizer="adam",
             **common).fit(X)
    dense = RBM(n_hidden=8, estimator="exact", lr=0.01, optimizer="adam", init_std=0.1,
                **common).fit(X)
    nll = lambda m: np.array([h["exact_nll"] for h in m.history_])
    return dict(epoch=np.arange(1, s["rbm_epochs"] + 1), nll_ra_pid=nll(ra),
                nll_dense_exact=nll(dense), data_entropy=np.log(len(X)))


def draw(name, d, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    if name == "fig000":
        ax.plot(d["M"], d["rho"], "o-", label="rho (fraction of zero synapses)")
        ax.plot(d["M"], d["m_cav"], "s-", label="m_cav")
        ax.set_xlabel("M (digits)")
    elif name == "fig001":
        ax.plot(d["theory_age"], d["theory_m_v"], label="theory")
        ax.errorbar(d["sim_age"], d["sim_m_v"], d["sim_m_v_std"], fmt="o", ms=3, label="simulation")
        ax.set_xlabel("pattern age")
        ax.set_ylabel("m_v")
    elif name == "fig002":
        ax.plot(d["t"], d["m"], label="mean-field branch m(T)")
        ax.plot(d["t"], d["fit_m"], "--", label=f"tanh fit, a = {float(d['a']):.2f}")
        ax.set_xlabel("T")
    elif name == "fig003":
        ax.plot(d["bound_H_s"], d["bound_H_k"], "k-", label="maximal relevance")
        ax.plot(d["H_s"], d["H_k"], "o-", label="DBN layers")
        ax.set_xlabel("H[s] / log M")
        ax.set_ylabel("H[k] / log M")
    elif name == "fig004":
        ax.plot(d["epoch"], d["nll_ra_pid"], label="RA + PID")
        ax.plot(d["epoch"], d["nll_dense_exact"], label="dense + exact")
        ax.axhline(float(d["data_entropy"]), color="k", ls=":", label="log |data|")
        ax.set_xlabel("epoch")
        ax.set_ylabel("exact NLL (nats)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", choices=sorted(SIZES), default="smoke")
    p.add_argument("--out", default="out/python-figures")
    a = p.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    s = SIZES[a.size]
    for name, f in [("fig000", fig000), ("fig001", fig001), ("fig002", fig002),
                    ("fig003", fig003), ("fig004", fig004)]:
        d = f(s)
        np.savez(os.path.join(a.out, name + ".npz"), **d)
        drawn = draw(name, d, os.path.join(a.out, name + ".png"))
        print(f"{name}: {os.path.join(a.out, name)}.npz" + (" and .png" if drawn else ""))
    print(f"spinlearn {spinlearn.__version__}")


if __name__ == "__main__":
    main()
