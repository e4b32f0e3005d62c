"""Named tuples returned by value/index reductions, like ``torch.return_types``."""

import operator
import types

from .._tensor import Tensor
from . import _util as U


class _ReturnType(tuple):
    """A tuple with named fields, printed like torch's ``torch.return_types.max``."""

    __slots__ = ()
    _fields = ()
    _name = ""

    def __new__(cls, values):
        values = tuple(values)
        if len(values) != len(cls._fields):
            raise TypeError(f"torch.return_types.{cls._name} takes a sequence of length "
                            f"{len(cls._fields)}, got {len(values)}")
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{self._name}(\n{body})"

    __str__ = __repr__

    def __reduce__(self):
        return (type(self), (tuple(self),))


def _return_type(name, fields=("values", "indices")):
    # Pickle finds the class as ember.ops.reduction.return_types.<name>.
    attrs = {"__slots__": (), "_fields": fields, "_name": name,
             "__module__": "ember.ops.reduction", "__qualname__": f"return_types.{name}"}
    for i, f in enumerate(fields):
        attrs[f] = property(operator.itemgetter(i))
    return type(name, (_ReturnType,), attrs)


# NOTE: exposed here as ``return_types`` (like ``torch.return_types``); the classes
# subclass tuple, so unpacking and indexing work as with torch's structseqs.
return_types = types.SimpleNamespace(**{
    name: _return_type(name) for name in ("max", "min", "cummax", "cummin", "median",
                                          "nanmedian", "mode")})
return_types.aminmax = _return_type("aminmax", ("min", "max"))


def _write_tuple_out(out, results, op):
    if not isinstance(out, (tuple, list)) or len(out) != len(results):
        raise TypeError(f"{op}(): argument 'out' must be a tuple of {len(results)} Tensors")
    for o, r in zip(out, results):
        # NOTE: torch requires the exact dtypes here (no casting, unlike sum(out=)).
        if isinstance(o, Tensor) and o.dtype is not r.dtype:
            raise RuntimeError(f"{op}(): Expected out tensor to have dtype {r.dtype}, but got "
                               f"{o.dtype} instead")
        U.write_out(o, r, op)
    return type(results)(tuple(out))

