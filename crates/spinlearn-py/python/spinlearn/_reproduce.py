"""spinlearn.reproduce: a report section through the library, the claims back as a dict."""

import json
import os
import tempfile
from os import PathLike
from typing import Any, Callable, Optional, Union

from ._result import Result
from ._spinlearn import reproduce_run


def reproduce(
    section: str,
    mode: str = "quick",
    out: Optional[Union[str, "PathLike[str]"]] = None,
    *,
    seed: int = 0,
    mnist_dir: Optional[Union[str, "PathLike[str]"]] = None,
    embed_figures: bool = False,
    callback: Optional[Callable[[str, int, Optional[int], dict], Any]] = None,
) -> Result:
    """Runs report section ``section`` (``"data"``, ``"ising-activation"``, ``"zero-synapses"``,
    ``"rapid"``, ``"relevance"``, ``"double-well"`` or ``"all"``) at ``mode`` ``"smoke"``,
    ``"quick"`` or ``"full"``, as ``spinlearn --seed SEED --out OUT reproduce SECTION --MODE``
    does: figures, tables, ``claims.json`` and ``index.html`` go to ``out`` (a new temporary
    directory when None).

    Returns a :class:`~spinlearn.Result` with ``out`` (the directory), ``index`` (the page),
    ``summary`` (``{"mode", "sections": {id: {"status", "seconds"}}}``) and ``claims``: a dict
    from ``"<section>/<claim id>"`` to the claim (``name``, ``ours``, ``unit``, ``paper``,
    ``rule``, ``verdict``, ``note``, ``figure``, ...). A failing section raises ``RuntimeError``
    with its one-line message.
    """
    if out is None:
        out = tempfile.mkdtemp(prefix="spinlearn-reproduce-")
    out = os.fspath(out)
    summary, claims = reproduce_run(section, mode, out, seed, mnist_dir, embed_figures, callback)
    claims = {f"{c['section']}/{c['id']}": c for c in json.loads(claims)}
    return Result(
        out=out,
        index=os.path.join(out, "index.html"),
        summary=json.loads(summary),
        claims=claims,
    )
