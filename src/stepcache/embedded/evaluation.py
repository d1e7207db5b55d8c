"""Quality measures for the embedded model: a digit classifier trained on the same real MNIST digits, its pooled
features as a domain FID ("FID-domain"), and PSNR / SSIM against reference images.

FID-domain is the Fréchet distance between Gaussians fitted to classifier features (128-d) of generated and of
real digits: the ADM/pytorch-fid formula with a domain network in place of Inception. The real statistics ship with
the package, so no dataset is needed to evaluate.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file
from torch import nn

from ..metrics import psnr, ssim  # noqa: F401 (the embedded models' figures use the library's metrics)

MODELS = Path(__file__).parent / "models"
CLASSIFIER_DIR = MODELS / "mnist-classifier"


class DigitClassifier(nn.Module):
    """A small CNN on (N, 1, 32, 32) images in [-1, 1]; ``features`` is the 128-d pooled layer."""

    def __init__(self):
        super().__init__()

        def block(cin, cout, stride):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1), nn.GroupNorm(8, cout), nn.SiLU())

        self.body = nn.Sequential(block(1, 32, 1), block(32, 32, 2), block(32, 64, 1), block(64, 64, 2),
                                  block(64, 128, 1), block(128, 128, 2))
        self.head = nn.Linear(128, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


@lru_cache(maxsize=1)
def load_classifier(folder: Path = CLASSIFIER_DIR) -> DigitClassifier:
    model = DigitClassifier()
    model.load_state_dict(load_file(Path(folder) / "model.safetensors"))
    return model.eval().requires_grad_(False)


def _batches(images: np.ndarray, size: int = 500):
    """uint8 (N, 32, 32) or floats in [0, 1] (N, 32, 32[, 1]) -> float tensors in [-1, 1], NCHW."""
    x = np.asarray(images)
    if x.ndim == 4:
        x = x[..., 0]
    x = x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x.astype(np.float32)
    for i in range(0, len(x), size):
        yield torch.from_numpy(x[i:i + size] * 2 - 1)[:, None]


@torch.no_grad()
def features(images: np.ndarray) -> np.ndarray:
    model = load_classifier()
    return np.concatenate([model.features(b).double().numpy() for b in _batches(images)])


@torch.no_grad()
def predict(images: np.ndarray) -> np.ndarray:
    model = load_classifier()
    return np.concatenate([model(b).argmax(1).numpy() for b in _batches(images)])


def accuracy(images: np.ndarray, labels) -> float:
    return float((predict(images) == np.asarray(labels)).mean())


def gaussian(feats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return feats.mean(0), np.cov(feats, rowvar=False)


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2)); the trace of the root from the eigenvalues of S1 S2."""
    eig = np.linalg.eigvals(sigma1 @ sigma2)
    root_trace = np.sqrt(np.clip(eig.real, 0, None)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(sigma1) + np.trace(sigma2) - 2 * root_trace)


@lru_cache(maxsize=1)
def reference_stats(folder: Path = CLASSIFIER_DIR) -> tuple[np.ndarray, np.ndarray]:
    stats = np.load(Path(folder) / "fid_stats.npz")
    return stats["mu"], stats["sigma"]


def fid_domain(images: np.ndarray, feats: np.ndarray | None = None) -> float:
    """FID-domain of generated digits against the 10,000 real ones (statistics committed with the classifier).
    ``feats``: the images' classifier :func:`features`, if already computed."""
    return frechet_distance(*gaussian(features(images) if feats is None else feats), *reference_stats())


@lru_cache(maxsize=1)
def _real_features() -> np.ndarray:
    from .mnist import load_digits, pad_to_32

    return features(pad_to_32(load_digits()[0]))


def real_fid_domain(n: int, draws: int, seed: int | np.random.Generator = 0) -> list[float]:
    """FID-domain of ``draws`` random sets of ``n`` real digits, drawn from the 10,000 behind the reference
    statistics and scored like generated samples: the metric's floor at sample size ``n``."""
    feats = _real_features()
    rng = np.random.default_rng(seed)  # a Generator passes through: several calls can share one stream
    return [fid_domain(None, feats[rng.choice(len(feats), n, replace=False)]) for _ in range(draws)]


def fid_domain_bootstrap(images: np.ndarray, rounds: int = 100, seed: int = 0,
                         feats: np.ndarray | None = None) -> np.ndarray:
    """FID-domain of ``rounds`` bootstrap resamples of ``images``. The resampled indices depend only on ``seed``
    and the number of images, so two settings evaluated on the same seeds are resampled in pairs: the spread of
    the difference of their bootstrap values says whether a difference of FID-domain is more than noise.
    ``feats``: the images' classifier :func:`features`, if already computed."""
    feats = features(images) if feats is None else feats
    rng = np.random.default_rng(seed)
    return np.array([fid_domain(images, feats[rng.integers(0, len(feats), len(feats))]) for _ in range(rounds)])
