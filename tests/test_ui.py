"""``stepcache ui`` (issue 23): the page's functions against the library (exact images, concurrent tabs, bad input),
the command line, and the page itself in a real browser (Debian's headless Chromium driven by Playwright)."""

import json
import os
import re
import threading
import urllib.request

import numpy as np
import pytest
import torch

import stepcache
from stepcache import metrics, ui
from stepcache.commands import cli
from stepcache.commands.ui import load_model

CHROMIUM = "/usr/bin/chromium"
#: Chromium flags that work in CI containers (no sandbox, no GPU, nothing fetched in the background)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STEPS = 6  # few steps: the whole file stays well under a minute of CPU
pytestmark = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")  # Gradio's own pandas calls


@pytest.fixture(scope="module")
def models():
    return ui.Models(load_model)


@pytest.fixture(scope="module")
def sd(models):
    return models.get("emoji-sd")


def library_run(model, condition, seed, steps, guidance, config):
    """The image and summary the library gives for one setting, without the page (``config=None``: uncached)."""
    if config is None:
        return model.run(condition, seed, steps, guidance), None
    with stepcache.cached(model.pipe, config):
        image = model.run(condition, seed, steps, guidance)
        return image, stepcache.summary(model.pipe)


def assert_clean(model):
    """No DeepCache controller and no hook left behind on the shared denoiser."""
    unet = model.denoiser
    assert stepcache.api.controller_of(unet) is None
    assert not unet._forward_pre_hooks and not unet._forward_hooks


# -- the page's functions --------------------------------------------------------------------------------------------

def test_compare_is_the_library(sd):
    config = ui.rule_config(sd, STEPS, 3, "1", "uniform")
    told = []
    res = ui.compare(sd, ui.Request("dog face", 7, STEPS, 3.0, config, repeats=2), lambda i, n: told.append((i, n)))
    assert told == [(i, 4 * STEPS) for i in range(1, 4 * STEPS + 1)]  # a progress tick per denoiser call
    ref, _ = library_run(sd, "dog face", 7, STEPS, 3.0, None)
    out, summary = library_run(sd, "dog face", 7, STEPS, 3.0, config)
    assert np.array_equal(res.uncached, ref) and np.array_equal(res.cached, out)
    assert res.summary.streams == summary.streams == ("FCCFCC",)
    assert res.psnr == metrics.psnr(out[None], ref[None]) and 10 < res.psnr < 60
    assert res.macs_cached < res.macs_uncached and res.summary.ideal_speedup > 1
    assert_clean(sd)
    # interval 1 caches nothing: bit for bit the uncached image
    same = ui.compare(sd, ui.Request("dog face", 7, STEPS, 3.0, ui.rule_config(sd, STEPS, 1, "1", "uniform")))
    assert torch.equal(torch.from_numpy(same.cached), torch.from_numpy(same.uncached)) and same.psnr == float("inf")


def test_rules_of_the_page(sd):
    c = ui.rule_config(sd, STEPS, 2, "2", "non-uniform", center=2, power=1.4, extrapolate=True)
    assert (c.schedule, c.branch, c.center, c.num_steps, c.extrapolate) == ("nonuniform", 2, 2, STEPS, True)
    assert ui.rule_config(sd, STEPS, 2, "2", "non-uniform", center=2, forecast="extrapolate") == c
    # the forecast field: every choice is the planner's forecaster of that name (same keywords, same config)
    from stepcache.planning import FORECASTS
    for label in ui.FORECAST_CHOICES:
        name = label.split()[0]
        c = ui.rule_config(sd, STEPS, 3, "1", "uniform", forecast=label)
        assert ui.rule_config(sd, STEPS, 3, "1", "uniform", forecast=name) == c
        assert ui.forecast_name(c) == name and ui.forecast_label(c) == label
        if name in FORECASTS:
            assert c == stepcache.DeepCacheConfig(interval=3, branch=1, **FORECASTS[name])
    assert set(FORECASTS) <= {k.split()[0] for k in ui.FORECAST_CHOICES}  # every forecaster plan can pick
    c = ui.rule_config(sd, STEPS, 3, "1", "uniform", forecast="taylor2")
    assert (c.forecaster, c.order, c.coordinate) == ("taylor", 2, "time") and "taylor2" in ui.describe(c, sd)
    c = ui.rule_config(sd, STEPS, 4, "1", "adaptive", threshold=0)
    assert c.schedule == "adaptive" and c.threshold == stepcache.DeepCacheConfig(schedule="adaptive").threshold
    assert set(sd.placements) == {1, 2, 3, 4, 5, 6} and all(0 < f < 1 for f in sd.placements.values())
    with stepcache.cached(sd.pipe, stepcache.DeepCacheConfig(interval=1)):  # counted on a real call's inputs
        sd.run("carrot", 0, 2, 3.0)
        inputs = stepcache.api.controller_of(sd.pipe).last_inputs
        assert sd.placements == {b.branch: b.mac_fraction for b in stepcache.branches(sd.pipe, inputs)}
        s = stepcache.summary(sd.pipe)
    assert s.macs_cached / s.macs_full == pytest.approx(sd.placements[1], rel=1e-12)  # what a run reports
    assert sorted(sd.placements.values()) == [sd.placements[b] for b in range(1, 7)]  # deeper costs more


def test_concurrent_tabs_each_get_their_own_result(sd):
    """Several tabs generating at once on one shared pipeline: each result is the one a serial run gives."""
    settings = [("dog face", 1, ui.rule_config(sd, STEPS, 2, "1", "uniform")),
                ("red apple", 2, ui.rule_config(sd, STEPS, 3, "3", "uniform", extrapolate=True)),
                ("carrot", 3, ui.rule_config(sd, STEPS, 3, "2", "non-uniform", center=2, forecast="chebyshev")),
                ("dog face", 1, ui.rule_config(sd, STEPS, 1, "1", "uniform"))]
    results, errors = [None] * len(settings), []

    def tab(i, prompt, seed, config):
        try:
            results[i] = ui.compare(sd, ui.Request(prompt, seed, STEPS, 3.0, config))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=tab, args=(i, *s)) for i, s in enumerate(settings)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for (prompt, seed, config), res in zip(settings, results):
        ref, _ = library_run(sd, prompt, seed, STEPS, 3.0, None)
        out, summary = library_run(sd, prompt, seed, STEPS, 3.0, config)
        assert np.array_equal(res.uncached, ref) and np.array_equal(res.cached, out)
        assert res.summary.streams == summary.streams and res.request.config == config
    assert np.array_equal(results[3].cached, results[3].uncached)
    assert_clean(sd)


def test_transformer_placements_and_compare(models):
    px = models.get("emoji-pixart")
    assert (0, 0) in px.placements and (1, 0) in px.placements
    assert px.placements[(0, 0)] < px.placements[(1, 0)] < 1
    config = ui.rule_config(px, STEPS, 3, "F1B0", "uniform")
    assert (config.first_blocks, config.last_blocks) == (1, 0)
    res = ui.compare(px, ui.Request("butterfly", 4, STEPS, 3.0, config))
    out, summary = library_run(px, "butterfly", 4, STEPS, 3.0, config)
    assert np.array_equal(res.cached, out) and res.summary.streams == summary.streams
    assert_clean(px)


def test_digits_by_class(models):
    digits = models.get("digits")
    assert not digits.text and digits.classes == 10
    with pytest.raises(ValueError, match=r"digit class must be an integer in \[0, 9\], got 10"):
        ui.check_request(digits, 10, 0, 4, 1.0)
    config = ui.rule_config(digits, STEPS, 2, None, "uniform")  # the cheapest branch
    assert config.branch == min(digits.placements, key=digits.placements.get)
    res = ui.compare(digits, ui.Request(7, 3, STEPS, 1.0, config))
    out, summary = library_run(digits, 7, 3, STEPS, 1.0, config)
    assert np.array_equal(res.cached, out) and res.summary.streams == summary.streams
    big = ui.show(res.cached)
    h, w, c = res.cached.shape
    k = ui.SHOW_PIXELS // max(h, w)
    assert c == 1 and big.shape == (h * k, w * k, 3) and (big[::k, ::k, 0] == ui.show(res.cached, 1)[..., 0]).all()
    assert_clean(digits)


def test_any_text_to_image_folder(tmp_path):
    """The page is not only for the embedded models: a diffusers pipeline folder loads and compares the same way."""
    import tiny

    folder = tmp_path / "tiny-sd"
    tiny.sd_pipe(tmp_path).save_pretrained(folder)
    model = ui.Models(load_model).get(str(folder))
    assert model.text and model.guidance == 7.5  # StableDiffusionPipeline's own default
    assert set(model.placements) == {b.branch for b in stepcache.branches(model.pipe)}
    config = ui.rule_config(model, 4, 2, None, "uniform")
    res = ui.compare(model, ui.Request("a red cube", 0, 4, 7.5, config))
    out, summary = library_run(model, "a red cube", 0, 4, 7.5, config)
    assert np.array_equal(res.cached, out) and res.summary.streams == summary.streams == ("FCFC",)
    assert_clean(model)


@pytest.fixture(scope="module")
def sd_plan(sd):
    return ui.run_plan(sd, "dog face", STEPS, 2.0, seeds=2, kinds=("steps", "uniform", "calibrated"))


def test_plan_and_its_profile(sd, sd_plan, tmp_path):
    plan = sd_plan
    assert {c.kind for c in plan.candidates} == {"steps", "uniform", "calibrated"}
    assert plan.best.eligible and len(ui.plan_rows(plan)) == len(plan.candidates)
    assert sum(r[0].startswith("★") for r in ui.plan_rows(plan)) == 1
    ui.plan_figure(plan)  # draws
    path = tmp_path / "profile.json"
    plan.save_profile(path)
    if plan.best.cached:
        config = ui.rule_config(sd, plan.best.steps, 3, None, "calibrated (profile file)", profile=str(path))
        res = ui.compare(sd, ui.Request("dog face", 0, plan.best.steps, 3.0, config))
        assert res.summary.streams[0] == plan.best.pattern  # seed 0 is the plan's first seed
        assert res.psnr == pytest.approx(plan.best.psnr[0], abs=1e-9)


def test_bad_input_is_one_clear_message(sd, models, sd_plan, tmp_path):
    with pytest.raises(ValueError, match=r"steps must be an integer in \[1, 1000\], got 0"):
        ui.check_request(sd, "dog face", 0, 0, 3.0)
    with pytest.raises(ValueError, match="prompt must be some text"):
        ui.check_request(sd, "  ", 0, 4, 3.0)
    with pytest.raises(ValueError, match="placement must be one of 1, 2, 3, 4, 5, 6"):
        ui.rule_config(sd, 4, 3, "F1B0", "uniform")
    with pytest.raises(ValueError, match="interval must be an integer in"):
        ui.rule_config(sd, 4, 0, "1", "uniform")
    with pytest.raises(ValueError, match="forecast must be one of reuse, extrapolate, taylor1, taylor2, chebyshev, "
                                         "got 'taylor9'"):
        ui.rule_config(sd, 4, 3, "1", "uniform", forecast="taylor9")
    with pytest.raises(ValueError, match="two forecasters: choose one"):
        ui.rule_config(sd, 4, 3, "1", "uniform", forecast="taylor2", extrapolate=True)
    with pytest.raises(ValueError, match="profile: choose a profile file"):
        ui.rule_config(sd, 4, 3, "1", "calibrated (profile file)")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="cannot load a pipeline from it"):
        models.get(str(tmp_path / "empty"))
    # a profile made for other weights: refused when enabled, nothing left on the model
    good = tmp_path / "profile.json"
    if sd_plan.save_profile(good):
        data = json.loads(good.read_text())
        data["model_hash"] = "0" * 64
        other = tmp_path / "other.json"
        other.write_text(json.dumps(data))
        config = ui.rule_config(sd, sd_plan.best.steps, 3, None, "calibrated (profile file)", profile=str(other))
        with pytest.raises(ValueError, match="made for model weights 000000000000"):
            ui.compare(sd, ui.Request("dog face", 0, sd_plan.best.steps, 3.0, config))
        with pytest.raises(ValueError, match=f"steps must be {sd_plan.best.steps} for this profile"):
            ui.rule_config(sd, sd_plan.best.steps + 1, 3, None, "calibrated (profile file)", profile=str(good))
        mine = ui.forecast_name(stepcache.DeepCacheConfig.from_profile(good))
        other_fc = "chebyshev" if mine != "chebyshev" else "reuse"
        with pytest.raises(ValueError, match=f"forecast must be {mine} for this profile"):
            ui.rule_config(sd, sd_plan.best.steps, 3, None, "calibrated (profile file)", profile=str(good),
                           forecast=other_fc)
    assert_clean(sd)


# -- the command line ------------------------------------------------------------------------------------------------

def test_cli_without_gradio_says_what_to_install(monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "gradio" else real(name, *a))
    with pytest.raises(SystemExit) as e:
        cli.main(["ui"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.count("\n") == 1 and "pip install 'stepcache[ui]'" in err


def test_cli_checks_before_serving(capsys, tmp_path):
    import socket

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    args = cli.build_parser().parse_args(["ui"])
    assert (args.host, args.port, args.model) == ("127.0.0.1", 7860, "emoji-sd")
    for argv, message in [(["ui", "--port", "0"], "--port must be an integer in [1, 65535], got 0"),
                          (["ui", "--port", str(busy.getsockname()[1])], "cannot listen there"),
                          (["ui", "--model", str(tmp_path)], "cannot load a pipeline from it")]:
        with pytest.raises(SystemExit) as e:
            cli.main(argv)
        err = capsys.readouterr().err
        assert e.value.code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err
    busy.close()
    assert list(tmp_path.iterdir()) == []


# -- the page in a real browser --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(models):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"Chromium is not installed ({CHROMIUM}): `bash scripts/setup.sh test` installs Debian's")
    page = ui.build_page(models, "emoji-sd")
    port = ui.free_port()
    ui.launch(page, port=port, block=False, quiet=True)
    yield f"http://127.0.0.1:{port}/", page.stepcache_profiles
    page.close()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def open_tab(browser, url):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector("#sc-generate")
    return page


def set_number(page, elem_id, value):
    box = page.locator(f"#{elem_id} input")
    box.fill(str(value))
    box.press("Tab")


def table_rows(page, elem_id) -> int:
    """Rows of a Gradio Dataframe (its grid's aria-rowcount counts the header too)."""
    return int(page.get_attribute(f"#{elem_id} [role=grid]", "aria-rowcount")) - 1


def generate(page, wait=True):
    """Click Generate and wait for both images and the numbers; returns the numbers shown."""
    before = table_rows(page, "sc-history")
    page.click("#sc-generate")
    return finished(page, before) if wait else before


def finished(page, before):
    page.wait_for_function("Number(document.querySelector('#sc-history [role=grid]')"
                           f".getAttribute('aria-rowcount')) > {before + 1}")
    page.wait_for_selector("#sc-uncached img")
    page.wait_for_selector("#sc-cached img")
    return {k: page.inner_text(f"#sc-{k}") for k in ("psnr", "ssim", "speedup", "mac-speedup", "macs")}


def test_browser_page(browser, server, models, sd, tmp_path):
    """One page (one worker, one server, one Chromium): Compare, two tabs at once, bad input, Plan."""
    server, profiles = server
    tab = open_tab(browser, server)
    check_compare(tab, sd)
    check_two_tabs_at_once(tab, open_tab(browser, server), sd)
    check_bad_input(tab, server, tmp_path)
    check_plan(tab, sd, profiles)
    check_digits(tab, models)


def check_compare(tab, sd):
    tab.fill("#sc-prompt textarea", "red apple")
    set_number(tab, "sc-seed", 11)
    set_number(tab, "sc-steps", STEPS)
    screenshot = os.environ.get("STEPCACHE_UI_SCREENSHOT")  # docs/ui.png: the fastest of 5 timing runs each
    if screenshot:
        tab.get_by_text("non-uniform, adaptive, calibrated, timing").click()
        set_number(tab, "sc-repeats", 5)
    shown = generate(tab)
    config = stepcache.DeepCacheConfig(interval=3, branch=1)  # the page's defaults: N=3, the cheapest branch
    ref, _ = library_run(sd, "red apple", 11, STEPS, 3.0, None)
    out, summary = library_run(sd, "red apple", 11, STEPS, 3.0, config)
    assert shown["psnr"] == f"{metrics.psnr(out[None], ref[None]):.2f} dB"
    assert shown["ssim"] == f"{ui._ssim(out, ref):.4f}"
    assert shown["mac-speedup"] == f"{summary.ideal_speedup:.2f}x"
    assert float(shown["speedup"].rstrip("x")) > 0
    assert tab.get_attribute("#sc-strip .sc-stream", "data-pattern") == summary.streams[0]
    # both images are the 32 px images, nearest-neighbour upscaled
    size = tab.evaluate("document.querySelector('#sc-cached img').naturalWidth")
    assert size == 32 * (ui.SHOW_PIXELS // 32)
    row = tab.inner_text('#sc-history [role=row][aria-rowindex="2"]')  # the newest run first
    assert "red apple" in row and "uniform N=3, branch 1" in row
    if screenshot:
        tab.get_by_text("non-uniform, adaptive, calibrated, timing").click()  # closed again
        tab.screenshot(path=screenshot, full_page=True)


def check_two_tabs_at_once(tab, other, sd):
    """Two tabs generating at once on the one pipeline, different settings: each shows its own library numbers."""
    set_number(other, "sc-interval", 2)
    other.fill("#sc-prompt textarea", "carrot")
    set_number(other, "sc-steps", STEPS)
    set_number(tab, "sc-seed", 12)
    waits = [(page, generate(page, wait=False)) for page in (tab, other)]
    shown = [finished(page, before) for page, before in waits]
    for (prompt, seed, interval), numbers in zip([("red apple", 12, 3), ("carrot", 0, 2)], shown):
        ref, _ = library_run(sd, prompt, seed, STEPS, 3.0, None)
        out, _ = library_run(sd, prompt, seed, STEPS, 3.0, stepcache.DeepCacheConfig(interval=interval, branch=1))
        assert numbers["psnr"] == f"{metrics.psnr(out[None], ref[None]):.2f} dB"
    assert table_rows(tab, "sc-history") == 2 and table_rows(other, "sc-history") == 1  # each tab its own runs
    other.close()


def check_bad_input(tab, server, tmp_path):
    set_number(tab, "sc-steps", 0)
    tab.click("#sc-generate")
    tab.get_by_text("steps must be an integer in [1, 1000], got 0").first.wait_for()
    (tmp_path / "nothing").mkdir()
    tab.locator("#sc-model-box input").fill(str(tmp_path / "nothing"))  # a folder that is no pipeline
    tab.locator("#sc-model-box input").press("Enter")
    tab.click("#sc-load")
    tab.get_by_text("cannot load a pipeline from it").first.wait_for()
    assert urllib.request.urlopen(server, timeout=10).status == 200
    set_number(tab, "sc-steps", 4)
    assert generate(tab)["psnr"].endswith("dB")


def check_plan(tab, sd, profiles):
    tab.fill("#sc-prompt textarea", "dog face")
    tab.get_by_role("tab", name="Plan").click()
    set_number(tab, "sc-budget", 2)
    set_number(tab, "sc-plan-steps", STEPS)
    tab.click("#sc-plan")
    tab.get_by_text("Pick:").first.wait_for()
    tab.wait_for_selector("#sc-chart img, #sc-chart svg, #sc-chart canvas")
    assert table_rows(tab, "sc-plan-table") >= 3 and tab.inner_text("#sc-plan-table").count("★") == 1
    tab.click("#sc-use")
    tab.get_by_text("Compare set to").first.wait_for()
    steps = int(tab.locator("#sc-steps input").input_value())
    set_number(tab, "sc-seed", 0)
    shown = generate(tab)
    pattern = tab.get_attribute("#sc-strip .sc-stream", "data-pattern")
    assert len(pattern) == steps
    if "C" in pattern:  # a caching pick: the page ran the profile's full steps; the library agrees on them
        # the pick's profile as the page wrote it; the forecast field shows its forecaster
        newest = max(profiles.glob("profile-*.json"), key=lambda f: f.stat().st_mtime)
        config = stepcache.DeepCacheConfig.from_profile(newest)
        assert tab.locator("#sc-forecast input").input_value() == ui.forecast_label(config)
        full = tuple(i for i, k in enumerate(pattern) if k == "F")
        assert config.full_steps == full and config.num_steps == steps
        ref, _ = library_run(sd, "dog face", 0, steps, 3.0, None)
        out, _ = library_run(sd, "dog face", 0, steps, 3.0, config)
        assert shown["psnr"] == f"{metrics.psnr(out[None], ref[None]):.2f} dB"


def check_digits(tab, models):
    """Another model loaded in the page: the digits, by class. Compare still holds the emoji-sd pick's profile:
    refused on the digits, in one message."""
    tab.locator("#sc-model-box input").fill("digits")
    tab.locator("#sc-model-box input").press("Enter")
    tab.click("#sc-load")
    tab.get_by_text("loaded digits").first.wait_for()
    assert not tab.locator("#sc-prompt").is_visible()
    set_number(tab, "sc-class", 7)
    set_number(tab, "sc-seed", 2)
    set_number(tab, "sc-steps", STEPS)
    set_number(tab, "sc-guidance", 1)
    if tab.locator("#sc-schedule input").input_value().startswith("calibrated"):
        tab.click("#sc-generate")
        tab.get_by_text("this calibrated profile was made for model weights").first.wait_for()
        tab.locator("#sc-schedule input").fill("uniform")
        tab.locator("#sc-schedule input").press("Enter")
    assert tab.locator("#sc-schedule input").input_value() == "uniform"
    label = next(k for k in ui.FORECAST_CHOICES if k.startswith("taylor2"))
    tab.locator("#sc-forecast input").fill(label)  # the forecast field: TaylorSeer's second order
    tab.locator("#sc-forecast input").press("Enter")
    assert tab.locator("#sc-forecast input").input_value() == label
    shown = generate(tab)
    digits = models.get("digits")
    config = stepcache.DeepCacheConfig(interval=int(tab.locator("#sc-interval input").input_value()),
                                       branch=min(digits.placements, key=digits.placements.get),
                                       forecaster="taylor", order=2)
    ref, _ = library_run(digits, 7, 2, STEPS, 1.0, None)
    out, _ = library_run(digits, 7, 2, STEPS, 1.0, config)
    assert shown["psnr"] == f"{metrics.psnr(out[None], ref[None]):.2f} dB"
    row = tab.inner_text('#sc-history [role=row][aria-rowindex="2"]')
    assert "digits" in row and "taylor2" in row
