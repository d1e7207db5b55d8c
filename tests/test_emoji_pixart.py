"""The embedded emoji transformer (the PixArt twin of emoji-sd): loads offline as a plain diffusers
PixArtAlphaPipeline that shares emoji-sd's VAE and text encoder on disk, draws 32x32 images, agrees with prompts above
a measured floor, DeepCache at interval 1 and after disable is bit-identical, and the shared text encoder leaves the
SD pipeline's conditioning unchanged."""

import json
import os

import pytest
import torch

import stepcache
import tiny
from stepcache.embedded import emoji_eval as ev

pytestmark = pytest.mark.skipif(not (ev.PIXART_DIR / "model_index.json").exists(), reason="emoji-pixart not exported")


@pytest.fixture(scope="module")
def pipe():
    from diffusers import PixArtAlphaPipeline

    return tiny.load_offline(PixArtAlphaPipeline, ev.PIXART_DIR)


def _run(pipe, prompts, steps=10, seed=0):
    return pipe(prompts, num_inference_steps=steps, guidance_scale=3.0, height=32, width=32,
                use_resolution_binning=False, generator=torch.Generator().manual_seed(seed), output_type="pt").images


def test_loads_offline_shares_vae_and_text_encoder_and_is_small(pipe):
    index = json.loads((ev.PIXART_DIR / "model_index.json").read_text())
    assert index["transformer"] == ["diffusers", "PixArtTransformer2DModel"]
    for shared in ("vae", "text_encoder"):  # the same files as emoji-sd's, by a relative link
        link = ev.PIXART_DIR / shared
        assert link.is_symlink() and not os.path.isabs(os.readlink(link))
        assert link.resolve() == (ev.SD_DIR / shared).resolve()
    assert pipe.transformer.dtype == torch.float32 and type(pipe.text_encoder).__name__ == "CLIPTextModel"
    files = {p.resolve() for d in ev.MODELS.glob("emoji-*") for p in d.rglob("*.safetensors")}
    files |= {p.resolve() for shared in ("vae", "text_encoder") for p in (ev.PIXART_DIR / shared).glob("*.safetensors")}
    assert sum(p.stat().st_size for p in files) <= 40_000_000  # every embedded emoji weight, each file once


def test_shared_text_encoder_leaves_sd_conditioning_unchanged():
    """The text encoder has 120 positions for PixArt's default 120 tokens; the ones past emoji-sd's 16 are zero and
    SD's tokenizer pads to 16, so SD's prompt embeddings are those of the 16-position encoder it was trained with."""
    from transformers import CLIPTextModel, PreTrainedTokenizerFast

    te = CLIPTextModel.from_pretrained(ev.SD_DIR / "text_encoder")
    sd_tok = PreTrainedTokenizerFast.from_pretrained(ev.SD_DIR / "tokenizer")
    emb = getattr(te, "text_model", te).embeddings.position_embedding.weight
    assert emb.shape[0] == 120 and sd_tok.model_max_length == 16
    assert torch.count_nonzero(emb[16:]) == 0


def test_prompts_make_32px_images(pipe):
    images = _run(pipe, ["grinning face", "japan flag", "red apple", "dog face"])
    assert images.shape == (4, 3, 32, 32) and torch.isfinite(images).all()
    assert images.std(dim=(1, 2, 3)).min() > 0.05  # not blank


def test_prompt_agreement_above_floor(pipe):
    floor = json.loads((ev.PIXART_DIR / "test_floor.json").read_text())
    prompts, subs = ev.held_out_prompts(floor["prompts"], seed=1)
    images = ev.generate(pipe, prompts, steps=floor["steps"], guidance=floor["guidance"], seed=0)
    assert ev.agreement(images, subs) >= floor["agreement_floor"]


def test_interval_1_is_bit_identical_and_disable_restores(pipe):
    prompts = ["grinning face", "japan flag"]
    plain = _run(pipe, prompts)
    stepcache.enable(pipe, stepcache.DeepCacheConfig(interval=1))
    try:
        assert torch.equal(_run(pipe, prompts), plain)
        stepcache.disable(pipe)
        stepcache.enable(pipe, stepcache.DeepCacheConfig(interval=3))
        cached = _run(pipe, prompts)
        (pattern,) = set(stepcache.summary(pipe).streams)
        assert pattern == "FCCFCCFCCF" and not torch.equal(cached, plain)
    finally:
        stepcache.disable(pipe)
    assert torch.equal(_run(pipe, prompts), plain)
