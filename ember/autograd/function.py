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
    """What ``forward`` may use on ``ctx``."""

    _dirty = ()
    _non_diff = ()
    _materialize = True
    needs_input_grad = ()

    def save_for_backward(self, *tensors):
        from .._tensor import Tensor
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{tensors.index(t)} is of type {type(t).__name__}")
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

    def backward(self, *grads):
        result = self._fn_cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n_args = len(self._tensor_positions_all)
        if len(result) < n_args:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                               f"gradients (expected {n_args}, got {len(result)})")
        if len(result) > n_args:
            extra = result[n_args:]
            if any(r is not None for r in extra):
                raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                                   f"gradients (expected {n_args}, got {len(result)})")
        return tuple(result[i] for i in self._tensor_positions)

    def apply(self, *grads):
        return self.backward(*grads)


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
        from .._tensor import Tensor, _new
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in positions]
        record = _GRAD.enabled and any(t._rg for t in tensors)
        ctx = cls._backward_cls()
        ctx._tensor_positions = positions
        ctx._tensor_positions_all = args
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._rg and _GRAD.enabled
                                     for a in args)
        uses_setup = cls.setup_context is not Function.setup_context
        prev = _GRAD.enabled
        _GRAD.enabled = False
        try:
            if uses_setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        finally:
            _GRAD.enabled = prev
        is_tuple = isinstance(output, tuple)
        outputs = output if is_tuple else (output,)
        if not record:
            if hasattr(ctx, "_to_save"):
                del ctx._to_save
            return output

        ctx.connect(tensors)
        to_save = getattr(ctx, "_to_save", None)
        if to_save is not None:
            ctx.save(*to_save)
        ctx._materialize = ctx._materialize
        dirty_ids = {id(t) for t in ctx._dirty}
        non_diff_ids = {id(t) for t in ctx._non_diff}
        input_ids = {id(t) for t in tensors}
        new_outputs = []
        metas = []
        for nr, out in enumerate(outputs):
            if not isinstance(out, Tensor):
                new_outputs.append(out)
                metas.append(None)
                continue
            if id(out) in input_ids and id(out) not in dirty_ids:
                alias = _new(Tensor)
                alias._data = out._data
                alias._device = out._device
                out = alias
            if id(out) in dirty_ids and out._rg and out._grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                   "in-place operation.")
            metas.append((out._data.shape, out.dtype, out._device))
            if id(out) not in non_diff_ids and out.dtype.category >= 2:
                out._grad_fn = ctx
                out._out_nr = nr
                out._rg = True
            new_outputs.append(out)
        ctx._num_outputs = len(outputs)
        ctx._out_meta = metas
        if not is_tuple:
            return new_outputs[0]
        return tuple(new_outputs)


class InplaceFunction(Function):
    def __init__(self, inplace=False):
        self.inplace = inplace


def once_differentiable(fn):
    """Run the wrapped backward without recording a graph (no double backward)."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        prev = _GRAD.enabled
        _GRAD.enabled = False
        try:
            return fn(ctx, *args)
        finally:
            _GRAD.enabled = prev
    return wrapper
