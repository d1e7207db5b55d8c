"""DeepCache settings: one frozen dataclass, validated on construction.

Wrong types raise :class:`TypeError`, values out of range :class:`ValueError`; each message names the field, the
valid range and what was given. Numpy scalars are accepted wherever Python numbers are (and stored as Python
numbers, so a config hashes, compares and serialises the same however it was built).
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass
from pathlib import Path

from .forecast import COORDINATES, DEFAULT_HORIZON, DEFAULT_ORDER, FORECASTERS, MAX_ANCHORS, MAX_ORDER, Forecast

#: schedules a :class:`DeepCacheConfig` accepts (see :mod:`stepcache.core.schedules`)
SCHEDULES = ("uniform", "nonuniform", "nonuniform-reference", "adaptive", "calibrated", "first-block")
#: schedules that decide each step online against ``threshold`` (any other schedule refuses a threshold)
THRESHOLD_SCHEDULES = ("adaptive", "first-block")
#: schedules that use ``weights``, ``full_steps``, ``center``/``power``
WEIGHT_SCHEDULES = ("adaptive",)
NONUNIFORM_SCHEDULES = ("nonuniform", "nonuniform-reference")
#: the threshold of a threshold schedule when none is given
DEFAULT_THRESHOLD = 0.05
#: the profile format written; 3 added ``extrapolate`` and ``first_blocks=0``, 4 the forecaster fields
#: (``forecaster``, ``order``, ``anchors``, ``coordinate``, ``horizon``). Versions read: 2 to 4
PROFILE_VERSION = 4
PROFILE_VERSIONS_READ = (2, 3, 4)
#: the fields that say what a cached step puts in place of the deep part (see :mod:`stepcache.core.forecast`)
FORECAST_FIELDS = ("forecaster", "order", "anchors", "coordinate", "horizon")


@dataclass(frozen=True)
class ProfileKey:
    """What a calibrated profile is valid for: the model's weights, the scheduler, the number of steps."""

    model_hash: str
    scheduler: str  # scheduler class name + hash of its config, see stepcache.calibrate.scheduler_id
    num_steps: int

    def check(self, scheduler: str | None = None, num_steps: int | None = None) -> None:
        """Refuse another scheduler (its :func:`stepcache.core.identity.scheduler_id`) or step count."""
        if scheduler is not None and scheduler != self.scheduler:
            raise ValueError(f"this calibrated profile was made for scheduler {self.scheduler}, the pipeline uses "
                             f"{scheduler}; recalibrate with stepcache calibrate")
        if num_steps is not None and num_steps != self.num_steps:
            raise ValueError(f"this calibrated profile was made for num_steps={self.num_steps} calls per stream, "
                             f"this generation makes {num_steps}; recalibrate with stepcache calibrate")


def _range(low, high, closed_low: bool = True, closed_high: bool = False) -> str:
    return f"{'[' if closed_low else '('}{low}, {high}{']' if closed_high else ')'}"


def check_int(name: str, value, low: int = 0, high: int | None = None) -> int:
    """``value`` as a Python int in ``[low, high]`` (``high=None``: no upper bound). Numpy integers are accepted;
    bools and non-integers raise TypeError, integers out of range ValueError."""
    rng = _range(low, "inf") if high is None else _range(low, high, closed_high=True)
    if isinstance(value, (bool, _np_bool())) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer in {rng}, got {value!r} ({type(value).__name__})")
    value = int(value)
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer in {rng}, got {value}")
    return value


def check_number(name: str, value, low: float = -math.inf, high: float = math.inf, low_open: bool = False,
                 high_open: bool = True) -> float:
    """``value`` as a finite Python float in the range (``low_open``/``high_open``: the ends excluded). Ints and
    numpy numbers are accepted; bools and non-numbers raise TypeError, values out of range (or not finite)
    ValueError."""
    rng = _range(_fmt(low), _fmt(high), not low_open, not high_open)
    if isinstance(value, (bool, _np_bool())) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in {rng}, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value) or value < low or value > high or (low_open and value == low) \
            or (high_open and value == high):
        raise ValueError(f"{name} must be a finite number in {rng}, got {value}")
    return value


def _fmt(x: float) -> str:
    return "inf" if x == math.inf else "-inf" if x == -math.inf else f"{x:g}"


def _np_bool():
    try:
        import numpy as np

        return np.bool_
    except ImportError:  # pragma: no cover
        return bool


def _check_point(name: str, value) -> int | float:
    """A window end: a step index (int >= 0, numpy integers too) or a fraction of the steps (float in [0, 1])."""
    if isinstance(value, (bool, _np_bool())) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a step index (int >= 0) or a fraction (float in [0, 1]), "
                        f"got {value!r} ({type(value).__name__})")
    if isinstance(value, numbers.Integral):
        return check_int(name, value, 0)
    value = float(value)
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} as a fraction must be a finite float in [0, 1], got {value}")
    return value


def _as_tuple(name: str, value, what: str) -> tuple:
    """A list / tuple / 1-d numpy array as a tuple (TypeError for anything else, e.g. a string or a number)."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__") or hasattr(value, "keys"):
        raise TypeError(f"{name} must be a sequence of {what}, got {value!r} ({type(value).__name__})")
    return tuple(value)


@dataclass(frozen=True)
class DeepCacheConfig:
    """How DeepCache runs: a full U-Net step every so often, cached (shallow-only) steps in between.

    Args:
        interval (int in [1, inf), default 3): N, the cache interval. ``1`` never caches (bit-identical to the plain
            model); with the uniform schedule, one step in N is full; with the adaptive one, at most N-1 cached
            steps in a row.
        branch (int in [1, inf), default 1): the skip branch whose shallow path runs on cached steps, numbered as
            in the paper: ``1`` is the skip from ``conv_in`` (the cheapest cached step), higher numbers go deeper.
            The upper end depends on the model (checked by :func:`stepcache.enable`); :func:`stepcache.branches`
            lists the valid ones.
        schedule (str, one of :data:`SCHEDULES`, default ``"uniform"``): ``"uniform"`` (full steps
            ``{start + i*N}``), ``"nonuniform"`` (the paper's Eq. 7, full steps denser around the center step
            ``c`` with power ``p``, computed sign-preserving as written), ``"nonuniform-reference"`` (the exact
            steps the paper's reference code produces), ``"adaptive"`` (decided online, see ``threshold``) or
            ``"calibrated"`` (the given ``full_steps``), or ``"first-block"`` (transformers: diffusers'
            FirstBlockCache rule, exactly: the residual the live head adds is compared with its value at the last
            full step, ``mean|r - p| / mean|p|``, and the step is cached when that is at most ``threshold``; no
            warm-up, no cap on cached steps in a row: ``interval`` is not used).
        center (int in [0, num_steps), default 15): c, the step around which the non-uniform schedules put more
            full steps. Checked against ``num_steps`` here when it is given, else at the first call.
        power (float in (1, inf), default 1.4): p, how strongly the non-uniform schedules concentrate full steps
            around c.
        start (int in [0, inf) or float in [0, 1], default 0): steps before this one are always full (a step
            index, or a fraction of the steps if a float).
        stop (int in [0, inf), float in [0, 1] or None, default None): steps from this one on are always full
            (index or fraction); ``None`` caches to the end. Must come after ``start`` (else nothing is cached).
        num_steps (int in [1, inf) or None, default None): the number of U-Net calls per stream, needed by
            schedules that depend on it (non-uniform, fractional windows) only when the U-Net is used without a
            pipeline; a pipeline tells it by itself. Given, it lets the whole config be checked here.
        threshold (float in [0, inf) or None, default None = 0.05): only for ``schedule="adaptive"`` (any other
            schedule refuses it), the error budget between two full steps; ``None`` stands for
            :data:`DEFAULT_THRESHOLD` and the config then holds 0.05. Each cached step's predicted error is how
            far the shallow feature entering the deep part has moved (relative L1) since the last full step,
            times the step's weight when ``weights`` is given; a step is cached while these add up to less than
            the threshold, else it runs full and the sum restarts. ``0`` never caches (bit-identical to the plain
            model); larger values cache more: faster, further from the plain output. ``interval`` caps the run
            of cached steps (at most N-1 in a row); ``start`` keeps the first steps full (warm-up), ``stop`` the
            last ones (e.g. ``stop=0.9``: the last 10% of the steps).
        weights (tuple of floats in [0, inf), one per step, or None): only for ``schedule="adaptive"``, the weight
            turning each step's drift into a predicted error of the final sample (how much an error at that step
            still shows at the end). ``stepcache calibrate`` measures them;
            ``DeepCacheConfig.from_profile(path, threshold=...)`` loads them. ``None``: all 1. A list or array is
            stored as a tuple.
        full_steps (tuple of increasing ints starting at 0, below ``num_steps`` if given; or None): required by,
            and only for, ``schedule="calibrated"``: the full steps (see :func:`stepcache.calibrate`);
            :meth:`from_profile` fills it, with the ``profile`` key the profile is valid for.
        profile (:class:`ProfileKey` or None): the model, scheduler and step count a calibrated profile was made
            for; :func:`stepcache.enable` refuses another model, the first call another scheduler or step count.
        first_blocks (int in [0, inf), default 1): F, for transformer denoisers (a stack of blocks): the first F
            blocks are live (run on every step). ``0``: no head block is live, a cached step runs only the model's
            embeddings and output layers (and the last B blocks) around the whole stack's stored residual, as
            MagCache and TeaCache do; the online schedules (``adaptive``, ``first-block``) watch the last live
            head block, so they need F >= 1. Ignored by U-Nets, which use ``branch``.
        last_blocks (int in [0, inf), default 0): B, for transformer denoisers: the last B blocks are live too. On a
            cached step the blocks between the first F and the last B are replaced by the residual they added at
            the last full step, on every stream the blocks carry. F + B must leave at least one block to skip.
        controlnet (bool, default True): on a ControlNet pipeline, also skip the ControlNet's own deep part on
            cached steps (only the residuals of the skips the shallow branch uses are computed). Not with the
            adaptive schedule, whose decision comes after the ControlNet has run.
        extrapolate (bool, default False): what a cached step puts in place of the deep part. ``False``: the deep
            feature (U-Net: the replayed modules' outputs; transformer: the skipped stack's residual) kept at the
            last full step, as DeepCache does. ``True``: that feature extrapolated to this step along the line
            through the last two full steps, ``f_l + (f_l - f_p) * (t - l) / (l - p)`` for full steps ``p < l <
            t`` (TaylorSeer's first order; the plain reused feature until two full steps are kept). Same MACs;
            keeps one more copy of the deep features. A shorthand for ``forecaster="taylor", order=1,
            coordinate="step", horizon=math.inf`` (:attr:`forecast` resolves it); not combined with those fields.
        forecaster (str, one of :data:`~stepcache.core.forecast.FORECASTERS`, default ``"reuse"``): what a cached
            step puts in place of the deep feature (U-Net: the replayed output a live layer reads; transformer:
            the skipped stack's residual), orthogonal to the schedule and the placement: ``"reuse"`` the last full
            step's (DeepCache), ``"taylor"`` TaylorSeer's expansion of order ``order`` over the last ``order + 1``
            full steps, ``"chebyshev"`` a least-squares Chebyshev fit of degree ``order`` over the last ``anchors``
            full steps (formulas in :mod:`stepcache.core.forecast`). Same MACs; each keeps more copies of the deep
            feature (``stepcache.summary(...).kept_bytes``).
        order (int in [1, 4] or None): the Taylor order / Chebyshev degree (None: 1 for taylor, 2 for chebyshev);
            only for a forecaster other than ``"reuse"``.
        anchors (int in [order + 1, 8] or None): only for ``"chebyshev"``, the full steps it fits (None: order + 2).
        coordinate (``"time"`` or ``"step"`` or None): only for a forecaster other than ``"reuse"``, what the
            distance between steps is measured by: ``"time"`` (default) the timestep the denoiser is called with
            (the scheduler's own time: DDPM/DDIM timesteps, a flow-matching sigma), ``"step"`` the step index.
        horizon (float in (0, inf] or None): only for a forecaster other than ``"reuse"``, the cap on how far a
            forecast reaches past the last full step, in spacings of the last two full steps (None: 1.0;
            ``math.inf``: no cap, as ``extrapolate=True``). Keeps long gaps bounded.

    Raises:
        TypeError: a field of the wrong type (e.g. ``interval=2.5``, ``profile="x"``).
        ValueError: a value out of range, a field the schedule does not use, or settings that contradict each
            other (``stop`` not after ``start``, ``center`` not below ``num_steps``).
    """

    interval: int = 3
    branch: int = 1
    schedule: str = "uniform"
    center: int = 15
    power: float = 1.4
    start: int | float = 0
    stop: int | float | None = None
    num_steps: int | None = None
    threshold: float | None = None
    full_steps: tuple[int, ...] | None = None
    weights: tuple[float, ...] | None = None
    profile: ProfileKey | None = None
    first_blocks: int = 1
    last_blocks: int = 0
    controlnet: bool = True
    extrapolate: bool = False
    forecaster: str = "reuse"
    order: int | None = None
    anchors: int | None = None
    coordinate: str | None = None
    horizon: float | None = None

    def __post_init__(self) -> None:
        def put(name, value):  # a frozen dataclass: store the normalised value (Python numbers, tuples)
            object.__setattr__(self, name, value)

        put("interval", check_int("interval", self.interval, 1))
        put("branch", check_int("branch", self.branch, 1))
        put("first_blocks", check_int("first_blocks", self.first_blocks, 0))
        put("last_blocks", check_int("last_blocks", self.last_blocks, 0))
        if not isinstance(self.schedule, str):
            raise TypeError(f"schedule must be a string, one of {', '.join(map(repr, SCHEDULES))}, "
                            f"got {self.schedule!r} ({type(self.schedule).__name__})")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {', '.join(map(repr, SCHEDULES))}, got {self.schedule!r}")
        put("center", check_int("center", self.center, 0))
        put("power", check_number("power", self.power, 1, low_open=True))
        put("start", _check_point("start", self.start))
        if self.stop is not None:
            put("stop", _check_point("stop", self.stop))
        if self.num_steps is not None:
            put("num_steps", check_int("num_steps", self.num_steps, 1))
        self._check_threshold(put)
        if self.first_blocks == 0 and self.decides_online:
            raise ValueError(f"first_blocks must be in [1, inf) for schedule={self.schedule!r}, got 0: it decides "
                             "each step from the output of the last live head block")
        if not isinstance(self.controlnet, (bool, _np_bool())):
            raise TypeError(f"controlnet must be True or False, got {self.controlnet!r} "
                            f"({type(self.controlnet).__name__})")
        put("controlnet", bool(self.controlnet))
        if not isinstance(self.extrapolate, (bool, _np_bool())):
            raise TypeError(f"extrapolate must be True or False, got {self.extrapolate!r} "
                            f"({type(self.extrapolate).__name__})")
        put("extrapolate", bool(self.extrapolate))
        self._check_forecaster(put)
        if self.profile is not None and not isinstance(self.profile, ProfileKey):
            raise TypeError(f"profile must be a stepcache.ProfileKey or None (DeepCacheConfig.from_profile fills "
                            f"it), got {self.profile!r} ({type(self.profile).__name__})")
        self._check_full_steps(put)
        self._check_weights(put)
        self._check_window()
        self._check_center()

    def _check_forecaster(self, put) -> None:
        """The forecast fields, their defaults filled in. ``extrapolate=True`` is a shorthand of its own (see
        :attr:`forecast`), so it refuses the forecaster fields beside it."""
        given = {k: getattr(self, k) for k in FORECAST_FIELDS[1:] if getattr(self, k) is not None}
        if self.extrapolate and (self.forecaster != "reuse" or given):
            raise ValueError("extrapolate=True is a shorthand for forecaster='taylor', order=1, coordinate='step', "
                             "horizon=inf (first order along the step index); give either extrapolate=True or the "
                             f"forecaster fields, got forecaster={self.forecaster!r}, {given}")
        if not isinstance(self.forecaster, str) or self.forecaster not in FORECASTERS:
            raise ValueError(f"forecaster must be one of {', '.join(map(repr, FORECASTERS))}, got {self.forecaster!r}")
        if self.forecaster == "reuse":
            for name, value in given.items():
                raise ValueError(f"{name} is only used by a forecaster other than 'reuse' (one of "
                                 f"{', '.join(map(repr, FORECASTERS[1:]))}), got {name}={value!r}")
            return
        order = DEFAULT_ORDER[self.forecaster] if self.order is None else self.order
        put("order", check_int("order", order, 1, MAX_ORDER))
        if self.forecaster == "chebyshev":
            anchors = self.order + 2 if self.anchors is None else self.anchors
            put("anchors", check_int("anchors", anchors, self.order + 1, MAX_ANCHORS))
        elif self.anchors is not None:
            raise ValueError(f"anchors is only used by forecaster='chebyshev' (taylor keeps order + 1 full steps), "
                             f"got anchors={self.anchors!r}")
        coordinate = "time" if self.coordinate is None else self.coordinate
        if coordinate not in COORDINATES:
            raise ValueError(f"coordinate must be one of {', '.join(map(repr, COORDINATES))}, got {coordinate!r}")
        put("coordinate", coordinate)
        horizon = DEFAULT_HORIZON if self.horizon is None else self.horizon
        if isinstance(horizon, (bool, _np_bool())) or not isinstance(horizon, numbers.Real):
            raise TypeError(f"horizon must be a number in (0, inf], got {horizon!r} ({type(horizon).__name__})")
        horizon = float(horizon)
        if not horizon > 0:  # also refuses nan
            raise ValueError(f"horizon must be a number in (0, inf], got {horizon}")
        put("horizon", horizon)

    @property
    def forecast(self) -> Forecast:
        """What cached steps put in place of the deep part, resolved: ``extrapolate=True`` is Taylor of order 1 along
        the step index, uncapped."""
        if self.extrapolate:
            return Forecast("taylor", 1, None, "step", math.inf)
        return Forecast(self.forecaster, self.order, self.anchors, self.coordinate, self.horizon)

    @property
    def forecasts(self) -> bool:
        """Whether cached steps forecast the deep feature from several full steps (anything but plain reuse)."""
        return self.extrapolate or self.forecaster != "reuse"

    def _check_threshold(self, put) -> None:
        uses = " or ".join(f"schedule={s!r}" for s in THRESHOLD_SCHEDULES)
        if self.threshold is None:
            if self.schedule in THRESHOLD_SCHEDULES:
                put("threshold", DEFAULT_THRESHOLD)
            return
        if self.schedule not in THRESHOLD_SCHEDULES:
            raise ValueError(f"threshold is only used by {uses}, not {self.schedule!r}: leave it out, or "
                             f"choose {uses}")
        put("threshold", check_number("threshold", self.threshold, 0))

    def _check_full_steps(self, put) -> None:
        if self.full_steps is None:
            if self.schedule == "calibrated":
                raise ValueError("full_steps must be a non-empty tuple of increasing step indices starting at 0 "
                                 "for schedule='calibrated', got None")
            return
        if self.schedule != "calibrated":
            raise ValueError(f"full_steps is only used by schedule='calibrated', not {self.schedule!r}")
        what = "increasing step indices (ints) starting at 0"
        steps = tuple(check_int("full_steps[]", s, 0) for s in _as_tuple("full_steps", self.full_steps, what))
        if not steps or list(steps) != sorted(set(steps)) or steps[0] != 0:
            raise ValueError(f"full_steps must be a non-empty tuple of {what} for schedule='calibrated', "
                             f"got {self.full_steps!r}")
        if self.num_steps is not None and steps[-1] >= self.num_steps:
            raise ValueError(f"full_steps must be steps in [0, {self.num_steps}) for num_steps={self.num_steps}, "
                             f"got {steps[-1]}")
        put("full_steps", steps)

    def _check_weights(self, put) -> None:
        if self.weights is None:
            return
        if self.schedule not in WEIGHT_SCHEDULES:
            uses = " or ".join(repr(s) for s in WEIGHT_SCHEDULES)
            raise ValueError(f"weights is only used by schedule={uses}, not {self.schedule!r}")
        w = _as_tuple("weights", self.weights, "numbers in [0, inf), one per step")
        for x in w:
            if isinstance(x, (bool, _np_bool())) or not isinstance(x, numbers.Real):
                raise TypeError(f"weights must be a tuple of numbers in [0, inf), one per step, got an entry "
                                f"{x!r} ({type(x).__name__})")
        w = tuple(float(x) for x in w)
        if not w or any(not math.isfinite(x) or x < 0 for x in w):
            raise ValueError("weights must be a non-empty tuple of finite numbers in [0, inf), one per step, "
                             f"got {self.weights!r}")
        if self.num_steps is not None and self.num_steps != len(w):
            raise ValueError(f"weights has {len(w)} entries, one per step, but num_steps is {self.num_steps}")
        put("weights", w)

    def _check_window(self) -> None:
        """``stop`` after ``start`` when both are comparable now (same kind, or ``num_steps`` known)."""
        start, stop, n = self.start, self.stop, self.num_steps
        if n is not None:
            check_window(n, self)
        elif stop is not None and isinstance(start, float) == isinstance(stop, float) and stop <= start:
            raise ValueError(f"stop must come after start (steps in [start, stop) may be cached), got "
                             f"start={start!r}, stop={stop!r}: nothing would be cached; use a later stop, or "
                             "stop=None to cache to the end")

    def _check_center(self) -> None:
        n = self.num_steps
        if self.schedule in NONUNIFORM_SCHEDULES and n is not None and self.interval > 1 and n > 1:
            check_center(self.center, n, self.schedule)

    @classmethod
    def from_profile(cls, path: str | Path, threshold: float | None = None,
                     interval: int | None = None) -> "DeepCacheConfig":
        """Load a profile written by ``stepcache calibrate``; enabling it on another model, scheduler or step count
        is refused.

        Without ``threshold``: the calibrated schedule (the profile's full steps), on the profile's placement (a
        U-Net branch, or a transformer's first/last live blocks). With it: the profile's threshold rule there -- the
        adaptive schedule, its decisions weighted by the profile's per-step weights, or for a ``stepcache plan``
        pick of ``first-block``, that rule; ``interval`` caps the cached steps in a row (default: no cap)."""
        text = Path(path).read_text()
        try:
            data = json.loads(text)
        except ValueError as e:
            raise ValueError(f"{path}: not a profile (not JSON: {e}); write one with stepcache calibrate") from None
        if not isinstance(data, dict) or data.get("version") not in PROFILE_VERSIONS_READ:
            version = data.get("version") if isinstance(data, dict) else None
            raise ValueError(f"{path}: profile version {version!r}, this stepcache reads versions "
                             f"{', '.join(map(str, PROFILE_VERSIONS_READ))}; recalibrate with stepcache calibrate (or "
                             "update stepcache, if the profile is newer)")
        if data.get("no_cache"):
            raise ValueError(f"{path}: not a DeepCache profile: stepcache plan recommends "
                             f"{data.get('recommendation', 'fewer steps without a cache')!r} for this model "
                             "(fewer uncached steps beat every caching rule at its budget); run that many steps "
                             "with DeepCache off")
        try:
            return cls.from_profile_data(data, threshold, interval)
        except ValueError as e:
            raise ValueError(f"{path}: {e}") from None

    @classmethod
    def from_profile_data(cls, data: dict, threshold: float | None = None,
                          interval: int | None = None) -> "DeepCacheConfig":
        """:meth:`from_profile` on a profile's fields (a dict, as the JSON holds them)."""
        key = ProfileKey(data["model_hash"], data["scheduler"], int(data["num_steps"]))
        where = dict(profile_placement(data), **profile_forecast(data))
        if threshold is None:
            return cls(schedule="calibrated", **where, full_steps=tuple(data["full_steps"]),
                       num_steps=key.num_steps, profile=key)
        interval = key.num_steps if interval is None else interval
        if data.get("threshold_schedule") == "first-block":  # a plan's first-block pick: the rule, no weights
            return cls(schedule="first-block", **where, threshold=threshold, interval=interval,
                       num_steps=key.num_steps, profile=key)
        if not data.get("adaptive_weights"):
            raise ValueError("this profile has no adaptive weights (they come with predictor='final')")
        return cls(schedule="adaptive", **where, threshold=threshold, interval=interval,
                   weights=tuple(float(w) for w in data["adaptive_weights"]), num_steps=key.num_steps, profile=key)

    @property
    def needs_num_steps(self) -> bool:
        """Whether the schedule can only be laid out once the number of steps is known."""
        fractional = isinstance(self.start, float) or isinstance(self.stop, float)
        return self.schedule not in ("uniform", "adaptive", "first-block") or fractional

    @property
    def decides_online(self) -> bool:
        """Whether each step is decided during the call, from a measured feature (adaptive, first-block)."""
        return self.schedule in THRESHOLD_SCHEDULES


def resolve_window(num_steps: int, config: DeepCacheConfig) -> tuple[int, int | None]:
    """``(start, stop)`` of ``config`` as step indices for ``num_steps`` steps (fractions rounded down)."""
    def at(point):
        return int(math.floor(point * num_steps)) if isinstance(point, float) else point
    return at(config.start), (None if config.stop is None else at(config.stop))


def check_window(num_steps: int, config: DeepCacheConfig) -> None:
    """Refuse a window ``[start, stop)`` that leaves no step to cache out of ``num_steps``."""
    start, stop = resolve_window(num_steps, config)
    if stop is not None and stop <= start:
        raise ValueError(f"stop must come after start (steps in [start, stop) may be cached), got "
                         f"start={config.start!r}, stop={config.stop!r}, i.e. steps [{start}, {stop}) of "
                         f"{num_steps}: nothing would be cached; use a later stop, or stop=None to cache to the end")


def check_center(center: int, num_steps: int, schedule: str = "nonuniform") -> None:
    """The non-uniform schedules' center must be one of the steps."""
    if not 0 <= center < num_steps:
        raise ValueError(f"center must be a step in [0, {num_steps}) for {num_steps} steps "
                         f"(schedule={schedule!r}), got center={center}; set DeepCacheConfig(center=...) below "
                         f"{num_steps} (the paper's choice is about 0.3 of the steps: center={round(0.3 * num_steps)})"
                         " or run more steps")


def placement_kwargs(placement) -> dict:
    """The :class:`DeepCacheConfig` keywords of a placement: a U-Net branch (an int) or a transformer's
    ``(first_blocks, last_blocks)``."""
    if isinstance(placement, tuple):
        return {"first_blocks": placement[0], "last_blocks": placement[1]}
    return {"branch": placement}


def profile_fields(placement) -> dict:
    """A profile's placement fields (the inverse of :func:`profile_placement`): ``branch`` for a U-Net,
    ``first_blocks``/``last_blocks`` for a transformer."""
    if isinstance(placement, tuple):
        return {"branch": None, "first_blocks": placement[0], "last_blocks": placement[1]}
    return {"branch": placement, "first_blocks": None, "last_blocks": None}


def profile_placement(data: dict) -> dict:
    """The placement keywords of a profile's JSON: ``first_blocks``/``last_blocks`` (transformer) or ``branch``."""
    if data.get("first_blocks") is not None:
        return {"first_blocks": int(data["first_blocks"]), "last_blocks": int(data.get("last_blocks") or 0)}
    return {"branch": int(data["branch"])}


def forecast_fields(config: DeepCacheConfig) -> dict:
    """A config's forecast fields, as a profile stores them (with ``extrapolate``, which version 3 reads)."""
    out = {k: getattr(config, k) for k in FORECAST_FIELDS}
    if out["horizon"] == math.inf:
        out["horizon"] = "inf"  # JSON has no infinity
    return dict(out, extrapolate=config.extrapolate)


def profile_forecast(data: dict) -> dict:
    """The forecast keywords of a profile's JSON (version 3: ``extrapolate`` alone)."""
    if data.get("forecaster") in (None, "reuse"):
        return {"extrapolate": bool(data.get("extrapolate", False))}
    out = {k: data.get(k) for k in FORECAST_FIELDS}
    if out["horizon"] == "inf":
        out["horizon"] = math.inf
    return out
