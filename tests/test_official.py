"""Our uniform schedule equals the official DeepCache package's output wherever that package is correct."""

import numpy as np
import pytest
import torch
from DeepCache import DeepCacheSDHelper as OfficialHelper
from diffusers import DDIMPipeline, DDIMScheduler, PNDMScheduler

import stepcache
import tiny


def _official(pipe, call, interval, branch_id):
    helper = OfficialHelper(pipe)
    helper.set_params(cache_interval=interval, cache_branch_id=branch_id)
    helper.enable()
    try:
        return call()
    finally:
        helper.disable()


def _ours(pipe, call, interval, branch_id):
    helper = stepcache.DeepCacheSDHelper(pipe)  # the drop-in: same calls, same meaning of cache_branch_id
    helper.set_params(cache_interval=interval, cache_branch_id=branch_id)
    helper.enable()
    try:
        return call(), stepcache.summary(pipe)
    finally:
        helper.disable()


@pytest.fixture(scope="module")
def sd_ddim(tmp_session):
    return tiny.sd_pipe(tmp_session / "ddim", DDIMScheduler, levels=4)


@pytest.fixture(scope="module")
def sd_pndm(tmp_session):
    pipe = tiny.sd_pipe(tmp_session / "pndm", PNDMScheduler, levels=4)
    pipe.scheduler = PNDMScheduler.from_config(pipe.scheduler.config, skip_prk_steps=True)  # as in SD's config
    return pipe


@pytest.mark.parametrize("interval, branch_id", [(2, 0), (3, 0), (5, 0), (2, 1), (3, 2), (2, 3), (4, 5), (3, 8),
                                                 (2, 11)])
def test_sd_ddim_matches_official(sd_ddim, interval, branch_id):
    call = lambda: tiny.sd_call(sd_ddim, steps=10)  # noqa: E731
    theirs = _official(sd_ddim, call, interval, branch_id)
    ours, summary = _ours(sd_ddim, call, interval, branch_id)
    assert np.abs(ours - theirs).max() <= 1e-5
    assert summary.full_steps() == list(range(0, 10, interval))
    assert not np.array_equal(ours, call())  # caching did change something


@pytest.mark.parametrize("interval, branch_id", [(3, 0), (4, 2), (5, 4), (3, 10)])
def test_sd_pndm_matches_official_where_it_is_correct(sd_pndm, interval, branch_id):
    # PLMS makes 11 calls for 10 steps, the second timestep twice; the official helper maps the calls to steps
    # 0,1,1,3,4,... which agrees with counting calls whenever N >= 3.
    call = lambda: tiny.sd_call(sd_pndm, steps=10)  # noqa: E731
    theirs = _official(sd_pndm, call, interval, branch_id)
    ours, summary = _ours(sd_pndm, call, interval, branch_id)
    assert np.abs(ours - theirs).max() <= 1e-5
    assert summary.full_steps() == list(range(0, 11, interval))


def test_sd_pndm_interval_2_official_is_wrong_ours_follows_the_schedule(sd_pndm):
    call = lambda: tiny.sd_call(sd_pndm, steps=10)  # noqa: E731
    theirs = _official(sd_pndm, call, 2, 0)
    ours, summary = _ours(sd_pndm, call, 2, 0)
    assert summary.streams == ("FCFCFCFCFCF",)
    # the official helper reads the repeated timestep as step 1 again: calls 1, 2, 3 all cached
    assert np.abs(ours - theirs).max() > 1e-4


@pytest.mark.parametrize("interval, branch_id", [(2, 0), (3, 4), (4, 7)])
def test_ddpm_unet2dmodel_matches_official(interval, branch_id):
    pipe = DDIMPipeline(unet=tiny.ddpm_unet(levels=3), scheduler=DDIMScheduler(num_train_timesteps=1000))
    pipe.set_progress_bar_config(disable=True)
    call = lambda: pipe(batch_size=2, num_inference_steps=9, generator=torch.Generator().manual_seed(1),  # noqa
                        output_type="np").images
    theirs = _official(pipe, call, interval, branch_id)
    ours, _ = _ours(pipe, call, interval, branch_id)
    assert np.abs(ours - theirs).max() <= 1e-5


def test_branch_id_errors_speak_the_official_numbering():
    """cache_branch_id is 0-based: a U-Net with 9 skip features takes 0..8, and the error says so (not 1..9)."""
    unet = tiny.sd_unet(levels=3)  # 1 + 3 + 3 + 2 = 9 skip features
    helper = stepcache.DeepCacheSDHelper(unet)
    helper.set_params(cache_interval=3, cache_branch_id=8)  # the deepest one is valid
    with pytest.raises(ValueError, match=r"cache_branch_id must be an integer in \[0, 8\] for this "
                                         r"UNet2DConditionModel \(9 skip features.*got 99"):
        helper.set_params(cache_interval=3, cache_branch_id=99)
    assert helper.params["cache_branch_id"] == 8  # the refused call changed nothing
    # without a pipeline the range is checked at enable(), before the model is touched, in the same numbering
    helper = stepcache.DeepCacheSDHelper()
    helper.set_params(cache_interval=3, cache_branch_id=9)
    with pytest.raises(ValueError, match=r"cache_branch_id must be an integer in \[0, 8\].*got 9"):
        helper.enable(unet)
    assert getattr(unet, "_stepcache", None) is None
    # numpy integers are integers
    helper.set_params(cache_interval=np.int64(2), cache_branch_id=np.int32(1))
    assert helper.params == {"cache_interval": 2, "cache_branch_id": 1, "skip_mode": "uniform"}
    assert type(helper.params["cache_interval"]) is int
