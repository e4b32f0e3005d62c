"""DistributedSampler against torch's: exact indices without shuffling, partition
properties and reproducibility with shuffling (ember's own random order)."""
import itertools

import pytest
import torch.utils.data as tdata

import ember.utils.data as edata


@pytest.mark.parametrize("n,replicas,drop_last", list(itertools.product(
    [0, 1, 5, 7, 12], [1, 2, 3, 5, 8], [False, True])))
def test_no_shuffle_matches_torch(n, replicas, drop_last):
    for rank in range(replicas):
        t = tdata.DistributedSampler(range(n), replicas, rank, shuffle=False,
                                     drop_last=drop_last)
        e = edata.DistributedSampler(range(n), replicas, rank, shuffle=False,
                                     drop_last=drop_last)
        assert len(e) == len(t)
        assert list(e) == list(t)
        assert (e.num_samples, e.total_size) == (t.num_samples, t.total_size)


@pytest.mark.parametrize("n,replicas,drop_last", [(10, 3, False), (10, 3, True), (2, 5, False),
                                                  (12, 4, False)])
def test_shuffle_partitions(n, replicas, drop_last):
    shares = [list(edata.DistributedSampler(range(n), replicas, r, seed=7, drop_last=drop_last))
              for r in range(replicas)]
    lengths = {len(s) for s in shares}
    assert len(lengths) == 1
    every = [i for s in shares for i in s]
    if drop_last:
        assert len(set(every)) == len(every)            # disjoint, nothing repeated
    else:
        assert set(every) == set(range(n))              # everything covered
    again = [list(edata.DistributedSampler(range(n), replicas, r, seed=7, drop_last=drop_last))
             for r in range(replicas)]
    assert again == shares                              # same seed + epoch, same order


def test_set_epoch_and_seed_change_order():
    s = edata.DistributedSampler(range(50), num_replicas=2, rank=0, seed=3)
    first = list(s)
    assert list(s) == first
    s.set_epoch(1)
    assert list(s) != first
    other = edata.DistributedSampler(range(50), num_replicas=2, rank=1, seed=3)
    other.set_epoch(1)
    assert sorted(list(s) + list(other)) == list(range(50))   # the epoch's ranks partition
    assert list(edata.DistributedSampler(range(50), num_replicas=2, rank=0, seed=4)) != first


def test_errors_and_dataloader():
    with pytest.raises(RuntimeError):
        edata.DistributedSampler(range(4))
    with pytest.raises(ValueError):
        edata.DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError):
        edata.DistributedSampler(range(4), num_replicas=2, rank=-1)
    import ember
    data = edata.TensorDataset(ember.arange(10))
    sampler = edata.DistributedSampler(data, num_replicas=3, rank=1, shuffle=False)
    batches = [b[0].tolist() for b in edata.DataLoader(data, batch_size=2, sampler=sampler)]
    assert batches == [[1, 4], [7, 0]]
