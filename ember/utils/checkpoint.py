"""``ember.utils.checkpoint``: activation checkpointing (trade compute for memory).

``checkpoint(fn, *args)`` runs ``fn`` and keeps none of its intermediate activations; in
backward, ``fn`` runs again (same RNG state, so dropout draws the same mask) and the
gradient flows through that recomputation.

How (torch's use_reentrant=False semantics, without saved-tensor hooks): ``fn`` runs with
grad mode on, which records its graph; the walk of that graph from the outputs finds its
*boundary*, the edges leaving it (to the inputs' history, to the parameters' AccumulateGrad
nodes, to any tensor captured by ``fn`` that requires grad).  The outputs are then re-rooted
on one node, ``CheckpointFunctionBackward``, whose edges are that boundary, and the graph
recorded inside ``fn`` is dropped with everything it saved.  That node's backward re-runs
``fn``, points the edges of the recomputed graph that cross the boundary to stand-in sink
nodes (so the nested backward never walks or runs anything outside ``fn``), runs the engine
from the recomputed outputs, puts the real edges back (with create_graph the gradients'
own graph runs through the recomputed nodes), and returns the gradients captured at the
sinks: one per boundary edge, which the outer engine then sends on (parameters included).

Differences from torch: the forward records ``fn``'s graph (then drops it), so the peak
memory of one checkpointed call is that of running it plainly; the outputs' grad_fn is
``CheckpointFunctionBackward`` (torch's non-reentrant outputs show the last op inside fn);
use_reentrant=True runs the same machinery, with the reentrant variant's rules (no
kwargs, no gradient at all when no input requires grad).
"""
import contextlib
import itertools
import warnings

from .. import _random
from .._tensor import Tensor, _wrap
from ..autograd import graph as _graph
from ..autograd import grad_mode

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError",
           "noop_context_fn", "set_checkpoint_debug_enabled"]

_GRAD = grad_mode.STATE
_debug_enabled = None


class CheckpointError(RuntimeError):
    """The recomputation in backward did not match the original forward."""


def noop_context_fn():
    """The default ``context_fn``: no context around the forward nor the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled):
    """Override ``checkpoint(debug=...)`` inside the block (accepted; ember has no trace)."""
    global _debug_enabled
    prev = _debug_enabled
    _debug_enabled = enabled
    try:
        yield
    finally:
        _debug_enabled = prev


# -- output structures ---------------------------------------------------------------------
def _flatten(obj, leaves):
    """Tensors of nested tuples/lists/dicts into ``leaves``; returns a rebuild spec."""
    if isinstance(obj, Tensor):
        leaves.append(obj)
        return len(leaves) - 1
    if isinstance(obj, (tuple, list)) and not hasattr(obj, "_fields"):
        return (type(obj), [_flatten(x, leaves) for x in obj])
    if isinstance(obj, dict):
        return (type(obj), {k: _flatten(v, leaves) for k, v in obj.items()})
    return ("const", obj)


def _rebuild(spec, leaves):
    if isinstance(spec, int):
        return leaves[spec]
    kind, body = spec
    if kind == "const":
        return body
    if isinstance(body, dict):
        return kind((k, _rebuild(v, leaves)) for k, v in body.items())
    return kind(_rebuild(x, leaves) for x in body)


def _edge(t):
    fn = _graph.grad_fn_of(t)
    if fn is not None:
        return (fn, t._out_nr)
    return (t._accumulator(), 0)


def _inside(node, start):
    """Whether ``node`` was recorded while ``fn`` ran (sequence numbers only grow)."""
    return node._seq_nr > start and type(node) is not _graph.AccumulateGrad


def _walk(roots, start, on_boundary):
    """Visit the nodes recorded since ``start`` reachable from ``roots``; call
    ``on_boundary(node, i, edge)`` for each edge ``i`` of ``node`` leaving them.
    Returns the inner nodes."""
    seen = set()
    stack = []
    for fn, _ in roots:
        if _inside(fn, start) and fn not in seen:
            seen.add(fn)
            stack.append(fn)
    while stack:
        node = stack.pop()
        for i, (nxt, nr) in enumerate(node.next_functions):
            if nxt is None:
                continue
            if _inside(nxt, start):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
            else:
                on_boundary(node, i, (nxt, nr))
    return seen


class _Sink(_graph.Node):
    """Where a recomputed graph edge that leaves ``fn`` ends (never run: a capture target)."""

    def backward(self, *grads):  # pragma: no cover - the engine only captures here
        raise RuntimeError("checkpoint: internal sink node ran")


class CheckpointFunctionBackward(_graph.Node):
    """The node of checkpointed outputs: recomputes ``fn`` in its backward."""

    _materialize = False

    def backward(self, *grads):
        create_graph = _GRAD.enabled
        self.saved_tensors  # noqa: B018 - the inputs must not have changed in place
        results = [None] * len(self.next_functions)
        index = self._index
        with contextlib.ExitStack() as stack:
            if self._rng_state is not None:
                cpu_state, device_states = self._rng_state
                stack.enter_context(_random.fork_rng(devices=list(device_states)))
                _random.set_rng_state(cpu_state)
                _set_device_states(device_states)
            stack.enter_context(self._recompute_ctx)
            stack.enter_context(grad_mode.enable_grad())
            start = _graph._next_seq()
            out = self._fn(*self._args, **self._kwargs)
        leaves = []
        _flatten(out, leaves)
        outs = [t for t in leaves if t._rg]
        self._check_same(outs)
        roots = [_edge(t) for t in outs]
        sinks = {}
        rerouted = {}

        def reroute(node, i, edge):
            sink = sinks.get(edge)
            if sink is None:
                sink = sinks[edge] = _Sink()
            if node not in rerouted:
                rerouted[node] = node.next_functions
            edges = list(node.next_functions)
            edges[i] = (sink, 0)
            node.next_functions = tuple(edges)
        _walk(roots, start, reroute)

        inner_roots, inner_grads = [], []
        for (fn, nr), g in zip(roots, grads):
            if g is None:
                continue
            if _inside(fn, start):
                inner_roots.append((fn, nr))
                inner_grads.append(g)
            else:   # an output that is not computed inside fn (an input returned as is)
                k = index[(fn, nr)]
                results[k] = g if results[k] is None else results[k] + g
        captured = {}
        try:
            if inner_roots:
                captured = _graph.run_backward(inner_roots, inner_grads, create_graph,
                                               create_graph, capture=True,
                                               targets=[(s, 0) for s in sinks.values()])
        finally:
            # the real edges back: with create_graph, the gradients' own graph goes through
            # the recomputed nodes and must reach the tensors outside fn
            for node, edges in rerouted.items():
                node.next_functions = edges
        for edge, sink in sinks.items():
            g = captured.get((sink, 0))
            k = index.get(edge)
            if k is None:
                if g is not None and self._determinism_check != "none":
                    raise CheckpointError("torch.utils.checkpoint: the recomputed graph reaches "
                                          "a tensor that the original forward did not use "
                                          "(the function is not deterministic)")
                continue
            if g is not None:
                results[k] = g if results[k] is None else results[k] + g
        return tuple(results)

    def _check_same(self, outs):
        if self._determinism_check == "none":
            return
        metas = [(tuple(t.shape), t.dtype) for t in outs]
        if metas != self._out_check:
            raise CheckpointError(
                "torch.utils.checkpoint: Recomputed values for the following tensors have "
                f"different metadata than during the forward pass.\nforward: {self._out_check}"
                f"\nrecomputed: {metas}")


def _device_states(args, kwargs):
    """{cuda index: rng state} for the cuda devices of the tensor arguments: like torch,
    a checkpoint replays the random streams of the devices its inputs live on."""
    indices = sorted({t._device.index for t in itertools.chain(args, kwargs.values())
                      if isinstance(t, Tensor) and t._device.type == "cuda"})
    if not indices:
        return {}
    from ..cuda import random as cuda_random
    return {i: cuda_random.get_rng_state(i) for i in indices}


def _set_device_states(states):
    if states:
        from ..cuda import random as cuda_random
        for index, state in states.items():
            cuda_random.set_rng_state(state, index)


def _checkpoint(fn, preserve_rng_state, context_fn, determinism_check, args, kwargs):
    if not _GRAD.enabled:
        return fn(*args, **kwargs)
    rng_state = ((_random.get_rng_state(), _device_states(args, kwargs))
                 if preserve_rng_state else None)
    forward_ctx, recompute_ctx = context_fn()
    with forward_ctx:
        start = _graph._next_seq()
        out = fn(*args, **kwargs)
    leaves = []
    spec = _flatten(out, leaves)
    outs = [t for t in leaves if t._rg]
    if not outs:
        return out
    roots = [_edge(t) for t in outs]
    index, edges, metas = {}, [], []

    def collect(node, i, edge):
        if edge not in index:
            index[edge] = len(edges)
            edges.append(edge)
            metas.append(node._input_meta[i])
    _walk(roots, start, collect)
    for (fn_, nr), t in zip(roots, outs):
        if not _inside(fn_, start) and (fn_, nr) not in index:
            index[(fn_, nr)] = len(edges)
            edges.append((fn_, nr))
            metas.append((t._data.shape, t._data.dtype))

    node = CheckpointFunctionBackward()
    node.next_functions = tuple(edges)
    node._input_meta = tuple(metas)
    node._num_outputs = len(outs)
    node._out_meta = [(t._data.shape, t.dtype, t._device) for t in outs]
    node._index = index
    node._fn, node._args, node._kwargs = fn, args, kwargs
    node._rng_state = rng_state
    node._recompute_ctx = recompute_ctx
    node._determinism_check = determinism_check
    node._out_check = [(tuple(t.shape), t.dtype) for t in outs]
    inputs = [a for a in args if isinstance(a, Tensor)]
    inputs += [v for v in kwargs.values() if isinstance(v, Tensor)]
    node.save(*inputs)
    # the new outputs: same values, rooted at the checkpoint node; the graph recorded
    # inside fn (and every activation it saved) dies with ``out``
    new_leaves = list(leaves)
    k = 0
    for j, t in enumerate(leaves):
        if not t._rg:
            continue
        # NOTE: a fresh tensor over the same array, not detach(): detach() links to its
        # source's storage origin, which would keep the graph recorded inside fn alive
        nt = _wrap(t._data, t._device)
        nt._grad_fn, nt._out_nr, nt._rg = node, k, True
        new_leaves[j] = nt
        k += 1
    return _rebuild(spec, new_leaves)


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn,
               determinism_check="default", debug=False, preserve_rng_state=True, **kwargs):
    """Run ``function(*args, **kwargs)`` without keeping its activations; recompute them
    during backward.

    >>> lin = ember.nn.Linear(4, 4)
    >>> x = ember.randn(2, 4, requires_grad=True)
    >>> y = checkpoint(lambda t: lin(t).relu(), x, use_reentrant=False)
    >>> y.sum().backward()    # lin's forward runs again here
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed "
                      "explicitly. Starting in PyTorch 2.9, calling checkpoint without "
                      "use_reentrant will raise an exception. use_reentrant=False is "
                      "recommended, but if you need to preserve the current default behavior, "
                      "you can pass use_reentrant=True. Refer to docs for more details on the "
                      "differences between the two variants.", stacklevel=2)
        use_reentrant = True
    if determinism_check not in ("default", "none"):
        raise ValueError("determinism_check should be one of ['default', 'none'], but got "
                         f"{determinism_check}")
    if use_reentrant:
        if context_fn is not noop_context_fn or debug:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        if _GRAD.enabled and not any(isinstance(a, Tensor) and a._rg for a in args):
            # NOTE: like torch's reentrant variant, nothing inside gets a gradient then
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                          stacklevel=2)
            with grad_mode.no_grad():
                return function(*args)
    return _checkpoint(function, preserve_rng_state, context_fn, determinism_check, args,
                       kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Checkpoint a sequence of modules in ``segments`` chunks (the last chunk runs plainly).

    >>> model = ember.nn.Sequential(*[ember.nn.Linear(4, 4) for _ in range(4)])
    >>> out = checkpoint_sequential(model, 2, ember.randn(1, 4, requires_grad=True),
    ...                             use_reentrant=False)
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant "
                      "parameter should be passed explicitly. In version 2.9 we will raise an "
                      "exception if use_reentrant is not passed. use_reentrant=False is "
                      "recommended, but if you need to preserve the current default behavior, "
                      "you can pass use_reentrant=True. Refer to docs for more details on the "
                      "differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    from ..nn.modules.container import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    functions = list(functions)

    def run(first, last):
        def forward(x):
            for j in range(first, last + 1):
                x = functions[j](x)
            return x
        return forward

    size = len(functions) // segments
    end = -1
    for first in range(0, size * (segments - 1), size):
        end = first + size - 1
        input = checkpoint(run(first, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)
