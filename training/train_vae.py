"""Train the emoji autoencoder: a diffusers ``AutoencoderKL`` 32x32x3 -> 8x8x4 (two downsamplings) on the train-side
emoji of :mod:`stepcache.embedded.emoji` (held-out emoji never seen), loss = MSE + L1 on pixels + a small KL term.

Seeded, resumable (checkpoint in ``--work`` every ``--ckpt-every`` steps; rerun the same command to resume), EMA
weights, loss.csv, tqdm. ``--init-from`` warm-starts from a saved VAE folder (e.g. the committed
``src/stepcache/embedded/models/emoji-sd/vae``) when no checkpoint exists. At the end the EMA VAE is written to
``--work/final`` (EMA or raw weights, whichever reconstructs the held-out emoji better) with ``scaling_factor`` = 1 / std of the mean latents of all images (so latents have ~unit std) and a
report of reconstruction PSNR on the held-out emoji.

    OMP_NUM_THREADS=1 python training/train_vae.py --minutes 25 --work /root/.cache/stepcache-train/vae
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
from diffusers import AutoencoderKL
from tqdm import tqdm

from stepcache.embedded import emoji as E

WORK = Path("/root/.cache/stepcache-train")


def build_vae(width: int = 32) -> AutoencoderKL:
    """Channels (w, 2w, 4w) at 32, 16, 8 px; 2.7M parameters at w = 32 (0.65 steps/s at batch 64 on 1 thread)."""
    return AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, sample_size=E.SIZE, layers_per_block=1,
        down_block_types=("DownEncoderBlock2D",) * 3, up_block_types=("UpDecoderBlock2D",) * 3,
        block_out_channels=(width, 2 * width, 4 * width), norm_num_groups=16, act_fn="silu",
    )


@torch.no_grad()
def reconstruct(vae: AutoencoderKL, x: torch.Tensor, batch: int = 256) -> torch.Tensor:
    out = []
    for i in range(0, len(x), batch):
        z = vae.encode(x[i:i + batch]).latent_dist.mean
        out.append(vae.decode(z).sample.clamp(-1, 1))
    return torch.cat(out)


@torch.no_grad()
def psnr(vae: AutoencoderKL, x: torch.Tensor) -> float:
    """Mean per-image PSNR (dB) in [0, 1] range of the mean-latent reconstruction."""
    r = reconstruct(vae, x)
    mse = (((r - x) / 2) ** 2).flatten(1).mean(1)
    return float((10 * torch.log10(1 / mse)).mean())


@torch.no_grad()
def latent_std(vae: AutoencoderKL, x: torch.Tensor, batch: int = 256) -> float:
    z = torch.cat([vae.encode(x[i:i + batch]).latent_dist.mean for i in range(0, len(x), batch)])
    return float(z.std())


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=1800)
    ap.add_argument("--minutes", type=float, default=0,
                    help="train for this much wall time instead of --steps (the lr decays over it; the machine is"
                         " shared, so steps/s vary): the run stops at the first step past it")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--kl", type=float, default=1e-6, help="weight of the KL term (summed over latent dims)")
    ap.add_argument("--l1", type=float, default=0.5, help="weight of the L1 term next to MSE")
    ap.add_argument("--ema", type=float, default=0.998)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ckpt-every", type=int, default=200)
    ap.add_argument("--eval-every", type=int, default=500)
    ap.add_argument("--work", type=Path, default=WORK / "vae")
    ap.add_argument("--init-from", type=Path, default=None, help="warm-start from this VAE folder if no checkpoint")
    args = ap.parse_args(argv)

    torch.set_flush_denormal(True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.work.mkdir(parents=True, exist_ok=True)
    data = E.load()
    x_all = torch.from_numpy(E.to_model_range(data.images))
    x_train, x_held = x_all[~data.held_out], x_all[data.held_out]

    vae = build_vae(args.width)
    ema = copy.deepcopy(vae).requires_grad_(False)
    opt = torch.optim.AdamW(vae.parameters(), lr=args.lr, weight_decay=0.0)

    def progress(s: int, seconds: float) -> float:  # 0 -> 1 over --steps, or over --minutes of wall time if given
        return min(1.0, seconds / (60 * args.minutes)) if args.minutes else min(1.0, s / args.steps)

    def lr_at(s: int, seconds: float) -> float:  # warm-up, then cosine to 0 at the end
        return args.lr * min(1.0, (s + 1) / args.warmup) * 0.5 * (1 + math.cos(math.pi * progress(s, seconds)))

    gen = torch.Generator().manual_seed(args.seed)
    step, elapsed = 0, 0.0
    ckpt = args.work / "checkpoint.pt"
    log_path = args.work / "loss.csv"
    if ckpt.exists():
        state = torch.load(ckpt, weights_only=False)
        vae.load_state_dict(state["vae"]); ema.load_state_dict(state["ema"]); opt.load_state_dict(state["opt"])
        gen.set_state(state["rng"]); step, elapsed = state["step"], state["elapsed"]
        print(f"resumed at step {step}")
    elif args.init_from is not None:
        init = AutoencoderKL.from_pretrained(args.init_from, torch_dtype=torch.float32)
        vae.load_state_dict(init.state_dict()); ema.load_state_dict(init.state_dict())
        print(f"warm-started from {args.init_from}")
    if step == 0:
        log_path.write_text("step,loss,mse,kl,elapsed_s,held_out_psnr\n")

    bar = tqdm(total=None if args.minutes else args.steps, initial=step, desc="train vae", unit="step",
               mininterval=10)
    t_start = time.time() - elapsed
    done = lambda: progress(step, time.time() - t_start) >= 1.0  # noqa: E731
    while not done():
        idx = torch.randint(0, len(x_train), (args.batch,), generator=gen)
        x = x_train[idx]
        flip = torch.rand(args.batch, generator=gen) < 0.5
        x = torch.where(flip.view(-1, 1, 1, 1), x.flip(3), x)
        post = vae.encode(x).latent_dist
        z = post.mean + post.std * torch.randn(post.mean.shape, generator=gen)
        rec = vae.decode(z).sample
        mse = torch.nn.functional.mse_loss(rec, x)
        kl = post.kl().mean()
        loss = mse + args.l1 * (rec - x).abs().mean() + args.kl * kl
        for g in opt.param_groups:
            g["lr"] = lr_at(step, time.time() - t_start)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vae.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            for pe, p in zip(ema.parameters(), vae.parameters()):
                pe.lerp_(p, 1 - args.ema)
        step += 1
        bar.update(1)
        bar.set_postfix(mse=f"{mse.item():.4f}")
        held = ""
        last = done()
        if step % args.eval_every == 0 or last:
            held = f"{psnr(ema, x_held):.2f}"
            print(f"\nstep {step}: held-out PSNR (EMA) {held} dB", flush=True)
        with log_path.open("a") as f:
            f.write(f"{step},{loss.item():.6f},{mse.item():.6f},{kl.item():.2f},{time.time() - t_start:.1f},{held}\n")
        if step % args.ckpt_every == 0 or last:
            tmp = ckpt.with_suffix(".tmp")
            torch.save({"vae": vae.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(),
                        "rng": gen.get_state(), "step": step, "elapsed": time.time() - t_start}, tmp)
            tmp.replace(ckpt)
    bar.close()
    seconds = time.time() - t_start
    # with a short run the EMA can lag the raw weights: keep whichever reconstructs the held-out emoji better
    scores = {"ema": psnr(ema, x_held), "raw": psnr(vae.eval(), x_held)}
    print(f"held-out PSNR: EMA {scores['ema']:.2f} dB, raw {scores['raw']:.2f} dB", flush=True)
    best = ema if scores["ema"] >= scores["raw"] else vae
    finish(best, x_all, x_held, args, seconds, step, scores)


def finish(ema: AutoencoderKL, x_all, x_held, args, seconds: float, steps_done: int, scores: dict) -> None:
    std = latent_std(ema, x_all)
    ema.register_to_config(scaling_factor=round(1.0 / std, 5))
    out = args.work / "final"
    ema.save_pretrained(out, safe_serialization=True)
    report = {"held_out_psnr_db": round(psnr(ema, x_held), 3), "held_out_images": int(len(x_held)),
              "weights": "ema" if scores["ema"] >= scores["raw"] else "raw",
              "held_out_psnr_ema_raw": {k: round(v, 3) for k, v in scores.items()},
              "latent_std": round(std, 5), "scaling_factor": ema.config.scaling_factor,
              "params": sum(p.numel() for p in ema.parameters()), "steps": args.steps if not args.minutes else None,
              "minutes": args.minutes, "steps_done": steps_done, "batch": args.batch,
              "width": args.width, "lr": args.lr, "kl": args.kl, "l1": args.l1, "ema": args.ema, "seed": args.seed,
              "threads": args.threads, "train_seconds": round(seconds, 1)}
    (args.work / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
