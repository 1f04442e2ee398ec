"""Ternary synapses learned by message passing (paper 000): :func:`learn`."""

from ._spinlearn import bp_learn as learn

__all__ = ["learn"]
