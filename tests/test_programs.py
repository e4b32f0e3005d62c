"""Whole programs, written the way PyTorch users write them, run with torch and with ember.

Each ``prog_xxx(L)`` takes the library module (``torch`` or ``ember``), does what a
user's script would do (train a tiny model by hand, take double gradients, print
tensors, mix ints and floats...) and returns plain results: NumPy arrays, Python
numbers, strings, dtype names, shapes as tuples.  The test runs it once per library
and compares everything (floats with a tolerance, the rest exactly); an exception is
compared by its builtin type.

Inputs come from NumPy with a fixed seed, never from the libraries' random streams,
which differ by design.
"""
import math

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(1234)
X_CLS = RNG.standard_normal((16, 4)).astype(np.float32)
Y_CLS = (X_CLS[:, 0] + 0.5 * X_CLS[:, 1] > 0).astype(np.int64) + (X_CLS[:, 2] > 1).astype(np.int64)
W1 = (RNG.standard_normal((4, 8)) * 0.5).astype(np.float32)
B1 = np.zeros(8, np.float32)
W2 = (RNG.standard_normal((8, 3)) * 0.5).astype(np.float32)
B2 = np.zeros(3, np.float32)
SEQS = [RNG.standard_normal((n, 3)).astype(np.float32) for n in (2, 5, 1, 4)]
ATT = RNG.standard_normal((2, 2, 5, 4)).astype(np.float32)


def arr(t):
    """A tensor as a NumPy array (float32 for the half types NumPy lacks)."""
    if str(t.dtype) == "torch.bfloat16":
        t = t.float()
    return t.detach().numpy().copy()


def dt(t):
    return str(t.dtype)


def shape(t):
    return tuple(t.shape)


def raised(fn):
    """The name of the builtin exception class ``fn()`` raises, or its result."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - compared across libraries
        if type(exc).__module__.startswith("numpy"):
            raise
        for cls in type(exc).__mro__:
            if cls.__module__ == "builtins":
                return f"raised {cls.__name__}"
        raise


# ----------------------------------------------------------------------------------
# programs
# ----------------------------------------------------------------------------------

def prog_mlp_training(L):
    """Two-layer MLP trained with raw tensors: tanh, relu by clamp, CE by logsumexp."""
    x, y = L.from_numpy(X_CLS), L.from_numpy(Y_CLS)
    params = [L.tensor(W1, requires_grad=True), L.tensor(B1).requires_grad_(),
              L.tensor(W2).requires_grad_(True), L.zeros(3, requires_grad=True)]
    w1, b1, w2, b2 = params
    lr = 0.5
    losses = []
    for step in range(6):
        h = (x @ w1 + b1).tanh()
        h = L.clamp(h, min=0)
        logits = h.matmul(w2) + b2
        picked = logits[L.arange(x.shape[0]), y]
        loss = (L.logsumexp(logits, dim=1) - picked).mean()
        losses.append(loss.item())
        loss.backward()
        with L.no_grad():
            for i, p in enumerate(params):
                p -= lr * p.grad
                if i % 2:
                    p.grad.zero_()
                else:
                    p.grad = None
    with L.no_grad():
        logits = L.clamp((x @ w1 + b1).tanh(), min=0) @ w2 + b2
        pred = logits.argmax(dim=-1)
        acc = (pred == y).float().mean()
    return {"losses": losses, "w1": arr(w1), "b2": arr(b2), "pred": pred.tolist(),
            "acc": acc.item(), "acc_dtype": dt(acc), "grad_b1": b1.grad.tolist(),
            "grad_w1": w1.grad, "leaf": [p.is_leaf for p in params],
            "rg_logits": logits.requires_grad}


def prog_logistic_regression(L):
    """Logistic regression with sigmoid and a hand-written binary cross-entropy."""
    x = L.tensor(X_CLS.astype(np.float64))
    y = L.tensor((Y_CLS > 0).astype(np.float64))
    w = L.zeros(4, dtype=L.float64, requires_grad=True)
    b = L.tensor(0.0, dtype=L.float64, requires_grad=True)
    losses = []
    for _ in range(10):
        p = L.sigmoid(x @ w + b)
        loss = -(y * L.log(p) + (1 - y) * L.log(1 - p)).mean()
        loss.backward()
        losses.append(float(loss))
        with L.no_grad():
            w.sub_(1.0 * w.grad)
            b.add_(b.grad, alpha=-1.0)
            w.grad.zero_()
            b.grad.zero_()
    pred = (L.sigmoid(x @ w + b) > 0.5)
    correct = (pred == y.bool()).sum()
    return {"losses": losses, "w": arr(w), "b": b.item(), "pred_dtype": dt(pred),
            "correct": correct.item(), "correct_dtype": dt(correct),
            "acc": (correct / y.numel()).item(), "p_grad_fn": type(p.grad_fn).__name__}


def prog_polynomial_fit(L):
    """Fit a cubic by gradient descent on Vandermonde features."""
    x = L.linspace(-1, 1, 21)
    target = 0.5 * x ** 3 - x + 0.25
    powers = L.arange(4)
    feats = x.unsqueeze(1) ** powers          # float ** int tensor -> float
    coef = L.zeros(4, requires_grad=True)
    for _ in range(50):
        loss = ((feats @ coef - target) ** 2).mean()
        loss.backward()
        with L.no_grad():
            coef -= 0.4 * coef.grad
        coef.grad.zero_()
    vander = L.stack([x ** i for i in range(4)], dim=1)
    return {"feat_dtype": dt(feats), "feats": arr(feats), "same": L.allclose(vander, feats),
            "coef": arr(coef), "loss": loss.item(), "x_dtype": dt(x),
            "powers_dtype": dt(powers), "int_pow": (powers ** 2).tolist(),
            "int_pow_dtype": dt(powers ** 2), "pow_float": dt(powers ** 0.5)}


def prog_gradient_penalty(L):
    """WGAN-GP style penalty: grad of a critic w.r.t. its input, then backward through it."""
    w = L.tensor(W1[:, :2].astype(np.float64), requires_grad=True)
    x = L.tensor(X_CLS[:5].astype(np.float64), requires_grad=True)
    critic = ((x @ w).tanh() ** 2).sum()
    (gx,) = L.autograd.grad(critic, x, create_graph=True)
    penalty = ((gx.norm(2, dim=1) - 1) ** 2).mean()
    penalty.backward()
    return {"gx": arr(gx), "gx_rg": gx.requires_grad, "penalty": penalty.item(),
            "w_grad": arr(w.grad), "x_grad": arr(x.grad)}


def prog_hessian_vector_product(L):
    """Hessian-vector product by grad of (grad . v), checked against the full Hessian."""
    A = L.tensor(W1[:, :4].astype(np.float64))
    x = L.tensor([0.3, -0.2, 0.5, 1.0], dtype=L.float64, requires_grad=True)
    v = L.tensor([1.0, 0.0, -1.0, 2.0], dtype=L.float64)

    def f(z):
        return (z.sin() * z).sum() + z @ A @ z + L.exp(z).prod()

    (g,) = L.autograd.grad(f(x), x, create_graph=True)
    (hv,) = L.autograd.grad(g, x, grad_outputs=v, retain_graph=True)
    (hv2,) = L.autograd.grad((g * v).sum(), x)
    H = L.autograd.functional.hessian(f, x)
    J = L.autograd.functional.jacobian(lambda z: z.sin() * A.sum(0), x)
    return {"g": arr(g), "hv": arr(hv), "hv2": arr(hv2), "H": arr(H), "Hv": arr(H @ v),
            "J": arr(J)}


def prog_custom_function(L):
    """A straight-through round (custom autograd.Function) inside a training loop."""

    class RoundSTE(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return (x * scale).round() / scale

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            keep = (x.abs() <= 1).to(grad.dtype)
            return grad * keep, None

    class MulAdd(L.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b, a + b

        @staticmethod
        def backward(ctx, g_prod, g_sum):
            a, b = ctx.saved_tensors
            return g_prod * b + g_sum, g_prod * a + g_sum

    w = L.tensor([0.9, -1.3, 0.26, 0.04], requires_grad=True)
    x = L.tensor(X_CLS[:6])
    target = L.tensor([1.0, -1.0, 0.5, 0.0, 0.2, 0.3])
    losses = []
    for _ in range(4):
        wq = RoundSTE.apply(w, 4.0)
        loss = ((x @ wq - target) ** 2).sum()
        loss.backward()
        losses.append(loss.item())
        with L.no_grad():
            w -= 0.01 * w.grad
            w.grad = None
    a = L.tensor([1.0, 2.0], requires_grad=True)
    b = L.tensor([3.0, -1.0], requires_grad=True)
    prod, total = MulAdd.apply(a, b)
    (prod.sum() * 2 + total.pow(2).sum()).backward()
    return {"losses": losses, "w": arr(w), "wq": arr(wq), "wq_fn": type(wq.grad_fn).__name__,
            "a_grad": arr(a.grad), "b_grad": arr(b.grad), "prod": arr(prod),
            "total": arr(total)}


def prog_grad_clipping(L):
    """Gradient clipping by tensor hooks and by total norm."""
    w = L.tensor(W1.astype(np.float64), requires_grad=True)
    b = L.tensor(B1.astype(np.float64), requires_grad=True)
    x = L.tensor(X_CLS.astype(np.float64))
    seen = []
    handle = w.register_hook(lambda g: g.clamp(-0.05, 0.05))
    h = x @ w + b
    h.register_hook(lambda g: seen.append(g.abs().max().item()))
    h.register_hook(lambda g: g * 2)
    loss = (h ** 2).mean()
    loss.backward()
    clipped_w = arr(w.grad)
    handle.remove()
    w.grad = None
    b.grad = None
    loss2 = ((x @ w + b) ** 2).mean()
    loss2.backward()
    params = [w, b]
    total = L.sqrt(sum(p.grad.pow(2).sum() for p in params))
    coef = (1.0 / (total + 1e-6)).clamp(max=1.0)
    for p in params:
        p.grad.mul_(coef)
    return {"clipped_w": clipped_w, "seen": seen, "total": total.item(),
            "w_grad": arr(w.grad), "b_grad": arr(b.grad),
            "norm_after": L.sqrt(sum(p.grad.pow(2).sum() for p in params)).item()}


def prog_retain_grad(L):
    """Inspecting intermediate gradients with retain_grad."""
    x = L.tensor(X_CLS[:3], requires_grad=True)
    w = L.tensor(W1)
    h = x @ w
    h.retain_grad()
    a = h.clamp(min=0)
    a.retain_grad()
    out = a.sum(dim=1).mean()
    out.backward(retain_graph=True)
    first = (arr(h.grad), arr(a.grad), arr(x.grad))
    out.backward()
    names = [type(t.grad_fn).__name__ for t in (h, a, out)]
    return {"first": first, "h_grad2": arr(h.grad), "x_grad2": arr(x.grad),
            "names": names, "flags": [h.is_leaf, h.requires_grad, h.retains_grad,
                                      x.is_leaf, x.retains_grad, w.requires_grad],
            "next": [type(n).__name__ for n, _ in out.grad_fn.next_functions if n is not None],
            "twice_no_retain": raised(lambda: (out.backward(), out.backward())),
            }


def prog_self_attention(L):
    """Causal self-attention by hand with max-subtracted softmax."""
    qkv = L.from_numpy(ATT.copy()).requires_grad_()
    q, k, v = qkv, qkv * 0.5, qkv.flip(-1)
    T, d = q.shape[-2], q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    mask = L.triu(L.ones(T, T, dtype=L.bool), diagonal=1)
    scores = L.where(mask, L.tensor(float("-inf")), scores)
    scores = scores - scores.max(dim=-1, keepdim=True).values
    weights = scores.exp()
    weights = weights / weights.sum(-1, keepdim=True)
    out = weights @ v
    merged = out.transpose(1, 2).reshape(out.shape[0], T, -1)
    loss = (merged * L.linspace(0, 1, merged.shape[-1])).sum()
    loss.backward()
    return {"weights": arr(weights), "merged": arr(merged), "shape": shape(merged),
            "grad": arr(qkv.grad), "row_sums": arr(weights.sum(-1)),
            "mask_dtype": dt(mask), "upper_zero": bool((weights * mask).eq(0).all())}


def prog_layer_norm(L):
    """Layer norm by hand: mean/var with correction=0, rsqrt, affine, backward."""
    x = L.tensor(X_CLS.reshape(4, 4, 4).astype(np.float64), requires_grad=True)
    gamma = L.ones(4, dtype=L.float64, requires_grad=True)
    beta = L.zeros(4, dtype=L.float64, requires_grad=True)
    mean = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, keepdim=True, correction=0)
    y = (x - mean) * L.rsqrt(var + 1e-5) * gamma + beta
    var2 = x.var(-1, unbiased=False, keepdim=True)
    std, mu = L.std_mean(x, dim=(-2, -1), keepdim=True)
    loss = (y * L.arange(4.0, dtype=L.float64)).sum()
    loss.backward()
    return {"y": arr(y), "same_var": L.allclose(var, var2), "std": arr(std), "mu": arr(mu),
            "gx": arr(x.grad), "ggamma": arr(gamma.grad), "gbeta": arr(beta.grad),
            "y_mean": arr(y.mean(-1)), "y_var": arr(y.var(-1, correction=0))}


def prog_rnn_variable_length(L):
    """An RNN cell looped over variable-length sequences with data-dependent control flow."""
    rng = np.random.default_rng(7)
    wx = L.tensor(rng.standard_normal((3, 5)) * 0.5, dtype=L.float32, requires_grad=True)
    wh = L.tensor(rng.standard_normal((5, 5)) * 0.5, dtype=L.float32, requires_grad=True)
    b = L.zeros(5, requires_grad=True)
    finals, steps = [], []
    for seq in SEQS:
        s = L.from_numpy(seq)
        h = L.zeros(5)
        n = 0
        for x_t in s:                       # iterate over rows
            h = L.tanh(x_t @ wx + h @ wh + b)
            n += 1
            if h.norm().item() > 1.5:       # data-dependent branch
                h = h * 0.5
            if h[0] > 0.9:
                break
        finals.append(h)
        steps.append(n)
    H = L.stack(finals)
    loss = H.pow(2).sum() / len(SEQS)
    loss.backward()
    return {"H": arr(H), "steps": steps, "loss": loss.item(), "gwx": arr(wx.grad),
            "gwh": arr(wh.grad), "gb": arr(b.grad), "lens": [len(L.from_numpy(s)) for s in SEQS]}


def prog_logsumexp_stability(L):
    """Naive log-sum-exp overflows; the max trick and logsumexp do not."""
    x = L.tensor([[1000.0, 1000.5, 999.0], [-1000.0, -1001.0, -999.5], [0.0, 1.0, 2.0]])
    naive = L.log(L.exp(x).sum(dim=1))
    m = x.max(dim=1, keepdim=True)[0]
    stable = (m + L.log(L.exp(x - m).sum(dim=1, keepdim=True))).squeeze(1)
    lse = L.logsumexp(x, dim=1)
    neg_inf = L.full((2, 3), float("-inf"))
    x64 = x.double().requires_grad_()
    L.logsumexp(x64, 1).sum().backward()
    return {"naive": arr(naive), "naive_inf": arr(L.isinf(naive)), "stable": arr(stable),
            "lse": arr(lse), "lse_neg_inf": arr(L.logsumexp(neg_inf, -1)),
            "softmax_grad": arr(x64.grad), "keep": shape(L.logsumexp(x, 1, keepdim=True)),
            "lse_int": raised(lambda: dt(L.logsumexp(L.arange(4), 0)))}


def prog_half_inference(L):
    """Inference in float16 / bfloat16, converting back to float32 at the end."""
    x = L.from_numpy(X_CLS)
    w1, w2 = L.from_numpy(W1), L.from_numpy(W2)
    out = {}
    for name, conv in (("half", lambda t: t.half()), ("bf16", lambda t: t.bfloat16()),
                       ("to16", lambda t: t.to(L.float16))):
        h = conv(x) @ conv(w1)
        h = h.tanh().clamp(min=0)
        logits = h @ conv(w2)
        probs = (logits - logits.logsumexp(-1, keepdim=True)).exp()
        out[name] = {"dtype": dt(logits), "probs_dtype": dt(probs),
                     "probs": arr(probs.float()), "sum": arr(probs.sum(-1).float()),
                     "mean": logits.mean().item(), "argmax": logits.argmax(1).tolist(),
                     "float_dtype": dt(logits.float()), "mixed": dt(logits + x[:, :3]),
                     "scalar": dt(logits * 2.5), "int": dt(logits + L.arange(3))}
    return out


def prog_integer_bookkeeping(L):
    """Accuracy, counting and histograms with integer and bool tensors."""
    logits = L.from_numpy(X_CLS[:, :3])
    labels = L.from_numpy(Y_CLS)
    pred = logits.argmax(1)
    correct = (pred == labels).sum()
    n = labels.shape[0]
    classes = L.arange(3)
    hist = (labels.unsqueeze(1) == classes).sum(0)
    conf = ((labels.unsqueeze(1) == classes) .unsqueeze(2)
            & (pred.unsqueeze(1) == classes).unsqueeze(1)).sum(0)
    idx = L.arange(n)
    return {"pred": pred.tolist(), "pred_dtype": dt(pred), "correct": int(correct),
            "acc": (correct / n).item(), "acc_dtype": dt(correct / n),
            "acc2": correct.item() / n, "hist": hist.tolist(), "hist_dtype": dt(hist),
            "conf": conf.tolist(), "frac": arr(idx.float() / n),
            "half_int": dt(labels * 0.5), "floordiv": (labels // 2).tolist(),
            "floordiv_dtype": dt(labels // 2), "true_div": dt(labels / 2),
            "mean_float": labels.float().mean().item(),
            "mean_int": raised(lambda: labels.mean()),
            "bool_sum_dtype": dt((labels > 0).sum()),
            "count_nonzero": L.count_nonzero(labels).item(),
            "any_all": [bool((labels == 2).any()), bool((labels >= 0).all())],
            "max_label": labels.max().item(), "max_dtype": dt(labels.max()),
            "bincount_via_cumsum": (hist.cumsum(0)).tolist(),
            "mask_select": logits[labels == 1].shape[0],
            "where_int": dt(L.where(labels > 0, labels, 0)),
            "where_mixed": dt(L.where(labels > 0, labels, 0.5)),
            "sub_bool": raised(lambda: (labels > 0) - (labels > 1))}


def prog_no_grad_eval(L):
    """no_grad as decorator and context manager, set_grad_enabled, enable_grad inside."""
    w = L.tensor(W1, requires_grad=True)

    @L.no_grad()
    def evaluate(x):
        return (x @ w).tanh().sum(1)

    @L.no_grad
    def evaluate_bare(x):
        return L.is_grad_enabled(), (x @ w).sum()

    x = L.from_numpy(X_CLS)
    r = evaluate(x)
    enabled, s = evaluate_bare(x)
    with L.no_grad():
        inner = (x @ w)
        with L.enable_grad():
            re = (x @ w).sum()
    with L.set_grad_enabled(False):
        off = L.is_grad_enabled()
        t = x @ w
    L.set_grad_enabled(True)
    with L.inference_mode():
        inf = (x @ w).sum()
    return {"r": arr(r), "r_rg": r.requires_grad, "bare": [enabled, s.requires_grad],
            "inner": inner.requires_grad, "re": re.requires_grad, "off": off,
            "t": t.requires_grad, "after": L.is_grad_enabled(), "inf": inf.requires_grad,
            "inf_val": inf.item(), "r_fn": r.grad_fn is None}


def prog_inplace_on_views(L):
    """In-place edits of a parameter through views under no_grad, then training on it."""
    W = L.tensor(W1.copy(), requires_grad=True)
    with L.no_grad():
        W[:, 0].zero_()
        W[0] = 1.0
        W[1, 2:4] = L.tensor([5.0, 6.0])
        W.mul_(0.5)
        row = W[2]
        row.fill_(-1.0)
        W[W > 2] = 2.0
        W.clamp_(-0.75, 0.75)
    snapshot = arr(W)
    x = L.from_numpy(X_CLS[:4])
    loss = (x @ W).pow(2).sum()
    loss.backward()
    view_err = raised(lambda: W[0].zero_())
    leaf_err = raised(lambda: W.add_(1))
    V = W.detach()
    V[3, 3] = 9.0     # shares storage with W
    C = W.detach().clone()
    C[3, 3] = -9.0    # does not
    return {"snapshot": snapshot, "grad": arr(W.grad), "view_err": view_err,
            "leaf_err": leaf_err, "w33": W[3, 3].item(), "C33": C[3, 3].item(),
            "rg": W.requires_grad, "leaf": W.is_leaf}


def prog_pairwise_distances(L):
    """Broadcasting-heavy pairwise distances and nearest neighbours."""
    X = L.tensor(X_CLS[:6].astype(np.float64), requires_grad=True)
    Y = L.tensor(X_CLS[6:10].astype(np.float64) + 0.1)
    diff = X.unsqueeze(1) - Y.unsqueeze(0)
    d1 = diff.pow(2).sum(-1).sqrt()
    Xe = X[:, None, :].expand(-1, Y.shape[0], -1)
    Ye = Y[None].expand(X.shape[0], *Y.shape)
    d2 = ((Xe - Ye) ** 2).sum(dim=2).sqrt()
    sq = (X ** 2).sum(1, keepdim=True) + (Y ** 2).sum(1) - 2 * X @ Y.T
    d3 = sq.clamp_min(0).sqrt()
    nearest = d1.min(dim=1)
    vals, idx = nearest
    d1.sum().backward()
    return {"d1": arr(d1), "d2": arr(d2), "d3": arr(d3), "nn": idx.tolist(),
            "nn_val": arr(vals), "named": arr(nearest.values), "argmin": d1.argmin(1).tolist(),
            "gX": arr(X.grad), "expand_shape": shape(Xe), "Xe_contig": Xe.is_contiguous(),
            "cdist_sq_dtype": dt(sq)}


def prog_reductions(L):
    """Reductions with keepdim, negative dims, tuples of dims, named results."""
    x = L.from_numpy(X_CLS.reshape(2, 4, 2, 4))
    r = {}
    r["sum_neg"] = arr(x.sum(-1))
    r["sum_tuple"] = arr(x.sum((0, -1), keepdim=True))
    r["mean_kd"] = shape(x.mean(dim=-2, keepdim=True))
    r["normalized"] = arr(x / x.abs().sum(dim=-1, keepdim=True))
    mx = x.max(dim=1)
    r["max"] = (arr(mx.values), mx.indices.tolist(), type(mx).__name__)
    r["amax"] = arr(x.amax(dim=(1, 3)))
    r["min_all"] = x.min().item()
    r["std"] = arr(x.std(dim=-1))
    r["var_unb"] = arr(x.var(1, unbiased=True))
    r["prod"] = arr(x[0, :2].prod(-1))
    r["median"] = (arr(x.median(dim=-1).values), x.median(dim=-1).indices.tolist())
    r["median_all"] = x.median().item()
    r["norm"] = (x.norm().item(), arr(x.norm(dim=-1)), arr(x.norm(p=1, dim=(0, 1))))
    r["all"] = (x > -5).all(dim=-1).tolist()
    r["any"] = (x > 2).any().item()
    r["sum_int_dtype"] = dt(L.ones(3, dtype=L.int32).sum())
    r["sum_dtype_kw"] = dt(L.ones(3, dtype=L.int32).sum(dtype=L.float32))
    r["mean_dtype_kw"] = dt(L.arange(3).mean(dtype=L.float64))
    r["amin_empty"] = raised(lambda: L.zeros(0).amax())
    r["sum_empty"] = L.zeros(0, 3).sum(0).tolist()
    r["argmax_keep"] = x.argmax(dim=-1, keepdim=True).shape
    r["argmax_flat"] = x.argmax().item()
    r["aminmax"] = tuple(arr(t) for t in L.aminmax(x, dim=0))
    r["var_mean"] = tuple(arr(t) for t in L.var_mean(x, dim=-1, correction=0))
    return r


def prog_cumulative(L):
    """Cumsum-based ops: moving averages, reverse cumsum, discounted returns."""
    rewards = L.tensor([1.0, 0.0, 0.5, 2.0, -1.0, 0.25], requires_grad=True)
    c = rewards.cumsum(0)
    window = 3
    padded = L.cat([L.zeros(1), c])
    moving = (padded[window:] - padded[:-window]) / window
    rev = rewards.flip(0).cumsum(0).flip(0)
    gamma = 0.9
    returns, running = [], L.tensor(0.0)
    for r in reversed(rewards.unbind(0)):
        running = r + gamma * running
        returns.insert(0, running)
    returns = L.stack(returns)
    disc = gamma ** L.arange(6.0)
    loss = moving.sum() + rev.pow(2).sum() + (returns * disc).sum()
    loss.backward()
    x = L.from_numpy(X_CLS[:3])
    return {"c": arr(c), "moving": arr(moving), "rev": arr(rev), "returns": arr(returns),
            "grad": arr(rewards.grad), "cumprod": arr(x.cumprod(1)),
            "cummax": (arr(x.cummax(0).values), x.cummax(0).indices.tolist()),
            "lcse": arr(L.logcumsumexp(x, dim=-1)),
            "int_cumsum": dt(L.arange(4, dtype=L.int32).cumsum(0)),
            "bool_cumsum": L.tensor([True, False, True]).cumsum(0).tolist(),
            "cumsum_dtype": dt(L.arange(4).cumsum(0, dtype=L.float32))}


def prog_stack_cat_size(L):
    """Lists of tensors through stack/cat/split, and torch.Size arithmetic."""
    rows = [L.tensor(r) for r in X_CLS[:5]]
    s = L.stack(rows)
    c = L.cat(rows)
    c2 = L.cat([s, s[:2]], dim=0)
    halves = s.split(2)
    chunks = L.chunk(s, 3, dim=1)
    parts = s.unbind(1)
    sz = s.shape
    flat = s.view(sz[0] * sz[1])
    r = {"stack": shape(s), "cat": shape(c), "c2": shape(c2),
         "halves": [shape(h) for h in halves], "chunks": [shape(h) for h in chunks],
         "parts": len(parts), "back": bool((L.stack(parts, 1) == s).all()),
         "size_repr": repr(sz), "size_add": repr(sz + (1,)), "size_slice": repr(sz[1:]),
         "size_eq": sz == (5, 4), "size_numel": sz.numel(), "len": len(sz),
         "size_type": type(sz[1:]).__name__, "size_int": type(sz[0]).__name__,
         "flat": shape(flat), "view_args": shape(s.view(*sz[:-1], 2, -1)),
         "reshape": shape(s.reshape(sz[0], -1, 1)), "new_shape": shape(L.zeros(sz)),
         "zeros_like_size": shape(L.zeros(*sz)), "radd": repr((2,) + sz),
         "vstack": shape(L.vstack(rows)), "hstack": shape(L.hstack(rows)),
         "cat_empty": shape(L.cat([L.zeros(0), c])),
         "cat_promote": dt(L.cat([L.ones(2, dtype=L.int64), L.ones(2)])),
         "stack_err": raised(lambda: L.stack([s, s[:2]])),
         "t_view": shape(s.t()), "T": shape(s.T), "mT": shape(s.mT),
         "size_call": s.size(-1), "unflatten": shape(flat.unflatten(0, (sz[0], -1)))}
    return r


def prog_printing(L):
    """What users print mid-computation."""
    x = L.from_numpy(X_CLS[:2, :3])
    w = L.tensor([0.5, -1.5], requires_grad=True)
    y = w * 2
    loss = y.sum()
    big = L.tensor([1e-5, 1.0, 12345.0])
    with L.no_grad():
        ng = w * 2
    return {"x": str(x), "w": str(w), "y": repr(y), "loss": str(loss),
            "item": f"{loss.item():.4f}", "fmt": f"{loss:.3f}", "fmt0": f"{L.tensor(2.5)}",
            "ints": str(L.arange(5)), "bools": str(L.tensor([True, False])),
            "big": str(big), "half": str(x.half()), "i32": str(L.arange(3, dtype=L.int32)),
            "f64": str(x.double()), "empty": str(L.zeros(0, 3)), "scalar": str(L.tensor(3)),
            "ng": str(ng), "shape": str(x.shape), "dtype": str(x.dtype),
            "device": str(x.device), "nan": str(L.tensor([float("nan"), float("inf"), 1.0])),
            "neg0": str(L.tensor([-0.0, 1.0])), "list": str([L.tensor(1.0), L.tensor(2)]),
            "bf16": str(L.tensor([1.0, 2.5]).bfloat16())}


def prog_grad_accumulation(L):
    """Grad accumulation over two backwards, requires_grad_ toggling, detach/clone."""
    w = L.tensor([1.0, -2.0, 3.0], requires_grad=True)
    x = L.tensor([0.5, 0.25, -1.0])
    (w * x).sum().backward()
    g1 = arr(w.grad)
    (w * x * 2).sum().backward()
    g2 = arr(w.grad)
    w.requires_grad_(False)
    frozen = (w * x).sum()
    frozen_rg = frozen.requires_grad
    w.requires_grad_()
    out = (w ** 2).sum()
    out.backward()
    g3 = arr(w.grad)
    d = w.detach()
    c = w.clone()
    c2 = c * 1
    c2.sum().backward()
    g4 = arr(w.grad)
    ga = L.autograd.grad((w * w).sum(), w)[0]      # does not touch .grad
    a, b = L.tensor(2.0, requires_grad=True), L.tensor(3.0, requires_grad=True)
    unused = L.autograd.grad(a * 2, [a, b], allow_unused=True)
    return {"g1": g1, "g2": g2, "frozen": frozen_rg, "g3": g3, "g4": g4,
            "d_rg": d.requires_grad, "d_leaf": d.is_leaf, "c_rg": c.requires_grad,
            "c_leaf": c.is_leaf, "c_fn": type(c.grad_fn).__name__, "ga": arr(ga),
            "unused": [None if u is None else u.item() for u in unused],
            "unused_err": raised(lambda: L.autograd.grad(a * 2, [a, b])),
            "nonleaf_rg_false": raised(lambda: c.requires_grad_(False)),
            "int_rg": raised(lambda: L.arange(3).requires_grad_())}


def prog_target_network(L):
    """A DQN-style target copy: detach().clone(), soft (Polyak) updates, no grad leaking."""
    online = [L.tensor(W1, requires_grad=True), L.tensor(B1, requires_grad=True)]
    target = [p.detach().clone() for p in online]
    x = L.from_numpy(X_CLS)
    tau = 0.1
    losses = []
    for step in range(3):
        q = (x @ online[0] + online[1]).tanh().sum(1)
        with L.no_grad():
            q_next = (x @ target[0] + target[1]).tanh().sum(1)
            y = 0.5 + 0.9 * q_next
        loss = ((q - y) ** 2).mean()
        losses.append(loss.item())
        for p in online:
            p.grad = None
        loss.backward()
        with L.no_grad():
            for p in online:
                p.add_(p.grad, alpha=-0.1)
            for t, p in zip(target, online):
                t.mul_(1 - tau).add_(p, alpha=tau)
    return {"losses": losses, "t0": arr(target[0]), "t1": arr(target[1]),
            "t_rg": [t.requires_grad for t in target], "t_grad": [t.grad is None for t in target],
            "y_rg": y.requires_grad, "o0": arr(online[0]),
            "lerp": arr(L.lerp(target[1], online[1], 0.5))}


def prog_python_interop(L):
    """item/tolist/float/int and Python numbers mixed with tensors."""
    t = L.tensor([0.5, 1.5, -2.0, 3.25])
    i = L.tensor([3, 1, 2])
    r = {}
    r["exp"] = math.exp(t[0].item())
    r["float"] = float(t[1])
    r["int"] = int(t[3])
    r["int_neg"] = int(t[2])
    r["bool"] = bool(t[0] > 0)
    r["index"] = ["a", "b", "c", "d"][i[0]]
    r["range"] = list(range(i[1], i.max()))
    r["rows"] = [row.tolist() for row in L.from_numpy(X_CLS[:2, :2])]
    r["n_over_2"] = t.shape[0] // 2
    r["sum_py"] = float(sum(t))
    r["sum_py_type"] = type(sum(t)).__name__
    r["max_py"] = float(max(t))
    r["sorted"] = sorted(t.tolist())
    r["tolist0"] = L.tensor(3).tolist()
    r["tolist_type"] = type(L.tensor(3.5).tolist()).__name__
    r["item_type"] = [type(L.tensor(x).item()).__name__ for x in (1, 1.0, True)]
    r["round"] = round(float(t.sum()), 3)
    r["radd"] = arr(1 + t)
    r["rpow"] = arr(2 ** t)
    r["rtruediv"] = arr(1 / t)
    r["rsub"] = arr(1 - i)
    r["rfloordiv"] = arr(7 // i)
    r["rmod"] = arr(7 % i)
    r["np_add"] = type(np.float32(2.0) * t).__name__
    r["np_arr_radd"] = raised(lambda: type(np.ones(4, np.float32) + t).__name__)
    r["np_asarray"] = np.asarray(t).dtype.name
    r["np_from"] = dt(L.from_numpy(np.arange(3)))
    r["np_shares"] = None
    base = np.zeros(3, np.float32)
    shared = L.from_numpy(base)
    shared += 1
    r["np_shares"] = base.tolist()
    r["tensor_of_np_scalar"] = dt(L.tensor(np.float64(1.0)))
    r["tensor_of_list_mixed"] = dt(L.tensor([1, 2.0]))
    r["tensor_of_tensors"] = arr(L.tensor([t[0].item(), t[1].item()]))
    r["stack_scalars"] = arr(L.stack([t[0], t[1]]))
    r["contains"] = 1.5 in t
    r["eq_py"] = (t == 1.5).tolist()
    r["len"] = len(t)
    r["idx_tensor"] = t[i].tolist()
    r["idx_0d"] = t[L.tensor(1)].item()
    r["neg_idx"] = t[-1].item()
    r["step_slice"] = t[::2].tolist()
    r["int_of_2elem"] = raised(lambda: int(t[:2]))
    r["bool_of_2elem"] = raised(lambda: bool(t[:2] > 0))
    r["item_of_2elem"] = raised(lambda: t[:2].item())
    return r


def prog_dtype_promotion(L):
    """Mixed int/float/bool arithmetic the way scripts do it."""
    ints = L.tensor([1, 2, 3])
    i32 = ints.int()
    u8 = L.tensor([200, 100], dtype=L.uint8)
    i8 = L.tensor([-1, 1], dtype=L.int8)
    f16 = L.tensor([1.0, 2.0], dtype=L.float16)
    r = {
        "int_scalar_float": dt(ints * 0.5),
        "int_div_int": dt(ints / ints),
        "int_plus_bool": dt(ints + True),
        "bool_plus_bool": dt(L.tensor([True]) + L.tensor([True])),
        "i32_plus_int": dt(i32 + 5),
        "i32_plus_i64": dt(i32 + ints),
        "i32_plus_0d_i64": dt(i32 + L.tensor(5)),
        "i32_plus_0d_float": dt(i32 + L.tensor(2.5)),
        "i32_plus_0d_f64": dt(i32 + L.tensor(2.5, dtype=L.float64)),
        "u8_plus_i8": dt(u8 + i8),
        "u8_wrap": (u8 + u8).tolist(),
        "u8_plus_int": dt(u8 + 1000),
        "f16_plus_f32": dt(f16 + L.ones(2)),
        "f16_plus_0d_f64": dt(f16 + L.tensor(1.0, dtype=L.float64)),
        "f16_plus_float": dt(f16 * 3.7),
        "f16_plus_int_t": dt(f16 + ints[:2]),
        "long_float": dt(ints.float() / 3),
        "arange_int": dt(L.arange(5)),
        "arange_float": (dt(L.arange(0, 1, 0.25)), L.arange(0, 1, 0.25).tolist()),
        "arange_len": len(L.arange(0, 1, 0.1)),
        "linspace": dt(L.linspace(0, 1, 5)),
        "full_int": dt(L.full((2,), 3)),
        "full_bool": dt(L.full((2,), True)),
        "full_float": dt(L.full((2,), 3.0)),
        "ones_like": dt(L.ones_like(ints)),
        "zeros_like_f": dt(L.zeros_like(ints, dtype=L.float32)),
        "tensor_float": dt(L.tensor(3.0)),
        "tensor_int": dt(L.tensor(3)),
        "tensor_bool": dt(L.tensor([True])),
        "sqrt_int": dt(L.sqrt(ints)),
        "exp_int": dt(ints.exp()),
        "sigmoid_int": dt(L.sigmoid(ints)),
        "pow_int_neg": raised(lambda: (ints ** -1).tolist()),
        "pow_int_float": dt(ints ** 2.0),
        "floordiv_float": dt(ints // 2.0),
        "mod": (ints % 2).tolist(),
        "neg_floordiv": (L.tensor([-7, 7]) // 2).tolist(),
        "neg_mod": (L.tensor([-7, 7]) % 3).tolist(),
        "fdiv_float_neg": (L.tensor([-7.0, 7.0]) // 2).tolist(),
        "int_div_zero": (ints / 0).tolist(),
        "int_floordiv_zero": raised(lambda: (ints // 0).tolist()),
        "inplace_int_float": raised(lambda: ints.clone().mul_(0.5)),
        "inplace_float_int": dt(L.ones(3).add_(ints)),
        "result_type": str(L.result_type(ints, 1.0)),
        "promote": str(L.promote_types(L.int32, L.float16)),
        "can_cast": L.can_cast(L.float32, L.int32),
        "sum_bool": dt(L.tensor([True, False]).sum()),
        "prod_int32": dt(i32.prod()),
        "mean_f16": dt(f16.mean()),
        "cumsum_u8": dt(u8.cumsum(0)),
        "where_scalar": dt(L.where(ints > 1, 1.0, 0.0)),
        "clamp_int_float": dt(ints.clamp(min=0.5)),
        "maximum_mixed": dt(L.maximum(ints, L.ones(3))),
        "eq_mixed": (ints == L.tensor([1.0, 2.5, 3.0])).tolist(),
    }
    old = L.get_default_dtype()
    try:
        L.set_default_dtype(L.float64)
        r["default64"] = [dt(L.tensor([1.0])), dt(ints * 0.5), dt(L.zeros(2)),
                          dt(L.arange(0.0, 2.0)), dt(L.ones(2, dtype=L.float32) * 2.0)]
    finally:
        L.set_default_dtype(old)
    return r


def prog_matmul_shapes(L):
    """Batched and broadcast matmul shapes a script meets, with gradients."""
    a = L.tensor(ATT[0, 0].astype(np.float64), requires_grad=True)   # (5, 4)
    v = L.tensor(ATT[0, 1, 0].astype(np.float64), requires_grad=True)  # (4,)
    batch = L.tensor(ATT.reshape(4, 5, 4).astype(np.float64), requires_grad=True)
    r = {"mv": shape(a @ v), "vm": shape(v @ a.T), "dot": (v @ v).item(),
         "bmm": shape(L.bmm(batch, batch.transpose(1, 2))),
         "bcast": shape(batch @ a.T), "bcast2": shape(a.T @ batch),
         "vec_batch": shape(batch @ v), "batch_vec": shape(v.unsqueeze(0) @ batch.mT),
         "mm_err": raised(lambda: a @ a), "dot_err": raised(lambda: L.dot(v, v[:2])),
         "int_mm": dt(L.arange(6).reshape(2, 3) @ L.arange(6).reshape(3, 2)),
         "mixed_mm": raised(lambda: L.ones(2, 2) @ L.ones(2, 2, dtype=L.float64))}
    loss = (batch @ a.T).sum() + (a @ v).pow(2).sum() + L.mv(a, v).sum() + L.dot(v, v)
    loss.backward()
    r.update(ga=arr(a.grad), gv=arr(v.grad), gb=arr(batch.grad))
    return r


def prog_softmax_regression_inplace(L):
    """Softmax regression with one-hot targets, in-place updates and zero_ of grads."""
    x = L.from_numpy(X_CLS)
    y = L.from_numpy(Y_CLS)
    onehot = (y.unsqueeze(1) == L.arange(3)).float()
    W = L.zeros(4, 3, requires_grad=True)
    b = L.zeros(3, requires_grad=True)
    hist = []
    for epoch in range(5):
        for batch in range(2):
            sl = slice(batch * 8, (batch + 1) * 8)
            logits = x[sl] @ W + b
            logp = logits - logits.logsumexp(1, keepdim=True)
            loss = -(onehot[sl] * logp).sum(1).mean()
            loss.backward()
            with L.no_grad():
                W.add_(W.grad, alpha=-0.5)
                b.add_(-0.5 * b.grad)
                W.grad.zero_()
                b.grad.zero_()
            hist.append(round(loss.item(), 5))
    return {"hist": hist, "W": arr(W), "b": arr(b), "W_grad_zero": arr(W.grad),
            "onehot_dtype": dt(onehot)}


def prog_old_style_sgd(L):
    """Pre-optimizer idioms: ``p.data -= lr * p.grad.data``, grad.data.zero_(), gradient
    accumulation over micro-batches, an EMA copy updated with lerp_."""
    x, y = L.from_numpy(X_CLS), L.from_numpy(Y_CLS).float()
    w = L.tensor(W1[:, 0].copy(), requires_grad=True)
    b = L.zeros(1, requires_grad=True)
    ema = [w.detach().clone(), b.detach().clone()]
    lr, accum = 0.2, 2
    losses = []
    for step in range(4):
        for micro in range(accum):
            xb, yb = x[micro::accum], y[micro::accum]
            loss = ((xb @ w + b - yb) ** 2).mean() / accum
            loss.backward()
            losses.append(loss.item())
        if step % 2 == 0:
            w.data -= lr * w.grad.data          # assigns w.data back to itself
            b.data.add_(b.grad, alpha=-lr)
            w.grad.data.zero_()
            b.grad.detach_()
            b.grad.zero_()
        else:
            with L.no_grad():
                w.copy_(w - lr * w.grad)
                b.sub_(lr * b.grad)
            w.grad = None
            b.grad = None
        with L.no_grad():
            for e, p in zip(ema, (w, b)):
                e.lerp_(p, 0.5)
    return {"losses": losses, "w": arr(w), "b": arr(b), "ema_w": arr(ema[0]),
            "ema_b": arr(ema[1]), "w_leaf": w.is_leaf, "w_rg": w.requires_grad,
            "data_rg": w.data.requires_grad, "storage_offset": w.storage_offset(),
            "b_grad": b.grad is None, "w_grad": w.grad is None}


def prog_tensor_from_python_data(L):
    """torch.tensor() of what scripts collect: floats, 0-dim tensors, NumPy scalars."""
    losses = [L.tensor(0.5), L.tensor(0.25), L.tensor(0.125)]
    np_scalars = [np.float32(1.5), np.float32(2.5)]
    r = {
        "floats": arr(L.tensor([l.item() for l in losses])),
        "tensors_0d": arr(L.tensor(losses)),
        "tensors_1elem": shape(L.tensor([L.ones(1), L.ones(1, 1) * 2])),
        "tensor_rows": raised(lambda: L.tensor([L.ones(2), L.ones(2)])),
        "int32_tensors": dt(L.tensor([L.tensor(1, dtype=L.int32), L.tensor(2, dtype=L.int32)])),
        "f64_tensor": dt(L.tensor([L.tensor(1.5, dtype=L.float64), 2])),
        "np_f32": dt(L.tensor(np_scalars)),
        "np_f16": dt(L.tensor([np.float16(1.0)])),
        "np_f32_and_float": dt(L.tensor([np.float32(1.0), 2.5])),
        "np_f16_and_int": dt(L.tensor([np.float16(1.0), 2])),
        "np_int8_uint8": dt(L.tensor([np.int8(1), np.uint8(2)])),
        "np_bool_int8": dt(L.tensor([True, np.int8(3)])),
        "np_f64_scalar": dt(L.tensor(np.float64(2.0))),
        "np_rows": dt(L.tensor(np.stack([np.ones(2), np.zeros(2)]))),
        "range": L.tensor(range(4)).tolist(),
        "tuple_rows": L.tensor([(1, 2), (3, 4)]).tolist(),
        "bools": dt(L.tensor([[True], [False]])),
        "mixed": dt(L.tensor([1, 2.5, True])),
        "empty": (shape(L.tensor([])), dt(L.tensor([]))),
        "nested_empty": shape(L.tensor([[], []])),
        "uint8_ok": L.tensor([255, -1], dtype=L.uint8).tolist(),
        "uint8_overflow": raised(lambda: L.tensor([256], dtype=L.uint8)),
        "int8_float_overflow": raised(lambda: L.tensor([127.5], dtype=L.int8)),
        "int32_overflow": raised(lambda: L.tensor(2 ** 31, dtype=L.int32)),
        "nan_to_int": raised(lambda: L.tensor([float("nan")], dtype=L.int64)),
        "float_trunc": L.tensor([1.7, -1.7], dtype=L.int64).tolist(),
        "big_int": raised(lambda: L.tensor([2 ** 63])),
        "huge_int": raised(lambda: L.tensor([[1], [2 ** 64]])),
        "big_int_float": L.tensor([2 ** 63], dtype=L.float64).tolist(),
        "big_int_mixed": dt(L.tensor([2 ** 63, 0.5])),
        "array_wraps": L.tensor(np.array([300]), dtype=L.uint8).tolist(),
        "none": raised(lambda: L.tensor([1.0, None])),
        "str": raised(lambda: L.tensor([1.0, "a"])),
        "ragged": raised(lambda: L.tensor([[1.0, 2.0], [3.0]])),
        "as_tensor": dt(L.as_tensor([1, 2])),
    }
    old = L.get_default_dtype()
    try:
        L.set_default_dtype(L.float64)
        r["default64"] = [dt(L.tensor([np.float32(1.0), 2.5])), dt(L.tensor([1.5])),
                          dt(L.tensor([np.float16(1.0), 2])), dt(L.tensor(losses))]
    finally:
        L.set_default_dtype(old)
    return r


def prog_size_arithmetic(L):
    """torch.Size as scripts use it: repeat, concatenate, build from tensors."""
    x = L.zeros(2, 3)
    s = x.shape
    return {"mul": repr(s * 2), "rmul": repr(2 * s), "mul_type": type(s * 2).__name__,
            "add": repr(s + (4,)), "radd": repr((1,) + s), "add_size": repr(s + s[1:]),
            "add_list": raised(lambda: s + [4]), "radd_list": raised(lambda: [4] + s),
            "from_tensors": repr(L.Size([L.tensor(2), 3])), "from_bool": repr(L.Size([True])),
            "from_float": raised(lambda: L.Size([2.0])), "from_gen": repr(L.Size(d for d in s)),
            "view": shape(x.view(s[::-1])), "ones": shape(L.ones(s * 2)),
            "expand": shape(x[None].expand(4, *s)), "reshape": shape(x.reshape(s[0] * s[1])),
            "numel": (s * 2).numel(), "eq": s * 1 == (2, 3), "hash": hash(s) == hash((2, 3))}


def prog_out_arguments(L):
    """out= tensors: dtype rules per op and the resize warning."""
    import warnings
    x = L.from_numpy(X_CLS[:3, :3].copy())
    ints = L.empty(3, dtype=L.int64)
    r = {"sum_into_int": arr(L.sum(x * 10, 1, out=ints)), "sum_is_out": ints.tolist(),
         "cumsum_into_int": arr(L.cumsum(x[0] * 10, 0, out=L.empty(3, dtype=L.int64))),
         "prod_into_f64": dt(L.prod(x, 1, out=L.empty(3, dtype=L.float64))),
         "lse_into_f64": arr(L.logsumexp(x, 1, out=L.empty(3, dtype=L.float64))),
         "lse_into_int": raised(lambda: L.logsumexp(x, 1, out=L.empty(3, dtype=L.int64))),
         "mean_into_int": raised(lambda: L.mean(x, 1, out=L.empty(3, dtype=L.int64))),
         "amax_into_f64": raised(lambda: L.amax(x, 1, out=L.empty(3, dtype=L.float64))),
         "argmax_into_f": raised(lambda: L.argmax(x, 1, out=L.empty(3))),
         "norm_into_f64": raised(lambda: L.norm(x, dim=1, out=L.empty(3, dtype=L.float64))),
         "mm_into_f64": raised(lambda: L.mm(x, x, out=L.empty(3, 3, dtype=L.float64))),
         "mm_out": arr(L.mm(x, x, out=L.empty(3, 3))),
         "max_out": [arr(t) for t in L.max(x, 1, out=(L.empty(3), L.empty(3, dtype=L.int64)))],
         "bool_mm": raised(lambda: (x > 0).float().bool() @ (x > 0))}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        big = L.empty(7)
        L.sum(x, 0, out=big)
        L.sum(x, 0, out=L.empty(0))
    r["resized"] = (shape(big), [c.category.__name__ for c in caught])
    return r


def prog_complex_statistics(L):
    """Reductions of complex data (e.g. FFT-like features) return real norms/variances."""
    z = L.tensor(X_CLS[:4, :2].astype(np.float32)) * (1 + 0.5j) + 1j
    return {"dtype": dt(z), "norm": (dt(z.norm()), arr(z.norm(dim=1))),
            "var": (dt(z.var()), arr(z.var(dim=0))), "std": arr(z.std(dim=1, correction=0)),
            "var_mean": [arr(t) for t in L.var_mean(z, 0)], "mean": arr(z.mean(0)),
            "sum": arr(z.sum()), "abs": arr(z.abs())}


def prog_grad_fn_names(L):
    """What printing intermediate results of matrix products shows."""
    import re

    def clean(text):
        return re.sub("0x[0-9a-f]+", "ADDR", text)

    w = L.tensor(W1, requires_grad=True)
    x = L.from_numpy(X_CLS[:2])
    q = L.from_numpy(ATT).requires_grad_()

    class Twice(L.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    outs = {"mm": x @ w, "mv": w.T @ x[0], "dot": x[0] @ w[:, 0], "vm": x[0] @ w,
            "batched": q @ q.transpose(-2, -1), "batch_mat": q @ w[:, :4],
            "bmm": L.bmm(q[0], q[1].mT), "explicit_mv": L.mv(w.T, x[0]),
            "explicit_dot": L.dot(x[0], x[1].requires_grad_()), "custom": Twice.apply(w)}
    r = {k: type(v.grad_fn).__name__ for k, v in outs.items()}
    r["str_mm"] = str(outs["mm"])
    r["repr_node"] = clean(repr(outs["mm"].grad_fn))
    r["repr_next"] = clean(str(outs["mm"].grad_fn.next_functions))
    r["repr_custom"] = clean(repr(outs["custom"].grad_fn))
    r["str_custom"] = str(outs["custom"][0, :2])
    sum(v.sum() for v in outs.values()).backward()
    r["w_grad"] = arr(w.grad)
    r["q_grad"] = arr(q.grad)
    return r


def prog_hook_contracts(L):
    """Tensor hooks that return the wrong thing fail the way torch fails."""
    def run(hook, leaf):
        x = L.ones(3, requires_grad=True)
        target = x if leaf else x * 2
        target.register_hook(hook)
        return raised(lambda: ((target * 3).sum().backward(), x.grad.tolist())[1])

    return {name: [run(h, True), run(h, False)] for name, h in {
        "none": lambda g: None, "scale": lambda g: g * 10, "string": lambda g: "oops",
        "shape": lambda g: g[:1], "dtype": lambda g: g.double()}.items()}


def prog_numpy_array_operands(L):
    """Python operators between a tensor and a NumPy array.

    NOTE: torch's operator returns NotImplemented and NumPy computes ``a.__radd__(t)`` on
    ``t.__array__()``, wrapping the result: NumPy's promotion decides the dtype (float32
    tensor - int64 array is float64) and a tensor requiring grad raises RuntimeError.
    """
    t = L.tensor([1.0, 2.0])
    a64, a32 = np.array([0.5, 0.25]), np.array([2.0, 4.0], dtype=np.float32)
    return {"add": raised(lambda: (dt(t + a64), arr(t + a64))),
            "int32": raised(lambda: dt(t * np.array([1, 2], dtype=np.int32))),
            "half": raised(lambda: dt(t.half() + a32)),
            "int_tensor": raised(lambda: dt(L.tensor([1, 2]) + a32)),
            "requires_grad": raised(lambda: dt(L.ones(2, requires_grad=True) + a64)),
            "mul": raised(lambda: (dt(t * a32), arr(t * a32))),
            "sub_int": raised(lambda: dt(t - np.array([1, 2]))),
            "div": raised(lambda: arr(t / a64)),
            "eq": raised(lambda: (L.tensor([0.5, 1.0]) == a64).tolist()),
            "matmul": raised(lambda: dt(t @ a64)),
            "gt": raised(lambda: (t > a64).tolist()),
            "fn_add": raised(lambda: L.add(t, a64)),
            "inplace": raised(lambda: t.clone().add_(a64))}


def prog_where_condition_only(L):
    """torch.where(cond) is nonzero(cond, as_tuple=True)."""
    m = L.from_numpy(X_CLS[:3, :3] > 0)
    rows, cols = L.where(m)
    return {"rows": rows.tolist(), "cols": cols.tolist(), "dtype": dt(rows),
            "one_d": [t.tolist() for t in L.where(m[0])]}


def prog_views_made_in_no_grad(L):
    """Views taken under no_grad keep requires_grad of their base (and guard in-place)."""
    x = L.ones(4, requires_grad=True)
    with L.no_grad():
        v = x[:2]
        t = x.view(2, 2)
    return {"rg": [v.requires_grad, t.requires_grad], "leaf": [v.is_leaf, t.is_leaf],
            "mul_rg": (v * 2).requires_grad, "inplace": raised(lambda: v.add_(1))}


WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "ella"]


def prog_bigram_language_model(L):
    """The makemore bigram model: count table, then the same model trained as a one-layer
    net on one-hot inputs (``keepdims=``, ``W.data += -lr * W.grad``)."""
    chars = sorted(set("".join(WORDS)))
    stoi = {c: i + 1 for i, c in enumerate(chars)}
    stoi["."] = 0
    V = len(stoi)
    N = L.zeros((V, V), dtype=L.int32)
    xs, ys = [], []
    for w in WORDS:
        seq = ["."] + list(w) + ["."]
        for a, b in zip(seq, seq[1:]):
            N[stoi[a], stoi[b]] += 1
            xs.append(stoi[a])
            ys.append(stoi[b])
    P = (N + 1).float()
    P /= P.sum(1, keepdims=True)
    xs, ys = L.tensor(xs), L.tensor(ys)
    nll = -P[xs, ys].log().mean()
    W = L.tensor(np.linspace(-1, 1, V * V).reshape(V, V).astype(np.float32),
                 requires_grad=True)
    xenc = (xs.unsqueeze(1) == L.arange(V)).float()
    losses = []
    for _ in range(5):
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[L.arange(xs.nelement()), ys].log().mean() + 0.01 * (W ** 2).mean()
        W.grad = None
        loss.backward()
        W.data += -10 * W.grad
        losses.append(loss.item())
    greedy = []
    ix = 0
    for _ in range(6):
        ix = P[ix].argmax().item()
        if ix == 0:
            break
        greedy.append(ix)
    return {"N": N.tolist(), "N_dtype": dt(N), "row_sums": arr(P.sum(axis=1)),
            "nll": nll.item(), "losses": losses, "W": arr(W), "greedy": greedy,
            "top": P.max(axis=1, keepdims=True).values.shape,
            "counts_total": N.sum().item(), "N_sum_dtype": dt(N.sum())}


def prog_numpy_style_keywords(L):
    """axis=/keepdims= (NumPy's names), which torch accepts for dim=/keepdim=."""
    x = L.from_numpy(X_CLS[:4])
    return {"sum": arr(x.sum(axis=0)), "mean": arr(L.mean(x, axis=1, keepdims=True)),
            "std": arr(x.std(axis=-1)), "max": arr(x.max(axis=1).values),
            "argmax": x.argmax(axis=1).tolist(), "amax": arr(x.amax(axis=(0, 1))),
            "cumsum": arr(x.cumsum(axis=1)), "logsumexp": arr(x.logsumexp(axis=1)),
            "any": (x > 1).any(axis=0).tolist(), "var_mean": arr(L.var_mean(x, axis=0)[0]),
            "both": raised(lambda: x.sum(0, axis=1)), "norm": raised(lambda: x.norm(axis=1))}


PROGRAMS = [v for k, v in sorted(globals().items()) if k.startswith("prog_")]


# ----------------------------------------------------------------------------------
# comparison
# ----------------------------------------------------------------------------------

def _plain(value):
    """Tensors returned by a program (by mistake or on purpose) become arrays."""
    if isinstance(value, (torch.Tensor, ember.Tensor)):
        return ("tensor", dt(value), shape(value), arr(value))
    return value


def _compare(e, t, path, rtol, atol):
    e, t = _plain(e), _plain(t)
    if isinstance(t, dict):
        assert isinstance(e, dict) and e.keys() == t.keys(), f"{path}: keys {e} vs {t}"
        for k in t:
            _compare(e[k], t[k], f"{path}.{k}", rtol, atol)
    elif isinstance(t, (list, tuple)) and not isinstance(t, str):
        assert isinstance(e, (list, tuple)) and len(e) == len(t), f"{path}: {e!r} vs {t!r}"
        for i, (ei, ti) in enumerate(zip(e, t)):
            _compare(ei, ti, f"{path}[{i}]", rtol, atol)
    elif isinstance(t, np.ndarray):
        assert isinstance(e, np.ndarray), f"{path}: {type(e).__name__} vs ndarray"
        assert e.shape == t.shape, f"{path}: shape {e.shape} vs {t.shape}"
        assert e.dtype == t.dtype, f"{path}: dtype {e.dtype} vs {t.dtype}"
        np.testing.assert_allclose(e, t, rtol=rtol, atol=atol, err_msg=path)
    elif isinstance(t, float):
        assert isinstance(e, float), f"{path}: {e!r} ({type(e).__name__}) vs float {t!r}"
        np.testing.assert_allclose(e, t, rtol=rtol, atol=atol, err_msg=path)
    else:
        assert type(e) is type(t) and e == t, f"{path}: {e!r} vs {t!r}"


TOLERANCES = {"prog_half_inference": (2e-2, 2e-2)}


@pytest.mark.parametrize("prog", PROGRAMS, ids=[p.__name__[5:] for p in PROGRAMS])
def test_program(prog):
    expected = prog(torch)
    got = prog(ember)
    rtol, atol = TOLERANCES.get(prog.__name__, (1e-5, 1e-6))
    _compare(got, expected, prog.__name__, rtol, atol)


# Warnings torch gives once per process are compared in a fresh interpreter.
_WARN_ONCE_SCRIPT = """
import warnings
import torch, ember

def counts(L):
    x = L.ones(1, requires_grad=True) * 2
    z = L.tensor([1 + 1j])
    out = []
    for step in (int, float, float, complex, lambda t: t.item(),
                 lambda t: z.float(), lambda t: z.to(L.float64)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            step(x)
        out.append([c.category.__name__ for c in caught])
    return out

expected, got = counts(torch), counts(ember)
print(expected == got, expected, got)
"""


def test_warnings_given_once_per_process():
    """float() of a tensor requiring grad and complex-to-real casts warn once, as torch."""
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", _WARN_ONCE_SCRIPT], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("True"), done.stdout
