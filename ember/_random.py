"""Random number generators: ``Generator``, the default generator, seeding and state.

Ember's random streams are its own (DESIGN.md, principle 8): a ``Generator`` wraps
NumPy's PCG64 bit generator, so the same seed always gives the same numbers in
ember, but never the numbers torch would give.  Everything else follows torch:
``manual_seed`` returns the generator, ``initial_seed`` reports the seed as an
unsigned 64-bit integer, and the state is a uint8 tensor that ``set_state`` takes
back to resume exactly where ``get_state`` was called.

Random ops (``ember/ops/random.py``) get their NumPy generator through
``numpy_generator(generator)``; other modules (dropout, ``nn.init``) should do
the same, so that ``manual_seed`` governs every random number in ember.
"""
import contextlib
import os

import numpy as np

from ._device import CPU, as_device

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

    >>> g = ember.Generator().manual_seed(0)
    >>> a = ember.rand(3, generator=g)
    >>> g.manual_seed(0); bool((ember.rand(3, generator=g) == a).all())
    True
    """

    __slots__ = ("_device", "_seed", "_bitgen", "_np")

    def __init__(self, device="cpu"):
        dev = as_device(device)
        if dev is not CPU:
            raise RuntimeError(f"Generator(): {dev.type} device type is not an accelerator; "
                               "ember generators live on the cpu")
        self._device = dev
        self.manual_seed(_DEFAULT_SEED)

    @property
    def device(self):
        return self._device

    def manual_seed(self, seed):
        """Reset the stream to ``seed`` (any int in [-2**63, 2**64)); returns ``self``."""
        seed = _check_seed(seed)
        self._seed = seed
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


def numpy_generator(generator, op="random op"):
    """The NumPy generator behind ``generator`` (None: the default generator)."""
    if generator is None:
        return default_generator._np
    if type(generator) is not Generator:
        raise TypeError(f"{op}(): argument 'generator' must be ember.Generator, not "
                        f"{type(generator).__name__}")
    return generator._np


default_generator = Generator()
default_generator.seed()


def _to_int(seed):
    # NOTE: torch.manual_seed runs int() on its argument first, so 1.5 and "3" are accepted.
    if isinstance(seed, (int, np.integer)) or hasattr(seed, "__index__"):
        return seed
    return int(seed)


def manual_seed(seed):
    """Seed the default generator; returns it.

    >>> ember.manual_seed(0)  # doctest: +ELLIPSIS
    <ember.Generator object at ...>
    """
    return default_generator.manual_seed(_to_int(seed))


def seed():
    """Seed the default generator from the OS; returns the seed."""
    return default_generator.seed()


def initial_seed():
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state (a uint8 tensor)."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default generator from ``get_rng_state()``."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """Run a block with the default generator's state restored afterwards.

    >>> with ember.random.fork_rng():  # doctest: +SKIP
    ...     ember.rand(2)              # these draws do not advance the outer stream
    """
    if not enabled:
        yield
        return
    state = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(state)
