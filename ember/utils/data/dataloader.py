"""DataLoader: batches from a dataset, in the main process or in worker processes."""
import itertools
import multiprocessing
import pickle
import queue
import sys

from . import _worker
from ._collate import default_collate, default_convert
from ._pin_memory import loader_pins, pin_memory
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader"]

# Seconds between liveness checks of the workers while the main process waits.
_STATUS_CHECK_INTERVAL = 1.0
# Seconds a worker gets to exit before it is terminated at shutdown.
_JOIN_TIMEOUT = 5.0


class _InfiniteConstantSampler(Sampler):
    """The "indices" of an IterableDataset: None forever (the data comes from its iterator)."""

    def __iter__(self):
        while True:
            yield None


def _default_context():
    # NOTE: like torch on Linux, workers are forked: the dataset need not be picklable
    # and workers start fast.  Elsewhere the platform default is used.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


class DataLoader:
    """Iterate over a dataset in batches (``torch.utils.data.DataLoader``).

    ``num_workers > 0`` loads batches in that many worker processes, each seeded with
    ``base_seed + worker_id``; batches still arrive in sampler order.

    >>> ds = TensorDataset(ember.arange(5))
    >>> [batch[0].tolist() for batch in DataLoader(ds, batch_size=2)]
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False,
                 timeout=0, worker_init_fn=None, multiprocessing_context=None,
                 generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        # NOTE: as in torch, the iterator decides whether to pin (and warns without an
        # accelerator), so a loader made before cuda is set up still pins.
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.in_order = in_order

        iterable = isinstance(dataset, IterableDataset)
        self._dataset_kind = "iterable" if iterable else "map"
        if iterable:
            if shuffle not in (False, None):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            if iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self._iterator = None

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None or (
            self._dataset_kind == "iterable" and self.batch_size is not None)

    @property
    def _index_sampler(self):
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __len__(self):
        if self._dataset_kind == "iterable":
            length = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    return length // self.batch_size
                return -(-length // self.batch_size)
            return length
        return len(self._index_sampler)

    def _fetcher(self):
        return _worker._Fetcher(self.dataset, self._dataset_kind == "iterable",
                                self._auto_collation, self.collate_fn, self.batch_size,
                                self.drop_last)

    def __iter__(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if self.persistent_workers:
            if self._iterator is None or self._iterator._closed:
                self._iterator = _MultiProcessIter(self)
            else:
                self._iterator._reset()
            return self._iterator
        return _MultiProcessIter(self)

    def _base_seed(self):
        from ..._random import numpy_generator
        return int(numpy_generator(self.generator, "DataLoader").integers(0, 2 ** 62))


class _SingleProcessIter:
    def __init__(self, loader):
        self._loader = loader
        self._fetcher = loader._fetcher()
        self._fetcher.restart()
        self._indices = iter(loader._index_sampler)
        self._num_yielded = 0
        self._pin = loader_pins(loader)

    def __iter__(self):
        return self

    def __next__(self):
        index = next(self._indices)
        data = self._fetcher.fetch(index)
        self._num_yielded += 1
        return pin_memory(data) if self._pin else data

    def __len__(self):
        return len(self._loader)


class _MultiProcessIter:
    """Feeds indices to worker processes and yields their batches in sampler order."""

    def __init__(self, loader):
        self._loader = loader
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._persistent = loader.persistent_workers
        self._prefetch = max(1, loader.prefetch_factor * loader.num_workers)
        self._closed = False
        self._epoch = -1
        self._pin = loader_pins(loader)
        context = loader.multiprocessing_context
        if context is None:
            context = _default_context()
        elif isinstance(context, str):
            context = multiprocessing.get_context(context)
        self._result_queue = context.Queue()
        self._index_queues = []
        self._workers = []
        base_seed = loader._base_seed()
        fetcher = loader._fetcher()
        for worker_id in range(self._num_workers):
            index_queue = context.Queue()
            index_queue.cancel_join_thread()   # shutdown must not wait on unsent indices
            process = context.Process(
                target=_worker.worker_loop,
                args=(fetcher, index_queue, self._result_queue, base_seed,
                      loader.worker_init_fn, worker_id, self._num_workers),
                daemon=True)
            process.start()
            self._index_queues.append(index_queue)
            self._workers.append(process)
        self._reset()

    def _reset(self):
        """Start a pass over the data (again, with persistent workers)."""
        self._epoch += 1
        self._indices = iter(self._loader._index_sampler)
        self._sampler_done = False
        self._send_idx = 0
        self._rcvd_idx = 0
        self._tasks = {}            # task index -> [worker_id] or [worker_id, data]
        self._outstanding = 0
        self._active = [True] * self._num_workers
        self._next_worker = itertools.cycle(range(self._num_workers))
        for _ in range(self._prefetch):
            self._put_task()

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._loader)

    def _put_task(self):
        if self._sampler_done or self._outstanding >= self._prefetch:
            return
        if not any(self._active):
            return
        try:
            index = next(self._indices)
        except StopIteration:
            self._sampler_done = True
            return
        for _ in range(self._num_workers):
            worker_id = next(self._next_worker)
            if self._active[worker_id]:
                break
        self._index_queues[worker_id].put((self._epoch, self._send_idx, index))
        self._tasks[self._send_idx] = [worker_id]
        self._outstanding += 1
        self._send_idx += 1

    def _get_result(self):
        """The next (epoch, task index, data) from any worker, honouring ``timeout``."""
        waited = 0.0
        while True:
            step = _STATUS_CHECK_INTERVAL
            if self._timeout > 0:
                step = min(step, self._timeout - waited)
            try:
                return pickle.loads(self._result_queue.get(timeout=step))
            except queue.Empty:
                waited += step
                if self._timeout > 0 and waited >= self._timeout:
                    self._shutdown()
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
                dead = [w for w in self._workers if not w.is_alive()]
                if dead:
                    pids = ", ".join(str(w.pid) for w in dead)
                    self._shutdown()
                    raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited "
                                       "unexpectedly") from None

    def __next__(self):
        if self._closed:
            raise StopIteration
        while True:
            # Skip tasks of workers whose stream ended: they will never carry data.
            while self._rcvd_idx < self._send_idx:
                task = self._tasks.get(self._rcvd_idx)
                if task is not None and (len(task) == 2 or self._active[task[0]]):
                    break
                self._tasks.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown()
                raise StopIteration

            task = self._tasks[self._rcvd_idx]
            if len(task) == 2:
                del self._tasks[self._rcvd_idx]
                self._rcvd_idx += 1
                self._put_task()
                return self._process(task[1])

            epoch, task_index, data = self._get_result()
            if epoch != self._epoch:
                continue                # left over from an abandoned pass
            self._outstanding -= 1
            if isinstance(data, _worker.IterableExhausted):
                self._active[data.worker_id] = False
                self._put_task()
                continue
            if task_index not in self._tasks:
                continue
            if task_index != self._rcvd_idx:
                self._tasks[task_index].append(data)   # early: keep it until its turn
                continue
            del self._tasks[task_index]
            self._rcvd_idx += 1
            self._put_task()
            return self._process(data)

    def _process(self, data):
        if isinstance(data, _worker.ExceptionWrapper):
            if not self._persistent:
                self._shutdown()
            data.reraise()
        return pin_memory(data) if self._pin else data

    def _shutdown(self):
        """Tell the workers to exit, wait briefly, and terminate any that linger."""
        if self._closed:
            return
        self._closed = True
        for index_queue in self._index_queues:
            try:
                index_queue.put(None)
            except (OSError, ValueError):
                pass
        for process in self._workers:
            process.join(timeout=_JOIN_TIMEOUT)
            if process.is_alive():
                process.terminate()
                process.join(timeout=_JOIN_TIMEOUT)
        for q in self._index_queues + [self._result_queue]:
            q.cancel_join_thread()
            q.close()

    def __del__(self):
        try:
            self._shutdown()
        except Exception:
            pass
