"""The activation function as a mean-field Ising model (paper 002) and lattice Monte Carlo.

- :func:`mean_field` ``(t, h=0, tc=1)``: equilibrium Curie-Weiss magnetization (float or array).
- :func:`mean_field_solutions` ``(t, h=0, tc=1)``: every root with stability and free energy.
- :func:`mc` ``(L, T, algorithm="wolff", sweeps=2000, seed=0)``: square-lattice Monte Carlo.
- :func:`onsager_magnetization` ``(T)``: Onsager's exact spontaneous magnetization.
"""

from ._spinlearn import ising_mc as mc
from ._spinlearn import ising_mean_field as mean_field
from ._spinlearn import ising_mean_field_solutions as mean_field_solutions
from ._spinlearn import ising_onsager_magnetization as onsager_magnetization

__all__ = ["mc", "mean_field", "mean_field_solutions", "onsager_magnetization"]
