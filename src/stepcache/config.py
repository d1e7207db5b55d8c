"""DeepCache settings: one frozen dataclass, validated on construction."""

from __future__ import annotations

import math
from dataclasses import dataclass

#: schedules a :class:`DeepCacheConfig` accepts (see :mod:`stepcache.schedules`)
SCHEDULES = ("uniform", "nonuniform", "nonuniform-reference")


def _check_int(name: str, value, low: int, high: str = "inf") -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer in [{low}, {high}), got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an integer in [{low}, {high}), got {value}")


def _check_point(name: str, value) -> None:
    """A window end: a step index (int >= 0) or a fraction of the steps (float in [0, 1])."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a step index (int >= 0) or a fraction (float in [0, 1]), got {value!r}")
    if isinstance(value, int):
        _check_int(name, value, 0)
    elif not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} as a fraction must be a finite float in [0, 1], got {value}")


@dataclass(frozen=True)
class DeepCacheConfig:
    """How DeepCache runs: a full U-Net step every so often, cached (shallow-only) steps in between.

    Args:
        interval: N, the cache interval. ``1`` never caches (bit-identical to the plain model); with the uniform
            schedule, one step in N is full.
        branch: the skip branch whose shallow path runs on cached steps, numbered as in the paper: ``1`` is the skip
            from ``conv_in`` (the cheapest cached step), higher numbers go deeper. :func:`stepcache.branches` lists
            the valid ones for a model.
        schedule: ``"uniform"`` (full steps ``{start + i*N}``), ``"nonuniform"`` (the paper's Eq. 7, full steps
            denser around the center step ``c`` with power ``p``, computed sign-preserving as written), or
            ``"nonuniform-reference"`` (the exact steps the paper's reference code produces).
        center: c, the step around which the non-uniform schedule puts more full steps.
        power: p > 1, how strongly the non-uniform schedule concentrates full steps around c.
        start: steps before this one are always full (a step index, or a fraction of the steps if a float).
        stop: steps from this one on are always full (index or fraction); ``None`` caches to the end.
        num_steps: the number of U-Net calls per stream, needed by schedules that depend on it (non-uniform,
            fractional windows) only when the U-Net is used without a pipeline; a pipeline tells it by itself.
    """

    interval: int = 3
    branch: int = 1
    schedule: str = "uniform"
    center: int = 15
    power: float = 1.4
    start: int | float = 0
    stop: int | float | None = None
    num_steps: int | None = None

    def __post_init__(self) -> None:
        _check_int("interval", self.interval, 1)
        _check_int("branch", self.branch, 1)
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {', '.join(map(repr, SCHEDULES))}, got {self.schedule!r}")
        _check_int("center", self.center, 0)
        if isinstance(self.power, bool) or not isinstance(self.power, (int, float)) \
                or not math.isfinite(self.power) or self.power <= 1:
            raise ValueError(f"power must be a finite number in (1, inf), got {self.power!r}")
        _check_point("start", self.start)
        if self.stop is not None:
            _check_point("stop", self.stop)
        if self.num_steps is not None:
            _check_int("num_steps", self.num_steps, 1)

    @property
    def needs_num_steps(self) -> bool:
        """Whether the schedule can only be laid out once the number of steps is known."""
        fractional = isinstance(self.start, float) or isinstance(self.stop, float)
        return self.schedule != "uniform" or fractional
