"""Every public name has a docstring and a type stub."""

import ast
import inspect
from pathlib import Path

import spinlearn
from spinlearn import _spinlearn

MODULES = ["attractor", "bp", "data", "ising", "rbm", "relevance"]


def public_names():
    for mod in MODULES:
        m = getattr(spinlearn, mod)
        assert m.__doc__, mod
        for name in m.__all__:
            yield f"{mod}.{name}", getattr(m, name)
    yield "reproduce", spinlearn.reproduce
    yield "Result", spinlearn.Result


def test_every_public_name_and_method_has_a_docstring():
    missing = []
    for qual, obj in public_names():
        if not (obj.__doc__ or "").strip():
            missing.append(qual)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if not attr.startswith("_") and not (getattr(member, "__doc__", "") or "").strip():
                    missing.append(f"{qual}.{attr}")
    assert not missing, missing


def test_the_stub_declares_every_compiled_name():
    stub = Path(spinlearn.__file__).with_name("_spinlearn.pyi")
    tree = ast.parse(stub.read_text())
    declared = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    declared |= {t.id for n in tree.body if isinstance(n, ast.AnnAssign) for t in [n.target]}
    compiled = {n for n in dir(_spinlearn) if not n.startswith("_")} | {"__version__"}
    assert compiled - declared == set()
    for cls in ["RBM", "DBN"]:
        node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls)
        methods = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
        public = {a for a in vars(getattr(_spinlearn, cls)) if not a.startswith("_")}
        assert public - methods == set(), cls
    assert (Path(spinlearn.__file__).parent / "py.typed").exists()
