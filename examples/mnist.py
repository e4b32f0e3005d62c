"""A LeNet-style CNN on MNIST for one epoch, with ember.

The dataset class reads MNIST's original gzipped IDX files itself (like
torchvision's ``MNIST(root, train=...)``, minus the download): pass the directory
that holds ``train-images.idx3-ubyte.gz`` and friends.  From a checkout of the
project that is ``../shared/data/mnist``:

    python examples/mnist.py --root ../shared/data/mnist [--epochs 1] [--workers 0]

It prints the training time and the test accuracy (about 99% after one epoch) and
exits with status 1 below 98.5%.
"""
import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np
from tqdm import tqdm

import ember
import ember.nn as nn
from ember.utils.data import DataLoader, Dataset

REQUIRED_ACCURACY = 0.985
MEAN, STD = 0.1307, 0.3081     # the training images' pixel statistics (in [0, 1])

# IDX element types (the third byte of the magic number) we can meet in MNIST.
_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4",
               0x0E: ">f8"}


def read_idx(path):
    """The array stored in an IDX file (gzipped or not).

    The header is two zero bytes, a type code, the number of dims, then one
    big-endian uint32 per dim; the values follow in C order.
    """
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, type_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or type_code not in _IDX_DTYPES:
        raise ValueError(f"{path}: not an IDX file (magic {data[:4].hex()})")
    shape = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    array = np.frombuffer(data, dtype=_IDX_DTYPES[type_code], offset=4 + 4 * ndim)
    return array.reshape(shape)


class MNIST(Dataset):
    """MNIST's 60,000 training or 10,000 test digits as (1x28x28 float32, int64 label).

    Images are scaled to [0, 1] and then by ``transform`` (default: normalised with
    the training set's mean and std).  All images are converted once, up front.
    """

    files = {True: ("train-images.idx3-ubyte.gz", "train-labels.idx1-ubyte.gz"),
             False: ("t10k-images.idx3-ubyte.gz", "t10k-labels.idx1-ubyte.gz")}

    def __init__(self, root, train=True, transform=None, target_transform=None):
        self.root, self.train = root, train
        image_file, label_file = self.files[train]
        for name in (image_file, label_file):
            if not os.path.exists(os.path.join(root, name)):
                raise RuntimeError(f"Dataset not found: {os.path.join(root, name)} is missing")
        images = read_idx(os.path.join(root, image_file)).astype(np.float32) / 255.0
        if transform is None:
            images = (images - MEAN) / STD
        else:
            images = transform(images)
        self.data = ember.tensor(images[:, None, :, :])
        self.targets = ember.tensor(read_idx(os.path.join(root, label_file)).astype(np.int64))
        self.target_transform = target_transform

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        target = self.targets[index]
        if self.target_transform is not None:
            target = self.target_transform(target)
        return self.data[index], target


class LeNet(nn.Module):
    """conv5(1->32)-ReLU-pool, conv5(32->64)-ReLU-pool, 1600-128-10 (LeNet-5's shape, wider)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),   # 14x14
            nn.Conv2d(32, 64, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),             # 5x5
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    with ember.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(dim=1) == labels).sum().item()
            total += len(labels)
    model.train()
    return correct / total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.join("..", "shared", "data", "mnist"))
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--workers", type=int, default=0, help="DataLoader worker processes")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    ember.manual_seed(args.seed)
    train_set = MNIST(args.root, train=True)
    test_set = MNIST(args.root, train=False)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              num_workers=args.workers)
    test_loader = DataLoader(test_set, batch_size=1000)
    print(f"MNIST: {len(train_set)} training and {len(test_set)} test images")

    model = LeNet()
    optimizer = ember.optim.Adam(model.parameters(), lr=args.lr)
    steps = args.epochs * len(train_loader)
    scheduler = ember.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr,
                                                    total_steps=steps)
    loss_fn = nn.CrossEntropyLoss()

    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        bar = tqdm(train_loader, desc=f"epoch {epoch}/{args.epochs}", unit="batch",
                   file=sys.stdout, mininterval=1.0)
        for step, (images, labels) in enumerate(bar):
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            scheduler.step()
            if step % 50 == 0:
                bar.set_postfix(loss=f"{loss.item():.3f}")
    train_seconds = time.perf_counter() - start

    test_accuracy = evaluate(model, test_loader)
    print(f"trained {args.epochs} epoch(s) in {train_seconds:.1f}s; "
          f"test accuracy: {test_accuracy:.4f}")
    if test_accuracy < REQUIRED_ACCURACY:
        print(f"FAILED: test accuracy is below {REQUIRED_ACCURACY}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
