"""``stepcache bench``: the paper's Tables 1, 2 and 4 reproduced on the embedded model, side by side with the
official ``DeepCache`` package, plus a speed preset on a Stable-Diffusion-shaped U-Net.

Method. Quality and speed are measured in separate passes over the same settings:

* quality: ``samples`` images per setting (fixed seeds and classes, one generator per image), FID-domain against
  the real digits, PSNR / SSIM against the uncached images of the same seeds, classifier accuracy;
* speed: ``repeats`` rounds, each running every setting once on the same batch, in turn (interleaved); a setting's
  speedup is the median over rounds of uncached time / its time;
* ideal speedup: the median time of one full and of one cached U-Net call (same inputs), weighted by the schedule;
  efficiency = measured / ideal;
* MACs: counted by ``torch.utils.flop_counter`` (one full and one cached call, see :func:`stepcache.summary`).
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import platform
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from .. import api
from . import evaluation as ev
from ..core.config import DeepCacheConfig
from ..core.hooks import Stream
from .sampling import grid, load_embedded, markdown_table

PAPER_BRANCH = 3  # the paper's branch for its DDPM tables (Table 2)
_default_threads = torch.get_num_threads()


@dataclass(frozen=True)
class Setting:
    name: str
    steps: int
    config: DeepCacheConfig | None = None  # None: plain DDIM
    official: bool = False  # run the official DeepCache helper at the same settings instead of stepcache
    family: str = "uncached"  # uncached / uniform / non-uniform / fewer-steps / official

    def context(self, pipe):
        if self.config is None:
            return contextlib.nullcontext()
        if self.official:
            return _official(pipe, self.config)
        return api.cached(pipe, self.config)


@contextlib.contextmanager
def _official(pipe, config: DeepCacheConfig):
    from DeepCache import DeepCacheSDHelper

    helper = DeepCacheSDHelper(pipe)
    helper.set_params(cache_interval=config.interval, cache_branch_id=config.branch - 1)
    helper.enable()
    try:
        yield
    finally:
        helper.disable()


def deepcache_settings(steps: int, branches=(PAPER_BRANCH, 1), intervals=(2, 3, 5, 10),
                       nonuniform=(5, 10)) -> list[Setting]:
    rows = [Setting("uncached", steps), Setting("N=1 (enabled)", steps, DeepCacheConfig(interval=1), family="uniform")]
    for b in branches:
        rows += [Setting(f"uniform N={n} b={b}", steps, DeepCacheConfig(interval=n, branch=b), family="uniform")
                 for n in intervals]
    center = round(0.3 * steps)
    rows += [Setting(f"non-uniform N={n} b={PAPER_BRANCH}", steps,
                     DeepCacheConfig(interval=n, branch=PAPER_BRANCH, schedule="nonuniform", center=center),
                     family="non-uniform") for n in nonuniform]
    return rows


def beyond_settings(pipe, steps: int, targets, guidance: float, branch1_fraction: float,
                    calibration_samples: int = 20, iterations: int = 12, predictor: str = "final") -> list[Setting]:
    """At 2x, 3x, 4x fewer MACs (branch 1): uniform with K evenly spaced full steps, calibrated, adaptive (with the
    calibration's per-step weights, ``predictor="final"`` only) and adaptive unweighted (the drift alone).

    Calibration and the adaptive budget use their own seeds (10000 + i), never the evaluated ones."""
    from ..calibration import adaptive_threshold, full_steps_for_budget, measure, plan

    cal_labels = np.arange(calibration_samples) % 10
    cal_seeds = 10_000 + np.arange(calibration_samples)

    def run(p):
        return p(list(cal_labels), num_inference_steps=steps, guidance_scale=guidance, output_type="np",
                 generator=[torch.Generator().manual_seed(int(x)) for x in cal_seeds]).images

    rows = []
    measurement = measure(pipe, run, branches=[1], predictor=predictor)  # one measurement serves every budget
    for target in tqdm(targets, desc="calibrate / tune adaptive", unit="target"):
        k = full_steps_for_budget(steps, branch1_fraction, target)
        even = tuple(sorted({round(i * steps / k) for i in range(k)}))
        rows.append(Setting(f"uniform K={k} b=1 ({target}x)", steps,
                            DeepCacheConfig(schedule="calibrated", branch=1, full_steps=even, num_steps=steps),
                            family="uniform-K"))
        profile = plan(pipe, run, measurement, target)
        rows.append(Setting(f"calibrated K={len(profile.full_steps)} b=1 ({target}x)", steps, profile.config(),
                            family="calibrated"))
        cap = math.ceil(2 * steps / k)
        if profile.adaptive_weights:  # the adaptive schedule with the profile's measured per-step weights
            threshold, _ = adaptive_threshold(pipe, run, target, interval=cap, iterations=iterations,
                                              profile=profile)
            rows.append(Setting(f"adaptive t={threshold:.3g} b=1 ({target}x)", steps,
                                profile.config(threshold=threshold, interval=cap), family="adaptive"))
        threshold, _ = adaptive_threshold(pipe, run, target, branch=1, interval=cap, iterations=iterations)
        rows.append(Setting(f"adaptive unweighted t={threshold:.3g} b=1 ({target}x)", steps,
                            DeepCacheConfig(schedule="adaptive", threshold=threshold, branch=1, interval=cap),
                            family="adaptive-unweighted"))
    return rows


def _generate(pipe, setting: Setting, labels, seeds, guidance: float):
    gens = [torch.Generator().manual_seed(int(s)) for s in seeds]
    with setting.context(pipe):
        t0 = time.perf_counter()
        images = pipe(list(labels), num_inference_steps=setting.steps, guidance_scale=guidance, generator=gens,
                      output_type="np").images
        seconds = time.perf_counter() - t0
        summary = api.summary(pipe) if setting.config is not None and not setting.official else None
    return images, seconds, summary


class PeakRSS:
    """Peak resident memory growth of this process during a block, sampled from /proc every millisecond."""

    def __enter__(self):
        self.base = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _rss(self) -> int:
        try:
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * 4096
        except OSError:
            return 0

    def _watch(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(0.001)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())
        self.growth_mb = (self.peak - self.base) / 2**20


def _paired_order(settings: list[Setting], official: list[Setting], round_index: int) -> list[Setting]:
    """One speed round: every setting once, each official-helper row right beside its stepcache twin (so the
    ours/official ratio compares runs made seconds apart), the twin order alternating from round to round."""
    twins = {o.name.removeprefix("official "): o for o in official}
    order = []
    for s in settings:
        pair = [s, twins[s.name]] if s.name in twins else [s]
        order += pair if round_index % 2 == 0 else pair[::-1]
    return order


def _step_costs(pipe, repeats: int):
    """For the generation just run with DeepCache on: its summary, the ideal speedup from the median time of one
    full and one cached U-Net call on its last inputs (weighted by its schedule), and the cache's MB."""
    summary = api.summary(pipe)
    ctrl = pipe.unet._stepcache
    args, kwargs = ctrl.last_inputs
    stream = Stream()
    full, cached = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        ctrl.probe(False, stream, args, kwargs)
        full.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ctrl.probe(True, stream, args, kwargs)
        cached.append(time.perf_counter() - t0)
    t_full, t_cached = statistics.median(full), statistics.median(cached)
    n_full = sum(p.count("F") for p in summary.streams)
    ideal = summary.calls * t_full / (n_full * t_full + (summary.calls - n_full) * t_cached)
    cache_mb = sum(_nbytes(v) for v in stream.cache.values()) / 2**20
    return summary, ideal, cache_mb


def _nbytes(value) -> int:
    """Bytes of the tensors in a cached module output (a tensor, a tuple of them, or a diffusers output object)."""
    if isinstance(value, torch.Tensor):
        return value.numel() * value.element_size()
    if isinstance(value, (tuple, list)):
        return sum(_nbytes(v) for v in value)
    if isinstance(value, dict):  # diffusers' BaseOutput is an OrderedDict
        return sum(_nbytes(v) for v in value.values())
    return 0


def bench_embedded(out: Path, steps: int, samples: int, batch: int, timing_batch: int, repeats: int,
                   guidance: float = 1.0, intervals=(2, 3, 5, 10), with_official: bool = True,
                   threads: int = 1, quality_threads: int | None = None, targets=(2, 3, 4),
                   beyond_only: bool = False, predictor: str = "final", probe_repeats: int = 15) -> list[dict]:
    """All rows of the embedded-model table at one step count; writes the grids, returns the rows as dicts.
    ``probe_repeats``: timed full and cached U-Net calls per setting for the ideal speedup (at least ``repeats``).

    The quality pass runs on ``quality_threads`` (default: torch's), the speed pass on ``threads``."""
    pipe = load_embedded()
    torch.set_num_threads(quality_threads or _default_threads)
    per_call = 2 if guidance > 1 else 1  # classifier-free guidance doubles the U-Net batch
    branch_fraction = {b.branch: b.mac_fraction for b in api.branches(pipe)}
    settings = deepcache_settings(steps, intervals=intervals)
    if beyond_only:  # only the rows of the adaptive / calibrated comparison (and their baselines)
        settings, with_official = settings[:2], False
    labels, seeds = np.arange(samples) % 10, np.arange(samples)
    chunks = [slice(i, min(i + batch, samples)) for i in range(0, samples, batch)]
    results: dict[str, dict] = {}
    images: dict[str, np.ndarray] = {}

    # 1. quality pass. DeepCache rows first: their MACs decide the steps of the equal-MACs DDIM rows.
    def quality(group: list[Setting], desc: str):
        with tqdm(total=len(group) * len(chunks), desc=desc, unit="batch") as bar:
            for s in group:
                parts, fractions = [], []
                for sl in chunks:
                    imgs, _, summary = _generate(pipe, s, labels[sl], seeds[sl], guidance)
                    parts.append(imgs)
                    fractions.append(summary.macs_per_step / summary.macs_full if summary else 1.0)
                    bar.update(1)
                images[s.name] = np.concatenate(parts)
                c = s.config
                results[s.name] = {
                    "setting": s.name, "family": s.family, "steps": s.steps,
                    "interval": c.interval if c else 1, "branch": c.branch if c else None,
                    "schedule": c.schedule if c else None,
                    "branch_mac_fraction": branch_fraction[c.branch] if c else None,
                    # U-Net MACs of the whole generation relative to uncached at `steps` steps
                    "macs_fraction": float(np.mean(fractions)) * s.steps / steps,
                }

    quality(settings, f"quality, {steps} steps")
    if targets:
        settings += beyond_settings(pipe, steps, targets, guidance, branch_fraction[1],
                                    calibration_samples=min(20, samples), iterations=8 if samples < 100 else 12,
                                    predictor=predictor)
        quality([s for s in settings if s.name not in results], "quality, calibrated / adaptive")
    fewer = {}
    for s in settings[2:]:
        n = max(1, round(steps * results[s.name]["macs_fraction"]))
        fewer.setdefault(n, Setting(f"DDIM {n} steps", n, family="fewer-steps"))
    fewer_settings = sorted(fewer.values(), key=lambda s: -s.steps)
    quality(fewer_settings, "quality, fewer steps")
    settings += fewer_settings

    base = images["uncached"]
    for stale in (out / "grids" / f"{steps}-steps").glob("*.png"):  # grids of an earlier run's settings
        stale.unlink()
    for s in settings:
        r, imgs = results[s.name], images[s.name]
        feats = ev.features(imgs)  # classifier features, once for the FID-domain and its bootstrap
        r.update(fid_domain=ev.fid_domain(imgs, feats),
                 fid_bootstrap=ev.fid_domain_bootstrap(imgs, feats=feats).tolist(), accuracy=ev.accuracy(imgs, labels),
                 psnr_vs_uncached=ev.psnr(imgs, base), ssim_vs_uncached=ev.ssim(imgs, base),
                 max_abs_diff_vs_uncached=float(np.abs(imgs - base).max()))
        name = s.name.replace(" ", "_").replace("=", "").replace("(", "").replace(")", "")
        grid([(s.name if i == 0 else "", imgs[i * 10:(i + 1) * 10]) for i in range(min(4, samples // 10))],
             out / "grids" / f"{steps}-steps" / f"{name}.png")

    # 2. speed pass: interleaved rounds on one batch, the official helper's rows beside ours
    torch.set_num_threads(threads)
    official = [Setting(f"official {s.name}", steps, s.config, official=True, family="official")
                for s in settings if with_official and s.family == "uniform" and s.config.interval > 1]
    timed = settings + official
    t_labels, t_seeds = labels[:timing_batch], seeds[:timing_batch]
    times = {s.name: [] for s in timed}
    outputs, peak = {}, {}
    with tqdm(total=(repeats + 1) * len(timed), desc=f"speed, {steps} steps", unit="run") as bar:
        for s in timed:  # round 0, untimed: warm-up, outputs, peak memory
            with PeakRSS() as mem:
                outputs[s.name], _, _ = _generate(pipe, s, t_labels, t_seeds, guidance)
            peak[s.name] = mem.growth_mb
            bar.update(1)
        for k in range(repeats):
            for s in _paired_order(settings, official, k):
                times[s.name].append(_generate(pipe, s, t_labels, t_seeds, guidance)[1])
                bar.update(1)

    # 3. ideal speedup from measured full-step and cached-step times; MACs per step
    macs_full = None
    step_cost = {}
    for s in settings:
        if s.config is None:
            continue
        with api.cached(pipe, s.config):
            pipe(list(t_labels), num_inference_steps=s.steps, guidance_scale=guidance,
                 generator=[torch.Generator().manual_seed(int(x)) for x in t_seeds], output_type="np")
            summary, ideal, cache_mb = _step_costs(pipe, max(probe_repeats, repeats))
        macs_full = summary.macs_full / (timing_batch * per_call)
        step_cost[s.name] = (ideal, cache_mb, summary.macs_per_step / (timing_batch * per_call))

    rows = []
    for s in timed:
        ours = s.name.removeprefix("official ")
        r = dict(results[ours], setting=s.name, family=s.family)
        ideal, cache_mb, macs = step_cost.get(ours, (steps / s.steps, 0.0, macs_full))
        r.update(ideal_speedup=ideal, cache_mb=cache_mb, macs_per_step=macs, macs_per_image=macs * s.steps,
                 seconds=statistics.median(times[s.name]),
                 speedup=statistics.median(u / t for u, t in zip(times["uncached"], times[s.name])),
                 peak_rss_growth_mb=peak[s.name])
        r["efficiency"] = r["speedup"] / r["ideal_speedup"]
        if s.official:
            r["ours_over_official_time"] = statistics.median(o / t for o, t in zip(times[ours], times[s.name]))
            r["max_abs_diff_vs_ours"] = float(np.abs(outputs[s.name] - outputs[ours]).max())
        rows.append(r)
    return rows


def sd_shaped_pipe(width_divisor: int = 8, sample_size: int = 32, seed: int = 0):
    """A Stable Diffusion 1.5 U-Net layout at 1/``width_divisor`` width (random weights: speed needs no weights),
    in diffusers' own ``StableDiffusionPipeline`` fed with prompt embeddings and returning latents."""
    from diffusers import DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel

    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        sample_size=sample_size, in_channels=4, out_channels=4, layers_per_block=2,
        block_out_channels=tuple(c // width_divisor for c in (320, 640, 1280, 1280)),
        down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
        up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
        cross_attention_dim=768 // width_divisor, attention_head_dim=8, norm_num_groups=32 // width_divisor * 2,
    ).eval()
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
                              set_alpha_to_one=False, steps_offset=1)
    pipe = StableDiffusionPipeline(vae=None, text_encoder=None, tokenizer=None, unet=unet, scheduler=scheduler,
                                   safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def sd_prompt_embeds(pipe, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Random stand-ins for the text encoder's output on the SD-shaped pipeline: (prompt, negative prompt)
    embeddings of 77 tokens, drawn from ``generator``."""
    dim = pipe.unet.config.cross_attention_dim
    return torch.randn(1, 77, dim, generator=generator), torch.randn(1, 77, dim, generator=generator)


def sd_call(pipe, steps: int):
    """One generation of the SD-shaped pipeline as a zero-argument call: the embeddings of
    :func:`sd_prompt_embeds` (seed 0), guidance 7.5, latents out (seed 0)."""
    cond, uncond = sd_prompt_embeds(pipe, torch.Generator().manual_seed(0))
    return lambda: pipe(prompt_embeds=cond, negative_prompt_embeds=uncond, num_inference_steps=steps,
                        guidance_scale=7.5, generator=torch.Generator().manual_seed(0), output_type="latent").images


def bench_sd_preset(steps: int, intervals, repeats: int, width_divisor: int = 8, sample_size: int = 32,
                    branch: int = 1, with_official: bool = True, probe_repeats: int = 15) -> list[dict]:
    """MACs, measured and ideal speedup for N in ``intervals``, ours vs the official helper (``with_official``),
    on the SD layout."""
    pipe = sd_shaped_pipe(width_divisor, sample_size)
    generate = sd_call(pipe, steps)

    def call(setting: Setting):
        with setting.context(pipe):
            t0 = time.perf_counter()
            latents = generate()
            return latents, time.perf_counter() - t0

    ours = [Setting("uncached", steps)] + [Setting(f"N={n}", steps, DeepCacheConfig(interval=n, branch=branch),
                                                   family="uniform") for n in intervals]
    official = [Setting(f"official N={n}", steps, s.config, official=True, family="official")
                for n, s in zip(intervals, ours[1:])] if with_official else []
    timed = ours + official
    times = {s.name: [] for s in timed}
    outputs = {}
    call(ours[0])  # warm-up
    with tqdm(total=repeats * len(timed), desc="speed, SD-shaped U-Net", unit="run") as bar:
        for k in range(repeats):
            for s in _paired_order(ours, official, k):
                outputs[s.name], sec = call(s)
                times[s.name].append(sec)
                bar.update(1)
    rows = []
    macs_full = None
    for s in timed:
        r = {"setting": s.name, "family": s.family, "steps": steps, "interval": s.config.interval if s.config else 1,
             "branch": branch if s.config else None, "seconds": statistics.median(times[s.name]),
             "speedup": statistics.median(u / t for u, t in zip(times["uncached"], times[s.name]))}
        if s.config is not None and not s.official:
            with api.cached(pipe, s.config):
                call(Setting(s.name, steps))
                summary, r["ideal_speedup"], cache_mb = _step_costs(pipe, max(probe_repeats, repeats))
            r["macs_per_step"] = summary.macs_per_step
            r["mac_ideal_speedup"] = summary.ideal_speedup
            r["cache_mb"] = cache_mb
            macs_full = summary.macs_full
        elif s.official:
            ours_row = next(x for x in rows if x["setting"] == s.name.removeprefix("official "))
            for key in ("ideal_speedup", "macs_per_step", "mac_ideal_speedup"):
                r[key] = ours_row[key]
            r["ours_over_official_time"] = statistics.median(
                o / t for o, t in zip(times[s.name.removeprefix("official ")], times[s.name]))
            r["max_abs_diff_vs_ours"] = float((outputs[s.name] - outputs[s.name.removeprefix("official ")])
                                              .abs().max())
        else:
            r.update(ideal_speedup=1.0, mac_ideal_speedup=1.0, cache_mb=0.0)
        r["efficiency"] = r["speedup"] / r["ideal_speedup"]
        rows.append(r)
    rows[0]["macs_per_step"] = macs_full
    return rows


# -- reports --------------------------------------------------------------------------------------------------------

def _fmt_macs(v):
    return f"{v / 1e6:.1f}M" if v is not None else "-"


def embedded_table(rows: list[dict]) -> str:
    header = ["setting", "MACs/step", "MACs/image", "speedup", "ideal", "efficiency", "FID-domain", "PSNR dB",
              "SSIM", "accuracy", "peak RSS +MB", "cache MB", "ours/official time"]
    body = []
    for r in rows:
        body.append([r["setting"], _fmt_macs(r["macs_per_step"]), _fmt_macs(r["macs_per_image"]),
                     f"{r['speedup']:.2f}x", f"{r['ideal_speedup']:.2f}x", f"{r['efficiency']:.2f}",
                     f"{r['fid_domain']:.3f}" + (f" ± {np.std(r['fid_bootstrap']):.3f}" if "fid_bootstrap" in r
                                                 else ""),
                     f"{r['psnr_vs_uncached']:.1f}", f"{r['ssim_vs_uncached']:.3f}",
                     f"{r['accuracy']:.1%}", f"{r['peak_rss_growth_mb']:.1f}", f"{r['cache_mb']:.2f}",
                     f"{r['ours_over_official_time']:.3f}" if "ours_over_official_time" in r else "-"])
    return markdown_table(header, body)


def sd_table(rows: list[dict]) -> str:
    header = ["setting", "MACs/step", "MAC-ideal speedup", "speedup (measured)", "ideal (step times)", "efficiency",
              "ours/official time", "max |ours - official|"]
    body = [[r["setting"], _fmt_macs(r.get("macs_per_step")), f"{r['mac_ideal_speedup']:.2f}x",
             f"{r['speedup']:.2f}x", f"{r['ideal_speedup']:.2f}x", f"{r['efficiency']:.2f}",
             f"{r['ours_over_official_time']:.3f}" if "ours_over_official_time" in r else "-",
             f"{r['max_abs_diff_vs_ours']:.1e}" if "max_abs_diff_vs_ours" in r else "-"] for r in rows]
    return markdown_table(header, body)


def _fid_noise(a: dict, b: dict) -> str:
    """The FID-domain difference of two rows and its paired bootstrap standard deviation (same seeds resampled)."""
    if "fid_bootstrap" not in a or "fid_bootstrap" not in b:
        return ""
    diff = np.asarray(a["fid_bootstrap"]) - np.asarray(b["fid_bootstrap"])
    return f"; difference {a['fid_domain'] - b['fid_domain']:+.3f} +- {diff.std():.3f} (paired bootstrap std)"


def target_checks(rows: list[dict], sd_rows: list[dict]) -> list[str]:
    """The issue's targets, checked against the measured rows: each line says met or missed, and by how much."""
    lines = []
    by_name = {r["setting"]: r for r in rows}
    for r in rows:
        if r["family"] == "uniform" and r["interval"] in (2, 3, 5, 10):
            ok = r["efficiency"] >= 0.95
            verdict = "met" if ok else f"MISSED by {0.95 - r['efficiency']:.3f}"
            lines.append(f"- efficiency >= 0.95, {r['steps']} steps {r['setting']}: {r['efficiency']:.3f} ({verdict})")
    for r in rows + sd_rows:
        if "ours_over_official_time" in r:
            ok = r["ours_over_official_time"] <= 1.0
            where = f"{r['steps']} steps {r['setting']}" + (" (SD-shaped)" if "fid_domain" not in r else "")
            lines.append(f"- ours/official time <= 1.00, {where}: {r['ours_over_official_time']:.3f} "
                         f"({'met' if ok else 'MISSED'}; max |diff| of outputs {r['max_abs_diff_vs_ours']:.1e})")
    for r in rows:
        if r["family"] == "uniform" and r["interval"] in (2, 3) and r["branch"] == PAPER_BRANCH:
            n = max(1, round(r["steps"] * r["macs_fraction"]))
            f = by_name[f"DDIM {n} steps"]
            for key, better in (("fid_domain", r["fid_domain"] < f["fid_domain"]),
                                ("psnr_vs_uncached", r["psnr_vs_uncached"] > f["psnr_vs_uncached"])):
                noise = _fid_noise(r, f) if key == "fid_domain" else ""
                lines.append(f"- DeepCache beats equal-MACs DDIM on {key}, {r['steps']} steps {r['setting']} vs "
                             f"DDIM {n} steps: {r[key]:.3f} vs {f[key]:.3f} ({'met' if better else 'MISSED'}{noise})")
    for r in rows:
        if r["family"] in ("calibrated", "adaptive", "adaptive-unweighted"):
            tag = r["setting"].rsplit("(", 1)[1]
            uni = next(x for x in rows if x["family"] == "uniform-K" and x["setting"].endswith("(" + tag)
                       and x["steps"] == r["steps"])
            n = max(1, round(r["steps"] * r["macs_fraction"]))
            few = by_name[f"DDIM {n} steps"]
            for other in (uni, few):
                for key, better in (("fid_domain", r["fid_domain"] < other["fid_domain"]),
                                    ("psnr_vs_uncached", r["psnr_vs_uncached"] > other["psnr_vs_uncached"])):
                    noise = _fid_noise(r, other) if key == "fid_domain" else ""
                    lines.append(f"- {r['family']} beats {other['setting']} on {key} at {tag[:-1]} fewer MACs "
                                 f"({r['steps']} steps; MACs {r['macs_fraction']:.3f} vs {other['macs_fraction']:.3f}"
                                 f"): {r[key]:.3f} vs {other[key]:.3f} ({'met' if better else 'MISSED'}{noise})")
    return lines


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for steps in sorted({r["steps"] for r in rows if r["family"] != "fewer-steps"}):
        group = [r for r in rows if r.get("base_steps", r["steps"]) == steps]
        for family, marker in (("uniform", "o"), ("non-uniform", "s"), ("fewer-steps", "^"), ("uniform-K", "v"),
                               ("calibrated", "D"), ("adaptive", "P"), ("adaptive-unweighted", "X")):
            for branch in sorted({r["branch"] for r in group if r["family"] == family}, key=str):
                pts = sorted((r["speedup"], r["fid_domain"], r["psnr_vs_uncached"]) for r in group
                             if r["family"] == family and r["branch"] == branch
                             and (r["interval"] != 1 or family == "fewer-steps"))
                if not pts:
                    continue
                label = f"{steps} steps, {family}" + (f" b={branch}" if branch else "")
                x, fid, ps = zip(*pts)
                axes[0].plot(x, fid, marker=marker, label=label)
                axes[1].plot(x, [p if np.isfinite(p) else np.nan for p in ps], marker=marker, label=label)
    axes[0].set(xlabel="measured speedup vs uncached", ylabel="FID-domain (lower is better)")
    axes[1].set(xlabel="measured speedup vs uncached", ylabel="PSNR vs uncached, dB (higher is better)")
    axes[0].legend(fontsize=7)
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {torch.get_num_threads()} torch thread(s), torch {torch.__version__}, "
            f"Python {platform.python_version()}")


def run_bench(out: Path, quick: bool = False, steps=(50, 100), samples: int = 1000, batch: int = 100,
              timing_batch: int = 20, repeats: int = 5, guidance: float = 1.0, threads: int = 1,
              quality_threads: int | None = None, sd_steps: int = 50, command: str = "",
              beyond_only: bool = False, predictor: str = "final", beyond: bool = True,
              sd_preset: bool = True, draw_plot: bool | None = None, official: bool | None = None) -> dict:
    """Everything: embedded-model rows at each step count, the SD-shaped preset, tables, CSV/JSON, plot, grids.

    ``beyond=False`` leaves out the calibrated / adaptive rows, ``sd_preset=False`` the SD-shaped preset.
    Optional dependencies: ``draw_plot`` (default: whether matplotlib is installed) draws quality_vs_speedup.png;
    ``official`` (default: whether the official ``DeepCache`` package is installed) adds its comparison rows.
    Without them every table is still written."""
    import importlib.util

    draw_plot = importlib.util.find_spec("matplotlib") is not None if draw_plot is None else draw_plot
    official = importlib.util.find_spec("DeepCache") is not None if official is None else official
    if quick:
        # a run that checks the tables are made, not a measurement: 2 timing rounds, 3 timed calls per step cost
        steps, samples, batch, timing_batch, repeats, sd_steps = (10,), 10, 10, 10, 2, 10
    out.mkdir(parents=True, exist_ok=True)
    targets = () if not beyond else (2,) if quick else (2, 3, 4)
    rows = []
    for n in steps:
        for r in bench_embedded(out, n, samples, batch, timing_batch, repeats, guidance, threads=threads,
                                quality_threads=quality_threads, targets=targets, with_official=official,
                                beyond_only=beyond_only, predictor=predictor, probe_repeats=3 if quick else 15):
            rows.append(dict(r, base_steps=n))
    torch.set_num_threads(threads)
    sd_rows = [] if beyond_only or not sd_preset else bench_sd_preset(
        sd_steps, intervals=(2, 3) if quick else tuple(range(2, 11)), repeats=repeats,
        width_divisor=16 if quick else 8, sample_size=16 if quick else 32, with_official=official,
        probe_repeats=3 if quick else 15)
    checks = target_checks(rows, sd_rows)
    meta = {"command": command, "machine": machine(), "quality_threads": quality_threads or _default_threads,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "quick": quick, "steps": list(steps), "samples": samples, "timing_batch": timing_batch,
            "repeats": repeats, "guidance": guidance, "sd_steps": sd_steps}
    (out / "results.json").write_text(json.dumps({"meta": meta, "embedded": rows, "sd_shaped": sd_rows,
                                                  "targets": checks}, indent=2, default=float) + "\n")
    keys = sorted({k for r in rows for k in r} - {"fid_bootstrap"})  # the bootstrap values stay in the JSON
    with open(out / "results.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    if rows and draw_plot:
        plot(rows, out / "quality_vs_speedup.png")
    md = ["# stepcache bench\n", f"Command: `{command}`  ", f"Machine: {meta['machine']} for the speed passes, "
          f"{meta['quality_threads']} thread(s) for the quality pass  ", f"Date: {meta['date']}\n",
          "Speedups are medians over interleaved rounds measured in this run; ideal speedups come from the measured "
          "time of one full and one cached U-Net call; MACs are counted with torch.utils.flop_counter. "
          "FID-domain ± is the standard deviation over 100 bootstrap resamples of the samples. peak RSS +MB is "
          "the growth within this long process, where the allocator reuses memory freed by earlier rows (about 0 "
          "after warm-up); benchmarks/memory_bench.py measures each setting in a fresh process.\n"]
    for n in steps:
        md += [f"## Embedded MNIST DDPM, DDIM {n} steps (guidance {guidance}, {samples} samples for quality, "
               f"batch {timing_batch} x {repeats} interleaved rounds for speed)\n",
               embedded_table([r for r in rows if r["base_steps"] == n]), ""]
    if sd_rows:
        md += [f"## SD 1.5-shaped U-Net (random weights, DDIM {sd_steps} steps, CFG batch 2, branch 1)\n",
               sd_table(sd_rows), ""]
    md += ["## Targets\n", *checks, ""]
    (out / "results.md").write_text("\n".join(md))
    return {"meta": meta, "embedded": rows, "sd_shaped": sd_rows, "targets": checks}
