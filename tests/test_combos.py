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


@pytest.mark.parametrize("level", ["block_level", "leaf_level"])
@pytest.mark.parametrize("order", ["before", "after"])
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
