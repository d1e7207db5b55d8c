"""What skipping the ControlNet's own deep part adds to DeepCache, on the SD 1.5-shaped preset with a ControlNet.

    python benchmarks/controlnet_bench.py --steps 50 --repeats 5 --out benchmarks/results

Rows: uncached; DeepCache with the ControlNet run whole every step (what other DeepCache implementations do);
DeepCache with the ControlNet's deep part skipped on cached steps (stepcache's default). Interleaved rounds, medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

import stepcache
from stepcache import DeepCacheConfig
from stepcache.embedded.bench import machine, sd_prompt_embeds, sd_shaped_pipe


def main() -> None:
    from diffusers import ControlNetModel, StableDiffusionControlNetPipeline

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    base = sd_shaped_pipe(8, 32)
    torch.manual_seed(1)
    net = ControlNetModel.from_unet(base.unet).eval()
    pipe = StableDiffusionControlNetPipeline(vae=None, text_encoder=None, tokenizer=None, unet=base.unet,
                                             controlnet=net, scheduler=base.scheduler, safety_checker=None,
                                             feature_extractor=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    g = torch.Generator().manual_seed(0)
    cond, uncond = sd_prompt_embeds(pipe, g)
    image = torch.rand(1, 3, 256, 256, generator=g)

    def call():
        with torch.no_grad():
            return pipe(prompt_embeds=cond, negative_prompt_embeds=uncond, image=image, height=256, width=256,
                        num_inference_steps=args.steps, guidance_scale=7.5, output_type="latent",
                        generator=torch.Generator().manual_seed(0)).images

    settings = {"uncached": None,
                "DeepCache N=3 b=1, ControlNet whole": DeepCacheConfig(interval=3, branch=1, controlnet=False),
                "DeepCache N=3 b=1, ControlNet deep part cached": DeepCacheConfig(interval=3, branch=1)}
    times = {k: [] for k in settings}
    outputs, macs = {}, {}
    for rnd in range(args.repeats + 1):  # round 0: warm-up, outputs and MACs
        for name, config in settings.items():
            if config is not None:
                stepcache.enable(pipe, config)
            try:
                if rnd == 0:
                    with FlopCounterMode(display=False) as counter:
                        outputs[name] = call()
                    macs[name] = counter.get_total_flops() / 2
                else:
                    t0 = time.perf_counter()
                    call()
                    times[name].append(time.perf_counter() - t0)
            finally:
                if config is not None:
                    stepcache.disable(pipe)
    base_t = times["uncached"]
    rows = [{"setting": k, "seconds": statistics.median(v),
             "speedup": statistics.median(b / t for b, t in zip(base_t, v)),
             "macs_per_generation": macs[k], "mac_speedup": macs["uncached"] / macs[k],
             "max_abs_diff_vs_controlnet_whole": None if settings[k] is None else float(
                 (outputs[k] - outputs["DeepCache N=3 b=1, ControlNet whole"]).abs().max())}
            for k, v in times.items()]
    lines = ["# ControlNet: what skipping its deep part adds", "",
             f"Command: `python benchmarks/controlnet_bench.py --steps {args.steps} --repeats {args.repeats} "
             f"--threads {args.threads}`  ", f"Machine: {machine()}  ",
             f"SD 1.5 U-Net layout at 1/8 width (random weights) + `ControlNetModel.from_unet`, 256x256 control "
             f"image, 32x32 latents, DDIM {args.steps} steps, CFG batch 2. Speedups: medians over {args.repeats} "
             "interleaved rounds; MACs: torch.utils.flop_counter over a whole generation (U-Net + ControlNet).", "",
             "| setting | s / generation | speedup (measured) | GMACs / generation | MAC speedup | "
             "max abs diff vs ControlNet whole |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['setting']} | {r['seconds']:.2f} | {r['speedup']:.2f}x | "
                     f"{r['macs_per_generation'] / 1e9:.1f} | {r['mac_speedup']:.2f}x | "
                     + ("- |" if r["max_abs_diff_vs_controlnet_whole"] is None
                        else f"{r['max_abs_diff_vs_controlnet_whole']:.1e} |"))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "controlnet.md").write_text("\n".join(lines) + "\n")
    (args.out / "controlnet.json").write_text(json.dumps(rows, indent=2) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
