"""Recurrent kernels: one graph node per layer and direction.

The input projections of a whole sequence (``x @ W_ih^T + b_ih``) are one ``F.linear``
done by the caller; this module runs the time loop.  Its forward loops over the steps in
NumPy (one ``h @ W_hh^T`` product per step covers all gates) and saves the gate
activations; its backward runs backpropagation through time in NumPy and forms the
weight gradients with one product over all steps.  A per-step chain of ember ops would
record ~15 graph nodes per step; this records one per layer and direction.

Sequences come in the packed layout of ``PackedSequence``: ``data`` rows are time-major,
step ``t`` owns rows ``offsets[t]:offsets[t] + batch_sizes[t]`` and the batch shrinks
(sorted by decreasing length), so no work is spent on padding.  A fixed-length batch is the
special case ``batch_sizes = [B] * T``.

Double backward (``create_graph=True``) recomputes the layer as a chain of ember ops and
differentiates that, so second derivatives stay exact.
"""
import numpy as np

from ..._device import xp_of
from ..._tensor import _wrap
from ...autograd.graph import Node
from ...ops._util import GRAD

__all__ = ["rnn_layer", "cell_step"]

_MODES = ("RNN_TANH", "RNN_RELU", "LSTM", "GRU")


def _sigmoid_(x):
    """Logistic function in place: sigmoid(x) = (1 + tanh(x / 2)) / 2, no temporaries."""
    x *= 0.5
    np.tanh(x, out=x)
    x *= 0.5
    x += 0.5
    return x


class _Plan:
    """Step order and row ranges of a packed batch."""

    __slots__ = ("batch_sizes", "offsets", "order", "total", "batch")

    def __init__(self, batch_sizes, reverse):
        self.batch_sizes = [int(b) for b in batch_sizes]
        offsets = [0]
        for b in self.batch_sizes:
            offsets.append(offsets[-1] + b)
        self.offsets = offsets
        self.total = offsets[-1]
        self.batch = self.batch_sizes[0] if self.batch_sizes else 0
        steps = range(len(self.batch_sizes))
        self.order = list(reversed(steps)) if reverse else list(steps)


def _forward(mode, gi, h0, c0, w_hh, b_hh, w_hr, plan):
    """NumPy forward; returns (out, h_n, c_n, saved) with saved what backward needs."""
    dtype = gi.dtype
    hidden = w_hh.shape[1] if w_hr is None else w_hr.shape[1]
    out_size = w_hh.shape[1]
    n_gates = w_hh.shape[0]
    # A contiguous copy of W_hh^T: with few rows OpenBLAS multiplies by a transposed view
    # markedly slower (measured, 1 thread, interleaved: (32, 256) @ (256, 1024) 0.82 ms with
    # the view vs 0.49 ms contiguous; no difference at 128 rows).
    xp = xp_of(gi)   # NumPy, or CuPy for cuda arrays: the loop is the same
    w_hh_t = xp.ascontiguousarray(w_hh.T)
    w_hr_t = None if w_hr is None else xp.ascontiguousarray(w_hr.T)
    total = plan.total
    out = xp.empty((total, out_size), dtype)
    h_full = h0.astype(dtype, copy=True)
    h_prev_all = xp.empty((total, out_size), dtype)
    saved = {"h_prev": h_prev_all}
    if mode == "LSTM":
        c_full = c0.astype(dtype, copy=True)
        gates_all = xp.empty((total, n_gates), dtype)
        c_prev_all = xp.empty((total, hidden), dtype)
        tanh_c_all = xp.empty((total, hidden), dtype)
        m_all = xp.empty((total, hidden), dtype) if w_hr is not None else out
        saved.update(gates=gates_all, c_prev=c_prev_all, tanh_c=tanh_c_all, m=m_all)
        h2 = 2 * hidden
        h3 = 3 * hidden
        # sigmoid(x) = tanh(x / 2) / 2 + 1/2: with the sigmoid gates' pre-activations halved
        # up front (in W_hh^T and in the input gates), one tanh call covers all four gates.
        scale = xp.full(n_gates, 0.5, dtype)
        scale[h2:h3] = 1
        shift = xp.full(n_gates, 0.5, dtype)
        shift[h2:h3] = 0
        w_hh_t *= scale
        gi = gi + b_hh if b_hh is not None else gi.copy()
        gi *= scale
    elif mode == "GRU":
        gates_all = xp.empty((total, n_gates), dtype)   # r, z, n activations
        ghn_all = xp.empty((total, hidden), dtype)       # W_hn h + b_hn, needed for dr
        saved.update(gates=gates_all, ghn=ghn_all)
        h2 = 2 * hidden
    else:
        saved["h"] = out
    relu = mode == "RNN_RELU"
    for t in plan.order:
        bs = plan.batch_sizes[t]
        lo = plan.offsets[t]
        hi = lo + bs
        h_prev = h_prev_all[lo:hi]
        h_prev[...] = h_full[:bs]
        if mode == "LSTM":
            gates = gates_all[lo:hi]
            np.matmul(h_prev, w_hh_t, out=gates)
            gates += gi[lo:hi]
            np.tanh(gates, out=gates)
            gates *= scale
            gates += shift
            c_prev = c_prev_all[lo:hi]
            c_prev[...] = c_full[:bs]
            c = c_full[:bs]
            c *= gates[:, hidden:h2]
            c += gates[:, :hidden] * gates[:, h2:h3]
            tanh_c = tanh_c_all[lo:hi]
            np.tanh(c, out=tanh_c)
            m = m_all[lo:hi]
            np.multiply(gates[:, h3:], tanh_c, out=m)
            if w_hr is not None:
                np.matmul(m, w_hr_t, out=out[lo:hi])
        elif mode == "GRU":
            gh = h_prev @ w_hh_t
            if b_hh is not None:
                gh += b_hh
            gates = gates_all[lo:hi]
            np.add(gi[lo:hi], gh, out=gates)
            _sigmoid_(gates[:, :h2])
            ghn_all[lo:hi] = gh[:, h2:]
            n = gates[:, h2:]
            n[...] = gi[lo:hi, h2:]
            n += gates[:, :hidden] * gh[:, h2:]
            np.tanh(n, out=n)
            # h = n + z * (h_prev - n)
            h = out[lo:hi]
            np.subtract(h_prev, n, out=h)
            h *= gates[:, hidden:h2]
            h += n
        else:
            h = out[lo:hi]
            np.matmul(h_prev, w_hh_t, out=h)
            h += gi[lo:hi]
            if b_hh is not None:
                h += b_hh
            if relu:
                np.maximum(h, 0, out=h)
            else:
                np.tanh(h, out=h)
        h_full[:bs] = out[lo:hi]
    return out, h_full, (c_full if mode == "LSTM" else None), saved


def _backward(mode, saved, grad_out, grad_hn, grad_cn, w_hh, w_hr, plan, need_gh_bias):
    """NumPy BPTT; returns (d_gi, d_h0, d_c0, d_w_hh, d_b_hh, d_w_hr)."""
    dtype = grad_out.dtype
    n_gates = w_hh.shape[0]
    total = plan.total
    xp = xp_of(grad_out)
    d_gi = xp.empty((total, n_gates), dtype)
    d_gh = xp.empty((total, n_gates), dtype) if mode == "GRU" else d_gi
    dh_full = grad_hn.astype(dtype, copy=True)
    h_prev_all = saved["h_prev"]
    d_out_all = np.empty_like(grad_out) if w_hr is not None else None
    if mode == "LSTM":
        gates_all, c_prev_all, tanh_c_all = saved["gates"], saved["c_prev"], saved["tanh_c"]
        hidden = tanh_c_all.shape[1]
        h2, h3 = 2 * hidden, 3 * hidden
        dc_full = grad_cn.astype(dtype, copy=True)
        # the activations' derivatives for all steps at once: s(1 - s) and 1 - tanh^2
        d_act = gates_all * gates_all
        np.subtract(gates_all[:, :h2], d_act[:, :h2], out=d_act[:, :h2])
        np.subtract(1, d_act[:, h2:h3], out=d_act[:, h2:h3])
        np.subtract(gates_all[:, h3:], d_act[:, h3:], out=d_act[:, h3:])
        d_tanh_c = tanh_c_all * tanh_c_all
        np.subtract(1, d_tanh_c, out=d_tanh_c)
    elif mode == "GRU":
        gates_all, ghn_all = saved["gates"], saved["ghn"]
        hidden = ghn_all.shape[1]
        h2 = 2 * hidden
    else:
        h_all = saved["h"]
    relu = mode == "RNN_RELU"
    for t in reversed(plan.order):
        bs = plan.batch_sizes[t]
        lo = plan.offsets[t]
        hi = lo + bs
        dh = dh_full[:bs]
        dh += grad_out[lo:hi]
        if mode == "LSTM":
            if w_hr is not None:
                d_out_all[lo:hi] = dh
                dm = dh @ w_hr
            else:
                dm = dh
            g = gates_all[lo:hi]
            i, f, gg, o = g[:, :hidden], g[:, hidden:h2], g[:, h2:h3], g[:, h3:]
            tanh_c = tanh_c_all[lo:hi]
            dgate = d_gi[lo:hi]
            # gradients w.r.t. the activations (i, f, g, o), then one product with d_act
            np.multiply(dm, tanh_c, out=dgate[:, h3:])
            dc = dc_full[:bs]
            dc_here = dm * o
            dc_here *= d_tanh_c[lo:hi]
            dc += dc_here
            np.multiply(dc, gg, out=dgate[:, :hidden])
            np.multiply(dc, c_prev_all[lo:hi], out=dgate[:, hidden:h2])
            np.multiply(dc, i, out=dgate[:, h2:h3])
            dgate *= d_act[lo:hi]
            dc *= f
        elif mode == "GRU":
            g = gates_all[lo:hi]
            r, z, n = g[:, :hidden], g[:, hidden:h2], g[:, h2:]
            h_prev = h_prev_all[lo:hi]
            dgi = d_gi[lo:hi]
            dgh = d_gh[lo:hi]
            dn = dgi[:, h2:]
            np.multiply(dh, 1 - z, out=dn)
            dn *= 1 - n * n
            np.multiply(dn, r, out=dgh[:, h2:])
            dr = dgi[:, :hidden]
            np.multiply(dn, ghn_all[lo:hi], out=dr)
            dr *= r - r * r
            dz = dgi[:, hidden:h2]
            np.subtract(h_prev, n, out=dz)
            dz *= dh
            dz *= z - z * z
            dgh[:, :h2] = dgi[:, :h2]
            dh *= z
        else:
            dpre = d_gi[lo:hi]
            h = h_all[lo:hi]
            if relu:
                np.multiply(dh, h > 0, out=dpre)
            else:
                np.multiply(dh, 1 - h * h, out=dpre)
        if mode == "GRU":
            dh += dgh @ w_hh
        else:
            np.matmul(d_gh[lo:hi], w_hh, out=dh)
    d_w_hh = d_gh.T @ h_prev_all
    d_b_hh = d_gh.sum(0) if need_gh_bias else None
    d_w_hr = d_out_all.T @ saved["m"] if w_hr is not None else None
    d_c0 = dc_full if mode == "LSTM" else None
    return d_gi, dh_full, d_c0, d_w_hh, d_b_hh, d_w_hr


class RnnLayerBackward0(Node):
    """Backward of one layer and direction; inputs (gi, h0, c0, w_hh, b_hh, w_hr)."""

    def backward(self, grad_out, grad_hn, grad_cn=None):
        gi, h0, c0, w_hh, b_hh, w_hr = self.saved_tensors
        if GRAD.enabled:
            return self._composite_backward(grad_out, grad_hn, grad_cn)
        plan = self._plan
        nf = self.next_functions
        grads = _backward(self._mode, self._arrays, grad_out._data, grad_hn._data,
                          None if grad_cn is None else grad_cn._data, w_hh._data,
                          None if w_hr is None else w_hr._data, plan,
                          nf[4][0] is not None)
        device = grad_out._device
        return tuple(None if (g is None or nf[k][0] is None) else _wrap(g, device)
                     for k, g in enumerate(grads))

    def _composite_backward(self, grad_out, grad_hn, grad_cn):
        """create_graph=True: differentiate the same layer written in ember ops."""
        from ... import autograd
        inputs = self.saved_tensors
        outs = _composite(self._mode, *inputs, self._plan)
        wanted = [k for k, (fn, _) in enumerate(self.next_functions) if fn is not None]
        pairs = [(o, g) for o, g in zip(outs, (grad_out, grad_hn, grad_cn))
                 if o is not None and g is not None]
        found = autograd.grad([o for o, _ in pairs], [inputs[k] for k in wanted],
                              [g for _, g in pairs], create_graph=True, allow_unused=True)
        result = [None] * 6
        for k, g in zip(wanted, found):
            result[k] = g
        return tuple(result)

    def release(self):
        super().release()
        self._arrays = None


def cell_step(mode, gi, h, c, w_hh, b_hh, w_hr=None):
    """One step in ember ops from precomputed input gates ``gi``; returns (h', c')."""
    import ember as P
    from ..functional import linear
    gh = linear(h, w_hh, b_hh)
    if mode == "LSTM":
        i, f, g, o = (gi + gh).chunk(4, -1)
        c = P.sigmoid(f) * c + P.sigmoid(i) * P.tanh(g)
        h = P.sigmoid(o) * P.tanh(c)
        if w_hr is not None:
            h = linear(h, w_hr)
        return h, c
    if mode == "GRU":
        ir, iz, in_ = gi.chunk(3, -1)
        hr, hz, hn = gh.chunk(3, -1)
        r = P.sigmoid(ir + hr)
        z = P.sigmoid(iz + hz)
        n = P.tanh(in_ + r * hn)
        return n + z * (h - n), None
    pre = gi + gh
    return (P.relu(pre) if mode == "RNN_RELU" else P.tanh(pre)), None


def _composite(mode, gi, h0, c0, w_hh, b_hh, w_hr, plan):
    """The layer as a chain of ember ops (used for double backward)."""
    from ...ops.shape import cat
    h_full, c_full = h0, c0
    outs = [None] * len(plan.batch_sizes)
    for t in plan.order:
        bs = plan.batch_sizes[t]
        lo = plan.offsets[t]
        h, c = cell_step(mode, gi[lo:lo + bs], h_full[:bs], None if c0 is None else c_full[:bs],
                         w_hh, b_hh, w_hr)
        outs[t] = h
        h_full = cat([h, h_full[bs:]]) if bs < h_full.shape[0] else h
        if c0 is not None:
            c_full = cat([c, c_full[bs:]]) if bs < c_full.shape[0] else c
    return cat(outs), h_full, c_full


def rnn_layer(mode, gi, h0, c0, w_hh, b_hh, w_hr, batch_sizes, reverse=False):
    """Run one layer and direction over a packed sequence.

    gi: (N, G) input gates (``x @ W_ih^T + b_ih`` for all N packed rows); h0: (B, H_out);
    c0: (B, H) for LSTM else None; batch_sizes: rows per step (non-increasing).
    Returns (output (N, H_out), h_n (B, H_out), c_n (B, H) or None).
    """
    plan = _Plan(batch_sizes, reverse)
    arrays = [None if t is None else t._data for t in (gi, h0, c0, w_hh, b_hh, w_hr)]
    dtype = arrays[0].dtype
    low = dtype.itemsize == 2   # float16/bfloat16: compute in float32, as torch
    if low:
        arrays = [None if a is None else a.astype(np.float32) for a in arrays]
    out, h_n, c_n, saved = _forward(mode, *arrays, plan)
    if low:
        out, h_n = out.astype(dtype), h_n.astype(dtype)
        c_n = None if c_n is None else c_n.astype(dtype)
    device = gi._device
    results = [_wrap(out, device), _wrap(h_n, device),
               None if c_n is None else _wrap(c_n, device)]
    inputs = (gi, h0, c0, w_hh, b_hh, w_hr)
    if GRAD.enabled and any(t is not None and t._rg for t in inputs) and not low:
        node = RnnLayerBackward0()
        node.connect(inputs)
        outs = results if mode == "LSTM" else results[:2]
        node._num_outputs = len(outs)
        node._out_meta = [(o._data.shape, o.dtype, o._device) for o in outs]
        for k, o in enumerate(outs):
            o._grad_fn = node
            o._out_nr = k
            o._rg = True
        node._mode = mode
        node._plan = plan
        node._arrays = saved
        node.save(*inputs)
    elif GRAD.enabled and any(t is not None and t._rg for t in inputs):
        # low precision with grad: the op chain (rare; keeps gradients right)
        plan = _Plan(batch_sizes, reverse)
        return _composite(mode, gi, h0, c0, w_hh, b_hh, w_hr, plan)
    return tuple(results)
