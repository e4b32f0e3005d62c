"""functional_call: run a module with some parameters/buffers swapped for given tensors."""
import contextlib

__all__ = ["functional_call"]


def _owner(module, name):
    """(submodule, leaf name) for a dotted ``name``."""
    path, _, leaf = name.rpartition(".")
    return (module.get_submodule(path) if path else module), leaf


def _tied_names(module):
    """Groups of names (parameters and buffers) that share one tensor object."""
    groups = {}
    members = list(module.named_parameters(remove_duplicate=False))
    members += list(module.named_buffers(remove_duplicate=False))
    for name, tensor in members:
        groups.setdefault(id(tensor), []).append(name)
    return [names for names in groups.values() if len(names) > 1]


def _expand_tied(module, values):
    values = dict(values)
    for names in _tied_names(module):
        given = [n for n in names if n in values]
        if not given:
            continue
        if len({id(values[n]) for n in given}) > 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(given)}, "
                             "which are tied. Consider using tie_weights=False")
        for n in names:
            values.setdefault(n, values[given[0]])
    return values


def _check_strict(module, values):
    known = {n for n, _ in module.named_parameters(remove_duplicate=False)}
    known |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
    missing = sorted(known - set(values))
    unexpected = sorted(set(values) - known)
    if missing or unexpected:
        lines = []
        if unexpected:
            lines.append("\tUnexpected key(s): " + ", ".join(f"'{k}'" for k in unexpected) + ".")
        if missing:
            lines.append("\tMissing key(s): " + ", ".join(f"'{k}'" for k in missing) + ".")
        raise RuntimeError(f"Error(s) in reparametrizing for {module._get_name()}:\n"
                           + "\n".join(lines))


@contextlib.contextmanager
def _swapped(module, values):
    """Put ``values`` in place (plain tensors in the modules' dicts), restore on exit."""
    saved = []
    try:
        for name, tensor in values.items():
            owner, leaf = _owner(module, name)
            for store in (owner._parameters, owner._buffers):
                if leaf in store:
                    saved.append((store, leaf, store[leaf]))
                    store[leaf] = tensor
                    break
            else:
                # not a registered tensor: a temporary plain attribute, as torch allows
                missing = object()
                saved.append((owner, leaf, owner.__dict__.get(leaf, missing)))
                owner.__dict__[leaf] = tensor
        yield
    finally:
        for store, leaf, old in reversed(saved):
            if isinstance(store, dict):
                store[leaf] = old
            elif old.__class__ is object:
                del store.__dict__[leaf]
            else:
                store.__dict__[leaf] = old


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """Call ``module(*args, **kwargs)`` with ``parameters_and_buffers`` (a dict of name to
    tensor) standing in for its own; the module is left as it was afterwards and gradients
    flow to the given tensors.

    >>> lin = ember.nn.Linear(2, 1)
    >>> w = ember.ones(1, 2, requires_grad=True)
    >>> out = ember.nn.utils.stateless.functional_call(
    ...     lin, {"weight": w, "bias": ember.zeros(1)}, (ember.ones(1, 2),))
    >>> out
    tensor([[2.]], grad_fn=<AddmmBackward0>)
    """
    if isinstance(parameters_and_buffers, (list, tuple)):
        merged = {}
        for part in parameters_and_buffers:
            for key, value in part.items():
                if key in merged:
                    raise ValueError(f"{key} appeared in multiple dictionaries; behavior of "
                                     "functional call is ambiguous")
                merged[key] = value
        parameters_and_buffers = merged
    values = dict(parameters_and_buffers)
    if tie_weights:
        values = _expand_tied(module, values)
    if strict:
        _check_strict(module, values)
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    kwargs = kwargs or {}
    with _swapped(module, values):
        return module(*args, **kwargs)
