"""torch.compile: the full and the cached paths each compile once and are reused from step to step; one graph break
per U-Net call (where stepcache decides the step, eagerly); output equal to eager."""

import numpy as np
import pytest
import torch
import torch._dynamo as dynamo
from torch._dynamo.testing import CompileCounterWithBackend

import stepcache
import tiny
from stepcache import DeepCacheConfig


@pytest.fixture()
def pipe(tmp_path):
    dynamo.reset()
    p = tiny.sd_pipe(tmp_path, levels=3)
    yield p
    dynamo.reset()


@pytest.mark.parametrize("config", [DeepCacheConfig(interval=3, branch=2), DeepCacheConfig(interval=2, branch=7),
                                    DeepCacheConfig(interval=4, branch=1, schedule="nonuniform", center=3)],
                         ids=["N3-b2", "N2-b7", "nonuniform"])
def test_compiled_paths_are_static(pipe, config):
    with stepcache.cached(pipe, config):
        eager = tiny.sd_call(pipe, steps=9)
        unet = pipe.unet
        counter = CompileCounterWithBackend("aot_eager")
        pipe.unet = torch.compile(unet, backend=counter)
        try:
            dynamo.utils.counters.clear()
            first = tiny.sd_call(pipe, steps=9)
            (pattern,) = stepcache.summary(pipe).streams
            frames_after_first = counter.frame_count
            second = tiny.sd_call(pipe, steps=9)
            breaks = sum(dynamo.utils.counters["graph_break"].values())
        finally:
            pipe.unet = unet
    # one graph per kind of step that occurred: full and recording, cached (and full without recording, if any)
    kinds = {"F", "C"} if pattern.endswith("C") else {"F", "C", "last full"}
    assert frames_after_first <= len(kinds)
    assert counter.frame_count == frames_after_first  # the second generation compiled nothing new
    assert breaks <= frames_after_first  # the only break: stepcache's eager decision at the top of each call
    assert np.allclose(first, eager, atol=1e-5) and np.array_equal(first, second)


def test_one_graph_break_per_unet_call(pipe):
    unet = pipe.unet
    x = torch.randn(2, 4, 8, 8)
    text = torch.randn(2, 7, 32)
    with stepcache.cached(unet, DeepCacheConfig(interval=2, branch=3)):
        with torch.no_grad():
            full = dynamo.explain(unet)(x, torch.tensor(900), text)
            cached = dynamo.explain(unet)(x.clone(), torch.tensor(800), text)
        assert stepcache.summary(unet).streams == ("FC",)
    assert full.graph_break_count <= 1 and cached.graph_break_count <= 1
    assert cached.graph_count == full.graph_count


def test_interval_1_compiled_matches_eager(pipe):
    base = tiny.sd_call(pipe, steps=5)
    with stepcache.cached(pipe, DeepCacheConfig(interval=1)):
        unet = pipe.unet
        pipe.unet = torch.compile(unet, backend="aot_eager")
        try:
            out = tiny.sd_call(pipe, steps=5)
        finally:
            pipe.unet = unet
    assert np.allclose(out, base, atol=1e-5)


def test_paused_switches_off_and_on_without_recompiling(pipe):
    """Under torch.compile, switch DeepCache off and on with ``stepcache.paused``: once both ways ran, nothing new
    compiles (each ``enable`` would install new hooks that dynamo compiles anew); paused calls are the plain model's,
    and the generations around them are untouched."""
    plain = tiny.sd_call(pipe, steps=4)
    with stepcache.cached(pipe, DeepCacheConfig(interval=3, branch=2)):
        ref = tiny.sd_call(pipe, steps=4)
        unet = pipe.unet
        counter = CompileCounterWithBackend("eager")
        pipe.unet = torch.compile(unet, backend=counter)
        try:
            for i in range(3):
                out = tiny.sd_call(pipe, steps=4)
                with stepcache.paused(pipe):
                    off = tiny.sd_call(pipe, steps=4)
                assert np.array_equal(out, ref) and np.array_equal(off, plain)
                assert stepcache.summary(pipe).streams == ("FCCF",)  # the paused call counted nothing
                if i == 0:
                    warm = counter.frame_count
            assert counter.frame_count == warm
        finally:
            pipe.unet = unet
