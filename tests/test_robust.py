"""Where the official helper breaks, stepcache produces what a fresh enable produces."""

import numpy as np
import pytest
import torch
from DeepCache import DeepCacheSDHelper as OfficialHelper
from diffusers import DDIMScheduler, HeunDiscreteScheduler, KDPM2DiscreteScheduler, PNDMScheduler

import stepcache
import tiny
from stepcache import DeepCacheConfig
from stepcache.core import schedules


@pytest.fixture(scope="module")
def pipe(tmp_session):
    return tiny.sd_pipe(tmp_session / "robust", DDIMScheduler, levels=3)


def _fresh(pipe, config, **call):
    """What a freshly enabled pipeline produces for one call."""
    stepcache.disable(pipe)
    with stepcache.cached(pipe, config):
        return tiny.sd_call(pipe, **call)


class DeepRuns:
    """Which U-Net calls really ran the deep part (a module inside the mid block runs only on full steps)."""

    def __init__(self, unet):
        self.calls = []
        self.handles = [unet.conv_in.register_forward_hook(lambda *a: self.calls.append("C")),
                        unet.mid_block.resnets[0].register_forward_hook(self.deep)]

    def deep(self, *args):
        self.calls[-1] = "F"

    @property
    def pattern(self):
        return "".join(self.calls)

    def remove(self):
        for h in self.handles:
            h.remove()


@pytest.mark.parametrize("scheduler_cls", [HeunDiscreteScheduler, KDPM2DiscreteScheduler, PNDMScheduler])
def test_repeated_timesteps_count_calls(pipe, scheduler_cls):
    original = pipe.scheduler
    pipe.scheduler = scheduler_cls.from_config(original.config)
    try:
        config = DeepCacheConfig(interval=3, branch=2)
        with stepcache.cached(pipe, config):
            deep = DeepRuns(pipe.unet)
            first = tiny.sd_call(pipe, steps=5)
            calls = len(pipe.scheduler.timesteps)
            deep.remove()
            summary = stepcache.summary(pipe)
            if scheduler_cls is not KDPM2DiscreteScheduler:  # DPM2 interleaves distinct timesteps instead
                assert len(set(pipe.scheduler.timesteps.tolist())) < calls
            # the steps are exactly the schedule over U-Net calls, and the deep part ran on exactly those
            expected = "".join("F" if i % 3 == 0 else "C" for i in range(calls))
            assert summary.streams == (expected,)
            assert deep.pattern == expected
            second = tiny.sd_call(pipe, steps=5)
        assert np.array_equal(first, second)
        assert np.array_equal(first, _fresh(pipe, config, steps=5))
    finally:
        pipe.scheduler = original


def test_official_helper_miscounts_heun(pipe):
    original = pipe.scheduler
    pipe.scheduler = HeunDiscreteScheduler.from_config(original.config)
    try:
        helper = OfficialHelper(pipe)
        helper.set_params(cache_interval=3, cache_branch_id=1)
        helper.enable()
        deep = DeepRuns(pipe.unet)
        tiny.sd_call(pipe, steps=5)
        helper.disable()
        deep.remove()
        # it looks repeated timesteps up as the same step: t0, t1, t1, t2, t2, ... -> steps 0, 1, 1, 3, 3, 5, ...
        assert deep.pattern == "FCCFFCCCC"
    finally:
        pipe.scheduler = original


def test_img2img_new_strength_in_second_call(pipe):
    i2i = tiny.img2img_pipe(pipe)
    image = tiny.sd_call(pipe, steps=10)
    config = DeepCacheConfig(interval=3, branch=1)

    def run(strength):
        return tiny.sd_call(i2i, steps=10, image=image, strength=strength)

    stepcache.enable(i2i, config)
    run(0.8)
    second = run(0.6)
    summary = stepcache.summary(i2i)
    stepcache.disable(i2i)
    assert summary.streams == ("FCCFCC",)  # 6 steps from the middle, counted from where this call starts
    with stepcache.cached(i2i, config):
        assert np.array_equal(second, run(0.6))
    # the official helper remembers the first call's start: its second call is scheduled wrongly
    helper = OfficialHelper(i2i)
    helper.set_params(cache_interval=3, cache_branch_id=0)
    helper.enable()
    run(0.8)
    theirs = run(0.6)
    helper.disable()
    assert np.abs(theirs - second).max() > 1e-4


def test_img2img_nonuniform_counts_the_steps_of_this_call(pipe):
    i2i = tiny.img2img_pipe(pipe)
    image = tiny.sd_call(pipe, steps=10)
    config = DeepCacheConfig(interval=2, schedule="nonuniform", center=2, power=1.5)
    with stepcache.cached(i2i, config):
        tiny.sd_call(i2i, steps=20, image=image, strength=0.6)
        (pattern,) = stepcache.summary(i2i).streams
    assert len(pattern) == 12
    assert [i for i, k in enumerate(pattern) if k == "F"] == schedules.nonuniform(12, 2, 2, 1.5)


def test_fifty_consecutive_calls(pipe):
    config = DeepCacheConfig(interval=2, branch=3)
    first = _fresh(pipe, config, steps=4)
    stepcache.enable(pipe, config)
    try:
        outs = [tiny.sd_call(pipe, steps=4) for _ in range(50)]
    finally:
        stepcache.disable(pipe)
    assert all(np.array_equal(o, first) for o in outs)


def _manual_loop(unet, text, keyword: bool, separate_streams: bool = False, steps=6):
    """A hand-written sampling loop, the way users write one."""
    sched = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear")
    sched.set_timesteps(steps)
    x = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(0))
    cond, uncond = text[1:], text[:1]
    with torch.no_grad():
        for t in sched.timesteps:
            if separate_streams:
                e_c = unet(x, t, encoder_hidden_states=cond).sample
                e_u = unet(x, t, encoder_hidden_states=uncond).sample
            elif keyword:
                e_u, e_c = unet(sample=torch.cat([x, x]), timestep=t, encoder_hidden_states=text).sample.chunk(2)
            else:
                e_u, e_c = unet(torch.cat([x, x]), t, text).sample.chunk(2)
            x = sched.step(e_u + 3.0 * (e_c - e_u), t, x).prev_sample
    return x


def test_keyword_timestep(pipe):
    unet = tiny.sd_unet(levels=3)
    text = torch.randn(2, 7, 32, generator=torch.Generator().manual_seed(1))
    config = DeepCacheConfig(interval=3, branch=2)
    with stepcache.cached(unet, config):
        positional = _manual_loop(unet, text, keyword=False)
        keyword = _manual_loop(unet, text, keyword=True)
        assert stepcache.summary(unet).streams == ("FCCFCC",)
    assert torch.equal(positional, keyword)
    assert not torch.equal(positional, _manual_loop(unet, text, keyword=False))
    # the official helper reads args[1] and cannot run when the timestep is a keyword
    fake_pipe = type("P", (), {"unet": unet, "scheduler": DDIMScheduler()})()
    fake_pipe.scheduler.set_timesteps(6)
    helper = OfficialHelper(fake_pipe)
    helper.set_params(cache_interval=3, cache_branch_id=1)
    helper.enable()
    try:
        with pytest.raises(IndexError):
            _manual_loop(unet, text, keyword=True)
    finally:
        helper.disable()


def test_separate_cond_uncond_calls_get_their_own_stream():
    unet = tiny.sd_unet(levels=3)
    text = torch.randn(2, 7, 32, generator=torch.Generator().manual_seed(1))
    config = DeepCacheConfig(interval=3, branch=2)
    with stepcache.cached(unet, config):
        got = _manual_loop(unet, text, keyword=False, separate_streams=True)
        assert stepcache.summary(unet).streams == ("FCCFCC", "FCCFCC")
    # reference: one separately cached U-Net per stream
    cond_unet, uncond_unet = tiny.sd_unet(levels=3), tiny.sd_unet(levels=3)
    stepcache.enable(cond_unet, config)
    stepcache.enable(uncond_unet, config)
    sched = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear")
    sched.set_timesteps(6)
    x = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        for t in sched.timesteps:
            e_c = cond_unet(x, t, encoder_hidden_states=text[1:]).sample
            e_u = uncond_unet(x, t, encoder_hidden_states=text[:1]).sample
            x = sched.step(e_u + 3.0 * (e_c - e_u), t, x).prev_sample
    assert torch.equal(got, x)


def test_bare_unet_new_generation_when_timestep_goes_up():
    unet = tiny.sd_unet(levels=3)
    text = torch.randn(2, 7, 32, generator=torch.Generator().manual_seed(1))
    with stepcache.cached(unet, DeepCacheConfig(interval=4)):
        a = _manual_loop(unet, text, keyword=False, steps=6)
        b = _manual_loop(unet, text, keyword=False, steps=6)
        assert stepcache.summary(unet).streams == ("FCCCFC",)
    assert torch.equal(a, b)


def test_exception_mid_call_leaves_nothing_stale(pipe):
    config = DeepCacheConfig(interval=3, branch=1)
    expected = _fresh(pipe, config, steps=6)

    def stop_at_step_3(p, i, t, kwargs):
        if i == 3:
            raise RuntimeError("interrupted")
        return kwargs

    with stepcache.cached(pipe, config):
        with pytest.raises(RuntimeError, match="interrupted"):
            tiny.sd_call(pipe, steps=6, callback_on_step_end=stop_at_step_3)
        assert np.array_equal(tiny.sd_call(pipe, steps=6), expected)
        # an exception inside the U-Net itself
        calls = {"n": 0}

        def fail_once(module, args):
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("inside the unet")

        handle = pipe.unet.conv_in.register_forward_pre_hook(fail_once)
        with pytest.raises(RuntimeError, match="inside the unet"):
            tiny.sd_call(pipe, steps=6)
        handle.remove()
        assert pipe.unet._stepcache.active is None and pipe.unet._stepcache.tracker.current is None
        assert np.array_equal(tiny.sd_call(pipe, steps=6), expected)


def test_cfg_batched_is_one_stream_and_batch_change_forces_a_full_step(pipe):
    with stepcache.cached(pipe, DeepCacheConfig(interval=3)):
        tiny.sd_call(pipe, steps=7, guidance_scale=5.0)
        assert stepcache.summary(pipe).streams == ("FCCFCCF",)
        tiny.sd_call(pipe, steps=7, guidance_scale=1.0)  # no guidance: batch 1
        assert stepcache.summary(pipe).streams == ("FCCFCCF",)
