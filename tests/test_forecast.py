"""Forecasters (``DeepCacheConfig(forecaster=...)``): the formulas, checked against hand-computed expectations on a
U-Net's replayed output and a transformer's skipped-stack residual; interval 1 bit-identical; the scheduler's time
as the coordinate; bounded over an 18-step gap; the memory they keep in ``summary``; one compiled graph per call."""

import math

import numpy as np
import pytest
import torch

import stepcache
import tiny
import tiny_dit
from stepcache import DeepCacheConfig
from stepcache.core import forecast
from stepcache.families import transformer as blocks
from stepcache.families.unet import layout

TAYLOR2 = DeepCacheConfig(interval=3, forecaster="taylor", order=2)
CHEB = DeepCacheConfig(interval=3, forecaster="chebyshev", order=2, anchors=3)


# -- the formulas, by hand ---------------------------------------------------------------------------------------

def taylor2(F, s, t):
    """TaylorSeer of order 2 from three full steps (oldest first), written out: D1 and D2 by finite differences."""
    d1 = (F[2] - F[1]) / (s[2] - s[1])
    d1_prev = (F[1] - F[0]) / (s[1] - s[0])
    d2 = (d1 - d1_prev) / (s[2] - s[1])
    d = t - s[2]
    return F[2] + d1 * d + d2 * d * d / 2


def lagrange(F, s, t):
    """The polynomial through the full steps, at t (Chebyshev least squares with K = degree + 1, no ridge)."""
    out = 0
    for j in range(len(s)):
        w = np.prod([(t - s[i]) / (s[j] - s[i]) for i in range(len(s)) if i != j])
        out = out + F[j] * w
    return out


def test_weights_by_hand():
    s, t = [0.0, 3.0, 6.0], 8.0
    # Taylor order 2 on evenly spaced full steps: F2 + (2/3)(F2 - F1) + (2/9)(F2 - 2 F1 + F0)
    assert np.allclose(forecast.weights("taylor", 2, s, t), [2 / 9, -2 / 3 - 4 / 9, 1 + 2 / 3 + 2 / 9], atol=1e-15)
    # order 1: the line through the last two, whatever the order asked once only two are kept
    assert np.allclose(forecast.weights("taylor", 3, s[1:], t), [-2 / 3, 5 / 3], atol=1e-15)
    # Chebyshev with K = d + 1: the interpolating polynomial (up to the small ridge)
    assert np.allclose(forecast.weights("chebyshev", 2, s, t), [10 / 18, -16 / 9, 40 / 18], atol=1e-3)
    # least squares over 4 full steps, degree 1: the regression line, evaluated at t
    s4 = [0.0, 1.0, 2.0, 3.0]
    x = np.array(s4)
    line = (np.ones(4) / 4 + (x - x.mean()) * (5.0 - x.mean()) / ((x - x.mean()) ** 2).sum())
    assert np.allclose(forecast.weights("chebyshev", 1, s4, 5.0, horizon=math.inf), line, atol=1e-4)
    for f, k in (("taylor", 2), ("chebyshev", 2)):  # constants are forecast exactly
        assert forecast.weights(f, k, s, t).sum() == pytest.approx(1.0, abs=1e-12)
    # a decreasing time coordinate (timesteps 900, 600, 300 -> 100): the same as the step index, affinely
    assert np.allclose(forecast.weights("taylor", 2, [900, 600, 300], 100), forecast.weights("taylor", 2, s, 8))
    # the horizon caps the distance at H spacings of the last two full steps
    assert np.allclose(forecast.weights("taylor", 2, s, 60.0, horizon=1.0), forecast.weights("taylor", 2, s, 9.0))
    # repeated coordinates (Heun's second call at the same time): nothing to difference, the last feature
    assert np.array_equal(forecast.weights("taylor", 2, [0, 3, 3], 5), [0, 0, 1])


def test_config_fields_and_errors():
    c = DeepCacheConfig(forecaster="taylor")
    assert (c.order, c.coordinate, c.horizon, c.anchors) == (1, "time", forecast.DEFAULT_HORIZON, None)
    assert DeepCacheConfig(forecaster="chebyshev").anchors == 4 and DeepCacheConfig(forecaster="chebyshev").order == 2
    assert DeepCacheConfig(extrapolate=True).forecast == ("taylor", 1, None, "step", math.inf)
    assert not DeepCacheConfig().forecasts and DeepCacheConfig().forecast.kept == 1
    assert DeepCacheConfig(forecaster="taylor", order=3).forecast.kept == 4
    with pytest.raises(ValueError, match=r"forecaster must be one of 'reuse', 'taylor', 'chebyshev', got 'hermite'"):
        DeepCacheConfig(forecaster="hermite")
    with pytest.raises(ValueError, match=r"order must be an integer in \[1, 4\], got 5"):
        DeepCacheConfig(forecaster="taylor", order=5)
    with pytest.raises(TypeError, match=r"order must be an integer in \[1, 4\], got 1.5"):
        DeepCacheConfig(forecaster="taylor", order=1.5)
    with pytest.raises(ValueError, match=r"anchors must be an integer in \[3, 8\], got 2"):
        DeepCacheConfig(forecaster="chebyshev", order=2, anchors=2)
    with pytest.raises(ValueError, match="anchors is only used by forecaster='chebyshev'"):
        DeepCacheConfig(forecaster="taylor", anchors=3)
    with pytest.raises(ValueError, match="order is only used by a forecaster other than 'reuse'"):
        DeepCacheConfig(order=2)
    with pytest.raises(ValueError, match=r"coordinate must be one of 'time', 'step', got 'sigma'"):
        DeepCacheConfig(forecaster="taylor", coordinate="sigma")
    with pytest.raises(ValueError, match=r"horizon must be a number in \(0, inf\], got 0.0"):
        DeepCacheConfig(forecaster="taylor", horizon=0)
    with pytest.raises(ValueError, match="extrapolate=True is a shorthand"):
        DeepCacheConfig(extrapolate=True, forecaster="taylor", order=2)


# -- a U-Net: the replayed output a live layer reads ---------------------------------------------------------------

def _unet_features(pipe, config, steps, **call):
    """The exit module's output at every call, the timesteps, and the pattern."""
    exit_name = layout(pipe.unet).replayed(config.branch)[-1]
    seen, times = [], []
    handles = [pipe.unet.get_submodule(exit_name).register_forward_hook(
                   lambda m, a, out: seen.append(out if isinstance(out, torch.Tensor) else out[0])),
               pipe.unet.register_forward_pre_hook(lambda m, a: times.append(float(a[1].reshape(-1)[0])))]
    try:
        with stepcache.cached(pipe, config):
            out = tiny.sd_call(pipe, steps=steps, **call)
            summary = stepcache.summary(pipe)
    finally:
        for h in handles:
            h.remove()
    return seen, times, summary, out


@pytest.mark.parametrize("config", [TAYLOR2, CHEB, DeepCacheConfig(interval=3, forecaster="taylor", coordinate="step")],
                         ids=["taylor2", "chebyshev", "taylor1-step"])
def test_unet_forecast_by_hand(tmp_path, config):
    pipe = tiny.sd_pipe(tmp_path)
    base = tiny.sd_call(pipe, steps=8)
    with stepcache.cached(pipe, DeepCacheConfig(**{**config.__dict__, "interval": 1})):
        assert np.array_equal(tiny.sd_call(pipe, steps=8), base)  # interval 1: bit-identical
    seen, times, summary, out = _unet_features(pipe, config, 8)
    (pattern,) = summary.streams
    assert pattern == "FCCFCCFC" and np.isfinite(out).all()
    full = [i for i, k in enumerate(pattern) if k == "F"]
    coord = times if config.coordinate == "time" else list(range(8))
    for t in [i for i, k in enumerate(pattern) if k == "C"]:
        before = [f for f in full if f < t]
        F, s = [seen[f].double() for f in before], [coord[f] for f in before]
        if len(before) == 1:
            expected = F[0]
        elif len(before) == 2 or config.order == 1:  # the line through the last two (order capped by anchors)
            expected = F[-1] + (F[-1] - F[-2]) * (coord[t] - s[-1]) / (s[-1] - s[-2])
        elif config.forecaster == "taylor":
            expected = taylor2(F, s, coord[t])
        else:
            expected = lagrange(F, s, coord[t])
        tol = 1e-5 if config.forecaster == "taylor" else 2e-3  # float32 features; the ridge's small shrinkage
        assert torch.allclose(seen[t].double(), expected, rtol=0, atol=tol * float(F[-1].abs().max())), t
    # the memory: one copy of every replayed output, plus order (taylor) / anchors - 1 older copies of the exit
    exit_bytes = seen[0].numel() * seen[0].element_size()  # (CFG's two halves in one batch)
    with stepcache.cached(pipe, DeepCacheConfig(interval=3)):
        tiny.sd_call(pipe, steps=8)
        reuse = stepcache.summary(pipe).kept_bytes
    assert reuse > 0 and summary.kept_bytes == reuse + (config.forecast.kept - 1) * exit_bytes


def test_time_coordinate_follows_the_timesteps():
    """A hand-written loop with uneven timesteps: coordinate='time' extrapolates along them, 'step' along the index."""
    unet = tiny.ddpm_unet()
    exit_name = layout(unet).replayed(1)[-1]
    ts = (900, 800, 500, 450, 300)

    def run(config):
        seen = []
        h = unet.get_submodule(exit_name).register_forward_hook(lambda m, a, out: seen.append(out))
        x = torch.randn(1, 1, 16, 16, generator=torch.Generator().manual_seed(0))
        try:
            with stepcache.cached(unet, config), stepcache.generation(unet, num_steps=len(ts)), torch.no_grad():
                for t in ts:
                    x = x + unet(x, t).sample * 0.1
        finally:
            h.remove()
        return seen

    for coordinate, s in (("time", ts), ("step", range(len(ts)))):
        seen = run(DeepCacheConfig(schedule="calibrated", full_steps=(0, 1), num_steps=5, forecaster="taylor",
                                   coordinate=coordinate, horizon=math.inf))
        for t in (2, 3, 4):
            r = (s[t] - s[1]) / (s[1] - s[0])
            assert torch.allclose(seen[t], seen[1] + (seen[1] - seen[0]) * r, atol=1e-5)
    assert (ts[4] - ts[1]) / (ts[1] - ts[0]) == 5.0  # time: 5 spacings ahead; step: 3


@pytest.mark.parametrize("config", [DeepCacheConfig(forecaster="taylor", coordinate="step"),
                                    DeepCacheConfig(forecaster="taylor", order=2, coordinate="step"),
                                    DeepCacheConfig(forecaster="chebyshev", order=2, anchors=3, coordinate="step")],
                         ids=["taylor1", "taylor2", "chebyshev"])
def test_bounded_over_an_18_step_gap(config):
    """Full steps at the start, then 18 cached steps: the forecast's distance is capped at one spacing of the last
    two full steps (``horizon=1``), so it stays within the polynomial's values over that range, and holds there.
    First order: ``|F(t) - F_l| <= |F_l - F_p|`` elementwise. Uncapped, it grows with the gap."""
    unet = tiny.ddpm_unet()
    exit_name = layout(unet).replayed(1)[-1]
    k = config.forecast.kept
    steps = k + 18

    def run(cfg):
        seen = []
        h = unet.get_submodule(exit_name).register_forward_hook(lambda m, a, out: seen.append(out))
        x = torch.randn(1, 1, 16, 16, generator=torch.Generator().manual_seed(0))
        try:
            with stepcache.cached(unet, cfg):
                with stepcache.generation(unet, num_steps=steps), torch.no_grad():
                    for i in range(steps):
                        x = x + unet(x, 990 - 45 * i).sample * 0.05
                return seen[:steps], stepcache.summary(unet).streams[0]  # (summary probes run the module too)
        finally:
            h.remove()

    cfg = DeepCacheConfig(**{**config.__dict__, "schedule": "calibrated", "full_steps": tuple(range(k)),
                             "num_steps": steps})
    seen, pattern = run(cfg)
    assert pattern == "F" * k + "C" * 18
    last, prev = seen[k - 1], seen[k - 2]
    for t in range(k, steps):
        assert torch.equal(seen[t], seen[k])  # at least one spacing ahead from the first cached step: held
    if config.order == 1:
        assert ((seen[-1] - last).abs() <= (last - prev).abs() * (1 + 1e-5) + 1e-6).all()
    # the stated bound, whatever the gap: |F(t)| <= ||w(H)||_1 max_j |F_j|, w(H) the weights at the capped distance
    w = forecast.weights(config.forecaster, config.order, range(k), k, horizon=1.0)
    assert float(seen[-1].abs().max()) <= np.abs(w).sum() * max(float(f.abs().max()) for f in seen[:k]) + 1e-6
    uncapped, _ = run(DeepCacheConfig(**{**cfg.__dict__, "horizon": math.inf}))
    assert float((uncapped[-1] - last).abs().max()) > 5 * float((seen[-1] - last).abs().max())


# -- a transformer: the skipped stack's residual -------------------------------------------------------------------

def _run(pipe, kw, steps):
    out = pipe(**kw, num_inference_steps=steps, generator=torch.Generator().manual_seed(0), output_type="latent")
    return torch.as_tensor(out[0] if isinstance(out, tuple) else out.images)


@pytest.mark.parametrize("family", ["flux", "dit"])
@pytest.mark.parametrize("config", [TAYLOR2, CHEB], ids=["taylor2", "chebyshev"])
def test_transformer_residual_forecast_by_hand(family, config):
    pipe, kw = tiny_dit.BUILDERS[family]()
    model = pipe.transformer
    base = _run(pipe, kw, 8)
    with stepcache.cached(pipe, DeepCacheConfig(**{**config.__dict__, "interval": 1})):
        assert torch.equal(_run(pipe, kw, 8), base)  # interval 1: bit-identical
    st = blocks.stack(model, config.first_blocks, config.last_blocks)
    first, last = model.get_submodule(st.skipped[0]), model.get_submodule(st.skipped[-1])
    streams = blocks.Streams(first)
    rec = {"in": [], "first": [], "last": [], "t": []}
    handles = [model.register_forward_pre_hook(
                   lambda m, a, k: rec["t"].append(float(k["timestep"].reshape(-1)[0])), with_kwargs=True),
               first.register_forward_pre_hook(lambda m, a, k: rec["in"].append(streams.read(a, k)[0]),
                                               with_kwargs=True),
               first.register_forward_hook(lambda m, a, k, o: rec["first"].append(streams.image(o)), with_kwargs=True),
               last.register_forward_hook(lambda m, a, k, o: rec["last"].append(blocks.Streams(last).image(o)),
                                          with_kwargs=True)]
    try:
        with stepcache.cached(pipe, config):
            _run(pipe, kw, 8)
            (pattern,) = stepcache.summary(pipe).streams[:1]
            kept = stepcache.summary(pipe).kept_bytes
    finally:
        for h in handles:
            h.remove()
    calls = len(rec["t"]) // 8  # streams per step (DiT: CFG in one batch; Flux: one call)
    assert pattern == "FCCFCCFC"
    full = [i for i, k in enumerate(pattern) if k == "F"]
    residual = {f: (rec["last"][f * calls] - rec["in"][f * calls]).double() for f in full}
    t7 = rec["t"][7 * calls]
    F, s = [residual[f] for f in full], [rec["t"][f * calls] for f in full]
    expected = taylor2(F, s, t7) if config.forecaster == "taylor" else lagrange(F, s, t7)
    got = (rec["first"][7 * calls] - rec["in"][7 * calls]).double()
    tol = 1e-4 if config.forecaster == "taylor" else 3e-3
    assert torch.allclose(got, expected, rtol=0, atol=tol * float(F[-1].abs().max()))
    assert not torch.allclose(got, F[-1], rtol=0, atol=tol * float(F[-1].abs().max()))  # not plain reuse
    with stepcache.cached(pipe, DeepCacheConfig(interval=3)):
        _run(pipe, kw, 8)
        reuse = stepcache.summary(pipe).kept_bytes
    assert kept == 3 * reuse  # three copies of the residual (the only thing a transformer's cache keeps)


def test_one_compiled_graph_per_call_with_a_forecaster():
    """Taylor order 2 on tiny Flux under torch.compile: every call runs one compiled graph; each kind of step (full,
    last full, cached with 0, 1 or 2 older full steps) compiles once; nothing recompiles on the second call."""
    from test_transformer_compile import STEPS, compiled_runs

    pipe, kw = tiny_dit.flux()
    r = compiled_runs(pipe, kw, DeepCacheConfig(interval=2, forecaster="taylor", order=2))
    assert r["per_step"] == [1] * (2 * STEPS)
    assert r["frames1"] <= 5 and r["frames2"] == r["frames1"] and not r["recompiled2"]
    assert torch.allclose(r["first"], r["eager"], atol=1e-5) and torch.equal(r["first"], r["second"])
