"""Beyond a fixed interval: look at how the deep features move (``analyze``), and choose the full steps from
measurements (``calibrate``).

``analyze`` runs one uncached generation and records, at every U-Net call, the deep feature that enters each
branch's shallow path (the input of the up layer that consumes the branch's skip, minus the skip itself): the
feature a cached step would reuse. The similarity of those features between every pair of steps is the paper's
Figure 3.

``calibrate`` turns the same records into a schedule. Reusing at step ``t`` the deep feature of the full step
``f < t`` costs (predicted) ``D[f, t]``, the relative L2 distance between the two features. For a budget of ``K``
full steps the set of full steps minimising the summed cost over all cached steps is found exactly by dynamic
programming over segments (each segment = one full step and the cached steps that reuse it). Branches are compared
by running each branch's best schedule once and measuring the output error against the uncached output.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from . import api
from .core import forecast as fc
from .core import hooks
from .core.config import (PROFILE_VERSION, DeepCacheConfig, check_int, check_number, forecast_fields,
                          placement_kwargs, profile_fields)
from .core.forecast import Forecast
from .core.generation import Stream, Tracker, find_caller
from .core.identity import model_hash, scheduler_id
from .families import transformer
from .families.unet import check_supported, layout


def placements(pipe, branches=None) -> list:
    """The placements to measure: U-Net branches (ints, default all), or for a transformer ``(first_blocks,
    last_blocks)`` pairs (default: the default live blocks of :class:`DeepCacheConfig`, ``(1, 0)``)."""
    model, _ = api.split(pipe)
    if not transformer.is_transformer(model):
        check_supported(model)
        n = layout(model).num_branches
        out = list(range(1, n + 1)) if branches is None else list(branches)
        for b in out:
            check_int("branches[]", b, 1)
            if not 1 <= b <= n:
                raise ValueError(f"branches must be in [1, {n}] for this model, got {b}")
        return out
    transformer.check_supported(model)
    default = DeepCacheConfig()
    out = [(default.first_blocks, default.last_blocks)] if branches is None else list(branches)
    for p in out:
        if not (isinstance(p, tuple) and len(p) == 2):
            raise TypeError(f"branches of a transformer are (first_blocks, last_blocks) pairs, got {p!r}")
        transformer.stack(model, check_int("first_blocks", p[0], 0), check_int("last_blocks", p[1], 0))
    return out


def placement_name(p) -> str:
    """``"3"`` for U-Net branch 3, ``"F2B1"`` for a transformer's first 2 and last 1 blocks live."""
    return str(p) if isinstance(p, int) else f"F{p[0]}B{p[1]}"


def placement_label(p) -> str:
    """A placement in words: ``"branch 3"``, ``"live blocks F2B1"``."""
    return f"branch {p}" if isinstance(p, int) else f"live blocks {placement_name(p)}"


def parse_placement(text: str):
    """The inverse of :func:`placement_name`: ``"3"`` -> 3, ``"F2B1"`` -> ``(2, 1)``; ValueError otherwise."""
    m = re.fullmatch(r"(\d+)|F(\d+)B(\d+)", str(text))
    if m is None:
        raise ValueError(f"a placement is a U-Net branch (an integer) or a transformer's live blocks as "
                         f"F<first>B<last> (e.g. F1B0), got {text!r}")
    return int(m[1]) if m[1] is not None else (int(m[2]), int(m[3]))


def placement_fractions(pipe, inputs=None) -> dict:
    """placement -> MACs of a cached step / a full step (:func:`stepcache.branches`), counted on ``inputs`` (``(args,
    kwargs)`` of one call), else on the last call of the enabled model, else (U-Net) at its sample size."""
    if inputs is None:
        ctrl = api.controller_of(pipe)
        inputs = ctrl.last_inputs if ctrl is not None else None
    return {(i.first_blocks, i.last_blocks) if isinstance(i, api.StackInfo) else i.branch: i.mac_fraction
            for i in api.branches(pipe, inputs)}


def record_deep_features(pipe, run, branches: list | None = None,
                         signals: dict | None = None) -> dict:
    """Run ``run(pipe)`` once, uncached, and return per placement (see :func:`placements`) the deep feature each
    step reused on a cached step would replace (float32, on CPU): on a U-Net the deep feature each call fed the
    branch's shallow path; on a transformer the residual the skipped blocks added to the image tokens. ``run`` is
    the user's own call, e.g. ``lambda p: p(prompt, num_inference_steps=50)``. If ``signals`` is a dict, it also
    receives per placement the feature the adaptive schedule watches at every step (U-Net: the skip feature
    entering the deep part; transformer: the last live head block's image tokens, or with no live head block the
    stack's input image tokens). Steps are counted as a generation counts them: where a step makes several calls
    (streams: Wan's or Flux's true CFG conditional and unconditional calls), the step's entry is its calls'
    features concatenated along the batch."""
    unet, _ = api.split(pipe)
    if api.controller_of(unet) is not None:
        raise RuntimeError("disable DeepCache before analysing: the features must come from uncached steps")
    branches = placements(pipe, branches)
    if transformer.is_transformer(unet):
        return _record_stack(unet, pipe, run, branches, signals)
    lay = layout(unet)
    skip_channels: dict[int, int] = {}
    records: dict[int, list[torch.Tensor]] = {b: [] for b in branches}
    handles = []

    def keep_skip(b):
        def hook(module, inputs, output):
            out = output if isinstance(output, torch.Tensor) else output[0]
            skip_channels[b] = out.shape[1]
            if signals is not None:
                signals.setdefault(b, []).append(out.detach().float().cpu())
        return hook

    def keep_deep(b):
        def hook(module, args, kwargs):
            x = args[0] if args else kwargs["input_tensor"]
            records[b].append(x[:, : x.shape[1] - skip_channels[b]].detach().float().cpu())
        return hook

    def attach():
        for b in branches:
            handles.append(unet.get_submodule(lay.producers[b - 1]).register_forward_hook(keep_skip(b)))
            handles.append(unet.get_submodule(lay.consumers[b - 1]).register_forward_pre_hook(keep_deep(b),
                                                                                               with_kwargs=True))
    return _by_step(records, signals, _run_hooked(pipe, run, attach, handles))


def _run_hooked(pipe, run, attach, handles: list) -> list[list[int]]:
    """``run(pipe)`` without grad, with the hooks ``attach()`` registers (their handles in ``handles``), all removed
    after, whatever happens. Returns per step the indices of its denoiser calls (see :func:`_count_steps`)."""
    steps: list[list[int]] = []
    try:
        handles.append(_count_steps(api.split(pipe)[0], steps))
        attach()
        with torch.no_grad():
            run(pipe)
    finally:
        for h in handles:
            h.remove()
    return steps


def _count_steps(model, steps: list):
    """A pre-hook on ``model`` that fills ``steps`` with, per step, the indices of the calls made at that step (one
    per stream), counted as a generation counts them (:mod:`stepcache.core.generation`: in a pipeline its loop
    index, else the timestep rule). ``run`` must make one generation."""
    read = transformer.read_call(model) if transformer.is_transformer(model) else hooks._read_unet
    tracker, calls = Tracker(), [0]

    def count(module, args, kwargs):
        pos = tracker.locate(find_caller(), *read(args, kwargs))
        tracker.settle()
        if pos.new_generation and calls[0]:
            raise ValueError("run(pipe) must make one generation (one pipeline call); it started a second one at "
                             f"denoiser call {calls[0] + 1}")
        while len(steps) <= pos.step:
            steps.append([])
        steps[pos.step].append(calls[0])
        calls[0] += 1
    return model.register_forward_pre_hook(count, with_kwargs=True)


def _by_step(records: dict, signals: dict | None, steps: list[list[int]]) -> dict:
    """Per-call records (and ``signals``, in place) regrouped per step: a step's calls concatenated along the
    batch."""
    def group(per_call: list) -> list:
        return [per_call[idx[0]] if len(idx) == 1 else torch.cat([per_call[i] for i in idx]) for idx in steps]
    if signals is not None:
        for p in list(signals):
            signals[p] = group(signals[p])
    return {p: group(feats) for p, feats in records.items()}


def _record_stack(model, pipe, run, placed: list, signals: dict | None) -> dict:
    """:func:`record_deep_features` on a transformer: hooks on the first and last skipped block (the stack's
    residual on the image tokens) and on the last live head block (the watched feature; with no live head block,
    F = 0, the stack's input image stream). The blocks' formats come from a probe at the first call (see
    :mod:`stepcache.families.transformer`); where the image stream changes shape inside the skipped span (a
    text + image concatenation), the last skipped block's output stands for the residual."""
    records = {p: [] for p in placed}
    handles = []
    formats: dict = {}
    probing = []

    def learn(module, args, kwargs):
        if not formats:
            probing.append(True)  # the probe's own forward records nothing
            try:
                formats.update(transformer.probe(model, args, kwargs).formats)
            finally:
                probing.clear()

    def hook_stack(p):
        st = transformer.stack(model, *p)
        first, last = (model.get_submodule(n) for n in (st.skipped[0], st.skipped[-1]))
        head = model.get_submodule(st.live_head[-1]) if st.live_head else None
        view = lambda name, block: transformer.Streams(block, formats[name])  # noqa: E731
        entry = []

        def keep_input(module, args, kwargs):
            if probing:
                return
            entry.append(view(st.skipped[0], first).read(args, kwargs)[0])
            if signals is not None and head is None:
                signals.setdefault(p, []).append(entry[-1].detach().float().cpu())

        def keep_residual(module, args, kwargs, output):
            if probing:
                return
            out, into = view(st.skipped[-1], last).image(output), entry.pop()
            records[p].append((out - into if out.shape == into.shape else out).detach().float().cpu())

        def keep_signal(module, args, kwargs, output):
            if probing:
                return
            signals.setdefault(p, []).append(view(st.live_head[-1], head).image(output).detach().float().cpu())

        handles.append(first.register_forward_pre_hook(keep_input, with_kwargs=True))
        handles.append(last.register_forward_hook(keep_residual, with_kwargs=True))
        if signals is not None and head is not None:
            handles.append(head.register_forward_hook(keep_signal, with_kwargs=True))

    def attach():
        handles.append(model.register_forward_pre_hook(learn, with_kwargs=True))
        for p in placed:
            hook_stack(p)

    return _by_step(records, signals, _run_hooked(pipe, run, attach, handles))


def distance_matrix(features: list[torch.Tensor]) -> np.ndarray:
    """D[i, j] = ||f_j - f_i|| / ||f_i||, per sample, averaged over the batch (0 on the diagonal, exactly)."""
    x = torch.stack([f.reshape(f.shape[0], -1).double() for f in features])  # (T, B, F)
    norms = x.norm(dim=2)  # (T, B)
    d = torch.cdist(x.transpose(0, 1), x.transpose(0, 1))  # (B, T, T)
    d = d / norms.T[:, :, None].clamp_min(1e-12)
    d = d.mean(0).numpy()
    np.fill_diagonal(d, 0.0)  # cdist may leave rounding noise on the diagonal; the distance of x to x is 0
    return d


def similarity_matrix(features: list[torch.Tensor]) -> np.ndarray:
    """Cosine similarity between the deep features of every pair of steps, averaged over the batch
    (1 on the diagonal, exactly)."""
    x = torch.stack([f.reshape(f.shape[0], -1).double() for f in features])
    u = x / x.norm(dim=2, keepdim=True).clamp_min(1e-12)
    s = torch.einsum("ibf,jbf->bij", u, u).mean(0).clamp(-1, 1).numpy()
    np.fill_diagonal(s, 1.0)  # a unit vector with itself: exactly 1 (floating-point dot products may round)
    return s


@dataclass(frozen=True)
class Analysis:
    similarity: dict[int, np.ndarray]  # branch -> (T, T) cosine similarity
    distance: dict[int, np.ndarray]  # branch -> (T, T) relative L2 distance D[i, j]
    mac_fraction: dict[int, float]  # branch -> MACs of a cached step / a full step

    def to_json(self) -> dict:
        return {"mac_fraction": {placement_name(b): f for b, f in self.mac_fraction.items()},
                "similarity": {placement_name(b): m.round(6).tolist() for b, m in self.similarity.items()},
                "distance": {placement_name(b): m.round(6).tolist() for b, m in self.distance.items()}}


def analyze(pipe, run, branches: list | None = None) -> Analysis:
    calls = []
    records = record_deep_features(pipe, lambda p: calls.append(record_trajectory(p, run)[0]), branches)
    fractions = placement_fractions(pipe, calls[0][0])
    return Analysis({b: similarity_matrix(f) for b, f in records.items()},
                    {b: distance_matrix(f) for b, f in records.items()},
                    {b: fractions[b] for b in records})


def plot_analysis(analysis: Analysis, path: Path, title: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    branches = sorted(analysis.similarity)
    cols = min(4, len(branches))
    rows = math.ceil(len(branches) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.0 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, b in zip(axes.flat, branches):
        ax.axis("on")
        im = ax.imshow(analysis.similarity[b], vmin=0, vmax=1, cmap="viridis")
        ax.set_title(f"{placement_label(b)} (cached step {analysis.mac_fraction[b]:.0%} MACs)", fontsize=8)
        ax.set_xlabel("step", fontsize=7)
        ax.set_ylabel("step", fontsize=7)
        ax.tick_params(labelsize=6)
    fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.6, label="cosine similarity of deep features")
    if title:
        fig.suptitle(title, fontsize=9)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# -- calibration ---------------------------------------------------------------------------------------------------

def best_full_steps(distance: np.ndarray, k: int) -> tuple[list[int], float]:
    """The ``k`` full steps (step 0 included) minimising sum over cached steps t of D[last full step before t, t].

    Exact dynamic programming over segments, O(k T^2)."""
    T = len(distance)
    k = max(1, min(k, T))
    # seg[f, e] = cost of full step f serving the cached steps f+1 .. e-1
    cum = np.concatenate([np.zeros((T, 1)), np.cumsum(distance, axis=1)], axis=1)  # cum[f, e] = sum D[f, :e]
    seg = cum - np.diagonal(cum)[:, None] - distance.diagonal()[:, None]  # sum D[f, f+1:e]
    inf = float("inf")
    best = np.full((k + 1, T + 1), inf)
    arg = np.zeros((k + 1, T + 1), dtype=int)
    # best[j, e]: j full steps cover steps 0 .. e-1, the last segment ending at e
    for e in range(1, T + 1):
        best[1, e] = seg[0, e]
    for j in range(2, k + 1):
        for e in range(j, T + 1):
            f = np.arange(j - 1, e)  # start of the last segment
            costs = best[j - 1, f] + seg[f, e]
            i = int(np.argmin(costs))
            best[j, e], arg[j, e] = costs[i], f[i]
    steps, e = [], T
    for j in range(k, 1, -1):
        f = arg[j, e]
        steps.append(int(f))
        e = f
    return [0] + sorted(steps), float(best[k, T])


def forecast_ratio(features: list[torch.Tensor], coords, forecast: Forecast) -> np.ndarray:
    """R[p, f, t] for full steps ``p < f`` and a cached step ``t > f``: how much closer the forecaster's forecast of
    step t from the full steps (p, f) comes to the uncached feature than reusing step f does,
    ``||forecast - F_t|| / ||F_f - F_t||`` (the features recorded on the uncached run, per sample, averaged over the
    batch; ``coords``: the steps' coordinates, see ``DeepCacheConfig.coordinate``). Forecasters keeping more full
    steps are measured from the last two (their higher orders start where a run has three)."""
    x = torch.stack([f.reshape(f.shape[0], -1).double() for f in features])  # (T, B, F)
    T = len(features)
    ratio = np.ones((T, T, T))
    for f in range(1, T - 1):
        reuse = (x[f + 1:] - x[f]).norm(dim=2).clamp_min(1e-12)  # (T-f-1, B)
        for p in range(f):
            w = np.array([fc.weights(forecast.forecaster, forecast.order, [coords[p], coords[f]], coords[t],
                                     forecast.horizon) for t in range(f + 1, T)])  # (T-f-1, 2)
            w = torch.from_numpy(w)
            guess = w[:, :1, None] * x[p] + w[:, 1:, None] * x[f]  # (T-f-1, B, F)
            err = (guess - x[f + 1:]).norm(dim=2)
            ratio[p, f, f + 1:] = (err / reuse).mean(1).numpy()
    return ratio


def best_full_steps_forecast(cost: np.ndarray, ratio: np.ndarray, k: int) -> tuple[list[int], float]:
    """:func:`best_full_steps` for a forecaster: a cached step t after the full steps ``p < f`` costs
    ``cost[f, t] * ratio[p, f, t]`` (``ratio``: :func:`forecast_ratio`), and ``cost[f, t]`` while f is the only full
    step so far (the forecaster then reuses). Exact dynamic programming over the last two full steps, O(k T^3)."""
    T = len(cost)
    k = max(1, min(k, T))
    cum = np.concatenate([np.zeros((T, 1)), np.cumsum(cost, axis=1)], axis=1)
    first = cum - np.diagonal(cum)[:, None] - cost.diagonal()[:, None]  # first[f, e]: f alone serves f+1 .. e-1
    pair = cost[None] * ratio  # (p, f, t)
    pcum = np.concatenate([np.zeros((T, T, 1)), np.cumsum(pair, axis=2)], axis=2)  # pcum[p, f, e] = sum_{t<e}
    idx = np.arange(T)
    # seg[p, f, e] = sum_{t = f+1}^{e-1} pair[p, f, t]
    seg = pcum - pcum[:, idx, idx + 1][:, :, None]
    inf = float("inf")
    if k == 1:
        return [0], float(first[0, T])
    # V[f, p]: the least cost of the cached steps before f with j full steps, the last two p < f
    V = np.full((T, T), inf)
    for f in range(1, T):
        V[f, 0] = first[0, f]
    back = [None]
    for _ in range(k - 2):
        new, arg = np.full((T, T), inf), np.zeros((T, T), dtype=int)
        for g in range(2, T):
            # new[g, f] = min_p V[f, p] + seg[p, f, g]
            c = V[:g, :g] + seg[:g, :g, g].T  # (f, p)
            arg[g, :g] = np.argmin(c, axis=1)
            new[g, :g] = c[np.arange(g), arg[g, :g]]
        back.append(arg)
        V = new
    total = V + seg[:, :, T].T  # (f, p)
    f, p = np.unravel_index(int(np.argmin(total)), total.shape)
    best = float(total[f, p])
    steps = [int(f), int(p)]
    for arg in reversed(back[1:]):
        f, p = p, arg[f, p]
        steps.append(int(p))
    return sorted(steps), best


def full_steps_for_budget(num_steps: int, mac_fraction: float, speedup: float) -> int | None:
    """How many full steps fit a MAC budget of 1/speedup of uncached at this branch (None: not reachable)."""
    target = 1.0 / speedup
    if target <= mac_fraction:
        return None
    return max(1, min(num_steps, math.floor(num_steps * (target - mac_fraction) / (1 - mac_fraction) + 1e-9)))


@dataclass(frozen=True)
class Profile:
    version: int
    model_hash: str
    scheduler: str
    num_steps: int
    branch: int | None  # U-Net; None on a transformer
    full_steps: list[int]
    speedup_target: float
    mac_fraction: float  # MACs of this schedule / uncached, counted on the calibration run
    predicted_error: float  # the DP objective: summed predicted error of the cached steps (see ``predictor``)
    validation_error: float  # relative L2 error of the output vs uncached, on the calibration run
    adaptive_weights: list[float] | None  # per step, for the adaptive schedule (predictor "final" only)
    candidates: dict  # placement -> {"full_steps", "predicted_error", "validation_error", "mac_fraction"}
    created: str
    first_blocks: int | None = None  # transformer: the live blocks (None on a U-Net)
    last_blocks: int | None = None
    threshold_schedule: str = "adaptive"  # the rule ``config(threshold=...)`` builds ("first-block": a plan's pick)
    extrapolate: bool = False  # the configs it builds extrapolate the deep features (a plan's pick)
    # the forecaster the full steps were placed for, and the configs it builds use (version 4; see DeepCacheConfig)
    forecaster: str = "reuse"
    order: int | None = None
    anchors: int | None = None
    coordinate: str | None = None
    horizon: float | str | None = None  # "inf" for no cap (JSON has no infinity)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2) + "\n")

    def config(self, threshold: float | None = None, interval: int | None = None) -> DeepCacheConfig:
        """The calibrated schedule; with ``threshold``, the adaptive one with this profile's weights (see
        :meth:`DeepCacheConfig.from_profile`)."""
        return DeepCacheConfig.from_profile_data(asdict(self), threshold, interval)


def _output(x) -> torch.Tensor:
    """What ``run`` returned, as a float64 tensor: a pipeline output (its ``.images`` or ``.frames``), the tuple a
    pipeline returns with ``return_dict=False`` (its first entry), a tensor (e.g. latents), an array, or a list of
    images or frames (PIL or arrays)."""
    got = type(x).__name__
    for name in ("images", "frames"):
        if hasattr(x, name):
            x = getattr(x, name)
            break
    else:
        if isinstance(x, tuple) and x and not isinstance(x[0], (int, float)):
            x = x[0]
    if not isinstance(x, torch.Tensor):
        try:
            x = torch.as_tensor(_array(x))
        except (TypeError, ValueError, RuntimeError):
            x = None
    if x is None or not (x.is_floating_point() or x.dtype in (torch.uint8, torch.int32, torch.int64)):
        raise ValueError(f"run must return what the pipeline returns (an output with .images or .frames, a tensor "
                         f"of latents, an array or a list of images), got {got}")
    return x.double()


def _array(x) -> np.ndarray:
    if isinstance(x, (list, tuple)):
        return np.stack([_array(i) for i in x])
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


class Trajectory(list):
    """The ``(args, kwargs)`` of every denoiser call of one run, in order; ``steps``: per step, the indices of its
    calls (one per stream), counted as a generation counts them."""

    steps: list[list[int]]


def record_trajectory(pipe, run) -> tuple[Trajectory, object]:
    """Run ``run(pipe)`` uncached; return the ``(args, kwargs)`` of every denoiser call and ``run``'s output."""
    model, _ = api.split(pipe)
    calls, output, handles = Trajectory(), [], []

    def keep(module, args, kwargs):
        calls.append((args, dict(kwargs)))

    def attach():
        handles.append(model.register_forward_pre_hook(keep, with_kwargs=True))

    calls.steps = _run_hooked(pipe, lambda p: output.append(run(p)), attach, handles)
    return calls, output[0]


def output_error_matrix(pipe, run, branch: int, trajectory: tuple | None = None) -> tuple[np.ndarray, object]:
    """E[f, t]: relative L2 error of the U-Net output at step t when it reuses the deep features of step f < t,
    against the uncached output at t, along the uncached trajectory of ``run(pipe)`` (recorded here unless
    ``trajectory`` from :func:`record_trajectory` is given). Costs one full call per step and one cached call per
    pair (cheap: a cached call runs only the shallow branch). Where a step makes several calls (streams), each
    reuses its own stream's features and the error is over all of them. Returns the matrix and ``run``'s uncached
    output."""
    unet, _ = api.split(pipe)
    calls, output = trajectory if trajectory is not None else record_trajectory(pipe, run)
    steps = getattr(calls, "steps", None) or [[i] for i in range(len(calls))]
    T = len(steps)
    error = np.zeros((T, T))
    with api.cached(pipe, DeepCacheConfig(interval=1, **placement_kwargs(branch))):
        ctrl = api.controller_of(unet)
        streams, outs = [], []
        for args, kwargs in calls:  # full steps along the trajectory, each keeping its deep features
            stream = Stream()
            outs.append(_sample(ctrl.probe(False, stream, args, kwargs)).double())
            streams.append(stream)
        for t in range(1, T):
            ref = torch.cat([outs[i].reshape(-1) for i in steps[t]])
            for f in range(t):
                out = torch.cat([_sample(ctrl.probe(True, streams[steps[f][min(k, len(steps[f]) - 1)]],
                                                    *calls[i])).double().reshape(-1)
                                 for k, i in enumerate(steps[t])])
                error[f, t] = float((out - ref).norm() / ref.norm().clamp_min(1e-12))
    return error, output


def _sample(out) -> torch.Tensor:
    return out[0] if isinstance(out, tuple) else getattr(out, "sample", out)


def final_error_matrix(pipe, run, branch: int, trajectory: tuple | None = None) -> np.ndarray:
    """F[f, t]: predicted error of the final output when step t reuses step f's deep features.

    Measured to first order: E[f, t] (:func:`output_error_matrix`) times the sensitivity of the final output to
    step t, s_t = (final error when only step t is cached, reusing step t-1) / E[t-1, t]; one generation per step.
    This accounts for how much an error at each step still moves the final sample."""
    error, reference = output_error_matrix(pipe, run, branch, trajectory)
    reference = _output(reference)
    T = len(error)
    final = np.zeros(T)
    for t in range(1, T):
        config = DeepCacheConfig(schedule="calibrated", **placement_kwargs(branch), num_steps=T,
                                 full_steps=tuple(i for i in range(T) if i != t))
        with api.cached(pipe, config):
            out = _output(run(pipe))
        final[t] = float((out - reference).norm() / reference.norm().clamp_min(1e-12))
    step_error = np.r_[1.0, np.diagonal(error, 1)]  # E[t-1, t]; step 0 is always full
    sensitivity = np.divide(final, step_error, out=np.zeros(T), where=step_error > 0)
    return error * sensitivity[None, :]


def signal_drift(signal: list[torch.Tensor]) -> list[float]:
    """Per step, how far the watched shallow feature moved from the step before (relative L1, as the adaptive
    schedule measures it); 0 for step 0."""
    return [0.0] + [float((signal[t] - signal[t - 1]).abs().mean() / signal[t - 1].abs().mean().clamp_min(1e-12))
                    for t in range(1, len(signal))]


def adaptive_weights(signal: list[torch.Tensor], final: np.ndarray) -> list[float]:
    """Per-step weights for the adaptive schedule: w_t = (measured final-sample error when only step t is cached)
    / (drift of the watched shallow feature from step t-1 to t, as the adaptive schedule measures it), so that
    ``w_t * drift`` predicts the final error of caching step t. ``final`` is :func:`final_error_matrix`'s matrix."""
    return _weights(signal_drift(signal), _single_step_errors(final))


def _single_step_errors(final: np.ndarray) -> list[float]:
    """Per step t, the final-sample error of caching step t alone (reusing t-1); 0 for step 0."""
    return [0.0] + np.diagonal(final, 1).tolist()


def _weights(drift: list[float], final_error: list[float]) -> list[float]:
    T = len(drift)
    weights = [final_error[t] / drift[t] if drift[t] > 0 else 0.0 for t in range(T)]
    weights[0] = weights[1] if T > 1 else 0.0  # step 0 is always full; any value serves
    return weights


@dataclass
class Measurement:
    """What :func:`measure` recorded from the uncached run(s): per branch the cost matrix of the dynamic programme
    and the adaptive weights, plus the uncached output. One measurement serves any number of budgets."""

    costs: dict  # branch -> (T, T) cost of reusing step f's deep features at step t
    weights: dict  # branch -> per-step adaptive weights (predictor "final") or None
    steps: dict  # branch -> per step: drift of the watched feature, and (predictor "final") final error if cached
    reference: torch.Tensor  # the uncached output of run(pipe)
    fractions: dict  # branch -> MACs of a cached step / a full step
    predictor: str
    forecast: dict | None = None  # the forecaster's DeepCacheConfig keywords the ratios are for (None: reuse)
    ratios: dict | None = None  # branch -> (T, T, T) forecast_ratio of that forecaster


def _check_speedup(speedup) -> None:
    check_number("speedup", speedup, 1.0, low_open=True)


def check_forecast(forecast) -> tuple[dict | None, Forecast | None]:
    """The forecast keywords of :func:`calibrate` (e.g. ``{"forecaster": "taylor", "order": 2}``), checked by
    :class:`DeepCacheConfig`; ``None`` or reuse: ``(None, None)``."""
    if forecast is None:
        return None, None
    if not isinstance(forecast, dict):
        raise TypeError(f"forecast must be a dict of DeepCacheConfig forecast keywords (forecaster, order, anchors, "
                        f"coordinate, horizon, or extrapolate), got {forecast!r} ({type(forecast).__name__})")
    unknown = set(forecast) - {"forecaster", "order", "anchors", "coordinate", "horizon", "extrapolate"}
    if unknown:
        raise ValueError(f"forecast takes the keywords forecaster, order, anchors, coordinate, horizon, extrapolate; "
                         f"got {', '.join(sorted(unknown))}")
    config = DeepCacheConfig(**forecast)
    if not config.forecasts:
        return None, None
    if config.extrapolate:
        return {"extrapolate": True}, config.forecast
    return {k: getattr(config, k) for k in ("forecaster", "order", "anchors", "coordinate", "horizon")}, \
        config.forecast


def _coordinates(pipe, calls: list, forecast: Forecast) -> list[float]:
    """Each recorded call's coordinate: its step index, or the timestep the denoiser was called with."""
    if forecast.coordinate == "step":
        return [float(i) for i in range(len(calls))]
    model, _ = api.split(pipe)
    read = transformer.read_call(model) if transformer.is_transformer(model) else hooks._read_unet
    out = []
    for args, kwargs in calls:
        t = read(args, kwargs)[1]
        out.append(float(t.reshape(-1)[0]) if isinstance(t, torch.Tensor) else float(t))
    return out


def measure(pipe, run, branches: list[int] | None = None, predictor: str = "final",
            speedups=None, forecast: dict | None = None) -> Measurement:
    """The measurements behind :func:`calibrate`: one uncached run, then per branch the cost matrix of
    ``predictor``. Branches that cannot reach any of ``speedups`` (if given) are skipped. With ``forecast`` (the
    forecaster's keywords), also per branch :func:`forecast_ratio` from the recorded deep features."""
    if predictor not in ("output", "feature", "final"):
        raise ValueError(f"predictor must be 'output', 'feature' or 'final', got {predictor!r}")
    forecast, spec = check_forecast(forecast)
    for speedup in speedups or ():
        _check_speedup(speedup)
    trajectory = {}

    def uncached(p):  # one uncached run serves the features, the reference output and the recorded U-Net calls
        trajectory["calls"], trajectory["output"] = record_trajectory(p, run)

    signals: dict[int, list[torch.Tensor]] = {}
    records = record_deep_features(pipe, uncached, branches, signals)
    recorded = (trajectory["calls"], trajectory["output"])
    fractions = placement_fractions(pipe, recorded[0][0])
    costs, weights, steps = {}, {}, {}
    for b, feats in records.items():
        if speedups and all(full_steps_for_budget(len(feats), fractions[b], x) is None for x in speedups):
            continue
        if predictor == "feature":
            costs[b] = distance_matrix(feats)
        elif predictor == "output":
            costs[b] = output_error_matrix(pipe, run, b, recorded)[0]
        else:
            costs[b] = final_error_matrix(pipe, run, b, recorded)
        steps[b] = {"drift": signal_drift(signals[b])}
        weights[b] = None
        if predictor == "final":
            steps[b]["final_error"] = _single_step_errors(costs[b])
            weights[b] = _weights(steps[b]["drift"], steps[b]["final_error"])
    ratios = None
    if spec is not None:
        coords = _coordinates(pipe, recorded[0], spec)
        ratios = {b: forecast_ratio(records[b], coords, spec) for b in costs}
    return Measurement(costs, weights, steps, _output(recorded[1]), {b: fractions[b] for b in records}, predictor,
                       forecast, ratios)


def forecast_ratios(pipe, run, branches: list, forecasts: dict) -> dict:
    """``{name: {branch: forecast_ratio}}`` for several forecasters (``forecasts``: name -> DeepCacheConfig forecast
    keywords), from one uncached ``run(pipe)`` whose deep features are recorded."""
    trajectory = {}

    def uncached(p):
        trajectory["calls"], _ = record_trajectory(p, run)

    records = record_deep_features(pipe, uncached, branches)
    out = {}
    for name, kw in forecasts.items():
        _, spec = check_forecast(kw)
        if spec is None:
            continue
        coords = _coordinates(pipe, trajectory["calls"], spec)
        out[name] = {b: forecast_ratio(records[b], coords, spec) for b in records}
    return out


def plan(pipe, run, measurement: Measurement, speedup: float) -> Profile:
    """The profile for ``speedup`` times fewer U-Net MACs: per branch the best full steps for the budget (exact
    dynamic programme over ``measurement``'s costs), checked by one cached ``run(pipe)`` each; the branch whose
    output comes closest to uncached wins."""
    _check_speedup(speedup)
    unet, _ = api.split(pipe)
    reference = measurement.reference
    candidates = {}
    for b, cost in measurement.costs.items():
        T = len(cost)
        k = full_steps_for_budget(T, measurement.fractions[b], speedup)
        if k is None:
            continue
        if measurement.ratios is not None:  # the full steps placed for the forecaster in use
            steps, predicted = best_full_steps_forecast(cost, measurement.ratios[b], k)
        else:
            steps, predicted = best_full_steps(cost, k)
        config = DeepCacheConfig(schedule="calibrated", **placement_kwargs(b), full_steps=tuple(steps), num_steps=T,
                                 **(measurement.forecast or {}))
        with api.cached(pipe, config):
            out = _output(run(pipe))
            summary = api.summary(pipe)  # MACs counted on this run's own inputs
        error = float((out - reference).norm() / reference.norm().clamp_min(1e-12))
        candidates[b] = {"full_steps": steps, "predicted_error": predicted, "validation_error": error,
                         "mac_fraction": summary.macs_per_step / summary.macs_full,
                         "adaptive_weights": measurement.weights[b], "per_step": measurement.steps[b]}
    if not candidates:
        cheapest = min(measurement.fractions.values())
        raise ValueError(f"speedup {speedup} is out of reach: even the cheapest branch costs {cheapest:.1%} of a "
                         f"full step per cached step (largest reachable speedup {1 / cheapest:.2f})")
    b = min(candidates, key=lambda c: candidates[c]["validation_error"])
    c = candidates[b]
    scheduler = getattr(pipe, "scheduler", None)
    return Profile(version=PROFILE_VERSION, model_hash=model_hash(unet),
                   scheduler=scheduler_id(scheduler) if scheduler is not None else "none",
                   num_steps=len(measurement.costs[b]), **profile_fields(b), full_steps=c["full_steps"],
                   speedup_target=speedup, mac_fraction=c["mac_fraction"], predicted_error=c["predicted_error"],
                   validation_error=c["validation_error"], adaptive_weights=c["adaptive_weights"],
                   candidates={placement_name(k): v for k, v in candidates.items()},
                   created=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                   **forecast_fields(DeepCacheConfig(**(measurement.forecast or {}))))


def calibrate(pipe, run, speedup: float, branches: list[int] | None = None, predictor: str = "final",
              forecast: dict | None = None) -> Profile:
    """Choose the full steps (and branch) for ``speedup`` times fewer U-Net MACs than uncached.

    ``run(pipe)`` makes one generation and returns its output (a pipeline output with ``.images``, an array or a
    tensor); it must be deterministic (fixed seeds). It is called once uncached, then once per candidate branch
    (and, for ``"final"``, once per step and branch).
    ``predictor``: what reusing step f's deep features at step t costs in the dynamic programme. ``"final"``
    (default): the measured U-Net output error of that reuse times the measured sensitivity of the final sample to
    step t (:func:`final_error_matrix`; one generation per step); it also gives the profile the per-step weights
    of the adaptive schedule (:func:`adaptive_weights`). ``"output"``: the output error alone; ``"feature"``: the
    distance between the deep features (cheapest, and on the embedded model no better than evenly spaced full
    steps; see benchmarks/results/beyond for "final"). For several budgets, :func:`measure` once and
    :func:`plan` each.
    ``forecast``: the forecaster the cached steps will use, as :class:`DeepCacheConfig` keywords (e.g.
    ``{"forecaster": "taylor", "order": 2}``; default: reuse). The dynamic programme then places the full steps for
    it: a cached step's cost depends on its anchors, the last two full steps before it
    (:func:`best_full_steps_forecast`), and the profile records the forecaster (its configs use it). Without it,
    the reuse path, exactly as before.
    """
    _check_speedup(speedup)
    check_forecast(forecast)
    return plan(pipe, run, measure(pipe, run, branches, predictor, speedups=[speedup], forecast=forecast), speedup)


def adaptive_threshold(pipe, run, speedup: float, branch=1, interval: int | None = None,
                       iterations: int = 12, profile: Profile | None = None) -> tuple[float, float]:
    """The adaptive budget (threshold) whose denoiser MACs come closest to ``1/speedup`` of uncached without
    exceeding it, by bisection on ``run(pipe)``; ``branch``: a U-Net branch or a transformer's ``(first_blocks,
    last_blocks)``. With ``profile``, the adaptive schedule uses its placement and weights. Returns ``(threshold,
    MAC fraction measured on that run)``."""
    lo, hi = 1e-6, 10.0
    best = (0.0, 1.0)
    for _ in range(iterations):
        mid = math.sqrt(lo * hi)
        config = profile.config(threshold=mid, interval=interval) if profile is not None else \
            DeepCacheConfig(schedule="adaptive", threshold=mid, **placement_kwargs(branch), interval=interval or 1000)
        with api.cached(pipe, config):
            run(pipe)
            s = api.summary(pipe)
        fraction = s.macs_per_step / s.macs_full
        if fraction <= 1 / speedup:
            hi = mid
            if fraction > best[1] or best[1] > 1 / speedup:
                best = (mid, fraction)
        else:
            lo = mid
    return best
