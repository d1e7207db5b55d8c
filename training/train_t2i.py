"""Train the emoji text-to-image latent diffusion model: a small ``CLIPTextModel`` (hidden 128 x 3 layers, trained
jointly) and a ``UNet2DConditionModel`` (64, 128, 128; 1 layer per block; ~6.7M parameters) on the 8x8x4 latents of
the trained emoji VAE (mean latents x the VAE's ``scaling_factor``), DDPM epsilon loss with SD's scaled-linear betas.

Only the train-side emoji are trained on; the held-out emoji (the split of :mod:`stepcache.embedded.emoji`) give the
validation loss (fixed noise and timesteps, EMA weights). 10% caption dropout to the empty prompt (the unconditional
embedding for classifier-free guidance), EMA, AdamW with warm-up and a cosine decay to 0 over ``--steps`` or over
``--minutes`` of wall time (the machine is shared, so steps/s vary), seeded, resumable: rerun the same command and it
continues from ``--work/checkpoint.pt`` (or warm-starts from ``--init-from``, an exported pipeline folder, when no
checkpoint exists). ``training/export_t2i.py`` writes the pipeline folder from the checkpoint at any time.

    OMP_NUM_THREADS=1 python training/train_t2i.py --minutes 90 --work /root/.cache/stepcache-train/t2i
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import time
from pathlib import Path

import torch
from diffusers import AutoencoderKL, DDIMScheduler, DDPMScheduler, UNet2DConditionModel
from tqdm import tqdm
from transformers import CLIPTextConfig, CLIPTextModel

from stepcache.embedded import emoji as E

WORK = Path("/root/.cache/stepcache-train")


def build_text_encoder(vocab_size: int) -> CLIPTextModel:
    cfg = CLIPTextConfig(vocab_size=vocab_size, hidden_size=128, intermediate_size=512, num_hidden_layers=3,
                         num_attention_heads=4, max_position_embeddings=E.MAX_LENGTH, projection_dim=128,
                         pad_token_id=0, bos_token_id=2, eos_token_id=3, hidden_act="quick_gelu")
    return CLIPTextModel(cfg)


def build_unet() -> UNet2DConditionModel:
    return UNet2DConditionModel(
        sample_size=8, in_channels=4, out_channels=4, layers_per_block=1, block_out_channels=(64, 128, 128),
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=128, attention_head_dim=4, norm_num_groups=32,
    )


def build_scheduler() -> DDPMScheduler:
    return DDPMScheduler(num_train_timesteps=1000, beta_schedule="scaled_linear", beta_start=0.00085,
                         beta_end=0.012, prediction_type="epsilon", clip_sample=False)


def inference_scheduler() -> DDIMScheduler:
    return DDIMScheduler(num_train_timesteps=1000, beta_schedule="scaled_linear", beta_start=0.00085,
                         beta_end=0.012, prediction_type="epsilon", clip_sample=False, set_alpha_to_one=False,
                         steps_offset=1)


@torch.no_grad()
def encode_latents(vae: AutoencoderKL, images, batch: int = 256) -> torch.Tensor:
    x = torch.from_numpy(E.to_model_range(images))
    z = torch.cat([vae.encode(x[i:i + batch]).latent_dist.mean for i in range(0, len(x), batch)])
    return z * vae.config.scaling_factor


def load_vae(path: Path) -> AutoencoderKL:
    return AutoencoderKL.from_pretrained(path, torch_dtype=torch.float32).eval().requires_grad_(False)


def latents_and_ids(vae_dir: Path, work: Path, tokenizer):
    """Latents of every image (encoded once with the VAE, cached in ``work``) and token ids of every prompt."""
    data = E.load()
    cache = work / "latents.pt"
    if cache.exists():
        z = torch.load(cache)
    else:
        z = encode_latents(load_vae(vae_dir), data.images)
        torch.save(z, cache)
    ids = E.tokenize(tokenizer, data.prompts)
    held = torch.from_numpy(data.held_out)
    return z, ids, held, data


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=10000)
    ap.add_argument("--minutes", type=float, default=0, help="train for this much wall time instead of --steps")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--p-uncond", type=float, default=0.1, help="caption dropout for classifier-free guidance")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ckpt-seconds", type=float, default=180)
    ap.add_argument("--val-every", type=int, default=500)
    ap.add_argument("--vae", type=Path, default=WORK / "vae" / "final", help="the trained VAE folder")
    ap.add_argument("--work", type=Path, default=WORK / "t2i")
    ap.add_argument("--init-from", type=Path, default=None, help="warm-start from this pipeline folder")
    args = ap.parse_args(argv)

    torch.set_flush_denormal(True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.work.mkdir(parents=True, exist_ok=True)
    tok_dir = args.work / "tokenizer"
    if not tok_dir.exists() and args.init_from is not None and (args.init_from / "tokenizer").exists():
        import shutil

        shutil.copytree(args.init_from / "tokenizer", tok_dir)  # the same word ids as the warm-start weights
    if not tok_dir.exists():
        E.build_tokenizer(E.load().prompts).save_pretrained(tok_dir)
    if not args.vae.exists() and args.init_from is not None:
        args.vae = args.init_from / "vae"  # the committed VAE (fp16 on disk, loaded as fp32)
        print(f"VAE {args.vae}", flush=True)
    from transformers import PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast.from_pretrained(tok_dir)
    z, ids, held, _ = latents_and_ids(args.vae, args.work, tokenizer)
    z_train, ids_train = z[~held], ids[~held]
    z_val, ids_val = z[held], ids[held]
    empty = E.tokenize(tokenizer, [""])[0]
    print(f"latents {tuple(z.shape)} std {z.std():.3f}; train {len(z_train)}, validation {len(z_val)}", flush=True)

    te, unet = build_text_encoder(len(tokenizer)), build_unet()
    ema_te, ema_unet = copy.deepcopy(te).requires_grad_(False), copy.deepcopy(unet).requires_grad_(False)
    params = list(unet.parameters()) + list(te.parameters())
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    sched = build_scheduler()
    alphas = sched.alphas_cumprod

    gen = torch.Generator().manual_seed(args.seed)
    step, elapsed = 0, 0.0
    ckpt = args.work / "checkpoint.pt"
    if ckpt.exists():
        state = torch.load(ckpt, weights_only=False)
        for m, k in ((te, "te"), (unet, "unet"), (ema_te, "ema_te"), (ema_unet, "ema_unet")):
            m.load_state_dict(state[k])
        opt.load_state_dict(state["opt"]); gen.set_state(state["rng"])
        step, elapsed = state["step"], state["elapsed"]
        print(f"resumed at step {step} ({elapsed / 60:.1f} min)", flush=True)
    elif args.init_from is not None:
        te.load_state_dict(CLIPTextModel.from_pretrained(args.init_from / "text_encoder").float().state_dict())
        unet.load_state_dict(UNet2DConditionModel.from_pretrained(args.init_from / "unet").float().state_dict())
        ema_te.load_state_dict(te.state_dict()); ema_unet.load_state_dict(unet.state_dict())
        print(f"warm-started from {args.init_from}", flush=True)
    log_path, val_path = args.work / "loss.csv", args.work / "val.csv"
    if step == 0:
        log_path.write_text("step,loss,lr,elapsed_s\n")
        val_path.write_text("step,val_loss,val_loss_ema,elapsed_s\n")
        meta = {"unet_params": sum(p.numel() for p in unet.parameters()),
                "text_encoder_params": sum(p.numel() for p in te.parameters()), "args": {
                    k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}}
        (args.work / "run.json").write_text(json.dumps(meta, indent=2) + "\n")

    # fixed validation draws: 512 held-out latents, timesteps and noise from their own seed
    vg = torch.Generator().manual_seed(1234)
    v_idx = torch.randperm(len(z_val), generator=vg)[:512]
    v_t = torch.randint(0, 1000, (len(v_idx),), generator=vg)
    v_noise = torch.randn((len(v_idx), *z.shape[1:]), generator=vg)

    @torch.no_grad()
    def val_loss(te_m, unet_m) -> float:
        total = 0.0
        for i in range(0, len(v_idx), 128):
            j = v_idx[i:i + 128]
            a = alphas[v_t[i:i + 128]].view(-1, 1, 1, 1)
            xt = a.sqrt() * z_val[j] + (1 - a).sqrt() * v_noise[i:i + 128]
            h = te_m(ids_val[j])[0]
            total += torch.nn.functional.mse_loss(unet_m(xt, v_t[i:i + 128], h).sample, v_noise[i:i + 128],
                                                  reduction="sum").item()
        return total / v_noise.numel()

    def progress(s: int, seconds: float) -> float:
        return min(1.0, seconds / (60 * args.minutes)) if args.minutes else min(1.0, s / args.steps)

    def lr_at(s: int, seconds: float) -> float:
        return args.lr * min(1.0, (s + 1) / args.warmup) * 0.5 * (1 + math.cos(math.pi * progress(s, seconds)))

    def save() -> None:
        tmp = ckpt.with_suffix(".tmp")
        torch.save({"te": te.state_dict(), "unet": unet.state_dict(), "ema_te": ema_te.state_dict(),
                    "ema_unet": ema_unet.state_dict(), "opt": opt.state_dict(), "rng": gen.get_state(),
                    "step": step, "elapsed": time.time() - t_start,
                    "te_config": te.config.to_dict(), "unet_config": dict(unet.config)}, tmp)
        tmp.replace(ckpt)

    te.train(); unet.train()
    bar = tqdm(total=None if args.minutes else args.steps, initial=step, desc="train t2i", unit="step",
               mininterval=15)
    t_start = time.time() - elapsed
    last_save = time.time()
    done = lambda: progress(step, time.time() - t_start) >= 1.0  # noqa: E731
    while not done():
        idx = torch.randint(0, len(z_train), (args.batch,), generator=gen)
        x0, tokens = z_train[idx], ids_train[idx].clone()
        tokens[torch.rand(args.batch, generator=gen) < args.p_uncond] = empty
        t = torch.randint(0, 1000, (args.batch,), generator=gen)
        noise = torch.randn(x0.shape, generator=gen)
        a = alphas[t].view(-1, 1, 1, 1)
        xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
        loss = torch.nn.functional.mse_loss(unet(xt, t, te(tokens)[0]).sample, noise)
        lr = lr_at(step, time.time() - t_start)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        with torch.no_grad():
            for src, dst in ((unet, ema_unet), (te, ema_te)):
                for pe, p in zip(dst.parameters(), src.parameters()):
                    pe.lerp_(p, 1 - args.ema)
        step += 1
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item():.4f}")
        with log_path.open("a") as f:
            f.write(f"{step},{loss.item():.6f},{lr:.3e},{time.time() - t_start:.1f}\n")
        last = done()
        if step % args.val_every == 0 or last:
            te.eval(); unet.eval()
            v, ve = val_loss(te, unet), val_loss(ema_te, ema_unet)
            te.train(); unet.train()
            with val_path.open("a") as f:
                f.write(f"{step},{v:.6f},{ve:.6f},{time.time() - t_start:.1f}\n")
            print(f"step {step}: val loss {v:.4f} (EMA {ve:.4f}), {(time.time() - t_start) / 60:.1f} min", flush=True)
        if time.time() - last_save > args.ckpt_seconds or last:
            save()
            last_save = time.time()
    bar.close()
    print(f"done: {step} steps in {(time.time() - t_start) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
