"""calibrate and plan count steps as a generation does: on Wan (conditional and unconditional as two calls per step)
and Flux with true CFG (the same), a profile made at T steps records T steps (not 2T), runs at T steps and is
refused at any other; ``run`` may return what the pipeline returns (``.frames``, ``.images``, latents)."""

import pytest
import torch

import stepcache
import tiny_dit
from stepcache import DeepCacheConfig
from stepcache.calibration import calibrate, measure, record_deep_features, record_trajectory

T = 6


def build(family):
    pipe, kw = tiny_dit.wan() if family == "wan" else tiny_dit.flux(true_cfg=True)

    def run(p, steps=T, raw=False):
        out = p(**kw, num_inference_steps=steps, generator=torch.Generator().manual_seed(0), output_type="latent")
        return out if raw else getattr(out, "frames", getattr(out, "images", out))
    return pipe, run


@pytest.mark.parametrize("family", ["wan", "flux"])
def test_two_calls_per_step_are_one_step(family):
    pipe, run = build(family)
    calls, _ = record_trajectory(pipe, run)
    assert len(calls) == 2 * T and calls.steps == [[2 * i, 2 * i + 1] for i in range(T)]
    signals = {}
    records = record_deep_features(pipe, run, None, signals)
    (feats,) = records.values()
    assert len(feats) == T and len(signals[(1, 0)]) == T
    assert feats[0].shape[0] == 2 * calls[0][1]["hidden_states"].shape[0]  # both streams' features, batched

    # the profile: T steps; run returns the raw pipeline output (.frames on Wan, .images on Flux)
    profile = calibrate(pipe, lambda p: run(p, raw=True), speedup=1.4, predictor="output")
    assert profile.num_steps == T and all(0 <= s < T for s in profile.full_steps) and 0 in profile.full_steps
    with stepcache.cached(pipe, profile.config()):
        run(pipe)
        streams = stepcache.summary(pipe).streams
        assert len(streams) == 2 and all(len(s) == T for s in streams)
        assert streams[0] == "".join("F" if i in profile.full_steps else "C" for i in range(T)) == streams[1]
        with pytest.raises(ValueError, match=f"num_steps={T}"):
            run(pipe, steps=T + 1)
        with pytest.raises(ValueError, match=f"num_steps={T}"):
            run(pipe, steps=2 * T)


def test_plan_counts_steps_on_wan():
    from stepcache.planning import plan_for

    pipe, run = build("wan")
    plan = plan_for(pipe, lambda p, seed, steps: run(p, steps)[:, :, 0], T, 0.7, calibration_seeds=(0,),
                    candidates=["calibrated"], predictor="feature")
    calibrated = [c for c in plan.candidates if c.kind == "calibrated"]
    assert calibrated
    for cand in calibrated:
        assert len(cand.pattern) == T and cand.config.num_steps == T
        assert all(0 <= s < T for s in cand.config.full_steps)


def test_run_output_it_cannot_read_is_one_line():
    pipe, run = build("flux")
    with pytest.raises(ValueError, match=r"^run must return what the pipeline returns .* got dict$"):
        measure(pipe, lambda p: {"latents": run(p)}, predictor="feature")
