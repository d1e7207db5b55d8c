"""The emoji behind the embedded text-to-image models: Twemoji (npm ``emoji-datasource-twitter@16.0.0``, CC-BY 4.0)
and Noto Emoji (npm ``emoji-datasource-google@16.0.0``, Apache 2.0), 3,786 64x64 RGBA PNGs each.

Only training and evaluation against data need them; the packages are fetched with ``npm pack`` into a cache folder
the first time :func:`load` is called, and the prepared arrays are cached there as an ``.npz``.

Each image is composited on white and box-downsampled to 32x32. Its prompt is the lower-case ``name`` from
``emoji.json`` plus the skin tone for skin-tone variants ("waving hand medium-dark skin tone"); its label is the
``subcategory`` (99 of them). The held-out split is *by emoji*: a base emoji, its skin-tone variants and both vendors'
images of them are all on the same side (about 1 in 10 base emoji held out, chosen by a hash of the code point).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

VERSION = "16.0.0"
VENDORS = ("twitter", "google")
PACKAGES = tuple(f"emoji-datasource-{v}@{VERSION}" for v in VENDORS)
LICENCES = {"twitter": "Twemoji, CC-BY 4.0 (Twitter, Inc. and other contributors)",
            "google": "Noto Emoji, Apache License 2.0 (Google Inc.)"}
MAX_LENGTH = 16
SIZE = 32
HELD_OUT_MOD = 10  # a base emoji is held out when sha1(unified) % 10 == 0
TONES = {"1F3FB": "light", "1F3FC": "medium-light", "1F3FD": "medium", "1F3FE": "medium-dark", "1F3FF": "dark"}
_PREPARED = f"emoji-{VERSION}-{SIZE}px-v1.npz"


def cache_dir() -> Path:
    root = os.environ.get("STEPCACHE_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "stepcache")
    return Path(root) / f"emoji-{VERSION}"


def fetch(folder: Path | None = None) -> dict[str, Path]:
    """``npm pack`` both packages (registry only) into ``folder``; return {vendor: tarball path}."""
    folder = Path(folder) if folder is not None else cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for vendor, package in zip(VENDORS, PACKAGES):
        tgz = folder / f"emoji-datasource-{vendor}-{VERSION}.tgz"
        if not tgz.exists():
            with tempfile.TemporaryDirectory(dir=folder) as tmp:
                try:
                    res = subprocess.run(["npm", "pack", package, "--silent"], cwd=tmp, check=True,
                                         capture_output=True, text=True)
                except FileNotFoundError as err:
                    raise RuntimeError(f"npm is needed to fetch the emoji (npm pack {package})") from err
                (Path(tmp) / res.stdout.strip().splitlines()[-1]).replace(tgz)
        out[vendor] = tgz
    return out


def tone_words(key: str) -> str:
    """'1F3FD' -> 'medium skin tone'; '1F3FB-1F3FF' -> 'light and dark skin tone'."""
    parts = [TONES[k] for k in key.split("-")]
    if len(set(parts)) == 1:
        return f"{parts[0]} skin tone"
    return f"{parts[0]} and {parts[1]} skin tone"


def held_out(unified: str) -> bool:
    return int(hashlib.sha1(unified.encode()).hexdigest(), 16) % HELD_OUT_MOD == 0


def _entries(meta: list[dict]) -> list[dict]:
    """One entry per image: file name, prompt, subcategory, base code point (the split's unit)."""
    rows = []
    for e in sorted(meta, key=lambda e: e["sort_order"]):
        name = e["name"].lower()
        rows.append({"image": e["image"], "prompt": name, "subcategory": e["subcategory"], "base": e["unified"]})
        for key, var in sorted(e.get("skin_variations", {}).items()):
            rows.append({"image": var["image"], "prompt": f"{name} {tone_words(key)}",
                         "subcategory": e["subcategory"], "base": e["unified"]})
    return rows


def _to_32(png: bytes) -> np.ndarray:
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("RGBA")
    if im.size != (64, 64):
        im = im.resize((64, 64), Image.Resampling.BOX)
    a = np.asarray(im, dtype=np.float64) / 255.0
    rgb = a[..., :3] * a[..., 3:] + (1.0 - a[..., 3:])  # composite on white
    f = 64 // SIZE
    rgb = rgb.reshape(SIZE, f, SIZE, f, 3).mean(axis=(1, 3))  # box downsample
    return np.round(rgb * 255).astype(np.uint8)


@dataclass
class EmojiData:
    images: np.ndarray  # uint8 (N, 32, 32, 3)
    prompts: list[str]
    labels: np.ndarray  # int64 subcategory index
    vendors: np.ndarray  # 0 twitter, 1 google
    held_out: np.ndarray  # bool
    subcategories: list[str]
    bases: list[str]

    def subset(self, mask: np.ndarray) -> "EmojiData":
        idx = np.flatnonzero(mask)
        return EmojiData(self.images[idx], [self.prompts[i] for i in idx], self.labels[idx], self.vendors[idx],
                         self.held_out[idx], self.subcategories, [self.bases[i] for i in idx])


def load(folder: Path | None = None) -> EmojiData:
    """All 7,572 images in a fixed order (vendor, then emoji.json sort order), prepared once and cached."""
    folder = Path(folder) if folder is not None else cache_dir()
    cached = folder / _PREPARED
    if not cached.exists():
        tarballs = fetch(folder)
        images, prompts, subs, vendors, bases = [], [], [], [], []
        for vi, vendor in enumerate(VENDORS):
            with tarfile.open(tarballs[vendor]) as tar:
                meta = json.load(tar.extractfile("package/emoji.json"))
                names = set(tar.getnames())
                for row in _entries(meta):
                    path = f"package/img/{vendor}/64/{row['image']}"
                    if path not in names:
                        continue
                    images.append(_to_32(tar.extractfile(path).read()))
                    prompts.append(row["prompt"]); subs.append(row["subcategory"])
                    vendors.append(vi); bases.append(row["base"])
        subcategories = sorted(set(subs))
        tmp = cached.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, images=np.stack(images), prompts=np.array(prompts), subs=np.array(subs),
                            vendors=np.array(vendors), bases=np.array(bases), subcategories=np.array(subcategories))
        tmp.replace(cached)
    z = np.load(cached)
    subcategories = [str(s) for s in z["subcategories"]]
    index = {s: i for i, s in enumerate(subcategories)}
    bases = [str(b) for b in z["bases"]]
    return EmojiData(images=z["images"], prompts=[str(p) for p in z["prompts"]],
                     labels=np.array([index[str(s)] for s in z["subs"]], dtype=np.int64), vendors=z["vendors"],
                     held_out=np.array([held_out(b) for b in bases]), subcategories=subcategories, bases=bases)


def to_model_range(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 32, 32, 3) -> float32 (N, 3, 32, 32) in [-1, 1]."""
    return np.ascontiguousarray(images.transpose(0, 3, 1, 2)).astype(np.float32) / 127.5 - 1.0


def from_model_range(x) -> np.ndarray:
    """float (N, 3, H, W) in [-1, 1] (tensor or array) -> uint8 (N, H, W, 3)."""
    x = np.asarray(x.detach().cpu().float() if hasattr(x, "detach") else x, dtype=np.float32)
    return np.round(np.clip((x + 1) * 127.5, 0, 255)).astype(np.uint8).transpose(0, 2, 3, 1)


def build_tokenizer(prompts: list[str]):
    """A word-level tokenizer over the prompts' words (lower-case, split on whitespace and punctuation), wrapped as
    ``PreTrainedTokenizerFast``: ``<s> words </s>`` padded with ``<pad>`` to 16 tokens."""
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    pre = pre_tokenizers.Whitespace()
    words = sorted({w for p in prompts for w, _ in pre.pre_tokenize_str(p.lower())})
    vocab = {t: i for i, t in enumerate(["<pad>", "<unk>", "<s>", "</s>"] + words)}
    tok = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 2), ("</s>", 3)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=MAX_LENGTH, pad_token="<pad>",
                                   unk_token="<unk>", bos_token="<s>", eos_token="</s>")


def tokenize(tokenizer, prompts: list[str]):
    """Token ids (N, 16) exactly as the diffusers pipeline makes them (pad to max length, truncate)."""
    return tokenizer(list(prompts), padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
                     return_tensors="pt").input_ids
