"""``stepcache analyze``: record the deep features of an uncached run of a class-conditional model and draw the
paper's Figure 3 (similarity of the deep features between every pair of steps), with the MAC table per branch.

:func:`add_run_arguments` and :func:`uncached_runs` serve ``stepcache calibrate`` too: both commands start from
the same uncached runs."""

from __future__ import annotations

from pathlib import Path

from . import common
from .common import (BENCH_EXTRA, check_branches, check_out_dir, guidance_flag, int_flag,
                     load_class_conditional, max_steps, note)

HELP = "record the deep features of an uncached run: Figure 3 heatmaps + MAC table"


def add_run_arguments(p) -> None:
    """The model and the uncached runs, as ``analyze`` and ``calibrate`` take them."""
    p.add_argument("--model", type=Path, default=None, help="class-conditional pipeline folder "
                                                               "(default: the embedded MNIST DDPM)")
    p.add_argument("--scheduler", choices=["ddim", "dpm"], default="ddim")
    p.add_argument("--steps", type=int, default=50, help="steps (>= 2)")
    p.add_argument("--samples", type=int, default=20, help="images in the uncached run(s)")
    p.add_argument("--seed", type=int, default=10_000, help="first seed (kept apart from the bench's 0..n)")
    p.add_argument("--guidance", type=float, default=1.0)
    p.add_argument("--branches", type=int, nargs="+", default=None, help="branches to look at (default: all)")


def add_parser(sub, common) -> None:
    p = sub.add_parser("analyze", parents=[common], help=HELP)
    add_run_arguments(p)
    p.add_argument("--out", type=Path, default=Path("out/analyze"))


def uncached_runs(args, check_out):
    """The checked inputs of an uncached run: ``(pipe, run_pipe, steps, branches, samples)``. ``check_out()`` runs
    after the numbers are checked and before the model loads (so a bad --out is refused without loading)."""
    samples = int_flag("--samples", args.samples, 1)
    seed = int_flag("--seed", args.seed, 0)
    guidance = guidance_flag(args.guidance)
    int_flag("--steps", args.steps, 2, why=" (similarities and schedules need two steps or more)")
    check_out()
    pipe = load_class_conditional(args.model, args.scheduler)
    high = max_steps(pipe)
    steps = int_flag("--steps", args.steps, 2, high, f" ({high} training timesteps)" if high else "")
    branches = check_branches(pipe, args.branches)
    labels = [i % pipe.null_class for i in range(samples)]

    def run_pipe(p):
        import torch

        return p(labels, num_inference_steps=steps, guidance_scale=guidance, output_type="np",
                 generator=[torch.Generator().manual_seed(seed + i) for i in range(samples)]).images
    return pipe, run_pipe, steps, branches, samples


def prepare(args, prog, argv=None):
    from .. import calibration as cal

    pipe, run_pipe, steps, branches, samples = uncached_runs(args, lambda: check_out_dir(args.out))
    plot = common.has("matplotlib")
    if not plot:
        note(prog, f"matplotlib is not installed: analysis.json will be written, similarity.png skipped "
                   f"({BENCH_EXTRA})")

    def analyze():
        import json

        analysis = cal.analyze(pipe, run_pipe, branches)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "analysis.json").write_text(json.dumps(analysis.to_json()) + "\n")
        wrote = [args.out / "analysis.json"]
        if plot:
            cal.plot_analysis(analysis, args.out / "similarity.png",
                              f"{args.scheduler.upper()} {steps} steps, {samples} samples")
            wrote.insert(0, args.out / "similarity.png")
        print("branch  cached-step MACs  mean similarity of adjacent steps  step 0 vs last")
        for b, sim in sorted(analysis.similarity.items()):
            print(f"{b:>6}  {analysis.mac_fraction[b]:>16.1%}  {sim.diagonal(1).mean():>33.4f}  "
                  f"{sim[0, -1]:>14.4f}")
        print("wrote " + " and ".join(map(str, wrote)))
    return analyze
