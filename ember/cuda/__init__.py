"""ember.cuda: CUDA device queries.

The CuPy backend arrives with the cuda issue; until then no CUDA device is ever
available, so the usual first line of a script works unchanged::

    device = "cuda" if ember.cuda.is_available() else "cpu"

Nothing here imports CuPy.
"""

__all__ = ["is_available", "device_count"]


def is_available():
    """Whether a CUDA device can be used (always False in this build)."""
    return False


def device_count():
    """Number of CUDA devices ember can use (0 in this build)."""
    return 0
