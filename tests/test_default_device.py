"""The default device: torch.set_default_device / get_default_device and ``with
torch.device(d):`` blocks, compared with torch on the meta device (which a CPU torch
has), and on cuda when ember has one."""
import pytest
import torch

import ember

FACTORIES = {
    "zeros": lambda L: L.zeros(2, 3),
    "ones": lambda L: L.ones(2),
    "empty": lambda L: L.empty(4),
    "full": lambda L: L.full((2,), 1.5),
    "arange": lambda L: L.arange(5),
    "linspace": lambda L: L.linspace(0, 1, 4),
    "eye": lambda L: L.eye(3),
    "tensor": lambda L: L.tensor([1.0, 2.0]),
    "randn": lambda L: L.randn(3),
    "rand": lambda L: L.rand(2, 2),
    "randint": lambda L: L.randint(0, 5, (3,)),
    "linear": lambda L: L.nn.Linear(3, 2).weight,
    "embedding": lambda L: L.nn.Embedding(5, 2).weight,
    "layernorm": lambda L: L.nn.LayerNorm(4).bias,
}


@pytest.fixture(autouse=True)
def _restore():
    yield
    torch.set_default_device(None)
    ember.set_default_device(None)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_with_device_block_like_torch(name):
    for lib in (torch, ember):
        with lib.device("meta"):
            inside = FACTORIES[name](lib)
        outside = FACTORIES[name](lib)
        if lib is torch:
            t_in, t_out = inside, outside
        else:
            e_in, e_out = inside, outside
    assert str(e_in.device) == str(t_in.device) == "meta"
    assert str(e_out.device) == str(t_out.device) == "cpu"
    assert tuple(e_in.shape) == tuple(t_in.shape) and str(e_in.dtype) == str(t_in.dtype)


@pytest.mark.filterwarnings("ignore:To copy construct")
def test_set_and_get_default_device_like_torch():
    for lib in (torch, ember):
        assert str(lib.get_default_device()) == "cpu"
        lib.set_default_device("meta")
        assert str(lib.get_default_device()) == "meta"
        assert str(lib.zeros(2).device) == "meta"
        # an explicit device= still wins; a copy of a tensor goes to the default device
        assert str(lib.zeros(2, device="cpu").device) == "cpu"
        assert str(lib.tensor(lib.ones(2, device="cpu")).device) == "meta"
        lib.set_default_device(None)
        assert str(lib.get_default_device()) == "cpu"
        assert str(lib.zeros(2).device) == "cpu"


def test_nested_blocks_restore_the_outer_default():
    for lib in (torch, ember):
        lib.set_default_device("meta")
        with lib.device("cpu"):
            assert str(lib.ones(1).device) == "cpu"
            with lib.device("meta"):
                assert str(lib.ones(1).device) == "meta"
            assert str(lib.ones(1).device) == "cpu"
        assert str(lib.ones(1).device) == "meta"
        lib.set_default_device(None)


def test_default_device_cuda():
    if not ember.cuda.is_available():
        pytest.skip("no cuda device (CuPy and a GPU) for ember")
    with ember.device("cuda"):
        t = ember.zeros(2)
        m = ember.nn.Linear(3, 2)
    assert t.device.type == "cuda" and m.weight.device.type == "cuda"
    assert ember.zeros(2).device.type == "cpu"
    ember.set_default_device("cuda")
    assert ember.get_default_device() == ember.device("cuda", 0)
    assert ember.arange(3).device.type == "cuda"
