"""The autograd graph (nodes) and the engine that runs backward over it.

A node is created by every differentiable op whose inputs require grad.  It keeps
the edges to the nodes of its inputs (``next_functions``), what it saved for
backward, and the shape/dtype of each input so that the engine can reduce
broadcast gradients and cast them back (formulas stay short).  Backward formulas
are written in ember Tensor ops, so with ``create_graph=True`` the engine records a
graph of the backward pass and gradients of gradients work for every op.
"""
import itertools
import weakref

from . import grad_mode

_GRAD = grad_mode.STATE
_seq = itertools.count()

_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")


class Node:
    """A backward function in the graph (``tensor.grad_fn``).

    Subclasses implement ``backward(*grad_outputs)`` returning one gradient (or None)
    per input edge, in ember ops.
    """

    _saved = ()              # tuple of (tensor, version) pairs; None once freed
    _num_outputs = 1
    _out_meta = None         # per output (shape, dtype, device), for multi-output nodes
    _pre_hooks = None
    _post_hooks = None
    _tensor_pre_hooks = None  # {output_nr: [hook]}, from Tensor.register_hook
    _retain_grad_hooks = None  # {output_nr: hook}
    _materialize = True

    def __init__(self):
        self._seq_nr = next(_seq)

    # -- construction helpers used by ops -------------------------------------------
    def connect(self, inputs):
        """Set the edges to the nodes of ``inputs`` (tensors or None)."""
        edges = []
        metas = []
        for t in inputs:
            if t is None or not getattr(t, "_rg", False):
                edges.append((None, 0))
                metas.append(None)
                continue
            fn = t._grad_fn
            if fn is None:
                edges.append((t._accumulator(), 0))
            else:
                edges.append((fn, t._out_nr))
            metas.append(t)
        self.next_functions = tuple(edges)
        self._input_meta = tuple(
            None if t is None else (t._data.shape, t._data.dtype) for t in metas)
        return self

    def save(self, *tensors):
        self._saved = tuple((t, t._vc[0] if t._vc is not None else 0) if t is not None
                            else (None, 0) for t in tensors)

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED_MSG)
        out = []
        for t, version in saved:
            if t is not None:
                current = t._vc[0] if t._vc is not None else 0
                if current != version:
                    raise RuntimeError(
                        "one of the variables needed for gradient computation has been "
                        f"modified by an inplace operation: [{t.type()} {list(t.shape)}], which "
                        f"is output {t._out_nr} of {self._describe_owner(t)}, is at version "
                        f"{current}; expected version {version} instead. Hint: the backtrace "
                        "further above shows the operation that failed to compute its gradient.")
            out.append(t)
        return tuple(out)

    @staticmethod
    def _describe_owner(t):
        fn = t._grad_fn
        return fn.name() if fn is not None else "a leaf tensor"

    def release(self):
        # Nodes that saved nothing (AddBackward0 ...) may run again, as in torch.
        if self._saved:
            self._saved = None

    # -- public API mirroring torch's grad_fn ---------------------------------------
    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    @property
    def metadata(self):
        md = self.__dict__.get("_metadata")
        if md is None:
            md = self._metadata = {}
        return md

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) -> new grad_inputs or None; runs after this node."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return _RemovableHandle(self._post_hooks, fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) -> new grad_outputs or None; runs before this node."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(fn)
        return _RemovableHandle(self._pre_hooks, fn)

    def __call__(self, *grads):
        return self.backward(*grads)

    def backward(self, *grads):  # pragma: no cover - abstract
        raise NotImplementedError(f"{self.name()}.backward is not implemented")


class AccumulateGrad(Node):
    """Sink node of a leaf tensor: accumulates incoming gradient into ``.grad``."""

    next_functions = ()
    _input_meta = ()

    def __init__(self, variable):
        self._seq_nr = -1  # torch gives AccumulateGrad UINT64_MAX; it runs whenever ready
        self.variable = variable

    def release(self):
        pass


class _RemovableHandle:
    _next_id = itertools.count()

    def __init__(self, container, item, key=None):
        self._container = weakref.ref(container) if not isinstance(container, dict) else container
        self._item = item
        self._key = key
        self.id = next(self._next_id)

    def remove(self):
        c = self._container
        if not isinstance(c, dict):
            c = c()
            if c is not None and self._item in c:
                c.remove(self._item)
        else:
            lst = c.get(self._key)
            if lst is not None and self._item in lst:
                lst.remove(self._item)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


# ----------------------------------------------------------------------------------
# The engine
# ----------------------------------------------------------------------------------

def _collect(roots):
    """Dependency counts of every node reachable from the roots."""
    deps = {}
    seen = set()
    stack = [n for n in roots if n is not None]
    for n in stack:
        seen.add(n)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps, seen


def _needed_nodes(all_nodes, targets):
    """Nodes that must run because some target is reachable from them by an edge.

    Edges always point from a node to nodes created before it, so one pass in
    creation order (sequence number) settles every node.
    """
    targets = set(targets)
    needed = set()
    for node in sorted(all_nodes, key=lambda n: n._seq_nr):
        for nxt, _ in node.next_functions:
            if nxt is not None and (nxt in targets or nxt in needed):
                needed.add(node)
                break
    return needed


def _reduce_grad(node, index, grad, meta):
    shape, np_dtype = meta
    data = grad._data
    if data.shape != shape:
        from ..ops._util import sum_to_shape
        try:
            grad = sum_to_shape(grad, shape)
        except ValueError:
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {index} - got "
                f"{list(data.shape)} but expected shape compatible with {list(shape)}") from None
    if grad._data.dtype != np_dtype:
        grad = grad.to(dtype=_dtype_of(np_dtype))
    return grad


def _dtype_of(np_dtype):
    from .._dtype import from_numpy_dtype
    return from_numpy_dtype(np_dtype)


def _zeros_for(meta):
    from .._tensor import _zeros_meta
    return _zeros_meta(meta)


def run_backward(roots, grad_roots, retain_graph, create_graph, capture=None,
                 accumulate=True, allow_unreachable=False):
    """Run the backward pass.

    roots: list of (node, output_nr); grad_roots: matching gradient tensors.
    capture: optional list of (node, output_nr) whose incoming gradient is returned
    (for autograd.grad); with accumulate=False nothing is written into ``.grad``.
    accumulate may also be a set of AccumulateGrad nodes (backward(inputs=...)).
    """
    root_nodes = [n for n, _ in roots]
    deps, reachable = _collect(root_nodes)

    targets = None
    if capture is not None:
        targets = [n for n, _ in capture if n is not None]
    if accumulate is not True and accumulate:
        targets = (targets or []) + list(accumulate)
    needed = _needed_nodes(reachable, targets) if targets is not None else None
    target_set = set(targets) if targets is not None else None

    captured = {} if capture is not None else None
    capture_keys = set((n, nr) for n, nr in capture) if capture is not None else ()

    buffers = {}
    for (node, nr), g in zip(roots, grad_roots):
        if node is None:
            continue
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._num_outputs
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    prev_enabled = _GRAD.enabled
    _GRAD.enabled = create_graph
    stored_ids = set()
    try:
        ready = [n for n in dict.fromkeys(root_nodes) if n is not None and deps.get(n, 0) == 0
                 and (needed is None or n in needed or n in target_set)]
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            if grads is None:
                grads = [None] * node._num_outputs
            _run_node(node, grads, retain_graph, create_graph, accumulate, needed,
                      captured, capture_keys, stored_ids, buffers)
            for nxt, nr in node.next_functions:
                if nxt is None:
                    continue
                d = deps[nxt] - 1
                deps[nxt] = d
                if d == 0 and (needed is None or nxt in needed or nxt in target_set):
                    ready.append(nxt)
    finally:
        _GRAD.enabled = prev_enabled
    return captured


def _run_node(node, grads, retain_graph, create_graph, accumulate, needed, captured,
              capture_keys, stored_ids, buffers):
    # Hooks registered on the tensors this node produced (Tensor.register_hook).
    tph = node._tensor_pre_hooks
    if tph:
        for nr, hooks in tph.items():
            if grads[nr] is None:
                continue
            for hook in list(hooks):
                new = hook(grads[nr])
                if new is not None:
                    grads[nr] = new
    rgh = node._retain_grad_hooks
    if rgh:
        for nr, hook in rgh.items():
            if grads[nr] is not None:
                hook(grads[nr])
    if capture_keys:
        for nr in range(node._num_outputs):
            if (node, nr) in capture_keys and grads[nr] is not None:
                prev = captured.get((node, nr))
                captured[(node, nr)] = grads[nr] if prev is None else prev + grads[nr]

    if type(node) is AccumulateGrad:
        if accumulate is True or (accumulate and node in accumulate):
            _accumulate(node, grads[0], create_graph, stored_ids)
        return

    if needed is not None and node not in needed:
        return

    if node._pre_hooks:
        for hook in node._pre_hooks:
            new = hook(tuple(grads))
            if new is not None:
                grads = list(new)

    if all(g is None for g in grads):
        outs = (None,) * len(node.next_functions)
    else:
        if node._materialize:
            for i, g in enumerate(grads):
                if g is None:
                    grads[i] = _zeros_for(node._out_meta[i])
        if node._saved is None:
            raise RuntimeError(_FREED_MSG)
        outs = node.backward(*grads)
        if type(outs) is not tuple:
            outs = tuple(outs) if isinstance(outs, list) else (outs,)
        n_edges = len(node.next_functions)
        if len(outs) != n_edges:
            if len(outs) > n_edges and all(o is None for o in outs[n_edges:]):
                outs = outs[:n_edges]
            else:
                raise RuntimeError(
                    f"function {node.name()} returned an incorrect number of gradients "
                    f"(expected {n_edges}, got {len(outs)})")
    if node._post_hooks:
        for hook in node._post_hooks:
            new = hook(outs, tuple(grads))
            if new is not None:
                outs = tuple(new)
    if not retain_graph:
        node.release()

    metas = node._input_meta
    for i, ((nxt, nr), g) in enumerate(zip(node.next_functions, outs)):
        if nxt is None or g is None:
            continue
        meta = metas[i]
        if meta is not None:
            d = g._data
            if d.shape != meta[0] or d.dtype != meta[1]:
                g = _reduce_grad(node, i, g, meta)
        buf = buffers.get(nxt)
        if buf is None:
            buf = buffers[nxt] = [None] * nxt._num_outputs
        buf[nr] = g if buf[nr] is None else buf[nr] + g


def _accumulate(node, grad, create_graph, stored_ids):
    if grad is None:
        return
    var = node.variable
    hooks = var._hooks
    if hooks:
        for hook in list(hooks):
            new = hook(grad)
            if new is not None:
                grad = new
    old = var._grad
    if old is None:
        if not create_graph:
            data = grad._data
            # Own the gradient: never alias an expanded, viewed or shared array.
            if (not data.flags.owndata or not data.flags.c_contiguous
                    or id(data) in stored_ids):
                grad = grad.detach().clone()
            else:
                grad = grad.detach()
            stored_ids.add(id(grad._data))
        var._grad = grad
    elif create_graph or _GRAD.enabled:
        var._grad = old + grad
    else:
        # in-place accumulation keeps the identity of .grad (optimizers hold it)
        old_data = old._data
        if old_data.flags.writeable and old_data.shape == grad._data.shape:
            import numpy as np
            np.add(old_data, grad._data, out=old_data, casting="unsafe")
            old._bump_version()
        else:
            var._grad = old + grad
    for hook in var._post_acc_hooks or ():
        hook(var)
