"""Resolution and relevance of representations (paper 003).

- :func:`analyze` ``(states)``: H[s], H[k] and the degeneracies m_k of a list of states.
- :func:`powerlaw` ``(counts)``: discrete power-law fit of frequencies.
- :func:`bound` ``(M, points)``: the maximal-relevance bound curve.
"""

from ._spinlearn import relevance_analyze as analyze
from ._spinlearn import relevance_bound as bound
from ._spinlearn import relevance_powerlaw as powerlaw

__all__ = ["analyze", "bound", "powerlaw"]
