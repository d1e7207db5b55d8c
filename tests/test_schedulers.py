"""Every scheduler the SD pipelines accept: interval 1 is bit-identical, and the full/cached pattern summary()
reports is exactly the configured schedule over U-Net calls, whatever the scheduler does with timesteps."""

import importlib.util
import itertools

import diffusers
import numpy as np
import pytest

import stepcache
import tiny
from stepcache import DeepCacheConfig
from stepcache.core import schedules

SCHEDULERS = ["DDIMScheduler", "DDPMScheduler", "PNDMScheduler", "DPMSolverMultistepScheduler",
              "DPMSolverSinglestepScheduler", "EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler",
              "HeunDiscreteScheduler", "KDPM2DiscreteScheduler", "KDPM2AncestralDiscreteScheduler",
              "UniPCMultistepScheduler", "LCMScheduler", "DEISMultistepScheduler", "TCDScheduler",
              "EDMEulerScheduler", "LMSDiscreteScheduler", "DPMSolverSDEScheduler"]
NEEDS = {"LMSDiscreteScheduler": "scipy", "DPMSolverSDEScheduler": "torchsde"}


@pytest.fixture(scope="module")
def pipe(tmp_session):
    return tiny.sd_pipe(tmp_session / "schedulers", levels=3)


# a deterministic spread over step counts, batch sizes, guidance on/off and branches
CASES = list(itertools.islice(itertools.cycle(itertools.product([3, 7], [1, 2], [1.0, 4.0], [1, 5, 9])), 4))


@pytest.mark.parametrize("name", SCHEDULERS)
def test_scheduler(pipe, name):
    if name in NEEDS and importlib.util.find_spec(NEEDS[name]) is None:
        pytest.skip(f"{name} needs the optional package {NEEDS[name]}")
    original = pipe.scheduler
    extra = {"PNDMScheduler": {"skip_prk_steps": True},  # SD's PLMS config
             "DPMSolverSDEScheduler": {"noise_sampler_seed": 0}}.get(name, {})  # else its noise differs per call
    pipe.scheduler = getattr(diffusers, name).from_config(original.config, **extra)
    try:
        for i, (steps, batch, guidance, branch) in enumerate(CASES[:2] if name in NEEDS else CASES):
            kw = dict(steps=steps, seed=i, num_images_per_prompt=batch, guidance_scale=guidance)
            base = tiny.sd_call(pipe, **kw)
            with stepcache.cached(pipe, DeepCacheConfig(interval=1, branch=branch)):
                assert np.array_equal(tiny.sd_call(pipe, **kw), base), (name, steps, batch, guidance, branch)
            interval = 2 + i % 2
            with stepcache.cached(pipe, DeepCacheConfig(interval=interval, branch=branch)):
                out = tiny.sd_call(pipe, **kw)
                (pattern,) = stepcache.summary(pipe).streams
            calls = len(pattern)
            assert calls >= steps
            assert [j for j, k in enumerate(pattern) if k == "F"] == schedules.uniform(calls, interval)
            assert np.isfinite(out).all()
    finally:
        pipe.scheduler = original
