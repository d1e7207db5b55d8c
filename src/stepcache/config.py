"""DeepCache settings: one frozen dataclass, validated on construction."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

#: schedules a :class:`DeepCacheConfig` accepts (see :mod:`stepcache.schedules`)
SCHEDULES = ("uniform", "nonuniform", "nonuniform-reference", "adaptive", "calibrated")
PROFILE_VERSION = 1


@dataclass(frozen=True)
class ProfileKey:
    """What a calibrated profile is valid for: the model's weights, the scheduler, the number of steps."""

    model_hash: str
    scheduler: str  # scheduler class name + hash of its config, see stepcache.calibrate.scheduler_id
    num_steps: int


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
        threshold: for ``schedule="adaptive"``, the error budget: a step is cached while the shallow feature that
            enters the deep part has moved less than this (relative L1) since the last full step. ``0`` never caches
            (bit-identical to the plain model); larger values cache more: faster, further from the plain output.
            ``interval`` caps the run of cached steps (at most N-1 in a row), ``start``/``stop`` keep the first and
            last steps full.
        full_steps: for ``schedule="calibrated"``, the full steps (see :func:`stepcache.calibrate`);
            :meth:`from_profile` fills it, with the ``profile`` key the profile is valid for.
        controlnet: on a ControlNet pipeline, also skip the ControlNet's own deep part on cached steps (only the
            residuals of the skips the shallow branch uses are computed). Not with the adaptive schedule, whose
            decision comes after the ControlNet has run.
    """

    interval: int = 3
    branch: int = 1
    schedule: str = "uniform"
    center: int = 15
    power: float = 1.4
    start: int | float = 0
    stop: int | float | None = None
    num_steps: int | None = None
    threshold: float = 0.05
    full_steps: tuple[int, ...] | None = None
    profile: ProfileKey | None = None
    controlnet: bool = True

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
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, (int, float)) \
                or not math.isfinite(self.threshold) or self.threshold < 0:
            raise ValueError(f"threshold must be a finite number in [0, inf), got {self.threshold!r}")
        if not isinstance(self.controlnet, bool):
            raise ValueError(f"controlnet must be True or False, got {self.controlnet!r}")
        if self.schedule == "calibrated":
            steps = self.full_steps
            if not steps or not isinstance(steps, tuple) or any(isinstance(s, bool) or not isinstance(s, int)
                                                                 for s in steps) \
                    or list(steps) != sorted(set(steps)) or steps[0] != 0:
                raise ValueError("full_steps must be a non-empty tuple of increasing step indices starting at 0 "
                                 f"for schedule='calibrated', got {steps!r}")
        elif self.full_steps is not None:
            raise ValueError(f"full_steps is only used by schedule='calibrated', not {self.schedule!r}")

    @classmethod
    def from_profile(cls, path: str | Path) -> "DeepCacheConfig":
        """Load a profile written by ``stepcache calibrate``; enabling it on another model, scheduler or step count
        is refused."""
        data = json.loads(Path(path).read_text())
        if data.get("version") != PROFILE_VERSION:
            raise ValueError(f"{path}: profile version {data.get('version')!r}, this stepcache reads "
                             f"version {PROFILE_VERSION}")
        key = ProfileKey(data["model_hash"], data["scheduler"], int(data["num_steps"]))
        return cls(schedule="calibrated", branch=int(data["branch"]), full_steps=tuple(data["full_steps"]),
                   num_steps=key.num_steps, profile=key)

    @property
    def needs_num_steps(self) -> bool:
        """Whether the schedule can only be laid out once the number of steps is known."""
        fractional = isinstance(self.start, float) or isinstance(self.stop, float)
        return self.schedule not in ("uniform", "adaptive") or fractional
