"""Custom autograd functions: ``class F(ember.autograd.Function)``.

The context object handed to ``forward`` is the backward node itself (as in
torch), so ``ctx.save_for_backward`` uses the same saved-tensor machinery, version
checks and freeing as built-in ops.
"""
import functools

from . import grad_mode
from .graph import Node

_GRAD = grad_mode.STATE


class FunctionCtx:
    """What ``forward`` (or ``setup_context``) may use on ``ctx``."""

    _dirty = ()
    _non_diff = ()
    _to_save = None
    _materialize = True
    needs_input_grad = ()

    def save_for_backward(self, *tensors):
        from .._tensor import Tensor
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{i} is of type {type(t).__name__}")
        self._to_save = tensors

    def save_for_forward(self, *tensors):
        self._saved_for_forward = tensors

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_diff = tensors

    def set_materialize_grads(self, value):
        self._materialize = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The node class every custom Function gets a subclass of (``MyFnBackward``)."""

    _fn_cls = None
    _n_args = 0
    _tensor_positions = ()

    def backward(self, *grads):
        result = self._fn_cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n_args = self._n_args
        if len(result) != n_args:
            if len(result) < n_args or any(r is not None for r in result[n_args:]):
                raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                                   f"gradients (expected {n_args}, got {len(result)})")
        from .._tensor import Tensor
        positions = self._tensor_positions
        for i, r in enumerate(result[:n_args]):
            if r is None:
                continue
            if not isinstance(r, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(r).__name__})")
            if i not in positions:
                raise RuntimeError(
                    f"function {self.name()} returned a gradient different than None at "
                    f"position {i + 1}, but the corresponding forward input was not a Variable")
        return tuple(result[i] for i in positions)

    def apply(self, *grads):
        return self.backward(*grads)

    def __repr__(self):
        # NOTE: torch's nodes of custom Functions are Python classes of module
        # torch.autograd.function, so their repr carries that prefix.
        return f"<torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_fn_cls": cls})


class Function(metaclass=_FunctionMeta):
    """Base class for custom differentiable operations.

    >>> class Square(ember.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * grad
    >>> Square.apply(ember.tensor(3.0, requires_grad=True))
    tensor(9., grad_fn=<SquareBackward>)
    """

    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions "
                      "are all static, so you should invoke them on the class itself.",
                      DeprecationWarning, stacklevel=2)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor
        positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        tensors = [args[i] for i in positions]
        enabled = _GRAD.enabled
        ctx = cls._backward_cls()
        ctx._tensor_positions = positions
        ctx._n_args = len(args)
        ctx.needs_input_grad = tuple(enabled and isinstance(a, Tensor) and a._rg for a in args)
        _GRAD.enabled = False
        try:
            if cls.setup_context is not Function.setup_context:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        finally:
            _GRAD.enabled = enabled
        is_tuple = isinstance(output, tuple)
        outputs = output if is_tuple else (output,)
        dirty = ctx._dirty
        for t in dirty:
            t._bump_version()  # NOTE: torch counts mark_dirty as one more change
        if not (enabled and any(t._rg for t in tensors)):
            ctx._to_save = None
            ctx._dirty = ctx._non_diff = ()
            return output
        new_outputs = _wrap_outputs(ctx, tensors, outputs)
        to_save = ctx._to_save
        if to_save is not None:
            ctx.save(*to_save)   # after the outputs got ctx as grad_fn (see Node.save)
        # The node must not keep its outputs alive (no reference cycles).
        ctx._to_save = None
        ctx._dirty = ctx._non_diff = ()
        if not is_tuple:
            return new_outputs[0]
        return tuple(new_outputs)


def _wrap_outputs(ctx, inputs, outputs):
    """Give the outputs ``ctx`` as grad_fn, as torch's custom Function does."""
    from .._tensor import Tensor
    from ..ops._inplace import _check_leaf, rebase_history
    ctx.connect(inputs)
    dirty_ids = {id(t) for t in ctx._dirty}
    non_diff_ids = {id(t) for t in ctx._non_diff}
    input_pos = {id(t): k for k, t in enumerate(inputs)}
    ctx._num_outputs = len(outputs)
    new_outputs = []
    metas = []
    for nr, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            new_outputs.append(out)
            metas.append(None)   # no gradient for non-tensor outputs
            continue
        metas.append((out._data.shape, out.dtype, out._device))
        differentiable = id(out) not in non_diff_ids and out.dtype.category >= 2
        if id(out) in dirty_ids:
            _check_leaf(out, ctx.name())
            if differentiable:
                k = input_pos.get(id(out))
                edge = ctx.next_functions[k] if k is not None else None
                rebase_history(out, ctx, nr, edge, k if k is not None else 0)
        elif id(out) in input_pos:
            # NOTE: an input returned as is comes back as a new tensor (a view of it).
            out = _alias(out)
            if differentiable:
                out._grad_fn, out._out_nr, out._rg = ctx, nr, True
        elif differentiable:
            out._grad_fn, out._out_nr, out._rg = ctx, nr, True
        new_outputs.append(out)
    ctx._out_meta = metas
    return new_outputs


def _alias(t):
    from .._tensor import Tensor, _new
    alias = _new(Tensor)
    alias._data = t._data
    alias._device = t._device
    root = t._base if t._base is not None else t
    if root._vc is None:
        root._vc = [0]
    alias._base = root
    alias._vc = root._vc
    alias._vv = root._vc[0]
    return alias


class InplaceFunction(Function):
    def __init__(self, inplace=False):
        self.inplace = inplace


class DelayedError(Node):
    """grad_fn of what a once_differentiable backward returned: differentiating it errs."""

    def backward(self, *grads):
        raise RuntimeError("trying to differentiate twice a function that was marked with "
                           "@once_differentiable")


def once_differentiable(fn):
    """Run the wrapped backward without recording a graph (no double backward).

    If a graph is being recorded (create_graph=True) and a gradient passed in requires
    grad, the results get a grad_fn that raises when differentiated, as in torch.
    """
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .._tensor import Tensor
        prev = _GRAD.enabled
        _GRAD.enabled = False
        try:
            outputs = fn(ctx, *args)
        finally:
            _GRAD.enabled = prev
        if not prev or not any(isinstance(a, Tensor) and a._rg for a in args):
            return outputs
        is_tuple = isinstance(outputs, tuple)
        results = outputs if is_tuple else (outputs,)
        err = DelayedError()
        err._num_outputs = len(results)
        wrapped = []
        for nr, r in enumerate(results):
            if isinstance(r, Tensor):
                r = r.detach()
                r._grad_fn, r._out_nr, r._rg = err, nr, True
            wrapped.append(r)
        return tuple(wrapped) if is_tuple else wrapped[0]
    return wrapper
