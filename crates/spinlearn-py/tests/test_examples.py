"""The example script of examples/python and the README's Python example run as written."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[3]


def test_paper_figures_script_at_smoke_size(tmp_path):
    script = ROOT / "examples" / "python" / "paper_figures.py"
    p = subprocess.run([sys.executable, str(script), "--size", "smoke", "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    f = {n: np.load(tmp_path / f"{n}.npz") for n in ["fig000", "fig001", "fig002", "fig003", "fig004"]}
    assert ((f["fig000"]["rho"] >= 0) & (f["fig000"]["rho"] <= 1)).all()
    assert f["fig001"]["theory_m_v"][0] > 0.9 and f["fig001"]["sim_m_v"][0] > 0.9
    assert float(f["fig002"]["residual_rms"]) < 0.2
    # the drawn curve is the library's fit: its residual is the one the fit reports
    f2 = f["fig002"]
    rms = np.sqrt(np.mean((f2["fit_m"] - f2["m"]) ** 2))
    assert rms == pytest.approx(float(f2["residual_rms"]), rel=1e-9)
    # every layer lies on or under the maximal-relevance bound's H[k] range
    assert (f["fig003"]["H_k"] <= f["fig003"]["bound_H_k"].max() + 1e-9).all()
    nll = f["fig004"]
    assert nll["nll_dense_exact"][-1] < nll["nll_dense_exact"][0]
    assert (nll["nll_ra_pid"] >= float(nll["data_entropy"]) - 1e-9).all()


def test_readme_python_example_runs_as_written(tmp_path):
    text = (ROOT / "README.md").read_text()
    section = text.split("## Python package", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "log Z" in p.stdout and "rho" in p.stdout
