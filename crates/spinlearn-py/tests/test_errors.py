import threading
import time
import _thread

import numpy as np
import pytest

import spinlearn
from spinlearn.rbm import RBM


def small():
    X = (np.random.default_rng(0).random((20, 5)) < 0.5).astype(float)
    return RBM(n_hidden=3, epochs=1, batch_size=5).fit(X), X


def test_nan_input_is_a_value_error():
    X = np.zeros((4, 5))
    X[1, 2] = np.nan
    with pytest.raises(ValueError, match="`X`.*NaN"):
        RBM(n_hidden=3).fit(X)


def test_wrong_dimensions_and_columns():
    m, X = small()
    with pytest.raises(ValueError, match="2-D"):
        m.transform(X[0])
    with pytest.raises(ValueError, match="columns"):
        m.transform(X[:, :3])


def test_values_outside_the_encoding():
    with pytest.raises(ValueError, match="±1"):
        RBM(n_hidden=3, units="spin").fit(np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        RBM(n_hidden=3).fit(np.full((4, 5), 2.0))


def test_unconvertible_dtype_is_a_type_error():
    with pytest.raises(TypeError, match="`X`"):
        RBM(n_hidden=3).fit(np.array([["a", "b"], ["c", "d"]]))


@pytest.mark.parametrize(
    "kw, name",
    [
        (dict(estimator="nope"), "estimator"),
        (dict(units="trit"), "units"),
        (dict(optimizer="rmsprop"), "optimizer"),
        (dict(weights="sparse"), "weights"),
        (dict(lr=-1.0), "lr"),
        (dict(lr=float("nan")), "lr"),
        (dict(epochs=0), "epochs"),
        (dict(estimator="pid"), "estimator"),
    ],
)
def test_bad_parameters_name_themselves(kw, name):
    with pytest.raises(ValueError, match=f"invalid parameter `{name}`"):
        RBM(n_hidden=3, **kw)


def test_unknown_log_z_method_and_too_large_model():
    m, _ = small()
    with pytest.raises(ValueError, match="method"):
        m.log_z("magic")
    big = RBM(n_hidden=30, epochs=1, batch_size=5).fit(np.zeros((5, 30)))
    with pytest.raises(ValueError, match="enumerate"):
        big.log_z("exact")


def test_not_fitted():
    m = RBM(n_hidden=3)
    with pytest.raises(ValueError, match="not fitted"):
        m.transform(np.zeros((2, 5)))
    with pytest.raises(AttributeError):
        m.weights_
    assert not hasattr(m, "weights_")


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        RBM.load(str(tmp_path / "missing.npz"))


def test_other_modules_raise_value_errors():
    with pytest.raises(ValueError, match="algorithm"):
        spinlearn.ising.mc(8, 2.0, algorithm="glauber")
    with pytest.raises(ValueError, match="`l`"):
        spinlearn.ising.mc(1, 2.0)
    with pytest.raises(ValueError):
        spinlearn.bp.learn(np.zeros((5, 4)), 0.5)
    with pytest.raises(ValueError, match="beta"):
        spinlearn.bp.learn(np.ones((5, 4)), -1.0)
    with pytest.raises(ValueError, match="`m`"):
        spinlearn.relevance.bound(1)
    with pytest.raises(ValueError, match="counts"):
        spinlearn.relevance.powerlaw([1, 2, 0])


def test_callback_exception_stops_fit():
    X = (np.random.default_rng(0).random((20, 5)) < 0.5).astype(float)
    seen = []

    class Stop(Exception):
        pass

    def cb(stage, step, total, metrics):
        seen.append((stage, step, total, dict(metrics)))
        if step == 2:
            raise Stop()

    with pytest.raises(Stop):
        RBM(n_hidden=3, epochs=100, batch_size=5).fit(X, callback=cb)
    assert [s[1] for s in seen] == [1, 2]
    assert seen[0][0] == "epoch" and seen[0][2] == 100 and "lr" in seen[0][3]


def test_keyboard_interrupt_stops_a_long_fit():
    # Ctrl-C as the terminal sends it: SIGINT's flag set from another thread while the fit runs
    # with the GIL released; the fit must end in KeyboardInterrupt within a second.
    X = (np.random.default_rng(0).random((50, 20)) < 0.5).astype(float)
    m = RBM(n_hidden=20, epochs=10_000_000, batch_size=10)
    sent = []

    def interrupt():
        sent.append(time.monotonic())
        _thread.interrupt_main()

    timer = threading.Timer(0.5, interrupt)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        m.fit(X)
    stopped = time.monotonic()
    timer.join()
    assert sent and stopped - sent[0] < 1.0
