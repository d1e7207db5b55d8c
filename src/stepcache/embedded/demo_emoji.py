"""``stepcache demo`` (the default, ``--model emoji``): DeepCache on the embedded emoji text-to-image models, side by
side with their uncached runs: the Stable Diffusion U-Net (``models/emoji-sd``) and its transformer twin
(``models/emoji-pixart``, a PixArt-alpha transformer on the same VAE latents and text encoder), same prompts, same
seeds.

The 16 prompts (4 faces, 4 animals, 4 foods, 4 flags, interleaved so that the first n cover every group) are emoji
names of the *train-side* emoji (the models learnt them), chosen so that the emoji classifier of the time (commit
9dfcf9a) recognised the real images of both vendors. Those real 32x32 images ship with the package
(``models/emoji-demo/real.png``: a 2 x 16 grid, row 0 Twemoji, (c) Twitter, Inc. and other contributors,
CC-BY 4.0; row 1 Noto Emoji, (c) Google Inc., Apache License 2.0), so
that the demo can show, offline, how often the classifier agrees with the prompt on real images: the reference
line of prompt agreement. Made with ``stepcache.embedded.emoji.load()`` (which needs the data): for each vendor, the first
image whose prompt is the prompt, composited on white and box-downsampled to 32x32 as everywhere else.
"""

from __future__ import annotations

import contextlib
import logging
import statistics
import sys
import textwrap
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw
from tqdm import tqdm

from .. import api
from . import emoji_eval as ee
from . import evaluation as ev
from ..core.config import DeepCacheConfig
from .emoji import MAX_LENGTH
from .sampling import check_settings, markdown_table

#: the U-Net's DeepCache branch: 1, the skip from conv_in (the official package's cache_branch_id=0, its Stable
#: Diffusion setting): the cheapest cached step
SD_BRANCH = 1
INTERVALS = (2, 3, 5)
#: (label, config) rows of each model; None is the uncached model. The transformer keeps the defaults: the first
#: block live, the rest of the stack replaced by its cached residual on cached steps.
SD_SETTINGS = [("uncached", None)] + [(f"uniform N={n}", DeepCacheConfig(interval=n, branch=SD_BRANCH))
                                       for n in INTERVALS]
PIXART_SETTINGS = [("uncached", None)] + [(f"uniform N={n}", DeepCacheConfig(interval=n)) for n in INTERVALS]
#: what ``--fast`` runs: one prompt of each group, 10 steps, two batches (a median of two)
FAST = dict(samples=4, steps=10, chunk=2)


@dataclass
class _Model:
    name: str  # table and grid label
    pipe: object
    settings: list
    call: dict = field(default_factory=dict)  # extra pipeline arguments


@contextlib.contextmanager
def _quiet():
    """Load a pipeline without the libraries' chatter (progress bars, optional-dependency and type warnings)."""
    from diffusers.utils import logging as dlog
    from transformers.utils import logging as tlog

    loggers = [logging.getLogger(n) for n in ("diffusers", "transformers")]
    levels = [lg.level for lg in loggers]
    bars = dlog.is_progress_bar_enabled(), tlog.is_progress_bar_enabled()
    dlog.disable_progress_bar()
    tlog.disable_progress_bar()
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
        if bars[0]:
            dlog.enable_progress_bar()
        if bars[1]:
            tlog.enable_progress_bar()


def load_sd(path: str | Path | None = None):
    """The embedded emoji Stable Diffusion pipeline (``StableDiffusionPipeline``, offline)."""
    with _quiet():
        from diffusers import StableDiffusionPipeline

        pipe = StableDiffusionPipeline.from_pretrained(str(path or ee.SD_DIR), low_cpu_mem_usage=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def pixart_missing(path: str | Path | None = None) -> str | None:
    """None when the transformer twin is there, else the one line that says it is not."""
    path = Path(path or ee.PIXART_DIR)
    if (path / "model_index.json").is_file():
        return None
    return (f"the transformer twin ({path}) is not there: its rows are skipped, the U-Net's are shown "
            "(a PixArtAlphaPipeline folder there adds them)")


def load_pixart(path: str | Path | None = None):
    """The embedded emoji PixArt-alpha pipeline (``PixArtAlphaPipeline``, offline)."""
    with _quiet():
        from diffusers import PixArtAlphaPipeline

        pipe = PixArtAlphaPipeline.from_pretrained(str(path or ee.PIXART_DIR), low_cpu_mem_usage=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


#: how the PixArt pipeline is called: no resolution bins (they start at 256 px), no caption cleaning, and the text
#: encoder's own 16 token positions instead of the pipeline's default 120 (the 104 extra positions are padding,
#: masked out of cross-attention: the images are bit for bit the same, and the uncached baseline ~25% faster)
#: the real emoji of :data:`PROMPTS` (see the module's docstring)
REAL_PNG = Path(ee.MODELS) / "emoji-demo" / "real.png"
PIXART_CALL = dict(use_resolution_binning=False, clean_caption=False, max_sequence_length=MAX_LENGTH)


def prompts(samples: int) -> tuple[list[str], list[str]]:
    """(prompts, subcategories) of ``samples`` images: the 16 prompts in turn."""
    idx = np.arange(samples) % len(PROMPTS)
    return [PROMPTS[i][0] for i in idx], [PROMPTS[i][1] for i in idx]


def real_images() -> np.ndarray:
    """uint8 (2, 16, 32, 32, 3): the real emoji of :data:`PROMPTS`, Twemoji then Noto."""
    grid = np.asarray(Image.open(REAL_PNG).convert("RGB"))
    return grid.reshape(2, 32, len(PROMPTS), 32, 3).transpose(0, 2, 1, 3, 4)


@torch.no_grad()
def generate(pipe, prompts: list[str], seeds, steps: int, guidance: float, config: DeepCacheConfig | None = None,
             **call):
    """Images (N, 32, 32, 3) in [0, 1] of a text-to-image pipeline, one generator per image (an image depends on its
    prompt and seed only). Returns ``(images, seconds, summary)``; ``summary`` is ``None`` without DeepCache."""
    gens = [torch.Generator().manual_seed(int(s)) for s in seeds]
    kw = dict(num_inference_steps=steps, guidance_scale=guidance, generator=gens, output_type="np", **call)
    summary = None
    t0 = time.perf_counter()
    if config is None:
        images = pipe(list(prompts), **kw).images
        seconds = time.perf_counter() - t0
    else:
        with api.cached(pipe, config):
            images = pipe(list(prompts), **kw).images
            seconds = time.perf_counter() - t0
            summary = api.summary(pipe)
    return images, seconds, summary


def to_uint8(images: np.ndarray) -> np.ndarray:
    """[0, 1] floats -> uint8, as the images are saved (and as the emoji classifier sees them)."""
    return np.round(np.clip(images, 0, 1) * 255).astype(np.uint8)


def run_emoji(out: Path, samples: int = 32, steps: int = 25, guidance: float = 3.0, chunk: int = 8,
              threads: int | None = None, pixart: str | Path | None = None) -> str:
    samples, steps, guidance, chunk = check_settings(samples, 1, steps, guidance, chunk, threads)
    texts, subs = prompts(samples)
    seeds = np.arange(samples)
    models = [_Model("SD U-Net", load_sd(), SD_SETTINGS)]
    missing = pixart_missing(pixart)
    if missing is not None:  # said now, on stderr, and in demo.md
        print(f"stepcache demo: note: {missing}", file=sys.stderr, flush=True)
    else:
        models.append(_Model("PixArt transformer", load_pixart(pixart), PIXART_SETTINGS, PIXART_CALL))
    chunks = [slice(i, min(i + chunk, samples)) for i in range(0, samples, chunk)]
    keys = [(m.name, name) for m in models for name, _ in m.settings]
    images = {k: [] for k in keys}
    times = {k: [] for k in keys}
    summaries = {}
    for m in models:  # warm-up, not timed
        generate(m.pipe, texts[:1], seeds[:1], 2, guidance, **m.call)
    with tqdm(total=len(chunks) * len(keys), desc="demo", unit="batch") as bar:
        for sl in chunks:  # interleaved: every setting of every model on the same batch before the next batch
            for m in models:
                for name, config in m.settings:
                    imgs, sec, summary = generate(m.pipe, texts[sl], seeds[sl], steps, guidance, config, **m.call)
                    images[m.name, name].append(imgs)
                    times[m.name, name].append(sec)
                    summaries[m.name, name] = summary
                    bar.update(1)
    images = {k: to_uint8(np.concatenate(v)) for k, v in images.items()}
    per_call = (chunks[-1].stop - chunks[-1].start) * (2 if guidance > 1 else 1)  # images in the last model call
    real = real_images()[:, :min(samples, len(PROMPTS))]
    real_subs = subs[:real.shape[1]] * 2
    real_agree = ee.agreement(real.reshape(-1, *real.shape[2:]), real_subs)
    rows, stats = [], {}
    for m in models:
        base = images[m.name, "uncached"]
        macs_full = next(s for (mn, _), s in summaries.items() if mn == m.name and s is not None).macs_full
        for name, config in m.settings:
            s = summaries[m.name, name]
            speedup = statistics.median(u / t for u, t in zip(times[m.name, "uncached"], times[m.name, name]))
            psnr = float("inf") if s is None else ev.psnr(images[m.name, name] / 255.0, base / 255.0)
            agree = ee.agreement(images[m.name, name], subs)
            stats[m.name, name] = (speedup, psnr, agree)
            rows.append([m.name, name, f"{sum(times[m.name, name]):.1f}", f"{speedup:.2f}x",
                         f"{(s.macs_per_step if s else macs_full) / 1e6 / per_call:.1f}M",
                         f"{s.ideal_speedup if s else 1.0:.2f}x", "inf" if s is None else f"{psnr:.1f}",
                         f"{agree:.1%}"])
    rows.append(["real emoji", f"Twemoji + Noto ({real.shape[0] * real.shape[1]} images)", "-", "-", "-", "-", "-",
                 f"{real_agree:.1%}"])
    header = ["model", "setting", "wall s", "speedup (measured)", "MACs/call/image", "ideal speedup (MACs)",
              "PSNR vs uncached dB", f"prompt agreement (n={samples})"]
    table = markdown_table(header, rows)
    cols = min(samples, len(PROMPTS))
    grid_rows = [("real Twemoji", "", real[0]), ("real Noto", "", real[1])]
    for m in models:
        for name, _ in m.settings:
            speedup, psnr, agree = stats[m.name, name]
            detail = (f"agreement {agree:.0%}" if name == "uncached" else
                      f"{speedup:.2f}x, {psnr:.1f} dB, agr. {agree:.0%}")
            grid_rows.append((f"{m.name} {name}", detail, images[m.name, name][:cols]))
    out.mkdir(parents=True, exist_ok=True)
    grid(grid_rows, texts[:cols], out / "demo.png")
    sd_cost = summaries["SD U-Net", SD_SETTINGS[1][0]]
    parts = [f"Embedded emoji text-to-image models (32x32 images, 8x8x4 latents), DDIM {steps} steps, guidance "
             f"{guidance}; {samples} images per setting ({cols} prompts: faces, animals, food, flags; seeds "
             f"0..{samples - 1}, one generator per image), batches of {chunk} interleaved across every setting of "
             f"every model; speedup = median over batches of that model's uncached time / setting time; MACs per "
             f"denoiser call per image (torch.utils.flop_counter, as stepcache.summary counts them); PSNR against "
             f"the same model's uncached images; prompt agreement = share of images the emoji classifier (99 "
             f"subcategories) puts in the prompt's subcategory, with the real emoji of the same prompts as the "
             f"reference (the prompts were chosen among emoji whose real images the classifier recognised); torch threads "
             f"{torch.get_num_threads()}.",
             f"SD U-Net: DeepCache branch {SD_BRANCH} (the skip from conv_in: a cached step computes "
             f"{sd_cost.macs_cached / sd_cost.macs_full:.1%} of a full step's MACs)."]
    if missing is None:
        px = models[1]
        px_cost = summaries[px.name, PIXART_SETTINGS[1][0]]
        cfg = PIXART_SETTINGS[1][1]
        parts.append(f"PixArt transformer: first {cfg.first_blocks} of {px.pipe.transformer.config.num_layers} "
                     f"blocks live, the others replaced by their cached residual on cached steps (a cached step "
                     f"computes {px_cost.macs_cached / px_cost.macs_full:.1%} of a full step's MACs).")
    else:
        parts.append(f"Note: {missing}.")
    info = "\n".join(parts)
    (out / "demo.md").write_text(info + "\n\n" + table + "\n\n![demo](demo.png)\n")
    return info + "\n\n" + table


def grid(rows: list[tuple[str, str, np.ndarray]], columns: list[str], path: Path, scale: int = 3) -> None:
    """One RGB PNG: a row of images per setting (label, detail line), a column per prompt (its text on top)."""
    label_w, pad, line = 230, 4, 11
    n = max(len(imgs) for _, _, imgs in rows)
    h, w = rows[0][2].shape[1] * scale, rows[0][2].shape[2] * scale
    heads = [textwrap.wrap(c, max(6, w // 6)) for c in columns]
    head_h = max(len(lines) for lines in heads) * line + pad
    canvas = Image.new("RGB", (label_w + n * (w + pad), head_h + len(rows) * (h + pad)), "white")
    draw = ImageDraw.Draw(canvas)
    for c, lines in enumerate(heads):
        for j, text in enumerate(lines):
            draw.text((label_w + c * (w + pad), j * line), text, fill="black")
    for r, (label, detail, imgs) in enumerate(rows):
        y = head_h + r * (h + pad)
        draw.text((4, y + h // 2 - line), label, fill="black")
        draw.text((4, y + h // 2), detail, fill=(90, 90, 90))
        for c, img in enumerate(imgs):
            canvas.paste(Image.fromarray(img).resize((w, h), Image.NEAREST), (label_w + c * (w + pad), y))
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path)


# -- the prompts and their real images (see the module docstring) ------------------------------------------------------

#: (prompt, subcategory) of the demo's images, in this order; the real images in REAL_PNG are in the same order
PROMPTS = [
    ('face with tears of joy', 'face-smiling'),
    ('dog face', 'animal-mammal'),
    ('red apple', 'food-fruit'),
    ('japan flag', 'country-flag'),
    ('smiling face with heart-shaped eyes', 'face-affection'),
    ('pig face', 'animal-mammal'),
    ('carrot', 'food-vegetable'),
    ('brazil flag', 'country-flag'),
    ('loudly crying face', 'face-concerned'),
    ('spouting whale', 'animal-marine'),
    ('slice of pizza', 'food-prepared'),
    ('germany flag', 'country-flag'),
    ('smiling face with horns', 'face-negative'),
    ('butterfly', 'animal-bug'),
    ('birthday cake', 'food-sweet'),
    ('united states flag', 'country-flag'),
]
