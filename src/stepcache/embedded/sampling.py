"""Generation helpers shared by the demo and the benchmark: the embedded model, seeded batches, timing, grids."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from .. import api
from ..core.config import DeepCacheConfig, check_int, check_number

EMBEDDED_MODEL = Path(__file__).parent / "models" / "mnist-ddpm"


def load_embedded(path: str | Path = EMBEDDED_MODEL, scheduler: str = "ddim"):
    """The embedded class-conditional MNIST DDPM, loaded through diffusers' ``from_pretrained`` (offline)."""
    from diffusers import DDIMScheduler, DPMSolverMultistepScheduler

    from .pipeline import ClassConditionalPipeline

    pipe = ClassConditionalPipeline.from_pretrained(str(path), low_cpu_mem_usage=False)
    if scheduler == "dpm":
        pipe.scheduler = DPMSolverMultistepScheduler.from_config(pipe.scheduler.config)
    elif scheduler != "ddim":
        raise ValueError(f"scheduler must be 'ddim' or 'dpm', got {scheduler!r}")
    pipe.set_progress_bar_config(disable=True)
    return pipe


def generate(pipe, labels, seeds, steps: int, guidance: float, config: DeepCacheConfig | None = None):
    """Images (NHWC, [0, 1]) for ``labels`` with one generator per image: an image depends on its seed only.

    Returns ``(images, seconds, summary)``; ``summary`` is ``None`` without DeepCache.
    """
    gens = [torch.Generator().manual_seed(int(s)) for s in seeds]
    summary = None
    t0 = time.perf_counter()
    if config is None:
        images = pipe(list(labels), num_inference_steps=steps, guidance_scale=guidance, generator=gens,
                      output_type="np").images
        seconds = time.perf_counter() - t0
    else:
        with api.cached(pipe, config):
            images = pipe(list(labels), num_inference_steps=steps, guidance_scale=guidance, generator=gens,
                          output_type="np").images
            seconds = time.perf_counter() - t0
            summary = api.summary(pipe)
    return images, seconds, summary


def grid(rows: list[tuple[str, np.ndarray]], path: Path, scale: int = 2) -> None:
    """One PNG: a labelled row of images per setting."""
    label_w, pad = 150, 2
    n = max(len(imgs) for _, imgs in rows)
    h, w = rows[0][1].shape[1] * scale, rows[0][1].shape[2] * scale
    canvas = Image.new("L", (label_w + n * (w + pad), len(rows) * (h + pad)), 255)
    draw = ImageDraw.Draw(canvas)
    for r, (label, imgs) in enumerate(rows):
        y = r * (h + pad)
        draw.text((4, y + h // 2 - 6), label, fill=0)
        for c, img in enumerate(imgs):
            tile = Image.fromarray(np.round(np.clip(img[..., 0], 0, 1) * 255).astype(np.uint8))
            canvas.paste(tile.resize((w, h), Image.NEAREST), (label_w + c * (w + pad), y))
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path)


def markdown_table(header: list[str], rows: list[list]) -> str:
    fmt = lambda v: f"{v:.3g}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def no_binning(pipe) -> dict:
    """Call keywords that make a pipeline draw the size it is asked for, from the prompt as given:
    ``use_resolution_binning=False`` where the pipeline has it (PixArt, Sana: their bins start at 256 px, and binning
    resizes the output) and ``clean_caption=False`` (else PixArt warns on every call that it cannot clean captions
    without beautifulsoup4, and goes on without)."""
    import inspect

    params = inspect.signature(type(pipe).__call__).parameters
    return {k: False for k in ("use_resolution_binning", "clean_caption") if k in params}


def check_settings(samples, min_samples: int, steps, guidance, chunk, threads):
    """The demos' common settings checked (one clear error each), and the torch threads set."""
    samples = check_int("samples", samples, min_samples)
    steps = check_int("steps", steps, 1, 1000)
    guidance = check_number("guidance", guidance, 1.0)
    chunk = check_int("chunk", chunk, 1)
    if threads is not None:
        check_int("threads", threads, 1)
    if threads:
        torch.set_num_threads(threads)
    return samples, steps, guidance, chunk
