"""A plain PyTorch training script (unmodified for ember): an MLP on scikit-learn's digits.

    python examples/torch_scripts/mlp_digits.py                       # on PyTorch
    python -m ember.torch_compat examples/torch_scripts/mlp_digits.py # on ember

Weights start from a seeded NumPy generator and batches follow a NumPy permutation, so
both libraries print the same numbers.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset


def main():
    rng = np.random.default_rng(0)
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(
        x, digits.target, test_size=0.25, stratify=digits.target, random_state=0)

    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32), nn.Tanh(),
                          nn.Linear(32, 10))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(rng.normal(0.0, 0.2, tuple(p.shape)).astype(np.float32)))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True,
                                weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    test_x = torch.from_numpy(x_test)
    test_y = torch.from_numpy(y_test).long()

    for epoch in range(6):
        order = rng.permutation(len(x_train))
        data = TensorDataset(torch.from_numpy(x_train[order]),
                             torch.from_numpy(y_train[order]).long())
        model.train()
        total, count = 0.0, 0
        for xb, yb in DataLoader(data, batch_size=64, shuffle=False):
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        scheduler.step()
        model.eval()
        with torch.no_grad():
            accuracy = (model(test_x).argmax(dim=1) == test_y).float().mean().item()
        print(f"epoch {epoch} loss {total / count:.4f} test_acc {accuracy:.4f} "
              f"lr {scheduler.get_last_lr()[0]:.4f}")


if __name__ == "__main__":
    main()
