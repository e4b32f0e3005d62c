"""ember.nn.utils.rnn against torch.nn.utils.rnn, element for element, gradients included."""
import numpy as np
import pytest
import torch

import ember
from nn_harness import DEVICES, assert_same, to_ember

TR = torch.nn.utils.rnn
ER = ember.nn.utils.rnn


def _same_packed(e, t):
    assert isinstance(e, ER.PackedSequence)
    assert_same(e.data, t.data, what="data")
    assert_same(e.batch_sizes, t.batch_sizes, what="batch_sizes")
    assert str(e.batch_sizes.dtype) == "torch.int64"
    for name in ("sorted_indices", "unsorted_indices"):
        tv, ev = getattr(t, name), getattr(e, name)
        assert (tv is None) == (ev is None), name
        if tv is not None:
            assert_same(ev, tv, what=name)


def _rand(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64)


def _grad_check(t_in, e_in, t_out, e_out):
    """Backpropagate the same random cotangent; compare the input gradients."""
    g = _rand(*t_out.shape, seed=9)
    t_out.backward(g)
    e_out.backward(to_ember(g))
    for ei, ti in zip(e_in, t_in):
        assert_same(ei.grad, ti.grad, what="input grad")


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths,enforce_sorted", [
    ([5, 3, 3, 1], True), ([3, 5, 1, 3], False), ([2, 2, 2, 2], False), ([5, 3, 3, 1], False)])
@pytest.mark.parametrize("as_tensor", [False, True])
def test_pack_pad_roundtrip(batch_first, lengths, enforce_sorted, as_tensor):
    shape = (4, 5, 2) if batch_first else (5, 4, 2)
    t_x = _rand(*shape).requires_grad_(True)
    e_x = to_ember(t_x)
    t_len = torch.tensor(lengths) if as_tensor else lengths
    e_len = ember.tensor(lengths) if as_tensor else lengths
    t_p = TR.pack_padded_sequence(t_x, t_len, batch_first=batch_first,
                                  enforce_sorted=enforce_sorted)
    e_p = ER.pack_padded_sequence(e_x, e_len, batch_first=batch_first,
                                  enforce_sorted=enforce_sorted)
    _same_packed(e_p, t_p)
    for total in (None, 7):
        t_pad, t_lens = TR.pad_packed_sequence(t_p, batch_first=batch_first, padding_value=-1.5,
                                               total_length=total)
        e_pad, e_lens = ER.pad_packed_sequence(e_p, batch_first=batch_first, padding_value=-1.5,
                                               total_length=total)
        assert_same(e_pad, t_pad)
        assert_same(e_lens, t_lens)
    _grad_check([t_x], [e_x], t_pad * t_pad, e_pad * e_pad)


def test_pack_errors():
    x = torch.randn(5, 3, 2)
    for lengths, sort in (([3, 5, 2], True), ([5, 3, 0], True), ([5, 0, 3], False)):
        with pytest.raises(RuntimeError):
            TR.pack_padded_sequence(x, lengths, enforce_sorted=sort)
        with pytest.raises(RuntimeError):
            ER.pack_padded_sequence(to_ember(x), lengths, enforce_sorted=sort)
    p_t = TR.pack_padded_sequence(x, [5, 3, 2])
    p_e = ER.pack_padded_sequence(to_ember(x), [5, 3, 2])
    with pytest.raises(ValueError):
        TR.pad_packed_sequence(p_t, total_length=3)
    with pytest.raises(ValueError):
        ER.pad_packed_sequence(p_e, total_length=3)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence(batch_first, padding_side):
    t_seqs = [_rand(n, 2, seed=n).requires_grad_(True) for n in (3, 1, 4)]
    e_seqs = to_ember(t_seqs)
    t_out = TR.pad_sequence(t_seqs, batch_first=batch_first, padding_value=0.5,
                            padding_side=padding_side)
    e_out = ER.pad_sequence(e_seqs, batch_first=batch_first, padding_value=0.5,
                            padding_side=padding_side)
    assert_same(e_out, t_out)
    _grad_check(t_seqs, e_seqs, t_out * 3, e_out * 3)
    # 1-d sequences and integer sequences
    t_ints = [torch.arange(n) for n in (2, 4)]
    assert_same(ER.pad_sequence(to_ember(t_ints), batch_first), TR.pad_sequence(t_ints,
                                                                                batch_first))


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_sequence_and_unpack(enforce_sorted):
    lens = (4, 3, 1) if enforce_sorted else (1, 4, 3)
    t_seqs = [_rand(n, 2, seed=n).requires_grad_(True) for n in lens]
    e_seqs = to_ember(t_seqs)
    t_p = TR.pack_sequence(t_seqs, enforce_sorted=enforce_sorted)
    e_p = ER.pack_sequence(e_seqs, enforce_sorted=enforce_sorted)
    _same_packed(e_p, t_p)
    t_back = TR.unpack_sequence(t_p)
    e_back = ER.unpack_sequence(e_p)
    assert len(e_back) == len(t_back)
    for eb, tb in zip(e_back, t_back):
        assert_same(eb, tb)
    _grad_check(t_seqs, e_seqs, t_p.data * 2, e_p.data * 2)


@pytest.mark.parametrize("batch_first", [False, True])
def test_unpad_sequence(batch_first):
    t_seqs = [_rand(n, 3, seed=n) for n in (2, 5, 3)]
    t_pad = TR.pad_sequence(t_seqs, batch_first=batch_first)
    lengths = torch.tensor([2, 5, 3])
    e_pad = to_ember(t_pad)   # first: torch's unpad_sequence transposes its input in place
    t_out = TR.unpad_sequence(t_pad, lengths, batch_first=batch_first)
    e_out = ER.unpad_sequence(e_pad, to_ember(lengths), batch_first=batch_first)
    for eo, to in zip(e_out, t_out):
        assert_same(eo, to)


def test_packed_sequence_object():
    p = ER.pack_sequence([ember.ones(3, 2), ember.ones(2, 2)])
    assert isinstance(p, tuple) and p._fields == TR.PackedSequence._fields
    assert p.is_cuda is False
    assert str(p.double().data.dtype) == "torch.float64"
    assert p.to(ember.float64).batch_sizes is p.batch_sizes
    data, batch_sizes, sorted_indices, unsorted_indices = p
    assert sorted_indices is None and unsorted_indices is None
    q = ER.PackedSequence(data, batch_sizes, ember.tensor([1, 0]))
    assert q.unsorted_indices.tolist() == [1, 0]
    assert np.array_equal(ER.invert_permutation(ember.tensor([2, 0, 1])).numpy(),
                          TR.invert_permutation(torch.tensor([2, 0, 1])).numpy())


@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("device", DEVICES)
def test_packed_on_device(enforce_sorted, device):
    """pack/pad on a device: data and permutations live there, batch_sizes and the
    lengths stay on the CPU (as torch's); values and gradients match torch's."""
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    t_x = _rand(5, 4, 2).requires_grad_(True)
    e_x = to_ember(t_x, device=device)
    t_p = TR.pack_padded_sequence(t_x, lengths, enforce_sorted=enforce_sorted)
    e_p = ER.pack_padded_sequence(e_x, lengths, enforce_sorted=enforce_sorted)
    _same_packed(e_p, t_p)
    assert e_p.data.device.type == device and e_p.batch_sizes.device.type == "cpu"
    if not enforce_sorted:
        assert e_p.sorted_indices.device.type == device
        assert e_p.unsorted_indices.device.type == device
    e_pad, e_lens = ER.pad_packed_sequence(e_p, padding_value=-1.0)
    t_pad, t_lens = TR.pad_packed_sequence(t_p, padding_value=-1.0)
    assert_same(e_pad, t_pad, device=device)
    assert_same(e_lens, t_lens, device="cpu")
    g = _rand(*t_pad.shape, seed=9)
    t_pad.backward(g)
    e_pad.backward(to_ember(g, device=device))
    assert_same(e_x.grad, t_x.grad, device=device)
    seqs = [e_x[:n, k] for k, n in enumerate(lengths)]
    assert_same(ER.pad_sequence(seqs, padding_value=0.5),
                TR.pad_sequence([t_x[:n, k] for k, n in enumerate(lengths)], padding_value=0.5),
                device=device)
    # PackedSequence.to/cpu move the permutations with the data, never batch_sizes
    back = e_p.cpu()
    assert back.data.device.type == "cpu" and back.batch_sizes is e_p.batch_sizes
    if not enforce_sorted:
        assert back.sorted_indices.device.type == "cpu"
