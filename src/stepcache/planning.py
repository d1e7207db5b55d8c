"""Quality per compute: which caching rule loses the least at a MAC budget, and is caching worth it at all?

:func:`plan_for` answers it for one pipeline, step count and budget by measuring every candidate on calibration
seeds against the uncached output at the user's step count:

* **fewer steps, uncached** (``steps``): the most steps whose MACs fit the budget;
* each **caching rule at the user's step count**, per placement (a U-Net branch, or a transformer's first/last
  live blocks): ``uniform`` (the smallest interval that fits), ``extrapolated`` (the same, its deep features
  extrapolated along the last two full steps: ``DeepCacheConfig(extrapolate=True)``), ``nonuniform`` (the
  paper's Eq. 7, center at 0.3 of the steps, the smallest interval that fits), ``calibrated`` (the full steps the
  calibration's dynamic programme chooses for the budget, :mod:`stepcache.calibration`),
  ``calibrated-extrapolated`` (those full steps, the deep features extrapolated), ``adaptive`` (the threshold whose
  MACs, summed over the calibration seeds, come closest to the budget without exceeding it; with the calibration's
  per-step weights when the predictor is ``"final"``) and, on a transformer, ``first-block`` (diffusers' FirstBlockCache rule at F1B0,
  the DBCache-like rule with more live blocks; its threshold searched the same way);
* **caching at fewer steps** (``cached-fewer-steps``): the uniform rule at N=2 and N=3 on the cheapest placement, at
  the most steps that fit the budget.

MACs are counted on every run (:func:`stepcache.summary`, ``torch.utils.flop_counter``) and expressed as a
fraction of the uncached run at the user's step count. A candidate whose MACs exceed the budget by more than
:data:`MATCH` (3%) is dropped; among the others the best mean measure (PSNR or SSIM against the uncached output,
per seed) wins. Every candidate's figures are kept (:meth:`Plan.table`, :meth:`Plan.to_json`).
:meth:`Plan.save_profile` writes the winner as a calibration profile (``DeepCacheConfig.from_profile`` loads it),
or, when fewer uncached steps win, a record saying "take N steps, no cache".

:func:`evaluate` re-measures every candidate on held-out seeds and gives the paired bootstrap std of each
candidate's difference to the pick: the pick should not lose to the best candidate by more than 2 paired std.

Note what the measure is: fidelity to the uncached output at the user's step count, not sample quality. Fewer
steps change the sample (a different discretisation of the same ODE) and so lose fidelity even where their
quality (e.g. FID) is as good.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from . import api
from . import calibration as cal
from .core import schedules
from .core.config import (PROFILE_VERSION, DeepCacheConfig, check_int, check_number, forecast_fields,
                          placement_kwargs, profile_fields)
from .core.identity import model_hash, scheduler_id
from .families import transformer

#: what :func:`plan_for` can rank by (both: higher is better)
MEASURES = ("psnr", "ssim")
#: the candidate kinds :func:`plan_for` builds
KINDS = ("steps", "uniform", "extrapolated", "nonuniform", "calibrated", "calibrated-extrapolated", "adaptive",
         "first-block", "cached-fewer-steps")
#: a candidate may exceed the MAC budget by this fraction (counting differences); beyond it, it is dropped
MATCH = 0.03
#: PSNR of identical images (inf) is counted as this many dB, so that means and differences stay finite
PSNR_CAP = 100.0
#: intervals of the "caching at fewer steps" combinations
FEWER_STEPS_INTERVALS = (2, 3)
#: the power of the non-uniform candidates (the paper's), and their center as a fraction of the steps
NONUNIFORM_POWER, NONUNIFORM_CENTER = 1.4, 0.3
#: the forecasters :func:`plan_for` can cross with the fixed schedules (name -> DeepCacheConfig keywords); ``taylor1``
#: is first order along the scheduler's time, capped at one spacing (the ``extrapolated`` kinds: along the step
#: index, uncapped)
FORECASTS = {"reuse": {}, "taylor1": {"forecaster": "taylor", "order": 1},
             "taylor2": {"forecaster": "taylor", "order": 2},
             "chebyshev": {"forecaster": "chebyshev", "order": 2, "anchors": 4}}
#: the forecasters plan_for crosses by default (taylor1 is close to the ``extrapolated`` kinds, measured anyway)
DEFAULT_FORECASTS = ("reuse", "taylor2", "chebyshev")


@dataclass
class Candidate:
    """One way to spend the budget: ``steps`` sampler steps with ``config`` (``None``: uncached), and its figures
    (per calibration seed, in the plan's seed order)."""

    name: str
    kind: str
    steps: int
    config: DeepCacheConfig | None
    mac_fraction: float = math.nan  # denoiser MACs / MACs of the uncached run at the plan's step count (seed mean)
    psnr: list = field(default_factory=list)  # dB, per seed (mean over the seed's images, capped at PSNR_CAP)
    ssim: list = field(default_factory=list)
    rel_l2: list = field(default_factory=list)  # ||out - ref|| / ||ref||, per seed
    macs: list = field(default_factory=list)  # MAC fraction, per seed (the adaptive rule's varies)
    pattern: str = ""  # full (F) / cached (C) pattern of stream 0 on the first seed ("" uncached)
    eligible: bool = True  # MACs within the budget (+ MATCH)
    note: str = ""  # how it was chosen (interval, threshold, predicted error...)
    predicted_error: float | None = None  # calibrated: the dynamic programme's objective
    placement: object = None  # transformer: (first_blocks, last_blocks); U-Net: the branch (None: config.branch)
    forecaster: str = "reuse"  # the name in FORECASTS of what its cached steps put in place of the deep part

    def mean(self, measure: str) -> float:
        return float(np.mean(getattr(self, measure)))

    def std(self, measure: str) -> float:
        values = getattr(self, measure)
        return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0

    @property
    def where(self):
        """Where the cache sits: the U-Net branch, or the transformer's ``(first_blocks, last_blocks)``."""
        if self.config is None:
            return None
        return self.placement if self.placement is not None else self.config.branch

    @property
    def branch(self) -> str | None:
        """:attr:`where` as the table names it: ``"1"`` (U-Net branch 1), ``"F1B0"`` (a transformer's live blocks)."""
        return None if self.config is None else cal.placement_name(self.where)

    @property
    def cached(self) -> bool:
        return self.config is not None

    def to_json(self) -> dict:
        config = None if self.config is None else _config_json(self.config)
        return {"name": self.name, "kind": self.kind, "forecaster": self.forecaster, "steps": self.steps,
                "config": config,
                "mac_fraction": self.mac_fraction, "eligible": self.eligible, "pattern": self.pattern,
                "note": self.note, "predicted_error": self.predicted_error,
                **{m: {"mean": self.mean(m), "std": self.std(m), "per_seed": list(getattr(self, m))}
                   for m in ("psnr", "ssim", "rel_l2")},
                "macs_per_seed": list(self.macs)}


def _config_json(config: DeepCacheConfig) -> dict:
    d = dataclasses.asdict(config)
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items()
            if v is not None and k not in ("controlnet", "profile")}


@dataclass
class Plan:
    """What :func:`plan_for` measured, and its pick (:attr:`best`)."""

    num_steps: int
    mac_budget: float  # fraction of the uncached MACs at num_steps
    measure: str
    seeds: list
    candidates: list  # of Candidate, in the order they were built
    model_hash: str
    scheduler: str
    predictor: str
    branches: list
    branch_fractions: dict  # branch -> MACs of a cached step / a full step, on the run's own inputs
    macs_full: int  # MACs of one full U-Net call on the run's inputs
    seconds: float
    created: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))

    @property
    def eligible(self) -> list:
        return [c for c in self.candidates if c.eligible]

    @property
    def best(self) -> Candidate:
        """The eligible candidate with the best mean measure on the calibration seeds (ties: fewer MACs)."""
        pool = self.eligible
        if not pool:
            raise ValueError(f"no candidate fits a MAC budget of {self.mac_budget:.3f} of uncached")
        return max(pool, key=lambda c: (c.mean(self.measure), -c.mac_fraction))

    @property
    def recommendation(self) -> str:
        b = self.best
        if not b.cached:
            return f"take {b.steps} steps, no cache"
        if b.config.decides_online:
            how = f"{b.config.schedule}, threshold {b.config.threshold:.4g}"
        else:
            how = f"{b.pattern.count('F')} full steps of {b.steps}"
        return f"cache: {b.name} at {b.steps} steps ({how}, {cal.placement_label(b.where)})"

    def table(self) -> str:
        """Every candidate's figures (markdown); the pick in bold, candidates over the budget marked."""
        m = self.measure
        lines = [f"| candidate | steps | branch | full / cached | MACs (of uncached {self.num_steps} steps) | "
                 f"PSNR dB (mean ± std) | SSIM (mean ± std) | rel. L2 | within budget |",
                 "|---|---|---|---|---|---|---|---|---|"]
        best = self.best if self.eligible else None
        for c in self.candidates:
            name = f"**{c.name}** (pick)" if c is best else c.name
            fc = (f"{c.pattern.count('F')} / {c.pattern.count('C')}" if c.cached else f"{c.steps} / 0")
            lines.append(f"| {name} | {c.steps} | {c.branch or '-'} | {fc} | {c.mac_fraction:.3f} | "
                         f"{c.mean('psnr'):.2f} ± {c.std('psnr'):.2f} | {c.mean('ssim'):.4f} ± {c.std('ssim'):.4f} "
                         f"| {c.mean('rel_l2'):.4f} | {'yes' if c.eligible else f'no (over by {_over(c, self)})'} |")
        lines.append("")
        lines.append(f"Budget: {self.mac_budget:.3f} of the uncached denoiser MACs at {self.num_steps} steps "
                     f"(speedup {1 / self.mac_budget:.2f}x, {MATCH:.0%} tolerance); measure: {m} against the "
                     f"uncached output at {self.num_steps} steps, mean over {len(self.seeds)} calibration seeds.")
        if best is not None:
            lines.append(f"Recommendation: {self.recommendation}.")
        return "\n".join(lines)

    def to_json(self) -> dict:
        best = self.best if self.eligible else None
        return {"num_steps": self.num_steps, "mac_budget": self.mac_budget, "speedup": 1 / self.mac_budget,
                "measure": self.measure, "seeds": list(self.seeds), "model_hash": self.model_hash,
                "scheduler": self.scheduler, "predictor": self.predictor, "branches": list(self.branches),
                "branch_fractions": {cal.placement_name(b): f for b, f in self.branch_fractions.items()},
                "macs_full": self.macs_full, "seconds": self.seconds, "created": self.created, "match": MATCH,
                "best": None if best is None else best.name,
                "recommendation": None if best is None else self.recommendation,
                "no_cache": None if best is None else not best.cached,
                "candidates": [c.to_json() for c in self.candidates]}

    def save_profile(self, path: str | Path) -> bool:
        """Write the pick to ``path``. A caching rule: a calibration profile (the format of
        :class:`stepcache.Profile`, plus a ``"plan"`` block) that ``DeepCacheConfig.from_profile`` loads: the
        uniform / extrapolated / non-uniform / calibrated (-extrapolated) winners as their full steps (schedule
        ``"calibrated"``; the extrapolating ones with ``extrapolate``), the adaptive winner with its weights (all 1
        for the plain rule) and the first-block winner as that rule, both for
        ``from_profile(path, threshold=...)`` (their full steps are those of the first calibration seed); on the
        winner's placement. Returns ``True``.

        Fewer uncached steps: a record ``{"no_cache": true, "recommendation": "take N steps, no cache", ...}``, no
        profile; returns ``False``."""
        best = self.best
        path = Path(path)
        block = {"recommendation": self.recommendation, "mac_budget": self.mac_budget,
                 "num_steps_planned": self.num_steps, "candidate": best.name, "kind": best.kind,
                 "steps": best.steps, "mac_fraction_of_planned": best.mac_fraction, "measure": self.measure,
                 "mean": best.mean(self.measure)}
        if not best.cached:
            record = {"version": PROFILE_VERSION, "no_cache": True, "recommendation": self.recommendation,
                      "num_steps": best.steps, "model_hash": self.model_hash, "scheduler": self.scheduler,
                      "plan": block}
            path.write_text(json.dumps(record, indent=2) + "\n")
            return False
        config = best.config
        weights = None
        if config.schedule == "adaptive":
            weights = list(config.weights) if config.weights is not None else [1.0] * best.steps
        if config.decides_online:
            block["use"] = (f"DeepCacheConfig.from_profile({str(path)!r}, threshold={config.threshold!r}, "
                            f"interval={config.interval})")
            block["threshold"], block["interval"] = config.threshold, config.interval
        else:
            block["use"] = f"DeepCacheConfig.from_profile({str(path)!r})"
        full = [i for i, k in enumerate(best.pattern) if k == "F"]
        profile = cal.Profile(
            version=PROFILE_VERSION, model_hash=self.model_hash, scheduler=self.scheduler, num_steps=best.steps,
            **profile_fields(best.where),
            threshold_schedule="first-block" if config.schedule == "first-block" else "adaptive",
            **forecast_fields(config),
            full_steps=full, speedup_target=1 / self.mac_budget,
            mac_fraction=best.mac_fraction * self.num_steps / best.steps, predicted_error=best.predicted_error,
            validation_error=best.mean("rel_l2"), adaptive_weights=weights,
            candidates={c.name: {"mac_fraction": c.mac_fraction, "eligible": c.eligible,
                                 "psnr": c.mean("psnr"), "ssim": c.mean("ssim"), "rel_l2": c.mean("rel_l2")}
                        for c in self.candidates},
            created=self.created)
        path.write_text(json.dumps(dict(dataclasses.asdict(profile), plan=block), indent=2) + "\n")
        return True


def _over(c: Candidate, plan: Plan) -> str:
    return f"{c.mac_fraction / plan.mac_budget - 1:.0%}"


# -- measuring ---------------------------------------------------------------------------------------------------------

def _images(x) -> np.ndarray:
    """A run's output as float64 NHWC: a pipeline output (``.images``), an array or a tensor; NCHW tensors and a
    single HWC image are accepted."""
    x = getattr(x, "images", x)
    if isinstance(x, (list, tuple)):
        x = np.stack([np.asarray(i) for i in x])
    a = x.detach().float().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    a = a.astype(np.float64)
    if a.ndim == 3 and a.shape[-1] in (1, 3, 4):
        a = a[None]
    elif a.ndim == 3:
        a = a[..., None]
    if a.ndim == 4 and a.shape[-1] not in (1, 3, 4) and a.shape[1] in (1, 3, 4):
        a = a.transpose(0, 2, 3, 1)
    if a.ndim != 4:
        raise ValueError(f"run must return images (N, H, W, C) in [0, 1], e.g. output_type='np'; got shape "
                         f"{a.shape}")
    return a


def _figures(out: np.ndarray, ref: np.ndarray) -> tuple[float, float, float]:
    """PSNR (capped), SSIM and relative L2 of one seed's output against the reference."""
    from .metrics import ssim

    if out.shape != ref.shape:
        raise ValueError(f"run returned shape {out.shape} here and {ref.shape} for the reference: a seed's output "
                         "must have the same shape at every step count")
    mse = ((out - ref) ** 2).reshape(len(out), -1).mean(1)
    with np.errstate(divide="ignore"):
        p = np.minimum(10 * np.log10(1.0 / mse), PSNR_CAP)
    n, h, w, c = out.shape
    flat = lambda a: a.transpose(0, 3, 1, 2).reshape(n * c, h, w)  # noqa: E731  one channel at a time
    s = ssim(flat(out), flat(ref)) if min(h, w) >= 7 else math.nan
    rel = float(np.linalg.norm(out - ref) / max(np.linalg.norm(ref), 1e-12))
    return float(p.mean()), float(s), rel


def _signature(x):
    """What a U-Net call's MACs depend on: the shapes of its tensors (not their values, nor the timestep)."""
    if isinstance(x, torch.Tensor):
        return tuple(x.shape) if x.ndim else "scalar"
    if isinstance(x, dict):
        return tuple((k, _signature(v)) for k, v in sorted(x.items(), key=lambda kv: str(kv[0])))
    if isinstance(x, (list, tuple)):
        return tuple(_signature(v) for v in x)
    return type(x).__name__


def _summary(pipe, memo: dict) -> api.Summary:
    """:func:`stepcache.summary`, with the MACs of a full and a cached call counted by the flop counter once per
    branch and input shapes (``memo``) rather than after every run."""
    ctrl = api.controller_of(pipe)
    args, kwargs = ctrl.last_inputs
    c = ctrl.config
    key = (c.branch, c.first_blocks, c.last_blocks, _signature(args), _signature(kwargs))
    if key not in memo:
        s = api.summary(pipe)
        memo[key] = (s.macs_full, s.macs_cached)
        return s
    return api.Summary(ctrl.config, tuple("".join(log) for log in ctrl.last_logs), *memo[key])


def _run_one(pipe, run, seed: int, steps: int, config: DeepCacheConfig | None, num_steps: int, memo: dict):
    """``run(pipe, seed, steps)`` with ``config`` (``None``: uncached, through ``interval=1``, bit-identical to
    the plain model), returning the images, the MAC fraction (of the uncached run at ``num_steps``) and the
    summary."""
    with api.cached(pipe, config or DeepCacheConfig(interval=1)):
        with torch.no_grad():
            out = _images(run(pipe, seed, steps))
        summary = _summary(pipe, memo)
    return out, summary.macs_per_step / summary.macs_full * steps / num_steps, summary


def _measure(pipe, run, cand: Candidate, seeds, refs, num_steps, memo: dict, cache=None) -> Candidate:
    cand.psnr, cand.ssim, cand.rel_l2, cand.macs = [], [], [], []
    for i, seed in enumerate(seeds):
        if cache is not None:
            out, frac, summary = cache[i]
        else:
            out, frac, summary = _run_one(pipe, run, seed, cand.steps, cand.config, num_steps, memo)
        p, s, r = _figures(out, refs[i])
        cand.psnr.append(p)
        cand.ssim.append(s)
        cand.rel_l2.append(r)
        cand.macs.append(frac)
        if i == 0:
            cand.pattern = summary.streams[0] if cand.cached else ""
    cand.mac_fraction = float(np.mean(cand.macs))
    return cand


# -- the candidates ----------------------------------------------------------------------------------------------------

def _uniform_macs(steps: int, interval: int, fraction: float, num_steps: int) -> float:
    k = len(schedules.uniform(steps, interval))
    return (k + (steps - k) * fraction) / num_steps


def _nonuniform_config(T: int, budget: float, where, fraction: float) -> DeepCacheConfig | None:
    center = min(T - 1, round(NONUNIFORM_CENTER * T))
    for n in range(2, T + 1):
        k = len(schedules.nonuniform(T, n, center, NONUNIFORM_POWER))
        if (k + (T - k) * fraction) / T <= budget:
            return DeepCacheConfig(schedule="nonuniform", interval=n, **placement_kwargs(where), center=center,
                                   power=NONUNIFORM_POWER, num_steps=T)
    return None


def _default_branches(fractions: dict, T: int, budget: float) -> list:
    """The (up to) three shallowest U-Net branches on which the budget leaves at least two full steps; on a
    transformer, of the choices of live blocks that leave two full steps, no live block (F0B0, as MagCache) and
    the two cheapest with a live head block (where the online rules can watch it)."""
    unet = all(isinstance(b, int) for b in fractions)
    order = sorted(fractions) if unet else sorted(fractions, key=fractions.get)
    ok = [b for b in order if (cal.full_steps_for_budget(T, fractions[b], 1 / budget) or 0) >= 2]
    if unet:
        return ok[:3]
    return [b for b in ok if b == (0, 0)] + [b for b in ok if b[0] >= 1][:2]


def _threshold_rule(pipe, run, seeds, refs, T, budget, where, weights, memo, schedule: str = "adaptive",
                    iterations: int = 10):
    """The threshold rule (``adaptive``, or ``first-block`` on a transformer) whose mean MACs over ``seeds`` come
    closest to ``budget`` without exceeding it: bisection on the threshold (log scale), as
    :func:`stepcache.calibration.adaptive_threshold` does, but the MACs summed over every calibration seed (that
    one reads the MACs of one generation). Returns the candidate, measured."""
    lo, hi = 1e-6, 10.0
    best = None
    name = f"{schedule}{'-weighted' if weights else ''} {_where(where)}"
    for _ in range(iterations):
        mid = math.sqrt(lo * hi)
        config = DeepCacheConfig(schedule=schedule, threshold=mid, **placement_kwargs(where), interval=T,
                                 weights=tuple(weights) if weights else None, num_steps=T)
        runs = [_run_one(pipe, run, s, T, config, T, memo) for s in seeds]
        frac = float(np.mean([r[1] for r in runs]))
        if frac <= budget:
            hi = mid
            if best is None or frac > best[1]:
                best = (config, frac, runs)
            if frac >= budget * (1 - MATCH):
                break
        else:
            lo = mid
    if best is None:
        return None
    config, frac, runs = best
    cand = Candidate(name, schedule, T, config, placement=where,
                     note=f"threshold {config.threshold:.4g} (searched on the calibration seeds' mean MACs)")
    return _measure(pipe, run, cand, seeds, refs, T, memo, cache=runs)


def _where(p) -> str:
    """A placement in a candidate's name: ``b1`` (U-Net branch 1), ``F1B0`` (a transformer's live blocks)."""
    return f"b{p}" if isinstance(p, int) else cal.placement_name(p)


def _check_run_inputs(num_steps, mac_budget, measure, seeds) -> tuple[int, float, list[int]]:
    num_steps = check_int("num_steps", num_steps, 2)
    mac_budget = check_number("mac_budget", mac_budget, 0.0, 1.0, low_open=True, high_open=True)
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(map(repr, MEASURES))}, got {measure!r}")
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise TypeError(f"seeds must be a sequence of ints, got {seeds!r}")
    seeds = [check_int("seeds[]", s, 0) for s in seeds]
    if not seeds:
        raise ValueError("seeds must list at least one seed")
    if len(set(seeds)) != len(seeds):
        raise ValueError("seeds lists a seed twice; give each once")
    return num_steps, mac_budget, seeds


def plan_for(pipe, run, num_steps: int, mac_budget: float, measure: str = "psnr",
             calibration_seeds=(0, 1, 2, 3), candidates=None, branches: list | None = None,
             predictor: str = "final", measure_seeds: int = 1, forecasters=None) -> Plan:
    """Measure the ways to spend ``mac_budget`` (a fraction of the denoiser MACs of the uncached run at
    ``num_steps`` steps, in (0, 1)) and pick the one closest to that uncached output.

    ``run(pipe, seed, steps)`` makes one generation for ``seed`` with ``steps`` sampler steps and returns its
    images in [0, 1] (e.g. ``pipe(prompt, num_inference_steps=steps, generator=torch.Generator().manual_seed(seed),
    output_type="np")``); it must be deterministic. ``measure``: ``"psnr"`` or ``"ssim"`` against the uncached
    output at ``num_steps``, per seed, averaged over ``calibration_seeds``.
    ``candidates``: the kinds to build (a subset of :data:`KINDS`; default all) and/or :class:`Candidate` objects
    of your own (name, kind, steps, config; ``first-block`` only on transformers). ``branches``: where the caching
    rules cache: U-Net branches (ints; default: up to three shallowest on which the budget leaves two full steps)
    or a transformer's ``(first_blocks, last_blocks)`` (default: of those that leave two full steps, F0B0 and the
    two cheapest with a live head block).
    ``predictor``: the calibration's cost model
    (see :func:`stepcache.calibrate`; ``"final"`` also gives the adaptive rule its per-step weights), measured on
    the first ``measure_seeds`` calibration seeds (cost matrices averaged).
    ``forecasters``: names in :data:`FORECASTS` crossed with the fixed schedules (uniform, non-uniform, calibrated
    -- placed for the forecaster, :func:`stepcache.calibration.best_full_steps_forecast` -- and caching at fewer
    steps); default :data:`DEFAULT_FORECASTS`. A candidate's name carries its forecaster (``uniform+taylor2 b1
    N=4``; reuse: no suffix).
    """
    t0 = time.perf_counter()
    T, budget, seeds = _check_run_inputs(num_steps, mac_budget, measure, calibration_seeds)
    if predictor not in ("output", "feature", "final"):
        raise ValueError(f"predictor must be 'output', 'feature' or 'final', got {predictor!r}")
    measure_seeds = check_int("measure_seeds", measure_seeds, 1, len(seeds))
    forecasters = list(DEFAULT_FORECASTS if forecasters is None else dict.fromkeys(forecasters))
    for f in forecasters:
        if f not in FORECASTS:
            raise ValueError(f"forecasters entries must be one of {', '.join(map(repr, FORECASTS))}, got {f!r}")
    kinds, custom = list(KINDS), []
    if candidates is not None:
        kinds = []
        for c in candidates:
            if isinstance(c, Candidate):
                custom.append(c)
            elif c in KINDS:
                kinds.append(c)
            else:
                raise ValueError(f"candidates entries must be one of {', '.join(map(repr, KINDS))} or "
                                 f"stepcache.planning.Candidate objects, got {c!r}")
    unet, _ = api.split(pipe)
    if api.controller_of(unet) is not None:
        raise RuntimeError("disable DeepCache before planning: the reference must be uncached")
    is_transformer = transformer.is_transformer(unet)
    if candidates is not None and "first-block" in kinds and not is_transformer:
        raise ValueError("candidates 'first-block' is a transformer rule (a stack of blocks); for a U-Net use "
                         "'adaptive'")
    if branches is not None:  # checked before any generation runs
        branches = cal.placements(pipe, branches)
        if len(set(branches)) != len(branches):
            raise ValueError("branches lists a branch twice; give each once")

    # the reference: uncached at T steps, per seed; the branches' MAC fractions on the run's own inputs
    refs, fractions, macs_full = [], None, None
    for seed in seeds:
        with api.cached(pipe, DeepCacheConfig(interval=1)):
            with torch.no_grad():
                refs.append(_images(run(pipe, seed, T)))
            if fractions is None:
                fractions = cal.placement_fractions(pipe)
                macs_full = api.summary(pipe).macs_full
    if measure == "ssim" and min(refs[0].shape[1:3]) < 7:
        raise ValueError(f"measure 'ssim' needs images of at least 7x7 pixels (its window), got "
                         f"{refs[0].shape[1]}x{refs[0].shape[2]}; use measure='psnr'")
    if branches is None:
        branches = _default_branches(fractions, T, budget)

    out: list[Candidate] = []
    memo: dict = {}

    def add(cand: Candidate | None):
        if cand is not None and all(c.name != cand.name for c in out):
            out.append(cand if cand.psnr else _measure(pipe, run, cand, seeds, refs, T, memo))

    few = math.floor(T * budget + 1e-9)
    if "steps" in kinds and 1 <= few < T:
        add(Candidate(f"{few} steps, no cache", "steps", few, None, note="the most uncached steps that fit"))
    def named(base: str, forecaster: str) -> str:  # "uniform b1 N=4" -> "uniform+taylor2 b1 N=4"
        if forecaster == "reuse":
            return base
        head, _, rest = base.partition(" ")
        return f"{head}+{forecaster} {rest}".strip()

    for b in branches:
        f = fractions[b]
        n = next((n for n in range(2, T + 1) if _uniform_macs(T, n, f, T) <= budget), None)
        for kind in [k for k in ("uniform", "extrapolated") if k in kinds] if n is not None else []:
            extrapolate = kind == "extrapolated"  # the same full steps, the deep features reused or extrapolated
            for fc in forecasters if kind == "uniform" else ["reuse"]:
                add(Candidate(named(f"{kind} {_where(b)} N={n}", fc), kind, T,
                              DeepCacheConfig(interval=n, extrapolate=extrapolate, **placement_kwargs(b),
                                              **FORECASTS[fc]), placement=b, forecaster=fc,
                              note="uniform, the deep feature extrapolated from the last two full steps" if
                              extrapolate else "the smallest interval that fits"))
        if "nonuniform" in kinds:
            config = _nonuniform_config(T, budget, b, f)
            for fc in forecasters if config is not None else []:
                add(Candidate(named(f"nonuniform {_where(b)} N={config.interval}", fc), "nonuniform", T,
                              dataclasses.replace(config, **FORECASTS[fc]), placement=b, forecaster=fc,
                              note=f"Eq. 7, center {config.center}, power {config.power}"))
    weights = {}
    calibrated = [k for k in ("calibrated", "calibrated-extrapolated") if k in kinds]
    if calibrated or ("adaptive" in kinds and predictor == "final"):
        costs, wsum, ratios = {}, {}, {}
        reachable = [b for b in branches if cal.full_steps_for_budget(T, fractions[b], 1 / budget) is not None]
        for seed in seeds[:measure_seeds] if reachable else []:
            m = cal.measure(pipe, lambda p, s=seed: run(p, s, T), reachable, predictor)
            for b, cost in m.costs.items():
                costs[b] = costs.get(b, 0) + cost / measure_seeds
                if m.weights[b] is not None:
                    wsum[b] = [x + w / measure_seeds for x, w in zip(wsum.get(b, [0.0] * len(cost)), m.weights[b])]
            if "calibrated" in calibrated and any(fc != "reuse" for fc in forecasters):
                r = cal.forecast_ratios(pipe, lambda p, s=seed: run(p, s, T), reachable,
                                        {fc: FORECASTS[fc] for fc in forecasters})
                for fc, per in r.items():
                    for b, ratio in per.items():
                        ratios.setdefault(fc, {})[b] = ratios.get(fc, {}).get(b, 0) + ratio / measure_seeds
        weights = wsum
        for b in reachable if calibrated else []:
            k = cal.full_steps_for_budget(T, fractions[b], 1 / budget)
            steps, predicted = cal.best_full_steps(costs[b], k)
            for kind in calibrated:  # the same full steps, the deep features reused or extrapolated
                config = DeepCacheConfig(schedule="calibrated", **placement_kwargs(b), full_steps=tuple(steps),
                                         num_steps=T, extrapolate=kind == "calibrated-extrapolated")
                add(Candidate(f"{kind} {_where(b)}", kind, T, config, predicted_error=predicted, placement=b,
                              note=f"{k} full steps by the dynamic programme (predictor {predictor!r}, "
                                   f"{measure_seeds} seed(s))" + (", extrapolated" if config.extrapolate else "")))
            for fc in [fc for fc in forecasters if fc in ratios] if "calibrated" in calibrated else []:
                fsteps, fpredicted = cal.best_full_steps_forecast(costs[b], ratios[fc][b], k)
                config = DeepCacheConfig(schedule="calibrated", **placement_kwargs(b), full_steps=tuple(fsteps),
                                         num_steps=T, **FORECASTS[fc])
                add(Candidate(named(f"calibrated {_where(b)}", fc), "calibrated", T, config,
                              predicted_error=fpredicted, placement=b, forecaster=fc,
                              note=f"{k} full steps by the dynamic programme placed for {fc} (predictor "
                                   f"{predictor!r} times the forecast ratio, {measure_seeds} seed(s))"))
    watched = [b for b in branches if not (is_transformer and b[0] == 0)]  # online rules watch a live head block
    if "adaptive" in kinds:
        for b in watched:
            add(_threshold_rule(pipe, run, seeds, refs, T, budget, b, weights.get(b), memo))
    if "first-block" in kinds and is_transformer:  # diffusers' FirstBlockCache rule (F1B0), DBCache-like otherwise
        for b in watched:
            add(_threshold_rule(pipe, run, seeds, refs, T, budget, b, None, memo, schedule="first-block"))
    if "cached-fewer-steps" in kinds and fractions:
        # the cheapest placement asked for; with none left by default (the budget leaves under two full steps at
        # T), the cheapest of all: caching at fewer steps may still fit where caching at T does not
        b = min(branches or fractions, key=lambda x: fractions[x])
        for n in FEWER_STEPS_INTERVALS:
            s = next((s for s in range(T - 1, 1, -1) if _uniform_macs(s, n, fractions[b], T) <= budget), None)
            for fc in forecasters if s is not None and s > few else []:
                add(Candidate(f"{s} steps, uniform{'' if fc == 'reuse' else '+' + fc} {_where(b)} N={n}",
                              "cached-fewer-steps", s, DeepCacheConfig(interval=n, **placement_kwargs(b),
                                                                       **FORECASTS[fc]),
                              placement=b, forecaster=fc, note="the most steps that fit at this N"))
    for c in custom:
        where = c.placement
        if where is None and c.config is not None and is_transformer:
            where = (c.config.first_blocks, c.config.last_blocks)
        add(dataclasses.replace(c, psnr=[], ssim=[], rel_l2=[], macs=[], placement=where))
    for c in out:
        c.eligible = c.mac_fraction <= budget * (1 + MATCH)
    if not out:
        raise ValueError(f"no candidate for a MAC budget of {budget:.3f} of uncached at {T} steps (kinds "
                         f"{kinds}, branches {branches})")
    scheduler = getattr(pipe, "scheduler", None)
    return Plan(num_steps=T, mac_budget=budget, measure=measure, seeds=seeds, candidates=out,
                model_hash=model_hash(unet), scheduler=scheduler_id(scheduler) if scheduler is not None else "none",
                predictor=predictor, branches=branches, branch_fractions=fractions, macs_full=int(macs_full),
                seconds=time.perf_counter() - t0)


# -- held-out evaluation -----------------------------------------------------------------------------------------------

@dataclass
class Evaluation:
    """Every candidate of a plan re-measured on held-out seeds, against the plan's pick."""

    plan: Plan
    seeds: list
    candidates: list  # of Candidate (fresh figures on the held-out seeds)
    pick: str  # the plan's pick (chosen on the calibration seeds)
    best: str  # the best candidate on the held-out seeds (within the budget there)
    paired_std: dict  # name -> bootstrap std of mean(candidate - pick) over the held-out seeds
    rounds: int

    def _by_name(self, name: str) -> Candidate:
        return next(c for c in self.candidates if c.name == name)

    @property
    def loss(self) -> float:
        """How much the pick loses to the held-out best (the measure's units; 0 when it is the best)."""
        m = self.plan.measure
        return self._by_name(self.best).mean(m) - self._by_name(self.pick).mean(m)

    @property
    def within(self) -> bool:
        """The pick loses to the held-out best by at most 2 paired std."""
        return self.loss <= 2 * self.paired_std[self.best] + 1e-12

    def table(self) -> str:
        m = self.plan.measure
        pick = self._by_name(self.pick)
        unit = " dB" if m == "psnr" else ""
        lines = [f"| candidate | MACs (held-out) | {m} (mean) | minus the pick | paired std | within budget |",
                 "|---|---|---|---|---|---|"]
        for c in self.candidates:
            tag = " (pick)" if c.name == self.pick else ""
            tag += " (held-out best)" if c.name == self.best else ""
            lines.append(f"| {c.name}{tag} | {c.mac_fraction:.3f} | {c.mean(m):.4f} | "
                         f"{c.mean(m) - pick.mean(m):+.4f} | {self.paired_std[c.name]:.4f} | "
                         f"{'yes' if c.eligible else 'no'} |")
        lines.append("")
        verdict = "within" if self.within else "NOT within"
        lines.append(f"Held-out ({len(self.seeds)} seeds): the pick {self.pick!r} loses {self.loss:.4f}{unit} to the "
                     f"best {self.best!r} (paired std {self.paired_std[self.best]:.4f}{unit}): {verdict} 2 paired "
                     f"std.")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"seeds": list(self.seeds), "pick": self.pick, "best": self.best, "loss": self.loss,
                "within_2_paired_std": self.within, "bootstrap_rounds": self.rounds,
                "paired_std": dict(self.paired_std), "candidates": [c.to_json() for c in self.candidates]}


def paired_bootstrap_std(a, b, rounds: int = 1000, seed: int = 0) -> float:
    """Std of the mean of ``a - b`` (paired per seed) over bootstrap resamples of the seeds."""
    d = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    if len(d) < 2:
        return 0.0
    idx = np.random.default_rng(seed).integers(0, len(d), (rounds, len(d)))
    return float(d[idx].mean(1).std(ddof=1))


def evaluate(plan: Plan, pipe, run, seeds, rounds: int = 1000) -> Evaluation:
    """Re-measure every candidate of ``plan`` on held-out ``seeds`` (same rules: the adaptive one keeps its
    threshold, so its MACs are measured again) and compare each with the plan's pick, paired per seed."""
    _, _, seeds = _check_run_inputs(plan.num_steps, plan.mac_budget, plan.measure, seeds)
    if len(seeds) < 2:
        raise ValueError("evaluate needs at least two held-out seeds (a paired std)")
    rounds = check_int("rounds", rounds, 2)
    T = plan.num_steps
    refs = []
    for seed in seeds:
        with api.cached(pipe, DeepCacheConfig(interval=1)):
            with torch.no_grad():
                refs.append(_images(run(pipe, seed, T)))
    fresh, memo = [], {}
    for c in plan.candidates:
        d = dataclasses.replace(c, psnr=[], ssim=[], rel_l2=[], macs=[])
        _measure(pipe, run, d, seeds, refs, T, memo)
        d.eligible = c.eligible and d.mac_fraction <= plan.mac_budget * (1 + MATCH)
        fresh.append(d)
    m = plan.measure
    pick = plan.best.name
    by = {c.name: c for c in fresh}
    pool = [c for c in fresh if c.eligible] or [by[pick]]
    best = max(pool, key=lambda c: (c.mean(m), -c.mac_fraction)).name
    std = {c.name: paired_bootstrap_std(getattr(c, m), getattr(by[pick], m), rounds) for c in fresh}
    return Evaluation(plan, seeds, fresh, pick, best, std, rounds)
