"""The data sets of the papers as NumPy arrays (the CLI's ``mnist``, ``bars<N>``, ``bas<N>``).

- :func:`mnist` ``(digits=None, binarize=None, n=None)``: the embedded 10,000-digit MNIST subset,
  ``(X (n, 784) float64 in [0, 1], y (n,) int64)``; ``digits`` filters labels, ``binarize`` a
  threshold giving 0/1 pixels.
- :func:`bars` ``(n)``: the ``2^n - 2`` Bars images, ``(2^n - 2, n*n)`` float64 0/1.
- :func:`bas` ``(n)``: Bars-and-Stripes, ``(X (2^(n+1) - 4, n*n), y)``, label 0 bars, 1 stripes.
"""

from ._spinlearn import data_bars as bars
from ._spinlearn import data_bas as bas
from ._spinlearn import data_mnist as mnist

__all__ = ["bars", "bas", "mnist"]
