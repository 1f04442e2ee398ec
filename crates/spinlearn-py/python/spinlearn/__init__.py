"""spinlearn from Python: thin bindings over the Rust library, NumPy arrays in and out.

Submodules:

- :mod:`spinlearn.rbm` -- :class:`~spinlearn.rbm.RBM`, an estimator in scikit-learn's conventions
  (``fit``, ``partial_fit``, ``transform``, ``sample``, ``log_z``, ``score_samples``, ...).
- :mod:`spinlearn.bp` -- :func:`~spinlearn.bp.learn`, ternary synapses by message passing.
- :mod:`spinlearn.ising` -- Curie-Weiss mean field, lattice Monte Carlo, Onsager's magnetization.
- :mod:`spinlearn.relevance` -- resolution/relevance, the maximal-relevance bound, power laws,
  deep belief networks (:class:`~spinlearn.relevance.DBN`).
- :mod:`spinlearn.attractor` -- double-well synapses: simulation, mean-field theory, capacity.
- :mod:`spinlearn.data` -- the embedded MNIST subset, Bars, Bars-and-Stripes as arrays.
- :func:`spinlearn.reproduce` -- one section of the report, its claims as a dict.

Errors: an invalid parameter or a shape that does not fit raises ``ValueError``, a file problem
``OSError``, a failed computation ``RuntimeError``; arrays that cannot be converted to float64
raise ``TypeError``. Long computations release the GIL and stop on Ctrl-C. Seeds are ints.
"""

from . import attractor, bp, data, ising, rbm, relevance
from ._reproduce import reproduce
from ._result import Result
from ._spinlearn import __version__

__all__ = [
    "Result",
    "attractor",
    "bp",
    "data",
    "ising",
    "rbm",
    "relevance",
    "reproduce",
    "__version__",
]
