"""ember.autograd: reverse-mode automatic differentiation over dynamic graphs.

``backward`` and ``grad`` run the engine in ``graph.py``; ``Function`` defines
custom ops; grad modes live in ``grad_mode.py``.
"""
from .anomaly_mode import (detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled,
                           set_detect_anomaly)
from .function import Function, FunctionCtx, InplaceFunction, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_grad_enabled)
from .variable import Variable
import numpy as np

from . import graph as _graph
from .graph import Node, run_backward

__all__ = ["backward", "grad", "Function", "FunctionCtx", "InplaceFunction",
           "once_differentiable", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "gradcheck",
           "gradgradcheck", "Node", "graph", "detect_anomaly", "set_detect_anomaly",
           "is_anomaly_enabled", "is_anomaly_check_nan_enabled", "functional", "Variable"]


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, _tensor_cls()):
        return (x,)
    return tuple(x)


def _tensor_cls():
    # ember._tensor imports this package, so Tensor is looked up on first use.
    global _Tensor, _wrap
    if _Tensor is None:
        from .._tensor import Tensor, _wrap
        _Tensor = Tensor
    return _Tensor


_Tensor = _wrap = None


def _make_grads(outputs, grad_outputs, is_grads_batched=False):
    Tensor = _tensor_cls()
    grads = []
    for i, out in enumerate(outputs):
        g = grad_outputs[i] if grad_outputs is not None and i < len(grad_outputs) else None
        if g is None:
            if not out._rg:
                grads.append(None)
                continue
            data = out._data
            if data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs "
                                   f"(output {i} has shape {list(out.shape)})")
            if out.dtype.category < 2:
                raise RuntimeError(f"grad can be implicitly created only for real scalar "
                                   f"outputs but got {out.dtype}")
            g = _wrap(np.ones(data.shape, data.dtype), out._device)
        elif not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got "
                            f"{type(g).__name__}")
        else:
            if g._data.shape != out._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                    f"output[{i}] has a shape of {out.shape}.")
            if g._device is not out._device:
                raise RuntimeError(f"invalid gradient at index {i} - expected device "
                                   f"{out._device} but got {g._device}")
            if g.dtype is not out.dtype:
                g = g.to(out.dtype)
        grads.append(g)
    return grads


def _root(t, i):
    if not t._rg:
        raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                           "grad_fn")
    fn = _graph.grad_fn_of(t)
    if fn is None:
        return (t._accumulator(), 0)
    return (fn, t._out_nr)


def _edge(t):
    fn = _graph.grad_fn_of(t)
    if fn is None:
        return (t._accumulator(), 0)
    return (fn, t._out_nr)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulate gradients of ``tensors`` w.r.t. graph leaves into their ``.grad``.

    >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> ember.autograd.backward((x * x).sum())
    >>> x.grad
    tensor([2., 4.])
    """
    tensors = _as_tuple(tensors)
    if grad_variables is not None:
        grad_tensors = grad_variables
    grad_tensors = _as_tuple(grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    roots = [_root(t, i) for i, t in enumerate(tensors)]
    grads = _make_grads(tensors, grad_tensors)
    targets = None
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if len(inputs) == 0:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        for t in inputs:
            if not t._rg:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            if t._grad_fn is not None:
                # NOTE: as torch, a non-leaf input keeps its .grad from now on.
                t.retain_grad()
        targets = [_edge(t) for t in inputs]
    run_backward(roots, grads, retain_graph, create_graph, targets=targets)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of ``outputs`` w.r.t. ``inputs``, returned (not accumulated into .grad).

    >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> ember.autograd.grad((x * x).sum(), x)
    (tensor([2., 4.]),)
    """
    from ..ops.creation import zeros_like
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True arrives with ember.func (vmap)")
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and not allow_unused:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    for t in inputs:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots = [_root(t, i) for i, t in enumerate(outputs)]
    grads = _make_grads(outputs, grad_outputs)
    targets = [_edge(t) for t in inputs]
    captured = run_backward(roots, grads, retain_graph, create_graph, targets=targets,
                            capture=True)
    result = []
    for i, (t, key) in enumerate(zip(inputs, targets)):
        g = captured.get(key)
        if g is None:
            if materialize_grads:
                g = zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not "
                                   "have been used in the graph. Set allow_unused=True if this "
                                   "is the desired behavior.")
        elif not create_graph and g._grad_fn is not None:
            g = g.detach()
        result.append(g)
    return tuple(result)


def __getattr__(name):
    # gradcheck / functional are imported on first use, keeping `import ember` light.
    if name in ("gradcheck", "gradgradcheck", "GradcheckError"):
        from . import _gradcheck as _gc
        return getattr(_gc, name)
    if name == "functional":
        import importlib
        return importlib.import_module(".functional", __name__)
    raise AttributeError(f"module 'ember.autograd' has no attribute '{name}'")
