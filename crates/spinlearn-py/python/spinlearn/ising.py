"""The activation function as a mean-field Ising model (paper 002) and lattice Monte Carlo.

- :func:`mean_field` ``(t, h=0, tc=1)``: equilibrium Curie-Weiss magnetization (float or array).
- :func:`mean_field_solutions` ``(t, h=0, tc=1)``: every root with stability and free energy.
- :func:`mc` ``(L, T, algorithm="wolff", sweeps=2000, seed=0)``: square-lattice Monte Carlo.
- :func:`onsager_magnetization` ``(T)``: Onsager's exact spontaneous magnetization.
- :func:`activation` ``(x, name="ising-tanh", derivative=False)``: an activation function of the
  paper (or a usual one) applied elementwise.
- :func:`activation_experiment` ``(tc=1, t_max=2, n_t=200, q_min=-4, q_max=4, n_q=161,
  rate_a=1)``: the branch m(T), the tanh fit of eq. (2) and the firing-rate curves (Figs. 1-2).
"""

from ._spinlearn import ising_activation as activation
from ._spinlearn import ising_activation_experiment as activation_experiment
from ._spinlearn import ising_mc as mc
from ._spinlearn import ising_mean_field as mean_field
from ._spinlearn import ising_mean_field_solutions as mean_field_solutions
from ._spinlearn import ising_onsager_magnetization as onsager_magnetization

__all__ = [
    "activation",
    "activation_experiment",
    "mc",
    "mean_field",
    "mean_field_solutions",
    "onsager_magnetization",
]
