"""Speed of DeepCache on transformers: a DiT-XL/2-shaped and a Flux-shaped model (scaled-down width, random weights,
1 thread), measured speedup against the ideal one, and stepcache's first-block schedule against diffusers'
FirstBlockCache.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/transformer_bench.py

Models (built from configs, random weights, nothing downloaded):

* **DiT-XL/2-shaped**: ``DiTTransformer2DModel``, 28 ``BasicTransformerBlock``s, patch 2, 32x32x4 latents -> 256
  tokens, width ``--dit-width`` (DiT-XL/2: 1152) in heads of 64, class-conditional with classifier-free guidance
  batched (batch 2), 8 output channels (learned sigma).
* **Flux-shaped**: ``FluxTransformer2DModel``, 19 double-stream + 38 single-stream blocks, width ``--flux-width``
  (Flux.1: 3072) in heads of 64, 256 image tokens (64 channels, packed) + 64 text tokens, guidance-distilled (one call
  per step, batch 1).

Each generation is a hand-written loop of ``--steps`` calls over the bare transformer (DiT: DDIM-like update with
CFG; Flux: Euler on a linear sigma schedule), inside ``stepcache.generation(model, num_steps=steps)`` when stepcache is
on, inside ``model.cache_context("cond")`` (DiT: the same context set by hand, it has no ``CacheMixin``) for
diffusers' FirstBlockCache. Settings, interleaved in ``--rounds`` rounds (the order rotated each round), timed around
the loop with both ``time.process_time`` (CPU time of the process: the table's figures, robust to the process being
descheduled on a shared machine) and ``time.perf_counter`` (wall clock: beside them), medians reported:

* ``uncached``; stepcache ``uniform`` N = 2, 3, 5 with F=1, B=0, and N=3 with F=2, B=1;
* stepcache ``schedule="first-block"`` and diffusers ``FirstBlockCacheConfig`` at the same threshold (per model,
  ``--dit-threshold`` / ``--flux-threshold``, chosen so that about half of the steps are cached).

Per call, a forward pre/post hook on the model times the call on both clocks (its own cost is inside all settings
alike). Reported:

* full-step time = median call time of the uncached generations; cached-step time = median time of the calls a
  setting cached (stepcache: its per-stream log; FirstBlockCache: whether block 2 ran);
* ideal speedup = ``S * t_full / (n_full * t_full + n_cached * t_cached)`` for the setting's pattern of S steps;
* measured speedup = median uncached generation time / median generation time of the setting;
* efficiency = measured / ideal (1.0: no cost beyond the model's full and cached calls; it also pays the recording on
  full steps, the bookkeeping of each call, and the loop's own work);
* MACs per step and MAC-ideal speedup from ``stepcache.summary`` (``torch.utils.flop_counter``);
* cache: the largest total size of the tensors the stream keeps between calls (stepcache: ``stream.cache`` -- the
  stored residual of every stream -- and, for first-block, the watched residual ``stream.signal``; read after every
  call; FirstBlockCache: the tensors of its shared state), and the formula ``(image tokens + text tokens) x width x
  batch x 4 bytes`` for one stored residual;
* ours vs FirstBlockCache: final latents bit-identical (``torch.equal``), same pattern, time ratio (median of ours /
  median of theirs, and the median of the per-round ratios).

Peak RSS is not reported: the caches here are below 1 MB, under the resolution of a process's RSS on this machine.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata as md
import json
import platform
import statistics
import time
from pathlib import Path

import torch

import stepcache
import stepcache.api
import stepcache.families.transformer
from stepcache import DeepCacheConfig

ROOT = Path(__file__).resolve().parents[1]
UNIFORM = [("N=2 F1B0", dict(interval=2)), ("N=3 F1B0", dict(interval=3)), ("N=5 F1B0", dict(interval=5)),
           ("N=3 F2B1", dict(interval=3, first_blocks=2, last_blocks=1))]


# -- models and their sampling loops -------------------------------------------------------------------------------
def dit(width: int):
    from diffusers import DiTTransformer2DModel

    torch.manual_seed(0)
    model = DiTTransformer2DModel(sample_size=32, patch_size=2, in_channels=4, out_channels=8, num_layers=28,
                                  attention_head_dim=64, num_attention_heads=width // 64, norm_num_groups=32,
                                  num_embeds_ada_norm=1000).eval()
    x0 = torch.randn(1, 4, 32, 32, generator=torch.Generator().manual_seed(1))
    labels = torch.tensor([207, 1000])  # class, null class (CFG batched)

    def loop(steps):
        x = x0
        for t in torch.linspace(999, 1, steps):
            out = model(torch.cat([x, x]), timestep=t.expand(2), class_labels=labels, return_dict=False)[0]
            cond, uncond = out[:, :4].chunk(2)
            x = x - (uncond + 4.0 * (cond - uncond)) / steps
        return x

    shape = dict(image_tokens=256, text_tokens=0, width=width, batch=2, blocks=28)
    return model, loop, shape


def flux(width: int):
    from diffusers import FluxTransformer2DModel

    torch.manual_seed(0)
    model = FluxTransformer2DModel(patch_size=1, in_channels=64, num_layers=19, num_single_layers=38,
                                   attention_head_dim=64, num_attention_heads=width // 64, joint_attention_dim=128,
                                   pooled_projection_dim=128, guidance_embeds=True,
                                   axes_dims_rope=[16, 24, 24]).eval()
    g = torch.Generator().manual_seed(1)
    x0 = torch.randn(1, 256, 64, generator=g)
    text = torch.randn(1, 64, 128, generator=g)
    pooled = torch.randn(1, 128, generator=g)
    img_ids = torch.zeros(16, 16, 3)
    img_ids[..., 1] = torch.arange(16)[:, None]
    img_ids[..., 2] = torch.arange(16)[None, :]
    img_ids = img_ids.reshape(256, 3)
    txt_ids = torch.zeros(64, 3)
    guidance = torch.tensor([3.5])

    def loop(steps):
        x = x0
        sigmas = torch.linspace(1.0, 1.0 / steps, steps).tolist() + [0.0]
        for i in range(steps):
            v = model(hidden_states=x, encoder_hidden_states=text, pooled_projections=pooled,
                      timestep=torch.tensor([sigmas[i]]), img_ids=img_ids, txt_ids=txt_ids, guidance=guidance,
                      return_dict=False)[0]
            x = x + (sigmas[i + 1] - sigmas[i]) * v
        return x

    shape = dict(image_tokens=256, text_tokens=64, width=width, batch=1, blocks=57)
    return model, loop, shape


# -- per-call timing and cache size --------------------------------------------------------------------------------
class Calls:
    """Per call of the model: its time, whether block 2 of the stack ran, and (stepcache) the size of what the
    streams keep after it."""

    def __init__(self, model, second_block, kept: bool):
        self.model, self.measure_kept = model, kept
        self.times, self.ran, self.kept = [], [], []
        inner = next(second_block.children())
        self.h = [model.register_forward_pre_hook(self._pre), model.register_forward_hook(self._post),
                  inner.register_forward_pre_hook(self._ran)]

    def _pre(self, *a):
        self.ran.append(False)
        self.t0 = (time.perf_counter(), time.process_time())

    def _ran(self, *a):
        self.ran[-1] = True

    def _post(self, *a):
        self.times.append((time.perf_counter() - self.t0[0], time.process_time() - self.t0[1]))
        if self.measure_kept:  # warm-up only: walking FirstBlockCache's hooks takes time
            self.kept.append(kept_bytes(self.model))

    def remove(self):
        for h in self.h:
            h.remove()


def _nbytes(x) -> int:
    if isinstance(x, torch.Tensor):
        return x.numel() * x.element_size()
    if isinstance(x, (list, tuple)):
        return sum(_nbytes(v) for v in x)
    if isinstance(x, dict):
        return sum(_nbytes(v) for v in x.values())
    return 0


def kept_bytes(model) -> int:
    """Tensors kept between calls: stepcache's streams (cache + watched signal), else FirstBlockCache's state."""
    ctrl = stepcache.api.controller_of(model)
    if ctrl is not None:
        gen = ctrl.tracker.current
        return 0 if gen is None else sum(_nbytes(s.cache) + _nbytes(s.signal) for s in gen.streams)
    from diffusers.hooks.hooks import StateManager

    total, seen = 0, set()
    for m in model.modules():
        reg = getattr(m, "_diffusers_hook", None)
        for hook in (reg.hooks.values() if reg is not None else ()):
            for v in vars(hook).values():
                if isinstance(v, StateManager) and id(v) not in seen:
                    seen.add(id(v))
                    for state in v._state_cache.values():
                        total += sum(_nbytes(a) for a in vars(state).values())
    return total


# -- settings ------------------------------------------------------------------------------------------------------
class Setting:
    def __init__(self, name, model, loop, steps, config=None, fbc=None):
        self.name, self.model, self.loop, self.steps, self.config, self.fbc = name, model, loop, steps, config, fbc
        self.kept = 0
        self.clear()

    def clear(self):
        self.totals = {"wall": [], "cpu": []}
        self.call_times = {"wall": [], "cpu": []}  # per run: [(F or C, seconds)] per call
        self.patterns, self.outputs = [], []

    def run(self, calls_block, kept=False) -> None:
        model = self.model
        if self.config is not None:
            stepcache.enable(model, self.config)
            ctx = stepcache.generation(model, num_steps=self.steps)
        elif self.fbc is not None:
            ctx = fbc_on(model, self.fbc)
        else:
            ctx = _Null()
        calls = Calls(model, calls_block, kept)
        gc.collect()
        try:
            with torch.no_grad():
                with ctx:
                    t0, c0 = time.perf_counter(), time.process_time()
                    out = self.loop(self.steps)
                    t, c = time.perf_counter() - t0, time.process_time() - c0
            if self.config is not None:
                (log,) = stepcache.api.controller_of(model).last_logs
                pattern = "".join(log)
            else:
                pattern = "".join("F" if r else "C" for r in calls.ran)
        finally:
            calls.remove()
            if self.config is not None:
                stepcache.disable(model)
            elif self.fbc is not None:
                fbc_off(model)
        self.totals["wall"].append(t)
        self.totals["cpu"].append(c)
        self.call_times["wall"].append([(k, w) for k, (w, _) in zip(pattern, calls.times)])
        self.call_times["cpu"].append([(k, cp) for k, (_, cp) in zip(pattern, calls.times)])
        self.patterns.append(pattern)
        self.outputs.append(out)
        self.kept = max([self.kept] + calls.kept)


class _Null:
    def __enter__(self):
        return None

    def __exit__(self, *a):
        return False


class fbc_on:
    """diffusers' FirstBlockCache on for one generation: ``enable_cache`` + ``cache_context("cond")`` where the model
    has ``CacheMixin`` (Flux), else ``apply_first_block_cache`` and the same context set by hand (DiT)."""

    def __init__(self, model, threshold):
        from diffusers.hooks import FirstBlockCacheConfig, apply_first_block_cache
        from diffusers.models.cache_utils import CacheMixin

        self.model = model
        cfg = FirstBlockCacheConfig(threshold=threshold)
        self.mixin = isinstance(model, CacheMixin)
        if self.mixin:
            model.enable_cache(cfg)
        else:
            apply_first_block_cache(model, cfg)

    def __enter__(self):
        from diffusers.hooks.hooks import CacheContext, _set_cache_context

        if self.mixin:
            self.ctx = self.model.cache_context("cond")
            self.ctx.__enter__()
        else:
            _set_cache_context(self.model, CacheContext("cond"))

    def __exit__(self, *exc):
        from diffusers.hooks.hooks import _set_cache_context

        if self.mixin:
            self.ctx.__exit__(*exc)
        else:
            _set_cache_context(self.model, None)
        return False


def fbc_off(model):
    from diffusers.hooks import HookRegistry
    from diffusers.models.cache_utils import CacheMixin

    if isinstance(model, CacheMixin):
        model.disable_cache()
        return
    registry = HookRegistry.check_if_exists_or_initialize(model)
    for name in ("fbc_leader_block_hook", "fbc_block_hook"):
        registry.remove_hook(name, recurse=True)


# -- one model -----------------------------------------------------------------------------------------------------
def bench(name, build, width, threshold, steps, rounds, uniform=True):
    model, loop, shape = build(width)
    stack = stepcache.families.transformer.stack(model, 1, 0)
    second = model.get_submodule(stack.blocks[1])
    settings = [Setting("uncached", model, loop, steps)]
    settings += [Setting(label, model, loop, steps, DeepCacheConfig(**kw)) for label, kw in UNIFORM if uniform]
    settings += [Setting(f"first-block {threshold} (stepcache)", model, loop, steps,
                         DeepCacheConfig(schedule="first-block", threshold=threshold)),
                 Setting(f"FirstBlockCache {threshold} (diffusers)", model, loop, steps, fbc=threshold)]
    macs = {}
    for s in settings:  # warm-up generation (not timed), MACs per step from stepcache.summary
        s.run(second, kept=True)
        if s.config is not None:
            stepcache.enable(model, s.config)
            with torch.no_grad(), stepcache.generation(model, num_steps=steps):
                loop(steps)
            summ = stepcache.summary(model)
            macs[s.name] = dict(full=summ.macs_full, cached=summ.macs_cached, per_step=summ.macs_per_step,
                                ideal=summ.ideal_speedup)
            stepcache.disable(model)
        s.clear()
    for r in range(rounds):
        order = settings[r % len(settings):] + settings[:r % len(settings)]
        for s in order:
            s.run(second)
        print(f"{name} round {r + 1}/{rounds}: " + ", ".join(f"{s.name} {s.totals['wall'][-1]:.2f}s wall "
                                                      f"{s.totals['cpu'][-1]:.2f}s cpu" for s in settings),
              flush=True)

    analysis = {clock: analyze(settings, steps, clock) for clock in ("cpu", "wall")}
    base = settings[0]
    rows = []
    for i, s in enumerate(settings):
        pattern = s.patterns[0]
        stable = all(p == pattern for p in s.patterns) and all(torch.equal(o, s.outputs[0]) for o in s.outputs)
        rows.append(dict(setting=s.name, pattern=pattern, deterministic=stable, macs=macs.get(s.name),
                         kept_mb=s.kept / 2**20, cpu=analysis["cpu"][0][i], wall=analysis["wall"][0][i],
                         max_abs_diff_vs_uncached=float((s.outputs[0] - base.outputs[0]).abs().max())))
    ours, theirs = settings[-2], settings[-1]
    versus = dict(threshold=threshold, identical=bool(torch.equal(ours.outputs[0], theirs.outputs[0])),
                  same_pattern=ours.patterns[0] == theirs.patterns[0])
    for clock in ("cpu", "wall"):
        a, b = ours.totals[clock], theirs.totals[clock]
        per_round = [x / y for x, y in zip(a, b)]
        versus[clock] = dict(ratio_of_medians=statistics.median(a) / statistics.median(b),
                             median_of_round_ratios=statistics.median(per_round),
                             round_ratios=[round(x, 4) for x in per_round])
    residual = (shape["image_tokens"] + shape["text_tokens"]) * shape["width"] * shape["batch"] * 4
    return dict(model=name, shape=shape, steps=steps, rounds=rounds, full_step_ms=analysis["cpu"][1],
                full_step_ms_wall=analysis["wall"][1], uncached_median_s=statistics.median(base.totals["cpu"]),
                uncached_median_s_wall=statistics.median(base.totals["wall"]), rows=rows, versus_fbc=versus, residual_formula_mb=residual / 2**20,
                params_m=sum(p.numel() for p in model.parameters()) / 1e6)


def analyze(settings, steps, clock):
    """Per setting, on one clock: step times, ideal and measured speedups, efficiency (over all rounds' medians, and
    within each round, median over rounds). Returns (rows, full-step ms)."""
    base = settings[0]
    t_full = statistics.median(t for run in base.call_times[clock] for _, t in run)
    t_base = statistics.median(base.totals[clock])
    rows = []
    for s in settings:
        n_c = s.patterns[0].count("C")
        cached_t = [t for run in s.call_times[clock] for k, t in run if k == "C"]
        full_t = [t for run in s.call_times[clock] for k, t in run if k == "F"]
        t_c = statistics.median(cached_t) if cached_t else None
        ideal = steps * t_full / ((steps - n_c) * t_full + n_c * t_c) if n_c else 1.0
        measured = t_base / statistics.median(s.totals[clock])
        per_round = []  # the same within each round (adjacent runs: the machine's load changes less)
        for run_b, run_s, tot_b, tot_s in zip(base.call_times[clock], s.call_times[clock], base.totals[clock],
                                              s.totals[clock]):
            tf = statistics.median(t for _, t in run_b)
            tc = [t for k, t in run_s if k == "C"]
            ideal_r = steps * tf / ((steps - n_c) * tf + n_c * statistics.median(tc)) if tc else 1.0
            per_round.append(dict(full_ms=1e3 * tf, cached_ms=1e3 * statistics.median(tc) if tc else None,
                                  ideal=ideal_r, measured=tot_b / tot_s, efficiency=tot_b / tot_s / ideal_r))
        rows.append(dict(median_s=statistics.median(s.totals[clock]), totals_s=[round(t, 4) for t in s.totals[clock]],
                         full_step_ms=1e3 * statistics.median(full_t) if full_t else None,
                         cached_step_ms=None if t_c is None else 1e3 * t_c,
                         ideal_speedup=ideal, measured_speedup=measured, efficiency=measured / ideal,
                         measured_speedup_round_median=statistics.median(x["measured"] for x in per_round),
                         efficiency_round_median=statistics.median(x["efficiency"] for x in per_round),
                         rounds=per_round))
    return rows, 1e3 * t_full


def machine() -> str:
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or platform.machine()
    return f"{cpu}, 1 torch thread, Python {platform.python_version()}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--dit-width", type=int, default=256)
    ap.add_argument("--flux-width", type=int, default=192)
    ap.add_argument("--dit-threshold", type=float, default=0.25)
    ap.add_argument("--flux-threshold", type=float, default=0.45)
    ap.add_argument("--models", nargs="*", default=["dit", "flux"])
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--md-only", action="store_true", help="rewrite the .md from the .json, run nothing")
    ap.add_argument("--no-uniform", action="store_true",
                    help="only uncached, first-block and FirstBlockCache (the head-to-head, more rounds for the time)")
    ap.add_argument("--name", default="transformer_speed", help="results file name (.json, .md) under --out")
    args = ap.parse_args()
    if args.md_only:
        data = json.loads((args.out / f"{args.name}.json").read_text())
        return write_md(args.out / f"{args.name}.md", data["meta"], data["results"])
    torch.set_num_threads(1)

    cmd = ("OMP_NUM_THREADS=1 .venv/bin/python benchmarks/transformer_bench.py --steps {steps} --rounds {rounds} "
           "--dit-width {dit_width} --flux-width {flux_width} --dit-threshold {dit_threshold} "
           "--flux-threshold {flux_threshold} --models {m}").format(**vars(args), m=" ".join(args.models))
    if args.no_uniform or args.name != "transformer_speed":
        cmd += (" --no-uniform" if args.no_uniform else "") + f" --name {args.name}"
    t0 = time.time()
    results = []
    for name in args.models:
        build, width, th = ((dit, args.dit_width, args.dit_threshold) if name == "dit" else
                            (flux, args.flux_width, args.flux_threshold))
        results.append(bench(name, build, width, th, args.steps, args.rounds, uniform=not args.no_uniform))
    versions = {p: md.version(p) for p in ("torch", "diffusers")}
    meta = dict(command=cmd, machine=machine(), versions=versions, seconds=round(time.time() - t0, 1),
                torch_threads=torch.get_num_threads())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps(dict(meta=meta, results=results), indent=1))
    write_md(args.out / f"{args.name}.md", meta, results)


def write_md(path, meta, results):
    title = {"dit": "DiT-XL/2-shaped", "flux": "Flux-shaped"}
    lines = ["# DeepCache on transformers: speed, efficiency, stepcache vs diffusers' FirstBlockCache", "",
             f"Command (repo root): `{meta['command']}`  ",
             f"Machine: {meta['machine']}; torch {meta['versions']['torch']}, diffusers {meta['versions']['diffusers']}"
             f". Run time {meta['seconds']} s.", "",
             "Definitions and method: docstring of `benchmarks/transformer_bench.py`. Times are medians over the "
             "interleaved rounds. **efficiency = measured speedup / ideal speedup**, the ideal one from the measured "
             "full-step time (uncached calls) and cached-step time (the setting's cached calls) and the setting's "
             "pattern. The machine has 2 cores shared with other work (a training run, other test runs), so the "
             "process was at times descheduled: the table uses the process's **CPU time** (`time.process_time`, "
             "1 torch thread: the work done, whatever the load); the wall-clock figures are given beside it "
             "(`wall` columns) and in the json.", ""]
    for res in results:
        sh = res["shape"]
        lines += [f"## {title.get(res['model'], res['model'])}: {sh['blocks']} blocks, width {sh['width']}, "
                  f"{sh['image_tokens']} image + {sh['text_tokens']} text tokens, batch {sh['batch']} "
                  f"({res['params_m']:.1f} M parameters), {res['steps']} steps, {res['rounds']} rounds", "",
                  f"Full step (uncached call, median): {res['full_step_ms']:.1f} ms CPU "
                  f"({res['full_step_ms_wall']:.1f} ms wall); uncached generation {res['uncached_median_s']:.2f} s "
                  f"CPU ({res['uncached_median_s_wall']:.2f} s wall). One stored residual by the formula "
                  f"(tokens x width x batch x 4 B): {res['residual_formula_mb']:.3f} MB.", "",
                  "| setting | pattern | s / generation | full step ms | cached step ms | ideal speedup | measured "
                  "speedup | efficiency | efficiency per round (median) | wall: measured speedup, efficiency | "
                  "MACs / step (G) | MAC-ideal | cache kept (MB) | max abs diff vs uncached |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in res["rows"]:
            m, c, w = r["macs"], r["cpu"], r["wall"]
            lines.append(
                f"| {r['setting']} | `{r['pattern']}`{'' if r['deterministic'] else ' (varied!)'} | "
                f"{c['median_s']:.2f} | {c['full_step_ms']:.1f} | "
                f"{'-' if c['cached_step_ms'] is None else format(c['cached_step_ms'], '.1f')} | "
                f"{c['ideal_speedup']:.2f}x | {c['measured_speedup']:.2f}x | **{c['efficiency']:.3f}** | "
                f"{c['efficiency_round_median']:.3f} | {w['measured_speedup']:.2f}x, {w['efficiency']:.3f} | "
                f"{'-' if m is None else format(m['per_step'] / 1e9, '.2f')} | "
                f"{'-' if m is None else format(m['ideal'], '.2f') + 'x'} | {r['kept_mb']:.3f} | "
                f"{r['max_abs_diff_vs_uncached']:.2e} |")
        v = res["versus_fbc"]
        c, w = v["cpu"], v["wall"]
        lines += ["", f"stepcache `first-block` vs diffusers FirstBlockCache at threshold {v['threshold']}: outputs "
                  f"bit-identical (`torch.equal`): **{'yes' if v['identical'] else 'no'}**; same pattern: "
                  f"{'yes' if v['same_pattern'] else 'no'}; time ours / theirs, CPU: **{c['ratio_of_medians']:.3f}** "
                  f"(ratio of medians), {c['median_of_round_ratios']:.3f} (median of the per-round ratios "
                  f"{c['round_ratios']}); wall: {w['ratio_of_medians']:.3f}, {w['median_of_round_ratios']:.3f}.", ""]
    path.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
