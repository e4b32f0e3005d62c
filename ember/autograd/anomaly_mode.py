"""Anomaly detection: ``detect_anomaly`` / ``set_detect_anomaly``.

While enabled, every graph node remembers the stack of the forward call that made
it, a backward formula returning NaN raises naming the node, and an error inside a
backward formula is preceded by a warning showing that forward stack.  It slows
everything down; it is for debugging, as in torch.
"""
import os
import traceback
import warnings

from .grad_mode import STATE, _GradModeContext

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "set_anomaly_enabled"]


def is_anomaly_enabled():
    return STATE.anomaly


def is_anomaly_check_nan_enabled():
    return STATE.check_nan


def set_anomaly_enabled(mode, check_nan=True):
    """Turn anomaly detection on or off globally (``torch.set_anomaly_enabled``)."""
    STATE.anomaly = bool(mode)
    STATE.check_nan = bool(check_nan)


class detect_anomaly(_GradModeContext):
    """Enable anomaly detection inside the block (or the decorated function).

    >>> with ember.autograd.detect_anomaly():
    ...     (x.sqrt() * 0).sum().backward()   # raises if a gradient becomes NaN
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the "
                      "runtime and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        self._prev_anomaly = (STATE.anomaly, STATE.check_nan)
        STATE.anomaly = True
        STATE.check_nan = self.check_nan

    def __exit__(self, *exc):
        STATE.anomaly, STATE.check_nan = self._prev_anomaly
        return False

    def clone(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return detect_anomaly(self.check_nan)


class set_detect_anomaly(_GradModeContext):
    """Turn anomaly detection on or off now; as a context manager, restore on exit."""

    def __init__(self, mode, check_nan=True):
        self._prev_anomaly = (STATE.anomaly, STATE.check_nan)
        self.mode = bool(mode)
        self.check_nan = check_nan
        STATE.anomaly = self.mode
        STATE.check_nan = check_nan

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        STATE.anomaly, STATE.check_nan = self._prev_anomaly
        return False

    def __call__(self, func):
        STATE.anomaly, STATE.check_nan = self._prev_anomaly
        return super().__call__(func)

    def clone(self):
        return set_detect_anomaly(self.mode, self.check_nan)


_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def record_trace(node):
    """Remember where in the forward pass ``node`` was made: the user's frames only
    (ember's own frames are dropped, as torch's trace shows no C++ frames)."""
    frames = [f for f in traceback.extract_stack()[:-1]
              if not os.path.abspath(f.filename).startswith(_EMBER_DIR)]
    node._forward_trace = "".join(traceback.format_list(frames))
    node.metadata["traceback_"] = frames


def checked_call(call, node, *args):
    """Run a node's backward with anomaly checks: on an error or a NaN gradient, warn with
    the forward trace of the node, then raise."""
    try:
        outs = call(node, *args)
        if outs is not None and STATE.check_nan:
            for i, g in enumerate(outs):
                if g is not None and _has_nan(g._data):
                    raise RuntimeError(f"Function '{node.name()}' returned nan values in its "
                                       f"{i}th output.")
    except Exception:
        trace = node.__dict__.get("_forward_trace")
        if trace:
            warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that "
                          f"caused the error:\n{trace}", stacklevel=2)
        raise
    return outs


def _has_nan(arr):
    import numpy as np
    if arr.dtype.kind in "fc":
        return bool(np.isnan(arr).any())
    if arr.dtype.kind == "V":   # bfloat16 (ml_dtypes)
        return bool(np.isnan(arr.astype(np.float32)).any())
    return False
