"""Every bad input raises a clear error naming the field and the valid range; the model is left as it was."""

import math

import pytest
import torch
from diffusers import UNet2DConditionModel

import stepcache
import tiny
from stepcache import DeepCacheConfig


@pytest.mark.parametrize("kwargs, match", [
    ({"interval": 0}, r"interval must be an integer in \[1, inf\)"),
    ({"interval": -3}, r"interval must be an integer in \[1, inf\)"),
    ({"branch": 0}, r"branch must be an integer in \[1, inf\)"),
    ({"schedule": "cosine"}, r"schedule must be one of 'uniform', 'nonuniform', 'nonuniform-reference'"),
    ({"power": math.nan}, r"power must be a finite number in \(1, inf\)"),
    ({"power": math.inf}, r"power must be a finite number"),
    ({"power": 1.0}, r"power must be a finite number in \(1, inf\)"),
    ({"center": -1}, r"center must be an integer in \[0, inf\)"),
    ({"start": -1}, r"start must be an integer in \[0, inf\)"),
    ({"start": 1.5}, r"start as a fraction must be a finite float in \[0, 1\]"),
    ({"stop": math.nan}, r"stop as a fraction must be a finite float in \[0, 1\]"),
    ({"num_steps": 0}, r"num_steps must be an integer in \[1, inf\)"),
])
def test_config_validated_on_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DeepCacheConfig(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    ({"interval": 2.5}, r"interval must be an integer in \[1, inf\), got 2.5"),
    ({"interval": True}, r"interval must be an integer in \[1, inf\), got True"),
    ({"stop": "end"}, r"stop must be a step index \(int >= 0\) or a fraction \(float in \[0, 1\]\), got 'end'"),
    ({"power": "2"}, r"power must be a number in \(1, inf\), got '2'"),
])
def test_config_wrong_types_are_type_errors(kwargs, match):
    with pytest.raises(TypeError, match=match):
        DeepCacheConfig(**kwargs)


def test_config_is_frozen():
    cfg = DeepCacheConfig()
    with pytest.raises(Exception):
        cfg.interval = 5


def _snapshot(module):
    return {name: (dict(m.__dict__), type(m)) for name, m in module.named_modules()}


def test_branch_out_of_range_lists_valid_branches_and_leaves_model_untouched():
    unet = tiny.sd_unet(levels=3)  # 1 + 3 + 3 + 2 = 9 skip features
    before = _snapshot(unet)
    with pytest.raises(ValueError, match=r"branch must be in \[1, 9\].*valid branches: 1, 2, 3, 4, 5, 6, 7, 8, 9"):
        stepcache.enable(unet, DeepCacheConfig(branch=10))
    assert _snapshot(unet) == before


def test_unsupported_model_lists_supported_ones():
    with pytest.raises(stepcache.UnsupportedModelError, match="Linear is not supported; stepcache supports "
                                                               "UNet2DConditionModel, UNet2DModel"):
        stepcache.enable(torch.nn.Linear(2, 2), DeepCacheConfig())


def test_unknown_block_type_is_refused_early_naming_it():
    class MyDown(torch.nn.Module):
        pass

    unet = tiny.sd_unet(levels=2)
    unet.down_blocks[1] = MyDown()
    before = _snapshot(unet)
    with pytest.raises(stepcache.UnsupportedModelError, match="down_blocks.1 is a MyDown; stepcache supports"):
        stepcache.enable(unet, DeepCacheConfig())
    assert _snapshot(unet) == before


def test_enabling_twice_raises_and_keeps_the_first_settings():
    unet = tiny.sd_unet(levels=2)
    stepcache.enable(unet, DeepCacheConfig(interval=2))
    before = _snapshot(unet)
    with pytest.raises(RuntimeError, match="already enabled"):
        stepcache.enable(unet, DeepCacheConfig(interval=3))
    assert _snapshot(unet) == before
    assert unet._stepcache.config.interval == 2
    stepcache.disable(unet)


def test_config_must_be_a_deepcacheconfig():
    with pytest.raises(TypeError, match="config must be a stepcache.DeepCacheConfig"):
        stepcache.enable(tiny.sd_unet(levels=2), {"interval": 2})


def test_helper_params_validated():
    helper = stepcache.DeepCacheSDHelper()
    with pytest.raises(ValueError, match=r"cache_interval must be an integer in \[1, inf\)"):
        helper.set_params(cache_interval=0)
    with pytest.raises(ValueError, match=r"cache_branch_id must be an integer in \[0,"):
        helper.set_params(cache_branch_id=-1)
    with pytest.raises(TypeError, match=r"cache_branch_id must be an integer in \[0, inf\), got 1.0"):
        helper.set_params(cache_branch_id=1.0)
    with pytest.raises(ValueError, match="skip_mode must be 'uniform'"):
        helper.set_params(skip_mode="random")


def test_summary_before_any_call_and_when_not_enabled():
    unet = tiny.sd_unet(levels=2)
    with pytest.raises(RuntimeError, match="not enabled"):
        stepcache.summary(unet)
    with stepcache.cached(unet, DeepCacheConfig()):
        with pytest.raises(RuntimeError, match="no U-Net call recorded yet"):
            stepcache.summary(unet)
    assert isinstance(unet, UNet2DConditionModel)
