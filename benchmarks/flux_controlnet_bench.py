"""DeepCache on a Flux ControlNet pipeline: the ControlNet's residuals of the skipped blocks are added anew at every
step (the skipped span is cut at each block they are added to), the ControlNet itself runs every step.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/flux_controlnet_bench.py --steps 12 --rounds 3

A Flux-shaped ``FluxControlNetPipeline`` (random weights, built from configs, nothing downloaded): the transformer
has ``--double`` double-stream and ``--single`` single-stream blocks of width ``--width`` (heads of 32), 256 image
tokens (a 32x32 latent, packed) and 32 text tokens; the ControlNet (``FluxControlNetModel.from_transformer``) has 2
double-stream blocks, its output layers random (not zero) so that its residuals matter. Guidance-distilled: one
transformer call per step, batch 1. Settings run in interleaved rounds (after a warm-up round); times are the CPU time
of the process (``time.process_time``: robust to a shared machine), medians. Also reported: the largest difference
to the uncached output and whether interval 1 is bit-identical.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import torch

import stepcache
from stepcache import DeepCacheConfig


def build(width: int, double: int, single: int):
    from diffusers import (AutoencoderKL, FlowMatchEulerDiscreteScheduler, FluxControlNetModel,
                           FluxControlNetPipeline, FluxTransformer2DModel)

    torch.manual_seed(0)
    tr = FluxTransformer2DModel(patch_size=1, in_channels=16, num_layers=double, num_single_layers=single,
                                attention_head_dim=32, num_attention_heads=width // 32, joint_attention_dim=64,
                                pooled_projection_dim=64, axes_dims_rope=[8, 12, 12]).eval()
    net = FluxControlNetModel.from_transformer(tr, num_layers=2, num_single_layers=0, attention_head_dim=32,
                                               num_attention_heads=width // 32).eval()
    with torch.no_grad():
        for p in list(net.controlnet_blocks.parameters()) + list(net.controlnet_x_embedder.parameters()):
            p.normal_(0, 0.02)
    vae = AutoencoderKL(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 4,
                        up_block_types=("UpDecoderBlock2D",) * 4, block_out_channels=(8, 8, 8, 8),
                        layers_per_block=1, latent_channels=4, norm_num_groups=8, shift_factor=0.0609,
                        scaling_factor=1.0).eval()
    pipe = FluxControlNetPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=None,
                                  tokenizer=None, text_encoder_2=None, tokenizer_2=None, transformer=tr,
                                  controlnet=net)
    pipe.set_progress_bar_config(disable=True)
    g = torch.Generator().manual_seed(1)
    kw = dict(prompt_embeds=torch.randn(1, 32, 64, generator=g), pooled_prompt_embeds=torch.randn(1, 64, generator=g),
              control_image=torch.rand(1, 3, 256, 256, generator=g), controlnet_conditioning_scale=0.7,
              height=256, width=256, guidance_scale=3.5, max_sequence_length=32, output_type="latent")
    return pipe, kw


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--double", type=int, default=4)
    ap.add_argument("--single", type=int, default=8)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    pipe, kw = build(args.width, args.double, args.single)

    def call():
        with torch.no_grad():
            return pipe(**kw, num_inference_steps=args.steps, generator=torch.Generator().manual_seed(0)).images

    settings = {"uncached": None, "DeepCache N=1 (check)": DeepCacheConfig(interval=1),
                "DeepCache N=2 F1B0": DeepCacheConfig(interval=2),
                "DeepCache N=3 F1B0": DeepCacheConfig(interval=3),
                "DeepCache N=3 F2B1": DeepCacheConfig(interval=3, first_blocks=2, last_blocks=1)}
    times = {k: [] for k in settings}
    outputs, patterns = {}, {}
    names = list(settings)
    for rnd in range(args.rounds + 1):  # round 0: warm-up and outputs; the order rotates each round
        for name in names[rnd % len(names):] + names[:rnd % len(names)]:
            config = settings[name]
            if config is not None:
                stepcache.enable(pipe, config)
            try:
                t0 = time.process_time()
                out = call()
                if rnd == 0:
                    outputs[name] = out
                    patterns[name] = stepcache.summary(pipe).streams[0] if config is not None else "F" * args.steps
                else:
                    times[name].append(time.process_time() - t0)
            finally:
                if config is not None:
                    stepcache.disable(pipe)
    base = times["uncached"]
    rows = [{"setting": k, "pattern": patterns[k], "cpu_seconds": statistics.median(v),
             "speedup": statistics.median(b / t for b, t in zip(base, v)),
             "max_abs_diff_vs_uncached": float((outputs[k] - outputs["uncached"]).abs().max()),
             "bit_identical": bool(torch.equal(outputs[k], outputs["uncached"]))} for k, v in times.items()]
    cmd = (f"OMP_NUM_THREADS=1 .venv/bin/python benchmarks/flux_controlnet_bench.py --steps {args.steps} "
           f"--rounds {args.rounds} --width {args.width} --double {args.double} --single {args.single}")
    lines = ["# Flux ControlNet pipeline with DeepCache", "", f"Command: `{cmd}`  ",
             f"Machine: {platform.processor() or platform.machine()}, 1 torch thread, torch {torch.__version__}, "
             f"Python {platform.python_version()} (a shared machine: CPU time of the process, medians over "
             f"{args.rounds} interleaved rounds)  ",
             f"FluxControlNetPipeline, transformer {args.double} double + {args.single} single blocks of width "
             f"{args.width}, ControlNet 2 double blocks, 256x256 (256 image tokens + 32 text tokens), "
             f"{args.steps} steps, random weights.", "",
             "| setting | pattern | CPU s / generation | speedup | max abs diff vs uncached | bit-identical |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['setting']} | `{r['pattern']}` | {r['cpu_seconds']:.2f} | {r['speedup']:.2f}x | "
                     f"{r['max_abs_diff_vs_uncached']:.2e} | {'yes' if r['bit_identical'] else 'no'} |")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "flux_controlnet.md").write_text("\n".join(lines) + "\n")
    (args.out / "flux_controlnet.json").write_text(json.dumps(rows, indent=2) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
