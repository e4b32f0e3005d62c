"""Autograd behaviour against torch: the engine, hooks, grad modes, custom Functions,
in-place ops and version counters, gradcheck.

Each scenario is written once as ``scenario(lib)`` and run with ``lib`` = ember and
``lib`` = torch; ``both`` compares what the two return (tensors by value and shape,
other values by equality, exceptions by their builtin type).
"""
import warnings

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(0)
A = RNG.standard_normal((2, 3))
B = RNG.standard_normal((2, 3))
V = RNG.uniform(0.5, 2.0, size=(4,))
M = RNG.standard_normal((3, 4))


class Raised:
    """An exception as a comparable value: its nearest builtin class."""

    def __init__(self, exc):
        for cls in type(exc).__mro__:
            if cls.__module__ == "builtins":
                self.kind = cls
                break
        self.message = str(exc)

    def __eq__(self, other):
        return isinstance(other, Raised) and self.kind is other.kind

    def __repr__(self):
        return f"Raised({self.kind.__name__}: {self.message[:80]})"


def _run(fn, lib):
    try:
        return fn(lib)
    except Exception as exc:  # noqa: BLE001 - compared with torch's exception
        if type(exc).__module__.startswith("numpy"):
            raise
        return Raised(exc)


def _to_numpy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x.detach()._data)


def _compare(e, t, path="result"):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{path}: {e!r} vs tensor {t}"
        assert tuple(e.shape) == tuple(t.shape), f"{path}: shape {e.shape} vs {t.shape}"
        assert str(e.dtype) == str(t.dtype), f"{path}: dtype {e.dtype} vs {t.dtype}"
        np.testing.assert_allclose(_to_numpy(e), _to_numpy(t), rtol=1e-7, atol=1e-9,
                                   err_msg=path)
    elif isinstance(t, (list, tuple)):
        assert isinstance(e, (list, tuple)) and len(e) == len(t), f"{path}: {e!r} vs {t!r}"
        for i, (a, b) in enumerate(zip(e, t)):
            _compare(a, b, f"{path}[{i}]")
    elif isinstance(t, dict):
        assert isinstance(e, dict) and e.keys() == t.keys(), f"{path}: {e!r} vs {t!r}"
        for k in t:
            _compare(e[k], t[k], f"{path}[{k!r}]")
    elif isinstance(t, float):
        assert e == pytest.approx(t, rel=1e-7, abs=1e-9), f"{path}: {e!r} vs {t!r}"
    else:
        assert e == t, f"{path}: ember {e!r} vs torch {t!r}"


def both(fn):
    """Run ``fn(lib)`` with ember and torch and assert the same outcome."""
    t = _run(fn, torch)
    e = _run(fn, ember)
    _compare(e, t)
    return e


def leaf(lib, arr, requires_grad=True):
    return lib.tensor(np.array(arr, dtype=np.float64), requires_grad=requires_grad)


def name(fn):
    """A grad_fn's name as a comparable value (None for no grad_fn)."""
    return None if fn is None else fn.name()


def structure(fn, depth=3):
    """Names of a node and of its next_functions, recursively."""
    if fn is None:
        return None
    if depth == 0:
        return fn.name()
    return [fn.name(), [(structure(n, depth - 1), nr) for n, nr in fn.next_functions]]


# ----------------------------------------------------------------------------------
# requires_grad, leaves, grad_fn
# ----------------------------------------------------------------------------------

def test_requires_grad_and_leaves():
    def f(lib):
        x = leaf(lib, A)
        c = leaf(lib, B, requires_grad=False)
        y = x * c
        z = c * 2
        return [x.requires_grad, x.is_leaf, x.grad_fn is None, y.requires_grad, y.is_leaf,
                z.requires_grad, z.is_leaf, name(y.grad_fn), z.grad_fn is None]
    both(f)


@pytest.mark.parametrize("case", ["int_true", "int_false", "nonleaf_false", "nonleaf_true",
                                  "setter", "bool"])
def test_requires_grad_errors(case):
    def f(lib):
        if case == "int_true":
            return lib.ones(3, dtype=lib.int64).requires_grad_()
        if case == "int_false":
            return lib.ones(3, dtype=lib.int64).requires_grad_(False).requires_grad
        x = leaf(lib, V)
        if case == "nonleaf_false":
            return (x * 2).requires_grad_(False)
        if case == "nonleaf_true":
            return (x * 2).requires_grad_(True).requires_grad
        if case == "setter":
            t = lib.zeros(2)
            t.requires_grad = True
            return [t.requires_grad, t.is_leaf]
        return lib.tensor([True, False]).requires_grad_()
    both(f)


def test_grad_fn_names_and_next_functions():
    def f(lib):
        x = leaf(lib, A)
        w = leaf(lib, B)
        c = leaf(lib, B, requires_grad=False)
        y = (x * c + x.exp() - w / 2).sum()
        z = (x.reshape(3, 2).transpose(0, 1).sqrt() * w).mean()
        u = -(x.log().neg()[0:1].squeeze(0).unsqueeze(0).expand(2, 3) + w.permute(1, 0).t())
        return [structure(y.grad_fn, 4), structure(z.grad_fn, 5), structure(u.grad_fn, 6)]
    both(f)


def test_next_functions_leaf_identity():
    def f(lib):
        x = leaf(lib, A)
        y = x * x
        acc0, acc1 = y.grad_fn.next_functions[0][0], y.grad_fn.next_functions[1][0]
        return [acc0 is acc1, acc0.variable is x, acc0.next_functions, acc0.name()]
    e = _run(f, ember)
    t = _run(f, torch)
    assert e[:3] == t[:3] == [True, True, ()]
    assert e[3] == t[3]


def test_grad_fn_is_callable():
    def f(lib):
        x = leaf(lib, A)
        w = leaf(lib, B)
        g = lib.tensor(np.full((2, 3), 2.0))
        with lib.no_grad():
            one = x.exp().grad_fn(g)
            two = (x * w).grad_fn(g)
            three = x.sum().grad_fn(lib.tensor(3.0, dtype=lib.float64))
        return [one, list(two), three]
    both(f)


# ----------------------------------------------------------------------------------
# backward
# ----------------------------------------------------------------------------------

def test_backward_accumulates_over_calls():
    def f(lib):
        x = leaf(lib, V)
        w = leaf(lib, [0.5, -1.0, 2.0, 3.0])
        grads = []
        for k in range(3):
            ((x * w + x * x * k).sum()).backward()
            grads.append([x.grad.clone(), w.grad.clone()])
        return grads
    both(f)


def test_grad_object_is_kept_and_updated_in_place():
    def f(lib):
        x = leaf(lib, V)
        (x * 2).sum().backward()
        g = x.grad
        v0 = g._version
        (x * 3).sum().backward()
        return [g is x.grad, x.grad, x.grad._version > v0]
    both(f)


def test_backward_with_gradient_argument():
    def f(lib):
        x = leaf(lib, A)
        y = x.exp() * 3
        y.backward(lib.tensor(np.arange(6.0).reshape(2, 3)))
        return x.grad
    both(f)


def test_user_gradient_is_not_aliased_by_grad():
    def f(lib):
        x = leaf(lib, V)
        g = lib.ones(4, dtype=lib.float64)
        (x + 0).backward(g)
        (x + 0).backward(g)
        return [g, x.grad]
    both(f)


@pytest.mark.parametrize("case", ["non_scalar", "shape_mismatch", "no_grad_fn", "bad_type",
                                  "dtype_cast"])
def test_backward_errors(case):
    def f(lib):
        x = leaf(lib, A)
        y = x * 2
        if case == "non_scalar":
            y.backward()
        elif case == "shape_mismatch":
            y.backward(lib.ones(3, dtype=lib.float64))
        elif case == "no_grad_fn":
            lib.ones(3).sum().backward()
        elif case == "bad_type":
            y.backward(2.0)
        else:
            y.backward(lib.ones(2, 3, dtype=lib.float32))
        return x.grad
    both(f)


def test_second_backward_through_freed_graph():
    def f(lib):
        x = leaf(lib, V)
        out = {}
        for label, make in [("mul", lambda: (x * x).sum()), ("exp", lambda: x.exp().sum()),
                            ("add", lambda: (x + x).sum()), ("sub", lambda: (x - x * 1).sum())]:
            y = make()
            y.backward()
            out[label] = _run(lambda lib_: y.backward(), lib)
        return out
    both(f)


def test_retain_graph_allows_repeats():
    def f(lib):
        x = leaf(lib, V)
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward(retain_graph=True)
        y.backward()
        return [x.grad, _run(lambda lib_: y.backward(), lib)]
    both(f)


def test_backward_inputs_restricts_accumulation():
    def f(lib):
        x = leaf(lib, V)
        w = leaf(lib, [1.0, 2.0, 3.0, 4.0])
        h = x * w
        h2 = h.exp()
        loss = (h2 * w).sum()
        loss.backward(inputs=[x], retain_graph=True)
        r1 = [x.grad.clone(), w.grad]
        loss.backward(inputs=[w, h])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            hg = h.grad
        return r1 + [x.grad, w.grad, hg, h.retains_grad, h2.retains_grad]
    both(f)


def test_backward_inputs_errors():
    def f(lib):
        x = leaf(lib, V)
        return [_run(lambda lib_: (x * 2).sum().backward(inputs=[]), lib),
                _run(lambda lib_: (x * 2).sum().backward(inputs=[lib_.ones(2)]), lib)]
    both(f)


def test_backward_several_roots():
    def f(lib):
        x = leaf(lib, V)
        y = x * 2
        z = (y * y).sum()
        lib.autograd.backward([z, y], [lib.tensor(2.0, dtype=lib.float64),
                                       lib.ones(4, dtype=lib.float64)])
        return x.grad
    both(f)


def test_broadcast_grad_is_reduced():
    def f(lib):
        x = leaf(lib, [[1.0], [2.0]])
        b = leaf(lib, [1.0, 2.0, 3.0])
        s = leaf(lib, 3.0)
        ((x * b + s) * (x - b)).sum().backward()
        return [x.grad, b.grad, s.grad]
    both(f)


def test_dtype_of_grads_follows_inputs():
    def f(lib):
        x = lib.tensor(V.astype(np.float32), requires_grad=True)
        w = lib.tensor(V, requires_grad=True)
        (x * w).sum().backward()
        return [x.grad, w.grad]
    both(f)


# ----------------------------------------------------------------------------------
# autograd.grad
# ----------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["error", "allow_unused", "materialize", "bad_combo",
                                  "no_grad_input", "output_no_grad"])
def test_grad_unused_inputs(case):
    def f(lib):
        a = leaf(lib, [1.0, 2.0])
        b = leaf(lib, [3.0, 4.0])
        y = (a * 2).sum()
        if case == "error":
            return lib.autograd.grad(y, [a, b])
        if case == "allow_unused":
            return lib.autograd.grad(y, [a, b], allow_unused=True)
        if case == "materialize":
            return lib.autograd.grad(y, [a, b], materialize_grads=True)
        if case == "bad_combo":
            return lib.autograd.grad(y, [a, b], materialize_grads=True, allow_unused=False)
        if case == "no_grad_input":
            return lib.autograd.grad(y, [a, lib.ones(2)])
        return lib.autograd.grad(lib.ones(2).sum(), [a])
    both(f)


def test_grad_does_not_touch_dot_grad():
    def f(lib):
        x = leaf(lib, V)
        y = (x * x).sum()
        (g,) = lib.autograd.grad(y, x)
        return [g, x.grad, g.requires_grad]
    both(f)


def test_grad_wrt_nonleaf_and_self():
    def f(lib):
        x = leaf(lib, V)
        h = x.exp()
        y = (h * h).sum()
        g_h, g_x = lib.autograd.grad(y, [h, x], retain_graph=True)
        (g_y,) = lib.autograd.grad(y, y)
        (g_xx,) = lib.autograd.grad(x, x, lib.ones(4, dtype=lib.float64) * 3)
        return [g_h, g_x, g_y, g_xx]
    both(f)


def test_grad_outputs_several():
    def f(lib):
        x = leaf(lib, A)
        y1 = x.exp()
        y2 = (x * x).sum(0)
        return lib.autograd.grad([y1, y2], x, [lib.tensor(B), lib.tensor([1.0, -1.0, 2.0],
                                                                          dtype=lib.float64)])
    both(f)


def poly(lib, x):
    return 3 * x * x * x * x - 2 * x * x * x + x * x / 2 - x + 1


def exp_log_chain(lib, x):
    return (x.exp() * x).log() + (x * x + 1).sqrt()


@pytest.mark.parametrize("func", [poly, exp_log_chain])
def test_third_derivative(func):
    def f(lib):
        x = leaf(lib, V)
        y = func(lib, x).sum()
        (g1,) = lib.autograd.grad(y, x, create_graph=True)
        (g2,) = lib.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = lib.autograd.grad(g2.sum(), x)
        return [y, g1, g2, g3, g1.requires_grad, g3.requires_grad]
    both(f)


def test_double_backward_via_backward_create_graph():
    def f(lib):
        x = leaf(lib, V)
        y = (x * x * x).sum()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y.backward(create_graph=True)
        g = x.grad
        res = [g.clone(), g.requires_grad]
        x.grad = None
        g.sum().backward()
        return res + [x.grad]
    both(f)


def test_diamond_and_heavy_reuse():
    def f(lib):
        x = leaf(lib, V)
        a = x.exp()
        b = a * x
        c = a + b
        d = (c * a - b / c).sum()
        acc = x
        for k in range(40):
            acc = acc * 0.9 + x * (k % 3) - a / 10
        total = d + acc.sum()
        (g,) = lib.autograd.grad(total, x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return [total, g, gg]
    both(f)


def test_grad_retain_graph_default_frees():
    def f(lib):
        x = leaf(lib, V)
        y = x.exp().sum()
        lib.autograd.grad(y, x)
        return lib.autograd.grad(y, x)
    both(f)


# ----------------------------------------------------------------------------------
# retain_grad and hooks
# ----------------------------------------------------------------------------------

def test_retain_grad_and_nonleaf_grad_warning():
    def f(lib):
        x = leaf(lib, V)
        y = x * 2
        z = y.exp()
        y.retain_grad()
        y.retain_grad()
        (z * y).sum().backward()
        with warnings.catch_warnings(record=True) as w_nonleaf:
            warnings.simplefilter("always")
            zg = z.grad
        with warnings.catch_warnings(record=True) as w_retained:
            warnings.simplefilter("always")
            yg = y.grad
        return [yg, zg, len(w_nonleaf) > 0, len(w_retained), y.retains_grad, z.retains_grad,
                x.retains_grad, _run(lambda lib_: lib_.ones(2).retain_grad(), lib)]
    both(f)


def test_retain_grad_accumulates_and_follows_inplace():
    def f(lib):
        x = leaf(lib, V)
        y = x * 2
        y.retain_grad()
        (y * y).sum().backward(retain_graph=True)
        first = y.grad.clone()
        (y * y).sum().backward()
        second = y.grad.clone()
        u = x * 3
        u.retain_grad()
        u.mul_(2)
        (u * 1).sum().backward()
        return [first, second, u.grad]
    both(f)


def test_tensor_hooks_modify_order_and_remove():
    def f(lib):
        x = leaf(lib, V)
        log = []
        a = x * 2
        b = x * 3
        c = a * b
        a.register_hook(lambda g: log.append("a"))
        b.register_hook(lambda g: log.append("b") or g * 10)
        c.register_hook(lambda g: log.append("c"))
        x.register_hook(lambda g: log.append("x1"))
        x.register_hook(lambda g: log.append("x2") or g + 1)
        h = x.register_hook(lambda g: log.append("removed") or g * 0)
        h.remove()
        c.sum().backward()
        return [log, x.grad]
    both(f)


def test_hooks_apply_in_autograd_grad():
    def f(lib):
        x = leaf(lib, V)
        y = x * 2
        x.register_hook(lambda g: g * 10)
        y.register_hook(lambda g: g * 100)
        g_x = lib.autograd.grad((y * 1).sum(), x, retain_graph=True)
        g_y = lib.autograd.grad((y * 1).sum(), y)
        return [g_x, g_y, x.grad]
    both(f)


def test_hook_on_tensor_without_grad_errors():
    both(lambda lib: lib.ones(2).register_hook(lambda g: g))


def test_hook_registered_before_inplace_sees_old_grad():
    def f(lib):
        x = leaf(lib, V)
        seen = []
        y = x * 2
        y.register_hook(lambda g: seen.append(g.clone()))
        y.mul_(3)
        (y * 1).sum().backward()
        return [seen, x.grad]
    both(f)


def test_node_hooks():
    def f(lib):
        x = leaf(lib, V)
        y = x.exp()
        log = []
        y.grad_fn.register_prehook(lambda go: log.append(("pre", go[0])))
        h = y.grad_fn.register_hook(lambda gi, go: log.append(("post", gi[0], go[0])))
        y.grad_fn.register_hook(lambda gi, go: (gi[0] * 2,))
        (y * 3).sum().backward(retain_graph=True)
        h.remove()
        first = x.grad.clone()
        (y * 3).sum().backward()
        acc = (x * 2).grad_fn.next_functions[0][0]
        acc.register_prehook(lambda go: log.append(("acc_pre", go[0])))
        acc.register_hook(lambda gi, go: log.append(("acc_post", len(gi), go[0])))
        (x * 2).sum().backward()
        return [log, first, x.grad]
    both(f)


def test_post_accumulate_grad_hook():
    def f(lib):
        x = leaf(lib, V)
        seen = []
        x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
        (x * 2).sum().backward()
        lib.autograd.grad((x * 5).sum(), x)
        (x * 3).sum().backward()
        errs = [_run(lambda lib_: (x * 2).register_post_accumulate_grad_hook(lambda t: None),
                     lib),
                _run(lambda lib_: lib_.ones(2).register_post_accumulate_grad_hook(lambda t: 0),
                     lib)]
        return [seen, errs]
    both(f)


# ----------------------------------------------------------------------------------
# grad modes
# ----------------------------------------------------------------------------------

def test_grad_mode_context_managers_nested():
    def f(lib):
        x = leaf(lib, V)
        out = [lib.is_grad_enabled()]
        with lib.no_grad():
            out += [lib.is_grad_enabled(), (x * 2).requires_grad]
            with lib.enable_grad():
                out += [lib.is_grad_enabled(), (x * 2).requires_grad]
                with lib.set_grad_enabled(False):
                    out += [lib.is_grad_enabled()]
                out += [lib.is_grad_enabled()]
            with lib.inference_mode():
                out += [lib.is_grad_enabled(), lib.is_inference_mode_enabled()]
                with lib.inference_mode(False):
                    out += [lib.is_grad_enabled(), lib.is_inference_mode_enabled()]
            out += [lib.is_grad_enabled(), lib.is_inference_mode_enabled()]
        out += [lib.is_grad_enabled(), (x * 2).requires_grad]
        return out
    both(f)


def test_grad_modes_restore_after_exception():
    def f(lib):
        try:
            with lib.no_grad():
                raise KeyError("boom")
        except KeyError:
            pass
        return lib.is_grad_enabled()
    both(f)


def test_grad_mode_decorators():
    def f(lib):
        x = leaf(lib, V)

        @lib.no_grad()
        def a():
            return (x * 2).requires_grad

        @lib.no_grad
        def b():
            return (x * 2).requires_grad

        @lib.enable_grad()
        def c():
            return (x * 2).requires_grad

        @lib.enable_grad
        def d():
            return (x * 2).requires_grad

        @lib.inference_mode()
        def e():
            return [lib.is_grad_enabled(), lib.is_inference_mode_enabled()]

        @lib.inference_mode
        def e2():
            return lib.is_grad_enabled()

        @lib.set_grad_enabled(False)
        def g():
            return lib.is_grad_enabled()

        after_decorating = lib.is_grad_enabled()

        @lib.no_grad()
        def gen():
            yield lib.is_grad_enabled()
            yield lib.is_grad_enabled()

        out = [a(), b(), after_decorating, e(), e2(), g(), lib.is_grad_enabled(), list(gen())]
        with lib.no_grad():
            out += [c(), d(), lib.is_grad_enabled()]
        return out
    both(f)


def test_set_grad_enabled_as_function():
    def f(lib):
        lib.set_grad_enabled(False)
        off = lib.is_grad_enabled()
        lib.set_grad_enabled(True)
        return [off, lib.is_grad_enabled(), _run(lambda lib_: lib_.set_grad_enabled(1), lib)]
    both(f)


# ----------------------------------------------------------------------------------
# custom Function
# ----------------------------------------------------------------------------------

def _functions(lib):
    """The custom Functions of these tests, defined for ``lib``."""
    F = lib.autograd.Function

    class Cube(F):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            ctx.flags = ctx.needs_input_grad
            return x * x * x * scale

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x * ctx.scale, None

    class ExpOut(F):   # saves its output; backward in differentiable ops
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    class MulAdd(F):   # two inputs, two outputs
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b, a + b

        @staticmethod
        def backward(ctx, g_prod, g_sum):
            a, b = ctx.saved_tensors
            return g_prod * b + g_sum, g_prod * a + g_sum

    class NoMaterialize(F):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            ctx.seen = [g1 is None, g2 is None]
            out = 0
            if g1 is not None:
                out = out + g1 * 2
            if g2 is not None:
                out = out + g2 * 3
            return out

    class WithInt(F):  # non-differentiable and non-tensor outputs
        @staticmethod
        def forward(ctx, x):
            mask = (x > 1).long()
            ctx.mark_non_differentiable(mask)
            return x * 2, 7, mask

        @staticmethod
        def backward(ctx, g, g_int, g_mask):
            ctx.seen = [g_int, g_mask]
            return g * 2

    class Identity(F):  # returns its input unchanged
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    class AddOneInplace(F):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 7

    class SetupCtx(F):  # forward without ctx + setup_context
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, k = inputs
            ctx.k = k
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * ctx.k + x * 0, None

    class Once(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    class WrongBackward(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * g   # should be 2 * x * g

    class TooMany(F):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    class GradForNumber(F):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    class NotATensor(F):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return 3.0

    class BadShape(F):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return lib.ones(7, dtype=lib.float64)

    class BroadcastGrad(F):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return (g * 2).unsqueeze(0)

    return {k: v for k, v in locals().items() if isinstance(v, type)}


def test_custom_function_basic():
    def f(lib):
        fns = _functions(lib)
        x = leaf(lib, V)
        c = leaf(lib, V, requires_grad=False)
        y = fns["Cube"].apply(x, 2.0)
        y.sum().backward()
        node = y.grad_fn
        z = fns["Cube"].apply(c, 2.0)
        return [y, x.grad, name(node), type(node).__name__, structure(node), node.flags,
                z.requires_grad, z.grad_fn is None]
    both(f)


def test_custom_function_needs_input_grad():
    def f(lib):
        fns = _functions(lib)
        a = fns["Cube"].apply(leaf(lib, V), 1.0).grad_fn.flags
        with lib.no_grad():
            y = fns["Cube"].apply(leaf(lib, V), 1.0)
        return [a, y.requires_grad]
    both(f)


def test_custom_function_saved_output_and_double_backward():
    def f(lib):
        fns = _functions(lib)
        x = leaf(lib, V)
        y = fns["ExpOut"].apply(x)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        return [g, gg, name(y.grad_fn)]
    both(f)


def test_custom_function_multiple_outputs():
    def f(lib):
        fns = _functions(lib)
        a = leaf(lib, V)
        b = leaf(lib, [1.0, -1.0, 2.0, 0.5])
        p, s = fns["MulAdd"].apply(a, b)
        (p * s).sum().backward()
        grads = [a.grad.clone(), b.grad.clone()]
        p2, s2 = fns["MulAdd"].apply(a, b)
        p2.sum().backward()   # the unused output's gradient is materialized as zeros
        return grads + [a.grad, b.grad, p.output_nr, s.output_nr, p.grad_fn is s.grad_fn]
    both(f)


def test_custom_function_materialize_false_and_non_tensor_outputs():
    def f(lib):
        fns = _functions(lib)
        x = leaf(lib, V)
        y1, _ = fns["NoMaterialize"].apply(x)
        y1.sum().backward()
        seen1 = y1.grad_fn.seen
        y, k, mask = fns["WithInt"].apply(x)
        y.sum().backward()
        return [seen1, y.grad_fn.seen, k, mask.requires_grad, mask.grad_fn is None,
                y.output_nr, x.grad]
    both(f)


def test_custom_function_returns_input_unchanged():
    def f(lib):
        fns = _functions(lib)
        x = leaf(lib, V)
        y = fns["Identity"].apply(x)
        res = [y is x, y._base is x, name(y.grad_fn), x.grad_fn is None]
        (y * 2).sum().backward()
        return res + [x.grad]
    both(f)


def test_custom_function_mark_dirty():
    def f(lib):
        fns = _functions(lib)
        x = leaf(lib, V)
        h = x * 1
        v0 = h._version
        y = fns["AddOneInplace"].apply(h)
        res = [y is h, h._version - v0, name(h.grad_fn), y]
        (y * 3).sum().backward()
        leaf_err = _run(lambda lib_: fns["AddOneInplace"].apply(leaf(lib_, V)), lib)
        return res + [x.grad, leaf_err]
    both(f)


def test_custom_function_mark_dirty_on_view():
    def f(lib):
        fns = _functions(lib)
        x = leaf(lib, A)
        h = x * 1
        fns["AddOneInplace"].apply(h[0])
        (h * h).sum().backward()
        return [h, x.grad, name(h.grad_fn)]
    both(f)


def test_custom_function_setup_context():
    def f(lib):
        fns = _functions(lib)
        x = leaf(lib, V)
        y = fns["SetupCtx"].apply(x, 4.0)
        y.sum().backward()
        return [y, x.grad, name(y.grad_fn)]
    both(f)


def test_custom_function_once_differentiable():
    def f(lib):
        fns = _functions(lib)
        x = leaf(lib, V)
        (g,) = lib.autograd.grad(fns["Once"].apply(x).sum(), x, create_graph=True)
        res = [g, g.requires_grad]
        y = fns["Once"].apply(x)
        go = lib.ones(4, dtype=lib.float64, requires_grad=True)
        (g2,) = lib.autograd.grad(y, x, go, create_graph=True)
        return res + [g2.requires_grad, _run(lambda lib_: g2.sum().backward(), lib)]
    both(f)


@pytest.mark.parametrize("fn_name", ["TooMany", "GradForNumber", "NotATensor", "BadShape",
                                     "BroadcastGrad"])
def test_custom_function_bad_backward(fn_name):
    def f(lib):
        fns = _functions(lib)
        x = leaf(lib, V)
        args = (x, 2.0) if fn_name == "GradForNumber" else (x,)
        fns[fn_name].apply(*args).sum().backward()
        return x.grad
    both(f)


def test_custom_function_saved_tensor_modified_inplace():
    def f(lib):
        fns = _functions(lib)
        x = leaf(lib, V)
        h = x * 1
        y = fns["Cube"].apply(h, 1.0)
        h.add_(1)
        return _run(lambda lib_: y.sum().backward(), lib)
    both(f)


def test_custom_function_save_non_tensor_errors():
    def f(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x * 1

            @staticmethod
            def backward(ctx, g):
                return g
        return Bad.apply(leaf(lib, V))
    both(f)


# ----------------------------------------------------------------------------------
# in-place ops and version counters
# ----------------------------------------------------------------------------------

def test_version_counter_increments():
    def f(lib):
        x = leaf(lib, V, requires_grad=False)
        out = [x._version]
        x.add_(1)
        out.append(x._version)
        x.mul_(2).sub_(1)
        out.append(x._version)
        v = x[1:3]
        v.mul_(2)
        out += [x._version, v._version]
        x.exp_()
        out += [x._version, v._version, x.detach()._version]
        y = x.view(2, 2)
        y.add_(1)
        out += [x._version, y._version]
        return out
    both(f)


@pytest.mark.parametrize("case", ["saved_result", "saved_input", "not_saved", "exp_inplace",
                                  "saved_view_base", "no_grad_modification"])
def test_saved_tensor_modified_inplace(case):
    def f(lib):
        x = leaf(lib, V)
        if case == "saved_result":
            y = x.exp()
            y.add_(1)
            out = y.sum()
        elif case == "saved_input":
            h = x * 2
            y = h.log()
            h.mul_(2)
            out = y.sum()
        elif case == "not_saved":
            h = x * 2
            y = h + 1          # add saves nothing
            h.mul_(3)
            out = (y * 2).sum()
        elif case == "exp_inplace":
            h = x * 1
            h.exp_()
            h.add_(1)
            out = h.sum()
        elif case == "saved_view_base":
            h = x * 1
            y = h.sqrt()
            h[0:2].mul_(2)
            out = y.sum()
        else:
            h = x * 1
            y = h.exp()
            with lib.no_grad():
                y.mul_(2)
            out = y.sum()
        out.backward()
        return x.grad
    both(f)


@pytest.mark.parametrize("case", ["leaf", "leaf_view", "leaf_no_grad_ok", "no_grad_view",
                                  "detached_ok", "leaf_setitem"])
def test_inplace_leaf_errors(case):
    def f(lib):
        x = leaf(lib, V)
        if case == "leaf":
            x.add_(1)
        elif case == "leaf_view":
            x[0:2].mul_(2)
        elif case == "leaf_no_grad_ok":
            with lib.no_grad():
                x.mul_(2)
                x[0:1].add_(1)
            return [x, x.is_leaf, x.requires_grad]
        elif case == "no_grad_view":
            h = x * 1
            with lib.no_grad():
                v = h[0:2]
            v.mul_(2)
        elif case == "detached_ok":
            d = x.detach()
            d.mul_(2)
            return [x, x.is_leaf, d.requires_grad]
        else:
            x[0] = 2.0
        return x
    both(f)


def test_inplace_on_nonleaves_gives_torch_grads():
    def f(lib):
        x = leaf(lib, V)
        w = leaf(lib, [1.0, -2.0, 0.5, 3.0])
        a = x * 1
        a.mul_(w)
        a.add_(x)
        a.div_(w)
        a.exp_()
        b = w * 1
        b.mul_(b)          # both sides the same tensor
        b.sub_(x, alpha=2)
        loss = (a * b).sum()
        loss.backward()
        return [loss, x.grad, w.grad, name(a.grad_fn), name(b.grad_fn)]
    both(f)


def test_inplace_makes_plain_tensor_require_grad():
    def f(lib):
        w = leaf(lib, V)
        a = lib.zeros(4, dtype=lib.float64)
        a.add_(w * 2)
        res = [a.requires_grad, a.is_leaf, name(a.grad_fn)]
        (a * a).sum().backward()
        return res + [w.grad]
    both(f)


def test_inplace_on_views_of_nonleaf():
    def f(lib):
        x = leaf(lib, A)
        w = leaf(lib, [2.0, 3.0, 4.0])
        h = x * 1
        row = h[0]
        row.mul_(w)
        col = h[:, 1]
        col.exp_()
        t = h.t()
        t[2].add_(1)
        loss = (h * h).sum()
        loss.backward()
        return [h, x.grad, w.grad, structure(h.grad_fn, 2), name(row.grad_fn),
                name(col.grad_fn)]
    both(f)


def test_setitem_on_nonleaf():
    def f(lib):
        x = leaf(lib, A)
        w = leaf(lib, [5.0, 6.0])
        h = x.exp()
        h[:, 0] = w
        h[1, 1:] = 0.0
        (h * x).sum().backward()
        return [h, x.grad, w.grad, name(h.grad_fn)]
    both(f)


def test_inplace_on_view_into_plain_tensor():
    def f(lib):
        w = leaf(lib, [1.0, 2.0])
        buf = lib.zeros(2, 3, dtype=lib.float64)
        buf[:, 1].add_(w)
        res = [buf.requires_grad, name(buf.grad_fn)]
        (buf * buf).sum().backward()
        return res + [w.grad]
    both(f)


def test_stale_views_follow_base_history():
    def f(lib):
        x = leaf(lib, V)
        b = x * 1
        v1 = b[0:2]
        v2 = b[1:3]
        v1.mul_(2)          # a sibling view changed
        s1 = (v2 * 1).sum()
        c = x * 1
        v3 = c[2:]
        c.mul_(3)           # the base itself changed
        s2 = (v3 * 1).sum()
        (g1,) = lib.autograd.grad(s1, x)
        (g2,) = lib.autograd.grad(s2, x)
        return [g1, g2, name(v2.grad_fn), name(v3.grad_fn)]
    both(f)


def test_inplace_on_view_double_backward():
    def f(lib):
        x = leaf(lib, A)
        h = x * x
        h[1].mul_(x[0])
        h[:, 2].exp_()
        y = (h * x).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        return [g, gg]
    both(f)


def test_inplace_on_noncontiguous_base_view():
    def f(lib):
        x = leaf(lib, M)
        h = (x * 1).t()       # a non-contiguous tensor ...
        h2 = h.contiguous()   # ... and a contiguous one
        hv = h[1:3]
        hv.mul_(2)
        h2[:, 1].add_(h2[:, 0])
        (x.sum() + (h * h).sum() + (h2 * h2).sum()).backward()
        return x.grad
    both(f)


def test_inplace_on_expanded_view_errors():
    def f(lib):
        x = leaf(lib, [1.0, 2.0])
        h = (x * 1).unsqueeze(0).expand(3, 2)
        h.add_(1)
        return h
    e = _run(f, ember)
    t = _run(f, torch)
    assert isinstance(t, Raised) and isinstance(e, Raised) and e.kind is t.kind


# ----------------------------------------------------------------------------------
# gradcheck / gradgradcheck
# ----------------------------------------------------------------------------------

def test_gradcheck_passes_on_correct_functions():
    x = ember.tensor(V, requires_grad=True)
    w = ember.tensor(A, requires_grad=True)
    fns = _functions(ember)
    assert ember.autograd.gradcheck(lambda a: exp_log_chain(ember, a), (x,))
    assert ember.autograd.gradcheck(lambda a, b: (a.unsqueeze(0) * b.sum(0, keepdim=True)
                                                  .expand(4, 3).t()).exp(),
                                    (x, w))
    assert ember.autograd.gradcheck(lambda a: fns["ExpOut"].apply(a), (x,))
    assert ember.autograd.gradgradcheck(lambda a: poly(ember, a), (x,))
    assert ember.autograd.gradgradcheck(lambda a: fns["ExpOut"].apply(a) * a, (x,))


def test_gradcheck_catches_a_wrong_backward():
    from ember.autograd import GradcheckError
    x = ember.tensor(V, requires_grad=True)
    wrong = _functions(ember)["WrongBackward"]
    with pytest.raises(GradcheckError) as info:
        ember.autograd.gradcheck(wrong.apply, (x,))
    assert isinstance(info.value, RuntimeError)
    assert ember.autograd.gradcheck(wrong.apply, (x,), raise_exception=False) is False
    # torch agrees that this backward is wrong
    with pytest.raises(RuntimeError):
        torch.autograd.gradcheck(_functions(torch)["WrongBackward"].apply,
                                 (torch.tensor(V, requires_grad=True),))


def test_gradgradcheck_catches_a_wrong_double_backward():
    class BadDouble(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x.detach() * x.detach()   # first order right, second lost
    x = ember.tensor(V, requires_grad=True)
    assert ember.autograd.gradcheck(BadDouble.apply, (x,))
    with pytest.raises(RuntimeError):
        ember.autograd.gradgradcheck(BadDouble.apply, (x,))


# ----------------------------------------------------------------------------------
# the graph dies with its outputs
# ----------------------------------------------------------------------------------

def test_graph_freed_without_gc():
    import gc
    import weakref
    gc.collect()
    gc.disable()
    try:
        x = ember.tensor(V, requires_grad=True)
        y = x.exp()
        z = (y.sqrt() * y).sum()
        node = weakref.ref(y.grad_fn)
        out = weakref.ref(y)
        del y, z
        assert node() is None and out() is None   # no cycle through the saved output
        fns = _functions(ember)
        y = fns["ExpOut"].apply(x)
        y.retain_grad()
        y.register_hook(lambda g: g)
        node, out = weakref.ref(y.grad_fn), weakref.ref(y)
        y.sum().backward()
        del y
        assert node() is None and out() is None
    finally:
        gc.enable()


# ----------------------------------------------------------------------------------
# more engine behaviour
# ----------------------------------------------------------------------------------

def test_backward_on_a_leaf_and_reentrant_backward():
    def f(lib):
        x = leaf(lib, V)
        x.backward(lib.tensor(np.arange(4.0)))
        first = x.grad.clone()

        class Checkpointed(lib.autograd.Function):
            # backward re-runs the forward and calls backward inside backward
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a.exp() * a

            @staticmethod
            def backward(ctx, g):
                (a,) = ctx.saved_tensors
                with lib.enable_grad():
                    a2 = a.detach().requires_grad_(True)
                    out = a2.exp() * a2
                    lib.autograd.backward(out, g)
                return a2.grad

        w = leaf(lib, V)
        Checkpointed.apply(w).sum().backward()
        return [first, w.grad, lib.is_grad_enabled()]
    both(f)


def test_anomaly_detection_names_the_nan_node():
    def f(lib):
        # torch has is_anomaly_enabled at the top level only
        enabled = getattr(lib, "is_anomaly_enabled", None) or lib.autograd.is_anomaly_enabled
        x = leaf(lib, [0.0, 1.0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                inside = enabled()
                y = (x.sqrt() * 0).sum()
                err = _run(lambda lib_: y.backward(), lib)
        z = (x.sqrt() * 0).sum()
        z.backward()    # off again: NaN gradients pass silently
        return [inside, err, enabled(), x.grad]
    e = _run(f, ember)
    t = _run(f, torch)
    _compare(e, t)
    assert "SqrtBackward0" in e[1].message


def _fn_quadratic(a):
    return (a.exp() * a).sum()


def _fn_two(a, b):
    return (a.unsqueeze(0) * b.sum(1, keepdim=True)).exp()


@pytest.mark.parametrize("what", ["vjp", "vjp_tuple", "jvp", "jacobian", "jacobian_tuple",
                                  "jacobian_multi_out", "hessian", "hessian_tuple", "vhp",
                                  "hvp", "strict", "create_graph"])
def test_functional(what):
    def f(lib):
        F = lib.autograd.functional
        x = lib.tensor([0.5, 1.5, 2.0], dtype=lib.float64)
        y = lib.tensor([[1.0, 2.0], [3.0, 0.5]], dtype=lib.float64)
        v = lib.tensor([1.0, -1.0, 2.0], dtype=lib.float64)
        if what == "vjp":
            return F.vjp(_fn_quadratic, x)
        if what == "vjp_tuple":
            return F.vjp(_fn_two, (x, y), lib.ones(2, 3, dtype=lib.float64))
        if what == "jvp":
            return F.jvp(_fn_two, (x, y), (v, lib.ones(2, 2, dtype=lib.float64)))
        if what == "jacobian":
            return F.jacobian(lambda a: a.exp() * a.sum(), x)
        if what == "jacobian_tuple":
            return F.jacobian(_fn_two, (x, y))
        if what == "jacobian_multi_out":
            return F.jacobian(lambda a: (a * a, a.sum()), x)
        if what == "hessian":
            return F.hessian(_fn_quadratic, x)
        if what == "hessian_tuple":
            return F.hessian(lambda a, b: (a.sum() * b.exp()).sum(), (x, y))
        if what == "vhp":
            return F.vhp(_fn_quadratic, x, v)
        if what == "hvp":
            return F.hvp(_fn_quadratic, x, v)
        if what == "strict":
            return F.jacobian(lambda a, b: a * 2, (x, y), strict=True)
        w = x.clone().requires_grad_()
        (jac,) = [F.jacobian(_fn_quadratic, w, create_graph=True)]
        (g,) = lib.autograd.grad(jac.sum(), w)
        return [jac, g]
    both(f)


@pytest.mark.parametrize("case", ["nonleaf_size", "leaf_size", "leaf_dtype", "prehook_count",
                                  "posthook_count"])
def test_hook_results_are_validated(case):
    def f(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * 2
        if case == "nonleaf_size":
            y.register_hook(lambda g: g.sum())
        elif case == "leaf_size":
            x.register_hook(lambda g: lib.ones(3, dtype=lib.float64))
        elif case == "leaf_dtype":
            x.register_hook(lambda g: g.float())
        elif case == "prehook_count":
            y.grad_fn.register_prehook(lambda go: (go[0], go[0]))
        else:
            y.grad_fn.register_hook(lambda gi, go: ())
        (y * y).sum().backward()
        return [x.grad, str(x.grad.dtype)]
    both(f)
