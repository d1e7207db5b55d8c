"""Train the transformer twin of the emoji model: a diffusers ``PixArtTransformer2DModel`` on the same 8x8x4 VAE
latents, conditioned on the *frozen* text encoder of the trained Stable Diffusion model (``caption_channels`` = its
hidden size, 128; the pad tokens masked out of cross-attention, as ``PixArtAlphaPipeline`` does).

The text encoder is frozen, so the prompts' embeddings are computed once. Same recipe as ``train_t2i.py``: train-side
emoji only, validation loss on the held-out emoji, 10% caption dropout to the empty prompt, EMA, AdamW with warm-up
and a cosine decay to 0 over ``--steps`` or ``--minutes`` of wall time, seeded, resumable (rerun the same command),
``--init-from`` (an exported pipeline folder) when no checkpoint exists. ``--out`` writes a ``PixArtAlphaPipeline``
folder at the end (or alone with ``--export-only``). Call it with ``use_resolution_binning=False`` (the bins start
at 256 px); the text encoder's 16 positions are extended to the pipeline's default 120 tokens with
zeros, which changes nothing for the 16 real positions (CLIP's attention is causal) and the rest are masked.

    OMP_NUM_THREADS=1 python training/train_pixart.py --minutes 90 --work /root/.cache/stepcache-train/pixart \
        --sd src/stepcache/embedded/models/emoji-sd --out src/stepcache/embedded/models/emoji-pixart
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import time
from pathlib import Path

import torch
from diffusers import PixArtTransformer2DModel
from tqdm import tqdm
from transformers import CLIPTextModel, PreTrainedTokenizerFast

from stepcache.embedded import emoji as E
from train_t2i import WORK, build_scheduler, encode_latents, inference_scheduler, load_vae


def build_transformer(layers: int = 6, heads: int = 4, head_dim: int = 48) -> PixArtTransformer2DModel:
    return PixArtTransformer2DModel(
        sample_size=8, patch_size=1, in_channels=4, out_channels=4, num_layers=layers, num_attention_heads=heads,
        attention_head_dim=head_dim, cross_attention_dim=heads * head_dim, caption_channels=128,
        norm_type="ada_norm_single", norm_elementwise_affine=False, norm_eps=1e-6, use_additional_conditions=False,
        dropout=0.0, attention_bias=True, activation_fn="gelu-approximate", num_embeds_ada_norm=1000,
    )


@torch.no_grad()
def embed(te: CLIPTextModel, ids: torch.Tensor, batch: int = 512) -> tuple[torch.Tensor, torch.Tensor]:
    mask = (ids != 0).long()
    h = torch.cat([te(ids[i:i + batch], attention_mask=mask[i:i + batch])[0] for i in range(0, len(ids), batch)])
    return h, mask


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=10000)
    ap.add_argument("--minutes", type=float, default=0)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--p-uncond", type=float, default=0.1)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ckpt-seconds", type=float, default=180)
    ap.add_argument("--val-every", type=int, default=500)
    ap.add_argument("--sd", type=Path, required=True, help="the exported emoji-sd folder (text encoder, VAE)")
    ap.add_argument("--work", type=Path, default=WORK / "pixart")
    ap.add_argument("--init-from", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--export-only", action="store_true")
    args = ap.parse_args(argv)
    if args.export_only and args.out is None:
        ap.error("--export-only needs --out")
    if args.out is not None and args.out.resolve().parent != args.sd.resolve().parent:
        ap.error(f"--out must sit beside --sd ({args.sd.resolve().parent}): its vae and text_encoder are relative "
                 "links to --sd's")

    torch.set_flush_denormal(True)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.work.mkdir(parents=True, exist_ok=True)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(args.sd / "tokenizer")
    te = CLIPTextModel.from_pretrained(args.sd / "text_encoder", torch_dtype=torch.float32).eval()
    model = build_transformer(args.layers)
    ema = copy.deepcopy(model).requires_grad_(False)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    gen = torch.Generator().manual_seed(args.seed)
    step, elapsed = 0, 0.0
    ckpt = args.work / "checkpoint.pt"
    if ckpt.exists():
        state = torch.load(ckpt, weights_only=False)
        model.load_state_dict(state["model"]); ema.load_state_dict(state["ema"]); opt.load_state_dict(state["opt"])
        gen.set_state(state["rng"]); step, elapsed = state["step"], state["elapsed"]
        print(f"resumed at step {step} ({elapsed / 60:.1f} min)", flush=True)
    elif args.init_from is not None:
        init = PixArtTransformer2DModel.from_pretrained(args.init_from / "transformer", torch_dtype=torch.float32)
        model.load_state_dict(init.state_dict()); ema.load_state_dict(init.state_dict())
    if args.export_only:
        export(ema, te, tokenizer, args, step, elapsed)
        return

    data = E.load()
    cache = args.work / "cond.pt"
    if cache.exists():
        c = torch.load(cache)
    else:
        z = encode_latents(load_vae(args.sd / "vae"), data.images)
        ids = E.tokenize(tokenizer, data.prompts)
        h, mask = embed(te, ids)
        eh, emask = embed(te, E.tokenize(tokenizer, [""]))
        c = {"z": z, "h": h, "mask": mask, "empty_h": eh[0], "empty_mask": emask[0]}
        torch.save(c, cache)
    held = torch.from_numpy(data.held_out)
    z_tr, h_tr, m_tr = c["z"][~held], c["h"][~held], c["mask"][~held]
    z_va, h_va, m_va = c["z"][held], c["h"][held], c["mask"][held]
    alphas = build_scheduler().alphas_cumprod
    params = sum(p.numel() for p in model.parameters())
    log_path, val_path = args.work / "loss.csv", args.work / "val.csv"
    if step == 0:
        log_path.write_text("step,loss,lr,elapsed_s\n")
        val_path.write_text("step,val_loss,val_loss_ema,elapsed_s\n")
        (args.work / "run.json").write_text(json.dumps({"transformer_params": params, "args": {
            k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}}, indent=2) + "\n")
    print(f"transformer {params / 1e6:.2f}M params; train {len(z_tr)}, validation {len(z_va)}", flush=True)

    def forward(m, x, t, h, mask):
        return m(x, encoder_hidden_states=h, encoder_attention_mask=mask, timestep=t,
                 added_cond_kwargs={"resolution": None, "aspect_ratio": None}).sample

    vg = torch.Generator().manual_seed(1234)
    v_idx = torch.randperm(len(z_va), generator=vg)[:512]
    v_t = torch.randint(0, 1000, (len(v_idx),), generator=vg)
    v_noise = torch.randn((len(v_idx), *z_va.shape[1:]), generator=vg)

    @torch.no_grad()
    def val_loss(m) -> float:
        total = 0.0
        for i in range(0, len(v_idx), 128):
            j, t = v_idx[i:i + 128], v_t[i:i + 128]
            a = alphas[t].view(-1, 1, 1, 1)
            xt = a.sqrt() * z_va[j] + (1 - a).sqrt() * v_noise[i:i + 128]
            total += torch.nn.functional.mse_loss(forward(m, xt, t, h_va[j], m_va[j]), v_noise[i:i + 128],
                                                  reduction="sum").item()
        return total / v_noise.numel()

    def progress(s: int, seconds: float) -> float:
        return min(1.0, seconds / (60 * args.minutes)) if args.minutes else min(1.0, s / args.steps)

    def lr_at(s: int, seconds: float) -> float:
        return args.lr * min(1.0, (s + 1) / args.warmup) * 0.5 * (1 + math.cos(math.pi * progress(s, seconds)))

    bar = tqdm(total=None if args.minutes else args.steps, initial=step, desc="train pixart", unit="step",
               mininterval=15)
    t_start, last_save = time.time() - elapsed, time.time()
    done = lambda: progress(step, time.time() - t_start) >= 1.0  # noqa: E731
    model.train()
    while not done():
        idx = torch.randint(0, len(z_tr), (args.batch,), generator=gen)
        x0, h, mask = z_tr[idx], h_tr[idx].clone(), m_tr[idx].clone()
        drop = torch.rand(args.batch, generator=gen) < args.p_uncond
        h[drop], mask[drop] = c["empty_h"], c["empty_mask"]
        t = torch.randint(0, 1000, (args.batch,), generator=gen)
        noise = torch.randn(x0.shape, generator=gen)
        a = alphas[t].view(-1, 1, 1, 1)
        loss = torch.nn.functional.mse_loss(forward(model, a.sqrt() * x0 + (1 - a).sqrt() * noise, t, h, mask), noise)
        lr = lr_at(step, time.time() - t_start)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            for pe, p in zip(ema.parameters(), model.parameters()):
                pe.lerp_(p, 1 - args.ema)
        step += 1
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item():.4f}")
        with log_path.open("a") as f:
            f.write(f"{step},{loss.item():.6f},{lr:.3e},{time.time() - t_start:.1f}\n")
        last = done()
        if step % args.val_every == 0 or last:
            model.eval()
            v, ve = val_loss(model), val_loss(ema)
            model.train()
            with val_path.open("a") as f:
                f.write(f"{step},{v:.6f},{ve:.6f},{time.time() - t_start:.1f}\n")
            print(f"step {step}: val loss {v:.4f} (EMA {ve:.4f})", flush=True)
        if time.time() - last_save > args.ckpt_seconds or last:
            tmp = ckpt.with_suffix(".tmp")
            torch.save({"model": model.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(),
                        "rng": gen.get_state(), "step": step, "elapsed": time.time() - t_start}, tmp)
            tmp.replace(ckpt)
            last_save = time.time()
    bar.close()
    if args.out is not None:
        export(ema, te, tokenizer, args, step, time.time() - t_start)


def export(ema, te, tokenizer, args, step: int, seconds: float) -> None:
    """A ``PixArtAlphaPipeline`` folder beside the SD one that shares its VAE and text encoder: ``vae`` and
    ``text_encoder`` are relative symlinks to the SD folder's (the weights once on disk, loaded by plain
    ``from_pretrained``); the EMA transformer (fp16), a tokenizer padding to the pipeline's default 120 tokens,
    DDIM with the training betas. The SD folder's text encoder gets 120 positions (zero-extended) if it has fewer:
    the SD pipeline pads to its tokenizer's 16, so its outputs do not change (CLIP's attention is causal)."""
    import os
    import shutil

    from diffusers import PixArtAlphaPipeline

    n = 120
    te = copy.deepcopy(te)
    emb = getattr(te, "text_model", te).embeddings  # transformers 5 flattened CLIPTextModel
    pos = emb.position_embedding
    if pos.num_embeddings < n:
        new = torch.nn.Embedding(n, pos.embedding_dim)
        with torch.no_grad():
            new.weight.zero_()
            new.weight[: pos.num_embeddings] = pos.weight
        emb.position_embedding = new
        if hasattr(emb, "position_ids"):
            emb.register_buffer("position_ids", torch.arange(n).expand((1, -1)), persistent=False)
        te.config.max_position_embeddings = n
        folder = args.sd / "text_encoder"  # replaced whole: written beside it, then swapped in
        fresh, old = folder.with_name("text_encoder.tmp"), folder.with_name("text_encoder.old")
        te.save_pretrained(fresh, safe_serialization=True)
        folder.replace(old)
        fresh.replace(folder)
        shutil.rmtree(old)
    tokenizer = copy.deepcopy(tokenizer)
    tokenizer.model_max_length = n
    tmp = args.out.with_name(args.out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    pipe = PixArtAlphaPipeline(tokenizer=tokenizer, text_encoder=te, vae=load_vae(args.sd / "vae"),
                               transformer=copy.deepcopy(ema).to(torch.float16), scheduler=inference_scheduler())
    pipe.save_pretrained(tmp, safe_serialization=True)
    for shared in ("vae", "text_encoder"):
        shutil.rmtree(tmp / shared)
        os.symlink(os.path.relpath((args.sd / shared).resolve(), args.out.resolve()), tmp / shared)
    (tmp / "training.json").write_text(json.dumps({"step": step, "train_minutes": round(seconds / 60, 1)},
                                                  indent=2) + "\n")
    for name in ("val.csv", "run.json"):
        if (args.work / name).exists():
            shutil.copy(args.work / name, tmp / name)
    if args.out.exists():
        shutil.rmtree(args.out)
    tmp.replace(args.out)


if __name__ == "__main__":
    main()
