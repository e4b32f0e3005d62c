"""The autograd graph (nodes) and the engine that runs backward over it.

A node is created by every differentiable op whose inputs require grad.  It keeps
the edges to the nodes of its inputs (``next_functions``), what it saved for
backward, and the shape/dtype of each input so that the engine can reduce
broadcast gradients and cast them back (formulas stay short).  Backward formulas
are written in ember Tensor ops, so with ``create_graph=True`` the engine records a
graph of the backward pass and gradients of gradients work for every op.

Memory: a graph is a tree of references from outputs to inputs, never a cycle, so
it dies with its last output without the garbage collector.  An output saved for
backward (``exp`` saves its result) would close a cycle output -> node -> output;
it is saved as a stand-in holding only the array, and ``saved_tensors`` rebuilds a
tensor whose grad_fn is the node (as torch's SavedVariable does).
"""
import heapq
import itertools
import sys
import weakref

import numpy as np

from . import grad_mode

_GRAD = grad_mode.STATE
_seq = itertools.count()
_next_seq = _seq.__next__
_NO_EDGE = (None, 0)
_getrefcount = sys.getrefcount

_FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")

# AccumulateGrad runs as soon as it is ready (torch gives it the largest sequence number).
_ACC_PRIORITY = sys.maxsize


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
    _retained = None          # {output_nr: weakref to a tensor that retains its grad}
    _materialize = True
    next_functions = ()
    _input_meta = ()

    def __init__(self):
        self._seq_nr = _next_seq()
        if _GRAD.anomaly:
            from .anomaly_mode import record_trace
            record_trace(self)

    # -- construction helpers used by ops -------------------------------------------
    def connect(self, inputs):
        """Set the edges to the nodes of ``inputs`` (tensors, numbers or None)."""
        # Hot path of every recorded op: kept flat (see benchmarks/op_overhead.py).
        edges = []
        metas = []
        for t in inputs:
            if t is None or not getattr(t, "_rg", False):
                edges.append(_NO_EDGE)
                metas.append(None)
                continue
            fn = t._grad_fn
            if fn is None:
                acc = t._acc
                edges.append((acc if acc is not None else t._accumulator(), 0))
            else:
                vv = t._vv
                if vv is not None and vv != t._vc[0]:
                    fn = _refresh_view(t)
                    self._seq_nr = _next_seq()   # stay younger than the new view node
                edges.append((fn, t._out_nr))
            data = t._data
            metas.append((data.shape, data.dtype))
        self.next_functions = tuple(edges)
        self._input_meta = tuple(metas)
        return self

    def save(self, *tensors):
        """Save tensors for backward, remembering their versions (checked on use).

        Must run after the outputs got this node as grad_fn, so that saved outputs
        are recognised and stored without a reference cycle.
        """
        entries = []
        for t in tensors:
            if t is None:
                entries.append((None, 0))
                continue
            if t._grad_fn is self:
                if t._vc is None:
                    t._vc = [0]   # shared with the stand-in, which cannot see the tensor
                t = _SavedOutput.of(t)
            vc = t._vc
            entries.append((t, 0 if vc is None else vc[0]))
        self._saved = tuple(entries)

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED_MSG)
        out = []
        for t, version in saved:
            if t is not None:
                vc = t._vc
                current = 0 if vc is None else vc[0]
                if current != version:
                    raise RuntimeError(
                        "one of the variables needed for gradient computation has been "
                        f"modified by an inplace operation: [{t.type()} {list(t.shape)}], which "
                        f"is output {t._out_nr} of {self._describe_owner(t)}, is at version "
                        f"{current}; expected version {version} instead. Hint: the backtrace "
                        "further above shows the operation that failed to compute its gradient.")
                if type(t) is _SavedOutput:
                    t = t.unpack(self)
            out.append(t)
        return tuple(out)

    def _describe_owner(self, t):
        if type(t) is _SavedOutput:
            return self.name()
        fn = t._grad_fn
        return fn.name() if fn is not None else "a leaf tensor"

    def release(self):
        """Free what was saved for backward (after a backward without retain_graph).

        Nodes that saved nothing (AddBackward0 ...) may run again, as in torch.
        """
        if self._saved:
            self._saved = None

    # -- public API mirroring torch's grad_fn ---------------------------------------
    def name(self):
        return type(self).__name__

    def __repr__(self):
        # NOTE: torch's repr uses the class name, which differs from name() for
        # AccumulateGrad ('torch::autograd::AccumulateGrad').
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def _sequence_nr(self):
        return self._seq_nr

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
        """Run this node's backward formula directly (under the current grad mode).

        Like torch, a node with one input edge returns a tensor, otherwise a tuple.
        """
        n_out = self._num_outputs
        if len(grads) != n_out:
            raise TypeError(f"{self.name()} expects {n_out} gradient(s), got {len(grads)}")
        outs = self.backward(*grads)
        if type(outs) is not tuple:
            outs = tuple(outs) if isinstance(outs, list) else (outs,)
        if len(outs) == 1:
            return outs[0]
        return outs

    def backward(self, *grads):  # pragma: no cover - abstract
        raise NotImplementedError(f"{self.name()}.backward is not implemented")


class AccumulateGrad(Node):
    """Sink node of a leaf tensor: accumulates incoming gradient into ``.grad``."""

    def __init__(self, variable):
        self._seq_nr = _ACC_PRIORITY
        # NOTE: torch's AccumulateGrad holds its leaf strongly and the leaf holds it
        # weakly, so every graph re-creates it.  Ember inverts that (the leaf owns its
        # node, the node refers back weakly): no cycle, and no re-creation per op.
        self._variable_ref = weakref.ref(variable)

    @property
    def variable(self):
        return self._variable_ref()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def release(self):
        pass


class _SavedOutput:
    """A node's own output saved for backward, without a reference to the tensor.

    Holds the array and the shared version counter; ``unpack`` rebuilds a tensor with
    the node as grad_fn, so double backward flows through the node again.
    """

    __slots__ = ("_data", "_device", "_vc", "_out_nr", "via")

    @classmethod
    def of(cls, t):
        s = cls()
        s._data = t._data
        s._device = t._device
        s._vc = t._vc
        s._out_nr = t._out_nr
        s.via = None
        return s

    def unpack(self, node):
        from .._tensor import Tensor
        if self.via is not None:
            # The output of an in-place op on a view: its history is the base's
            # CopySlices (weakly held: it holds this node); else the node itself.
            copy_slices = self.via[0]()
            if copy_slices is not None:
                from ..ops._inplace import _view_node
                node = _view_node((copy_slices, 0), self.via[1], self.via[2])
        t = object.__new__(Tensor)
        t._data = self._data
        if self._device is not Tensor._device:
            t._device = self._device
        t._vc = self._vc
        t._grad_fn = node
        t._out_nr = self._out_nr
        t._rg = True
        return t

    def type(self):
        from .._tensor import Tensor
        t = object.__new__(Tensor)
        t._data = self._data
        return t.type()

    @property
    def shape(self):
        return self._data.shape


class _RemovableHandle:
    """What register_hook returns: ``handle.remove()`` unregisters the hook."""

    _next_id = itertools.count()

    def __init__(self, container, item, key=None):
        self._container = container   # a list of hooks, or a dict of such lists (key)
        self._item = item
        self._key = key
        self.id = next(self._next_id)

    def remove(self):
        hooks = self._container
        if self._key is not None or isinstance(hooks, dict):
            hooks = hooks.get(self._key)
        if hooks is not None:
            for i, h in enumerate(hooks):
                if h is self._item:
                    del hooks[i]
                    break

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


# ----------------------------------------------------------------------------------
# Tensor-level autograd state (the Tensor methods delegate here)
# ----------------------------------------------------------------------------------

def grad_fn_of(t):
    """``t.grad_fn``; a view whose base was modified in place gets an up-to-date one."""
    fn = t._grad_fn
    if fn is not None:
        vv = t._vv
        if vv is not None and vv != t._vc[0]:
            fn = _refresh_view(t)
    return fn


def _refresh_view(t):
    # Rare path: the base (or a sibling view) of ``t`` changed in place after ``t`` was
    # made, so t's recorded history is stale.  NOTE: like torch, t's grad_fn becomes an
    # AsStridedBackward0 from the base's current history.
    from ..ops._inplace import regenerate_view_grad_fn
    return regenerate_view_grad_fn(t)


def retain_grad(t):
    """Tensor.retain_grad: keep ``.grad`` of a non-leaf after backward."""
    if not t._rg:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    fn = grad_fn_of(t)
    if fn is None or t._retains_grad:
        return
    t._retains_grad = True
    if fn._retained is None:
        fn._retained = {}
    # A weak reference: the node must not keep its output alive (no cycle).
    fn._retained[t._out_nr] = weakref.ref(t)


def move_retained(t, old_fn, new_fn):
    """After an in-place op gave ``t`` a new grad_fn, retain_grad follows it (as torch)."""
    if not t._retains_grad or old_fn is None or old_fn._retained is None:
        return
    ref = old_fn._retained.get(t._out_nr)
    if ref is not None and ref() is t:
        del old_fn._retained[t._out_nr]
    if new_fn._retained is None:
        new_fn._retained = {}
    new_fn._retained[t._out_nr] = weakref.ref(t)


def register_tensor_hook(t, hook):
    """Tensor.register_hook: hook(grad) -> new grad or None."""
    if not t._rg:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    fn = grad_fn_of(t)
    if fn is None:
        if t._hooks is None:
            t._hooks = []
        t._hooks.append(hook)
        return _RemovableHandle(t._hooks, hook)
    if fn._tensor_pre_hooks is None:
        fn._tensor_pre_hooks = {}
    fn._tensor_pre_hooks.setdefault(t._out_nr, []).append(hook)
    return _RemovableHandle(fn._tensor_pre_hooks, hook, key=t._out_nr)


def register_post_accumulate_grad_hook(t, hook):
    """hook(tensor) runs after the gradient was accumulated into a leaf's ``.grad``."""
    if not t._rg:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if t._grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    if t._post_acc_hooks is None:
        t._post_acc_hooks = []
    t._post_acc_hooks.append(hook)
    return _RemovableHandle(t._post_acc_hooks, hook)


# ----------------------------------------------------------------------------------
# The engine
# ----------------------------------------------------------------------------------

def _collect(roots):
    """Dependency counts (incoming edges) of every node reachable from the roots."""
    deps = {}
    seen = set(roots)
    stack = list(seen)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps, seen


def _needed_nodes(all_nodes, targets):
    """Nodes from which some target node is reachable (they must run)."""
    parents = {}
    for node in all_nodes:
        for nxt, _ in node.next_functions:
            if nxt is not None:
                if nxt in parents:
                    parents[nxt].append(node)
                else:
                    parents[nxt] = [node]
    needed = set()
    stack = list(targets)
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in needed:
                needed.add(parent)
                stack.append(parent)
    return needed


def _reduce_grad(node, index, grad, meta):
    """Sum a broadcast gradient down to the input's shape and cast it to its dtype."""
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
        from .._dtype import from_numpy_dtype
        from .._tensor import _to
        # a complex gradient for a real input keeps its real part, silently (as torch)
        grad = _to(grad, from_numpy_dtype(np_dtype), None, False, warn_complex=False)
    return grad


def _zeros_for(meta):
    from .._tensor import _zeros_meta
    return _zeros_meta(meta)


def run_backward(roots, grad_roots, retain_graph, create_graph, targets=None, capture=False):
    """Run the backward pass.

    roots: list of (node, output_nr); grad_roots: the matching gradient tensors.
    targets: None runs every reachable node and accumulates into every leaf
    (``Tensor.backward()``).  Otherwise a list of (node, output_nr) edges: only nodes
    leading to them run.  With ``capture=True`` (``autograd.grad``) nothing is
    accumulated and the gradients flowing into the targets are returned, as a dict
    {edge: grad}; without, the target nodes run (``backward(inputs=...)``).
    """
    deps, reachable = _collect([n for n, _ in roots if n is not None])

    needed = None
    target_nodes = None
    captured = None
    if targets is not None:
        target_nodes = set(n for n, _ in targets if n is not None)
        needed = _needed_nodes(reachable, target_nodes)
        if capture:
            captured = {}
            capture_keys = set(targets)
        else:
            needed |= target_nodes
            target_nodes = needed

    buffers = {}
    for (node, nr), g in zip(roots, grad_roots):
        if node is None:
            continue
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._num_outputs
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    tie = itertools.count()
    heap = []
    for node in buffers:
        if deps.get(node, 0) == 0 and (needed is None or node in target_nodes
                                       or node in needed):
            heap.append((-node._seq_nr, next(tie), node))
    heapq.heapify(heap)

    anomaly = _GRAD.anomaly
    prev_enabled = _GRAD.enabled
    _GRAD.enabled = create_graph
    try:
        while heap:
            node = heapq.heappop(heap)[2]
            grads = buffers.pop(node, None)
            if grads is None:
                grads = [None] * node._num_outputs
            if node._tensor_pre_hooks or node._retained or type(node) is AccumulateGrad:
                grads = _tensor_hooks(node, grads)
            if captured is not None and node in target_nodes:
                for nr in range(node._num_outputs):
                    if (node, nr) in capture_keys and grads[nr] is not None:
                        captured[(node, nr)] = grads[nr]
            if needed is not None and node not in needed:
                continue
            if anomaly:
                from .anomaly_mode import checked_call
                outs = checked_call(_call, node, grads, retain_graph, create_graph,
                                    captured is None)
            else:
                outs = _call(node, grads, retain_graph, create_graph, captured is None)
            if outs is None:
                continue
            metas = node._input_meta
            i = 0
            for nxt, nr in node.next_functions:
                if nxt is None:
                    i += 1
                    continue
                g = outs[i]
                if g is not None:
                    meta = metas[i]
                    if meta is not None:
                        d = g._data
                        if d.shape != meta[0] or d.dtype != meta[1]:
                            g = _reduce_grad(node, i, g, meta)
                    buf = buffers.get(nxt)
                    if buf is None:
                        buf = buffers[nxt] = [None] * nxt._num_outputs
                    old = buf[nr]
                    buf[nr] = g if old is None else old + g
                i += 1
                d = deps[nxt] - 1
                deps[nxt] = d
                if d == 0 and (needed is None or nxt in needed or nxt in target_nodes):
                    heapq.heappush(heap, (-nxt._seq_nr, next(tie), nxt))
            # Drop our references: AccumulateGrad reuses an unshared gradient's memory.
            outs = g = None
    finally:
        _GRAD.enabled = prev_enabled
    return captured


def _tensor_hooks(node, grads):
    """Hooks registered on the tensors this node produced, then retain_grad."""
    if type(node) is AccumulateGrad:
        var = node.variable
        hooks = var._hooks if var is not None else None
        if hooks and grads[0] is not None:
            grads[0] = _run_tensor_hooks(hooks, grads[0])
        return grads
    tph = node._tensor_pre_hooks
    if tph:
        for nr, hooks in tph.items():
            if grads[nr] is not None and hooks:
                grads[nr] = _run_tensor_hooks(hooks, grads[nr])
    retained = node._retained
    if retained:
        for nr, ref in tuple(retained.items()):
            t = ref()
            g = grads[nr]
            if t is None or g is None:
                continue
            if t._grad is None:
                # NOTE: torch stores a copy (with history under create_graph).
                t._grad = g.clone() if _GRAD.enabled else g.detach().clone()
            else:
                t._grad = t._grad + g
    return grads


def _run_tensor_hooks(hooks, grad):
    for hook in tuple(hooks):
        new = hook(grad)
        if new is not None:
            if not hasattr(new, "_data"):
                raise TypeError(f"expected Tensor, but hook '{_hook_name(hook)}' returned "
                                f"'{type(new).__name__}'")
            if new._data.dtype != grad._data.dtype or new._device is not grad._device:
                raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the type of value "
                                   f"(was {grad.type()} on {grad._device}, got {new.type()} "
                                   f"on {new._device})")
            if new._data.shape != grad._data.shape:
                raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value "
                                   f"(from {list(grad._data.shape)} to "
                                   f"{list(new._data.shape)})")
            grad = new
    return grad


def _hook_name(hook):
    return getattr(hook, "__name__", type(hook).__name__)


def _hook_result(hook, new, expected):
    new = tuple(new)
    if len(new) != expected:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has returned an incorrect number of "
                           f"values (got {len(new)}, but expected {expected})")
    return new


def _call(node, grads, retain_graph, create_graph, accumulate):
    """Pre-hooks, the node's backward (or accumulation), post-hooks; returns grads."""
    if node._pre_hooks:
        for hook in tuple(node._pre_hooks):
            new = hook(tuple(grads))
            if new is not None:
                grads = list(_hook_result(hook, new, len(grads)))

    if type(node) is AccumulateGrad:
        if accumulate:
            var = node.variable
            if var is not None:   # a leaf that no longer exists needs no gradient
                _accumulate(var, grads[0], create_graph)
        if node._post_hooks:
            for hook in tuple(node._post_hooks):
                hook((), tuple(grads))
        return None

    for g in grads:
        if g is not None:
            break
    else:
        # No gradient arrived (e.g. upstream returned None): nothing flows on.
        return (None,) * len(node.next_functions)
    if node._materialize and node._num_outputs > 1:
        for i, g in enumerate(grads):
            if g is None:
                meta = node._out_meta[i] if node._out_meta is not None else None
                if meta is not None:
                    grads[i] = _zeros_for(meta)
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
            raise RuntimeError(f"function {node.name()} returned an incorrect number of "
                               f"gradients (expected {n_edges}, got {len(outs)})")
    if node._post_hooks:
        for hook in tuple(node._post_hooks):
            new = hook(outs, tuple(grads))
            if new is not None:
                outs = _hook_result(hook, new, len(outs))
    if not retain_graph:
        node.release()
    return outs


def _accumulate(var, grad, create_graph):
    """Add ``grad`` into the leaf's ``.grad`` (torch's AccumulateGrad)."""
    if grad is None:
        return
    old = var._grad
    if old is None:
        if create_graph:
            # NOTE: torch stores a copy that keeps the history (double backward).
            var._grad = _clone(grad)
        else:
            var._grad = _steal_or_copy(grad)
    elif _GRAD.enabled:
        var._grad = old + grad
    else:
        data = old._data
        if (old._device.type != "meta" and data.flags.c_contiguous
                and (type(data) is not np.ndarray or data.flags.writeable)):
            # In place, as torch: the .grad tensor object stays the same.
            data += grad._data
            old._bump_version()
        else:
            var._grad = old + grad
    hooks = var._post_acc_hooks
    if hooks:
        for hook in tuple(hooks):
            hook(var)


# References to ``grad`` when nobody but the engine holds it: the engine's grads list,
# the names in _accumulate and _steal_or_copy, and getrefcount's argument; to its
# array: the tensor's __dict__, the local name and the argument.
_FREE_TENSOR_REFS = 4
_FREE_ARRAY_REFS = 3


def _steal_or_copy(grad):
    """The tensor to store as a fresh ``.grad``: grad's own array when nothing else can
    see it (no copy), else a copy, so later in-place accumulation never writes into
    memory the user, a hook or another gradient still holds (torch checks use_count)."""
    from .._tensor import _wrap
    data = grad._data
    if (_getrefcount(grad) <= _FREE_TENSOR_REFS and _getrefcount(data) <= _FREE_ARRAY_REFS
            and data.flags.owndata and data.flags.c_contiguous
            and (type(data) is not np.ndarray or data.flags.writeable)):
        return _wrap(data, grad._device)
    if grad._device.type == "meta":
        return _wrap(data, grad._device)
    return _wrap(data.copy(order="C"), grad._device)


def _clone(t):
    from ..ops.shape import clone
    return clone(t)
