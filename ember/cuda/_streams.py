"""CUDA streams and events (``torch.cuda.Stream``, ``torch.cuda.Event``) over CuPy's.

Entering ``ember.cuda.stream(s)`` makes ``s`` CuPy's current stream, so every ember op
(which runs CuPy kernels) issued inside the block is queued on ``s``.
"""
from .._device import cupy, device as _device


def _index(dev):
    """A cuda device index from None (current), an int, a str or a device."""
    from . import _device_index   # ember.cuda imports this module: resolved at call time
    return _device_index(dev)


class Stream:
    """A CUDA stream on a device (``torch.cuda.Stream(device=None, priority=0)``).

    >>> s = ember.cuda.Stream()
    >>> with ember.cuda.stream(s):
    ...     y = x * 2
    >>> s.synchronize()
    """

    def __init__(self, device=None, priority=0, **kwargs):
        cp = cupy()
        index = _index(device)
        with cp.cuda.Device(index):
            self._cp = cp.cuda.Stream(non_blocking=False, priority=priority or None)
        self._index = index

    @classmethod
    def _of(cls, cp_stream, index):
        s = object.__new__(cls)
        s._cp, s._index = cp_stream, index
        return s

    @property
    def device(self):
        return _device("cuda", self._index)

    @property
    def device_index(self):
        return self._index

    device_type = 1   # NOTE: torch's DeviceType code for cuda

    @property
    def cuda_stream(self):
        """The raw ``cudaStream_t`` as an int (0 for the legacy default stream)."""
        return int(self._cp.ptr)

    @property
    def priority(self):
        return getattr(self._cp, "priority", 0) or 0

    def query(self):
        """Whether all work queued on the stream has finished."""
        return bool(self._cp.done)

    def synchronize(self):
        """Wait until all work queued on the stream has finished."""
        self._cp.synchronize()

    def wait_event(self, event):
        """Make later work on this stream wait until ``event`` has completed."""
        if not isinstance(event, Event):
            raise TypeError(f"wait_event(): expected an Event, got {type(event).__name__}")
        self._cp.wait_event(event._cp)

    def wait_stream(self, stream):
        """Make later work on this stream wait for the work queued so far on ``stream``."""
        if not isinstance(stream, Stream):
            raise TypeError(f"wait_stream(): expected a Stream, got {type(stream).__name__}")
        self.wait_event(stream.record_event())

    def record_event(self, event=None):
        """Record ``event`` (a new one when None) on this stream and return it."""
        if event is None:
            event = Event()
        event.record(self)
        return event

    def __eq__(self, other):
        if not isinstance(other, Stream):
            return NotImplemented
        return self.cuda_stream == other.cuda_stream and self._index == other._index

    def __hash__(self):
        return hash((self.cuda_stream, self._index))

    def __repr__(self):
        return (f"<ember.cuda.Stream device=cuda:{self._index} "
                f"cuda_stream={self.cuda_stream:#x}>")

    def __enter__(self):
        self._ctx = StreamContext(self)
        return self._ctx.__enter__()

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)
        return False


class Event:
    """A CUDA event: a marker in a stream to wait on or time between.

    >>> start = ember.cuda.Event(enable_timing=True)
    >>> end = ember.cuda.Event(enable_timing=True)
    >>> start.record(); y = x @ x; end.record()
    >>> end.synchronize(); ms = start.elapsed_time(end)
    """

    def __init__(self, enable_timing=False, blocking=False, interprocess=False, external=False):
        cp = cupy()
        self.enable_timing = bool(enable_timing)
        self._cp = cp.cuda.Event(block=bool(blocking), disable_timing=not enable_timing,
                                 interprocess=bool(interprocess))
        self._recorded = False

    def record(self, stream=None):
        """Record the event on ``stream`` (the current stream when None)."""
        if stream is None:
            stream = current_stream()
        elif not isinstance(stream, Stream):
            raise TypeError(f"record(): expected a Stream, got {type(stream).__name__}")
        self._cp.record(stream._cp)
        self._recorded = True

    def wait(self, stream=None):
        """Make later work on ``stream`` (the current stream when None) wait for this event."""
        if stream is None:
            stream = current_stream()
        stream.wait_event(self)

    def query(self):
        """Whether the work before the event's record has finished (True if never recorded)."""
        return bool(self._cp.done)

    def synchronize(self):
        """Wait until the event has completed."""
        self._cp.synchronize()

    def elapsed_time(self, end_event):
        """Milliseconds between this event's record and ``end_event``'s."""
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError("Both events must be created with argument "
                               "'enable_timing=True'.")
        if not (self._recorded and end_event._recorded):
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        cp = cupy()
        try:
            return float(cp.cuda.get_elapsed_time(self._cp, end_event._cp))
        except Exception as exc:  # CUDARuntimeError (e.g. end not yet complete)
            raise RuntimeError(f"elapsed_time(): {exc}") from exc

    @property
    def cuda_event(self):
        return int(self._cp.ptr)

    def __repr__(self):
        return f"<ember.cuda.Event {self.cuda_event:#x}>" if self._recorded else \
            "<ember.cuda.Event uninitialized>"


def current_stream(device=None):
    """The stream ember's ops run on for ``device`` (the current device when None)."""
    cp = cupy()
    index = _index(device)
    return Stream._of(cp.cuda.get_current_stream(index), index)


def default_stream(device=None):
    """The device's default (null) stream."""
    cp = cupy()
    return Stream._of(cp.cuda.Stream.null, _index(device))


def set_stream(stream):
    """Make ``stream`` the current stream (None: no-op)."""
    if stream is None:
        return
    cp = cupy()
    cp.cuda.runtime.setDevice(stream._index)
    stream._cp.use()


class StreamContext:
    """Within the block, ``stream`` (and its device) is current; None is a no-op."""

    def __init__(self, stream):
        if stream is not None and not isinstance(stream, Stream):
            raise TypeError(f"stream(): expected a Stream or None, got "
                            f"{type(stream).__name__}")
        self.stream = stream
        self._saved = []

    def __enter__(self):
        s = self.stream
        if s is None:
            return None
        cp = cupy()
        prev_device = cp.cuda.runtime.getDevice()
        cp.cuda.runtime.setDevice(s._index)
        prev_stream = cp.cuda.get_current_stream(s._index)
        self._saved.append((prev_device, prev_stream))
        s._cp.use()
        return s

    def __exit__(self, *exc):
        if self.stream is None:
            return False
        cp = cupy()
        prev_device, prev_stream = self._saved.pop()
        prev_stream.use()
        cp.cuda.runtime.setDevice(prev_device)
        return False


def stream(stream):
    """``with ember.cuda.stream(s):`` runs the block's cuda work on ``s``."""
    return StreamContext(stream)
