"""Random number generators: ``Generator``, the default generator, seeding and state.

Ember's random streams are its own (DESIGN.md, principle 8): a ``Generator`` wraps
NumPy's PCG64 bit generator, so the same seed always gives the same numbers in
ember, but never the numbers torch would give.  Everything else follows torch:
``manual_seed`` returns the generator, ``initial_seed`` reports the seed as an
unsigned 64-bit integer, and the state is a uint8 tensor that ``set_state`` takes
back to resume exactly where ``get_state`` was called.

Random ops (``ember/ops/random.py``) get their source of random numbers through
``sampler(generator, device)``: NumPy's generator for cpu (and meta) tensors, or for
cuda tensors a ``CudaSampler`` that draws on the GPU.  Host-only code may still use
``numpy_generator(generator)``.  ``manual_seed`` governs every random number in ember.

A cuda generator's state is (seed, offset), as torch's: every draw re-seeds a CuPy
``RandomState`` (Philox, whose seeding costs nothing) with a 64-bit mix of the two and
then advances the offset, so ``get_state``/``set_state`` resume exactly and the same
seed replays the same numbers, all without copying random numbers from the host.
"""
import contextlib
import os

import numpy as np

from ._device import _CUPY, CPU, META, as_device, cupy

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "fork_rng"]

# NOTE: torch.Generator() starts from this seed; torch's *default* generator is seeded
# from the OS at start-up instead, and so is ember's (see the bottom of this file).
_DEFAULT_SEED = 67280421310721
_U64 = (1 << 64) - 1
_MIN_SEED = -(1 << 63)

# State layout (little-endian): seed u64 | PCG64 state u128 | PCG64 inc u128 |
# has_uint32 u32 | uinteger u32.  48 bytes; inc is always odd in a valid state.
_STATE_SIZE = 48
# A cuda generator's state: seed u64 | offset u64 (torch's cuda layout and size).
_CUDA_STATE_SIZE = 16


def _check_seed(seed, op="manual_seed"):
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        if hasattr(seed, "__index__") and not isinstance(seed, bool):
            seed = seed.__index__()   # a 0-dim integer tensor
        else:
            raise RuntimeError(f"{op} expected a long, but got {type(seed).__name__}")
    seed = int(seed)
    if seed < _MIN_SEED or seed > _U64:
        raise ValueError(f"{op}: seed {seed} does not fit in 64 bits (overflow when unpacking "
                         "long long)")
    # NOTE: like torch, negative seeds are taken modulo 2**64 (initial_seed() of -1 is 2**64-1).
    return seed & _U64


class Generator:
    """A stream of random numbers with its own seed and state (``torch.Generator``).

    ``Generator(device='cuda')`` draws on that cuda device; its state is (seed, offset).

    >>> g = ember.Generator().manual_seed(0)
    >>> a = ember.rand(3, generator=g)
    >>> g.manual_seed(0); bool((ember.rand(3, generator=g) == a).all())
    True
    """

    __slots__ = ("_device", "_seed", "_bitgen", "_np", "_offset", "_rs")

    def __init__(self, device="cpu"):
        dev = as_device(device)   # cuda without CuPy or a GPU: torch's error
        if dev is not CPU and dev.type != "cuda":
            raise RuntimeError(f"Generator(): {dev.type} device type is not an accelerator; "
                               "ember generators live on the cpu or a cuda device")
        self._device = dev
        self._bitgen = self._np = self._rs = None
        self._offset = 0
        self.manual_seed(_DEFAULT_SEED)

    @property
    def device(self):
        return self._device

    def manual_seed(self, seed):
        """Reset the stream to ``seed`` (any int in [-2**63, 2**64)); returns ``self``."""
        seed = _check_seed(seed)
        self._seed = seed
        if self._device is not CPU:
            self._offset = 0
            return self
        self._bitgen = np.random.PCG64(seed)
        self._np = np.random.Generator(self._bitgen)
        return self

    def seed(self):
        """Seed from the operating system's entropy; returns the new seed."""
        new_seed = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(new_seed)
        return new_seed

    def initial_seed(self):
        """The seed the stream was last reset to."""
        return self._seed

    def get_state(self):
        """The full state as a uint8 tensor; ``set_state`` of it replays the same draws."""
        from ._tensor import _wrap
        if self._device is not CPU:
            raw = self._seed.to_bytes(8, "little") + self._offset.to_bytes(8, "little")
            return _wrap(np.frombuffer(raw, dtype=np.uint8).copy())
        st = self._bitgen.state
        raw = (self._seed.to_bytes(8, "little")
               + st["state"]["state"].to_bytes(16, "little")
               + st["state"]["inc"].to_bytes(16, "little")
               + int(st["has_uint32"]).to_bytes(4, "little")
               + int(st["uinteger"]).to_bytes(4, "little"))
        return _wrap(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state from ``get_state``; returns ``self``."""
        from ._tensor import Tensor
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state._data.dtype != np.uint8:
            raise TypeError(f"RNG state must be a torch.ByteTensor (got {new_state.dtype})")
        if new_state._device is not CPU:
            raise RuntimeError(f"set_state: the RNG state must be a cpu tensor, got "
                               f"{new_state._device}")
        raw = np.ascontiguousarray(new_state._data).reshape(-1).tobytes()
        if self._device is not CPU:
            if len(raw) != _CUDA_STATE_SIZE:
                raise RuntimeError(f"RNG state is wrong size: expected {_CUDA_STATE_SIZE} "
                                   f"bytes (seed, offset) for a cuda generator, got {len(raw)}")
            self._seed = int.from_bytes(raw[0:8], "little")
            self._offset = int.from_bytes(raw[8:16], "little")
            return self
        if len(raw) != _STATE_SIZE:
            raise RuntimeError(f"Expected an ember RNG state of size {_STATE_SIZE} but found the "
                               f"input RNG state size to be {len(raw)}")
        inc = int.from_bytes(raw[24:40], "little")
        has_uint32 = int.from_bytes(raw[40:44], "little")
        if inc % 2 == 0 or has_uint32 > 1:
            raise RuntimeError("set_state: invalid RNG state (not produced by get_state)")
        self._seed = int.from_bytes(raw[0:8], "little")
        self._bitgen.state = {
            "bit_generator": "PCG64",
            "state": {"state": int.from_bytes(raw[8:24], "little"), "inc": inc},
            "has_uint32": has_uint32,
            "uinteger": int.from_bytes(raw[44:48], "little"),
        }
        return self

    def _next_random_state(self):
        """(cuda) The CuPy RandomState seeded for the next draw; advances the offset."""
        rs = self._rs
        if rs is None:
            rs = self._rs = _new_random_state(self._device.index)
        rs.seed(_mix(self._seed, self._offset))
        self._offset = (self._offset + 1) & _U64
        return rs

    def clone_state(self):
        """A new generator at the same point of the same stream."""
        g = Generator(self._device)
        return g.set_state(self.get_state())

    def __reduce__(self):
        return (_rebuild_generator, (str(self._device), self.get_state()._data.tobytes()))

    def __repr__(self):
        return f"<ember.Generator object at {hex(id(self))}>"


def _rebuild_generator(device, raw):
    from ._tensor import _wrap
    g = Generator(device)
    return g.set_state(_wrap(np.frombuffer(raw, dtype=np.uint8).copy()))


def _mix(seed, offset):
    """A 64-bit seed for draw number ``offset`` of stream ``seed`` (SplitMix64 finaliser:
    nearby (seed, offset) pairs give unrelated seeds)."""
    z = (seed + 0x9E3779B97F4A7C15 * (offset + 1)) & _U64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _U64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _U64
    return z ^ (z >> 31)


def _new_random_state(index):
    """A CuPy RandomState on cuda device ``index``, Philox where CuPy offers it (re-seeding
    a Philox generator is free; XORWOW, CuPy's default, runs a set-up kernel each time)."""
    cp = cupy()
    try:   # cupy.cuda.curand loads libcurand on first access: ImportError without it
        method = cp.cuda.curand.CURAND_RNG_PSEUDO_PHILOX4_32_10
    except (AttributeError, ImportError):
        method = None
    with cp.cuda.Device(index):
        if method is None:
            return cp.random.RandomState()
        return cp.random.RandomState(method=method)


class CudaSampler:
    """Draws on a cuda device, with the calls (and dtypes) of a NumPy ``Generator``, so
    the random ops' samplers serve both devices.  Every call is one draw of the
    generator: it re-seeds the CuPy RandomState from (seed, offset) and bumps the offset.
    """

    __slots__ = ("_gen", "_index")

    def __init__(self, gen, index):
        self._gen = gen
        self._index = index

    def _call(self, name, *args, **kwargs):
        cp = _CUPY[0]
        with cp.cuda.Device(self._index):
            return getattr(self._gen._next_random_state(), name)(*args, **kwargs)

    def random(self, size=None, dtype=np.float64):
        return self._call("random_sample", size=size, dtype=dtype)

    def integers(self, low, high, size=None, dtype=np.int64):
        return self._call("randint", low, high, size=size, dtype=dtype)

    def standard_normal(self, size=None, dtype=np.float64):
        return self._call("standard_normal", size=size, dtype=dtype)

    def standard_exponential(self, size=None, dtype=np.float64):
        return self._call("standard_exponential", size=size, dtype=dtype)

    def standard_cauchy(self, size=None):
        return self._call("standard_cauchy", size=size, dtype=np.float64)

    def geometric(self, p, size=None):
        return self._call("geometric", p, size=size, dtype=np.int64)

    def poisson(self, lam):
        return self._call("poisson", lam, size=lam.shape, dtype=np.int64)

    def permutation(self, n):
        return self._call("permutation", n)

    def uniform(self, low=0.0, high=1.0, size=None):
        return self._call("uniform", low, high, size=size, dtype=np.float64)

    def standard_gamma(self, shape, size=None, dtype=np.float64):
        size = getattr(shape, "shape", ()) if size is None else size
        return self._call("standard_gamma", shape, size=size, dtype=dtype)

    def binomial(self, n, p, size=None):
        if size is None:
            size = np.broadcast_shapes(getattr(n, "shape", ()), getattr(p, "shape", ()))
        return self._call("binomial", n, p, size=size, dtype=np.int64)


def _check_generator(generator, op):
    if type(generator) is not Generator:
        raise TypeError(f"{op}(): argument 'generator' must be ember.Generator, not "
                        f"{type(generator).__name__}")


def _wrong_device(generator, device_type):
    return RuntimeError(f"Expected a '{device_type}' device type for generator but found "
                        f"'{generator._device.type}'")


def numpy_generator(generator, op="random op"):
    """The NumPy generator behind ``generator`` (None: the default generator); host only."""
    if generator is None:
        return default_generator._np
    _check_generator(generator, op)
    if generator._device is not CPU:
        raise _wrong_device(generator, "cpu")
    return generator._np


def sampler(generator, device, op="random op"):
    """What a random op on ``device`` draws from: NumPy's generator for cpu and meta (meta
    draws nothing), a ``CudaSampler`` on the device for cuda.  ``generator`` None means
    the device's default generator; one of another device type is refused, as torch."""
    if device is CPU or device is META:
        if generator is None:
            return default_generator._np
        _check_generator(generator, op)
        if generator._device is not CPU:
            if device is META:
                return default_generator._np
            raise _wrong_device(generator, "cpu")
        return generator._np
    if generator is None:
        generator = cuda_default_generator(device.index)
    else:
        _check_generator(generator, op)
        if generator._device.type != "cuda":
            raise _wrong_device(generator, "cuda")
    return CudaSampler(generator, device.index)


default_generator = Generator()
default_generator.seed()

# The default generator of each cuda device, made on first use (CuPy is never imported
# by seeding alone).  ``_CUDA_SEED`` holds the seed manual_seed/seed gave all of them,
# which a generator made later starts from; None: it seeds itself from the OS.
_CUDA_DEFAULTS = {}
_CUDA_SEED = [None]


def cuda_default_generator(index=None):
    """The default generator of cuda device ``index`` (None: the current device)."""
    if index is None:
        index = cupy().cuda.runtime.getDevice()
    gen = _CUDA_DEFAULTS.get(index)
    if gen is None:
        dev = as_device(f"cuda:{index}")   # refuses a device that does not exist
        gen = Generator(dev)
        if _CUDA_SEED[0] is None:
            gen.seed()
        else:
            gen.manual_seed(_CUDA_SEED[0])
        _CUDA_DEFAULTS[index] = gen
    return gen


def cuda_manual_seed_all(seed):
    """Seed every cuda device's default generator, present and future (no CuPy import)."""
    seed = _check_seed(seed)
    _CUDA_SEED[0] = seed
    for gen in _CUDA_DEFAULTS.values():
        gen.manual_seed(seed)


def _to_int(seed):
    # NOTE: torch.manual_seed runs int() on its argument first, so 1.5 and "3" are accepted.
    if isinstance(seed, (int, np.integer)) or hasattr(seed, "__index__"):
        return seed
    return int(seed)


def manual_seed(seed):
    """Seed the default generator, and those of the cuda devices; returns the cpu one.

    >>> ember.manual_seed(0)  # doctest: +ELLIPSIS
    <ember.Generator object at ...>
    """
    gen = default_generator.manual_seed(_to_int(seed))
    cuda_manual_seed_all(gen.initial_seed())
    return gen


def seed():
    """Seed the default generator from the OS (the cuda ones with the same seed);
    returns the seed."""
    new_seed = default_generator.seed()
    cuda_manual_seed_all(new_seed)
    return new_seed


def initial_seed():
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state (a uint8 tensor)."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default generator from ``get_rng_state()``."""
    default_generator.set_state(new_state)


_fork_rng_warned = [False]


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type=None):
    """Run a block with the default generators' states restored afterwards: the cpu one
    and those of the cuda ``devices`` (default: every cuda device there is).

    >>> with ember.random.fork_rng():  # doctest: +SKIP
    ...     ember.rand(2)              # these draws do not advance the outer stream
    """
    if device_type == "meta" or not enabled:
        yield
        return
    # NOTE: like torch, device_type None means cuda (ember's only accelerator).
    cuda = device_type in (None, "cuda")
    from .cuda import random as cuda_random
    if not cuda:
        devices = []
    elif devices is None:
        from ._device import cuda_device_count
        count = cuda_device_count()
        if count > 1 and not _fork_rng_warned[0]:
            import warnings
            warnings.warn(f"CUDA reports that you have {count} available devices, and you have "
                          f"used {_caller} without explicitly specifying which devices are "
                          f"being used; every device is forked. Set the '{_devices_kw}' "
                          "keyword argument to the devices you use to avoid this.",
                          stacklevel=3)
            _fork_rng_warned[0] = True
        devices = list(range(count))
    else:
        devices = list(devices)
    state = default_generator.get_state()
    device_states = [cuda_random.get_rng_state(d) for d in devices]
    try:
        yield
    finally:
        default_generator.set_state(state)
        for d, st in zip(devices, device_states):
            cuda_random.set_rng_state(st, d)
