"""``stepcache demo --model digits``: DeepCache side by side with the uncached model on the embedded MNIST DDPM
(the emoji text-to-image demo, the default, is :mod:`stepcache.embedded.demo_emoji`)."""

from __future__ import annotations

import statistics
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from . import evaluation as ev
from ..core.config import DeepCacheConfig
from .sampling import check_settings, generate, grid, load_embedded, markdown_table

#: (label, config) rows of the demo; None is the uncached model
SETTINGS = [
    ("uncached", None),
    ("uniform N=2", DeepCacheConfig(interval=2, branch=3)),
    ("uniform N=3", DeepCacheConfig(interval=3, branch=3)),
    ("uniform N=5", DeepCacheConfig(interval=5, branch=3)),
    ("non-uniform N=5", DeepCacheConfig(interval=5, branch=3, schedule="nonuniform", center=20)),
]


def run_digits(out: Path, samples: int = 100, steps: int = 50, guidance: float = 1.0, chunk: int = 20,
             fid: bool = True, threads: int | None = None) -> str:
    samples, steps, guidance, chunk = check_settings(samples, 2 if fid else 1, steps, guidance, chunk, threads)
    pipe = load_embedded()
    labels = np.arange(samples) % 10
    seeds = np.arange(samples)
    chunks = [slice(i, min(i + chunk, samples)) for i in range(0, samples, chunk)]
    images = {name: [] for name, _ in SETTINGS}
    times = {name: [] for name, _ in SETTINGS}
    summaries = {}
    generate(pipe, labels[:2], seeds[:2], 2, guidance)  # warm-up, not timed
    with tqdm(total=len(chunks) * len(SETTINGS), desc="demo", unit="batch") as bar:
        for sl in chunks:  # interleaved: every setting on the same batch before the next batch
            for name, config in SETTINGS:
                imgs, sec, summary = generate(pipe, labels[sl], seeds[sl], steps, guidance, config)
                images[name].append(imgs)
                times[name].append(sec)
                summaries[name] = summary
                bar.update(1)
    images = {k: np.concatenate(v) for k, v in images.items()}
    base = images["uncached"]
    per_call = (chunks[-1].stop - chunks[-1].start) * (2 if guidance > 1 else 1)  # images in the last U-Net call
    macs_full = summaries["uniform N=2"].macs_full
    rows = []
    for name, config in SETTINGS:
        s = summaries[name]
        speedup = statistics.median(u / t for u, t in zip(times["uncached"], times[name]))
        rows.append([name, f"{sum(times[name]):.1f}", f"{speedup:.2f}x",
                     f"{(s.macs_per_step if s else macs_full) / 1e6 / per_call:.1f}M",
                     f"{s.ideal_speedup if s else 1.0:.2f}x",
                     "inf" if s is None else f"{ev.psnr(images[name], base):.1f}",
                     f"{ev.fid_domain(images[name]):.3f}" if fid else "-",
                     f"{ev.accuracy(images[name], labels):.1%}"])
    header = ["setting", "wall s", "speedup (measured)", "U-Net MACs/call/image", "ideal speedup (MACs)", "PSNR vs uncached dB",
              f"FID-domain (n={samples})", "accuracy (asked class)"]
    table = markdown_table(header, rows)
    out.mkdir(parents=True, exist_ok=True)
    grid([(name, images[name][:20]) for name, _ in SETTINGS], out / "demo.png")
    info = (f"Embedded class-conditional MNIST DDPM, DDIM {steps} steps, guidance {guidance}, branch 3 "
            f"(the paper's DDPM choice), {samples} samples (10 classes, seeds 0..{samples - 1}), batches of {chunk} interleaved across settings; "
            f"speedup = median over batches of uncached time / setting time, torch threads {torch.get_num_threads()}.")
    (out / "demo.md").write_text(info + "\n\n" + table + "\n")
    return info + "\n\n" + table
