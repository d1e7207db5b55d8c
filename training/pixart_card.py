"""Measure the exported emoji transformer (``models/emoji-pixart``) and write its model card, with the same
measurements as the Stable Diffusion card (``emoji_card.py``: prompt agreement with the real images' beside it, FID-emoji
with its floors, DDIM step counts, the test floor, a sample grid) and the U-Net's figures beside it.

    OMP_NUM_THREADS=1 python training/pixart_card.py --model src/stepcache/embedded/models/emoji-pixart \
        --work /root/.cache/stepcache-train/pixart
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from emoji_card import ROOT, clf_report, load_pipe, loss_plot, measure, sample_grid, se, steps_verdict, write_test_floor
from stepcache.embedded import emoji as E


def pm(p: float, n: int) -> str:
    return f"{p:.1%} ± {se(p, n):.1%}"


def write_card(model: Path, res: dict, sd: dict, clf: dict, train: dict, run: dict, grid_prompts: list[str]) -> None:
    cfg = json.loads((model / "transformer" / "config.json").read_text())
    size = (model / "transformer" / "diffusion_pytorch_model.safetensors").stat().st_size
    a = run.get("args", {})
    g, f = res["guidance"], res["fid"]
    n_h, n_t, n_r = res["held_out_prompts"], res["train_prompts"], res["real_held_out_images"]
    sd_f = sd["fid"]
    rows = "\n".join([
        f"| held-out emoji: all {n_h} prompts | **{pm(res['guidance_sweep'][str(g)], n_h)}** | "
        f"{pm(sd['guidance_sweep'][str(sd['guidance'])], n_h)} | {pm(res['real_held_out_agreement'], n_r)} |",
        f"| train-side emoji: the prompts of {n_t} random train-side images | {pm(res['train_prompt_agreement'], n_t)} | "
        f"{pm(sd['train_prompt_agreement'], n_t)} | {pm(res['real_train_prompt_agreement'], n_t)} |",
        f"| all emoji: the prompts of {f['n']} random images | {pm(f['model_agreement_all_prompts'], f['n'])} | "
        f"{pm(sd_f['model_agreement_all_prompts'], sd_f['n'])} | {pm(f['real_agreement_all_prompts'], f['n'])} |"])
    steps_rows = "\n".join(
        f"| {s} | {pm(v['agreement'], res['steps_prompts'])} | {v['fid']:.3f} | "
        f"{'-' if v['psnr_to_most_steps'] is None else format(v['psnr_to_most_steps'], '.1f') + ' dB'} |"
        for s, v in res["by_steps"].items())
    card = f"""# Embedded model: emoji text-to-image PixArt-alpha transformer (32x32)

The transformer twin of [`emoji-sd`](../emoji-sd/README.md): a diffusers `PixArtAlphaPipeline` whose
`PixArtTransformer2DModel` was trained here (shared 2-core CPU machine, 1 torch thread) on the same 8x8x4 VAE latents
of the same emoji, conditioned on emoji-sd's *frozen* text encoder, so that DeepCache on a transformer runs on weights
that generate something:

```python
from diffusers import PixArtAlphaPipeline
pipe = PixArtAlphaPipeline.from_pretrained("src/stepcache/embedded/models/emoji-pixart")  # works with HF_HUB_OFFLINE=1
image = pipe("grinning face", height=32, width=32, use_resolution_binning=False,
             num_inference_steps=25, guidance_scale={g}).images[0]
```

`use_resolution_binning=False`: PixArt's resolution bins start at 256 px. The folder's `vae` and `text_encoder` are
relative links to emoji-sd's (the weights are stored once; `from_pretrained` follows them); its tokenizer pads to the
pipeline's default 120 tokens, and the text encoder's positions past emoji-sd's 16 are zero (emoji-sd's pipeline pads
to 16, so its conditioning is unchanged; here the extra positions are padding, masked out of cross-attention).
Loading logs "Expected types for text_encoder: T5EncoderModel, got CLIPTextModel": PixArt's pipeline is written for
T5, and calls its encoder the way a CLIP text model is called too (token ids and attention mask in, hidden states
out), so the small CLIP encoder serves.

## Data and licences

The same as emoji-sd's: **Twemoji** 16.0 (`emoji-datasource-twitter@16.0.0`, (c) Twitter, Inc. and other
contributors, **CC-BY 4.0**), **Noto Emoji** (`emoji-datasource-google@16.0.0`, (c) Google Inc., **Apache License
2.0**), names from `emoji.json` (iamcal/emoji-data, MIT); 32x32 on white, 7,572 images, the same split by emoji (the
transformer trained on the 6,884 train-side images only).

## Model

| part | config | parameters | on disk |
|---|---|---|---|
| transformer (`PixArtTransformer2DModel`) | {cfg['num_layers']} blocks, {cfg['num_attention_heads']} heads x {cfg['attention_head_dim']} (width {cfg['num_attention_heads'] * cfg['attention_head_dim']}), patch {cfg['patch_size']} on 8x8x4 latents (64 tokens), cross-attention to the 128-d text encoder, adaLN-single | {run.get('transformer_params', 0) / 1e6:.2f}M | {size / 2**20:.1f} MiB fp16 |
| VAE, text encoder | emoji-sd's (linked) | - | - |

Scheduler: DDIM, the training betas (scaled-linear 0.00085..0.012), epsilon prediction.

## Training

{train.get('step')} steps, batch {a.get('batch')}, AdamW lr {a.get('lr')} (warm-up {a.get('warmup')}, cosine decay to 0 over
{a.get('minutes')} minutes of wall time), EMA {a.get('ema')}, caption dropout {a.get('p_uncond')}, seed {a.get('seed')};
{train.get('train_minutes')} min on one thread of a machine shared with other jobs (so steps/s varied: the schedule
follows wall time).{(" " + run["note"][0].upper() + run["note"][1:] + ".") if run.get("note") else ""} Reproduce:
`training/train_pixart.py` (command in its docstring; resumable), then this script.

![loss](loss.png)

## Quality

The emoji classifier of `../emoji-classifier` ({clf['held_out_accuracy']:.1%} on the real images of the held-out emoji,
{clf['train_accuracy']:.1%} on the train-side ones), DDIM {f['steps']} steps, guidance {g}, one sample per prompt; prompt
agreement with its binomial standard error (it counts images as independent: it understates the noise), emoji-sd's
figure on the same prompts and the real images' beside it:

| prompts | this transformer | emoji-sd (U-Net) | real images |
|---|---|---|---|
{rows}

Guidance sweep (held-out prompts): {", ".join(f"{k}: {pm(v, n_h)}" for k, v in res["guidance_sweep"].items())}.

**FID-emoji** ({f['n']} samples, the prompts of {f['n']} random images): this transformer **{f['model']:.3f}**, emoji-sd
{sd_f['model']:.3f}; real floor {f['real_floor']:.3f}, VAE-reconstruction floor {f['vae_reconstruction_floor']:.3f}.

Step count ({res['steps_prompts']} held-out prompts, same initial noise):

| DDIM steps | agreement | FID-emoji | PSNR to the {max(int(s) for s in res['by_steps'])}-step image |
|---|---|---|---|
{steps_rows}

{steps_verdict(res)}

Samples (DDIM {f['steps']} steps, guidance {g}): rows in pairs, real Twemoji of a held-out emoji above this model's
image for its prompt. Prompts, left to right, top to bottom: {", ".join(f'"{p}"' for p in grid_prompts)}.

![samples](samples.png)
"""
    (model / "README.md").write_text(card)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=ROOT / "src/stepcache/embedded/models/emoji-pixart")
    ap.add_argument("--sd", type=Path, default=ROOT / "src/stepcache/embedded/models/emoji-sd")
    ap.add_argument("--work", type=Path, default=Path("/root/.cache/stepcache-train/pixart"))
    ap.add_argument("--guidance", type=float, nargs="+", default=[2.0, 3.0])
    ap.add_argument("--steps", type=int, nargs="+", default=[10, 25, 50, 100])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reuse-report", action="store_true",
                    help="rewrite the card from report.json (the grid is drawn again; nothing else measured)")
    args = ap.parse_args(argv)
    torch.set_flush_denormal(True)
    torch.set_num_threads(args.threads)
    data = E.load()
    pipe = load_pipe(args.model)
    if args.reuse_report:
        res = json.loads((args.model / "report.json").read_text())
    else:
        res = measure(pipe, data, args.guidance, args.steps, 300, 25, 172, 64)
        res["classifier"] = {k: clf_report().get(k) for k in ("held_out_accuracy", "train_accuracy", "command")}
        res["command"] = "OMP_NUM_THREADS=1 python training/pixart_card.py " + " ".join(
            argv if argv is not None else sys.argv[1:])
        (args.model / "report.json").write_text(json.dumps(res, indent=2) + "\n")
        write_test_floor(pipe, data, args.model, res["guidance"])
    loss_plot(args.work, None, args.model / "loss.png", "PixArt transformer")
    grid_prompts = sample_grid(pipe, data, args.model / "samples.png", res["guidance"], 25)
    write_card(args.model, res, json.loads((args.sd / "report.json").read_text()), clf_report(),
               json.loads((args.model / "training.json").read_text()),
               json.loads((args.model / "run.json").read_text()), grid_prompts)


if __name__ == "__main__":
    main()
