"""A plain PyTorch training script (unmodified for ember): a small CNN with batch norm on
scikit-learn's 8x8 digits, Adam and OneCycleLR, gradient clipping, train/eval modes.

    python examples/torch_scripts/cnn_digits.py                       # on PyTorch
    python -m ember.torch_compat examples/torch_scripts/cnn_digits.py # on ember
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(16 * 2 * 2, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.conv2(x)))
        return self.fc(torch.flatten(x, 1))


def main():
    rng = np.random.default_rng(1)
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=0.2, stratify=digits.target, random_state=0)
    model = Net()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.startswith("bn"):
                continue
            fan_in = int(np.prod(p.shape[1:])) if p.dim() > 1 else p.shape[0]
            p.copy_(torch.from_numpy(
                rng.uniform(-1, 1, tuple(p.shape)).astype(np.float32) / np.sqrt(fan_in)))
    epochs, batch = 4, 50
    steps = epochs * int(np.ceil(len(x_train) / batch))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2, total_steps=steps)
    test_x, test_y = torch.from_numpy(x_test), torch.from_numpy(y_test).long()
    for epoch in range(epochs):
        model.train()
        order = rng.permutation(len(x_train))
        losses = []
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            xb = torch.from_numpy(x_train[idx])
            yb = torch.from_numpy(y_train[idx]).long()
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            logits = model(test_x)
            test_loss = F.cross_entropy(logits, test_y).item()
            accuracy = (logits.argmax(1) == test_y).float().mean().item()
        print(f"epoch {epoch} train_loss {np.mean(losses):.4f} test_loss {test_loss:.4f} "
              f"test_acc {accuracy:.4f}")
    print(f"running_mean_sum {model.bn1.running_mean.sum().item():.4f} "
          f"batches {model.bn1.num_batches_tracked.item()}")


if __name__ == "__main__":
    main()
