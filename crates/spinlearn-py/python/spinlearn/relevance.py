"""Resolution and relevance of representations (paper 003).

- :func:`analyze` ``(states)``: H[s], H[k] and the degeneracies m_k of a list of states.
- :func:`powerlaw` ``(counts)``: discrete power-law fit of frequencies.
- :func:`bound` ``(M, points)``: the maximal-relevance bound curve.
- :class:`DBN` ``(widths=(500, 250, ..., 5), *, epochs=200, lr=0.1, batch_size=100, n_chains=100,
  momentum=0.0, init_std=0.01, sampled_readout=False, epoch_unit="update", seed=0)``: a deep
  belief network (``epoch_unit``: ``"update"``, the paper's epoch of one parameter update, or
  ``"pass"``, one pass over the data) with
  ``fit(X)``, ``layer_states(X)``, ``generate(layer, n)``, ``save(path)`` / ``DBN.load(path)``
  (the model.npz of ``spinlearn dbn train``), ``weights_``, ``visible_bias_``, ``hidden_bias_``,
  ``widths_``.
"""

from ._spinlearn import DBN
from ._spinlearn import relevance_analyze as analyze
from ._spinlearn import relevance_bound as bound
from ._spinlearn import relevance_powerlaw as powerlaw

__all__ = ["DBN", "analyze", "bound", "powerlaw"]
