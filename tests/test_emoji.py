"""The embedded emoji text-to-image model: loads offline as a plain diffusers StableDiffusionPipeline, draws 32x32
images, agrees with held-out prompts above a measured floor, and DeepCache at interval 1 is bit-identical."""

import json

import numpy as np
import pytest
import torch

import stepcache
import tiny
from stepcache.embedded import emoji_eval as ev

pytestmark = pytest.mark.skipif(not (ev.SD_DIR / "model_index.json").exists(), reason="emoji-sd not exported")


@pytest.fixture(scope="module")
def pipe():
    from diffusers import StableDiffusionPipeline

    return tiny.load_offline(StableDiffusionPipeline, ev.SD_DIR)


def _run(pipe, prompts, steps=10, seed=0):
    return pipe(prompts, num_inference_steps=steps, guidance_scale=3.0, generator=torch.Generator().manual_seed(seed),
                output_type="pt").images


def test_loads_offline_and_is_small(pipe):
    index = json.loads((ev.SD_DIR / "model_index.json").read_text())
    assert index["unet"] == ["diffusers", "UNet2DConditionModel"] and index["text_encoder"][1] == "CLIPTextModel"
    assert pipe.unet.dtype == torch.float32 and pipe.text_encoder.dtype == torch.float32
    total = sum(p.stat().st_size for d in ev.MODELS.glob("emoji-*") for p in d.rglob("*.safetensors"))
    assert total <= 32 * 2**20


def test_prompts_make_32px_images(pipe):
    images = _run(pipe, ["grinning face", "japan flag", "red apple", "dog face"])
    assert images.shape == (4, 3, 32, 32) and torch.isfinite(images).all()
    assert images.std(dim=(1, 2, 3)).min() > 0.05  # not blank


def test_prompt_agreement_above_floor(pipe):
    report = json.loads((ev.SD_DIR / "report.json").read_text())
    prompts, subs = ev.held_out_prompts(48, seed=1)
    images = ev.generate(pipe, prompts, steps=20, guidance=report["guidance"], seed=0)
    floor = json.loads((ev.SD_DIR / "test_floor.json").read_text())
    assert ev.agreement(images, subs) >= floor["agreement_floor"]


def test_interval_1_is_bit_identical_and_disable_restores(pipe):
    prompts = ["grinning face", "japan flag"]
    plain = _run(pipe, prompts)
    stepcache.enable(pipe, stepcache.DeepCacheConfig(interval=1))
    try:
        assert torch.equal(_run(pipe, prompts), plain)
        stepcache.disable(pipe)
        stepcache.enable(pipe, stepcache.DeepCacheConfig(interval=3))
        assert not torch.equal(_run(pipe, prompts), plain)
    finally:
        stepcache.disable(pipe)
    assert torch.equal(_run(pipe, prompts), plain)
    assert np.isfinite(plain.numpy()).all()
