"""gradcheck / gradgradcheck: analytical gradients against finite differences.

Inputs may live on any device: the functions run there, and the Jacobians are
assembled and compared on the host (``to_host``), one output column at a time.
"""
import numpy as np

from .._device import to_host


class GradcheckError(RuntimeError):
    """Raised by gradcheck / gradgradcheck when the gradients disagree (a RuntimeError)."""


def _as_tuple(x):
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _flat_outputs(fn, inputs):
    return [to_host(o._data).astype(np.float64).reshape(-1) for o in _as_tuple(fn(*inputs))]


def _numerical_jacobian(fn, inputs, index, eps):
    """d(flat outputs)/d(flat inputs[index]) by central differences.

    Grad mode stays on: gradgradcheck's function itself calls autograd.grad.  The input
    is perturbed in its own memory, without a version bump (nothing saved survives
    from one call of ``fn`` to the next).
    """
    data = inputs[index]._data
    cols = []
    for i in np.ndindex(data.shape):
        orig = data[i]
        data[i] = orig + eps
        plus = _flat_outputs(fn, inputs)
        data[i] = orig - eps
        minus = _flat_outputs(fn, inputs)
        data[i] = orig
        cols.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
                    if plus else np.zeros(0))
    if cols:
        return np.stack(cols, axis=1)
    n_out = sum(o.size for o in _flat_outputs(fn, inputs))
    return np.zeros((n_out, 0))


def _analytical_jacobian(fn, inputs, diff_idx):
    from .. import autograd
    from ..ops.creation import zeros_like
    outputs = [o for o in _as_tuple(fn(*inputs))]
    diff_inputs = [inputs[i] for i in diff_idx]
    sizes = [o._data.size for o in outputs]
    total = sum(sizes)
    jac = [np.zeros((total, inputs[i]._data.size)) for i in diff_idx]
    row = 0
    for k, out in enumerate(outputs):
        if not out.requires_grad:
            row += sizes[k]
            continue
        for j in range(sizes[k]):
            g = zeros_like(out)
            # the j-th element in C order (zeros_like may keep out's permuted strides;
            # an index tuple also works on device arrays, which lack ``flat``)
            g._data[np.unravel_index(j, g._data.shape)] = 1
            grads = autograd.grad(out, diff_inputs, g, retain_graph=True, allow_unused=True)
            for m, gr in enumerate(grads):
                if gr is not None:
                    jac[m][row + j] = to_host(gr._data).astype(np.float64).reshape(-1)
        row += sizes[k]
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """Compare the backward pass of ``func`` with central finite differences.

    Inputs that require grad should be float64 (as in torch, a warning-free check
    needs double precision).  Returns True, or raises GradcheckError.
    """
    from .._tensor import Tensor
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of the them have requires_grad=True.")
    analytical = _analytical_jacobian(func, inputs, diff_idx)
    for m, i in enumerate(diff_idx):
        numerical = _numerical_jacobian(func, inputs, i, eps)
        a = analytical[m]
        if numerical.shape != a.shape or not np.allclose(a, numerical, atol=atol, rtol=rtol):
            if raise_exception:
                raise GradcheckError(
                    f"Jacobian mismatch for output 0 with respect to input {i},\n"
                    f"numerical:{numerical}\nanalytical:{a}\n")
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck of the function computing vector-Jacobian products of ``func``."""
    from .. import autograd
    from .._tensor import Tensor
    from ..ops.creation import tensor
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outputs = _as_tuple(func(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            tensor(rng.standard_normal(o.shape), dtype=o.dtype, device=o.device,
                   requires_grad=True)
            for o in outputs if o.requires_grad)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def vjp(*args):
        ins, gos = args[:n_in], args[n_in:]
        outs = [o for o in _as_tuple(func(*ins)) if o.requires_grad]
        diff = [ins[i] for i in diff_idx]
        grads = autograd.grad(outs, diff, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(vjp, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
