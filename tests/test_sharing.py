"""A generation is a generation, whoever calls the model: shared components, other schedulers, rebinding, threads,
several calls per step, hand-written loops, copies. In every case the output equals what a fresh ``enable`` on the
pipeline that actually runs gives (bit for bit), or stepcache raises before anything runs."""

import copy
import dataclasses
import gc
import io
import random
import threading
import weakref

import numpy as np
import pytest
import torch
from diffusers import (DDIMScheduler, DPMSolverMultistepScheduler, EulerDiscreteScheduler,
                       StableDiffusionControlNetPipeline, StableDiffusionImg2ImgPipeline, StableDiffusionPipeline)

import stepcache
import tiny
from stepcache import DeepCacheConfig
from stepcache.core import schedules

CONFIG = DeepCacheConfig(interval=3, branch=2)
IMAGE = torch.from_numpy(np.random.default_rng(0).random((1, 3, 16, 16)).astype(np.float32))


def plain_copy(pipe):
    """The same pipeline on deep copies of its components (taken while nothing is enabled)."""
    comps = {k: copy.deepcopy(v) if isinstance(v, torch.nn.Module) else v for k, v in pipe.components.items()}
    out = type(pipe)(**comps, **({"requires_safety_checker": False} if "safety_checker" in comps else {}))
    out.set_progress_bar_config(disable=True)
    return out


def fresh(pipe, config, **call):
    """What a freshly enabled ``pipe`` gives for one call (``pipe`` shares nothing with the pipelines under test)."""
    with stepcache.cached(pipe, config):
        return tiny.sd_call(pipe, **call)


@pytest.fixture()
def t2i(tmp_path):
    return tiny.sd_pipe(tmp_path, levels=3)


# 1 --------------------------------------------------------------------------------------------------------------
def test_img2img_with_its_own_scheduler_shares_the_unet(t2i):
    ref = plain_copy(t2i)
    i2i = StableDiffusionImg2ImgPipeline.from_pipe(t2i, scheduler=EulerDiscreteScheduler.from_config(t2i.scheduler.config))
    ref_i2i = StableDiffusionImg2ImgPipeline.from_pipe(ref, scheduler=EulerDiscreteScheduler.from_config(ref.scheduler.config))
    other = StableDiffusionPipeline.from_pipe(t2i, scheduler=DPMSolverMultistepScheduler.from_config(t2i.scheduler.config))
    ref_other = StableDiffusionPipeline.from_pipe(ref, scheduler=DPMSolverMultistepScheduler.from_config(ref.scheduler.config))
    stepcache.enable(t2i, CONFIG)
    try:
        for _ in range(2):
            assert np.array_equal(tiny.sd_call(t2i, steps=7), fresh(ref, CONFIG, steps=7))
            assert np.array_equal(tiny.sd_call(i2i, steps=8, image=IMAGE, strength=0.6),
                                  fresh(ref_i2i, CONFIG, steps=8, image=IMAGE, strength=0.6))
            assert stepcache.summary(t2i).streams == ("FCCF",)  # img2img: int(8 * 0.6) steps, counted from its own start
            assert np.array_equal(tiny.sd_call(other, steps=5), fresh(ref_other, CONFIG, steps=5))
    finally:
        stepcache.disable(t2i)


def manual(unet, sched, seed, text, steps=None):
    if steps is not None:
        sched.set_timesteps(steps)
    x = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        for t in sched.timesteps:
            e_u, e_c = unet(torch.cat([x, x]), t, text).sample.chunk(2)
            x = sched.step(e_u + 3.0 * (e_c - e_u), t, x).prev_sample
    return x


def test_hand_written_loop_with_timesteps_set_once(t2i):
    text = torch.randn(2, 7, 32, generator=torch.Generator().manual_seed(1))
    ref_unet = copy.deepcopy(t2i.unet)
    sched = DDIMScheduler.from_config(t2i.scheduler.config)
    sched.set_timesteps(6)  # once, for three seeds
    with stepcache.cached(t2i, CONFIG):
        got = [manual(t2i.unet, sched, seed, text) for seed in range(3)]
    for seed in range(3):
        with stepcache.cached(ref_unet, CONFIG):
            assert torch.equal(got[seed], manual(ref_unet, DDIMScheduler.from_config(t2i.scheduler.config), seed,
                                                 text, steps=6))


# 2 --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("config", [DeepCacheConfig(interval=3, schedule="nonuniform", center=2),
                                    DeepCacheConfig(interval=2, start=0.2, stop=0.8),
                                    DeepCacheConfig(schedule="calibrated", full_steps=(0, 3, 4))],
                         ids=["nonuniform", "fractional", "calibrated"])
def test_rebinding_the_pipeline_after_enable(t2i, config):
    ref = plain_copy(t2i)
    expected = fresh(ref, config, steps=7)
    pipe = t2i
    stepcache.enable(pipe, config)
    pipe = StableDiffusionPipeline.from_pipe(pipe)
    del t2i
    gc.collect()
    assert np.array_equal(tiny.sd_call(pipe, steps=7), expected)
    assert np.array_equal(tiny.sd_call(pipe, steps=7), expected)
    stepcache.disable(pipe)


# 3 --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("own_scheduler", [False, True])
def test_shared_controlnet_never_changes_a_pipeline_that_did_not_enable(tmp_path, own_scheduler):
    a = tiny.controlnet_pipe(tmp_path)
    ref_a = plain_copy(a)
    comps = dict(a.components, unet=tiny.sd_unet(levels=3, seed=5))
    if own_scheduler:
        comps["scheduler"] = EulerDiscreteScheduler.from_config(a.scheduler.config)
    b = StableDiffusionControlNetPipeline(**comps, requires_safety_checker=False)
    b.set_progress_bar_config(disable=True)
    plain_b = tiny.sd_call(b, steps=7, image=IMAGE)
    stepcache.enable(a, CONFIG)
    try:
        expected_a = fresh(ref_a, CONFIG, steps=7, image=IMAGE)
        for _ in range(2):
            assert np.array_equal(tiny.sd_call(b, steps=7, image=IMAGE), plain_b)
            assert np.array_equal(tiny.sd_call(a, steps=7, image=IMAGE), expected_a)
    finally:
        stepcache.disable(a)


def test_controlnet_by_hand_runs_whole(tmp_path):
    a = tiny.controlnet_pipe(tmp_path)
    x, text, cond = torch.randn(2, 4, 8, 8), torch.randn(2, 7, 32), torch.rand(2, 3, 16, 16)
    with torch.no_grad():
        plain = [a.controlnet(x, torch.tensor(t), text, controlnet_cond=cond, return_dict=False) for t in (900, 800)]
        with stepcache.cached(a, CONFIG):
            got = [a.controlnet(x, torch.tensor(t), text, controlnet_cond=cond, return_dict=False) for t in (900, 800)]
    for (pd, pm), (gd, gm) in zip(plain, got):
        assert torch.equal(pm, gm) and all(torch.equal(u, v) for u, v in zip(pd, gd))


# 4 --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("config", [CONFIG, dataclasses.replace(CONFIG, extrapolate=True),
                                    dataclasses.replace(CONFIG, forecaster="taylor", order=2),
                                    dataclasses.replace(CONFIG, forecaster="chebyshev", order=2, anchors=4)],
                         ids=["reuse", "extrapolate", "taylor2", "chebyshev"])
def test_threads_share_one_enabled_unet(t2i, config):
    """Three pipelines on one U-Net (and one text encoder), called from three threads at once. Each has its own
    scheduler, tokenizer and VAE: plain diffusers needs that (a shared fast tokenizer switches padding modes between
    threads, img2img casts a shared VAE), with those shared plain diffusers itself differs from the sequential run."""
    def own(**extra):
        return dict(tokenizer=copy.deepcopy(t2i.tokenizer), vae=copy.deepcopy(t2i.vae), **extra)

    i2i = StableDiffusionImg2ImgPipeline.from_pipe(
        t2i, **own(scheduler=EulerDiscreteScheduler.from_config(t2i.scheduler.config)))
    other = StableDiffusionPipeline.from_pipe(t2i, **own(scheduler=DDIMScheduler.from_config(t2i.scheduler.config)))
    jobs = [(t2i, dict(steps=9, seed=1)), (i2i, dict(steps=10, seed=2, image=IMAGE, strength=0.7)),
            (other, dict(steps=6, seed=3, num_images_per_prompt=2))]
    stepcache.enable(t2i, config)
    try:
        concurrently(jobs, lambda p, kw: tiny.sd_call(p, **kw))
    finally:
        stepcache.disable(t2i)


def concurrently(jobs, call, trials=3):
    """Each job run twice in its own thread, all threads started at once, ``trials`` times: every result equals
    the job's sequential run (bit for bit)."""
    sequential = [np.asarray(call(p, kw)) for p, kw in jobs]
    for trial in range(trials):
        results: dict[int, np.ndarray] = {}
        errors: list[BaseException] = []
        barrier = threading.Barrier(len(jobs))

        def work(j):
            try:
                barrier.wait()
                for _ in range(2):
                    p, kw = jobs[j]
                    results[j] = np.asarray(call(p, kw))
                    assert np.array_equal(results[j], sequential[j])
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=work, args=(j,)) for j in range(len(jobs))]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert not errors, (trial, errors)
        assert all(np.array_equal(results[j], sequential[j]) for j in range(len(jobs)))
    return sequential


@pytest.mark.parametrize("config", [
    DeepCacheConfig(interval=3, first_blocks=1, last_blocks=1),
    DeepCacheConfig(interval=3, first_blocks=1, last_blocks=1, forecaster="taylor", order=2),
    DeepCacheConfig(interval=2, first_blocks=1, last_blocks=0, forecaster="chebyshev", order=2, anchors=4),
    DeepCacheConfig(schedule="first-block", threshold=0.5)], ids=["reuse", "taylor2", "chebyshev", "first-block"])
def test_threads_share_one_enabled_transformer(config):
    """One Flux transformer behind three pipelines (its own, a from_pipe copy with another scheduler, one with true
    CFG: two calls a step), called from three threads at once: each result is its sequential run, and caching
    changed them (the uncached runs differ)."""
    import tiny_dit
    from diffusers import FlowMatchEulerDiscreteScheduler, FluxPipeline

    pipe, kw = tiny_dit.flux()
    _, cfg_kw = tiny_dit.flux(true_cfg=True)
    other = FluxPipeline.from_pipe(pipe, scheduler=FlowMatchEulerDiscreteScheduler(shift=3.0))
    guided = FluxPipeline.from_pipe(pipe, scheduler=FlowMatchEulerDiscreteScheduler())
    for p in (other, guided):
        p.set_progress_bar_config(disable=True)
    jobs = [(pipe, dict(kw, steps=8, seed=1)), (other, dict(kw, steps=6, seed=2)),
            (guided, dict(cfg_kw, steps=7, seed=3))]

    def call(p, job):
        job = dict(job)
        steps, seed = job.pop("steps"), job.pop("seed")
        return p(**job, num_inference_steps=steps, generator=torch.Generator().manual_seed(seed),
                 output_type="latent").images

    plain = [np.asarray(call(p, job)) for p, job in jobs]
    with stepcache.cached(pipe, config):
        cached = concurrently(jobs, call)
        assert stepcache.api.controller_of(pipe).tracker.current is None
    assert all(not np.array_equal(c, u) for c, u in zip(cached, plain))
    assert all(np.array_equal(np.asarray(call(p, job)), u) for (p, job), u in zip(jobs, plain))  # disabled


# 5 --------------------------------------------------------------------------------------------------------------
class Router:
    """Reference for pipelines that call the U-Net several times per step: the k-th call of each step goes to its
    own separately enabled copy (each a bare U-Net, one call per step)."""

    def __init__(self, unet, config, per_step):
        self.copies = [copy.deepcopy(unet) for _ in range(per_step)]
        for c in self.copies:
            stepcache.enable(c, config)
        self.per_step, self.n = per_step, 0

    def __call__(self, *args, **kwargs):
        out = self.copies[self.n % self.per_step](*args, **kwargs)
        self.n += 1
        return out


def _several_calls_per_step(pipe, call, per_step, steps):
    ref_unet = copy.deepcopy(pipe.unet)
    router = Router(ref_unet, CONFIG, per_step)
    pipe.unet.forward = router  # the pipeline calls pipe.unet; its calls go to the copies
    try:
        expected = call()
    finally:
        del pipe.unet.forward
    deep = []
    with stepcache.cached(pipe, CONFIG):
        handle = pipe.unet.mid_block.resnets[0].register_forward_hook(lambda *a: deep.append(1))
        got = call()
        handle.remove()
        streams = stepcache.summary(pipe).streams
    assert np.array_equal(got, expected)
    pattern = "".join("F" if i in schedules.uniform(steps, 3) else "C" for i in range(steps))
    assert streams == (pattern,) * per_step
    assert len(deep) == pattern.count("F") * per_step


def test_panorama_views_are_streams(tmp_path):
    from diffusers import StableDiffusionPanoramaPipeline

    base = tiny.sd_pipe(tmp_path, levels=3)
    pipe = StableDiffusionPanoramaPipeline(**base.components, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    # a 16x32 panorama (8x16 latents) in three overlapping 8x8 views per step (the tiny VAE downsamples by 2)
    pipe.get_views = lambda *a, **k: [(0, 8, 0, 8), (0, 8, 4, 12), (0, 8, 8, 16)]
    _several_calls_per_step(pipe, lambda: tiny.sd_call(pipe, steps=6, height=16, width=32, view_batch_size=1),
                            per_step=3, steps=6)


def test_sag_is_refused_before_anything_runs(tmp_path):
    """SAG degrades the latents with the mid block's attention map of the same step: on a cached step that map is
    not computed (the pipeline would read a stale one, of another pass). Refused at the first U-Net call."""
    from diffusers import StableDiffusionSAGPipeline

    base = tiny.sd_pipe(tmp_path, levels=3)
    ref = plain_copy(base)
    pipe = StableDiffusionSAGPipeline(**base.components, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    ref_pipe = StableDiffusionSAGPipeline(**ref.components, requires_safety_checker=False)
    ref_pipe.set_progress_bar_config(disable=True)
    runs = []
    handle = pipe.unet.conv_in.register_forward_hook(lambda *a: runs.append(1))
    with stepcache.cached(pipe, CONFIG):
        with pytest.raises(RuntimeError, match="StableDiffusionSAGPipeline reads the mid block's self-attention map"):
            tiny.sd_call(pipe, steps=6, sag_scale=0.75)
        assert runs == []
        # without self-attention guidance it is a plain SD pipeline
        assert np.array_equal(tiny.sd_call(pipe, steps=6, sag_scale=0.0), fresh(ref_pipe, CONFIG, steps=6, sag_scale=0.0))
    handle.remove()


# 6 --------------------------------------------------------------------------------------------------------------
def test_bare_unet_repeated_one_step_generations(t2i):
    unet, text = t2i.unet, torch.randn(2, 7, 32)
    xs = [torch.randn(2, 4, 8, 8, generator=torch.Generator().manual_seed(s)) for s in range(3)]
    with torch.no_grad():
        plain = [unet(x, torch.tensor(999), text).sample for x in xs]
        with stepcache.cached(unet, DeepCacheConfig(interval=2)):
            got = [unet(x, torch.tensor(999), text).sample for x in xs]
            assert stepcache.summary(unet).streams == ("F",)
    assert all(torch.equal(p, g) for p, g in zip(plain, got))


def test_generation_block_for_hand_written_heun(t2i):
    from diffusers import HeunDiscreteScheduler

    unet, text = t2i.unet, torch.randn(2, 7, 32, generator=torch.Generator().manual_seed(1))
    sched = HeunDiscreteScheduler.from_config(t2i.scheduler.config)

    def loop():
        sched.set_timesteps(4)
        x = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(0)) * sched.init_noise_sigma
        with torch.no_grad():
            for t in sched.timesteps:
                inp = sched.scale_model_input(torch.cat([x, x]), t)
                e_u, e_c = unet(inp, t, text).sample.chunk(2)
                x = sched.step(e_u + 3.0 * (e_c - e_u), t, x).prev_sample
        return x

    with stepcache.cached(unet, CONFIG):
        loop()  # outside a generation block a repeated timestep starts a new generation: never wrong, rarely cached
        assert "C" not in "".join(stepcache.summary(unet).streams)
        with stepcache.generation(unet, num_steps=7):
            got = loop()
        assert stepcache.summary(unet).streams == ("FCCFCCF",)
    assert got.shape == (1, 4, 8, 8) and torch.isfinite(got).all()


# 7 --------------------------------------------------------------------------------------------------------------
def test_denoising_end_lays_the_schedule_over_the_steps_that_run(tmp_path):
    pipe = tiny.sdxl_pipe(tmp_path)
    config = DeepCacheConfig(interval=3, stop=0.8)
    with stepcache.cached(pipe, config):
        pipe(prompt="a red cube", num_inference_steps=20, denoising_end=0.5, output_type="latent", height=16,
             width=16)
        (pattern,) = stepcache.summary(pipe).streams
    assert len(pattern) == 10
    assert pattern == "".join("F" if schedules.is_full(i, config, 10) else "C" for i in range(10)) == "FCCFCCFCFF"


# 8 --------------------------------------------------------------------------------------------------------------
def _no_stepcache_left(model):
    for m in model.modules():
        assert "_diffusers_hook" not in m.__dict__ and "forward" not in m.__dict__
        assert "_stepcache" not in m.__dict__ and "__reduce_ex__" not in m.__dict__


def test_deepcopy_and_pickle_give_the_plain_model(t2i):
    unet, text = t2i.unet, torch.randn(2, 7, 32)
    x = torch.randn(2, 4, 8, 8)
    with torch.no_grad():
        plain = unet(x, torch.tensor(500), text).sample
    stepcache.enable(unet, CONFIG)
    try:
        dup = copy.deepcopy(unet)
        _no_stepcache_left(dup)
        with torch.no_grad():
            assert torch.equal(dup(x, torch.tensor(500), text).sample, plain)
            for p in dup.parameters():
                p.mul_(1.5)  # the copy runs its own weights, not the original's
            scaled = copy.deepcopy(unet)
        stepcache.disable(unet)
        _no_stepcache_left(scaled)
        with torch.no_grad():
            for p in scaled.parameters():
                p.mul_(1.5)
            assert torch.equal(dup(x, torch.tensor(500), text).sample, scaled(x, torch.tensor(500), text).sample)
        stepcache.enable(unet, CONFIG)
        buf = io.BytesIO()
        torch.save(unet, buf)
        buf.seek(0)
        loaded = torch.load(buf, weights_only=False)
        _no_stepcache_left(loaded)
        with torch.no_grad():
            assert torch.equal(loaded(x, torch.tensor(500), text).sample, plain)
        assert "_stepcache" in unet.__dict__  # the original stays enabled
    finally:
        stepcache.disable(unet)
    _no_stepcache_left(unet)


def test_submodule_swap_is_refused_and_disable_leaves_no_hook(t2i):
    ref = plain_copy(t2i)
    stepcache.enable(t2i, CONFIG)
    t2i.unet.mid_block = copy.deepcopy(t2i.unet.mid_block)  # a plain copy of a hooked module
    with pytest.raises(RuntimeError, match="mid_block.*was replaced"):
        tiny.sd_call(t2i, steps=4)
    stepcache.disable(t2i)
    _no_stepcache_left(t2i.unet)
    stepcache.enable(t2i, CONFIG)  # enabling again works and gives a fresh enable's output
    try:
        assert np.array_equal(tiny.sd_call(t2i, steps=7), fresh(ref, CONFIG, steps=7))
    finally:
        stepcache.disable(t2i)
    assert np.array_equal(tiny.sd_call(t2i, steps=7), tiny.sd_call(ref, steps=7))


# 9 --------------------------------------------------------------------------------------------------------------
def test_branches_while_enabled_touches_nothing(t2i):
    expected = tiny.sd_call(plain_copy(t2i), steps=7, guidance_scale=1.0)
    before = stepcache.branches(t2i)
    with stepcache.cached(t2i, CONFIG):
        expected_cached = tiny.sd_call(t2i, steps=7)
        tiny.sd_call(t2i, steps=7, guidance_scale=1.0)
        summary = stepcache.summary(t2i)
        assert stepcache.branches(t2i) == before
        assert stepcache.summary(t2i).streams == summary.streams

        def look(p, i, t, kw):
            stepcache.branches(p)
            return kw

        assert np.array_equal(tiny.sd_call(t2i, steps=7, callback_on_step_end=look), expected_cached)
        assert stepcache.summary(t2i).streams == ("FCCFCCF",)
    assert np.array_equal(tiny.sd_call(t2i, steps=7, guidance_scale=1.0), expected)


def test_branches_on_kandinsky_and_ip_adapter_unets():
    from diffusers import UNet2DConditionModel
    from diffusers.models.attention_processor import AttnProcessor2_0, IPAdapterAttnProcessor2_0
    from diffusers.models.embeddings import ImageProjection, MultiIPAdapterImageProjection

    torch.manual_seed(0)
    kandinsky = UNet2DConditionModel(
        sample_size=8, in_channels=4, out_channels=8, layers_per_block=1, block_out_channels=(16, 32),
        down_block_types=("ResnetDownsampleBlock2D", "SimpleCrossAttnDownBlock2D"),
        up_block_types=("SimpleCrossAttnUpBlock2D", "ResnetUpsampleBlock2D"), norm_num_groups=8,
        encoder_hid_dim=16, encoder_hid_dim_type="image_proj", addition_embed_type="image",
        cross_attention_dim=32, attention_head_dim=8, mid_block_type="UNetMidBlock2DSimpleCrossAttn").eval()
    before = stepcache.branches(kandinsky)
    assert len(before) == 4 and all(0 < b.mac_fraction < 1 for b in before)
    with stepcache.cached(kandinsky, CONFIG):
        assert stepcache.branches(kandinsky) == before

    unet = tiny.sd_unet(levels=3)
    procs = {}
    for name in unet.attn_processors:
        attn = unet.get_submodule(name.removesuffix(".processor"))
        procs[name] = AttnProcessor2_0() if name.endswith("attn1.processor") else IPAdapterAttnProcessor2_0(
            hidden_size=attn.to_q.out_features, cross_attention_dim=32, num_tokens=(4,))
    unet.set_attn_processor(procs)
    unet.encoder_hid_proj = MultiIPAdapterImageProjection([ImageProjection(16, 32, 4)])
    unet.register_to_config(encoder_hid_dim_type="ip_image_proj")
    with stepcache.cached(unet, CONFIG):
        made_up = stepcache.branches(unet)  # before any run: one zero image embedding per adapter
        assert len(made_up) == 9 and all(0 < b.mac_fraction < 1 for b in made_up)
        with torch.no_grad():
            unet(torch.randn(1, 4, 8, 8), torch.tensor(10), torch.randn(1, 7, 32),
                 added_cond_kwargs={"image_embeds": [torch.randn(1, 1, 16)]})
        info = stepcache.branches(unet)
        assert len(info) == 9 and all(0 < b.mac_fraction < 1 for b in info)
        assert stepcache.summary(unet).streams == ("F",)


# 10 -------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("config", [CONFIG, dataclasses.replace(CONFIG, extrapolate=True)],
                         ids=["reuse", "extrapolate"])
def test_nothing_generation_sized_stays_after_the_call(t2i, config):
    kept = []
    with stepcache.cached(t2i, config):
        hooks = [t2i.unet.mid_block.register_forward_hook(lambda m, a, out: kept.append(weakref.ref(out))),
                 t2i.unet.conv_in.register_forward_pre_hook(lambda m, a: kept.append(weakref.ref(a[0])))]
        out = tiny.sd_call(t2i, steps=7)
        for h in hooks:
            h.remove()
        gc.collect()
        assert kept and all(r() is None for r in kept)
        ctrl = t2i.unet._stepcache
        assert ctrl.tracker.current is None  # the call's generation ended with the call (caches dropped)
        assert ctrl.last_inputs is not None  # shapes only: summary() still works
        assert stepcache.summary(t2i).streams == ("FCCFCCF",)
    assert out.shape == (1, 16, 16, 3)


# soak -----------------------------------------------------------------------------------------------------------
def test_soak_200_mixed_calls(tmp_path):
    base = tiny.controlnet_pipe(tmp_path)
    t2i = StableDiffusionPipeline(**{k: v for k, v in base.components.items() if k != "controlnet"},
                                  requires_safety_checker=False)
    ref_base = plain_copy(base)
    ref_t2i = StableDiffusionPipeline(**{k: v for k, v in ref_base.components.items() if k != "controlnet"},
                                      requires_safety_checker=False)
    schedulers = [DDIMScheduler, EulerDiscreteScheduler, DPMSolverMultistepScheduler]
    rng = random.Random(0)

    def pipelines(t2i_pipe, net_pipe, kind, sched):
        s = sched.from_config(t2i_pipe.scheduler.config)
        if kind == "t2i":
            p = StableDiffusionPipeline.from_pipe(t2i_pipe, scheduler=s)
        elif kind == "i2i":
            p = StableDiffusionImg2ImgPipeline.from_pipe(t2i_pipe, scheduler=s)
        else:
            p = StableDiffusionControlNetPipeline.from_pipe(net_pipe, scheduler=s)
        p.set_progress_bar_config(disable=True)
        return p

    config = DeepCacheConfig(interval=2, branch=3)
    stepcache.enable(t2i, config)
    try:
        for n in range(200):
            kind = rng.choice(["t2i", "i2i", "controlnet"])
            sched = rng.choice(schedulers)
            kw = dict(steps=rng.randint(2, 6), seed=n, num_images_per_prompt=rng.choice([1, 2]),
                      guidance_scale=rng.choice([1.0, 3.0]))
            size = rng.choice([16, 24])
            kw.update(height=size, width=size)
            if kind == "i2i":
                kw.update(image=torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(n)),
                          strength=rng.choice([0.5, 0.8, 1.0]))
            elif kind == "controlnet":
                kw.update(image=torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(n)))
            stop_at = rng.choice([None] * 5 + [0, 1])

            def stop(p, i, t, k):
                if i == stop_at:
                    raise KeyboardInterrupt("stop")
                return k

            p = pipelines(t2i, base, kind, sched)
            try:  # an interrupt (when the call has that many steps) leaves nothing for the next call to read
                got = tiny.sd_call(p, callback_on_step_end=stop, **kw)
            except KeyboardInterrupt:
                continue
            ref = pipelines(ref_t2i, ref_base, kind, sched)
            assert np.array_equal(got, fresh(ref, config, **kw)), (n, kind, sched.__name__, kw)
    finally:
        stepcache.disable(t2i)
