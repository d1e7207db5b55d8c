"""What users combine with a cached pipeline (issue 21.5): CPU offload (model, sequential, group), layerwise
casting, quantized weights, IP-Adapter, LoRA, PAG, LEDITS++. Each in both orders where order matters: caching on
every call, interval 1 and ``disable`` bit-identical, and the other library's hooks left as they were."""

import numpy as np
import pytest
import torch

import stepcache
import tiny
from stepcache import DeepCacheConfig
from stepcache.core import hooks

accelerate = pytest.importorskip("accelerate")


def no_stepcache(model):
    """No stepcache hook or state left anywhere in the model (other libraries' hooks may stay)."""
    for m in model.modules():
        registry = m.__dict__.get("_diffusers_hook")
        assert registry is None or hooks.HOOK_NAME not in registry.hooks
        assert "_stepcache" not in m.__dict__ and "__reduce_ex__" not in m.__dict__
        old = m.__dict__.get("_old_forward")  # accelerate's wrapper calls this: the model's own forward again
        assert old is None or getattr(old, "__func__", None) is type(m).forward or \
            hooks.HOOK_NAME not in getattr(m.__dict__.get("_diffusers_hook"), "hooks", {})


def check_combo(pipe, apply, order, same_numerics=True, runs=(5, 3)):
    """``apply`` (the other library) before or after ``enable``; calls of ``runs`` steps each cache with the
    uniform pattern of that call, give what a plain cached pipeline gives (where ``apply`` keeps the numerics),
    and after ``disable`` the pipeline gives its uncached output again, ``apply``'s hooks still in place."""
    cfg = DeepCacheConfig(interval=3)
    if not same_numerics:  # references need apply's numerics: apply first, on the pipeline the test then uses
        apply()
    base = tiny.sd_call(pipe, steps=5)
    ref = {}
    with stepcache.cached(pipe, cfg):
        for n in set(runs):
            ref[n] = tiny.sd_call(pipe, steps=n)
    with stepcache.cached(pipe, DeepCacheConfig(interval=1)):
        if same_numerics and order == "before":
            apply()
        assert np.array_equal(tiny.sd_call(pipe, steps=5), base)
    if same_numerics and order == "after":
        stepcache.enable(pipe, cfg)
        apply()
    else:
        stepcache.enable(pipe, cfg)
    for n in runs:  # every call cached, each with its own pattern (not the first call's)
        out = tiny.sd_call(pipe, steps=n)
        expected = "".join("F" if i % 3 == 0 else "C" for i in range(n))
        assert stepcache.summary(pipe).streams == (expected,)
        assert np.array_equal(out, ref[n])
    stepcache.disable(pipe)
    no_stepcache(pipe.unet)
    assert np.array_equal(tiny.sd_call(pipe, steps=5), base)
    assert np.array_equal(tiny.sd_call(pipe, steps=5), base)


@pytest.fixture
def pipe(tmp_path):
    return tiny.sd_pipe(tmp_path)


@pytest.mark.parametrize("order", ["before", "after"])
def test_model_cpu_offload(pipe, order, monkeypatch):
    """``enable_model_cpu_offload`` re-hooks every component after each call (``maybe_free_model_hooks``):
    stepcache's hooks sit beneath accelerate's, so each call caches, and ``disable`` leaves the offload working."""
    onloads = []
    plain = accelerate.hooks.CpuOffload.pre_forward

    def counting(self, module, *args, **kwargs):
        onloads.append(module is pipe.unet)
        return plain(self, module, *args, **kwargs)

    monkeypatch.setattr(accelerate.hooks.CpuOffload, "pre_forward", counting)
    check_combo(pipe, lambda: pipe.enable_model_cpu_offload(device="cpu"), order)
    assert isinstance(pipe.unet._hf_hook, accelerate.hooks.CpuOffload) and pipe._all_hooks
    assert getattr(pipe.unet._old_forward, "__func__", None) is type(pipe.unet).forward
    onloads.clear()
    tiny.sd_call(pipe, steps=3)
    assert onloads.count(True) == 3  # accelerate's offload hook still runs on every U-Net call after disable


@pytest.mark.parametrize("order", ["before", "after"])
def test_accelerate_hook_on_the_unet(pipe, order):
    """Any accelerate hook on the denoiser runs on every call, cached or not, and stays after ``disable``."""
    calls = []

    class Count(accelerate.hooks.ModelHook):
        def pre_forward(self, module, *args, **kwargs):
            calls.append(1)
            return args, kwargs

    check_combo(pipe, lambda: accelerate.hooks.add_hook_to_module(pipe.unet, Count()), order)
    calls.clear()
    tiny.sd_call(pipe, steps=4)
    assert len(calls) == 4 and isinstance(pipe.unet._hf_hook, Count)


@pytest.mark.parametrize("order", ["before", "after"])
def test_sequential_cpu_offload(pipe, order):
    """accelerate's sequential offload (what ``enable_sequential_cpu_offload`` applies to each component; here to the
    U-Net alone: the tiny CLIP text encoder's parameters do not survive accelerate's meta-device round trip)."""
    check_combo(pipe, lambda: accelerate.cpu_offload(pipe.unet, execution_device=torch.device("cpu")), order)
    assert sum(hasattr(m, "_hf_hook") for m in pipe.unet.modules()) > 10


@pytest.mark.parametrize("order,level", [("before", "block_level"), ("after", "leaf_level")])
def test_group_offload(pipe, order, level):
    from diffusers.hooks import apply_group_offloading

    def apply():
        apply_group_offloading(pipe.unet, onload_device=torch.device("cpu"), offload_type=level,
                               num_blocks_per_group=1)

    check_combo(pipe, apply, order)
    assert any("group_offloading" in "".join(getattr(m, "_diffusers_hook", None).hooks)
               for m in pipe.unet.modules() if getattr(m, "_diffusers_hook", None) is not None)


@pytest.mark.parametrize("order", ["before", "after"])
def test_layerwise_casting(tmp_path, order):
    """fp8 storage, fp32 compute: the references are made with the casting applied."""
    pipe = tiny.sd_pipe(tmp_path)
    plain = tiny.sd_pipe(tmp_path)
    plain.unet.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=torch.float32)
    base = tiny.sd_call(plain, steps=6)
    with stepcache.cached(plain, DeepCacheConfig(interval=3)):
        ref = tiny.sd_call(plain, steps=6)

    def apply():
        pipe.unet.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=torch.float32)

    if order == "before":
        apply()
        stepcache.enable(pipe, DeepCacheConfig(interval=3))
    else:
        stepcache.enable(pipe, DeepCacheConfig(interval=3))
        apply()
    assert pipe.unet.conv_in.weight.dtype == torch.float8_e4m3fn
    for _ in range(2):
        assert np.array_equal(tiny.sd_call(pipe, steps=6), ref)
        assert stepcache.summary(pipe).streams == ("FCCFCC",)
    stepcache.disable(pipe)
    no_stepcache(pipe.unet)
    assert pipe.unet.conv_in.weight.dtype == torch.float8_e4m3fn  # the casting hooks still in place
    assert np.array_equal(tiny.sd_call(pipe, steps=6), base)


# -- quantized weights ------------------------------------------------------------------------------------------
def test_torchao_int8_weights_calibrate_and_profile(pipe, tmp_path):
    """torchao int8 weight-only weights (tensor subclasses): cached images right, and the model hash, ``calibrate``
    and a saved profile work without reinterpreting the quantized tensors."""
    pytest.importorskip("torchao")
    from torchao.quantization import Int8WeightOnlyConfig, quantize_
    from torch.utils._python_dispatch import is_traceable_wrapper_subclass

    from stepcache.core.identity import model_hash

    plain = model_hash(pipe.unet)
    quantize_(pipe.unet, Int8WeightOnlyConfig())
    assert any(is_traceable_wrapper_subclass(t) for t in pipe.unet.state_dict().values())
    quantized = model_hash(pipe.unet)
    assert quantized != plain and model_hash(pipe.unet) == quantized

    def run(p):
        return tiny.sd_call(p, steps=6)

    base = run(pipe)
    with stepcache.cached(pipe, DeepCacheConfig(interval=1)):
        assert np.array_equal(run(pipe), base)
    profile = stepcache.calibrate(pipe, run, speedup=1.5)
    profile.save(tmp_path / "profile.json")
    config = DeepCacheConfig.from_profile(tmp_path / "profile.json")
    with stepcache.cached(pipe, config):
        out = run(pipe)
        assert stepcache.summary(pipe).full_steps() == profile.full_steps
    assert np.isfinite(out).all() and not np.array_equal(out, base)
    assert np.array_equal(run(pipe), base)


def test_model_hash_of_torch_quantized_and_fp8_tensors():
    from stepcache.core.identity import model_hash

    lin = torch.nn.Linear(4, 4)
    lin.register_buffer("q", torch.quantize_per_tensor(torch.randn(3), 0.1, 0, torch.qint8))
    lin.register_buffer("f8", torch.randn(3).to(torch.float8_e4m3fn))
    h = model_hash(lin)
    assert model_hash(lin) == h
    lin.q = torch.quantize_per_tensor(torch.randn(3), 0.2, 0, torch.qint8)
    assert model_hash(lin) != h


# -- IP-Adapter -------------------------------------------------------------------------------------------------
def ip_adapter_state_dict(unet, image_dim=8):
    """A tiny IP-Adapter in the layout of the files ``load_ip_adapter`` reads: an image projection and the
    ``to_k_ip`` / ``to_v_ip`` weights of every cross-attention (random, seeded)."""
    from diffusers.models.attention_processor import IPAdapterAttnProcessor
    from diffusers.models.embeddings import ImageProjection

    torch.manual_seed(3)
    cfg, attn, key = unet.config, {}, 1
    for name in unet.attn_processors:
        if name.endswith("attn1.processor"):
            continue
        level = int(name.split(".")[1]) if not name.startswith("mid_block") else None
        hidden = (cfg.block_out_channels[-1] if level is None else list(reversed(cfg.block_out_channels))[level]
                  if name.startswith("up_blocks") else cfg.block_out_channels[level])
        sd = IPAdapterAttnProcessor(hidden_size=hidden, cross_attention_dim=cfg.cross_attention_dim).state_dict()
        attn[f"{key}.to_k_ip.weight"], attn[f"{key}.to_v_ip.weight"] = sd["to_k_ip.0.weight"], sd["to_v_ip.0.weight"]
        key += 2
    proj = ImageProjection(cross_attention_dim=cfg.cross_attention_dim, image_embed_dim=image_dim,
                           num_image_text_embeds=4).state_dict()
    image_proj = {"proj.weight": proj["image_embeds.weight"], "proj.bias": proj["image_embeds.bias"],
                  "norm.weight": proj["norm.weight"], "norm.bias": proj["norm.bias"]}
    return {"image_proj": image_proj, "ip_adapter": attn}


RULES = [DeepCacheConfig(interval=3), DeepCacheConfig(interval=3, extrapolate=True),
         DeepCacheConfig(schedule="nonuniform", interval=3, center=3),
         DeepCacheConfig(schedule="nonuniform-reference", interval=3, center=3),
         DeepCacheConfig(schedule="adaptive", interval=3, threshold=0.5),
         DeepCacheConfig(schedule="calibrated", full_steps=(0, 1, 4), num_steps=7)]


def test_ip_adapter_branches_and_every_rule(pipe):
    pipe.unet._load_ip_adapter_weights([ip_adapter_state_dict(pipe.unet)])
    assert pipe.unet.config.get("encoder_hid_dim_type") is None  # what diffusers leaves: the attribute alone is set
    embeds = [torch.randn(2, 1, 8, generator=torch.Generator().manual_seed(5))]  # (uncond, cond), 1 image, dim 8

    def call():
        return tiny.sd_call(pipe, steps=7, ip_adapter_image_embeds=embeds)

    before = stepcache.branches(pipe)  # sample inputs carry a zero image embedding per adapter
    assert len(before) == 9 and all(0 < b.mac_fraction < 1 for b in before)
    base = call()
    other = [torch.randn(2, 1, 8, generator=torch.Generator().manual_seed(6))]
    assert not np.array_equal(tiny.sd_call(pipe, steps=7, ip_adapter_image_embeds=other), base)  # the adapter acts
    with stepcache.cached(pipe, DeepCacheConfig(interval=1)):
        assert np.array_equal(call(), base)
    for cfg in RULES:
        with stepcache.cached(pipe, cfg):
            out = call()
            (pattern,) = stepcache.summary(pipe).streams
            assert [b.branch for b in stepcache.branches(pipe)] == [b.branch for b in before]  # on the run's inputs
            assert np.array_equal(call(), out)  # deterministic
        assert "C" in pattern and np.isfinite(out).all() and not np.array_equal(out, base), cfg
    assert np.array_equal(call(), base)


# -- LEDITS++ ---------------------------------------------------------------------------------------------------
def test_ledits_pp_refused_before_its_first_step(pipe, tmp_path):
    """LEDITS++ builds its edit masks from every step's cross-attention maps and inverts the image with the U-Net:
    refused in one line at ``enable``, and, sharing an enabled U-Net, at its first U-Net call (inversion too)."""
    from diffusers import (DPMSolverMultistepScheduler, LEditsPPPipelineStableDiffusion,
                           LEditsPPPipelineStableDiffusionXL)

    led = LEditsPPPipelineStableDiffusion(**{k: v for k, v in pipe.components.items() if k != "image_encoder"})
    led.scheduler = DPMSolverMultistepScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                                algorithm_type="sde-dpmsolver++", solver_order=2)
    led.set_progress_bar_config(disable=True)
    why = "LEditsPPPipelineStableDiffusion reads the U-Net's cross-attention maps at every step"
    with pytest.raises(TypeError, match=why):
        stepcache.enable(led)
    no_stepcache(led.unet)
    runs = []
    handle = pipe.unet.conv_in.register_forward_hook(lambda *a: runs.append(1))
    image = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    with stepcache.cached(pipe, DeepCacheConfig(interval=3)):  # the SD pipeline's U-Net, shared with LEDITS++
        with pytest.raises(RuntimeError, match=why):
            led.invert(image=image, num_inversion_steps=3, skip=0.0)
        assert runs == []
    led.invert(image=image, num_inversion_steps=3, skip=0.0)  # without DeepCache it runs
    assert len(runs) == 3
    handle.remove()
    xl = tiny.sdxl_pipe(tmp_path / "xl")
    led_xl = LEditsPPPipelineStableDiffusionXL(**{k: v for k, v in xl.components.items()
                                                  if k not in ("image_encoder", "feature_extractor")})
    with pytest.raises(TypeError, match="LEditsPPPipelineStableDiffusionXL reads the U-Net's cross-attention maps"):
        stepcache.enable(led_xl)
    no_stepcache(led_xl.unet)


# -- LoRA, PAG --------------------------------------------------------------------------------------------------
def lora_pipe(tmp_path):
    """The tiny SD pipeline with two random PEFT LoRA adapters on the U-Net's attentions (seeded: two calls give
    the same weights)."""
    from peft import LoraConfig

    pipe = tiny.sd_pipe(tmp_path)
    for seed, name in ((1, "a"), (2, "b")):
        torch.manual_seed(seed)
        pipe.unet.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=["to_q", "to_k", "to_v", "to_out.0"],
                                         init_lora_weights=False), adapter_name=name)
    return pipe


def test_lora_switched_fused_unloaded_between_calls(tmp_path):
    """One enable across LoRA changes gives, in each state, what a fresh enable in that state gives: nothing cached
    under one set of weights is reused under another."""
    pytest.importorskip("peft")
    states = [("a", lambda u: u.set_adapters("a")), ("b", lambda u: u.set_adapters("b")),
              ("fused b", lambda u: u.fuse_lora()), ("unfused b", lambda u: u.unfuse_lora()),
              ("off", lambda u: u.disable_lora()), ("unloaded", lambda u: u.unload_lora())]
    ref_pipe, pipe = lora_pipe(tmp_path), lora_pipe(tmp_path)
    base, ref = {}, {}
    for name, apply in states:
        apply(ref_pipe.unet)
        base[name] = tiny.sd_call(ref_pipe, steps=4)
        with stepcache.cached(ref_pipe, DeepCacheConfig(interval=2)):
            ref[name] = tiny.sd_call(ref_pipe, steps=4)
    assert not np.array_equal(base["a"], base["b"]) and not np.array_equal(base["b"], base["off"])
    stepcache.enable(pipe, DeepCacheConfig(interval=2))
    for name, apply in states:
        apply(pipe.unet)
        assert np.array_equal(tiny.sd_call(pipe, steps=4), ref[name]), name
        assert stepcache.summary(pipe).streams == ("FCFC",)
    stepcache.disable(pipe)
    no_stepcache(pipe.unet)
    assert np.array_equal(tiny.sd_call(pipe, steps=4), base["unloaded"])


def test_pag(pipe):
    """Perturbed-attention guidance: one batched call of (uncond, cond, perturbed) per step."""
    from diffusers import StableDiffusionPAGPipeline

    pag = StableDiffusionPAGPipeline(**pipe.components, pag_applied_layers=["mid"])
    pag.set_progress_bar_config(disable=True)

    def call():
        return tiny.sd_call(pag, steps=6, pag_scale=2.0)

    base = call()
    assert not np.array_equal(base, tiny.sd_call(pag, steps=6, pag_scale=0.0))  # the guidance acts
    with stepcache.cached(pag, DeepCacheConfig(interval=1)):
        assert np.array_equal(call(), base)
    with stepcache.cached(pag, DeepCacheConfig(interval=3)):
        out = call()
        assert stepcache.summary(pag).streams == ("FCCFCC",)
    assert np.isfinite(out).all() and not np.array_equal(out, base)
    assert np.array_equal(call(), base)


# -- refusals (issue 21.6) --------------------------------------------------------------------------------------
def test_refusals_name_the_class_and_what_its_kind_supports():
    import tiny_dit

    class TinyTransformer2DModel(torch.nn.Module):  # a transformer denoiser stepcache has no stack for
        def __init__(self):
            super().__init__()
            self.proj = torch.nn.Linear(2, 2)

    class TinyUNetModel(torch.nn.Module):
        pass

    with pytest.raises(stepcache.UnsupportedModelError) as err:
        stepcache.enable(TinyTransformer2DModel())
    text = str(err.value)
    assert text.startswith("TinyTransformer2DModel is not supported") and "blocks sit in nn.ModuleLists" in text
    assert text.index("nn.ModuleLists") < text.index("UNet2DConditionModel")  # its own kind first
    with pytest.raises(stepcache.UnsupportedModelError, match="TinyUNetModel is not supported; stepcache supports "
                                                              "UNet2DConditionModel"):
        stepcache.enable(TinyUNetModel())
    unet = tiny.sd_unet(levels=2)
    unet.up_blocks[0] = TinyUNetModel()
    with pytest.raises(stepcache.UnsupportedModelError, match="UNet2DConditionModel: up_blocks.0 is a TinyUNetModel"):
        stepcache.enable(unet)
    no_stepcache(unet)
    pipe, _ = tiny_dit.flux()  # 4 blocks: 3 + 1 leaves none to skip; the error says which placements fit
    with pytest.raises(ValueError, match=r"got 3 \+ 1; placements that fit: first_blocks \+ last_blocks <= 3, "
                                         r"e.g. first_blocks=3, last_blocks=0"):
        stepcache.enable(pipe, DeepCacheConfig(first_blocks=3, last_blocks=1))
    no_stepcache(pipe.transformer)
