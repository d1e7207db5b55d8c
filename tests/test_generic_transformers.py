"""Any transformer denoiser whose blocks sit in ``nn.ModuleList``s, cached without a model-specific adapter: tiny
models built from diffusers' own test configs (tests/tiny_transformers.py), run by a hand-written loop. For each:
interval 1 and ``disable`` bit-identical, interval 3 caches (and equals a hand-made residual replay where the
blocks' formats are written out below), ``extrapolate`` runs; ControlNet residuals are added anew on cached steps."""

import contextlib
import inspect

import pytest
import torch

import stepcache
import tiny_transformers
from stepcache import DeepCacheConfig
from stepcache.core import schedules
from stepcache.families import transformer as tf

MODELS = ["QwenImageTransformer2DModel", "Flux2Transformer2DModel", "ChromaTransformer2DModel",
          "HiDreamImageTransformer2DModel", "Lumina2Transformer2DModel", "AuraFlowTransformer2DModel",
          "CogView4Transformer2DModel", "CogView3PlusTransformer2DModel", "HunyuanVideoTransformer3DModel",
          "HunyuanVideoFramepackTransformer3DModel", "HunyuanVideo15Transformer3DModel", "LTXVideoTransformer3DModel",
          "LTX2VideoTransformer3DModel", "MochiTransformer3DModel", "WanVACETransformer3DModel",
          "SkyReelsV2Transformer3DModel", "AllegroTransformer3DModel", "LatteTransformer3DModel",
          "EasyAnimateTransformer3DModel", "SanaVideoTransformer3DModel", "BriaTransformer2DModel",
          "BriaFiboTransformer2DModel", "OvisImageTransformer2DModel",
          "AceStepTransformer1DModel", "StableAudio3DiTModel", "LongCatImageTransformer2DModel",
          "NucleusMoEImageTransformer2DModel", "WanAnimateTransformer3DModel", "ChronoEditTransformer3DModel",
          "HeliosTransformer3DModel", "GlmImageTransformer2DModel", "LuminaNextDiT2DModel",
          "Krea2Transformer2DModel", "ZImageTransformer2DModel"]
#: the models the issue names: also run with ``extrapolate`` and twice (the same output)
NAMED = MODELS[:16]
STEPS = 4

#: the streams each block returns, by position, read off diffusers' code (not from stepcache): the hand-made
#: reference below replays the residual with them
WRITTEN = {
    "QwenImageTransformer2DModel": {"QwenImageTransformerBlock": ("encoder_hidden_states", "hidden_states")},
    "CogView4Transformer2DModel": {"CogView4TransformerBlock": ("hidden_states", "encoder_hidden_states")},
    "MochiTransformer3DModel": {"MochiTransformerBlock": ("hidden_states", "encoder_hidden_states")},
    "LTXVideoTransformer3DModel": {"LTXVideoTransformerBlock": "hidden_states"},
    "SkyReelsV2Transformer3DModel": {"SkyReelsV2TransformerBlock": "hidden_states"},
    "Lumina2Transformer2DModel": {"Lumina2TransformerBlock": "hidden_states"},
    "HunyuanVideoTransformer3DModel": {
        "HunyuanVideoTransformerBlock": ("hidden_states", "encoder_hidden_states"),
        "HunyuanVideoSingleTransformerBlock": ("hidden_states", "encoder_hidden_states")},
}


def build(name, layers=2):
    """The tiny model (at least ``layers`` blocks per list where its inputs allow), with weights its init leaves at
    zero (zero-initialised output layers) made small and random: every block then changes the output."""
    model, inputs = tiny_transformers.build(name, layers=layers)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in model.parameters():
            if p.ndim and not p.any():
                p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * 0.02)
    return model, inputs


def _scaled(x, s):
    return x * s if isinstance(x, torch.Tensor) else [v * s for v in x]


def _out(out):
    out = out[0] if isinstance(out, (tuple, list)) else getattr(out, "sample", out)
    return torch.stack(list(out)) if isinstance(out, list) else out


def run(model, inputs, steps=STEPS, extra=None):
    """A hand-written sampling loop: a new sample and timestep each step; the outputs of every step."""
    reader = tf.CallReader(model)
    t0 = inputs.get(reader.time)
    enabled = stepcache.api.controller_of(model) is not None
    outs = []
    with stepcache.generation(model, num_steps=steps) if enabled else contextlib.nullcontext(), torch.no_grad():
        for i in range(steps):
            kw = dict(inputs, **(extra(i) if extra else {}))
            kw[reader.sample] = _scaled(kw[reader.sample], 1 - 0.05 * i)
            if isinstance(t0, torch.Tensor):
                kw[reader.time] = t0 * (1 - i / steps) if t0.is_floating_point() else t0 * (steps - i) // steps
            outs.append(_out(model(**kw)))
    return outs


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("name", MODELS)
def test_cached_without_an_adapter(name):
    model, inputs = build(name)
    base = run(model, inputs)
    with stepcache.cached(model, DeepCacheConfig(interval=1)):
        assert same(run(model, inputs), base)
    with stepcache.cached(model, DeepCacheConfig(interval=3)):
        cached = run(model, inputs)
        assert stepcache.summary(model).streams == ("FCCF",)
        assert name not in NAMED or same(run(model, inputs), cached)
    assert same(cached[:1], base[:1]) and not same(cached, base) and all(torch.isfinite(c).all() for c in cached)
    if name in NAMED:
        outs = {}
        for extrapolate in (False, True):  # FCFCF: step 3 extrapolates along the full steps 0 and 2
            with stepcache.cached(model, DeepCacheConfig(interval=2, extrapolate=extrapolate)):
                outs[extrapolate] = run(model, inputs, steps=5)
        assert same(outs[True][:3], outs[False][:3]) and not torch.equal(outs[True][3], outs[False][3])
        assert all(torch.isfinite(c).all() for c in outs[True])
    assert same(run(model, inputs), base)  # disabled: the plain model again
    for m in model.modules():
        assert "_stepcache" not in m.__dict__ and "forward" not in m.__dict__


def _reference(model, inputs, config, written):
    """A hand-made DeepCache on plain torch hooks with the formats written above: on full steps keep the skipped
    span's input and its residual, on cached steps its first block returns input + residual and the others return
    their input (their own outputs are computed and thrown away)."""
    st = tf.stack(model, config.first_blocks, config.last_blocks)
    fmt = {b: written[type(model.get_submodule(b)).__name__] for b in st.skipped}

    def read(b, a, k):
        names, f = tf._params(model.get_submodule(b)), fmt[b]
        pick = lambda n: k[n] if n in k else a[names.index(n)]  # noqa: E731
        return {n: pick(n) for n in ((f,) if isinstance(f, str) else f)}

    def write(b, values):
        f = fmt[b]
        return values[f] if isinstance(f, str) else tuple(values[n] for n in f)

    def split(b, out):
        f = fmt[b]
        return {f: out} if isinstance(f, str) else dict(zip(f, out))

    full = set(schedules.full_steps(STEPS, config))
    state = {"step": -1}

    def on_model(m, a):
        state["step"] += 1

    def hook(b):
        def after(m, a, k, out):
            cached = state["step"] not in full
            if b == st.skipped[0]:
                if not cached:
                    state["in"] = read(b, a, k)
                else:
                    values = read(b, a, k)
                    out = write(b, {n: state["res"][n] + v for n, v in values.items()})
            elif cached:
                out = write(b, read(b, a, k))
            if b == st.skipped[-1] and not cached:
                state["res"] = {n: v - state["in"][n] for n, v in split(b, out).items()}
            return out
        return after

    handles = [model.register_forward_pre_hook(on_model)]
    handles += [model.get_submodule(b).register_forward_hook(hook(b), with_kwargs=True) for b in st.skipped]
    try:
        return run(model, inputs)
    finally:
        for h in handles:
            h.remove()


@pytest.mark.parametrize("name", sorted(WRITTEN))
@pytest.mark.parametrize("config", [DeepCacheConfig(interval=3), DeepCacheConfig(interval=2, first_blocks=1,
                                                                                 last_blocks=1)],
                         ids=["N3", "N2-F1B1"])
def test_equals_a_hand_made_residual_replay(name, config):
    model, inputs = build(name, layers=3)
    written = WRITTEN[name]
    with stepcache.cached(model, config):
        got = run(model, inputs)
        plan = model._stepcache.read.structure.plan
    for b, f in plan.formats.items():  # the probe read the formats written above off the model
        want = written[type(model.get_submodule(b)).__name__]
        assert f.outputs == ((want,) if isinstance(want, str) else want)
    assert same(got, _reference(model, inputs, config, written))


@pytest.mark.parametrize("name", ["QwenImageTransformer2DModel", "Flux2Transformer2DModel"])
@pytest.mark.parametrize("schedule", ["first-block", "adaptive"])
def test_online_schedules(name, schedule):
    model, inputs = build(name)
    base = run(model, inputs)
    with stepcache.cached(model, DeepCacheConfig(schedule=schedule, threshold=10.0)):
        cached = run(model, inputs)
        (pattern,) = stepcache.summary(model).streams
    assert pattern.startswith("F") and "C" in pattern and not same(cached, base)
    assert same(run(model, inputs), base)


def test_structure_is_read_from_the_model():
    """Joint then single blocks (one segment where the streams pass straight on), cut where the model's code
    changes a stream between two blocks (AuraFlow's text+image concatenation, Wan VACE's hints), interleaved lists in
    the order they run (Latte), the refiners before the stack left out (Lumina2)."""
    def segments(name, first=1, last=0):
        model, inputs = build(name, layers=3)
        plan = tf.probe(model, (), inputs)
        return plan.segments(tf.stack(model, first, last).skipped)

    assert segments("HunyuanVideoTransformer3DModel") == [(
        "transformer_blocks.1", "transformer_blocks.2", "single_transformer_blocks.0", "single_transformer_blocks.1",
        "single_transformer_blocks.2")]
    assert segments("AuraFlowTransformer2DModel") == [
        ("joint_transformer_blocks.1", "joint_transformer_blocks.2"),
        ("single_transformer_blocks.0", "single_transformer_blocks.1", "single_transformer_blocks.2")]
    assert len(segments("WanVACETransformer3DModel")) > 1
    assert segments("LatteTransformer3DModel", 2, 1) == [("transformer_blocks.1",), ("temporal_transformer_blocks.1",),
                                                          ("transformer_blocks.2",)]
    model, _ = build("Lumina2Transformer2DModel")
    assert tf.stack_lists(model) == ("layers",)


def test_refusals_say_what_fits():
    model, _ = build("QwenImageTransformer2DModel", layers=3)
    with pytest.raises(ValueError, match=r"below the 3 blocks of this QwenImageTransformer2DModel .* placements "
                                         r"that fit: first_blocks \+ last_blocks <= 2"):
        stepcache.enable(model, DeepCacheConfig(first_blocks=2, last_blocks=1))
    with pytest.raises(stepcache.UnsupportedModelError,
                       match=r"Linear is not supported: stepcache caches transformer denoisers whose blocks sit in "
                             r"nn.ModuleLists"):
        tf.check_supported(torch.nn.Linear(2, 2))


# -- ControlNet residuals ------------------------------------------------------------------------------------------
def _flux():
    from diffusers import FluxTransformer2DModel

    torch.manual_seed(0)
    model = FluxTransformer2DModel(patch_size=1, in_channels=16, num_layers=3, num_single_layers=3,
                                   attention_head_dim=16, num_attention_heads=2, joint_attention_dim=32,
                                   pooled_projection_dim=32, axes_dims_rope=[4, 4, 8]).eval()
    g = torch.Generator().manual_seed(2)
    inputs = dict(hidden_states=torch.randn(1, 16, 16, generator=g), encoder_hidden_states=torch.randn(1, 8, 32,
                                                                                                         generator=g),
                  pooled_projections=torch.randn(1, 32, generator=g), timestep=torch.tensor([1.0]),
                  img_ids=torch.zeros(16, 3), txt_ids=torch.zeros(8, 3), return_dict=False)
    return model, inputs


def _qwen():
    model, inputs = build("QwenImageTransformer2DModel", layers=3)
    return model, dict(inputs, return_dict=False)


def _sd3():
    """tiny_dit's SD3 transformer (4 joint blocks, the last one ends the text stream) and the inputs its pipeline
    gives it at the first step."""
    return _first_call("sd3")


def _sana():
    """tiny_dit's Sana transformer (4 linear-attention blocks, each returning the image stream alone, called with
    positional arguments) and the inputs its pipeline gives it at the first step (CFG batched)."""
    return _first_call("sana")


def _first_call(name):
    import tiny_dit

    pipe, kw = tiny_dit.BUILDERS[name]()
    calls = []
    h = pipe.transformer.register_forward_pre_hook(  # every argument by name (Sana's sample comes by position)
        lambda m, a, k: calls.append(dict(inspect.signature(m.forward).bind(*a, **k).arguments)), with_kwargs=True)
    with torch.no_grad():
        pipe(**kw, num_inference_steps=1, output_type="latent")
    h.remove()
    return pipe.transformer, calls[0]


#: model -> (builder, the ControlNet residuals of step i: their arguments and how many of each, the block format)
CONTROLLED = {
    "sd3": (_sd3, {"block_controlnet_hidden_states": 2}, ("encoder_hidden_states", "hidden_states")),
    "flux": (_flux, {"controlnet_block_samples": 3, "controlnet_single_block_samples": 3},
             ("encoder_hidden_states", "hidden_states")),
    "qwenimage": (_qwen, {"controlnet_block_samples": 3}, ("encoder_hidden_states", "hidden_states")),
    "sana": (_sana, {"controlnet_block_samples": 3}, ("hidden_states",)),
}


def _argument(module, name, args, kwargs):
    """A block's argument by name, passed by keyword or by position."""
    return inspect.signature(module.forward).bind(*args, **kwargs).arguments[name]


def _control(kind, shape):
    """ControlNet residuals that change from step to step, one per block."""
    def make(i):
        g = torch.Generator().manual_seed(10 + i)
        return {arg: [torch.randn(shape, generator=g) for _ in range(n)] for arg, n in CONTROLLED[kind][1].items()}
    return make


@pytest.mark.parametrize("kind", sorted(CONTROLLED))
def test_controlnet_residuals_are_added_anew(kind):
    """With ControlNet residuals the skipped span is cut at every block (the model adds a residual after each):
    each skipped block replays its own residual and the ControlNet's residuals of this step are added between
    them, exactly as a hand-made per-block replay does; without them the same model is one segment again."""
    model, inputs = CONTROLLED[kind][0]()
    fmt = CONTROLLED[kind][2]
    shapes = []
    h = model.get_submodule(tf.block_names(model)[0]).register_forward_pre_hook(
        lambda m, a, k: shapes.append(_argument(m, "hidden_states", a, k).shape), with_kwargs=True)
    run(model, inputs, steps=1)
    h.remove()
    control = _control(kind, shapes[0])
    base = run(model, inputs, extra=control)
    config = DeepCacheConfig(interval=3)
    with stepcache.cached(model, DeepCacheConfig(interval=1)):
        assert same(run(model, inputs, extra=control), base)
    with stepcache.cached(model, config):
        cached = run(model, inputs, extra=control)
        structure = model._stepcache.read.structure
        assert structure.plan.segments(structure.stack.skipped) == [(b,) for b in structure.stack.skipped]
        run(model, inputs)
        assert len(structure.plan.segments(structure.stack.skipped)) == 1
    assert not same(cached, base) and same(run(model, inputs, extra=control), base)
    # the reference: every skipped block returns its input plus the residual it added at the last full step
    st = tf.stack(model, 1, 0)
    full = set(schedules.full_steps(STEPS, config))
    state = {"step": -1, "res": {}}

    def hook(b):
        def after(m, a, k, out):
            ins = tuple(_argument(m, n, a, k) for n in fmt)
            single = isinstance(out, torch.Tensor)  # (Sana's blocks return the image stream alone)
            outs = (out,) if single else out
            if state["step"] in full:  # (SD3's last block returns no text stream: None)
                state["res"][b] = tuple(None if o is None else o - i for o, i in zip(outs, ins))
                return out
            replayed = tuple(None if r is None else r + i for r, i in zip(state["res"][b], ins))
            return replayed[0] if single else replayed
        return after

    handles = [model.register_forward_pre_hook(lambda *a: state.__setitem__("step", state["step"] + 1))]
    handles += [model.get_submodule(b).register_forward_hook(hook(b), with_kwargs=True) for b in st.skipped]
    try:
        assert same(cached, run(model, inputs, extra=control))
    finally:
        for h in handles:
            h.remove()


def test_calibrate_reads_the_probed_formats():
    """calibrate records the skipped span's residual with the probed formats: QwenImage's blocks return (text,
    image); AuraFlow's span is cut at its text + image concatenation."""
    for name in ("QwenImageTransformer2DModel", "AuraFlowTransformer2DModel"):
        model, inputs = build(name, layers=3)
        profile = stepcache.calibrate(model, lambda m: run(m, inputs), speedup=1.5, branches=[(1, 0)])
        assert profile.full_steps[0] == 0 and len(profile.full_steps) < STEPS and profile.first_blocks == 1


def test_a_one_block_stack_caches_at_f0b0_and_says_so_at_the_default():
    """A stack of one block has nothing to skip with a live head block, but F0B0 (no live block) skips it."""
    model, _ = build("QwenImageTransformer2DModel")
    model.transformer_blocks = model.transformer_blocks[:1]  # as diffusers' own tiny test configs have it
    assert len(tf.block_names(model)) == 1
    with pytest.raises(ValueError, match=r"below the 1 blocks of this QwenImageTransformer2DModel .* e.g. "
                                         r"first_blocks=0, last_blocks=0"):
        tf.stack(model, 1, 0)
    assert tf.stack(model, 0, 0).skipped == tuple(tf.block_names(model))
