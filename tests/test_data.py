"""ember.utils.data against torch.utils.data: datasets, samplers, collation, DataLoader.

Deterministic pieces (sequential batches, collation, split sizes, batch samplers)
are compared with torch directly.  Random pieces use ember's own streams, so they
are checked for their properties and for reproducibility under a seed.  Worker
tests use real processes, each with a timeout so that a hang fails instead of
blocking the suite.
"""
import collections
import os
import signal
import time
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata

Point = collections.namedtuple("Point", ["x", "y"])


def to_numpy(value):
    if isinstance(value, (torch.Tensor, ember.Tensor)):
        return value.numpy()
    return value


def assert_same_structure(e, t):
    """Same nesting, types (tensor vs list/dict/...), dtypes, shapes and values."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), (type(e), t)
        assert str(e.dtype) == str(t.dtype)
        assert tuple(e.shape) == tuple(t.shape)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    elif isinstance(t, dict):
        assert type(e) is type(t) and list(e) == list(t)
        for key in t:
            assert_same_structure(e[key], t[key])
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t), (type(e), type(t))
        assert len(e) == len(t)
        for a, b in zip(e, t):
            assert_same_structure(a, b)
    elif isinstance(t, np.ndarray):
        np.testing.assert_array_equal(e, t)
    else:
        assert e == t and type(e) is type(t)


# ----------------------------------------------------------------------------------
# collate / convert
# ----------------------------------------------------------------------------------

def sample_batches(lib):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(3)]
    return {
        "tensors": [lib.tensor(a) for a in arrays],
        "floats": [1.5, 2.0, -3.25],
        "ints": [1, 2, 3],
        "bools": [True, False, True],
        "numpy_arrays": arrays,
        "numpy_int_arrays": [np.arange(4, dtype=np.int32) + i for i in range(3)],
        "numpy_scalars": [np.float32(1.5), np.float32(2.5), np.float32(0.0)],
        "numpy_int64_scalars": [np.int64(3), np.int64(4), np.int64(5)],
        "numpy_bool_scalars": [np.bool_(True), np.bool_(False), np.bool_(True)],
        "strings": ["a", "bb", "ccc"],
        "tuples": [(lib.tensor(a), i, "s") for i, a in enumerate(arrays)],
        "lists": [[i, float(i)] for i in range(3)],
        "dicts": [{"x": lib.tensor(a), "label": i, "name": str(i)}
                  for i, a in enumerate(arrays)],
        "namedtuples": [Point(lib.tensor(a), i) for i, a in enumerate(arrays)],
        "nested": [{"pair": (i, [1.0, 2.0]), "arr": np.ones(2)} for i in range(3)],
    }


@pytest.mark.parametrize("kind", list(sample_batches(torch)))
def test_default_collate_matches_torch(kind):
    e = edata.default_collate(sample_batches(ember)[kind])
    t = tdata.default_collate(sample_batches(torch)[kind])
    assert_same_structure(e, t)


@pytest.mark.parametrize("kind", ["numpy_arrays", "numpy_scalars", "dicts", "tuples", "lists",
                                  "namedtuples", "nested", "floats"])
def test_default_convert_matches_torch(kind):
    e = edata.default_convert(sample_batches(ember)[kind])
    t = tdata.default_convert(sample_batches(torch)[kind])
    assert_same_structure(e, t)


def test_collate_errors_match_torch():
    for lib, collate in ((ember, edata.default_collate), (torch, tdata.default_collate)):
        with pytest.raises(RuntimeError):
            collate([[1, 2], [3]])                      # lists of unequal length
        with pytest.raises(RuntimeError):
            collate([lib.zeros(2), lib.zeros(3)])       # tensors of unequal shape
        with pytest.raises(TypeError):
            collate([object(), object()])
        with pytest.raises(TypeError):
            collate([np.array(["a"]), np.array(["b"])])


# ----------------------------------------------------------------------------------
# datasets
# ----------------------------------------------------------------------------------

def test_tensor_dataset_and_size_mismatch():
    for lib, module in ((ember, edata), (torch, tdata)):
        ds = module.TensorDataset(lib.arange(6).reshape(3, 2), lib.tensor([1.0, 2.0, 3.0]))
        assert len(ds) == 3
        x, y = ds[1]
        assert x.tolist() == [2, 3] and y.item() == 2.0
        with pytest.raises(AssertionError):
            module.TensorDataset(lib.zeros(3), lib.zeros(4))


class Squares(edata.Dataset):
    def __init__(self, n, offset=0):
        self.n, self.offset = n, offset

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i >= self.n:
            raise IndexError(i)
        return (i + self.offset) ** 2


class TorchSquares(tdata.Dataset):
    def __init__(self, n, offset=0):
        self.n, self.offset = n, offset

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i >= self.n:
            raise IndexError(i)
        return (i + self.offset) ** 2


def test_concat_subset_stack_match_torch():
    e = Squares(3) + Squares(4, offset=10)
    t = TorchSquares(3) + TorchSquares(4, offset=10)
    assert isinstance(e, edata.ConcatDataset)
    assert len(e) == len(t) and [e[i] for i in range(-7, 7)] == [t[i] for i in range(-7, 7)]
    assert e.cumulative_sizes == t.cumulative_sizes
    with pytest.raises(ValueError):
        e[-8]
    es, ts = edata.Subset(e, [6, 0, 3]), tdata.Subset(t, [6, 0, 3])
    assert [es[i] for i in range(3)] == [ts[i] for i in range(3)] and len(es) == 3
    et = edata.StackDataset(Squares(3), Squares(3, 1))
    tt = tdata.StackDataset(TorchSquares(3), TorchSquares(3, 1))
    assert [et[i] for i in range(3)] == [tt[i] for i in range(3)]
    ed = edata.StackDataset(a=Squares(3), b=Squares(3, 1))
    td = tdata.StackDataset(a=TorchSquares(3), b=TorchSquares(3, 1))
    assert [ed[i] for i in range(3)] == [td[i] for i in range(3)] and len(ed) == 3
    for module, cls in ((edata, Squares), (tdata, TorchSquares)):
        with pytest.raises(ValueError):
            module.StackDataset(cls(3), cls(4))
        with pytest.raises(ValueError):
            module.StackDataset(cls(3), b=cls(3))
        with pytest.raises(ValueError):
            module.StackDataset()


class Stream(edata.IterableDataset):
    """range(start, end), split between DataLoader workers by get_worker_info()."""

    def __init__(self, start, end):
        self.start, self.end = start, end

    def __len__(self):
        return self.end - self.start

    def __iter__(self):
        info = edata.get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        return iter(range(self.start + info.id, self.end, info.num_workers))


def test_chain_dataset():
    chained = Stream(0, 3) + Stream(10, 12)
    assert isinstance(chained, edata.ChainDataset)
    assert list(chained) == [0, 1, 2, 10, 11] and len(chained) == 5


@pytest.mark.parametrize("lengths", [[0.5, 0.5], [0.3, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4],
                                     [0.33, 0.33, 0.34], [3, 7]])
def test_random_split_sizes_match_torch(lengths):
    e = edata.random_split(range(10), lengths, generator=ember.Generator().manual_seed(0))
    t = tdata.random_split(range(10), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in e] == [len(s) for s in t]
    indices = sorted(i for s in e for i in s.indices)
    assert indices == list(range(10))
    again = edata.random_split(range(10), lengths, generator=ember.Generator().manual_seed(0))
    assert [s.indices for s in again] == [s.indices for s in e]


def test_random_split_errors_match_torch():
    for module in (edata, tdata):
        with pytest.raises(ValueError):
            module.random_split(range(10), [3, 3])
        with pytest.raises(ValueError):
            module.random_split(range(10), [1.5, -0.5])


# ----------------------------------------------------------------------------------
# samplers
# ----------------------------------------------------------------------------------

def test_sequential_and_batch_sampler_match_torch():
    for drop_last in (False, True):
        e = edata.BatchSampler(edata.SequentialSampler(range(10)), 3, drop_last)
        t = tdata.BatchSampler(tdata.SequentialSampler(range(10)), 3, drop_last)
        assert list(e) == list(t) and len(e) == len(t)
    for module in (edata, tdata):
        with pytest.raises(ValueError):
            module.BatchSampler(range(3), 0, False)
        with pytest.raises(ValueError):
            module.BatchSampler(range(3), 2, "no")


def test_random_samplers():
    data = range(10)
    g = ember.Generator().manual_seed(3)
    order = list(edata.RandomSampler(data, generator=g))
    assert sorted(order) == list(range(10)) and order != list(range(10))
    g.manual_seed(3)
    assert list(edata.RandomSampler(data, generator=g)) == order
    long = list(edata.RandomSampler(data, num_samples=25, generator=g))
    assert len(long) == 25 and sorted(long[:10]) == list(range(10))
    drawn = list(edata.RandomSampler(data, replacement=True, num_samples=50, generator=g))
    assert len(drawn) == 50 and all(0 <= i < 10 for i in drawn)
    subset = list(edata.SubsetRandomSampler([5, 7, 9], generator=g))
    assert sorted(subset) == [5, 7, 9]
    weighted = list(edata.WeightedRandomSampler([0.0, 1.0, 0.0, 2.0], 20, generator=g))
    assert len(weighted) == 20 and set(weighted) <= {1, 3}
    unique = list(edata.WeightedRandomSampler([1.0, 1.0, 1.0], 3, replacement=False,
                                              generator=g))
    assert sorted(unique) == [0, 1, 2]
    for module in (edata, tdata):
        with pytest.raises(TypeError):
            module.RandomSampler(data, replacement=1)
        with pytest.raises(ValueError):
            module.RandomSampler(data, num_samples=0)
        with pytest.raises(ValueError):
            module.WeightedRandomSampler([[1.0]], 1)
        with pytest.raises(ValueError):
            module.WeightedRandomSampler([1.0], 0)


# ----------------------------------------------------------------------------------
# DataLoader, main process
# ----------------------------------------------------------------------------------

def make_tensor_datasets():
    x = np.arange(30, dtype=np.float32).reshape(10, 3)
    y = np.arange(10)
    return (edata.TensorDataset(ember.tensor(x), ember.tensor(y)),
            tdata.TensorDataset(torch.tensor(x), torch.tensor(y)))


@pytest.mark.parametrize("kwargs", [dict(), dict(batch_size=4), dict(batch_size=4, drop_last=True),
                                    dict(batch_size=None),
                                    dict(sampler=[9, 1, 5, 2], batch_size=3),
                                    dict(batch_sampler=[[0, 1], [9], [4, 5, 6]])])
def test_loader_batches_match_torch(kwargs):
    e_ds, t_ds = make_tensor_datasets()
    e_loader, t_loader = edata.DataLoader(e_ds, **kwargs), tdata.DataLoader(t_ds, **kwargs)
    assert len(e_loader) == len(t_loader)
    e_batches, t_batches = list(e_loader), list(t_loader)
    assert len(e_batches) == len(t_batches)
    for e, t in zip(e_batches, t_batches):
        assert_same_structure(e, t)


def test_loader_on_plain_python_samples_matches_torch():
    samples = [{"x": np.full(2, i, dtype=np.float64), "y": i, "tag": f"t{i}"} for i in range(5)]
    e = list(edata.DataLoader(samples, batch_size=2))
    t = list(tdata.DataLoader(samples, batch_size=2))
    for a, b in zip(e, t):
        assert_same_structure(a, b)


def test_loader_shuffle_is_a_seeded_permutation():
    e_ds, _ = make_tensor_datasets()
    ember.manual_seed(0)
    first = ember.cat([y for _, y in edata.DataLoader(e_ds, batch_size=3, shuffle=True)])
    ember.manual_seed(0)
    second = ember.cat([y for _, y in edata.DataLoader(e_ds, batch_size=3, shuffle=True)])
    assert first.tolist() == second.tolist() and sorted(first.tolist()) == list(range(10))
    g = ember.Generator().manual_seed(1)
    third = ember.cat([y for _, y in edata.DataLoader(e_ds, batch_size=3, shuffle=True,
                                                      generator=g)])
    assert sorted(third.tolist()) == list(range(10))


def test_loader_option_errors_match_torch():
    e_ds, t_ds = make_tensor_datasets()
    bad = [dict(sampler=[0, 1], shuffle=True), dict(batch_sampler=[[0]], batch_size=2),
           dict(batch_sampler=[[0]], shuffle=True), dict(batch_sampler=[[0]], drop_last=True),
           dict(batch_sampler=[[0]], sampler=[0]), dict(batch_size=None, drop_last=True),
           dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2),
           dict(persistent_workers=True)]
    for kwargs in bad:
        for module, ds in ((edata, e_ds), (tdata, t_ds)):
            with pytest.raises(ValueError):
                module.DataLoader(ds, **kwargs)
    with pytest.raises(ValueError):
        edata.DataLoader(Stream(0, 4), shuffle=True)


def test_iterable_dataset_single_process():
    loader = edata.DataLoader(Stream(0, 7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]] and len(loader) == 3
    loader = edata.DataLoader(Stream(0, 7), batch_size=3, drop_last=True)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5]] and len(loader) == 2
    assert edata.get_worker_info() is None


# ----------------------------------------------------------------------------------
# DataLoader with worker processes
# ----------------------------------------------------------------------------------

@pytest.fixture
def hang_guard():
    """Fail a test that runs over 60 s instead of letting it block the suite."""
    def on_alarm(signum, frame):
        raise TimeoutError("test_data: a DataLoader test hung for 60 s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


class WhoLoads(edata.Dataset):
    """Each sample reports the process and worker that loaded it."""

    def __len__(self):
        return 12

    def __getitem__(self, i):
        info = edata.get_worker_info()
        return {"index": i, "pid": os.getpid(), "worker": info.id, "seed": info.seed,
                "num_workers": info.num_workers, "same_dataset": info.dataset is self,
                "draw": ember.rand(1).item()}


@pytest.mark.usefixtures("hang_guard")
def test_workers_are_processes_with_seeds_and_order():
    ember.manual_seed(0)
    batches = list(edata.DataLoader(WhoLoads(), batch_size=2, num_workers=2))
    indices = [i for b in batches for i in b["index"].tolist()]
    assert indices == list(range(12))                 # sampler order, whatever the timing
    pids = {p for b in batches for p in b["pid"].tolist()}
    assert len(pids) == 2 and os.getpid() not in pids
    seeds = {w: s for b in batches for w, s in zip(b["worker"].tolist(), b["seed"].tolist())}
    assert seeds[1] == seeds[0] + 1                    # base_seed + worker_id
    assert all(b["num_workers"].tolist() == [2, 2] for b in batches)
    assert all(all(b["same_dataset"].tolist()) for b in batches)
    assert edata.get_worker_info() is None
    ember.manual_seed(0)
    again = list(edata.DataLoader(WhoLoads(), batch_size=2, num_workers=2))
    assert [b["draw"].tolist() for b in again] == [b["draw"].tolist() for b in batches]
    assert [b["seed"].tolist() for b in again] == [b["seed"].tolist() for b in batches]


@pytest.mark.usefixtures("hang_guard")
def test_worker_batches_equal_single_process():
    e_ds, _ = make_tensor_datasets()
    single = list(edata.DataLoader(e_ds, batch_size=3))
    multi = edata.DataLoader(e_ds, batch_size=3, num_workers=3, prefetch_factor=1)
    assert len(multi) == 4
    as_lists = lambda batches: [[t.tolist() for t in batch] for batch in batches]  # noqa: E731
    assert as_lists(single) == as_lists(multi)


@pytest.mark.usefixtures("hang_guard")
def test_iterable_dataset_sharded_by_workers():
    loader = edata.DataLoader(Stream(0, 10), batch_size=2, num_workers=2)
    values = sorted(v for batch in loader for v in batch.tolist())
    assert values == list(range(10))                  # each value exactly once


class Failing(edata.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise ValueError("sample 5 is broken")
        return i


@pytest.mark.usefixtures("hang_guard")
def test_worker_exception_reaches_user_with_traceback():
    loader = edata.DataLoader(Failing(), batch_size=2, num_workers=2)
    with pytest.raises(ValueError) as info:
        list(loader)
    message = str(info.value)
    assert "Caught ValueError in DataLoader worker process 0" in message
    assert "Original Traceback" in message and "sample 5 is broken" in message
    assert "__getitem__" in message


class Slow(edata.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        time.sleep(1.5)
        return i


@pytest.mark.usefixtures("hang_guard")
def test_timeout_raises_runtime_error():
    loader = edata.DataLoader(Slow(), num_workers=1, timeout=0.3)
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="timed out"):
        next(iter(loader))
    assert time.perf_counter() - start < 10


@pytest.mark.usefixtures("hang_guard")
def test_worker_init_fn_and_persistent_workers():
    calls = []

    def init(worker_id):
        calls.append(worker_id)   # runs in the worker: the parent's list stays empty
        assert edata.get_worker_info().id == worker_id

    loader = edata.DataLoader(WhoLoads(), batch_size=4, num_workers=2, persistent_workers=True,
                              worker_init_fn=init)
    first = [p for b in loader for p in b["pid"].tolist()]
    # a second epoch, abandoned after one batch, then a full third one
    next(iter(loader))
    third = [p for b in loader for p in b["pid"].tolist()]
    assert set(first) == set(third) and len(set(first)) == 2
    assert [i for b in loader for i in b["index"].tolist()] == list(range(12))
    assert calls == []
    loader._iterator._shutdown()


@pytest.mark.usefixtures("hang_guard")
def test_worker_init_fn_error_and_pin_memory_accepted():
    def init(worker_id):
        raise KeyError("bad init")

    loader = edata.DataLoader(WhoLoads(), batch_size=4, num_workers=1, worker_init_fn=init,
                              pin_memory=False)
    with pytest.raises(KeyError, match="bad init"):
        list(loader)
    e_ds, _ = make_tensor_datasets()
    with warnings.catch_warnings(record=True) as caught:   # warns without an accelerator
        warnings.simplefilter("always")
        batches = list(edata.DataLoader(e_ds, batch_size=5, pin_memory=True))
    assert ember.cuda.is_available() or any("pin_memory" in str(w.message) for w in caught)
    assert len(batches) == 2


class Dies(edata.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        os._exit(3)


@pytest.mark.usefixtures("hang_guard")
def test_dead_worker_is_reported():
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        list(edata.DataLoader(Dies(), num_workers=1))


@pytest.mark.usefixtures("hang_guard")
def test_persistent_workers_restart_iterable_streams_and_unbatched_loading():
    loader = edata.DataLoader(Stream(0, 10), batch_size=3, num_workers=2,
                              persistent_workers=True)
    for _ in range(2):
        assert sorted(v for batch in loader for v in batch.tolist()) == list(range(10))
    loader._iterator._shutdown()
    e_ds, _ = make_tensor_datasets()
    unbatched = list(edata.DataLoader(e_ds, batch_size=None, num_workers=2))
    assert [y.item() for _, y in unbatched] == list(range(10))
