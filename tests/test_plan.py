"""stepcache plan: candidates at equal MACs, the pick, its profile, the held-out check, the command line."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from diffusers import DDIMScheduler

import stepcache
import tiny
from stepcache import DeepCacheConfig, planning
from stepcache.commands import plan as plan_command
from stepcache.commands.cli import main
from stepcache.embedded.evaluation import psnr
from stepcache.embedded.pipeline import ClassConditionalPipeline

T, BUDGET = 8, 0.5


def make_pipe():
    pipe = ClassConditionalPipeline(tiny.ddpm_unet(levels=3, class_conditional=True),
                                    DDIMScheduler(num_train_timesteps=1000))
    pipe.set_progress_bar_config(disable=True)
    return pipe


@pytest.fixture(scope="module")
def pipe():
    return make_pipe()


def run(p, seed, steps):
    return p([seed % 10], num_inference_steps=steps, output_type="np",
             generator=[torch.Generator().manual_seed(seed)]).images


@pytest.fixture(scope="module")
def plan(pipe):
    return planning.plan_for(pipe, run, T, BUDGET, measure="psnr", calibration_seeds=[0, 1, 2], branches=[2],
                             predictor="output")


def test_table_lists_every_candidate_with_its_macs_counted(plan, pipe):
    names = [c.name for c in plan.candidates]
    assert len(set(names)) == len(names)
    assert {c.kind for c in plan.candidates} == set(planning.KINDS) - {"first-block"}  # first-block: transformers
    table = plan.table()
    for c in plan.candidates:
        assert c.name in table
        assert len(c.psnr) == len(c.ssim) == len(c.macs) == 3
        assert c.eligible == (c.mac_fraction <= BUDGET * (1 + planning.MATCH))
    # fewer steps, uncached: the most that fit, MACs exactly steps / T
    (few,) = [c for c in plan.candidates if c.kind == "steps"]
    assert few.steps == 4 and few.mac_fraction == pytest.approx(4 / T) and few.config is None
    # the fixed rules were built to fit the budget; the counted MACs agree with the summary of a run
    for c in plan.candidates:
        if c.kind in ("uniform", "extrapolated", "nonuniform", "calibrated", "calibrated-extrapolated",
                      "cached-fewer-steps"):
            assert c.eligible and c.mac_fraction <= BUDGET + 1e-9
    c = next(c for c in plan.candidates if c.kind == "uniform")
    with stepcache.cached(pipe, c.config):
        run(pipe, 0, T)
        s = stepcache.summary(pipe)
    assert s.streams[0] == c.pattern
    assert c.macs[0] == pytest.approx(s.macs_per_step / s.macs_full)
    data = json.loads(json.dumps(plan.to_json()))
    assert [d["name"] for d in data["candidates"]] == names and data["best"] == plan.best.name


def test_pick_is_the_best_on_the_calibration_seeds(plan, pipe):
    best = plan.best
    assert best.eligible
    assert best.mean("psnr") == max(c.mean("psnr") for c in plan.candidates if c.eligible)
    assert f"**{best.name}** (pick)" in plan.table()
    # the per-seed figure is the PSNR of that seed's output against the uncached output at T steps
    ref = run(pipe, 1, T)
    if best.config is None:
        out = run(pipe, 1, best.steps)
    else:
        with stepcache.cached(pipe, best.config):
            out = run(pipe, 1, best.steps)
    assert best.psnr[1] == pytest.approx(min(psnr(out, ref), planning.PSNR_CAP))


def test_over_budget_candidates_are_dropped(pipe):
    greedy = planning.Candidate("uniform b1 N=2 at 8 steps", "custom", T, DeepCacheConfig(interval=2, branch=1))
    plan = planning.plan_for(pipe, run, T, 0.3, calibration_seeds=[0, 1], candidates=["steps", greedy])
    (c,) = [c for c in plan.candidates if c.name == greedy.name]
    assert c.mac_fraction > 0.3 * 1.03 and not c.eligible
    assert plan.best.name != greedy.name and "no (over by" in plan.table()


def test_caching_profile_round_trips_and_runs(pipe, tmp_path):
    plan = planning.plan_for(pipe, run, T, BUDGET, calibration_seeds=[0, 1], branches=[2], candidates=["uniform"],
                             forecasters=["reuse"])
    best = plan.best
    assert best.kind == "uniform" and best.cached
    path = tmp_path / "profile.json"
    assert plan.save_profile(path) is True
    config = DeepCacheConfig.from_profile(path)
    assert config.schedule == "calibrated" and config.branch == 2 and config.profile.num_steps == T
    with stepcache.cached(pipe, best.config):
        expected = run(pipe, 5, T)
    with stepcache.cached(pipe, config):
        out = run(pipe, 5, T)
        assert stepcache.summary(pipe).streams[0] == best.pattern
    assert np.array_equal(out, expected)  # the same full steps: the same output, bit for bit
    data = json.loads(path.read_text())
    assert data["plan"]["recommendation"] == plan.recommendation and data["num_steps"] == T


def test_adaptive_profile_round_trips_with_its_threshold(pipe, tmp_path):
    plan = planning.plan_for(pipe, run, T, BUDGET, calibration_seeds=[0, 1], branches=[2], candidates=["adaptive"],
                             predictor="output")
    best = plan.best
    assert best.config.schedule == "adaptive" and best.config.weights is None
    plan.save_profile(tmp_path / "a.json")
    data = json.loads((tmp_path / "a.json").read_text())
    config = DeepCacheConfig.from_profile(tmp_path / "a.json", threshold=data["plan"]["threshold"],
                                          interval=data["plan"]["interval"])
    with stepcache.cached(pipe, best.config):
        expected = run(pipe, 5, T)
    with stepcache.cached(pipe, config):  # weights all 1: the same decisions as the plain rule
        assert np.array_equal(run(pipe, 5, T), expected)


def test_fewer_steps_win_gives_no_profile_and_says_so(pipe, tmp_path, capsys):
    plan = planning.plan_for(pipe, run, T, BUDGET, calibration_seeds=[0, 1], candidates=["steps"])
    assert not plan.best.cached and plan.recommendation == "take 4 steps, no cache"
    assert "Recommendation: take 4 steps, no cache." in plan.table()
    path = tmp_path / "profile.json"
    assert plan.save_profile(path) is False
    data = json.loads(path.read_text())
    assert data["no_cache"] is True and data["recommendation"] == "take 4 steps, no cache"
    assert "full_steps" not in data
    with pytest.raises((ValueError, KeyError)):  # never loads as a schedule
        DeepCacheConfig.from_profile(path)
    assert plan.to_json()["no_cache"] is True


def test_from_profile_explains_a_no_cache_record(pipe, tmp_path):
    plan = planning.plan_for(pipe, run, T, BUDGET, calibration_seeds=[0, 1], candidates=["steps"])
    plan.save_profile(tmp_path / "p.json")
    with pytest.raises(ValueError, match="take 4 steps, no cache"):
        DeepCacheConfig.from_profile(tmp_path / "p.json")


def test_held_out_pick_within_two_paired_std_of_the_best(plan, pipe):
    ev = planning.evaluate(plan, pipe, run, [100, 101, 102])
    assert [c.name for c in ev.candidates] == [c.name for c in plan.candidates]
    assert ev.pick == plan.best.name and ev.paired_std[ev.pick] == 0.0
    assert all(len(c.psnr) == 3 for c in ev.candidates)
    assert ev.within, ev.table()
    assert "2 paired std" in ev.table() and json.dumps(ev.to_json())


def test_paired_bootstrap_std():
    assert planning.paired_bootstrap_std([1, 2, 3], [0, 1, 2]) == 0.0  # a constant difference
    rng = np.random.default_rng(1)
    d = rng.normal(size=400)
    assert planning.paired_bootstrap_std(d, np.zeros(400)) == pytest.approx(1 / 20, rel=0.15)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"mac_budget": 1.0}, ValueError, r"mac_budget must be a finite number in \(0, 1\)"),
    ({"mac_budget": 0}, ValueError, r"mac_budget must be a finite number in \(0, 1\)"),
    ({"num_steps": 1}, ValueError, r"num_steps must be an integer in \[2, inf\)"),
    ({"measure": "fid"}, ValueError, "measure must be one of 'psnr', 'ssim'"),
    ({"calibration_seeds": []}, ValueError, "at least one seed"),
    ({"calibration_seeds": [1, 1]}, ValueError, "seeds lists a seed twice"),
    ({"candidates": ["magic"]}, ValueError, "candidates entries must be one of"),
    ({"predictor": "magic"}, ValueError, "predictor must be"),
    ({"branches": [99]}, ValueError, r"branches must be in \[1, \d+\] for this model, got 99"),
])
def test_bad_input(pipe, kwargs, error, match):
    args = dict(num_steps=T, mac_budget=BUDGET, calibration_seeds=[0], candidates=["steps"])
    args.update(kwargs)
    with pytest.raises(error, match=match):
        planning.plan_for(pipe, run, **args)


def test_refused_while_enabled(pipe):
    with stepcache.cached(pipe, DeepCacheConfig()):
        with pytest.raises(RuntimeError, match="disable DeepCache before planning"):
            planning.plan_for(pipe, run, T, BUDGET, calibration_seeds=[0], candidates=["steps"])


# -- the command line --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("plan") / "tiny-cc"
    make_pipe().save_pretrained(path)
    return path


def test_cli_kinds_match_the_api():
    assert plan_command.PLAN_KINDS == planning.KINDS and plan_command.PLAN_MEASURES == planning.MEASURES
    assert plan_command.PLAN_FORECASTS == tuple(planning.FORECASTS)
    assert plan_command.PLAN_DEFAULT_FORECASTS == planning.DEFAULT_FORECASTS


def test_cli_writes_plan_and_profile(folder, tmp_path, capsys):
    out = tmp_path / "o"
    main(["plan", "--model", str(folder), "--steps", "6", "--speedup", "2", "--seeds", "2", "--held-out", "2",
          "--branches", "1", "--candidates", "steps", "uniform", "--out", str(out)])
    printed = capsys.readouterr().out
    data = json.loads((out / "plan.json").read_text())
    assert {c["name"] for c in data["candidates"]} >= {"3 steps, no cache", "uniform b1 N=3"}
    assert data["held_out"]["pick"] == data["best"] and "recommendation:" in printed
    assert "## Held-out check" in (out / "plan.md").read_text()
    assert (out / "profile.json").exists() == (not data["no_cache"])
    if not data["no_cache"]:
        DeepCacheConfig.from_profile(out / "profile.json")
    # fewer steps only: no profile, and it says so
    main(["plan", "--model", str(folder), "--steps", "6", "--seeds", "2", "--held-out", "0",
          "--candidates", "steps", "--out", str(out)])
    captured = capsys.readouterr()
    assert "take 3 steps, no cache" in captured.out and "no profile written" in captured.out
    assert not (out / "profile.json").exists()
    assert json.loads((out / "plan.json").read_text())["held_out"] is None


def test_cli_default_candidates_fit_a_unet(folder, tmp_path, capsys):
    """Issue 22: the default candidates on a U-Net ran into "'first-block' is a transformer rule"; they are now the
    kinds that fit the model, crossed with the default forecasters, caching at fewer steps included."""
    out = tmp_path / "o"
    main(["plan", "--model", str(folder), "--steps", "5", "--speedup", "1.7", "--seeds", "2", "--held-out", "0",
          "--branches", "1", "--predictor", "output", "--out", str(out)])
    data = json.loads((out / "plan.json").read_text())
    kinds = {c["kind"] for c in data["candidates"]}
    assert kinds == set(planning.KINDS) - {"first-block"}
    assert {c["forecaster"] for c in data["candidates"]} == set(planning.DEFAULT_FORECASTS)
    assert any(c["kind"] == "cached-fewer-steps" and c["forecaster"] == "taylor2" for c in data["candidates"])
    assert "recommendation:" in capsys.readouterr().out


def test_forecasters_cross_the_fixed_schedules(plan, pipe):
    """Every default forecaster with the uniform, non-uniform and calibrated schedules and at fewer steps; the
    calibrated ones placed for their forecaster (the dynamic programme over the last two full steps)."""
    by = {}
    for c in plan.candidates:
        by.setdefault((c.kind, c.forecaster), []).append(c)
        if c.config is not None and c.kind != "extrapolated" and not c.name.startswith("calibrated-extrapolated"):
            want = DeepCacheConfig(**planning.FORECASTS[c.forecaster]).forecast
            assert c.config.forecast == want, c.name
    for fc in planning.DEFAULT_FORECASTS:
        for kind in ("uniform", "nonuniform", "calibrated", "cached-fewer-steps"):
            assert (kind, fc) in by, (kind, fc)
    uni = by[("uniform", "reuse")][0]
    for fc in ("taylor2", "chebyshev"):
        other = by[("uniform", fc)][0]
        assert other.name == uni.name.replace("uniform ", f"uniform+{fc} ") and other.macs == uni.macs
        assert other.pattern == uni.pattern
    cal = by[("calibrated", "taylor2")][0]
    assert cal.config.forecaster == "taylor2" or cal.config.forecast.forecaster == "taylor"
    assert "placed for taylor2" in cal.note and cal.eligible


def _snapshot(root: Path) -> dict:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize("argv, message", [
    (["--steps", "1"], r"--steps must be an integer in [2, inf), got 1"),
    (["--steps", "2000"], "(1000 training timesteps)"),
    (["--speedup", "1"], r"--speedup must be a finite number in (1, inf), got 1.0"),
    (["--seeds", "1"], "--seeds must be an integer in [2, inf), got 1 (a std needs two)"),
    (["--held-out", "1"], "--held-out must be 0 (no check) or >= 2"),
    (["--measure-seeds", "5"], "--measure-seeds must be an integer in [1, 2]"),
    (["--guidance", "0.5"], "--guidance must be a finite number in [1, inf)"),
    (["--branches", "99"], "(this model has"),
    (["--speedup", "1000", "--steps", "6"], "--speedup 1000 is out of reach at --steps 6"),
    (["--measure", "fid"], "invalid choice: 'fid'"),
    (["--candidates", "magic"], "invalid choice: 'magic'"),
    (["--candidates", "first-block"], "--candidates first-block is a transformer rule"),
    (["--forecasters", "hermite"], "invalid choice: 'hermite'"),
    (["--model", "{ws}/nothing"], "not found"),
    (["--model", "{ws}/emptydir"], "cannot load a pipeline from it (no readable model_index.json"),
    (["--prompts", "{ws}/afile"], "--prompts is for text-to-image models"),
    (["--branches", "F1B0"], "--branches must be integers, got 'F1B0'"),
    (["--out", "{ws}/afile"], "is a file, not a folder"),
])
def test_cli_bad_input_one_line_nothing_written(folder, tmp_path, capsys, monkeypatch, argv, message):
    ws = tmp_path
    (ws / "afile").write_text("x")
    (ws / "emptydir").mkdir()
    monkeypatch.chdir(ws)
    cheap = ["--steps", "4", "--seeds", "2", "--held-out", "0", "--candidates", "steps"]  # were a case valid
    argv = ["plan", "--model", str(folder)] + cheap + [a.replace("{ws}", str(ws)) for a in argv]
    if "--out" not in argv:
        argv += ["--out", str(ws / "o")]
    before = _snapshot(ws)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("stepcache plan: error: "), err
    assert message.replace("{ws}", str(ws)) in lines[0]
    assert _snapshot(ws) == before


def test_ssim_measure_ranks_by_ssim(pipe):
    plan = planning.plan_for(pipe, run, T, BUDGET, measure="ssim", calibration_seeds=[0, 1], branches=[1],
                             candidates=["steps", "uniform", "cached-fewer-steps"], forecasters=["reuse"])
    assert plan.best.mean("ssim") == max(c.mean("ssim") for c in plan.candidates if c.eligible)
    assert all(0 < c.mean("ssim") <= 1 for c in plan.candidates)


# transformers -------------------------------------------------------------------------------------------------------
def test_plan_on_a_transformer_every_rule_and_its_profile(tmp_path):
    """The same harness on a transformer: the rules are placed on (first_blocks, last_blocks) (the three cheapest
    by default), ``first-block`` (diffusers' FirstBlockCache rule, and the DBCache-like F/B rule) joins the
    threshold rules, the MACs of every candidate fit the budget, and the pick's profile runs the same rule."""
    import tiny_dit

    pipe, kw = tiny_dit.dit()

    def run_dit(p, seed, steps):
        out = p(**kw, num_inference_steps=steps, generator=torch.Generator().manual_seed(seed), output_type="np")
        return out.images

    plan = planning.plan_for(pipe, run_dit, T, 0.7, calibration_seeds=[0, 1], predictor="output",
                             branches=[(0, 0), (1, 0), (1, 1)], forecasters=["reuse"])
    names = {c.name for c in plan.candidates}
    assert {"calibrated F0B0", "calibrated F1B0", "calibrated F1B1", "adaptive F1B0", "first-block F1B0",
            "first-block F1B1"} <= names
    assert not {"adaptive F0B0", "first-block F0B0"} & names  # the online rules watch a live head block
    assert {n.split(" N=")[0] for n in names if n.startswith("uniform")} == {"uniform F0B0", "uniform F1B0",
                                                                             "uniform F1B1"}
    assert all(c.mac_fraction <= 0.7 * (1 + planning.MATCH) for c in plan.candidates if c.kind != "cached-fewer-steps")
    for c in plan.candidates:
        assert c.mac_fraction > 0 and len(c.psnr) == 2
        if c.cached:
            assert c.branch in {"F0B0", "F1B0", "F1B1"}
            assert (c.config.first_blocks, c.config.last_blocks) == {"F0B0": (0, 0), "F1B0": (1, 0),
                                                                     "F1B1": (1, 1)}[c.branch]
    assert "| first-block F1B0 |" in plan.table()
    fb = next(c for c in plan.candidates if c.name == "first-block F1B1")
    forced = planning.plan_for(pipe, run_dit, T, 0.7, calibration_seeds=[0, 1], branches=[(1, 1)],
                               candidates=[planning.Candidate("fb", "first-block", T, fb.config)])
    path = tmp_path / "p.json"
    assert forced.save_profile(path) is True
    data = json.loads(path.read_text())
    config = DeepCacheConfig.from_profile(path, threshold=data["plan"]["threshold"], interval=data["plan"]["interval"])
    assert config.schedule == "first-block" and (config.first_blocks, config.last_blocks) == (1, 1)
    with stepcache.cached(pipe, fb.config):
        expected = run_dit(pipe, 5, T)
    with stepcache.cached(pipe, config):
        assert np.array_equal(run_dit(pipe, 5, T), expected)
    assert "live blocks F1B1" in forced.recommendation


# text-to-image pipelines on the command line ------------------------------------------------------------------------
def _emoji(name):
    from stepcache.embedded import emoji_eval as ev

    folder = {"emoji-sd": ev.SD_DIR, "emoji-pixart": ev.PIXART_DIR}[name]
    if not (folder / "model_index.json").exists():
        pytest.skip(f"{name} not exported")
    return folder


@pytest.mark.parametrize("name, branches", [("emoji-sd", ["1"]), ("emoji-pixart", ["F1B0", "F2B1"])])
def test_cli_plans_a_text_to_image_pipeline(name, branches, tmp_path, capsys):
    """``--model emoji-sd`` / ``emoji-pixart`` (the demo's prompts by default) and a pipeline folder with a
    ``--prompts`` file: the same harness, on prompts; transformer placements as F<first>B<last>."""
    folder = _emoji(name)
    out = tmp_path / "o"
    main(["plan", "--model", name, "--steps", "4", "--seeds", "2", "--held-out", "0", "--predictor", "output",
          "--branches", *branches, "--candidates", "steps", "uniform", "--out", str(out)])
    data = json.loads((out / "plan.json").read_text())
    names = {c["name"] for c in data["candidates"]}
    assert "2 steps, no cache" in names and any(n.startswith(f"uniform {'b' if name == 'emoji-sd' else ''}"
                                                                 f"{branches[0]}") for n in names)
    assert "prompt = line seed mod 16" in (out / "plan.md").read_text()
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("grinning face\n\njapan flag\n")
    main(["plan", "--model", str(folder), "--prompts", str(prompts), "--steps", "4", "--seeds", "2",
          "--held-out", "0", "--candidates", "steps", "--out", str(out)])
    assert "prompt = line seed mod 2" in (out / "plan.md").read_text()
    capsys.readouterr()


@pytest.mark.parametrize("argv, message", [
    ([], "--prompts is required for a text-to-image --model"),
    (["--prompts", "{ws}/nofile"], "--prompts {ws}/nofile not found"),
    (["--prompts", "{ws}/empty.txt"], "has no prompt"),
    (["--prompts", "{ws}/p.txt", "--branches", "x"], "--branches must be integers, got 'x'"),
])
def test_cli_text_to_image_bad_input(tmp_path, capsys, argv, message):
    folder = _emoji("emoji-sd")
    ws = tmp_path
    (ws / "empty.txt").write_text("\n \n")
    (ws / "p.txt").write_text("grinning face\n")
    argv = ["plan", "--model", str(folder), "--steps", "4", "--seeds", "2", "--held-out", "0", "--out",
            str(ws / "o")] + [a.replace("{ws}", str(ws)) for a in argv]
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert exc.value.code == 2 and len(err) == 1 and message.replace("{ws}", str(ws)) in err[0], err
    assert not (ws / "o").exists()


def test_an_extrapolated_pick_saves_a_profile_that_extrapolates(plan, pipe, tmp_path):
    """The extrapolated rule (uniform, deep features extrapolated along the last two full steps) is a candidate
    with the uniform rule's interval; as the pick, its profile (version 4) rebuilds it: the same images."""
    ex = next(c for c in plan.candidates if c.kind == "extrapolated")
    uni = next(c for c in plan.candidates if c.kind == "uniform")
    assert ex.config.extrapolate and ex.config.interval == uni.config.interval and ex.macs == uni.macs
    forced = planning.plan_for(pipe, run, T, BUDGET, calibration_seeds=[0, 1], branches=[2],
                               candidates=[planning.Candidate("ex", "extrapolated", T, ex.config)])
    path = tmp_path / "p.json"
    assert forced.save_profile(path) is True
    assert json.loads(path.read_text())["version"] == 4
    config = DeepCacheConfig.from_profile(path)
    assert config.extrapolate and config.schedule == "calibrated"
    with stepcache.cached(pipe, ex.config):
        expected = run(pipe, 5, T)
    with stepcache.cached(pipe, config):
        assert np.array_equal(run(pipe, 5, T), expected)


def test_default_transformer_placements_include_no_live_block():
    """plan_for's default transformer placements: F0B0 (MagCache-like) and the two cheapest with a live head block
    (where the online rules can watch it), among those that leave two full steps."""
    fractions = {(0, 0): 0.02, (0, 1): 0.2, (1, 0): 0.17, (1, 1): 0.33, (2, 0): 0.34, (3, 0): 0.6}
    assert planning._default_branches(fractions, 20, 0.5) == [(0, 0), (1, 0), (1, 1)]
    assert planning._default_branches(fractions, 20, 0.3) == [(0, 0), (1, 0)]  # F1B1 cannot reach it
    assert planning._default_branches(fractions, 20, 0.25) == [(0, 0)]  # F1B0 leaves one full step
    assert planning._default_branches({1: 0.1, 2: 0.2, 3: 0.3, 4: 0.4}, 20, 0.5) == [1, 2, 3]  # U-Net: shallowest


def test_caching_at_fewer_steps_where_nothing_fits_at_the_step_count(pipe):
    """At a budget that leaves under two full steps at T on every placement (no default branch), caching at fewer
    steps is still built, on the cheapest placement, with each forecaster (it was missing at 6x and 8x)."""
    plan = planning.plan_for(pipe, run, T, 0.2, calibration_seeds=[0, 1], forecasters=["reuse", "taylor2"],
                             candidates=["steps", "uniform", "cached-fewer-steps"])
    assert plan.branches == []
    fewer = [c for c in plan.candidates if c.kind == "cached-fewer-steps"]
    assert {c.forecaster for c in fewer} == {"reuse", "taylor2"} and all(c.steps < T for c in fewer)
    assert all(c.eligible for c in fewer)
