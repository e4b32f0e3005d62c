"""nn.Module, Parameter, Buffer and the containers, compared with torch.

Most tests run one scenario twice, with ``lib`` = torch and ``lib`` = ember, and compare
what was observed (names, reprs, exception types, hook call sequences, gradients).
"""
import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from nn_harness import DEVICES, assert_same, copy_weights, to_ember, to_numpy

LIBS = (torch, ember)


def both(fn):
    """Run ``fn(lib)`` for torch and ember; return the two results."""
    return fn(torch), fn(ember)


def outcome(fn):
    """What ``fn()`` did: ('ok', value) or ('raise', exception type name)."""
    try:
        return ("ok", fn())
    except Exception as exc:  # noqa: BLE001 - the type is what is compared
        return ("raise", type(exc).__name__)


# -- models used by several tests ----------------------------------------------------------
def make_block(lib):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 8)
            self.fc2 = nn.Linear(8, 4, bias=False)
            self.register_buffer("scale", lib.ones(4))
            self.register_buffer("tmp", lib.zeros(2), persistent=False)
            self.register_buffer("steps", lib.tensor(0))

        def forward(self, x):
            return self.fc2(self.fc1(x).clamp(min=0)) * self.scale

    return Block()


def make_net(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([make_block(lib) for _ in range(3)] + [nn.Linear(4, 4)])
            self.head = nn.Sequential(nn.Linear(4, 4), nn.Flatten(), nn.Linear(4, 4),
                                      nn.Linear(4, 4))
            self.extra = nn.ModuleDict({"id": nn.Identity(), "lin": nn.Linear(2, 2)})
            self.pl = nn.ParameterList([nn.Parameter(lib.ones(2, 3)), lib.zeros(3)])
            self.pd = nn.ParameterDict({"z": nn.Parameter(lib.ones(2)), "a": lib.zeros(3, 1)})
            self.bil = nn.Bilinear(2, 3, 4)
            self.unflat = nn.Unflatten(1, (2, 2))
            self.nothing = nn.Sequential()
            self.no_mods = nn.ModuleList()

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return self.head(x)

    return Net()


# -- Parameter / Buffer -----------------------------------------------------------------------
def test_parameter_basics():
    t = ember.ones(2, 3)
    p = ember.nn.Parameter(t)
    tp = torch.nn.Parameter(torch.ones(2, 3))
    assert repr(p) == repr(tp)
    assert isinstance(p, ember.Tensor) and isinstance(p, ember.nn.Parameter)
    assert p.requires_grad and p.is_leaf
    # shares memory with the wrapped tensor
    with ember.no_grad():
        p.add_(1)
    assert t[0, 0].item() == 2.0
    # ops give plain tensors; in-place ops keep the Parameter
    assert type(p * 2) is ember.Tensor and type(tp * 2) is torch.Tensor
    assert type(p.detach()) is ember.Tensor
    q = ember.nn.Parameter(ember.ones(2), requires_grad=False)
    assert not q.requires_grad
    assert repr(q) == repr(torch.nn.Parameter(torch.ones(2), requires_grad=False))
    assert repr(ember.nn.Parameter()) == repr(torch.nn.Parameter())
    (p * p).sum().backward()
    assert p.grad.shape == (2, 3) and type(p.grad) is ember.Tensor
    with pytest.raises(RuntimeError):
        ember.nn.Parameter(ember.ones(2, dtype=ember.int64))
    assert ember.nn.Parameter(ember.ones(2, dtype=ember.int64), requires_grad=False).dtype == \
        ember.int64


def test_parameter_copy_and_pickle():
    p = ember.nn.Parameter(ember.arange(6.0).reshape(2, 3))
    p.grad = ember.ones(2, 3)
    p.note = "kept"
    q = copy.deepcopy(p)
    assert type(q) is ember.nn.Parameter and q.requires_grad
    assert q.note == "kept" and q.grad is not None
    np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())
    assert q.data_ptr() != p.data_ptr()
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is ember.nn.Parameter and r.requires_grad and r.grad is None
    np.testing.assert_array_equal(r.detach().numpy(), p.detach().numpy())
    frozen = pickle.loads(pickle.dumps(ember.nn.Parameter(ember.ones(1), requires_grad=False)))
    assert not frozen.requires_grad


def test_buffer_assignment_registers():
    def run(lib):
        m = lib.nn.Module()
        m.stats = lib.nn.Buffer(lib.zeros(3))
        m.cache = lib.nn.Buffer(lib.ones(2), persistent=False)
        m.plain = lib.ones(1)   # a plain tensor is just an attribute
        m.stats = lib.ones(3)   # a registered buffer name takes plain tensors
        m.x = 3
        clash = outcome(lambda: setattr(m, "x", lib.nn.Buffer(lib.ones(1))))
        lin = lib.nn.Linear(2, 2)
        on_param = outcome(lambda: setattr(lin, "weight", lib.nn.Buffer(lib.ones(2, 2))))
        return (clash, on_param, list(dict(m.named_buffers())), list(m.state_dict()),
                isinstance(m.stats, lib.nn.Buffer), isinstance(lib.nn.Buffer(lib.ones(1)),
                                                                lib.nn.Buffer))
    t, e = both(run)
    assert t == e


# -- registration ------------------------------------------------------------------------------
def test_setattr_registration_and_errors():
    def run(lib):
        nn = lib.nn
        m = nn.Module()
        results = []
        m.w = nn.Parameter(lib.ones(2))
        m.sub = nn.Linear(2, 2)
        m.register_buffer("b", lib.zeros(2))
        results.append((list(m._parameters), list(m._modules), list(m._buffers)))
        results.append(outcome(lambda: setattr(m, "w", lib.ones(2))))       # TypeError
        results.append(outcome(lambda: setattr(m, "sub", 3)))              # TypeError
        results.append(outcome(lambda: setattr(m, "b", 3)))                # TypeError
        m.w = None
        results.append(m.w)
        m.sub = None
        results.append((m.sub, list(m._modules)))
        # re-binding a name to another kind moves it between the dicts
        m.b = nn.Parameter(lib.ones(1))
        results.append((list(m._parameters), list(m._buffers)))
        del m.b
        results.append((list(m._parameters), hasattr(m, "b")))
        m.x = 5
        results.append(outcome(lambda: m.register_buffer("x", lib.ones(1))))
        results.append(outcome(lambda: m.register_buffer("a.b", lib.ones(1))))
        results.append(outcome(lambda: m.register_buffer("", lib.ones(1))))
        results.append(outcome(lambda: m.register_buffer(1, lib.ones(1))))
        results.append(outcome(lambda: m.register_buffer("c", 3)))
        results.append(outcome(lambda: m.register_parameter("x", None)))
        results.append(outcome(lambda: m.register_parameter("p.q", None)))
        results.append(outcome(lambda: m.register_parameter("p", lib.ones(1))))
        nonleaf = lib.ones(1, requires_grad=True) * 2
        results.append(outcome(lambda: m.register_parameter("p", nn.Parameter(nonleaf))))
        results.append(outcome(lambda: m.add_module("x", nn.Identity())))
        results.append(outcome(lambda: m.add_module("a.b", nn.Identity())))
        results.append(outcome(lambda: m.add_module("", nn.Identity())))
        results.append(outcome(lambda: m.add_module("k", 3)))
        results.append(outcome(lambda: m.register_module("k", nn.Identity())))
        results.append(outcome(lambda: m.missing))
        results.append(outcome(lambda: nn.Module()(1)))
        results.append(outcome(lambda: nn.Module(3)))
        return [(r if not isinstance(r, (lib.Tensor,)) else "tensor") for r in results]
    t, e = both(run)
    assert t == e


def test_setattr_before_init():
    def run(lib):
        class Bad(lib.nn.Module):
            def __init__(self):
                self.fc = lib.nn.Linear(1, 1)
        return outcome(Bad)
    assert both(run) == (("raise", "AttributeError"),) * 2


def test_named_members_prefix_recurse_and_ties():
    def run(lib):
        net = make_net(lib)
        net.head[2].weight = net.head[0].weight   # tied weight
        net.alias = net.head[3]                    # the same module twice
        return (
            [n for n, _ in net.named_parameters()],
            [n for n, _ in net.named_parameters(prefix="model")],
            [n for n, _ in net.named_parameters(recurse=False)],
            [n for n, _ in net.named_parameters(remove_duplicate=False)],
            [n for n, _ in net.named_buffers()],
            [n for n, _ in net.named_buffers(prefix="m", recurse=True)],
            [n for n, _ in net.named_modules()],
            [n for n, _ in net.named_modules(prefix="root")],
            [n for n, _ in net.named_modules(remove_duplicate=False)],
            [n for n, _ in net.named_children()],
            len(list(net.parameters())), len(list(net.modules())), len(list(net.children())),
            len(list(net.buffers(recurse=False))),
            list(net.state_dict()),
        )
    t, e = both(run)
    assert t == e


def test_get_set_submodule_parameter_buffer():
    def run(lib):
        net = make_net(lib)
        out = [type(net.get_submodule("layers.1.fc1")).__name__,
               net.get_submodule("") is net,
               tuple(net.get_parameter("layers.0.fc1.weight").shape),
               tuple(net.get_buffer("layers.2.scale").shape)]
        for call in (lambda: net.get_submodule("layers.9"),
                     lambda: net.get_submodule("layers.0.fc1.weight"),
                     lambda: net.get_parameter("layers.0.fc1.nope"),
                     lambda: net.get_parameter("layers.0.scale"),
                     lambda: net.get_buffer("layers.0.fc1.weight"),
                     lambda: net.set_submodule("", lib.nn.Identity()),
                     lambda: net.set_submodule("layers.0.fc1", 3),
                     lambda: net.set_submodule("layers.0.newone", lib.nn.Identity(), strict=True)):
            out.append(outcome(call))
        net.set_submodule("layers.0.fc1", lib.nn.Identity())
        net.set_submodule("layers.0.added", lib.nn.Identity())
        out.append([n for n, _ in net.layers[0].named_children()])
        return out
    t, e = both(run)
    assert t == e


def test_dir_lists_registered_names():
    e = make_net(ember)
    names = dir(e)
    for key in ("layers", "head", "pl", "forward", "training", "state_dict"):
        assert key in names
    assert "0" not in dir(e.layers)
    assert "fc1" in dir(e.layers[0]) and "scale" in dir(e.layers[0])


# -- modes and conversion ---------------------------------------------------------------------
def test_train_eval_requires_grad_zero_grad_apply():
    def run(lib):
        net = make_net(lib)
        out = [net.training]
        assert net.eval() is net
        out.append(all(not m.training for m in net.modules()))
        net.train()
        out.append(all(m.training for m in net.modules()))
        out.append(outcome(lambda: net.train("yes")))
        net.layers[0].requires_grad_(False)
        out.append([n for n, p in net.named_parameters() if not p.requires_grad])
        net.requires_grad_(True)
        x = lib.ones(2, 4)
        net(x).sum().backward()
        out.append(sorted(n for n, p in net.named_parameters() if p.grad is not None))
        net.zero_grad(set_to_none=False)
        out.append(all(p.grad is None or float(p.grad.abs().sum()) == 0
                       for p in net.parameters()))
        net.zero_grad()
        out.append(all(p.grad is None for p in net.parameters()))
        seen = []
        net.apply(lambda m: seen.append(type(m).__name__))
        out.append(seen)
        return out
    t, e = both(run)
    assert t == e


def test_to_dtype_keeps_parameter_identity():
    def run(lib):
        net = make_net(lib)
        params = list(net.parameters())
        net(lib.ones(1, 4)).sum().backward()
        assert net.to(lib.float64) is net
        out = [all(a is b for a, b in zip(params, net.parameters())),
               sorted({str(p.dtype) for p in net.parameters()}),
               sorted({str(p.grad.dtype) for p in net.parameters() if p.grad is not None}),
               {n: str(b.dtype) for n, b in net.named_buffers()}]
        net.half()
        out.append(sorted({str(p.dtype) for p in net.parameters()}))
        net.float()
        out.append(sorted({str(p.dtype) for p in net.parameters()}))
        net.to(lib.ones(1, dtype=lib.float64))
        out.append(sorted({str(p.dtype) for p in net.parameters()}))
        net.to(device="cpu", dtype=lib.float32)
        out.append(sorted({str(p.dtype) for p in net.parameters()}))
        net.bfloat16()
        out.append(sorted({str(p.dtype) for p in net.parameters()}))
        net.double().cpu()
        out.append(sorted({str(p.dtype) for p in net.parameters()}))
        out.append(outcome(lambda: net.to(lib.int64)))
        out.append({n: str(b.dtype) for n, b in net.named_buffers()})
        return out
    t, e = both(run)
    assert t == e


def test_to_meta_and_back_to_empty():
    m = ember.nn.Linear(3, 2)
    m.to("meta")
    assert m.weight.device.type == "meta" and m.weight.is_leaf
    m.to_empty(device="cpu")
    assert m.weight.device.type == "cpu" and m.weight.shape == (2, 3)


# -- state_dict ----------------------------------------------------------------------------------
def test_state_dict_keys_values_and_detach():
    t_net, e_net = both(make_net)
    copy_weights(e_net, t_net)
    t_sd, e_sd = t_net.state_dict(), e_net.state_dict()
    assert isinstance(e_sd, OrderedDict)
    assert list(e_sd) == list(t_sd)
    for k in t_sd:
        assert_same(e_sd[k], t_sd[k], what=k)
        assert not e_sd[k].requires_grad and type(e_sd[k]) is ember.Tensor
    kv = e_net.state_dict(keep_vars=True)
    assert isinstance(kv["layers.0.fc1.weight"], ember.nn.Parameter)
    assert list(e_net.state_dict(prefix="model.")) == list(t_net.state_dict(prefix="model."))
    assert e_sd._metadata.keys() == t_sd._metadata.keys()
    # the detached entries share memory with the parameters, as in torch
    assert e_sd["layers.0.fc1.weight"].data_ptr() == e_net.layers[0].fc1.weight.data_ptr()


def test_load_state_dict_results_and_errors():
    def run(lib):
        net = make_net(lib)
        sd = make_net(lib).state_dict()
        out = [repr(net.load_state_dict(sd)), str(net.load_state_dict(sd))]
        partial = OrderedDict(sd)
        del partial["layers.0.fc1.bias"]
        partial["layers.0.fc1.extra"] = lib.ones(1)
        partial["bogus.weight"] = lib.ones(1)
        res = net.load_state_dict(partial, strict=False)
        out.append((res.missing_keys, res.unexpected_keys, repr(res)))
        try:
            net.load_state_dict(partial)
        except RuntimeError as exc:
            msg = str(exc)
            out.append(("Missing key(s)" in msg, '"layers.0.fc1.bias"' in msg,
                        "Unexpected key(s)" in msg, '"bogus.weight"' in msg))
        bad = OrderedDict(sd)
        bad["layers.1.fc1.weight"] = lib.ones(5, 5)
        try:
            net.load_state_dict(bad)
        except RuntimeError as exc:
            msg = str(exc)
            out.append(("size mismatch for layers.1.fc1.weight" in msg,
                        "torch.Size([5, 5])" in msg, "torch.Size([8, 4])" in msg))
        out.append(outcome(lambda: net.load_state_dict([1, 2])))
        wrong_type = OrderedDict(sd)
        wrong_type["head.0.bias"] = [1.0] * 4
        out.append(outcome(lambda: net.load_state_dict(wrong_type)))
        return out
    t, e = both(run)
    assert t == e


def test_load_state_dict_copies_in_place_and_assign():
    t_net = torch.nn.Linear(3, 2)
    e_net = ember.nn.Linear(3, 2)
    weight = e_net.weight
    e_net.load_state_dict({k: to_ember(v) for k, v in t_net.state_dict().items()})
    assert e_net.weight is weight
    assert_same(e_net.weight.detach(), t_net.weight.detach())
    new = {"weight": ember.ones(2, 3), "bias": ember.zeros(2)}
    e_net.load_state_dict(new, assign=True)
    assert e_net.weight is not weight and isinstance(e_net.weight, ember.nn.Parameter)
    assert e_net.weight.requires_grad
    assert e_net.weight.data_ptr() == new["weight"].data_ptr()


def test_state_dict_hooks_and_extra_state():
    def run(lib):
        class WithExtra(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = lib.nn.Linear(2, 2)
                self.count = 3

            def get_extra_state(self):
                return {"count": self.count}

            def set_extra_state(self, state):
                self.count = state["count"]

        m = WithExtra()
        calls = []
        m.register_state_dict_pre_hook(lambda mod, prefix, keep: calls.append(("pre", prefix)))
        m.register_load_state_dict_post_hook(
            lambda mod, keys: calls.append(("post", list(keys.missing_keys))))
        sd = m.state_dict()
        keys = list(sd)
        sd["_extra_state"] = {"count": 7}
        m.load_state_dict(sd)
        return keys, m.count, calls
    t, e = both(run)
    assert t == e


# -- repr ------------------------------------------------------------------------------------------
def test_repr_matches_torch_nested():
    t, e = both(make_net)
    assert repr(e) == repr(t)
    t_seq, e_seq = both(lambda lib: lib.nn.Sequential(
        lib.nn.Linear(2, 2), lib.nn.Linear(2, 2), lib.nn.Linear(2, 3), lib.nn.Identity(),
        lib.nn.Identity()))
    assert repr(e_seq) == repr(t_seq)
    t_ml, e_ml = both(lambda lib: lib.nn.ModuleList(
        [lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Flatten()) for _ in range(3)]
        + [lib.nn.Linear(1, 1)]))
    assert repr(e_ml) == repr(t_ml)

    class Custom(ember.nn.Module):
        def extra_repr(self):
            return "line one\nline two"
    assert repr(Custom()) == "Custom(\n  line one\n  line two\n)"


def test_parameter_containers_repr():
    t, e = both(lambda lib: lib.nn.ParameterList(
        [lib.nn.Parameter(lib.ones(2, 3)), lib.ones(4, dtype=lib.float64)]))
    assert repr(e) == repr(t)
    t, e = both(lambda lib: lib.nn.ParameterDict(
        {"b": lib.nn.Parameter(lib.ones(2)), "a": lib.zeros(1, 2)}))
    assert repr(e) == repr(t)
    assert list(e.keys()) == list(t.keys())


# -- containers ------------------------------------------------------------------------------------
def test_sequential_operations():
    def run(lib):
        nn = lib.nn
        layers = [nn.Linear(i + 1, i + 2) for i in range(4)]
        seq = nn.Sequential(*layers)
        out = [seq[0] is layers[0], seq[-1] is layers[3], len(seq),
               type(seq[1:3]).__name__, [m.in_features for m in seq[1:3]],
               [m.in_features for m in seq[::-1]], outcome(lambda: seq[4]),
               outcome(lambda: seq[-5])]
        seq[1] = nn.Identity()
        out.append([type(m).__name__ for m in seq])
        del seq[1]
        out.append(list(seq._modules))
        seq.append(nn.Identity())
        seq.insert(0, nn.Flatten())
        seq.insert(-1, nn.Identity())
        out.append(outcome(lambda: seq.insert(10, nn.Identity())))
        seq.extend([nn.Identity(), nn.Identity()])
        out.append([type(m).__name__ for m in seq])
        popped = seq.pop(0)
        out.append((type(popped).__name__, list(seq._modules)))
        del seq[1:3]
        out.append(list(seq._modules))
        combined = seq + nn.Sequential(nn.Identity())
        out.append((len(combined), list(combined._modules)))
        out.append(outcome(lambda: seq + nn.Identity()))
        out.append(len(seq * 2))
        named = nn.Sequential(OrderedDict([("first", nn.Linear(2, 3)), ("act", nn.Identity())]))
        out.append((list(named._modules), repr(named)))
        out.append(type(named[0:1]).__name__)
        out.append(tuple(named(lib.ones(5, 2)).shape))
        seq2 = nn.Sequential(nn.Identity())
        seq2 += nn.Sequential(nn.Identity())
        out.append(len(seq2))
        return out
    t, e = both(run)
    assert t == e


def test_module_list_and_dict_operations():
    def run(lib):
        nn = lib.nn
        ml = nn.ModuleList([nn.Linear(1, 1), nn.Linear(2, 2)])
        out = [len(ml), ml[-1].in_features, type(ml[0:1]).__name__, outcome(lambda: ml[2])]
        ml.append(nn.Linear(3, 3))
        ml.extend([nn.Linear(4, 4)])
        ml += [nn.Linear(5, 5)]
        ml.insert(1, nn.Identity())
        ml[0] = nn.Flatten()
        out.append([type(m).__name__ for m in ml])
        del ml[1]
        out.append(list(ml._modules))
        out.append(type(ml.pop(-1)).__name__)
        out.append(len(ml + nn.ModuleList([nn.Identity()])))
        out.append(outcome(lambda: ml.extend(3)))
        out.append(outcome(lambda: ml(1)))
        md = nn.ModuleDict({"b": nn.Linear(1, 1), "a": nn.Identity()})
        md["c"] = nn.Flatten()
        md.update([("d", nn.Identity())])
        md.update(OrderedDict(e=nn.Identity()))
        out.append((list(md), list(md.keys()), "a" in md, len(md)))
        out.append(type(md.pop("a")).__name__)
        del md["b"]
        out.append([k for k, _ in md.items()])
        out.append(outcome(lambda: md.update(3)))
        out.append(outcome(lambda: md.update([("x",)])))
        md.clear()
        out.append(len(md))
        return out
    t, e = both(run)
    assert t == e


def test_parameter_list_and_dict_operations():
    def run(lib):
        nn = lib.nn
        pl = nn.ParameterList([lib.ones(2), nn.Parameter(lib.zeros(3))])
        out = [len(pl), type(pl[0]).__name__, pl[0].requires_grad, tuple(pl[-1].shape)]
        pl.append(lib.ones(1))
        pl.extend([lib.ones(4)])
        pl[0] = lib.zeros(5)
        out.append([tuple(p.shape) for p in pl])
        out.append(type(pl[1:3]).__name__)
        out.append([n for n, _ in pl.named_parameters()])
        out.append(outcome(lambda: pl.extend(lib.ones(2))))
        out.append(outcome(lambda: pl(1)))
        pd = nn.ParameterDict({"w": lib.ones(2), "a": nn.Parameter(lib.zeros(1))})
        pd["b"] = lib.ones(3)
        out.append((list(pd), [n for n, _ in pd.named_parameters()]))
        out.append((pd.get("zz", 1), "w" in pd, type(pd["w"]).__name__))
        out.append(tuple(pd.pop("a").shape))
        out.append(list(pd.keys()))
        out.append(pd.popitem()[0])
        out.append(outcome(lambda: pd[3]))
        merged = pd | nn.ParameterDict({"q": lib.ones(1)})
        out.append(list(merged))
        pd.setdefault("s", lib.ones(1))
        out.append(list(pd))
        pd.clear()
        out.append(len(pd))
        return out
    t, e = both(run)
    assert t == e


# -- hooks -----------------------------------------------------------------------------------------
def test_forward_hooks_sequence_and_modification():
    def run(lib):
        nn = lib.nn
        m = nn.Linear(3, 2)
        log = []

        def pre(mod, args):
            log.append(("pre", tuple(args[0].shape)))
            return (args[0] * 2,)

        def pre_kw(mod, args, kwargs):
            log.append(("pre_kw", len(args), sorted(kwargs)))
            return args, kwargs

        def pre_first(mod, args):
            log.append("pre_first")

        def post(mod, args, output):
            log.append(("post", tuple(output.shape)))
            return output + 1

        def post_kw(mod, args, kwargs, output):
            log.append(("post_kw", sorted(kwargs)))

        h1 = m.register_forward_pre_hook(pre)
        m.register_forward_pre_hook(pre_kw, with_kwargs=True)
        m.register_forward_pre_hook(pre_first, prepend=True)
        h4 = m.register_forward_hook(post)
        m.register_forward_hook(post_kw, with_kwargs=True)
        x = lib.ones(4, 3)
        with_hooks = m(x)
        h1.remove()
        h4.remove()
        without = m(x)
        diff = (with_hooks - without).detach()
        return log, tuple(with_hooks.shape), diff.shape
    t, e = both(run)
    assert t[0] == e[0] and t[1] == e[1]


def test_forward_hook_values_match_torch():
    t_mod, e_mod = both(lambda lib: lib.nn.Linear(3, 2))
    copy_weights(e_mod, t_mod)
    for lib, mod in ((torch, t_mod), (ember, e_mod)):
        mod.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
        mod.register_forward_hook(lambda m, args, out: out * 3)
    x = torch.randn(4, 3)
    assert_same(e_mod(to_ember(x)), t_mod(x))


def test_forward_pre_hook_bad_return_and_always_call():
    def run(lib):
        nn = lib.nn
        m = nn.Linear(2, 2)
        h = m.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
        out = [outcome(lambda: m(lib.ones(1, 2)))]
        h.remove()
        log = []

        class Boom(nn.Module):
            def forward(self, x):
                raise ValueError("boom")
        b = Boom()
        b.register_forward_hook(lambda mod, args, res: log.append(("always", res)),
                                always_call=True)
        b.register_forward_hook(lambda mod, args, res: log.append("normal"))
        out.append(outcome(lambda: b(1)))
        out.append(log)
        return out
    t, e = both(run)
    assert t == e


def test_hook_handle_context_manager():
    def run(lib):
        m = lib.nn.Identity()
        log = []
        with m.register_forward_hook(lambda mod, a, o: log.append(1)):
            m(lib.ones(1))
        m(lib.ones(1))
        return log
    t, e = both(run)
    assert t == e == [1]


def _backward_hook_run(lib, make, shapes, pre_scale=None, replace_input_grad=False,
                       input_requires_grad=True):
    torch.manual_seed(0)
    mod = make(lib.nn)
    log = []

    def describe(grads):
        return [None if g is None else to_numpy(g).round(5).tolist() for g in grads]

    def hook(m, grad_input, grad_output):
        log.append(("hook", describe(grad_input), describe(grad_output)))
        if replace_input_grad:
            return tuple(None if g is None else g * 10 for g in grad_input)
        return None

    def pre_hook(m, grad_output):
        log.append(("pre", describe(grad_output)))
        if pre_scale is not None:
            return tuple(None if g is None else g * pre_scale for g in grad_output)
        return None

    mod.register_full_backward_pre_hook(pre_hook)
    mod.register_full_backward_hook(hook)
    g = np.random.default_rng(0)
    inputs = [lib.tensor(g.standard_normal(s).astype(np.float32),
                         requires_grad=input_requires_grad) for s in shapes]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = mod(*inputs)
        first = out[0] if isinstance(out, tuple) else out
        first.sum().backward()
    log.append(("warnings", sum("Full backward hook" in str(w.message) for w in caught)))
    grads = [None if x.grad is None else to_numpy(x.grad).round(5).tolist() for x in inputs]
    pgrads = {n: to_numpy(p.grad).round(4).tolist() for n, p in mod.named_parameters()
              if p.grad is not None}
    return log, grads, pgrads


def _copyable(make):
    """The same initial weights in both libraries: torch's, loaded into ember."""
    def build(nn):
        if nn is torch.nn:
            torch.manual_seed(0)
            return make(nn)
        torch.manual_seed(0)
        ref = make(torch.nn)
        mod = make(nn)
        copy_weights(mod, ref)
        return mod
    return build


@pytest.mark.parametrize("kwargs", [{}, {"pre_scale": 2.0}, {"replace_input_grad": True},
                                    {"input_requires_grad": False}])
def test_full_backward_hooks_match_torch(kwargs):
    make = _copyable(lambda nn: nn.Linear(3, 2))
    t = _backward_hook_run(torch, make, [(2, 3)], **kwargs)
    e = _backward_hook_run(ember, make, [(2, 3)], **kwargs)
    assert t[0] == e[0]
    assert t[1] == e[1]
    assert t[2].keys() == e[2].keys()
    for k in t[2]:
        np.testing.assert_allclose(e[2][k], t[2][k], atol=1e-4)


def test_full_backward_hook_multi_input_output():
    def make(nn):
        class Two(nn.Module):
            def forward(self, a, b, scale=2.0):
                return a * b * scale, a + 1
        return Two()
    t = _backward_hook_run(torch, make, [(2,), (2,)])
    e = _backward_hook_run(ember, make, [(2,), (2,)])
    assert t == e


def test_full_backward_hook_in_sequential_order():
    def run(lib):
        torch.manual_seed(0)
        seq = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Linear(2, 2))
        order = []
        for i, m in enumerate(seq):
            m.register_full_backward_hook(lambda mod, gi, go, i=i: order.append(("b", i)))
            m.register_full_backward_pre_hook(lambda mod, go, i=i: order.append(("p", i)))
        seq(lib.ones(1, 2, requires_grad=True)).sum().backward()
        return order
    t, e = both(run)
    assert t == e


def test_global_hooks():
    def run(lib):
        mm = lib.nn.modules.module
        log = []
        h1 = mm.register_module_forward_pre_hook(
            lambda m, a: log.append(("gpre", type(m).__name__)))
        h2 = mm.register_module_forward_hook(
            lambda m, a, o: log.append(("gpost", type(m).__name__)))
        h3 = mm.register_module_full_backward_hook(
            lambda m, gi, go: log.append(("gback", type(m).__name__)))
        try:
            seq = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Identity())
            seq(lib.ones(1, 2, requires_grad=True)).sum().backward()
        finally:
            h1.remove()
            h2.remove()
            h3.remove()
        lib.nn.Linear(1, 1)(lib.ones(1, 1))
        return log
    t, e = both(run)
    assert t == e


# -- copy / pickle ---------------------------------------------------------------------------------
def _same_outputs(a, b):
    x = ember.ones(2, 4)
    np.testing.assert_allclose(a(x).detach().numpy(), b(x).detach().numpy())


def test_deepcopy_preserves_ties_and_values():
    net = make_net(ember)
    net.head[2].weight = net.head[0].weight
    clone = copy.deepcopy(net)
    _same_outputs(net, clone)
    assert clone.head[2].weight is clone.head[0].weight
    assert clone.head[0].weight is not net.head[0].weight
    assert list(clone.state_dict()) == list(net.state_dict())
    assert repr(clone) == repr(net)
    assert len(list(clone.parameters())) == len(list(net.parameters()))


def test_pickle_round_trip():
    net = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.Flatten(), ember.nn.Linear(3, 4))
    net.register_buffer("b", ember.arange(3))
    net.eval()
    clone = pickle.loads(pickle.dumps(net))
    assert type(clone[0].weight) is ember.nn.Parameter and clone[0].weight.requires_grad
    assert not clone.training and list(clone.state_dict()) == list(net.state_dict())
    _same_outputs(net, clone)
    # modules pickled without the hook dicts (old checkpoints) still work
    state = net.__getstate__()
    del state["_forward_hooks"]
    fresh = ember.nn.Sequential.__new__(ember.nn.Sequential)
    fresh.__setstate__(state)
    fresh.register_forward_hook(lambda m, a, o: None)
    _same_outputs(net, fresh)


# -- errors that say where ---------------------------------------------------------------------
def _deep_model(nn):
    class Layer(nn.Module):
        def __init__(self, i):
            super().__init__()
            self.fc1 = nn.Linear(128, 64) if i == 3 else nn.Linear(256, 256)

        def forward(self, x):
            return self.fc1(x)

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([Layer(i) for i in range(4)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = Encoder()

        def forward(self, x):
            return self.encoder(x)
    return Model()


def test_error_names_module_path_and_shapes():
    model = _deep_model(ember.nn)
    x = ember.randn(32, 256)
    with pytest.raises(RuntimeError) as info:
        model(x)
    # the same exception type as torch raises
    with pytest.raises(RuntimeError):
        _deep_model(torch.nn)(torch.randn(32, 256))
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "encoder.layers.3.fc1" in notes
    assert "Linear(in_features=128, out_features=64, bias=True)" in notes
    assert "(32, 256)" in notes
    assert "in_features=128" in notes and "256" in notes
    assert len(info.value.__notes__) == 1   # one note, updated while propagating
    # calling the failing layer directly names it without a path
    with pytest.raises(RuntimeError) as direct:
        model.encoder.layers[3].fc1(x)
    assert "Linear(in_features=128" in direct.value.__notes__[0]
    # the error in a hooked module is annotated too
    model.encoder.register_forward_hook(lambda m, a, o: None)
    with pytest.raises(RuntimeError) as hooked:
        model(x)
    assert "encoder.layers.3.fc1" in hooked.value.__notes__[0]


def test_error_from_user_forward_keeps_type():
    class Bad(ember.nn.Module):
        def forward(self, x):
            raise KeyError("missing")
    seq = ember.nn.Sequential(ember.nn.Identity(), Bad())
    with pytest.raises(KeyError) as info:
        seq(ember.ones(2, 3))
    assert "'1'" in info.value.__notes__[0] and "(2, 3)" in info.value.__notes__[0]


def test_call_overhead_is_small():
    """__call__ without hooks adds ~1-2 us over forward (measured ~1.5 us vs torch's ~3 us);
    the bound is loose because the test machines are shared and noisy."""
    import timeit
    m = ember.nn.Identity()
    x = ember.ones(1)
    n = 2000
    direct = min(timeit.repeat(lambda: m.forward(x), number=n, repeat=7)) / n
    called = min(timeit.repeat(lambda: m(x), number=n, repeat=7)) / n
    assert called - direct < 25e-6


def test_backward_hooks_non_tensor_args_kwargs_and_prepend():
    def run(lib):
        class M(lib.nn.Module):
            def forward(self, a, n, b=None):
                return a * n + b
        log = []
        m = M()
        m.register_full_backward_hook(lambda mod, gi, go: log.append(
            ([None if g is None else tuple(g.shape) for g in gi], [tuple(g.shape) for g in go])))
        a = lib.ones(3, requires_grad=True)
        b = lib.ones(3, requires_grad=True)
        m(a, 2.0, b=b).sum().backward()
        log.append((a.grad.tolist(), b.grad.tolist()))
        lin = lib.nn.Linear(2, 2)
        lin.register_forward_hook(lambda *args: log.append("f1"))
        lin.register_forward_hook(lambda *args: log.append("f0"), prepend=True)
        lin.register_full_backward_hook(lambda *args: log.append("b1"))
        lin.register_full_backward_hook(lambda *args: log.append("b0"), prepend=True)
        lin.register_full_backward_pre_hook(lambda *args: log.append("p1"))
        lin.register_full_backward_pre_hook(lambda *args: log.append("p0"), prepend=True)
        lin(lib.ones(1, 2, requires_grad=True)).sum().backward()
        ident = lib.nn.Identity()
        ident.register_full_backward_hook(lambda mod, gi, go: log.append(
            ("id", gi[0].tolist(), go[0].tolist())))
        x = lib.ones(2, requires_grad=True)
        (ident(x) * 3).sum().backward()
        return log
    t, e = both(run)
    assert t == e


def test_forward_pre_hook_with_kwargs_changes_values():
    def run(lib):
        class M(lib.nn.Module):
            def forward(self, x, scale=1.0):
                return x * scale
        m = M()
        m.register_forward_pre_hook(lambda mod, args, kwargs: ((args[0] + 1,), {"scale": 3.0}),
                                    with_kwargs=True)
        m.register_forward_hook(lambda mod, args, kwargs, out: out - kwargs["scale"],
                                with_kwargs=True)
        return m(lib.ones(2), scale=10.0).tolist()
    t, e = both(run)
    assert t == e


@pytest.mark.parametrize("device", DEVICES)
def test_module_to_device_keeps_parameters_and_moves_buffers(device):
    """Module.to(device)/.cuda()/.cpu(): same Parameter objects (an optimizer built before
    the move keeps working), buffers moved, state_dict on the device, load_state_dict of
    cpu tensors copies onto the module's device (as torch)."""
    torch.manual_seed(0)
    t_mod = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    e_mod = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.BatchNorm1d(4))
    params = list(e_mod.parameters())
    moved = e_mod.cuda() if device == "cuda" else e_mod.to(device)
    assert moved is e_mod
    assert all(a is b for a, b in zip(e_mod.parameters(), params))
    state = {k: to_ember(v) for k, v in t_mod.state_dict().items()}   # cpu tensors
    e_mod.load_state_dict(state)
    assert all(a is b for a, b in zip(e_mod.parameters(), params))
    for name, value in e_mod.state_dict().items():
        assert value.device.type == device, name
        assert_same(value, t_mod.state_dict()[name], what=name)
    x = torch.randn(5, 3)
    t_out = t_mod(x)
    e_out = e_mod(to_ember(x, device=device))
    assert_same(e_out, t_out, device=device)
    t_out.sum().backward()
    e_out.sum().backward()
    for (name, ep), tp in zip(e_mod.named_parameters(), t_mod.parameters()):
        assert_same(ep.grad, tp.grad, what=f"grad of {name}", device=device)
    for (name, eb), tb in zip(e_mod.named_buffers(), t_mod.buffers()):
        assert_same(eb, tb, what=name, device=device)   # running stats updated in place
    e_mod.cpu()
    assert all(a is b for a, b in zip(e_mod.parameters(), params))
    assert all(p.device.type == "cpu" and p.grad.device.type == "cpu" for p in params)
    assert all(b.device.type == "cpu" for b in e_mod.buffers())
