"""Issue 22's goals, read from quality_per_compute.py runs: one table per run folder, one row per budget.

For each budget: the best eligible stepcache rule on the held-out seeds against the most uncached steps that fit
and against diffusers' TaylorSeer (its better order, where the run has it), each difference paired per seed with its
bootstrap std; and whether ``stepcache plan``'s pick (made on the calibration seeds) is within 2 paired std of the
held-out best. Nothing is run here: the figures are those of the JSON files.

    .venv/bin/python benchmarks/issue22_goals.py benchmarks/results/quality_per_compute/issue22-matrix/*/ \\
        > benchmarks/results/quality_per_compute/issue22-matrix/goals.md
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from stepcache import planning

#: the issue's goals: up to which speedup stepcache must beat fewer uncached steps and by how much (per model), at
#: which speedups it must beat diffusers' TaylorSeer and by how much
FEWER = {"sd": (6, 1.0), "pixart": (6, 1.0), "mnist": (4, 0.0)}
TAYLORSEER = {"sd": ((4, 6), 2.0), "pixart": ((4, 6), 2.0)}
OURS_KINDS = {"uniform", "extrapolated", "nonuniform", "calibrated", "calibrated-extrapolated", "adaptive",
              "first-block", "cached-fewer-steps"}
ROUNDS = 1000


def diff(a: dict, b: dict) -> str:
    """Mean PSNR difference a - b and its paired bootstrap std."""
    d = a["psnr"] - b["psnr"]
    return f"{d:+.2f} ({planning.paired_bootstrap_std(a['psnr_per_seed'], b['psnr_per_seed'], ROUNDS):.2f})"


def verdict(a: dict, b: dict, margin: float) -> str:
    return "met" if a["psnr"] - b["psnr"] >= margin else "MISSED"


def table(report: dict) -> list[str]:
    model, steps = report["model"], report["steps"]
    n_cal, n_held = (len(s) if isinstance(s, list) else s for s in (report["calibration_seeds"],
                                                                    report["held_out_seeds"]))
    lines = [f"## {model}, DDIM {steps} steps ({n_cal} calibration + {n_held} held-out seeds of "
             f"{report['per_seed']} images)", "",
             f"Command: `{report['command']}`", "",
             "| budget | fewer uncached steps | best stepcache rule | vs fewer steps (paired std) | goal | "
             "diffusers TaylorSeer (best order) | vs TaylorSeer (paired std) | goal | plan's pick | pick vs held-out "
             "best (paired std) | within 2 std |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    searched = any(r["name"].startswith("diffusers TaylorSeer") for b in report["budgets"] for r in b["rows"])
    absent = "none fits the budget" if searched else "not run"  # the run searched TaylorSeer's knobs, or did not
    for b in report["budgets"]:
        speedup = round(1 / b["budget"])
        pool = [r for r in b["rows"] if r["eligible"]]
        fewer = max((r for r in pool if r["kind"] == "steps"), key=lambda r: r["psnr"])
        ours = max((r for r in pool if r["kind"] in OURS_KINDS), key=lambda r: r["psnr"], default=None)
        taylor = max((r for r in pool if r["name"].startswith("diffusers TaylorSeer")), key=lambda r: r["psnr"],
                     default=None)
        best = max(pool, key=lambda r: r["psnr"])
        pick = next((r for r in b["rows"] if r["name"] == b["plan_pick"]), None)
        upto, margin = FEWER.get(model, (0, 0.0))
        goal_fewer = (verdict(ours, fewer, margin) + f" (>= +{margin:g})") if ours and speedup <= upto else "-"
        (at, t_margin) = TAYLORSEER.get(model, ((), 0.0))
        goal_taylor = (verdict(ours, taylor, t_margin) + f" (>= +{t_margin:g})") if ours and taylor and \
            speedup in at else (absent if speedup in at else "-")
        if pick is None:
            pick_cells = [b["plan_pick"], "not measured on the held-out seeds", "-"]
        else:
            std = planning.paired_bootstrap_std(pick["psnr_per_seed"], best["psnr_per_seed"], ROUNDS)
            loss = best["psnr"] - pick["psnr"]
            pick_cells = [pick["name"], f"-{loss:.2f} ({std:.2f})", "yes" if loss <= 2 * std else "NO"]
        lines.append("| " + " | ".join([
            f"{speedup}x", f"{fewer['psnr']:.2f} ({fewer['name'].split(',')[0]})",
            f"{ours['psnr']:.2f} ({ours['name']})" if ours else "none fits",
            diff(ours, fewer) if ours else "-", goal_fewer,
            f"{taylor['psnr']:.2f} ({taylor['note'].split(', ')[-1]})" if taylor else absent,
            diff(ours, taylor) if ours and taylor else "-", goal_taylor, *pick_cells]) + " |")
    return lines + [""]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("runs", nargs="+", type=Path, help="folders written by quality_per_compute.py --out")
    args = p.parse_args(argv)
    out = ["# Issue 22's goals on the held-out seeds", "",
           "Made by `benchmarks/issue22_goals.py` from the JSON files of each folder (nothing rerun). PSNR against "
           "the uncached output at the step count, mean over held-out seeds; differences paired per seed, bootstrap "
           "std over seeds; a goal is met when the mean difference reaches the margin.", ""]
    for folder in args.runs:
        for f in sorted(folder.glob("*.json")):
            out += table(json.loads(f.read_text()))
    sys.stdout.write("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
