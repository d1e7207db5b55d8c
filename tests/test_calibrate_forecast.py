"""Calibration that knows the forecaster: the dynamic programme over the last two full steps is exact (brute
force), places full steps differently from reuse where forecasting changes the costs, and the profile records and
uses the forecaster. The reuse path is unchanged (tests/test_beyond.py)."""

import itertools
import json
import math

import numpy as np
import pytest
import torch

import stepcache
import tiny
from stepcache import DeepCacheConfig
from stepcache.calibration import best_full_steps, best_full_steps_forecast, forecast_ratio
from stepcache.core.forecast import Forecast


def _total(cost, ratio, full, T):
    full = sorted(full)
    c = 0.0
    for t in range(T):
        if t in full:
            continue
        before = [f for f in full if f < t]
        c += cost[before[-1], t] * (ratio[before[-2], before[-1], t] if len(before) > 1 else 1.0)
    return c


def test_forecast_dp_is_optimal_against_brute_force():
    rng = np.random.default_rng(0)
    T = 8
    cost = np.abs(rng.normal(size=(T, T))) * np.abs(np.subtract.outer(np.arange(T), np.arange(T)))
    ratio = np.abs(rng.normal(size=(T, T, T)))
    for k in range(1, T + 1):
        steps, total = best_full_steps_forecast(cost, ratio, k)
        brute = min(_total(cost, ratio, {0, *rest}, T) for rest in itertools.combinations(range(1, T), k - 1))
        assert steps[0] == 0 and len(steps) == k == len(set(steps))
        assert total == pytest.approx(brute) == pytest.approx(_total(cost, ratio, steps, T))
    # ratio 1 everywhere (a forecaster no better than reuse): the reuse programme's optimum
    ones = np.ones((T, T, T))
    for k in range(1, T + 1):
        assert best_full_steps_forecast(cost, ones, k)[1] == pytest.approx(best_full_steps(cost, k)[1])


def test_steps_differ_where_forecasting_changes_the_costs():
    """Deep features on a straight line in the step index: reusing costs the distance, so reuse spreads its full
    steps; first-order Taylor forecasts every later step exactly from any two full steps, so two full steps at the
    start are as good as any (cost 0), and at a higher budget nothing moves the optimum from 0."""
    T = 12
    v = torch.randn(1, 4, 3, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    feats = [(1 + t) * v for t in range(T)]
    coords = [float(t) for t in range(T)]
    from stepcache.calibration import distance_matrix

    cost = distance_matrix(feats)
    taylor = forecast_ratio(feats, coords, Forecast("taylor", 1, None, "step", math.inf))
    assert np.allclose(taylor[0, 1, 2:], 0, atol=1e-9) and np.allclose(taylor[3, 7, 8:], 0, atol=1e-9)
    reuse_steps, reuse_cost = best_full_steps(cost, 3)
    steps, total = best_full_steps_forecast(cost, taylor, 3)
    assert reuse_cost > 0.5 and total == pytest.approx(0, abs=1e-9)
    assert steps[:2] == [0, 1] and reuse_steps[1] > 1  # forecasting: the second full step at once, then free
    # capped at one spacing (horizon 1): two full steps at the start no longer serve the far steps, the full
    # steps spread so that each pair reaches further
    capped = forecast_ratio(feats, coords, Forecast("taylor", 1, None, "step", 1.0))
    capped_steps, capped_cost = best_full_steps_forecast(cost, capped, 3)
    assert capped_cost < _total(cost, capped, steps, T) - 0.5  # the uncapped placement is worse under the cap
    assert capped_steps != steps and capped_cost < reuse_cost


@pytest.fixture(scope="module")
def pipe(tmp_session):
    return tiny.sd_pipe(tmp_session / "calfc", levels=3)


def run(p):
    return tiny.sd_call(p, steps=10)


def test_profile_records_and_uses_the_forecaster(pipe, tmp_path):
    forecast = {"forecaster": "taylor", "order": 2, "horizon": 2.0}
    profile = stepcache.calibrate(pipe, run, speedup=1.5, branches=[2], predictor="feature", forecast=forecast)
    reuse = stepcache.calibrate(pipe, run, speedup=1.5, branches=[2], predictor="feature")
    assert (profile.forecaster, profile.order, profile.coordinate, profile.horizon) == ("taylor", 2, "time", 2.0)
    assert reuse.forecaster == "reuse" and reuse.order is None
    path = tmp_path / "profile.json"
    profile.save(path)
    data = json.loads(path.read_text())
    assert data["version"] == 4 and data["forecaster"] == "taylor"
    config = DeepCacheConfig.from_profile(path)
    assert config == profile.config() and config.forecast == ("taylor", 2, None, "time", 2.0)
    assert config.full_steps == tuple(profile.full_steps)
    with stepcache.cached(pipe, config):
        out = run(pipe)
        assert stepcache.summary(pipe).full_steps() == profile.full_steps
    assert np.isfinite(out).all()
    # the measured feature ratios on this model's recorded run decided the placement (not the reuse costs alone)
    m = stepcache.calibration.measure(pipe, run, [2], "feature", forecast=forecast)
    T = len(m.costs[2])
    k = len(profile.full_steps)
    assert profile.full_steps == best_full_steps_forecast(m.costs[2], m.ratios[2], k)[0]
    assert m.ratios[2].shape == (T, T, T)


def test_forecast_bad_input(pipe):
    with pytest.raises(ValueError, match=r"order must be an integer in \[1, 4\], got 9"):
        stepcache.calibrate(pipe, run, speedup=1.5, forecast={"forecaster": "taylor", "order": 9})
    with pytest.raises(ValueError, match="forecast takes the keywords"):
        stepcache.calibrate(pipe, run, speedup=1.5, forecast={"interval": 3})
    with pytest.raises(TypeError, match="forecast must be a dict"):
        stepcache.calibrate(pipe, run, speedup=1.5, forecast="taylor")
