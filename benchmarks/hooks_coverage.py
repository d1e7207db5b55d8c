"""Coverage of diffusers' cache hooks (and cache-dit) on tiny offline pipelines: runs? exact? state-safe? hooks?

For each tiny pipeline (tests/tiny_dit.py, plus the tiny SD U-Net pipeline of tests/tiny.py) and each method:

* stepcache (this project, ``stepcache.enable(pipe, DeepCacheConfig(...))``): ``uniform`` N=3 with F=1, B=0 (on the
  U-Net: its default branch), and ``schedule="first-block"`` at FirstBlockCache's threshold (transformers only; the
  U-Net refuses it);
* diffusers ``FirstBlockCacheConfig``, ``MagCacheConfig``, ``TaylorSeerCacheConfig``,
  ``PyramidAttentionBroadcastConfig``, ``FasterCacheConfig``: applied with ``pipe.transformer.enable_cache(config)``
  where the denoiser has ``CacheMixin``, else with ``diffusers.hooks.apply_*`` by hand (as a user would: no
  ``cache_context`` is opened for them);
* cache-dit's DBCache (``cache_dit.enable_cache(pipe, cache_config=DBCacheConfig(...))``), when ``cache_dit`` imports
  (``--cache-dit-path`` adds a ``pip install --no-deps --target`` folder to ``sys.path``; it patches the pipeline
  CLASS, so it runs last, after all baselines are taken, on a fresh pipeline each time);

it measures, on a fresh pipeline each time:

(a) runs: the caching config completes a call (else the exception, shortened);
(b) exact: the method's no-caching setting gives an output bit-identical (``torch.equal``) to the plain pipeline;
(c) state: with the caching config, call 2 == call 1 (two identical consecutive calls), and a call aborted at step 2
    (``callback_on_step_end`` raising after step index 2; pipelines without that argument: the denoiser raising on
    its first call of step 3) followed by a clean call gives the clean call-1 output;
(d) hooks: number of diffusers hooks registered under the denoiser (cache-dit: "patched");
(e) work: MACs of the Linear/Conv layers inside the denoiser's blocks in call 1, relative to the plain call (1.0 = no
    saving; shows whether the caching setting actually skipped anything at these step counts).

Settings (``STEPS`` denoising steps, seed 0):
  FirstBlockCache  cache: threshold=0.35         exact: threshold=0
  MagCache         cache: ratios from a calibrate=True run of the same pipeline, threshold=0.5, max_skip_steps=2,
                   retention_ratio=0.2           exact: threshold=0 (accumulated error > 0 after the first ratio)
  TaylorSeer       cache: cache_interval=2, disable_cache_before_step=2          exact: cache_interval=1
  PAB              cache: spatial_attention_block_skip_range=2 (timestep range (100, 800) default)
                   exact: spatial_attention_block_skip_range=1
  FasterCache      cache: spatial_attention_block_skip_range=2, spatial timestep range (-1, 681) default,
                   unconditional_batch_skip_range=2, weight 0.5, tensor_format per pipeline,
                   is_guidance_distilled for Flux
                   exact: all three timestep ranges (-1, -1) (nothing is ever inside)
  cache-dit DBCache cache: Fn=1, Bn=0 (= FirstBlockCache), residual_diff_threshold=0.35, max_warmup_steps=1
                   exact: residual_diff_threshold=0
  stepcache N3     cache: DeepCacheConfig(interval=3, first_blocks=1, last_blocks=0)   exact: interval=1
  stepcache first-block  cache: DeepCacheConfig(schedule="first-block", threshold=0.35)  exact: threshold=0
stepcache's "state left after abort": after the aborted call the model's controller still holds a generation whose
streams keep a cache (it is dropped when the next call starts a new generation).
PAB and FasterCache need ``current_timestep_callback``: ``pipe.current_timestep`` where the pipeline has it (Flux,
CogVideoX, Wan), else a forward pre-hook on the denoiser that records its ``timestep`` input (first element).

Run::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/hooks_coverage.py --cache-dit-path /tmp/cachedit_pkg

(after ``.venv/bin/pip install --no-deps --target /tmp/cachedit_pkg cache-dit==1.5.3``; torch/diffusers in .venv
are untouched). Writes benchmarks/results/coverage/diffusers_hooks.{md,json}.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata as md
import inspect
import io
import json
import logging
import sys
import tempfile
import time
import traceback
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
torch.set_num_threads(1)

import tiny_dit  # noqa: E402

STEPS = 7  # odd on purpose: per-call counters that are never reset (PAB, TaylorSeer) then shift by one
FBC_THRESHOLD = 0.35  # relative first-block residual change on these random models: ~0.03-0.5
ABORT_AFTER = 2  # callback raises at the end of step index 2
OUT = ROOT / "benchmarks" / "results" / "coverage"
PIPELINES = list(tiny_dit.BUILDERS) + ["sd_unet"]
STEPCACHE = ["stepcache N3", "stepcache first-block"]
METHODS = STEPCACHE + ["FirstBlockCache", "MagCache", "TaylorSeer", "PAB", "FasterCache", "cache-dit DBCache"]
TENSOR_FORMAT = {"cogvideox": "BFCHW", "wan": "BCFHW"}  # others: latents (B, C, H, W); Flux: guidance-distilled


class Abort(RuntimeError):
    pass


_TMP = tempfile.TemporaryDirectory()
OUTPUTS = {}  # (pipeline, method, context by hand) -> output of call 1 with the caching setting


def build(name):
    if name == "sd_unet":
        import tiny

        pipe = tiny.sd_pipe(Path(_TMP.name))
        return pipe, dict(prompt="a red cube", negative_prompt="blurry", guidance_scale=3.0, height=16, width=16)
    return tiny_dit.BUILDERS[name]()


def denoiser(pipe):
    return tiny_dit.denoiser(pipe)


def run(pipe, kw, abort=False):
    """One call; returns the output tensor. ``abort``: raise after step index ABORT_AFTER."""
    kw = dict(kw)
    params = inspect.signature(pipe.__call__).parameters
    handle = None
    if abort:
        if "callback_on_step_end" in params:
            def cb(p, i, t, tensors):
                if i == ABORT_AFTER:
                    raise Abort(f"abort at step {i}")
                return tensors
            kw["callback_on_step_end"] = cb
        else:  # DiT: no callbacks; raise when the denoiser is called for step ABORT_AFTER + 1
            n = {"calls": 0}

            def pre(mod, args, kwargs):
                n["calls"] += 1
                if n["calls"] > ABORT_AFTER + 1:
                    raise Abort("abort in denoiser")
            handle = denoiser(pipe).register_forward_pre_hook(pre, with_kwargs=True)
    try:
        out = pipe(**kw, num_inference_steps=STEPS, generator=torch.Generator().manual_seed(0), output_type="pt",
                   return_dict=False)[0]
    except Abort:
        return None
    finally:
        if handle is not None:
            handle.remove()
    if abort:
        raise RuntimeError("the abort did not trigger")
    return out


# ---------------------------------------------------------------------------------------------------- measurement

def block_lists(model):
    if hasattr(model, "down_blocks"):  # U-Net
        return [model.down_blocks, model.mid_block, model.up_blocks]
    return [m for _, m in model.named_children() if isinstance(m, nn.ModuleList)]


class MacCounter:
    """MACs of Linear/Conv2d calls inside the denoiser's block lists."""

    def __init__(self, model):
        self.macs = 0
        self.handles = []
        for bl in block_lists(model):
            for m in bl.modules():
                if isinstance(m, (nn.Linear, nn.Conv2d)):
                    self.handles.append(m.register_forward_hook(self._hook))

    def _hook(self, m, inp, out):
        if isinstance(m, nn.Linear):
            self.macs += out.numel() * m.in_features
        else:
            self.macs += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def remove(self):
        for h in self.handles:
            h.remove()


def count_hooks(model):
    n = 0
    for m in model.modules():
        reg = getattr(m, "_diffusers_hook", None)
        if reg is not None:
            n += len(reg.hooks)
    return n


def leftover_state(model) -> bool:
    """After an aborted call: does any diffusers hook under ``model`` still hold per-call state?"""
    from diffusers.hooks.hooks import StateManager

    for m in model.modules():
        reg = getattr(m, "_diffusers_hook", None)
        if reg is None:
            continue
        for hook in reg.hooks.values():
            for v in vars(hook).values():
                if isinstance(v, StateManager) and v._state_cache:
                    return True
            st = getattr(hook, "state", None)
            if st is not None and (getattr(st, "iteration", 0) or getattr(st, "cache", None) is not None):
                return True
    return False


def timestep_callback(pipe):
    if hasattr(type(pipe), "current_timestep"):
        return (lambda: pipe.current_timestep), "pipe.current_timestep"
    box = {"t": 1000.0}

    def pre(mod, args, kwargs):
        t = kwargs.get("timestep", args[1] if len(args) > 1 else None)
        if t is not None:
            box["t"] = float(torch.as_tensor(t).flatten()[0])
    denoiser(pipe).register_forward_pre_hook(pre, with_kwargs=True)
    return (lambda: box["t"]), "pre-hook on the denoiser's timestep"


def short(e: BaseException) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__name__}: {msg[:160]}"


# ---------------------------------------------------------------------------------------------------- methods

def mag_ratios(name, ctx=False):
    """MagCache calibrate=True run: returns the ratios it prints per cache context (first context's list)."""
    from diffusers import MagCacheConfig

    pipe, kw = build(name)
    apply_diffusers(pipe, MagCacheConfig(calibrate=True, num_inference_steps=STEPS), ctx)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        run(pipe, kw)
    lines = [ln for ln in buf.getvalue().splitlines() if ln.startswith("[") and not ln.startswith("[MagCache")]
    if not lines:  # no hook was attached (no block list found): nothing to calibrate
        if count_hooks(denoiser(pipe)) == 0:
            return [1.0] * STEPS
        raise RuntimeError("calibration printed no ratios")
    return [float(x) for x in lines[0].strip("[]").split(",")]


def make_config(method, name, pipe, exact, ratios=None):
    import diffusers.hooks as H

    if method == "FirstBlockCache":
        return H.FirstBlockCacheConfig(threshold=0.0 if exact else FBC_THRESHOLD)
    if method == "MagCache":
        return H.MagCacheConfig(threshold=0.0 if exact else 0.5, max_skip_steps=2, retention_ratio=0.2,
                                num_inference_steps=STEPS, mag_ratios=ratios)
    if method == "TaylorSeer":
        return (H.TaylorSeerCacheConfig(cache_interval=1, disable_cache_before_step=2) if exact else
                H.TaylorSeerCacheConfig(cache_interval=2, disable_cache_before_step=2))
    cb, _ = timestep_callback(pipe)
    if method == "PAB":
        return H.PyramidAttentionBroadcastConfig(spatial_attention_block_skip_range=1 if exact else 2,
                                                 current_timestep_callback=cb)
    if method == "FasterCache":
        kw = dict(spatial_attention_block_skip_range=2, unconditional_batch_skip_range=2,
                  attention_weight_callback=lambda _: 0.5, tensor_format=TENSOR_FORMAT.get(name, "BCHW"),
                  is_guidance_distilled=name == "flux", current_timestep_callback=cb)
        if exact:
            kw.update(spatial_attention_timestep_skip_range=(-1, -1), temporal_attention_timestep_skip_range=(-1, -1),
                      unconditional_batch_timestep_skip_range=(-1, -1))
        return H.FasterCacheConfig(**kw)
    raise ValueError(method)


def open_context_by_hand(model):
    """What the pipelines without ``cache_context`` would need: every denoiser call inside context "cond"."""
    from diffusers.hooks.hooks import CacheContext, _set_cache_context

    model.register_forward_pre_hook(lambda m, a: _set_cache_context(m, CacheContext("cond")))
    model.register_forward_hook(lambda m, a, o: _set_cache_context(m, None))


def apply_diffusers(pipe, config, ctx=False):
    from diffusers.models.cache_utils import CacheMixin
    import diffusers.hooks as H

    model = denoiser(pipe)
    if ctx:
        open_context_by_hand(model)
    if isinstance(model, CacheMixin):
        model.enable_cache(config)
        return "enable_cache"
    fn = {H.FirstBlockCacheConfig: H.apply_first_block_cache, H.MagCacheConfig: H.apply_mag_cache,
          H.TaylorSeerCacheConfig: H.apply_taylorseer_cache,
          H.PyramidAttentionBroadcastConfig: H.apply_pyramid_attention_broadcast,
          H.FasterCacheConfig: H.apply_faster_cache}[type(config)]
    fn(model, config)
    return fn.__name__


def apply_stepcache(pipe, method, exact):
    import stepcache
    from stepcache import DeepCacheConfig

    if method == "stepcache N3":
        cfg = DeepCacheConfig(interval=1 if exact else 3, first_blocks=1, last_blocks=0)
    else:
        cfg = DeepCacheConfig(schedule="first-block", threshold=0.0 if exact else FBC_THRESHOLD)
    stepcache.enable(pipe, cfg)
    return "stepcache.enable"


def stepcache_state_left(model) -> bool:
    """After an aborted call: does stepcache's controller still hold a cache for the calling thread?"""
    from stepcache.api import controller_of

    ctrl = controller_of(model)
    gen = None if ctrl is None else ctrl.tracker.current
    return gen is not None and any(s.cache or s.signal is not None for s in gen.streams)


def apply_cache_dit(pipe, exact):
    import cache_dit

    cfg = cache_dit.DBCacheConfig(Fn_compute_blocks=1, Bn_compute_blocks=0,
                                  residual_diff_threshold=0.0 if exact else FBC_THRESHOLD, max_warmup_steps=1,
                                  num_inference_steps=STEPS)
    with contextlib.redirect_stdout(io.StringIO()):
        cache_dit.enable_cache(pipe, cache_config=cfg)
    return "cache_dit.enable_cache"


def measure(name, method, plain, plain_macs, ctx=False):
    res = {"pipeline": name, "method": method}
    if not ctx and method != "cache-dit DBCache" and method not in STEPCACHE:
        res0 = _measure(name, method, plain, plain_macs, False)
        if "No cache context" in json.dumps(res0):
            res0["with_context"] = _measure(name, method, plain, plain_macs, True)
        return res0
    return _measure(name, method, plain, plain_macs, ctx)


def _measure(name, method, plain, plain_macs, ctx):
    res = {"pipeline": name, "method": method}

    def fresh_applied(exact, ratios=None):
        pipe, kw = build(name)
        if method == "cache-dit DBCache":
            how = apply_cache_dit(pipe, exact)
        elif method in STEPCACHE:
            how = apply_stepcache(pipe, method, exact)
        else:
            how = apply_diffusers(pipe, make_config(method, name, pipe, exact, ratios), ctx)
        return pipe, kw, how

    ratios = None
    if method == "MagCache":
        try:
            ratios = mag_ratios(name, ctx)
            res["mag_ratios"] = [round(r, 4) for r in ratios]
        except Exception as e:  # noqa: BLE001
            res["runs"] = False
            res["error"] = "calibration: " + short(e)
            res["trace"] = traceback.format_exc(limit=-4)
            return res
    # (b) exact
    try:
        pipe, kw, how = fresh_applied(True, ratios)
        out = run(pipe, kw)
        res["exact"] = bool(torch.equal(out, plain))
        res["exact_maxdiff"] = float((out - plain).abs().max())
    except Exception as e:  # noqa: BLE001
        res["exact"] = None
        res["exact_error"] = short(e)
    # (a), (c), (d), (e)
    try:
        pipe, kw, how = fresh_applied(False, ratios)
        res["applied_with"] = how
        res["hooks"] = count_hooks(denoiser(pipe)) if method != "cache-dit DBCache" else "patched"
        counter = MacCounter(denoiser(pipe))
        a = run(pipe, kw)
        counter.remove()
        res["runs"] = True
        OUTPUTS[(name, method, ctx)] = a
        res["work"] = round(counter.macs / plain_macs, 3)
        res["maxdiff_vs_plain"] = float((a - plain).abs().max())
    except Exception as e:  # noqa: BLE001
        res["runs"] = False
        res["error"] = short(e)
        res["trace"] = traceback.format_exc(limit=-4)
        return res
    try:
        b = run(pipe, kw)
        res["call2_eq_call1"] = bool(torch.equal(a, b))
        res["call2_maxdiff"] = float((a - b).abs().max())
        run(pipe, kw, abort=True)
        if method in STEPCACHE:
            res["state_left_after_abort"] = stepcache_state_left(denoiser(pipe))
        elif method != "cache-dit DBCache":
            res["state_left_after_abort"] = leftover_state(denoiser(pipe))
        c = run(pipe, kw)
        res["abort_rerun_eq_clean"] = bool(torch.equal(a, c))
        res["abort_rerun_maxdiff"] = float((a - c).abs().max())
    except Exception as e:  # noqa: BLE001
        res["state_error"] = short(e)
        res["trace"] = traceback.format_exc(limit=-4)
    return res


# ---------------------------------------------------------------------------------------------------- report

def mark(v):
    return {True: "yes", False: "**no**", None: "—"}.get(v, str(v))


def cell(r):
    if "with_context" in r:
        return _cell(r) + "; *with a context opened by hand*: " + _cell(r["with_context"])
    return _cell(r)


def _cell(r):
    if not r.get("runs"):
        err = r.get("error", "?").replace("|", "\\|")
        if "No cache context" in err:
            return "**fails**: no cache_context"
        if "is for transformer denoisers" in err:
            return "refused (transformers only; U-Net: `adaptive`)"
        return f"**fails**: `{err}`"
    parts = [f"exact {mark(r.get('exact'))}"]
    if "state_error" in r:
        parts.append(f"state: `{r['state_error']}`")
    else:
        parts.append(f"2nd call {mark(r['call2_eq_call1'])}")
        parts.append(f"abort→rerun {mark(r['abort_rerun_eq_clean'])}")
        if r.get("state_left_after_abort"):
            parts.append("state left after abort")
    if "equal_to_FirstBlockCache" in r:
        parts.append(f"= FirstBlockCache output {mark(r['equal_to_FirstBlockCache'])}")
    parts.append(f"hooks {r['hooks']}")
    parts.append(f"work {r['work']}")
    return ", ".join(parts)


# ---------------------------------------------------------------------------------------------------- docs/coverage.md

DOC = ROOT / "docs" / "coverage.md"
REASONS = [("No cache context", "no cache_context"), ("not registered", "its block class is not registered"),
           ("must match the size of tensor", "batch shape mismatch"), ("Sizes of tensors must match", "shape mismatch"),
           ("pop from empty list", "IndexError: pop from empty list"), ("tuple index out of range",
                                                                       "IndexError: tuple index out of range"),
           ("chunk expects", "chunk of a 0-d timestep"), ("not officially supported by cache-dit",
                                                          "pipeline not supported (needs a BlockAdapter)"),
           ("'NoneType' and 'Tensor'", "TypeError: last joint block returns no text stream")]


def reason(err: str) -> str:
    prefix = "calibration: " if err.startswith("calibration: ") else ""
    for needle, short_text in REASONS:
        if needle in err:
            return prefix + short_text
    return prefix + err[:70]


def verdict(r) -> str:
    """One short verdict per cell: ok, or what goes wrong."""
    if not r.get("runs"):
        err = r.get("error", "?")
        if "is for transformer denoisers" in err:
            return "n/a (transformers only)"
        out = "crash: " + reason(err)
        if r.get("with_context"):
            out += f" (with a context set by hand: {verdict(r['with_context'])})"
        return out
    issues = []
    if r.get("exact") is not True:
        issues.append("not exact" if r.get("exact") is False else "no-cache setting crashes")
    if "state_error" in r:
        issues.append("crash on a later call: " + reason(r["state_error"]))
    else:
        if not r.get("call2_eq_call1"):
            issues.append("2nd call differs")
        if not r.get("abort_rerun_eq_clean"):
            issues.append("not reset after abort")
    if r.get("hooks") == 0:
        issues.append("0 hooks (does nothing)")
    elif r.get("work", 1) >= 1:
        issues.append("skips nothing")
    return "ok" if not issues else ", ".join(issues)


def write_doc(data, path=DOC):
    meta, results = data["meta"], data["results"]
    by = {(r["pipeline"], r["method"]): r for r in results}
    pipelines = list(dict.fromkeys(r["pipeline"] for r in results))
    methods = list(dict.fromkeys(r["method"] for r in results))
    head = {"stepcache N3": "stepcache N=3", "stepcache first-block": "stepcache first-block",
            "FirstBlockCache": "FBC", "PAB": "PAB", "cache-dit DBCache": "cache-dit"}
    lines = ["<!-- hooks:begin -->", "## stepcache vs diffusers' cache hooks vs cache-dit", "",
             f"Made by `{meta['command']}` (then `--doc-only` rewrites this section from "
             "`benchmarks/results/coverage/diffusers_hooks.json`); per-cell details (hooks, work, max diffs, "
             "errors): `benchmarks/results/coverage/diffusers_hooks.md`.", "",
             f"torch {meta['versions']['torch']}, diffusers {meta['versions']['diffusers']}; {meta['cache_dit']}. "
             f"Tiny random-weight pipelines (`tests/tiny_dit.py`; `sd_unet`: the tiny SD U-Net of `tests/tiny.py`), "
             f"{meta['steps']} steps, seed 0, each method applied as a user would (diffusers: "
             "`pipe.transformer.enable_cache(config)` where the denoiser has `CacheMixin`, else `apply_*`; stepcache: "
             "`stepcache.enable(pipe, DeepCacheConfig(...))`; cache-dit: `cache_dit.enable_cache(pipe, ...)`).", "",
             "A cell is **ok** when the caching setting runs and skips work, the method's no-caching setting "
             "(stepcache: `interval=1` / `threshold=0`; FBC: `threshold=0`; ...) is bit-identical to the plain "
             "pipeline, two identical consecutive calls are equal, and a call aborted at step "
             f"{meta['abort_after_step']} followed by a clean call gives the clean output. Otherwise it says what "
             "fails: **crash** (the caching call raises), **not exact**, **2nd call differs**, **not reset after "
             "abort**, **0 hooks** (nothing attached: runs, caches nothing), **skips nothing**.", "",
             "| pipeline (denoiser) | " + " | ".join(head.get(m, m) for m in methods) + " |",
             "|---|" + "---|" * len(methods)]
    for name in pipelines:
        cls = meta["denoisers"][name]["class"]
        lines.append(f"| {name} ({cls}) | " + " | ".join(verdict(by[(name, m)]) for m in methods
                                                          if (name, m) in by) + " |")
    oks = [sum(verdict(by[(n, m)]) == "ok" for n in pipelines if (n, m) in by) for m in methods]
    lines.append(f"| **ok** | " + " | ".join(f"**{k}/{len(pipelines)}**" for k in oks) + " |")
    equal = [r["pipeline"] for r in results if r.get("equal_to_FirstBlockCache")]
    differ = [r["pipeline"] for r in results if r.get("equal_to_FirstBlockCache") is False]
    lines += ["", "Settings: stepcache N=3 = `DeepCacheConfig(interval=3, first_blocks=1, last_blocks=0)` (U-Net: its "
              "default branch); stepcache first-block and FBC at `threshold=0.35`; MagCache calibrated on the same "
              "pipeline; TaylorSeer `cache_interval=2`; PAB and FasterCache skip range 2; cache-dit DBCache F1B0 at "
              "`residual_diff_threshold=0.35` (docstring of `benchmarks/hooks_coverage.py`).", "",
              f"stepcache first-block gives FBC's output bit for bit (`torch.equal`, call 1) on every pipeline where "
              f"FBC runs (with a context set by hand where it needs one): {', '.join(equal) or 'none'}"
              + (f"; differs on {', '.join(differ)}" if differ else "") + ".", "",
              "State after an abort: stepcache, like the stateful diffusers hooks, still holds the aborted call's "
              "cache until the next call (stepcache drops it when the next call starts a new generation, or on "
              "`stepcache.reset(pipe)`); the verdict counts what the next call computes (cache-dit's state was not "
              "inspected).", "<!-- hooks:end -->"]
    from pipeline_coverage import replace_section  # docs/coverage.md also holds the generated pipeline table

    path.parent.mkdir(parents=True, exist_ok=True)
    replace_section(path, "\n".join(lines), lines[0], lines[-1])
    print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--doc-only", action="store_true", help="only rewrite docs/coverage.md from the json")
    ap.add_argument("--cache-dit-path", default=None, help="folder with cache_dit (pip install --no-deps --target)")
    ap.add_argument("--pipelines", nargs="*", default=PIPELINES)
    ap.add_argument("--methods", nargs="*", default=METHODS)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    if args.doc_only:
        write_doc(json.loads((Path(args.out) / "diffusers_hooks.json").read_text()))
        return
    logging.disable(logging.WARNING)
    cmd = "OMP_NUM_THREADS=1 .venv/bin/python benchmarks/hooks_coverage.py" + (
        f" --cache-dit-path {args.cache_dit_path}" if args.cache_dit_path else "")
    if args.pipelines != PIPELINES:
        cmd += " --pipelines " + " ".join(args.pipelines)
    if args.methods != METHODS:
        cmd += " --methods " + " ".join(f"'{m}'" if " " in m else m for m in args.methods)

    cache_dit_status = "not requested"
    methods = [m for m in args.methods if m != "cache-dit DBCache"]
    if "cache-dit DBCache" in args.methods:
        try:
            if args.cache_dit_path:
                sys.path.insert(0, args.cache_dit_path)
            import cache_dit  # noqa: F401

            cache_dit_status = f"cache-dit {cache_dit.__version__} imported from {Path(cache_dit.__file__).parent}"
            methods.append("cache-dit DBCache")
        except Exception as e:  # noqa: BLE001
            cache_dit_status = f"cache-dit does not import: {short(e)}"

    t0 = time.time()
    baselines, results = {}, []
    for name in args.pipelines:  # all baselines first: cache-dit patches pipeline classes
        pipe, kw = build(name)
        counter = MacCounter(denoiser(pipe))
        plain = run(pipe, kw)
        counter.remove()
        again = run(pipe, kw)
        assert torch.equal(plain, again), name
        baselines[name] = (plain, counter.macs, type(denoiser(pipe)).__name__,
                           isinstance(denoiser(pipe), __import__("diffusers").models.cache_utils.CacheMixin))
    for method in methods:
        for name in args.pipelines:
            r = measure(name, method, baselines[name][0], baselines[name][1])
            print(f"{name:13s} {method:18s} {cell(r)}", flush=True)
            results.append(r)

    for r in results:  # stepcache first-block against FirstBlockCache's output (context by hand where needed)
        if r["method"] == "stepcache first-block" and r.get("runs"):
            fbc = OUTPUTS.get((r["pipeline"], "FirstBlockCache", False),
                              OUTPUTS.get((r["pipeline"], "FirstBlockCache", True)))
            if fbc is not None:
                r["equal_to_FirstBlockCache"] = bool(torch.equal(OUTPUTS[(r["pipeline"], r["method"], False)], fbc))
    versions = {p: md.version(p) for p in ("torch", "diffusers", "transformers")}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    meta = dict(command=cmd, steps=STEPS, abort_after_step=ABORT_AFTER, versions=versions, cache_dit=cache_dit_status,
                seconds=round(time.time() - t0, 1),
                denoisers={n: {"class": b[2], "CacheMixin": b[3]} for n, b in baselines.items()})
    (out / "diffusers_hooks.json").write_text(json.dumps(dict(meta=meta, results=results), indent=1))

    by = {(r["pipeline"], r["method"]): r for r in results}
    lines = [
        "# Cache hooks on tiny pipelines: runs? exact? state-safe?",
        "",
        f"Command (repo root): `{cmd}`",
        "",
        f"torch {versions['torch']}, diffusers {versions['diffusers']}, transformers {versions['transformers']}; "
        f"{cache_dit_status}. {STEPS} steps, seed 0, CPU, random-weight tiny pipelines from `tests/tiny_dit.py` "
        f"and `tests/tiny.py` (sd_unet). Settings and definitions: docstring of `benchmarks/hooks_coverage.py`. "
        f"Run time {meta['seconds']} s.",
        "",
        "cache-dit was installed outside the project venv with `.venv/bin/pip install --no-deps --target "
        "/tmp/cachedit_pkg cache-dit==1.5.3` (its requirements torch>=2.7.1, diffusers>=0.36.0, transformers>=4.55.2 "
        "are met by the venv; `pip list` of .venv identical before and after) and put on `sys.path` by "
        "`--cache-dit-path`." if args.cache_dit_path else "cache-dit not requested (`--cache-dit-path`).",
        "",
        "Why each failure happens (source lines): `docs/notes/first_block_cache.md` sections 3, 5 and 6. FirstBlockCache "
        "with a context opened by hand is what a pipeline without `cache_context` would need (a pre/post hook on the "
        "denoiser setting context \"cond\" around every call); it is shown only where the plain use fails for lack "
        "of one.",
        "",
        "Per cell: **exact** = the method's no-caching setting is bit-identical to the plain pipeline; **2nd call** = "
        "two identical consecutive calls give equal outputs; **abort→rerun** = a call aborted at step "
        f"{ABORT_AFTER} (raising callback) then a clean call equals the first clean call; **hooks** = diffusers hooks "
        "registered under the denoiser; **work** = Linear/Conv MACs inside the blocks relative to the plain call "
        "(< 1: something was skipped); **state left after abort** = after the aborted call a hook still holds per-call "
        "state (a leak whether or not it changed this rerun's output).",
        "",
        "| pipeline (denoiser, CacheMixin?) | " + " | ".join(methods) + " |",
        "|---|" + "---|" * len(methods),
    ]
    for name in args.pipelines:
        b = baselines[name]
        row = f"| {name} ({b[2]}, {'yes' if b[3] else 'no'}) | "
        row += " | ".join(cell(by[(name, m)]) for m in methods) + " |"
        lines.append(row)
    lines += ["", "## Summary counts (as a user applies it; in brackets: with a cache_context opened by hand where "
              "the plain use failed for lack of one)", "",
              "| method | runs | exact | 2nd call equal | abort→rerun equal | caches (work < 1) |",
              "|---|---|---|---|---|---|"]

    def eff(r):
        return r.get("with_context", r)

    def cnt(rs, f):
        return sum(1 for r in rs if f(r))

    for m in methods:
        rs = [by[(n, m)] for n in args.pipelines]
        es = [eff(r) for r in rs]
        cols = [lambda r: r.get("runs"), lambda r: r.get("exact"),
                lambda r: r.get("runs") and r.get("call2_eq_call1"),
                lambda r: r.get("runs") and r.get("abort_rerun_eq_clean"),
                lambda r: r.get("runs") and r.get("work", 1) < 1]
        cells = []
        for f in cols:
            a, b = cnt(rs, f), cnt(es, f)
            cells.append(f"{a}/{len(rs)}" + (f" ({b})" if b != a else ""))
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines += ["", "## Errors (full first line)", ""]
    for r in results:
        for rr, tag in ((r, ""), (r.get("with_context"), " [context by hand]")):
            if not rr:
                continue
            for k in ("error", "exact_error", "state_error"):
                if k in rr:
                    lines.append(f"- {r['pipeline']} / {r['method']}{tag} ({k}): `{rr[k]}`")
    (out / "diffusers_hooks.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    if out == OUT:
        write_doc(json.loads((out / "diffusers_hooks.json").read_text()))


if __name__ == "__main__":
    main()
