"""Attractor networks with double-well synapses (paper 001).

- :func:`simulate` ``(n=10000, c=0.05, f=0.5, rule="balanced", r1=0.1, r2=1.0, r3=0.0, c_well=2.7,
  theta=0.0, *, patterns=40, burn_in=None, realizations=1, threshold=0.5, max_sweeps=100, seed=0,
  callback=None)``: retrieval by pattern age in simulated networks; overlaps ``m_v``, ``m_u`` and
  ``retrieved`` as ``(realizations, patterns)`` arrays, the capacity per realization and its mean.
- :func:`theory` ``(..., *, max_age=2000, eps=0.05, threshold=0.01, cells_per_r2=20,
  all_ages=False)``: the mean-field theory (balanced rule): overlaps by age and the capacity.
- :func:`capacity_scan` ``(sweep="c", values=[0, 0.5, ..., 4], *, sim=False, realizations=1,
  max_age=200, ...)``: the capacity against C, N, r1 or r3, by theory or simulation.

The defaults are those of ``spinlearn attractor simulate|theory|capacity-scan``, and the same
seed gives the same numbers.
"""

from ._spinlearn import attractor_capacity_scan as capacity_scan
from ._spinlearn import attractor_simulate as simulate
from ._spinlearn import attractor_theory as theory

__all__ = ["capacity_scan", "simulate", "theory"]
