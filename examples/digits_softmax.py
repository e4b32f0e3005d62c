"""Softmax regression on scikit-learn's handwritten digits, with raw ember tensors.

The 1,797 real 8x8 images of ``sklearn.datasets.load_digits`` (they ship inside
scikit-learn: no download) are flattened to 64 features, standardised, and
classified by a single linear layer ``logits = X @ W + b`` trained with mini-batch
stochastic gradient descent on the cross-entropy loss.  Everything that is learned goes
through ember's autograd: ``loss.backward()`` fills ``W.grad`` and ``b.grad``.

Run from the repository root:

    python examples/digits_softmax.py

It prints the loss and accuracy per epoch and the final test accuracy (about 97%),
and exits with status 1 if the test accuracy is below 90%.
"""
import argparse
import sys
import time

import numpy as np
from sklearn.datasets import load_digits

import ember

NUM_CLASSES = 10


def load_data(test_fraction=0.2):
    """Standardised float32 features and int labels, split into train and test.

    The split is fixed (a seeded permutation), and the standardisation uses the
    training set's statistics only, so the test set stays unseen.
    """
    digits = load_digits()
    features = digits.data.astype(np.float32)
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(labels))
    n_test = int(len(labels) * test_fraction)
    test_idx, train_idx = order[:n_test], order[n_test:]
    mean = features[train_idx].mean(axis=0)
    std = features[train_idx].std(axis=0) + 1e-6   # some border pixels are always 0
    features = (features - mean) / std
    return (features[train_idx], labels[train_idx]), (features[test_idx], labels[test_idx])


def log_softmax(logits):
    """log(softmax(logits)) over the last dim, stable by subtracting each row's max.

    The row max is only a shift that cancels in the result, so it is taken without
    tracking gradients.
    """
    shifted = logits - logits.detach().amax(dim=1, keepdim=True)
    return shifted - shifted.exp().sum(dim=1, keepdim=True).log()


def cross_entropy(logits, one_hot):
    """Mean negative log-likelihood of the true classes (``one_hot`` rows)."""
    return -(log_softmax(logits) * one_hot).sum(dim=1).mean()


def accuracy(logits, labels):
    """Fraction of rows whose largest logit is at the true label."""
    return (logits.argmax(dim=1) == labels).float().mean().item()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args(argv)

    if hasattr(ember, "manual_seed"):
        ember.manual_seed(0)   # nothing below draws from ember's RNG yet; kept for edits that do
    (x_train, y_train), (x_test, y_test) = load_data()
    X, labels = ember.tensor(x_train), ember.tensor(y_train)
    X_test, labels_test = ember.tensor(x_test), ember.tensor(y_test)
    Y = ember.tensor(np.eye(NUM_CLASSES, dtype=np.float32)[y_train])   # one-hot targets
    print(f"digits: {len(y_train)} training and {len(y_test)} test images, "
          f"{X.shape[1]} features, {NUM_CLASSES} classes")

    # The parameters are leaves: zeros are a fine start for a convex problem.
    W = ember.zeros(X.shape[1], NUM_CLASSES, requires_grad=True)
    b = ember.zeros(NUM_CLASSES, requires_grad=True)

    shuffle = np.random.default_rng(0)
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        total_loss = 0.0
        order = shuffle.permutation(len(y_train))
        for first in range(0, len(order), args.batch_size):
            batch = ember.tensor(order[first:first + args.batch_size])
            logits = X[batch] @ W + b
            loss = cross_entropy(logits, Y[batch])
            loss.backward()
            with ember.no_grad():      # the update itself is not part of the graph
                W -= args.lr * W.grad
                b -= args.lr * b.grad
            W.grad = None
            b.grad = None
            total_loss += loss.item() * len(batch)
        with ember.no_grad():
            train_acc = accuracy(X @ W + b, labels)
        print(f"epoch {epoch:2d}/{args.epochs}  loss {total_loss / len(y_train):.4f}  "
              f"train accuracy {train_acc:.3f}", flush=True)

    with ember.no_grad():
        test_acc = accuracy(X_test @ W + b, labels_test)
    print(f"trained in {time.perf_counter() - start:.2f}s; test accuracy: {test_acc:.4f}")
    if test_acc < 0.9:
        print("FAILED: test accuracy is below 0.90", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
