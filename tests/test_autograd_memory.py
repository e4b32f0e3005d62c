"""A long training loop must not leak: graphs die after backward without the garbage
collector (no reference cycles), and memory and live Tensor/Node counts stay flat."""
import gc
import os
import subprocess
import sys
import tracemalloc

import numpy as np

import ember
from ember.autograd.graph import Node

STEPS = 5000
CHECK_AT = 1000


def _live_autograd_objects():
    # type() rather than isinstance(): it never runs a foreign object's __class__ property
    return sum(1 for o in gc.get_objects() if issubclass(type(o), (ember.Tensor, Node)))


def _make_step():
    rng = np.random.default_rng(0)
    X = ember.tensor(rng.standard_normal((16, 8)).astype(np.float32))
    Y = ember.tensor(rng.standard_normal((16,)).astype(np.float32))
    w = ember.tensor((rng.standard_normal(8) * 0.1).astype(np.float32), requires_grad=True)
    b = ember.zeros(1, requires_grad=True)
    w.register_hook(lambda g: None)

    def step(k):
        z = (X * w).sum(1) + b
        z.retain_grad()
        a = z.exp()                 # saves its output
        h = a * 1
        h[0:4].mul_(0.5)            # in-place on a view: CopySlices
        pred = h.log()
        diff = pred - Y
        loss = (diff * diff).mean()
        loss.backward()
        with ember.no_grad():
            w.sub_(w.grad * 0.01)
            b.sub_(b.grad * 0.01)
        if k % 2:
            w.grad.zero_()
            b.grad = None
        else:
            w.grad = None
            b.grad.zero_()
        if k % 10 == 0:
            # A forward pass whose graph is dropped without backward must die too.
            float((X * w).sum(1).exp().sqrt().sum())
        return float(loss)
    return step


def test_training_loop_memory_is_flat():
    # NOTE: measured in a fresh interpreter: test-runner plugins imported here (hypothesis)
    # keep small allocations of their own alive while tracemalloc runs.
    code = ("import sys; sys.path.insert(0, %r); import test_autograd_memory as t; "
            "t.check_training_loop_memory_is_flat(); print('ok')" % os.path.dirname(__file__))
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]


def check_training_loop_memory_is_flat():
    step = _make_step()
    for k in range(50):     # warm up caches (imports, NumPy's allocator)
        step(k)
    gc.collect()
    gc.disable()
    try:
        first_loss = step(0)
        for k in range(1, CHECK_AT):
            step(k)
        objs_early = _live_autograd_objects()
        # Traced from here on: what the later steps allocate and keep is a leak.
        tracemalloc.start()
        for k in range(CHECK_AT, STEPS):
            last_loss = step(k)
        kept = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        objs_late = _live_autograd_objects()
        # Every graph was freed by reference counting alone: nothing for the collector.
        unreachable = gc.collect()
    finally:
        tracemalloc.stop()
        gc.enable()
    assert last_loss < first_loss          # it trained
    assert objs_late - objs_early <= 5, (objs_early, objs_late)
    assert kept < 64 * 1024, kept
    assert unreachable == 0
