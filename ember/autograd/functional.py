"""Higher-level autograd: vjp, jvp, jacobian, hessian, vhp, hvp (torch.autograd.functional).

All are built on ``autograd.grad``; jvp uses the double-vjp trick (the vjp is linear
in its cotangent, so differentiating it with respect to the cotangent gives the jvp).

>>> def f(x):
...     return (x * x).sum()
>>> ember.autograd.functional.hessian(f, ember.tensor([1.0, 2.0]))
tensor([[2., 0.],
        [0., 2.]])
"""
from .._tensor import Tensor
from . import grad as _grad
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _as_tuple(x, arg, fn_name):
    """(tuple of tensors, whether x was a tuple)."""
    if isinstance(x, Tensor):
        return (x,), False
    if isinstance(x, (tuple, list)) and all(isinstance(t, Tensor) for t in x):
        return tuple(x), True
    raise TypeError(f"The {arg} given to {fn_name} must be either a Tensor or a tuple of "
                    f"Tensors but the value given is of type {type(x).__name__}.")


def _untuple(xs, was_tuple):
    return xs if was_tuple else xs[0]


def _prepare(inputs, create_graph):
    # Differentiable copies of the inputs: views of them keep the graph to the caller's
    # tensors when a graph of the result is wanted, detached leaves otherwise.
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(True))
    return tuple(out)


def _finish(tensors, create_graph):
    if create_graph:
        return tensors
    return tuple(None if t is None else t.detach() for t in tensors)


def _fill_unused(grads, inputs, strict, what):
    from ..ops.creation import zeros_like
    out = []
    for i, (g, x) in enumerate(zip(grads, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent "
                                   f"of input {i}. This is not allowed in strict mode ({what}).")
            g = zeros_like(x)
        out.append(g)
    return tuple(out)


def _check_v(v, outputs, arg, fn_name):
    if v is None:
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError(f"The vector v can only be None if the {arg} to {fn_name} is a "
                               "single Tensor with a single element.")
        from ..ops.creation import ones_like
        return (ones_like(outputs[0]),)
    v, _ = _as_tuple(v, "v", fn_name)
    if len(v) != len(outputs):
        raise RuntimeError(f"v has invalid size: should be {len(outputs)} but got {len(v)}.")
    for i, (vi, o) in enumerate(zip(v, outputs)):
        if tuple(vi.shape) != tuple(o.shape):
            raise RuntimeError(f"Entry {i} in v has invalid size: should be {list(o.shape)} "
                               f"but got {list(vi.shape)}.")
    return v


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), v^T J): the vector-Jacobian product at ``inputs``."""
    with enable_grad():
        inputs, in_tuple = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph)
        outputs, out_tuple = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "vjp")
        v = _check_v(v, outputs, "user-provided function output", "vjp")
        grads = _grads(outputs, inputs, v, create_graph)
    grads = _fill_unused(grads, inputs, strict, "vjp")
    return (_untuple(_finish(outputs, create_graph), out_tuple),
            _untuple(_finish(grads, create_graph), in_tuple))


def _grads(outputs, inputs, grad_outputs, create_graph, retain_graph=None):
    diff = [i for i, o in enumerate(outputs) if o.requires_grad]
    if not diff:
        return (None,) * len(inputs)
    return _grad([outputs[i] for i in diff], inputs, [grad_outputs[i] for i in diff],
                 retain_graph=retain_graph if retain_graph is not None else create_graph,
                 create_graph=create_graph, allow_unused=True)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), J v): the Jacobian-vector product at ``inputs``."""
    from ..ops.creation import zeros_like
    with enable_grad():
        inputs, in_tuple = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph)
        v = _check_v(v, inputs, "input", "jvp")
        outputs, out_tuple = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "jvp")
        # u is a dummy cotangent: vjp(u) is linear in u, and d(vjp(u) . v)/du = J v.
        us = tuple(zeros_like(o).requires_grad_(True) for o in outputs)
        grads = _grads(outputs, inputs, us, create_graph=True)
        used = [(g, vi) for g, vi in zip(grads, v) if g is not None]
        if used:
            result = _grad([g for g, _ in used], us, [vi for _, vi in used],
                           create_graph=create_graph, allow_unused=True)
        else:
            result = (None,) * len(us)
    result = _fill_unused(result, outputs, strict, "jvp")
    return (_untuple(_finish(outputs, create_graph), out_tuple),
            _untuple(_finish(result, create_graph), out_tuple))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: d output / d input, shaped
    ``output.shape + input.shape`` (nested tuples for several outputs/inputs)."""
    from ..ops.creation import zeros, zeros_like
    from ..ops.shape import stack
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    with enable_grad():
        inputs, in_tuple = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph)
        outputs, out_tuple = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "jacobian")
        rows = []
        for out in outputs:
            n = out.numel()
            per_input = [[] for _ in inputs]
            flat = out.reshape(-1)
            for k in range(n):
                if out.requires_grad:
                    grads = _grad(flat[k], inputs, retain_graph=True, create_graph=create_graph,
                                  allow_unused=True)
                else:
                    grads = (None,) * len(inputs)
                for j, (g, x) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {len(rows)} of the user-provided "
                                               f"function is independent of input {j}. This "
                                               "is not allowed in strict mode.")
                        g = zeros_like(x)
                    per_input[j].append(g)
            row = []
            for j, x in enumerate(inputs):
                shape = tuple(out.shape) + tuple(x.shape)
                if n == 0:
                    jac = zeros(shape, dtype=x.dtype, device=x.device)
                else:
                    jac = stack(per_input[j]).reshape(shape)
                row.append(jac if create_graph else jac.detach())
            rows.append(tuple(row))
    if out_tuple:
        return tuple(_untuple(r, in_tuple) for r in rows)
    return _untuple(rows[0], in_tuple)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function at ``inputs`` (input.shape + input.shape)."""
    inputs_t, in_tuple = _as_tuple(inputs, "inputs", "hessian")

    def scalar(*args):
        out = func(*args)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor "
                               "with a single element.")
        return out.reshape(())

    def gradient(*args):
        g = jacobian(scalar, args, create_graph=True, strict=strict)
        return g

    res = jacobian(gradient, inputs_t, create_graph=create_graph, strict=strict)
    if not in_tuple:
        return res[0][0]
    return res


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), v^T H) for a scalar function."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(*inputs), H v) for a scalar function."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, name):
    with enable_grad():
        inputs, in_tuple = _as_tuple(inputs, "inputs", name)
        inputs = _prepare(inputs, create_graph)
        v = _check_v(v, inputs, "input", name)
        out = func(*inputs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError(f"The function given to {name} should return a single Tensor "
                               "with a single element.")
        grads = _grad(out, inputs, create_graph=True, allow_unused=True)
        grads = _fill_unused(grads, inputs, strict, name)
        dot = None
        for g, vi in zip(grads, v):
            term = (g * vi).sum()
            dot = term if dot is None else dot + term
        if dot is not None and dot.requires_grad:
            result = _grad(dot, inputs, create_graph=create_graph, allow_unused=True)
        else:
            result = (None,) * len(inputs)
    result = _fill_unused(result, inputs, strict, name)
    return (_finish((out,), create_graph)[0], _untuple(_finish(result, create_graph), in_tuple))
