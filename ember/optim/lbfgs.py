"""L-BFGS (``torch.optim.LBFGS``), with an optional strong-Wolfe line search.

The whole parameter set is treated as one flat vector; the curvature history, the
search direction and the flat gradients are NumPy (or CuPy) arrays while a step runs and are
kept in ``state`` as tensors (the names and nesting of torch's state, so a torch
``state_dict()`` loads and continues on the same path).
"""
import numpy as np

from .._device import is_device_array, xp_of
from .._tensor import Tensor, _wrap
from . import _state as S
from .optimizer import Optimizer

__all__ = ["LBFGS"]


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimiser of the cubic through two points with their slopes, clipped to bounds.

    Falls back to the bounds' midpoint when the cubic has no real minimiser.
    """
    if bounds is not None:
        low, high = bounds
    else:
        low, high = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = np.sqrt(d2_square)
    if x1 <= x2:
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(min_pos, low), high)


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """Line search along ``d`` for a step ``t`` meeting the strong Wolfe conditions.

    First grows ``t`` until a bracket holds a minimiser, then shrinks the bracket by
    safeguarded cubic interpolation ("zoom").  Returns (f, g, t, evaluations).
    """
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    bracket_gtd = None
    # Bracketing phase.
    while ls_iter < max_ls:
        sufficient = f_new <= f + c1 * t * gtd
        if not sufficient or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # Extrapolate: somewhere between a bit past t and ten times t.
        previous = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                               bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # Zoom phase: shrink the bracket until the conditions hold.
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        # Keep t away from the bracket's ends unless the last trial made progress.
        top, bottom = max(bracket), min(bracket)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:
            if insufficient_progress or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > f + c1 * t * gtd or f_new >= bracket_f[low]:
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new.copy(), gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new.copy(), gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals


def _loss_value(loss):
    """The closure's loss as a Python float (detached first: no requires_grad warning)."""
    return float(loss.detach()) if isinstance(loss, Tensor) else float(loss)


def _to_array(value):
    """A state entry as NumPy: tensors to arrays (0-dim ones to NumPy scalars).

    No copies: a step never writes into an array it read from the state (every
    direction, gradient and history entry is a fresh array).
    """
    if isinstance(value, Tensor):
        return value._data[()] if value._data.ndim == 0 else value._data
    if isinstance(value, list):
        return [_to_array(v) for v in value]
    return value


def _to_tensor(value, device):
    """The inverse of ``_to_array`` for storing: arrays and NumPy scalars to tensors
    (device arrays, e.g. the history of cuda parameters, as tensors on ``device``)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return _wrap(np.asarray(value))
    if is_device_array(value):
        return _wrap(value, device)
    if isinstance(value, list):
        return [_to_tensor(v, device) for v in value]
    return value


class LBFGS(Optimizer):
    """Limited-memory BFGS: quasi-Newton steps from the last ``history_size`` pairs of
    parameter and gradient changes.  ``step(closure)`` runs up to ``max_iter``
    iterations, each evaluating ``closure`` (which recomputes the loss and gradients).

    Like torch's, it takes a single parameter group.

    >>> w = ember.tensor([3.0], requires_grad=True)
    >>> opt = ember.optim.LBFGS([w])
    >>> def closure():
    ...     opt.zero_grad(); loss = ((w - 1) ** 2).sum(); loss.backward(); return loss
    >>> _ = opt.step(closure); round(w.item(), 4)
    1.0
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        S.check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]
        self._numel_cache = None

    def __setstate__(self, state):
        super().__setstate__(state)
        self._params = self.param_groups[0]["params"]
        self._numel_cache = None

    def _numel(self):
        if self._numel_cache is None:
            self._numel_cache = sum(2 * p.numel() if p.is_complex() else p.numel()
                                    for p in self._params)
        return self._numel_cache

    @staticmethod
    def _flat(arr):
        arr = arr.reshape(-1)
        return arr.view(arr.real.dtype) if np.iscomplexobj(arr) else arr

    def _gather_flat_grad(self):
        views = []
        for p in self._params:
            if p._grad is None:
                views.append(xp_of(p._data).zeros(p._data.size * (2 if p.is_complex() else 1),
                                                  dtype=p._data.real.dtype))
            else:
                views.append(self._flat(p._grad._data))
        return np.concatenate(views)

    def _add_grad(self, step_size, update):
        offset = 0
        for p in self._params:
            flat = self._flat(p._data)
            numel = flat.size
            flat += update[offset:offset + numel] * step_size
            offset += numel
            p._bump_version()

    def _clone_param(self):
        return [p._data.copy() for p in self._params]

    def _set_param(self, arrays):
        for p, arr in zip(self._params, arrays):
            np.copyto(p._data, arr)
            p._bump_version()

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = _loss_value(self._eval_closure(closure))
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations; returns the first closure's loss."""
        group = self.param_groups[0]
        lr = S.as_float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = self._eval_closure(closure)
        loss = _loss_value(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss

        d, t = _to_array(state.get("d")), _to_array(state.get("t"))
        old_dirs, old_stps = _to_array(state.get("old_dirs")), _to_array(state.get("old_stps"))
        ro, H_diag = _to_array(state.get("ro")), _to_array(state.get("H_diag"))
        prev_flat_grad = _to_array(state.get("prev_flat_grad"))
        prev_loss = _to_array(state.get("prev_loss"))
        al = _to_array(state.get("al"))

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                if al is None:
                    al = [None] * history_size
                    state["al"] = al    # (torch's key order: "al" comes before "d")
                d, H_diag = self._direction(flat_grad, prev_flat_grad, d, t, old_dirs,
                                            old_stps, ro, H_diag, history_size, al)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:
                break   # not a descent direction

            evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = self._clone_param()

                def obj_func(x, step, direction):
                    return self._directional_evaluate(closure, x, step, direction)

                loss, flat_grad, t, evals = _strong_wolfe(obj_func, x_init, t, d, loss,
                                                          flat_grad, gtd,
                                                          max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                optimal = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                optimal = False
                if n_iter != max_iter:
                    # NOTE: like torch, the last iteration does not re-evaluate.
                    loss = _loss_value(self._eval_closure(closure))
                    flat_grad = self._gather_flat_grad()
                    optimal = np.abs(flat_grad).max() <= tolerance_grad
                    evals = 1
            current_evals += evals
            state["func_evals"] += evals

            if n_iter == max_iter or current_evals >= max_eval or optimal:
                break
            if np.abs(d * t).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        device = self._params[0]._device
        state["d"] = _to_tensor(d, device)
        state["t"] = _to_tensor(t, device)
        state["old_dirs"] = _to_tensor(old_dirs, device)
        state["old_stps"] = _to_tensor(old_stps, device)
        state["ro"] = _to_tensor(ro, device)
        state["H_diag"] = _to_tensor(H_diag, device)
        state["prev_flat_grad"] = _to_tensor(prev_flat_grad, device)
        state["prev_loss"] = prev_loss
        if al is not None:
            state["al"] = _to_tensor(al, device)
        return orig_loss

    def _direction(self, flat_grad, prev_flat_grad, d, t, old_dirs, old_stps, ro, H_diag,
                   history_size, al):
        """Update the curvature history with the last step, then the two-loop recursion.

        The history lists and ``al`` are changed in place; returns the new direction
        and ``H_diag``.
        """
        y = flat_grad - prev_flat_grad
        s = d * t
        ys = y.dot(s)
        if ys > 1e-10:   # keep the pair only if it adds positive curvature
            if len(old_dirs) == history_size:
                old_dirs.pop(0)
                old_stps.pop(0)
                ro.pop(0)
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            H_diag = ys / y.dot(y)
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]
            q -= old_dirs[i] * al[i]
        r = q * H_diag
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r) * ro[i]
            r += old_stps[i] * (al[i] - be_i)
        return r, H_diag
