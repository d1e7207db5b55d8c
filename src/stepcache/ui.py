"""``stepcache ui``'s page: the uncached and the cached image side by side, and ``plan`` at a budget, in a local
Gradio page (``pip install 'stepcache[ui]'``).

The work is plain functions, testable without a browser: :func:`compare` makes one uncached and one cached image
of a :class:`Model` for one :class:`Request` and measures them; :func:`run_plan` runs
:func:`stepcache.planning.plan_for`. :func:`build_page` lays the Gradio page over them.

One pipeline per model, shared by every browser tab. Enabling DeepCache changes the shared denoiser (and a
diffusers scheduler keeps its state between steps), so every generation of a model -- the uncached run, enable,
the cached run, the summary, disable -- holds that model's lock: concurrent tabs queue and each gets exactly the
images a serial run gives; a setting never leaks into another tab's run.
"""

from __future__ import annotations

import html
import itertools
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from . import api, calibration as cal, metrics
from .core.config import DeepCacheConfig, check_int, check_number, placement_kwargs
from .families import transformer
from .planning import FORECASTS

#: the page's rules: label -> DeepCacheConfig schedule ("profile": ``DeepCacheConfig.from_profile``)
SCHEDULE_CHOICES = {"uniform": "uniform", "non-uniform": "nonuniform", "adaptive": "adaptive",
                    "first-block (transformers)": "first-block", "calibrated (profile file)": "profile"}
#: the page's forecasters (what a cached step puts in place of the deep part): label -> DeepCacheConfig keywords;
#: a label's first word is the name: ``extrapolate=True``, or the forecasters ``plan`` crosses (their keywords)
FORECAST_CHOICES = {label: ({"extrapolate": True} if label.startswith("extrapolate ") else
                            dict(FORECASTS[label.split()[0]]))
                    for label in ("reuse (DeepCache)", "extrapolate (first order along the step index)",
                                  "taylor1 (first order along the scheduler's time)",
                                  "taylor2 (TaylorSeer, second order)",
                                  "chebyshev (degree 2 over the last 4 full steps)")}
#: the plan tab's candidate kinds (stepcache.planning.KINDS); the default is a quick subset
PLAN_DEFAULT_KINDS = ("steps", "uniform", "extrapolated", "nonuniform", "calibrated")
#: images smaller than this are upscaled (nearest neighbour) to about this many pixels on their long side
SHOW_PIXELS = 384
UI_EXTRA = "pip install 'stepcache[ui]'"


@dataclass
class Model:
    """A loaded pipeline the page generates with, and how to call it."""

    name: str
    pipe: Any
    text: bool  # takes a prompt (text-to-image); else class labels (class-conditional, e.g. the MNIST digits)
    call: dict = field(default_factory=dict)  # extra keywords of every call
    prompts: tuple = ()  # example prompts (the embedded emoji models: the demo's 16)
    guidance: float | None = None  # default guidance (None: the pipeline takes none)
    classes: int | None = None  # class-conditional: labels in [0, classes)
    placements: dict = field(default_factory=dict)  # placement -> MAC fraction of a cached step (filled by warm_up)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def denoiser(self):
        return api.split(self.pipe)[0]

    @property
    def max_steps(self) -> int | None:
        return getattr(self.pipe.scheduler.config, "num_train_timesteps", None)

    def run(self, condition, seed: int, steps: int, guidance: float | None) -> np.ndarray:
        """One image (H, W, C) in [0, 1] for ``condition`` (a prompt, or a class label) and ``seed``."""
        gen = torch.Generator().manual_seed(int(seed))
        with torch.no_grad():
            if self.text:
                kw = dict(self.call)
                if guidance is not None:
                    kw["guidance_scale"] = guidance
                out = self.pipe(condition, num_inference_steps=steps, generator=gen, output_type="np", **kw)
            else:
                out = self.pipe([int(condition)], num_inference_steps=steps, generator=[gen], output_type="np",
                                guidance_scale=1.0 if guidance is None else guidance)
        return np.asarray(out.images[0], np.float64)

    def warm_up(self) -> None:
        """One short run (not timed by anyone), and the MAC fraction of every placement on this model's inputs."""
        with self.lock, api.cached(self.pipe, DeepCacheConfig(interval=1)):
            self.run(self.prompts[0] if self.text and self.prompts else ("a photo" if self.text else 0), 0, 2,
                     self.guidance)
            self.placements = cal.placement_fractions(self.pipe)


@dataclass(frozen=True)
class Request:
    """One comparison: the same condition, seed, steps and guidance, uncached and with ``config``."""

    condition: Any  # prompt (str) or class label (int)
    seed: int
    steps: int
    guidance: float | None
    config: DeepCacheConfig
    repeats: int = 1  # runs of each, alternating; the times are the fastest run of each


@dataclass
class Result:
    request: Request
    uncached: np.ndarray  # (H, W, C) in [0, 1]
    cached: np.ndarray
    seconds_uncached: float
    seconds_cached: float
    summary: api.Summary
    psnr: float
    ssim: float

    @property
    def speedup(self) -> float:
        return self.seconds_uncached / self.seconds_cached

    @property
    def macs_uncached(self) -> float:
        return self.summary.macs_full * self.summary.calls

    @property
    def macs_cached(self) -> float:
        return self.summary.macs_per_step * self.summary.calls


def check_request(model: Model, condition, seed, steps, guidance) -> tuple:
    """The fields of a request checked: one clear line naming the field and its valid range."""
    steps = check_int("steps", steps, 1, model.max_steps)
    seed = check_int("seed", seed, 0, 2 ** 63 - 1)
    if guidance is not None:
        guidance = check_number("guidance", guidance, 1.0)
    if model.text:
        if not isinstance(condition, str) or not condition.strip():
            raise ValueError("prompt must be some text, got an empty prompt")
    else:
        condition = check_int("digit class" if model.classes == 10 else "class", condition, 0, model.classes - 1)
    return condition, seed, steps, guidance


def rule_config(model: Model, steps: int, interval, placement: str | None, schedule: str, center=15, power=1.4,
                threshold=None, extrapolate: bool = False, profile: str | None = None,
                forecast: str | None = None) -> DeepCacheConfig:
    """The :class:`DeepCacheConfig` of the page's rule fields (``schedule``: a key or value of
    :data:`SCHEDULE_CHOICES`; ``forecast``: a key of :data:`FORECAST_CHOICES`, or its first word, e.g.
    ``"taylor2"``; ``extrapolate=True`` is the same as ``forecast="extrapolate"``); errors name the field and its
    valid range. A profile carries its own forecaster: ``forecast`` must then be None or the profile's."""
    schedule = SCHEDULE_CHOICES.get(schedule, schedule)
    if schedule not in SCHEDULE_CHOICES.values():
        raise ValueError(f"schedule must be one of {', '.join(SCHEDULE_CHOICES)}, got {schedule!r}")
    interval = check_int("interval", interval, 1)
    fc = forecast_kwargs(forecast, extrapolate)
    if schedule == "profile":
        if not profile:
            raise ValueError("profile: choose a profile file (stepcache calibrate or plan writes one) for the "
                             "calibrated schedule")
        t = None if threshold in (None, "", 0) else check_number("threshold", threshold, 0)
        config = DeepCacheConfig.from_profile(profile, threshold=t, interval=interval if t is not None else None)
        if config.num_steps != steps:
            raise ValueError(f"steps must be {config.num_steps} for this profile (it was calibrated for "
                             f"{config.num_steps} steps), got {steps}")
        if forecast not in (None, "") and forecast_name(config) != forecast_name(DeepCacheConfig(**fc)):
            raise ValueError(f"forecast must be {forecast_name(config)} for this profile (it was calibrated for "
                             f"that forecaster), got {forecast!r}")
        return config
    where = placement_kwargs(_placement(model, placement))
    if schedule == "uniform":
        return DeepCacheConfig(interval=interval, **fc, **where)
    if schedule == "nonuniform":
        return DeepCacheConfig(interval=interval, schedule="nonuniform", center=check_int("center", center, 0),
                               power=power, num_steps=steps, **fc, **where)
    if schedule == "first-block" and not isinstance(_placement(model, placement), tuple):
        raise ValueError("schedule first-block is for transformers (a stack of blocks); for a U-Net use adaptive")
    t = None if threshold in (None, "", 0) else threshold
    return DeepCacheConfig(interval=interval, schedule=schedule, threshold=t, **fc, **where)


def forecast_kwargs(forecast: str | None, extrapolate: bool = False) -> dict:
    """The DeepCacheConfig keywords of a forecast choice (a key of :data:`FORECAST_CHOICES` or its first word)."""
    by_word = {k.split()[0]: v for k, v in FORECAST_CHOICES.items()}
    if forecast in (None, ""):
        return dict(FORECAST_CHOICES["extrapolate (first order along the step index)"] if extrapolate else {})
    kw = FORECAST_CHOICES.get(forecast, by_word.get(forecast))
    if kw is None:
        raise ValueError(f"forecast must be one of {', '.join(by_word)}, got {forecast!r}")
    if extrapolate and kw != {"extrapolate": True}:
        raise ValueError(f"forecast {forecast!r} and extrapolate=True are two forecasters: choose one")
    return dict(kw)


def forecast_name(config: DeepCacheConfig) -> str:
    """The first word of the :data:`FORECAST_CHOICES` label of ``config``'s forecaster (``"reuse"``, ``"taylor2"``,
    ...; ``"taylor3"`` / ``"chebyshev3x5"`` for settings the page has no choice for)."""
    if config.extrapolate:
        return "extrapolate"
    for label, kw in FORECAST_CHOICES.items():
        if kw and "extrapolate" not in kw and all(getattr(config, k) == v for k, v in kw.items()):
            return label.split()[0]
    if config.forecaster == "reuse":
        return "reuse"
    f = config.forecast
    return f"taylor{f.order}" if config.forecaster == "taylor" else f"chebyshev{f.order}x{f.anchors}"


def forecast_label(config: DeepCacheConfig) -> str | None:
    """The :data:`FORECAST_CHOICES` label of ``config``'s forecaster (None: the page has no such choice)."""
    name = forecast_name(config)
    return next((k for k in FORECAST_CHOICES if k.split()[0] == name), None)


def _placement(model: Model, name: str | None):
    if not model.placements:
        raise RuntimeError(f"{model.name}: not warmed up (Model.warm_up counts the placements' MACs)")
    if name in (None, ""):
        return min(model.placements, key=model.placements.get)
    try:
        p = cal.parse_placement(name)
    except (ValueError, TypeError):
        p = None
    if p not in model.placements:
        raise ValueError(f"placement must be one of {', '.join(cal.placement_name(q) for q in model.placements)} "
                         f"for {model.name}, got {name!r}")
    return p


def compare(model: Model, request: Request, progress: Callable[[int, int], None] | None = None) -> Result:
    """The uncached and the cached image of ``request``, timed, with the cached run's summary and PSNR / SSIM
    against the uncached image. Holds the model's lock throughout (see the module's docstring).
    ``progress(done, total)`` is told of every denoiser call (all runs together). With ``repeats`` > 1 the
    uncached and the cached run alternate that many times and the fastest of each is reported."""
    r = request
    repeats = check_int("timing runs", r.repeats, 1, 20)
    handle, done, total = None, [0], 2 * r.steps * repeats
    counting = [False]  # the summary's MAC count calls the denoiser too: not a step

    def tick(module, args):
        if counting[0]:
            done[0] += 1
            progress(min(done[0], total), total)

    with model.lock:
        try:
            if progress is not None:
                handle = model.denoiser.register_forward_pre_hook(tick)
            times_u, times_c = [], []
            for _ in range(repeats):
                counting[0] = True
                t0 = time.perf_counter()
                uncached = model.run(r.condition, r.seed, r.steps, r.guidance)
                times_u.append(time.perf_counter() - t0)
                with api.cached(model.pipe, r.config):
                    t0 = time.perf_counter()
                    cached = model.run(r.condition, r.seed, r.steps, r.guidance)
                    times_c.append(time.perf_counter() - t0)
                    counting[0] = False
                    summary = api.summary(model.pipe)
            seconds_uncached, seconds_cached = min(times_u), min(times_c)
        finally:
            if handle is not None:
                handle.remove()
    return Result(r, uncached, cached, seconds_uncached, seconds_cached, summary,
                  metrics.psnr(cached[None], uncached[None]), _ssim(cached, uncached))


def _ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM of two (H, W, C) images, channel by channel (as ``stepcache plan`` measures it); NaN below 7x7."""
    if min(a.shape[:2]) < 7:
        return float("nan")
    return metrics.ssim(a.transpose(2, 0, 1), b.transpose(2, 0, 1))


def run_plan(model: Model, condition, steps: int, speedup: float, seeds: int = 2, first_seed: int = 0,
             kinds=PLAN_DEFAULT_KINDS, predictor: str = "final", guidance: float | None = None,
             progress: Callable[[int], None] | None = None):
    """:func:`stepcache.planning.plan_for` at ``speedup`` times fewer MACs on seeds ``first_seed..``, one image each
    of ``condition`` (a prompt; for a class-conditional model ``None``: class = seed mod classes). Holds the
    model's lock. ``guidance``: default the model's. ``progress(generations)`` is told after every generation."""
    from .planning import plan_for

    steps = check_int("steps", steps, 2, model.max_steps)
    speedup = check_number("speedup", speedup, 1.0, low_open=True)
    seeds = check_int("seeds", seeds, 2)
    if not kinds:
        raise ValueError("candidates: choose at least one kind")
    if model.text and (not isinstance(condition, str) or not condition.strip()):
        raise ValueError("prompt must be some text, got an empty prompt")
    guidance = model.guidance if guidance is None else guidance
    count = [0]

    def run(pipe, seed, n):
        c = seed % model.classes if condition is None else condition
        out = model.run(c, seed, n, guidance)[None]
        count[0] += 1
        if progress is not None:
            progress(count[0])
        return out

    with model.lock:
        return plan_for(model.pipe, run, steps, 1 / speedup, calibration_seeds=list(range(first_seed,
                        first_seed + seeds)), candidates=list(kinds), predictor=predictor)


# -- pictures ----------------------------------------------------------------------------------------------------------

def show(image: np.ndarray, pixels: int = SHOW_PIXELS) -> np.ndarray:
    """uint8 RGB, nearest-neighbour upscaled by a whole factor to about ``pixels`` on the long side."""
    a = np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)
    if a.shape[-1] == 1:
        a = np.repeat(a, 3, -1)
    k = max(1, pixels // max(a.shape[:2]))
    return a.repeat(k, 0).repeat(k, 1)


def heatmap(a: np.ndarray, b: np.ndarray, pixels: int = SHOW_PIXELS) -> tuple[np.ndarray, float]:
    """``|a - b|`` averaged over channels as a colour map (black: equal, yellow: the largest difference), and that
    largest difference (of [0, 1] pixel values)."""
    d = np.abs(a - b).mean(-1)
    top = float(d.max())
    x = d / top if top > 0 else d
    # a small inferno-like ramp: black -> purple -> orange -> yellow
    stops = np.array([[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]], np.float64)
    pos = x * (len(stops) - 1)
    i = np.clip(pos.astype(int), 0, len(stops) - 2)
    frac = (pos - i)[..., None]
    rgb = stops[i] * (1 - frac) + stops[i + 1] * frac
    return show(rgb / 255.0, pixels), top


def strip_html(summary: api.Summary) -> str:
    """The per-step full (F) / cached (C) pattern of every stream, as coloured cells."""
    rows = []
    for k, s in enumerate(summary.streams):
        cells = "".join(f'<span title="step {i}: {"full" if c == "F" else "cached"}" style="display:inline-block;'
                        f'width:14px;height:22px;margin:1px;border-radius:2px;background:'
                        f'{"#2563eb" if c == "F" else "#d1d5db"}"></span>' for i, c in enumerate(s))
        rows.append(f'<div class="sc-stream" data-pattern="{s}">stream {k}: {cells} '
                    f'<small>{s.count("F")} full, {s.count("C")} cached</small></div>')
    return ('<div id="sc-strip"><small>per step: <b style="color:#2563eb">full</b> / '
            '<b style="color:#6b7280">cached</b></small>' + "".join(rows) + "</div>")


def numbers_html(res: Result, top: float | None = None) -> str:
    """The measured figures, each in an element with an id (the browser test reads them)."""
    s = res.summary
    items = [("speedup", "speedup (measured)", f"{res.speedup:.2f}x"),
             ("time-uncached", "uncached", f"{res.seconds_uncached * 1000:.0f} ms"),
             ("time-cached", "cached", f"{res.seconds_cached * 1000:.0f} ms"),
             ("macs", "MACs uncached → cached", f"{res.macs_uncached / 1e9:.3f} → {res.macs_cached / 1e9:.3f} G"),
             ("mac-speedup", "speedup (MACs)", f"{s.ideal_speedup:.2f}x"),
             ("psnr", "PSNR", f"{res.psnr:.2f} dB"), ("ssim", "SSIM", f"{res.ssim:.4f}")]
    if top is not None:
        items.append(("max-diff", "largest difference (yellow)", f"{top:.3f}"))
    cells = "".join(f'<div style="padding:4px 10px"><div style="font-size:0.8em;opacity:0.7">{html.escape(label)}'
                    f'</div><div id="sc-{key}" style="font-size:1.3em;font-weight:600">{html.escape(value)}</div></div>'
                    for key, label, value in items)
    return f'<div id="sc-numbers" style="display:flex;flex-wrap:wrap">{cells}</div>'


def describe(config: DeepCacheConfig, model: Model) -> str:
    """The rule in a few words (the history table's column)."""
    where = (f"branch {config.branch}" if not transformer.is_transformer(model.denoiser)
             else f"F{config.first_blocks}B{config.last_blocks}")
    rule = {"nonuniform": f"non-uniform N={config.interval} c={config.center} p={config.power:g}",
            "adaptive": f"adaptive t={config.threshold:g}" if config.threshold is not None else "adaptive",
            "first-block": f"first-block t={config.threshold:g}" if config.threshold is not None else "first-block",
            "calibrated": f"calibrated ({len(config.full_steps or ())} full)"}.get(config.schedule,
                                                                                   f"uniform N={config.interval}")
    fc = forecast_name(config)
    return f"{rule}, {where}" + ("" if fc == "reuse" else f", {fc}")


def plan_figure(plan):
    """PSNR against MACs of every candidate, the pick marked, the budget as a line (a matplotlib figure)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    best = plan.best if plan.eligible else None
    for c in plan.candidates:
        x, y = c.mac_fraction, c.mean("psnr")
        ax.scatter([x], [y], s=40, color="#2563eb" if c.eligible else "#9ca3af", zorder=3)
        ax.annotate(c.name, (x, y), textcoords="offset points", xytext=(5, 4), fontsize=7)
    if best is not None:
        ax.scatter([best.mac_fraction], [best.mean("psnr")], s=260, marker="*", color="#dc2626", zorder=4,
                   label=f"pick: {best.name}")
        ax.legend(loc="best", fontsize=8)
    ax.axvline(plan.mac_budget, color="#dc2626", linestyle="--", linewidth=1)
    ax.set_xlabel(f"denoiser MACs (fraction of uncached at {plan.num_steps} steps; budget dashed)")
    ax.set_ylabel("PSNR against uncached (dB)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    plt.close(fig)
    return fig


def plan_rows(plan) -> list[list]:
    best = plan.best if plan.eligible else None
    rows = []
    for c in plan.candidates:
        fc = f"{c.pattern.count('F')} / {c.pattern.count('C')}" if c.cached else f"{c.steps} / 0"
        rows.append([("★ " if c is best else "") + c.name, c.steps, c.branch or "-", fc, round(c.mac_fraction, 3),
                     f"{c.mean('psnr'):.2f} ± {c.std('psnr'):.2f}", f"{c.mean('ssim'):.4f}",
                     "yes" if c.eligible else "no"])
    return rows


PLAN_COLUMNS = ["candidate", "steps", "placement", "full / cached", "MACs (of uncached)", "PSNR dB", "SSIM",
                "within budget"]
HISTORY_COLUMNS = ["#", "model", "prompt / class", "seed", "steps", "guidance", "rule", "full / cached",
                   "uncached ms", "cached ms", "speedup", "MAC speedup", "PSNR dB", "SSIM"]


# -- the page ----------------------------------------------------------------------------------------------------------

def one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


class Models:
    """The models the page has loaded, one pipeline each, shared by every tab; ``loader(name)`` loads one."""

    def __init__(self, loader: Callable[[str], Model], first: Model | None = None):
        self.loader = loader
        self.loaded: dict[str, Model] = {}
        self._lock = threading.Lock()
        if first is not None:
            self.loaded[first.name] = first

    def get(self, name: str) -> Model:
        name = (name or "").strip()
        if not name:
            raise ValueError("model: give emoji-sd, emoji-pixart, digits or a pipeline folder")
        if name in self.loaded:
            return self.loaded[name]
        with self._lock:  # one load per name, even when two tabs ask at once
            if name not in self.loaded:
                model = self.loader(name)
                model.warm_up()
                self.loaded[name] = model
            return self.loaded[name]


def _theme():
    gr = _gradio()
    return gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                             font_mono=["ui-monospace", "monospace"])  # no web fonts: the page works offline


def _gradio():
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        import gradio as gr
    except ImportError:
        raise ImportError(f"stepcache ui needs Gradio: {UI_EXTRA}") from None
    return gr


def _placement_choices(model: Model) -> list[tuple[str, str]]:
    return [(f"{cal.placement_label(p)}: {f:.1%} MACs", cal.placement_name(p))
            for p, f in sorted(model.placements.items(), key=lambda kv: -kv[1])]


def _cheapest(model: Model) -> str:
    return cal.placement_name(min(model.placements, key=model.placements.get))


def build_page(models: Models, first: str):
    """The Gradio Blocks of the page, on ``models``, starting with model ``first``."""
    from .planning import KINDS

    gr = _gradio()
    model0 = models.get(first)
    profiles = Path(tempfile.mkdtemp(prefix="stepcache-ui-"))  # the picks' profiles that Plan puts into Compare
    numbers_ = itertools.count(1)

    def model_fields(model: Model):
        kind = type(model.denoiser).__name__
        info = (f"**{model.name}**: {type(model.pipe).__name__}, denoiser {kind}, "
                f"{'prompts' if model.text else f'classes 0..{model.classes - 1}'}")
        return (info, gr.update(visible=model.text, value=model.prompts[0] if model.prompts else None),
                gr.update(visible=not model.text),
                gr.update(value=model.guidance if model.guidance is not None else 1.0,
                          interactive=model.guidance is not None),
                gr.update(choices=_placement_choices(model), value=_cheapest(model)))

    with gr.Blocks(title="stepcache: DeepCache, cached vs uncached") as page:
        model_name = gr.State(model0.name)
        history = gr.State([])
        plan_state = gr.State(None)
        gr.Markdown("## stepcache: what caching does to your images\nDeepCache (Ma, Fang, Wang, CVPR 2024): the "
                    "same prompt, seed and steps, uncached and cached, measured on this machine.")
        with gr.Row():
            model_box = gr.Dropdown(["emoji-sd", "emoji-pixart", "digits"], value=model0.name, label="model",
                                    allow_custom_value=True, scale=3, elem_id="sc-model-box",
                                    info="an embedded model, or a diffusers text-to-image pipeline folder")
            load = gr.Button("Load model", scale=1, elem_id="sc-load")
        info = gr.Markdown(model_fields(model0)[0], elem_id="sc-model-info")
        status = gr.Markdown(elem_id="sc-status")
        with gr.Tabs() as tabs:
            with gr.Tab("Compare", id="compare"):
                with gr.Row():
                    with gr.Column(scale=1, min_width=320):
                        prompt = gr.Textbox(label="prompt", elem_id="sc-prompt", lines=1, visible=model0.text,
                                            value=model0.prompts[0] if model0.prompts else None)
                        label = gr.Number(label="class (digit)", value=3, precision=0, elem_id="sc-class",
                                          visible=not model0.text)
                        with gr.Row():
                            seed = gr.Number(label="seed", value=0, precision=0, elem_id="sc-seed", min_width=80)
                            steps = gr.Number(label="steps", value=10, precision=0, elem_id="sc-steps", min_width=80)
                            guidance = gr.Number(label="guidance", elem_id="sc-guidance", min_width=80,
                                                 value=model0.guidance if model0.guidance is not None else 1.0,
                                                 interactive=model0.guidance is not None)
                        gr.Markdown("**The rule**")
                        placement = gr.Dropdown(_placement_choices(model0), value=_cheapest(model0),
                                                label="where: branch (U-Net) / live blocks F, B (transformer); "
                                                      "a cached step's MACs, of a full one",
                                                elem_id="sc-placement")
                        with gr.Row():
                            schedule = gr.Dropdown(list(SCHEDULE_CHOICES), value="uniform", label="schedule",
                                                   elem_id="sc-schedule", min_width=120)
                            interval = gr.Number(label="interval N", value=3, precision=0, elem_id="sc-interval",
                                                 min_width=80)
                        forecast = gr.Dropdown(list(FORECAST_CHOICES), value="reuse (DeepCache)",
                                               label="forecast: what a cached step puts in place of the deep part "
                                                     "(same MACs; a profile carries its own)",
                                               elem_id="sc-forecast")
                        with gr.Accordion("non-uniform, adaptive, calibrated, timing", open=False):
                            with gr.Row():
                                center = gr.Number(label="center c (non-uniform)", value=3, precision=0)
                                power = gr.Number(label="power p (non-uniform)", value=1.4)
                            threshold = gr.Number(label="threshold (0: the default; with a profile: 0 = its "
                                                        "calibrated full steps, else its threshold rule)",
                                                  value=0, elem_id="sc-threshold")
                            profile = gr.File(label="profile (from stepcache calibrate or plan)", type="filepath",
                                              file_types=[".json"], elem_id="sc-profile", height=120)
                            repeats = gr.Number(label="timing runs (the fastest of each is shown)", value=1,
                                                precision=0, elem_id="sc-repeats")
                        go = gr.Button("Generate", variant="primary", elem_id="sc-generate")
                    with gr.Column(scale=3):
                        with gr.Row():
                            img_uncached = gr.Image(label="uncached", elem_id="sc-uncached", format="png",
                                                    interactive=False, height=420)
                            img_cached = gr.Image(label="cached", elem_id="sc-cached", format="png",
                                                  interactive=False, height=420)
                        with gr.Row():
                            img_diff = gr.Image(label="difference |cached - uncached|", elem_id="sc-diff",
                                                format="png", interactive=False, height=260, scale=1)
                            with gr.Column(scale=2):
                                numbers = gr.HTML(elem_id="sc-numbers-box")
                                strip = gr.HTML(elem_id="sc-strip-box")
                table = gr.Dataframe(headers=HISTORY_COLUMNS, label="this session's runs", interactive=False,
                                     elem_id="sc-history", wrap=True)
            with gr.Tab("Plan", id="plan"):
                gr.Markdown("At a budget (this many times fewer denoiser MACs than uncached at *steps*), `stepcache "
                            "plan` measures fewer steps and the caching rules on a few seeds (the prompt of "
                            "Compare; for digits class = seed mod 10) and picks the one closest to the uncached "
                            "images.")
                with gr.Row():
                    budget = gr.Number(label="speedup budget (MACs)", value=2.0, elem_id="sc-budget")
                    plan_steps = gr.Number(label="steps", value=10, precision=0, elem_id="sc-plan-steps")
                    plan_seeds = gr.Number(label="seeds", value=2, precision=0, elem_id="sc-plan-seeds")
                    predictor = gr.Dropdown(["final", "output", "feature"], value="final", label="predictor")
                kinds = gr.CheckboxGroup(list(KINDS), value=list(PLAN_DEFAULT_KINDS), label="candidates")
                plan_go = gr.Button("Plan", variant="primary", elem_id="sc-plan")
                pick = gr.Markdown(elem_id="sc-pick")
                plan_table = gr.Dataframe(headers=PLAN_COLUMNS, label="candidates", interactive=False,
                                          elem_id="sc-plan-table")
                chart = gr.Plot(label="PSNR against MACs", elem_id="sc-chart")
                use = gr.Button("Use the pick in Compare", elem_id="sc-use")

        # -- events ----------------------------------------------------------------------------------------------

        def on_load(name):
            try:
                model = models.get(name)
            except Exception as e:
                raise gr.Error(one_line(e), print_exception=False) from None
            return (model.name, *model_fields(model), f"loaded {model.name}")

        model_outputs = [info, prompt, label, guidance, placement]
        load.click(on_load, [model_box], [model_name, *model_outputs, status])

        def on_generate(name, text, digit, seed_, steps_, guidance_, interval_, placement_, schedule_, center_,
                        power_, threshold_, forecast_, profile_, repeats_, rows, progress=gr.Progress()):
            try:
                model = models.get(name)
                condition, seed_i, steps_i, g = check_request(model, text if model.text else digit, seed_, steps_,
                                                              None if model.guidance is None else guidance_)
                config = rule_config(model, steps_i, interval_, placement_, schedule_, center_, power_, threshold_,
                                     profile=profile_,
                                     forecast=None if schedule_ == "calibrated (profile file)" else forecast_)
                progress(0, desc="waiting for the model" if model.lock.locked() else "generating")
                res = compare(model, Request(condition, seed_i, steps_i, g, config, repeats_),
                              lambda i, n: progress((i, n), desc="uncached and cached", unit="steps"))
            except Exception as e:
                raise gr.Error(one_line(e), print_exception=False) from None
            diff, top = heatmap(res.cached, res.uncached)
            s = res.summary
            rows = rows + [[len(rows) + 1, model.name, str(condition), seed_i, steps_i, "-" if g is None else g,
                            describe(config, model), f"{s.streams[0].count('F')} / {s.streams[0].count('C')}",
                            round(res.seconds_uncached * 1000), round(res.seconds_cached * 1000),
                            round(res.speedup, 2), round(s.ideal_speedup, 2), round(res.psnr, 2),
                            round(res.ssim, 4)]]
            return (show(res.uncached), show(res.cached), diff, numbers_html(res, top),
                    strip_html(s), rows[::-1], rows, f"generated: {describe(config, model)}")

        go.click(on_generate, [model_name, prompt, label, seed, steps, guidance, interval, placement, schedule,
                               center, power, threshold, forecast, profile, repeats, history],
                 [img_uncached, img_cached, img_diff, numbers, strip, table, history, status],
                 concurrency_limit=4, show_progress_on=[img_uncached, img_cached])

        def on_plan(name, text, speedup_, steps_, seeds_, predictor_, kinds_, guidance_, progress=gr.Progress()):
            try:
                model = models.get(name)
                if model.text and not (text or "").strip():
                    raise ValueError("prompt must be some text (the Compare tab's prompt), got an empty prompt")
                g = None if guidance_ is None or model.guidance is None else check_number("guidance", guidance_, 1.0)
                progress(0, desc="planning")
                plan = run_plan(model, text if model.text else None, steps_, speedup_, seeds_, kinds=kinds_,
                                predictor=predictor_, guidance=g,
                                progress=lambda n: progress((n, None), desc="plan", unit="generations"))
                pick_md = (f"**Pick:** {plan.recommendation} (mean PSNR {plan.best.mean('psnr'):.2f} dB, "
                           f"{plan.best.mac_fraction:.3f} of the uncached MACs; {plan.seconds:.0f} s)")
            except Exception as e:
                raise gr.Error(one_line(e), print_exception=False) from None
            return plan_rows(plan), plan_figure(plan), pick_md, plan, f"planned at {1 / plan.mac_budget:g}x"

        plan_go.click(on_plan, [model_name, prompt, budget, plan_steps, plan_seeds, predictor, kinds, guidance],
                      [plan_table, chart, pick, plan_state, status], concurrency_limit=4,
                      show_progress_on=[plan_table])

        def on_use(plan):
            if plan is None:
                raise gr.Error("run Plan first: its pick goes into Compare", print_exception=False)
            best = plan.best
            if not best.cached:
                return (gr.update(value=best.steps), gr.update(value="uniform"), gr.update(value=1), gr.update(),
                        gr.update(value=0), gr.update(value="reuse (DeepCache)"), gr.update(value=None),
                        gr.Tabs(selected="compare"),
                        f"the pick is {plan.recommendation}: no cache; Compare set to {best.steps} steps, interval "
                        "1 (the cached image then equals the uncached one)")
            path = profiles / f"profile-{next(numbers_)}.json"
            plan.save_profile(path)
            c = best.config
            return (gr.update(value=best.steps), gr.update(value="calibrated (profile file)"),
                    gr.update(value=c.interval if c.decides_online else 3),
                    gr.update(value=cal.placement_name(best.where)),
                    gr.update(value=c.threshold if c.decides_online else 0),
                    gr.update(value=forecast_label(c) or "reuse (DeepCache)"),
                    gr.update(value=str(path)), gr.Tabs(selected="compare"),
                    f"Compare set to the pick: {plan.recommendation}")

        use.click(on_use, [plan_state], [steps, schedule, interval, placement, threshold, forecast, profile,
                                          tabs, status])
    page.stepcache_profiles = profiles  # where the picks' profiles go (tests read the pick from there)
    return page


def launch(page, host: str = "127.0.0.1", port: int = 7860, block: bool = True, quiet: bool = False):
    """Serve the page on ``host:port`` (127.0.0.1 unless told otherwise); ``block=False`` returns at once."""
    page.queue(default_concurrency_limit=4)
    return page.launch(server_name=host, server_port=port, prevent_thread_lock=not block, quiet=quiet,
                       share=False, ssr_mode=False, theme=_theme(),
                       footer_links=[], inbrowser=False, show_error=True)


def free_port(host: str = "127.0.0.1") -> int:
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
