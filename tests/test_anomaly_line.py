"""Anomaly mode: a NaN gradient raises naming the node, and the warning shows the user's
forward source line (file and line number), as torch does; off, nodes record nothing."""
import inspect
import warnings

import pytest
import torch

import ember


def _forward_line(fn, marker):
    lines, start = inspect.getsourcelines(fn)
    for k, text in enumerate(lines):
        if marker in text:
            return start + k
    raise AssertionError(marker)


def _nan_backward(lib):
    x = lib.tensor([0.0, 1.0], requires_grad=True)
    y = x / x  # FORWARD-LINE
    with pytest.raises(RuntimeError) as info:
        y.sum().backward()
    return str(info.value)


@pytest.mark.parametrize("enable", ["context", "setter"])
def test_nan_gradient_names_node_and_forward_line(enable):
    line = _forward_line(_nan_backward, "FORWARD-LINE")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if enable == "context":
            with ember.autograd.detect_anomaly():
                message = _nan_backward(ember)
        else:
            ember.autograd.set_detect_anomaly(True)
            try:
                message = _nan_backward(ember)
            finally:
                ember.autograd.set_detect_anomaly(False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.autograd.detect_anomaly():
            torch_message = _nan_backward(torch)
    assert message == torch_message
    assert "DivBackward0" in message and "nan" in message
    traces = [str(w.message) for w in caught if "Traceback of forward call" in str(w.message)]
    assert traces, [str(w.message) for w in caught]
    assert "DivBackward0" in traces[0]
    assert f'File "{__file__}", line {line}' in traces[0]
    assert "y = x / x" in traces[0]
    assert "ember/ops" not in traces[0]          # only the user's frames


def _failing_function_forward():
    class Boom(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            raise ValueError("boom")

    x = ember.ones(2, requires_grad=True)
    return Boom.apply(x).sum()  # BOOM-LINE


def test_error_in_backward_warns_with_forward_line():
    line = _forward_line(_failing_function_forward, "BOOM-LINE")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ember.autograd.detect_anomaly():
            out = _failing_function_forward()
            with pytest.raises(ValueError):
                out.backward()
    traces = [str(w.message) for w in caught if "Traceback of forward call" in str(w.message)]
    assert any(f"line {line}" in t for t in traces), traces


def test_no_trace_recorded_without_anomaly_mode():
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    assert "_forward_trace" not in y.grad_fn.__dict__
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autograd.detect_anomaly():
            z = x * 3
    assert "_forward_trace" in z.grad_fn.__dict__
    assert "traceback_" in z.grad_fn.metadata
    # a NaN gradient without anomaly mode passes silently, as in torch
    w = ember.tensor([0.0], requires_grad=True)
    (w / w).sum().backward()
    assert w.grad.isnan().all()


def test_check_nan_false_does_not_raise():
    x = ember.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autograd.detect_anomaly(check_nan=False):
            (x / x).sum().backward()
    assert x.grad.isnan().any()
