"""The embedded model: loads offline through from_pretrained, draws digits of the asked class, and DeepCache at
N=2 keeps that accuracy; the demo runs end to end."""

import json

import numpy as np
import pytest
import torch

import stepcache
from stepcache import DeepCacheConfig
from stepcache.embedded import evaluation as ev
from stepcache.embedded.sampling import EMBEDDED_MODEL, generate, load_embedded


@pytest.fixture(scope="module")
def pipe(monkeypatch_module):
    monkeypatch_module.setenv("HF_HUB_OFFLINE", "1")  # the real loading path, with no network behind it
    return load_embedded()


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_loads_offline_as_a_diffusers_folder(pipe):
    assert (EMBEDDED_MODEL / "unet" / "diffusion_pytorch_model.safetensors").stat().st_size <= 10 * 2**20
    assert json.loads((EMBEDDED_MODEL / "model_index.json").read_text())["unet"] == ["diffusers", "UNet2DModel"]
    assert type(pipe.unet).__name__ == "UNet2DModel" and pipe.unet.config.num_class_embeds == 11
    assert len(stepcache.branches(pipe)) == 12


def test_digits_of_the_asked_class_with_and_without_deepcache(pipe):
    labels = np.tile(np.arange(10), 4)
    seeds = 1000 + np.arange(40)
    plain, _, _ = generate(pipe, labels, seeds, 50, 1.0)
    cached, _, summary = generate(pipe, labels, seeds, 50, 1.0, DeepCacheConfig(interval=2, branch=3))
    acc_plain, acc_cached = ev.accuracy(plain, labels), ev.accuracy(cached, labels)
    assert acc_plain >= 0.90
    assert acc_cached >= acc_plain - 0.05
    assert summary.full_steps() == list(range(0, 50, 2))


def test_pipeline_rederives_the_noise_from_the_clipped_x0_by_default(pipe):
    from diffusers import DDIMScheduler, DPMSolverMultistepScheduler

    def run(scheduler=None, **kwargs):
        p = pipe if scheduler is None else type(pipe)(unet=pipe.unet, scheduler=scheduler)
        gens = [torch.Generator().manual_seed(s) for s in range(4)]
        return p([0, 1, 2, 3], num_inference_steps=10, generator=gens, output_type="pt", **kwargs).images

    default, rederived, plain, not_passed = run(), run(use_clipped_model_output=True), \
        run(use_clipped_model_output=False), run(use_clipped_model_output=None)
    assert isinstance(pipe.scheduler, DDIMScheduler) and pipe.scheduler.config.clip_sample
    assert torch.equal(default, rederived)
    assert torch.equal(plain, not_passed)  # None passes nothing: DDIMScheduler.step's own default (False)
    assert not torch.equal(default, plain)
    # a scheduler whose step has no such argument just runs
    dpm = run(DPMSolverMultistepScheduler.from_config(pipe.scheduler.config))
    assert dpm.shape == default.shape and torch.isfinite(dpm).all()


def test_classifier_held_out_accuracy_reported():
    report = json.loads((ev.CLASSIFIER_DIR / "report.json").read_text())
    assert report["held_out_accuracy"] >= 0.97 and report["held_out_count"] == 1000
    sanity = report["fid_domain_sanity"]
    assert sanity["real_half_vs_other_half"] < sanity["gaussian_noise_0.1_vs_other_half"]
    assert sanity["real_half_vs_other_half"] < sanity["box_blur_3x3_vs_other_half"]


def test_fid_domain_of_noise_is_far_above_real_vs_real():
    noise = np.random.default_rng(0).random((500, 32, 32)).astype(np.float32)
    real_500 = json.loads((ev.CLASSIFIER_DIR / "report.json").read_text())["fid_domain_sanity"]["real_500_vs_other_half"]
    assert ev.fid_domain(noise) > 10 * real_500


def test_demo_fast_end_to_end(tmp_path):
    from stepcache.commands.cli import main

    main(["demo", "--fast", "--out", str(tmp_path)])
    table = (tmp_path / "demo.md").read_text()
    assert "| uncached |" in table and "| uniform N=2 |" in table
    assert (tmp_path / "demo.png").stat().st_size > 0
