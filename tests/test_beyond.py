"""Adaptive and calibrated schedules, and the feature-similarity analysis."""

import json

import numpy as np
import pytest

import stepcache
import tiny
from stepcache import DeepCacheConfig


@pytest.fixture(scope="module")
def pipe(tmp_session):
    return tiny.sd_pipe(tmp_session / "beyond", levels=3)


def run(p):
    return tiny.sd_call(p, steps=12)


def test_adaptive_zero_budget_is_uncached_bit_for_bit(pipe):
    base = run(pipe)
    with stepcache.cached(pipe, DeepCacheConfig(schedule="adaptive", threshold=0.0, interval=10, branch=1)):
        assert np.array_equal(run(pipe), base)
        assert stepcache.summary(pipe).streams == ("F" * 12,)


def test_adaptive_caches_more_as_the_budget_grows_and_respects_its_bounds(pipe):
    base = run(pipe)
    counts, errors, patterns = [], [], []
    for threshold in (0.05, 0.2, 1.0, 100.0):
        config = DeepCacheConfig(schedule="adaptive", threshold=threshold, interval=4, branch=2, start=2, stop=11)
        with stepcache.cached(pipe, config):
            out = run(pipe)
            (pattern,) = stepcache.summary(pipe).streams
        counts.append(pattern.count("C"))
        patterns.append(pattern)
        errors.append(np.abs(out - base).max())
        assert pattern[:2] == "FF" and pattern[-1] == "F"  # warm-up (start) and the last step (stop) stay full
        assert "CCCC" not in pattern  # at most interval-1 cached steps in a row
    assert counts == sorted(counts) and counts[-1] > counts[0]
    # an unlimited budget caches wherever the bounds allow: warm-up 2, runs of 3, last step full
    assert patterns[-1] == "FFCCCFCCCFCF"
    with stepcache.cached(pipe, DeepCacheConfig(schedule="adaptive", threshold=100.0, interval=4, branch=2)):
        run(pipe)  # without stop, the budget decides the last steps too
        assert stepcache.summary(pipe).streams == ("FCCCFCCCFCCC",)
    assert errors[0] < errors[-1]


def test_analysis_heatmap_diagonal_and_mac_table(pipe, tmp_path):
    analysis = stepcache.analyze(pipe, run)
    assert set(analysis.similarity) == {b.branch for b in stepcache.branches(pipe)}
    for b, sim in analysis.similarity.items():
        assert sim.shape == (12, 12)
        assert (np.diagonal(sim) == 1.0).all() and (np.diagonal(analysis.distance[b]) == 0.0).all()
        assert np.allclose(sim, sim.T) and (sim <= 1.0).all()
        # adjacent steps are more alike than distant ones, as the paper's Figure 3 shows
        assert np.mean(np.diagonal(sim, 1)) > np.mean(sim[0, 6:])
    from stepcache.calibration import plot_analysis

    plot_analysis(analysis, tmp_path / "fig3.png")
    assert (tmp_path / "fig3.png").stat().st_size > 0
    data = analysis.to_json()
    from stepcache.calibration import record_trajectory

    first_call = record_trajectory(pipe, run)[0][0]  # the MACs are counted on the run's own inputs
    assert data["mac_fraction"]["1"] == pytest.approx(stepcache.branches(pipe, first_call)[0].mac_fraction)


def test_best_full_steps_is_optimal_against_brute_force():
    import itertools

    from stepcache.calibration import best_full_steps

    rng = np.random.default_rng(0)
    T = 8
    d = np.abs(rng.normal(size=(T, T))) * np.abs(np.subtract.outer(np.arange(T), np.arange(T)))
    for k in range(1, T + 1):
        steps, cost = best_full_steps(d, k)

        def total(full):
            last, c = 0, 0.0
            for t in range(T):
                if t in full:
                    last = t
                else:
                    c += d[last, t]
            return c

        brute = min(total({0, *rest}) for rest in itertools.combinations(range(1, T), k - 1))
        assert steps[0] == 0 and len(steps) == k and cost == pytest.approx(brute) == pytest.approx(total(set(steps)))


def test_calibrated_profile_round_trips_and_is_used(pipe, tmp_path):
    profile = stepcache.calibrate(pipe, run, speedup=1.5)
    path = tmp_path / "profile.json"
    profile.save(path)
    assert json.loads(path.read_text())["full_steps"] == profile.full_steps
    config = DeepCacheConfig.from_profile(path)
    assert config == profile.config()
    assert config.full_steps == tuple(profile.full_steps) and config.branch == profile.branch
    infos = {b.branch: b.mac_fraction for b in stepcache.branches(pipe)}
    with stepcache.cached(pipe, config):
        run(pipe)
        summary = stepcache.summary(pipe)
    assert summary.full_steps() == profile.full_steps
    assert 1 / summary.ideal_speedup <= 1 / 1.5 + 1e-9
    assert summary.macs_per_step / summary.macs_full == pytest.approx(profile.mac_fraction)
    # the budget was planned with the branch's MAC fraction at the model's sample size
    assert (len(profile.full_steps) + (12 - len(profile.full_steps)) * infos[profile.branch]) / 12 <= 1 / 1.5


def test_mismatched_profile_is_refused(pipe, tmp_path):
    from diffusers import EulerDiscreteScheduler

    profile = stepcache.calibrate(pipe, run, speedup=1.5, branches=[1, 2])
    profile.save(tmp_path / "p.json")
    config = DeepCacheConfig.from_profile(tmp_path / "p.json")
    # other step count
    with stepcache.cached(pipe, config):
        with pytest.raises(ValueError, match="made for num_steps=12 calls per stream, this generation makes 8"):
            tiny.sd_call(pipe, steps=8)
    # other scheduler
    original = pipe.scheduler
    pipe.scheduler = EulerDiscreteScheduler.from_config(original.config)
    try:
        with stepcache.cached(pipe, config):
            with pytest.raises(ValueError, match="made for scheduler DDIMScheduler:.* the pipeline uses "
                                                 "EulerDiscreteScheduler"):
                run(pipe)
    finally:
        pipe.scheduler = original
    # other weights: refused at enable, the model left as it was
    other = tiny.sd_pipe(tmp_path / "other", levels=3)
    other.unet = tiny.sd_unet(levels=3, seed=1)
    with pytest.raises(ValueError, match="made for model weights"):
        stepcache.enable(other, config)
    assert not hasattr(other.unet, "_stepcache")


def test_calibrate_bad_input(pipe):
    with pytest.raises(ValueError, match=r"speedup must be a finite number in \(1, inf\)"):
        stepcache.calibrate(pipe, run, speedup=1.0)
    with pytest.raises(ValueError, match="out of reach"):
        stepcache.calibrate(pipe, run, speedup=1000.0)
    with pytest.raises(ValueError, match=r"threshold must be a finite number in \[0, inf\)"):
        DeepCacheConfig(schedule="adaptive", threshold=-0.1)
    with pytest.raises(ValueError, match="full_steps must be a non-empty tuple of increasing step indices"):
        DeepCacheConfig(schedule="calibrated", full_steps=(3, 1))


def test_output_error_matrix_and_output_predictor(pipe):
    from stepcache.calibration import output_error_matrix

    error, out = output_error_matrix(pipe, run, branch=2)
    assert error.shape == (12, 12) and np.array_equal(out, run(pipe))
    assert (np.diagonal(error) == 0).all() and (np.tril(error) == 0).all()
    assert (error[np.triu_indices(12, 1)] > 0).all()
    # reusing an older step's features costs more than reusing the previous step's, on average
    assert np.mean(np.diagonal(error, 1)) < np.mean(np.diagonal(error, 6))
    profile = stepcache.calibrate(pipe, run, speedup=1.5, branches=[2], predictor="output")
    assert profile.branch == 2 and profile.full_steps[0] == 0
    with pytest.raises(ValueError, match="predictor must be 'output', 'feature' or 'final'"):
        stepcache.calibrate(pipe, run, speedup=1.5, predictor="magic")


def test_final_error_predictor_is_exact_for_a_single_cached_step(pipe):
    from stepcache.calibration import final_error_matrix, output_error_matrix

    final = final_error_matrix(pipe, run, branch=2)
    error, reference = output_error_matrix(pipe, run, branch=2)
    assert final.shape == (12, 12) and (np.tril(final) == 0).all()
    # by construction, caching only step t (reusing t-1) is predicted as its measured final error
    t = 5
    config = DeepCacheConfig(schedule="calibrated", branch=2, num_steps=12,
                             full_steps=tuple(i for i in range(12) if i != t))
    with stepcache.cached(pipe, config):
        out = run(pipe)
    measured = np.linalg.norm(out - reference) / np.linalg.norm(reference)
    assert final[t - 1, t] == pytest.approx(measured, rel=1e-5)
    profile = stepcache.calibrate(pipe, run, speedup=1.5, branches=[2], predictor="final")
    assert profile.full_steps[0] == 0 and profile.validation_error > 0


def test_adaptive_weights_scale_the_budget_exactly(pipe):
    """Weights multiply the measured drift: constant weights c with threshold c*t decide exactly like no weights
    with threshold t; zero weights cache wherever the bounds allow; a profile step count mismatch is refused."""
    plain = DeepCacheConfig(schedule="adaptive", threshold=0.2, interval=4, branch=2, start=2)
    with stepcache.cached(pipe, plain):
        base, (pattern,) = run(pipe), stepcache.summary(pipe).streams
    assert "C" in pattern and pattern.count("F") > 4
    scaled = DeepCacheConfig(schedule="adaptive", threshold=0.2 * 8, interval=4, branch=2, start=2,
                             weights=(8.0,) * 12)
    with stepcache.cached(pipe, scaled):
        assert np.array_equal(run(pipe), base) and stepcache.summary(pipe).streams == (pattern,)
    zero = DeepCacheConfig(schedule="adaptive", threshold=1e-9, interval=4, branch=2, start=2, stop=11,
                           weights=(0.0,) * 12)
    with stepcache.cached(pipe, zero):
        run(pipe)
        assert stepcache.summary(pipe).streams == ("FFCCCFCCCFCF",)
    # the weights, one per step, must match the generation
    with stepcache.cached(pipe, DeepCacheConfig(schedule="adaptive", weights=(1.0,) * 10)):
        with pytest.raises(ValueError, match="weights has 10 entries, one per step, this generation makes 12"):
            run(pipe)


def test_adaptive_weights_bad_input():
    with pytest.raises(ValueError, match="weights is only used by schedule='adaptive', not 'uniform'"):
        DeepCacheConfig(weights=(1.0,))
    with pytest.raises(ValueError, match=r"weights must be a non-empty tuple of finite numbers in \[0, inf\)"):
        DeepCacheConfig(schedule="adaptive", weights=(1.0, -1.0))
    with pytest.raises(ValueError, match="weights has 2 entries, one per step, but num_steps is 3"):
        DeepCacheConfig(schedule="adaptive", weights=(1.0, 1.0), num_steps=3)


def test_profile_weights_predict_the_final_error_and_load_as_adaptive(pipe, tmp_path):
    from stepcache.calibration import adaptive_weights, final_error_matrix, record_deep_features

    signals = {}
    record_deep_features(pipe, run, [2], signals)
    final = final_error_matrix(pipe, run, branch=2)
    weights = adaptive_weights(signals[2], final)
    # by construction, weight x drift of the watched feature = measured final error of caching that step alone
    s = signals[2]
    for t in (3, 7):
        drift = float((s[t] - s[t - 1]).abs().mean() / s[t - 1].abs().mean())
        assert weights[t] * drift == pytest.approx(final[t - 1, t], rel=1e-6)
    profile = stepcache.calibrate(pipe, run, speedup=1.5, branches=[2], predictor="final")
    assert len(profile.adaptive_weights) == 12 and min(profile.adaptive_weights) >= 0
    assert profile.adaptive_weights[1:] == pytest.approx(weights[1:], rel=1e-6)
    per_step = profile.candidates["2"]["per_step"]  # the measurements behind the weights, kept in the profile
    assert per_step["final_error"][5] == pytest.approx(final[4, 5], rel=1e-6)
    assert [w * d for w, d in zip(profile.adaptive_weights[1:], per_step["drift"][1:])] == \
        pytest.approx(per_step["final_error"][1:], rel=1e-6)
    profile.save(tmp_path / "p.json")
    config = DeepCacheConfig.from_profile(tmp_path / "p.json", threshold=0.01, interval=4)
    assert config == profile.config(threshold=0.01, interval=4)
    assert config.schedule == "adaptive" and config.weights == tuple(profile.adaptive_weights)
    assert config.branch == 2 and config.profile.num_steps == 12
    with stepcache.cached(pipe, config):
        run(pipe)
        (pattern,) = stepcache.summary(pipe).streams
        assert pattern[0] == "F" and len(pattern) == 12
        with pytest.raises(ValueError, match="made for num_steps=12 calls per stream, this generation makes 8"):
            tiny.sd_call(pipe, steps=8)
    # a profile made without the final predictor has no weights to load
    profile = stepcache.calibrate(pipe, run, speedup=1.5, branches=[2], predictor="output")
    profile.save(tmp_path / "o.json")
    with pytest.raises(ValueError, match="has no adaptive weights"):
        DeepCacheConfig.from_profile(tmp_path / "o.json", threshold=0.01)


def test_one_measurement_serves_several_budgets(pipe):
    from stepcache.calibration import measure, plan

    measurement = measure(pipe, run, branches=[1, 2], predictor="output")
    for speedup in (1.3, 1.8):
        planned = plan(pipe, run, measurement, speedup)
        direct = stepcache.calibrate(pipe, run, speedup, branches=[1, 2], predictor="output")
        assert (planned.branch, planned.full_steps) == (direct.branch, direct.full_steps)
        assert planned.validation_error == pytest.approx(direct.validation_error)
    with pytest.raises(ValueError, match=r"speedup must be a finite number in \(1, inf\)"):
        plan(pipe, run, measurement, float("nan"))


def test_adaptive_caches_while_the_summed_predicted_error_stays_under_the_budget(pipe):
    """The rule itself, checked step by step against the watched feature recorded during the same run."""
    from stepcache.families.unet import layout

    weights = tuple(float(w) for w in np.linspace(2.0, 0.5, 12))
    threshold = 0.3
    config = DeepCacheConfig(schedule="adaptive", threshold=threshold, interval=12, branch=2, weights=weights)
    feats = []
    producer = pipe.unet.get_submodule(layout(pipe.unet).producers[1])
    handle = producer.register_forward_hook(lambda m, i, o: feats.append((o if hasattr(o, "shape") else o[0])
                                                                         .detach().clone()))
    try:
        with stepcache.cached(pipe, config):
            run(pipe)
            (pattern,) = stepcache.summary(pipe).streams
    finally:
        handle.remove()
    assert pattern[0] == "F" and "C" in pattern
    spent, ref = 0.0, feats[0]
    for t in range(1, 12):
        cost = float((feats[t] - ref).abs().mean() / ref.abs().mean()) * weights[t]
        if pattern[t] == "C":
            assert spent + cost < threshold
            spent += cost
        else:
            assert spent + cost >= threshold
            spent, ref = 0.0, feats[t]
