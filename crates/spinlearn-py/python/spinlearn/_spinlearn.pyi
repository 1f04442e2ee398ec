"""Type stubs of the compiled module (re-exported by spinlearn.rbm, .bp, .ising, .relevance)."""

from os import PathLike
from typing import Any, Callable, Optional, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._result import Result

__version__: str

Callback = Callable[[str, int, Optional[int], dict], Any]
F64 = NDArray[np.float64]

class RBM:
    def __init__(
        self,
        n_hidden: int = 500,
        *,
        units: str = "bit",
        hidden_units: Optional[str] = None,
        biases: bool = True,
        weights: str = "dense",
        k: int = 8,
        binarize: str = "sign",
        clip: float = 1.0,
        init_std: float = 0.01,
        estimator: str = "cd",
        gibbs_steps: int = 1,
        n_chains: int = 100,
        pid_hidden: str = "mean",
        optimizer: str = "sgd",
        lr: float = 0.05,
        momentum: float = 0.5,
        weight_decay: float = 0.0,
        lr_decay: float = 1.0,
        epochs: int = 10,
        batch_size: int = 100,
        track_exact_nll: bool = False,
        seed: int = 0,
    ) -> None: ...
    def get_params(self, deep: bool = True) -> dict: ...
    def set_params(self, **params: Any) -> "RBM": ...
    def fit(self, X: ArrayLike, y: Any = None, *, callback: Optional[Callback] = None) -> "RBM": ...
    def partial_fit(self, X: ArrayLike, y: Any = None) -> "RBM": ...
    def transform(self, X: ArrayLike) -> F64: ...
    def fit_transform(self, X: ArrayLike, y: Any = None) -> F64: ...
    def sample(self, n: int, steps: int = 100, seed: Optional[int] = None) -> F64: ...
    def log_z(
        self,
        method: str = "exact",
        X: Optional[ArrayLike] = None,
        *,
        n_chains: int = 100,
        n_betas: int = 10000,
        seed: Optional[int] = None,
    ) -> float: ...
    def score_samples(self, X: ArrayLike, log_z: Optional[float] = None) -> F64: ...
    def score(self, X: ArrayLike, y: Any = None) -> float: ...
    def ground_state(self) -> Result: ...
    def accessibility(self, starts: int = 100, steps: int = 10, seed: Optional[int] = None) -> Result: ...
    def reconstruct(self, X: ArrayLike, known: int, steps: int = 10, seed: Optional[int] = None) -> F64: ...
    def singular_values(self) -> F64: ...
    def save(self, path: Union[str, PathLike]) -> None: ...
    @staticmethod
    def load(path: Union[str, PathLike]) -> "RBM": ...
    @property
    def weights_(self) -> F64: ...
    @property
    def visible_bias_(self) -> F64: ...
    @property
    def hidden_bias_(self) -> F64: ...
    @property
    def patterns_(self) -> Optional[tuple[F64, F64]]: ...
    @property
    def n_features_in_(self) -> int: ...
    @property
    def n_epochs_(self) -> int: ...
    @property
    def history_(self) -> list[dict]: ...

def bp_learn(
    X: ArrayLike,
    beta: float,
    *,
    damping: float = 0.5,
    tol: float = 1e-6,
    max_iter: int = 2000,
    init_scale: float = 1.0,
    seed: int = 0,
    callback: Optional[Callback] = None,
) -> Result: ...
def ising_mean_field(t: Union[float, ArrayLike], h: float = 0.0, tc: float = 1.0) -> Union[float, F64]: ...
def ising_mean_field_solutions(t: float, h: float = 0.0, tc: float = 1.0) -> list[Result]: ...
def ising_onsager_magnetization(T: Union[float, ArrayLike]) -> Union[float, F64]: ...
def ising_mc(
    L: int,
    T: float,
    algorithm: str = "wolff",
    sweeps: int = 2000,
    seed: int = 0,
    *,
    therm: int = 200,
    h: float = 0.0,
    start: str = "cold",
    callback: Optional[Callback] = None,
) -> Result: ...
def relevance_analyze(states: ArrayLike, threshold: float = 0.0) -> Result: ...
def relevance_powerlaw(
    counts: ArrayLike, xmin: str = "auto", *, min_tail: int = 10, bootstrap: int = 0, seed: int = 0
) -> Result: ...
def relevance_bound(M: int, points: int = 40) -> Result: ...
