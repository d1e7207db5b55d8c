"""ControlNet: residuals keep flowing into the shallow branch on cached steps, and the ControlNet's own deep part is
skipped on cached steps without changing the output."""

import numpy as np
import pytest
import torch

import stepcache
import tiny
from stepcache import DeepCacheConfig


@pytest.fixture(scope="module")
def pipe(tmp_session):
    return tiny.controlnet_pipe(tmp_session / "controlnet")


def call(pipe, steps=7):
    cond = torch.from_numpy(np.random.default_rng(0).random((1, 3, 16, 16)).astype(np.float32))
    return tiny.sd_call(pipe, steps=steps, image=cond)


class Runs:
    def __init__(self, module):
        self.n = 0
        self.h = module.register_forward_hook(lambda *a: setattr(self, "n", self.n + 1))


def test_interval_1_and_disable_bit_identical(pipe):
    base = call(pipe)
    with stepcache.cached(pipe, DeepCacheConfig(interval=1, branch=2)):
        assert np.array_equal(call(pipe), base)
    with stepcache.cached(pipe, DeepCacheConfig(interval=3, branch=2)):
        assert not np.array_equal(call(pipe), base)
    assert np.array_equal(call(pipe), base)
    assert not hasattr(pipe.controlnet, "_stepcache") and "forward" not in pipe.controlnet.__dict__


@pytest.mark.parametrize("branch", [1, 3, 6, 9])
def test_caching_the_controlnet_changes_nothing_but_its_cost(pipe, branch):
    config = DeepCacheConfig(interval=3, branch=branch)
    with stepcache.cached(pipe, DeepCacheConfig(interval=3, branch=branch, controlnet=False)):
        deep = Runs(pipe.controlnet.mid_block.resnets[0])  # inside: only called when the block runs
        recomputed = call(pipe)
        deep.h.remove()
    assert deep.n == 7  # without ControlNet caching it runs whole every step
    with stepcache.cached(pipe, config):
        deep = Runs(pipe.controlnet.mid_block.resnets[0])  # inside: only called when the block runs
        shallow = Runs(pipe.controlnet.controlnet_down_blocks[branch - 1])
        cached = call(pipe)
        deep.h.remove()
        shallow.h.remove()
        (pattern,) = stepcache.summary(pipe).streams
    assert pattern == "FCCFCCF"
    # the ControlNet's deep part ran on full steps only (at the deepest branch its mid block feeds the shallow path)
    assert deep.n == (7 if branch == 9 else pattern.count("F"))
    assert shallow.n == 7  # the residual the shallow branch uses is computed every step
    assert np.abs(cached - recomputed).max() <= 1e-6


def test_adaptive_leaves_the_controlnet_whole(pipe):
    with stepcache.cached(pipe, DeepCacheConfig(schedule="adaptive", threshold=1.0, branch=2)):
        deep = Runs(pipe.controlnet.mid_block.resnets[0])  # inside: only called when the block runs
        call(pipe)
        deep.h.remove()
        assert "C" in stepcache.summary(pipe).streams[0]
    assert deep.n == 7


def test_sdxl_controlnet(tmp_path):
    from diffusers import ControlNetModel, StableDiffusionXLControlNetPipeline

    base = tiny.sdxl_pipe(tmp_path)
    torch.manual_seed(3)
    net = ControlNetModel.from_unet(base.unet, conditioning_embedding_out_channels=(8, 16)).eval()
    with torch.no_grad():
        for p in list(net.controlnet_down_blocks.parameters()) + list(net.controlnet_mid_block.parameters()):
            p.normal_(0, 0.1)
    pipe = StableDiffusionXLControlNetPipeline(**base.components, controlnet=net)
    pipe.set_progress_bar_config(disable=True)
    cond = torch.from_numpy(np.random.default_rng(0).random((1, 3, 16, 16)).astype(np.float32))
    run = lambda: tiny.sd_call(pipe, steps=6, image=cond)  # noqa: E731
    base_out = run()
    with stepcache.cached(pipe, DeepCacheConfig(interval=1, branch=2)):
        assert np.array_equal(run(), base_out)
    with stepcache.cached(pipe, DeepCacheConfig(interval=3, branch=2, controlnet=False)):
        whole = run()
    with stepcache.cached(pipe, DeepCacheConfig(interval=3, branch=2)):
        deep = Runs(pipe.controlnet.mid_block.resnets[0])
        cached = run()
        deep.h.remove()
        assert stepcache.summary(pipe).streams == ("FCCFCC",)
    assert deep.n == 2 and np.abs(cached - whole).max() <= 1e-6
    assert np.array_equal(run(), base_out)
