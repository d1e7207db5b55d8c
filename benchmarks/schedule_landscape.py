"""Why a calibrated schedule beats evenly spaced full steps on one model and ties them on another: the measured cost
of caching at each step, and what the best placement of the same number of full steps saves over even spacing.

For each embedded model (the emoji SD U-Net at branch 1, the emoji PixArt transformer at F1B0, the MNIST DDPM at
branch 1), DDIM 20 steps, the first calibration seed of ``quality_per_compute.py`` (the same prompts or classes):
``stepcache.calibration.measure(predictor="final")`` gives the cost matrix F[f, t] (predicted final-sample error when
step t reuses step f's deep features) and, per step, the final-sample error of caching that step alone. For each
uniform interval N the table gives the predicted error (sum of F over the cached steps) of the uniform schedule and
of the best placement of as many full steps (the calibration's exact dynamic programme). A small saving means the
cost landscape is flat: no placement of the full steps can do much better than even spacing, whatever rule picks it.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/schedule_landscape.py --out benchmarks/results/schedule_landscape.md
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
import quality_per_compute as qpc  # noqa: E402

from stepcache import calibration as cal  # noqa: E402
from stepcache.calibration import parse_placement, placement_name  # noqa: E402

MODELS = {"sd": "1", "pixart": "F1B0", "mnist": "1"}
PER_SEED = {"sd": 8, "pixart": 4, "mnist": 16}  # as in the committed quality_per_compute runs


def predicted(cost: np.ndarray, full: list[int]) -> float:
    """Sum over the cached steps t of cost[last full step before t, t]."""
    total, last = 0.0, 0
    for t in range(len(cost)):
        if t in full:
            last = t
        else:
            total += cost[last, t]
    return float(total)


def landscape(model: str, steps: int, intervals) -> dict:
    pipe = qpc.load(model)
    guidance = 1.0 if model == "mnist" else 3.0
    prompts, labels = qpc.prompt_batches(model, 1, PER_SEED[model])
    setup = qpc.Setup(pipe, model, steps, guidance, prompts, labels)
    run = qpc.make_run(setup)
    where = parse_placement(MODELS[model])
    t0 = time.time()
    m = cal.measure(pipe, lambda p: run(p, 0, steps), [where], predictor="final")
    cost = m.costs[where]
    single = m.steps[where]["final_error"]
    rows = []
    for n in intervals:
        uniform = list(range(0, steps, n))
        best, best_cost = cal.best_full_steps(cost, len(uniform))
        u = predicted(cost, uniform)
        rows.append({"interval": n, "full_steps": len(uniform), "uniform": uniform, "uniform_error": u,
                     "best": best, "best_error": best_cost, "saving": 1 - best_cost / u if u > 0 else 0.0})
    late = float(np.mean(single[steps // 2:])) / max(float(np.mean(single[1:steps // 2])), 1e-12)
    return {"model": model, "placement": placement_name(where), "steps": steps, "single_step_error": single,
            "late_over_early": late, "rows": rows, "mac_fraction": m.fractions[where],
            "seconds": round(time.time() - t0, 1)}


def render(results: list[dict], command: str) -> str:
    lines = ["# The cost landscape of caching: why calibration helps on the U-Nets and not on the transformer", "",
             f"Command: `{command}`. Definitions: docstring of `benchmarks/schedule_landscape.py`.", "",
             "| model | placement | cached-step MACs | final error of caching one step: steps 10-19 / steps 1-9 | "
             "N | full steps | predicted error, uniform | predicted error, best placement | saving | best full steps |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        for row in r["rows"]:
            lines.append(f"| {r['model']} | {r['placement']} | {r['mac_fraction']:.3f} | {r['late_over_early']:.2f} | "
                         f"{row['interval']} | {row['full_steps']} | {row['uniform_error']:.4f} | "
                         f"{row['best_error']:.4f} | {100 * row['saving']:.0f}% | {row['best']} |")
    lines += ["", "Final-sample error of caching each step alone (step 0 is always full):", ""]
    for r in results:
        lines.append(f"- {r['model']} {r['placement']}: " + ", ".join(f"{e:.4f}" for e in r["single_step_error"][1:]))
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--intervals", type=int, nargs="+", default=[2, 3, 5])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    torch.manual_seed(0)
    command = "OMP_NUM_THREADS=1 .venv/bin/python benchmarks/schedule_landscape.py " + " ".join(
        sys.argv[1:] if argv is None else argv)
    results = [landscape(m, args.steps, args.intervals) for m in args.models]
    args.out.write_text(render(results, command))
    args.out.with_suffix(".json").write_text(json.dumps({"command": command, "results": results}, indent=2) + "\n")
    print(args.out.read_text())


if __name__ == "__main__":
    main()
