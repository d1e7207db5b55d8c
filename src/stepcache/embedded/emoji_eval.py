"""Quality measures for the embedded emoji text-to-image models: a subcategory classifier (99 classes) trained on the
real 32x32 emoji of the train-side emoji, used for

- prompt agreement: the share of generated images whose predicted subcategory is the prompt's subcategory, on the
  prompts of the *held-out* emoji (the classifier never saw those emoji; on their real images it agrees ~as
  ``report.json``'s ``held_out_accuracy`` says: the ceiling of the measure);
- FID on the classifier's 128-d pooled features ("FID-emoji"), against the statistics of all 7,572 real images
  (committed with the classifier), with the real-data floor (real images scored the same way) and the
  VAE-reconstruction floor beside it.
"""

from __future__ import annotations

import inspect
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file
from torch import nn

from .evaluation import frechet_distance, gaussian  # noqa: F401 (re-exported for the training scripts)
from .sampling import no_binning

MODELS = Path(__file__).parent / "models"
CLASSIFIER_DIR = MODELS / "emoji-classifier"
SD_DIR = MODELS / "emoji-sd"
PIXART_DIR = MODELS / "emoji-pixart"


class _Residual(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.f = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1), nn.GroupNorm(8, c), nn.SiLU(), nn.Conv2d(c, c, 3, 1, 1),
                               nn.GroupNorm(8, c))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.silu(x + self.f(x))


class EmojiClassifier(nn.Module):
    """A small residual CNN on (N, 3, 32, 32) images in [-1, 1]: a stem at 32x32, then per stage a stride-2
    convolution and ``blocks[i]`` residual blocks (GroupNorm, SiLU); ``features`` is the pooled last stage
    (``widths[-1]`` = 128-d)."""

    def __init__(self, classes: int = 99, widths=(32, 48, 96, 128), blocks=(0, 0, 1, 1)):
        super().__init__()

        def conv(cin, cout, stride):
            return [nn.Conv2d(cin, cout, 3, stride, 1), nn.GroupNorm(8, cout), nn.SiLU()]

        layers = conv(3, widths[0], 1)
        for i, w in enumerate(widths):
            if i:
                layers += conv(widths[i - 1], w, 2)
            layers += [_Residual(w) for _ in range(blocks[i])]
        self.body = nn.Sequential(*layers)
        self.drop = nn.Dropout(0.1)
        self.head = nn.Linear(widths[-1], classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.drop(self.features(x)))


def subcategories(folder: Path | None = None) -> list[str]:
    return _subcategories(Path(folder or CLASSIFIER_DIR))


@lru_cache(maxsize=2)
def _subcategories(folder: Path) -> list[str]:
    return json.loads((folder / "subcategories.json").read_text())


def load_classifier(folder: Path | None = None) -> EmojiClassifier:
    return _load_classifier(Path(folder or CLASSIFIER_DIR))


@lru_cache(maxsize=2)
def _load_classifier(folder: Path) -> EmojiClassifier:
    report = json.loads((folder / "report.json").read_text()) if (folder / "report.json").exists() else {}
    arch = {k: tuple(report[k]) for k in ("widths", "blocks") if k in report}  # as trained (the defaults otherwise)
    model = EmojiClassifier(len(subcategories(folder)), **arch)
    model.load_state_dict({k: v.float() for k, v in load_file(Path(folder) / "model.safetensors").items()})
    return model.eval().requires_grad_(False)


def _batches(images, size: int = 500):
    """uint8 (N, 32, 32, 3) or float (N, 32, 32, 3) in [0, 1] -> float tensors (N, 3, 32, 32) in [-1, 1]."""
    x = np.asarray(images)
    x = x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x.astype(np.float32)
    for i in range(0, len(x), size):
        yield torch.from_numpy(np.ascontiguousarray(x[i:i + size].transpose(0, 3, 1, 2)) * 2 - 1)


@torch.no_grad()
def features(images) -> np.ndarray:
    model = load_classifier()
    return np.concatenate([model.features(b).double().numpy() for b in _batches(images)])


@torch.no_grad()
def predict(images) -> np.ndarray:
    model = load_classifier()
    return np.concatenate([model(b).argmax(1).numpy() for b in _batches(images)])


def label_of(names) -> np.ndarray:
    index = {s: i for i, s in enumerate(subcategories())}
    return np.array([index[n] for n in names], dtype=np.int64)


def agreement(images, labels) -> float:
    """Share of images whose predicted subcategory equals ``labels`` (indices, or subcategory names)."""
    labels = np.asarray(labels)
    if labels.dtype.kind in "US":
        labels = label_of(labels)
    return float((predict(images) == labels).mean())


def reference_stats(folder: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    return _reference_stats(Path(folder or CLASSIFIER_DIR))


@lru_cache(maxsize=2)
def _reference_stats(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    stats = np.load(folder / "fid_stats.npz")
    return stats["mu"], stats["sigma"]


def fid(images=None, feats: np.ndarray | None = None) -> float:
    """FID-emoji of images against all 7,572 real emoji (statistics committed with the classifier)."""
    return frechet_distance(*gaussian(features(images) if feats is None else feats), *reference_stats())


def held_out_prompts(n: int | None = None, seed: int = 0) -> tuple[list[str], list[str]]:
    """(prompts, subcategory names) of the held-out emoji, committed with the classifier (no data needed)."""
    rows = json.loads((Path(CLASSIFIER_DIR) / "held_out.json").read_text())
    if n is not None and n < len(rows):
        rng = np.random.default_rng(seed)
        rows = [rows[i] for i in sorted(rng.choice(len(rows), n, replace=False))]
    return [r[0] for r in rows], [r[1] for r in rows]


@torch.no_grad()
def generate(pipe, prompts: list[str], steps: int = 25, guidance: float = 3.0, seed: int = 0,
             batch: int = 128) -> np.ndarray:
    """uint8 (N, 32, 32, 3) images of a diffusers text-to-image pipeline, seeded per batch."""
    out = []
    for i in range(0, len(prompts), batch):
        g = torch.Generator().manual_seed(seed + i)
        kw = dict(num_inference_steps=steps, guidance_scale=guidance, generator=g, output_type="np")
        if "height" in inspect.signature(pipe.__call__).parameters:  # follows the decorators' __wrapped__
            kw.update(height=32, width=32)
        kw.update(no_binning(pipe))
        img = pipe(prompts[i:i + batch], **kw).images
        out.append(np.round(np.clip(img, 0, 1) * 255).astype(np.uint8))
    return np.concatenate(out)
