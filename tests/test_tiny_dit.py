"""The tiny transformer pipelines of tests/tiny_dit.py build offline, run 4 steps fast, deterministically."""


import pytest
import torch

import tiny_dit

SHAPES = {  # output_type="pt": images (B, 3, H, W), videos (B, frames, 3, H, W)
    "dit": (1, 3, 16, 16), "pixart_alpha": (1, 3, 16, 16), "pixart_sigma": (1, 3, 16, 16), "sd3": (1, 3, 16, 16),
    "flux": (1, 3, 16, 16), "hunyuan_dit": (1, 3, 32, 32), "cogvideox": (1, 9, 3, 16, 16),
    "wan": (1, 9, 3, 16, 16), "sana": (1, 3, 32, 32),
}
BLOCKS = {
    "dit": {"transformer_blocks": 4}, "pixart_alpha": {"transformer_blocks": 4},
    "pixart_sigma": {"transformer_blocks": 4}, "sd3": {"transformer_blocks": 4},
    "flux": {"transformer_blocks": 2, "single_transformer_blocks": 2}, "hunyuan_dit": {"blocks": 4},
    "cogvideox": {"transformer_blocks": 4}, "wan": {"blocks": 4}, "sana": {"transformer_blocks": 4},
}


def _run(pipe, kw, seed=0, output_type="pt"):
    out = pipe(**kw, num_inference_steps=4, generator=torch.Generator().manual_seed(seed), output_type=output_type,
               return_dict=False)[0]
    return out


@pytest.mark.parametrize("name", list(tiny_dit.BUILDERS))
def test_builder_runs_deterministic(name):
    pipe, kw = tiny_dit.BUILDERS[name]()
    a = _run(pipe, kw)
    assert tuple(a.shape) == SHAPES[name]
    assert torch.isfinite(a).all()
    pipe2, kw2 = tiny_dit.BUILDERS[name]()  # a fresh build gives the same weights and embeds
    assert torch.equal(_run(pipe2, kw2), a)
    assert not torch.equal(_run(pipe, kw, seed=1), a)


@pytest.mark.parametrize("name", list(tiny_dit.BUILDERS))
def test_block_lists(name):
    pipe, _ = tiny_dit.BUILDERS[name]()
    blocks = tiny_dit.denoiser_blocks(pipe)
    assert {k: len(v) for k, v in blocks.items()} == BLOCKS[name]
    assert tiny_dit.denoiser(pipe) is pipe.transformer


def test_latent_output_and_flux_true_cfg():
    pipe, kw = tiny_dit.flux(true_cfg=True)
    names = []
    tr = pipe.transformer
    orig = tr.cache_context

    def spy(name, **k):
        names.append(name)
        return orig(name, **k)

    tr.cache_context = spy
    lat = _run(pipe, kw, output_type="latent")
    assert lat.shape == (1, 16, 16)  # packed latents: (B, tokens, 4 * latent_channels)
    assert names == ["cond", "uncond"] * 4
