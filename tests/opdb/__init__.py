"""The op registry (OpInfo-style) that drives ember's generic op tests.

Every public op gets an ``OpInfo`` entry in one of the family modules here
(``pointwise.py``, ``reduction.py``, ``shape.py`` ...).  From an entry the generic
tests in ``tests/test_ops.py`` check values, dtypes and shapes against torch, the
gradients of every input against torch, float64 gradcheck and gradgradcheck, the
meta device, and bad inputs.

A sample is written once with library-neutral placeholders:

    SampleInput(T((3, 4)), T((4,)), alpha=2)

``T(shape)`` becomes a tensor of the op's dtype in both libraries (same values);
``T(shape, noncontig=True)`` a non-contiguous one; ``T(array=np.array(...))``
fixed values.  Anything else is passed through unchanged.
"""
import dataclasses
from typing import Any, Callable, Optional

import numpy as np

FLOATS = ("float32", "float64")
LOW = ("float16", "bfloat16")
INTS = ("uint8", "int8", "int16", "int32", "int64")
ALL_FLOATS = FLOATS + LOW
ALL = ("bool",) + INTS + ALL_FLOATS
NUMERIC = INTS + ALL_FLOATS
COMPLEX = ("complex64", "complex128")


@dataclasses.dataclass
class T:
    """A tensor placeholder in a sample: shape, value range, layout, dtype override."""

    shape: tuple = ()
    low: float = -3.0
    high: float = 3.0
    noncontig: bool = False
    dtype: Optional[str] = None       # force a dtype (e.g. an int64 index, a bool mask)
    array: Any = None                 # exact values (numpy array or nested list)
    requires_grad: bool = True        # only for float dtypes in gradient tests
    positive: bool = False            # shorthand for low>0 (log, sqrt ...)
    device: Optional[str] = None      # pin to a device whatever the test's device (an
                                      # index tensor torch wants on the cpu)


@dataclasses.dataclass
class SampleInput:
    args: tuple
    kwargs: dict

    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs

    def __repr__(self):
        return f"SampleInput(args={self.args}, kwargs={self.kwargs})"


@dataclasses.dataclass
class ErrorInput:
    """A call that must raise ``exc`` with a message naming ``op`` (and ``contains``)."""

    sample: SampleInput
    exc: type
    contains: tuple = ()


@dataclasses.dataclass
class OpInfo:
    name: str
    samples: Callable[[str], list]            # dtype name -> [SampleInput]
    dtypes: tuple = ALL_FLOATS
    grad_dtypes: tuple = FLOATS                # dtypes whose gradients are compared
    differentiable: bool = True
    gradgrad: bool = True
    ember_fn: Optional[Callable] = None        # default: getattr(ember, name)
    torch_fn: Optional[Callable] = None        # default: getattr(torch, name)
    method: Optional[str] = None               # also test Tensor.<method> with the same samples
    atol: dict = dataclasses.field(default_factory=dict)   # per dtype overrides
    rtol: dict = dataclasses.field(default_factory=dict)
    meta: bool = True                          # supports the meta device
    errors: Optional[Callable[[], list]] = None
    nondeterministic_indices: bool = False     # ties: compare values only, not indices
    skip_values_for: tuple = ()                # dtypes where torch itself lacks a kernel
    gradcheck_eps: float = 1e-6
    gradcheck_atol: float = 1e-5
    aliases: tuple = ()                        # other public names covered by this entry

    def get_ember(self):
        import ember
        if self.ember_fn is not None:
            return self.ember_fn
        return _resolve(ember, self.name)

    def get_torch(self):
        import torch
        if self.torch_fn is not None:
            return self.torch_fn
        return _resolve(torch, self.name)


def _resolve(mod, name):
    obj = mod
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def all_ops():
    """Every OpInfo of every family module in this package (any module with ``OPS``)."""
    import importlib
    import pkgutil
    ops = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        ops.extend(getattr(mod, "OPS", ()))
    return ops
