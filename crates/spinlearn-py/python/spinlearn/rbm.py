"""Restricted Boltzmann machines (papers 003, 004): :class:`RBM`.

``RBM(n_hidden=500, *, units="bit", hidden_units=None, biases=True, weights="dense", k=8,
binarize="sign", clip=1.0, init_std=0.01, estimator="cd", gibbs_steps=1, n_chains=100,
pid_hidden="mean", optimizer="sgd", lr=0.05, momentum=0.5, weight_decay=0.0, lr_decay=1.0,
epochs=10, batch_size=100, track_exact_nll=False, seed=0)``; the defaults are those of
``spinlearn rbm train``, and the same seed gives the same numbers.

- ``units``: "spin" (±1) or "bit" (0/1) for the visible layer (and the hidden one unless
  ``hidden_units`` is given); ``weights``: "dense" or "ra" (Regularized Axons with ``k``
  patterns); ``estimator``: "exact", "cd", "pcd", "pid", "pid-gibbs"; ``optimizer``: "sgd",
  "adam". Parameters are checked in the constructor (``ValueError`` naming the parameter).
- ``fit(X)``, ``partial_fit(X)``, ``transform(X)`` (hidden means), ``fit_transform(X)``,
  ``sample(n, steps)``, ``log_z(method)``, ``score_samples(X)``, ``score(X)``,
  ``ground_state()``, ``accessibility()``, ``reconstruct(X, known)``, ``singular_values()``,
  ``save(path)`` / ``RBM.load(path)``, ``get_params()`` / ``set_params(**p)``.
- Attributes after fitting: ``weights_`` (n_visible, n_hidden), ``visible_bias_`` (n_visible,),
  ``hidden_bias_`` (n_hidden,), ``patterns_`` (``(xi_v (K, n_visible), xi_h (K, n_hidden))`` or
  None), ``n_features_in_``, ``n_epochs_``, ``history_``.

Energy ``E(v, h) = -v^T W h - a^T v - b^T h`` with k_B T = 1.
"""

from ._spinlearn import RBM

__all__ = ["RBM"]
