"""A plain PyTorch script (unmodified for ember): regression with a custom autograd
Function, forward hooks, AdamW with cosine annealing, and a state_dict round trip.

    python examples/torch_scripts/custom_function_regression.py
    python -m ember.torch_compat examples/torch_scripts/custom_function_regression.py
"""
import copy

import numpy as np
import torch
import torch.nn as nn


class Swish(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        s = torch.sigmoid(x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad_output):
        x, s = ctx.saved_tensors
        return grad_output * (s + x * s * (1 - s))


class Regressor(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.hidden = nn.Linear(3, width)
        self.norm = nn.LayerNorm(width)
        self.out = nn.Linear(width, 1)

    def forward(self, x):
        return self.out(Swish.apply(self.norm(self.hidden(x)))).squeeze(-1)


def main():
    rng = np.random.default_rng(2)
    x = rng.uniform(-2, 2, (512, 3)).astype(np.float32)
    y = (np.sin(x[:, 0]) + x[:, 1] * x[:, 2] - 0.5 * x[:, 2] ** 2).astype(np.float32)
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
    model = Regressor(32)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if not name.startswith("norm"):   # LayerNorm starts at ones and zeros
                p.copy_(torch.from_numpy(rng.normal(0, 0.3, tuple(p.shape)).astype(np.float32)))
    calls = []
    model.hidden.register_forward_hook(lambda module, inp, out: calls.append(out.shape[0]))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=40, eta_min=1e-4)
    loss_fn = nn.MSELoss()
    best = None
    for step in range(40):
        order = rng.permutation(len(x))
        for start in range(0, len(x), 128):
            idx = torch.from_numpy(order[start:start + 128])
            optimizer.zero_grad()
            loss = loss_fn(model(inputs[idx]), targets[idx])
            loss.backward()
            optimizer.step()
        scheduler.step()
        with torch.no_grad():
            full = loss_fn(model(inputs), targets).item()
        if best is None or full < best[0]:
            best = (full, copy.deepcopy(model.state_dict()))
        if step % 10 == 9:
            print(f"step {step} mse {full:.4f} lr {optimizer.param_groups[0]['lr']:.5f}")
    model.load_state_dict(best[1])
    with torch.no_grad():
        print(f"best_mse {loss_fn(model(inputs), targets).item():.4f} hook_calls {len(calls)}")


if __name__ == "__main__":
    main()
