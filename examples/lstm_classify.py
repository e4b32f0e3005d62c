"""An LSTM classifier over variable-length sequences with packed batches, with ember.

Each of the 1,797 real 8x8 images of ``sklearn.datasets.load_digits`` (shipped inside
scikit-learn: no download) is read row by row as a sequence of 8 steps of 8 pixels, and
every sequence is cut at a random length of 5 to 8 rows, so that a batch holds sequences of
different lengths.  A batch is packed with ``pack_padded_sequence(..., enforce_sorted=False)``,
run through a bidirectional ``nn.LSTM`` (the padding costs no work), and the final states of
each sequence, taken at its own length, are classified by a linear layer.  The code is what a
PyTorch user would write, with ``ember`` in place of ``torch``.

Run from the repository root (scikit-learn needed; tqdm optional):

    python examples/lstm_classify.py [--seed 0] [--epochs 12]

It prints the loss and accuracy per epoch and the final test accuracy (about 92-94%), and
exits with status 1 if the test accuracy is below 88%.
"""
import argparse
import sys
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import ember
import ember.nn as nn
from ember.nn.utils.rnn import pack_padded_sequence
from ember.utils.data import DataLoader, TensorDataset

try:
    from tqdm import tqdm
except ImportError:   # plain loop without a progress bar
    tqdm = None

REQUIRED_ACCURACY = 0.88
LR_DECAY = 0.85
MIN_ROWS = 5


def load_data(seed):
    """Train and test TensorDatasets of (8x8 float32 rows, int64 length, int64 label)."""
    digits = load_digits()
    rows = (digits.images / 16.0).astype(np.float32)          # N, 8 steps, 8 features
    labels = digits.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    lengths = rng.integers(MIN_ROWS, 9, size=len(labels)).astype(np.int64)
    for i, n in enumerate(lengths):
        rows[i, n:] = 0.0    # the cut rows are padding: never read by the packed LSTM
    split = train_test_split(rows, lengths, labels, test_size=0.2, stratify=labels,
                             random_state=0)
    x_train, x_test, len_train, len_test, y_train, y_test = split
    make = lambda *arrays: TensorDataset(*(ember.tensor(a) for a in arrays))  # noqa: E731
    return make(x_train, len_train, y_train), make(x_test, len_test, y_test)


class RowLSTM(nn.Module):
    """Bidirectional LSTM over the rows; the final states of both directions (the forward one
    at each sequence's own last row, the backward one at its first) feed a linear classifier."""

    def __init__(self, hidden=64, classes=10):
        super().__init__()
        self.lstm = nn.LSTM(8, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, classes)

    def forward(self, rows, lengths):
        packed = pack_padded_sequence(rows, lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)     # h_n: (2, batch, hidden), in the batch's order
        return self.head(ember.cat([h_n[0], h_n[1]], dim=1))


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with ember.no_grad():
        for rows, lengths, labels in loader:
            correct += int((model(rows, lengths).argmax(1) == labels).sum())
            total += labels.shape[0]
    model.train()
    return correct / total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=12)
    args = parser.parse_args()
    ember.manual_seed(args.seed)
    train_set, test_set = load_data(args.seed)
    train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=256)
    model = RowLSTM()
    optimizer = ember.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        batches = tqdm(train_loader, desc=f"epoch {epoch}", leave=False) if tqdm else \
            train_loader
        total_loss = 0.0
        seen = 0
        for rows, lengths, labels in batches:
            optimizer.zero_grad()
            loss = loss_fn(model(rows, lengths), labels)
            loss.backward()
            optimizer.step()
            total_loss += float(loss.item()) * labels.shape[0]
            seen += labels.shape[0]
            if tqdm:
                batches.set_postfix(loss=f"{loss.item():.3f}")
        accuracy = evaluate(model, test_loader)
        print(f"epoch {epoch:2d}  train loss {total_loss / seen:.4f}  "
              f"test accuracy {accuracy:.4f}  lr {optimizer.param_groups[0]['lr']:.2g}")
        for group in optimizer.param_groups:   # exponential decay: settle at the end
            group["lr"] *= LR_DECAY
    elapsed = time.perf_counter() - start
    accuracy = evaluate(model, test_loader)
    print(f"trained {args.epochs} epochs in {elapsed:.1f} s; final test accuracy {accuracy:.4f}")
    if accuracy < REQUIRED_ACCURACY:
        print(f"accuracy below {REQUIRED_ACCURACY}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
