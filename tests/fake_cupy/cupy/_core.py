"""The emulator's core (kept apart from the package namespace, whose CuPy names
such as ``bool`` and ``sum`` would shadow builtins here).

A CPU stand-in for CuPy, so ember's ``cuda`` path can be exercised without a GPU.

This is a test tool, never used by ember itself: ``tests/conftest.py`` puts this
folder first on ``sys.path`` when ``EMBER_EMULATE_CUDA=1`` and no real CuPy is
importable.  Ember then imports it as ``cupy`` and runs exactly the code it runs on a
GPU.  The emulator keeps CuPy's rules that code written for NumPy breaks:

- its ``ndarray`` is a separate type: ``np.asarray(x)`` raises TypeError (implicit
  device-to-host conversion), and every CuPy function, ufunc and operator refuses
  NumPy arrays mixed in (CuPy's "Unsupported type <class 'numpy.ndarray'>");
- NumPy functions reach it through ``__array_function__``/``__array_ufunc__`` only
  where real CuPy 14 has a function of that name (``cupy_names.json`` is CuPy 14.2's
  namespace, dumped from the real package); anything else is NumPy's TypeError;
- reductions and scalar indexing return 0-d arrays, not NumPy scalars;
- only the ``ndarray`` methods and attributes CuPy has exist (no ``ctypes``,
  ``__array_interface__``, ``__index__``, ``resize``).

What it cannot show: speed, memory placement, CUDA numerics (float16/TF32 matmul
precision, atomics order), kernel compilation errors, and functions CuPy names but
implements differently from NumPy.  Those need the real GPU run.
"""
import inspect
import json
import os
import types
import weakref

import numpy as _np

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(_HERE, "cupy_names.json")) as _f:
    _NAMES = json.load(_f)
_UFUNC_NAMES = frozenset(_NAMES["ufuncs"])


def _signature(spec):
    """An inspect.Signature from the dumped (name, kind, has_default) triples."""
    return inspect.Signature([
        inspect.Parameter(name, kind, default=None if has_default else inspect.Parameter.empty)
        for name, kind, has_default in spec])


# CuPy's own signatures: NumPy-only arguments (np.sum(where=), a.max(initial=),
# a.item(0)) are TypeErrors on a GPU, so they are here too.
_SIGS = {k: _signature(v) for k, v in _NAMES["signatures"].items()}
_METHOD_SIGS = {k: _signature(v) for k, v in _NAMES["method_signatures"].items()}


def _check_call(key, sig, args, kwargs):
    if sig is None:
        return
    try:
        sig.bind(*args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"cupy {key}(): {exc}") from None
_NDARRAY_NAMES = frozenset(_NAMES["ndarray"])

__version__ = "14.2.0+emulated"
EMULATED = True


def _unsupported(x):
    return TypeError(f"Unsupported type {type(x)}")


def _unwrap(x, strict=True):
    """Fake arrays -> their NumPy buffers; NumPy arrays are refused when ``strict``."""
    t = type(x)
    if t is ndarray:
        return x._a
    if t is _np.ndarray:
        if strict:
            raise _unsupported(x)
        return x
    if t is tuple or t is list:
        return t(_unwrap(e, strict) for e in x)
    if t is dict:
        return {k: _unwrap(v, strict) for k, v in x.items()}
    return x


def _unwrap_index(key):
    """Indices may be NumPy arrays (CuPy copies them to the device)."""
    return _unwrap(key, strict=False)


# -- memory accounting: bytes of live arrays that own their buffers -----------------------
_LIVE = {"used": 0, "peak": 0}


def _release(nbytes):
    _LIVE["used"] -= nbytes


def _track(a):
    if a.base is None and a.nbytes and not getattr(a, "_fake_tracked", False):
        _LIVE["used"] += a.nbytes
        if _LIVE["used"] > _LIVE["peak"]:
            _LIVE["peak"] = _LIVE["used"]
        weakref.finalize(a, _release, a.nbytes)


_BASES = weakref.WeakValueDictionary()   # id of a NumPy buffer -> its live wrapper


def _wrap(r):
    t = type(r)
    if t is _np.ndarray:
        out = object.__new__(ndarray)
        out._a = r
        _track(r)
        if r.base is None:
            _BASES[id(r)] = out   # the array a view's ``base`` gives back
        return out
    if isinstance(r, _np.generic):
        return _wrap(_np.asarray(r))
    if t is tuple or t is list:
        return t(_wrap(e) for e in r)
    if isinstance(r, tuple):
        # NumPy's named results (linalg.qr, eigh, slogdet ...): CuPy's may be plain tuples,
        # so code must index them, never use .Q/.eigenvalues
        return tuple(_wrap(e) for e in r)
    return r


class _MemoryPointer:
    __slots__ = ("ptr",)

    def __init__(self, ptr):
        self.ptr = ptr


class _Flags:
    """CuPy's flags: contiguity and ownership only (no ``writeable``, ``aligned``)."""

    __slots__ = ("c_contiguous", "f_contiguous", "owndata")

    def __init__(self, f):
        self.c_contiguous, self.f_contiguous, self.owndata = (
            f.c_contiguous, f.f_contiguous, f.owndata)

    def __getitem__(self, key):
        return {"C_CONTIGUOUS": self.c_contiguous, "F_CONTIGUOUS": self.f_contiguous,
                "OWNDATA": self.owndata}[key]


class ndarray:
    """A device array (emulated): a NumPy buffer CuPy's rules keep from mixing with NumPy."""

    __slots__ = ("_a", "__weakref__")
    __array_priority__ = 100

    def __init__(self, shape, dtype=float, memptr=None, strides=None, order="C"):
        self._a = _np.empty(shape, dtype=dtype, order=order)
        _track(self._a)

    # -- protocols ----------------------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. Please use "
                        "`.get()` to construct a NumPy array explicitly.")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # CuPy's matmul is a generalized ufunc: called, never reduced or accumulated
        if ufunc.__name__ not in _UFUNC_NAMES and not (
                method == "__call__" and ufunc.__name__ in _NAMES["cupy"]):
            return NotImplemented
        return _call_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types_, args, kwargs):
        mod = {"numpy": "cupy", "numpy.linalg": "linalg", "numpy.fft": "fft",
               "numpy.lib.stride_tricks": "stride_tricks"}.get(func.__module__)
        if mod is None or func.__name__ not in _NAMES[mod]:
            return NotImplemented
        key = f"{mod}.{func.__name__}"
        _check_call(key, _SIGS.get(key), args, kwargs)
        impl = getattr(func, "_implementation", func)
        return _wrap(impl(*_unwrap(args), **_unwrap(kwargs)))

    @property
    def __cuda_array_interface__(self):
        ai = self._a.__array_interface__
        return {"shape": ai["shape"], "typestr": ai["typestr"], "strides": ai["strides"],
                "data": ai["data"], "version": 3}

    def __dlpack_device__(self):
        return (2, 0)   # kDLCUDA, device 0

    # -- metadata -----------------------------------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    strides = property(lambda self: self._a.strides)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    flags = property(lambda self: _Flags(self._a.flags))
    T = property(lambda self: _wrap(self._a.T))
    mT = property(lambda self: _wrap(self._a.mT))
    data = property(lambda self: _MemoryPointer(self._a.__array_interface__["data"][0]))

    @property
    def base(self):
        # CuPy's base is one array object (``a[1:].base is a``): one wrapper per buffer
        b = self._a.base
        if type(b) is not _np.ndarray:
            return None
        w = _BASES.get(id(b))
        if w is None or w._a is not b:
            w = object.__new__(ndarray)   # (already counted when first wrapped)
            w._a = b
            _BASES[id(b)] = w
        return w

    @property
    def device(self):
        from .cuda import Device
        return Device(0)

    @property
    def real(self):
        return _wrap(self._a.real)

    @real.setter
    def real(self, value):
        self._a.real = _unwrap(value)

    @property
    def imag(self):
        return _wrap(self._a.imag)

    @imag.setter
    def imag(self, value):
        self._a.imag = _unwrap(value)

    # -- host transfer ------------------------------------------------------------------
    def get(self, stream=None, order="C", out=None, blocking=True):
        if out is not None:
            _np.copyto(out, self._a)
            return out
        return self._a.copy(order="A" if order == "A" else order)

    def set(self, arr, stream=None):
        if type(arr) is not _np.ndarray:
            raise TypeError(f"Only numpy.ndarray can be set to cupy.ndarray, got {type(arr)}")
        if arr.shape != self._a.shape:
            raise ValueError("Shape mismatch")
        _np.copyto(self._a, arr)

    # -- Python protocols ---------------------------------------------------------------
    def __getitem__(self, key):
        return _wrap(self._a[_unwrap_index(key)])

    def __setitem__(self, key, value):
        self._a[_unwrap_index(key)] = _unwrap(value)

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(len(self._a)))

    def __bool__(self):
        return bool(self._a)

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __complex__(self):
        return complex(self._a)

    def __repr__(self):
        return repr(self._a)

    def __str__(self):
        return str(self._a)

    __hash__ = None

    def __copy__(self):
        return _wrap(self._a.copy())

    def __deepcopy__(self, memo):
        return _wrap(self._a.copy())

    def __reduce__(self):
        return (_rebuild, (self._a.copy(),))


def _rebuild(a):
    return _wrap(a)


def _call_ufunc(ufunc, method, inputs, kwargs):
    raw = _unwrap(inputs)
    kw = dict(kwargs)
    out = kw.get("out")
    if out is not None:
        kw["out"] = _unwrap(out)
    res = getattr(ufunc, method)(*raw, **kw)
    if method == "at":
        return None
    if out is not None:
        return out[0] if isinstance(out, tuple) and len(out) == 1 else out
    return _wrap(res)


def _method(name):
    sig = _METHOD_SIGS.get(name)

    def m(self, *args, **kwargs):
        _check_call(f"ndarray.{name}", sig, (self,) + args, kwargs)
        return _wrap(getattr(self._a, name)(*_unwrap(args), **_unwrap(kwargs)))
    m.__name__ = name
    return m


for _name in sorted(_NDARRAY_NAMES):
    if (_name.startswith("_") or hasattr(ndarray, _name)
            or not callable(getattr(_np.ndarray, _name, None))):
        continue
    setattr(ndarray, _name, _method(_name))


def _binop(ufunc_name, reflected=False, inplace=False):
    uf = getattr(_np, ufunc_name)

    def op(self, other):
        if inplace:
            return _call_ufunc(uf, "__call__", (self, other), {"out": (self,)})
        args = (other, self) if reflected else (self, other)
        return _call_ufunc(uf, "__call__", args, {})
    return op


for _dunder, _uf in (("add", "add"), ("sub", "subtract"), ("mul", "multiply"),
                     ("truediv", "true_divide"), ("floordiv", "floor_divide"),
                     ("mod", "remainder"), ("pow", "power"), ("matmul", "matmul"),
                     ("and", "bitwise_and"), ("or", "bitwise_or"), ("xor", "bitwise_xor"),
                     ("lshift", "left_shift"), ("rshift", "right_shift")):
    setattr(ndarray, f"__{_dunder}__", _binop(_uf))
    setattr(ndarray, f"__r{_dunder}__", _binop(_uf, reflected=True))
    setattr(ndarray, f"__i{_dunder}__", _binop(_uf, inplace=True))
for _dunder, _uf in (("eq", "equal"), ("ne", "not_equal"), ("lt", "less"),
                     ("le", "less_equal"), ("gt", "greater"), ("ge", "greater_equal")):
    setattr(ndarray, f"__{_dunder}__", _binop(_uf))
for _dunder, _uf in (("neg", "negative"), ("pos", "positive"), ("abs", "absolute"),
                     ("invert", "invert")):
    setattr(ndarray, f"__{_dunder}__",
            (lambda uf: lambda self: _call_ufunc(uf, "__call__", (self,), {}))(
                getattr(_np, _uf)))


class ufunc:
    """An emulated CuPy ufunc: refuses NumPy arrays, returns device arrays."""

    def __init__(self, np_ufunc):
        self._uf = np_ufunc
        self.__name__ = np_ufunc.__name__
        self.nin, self.nout, self.nargs = np_ufunc.nin, np_ufunc.nout, np_ufunc.nargs

    def __call__(self, *args, **kwargs):
        return _call_ufunc(self._uf, "__call__", args, kwargs)

    def __repr__(self):
        return f"<ufunc '{self.__name__}'>"


for _m in ("at", "reduce", "accumulate", "outer", "reduceat"):
    setattr(ufunc, _m, (lambda m: lambda self, *a, **k: _call_ufunc(self._uf, m, a, k))(_m))


def _function(np_func, strict=True, key=None):
    sig = _SIGS.get(key)

    def f(*args, **kwargs):
        _check_call(key, sig, args, kwargs)
        return _wrap(np_func(*_unwrap(args, strict), **_unwrap(kwargs, strict)))
    f.__name__ = getattr(np_func, "__name__", "function")
    f.__doc__ = f"Emulated cupy.{f.__name__}."
    return f


def _populate(namespace, np_module, names, prefix="cupy"):
    for name in names:
        if name in namespace:
            continue
        obj = getattr(np_module, name, None)
        if obj is None:
            continue
        if isinstance(obj, _np.ufunc):
            namespace[name] = ufunc(obj) if name in _UFUNC_NAMES else _function(
                obj, key=f"{prefix}.{name}")
        elif isinstance(obj, types.ModuleType):
            continue   # submodules are the emulator's own (below)
        elif isinstance(obj, type) or not callable(obj):
            namespace[name] = obj
        else:
            namespace[name] = _function(obj, key=f"{prefix}.{name}")


# -- host <-> device ---------------------------------------------------------------------
def asarray(a, dtype=None, order=None, *, blocking=False):
    if type(a) is ndarray:
        if dtype is None or _np.dtype(dtype) == a.dtype:
            return a
        return _wrap(a._a.astype(dtype))
    return _wrap(_np.array(_unwrap(a, strict=False), dtype=dtype, order=order or "K"))


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0, *, blocking=False):
    return _wrap(_np.array(_unwrap(obj, strict=False), dtype=dtype, copy=copy, order=order,
                           ndmin=ndmin))


def ascontiguousarray(a, dtype=None):
    return _wrap(_np.ascontiguousarray(_unwrap(a, strict=False), dtype=dtype))


def asnumpy(a, stream=None, order="C", out=None, blocking=True):
    if type(a) is ndarray:
        return a.get(out=out)
    return _np.asarray(a, order=order)


def get_array_module(*args):
    for a in args:
        if type(a) is ndarray:
            return _THIS[0]
    return _np


def from_dlpack(obj):
    raise NotImplementedError("the emulated cupy has no DLPack exchange")


_THIS = [None]   # the cupy package, set by its __init__
