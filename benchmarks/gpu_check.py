"""Ready for a GPU: step times of full-size random-weight denoisers with stepcache, against the ideal speedup and the
official / diffusers caches, in one run of at most ~8 minutes on one H100.

    python benchmarks/gpu_check.py --out benchmarks/results/gpu          # on a CUDA machine
    python benchmarks/gpu_check.py --dry --out /tmp/gpu_dry              # tiny sizes on CPU (tests/test_gpu_check.py)

Models, built from their configs with random weights (nothing downloaded), each in its usual dtype:

* **SD 1.5 U-Net** (``UNet2DConditionModel``, 860M parameters), fp16, batch 2 (classifier-free guidance), 64x64x4
  latents (512 px), 77 text tokens of 768;
* **SDXL U-Net** (2.6B), fp16, batch 2, 128x128x4 latents (1024 px), 77 tokens of 2048, text_time conditioning;
* **Flux-shaped transformer** (``FluxTransformer2DModel``, 19 double + 38 single blocks, width 3072: 12B), bf16,
  batch 1, 1024 px (4096 image tokens) + 512 text tokens, guidance-distilled;
* **Wan-shaped transformer** (``WanTransformer3DModel``, Wan 2.1 1.3B: 30 blocks, width 1536), bf16, batch 1,
  480x832, 17 frames (5 latent frames: 7800 tokens), 512 text tokens.

Per model, a hand-written loop of ``--steps`` denoiser calls (``stepcache.generation``; the sample updated from the
output each step), eager and (where the time budget allows) ``torch.compile``d, each call timed with CUDA
synchronisation (the same cost in every setting):

* ``uncached`` (the plain model): full-step time;
* stepcache uniform N = 2, 3, 5 (U-Nets: branch 1; transformers: F1B0), reusing; and N = 5 with the ``taylor``
  forecaster of order 2 (the forecasters cost elementwise work only): per setting the full (recording) and
  cached step times, the measured speedup (uncached loop time / this loop's) against the ideal one
  (``n t_full / (n_full t_full + n_cached t_cached)`` with the uncached full-step time, and the MAC-ideal one of
  ``stepcache.summary``), and the peak memory above the uncached loop's (``torch.cuda.max_memory_allocated``) beside
  ``summary().kept_bytes``;
* U-Nets: the official ``DeepCache.DeepCacheSDHelper`` at N = 3 (branch id 0), same loop;
* transformers: diffusers' ``FirstBlockCacheConfig`` (threshold 0.1 here: random weights drift differently from
  trained ones) and ``TaylorSeerCacheConfig`` (interval 5, max_order 2), through ``model.enable_cache`` inside
  ``model.cache_context("cond")``: their loop time and speedup (which calls they skipped is not read, so no
  cached-step time or ideal speedup for them).

Everything past ``--budget-s`` seconds (default 420) is skipped and listed as skipped, so the run ends in time.
Writes ``gpu_check.json`` and ``gpu_check.md`` into ``--out``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import platform
import statistics
import time
from pathlib import Path
from types import SimpleNamespace

import torch

import stepcache
from stepcache import DeepCacheConfig

SETTINGS = [("stepcache N=2", dict(interval=2)), ("stepcache N=3", dict(interval=3)),
            ("stepcache N=5", dict(interval=5)),
            ("stepcache N=5 taylor2", dict(interval=5, forecaster="taylor", order=2))]


# -- the models ------------------------------------------------------------------------------------------------------

def sd15(dry: bool):
    from diffusers import UNet2DConditionModel

    if dry:
        kw = dict(block_out_channels=(8, 16), layers_per_block=1, cross_attention_dim=16, attention_head_dim=4,
                  norm_num_groups=4, sample_size=8, down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                  up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"))
    else:
        kw = dict(block_out_channels=(320, 640, 1280, 1280), layers_per_block=2, cross_attention_dim=768,
                  attention_head_dim=8, sample_size=64)
    model = UNet2DConditionModel(**kw)
    s, d = kw["sample_size"], kw["cross_attention_dim"]

    def inputs(device, dtype):
        return {"sample": torch.randn(2, 4, s, s, device=device, dtype=dtype),
                "encoder_hidden_states": torch.randn(2, 77, d, device=device, dtype=dtype)}
    return model, inputs


def sdxl(dry: bool):
    from diffusers import UNet2DConditionModel

    if dry:
        kw = dict(block_out_channels=(8, 16), layers_per_block=1, cross_attention_dim=16, attention_head_dim=4,
                  norm_num_groups=4, sample_size=8, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                  up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), transformer_layers_per_block=(1, 2),
                  addition_embed_type="text_time", addition_time_embed_dim=8,
                  projection_class_embeddings_input_dim=16 + 6 * 8, use_linear_projection=True)
        text = 16
    else:
        kw = dict(block_out_channels=(320, 640, 1280), layers_per_block=2, cross_attention_dim=2048,
                  attention_head_dim=(5, 10, 20), sample_size=128,
                  down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
                  up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
                  transformer_layers_per_block=(1, 2, 10), addition_embed_type="text_time",
                  addition_time_embed_dim=256, projection_class_embeddings_input_dim=2816,
                  use_linear_projection=True)
        text = 1280
    model = UNet2DConditionModel(**kw)
    s, d = kw["sample_size"], kw["cross_attention_dim"]

    def inputs(device, dtype):
        return {"sample": torch.randn(2, 4, s, s, device=device, dtype=dtype),
                "encoder_hidden_states": torch.randn(2, 77, d, device=device, dtype=dtype),
                "added_cond_kwargs": {"text_embeds": torch.randn(2, text, device=device, dtype=dtype),
                                      "time_ids": torch.randn(2, 6, device=device, dtype=dtype)}}
    return model, inputs


def flux(dry: bool):
    from diffusers import FluxTransformer2DModel

    if dry:
        kw = dict(patch_size=1, in_channels=16, num_layers=2, num_single_layers=2, attention_head_dim=16,
                  num_attention_heads=2, joint_attention_dim=32, pooled_projection_dim=32, axes_dims_rope=(4, 4, 8),
                  guidance_embeds=True)
        side, text = 4, 8
    else:
        kw = dict(patch_size=1, in_channels=64, num_layers=19, num_single_layers=38, attention_head_dim=128,
                  num_attention_heads=24, joint_attention_dim=4096, pooled_projection_dim=768,
                  axes_dims_rope=(16, 56, 56), guidance_embeds=True)
        side, text = 64, 512
    model = FluxTransformer2DModel(**kw)

    def inputs(device, dtype):
        axis = torch.arange(side, dtype=torch.float32)
        ids = torch.stack(torch.meshgrid(torch.zeros(1), axis, axis, indexing="ij"), -1).reshape(-1, 3)
        return {"hidden_states": torch.randn(1, side * side, kw["in_channels"], device=device, dtype=dtype),
                "encoder_hidden_states": torch.randn(1, text, kw["joint_attention_dim"], device=device, dtype=dtype),
                "pooled_projections": torch.randn(1, kw["pooled_projection_dim"], device=device, dtype=dtype),
                "guidance": torch.full((1,), 3.5, device=device, dtype=dtype),
                "img_ids": ids.to(device=device, dtype=dtype),
                "txt_ids": torch.zeros(text, 3, device=device, dtype=dtype), "return_dict": False}
    return model, inputs


def wan(dry: bool):
    from diffusers import WanTransformer3DModel

    if dry:
        kw = dict(patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=8, in_channels=4, out_channels=4,
                  text_dim=16, freq_dim=16, ffn_dim=32, num_layers=3, rope_max_seq_len=32)
        shape, text = (2, 4, 4), 8
    else:
        kw = dict(patch_size=(1, 2, 2), num_attention_heads=12, attention_head_dim=128, in_channels=16,
                  out_channels=16, text_dim=4096, freq_dim=256, ffn_dim=8960, num_layers=30)
        shape, text = (5, 60, 104), 512
    model = WanTransformer3DModel(**kw)

    def inputs(device, dtype):
        return {"hidden_states": torch.randn(1, kw["in_channels"], *shape, device=device, dtype=dtype),
                "encoder_hidden_states": torch.randn(1, text, kw["text_dim"], device=device, dtype=dtype),
                "return_dict": False}
    return model, inputs


MODELS = {"sd15-unet": (sd15, torch.float16), "sdxl-unet": (sdxl, torch.float16),
          "flux-transformer": (flux, torch.bfloat16), "wan-transformer": (wan, torch.bfloat16)}


# -- timing ------------------------------------------------------------------------------------------------------------

def _sync(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


class Loop:
    """A hand-written denoising loop of ``steps`` calls; each call timed (synchronised)."""

    def __init__(self, model, inputs: dict, steps: int, device, unet: bool):
        self.model, self.inputs, self.steps, self.device, self.unet = model, inputs, steps, device, unet
        self.timesteps = torch.linspace(981, 1, steps).round().to(device)
        self.context = contextlib.nullcontext  # what each loop runs inside (a setting's generation / cache context)

    def __call__(self, call=None) -> tuple[float, list[float]]:
        call = self.model if call is None else call
        kw = dict(self.inputs)
        key = "sample" if self.unet else "hidden_states"
        x = kw.pop(key)
        times = []
        _sync(self.device)
        start = time.perf_counter()
        with torch.no_grad(), self.context():
            for t in self.timesteps:
                t0 = time.perf_counter()
                if self.unet:
                    out = call(x, t, **kw)
                else:
                    out = call(**{key: x}, timestep=(t / 1000).reshape(1), **kw)
                out = out[0] if isinstance(out, tuple) else getattr(out, "sample", out)
                x = x - 0.001 * out  # a new sample each step (stepcache's hand-written-loop rule)
                _sync(self.device)
                times.append(time.perf_counter() - t0)
        return time.perf_counter() - start, times


def _peak(device):
    if device.type != "cuda":
        return None
    return torch.cuda.max_memory_allocated()


def _reset_peak(device):
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()


def run_model(name: str, dry: bool, steps: int, device, deadline: float, compile_mode: str | None) -> dict:
    build, dtype = MODELS[name]
    dtype = torch.float32 if dry else dtype
    t0 = time.perf_counter()
    with torch.device(device):
        torch.manual_seed(0)
        default = torch.get_default_dtype()
        torch.set_default_dtype(dtype)
        try:
            model, make_inputs = build(dry)
        finally:
            torch.set_default_dtype(default)
    model = model.to(device=device, dtype=dtype).eval()
    keep = getattr(model, "_keep_in_fp32_modules", None) or []  # as from_pretrained(torch_dtype=...) keeps them
    for module_name, module in model.named_modules():
        if any(k in module_name.split(".") for k in keep):
            module.to(torch.float32)
    unet = name.endswith("unet")
    inputs = make_inputs(device, dtype)
    loop = Loop(model, inputs, steps, device, unet)
    result = {"model": name, "dtype": str(dtype).replace("torch.", ""), "steps": steps,
              "parameters": sum(p.numel() for p in model.parameters()), "build_s": time.perf_counter() - t0,
              "runs": [], "skipped": []}
    modes = [("eager", None)] + ([("compiled", compile_mode)] if compile_mode else [])
    for mode, backend in modes:
        if time.perf_counter() > deadline:
            result["skipped"].append(f"{mode}: all settings (time budget)")
            continue

        def compiled():  # a fresh compilation per setting: each one's hooks are other code to trace
            if backend is None:
                return model
            torch._dynamo.reset()
            return torch.compile(model, backend=backend)
        call = compiled()
        loop(call)  # warm-up (compiles the uncached graph)
        _reset_peak(device)
        total, times = loop(call)
        base = {"mode": mode, "setting": "uncached", "loop_s": total, "full_step_s": statistics.median(times),
                "peak_bytes": _peak(device)}
        result["runs"].append(base)
        t_full = base["full_step_s"]
        settings = SETTINGS + [("official DeepCache N=3", None)] * unet + \
            [("diffusers FirstBlockCache", "fbc"), ("diffusers TaylorSeer N=5 order 2", "taylorseer")] * (not unet)
        if backend is not None:  # compiled: ours at N=3, reusing and forecasting (compiling each costs minutes)
            settings = [s for s in SETTINGS if s[0] in ("stepcache N=3", "stepcache N=5 taylor2")]
        for label, cfg in settings:
            if time.perf_counter() > deadline:
                result["skipped"].append(f"{mode}: {label} (time budget)")
                continue
            with _setting(model, cfg, loop) as state:
                call = compiled()
                loop(call)  # warm-up: the cached graphs compile
                _reset_peak(device)
                total, times = loop(call)
                peak = _peak(device)
                pattern = state.pattern()
                extra = state.extra()
            full = [s for s, k in zip(times, pattern) if k == "F"]
            cached = [s for s, k in zip(times, pattern) if k == "C"]
            nf, nc = len(full), len(cached)
            t_cached = statistics.median(cached) if cached else None
            ideal = steps * t_full / (nf * t_full + nc * t_cached) if cached else None
            row = {"mode": mode, "setting": label, "pattern": pattern, "loop_s": total,
                   "full_step_s": statistics.median(full) if full else None, "cached_step_s": t_cached,
                   "speedup": base["loop_s"] / total, "ideal_speedup_time": ideal,
                   "efficiency": None if ideal is None else base["loop_s"] / total / ideal,
                   "peak_over_uncached_bytes": None if peak is None or base["peak_bytes"] is None
                   else peak - base["peak_bytes"], **extra}
            result["runs"].append(row)
        del call
        torch._dynamo.reset()
        gc.collect()
        if device.type == "cuda":
            torch.cuda.empty_cache()
    del model
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return result


@contextlib.contextmanager
def _setting(model, cfg, loop: Loop):
    """Enable one setting for the duration: a stepcache config (dict), the official helper (None), or diffusers'
    ``"fbc"`` / ``"taylorseer"``. ``state.pattern()``: the F/C pattern of the last loop; ``state.extra()``: more
    figures."""
    state = SimpleNamespace(pattern=lambda: "F" * loop.steps, extra=lambda: {})
    if isinstance(cfg, dict):
        with stepcache.cached(model, DeepCacheConfig(**cfg, num_steps=loop.steps)):
            loop.context = lambda: stepcache.generation(model, num_steps=loop.steps)

            def extra():
                s = stepcache.summary(model)
                return {"mac_ideal_speedup": s.ideal_speedup, "kept_bytes": s.kept_bytes}
            state.pattern, state.extra = (lambda: stepcache.summary(model).streams[0]), extra
            try:
                yield state
            finally:
                loop.context = contextlib.nullcontext
        return
    if cfg is None:  # the official DeepCache helper, N=3 at branch id 0 (paper branch 1)
        from DeepCache import DeepCacheSDHelper

        helper = DeepCacheSDHelper(pipe=SimpleNamespace(unet=model, scheduler=SimpleNamespace(
            timesteps=loop.timesteps)))
        helper.set_params(cache_interval=3, cache_branch_id=0)
        helper.enable()
        try:
            state.pattern = lambda: "".join("F" if i % 3 == 0 else "C" for i in range(loop.steps))
            yield state
        finally:
            helper.disable()
        return
    from diffusers.hooks import FirstBlockCacheConfig, TaylorSeerCacheConfig

    config = FirstBlockCacheConfig(threshold=0.1) if cfg == "fbc" else \
        TaylorSeerCacheConfig(cache_interval=5, disable_cache_before_step=1, max_order=2, taylor_factors_dtype=None)
    model.enable_cache(config)

    @contextlib.contextmanager
    def context():
        with model.cache_context("cond"):
            yield
    loop.context = context
    try:
        state.pattern = lambda: ""  # which calls diffusers' hooks skipped is not read here: loop time only
        yield state
    finally:
        loop.context = contextlib.nullcontext
        model.disable_cache()


def _fmt(x, unit=1e3, digits=2):
    return "-" if x is None else f"{x * unit:.{digits}f}"


def markdown(report: dict) -> str:
    lines = [f"# GPU check ({'dry, tiny models on CPU' if report['dry'] else report['device']})", "",
             f"Command: `{report['command']}`", "",
             f"torch {report['torch']}, diffusers {report['diffusers']}, {report['steps']} steps per loop; "
             f"{report['seconds']:.0f} s in all.", ""]
    for r in report["models"]:
        lines += [f"## {r['model']} ({r['parameters'] / 1e6:.0f}M parameters, {r['dtype']})", "",
                  "| mode | setting | pattern | full step ms | cached step ms | loop ms | speedup | ideal (time) | "
                  "efficiency | MAC-ideal | kept MiB | peak over uncached MiB |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for row in r["runs"]:
            mac = row.get("mac_ideal_speedup")
            lines.append(f"| {row['mode']} | {row['setting']} | {row.get('pattern', '-')} | "
                         f"{_fmt(row.get('full_step_s'))} | {_fmt(row.get('cached_step_s'))} | "
                         f"{_fmt(row['loop_s'])} | {row.get('speedup', 1.0):.2f} | "
                         f"{_fmt(row.get('ideal_speedup_time', 1.0), 1)} | {_fmt(row.get('efficiency', 1.0), 1)} | "
                         f"{'-' if mac is None else f'{mac:.2f}'} | {_fmt(row.get('kept_bytes'), 2 ** -20)} | "
                         f"{_fmt(row.get('peak_over_uncached_bytes'), 2 ** -20)} |")
        if r["skipped"]:
            lines += ["", "Skipped: " + "; ".join(r["skipped"]) + "."]
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dry", action="store_true", help="tiny models on CPU (the test); no GPU needed")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/gpu"))
    ap.add_argument("--steps", type=int, default=None, help="denoiser calls per loop (default 20; dry 6)")
    ap.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    ap.add_argument("--budget-s", type=float, default=420.0, help="skip what would start after this many seconds")
    ap.add_argument("--no-compile", action="store_true", help="eager only")
    args = ap.parse_args(argv)
    if not args.dry and not torch.cuda.is_available():
        ap.error("no CUDA device: run with --dry for the tiny CPU check")
    device = torch.device("cpu" if args.dry else "cuda")
    steps = args.steps or (5 if args.dry else 20)
    compile_mode = None if args.no_compile else ("eager" if args.dry else "inductor")
    start = time.perf_counter()
    deadline = start + args.budget_s
    import diffusers

    report = {"dry": args.dry, "device": torch.cuda.get_device_name(0) if device.type == "cuda" else
              platform.processor() or "cpu", "torch": torch.__version__, "diffusers": diffusers.__version__,
              "steps": steps, "command": "python benchmarks/gpu_check.py " + " ".join(argv or []), "models": []}
    for i, name in enumerate(args.models):
        if args.dry and i:  # the dry run compiles the first model only (the path, not the figures)
            compile_mode = None
        if time.perf_counter() > deadline:
            report["models"].append({"model": name, "skipped": ["all (time budget)"], "runs": [], "parameters": 0,
                                     "dtype": "-"})
            continue
        report["models"].append(run_model(name, args.dry, steps, device, deadline, compile_mode))
    report["seconds"] = time.perf_counter() - start
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu_check.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "gpu_check.md").write_text(markdown(report))
    print(markdown(report))
    return report


if __name__ == "__main__":
    main()
