"""``ember.cuda``: the cuda device through CuPy (``pip install 'ember[cuda]'``).

Nothing here imports CuPy until it is asked something: ``import ember`` stays
GPU-free, and without CuPy or without a GPU ``is_available()`` is False and any use
of a cuda tensor raises torch's error.
"""
from .._device import CudaUnavailableError, cuda_device_count, cupy

__all__ = ["is_available", "device_count"]


def is_available():
    """Whether CuPy imports and reports at least one CUDA device."""
    try:
        cupy()
    except CudaUnavailableError:
        return False
    return True


def device_count():
    return cuda_device_count()
