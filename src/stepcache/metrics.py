"""How far a cached output is from the uncached one: PSNR and SSIM of images in [0, 1] (``stepcache plan`` ranks
candidates by them; the benchmarks and the demos report them)."""

from __future__ import annotations

import numpy as np
import torch


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Mean per-image PSNR (dB) of images in [0, 1]; identical images give inf."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    mse = ((a - b) ** 2).reshape(len(a), -1).mean(1)
    with np.errstate(divide="ignore"):
        return float(np.mean(10 * np.log10(1.0 / mse)))


def ssim(a: np.ndarray, b: np.ndarray, window: int = 7) -> float:
    """Mean SSIM (Wang et al. 2004, uniform window, data range 1) of one-channel images in [0, 1]."""
    x = torch.as_tensor(np.asarray(a, np.float64)).reshape(len(a), 1, *np.asarray(a).shape[1:3])
    y = torch.as_tensor(np.asarray(b, np.float64)).reshape(len(b), 1, *np.asarray(b).shape[1:3])
    pool = lambda t: torch.nn.functional.avg_pool2d(t, window, 1)  # noqa: E731
    mx, my = pool(x), pool(y)
    vx, vy, cxy = pool(x * x) - mx ** 2, pool(y * y) - my ** 2, pool(x * y) - mx * my
    n = window * window
    vx, vy, cxy = vx * n / (n - 1), vy * n / (n - 1), cxy * n / (n - 1)
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2))
    return float(s.mean())
