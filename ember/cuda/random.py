"""``ember.cuda.random``: seeding and state of the cuda devices' default generators
(``torch.cuda.random``'s functions).

Each cuda device has one default generator (``ember/_random.py``), made on first use;
its state is a 16-byte uint8 cpu tensor (seed, offset).  ``ember.manual_seed`` seeds
them too.

NOTE: torch queues the seeding calls until CUDA starts, so on a build or a machine
without CUDA ``manual_seed``, ``manual_seed_all``, ``seed``, ``seed_all`` and
``set_rng_state`` do nothing and ``get_rng_state_all`` is ``[]``, while
``initial_seed`` and ``get_rng_state`` raise; ember does the same.
"""
import os

from .. import _random as R
from .._device import CudaUnavailableError, cuda_device_count, cupy

__all__ = ["get_rng_state", "get_rng_state_all", "set_rng_state", "set_rng_state_all",
           "manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed"]


def _available():
    try:
        cupy()
    except CudaUnavailableError:
        return False
    return True


def _generator(dev="cuda"):
    cupy()   # torch's error when there is no cuda
    from . import _device_index   # the same parsing as the rest of ember.cuda
    return R.cuda_default_generator(_device_index(dev))


def manual_seed(seed):
    """Seed the current cuda device's default generator (a no-op without cuda).

    >>> ember.cuda.manual_seed(0)   # doctest: +SKIP
    """
    seed = int(seed)
    if _available():
        _generator().manual_seed(seed)


def manual_seed_all(seed):
    """Seed the default generators of all cuda devices (a no-op without cuda).

    >>> ember.cuda.manual_seed_all(0)
    """
    R.cuda_manual_seed_all(int(seed))


def seed():
    """Seed the current cuda device's default generator from the OS (returns None)."""
    if _available():
        _generator().seed()


def seed_all():
    """Seed all cuda devices' default generators with one seed from the OS (returns None)."""
    R.cuda_manual_seed_all(int.from_bytes(os.urandom(8), "little"))


def initial_seed():
    """The seed of the current cuda device's default generator.

    >>> ember.cuda.manual_seed(3); ember.cuda.initial_seed()   # doctest: +SKIP
    3
    """
    return _generator().initial_seed()


def get_rng_state(device="cuda"):
    """The state of a cuda device's default generator: a 16-byte uint8 cpu tensor.

    >>> state = ember.cuda.get_rng_state()   # doctest: +SKIP
    >>> ember.cuda.set_rng_state(state)      # doctest: +SKIP
    """
    return _generator(device).get_state()


def set_rng_state(new_state, device="cuda"):
    """Restore a cuda device's default generator from ``get_rng_state`` (a no-op without
    cuda)."""
    if _available():
        _generator(device).set_state(new_state)


def get_rng_state_all():
    """The states of all cuda devices' default generators (``[]`` without cuda)."""
    return [get_rng_state(i) for i in range(cuda_device_count())]


def set_rng_state_all(new_states):
    """Restore every cuda device's default generator from ``get_rng_state_all()``."""
    for i, state in enumerate(new_states):
        set_rng_state(state, i)
