"""The U-Net zoo (issue 21, point 2): AnimateDiff's UNetMotionModel, Kandinsky 3, AudioLDM2, UNet3DConditionModel,
I2VGen-XL and the latent upscaler's K-block U-Net, each tiny and random (zero-initialised layers perturbed, so no
layer hides a mistake), driven by a hand-written loop of 4 steps:

* interval 1 bit-identical to the plain model, ``disable`` bit-identical again;
* interval 3 caches (``FCCF``) and a cached step costs fewer MACs than a full one;
* every branch against a hand-made reference: a cached step equals a plain call at the new step whose first
  recomputed up layer gets, instead of the deep part of its input, the deep feature of the last full step (the
  skip half of that input is the new step's). The reference knows only the branch's producer and consumer, not
  which modules stepcache replays.
"""

from __future__ import annotations

import pytest
import torch

import stepcache
from stepcache import DeepCacheConfig
from stepcache.families.unet import layout

STEPS = 4


def _perturb(model):
    """Random weights where the model initialises a layer to zero (motion modules, temporal convs' last layer)."""
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in model.parameters():
            if p.numel() and not p.any():
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
    return model.eval()


def _g(seed):
    return torch.Generator().manual_seed(seed)


def motion():
    """AnimateDiff's U-Net as its pipelines make it: a 2D U-Net and a motion adapter."""
    from diffusers import MotionAdapter, UNet2DConditionModel, UNetMotionModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(block_out_channels=(8, 8), layers_per_block=2, sample_size=8, in_channels=4,
                                out_channels=4, down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                                up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=8,
                                norm_num_groups=2)
    torch.manual_seed(0)
    adapter = MotionAdapter(block_out_channels=(8, 8), motion_layers_per_block=2, motion_norm_num_groups=2,
                            motion_num_attention_heads=4)
    m = UNetMotionModel.from_unet2d(unet, adapter)

    def inputs(seed):  # the pipeline repeats the prompt embeddings per frame
        return (torch.randn(1, 4, 3, 8, 8, generator=_g(seed)),), {
            "encoder_hidden_states": torch.randn(1, 5, 8, generator=_g(seed + 100)).repeat_interleave(3, dim=0)}
    return m, inputs


def unet3d():
    from diffusers import UNet3DConditionModel

    torch.manual_seed(0)
    m = UNet3DConditionModel(block_out_channels=(8, 16), layers_per_block=2, sample_size=8, in_channels=4,
                             out_channels=4, down_block_types=("CrossAttnDownBlock3D", "DownBlock3D"),
                             up_block_types=("UpBlock3D", "CrossAttnUpBlock3D"), cross_attention_dim=8,
                             attention_head_dim=4, norm_num_groups=4)

    def inputs(seed):
        return (torch.randn(1, 4, 3, 8, 8, generator=_g(seed)),), {
            "encoder_hidden_states": torch.randn(1, 5, 8, generator=_g(seed + 100))}
    return m, inputs


def i2vgen():
    from diffusers import I2VGenXLUNet

    torch.manual_seed(0)
    m = I2VGenXLUNet(sample_size=8, in_channels=4, out_channels=4, block_out_channels=(8, 16), layers_per_block=2,
                     down_block_types=("CrossAttnDownBlock3D", "DownBlock3D"),
                     up_block_types=("UpBlock3D", "CrossAttnUpBlock3D"), norm_num_groups=4, cross_attention_dim=8,
                     attention_head_dim=4, num_attention_heads=2)

    def inputs(seed):
        return (torch.randn(1, 4, 3, 8, 8, generator=_g(seed)),), {
            "fps": torch.tensor([8]), "image_latents": torch.randn(1, 4, 3, 8, 8, generator=_g(seed + 50)),
            "image_embeddings": torch.randn(1, 8, generator=_g(seed + 60)),
            "encoder_hidden_states": torch.randn(1, 5, 8, generator=_g(seed + 100))}
    return m, inputs


def kandinsky3():
    from diffusers import Kandinsky3UNet

    torch.manual_seed(0)
    m = Kandinsky3UNet(in_channels=4, time_embedding_dim=8, groups=4, attention_head_dim=4, layers_per_block=2,
                       block_out_channels=(16, 32, 32), cross_attention_dim=8, encoder_hid_dim=16)

    def inputs(seed):
        return (torch.randn(1, 4, 16, 16, generator=_g(seed)),), {
            "encoder_hidden_states": torch.randn(1, 5, 16, generator=_g(seed + 100)),
            "encoder_attention_mask": torch.ones(1, 5)}
    return m, inputs


def audioldm2():
    from diffusers import AudioLDM2UNet2DConditionModel

    torch.manual_seed(0)
    m = AudioLDM2UNet2DConditionModel(block_out_channels=(8, 16), layers_per_block=2, norm_num_groups=4,
                                      sample_size=8, in_channels=4, out_channels=4,
                                      down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                                      up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
                                      cross_attention_dim=((None, 8, 8), (None, 8, 8)), attention_head_dim=4)

    def inputs(seed):
        return (torch.randn(1, 4, 8, 8, generator=_g(seed)),), {
            "encoder_hidden_states": torch.randn(1, 5, 8, generator=_g(seed + 100)),
            "encoder_hidden_states_1": torch.randn(1, 6, 8, generator=_g(seed + 200))}
    return m, inputs


def k_upscaler():
    """The SD latent upscaler's U-Net: K-blocks (diffusers' test config, smaller)."""
    from diffusers import UNet2DConditionModel

    torch.manual_seed(0)
    m = UNet2DConditionModel(
        act_fn="gelu", attention_head_dim=8, norm_num_groups=None, block_out_channels=(32, 32, 64, 64),
        time_cond_proj_dim=160, cross_attention_dim=16, down_block_types=(
            "KDownBlock2D", "KCrossAttnDownBlock2D", "KCrossAttnDownBlock2D", "KCrossAttnDownBlock2D"),
        in_channels=8, mid_block_type=None, only_cross_attention=False, out_channels=5,
        resnet_time_scale_shift="scale_shift", time_embedding_type="fourier", timestep_post_act="gelu",
        conv_in_kernel=1, conv_out_kernel=1, up_block_types=(
            "KCrossAttnUpBlock2D", "KCrossAttnUpBlock2D", "KCrossAttnUpBlock2D", "KUpBlock2D"), layers_per_block=2)

    def inputs(seed):
        return (torch.randn(1, 8, 16, 16, generator=_g(seed)),), {
            "encoder_hidden_states": torch.randn(1, 5, 16, generator=_g(seed + 100)),
            "timestep_cond": torch.randn(1, 160, generator=_g(seed + 200))}
    return m, inputs


ZOO = {"motion": motion, "unet3d": unet3d, "i2vgen": i2vgen, "kandinsky3": kandinsky3, "audioldm2": audioldm2,
       "k_upscaler": k_upscaler}
TIMESTEPS = (900, 700, 500, 300)


def _loop(model, inputs, steps=STEPS):
    """A hand-written loop: new latents and timestep each call."""
    outs = []
    for i in range(steps):
        args, kwargs = inputs(i)
        with torch.no_grad():
            out = model(args[0], torch.tensor(TIMESTEPS[i]), *args[1:], **kwargs)
        outs.append(out[0] if isinstance(out, tuple) else out.sample)
    return outs


@pytest.fixture(scope="module", params=list(ZOO))
def zoo(request):
    model, inputs = ZOO[request.param]()
    return request.param, _perturb(model), inputs


def test_interval_1_and_disable_are_bit_identical_and_interval_3_caches(zoo):
    name, model, inputs = zoo
    plain = _loop(model, inputs)
    stepcache.enable(model, DeepCacheConfig(interval=1))
    with stepcache.generation(model, num_steps=STEPS):
        same = _loop(model, inputs)
    stepcache.disable(model)
    assert all(torch.equal(a, b) for a, b in zip(plain, same)), name
    stepcache.enable(model, DeepCacheConfig(interval=3))
    try:
        with stepcache.generation(model, num_steps=STEPS):
            cached = _loop(model, inputs)
        s = stepcache.summary(model)
        assert s.streams == ("FCCF",), s
        assert s.macs_cached < s.macs_full, s
        with stepcache.generation(model, num_steps=STEPS):
            again = _loop(model, inputs)
        assert all(torch.equal(a, b) for a, b in zip(cached, again)), name
        assert not torch.equal(cached[1], plain[1])  # the cached step really is cached
    finally:
        stepcache.disable(model)
    after = _loop(model, inputs)
    assert all(torch.equal(a, b) for a, b in zip(plain, after)), name
    assert not any(hasattr(m, "_diffusers_hook") for m in model.modules())


def _first(args, kwargs):
    """The input tensor of an up layer (positional, or by its keyword), and how to put a new one in its place."""
    if args:
        return args[0], lambda x: ((x,) + args[1:], kwargs)
    key = next(k for k in ("input_tensor", "hidden_states", "x") if k in kwargs)
    return kwargs[key], lambda x: (args, {**kwargs, key: x})


def _reference_cached_step(model, inputs, branch):
    """Step 1 of a loop cached at ``branch`` after a full step 0, computed without stepcache: a plain call at step 1
    whose consumer of the branch's skip gets [deep feature of step 0, skip of step 1] along channels."""
    lay = layout(model)
    producer = model.get_submodule(lay.producers[branch - 1])
    consumer = model.get_submodule(lay.consumers[branch - 1])
    seen: dict = {}

    def keep_skip(module, args, out):
        out = out[0] if isinstance(out, tuple) else out
        seen["skip"] = getattr(out, "sample", out)

    def deep_input(module, args, kwargs):
        x, put = _first(args, kwargs)
        if "step0" not in seen:
            seen["step0"] = x
            return None
        deep = x.shape[1] - seen["skip"].shape[1]
        assert torch.equal(x[:, deep:], seen["skip"])  # the consumer's input is [deep feature, skip]
        return put(torch.cat([seen["step0"][:, :deep], x[:, deep:]], dim=1))

    handles = [producer.register_forward_hook(keep_skip),
               consumer.register_forward_pre_hook(deep_input, with_kwargs=True)]
    try:
        return _loop(model, inputs, steps=2)[1]
    finally:
        for h in handles:
            h.remove()


def test_every_branch_matches_a_hand_made_reference(zoo):
    name, model, inputs = zoo
    n = layout(model).num_branches
    assert n >= 1
    for branch in range(1, n + 1):
        reference = _reference_cached_step(model, inputs, branch)
        stepcache.enable(model, DeepCacheConfig(interval=2, branch=branch))
        try:
            with stepcache.generation(model, num_steps=2):
                outs = _loop(model, inputs, steps=2)
            assert stepcache.summary(model).streams == ("FC",)
        finally:
            stepcache.disable(model)
        assert torch.equal(outs[1], reference), (name, branch, (outs[1] - reference).abs().max())


def test_branches_are_derived_from_the_blocks():
    """What the generic derivation finds: units of several per-resnet lists, and the K-blocks' single skips."""
    m, _ = motion()
    lay = layout(m)
    assert lay.producers[1] == "down_blocks.0.motion_modules.0"  # resnet, attention, motion module
    assert "down_blocks.1" in lay.replayed(lay.num_branches - 2) or lay.num_branches >= 3
    a, _ = audioldm2()
    assert layout(a).producers[-1] == "down_blocks.1.attentions.5"  # self, text, text 2: three per resnet
    u3, _ = unet3d()
    assert layout(u3).producers[0] == "transformer_in" and layout(u3).producers[1] == "down_blocks.0.temp_attentions.0"
    k, _ = kandinsky3()
    assert layout(k).producers == ("down_blocks.0", "down_blocks.1")
    assert layout(k).consumers == ("up_blocks.2", "up_blocks.1")
    up, _ = k_upscaler()
    lay = layout(up)  # only the skips a K up block reads: the last output of each down block with a downsampler
    assert lay.producers == ("down_blocks.0.resnets.1", "down_blocks.1.attentions.1", "down_blocks.2.attentions.1")
    assert lay.consumers == ("up_blocks.3.resnets.0", "up_blocks.2.resnets.0", "up_blocks.1.resnets.0")


def test_branches_costs_on_the_zoo():
    """``stepcache.branches`` counts every branch on a model it can make inputs for, and asks for a run where the
    model takes its pipeline's own conditioning."""
    from stepcache.families import UnsupportedModelError

    m, _ = motion()
    infos = stepcache.branches(m)
    assert [b.branch for b in infos] == list(range(1, layout(m).num_branches + 1))
    assert all(0 < b.mac_fraction < 1 for b in infos[:-1])
    k, _ = kandinsky3()
    with pytest.raises(UnsupportedModelError, match="run the pipeline once"):
        stepcache.branches(k)
