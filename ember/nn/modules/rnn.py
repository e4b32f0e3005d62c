"""RNN, LSTM, GRU and their single-step cells.

The layers feed every layer and direction through one kernel call
(``functional._rnn.rnn_layer``): the input projections of the whole sequence are one
``F.linear`` up front, the time loop is one graph node.  Padded and packed inputs share the
code: a padded (T, B, *) batch is the packed layout with ``batch_sizes = [B] * T``.
"""
import math
import numbers
import warnings

from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..functional import _rnn
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _empty(shape, device, dtype):
    from ...ops.creation import empty
    return empty(shape, device=device, dtype=dtype)


def _zeros(shape, like):
    from ...ops.creation import zeros
    return zeros(shape, dtype=like.dtype, device=like.device)


class RNNBase(Module):
    """Shared machinery of RNN, LSTM and GRU (parameters, checks, the layer loop)."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._check_args()
        num_directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_input)),
                          ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                names = []
                for base, shape in shapes:
                    name = f"{base}_l{layer}{suffix}"
                    setattr(self, name, Parameter(_empty(shape, device, dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def _check_args(self):
        if not isinstance(self.dropout, numbers.Number) or not 0 <= self.dropout <= 1 or \
                isinstance(self.dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if self.dropout > 0 and self.num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={self.dropout} and num_layers={self.num_layers}")
        if not isinstance(self.hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: "
                            f"{type(self.hidden_size).__name__}")
        if self.hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if self.num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if self.proj_size and self.mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if self.proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if self.proj_size >= self.hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        """Parameters per layer and direction, in torch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self):
        """A no-op: ember keeps no fused weight buffer (cuDNN's reason for this call)."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- checks ------------------------------------------------------------------------
    def _check_input(self, data):
        if data.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {data.shape[-1]}")

    def _check_hidden(self, hx, expected, what="hidden"):
        if tuple(hx.shape) != tuple(expected):
            raise RuntimeError(f"Expected {what} size {tuple(expected)}, got {list(hx.shape)}")

    # -- forward -----------------------------------------------------------------------
    def _prepare(self, input, hx):
        """Packed (data, batch_sizes) and states in the kernel's layout, plus how to undo it."""
        name = type(self).__name__
        if isinstance(input, PackedSequence):
            data = input.data
            batch_sizes = [int(b) for b in input.batch_sizes.tolist()]
            batch = batch_sizes[0] if batch_sizes else 0
            self._check_input(data)
            return data, batch_sizes, batch, hx, ("packed", input)
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}.forward(): input must be a Tensor or PackedSequence, not "
                            f"{type(input).__name__}")
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D instead")
        self._check_input(input)
        unbatched = input.ndim == 2
        if unbatched:
            states = hx if isinstance(hx, tuple) else (hx,)
            for h in states:
                if h is not None and h.ndim != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                       f"{h.ndim}-D tensor")
            input = input.unsqueeze(1)
            if hx is not None:
                hx = tuple(h.unsqueeze(1) for h in hx) if isinstance(hx, tuple) else \
                    hx.unsqueeze(1)
        else:
            if self.batch_first:
                input = input.transpose(0, 1)
            states = hx if isinstance(hx, tuple) else (hx,)
            for h in states:
                if h is not None and h.ndim != 3:
                    raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                                       f"{h.ndim}-D tensor")
        steps, batch = input.shape[0], input.shape[1]
        data = input.reshape((steps * batch, input.shape[2]))
        return data, [batch] * steps, batch, hx, ("unbatched" if unbatched else "padded",
                                                   (steps, batch))

    def _run(self, data, batch_sizes, h0, c0):
        """All layers and directions; returns (output rows, [h_n], [c_n])."""
        mode = self.mode
        num_directions = 2 if self.bidirectional else 1
        layer_input = data
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(num_directions):
                k = layer * num_directions + direction
                weights = [getattr(self, name) for name in self._all_weights[k]]
                w_ih, w_hh = weights[0], weights[1]
                b_ih = weights[2] if self.bias else None
                b_hh = weights[3] if self.bias else None
                w_hr = weights[-1] if self.proj_size > 0 else None
                gi = F.linear(layer_input, w_ih, b_ih)
                out, h, c = _rnn.rnn_layer(mode, gi, h0[k], None if c0 is None else c0[k],
                                           w_hh, b_hh, w_hr, batch_sizes,
                                           reverse=direction == 1)
                outputs.append(out)
                h_n.append(h)
                c_n.append(c)
            layer_input = outputs[0] if num_directions == 1 else _cat(outputs, 1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, training=True)
        return layer_input, h_n, c_n

    def _default_state(self, batch, data, size):
        num_directions = 2 if self.bidirectional else 1
        return _zeros((self.num_layers * num_directions, batch, size), data)

    def _forward(self, input, hx):
        data, batch_sizes, batch, hx, (kind, info) = self._prepare(input, hx)
        num_directions = 2 if self.bidirectional else 1
        out_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        lstm = self.mode == "LSTM"
        sorted_indices = input.sorted_indices if kind == "packed" else None
        expected_h = (self.num_layers * num_directions, batch, out_size)
        expected_c = (self.num_layers * num_directions, batch, self.hidden_size)
        if hx is None:
            h0 = self._default_state(batch, data, out_size)
            c0 = self._default_state(batch, data, self.hidden_size) if lstm else None
        else:
            if lstm:
                if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                    raise RuntimeError("LSTM: expected hx to be a tuple (h_0, c_0)")
                h0, c0 = hx
            else:
                if isinstance(hx, (tuple, list)):
                    raise RuntimeError(f"{type(self).__name__}: expected hx to be a Tensor, got "
                                       "a tuple")
                h0, c0 = hx, None
            if sorted_indices is not None:
                # NOTE: states are given in the caller's order; the kernel runs sorted.
                h0 = h0.index_select(1, sorted_indices)
                c0 = None if c0 is None else c0.index_select(1, sorted_indices)
            self._check_hidden(h0, expected_h, "hidden[0]" if lstm else "hidden")
            if lstm:
                self._check_hidden(c0, expected_c, "hidden[1]")
        out, h_n, c_n = self._run(data, batch_sizes, h0, c0)
        h_n = _stack(h_n)
        c_n = _stack(c_n) if lstm else None
        if kind == "packed":
            unsorted = input.unsorted_indices
            if unsorted is not None:
                h_n = h_n.index_select(1, unsorted)
                c_n = None if c_n is None else c_n.index_select(1, unsorted)
            output = PackedSequence(out, input.batch_sizes, sorted_indices, unsorted)
        else:
            steps, batch = info
            output = out.reshape((steps, batch, out.shape[-1]))
            if kind == "unbatched":
                output = output.squeeze(1)
                h_n = h_n.squeeze(1)
                c_n = None if c_n is None else c_n.squeeze(1)
            elif self.batch_first:
                output = output.transpose(0, 1)
        return output, ((h_n, c_n) if lstm else h_n)

    def forward(self, input, hx=None):
        return self._forward(input, hx)


def _cat(tensors, dim):
    from ...ops.shape import cat
    return cat(tensors, dim)


def _stack(tensors):
    from ...ops.shape import stack
    return stack(tensors, 0)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).

    >>> out, h = ember.nn.RNN(10, 20, 2)(ember.randn(5, 3, 10))
    >>> tuple(out.shape), tuple(h.shape)
    ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None,
                 proj_size=0):
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        # proj_size is accepted only to raise torch's ValueError
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)


class LSTM(RNNBase):
    """Long short-term memory; gates (i, f, g, o) in one (4H, *) weight; optional projection.

    >>> out, (h, c) = ember.nn.LSTM(10, 20, 2)(ember.randn(5, 3, 10))
    >>> tuple(out.shape), tuple(h.shape), tuple(c.shape)
    ((5, 3, 20), (2, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit; gates (r, z, n) in one (3H, *) weight.

    >>> out, h = ember.nn.GRU(10, 20, 2)(ember.randn(5, 3, 10))
    >>> tuple(out.shape), tuple(h.shape)
    ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, proj_size=0):
        # proj_size is accepted only to raise torch's ValueError
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)


class RNNCellBase(Module):
    """Shared parameters and checks of the single-step cells."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_empty((num_chunks * hidden_size, input_size), device, dtype))
        self.weight_hh = Parameter(_empty((num_chunks * hidden_size, hidden_size), device,
                                          dtype))
        if bias:
            self.bias_ih = Parameter(_empty((num_chunks * hidden_size,), device, dtype))
            self.bias_hh = Parameter(_empty((num_chunks * hidden_size,), device, dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _step(self, mode, input, states):
        """Checks, the unbatched case, zero states; returns the new states."""
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}.forward(): input must be a Tensor, not "
                            f"{type(input).__name__}")
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        unbatched = input.ndim == 1
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} "
                               f"expected {self.input_size}")
        if unbatched:
            input = input.unsqueeze(0)
        batch = input.shape[0]
        filled = []
        for k, state in enumerate(states):
            if state is None:
                state = _zeros((batch, self.hidden_size), input)
            else:
                if state.ndim != (1 if unbatched else 2):
                    raise RuntimeError(f"{name}: Expected hidden to be {1 if unbatched else 2}D, "
                                       f"got {state.ndim}D instead")
                if unbatched:
                    state = state.unsqueeze(0)
                if state.ndim != 2 or state.shape[0] != batch:
                    raise RuntimeError(f"Input batch size {batch} doesn't match hidden{k} batch "
                                       f"size {state.shape[0] if state.ndim else 0}")
                if state.shape[1] != self.hidden_size:
                    raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got "
                                       f"{state.shape[1]}, expected {self.hidden_size}")
            filled.append(state)
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        h, c = _rnn.cell_step(mode, gi, filled[0], filled[1] if len(filled) > 1 else None,
                              self.weight_hh, self.bias_hh)
        if unbatched:
            h = h.squeeze(0)
            c = None if c is None else c.squeeze(0)
        return h, c


class RNNCell(RNNCellBase):
    """One Elman step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu).

    >>> tuple(ember.nn.RNNCell(10, 20)(ember.randn(3, 10)).shape)
    (3, 20)
    """

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        # NOTE: as torch, an unknown nonlinearity is only an error when the cell runs
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        mode = "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"
        return self._step(mode, input, [hx])[0]


class LSTMCell(RNNCellBase):
    """One LSTM step; returns (h', c').

    >>> h, c = ember.nn.LSTMCell(10, 20)(ember.randn(3, 10)); tuple(c.shape)
    (3, 20)
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        states = [None, None] if hx is None else list(hx)
        return self._step("LSTM", input, states)


class GRUCell(RNNCellBase):
    """One GRU step.

    >>> tuple(ember.nn.GRUCell(10, 20)(ember.randn(3, 10)).shape)
    (3, 20)
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        return self._step("GRU", input, [hx])[0]
