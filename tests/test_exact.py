"""interval 1 is bit-identical to the plain model; disable restores bit-identical behaviour and the model's dict."""

import numpy as np
import pytest
import torch
from diffusers import DDIMPipeline, DDIMScheduler

import stepcache
import tiny
from stepcache import DeepCacheConfig


def _ddim(unet, seed=0, steps=8):
    pipe = DDIMPipeline(unet=unet, scheduler=DDIMScheduler(num_train_timesteps=1000))
    pipe.set_progress_bar_config(disable=True)
    return pipe, lambda: pipe(batch_size=2, num_inference_steps=steps, generator=torch.Generator().manual_seed(seed),
                              output_type="np").images


def test_sd_interval_1_and_disable_are_bit_identical(tmp_path):
    pipe = tiny.sd_pipe(tmp_path)
    before = {n: dict(m.__dict__) for n, m in pipe.unet.named_modules()}
    base = tiny.sd_call(pipe)
    for branch in (1, 4, 9):
        with stepcache.cached(pipe, DeepCacheConfig(interval=1, branch=branch)):
            assert np.array_equal(tiny.sd_call(pipe), base)
            assert stepcache.summary(pipe).streams == ("F" * 6,)
    stepcache.enable(pipe, DeepCacheConfig(interval=3))
    assert not np.array_equal(tiny.sd_call(pipe), base)
    stepcache.disable(pipe)
    assert np.array_equal(tiny.sd_call(pipe), base)
    assert {n: dict(m.__dict__) for n, m in pipe.unet.named_modules()} == before
    stepcache.disable(pipe)  # disabling again is a no-op


@pytest.mark.parametrize("layers_per_block, levels", [(1, 3), (2, 3), (3, 2), (2, 4)])
def test_ddpm_any_block_layout(layers_per_block, levels):
    unet = tiny.ddpm_unet(layers_per_block=layers_per_block, levels=levels)
    pipe, run = _ddim(unet)
    base = run()
    infos = stepcache.branches(unet)
    # 1 (conv_in) + per level: layers_per_block resnets + 1 downsampler, except the deepest
    assert len(infos) == 1 + levels * layers_per_block + (levels - 1)
    fractions = [b.mac_fraction for b in infos]
    assert fractions == sorted(fractions) and 0 < fractions[0] < fractions[-1] < 1
    with stepcache.cached(pipe, DeepCacheConfig(interval=1)):
        assert np.array_equal(run(), base)
    for branch in (1, len(infos)):
        with stepcache.cached(pipe, DeepCacheConfig(interval=2, branch=branch)):
            out = run()
            assert stepcache.summary(pipe).streams == ("FCFCFCFC",)
        assert np.isfinite(out).all() and not np.array_equal(out, base)
    assert np.array_equal(run(), base)


def test_cached_context_disables_on_error(tmp_path):
    unet = tiny.ddpm_unet()
    with pytest.raises(KeyError):
        with stepcache.cached(unet, DeepCacheConfig(interval=2)):
            raise KeyError("boom")
    assert not hasattr(unet, "_stepcache") and "forward" not in unet.__dict__


@pytest.mark.parametrize("config", [DeepCacheConfig(interval=3, extrapolate=True),
                                    DeepCacheConfig(schedule="adaptive", threshold=1e9, interval=3, extrapolate=True)],
                         ids=["uniform", "adaptive"])
def test_extrapolated_deep_features(tmp_path, config):
    """``extrapolate=True``: a cached step replays each deep module's output extrapolated along the last two full
    steps, f_l + (f_l - f_p) * (t - l) / (l - p), exactly (before the second full step: f_l itself); interval 1
    stays bit-identical."""
    pipe = tiny.sd_pipe(tmp_path)
    base = tiny.sd_call(pipe, steps=8)
    with stepcache.cached(pipe, DeepCacheConfig(interval=1, extrapolate=True)):
        assert np.array_equal(tiny.sd_call(pipe, steps=8), base)
    from stepcache.families.unet import layout

    exit_name = layout(pipe.unet).replayed(config.branch)[-1]  # the one replayed output a live layer reads
    seen, mid = [], []  # (an attention's output is a 1-tuple)
    handles = [pipe.unet.get_submodule(exit_name).register_forward_hook(
                   lambda m, a, out: seen.append(out if isinstance(out, torch.Tensor) else out[0])),
               pipe.unet.mid_block.register_forward_hook(lambda m, a, out: mid.append(out))]
    try:
        with stepcache.cached(pipe, config):
            out = tiny.sd_call(pipe, steps=8)
            (pattern,) = stepcache.summary(pipe).streams
    finally:
        for h in handles:
            h.remove()
    assert exit_name != "mid_block" and pattern == "FCCFCCFC" and np.isfinite(out).all()
    with stepcache.cached(pipe, DeepCacheConfig(interval=3)):
        assert not np.array_equal(tiny.sd_call(pipe, steps=8), out)  # the extrapolation changed the image
    full = [i for i, k in enumerate(pattern) if k == "F"]
    for t, kind in enumerate(pattern):
        if kind == "F":
            continue
        before = [f for f in full if f < t]
        if len(before) < 2:
            assert torch.equal(seen[t], seen[before[-1]])
        else:
            p, last = before[-2:]
            factor = torch.tensor((t - last) / (last - p))
            assert torch.equal(seen[t], seen[last] + (seen[last] - seen[p]) * factor)
        assert mid[t] is mid[before[-1]]  # replayed outputs that only feed replayed layers: reused as kept


def test_a_hand_written_loop_keeps_nothing_after_its_last_step():
    """num_steps from the config alone (a hand-written loop, no pipeline, no generation block): after the last
    step the stream keeps no cache (nor, extrapolating, the previous full step's features)."""
    unet = tiny.ddpm_unet()
    x = torch.randn(1, 1, 16, 16)
    with stepcache.cached(unet, DeepCacheConfig(interval=2, num_steps=6, extrapolate=True)):
        with torch.no_grad():
            for t in (900, 750, 600, 450, 300, 150):  # the last step is cached: it reads the kept features
                x = x + unet(x, t).sample * 0.1  # a new sample each step (the same tensor would be another stream)
        stream = stepcache.api.controller_of(unet).tracker.current.streams[0]
        assert stepcache.summary(unet).streams == ("FCFCFC",)
        assert stream.cache == {} and stream.previous == [] and stream.coefficients is None

