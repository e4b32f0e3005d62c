"""The Optimizer base: param_groups, state, state_dict, hooks (``torch.optim.Optimizer``).

An optimizer subclass only declares its defaults and implements ``step`` by gathering
each group's arrays and state and handing them to a pure update function in
``_functional.py`` (most derive from ``_state.ArrayOptimizer``, which owns ``step``); everything else (groups, state bookkeeping, serialisation, hooks)
lives here, in torch's layout, so that a torch ``state_dict()`` loads unchanged.
"""
import copy
import functools
import itertools
from collections import OrderedDict, defaultdict

from .._tensor import Tensor
from ..autograd import grad_mode

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """Marks a default that every parameter group must set (e.g. a learning rate)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_GLOBAL_PRE_HOOKS = OrderedDict()
_GLOBAL_POST_HOOKS = OrderedDict()


class _HookHandle:
    """Returned by the ``register_*_hook`` methods: ``handle.remove()`` unregisters."""

    _ids = itertools.count()

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = next(self._ids)

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _add_hook(hooks, hook, prepend=False):
    """Register ``hook`` in ``hooks`` (first in line with ``prepend``); returns its handle."""
    handle = _HookHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook):
    """A pre hook ``hook(optimizer, args, kwargs)`` run before every optimizer's step."""
    return _add_hook(_GLOBAL_PRE_HOOKS, hook)


def register_optimizer_step_post_hook(hook):
    """A post hook ``hook(optimizer, args, kwargs)`` run after every optimizer's step."""
    return _add_hook(_GLOBAL_POST_HOOKS, hook)


def _with_step_hooks(step):
    """Wrap a subclass's ``step`` so the global and per-optimizer hooks run around it."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        for hook in itertools.chain(_GLOBAL_PRE_HOOKS.values(),
                                    self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{hook} must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {result}.")
                args, kwargs = result
        out = step(self, *args, **kwargs)
        self._opt_called = True   # read by lr schedulers' "step order" warning
        for hook in itertools.chain(self._optimizer_step_post_hooks.values(),
                                    _GLOBAL_POST_HOOKS.values()):
            hook(self, args, kwargs)
        return out

    wrapper._ember_hooked = True
    return wrapper


def _typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()   # torch's legacy name, e.g. "torch.FloatTensor"
    return type(obj).__name__


def _cast_state_value(param, value, key=None, step_on_device=False):
    """State loaded for ``param`` moved to its dtype (floating state) and device.

    NOTE: like torch, ``step`` keeps its own dtype and device (a float32 scalar tensor
    on the cpu) unless its group is ``capturable`` or ``fused``, where it goes to the
    parameter's device as float32; a parameter that is not floating point only has its
    state moved, never cast.
    """
    if isinstance(value, Tensor):
        if key == "step":
            if step_on_device:
                return value.to(device=param.device).float()
            return value
        if param.is_floating_point() and value.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)
    if isinstance(value, dict):
        return {k: _cast_state_value(param, v, k, step_on_device) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not isinstance(value, str):
        return type(value)(_cast_state_value(param, v, key, step_on_device) for v in value)
    return value


class Optimizer:
    """Base class of all optimizers (``torch.optim.Optimizer``).

    ``params`` is an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts
    (parameter groups, each with a ``'params'`` entry and per-group options that
    override ``defaults``).

    >>> w = ember.zeros(3, requires_grad=True)
    >>> opt = ember.optim.SGD([w], lr=0.1)
    >>> opt.param_groups[0]['lr']
    0.1
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_ember_hooked", False):
            cls.step = _with_step_hooks(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {_typename(params)}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # -- pickling and printing ------------------------------------------------------
    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())

    def __repr__(self):
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {key}: {group[key]}\n" for key in sorted(group)
                            if key != "params")
        return text + ")"

    # -- parameter groups -----------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with ``'params'`` and optional options)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            param_group["params"] = list(params)

        named = [p for p in param_group["params"] if isinstance(p, tuple)]
        if named:
            if len(named) != len(param_group["params"]):
                raise ValueError("all optimizer params should be with/without names. Some "
                                 "param names are missing")
            param_group["param_names"] = [name for name, _ in named]
            param_group["params"] = [p for _, p in named]

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            import warnings
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        if self.param_groups and (("param_names" in param_group)
                                  != ("param_names" in self.param_groups[0])):
            raise ValueError("all optimizer param groups should be with/without names.")
        self.param_groups.append(param_group)

    # -- gradients ------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors (to None by default)."""
        for group in self.param_groups:
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if grad._grad_fn is not None:
                        grad.detach_()
                    else:
                        grad.requires_grad_(False)
                    grad._data[...] = 0

    def step(self, closure=None):
        """Perform a single optimization step; subclasses implement it."""
        raise NotImplementedError

    @staticmethod
    def _eval_closure(closure):
        """The loss from ``closure`` (re-evaluated with gradients enabled), or None."""
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    # -- hooks ----------------------------------------------------------------------
    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` before ``step``; may return new (args, kwargs)."""
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` after ``step``."""
        return _add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # -- serialisation --------------------------------------------------------------
    def state_dict(self):
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index...]}]}``.

        Parameters are replaced by their position across all groups, so the dict holds
        no reference to a tensor being optimized (the state tensors are shared, as in torch).
        """
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index_of = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                if id(p) not in index_of:
                    index_of[id(p)] = len(index_of)
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index_of[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        result = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            out = hook(self, result)
            if out is not None:
                result = out
        return result

    def load_state_dict(self, state_dict):
        """Load a dict made by ``state_dict()`` (ember's or torch's layout)."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            out = hook(self, state_dict)
            if out is not None:
                state_dict = out
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        param_of = {saved: p for g, s in zip(groups, saved_groups)
                    for saved, p in zip(s["params"], g["params"])}
        # torch reads capturable/fused from the saved group of each parameter.
        counters_on_device = {saved: bool(s.get("capturable") or s.get("fused"))
                              for s in saved_groups for saved in s["params"]}

        state = defaultdict(dict)
        for key, value in copy.deepcopy(state_dict["state"]).items():
            if key in param_of:
                param = param_of[key]
                state[param] = _cast_state_value(
                    param, value, step_on_device=counters_on_device[key])
            else:
                state[key] = value

        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)
