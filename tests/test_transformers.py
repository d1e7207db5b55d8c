"""Transformer denoisers (DiT, PixArt-alpha/Sigma, SD3, Flux, HunyuanDiT, CogVideoX, Wan, Sana) on tiny random
pipelines built offline: exact where nothing is cached, cached steps are the live blocks plus the stored residual,
patterns follow the schedule, parity with diffusers' FirstBlockCache, state never leaks."""

import copy
from dataclasses import replace

import pytest
import torch
from diffusers.hooks import FirstBlockCacheConfig

import stepcache
import tiny_dit
from stepcache import DeepCacheConfig
from stepcache.core import schedules
from stepcache.families import transformer as blocks

FAMILIES = list(tiny_dit.BUILDERS)


def run(pipe, kw, steps=7, seed=0, **extra):
    out = pipe(**kw, **extra, num_inference_steps=steps, generator=torch.Generator().manual_seed(seed),
               output_type="latent")
    out = out[0] if isinstance(out, tuple) else getattr(out, "images", getattr(out, "frames", out))
    return torch.as_tensor(out)


def assert_no_stepcache(model):
    """No stepcache hook or state left (diffusers' own pipelines may leave an empty hook registry behind)."""
    for m in model.modules():
        registry = m.__dict__.get("_diffusers_hook")
        assert registry is None or not registry.hooks
        assert "forward" not in m.__dict__ and "_stepcache" not in m.__dict__ and "__reduce_ex__" not in m.__dict__


class BlockRuns:
    """Per denoiser call, whether a block really ran: a plain torch hook on the block's first submodule (a hook on
    the block itself fires even when a caching hook replaces its forward)."""

    def __init__(self, model, block: str):
        self.calls: list[str] = []
        inner = next(model.get_submodule(block).children())
        self.h = [model.register_forward_pre_hook(lambda *a: self.calls.append("C")),
                  inner.register_forward_pre_hook(self.ran)]

    def ran(self, *a):
        self.calls[-1] = "F"

    def pattern(self):
        for h in self.h:
            h.remove()
        return "".join(self.calls)


@pytest.mark.parametrize("family", FAMILIES)
def test_interval_1_and_disable_bit_identical(family):
    pipe, kw = tiny_dit.BUILDERS[family]()
    base = run(pipe, kw)
    with stepcache.cached(pipe, DeepCacheConfig(interval=1)):
        assert torch.equal(run(pipe, kw), base)
    with stepcache.cached(pipe, DeepCacheConfig(interval=3)):
        cached = run(pipe, kw)
    assert not torch.equal(cached, base) and torch.isfinite(cached).all()
    assert torch.equal(run(pipe, kw), base)
    assert_no_stepcache(pipe.transformer)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("config", [DeepCacheConfig(interval=3), DeepCacheConfig(interval=2, first_blocks=2),
                                    DeepCacheConfig(interval=4, schedule="nonuniform", center=3),
                                    DeepCacheConfig(interval=3, first_blocks=1, last_blocks=1),
                                    DeepCacheConfig(interval=3, first_blocks=0)],
                         ids=["N3", "N2-F2", "nonuniform", "F1B1", "F0B0"])
def test_pattern_follows_the_schedule(family, config):
    pipe, kw = tiny_dit.BUILDERS[family]()
    model = pipe.transformer
    st = blocks.stack(model, config.first_blocks, config.last_blocks)
    with stepcache.cached(pipe, config):
        deep = BlockRuns(model, st.skipped[0])
        run(pipe, kw, steps=9)
        per_call = deep.pattern()  # calls interleave streams: step i of every stream, then step i + 1
        streams = stepcache.summary(pipe).streams
    expected = "".join("F" if schedules.is_full(i, config, 9) else "C" for i in range(9))
    assert all(s == expected for s in streams)
    assert per_call == "".join(c for c in expected for _ in streams)


def _residual_reference(pipe, kw, config, steps):
    """A hand-made DeepCache on plain torch hooks: on full steps record the skipped stack's input and output, on
    cached steps make its first block return input + residual (``extrapolate``: the residual extrapolated along the
    last two full steps) and the others return their input (their own output is computed and thrown away)."""
    model = pipe.transformer
    st = blocks.stack(model, config.first_blocks, config.last_blocks)
    first, last = model.get_submodule(st.skipped[0]), model.get_submodule(st.skipped[-1])
    streams = blocks.Streams(first)
    state = {"step": -1, "res": None, "in": None}
    full = set(schedules.full_steps(steps, config))

    def on_model(m, a):
        state["step"] += 1

    def first_pre(m, a, k):
        state["in"] = streams.read(a, k)

    def first_out(m, a, k, out):
        if state["step"] in full:
            return out
        hs, ehs = streams.read(a, k)
        r_hs, r_ehs = state["res"]
        if config.extrapolate and state.get("prev") is not None:  # along the last two full steps
            (p_hs, p_ehs), (p, last) = state["prev"], state["at"]
            factor = torch.tensor((state["step"] - last) / (last - p))
            r_hs = r_hs + (r_hs - p_hs) * factor
            r_ehs = None if r_ehs is None else r_ehs + (r_ehs - p_ehs) * factor
        # (SD3's last block ends the text stream: no text residual; the text input goes on so the thrown-away
        # runs of the blocks after this one can run; the model does not read it after the stack)
        return streams.write(r_hs + hs, ehs if r_ehs is None else r_ehs + ehs)

    def middle_out(m, a, k, out):
        if state["step"] in full:
            return out
        return blocks.Streams(m).write(*blocks.Streams(m).read(a, k))

    def last_out(m, a, k, out):
        if state["step"] in full:
            hs, ehs = streams.split(out)
            in_hs, in_ehs = state["in"]
            if state["res"] is not None:
                state["prev"], state["at"] = state["res"], (state["at"][-1], state["step"])
            else:
                state["at"] = (state["step"],)
            state["res"] = (hs - in_hs, None if ehs is None or in_ehs is None else ehs - in_ehs)
        return out

    handles = [model.register_forward_pre_hook(on_model), first.register_forward_pre_hook(first_pre, with_kwargs=True)]
    for name in st.skipped:
        block = model.get_submodule(name)
        handles.append(block.register_forward_hook(first_out if block is first else middle_out, with_kwargs=True))
    handles.append(last.register_forward_hook(last_out, with_kwargs=True))  # runs after the block's own hook
    try:
        return run(pipe, kw, steps=steps)
    finally:
        for h in handles:
            h.remove()


@pytest.mark.parametrize("family", ["dit", "pixart_alpha", "sd3", "flux", "hunyuan_dit", "cogvideox", "sana"])
@pytest.mark.parametrize("config", [DeepCacheConfig(interval=3),
                                    DeepCacheConfig(interval=2, first_blocks=2, last_blocks=1),
                                    DeepCacheConfig(interval=3, first_blocks=0),
                                    DeepCacheConfig(interval=3, extrapolate=True)],
                         ids=["F1B0", "F2B1", "F0B0", "F1B0-extrapolated"])
def test_cached_step_is_live_blocks_plus_stored_residual(family, config):
    pipe, kw = tiny_dit.BUILDERS[family]()
    reference = _residual_reference(pipe, kw, config, steps=7)
    with stepcache.cached(pipe, config):
        assert torch.equal(run(pipe, kw, steps=7), reference)
    if config.extrapolate:  # steps 4 and 5 extrapolate along full steps 0 and 3: another image than reuse
        assert not torch.equal(reference, _residual_reference(pipe, kw, replace(config, extrapolate=False), 7))


@pytest.mark.parametrize("family", ["flux", "wan", "cogvideox"])
def test_first_block_parity_with_diffusers(family):
    """schedule='first-block' reproduces diffusers' FirstBlockCache: same outputs and same full/cached decisions,
    over a threshold sweep that caches, on two consecutive calls."""
    pipe, kw = tiny_dit.BUILDERS[family]()
    model = pipe.transformer
    second = blocks.block_names(model)[1]
    cached_somewhere = False
    for threshold in [0.0, 0.05, 0.1, 0.3, 0.6, 1.0]:
        model.enable_cache(FirstBlockCacheConfig(threshold=threshold))
        theirs = []
        for _ in range(2):
            runs = BlockRuns(model, second)
            theirs.append((run(pipe, kw, steps=10), runs.pattern()))
        model.disable_cache()
        with stepcache.cached(pipe, DeepCacheConfig(schedule="first-block", threshold=threshold)):
            for out, pattern in theirs:
                runs = BlockRuns(model, second)
                assert torch.equal(run(pipe, kw, steps=10), out), (family, threshold)
                assert runs.pattern() == pattern, (family, threshold)
                cached_somewhere |= "C" in pattern
    assert cached_somewhere


# state safety ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("family", ["flux", "wan", "sd3"])
def test_abort_repeat_and_changing_step_counts(family):
    pipe, kw = tiny_dit.BUILDERS[family]()
    config = DeepCacheConfig(interval=2)
    fresh = {}
    for steps in (4, 6):
        with stepcache.cached(pipe, config):
            fresh[steps] = run(pipe, kw, steps=steps)

    def stop(p, i, t, k):
        if i == 2:
            raise KeyboardInterrupt
        return k

    with stepcache.cached(pipe, config):
        with pytest.raises(KeyboardInterrupt):
            run(pipe, kw, steps=6, callback_on_step_end=stop)
        for steps in (6, 6, 4, 6, 4):
            assert torch.equal(run(pipe, kw, steps=steps), fresh[steps])


@pytest.mark.parametrize("extrapolate", [False, True])
def test_two_pipelines_share_one_transformer(extrapolate):
    a, kw = tiny_dit.flux()
    b = type(a).from_pipe(a, scheduler=copy.deepcopy(a.scheduler))
    config = DeepCacheConfig(interval=3, extrapolate=extrapolate)
    with stepcache.cached(a, config):
        fresh_a, fresh_b = run(a, kw, steps=6), run(b, kw, steps=8, seed=1)
        for _ in range(2):
            assert torch.equal(run(b, kw, steps=8, seed=1), fresh_b)
            assert torch.equal(run(a, kw, steps=6), fresh_a)


@pytest.mark.parametrize("family", ["wan", "flux_true_cfg"])
@pytest.mark.parametrize("extrapolate", [False, True])
def test_unconditional_stream_never_reads_the_conditional_cache(family, extrapolate):
    """Separate cond/uncond calls are two streams: equal to routing each to its own separately enabled copy (also
    extrapolating: each stream along its own full steps)."""
    pipe, kw = tiny_dit.flux(true_cfg=True) if family == "flux_true_cfg" else tiny_dit.wan()
    model = pipe.transformer
    config = DeepCacheConfig(interval=3, extrapolate=extrapolate)
    copies = [copy.deepcopy(model) for _ in range(2)]
    for c in copies:
        stepcache.enable(c, config)
    calls = {"n": 0}

    def router(*args, **kwargs):
        out = copies[calls["n"] % 2](*args, **kwargs)
        calls["n"] += 1
        return out

    model.forward = router
    try:
        expected = run(pipe, kw, steps=7)
    finally:
        del model.forward
    with stepcache.cached(pipe, config):
        assert torch.equal(run(pipe, kw, steps=7), expected)
        assert stepcache.summary(pipe).streams == ("FCCFCCF",) * 2


def test_a_step_with_an_odd_number_of_calls():
    """A hand-written loop that calls the model three times per step on one sample: three streams."""
    pipe, kw = tiny_dit.sd3()
    model = pipe.transformer
    torch.manual_seed(0)
    x = torch.randn(1, model.config.in_channels, 8, 8)
    text = torch.randn(1, 6, model.config.joint_attention_dim)
    pooled = torch.randn(1, model.config.pooled_projection_dim)

    def loop(m):
        outs = []
        y = x
        with torch.no_grad():
            for t in (900.0, 700.0, 500.0, 300.0):
                three = [m(hidden_states=y, encoder_hidden_states=text * s, pooled_projections=pooled,
                           timestep=torch.tensor([t])).sample for s in (1.0, 0.5, 0.0)]
                outs += three
                y = y - 0.1 * sum(three)
        return outs

    plain = loop(model)
    ref = [copy.deepcopy(model) for _ in range(3)]
    config = DeepCacheConfig(interval=2)
    with stepcache.cached(model, config):
        got = loop(model)
        assert stepcache.summary(model).streams == ("FCFC",) * 3
    for c in ref:
        stepcache.enable(c, config)
    y, expected = x, []
    with torch.no_grad():
        for t in (900.0, 700.0, 500.0, 300.0):
            three = [c(hidden_states=y, encoder_hidden_states=text * s, pooled_projections=pooled,
                       timestep=torch.tensor([t])).sample for c, s in zip(ref, (1.0, 0.5, 0.0))]
            expected += three
            y = y - 0.1 * sum(three)
    assert all(torch.equal(g, e) for g, e in zip(got, expected))
    assert not all(torch.equal(g, p) for g, p in zip(got, plain))


def test_deepcopy_of_an_enabled_transformer_is_plain():
    pipe, kw = tiny_dit.flux()
    base = run(pipe, kw)
    with stepcache.cached(pipe, DeepCacheConfig(interval=2)):
        dup = copy.deepcopy(pipe.transformer)
    assert_no_stepcache(dup)
    pipe.transformer = dup
    assert torch.equal(run(pipe, kw), base)


# bad input ------------------------------------------------------------------------------------------------------
def test_bad_inputs_are_clear_errors_and_change_nothing():
    pipe, kw = tiny_dit.flux()
    model = pipe.transformer
    with pytest.raises(ValueError, match=r"first_blocks \+ last_blocks must be below the 4 blocks"):
        stepcache.enable(pipe, DeepCacheConfig(first_blocks=3, last_blocks=1))
    with pytest.raises(ValueError, match="first_blocks must be an integer in \\[0, inf\\)"):
        DeepCacheConfig(first_blocks=-1)
    for schedule in ("adaptive", "first-block"):  # they watch the last live head block
        with pytest.raises(ValueError, match=f"first_blocks must be in \\[1, inf\\) for schedule='{schedule}', got 0"):
            DeepCacheConfig(schedule=schedule, first_blocks=0)
    with pytest.raises(TypeError, match="last_blocks must be an integer"):
        DeepCacheConfig(last_blocks=1.5)
    with pytest.raises(ValueError, match="threshold is only used by"):
        DeepCacheConfig(schedule="uniform", threshold=0.1)
    with pytest.raises(TypeError, match=r"branches of a transformer are \(first_blocks, last_blocks\) pairs"):
        stepcache.calibrate(pipe, lambda p: run(p, kw), speedup=2, branches=[1])
    with pytest.raises(ValueError, match=r"first_blocks \+ last_blocks must be below the 4 blocks"):
        stepcache.calibrate(pipe, lambda p: run(p, kw), speedup=2, branches=[(2, 2)])
    assert_no_stepcache(model)
    hunyuan, _ = tiny_dit.hunyuan_dit()
    with pytest.raises(ValueError, match=r"last_blocks must be in \[0, first_blocks\] = \[0, 1\] for HunyuanDiT2DModel"):
        stepcache.enable(hunyuan, DeepCacheConfig(first_blocks=1, last_blocks=2))
    import tiny
    with pytest.raises(ValueError, match="schedule='first-block' is for transformer denoisers"):
        stepcache.enable(tiny.sd_unet(levels=2), DeepCacheConfig(schedule="first-block"))


@pytest.mark.parametrize("family", ["flux", "wan", "dit"])
def test_online_schedules_run(family):
    pipe, kw = tiny_dit.BUILDERS[family]()
    base = run(pipe, kw, steps=10)
    for config in (DeepCacheConfig(schedule="adaptive", threshold=0.0), DeepCacheConfig(schedule="first-block",
                                                                                          threshold=0.0)):
        with stepcache.cached(pipe, config):
            out = run(pipe, kw, steps=10)
        if config.schedule == "adaptive":  # threshold 0 never caches
            assert torch.equal(out, base)
    with stepcache.cached(pipe, DeepCacheConfig(schedule="adaptive", threshold=10.0, interval=3)):
        run(pipe, kw, steps=10)
        assert all("C" in s for s in stepcache.summary(pipe).streams)


@pytest.mark.parametrize("family", ["flux", "sd3", "hunyuan_dit", "wan"])
def test_mac_fraction_of_every_live_choice_matches_the_cached_step(family):
    """branches() on a transformer: the MAC fraction of a cached step for every (F, B), counted once by
    torch.utils.flop_counter, equals what summary() counts on a cached step of that choice."""
    pipe, kw = tiny_dit.BUILDERS[family]()
    with pytest.raises(ValueError, match="counted on real inputs"):
        stepcache.branches(pipe)
    with stepcache.cached(pipe, DeepCacheConfig(interval=2)):
        run(pipe, kw, steps=2)
        infos = stepcache.branches(pipe)
        assert stepcache.summary(pipe).streams[0] == "FC"  # branches() counted nothing
    n = len(blocks.block_names(pipe.transformer))
    assert {(i.first_blocks, i.last_blocks) for i in infos} == {
        (f, b) for f in range(0, n) for b in range(n - f) if family != "hunyuan_dit" or b <= f}
    for info in infos:
        assert 0 < info.mac_fraction < 1
        config = DeepCacheConfig(interval=2, first_blocks=info.first_blocks, last_blocks=info.last_blocks)
        with stepcache.cached(pipe, config):
            run(pipe, kw, steps=2)
            s = stepcache.summary(pipe)
        assert s.macs_cached / s.macs_full == pytest.approx(info.mac_fraction, rel=1e-9)
    fractions = {(i.first_blocks, i.last_blocks): i.mac_fraction for i in infos}
    assert fractions[(0, 0)] < fractions[(1, 0)] < fractions[(2, 0)]  # a longer live head costs more


# calibration ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("family", ["dit", "flux", "hunyuan_dit"])
@pytest.mark.parametrize("predictor", ["final", "output", "feature"])
def test_calibrated_profile_on_transformers(family, predictor, tmp_path):
    """``stepcache.calibrate`` measures a transformer at each (first_blocks, last_blocks): the profile's full steps
    run exactly as the schedule says, from the saved file too; its weights drive the weighted adaptive schedule;
    another model's weights are refused."""
    pipe, kw = tiny_dit.BUILDERS[family]()
    go = lambda p: run(p, kw, steps=8)  # noqa: E731
    base = go(pipe)
    profile = stepcache.calibrate(pipe, go, speedup=1.25, branches=[(1, 0), (1, 1)], predictor=predictor)
    assert profile.branch is None and (profile.first_blocks, profile.last_blocks) in {(1, 0), (1, 1)}
    assert set(profile.candidates) == {"F1B0", "F1B1"} and profile.full_steps[0] == 0
    assert profile.mac_fraction <= 1 / 1.25 + 1e-9
    path = tmp_path / "profile.json"
    profile.save(path)
    config = DeepCacheConfig.from_profile(path)
    assert config == profile.config()
    assert (config.first_blocks, config.last_blocks) == (profile.first_blocks, profile.last_blocks)
    with stepcache.cached(pipe, config):
        out = go(pipe)
        (pattern,) = set(stepcache.summary(pipe).streams)
    assert pattern == "".join("F" if t in profile.full_steps else "C" for t in range(8))
    err = float((out.double() - base.double()).norm() / base.double().norm())
    assert abs(err - profile.validation_error) < 1e-6  # the profile's own check, reproduced from the file
    if predictor == "final":
        weights = profile.adaptive_weights
        assert len(weights) == 8 and all(w >= 0 for w in weights)
        with stepcache.cached(pipe, DeepCacheConfig.from_profile(path, threshold=1e9)):
            go(pipe)
            (pattern,) = set(stepcache.summary(pipe).streams)
        assert pattern == "F" + "C" * 7  # an unbounded budget caches every step after the first
    else:
        assert profile.adaptive_weights is None
    other, _ = tiny_dit.BUILDERS[family]()
    with torch.no_grad():
        for p in tiny_dit.denoiser(other).parameters():
            p.add_(0.01)
    with pytest.raises(ValueError, match="this calibrated profile was made for model weights"):
        stepcache.enable(other, config)
    assert_no_stepcache(tiny_dit.denoiser(other))


def test_calibrated_profile_with_no_live_head_block(tmp_path):
    """F = 0 (MagCache-style: a cached step adds the whole stack's residual): calibrated, its profile runs as
    planned; the weighted adaptive rule, which watches a live head block, is refused in one line."""
    pipe, kw = tiny_dit.dit()
    go = lambda p: run(p, kw, steps=8)  # noqa: E731
    profile = stepcache.calibrate(pipe, go, speedup=2, branches=[(0, 0)])
    assert (profile.first_blocks, profile.last_blocks) == (0, 0)
    path = tmp_path / "profile.json"
    profile.save(path)
    with stepcache.cached(pipe, DeepCacheConfig.from_profile(path)):
        go(pipe)
        (pattern,) = set(stepcache.summary(pipe).streams)
    assert pattern == "".join("F" if t in profile.full_steps else "C" for t in range(8)) and "C" in pattern
    with pytest.raises(ValueError, match=r"first_blocks must be in \[1, inf\) for schedule='adaptive', got 0"):
        DeepCacheConfig.from_profile(path, threshold=0.1)


def test_analyze_on_a_transformer():
    """``stepcache.analyze``: the similarity of the skipped stack's residual between steps (the paper's Figure 3
    for a block stack), and the cached step's MAC fraction, per (first_blocks, last_blocks)."""
    pipe, kw = tiny_dit.dit()
    a = stepcache.analyze(pipe, lambda p: run(p, kw, steps=6), branches=[(1, 0), (1, 1)])
    assert set(a.similarity) == {(1, 0), (1, 1)}
    for p, sim in a.similarity.items():
        assert sim.shape == (6, 6) and (sim.diagonal() == 1).all()
        assert 0 < a.mac_fraction[p] < 1
    assert a.mac_fraction[(1, 1)] > a.mac_fraction[(1, 0)]
