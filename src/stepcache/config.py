"""DeepCache settings: one frozen dataclass, validated on construction."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

#: schedules a :class:`DeepCacheConfig` accepts (see :mod:`stepcache.schedules`)
SCHEDULES = ("uniform", "nonuniform", "nonuniform-reference", "adaptive", "calibrated")
PROFILE_VERSION = 2


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
        threshold: for ``schedule="adaptive"``, the error budget between two full steps. Each cached step's
            predicted error is how far the shallow feature entering the deep part has moved (relative L1) since
            the last full step, times the step's weight when ``weights`` is given; a step is cached while these
            add up to less than the threshold, else it runs full and the sum restarts. ``0`` never caches
            (bit-identical to the plain model); larger values cache more: faster, further from the plain output.
            ``interval`` caps the run of cached steps (at most N-1 in a row); ``start`` keeps the first steps
            full (warm-up), ``stop`` the last ones (e.g. ``stop=0.9``: the last 10% of the steps).
        weights: for ``schedule="adaptive"``, one weight per step turning the feature's drift into a predicted error
            of the final sample (how much an error at that step still shows at the end). ``stepcache calibrate``
            measures them; ``DeepCacheConfig.from_profile(path, threshold=...)`` loads them. ``None``: all 1.
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
    weights: tuple[float, ...] | None = None
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
        if self.weights is not None:
            if self.schedule != "adaptive":
                raise ValueError(f"weights is only used by schedule='adaptive', not {self.schedule!r}")
            w = self.weights
            if not w or not isinstance(w, tuple) or any(isinstance(x, bool) or not isinstance(x, (int, float))
                                                        or not math.isfinite(x) or x < 0 for x in w):
                raise ValueError("weights must be a non-empty tuple of finite numbers in [0, inf), one per step, "
                                 f"got {w!r}")
            if self.num_steps is not None and self.num_steps != len(w):
                raise ValueError(f"weights has {len(w)} entries, one per step, but num_steps is {self.num_steps}")

    @classmethod
    def from_profile(cls, path: str | Path, threshold: float | None = None,
                     interval: int | None = None) -> "DeepCacheConfig":
        """Load a profile written by ``stepcache calibrate``; enabling it on another model, scheduler or step count
        is refused.

        Without ``threshold``: the calibrated schedule (the profile's full steps). With it: the adaptive schedule
        on the profile's branch, its decisions weighted by the profile's per-step weights; ``interval`` caps the
        cached steps in a row (default: no cap)."""
        data = json.loads(Path(path).read_text())
        if data.get("version") != PROFILE_VERSION:
            raise ValueError(f"{path}: profile version {data.get('version')!r}, this stepcache reads "
                             f"version {PROFILE_VERSION}; recalibrate with stepcache calibrate")
        key = ProfileKey(data["model_hash"], data["scheduler"], int(data["num_steps"]))
        if threshold is None:
            return cls(schedule="calibrated", branch=int(data["branch"]), full_steps=tuple(data["full_steps"]),
                       num_steps=key.num_steps, profile=key)
        if not data.get("adaptive_weights"):
            raise ValueError(f"{path}: this profile has no adaptive weights (they come with predictor='final')")
        return cls(schedule="adaptive", branch=int(data["branch"]), threshold=threshold,
                   interval=key.num_steps if interval is None else interval,
                   weights=tuple(float(w) for w in data["adaptive_weights"]), num_steps=key.num_steps, profile=key)

    @property
    def needs_num_steps(self) -> bool:
        """Whether the schedule can only be laid out once the number of steps is known."""
        fractional = isinstance(self.start, float) or isinstance(self.stop, float)
        return self.schedule not in ("uniform", "adaptive") or fractional
