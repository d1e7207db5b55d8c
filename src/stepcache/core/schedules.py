"""Which steps are full: pure functions of (number of steps, settings).

A step is one U-Net call of one stream (see :mod:`stepcache.core.hooks`). A *full* step runs the whole U-Net and
refreshes the cached deep feature; every other step is *cached*: only the shallow branch runs.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .config import DeepCacheConfig, check_center, check_window


def uniform(num_steps: int, interval: int, start: int = 0) -> list[int]:
    """Full steps ``{start + i*N}`` (plus every step before ``start``)."""
    return sorted(set(range(min(start, num_steps))) | set(range(start, num_steps, interval)))


def nonuniform(num_steps: int, interval: int, center: int, power: float) -> list[int]:
    """The paper's Eq. 7, as written: with ``k = ceil(T/N)`` points
    ``L = linspace(-(c^(1/p)), (T-c)^(1/p), k)`` and full steps ``I = unique(int(sign(L)|L|^p + c))``.

    The power is taken sign-preserving, so the full steps really are densest around the center step ``c``.
    Step 0 is always full (a cached step needs a cache); indices past the last step are dropped.
    """
    T, c, p = num_steps, center, power
    if interval == 1 or T == 1:
        return list(range(T))
    check_center(c, T, "nonuniform")
    k = math.ceil(T / interval)
    points = np.linspace(-(c ** (1 / p)), (T - c) ** (1 / p), k)
    steps = np.floor(np.sign(points) * np.abs(points) ** p + c + 1e-9).astype(np.int64)
    return sorted({0} | {int(s) for s in steps if 0 <= s < T})


def nonuniform_reference(num_steps: int, interval: int, center: int, power: float) -> list[int]:
    """The full steps the paper's reference code (``sample_from_quad_center``) produces.

    That code evaluates ``(-c) ** (1/p)`` in complex arithmetic and keeps the real part, so its steps are less
    concentrated around ``c`` than Eq. 7 says; when the points collide it lowers ``p`` by 0.02 until
    ``ceil(T/N)`` distinct steps come out. Reproduced exactly, for comparison with the paper's numbers.
    """
    T, c, p = num_steps, center, float(power)
    if interval == 1 or T == 1:
        return list(range(T))
    check_center(c, T, "nonuniform-reference")
    k = math.ceil(T / interval)
    while p > 1:
        x = np.linspace((-c) ** (1 / p), (T - c) ** (1 / p), k + 1)
        y = np.trunc(np.real(x ** p)).astype(np.int32)
        steps = [0] + [int(s) + c for s in np.unique(y)[1:-1]]
        if len(set(steps)) == k:
            return sorted(steps)
        p -= 0.02
    raise ValueError(f"nonuniform-reference: no power p > 1 gives {k} distinct full steps for num_steps={T}, "
                     f"center={c}; lower the interval or the center (center must be in [0, {T}))")


def window(num_steps: int | None, config: DeepCacheConfig) -> tuple[int, int | None]:
    """``(start, stop)`` as step indices: caching is allowed only for steps in ``[start, stop)``. A window that
    leaves no step to cache (known only now for a mixed index / fraction window) is refused."""
    if num_steps is not None and config.stop is not None:
        check_window(num_steps, config)

    def at(point):
        if isinstance(point, float):
            if num_steps is None:
                raise ValueError(f"start={config.start!r}, stop={config.stop!r} as fractions need the number of "
                                 "steps: enable on the pipeline, or set DeepCacheConfig(num_steps=...)")
            return int(math.floor(point * num_steps))
        return point
    return at(config.start), (None if config.stop is None else at(config.stop))


@lru_cache(maxsize=256)
def full_steps(num_steps: int, config: DeepCacheConfig) -> list[int]:
    """The sorted full steps of a stream of ``num_steps`` U-Net calls under ``config``."""
    start, stop = window(num_steps, config)
    if config.schedule == "uniform":
        full = set(uniform(num_steps, config.interval, start))
    elif config.schedule == "calibrated":
        full = {s for s in config.full_steps if s < num_steps} | set(range(min(start, num_steps)))
    elif config.decides_online:
        raise ValueError(f"the {config.schedule} schedule decides during the call; it has no fixed full steps")
    else:
        fn = nonuniform if config.schedule == "nonuniform" else nonuniform_reference
        full = set(fn(num_steps, config.interval, config.center, config.power)) | set(range(min(start, num_steps)))
    if stop is not None:
        full |= set(range(stop, num_steps))
    return sorted(full)


def is_full(step: int, config: DeepCacheConfig, num_steps: int | None = None) -> bool:
    """Whether ``step`` is full. The uniform schedule with an integer window needs no ``num_steps``."""
    if config.needs_num_steps:
        if num_steps is None:
            raise ValueError(f"schedule {config.schedule!r} with start={config.start!r}, stop={config.stop!r} "
                             "needs the number of steps: enable on the pipeline, or set DeepCacheConfig(num_steps=...)")
        return step >= num_steps or step in full_steps(num_steps, config)
    start, stop = config.start, config.stop
    return step < start or (stop is not None and step >= stop) or (step - start) % config.interval == 0
