"""Pipelines with several denoisers: Wan 2.2's two experts (``transformer`` while the timestep is at least the
pipeline's boundary, then ``transformer_2``). ``enable(pipe)`` caches both, each on its own schedule over the steps
it runs, and nothing is kept across the handoff or after the call."""

import sys
from pathlib import Path

import pytest
import torch

import stepcache
import tiny_dit
from stepcache import DeepCacheConfig
from stepcache.core import schedules


def run(pipe, kw, steps=7, seed=0, **extra):
    out = pipe(**kw, **extra, num_inference_steps=steps, generator=torch.Generator().manual_seed(seed),
               output_type="latent")
    return torch.as_tensor(out.frames)


def assert_no_stepcache(model):
    """No stepcache hook or state left: the model's own forward everywhere."""
    for m in model.modules():
        registry = m.__dict__.get("_diffusers_hook")
        assert registry is None or not registry.hooks
        assert "forward" not in m.__dict__ and "_stepcache" not in m.__dict__ and "__reduce_ex__" not in m.__dict__


def wan22(boundary_ratio=0.9):
    """Tiny Wan 2.2 text-to-video: tiny_dit's Wan transformer twice (other weights for the second expert)."""
    from diffusers import WanPipeline, WanTransformer3DModel

    pipe, kw = tiny_dit.wan()
    torch.manual_seed(1)
    tr2 = WanTransformer3DModel(**pipe.transformer.config).eval()
    pipe = WanPipeline(**{**pipe.components, "transformer_2": tr2}, boundary_ratio=boundary_ratio)
    pipe.set_progress_bar_config(disable=True)
    return pipe, kw


@pytest.fixture(scope="module")
def wan():
    return wan22()


def split_steps(pipe, steps):
    """How many steps each expert runs: (transformer, transformer_2)."""
    pipe.scheduler.set_timesteps(steps)
    boundary = pipe.config.boundary_ratio * pipe.scheduler.config.num_train_timesteps
    high = int((pipe.scheduler.timesteps >= boundary).sum())
    return high, steps - high


def wan22_i2v():
    """Tiny Wan 2.2 image-to-video (A14B layout: the first frame's latents and mask joined to the sample, no image
    encoder, two experts, boundary 0.875), as diffusers' own test builds it (benchmarks/coverage_specs.json)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import pipeline_coverage as pc

    spec, = pc.load_specs(["wan/Wan22ImageToVideoPipelineTesterConfig"])
    pipe, call = pc.build(spec)
    return pipe, lambda steps: torch.as_tensor(call(num_inference_steps=steps, output_type="latent").frames)


@pytest.mark.parametrize("kind", ["text-to-video", "image-to-video"])
def test_both_experts_cached_each_on_its_own_schedule(wan, kind):
    if kind == "text-to-video":
        pipe, kw = wan
        generate, where = (lambda steps: run(pipe, kw, steps=steps)), dict(first_blocks=1, last_blocks=1)
    else:
        pipe, generate = wan22_i2v()
        where = dict(first_blocks=1, last_blocks=0)  # its experts have 2 blocks each
        assert pipe.transformer.config.in_channels == 2 * pipe.transformer.config.out_channels + 4
    steps = 9
    n1, n2 = split_steps(pipe, steps)
    assert n1 >= 3 and n2 >= 3  # both experts run a few steps: a real handoff
    base = generate(steps)
    with stepcache.cached(pipe, DeepCacheConfig(interval=1, **where)):
        assert torch.equal(generate(steps), base)
    with stepcache.cached(pipe, DeepCacheConfig(interval=3, **where)):
        out = generate(steps)
        s = stepcache.summary(pipe)
        first, (second,) = s, s.others
        assert (first.component, second.component) == ("transformer", "transformer_2")
        # cond and uncond are separate calls: two streams per expert, each uniform over the steps it runs
        assert first.streams == ("".join("F" if i in schedules.uniform(n1, 3) else "C" for i in range(n1)),) * 2
        assert second.streams == ("".join("F" if i in schedules.uniform(n2, 3) else "C" for i in range(n2)),) * 2
        assert second.streams[0][0] == "F"  # the second expert's first step is its step 0: never cached
        assert "transformer_2: DeepCache" in str(s)
        for model in (pipe.transformer, pipe.transformer_2):  # nothing kept after the call
            ctrl = model._stepcache
            assert ctrl.active is None
            assert ctrl.tracker.current is None  # the call's generation ended with it (caches dropped)
        assert torch.equal(generate(steps), out)  # the next call is a fresh generation: the same video
    assert torch.isfinite(out).all() and not torch.equal(out, base)
    assert_no_stepcache(pipe.transformer)
    assert_no_stepcache(pipe.transformer_2)
    assert torch.equal(generate(steps), base)  # disabled: bit-identical again


def test_handoff_keeps_nothing_and_step_counts_change(wan):
    """The first expert's last step records nothing for later (its cache would cross the handoff); another step
    count on the next call re-derives each expert's share."""
    pipe, kw = wan
    seen = []

    def look(p, i, t, kwargs):
        ctrl = p.transformer._stepcache
        gen = ctrl.tracker.current
        seen.append((i, [bool(st.cache) for st in gen.streams] if gen is not None else []))
        return kwargs

    with stepcache.cached(pipe, DeepCacheConfig(interval=2, first_blocks=1, last_blocks=1)):
        for steps in (9, 6):
            seen.clear()
            n1, n2 = split_steps(pipe, steps)
            run(pipe, kw, steps=steps, callback_on_step_end=look)
            # after the first expert's last step its streams hold no cache
            assert seen[n1 - 1][1] == [False, False]
            s = stepcache.summary(pipe)
            assert [len(x) for x in s.streams] == [n1, n1] and [len(x) for x in s.others[0].streams] == [n2, n2]


def test_one_expert_enabled_by_hand(wan):
    """Enabled on transformer_2 alone, it still counts its own steps; transformer runs plain."""
    pipe, kw = wan
    steps = 9
    n1, n2 = split_steps(pipe, steps)
    base = run(pipe, kw, steps=steps)
    with stepcache.cached(pipe.transformer_2, DeepCacheConfig(interval=3, first_blocks=1, last_blocks=1)):
        out = run(pipe, kw, steps=steps)
        s = stepcache.summary(pipe.transformer_2)
        assert s.streams[0] == "".join("F" if i in schedules.uniform(n2, 3) else "C" for i in range(n2))
        assert not hasattr(pipe.transformer, "_stepcache")
        assert stepcache.summary(pipe).component == "transformer_2"
    assert not torch.equal(out, base)
    assert torch.equal(run(pipe, kw, steps=steps), base)


def test_profile_refused_for_two_experts(wan):
    pipe, _ = wan
    key = stepcache.ProfileKey(model_hash=stepcache.api.model_hash(pipe.transformer), scheduler="x", num_steps=9)
    with pytest.raises(ValueError, match="profile: .* 2 \\(transformer, transformer_2\\)"):
        stepcache.enable(pipe, DeepCacheConfig(first_blocks=1, last_blocks=1, num_steps=9, profile=key))
    assert_no_stepcache(pipe.transformer)
    assert_no_stepcache(pipe.transformer_2)


def test_two_experts_with_model_cpu_offload():
    """Model offload (the usual way to fit two experts) re-hooks both after every call: both keep caching, and
    ``disable`` leaves the offload hooks in place."""
    pytest.importorskip("accelerate")
    pipe, kw = wan22()
    steps = 9
    n1, n2 = split_steps(pipe, steps)
    base = run(pipe, kw, steps=steps)
    with stepcache.cached(pipe, DeepCacheConfig(interval=3, first_blocks=1, last_blocks=1)):
        ref = run(pipe, kw, steps=steps)
    pipe.enable_model_cpu_offload(device="cpu")
    with stepcache.cached(pipe, DeepCacheConfig(interval=3, first_blocks=1, last_blocks=1)):
        for _ in range(2):
            assert torch.equal(run(pipe, kw, steps=steps), ref)
            s = stepcache.summary(pipe)
            assert [len(x) for x in s.streams + s.others[0].streams] == [n1, n1, n2, n2]
    for model in (pipe.transformer, pipe.transformer_2):
        assert hasattr(model, "_hf_hook") and getattr(model._old_forward, "__func__", None) is type(model).forward
    assert torch.equal(run(pipe, kw, steps=steps), base)
