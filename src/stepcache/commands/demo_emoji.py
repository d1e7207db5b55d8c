"""``stepcache demo`` (the default, ``--model emoji``): DeepCache on the embedded emoji text-to-image models, side by
side with their uncached runs: the Stable Diffusion U-Net (``models/emoji-sd``) and its transformer twin
(``models/emoji-pixart``, a PixArt-alpha transformer on the same VAE latents and text encoder), same prompts, same
seeds.

The 16 prompts (4 faces, 4 animals, 4 foods, 4 flags, interleaved so that the first n cover every group) are emoji
names of the *train-side* emoji (the models learnt them), chosen so that the emoji classifier of the time (commit
9dfcf9a) recognised the real images of both vendors. Those real 32x32 images are embedded below (``_REAL_PNG``: a 2 x 16 grid, row 0 Twemoji,
(c) Twitter, Inc. and other contributors, CC-BY 4.0; row 1 Noto Emoji, (c) Google Inc., Apache License 2.0), so
that the demo can show, offline, how often the classifier agrees with the prompt on real images: the reference
line of prompt agreement. Made with ``stepcache.emoji.load()`` (which needs the data): for each vendor, the first
image whose prompt is the prompt, composited on white and box-downsampled to 32x32 as everywhere else.
"""

from __future__ import annotations

import base64
import contextlib
import io
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
from .. import emoji_eval as ee
from .. import evaluation as ev
from ..core.config import DeepCacheConfig, check_int, check_number
from ..emoji import MAX_LENGTH
from ..sampling import markdown_table

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
PIXART_CALL = dict(use_resolution_binning=False, clean_caption=False, max_sequence_length=MAX_LENGTH)


def prompts(samples: int) -> tuple[list[str], list[str]]:
    """(prompts, subcategories) of ``samples`` images: the 16 prompts in turn."""
    idx = np.arange(samples) % len(PROMPTS)
    return [PROMPTS[i][0] for i in idx], [PROMPTS[i][1] for i in idx]


def real_images() -> np.ndarray:
    """uint8 (2, 16, 32, 32, 3): the real emoji of :data:`PROMPTS`, Twemoji then Noto."""
    grid = np.asarray(Image.open(io.BytesIO(base64.b64decode("".join(_REAL_PNG)))).convert("RGB"))
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
    samples = check_int("samples", samples, 1)
    steps = check_int("steps", steps, 1, 1000)
    guidance = check_number("guidance", guidance, 1.0)
    chunk = check_int("chunk", chunk, 1)
    if threads is not None:
        check_int("threads", threads, 1)
    if threads:
        torch.set_num_threads(threads)
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

#: (prompt, subcategory) of the demo's images, in this order; the real images in _REAL_PNG are in the same order
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
_REAL_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAgAAAABACAIAAADj3VjoAACVAUlEQVR42uy9d3hcxfUGfGZu29612lXvtiT3bmPjgjGmdwgJPSQkgYSQ3kgIgfQQ"
    "IAECoffeicHGGNx7lWRZvZfV9n7bzPfHrqRVsSwbCPl933cf8KOyO7p77pnznvOeMohSCse7KAGpH0J7IXIE4i0ge4ESAACEgXOArgSM08E8D/hs"
    "QBj+71z71r3z1A9vOe+2n5x183f/Z28yeagu9OTLYn0TYlnNTJdltZcz+4bkL4fswY8cyUN9VFGEqWXmG67UzKw67mOUZEAIcezneHtUUYBQxHOf"
    "cZ2oGOoINExxzmbw8O2pVE3KcYXIRsGCv0TV+r+r/0qcRHtJ317St5cEjtFQG4n1gZIYfgGrxXoXMhdh6xTsmodd87DBDazuv3+nNdu89Xv8WgO7"
    "6Fy33a0dKX4aC8u9rbGBznjQI8YjcspWIQQ6I2dxCln5OnexXm/iEEaZb/T1Jna+35uIKlPn26ad5vhSNEeteYgOHGCX/Bk09gn3uU/Z/hOUNZuZ"
    "9p0vRYvQ+ABACURrwPM+hPcBkSZaAPNgmgvOc8EwbfIfQBaTIY9HjMcIUfVmi82dCwiNuQfq7+2Oh0MYM7xWZ3Y6OUHz2T9wf2vzny8/JxmJXPvH"
    "+xZefMX/pvWPfbxt4Fd/JrH40E84B8q+XeDdCACkXtr/d1H2Dj84rNdl3f0T/arTxnmSsURi8z6EMbYa2bxs7LCOY7VVQpMiFWUY3GFI4JBGAGb0"
    "A6WyQrwBpdtD/GEqK5rT52LjqVsNlSjP7/v70b69V8y5dXbuMgCIiMGa3p21vXv6Ih1xKXLb8r9kG/O/HNP/Rer/F3jfgWa14TWl5X3irQUiT/Z9"
    "mMOOarbkXKbiMmwtBUD/tTt+7b4GSigAcAIze6Uzf6oRY0QpDHTFmw4G+1qjqkIneDvDIlexoWyWJStPhxAQQjuOhg99MiCJKgAgjC76bumRIzWx"
    "eLy0uNjtdn0u99zb19fe0clz3PRp1Rw3jg9EOj9Sd/8aiILy17AL7gR8HN+LKMruO2nnesAss+AunL/6v68x492Z7IOupyG4A4h44gWIBMEdEN4P"
    "lsWQdx1wE8FdoK/32I4tR7d92ll3JNTfJybiVCVas3na8jMu/eHPsZIgigQUsKBRMf/G3/5Y8+nGRCiEGCxodeZsV37V9MrTlk9ZvMzqcp/apyVE"
    "ffuv90T9vpXXf2P+BZemLE5vqE1UEgDAMYLTmGvVOdF/cQOkLvFoY+yDT+TuXjY7S3faHP+9j2RafwCQvTTwpuz8Ng8AgTflTOsPACQW99/7CNaw"
    "8W37lf4BLtetX7tCqCwHAKV3gMYSFIBEYkpHHzbo2KIctiQvBQPEH1K6+lWPn8aTVFaGAYBjkU7DOG1sXja2mVOmX2ntVtq6SSQGg39c7e7HU4tP"
    "+VN3BBrr+/dRoHs7Ns1wLz7YvfWjY68GEgOp3/KMoOUMX4IV/QL0nwL0RNTeKNEwqNTKcAxqCShBkdq1uMjMMJ8HcNC4R979J+XYazTpH2HbBQE4"
    "HnEcYhhIPzlEVZXKMsgSEUUAACITz0HJcxAdfJidchm34KdI5/xvQRYddArVPev7epqjpTMtbbWhrsbIxKY/rYEK7W6M9LVG88qNRdXm5kPB7ubo"
    "0JqU0MeffPrhx58mmDdr0LIlS2647urysrJTvtuW1rYnnn7m0y1bQ0kVqfINX7vy+9+9ZYz+xEnNw0AUAKBdH9Gi85Br0ZDFB4AhPKCevbTro9TP"
    "Sc3D2LUEuP92EDYmAojWQdv9IPaeymKCG4puA8NoLkKRpEMfrdvx+kstB/fFAv7RzgdGhSWFay5ca9BrBg0QjsYS69/+oL2lnZDRSqC32kpmzV18"
    "6Vdmrj6b5fmTg+6mhnvOX2V0OH72xocJjbS56e1jnoMJOUooSdk9DavLMRevKLuozDEdof8SDIRffsf/wBMkGks/EpahqgpjlJ/Ro7zfCwDQ9QtR"
    "jY35NQLEMFRR01I16G3fu9F05QXijsNKV5/S1Y11Omy1AMYAgA06rqJQ6fOp/V5QyUQ3x2Am28G6HXJDO4nEUihKAkESj7N5uYw7S7N09inufEpf"
    "Pfjg/q7NACCw2uVlF2xseF1N7RAAACi0TfnG4l+zmPuvbogvQP8TCn10f3x/r5xUKEZQbmftWry7W5IJ8AwqsjDfm6936j8TCNBYb/LNi4ivLq0L"
    "HM9YbYzFho1GxHFJD/UfkokM+nzWOkODGACglBAghCoyCYfVUEAN+KiUjnWwvUpz8VtI7/4vyPvth5ukhDrKIIzd9ZMKY8a8kdcyD7//w27zjKJV"
    "VyveNt/O17Gv+bqrr7rhums0gjCMIqqKMc7c75RSQgjDMMMumiQ998JLjz/1rGIptC+8lHWWtHz8grlr6/ZPN45+Fr7DyiffGQoc8ZRrmBnfBQCQ"
    "I8qu3wAAu/C3wBkBQD38D3Ls2aFQkl3xELLP+FIjgNA+aP0bqNFT9WN7oeluKP4hmOdmIDx57Q+/+eSZx4aQJiipskocWg4BGE2GlWetKK0oxhjD"
    "EBRRYtAJF115fnND66YPP4mEoxTAm5A5Blt4JhbwH9m0oeaTj1Zce9OVd9yD8EnsnIMb/iOLyVlrzqmNHVi/96WkEh9lkhJyrNlb44l03bT4jiHy"
    "gRAiSdJEyZJTAF6EeJ7HGIt1jb6//5smkhn0ujq+sxOjVEl/Ma6TmflGEo35/v5vYXolicRILC4dqAFVxSYjW17C5rpJNC7uPzpJmkbt8ag9HgCg"
    "qqp29yqNLSQcAYbBViuKxE5ZAgk5drR/f1pxlMSGY6+MkvA098KU9e+N+15o3tAV83xegEwB8vTOr5ae6dbZv2j9B4COkLqtUxpMb0C9dxjkJJU2"
    "+JR9vfLZZcJn+URqzw7iqwOEGKuNc7mx2YqY9NYe2JaofzCgRAhQQCw4Fmkrv29jNAhhDBgjlsUaLevMBlVVQ365r1cN+ImvTu3dxZZdlGZN+/tf"
    "f/313t7ez1H/3W73pZdemp2dbckSPB3xkWH6KW60sW+0ZAmiKFpyyztamoqr5xQWzwkf3fzIc4/t3L37rl/fUViQn9r1/3joX1OnTFm7ZpiB2bJt"
    "+7btO376ox9gjAGgu7vnN7+7Z09tk3PFjZbpq1VK2+oOOMpmeY9+MM598GZg+CEAIP6ksm2fGgix/AYU2goA0qbfK9KZjNWM5WSGp8UDbx73c/l8"
    "4Q0b9g14gickJhhKl0U78CQslcblzD3/LI3TwY70fT6D9qc1MQptf4PSXw35Qf2tTVtfejZzb/uTckwhDMbTywvOvnCN2WI6Dp7j8qmlTlfWurfX"
    "H2ns6EvIepax8MyQsd760rMrrr7BVVoxsZ+ZmV1o3rsLYdzr9h+seXJcg85gdqpzzplTrxiy/qqqRqNRQsjnT/uIosFgiH34Sab1P7HpmrQVpIlk"
    "7MNPNCVlkBRBlgEhEgpL+w4Dw7K5p0KGqn0D0r7D6USoLENSPIk7H3FnKo32eHp36RMDMiPICCOAUY/DpstOZQVqAi3nr/9JW2RS1iflC0zyUf2z"
    "7rV31/x5mrXkC9V/ACgwMWeXCQf65P4YGaV0Vg2e6mDnuk8lyolL6vZm/+rKLABgsucx+csR9QlFWSN0zKc2PBJUIqncNVAVBrYlTBXRgkuNo0NM"
    "hmFsWYwtS2z1UOxgnHNSPz569OjVV1/d0dHxuev/448//txzz7kKs0cBwOcJM8UGANCbLAZXRWvt/tIZ883TVunyqo++d+/Xb/7O3XfesWjhAoTQ"
    "lIryf/37sdMWLzQajQAQi8cfePDhq7/6lZT137Nv/69+c5cfW4uv/Rtvy1UUubVmvzOvCPtbDTrtOL6dsRAVXkc7X0OYyO1M7P02Kj3DmBKGFUcg"
    "Zb38nyQ/8alhLeIV/XwXV6hSglH+ZchYOA7p1NL7s58+2tPjHzJjQyYt07alvmYpcfXuYOmkdkDrUy8uevIf7DDv2fYAKCet/YRQPDIFD0oU2h6A"
    "Kfek+ND67VtkcYSZcGi5eFS0urIuuvJ8jeYEjo/ZYrr4yvPbHnkJx3uduhH7RBaT9du3jAUAEokmtu+Lb90td/ZQUUIcy+a6dafNE6ZP7W08Juj1"
    "FZYSU9PBgCYZN+KEAasYEIAuBmW5cxZWnl9sr8ysPEkkEl+E9U8FFolEQu6arGOFBEBs+gsqTuotclevkF9ERXEIVPnZM9icU0yFsbkumDNDOnAY"
    "CAEAKopwss4aUZWW95Ujj5GBI1lJ/00I+Vj9VmtpvT6bZiAbi7mzK79qEMwAcPvOByZp/S2sek9ZBwD8sqkgqDAnfH1bpPf2nQ9sOPu+z6L/41wj"
    "9R8AtBy6Yabuikq6t1d+4lA8IVMAYBBcOEVzVqlg1ZwK+dPui/9tffOBzlAKAJCpQHPx2xCpg6Y7IGP/hxskya+Ochq8OxMFl5tAHe/ZIUY46ykw"
    "lANKC/COO+74Iqw/AHR0dNxxxx1PP/7i0d0+Wfz8txgn4Nwyg9FojEW89qospyK31OwrnTaXs2Tb136/a90/b//Jz+/4+U/OPmvNGStXvPLaG6+/"
    "9fb111wNAO++9x+e49aeuZpS+snmLT+/486ouSx37a28LVdV5ObDe7Jyi8yO7EDXAYt5tPNKRTHx4Zbkp13mW3/HZBsjv3uFSn0AgHUJxCpAEQAg"
    "VsG6hBrWUolNdi3W3nCF2h8J/fN9TedH2rOWIWGESfzHP94MBKLnX7Do4MHmzo6BKVPySkrcH320HwBWr57T0tJ77FhXfkHWrFmlH23YT1R15hP3"
    "85Ou95PYVJxICXQ/A2JPpllvaPVt3dPR3B44Z2X5sgUF477/013tH3zSWFpoWzq/oKLYPowEYg90PQNFtwHCAx1to95l4phCp+3rV194QuufZlY1"
    "ws3XXXz/v140yKP9zdGLExJdvznw4FNyZw9k+lqH6qLrPga9NjnQjykt/dvmyriksFThkMqmM76MAgZHve2WRXhNZeaGkWUZvrBLlmXWOdkyNS4b"
    "Yw0CAD4bix2T2jAjFkeIr6xgC/M+E2NYmAeiKNXWw8kTYtJAQ2LTj9n+zTBI9HMUXFL4Es/BHebiT2wVBFCKHFs95fIq1/zUaz7u2TeZxacZ4k9U"
    "Nc8zRQFgvil6Y11pTfTE+bT04mP0f1hxjva/8m7tFedXz6zMnvyvMvV/OHfFo9ML+X298s5uCQDsOnx5lZY5UTyXkNVHN7fnWbSzC0x5Vi1C4I/J"
    "H9R4XtnbE0rIo2w30VTU/t2ieI4VXWmyzhQAgKqjg2AAoMqw20hlSgEwBsQiAAB9BehLh6w/AGzZsuWL0/8tW7bozVxRtblxf+BzX7yo2qw3cy5X"
    "9lF/NwJkzXIrstx0eE/p9HlBv8+15jtS3YY77vq9oqjnn3v2zTfdeOfdfzh37VqWZZ55/oWf/fiHgiC8+/66397zB/3s83NnnBf0Deht2c1H9tqy"
    "c23ZOYCQ5O8pcI5Ilau9A+GHnlVaOoDBwGqBN8GgSaQKCxSnk/AUU2XQl8UIeBOwijrgi738nrjnsOk71zDu4TBu/74GjmPnzKmoq+vAGAwGbVV1"
    "UQoAqqqLPJ4gxsDz3Jw5FRvW7wOEdCWFPDfZgJKiVA4gWguBbcMOQjDx+vu1h+r6FZXodRNlWRFAUlR3H+zef6R3ZlX2pedWOyyDMVFwG0RXg3F6"
    "IhIe+8a1p822WUyTNyE2i2nt0jnbNm0fvdFisUy2J/T8m/77/j0+h04pjcVdoAEEXFykAIwCjEIhIxKWO7o9v/yjbcBnvvoS+G9lgA3nrAy/+h49"
    "IcxQ0E7FSAAA0EydFAAgjjOcs1JtTrvPbH4uW1H6OWSNyktIOKK0d6ZAZXKKRiN17/S9/m1IDGQ7BWZkyIgpXRJsTTD8DnNx6kFtbHi9rm/vvPwV"
    "c/NXkBPFsyyCK13ev1e0Obi0DOeZoh/Prbu9oejlPsfEhSTpxUfq/9BVc8zz1CsHkqIybghICPEH40+9cuCmr8ypnjKmZmZQ/0ftl0Izs7MbACDX"
    "yDCTEJ6WYxSV3vdRM8Mgk4bT8tgblSQ5HXkJ7IjoAfOCdfmaxl8fPtzgnXGHwzpT0BeyjB6rCZqpSOYqASiVQ6TlmZBne4JIVF/AFV9tss/VgP0M"
    "GJl1/4LC38zFXUX6pgOBzzXFBgiBq0gPAAX5+Qd21qfWzsopIIpcs/NjSmlOyRRmxXWMoLvz938CgPPOWVs5teKpZ5/jOK6woGDxwgUbN31y592/"
    "N8w+P3vljYTS1vrDQW9fVm6hI7cAABCgZG9DwbThGmXiC4b++qja6xk/LPQZxYZCoToGAGKtXvEZxt0mSnN76K+PWn5xC7ZbhnxxUZLvufu5vLys"
    "H/7oiqefWn//fa9fdNFSALj/vtdtNtMPf3TFq698es/dz6mEsITsPucqFk7ikbFACXjeG0pZtHYFH3tx34Avbrfp1iwtmTXNbTUdt/r+9IWF0yuz"
    "D9b0btjasv9Ib0dP6Kar5hbnWQAAiASe98BQrdGP81HZk29KYtlxgnpeO8zBJffX+B986ngZVABAFC7VlpzAUimq/8GnhKoKzdzpJ0n+EujugXAM"
    "AMCkh7wcmFx2WqgqM507NfTWkRNZczAsYlJoZVjEhD9WqHKClU3nThWqyhIDYWAZpNdx0yo/H1RDiJtWqXp9wDLYPIkyTaLIBx8OrfuNEg0DQCgk"
    "26z8GE+CLgs0NWqzvLwBAGRV7Ag0dAYaT9gEYGbUe8o6bs7rZxAFTCWJBQCeVxyc/FRV02JT5JdNBSF1QjpopP6ntyuh23a3v/FBvSgpZy4tmVU1"
    "Dmk2q8p1xtKSj7a2PPri/kvWTj1tQSGbCWyD+j+qOWCKg0UIKIWpjslugWsW5e1uDXQHk/6YBCOT7sWO0VGO46wVbfc9LvsDbS+HrTOz9Plc/kXG"
    "9pcj6cpICvoiLv8SA5Vo3d98/gNpbjDSJNX+0Tfrz1NMM+bCf/eihLYcCX2+1j8V3LQcCWUX6CoqyqV1n6ixAKMzA4Azv0RRZH9fF2YYQMix+HIi"
    "Je76/Z9sNmtZaemD/3oUAL565RX79h/41Z2/M8w+P3vV1xFmMKUcL5hsDnfxlNQzVsWoGOwtK1s69Bdjr7x3POufcrbFjlLdt24GgOS6R4AeN+2h"
    "9npir7xn/PbVmRrKCWwwGPX7IrFogmWZ/v5AyiTGYgm/LxIMRjmOVRISYKQrLmQRPRkAkPohnI6yvYHEYy/s8/rjC2blXn5etdlwYorGatKsXFI8"
    "Z0bOy+/U7Dvc89gL+27/xhKHVQsAEN4HUr/eYh0nWXfyLTN4PHuauXjgsRdOMSc56kklkoHHXnDP/cNJvGf3Afrgk3C0CaJRAACDASrL0C03woJZ"
    "k6CMvda1HUobEzs0TunnkNemm84IRWkJCEVYN52JHVAnCM30Mxnr2g5QvGy+W2nt4qqmIo3wee0upBG4qqlIo2Hzsk9k/WVp+2/lAw9a9AqRmVhc"
    "jcZVQVD0utHmT0OUyljfZr4cAQUADadbVLgmxzxRk0GVPvFoVfMSc0RSmHf3lDyzflpLjwUAyvOC166pOWd+03fy+2aZYt+sK62LaY/PTA3rf5qb"
    "7gm9+1HDkfp+jNH5q6esXVE2bkEwQujitZVaLff+xoYX36mpaRg4f3VFQU5GIUd4H0j9IIwopiyxMDkGxhsnC3ImG6c7TcJPzy7/zdv1gfjoMHHF"
    "lNH8oSY/x7Z8Uf+b6xI9aQeh6CsmUznfvzmuStRUwrvX6ngzE6wVA4dHYJ6aoAM11abL7P9lAIiF5b7W6Bexcl9rNBaWqysrlahPCvZpdebUU8sp"
    "nqJIYsDTl2Jysk6/WhVjv/zNb6dVp/P2be3tv7rzLrZ0afbKGxFmACDk6zeYbXllVUN6IAf75ZBnxrRpaTUPRaRDkymrm5Rplg4dJaEINhtT3xpN"
    "2jvvvO7ZZzY89tj7q1bNXrlq9t2/ew4AfnXH1Zs+PvDYv9+fPaf8mmvPvPPOpyVJmfnk/fzJ9OezENqbcn8Ioa+8W+P1x+fPyr320pk8x0x+FbNB"
    "uP7yWRijPQe7X3m35ltXz8MYAZEgtNddNk6VjtFsSEmiqT94tMdXnGWuznOgkXKq7fK2DoQqc+xl2RYKYDSN42wOLa5094k19Z+X6og19Up33yRL"
    "Zehzr8F9j0Eq0ZoqHE4kYP8R+p2fwfdvQldfdoL3h/ZiXnJ+i/O/gY7n12MNspw/wmJazmcTdeq4jUqIBdMq1nYJi3gJQnu54nPU7n514HPmWNn8"
    "HGwzs6X5J7D+234rH/gHUIIQ2Cw8xynhiBIIKgyDNQIetTNcUgRjJlufMyN38ezc0y1ax/FaMTCCy5y++6e0ZvNyMCbc8Ndz/rO7VFbTLz7c7nhn"
    "R+kFSxr/ffsHS8yRjXNrbztW/JrHPn7GelD/AaBvIPrOhmM1xzyipGTZ9ZefWz2jMnuCoInB6OyV5QVu08vv1R4+2nes2TttivOCM6e4sgzpICC0"
    "F5znZ75Fx6GbZut8CZJjPIn9NafAfO+V0+7b0FzTE1EHP8a0XNNFs8dRUdcV53neXc/o0uJFGOzzNfaF2kHWHwBA9BEik8wJCljg7GvXwn/96m2N"
    "Tabh6xQuVaG9rbGcYrfdamnb9jYUL2E5nuVYzLBiMuGvP2S02jleQJjJXnVj15uezVvSNOCuPXu1RXMK1nw7VUqryFL70UNag7mjoYaoiiIriizR"
    "9l1mg66oMF23Q6NxKiuZAQgJRbDNBLJ6ojSgSkWFhCKZSTWqKDSRhEEASCak117d3N3tzc93HjvWFY0mjEYdALz7zvbubl9+gbO72/vaq5uTCQlT"
    "2v3CG9zJNBayEEmTDw2tviPHPA67/srzp/EcQwHiCVmSVYyRQc8zY7aiSmk0JhFCeY7RaTmeY648f1prZ/DIMU9jq29KqQMAIHIkr/IrDMupygjn"
    "xWa3AYAnHL/r7R2hhKTlmLsvW1rmtAy9oNkTvPudnQlZNWv5v35ludOkS71lxPZjubzKNAJLrZ0k+rkVk5FoXGrtnBQA7D4wbP1Hw4gI9z0GFWUn"
    "iAMiRwAA8ch+Jaebif1vKlIroUpGuScC8znskPs/FASYz+ECb8nDLgUFxAJfiG2XstqpTPrtkSPgOA8wHiJ/MEIAiNBTIXYxwgCUZHYLM8e3YlSV"
    "dt6Tsv5DtKzJwGo1TDgiB0Ky3crx3IgPVeBa8N1l92Qb8hg8ET1iZNTflnbemt/HIiopzM0PnPPurnKiEEDDQpMJen1rBc+pz/74/Wxefm5a46LO"
    "yG+a8yNj6aDIMPm2bW/H3sM9ZpNw5rKSlUtKDAY+DU3HYygQwgDTq1zFhbZN21o2727fe7jHatFefk7V8OKDABBKyIe7wsf6YwlJBYBDTWAQmByL"
    "psypdxoFg4admJ4rd+rv+8q0+r7oK3t6Nh3z6gXm52eXG4RxBGVZNFdXUpiz3D8q3ZH5HWfCiMGZn0s/pdQ8d+bY1X7Oa79QABjojI/i7gef4kk0"
    "3gy9iwLNdLIHOuMlM93VVVW7W3sKp89VVaIoElFUWRYFja6r6Whx1SwAwJwm59zbWp5sVQM9AIANttzzf4D5NPXd3VxvyXIbLDae12CWYVmeYZnO"
    "+ncqKystlnTAh7Os2KBThxgIlYQffRdbzUq35wTxf7cn+OcXSSCU2Y+J9XpsGzaGiqLu2FFXUuK649fX/PQn/96z59gtt14EAA/+8y2n0/qnP3/j"
    "d3c9u2NHXaoMtPW+Rzh6UjmAeEsaivsjqkrXLCs16nlVJR9ta9m4tTUYTgo8M7My+7Jzqy0ZyYBgOPna+7WHjvaLkmoxac5YWrz6tFKjnl+zrOS5"
    "t2p6B6JpAIi3WCtyCqbPbD2wd5ibtpgNJgMAhBJSIJZkMI5LykA4ngkAA+FEXFIwQoGYGEpITpPOYDKYLOZwMDRsL6bPtLpz0tYmnoDPMVtFCI0n"
    "JsP70wefHN/6D2IAffAJNO++ifIBg/IHBNpKJqeCSdarke2q2EiUACUymJaylrXj7fO1rNJPw1sVzAFrRUI5Ni5hNFMZxIxYnMQTqi+Y+i6aTD6+"
    "7eP+UOiyuYvmFJ7cCIf97a2v7duZbTZ//bRVBo0GAFRfkMQT2KAbl4KVDj0q73sAxugixyK7lVfVcba3tfQc1lQ08W1M1SUfrW5aao6kvvXD0rOv"
    "/PaKi6CzK3K4xlN/1NveGVFTS1P6+pYpN6ypXT27lUX0+wW988zRb9aW1cc148sfYNVpxUX5FodNP+CLbdza7AsmWAbbrdqyIntRnkXgM/pCZbWz"
    "J9za4R/wx2Nx2WrW5LlNt1y7wBeMlxRYRy1OCP2wduCxre394fFVJdskzMgznVmVNSvfrOOPi6kcg6fnmrY3+QEgJqq+qFRoH8c6Y4GvvPtSA/9i"
    "OlZCAHQ0AJgreVM5F26Qhiyo68rzxx0XeD0nfKEAsNMjZtrx9o6urq4ulmGNJoPD7rBYzDzPHw8KEEKSJAWCQa/XF41EFVXJy8srKMgbwoCgR2Qw"
    "Xrni9M1b/yj21OuLZwugT/ugzpz2Y4dDvn6zPRsAOINdXzRTCnQDgD5/Om9yUkoAIBLwEqIUVc7ODEbjXXXxjprll353qFUY8TzKdsDAMOgSb5B4"
    "g5PhhJTG9tGfK9ueObCL59i58yo6Owd+8+un9XrNgoWVb7y+BQAWLKwc8AR/8+unKaVLTqvat7cBCJn6xzv4k4sAZG/qq8XzCgrzrPk5Jkrpux81"
    "rPukMfVIJFndc6jHG0jecv18o44HgGhceuT5fS3tfkCAEIQiyTfWHY3HlYvOmrJkXkF+jiXHZRz0xLycoFl00RUZAEBLyosEgT9ZRREEvqS86OCe"
    "g0Nu3qKLrvhcxsMdJ4k0CTjp7oGjTSd4zdEm6OqBguMXXw7KP/3sGdBWM9ppDIlRJUCpDHwuRtz4aWHHdZxpNYM4YK0I69E4BKPsVfsGhz0geG3/"
    "rmd3bEEAhzrb37z1Rzwz6XphVbnjrZc9kRAFMGv11y9ZnsI/tc+Ly8YpEY41bwqu+5VFd9zSprEVMEiXzRRONAwLAVzs9N8/pTVXGCKvaVR70fTp"
    "OQjownnuyy+eEk/I9cf8b7/beLhdYQzm1j2H39havnpuCxAEAEvNkQ1za287Vvymx0bHk7/VrAuF+15480gkJg36lekqyny3+TvXzbeZtQDgDyUe"
    "fmZvZ2+IkFRdd9qT1un4C1ZXWM26Yc9a9gLA+0f6793QLKvHdWj7w+KGuoGNR72lWbor5uWunOrQcMfdw8FEmmroDCTmFI7fO2pcsBpq3wrWBDvf"
    "ikoDKmfGuecZ7HM1QxESI6Dqn9gbHgkGDiSJTHVFZue5X8IkMgCIRzKVBHk8nu7uniGx6/X6/Py88tJSjXb0Tk8mk41NzZ2dXbFYbKjSlef5woL8"
    "oSggtfhpixdbLea+DY8Ufu2PrN4yhB45JVObj+w1mG0My1FKNY5CSikAEuzpFVRF6WltKK4aYf3VZKR3/UNmo37litNH7JFgUA2FObPpuCZFUako"
    "AwAoE/FCcihMgsGRVAdz6aWnP/b4f47WdSxZUr1mzdx77nkeAG6++bz16/dt315bWVVw6SWnHzzQpCJkX76E59mTAYBBS6fhmZICCwAcCuR9SBeZ"
    "zH8szjXwLKYAvZ5Ie3dg07bWC9ZMBYCPt7W2dQVy3Sa304AAJIW0dsfWk6tLgn0zrV2pRYYT2AALLrhk+2svtB85CABZ2VmLli5I/22MGIzTdMJI"
    "1OIYlBI6g9FQccWipQu6O7oH+r0AUDh91oILLvni9BJNJk0djkE0CsyEZG40Cv7gRAAwLtJQwDrE605QtIM4GKaG6PiLkwz2PyYmUysmZIlSChSo"
    "otBolEbjVBydP0eCBhl0yGBALEspTchSygrHMl5JBgIwBgDkQHvvK19XQiEtKwg8zgyrEkmi1zHjf5QZNyHdcVPKAiZ3lXZ+N79XgzM+JwPf+8XR"
    "g21hg56tqHDMmp61eEHOzOnOWTOcvX71uVcbOw6gw81ZmV0duYL03LSGf3S6f92cLxI8Vv5efxyAooqL5JzTqSGvlGtYKD63v7a/byCWSCpgBgAQ"
    "JdUbiBfnW6ZVOPZrrmpGc3Csi+v+lOl8a8AXHyX/gYj06Ob2Cax/BklDGz2x369reOtg77eWF83KN4/NgBBC63oGo5/Y8ceU8g5/c3XNr99WkzQV"
    "AfgPilNutbjP1A/piSabmfZLmxwmQIDJXTX5fpTP29PK/JrOmjmjtKREFJOBQLCzqzsUCh09eqy9vWPOnFk57uF0ek9v7/79B+PxBEJgNpvz83Kt"
    "VqsgCEajITNcSH2Zm+M+9+y1z77wYtvzP3WdcZO+cCZieQDgeMHuyutpbcgvrwagvC0XIUwp4e15qXf2dTRZHC5eox0kNZVYx+H+j/6d6Gu64PJL"
    "8/NGbGpGI8R7elQxKdjt41KjNCEG//AcwogmxONYAiIOeBW/Xz9jykiok+644wlZVhCCvXuPHTjQqKoqAPzpTy+pKkEImhq7f3XHE2JSZijZe/F1"
    "HD2pKqCRibgdsUVPR68TK/nrlyQXGA8OqV1HdzieSCtcaYH1JzcvLcg1DXV+7YzM+1fgOw9HEtfzzyzU7xqltzqz5eYHn9z4r3tlT2vVjEq9Pk0a"
    "5NmM58ws3tXSV+W2VeeO0L/qXMfpFbl1vf6FJa48Wzqe0Bt0l37t4roj9frCqmXXfktnzkAalvmcFfNzXJBl4cu7SCg69HQvnj3/QEerJxK+dvHp"
    "XFKSjtWpvf1UkYHScUqHMQBCiOUYdzY3pew7K9c8s2Oz02i6ePb8cRYfdpDE8Ie3y8FOAAiG5Cy7MMR+YYyicUVWiNnIjTJt2DmTnX3LKXw6W65r"
    "imP2p+9+aqict/2ZQw8+dmTeTPs1V1VXTrH/4KYp1UX8zo/eOilrdNk5VRevnfqjvj8nVBsAmHTmM507Vi0tI4QMFSK7sgx//sVqjDGDafPAaSQ+"
    "lwAYK9f80RVjMB6VMNjc6BtbvTOxQaztifzw1dpL57ivWZxv0oxQnu0tgQ5/GmMiyQkKgRG1naGKb6XBDwFVadtLkazFWjZj6hxmkGBlABAUnPVf"
    "a3w50V5hrVYLADidzt6+/lQclkgkdu7cvXr1KpPRCADhSGTnzt2qqqZumWXZKVMq8IRV17d++5ten2/z1q3tL/6Kd+Tr86o1rnJNdrHFnN3Yfizm"
    "yNKZ7azejFmOUsoa7ZSo8XAg2NNePmNOvLNWHGhP9DXFO2vEgXadTrN2zervfefbmesHQqGY3U4plQe8SjjCO+yc0TgWBogvdJx8mSpHIrLXR0QR"
    "AMWzHIFQyGo2A4DdbhzygoYTNvpxeDm9TmApBS+icFIAgHDKCUpZ/yd8N0iUB4Dd0tKF6NBQwF6c8uspBYCxbS87k0spoDjVPea7kQIs1u8a1MP0"
    "U7Hn5a/56lWeXR+O4jS/uWLGN1fMwAhjjs8c68by5MfnLBibq9TrdfMXz3WvuMSYN6L+hLFaEM9R6fPp2kU8x1gtJ36dSQ8GAyQmzBYYDGCasFh+"
    "UP5fTCCDSUYyI8die+y6bwEAicbELTtp5p2jcaIQoJRKktLeqXq8lyxbdNncRaMVekymRK55StO/0WRkw1FFlEgoLFstwwSWUc96A5KqUKuFG/Ie"
    "kMYmrHoA8cYJPodI8M8aC3eFjCMoIAom9dCG/QadUdewdZcYSyz+2sWfvvDmrgO+1Utd37pp9jlnlV0wy5CJbd0iP5oCGil/jBHGeIQ4KDAYMZjJ"
    "FBWXBgM6Iohh8Wg5Iry3LXgKz01SyIu7u3e3Br95euHCEmsqCG70xO77qHkywQQAWBbM0leUxBqGMxzJPkVNUlY/5qXaItCXfVkWH6HxU+yiKPr9"
    "/oxtpOcGHSmOZQ0GfSiU7jD1+/2SKI3liCCjT9FoNP71j/c0t7TuP3DwwKHDLS2tgcOHfJGIqFJK2M79esFkJZJIiQoAfev/hXlBjAQhGevY/YjA"
    "IKPRmGuxFM2bOnfOVXNmzyotKR4ihSilvlC0s9/vKi1RnFlybz8VRbG7R2JZRqdjDHpGq0UsizBGGA+mt4ESQgmhiqLG42ospsYTVFGAUkopn+Ni"
    "K8rb+vwqxXaz4cmnfvjFIi5wDpA8AFCbqH7Kf13K+gPAsXhph5e4zHTielBJVruDbFMynbuTKP+071ojjk7T1gIAcI4M7mycKh1eo9NbnbzWgDkO"
    "Y2ZIQISoRJalRDQW8Eij3kipGh/teLJOO9IInxsAaATWOYmC6LwcqCyD/RP2cFWWQV7ORC8YlP+oq7075A3ErRat06YzHKcfOxqXPP54IJhwWHWF"
    "uebxFx+v+FFuaKaJxOQFQhMJpaGJnzNzLG0x4rtAo7zrjwDEYuI4FgdDciSucBwy6NNbV6thBA7HEqqkEKuZ1wgYWA2/4i84+8QzpSnAGx5bXVQ3"
    "nAQm6NLFB/cHLpGUnIPbDwHA3tfeRyyTM6N83cajzT3Kb384dXXWp6kBLACwNWQcJwl8HPmPvZKi0tDmB4CKIptGmFxUxzlavadenNY8EPvlm0dn"
    "5ptXTnHEJeXF3d2ZwYRRM9E9MAZ99sVrW/700DC2cQgGXSxVoqE6SYkTwcoYVyzDWPNlAYDOyMXC42xbQugQmUMpnTp1qnaw61Or1VZVVm7fsTNl"
    "hSmlKlGPt3hmxristKSstOSKyy4JhcNbtm7fsPHjXXv2SFICg1aKR8VEjKFAgUZDfo3BzCAgcoLXsvPmzllz5hnLliy2WMZxChNJqaPHQxFCAm+5"
    "6jKps0tu70gcrKGKooTDSjgMCBDDAoMzHAtKCAGVUFUZciEYs0kzewbnsHP5uTGBJ4R29Hh0Au/9eNsXDAC6EpA8/YrzUd/Xk2RYD8Kq4U+vBHXB"
    "fRaTYLfozCYhRdMzDFZVIqskFBZ9wXgwLCZs86NrDUOuT5zqHvV9/ZeuP2azHtCVZBJ8I6J+hjFn52tN1hTbLinK0dau/kAIALKt5sqCHF4QWEHQ"
    "mq2JcCDU30lU9XhLAQDjymJMRhL+fDpKGJORcWWd+HUYo1tvpN/+2XELgQQB3XrjCVqCdSVjDZAoqf94alc4InIc1gisTsOZTYLJkPF0oslQWIwn"
    "5aSoyDIxG4W7f3yGMLaARDd+5zMZ8A7xzq3hfgAoNjkzu/PG/lwd8J2IbFKkbb+mCe9gQMoIPA5H5WBYQQilqH+EwGbh+r2SLNMBn2gwap1rf8VW"
    "XDb5R1Mf15y7v3KoDHTlzI452156bF16irqYSLrLS5p2HLbnuZMa2951f77omiMAoFD0z07X+GWg48l/7BWKiP96bk9LRwAASgqs37p6vtk4ifIY"
    "XUl/+DM1JyqE7msP7msfJ4yw6U9QSZF13uqOh59RBjeFdbbAmzAAJPvV2j/7wo0yVYmQbZ27YpFmYuD9Ii+LUxgXADiO1Wo1iUQSABiGMehHFJvp"
    "dFqGYVKTJLRaDcfxx1t81E8CgcAzz7/47n8+8CeoYcpp9gvuyMkqlFXSevRQlgb5//NXRIljxQ0hhc2vmMZznDjQdqhp97a/PGQVHjz37LOuv+Zr"
    "NtuIevR+X4CmjiIb8GGjQVM1VVM1lXU4wus/BkIAIazXIYzVaFTN9JYQYgwGAFBjMSAE67SWqy5jnVmpaIgO+CAni2Lc7wvU/+jXXzAAGKdLgX1P"
    "+a4LqiNbdhlBU7KcrevyhiN9voiSLpYYnkfMcgLL8YLgEIpXhjGfGUcHVOsz/mtuy3qAz5iFwmi0GZExtuWWCvp01C8r6k8feWlHbVOqxhwjtLi6"
    "7M83X8WxDEJYZ7YzLO/raqKDhZ4MP/q5IobhK8snP1lz4ouvLEfM5HIA82fB928avxVAEOD7N8H8WSdYwTgdgjtHe+iKmkzKCIGikKgiRWOSxxeb"
    "IIhOJGVZUccBAOP08WPsQUm2RzzP1G8CgOsrVxWbhnOw4/x83CrbzOqI9g1q6wcj+Vxks/AmA5UkkrGxsc3M+YISIKyZfxs/93snyz5HVOZHjYU7"
    "Q8ZUI9jfvrGBw9Jj62YkRA4h5Cwv6jnaFO9tu27+27+6cjMA7Ze4244Vv+axEYomKf+x6dk3Pzyasv4A0NIRePPDo9deOhOf8MaN00czNggDUPjM"
    "ow8Qxrm2E0y70xYXmOfP9m7YjBhsKucqbrYiBlGVNjwSSBWAIozMC+Zq8iaaD6i/MfCFGqCsfF130zh+G8/zZWWlR2pqgUJOjttqHWGdrFZrTo67"
    "q6sbEJSVlR6v9zUrf4SIdu3ec8dvf9cXiDmWXFE85zxG0AFAIhZpqtudX1bNJQb8QADAkuU2m3JaG44UV87WF8/WF89WT78meGj906+++MH6DXf+"
    "6hdLFg9zoaFYEgAYX4Dt7oPidF+Ydu4sKstib7+2tFiomoowTh5rCK/bQOMJQAhhrF++RLdwPiAkNTYnjjZoq6awWY4hrWC7+5i8bDXLHooli3/0"
    "nS8YAMxzN8e765KjjzGihEw/9xfX/PTOSLg/Fg5GQ970QHGUCmSowezQmyxGU/ZjhyRPWzJzFyOAmsS0rfFVqzJOxuCt2akkOwDoLY5B648AKEYI"
    "ANRBE6MOwsCwLdUbDRZHxO9J+d2CbZwWLe38mbGPtnz2rQUIaefPPImXX30ZVJTRB584xVEQ5nnQ/fSoWTRagXXa9d39kUneg9Nu0I4lJTAP5nlI"
    "10xjieMZ7picVIgKAAllBICN8/NxxyHoBn1HJS7tuBuIMl5aD42a46TTMcAY8Jzv21f96tRyj4SiV/rtNVFdahTE37/18VWr6t7YUlHbngX9jauv"
    "8F65vH5OmQchuj1kPMEoiPHkP+rqH4jtOdRNhtxhBHsOdZ91epnbOaEJxjyY5wE0D2NkxJuoWcdacjRTV37GA4RNRkO2RX9CkCj72aWuhfWsFsyV"
    "PCMgAJBCJDA4AggxjOuycydeRDg//IUaIHex/sgWNG4zcEVFhc1qU1U1K2t0TzhCaP68uUWFhQzDOLLGr19iWOQuHhbR/gMHv/+jnyY5c9HVf9Zk"
    "pyPjaNDfVn+wcMoMky0r2tKTIp6IGDNa7IUVM5qO7CmummO02BhBZ19wkaFkbucb9/zgJz+/729/XrQgXQqRslqUUrWndwgAAGPdkoWZyqGprmQs"
    "5sSe/UBBmFYllKdvQKicIlROGXXnak8vpTNSixdd88WeW84mcPaGxGV0PN+utq2rSxssnLLQYjuuj9B+bFdTpwUhx9jAcWPysiXYMRRd6lwFvC1b"
    "9PUCgM7iAABFSiZCfqMzl2HwbZeubezq6w+EASDbarrt0rUMg2OBAU6j5bUGANAOAoAht5S3jnNgqXbxXMRzVJQ+q/3nOe3ikxyJtWAWmncfdPVA"
    "6oQs40kMgwM+G0xzIbhjhO4yeOmCwpffrZnk31++qHCcg2VNc4HPZmxeZQwAYINBjSdO6iNiwzipbMaWTjwojW8Sb80QeytKVDvBmHtOZzn919ys"
    "bwH6TKVWdTHtufsrU8PgFk3pXTS1ZyiHBBSpFD3S6TrxMLjx5D9SIeBok8dETWeYllgZMwAE1NDG2PajTQPu7MIJjfRc4LMzAUBs3iG17ZPQfi5/"
    "FmM49ak7CKGiHKdDd2IF002dr6OFIPYNb0yZEjl9+IK2KM+2fDF8qZfexLmKDd2NI3ydWCwmSbLVanE6j8vEsiw7dMh7IBDkeU6vH4GIrmKD3pSO"
    "DBRF+cvf74/KtPiqX2ucRWnn3evpaDhcXDXHYLEBQvGuOkIIAoh31BorlhgstpKqOS01e/MrpludbgAQHPn5l/6q9Zkf/Plvf3/xmScFQQAAQgjG"
    "mDhssYEBfSCIj188wuXmcHm5KQp7IucmEIx5BojDllr8wNXf/mIBICqjvtj4Xpinr/Ovj104ZfaKmYsvKp66wOEuYRgWAFRV8fa2tNbvPrjjrYaD"
    "n4bPfxcc44BwV5SNK0jDDfkjjOu087o/ekmJRzDDAgDDcnqbkxIVIVzkcvz91qv/8Py7APDzr51f5HIAgNZoRRhTShFCqbewBkvWgjXjHgPJ5rqE"
    "6ork/prPKBGhuuJUDszCeKJi/wn9NHCeB+F9o5zQ0+YVHKrtq2/xnnCBqaWORXPyx3E/necBwkxettLZN9pwZ2epngEAyNKaTbwOAOyaEQ0sY3/O"
    "ZI+zFZm8bACgclQ+8OAQB4gxCkckRWGMBna8oMHJr7qPLTnvc6k7DKnM9xuKd4SN6XHQgzvLK3OTGQc9gfwzXzEQiK/QL5ouVKQWy2OzVSB93voT"
    "uP/O80a5+VxWsdisZc05WPOZDrvXGs2VbqOWnYQAGS21LKedLwECzCEAYA1Y42KT/QoAZF98NtYIXy4AIIzKZln6WqOZQUAgGNy7d19hQeHUqVO0"
    "Gs1xT8GjkEgm6+uPtXe0z5s3NxMAGBaVzbIMDTs61tB47FiDULYsIsNAY00yHk/GwvFIuGL2IoPFBgBUSkaPbcUYU0ojDduzln0V81qDxZY/ZXrD"
    "gR1ag0mjNWgNBo3OoCld3Hr0o/qGhpnTpwOA1x90OmyAcfzsVcGX37FceC4+fi/YCfkJEggG310Xv/KClPvo9QdJc9sXTAFN8GyASmL8yK7/HNm9"
    "jmU4lFGlQ4mqqHJqthQi6iRpF8HuKjj3Bn/dLqpIRFHCA106i8PX0WRxF2pN1vJc16M//DoAsAwGgEQ4EOxttxeUxYNeU1YeMKxj7kpz+WxGO37k"
    "ixjGeP6Znx0AjOefOdkEwOd1GarBchr4N42QFc/ceOXsR1/c19Tmn+CtZUW2G6+YPQ77bz0NDNUAwGTbscVIgpGRhjsHNTRRUcrWWX44+0IAYPGI"
    "FUb9HPE8M6aWCVuMTLYdANSOj8nAiFIovY4JhGRFpRZTZsk/wu75wuoHsW3qSQArwhNPLlIoPN/rOBTRDR0IszdsmOSBMOm893jyz9y1486kYydu"
    "uB+U/0gfsNp60V2AMOBTVzBO0FizXKflT7aXPikv3XvDg6xOKbjYkLNWzxpw0VeMDQ8GgRWcF541mScA8MUdCYABICtPl1dubD86zDXl5uR4Cgaa"
    "W5rbOzpyc9z5+XlWq5VlucHebKooSiAQ6Ozs6u7pVRS5pKQkN2eEfuaVG7PyhhUgHo8rqkoIpn6voNNbs7KFghJPV1vY77U6cwBQpGXvtDxL2Fyu"
    "KIrb5Wpv3mOqXA5Ao0G/LTvPlV8iJmNiIh72e0UFUVny+9OpEZ8/mGW1IAZLs6eHPT7y4muG0xYKUyqQwMPJDDOioiQea4hu3xU95wxp9vTUx/QF"
    "gmdvfOOLBQADh7INTF9UHSfOHNrVlCrK8akVbw1kzxn7ad1GRsuhMX/P7FywRupskLubLO4iRUywGi0eapVKkRUmPQBglmU1WowZi7sIALjcMj6/"
    "4gQB76ql7CPPK32eUxeHy6lbtXTEfuO4L+5QMC51dg/CkHctxI6NOpTKbNLcet3CdZsat+3tCMekEdPmKZj0/NIFBWuXl2vHlgMKOZB7bcr9RCzD"
    "TytL7jgMGWVUSKvhKiukQ7VAKXscYzT8c4S4qgo0qs6aYfhpZYhlgChKzVOjH4SOjcaUSFSRZWIxczyHgdVyM7/FLfjxxPX+Y69VOXM/6t5zwpfV"
    "RHVr9led1JGQqcUnkP/QVVnieGnnbkyRjbUAgF8Jbk7u/krp8WvnM+Rv1XEZtZsIGO4zKQwvWLPzy+zCdOdk19EU5Jlmz/Z/uqPhX0EAyD3H4D5D"
    "z9uYiGe2tih/Eg7RSohs/KLMj3Flim2evizL15eMBqQh2zNzxnQAaGlpaWvvaGvv4DjOYDCwDAMAiqpGo9HUrkQISkpKZs6YngnSBis/fVlWJmo7"
    "HHaNILAczZs+b5j80+rqdn+aXVAi8Hxg1+s/uf16j2dAVuTS4uLb//CQoWyhJCu+vs7K+acLGp0R0iRHT8fWhEbjdqVJgpICd1NHV1lxPkIouXYl"
    "LciVXnhds22nUF0lVJQxVjMSNClScmTTSOp/RMWkGgiJDU1ibV3SbEx+53ppannK+je1dZbku1FSjHX3fkHi1+e6WS2H1pRpnj0UG2XA9Th2YcG2"
    "TyzaQGgisthq0a7I3/I2vjSm6kalENaUaY4XpXKuQsXbQ8U4K2iziqYOgUfH4+8DQMntVwCAoDMO/QoJOs5VeOJ412IyfeUC/32PnbJEzF+9iBl5"
    "SL1Wq1VV9Ys4FwljPFTaDJwdir4HzXePOpZWq2EvOafq9MVF9U0DjS2+YFgEAItJqCixTynLclh045TpsQYo+t7QgbQAwLgc/PQy6Uhj5sRBtriA"
    "xOJKU8sJ6vwQsGXFbPHIeQ8M5qeXMS4HAJBQi9q5ZYxnDVYLP+CVkiLxeKWsKQvMq3/P5C07hczn3xd9b5KHwgcV5rvHigEme1BxkdH990Xfm1j+"
    "qXi3eorzkivIwbojjRIBAIHHl1SVVE9xju/ijZR/nlV7Up3AE/D+WqPZZM/mOPaSqRp20oJEDJPztYv9n+4ACh1vRt1n6jGH7HM09rJLYDJTw/L+"
    "Cs0Xg/QFEBF8EeT9Na3nBnb+Gte2t7ulpDroYDCzZ820Wa21dXXxeEKW5UAgMMbP0FZXVRUWFmRaf17DzF/j0o6kHwsKCqZNq95zcLvo7RAcaWUW"
    "NLqsnKKupjqbMjAzz7jstCWpWUAIowWlzrqD60LafFt2rqAZtmyivztUv2VaWXl5WfpwvTlV5U3t3U2tnWUFeYjBYlWF9OsfJg7WajduYZ97GQs8"
    "Y7UwWXbWbMSGdG8wVVUSjSihiDrgU4NBkpSU8uLENZcrs6opzwMAVUlTR5ckSXOqypXO7v0/+128q+dzF78uL2fRk/9AlFKFwDvH4usakqJKU8yP"
    "jfXfaHt6urYmGE58uqt95/6uUDipEjJUBcFgbDZpFs3JW76w0GLSHkzMeNp/jV+xpbJLAoPOrdCeN0U7gZqq8YjUWksigZQJI7LS9962nhc2AkDO"
    "V89wnXcaTs8mRNho5YurGd2kPEcSjvbccLvUdCr6ypcV5Tz1d2wczc8SQiRJop/rqUUIIZ7nR/evh/ZB699AjY5riAEhohIAwKlBvuPeDmOA4h+C"
    "ee5Y8lHtGRAPHaPxZOYPlfYO+Wjj8Q7SQVoNN7WCLcrP5OuRTiPMnMLkZKV+KO//h7TlF+O+PRJVI6rFvvwHlkU3Y8F4yrLqjfteaN7QHfN8jvLP"
    "1Tu/WnqmW2cfT/6R27r+HlCtADBPt+97WfenxmLAqBAMKAB5YOC2vfG5AGBlAvfn3Q6McZT8//lJ+2sHPKoiU0JPrageYazRGXRmG6/VI4CzSoUb"
    "ZurwySRQlFB471lfS3R0Yx4tfSGHERAILqi8F5jJpSLkXgi8DFIXwOc1LoICnwfWK4EbcVpOX2ts17reIQxI21xR7Ozq6u3pCwSDiqJAalyExeLO"
    "ceXn5Qkjj1DnNczCs92u4nFY4v0HDt707VtZd1XBFXfiwRnXsiTWfvSKpfWDpx68t6pymJlsbGq+/tu3DeStqlr9leFZQIrY8drvpI6DDz/w90UL"
    "FwxnLEKR19dvkWWlorTQYkoXNyJCcCjM1jfh5la2px95vFgUIdW9bDYRQaBOh5KTTUqLlallxGyiOH1icDAcaWhu5zj20jXLrGYjACQ93u53P0z2"
    "fZ76r3E5c88/S+N0oJRdowB9EfWoV5Zk2Rx4fQb+UI+HC89lWe3oCff0R0RJAQCBZ3OyjQU5Ji6jSThG9IfJWSHrpTzHVTo4l3ESJ55SokSCIMYB"
    "oabfPdj72ocmrQYAwomk+7Kzyu64BSgFQccaLSflOca37u7/wW9PthwIaQTX3+/ULpn35ebEIFoHbfeDeEpBn+CGotvAUHVceYuS3NyptPfSRHLY"
    "T5YkpbtX9QzQUISqaspnRGYj48xic93A80NePdJq2EI3V5KPNMMEdPKti9X2j8aRp2BhplzOzvshY8yF//lLISAqVCI04quJdLzxoOfGqKoHgGyu"
    "f472IDmO4cNA9ydm9cvZAGBgYt91/ltfcIXRXs1jJLAo5f3Ue+XffBpRVFURk7KYlKWkIolEUShQSuk4QI4BAUYIMMvxgpbT6ASdnmHThM+sbO77"
    "C/U67qQNcfM9D3Q8+JRgZxb924U5BK5LIfe6/8EH4e1O7PmwLxqUxjgwNDMKxxiPTcwYLPz8s1yO3PFLfimlL7z0yl/+fr9QNDfnrFs4s5NSInk7"
    "Ol797feuv/yGa68e9foXX3n1z488l3fJrzTOYoQZOeTp++jReOP22797y7VXf3WU6xaOxtdt3tXVO+C0W3Pc2SaDDmNmGO8JSXsMqU2HUdqfGF4E"
    "EaKGo/Ge3n6PL5Dnzjr79IUmg+6/IHA0jmMr+6DraQjuACJOms4QwLIY8q7LZB5O6ur8/m/CH3yq4TkASEqyae3y/Pt+e8qfKvDIc4GHnzmpJIz1"
    "29dab776f2ITfMHyp4pKfEHV4yf+EE2KVJSpqmayQ0M8D2IYJHBII2CbmXHasN2CxszIiz85jYZHDDRHejc75TJ22g3YWv6/b/oP9UkHeuWusOJL"
    "kFCSKuTU47xUkySLkVmD7FqcZ2Jnu7lqJ//A7tjObmmkMSJEVQkhlKhD8w5S/jVOXSw7ah4tRrCsgL9+pk7PnYobHqtv2nfudYWXcoVXmgBrYOpf"
    "QFv4v/lEElHlyJaBrsbI5E8KY1iUV26cvixLa5ioqoVS+snmLf946JHmzh7BXUEVhfjbv3bZRd+79dvs2MFthPzjoX89+9LryF6EOF7sbSh02W/5"
    "1jfPPGPVuIPnVFWtbWzbfaQ+EIrqtBqn3WqzmnUaDcexGONxUwCEEFlW4smkPxDy+ALxRNJqNiyYPrW6vIj5b9WhoPGZDUogWgOe9ycsj0spJg+m"
    "ueA8FwzTPktvS/CxF/0PPDH0re0H37Bcf+odEFRRAv98KvTs61RRTiwCljVfc6n11uvRlzq280uRP5UVkGSqqOPMKGcZxDLAc+OeEzK8XZ+dR/zH"
    "AABxBuyay1ZcxhSvRXoX/B+57tsROeqVE/LnP/FAy6FKB/f9xcZAgjywJ1Y7oJzyUsUW5qIpmvk5PItPeUeoA8/80lFZi3kE5gVQ+ovP2In2xao/"
    "hYGueNPB4Kjy0HFNv6vYUDbLkpWnm2RdcTwer6mta2xqZjl2enX11ONPEiWENDQ2HjpSo8hKeVlp5dQpRuMJmExRklu7eo82tbf3eERJ4nmO5zie"
    "YzWCgDMyLkQlSVGUZEWSZUmSBZ4vzHFWlhUW57kFnvtvihpNRG1TAlI/hPZC5AjEW0D2pmu9EQbOAboSME4H8zzgsz+7MpFI1Pv7f8Q++BQA9Gct"
    "d/zqe9ig/0w6pKqxDVsCDz0tt3cBRnxxof6s5doFswAgsftg7MNPpdZ2IJQrzLN+5zr9mcv+26Wfk4SB/5b8T/3BeWtIoBFxBuyoRroswBz8n7pU"
    "AlGJ9EXVnojqjRN/gkQlGpVIRKQKoVGJShMWOfMMMvCIxcgoIB2HTAK2abFDh3OMjMvAGPj0rk8qdEuHtLVTag2qyck5tgjAZcDldnZhDj/dyWrY"
    "z8y/i73Q9FsAgLLfjDqq/n8UBgiNheXe1thAZzzoEeMRefA0UtAZOYtTyMrXuYv1ehOHMPrfunNK40mxb8Df2evx+IOhcDQST8jSsAfA8axRpzWb"
    "DE6bJd/tdGXZdBoBfRkTudHnm9v8P3cpqhKIB4OxgEwUDSvkWnMETgP///X/X/9fuIhM1SSoEuKMwPD/vzz+P3hNjvRQEjTpoaKPEgUAEOaRJgtp"
    "HMAI/yc+ZMjv7+nsKJ06lc84QrJloOW1Pa9vb9zRH+qTVBkjtdCS+MWFf51TfO7/Hkz935b//3034f9F8icyCTWpnl3EX0ti3UjxUZUCb+UqrmUL"
    "vxzN728a0Ft1Brv+c1wzFoiLMcmWZ/mfCgzGxHj/2wBAkz61d5Pa9xGNHqUkiJCSGqeIKFDKISYLmWewrjOxaxni9P+zCt/X1XXX977d1911++/+"
    "sGzNWgBQiPL01mce+/TxhJRIPYcsQ7LYFnEaLeWuBf9D+vL/CvlP5pKV5ECoDYA6zEU8q/1flb9MERohf9MM1n2K8n+uJWxk8YUFhqBEWAyGQXZf"
    "pRQBaghLNUHxskLj5/dhCIm0q90b1d7NJNqZ4hIxJ3P6iBQx0bgo1fyDyZqLdF9C8mbDPz71dQSuvv8ye4H1c1kw2Bd+7rbXrLmWr917yf+CHgFV"
    "gYQBG4enCZIkqEHgc1P13f9zAECTPvnYk2rXa8CEkYCQBiGEIINpQ1QF2kujPVLNOqh1s8XXcqVXwP/M1s28Nr77Vl93FwDs2fzJ0jPPAgQPb/zX"
    "E1ueTHFfel4ps0dsOhEAVlTfbNRm/Y+Yni9K/koSEiFgBdCaT07zpDhIUcAsaC2fS8pBUcX+YDPP6voCDe/t+rM33A4AVmPumjnfnV9+MfpSU5TH"
    "kT+TKX9KemmsR6r5D9TmnIL+5+pYLYN3DCR/td8rMOhbU8zn5hlebYu80xkt0HPfqDAbuc9JApSq3v1K4/Oq7zCQES1pCBM5ZqQqm1IMKga+FAAA"
    "BP3NA4/d9Pylvz23bFHxZ7SH7Qe6XvvVu77OgD3f+qXv47T1Tx6F8AZwfAOoAjQO2ADxfRDeBDm/AcCD85X/ZwBA7dooHbwLGA/SM4hlgAFAAJl1"
    "txQopUARYhDigMp9StMf1Y53+Hl3Y2vlZ8BJMjhuGn+OWc2Lr72+rKr6H3f9esemjWcfPhQ2iE9ve4ZSihDNN8eLrFEGUwCoylt9etVN/1XtoOMP"
    "mfmi5E8pBNqh/yioEiAEzkrIKgcAICrIcZDioCQhdbISwsAKwGmB0wLDA0Lgb4O+2vS0Z50N8uYA/5lijqQUeWL9t5p6dzGYIYQQmq5B8oU7Xv70"
    "ZxyjmV167gnVBX22baMSwoxbz5eSPx4p/0z8pUApRRQBQYjDVO5TGk9O/xVKIzI5PVu33ZNIEhpVyF9rA7sGkh/3xQkFhUCOji3QTxSdJ2VFVBSz"
    "VnNiJKt7ROn6CKjK6SNKUosZFWFVSeoAQEny8aAU9YaISiz5WVqt47Nr70nIX1VTxY4Gmx4AQn3hZ7776oLLZi2/6TSjY1i7pIjkrw8G6oLxzoQU"
    "kBGDeDtvKNRZqyyWcjOnHZZSPJjY+uzu7c/tlhIyAOis2s+yN+sbGju6ulaevoznuM9g/RWgEngegsQxMJ8Nih/CH4HjWvA+DfFasH0VhBIAFhBz"
    "shhA6WedpkhVFaWme2bGifLRx+X6+5GRYA0DLAIMiEGABlEKodRQC0QRJQAEKKEIY2ARjR8VP72WX3Avk7NsgjDU39fb3XhMSiasLndBZTXHcSCH"
    "QPSDHAMipauhEQOYB1YHvIWwhoa9e+p374j4fQgjvdlaUFk1Zf5ig2Wy8K7TGxYuXxm69fuP/OmeD994tbbIq6iKnlcqHGGLVko5IFV5Z1697B8c"
    "M9F2UhQlkUgkEglJklRVTQUQCCGMMcuy/ODFsuwJa3glSQoGg7FYrLi4+L8kf6JAbw0EOtJBKKXQVw8MC/EAxLygJMfrmUCAGeD1oLNCsHt41n/c"
    "D63boGAhaM2nrHz7mt5u7NkBAMqY/gNC1b2Nb4wCAAq0K+rd0Xd0V9+xxmCXNxESFQkB6BjerjHl6u0lFne5JbfYnJNjsJsFA3N8B4JQ0h7sfbv+"
    "kx0dB1++8i8nI38EKCW9MfJnEE0cTX56rTCh/md+HoUAACzN1j640Lm+J/afrthHvfEpZv7cXP2aXF1/QqkJSufljY+y7b7Ai7sOLC0vXlpePAHn"
    "o/ZukWr+QRMDaZ4tbgCKKKMkg0wyklCSatiblBPYUlDCC7ysnYo0WRMYxK6urh07duzatauxsdHr9YqiiBDS6XR2uz03N7ekpKS8vLy4uDgnJ8ds"
    "Nk+wBQgh7e3tb7/99o4dO15++WUAcBSlz9hSJGX7C3sPf3B0+trKqpUVWlbT9HKrb1OA7WV1ik6j8gxlACCOEn4mUM83kXziOtdZfkVJPBE/+knj"
    "/rePhD3DQw8dBbZThrH/rP/o0JGagvw8POa3six3dHb1DXiK8gtyc9wT025AFUh2QOcWkJNg3gJKLcQPgHYm9OwHKQHmrZBTkO4zh4niAEqp1xuq"
    "r28/dqyjp3sgHI6pKiFEFQReqxOy7abTzMhakGPMy9FlOXiTAR1/Fj0lJNLV27z+4559B899+G8jAEBueE6uuxdbMNJgYBFmEWAAnPp3CHBQGn8I"
    "AKGgotSdIz0mKCbu+r6w5CEme+HYP9zT3Lj51Rc66mvVdG0+Kpw69cpvXcHQ5FhsAiKBEoWkJxJMfPzkv0PR4XlE9bu3b3/79fNu/m7x9Fkn5D1B"
    "SoKqAsarzjn3k3Xv79y7uRWJBZZY2vFHIMTR/H3OFbOWMe4+mGoYd4h/LBYLBoOyLAuCoNVqDQYDwzApvSGEqKoqy7Isy6FQKIUNCCGWZTmO4ziO"
    "ZdlUlTEhRFEUURQTiQQhRKPRJJOjP/go+SMGEQUoAKNF48g/AUQEpBnUHD2mx5O/KkHnPohmtJLHCHSKQA4DM6GVIgokQ5AMQYcMRgzWwVfLCWjf"
    "CUWLQHOKGFDTVTcRJTDSfH/Yuf++w29v6auNIRE4DMzw0aogU0gS8BJoUkFRsQJmRuPW2gqM2UUmV77J6dRZDJwOI5SQk31RX4Ov/UDv0Xp/WwKJ"
    "Mw0lE8gfsQgxiDKARug/Gva/BvUfYaAICMIwof6PiLsxuqTQkFCpgFFPQnm/Kz2Jqy+hvNAaOS9fX2TgigzjO547mttf23tYVtUC+3F9IKrE5JqH"
    "lI51QIfbOxSRBLpiob64KiFWq2UFjSErL7tqBm8yAQCYS4+32ocffnjfffdt2bIlFotN/Lkwxmaz2e12FxQUFBUV5efnO51Og8GAMU4kEn19fQ0N"
    "DQcOHKivr08kEjNnpo9dyq1yZx5bF/XHdj2//9jTzTlidlbcXijl6VU9TzhM8SCFTlVEpIQUicV8LYF1T23s5vvCOJLZa4UQ5FRORGeJovTk8y+E"
    "w+GKstLlS0+zZpz329DUHE/Ef/aD20b1B8Ri8R2792zavKWrvfGG66/funPn5RddiI9ramn6P6JCvwyiBAUe8G4CJQmaI+AFiCShRA9UBSAAzAQB"
    "wP79De++u7W1pddg0MXicpbDHA7Ler02kUgSSgOBsL83aN33EYhxmVCs1wlZNkOOS5/jMriztTYrq9cihJREMub1BZrbvLVHQw0tHALH2atGUECq"
    "Z4985C/IjJAGEQYOHk129MkXnWNmWACMBj1QGPSAIOUBAYb9h+KvvRc+b4VxQbUGkYS488eaM1/BI8nE2u2b1z3+L1nMNHlUJ/qxGp/44BSzVXfO"
    "qplv/2dnPKONJhoMvPuPv9zw67uNecXj2/22Otj8BhzdCQNdICaA5Vhr9pkKcy+JTHWFrFqRUUHnQ1P38dO28QZ/MvjK30LcA7o1p9vv+iE3xqvy"
    "er1WqzWlxyc0bSlIkCQphQqiKBJCUo4Gy7JGozErK0sQBEmSWlpaRljpDPkDixBBifcYz1Y1Elc1ZVBwI6stHNQRGdS3GLJfUBJkQBO3foXqixEA"
    "gA4DHSN/okL9DpD9kNlE1K9kHO45iQsD9ClgYoYBQ0pAzXaYdSacUvdcX5zzJzmbZvwpaV3emvf3/HXVzJu1vBEAfrrjyUNKN1gYAAEoAUrTpyqm"
    "cuIYAceAFgNlCaUBogZIf12kFwIqKBRUAipJDzTGFDACDoEDgczDyAL/TPl3eJSt++M2G3PumaaUD3Q8/acIXnoryCJYNleXZWLIcfR/3OuBo4Gv"
    "FBtXu3UcQv+sD/YllCIDd1ulVT+m3UslxBOJAoCW494+UCsqSrbJkHOcufNUCom77yC+g5whghiixPWqxAa74wMtYY3FkTt3ntGdy2m0Sl9/Yv+h"
    "2PvrkxazbsFcVuc8Hq3w05/+9NChQ5N5rISQQCAQCATq6uomrwyuCqfOqov546lvOcI5RUdewp2TcFklM0c4nA5+hyk4TClHWK2iNcsms2zUajVd"
    "ul4v71NROqDUWXWuCudEGMyy06urEIDVann2xVcuueC8vNz0QOlde/etXX1G5maXZWX7rt1vvfd+c0vL2baaH5U3/enpHq545WUXXnDi/IY2Nzn/"
    "fjU+oDPqUE0UJAWcDBT/FOJhyF6e6Vkf73rt1Y8R4njewDC8M8sUCETNZmM0mtDpNImkpNVq+voCq196lIuGYx3d0ea2cEtHpKs7dLSpPxKRZVlV"
    "VEoJQohlGa3FklNRMu/SC+ynL+6TpQwAUJPS3t8hrYI1TCBG7n/Gt68mecZSA2IBcek4AGVsAEoBpdx/RIsKBY0W3f2wZ+VCwy1XWnnJI+3/s2bp"
    "34YMTNw/sPHZx0daf8AIplcWoBOaVErdM6eXbtt/xDeiITYWT7RuXjfjq2MOzAz0w9N3wfZ3QRYBIUqhpZWRk9iijdr0jIaaz3+WpUjxxeIkqMyL"
    "Z/EywgLlTYrBFZNq3u9es8/58B90a1eMWlWr1eLJnfCV6uTnJsEbjujAUJPSvt9RRlGiDMchRoPUtzl2B5vDgqKn3fWJY7+Tpz/As2YECOT3GXrY"
    "pZlWqQZ85kOHW++PV/6BxT5Ma5hwTGZyPThT/iqh29up14cKDGiKDbQsJAjECFgZmHyexc5AQIWwmg4CvAlyaABpzWjmKTaRrKw8492D7xUZ43lG"
    "caz6h2L9Hx14KBTru2rFXxAgoBQ4PJglSpneFADQDDCgNka+0tnXltCs89uAR8AxQCkABpo6iCM1j4UApUCG3guj9J/yzPPvh1/9IGQy4KsusSAW"
    "gJlI/xFQUaGvrQ+/+F7oG5dbz1yghzH6f7zrh9XWVCB5Zo4uJKv31gZ+Um0rM43QnLgk7Wrp3N3a0RMMUQCTRhMVRQBYVFo47oEEVI6Ju+8gvkMA"
    "SEnoAJAqoZ5avxhnC5eutuQXpSJXxeuPbtqS6pNXPAOxbTtNF+UgqgD6Evr4tCZN2aLiQ/+pBQCOsC4xqyCWl5/IMclGhmIEGFGEUmZy8IlRBBQo"
    "QlSrCq5ktoYILGUQRR7BSxABgLJFxVrTRIwuw+DTBge6ubKcz778yk3XXq3T6VRVjUSjtoyDvXp6+1598609+/bNmFbV21qXLcRfC6648Jt37Np3"
    "eEKyFwFgQCyh/NvBRcEkvSQ7kFVwA8QGIPtsuqUT4gKqZIBnARhAE9UCRaKJeCzuctnC4VgoFLNa9X5/xGzWh0IxvV4TiyXzcqyhI0cdJXn2RXNd"
    "a1cxAk8JJcmkEo3JkaiaEIESzPOc2ciZTYxWI/oD3Zu21m/8pPKhQQpIaf+Axo9hOxuMkzvu8/hD6i9uy1q6WI9YBAwanaZOYTFGFANCYM9i7rg9"
    "+8OPI/96zqeq9AdftUHPf1Tf1xl7+kCM7l2fxCOjj7fVMmAwT2oYIW+1FhY4a/1do8a0BDpagJARAURXA/zhevB2waxFYMuC3Z8ofu+mWDicJEwM"
    "Uz8P2aY2j58hSQpQaefKZkYRRQgAMRQAwAX0WH//13/sfuNRzcLZ41vq41lzSRb7fKCqnMPKGCc1xSlzWaX9A7KnJbFb6/eqUVbOOZcx7mdTMmcZ"
    "lG/VNvTFfFtJ9nkMyEB285opUxHHkWhUwzLIj8KPY0OfAApoCdsapNYz/5NbOSh/jkNrVqBPt9L+EOloR4VGJBgAMDhOxnPXYtBh8KkUK9AZoa1h"
    "7LTDGcvhFPNjsLRi6bWn3fDklidNvGoWxp+RcKRtwwXJoEFjBUqAkrQdH4oAUqPBKAEKTla80d31nZzOfCGZJPietqK/dBSI6eGbGVCRxg8KlAIh"
    "mcecpPSfsbOvbAi/8F7wvNXG6660mcwYTqT/GMENX7Wde4bxoad8/3jWrxPwadUadaT+H9cJzXD9ivQch5FNGG3TRUXtDgSD8YRKKAAE4wkA0Av8"
    "wlEDuodyGEfuJ75Dg0wqSwntOuIDbJl6zhpON6yWydpeKitDH4qEIyQSZJQE8F9OI/eiK+ccWX8UZLBLtty4uyCRa5KNmGJMMQY0CAAoc+8MPlFg"
    "AVklCwAoSJWw7OcDmMELLp89+b9utVqWLJj//ocbLr/4wkQyyXPckGWvqz/28GNP3HzjNdlO+/y5cwfqt+brox+0SLufefH8c889ge+PMHi6SOMh"
    "WXOaQjDFlmjLKhISdW4To6YQgodQCMxZE9e86LS80aDt6fFZrAaMsd8fMZl0oWBUp9dEY0mNwLU1dNVuekNDFMxznNWidTm1+TnaPLfG5eStFkaj"
    "QRipSX/wSF20tT1wqDZQUxcPhunyRYMRACVK80tIhxGH3/swKKv0r79x5+dz/X41liTZ2ZzRiMf9gNG42t+nGLQ4y8KcfYYxx8k++oI/IhKTFqTG"
    "F7X2u9MI1t441oLqGcTrJmUoEUJZxQWm2u6gNGIZORalqoLwYAdjcAD+eAP4e+Grt0JJJSAAvYl744nLKrT7+qWOsBqVxSnRAQMrZWvZagdXZmFx"
    "plORUoXSRGxneOD23+ZtfAlpJ9USTFW176n3uu99IdncTYjKOcyWNQsLfnytvrp0sgBAifLJG3hflqWwUM90Bn3BjucSpQ6iGSwExAiZdWy8VUWI"
    "IXEAUUA8r/T3yR3tgEDLM7SZAQ0AAoZBLoPQsVG1rnnRuDotf8jPg/xcxDJIkmlIAgOFLAY0J1lDYGegXYaOICCE87LB5YKC/FPe8Bjhm1d8Y33N"
    "ek+i+XgAEEgwKkkfATUaAAYdfwuWv+nuvC2vPZuT+wL61pAmyxi/q6RloTF0c31Fj8iNBIAh60+BZJwbMKj//hh55YPwleebr/+KTabQ0iWrALm5"
    "nF4/vv77Q2pnh8RhKMzhfvE955//OfDUW8GF091YC1LDi9rFd09eIG4da+Lw2PnpVp326sVzE5Lc5gs09A809A20+wIMQuOmLpXuj5WuDQwvUoqI"
    "zAOApzmsyNqpZ69lNSOUWfVTEqdYn16EiBRkAnIUeNOXAgAFM/MqV1R0rut2ivachMsoG9LWPw0AGAMgiockT4FQBIQSQOlzFi2SJRdLcTYRZaNl"
    "K4sLZw8rp9fnb2lri0ajgJDJaMzOynJmOUbNkZ49a+auvfs7OrsYhrFZ08mV5ta2Bx5+JNJ95I1/Ne1qlwc2/GGtceCAz3bO177f2tFZNbXihKl+"
    "+p+nxSN1ZO1UasyiVCN3xkgwTpKDIxX3fUI+ekVZexN/+pkTLBOLJ5MJ0e229fcFBA2n12uCwajJpEtFAJFIIqfYPe+uv7OBQLS1PdrcFmvr9O7Y"
    "IwVCqihSlQAlKbikCDE6rS4/t/DyCx1nLvdq+TQA0FgPCdUiGwYMF601XXSeWaPDf3vY+8m2qCxTs4m58Xr72WtG96SsWx954ilfKKxyHFq51HDL"
    "dfYZVZr77nBjFUicqD2bQJWA4YFSJR4ZyzjrOWB1k513qs/NdQgwakYsZrlh959SeP730NsCF10HJZUAFBQV6g8CQhYBnVGgIRRkQglVOaxjjz85"
    "hGGp0S0Fao5F39lgvPL8E1t/Qlt/+XDXX54dmvYu9nr7n35v4M2NZX+93X3TJROUyg0BAI33qLsbhMJq1uVWwyFTLFpo0zIjb5JnsCoQCgAsUEUk"
    "8Zjcmz4jIs+izfwjOp6hPhTdv8m4Ukr392MMc2bDho8AAPEccAhcJ0/cmxnQqwhZ0gvOnjHZU++PU4rz3PbnewI9CPEOjWLNSAZ0RgRPnAeA8pzZ"
    "Rq0p/XAJBQQZLjzhgFyZ1XdnYVOpNr7xUPHlz6481OpUVJRljJ8zv/Gnl2/fNvfAt4+WfeCzAAyBxyD5Q4YiCRjWfyvWAFx/ueXsVaYDtYmHnvJ1"
    "98gUwGphrr/GdvZZppEljPT5lwKvvxWKxVSEwGHnvn2t/dYb7J9sjWIWkIZRewf1/8SioMF4wsAwN5aZBoKh/nDEqtcW2K18Br2g5blKt7PS7Qwn"
    "kr99d0M4KX5c33ThrJERhpKQ658ESgATULhEWB5oDskyX7riDGZMoKaZ7g5/cFA7BxCLSIgA62bMOpDCoM+Z+G4ZAD2AAYAHoABJgBhAEuBkB90h"
    "gMyaU4TR6V9d9J93P3Ims6yymRm2/hhTlIIBGCTLUwfRUpo+2h4QAYpYwHbJGkw6ArrQ6ltPx4PbJ5FMfrJ1azTQ37LlWa+kQ45qrVYrK8q06up5"
    "s2dNLS/XajUAwGB81hkrH3j4X4l4XCfwZ65crqjqw4894Qrv+Ou8AzxDHohV3VJxBFPk1Fr+/ckmg8mal3McWakK7WpCeWUw0EVrd8ghgRICAIpC"
    "+dSpfKmJXkSFT9+l0bC4cR2/9IwJdhPPsRzLd3d7nU5LKBRVFEWn04RCca1WiEYSGg3v6Q8o0bilosR+2nxGq0UYqUlRDkfkQFAKhdVEklLK8Dxn"
    "MWmys3irhUhyz869Ta+9Pe3P01kAUP21gCXEcIDAaGQwhx5/OfDhpgiDkSDgYEh94MGB/FxuWvWwE3GkNvHAgwOKQjUaLEnkg40RixHfeKWNYYFS"
    "ijigUq8aaWcs5ZBiYceYQRPPMPoTAICaTAIAo9EIdnuWnm+KjBiPzAvccP6kuxG2vAl5xTBjUTrz/t7zcPRAZspBYCbl8+odcqBVE335nSEAmIAC"
    "Cm7c3fW351PWnw6SzQBEDceO3XIPMDjnxotP+BdVfy3IItIyQCmJxwDAILBj0oBUX4aAAtIBypETe3fD4Hj0URBDKFAATIblDwBgNoHDAT29gABy"
    "OTiFyWIIII+DFgkUCjYrOBwn93aqQs92aFsPAJHCc/55cPOru18llABFh706t17O1kkcpmGJaQtr9BrLnMLZt66+JX1mbzrfOhwBTNVE7yutX2Pz"
    "IoANB4ov+d2V0WRKYqTLq3/0/VlvbS1/5sfvvjW77p8drt+15IUUZpj3J5n5AxjWf5bT8eiC1aZOj/y7ez0JEdGC2RKr93bsu/9Br8PBzp+rG5LE"
    "B+sjzz4fIDqzYf7pYiw80LD9zw95/nFXzgVrTESilKWZ+g8AMVFq8ni90ZgoKwLHalg2NX9YUpTdbZ1d/hDHMFlG/SZ/kFCKAJwmw8qpZQuKC/iR"
    "87d1PG8UBFFWdja3n1FZbhCGAUYd2IN8dcDyalIb8ye7aoLOqTMsnE7eulsSRdaZpV84Dw3GAUKZ3fGd1eF3atWYyBfarV+bBQhADB3v6WUBLAdY"
    "DlAJkA0gAKDUgTgASYAAQB9AO0AzQDNAF4AHIAYwNsUvALgA5gGsAcgb+auOT7vMkskuWTnCIsAYEAbEUIQpRoAxxQgAUQQAFFEKlKCMqh8EFIBX"
    "ebtktcRN/UcHXOXpDDDLMPF4fKBh+2Xu2k/63WjqxXNmzti1Z++rr7/x4YaNhQV5ixcuXLZ4UbYzq72tdfPHG/VmSzTgX7RwYa/XF2nb9ZvpBw2s"
    "smUguzFifL6lTCT44/4cReednZM/KoYY1vRPX5def4Keeb3gNqoJmchcirGCSBuoClCAaBcQBQiFZEIRqdrTQWMR1NdKNr5Bz7+JyS0YU3iqSDJ1"
    "uaw93T6zRa8oajSW0OmEaCSh0wrRWELDwL5v/1jHINaoF1xOXX6uvihfl5+jyc7iTEbOZASEVFEUvX7vngP+g0cGdu8PdnQp82cORgChRsQhhBHC"
    "gBGllO7eHzcbmZ/92Dl1iuatd0LPPO/fsy8+fZpmaBrfnr0JRaHXfNV68YWW+mPJP/6lf/eBxA1XEIyApLqWWKKGWhhLOSDEcyxGow/qs2gZTnfc"
    "ZiKiKL0ffxxqaAAAY3Gxe/lym9XAekQlg7fV6XRo6NzaLW+BmIBZp6WBdOPbsH/rqTmnnF7FLBUPHSWRGDbqJwaA3sffooqSafohffonpTJt/Mnf"
    "rKsWaItyTxABBBtRviofaUcaLU2OfziXxJOcWTil6+zpRGo43iElEEkqXBbV5Q/KP104FYWBAeARuFgwnarnrkFQykOfAvEIJBOgmXSjjRyDTd+H"
    "trdBp4eQ955NL34gph3qEmfJxXMuemHni/s9vShdhoJ+dcEvz6xenSmpQaEShpLrnN1/LT1mZWUAoMB3cD+8+TvZPn+yvSl2+LDHF4gDgCeoueqe"
    "8z/+y4s/KOk5yx78YX3BR14TIXQYpskwAAzpf6qgNhKjOptJOutP2vkXHYuiBYHnTG/8PJmkI1OIaN5cbfKSX/rcN3mSamD/hulbfkDRIPfLIMQM"
    "y7/N6398655ALD6RhFS1fbDMgQL0h6Mv7T74ybHmNdVT5hTkDuV7o6KYSgJHkmJj/8DsgmHVwl1bNT2HKMPFs2f01Yfz5i6xGG2RjzalPqbU1qFG"
    "oqazVg8N99bOcmlnu4c8agAAaXwAuAlgGYA942x4OtKmmwGKABYNBvkyQAzAP/hfHIAAaABsANkAWQA8QBKgZ4R7QLs295olk07VoRTpTzFDGUQR"
    "ApwKCNBQGRZNEYIkjUKAUl2BGCGjYjBL5paP22dekA6POI7TaLRTl13xynpyXc67P37vtbq6eg1Lf1y+L0GYrZ2uF1sa12/8+PTTlhi0GkGrQxgb"
    "bPaPt27zeQd+VHjQyMp7fPb1PTn3zt2tY1RANMjmnXvrz4/UHRs/uBfjdPObUgKr77/O3XqdVD6fCcVQGqfTe5amqwhQjLXJsswUuMBzAJ56UPWH"
    "JWTR3/yDsYaCEtrXF3Dl2Pr7/Fotz3FMPJYUBDaeSAoCl1TVmX+/ixkYiDa3R1vbQjVHPZ9uV2IxqqrpBAqlhBJCCGKwkOWwz59d+fPvh1yONACQ"
    "hAcYFEfa3dLCHckFNi708x88xAqosJCnAFdfZZ0xXVNUyA9T1hQuvtA8e5Z21gwtQrBgru7eP+YSmT4cu9kvmxfj3QvQLp5N0Fj6EWuNxlEAoGOR"
    "xaRntVo4TkPmwO7d/pqalD8bPHaMUmrNy7G0+L1iehUGgcFsGa77PPQpYAz5xQAAzXWwff0psxMIA8NSJRRW+wdSAHBcp1ZWIgfqB4/5GRUEUApU"
    "8gW7Hnm1/A/fnxgASMKDZijq0UBi765xD7FRVSrMp5wtrXDMfII/oqR9PBaYUE9CzLuGwXpmSP4AALEeKGWAZUdU/qDJnVGY+TIBQSEHBED0gyZ3"
    "stb/wxthYAuYrKDIoCrzmPCHYKIAC0sX/vHy31v11qUVp/3mzTuP9tRjhNfOOGvF1OWjJJWKAAxI/ntZ/Q2ubibdzgZNvaa/PBgLxRrMZm5Wdfav"
    "bj+txevZsalv76HeQJS/8+klb9z5VrU+/v7sY6/3We9ucteEtekEcsZRXCn9H+QToLpS+M7vl94VuRQhCkBcRfY//DUnM01HAdauMZ69xvCHPq2X"
    "Eg5BcuqZly27uEjzAZVoiqtA7LD8fd72pJikJ9/v3xeKPLt976b6pmXlxYUOazQprq9tSMppuqXZ48sEAKQqABSpktLWxOoqHVMqY5u3Z6qTOuBX"
    "BkJcjh0AlH6P2NwKAEJJMesaLJc8TgSwEMA4nvWnI+ju4X8ZACOAEaAg47eZLyAZP0kTNcFkojWRo7qG3H8VKS/Z/5Ql564IX2ZWbCkuCFFEASii"
    "gAhQTJB6WLd5p/GD1aGv5skVBJBAOIOia6vtVCSV5dPe4RnLl73/4fr6PvGu9plTzeGl+M2NPe6SKZFSQ/j83M7mSP3rXcXvvt1rdrh1JlOgv4+o"
    "aldnV5nQPcvqf7s7/8OeXLc28V53AaHQFDFt9nA7f/eHH9122/ibuu0IBAco4akYJ+Go7muXAKA5ISWsBCycJA0VVZdYQSG6ZdcRScQ6LezfA5Gg"
    "JLFqWzMQFTAz0iIhnmd0Ok1X10CWwxwKxRgGsyyTSEg8zyYSoizJGld21qLZnMmIGIbIihwKS75A0uuTAkElFqeEMFoNb7fqcly6HBfmhYG6ozVv"
    "vzdr3lw2RbWshzX/jH2vi+QCwN+yflHs4BGH6CDDMHP6aF/PamGsFu3Q0y0o4EEipeGWh0O/fxkuz8Pdt8Bfz5LSZ9sanLk6BoUzEMClRfpsJ+K4"
    "fz/3/vpP9956w4XLF8/MTKsG6uokQh493NcXk26ZlYOam92nn15oqPOK6cYWA4dM7sE8TzIOfa3AMKDRAaWw+T/wWc5wR4AwUEkh0djEhUBUVdVE"
    "go4x/RkuK3g3bC2753tjq10ppcNrqknQUeaqpPqyBjzjDDiIYSXrsgyd4IC7ShH/xo2KsRWVdiYTOdcj83Sk+ICIkWEDGu0FHmVu10376lt7fFeu"
    "nm/QTsRT17X1rt9Ve/7SmaW5GW2iGCDSD+ZJAIAqwoabYWAraI00niC+IMNIFwu+EGUORVy/mX+VVW8FgOKs4ie+/nhXoJtjOLfFhUcVRVACQC1Y"
    "ebXywGqrL9P2hKJcQ2uQAni9qLkp8MrrdcWF5ksuK5uz2PbK8w2bDub1B3QuS5xB9AqX/4Ks4Nv95kfb7Vt9epnQYZdETaaHPQy2eslYh4AqFBBA"
    "lOgRQnT8JF9GFRjl0mA5KKJB+dPZ2XzB4uyNbZEDffGoRE6qg58CdPqDL+w6gBEiI5UwEE+MTKSeAbt+B0ThaDx/WhnCWO4aoR9EpiSiAIDU0hrb"
    "vouqBACkljb96afxBXlpqKZkbEXKKPM9AQzAmFfSkf9mfpH5xpgnjuJIowopkgcoEKTUanc0Ww6/a330awM/WxW+DNNUQXpq46BWzZEnsu48pN+i"
    "Jbp5sTPzpAqEEKaMhmjkAVmMiSyfpuzsNps727V06XKjll3T9QMDp+z2Zf2pbvoNJY1zbP4yU/gnVYeawq3/aq5msUsWJQDa191lcPF3HZl5hqv3"
    "H/N2Man2AgT7/Y5N/S6LxVJRNl6JB5FIsl9S9SohSK9BFiNs+lD1eKsuuBSZBCCUZPMqJzF6Bpxp44k7W4lCAXNygpFFxOr4dF9YZvQvytGYxHOc"
    "y2Xt6PBYzPpwOK7R8MmkpCiqoihaTHd85RsGLc87bPr8XH1Jgb6oUJeXIzhs2jw3q9EARmpSkkKhUGNLy6tv92/Z0V9Tl6gsS0cAL7CX/4uriigY"
    "ATXhyAJhL1B6CrMpFgj7TDgcIcZukvNH3V8DrPeGlLEurXLp3g6H0rabw1BsYCxVVZIkv7Fua2+/750NO5YvmTXMyYqiGo93hqVdvREKUOONu3Uc"
    "b7MVFbq64j39CQoAJUbGWDqYBIuFIRkHRYGAFzAD3W2fqSIhVWGYoaHHo4AQz3HZ1mRn3yDtQwaVe6j8EMR+LxVlpBUmLANFQAFlUfYmiXysJQcp"
    "JIezJoRQ5iyizRvxOHA55S5Q5deHFSUqquE8seArILgQSACEIDyYSFBEEEeU4da29PzwgVdlRY0lxO9deUZa8mj0nk6I0g/uf7XL4992uPnFu74x"
    "ovA8GTrxOBJKYOsvoP1dsLogFlL6xGh/iT6rg9eHbuT8wbhTFxu+K5ZhixyFx8uTAiZxBe5pLw7KzHl2rwanakAh2xIz61VAunAkCZRwDO7oDP79"
    "3t3Tqu23/3TOay/UewI6lzmeerEGkyvdATNW9vqK5CG8HvrkGUczRomeGza4iEqK7I8rgRiRCABgHjMWHWfXy5QHSOdTYnRksDgsf5QAnVUTv7LK"
    "em6puc6XONCXaA6IcYXAyD1GCYn29egcTobnx80Vj6mkGil892Koug5qHtcJEng/BHcem5Ub297JFzMAQGUQjyHzeTqgkKhrpIMTOKiqJg4e5vNz"
    "ASGQY0AVQDxMwqZPHASMQo6x1n/UK8WohFXMUmaQ5UEaqrur67WNphefc959n/t7O4zv3d7zgF3JpgAKkt+0PfSC888JFJsTXfX1gd/Z1Bw1lYem"
    "wFIGZEhGknrrcIpx+dIl7Z2dBw4f+qR17kX5nd+dUheQ+Fv3LnIKyanmUL42lqVJrsjqPjigT/UkE1XpSZhnWfxFhmhz1KhSFJXZjrjhna58g8G4"
    "YtmyzEaBjGA3inNc/Pe/z0Wi2GxEfZ102yYiYtlWoDlzKWBkmBKADeuI70xwTgEA6OpArz4nxnn+GzcwN92ki8aYonyQAqAZ0cImCCzLcTzPz55V"
    "dsUVK5xOi9Go5TiGUhBFKRpJBAMRe/OsRGtbtKUt1t7l3XdQicaIogDCwDLAMICAKIoqyYSorF5nqZ466xc/SANAQ4Rsg5lLHLC+T6UAFWyjpq0p"
    "KtowO8BaGdaqxzoeMRgyi1JSA2kIpZJCoqLijylhjqqCwRmZwjbuleYggMVZ3LaE+7QIqTBifcm0yorS7gONMYUyCKZZmazSQlNpKaFgMeq7e72l"
    "hSPy6YhlEcuaBUZgcFIlZoEBhBhByD1j1fzQm32hJIugsHq6rnDKIEQm0lPM3n0OstwgS5/F/hMFERkhlkF67YnIImxdOT+8tzaDqAYYTi9SCoC0"
    "wthzdEevI9jSUbGOojMRnqEjNRSaJPDJoIJUSG0XMACjYxp2rUp6kboNy5gkimRhFSmqwqBSIlMAILLMDk02lWJp+Qw+vtZer6yoCKGWnvSgGPAn"
    "aFcIohJwDNi0KM8EAuuPJgaCYYRQnz8sKeoIAJATQFVAE1YTHXpY3fUoZhREekBKcBrgjf6EP4fTRaS4mVKWceRO1rmgRCLwScD8qX/aTH34zuK2"
    "8xw+BmiuPbJiWue7OwsMWi4cTfICixEKR5VDh/rb20Lf++6MIjc/ZGwIhX+1OX5S547LaPCc7kH5q+m/kyoMFgk3ZF2VoBj3ZzO55/KV1UiwAgAV"
    "A4qvLnFsXYRSyErvjDjRZBq8TPknOefz+1ur7cy0LM18t36BWx+R1Jag1OhPdkXkQFKNSapMqK+j7dCzj5WfdV7ugiWTkUrWKH4SYVj5AFjKoG0d"
    "9GyHw/82LL5Oapsa394AmACrt9+0hMsxAoDqISNczMFOdVBFkOMg8BNHJDCJaIAe/186BhuG9srolBPRhvmBhdXmwy3hXfDBw9k/u6PrKUD0oP7T"
    "x7N/M3+Ktb1f6ZNajao1czEEiIzx2XieX7HstKP1x4or5y7T7VEp3ud33FJRP9vq1zFKXGW747p7j1ZTzDIcr0iiwHMOm2V7wrK9rlJViaoSihDH"
    "sma76cKlSy+9cPz6QIoY0Lkx9ILJAAB0304AUBSs1jXC6qWQTKL334JQIPmfjbryUmBZtGUTyKoSl8mm7frrLkubDyUxShAzZ5asXLmwuCSHiFKy"
    "z5Po7ZaOBlKzmBitxmYxu7LsQvkKzmRCLENVVQ5HRa833utJ9ntEX0COxSiljCAIDpuhqMBYUqRxOsI9fTveegdOX8Z+1K86BeST0ocNTkeH2jqy"
    "bOe9mm3hlP49Uv8e0lFH5T4gIUBJBBQQogQBMgC2IE0+a5vJTVmgyZrt7e+Wt549vaB2jzSXAo2r4BTQhj61wogxx5d+9buq+veOtg6bhnGXFead"
    "dRbCmAH44y+/caS+deVpg+4/QgDACIKxuFhNHv3J/LyEQqY7dILVorHbMcdV3PwLd3MTozOYqhcgdrC4TWsAhgNFBm8fePs+Y0lyMswQFWGdhnHY"
    "TlgF5P76xV2PvqKEYmNNfyoOMM2uPN6ZukPLYmOB2pnuLkWCiLIxsguwVA9xGXlE43QJ68ZjtDDw1yhiOdKUUmMWUAVTmab/MKEkKTKmokEblhy1"
    "iaeX5Jr02mgiuWR6GSiEHuhVW/2UUiY14KjVz9R5YF5uttNYXZKzr75jYVWxVuBGe/dEAXx8AGj9ADb/NDaQixA1ZrcAooBAb+sh5gE5bor73WxB"
    "FVNQNWkASCeBKaUHI/pLD1eea/f9tbylXJf81VUfbzpwpaxgnsWyrCBEMaaUAM8w29//8NdL+lPGxi+zP65zP9NhVclQEhiG5a+mZ0tQAojSBNFy"
    "mCZVCgCsc7lu7hpJkqPxGFFVAED6Qm3WUt2MW/gjopJIGzSJ8GlygoyWv92gP3vuvJf2HHqvacCtx1MdmkITn2/iKh0aBiECIKokKpKeSuNDicuZ"
    "/LJJ1mSVZ48pxGJ1MP9nMO+nsOePsOPXqPZx+1XXqVfOIHGZtWqRwKQNpM6p9HoZO07x8VhjQhhLbR3JunqtfjE3ZfFxmS4WGAcwWcBYAGmAEiAx"
    "UMOgBoEEgSTTtVrjmv5R1h/pQTM1w0DreYKJikimFwWAjgp7PJ3RaFLhqOb84E0qJhRoRXJOVXxhS++BcExW2XYP15krlw8ToUghnCroR8fcZSUl"
    "56w98+DhI7d+tGhNTs9VRa16RkkFeN6kpi5kSSJdjsteXSStP8rMcCk/m74hSrSHw9lbA8VFVtQuOY2O/Ou/9pWigoLj1nYnPFSbBQYexbtBTsKA"
    "h1IkSwxSFQCA+loI+SlFSs+A0tLBlhTQ/n5JwqqKaE8/qKmeVjpqZDcAnH5aldDSdPhfj/v3Hkx6BogopaagEErT4M1gRqfj7FZdXo6hpNBQWmwo"
    "yte4nOYpZaxBhzgOASKKosRi8T5Pz8bN3Z9s7ti8PZjtgFtuZnsSlMUoJKdYC6jgW+qaW5689PS5i1asOueyabNvsztdDAJKJCAKEAUQAwgD5hDD"
    "q4QGfJ7ag7s+ue/2Qzs/vvdbagXTmCZnZZqtQT3p7QFCVm71rfeU9Xcijhe0EpJ8qZ8X5jkL89LxTu+A/+1127r7fQ6r6ZIzFphkeWpHBxDC22y5"
    "q1djjgOEBVeJkDN1tNx1JtAbQYx/Lj0p0V4eANg8FzaduFFZP6W49HffPXb7n0BVyaC2k0EKCFgm/5tXnrAPAFurqJz2pxEnI54ClQAxSKBomop4"
    "BeFBRmlo/6N0I6FwOgUCVIbh5iYCoFJKNIy1PINDH3EVue0v3/3NUCxRWeSmNR5o9f/lyMGgJP1+7gJvMnH77p0/mz5z2m7Kril74AdX1bX2zizL"
    "OzlC0FsDn9wKPKcxexIBN6UYIRUAKCAxYkuGnNheoL/md4id3DGEozqBgaqEvuOxbAvMuKe07etlnsd+sO4bf1sTl3gAigFMBg3HIlDjP7hkE0Yq"
    "UNjoNXz3SF59RBhdCZopf4UiFqWYvJiqQ4ONYrVHDtz8h5/4vP3JRHzoPA9Bo7PZHR1r77LOXJVq14uqurTwKYAyUv4A+RbTV+bP+rSlvS8Q+rgz"
    "HBcjGIiGxQYeaxic6vmISkRfNYdM7ohWl9lU5jxOJS5CMP+nAAA7fg1HHmMqv8a4yjLNufmC6QP3BpP1XYwVMXqz8ezZqj8Q27qDqqrSVjMOADDA"
    "zwfLWaCZB6wLkGYkOBCgIpA4KB6Qu0BqBakN5B5QBkANA5EGc74MIA5YOwjFYFgI7BzIPBpZl6UlWiKGRUgVdyKglBJEnFJhbWgXApQj55cnZ6V4"
    "Hh0xzo4tfy60EwEyEatZzaJAU8MhCCIilsCGNMZxSNdF8+d/smVbBFt43IUAwjLXHDVu7HNv9eXyxqy8bPhJ4fpCziNyFwXApsr15Vp/maNbED35"
    "bLzEljiYKH3jFfmqq2/KcR9n0JMSQ4EBMBZTSxUS/erc1eK2XchOhIVzACHo7aUUxCRDVEqicWBZac7p0qGjrBP4BbMA4/S0kjEAUPeHB5g9h3VZ"
    "dsvM6oLpF+uL8jmLGXMcAFUTSTEQSvb1xTq6I60d8c5u34HDcjRGFBWxDNbwWBAwzwMCVZLkeEKOxyihWnd2wblr8pcuAAC21IA/6lO74xQBaECs"
    "Yo+Gp9ml9f4dn/xn+6b3NBq9O7+osHRqTn6xxZaVSmZSSkI+b293e3vz0Z7O1kQ8hhDKsiB7cU4lPiqAKAHfHacMkBXZw6Em5gVtyrsR/TAIAMMk"
    "oCTf8vMHmtt6EEKU0obW7gfv+a6SSAAhjFabTqKyuvHPHBe04C4Ff/9nt/5SjIkNcAAgzJ6GBsecTTwKIu+WqwghjXfcD5H4oAMEBCggWnTLV+0r"
    "F50YACwViMum8gDiGFAp8AqwKmIR4hDiYO/++GtvBk1GZu5sXW4ux2Dk8coHDya6euSVyw1nn2kClVI1ZSRpqmJejSWxfQ4SBmnK8YSW77TmgxVU"
    "QtqDKiU7BwaisiSp5FgodMjv2zXgmW610b6opdi6ZFrJeFaGOa77H+2BD64GDQIJ87ogp42kcqiqLMR9eXLCwFXM11/9W2yd9NkjIxrBhsc5+CTm"
    "O3Ul//FY7pvbtvW+F+9+buGmg/n+CB+Ph2eWhH977ea18zq6Etyvj7le6LRKBI1sAhhuBBuWP59GUJHwHE4XP4WC/paGmlGpUTGZCAe8QZ9naCBn"
    "gmiBpDsW1PhI+acxwLiyrGhXR091Xq4nEgFK/dFYPCmGZFkSFUVVVUIQQgxChJLMijsYUxZg0mkvmz+Tm2AQDcIw/6fAG2Dzj6H2aSi/BJyzMyhH"
    "xvnzFUpvlMgqn2tCAhPfV0dVFQDUrmNjF7P+CLIrgOcysrcjeRzEAWMGxgRCGcCKwQ0gAUkCiQMVgRJALDB6wDpADACFZBLoQAYA2LSaAiHmiytI"
    "xZShaUeKXO37hZYYYkzwEv8tCFgVp8usLwh8U8SJHr51dehrRtWqIjUVIcpYDrNRU4WRE8ZRTr1O99XLLxsY8L7Qpr7eWahSLCOtwWicXSwv0+1u"
    "8qFivh+AatRgT1j3276Zd03f59Ymzsnt+nfTFB3Ts9R0pKYJ/nhv9Dc//4ndZhuHHlOToCQh1IBYHWgczNordWddBRRQshsYDVm4SgrKii/EOx3c"
    "1FIA4E9fxC9fNDjaRAEgQMjw3PXBS5vnrr72K9mL5jJajRQIJvsHpEBIjkQAY1ajMZQU2ObN4I1GRqshqiqHI4k+T7yrJ9bZHevpE31+ORanhGCN"
    "oHHYjaWFtmlVlinlSTG5/e33AIC9JI/5dEANyUQP8W/xjxTQDrXKOGdaYn9NAiEsiom2pqNtTUcHzRUd7j0aGk+MEABcdr5No+UK5fZb+Yf+JX4j"
    "KOuLMbosbzwd5U2AuRFAh4BQGosnB9dEiqICQKpONMPQ246bmp62BGq3f0brTyn4GrWUIADQn7Nq0mWjuPC2a+yrF7f85fGBDVulgQAw2FCWX/id"
    "rxXcdDnCJ+4EBlbL5K1Ru56lAgaMQAWEU448+IPq7//UH4kSAPj4k2hK6kPJ18NHEgVurrpCAyoFlYIKQICqVPEFNKddk1E1pB1b8kkB/OGoTacb"
    "GorJYIzQoLuWQlxCQ7GEQSuMc3AKrxtVrDZoGoPw3ldgoJZyWiTFAAAhSimSIvZ4wAWcUXv+DZqVVyNOOLkHg1IRABk11IFQeKffsjdQ9XBV2ws/"
    "XxdN8P1BLQKa74j2y8yv610Ptzl8EpMe/jPcD5xKAIyRvwanJvzEVS3CoztXjnelksASEUClQBBVqeINaJZeM/aVuSbDmoqi2n6/SaNRVFKa5aSU"
    "+hNxi0Ybl6WkrIiKLKlqfyDY3j/AYOyyWXQaQVZUVSWKqgICgeOMWu28gpwp2Y4T6iXM+i5os2Djt+DYK5AMQP4KqqiJvQek7l7Ec9oZ04TUQCEK"
    "agBRiSIeqQMdY8sQmazxsrfHy+oO/os4YFhgDGMwY7DCItOtwizOOc3lqfHGmQRHOJI6bwEho2q9KPBtAzHrVONQ2RYF4Kn2osAtMRy2qFkqIhRR"
    "iigBGmPjHs3AtOVTjyeVyikV37zx+vc/WO/z+7RarVaj1QQOfsf+7rZ+2wJ7EgC6EnpfMBoIBVcXhu4/VnVDSWO5MZKrja3vzd3jd2wPFl97+ZpN"
    "m7dedtEF42ipkgQiAmWAKCBHURQDYgBzQFUQbNhh1lx14WAGlQJRBwVBBgudSZpZHRWvX3cFF4odu+9R74498Y4uJRYnhAClacoBIcxzrNmscTn0"
    "hQWm8hJjSZG+IM8yrZI3GRmNBjAChIAQNSkmvL5gfUPjy280f7hxwKhbc8O1rJlD/54ndAR8/KdXZbHdQBiGhR99w/Hrez1N7WJmXKllOROnUaga"
    "lpIyIZmG7YIzjeetMhKVggpXxf69Iv4pnPNeoYEd/1Q7xII2G2JdQ9Z/45YDlMK9d377+Tc2frTlwEVrl1xz2erahnZZUmZNKx12Y4XjK/2CtfDa"
    "faAqnwUAQp1C3MsBAJuTrV2+aPySzeNchuqyGU/9QY3ERG8AsYwm24EmnKs1akG24mql9TUQJcQgqg5V19BQUI0N0mhDxONwflKFAY9CSyhNBwEU"
    "VFBDccrl88XnZACnHlhhVCYgGk9+7ZcPnTaz4pu55U6JWeFyK4TwGJcYjYV6w3xHVliRn/h469t7jzz4s+uri8dka/WOccBYScKHX4eebUThIx0F"
    "Wlsvrw+qkjbuy5GTRrZ0tv7SHzH5U08FmWmG+R7VzUuhJ8Fevr/kJ8V9vyzrK3WF2uL8L4+5nui0+SVmxLvSLWCDA0Ezye20/EXEMKDSGNHxeARH"
    "McGVgvgo0VECafnzI+WfqSc8Pz8vuy0Q7ghGEGCZkByTqS8SwQiZNJqEzETEpNtm9UeikXiixxcocTvdNmsm9V9qt8zKzZ6s6KZ8BQx5sO6r0PYh"
    "iP7wYbcaaQcEEIPY1h2MxcxYzACgm1sc3diADWEi91EpiTT6sSmYcUo4j4cHE4PEkPUfKd6pF5Y1PdPqTwYNqh4RlMKAXq795/nnc1TIl/6f9q48"
    "TK6qyp973/6qXlV1V2/Va1V3J52lm+6EEOmELCQxghGQwKCIIiMoEgRFZXHG5Rsmjn6fwqDiN58i4uA+joOoQxglhgQIIQIJdDpJd9L7Ur1U1/Jq"
    "e9u9d/6oTu90usMizHD+THeqX/3eueee5XfOWVpmVWskHwCSXHRA7OwT221k/kv/HwrtitwbtbETkaLxIn3l1rp5IFndeF5TQ73jOFnDuO87373a"
    "/RQw57H+qi8sO0YAPd5XefPK8H0j72Fu8XOlf/rKK42FooExu7Kip9EXe0GveeovTweDwblvXDsDxhjTKpGdBoQA5dqZDUAYMmFA02lfk7DmeIeU"
    "6X0s1oZrr57xwSe+9X04cFjxerz1y4q3bnAHKwV/HidLjFAnk7Fi8czgUKq3P9XdF3nxaP+Te4lhUMY4WeJdKqcqnCIDRk7WMPWkldAd05IL8oo3"
    "NJdsXjdOAxUw1Pj9Zuh9pPshLGCEUJ6G//mLRd/9ydjzL2eAQcjr/2BtY70/oPICZWzMyOzrb3+is9UkjiSij3zQd/WlXkwZc4Aajjk0Vrn9dtEz"
    "Lz9EKQFzDJxsTieK/L67dj8UrChWFZkQ4tVc33/k9ydP9+2++4YpUWLp3Pmf8WLCcqhbA8cPnbP1T4+I0dPjvDHtozux91z2cXOaS9VcCzZrkycA"
    "a1VczXWk+yEmCAghQIwhAEBlhfx5K+SjLdm5S9BFfNNymTmMOQAOgzP4u7c/iHh1qn8FWjHEeqZZIlW++aot9/98zz567Lbl511fu0TjBQAoV12/"
    "3LTlpB675dm/dGaSN16xeVlVYA5d95XPok8ROHAnnP4dAGDekryjxJKyVsDQC0DOU6/6lHTRVQtN+s+XAoLp1n/crFsMdp8qORxTK2XzPwZ9us1N"
    "/hSm9P1SOqMNeBr+XQ8xHgNiJhWnxjq5kEsWQJYQIDAMZjpnppFOcAeYDA6jBpkD/1n0zep8b4mmHhuK2ASytl2guiiwjGXxGAscRxkLlRQf6+6l"
    "lHYPjWqKqkgiAGiSWF9cEMr3Lm4XY9lF8Hf7YM9HIXyIj3oyHeVinYgwMIc40VjuAuB8cvGXL80cHrBHskDs+ThAbC6uz0JIPzA9gzTzDUDRioKS"
    "7UWjj0e8tifP8uaCURf15ZGiQaGjVRlrVQ5Or4JDwA65iJciShEliMaFRIerp+FDyz1FZzm8GGNRFPf8+amjr7bsySuM22XvyY/88HSdyjsFkhEs"
    "lKyezKGkdtNF1Z81ju8bDuxaeuKxvuAp3bP+0mtbOwaClZVzlwBiUTawT1j6PqYUIDMGGI9XTCfaTGYwrbEIxDgT19p06GU7rvMlxgwzx2vu+vv+"
    "qXTDhYLPSzJZKzfhx7QQQpI/z7dymaC5OVVBGBPTtGLx9EA43TeQ6ulPDw4Z0TE7lWGEYEVWCv1aKOhvrPc3rHA4fPCJJ2HqQhixYVd2+HmWbAUP"
    "D4B8LvzlzxS98Eqm9ZBypX+jhKRxlhyDgOq5rm7NqtLiZ8jzV+3wBEsF6jBGgFrE6BmQln9KDF56tviUA60WEm1ALQBoWB569Hv3PPTjP7TuO3mt"
    "q/7wb19etrXu4fu/4Pdpk8kfeV6vB3Nw+S1w4vDsgudCJBmWIieU3H/lA0Xem6+bYalzlQnjjNi2TSnNadLEPkhJkhayDxIACCGJRGJGEDADfwSM"
    "MeA4uOuWwt0PjBxvM2Z4DyVF/FfvKPKomNnACIP58S+ogcTA1OgSAVy5ec2aFdW/3//yY8c6ftLb7ka8m+cpQILYgltas37FvZvOry2ba6uGJzBr"
    "Fxijh78DLz08njxgCGOS1QsJUcXGzcplt3GF5z46dHwBAGVgUbAIWAQcOmnEcW5kPwIO/jTsBnCfCathmuM/bRQogywBaS78U60M4yxVhDMpIJ9X"
    "uPlKuf48raRMll08ABhpZ2jQON6S+rEP2xQ0HgDApCK1iNEzuCD9B1AFYW1FIGXZsaw5msomTUvkOOCRKoqm44wABPJ9A5EoobRvNLJlZV0o31vq"
    "cfPnNoDPWwM7/wf2f96FfoLl3tjRpdISghTETZnGiDhQ15ZgVQXIAPhmZuAYMAqGCYYBhgW2Pd4rgzHwGEQeRB4kAXgOODxvdogBMCAEEqmZJxVh"
    "tP6uC/7rr/8d7h0Sqeh2VEBUYq47ww8/UvDVY+pzBAgap+kyjuH67PobIvfKzJ27AJJCqsPdbTfYmz7RvCC2N6WnO7vuuO3W++//9n2NzzBAmmAF"
    "3anhrMIrRRdeuO7FI6/Gln+mZvTWn3Wpw1llzBB/2RMqiO2tKK+4cO2aufVUyDcjFqjHubqtmNrgOMxO0/QQlvPBHQDEASO5FBBL9jM7hQvqGa8i"
    "I4oYJXrECCcZQcKsLXu1n/64B7juX/9uYP/BSPvpVCxu25ZDKTCGOMzzvOR2uQr83vIyX23IV1ujhSr9qxtLt27kVRVNMUeMEEtP6p1dLT969NXf"
    "/WEMyLZrruanJGZUecODmb0f45L9oPHAEOJZc5O6bjWi6ZdI1Mt0lTk8AEOyhX3JC/KSa0U/yxHPCVDDNrsH+Yqd6rrdC2oi41XwLoNUJ9gpACjM"
    "99x9/VXRtpe5QB4djud/Yg0e34yBQC4Ad9XZVyCfvxWaNsGRfYu0LSjaKSd6xsccAUb5X/ksV+if8WuDg4OZTAZjLMuyJEmqqmKMGWO5fZC6rpum"
    "aVkWpZTjuNzmSEmSpl4JlFLLsrLZbDwe13VdkqTa2trpibGZ+ANjQFGeG3/j7uKnnk3tP5QeGnUohYI87oImZccWzadxzGaMwNnxlzQoXArDx2eV"
    "gvNvvea9u67eZlh2xjQpZQghVRZlUcAYzzmXAgQFSmZNum/7jfWnB8xE0Fva7lhKNhqwTY2vqtc+sEtYesH8484XFAHEDcXhluUFV1XWLfUHSzS/"
    "wsuU0ZSZHklG+2Lh7mh/b2wwnBzV7TTBFDgEEwtNx7v0KDgULAoGdRFxQ2jd57bfOBv/7N6PcXp3RlTweI4VysrkqxsDFPDEFA3RI3o0cdlS975o"
    "0cS0jawjZvsGhYqrFqr/4xkhwS0Ko6n0i13dA5HohrrqtdVVDqEVXhUxNqYnDcuOJVOlLqXS9/oGNYse2PYDKF2nPPslYevGxBM9nB/xZwoJ5qmO"
    "zEtHgRC5YYVSPWsmKIPBEchYCpaXyb5VUuFSVSnBnMIYJXbKzo7oqT4z2W3FeqkZ5pgu8UQRQRJA4oHngUPjSQ7LhqwB8RTohksq3FC78XMzntFX"
    "4d34zeanbz/IU748W6o6CkbgJ6VfGH6oS2x5Rd0fFrpyjn9jZlPIakCAKKIUkSSfbnN39AT7PvbNa+bfAzONtGkYe/c9XVrsFzD8pqfy5iVtHsF+"
    "MlwWp761a9a89EpL1L/xt+zWl6In/v7QRbLL5/WCP99/w3XXTt0fOc2k+YuJCla4V/G1MpeXxgZI5ATmHIIxV7aO+utxahA5GWbF6fBL46Th0nXA"
    "GDN1s6edMRA0xHlmlpfbH3z4uT17DUY9tdUFGy+sqAmqBQWCIlNKrXQ6HRlLDITjff3DnZ2ZQ4dsPSVQJoqC6tEUr0f2eAWXghCyskY6Go2Pjsbj"
    "CUsSKprf84FdN02LAAAAuwLqtl9kDnwGRV/kfCpiiFHGMENymi/LoIpJhWAMgDFqA1AAh9nxlDU4Jq3cpTbfi7gF1/d4BbzLwYyCMQpOGnsFpHBM"
    "4EBASOQACyBooBSDoC3oRHE83Lgb/uEy0KML/PumzkXaVCMxCYL2ocu1a6+YeXZEUVXVQCDwWvP/JgKF3DJIwzAymUwymYxEIrlYYWIlpKIofr+/"
    "urpaludQ0znw5xhQEDHs2KTt2KxZDgMGAo8QAkYZtdki8C+oAceAsa6ZyVfGEAJFEmYx/eey/pwIFWtAmF6cD78AT31aUlPMKUiPlVmpfFxc477k"
    "k2LjFuDfgAUjdf7gDY2XX7H84ipfAL/2XUIYTWT1wfhI11jfqZGezkjvQCwcScWzVpZRKgliQX7ekuLg2lBTc835FfmB2YmUmFDyeO1PT3W9EBWX"
    "L5UwSo23hzGLMcRybBw2eQTGQ7hcR24Pq/xS/s9Xh7ZcbkvF3OK+oEsUEEKm44gYl50hH0s8n8wax3v7CaVPt3UsKS54vTgiDlZ+Akqa+Z4n/DeV"
    "QrI/dzEzm2YOtzLHBADz5Ck5E0XTlw2LWp3qvyFQdoXkqprnLmeMECthpQcNvSuTOJVMdEZSA3YyQu0sYwxhiZcLlMIl/oa11YFm2VMx56Gu3Rwi"
    "D9Bn7j5kD9hl2YDH0TjKIUAh67xqq3EiAjhTymcOdqJivNXTNlYX/ci3dwbqihYIBsZ4ed3SA88dvP2OOz//ZT2ZyS7x6JWu9KOdNcdLt95SW+Pz"
    "epOp9GXXf/GV8LfC4aHCoqLSkpJrdn5w5fLXLGIhLSB4Oc6yrI5DDMkkkwVKEUaIZ5zVInJu5iqAVNgaPEUyjDmIxTqltAUYk9gIorqcD0h2IWXm"
    "i+Yc0nTPZ2u2b/GUl86/7d1I6MmhkVhv71hnd7S7Nz4YjkRjViLGKONEUQlVBLdtrFi9qmrt+b6y0pz+o9nlTUZMs/Vh68T3ONXkNAXxGCYWoqIp"
    "oRwFRihJpu3hKEghdf03xapLAKFz1E5qAzGTDx8yn26TNtdpN60HTgTELfpzDu+B+28By5j/t+wMF++RkmFpahyqbruo+N//FWvu2ZYdnfP3Ogd/"
    "983DnzGIdsPIifnyvPOI7IGyVaBMd3+MOPyimUa6zKTfTBagwiXytuvFVduRKL9RgMw5LnBxkAJDZ/MhKIMbDpsJC1bn5xpy4HSKvhilIdx9n3pX"
    "iO+exJ8CAPSR8nsyX9d89SKGA6Nk4tOXefCvmyVhMc+bMMzHWtqOnO5qrqn68NqmiX/vGIsf7OobjMYrvNq1axvfMCXs+iNEWuCVf4MV14PkZQ4d"
    "feCPfGEKECDZ5bvlayj43hmWHZ3DSZxZPVjEw4+cjuz9+jPOfqcyXZ5v5qlE5hk/PiYoF9AhsLGd4tLdrv7Tvs6yS0t33Ln1rKn/2RHAIz/9+aHD"
    "hxO6ntR1QRQd2xYF8Y7bb9u+9eL9zz5XGggsqalO6HpHZ5csyzWh4PwuIFCHHPxHluoHAEaAWuCYwGyUMzKYF5AoMNumtj1xI2OBcRJgcfxiRf56"
    "7oJ7ZmDFCEXc646hX0N50GvxW2hmxDz5U7vz12D1YZXHkogEDjAGSplDSNYk6QzLMpzXJNffKNbunKfqtZhrgNGUgd0y4Neh6/v/E35wNxjp6V8U"
    "gIFjYiPGJ4fEbFSYkYJ07dha9INvYI8Gbw95E/G30jB6CvQwkAXOzEAgqpBXBflB4GZ69KT/ZOrB6xiVuPIGaf1OoWHTG2j632L5Va/zo05HQCjo"
    "QsUyGjbYgVFCAUSw3y88eQ+6V0QOo5Q48AD3pT2wM6Qp1S7UkqDtyTO7yHn4dI1wY/Wi9y20j0Zf6O6v9GqbloameSqEWoSouaDvjRK9B9KD4CqB"
    "zt+DnYH23xiJusSfw4gnro0rXZddDsH3/83fBbFp+zMdR37RknohnZfw5VleF1FFKhCgBm8keH1YjsT9iZL1xes/ekFwVQU6J4tBCD3Z3v7Xl4+0"
    "tZ/KmiYCOH9V0zVXXiGK4jla2tEj5Oj3gJjTvA8K4506DICdIQdNlIcnjplSiFffgbSqtxJndBaCI7VJrM0e+isZa6HJPmYlACEk5mFPiC9q4kvW"
    "clrV683wvhly8jD88B7WeYI64JjYSnOmzpkJ3kpx1JnpC2KfJ++Om7y7Po4k8W33Rd48/B0T0hFIR8DQwc5xP6YMR+N44GUQVVB8oOaD7Jub9Q8A"
    "jNFoGEQJu/PejpqwSNl93P7zEGn2cwfHyJg5eTZ8PPkVudOX7QCEslL5h4X7S1xyrRu3JujJ5KQrsSPAfavpHLWIMIbfykgTAE7+DDIj0LsP+veB"
    "vwFK14G7BAoaoOqSt8nrYIzFB/W+VwcGTwwn+nVDNwGD5BHzKr3lK0srGkq1Qu0NgYwQYjsORuicTf/kM4+10uM/ZunFzKTBAg4046XXgJT3FiOM"
    "2MJaz995YmYzf3wy8ejj5rFTNJkBBHx5wLVjK1fkt1pOmkdbWcbgSovUbRu0D1/OV5TC/2ehBBidHBiXo69hvPgJ9u94STvwSJf9lxE6kGUGYRhA"
    "E1CTD3+yhm/wTl5v7Un6ww6nJUFjFpiU8QhKZLSlmLupmvcK7xzQBp4BYwxCl0H4eTjyXeh/GqQ8uPg7ELwE3pXXI06GDjzLBg6wVN/sxq4p1heB"
    "7MeFq1HFxUir+Jsct/+7F8CEf5rO0oQOAFxhPjpzvTPbAUqRKABC76rruzLz/DLQbabbIGLwiUh9jeDHIBC3mUFA48EjIAG/807HeEoil6rIRCAT"
    "hvzl8zXcvCuLgJewzCgku1myj2VHwU6BnQXMA68gxQ/ucuQJIXcZcNLf8Bn/F/Zdw1syVwR6AAAAAElFTkSuQmCC"
)
