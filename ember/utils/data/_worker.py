"""What runs inside a DataLoader worker process, and what it sends back.

A worker reads tasks ``(epoch, task_index, index)`` from its own index queue, loads
and collates the batch, and puts ``(epoch, task_index, data)`` on the result queue
shared by all workers.  ``data`` is an :class:`ExceptionWrapper` when loading
raised (the main process re-raises it with the worker's traceback), or an
:class:`IterableExhausted` marker once the worker's copy of an IterableDataset is
used up.  ``None`` on the index queue tells the worker to exit.
"""
import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

# How often a waiting worker checks that its parent is still alive, in seconds.
STATUS_CHECK_INTERVAL = 1.0

_worker_info = None


class WorkerInfo:
    """Read-only facts about the current worker: id, num_workers, seed, dataset."""

    def __init__(self, **kwargs):
        for key, value in kwargs.items():
            object.__setattr__(self, key, value)
        object.__setattr__(self, "_keys", tuple(kwargs))

    def __setattr__(self, key, value):
        raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")

    def __repr__(self):
        fields = ", ".join(f"{k}={getattr(self, k)}" for k in self._keys)
        return f"{self.__class__.__name__}({fields})"


def get_worker_info():
    """The :class:`WorkerInfo` of this DataLoader worker process; None in the main process.

    An IterableDataset uses it to give each worker its own share of the stream:

    >>> info = get_worker_info()
    >>> start = 0 if info is None else info.id
    """
    return _worker_info


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its traceback."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the same exception type, its message holding the original traceback."""
        message = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            # KeyError repr()s its message; this subclass keeps the newlines readable.
            message = _KeyErrorMessage(message)
        try:
            exception = self.exc_type(message)
        except Exception:
            raise RuntimeError(message) from None
        raise exception


class _KeyErrorMessage(str):
    def __repr__(self):
        return self


@dataclass(frozen=True)
class IterableExhausted:
    """Sent by a worker whose IterableDataset iterator is exhausted."""
    worker_id: int


def _numpy_seed(seed):
    """A 32-bit seed for NumPy's global RNG from the worker's 64-bit seed."""
    return int(np.random.SeedSequence(seed).generate_state(1)[0])


def _seed_everything(seed):
    from ... import _random
    random.seed(seed)
    _random.manual_seed(seed)
    np.random.seed(_numpy_seed(seed))


class _Fetcher:
    """Loads one task's data: a batch of indices, one index, or the next items of a stream."""

    def __init__(self, dataset, iterable, auto_collation, collate_fn, batch_size, drop_last):
        self.dataset = dataset
        self.iterable = iterable
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.iterator = None
        self.exhausted = False

    def restart(self):
        self.iterator = iter(self.dataset) if self.iterable else None
        self.exhausted = False

    def fetch(self, index):
        """The collated data for ``index``; raises StopIteration when a stream ends."""
        if self.iterable:
            return self._fetch_stream()
        if self.auto_collation:
            getitems = getattr(self.dataset, "__getitems__", None)
            if callable(getitems):
                samples = getitems(index)
            else:
                samples = [self.dataset[i] for i in index]
            return self.collate_fn(samples)
        return self.collate_fn(self.dataset[index])

    def _fetch_stream(self):
        if self.exhausted:
            raise StopIteration
        if not self.auto_collation:
            try:
                return self.collate_fn(next(self.iterator))
            except StopIteration:
                self.exhausted = True
                raise
        samples = []
        for _ in range(self.batch_size):
            try:
                samples.append(next(self.iterator))
            except StopIteration:
                self.exhausted = True
                break
        if not samples or (self.drop_last and len(samples) < self.batch_size):
            self.exhausted = True
            raise StopIteration
        return self.collate_fn(samples)


def _pickled(epoch, task_index, data, where):
    """The result as bytes, pickled here so that a failure reaches the user.

    (multiprocessing.Queue would pickle in a feeder thread, where an error is only
    printed and the main process would wait for a result that never comes.)
    """
    try:
        return pickle.dumps((epoch, task_index, data), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return pickle.dumps((epoch, task_index, ExceptionWrapper(where=where)))


def worker_loop(fetcher, index_queue, result_queue, base_seed, init_fn, worker_id,
                num_workers):
    """The body of worker process ``worker_id`` (see the module docstring)."""
    global _worker_info
    seed = base_seed + worker_id
    _seed_everything(seed)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                              dataset=fetcher.dataset)
    where = f"in DataLoader worker process {worker_id}"
    init_error = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
    except Exception:
        init_error = ExceptionWrapper(where=where)

    parent = os.getppid()
    epoch_seen = None
    try:
        while True:
            try:
                task = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent:   # the main process died: do not linger
                    return
                continue
            if task is None:
                return
            epoch, task_index, index = task
            if epoch != epoch_seen:      # a new pass over the data (persistent workers)
                fetcher.restart()
                epoch_seen = epoch
            if init_error is not None:
                data = init_error
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    data = IterableExhausted(worker_id)
                except Exception:
                    data = ExceptionWrapper(where=where)
            result_queue.put(_pickled(epoch, task_index, data, where))
            del data
    except KeyboardInterrupt:
        pass
