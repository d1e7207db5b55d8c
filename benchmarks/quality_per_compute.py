"""Quality per compute on the embedded models -- the emoji text-to-image U-Net (``sd``) and transformer
(``pixart``), and the class-conditional MNIST DDPM (``mnist``): every caching rule at 2x, 3x, 4x, 6x and 8x fewer
denoiser MACs, fewer uncached steps beside them, measured on held-out seeds; each fixed schedule with each
forecaster (``--forecasters``: reuse, taylor1, taylor2, chebyshev; default plan_for's), and a PSNR-against-MACs
frontier plot per model (``<model>_frontier.png``: one line per rule, its best held-out PSNR within each budget).

For each budget, ``stepcache.planning.plan_for`` builds and measures our candidates on the calibration seeds (fewer
uncached steps; uniform, non-uniform, calibrated, adaptive with the calibration's per-step weights and, on the
transformer, ``first-block`` -- diffusers' FirstBlockCache rule at F1B0, the DBCache-like F/B rule elsewhere -- each
on plan_for's default placements or those given; caching at fewer steps). On the transformer, diffusers' own hooks
join them, applied by hand to a fresh copy of the transformer for every generation (PixArt's pipeline opens no
``cache_context``; a fresh copy is a fresh state) with their knob searched on the same calibration seeds to the
budget: FirstBlockCache (threshold), MagCache (threshold; ratios from its own ``calibrate=True`` run,
``retention_ratio`` 0.1, ``max_skip_steps`` = the step count so every budget is reachable), TaylorSeer
(``cache_interval`` and ``disable_cache_before_step``, at ``max_order`` 1 and 2, on whole blocks: its default
patterns hook no PixArt module). On the SD U-Net diffusers' TaylorSeer joins them alone (FirstBlockCache and
MagCache need a transformer's block stack), applied by hand the same way to every resnet and every attention's
transformer block (:data:`UNET_TAYLORSEER`). MACs are counted with ``torch.utils.flop_counter`` on every generation
(stepcache's summary for our rules, a flop counter around each transformer call for diffusers' hooks) as a fraction
of the uncached generation at the same step count; a candidate more than 3% over the budget is marked and not
ranked.

Then every candidate runs on the held-out seeds (seeds never used for choosing), interleaved seed by seed, and is
measured against the uncached output at the step count (PSNR, SSIM), by prompt agreement and FID on the emoji
classifier's features (``stepcache.embedded.emoji_eval``; MNIST: class agreement and FID-domain on the digit classifier,
``stepcache.embedded.evaluation``), and by wall time (median over seeds of uncached time / its time,
one thread; the pipeline call alone: MACs are counted apart, and diffusers' hooks are timed on a call without the
flop counter, their transformer copy and hook made before the clock starts). Each seed generates a batch of prompts
drawn from random images of the data (MNIST: random classes); differences are paired per seed, with bootstrap std.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/quality_per_compute.py --model sd \
        --out benchmarks/results/quality_per_compute
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import io
import json
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from stepcache import planning
from stepcache.calibration import parse_placement
from stepcache.embedded import emoji as E
from stepcache.embedded import emoji_eval as ev
from stepcache.embedded import evaluation as mnist_eval
from stepcache.embedded.sampling import load_embedded, no_binning

BUDGETS = (0.5, 1 / 3, 0.25, 1 / 6, 1 / 8)
FID_NAME = {"sd": "FID-emoji", "pixart": "FID-emoji", "mnist": "FID-domain"}


@dataclasses.dataclass
class Setup:
    pipe: object
    model: str
    steps: int
    guidance: float
    prompts: list  # per seed: the prompts (MNIST: the classes) of that seed's batch
    labels: list  # per seed: the classes the classifier should see (emoji subcategory indices; MNIST: the digits)

    def agreement(self, images, labels) -> float:
        """Share of ``images`` (NHWC uint8) the model's classifier puts in ``labels``."""
        return mnist_eval.accuracy(images[..., 0], labels) if self.model == "mnist" else ev.agreement(images, labels)

    def fid(self, images) -> float:
        """FID on the classifier's features against all the real images (emoji: FID-emoji; MNIST: FID-domain)."""
        return mnist_eval.fid_domain(images[..., 0]) if self.model == "mnist" else ev.fid(images)


def load(model: str):
    from diffusers import DDIMScheduler, PixArtAlphaPipeline, StableDiffusionPipeline

    if model == "mnist":
        return load_embedded(scheduler="ddim")
    cls, folder = {"sd": (StableDiffusionPipeline, ev.SD_DIR), "pixart": (PixArtAlphaPipeline, ev.PIXART_DIR)}[model]
    pipe = cls.from_pretrained(folder, torch_dtype=torch.float32)
    assert isinstance(pipe.scheduler, DDIMScheduler)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def prompt_batches(model: str, seeds: int, per_seed: int, seed: int = 0):
    """Prompts of random images of the data (train-side and held-out emoji alike), ``per_seed`` per seed; MNIST:
    random classes, as prompts and labels both."""
    rng = np.random.default_rng(seed)
    if model == "mnist":
        classes = [[int(c) for c in rng.integers(0, 10, per_seed)] for _ in range(seeds)]
        return classes, classes
    data = E.load()
    idx = rng.choice(len(data.prompts), seeds * per_seed, replace=False)
    prompts = [data.prompts[i] for i in idx]
    labels = ev.label_of([data.subcategories[data.labels[i]] for i in idx])
    return ([prompts[i * per_seed:(i + 1) * per_seed] for i in range(seeds)],
            [labels[i * per_seed:(i + 1) * per_seed] for i in range(seeds)])


def make_run(setup: Setup):
    size = {} if setup.model == "mnist" else dict(height=32, width=32, **no_binning(setup.pipe))

    def run(pipe, seed: int, steps: int):
        kw = dict(num_inference_steps=steps, guidance_scale=setup.guidance, output_type="np",
                  generator=torch.Generator().manual_seed(seed), **size)
        return pipe(setup.prompts[seed], **kw).images
    return run


# -- diffusers' hooks, applied by hand to a fresh copy per generation ---------------------------------------------------

@dataclasses.dataclass
class HookRule:
    name: str
    config: object  # a diffusers cache config
    note: str = ""


def _apply(model, config):
    import diffusers.hooks as H
    from diffusers.hooks.hooks import CacheContext, _set_cache_context

    fn = {H.FirstBlockCacheConfig: H.apply_first_block_cache, H.MagCacheConfig: H.apply_mag_cache,
          H.TaylorSeerCacheConfig: H.apply_taylorseer_cache}[type(config)]
    fn(model, config)
    model.register_forward_pre_hook(lambda m, a: _set_cache_context(m, CacheContext("cond")))
    model.register_forward_hook(lambda m, a, o: _set_cache_context(m, None))


class Flops:
    """FLOPs of every call of a module (a flop counter entered before and left after each call)."""

    def __init__(self, model):
        self.total, self.mode = 0, None
        self.h = [model.register_forward_pre_hook(self.enter), model.register_forward_hook(self.leave)]

    def enter(self, *a):
        self.mode = FlopCounterMode(display=False)
        self.mode.__enter__()

    def leave(self, *a):
        self.mode.__exit__(None, None, None)
        self.total += self.mode.get_total_flops()
        self.mode = None

    def remove(self):
        if self.mode is not None:  # a call raised: leave its counter
            self.mode.__exit__(None, None, None)
        for h in self.h:
            h.remove()


def timed(run, clock: dict):
    """``run``, keeping the seconds of its last call in ``clock["seconds"]`` (the pipeline call alone)."""
    def call(pipe, seed, steps):
        t0 = time.perf_counter()
        out = run(pipe, seed, steps)
        clock["seconds"] = time.perf_counter() - t0
        return out
    return call


def run_hooked(setup: Setup, run, rule: HookRule | None, seed: int, steps: int, count: bool = True):
    """Images, denoiser FLOPs (``count``; else None), printed text and seconds of one generation, with ``rule``'s
    hook on a fresh copy of the transformer (``None``: the plain transformer). The copy and the hook are made before
    the clock starts; count and time in separate calls (the flop counter slows the call it counts)."""
    pipe = setup.pipe
    slot = "unet" if hasattr(pipe, "unet") else "transformer"
    plain = getattr(pipe, slot)
    model = plain if rule is None else copy.deepcopy(plain)
    if rule is not None:
        _apply(model, rule.config)
    flops = Flops(model) if count else None
    setattr(pipe, slot, model)
    clock = {}
    try:
        with torch.no_grad(), contextlib.redirect_stdout(io.StringIO()) as out:
            images = planning._images(timed(run, clock)(pipe, seed, steps))
    finally:
        setattr(pipe, slot, plain)
        if flops is not None:
            flops.remove()
    return images, (flops.total if flops is not None else None), out.getvalue(), clock["seconds"]


def mag_ratios(setup: Setup, run, seed: int) -> list[float]:
    from diffusers.hooks import MagCacheConfig

    rule = HookRule("calibrate", MagCacheConfig(calibrate=True, num_inference_steps=setup.steps))
    printed = run_hooked(setup, run, rule, seed, setup.steps)[2]
    lines = [ln for ln in printed.splitlines() if ln.startswith("[") and not ln.startswith("[MagCache")]
    return [float(x) for x in lines[0].strip("[]").split(",")]


#: the modules diffusers' TaylorSeer forecasts on a U-Net: every resnet and every attention's transformer block (the
#: block's attentions themselves return a 1-tuple its forecast would return as a bare tensor, which the U-Net then
#: indexes): a cached step runs conv_in, the samplers, the attentions' projections and conv_out
UNET_TAYLORSEER = [r"(down_blocks|up_blocks)\.\d+\.resnets\.\d+", r"mid_block\.resnets\.\d+",
                   r".*attentions\.\d+\.transformer_blocks\.\d+"]


def search_hooks(setup: Setup, run, seeds, budget: float, full_flops: float) -> list[HookRule]:
    """FirstBlockCache, MagCache and TaylorSeer with their knob set to the budget on the calibration seeds (on a
    U-Net TaylorSeer alone: the other two need a transformer's block stack)."""
    from diffusers.hooks import FirstBlockCacheConfig, MagCacheConfig, TaylorSeerCacheConfig

    T = setup.steps
    unet = hasattr(setup.pipe, "unet")

    def fraction(config) -> float:
        rule = HookRule("", config)
        return float(np.mean([run_hooked(setup, run, rule, s, T)[1] for s in seeds])) / full_flops

    def bisect(make, lo=1e-4, hi=10.0, iterations=10):
        best = None
        for _ in range(iterations):
            mid = math.sqrt(lo * hi)
            f = fraction(make(mid))
            if f <= budget:
                hi = mid
                if best is None or f > best[1]:
                    best = (mid, f)
                if f >= budget * (1 - planning.MATCH):
                    break
            else:
                lo = mid
        return best

    rules = []
    if not unet:  # FirstBlockCache and MagCache need a transformer's block stack
        fb = bisect(lambda t: FirstBlockCacheConfig(threshold=t))
        if fb:
            rules.append(HookRule("diffusers FirstBlockCache", FirstBlockCacheConfig(threshold=fb[0]),
                                  f"threshold {fb[0]:.4g}"))
        ratios = mag_ratios(setup, run, seeds[0])

        def magcache(t):
            return MagCacheConfig(threshold=t, max_skip_steps=T, retention_ratio=0.1, num_inference_steps=T,
                                  mag_ratios=ratios)
        mc = bisect(magcache)
        if mc:
            rules.append(HookRule("diffusers MagCache", magcache(mc[0]), f"threshold {mc[0]:.4g}"))
    identifiers = UNET_TAYLORSEER if unet else [r"transformer_blocks\.\d+"]
    for order in (1, 2):  # TaylorSeer's max_order 1 and 2, each with its knobs searched to the budget
        best = None
        for before in (1, 2, 3):
            for n in range(2, T):
                config = TaylorSeerCacheConfig(cache_interval=n, disable_cache_before_step=before, max_order=order,
                                               taylor_factors_dtype=torch.float32, cache_identifiers=identifiers)
                f = fraction(config)
                if f <= budget:
                    if best is None or f > best[1]:
                        best = (config, f)
                    break  # a larger interval only costs less
        if best:
            c = best[0]
            rules.append(HookRule("diffusers TaylorSeer" + ("" if order == 1 else f" order {order}"), c,
                                  f"cache_interval {c.cache_interval}, disable_cache_before_step "
                                  f"{c.disable_cache_before_step}, max_order {order}"))
    return rules


# -- held-out evaluation ------------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Row:
    name: str
    kind: str
    note: str
    forecaster: str = "reuse"
    psnr: list = dataclasses.field(default_factory=list)
    ssim: list = dataclasses.field(default_factory=list)
    agree: list = dataclasses.field(default_factory=list)
    macs: list = dataclasses.field(default_factory=list)
    seconds: list = dataclasses.field(default_factory=list)
    images: list = dataclasses.field(default_factory=list)
    eligible: bool = True


def evaluate(setup: Setup, run, plan, hook_rules, seeds, full_flops: float) -> tuple[list[Row], Row]:
    T = setup.steps
    rows = [Row(c.name, c.kind, c.note, c.forecaster) for c in plan.candidates] + \
        [Row(r.name, "diffusers", r.note) for r in hook_rules]
    base = Row("uncached", "uncached", f"{T} steps")
    memo, clock = {}, {}
    clocked = timed(run, clock)
    for seed in seeds:
        with torch.no_grad():
            ref = planning._images(clocked(setup.pipe, seed, T))
        base.seconds.append(clock["seconds"])
        base.images.append(ref)
        base.agree.append(setup.agreement(_u8(ref), setup.labels[seed]))
        for row, cand in zip(rows, plan.candidates):
            out, frac, _ = planning._run_one(setup.pipe, clocked, seed, cand.steps, cand.config, T, memo)
            _record(row, setup, seed, out, ref, frac, clock["seconds"])
        for row, rule in zip(rows[len(plan.candidates):], hook_rules):
            flops = run_hooked(setup, run, rule, seed, T)[1]
            out, _, _, seconds = run_hooked(setup, run, rule, seed, T, count=False)
            _record(row, setup, seed, out, ref, flops / full_flops, seconds)
    for row, cand in zip(rows, plan.candidates):
        row.eligible = bool(cand.eligible and np.mean(row.macs) <= plan.mac_budget * (1 + planning.MATCH))
    for row in rows[len(plan.candidates):]:
        row.eligible = bool(np.mean(row.macs) <= plan.mac_budget * (1 + planning.MATCH))
    return rows, base


def _u8(images: np.ndarray) -> np.ndarray:
    return np.round(np.clip(images, 0, 1) * 255).astype(np.uint8)


def _record(row: Row, setup: Setup, seed: int, out, ref, frac: float, seconds: float) -> None:
    p, s, _ = planning._figures(out, ref)
    row.psnr.append(p)
    row.ssim.append(s)
    row.agree.append(setup.agreement(_u8(out), setup.labels[seed]))
    row.macs.append(frac)
    row.seconds.append(seconds)
    row.images.append(out)


def summarize(setup: Setup, rows: list[Row], base: Row, budget: float) -> dict:
    """Per rule: MACs, measured speedup, per-seed PSNR and MACs, SSIM, agreement, FID-emoji (JSON-ready)."""
    out = {"budget": budget, "rows": []}
    for r in [base] + rows:
        rec = {"name": r.name, "kind": r.kind, "forecaster": r.forecaster, "note": r.note, "eligible": r.eligible,
               "mac_fraction": float(np.mean(r.macs)) if r.macs else 1.0,
               "speedup_measured": statistics.median(b / t for b, t in zip(base.seconds, r.seconds)),
               "agreement": float(np.mean(r.agree)), "fid": setup.fid(_u8(np.concatenate(r.images)))}
        if r is base:
            out["uncached"] = rec
            continue
        rec.update(psnr=float(np.mean(r.psnr)), ssim=float(np.mean(r.ssim)),
                   psnr_per_seed=[float(x) for x in r.psnr], macs_per_seed=[float(x) for x in r.macs])
        out["rows"].append(rec)
    return out


def render(out: dict, fid_name: str = "FID-emoji", rounds: int = 1000) -> list[str]:
    """The markdown of one budget: every rule against the best and the best uniform rule (paired per seed,
    bootstrap std), and whether the plan's pick is within 2 paired std of the held-out best."""
    rows = out["rows"]
    pool = [r for r in rows if r["eligible"]]
    best = max(pool, key=lambda r: r["psnr"])
    uniform = [r for r in pool if r["kind"] == "uniform"]
    ref = max(uniform, key=lambda r: r["psnr"]) if uniform else best
    lines = ["| rule | MACs (of uncached) | speedup (measured) | PSNR dB | vs best (paired std) | "
             f"vs best uniform (paired std) | SSIM | agreement | {fid_name} | note |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    u = out["uncached"]
    lines.append(f"| uncached | 1.000 | 1.00x | inf | | | 1 | {u['agreement']:.3f} | {u['fid']:.3f} | {u['note']} |")
    for r in rows:
        d_best = r["psnr"] - best["psnr"]
        s_best = planning.paired_bootstrap_std(r["psnr_per_seed"], best["psnr_per_seed"], rounds)
        d_uni = r["psnr"] - ref["psnr"]
        s_uni = planning.paired_bootstrap_std(r["psnr_per_seed"], ref["psnr_per_seed"], rounds)
        name = f"**{r['name']}**" if r is best else r["name"]
        over = "" if r["eligible"] else " (over budget)"
        lines.append(f"| {name}{over} | {r['mac_fraction']:.3f} | {r['speedup_measured']:.2f}x | {r['psnr']:.2f} | "
                     f"{d_best:+.2f} ({s_best:.2f}) | {d_uni:+.2f} ({s_uni:.2f}) | {r['ssim']:.4f} | "
                     f"{r['agreement']:.3f} | {r['fid']:.3f} | {r['note']} |")
    pick = next(r for r in rows if r["name"] == out["plan_pick"])
    ours = max((r for r in pool if r["kind"] != "diffusers"), key=lambda r: r["psnr"])  # plan_for's candidates
    loss = ours["psnr"] - pick["psnr"]
    std = planning.paired_bootstrap_std(pick["psnr_per_seed"], ours["psnr_per_seed"], rounds)
    verdict = "within" if loss <= 2 * std + 1e-12 else "NOT within"
    text = (f"`stepcache plan` on the calibration seeds picks **{pick['name']}** ({out['plan_recommendation']}); on "
            f"the held-out seeds it loses {loss:.2f} dB to the best of its candidates there ({ours['name']}), paired "
            f"std {std:.2f} dB: {verdict} 2 paired std.")
    if best is not ours:
        d = best["psnr"] - ours["psnr"]
        s_d = planning.paired_bootstrap_std(ours["psnr_per_seed"], best["psnr_per_seed"], rounds)
        text += f" The best rule overall is {best['name']}, {d:.2f} dB (paired std {s_d:.2f}) ahead of it."
    return [f"## {1 / out['budget']:.0f}x fewer MACs (budget {out['budget']:.3f})", "", *lines, "",
            f"{text} {out['seconds']:.0f} s.", ""]


#: the summary table's columns: (heading, kind or diffusers rule name)
SUMMARY = [("fewer uncached steps", "steps"), ("uniform", "uniform"), ("extrapolated", "extrapolated"),
           ("non-uniform", "nonuniform"), ("calibrated", "calibrated"),
           ("calibrated, extrapolated", "calibrated-extrapolated"), ("adaptive", "adaptive"),
           ("first-block", "first-block"), ("caching at fewer steps", "cached-fewer-steps"),
           ("diffusers FirstBlockCache", "diffusers FirstBlockCache"), ("diffusers MagCache", "diffusers MagCache"),
           ("diffusers TaylorSeer", "diffusers TaylorSeer"),
           ("diffusers TaylorSeer order 2", "diffusers TaylorSeer order 2")]


def rule_key(r: dict) -> str:
    """What one line of the summary and of the plot is: a diffusers rule by name; ours by kind, and forecaster
    (``uniform+taylor2``; reuse: the kind alone)."""
    if r["kind"] == "diffusers":
        return r["name"]
    f = r.get("forecaster", "reuse")
    return r["kind"] if f == "reuse" else f"{r['kind']}+{f}"


def summary(report: dict) -> list[str]:
    """One row per budget: each kind of rule's best held-out PSNR within the budget (its placement or knob in
    brackets), bold the best of the row; kinds the model has no row for are left out."""
    key = rule_key
    seen = list(dict.fromkeys(key(r) for b in report["budgets"] for r in b["rows"]))
    known = [k for _, k in SUMMARY]
    extra = [(k.replace("+", " + "), k) for k in seen if k not in known]  # the forecasters' columns
    cols = [(h, k) for h, k in SUMMARY if k in seen] + extra
    lines = ["| budget | " + " | ".join(h for h, _ in cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for b in report["budgets"]:
        best = {}
        for r in b["rows"]:
            if r["eligible"] and (key(r) not in best or r["psnr"] > best[key(r)]["psnr"]):
                best[key(r)] = r
        top = max(r["psnr"] for r in best.values())
        cells = []
        for _, k in cols:
            r = best.get(k)
            if r is None:
                cells.append("-")
                continue
            if r["kind"] == "diffusers":
                what = r["note"]
            elif r["kind"] == "steps":
                what = r["name"].replace(", no cache", "")
            else:  # the placement (and interval), without the kind's (and forecaster's) name
                what = r["name"].split(" ", 1)[1] if r["name"].startswith(r["kind"]) else r["name"]
            text = f"{r['psnr']:.2f} ({what})"
            cells.append(f"**{text}**" if r["psnr"] == top else text)
        lines.append(f"| {1 / b['budget']:.0f}x | " + " | ".join(cells) + " |")
    return lines


def merged(report: dict, other: dict) -> dict:
    """``report`` with, per budget, the rows of ``other`` (a run on the same seeds and prompts, e.g. of rules added
    later) whose names it lacks: for the summary table only."""
    for key in ("model", "steps", "guidance", "per_seed", "calibration_seeds", "held_out_seeds"):
        if report[key] != other[key]:
            raise ValueError(f"--merge: the runs differ in {key}: {report[key]} vs {other[key]}")
    out = json.loads(json.dumps(report))
    for b, extra in zip(out["budgets"], other["budgets"]):
        if abs(b["budget"] - extra["budget"]) > 1e-9:
            raise ValueError("--merge: the runs have other budgets")
        names = {r["name"] for r in b["rows"]}
        b["rows"] += [r for r in extra["rows"] if r["name"] not in names]
    return out


def write(report: dict, out_dir: Path, merge: list[Path] = ()) -> None:
    name = report["model"]
    (out_dir / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    table = report
    for folder in merge:
        table = merged(table, json.loads((folder / f"{name}.json").read_text()))
    md = list(report["header"]) + ["Best held-out PSNR (dB) of each kind of rule within the budget"
                                   + (f" (with the rows of {', '.join(str(m) for m in merge)}: the same seeds and "
                                      "prompts)" if merge else "") + ":", ""]
    md += summary(table) + [""]
    for b in report["budgets"]:
        md += render(b, FID_NAME[name])
    if report["budgets"]:
        plot(table, out_dir / f"{name}_frontier.png")
        md[len(report["header"]):len(report["header"])] = [f"![PSNR against MACs]({name}_frontier.png)", ""]
    (out_dir / f"{name}.md").write_text("\n".join(md) + "\n")


def frontier(report: dict) -> dict:
    """Per rule (:func:`rule_key`): ``[(MAC fraction, held-out PSNR)]``, its best row within each budget."""
    lines: dict = {}
    for b in report["budgets"]:
        best = {}
        for r in b["rows"]:
            k = rule_key(r)
            if r["eligible"] and (k not in best or r["psnr"] > best[k]["psnr"]):
                best[k] = r
        for k, r in best.items():
            lines.setdefault(k, []).append((r["mac_fraction"], r["psnr"]))
    return {k: sorted(v) for k, v in lines.items()}


def plot(report: dict, path: Path) -> None:
    """PSNR (held-out, against uncached) against MACs (fraction of uncached), one line per rule."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for k, points in frontier(report).items():
        x, y = zip(*points)
        style = "--" if k.startswith("diffusers") else ("-" if "+" not in k else ":")
        ax.plot(x, y, style, marker="o", markersize=3, label=k, linewidth=1.8 if k == "steps" else 1)
    ax.set_xscale("log")
    ax.set_xlabel("denoiser MACs (fraction of uncached)")
    ax.set_ylabel("PSNR against uncached (dB, held-out)")
    ax.set_title(f"{report['model']}: DDIM {report['steps']} steps")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", choices=["sd", "pixart", "mnist"], required=True)
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--guidance", type=float, default=None, help="default: 3 (emoji), 1 (MNIST: no CFG)")
    ap.add_argument("--per-seed", type=int, default=8, help="prompts per seed (one batch)")
    ap.add_argument("--calibration", type=int, default=4, help="calibration seeds")
    ap.add_argument("--held-out", type=int, default=16, help="held-out seeds")
    ap.add_argument("--budgets", type=float, nargs="+", default=list(BUDGETS))
    ap.add_argument("--predictor", default="final")
    ap.add_argument("--branches", nargs="+", default=None,
                    help="placements of our rules: U-Net branches (1 2) or a transformer's live blocks (F1B0 F2B1); "
                         "default: plan_for's")
    ap.add_argument("--candidates", nargs="+", choices=list(planning.KINDS), default=None,
                    help="the kinds of our rules to build (default: all)")
    ap.add_argument("--forecasters", nargs="+", choices=list(planning.FORECASTS), default=None,
                    help="forecasters crossed with the fixed schedules (default: plan_for's)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--md-only", action="store_true", help="rewrite the .md from the .json, run nothing")
    ap.add_argument("--merge", type=Path, nargs="+", default=[],
                    help="with --md-only: folders of runs on the same seeds whose extra rules join the summary table")
    args = ap.parse_args(argv)
    if args.md_only:
        return write(json.loads((args.out / f"{args.model}.json").read_text()), args.out, args.merge)
    argv_used = sys.argv[1:] if argv is None else list(argv)
    torch.manual_seed(0)
    t_start = time.time()
    if args.guidance is None:
        args.guidance = 1.0 if args.model == "mnist" else 3.0
    pipe = load(args.model)
    n = args.calibration + args.held_out
    prompts, labels = prompt_batches(args.model, n, args.per_seed)
    setup = Setup(pipe, args.model, args.steps, args.guidance, prompts, labels)
    run = make_run(setup)
    cal_seeds, held = list(range(args.calibration)), list(range(args.calibration, n))
    placements = None
    if args.branches:
        placements = [parse_placement(b) for b in args.branches]
    full_flops = None
    if args.model in ("pixart", "sd"):
        full_flops = float(np.mean([run_hooked(setup, run, None, s, args.steps)[1] for s in cal_seeds]))
    args.out.mkdir(parents=True, exist_ok=True)
    command = "OMP_NUM_THREADS=1 .venv/bin/python benchmarks/quality_per_compute.py " + " ".join(argv_used)
    title, per_seed, measures = (
        ("the MNIST DDPM", "random classes", "class agreement and FID-domain on the digit classifier")
        if args.model == "mnist" else
        (f"emoji {args.model}", "prompts (random images of the data)",
         "agreement and FID-emoji on the emoji classifier"))
    header = [f"# Quality per compute: {title}, DDIM {args.steps} steps, guidance {args.guidance}", "",
              f"Command: `{command}` (torch threads {torch.get_num_threads()}). {args.per_seed} {per_seed} per "
              f"seed; {len(cal_seeds)} calibration seeds choose every rule's knob, "
              f"{len(held)} held-out seeds measure. PSNR/SSIM against the uncached {args.steps}-step output; "
              f"differences paired per seed (bootstrap std); {measures} "
              f"({len(held) * args.per_seed} images per rule); speedup = median over held-out seeds of uncached time "
              f"/ rule time (one thread, the pipeline call alone). Bold: the best PSNR within the budget.", ""]
    report = {"command": command, "model": args.model, "steps": args.steps, "guidance": args.guidance,
              "per_seed": args.per_seed, "calibration_seeds": cal_seeds, "held_out_seeds": held,
              "predictor": args.predictor, "torch_threads": torch.get_num_threads(), "header": header,
              "budgets": []}
    for budget in args.budgets:
        t0 = time.time()
        plan = planning.plan_for(pipe, run, args.steps, budget, calibration_seeds=cal_seeds,
                                 predictor=args.predictor, branches=placements, candidates=args.candidates,
                                 forecasters=args.forecasters)
        hooks = search_hooks(setup, run, cal_seeds, budget, full_flops) if full_flops else []
        rows, base = evaluate(setup, run, plan, hooks, held, full_flops)
        out = summarize(setup, rows, base, budget)
        out.update(seconds=round(time.time() - t0, 1), plan_pick=plan.best.name,
                   plan_recommendation=plan.recommendation, plan_table=plan.table())
        report["budgets"].append(out)
        write(report, args.out)
        print("\n".join(render(out, FID_NAME[args.model])), flush=True)
    report["seconds"] = round(time.time() - t_start, 1)
    write(report, args.out)


if __name__ == "__main__":
    main()
