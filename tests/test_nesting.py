"""Generations nest, and end with their call: a pipeline called from another one's callback (same thread, same
denoiser), a ``stepcache.generation`` block inside another or inside a pipeline call. The outer generation gives
what a fresh ``enable`` gives without the nested call, the inner one what it gives alone (bit for bit). After a
pipeline call, however it ends (returned, interrupted, raised), nothing generation-sized is kept."""

import copy
import dataclasses
import gc
import weakref

import pytest
import torch
from diffusers import DDIMScheduler, FlowMatchEulerDiscreteScheduler, StableDiffusionPipeline

import stepcache
import tiny
import tiny_dit
from stepcache import DeepCacheConfig

CONFIGS = {"reuse": DeepCacheConfig(interval=3, branch=2), "extrapolate": DeepCacheConfig(interval=3, branch=2,
                                                                                             extrapolate=True)}
DIT = {"reuse": DeepCacheConfig(interval=3, first_blocks=1, last_blocks=1),
       "extrapolate": DeepCacheConfig(interval=3, first_blocks=1, last_blocks=1, extrapolate=True)}


def sd(tmp_path):
    pipe = tiny.sd_pipe(tmp_path, levels=3)
    # the inner pipeline shares the U-Net, not the scheduler (a scheduler keeps per-call state of its own)
    inner = StableDiffusionPipeline.from_pipe(pipe, scheduler=DDIMScheduler.from_config(pipe.scheduler.config))
    inner.set_progress_bar_config(disable=True)

    def call(p, steps, seed=0, at=None, then=None):
        extra = {}
        if at is not None:
            def callback(pp, i, t, kwargs):
                if i == at:
                    then()
                return kwargs
            extra["callback_on_step_end"] = callback
        return torch.as_tensor(tiny.sd_call(p, steps=steps, seed=seed, **extra))
    return pipe, inner, call


def dit(family):
    def build(tmp_path):
        pipe, kw = tiny_dit.BUILDERS[family]()
        inner = type(pipe).from_pipe(pipe, scheduler=type(pipe.scheduler).from_config(pipe.scheduler.config))
        inner.set_progress_bar_config(disable=True)

        def call(p, steps, seed=0, at=None, then=None):
            extra = {}
            if at is not None and family != "pixart_alpha":
                def callback(pp, i, t, kwargs):
                    if i == at:
                        then()
                    return kwargs
                extra["callback_on_step_end"] = callback
            elif at is not None:  # PixArt: the old-style callback(step, t, latents)
                extra["callback"] = lambda i, t, latents: then() if i == at else None
            out = p(**kw, **extra, num_inference_steps=steps, generator=torch.Generator().manual_seed(seed),
                    output_type="latent")
            return torch.as_tensor(getattr(out, "frames", None) if family in VIDEO else out.images)
        return pipe, inner, call
    return build


VIDEO = ("wan", "cogvideox")  # Wan: cond and uncond as two calls a step (two streams); CogVideoX: one batched call
FAMILIES = {"sd": (sd, CONFIGS), "pixart": (dit("pixart_alpha"), DIT), "flux": (dit("flux"), DIT),
            "wan": (dit("wan"), DIT), "cogvideox": (dit("cogvideox"), DIT)}


@pytest.mark.parametrize("kind", ["reuse", "extrapolate"])
@pytest.mark.parametrize("family", list(FAMILIES))
def test_pipeline_called_from_a_callback_nests(tmp_path, family, kind):
    build, configs = FAMILIES[family]
    config = configs[kind]
    pipe, inner, call = build(tmp_path)
    with stepcache.cached(pipe, config):
        ref_outer = call(pipe, 7)
        outer_pattern = stepcache.summary(pipe).streams
    with stepcache.cached(inner, config):
        ref_inner = call(inner, 5, seed=1)
        inner_pattern = stepcache.summary(inner).streams
    assert outer_pattern[0] == "FCCFCCF" and inner_pattern[0] == "FCCFC"
    seen = {}

    def nested():  # a preview / refiner pass on the same denoiser, mid-generation
        seen["inner"] = call(inner, 5, seed=1)
        seen["pattern"] = stepcache.summary(pipe).streams

    with stepcache.cached(pipe, config):
        out = call(pipe, 7, at=2, then=nested)
        assert stepcache.summary(pipe).streams == outer_pattern
        assert stepcache.api.controller_of(pipe).tracker.current is None
    assert torch.equal(out, ref_outer)
    assert torch.equal(seen["inner"], ref_inner) and seen["pattern"] == inner_pattern


def test_inner_call_that_raises_leaves_the_outer_untouched(tmp_path):
    config = CONFIGS["extrapolate"]
    pipe, inner, call = sd(tmp_path)
    with stepcache.cached(pipe, config):
        ref_outer = call(pipe, 7)
    calls = {"n": 0}

    def fail_at_third_call(module, args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("inside the inner call")

    def nested():  # the inner call fails inside the U-Net, mid-generation; the callback catches it
        handle = pipe.unet.conv_in.register_forward_pre_hook(fail_at_third_call)
        try:
            with pytest.raises(RuntimeError, match="inside the inner call"):
                call(inner, 5, seed=1)
        finally:
            handle.remove()

    with stepcache.cached(pipe, config):
        out = call(pipe, 7, at=2, then=nested)
        assert stepcache.summary(pipe).streams == ("FCCFCCF",)
    assert torch.equal(out, ref_outer) and calls["n"] == 3


def _loop(unet, x, timesteps, text):
    with torch.no_grad():
        for t in timesteps:
            x = x + unet(x, t, text).sample * 0.1  # a new sample each step
    return x


@pytest.mark.parametrize("kind", ["reuse", "extrapolate"])
def test_generation_blocks_nest(tmp_path, kind):
    config = CONFIGS[kind]
    unet = tiny.sd_unet(levels=3)
    text = torch.randn(1, 7, 32, generator=torch.Generator().manual_seed(1))
    x0, y0 = (torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(s)) for s in (2, 3))
    outer_t, inner_t = [900, 800, 700, 600, 500, 400, 300], [950, 700, 450, 200, 100]

    def alone(x, ts):
        with stepcache.cached(unet, config), stepcache.generation(unet, num_steps=len(ts)):
            out = _loop(unet, x, ts, text)
            return out, stepcache.summary(unet).streams

    ref_outer, outer_pattern = alone(x0, outer_t)
    ref_inner, inner_pattern = alone(y0, inner_t)
    assert outer_pattern == ("FCCFCCF",) and inner_pattern == ("FCCFC",)
    with stepcache.cached(unet, config):
        with stepcache.generation(unet, num_steps=7), torch.no_grad():
            x = x0
            for i, t in enumerate(outer_t):
                if i == 3:  # a hand-written preview loop, in a block of its own, between two steps
                    with stepcache.generation(unet, num_steps=5):
                        inner = _loop(unet, y0, inner_t, text)
                        assert stepcache.summary(unet).streams == inner_pattern
                x = x + unet(x, t, text).sample * 0.1
            assert stepcache.summary(unet).streams == outer_pattern
        assert stepcache.api.controller_of(unet).tracker.current is None
    assert torch.equal(x, ref_outer) and torch.equal(inner, ref_inner)


def test_generation_block_inside_a_pipeline_callback(tmp_path):
    config = CONFIGS["extrapolate"]
    pipe, _, call = sd(tmp_path)
    text = torch.randn(2, 7, 32, generator=torch.Generator().manual_seed(1))
    y0 = torch.randn(2, 4, 2, 2, generator=torch.Generator().manual_seed(3))  # 16 px / 8: the pipeline's latents
    ts = [950, 700, 450, 200, 100]
    with stepcache.cached(pipe, config):
        ref_outer = call(pipe, 7)
        with stepcache.generation(pipe, num_steps=5):
            ref_inner = _loop(pipe.unet, y0, ts, text)
    seen = {}

    def nested():
        with stepcache.generation(pipe, num_steps=5):
            seen["inner"] = _loop(pipe.unet, y0, ts, text)
            seen["pattern"] = stepcache.summary(pipe).streams

    with stepcache.cached(pipe, config):
        out = call(pipe, 7, at=3, then=nested)
        assert stepcache.summary(pipe).streams == ("FCCFCCF",)
    assert torch.equal(out, ref_outer) and torch.equal(seen["inner"], ref_inner)
    assert seen["pattern"] == ("FCCFC",)


# -- nothing kept after a call --------------------------------------------------------------------------------------
class Kept:
    """Weak references to every tensor the denoiser's blocks output during a call (what a cache would keep)."""

    def __init__(self, model, names):
        self.refs = []
        self.handles = [model.get_submodule(n).register_forward_hook(self.keep) for n in names]

    def keep(self, module, args, out):
        for o in out if isinstance(out, tuple) else (getattr(out, "sample", out),):
            if isinstance(o, torch.Tensor):
                self.refs.append(weakref.ref(o))

    def alive(self) -> int:
        for h in self.handles:
            h.remove()
        gc.collect()
        return sum(r() is not None for r in self.refs)


def _blocks(model) -> list[str]:
    if hasattr(model, "down_blocks"):
        return [f"down_blocks.{i}" for i in range(len(model.down_blocks))] + ["mid_block"] + \
            [f"up_blocks.{i}" for i in range(len(model.up_blocks))]
    return [f"{name}.{i}" for name, kinds in tiny_dit.denoiser_blocks(model).items() for i in range(len(kinds))]


def live_tensors() -> int:
    gc.collect()
    return sum(isinstance(o, torch.Tensor) for o in gc.get_objects())


class Stop(Exception):
    pass


def _ending(how):
    """A callback that ends the call at step 2: ``interrupt`` (``pipe._interrupt``) or ``raise``."""
    def end(p, i, t, kwargs):
        if i == 2:
            if how == "raise":
                raise Stop()
            p._interrupt = True
        return kwargs
    return end


@pytest.mark.parametrize("how", ["return", "interrupt", "raise"])
@pytest.mark.parametrize("family", ["sd", "flux", "wan"])
def test_nothing_generation_sized_stays_however_the_call_ends(tmp_path, family, how):
    if family == "sd":
        pipe = tiny.sd_pipe(tmp_path, levels=3)
        kw = dict(prompt="a red cube", guidance_scale=3.0, height=16, width=16)
    elif family == "flux":
        pipe, kw = tiny_dit.flux(true_cfg=True)  # two streams per step
    else:
        pipe, kw = tiny_dit.wan()  # two streams per step, a video
    model = tiny_dit.denoiser(pipe)
    config = dataclasses.replace(CONFIGS["extrapolate"] if family == "sd" else DIT["extrapolate"], interval=2)

    def call():
        extra = {} if how == "return" else {"callback_on_step_end": _ending(how)}
        try:
            pipe(**kw, **extra, num_inference_steps=7, generator=torch.Generator().manual_seed(0),
                 output_type="latent")
        except Stop:
            pass

    call()  # warm: whatever a first call creates for good (e.g. the scheduler's tables)
    before = live_tensors()
    plain = Kept(model, _blocks(model))
    call()
    assert plain.refs and plain.alive() == 0 and live_tensors() == before  # the measures: a plain call keeps nothing
    with stepcache.cached(pipe, config):
        kept = Kept(model, _blocks(model))
        call()
        assert kept.refs and kept.alive() == 0, "a block's output is still held after the call"
        assert live_tensors() == before, "tensors made during the call are still alive after it"
        ctrl = stepcache.api.controller_of(pipe)
        assert ctrl.tracker.current is None
        assert ctrl.active is None and ctrl.head_input is None
        assert "F" in stepcache.summary(pipe).streams[0]  # the logs (strings) stay for summary()


def test_shared_transformer_caches_in_a_pipeline_that_did_not_enable():
    """The guide's sentence: DeepCache is enabled on the denoiser, so a pipeline that shares it (from_pipe) caches
    (as a fresh enable on it would); a pipeline that shares other components only is plain."""
    from diffusers import PixArtSigmaPipeline

    pipe, kw = tiny_dit.pixart_alpha()
    other = PixArtSigmaPipeline.from_pipe(pipe)
    other.set_progress_bar_config(disable=True)
    plain_transformer = copy.deepcopy(pipe.transformer)
    run = lambda p: p(**kw, num_inference_steps=6, generator=torch.Generator().manual_seed(0),  # noqa: E731
                      output_type="latent").images
    plain = run(other)
    with stepcache.cached(other, DIT["reuse"]):
        fresh = run(other)
    with stepcache.cached(pipe, DIT["reuse"]):
        shared = run(other)
        assert stepcache.summary(pipe).streams == ("FCCFCC",)
    assert torch.equal(shared, fresh) and not torch.equal(shared, plain)
    # a pipeline on its own transformer (only the VAE shared) is plain
    alone = PixArtSigmaPipeline.from_pipe(pipe, transformer=plain_transformer)
    alone.set_progress_bar_config(disable=True)
    with stepcache.cached(pipe, DIT["reuse"]):
        assert torch.equal(run(alone), plain)
