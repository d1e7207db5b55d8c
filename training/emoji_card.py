"""Measure the exported emoji text-to-image pipeline and write its model card: prompt agreement on the held-out
emoji's prompts (guidance sweep and DDIM step counts), FID-emoji with the real-data and VAE-reconstruction floors,
the step-count fidelity to the 100-step image, loss curves and a sample grid.

    OMP_NUM_THREADS=1 python training/emoji_card.py --model src/stepcache/embedded/models/emoji-sd \
        --work /root/.cache/stepcache-train/t2i --vae-work /root/.cache/stepcache-train/vae

(about 15 minutes at 1 thread: every image costs 2 U-Net calls per step, classifier-free guidance). After a new
classifier (the model unchanged), re-measure with the same command plus ``--no-loss-plot`` and the card's
``--status`` / ``--vae-note`` texts; report.json records the command and the classifier it was measured with.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from stepcache.embedded import emoji as E
from stepcache.embedded import emoji_eval as ev

ROOT = Path(__file__).resolve().parents[1]


def load_pipe(folder: Path):
    """The pipeline in ``folder`` (emoji-sd's ``StableDiffusionPipeline``, emoji-pixart's ``PixArtAlphaPipeline``)."""
    from diffusers import DiffusionPipeline

    pipe = DiffusionPipeline.from_pretrained(folder)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = ((a.astype(np.float64) - b.astype(np.float64)) / 255) ** 2
    mse = mse.reshape(len(a), -1).mean(1)
    return float(np.mean(10 * np.log10(1 / np.maximum(mse, 1e-10))))


@torch.no_grad()
def vae_recon(vae, images: np.ndarray) -> np.ndarray:
    x = torch.from_numpy(E.to_model_range(images)).to(vae.dtype)
    out = [vae.decode(vae.encode(x[i:i + 256]).latent_dist.mean).sample for i in range(0, len(x), 256)]
    return E.from_model_range(torch.cat(out).clamp(-1, 1))


def real_of(data: E.EmojiData, prompts: list[str]) -> np.ndarray:
    """Indices of all real images (both vendors) whose prompt is one of ``prompts``."""
    wanted = set(prompts)
    return np.array([i for i, p in enumerate(data.prompts) if p in wanted])


def se(p: float, n: int) -> float:
    """Binomial standard error of a share p measured on n draws."""
    return float((p * (1 - p) / max(n, 1)) ** 0.5)


def measure(pipe, data: E.EmojiData, guidances, steps_list, n_fid: int, default_steps: int, n_train: int = 172,
            n_steps: int = 128, seed: int = 0, prefer: float | None = None) -> dict:
    prompts, subs = ev.held_out_prompts()
    labels = ev.label_of(subs)
    res: dict = {"held_out_prompts": len(prompts)}
    t0 = time.time()
    res["guidance_sweep"] = {}
    for g in guidances:
        imgs = ev.generate(pipe, prompts, steps=default_steps, guidance=g, seed=seed)
        res["guidance_sweep"][str(g)] = ev.agreement(imgs, labels)
        print(f"guidance {g}: agreement {res['guidance_sweep'][str(g)]:.3f} ({time.time() - t0:.0f} s)", flush=True)
    # the best on the held-out prompts; on an exact tie, ``prefer`` (the guidance of the previous measurement)
    best = max(guidances, key=lambda g: (res["guidance_sweep"][str(g)], g == prefer))
    res["guidance"] = best
    # train-side prompts, for comparison (the model saw these emoji)
    rng = np.random.default_rng(seed)
    train_idx = rng.choice(np.flatnonzero(~data.held_out), n_train, replace=False)
    imgs = ev.generate(pipe, [data.prompts[i] for i in train_idx], steps=default_steps, guidance=best, seed=seed)
    res["train_prompt_agreement"] = ev.agreement(imgs, data.labels[train_idx])
    res["train_prompts"] = int(n_train)
    # the real images those prompts came from (the classifier was trained on them)
    res["real_train_prompt_agreement"] = ev.agreement(data.images[train_idx], data.labels[train_idx])
    # real images of the held-out emoji (both vendors: every held-out prompt, twice): the ceiling of the measure
    res["real_held_out_agreement"] = ev.agreement(data.images[data.held_out], data.labels[data.held_out])
    res["real_held_out_images"] = int(data.held_out.sum())

    # step counts on n_steps held-out prompts: agreement, FID, fidelity to the most-steps image (same noise)
    s_prompts, s_subs = ev.held_out_prompts(n_steps, seed=seed + 2)
    res["steps_prompts"] = len(s_prompts)
    s_real = real_of(data, s_prompts)
    res["steps_real_agreement"] = ev.agreement(data.images[s_real], data.labels[s_real])
    res["steps_real_images"] = len(s_real)
    by_steps, ref = {}, None
    for s in sorted(steps_list, reverse=True):
        imgs = ev.generate(pipe, s_prompts, steps=s, guidance=best, seed=seed)
        ref = imgs if ref is None else ref
        by_steps[s] = {"agreement": ev.agreement(imgs, ev.label_of(s_subs)), "fid": ev.fid(imgs),
                       "psnr_to_most_steps": psnr(imgs, ref) if s != max(steps_list) else None}
        print(f"{s} steps: {by_steps[s]} ({time.time() - t0:.0f} s)", flush=True)
    res["by_steps"] = {str(k): by_steps[k] for k in sorted(by_steps)}
    res["steps_seconds"] = round(time.time() - t0, 1)
    real_n = [ev.fid(data.images[rng.choice(len(data.images), n_steps, replace=False)]) for _ in range(5)]
    res["real_fid_at_n_held_out"] = float(np.mean(real_n))
    res["real_held_out_images_fid"] = ev.fid(data.images[data.held_out])

    # FID at n_fid: prompts of random images (all emoji) vs all real; floors: real images, VAE reconstructions
    idx = rng.choice(len(data.images), n_fid, replace=False)
    imgs = ev.generate(pipe, [data.prompts[i] for i in idx], steps=default_steps, guidance=best, seed=seed + 10_000)
    res["fid"] = {"n": n_fid, "steps": default_steps, "guidance": best, "model": ev.fid(imgs),
                  "real_floor": ev.fid(data.images[idx]),
                  "vae_reconstruction_floor": ev.fid(vae_recon(pipe.vae, data.images[idx])),
                  "model_agreement_all_prompts": ev.agreement(imgs, data.labels[idx]),
                  "real_agreement_all_prompts": ev.agreement(data.images[idx], data.labels[idx]),
                  "held_out_images": int(data.held_out[idx].sum())}
    rec = vae_recon(pipe.vae, data.images[data.held_out])
    res["vae_held_out_psnr_db"] = psnr(rec, data.images[data.held_out])
    res["vae_reconstruction_held_out_agreement"] = ev.agreement(rec, data.labels[data.held_out])
    res["eval_seconds"] = round(time.time() - t0, 1)
    print(json.dumps(res, indent=2), flush=True)
    return res


def loss_plot(work: Path, vae_work: Path | None, out: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(csv.DictReader(open(work / "loss.csv")))
    steps = np.array([int(r["step"]) for r in rows])
    loss = np.array([float(r["loss"]) for r in rows])
    k = min(200, max(1, len(loss) // 5))
    smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
    n = 2 if vae_work is not None else 1
    fig, axes = plt.subplots(1, n, figsize=(5.2 * n, 3.2))
    axes = np.atleast_1d(axes)
    ax = axes[0]
    ax.plot(steps, loss, alpha=0.2, lw=0.5, label="batch loss")
    ax.plot(steps[k - 1:], smooth, lw=1.5, label=f"mean of {k}")
    if (work / "val.csv").exists():
        val = list(csv.DictReader(open(work / "val.csv")))
        vs = [int(r["step"]) for r in val]
        ax.plot(vs, [float(r["val_loss"]) for r in val], "o-", ms=3, label="held-out emoji")
        ax.plot(vs, [float(r["val_loss_ema"]) for r in val], "s--", ms=3, label="held-out emoji, EMA weights")
    ax.set(xlabel="step", ylabel="MSE (epsilon)", title=title, ylim=(0.05, 0.4))
    ax.legend(fontsize=8)
    if vae_work is not None:
        rows = list(csv.DictReader(open(vae_work / "loss.csv")))
        ax = axes[1]
        st = np.array([int(r["step"]) for r in rows])
        mse = np.array([float(r["mse"]) for r in rows])
        ax.plot(st, 10 * np.log10(4 / mse), alpha=0.3, lw=0.5, label="train batch PSNR")
        held = [(int(r["step"]), float(r["held_out_psnr"])) for r in rows if r["held_out_psnr"]]
        if held:
            ax.plot(*zip(*held), "o-", ms=3, label="held-out PSNR (EMA)")
        ax.set(xlabel="step", ylabel="dB", title="VAE reconstruction")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def sample_grid(pipe, data: E.EmojiData, out: Path, guidance: float, steps: int, cols: int = 8, pairs: int = 3,
                seed: int = 0) -> list[str]:
    """Rows in pairs: real Twemoji of held-out emoji, then the model's image for the same prompt."""
    from PIL import Image

    prompts, _ = ev.held_out_prompts(cols * pairs, seed=seed)
    first = {}
    for i, p in enumerate(data.prompts):
        first.setdefault(p, i)
    real = data.images[[first[p] for p in prompts]]
    gen = ev.generate(pipe, prompts, steps=steps, guidance=guidance, seed=seed)
    rows = []
    for r in range(pairs):
        rows += [np.concatenate(list(real[r * cols:(r + 1) * cols]), 1),
                 np.concatenate(list(gen[r * cols:(r + 1) * cols]), 1)]
    img = np.concatenate(rows, 0)
    Image.fromarray(img).resize((img.shape[1] * 2, img.shape[0] * 2), Image.Resampling.NEAREST).save(out)
    return prompts


def steps_verdict(res: dict) -> str:
    """A sentence on the step-count table, from its numbers: agreement differences against the binomial noise of the
    sample, and the fidelity to the most-steps image."""
    rows = res["by_steps"]
    n = res.get("steps_prompts") or 1
    ags = [v["agreement"] for v in rows.values()]
    p = float(np.mean(ags))
    noise = 2 * (p * (1 - p) / n) ** 0.5
    spread = max(ags) - min(ags)
    fids = [v["fid"] for v in rows.values()]
    fid_txt = f"FID-emoji {min(fids):.2f} to {max(fids):.2f}"
    if spread <= noise:
        return (f"The step count barely matters here: agreement spans {spread:.1%} across the step counts, within "
                f"two binomial standard errors ({noise:.1%}) at n = {n}, and {fid_txt}; what separates the step "
                f"counts is fidelity to the many-step image (the PSNR column).")
    return (f"Agreement spans {spread:.1%} across the step counts, more than two binomial standard errors "
            f"({noise:.1%}) at n = {n}; {fid_txt}. Fidelity to the many-step image: the PSNR column.")


def write_card(model: Path, res: dict, clf: dict, vae_rep: dict, train: dict, grid_prompts: list[str],
               vae_note: str = "", status: str = "") -> None:
    size = {p.parent.name: p.stat().st_size for p in model.rglob("*.safetensors")}
    unet_cfg = json.loads((model / "unet" / "config.json").read_text())
    te_cfg = json.loads((model / "text_encoder" / "config.json").read_text())
    a = train.get("args", {})
    g = res["guidance"]
    n_s = res.get("steps_prompts") or 1

    def pm(p: float, n: int) -> str:
        return f"{p:.1%} ± {se(p, n):.1%}"

    steps_rows = "\n".join(
        f"| {s} | {pm(v['agreement'], n_s)} | {v['fid']:.3f} | "
        f"{'-' if v['psnr_to_most_steps'] is None else format(v['psnr_to_most_steps'], '.1f') + ' dB'} |"
        for s, v in res["by_steps"].items())
    n_h = res["held_out_prompts"]
    top = max(res["guidance_sweep"].values())
    tied = sum(v == top for v in res["guidance_sweep"].values()) > 1
    kept = ("tied best on those same prompts (an exact tie: the guidance of the previous measurement kept)" if tied
            else "the better of these on those same prompts")
    sweep = ", ".join(f"{k}: {pm(v, n_h)}" for k, v in res["guidance_sweep"].items())
    f = res["fid"]
    n_r, n_t = res["real_held_out_images"], res["train_prompts"]
    agreement_rows = "\n".join([
        f"| held-out emoji (never seen by the model nor the classifier): all {n_h} | {n_h} | "
        f"**{pm(res['guidance_sweep'][str(g)], n_h)}** | {pm(res['real_held_out_agreement'], n_r)} | "
        f"{n_r} (both vendors) |",
        f"| held-out emoji: the step-count table's sample ({f['steps']} steps) | {n_s} | "
        f"{pm(res['by_steps'][str(f['steps'])]['agreement'], n_s)} | "
        f"{pm(res['steps_real_agreement'], res['steps_real_images'])} | {res['steps_real_images']} (both vendors) |",
        f"| train-side emoji: the prompts of {n_t} random train-side images | {n_t} | "
        f"{pm(res['train_prompt_agreement'], n_t)} | {pm(res['real_train_prompt_agreement'], n_t)} | "
        f"{n_t} (those images; the classifier was trained on them) |",
        f"| all emoji: the prompts of {f['n']} random images ({f['held_out_images']} of them held-out) | {f['n']} | "
        f"{pm(f['model_agreement_all_prompts'], f['n'])} | {pm(f['real_agreement_all_prompts'], f['n'])} | "
        f"{f['n']} (those images; {f['n'] - f['held_out_images']} of them the classifier's training images) |",
        f"| held-out emoji, the VAE's reconstructions of the real images (no diffusion) | - | - | "
        f"{pm(res['vae_reconstruction_held_out_agreement'], n_r)} | {n_r} |"])
    card = f"""# Embedded model: emoji text-to-image Stable Diffusion (32x32)
{chr(10) + '**Status: ' + status + '**' + chr(10) if status else ''}
A diffusers `StableDiffusionPipeline` trained from scratch here, on this project's shared 2-core CPU machine (1 torch
thread), so that DeepCache can be shown on a real text-to-image model offline:

```python
from diffusers import StableDiffusionPipeline
pipe = StableDiffusionPipeline.from_pretrained("src/stepcache/embedded/models/emoji-sd")  # works with HF_HUB_OFFLINE=1
image = pipe("grinning face", num_inference_steps=25, guidance_scale={g}).images[0]  # 32x32 RGB
```

It needs `diffusers`, `transformers` (CLIPTextModel, a `tokenizers` word-level tokenizer) and `torch`.

## Data and licences

* **Twemoji** 16.0 via the npm package `emoji-datasource-twitter@16.0.0`: 3,786 64x64 PNGs, graphics
  (c) Twitter, Inc. (X Corp.) and other contributors, licensed **CC-BY 4.0**
  (https://creativecommons.org/licenses/by/4.0/).
* **Noto Emoji** via the npm package `emoji-datasource-google@16.0.0`: 3,786 64x64 PNGs, (c) Google Inc.,
  licensed **Apache License 2.0**.
* Names and categories from the packages' `emoji.json` (iamcal/emoji-data, MIT).
* Preparation (`stepcache.embedded.emoji`, fetched with `npm pack` at training time only): RGBA composited on white,
  box-downsampled to 32x32, 7,572 images. Prompt = the lower-case `name` ("grinning face", "japan flag"), plus the skin
  tone for variants ("waving hand sign medium-dark skin tone"); 3,780 distinct prompts, 99 subcategories.
* Split **by emoji**: a base emoji (with its skin-tone variants and both vendors' images) is held out when
  sha1(code point) % 10 == 0: 194 emoji, 688 images, {res['held_out_prompts']} prompts. The U-Net, text encoder, VAE and
  classifier were trained on the other 6,884 images only; all agreement numbers below are on held-out prompts
  unless said otherwise.

## Model

| part | config | parameters | on disk |
|---|---|---|---|
| VAE (`AutoencoderKL`) | 32x32x3 -> 8x8x4, channels {tuple(json.loads((model / 'vae' / 'config.json').read_text())['block_out_channels'])}, scaling_factor {json.loads((model / 'vae' / 'config.json').read_text())['scaling_factor']} | {vae_rep.get('params', 0) / 1e6:.2f}M | {size.get('vae', 0) / 2**20:.1f} MiB fp16 |
| text encoder (`CLIPTextModel`) | hidden {te_cfg['hidden_size']} x {te_cfg['num_hidden_layers']} layers, {te_cfg['num_attention_heads']} heads, vocab {te_cfg['vocab_size']} (word level), 16 tokens | {train.get('text_encoder_params', 0) / 1e6:.2f}M | {size.get('text_encoder', 0) / 2**20:.1f} MiB fp32 |
| U-Net (`UNet2DConditionModel`) | channels {tuple(unet_cfg['block_out_channels'])}, {unet_cfg['layers_per_block']} layer per block, cross-attention 128 | {train.get('unet_params', 0) / 1e6:.2f}M | {size.get('unet', 0) / 2**20:.1f} MiB fp16 |

Scheduler: DDIM (the folder's), 1000 training steps, scaled-linear betas 0.00085..0.012 (SD's), epsilon prediction.

## Training

* VAE: {vae_rep.get('steps_done')} steps, batch {vae_rep.get('batch')}, MSE + {vae_rep.get('l1')} L1 + {vae_rep.get('kl')} KL,
  AdamW lr {vae_rep.get('lr')} cosine over the wall-time budget, {vae_rep.get('train_seconds', 0) / 60:.0f} min{vae_note}; the {vae_rep.get('weights', 'ema')} weights
  kept (held-out PSNR of EMA {vae_rep.get('held_out_psnr_ema_raw', {}).get('ema', float('nan')):.2f} dB, raw {vae_rep.get('held_out_psnr_ema_raw', {}).get('raw', float('nan')):.2f} dB: with ~1,100 steps the
  EMA {vae_rep.get('ema')} lags); held-out-emoji reconstruction **{vae_rep.get('held_out_psnr_db', float('nan')):.2f} dB PSNR** (the issue's trial: 21.7 dB).
* Text encoder + U-Net, jointly: {train.get('step')} steps, batch {a.get('batch')}, AdamW lr {a.get('lr')} (warm-up {a.get('warmup')},
  cosine decay to 0 over {a.get('minutes') or a.get('steps')} {'minutes of wall time' if a.get('minutes') else 'steps'}), EMA {a.get('ema')}, caption dropout
  {a.get('p_uncond')} (to the empty prompt, the unconditional embedding), seed {a.get('seed')}, {train.get('train_minutes')} min.
  The machine was shared with other jobs, so steps/s varied (the schedule follows wall time).
* Reproduce: `training/train_vae.py`, `training/train_t2i.py`, `training/export_t2i.py`, `training/emoji_card.py`
  (commands in their docstrings; all resumable).

![loss](loss.png)

## Quality

Measured with a subcategory classifier (`../emoji-classifier`: 99 classes, trained on the real images of the train-side
emoji only; {clf['held_out_accuracy']:.1%} right on the {clf['held_out_images']} real images of the held-out emoji,
{clf['train_accuracy']:.1%} on the train-side ones), DDIM {f['steps']} steps, guidance {g}, one sample per prompt.
**Prompt agreement** = the share of images whose predicted subcategory is the prompt's; each figure with its binomial
standard error (± sqrt(p(1-p)/n), counting images as independent: skin-tone variants and the two vendors' images of
one emoji are not, so it understates the noise) and, beside it, the real images' agreement on exactly the same prompts
(the ceiling the classifier allows there):

| prompts | n generated | model | real images | n real |
|---|---|---|---|---|
{agreement_rows}

Guidance sweep (all {n_h} held-out prompts): {sweep}; the guidance kept ({g}) is
{kept}.

**FID-emoji** (Frechet distance of the classifier's {clf.get('feature_dim', 128)}-d features against all 7,572 real images), {f['n']} samples
for the prompts of {f['n']} random images: model **{f['model']:.3f}**; real floor (those {f['n']} real images) {f['real_floor']:.3f};
VAE-reconstruction floor (their reconstructions) {f['vae_reconstruction_floor']:.3f}. FID-emoji depends on the classifier's
features: compare it only with figures measured with the same classifier (its floors here, not an earlier card's).

Step count ({res.get('steps_prompts')} held-out prompts, same initial noise; FID of {res.get('steps_prompts')} samples, where as many random
real images score {res['real_fid_at_n_held_out']:.3f} (mean of 5 draws) and all 688 real images of the held-out emoji
{res['real_held_out_images_fid']:.3f}; the real images of those {n_s} prompts agree {pm(res['steps_real_agreement'], res['steps_real_images'])},
n = {res['steps_real_images']}):

| DDIM steps | agreement | FID-emoji | PSNR to the {max(int(s) for s in res['by_steps'])}-step image |
|---|---|---|---|
{steps_rows}

{steps_verdict(res)}

Samples (DDIM {f['steps']} steps, guidance {g}): rows in pairs, real Twemoji of a held-out emoji above the model's
image for its prompt. Prompts, left to right, top to bottom:
{", ".join(f'"{p}"' for p in grid_prompts)}.

![samples](samples.png)
"""
    (model / "README.md").write_text(card)


def write_test_floor(pipe, data: E.EmojiData, model: Path, guidance: float) -> None:
    """tests/test_emoji.py's sample (48 held-out prompts, seed 1, DDIM 20): its agreement, and the floor the test
    asserts (measured minus 0.15: about two standard errors at n = 48, room for other platforms' arithmetic); beside
    it the real images' agreement on the same prompts."""
    prompts, subs = ev.held_out_prompts(48, seed=1)
    a = ev.agreement(ev.generate(pipe, prompts, steps=20, guidance=guidance, seed=0), subs)
    real = real_of(data, prompts)
    floor = {"measured_agreement": a, "standard_error": se(a, len(prompts)),
             "agreement_floor": round(max(0.0, a - 0.15), 3), "prompts": 48, "steps": 20, "guidance": guidance,
             "real_agreement": ev.agreement(data.images[real], data.labels[real]), "real_images": len(real)}
    (model / "test_floor.json").write_text(json.dumps(floor, indent=2) + "\n")
    print(floor, flush=True)


def clf_report() -> dict:
    return json.loads((ev.CLASSIFIER_DIR / "report.json").read_text())


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "src/stepcache/embedded/models/emoji-sd")
    ap.add_argument("--work", type=Path, default=Path("/root/.cache/stepcache-train/t2i"))
    ap.add_argument("--vae-work", type=Path, default=Path("/root/.cache/stepcache-train/vae"))
    ap.add_argument("--guidance", type=float, nargs="+", default=[2.0, 3.0])
    ap.add_argument("--steps", type=int, nargs="+", default=[10, 25, 50, 100])
    ap.add_argument("--prefer-guidance", type=float, default=None,
                    help="on an exact tie of the sweep, this guidance (e.g. the previous card's, for comparability)")
    ap.add_argument("--n-fid", type=int, default=300)
    ap.add_argument("--n-train", type=int, default=172, help="train-side prompts for the comparison")
    ap.add_argument("--n-steps", type=int, default=64, help="held-out prompts for the step-count table")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--vae-note", default="", help="a remark on the VAE run for the card")
    ap.add_argument("--status", default="", help="a status line for the card (e.g. an intermediate snapshot)")
    ap.add_argument("--reuse-report", action="store_true", help="rewrite the card from report.json, no sampling")
    ap.add_argument("--no-loss-plot", action="store_true", help="keep loss.png as it is (e.g. a re-measure only)")
    args = ap.parse_args(argv)
    torch.set_flush_denormal(True)
    torch.set_num_threads(args.threads)
    data = E.load()
    pipe = load_pipe(args.model)
    if args.reuse_report:
        res = json.loads((args.model / "report.json").read_text())
    else:
        res = measure(pipe, data, args.guidance, args.steps, args.n_fid, 25, args.n_train, args.n_steps,
                      prefer=args.prefer_guidance)
        res["classifier"] = {k: clf_report().get(k) for k in ("held_out_accuracy", "train_accuracy", "command")}
        res["command"] = "OMP_NUM_THREADS=1 python training/emoji_card.py " + " ".join(
            a if " " not in a else repr(a) for a in (argv if argv is not None else sys.argv[1:]))
        (args.model / "report.json").write_text(json.dumps(res, indent=2) + "\n")
        write_test_floor(pipe, data, args.model, res["guidance"])
    if not args.no_loss_plot:
        loss_plot(args.work, args.vae_work, args.model / "loss.png", "text encoder + U-Net")
    grid_prompts = sample_grid(pipe, data, args.model / "samples.png", res["guidance"], 25)
    train = json.loads((args.model / "training.json").read_text())
    vae_rep = json.loads((args.vae_work / "report.json").read_text())
    clf = clf_report()
    write_card(args.model, res, clf, vae_rep, train, grid_prompts, args.vae_note, args.status)


if __name__ == "__main__":
    main()
