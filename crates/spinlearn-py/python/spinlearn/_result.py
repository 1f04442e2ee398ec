"""The result type every spinlearn function returns: a dict whose keys are also attributes."""


class Result(dict):
    """A dict of named results; ``r["rho"]`` and ``r.rho`` are the same value."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self):
        return list(self.keys()) + list(super().__dir__())

    def __repr__(self):
        inner = ", ".join(f"{k}={_short(v)}" for k, v in self.items())
        return f"Result({inner})"


def _short(v):
    shape = getattr(v, "shape", None)
    if shape is not None and len(shape) > 0:
        return f"<array {shape} {v.dtype}>"
    return repr(v)
