"""More pipelines: SDXL (text2img, img2img/refiner), SD inpaint, LDM, class-conditional DDPM, tomesd together."""

import numpy as np
import pytest
import torch
from diffusers import (DDIMScheduler, LDMPipeline, StableDiffusionInpaintPipeline, StableDiffusionXLImg2ImgPipeline,
                       VQModel)

import stepcache
import tiny
from stepcache import DeepCacheConfig
from stepcache.core import schedules
from stepcache.embedded.pipeline import ClassConditionalPipeline


def check(pipe, call, interval=3, branch=2):
    """interval 1 bit-identical, the configured pattern, disable restores bit-identical output."""
    base = call()
    with stepcache.cached(pipe, DeepCacheConfig(interval=1, branch=branch)):
        assert np.array_equal(call(), base)
    with stepcache.cached(pipe, DeepCacheConfig(interval=interval, branch=branch)):
        out = call()
        (pattern,) = stepcache.summary(pipe).streams
    assert [i for i, k in enumerate(pattern) if k == "F"] == schedules.uniform(len(pattern), interval)
    assert np.isfinite(np.asarray(out)).all() and not np.array_equal(out, base)
    assert np.array_equal(call(), base)
    return pattern


def test_sdxl_text2img_and_img2img(tmp_path):
    pipe = tiny.sdxl_pipe(tmp_path)
    assert check(pipe, lambda: tiny.sd_call(pipe, steps=6)) == "FCCFCC"
    i2i = StableDiffusionXLImg2ImgPipeline(**pipe.components)
    i2i.set_progress_bar_config(disable=True)
    image = tiny.sd_call(pipe, steps=4)
    assert check(i2i, lambda: tiny.sd_call(i2i, steps=10, image=image, strength=0.5)) == "FCCFC"


def test_sdxl_refiner(tmp_path):
    pipe = tiny.sdxl_pipe(tmp_path, pipeline_cls=StableDiffusionXLImg2ImgPipeline, refiner=True)
    image = torch.from_numpy(np.random.default_rng(0).random((1, 3, 16, 16)).astype(np.float32))
    assert len(stepcache.branches(pipe)) == 1 + 3 + 2
    assert check(pipe, lambda: tiny.sd_call(pipe, steps=10, image=image, strength=0.7)) == "FCCFCCF"


def test_sd_inpaint(tmp_path):
    pipe = tiny.sd_pipe(tmp_path, pipeline_cls=StableDiffusionInpaintPipeline, in_channels=9)
    image = np.random.default_rng(0).random((1, 16, 16, 3)).astype(np.float32)
    mask = np.zeros((1, 16, 16, 1), np.float32)
    mask[:, 4:12, 4:12] = 1
    check(pipe, lambda: tiny.sd_call(pipe, steps=6, image=torch.from_numpy(image).permute(0, 3, 1, 2),
                                     mask_image=torch.from_numpy(mask).permute(0, 3, 1, 2)))


def test_ldm_unconditional():
    torch.manual_seed(0)
    vq = VQModel(block_out_channels=(8, 8), in_channels=3, out_channels=3, latent_channels=1, norm_num_groups=4,
                 down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2).eval()
    pipe = LDMPipeline(vqvae=vq, unet=tiny.ddpm_unet(levels=3), scheduler=DDIMScheduler())
    pipe.set_progress_bar_config(disable=True)
    check(pipe, lambda: pipe(batch_size=2, num_inference_steps=7, generator=torch.Generator().manual_seed(0),
                             output_type="np").images, branch=4)


def test_class_conditional_ddpm():
    pipe = ClassConditionalPipeline(tiny.ddpm_unet(levels=3, class_conditional=True), DDIMScheduler())
    pipe.set_progress_bar_config(disable=True)
    for guidance in (1.0, 3.0):
        check(pipe, lambda: pipe([1, 7, 3], num_inference_steps=6, guidance_scale=guidance, output_type="np",
                                 generator=torch.Generator().manual_seed(0)).images)
    with pytest.raises(ValueError, match=r"class_labels must be integers in \[0, 10\)"):
        pipe([10], num_inference_steps=2)


def test_together_with_tomesd(tmp_path):
    tomesd = pytest.importorskip("tomesd")
    pipe = tiny.sd_pipe(tmp_path, levels=3)
    base = tiny.sd_call(pipe, steps=6)
    tomesd.apply_patch(pipe, ratio=0.5, max_downsample=8, use_rand=False)  # deterministic, to compare runs
    try:
        merged = tiny.sd_call(pipe, steps=6)
        with stepcache.cached(pipe, DeepCacheConfig(interval=2, branch=4)):
            both = tiny.sd_call(pipe, steps=6)
            assert stepcache.summary(pipe).streams == ("FCFCFC",)
        assert np.array_equal(tiny.sd_call(pipe, steps=6), merged)
    finally:
        tomesd.remove_patch(pipe)
    assert np.array_equal(tiny.sd_call(pipe, steps=6), base)
    assert np.isfinite(both).all() and both.std() > 0
    # sane: DeepCache moves the ToMe output by about as much as it moves the plain one
    with stepcache.cached(pipe, DeepCacheConfig(interval=2, branch=4)):
        cached_only = tiny.sd_call(pipe, steps=6)
    assert np.abs(both - merged).mean() < 5 * np.abs(cached_only - base).mean() + 1e-3


def test_stable_video_diffusion():
    pipe = tiny.svd_pipe()
    from PIL import Image

    image = Image.fromarray((np.random.default_rng(0).random((16, 16, 3)) * 255).astype(np.uint8))

    def call():
        return pipe(image, height=16, width=16, num_frames=3, decode_chunk_size=3, num_inference_steps=6,
                    generator=torch.Generator().manual_seed(0), output_type="np").frames

    assert len(stepcache.branches(pipe)) == 1 + 3 + 2
    assert check(pipe, call) == "FCCFCC"
