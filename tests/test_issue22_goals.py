"""benchmarks/issue22_goals.py reads quality_per_compute.py's JSON and checks the issue's goals: the figures it
prints are the file's, its verdicts follow the margins."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import issue22_goals as goals  # noqa: E402
from stepcache import planning  # noqa: E402


def row(name, kind, psnr_per_seed, note="", eligible=True):
    return dict(name=name, kind=kind, note=note, eligible=eligible, psnr=sum(psnr_per_seed) / len(psnr_per_seed),
                psnr_per_seed=psnr_per_seed)


def report(rows, pick, budget=0.25, model="pixart"):
    return dict(model=model, steps=20, command="quality_per_compute.py ...", calibration_seeds=[0, 1],
                held_out_seeds=[2, 3, 4], per_seed=2,
                budgets=[dict(budget=budget, rows=rows, plan_pick=pick)])


def test_goals_table(tmp_path, capsys):
    rows = [row("5 steps, no cache", "steps", [26.0, 27.0, 28.0]),
            row("8 steps, uniform F0B0 N=2", "cached-fewer-steps", [30.0, 31.0, 32.5]),
            row("uniform F0B0 N=5", "uniform", [28.0, 28.5, 29.0]),
            row("diffusers TaylorSeer", "hook", [24.0, 24.0, 24.0], note="cache_interval 6, max_order 1"),
            row("diffusers TaylorSeer order 2", "hook", [22.0, 23.0, 22.0], note="cache_interval 6, max_order 2"),
            row("uniform F0B0 N=2", "uniform", [40.0, 40.0, 40.0], eligible=False)]  # over the budget: not ranked
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "pixart.json").write_text(json.dumps(report(rows, "uniform F0B0 N=5")))
    assert goals.main([str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("| 4x"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[1] == "27.00 (5 steps)" and cells[2] == "31.17 (8 steps, uniform F0B0 N=2)"
    std = planning.paired_bootstrap_std([30.0, 31.0, 32.5], [26.0, 27.0, 28.0], goals.ROUNDS)
    assert cells[3] == f"+4.17 ({std:.2f})" and cells[4] == "met (>= +1)"
    assert cells[5] == "24.00 (max_order 1)" and cells[7] == "met (>= +2)"  # the better of the two orders
    assert cells[8] == "uniform F0B0 N=5" and cells[9].startswith("-2.67 (") and cells[10] == "NO"
    assert "2 calibration + 3 held-out seeds of 2 images" in out


@pytest.mark.parametrize("budget, shown", [(0.1667, "MISSED (>= +1)"), (0.125, "-")])
def test_goals_only_where_the_issue_sets_them(tmp_path, capsys, budget, shown):
    rows = [row("3 steps, no cache", "steps", [20.0, 21.0]), row("6 steps, uniform b1 N=3", "cached-fewer-steps",
                                                                  [20.5, 20.9])]
    (tmp_path / "sd.json").write_text(json.dumps(report(rows, "3 steps, no cache", budget=budget, model="sd")))
    goals.main([str(tmp_path)])
    cells = [c.strip() for c in capsys.readouterr().out.splitlines()[-1].strip("|").split("|")]
    assert cells[4] == shown and cells[5] == "not run" and cells[10] == "yes"


def test_taylorseer_searched_but_out_of_reach(tmp_path, capsys):
    """A run that searched TaylorSeer's knobs but found none within this budget says so (not "not run")."""
    fewer, ours = row("5 steps, no cache", "steps", [27.0, 28.0]), row("11 steps, uniform b1 N=3",
                                                                       "cached-fewer-steps", [30.0, 31.0])
    taylor = row("diffusers TaylorSeer", "hook", [35.0, 35.0], note="cache_interval 3, max_order 1")
    data = report([fewer, ours], "11 steps, uniform b1 N=3", model="sd")
    data["budgets"].insert(0, dict(budget=0.5, rows=[fewer, ours, taylor], plan_pick="diffusers TaylorSeer"))
    (tmp_path / "sd.json").write_text(json.dumps(data))
    goals.main([str(tmp_path)])
    cells = [c.strip() for c in capsys.readouterr().out.splitlines()[-1].strip("|").split("|")]
    assert cells[0] == "4x" and cells[5] == "none fits the budget" and cells[7] == "none fits the budget"
