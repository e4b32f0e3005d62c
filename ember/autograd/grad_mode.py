"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

All of them flip one module-level flag that the op fast paths read.  Each works as a
context manager and as a decorator, like torch's.
"""
import functools
import inspect


class _GradState:
    __slots__ = ("enabled", "inference", "anomaly", "check_nan")

    def __init__(self):
        self.enabled = True
        self.inference = False
        self.anomaly = False     # anomaly_mode.py: NaN checks and forward traces
        self.check_nan = True


STATE = _GradState()


def is_grad_enabled():
    return STATE.enabled


def is_inference_mode_enabled():
    return STATE.inference


class _GradModeContext:
    """Base: subclasses set ``_target`` (the grad-enabled value inside the block)."""

    _target = True
    _inference = None

    def __call__(self, func):
        if inspect.isclass(func):
            raise TypeError(f"{type(self).__name__} cannot decorate a class")
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args, **kwargs):
                gen = func(*args, **kwargs)
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        gen.close()
                        raise
                    with self.clone():
                        try:
                            response = gen.send(request)
                        except StopIteration as e:
                            return e.value
            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return type(self)()

    def __enter__(self):
        self._prev = (STATE.enabled, STATE.inference)
        STATE.enabled = self._target
        if self._inference is not None:
            STATE.inference = self._inference
        return None

    def __exit__(self, exc_type, exc, tb):
        STATE.enabled, STATE.inference = self._prev
        return False


class no_grad(_GradModeContext):
    """Disable gradient recording inside the block (or the decorated function).

    >>> x = ember.ones(2, requires_grad=True)
    >>> with ember.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    _target = False

    def __new__(cls, orig_func=None):
        # Support both @no_grad and @no_grad().
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            return self(orig_func)
        return self

    def __init__(self, orig_func=None):
        pass


class enable_grad(no_grad):
    """Re-enable gradient recording inside a no_grad block."""

    _target = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode``: takes effect at once, and is undone when used with ``with``."""

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'mode' must be bool, not "
                            f"{type(mode).__name__}")
        self._target = mode
        self._prev = (STATE.enabled, STATE.inference)
        STATE.enabled = mode

    def __call__(self, func):
        # NOTE: as torch, the mode was set when the object was made; decorating a
        # function undoes that (the mode then applies only inside the function).
        STATE.enabled = self._prev[0]
        return super().__call__(func)

    def __enter__(self):
        return None

    def clone(self):
        return set_grad_enabled(self._target)


class inference_mode(_GradModeContext):
    """Like no_grad (ember keeps no separate inference-tensor kind)."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode) and not isinstance(mode, bool):
            inner = cls(True)
            return inner(mode)
        return self

    def __init__(self, mode=True):
        if callable(mode) and not isinstance(mode, bool):
            mode = True
        self.mode = mode
        self._target = not mode
        self._inference = mode

    def __enter__(self):
        self._prev = (STATE.enabled, STATE.inference)
        # NOTE: as torch, inference_mode(False) turns grad mode on inside the block.
        STATE.enabled = not self.mode
        STATE.inference = self.mode

    def clone(self):
        return inference_mode(self.mode)
