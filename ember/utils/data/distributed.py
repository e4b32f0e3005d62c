"""DistributedSampler: each process of a data-parallel job reads its own share of indices."""
import math

from .sampler import Sampler

__all__ = ["DistributedSampler"]


def _world(what):
    """World size or rank from an initialised ember.distributed process group."""
    try:
        from ... import distributed as dist
    except ImportError:
        dist = None
    if dist is None or not getattr(dist, "is_available", lambda: False)():
        raise RuntimeError(f"Requires distributed package to be available (DistributedSampler "
                           f"needs {what} when no process group is initialised; pass "
                           f"num_replicas= and rank=)")
    if not dist.is_initialized():
        raise RuntimeError(f"DistributedSampler: no default process group is initialised; "
                           f"pass {what}= or call init_process_group first")
    return dist.get_world_size() if what == "num_replicas" else dist.get_rank()


class DistributedSampler(Sampler):
    """Indices of ``dataset`` for one of ``num_replicas`` processes (the one ``rank``).

    Every replica gets ``len(self)`` indices: the (optionally shuffled) order is padded by
    repeating its start, or cut with ``drop_last``, to a multiple of ``num_replicas``, and
    replica ``rank`` takes every ``num_replicas``-th index from ``rank``.  Call
    ``set_epoch(epoch)`` each epoch so shuffling differs between epochs (ember's generator
    seeded with ``seed + epoch``, the same in every process).

    >>> s = ember.utils.data.DistributedSampler(range(5), num_replicas=2, rank=1,
    ...                                         shuffle=False)
    >>> list(s)
    [1, 3, 0]
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
                 drop_last=False):
        if num_replicas is None:
            num_replicas = _world("num_replicas")
        if rank is None:
            rank = _world("rank")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, "
                             f"{num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            # the largest equal share that needs no padding
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            from ... import Generator, randperm
            g = Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            elif indices:
                indices += (indices * math.ceil(padding / len(indices)))[:padding]
        else:
            indices = indices[:self.total_size]
        if len(indices) != self.total_size:
            raise AssertionError(f"expected {self.total_size} indices, got {len(indices)}")
        mine = indices[self.rank:self.total_size:self.num_replicas]
        if len(mine) != self.num_samples:
            raise AssertionError(f"expected {self.num_samples} indices, got {len(mine)}")
        return iter(mine)

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Make the next iteration's shuffle depend on ``epoch`` (call it every epoch)."""
        self.epoch = epoch
