"""Type stubs of the compiled module (re-exported by spinlearn.rbm, .bp, .ising, .relevance,
.attractor, .data and spinlearn.reproduce)."""

from os import PathLike
from typing import Any, Callable, Optional, Sequence, Union

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
def ising_activation(
    x: Union[float, ArrayLike], name: str = "ising-tanh", derivative: bool = False
) -> Union[float, F64]: ...
def ising_activation_experiment(
    tc: float = 1.0,
    t_max: float = 2.0,
    n_t: int = 200,
    q_min: float = -4.0,
    q_max: float = 4.0,
    n_q: int = 161,
    rate_a: float = 1.0,
) -> Result: ...

class DBN:
    def __init__(
        self,
        widths: Sequence[int] = (500, 250, 120, 60, 30, 25, 20, 15, 10, 5),
        *,
        epochs: int = 200,
        lr: float = 0.1,
        batch_size: int = 100,
        n_chains: int = 100,
        momentum: float = 0.0,
        init_std: float = 0.01,
        sampled_readout: bool = False,
        epoch_unit: str = "update",
        seed: int = 0,
    ) -> None: ...
    def fit(self, X: ArrayLike, y: Any = None, *, callback: Optional[Callback] = None) -> "DBN": ...
    def layer_states(self, X: ArrayLike, *, sampled: bool = False, seed: Optional[int] = None) -> list[F64]: ...
    def generate(
        self,
        layer: int,
        n: int,
        *,
        gibbs_steps: int = 1000,
        top_down: str = "mean-field",
        seed: Optional[int] = None,
    ) -> F64: ...
    def save(self, path: Union[str, PathLike]) -> None: ...
    @staticmethod
    def load(path: Union[str, PathLike]) -> "DBN": ...
    def get_params(self, deep: bool = True) -> dict: ...
    @property
    def widths_(self) -> list[int]: ...
    @property
    def weights_(self) -> list[F64]: ...
    @property
    def visible_bias_(self) -> list[F64]: ...
    @property
    def hidden_bias_(self) -> list[F64]: ...

def attractor_simulate(
    n: int = 10000,
    c: float = 0.05,
    f: float = 0.5,
    rule: str = "balanced",
    r1: float = 0.1,
    r2: float = 1.0,
    r3: float = 0.0,
    c_well: float = 2.7,
    theta: float = 0.0,
    *,
    patterns: int = 40,
    burn_in: Optional[int] = None,
    realizations: int = 1,
    threshold: float = 0.5,
    max_sweeps: int = 100,
    seed: int = 0,
    callback: Optional[Callback] = None,
) -> Result: ...
def attractor_theory(
    n: int = 10000,
    c: float = 0.05,
    f: float = 0.5,
    rule: str = "balanced",
    r1: float = 0.1,
    r2: float = 1.0,
    r3: float = 0.0,
    c_well: float = 2.7,
    theta: float = 0.0,
    *,
    max_age: int = 2000,
    eps: float = 0.05,
    threshold: float = 0.01,
    cells_per_r2: int = 20,
    all_ages: bool = False,
) -> Result: ...
def attractor_capacity_scan(
    sweep: str = "c",
    values: Sequence[float] = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0),
    *,
    sim: bool = False,
    realizations: int = 1,
    max_age: int = 200,
    n: int = 10000,
    c: float = 0.05,
    f: float = 0.5,
    rule: str = "balanced",
    r1: float = 0.1,
    r2: float = 1.0,
    r3: float = 0.0,
    c_well: float = 2.7,
    theta: float = 0.0,
    seed: int = 0,
    callback: Optional[Callback] = None,
) -> Result: ...
def data_mnist(
    digits: Optional[Sequence[int]] = None, binarize: Optional[float] = None, n: Optional[int] = None
) -> tuple[F64, NDArray[np.int64]]: ...
def data_bars(n: int) -> F64: ...
def data_bas(n: int) -> tuple[F64, NDArray[np.int64]]: ...
def reproduce_run(
    section: str,
    mode: str,
    out: Union[str, PathLike],
    seed: int,
    mnist_dir: Optional[Union[str, PathLike]] = None,
    embed_figures: bool = False,
    callback: Optional[Callback] = None,
) -> tuple[str, str]: ...
